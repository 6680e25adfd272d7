/*
 * Unit tests for cycles and non-owning edges in the memory layer (memory.md,
 * section 10.7): what the cycle finder reports for owning edges between
 * devices and how such cycles end, and how aliases and address-space roots
 * that take no reference are severed when their target dies.
 */
#include "ownership-fixture.h"

/* --- The cycle finder ----------------------------------------------------- */

#define CROSS_CYCLE                                                            \
    "parent /o/a -> /o/a/box | subregion /o/a/box -> /o/b | "                  \
    "parent /o/b -> /o/b/box | subregion /o/b/box -> /o/a\n"

/* Siblings a and b, each container holding the other's region. */
static void cross_link(MoDev **a_out, MoDev **b_out, OrrMemoryRegion **ar,
                       OrrMemoryRegion **br)
{
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *a = mo_dev_add(o, TYPE_DEV, "a");
    MoDev *b = mo_dev_add(o, TYPE_DEV, "b");

    *ar = orr_test_new_ram(OBJ(a), "xr", 0x100);
    *br = orr_test_new_ram(OBJ(b), "xr", 0x100);
    orr_test_add_subregion(a->box, 0x8000, *br);
    orr_test_add_subregion(b->box, 0x8000, *ar);
    g_assert_true(mo_has_holder(a, "subregion /o/b/box"));
    g_assert_true(mo_has_holder(b, "subregion /o/a/box"));
    *a_out = a;
    *b_out = b;
}

/* Found while attached; breaking one edge ends it. */
static void test_cycle_broken_attached(void)
{
    MoDev *a, *b;
    OrrMemoryRegion *ar, *br;

    mo_begin();
    cross_link(&a, &b, &ar, &br);
    OrrObject *o = orr_object_get_parent(OBJ(a));
    mo_assert_cycles(CROSS_CYCLE);

    mo_unmap(a->box, br);
    mo_assert_cycles("");
    orr_test_assert_log("");
    orr_object_unparent(o);
    orr_test_assert_log("finalize b, finalize a");
    mo_end();
}

/* Never realized and unparented, the pair keeps itself alive; the finder
 * names the edges by their last paths; breaking one edge frees all. */
static void test_cycle_leak_then_broken(void)
{
    MoDev *a, *b;
    OrrMemoryRegion *ar, *br;

    mo_begin();
    cross_link(&a, &b, &ar, &br);
    orr_object_unparent(orr_object_get_parent(OBJ(a)));
    orr_test_assert_log("");
    g_assert_cmpuint(orr_live_count(TYPE_BASE), ==, 2);
    mo_assert_cycles(CROSS_CYCLE);
    g_assert_true(mo_has_holder(a, "subregion /o/b/box"));

    mo_unmap(b->box, ar);
    orr_test_assert_log("finalize a, finalize b");
    mo_end();
}

/* Realized, the same pair is freed with its parent: unrealize (from the
 * parent's release of its children) cuts the cross-owner mappings. */
static void test_cycle_realized_freed(void)
{
    MoDev *a, *b;
    OrrMemoryRegion *ar, *br;

    mo_begin();
    cross_link(&a, &b, &ar, &br);
    mo_realize_ok(a);
    mo_realize_ok(b);
    mo_assert_cycles(CROSS_CYCLE);
    orr_object_unparent(orr_object_get_parent(OBJ(a)));
    orr_test_assert_log("finalize b, finalize a");
    mo_end();
}

/* Siblings a and b linked by @how: "alias" (each owns an alias of the
 * other's RAM) or "root" (each owns an address space over the other's
 * container). Both edges are owning, so the pair holds itself alive. */
