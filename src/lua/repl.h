/*
 * orrery host — the REPL, and the completion of names in it, which other
 * parts of the host extend with completers.
 */
#ifndef ORRERY_REPL_H
#define ORRERY_REPL_H

#include <stddef.h>
#include <glib.h>
#include <lua.h>

/**
 * orr_repl_run:
 * @L: the host's state; the REPL turns its JIT compiler off, so that
 *   Ctrl-C can stop any loop (`jit.on()` trades that for speed).
 *
 * Reads chunks from stdin, runs them and prints their values, until the
 * end of input or os.exit(). With libedit and a terminal: line editing,
 * completion and history (in $ORRERY_HISTORY, or ~/.orrery_history; none
 * if that variable is empty); otherwise plain lines, with prompts only if
 * stdin is a terminal. Defines the global `help`.
 *
 * Returns: the exit status: 0 at the end of input, or os.exit()'s.
 */
int orr_repl_run(lua_State *L);

/**
 * OrrReplCandidates:
 *
 * The names a completion offers. Opaque; add names with
 * orr_repl_candidates_add().
 */
typedef struct OrrReplCandidates OrrReplCandidates;

/**
 * OrrReplCompleter:
 * @L: the REPL's state.
 * @obj: the stack index of the value whose names are completed: the globals
 *   table for a bare name, the value of `a.b` for `a.b.x` or `a.b:x`.
 * @sep: '\0' for a bare name, '.' for a field, ':' for a method.
 * @out: where to add the names @obj offers.
 * @data: the pointer given to orr_repl_add_completer().
 *
 * Adds the names of @obj that the built-in completer cannot see (it lists
 * the string keys of tables and of their `__index` tables, and for ':'
 * those that hold functions), e.g. the properties of an object proxy.
 *
 * Runs inside lua_pcall(), when the user presses Tab or calls help(value):
 * it may raise a Lua error, which quietly cancels the rest of that
 * completion. It may leave values on the stack above @obj. It must not
 * print, and should not run code with visible effects.
 */
typedef void (*OrrReplCompleter)(lua_State *L, int obj, char sep,
                                 OrrReplCandidates *out, void *data);

/**
 * orr_repl_add_completer:
 * @fn: the completer.
 * @data: (transfer none): passed to @fn; must stay valid for the life of
 *   the process.
 *
 * Adds a completer, called after the built-in one and those added before.
 * Adding the same @fn and @data twice adds it once.
 */
void orr_repl_add_completer(OrrReplCompleter fn, void *data);

/**
 * orr_repl_candidates_add:
 * @out: the names of a completion.
 * @name: (transfer none): a name; kept only if it is a Lua identifier
 *   (not a keyword) that starts with what the user typed.
 *
 * Offers @name. Duplicates are removed later.
 */
void orr_repl_candidates_add(OrrReplCandidates *out, const char *name);

/**
 * OrrReplDescriber:
 * @L: the REPL's state.
 * @idx: the stack index of the value given to help().
 *
 * Returns: (transfer full) (nullable): a description of the value for
 *   help(value) to print after its names (e.g. an object's type, path and
 *   methods with their signatures), or NULL for nothing more.
 */
typedef char *(*OrrReplDescriber)(lua_State *L, int idx);

/** orr_repl_set_describer: sets what help(value) adds. */
void orr_repl_set_describer(OrrReplDescriber fn);

/**
 * OrrReplPathCompleter:
 * @text: (transfer none): what the string literal holds before the cursor,
 *   e.g. "/machine/ua".
 * @start: (out): the offset in @text of the part being completed ("ua").
 *
 * Completes object paths inside string literals.
 * Returns: (transfer full): the sorted names that can replace that part.
 */
typedef GPtrArray *(*OrrReplPathCompleter)(const char *text, size_t *start);

/** orr_repl_set_path_completer: sets the completer of string literals. */
void orr_repl_set_path_completer(OrrReplPathCompleter fn);

/**
 * orr_repl_complete_string:
 * Like orr_repl_complete(), for @text inside a string literal: what the
 * path completer offers, or nothing.
 * Returns: (transfer full): the names.
 */
GPtrArray *orr_repl_complete_string(const char *text, size_t *start);

/**
 * orr_repl_complete:
 * @L: the REPL's state, with no Lua code running.
 * @word: (transfer none): the text before the cursor that makes up a
 *   dotted name: "stri", "string.up", "io.stdout:wr", "".
 * @start: (out): the offset in @word of the part being completed ("up").
 *
 * Returns: (transfer full): the sorted, distinct names that can replace
 *   the part at @start; none if @word is not a dotted name or its prefix
 *   does not evaluate (an error there is silent).
 */
GPtrArray *orr_repl_complete(lua_State *L, const char *word, size_t *start);

/**
 * orr_repl_names:
 * @L: the REPL's state.
 * @idx: the stack index of a value.
 *
 * Returns: (transfer full): the sorted, distinct names of the value, as
 *   fields and as methods (what `v.<Tab>` and `v:<Tab>` offer), for help().
 */
GPtrArray *orr_repl_names(lua_State *L, int idx);

#endif /* ORRERY_REPL_H */
