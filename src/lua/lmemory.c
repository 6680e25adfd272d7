/*
 * orrery Lua binding — memory: regions, transactions, address spaces and
 * machines (LUA-API.md, "Memory regions" and "Address spaces").
 *
 * Sizes: 2^64, the whole space, is written 2^64 in Lua (an exact number)
 * and read back the same way.
 */
#include <string.h>
#include "binding.h"

#define TWO_POW_64 18446744073709551616.0

/* A region size: 1 .. 2^64. */
static uint64_t check_size(lua_State *L, int idx, const char *what)
{
    if (lua_type(L, idx) == LUA_TNUMBER && lua_tonumber(L, idx) == TWO_POW_64) {
        return ORR_SIZE_2_64;
    }
    return orr_lua_check_u64(L, idx, what);
}

static void push_size(lua_State *L, uint64_t size)
{
    if (size == ORR_SIZE_2_64) {
        lua_pushnumber(L, TWO_POW_64);
    } else {
        orr_lua_push_u64_or_number(L, size);
    }
}

static OrrMemoryRegion *check_region(lua_State *L, int idx, const char *what)
{
    return (OrrMemoryRegion *)orr_lua_check_typed(L, idx,
                                                  ORR_TYPE_MEMORY_REGION, what);
}

static OrrAddressSpace *check_space(lua_State *L, int idx, const char *what)
{
    return (OrrAddressSpace *)orr_lua_check_kind(L, idx, ORR_LUA_KIND_SPACE,
                                                 ORR_TYPE_ADDRESS_SPACE, what);
}

/* Pushes the new region (or raises with the error in @errp). A
 * free-standing region comes with the C caller's reference, dropped once
 * the proxy holds its own; one with an owner comes with none (the owner
 * holds it). @errp is read only here: the call that made @mr as another
 * argument has set it by then. */
static int push_new_region(lua_State *L, OrrMemoryRegion *mr, bool owned,
                           const char *what, GError **errp)
{
    if (mr == NULL) {
        return orr_lua_gerror(L, what, *errp);
    }
    OrrObject *obj = orr_memory_region_object(mr);
    orr_lua_push_object(L, obj);
    if (!owned) {
        orr_object_unref(obj);
    }
    return 1;
}

/* --- Creating regions ----------------------------------------------------- */

static int l_ram(lua_State *L)
{
    OrrObject *owner = orr_lua_opt_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    uint64_t size = check_size(L, 3, "ram: size");
    GError *err = NULL;

    return push_new_region(L,
                           orr_memory_region_new_ram(owner, name, size, &err),
                           owner != NULL, "ram", &err);
}

static int l_rom(lua_State *L)
{
    OrrObject *owner = orr_lua_opt_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    uint64_t size = check_size(L, 3, "rom: size");
    size_t len = 0;
    const char *bytes = orr_lua_opt_lstring(L, 4, NULL, &len);
    GError *err = NULL;

    return push_new_region(
        L, orr_memory_region_new_rom(owner, name, size, bytes, len, &err),
        owner != NULL, "rom", &err);
}

static int l_container(lua_State *L)
{
    OrrObject *owner = orr_lua_opt_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    uint64_t size = check_size(L, 3, "container: size");
    GError *err = NULL;

    return push_new_region(
        L, orr_memory_region_new_container(owner, name, size, &err),
        owner != NULL, "container", &err);
}

static int l_alias(lua_State *L)
{
    OrrObject *owner = orr_lua_opt_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    OrrMemoryRegion *target = check_region(L, 3, "alias: target");
    uint64_t offset = orr_lua_check_u64(L, 4, "alias: offset");
    uint64_t size = check_size(L, 5, "alias: size");
    GError *err = NULL;

    return push_new_region(
        L, orr_memory_region_new_alias(owner, name, target, offset, size, &err),
        owner != NULL, "alias", &err);
}

/* orrery.transaction(fn): every change inside fn is one update, even
 * when fn raises (the error is passed on after the commit). */