static void cross_link_by(const char *how, MoDev **a_out, MoDev **b_out)
{
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *a = mo_dev_add(o, TYPE_DEV, "a");
    MoDev *b = mo_dev_add(o, TYPE_DEV, "b");
    g_autoptr(GError) err = NULL;

    if (strcmp(how, "alias") == 0) {
        OrrMemoryRegion *wa = orr_memory_region_new_alias(OBJ(a), "win", b->ram,
                                                          0, RAM_SIZE, &err);
        g_assert_no_error(err);
        OrrMemoryRegion *wb = orr_memory_region_new_alias(OBJ(b), "win", a->ram,
                                                          0, RAM_SIZE, &err);
        g_assert_no_error(err);
        g_assert_true(mo_has_holder(a, "alias /o/b/win"));
        g_assert_true(mo_has_holder(b, "alias /o/a/win"));
        (void)wa;
        (void)wb;
    } else {
        orr_test_new_address_space(OBJ(a), "peer", b->box);
        orr_test_new_address_space(OBJ(b), "peer", a->box);
        g_assert_true(mo_has_holder(a, "as-root /o/b/peer"));
        g_assert_true(mo_has_holder(b, "as-root /o/a/peer"));
    }
    *a_out = a;
    *b_out = b;
}

/* Owning alias and root edges between siblings: a cycle while both are
 * realized, cut by unrealize (here, from the parent's unparent), so that
 * the pair is freed; never realized, the pair leaks and the finder names
 * its edges. */
static void cross_link_by_case(const char *how, bool realized)
{
    MoDev *a, *b;

    g_test_message("%s realized %d", how, realized);
    mo_begin();
    cross_link_by(how, &a, &b);
    g_autofree char *cycles = mo_cycles_text();
    g_assert_nonnull(strstr(cycles, "/o/a/"));
    g_assert_nonnull(strstr(cycles, "/o/b/"));
    if (realized) {
        mo_realize_ok(a);
        mo_realize_ok(b);
        orr_object_unparent(orr_object_get_parent(OBJ(a)));
        orr_test_assert_log("finalize b, finalize a");
        mo_end();
        return;
    }
    orr_object_unparent(orr_object_get_parent(OBJ(a)));
    orr_test_assert_log("");
    g_assert_cmpuint(orr_live_count(TYPE_BASE), ==, 2);
    g_autofree char *left = mo_cycles_text();
    g_assert_nonnull(strstr(left, strcmp(how, "alias") == 0
                                      ? "alias /o/a/win -> /o/b"
                                      : "as-root /o/a/peer -> /o/b"));
    /* Realizing and unrealizing one of them breaks the cycle: cutting a's
     * edge frees b, whose edge held a, which goes when unrealize returns. */
    mo_realize_ok(a);
    orr_device_unrealize((OrrDevice *)a);
    orr_test_assert_log("finalize b, finalize a");
    mo_end();
}

static void test_cycle_alias_and_root(void)
{
    cross_link_by_case("alias", true);
    cross_link_by_case("alias", false);
    cross_link_by_case("root", true);
    cross_link_by_case("root", false);
}

/* An alias of an ancestor's region is non-owning: unrealize keeps it, and
 * the device still sees the RAM after a second realize. */
static void test_unrealize_keeps_upward_alias(void)
{
    mo_begin();
    MoBoard bd = mo_add_board("m");
    OrrMemoryRegion *ram = orr_test_new_ram(bd.obj, "ram", RAM_SIZE);
    MoDev *d = mo_dev_add(bd.obj, TYPE_DEV, "d");
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *w =
        orr_memory_region_new_alias(OBJ(d), "dma", ram, 0, RAM_SIZE, &err);

    g_assert_no_error(err);
    orr_test_add_subregion(d->box, 0x8000, w);
    mo_realize_ok(d);
    orr_device_unrealize((OrrDevice *)d);
    g_assert_true(orr_memory_region_get_alias_target(w) == ram);
    g_assert_false(mo_has_holder(bd.obj, "alias"));
    mo_realize_ok(d);
    orr_object_unparent(bd.obj);
    orr_test_assert_log("finalize d");
    mo_end();
}

/* A region owned by a region owned by a device: its unit is the device.
 * Every edge releases the unit it held, even after the middle region
 * left its owner (which makes it, and the inner region, units of their
 * own). */
