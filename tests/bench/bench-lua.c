/*
 * orrery benchmarks — the Lua layer: the binding's calls from a Lua loop,
 * a Lua MMIO handler called from C, and Lua-defined devices in bulk.
 *
 * As in bench-memory.c, every figure comes with a baseline measured in the
 * same run and the ratio between them; each measurement is repeated with
 * baseline and subject interleaved, and the median is kept. A missed
 * target is reported as MISS, not as a failure: the program exits 0
 * unless something is broken (a Lua error, a wrong value, a hook error,
 * or objects still alive at the end).
 *
 * The Lua side of each case is in bench-lua.lua, built into the program.
 *
 *   bench-lua [--quick] [--reps N] [--case N]
 *
 * --case runs only case N (1, 2 or 3), for a profiler.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "binding.h"

/* bench-lua.lua, embedded at build time (scripts/embed-lua.py). */
extern const char orr_bench_lua[];
extern const size_t orr_bench_lua_len;

/* --- Settings ----------------------------------------------------------- */

static guint reps = 7;           /* repetitions of each measurement */
static gint64 target_us = 20000; /* aim for this long per timed batch */
static guint n_devices = 100000; /* devices per run of case 3 */
static int only_case;            /* run only this case; 0: all */
static guint failures;           /* things that went wrong (exit 1) */

#define N_OFFSETS 65536u /* random offsets per access sequence */
#define GC_EVERY 1000u   /* case 3: orrery.gc() after that many devices */

