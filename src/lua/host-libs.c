/*
 * orrery host — the host's hooks (see host.h). For now the host is a plain
 * LuaJIT host: the object-model binding adds itself here.
 */
#include <stdio.h>
#include <lauxlib.h>
#include <lualib.h>
#include "host.h"

void orr_host_open_libs(lua_State *L)
{
    luaL_openlibs(L);
}

void orr_host_safe_point(lua_State *L)
{
}

int orr_host_leak_check(lua_State *L, OrrLeakCheck mode)
{
    return 0;
}

void orr_host_info(lua_State *L, const char *args)
{
    printf("info: not available yet\n");
}
