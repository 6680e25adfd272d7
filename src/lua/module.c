/*
 * orrery Lua binding — the module: `require("orrery")` in the host and,
 * once installed, from a stock luajit.
 */
#include "binding.h"

int luaopen_orrery(lua_State *L)
{
    static bool core_ready;

    if (!core_ready) {
        orr_core_init();
        orr_memory_init();
        core_ready = true;
    }
    orr_lua_traceback_init(L);
    orr_lua_value_init(L);
    orr_lua_proxy_init(L);
    lua_newtable(L);
    orr_lua_open_objects(L);
    orr_lua_open_memory(L);
    orr_lua_open_inspect(L);
    orr_lua_open_mmio(L);
    orr_lua_open_types(L);
    orr_lua_open_dump(L);
    return 1;
}
