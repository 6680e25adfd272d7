/*
 * orrery benchmarks — the memory layer.
 *
 * Every figure is printed with a baseline measured in the same run and
 * the ratio between them; targets are ratios, never absolute times, since
 * the machine this runs on may be shared and noisy. Each measurement is
 * repeated (baseline and subject interleaved) and the median is kept; the
 * timing, the options and the table are in bench-harness.c.
 *
 * A missed target is reported as MISS, not as a failure: the program
 * exits 0 unless something is broken (an access fails, a map change
 * fails, or objects are still alive at the end).
 *
 *   bench-memory [--quick] [--reps N] [--case K]
 *
 * --case K runs only the K-th case (1 to 5), for profiling one of them.
 */
#define _POSIX_C_SOURCE 200809L /* fork, for the machine type probe */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "orrery/orrery.h"

#include "bench-harness.h"

/* --- Settings ----------------------------------------------------------- */

#define N_OFFSETS 65536u        /* random offsets per access sequence */
#define RAM_SIZE (256u * 1024u) /* the single RAM region */
#define RAM_BASE UINT64_C(0x80000000)
#define MANY_COUNT 1024u /* regions in the many-regions case */
#define MANY_SIZE 4096u  /* bytes in each of them */
#define MANY_STRIDE UINT64_C(0x10000)
#define MMIO_SIZE 4096u
#define MMIO_BASE UINT64_C(0xfe000000)
#define CHURN_SIZE 4096u
#define CHURN_STRIDE UINT64_C(0x2000)
#define MACHINE_DEVICES 64u

static void check_error(GError *err, const char *what)
{
    if (err != NULL) {
        bench_fail("%s: %s", what, err->message);
        g_error_free(err);
    }
}

/* --- Helpers ------------------------------------------------------------ */

static OrrMemoryRegion *new_root(void)
{
    GError *err = NULL;
    OrrMemoryRegion *root = orr_memory_region_new_container(
        NULL, "bench-root", ORR_SIZE_2_64, &err);

    check_error(err, "root container");
    if (root == NULL) {
        g_error("cannot create a container");
    }
    return root;
}

static OrrAddressSpace *new_as(OrrMemoryRegion *root)
{
    GError *err = NULL;
    OrrAddressSpace *as = orr_address_space_new(NULL, "bench-as", root, &err);

    check_error(err, "address space");
    if (as == NULL) {
        g_error("cannot create an address space");
    }
    return as;
}

static OrrMemoryRegion *new_ram(const char *name, uint64_t size)
{
    GError *err = NULL;
    OrrMemoryRegion *mr = orr_memory_region_new_ram(NULL, name, size, &err);

    check_error(err, "RAM region");
    if (mr == NULL) {
        g_error("cannot create a RAM region");
    }
    return mr;
}

/* Maps a free-standing @sub and drops the caller's reference: @mr keeps
 * it alive. */
static void map_and_drop(OrrMemoryRegion *mr, uint64_t addr,
                         OrrMemoryRegion *sub)
{
    GError *err = NULL;

    if (!orr_memory_region_add_subregion(mr, addr, sub, &err)) {
        check_error(err, "add_subregion");
    }
    orr_object_unref(orr_memory_region_object(sub));
}

/* Drops a free-standing address space and its root, in one update. */
static void drop_as_and_root(OrrAddressSpace *as, OrrMemoryRegion *root)
{
    orr_memory_transaction_begin();
    orr_object_unref(orr_address_space_object(as));
    orr_object_unref(orr_memory_region_object(root));
    orr_memory_transaction_commit();
}

/* A table's title and its column heads, in ns/op. */
static void print_header(const char *title)
{
    bench_title(title);
    bench_columns("ns/op");
}

static volatile uint64_t sink;

/* Writes a non-zero pattern over @len bytes: every page is then backed by
 * its own memory, not the shared zero page, for both sides of a
 * comparison. */
