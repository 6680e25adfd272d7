/*
 * Differential tests of rendering and dispatch.
 *
 * Thousands of seeded random memory maps, and random edit sequences on
 * live maps (with nested transactions), are compared address by address
 * with a deliberately naive reference (refview.c, shared with the memory
 * fuzzer): for each address it asks the region tree "who claims this
 * address?" using only public getters, and reads and writes are checked
 * against what that reference predicts. The flat ranges are also compared
 * whole with the reference's own ranges.
 *
 * A map has DIFF_N_AS address spaces: as0 over the main root, of
 * DIFF_SPACE bytes, the others over random regions (mapped or not, any
 * kind, aliases too). Every region is at most DIFF_SPACE bytes, so
 * nothing may show at or above DIFF_SPACE; addresses are bytes, so each
 * can be evaluated on its own. The rendering order the reference follows
 * (get_subregions) is itself checked against the test's own record of
 * priorities and mapping order.
 *
 * The harness lives in diff-map.[ch] (maps: building, printing, specs and
 * random ones) and diff-check.[ch] (comparing views, accesses, minimizing
 * failing maps, random edits); this file holds the tests.
 *
 * Environment (optional): ORR_DIFF_SEED, the base seed (map i uses seed
 * base + i); ORR_DIFF_MAPS, ORR_DIFF_SEQS, ORR_DIFF_STEPS, the counts
 * (lower them under valgrind). -m thorough multiplies the counts by 10.
 * A failure prints the seed, the (minimized) map and expected vs actual.
 */
#include "diff-check.h"
#include "diff-map.h"
#include "test-util.h"

#define DEFAULT_SEED 0x0e11a5u
#define MAX_REPORTS 3 /* failing seeds reported per test */

/* --- Tests ---------------------------------------------------------------- */

static guint env_count(const char *name, guint dflt)
{
    const char *v = g_getenv(name);
    guint n = v ? (guint)g_ascii_strtoull(v, NULL, 0) : dflt;

    return g_test_thorough() ? n * 10 : n;
}

static guint32 base_seed(void)
{
    const char *v = g_getenv("ORR_DIFF_SEED");

    return v ? (guint32)g_ascii_strtoull(v, NULL, 0) : DEFAULT_SEED;
}

static void add(DiffWorld *w, DiffReg *parent, uint64_t offset, DiffReg *sub,
                int prio)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_memory_region_add_subregion_overlap(parent->mr, offset,
                                                          sub->mr, prio, &err));
    g_assert_no_error(err);
    diff_note_mapped(w, sub);
}

/* The reference and the real view of as0 are both @expected. */
static void assert_both(DiffWorld *w, const char *expected)
{
    RefHit real[DIFF_SPACE];
    g_autoptr(GString) why = g_string_new(NULL);

    diff_world_expect(w);
    g_autofree char *ref = diff_format_view(w->view[0]);
    g_assert_cmpstr(ref, ==, expected);
    if (!diff_real_view(w->as[0], real, why)) {
        g_error("%s", why->str);
    }
    g_autofree char *got = diff_format_view(real);
    g_assert_cmpstr(got, ==, expected);
}

/*
 * The reference itself on hand-checked maps: QEMU's memory.rst example
 * (with B a container, then B with ops), clipping, equal priorities,
 * aliases of aliases with windows partly outside, a RAM region's own
 * subregions, disabled subtrees, readonly and ROM.
 */
