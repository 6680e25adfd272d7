/*
 * Unit tests for the access caches of dispatch: the RAM range and the TLB
 * of pages that serve sized RAM accesses inline, checked against the byte
 * path, around region ends and pages, and across every change of the view.
 */
#include <string.h>

#include "test-util.h"
#include "dispatch-fixture.h"

/* --- The access caches ---------------------------------------------------- */

/*
 * A sized RAM access is served from the address space's RAM range or its
 * TLB of pages (the inline path of the header), with no call into the
 * library. Whatever a cache holds must stop being used the moment the view
 * changes. Each check reads through the inline path and through the
 * exported function, after warming both caches on the address.
 */
#define assert_read_both(as, addr, size, result, expected)                     \
    do {                                                                       \
        uint64_t w_ = UINT64_C(0xdeadbeefdeadbeef);                            \
        assert_read((as), (addr), (size), (result), (expected));               \
        assert_tx((orr_address_space_read)((as), (addr), (size), &w_),         \
                  (result));                                                   \
        g_assert_cmphex(w_, ==, (expected));                                   \
    } while (0)

/* Reads @addr twice and writes it back: the RAM range and the page of
 * @addr are then cached, for reads and (when writable) for writes. */
static void warm(OrrAddressSpace *as, uint64_t addr)
{
    uint64_t v = 0;

    for (int i = 0; i < 2; i++) {
        assert_tx(orr_address_space_read(as, addr, 4, &v), ORR_MEMTX_OK);
    }
    (void)orr_address_space_write(as, addr, 4, v);
}

/* Unmapping, disabling, readonly (own and inherited), an alias moved, an
 * overlapping region of higher priority, a region replaced by another at
 * the same address: none is read or written through a stale entry. */
