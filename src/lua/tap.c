/*
 * orrery host — the TAP watcher: a line reader for TAP, and the wrappers
 * of print, io.write and file:write that feed it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <lauxlib.h>
#include "tap.h"

struct OrrTap {
    GString *line; /* the line being written */
    int plan;      /* tests planned, -1 before a plan */
    int tests;     /* test lines seen */
    int failed;    /* "not ok" lines that are not TODO */
    bool bailed;
};

OrrTap *orr_tap_new(void)
{
    OrrTap *tap = g_new0(OrrTap, 1);

    tap->line = g_string_new(NULL);
    tap->plan = -1;
    return tap;
}

void orr_tap_free(OrrTap *tap)
{
    if (tap == NULL) {
        return;
    }
    g_string_free(tap->line, TRUE);
    g_free(tap);
}

/* If @s starts with the word @word (followed by its end or a blank),
 * returns what follows it; else NULL. */
static const char *after_word(const char *s, const char *word)
{
    size_t n = strlen(word);

    if (strncmp(s, word, n) != 0) {
        return NULL;
    }
    if (s[n] != '\0' && s[n] != ' ' && s[n] != '\t') {
        return NULL;
    }
    return s + n;
}

/* Whether the rest of a test line carries the directive "# TODO". A '#'
 * escaped as "\#" belongs to the description. */
static bool is_todo(const char *rest)
{
    for (const char *p = rest; *p != '\0'; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
        } else if (*p == '#') {
            p++;
            while (*p == ' ' || *p == '\t') {
                p++;
            }
            return g_ascii_strncasecmp(p, "TODO", 4) == 0;
        }
    }
    return false;
}

/* "1..N", then the end, a blank or a directive. */
static bool parse_plan(const char *s, int *plan)
{
    char *end;
    guint64 n;

    if (strncmp(s, "1..", 3) != 0 || !g_ascii_isdigit(s[3])) {
        return false;
    }
    n = g_ascii_strtoull(s + 3, &end, 10);
    if (*end != '\0' && *end != ' ' && *end != '\t' && *end != '#') {
        return false;
    }
    *plan = (int)MIN(n, (guint64)G_MAXINT);
    return true;
}

static void take_line(OrrTap *tap, const char *s)
{
    const char *rest;
    int plan;

    if (after_word(s, "ok") != NULL) {
        tap->tests++;
    } else if (g_str_has_prefix(s, "not ") &&
               (rest = after_word(s + 4, "ok")) != NULL) {
        tap->tests++;
        if (!is_todo(rest)) {
            tap->failed++;
        }
    } else if (g_str_has_prefix(s, "Bail out!")) {
        tap->bailed = true;
    } else if (tap->plan < 0 && parse_plan(s, &plan)) {
        tap->plan = plan;
    }
}

void orr_tap_feed(OrrTap *tap, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] != '\n') {
            g_string_append_c(tap->line, data[i]);
            continue;
        }
        if (tap->line->len > 0 && tap->line->str[tap->line->len - 1] == '\r') {
            g_string_truncate(tap->line, tap->line->len - 1);
        }
        take_line(tap, tap->line->str);
        g_string_truncate(tap->line, 0);
    }
}

bool orr_tap_finish(OrrTap *tap, const char *name)
{
    if (tap->line->len > 0) {
        take_line(tap, tap->line->str);
        g_string_truncate(tap->line, 0);
    }
    fflush(stdout);
    if (tap->bailed) {
        fprintf(stderr, "%s: TAP: bailed out\n", name);
    } else if (tap->failed > 0) {
        fprintf(stderr, "%s: TAP: %d of %d tests failed\n", name, tap->failed,
                tap->tests);
    } else if (tap->plan < 0 && tap->tests > 0) {
        fprintf(stderr, "%s: TAP: %d tests and no plan\n", name, tap->tests);
    } else if (tap->plan >= 0 && tap->tests != tap->plan) {
        fprintf(stderr, "%s: TAP: planned %d tests but ran %d\n", name,
                tap->plan, tap->tests);
    } else {
        return true;
    }
    return false;
}

