/*
 * Unit tests for the ownership rules of the memory layer (memory.md, section
 * 10): which edges between regions take references, and in which order devices
 * that own regions die: alone, mapped into a machine's sysmem, with a region
 * mapped into a parent's or a child's container (Peter Maydell's case and its
 * reverse), viewing an ancestor's RAM; what a failed realize leaves behind;
 * mapping while the owner is being constructed.
 *
 * Elsewhere: the cycle finder and severed edges in test-memory-cycles.c,
 * memory dying in the middle of an access in test-memory-reentrant-drop.c,
 * the test devices and shared helpers in ownership-fixture.h.
 */
#include "ownership-fixture.h"

/* --- Small helpers -------------------------------------------------------- */

static bool is_live(const void *obj)
{
    g_autoptr(GPtrArray) infos = orr_live_list(NULL);

    for (guint i = 0; i < infos->len; i++) {
        if (((OrrLiveInfo *)infos->pdata[i])->object == obj) {
            return true;
        }
    }
    return false;
}

static uint64_t read32(OrrAddressSpace *as, uint64_t addr)
{
    uint64_t v = 0;

    g_assert_cmpint(orr_address_space_read(as, addr, 4, &v), ==, ORR_MEMTX_OK);
    return v;
}

static void write32(OrrAddressSpace *as, uint64_t addr, uint64_t v)
{
    g_assert_cmpint(orr_address_space_write(as, addr, 4, v), ==, ORR_MEMTX_OK);
}

/* A machine under the root (NOREF: held by the root). */
static OrrObject *add_machine(const char *name)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = orr_object_new(ORR_TYPE_MACHINE, &err);

    g_assert_no_error(err);
    g_assert_nonnull(m);
    g_assert_cmpstr(orr_object_add_child(orr_root(), name, m, &err), ==, name);
    g_assert_no_error(err);
    orr_object_unref(m);
    return m;
}

/* --- A device that holds its own regions ---------------------------------- */

typedef enum {
    DROP_DETACHED,     /* never in the tree: the caller's unref */
    DROP_CALLER_FIRST, /* unref, then unparent */
    DROP_PARENT_FIRST, /* unparent, then unref */
    DROP_GRANDPARENT,  /* unref, then the parent container goes */
    DROP_N
} DropOrder;

static void self_contained_case(const char *type, bool realized, bool own_as,
                                DropOrder order)
{
    g_test_message("type %s realized %d own_as %d order %d", type, realized,
                   own_as, order);
    mo_begin();
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *d = mo_dev_new(type, "d");
    g_autoptr(GError) err = NULL;

    if (order != DROP_DETACHED) {
        g_assert_nonnull(orr_object_add_child(o, "d", OBJ(d), &err));
        g_assert_no_error(err);
    }
    if (realized) {
        mo_realize_ok(d);
    }
    g_assert_nonnull(d->box);
    g_assert_true(orr_memory_region_get_container(d->ram) == d->box);
    g_assert_true(orr_memory_region_get_container(d->regs) == d->box);
    if (own_as) {
        OrrAddressSpace *as = orr_test_new_address_space(OBJ(d), "as", d->box);
        mo_assert_flat(as, "0-fff d.ram 1000-10ff d.regs");
        write32(as, 0x10, 0x11223344);
        g_assert_cmpuint(read32(as, 0x10), ==, 0x11223344);
        g_assert_cmpuint(read32(as, REGS_AT), ==, REGS_VALUE);
        /* The view pins what it shows, not the device: same unit. */
        g_assert_true(mo_has_holder(d->ram, ORR_HOLDER_FLATVIEW));
    }
    /* Nothing but the caller and the parent holds the device: edges from
     * its own containers, view and address space take no reference. */
    orr_test_assert_holders(d, order == DROP_DETACHED ? "caller"
                                                      : "caller|parent /o");
    mo_assert_cycles("");
    g_assert_cmpuint(orr_live_count(TYPE_BASE), ==, 1);
    g_assert_cmpuint(orr_live_count(ORR_TYPE_MEMORY_REGION), ==, 3);

    switch (order) {
    case DROP_DETACHED:
        orr_object_unref(OBJ(d));
        orr_test_assert_log("finalize d");
        break;
    case DROP_CALLER_FIRST:
        orr_object_unref(OBJ(d));
        orr_test_assert_log("");
        orr_test_assert_holders(d, "parent /o");
        orr_object_unparent(OBJ(d));
        orr_test_assert_log("finalize d");
        break;
    case DROP_PARENT_FIRST:
        orr_object_unparent(OBJ(d));
        orr_test_assert_log("");
        orr_test_assert_holders(d, "caller");
        g_assert_false(orr_device_is_realized((OrrDevice *)d));
        orr_object_unref(OBJ(d));
        orr_test_assert_log("finalize d");
        break;
    case DROP_GRANDPARENT:
        orr_object_unref(OBJ(d));
        orr_test_assert_log("");
        orr_object_unparent(o);
        orr_test_assert_log("finalize d");
        break;
    default:
        g_assert_not_reached();
    }
    /* Gone with its regions and its address space. */
    g_assert_cmpuint(orr_live_count(TYPE_BASE), ==, 0);
    g_assert_cmpuint(orr_live_count(ORR_TYPE_MEMORY_REGION), ==, 0);
    g_assert_cmpuint(orr_live_count(ORR_TYPE_ADDRESS_SPACE), ==, 0);
    if (order != DROP_GRANDPARENT) {
        orr_object_unparent(o);
    }
    mo_end();
}

