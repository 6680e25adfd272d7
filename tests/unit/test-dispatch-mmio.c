/*
 * Unit tests for dispatch to MMIO: the rules of OrrMemoryOps (valid and
 * impl sizes, alignment, accepts(), splitting and widening, endianness)
 * and fallible ops (read_tx, write_tx), each through one device.
 */
#include <string.h>

#include "test-util.h"
#include "dispatch-fixture.h"

/* --- Ops of the recording device ------------------------------------------ */

/* The layouts only the MMIO tests use; disp_ops_le8 and disp_ops_accepts,
 * which the other dispatch tests use too, are in dispatch-fixture.h. */

/* Everything left at 0: valid and impl sizes 1..4, native order. */
static const OrrMemoryOps ops_default = {
    .read = disp_rec_read,
    .write = disp_rec_write,
};

static const OrrMemoryOps ops_valid_2_4 = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.min_access_size = 2, .max_access_size = 4},
    .impl = {.min_access_size = 1, .max_access_size = 8},
};

static const OrrMemoryOps ops_unaligned = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.max_access_size = 8, .unaligned = true},
    .impl = {.max_access_size = 8, .unaligned = true},
};

static const OrrMemoryOps ops_split_le = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 2},
};

static const OrrMemoryOps ops_split_be = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_BIG,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 2},
};

static const OrrMemoryOps ops_widen_le = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .impl = {.min_access_size = 4, .max_access_size = 4},
};

static const OrrMemoryOps ops_widen_be = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_BIG,
    .impl = {.min_access_size = 4, .max_access_size = 4},
};

static const OrrMemoryOps ops_be8 = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_BIG,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 8},
};

static const OrrMemoryOps ops_native8 = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_NATIVE,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 8},
};

/* --- Building maps -------------------------------------------------------- */

/* A map with one device at 0x1000 of a 0x10000 container. */
static OrrAddressSpace *one_device(OrrObject *o, const OrrMemoryOps *ops,
                                   RecDev *dev)
{
    OrrMemoryRegion *root = orr_test_new_container(o, "root", 0x10000);

    orr_test_add_subregion(root, 0x1000, disp_io(o, "dev", 0x100, ops, dev));
    return orr_test_new_address_space(o, "as", root);
}

/* --- MMIO rules ----------------------------------------------------------- */

