/*
 * orrery unit tests — the fixture of the dispatch tests: checks of an
 * access's result and value, a recording device, and makers of maps.
 * Every maker fails the running test on an unexpected error.
 */
#ifndef ORRERY_TEST_DISPATCH_FIXTURE_H
#define ORRERY_TEST_DISPATCH_FIXTURE_H

#include "orrery/orrery.h"

/* --- Checks --------------------------------------------------------------- */

/* Compares two OrrMemTxResults by name, so that a failure shows both. */
#define assert_tx(expr, expected)                                              \
    g_assert_cmpstr(orr_memtx_result_name(expr), ==,                           \
                    orr_memtx_result_name(expected))

/* A sized read: its result and value (the value is preset to garbage so
 * that a failed read must really store the fill value). */
#define assert_read(as, addr, size, result, expected)                          \
    do {                                                                       \
        uint64_t v_ = UINT64_C(0xdeadbeefdeadbeef);                            \
        assert_tx(orr_address_space_read((as), (addr), (size), &v_),           \
                  (result));                                                   \
        g_assert_cmphex(v_, ==, (expected));                                   \
    } while (0)

/* A sized write and its result. */
#define assert_write(as, addr, size, value, result)                            \
    assert_tx(orr_address_space_write((as), (addr), (size), (value)), (result))

/* The printf conversion of a uint64_t in hex. */
#define X64 "%" G_GINT64_MODIFIER "x"

/* --- A recording device --------------------------------------------------- */

/*
 * A register file of bytes in the device's own byte order: register
 * (offset, size) is mem[offset .. offset + size) read as a little- or
 * big-endian number. Whatever the byte order and however an access is
 * split or widened, the bus bytes of an access must then be the bytes of
 * mem at the same offsets. Every call is logged ("r off/size",
 * "w off/size=value", "a off/size/r|w" for accepts()).
 */
typedef struct RecDev {
    OrrEndian endian;
    bool refuse_all;
    bool refuse_writes;
    bool refuse_at; /* refuse accesses at @refuse_offset */
    uint64_t refuse_offset;
    uint8_t mem[256];
} RecDev;

/* The device's OrrMemoryOps callbacks; @opaque is the RecDev, borrowed
 * (NOREF: the test that maps the device keeps it alive, usually on its
 * stack, until the device's region is gone). An access past mem fails
 * the test. */
uint64_t disp_rec_read(void *opaque, uint64_t offset, unsigned size);
void disp_rec_write(void *opaque, uint64_t offset, uint64_t value,
                    unsigned size);
/* Refuses what the RecDev's refuse_* fields say. */
bool disp_rec_accepts(void *opaque, uint64_t offset, unsigned size,
                      bool is_write);

/* Full-width little-endian registers, no accepts(). */
extern const OrrMemoryOps disp_ops_le8;
/* The same with disp_rec_accepts(). */
extern const OrrMemoryOps disp_ops_accepts;

/* --- Building maps -------------------------------------------------------- */

/* Returns: (transfer none): a new container object added to the root as
 * @name, held by the root only (disp_finish() drops it); clears the log. */
OrrObject *disp_new_owner(const char *name);

/* Returns: (transfer none): a new container object added to @parent as
 * @name, held by @parent only. */
OrrObject *disp_new_child_owner(OrrObject *parent, const char *name);

/* An MMIO region, as orr_memory_region_new_io() makes it: (transfer none)
 * with an owner, full without. @ops and @opaque are borrowed and must
 * outlive the region. */
OrrMemoryRegion *disp_io(OrrObject *owner, const char *name, uint64_t size,
                         const OrrMemoryOps *ops, void *opaque);

/* Returns: (transfer none): @mr's host backing, valid for @mr's life;
 * fails the test if @mr has none. */
uint8_t *disp_host(OrrMemoryRegion *mr);

/* Unparents @o, dropping its parent's reference (the last one of an owner
 * from disp_new_owner()), clears the log and fails the test if any object is
 * still alive. */
void disp_finish(OrrObject *o);

#endif /* ORRERY_TEST_DISPATCH_FIXTURE_H */
