/*
 * orrery host — the names the REPL completes: the built-in completer
 * (globals, table fields, `__index` tables, keywords) and the registry of
 * completers that other parts of the host add.
 */
#include <stdbool.h>
#include <string.h>
#include <glib.h>
#include <lauxlib.h>
#include "repl.h"

struct OrrReplCandidates {
    GPtrArray *names;   /* char*, owned */
    const char *prefix; /* NOREF: the request's word */
    size_t prefix_len;
};

typedef struct Completer {
    OrrReplCompleter fn;
    void *data;
} Completer;

/* Completer, for the life of the process */
static GArray *completers;

/* What to complete: the value named by @path (from the globals), or the
 * value passed to collect() when @path is NULL. */
typedef struct Request {
    char **path; /* NULL-terminated segments */
    char sep;
    OrrReplCandidates out;
} Request;

/* How deep the built-in completer follows `__index` tables. */
#define INDEX_DEPTH 8

static const char *const keywords[] = {
    "and",      "break",  "do",   "else", "elseif", "end",   "false", "for",
    "function", "goto",   "if",   "in",   "local",  "nil",   "not",   "or",
    "repeat",   "return", "then", "true", "until",  "while", NULL,
};

static bool is_keyword(const char *s)
{
    for (const char *const *k = keywords; *k != NULL; k++) {
        if (strcmp(*k, s) == 0) {
            return true;
        }
    }
    return false;
}

/* Letters, digits and '_', not starting with a digit; "" too. */
static bool is_name_part(const char *s)
{
    if (g_ascii_isdigit(*s)) {
        return false;
    }
    for (const char *p = s; *p != '\0'; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_') {
            return false;
        }
    }
    return true;
}

static bool is_identifier(const char *s)
{
    return *s != '\0' && is_name_part(s) && !is_keyword(s);
}

void orr_repl_add_completer(OrrReplCompleter fn, void *data)
{
    Completer c = {fn, data};

    if (completers == NULL) {
        completers = g_array_new(FALSE, FALSE, sizeof(Completer));
    }
    for (guint i = 0; i < completers->len; i++) {
        Completer *old = &g_array_index(completers, Completer, i);

        if (old->fn == fn && old->data == data) {
            return;
        }
    }
    g_array_append_val(completers, c);
}

static void add_name(OrrReplCandidates *out, const char *name)
{
    if (strncmp(name, out->prefix, out->prefix_len) == 0) {
        g_ptr_array_add(out->names, g_strdup(name));
    }
}

void orr_repl_candidates_add(OrrReplCandidates *out, const char *name)
{
    if (is_identifier(name)) {
        add_name(out, name);
    }
}

/* --- The built-in completer -------------------------------------------- */

/* The string keys of the table at @t; for ':' only those of functions. */
static void add_fields(lua_State *L, int t, char sep, OrrReplCandidates *out)
{
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        if (lua_type(L, -2) == LUA_TSTRING &&
            (sep != ':' || lua_isfunction(L, -1))) {
            orr_repl_candidates_add(out, lua_tostring(L, -2));
        }
        lua_pop(L, 1);
    }
}

static void builtin_completer(lua_State *L, int obj, char sep,
                              OrrReplCandidates *out)
{
    lua_pushvalue(L, obj);
    for (int depth = 0; depth < INDEX_DEPTH; depth++) {
        if (lua_istable(L, -1)) {
            add_fields(L, lua_gettop(L), sep, out);
        }
        if (!lua_getmetatable(L, -1)) {
            break;
        }
        lua_pushliteral(L, "__index");
        lua_rawget(L, -2);
        lua_replace(L, -3); /* the value, by its __index */
        lua_pop(L, 1);      /* the metatable */
        if (!lua_istable(L, -1)) {
            break;
        }
    }
    lua_pop(L, 1);
    if (sep == '\0') {
        for (const char *const *k = keywords; *k != NULL; k++) {
            add_name(out, *k);
        }
    }
}

/*
 * collect(request, value)  [-0, +0, e]
 * Finds the value to complete (evaluating the request's path, which may
 * run __index metamethods) and asks every completer for its names.
 */