static void fail(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fputs("bench-lua: ERROR: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

/* --- Timing ------------------------------------------------------------- */

/* A timed kernel: runs @iters iterations of whatever it measures. */
typedef void (*BenchFn)(void *ctx, guint64 iters);

static double ns_per_iter(BenchFn fn, void *ctx, guint64 iters)
{
    gint64 t0 = g_get_monotonic_time();

    fn(ctx, iters);
    gint64 t1 = g_get_monotonic_time();
    return (double)(t1 - t0) * 1000.0 / (double)iters;
}

/* The iteration count that makes one batch of @fn last about target_us.
 * Stops growing once something failed, so a broken kernel ends soon. */
static guint64 calibrate(BenchFn fn, void *ctx)
{
    guint64 iters = 1;
    guint failed_before = failures;

    for (;;) {
        gint64 t0 = g_get_monotonic_time();
        fn(ctx, iters);
        gint64 dt = g_get_monotonic_time() - t0;

        if (failures > failed_before) {
            return 1;
        }
        if (dt >= target_us / 4 || iters >= (G_GUINT64_CONSTANT(1) << 40)) {
            double scale = (double)target_us / (double)MAX(dt, (gint64)1);
            guint64 n = (guint64)((double)iters * scale);
            return MAX(n, (guint64)1);
        }
        iters *= dt < target_us / 64 ? 8 : 2;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a;
    double y = *(const double *)b;

    return (x > y) - (x < y);
}

static double median(double *v, guint n)
{
    qsort(v, n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/*
 * Times @base and @subj reps times each, interleaved, @nb and @ns
 * iterations a batch; stores the medians in ns per iteration.
 */
static void compare_n(BenchFn base, void *base_ctx, guint64 nb, BenchFn subj,
                      void *subj_ctx, guint64 ns, double *base_ns,
                      double *subj_ns)
{
    double *b = g_new(double, reps);
    double *s = g_new(double, reps);

    for (guint r = 0; r < reps; r++) {
        b[r] = ns_per_iter(base, base_ctx, nb);
        s[r] = ns_per_iter(subj, subj_ctx, ns);
    }
    *base_ns = median(b, reps);
    *subj_ns = median(s, reps);
    g_free(b);
    g_free(s);
}

/* The same with batches of about target_us each. */
static void compare(BenchFn base, void *base_ctx, BenchFn subj, void *subj_ctx,
                    double *base_ns, double *subj_ns)
{
    guint64 nb = calibrate(base, base_ctx);
    guint64 ns = calibrate(subj, subj_ctx);

    compare_n(base, base_ctx, nb, subj, subj_ctx, ns, base_ns, subj_ns);
}

/* --- Report ------------------------------------------------------------- */

static guint n_pass;
static guint n_miss;

static void print_title(const char *title)
{
    printf("\n%s\n", title);
}

static void print_columns(const char *unit)
{
    printf("  %-34s %12s %12s %8s %8s  %s\n", "case", unit, "baseline", "ratio",
           "target", "result");
}

/* One row; a @target of 0 means none. */
static void print_row(const char *name, double v, double base, double target)
{
    double ratio = v / base;
    char tbuf[16] = "-";
    const char *result = "-";

    if (target > 0) {
        bool pass = ratio <= target;

        g_snprintf(tbuf, sizeof(tbuf), "<=%.0fx", target);
        result = pass ? "PASS" : "MISS";
        if (pass) {
            n_pass++;
        } else {
            n_miss++;
        }
    }
    printf("  %-34s %12.1f %12.1f %7.2fx %8s  %s\n", name, v, base, ratio, tbuf,
           result);
    fflush(stdout);
}

/* --- The Lua state ------------------------------------------------------ */

/* The table bench-lua.lua returns, in the registry. */
static int bench_ref = LUA_NOREF;

/* noop(x) --> x: a bare lua_CFunction, the baseline of a binding call.
 * [-0, +0, -] */
static int noop(lua_State *L)
{
    return 1;
}

/*
 * Calls the function @name of the table at stack index @table (0: the
 * bench table) under a traceback, with the @nargs values on top of the
 * stack as arguments, leaving @nres results. On an error, reports it,
 * leaves nothing and returns false.
 */
static bool call_in(lua_State *L, int table, const char *name, int nargs,
                    int nres)
{
    int base = lua_gettop(L) - nargs;

    if (table != 0) {
        table = table < 0 ? lua_gettop(L) + table + 1 : table;
    }
    lua_pushcfunction(L, orr_lua_traceback);
    lua_insert(L, base + 1);
    if (table == 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, bench_ref);
        lua_getfield(L, -1, name);
        lua_remove(L, -2);
    } else {
        lua_getfield(L, table, name);
    }
    lua_insert(L, base + 2);
    if (lua_pcall(L, nargs, nres, base + 1) != 0) {
        fail("%s: %s", name, lua_tostring(L, -1));
        lua_settop(L, base);
        return false;
    }
    lua_remove(L, base + 1);
    return true;
}

/* Calls bench.@name(): see call_in(). */
static bool call(lua_State *L, const char *name, int nargs, int nres)
{
    return call_in(L, 0, name, nargs, nres);
}

/* Calls a check function, which returns nil or what is wrong. */
static void check(lua_State *L, int table, const char *name, const char *what)
{
    if (call_in(L, table, name, 0, 1)) {
        if (!lua_isnil(L, -1)) {
            fail("%s: %s", what, lua_tostring(L, -1));
        }
        lua_pop(L, 1);
    }
}

/* A fresh state with the standard libraries and the module, as the host
 * opens them, and the bench table loaded. */
static lua_State *open_state(void)
{
    lua_State *L = luaL_newstate();

    if (L == NULL) {
        g_error("cannot create a Lua state");
    }
    luaL_openlibs(L);
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "preload");
    lua_pushcfunction(L, luaopen_orrery);
    lua_setfield(L, -2, "orrery");
    lua_pop(L, 2);

    lua_pushcfunction(L, orr_lua_traceback);
    if (luaL_loadbuffer(L, orr_bench_lua, orr_bench_lua_len,
                        "@bench-lua.lua") != 0) {
        g_error("bench-lua.lua: %s", lua_tostring(L, -1));
    }
    lua_pushcfunction(L, noop);
    if (lua_pcall(L, 1, 1, -3) != 0 || !lua_istable(L, -1)) {
        g_error("bench-lua.lua: %s", lua_tostring(L, -1));
    }
    bench_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    return L;
}

/* A timed loop written in Lua: @name, a function of the iteration count,
 * in the table @table_ref. */
typedef struct LuaLoop {
    lua_State *L;
    int table_ref;
    const char *name;
    bool broken; /* it raised once: do nothing more */
} LuaLoop;

static void lua_loop_kernel(void *p, guint64 iters)
{
    LuaLoop *k = p;
    lua_State *L = k->L;

    if (k->broken) {
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, k->table_ref);
    lua_pushnumber(L, (lua_Number)iters);
    k->broken = !call_in(L, -2, k->name, 1, 0);
    lua_pop(L, 1);
}

/* Calls bench.@name, with @arg unless it is negative, and keeps the table
 * it returns in the registry; LUA_NOREF on an error. */
static int setup(lua_State *L, const char *name, int arg)
{
    if (arg >= 0) {
        lua_pushnumber(L, arg);
    }
    if (!call(L, name, arg >= 0 ? 1 : 0, 1)) {
        return LUA_NOREF;
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* Calls the teardown of the set-up @ref and drops it. */
static void teardown(lua_State *L, int ref)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    call_in(L, -1, "teardown", 0, 0);
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, ref);
    call(L, "gc", 0, 0);
}

/* Prints what the JIT did since bench.watch_start(). */
static void print_traces(lua_State *L, const char *what)
{
    if (call(L, "watch_stop", 0, 1)) {
        printf("  JIT, %s: %s\n", what, lua_tostring(L, -1));
        lua_pop(L, 1);
    }
}

/* --- 1. as:read32 from a Lua loop --------------------------------------- */

static void bench_read32(lua_State *L)
{
    int ref = setup(L, "ram_setup", -1);
    double b, s;

    if (ref == LUA_NOREF) {
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    check(L, -1, "check", "read32");
    lua_pop(L, 1);

    LuaLoop nop = {.L = L, .table_ref = ref, .name = "noop"};
    LuaLoop rd = {.L = L, .table_ref = ref, .name = "read"};
    LuaLoop cached = {.L = L, .table_ref = ref, .name = "read_cached"};

    print_title("1. Lua loop: s = s + as:read32(base + offs[i]), random "
                "offsets in a 256 KiB RAM region\n"
                "   (baseline: the same loop calling noop(addr), a bare "
                "lua_CFunction)");
    /* The traces of each loop, seen while it warms up. */
    call(L, "watch_start", 0, 0);
    lua_loop_kernel(&nop, 100000);
    print_traces(L, "noop loop");
    call(L, "watch_start", 0, 0);
    lua_loop_kernel(&rd, 100000);
    print_traces(L, "as:read32 loop");
    call(L, "watch_start", 0, 0);
    lua_loop_kernel(&cached, 100000);
    print_traces(L, "read32(as) loop");
    print_columns("ns/op");

    compare(lua_loop_kernel, &nop, lua_loop_kernel, &rd, &b, &s);
    print_row("as:read32(addr)", s, b, 2.0);
    compare(lua_loop_kernel, &nop, lua_loop_kernel, &cached, &b, &s);
    print_row("read32(as, addr), method kept", s, b, 0);
    teardown(L, ref);
}

/* --- 2. A Lua MMIO read handler, called from C -------------------------- */

typedef struct MmioCtx {
    lua_State *L;
    OrrAddressSpace *as;
    uint64_t base;
    int read_ref; /* the handler */
    int self_ref; /* the machine's proxy, its owner */
    const guint32 *off;
} MmioCtx;

static volatile uint64_t sink;

/* What the handler does by hand: the function and its arguments pushed,
 * one lua_pcall. */
static void pcall_kernel(void *p, guint64 iters)
{
    MmioCtx *c = p;
    lua_State *L = c->L;
    uint64_t acc = 0;
    guint bad = 0;

    for (guint64 i = 0; i < iters; i++) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->read_ref);
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->self_ref);
        lua_pushnil(L);
        lua_pushnumber(L, c->off[i & (N_OFFSETS - 1)]);
        lua_pushnumber(L, 4);
        if (lua_pcall(L, 4, 1, 0) != 0) {
            bad++;
        }
        acc += (uint64_t)lua_tonumber(L, -1);
        lua_pop(L, 1);
    }
    sink = acc;
    if (bad) {
        fail("%u calls of the handler failed", bad);
    }
}

static void mmio_as_kernel(void *p, guint64 iters)
{
    MmioCtx *c = p;
    uint64_t acc = 0;
    guint bad = 0;

    for (guint64 i = 0; i < iters; i++) {
        uint64_t v;

        bad +=
            orr_address_space_read(c->as, c->base + c->off[i & (N_OFFSETS - 1)],
                                   4, &v) != ORR_MEMTX_OK;
        acc += v;
    }
    sink = acc;
    if (bad) {
        fail("%u MMIO reads failed", bad);
    }
}

/* Fills @off with random multiples of 4 below @limit (fixed seed). */
static void random_offsets(guint32 *off, guint n, guint32 limit, guint32 seed)
{
    GRand *rand = g_rand_new_with_seed(seed);

    for (guint i = 0; i < n; i++) {
        off[i] = (guint32)g_rand_int_range(rand, 0, (gint32)(limit / 4)) * 4;
    }
    g_rand_free(rand);
}

static int hook_error_count(lua_State *L)
{
    int n = -1;

    if (call(L, "hook_error_count", 0, 1)) {
        n = (int)lua_tointeger(L, -1);
        lua_pop(L, 1);
    }
    return n;
}

/* Reads the handles of the set-up @ref into @c. */
static bool mmio_handles(lua_State *L, int ref, MmioCtx *c)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    lua_getfield(L, -1, "memory");
    OrrObject *mem = orr_lua_to_object(L, -1);
    lua_getfield(L, -2, "base");
    c->base = (uint64_t)lua_tonumber(L, -1);
    lua_pop(L, 2);
    if (mem == NULL || !orr_object_is_a(mem, ORR_TYPE_ADDRESS_SPACE)) {
        fail("MMIO: the machine has no address space");
        lua_pop(L, 1);
        return false;
    }
    c->as = (OrrAddressSpace *)mem;
    lua_getfield(L, -1, "read");
    c->read_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_getfield(L, -1, "machine");
    c->self_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    lua_pop(L, 1);
    return true;
}