static void prefault(uint8_t *p, gsize len)
{
    for (gsize i = 0; i < len; i++) {
        p[i] = (uint8_t)(i * 131u + 7u);
    }
}

/* --- 1. Map churn ------------------------------------------------------- */

typedef struct ChurnCtx {
    OrrMemoryRegion *root;
    OrrMemoryRegion *extra;
    uint64_t extra_addr;
} ChurnCtx;

static void churn_kernel(void *p, guint64 iters)
{
    ChurnCtx *c = p;

    for (guint64 i = 0; i < iters; i++) {
        GError *err = NULL;

        if (!orr_memory_region_add_subregion(c->root, c->extra_addr, c->extra,
                                             &err) ||
            !orr_memory_region_del_subregion(c->root, c->extra, &err)) {
            check_error(err, "churn");
            return;
        }
    }
}

/* Maps @n RAM regions in a new root (one update), and an address space. */
static void churn_setup(ChurnCtx *c, OrrAddressSpace **as, guint n)
{
    c->root = new_root();
    orr_memory_transaction_begin();
    for (guint i = 0; i < n; i++) {
        map_and_drop(c->root, (uint64_t)i * CHURN_STRIDE,
                     new_ram("churn", CHURN_SIZE));
    }
    orr_memory_transaction_commit();
    *as = new_as(c->root);
    c->extra = new_ram("extra", CHURN_SIZE);
    c->extra_addr = (uint64_t)n * CHURN_STRIDE;
}

static void churn_teardown(ChurnCtx *c, OrrAddressSpace *as)
{
    orr_object_unref(orr_memory_region_object(c->extra));
    drop_as_and_root(as, c->root);
}

/* One timed run for @n regions; only this map exists while it runs, since
 * an update may visit every address space. */
static double churn_once(guint n, guint64 *iters)
{
    ChurnCtx c;
    OrrAddressSpace *as;
    double ns;

    churn_setup(&c, &as, n);
    if (*iters == 0) {
        *iters = bench_calibrate(churn_kernel, &c);
    }
    ns = bench_ns_per_iter(churn_kernel, &c, *iters);
    GArray *flat = orr_address_space_get_flat_ranges(as);
    if (flat->len != n) {
        bench_fail("churn: %u regions mapped, the view has %u ranges", n,
                   flat->len);
    }
    g_array_unref(flat);
    churn_teardown(&c, as);
    return ns;
}

static void bench_churn(void)
{
    static const guint sizes[] = {64, 256, 1024, 4096};
    enum { N_SIZES = G_N_ELEMENTS(sizes) };
    guint64 iters[N_SIZES] = {0};
    double *t[N_SIZES];
    double med[N_SIZES];

    print_header("1. map churn: one add_subregion + del_subregion pair, "
                 "N RAM regions mapped (baseline: N=64)");
    for (guint k = 0; k < N_SIZES; k++) {
        t[k] = g_new(double, bench_reps());
    }
    /* Rounds over every N, so that drift in machine load hits them all. */
    for (guint r = 0; r < bench_reps(); r++) {
        for (guint k = 0; k < N_SIZES; k++) {
            t[k][r] = churn_once(sizes[k], &iters[k]);
        }
    }
    for (guint k = 0; k < N_SIZES; k++) {
        med[k] = bench_median(t[k], bench_reps());
        g_free(t[k]);
    }
    for (guint k = 0; k < N_SIZES; k++) {
        char name[64];

        g_snprintf(name, sizeof(name), "N=%u", sizes[k]);
        bench_row(name, med[k], med[0], sizes[k] == 4096 ? 4.0 : 0.0);
    }
}

/* --- 2 and 3. RAM accesses ---------------------------------------------- */

/* Accesses at addr[i] through @as, or at host + off[i] raw. */
typedef struct RamCtx {
    OrrAddressSpace *as;
    uint8_t *host;
    const guint32 *off;   /* host offsets */
    const uint64_t *addr; /* guest addresses of the same bytes */
} RamCtx;

