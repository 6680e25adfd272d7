/*
 * orrery Lua binding — the leak report's Lua side: which Lua values (a
 * global, a field of a state table, an upvalue) still hold the proxy of
 * an object that survived teardown, named as paths such as
 * "uart0.state.self" or "_G.m".
 */
#include "binding.h"

/* Searches breadth first from the globals and every Lua object's state
 * for the proxies in `targets` (proxy -> true); returns proxy -> path. */
static const char finder[] =
    "local targets, roots = ...\n"
    "local found, seen, queue, head = {}, {}, {}, 1\n"
    "local function visit(v, path)\n"
    "  local tv = type(v)\n"
    "  if targets[v] then if not found[v] then found[v] = path end return end\n"
    "  if (tv == 'table' or tv == 'function') and not seen[v] then\n"
    "    seen[v] = true; queue[#queue + 1] = { v, path }\n"
    "  end\n"
    "end\n"
    "for name, root in pairs(roots) do visit(root, name) end\n"
    "while queue[head] do\n"
    "  local v, path = queue[head][1], queue[head][2]; head = head + 1\n"
    "  if type(v) == 'table' then\n"
    "    for k, x in next, v do\n"
    "      local key = type(k) == 'string' and k:match('^[%a_][%w_]*$')\n"
    "                  and ('.' .. k) or ('[' .. tostring(k) .. ']')\n"
    "      visit(x, path .. key)\n"
    "    end\n"
    "  else\n"
    "    for i = 1, 255 do\n"
    "      local name, x = debug.getupvalue(v, i)\n"
    "      if not name then break end\n"
    "      visit(x, path .. '<upvalue ' .. name .. '>')\n"
    "    end\n"
    "  end\n"
    "end\n"
    "return found\n";

char *orr_lua_leak_paths(lua_State *L)
{
    GPtrArray *live = orr_live_list(NULL);
    GString *out = g_string_new(NULL);
    int top = lua_gettop(L);

    if (luaL_loadbuffer(L, finder, sizeof(finder) - 1, "=orrery.leaks") != 0) {
        lua_settop(L, top);
        g_ptr_array_unref(live);
        return g_string_free(out, TRUE);
    }
    /* targets: the existing proxies of the survivors (none is made). */
    lua_newtable(L);
    for (guint i = 0; i < live->len; i++) {
        OrrLiveInfo *info = live->pdata[i];
        if (orr_lua_push_cached(L, info->object)) {
            lua_pushboolean(L, 1);
            lua_rawset(L, -3);
        }
    }
    /* roots: the globals, and each survivor's state as "<path>.state". */
    lua_newtable(L);
    lua_pushvalue(L, LUA_GLOBALSINDEX);
    lua_setfield(L, -2, "_G");
    for (guint i = 0; i < live->len; i++) {
        OrrLiveInfo *info = live->pdata[i];
        orr_lua_push_state(L, info->object);
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            continue;
        }
        char *name =
            g_strdup_printf("%s.state", info->path ? info->path : info->type);
        lua_setfield(L, -2, name);
        g_free(name);
    }
    if (lua_pcall(L, 2, 1, 0) != 0) {
        lua_settop(L, top);
        g_ptr_array_unref(live);
        return g_string_free(out, TRUE);
    }
    for (guint i = 0; i < live->len; i++) {
        OrrLiveInfo *info = live->pdata[i];
        if (!orr_lua_push_cached(L, info->object)) {
            continue;
        }
        lua_rawget(L, -2);
        if (lua_isstring(L, -1)) {
            g_string_append_printf(out, "  %s %s is held from Lua by %s\n",
                                   info->type,
                                   info->path ? info->path : "(never parented)",
                                   lua_tostring(L, -1));
        }
        lua_pop(L, 1);
    }
    lua_settop(L, top);
    g_ptr_array_unref(live);
    if (out->len == 0) {
        g_string_free(out, TRUE);
        return NULL;
    }
    return g_string_free(out, FALSE);
}