static void test_self_contained_every_order(void)
{
    for (int order = 0; order < DROP_N; order++) {
        for (int realized = 0; realized < 2; realized++) {
            for (int own_as = 0; own_as < 2; own_as++) {
                self_contained_case(TYPE_DEV, realized, own_as, order);
            }
        }
        /* Regions made by realize behave the same. */
        self_contained_case(TYPE_LATE_DEV, true, false, order);
        self_contained_case(TYPE_LATE_DEV, true, true, order);
    }
}

/* --- A device mapped into a machine's sysmem ------------------------------ */

static MoDev *sysmem_setup(OrrObject **m_out, bool realized)
{
    OrrObject *m = add_machine("m");
    MoDev *d = mo_dev_add(m, TYPE_DEV, "dev");
    OrrAddressSpace *mem = orr_machine_get_memory(m);

    if (realized) {
        mo_realize_ok(d);
    }
    orr_test_add_subregion(orr_machine_get_sysmem(m), 0x10000000, d->box);
    mo_assert_flat(mem, "10000000-10000fff dev.ram 10001000-100010ff dev.regs");
    /* sysmem (unit /m) -> box (unit /m/dev) points down: owning. */
    g_assert_true(mo_has_holder(d, "subregion /m/sysmem"));
    g_assert_true(mo_has_holder(d, "parent /m"));
    g_assert_false(mo_has_holder(d, ORR_HOLDER_CALLER));
    /* dev holds nothing on the machine. */
    orr_test_assert_holders(m, "parent /");
    mo_assert_cycles("");
    write32(mem, 0x10000010, 0xcafe);
    *m_out = m;
    return d;
}

/* Realized: unparenting the device unrealizes it, which unmaps it. */
static void test_sysmem_realized_unparent(void)
{
    OrrObject *m;

    mo_begin();
    MoDev *d = sysmem_setup(&m, true);

    orr_object_unparent(OBJ(d));
    orr_test_assert_log("finalize dev");
    mo_assert_flat(orr_machine_get_memory(m), "");
    orr_object_unparent(m);
    mo_end();
}

/* Realized: unrealize cuts the mapping; the device lives on in the tree. */
static void test_sysmem_realized_unrealize(void)
{
    OrrObject *m;

    mo_begin();
    MoDev *d = sysmem_setup(&m, true);

    orr_device_unrealize((OrrDevice *)d);
    orr_test_assert_log("");
    g_assert_null(orr_memory_region_get_container(d->box));
    mo_assert_flat(orr_machine_get_memory(m), "");
    orr_test_assert_holders(d, "parent /m");
    orr_object_unparent(OBJ(d));
    orr_test_assert_log("finalize dev");
    orr_object_unparent(m);
    mo_end();
}

/* Never realized: with the test's and the parent's references gone, the
 * mapping alone keeps the device (it is still visible and usable);
 * unmapping it frees it. */
static void test_sysmem_kept_by_mapping(void)
{
    OrrObject *m;

    mo_begin();
    MoDev *d = sysmem_setup(&m, false);
    OrrMemoryRegion *sysmem = orr_machine_get_sysmem(m);
    OrrAddressSpace *mem = orr_machine_get_memory(m);

    orr_object_unparent(OBJ(d));
    orr_test_assert_log("");
    g_assert_true(is_live(d));
    g_assert_null(orr_object_get_parent(OBJ(d)));
    g_assert_true(mo_has_holder(d, "subregion /m/sysmem"));
    g_assert_false(mo_has_holder(d, "parent"));
    g_assert_false(mo_has_holder(d, ORR_HOLDER_CALLER));
    mo_assert_flat(mem, "10000000-10000fff dev.ram 10001000-100010ff dev.regs");
    g_assert_cmpuint(read32(mem, 0x10000010), ==, 0xcafe);
    g_assert_cmpuint(read32(mem, 0x10001000), ==, REGS_VALUE);
    mo_assert_cycles("");

    mo_unmap(sysmem, d->box);
    orr_test_assert_log("finalize dev");
    mo_assert_flat(mem, "");
    orr_object_unparent(m);
    mo_end();
}

