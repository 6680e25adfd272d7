/*
 * orrery host — the hooks through which the host program meets the parts
 * built on top of it (the object-model binding, the leak report, the
 * monitor commands). All are defined in host-libs.c.
 */
#ifndef ORRERY_HOST_H
#define ORRERY_HOST_H

#include <lua.h>

/**
 * OrrLeakCheck:
 * @ORR_LEAK_CHECK_OFF: no check.
 * @ORR_LEAK_CHECK_WARN: report leaks on stderr; the exit status is kept.
 * @ORR_LEAK_CHECK_FATAL: report leaks, and exit with status 1 if any.
 *
 * What the host does with leaked objects when a Lua state ends
 * (`--leak-check=off|warn|fatal`; warn by default, fatal under --test).
 */
typedef enum OrrLeakCheck {
    ORR_LEAK_CHECK_OFF,
    ORR_LEAK_CHECK_WARN,
    ORR_LEAK_CHECK_FATAL,
} OrrLeakCheck;

/**
 * orr_host_open_libs:
 * @L: a fresh state.
 *
 * Opens every library the host offers on @L: the standard libraries, and
 * the modules built into the host, which register themselves in
 * `package.preload`. The host requires "orrery" afterwards (and makes it
 * the global `orrery`) if that module can be found, in `package.preload`
 * or on `package.path`/`package.cpath`.
 *
 * Called once per state, before any script runs. Raises no Lua error.
 */
void orr_host_open_libs(lua_State *L);

/**
 * orr_host_safe_point:
 * @L: the host's state, with no Lua code running.
 *
 * Called after each top-level chunk: every -e chunk, every script, every
 * REPL line. The place where work deferred out of `__gc` (queued releases)
 * is done. Raises no Lua error.
 */
void orr_host_safe_point(lua_State *L);

/**
 * orr_host_leak_check:
 * @L: the host's state, still open, with no Lua code running.
 * @mode: %ORR_LEAK_CHECK_WARN or %ORR_LEAK_CHECK_FATAL (the host does not
 *   call it for %ORR_LEAK_CHECK_OFF).
 *
 * Called once when the host is done with @L, before lua_close(). Reports
 * objects still alive on stderr. Raises no Lua error.
 *
 * Returns: non-zero if something leaked.
 */
int orr_host_leak_check(lua_State *L, OrrLeakCheck mode);

/**
 * orr_host_info:
 * @L: the REPL's state, with no Lua code running.
 * @args: (transfer none): what followed "info " on the REPL line, with
 *   leading blanks removed, e.g. "mtree -f".
 *
 * Runs a monitor command typed in the REPL (`info mtree`, `info qom-tree`)
 * and prints its output on stdout, or a message on stderr. Raises no Lua
 * error.
 */
void orr_host_info(lua_State *L, const char *args);

#endif /* ORRERY_HOST_H */
