/*
 * orrery host — the REPL's line input: libedit on a terminal when the host
 * is built with it, plain lines from stdin otherwise.
 */
#ifndef ORRERY_REPL_LINE_H
#define ORRERY_REPL_LINE_H

#include <lua.h>

typedef struct OrrLineReader OrrLineReader;

/**
 * OrrLineStatus:
 * @ORR_LINE_OK: a line was read.
 * @ORR_LINE_EOF: end of input (Ctrl-D on an empty line).
 * @ORR_LINE_INTERRUPT: Ctrl-C: the line is discarded.
 */
typedef enum OrrLineStatus {
    ORR_LINE_OK,
    ORR_LINE_EOF,
    ORR_LINE_INTERRUPT,
} OrrLineStatus;

/**
 * orr_line_reader_new:
 * @L: (transfer none): the REPL's state, used for Tab completion; must
 *   outlive the reader.
 * @history: (nullable): the history file, loaded now and rewritten after
 *   each line; a file that cannot be read or written is skipped silently.
 *
 * Uses libedit (editing, Tab completion, history) when the host has it and
 * stdin and stdout are terminals; else reads plain lines, printing prompts
 * only if stdin is a terminal, with no history.
 *
 * Returns: (transfer full): a reader; free with orr_line_reader_free().
 */
OrrLineReader *orr_line_reader_new(lua_State *L, const char *history);

/**
 * orr_line_reader_free:
 * @r: (nullable) (transfer full): a reader.
 *
 * Restores the terminal.
 */
void orr_line_reader_free(OrrLineReader *r);

/**
 * orr_line_reader_read:
 * @r: a reader.
 * @prompt: (transfer none): the prompt.
 * @line: (out) (transfer full): on %ORR_LINE_OK, the line without its
 *   newline; free with g_free().
 *
 * Reads one line. Ctrl-C while reading discards the line.
 *
 * Returns: what happened.
 */
OrrLineStatus orr_line_reader_read(OrrLineReader *r, const char *prompt,
                                   char **line);

/**
 * orr_line_reader_remember:
 * @r: a reader.
 * @line: (transfer none): a line the user entered.
 *
 * Adds @line to the history (not if blank, or the same as the last one)
 * and saves the history file.
 */
void orr_line_reader_remember(OrrLineReader *r, const char *line);

#endif /* ORRERY_REPL_LINE_H */