/* Never realized and unparented: the machine going frees it too. */
static void test_sysmem_machine_goes(void)
{
    OrrObject *m;

    mo_begin();
    MoDev *d = sysmem_setup(&m, false);

    orr_object_unparent(OBJ(d));
    orr_test_assert_log("");
    orr_object_unparent(m);
    orr_test_assert_log("finalize dev");
    mo_end();
}

/* The test still holds the device when the machine goes: the device is
 * unrealized and unmapped, and dies with the test's reference. */
static void test_sysmem_held_device_machine_goes(void)
{
    OrrObject *m;

    mo_begin();
    MoDev *d = sysmem_setup(&m, true);

    orr_object_ref(OBJ(d));
    orr_object_unparent(m);
    orr_test_assert_log("");
    g_assert_false(orr_device_is_realized((OrrDevice *)d));
    g_assert_null(orr_memory_region_get_container(d->box));
    orr_test_assert_holders(d, "caller");
    orr_object_unref(OBJ(d));
    orr_test_assert_log("finalize dev");
    mo_end();
}

/* --- Peter Maydell's case and its reverse --------------------------------- */

typedef enum {
    GO_A,        /* unparent A only */
    GO_B_THEN_A, /* unparent B, then A */
    GO_A_B_HELD, /* the test holds B; unparent A, then drop B */
    GO_N
} PairOrder;

/* A's container holds B's box; B is A's child. */
static void maydell_case(bool realized, PairOrder order)
{
    g_test_message("realized %d order %d", realized, order);
    mo_begin();
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *a = mo_dev_add(o, TYPE_DEV, "a");
    MoDev *b = mo_dev_add(OBJ(a), TYPE_DEV, "b");

    orr_test_add_subregion(a->box, 0x8000, b->box);
    OrrAddressSpace *as = orr_test_new_address_space(OBJ(a), "as", a->box);
    mo_assert_flat(as, "0-fff a.ram 1000-10ff a.regs 8000-8fff b.ram "
                       "9000-90ff b.regs");
    if (realized) {
        mo_realize_ok(a);
        mo_realize_ok(b);
    }
    /* a.box -> b points down: owning; b holds nothing on a. */
    g_assert_true(mo_has_holder(b, "subregion /o/a/box"));
    orr_test_assert_holders(a, "parent /o");
    mo_assert_cycles("");

    switch (order) {
    case GO_A:
        orr_object_unparent(OBJ(a));
        orr_test_assert_log("finalize a, finalize b");
        break;
    case GO_B_THEN_A:
        orr_object_unparent(OBJ(b));
        if (realized) {
            /* unrealize cut b.box out of a.box */
            orr_test_assert_log("finalize b");
            mo_assert_flat(as, "0-fff a.ram 1000-10ff a.regs");
            orr_object_unparent(OBJ(a));
            orr_test_assert_log("finalize a");
        } else {
            /* still mapped, so still alive */
            orr_test_assert_log("");
            g_assert_true(mo_has_holder(b, "subregion /o/a/box"));
            g_assert_false(mo_has_holder(b, "parent"));
            orr_object_unparent(OBJ(a));
            orr_test_assert_log("finalize a, finalize b");
        }
        break;
    case GO_A_B_HELD:
        orr_object_ref(OBJ(b));
        orr_object_unparent(OBJ(a));
        orr_test_assert_log("finalize a");
        g_assert_null(orr_memory_region_get_container(b->box));
        orr_test_assert_holders(b, "caller");
        orr_object_unref(OBJ(b));
        orr_test_assert_log("finalize b");
        break;
    default:
        g_assert_not_reached();
    }
    orr_object_unparent(o);
    mo_end();
}

static void test_maydell_case(void)
{
    for (int order = 0; order < GO_N; order++) {
        maydell_case(false, order);
        maydell_case(true, order);
    }
}