static void test_mmio_valid_sizes(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};

    for (guint i = 0; i < sizeof dev.mem; i++) {
        dev.mem[i] = (uint8_t)i;
    }
    OrrAddressSpace *as = one_device(o, &ops_valid_2_4, &dev);

    /* Too small, too large: access errors, no call. */
    assert_read(as, 0x1010, 1, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_read(as, 0x1010, 8, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_write(as, 0x1010, 1, 0xff, ORR_MEMTX_ACCESS_ERROR);
    assert_write(as, 0x1010, 8, UINT64_MAX, ORR_MEMTX_ACCESS_ERROR);
    orr_test_assert_log("");
    g_assert_cmphex(dev.mem[0x10], ==, 0x10);

    /* Unaligned: refused without valid.unaligned. */
    assert_read(as, 0x1011, 2, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_read(as, 0x1012, 4, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_write(as, 0x1013, 2, 0xffff, ORR_MEMTX_ACCESS_ERROR);
    orr_test_assert_log("");

    /* In range and aligned: one call each. */
    assert_read(as, 0x1010, 2, ORR_MEMTX_OK, 0x1110);
    assert_read(as, 0x1014, 4, ORR_MEMTX_OK, 0x17161514);
    assert_write(as, 0x1020, 2, 0xbeef, ORR_MEMTX_OK);
    orr_test_assert_log("r 10/2, r 14/4, w 20/2=beef");

    /* Bad sizes of the API itself. */
    assert_read(as, 0x1010, 3, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_write(as, 0x1010, 0, 0, ORR_MEMTX_ACCESS_ERROR);
    orr_test_assert_log("");
    disp_finish(o);
}

/* valid and impl left at 0: 1..4 bytes, an 8-byte access is refused. */
static void test_mmio_default_sizes(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_NATIVE};
    OrrAddressSpace *as = one_device(o, &ops_default, &dev);

    assert_read(as, 0x1000, 8, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_write(as, 0x1000, 8, 1, ORR_MEMTX_ACCESS_ERROR);
    orr_test_assert_log("");
    assert_write(as, 0x1000, 1, 0x12, ORR_MEMTX_OK);
    assert_write(as, 0x1002, 2, 0x3456, ORR_MEMTX_OK);
    assert_write(as, 0x1004, 4, 0x789abcde, ORR_MEMTX_OK);
    orr_test_assert_log("w 0/1=12, w 2/2=3456, w 4/4=789abcde");
    assert_read(as, 0x1004, 4, ORR_MEMTX_OK, 0x789abcde);
    orr_test_assert_log("r 4/4");
    /* Unaligned is refused by default. */
    assert_read(as, 0x1001, 2, ORR_MEMTX_ACCESS_ERROR, 0);
    orr_test_assert_log("");
    disp_finish(o);
}

static void test_mmio_unaligned(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};

    for (guint i = 0; i < sizeof dev.mem; i++) {
        dev.mem[i] = (uint8_t)i;
    }
    OrrAddressSpace *as = one_device(o, &ops_unaligned, &dev);

    assert_read(as, 0x1001, 4, ORR_MEMTX_OK, 0x04030201);
    assert_read(as, 0x1003, 8, ORR_MEMTX_OK, UINT64_C(0x0a09080706050403));
    assert_write(as, 0x1021, 2, 0xbeef, ORR_MEMTX_OK);
    orr_test_assert_log("r 1/4, r 3/8, w 21/2=beef");
    g_assert_cmphex(dev.mem[0x21], ==, 0xef);
    g_assert_cmphex(dev.mem[0x22], ==, 0xbe);
    disp_finish(o);
}

static void test_mmio_accepts(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE,
                  .refuse_writes = true,
                  .refuse_at = true,
                  .refuse_offset = 0x10};

    for (guint i = 0; i < sizeof dev.mem; i++) {
        dev.mem[i] = (uint8_t)i;
    }
    OrrAddressSpace *as = one_device(o, &disp_ops_accepts, &dev);

    assert_read(as, 0x1008, 4, ORR_MEMTX_OK, 0x0b0a0908);
    orr_test_assert_log("a 8/4/r, r 8/4");
    assert_write(as, 0x1008, 4, 0xffffffff, ORR_MEMTX_ACCESS_ERROR);
    orr_test_assert_log("a 8/4/w");
    g_assert_cmphex(dev.mem[8], ==, 8);
    assert_read(as, 0x1010, 8, ORR_MEMTX_ACCESS_ERROR, 0);
    orr_test_assert_log("a 10/8/r");

    /* accepts() only sees what valid allows. */
    assert_read(as, 0x1009, 4, ORR_MEMTX_ACCESS_ERROR, 0);
    orr_test_assert_log("");

    dev.refuse_writes = false;
    assert_write(as, 0x1008, 2, 0x1234, ORR_MEMTX_OK);
    orr_test_assert_log("a 8/2/w, w 8/2=1234");
    disp_finish(o);
}

/* impl.max 2: an 8-byte access is four 2-byte calls, in order. */
static void test_mmio_split_le(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};

    for (guint i = 0; i < sizeof dev.mem; i++) {
        dev.mem[i] = (uint8_t)(0x10 + i);
    }
    OrrAddressSpace *as = one_device(o, &ops_split_le, &dev);

    assert_read(as, 0x1000, 8, ORR_MEMTX_OK, UINT64_C(0x1716151413121110));
    orr_test_assert_log("r 0/2, r 2/2, r 4/2, r 6/2");
    assert_read(as, 0x1008, 4, ORR_MEMTX_OK, 0x1b1a1918);
    orr_test_assert_log("r 8/2, r a/2");
    assert_read(as, 0x100a, 2, ORR_MEMTX_OK, 0x1b1a);
    orr_test_assert_log("r a/2");

    assert_write(as, 0x1010, 8, UINT64_C(0x1122334455667788), ORR_MEMTX_OK);
    orr_test_assert_log("w 10/2=7788, w 12/2=5566, w 14/2=3344, "
                        "w 16/2=1122");
    static const uint8_t bus[8] = {
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
    };
    g_assert_cmpmem(dev.mem + 0x10, 8, bus, 8);
    assert_read(as, 0x1010, 8, ORR_MEMTX_OK, UINT64_C(0x1122334455667788));
    orr_test_log_clear();
    disp_finish(o);
}

/* impl.min 4: a 1- or 2-byte access is one 4-byte call, masked. */
static void test_mmio_widen_le(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_LITTLE};
    static const uint8_t regs[8] = {
        0x44, 0x33, 0x22, 0x11, 0x88, 0x77, 0x66, 0x55,
    };

    memcpy(dev.mem, regs, sizeof regs);
    OrrAddressSpace *as = one_device(o, &ops_widen_le, &dev);

    assert_read(as, 0x1000, 1, ORR_MEMTX_OK, 0x44);
    orr_test_assert_log("r 0/4");
    assert_read(as, 0x1004, 1, ORR_MEMTX_OK, 0x88);
    orr_test_assert_log("r 4/4");
    assert_read(as, 0x1004, 2, ORR_MEMTX_OK, 0x7788);
    orr_test_assert_log("r 4/4");
    assert_read(as, 0x1000, 4, ORR_MEMTX_OK, 0x11223344);
    orr_test_assert_log("r 0/4");

    assert_write(as, 0x1008, 1, 0xab, ORR_MEMTX_OK);
    orr_test_assert_log("w 8/4=ab");
    assert_write(as, 0x100c, 2, 0xcdef, ORR_MEMTX_OK);
    orr_test_assert_log("w c/4=cdef");
    disp_finish(o);
}

