/*
 * Unit tests for memory listeners: replay, ordering by priority,
 * deletions before additions, nop, transactions, removal from callbacks.
 */
#include "test-util.h"

typedef struct Rec {
    const char *tag;
    OrrMemoryListener *handle;
    /* (nullable) a listener to unregister from region_add */
    OrrMemoryListener **drop_on_add;
} Rec;

static void rec_begin(void *opaque)
{
    orr_test_log("%s begin", ((Rec *)opaque)->tag);
}

static void rec_commit(void *opaque)
{
    orr_test_log("%s commit", ((Rec *)opaque)->tag);
}

static void rec_range(const char *what, const OrrFlatRange *r, Rec *rec)
{
    orr_test_log("%s %s %s %" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x",
                 rec->tag, what, orr_memory_region_get_name(r->region),
                 r->start, r->last);
}

static void rec_add(const OrrFlatRange *r, void *opaque)
{
    Rec *rec = opaque;

    rec_range("add", r, rec);
    if (rec->drop_on_add != NULL && *rec->drop_on_add != NULL) {
        OrrMemoryListener *victim = *rec->drop_on_add;
        *rec->drop_on_add = NULL;
        orr_memory_listener_unregister(victim);
    }
}

static void rec_del(const OrrFlatRange *r, void *opaque)
{
    rec_range("del", r, opaque);
}

static void rec_nop(const OrrFlatRange *r, void *opaque)
{
    rec_range("nop", r, opaque);
}

static OrrMemoryListener *listen(OrrAddressSpace *as, Rec *rec, int priority,
                                 bool with_nop)
{
    OrrMemoryListenerOps ops = {
        .begin = rec_begin,
        .commit = rec_commit,
        .region_add = rec_add,
        .region_del = rec_del,
        .region_nop = with_nop ? rec_nop : NULL,
        .priority = priority,
    };

    rec->handle = orr_memory_listener_register(as, &ops, rec, NULL);
    return rec->handle;
}

typedef struct Fixture {
    OrrObject *owner;
    OrrMemoryRegion *root;
    OrrMemoryRegion *a;
    OrrMemoryRegion *b;
    OrrAddressSpace *as;
} Fixture;

static void fixture_build(Fixture *f)
{
    g_autoptr(GError) err = NULL;

    f->owner = orr_object_new(ORR_TYPE_CONTAINER, NULL);
    g_assert_nonnull(
        orr_object_add_child(orr_root(), "test-lis", f->owner, NULL));
    orr_object_unref(f->owner);
    f->root = orr_memory_region_new_container(f->owner, "root", 0x10000, &err);
    f->a = orr_memory_region_new_ram(f->owner, "a", 0x1000, &err);
    f->b = orr_memory_region_new_ram(f->owner, "b", 0x1000, &err);
    g_assert_no_error(err);
    g_assert_true(orr_memory_region_add_subregion(f->root, 0, f->a, &err));
    f->as = orr_address_space_new(f->owner, "as", f->root, &err);
    g_assert_no_error(err);
    orr_test_log_clear();
}

