/*
 * orrery Lua binding — objects: creation, lookup, properties, the tree,
 * devices and GPIO lines (LUA-API.md, "Objects").
 */
#include <string.h>
#include "binding.h"

int orr_lua_error(lua_State *L, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    lua_pushstring(L, "orrery: ");
    lua_pushvfstring(L, fmt, ap);
    va_end(ap);
    lua_concat(L, 2);
    return lua_error(L);
}

int orr_lua_gerror(lua_State *L, const char *what, GError *err)
{
    const char *msg = err != NULL ? err->message : "failed";
    size_t n = strlen(what);

    /* Core messages often start with the operation already. */
    if (strncmp(msg, what, n) == 0 && strncmp(msg + n, ": ", 2) == 0) {
        lua_pushfstring(L, "orrery: %s", msg);
    } else {
        lua_pushfstring(L, "orrery: %s: %s", what, msg);
    }
    g_clear_error(&err);
    return lua_error(L);
}

/* --- Module functions ----------------------------------------------------- */

/* The parent given as an object or a path. */
static OrrObject *check_parent(lua_State *L, int idx)
{
    if (lua_type(L, idx) == LUA_TSTRING) {
        bool ambiguous = false;
        OrrObject *p =
            orr_object_resolve_path(lua_tostring(L, idx), NULL, &ambiguous);
        if (p == NULL) {
            orr_lua_error(L, "new: parent '%s' %s", lua_tostring(L, idx),
                          ambiguous ? "is ambiguous" : "not found");
        }
        return p;
    }
    return orr_lua_check_object(L, idx);
}

/* Protected part of orrery.new: 1 the new object's proxy, 2 the props
 * table. Sets each property. */
static int set_props(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);

    lua_pushnil(L);
    while (lua_next(L, 2) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            return orr_lua_error(L, "new: property names are strings, got %s",
                                 luaL_typename(L, -2));
        }
        const char *name = lua_tostring(L, -2);
        const OrrProperty *prop = orr_object_find_property(obj, name);
        OrrValue v = ORR_VALUE_INIT;
        GError *err = NULL;

        if (prop == NULL) {
            return orr_lua_error(L, "new: %s has no property '%s'",
                                 orr_object_get_type_name(obj), name);
        }
        orr_lua_to_value(L, -1, prop, &v);
        bool ok = orr_object_set(obj, name, &v, &err);
        orr_value_clear(&v);
        if (!ok) {
            return orr_lua_gerror(L, "new", err);
        }
        lua_pop(L, 1);
    }
    return 0;
}

/* orrery.new(typename, { parent =, name =, props = }) --> object.
 * Fails with nothing left behind: the object is released at once. */
static int l_new(lua_State *L)
{
    const char *type_name = orr_lua_check_string(L, 1);
    OrrObject *parent = NULL;
    const char *name = NULL;
    GError *err = NULL;

    lua_settop(L, 2); /* the proxy goes to 3, whatever was passed */
    if (!lua_isnil(L, 2)) {
        orr_lua_check_type(L, 2, LUA_TTABLE);
        lua_getfield(L, 2, "parent");
        if (!lua_isnil(L, -1)) {
            parent = check_parent(L, -1);
        }
        lua_getfield(L, 2, "name");
        if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING) {
            return orr_lua_error(L, "new: name must be a string");
        }
        name = lua_tostring(L, -1);
        lua_getfield(L, 2, "props");
        if (!lua_isnil(L, -1) && !lua_istable(L, -1)) {
            return orr_lua_error(L, "new: props must be a table");
        }
        lua_pop(L, 3);
    }
    if (parent != NULL && name == NULL) {
        return orr_lua_error(L, "new: a child needs a name");
    }

    OrrObject *obj = orr_object_new(type_name, &err);
    if (obj == NULL) {
        return orr_lua_gerror(L, "new", err);
    }
    orr_lua_push_object(L, obj); /* the proxy takes its own reference */
    int proxy = lua_gettop(L);
    orr_object_unref(obj);

    if (!lua_isnil(L, 2)) {
        lua_pushcfunction(L, set_props);
        lua_pushvalue(L, proxy);
        lua_getfield(L, 2, "props");
        if (lua_isnil(L, -1)) {
            lua_pop(L, 1);
            lua_newtable(L);
        }
        if (lua_pcall(L, 2, 0, 0) != 0) {
            orr_lua_release_proxy(L, proxy);
            return lua_error(L);
        }
    }
    if (parent != NULL &&
        orr_object_add_child(parent, name, obj, &err) == NULL) {
        orr_lua_release_proxy(L, proxy);
        return orr_lua_gerror(L, "new", err);
    }
    lua_settop(L, proxy);
    return 1;
}

