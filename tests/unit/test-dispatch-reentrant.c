/*
 * Unit tests for re-entrant dispatch: MMIO callbacks that access the
 * address space they were called from, change its map, unmap their own
 * region, or drop their region and its owner in the middle of an access.
 */
#include <string.h>

#include "test-util.h"
#include "dispatch-fixture.h"

/* --- Re-entrancy ---------------------------------------------------------- */

/* A mirror whose registers are read through the address space itself:
 * offset @k shows the @size bytes at @target + k. */
typedef struct Mirror {
    OrrAddressSpace *as;
    uint64_t target;
    unsigned depth;
    unsigned max_depth;
} Mirror;

static uint64_t mirror_read(void *opaque, uint64_t offset, unsigned size)
{
    Mirror *m = opaque;
    uint64_t v = 0;

    m->depth++;
    m->max_depth = MAX(m->max_depth, m->depth);
    assert_tx(orr_address_space_read(m->as, m->target + offset, size, &v),
              ORR_MEMTX_OK);
    m->depth--;
    orr_test_log("mirror r " X64 "/%u", offset, size);
    return v;
}

static void mirror_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    Mirror *m = opaque;

    m->depth++;
    m->max_depth = MAX(m->max_depth, m->depth);
    assert_tx(orr_address_space_write(m->as, m->target + offset, size, value),
              ORR_MEMTX_OK);
    m->depth--;
    orr_test_log("mirror w " X64 "/%u=" X64, offset, size, value);
}

static const OrrMemoryOps mirror_ops = {
    .read = mirror_read,
    .write = mirror_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 8},
};

static void test_reentrant_nested_access(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *r = orr_test_new_ram(o, "ram", 0x1000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    Mirror to_ram = {.target = 0x1000};
    Mirror to_dev = {.target = 0x3000};
    Mirror to_mirror = {.target = 0x4000}; /* a mirror of to_ram */

    orr_test_add_subregion(root, 0x1000, r);
    orr_test_add_subregion(root, 0x3000,
                           disp_io(o, "dev", 0x100, &disp_ops_le8, &dev));
    orr_test_add_subregion(root, 0x4000,
                           disp_io(o, "m-ram", 0x100, &mirror_ops, &to_ram));
    orr_test_add_subregion(root, 0x5000,
                           disp_io(o, "m-dev", 0x100, &mirror_ops, &to_dev));
    orr_test_add_subregion(root, 0x6000,
                           disp_io(o, "m-m", 0x100, &mirror_ops, &to_mirror));
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    to_ram.as = to_dev.as = to_mirror.as = as;

    uint8_t *h = disp_host(r);
    h[0x10] = 0x21;
    h[0x11] = 0x43;
    assert_read(as, 0x4010, 2, ORR_MEMTX_OK, 0x4321);
    orr_test_assert_log("mirror r 10/2");
    assert_write(as, 0x4020, 4, 0xcafef00d, ORR_MEMTX_OK);
    orr_test_assert_log("mirror w 20/4=cafef00d");
    assert_read(as, 0x1020, 4, ORR_MEMTX_OK, 0xcafef00d);

    /* MMIO read from inside an MMIO read. */
    dev.mem[8] = 0x99;
    assert_read(as, 0x5008, 1, ORR_MEMTX_OK, 0x99);
    orr_test_assert_log("r 8/1, mirror r 8/1");
    assert_write(as, 0x5009, 1, 0x77, ORR_MEMTX_OK);
    orr_test_assert_log("w 9/1=77, mirror w 9/1=77");
    g_assert_cmphex(dev.mem[9], ==, 0x77);

    /* Two levels deep: m-m reads m-ram, which reads the RAM. */
    assert_read(as, 0x6020, 8, ORR_MEMTX_OK, 0xcafef00d);
    orr_test_assert_log("mirror r 20/8, mirror r 20/8");
    g_assert_cmpuint(to_mirror.max_depth, ==, 1);
    g_assert_cmpuint(to_ram.max_depth, ==, 1);
    g_assert_cmpuint(to_mirror.depth + to_ram.depth, ==, 0);

    /* A byte string through the mirror, straddling into a hole. */
    uint8_t buf[8];
    memset(buf, 0x5a, sizeof buf);
    assert_tx(orr_address_space_read_bytes(as, 0x40fc, buf, 8),
              ORR_MEMTX_DECODE_ERROR);
    orr_test_log_clear();
    disp_finish(o);
}

/* A device whose first write maps new RAM at @at of @map_in. */
typedef struct Mapper {
    OrrObject *owner;
    OrrMemoryRegion *map_in;
    uint64_t at;
    OrrMemoryRegion *late;
} Mapper;

static void mapper_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    Mapper *m = opaque;

    orr_test_log("map w " X64 "/%u=" X64, offset, size, value);
    if (m->late == NULL) {
        m->late = orr_test_new_ram(m->owner, "late", 0x1000);
        disp_host(m->late)[0] = (uint8_t)value;
        orr_test_add_subregion(m->map_in, m->at, m->late);
        orr_test_log("mapped");
    }
}

