/*
 * orrery benchmarks — the Lua layer: the binding's calls from a Lua loop,
 * a Lua MMIO handler called from C, and Lua-defined devices in bulk.
 *
 * As in bench-memory.c, every figure comes with a baseline measured in the
 * same run and the ratio between them; each measurement is repeated with
 * baseline and subject interleaved, and the median is kept (the timing,
 * the options and the table are in bench-harness.c). A missed
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
#include <stdio.h>
#include <lauxlib.h>
#include <lualib.h>
#include "binding.h"

#include "bench-harness.h"

/* bench-lua.lua, embedded at build time (scripts/embed-lua.py). */
extern const char orr_bench_lua[];
extern const size_t orr_bench_lua_len;

/* --- Settings ----------------------------------------------------------- */

static guint n_devices = 100000; /* devices per run of case 3 */
static int only_case;            /* run only this case; 0: all */

#define N_OFFSETS 65536u /* random offsets per access sequence */
#define GC_EVERY 1000u   /* case 3: orrery.gc() after that many devices */

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
        bench_fail("%s: %s", name, lua_tostring(L, -1));
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
            bench_fail("%s: %s", what, lua_tostring(L, -1));
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

    bench_title("1. Lua loop: s = s + as:read32(base + offs[i]), random "
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
    bench_columns("ns/op");

    bench_compare(lua_loop_kernel, &nop, lua_loop_kernel, &rd, &b, &s);
    bench_row("as:read32(addr)", s, b, 2.0);
    bench_compare(lua_loop_kernel, &nop, lua_loop_kernel, &cached, &b, &s);
    bench_row("read32(as, addr), method kept", s, b, 0);
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
        bench_fail("%u calls of the handler failed", bad);
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
        bench_fail("%u MMIO reads failed", bad);
    }
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
        bench_fail("MMIO: the machine has no address space");
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
    bench_random_offsets(off, N_OFFSETS, 4096, 4);

    uint64_t v = 0;
    if (orr_address_space_read(c.as, c.base + 8, 4, &v) != ORR_MEMTX_OK ||
        v != 8 * 3 + 1) {
        bench_fail(
            "MMIO: a read did not reach the Lua handler (got %" PRIu64 ")", v);
    }

    bench_title("2. Lua MMIO read handler, called by orr_address_space_read "
                "from C\n"
                "   (baseline: lua_rawgeti + 4 arguments + lua_pcall of the "
                "same function)");
    call(L, "watch_start", 0, 0);
    mmio_as_kernel(&c, 100000);
    print_traces(L, "handler");
    bench_columns("ns/op");
    bench_compare(pcall_kernel, &c, mmio_as_kernel, &c, &b, &s);
    bench_row("io read 4 bytes, Lua handler", s, b, 2.0);

    if (hook_error_count(L) != errors_before) {
        bench_fail("MMIO: the handler raised");
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
    bench_title(title);
    bench_columns("us/device");
    bench_compare_n(lua_loop_kernel, &regions, n_devices, lua_loop_kernel,
                    &devs, n_devices, &b, &s);
    bench_row("device: new .. release", s / 1000.0, b / 1000.0, 0);

    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    if (call_in(L, -1, "live", 0, 1)) {
        if (lua_tonumber(L, -1) != 0) {
            bench_fail("devices: %.0f still alive after the runs",
                       lua_tonumber(L, -1));
        }
        lua_pop(L, 1);
    }
    lua_pop(L, 1);
    teardown(L, ref);
}

/* --- Main --------------------------------------------------------------- */

/* Drops what is left, checks the module sees nothing alive and closes @L;
 * bench_finish() then checks that no object is left. */
static void close_state(lua_State *L)
{
    if (call(L, "live_count", 0, 2)) {
        if (lua_tonumber(L, -2) != 0) {
            bench_fail("orrery.live_count() is %.0f after teardown:\n%s",
                       lua_tonumber(L, -2), lua_tostring(L, -1));
        }
        lua_pop(L, 2);
    }
    luaL_unref(L, LUA_REGISTRYINDEX, bench_ref);
    lua_gc(L, LUA_GCCOLLECT, 0);
    orr_lua_drain();
    lua_close(L);
    orr_lua_drain();
}

int main(int argc, char **argv)
{
    static void (*const cases[])(lua_State *) = {bench_read32, bench_mmio,
                                                 bench_devices};
    const BenchIntOption options[] = {
        {"--case", &only_case, (int)G_N_ELEMENTS(cases)},
    };

    if (!bench_parse_args("bench-lua", argc, argv, options,
                          G_N_ELEMENTS(options))) {
        return 2;
    }
    if (bench_quick()) {
        n_devices = 10000;
    }

    lua_State *L = open_state();

    if (call(L, "jit_status", 0, 1)) {
        g_autofree char *what =
            g_strdup_printf("Lua benchmark (%s)", lua_tostring(L, -1));

        bench_intro(what);
        lua_pop(L, 1);
    }

    for (int i = 0; i < (int)G_N_ELEMENTS(cases); i++) {
        if (only_case == 0 || only_case == i + 1) {
            cases[i](L);
        }
    }

    close_state(L);
    return bench_finish();
}
