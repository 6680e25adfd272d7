/*
 * Unit tests for dispatch: RAM, ROM, ROM devices and MMIO reached through
 * an address space, by sized accesses and byte strings; accesses that
 * straddle regions or holes; lookup; the top of the 64-bit space;
 * transactions; shared views. The rules of OrrMemoryOps, re-entrant
 * callbacks and the access caches are in test-dispatch-mmio.c,
 * test-dispatch-reentrant.c and test-dispatch-cache.c.
 */
#include <stdio.h>
#include <string.h>

#include "test-util.h"
#include "dispatch-fixture.h"

/* --- Checks --------------------------------------------------------------- */

static void assert_filled(const uint8_t *p, size_t len, uint8_t byte)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] != byte) {
            g_error("byte %zu is 0x%02x, not 0x%02x", i, p[i], byte);
        }
    }
}

/* --- RAM ------------------------------------------------------------------ */

/* Sized accesses are little-endian on the bus and land in the backing. */
static void test_ram_sized(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *r = orr_test_new_ram(o, "ram", 0x1000);
    uint8_t *h = disp_host(r);

    orr_test_add_subregion(root, 0x1000, r);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    /* Zeroed at creation. */
    assert_filled(h, 0x1000, 0);
    assert_read(as, 0x1000, 8, ORR_MEMTX_OK, 0);
    assert_read(as, 0x1ff8, 8, ORR_MEMTX_OK, 0);

    assert_write(as, 0x1000, 1, 0xab, ORR_MEMTX_OK);
    assert_write(as, 0x1002, 2, 0x1234, ORR_MEMTX_OK);
    assert_write(as, 0x1004, 4, 0x89abcdef, ORR_MEMTX_OK);
    assert_write(as, 0x1008, 8, UINT64_C(0x0123456789abcdef), ORR_MEMTX_OK);
    static const uint8_t expect[16] = {
        0xab, 0x00, 0x34, 0x12, 0xef, 0xcd, 0xab, 0x89,
        0xef, 0xcd, 0xab, 0x89, 0x67, 0x45, 0x23, 0x01,
    };
    g_assert_cmpmem(h, 16, expect, 16);
    assert_filled(h + 16, 0x1000 - 16, 0);

    assert_read(as, 0x1000, 1, ORR_MEMTX_OK, 0xab);
    assert_read(as, 0x1002, 2, ORR_MEMTX_OK, 0x1234);
    assert_read(as, 0x1004, 4, ORR_MEMTX_OK, 0x89abcdef);
    assert_read(as, 0x1008, 8, ORR_MEMTX_OK, UINT64_C(0x0123456789abcdef));
    assert_read(as, 0x1000, 8, ORR_MEMTX_OK, UINT64_C(0x89abcdef123400ab));
    /* Unaligned RAM accesses are fine. */
    assert_read(as, 0x1003, 4, ORR_MEMTX_OK, 0xabcdef12);
    assert_write(as, 0x1ffd, 2, 0xbeef, ORR_MEMTX_OK);
    g_assert_cmphex(h[0xffd], ==, 0xef);
    g_assert_cmphex(h[0xffe], ==, 0xbe);

    /* The host's writes are what the bus reads. */
    h[0x800] = 0x11;
    h[0x801] = 0x22;
    h[0x802] = 0x33;
    h[0x803] = 0x44;
    assert_read(as, 0x1800, 4, ORR_MEMTX_OK, 0x44332211);
    assert_read(as, 0x1801, 2, ORR_MEMTX_OK, 0x3322);

    /* Bad sizes are access errors and touch nothing. */
    assert_read(as, 0x1800, 3, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_read(as, 0x1800, 0, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_read(as, 0x1800, 16, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_write(as, 0x1800, 3, 0xffffff, ORR_MEMTX_ACCESS_ERROR);
    assert_write(as, 0x1800, 0, 0xff, ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmphex(h[0x800], ==, 0x11);
    g_assert_cmphex(h[0x803], ==, 0x44);
    uint8_t b = 0x5a;
    assert_tx(orr_address_space_read_bytes(as, 0x1800, &b, 0),
              ORR_MEMTX_ACCESS_ERROR);
    assert_tx(orr_address_space_write_bytes(as, 0x1800, &b, 0),
              ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmphex(b, ==, 0x5a);
    g_assert_cmphex(h[0x800], ==, 0x11);

    /* Outside the RAM: decode errors reading 0. */
    assert_read(as, 0x0, 4, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as, 0x2000, 1, ORR_MEMTX_DECODE_ERROR, 0);
    assert_write(as, 0x2000, 8, UINT64_MAX, ORR_MEMTX_DECODE_ERROR);
    disp_finish(o);
}

/*
 * Byte strings over [A][B][hole][C]: the mapped parts move, the hole
 * reads as 0, the result is a decode error, nothing outside the backings
 * (or past the caller's buffer) is written.
 */
static void test_ram_bytes_across_hole(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *a = orr_test_new_ram(o, "a", 0x1000);
    OrrMemoryRegion *b = orr_test_new_ram(o, "b", 0x1000);
    OrrMemoryRegion *c = orr_test_new_ram(o, "c", 0x1000);

    orr_test_add_subregion(root, 0x1000, a);
    orr_test_add_subregion(root, 0x2000, b);
    orr_test_add_subregion(root, 0x4000, c);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    orr_test_assert_flat(as, "1000-1fff a 2000-2fff b 4000-4fff c");

    uint8_t *ha = disp_host(a), *hb = disp_host(b), *hc = disp_host(c);
    memset(ha, 0xa5, 0x1000);
    memset(hb, 0xa5, 0x1000);
    memset(hc, 0xa5, 0x1000);

    /* 0x1ff0 .. 0x400f: 16 bytes of a, all of b, the hole, 16 of c. */
    const size_t len = 0x2020;
    g_autofree uint8_t *pat = g_malloc(len);
    for (size_t i = 0; i < len; i++) {
        pat[i] = (uint8_t)(i * 7 + 1);
    }

    /* Within a and b only: no error. */
    assert_tx(orr_address_space_write_bytes(as, 0x1ff0, pat, 0x1010),
              ORR_MEMTX_OK);
    g_assert_cmpmem(ha + 0xff0, 16, pat, 16);
    g_assert_cmpmem(hb, 0x1000, pat + 16, 0x1000);
    memset(ha, 0xa5, 0x1000);
    memset(hb, 0xa5, 0x1000);

    assert_tx(orr_address_space_write_bytes(as, 0x1ff0, pat, len),
              ORR_MEMTX_DECODE_ERROR);
    assert_filled(ha, 0xff0, 0xa5);
    g_assert_cmpmem(ha + 0xff0, 16, pat, 16);
    g_assert_cmpmem(hb, 0x1000, pat + 16, 0x1000);
    g_assert_cmpmem(hc, 16, pat + 0x2010, 16);
    assert_filled(hc + 16, 0x1000 - 16, 0xa5);

    /* Read it back into a buffer with a canary past its end. */
    g_autofree uint8_t *buf = g_malloc(len + 16);
    memset(buf, 0x5a, len + 16);
    assert_tx(orr_address_space_read_bytes(as, 0x1ff0, buf, len),
              ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpmem(buf, 0x1010, pat, 0x1010);
    assert_filled(buf + 0x1010, 0x1000, 0);
    g_assert_cmpmem(buf + 0x2010, 16, pat + 0x2010, 16);
    assert_filled(buf + len, 16, 0x5a);

    /* A string that starts in the hole and ends in c. */
    memset(buf, 0x5a, len + 16);
    assert_tx(orr_address_space_read_bytes(as, 0x3ffe, buf, 4),
              ORR_MEMTX_DECODE_ERROR);
    static const uint8_t start_in_hole[2] = {0, 0};
    g_assert_cmpmem(buf, 2, start_in_hole, 2);
    g_assert_cmpmem(buf + 2, 2, pat + 0x2010, 2);
    g_assert_cmphex(buf[4], ==, 0x5a);

    /* Writes into the hole alone change nothing. */
    assert_tx(orr_address_space_write_bytes(as, 0x3000, pat, 0x1000),
              ORR_MEMTX_DECODE_ERROR);
    g_assert_cmpmem(hb, 0x1000, pat + 16, 0x1000);
    g_assert_cmpmem(hc, 16, pat + 0x2010, 16);
    assert_filled(hc + 16, 0x1000 - 16, 0xa5);
    disp_finish(o);
}

/*
 * A byte string returns its first error and still runs to the end:
 * [ram 1000][deny 2000, refuses everything][hole 2100][dev 3000].
 */
static void test_bytes_first_error(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *r = orr_test_new_ram(o, "ram", 0x1000);
    RecDev deny = {.endian = ORR_ENDIAN_LITTLE, .refuse_all = true};
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    uint8_t buf[0x1100];

    for (guint i = 0; i < sizeof dev.mem; i++) {
        dev.mem[i] = (uint8_t)(0x80 + i);
    }
    memset(disp_host(r), 0x11, 0x1000);
    orr_test_add_subregion(root, 0x1000, r);
    orr_test_add_subregion(root, 0x2000,
                           disp_io(o, "deny", 0x100, &disp_ops_accepts, &deny));
    orr_test_add_subregion(root, 0x3000,
                           disp_io(o, "dev", 0x100, &disp_ops_le8, &dev));
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    /* RAM then refused MMIO: access error, RAM bytes kept, rest 0. */
    memset(buf, 0x5a, sizeof buf);
    assert_tx(orr_address_space_read_bytes(as, 0x1ff0, buf, 0x20),
              ORR_MEMTX_ACCESS_ERROR);
    assert_filled(buf, 0x10, 0x11);
    assert_filled(buf + 0x10, 0x10, 0);
    g_assert_cmphex(buf[0x20], ==, 0x5a);
    {
        g_autofree char *log = orr_test_log_take();
        g_assert_null(strstr(log, "r ")); /* refused: never read */
        g_assert_nonnull(strstr(log, "a 0/"));
    }

    /* Hole then a working device: decode error, the device still read. */
    memset(buf, 0x5a, sizeof buf);
    assert_tx(orr_address_space_read_bytes(as, 0x2ff0, buf, 0x20),
              ORR_MEMTX_DECODE_ERROR);
    assert_filled(buf, 0x10, 0);
    g_assert_cmpmem(buf + 0x10, 0x10, dev.mem, 0x10);
    orr_test_log_clear();

    /* Refused MMIO, hole, device: the first error (access) wins. */
    memset(buf, 0x5a, sizeof buf);
    assert_tx(orr_address_space_read_bytes(as, 0x20f0, buf, 0xf20),
              ORR_MEMTX_ACCESS_ERROR);
    assert_filled(buf, 0xf10, 0);
    g_assert_cmpmem(buf + 0xf10, 0x10, dev.mem, 0x10);
    orr_test_log_clear();

    /* Writes too: the device part is written after both errors. */
    uint8_t src[0xf20];
    memset(src, 0xc3, sizeof src);
    assert_tx(orr_address_space_write_bytes(as, 0x20f0, src, sizeof src),
              ORR_MEMTX_ACCESS_ERROR);
    assert_filled(dev.mem, 0x10, 0xc3);
    g_assert_cmphex(dev.mem[0x10], ==, 0x90);
    orr_test_log_clear();
    disp_finish(o);
}

/* --- ROM and ROM devices -------------------------------------------------- */

static void test_rom(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    static const uint8_t contents[5] = {0x01, 0x02, 0x03, 0x04, 0x05};
    OrrMemoryRegion *rom = orr_memory_region_new_rom(o, "rom", 0x1000, contents,
                                                     sizeof contents, &err);

    g_assert_no_error(err);
    g_assert_cmpint(orr_memory_region_get_kind(rom), ==, ORR_REGION_ROM);
    uint8_t *h = disp_host(rom);
    g_assert_cmpmem(h, 5, contents, 5);
    assert_filled(h + 5, 0x1000 - 5, 0);

    orr_test_add_subregion(root, 0x4000, rom);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    orr_test_assert_flat(as, "4000-4fff rom(ro)");

    assert_read(as, 0x4000, 8, ORR_MEMTX_OK, UINT64_C(0x0504030201));
    assert_read(as, 0x4003, 2, ORR_MEMTX_OK, 0x0504);
    assert_read(as, 0x4800, 4, ORR_MEMTX_OK, 0);

    assert_write(as, 0x4000, 4, 0xffffffff, ORR_MEMTX_ACCESS_ERROR);
    assert_write(as, 0x4fff, 1, 0xff, ORR_MEMTX_ACCESS_ERROR);
    static const uint8_t ff[16] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    };
    assert_tx(orr_address_space_write_bytes(as, 0x4000, ff, sizeof ff),
              ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpmem(h, 5, contents, 5);
    assert_filled(h + 5, 0x1000 - 5, 0);
    assert_read(as, 0x4000, 8, ORR_MEMTX_OK, UINT64_C(0x0504030201));

    /* The host may still change it (a loader would). */
    h[0xfff] = 0x99;
    assert_read(as, 0x4fff, 1, ORR_MEMTX_OK, 0x99);
    disp_finish(o);
}

static void test_romd(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    OrrMemoryRegion *rd = orr_memory_region_new_romd(o, "flash", 0x100,
                                                     &disp_ops_le8, &dev, &err);

    g_assert_no_error(err);
    g_assert_true(orr_memory_region_is_romd(rd));
    uint8_t *h = disp_host(rd);
    assert_filled(h, 0x100, 0);
    for (guint i = 0; i < 0x100; i++) {
        h[i] = (uint8_t)(0x10 + i);
        dev.mem[i] = (uint8_t)(0xc0 ^ i);
    }
    orr_test_add_subregion(root, 0x2000, rd);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    orr_test_assert_flat(as, "2000-20ff flash");

    /* ROMD mode: reads from the backing, writes to the ops. */
    assert_read(as, 0x2000, 4, ORR_MEMTX_OK, 0x13121110);
    assert_read(as, 0x2004, 8, ORR_MEMTX_OK, UINT64_C(0x1b1a191817161514));
    orr_test_assert_log("");
    assert_write(as, 0x2008, 4, 0xaabbccdd, ORR_MEMTX_OK);
    orr_test_assert_log("w 8/4=aabbccdd");
    g_assert_cmphex(h[8], ==, 0x18);
    g_assert_cmphex(dev.mem[8], ==, 0xdd);
    assert_read(as, 0x2008, 4, ORR_MEMTX_OK, 0x1b1a1918);
    orr_test_assert_log("");

    /* Out of ROMD mode: every access goes to the ops. */
    g_assert_true(orr_memory_region_set_romd(rd, false, &err));
    g_assert_no_error(err);
    g_assert_false(orr_memory_region_is_romd(rd));
    assert_read(as, 0x2008, 4, ORR_MEMTX_OK, 0xaabbccdd);
    orr_test_assert_log("r 8/4");
    assert_read(as, 0x2000, 1, ORR_MEMTX_OK, 0xc0);
    orr_test_assert_log("r 0/1");
    assert_write(as, 0x2010, 2, 0x1234, ORR_MEMTX_OK);
    orr_test_assert_log("w 10/2=1234");
    g_assert_cmphex(h[0x10], ==, 0x20);

    /* And back. */
    g_assert_true(orr_memory_region_set_romd(rd, true, &err));
    g_assert_no_error(err);
    assert_read(as, 0x2010, 2, ORR_MEMTX_OK, 0x2120);
    orr_test_assert_log("");

    /* Only ROM devices have the mode. */
    OrrMemoryRegion *r = orr_test_new_ram(o, "ram", 0x100);
    g_assert_false(orr_memory_region_set_romd(r, false, &err));
    g_assert_nonnull(err);
    disp_finish(o);
}

/* --- Straddling ----------------------------------------------------------- */

static void test_straddle_ram_ram(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *a = orr_test_new_ram(o, "a", 0x1000);
    OrrMemoryRegion *b = orr_test_new_ram(o, "b", 0x1000);

    orr_test_add_subregion(root, 0x1000, a);
    orr_test_add_subregion(root, 0x2000, b);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    uint8_t *ha = disp_host(a), *hb = disp_host(b);

    assert_write(as, 0x1ffe, 4, 0x11223344, ORR_MEMTX_OK);
    g_assert_cmphex(ha[0xffe], ==, 0x44);
    g_assert_cmphex(ha[0xfff], ==, 0x33);
    g_assert_cmphex(hb[0], ==, 0x22);
    g_assert_cmphex(hb[1], ==, 0x11);
    g_assert_cmphex(hb[2], ==, 0);
    assert_read(as, 0x1ffe, 4, ORR_MEMTX_OK, 0x11223344);
    assert_read(as, 0x1fff, 2, ORR_MEMTX_OK, 0x2233);
    assert_write(as, 0x1ff9, 8, UINT64_C(0x0102030405060708), ORR_MEMTX_OK);
    assert_read(as, 0x1ff9, 8, ORR_MEMTX_OK, UINT64_C(0x0102030405060708));
    g_assert_cmphex(ha[0xff9], ==, 0x08);
    g_assert_cmphex(hb[0], ==, 0x01);
    g_assert_cmphex(hb[1], ==, 0x11);

    /* Into a hole: the mapped bytes kept, the rest 0, decode error. */
    assert_read(as, 0x2ffe, 4, ORR_MEMTX_DECODE_ERROR, 0);
    hb[0xffe] = 0xaa;
    hb[0xfff] = 0xbb;
    assert_read(as, 0x2ffe, 4, ORR_MEMTX_DECODE_ERROR, 0xbbaa);
    ha[0] = 0x44;
    ha[1] = 0x33;
    assert_read(as, 0x0ffe, 4, ORR_MEMTX_DECODE_ERROR, 0x33440000);
    assert_write(as, 0x2ffe, 4, 0x11223344, ORR_MEMTX_DECODE_ERROR);
    g_assert_cmphex(hb[0xffe], ==, 0x44);
    g_assert_cmphex(hb[0xfff], ==, 0x33);
    disp_finish(o);
}

/* The calls a device got cover exactly @len bytes from @offset, in order
 * (one call, or smaller pieces). */
static void assert_log_covers(const char *op, uint64_t offset, unsigned len)
{
    g_autofree char *log = orr_test_log_take();
    g_auto(GStrv) calls = g_strsplit(log, ", ", -1);
    uint64_t cur = offset;

    for (guint i = 0; calls[i] != NULL; i++) {
        uint64_t off;
        unsigned size;
        g_assert_true(g_str_has_prefix(calls[i], op));
        g_assert_cmpint(sscanf(calls[i] + strlen(op),
                               "%" G_GINT64_MODIFIER "x/%u", &off, &size),
                        ==, 2);
        g_assert_cmphex(off, ==, cur);
        cur += size;
    }
    g_assert_cmphex(cur, ==, offset + len);
}

static void test_straddle_ram_mmio(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *a = orr_test_new_ram(o, "a", 0x1000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};

    orr_test_add_subregion(root, 0x1000, a);
    orr_test_add_subregion(root, 0x2000,
                           disp_io(o, "dev", 0x100, &disp_ops_le8, &dev));
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    uint8_t *ha = disp_host(a);

    assert_write(as, 0x1ffe, 4, 0x11223344, ORR_MEMTX_OK);
    assert_log_covers("w ", 0, 2);
    g_assert_cmphex(ha[0xffe], ==, 0x44);
    g_assert_cmphex(ha[0xfff], ==, 0x33);
    g_assert_cmphex(dev.mem[0], ==, 0x22);
    g_assert_cmphex(dev.mem[1], ==, 0x11);
    g_assert_cmphex(dev.mem[2], ==, 0);

    assert_read(as, 0x1ffe, 4, ORR_MEMTX_OK, 0x11223344);
    assert_log_covers("r ", 0, 2);
    dev.mem[2] = 0x99;
    assert_read(as, 0x1ffd, 8, ORR_MEMTX_OK, UINT64_C(0x0000991122334400));
    assert_log_covers("r ", 0, 5);

    /* MMIO into a hole. */
    dev.mem[0xfe] = 0xaa;
    dev.mem[0xff] = 0xbb;
    assert_read(as, 0x20fe, 4, ORR_MEMTX_DECODE_ERROR, 0xbbaa);
    assert_log_covers("r ", 0xfe, 2);
    disp_finish(o);
}

/* --- Lookup --------------------------------------------------------------- */

static void test_find_and_flat_ranges(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *r = orr_test_new_ram(o, "ram", 0x2000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    OrrMemoryRegion *d = disp_io(o, "dev", 0x100, &disp_ops_le8, &dev);
    OrrMemoryRegion *win =
        orr_memory_region_new_alias(o, "win", r, 0x1800, 0x800, &err);

    g_assert_no_error(err);
    orr_test_add_subregion(root, 0x1000, r);
    orr_test_add_subregion(root, 0x4000, d);
    orr_test_add_subregion(root, 0x8000, win);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    uint64_t off = 12345;
    g_assert_true(orr_address_space_find(as, 0x1000, &off) == r);
    g_assert_cmphex(off, ==, 0);
    g_assert_true(orr_address_space_find(as, 0x2fff, &off) == r);
    g_assert_cmphex(off, ==, 0x1fff);
    g_assert_true(orr_address_space_find(as, 0x4080, &off) == d);
    g_assert_cmphex(off, ==, 0x80);
    g_assert_true(orr_address_space_find(as, 0x8010, &off) == r);
    g_assert_cmphex(off, ==, 0x1810);
    g_assert_true(orr_address_space_find(as, 0x4080, NULL) == d);
    off = 12345;
    g_assert_null(orr_address_space_find(as, 0x3000, &off));
    g_assert_null(orr_address_space_find(as, 0x0fff, NULL));
    g_assert_null(orr_address_space_find(as, 0x4100, NULL));
    g_assert_null(orr_address_space_find(as, UINT64_MAX, NULL));

    g_autoptr(GArray) ranges = orr_address_space_get_flat_ranges(as);
    g_assert_cmpuint(ranges->len, ==, 3);
    const OrrFlatRange *fr = &g_array_index(ranges, OrrFlatRange, 0);
    g_assert_cmphex(fr->start, ==, 0x1000);
    g_assert_cmphex(fr->last, ==, 0x2fff);
    g_assert_true(fr->region == r);
    g_assert_cmphex(fr->offset, ==, 0);
    g_assert_false(fr->readonly);
    fr = &g_array_index(ranges, OrrFlatRange, 1);
    g_assert_cmphex(fr->start, ==, 0x4000);
    g_assert_cmphex(fr->last, ==, 0x40ff);
    g_assert_true(fr->region == d);
    g_assert_cmphex(fr->offset, ==, 0);
    fr = &g_array_index(ranges, OrrFlatRange, 2);
    g_assert_cmphex(fr->start, ==, 0x8000);
    g_assert_cmphex(fr->last, ==, 0x87ff);
    g_assert_true(fr->region == r);
    g_assert_cmphex(fr->offset, ==, 0x1800);

    /* A readonly region is marked so. */
    orr_memory_region_set_readonly(d, true);
    orr_test_assert_flat(as,
                         "1000-2fff ram 4000-40ff dev(ro) 8000-87ff ram@1800");
    assert_write(as, 0x4000, 1, 1, ORR_MEMTX_ACCESS_ERROR);
    orr_test_assert_log("");
    disp_finish(o);
}

/* --- The top of the 64-bit space ------------------------------------------ */

static void test_top_of_space(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", ORR_SIZE_2_64);
    OrrMemoryRegion *r = orr_test_new_ram(o, "top", 0x1000);
    const uint64_t base = UINT64_C(0xfffffffffffff000);

    g_assert_cmphex(orr_memory_region_get_size(root), ==, ORR_SIZE_2_64);
    orr_test_add_subregion(root, base, r);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    orr_test_assert_flat(as, "fffffffffffff000-ffffffffffffffff top");
    uint8_t *h = disp_host(r);
    h[0xfff] = 0xab;
    h[0xffe] = 0xcd;

    uint64_t off = 0;
    g_assert_true(orr_address_space_find(as, UINT64_MAX, &off) == r);
    g_assert_cmphex(off, ==, 0xfff);

    assert_read(as, UINT64_MAX, 1, ORR_MEMTX_OK, 0xab);
    assert_read(as, UINT64_MAX - 1, 2, ORR_MEMTX_OK, 0xabcd);
    assert_read(as, UINT64_MAX - 7, 8, ORR_MEMTX_OK,
                UINT64_C(0xabcd000000000000));
    assert_write(as, UINT64_MAX - 3, 4, 0x12345678, ORR_MEMTX_OK);
    g_assert_cmphex(h[0xfff], ==, 0x12);
    h[0xfff] = 0xab;

    /* Past 2^64: fails before touching anything. */
    assert_read(as, UINT64_MAX, 2, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as, UINT64_MAX - 1, 4, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as, UINT64_MAX - 6, 8, ORR_MEMTX_DECODE_ERROR, 0);
    assert_write(as, UINT64_MAX, 2, 0xffff, ORR_MEMTX_DECODE_ERROR);
    g_assert_cmphex(h[0xfff], ==, 0xab);

    uint8_t buf[3] = {0x5a, 0x5a, 0x5a};
    assert_tx(orr_address_space_read_bytes(as, UINT64_MAX, buf, 2),
              ORR_MEMTX_DECODE_ERROR);
    g_assert_cmphex(buf[0], ==, 0);
    g_assert_cmphex(buf[1], ==, 0);
    g_assert_cmphex(buf[2], ==, 0x5a);
    static const uint8_t ones[2] = {0xff, 0xff};
    assert_tx(orr_address_space_write_bytes(as, UINT64_MAX, ones, 2),
              ORR_MEMTX_DECODE_ERROR);
    g_assert_cmphex(h[0xfff], ==, 0xab);
    assert_tx(orr_address_space_read_bytes(as, UINT64_MAX, buf, 1),
              ORR_MEMTX_OK);
    g_assert_cmphex(buf[0], ==, 0xab);

    /* Below it, a decode error. */
    assert_read(as, base - 1, 2, ORR_MEMTX_DECODE_ERROR, 0);
    h[0] = 0x77;
    assert_read(as, base - 1, 2, ORR_MEMTX_DECODE_ERROR, 0x7700);
    disp_finish(o);
}

/* An MMIO region of 2^64 bytes as the root: offsets up to 2^64 - 1. */
static void test_top_of_space_mmio(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrObject *d = disp_new_child_owner(o, "d");
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    OrrMemoryRegion *huge =
        disp_io(d, "huge", ORR_SIZE_2_64, &disp_ops_le8, &dev);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", huge);

    orr_test_assert_flat(as, "0-ffffffffffffffff huge");
    uint64_t off = 0;
    g_assert_true(orr_address_space_find(as, UINT64_MAX - 3, &off) == huge);
    g_assert_cmphex(off, ==, UINT64_MAX - 3);
    assert_read(as, 0x10, 8, ORR_MEMTX_OK, 0);
    orr_test_assert_log("r 10/8");
    assert_read(as, UINT64_MAX, 2, ORR_MEMTX_DECODE_ERROR, 0);
    orr_test_assert_log("");
    disp_finish(o);
}

/* --- Transactions --------------------------------------------------------- */

static void test_transaction_nested(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *a = orr_test_new_ram(o, "a", 0x1000);
    OrrMemoryRegion *late = orr_test_new_ram(o, "late", 0x1000);

    orr_test_add_subregion(root, 0x1000, a);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);
    disp_host(a)[0] = 0xaa;
    disp_host(late)[0] = 0x77;

    orr_memory_transaction_begin();
    orr_memory_transaction_begin();
    orr_test_add_subregion(root, 0x8000, late);
    g_assert_true(orr_memory_region_set_address(a, 0x4000, &err));
    g_assert_no_error(err);
    orr_memory_region_set_readonly(a, true);

    /* Nothing visible yet. */
    orr_test_assert_flat(as, "1000-1fff a");
    g_assert_null(orr_address_space_find(as, 0x8000, NULL));
    assert_read(as, 0x8000, 1, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as, 0x4000, 1, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as, 0x1000, 1, ORR_MEMTX_OK, 0xaa);
    assert_write(as, 0x1001, 1, 0xbb, ORR_MEMTX_OK);

    orr_memory_transaction_commit();
    /* Still nothing: an outer transaction is open. */
    orr_test_assert_flat(as, "1000-1fff a");
    assert_read(as, 0x8000, 1, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as, 0x1000, 2, ORR_MEMTX_OK, 0xbbaa);

    orr_memory_transaction_commit();
    orr_test_assert_flat(as, "4000-4fff a(ro) 8000-8fff late");
    assert_read(as, 0x8000, 1, ORR_MEMTX_OK, 0x77);
    assert_read(as, 0x1000, 1, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as, 0x4000, 2, ORR_MEMTX_OK, 0xbbaa);
    assert_write(as, 0x4000, 1, 0, ORR_MEMTX_ACCESS_ERROR);

    /* Removal and disabling are deferred too. */
    orr_memory_transaction_begin();
    g_assert_true(orr_memory_region_del_subregion(root, late, &err));
    g_assert_no_error(err);
    orr_memory_region_set_enabled(a, false);
    assert_read(as, 0x8000, 1, ORR_MEMTX_OK, 0x77);
    assert_write(as, 0x8001, 1, 0x78, ORR_MEMTX_OK);
    assert_read(as, 0x4000, 1, ORR_MEMTX_OK, 0xaa);
    orr_memory_transaction_commit();
    g_assert_cmphex(disp_host(late)[1], ==, 0x78);
    orr_test_assert_flat(as, "");
    assert_read(as, 0x8000, 1, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as, 0x4000, 1, ORR_MEMTX_DECODE_ERROR, 0);
    disp_finish(o);
}

/* Leaving ROMD mode is a change like the others: deferred to the commit. */
static void test_transaction_romd(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    OrrMemoryRegion *rd = orr_memory_region_new_romd(o, "flash", 0x100,
                                                     &disp_ops_le8, &dev, &err);

    g_assert_no_error(err);
    disp_host(rd)[0] = 0x11;
    dev.mem[0] = 0x99;
    orr_test_add_subregion(root, 0x2000, rd);
    OrrAddressSpace *as = orr_test_new_address_space(o, "as", root);

    orr_memory_transaction_begin();
    g_assert_true(orr_memory_region_set_romd(rd, false, &err));
    assert_read(as, 0x2000, 1, ORR_MEMTX_OK, 0x11);
    orr_test_assert_log("");
    orr_memory_transaction_commit();
    assert_read(as, 0x2000, 1, ORR_MEMTX_OK, 0x99);
    orr_test_assert_log("r 0/1");
    disp_finish(o);
}

/* --- Shared views --------------------------------------------------------- */

static void test_shared_view(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);
    OrrMemoryRegion *other = orr_test_new_container(o, "other", 0x10000);
    OrrMemoryRegion *a = orr_test_new_ram(o, "a", 0x1000);

    orr_test_add_subregion(root, 0x1000, a);
    OrrAddressSpace *as1 = orr_test_new_address_space(o, "as1", root);
    OrrAddressSpace *as2 = orr_test_new_address_space(o, "as2", root);
    OrrAddressSpace *as3 = orr_test_new_address_space(o, "as3", other);

    orr_test_assert_flat(as1, "1000-1fff a");
    orr_test_assert_flat(as2, "1000-1fff a");
    orr_test_assert_flat(as3, "");
    /* One view for both: it alone pins a (a second view would pin it
     * too). */
    orr_test_assert_holders(a, "parent /test-dispatch|flatview");

    assert_write(as1, 0x1010, 4, 0x01020304, ORR_MEMTX_OK);
    assert_read(as2, 0x1010, 4, ORR_MEMTX_OK, 0x01020304);
    assert_read(as3, 0x1010, 4, ORR_MEMTX_DECODE_ERROR, 0);

    /* A change to the root shows in both. */
    OrrMemoryRegion *b = orr_test_new_ram(o, "b", 0x1000);
    orr_test_add_subregion(root, 0x3000, b);
    orr_test_assert_flat(as1, "1000-1fff a 3000-3fff b");
    orr_test_assert_flat(as2, "1000-1fff a 3000-3fff b");
    orr_test_assert_flat(as3, "");
    orr_test_assert_holders(a, "parent /test-dispatch|flatview");
    orr_test_assert_holders(b, "parent /test-dispatch|flatview");
    assert_write(as2, 0x3000, 2, 0xbeef, ORR_MEMTX_OK);
    assert_read(as1, 0x3000, 2, ORR_MEMTX_OK, 0xbeef);

    orr_memory_region_set_enabled(a, false);
    orr_test_assert_flat(as1, "3000-3fff b");
    orr_test_assert_flat(as2, "3000-3fff b");
    assert_read(as1, 0x1010, 4, ORR_MEMTX_DECODE_ERROR, 0);
    assert_read(as2, 0x1010, 4, ORR_MEMTX_DECODE_ERROR, 0);

    /* The same flat ranges, region for region. */
    g_autoptr(GArray) r1 = orr_address_space_get_flat_ranges(as1);
    g_autoptr(GArray) r2 = orr_address_space_get_flat_ranges(as2);
    g_assert_cmpuint(r1->len, ==, r2->len);
    for (guint i = 0; i < r1->len; i++) {
        const OrrFlatRange *x = &g_array_index(r1, OrrFlatRange, i);
        const OrrFlatRange *y = &g_array_index(r2, OrrFlatRange, i);
        g_assert_cmphex(x->start, ==, y->start);
        g_assert_cmphex(x->last, ==, y->last);
        g_assert_true(x->region == y->region);
        g_assert_cmphex(x->offset, ==, y->offset);
        g_assert_cmpint(x->readonly, ==, y->readonly);
    }
    disp_finish(o);
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/dispatch/ram/sized", test_ram_sized);
    g_test_add_func("/dispatch/ram/bytes-across-hole",
                    test_ram_bytes_across_hole);
    g_test_add_func("/dispatch/bytes/first-error", test_bytes_first_error);
    g_test_add_func("/dispatch/rom", test_rom);
    g_test_add_func("/dispatch/romd", test_romd);
    g_test_add_func("/dispatch/straddle/ram-ram", test_straddle_ram_ram);
    g_test_add_func("/dispatch/straddle/ram-mmio", test_straddle_ram_mmio);
    g_test_add_func("/dispatch/find-and-flat-ranges",
                    test_find_and_flat_ranges);
    g_test_add_func("/dispatch/top/ram", test_top_of_space);
    g_test_add_func("/dispatch/top/mmio", test_top_of_space_mmio);
    g_test_add_func("/dispatch/transaction/nested", test_transaction_nested);
    g_test_add_func("/dispatch/transaction/romd", test_transaction_romd);
    g_test_add_func("/dispatch/shared-view", test_shared_view);
    return g_test_run();
}
