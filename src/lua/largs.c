/*
 * orrery Lua binding — argument checks whose errors start "orrery:", like
 * every other error of the module (luaL_check* would say "bad argument"
 * without it).
 */
#include <string.h>
#include "binding.h"

int orr_lua_traceback(lua_State *L)
{
    const char *msg = lua_tostring(L, 1);

    luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
    return 1;
}

/* Registry reference of orr_lua_traceback's closure in the current state
 * (made by orr_lua_traceback_init() when the module opens). */
static int traceback_ref = LUA_NOREF;

void orr_lua_traceback_init(lua_State *L)
{
    lua_pushcfunction(L, orr_lua_traceback);
    traceback_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void orr_lua_push_traceback(lua_State *L)
{
    g_assert(traceback_ref != LUA_NOREF);
    lua_rawgeti(L, LUA_REGISTRYINDEX, traceback_ref);
}

void orr_lua_new_weak_table(lua_State *L, const char *mode)
{
    lua_newtable(L);
    lua_newtable(L);
    lua_pushstring(L, mode);
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
}

bool orr_lua_push_method(lua_State *L, const luaL_Reg *table, const char *key)
{
    for (const luaL_Reg *r = table; r->name != NULL; r++) {
        if (strcmp(r->name, key) == 0) {
            lua_pushcfunction(L, r->func);
            return true;
        }
    }
    return false;
}

int orr_lua_argerror(lua_State *L, int idx, const char *expected)
{
    lua_Debug ar;
    const char *got = luaL_typename(L, idx);
    int shown = idx;

    if (lua_getstack(L, 0, &ar) && lua_getinfo(L, "n", &ar) &&
        ar.name != NULL) {
        if (ar.namewhat != NULL && strcmp(ar.namewhat, "method") == 0) {
            shown--; /* self is not counted, as luaL_argerror does */
        }
        return orr_lua_error(L,
                             "bad argument #%d to '%s' (%s expected, got "
                             "%s)",
                             shown, ar.name, expected, got);
    }
    return orr_lua_error(L, "bad argument #%d (%s expected, got %s)", shown,
                         expected, got);
}

const char *orr_lua_check_lstring(lua_State *L, int idx, size_t *len)
{
    if (lua_type(L, idx) != LUA_TSTRING && lua_type(L, idx) != LUA_TNUMBER) {
        orr_lua_argerror(L, idx, "string");
    }
    return lua_tolstring(L, idx, len);
}

const char *orr_lua_check_string(lua_State *L, int idx)
{
    return orr_lua_check_lstring(L, idx, NULL);
}

const char *orr_lua_opt_lstring(lua_State *L, int idx, const char *dflt,
                                size_t *len)
{
    if (lua_isnoneornil(L, idx)) {
        if (len != NULL) {
            *len = dflt ? strlen(dflt) : 0;
        }
        return dflt;
    }
    return orr_lua_check_lstring(L, idx, len);
}

const char *orr_lua_opt_string(lua_State *L, int idx, const char *dflt)
{
    return orr_lua_opt_lstring(L, idx, dflt, NULL);
}

void orr_lua_check_type(lua_State *L, int idx, int type)
{
    if (lua_type(L, idx) != type) {
        orr_lua_argerror(L, idx, lua_typename(L, type));
    }
}

void orr_lua_check_any(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TNONE) {
        orr_lua_argerror(L, idx, "value");
    }
}