static int l_transaction(lua_State *L)
{
    orr_lua_check_type(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    orr_memory_transaction_begin();
    int rc = lua_pcall(L, 0, LUA_MULTRET, 0);
    orr_memory_transaction_commit();
    if (rc != 0) {
        return lua_error(L);
    }
    return lua_gettop(L);
}

/* --- Region methods ------------------------------------------------------- */

static int m_add(lua_State *L)
{
    OrrMemoryRegion *mr = check_region(L, 1, "add");
    uint64_t offset = orr_lua_check_u64(L, 2, "add: offset");
    OrrMemoryRegion *sub = check_region(L, 3, "add: subregion");
    GError *err = NULL;
    bool ok;

    if (lua_isnoneornil(L, 4)) {
        ok = orr_memory_region_add_subregion(mr, offset, sub, &err);
    } else {
        int64_t prio = orr_lua_check_i64(L, 4, "add: priority");
        if (prio < G_MININT || prio > G_MAXINT) {
            return orr_lua_error(L, "add: priority out of range");
        }
        ok = orr_memory_region_add_subregion_overlap(mr, offset, sub, (int)prio,
                                                     &err);
    }
    return ok ? 0 : orr_lua_gerror(L, "add", err);
}

static int m_del(lua_State *L)
{
    OrrMemoryRegion *mr = check_region(L, 1, "del");
    OrrMemoryRegion *sub = check_region(L, 2, "del: subregion");
    GError *err = NULL;

    return orr_memory_region_del_subregion(mr, sub, &err)
               ? 0
               : orr_lua_gerror(L, "del", err);
}

static bool check_bool(lua_State *L, int idx, const char *what)
{
    if (lua_type(L, idx) != LUA_TBOOLEAN) {
        orr_lua_error(L, "%s: expected a boolean, got %s", what,
                      luaL_typename(L, idx));
    }
    return lua_toboolean(L, idx);
}

static int m_set_enabled(lua_State *L)
{
    OrrMemoryRegion *mr = check_region(L, 1, "set_enabled");

    orr_memory_region_set_enabled(mr, check_bool(L, 2, "set_enabled"));
    return 0;
}

static int m_set_readonly(lua_State *L)
{
    OrrMemoryRegion *mr = check_region(L, 1, "set_readonly");

    orr_memory_region_set_readonly(mr, check_bool(L, 2, "set_readonly"));
    return 0;
}

static int m_set_address(lua_State *L)
{
    OrrMemoryRegion *mr = check_region(L, 1, "set_address");
    GError *err = NULL;

    return orr_memory_region_set_address(
               mr, orr_lua_check_u64(L, 2, "set_address"), &err)
               ? 0
               : orr_lua_gerror(L, "set_address", err);
}

static int m_set_priority(lua_State *L)
{
    OrrMemoryRegion *mr = check_region(L, 1, "set_priority");
    int64_t prio = orr_lua_check_i64(L, 2, "set_priority");

    if (prio < G_MININT || prio > G_MAXINT) {
        return orr_lua_error(L, "set_priority: out of range");
    }
    orr_memory_region_set_priority(mr, (int)prio);
    return 0;
}

static int m_set_alias_offset(lua_State *L)
{
    OrrMemoryRegion *mr = check_region(L, 1, "set_alias_offset");
    GError *err = NULL;

    return orr_memory_region_set_alias_offset(
               mr, orr_lua_check_u64(L, 2, "set_alias_offset"), &err)
               ? 0
               : orr_lua_gerror(L, "set_alias_offset", err);
}

static const luaL_Reg region_methods[] = {
    {"add", m_add},
    {"del", m_del},
    {"set_enabled", m_set_enabled},
    {"set_readonly", m_set_readonly},
    {"set_address", m_set_address},
    {"set_priority", m_set_priority},
    {"set_alias_offset", m_set_alias_offset},
    {NULL, NULL},
};

/* --- Address spaces ------------------------------------------------------- */

static int l_address_space(lua_State *L)
{
    OrrObject *owner = orr_lua_opt_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    OrrMemoryRegion *root = check_region(L, 3, "address_space: root");
    GError *err = NULL;
    OrrAddressSpace *as = orr_address_space_new(owner, name, root, &err);

    if (as == NULL) {
        return orr_lua_gerror(L, "address_space", err);
    }
    OrrObject *obj = orr_address_space_object(as);
    orr_lua_push_object(L, obj);
    if (owner == NULL) {
        orr_object_unref(obj); /* the C caller's; the proxy has its own */
    }
    return 1;
}

/* Pushes nil for OK, else the result's name. */
static void push_result(lua_State *L, OrrMemTxResult r)
{
    if (r == ORR_MEMTX_OK) {
        lua_pushnil(L);
    } else {
        lua_pushstring(L, orr_memtx_result_name(r));
    }
}

static unsigned check_access_size(lua_State *L, int idx, const char *what)
{
    uint64_t size = orr_lua_check_u64(L, idx, what);

    if (size != 1 && size != 2 && size != 4 && size != 8) {
        return (unsigned)orr_lua_error(L, "%s: size must be 1, 2, 4 or 8",
                                       what);
    }
    return (unsigned)size;
}

/* Pushes a value read with @size: a number, or uint64_t cdata for 8. */
static void push_read(lua_State *L, uint64_t v, unsigned size)
{
    if (size == 8) {
        orr_lua_push_u64(L, v);
    } else {
        lua_pushnumber(L, (lua_Number)v);
    }
}

static int do_read(lua_State *L, unsigned size)
{
    OrrAddressSpace *as = check_space(L, 1, "read");
    uint64_t addr = orr_lua_check_u64(L, 2, "read: address");
    uint64_t v = 0;
    OrrMemTxResult r = orr_address_space_read(as, addr, size, &v);

    push_read(L, v, size);
    push_result(L, r);
    return 2;
}

static int do_write(lua_State *L, unsigned size, int value_idx)
{
    OrrAddressSpace *as = check_space(L, 1, "write");
    uint64_t addr = orr_lua_check_u64(L, 2, "write: address");
    bool negative =
        lua_type(L, value_idx) == LUA_TNUMBER && lua_tonumber(L, value_idx) < 0;
    uint64_t value = negative
                         ? (uint64_t)orr_lua_check_i64(L, value_idx, "write")
                         : orr_lua_check_u64(L, value_idx, "write: value");

    /* A value must fit the access, as unsigned or as two's complement. */
    if (size < 8) {
        unsigned bits = 8 * size;
        bool fits = negative ? (int64_t)value >= -(INT64_C(1) << (bits - 1))
                             : value >> bits == 0;
        if (!fits) {
            return orr_lua_error(L, "write: value %s does not fit in %u bytes",
                                 lua_tostring(L, value_idx), size);
        }
        value &= (UINT64_C(1) << bits) - 1;
    }
    OrrMemTxResult r = orr_address_space_write(as, addr, size, value);

    lua_pushboolean(L, r == ORR_MEMTX_OK);
    push_result(L, r);
    return 2;
}

static int m_read(lua_State *L)
{
    return do_read(L, check_access_size(L, 3, "read"));
}

static int m_write(lua_State *L)
{
    return do_write(L, check_access_size(L, 3, "write"), 4);
}

#define SIZED(n)                                                               \
    static int m_read##n(lua_State *L)                                         \
    {                                                                          \
        return do_read(L, (n) / 8);                                            \
    }                                                                          \
    static int m_write##n(lua_State *L)                                        \
    {                                                                          \
        return do_write(L, (n) / 8, 3);                                        \
    }
SIZED(8)
SIZED(16)
SIZED(32)
SIZED(64)
#undef SIZED

/* Byte strings longer than this are refused: a script asking for more
 * is most likely passing the wrong argument. */
#define MAX_BYTES (64u << 20)

static int m_read_bytes(lua_State *L)
{
    OrrAddressSpace *as = check_space(L, 1, "read_bytes");
    uint64_t addr = orr_lua_check_u64(L, 2, "read_bytes: address");
    uint64_t n = orr_lua_check_u64(L, 3, "read_bytes: length");

    if (n == 0 || n > MAX_BYTES) {
        return orr_lua_error(L, "read_bytes: length must be 1 to %u",
                             MAX_BYTES);
    }
    uint8_t *buf = g_malloc((size_t)n);
    OrrMemTxResult r = orr_address_space_read_bytes(as, addr, buf, (size_t)n);

    lua_pushlstring(L, (const char *)buf, (size_t)n);
    g_free(buf);
    push_result(L, r);
    return 2;
}

static int m_write_bytes(lua_State *L)
{
    OrrAddressSpace *as = check_space(L, 1, "write_bytes");
    uint64_t addr = orr_lua_check_u64(L, 2, "write_bytes: address");
    size_t len = 0;
    const char *s = orr_lua_check_lstring(L, 3, &len);

    if (len == 0) {
        return orr_lua_error(L, "write_bytes: nothing to write");
    }
    OrrMemTxResult r = orr_address_space_write_bytes(as, addr, s, len);

    lua_pushboolean(L, r == ORR_MEMTX_OK);
    push_result(L, r);
    return 2;
}

static int m_find(lua_State *L)
{
    OrrAddressSpace *as = check_space(L, 1, "find");
    uint64_t offset = 0;
    OrrMemoryRegion *mr = orr_address_space_find(
        as, orr_lua_check_u64(L, 2, "find: address"), &offset);

    if (mr == NULL) {
        lua_pushnil(L);
        return 1;
    }
    orr_lua_push_object(L, orr_memory_region_object(mr));
    orr_lua_push_u64_or_number(L, offset);
    return 2;
}

static int m_flatview(lua_State *L)
{
    OrrAddressSpace *as = check_space(L, 1, "flatview");
    GArray *ranges = orr_address_space_get_flat_ranges(as);

    lua_createtable(L, (int)ranges->len, 0);
    for (guint i = 0; i < ranges->len; i++) {
        const OrrFlatRange *r = &g_array_index(ranges, OrrFlatRange, i);
        lua_createtable(L, 0, 5);
        orr_lua_push_u64_or_number(L, r->start);
        lua_setfield(L, -2, "start");
        if (r->start == 0 && r->last == UINT64_MAX) {
            lua_pushnumber(L, TWO_POW_64);
        } else {
            orr_lua_push_u64_or_number(L, r->last - r->start + 1);
        }
        lua_setfield(L, -2, "size");
        orr_lua_push_object(L, orr_memory_region_object(r->region));
        lua_setfield(L, -2, "region");
        orr_lua_push_u64_or_number(L, r->offset);
        lua_setfield(L, -2, "offset");
        lua_pushboolean(L, r->readonly);
        lua_setfield(L, -2, "readonly");
        lua_rawseti(L, -2, (int)i + 1);
    }
    g_array_unref(ranges);
    return 1;
}

static const luaL_Reg space_methods[] = {
    {"read", m_read},
    {"write", m_write},
    {"read8", m_read8},
    {"read16", m_read16},
    {"read32", m_read32},
    {"read64", m_read64},
    {"write8", m_write8},
    {"write16", m_write16},
    {"write32", m_write32},
    {"write64", m_write64},
    {"read_bytes", m_read_bytes},
    {"write_bytes", m_write_bytes},
    {"find", m_find},
    {"flatview", m_flatview},
    {"listen", orr_lua_listen},
    {NULL, NULL},
};

/* --- Sized accesses from compiled Lua --------------------------------------
 *
 * as:read32 and friends are the hot path of a script driving RAM. The C
 * methods above are complete, but a call to a lua_CFunction ends a LuaJIT
 * trace. So the method table holds Lua wrappers instead (fast_chunk): when
 * the address space's RAM caches hold the access, they do it through the
 * FFI by calling one of these leaves, which the JIT compiles into a direct
 * call; anything else (a miss, MMIO, a bad argument, a released proxy)
 * goes to the C method, which fills the caches for the next time. The
 * leaves only load or store through the caches: they never call back into
 * Lua, as the FFI requires.
 */
static int leaf_read(OrrAddressSpace *as, uint64_t addr, unsigned size,
                     uint64_t *value)
{
    return orr_address_space_read_cached(as, addr, size, value);
}

static int leaf_write(OrrAddressSpace *as, uint64_t addr, unsigned size,
                      uint64_t value)
{
    return orr_address_space_write_cached(as, addr, size, value);
}

/* Declared to the FFI as struct orrery_space_leaves. */
static const struct {
    int (*read)(OrrAddressSpace *as, uint64_t addr, unsigned size,
                uint64_t *value);
    int (*write)(OrrAddressSpace *as, uint64_t addr, unsigned size,
                 uint64_t value);
} leaves = {leaf_read, leaf_write};

/* Arguments: the address-space method table, the ffi module, &leaves.
 * struct orrery_proxy_head comes from the proxy metatable's chunk. A
 * wrapper takes the fast way only for a live address-space proxy and an
 * integral number address (and value, for a write, that fits). */
static const char fast_chunk[] =
    "local methods, ffi, leaves_ptr = ...\n"
    "if not pcall(ffi.typeof, 'struct orrery_space_leaves') then\n"
    "  ffi.cdef[[struct orrery_space_leaves {\n"
    "    int (*read)(void *, uint64_t, unsigned int, uint64_t *);\n"
    "    int (*write)(void *, uint64_t, unsigned int, uint64_t); };]]\n"
    "end\n"
    "local leaves = ffi.cast('const struct orrery_space_leaves *', "
    "leaves_ptr)\n"
    "local head = ffi.typeof('const struct orrery_proxy_head *')\n"
    "local cast, getmetatable, type, tonumber = ffi.cast, getmetatable, "
    "type, tonumber\n"
    "local out = ffi.new('uint64_t[1]')\n"
    "local TWO64 = 2 ^ 64\n"
    "local function space(as, addr)\n"
    "  if type(addr) == 'number' and addr >= 0 and addr < TWO64 and\n"
    "     addr % 1 == 0 and getmetatable(as) == 'orrery object' then\n"
    "    local h = cast(head, as)\n"
    "    if h.kind == 1 then return h.link.obj end\n"
    "  end\n"
    "  return nil\n"
    "end\n"
    "for _, size in ipairs({ 1, 2, 4, 8 }) do\n"
    "  local rslow, wslow = methods['read' .. 8 * size], "
    "methods['write' .. 8 * size]\n"
    "  local limit = 2 ^ (8 * size)\n"
    "  methods['read' .. 8 * size] = function(as, addr)\n"
    "    local obj = space(as, addr)\n"
    "    if obj ~= nil and leaves.read(obj, addr, size, out) ~= 0 then\n"
    "      if size == 8 then return out[0], nil end\n"
    "      return tonumber(out[0]), nil\n"
    "    end\n"
    "    return rslow(as, addr)\n"
    "  end\n"
    "  methods['write' .. 8 * size] = function(as, addr, value)\n"
    "    if type(value) == 'number' and value >= 0 and value < limit and\n"
    "       value % 1 == 0 then\n"
    "      local obj = space(as, addr)\n"
    "      if obj ~= nil and leaves.write(obj, addr, size, value) ~= 0 then\n"
    "        return true, nil\n"
    "      end\n"
    "    end\n"
    "    return wslow(as, addr, value)\n"
    "  end\n"
    "end\n";

/* Replaces the sized access methods of address-space proxies with the
 * wrappers of fast_chunk. */
static void install_fast_accesses(lua_State *L)
{
    if (luaL_loadbuffer(L, fast_chunk, sizeof(fast_chunk) - 1,
                        "=orrery.access") != 0) {
        lua_error(L);
    }
    orr_lua_push_kind_methods(L, ORR_LUA_KIND_SPACE);
    g_assert(lua_istable(L, -1));
    lua_getglobal(L, "require");
    lua_pushliteral(L, "ffi");
    lua_call(L, 1, 1);
    lua_pushlightuserdata(L, (void *)&leaves);
    lua_call(L, 3, 0);
}

/* --- Machines ------------------------------------------------------------- */

/* orrery.machine(name) --> a machine at "/<name>" */
static int l_machine(lua_State *L)
{
    const char *name = orr_lua_check_string(L, 1);
    GError *err = NULL;
    OrrObject *m = orr_object_new(ORR_TYPE_MACHINE, &err);

    if (m == NULL) {
        return orr_lua_gerror(L, "machine", err);
    }
    if (orr_object_add_child(orr_root(), name, m, &err) == NULL) {
        orr_object_unref(m);
        return orr_lua_gerror(L, "machine", err);
    }
    orr_lua_push_object(L, m);
    orr_object_unref(m);
    return 1;
}

/* --- Fields --------------------------------------------------------------- */

static bool region_index(lua_State *L, OrrMemoryRegion *mr, const char *key)
{
    if (strcmp(key, "kind") == 0) {
        lua_pushstring(
            L, orr_memory_region_kind_name(orr_memory_region_get_kind(mr)));
    } else if (strcmp(key, "size") == 0) {
        push_size(L, orr_memory_region_get_size(mr));
    } else if (strcmp(key, "addr") == 0) {
        orr_lua_push_u64_or_number(L, orr_memory_region_get_address(mr));
    } else if (strcmp(key, "priority") == 0) {
        lua_pushnumber(L, orr_memory_region_get_priority(mr));
    } else if (strcmp(key, "enabled") == 0) {
        lua_pushboolean(L, orr_memory_region_is_enabled(mr));
    } else if (strcmp(key, "readonly") == 0) {
        lua_pushboolean(L, orr_memory_region_is_readonly(mr));
    } else if (strcmp(key, "owner") == 0) {
        orr_lua_push_object(L, orr_memory_region_get_owner(mr));
    } else if (strcmp(key, "container") == 0) {
        OrrMemoryRegion *c = orr_memory_region_get_container(mr);
        orr_lua_push_object(L, c ? orr_memory_region_object(c) : NULL);
    } else if (strcmp(key, "alias_target") == 0) {
        OrrMemoryRegion *t = orr_memory_region_get_alias_target(mr);
        orr_lua_push_object(L, t ? orr_memory_region_object(t) : NULL);
    } else if (strcmp(key, "alias_offset") == 0) {
        orr_lua_push_u64_or_number(L, orr_memory_region_get_alias_offset(mr));
    } else {
        return orr_lua_push_method(L, region_methods, key);
    }
    return true;
}

bool orr_lua_memory_index(lua_State *L, int self, OrrObject *obj,
                          const char *key)
{
    if (orr_object_is_a(obj, ORR_TYPE_MEMORY_REGION)) {
        return region_index(L, (OrrMemoryRegion *)obj, key);
    }
    if (orr_object_is_a(obj, ORR_TYPE_ADDRESS_SPACE)) {
        return orr_lua_push_method(L, space_methods, key);
    }
    if (orr_object_is_a(obj, ORR_TYPE_MACHINE)) {
        if (strcmp(key, "sysmem") == 0) {
            orr_lua_push_object(
                L, orr_memory_region_object(orr_machine_get_sysmem(obj)));
            return true;
        }
        if (strcmp(key, "memory") == 0) {
            orr_lua_push_object(
                L, orr_address_space_object(orr_machine_get_memory(obj)));
            return true;
        }
    }
    return false;
}

void orr_lua_memory_names(OrrObject *obj, OrrLuaNameFn add, void *data)
{
    static const char *const region_fields[] = {
        "kind",     "size",  "addr",      "priority",     "enabled",
        "readonly", "owner", "container", "alias_target", "alias_offset",
    };
    const luaL_Reg *methods = NULL;

    if (orr_object_is_a(obj, ORR_TYPE_MEMORY_REGION)) {
        for (guint i = 0; i < G_N_ELEMENTS(region_fields); i++) {
            add(region_fields[i], data);
        }
        methods = region_methods;
    } else if (orr_object_is_a(obj, ORR_TYPE_ADDRESS_SPACE)) {
        methods = space_methods;
    } else if (orr_object_is_a(obj, ORR_TYPE_MACHINE)) {
        add("sysmem", data);
        add("memory", data);
    }
    for (const luaL_Reg *r = methods; r != NULL && r->name != NULL; r++) {
        add(r->name, data);
    }
}

void orr_lua_open_memory(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"ram", l_ram},
        {"rom", l_rom},
        {"container", l_container},
        {"alias", l_alias},
        {"transaction", l_transaction},
        {"address_space", l_address_space},
        {"machine", l_machine},
        {NULL, NULL},
    };

    luaL_register(L, NULL, fns);
    orr_lua_set_kind_methods(L, ORR_LUA_KIND_SPACE, space_methods);
    install_fast_accesses(L);
}