static void bench_mmio(lua_State *L)
{
    int ref = setup(L, "mmio_setup", -1);
    guint32 *off = g_new(guint32, N_OFFSETS);
    MmioCtx c = {.L = L, .off = off};
    double b, s;

    if (ref == LUA_NOREF || !mmio_handles(L, ref, &c)) {
        g_free(off);
        return;
    }
    int errors_before = hook_error_count(L);
    random_offsets(off, N_OFFSETS, 4096, 4);

    uint64_t v = 0;
    if (orr_address_space_read(c.as, c.base + 8, 4, &v) != ORR_MEMTX_OK ||
        v != 8 * 3 + 1) {
        fail("MMIO: a read did not reach the Lua handler (got %" PRIu64 ")", v);
    }

    print_title("2. Lua MMIO read handler, called by orr_address_space_read "
                "from C\n"
                "   (baseline: lua_rawgeti + 4 arguments + lua_pcall of the "
                "same function)");
    call(L, "watch_start", 0, 0);
    mmio_as_kernel(&c, 100000);
    print_traces(L, "handler");
    print_columns("ns/op");
    compare(pcall_kernel, &c, mmio_as_kernel, &c, &b, &s);
    print_row("io read 4 bytes, Lua handler", s, b, 2.0);

    if (hook_error_count(L) != errors_before) {
        fail("MMIO: the handler raised");
    }
    luaL_unref(L, LUA_REGISTRYINDEX, c.read_ref);
    luaL_unref(L, LUA_REGISTRYINDEX, c.self_ref);
    teardown(L, ref);
    g_free(off);
}

