/*
 * orrery host — the REPL loop: read a chunk, over several lines if it is
 * incomplete, run it, print its values; help() and `info` commands.
 */
#define _POSIX_C_SOURCE 200809L /* fileno */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <lauxlib.h>
#include <luajit.h>
#include "host-config.h"
#include "host.h"
#include "repl.h"
#include "repl-line.h"
#include "run.h"

/*
 * Input is first compiled as an expression list, so that a bare
 * expression prints its values; "=expr" can only be that. The chunk is
 * "return (...)(<input>\n)", called with an identity function as its
 * argument: like "return <input>", but never a tail call, so that an error
 * raised directly in the line (`error("x")`) keeps its position. Otherwise
 * the input is compiled as statements. While the compiler stops at the end
 * of the text ("... near '<eof>'") in either form, the REPL asks for more
 * lines. Every chunk is named "stdin", as in lua.c.
 */

#define PROMPT "> "
#define PROMPT_MORE ">> "
#define CHUNKNAME "=stdin"

typedef struct Repl {
    lua_State *L;          /* NOREF: the caller's */
    OrrLineReader *reader; /* owned */
    int printer;           /* registry reference to the value printer */
} Repl;

typedef enum ReadResult {
    READ_EXPR,  /* a compiled expression chunk is pushed */
    READ_CHUNK, /* a compiled chunk is pushed */
    READ_NONE,  /* nothing to run: blank, discarded, error reported, info */
    READ_EOF,
} ReadResult;

/*
 * The value printer: printer(...) returns the values as one string,
 * tab-separated; strings quoted, tables as { k = v, ... } one level deep
 * and at most MAX entries, anything else through tostring.
 */
static const char printer_source[] =
    "local type, tostring, next, select, getmetatable, rawget, ipairs =\n"
    "    type, tostring, next, select, getmetatable, rawget, ipairs\n"
    "local format, concat, sort = string.format, table.concat, table.sort\n"
    "local MAX = 20\n"
    "local escapes = { ['\"'] = '\\\\\"', ['\\\\'] = '\\\\\\\\',\n"
    "                  ['\\n'] = '\\\\n', ['\\r'] = '\\\\r', "
    "['\\t'] = '\\\\t' }\n"
    "local keywords = {}\n"
    "for w in ('and break do else elseif end false for function goto if in '\n"
    "          .. 'local nil not or repeat return then true until while')\n"
    "          :gmatch('%a+') do keywords[w] = true end\n"
    "local function quote(s)\n"
    "  return '\"' .. s:gsub('[%c\"\\\\]', function(c)\n"
    "    return escapes[c] or format('\\\\%03d', c:byte())\n"
    "  end) .. '\"'\n"
    "end\n"
    "local function scalar(v)\n"
    "  if type(v) == 'string' then return quote(v) end\n"
    "  return tostring(v)\n"
    "end\n"
    "local function key(k)\n"
    "  if type(k) == 'string' and k:match('^[%a_][%w_]*$')\n"
    "     and not keywords[k] then return k end\n"
    "  return '[' .. scalar(k) .. ']'\n"
    "end\n"
    "local function opaque(v)\n"
    "  local mt = getmetatable(v)\n"
    "  return mt ~= nil and (type(mt) ~= 'table'\n"
    "                        or rawget(mt, '__tostring') ~= nil)\n"
    "end\n"
    "local function inner(v)\n"
    "  if type(v) == 'table' and not opaque(v) then\n"
    "    return next(v) == nil and '{}' or '{...}'\n"
    "  end\n"
    "  return scalar(v)\n"
    "end\n"
    "local rank = { number = 1, string = 2 }\n"
    "local function before(a, b)\n"
    "  local ra, rb = rank[type(a)] or 3, rank[type(b)] or 3\n"
    "  if ra ~= rb then return ra < rb end\n"
    "  if ra < 3 then return a < b end\n"
    "  return tostring(a) < tostring(b)\n"
    "end\n"
    "local function show(v)\n"
    "  if type(v) ~= 'table' or opaque(v) then return scalar(v) end\n"
    "  local parts, keys, n = {}, {}, #v\n"
    "  for k in next, v do\n"
    "    if not (type(k) == 'number' and k >= 1 and k <= n and k % 1 == 0)\n"
    "    then keys[#keys + 1] = k end\n"
    "  end\n"
    "  sort(keys, before)\n"
    "  for i = 1, n do\n"
    "    if #parts == MAX then break end\n"
    "    parts[#parts + 1] = inner(rawget(v, i))\n"
    "  end\n"
    "  for _, k in ipairs(keys) do\n"
    "    if #parts == MAX then break end\n"
    "    parts[#parts + 1] = key(k) .. ' = ' .. inner(rawget(v, k))\n"
    "  end\n"
    "  if n + #keys > MAX then parts[#parts + 1] = '...' end\n"
    "  if #parts == 0 then return '{}' end\n"
    "  return '{ ' .. concat(parts, ', ') .. ' }'\n"
    "end\n"
    "return function(...)\n"
    "  local out = {}\n"
    "  for i = 1, select('#', ...) do out[i] = show((select(i, ...))) end\n"
    "  return concat(out, '\\t')\n"
    "end\n";