/* --- The wrappers ------------------------------------------------------ */

/* Feeds arguments @first..@last to @tap, converted as file:write does. */
static void feed_args(lua_State *L, OrrTap *tap, int first, int last)
{
    for (int i = first; i <= last; i++) {
        size_t len;
        const char *s;

        lua_pushvalue(L, i); /* lua_tolstring converts numbers in place */
        s = lua_tolstring(L, -1, &len);
        if (s != NULL) {
            orr_tap_feed(tap, s, len);
        }
        lua_pop(L, 1);
    }
}

/*
 * file:write(...)  [-0, +(1|2), e]
 * Upvalues: the original method, the stdout file, the watcher. Calls the
 * original; what it wrote to stdout also goes to the watcher.
 */
static int tap_file_write(lua_State *L)
{
    int n = lua_gettop(L);
    OrrTap *tap = lua_touserdata(L, lua_upvalueindex(3));
    bool to_stdout = lua_rawequal(L, 1, lua_upvalueindex(2));

    lua_pushvalue(L, lua_upvalueindex(1));
    for (int i = 1; i <= n; i++) {
        lua_pushvalue(L, i);
    }
    lua_call(L, n, LUA_MULTRET);
    if (to_stdout && lua_toboolean(L, n + 1)) {
        feed_args(L, tap, 2, n);
    }
    return lua_gettop(L) - n;
}

/*
 * io.write(...)  [-0, +(1|2), e]
 * Upvalues: the original io.output, the wrapped file:write. Writes to the
 * default output file, through the wrapper.
 */
static int tap_io_write(lua_State *L)
{
    int n = lua_gettop(L);

    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_call(L, 0, 1); /* the default output file */
    for (int i = 1; i <= n; i++) {
        lua_pushvalue(L, i);
    }
    lua_call(L, n + 1, LUA_MULTRET);
    return lua_gettop(L) - n;
}

/*
 * print(...)  [-0, +0, e]
 * Upvalue: the watcher. Lua's print (each argument through the global
 * tostring, tab-separated, a newline last), also fed to the watcher.
 */
static int tap_print(lua_State *L)
{
    int n = lua_gettop(L);
    OrrTap *tap = lua_touserdata(L, lua_upvalueindex(1));

    lua_getglobal(L, "tostring");
    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s;

        lua_pushvalue(L, -1);
        lua_pushvalue(L, i);
        lua_call(L, 1, 1);
        s = lua_tolstring(L, -1, &len);
        if (s == NULL) {
            return luaL_error(L, "'tostring' must return a string to 'print'");
        }
        if (i > 1) {
            fputc('\t', stdout);
            orr_tap_feed(tap, "\t", 1);
        }
        fwrite(s, 1, len, stdout);
        orr_tap_feed(tap, s, len);
        lua_pop(L, 1);
    }
    fputc('\n', stdout);
    orr_tap_feed(tap, "\n", 1);
    return 0;
}

void orr_tap_install(lua_State *L, OrrTap *tap)
{
    int top = lua_gettop(L);

    lua_pushlightuserdata(L, tap);
    lua_pushcclosure(L, tap_print, 1);
    lua_setglobal(L, "print");

    lua_getglobal(L, "io");        /* io */
    lua_getfield(L, -1, "stdout"); /* io stdout */
    if (!lua_istable(L, -2) || !luaL_getmetafield(L, -1, "__index") ||
        !lua_istable(L, -1)) {
        lua_settop(L, top);
        return;
    }
    lua_getfield(L, -1, "write"); /* io out methods write */
    lua_pushvalue(L, -3);         /* ... write stdout */
    lua_pushlightuserdata(L, tap);
    lua_pushcclosure(L, tap_file_write, 3); /* io out methods w */
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "write");  /* methods.write = w */
    lua_getfield(L, -4, "output"); /* io out methods w o */
    lua_insert(L, -2);             /* io out methods o w */
    lua_pushcclosure(L, tap_io_write, 2);
    lua_setfield(L, -4, "write"); /* io.write = ... */
    lua_settop(L, top);
}