static uint64_t mapper_read(void *opaque, uint64_t offset, unsigned size)
{
    orr_test_log("map r " X64 "/%u", offset, size);
    return 0;
}

static const OrrMemoryOps mapper_ops = {
    .read = mapper_read,
    .write = mapper_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 1},
};

static void test_reentrant_map_change(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    Mapper m = {.owner = o, .map_in = root, .at = 0x8000};

    orr_test_add_subregion(root, 0x2000,
                           disp_io(o, "mapper", 0x100, &mapper_ops, &m));
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    assert_read(as, 0x8000, 1, ORR_MEMTX_DECODE_ERROR, 0);

    /* The outer access runs to its end: all four pieces. */
    assert_write(as, 0x2000, 4, 0x44332211, ORR_MEMTX_OK);
    orr_test_assert_log("map w 0/1=11, mapped, map w 1/1=22, "
                        "map w 2/1=33, map w 3/1=44");
    g_assert_nonnull(m.late);

    /* The next access sees the new map. */
    orr_test_assert_flat(as, "2000-20ff mapper 8000-8fff late");
    g_assert_true(orr_address_space_find(as, 0x8000, NULL) == m.late);
    assert_read(as, 0x8000, 1, ORR_MEMTX_OK, 0x11);
    assert_write(as, 0x8004, 4, 0xabcdef01, ORR_MEMTX_OK);
    assert_read(as, 0x8004, 4, ORR_MEMTX_OK, 0xabcdef01);
    orr_test_assert_log("");
    disp_finish(o);
}

/* A device that unmaps itself on its first write. */
typedef struct SelfUnmap {
    OrrMemoryRegion *container;
    OrrMemoryRegion *self;
    guint calls;
} SelfUnmap;

static void unmap_write(void *opaque, uint64_t offset, uint64_t value,
                        unsigned size)
{
    SelfUnmap *s = opaque;
    g_autoptr(GError) err = NULL;

    if (s->calls++ == 0) {
        g_assert_true(
            orr_memory_region_del_subregion(s->container, s->self, &err));
        g_assert_no_error(err);
    }
}

static uint64_t unmap_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static const OrrMemoryOps unmap_ops = {
    .read = unmap_read,
    .write = unmap_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 1},
};

static void test_reentrant_unmap_self(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    SelfUnmap s = {.container = root};

    s.self = disp_io(o, "dev", 0x100, &unmap_ops, &s);
    orr_test_add_subregion(root, 0x2000, s.self);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    assert_write(as, 0x2000, 4, 0x44332211, ORR_MEMTX_OK);
    g_assert_cmpuint(s.calls, >=, 1);
    g_assert_null(orr_memory_region_get_container(s.self));
    orr_test_assert_flat(as, "");
    assert_write(as, 0x2000, 4, 0, ORR_MEMTX_DECODE_ERROR);
    disp_finish(o);
}

/*
 * A callback unparents its region and drops the region's owner during a
 * nested access: both are reclaimed only after the outermost access
 * returns.
 */
typedef struct Dropper {
    OrrAddressSpace *as;
    OrrMemoryRegion *victim; /* unparented by its own write */
    OrrObject *victim_owner; /* then dropped too */
    bool finalized;          /* the region */
    bool owner_finalized;
    bool finalized_in_handler; /* seen by the victim's handler */
    bool finalized_in_outer;   /* seen by the outer handler */
} Dropper;

