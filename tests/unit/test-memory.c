/*
 * Unit tests for rendering: priorities, clipping, aliases, enable,
 * readonly, merging, and what dispatch reads through the result.
 */
#include "test-util.h"

/* A test MMIO region answers reads with its tag in every byte. */
static uint64_t tag_read(void *opaque, uint64_t offset, unsigned size)
{
    uint64_t tag = GPOINTER_TO_UINT(opaque);
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= tag << (8 * i);
    }
    return v;
}

static void tag_write(void *opaque, uint64_t offset, uint64_t value,
                      unsigned size)
{
}

static const OrrMemoryOps tag_ops = {
    .read = tag_read,
    .write = tag_write,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 8},
};

static OrrMemoryRegion *io(OrrObject *owner, const char *name, uint64_t size,
                           char tag)
{
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *mr = orr_memory_region_new_io(
        owner, name, size, &tag_ops, GUINT_TO_POINTER((guint)tag), &err);

    g_assert_no_error(err);
    return mr;
}

static void add(OrrMemoryRegion *mr, uint64_t offset, OrrMemoryRegion *sub,
                int priority)
{
    g_autoptr(GError) err = NULL;

    orr_memory_region_add_subregion_overlap(mr, offset, sub, priority, &err);
    g_assert_no_error(err);
}

/* Reads one byte per 0x1000 page over @pages pages: the tags seen. */
static char *page_tags(OrrAddressSpace *as, uint64_t base, guint pages)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < pages; i++) {
        uint64_t v = 0;
        OrrMemTxResult r = orr_address_space_read(as, base + i * 0x1000, 1, &v);
        g_string_append_c(s, r == ORR_MEMTX_OK ? (char)v : '-');
    }
    return g_string_free(s, FALSE);
}

static OrrObject *new_owner(const char *name)
{
    OrrObject *o = orr_object_new(ORR_TYPE_CONTAINER, NULL);

    g_assert_nonnull(orr_object_add_child(orr_root(), name, o, NULL));
    orr_object_unref(o);
    return o;
}

/*
 * The example of QEMU's memory.rst: container A (0x8000); MMIO C at 0
 * (0x6000, priority 1); container B at 0x2000 (0x4000, priority 2) with D
 * at 0 and E at 0x2000, 0x1000 each.
 */
static void build_priority_example(OrrObject *o, bool b_has_ops,
                                   OrrAddressSpace **as_out)
{
    OrrMemoryRegion *a = orr_test_new_container(o, "A", 0x8000);
    OrrMemoryRegion *c = io(o, "C", 0x6000, 'C');
    OrrMemoryRegion *b = b_has_ops ? io(o, "B", 0x4000, 'B')
                                   : orr_test_new_container(o, "B", 0x4000);
    OrrMemoryRegion *d = io(o, "D", 0x1000, 'D');
    OrrMemoryRegion *e = io(o, "E", 0x1000, 'E');

    add(a, 0, c, 1);
    add(a, 0x2000, b, 2);
    add(b, 0, d, 0);
    add(b, 0x2000, e, 0);
    *as_out = orr_address_space_new(o, "as", a, NULL);
    g_assert_nonnull(*as_out);
}