static void test_reference_sanity(void)
{
    for (guint b_io = 0; b_io < 2; b_io++) {
        DiffWorld *w = diff_world_new();
        DiffReg *a =
            diff_world_add_region(w, 0, ORR_REGION_CONTAINER, 0x80, NULL, 0);
        DiffReg *c = diff_world_add_region(w, 1, ORR_REGION_IO, 0x60, NULL, 0);
        DiffReg *b = diff_world_add_region(
            w, 2, b_io ? ORR_REGION_IO : ORR_REGION_CONTAINER, 0x40, NULL, 0);
        DiffReg *d = diff_world_add_region(w, 3, ORR_REGION_IO, 0x10, NULL, 0);
        DiffReg *e = diff_world_add_region(w, 4, ORR_REGION_IO, 0x10, NULL, 0);

        add(w, a, 0, c, 1);
        add(w, a, 0x20, b, 2);
        add(w, b, 0, d, 0);
        add(w, b, 0x20, e, 0);
        diff_world_new_spaces(w, (const guint[DIFF_N_AS]){0, 2, 4});
        assert_both(w, b_io ? "00-1f r1 20-2f r3 30-3f r2@10 40-4f r4 "
                              "50-5f r2@30"
                            : "00-1f r1 20-2f r3 30-3f r1@30 40-4f r4 "
                              "50-5f r1@50");
        diff_world_free(w);
    }

    DiffWorld *w = diff_world_new();
    DiffReg *root =
        diff_world_add_region(w, 0, ORR_REGION_CONTAINER, DIFF_SPACE, NULL, 0);
    DiffReg *ram = diff_world_add_region(w, 1, ORR_REGION_RAM, 0x40, NULL, 0);
    /* Window [0x30, 0x50) of a 0x40-byte target: half of it shows. */
    DiffReg *a1 =
        diff_world_add_region(w, 2, ORR_REGION_ALIAS, 0x20, ram, 0x30);
    /* Window [0x8, 0x18) of a1: ram 0x38-0x3f, then nothing. */
    DiffReg *a2 = diff_world_add_region(w, 3, ORR_REGION_ALIAS, 0x10, a1, 0x8);
    DiffReg *box =
        diff_world_add_region(w, 4, ORR_REGION_CONTAINER, 0x20, NULL, 0);
    DiffReg *big = diff_world_add_region(w, 5, ORR_REGION_IO, 0x40, NULL, 0);
    DiffReg *x = diff_world_add_region(w, 6, ORR_REGION_IO, 0x10, NULL, 0);
    DiffReg *y = diff_world_add_region(w, 7, ORR_REGION_IO, 0x10, NULL, 0);
    DiffReg *ram2 = diff_world_add_region(w, 8, ORR_REGION_RAM, 0x20, NULL, 0);
    DiffReg *hole = diff_world_add_region(w, 9, ORR_REGION_IO, 0x8, NULL, 0);
    DiffReg *off =
        diff_world_add_region(w, 10, ORR_REGION_CONTAINER, 0x10, NULL, 0);
    DiffReg *in_off =
        diff_world_add_region(w, 11, ORR_REGION_IO, 0x10, NULL, 0);
    DiffReg *rom = diff_world_add_region(w, 12, ORR_REGION_ROM, 0x8, NULL, 0);

    add(w, root, 0x80, a1, 0);
    add(w, root, 0xc0, a2, 0);
    orr_memory_region_set_readonly(a2->mr, true);
    add(w, root, 0x10, box, 0);
    add(w, box, 0x8, big, 0); /* clipped at box's end, 0x30 */
    add(w, root, 0x20, x, 0); /* newer than box: wins */
    add(w, root, 0x28, y, 0); /* newer than x: wins */
    add(w, root, 0x40, ram2, 0);
    add(w, ram2, 0x4, hole, -1); /* shows above its RAM anyway */
    add(w, root, 0x60, off, 0);
    add(w, off, 0, in_off, 0);
    add(w, root, 0xe0, rom, 0);
    diff_world_new_spaces(w, (const guint[DIFF_N_AS]){0, 3, 8});
    assert_both(w, "18-1f r5 20-27 r6 28-37 r7 40-43 r8 44-4b r9 4c-5f r8@c "
                   "60-6f r11 80-8f r1@30 c0-c7 r1@38(ro) e0-e7 r12(ro)");
    orr_memory_region_set_enabled(off->mr, false);
    orr_memory_region_set_priority(x->mr, 0); /* now the newest */
    diff_note_mapped(w, x);
    assert_both(w, "18-1f r5 20-2f r6 30-37 r7@8 40-43 r8 44-4b r9 "
                   "4c-5f r8@c 80-8f r1@30 c0-c7 r1@38(ro) e0-e7 r12(ro)");

    g_autoptr(GString) why = g_string_new(NULL);
    if (!diff_world_compare(w, why) || !diff_world_all_reads(w, why)) {
        g_error("%s", why->str);
    }
    diff_world_free(w);
    orr_test_assert_no_live_objects();
}

