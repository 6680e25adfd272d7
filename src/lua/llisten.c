/*
 * orrery Lua binding — memory listeners in Lua: as:listen{ region_add =,
 * region_del =, region_nop =, begin =, commit =, priority = } returns a
 * handle with :remove().
 *
 * The listener record keeps the spec table; it goes when the handle's
 * remove() is called or when the address space is finalized, whichever
 * comes first. The handle only points at a box the record clears, so it
 * outlives the record safely. Callbacks run protected; errors are
 * recorded in orrery.hook_errors().
 */
#include "binding.h"

typedef struct ListenerBox ListenerBox;

typedef struct LuaListener {
    lua_State *L;
    int spec_ref;
    OrrMemoryListener *handle; /* NOREF: valid while we exist */
    ListenerBox *box;          /* (nullable) the Lua handle's box */
} LuaListener;

struct ListenerBox {
    LuaListener *listener; /* NULL once it went */
};

static void listener_free(void *data)
{
    LuaListener *ll = data;

    if (ll->box != NULL) {
        ll->box->listener = NULL;
    }
    if (orr_lua_state_open()) {
        luaL_unref(ll->L, LUA_REGISTRYINDEX, ll->spec_ref);
    }
    g_free(ll);
}

/* Protected: makes the range table from the range (lightuserdata 1). */
static int push_range_protected(lua_State *L)
{
    const OrrFlatRange *r = lua_touserdata(L, 1);

    lua_createtable(L, 0, 5);
    orr_lua_push_u64_or_number(L, r->start);
    lua_setfield(L, -2, "start");
    if (r->start == 0 && r->last == UINT64_MAX) {
        lua_pushnumber(L, 18446744073709551616.0);
    } else {
        orr_lua_push_u64_or_number(L, r->last - r->start + 1);
    }
    lua_setfield(L, -2, "size");
    orr_lua_push_u64_or_number(L, r->offset);
    lua_setfield(L, -2, "offset");
    lua_pushboolean(L, r->readonly);
    lua_setfield(L, -2, "readonly");
    lua_pushstring(L, orr_memory_region_get_name(r->region));
    lua_setfield(L, -2, "name");
    /* The region itself, unless it is going (no reference then). */
    OrrObject *obj = orr_memory_region_object(r->region);
    if (orr_object_get_state(obj) != ORR_OBJECT_FINALIZING &&
        orr_object_get_state(orr_object_get_lifetime_unit(obj)) !=
            ORR_OBJECT_FINALIZING) {
        orr_lua_push_object(L, obj);
        lua_setfield(L, -2, "region");
    }
    return 1;
}

/* Calls spec[@name] with the range (or nothing), protected. */
static void call(LuaListener *ll, const char *name, const OrrFlatRange *range)
{
    lua_State *L = ll->L;

    if (!orr_lua_state_open() || orr_lua_in_finalize_hook()) {
        return;
    }
    int top = lua_gettop(L);
    orr_lua_push_traceback(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, ll->spec_ref);
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
    if (!lua_isfunction(L, -1)) {
        lua_settop(L, top);
        return;
    }
    int nargs = 0;
    if (range != NULL) {
        lua_pushcfunction(L, push_range_protected);
        lua_pushlightuserdata(L, (void *)range);
        if (lua_pcall(L, 1, 1, top + 1) != 0) {
            orr_lua_record_hook_error(L, name);
            lua_settop(L, top);
            return;
        }
        nargs = 1;
    }
    int rc = orr_lua_pcall_callback(L, nargs, 0, top + 1);
    if (rc != 0) {
        char *where = g_strdup_printf("listener %s", name);
        orr_lua_record_hook_error(L, where);
        g_free(where);
    }
    lua_settop(L, top);
}

static void on_begin(void *opaque)
{
    call(opaque, "begin", NULL);
}

static void on_commit(void *opaque)
{
    call(opaque, "commit", NULL);
}

static void on_add(const OrrFlatRange *range, void *opaque)
{
    call(opaque, "region_add", range);
}

static void on_del(const OrrFlatRange *range, void *opaque)
{
    call(opaque, "region_del", range);
}

static void on_nop(const OrrFlatRange *range, void *opaque)
{
    call(opaque, "region_nop", range);
}

static int handle_remove(lua_State *L)
{
    ListenerBox *box = luaL_checkudata(L, 1, "orrery.listener");

    if (box->listener != NULL) {
        OrrMemoryListener *h = box->listener->handle;
        box->listener->box = NULL;
        box->listener = NULL;
        orr_memory_listener_unregister(h); /* replays deletions */
    }
    return 0;
}

static int handle_gc(lua_State *L)
{
    ListenerBox *box = luaL_checkudata(L, 1, "orrery.listener");

    /* The listener stays registered until removed or its space goes;
     * it just has no handle any more. */
    if (box->listener != NULL) {
        box->listener->box = NULL;
    }
    return 0;
}

int orr_lua_listen(lua_State *L)
{
    OrrAddressSpace *as = (OrrAddressSpace *)orr_lua_check_typed(
        L, 1, ORR_TYPE_ADDRESS_SPACE, "listen");
    static const char *const names[] = {"region_add", "region_del",
                                        "region_nop", "begin", "commit"};
    OrrMemoryListenerOps ops = {
        .begin = on_begin,
        .region_add = on_add,
        .region_del = on_del,
        .region_nop = on_nop,
        .commit = on_commit,
    };

    orr_lua_check_type(L, 2, LUA_TTABLE);
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        lua_getfield(L, 2, names[i]);
        if (!lua_isnil(L, -1) && !lua_isfunction(L, -1)) {
            return orr_lua_error(L, "listen: %s must be a function", names[i]);
        }
        lua_pop(L, 1);
    }
    lua_getfield(L, 2, "priority");
    if (!lua_isnil(L, -1)) {
        int64_t prio = orr_lua_check_i64(L, -1, "listen: priority");
        if (prio < G_MININT || prio > G_MAXINT) {
            return orr_lua_error(L, "listen: priority out of range");
        }
        ops.priority = (int)prio;
    }
    lua_pop(L, 1);

    ListenerBox *box = lua_newuserdata(L, sizeof(*box));
    box->listener = NULL;
    if (luaL_newmetatable(L, "orrery.listener")) {
        lua_pushcfunction(L, handle_gc);
        lua_setfield(L, -2, "__gc");
        lua_newtable(L);
        lua_pushcfunction(L, handle_remove);
        lua_setfield(L, -2, "remove");
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);

    LuaListener *ll = g_new0(LuaListener, 1);
    ll->L = orr_lua_callback_state(); /* never a coroutine */
    lua_pushvalue(L, 2);
    ll->spec_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    ll->box = box;
    box->listener = ll;
    /* Replays the current view at once (begin, adds, commit). */
    ll->handle = orr_memory_listener_register(as, &ops, ll, listener_free);
    return 1;
}
