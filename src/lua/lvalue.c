/*
 * orrery Lua binding — values: 64-bit integers (Lua numbers, or LuaJIT
 * uint64_t/int64_t cdata above 2^53) and property values.
 */
#include <math.h>
#include "binding.h"

/* Registry keys: helpers written in Lua over LuaJIT's ffi. */
static const char make_key = 'u';  /* (hi, lo) -> uint64_t */
static const char split_key = 's'; /* cdata -> hi, lo, negative */

static const char helpers[] =
    "local ffi = require('ffi')\n"
    "local u64 = ffi.typeof('uint64_t')\n"
    "local i64 = ffi.typeof('int64_t')\n"
    "local function make(hi, lo) return u64(hi) * 4294967296ULL + lo end\n"
    "local function split(x)\n"
    "  if not (ffi.istype(u64, x) or ffi.istype(i64, x)) then return nil end\n"
    "  local neg = ffi.istype(i64, x) and x < 0\n"
    "  local u = ffi.cast('uint64_t', x)\n"
    "  return tonumber(u / 4294967296ULL), tonumber(u % 4294967296ULL), neg\n"
    "end\n"
    "return make, split\n";

void orr_lua_value_init(lua_State *L)
{
    if (luaL_loadbuffer(L, helpers, sizeof(helpers) - 1, "=orrery.values") ||
        lua_pcall(L, 0, 2, 0)) {
        lua_error(L);
    }
    lua_pushlightuserdata(L, (void *)&split_key);
    lua_insert(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, (void *)&make_key);
    lua_insert(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
}

/* Splits the cdata at @idx; false when it is not a 64-bit integer. */
static bool split_cdata(lua_State *L, int idx, uint64_t *out, bool *negative)
{
    idx = idx < 0 && idx > LUA_REGISTRYINDEX ? lua_gettop(L) + idx + 1 : idx;
    lua_pushlightuserdata(L, (void *)&split_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushvalue(L, idx);
    lua_call(L, 1, 3);
    if (lua_isnil(L, -3)) {
        lua_pop(L, 3);
        return false;
    }
    *out =
        ((uint64_t)lua_tonumber(L, -3) << 32) | (uint64_t)lua_tonumber(L, -2);
    *negative = lua_toboolean(L, -1);
    lua_pop(L, 3);
    return true;
}

/* The integer at @idx as 64 bits, and whether it is negative. */
static uint64_t check_integer(lua_State *L, int idx, const char *what,
                              bool *negative)
{
    uint64_t v;

    if (lua_type(L, idx) == LUA_TNUMBER) {
        lua_Number n = lua_tonumber(L, idx);
        if (n != floor(n) || n >= 18446744073709551616.0 ||
            n < -9223372036854775808.0) {
            return orr_lua_error(L, "%s: %s is not a 64-bit integer", what,
                                 lua_tostring(L, idx));
        }
        *negative = n < 0;
        return n < 0 ? (uint64_t)(int64_t)n : (uint64_t)n;
    }
    if (lua_type(L, idx) != LUA_TNONE && lua_type(L, idx) != LUA_TNIL &&
        split_cdata(L, idx, &v, negative)) {
        return v;
    }
    return orr_lua_error(L, "%s: expected an integer, got %s", what,
                         luaL_typename(L, idx));
}

uint64_t orr_lua_check_u64(lua_State *L, int idx, const char *what)
{
    bool negative = false;
    uint64_t v = check_integer(L, idx, what, &negative);

    if (negative) {
        return orr_lua_error(L, "%s: must not be negative", what);
    }
    return v;
}

int64_t orr_lua_check_i64(lua_State *L, int idx, const char *what)
{
    bool negative = false;
    uint64_t v = check_integer(L, idx, what, &negative);

    if (!negative && v > (uint64_t)INT64_MAX) {
        return orr_lua_error(L, "%s: too large for a signed 64-bit integer",
                             what);
    }
    return (int64_t)v;
}

void orr_lua_push_u64(lua_State *L, uint64_t v)
{
    lua_pushlightuserdata(L, (void *)&make_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushnumber(L, (lua_Number)(v >> 32));
    lua_pushnumber(L, (lua_Number)(v & 0xffffffffu));
    lua_call(L, 2, 1);
}

void orr_lua_push_u64_or_number(lua_State *L, uint64_t v)
{
    if (v <= ORR_LUA_EXACT_MAX) {
        lua_pushnumber(L, (lua_Number)v);
    } else {
        orr_lua_push_u64(L, v);
    }
}

void orr_lua_push_value(lua_State *L, const OrrValue *v)
{
    switch (v->type) {
    case ORR_VALUE_NONE:
        lua_pushnil(L);
        return;
    case ORR_VALUE_BOOL:
        lua_pushboolean(L, v->b);
        return;
    case ORR_VALUE_INT:
        if (v->i >= -(int64_t)ORR_LUA_EXACT_MAX &&
            v->i <= (int64_t)ORR_LUA_EXACT_MAX) {
            lua_pushnumber(L, (lua_Number)v->i);
        } else {
            orr_lua_push_u64(L, (uint64_t)v->i); /* rare: as its bits */
        }
        return;
    case ORR_VALUE_UINT:
        orr_lua_push_u64_or_number(L, v->u);
        return;
    case ORR_VALUE_DOUBLE:
        lua_pushnumber(L, v->d);
        return;
    case ORR_VALUE_STRING:
        lua_pushstring(L, v->s);
        return;
    case ORR_VALUE_OBJECT:
        /* An object being finalized cannot be held: it reads as nil. */
        if (v->o != NULL &&
            (orr_object_get_state(v->o) == ORR_OBJECT_FINALIZING ||
             orr_object_get_state(orr_object_get_lifetime_unit(v->o)) ==
                 ORR_OBJECT_FINALIZING)) {
            lua_pushnil(L);
        } else {
            orr_lua_push_object(L, v->o);
        }
        return;
    }
    lua_pushnil(L);
}

void orr_lua_to_value(lua_State *L, int idx, const OrrProperty *prop,
                      OrrValue *out)
{
    const char *name = orr_property_get_name(prop);

    switch (orr_property_get_type(prop)) {
    case ORR_PROP_BOOL:
        if (lua_type(L, idx) != LUA_TBOOLEAN) {
            break;
        }
        orr_value_set_bool(out, lua_toboolean(L, idx));
        return;
    case ORR_PROP_INT:
        orr_value_set_int(out, orr_lua_check_i64(L, idx, name));
        return;
    case ORR_PROP_UINT:
        orr_value_set_uint(out, orr_lua_check_u64(L, idx, name));
        return;
    case ORR_PROP_STRING:
    case ORR_PROP_ENUM:
        if (lua_type(L, idx) != LUA_TSTRING) {
            break;
        }
        orr_value_set_string(out, lua_tostring(L, idx));
        return;
    case ORR_PROP_LINK:
        if (lua_isnil(L, idx)) {
            return; /* NONE: clears the link */
        }
        if (!orr_lua_is_proxy(L, idx)) {
            break;
        }
        orr_value_set_object(out, orr_lua_check_object(L, idx));
        return;
    case ORR_PROP_CHILD:
        orr_lua_error(L, "property '%s' is a child; use add_child or unparent",
                      name);
        return;
    }
    orr_lua_error(L, "property '%s' is %s, not %s", name,
                  orr_property_get_type_name(prop), luaL_typename(L, idx));
}