static void raw_read_kernel(void *p, guint64 iters)
{
    RamCtx *c = p;
    uint64_t acc = 0;

    for (guint64 i = 0; i < iters; i++) {
        acc += *(volatile uint32_t *)(void *)(c->host +
                                              c->off[i & (N_OFFSETS - 1)]);
    }
    sink = acc;
}

/* Raw loads through host pointers, one per access. */
typedef struct PtrCtx {
    uint8_t *const *ptr;
} PtrCtx;

static void ptr_read_kernel(void *p, guint64 iters)
{
    const PtrCtx *c = p;
    uint64_t acc = 0;

    for (guint64 i = 0; i < iters; i++) {
        acc += *(volatile uint32_t *)(void *)c->ptr[i & (N_OFFSETS - 1)];
    }
    sink = acc;
}

static void raw_write_kernel(void *p, guint64 iters)
{
    RamCtx *c = p;

    for (guint64 i = 0; i < iters; i++) {
        *(volatile uint32_t *)(void *)(c->host + c->off[i & (N_OFFSETS - 1)]) =
            (uint32_t)i;
    }
}

/*
 * The subject kernels keep the address space and the offsets in locals,
 * as an emulator's loop would: a miss calls into the library, and through
 * a pointer the compiler would reload them after every such call.
 */
static void as_read_kernel(void *p, guint64 iters)
{
    const RamCtx *c = p;
    OrrAddressSpace *as = c->as;
    const uint64_t *addr = c->addr;
    uint64_t acc = 0;
    guint bad = 0;

    for (guint64 i = 0; i < iters; i++) {
        uint64_t v;

        bad += orr_address_space_read(as, addr[i & (N_OFFSETS - 1)], 4, &v) !=
               ORR_MEMTX_OK;
        acc += v;
    }
    sink = acc;
    if (bad) {
        bench_fail("%u reads failed", bad);
    }
}

static void as_write_kernel(void *p, guint64 iters)
{
    const RamCtx *c = p;
    OrrAddressSpace *as = c->as;
    const uint64_t *addr = c->addr;
    guint bad = 0;

    for (guint64 i = 0; i < iters; i++) {
        bad += orr_address_space_write(as, addr[i & (N_OFFSETS - 1)], 4,
                                       (uint32_t)i) != ORR_MEMTX_OK;
    }
    if (bad) {
        bench_fail("%u writes failed", bad);
    }
}

/* Reads and writes through @as against @raw; @check is the backing of
 * the first access, to see that a write lands. */
static void bench_rw_pair(RamCtx *raw, RamCtx *sub, uint8_t *check,
                          const char *label, double target)
{
    double b, s;
    char name[64];

    bench_compare(raw_read_kernel, raw, as_read_kernel, sub, &b, &s);
    g_snprintf(name, sizeof(name), "%s read 4 bytes", label);
    bench_row(name, s, b, target);

    bench_compare(raw_write_kernel, raw, as_write_kernel, sub, &b, &s);
    g_snprintf(name, sizeof(name), "%s write 4 bytes", label);
    bench_row(name, s, b, target);

    /* A write through the address space lands in the backing. */
    uint32_t v;
    if (orr_address_space_write(sub->as, sub->addr[0], 4, 0x5a17c0deu) !=
        ORR_MEMTX_OK) {
        bench_fail("%s: write failed", label);
    }
    memcpy(&v, check, 4);
    if (v != 0x5a17c0deu) {
        bench_fail("%s: a write did not reach the RAM backing", label);
    }
}