/* The reverse: a region of A inside its child B's container. */
static void reverse_case(bool realized, PairOrder order)
{
    g_test_message("realized %d order %d", realized, order);
    mo_begin();
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *a = mo_dev_add(o, TYPE_DEV, "a");
    MoDev *b = mo_dev_add(OBJ(a), TYPE_DEV, "b");
    OrrMemoryRegion *shared = orr_test_new_ram(OBJ(a), "shared", 0x100);

    orr_test_add_subregion(b->box, 0x8000, shared);
    OrrAddressSpace *as = orr_test_new_address_space(OBJ(b), "as", b->box);
    mo_assert_flat(as, "0-fff b.ram 1000-10ff b.regs 8000-80ff a.shared");
    write32(as, 0x8000, 0x5a5a);
    if (realized) {
        mo_realize_ok(a);
        mo_realize_ok(b);
    }
    /* b.box -> a.shared points up: no reference on a, from the container
     * or from b's view. */
    orr_test_assert_holders(a, "parent /o");
    mo_assert_cycles("");

    switch (order) {
    case GO_A:
        orr_object_unparent(OBJ(a));
        orr_test_assert_log("finalize a, finalize b");
        break;
    case GO_B_THEN_A:
        orr_object_unparent(OBJ(b));
        orr_test_assert_log("finalize b");
        g_assert_null(orr_memory_region_get_container(shared));
        orr_object_unparent(OBJ(a));
        orr_test_assert_log("finalize a");
        break;
    case GO_A_B_HELD:
        orr_object_ref(OBJ(b));
        orr_object_unparent(OBJ(a));
        orr_test_assert_log("finalize a");
        /* a.shared is gone from b's container and b's view. */
        mo_assert_flat(as, "0-fff b.ram 1000-10ff b.regs");
        {
            g_autoptr(GPtrArray) subs =
                orr_memory_region_get_subregions(b->box);
            g_assert_cmpuint(subs->len, ==, 2);
        }
        orr_test_assert_holders(b, "caller");
        orr_object_unref(OBJ(b));
        orr_test_assert_log("finalize b");
        break;
    default:
        g_assert_not_reached();
    }
    orr_object_unparent(o);
    mo_end();
}

static void test_reverse_case(void)
{
    for (int order = 0; order < GO_N; order++) {
        reverse_case(false, order);
        reverse_case(true, order);
    }
}

/* --- Mapping an ancestor's RAM into one's own view ------------------------ */

static void ancestor_alias_case(bool dma_first, bool realized)
{
    g_test_message("dma_first %d realized %d", dma_first, realized);
    mo_begin();
    OrrObject *m = add_machine("m");
    OrrAddressSpace *mem = orr_machine_get_memory(m);
    MoDev *dma = dma_first ? mo_dev_add(m, TYPE_DEV, "dma") : NULL;
    OrrMemoryRegion *ram = orr_test_new_ram(m, "ram", 0x10000);
    g_autoptr(GError) err = NULL;

    orr_test_add_subregion(orr_machine_get_sysmem(m), 0, ram);
    if (!dma_first) {
        dma = mo_dev_add(m, TYPE_DEV, "dma");
    }
    if (realized) {
        mo_realize_ok(dma);
    }
    OrrMemoryRegion *view =
        orr_test_new_container(OBJ(dma), "view", ORR_SIZE_2_64);
    OrrMemoryRegion *win =
        orr_memory_region_new_alias(OBJ(dma), "win", ram, 0, 0x10000, &err);
    g_assert_no_error(err);
    orr_test_add_subregion(view, 0x80000000, win);
    orr_test_add_subregion(view, 0, dma->box);
    OrrAddressSpace *das = orr_test_new_address_space(OBJ(dma), "das", view);

    mo_assert_flat(das, "0-fff dma.ram 1000-10ff dma.regs "
                        "80000000-8000ffff m.ram");
    write32(mem, 0x100, 0xcafef00d);
    g_assert_cmpuint(read32(das, 0x80000100), ==, 0xcafef00d);
    write32(das, 0x80000200, 0x600d);
    g_assert_cmpuint(read32(mem, 0x200), ==, 0x600d);

    /* The alias, the DMA view and its address space point up: no
     * reference on the machine, no cycle. */
    orr_test_assert_holders(m, "parent /");
    orr_test_assert_holders(dma, "parent /m");
    mo_assert_cycles("");

    orr_object_unparent(m);
    orr_test_assert_log("finalize dma");
    mo_end();
}

static void test_ancestor_alias_no_cycle(void)
{
    ancestor_alias_case(false, false);
    ancestor_alias_case(false, true);
    ancestor_alias_case(true, false);
    ancestor_alias_case(true, true);
}