static void fixture_free(Fixture *f)
{
    orr_object_unparent(f->owner);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

/* Registration replays the view; unregistration replays deletions. */
static void test_replay(void)
{
    Fixture f;
    Rec r = {.tag = "L"};

    fixture_build(&f);
    listen(f.as, &r, 0, false);
    orr_test_assert_log("L begin, L add a 0-fff, L commit");
    orr_memory_listener_unregister(r.handle);
    orr_test_assert_log("L begin, L del a 0-fff, L commit");
    fixture_free(&f);
}

/* add/nop/begin/commit by ascending priority, del descending; all
 * deletions before additions. */
static void test_ordering(void)
{
    Fixture f;
    Rec lo = {.tag = "lo"}, hi = {.tag = "hi"};
    g_autoptr(GError) err = NULL;

    fixture_build(&f);
    listen(f.as, &hi, 10, true);
    listen(f.as, &lo, -10, true);
    orr_test_log_clear();

    /* Move a: one deletion and one addition; map b: one addition. */
    orr_memory_transaction_begin();
    g_assert_true(orr_memory_region_set_address(f.a, 0x2000, &err));
    g_assert_true(orr_memory_region_add_subregion(f.root, 0x4000, f.b, &err));
    orr_memory_transaction_commit();
    orr_test_assert_log("lo begin, hi begin, "
                        "hi del a 0-fff, lo del a 0-fff, "
                        "lo add a 2000-2fff, hi add a 2000-2fff, "
                        "lo add b 4000-4fff, hi add b 4000-4fff, "
                        "lo commit, hi commit");

    /* Unmap b: a is unchanged (nop), b goes. */
    g_assert_true(orr_memory_region_del_subregion(f.root, f.b, &err));
    orr_test_assert_log("lo begin, hi begin, "
                        "hi del b 4000-4fff, lo del b 4000-4fff, "
                        "lo nop a 2000-2fff, hi nop a 2000-2fff, "
                        "lo commit, hi commit");
    orr_memory_listener_unregister(lo.handle);
    orr_memory_listener_unregister(hi.handle);
    fixture_free(&f);
}

/* Nested transactions make one update, at the outermost commit. */
static void test_nested_transactions(void)
{
    Fixture f;
    Rec r = {.tag = "L"};
    g_autoptr(GError) err = NULL;

    fixture_build(&f);
    listen(f.as, &r, 0, false);
    orr_test_log_clear();

    orr_memory_transaction_begin();
    g_assert_true(orr_memory_region_add_subregion(f.root, 0x4000, f.b, &err));
    orr_memory_transaction_begin();
    orr_memory_region_set_enabled(f.a, false);
    orr_memory_transaction_commit();
    g_autofree char *inner = orr_test_log_take();
    g_assert_cmpstr(inner, ==, "");
    uint64_t v;
    g_assert_cmpint(orr_address_space_read(f.as, 0x4000, 1, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    orr_memory_transaction_commit();
    orr_test_assert_log("L begin, L del a 0-fff, L add b 4000-4fff, "
                        "L commit");
    g_assert_cmpint(orr_address_space_read(f.as, 0x4000, 1, &v), ==,
                    ORR_MEMTX_OK);

    /* A change that renders the same view tells nobody. */
    orr_memory_region_set_priority(f.b, 0);
    g_autofree char *none = orr_test_log_take();
    g_assert_cmpstr(none, ==, "");
    orr_memory_listener_unregister(r.handle);
    fixture_free(&f);
}

/* A callback may unregister another listener: it hears nothing more. */
static void test_unregister_from_callback(void)
{
    Fixture f;
    Rec first = {.tag = "1"}, second = {.tag = "2"};
    g_autoptr(GError) err = NULL;
    OrrMemoryListener *victim;

    fixture_build(&f);
    listen(f.as, &first, 0, false);
    victim = listen(f.as, &second, 1, false);
    first.drop_on_add = &victim;
    orr_test_log_clear();

    g_assert_true(orr_memory_region_add_subregion(f.root, 0x4000, f.b, &err));
    orr_test_assert_log("1 begin, 2 begin, 1 add b 4000-4fff, 1 commit");
    orr_memory_listener_unregister(first.handle);
    fixture_free(&f);
}

/* Listeners of a finalized address space are told and freed. */
static void destroy_count(void *opaque)
{
    (*(int *)opaque)++;
}

static void test_address_space_death(void)
{
    Fixture f;
    int destroyed = 0;
    OrrMemoryListenerOps ops = {.priority = 0};

    fixture_build(&f);
    orr_memory_listener_register(f.as, &ops, &destroyed, destroy_count);
    orr_object_unparent(orr_address_space_object(f.as));
    g_assert_cmpint(destroyed, ==, 1);
    fixture_free(&f);
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/listener/replay", test_replay);
    g_test_add_func("/listener/ordering", test_ordering);
    g_test_add_func("/listener/nested-transactions", test_nested_transactions);
    g_test_add_func("/listener/unregister-from-callback",
                    test_unregister_from_callback);
    g_test_add_func("/listener/address-space-death", test_address_space_death);
    return g_test_run();
}
