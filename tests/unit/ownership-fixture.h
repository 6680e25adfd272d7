/*
 * orrery unit tests — the fixture that the memory ownership tests share:
 * test devices that own regions, and helpers that build and inspect maps
 * of them. Every helper fails the running test on an unexpected error;
 * arguments are borrowed.
 *
 * Test types (all with the same instance struct, MoDev):
 *   mo-base          abstract device; its realize can create its regions,
 *                    map its box into a container of another owner, map a
 *                    region of another owner into its box, add a region
 *                    "late", and fail; its instance_finalize checks that
 *                    its regions are still intact.
 *   mo-dev           creates "box" (64 KiB container), "ram" (4 KiB RAM)
 *                    and "regs" (256 bytes MMIO) in instance_init; the
 *                    helpers map ram at 0 and regs at 0x1000 in box.
 *   mo-late-dev      creates and maps the same regions in realize.
 *   mo-init-map-dev  an mo-dev that maps ram into box in instance_post_init.
 * The MMIO callbacks of "regs" can unmap regs and unparent the device.
 * A finalize hook logs "finalize <label>" for each of these devices (and,
 * when asked, "finalize <path>" for regions).
 */
#ifndef ORRERY_TEST_OWNERSHIP_FIXTURE_H
#define ORRERY_TEST_OWNERSHIP_FIXTURE_H

#include "test-util.h"

#define TYPE_BASE "mo-base"
#define TYPE_DEV "mo-dev"
#define TYPE_LATE_DEV "mo-late-dev"
#define TYPE_INIT_MAP_DEV "mo-init-map-dev"

#define OBJ(x) ((OrrObject *)(x))

#define BOX_SIZE 0x10000
#define RAM_SIZE 0x1000
#define REGS_AT 0x1000
#define REGS_SIZE 0x100
#define REGS_VALUE 0x77

typedef struct MoDev {
    OrrDevice parent_obj;
    char label[16];
    OrrMemoryRegion *box;  /* NOREF: our child "box" */
    OrrMemoryRegion *ram;  /* NOREF: our child "ram" */
    OrrMemoryRegion *regs; /* NOREF: our child "regs" */
    /* What realize does. */
    OrrMemoryRegion *map_box_into; /* NOREF: map box there */
    uint64_t map_box_at;
    OrrMemoryRegion *pull_in; /* NOREF: map it into box */
    uint64_t pull_in_at;
    bool add_late; /* a RAM "late" next to box */
    bool fail_realize;
    /* What an access to regs does: unmap regs, unparent the device, then
     * read @nested_addr of @nested_as (if set). */
    bool drop_self;
    OrrAddressSpace *nested_as; /* NOREF */
    uint64_t nested_addr;
    /* instance_post_init of mo-init-map-dev */
    bool init_mapped;
    char init_error[160];
} MoDev;

/* What the last drop_self callback saw; the device may be gone since.
 * mo_begin() clears it. */
typedef struct MoDropSeen {
    guint runs;
    bool finalized_during; /* some mo-base device was finalized */
    bool whole;            /* the device and regs were intact */
    OrrMemTxResult nested_res;
    uint64_t nested_val;
} MoDropSeen;

extern MoDropSeen mo_cb;
/* mo-base devices finalized so far in this process (never reset). */
extern guint mo_dev_finalized;
/* Whether the finalize hook also logs regions; mo_begin() and mo_end()
 * clear it. */
extern bool mo_log_regions;

/* Registers the test types and the finalize hook; call once in main(),
 * after orr_memory_init(). */
void mo_register_types(void);

/* Starts a test: clears the log, mo_cb and mo_log_regions. */
void mo_begin(void);

/* Ends a test: clears the log and mo_log_regions, then fails the test if
 * the cycle finder reports anything or any object is still alive. */
void mo_end(void);

/* Unmaps @sub from its container @c; fails the test if that is refused.
 * A reference the mapping held on @sub's unit goes with it. */
void mo_unmap(OrrMemoryRegion *c, OrrMemoryRegion *sub);

/* Whether the registry lists a holder of @obj that starts with @prefix
 * (read through orr_live_list(), as a leak report would). @obj is only
 * compared, never dereferenced, so it may be gone. */
bool mo_has_holder(const void *obj, const char *prefix);

/* Returns: (transfer full): the cycles orr_live_find_cycles() finds, one
 * per line ("\n"-terminated), edges joined with " | "; "" for none. */
char *mo_cycles_text(void);

#define mo_assert_cycles(expected)                                             \
    do {                                                                       \
        g_autofree char *c_ = mo_cycles_text();                                \
        g_assert_cmpstr(c_, ==, (expected));                                   \
    } while (0)

/* Returns: (transfer full): @as's flat view as "start-last owner.region"
 * items (hex), ' ' separated; the owner is shown by a device's label or
 * an object's (last) name, "-" for none. */
char *mo_flat_text(OrrAddressSpace *as);

#define mo_assert_flat(as, expected)                                           \
    do {                                                                       \
        g_autofree char *f_ = mo_flat_text(as);                                \
        g_assert_cmpstr(f_, ==, (expected));                                   \
    } while (0)

/* Returns: (transfer none): a new plain container added to @parent as
 * @name, held by @parent only. */
OrrObject *mo_add_container(OrrObject *parent, const char *name);

/* A board: a plain container with a 2^64 "sysmem" and an address space
 * "memory" over it, made after construction (machine-like, without the
 * machine type). */
typedef struct MoBoard {
    OrrObject *obj;          /* NOREF: held by the root */
    OrrMemoryRegion *sysmem; /* NOREF: obj's child "sysmem" */
    OrrAddressSpace *memory; /* NOREF: obj's child "memory" */
} MoBoard;

/* Returns: a new board under the root as @name; the root holds the board,
 * which holds the rest (all three pointers are borrowed). */
MoBoard mo_add_board(const char *name);

/* Returns: (transfer full): a new device of @type labelled @label (copied),
 * held by the caller only. An mo-dev has ram and regs mapped in its box,
 * unless its instance_post_init mapped ram already. */
MoDev *mo_dev_new(const char *type, const char *label);

/* Returns: (transfer none): a new device of @type labelled and added to
 * @parent as @name, held by @parent only (the reference from
 * mo_dev_new() is dropped). */
MoDev *mo_dev_add(OrrObject *parent, const char *type, const char *name);

/* Realizes @td; fails the test if that fails. */
void mo_realize_ok(MoDev *td);

#endif /* ORRERY_TEST_OWNERSHIP_FIXTURE_H */
