/*
 * orrery host — the `orrery` program: the command line, scripts, -e
 * chunks, --test, and the REPL.
 */
#define _POSIX_C_SOURCE 200809L /* fork, waitpid, isatty */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <lauxlib.h>
#include "host-config.h"
#include "host.h"
#include "repl.h"
#include "run.h"
#include "tap.h"

/*
 * Exit status: 0 on success; 1 when a script or an -e chunk raised an
 * error, a test file failed, or objects leaked with --leak-check=fatal;
 * the status given to os.exit(); 2 for a usage error.
 *
 * Every state goes the same way: orr_host_open_libs(), the host's os.exit
 * (run.h), under --test the TAP watcher (tap.h), the global `arg`,
 * require("orrery") if the module exists, the chunks (each followed by
 * orr_host_safe_point()), the REPL if asked, then orr_host_leak_check()
 * and lua_close(). With -i, the exit status is the REPL's.
 *
 * --test runs each FILE in a process of its own (a fork, with a fresh
 * state): the object model's registries are process-wide, so a file never
 * sees the types and objects of another, and each leak check sees only its
 * own file. A file fails if it raises an error, calls os.exit() with a
 * non-zero status, prints failing TAP (see tap.h), or leaks with
 * --leak-check=fatal, the default under --test. The host prints nothing
 * on stdout itself, so the TAP stays clean; its reports go to stderr.
 */

#define EXIT_USAGE 2

typedef struct Options {
    GPtrArray *chunks; /* const char*, -e CODE; NOREF: argv's */
    bool interactive;  /* -i */
    bool test;         /* --test */
    bool leak_set;     /* --leak-check was given */
    OrrLeakCheck leak;
    int script; /* argv index of FILE (of the first test file), 0: none */
} Options;

static const char usage_text[] =
    "Usage: orrery [OPTIONS] [FILE [ARGS...]]\n"
    "       orrery [OPTIONS] --test FILE...\n"
    "\n"
    "Runs the -e chunks, then FILE ('-' for stdin) with ARGS in the global\n"
    "'arg' (arg[0] is FILE). With neither FILE nor -e: the REPL if stdin is\n"
    "a terminal, else stdin as a script. The module \"orrery\" is loaded\n"
    "first, as the global 'orrery', when it can be found.\n"
    "\n"
    "Options:\n"
    "  -e CODE             run CODE; may repeat, runs in order before FILE\n"
    "  -i                  then enter the REPL, even if a chunk failed\n"
    "  --test FILE...      run each FILE as a test, in a process of its own;\n"
    "                      fail if one raises an error, prints failing TAP,\n"
    "                      exits with a non-zero status, or leaks\n"
    "  --leak-check=MODE   off, warn or fatal: what to do with objects still\n"
    "                      alive at the end (default: warn; fatal with "
    "--test)\n"
    "  --version           print the version and exit\n"
    "  --help              print this help and exit\n"
    "  --                  stop handling options\n"
    "\n"
    "Exit status: 0, 1 on an error, a failed test or a fatal leak, the code\n"
    "given to os.exit(), 2 for a usage error.\n";

/* --- The command line -------------------------------------------------- */

static int usage_error(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Prints a usage error on stderr. Returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("orrery: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\nTry 'orrery --help' for more information.\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

static bool parse_leak_check(const char *mode, OrrLeakCheck *out)
{
    static const char *const names[] = {"off", "warn", "fatal"};

    for (int i = 0; i < (int)G_N_ELEMENTS(names); i++) {
        if (strcmp(mode, names[i]) == 0) {
            *out = (OrrLeakCheck)i;
            return true;
        }
    }
    return false;
}

/* Handles one option at argv[*i] (advancing *i past its argument). Returns
 * -1 to go on, or the exit status. */
static int parse_option(int argc, char **argv, int *i, Options *o)
{
    const char *a = argv[*i];

    if (strcmp(a, "-e") == 0) {
        if (++*i == argc) {
            return usage_error("option '%s' needs an argument", a);
        }
        g_ptr_array_add(o->chunks, argv[*i]);
    } else if (strcmp(a, "-i") == 0) {
        o->interactive = true;
    } else if (strcmp(a, "--test") == 0) {
        o->test = true;
    } else if (g_str_has_prefix(a, "--leak-check=")) {
        if (!parse_leak_check(a + strlen("--leak-check="), &o->leak)) {
            return usage_error("'%s': the mode is off, warn or fatal", a);
        }
        o->leak_set = true;
    } else if (strcmp(a, "--version") == 0) {
        printf("orrery %s\n", ORR_VERSION);
        return EXIT_SUCCESS;
    } else if (strcmp(a, "--help") == 0) {
        fputs(usage_text, stdout);
        return EXIT_SUCCESS;
    } else {
        return usage_error("unknown option '%s'", a);
    }
    return -1;
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, Options *o)
{
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int status;

        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            break;
        }
        if ((status = parse_option(argc, argv, &i, o)) >= 0) {
            return status;
        }
    }
    o->script = i < argc ? i : 0;
    if (o->test && o->script == 0) {
        return usage_error("%s needs at least one FILE", "--test");
    }
    if (o->test && o->interactive) {
        return usage_error("%s cannot be combined with -i", "--test");
    }
    if (!o->leak_set) {
        o->leak = o->test ? ORR_LEAK_CHECK_FATAL : ORR_LEAK_CHECK_WARN;
    }
    return -1;
}