/*
 * The minimized form of what the random edits found: an address space
 * whose root is itself mapped in a container must follow edits inside and
 * of its root like any other, also when the root leaves its container in
 * the same transaction. Each case starts from a fresh map, r2 (MMIO, 0x10
 * bytes) at 0x8 in r1 (a 0x40-byte container) at 0x80 in r0, with as0
 * and as2 over r0 and as1 over r1, makes one change and compares all
 * three address spaces with the reference. Every case runs; the failing
 * ones are reported.
 */
static void test_root_inside_container(void)
{
    static const char *const cases[] = {
        "set_address r2 0x20",
        "set_readonly r1 1 (as1's root)",
        "set_enabled r2 0",
        "set_enabled r1 0 (as1's root)",
        "del r2 from r1",
        "add r3 (MMIO, 0x10 bytes) to r1 @0x20",
        "set_address r1 0x10 (as1's root moves: as1 must not change)",
        "begin; set_enabled r1 0; del r1 from r0; commit",
    };
    guint failed = 0;

    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        DiffWorld *w = diff_world_new();
        DiffReg *top = diff_world_add_region(w, 0, ORR_REGION_CONTAINER,
                                             DIFF_SPACE, NULL, 0);
        DiffReg *mid =
            diff_world_add_region(w, 1, ORR_REGION_CONTAINER, 0x40, NULL, 0);
        DiffReg *dev =
            diff_world_add_region(w, 2, ORR_REGION_IO, 0x10, NULL, 0);
        g_autoptr(GError) err = NULL;
        g_autoptr(GString) why = g_string_new(NULL);

        add(w, top, 0x80, mid, 0);
        add(w, mid, 0x8, dev, 0);
        diff_world_new_spaces(w, (const guint[DIFF_N_AS]){0, 1, 0});
        diff_world_expect(w);
        g_assert_true(diff_world_compare(w, why));

        switch (c) {
        case 0:
            g_assert_true(orr_memory_region_set_address(dev->mr, 0x20, &err));
            break;
        case 1:
            orr_memory_region_set_readonly(mid->mr, true);
            break;
        case 2:
            orr_memory_region_set_enabled(dev->mr, false);
            break;
        case 3:
            orr_memory_region_set_enabled(mid->mr, false);
            break;
        case 4:
            g_assert_true(
                orr_memory_region_del_subregion(mid->mr, dev->mr, &err));
            break;
        case 5:
            add(w, mid, 0x20,
                diff_world_add_region(w, 3, ORR_REGION_IO, 0x10, NULL, 0), 0);
            break;
        case 6:
            g_assert_true(orr_memory_region_set_address(mid->mr, 0x10, &err));
            break;
        case 7:
            orr_memory_transaction_begin();
            orr_memory_region_set_enabled(mid->mr, false);
            g_assert_true(
                orr_memory_region_del_subregion(top->mr, mid->mr, &err));
            orr_memory_transaction_commit();
            break;
        }
        g_assert_no_error(err);
        diff_world_expect(w);
        if (!diff_world_compare(w, why)) {
            g_autofree char *dump = diff_world_dump(w);
            g_test_message("after \"%s\":\n%s%s", cases[c], dump, why->str);
            failed++;
        }
        diff_world_free(w);
    }
    if (failed > 0) {
        g_test_message("%u of %u cases failing", failed,
                       (guint)G_N_ELEMENTS(cases));
        g_test_fail();
    }
    orr_test_assert_no_live_objects();
}

/* Thousands of random static maps: views, then random reads and writes. */
static void test_random_maps(void)
{
    guint maps = env_count("ORR_DIFF_MAPS", 5000);
    guint32 base = base_seed();
    guint failures = 0;

    for (guint m = 0; m < maps && failures < MAX_REPORTS; m++) {
        guint32 seed = base + m;
        GRand *rand = g_rand_new_with_seed(seed);
        DiffMapSpec *s = diff_spec_random(rand, 24);
        DiffWorld *w = diff_world_build(s);
        g_autoptr(GString) why = g_string_new(NULL);
        bool ok = diff_world_compare(w, why) &&
                  diff_world_random_accesses(w, rand, 48, 16, why);

        if (!ok) {
            g_autofree char *dump = diff_world_dump(w);
            g_test_message("random map, seed %u (ORR_DIFF_SEED=%u "
                           "ORR_DIFF_MAPS=1):\n%s%s",
                           seed, seed, dump, why->str);
        }
        diff_world_free(w);
        if (!ok) {
            g_autofree char *what = g_strdup_printf("seed %u", seed);
            diff_report_spec(what, s);
            failures++;
        }
        diff_spec_free(s);
        g_rand_free(rand);
    }
    g_test_message("%u random maps from seed %u: %u failing", maps, base,
                   failures);
    if (failures > 0) {
        g_test_fail();
    }
    orr_test_assert_no_live_objects();
}

