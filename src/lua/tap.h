/*
 * orrery host — the TAP watcher of `orrery --test`: reads the TAP a test
 * script prints and decides whether the script passed.
 */
#ifndef ORRERY_TAP_H
#define ORRERY_TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>
#include <lua.h>

typedef struct OrrTap OrrTap;

/**
 * orr_tap_new:
 *
 * Returns: (transfer full): a watcher that has seen nothing yet; free with
 *   orr_tap_free().
 */
OrrTap *orr_tap_new(void);

/**
 * orr_tap_free:
 * @tap: (nullable) (transfer full): a watcher.
 */
void orr_tap_free(OrrTap *tap);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(OrrTap, orr_tap_free)

/**
 * orr_tap_feed:
 * @tap: a watcher.
 * @data: (transfer none): bytes written to stdout.
 * @len: their length.
 *
 * Reads TAP output, in pieces of any size. Only lines at column 0 count:
 * a plan "1..N", test lines "ok ..." and "not ok ..." (a failure unless
 * its directive is "# TODO"), and "Bail out!". Other lines are ignored.
 */
void orr_tap_feed(OrrTap *tap, const char *data, size_t len);

/**
 * orr_tap_finish:
 * @tap: a watcher.
 * @name: the script's name, for the message.
 *
 * Ends the stream. A stream without TAP passes; otherwise it fails if a
 * test failed, it bailed out, tests ran without a plan, or the number of
 * tests differs from the plan. The reason is printed on stderr.
 *
 * Returns: whether the script passed.
 */
bool orr_tap_finish(OrrTap *tap, const char *name);

/**
 * orr_tap_install:
 * @L: a state with the standard libraries open.
 * @tap: (transfer none): the watcher, which must outlive @L.
 *
 * Makes `print`, `io.write` and the `write` method of files feed @tap with
 * what they write to stdout (the file `io.stdout` was when this was called,
 * by any name). Output written to stdout by C code is not seen.
 */
void orr_tap_install(lua_State *L, OrrTap *tap);

#endif /* ORRERY_TAP_H */