/* --- States ------------------------------------------------------------ */

/* The exit status that a run status stands for. */
static int status_of(OrrRunStatus st)
{
    int status = EXIT_FAILURE;

    if (st == ORR_RUN_OK) {
        return EXIT_SUCCESS;
    }
    orr_run_exit_requested(&status);
    return status;
}

/*
 * The global `arg`: arg[0] is @script, arg[1..] its @args, and arg[-n..-1]
 * the program and the options, argv[0..@first-1] (as in lua.c).
 */
static void set_arg(lua_State *L, char **argv, int first, const char *script,
                    char **args, int nargs)
{
    lua_createtable(L, nargs, first + 1);
    for (int i = 0; i < first; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - first);
    }
    lua_pushstring(L, script);
    lua_rawseti(L, -2, 0);
    for (int i = 0; i < nargs; i++) {
        lua_pushstring(L, args[i]);
        lua_rawseti(L, -2, i + 1);
    }
    lua_setglobal(L, "arg");
}

/* Whether package.searchpath finds @name on package[@field]. */
static bool on_search_path(lua_State *L, int package, const char *name,
                           const char *field)
{
    bool found;

    lua_getfield(L, package, "searchpath");
    if (!lua_isfunction(L, -1)) {
        lua_pop(L, 1);
        return false;
    }
    lua_pushstring(L, name);
    lua_getfield(L, package, field);
    found = lua_pcall(L, 2, 1, 0) == 0 && lua_isstring(L, -1);
    lua_pop(L, 1);
    return found;
}

/* Whether the value at @t is a table with a field @name. */
static bool has_field(lua_State *L, int t, const char *name)
{
    bool has;

    if (!lua_istable(L, t)) {
        return false;
    }
    lua_getfield(L, t, name);
    has = !lua_isnil(L, -1);
    lua_pop(L, 1);
    return has;
}

/* Whether require(@name) would find a module (without loading it): in
 * package.loaded, package.preload, or on package.path or package.cpath. */
static bool module_exists(lua_State *L, const char *name)
{
    int top = lua_gettop(L);
    int package = top + 1;
    bool found = false;

    lua_getglobal(L, "package");
    if (lua_istable(L, package)) {
        lua_getfield(L, package, "loaded");
        lua_getfield(L, package, "preload");
        found = has_field(L, package + 1, name) ||
                has_field(L, package + 2, name) ||
                on_search_path(L, package, name, "path") ||
                on_search_path(L, package, name, "cpath");
    }
    lua_settop(L, top);
    return found;
}

/* Loads the module "orrery" as the global `orrery`, if it exists. */
static OrrRunStatus require_orrery(lua_State *L)
{
    OrrRunStatus st;

    if (!module_exists(L, "orrery")) {
        return ORR_RUN_OK;
    }
    lua_getglobal(L, "require");
    lua_pushliteral(L, "orrery");
    st = orr_run_call(L, 1, 1);
    if (st == ORR_RUN_OK) {
        lua_setglobal(L, "orrery");
    }
    return st;
}

static lua_State *new_state(void)
{
    lua_State *L = luaL_newstate();

    if (L == NULL) {
        fprintf(stderr, "orrery: cannot create a Lua state\n");
        return NULL;
    }
    orr_host_open_libs(L);
    orr_run_init(L);
    return L;
}

/* Runs the leak check and closes @L. Returns the final exit status. */
static int close_state(lua_State *L, OrrLeakCheck mode, int status)
{
    if (mode != ORR_LEAK_CHECK_OFF && orr_host_leak_check(L, mode) != 0 &&
        mode == ORR_LEAK_CHECK_FATAL && status == EXIT_SUCCESS) {
        status = EXIT_FAILURE;
    }
    lua_close(L);
    return status;
}

