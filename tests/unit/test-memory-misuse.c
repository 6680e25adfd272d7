/*
 * Unit tests for misuse of the memory API (memory.md, section 10, and
 * object-model.md, section 9): every misuse a script can reach fails with a
 * GError that says what and why, and leaves the map exactly as it was; bad
 * accesses return the documented MemTx result and touch nothing.
 */
#include "test-util.h"

#define OBJ(x) ((OrrObject *)(x))

/* --- Regions -------------------------------------------------------------- */

/* A test MMIO region counts its calls and answers 0x5a in every byte. */
static guint io_calls;

static uint64_t io_read(void *opaque, uint64_t offset, unsigned size)
{
    io_calls++;
    return UINT64_C(0x5a5a5a5a5a5a5a5a) >> (64 - 8 * size);
}

static void io_write(void *opaque, uint64_t offset, uint64_t value,
                     unsigned size)
{
    io_calls++;
}

static const OrrMemoryOps io_ops = {
    .read = io_read,
    .write = io_write,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 8},
};

static OrrObject *new_owner(const char *name)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = orr_object_new(ORR_TYPE_CONTAINER, &err);

    g_assert_no_error(err);
    g_assert_nonnull(orr_object_add_child(orr_root(), name, o, &err));
    g_assert_no_error(err);
    orr_object_unref(o);
    return o;
}

static OrrMemoryRegion *io(OrrObject *o, const char *name, uint64_t size)
{
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *mr =
        orr_memory_region_new_io(o, name, size, &io_ops, NULL, &err);

    g_assert_no_error(err);
    g_assert_nonnull(mr);
    return mr;
}

static OrrMemoryRegion *alias(OrrObject *o, const char *name,
                              OrrMemoryRegion *target, uint64_t offset,
                              uint64_t size)
{
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *mr =
        orr_memory_region_new_alias(o, name, target, offset, size, &err);

    g_assert_no_error(err);
    g_assert_nonnull(mr);
    return mr;
}

/* --- What "unchanged" means ----------------------------------------------- */

static const char *name_or_dash(OrrMemoryRegion *mr)
{
    return mr ? orr_memory_region_get_name(mr) : "-";
}

/*
 * Everything a misuse could disturb: @as's flat view, then for each
 * region owned by @o (in order of creation) its kind, size, address,
 * priority, flags, container, alias target and offset, and subregions in
 * rendering order; then the number of live objects.
 */
static char *state_of(OrrObject *o, OrrAddressSpace *as)
{
    g_autoptr(GPtrArray) children = orr_object_get_children(o);
    g_autofree char *f = orr_test_flat_text(as);
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "flat: %s\n", f);
    for (guint i = 0; i < children->len; i++) {
        OrrObject *child = children->pdata[i];
        if (!orr_object_is_a(child, ORR_TYPE_MEMORY_REGION)) {
            continue;
        }
        OrrMemoryRegion *mr = ORR_MEMORY_REGION(child);
        g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(mr);
        g_string_append_printf(
            s,
            "%s %s size=%" G_GINT64_MODIFIER "x addr=%" G_GINT64_MODIFIER
            "x prio=%d en=%d ro=%d romd=%d in=%s "
            "alias=%s@%" G_GINT64_MODIFIER "x subs=[",
            orr_memory_region_get_name(mr),
            orr_memory_region_kind_name(orr_memory_region_get_kind(mr)),
            orr_memory_region_get_size(mr), orr_memory_region_get_address(mr),
            orr_memory_region_get_priority(mr),
            orr_memory_region_is_enabled(mr), orr_memory_region_is_readonly(mr),
            orr_memory_region_is_romd(mr),
            name_or_dash(orr_memory_region_get_container(mr)),
            name_or_dash(orr_memory_region_get_alias_target(mr)),
            orr_memory_region_get_alias_offset(mr));
        for (guint j = 0; j < subs->len; j++) {
            g_string_append_printf(s, "%s%s", j ? "," : "",
                                   orr_memory_region_get_name(subs->pdata[j]));
        }
        g_string_append(s, "]\n");
    }
    g_string_append_printf(s, "live=%u\n", orr_live_count(NULL));
    return g_string_free(s, FALSE);
}

#define assert_unchanged(o, as, before)                                        \
    do {                                                                       \
        g_autofree char *after_ = state_of((o), (as));                         \
        g_assert_cmpstr(after_, ==, (before));                                 \
    } while (0)

/* --- Errors --------------------------------------------------------------- */

#define assert_contains(hay, needle)                                           \
    do {                                                                       \
        const char *h_ = (hay), *n_ = (needle);                                \
        if (strstr(h_, n_) == NULL) {                                          \
            g_assertion_message_cmpstr(G_LOG_DOMAIN, __FILE__, __LINE__,       \
                                       G_STRFUNC, "message contains", h_,      \
                                       "contains", n_);                        \
        }                                                                      \
    } while (0)