static int collect(lua_State *L)
{
    Request *rq = lua_touserdata(L, 1);
    int obj;

    if (rq->path != NULL) {
        lua_pushvalue(L, LUA_GLOBALSINDEX);
        for (char **seg = rq->path; *seg != NULL; seg++) {
            lua_getfield(L, -1, *seg);
            lua_remove(L, -2);
            if (lua_isnil(L, -1)) {
                return 0;
            }
        }
    } else {
        lua_pushvalue(L, 2);
    }
    obj = lua_gettop(L);
    builtin_completer(L, obj, rq->sep, &rq->out);
    for (guint i = 0; completers != NULL && i < completers->len; i++) {
        Completer *c = &g_array_index(completers, Completer, i);

        c->fn(L, obj, rq->sep, &rq->out, c->data);
        lua_settop(L, obj);
    }
    return 0;
}

static int compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs collect() on @rq (and the value at @idx if @rq has no path), then
 * sorts the names and drops duplicates. */
static void run_request(lua_State *L, Request *rq, int idx)
{
    GPtrArray *names = rq->out.names;

    lua_pushcfunction(L, collect);
    lua_pushlightuserdata(L, rq);
    if (rq->path != NULL) {
        lua_pushnil(L);
    } else {
        lua_pushvalue(L, idx);
    }
    if (lua_pcall(L, 2, 0, 0) != 0) {
        lua_pop(L, 1); /* the completion is cancelled, quietly */
    }
    g_ptr_array_sort(names, compare_names);
    for (guint i = names->len; i > 1; i--) {
        if (strcmp(names->pdata[i - 1], names->pdata[i - 2]) == 0) {
            g_ptr_array_remove_index(names, i - 1);
        }
    }
}

/* Splits "a.b.c:d" into the segments before the last separator, which
 * must all be identifiers joined by '.'. Returns NULL if it cannot. */
static char **split_path(const char *word, size_t len)
{
    g_autofree char *head = g_strndup(word, len);
    g_auto(GStrv) path = g_strsplit(head, ".", -1);

    for (char **seg = path; *seg != NULL; seg++) {
        if (!is_identifier(*seg)) {
            return NULL;
        }
    }
    return g_steal_pointer(&path);
}

static OrrReplPathCompleter path_completer;

void orr_repl_set_path_completer(OrrReplPathCompleter fn)
{
    path_completer = fn;
}

GPtrArray *orr_repl_complete_string(const char *text, size_t *start)
{
    *start = strlen(text);
    if (path_completer == NULL) {
        return g_ptr_array_new_with_free_func(g_free);
    }
    return path_completer(text, start);
}

GPtrArray *orr_repl_complete(lua_State *L, const char *word, size_t *start)
{
    const char *last = NULL;
    g_auto(GStrv) path = NULL;
    Request rq = {0};

    for (const char *p = word; *p != '\0'; p++) {
        if (*p == '.' || *p == ':') {
            last = p;
        }
    }
    rq.out.names = g_ptr_array_new_with_free_func(g_free);
    rq.out.prefix = last ? last + 1 : word;
    rq.out.prefix_len = strlen(rq.out.prefix);
    *start = (size_t)(rq.out.prefix - word);
    if (last == NULL) {
        path = g_new0(char *, 1); /* the globals themselves */
    } else {
        rq.sep = *last;
        path = split_path(word, (size_t)(last - word));
    }
    if (path != NULL && is_name_part(rq.out.prefix)) {
        rq.path = path;
        run_request(L, &rq, 0);
    }
    return rq.out.names;
}

GPtrArray *orr_repl_names(lua_State *L, int idx)
{
    Request rq = {0};

    if (idx < 0 && idx > LUA_REGISTRYINDEX) {
        idx = lua_gettop(L) + idx + 1;
    }
    rq.out.names = g_ptr_array_new_with_free_func(g_free);
    rq.out.prefix = "";
    rq.sep = '.';
    run_request(L, &rq, idx);
    rq.sep = ':';
    run_request(L, &rq, idx);
    return rq.out.names;
}
