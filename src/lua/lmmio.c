/*
 * orrery Lua binding — MMIO regions whose ops are Lua functions:
 * orrery.io(owner, name, size, ops).
 *
 * ops = { read = function(self, st, offset, size) return value end,
 *         write = function(self, st, offset, value, size) end,
 *         min_access, max_access, impl_min, impl_max, unaligned, endian }
 *
 * The C side of the region is a set of ops whose opaque is a LuaOps record
 * holding registry references to the two functions; the record is freed
 * when the region is finalized. Each call runs protected, with a
 * traceback: a handler that raises (or returns something that is not an
 * integer) is recorded in orrery.hook_errors() and fails the access with
 * an access error, a read giving the fill value. Nothing a handler does
 * can unwind through the memory core.
 */
#include <string.h>
#include "binding.h"

typedef struct LuaOps {
    OrrMemoryOps ops;
    lua_State *L;
    int read_ref; /* LUA_NOREF when absent */
    int write_ref;
    OrrMemoryRegion *mr; /* NOREF: the weak reference frees us first */
    bool owner_state;    /* the owner is of a Lua type: it has a state */
    int self_slot;       /* remembers self's proxy (orr_lua_slot_new) */
    OrrObject *owner;    /* NOREF: the owner, or NULL (fixed; alive
                          * whenever the ops are called, as they never
                          * are for an orphaned region) */
} LuaOps;

/* One call, its arguments and its outcome, for the protected part. */
typedef struct Call {
    LuaOps *lo;
    bool is_write;
    uint64_t offset;
    unsigned size;
    uint64_t value; /* in for writes, out for reads */
} Call;

/* Pushes the state of the region's owner, or nil when it has none. */
static void push_owner_state(lua_State *L, const LuaOps *lo)
{
    if (lo->owner_state) {
        orr_lua_push_state(L, lo->owner);
    } else {
        lua_pushnil(L);
    }
}

/* The protected part, called with the Call as a light userdata: calls
 * the handler. An error raised here or by the handler reaches run()'s
 * lua_pcall, whose message handler adds the traceback. */
static int protected_call(lua_State *L)
{
    Call *c = lua_touserdata(L, 1);
    LuaOps *lo = c->lo;
    OrrObject *owner = lo->owner;

    lua_rawgeti(L, LUA_REGISTRYINDEX,
                c->is_write ? lo->write_ref : lo->read_ref);
    orr_lua_push_object(L, owner ? owner : orr_memory_region_object(lo->mr));
    push_owner_state(L, lo);
    orr_lua_push_u64_or_number(L, c->offset);
    if (c->is_write) {
        orr_lua_push_u64_or_number(L, c->value);
    }
    lua_pushnumber(L, c->size);
    lua_call(L, c->is_write ? 5 : 4, c->is_write ? 0 : 1);
    if (!c->is_write) {
        c->value = orr_lua_check_u64(L, -1, "io read: the handler's value");
    }
    return 0;
}

/* Registry key of protected_call's closure, made once. */
static const char call_key = 'c';

/* Protected: converts the handler's value (argument 2) for the Call at
 * argument 1, raising if it is not an unsigned 64-bit integer. */
static int convert_protected(lua_State *L)
{
    Call *c = lua_touserdata(L, 1);

    c->value = orr_lua_check_u64(L, 2, "io read: the handler's value");
    return 0;
}

/*
 * The direct way, for the usual call: the handler with plain number
 * arguments and a proxy of self that already exists, so that nothing
 * before the one lua_pcall can raise. Expects the traceback at @tb, and
 * the slots table at @slots (0: in the registry).
 * Returns false, with the stack as it was, when this call is not such a
 * one; otherwise the lua_pcall status in @rc.
 */