static void bench_ram(void)
{
    OrrMemoryRegion *root = new_root();
    OrrMemoryRegion *ram = new_ram("ram", RAM_SIZE);
    uint8_t *backing = orr_memory_region_get_ram_ptr(ram);
    guint32 *off = g_new(guint32, N_OFFSETS);
    uint64_t *addr = g_new(uint64_t, N_OFFSETS);
    uint8_t *host = g_malloc0(RAM_SIZE);

    map_and_drop(root, RAM_BASE, ram);
    OrrAddressSpace *as = new_as(root);

    prefault(host, RAM_SIZE);
    prefault(backing, RAM_SIZE);
    bench_random_offsets(off, N_OFFSETS, RAM_SIZE, 1);
    for (guint i = 0; i < N_OFFSETS; i++) {
        addr[i] = RAM_BASE + off[i];
    }

    RamCtx raw = {.host = host, .off = off};
    RamCtx sub = {.as = as, .off = off, .addr = addr};

    print_header("2. RAM: random 4-byte accesses to one 256 KiB RAM region "
                 "(baseline: raw volatile load/store, same offsets)");
    bench_rw_pair(&raw, &sub, backing + off[0], "1 region,", 2.0);

    drop_as_and_root(as, root);
    g_free(host);
    g_free(addr);
    g_free(off);
}

static void bench_many(void)
{
    OrrMemoryRegion *root = new_root();
    uint8_t **backing = g_new(uint8_t *, MANY_COUNT);
    guint32 *slot = g_new(guint32, N_OFFSETS);
    guint32 *in = g_new(guint32, N_OFFSETS);
    guint32 *off = g_new(guint32, N_OFFSETS);
    uint64_t *addr = g_new(uint64_t, N_OFFSETS);
    uint8_t **ptr = g_new(uint8_t *, N_OFFSETS);
    uint8_t *host = g_malloc0((gsize)MANY_COUNT * MANY_SIZE);
    GRand *rand = g_rand_new_with_seed(2);

    orr_memory_transaction_begin();
    for (guint i = 0; i < MANY_COUNT; i++) {
        OrrMemoryRegion *mr = new_ram("many", MANY_SIZE);

        backing[i] = orr_memory_region_get_ram_ptr(mr);
        prefault(backing[i], MANY_SIZE);
        map_and_drop(root, (uint64_t)i * MANY_STRIDE, mr);
    }
    orr_memory_transaction_commit();
    OrrAddressSpace *as = new_as(root);

    prefault(host, (gsize)MANY_COUNT * MANY_SIZE);
    bench_random_offsets(in, N_OFFSETS, MANY_SIZE, 3);
    for (guint i = 0; i < N_OFFSETS; i++) {
        slot[i] = (guint32)g_rand_int_range(rand, 0, MANY_COUNT);
    }
    /* The first access goes to region 0, so that a write can be checked. */
    slot[0] = 0;
    for (guint i = 0; i < N_OFFSETS; i++) {
        off[i] = slot[i] * MANY_SIZE + in[i];
        addr[i] = (uint64_t)slot[i] * MANY_STRIDE + in[i];
        ptr[i] = backing[slot[i]] + in[i];
    }
    g_rand_free(rand);

    RamCtx raw = {.host = host, .off = off};
    RamCtx sub = {.as = as, .off = off, .addr = addr};

    print_header("3. many regions: random 4-byte accesses across 1024 RAM "
                 "regions of 4 KiB (baseline: raw, same offsets)");
    bench_rw_pair(&raw, &sub, backing[0] + in[0], "1024 regions,", 3.0);

    /* Whether the baseline's one buffer is easier on the caches than the
     * regions' own backings: the same loads, through host pointers into
     * the backings. No target; about 1x says the baseline is fair. */
    PtrCtx own = {.ptr = ptr};
    double b, s;

    bench_compare(raw_read_kernel, &raw, ptr_read_kernel, &own, &b, &s);
    bench_row("raw read, regions' backings", s, b, 0);

    drop_as_and_root(as, root);
    g_free(host);
    g_free(ptr);
    g_free(backing);
    g_free(addr);
    g_free(off);
    g_free(in);
    g_free(slot);
}

/* --- 4. MMIO ------------------------------------------------------------ */

typedef struct MmioDev {
    uint32_t regs[MMIO_SIZE / 4];
} MmioDev;

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    MmioDev *d = opaque;

    return d->regs[offset / 4];
}

