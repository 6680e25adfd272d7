/*
 * orrery Lua binding — introspection and teardown: gc, live objects,
 * leaks, cycles, finalize events, info mtree / qom-tree and JSON
 * (LUA-API.md, "Introspection" and "Teardown and tests").
 */
#include <string.h>
#include <luajit.h>

#include "binding.h"

/* Registry key of the list of errors raised inside Lua hooks. */
static const char hook_errors_key = 'e';

/* The thread every callback from C runs on (one state at a time): made
 * by the module and anchored in the registry, so that it lives as long as
 * the state. The thread that made a region or a type may be a coroutine,
 * which can be collected long before the callbacks stop. */
static lua_State *hook_state;
/* Inside an on_finalize function: no proxy may be made (the core takes no
 * references while an object finalizes). */
static bool in_finalize_hook;

/* Collected with the registry when the state closes: from then on no C
 * callback may touch the state. */
static const char closing_key = 'z';

static int state_closing(lua_State *L)
{
    hook_state = NULL;
    return 0;
}

lua_State *orr_lua_callback_state(void)
{
    g_assert(hook_state != NULL);
    return hook_state;
}

bool orr_lua_state_open(void)
{
    return hook_state != NULL;
}

bool orr_lua_in_finalize_hook(void)
{
    return in_finalize_hook;
}