static const char help_text[] =
    "orrery " ORR_VERSION " REPL: LuaJIT with the orrery libraries.\n"
    "\n"
    "  expr, =expr       print the values of an expression\n"
    "  help()            this text; help(value) lists a value's names\n"
    "  info COMMAND      a monitor command: info mtree [-f] [-o] [-D],\n"
    "                    info qom-tree\n"
    "  Tab               complete a global or a field (a.b.<Tab>, "
    "a:<Tab>)\n"
    "  Ctrl-C            interrupt the running chunk, or discard the line\n"
    "  Ctrl-D            leave (os.exit(code) leaves with a status)\n"
    "\n"
    "A statement may span lines: the prompt '" PROMPT_MORE "' asks for "
    "more.\n"
    "History is kept in $ORRERY_HISTORY (default ~/.orrery_history).\n"
    "The JIT compiler is off in the REPL, so that Ctrl-C can stop any "
    "loop;\n"
    "jit.on() trades that for speed.\n";

/* --- help() ------------------------------------------------------------ */

/* Prints @names as a comma-separated list, wrapped at 78 columns. */
static void print_names(GPtrArray *names)
{
    size_t column = 2;

    fputs("  ", stdout);
    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];
        size_t len = strlen(name) + (i + 1 < names->len ? 2 : 0);

        if (column > 2 && column + len > 78) {
            fputs("\n  ", stdout);
            column = 2;
        }
        fprintf(stdout, "%s%s", name, i + 1 < names->len ? ", " : "\n");
        column += len;
    }
}

static OrrReplDescriber describer;

void orr_repl_set_describer(OrrReplDescriber fn)
{
    describer = fn;
}

/*
 * help([value])  [-0, +0, e]
 * With no argument, prints what the REPL offers. With one, prints the
 * value's type and the names that completion offers for it.
 */
static int repl_help(lua_State *L)
{
    g_autoptr(GPtrArray) names = NULL;

    if (lua_gettop(L) == 0) {
        fputs(help_text, stdout);
        return 0;
    }
    lua_settop(L, 1);
    names = orr_repl_names(L, 1);
    fprintf(stdout, "%s%s\n", luaL_typename(L, 1),
            names->len > 0 ? " with names:" : " with no names");
    if (names->len > 0) {
        print_names(names);
    }
    char *more = describer != NULL ? describer(L, 1) : NULL;
    if (more != NULL) {
        fputs(more, stdout);
        g_free(more);
    }
    return 0;
}

/* --- Reading chunks ---------------------------------------------------- */

/* Whether a failed compilation stopped at the end of the text. */
static bool is_incomplete(lua_State *L, int status)
{
    const char *msg;

    if (status != LUA_ERRSYNTAX) {
        return false;
    }
    msg = lua_tostring(L, -1);
    return msg != NULL &&
           (g_str_has_suffix(msg, "<eof>") || g_str_has_suffix(msg, "<eof>'"));
}

static int load(lua_State *L, const char *code)
{
    return luaL_loadbuffer(L, code, strlen(code), CHUNKNAME);
}

/* Compiles @expr as an expression chunk (see the top of the file). */
static int load_expr(lua_State *L, const char *expr)
{
    g_autofree char *code = g_strconcat("return (...)(", expr, "\n)", NULL);

    return load(L, code);
}

/*
 * Compiles @code as an expression list or, unless @expr_only, as
 * statements. Pushes the chunk and returns READ_EXPR or READ_CHUNK; or
 * pushes an error message and returns READ_NONE, with *@more set if the
 * text ended too soon for either form (then the message is that form's).
 */
static ReadResult compile(lua_State *L, const char *code, bool expr_only,
                          bool *more)
{
    g_autofree char *ret = g_strconcat("return ", code, NULL);
    int status;

    if (load_expr(L, code) == 0) {
        return READ_EXPR;
    }
    lua_pop(L, 1);
    /* The wrapper's ")" would hide an <eof>: ask "return <code>". */
    *more = is_incomplete(L, load(L, ret));
    if (expr_only) {
        return READ_NONE;
    }
    status = load(L, code);
    if (status == 0) {
        lua_remove(L, -2);
        return READ_CHUNK;
    }
    if (*more && !is_incomplete(L, status)) {
        lua_pop(L, 1); /* keep the expression's message */
    } else {
        *more = *more || is_incomplete(L, status);
        lua_remove(L, -2); /* keep the statements' message */
    }
    return READ_NONE;
}

/* A monitor command: "info" and a word, on a first line that is not Lua.
 * Returns what follows "info", or NULL. */