/* Runs the -e chunks, then @script with @nargs arguments (if not NULL). */
static OrrRunStatus run_chunks(lua_State *L, const Options *o,
                               const char *script, char **args, int nargs)
{
    OrrRunStatus st = ORR_RUN_OK;

    for (guint i = 0; i < o->chunks->len && st == ORR_RUN_OK; i++) {
        if (!orr_run_load_string(L, o->chunks->pdata[i], "=(command line)")) {
            return ORR_RUN_ERROR;
        }
        st = orr_run_call(L, 0, 0);
        orr_host_safe_point(L);
    }
    if (st != ORR_RUN_OK || script == NULL) {
        return st;
    }
    if (!orr_run_load_file(L, script)) {
        return ORR_RUN_ERROR;
    }
    luaL_checkstack(L, nargs, "too many arguments to script");
    for (int i = 0; i < nargs; i++) {
        lua_pushstring(L, args[i]);
    }
    st = orr_run_call(L, nargs, 0);
    orr_host_safe_point(L);
    return st;
}

/* --- Modes ------------------------------------------------------------- */

/* orrery [-e CODE]... [-i] [FILE [ARGS...]] */
static int run_main(const Options *o, int argc, char **argv)
{
    lua_State *L = new_state();
    const char *script = o->script ? argv[o->script] : NULL;
    bool from_stdin = script == NULL && o->chunks->len == 0 &&
                      !o->interactive && !isatty(fileno(stdin));
    bool repl = o->interactive ||
                (script == NULL && o->chunks->len == 0 && !from_stdin);
    OrrRunStatus st;
    int status;

    if (L == NULL) {
        return EXIT_FAILURE;
    }
    if (script != NULL) {
        set_arg(L, argv, o->script, script, argv + o->script + 1,
                argc - o->script - 1);
    } else {
        set_arg(L, argv, 0, argv[0], NULL, 0);
    }
    st = require_orrery(L);
    if (st == ORR_RUN_OK) {
        st = run_chunks(L, o, from_stdin ? "-" : script, argv + o->script + 1,
                        script ? argc - o->script - 1 : 0);
    }
    status = status_of(st);
    if (repl && st != ORR_RUN_EXIT) {
        status = orr_repl_run(L);
    }
    return close_state(L, o->leak, status);
}

/* One test file, in the child process. Returns its exit status. */
static int run_test_file(const Options *o, char **argv, int file)
{
    g_autoptr(OrrTap) tap = orr_tap_new();
    lua_State *L = new_state();
    const char *script = argv[file];
    OrrRunStatus st;
    int status;

    if (L == NULL) {
        return EXIT_FAILURE;
    }
    orr_tap_install(L, tap);
    set_arg(L, argv, o->script, script, NULL, 0);
    st = require_orrery(L);
    if (st == ORR_RUN_OK) {
        st = run_chunks(L, o, script, NULL, 0);
    }
    status = status_of(st);
    fflush(stdout);
    if (st == ORR_RUN_EXIT && status != EXIT_SUCCESS) {
        fprintf(stderr, "%s: os.exit(%d)\n", script, status);
    }
    if (!orr_tap_finish(tap, script) && status == EXIT_SUCCESS) {
        status = EXIT_FAILURE;
    }
    return close_state(L, o->leak, status);
}

/* Waits for the test process @pid. Returns whether the file passed. */
static bool wait_test(pid_t pid, const char *script)
{
    int ws;

    while (waitpid(pid, &ws, 0) < 0) {
        if (errno != EINTR) {
            fprintf(stderr, "orrery: %s: waitpid: %s\n", script,
                    g_strerror(errno));
            return false;
        }
    }
    if (WIFSIGNALED(ws)) {
        fprintf(stderr, "%s: killed by signal %d\n", script, WTERMSIG(ws));
        return false;
    }
    return WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}

/*
 * orrery [-e CODE]... --test FILE... Returns the exit status; in a child
 * process, that of its file (the child returns through main()).
 */
static int run_tests(const Options *o, int argc, char **argv)
{
    int failed = 0;

    for (int i = o->script; i < argc; i++) {
        pid_t pid;

        fflush(stdout);
        fflush(stderr);
        pid = fork();
        if (pid < 0) {
            fprintf(stderr, "orrery: fork: %s\n", g_strerror(errno));
            return EXIT_FAILURE;
        }
        if (pid == 0) {
            return run_test_file(o, argv, i);
        }
        if (!wait_test(pid, argv[i])) {
            failed++;
        }
    }
    return failed > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    Options o = {0};
    int status;

    o.chunks = g_ptr_array_new();
    status = parse_args(argc, argv, &o);
    if (status < 0) {
        status = o.test ? run_tests(&o, argc, argv) : run_main(&o, argc, argv);
    }
    g_ptr_array_unref(o.chunks);
    return status;
}
