/*
 * orrery unit tests — shared helpers: set-up, the zero-live-objects check
 * every test ends with, and an event log for checking orders.
 */
#ifndef ORRERY_TEST_UTIL_H
#define ORRERY_TEST_UTIL_H

#include "orrery/orrery.h"

/* Initializes GTest and the core; call first in main(). */
void orr_test_init(int *argc, char ***argv);

/* Fails the test, printing the live-object report, if any object that the
 * registry lists is still alive. */
void orr_test_assert_no_live_objects(void);

/* Event log: tests append short strings ("finalize a") and compare the
 * whole sequence, joined with ", ", at once. */
void orr_test_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Returns: (transfer full): the log joined with ", "; clears the log. */
char *orr_test_log_take(void);
void orr_test_log_clear(void);

#define orr_test_assert_log(expected)                                          \
    do {                                                                       \
        g_autofree char *log_ = orr_test_log_take();                           \
        g_assert_cmpstr(log_, ==, (expected));                                 \
    } while (0)

#endif /* ORRERY_TEST_UTIL_H */