static void test_region_owned_by_region(void)
{
    mo_begin();
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *d = mo_dev_add(o, TYPE_DEV, "d");
    OrrObject *x = mo_add_container(o, "x");
    OrrMemoryRegion *mid = orr_test_new_ram(OBJ(d), "mid", 0x100);
    OrrMemoryRegion *inner = orr_test_new_ram(OBJ(mid), "inner", 0x10);
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_object_get_lifetime_unit(OBJ(inner)) == OBJ(d));
    OrrAddressSpace *as = orr_test_new_address_space(x, "as", inner);
    OrrMemoryRegion *win =
        orr_memory_region_new_alias(x, "win", inner, 0, 0x10, &err);
    g_assert_no_error(err);
    OrrMemoryRegion *box = orr_test_new_container(x, "box", 0x1000);
    g_assert_true(mo_has_holder(d, "as-root /o/x/as"));
    g_assert_true(mo_has_holder(d, "alias /o/x/win"));

    orr_object_unparent(OBJ(mid)); /* inner goes with it */
    g_assert_null(orr_address_space_get_root(as));
    g_assert_null(orr_memory_region_get_alias_target(win));
    g_assert_false(mo_has_holder(d, "as-root"));
    g_assert_false(mo_has_holder(d, "alias"));
    (void)box;
    orr_object_unparent(o);
    mo_end();
}

/* --- Severed non-owning edges --------------------------------------------- */

/* An alias of a region of its own unit: the target destroyed first
 * severs it. */
