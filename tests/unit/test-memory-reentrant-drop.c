/*
 * Unit tests for memory that dies while in use (memory.md, section 10.6): MMIO
 * callbacks that unmap and unparent their own device, or destroy their
 * own region, in the middle of an access, which keeps what it touches
 * until it returns; and flat views, which drop a destroyed region.
 */
#include "ownership-fixture.h"

/* --- MMIO callbacks that drop their own device ---------------------------- */

/* A realized device mapped in a board: the callback unmaps regs, then
 * unparents the device (which unrealizes it and unmaps its box); the
 * device dies after the access returns. */
static void drops_own_device_case(bool is_write)
{
    mo_begin();
    MoBoard b = mo_add_board("b");
    MoDev *d = mo_dev_add(b.obj, TYPE_DEV, "d");
    uint64_t v = 0;

    mo_realize_ok(d);
    orr_test_add_subregion(b.sysmem, 0x10000, d->box);
    d->drop_self = true;
    d->nested_as = b.memory;
    d->nested_addr = 0x10000 + REGS_AT;
    guint before = mo_dev_finalized;

    if (is_write) {
        g_assert_cmpint(
            orr_address_space_write(b.memory, 0x10000 + REGS_AT, 4, 0x12345678),
            ==, ORR_MEMTX_OK);
    } else {
        g_assert_cmpint(
            orr_address_space_read(b.memory, 0x10000 + REGS_AT, 4, &v), ==,
            ORR_MEMTX_OK);
        g_assert_cmpuint(v, ==, REGS_VALUE);
    }
    g_assert_cmpuint(mo_cb.runs, ==, 1);
    g_assert_true(mo_cb.whole);
    g_assert_false(mo_cb.finalized_during);
    /* A nested access sees the new map: regs is gone. */
    g_assert_cmpint(mo_cb.nested_res, ==, ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(mo_cb.nested_val, ==, 0);
    /* ...and the device died when the outermost access returned. */
    g_assert_cmpuint(mo_dev_finalized, ==, before + 1);
    orr_test_assert_log("finalize d");
    mo_assert_flat(b.memory, "");
    orr_object_unparent(b.obj);
    mo_end();
}

static void test_callback_drops_own_device_write(void)
{
    drops_own_device_case(true);
}

static void test_callback_drops_own_device_read(void)
{
    drops_own_device_case(false);
}

/* Never realized, regs mapped straight into sysmem (an owning edge): the
 * callback removes that edge and the parent's; only the access holds
 * the device until it returns. */
static void test_callback_drops_unrealized_device(void)
{
    mo_begin();
    MoBoard b = mo_add_board("b");
    MoDev *d = mo_dev_add(b.obj, TYPE_DEV, "d");

    mo_unmap(d->box, d->regs);
    orr_test_add_subregion(b.sysmem, 0x20000, d->regs);
    mo_assert_flat(b.memory, "20000-200ff d.regs");
    d->drop_self = true;
    guint before = mo_dev_finalized;

    g_assert_cmpint(orr_address_space_write(b.memory, 0x20000, 2, 0xbeef), ==,
                    ORR_MEMTX_OK);
    g_assert_cmpuint(mo_cb.runs, ==, 1);
    g_assert_true(mo_cb.whole);
    g_assert_false(mo_cb.finalized_during);
    g_assert_cmpuint(mo_dev_finalized, ==, before + 1);
    orr_test_assert_log("finalize d");
    mo_assert_flat(b.memory, "");
    orr_object_unparent(b.obj);
    mo_end();
}

/* The probe region (of another device) records whether the dropped
 * device was already finalized when the same access reached it. */
static struct {
    guint calls;
    guint finalized_seen;
} probe;

static uint64_t probe_read(void *opaque, uint64_t offset, unsigned size)
{
    probe.calls++;
    probe.finalized_seen = mo_dev_finalized;
    return 0x99;
}

static void probe_write(void *opaque, uint64_t offset, uint64_t value,
                        unsigned size)
{
    probe.calls++;
    probe.finalized_seen = mo_dev_finalized;
}

static const OrrMemoryOps probe_ops = {
    .read = probe_read,
    .write = probe_write,
    .valid = {.max_access_size = 4},
    .impl = {.max_access_size = 4},
};

/*
 * The device's own address space (whose view pins its regions without
 * holding the device: same unit). One byte access covers the end of
 * regs, whose callback drops the device, and a probe region of another
 * device: the device must not be reclaimed before the outermost access
 * returns, so the probe still sees it alive.
 */
static void own_view_case(bool is_write, bool realized)
{
    g_test_message("is_write %d realized %d", is_write, realized);
    mo_begin();
    memset(&probe, 0, sizeof(probe));
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *p = mo_dev_add(o, TYPE_DEV, "p");
    MoDev *d = mo_dev_add(o, TYPE_DEV, "d");
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *pr = orr_memory_region_new_io(OBJ(p), "probe", 0x100,
                                                   &probe_ops, NULL, &err);
    uint8_t buf[8] = {1, 2, 3, 4, 5, 6, 7, 8};

    g_assert_no_error(err);
    orr_test_add_subregion(d->box, REGS_AT + REGS_SIZE, pr);
    OrrAddressSpace *das = orr_test_new_address_space(OBJ(d), "as", d->box);
    mo_assert_flat(das, "0-fff d.ram 1000-10ff d.regs 1100-11ff p.probe");
    if (realized) {
        mo_realize_ok(d);
    }
    d->drop_self = true;
    guint before = mo_dev_finalized;

    uint64_t at = REGS_AT + REGS_SIZE - 4;
    OrrMemTxResult r =
        is_write ? orr_address_space_write_bytes(das, at, buf, sizeof(buf))
                 : orr_address_space_read_bytes(das, at, buf, sizeof(buf));

    g_assert_cmpint(r, ==, ORR_MEMTX_OK);
    g_assert_cmpuint(mo_cb.runs, ==, 1);
    g_assert_true(mo_cb.whole);
    g_assert_false(mo_cb.finalized_during);
    g_assert_cmpuint(probe.calls, ==, 1);
    g_assert_cmpuint(probe.finalized_seen, ==, before);
    if (!is_write) {
        g_assert_cmpuint(buf[0], ==, REGS_VALUE);
        g_assert_cmpuint(buf[4], ==, 0x99);
    }
    g_assert_cmpuint(mo_dev_finalized, ==, before + 1);
    orr_test_assert_log("finalize d");
    g_assert_false(mo_has_holder(p, "subregion"));
    orr_object_unparent(o);
    orr_test_assert_log("finalize p");
    mo_end();
}

static void test_callback_drops_device_own_view(void)
{
    own_view_case(true, false);
    own_view_case(false, false);
    own_view_case(true, true);
    own_view_case(false, true);
}

/* --- Flat views keep what they show --------------------------------------- */

/* Destroying a mapped region unmaps it; the view drops it and it goes. */
static void test_view_destroyed_region(void)
{
    mo_begin();
    mo_log_regions = true;
    OrrObject *o = mo_add_container(orr_root(), "o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *r = orr_test_new_ram(o, "r", 0x1000);
    OrrMemoryRegion *keep = orr_test_new_ram(o, "keep", 0x1000);

    orr_test_add_subregion(root, 0x1000, r);
    orr_test_add_subregion(root, 0x4000, keep);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    mo_assert_flat(as, "1000-1fff o.r 4000-4fff o.keep");
    orr_test_assert_holders(r, "parent /o|flatview");
    guint regions = orr_live_count(ORR_TYPE_MEMORY_REGION);

    orr_object_unparent(OBJ(r));
    orr_test_assert_log("finalize /o/r");
    mo_assert_flat(as, "4000-4fff o.keep");
    g_assert_cmpuint(orr_live_count(ORR_TYPE_MEMORY_REGION), ==, regions - 1);
    uint64_t v = 1;
    g_assert_cmpint(orr_address_space_read(as, 0x1000, 4, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0);
    orr_object_unparent(o);
    mo_end();
}

/* An MMIO callback destroys its own region, then reads the map again. */
typedef struct Killer {
    OrrMemoryRegion *mr; /* NOREF */
    OrrAddressSpace *as; /* NOREF */
    uint64_t addr;
    guint calls;
    bool region_whole;
    bool region_finalized_during;
    OrrMemTxResult nested_res;
    uint64_t nested_val;
} Killer;

static guint live_regions(void)
{
    return orr_live_count(ORR_TYPE_MEMORY_REGION);
}

static uint64_t killer_read(void *opaque, uint64_t offset, unsigned size)
{
    Killer *k = opaque;
    guint regions = live_regions();

    k->calls++;
    orr_object_unparent(OBJ(k->mr));
    k->nested_val = 0xdead;
    k->nested_res = orr_address_space_read(k->as, k->addr, 1, &k->nested_val);
    k->region_whole = g_str_equal(orr_memory_region_get_name(k->mr), "io") &&
                      orr_memory_region_get_container(k->mr) == NULL &&
                      orr_object_get_parent(OBJ(k->mr)) == NULL;
    k->region_finalized_during = live_regions() != regions;
    return 0x5a;
}

static void killer_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
}

static const OrrMemoryOps killer_ops = {
    .read = killer_read,
    .write = killer_write,
};

static void test_view_callback_destroys_region(void)
{
    mo_begin();
    mo_log_regions = true;
    OrrObject *o = mo_add_container(orr_root(), "o");
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    Killer k = {.addr = 0x2000};

    k.mr = orr_memory_region_new_io(o, "io", 0x100, &killer_ops, &k, &err);
    g_assert_no_error(err);
    orr_test_add_subregion(root, 0x2000, k.mr);
    k.as = orr_test_new_address_space(o, "as", root);
    mo_assert_flat(k.as, "2000-20ff o.io");

    uint64_t v = 0;
    g_assert_cmpint(orr_address_space_read(k.as, 0x2000, 1, &v), ==,
                    ORR_MEMTX_OK);
    g_assert_cmpuint(v, ==, 0x5a);
    g_assert_cmpuint(k.calls, ==, 1);
    g_assert_true(k.region_whole);
    g_assert_false(k.region_finalized_during);
    g_assert_cmpint(k.nested_res, ==, ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(k.nested_val, ==, 0);
    /* Reclaimed once the access returned. */
    orr_test_assert_log("finalize /o/io");
    mo_assert_flat(k.as, "");
    orr_object_unparent(o);
    mo_end();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();
    mo_register_types();

    g_test_add_func("/memory/ownership/callback/drops-own-device-write",
                    test_callback_drops_own_device_write);
    g_test_add_func("/memory/ownership/callback/drops-own-device-read",
                    test_callback_drops_own_device_read);
    g_test_add_func("/memory/ownership/callback/drops-unrealized-device",
                    test_callback_drops_unrealized_device);
    g_test_add_func("/memory/ownership/callback/drops-device-own-view",
                    test_callback_drops_device_own_view);
    g_test_add_func("/memory/ownership/view/destroyed-region",
                    test_view_destroyed_region);
    g_test_add_func("/memory/ownership/view/callback-destroys-region",
                    test_view_callback_destroys_region);
    return g_test_run();
}