/* --- Realize failure rollback --------------------------------------------- */

static void test_realize_failure_cuts_mappings(void)
{
    mo_begin();
    MoBoard b = mo_add_board("b");
    MoDev *d = mo_dev_add(b.obj, TYPE_DEV, "d");
    MoDev *p = mo_dev_add(b.obj, TYPE_DEV, "p");
    OrrMemoryRegion *solo = orr_test_new_ram(OBJ(d), "solo", 0x100);
    OrrMemoryRegion *loan = orr_test_new_ram(OBJ(p), "loan", 0x100);
    g_autoptr(GError) err = NULL;

    /* Made before realize: kept by the rollback. */
    orr_test_add_subregion(b.sysmem, 0x100000, solo);
    d->map_box_into = b.sysmem;
    d->map_box_at = 0x200000;
    d->pull_in = loan;
    d->pull_in_at = 0x8000;
    d->add_late = true;
    d->fail_realize = true;

    g_assert_false(orr_device_realize((OrrDevice *)d, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_assert_nonnull(strstr(err->message, "boom"));
    g_assert_nonnull(strstr(err->message, "/b/d"));
    g_clear_error(&err);

    g_assert_cmpint(orr_device_get_phase((OrrDevice *)d), ==, ORR_DEVICE_NEW);
    g_assert_null(orr_memory_region_get_container(d->box));
    g_assert_null(orr_memory_region_get_container(loan));
    g_assert_null(orr_object_get_child(OBJ(d), "late"));
    g_assert_true(orr_memory_region_get_container(solo) == b.sysmem);
    g_assert_true(orr_memory_region_get_container(d->ram) == d->box);
    mo_assert_flat(b.memory, "100000-1000ff d.solo");
    /* The edges it made are gone with their references. */
    g_assert_false(mo_has_holder(p, "subregion"));
    g_assert_true(mo_has_holder(d, "subregion /b/sysmem"));
    g_assert_false(mo_has_holder(d, "subregion /b/sysmem x2"));
    {
        g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(d->box);
        g_assert_cmpuint(subs->len, ==, 2);
    }

    /* The same realize, succeeding, makes them all. */
    d->fail_realize = false;
    mo_realize_ok(d);
    mo_assert_flat(b.memory, "100000-1000ff d.solo 200000-200fff d.ram "
                             "201000-2010ff d.regs 208000-2080ff p.loan "
                             "210000-21000f d.late");
    g_assert_true(mo_has_holder(p, "subregion /b/d/box"));
    orr_object_unparent(b.obj);
    orr_test_log_clear();
    mo_end();
}

/* --- Mapping while the owner is being constructed ------------------------- */

/* A device maps its regions into its own container in instance_post_init,
 * as QEMU devices do in instance_init. */
static void test_map_in_instance_init(void)
{
    mo_begin();
    MoDev *d = mo_dev_new(TYPE_INIT_MAP_DEV, "d");

    g_assert_cmpstr(d->init_error, ==, "");
    g_assert_true(d->init_mapped);
    g_assert_true(orr_memory_region_get_container(d->ram) == d->box);
    orr_object_unref(OBJ(d));
    orr_test_assert_log("finalize d");
    mo_end();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();
    mo_register_types();

    g_test_add_func("/memory/ownership/self-contained/every-order",
                    test_self_contained_every_order);
    g_test_add_func("/memory/ownership/sysmem/realized-unparent",
                    test_sysmem_realized_unparent);
    g_test_add_func("/memory/ownership/sysmem/realized-unrealize",
                    test_sysmem_realized_unrealize);
    g_test_add_func("/memory/ownership/sysmem/kept-by-mapping",
                    test_sysmem_kept_by_mapping);
    g_test_add_func("/memory/ownership/sysmem/machine-goes",
                    test_sysmem_machine_goes);
    g_test_add_func("/memory/ownership/sysmem/held-device-machine-goes",
                    test_sysmem_held_device_machine_goes);
    g_test_add_func("/memory/ownership/maydell/every-order", test_maydell_case);
    g_test_add_func("/memory/ownership/reverse/every-order", test_reverse_case);
    g_test_add_func("/memory/ownership/ancestor-alias/no-cycle",
                    test_ancestor_alias_no_cycle);
    g_test_add_func("/memory/ownership/realize/failure-cuts-mappings",
                    test_realize_failure_cuts_mappings);
    g_test_add_func("/memory/ownership/init/map-in-instance-init",
                    test_map_in_instance_init);
    return g_test_run();
}