static bool call_direct(lua_State *L, Call *c, int ref, int tb, int slots,
                        int *rc)
{
    LuaOps *lo = c->lo;
    OrrObject *owner = lo->owner;
    OrrObject *self = owner ? owner : orr_memory_region_object(lo->mr);

    if (c->offset > ORR_LUA_EXACT_MAX ||
        (c->is_write && c->value > ORR_LUA_EXACT_MAX)) {
        return false;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
    if (!orr_lua_push_cached_slot(L, slots, lo->self_slot, self)) {
        lua_pop(L, 1);
        return false;
    }
    push_owner_state(L, lo);
    lua_pushnumber(L, (lua_Number)c->offset);
    if (c->is_write) {
        lua_pushnumber(L, (lua_Number)c->value);
    }
    lua_pushnumber(L, c->size);
    *rc =
        orr_lua_pcall_callback(L, c->is_write ? 5 : 4, c->is_write ? 0 : 1, tb);
    if (*rc != 0 || c->is_write) {
        return true;
    }
    /* A plain non-negative integral number converts here; anything else
     * (a 64-bit cdata, or a bad value to report) in protected code. */
    lua_Number n = lua_tonumber(L, -1);
    if (lua_type(L, -1) == LUA_TNUMBER && n >= 0 &&
        n <= (lua_Number)ORR_LUA_EXACT_MAX && n == (lua_Number)(uint64_t)n) {
        c->value = (uint64_t)n;
        return true;
    }
    lua_pushcfunction(L, convert_protected);
    lua_pushlightuserdata(L, c);
    lua_pushvalue(L, -3);
    *rc = orr_lua_pcall_callback(L, 2, 0, tb);
    return true;
}

static OrrMemTxResult run(LuaOps *lo, bool is_write, uint64_t offset,
                          unsigned size, uint64_t *value)
{
    lua_State *L = lo->L;
    int ref = is_write ? lo->write_ref : lo->read_ref;

    if (L == NULL || ref == LUA_NOREF || !orr_lua_state_open()) {
        return ORR_MEMTX_ACCESS_ERROR;
    }
    Call c = {.lo = lo,
              .is_write = is_write,
              .offset = offset,
              .size = size,
              .value = *value};
    int top = lua_gettop(L);
    int rc = 0;
    int tb = 1, slots = 2; /* the callback thread's base, when it is idle */

    if (!lua_checkstack(L, 10)) {
        return ORR_MEMTX_ACCESS_ERROR;
    }
    if (orr_lua_callback_depth() > 0) { /* nested: in a C function's frame */
        orr_lua_push_traceback(L);
        tb = top + 1;
        slots = 0;
    }
    if (!call_direct(L, &c, ref, tb, slots, &rc)) {
        lua_pushlightuserdata(L, (void *)&call_key);
        lua_rawget(L, LUA_REGISTRYINDEX);
        lua_pushlightuserdata(L, &c);
        rc = orr_lua_pcall_callback(L, 1, 0, tb);
    }
    if (rc != 0) {
        char *path = orr_object_describe(orr_memory_region_object(lo->mr));
        char *where =
            g_strdup_printf("io %s %s", is_write ? "write" : "read", path);
        orr_lua_record_hook_error(L, where);
        g_free(where);
        g_free(path);
        lua_settop(L, top);
        return ORR_MEMTX_ACCESS_ERROR;
    }
    lua_settop(L, top);
    *value = c.value;
    return ORR_MEMTX_OK;
}

static OrrMemTxResult lua_read(void *opaque, uint64_t offset, unsigned size,
                               uint64_t *value)
{
    *value = 0;
    return run(opaque, false, offset, size, value);
}

static OrrMemTxResult lua_write(void *opaque, uint64_t offset, uint64_t value,
                                unsigned size)
{
    return run(opaque, true, offset, size, &value);
}

/* The region is finalized: nothing calls the ops any more. */
static void region_died(OrrObject *obj, void *data)
{
    LuaOps *lo = data;

    if (lo->L != NULL && orr_lua_state_open()) {
        luaL_unref(lo->L, LUA_REGISTRYINDEX, lo->read_ref);
        luaL_unref(lo->L, LUA_REGISTRYINDEX, lo->write_ref);
        orr_lua_slot_free(lo->L, lo->self_slot);
    }
    g_free(lo);
}

/* An access size field of the ops table: 1, 2, 4 or 8, or @dflt. */
static unsigned opt_access(lua_State *L, int ops, const char *field,
                           unsigned dflt)
{
    lua_getfield(L, ops, field);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return dflt;
    }
    uint64_t v = orr_lua_check_u64(L, -1, field);
    lua_pop(L, 1);
    if (v != 1 && v != 2 && v != 4 && v != 8) {
        return (unsigned)orr_lua_error(L, "io: %s must be 1, 2, 4 or 8", field);
    }
    return (unsigned)v;
}