static void test_priority_example(void)
{
    OrrObject *o = new_owner("test-mem");
    OrrAddressSpace *as;

    build_priority_example(o, false, &as);
    orr_test_assert_flat(as, "0-1fff C 2000-2fff D 3000-3fff C@3000 "
                             "4000-4fff E 5000-5fff C@5000");
    g_autofree char *tags = page_tags(as, 0, 8);
    g_assert_cmpstr(tags, ==, "CCDCEC--");
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

static void test_priority_example_b_with_ops(void)
{
    OrrObject *o = new_owner("test-mem");
    OrrAddressSpace *as;

    build_priority_example(o, true, &as);
    g_autofree char *tags = page_tags(as, 0, 8);
    g_assert_cmpstr(tags, ==, "CCDBEB--");
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* A container clips its children; the region's own size bounds it. */
static void test_clipping(void)
{
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *box = orr_test_new_container(o, "box", 0x2000);
    OrrMemoryRegion *big = io(o, "big", 0x8000, 'G');

    add(root, 0x1000, box, 0);
    add(box, 0x1000, big, 0);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);
    orr_test_assert_flat(as, "2000-2fff big");
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* At equal priority the sibling added later wins. */
static void test_equal_priority_later_wins(void)
{
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x4000);
    OrrMemoryRegion *x = io(o, "X", 0x2000, 'X');
    OrrMemoryRegion *y = io(o, "Y", 0x2000, 'Y');

    add(root, 0, x, 0);
    add(root, 0x1000, y, 0);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);
    orr_test_assert_flat(as, "0-fff X 1000-2fff Y");

    /* Re-prioritizing X to the same level makes it the newest. */
    orr_memory_region_set_priority(x, 0);
    orr_test_assert_flat(as, "0-1fff X 2000-2fff Y@1000");
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* A disabled region hides its whole subtree, and comes back. */
static void test_disabled_subtree(void)
{
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x4000);
    OrrMemoryRegion *box = orr_test_new_container(o, "box", 0x2000);
    OrrMemoryRegion *low = io(o, "low", 0x4000, 'L');
    OrrMemoryRegion *x = io(o, "X", 0x1000, 'X');

    add(root, 0, low, 0);
    add(root, 0, box, 1);
    add(box, 0x1000, x, 0);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);
    orr_test_assert_flat(as, "0-fff low 1000-1fff X 2000-3fff low@2000");
    orr_memory_region_set_enabled(box, false);
    orr_test_assert_flat(as, "0-3fff low");
    orr_memory_region_set_enabled(box, true);
    orr_test_assert_flat(as, "0-fff low 1000-1fff X 2000-3fff low@2000");
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* An alias shows its target's window; an alias of an alias composes. */
static void test_alias_windows(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *ram = orr_memory_region_new_ram(o, "ram", 0x4000, &err);
    g_assert_no_error(err);
    OrrMemoryRegion *a1 =
        orr_memory_region_new_alias(o, "a1", ram, 0x1000, 0x2000, &err);
    g_assert_no_error(err);
    OrrMemoryRegion *a2 =
        orr_memory_region_new_alias(o, "a2", a1, 0x800, 0x1000, &err);
    g_assert_no_error(err);

    add(root, 0x8000, a1, 0);
    add(root, 0xc000, a2, 0);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);
    orr_test_assert_flat(as, "8000-9fff ram@1000 c000-cfff ram@1800");

    uint8_t *host = orr_memory_region_get_ram_ptr(ram);
    host[0x1800] = 0x5a;
    uint64_t v = 0;
    g_assert_cmpint(orr_address_space_read(as, 0xc000, 1, &v), ==,
                    ORR_MEMTX_OK);
    g_assert_cmpuint(v, ==, 0x5a);
    g_assert_cmpint(orr_address_space_read(as, 0x8800, 1, &v), ==,
                    ORR_MEMTX_OK);
    g_assert_cmpuint(v, ==, 0x5a);

    g_assert_true(orr_memory_region_set_alias_offset(a1, 0, &err));
    orr_test_assert_flat(as, "8000-9fff ram c000-cfff ram@800");
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* readonly is inherited by everything a region shows. */
static void test_readonly_inherited(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x4000);
    OrrMemoryRegion *box = orr_test_new_container(o, "box", 0x2000);
    OrrMemoryRegion *ram = orr_memory_region_new_ram(o, "ram", 0x1000, &err);

    add(root, 0, box, 0);
    add(box, 0x1000, ram, 0);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);
    g_assert_cmpint(orr_address_space_write(as, 0x1000, 4, 0x11223344), ==,
                    ORR_MEMTX_OK);
    orr_memory_region_set_readonly(box, true);
    orr_test_assert_flat(as, "1000-1fff ram(ro)");
    g_assert_cmpint(orr_address_space_write(as, 0x1000, 4, 0xdead), ==,
                    ORR_MEMTX_ACCESS_ERROR);
    uint64_t v = 0;
    g_assert_cmpint(orr_address_space_read(as, 0x1000, 4, &v), ==,
                    ORR_MEMTX_OK);
    g_assert_cmpuint(v, ==, 0x11223344);
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* Neighbouring pieces of one region that continue each other merge. */
static void test_merging(void)
{
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x4000);
    OrrMemoryRegion *low = io(o, "low", 0x4000, 'L');
    OrrMemoryRegion *hole = io(o, "hole", 0x1000, 'H');

    add(root, 0, low, 0);
    add(root, 0x1000, hole, 1);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);
    orr_test_assert_flat(as, "0-fff low 1000-1fff hole 2000-3fff low@2000");
    orr_memory_region_set_enabled(hole, false);
    orr_test_assert_flat(as, "0-3fff low");
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* `info mtree` in QEMU's layout: tree, aliases, flat view, owners,
 * disabled regions. */
