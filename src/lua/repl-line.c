/*
 * orrery host — the REPL's line input: libedit with completion and
 * history, or plain lines from stdin.
 */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <glib.h>
#include "host-config.h"
#ifdef ORR_HAVE_LIBEDIT
#include <histedit.h>
#endif
#include "repl.h"
#include "repl-line.h"
#include "run.h"

/*
 * Ctrl-C at a libedit prompt is a key, not a signal: ^C is bound to
 * discard the line, and ^Z to suspend. (Taken as a signal, libedit would
 * put the terminal back in cooked mode and go on reading.) So the
 * terminal's ISIG flag is off while libedit edits ("setty -d -isig").
 * libedit prints the prompt before it sets its mode, when it reads the
 * first key; keys typed in between would meet the terminal's own line
 * discipline (^C a signal, ^D an end of file that libedit never sees). So
 * the host puts the terminal in a raw mode before el_gets(), and restores
 * its own mode after. While a chunk runs, ^C is SIGINT again.
 *
 * Tab completes the dotted name before the cursor (see repl-complete.c),
 * or indents when only blanks precede it. ~/.editrc (or $EDITRC) is read
 * after the host's bindings, so users can change them.
 */

struct OrrLineReader {
    lua_State *L;  /* NOREF: the REPL's, outlives the reader */
    char *history; /* (nullable) the history file */
    bool prompts;  /* the plain reader prints prompts */
#ifdef ORR_HAVE_LIBEDIT
    EditLine *el;       /* NULL: the plain reader */
    History *hist;      /* with el */
    const char *prompt; /* NOREF: valid during orr_line_reader_read() */
    bool interrupted;   /* ^C during el_gets() */
#endif
};

/* How many lines the history keeps. */
#define HISTORY_SIZE 1000

/* --- Plain lines ------------------------------------------------------- */

static OrrLineStatus plain_read(OrrLineReader *r, const char *prompt,
                                char **line)
{
    GString *s = g_string_new(NULL);
    char buf[512];

    if (r->prompts) {
        fputs(prompt, stdout);
        fflush(stdout);
    }
    orr_run_watch_sigint();
    while (fgets(buf, sizeof(buf), stdin) != NULL) {
        g_string_append(s, buf);
        if (s->len > 0 && s->str[s->len - 1] == '\n') {
            break;
        }
    }
    if (orr_run_unwatch_sigint()) {
        clearerr(stdin);
        if (r->prompts) {
            fputc('\n', stdout);
        }
        g_string_free(s, TRUE);
        return ORR_LINE_INTERRUPT;
    }
    if (s->len == 0) {
        g_string_free(s, TRUE);
        return ORR_LINE_EOF;
    }
    if (s->str[s->len - 1] == '\n') {
        g_string_truncate(s, s->len - 1);
    }
    *line = g_string_free(s, FALSE);
    return ORR_LINE_OK;
}

#ifdef ORR_HAVE_LIBEDIT

/* --- libedit ----------------------------------------------------------- */

static OrrLineReader *reader_of(EditLine *el)
{
    void *r = NULL;

    el_get(el, EL_CLIENTDATA, &r);
    return r;
}

static char *prompt_fn(EditLine *el)
{
    return (char *)reader_of(el)->prompt;
}

/* ^C: ends el_gets() with the line marked as discarded. */
static unsigned char discard_fn(EditLine *el, int ch)
{
    reader_of(el)->interrupted = true;
    return CC_NEWLINE;
}

/* ^Z: suspends, as the terminal would with ISIG on. libedit's handler
 * restores the terminal, and sets it up again on SIGCONT. */
static unsigned char suspend_fn(EditLine *el, int ch)
{
    raise(SIGTSTP);
    return CC_REDISPLAY;
}

static bool is_word_char(char c)
{
    return g_ascii_isalnum(c) || c == '_' || c == '.' || c == ':';
}

/* Whether [@s, @end) holds only blanks. */
static bool only_blanks(const char *s, const char *end)
{
    for (; s < end; s++) {
        if (*s != ' ' && *s != '\t') {
            return false;
        }
    }
    return true;
}