/* A handler field: a function, or nil (LUA_NOREF). */
static int opt_handler(lua_State *L, int ops, const char *field)
{
    lua_getfield(L, ops, field);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return LUA_NOREF;
    }
    if (!lua_isfunction(L, -1)) {
        return orr_lua_error(L, "io: ops.%s must be a function, got %s", field,
                             luaL_typename(L, -1));
    }
    return luaL_ref(L, LUA_REGISTRYINDEX);
}

/* orrery.io(owner, name, size, ops) --> region */
static int l_io(lua_State *L)
{
    OrrObject *owner = orr_lua_opt_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    uint64_t size = orr_lua_check_u64(L, 3, "io: size");
    OrrMemoryOps ops = {.read_tx = lua_read, .write_tx = lua_write};
    const char *endian = "little";

    orr_lua_check_type(L, 4, LUA_TTABLE);
    ops.valid.min_access_size = opt_access(L, 4, "min_access", 1);
    ops.valid.max_access_size = opt_access(L, 4, "max_access", 8);
    ops.impl.min_access_size = opt_access(L, 4, "impl_min", 1);
    ops.impl.max_access_size = opt_access(L, 4, "impl_max", 8);
    lua_getfield(L, 4, "unaligned");
    ops.valid.unaligned = lua_toboolean(L, -1);
    lua_getfield(L, 4, "endian");
    if (!lua_isnil(L, -1)) {
        endian = lua_tostring(L, -1);
    }
    if (endian == NULL ||
        (strcmp(endian, "little") != 0 && strcmp(endian, "big") != 0 &&
         strcmp(endian, "native") != 0)) {
        return orr_lua_error(L, "io: endian must be \"little\", \"big\" or "
                                "\"native\"");
    }
    ops.endianness = strcmp(endian, "big") == 0      ? ORR_ENDIAN_BIG
                     : strcmp(endian, "little") == 0 ? ORR_ENDIAN_LITTLE
                                                     : ORR_ENDIAN_NATIVE;
    lua_pop(L, 2);
    lua_getfield(L, 4, "read");
    lua_getfield(L, 4, "write");
    if (lua_isnil(L, -1) && lua_isnil(L, -2)) {
        return orr_lua_error(L, "io: ops need read or write (or both)");
    }
    for (int i = -2; i <= -1; i++) { /* both checked before any ref */
        if (!lua_isnil(L, i) && !lua_isfunction(L, i)) {
            return orr_lua_error(L, "io: ops.%s must be a function, got %s",
                                 i == -2 ? "read" : "write",
                                 luaL_typename(L, i));
        }
    }
    lua_pop(L, 2);

    /* Nothing below raises before the record has an owner. */
    int read_ref = opt_handler(L, 4, "read");
    int write_ref = opt_handler(L, 4, "write");
    LuaOps *lo = g_new0(LuaOps, 1);
    GError *err = NULL;

    lo->ops = ops;
    lo->L = orr_lua_callback_state(); /* never a coroutine */
    lo->read_ref = read_ref;
    lo->write_ref = write_ref;
    lo->owner = owner;
    lo->owner_state = owner != NULL && orr_lua_is_lua_typed(owner);
    lo->self_slot = orr_lua_slot_new(L);
    lo->mr = orr_memory_region_new_io(owner, name, size, &lo->ops, lo, &err);
    if (lo->mr == NULL) {
        luaL_unref(L, LUA_REGISTRYINDEX, read_ref);
        luaL_unref(L, LUA_REGISTRYINDEX, write_ref);
        orr_lua_slot_free(L, lo->self_slot);
        g_free(lo);
        return orr_lua_gerror(L, "io", err);
    }
    OrrObject *obj = orr_memory_region_object(lo->mr);
    orr_object_weak_ref(obj, region_died, lo);
    orr_lua_push_object(L, obj);
    if (owner == NULL) {
        orr_object_unref(obj); /* the C caller's; the proxy has its own */
    }
    return 1;
}

void orr_lua_open_mmio(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&call_key);
    lua_pushcfunction(L, protected_call);
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_pushcfunction(L, l_io);
    lua_setfield(L, -2, "io");
}