static void test_mtree_text(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", ORR_SIZE_2_64);
    OrrMemoryRegion *ram = orr_memory_region_new_ram(o, "ram", 0x2000, &err);
    OrrMemoryRegion *win =
        orr_memory_region_new_alias(o, "win", ram, 0x1000, 0x1000, &err);
    OrrMemoryRegion *dev = io(o, "dev", 0x100, 'D');
    OrrMemoryRegion *off = io(o, "off", 0x100, 'O');

    g_assert_no_error(err);
    add(root, 0x10000, ram, 0);
    add(root, 0x20000, win, 0);
    add(root, 0x1000, dev, 1);
    add(root, 0x1000, off, 2);
    orr_memory_region_set_enabled(off, false);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);

    g_autofree char *tree = orr_address_space_format_mtree(as, 0);
    g_assert_cmpstr(
        tree, ==,
        "address-space: as\n"
        "  0000000000000000-ffffffffffffffff (prio 0, i/o): root\n"
        "    0000000000001000-00000000000010ff (prio 1, i/o): dev\n"
        "    0000000000010000-0000000000011fff (prio 0, ram): ram\n"
        "    0000000000020000-0000000000020fff (prio 0, ram): alias win @ram "
        "0000000000001000-0000000000001fff\n"
        "\n"
        "memory-region: ram\n"
        "  0000000000010000-0000000000011fff (prio 0, ram): ram\n"
        "\n");

    g_autofree char *disabled =
        orr_address_space_format_mtree(as, ORR_MTREE_DISABLED);
    g_assert_nonnull(
        strstr(disabled,
               "    0000000000001000-00000000000010ff (prio 2, i/o): off "
               "[disabled]\n"
               "    0000000000001000-00000000000010ff (prio 1, i/o): dev\n"));

    g_autofree char *flatv =
        orr_address_space_format_mtree(as, ORR_MTREE_FLAT | ORR_MTREE_OWNERS);
    g_assert_cmpstr(flatv, ==,
                    "FlatView #0\n"
                    " AS \"as\", root: root\n"
                    " Root memory region: root\n"
                    "  0000000000001000-00000000000010ff (prio 1, i/o): dev "
                    "owner:{obj path=/test-mem}\n"
                    "  0000000000010000-0000000000011fff (prio 0, ram): ram "
                    "owner:{obj path=/test-mem}\n"
                    "  0000000000020000-0000000000020fff (prio 0, ram): ram "
                    "@0000000000001000 owner:{obj path=/test-mem}\n"
                    "\n");
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* ROM and ROM-device type names, a free-standing region's "orphan", and
 * owners in the tree view (not only the flat one). */
