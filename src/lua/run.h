/*
 * orrery host — running Lua chunks for the host and the REPL: tracebacks,
 * error reports, Ctrl-C, and os.exit.
 */
#ifndef ORRERY_RUN_H
#define ORRERY_RUN_H

#include <stdbool.h>
#include <lua.h>

/**
 * OrrRunStatus:
 * @ORR_RUN_OK: the chunk returned.
 * @ORR_RUN_ERROR: it raised an error, already reported on stderr.
 * @ORR_RUN_EXIT: it called os.exit(); see orr_run_exit_requested().
 */
typedef enum OrrRunStatus {
    ORR_RUN_OK,
    ORR_RUN_ERROR,
    ORR_RUN_EXIT,
} OrrRunStatus;

/**
 * orr_run_init:
 * @L: a state with the standard libraries open.
 *
 * Replaces `os.exit` on @L by the host's: os.exit([code]) records the
 * status (true or none: 0, false: 1, or the number) and unwinds the running
 * chunk instead of ending the process, so that the host still drains, runs
 * the leak check and closes the state before it exits with that status.
 * A `pcall` that catches the unwinding does not cancel the request: the host
 * ends when the top-level chunk returns. The second argument (`close`) is
 * ignored: the host always closes the state.
 *
 * The host runs one Lua state per process (--test forks one process per
 * file): the request is process-wide.
 */
void orr_run_init(lua_State *L);

/**
 * orr_run_exit_requested:
 * @status: (out) (optional): where to store the requested exit status.
 *
 * Returns: whether os.exit() was called.
 */
bool orr_run_exit_requested(int *status);

/**
 * orr_run_call:
 * @L: the state, with a function and @nargs arguments on the top.
 * @nargs: the number of arguments.
 * @nresults: results wanted, or LUA_MULTRET.
 *
 * Calls the function in protected mode, with a traceback added to any
 * error, and with Ctrl-C (SIGINT) stopping it with the error
 * "interrupted!" (a second Ctrl-C before the running Lua code reaches the
 * interpreter, e.g. in a JIT-compiled loop or a long C call, ends the
 * process, as in lua.c). Errors are reported on stderr as
 * "file:line: message" followed by the traceback. Calls do not nest.
 *
 * Returns: %ORR_RUN_OK with the results pushed in place of the function and
 *   its arguments; otherwise nothing is left in their place.
 */
OrrRunStatus orr_run_call(lua_State *L, int nargs, int nresults);

/**
 * orr_run_load_file:
 * @L: the state.
 * @path: (nullable): a Lua source or bytecode file, or %NULL (or "-") for
 *   stdin, whose chunk is then named "stdin".
 *
 * Compiles a file and pushes its chunk; or reports why it could not
 * ("cannot open ...", or "file:line: message" for a syntax error) on
 * stderr and pushes nothing.
 *
 * Returns: whether the chunk was pushed.
 */
bool orr_run_load_file(lua_State *L, const char *path);

/**
 * orr_run_load_string:
 * @L: the state.
 * @code: (transfer none): Lua source.
 * @chunkname: the chunk name, as for luaL_loadbuffer().
 *
 * Like orr_run_load_file(), for a string.
 *
 * Returns: whether the chunk was pushed.
 */
bool orr_run_load_string(lua_State *L, const char *code, const char *chunkname);

/**
 * orr_run_report:
 * @L: the state, with an error message on the top.
 *
 * Prints the message on stderr (after flushing stdout, so that the two
 * streams interleave in order on a terminal) and pops it.
 */
void orr_run_report(lua_State *L);

/**
 * orr_run_watch_sigint:
 *
 * Catches SIGINT from now on: a signal only sets a flag (and stops the
 * running Lua code when orr_run_call() is running), and interrupts a
 * blocking read with EINTR. Pair with orr_run_unwatch_sigint(). Calls
 * nest: the REPL watches for its whole run, so that a Ctrl-C between two
 * chunks does not end the process, and each chunk watches again.
 */
void orr_run_watch_sigint(void);

/**
 * orr_run_unwatch_sigint:
 *
 * Ends the innermost watch: the outermost restores the SIGINT action that
 * orr_run_watch_sigint() replaced.
 *
 * Returns: whether a SIGINT arrived since the innermost watch began.
 */
bool orr_run_unwatch_sigint(void);

#endif /* ORRERY_RUN_H */