static void victim_died(OrrObject *obj, void *data)
{
    Dropper *d = data;

    d->finalized = true;
}

static void victim_owner_died(OrrObject *obj, void *data)
{
    Dropper *d = data;

    d->owner_finalized = true;
}

static void victim_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    Dropper *d = opaque;

    orr_test_log("victim w " X64 "/%u=" X64, offset, size, value);
    orr_object_unparent(orr_memory_region_object(d->victim));
    orr_object_unparent(d->victim_owner);
    d->finalized_in_handler = d->finalized || d->owner_finalized;
    orr_test_log("unparented");
}

static uint64_t victim_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static const OrrMemoryOps victim_ops = {
    .read = victim_read,
    .write = victim_write,
    .endianness = ORR_ENDIAN_LITTLE,
};

/* The outer device: its read writes the victim (at 0x3000). */
static uint64_t outer_read(void *opaque, uint64_t offset, unsigned size)
{
    Dropper *d = opaque;

    orr_test_log("outer r " X64 "/%u", offset, size);
    assert_tx(orr_address_space_write(d->as, 0x3000 + offset, 1, 0x5a),
              ORR_MEMTX_OK);
    d->finalized_in_outer = d->finalized || d->owner_finalized;
    orr_test_log("inner returned");
    return 0x42;
}

static void outer_write(void *opaque, uint64_t offset, uint64_t value,
                        unsigned size)
{
}

static const OrrMemoryOps outer_ops = {
    .read = outer_read,
    .write = outer_write,
    .endianness = ORR_ENDIAN_LITTLE,
};

static OrrAddressSpace *dropper_map(OrrObject *o, Dropper *d)
{
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);

    d->victim_owner = disp_new_child_owner(o, "victim");
    d->victim = disp_io(d->victim_owner, "regs", 0x100, &victim_ops, d);
    orr_test_add_subregion(root, 0x2000,
                           disp_io(o, "outer", 0x100, &outer_ops, d));
    orr_test_add_subregion(root, 0x3000, d->victim);
    d->as = orr_test_new_address_space(o, "as", root);
    orr_object_weak_ref(orr_memory_region_object(d->victim), victim_died, d);
    orr_object_weak_ref(d->victim_owner, victim_owner_died, d);
    return d->as;
}

static void test_reentrant_drop_owner(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    Dropper d = {0};
    OrrAddressSpace *as = dropper_map(o, &d);

    assert_read(as, 0x2004, 1, ORR_MEMTX_OK, 0x42);
    orr_test_assert_log("outer r 4/1, victim w 4/1=5a, unparented, "
                        "inner returned");
    g_assert_false(d.finalized_in_handler);
    g_assert_false(d.finalized_in_outer);
    g_assert_true(d.finalized);
    g_assert_true(d.owner_finalized);
    orr_test_assert_flat(as, "2000-20ff outer");
    assert_write(as, 0x3000, 1, 0, ORR_MEMTX_DECODE_ERROR);
    disp_finish(o);
}

/* The same, directly (not nested). */
static void test_reentrant_drop_owner_direct(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    Dropper d = {0};
    OrrAddressSpace *as = dropper_map(o, &d);

    assert_write(as, 0x3010, 1, 0x77, ORR_MEMTX_OK);
    orr_test_assert_log("victim w 10/1=77, unparented");
    g_assert_false(d.finalized_in_handler);
    g_assert_true(d.finalized);
    g_assert_true(d.owner_finalized);
    orr_test_assert_flat(as, "2000-20ff outer");
    disp_finish(o);
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/dispatch/reentrant/nested-access",
                    test_reentrant_nested_access);
    g_test_add_func("/dispatch/reentrant/map-change",
                    test_reentrant_map_change);
    g_test_add_func("/dispatch/reentrant/unmap-self",
                    test_reentrant_unmap_self);
    g_test_add_func("/dispatch/reentrant/drop-owner-nested",
                    test_reentrant_drop_owner);
    g_test_add_func("/dispatch/reentrant/drop-owner-direct",
                    test_reentrant_drop_owner_direct);
    return g_test_run();
}