static void mmio_write(void *opaque, uint64_t offset, uint64_t value,
                       unsigned size)
{
    MmioDev *d = opaque;

    d->regs[offset / 4] = (uint32_t)value;
}

static const OrrMemoryOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.min_access_size = 4, .max_access_size = 4},
};

typedef struct MmioCtx {
    OrrAddressSpace *as;
    MmioDev *dev;
    const guint32 *off;
} MmioCtx;

static uint64_t (*volatile mmio_read_ptr)(void *, uint64_t,
                                          unsigned) = mmio_read;

static void mmio_direct_kernel(void *p, guint64 iters)
{
    MmioCtx *c = p;
    uint64_t acc = 0;

    for (guint64 i = 0; i < iters; i++) {
        acc += mmio_read_ptr(c->dev, c->off[i & (N_OFFSETS - 1)], 4);
    }
    sink = acc;
}

/* As the RAM kernels, with the address space and offsets in locals. */
static void mmio_as_kernel(void *p, guint64 iters)
{
    const MmioCtx *c = p;
    OrrAddressSpace *as = c->as;
    const guint32 *off = c->off;
    uint64_t acc = 0;
    guint bad = 0;

    for (guint64 i = 0; i < iters; i++) {
        uint64_t v;

        bad += orr_address_space_read(as, MMIO_BASE + off[i & (N_OFFSETS - 1)],
                                      4, &v) != ORR_MEMTX_OK;
        acc += v;
    }
    sink = acc;
    if (bad) {
        bench_fail("%u MMIO reads failed", bad);
    }
}

static void bench_mmio(void)
{
    GError *err = NULL;
    MmioDev *dev = g_new0(MmioDev, 1);
    OrrMemoryRegion *root = new_root();
    guint32 *off = g_new(guint32, N_OFFSETS);
    OrrMemoryRegion *io =
        orr_memory_region_new_io(NULL, "mmio", MMIO_SIZE, &mmio_ops, dev, &err);

    check_error(err, "io region");
    if (io == NULL) {
        g_error("cannot create an io region");
    }
    map_and_drop(root, MMIO_BASE, io);
    OrrAddressSpace *as = new_as(root);

    for (guint i = 0; i < MMIO_SIZE / 4; i++) {
        dev->regs[i] = i * 0x01010101u;
    }
    bench_random_offsets(off, N_OFFSETS, MMIO_SIZE, 4);

    MmioCtx c = {.as = as, .dev = dev, .off = off};
    uint64_t v = 0;
    if (orr_address_space_read(as, MMIO_BASE + 8, 4, &v) != ORR_MEMTX_OK ||
        v != 2 * 0x01010101u) {
        bench_fail("MMIO: a read did not reach the callback");
    }

    double b, s;
    print_header("4. MMIO: 4-byte read dispatched to a C callback "
                 "(baseline: the callback through a volatile pointer)");
    bench_compare(mmio_direct_kernel, &c, mmio_as_kernel, &c, &b, &s);
    bench_row("io read 4 bytes", s, b, 3.0);

    drop_as_and_root(as, root);
    g_free(off);
    g_free(dev);
}

/* --- 5. Machine build and teardown -------------------------------------- */

#define TYPE_BENCH_DEV "bench-dev"

typedef struct BenchDev {
    OrrDevice parent_obj;
    OrrMemoryRegion *sysmem; /* NOREF: where realize maps its regions */
    uint64_t base;
    uint32_t reg;
} BenchDev;

static uint64_t dev_io_read(void *opaque, uint64_t offset, unsigned size)
{
    return ((BenchDev *)opaque)->reg;
}

static void dev_io_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    ((BenchDev *)opaque)->reg = (uint32_t)value;
}

static const OrrMemoryOps dev_io_ops = {
    .read = dev_io_read,
    .write = dev_io_write,
    .endianness = ORR_ENDIAN_LITTLE,
};

/* Creates a RAM and an MMIO region and maps them into the machine's
 * sysmem, as a board's device would. */