/* orrery.resolve(path) --> object or nil, ambiguous */
static int l_resolve(lua_State *L)
{
    bool ambiguous = false;
    OrrObject *obj =
        orr_object_resolve_path(orr_lua_check_string(L, 1), NULL, &ambiguous);

    orr_lua_push_object(L, obj);
    lua_pushboolean(L, ambiguous);
    return 2;
}

/* --- Methods ------------------------------------------------------------- */

static int m_is_a(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);

    lua_pushboolean(L, orr_object_is_a(obj, orr_lua_check_string(L, 2)));
    return 1;
}

static int m_get(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    OrrValue v = ORR_VALUE_INIT;
    GError *err = NULL;

    if (!orr_object_get(obj, name, &v, &err)) {
        return orr_lua_gerror(L, "get", err);
    }
    orr_lua_push_value(L, &v);
    orr_value_clear(&v);
    return 1;
}

static int m_set(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    const OrrProperty *prop = orr_object_find_property(obj, name);
    OrrValue v = ORR_VALUE_INIT;
    GError *err = NULL;

    if (prop == NULL) {
        char *what = orr_object_describe(obj);
        lua_pushfstring(L, "orrery: set: %s '%s' has no property '%s'",
                        orr_object_get_type_name(obj), what, name);
        g_free(what);
        return lua_error(L);
    }
    orr_lua_check_any(L, 3);
    orr_lua_to_value(L, 3, prop, &v);
    bool ok = orr_object_set(obj, name, &v, &err);
    orr_value_clear(&v);
    if (!ok) {
        return orr_lua_gerror(L, "set", err);
    }
    return 0;
}

/* obj:props() --> list of { name, type, value } */
static int m_props(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    OrrPropertyIter it;
    const OrrProperty *prop;

    /* Names first: pushing values may run code that changes the table. */
    orr_property_iter_init(&it, obj);
    while ((prop = orr_property_iter_next(&it)) != NULL) {
        g_ptr_array_add(names, g_strdup(orr_property_get_name(prop)));
    }
    orr_property_iter_clear(&it);

    lua_createtable(L, (int)names->len, 0);
    for (guint i = 0; i < names->len; i++) {
        const char *name = names->pdata[i];
        OrrValue v = ORR_VALUE_INIT;

        prop = orr_object_find_property(obj, name);
        if (prop == NULL) {
            continue;
        }
        lua_createtable(L, 0, 3);
        lua_pushstring(L, name);
        lua_setfield(L, -2, "name");
        lua_pushstring(L, orr_property_get_type_name(prop));
        lua_setfield(L, -2, "type");
        if (orr_object_get(obj, name, &v, NULL)) {
            orr_lua_push_value(L, &v);
            orr_value_clear(&v);
            lua_setfield(L, -2, "value");
        }
        lua_rawseti(L, -2, (int)lua_objlen(L, -2) + 1);
    }
    g_ptr_array_unref(names);
    return 1;
}

static int m_child(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);

    orr_lua_push_object(L,
                        orr_object_get_child(obj, orr_lua_check_string(L, 2)));
    return 1;
}

static int m_children(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);
    GPtrArray *kids = orr_object_get_children(obj);

    lua_createtable(L, (int)kids->len, 0);
    for (guint i = 0; i < kids->len; i++) {
        orr_lua_push_object(L, kids->pdata[i]);
        lua_rawseti(L, -2, (int)i + 1);
    }
    g_ptr_array_unref(kids);
    return 1;
}

static int m_add_child(lua_State *L)
{
    OrrObject *parent = orr_lua_check_object(L, 1);
    const char *name = orr_lua_check_string(L, 2);
    OrrObject *child = orr_lua_check_object(L, 3);
    GError *err = NULL;
    const char *got = orr_object_add_child(parent, name, child, &err);

    if (got == NULL) {
        return orr_lua_gerror(L, "add_child", err);
    }
    lua_pushstring(L, got);
    return 1;
}

static int m_unparent(lua_State *L)
{
    orr_object_unparent(orr_lua_check_object(L, 1));
    return 0;
}

static int m_release(lua_State *L)
{
    orr_lua_release_proxy(L, 1);
    return 0;
}

static int m_realize(lua_State *L)
{
    OrrObject *obj = orr_lua_check_typed(L, 1, ORR_TYPE_DEVICE, "realize");
    GError *err = NULL;

    if (!orr_device_realize((OrrDevice *)obj, &err)) {
        return orr_lua_gerror(L, "realize", err);
    }
    return 0;
}

static int m_unrealize(lua_State *L)
{
    orr_device_unrealize(
        (OrrDevice *)orr_lua_check_typed(L, 1, ORR_TYPE_DEVICE, "unrealize"));
    return 0;
}

