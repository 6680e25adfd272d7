/*
 * orrery unit tests — shared helpers: set-up, the zero-live-objects check
 * every test ends with, checked makers of objects and regions, the
 * holders and the flat view as text, and an event log for checking
 * orders. Every helper fails the running test on an unexpected error.
 */
#ifndef ORRERY_TEST_UTIL_H
#define ORRERY_TEST_UTIL_H

#include "orrery/orrery.h"

/* Initializes GTest and the core; call first in main(). */
void orr_test_init(int *argc, char ***argv);

/* Fails the test, printing the live-object report, if any object that the
 * registry lists is still alive. */
void orr_test_assert_no_live_objects(void);

/* Returns: (transfer full): a new object of @type; fails the test if it
 * cannot be made. */
OrrObject *orr_test_new_object(const char *type);

/* Returns: (transfer none): a new object of @type added to @parent as
 * @name, held by @parent only; fails the test if either step fails. */
OrrObject *orr_test_add_new_child(OrrObject *parent, const char *type,
                                  const char *name);

/* A new container or RAM region, as orr_memory_region_new_container() or
 * _new_ram() make it (transfer none with an owner, full without); fails
 * the test if it cannot be made. */
OrrMemoryRegion *orr_test_new_container(OrrObject *owner, const char *name,
                                        uint64_t size);
OrrMemoryRegion *orr_test_new_ram(OrrObject *owner, const char *name,
                                  uint64_t size);

/* A new address space over @root (borrowed), as orr_address_space_new()
 * makes it: (transfer none) with an owner, full without; fails the test
 * if it cannot be made. */
OrrAddressSpace *orr_test_new_address_space(OrrObject *owner, const char *name,
                                            OrrMemoryRegion *root);

/* Maps @sub into @mr at @offset; fails the test if that is refused. */
void orr_test_add_subregion(OrrMemoryRegion *mr, uint64_t offset,
                            OrrMemoryRegion *sub);

/* Returns: (transfer full): the strings in @strings joined with @sep. */
char *orr_test_join(GPtrArray *strings, const char *sep);

/* Returns: (transfer full): the holders of @obj's own count
 * (orr_object_list_holders()) joined with "|", for exact comparisons. */
char *orr_test_holders_text(OrrObject *obj);

#define orr_test_assert_holders(obj, expected)                                 \
    do {                                                                       \
        g_autofree char *holders_ = orr_test_holders_text((OrrObject *)(obj)); \
        g_assert_cmpstr(holders_, ==, (expected));                             \
    } while (0)

/* Event log: tests append short strings ("finalize a") and compare the
 * whole sequence, joined with ", ", at once. */
void orr_test_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Returns: (transfer full): the log joined with ", "; clears the log. */
char *orr_test_log_take(void);
void orr_test_log_clear(void);

/* The number of entries in the log. */
guint orr_test_log_len(void);
/* Returns: (transfer none) (nullable): entry @i, NULL past the end. */
const char *orr_test_log_get(guint i);
/* The index of the first entry equal to @entry, or -1. */
gint orr_test_log_find(const char *entry);
/* How many entries start with @prefix. */
guint orr_test_log_count_prefix(const char *prefix);
/* Returns: (transfer full): the first @n entries joined with ", ". */
char *orr_test_log_join(guint n);

/* Asserts that the log is the NULL-terminated list of entries @first, ...
 * (a failure shows both in full); the log is kept. */
void orr_test_assert_events(const char *first, ...) G_GNUC_NULL_TERMINATED;
/* The same for the log's first entries only. */
void orr_test_assert_events_prefix(const char *first,
                                   ...) G_GNUC_NULL_TERMINATED;

#define orr_test_assert_log(expected)                                          \
    do {                                                                       \
        g_autofree char *log_ = orr_test_log_take();                           \
        g_assert_cmpstr(log_, ==, (expected));                                 \
    } while (0)

/* Returns: (transfer full): @as's flat view as "start-last name" items
 * (hex), ' ' separated, "@offset" after a name when the range does not
 * start at the region's first byte and "(ro)" when read-only. */
char *orr_test_flat_text(OrrAddressSpace *as);

#define orr_test_assert_flat(as, expected)                                     \
    do {                                                                       \
        g_autofree char *flat_ = orr_test_flat_text(as);                       \
        g_assert_cmpstr(flat_, ==, (expected));                                \
    } while (0)

#endif /* ORRERY_TEST_UTIL_H */