void orr_lua_record_hook_error(lua_State *L, const char *where)
{
    const char *msg = lua_tostring(L, -1);

    lua_pushlightuserdata(L, (void *)&hook_errors_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushfstring(L, "%s: %s", where, msg ? msg : "(error object)");
    lua_rawseti(L, -2, (int)lua_objlen(L, -2) + 1);
    lua_pop(L, 2);
}

void orr_lua_collect(lua_State *L)
{
    /* A compiled trace keeps the values it was specialized on (a closure
     * and its upvalues, say) as constants, out of the collector's reach:
     * drop the traces first. They are recompiled when code runs again. */
    luaJIT_setmode(L, 0, LUAJIT_MODE_ENGINE | LUAJIT_MODE_FLUSH);
    do {
        lua_gc(L, LUA_GCCOLLECT, 0);
        lua_gc(L, LUA_GCCOLLECT, 0);
    } while (orr_lua_drain() > 0);
}

/* orrery.gc() */
static int l_gc(lua_State *L)
{
    orr_lua_collect(L);
    return 0;
}

static void push_info(lua_State *L, const OrrLiveInfo *info)
{
    lua_createtable(L, 0, 5);
    lua_pushstring(L, info->type);
    lua_setfield(L, -2, "type");
    lua_pushstring(L, info->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, info->path);
    lua_setfield(L, -2, "path");
    lua_pushnumber(L, info->refcount);
    lua_setfield(L, -2, "refcount");
    lua_createtable(L, (int)info->holders->len, 0);
    for (guint i = 0; i < info->holders->len; i++) {
        lua_pushstring(L, info->holders->pdata[i]);
        lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "holders");
}

/* orrery.live([typename]) --> list of { type, name, path, refcount,
 * holders } */
static int l_live(lua_State *L)
{
    GPtrArray *list = orr_live_list(orr_lua_opt_string(L, 1, NULL));

    lua_createtable(L, (int)list->len, 0);
    for (guint i = 0; i < list->len; i++) {
        push_info(L, list->pdata[i]);
        lua_rawseti(L, -2, (int)i + 1);
    }
    g_ptr_array_unref(list);
    return 1;
}

/* orrery.live_objects([typename]) --> a proxy of every live object, in the
 * order of orrery.live(); for tests that must reach objects nothing else
 * names (a detached cycle) to take them apart. */
static int l_live_objects(lua_State *L)
{
    GPtrArray *list = orr_live_list(orr_lua_opt_string(L, 1, NULL));
    guint n = list->len;
    /* The objects, in memory the collector owns: making a proxy may raise
     * (inside an on_finalize function, say), and the infos go first. */
    OrrObject **objects = lua_newuserdata(L, MAX(n, 1u) * sizeof(*objects));

    for (guint i = 0; i < n; i++) {
        objects[i] = ((OrrLiveInfo *)list->pdata[i])->object;
    }
    g_ptr_array_unref(list);
    lua_createtable(L, (int)n, 0);
    for (guint i = 0; i < n; i++) {
        orr_lua_push_object(L, objects[i]);
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
}

static int l_live_count(lua_State *L)
{
    lua_pushnumber(L, orr_live_count(orr_lua_opt_string(L, 1, NULL)));
    return 1;
}

/* The leak report: nil when no object is alive outside the tree's root
 * objects... that is, when none is alive at all after a collection. */
static char *leak_report(lua_State *L)
{
    l_gc(L);
    return orr_live_format_report();
}

static int l_leaks(lua_State *L)
{
    char *report = leak_report(L);

    lua_pushstring(L, report); /* nil when NULL */
    g_free(report);
    return 1;
}

static int l_assert_no_leaks(lua_State *L)
{
    char *report = leak_report(L);

    if (report != NULL) {
        lua_pushfstring(L, "orrery: objects leaked:\n%s", report);
        g_free(report);
        return lua_error(L);
    }
    return 0;
}

/* orrery.cycles() --> list of cycles, each a list of edge strings */
static int l_cycles(lua_State *L)
{
    GPtrArray *cycles = orr_live_find_cycles();

    lua_createtable(L, (int)cycles->len, 0);
    for (guint i = 0; i < cycles->len; i++) {
        GPtrArray *edges = cycles->pdata[i];
        lua_createtable(L, (int)edges->len, 0);
        for (guint j = 0; j < edges->len; j++) {
            lua_pushstring(L, edges->pdata[j]);
            lua_rawseti(L, -2, (int)j + 1);
        }
        lua_rawseti(L, -2, (int)i + 1);
    }
    g_ptr_array_unref(cycles);
    return 1;
}

static int l_hook_errors(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&hook_errors_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    int n = (int)lua_objlen(L, -1);
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
        lua_rawgeti(L, -2, i);
        lua_rawseti(L, -2, i);
    }
    return 1;
}

/* --- on_finalize ---------------------------------------------------------- */

typedef struct FinalizeHook {
    int fn_ref; /* registry reference to the Lua function */
    guint id;   /* the core's hook id, 0 once removed */
} FinalizeHook;

static void finalize_hook(const OrrFinalizeEvent *ev, void *data)
{
    FinalizeHook *h = data;
    lua_State *L = hook_state;

    if (L == NULL || in_finalize_hook) {
        return;
    }
    in_finalize_hook = true;
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->fn_ref);
    lua_createtable(L, 0, 3);
    lua_pushstring(L, ev->type);
    lua_setfield(L, -2, "type");
    lua_pushstring(L, ev->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, ev->path);
    lua_setfield(L, -2, "path");
    int rc = orr_lua_pcall_callback(L, 1, 0, 0);
    if (rc != 0) {
        orr_lua_record_hook_error(L, "on_finalize");
    }
    in_finalize_hook = false;
}

static void finalize_hook_free(void *data)
{
    FinalizeHook *h = data;

    if (hook_state != NULL) {
        luaL_unref(hook_state, LUA_REGISTRYINDEX, h->fn_ref);
    }
    g_free(h);
}

static int handle_remove(lua_State *L)
{
    FinalizeHook **hp = luaL_checkudata(L, 1, "orrery.finalize_hook");

    if (*hp != NULL) {
        guint id = (*hp)->id;
        *hp = NULL; /* the core frees the hook */
        orr_live_remove_finalize_hook(id);
    }
    return 0;
}