static void test_mtree_rom_and_owners(void)
{
    g_autoptr(GError) err = NULL;
    static const uint8_t bytes[] = {1, 2, 3, 4};
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *rom =
        orr_memory_region_new_rom(o, "rom", 0x1000, bytes, sizeof bytes, &err);
    g_assert_no_error(err);
    OrrMemoryRegion *flash = orr_memory_region_new_romd(
        o, "flash", 0x1000, &tag_ops, GUINT_TO_POINTER((guint)'F'), &err);
    g_assert_no_error(err);
    OrrMemoryRegion *loose =
        orr_memory_region_new_ram(NULL, "loose", 0x100, &err);
    g_assert_no_error(err);

    add(root, 0x1000, rom, 0);
    add(root, 0x2000, flash, 0);
    add(root, 0x3000, loose, 0);
    /* The container holds the free-standing region now. */
    orr_object_unref((OrrObject *)loose);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    const char *head = "address-space: as\n"
                       "  0000000000000000-000000000000ffff (prio 0, i/o): "
                       "root owner:{obj path=/test-mem}\n"
                       "    0000000000001000-0000000000001fff (prio 0, rom): "
                       "rom owner:{obj path=/test-mem}\n";

    g_autofree char *romd_on =
        orr_address_space_format_mtree(as, ORR_MTREE_OWNERS);
    g_assert_true(g_str_has_prefix(romd_on, head));
    g_assert_nonnull(
        strstr(romd_on, "    0000000000002000-0000000000002fff (prio 0, romd): "
                        "flash owner:{obj path=/test-mem}\n"
                        "    0000000000003000-00000000000030ff (prio 0, ram): "
                        "loose orphan\n"));

    /* Out of ROMD mode, a ROM device is shown as I/O. */
    g_assert_true(orr_memory_region_set_romd(flash, false, &err));
    g_assert_no_error(err);
    g_autofree char *romd_off = orr_address_space_format_mtree(as, 0);
    g_assert_nonnull(
        strstr(romd_off, "    0000000000002000-0000000000002fff (prio 0, i/o): "
                         "flash\n"));
    g_assert_null(strstr(romd_off, "owner:"));
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* A region's state is readable through the property API, and "enabled"
 * and "readonly" are writable through it, with the same effect as the
 * C setters; the other properties refuse a write and change nothing. */
static void test_region_properties(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", ORR_SIZE_2_64);
    OrrMemoryRegion *ram = orr_test_new_ram(o, "ram", 0x1000);
    OrrObject *obj = (OrrObject *)ram;
    g_autofree char *kind = NULL, *container = NULL, *owner = NULL;
    uint64_t u;
    int64_t i;
    bool b;

    /* Not mapped yet. */
    g_assert_true(orr_object_get_str(obj, "container", &container, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(container, ==, "");
    g_clear_pointer(&container, g_free);

    add(root, 0x4000, ram, 3);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    g_assert_true(orr_object_get_str(obj, "kind", &kind, &err));
    g_assert_cmpstr(kind, ==, "ram");
    g_assert_true(orr_object_get_uint(obj, "size", &u, &err));
    g_assert_cmphex(u, ==, 0x1000);
    g_assert_true(orr_object_get_uint(obj, "addr", &u, &err));
    g_assert_cmphex(u, ==, 0x4000);
    g_assert_true(orr_object_get_int(obj, "priority", &i, &err));
    g_assert_cmpint(i, ==, 3);
    g_assert_true(orr_object_get_bool(obj, "enabled", &b, &err));
    g_assert_true(b);
    g_assert_true(orr_object_get_bool(obj, "readonly", &b, &err));
    g_assert_false(b);
    g_assert_true(orr_object_get_str(obj, "container", &container, &err));
    g_assert_cmpstr(container, ==, "/test-mem/root");
    g_assert_true(orr_object_get_str(obj, "owner", &owner, &err));
    g_assert_cmpstr(owner, ==, "/test-mem");
    g_assert_no_error(err);

    /* 2^64 reads as the largest uint64. */
    g_assert_true(orr_object_get_uint((OrrObject *)root, "size", &u, &err));
    g_assert_cmphex(u, ==, UINT64_MAX);

    /* Writable: the view follows. */
    g_assert_true(orr_object_set_bool(obj, "readonly", true, &err));
    g_assert_no_error(err);
    orr_test_assert_flat(as, "4000-4fff ram(ro)");
    g_assert_true(orr_object_set_bool(obj, "enabled", false, &err));
    g_assert_no_error(err);
    g_assert_false(orr_memory_region_is_enabled(ram));
    orr_test_assert_flat(as, "");
    g_assert_true(orr_object_set_bool(obj, "enabled", true, &err));
    g_assert_true(orr_object_set_bool(obj, "readonly", false, &err));
    g_assert_no_error(err);
    orr_test_assert_flat(as, "4000-4fff ram");

    /* Read-only properties: an error, and no change. */
    g_assert_false(orr_object_set_uint(obj, "addr", 0x8000, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "is read-only"));
    g_clear_error(&err);
    g_assert_false(orr_object_set_int(obj, "priority", 9, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "is read-only"));
    g_clear_error(&err);
    g_assert_false(orr_object_set_uint(obj, "size", 1, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "is read-only"));
    g_clear_error(&err);
    g_assert_cmphex(orr_memory_region_get_address(ram), ==, 0x4000);
    g_assert_cmpuint(orr_memory_region_get_size(ram), ==, 0x1000);
    orr_test_assert_flat(as, "4000-4fff ram");

    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

/* The same content as data: exact JSON of the tree, disabled regions
 * only with the flag, and the flat view. */
static void test_mtree_dump(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = new_owner("test-mem");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x100000);
    OrrMemoryRegion *ram = orr_memory_region_new_ram(o, "ram", 0x2000, &err);
    OrrMemoryRegion *win =
        orr_memory_region_new_alias(o, "win", ram, 0x1000, 0x1000, &err);
    OrrMemoryRegion *off = io(o, "off", 0x100, 'O');

    g_assert_no_error(err);
    add(root, 0x10000, ram, 0);
    add(root, 0x20000, win, 0);
    add(root, 0x1000, off, 2);
    orr_memory_region_set_enabled(off, false);
    orr_memory_region_set_readonly(win, true);
    OrrAddressSpace *as = orr_address_space_new(o, "as", root, NULL);

    g_autoptr(GVariant) tree = orr_address_space_dump(as, 0);
    g_assert_false(g_variant_is_floating(tree));
    g_autofree char *json = orr_variant_to_json(tree, FALSE);
#define REGION(name, kind, type, first, last, prio, enabled, ro)               \
    "{\"name\":\"" name "\",\"path\":\"/test-mem/" name "\",\"kind\":\"" kind  \
    "\",\"type\":\"" type "\",\"first\":" first ",\"last\":" last              \
    ",\"priority\":" prio ",\"enabled\":" enabled ",\"readonly\":" ro          \
    ",\"owner\":\"/test-mem\""
    g_assert_cmpstr(
        json, ==,
        "{\"name\":\"/test-mem/as\",\"root\":" REGION(
            "root", "container", "i/o", "0", "1048575", "0", "true",
            "false") ",\"children\":[" REGION("ram", "ram", "ram", "65536",
                                              "73727", "0", "true",
                                              "false") ",\"children\":[]}"
                                                       "," REGION(
                                                           "win", "alias",
                                                           "ram", "131072",
                                                           "135167", "0",
                                                           "true",
                                                           "true") ",\"a"
                                                                   "lias"
                                                                   "\":"
                                                                   "\"/"
                                                                   "test"
                                                                   "-mem"
                                                                   "/ram"
                                                                   "\","
                                                                   "\"al"
                                                                   "ias_"
                                                                   "offs"
                                                                   "et\""
                                                                   ":409"
                                                                   "6"
                                                                   ",\"c"
                                                                   "hild"
                                                                   "ren"
                                                                   "\":["
                                                                   "]}]}"
                                                                   "}");

    g_autoptr(GVariant) all =
        orr_address_space_dump(as, ORR_MTREE_DISABLED | ORR_MTREE_FLAT);
    g_autoptr(GVariant) top = g_variant_lookup_value(all, "root", NULL);
    g_autoptr(GVariant) kids = g_variant_lookup_value(top, "children", NULL);
    g_assert_cmpuint(g_variant_n_children(kids), ==, 3);
    g_autoptr(GVariant) first = g_variant_get_child_value(kids, 0);
    const char *name = NULL;
    gboolean enabled = TRUE;
    g_assert_true(g_variant_lookup(first, "name", "&s", &name));
    g_assert_cmpstr(name, ==, "off");
    g_assert_true(g_variant_lookup(first, "enabled", "b", &enabled));
    g_assert_false(enabled);

    g_autoptr(GVariant) flatv = g_variant_lookup_value(all, "flat", NULL);
    g_autofree char *fjson = orr_variant_to_json(flatv, FALSE);
    g_assert_cmpstr(
        fjson, ==,
        "[{\"first\":65536,\"last\":73727,\"region\":\"/test-mem/ram\","
        "\"name\":\"ram\",\"offset\":0,\"readonly\":false,\"type\":\"ram\"},"
        "{\"first\":131072,\"last\":135167,\"region\":\"/test-mem/ram\","
        "\"name\":\"ram\",\"offset\":4096,\"readonly\":true,\"type\":\"rom\"}"
        "]");
#undef REGION
    orr_object_unparent(o);
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/memory/render/priority-example", test_priority_example);
    g_test_add_func("/memory/render/priority-example-b-with-ops",
                    test_priority_example_b_with_ops);
    g_test_add_func("/memory/render/clipping", test_clipping);
    g_test_add_func("/memory/render/equal-priority-later-wins",
                    test_equal_priority_later_wins);
    g_test_add_func("/memory/render/disabled-subtree", test_disabled_subtree);
    g_test_add_func("/memory/render/alias-windows", test_alias_windows);
    g_test_add_func("/memory/render/readonly-inherited",
                    test_readonly_inherited);
    g_test_add_func("/memory/render/merging", test_merging);
    g_test_add_func("/memory/mtree/text", test_mtree_text);
    g_test_add_func("/memory/mtree/rom-and-owners", test_mtree_rom_and_owners);
    g_test_add_func("/memory/mtree/dump", test_mtree_dump);
    g_test_add_func("/memory/region/properties", test_region_properties);
    return g_test_run();
}