static void test_sever_alias_same_unit(void)
{
    mo_begin();
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *d = mo_dev_add(o, TYPE_DEV, "d");
    OrrMemoryRegion *tgt = orr_test_new_ram(OBJ(d), "tgt", 0x1000);
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *win =
        orr_memory_region_new_alias(OBJ(d), "win", tgt, 0, 0x1000, &err);

    g_assert_no_error(err);
    orr_test_add_subregion(d->box, 0x4000, win);
    g_assert_true(orr_memory_region_get_alias_target(win) == tgt);
    orr_test_assert_holders(d, "parent /o");

    orr_object_unparent(OBJ(tgt));
    g_assert_null(orr_memory_region_get_alias_target(win));
    OrrAddressSpace *as = orr_test_new_address_space(OBJ(d), "as", d->box);
    mo_assert_flat(as, "0-fff d.ram 1000-10ff d.regs");
    uint64_t v = 1;
    g_assert_cmpint(orr_address_space_read(as, 0x4000, 4, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0);
    orr_object_unparent(o);
    mo_end();
}

/* d (child of y, held by the test) shows y's region through an alias in
 * its own view; y dies: the alias shows nothing, the target is gone. */
static void sever_alias_owner_case(bool target_mapped)
{
    g_test_message("target_mapped %d", target_mapped);
    mo_begin();
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *y = mo_dev_add(o, TYPE_DEV, "y");
    MoDev *d = mo_dev_add(OBJ(y), TYPE_DEV, "d");

    if (!target_mapped) {
        /* y maps nothing at all: its death changes no container. */
        mo_unmap(y->box, y->ram);
        mo_unmap(y->box, y->regs);
    }
    OrrMemoryRegion *tgt =
        target_mapped ? y->ram : orr_test_new_ram(OBJ(y), "hidden", 0x1000);
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *win =
        orr_memory_region_new_alias(OBJ(d), "win", tgt, 0, 0x1000, &err);

    g_assert_no_error(err);
    orr_object_ref(OBJ(d));
    orr_test_add_subregion(d->box, 0x4000, win);
    OrrAddressSpace *das = orr_test_new_address_space(OBJ(d), "as", d->box);
    if (target_mapped) {
        mo_assert_flat(das, "0-fff d.ram 1000-10ff d.regs 4000-4fff y.ram");
    } else {
        mo_assert_flat(das, "0-fff d.ram 1000-10ff d.regs 4000-4fff y.hidden");
    }
    /* The alias and the view point up: nothing holds y but its parent. */
    orr_test_assert_holders(y, "parent /o");

    orr_object_unparent(OBJ(y));
    orr_test_assert_log("finalize y");
    g_assert_null(orr_memory_region_get_alias_target(win));
    mo_assert_flat(das, "0-fff d.ram 1000-10ff d.regs");
    uint64_t v = 1;
    g_assert_cmpint(orr_address_space_read(das, 0x4000, 4, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0);
    /* A later map change renders d's view again. */
    mo_unmap(d->box, d->regs);
    mo_assert_flat(das, "0-fff d.ram");
    orr_object_unref(OBJ(d));
    orr_test_assert_log("finalize d");
    orr_object_unparent(o);
    mo_end();
}

static void test_sever_alias_owner_dies_mapped(void)
{
    sever_alias_owner_case(true);
}

static void test_sever_alias_owner_dies_unmapped(void)
{
    sever_alias_owner_case(false);
}

/* An address space over its own unit's container: the root destroyed
 * first leaves it with no root and an empty view. */
static void test_sever_as_root_same_unit(void)
{
    mo_begin();
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *d = mo_dev_add(o, TYPE_DEV, "d");
    OrrAddressSpace *das = orr_test_new_address_space(OBJ(d), "as", d->box);

    mo_assert_flat(das, "0-fff d.ram 1000-10ff d.regs");
    orr_object_unparent(OBJ(d->box));
    d->box = NULL;
    g_assert_null(orr_address_space_get_root(das));
    mo_assert_flat(das, "");
    g_assert_null(orr_memory_region_get_container(d->ram));
    g_assert_null(orr_memory_region_get_container(d->regs));
    uint64_t v = 1;
    g_assert_cmpint(orr_address_space_read(das, 0, 4, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0);
    orr_object_unparent(o);
    mo_end();
}

/* An address space of d over its parent's container: the parent dies
 * while the test holds d. */
static void test_sever_as_root_owner_dies(void)
{
    mo_begin();
    OrrObject *o = mo_add_container(orr_root(), "o");
    MoDev *y = mo_dev_add(o, TYPE_DEV, "y");
    MoDev *d = mo_dev_add(OBJ(y), TYPE_DEV, "d");

    orr_object_ref(OBJ(d));
    OrrAddressSpace *das = orr_test_new_address_space(OBJ(d), "as", y->box);
    mo_assert_flat(das, "0-fff y.ram 1000-10ff y.regs");
    orr_test_assert_holders(y, "parent /o");

    orr_object_unparent(OBJ(y));
    orr_test_assert_log("finalize y");
    g_assert_null(orr_address_space_get_root(das));
    mo_assert_flat(das, "");
    orr_object_unref(OBJ(d));
    orr_test_assert_log("finalize d");
    orr_object_unparent(o);
    mo_end();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();
    mo_register_types();

    g_test_add_func("/memory/ownership/cycles/broken-attached",
                    test_cycle_broken_attached);
    g_test_add_func("/memory/ownership/cycles/leak-then-broken",
                    test_cycle_leak_then_broken);
    g_test_add_func("/memory/ownership/region-owned-by-region",
                    test_region_owned_by_region);
    g_test_add_func("/memory/ownership/cycles/alias-and-root",
                    test_cycle_alias_and_root);
    g_test_add_func("/memory/ownership/unrealize-keeps-upward-alias",
                    test_unrealize_keeps_upward_alias);
    g_test_add_func("/memory/ownership/cycles/realized-freed",
                    test_cycle_realized_freed);
    g_test_add_func("/memory/ownership/sever/alias-same-unit",
                    test_sever_alias_same_unit);
    g_test_add_func("/memory/ownership/sever/alias-owner-dies-mapped",
                    test_sever_alias_owner_dies_mapped);
    g_test_add_func("/memory/ownership/sever/alias-owner-dies-unmapped",
                    test_sever_alias_owner_dies_unmapped);
    g_test_add_func("/memory/ownership/sever/as-root-same-unit",
                    test_sever_as_root_same_unit);
    g_test_add_func("/memory/ownership/sever/as-root-owner-dies",
                    test_sever_as_root_owner_dies);
    return g_test_run();
}