/* The longest prefix that all @names share. */
static size_t common_prefix(GPtrArray *names)
{
    const char *first = names->pdata[0];
    size_t n = strlen(first);

    for (guint i = 1; i < names->len; i++) {
        const char *s = names->pdata[i];
        size_t k = 0;

        while (k < n && s[k] == first[k]) {
            k++;
        }
        n = k;
    }
    return n;
}

/* Prints @names in columns below the line being edited. */
static void list_names(EditLine *el, GPtrArray *names)
{
    int width = 0;
    size_t longest = 0;
    size_t columns;

    if (el_get(el, EL_GETTC, "co", &width, NULL) != 0 || width <= 0) {
        width = 80;
    }
    for (guint i = 0; i < names->len; i++) {
        longest = MAX(longest, strlen(names->pdata[i]));
    }
    columns = MAX(1, (size_t)width / (longest + 2));
    fputc('\n', stdout);
    for (guint i = 0; i < names->len; i++) {
        bool last = (i + 1) % columns == 0 || i + 1 == names->len;

        if (last) {
            fprintf(stdout, "%s\n", (char *)names->pdata[i]);
        } else {
            fprintf(stdout, "%-*s", (int)(longest + 2),
                    (char *)names->pdata[i]);
        }
    }
    fflush(stdout);
}

/* If the cursor is inside a string literal of the line, the offset just
 * after its opening quote; else -1. Escapes are honoured. */
static long string_start(const char *buffer, const char *cursor)
{
    char quote = 0;
    long start = -1;

    for (const char *p = buffer; p < cursor; p++) {
        if (quote != 0 && *p == '\\' && p + 1 < cursor) {
            p++;
        } else if (quote != 0 && *p == quote) {
            quote = 0;
        } else if (quote == 0 && (*p == '"' || *p == '\'')) {
            quote = *p;
            start = (long)(p - buffer) + 1;
        }
    }
    return quote != 0 ? start : -1;
}

/*
 * Tab: inserts what all completions of the name before the cursor share;
 * lists them when that adds nothing and there are several. Inside a
 * string literal it completes an object path instead.
 */
static unsigned char complete_fn(EditLine *el, int ch)
{
    OrrLineReader *r = reader_of(el);
    const LineInfo *li = el_line(el);
    const char *p = li->cursor;
    g_autofree char *word = NULL;
    g_autoptr(GPtrArray) names = NULL;
    size_t start, typed, common;

    long in_string = string_start(li->buffer, li->cursor);

    if (in_string >= 0) {
        word = g_strndup(li->buffer + in_string,
                         (gsize)(li->cursor - li->buffer - in_string));
        names = orr_repl_complete_string(word, &start);
    } else {
        while (p > li->buffer && is_word_char(p[-1])) {
            p--;
        }
        if (p == li->cursor && only_blanks(li->buffer, p)) {
            return el_insertstr(el, "    ") == 0 ? CC_REFRESH : CC_ERROR;
        }
        word = g_strndup(p, (gsize)(li->cursor - p));
        names = orr_repl_complete(r->L, word, &start);
    }
    if (names->len == 0) {
        return CC_REFRESH_BEEP;
    }
    typed = strlen(word) - start;
    common = common_prefix(names);
    if (common > typed) {
        g_autofree char *more =
            g_strndup((char *)names->pdata[0] + typed, common - typed);

        return el_insertstr(el, more) == 0 ? CC_REFRESH : CC_ERROR;
    }
    if (names->len == 1) {
        return CC_REFRESH;
    }
    list_names(el, names);
    return CC_REDISPLAY;
}

/*
 * The host's editor functions and their keys. They are added with
 * el_wset(), which keeps the strings it is given (static here): el_set()
 * would copy them and never free the copies (libedit 3.1).
 */
static const struct {
    const char *key;
    const char *name;
    const wchar_t *wname;
    const wchar_t *help;
    unsigned char (*fn)(EditLine *, int);
} keys[] = {
    {"^I", "orr-complete", L"orr-complete", L"Complete a Lua name",
     complete_fn},
    {"^C", "orr-discard", L"orr-discard", L"Discard the line", discard_fn},
    {"^Z", "orr-suspend", L"orr-suspend", L"Suspend orrery", suspend_fn},
};