/* --- 3. Lua-defined devices in bulk ------------------------------------- */

static void bench_devices(lua_State *L)
{
    int ref = setup(L, "devices_setup", GC_EVERY);
    double b, s;

    if (ref == LUA_NOREF) {
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    check(L, -1, "check", "device");
    lua_pop(L, 1);

    LuaLoop devs = {.L = L, .table_ref = ref, .name = "devices"};
    LuaLoop regions = {.L = L, .table_ref = ref, .name = "containers"};
    char title[256];

    g_snprintf(title, sizeof(title),
               "3. %u Lua-defined devices (init makes an io region): new "
               "under a machine, map,\n"
               "   unmap, unparent, release; orrery.gc() every %u "
               "(baseline: a container region,\n"
               "   mapped, unmapped, released); us per device",
               n_devices, GC_EVERY);
    print_title(title);
    print_columns("us/device");
    compare_n(lua_loop_kernel, &regions, n_devices, lua_loop_kernel, &devs,
              n_devices, &b, &s);
    print_row("device: new .. release", s / 1000.0, b / 1000.0, 0);

    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    if (call_in(L, -1, "live", 0, 1)) {
        if (lua_tonumber(L, -1) != 0) {
            fail("devices: %.0f still alive after the runs",
                 lua_tonumber(L, -1));
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    teardown(L, ref);
}

/* --- Main --------------------------------------------------------------- */

/* Drops what is left, checks nothing is alive and closes @L. */
static void close_state(lua_State *L)
{
    if (call(L, "live_count", 0, 2)) {
        if (lua_tonumber(L, -2) != 0) {
            fail("orrery.live_count() is %.0f after teardown:\n%s",
                 lua_tonumber(L, -2), lua_tostring(L, -1));
        }
        lua_pop(L, 2);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, bench_ref);
    lua_gc(L, LUA_GCCOLLECT, 0);
    orr_lua_drain();
    lua_close(L);
    orr_lua_drain();

    guint live = orr_live_count(NULL);
    if (live != 0) {
        char *report = orr_live_format_report();

        fail("%u objects still alive at the end:\n%s", live,
             report ? report : "");
        g_free(report);
    }
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            reps = 3;
            target_us = 5000;
            n_devices = 10000;
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            int n = atoi(argv[++i]);

            reps = (guint)MAX(n, 1);
        } else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc) {
            only_case = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: %s [--quick] [--reps N] [--case N]\n",
                    argv[0]);
            return 2;
        }
    }

    lua_State *L = open_state();

    if (call(L, "jit_status", 0, 1)) {
        printf("orrery Lua benchmark (%s): median of %u runs, batches of "
               "~%" G_GINT64_FORMAT " ms; ratio = ns/op / baseline ns/op\n",
               lua_tostring(L, -1), reps, target_us / 1000);
        lua_pop(L, 1);
    }

    static void (*const cases[])(lua_State *) = {bench_read32, bench_mmio,
                                                 bench_devices};
    for (int i = 0; i < (int)G_N_ELEMENTS(cases); i++) {
        if (only_case == 0 || only_case == i + 1) {
            cases[i](L);
        }
    }

    close_state(L);
    orr_root_shutdown();

    printf("\ntargets: %u PASS, %u MISS (a MISS is reported, not an error)\n",
           n_pass, n_miss);
    if (failures > 0) {
        printf("%u ERRORS\n", failures);
        return 1;
    }
    return 0;
}