/* An optional line index argument (default 0). */
static guint opt_index(lua_State *L, int idx, const char *what)
{
    if (lua_isnoneornil(L, idx)) {
        return 0;
    }
    uint64_t i = orr_lua_check_u64(L, idx, what);
    if (i > G_MAXUINT) {
        return (guint)orr_lua_error(L, "%s: index out of range", what);
    }
    return (guint)i;
}

/* dev:connect(out, target, in, index): out may be "name" (line 0); use
 * connect_line for other output lines. */
static int m_connect(lua_State *L)
{
    OrrObject *src = orr_lua_check_typed(L, 1, ORR_TYPE_DEVICE, "connect");
    const char *out = orr_lua_check_string(L, 2);
    OrrObject *dst = orr_lua_check_typed(L, 3, ORR_TYPE_DEVICE, "connect");
    const char *in = orr_lua_check_string(L, 4);
    guint in_index = opt_index(L, 5, "connect");
    guint out_index = opt_index(L, 6, "connect");
    GError *err = NULL;

    if (!orr_device_connect_gpio((OrrDevice *)src, out, out_index,
                                 (OrrDevice *)dst, in, in_index, &err)) {
        return orr_lua_gerror(L, "connect", err);
    }
    return 0;
}

static int m_set_gpio(lua_State *L)
{
    OrrObject *dev = orr_lua_check_typed(L, 1, ORR_TYPE_DEVICE, "set_gpio");
    const char *out = orr_lua_check_string(L, 2);
    int level = lua_isboolean(L, 3)
                    ? lua_toboolean(L, 3)
                    : (int)orr_lua_check_i64(L, 3, "set_gpio: level");
    guint index = opt_index(L, 4, "set_gpio");
    GError *err = NULL;

    if (!orr_device_set_gpio((OrrDevice *)dev, out, index, level, &err)) {
        return orr_lua_gerror(L, "set_gpio", err);
    }
    return 0;
}

static const luaL_Reg object_methods[] = {
    {"is_a", m_is_a},
    {"get", m_get},
    {"set", m_set},
    {"props", m_props},
    {"child", m_child},
    {"children", m_children},
    {"add_child", m_add_child},
    {"unparent", m_unparent},
    {"release", m_release},
    {NULL, NULL},
};

static const luaL_Reg device_methods[] = {
    {"realize", m_realize}, {"unrealize", m_unrealize},
    {"connect", m_connect}, {"set_gpio", m_set_gpio},
    {NULL, NULL},
};

bool orr_lua_object_index(lua_State *L, int self, OrrObject *obj,
                          const char *key)
{
    bool device = orr_object_is_a(obj, ORR_TYPE_DEVICE);

    if (strcmp(key, "type") == 0) {
        lua_pushstring(L, orr_object_get_type_name(obj));
    } else if (strcmp(key, "name") == 0) {
        lua_pushstring(L, orr_object_get_name(obj)); /* nil if none */
    } else if (strcmp(key, "path") == 0) {
        char *path = orr_object_get_path(obj);
        lua_pushstring(L, path); /* nil outside the tree */
        g_free(path);
    } else if (strcmp(key, "parent") == 0) {
        orr_lua_push_object(L, orr_object_get_parent(obj));
    } else if (strcmp(key, "refcount") == 0) {
        lua_pushnumber(L, orr_object_get_refcount(obj));
    } else if (device && strcmp(key, "realized") == 0) {
        lua_pushboolean(L, orr_device_is_realized((OrrDevice *)obj));
    } else if (!orr_lua_push_method(L, object_methods, key) &&
               !(device && orr_lua_push_method(L, device_methods, key))) {
        return false;
    }
    return true;
}

static void add_table(const luaL_Reg *table, OrrLuaNameFn add, void *data)
{
    for (const luaL_Reg *r = table; r->name != NULL; r++) {
        add(r->name, data);
    }
}

void orr_lua_object_names(OrrObject *obj, OrrLuaNameFn add, void *data)
{
    static const char *const fields[] = {"type", "name", "path", "parent",
                                         "refcount"};

    for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
        add(fields[i], data);
    }
    add_table(object_methods, add, data);
    if (orr_object_is_a(obj, ORR_TYPE_DEVICE)) {
        add("realized", data);
        add_table(device_methods, add, data);
    }
}

void orr_lua_open_objects(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"new", l_new},
        {"resolve", l_resolve},
        {NULL, NULL},
    };

    luaL_register(L, NULL, fns);
    orr_lua_push_object(L, orr_root());
    lua_setfield(L, -2, "root");
}