static void expect_error(GError **err, OrrErrorCode code, const char *first,
                         ...) G_GNUC_NULL_TERMINATED;

/* Checks that *@err is ORR_ERROR/@code and that its message contains each
 * string of the NULL-terminated list; then clears it. */
static void expect_error(GError **err, OrrErrorCode code, const char *first,
                         ...)
{
    va_list ap;

    g_assert_nonnull(*err);
    g_test_message("error: %s", (*err)->message);
    g_assert_error(*err, ORR_ERROR, (gint)code);
    va_start(ap, first);
    for (const char *s = first; s != NULL; s = va_arg(ap, const char *)) {
        assert_contains((*err)->message, s);
    }
    va_end(ap);
    g_clear_error(err);
}

static void end(OrrObject *o)
{
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* --- Mapping -------------------------------------------------------------- */

/* root (64 KiB) holds c1 at 0 (16 KiB) and c2 at 0x8000 (16 KiB); c1
 * holds sub (MMIO) at 0x100; "loose" (MMIO) is in no container. */
typedef struct Map {
    OrrObject *o;
    OrrMemoryRegion *root, *c1, *c2, *sub, *loose;
    OrrAddressSpace *as;
} Map;

static Map build_map(void)
{
    Map m;

    m.o = new_owner("o");
    m.root = orr_test_new_container(m.o, "root", 0x10000);
    m.c1 = orr_test_new_container(m.o, "c1", 0x4000);
    m.c2 = orr_test_new_container(m.o, "c2", 0x4000);
    m.sub = io(m.o, "sub", 0x100);
    m.loose = io(m.o, "loose", 0x100);
    orr_test_add_subregion(m.root, 0, m.c1);
    orr_test_add_subregion(m.root, 0x8000, m.c2);
    orr_test_add_subregion(m.c1, 0x100, m.sub);
    m.as = orr_test_new_address_space(m.o, "as", m.root);
    orr_test_assert_flat(m.as, "100-1ff sub");
    return m;
}

static void test_already_in_container(void)
{
    g_autoptr(GError) err = NULL;
    Map m = build_map();
    g_autofree char *before = state_of(m.o, m.as);

    g_assert_false(orr_memory_region_add_subregion(m.c2, 0, m.sub, &err));
    expect_error(&err, ORR_ERROR_EXISTS, "add_subregion", "'/o/sub'", "'/o/c1'",
                 "already", NULL);
    assert_unchanged(m.o, m.as, before);

    /* The same container again, elsewhere: still refused. */
    g_assert_false(orr_memory_region_add_subregion(m.c1, 0x200, m.sub, &err));
    expect_error(&err, ORR_ERROR_EXISTS, "add_subregion", "'/o/sub'", "'/o/c1'",
                 NULL);
    g_assert_false(orr_memory_region_add_subregion_overlap(m.root, 0x4000,
                                                           m.sub, 3, &err));
    expect_error(&err, ORR_ERROR_EXISTS, "add_subregion", "'/o/sub'", NULL);
    assert_unchanged(m.o, m.as, before);
    g_assert_cmpuint(orr_memory_region_get_address(m.sub), ==, 0x100);
    g_assert_cmpint(orr_memory_region_get_priority(m.sub), ==, 0);
    end(m.o);
}

static void test_del_wrong_container(void)
{
    g_autoptr(GError) err = NULL;
    Map m = build_map();
    g_autofree char *before = state_of(m.o, m.as);

    g_assert_false(orr_memory_region_del_subregion(m.c2, m.sub, &err));
    expect_error(&err, ORR_ERROR_NOT_FOUND, "del_subregion", "'/o/sub'",
                 "'/o/c2'", "not mapped", NULL);
    /* Not from its grandparent either. */
    g_assert_false(orr_memory_region_del_subregion(m.root, m.sub, &err));
    expect_error(&err, ORR_ERROR_NOT_FOUND, "del_subregion", "'/o/sub'",
                 "'/o/root'", NULL);
    /* A region in no container, and a container from itself. */
    g_assert_false(orr_memory_region_del_subregion(m.c1, m.loose, &err));
    expect_error(&err, ORR_ERROR_NOT_FOUND, "del_subregion", "'/o/loose'",
                 NULL);
    g_assert_false(orr_memory_region_del_subregion(m.c1, m.c1, &err));
    expect_error(&err, ORR_ERROR_NOT_FOUND, "del_subregion", "'/o/c1'", NULL);
    assert_unchanged(m.o, m.as, before);

    /* Deleting twice: the second one is refused. */
    g_assert_true(orr_memory_region_del_subregion(m.c1, m.sub, &err));
    g_assert_no_error(err);
    g_autofree char *after_del = state_of(m.o, m.as);
    g_assert_false(orr_memory_region_del_subregion(m.c1, m.sub, &err));
    expect_error(&err, ORR_ERROR_NOT_FOUND, "del_subregion", "'/o/sub'", NULL);
    assert_unchanged(m.o, m.as, after_del);
    end(m.o);
}

static void test_container_in_itself(void)
{
    g_autoptr(GError) err = NULL;
    Map m = build_map();
    OrrMemoryRegion *inner = orr_test_new_container(m.o, "inner", 0x1000);
    OrrMemoryRegion *x = orr_test_new_container(m.o, "x", 0x1000);
    OrrMemoryRegion *y = orr_test_new_container(m.o, "y", 0x1000);

    orr_test_add_subregion(m.c1, 0x1000, inner);
    /* x (in no container) holds an alias of y. */
    orr_test_add_subregion(x, 0, alias(m.o, "ywin", y, 0, 0x1000));
    g_autofree char *before = state_of(m.o, m.as);

    /* Directly. */
    g_assert_false(orr_memory_region_add_subregion(x, 0, x, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/x'", "loop",
                 NULL);
    g_assert_false(orr_memory_region_add_subregion(m.root, 0, m.root, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/root'", NULL);
    /* Through a chain: root > c1 > inner. */
    g_assert_false(orr_memory_region_add_subregion(inner, 0, m.root, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/root'",
                 "'/o/inner'", NULL);
    g_assert_false(
        orr_memory_region_add_subregion_overlap(m.c1, 0, m.root, 1, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/root'", "'/o/c1'",
                 NULL);
    /* Through an alias: x shows y, so x cannot go into y. */
    g_assert_false(orr_memory_region_add_subregion(y, 0, x, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/x'", "'/o/y'",
                 NULL);
    assert_unchanged(m.o, m.as, before);
    end(m.o);
}

static void test_alias_loop(void)
{
    g_autoptr(GError) err = NULL;
    Map m = build_map();
    /* An alias of c1, an alias of that alias, and an alias of root. */
    OrrMemoryRegion *win = alias(m.o, "win", m.c1, 0, 0x1000);
    OrrMemoryRegion *win2 = alias(m.o, "win2", win, 0, 0x800);
    OrrMemoryRegion *rwin = alias(m.o, "rwin", m.root, 0, 0x1000);
    g_autofree char *before = state_of(m.o, m.as);

    /* An alias placed inside its own target. */
    g_assert_false(orr_memory_region_add_subregion(m.c1, 0x2000, win, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/win'", "'/o/c1'",
                 NULL);
    /* ...through a chain of aliases. */
    g_assert_false(orr_memory_region_add_subregion(m.c1, 0x2000, win2, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/win2'", "'/o/c1'",
                 NULL);
    /* ...and through containers: rwin shows root, which holds c1. */
    g_assert_false(orr_memory_region_add_subregion(m.c1, 0x2000, rwin, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/rwin'", "'/o/c1'",
                 NULL);
    g_assert_false(orr_memory_region_add_subregion(m.c2, 0, rwin, &err));
    expect_error(&err, ORR_ERROR_CYCLE, "add_subregion", "'/o/rwin'", "'/o/c2'",
                 NULL);
    assert_unchanged(m.o, m.as, before);

    /* The same alias elsewhere is fine. */
    OrrMemoryRegion *other = orr_test_new_container(m.o, "other", 0x2000);
    orr_test_add_subregion(other, 0, win);
    end(m.o);
}

static void test_subregion_of_alias(void)
{
    g_autoptr(GError) err = NULL;
    Map m = build_map();
    OrrMemoryRegion *win = alias(m.o, "win", m.c2, 0, 0x1000);

    orr_test_add_subregion(m.root, 0xc000, win);
    g_autofree char *before = state_of(m.o, m.as);

    g_assert_false(orr_memory_region_add_subregion(win, 0, m.loose, &err));
    expect_error(&err, ORR_ERROR_INVALID, "add_subregion", "'/o/win'", "alias",
                 NULL);
    g_assert_false(
        orr_memory_region_add_subregion_overlap(win, 0, m.loose, 2, &err));
    expect_error(&err, ORR_ERROR_INVALID, "add_subregion", "alias", NULL);
    assert_unchanged(m.o, m.as, before);
    g_assert_null(orr_memory_region_get_container(m.loose));
    end(m.o);
}

/* --- Addresses past 2^64 -------------------------------------------------- */

static void test_overflow(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", ORR_SIZE_2_64);
    OrrMemoryRegion *low = io(o, "low", 0x1000);
    OrrMemoryRegion *r = io(o, "r", 0x2000);
    OrrMemoryRegion *big = orr_test_new_container(o, "big", ORR_SIZE_2_64);

    orr_test_add_subregion(root, 0x1000, low);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    g_autofree char *before = state_of(o, as);

    /* add_subregion: offset + size past 2^64. */
    g_assert_false(
        orr_memory_region_add_subregion(root, UINT64_MAX - 0xfff, r, &err));
    expect_error(&err, ORR_ERROR_INVALID, "add_subregion", "'/o/r'", "2^64",
                 NULL);
    g_assert_false(orr_memory_region_add_subregion(root, UINT64_MAX, r, &err));
    expect_error(&err, ORR_ERROR_INVALID, "add_subregion", "2^64", NULL);
    g_assert_false(
        orr_memory_region_add_subregion_overlap(root, 1, big, 1, &err));
    expect_error(&err, ORR_ERROR_INVALID, "add_subregion", "'/o/big'", "2^64",
                 NULL);
    /* set_address: mapped and not mapped. */
    g_assert_false(
        orr_memory_region_set_address(low, UINT64_MAX - 0xffe, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_address", "'/o/low'", "2^64",
                 NULL);
    g_assert_false(orr_memory_region_set_address(r, UINT64_MAX, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_address", "'/o/r'", NULL);
    g_assert_false(orr_memory_region_set_address(big, 1, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_address", "'/o/big'", NULL);
    assert_unchanged(o, as, before);

    /* Ending exactly at 2^64 is fine; one byte further is not. */
    orr_test_add_subregion(root, UINT64_MAX - 0x1fff, r);
    orr_test_assert_flat(as,
                         "1000-1fff low ffffffffffffe000-ffffffffffffffff r");
    g_autofree char *at_top = state_of(o, as);
    g_assert_false(orr_memory_region_set_address(r, UINT64_MAX - 0x1ffe, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_address", "'/o/r'", NULL);
    assert_unchanged(o, as, at_top);
    g_assert_true(orr_memory_region_set_address(big, 0, &err));
    g_assert_no_error(err);
    end(o);
}

/* --- Bad accesses --------------------------------------------------------- */

static void test_access_size(void)
{
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *r = orr_test_new_ram(o, "ram", 0x1000);
    OrrMemoryRegion *dev = io(o, "dev", 0x100);
    uint8_t *host = orr_memory_region_get_ram_ptr(r);
    uint8_t buf[8];
    uint64_t v;

    orr_test_add_subregion(root, 0x1000, r);
    orr_test_add_subregion(root, 0x4000, dev);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    for (guint i = 0; i < 8; i++) {
        host[i] = (uint8_t)(0x10 + i);
    }
    io_calls = 0;
    g_autofree char *before = state_of(o, as);

    static const unsigned bad_sizes[] = {0, 3, 5, 16};
    for (guint i = 0; i < G_N_ELEMENTS(bad_sizes); i++) {
        unsigned size = bad_sizes[i];
        v = 0xdead;
        g_assert_cmpint(orr_address_space_read(as, 0x1000, size, &v), ==,
                        ORR_MEMTX_ACCESS_ERROR);
        g_assert_cmpuint(v, ==, 0);
        g_assert_cmpint(orr_address_space_write(as, 0x1000, size, UINT64_MAX),
                        ==, ORR_MEMTX_ACCESS_ERROR);
        v = 0xdead;
        g_assert_cmpint(orr_address_space_read(as, 0x4000, size, &v), ==,
                        ORR_MEMTX_ACCESS_ERROR);
        g_assert_cmpuint(v, ==, 0);
        g_assert_cmpint(orr_address_space_write(as, 0x4000, size, 1), ==,
                        ORR_MEMTX_ACCESS_ERROR);
        /* A bad size is refused even where nothing is mapped. */
        g_assert_cmpint(orr_address_space_read(as, 0x8000, size, &v), ==,
                        ORR_MEMTX_ACCESS_ERROR);
    }
    memset(buf, 0xaa, sizeof(buf));
    g_assert_cmpint(orr_address_space_read_bytes(as, 0x1000, buf, 0), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpuint(buf[0], ==, 0xaa);
    g_assert_cmpint(orr_address_space_write_bytes(as, 0x1000, buf, 0), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpint(orr_address_space_read_bytes(as, 0x4000, buf, 0), ==,
                    ORR_MEMTX_ACCESS_ERROR);

    /* Nothing was called, nothing was written. */
    g_assert_cmpuint(io_calls, ==, 0);
    for (guint i = 0; i < 8; i++) {
        g_assert_cmpuint(host[i], ==, 0x10 + i);
    }
    assert_unchanged(o, as, before);
    end(o);
}

static void test_access_wrap(void)
{
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", ORR_SIZE_2_64);
    OrrMemoryRegion *top = orr_test_new_ram(o, "top", 0x1000);
    uint8_t *host = orr_memory_region_get_ram_ptr(top);
    static const uint8_t data[4] = {1, 2, 3, 4};
    uint8_t buf[4];
    uint64_t v;

    orr_test_add_subregion(root, UINT64_MAX - 0xfff, top);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    host[0xffe] = 0x11;
    host[0xfff] = 0x22;

    /* Byte accesses that wrap fail before touching anything. */
    memset(buf, 0xaa, sizeof(buf));
    g_assert_cmpint(orr_address_space_read_bytes(as, UINT64_MAX - 1, buf, 4),
                    ==, ORR_MEMTX_DECODE_ERROR);
    for (guint i = 0; i < 4; i++) {
        g_assert_cmpuint(buf[i], ==, 0);
    }
    memset(buf, 0xaa, sizeof(buf));
    g_assert_cmpint(orr_address_space_read_bytes(as, UINT64_MAX, buf, 2), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(buf[0], ==, 0);
    g_assert_cmpuint(buf[1], ==, 0);
    g_assert_cmpint(orr_address_space_write_bytes(as, UINT64_MAX - 1, data, 4),
                    ==, ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(host[0xffe], ==, 0x11);
    g_assert_cmpuint(host[0xfff], ==, 0x22);

    /* Sized accesses too. */
    v = 0xdead;
    g_assert_cmpint(orr_address_space_read(as, UINT64_MAX, 2, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0);
    v = 0xdead;
    g_assert_cmpint(orr_address_space_read(as, UINT64_MAX - 3, 8, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(orr_address_space_write(as, UINT64_MAX, 2, 0xffff), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(host[0xfff], ==, 0x22);

    /* Up to the last byte is fine. */
    g_assert_cmpint(orr_address_space_read_bytes(as, UINT64_MAX - 1, buf, 2),
                    ==, ORR_MEMTX_OK);
    g_assert_cmpuint(buf[0], ==, 0x11);
    g_assert_cmpuint(buf[1], ==, 0x22);
    g_assert_cmpint(orr_address_space_read(as, UINT64_MAX, 1, &v), ==,
                    ORR_MEMTX_OK);
    g_assert_cmpuint(v, ==, 0x22);
    end(o);
}

static void test_unmapped_read(void)
{
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *r = orr_test_new_ram(o, "ram", 0x1000);
    uint8_t *host = orr_memory_region_get_ram_ptr(r);
    uint8_t buf[4];
    uint64_t v;

    orr_test_add_subregion(root, 0x1000, r);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    host[0xffe] = 0x11;
    host[0xfff] = 0x22;

    v = 0xdead;
    g_assert_cmpint(orr_address_space_read(as, 0x8000, 4, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0);
    /* Past the root's end. */
    v = 0xdead;
    g_assert_cmpint(orr_address_space_read(as, 0x20000, 8, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0);
    memset(buf, 0xaa, sizeof(buf));
    g_assert_cmpint(orr_address_space_read_bytes(as, 0x8000, buf, 4), ==,
                    ORR_MEMTX_DECODE_ERROR);
    for (guint i = 0; i < 4; i++) {
        g_assert_cmpuint(buf[i], ==, 0);
    }
    g_assert_null(orr_address_space_find(as, 0x8000, NULL));

    /* Half mapped: the mapped bytes are read, the rest are 0. */
    v = 0xdead;
    g_assert_cmpint(orr_address_space_read(as, 0x1ffe, 4, &v), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(v, ==, 0x2211);
    memset(buf, 0xaa, sizeof(buf));
    g_assert_cmpint(orr_address_space_read_bytes(as, 0x1ffe, buf, 4), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpuint(buf[0], ==, 0x11);
    g_assert_cmpuint(buf[1], ==, 0x22);
    g_assert_cmpuint(buf[2], ==, 0);
    g_assert_cmpuint(buf[3], ==, 0);

    /* Writes to nothing are decode errors too. */
    g_assert_cmpint(orr_address_space_write(as, 0x8000, 4, 1), ==,
                    ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpint(orr_address_space_write_bytes(as, 0x8000, buf, 4), ==,
                    ORR_MEMTX_DECODE_ERROR);
    end(o);
}

static void test_rom_write(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    static const char data[] = "ROMDATA!";
    OrrMemoryRegion *rom = orr_memory_region_new_rom(o, "rom", 0x1000, data,
                                                     sizeof(data) - 1, &err);
    uint64_t v = 0;

    g_assert_no_error(err);
    orr_test_add_subregion(root, 0x1000, rom);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    orr_test_assert_flat(as, "1000-1fff rom(ro)");
    uint8_t *host = orr_memory_region_get_ram_ptr(rom);
    g_autofree char *before = state_of(o, as);

    g_assert_cmpint(orr_address_space_write(as, 0x1000, 4, 0xdeadbeef), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpint(orr_address_space_write(as, 0x1007, 1, 0), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpint(orr_address_space_write_bytes(as, 0x1002, "xx", 2), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpmem(host, 8, data, 8);
    g_assert_cmpint(orr_address_space_read(as, 0x1000, 4, &v), ==,
                    ORR_MEMTX_OK);
    g_assert_cmpuint(v, ==, 0x444d4f52); /* "ROMD" little-endian */
    assert_unchanged(o, as, before);

    /* Contents longer than the ROM are refused; nothing is made. */
    g_assert_null(
        orr_memory_region_new_rom(o, "tiny", 4, data, sizeof(data) - 1, &err));
    expect_error(&err, ORR_ERROR_INVALID, "tiny", NULL);
    g_assert_null(orr_object_get_child(o, "tiny"));
    assert_unchanged(o, as, before);
    end(o);
}

/* --- Creation ------------------------------------------------------------- */

static void test_zero_size(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    g_autofree char *before = state_of(o, as);

    g_assert_null(orr_memory_region_new_ram(o, "z", 0, &err));
    expect_error(&err, ORR_ERROR_INVALID, "'z'", "0 bytes", NULL);
    g_assert_null(orr_memory_region_new_rom(o, "z", 0, NULL, 0, &err));
    expect_error(&err, ORR_ERROR_INVALID, "'z'", "0 bytes", NULL);
    g_assert_null(orr_memory_region_new_romd(o, "z", 0, &io_ops, NULL, &err));
    expect_error(&err, ORR_ERROR_INVALID, "'z'", "0 bytes", NULL);
    g_assert_null(orr_memory_region_new_io(o, "z", 0, &io_ops, NULL, &err));
    expect_error(&err, ORR_ERROR_INVALID, "'z'", "0 bytes", NULL);
    /* Free-standing ones too. */
    g_assert_null(orr_memory_region_new_ram(NULL, "z", 0, &err));
    expect_error(&err, ORR_ERROR_INVALID, "'z'", NULL);
    g_assert_null(orr_object_get_child(o, "z"));
    assert_unchanged(o, as, before);

    /* A container or an alias may be 0 bytes. */
    OrrMemoryRegion *empty = orr_test_new_container(o, "empty", 0);
    OrrMemoryRegion *nothing =
        alias(o, "nothing", orr_test_new_ram(o, "tgt", 0x10), 0, 0);
    orr_test_add_subregion(root, 0x100, empty);
    orr_test_add_subregion(root, 0x200, nothing);
    orr_test_assert_flat(as, "");
    end(o);
}

static void test_bad_name(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    g_autofree char *before = state_of(o, as);

    g_assert_null(orr_memory_region_new_ram(o, "", 0x100, &err));
    expect_error(&err, ORR_ERROR_INVALID, "name", NULL);
    g_assert_null(orr_memory_region_new_ram(o, NULL, 0x100, &err));
    expect_error(&err, ORR_ERROR_INVALID, "name", NULL);
    g_assert_null(orr_memory_region_new_container(NULL, NULL, 0x100, &err));
    expect_error(&err, ORR_ERROR_INVALID, "name", NULL);
    assert_unchanged(o, as, before);
    end(o);
}

static void test_duplicate_name(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *dup = orr_test_new_ram(o, "dup", 0x1000);

    orr_test_add_subregion(root, 0, dup);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    g_autofree char *before = state_of(o, as);

    g_assert_null(orr_memory_region_new_ram(o, "dup", 0x2000, &err));
    expect_error(&err, ORR_ERROR_EXISTS, "'/o'", "'dup'", NULL);
    g_assert_null(
        orr_memory_region_new_io(o, "dup", 0x100, &io_ops, NULL, &err));
    expect_error(&err, ORR_ERROR_EXISTS, "'dup'", NULL);
    g_assert_null(orr_memory_region_new_container(o, "dup", 0x100, &err));
    expect_error(&err, ORR_ERROR_EXISTS, "'dup'", NULL);
    g_assert_null(orr_memory_region_new_alias(o, "dup", root, 0, 0x100, &err));
    expect_error(&err, ORR_ERROR_EXISTS, "'dup'", NULL);
    /* Names of other kinds of children count too. */
    g_assert_null(orr_memory_region_new_ram(o, "as", 0x100, &err));
    expect_error(&err, ORR_ERROR_EXISTS, "'as'", NULL);
    g_assert_true(orr_object_get_child(o, "dup") == OBJ(dup));
    assert_unchanged(o, as, before);
    end(o);
}

static void test_alias_offset_non_alias(void)
{
    g_autoptr(GError) err = NULL;
    Map m = build_map();
    OrrMemoryRegion *r = orr_test_new_ram(m.o, "ram", 0x1000);
    g_autofree char *before = state_of(m.o, m.as);

    g_assert_false(orr_memory_region_set_alias_offset(r, 0x10, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_alias_offset", "'/o/ram'",
                 "not an alias", NULL);
    g_assert_false(orr_memory_region_set_alias_offset(m.c1, 0x10, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_alias_offset", "'/o/c1'", NULL);
    g_assert_false(orr_memory_region_set_alias_offset(m.sub, 0x10, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_alias_offset", "'/o/sub'", NULL);
    g_assert_cmpuint(orr_memory_region_get_alias_offset(r), ==, 0);
    assert_unchanged(m.o, m.as, before);
    end(m.o);
}

static void test_romd_non_romd(void)
{
    g_autoptr(GError) err = NULL;
    Map m = build_map();
    OrrMemoryRegion *r = orr_test_new_ram(m.o, "ram", 0x1000);
    OrrMemoryRegion *win = alias(m.o, "win", r, 0, 0x100);
    g_autofree char *before = state_of(m.o, m.as);

    g_assert_false(orr_memory_region_set_romd(r, false, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_romd", "'/o/ram'",
                 "not a ROM device", NULL);
    g_assert_false(orr_memory_region_set_romd(m.sub, true, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_romd", "'/o/sub'", NULL);
    g_assert_false(orr_memory_region_set_romd(win, true, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_romd", "'/o/win'", NULL);
    g_assert_false(orr_memory_region_set_romd(m.c1, false, &err));
    expect_error(&err, ORR_ERROR_INVALID, "set_romd", "'/o/c1'", NULL);
    assert_unchanged(m.o, m.as, before);

    /* A ROM device does switch. */
    OrrMemoryRegion *romd =
        orr_memory_region_new_romd(m.o, "romd", 0x100, &io_ops, NULL, &err);
    g_assert_no_error(err);
    g_assert_true(orr_memory_region_is_romd(romd));
    g_assert_true(orr_memory_region_set_romd(romd, false, &err));
    g_assert_no_error(err);
    g_assert_false(orr_memory_region_is_romd(romd));
    end(m.o);
}

static uint64_t dummy_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void dummy_write(void *opaque, uint64_t offset, uint64_t value,
                        unsigned size)
{
}

static void test_bad_ops(void)
{
    static const struct {
        const char *why;
        OrrMemoryOps ops;
    } cases[] = {
        {"read", {.write = dummy_write}},
        {"write", {.read = dummy_read}},
        {"3",
         {.read = dummy_read,
          .write = dummy_write,
          .valid = {.max_access_size = 3}}},
        {"16",
         {.read = dummy_read,
          .write = dummy_write,
          .valid = {.min_access_size = 16}}},
        {"3",
         {.read = dummy_read,
          .write = dummy_write,
          .impl = {.min_access_size = 3}}},
        {"6",
         {.read = dummy_read,
          .write = dummy_write,
          .impl = {.max_access_size = 6}}},
        {"minimum",
         {.read = dummy_read,
          .write = dummy_write,
          .valid = {.min_access_size = 4, .max_access_size = 2}}},
        /* 0 means 4 for the maximum: a minimum of 8 is above it. */
        {"minimum",
         {.read = dummy_read,
          .write = dummy_write,
          .valid = {.min_access_size = 8}}},
        {"minimum",
         {.read = dummy_read,
          .write = dummy_write,
          .impl = {.min_access_size = 8, .max_access_size = 4}}},
    };
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    g_autofree char *before = state_of(o, as);

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_test_message("case %u (%s)", i, cases[i].why);
        g_assert_null(orr_memory_region_new_io(o, "bad", 0x100, &cases[i].ops,
                                               NULL, &err));
        expect_error(&err, ORR_ERROR_INVALID, "'bad'", cases[i].why, NULL);
        g_assert_null(orr_memory_region_new_romd(o, "bad", 0x100, &cases[i].ops,
                                                 NULL, &err));
        expect_error(&err, ORR_ERROR_INVALID, "'bad'", cases[i].why, NULL);
    }
    g_assert_null(orr_memory_region_new_io(o, "bad", 0x100, NULL, NULL, &err));
    expect_error(&err, ORR_ERROR_INVALID, "'bad'", NULL);
    g_assert_null(
        orr_memory_region_new_romd(o, "bad", 0x100, NULL, NULL, &err));
    expect_error(&err, ORR_ERROR_INVALID, "'bad'", NULL);
    g_assert_null(orr_object_get_child(o, "bad"));
    assert_unchanged(o, as, before);
    end(o);
}

static void test_alias_null_target(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("o");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    g_autofree char *before = state_of(o, as);

    g_assert_null(
        orr_memory_region_new_alias(o, "nowhere", NULL, 0, 0x100, &err));
    g_assert_nonnull(err);
    /* A missing target: an invalid argument (or a target that is not
     * live); either way named. */
    g_assert_true(err->domain == ORR_ERROR);
    g_assert_true(err->code == ORR_ERROR_INVALID ||
                  err->code == ORR_ERROR_STATE);
    assert_contains(err->message, "'nowhere'");
    assert_contains(err->message, "target");
    g_clear_error(&err);
    g_assert_null(
        orr_memory_region_new_alias(NULL, "nowhere", NULL, 0, 0, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    g_assert_null(orr_object_get_child(o, "nowhere"));
    assert_unchanged(o, as, before);
    end(o);
}

static void test_missing_arguments(void)
{
    g_autoptr(GError) err = NULL;
    Map m = build_map();
    g_autofree char *before = state_of(m.o, m.as);

    g_assert_false(orr_memory_region_add_subregion(NULL, 0, m.loose, &err));
    expect_error(&err, ORR_ERROR_INVALID, "add_subregion", NULL);
    g_assert_false(orr_memory_region_add_subregion(m.root, 0, NULL, &err));
    expect_error(&err, ORR_ERROR_INVALID, "add_subregion", NULL);
    g_assert_false(orr_memory_region_del_subregion(m.c1, NULL, &err));
    expect_error(&err, ORR_ERROR_INVALID, "del_subregion", NULL);
    g_assert_false(orr_memory_region_del_subregion(NULL, m.sub, &err));
    expect_error(&err, ORR_ERROR_INVALID, "del_subregion", NULL);

    g_assert_null(orr_address_space_new(m.o, "as2", NULL, &err));
    g_assert_nonnull(err);
    g_assert_true(err->domain == ORR_ERROR);
    assert_contains(err->message, "'as2'");
    assert_contains(err->message, "root");
    g_clear_error(&err);
    g_assert_null(orr_object_get_child(m.o, "as2"));

    /* Checked casts name both types. */
    g_assert_null(orr_memory_region_cast(m.o, &err));
    expect_error(&err, ORR_ERROR_TYPE, "'/o'", ORR_TYPE_CONTAINER,
                 ORR_TYPE_MEMORY_REGION, NULL);
    g_assert_null(orr_address_space_cast(OBJ(m.root), &err));
    expect_error(&err, ORR_ERROR_TYPE, "'/o/root'", ORR_TYPE_MEMORY_REGION,
                 ORR_TYPE_ADDRESS_SPACE, NULL);
    g_assert_true(orr_memory_region_cast(OBJ(m.root), &err) == m.root);
    g_assert_no_error(err);
    assert_unchanged(m.o, m.as, before);
    end(m.o);
}

/* Accesses with NULL arguments are refused: nothing touched, no crash. */
static void test_access_null_arguments(void)
{
    uint64_t v = 7;
    uint8_t buf[4] = {1, 2, 3, 4};

    g_assert_cmpint(orr_address_space_read(NULL, 0, 4, &v), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(orr_address_space_write(NULL, 0, 4, 1), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpint(orr_address_space_read_bytes(NULL, 0, buf, 4), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpuint(buf[0], ==, 1);
    g_assert_cmpint(orr_address_space_write_bytes(NULL, 0, buf, 4), ==,
                    ORR_MEMTX_ACCESS_ERROR);

    OrrObject *o = orr_object_new(ORR_TYPE_CONTAINER, NULL);
    OrrMemoryRegion *root =
        orr_memory_region_new_container(o, "root", 0x1000, NULL);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);

    g_assert_cmpint(orr_address_space_read(as, 0, 4, NULL), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpint(orr_address_space_read_bytes(as, 0, NULL, 4), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpint(orr_address_space_write_bytes(as, 0, NULL, 4), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    orr_object_unref(o);
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/memory/misuse/map/already-in-container",
                    test_already_in_container);
    g_test_add_func("/memory/misuse/map/del-wrong-container",
                    test_del_wrong_container);
    g_test_add_func("/memory/misuse/map/container-in-itself",
                    test_container_in_itself);
    g_test_add_func("/memory/misuse/map/alias-loop", test_alias_loop);
    g_test_add_func("/memory/misuse/map/subregion-of-alias",
                    test_subregion_of_alias);
    g_test_add_func("/memory/misuse/map/overflow", test_overflow);
    g_test_add_func("/memory/misuse/map/missing-arguments",
                    test_missing_arguments);
    g_test_add_func("/memory/misuse/access/bad-size", test_access_size);
    g_test_add_func("/memory/misuse/access/wrap", test_access_wrap);
    g_test_add_func("/memory/misuse/access/unmapped", test_unmapped_read);
    g_test_add_func("/memory/misuse/access/rom-write", test_rom_write);
    g_test_add_func("/memory/misuse/create/zero-size", test_zero_size);
    g_test_add_func("/memory/misuse/create/bad-name", test_bad_name);
    g_test_add_func("/memory/misuse/create/duplicate-name",
                    test_duplicate_name);
    g_test_add_func("/memory/misuse/create/bad-ops", test_bad_ops);
    g_test_add_func("/memory/misuse/create/alias-null-target",
                    test_alias_null_target);
    g_test_add_func("/memory/misuse/attr/alias-offset-non-alias",
                    test_alias_offset_non_alias);
    g_test_add_func("/memory/misuse/attr/romd-non-romd", test_romd_non_romd);
    g_test_add_func("/memory/misuse/access/null-arguments",
                    test_access_null_arguments);
    return g_test_run();
}