static const char *info_args(lua_State *L, const char *line)
{
    const char *p = line + strspn(line, " \t");
    bool more = false;

    if (strncmp(p, "info", 4) != 0 || (p[4] != ' ' && p[4] != '\t')) {
        return NULL;
    }
    p += 4 + strspn(p + 4, " \t");
    if (*p == '\0') {
        return NULL;
    }
    if (compile(L, line, false, &more) != READ_NONE) {
        lua_pop(L, 1);
        return NULL; /* Lua, e.g. "info = 1" */
    }
    lua_pop(L, 1);
    return p;
}

/*
 * Compiles @first (see compile()), reading more lines while it is
 * incomplete. @first is the first line, already in the history.
 */
static ReadResult read_more(Repl *r, const char *first, bool expr_only)
{
    g_autoptr(GString) chunk = g_string_new(first);

    for (;;) {
        g_autofree char *line = NULL;
        bool more = false;
        ReadResult rr = compile(r->L, chunk->str, expr_only, &more);
        OrrLineStatus st;

        if (rr != READ_NONE) {
            return rr;
        }
        if (!more) {
            orr_run_report(r->L);
            return READ_NONE;
        }
        st = orr_line_reader_read(r->reader, PROMPT_MORE, &line);
        if (st == ORR_LINE_INTERRUPT) {
            lua_pop(r->L, 1);
            return READ_NONE;
        }
        if (st == ORR_LINE_EOF) {
            orr_run_report(r->L); /* say what was missing */
            return READ_EOF;
        }
        lua_pop(r->L, 1);
        orr_line_reader_remember(r->reader, line);
        g_string_append_c(chunk, '\n');
        g_string_append(chunk, line);
    }
}

static ReadResult read_chunk(Repl *r)
{
    g_autofree char *line = NULL;
    const char *args;
    OrrLineStatus st = orr_line_reader_read(r->reader, PROMPT, &line);

    if (st == ORR_LINE_EOF) {
        return READ_EOF;
    }
    if (st == ORR_LINE_INTERRUPT) {
        return READ_NONE;
    }
    orr_line_reader_remember(r->reader, line);
    if (line[strspn(line, " \t")] == '\0') {
        return READ_NONE;
    }
    if ((args = info_args(r->L, line)) != NULL) {
        orr_host_info(r->L, args);
        fflush(stdout);
        return READ_NONE;
    }
    if (line[0] == '=') {
        return read_more(r, line + 1, true);
    }
    return read_more(r, line, false);
}

/* --- Running them ------------------------------------------------------ */

/* The argument of expression chunks: returns its arguments. */
static int identity(lua_State *L)
{
    return lua_gettop(L);
}

/* Runs the chunk on the top (an expression chunk if @expr) and prints the
 * values it returns. */
static OrrRunStatus run_and_print(Repl *r, bool expr)
{
    lua_State *L = r->L;
    int base = lua_gettop(L) - 1;
    OrrRunStatus st;
    int n;

    if (expr) {
        lua_pushcfunction(L, identity);
    }
    st = orr_run_call(L, expr ? 1 : 0, LUA_MULTRET);
    n = lua_gettop(L) - base;

    if (st == ORR_RUN_OK && n > 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, r->printer);
        lua_insert(L, base + 1);
        st = orr_run_call(L, n, 1);
        if (st == ORR_RUN_OK && lua_isstring(L, -1)) {
            fprintf(stdout, "%s\n", lua_tostring(L, -1));
        }
    }
    fflush(stdout);
    lua_settop(L, base);
    return st;
}

static void repl_init(Repl *r, lua_State *L)
{
    const char *env = g_getenv("ORRERY_HISTORY");
    g_autofree char *history = NULL;
    int status;

    r->L = L;
    luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_OFF);
    lua_pushcfunction(L, repl_help);
    lua_setglobal(L, "help");
    status = luaL_loadbuffer(L, printer_source, sizeof(printer_source) - 1,
                             "=printer");
    g_assert(status == 0);
    lua_call(L, 0, 1);
    r->printer = luaL_ref(L, LUA_REGISTRYINDEX);

    if (env == NULL) {
        history = g_build_filename(g_get_home_dir(), ".orrery_history", NULL);
    } else if (*env != '\0') {
        history = g_strdup(env);
    }
    r->reader = orr_line_reader_new(L, history);
}

int orr_repl_run(lua_State *L)
{
    Repl r;
    int status = 0;
    ReadResult rr;

    repl_init(&r, L);
    orr_run_watch_sigint(); /* Ctrl-C never ends the REPL */
    if (isatty(fileno(stdin))) {
        fprintf(stdout, "orrery %s (%s). help() for help, Ctrl-D to leave.\n",
                ORR_VERSION, LUAJIT_VERSION);
    }
    while ((rr = read_chunk(&r)) != READ_EOF) {
        if (rr == READ_CHUNK || rr == READ_EXPR) {
            run_and_print(&r, rr == READ_EXPR);
            orr_host_safe_point(L);
        }
        if (orr_run_exit_requested(&status)) {
            break;
        }
    }
    orr_run_unwatch_sigint();
    orr_line_reader_free(r.reader);
    luaL_unref(L, LUA_REGISTRYINDEX, r.printer);
    return status;
}