static void test_cache_invalidation(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x100000);
    OrrMemoryRegion *box = orr_test_new_container(o, "box", 0x10000);
    OrrMemoryRegion *a = orr_test_new_ram(o, "a", 0x2000);
    OrrMemoryRegion *b = orr_test_new_ram(o, "b", 0x2000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    uint8_t *ha = disp_host(a);
    uint8_t *hb = disp_host(b);

    memset(ha, 0xaa, 0x2000);
    memset(hb, 0xbb, 0x2000);
    memset(dev.mem, 0xdd, sizeof dev.mem);
    orr_test_add_subregion(box, 0, a);
    orr_test_add_subregion(root, 0x10000, box);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    /* Disabled, then enabled again. */
    warm(as, 0x11000);
    orr_memory_region_set_enabled(a, false);
    assert_read_both(as, 0x11000, 4, ORR_MEMTX_DECODE_ERROR, 0);
    assert_write(as, 0x11000, 4, 0, ORR_MEMTX_DECODE_ERROR);
    g_assert_cmphex(ha[0x1000], ==, 0xaa);
    orr_memory_region_set_enabled(a, true);
    assert_read_both(as, 0x11000, 4, ORR_MEMTX_OK, 0xaaaaaaaa);

    /* Readonly, its own flag and inherited from the container. */
    OrrMemoryRegion *ro[] = {a, box};
    for (guint i = 0; i < G_N_ELEMENTS(ro); i++) {
        warm(as, 0x11000);
        orr_memory_region_set_readonly(ro[i], true);
        assert_write(as, 0x11000, 4, 0, ORR_MEMTX_ACCESS_ERROR);
        assert_tx((orr_address_space_write)(as, 0x11000, 4, 0),
                  ORR_MEMTX_ACCESS_ERROR);
        g_assert_cmphex(ha[0x1000], ==, 0xaa);
        assert_read_both(as, 0x11000, 4, ORR_MEMTX_OK, 0xaaaaaaaa);
        orr_memory_region_set_readonly(ro[i], false);
        assert_write(as, 0x11000, 1, 0xaa, ORR_MEMTX_OK);
    }

    /* An MMIO region of higher priority over a cached page. */
    warm(as, 0x11000);
    OrrMemoryRegion *dv = disp_io(o, "dev", 0x100, &disp_ops_le8, &dev);
    g_assert_true(
        orr_memory_region_add_subregion_overlap(box, 0x1000, dv, 1, &err));
    g_assert_no_error(err);
    assert_read_both(as, 0x11000, 4, ORR_MEMTX_OK, 0xdddddddd);
    orr_test_assert_log("r 0/4, r 0/4");
    g_assert_true(orr_memory_region_del_subregion(box, dv, &err));
    assert_read_both(as, 0x11000, 4, ORR_MEMTX_OK, 0xaaaaaaaa);

    /* Replaced by another region at the same address. */
    warm(as, 0x11000);
    g_assert_true(orr_memory_region_del_subregion(box, a, &err));
    assert_read_both(as, 0x11000, 4, ORR_MEMTX_DECODE_ERROR, 0);
    orr_test_add_subregion(box, 0, b);
    assert_read_both(as, 0x11000, 4, ORR_MEMTX_OK, 0xbbbbbbbb);
    assert_write(as, 0x11000, 4, 0x01020304, ORR_MEMTX_OK);
    g_assert_cmphex(hb[0x1000], ==, 0x04);
    g_assert_cmphex(ha[0x1000], ==, 0xaa);

    /* Moved away: the old address is a hole. */
    warm(as, 0x11000);
    g_assert_true(orr_memory_region_set_address(box, 0x40000, &err));
    assert_read_both(as, 0x11000, 4, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read_both(as, 0x41000, 4, ORR_MEMTX_OK, 0x01020304);

    /* An alias whose offset moves. */
    for (guint i = 0; i < 0x2000; i++) {
        ha[i] = (uint8_t)(i >> 8);
    }
    OrrMemoryRegion *win =
        orr_memory_region_new_alias(o, "win", a, 0, 0x1000, &err);
    g_assert_no_error(err);
    orr_test_add_subregion(root, 0x80000, win);
    warm(as, 0x80010);
    assert_read_both(as, 0x80010, 1, ORR_MEMTX_OK, 0x00);
    g_assert_true(orr_memory_region_set_alias_offset(win, 0x1000, &err));
    assert_read_both(as, 0x80010, 1, ORR_MEMTX_OK, 0x10);
    assert_write(as, 0x80010, 1, 0x77, ORR_MEMTX_OK);
    g_assert_cmphex(ha[0x1010], ==, 0x77);
    g_assert_cmphex(ha[0x0010], ==, 0x00);

    /* Unmapped for good. */
    warm(as, 0x80010);
    g_assert_true(orr_memory_region_del_subregion(root, win, &err));
    assert_read_both(as, 0x80010, 1, ORR_MEMTX_DECODE_ERROR, 0);
    g_assert_no_error(err);
    disp_finish(o);
}

/* A ROM device's page, cached in ROMD mode, goes to the ops once the
 * mode is switched off; a ROM's page is never written through. */
static void test_cache_romd_and_rom(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x100000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    OrrMemoryRegion *rd = orr_memory_region_new_romd(o, "flash", 0x1000,
                                                     &disp_ops_le8, &dev, &err);
    static const uint8_t contents[4] = {1, 2, 3, 4};
    OrrMemoryRegion *rom = orr_memory_region_new_rom(o, "rom", 0x1000, contents,
                                                     sizeof contents, &err);

    g_assert_no_error(err);
    memset(disp_host(rd), 0x11, 0x1000);
    memset(dev.mem, 0x22, sizeof dev.mem);
    orr_test_add_subregion(root, 0x8000, rd);
    orr_test_add_subregion(root, 0x9000, rom);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    warm(as, 0x8000);
    orr_test_assert_log("w 0/4=11111111");
    assert_read_both(as, 0x8010, 4, ORR_MEMTX_OK, 0x11111111);
    g_assert_true(orr_memory_region_set_romd(rd, false, &err));
    assert_read_both(as, 0x8010, 4, ORR_MEMTX_OK, 0x22222222);
    orr_test_assert_log("r 10/4, r 10/4");

    warm(as, 0x9000);
    assert_write(as, 0x9000, 4, 0, ORR_MEMTX_ACCESS_ERROR);
    assert_tx((orr_address_space_write)(as, 0x9000, 4, 0),
              ORR_MEMTX_ACCESS_ERROR);
    assert_read_both(as, 0x9000, 4, ORR_MEMTX_OK, 0x04030201);
    orr_test_assert_log("");
    disp_finish(o);
}

/*
 * Many pages in many regions, at a power-of-two stride: every access
 * checked against the backings while the TLB fills, thrashes and grows,
 * and again after each of a few thousand view changes. The first change
 * follows more fills than the TLB's log holds (the flush wipes the whole
 * table); the later ones follow one fill each (it empties that entry).
 */
static void test_cache_many_pages(void)
{
    enum { N = 256, STRIDE = 0x10000, PAGE = 0x1000 };
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root =
        orr_test_new_container(o, "root", (uint64_t)N * STRIDE);
    uint8_t *h[N];
    GRand *rand = g_rand_new_with_seed(7);

    orr_memory_transaction_begin();
    for (guint i = 0; i < N; i++) {
        char name[16];

        g_snprintf(name, sizeof name, "r%u", i);
        OrrMemoryRegion *r = orr_test_new_ram(o, name, 2 * PAGE);
        h[i] = disp_host(r);
        /* Different in each region, so that a read served from the
         * wrong region's backing shows. */
        memset(h[i], (int)(i + 1), 2 * PAGE);
        orr_test_add_subregion(root, (uint64_t)i * STRIDE, r);
    }
    orr_memory_transaction_commit();
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    for (guint k = 0; k < 30000; k++) {
        guint i = (guint)g_rand_int_range(rand, 0, N);
        uint32_t off = (uint32_t)g_rand_int_range(rand, 0, 2 * PAGE - 8);
        uint64_t addr = (uint64_t)i * STRIDE + off;
        uint64_t v;

        if (k % 3 == 0) {
            assert_write(as, addr, 4, k, ORR_MEMTX_OK);
            g_assert_cmpuint(h[i][off], ==, k & 0xff);
        }
        assert_tx(orr_address_space_read(as, addr, 8, &v), ORR_MEMTX_OK);
        g_assert_cmpmem(&v, 8, h[i] + off, 8);
    }

    /*
     * The last few regions cached, then unmapped, one after the other
     * (so their stale entries are flushed by several flushes); then
     * other changes, thousands, each followed by a read of every stale
     * page.
     */
    enum { STALE = 8 };
    OrrMemoryRegion *extra = orr_test_new_ram(o, "extra", PAGE);
    g_autoptr(GError) err = NULL;

    for (guint i = N - STALE; i < N; i++) {
        uint64_t at = (uint64_t)i * STRIDE;
        OrrMemoryRegion *r = orr_address_space_find(as, at, NULL);

        warm(as, at + 8);
        g_assert_true(orr_memory_region_del_subregion(root, r, &err));
    }
    for (guint k = 0; k < 5000; k++) {
        for (int step = 0; step < 2; step++) {
            if (step == 0) {
                orr_test_add_subregion(root, STRIDE / 2, extra);
            } else {
                g_assert_true(
                    orr_memory_region_del_subregion(root, extra, &err));
            }
            for (guint i = N - STALE; i < N; i++) {
                assert_read(as, (uint64_t)i * STRIDE + 8, 4,
                            ORR_MEMTX_DECODE_ERROR, 0);
            }
        }
    }
    g_assert_no_error(err);
    g_rand_free(rand);
    disp_finish(o);
}

/* The little-endian value of @size bytes. */
static uint64_t le_value(const uint8_t *bytes, unsigned size)
{
    uint64_t v = 0;

    for (unsigned k = 0; k < size; k++) {
        v |= (uint64_t)bytes[k] << (8 * k);
    }
    return v;
}

/*
 * Sized accesses around the ends of small regions, where the caches'
 * bounds checks matter: a RAM region shorter than a page (the TLB never
 * holds it; the RAM range serves all but its last 7 bytes), one ending
 * on a page boundary, and an MMIO region shorter than the access. Each
 * access, cold and after warming the caches on the region, must give
 * what the byte path gives, result and value.
 */
static void test_cache_edges(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x100000);
    OrrMemoryRegion *small = orr_test_new_ram(o, "small", 0x10);
    OrrMemoryRegion *pages = orr_test_new_ram(o, "pages", 0x2000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    OrrMemoryRegion *tiny = disp_io(o, "tiny", 2, &disp_ops_le8, &dev);
    static const struct {
        uint64_t base, len;
    } ends[] = {{0x1000, 0x10}, {0x4000, 0x2000}, {0x8000, 2}};

    for (guint i = 0; i < 0x10; i++) {
        disp_host(small)[i] = (uint8_t)(0x10 + i);
    }
    for (guint i = 0; i < 0x2000; i++) {
        disp_host(pages)[i] = (uint8_t)(i * 7);
    }
    for (guint i = 0; i < sizeof dev.mem; i++) {
        dev.mem[i] = (uint8_t)(0xa0 + i);
    }
    orr_test_add_subregion(root, 0x1000, small);
    orr_test_add_subregion(root, 0x4000, pages);
    orr_test_add_subregion(root, 0x8000, tiny);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    for (guint e = 0; e < G_N_ELEMENTS(ends); e++) {
        uint64_t last = ends[e].base + ends[e].len;

        for (int round = 0; round < 2; round++) {
            for (uint64_t addr = last - 12; addr <= last; addr++) {
                for (unsigned size = 1; size <= 8; size *= 2) {
                    uint8_t bytes[8] = {0};
                    OrrMemTxResult r_bytes =
                        orr_address_space_read_bytes(as, addr, bytes, size);

                    assert_read_both(as, addr, size, r_bytes,
                                     le_value(bytes, size));
                }
            }
            /* Warm the caches on the region's first bytes. */
            uint64_t v;
            (void)orr_address_space_read(as, ends[e].base, 1, &v);
            (void)orr_address_space_read(as, ends[e].base, 1, &v);
        }
    }
    orr_test_log_clear();
    disp_finish(o);
}

/*
 * The TLB's index: in a table of any size the library uses (2^7 to 2^14
 * entries), no page shares its entry with the next page, and the top page
 * does not share page 0's. The inline path relies on both to refuse an
 * access that crosses a page (or wraps past 2^64) with one compare.
 */
static void test_tlb_index(void)
{
    static OrrTlbEntry table[1u << ORR__TLB_MAX_BITS];
    const uint64_t top = UINT64_MAX >> ORR_TLB_PAGE_BITS;
    GRand *rand = g_rand_new_with_seed(11);
    OrrAddressSpaceHead h = {.tlb = table};

    for (unsigned bits = 7; bits <= ORR__TLB_MAX_BITS; bits++) {
        h.tlb_mask = ((UINT64_C(1) << bits) - 1) << ORR__TLB_ENTRY_BITS;
        g_assert_true(orr__tlb_entry(&h, top << ORR_TLB_PAGE_BITS) !=
                      orr__tlb_entry(&h, 0));
        for (guint k = 0; k < 200000; k++) {
            /* Random pages, and those below a power of two (carries). */
            uint64_t page =
                k < 52 ? (UINT64_C(1) << (k + 1)) - 1
                       : ((uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand)) &
                             top;
            uint64_t next = (page + 1) & top;
            const OrrTlbEntry *t =
                orr__tlb_entry(&h, page << ORR_TLB_PAGE_BITS);

            g_assert_true(t >= table && t < table + (1u << bits));
            g_assert_true(t != orr__tlb_entry(&h, next << ORR_TLB_PAGE_BITS));
        }
    }
    g_rand_free(rand);
}

/*
 * Accesses the TLB must refuse although it holds their first page: one
 * crossing into the next page (which is in the TLB too, but another
 * region's backing), one wrapping past 2^64 onto page 0, and a write to a
 * page of ROM. The RAM range is left on another region each time, so
 * that only the TLB can answer.
 */
static void test_cache_tlb_pages(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", ORR_SIZE_2_64);
    OrrMemoryRegion *a = orr_test_new_ram(o, "a", 0x1000);
    OrrMemoryRegion *b = orr_test_new_ram(o, "b", 0x1000);
    OrrMemoryRegion *other = orr_test_new_ram(o, "other", 0x1000);
    OrrMemoryRegion *zero = orr_test_new_ram(o, "zero", 0x1000);
    OrrMemoryRegion *high = orr_test_new_ram(o, "high", 0x1000);
    static const uint8_t contents[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *rom = orr_memory_region_new_rom(o, "rom", 0x1000, contents,
                                                     sizeof contents, &err);
    const uint64_t top = UINT64_C(0xfffffffffffff000);

    g_assert_no_error(err);
    for (guint i = 0; i < 0x1000; i++) {
        disp_host(a)[i] = (uint8_t)i;
        disp_host(b)[i] = (uint8_t)(0x80 + i);
        disp_host(high)[i] = (uint8_t)(0x40 + i);
    }
    orr_test_add_subregion(root, 0, zero);
    orr_test_add_subregion(root, 0x10000, a);
    orr_test_add_subregion(root, 0x11000, b);
    orr_test_add_subregion(root, 0x20000, rom);
    orr_test_add_subregion(root, 0x40000, other);
    orr_test_add_subregion(root, top, high);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    for (uint64_t addr = 0x10ff9; addr < 0x11000; addr++) {
        for (unsigned size = 2; size <= 8; size *= 2) {
            uint8_t bytes[8];

            if ((addr & 0xfff) + size <= 0x1000) {
                continue;
            }
            assert_tx(orr_address_space_read_bytes(as, addr, bytes, size),
                      ORR_MEMTX_OK);
            uint64_t want = le_value(bytes, size);
            warm(as, 0x10000);
            warm(as, 0x11000);
            warm(as, 0x40000);
            assert_read_both(as, addr, size, ORR_MEMTX_OK, want);

            warm(as, 0x10000);
            warm(as, 0x11000);
            warm(as, 0x40000);
            assert_write(as, addr, size, UINT64_MAX, ORR_MEMTX_OK);
            g_assert_cmphex(disp_host(a)[0xfff], ==, 0xff);
            g_assert_cmphex(disp_host(b)[(addr + size - 1) & 0xfff], ==, 0xff);
            for (guint i = 0xff0; i < 0x1000; i++) {
                disp_host(a)[i] = (uint8_t)i;
            }
            for (guint i = 0; i < 0x10; i++) {
                disp_host(b)[i] = (uint8_t)(0x80 + i);
            }
        }
    }

    /* Past 2^64 with the top page and page 0 both cached. */
    warm(as, top);
    warm(as, 0);
    warm(as, 0x40000);
    assert_read_both(as, UINT64_MAX - 1, 4, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read_both(as, UINT64_MAX - 3, 4, ORR_MEMTX_OK, 0x3f3e3d3c);

    /* ROM in the TLB: reads hit, writes are refused. */
    uint64_t v;
    assert_tx(orr_address_space_read(as, 0x20000, 4, &v), ORR_MEMTX_OK);
    assert_tx(orr_address_space_read(as, 0x20000, 4, &v), ORR_MEMTX_OK);
    warm(as, 0x40000);
    assert_read_both(as, 0x20004, 4, ORR_MEMTX_OK, 0x08070605);
    assert_write(as, 0x20004, 4, 0, ORR_MEMTX_ACCESS_ERROR);
    assert_tx((orr_address_space_write)(as, 0x20004, 4, 0),
              ORR_MEMTX_ACCESS_ERROR);
    assert_read_both(as, 0x20004, 4, ORR_MEMTX_OK, 0x08070605);
    orr_test_log_clear();
    disp_finish(o);
}

/*
 * An MMIO region in the cache (a plain one, which the inline path calls
 * itself) leaves its owner inside a transaction: the view shows it until
 * the commit, but its ops must not run again. Reads and writes, inline
 * and exported, are refused with no call; after the commit they are
 * decode errors.
 */
static void test_cache_mmio_orphan(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrObject *dev_owner = disp_new_child_owner(o, "dev");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x100000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    OrrMemoryRegion *regs =
        disp_io(dev_owner, "regs", 0x100, &disp_ops_le8, &dev);

    memset(dev.mem, 0x5a, sizeof dev.mem);
    orr_test_add_subregion(root, 0x8000, regs);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    assert_read_both(as, 0x8010, 4, ORR_MEMTX_OK, 0x5a5a5a5a);
    assert_write(as, 0x8010, 4, 0x5a5a5a5a, ORR_MEMTX_OK);
    orr_test_assert_log("r 10/4, r 10/4, w 10/4=5a5a5a5a");

    orr_memory_transaction_begin();
    orr_object_unparent(orr_memory_region_object(regs));
    orr_test_log_clear();
    g_assert_true(orr_address_space_find(as, 0x8010, NULL) == regs);
    assert_read_both(as, 0x8010, 4, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_write(as, 0x8010, 4, 1, ORR_MEMTX_ACCESS_ERROR);
    assert_tx((orr_address_space_write)(as, 0x8010, 4, 1),
              ORR_MEMTX_ACCESS_ERROR);
    orr_test_assert_log("");
    orr_memory_transaction_commit();

    assert_read_both(as, 0x8010, 4, ORR_MEMTX_DECODE_ERROR, 0);
    orr_test_assert_log("");
    orr_object_unparent(dev_owner);
    disp_finish(o);
}

/* Inside an MMIO callback: the callback unmaps a RAM region the outer
 * code had cached, then reads it: a decode error, inline or not. */
typedef struct Unmapper {
    OrrAddressSpace *as;
    OrrMemoryRegion *container;
    OrrMemoryRegion *victim;
    uint64_t victim_addr;
    bool unmapped;
} Unmapper;

static uint64_t unmapper_read(void *opaque, uint64_t offset, unsigned size)
{
    Unmapper *u = opaque;
    g_autoptr(GError) err = NULL;

    if (!u->unmapped) {
        g_assert_true(
            orr_memory_region_del_subregion(u->container, u->victim, &err));
        g_assert_no_error(err);
        u->unmapped = true;
    }
    assert_read_both(u->as, u->victim_addr, 4, ORR_MEMTX_DECODE_ERROR, 0);
    return 0x5a;
}

static void unmapper_write(void *opaque, uint64_t offset, uint64_t value,
                           unsigned size)
{
}

static const OrrMemoryOps unmapper_ops = {
    .read = unmapper_read,
    .write = unmapper_write,
    .endianness = ORR_ENDIAN_LITTLE,
};

static void test_cache_nested_unmap(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x100000);
    OrrMemoryRegion *r = orr_test_new_ram(o, "ram", 0x4000);
    Unmapper u = {.container = root, .victim = r, .victim_addr = 0x21000};

    orr_test_add_subregion(root, 0x20000, r);
    orr_test_add_subregion(root, 0x1000,
                           disp_io(o, "unmapper", 0x100, &unmapper_ops, &u));
    u.as = orr_test_new_address_space(o, "as", root);
    warm(u.as, 0x21000);
    assert_read_both(u.as, 0x1000, 4, ORR_MEMTX_OK, 0x5a);
    assert_read_both(u.as, 0x21000, 4, ORR_MEMTX_DECODE_ERROR, 0);
    disp_finish(o);
}

/* A new address space never sees what another one cached, even when it
 * is allocated where the old one was. */
static void test_cache_new_space(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x100000);
    OrrMemoryRegion *empty = orr_test_new_container(o, "empty", 0x100000);

    orr_test_add_subregion(root, 0x20000, orr_test_new_ram(o, "ram", 0x4000));
    for (guint i = 0; i < 8; i++) {
        OrrAddressSpace *as =
            orr_test_new_address_space(NULL, "as", i % 2 ? empty : root);

        if (i % 2) {
            assert_read_both(as, 0x21000, 4, ORR_MEMTX_DECODE_ERROR, 0);
        } else {
            warm(as, 0x21000);
        }
        orr_object_unref(orr_address_space_object(as));
    }
    disp_finish(o);
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/dispatch/cache/invalidation", test_cache_invalidation);
    g_test_add_func("/dispatch/cache/romd-and-rom", test_cache_romd_and_rom);
    g_test_add_func("/dispatch/cache/many-pages", test_cache_many_pages);
    g_test_add_func("/dispatch/cache/edges", test_cache_edges);
    g_test_add_func("/dispatch/cache/tlb-index", test_tlb_index);
    g_test_add_func("/dispatch/cache/tlb-pages", test_cache_tlb_pages);
    g_test_add_func("/dispatch/cache/mmio-orphan", test_cache_mmio_orphan);
    g_test_add_func("/dispatch/cache/nested-unmap", test_cache_nested_unmap);
    g_test_add_func("/dispatch/cache/new-space", test_cache_new_space);
    return g_test_run();
}