/* Big-endian registers see values byte-swapped relative to the bus. */
static void test_mmio_big_endian(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_BIG};
    OrrAddressSpace *as = one_device(o, &ops_be8, &dev);

    assert_write(as, 0x1000, 4, 0x11223344, ORR_MEMTX_OK);
    orr_test_assert_log("w 0/4=44332211");
    assert_read(as, 0x1000, 4, ORR_MEMTX_OK, 0x11223344);
    orr_test_assert_log("r 0/4");
    assert_write(as, 0x1008, 2, 0x1122, ORR_MEMTX_OK);
    orr_test_assert_log("w 8/2=2211");
    assert_write(as, 0x1010, 8, UINT64_C(0x0102030405060708), ORR_MEMTX_OK);
    orr_test_assert_log("w 10/8=807060504030201");
    assert_write(as, 0x1018, 1, 0x5a, ORR_MEMTX_OK);
    orr_test_assert_log("w 18/1=5a");

    /* The bus bytes are the device's bytes at the same offsets. */
    static const uint8_t bus[4] = {0x44, 0x33, 0x22, 0x11};
    g_assert_cmpmem(dev.mem, 4, bus, 4);
    assert_read(as, 0x1010, 8, ORR_MEMTX_OK, UINT64_C(0x0102030405060708));
    assert_read(as, 0x1010, 2, ORR_MEMTX_OK, 0x0708);
    assert_read(as, 0x1018, 1, ORR_MEMTX_OK, 0x5a);
    orr_test_log_clear();
    disp_finish(o);
}

/* A split big-endian access: the pieces in big-endian order. */
static void test_mmio_big_endian_split(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_BIG};
    OrrAddressSpace *as = one_device(o, &ops_split_be, &dev);

    assert_write(as, 0x1000, 8, UINT64_C(0x1122334455667788), ORR_MEMTX_OK);
    orr_test_assert_log("w 0/2=8877, w 2/2=6655, w 4/2=4433, w 6/2=2211");
    static const uint8_t bus[8] = {
        0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11,
    };
    g_assert_cmpmem(dev.mem, 8, bus, 8);
    assert_read(as, 0x1000, 8, ORR_MEMTX_OK, UINT64_C(0x1122334455667788));
    orr_test_assert_log("r 0/2, r 2/2, r 4/2, r 6/2");

    assert_write(as, 0x1008, 4, 0xaabbccdd, ORR_MEMTX_OK);
    orr_test_assert_log("w 8/2=ddcc, w a/2=bbaa");
    assert_read(as, 0x1008, 4, ORR_MEMTX_OK, 0xaabbccdd);
    orr_test_assert_log("r 8/2, r a/2");
    assert_read(as, 0x100a, 2, ORR_MEMTX_OK, 0xaabb);
    orr_test_assert_log("r a/2");
    disp_finish(o);
}

/*
 * A widened big-endian access: in the device's byte order, the byte at
 * the access's offset is the most significant byte of the wider
 * register (QEMU shifts by (size - access_size) * 8, i.e. right by 24
 * for a 1-byte access widened to 4).
 */
static void test_mmio_big_endian_widen(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_BIG};
    static const uint8_t regs[4] = {0x11, 0x22, 0x33, 0x44};

    memcpy(dev.mem, regs, sizeof regs);
    OrrAddressSpace *as = one_device(o, &ops_widen_be, &dev);

    assert_read(as, 0x1000, 4, ORR_MEMTX_OK, 0x44332211);
    orr_test_assert_log("r 0/4");
    assert_read(as, 0x1000, 1, ORR_MEMTX_OK, 0x11);
    orr_test_assert_log("r 0/4");
    assert_read(as, 0x1000, 2, ORR_MEMTX_OK, 0x2211);
    orr_test_assert_log("r 0/4");
    assert_write(as, 0x1004, 1, 0xab, ORR_MEMTX_OK);
    orr_test_assert_log("w 4/4=ab000000");
    g_assert_cmphex(dev.mem[4], ==, 0xab);
    disp_finish(o);
}

