/*
 * orrery host — running Lua chunks: the message handler, error reports,
 * Ctrl-C and the host's os.exit.
 */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <lauxlib.h>
#include "run.h"

/*
 * Ctrl-C. The SIGINT handler cannot run Lua code; as in lua.c it sets a
 * count hook on the running state, and the hook raises the error the next
 * time the interpreter executes an instruction. Compiled traces never call
 * hooks, which is why the REPL runs with the JIT off. The handler also
 * puts back the default action, so that a second Ctrl-C ends a process
 * stuck where the hook cannot reach.
 *
 * os.exit. The host's os.exit records the status and raises a sentinel
 * (a light userdata naming exit_sentinel) that the message handler passes
 * through untouched; orr_run_call() turns it into ORR_RUN_EXIT.
 */

static volatile sig_atomic_t got_sigint;
static lua_State *volatile running;   /* NOREF: set only during a call */
static struct sigaction saved_action; /* before the outermost watch */
static int watch_depth;

static char exit_sentinel; /* its address is the sentinel */
static bool exit_requested;
static int exit_status;

/* Raises "file:line: interrupted!" in the code that was running. */
static void stop_hook(lua_State *L, lua_Debug *ar)
{
    lua_sethook(L, NULL, 0, 0);
    if (lua_getinfo(L, "Sl", ar) != 0 && ar->currentline > 0) {
        lua_pushfstring(L, "%s:%d: interrupted!", ar->short_src,
                        ar->currentline);
    } else {
        lua_pushliteral(L, "interrupted!");
    }
    lua_error(L);
}

static void on_sigint(int sig)
{
    lua_State *L = running;

    got_sigint = 1;
    signal(sig, SIG_DFL);
    if (L != NULL) {
        lua_sethook(L, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT,
                    1);
    }
}

/* Installs on_sigint, keeping the action it replaces in @old. */
static void arm(struct sigaction *old)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a blocking read returns EINTR */
    sigaction(SIGINT, &sa, old);
}

void orr_run_watch_sigint(void)
{
    got_sigint = 0;
    arm(watch_depth++ == 0 ? &saved_action : NULL);
}

bool orr_run_unwatch_sigint(void)
{
    bool got = got_sigint != 0;

    g_assert(watch_depth > 0);
    if (--watch_depth == 0) {
        sigaction(SIGINT, &saved_action, NULL);
    } else {
        arm(NULL); /* a signal put back the default action */
    }
    got_sigint = 0;
    return got;
}

/* --- os.exit ----------------------------------------------------------- */

/*
 * os.exit([code [, close]])  [-0, +0, v]
 * The host's os.exit, see orr_run_init(). Never returns.
 */
static int host_exit(lua_State *L)
{
    int status;

    if (lua_isboolean(L, 1)) {
        status = lua_toboolean(L, 1) ? EXIT_SUCCESS : EXIT_FAILURE;
    } else {
        status = (int)luaL_optinteger(L, 1, EXIT_SUCCESS);
    }
    if (!exit_requested) {
        exit_requested = true;
        exit_status = status;
    }
    lua_pushlightuserdata(L, &exit_sentinel);
    return lua_error(L);
}

void orr_run_init(lua_State *L)
{
    lua_getglobal(L, "os");
    if (lua_istable(L, -1)) {
        lua_pushcfunction(L, host_exit);
        lua_setfield(L, -2, "exit");
    }
    lua_pop(L, 1);
}

bool orr_run_exit_requested(int *status)
{
    if (exit_requested && status != NULL) {
        *status = exit_status;
    }
    return exit_requested;
}

/* --- Calls ------------------------------------------------------------- */

static bool is_exit_sentinel(lua_State *L, int idx)
{
    return lua_type(L, idx) == LUA_TLIGHTUSERDATA &&
           lua_touserdata(L, idx) == &exit_sentinel;
}

/*
 * The message handler of orr_run_call(): the error message (or what
 * __tostring makes of an error object) followed by a traceback. The exit
 * sentinel passes through.
 */
static int message_handler(lua_State *L)
{
    const char *msg;

    if (is_exit_sentinel(L, 1)) {
        return 1;
    }
    msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") &&
            lua_type(L, -1) == LUA_TSTRING) {
            msg = lua_tostring(L, -1);
        } else {
            msg = lua_pushfstring(L, "(error object is a %s value)",
                                  luaL_typename(L, 1));
        }
    }
    luaL_traceback(L, L, msg, 1);
    return 1;
}

void orr_run_report(lua_State *L)
{
    const char *msg = lua_tostring(L, -1);

    fflush(stdout);
    fprintf(stderr, "%s\n", msg ? msg : "(error object is not a string)");
    fflush(stderr);
    lua_pop(L, 1);
}

OrrRunStatus orr_run_call(lua_State *L, int nargs, int nresults)
{
    int base = lua_gettop(L) - nargs; /* the function */
    int status;

    g_assert(running == NULL);
    lua_pushcfunction(L, message_handler);
    lua_insert(L, base);
    orr_run_watch_sigint();
    running = L;
    status = lua_pcall(L, nargs, nresults, base);
    running = NULL;
    if (lua_gethook(L) == stop_hook) {
        lua_sethook(L, NULL, 0, 0); /* SIGINT came after the last hook */
    }
    orr_run_unwatch_sigint();
    lua_remove(L, base);
    if (status != 0) {
        if (!is_exit_sentinel(L, -1)) {
            orr_run_report(L);
        } else {
            lua_pop(L, 1);
        }
        return exit_requested ? ORR_RUN_EXIT : ORR_RUN_ERROR;
    }
    if (exit_requested) {
        lua_settop(L, base - 1); /* os.exit was caught by a pcall */
        return ORR_RUN_EXIT;
    }
    return ORR_RUN_OK;
}

bool orr_run_load_file(lua_State *L, const char *path)
{
    if (path != NULL && strcmp(path, "-") == 0) {
        path = NULL;
    }
    if (luaL_loadfile(L, path) != 0) {
        orr_run_report(L);
        return false;
    }
    return true;
}

bool orr_run_load_string(lua_State *L, const char *code, const char *chunkname)
{
    if (luaL_loadbuffer(L, code, strlen(code), chunkname) != 0) {
        orr_run_report(L);
        return false;
    }
    return true;
}