static bool bench_dev_realize(OrrDevice *d, GError **errp)
{
    BenchDev *dev = (BenchDev *)d;
    OrrObject *obj = (OrrObject *)d;
    OrrMemoryRegion *ram, *io;

    ram = orr_memory_region_new_ram(obj, "ram", 0x1000, errp);
    if (ram == NULL) {
        return false;
    }
    io = orr_memory_region_new_io(obj, "io", 0x100, &dev_io_ops, dev, errp);
    if (io == NULL) {
        return false;
    }
    return orr_memory_region_add_subregion(dev->sysmem, dev->base, ram, errp) &&
           orr_memory_region_add_subregion(dev->sysmem, dev->base + 0x8000, io,
                                           errp);
}

static void bench_dev_class_init(OrrObjectClass *klass, const void *data)
{
    ORR_DEVICE_CLASS(klass)->realize = bench_dev_realize;
}

static void register_bench_dev(void)
{
    static const OrrTypeInfo info = {
        .name = TYPE_BENCH_DEV,
        .parent = ORR_TYPE_DEVICE,
        .instance_size = sizeof(BenchDev),
        .class_init = bench_dev_class_init,
    };
    GError *err = NULL;

    if (orr_type_register(&info, &err) == NULL) {
        check_error(err, "device type");
        g_error("cannot register " TYPE_BENCH_DEV);
    }
}

/*
 * Whether orr_object_new(ORR_TYPE_MACHINE) works, tried in a child process
 * since a failure there is an assertion. When it does not, the benchmark
 * builds the same thing by hand: a container object with a 2^64 container
 * region "sysmem" and an address space "memory" over it.
 */