static void edit_init(OrrLineReader *r)
{
    HistEvent ev;
    EditLine *el = el_init("orrery", stdin, stdout, stderr);

    if (el == NULL) {
        return;
    }
    r->el = el;
    el_set(el, EL_CLIENTDATA, r);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_SIGNAL, 1);
    el_set(el, EL_PROMPT, prompt_fn);
    el_set(el, EL_SETTY, "-d", "-isig", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        el_wset(el, EL_ADDFN, keys[i].wname, keys[i].help, keys[i].fn);
        el_set(el, EL_BIND, keys[i].key, keys[i].name, NULL);
    }

    r->hist = history_init();
    history(r->hist, &ev, H_SETSIZE, HISTORY_SIZE);
    history(r->hist, &ev, H_SETUNIQUE, 1);
    if (r->history != NULL) {
        history(r->hist, &ev, H_LOAD, r->history); /* may not exist yet */
    }
    el_set(el, EL_HIST, history, r->hist);
    el_source(el, NULL);
}

/* Makes the terminal pass every key as it comes, without echo, keeping
 * its settings in @saved. Returns whether it did. */
static bool keys_raw(struct termios *saved)
{
    struct termios t;

    if (tcgetattr(fileno(stdin), saved) != 0) {
        return false;
    }
    t = *saved;
    t.c_lflag &= ~(tcflag_t)(ISIG | ICANON | ECHO | IEXTEN);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    return tcsetattr(fileno(stdin), TCSANOW, &t) == 0;
}

static OrrLineStatus edit_read(OrrLineReader *r, const char *prompt,
                               char **line)
{
    struct termios saved;
    bool restore = keys_raw(&saved);
    const char *s;
    int count = 0;

    r->prompt = prompt;
    r->interrupted = false;
    orr_run_watch_sigint(); /* re-armed: libedit restores it on return */
    s = el_gets(r->el, &count);
    orr_run_unwatch_sigint();
    if (restore) {
        tcsetattr(fileno(stdin), TCSANOW, &saved);
    }
    r->prompt = NULL;
    if (r->interrupted) {
        fputs("^C\n", stdout);
        fflush(stdout);
        return ORR_LINE_INTERRUPT;
    }
    if (s == NULL || count <= 0) {
        fputc('\n', stdout);
        fflush(stdout);
        return ORR_LINE_EOF;
    }
    *line =
        g_strndup(s, s[count - 1] == '\n' ? (gsize)count - 1 : (gsize)count);
    return ORR_LINE_OK;
}

#endif /* ORR_HAVE_LIBEDIT */

/* --- The reader -------------------------------------------------------- */

OrrLineReader *orr_line_reader_new(lua_State *L, const char *history)
{
    OrrLineReader *r = g_new0(OrrLineReader, 1);

    r->L = L;
    r->history = g_strdup(history);
    r->prompts = isatty(fileno(stdin));
#ifdef ORR_HAVE_LIBEDIT
    if (isatty(fileno(stdin)) && isatty(fileno(stdout))) {
        edit_init(r);
    }
#endif
    return r;
}

void orr_line_reader_free(OrrLineReader *r)
{
    if (r == NULL) {
        return;
    }
#ifdef ORR_HAVE_LIBEDIT
    if (r->el != NULL) {
        el_end(r->el);
        history_end(r->hist);
    }
#endif
    g_free(r->history);
    g_free(r);
}

OrrLineStatus orr_line_reader_read(OrrLineReader *r, const char *prompt,
                                   char **line)
{
    *line = NULL;
#ifdef ORR_HAVE_LIBEDIT
    if (r->el != NULL) {
        return edit_read(r, prompt, line);
    }
#endif
    return plain_read(r, prompt, line);
}

void orr_line_reader_remember(OrrLineReader *r, const char *line)
{
#ifdef ORR_HAVE_LIBEDIT
    HistEvent ev;

    if (r->el == NULL || line[strspn(line, " \t")] == '\0') {
        return;
    }
    history(r->hist, &ev, H_ENTER, line);
    if (r->history != NULL) {
        history(r->hist, &ev, H_SAVE, r->history); /* may be read-only */
    }
#endif
}