/* NATIVE is the host's byte order. */
static void test_mmio_native(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    RecDev dev = {.endian = ORR_ENDIAN_NATIVE};
    OrrAddressSpace *as = one_device(o, &ops_native8, &dev);
    uint32_t host_value = 0;

    assert_write(as, 0x1000, 4, 0x11223344, ORR_MEMTX_OK);
    orr_test_assert_log(G_BYTE_ORDER == G_LITTLE_ENDIAN ? "w 0/4=11223344"
                                                        : "w 0/4=44332211");
    /* The register holds the bus bytes: memcpy gives the host value. */
    memcpy(&host_value, dev.mem, 4);
    g_assert_cmphex(host_value, ==,
                    G_BYTE_ORDER == G_LITTLE_ENDIAN ? 0x11223344 : 0x44332211);
    assert_read(as, 0x1000, 4, ORR_MEMTX_OK, 0x11223344);
    orr_test_assert_log("r 0/4");
    disp_finish(o);
}

/* --- Fallible ops --------------------------------------------------------- */

/* read_tx/write_tx: offsets at 0x80 and above fail; others hold a byte
 * pattern. */
static guint tx_calls;

static OrrMemTxResult tx_read(void *opaque, uint64_t offset, unsigned size,
                              uint64_t *value)
{
    tx_calls++;
    if (offset >= 0x80) {
        return ORR_MEMTX_ACCESS_ERROR;
    }
    *value = UINT64_C(0x0101010101010101) * (offset + 1);
    return ORR_MEMTX_OK;
}

static OrrMemTxResult tx_write(void *opaque, uint64_t offset, uint64_t value,
                               unsigned size)
{
    tx_calls++;
    return offset >= 0x80 ? ORR_MEMTX_ACCESS_ERROR : ORR_MEMTX_OK;
}

static const OrrMemoryOps tx_ops = {
    .read_tx = tx_read,
    .write_tx = tx_write,
    .valid = {.max_access_size = 8, .unaligned = true},
    .impl = {.max_access_size = 2},
};

/* A failing call fails the access with its result and gives the fill
 * value; a split access runs every piece and reports the first failure. */
static void test_mmio_fallible_ops(void)
{
    OrrObject *o = disp_new_owner("test-dispatch");
    OrrAddressSpace *as = one_device(o, &tx_ops, NULL);

    tx_calls = 0;
    assert_read(as, 0x1000, 2, ORR_MEMTX_OK, 0x0101);
    assert_read(as, 0x1080, 2, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_write(as, 0x1000, 2, 0x1234, ORR_MEMTX_OK);
    assert_write(as, 0x1080, 2, 0x1234, ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpuint(tx_calls, ==, 4);
    /* 4 bytes at 0x7e: two 2-byte pieces, the second fails. */
    tx_calls = 0;
    assert_read(as, 0x107e, 4, ORR_MEMTX_ACCESS_ERROR, 0);
    assert_write(as, 0x107e, 4, 1, ORR_MEMTX_ACCESS_ERROR);
    g_assert_cmpuint(tx_calls, ==, 4);
    /* Repeated hits go the same way (no cached fast path skips them). */
    for (int i = 0; i < 3; i++) {
        assert_read(as, 0x1080, 2, ORR_MEMTX_ACCESS_ERROR, 0);
    }
    disp_finish(o);
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/dispatch/mmio/valid-sizes", test_mmio_valid_sizes);
    g_test_add_func("/dispatch/mmio/default-sizes", test_mmio_default_sizes);
    g_test_add_func("/dispatch/mmio/unaligned", test_mmio_unaligned);
    g_test_add_func("/dispatch/mmio/accepts", test_mmio_accepts);
    g_test_add_func("/dispatch/mmio/split-le", test_mmio_split_le);
    g_test_add_func("/dispatch/mmio/widen-le", test_mmio_widen_le);
    g_test_add_func("/dispatch/mmio/big-endian", test_mmio_big_endian);
    g_test_add_func("/dispatch/mmio/big-endian-split",
                    test_mmio_big_endian_split);
    g_test_add_func("/dispatch/mmio/big-endian-widen",
                    test_mmio_big_endian_widen);
    g_test_add_func("/dispatch/mmio/native", test_mmio_native);
    g_test_add_func("/dispatch/mmio/fallible-ops", test_mmio_fallible_ops);
    return g_test_run();
}