/* orrery.on_finalize(fn) --> handle with :remove() */
static int l_on_finalize(lua_State *L)
{
    orr_lua_check_type(L, 1, LUA_TFUNCTION);
    FinalizeHook *h = g_new0(FinalizeHook, 1);

    lua_pushvalue(L, 1);
    h->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    h->id = orr_live_add_finalize_hook(finalize_hook, h, finalize_hook_free);

    FinalizeHook **hp = lua_newuserdata(L, sizeof(*hp));
    *hp = h;
    if (luaL_newmetatable(L, "orrery.finalize_hook")) {
        lua_newtable(L);
        lua_pushcfunction(L, handle_remove);
        lua_setfield(L, -2, "remove");
        lua_setfield(L, -2, "__index");
    }
    lua_setmetatable(L, -2);
    return 1;
}

/* --- Text and JSON -------------------------------------------------------- */

/* The address space of @idx: an address space, or a machine's memory. */
static OrrAddressSpace *check_space_or_machine(lua_State *L, int idx,
                                               const char *what)
{
    OrrObject *obj = orr_lua_check_object(L, idx);

    if (orr_object_is_a(obj, ORR_TYPE_MACHINE)) {
        return orr_machine_get_memory(obj);
    }
    if (!orr_object_is_a(obj, ORR_TYPE_ADDRESS_SPACE)) {
        return (OrrAddressSpace *)(intptr_t)orr_lua_error(
            L, "%s: expected an address space or a machine, got %s", what,
            orr_object_get_type_name(obj));
    }
    return (OrrAddressSpace *)obj;
}

static OrrMtreeFlags opt_flags(lua_State *L, int idx)
{
    static const struct {
        const char *name;
        OrrMtreeFlags flag;
    } names[] = {
        {"flat", ORR_MTREE_FLAT},
        {"owners", ORR_MTREE_OWNERS},
        {"disabled", ORR_MTREE_DISABLED},
    };
    OrrMtreeFlags flags = 0;

    if (lua_isnoneornil(L, idx)) {
        return 0;
    }
    orr_lua_check_type(L, idx, LUA_TTABLE);
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        lua_getfield(L, idx, names[i].name);
        if (lua_toboolean(L, -1)) {
            flags |= names[i].flag;
        }
        lua_pop(L, 1);
    }
    return flags;
}

static int l_mtree(lua_State *L)
{
    OrrAddressSpace *as = check_space_or_machine(L, 1, "mtree");
    char *text = orr_address_space_format_mtree(as, opt_flags(L, 2));

    lua_pushstring(L, text);
    g_free(text);
    return 1;
}

static int l_qom_tree(lua_State *L)
{
    OrrObject *obj =
        lua_isnoneornil(L, 1) ? orr_root() : orr_lua_check_object(L, 1);
    char *text = orr_object_format_tree(obj);

    lua_pushstring(L, text);
    g_free(text);
    return 1;
}

void orr_lua_open_inspect(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"gc", l_gc},
        {"live", l_live},
        {"live_count", l_live_count},
        {"live_objects", l_live_objects},
        {"leaks", l_leaks},
        {"assert_no_leaks", l_assert_no_leaks},
        {"cycles", l_cycles},
        {"hook_errors", l_hook_errors},
        {"on_finalize", l_on_finalize},
        {"mtree", l_mtree},
        {"qom_tree", l_qom_tree},
        {NULL, NULL},
    };

    hook_state = lua_newthread(L);
    luaL_ref(L, LUA_REGISTRYINDEX); /* anchored until the state closes */
    /* Its base, for callbacks that find it idle (see binding.h). */
    orr_lua_push_traceback(hook_state);
    orr_lua_push_slots(hook_state);
    lua_pushlightuserdata(L, (void *)&closing_key);
    lua_newuserdata(L, 1);
    lua_newtable(L);
    lua_pushcfunction(L, state_closing);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, (void *)&hook_errors_key);
    lua_newtable(L);
    lua_rawset(L, LUA_REGISTRYINDEX);
    luaL_register(L, NULL, fns);
}