/*
 * Random edit sequences on live maps, some in nested transactions. Outside
 * a transaction each edit must show at once; inside one, nothing may
 * change until the outermost commit. Reads and writes follow the view the
 * address spaces should have. @data is the largest number of regions per
 * map: wide maps put enough siblings in one container for renders to use
 * its address index.
 */
static void test_random_edits(gconstpointer data)
{
    guint max_regions = GPOINTER_TO_UINT(data);
    guint seqs = env_count("ORR_DIFF_SEQS", max_regions > 16 ? 150 : 500);
    guint steps = env_count("ORR_DIFF_STEPS", 60);
    guint32 base = base_seed() + 1000000u;
    guint failures = 0, edits = 0, commits = 0, checks = 0;

    if (g_test_thorough()) {
        steps /= 10; /* longer sequences are not more useful: more of them */
    }
    for (guint q = 0; q < seqs && failures < MAX_REPORTS; q++) {
        guint32 seed = base + q;
        GRand *rand = g_rand_new_with_seed(seed);
        DiffMapSpec *s = diff_spec_random(rand, max_regions);
        DiffWorld *w = diff_world_build(s);
        g_autoptr(GString) why = g_string_new(NULL);
        bool ok = diff_world_compare(w, why);

        diff_spec_free(s);
        for (guint step = 0; ok && step <= steps; step++) {
            bool outermost;

            if (step < steps) {
                g_string_append_printf(w->log, "  %u: ", step);
                outermost = diff_edit_random(w, rand);
                edits++;
            } else if (w->tx_depth > 0) {
                /* Close what is still open, then a last look. */
                while (w->tx_depth > 0) {
                    g_string_append(w->log, "  end: commit\n");
                    orr_memory_transaction_commit();
                    w->tx_depth--;
                }
                outermost = true;
            } else {
                outermost = false;
            }
            if (w->edit_error->len > 0) {
                g_string_append(why, w->edit_error->str);
                ok = false;
                break;
            }
            commits += outermost;
            if (w->tx_depth == 0) {
                diff_world_expect(w);
            } /* else the views must still be the old ones */
            ok = diff_world_compare(w, why) &&
                 diff_world_random_accesses(w, rand, 4, 2, why);
            checks++;
        }
        if (!ok) {
            g_autofree char *dump = diff_world_dump(w);
            g_test_message("edit sequence, seed %u (rerun: ORR_DIFF_SEED=%u "
                           "ORR_DIFF_SEQS=1), transaction depth %u:\n"
                           "edits:\n%smap now:\n%s%s",
                           seed, seed - 1000000u, w->tx_depth, w->log->str,
                           dump, why->str);
            while (w->tx_depth > 0) {
                orr_memory_transaction_commit();
                w->tx_depth--;
            }
            DiffMapSpec *now = diff_world_snapshot(w);
            diff_world_free(w);
            g_autofree char *what = g_strdup_printf("edit seed %u", seed);
            diff_report_spec(what, now);
            diff_spec_free(now);
            failures++;
        } else {
            diff_world_free(w);
        }
        g_rand_free(rand);
    }
    g_test_message("%u edit sequences of %u steps from seed %u: %u edits, "
                   "%u outermost commits, %u checks of all views, %u failing",
                   seqs, steps, base, edits, commits, checks, failures);
    if (failures > 0) {
        g_test_fail();
    }
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/memory/diff/reference-sanity", test_reference_sanity);
    g_test_add_func("/memory/diff/root-inside-container",
                    test_root_inside_container);
    g_test_add_func("/memory/diff/random-maps", test_random_maps);
    g_test_add_data_func("/memory/diff/random-edits", GUINT_TO_POINTER(16),
                         test_random_edits);
    g_test_add_data_func("/memory/diff/random-edits-wide", GUINT_TO_POINTER(96),
                         test_random_edits);
    return g_test_run();
}