static bool machine_type_works(void)
{
    fflush(stdout);
    fflush(stderr);

    pid_t pid = fork();
    int status;

    if (pid < 0) {
        return false;
    }
    if (pid == 0) {
        struct rlimit no_core = {0, 0};

        setrlimit(RLIMIT_CORE, &no_core);
        /* GLib reports a failed assertion on both streams. */
        if (freopen("/dev/null", "w", stdout) == NULL ||
            freopen("/dev/null", "w", stderr) == NULL) {
            _exit(2);
        }
        OrrObject *m = orr_object_new(ORR_TYPE_MACHINE, NULL);
        _exit(m != NULL && orr_machine_get_memory(m) != NULL ? 0 : 1);
    }
    if (waitpid(pid, &status, 0) != pid) {
        return false;
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool use_machine_type;

/* A new machine under the root; its sysmem and address space in @sysmem
 * and @as. */
static OrrObject *machine_new(OrrMemoryRegion **sysmem, OrrAddressSpace **as)
{
    GError *err = NULL;
    OrrObject *m = orr_object_new(
        use_machine_type ? ORR_TYPE_MACHINE : ORR_TYPE_CONTAINER, &err);

    check_error(err, "machine");
    if (m == NULL) {
        g_error("cannot create a machine");
    }
    if (orr_object_add_child(orr_root(), "bench-machine", m, &err) == NULL) {
        check_error(err, "add machine");
    }
    orr_object_unref(m);
    if (use_machine_type) {
        *sysmem = orr_machine_get_sysmem(m);
        *as = orr_machine_get_memory(m);
    } else {
        *sysmem =
            orr_memory_region_new_container(m, "sysmem", ORR_SIZE_2_64, &err);
        check_error(err, "sysmem");
        *as = orr_address_space_new(m, "memory", *sysmem, &err);
        check_error(err, "memory");
        if (*sysmem == NULL || *as == NULL) {
            g_error("cannot build a machine");
        }
    }
    return m;
}

typedef struct MachineCtx {
    guint devices;
    bool transaction; /* build inside one transaction */
    bool verify;      /* check the view before tearing down */
} MachineCtx;

/* Builds a machine under the root with c->devices realized devices, each
 * mapping two regions, then unparents it. */
static void machine_kernel(void *p, guint64 iters)
{
    MachineCtx *c = p;

    for (guint64 it = 0; it < iters; it++) {
        GError *err = NULL;
        OrrMemoryRegion *sysmem;
        OrrAddressSpace *as;
        OrrObject *m = machine_new(&sysmem, &as);

        if (c->transaction) {
            orr_memory_transaction_begin();
        }
        for (guint i = 0; i < c->devices; i++) {
            OrrObject *d = orr_object_new(TYPE_BENCH_DEV, &err);

            check_error(err, "device");
            if (d == NULL) {
                break;
            }
            ((BenchDev *)d)->sysmem = sysmem;
            ((BenchDev *)d)->base = 0x10000000 + (uint64_t)i * 0x10000;
            if (orr_object_add_child(m, "dev[*]", d, &err) == NULL) {
                check_error(err, "add device");
            }
            orr_object_unref(d);
            if (!orr_device_realize((OrrDevice *)d, &err)) {
                check_error(err, "realize");
            }
        }
        if (c->transaction) {
            orr_memory_transaction_commit();
        }
        if (c->verify) {
            GArray *flat = orr_address_space_get_flat_ranges(as);
            uint64_t v = 0;

            if (flat->len != 2 * c->devices) {
                bench_fail("machine: %u ranges for %u devices", flat->len,
                           c->devices);
            }
            g_array_unref(flat);
            if (c->devices > 0 && (orr_address_space_write(
                                       as, 0x10008000, 4, 77) != ORR_MEMTX_OK ||
                                   orr_address_space_read(as, 0x10008000, 4,
                                                          &v) != ORR_MEMTX_OK ||
                                   v != 77)) {
                bench_fail("machine: MMIO of device 0 does not answer");
            }
        }
        orr_object_unparent(m);
    }
}

static void bench_machine(void)
{
    MachineCtx empty = {.devices = 0, .verify = true};
    MachineCtx full = {.devices = MACHINE_DEVICES, .verify = true};
    MachineCtx full_tx = {
        .devices = MACHINE_DEVICES, .transaction = true, .verify = true};
    double b, s;

    register_bench_dev();
    use_machine_type = machine_type_works();
    /* One checked round of each, then timed rounds unchecked. */
    machine_kernel(&empty, 1);
    machine_kernel(&full, 1);
    machine_kernel(&full_tx, 1);
    if (orr_live_count(NULL) != 0) {
        bench_fail("machine: %u objects alive after unparent",
                   orr_live_count(NULL));
    }
    empty.verify = full.verify = full_tx.verify = false;

    print_header("5. machine: build, then unparent, with 64 devices of "
                 "2 regions (baseline: 0 devices); ns per machine");
    if (!use_machine_type) {
        printf("  NOTE: orr_object_new(\"" ORR_TYPE_MACHINE "\") fails; "
               "using a \"" ORR_TYPE_CONTAINER "\" object with the same\n"
               "  sysmem container and address space, built after it is "
               "live\n");
    }
    bench_compare(machine_kernel, &empty, machine_kernel, &full, &b, &s);
    bench_row("64 devices", s, b, 0);
    bench_compare(machine_kernel, &empty, machine_kernel, &full_tx, &b, &s);
    bench_row("64 devices, one transaction", s, b, 0);
}

/* --- Main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
    static void (*const cases[])(void) = {
        bench_churn, bench_ram, bench_many, bench_mmio, bench_machine,
    };
    int only = 0; /* 0: every case; 1 to 5: that one (for profiling) */
    const BenchIntOption options[] = {
        {"--case", &only, (int)G_N_ELEMENTS(cases)},
    };

    if (!bench_parse_args("bench-memory", argc, argv, options,
                          G_N_ELEMENTS(options))) {
        return 2;
    }

    orr_core_init();
    orr_memory_init();

    bench_intro("memory benchmark");

    for (guint k = 0; k < G_N_ELEMENTS(cases); k++) {
        if (only == 0 || (guint)only == k + 1) {
            cases[k]();
        }
    }

    return bench_finish();
}
