/*
 * orrery Lua binding — types defined in Lua: orrery.type{...}.
 *
 * A Lua type is a C type whose hooks are trampolines into the functions of
 * its spec table, which the binding keeps (LuaClass). Functions are class
 * level and called f(self, st, ...), st being the instance's state table.
 *
 * State: a table per instance, created before the first init runs, kept
 * in a registry table keyed by the object. When the object is unparented
 * the binding stops holding it strongly (it moves to a weak table): any
 * C <-> Lua cycle a script made by storing self in its own state is cut,
 * while a finalize hook can still see the state if nothing collected it.
 * At finalization it is dropped for good.
 *
 * Per-level hooks (init, finalize) are libffi closures bound to their
 * LuaClass, since the core calls each level's hook with the object alone.
 * Virtual hooks (realize, unrealize, unparent) share one trampoline that
 * finds the object's Lua classes from its type.
 */
#include <string.h>
#include "binding.h"

typedef struct LuaClass LuaClass;

struct LuaClass {
    char *name;
    lua_State *L;
    int spec_ref;     /* the spec table, in the registry */
    LuaClass *parent; /* the nearest Lua ancestor, or NULL */
    bool is_device;
    OrrClosure *init; /* void(obj), bound to this class */
    OrrClosure *finalize;
    /* The nearest C ancestor's hooks, which ours run first. */
    void (*base_unparent)(OrrObject *obj);
    bool (*base_realize)(OrrDevice *dev, GError **errp);
    void (*base_unrealize)(OrrDevice *dev);
};

/* Type name -> LuaClass*, for the process's life (types cannot be
 * unregistered). */
static GHashTable *lua_classes;

/* Registry keys: object -> state (strong), and after unparent (weak). */
static const char states_key = 's';
static const char weak_states_key = 'w';

/* --- Finding classes and state ------------------------------------------- */

/* The nearest Lua class of @type or its ancestors, or NULL. */
static LuaClass *lua_class_of_type(OrrType *type)
{
    for (; type != NULL && lua_classes != NULL;
         type = orr_type_get_parent(type)) {
        LuaClass *cls =
            g_hash_table_lookup(lua_classes, orr_type_get_name(type));
        if (cls != NULL) {
            return cls;
        }
    }
    return NULL;
}

static LuaClass *lua_class_of(OrrObject *obj)
{
    return lua_class_of_type(orr_object_get_type(obj));
}

bool orr_lua_is_lua_typed(OrrObject *obj)
{
    return lua_class_of(obj) != NULL;
}

/* Pushes the state of @obj (strong, else weak), or nil. */
void orr_lua_push_state(lua_State *L, OrrObject *obj)
{
    lua_pushlightuserdata(L, (void *)&states_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, obj);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (!lua_isnil(L, -1)) {
        return;
    }
    lua_pop(L, 1);
    lua_pushlightuserdata(L, (void *)&weak_states_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, obj);
    lua_rawget(L, -2);
    lua_remove(L, -2);
}

/* Sets states[@obj] (registry table @key) to the value at the top (popped). */
static void set_state(lua_State *L, const char *key, OrrObject *obj)
{
    lua_pushlightuserdata(L, (void *)key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, obj);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 2);
}

/* Pushes @cls's spec field @name; returns whether it is a function. */
static bool push_spec_function(lua_State *L, LuaClass *cls, const char *name)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, cls->spec_ref);
    lua_getfield(L, -1, name);
    lua_remove(L, -2);
    if (lua_isfunction(L, -1)) {
        return true;
    }
    lua_pop(L, 1);
    return false;
}

/* Calls the function below @nargs arguments (self first) under a
 * traceback. On error records "@hook <type> <path>: message" and, if
 * @errp, sets it. Returns whether it succeeded. */
static bool call_hook(lua_State *L, int nargs, const char *hook, OrrObject *obj,
                      GError **errp)
{
    int fn = lua_gettop(L) - nargs;

    orr_lua_push_traceback(L);
    lua_insert(L, fn);
    int rc = orr_lua_pcall_callback(L, nargs, 0, fn);
    lua_remove(L, fn);
    if (rc == 0) {
        return true;
    }
    char *path = orr_object_describe(obj);
    char *where =
        g_strdup_printf("%s %s %s", hook, orr_object_get_type_name(obj), path);
    if (errp != NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_FAILED, "%s",
                    lua_tostring(L, -1) ? lua_tostring(L, -1) : "error");
    }
    orr_lua_record_hook_error(L, where);
    g_free(where);
    g_free(path);
    return false;
}

/* Protected: pushes self (proxy of the object at upvalue-less arg 1). */
static int push_self_protected(lua_State *L)
{
    orr_lua_push_object(L, lua_touserdata(L, 1));
    return 1;
}

/* Pushes the proxy of @obj without raising; false (nothing pushed) if it
 * cannot be made. */
static bool push_self(lua_State *L, OrrObject *obj)
{
    lua_pushcfunction(L, push_self_protected);
    lua_pushlightuserdata(L, obj);
    if (lua_pcall(L, 1, 1, 0) != 0) {
        lua_pop(L, 1);
        return false;
    }
    return true;
}

/* --- Per-level hooks ------------------------------------------------------ */

static void init_handler(const OrrValue *args, guint nargs, OrrValue *ret,
                         void *data)
{
    LuaClass *cls = data;
    OrrObject *obj = args[0].o;
    lua_State *L = cls->L;

    if (!orr_lua_state_open()) {
        return;
    }
    if (cls->parent == NULL) { /* the first Lua level: a fresh state */
        lua_newtable(L);
        set_state(L, &states_key, obj);
    }
    if (!push_spec_function(L, cls, "init")) {
        return;
    }
    if (!push_self(L, obj)) {
        lua_pop(L, 1);
        return;
    }
    orr_lua_push_state(L, obj);
    call_hook(L, 2, "init", obj, NULL);
}

static void finalize_handler(const OrrValue *args, guint nargs, OrrValue *ret,
                             void *data)
{
    LuaClass *cls = data;
    OrrObject *obj = args[0].o;
    lua_State *L = cls->L;

    if (!orr_lua_state_open()) {
        return;
    }
    if (push_spec_function(L, cls, "finalize")) {
        orr_lua_push_borrowed(L, obj); /* no reference while finalizing */
        int self = lua_gettop(L);
        orr_lua_push_state(L, obj);
        lua_pushvalue(L, self);
        lua_remove(L, self);
        lua_insert(L, -2); /* fn, self, st */
        call_hook(L, 2, "finalize", obj, NULL);
        orr_lua_end_borrowed(obj);
    }
    if (cls->parent == NULL) { /* the last Lua level: drop the state */
        lua_pushnil(L);
        set_state(L, &states_key, obj);
        lua_pushnil(L);
        set_state(L, &weak_states_key, obj);
    }
}

/* --- Virtual hooks -------------------------------------------------------- */

static void lua_unparent(OrrObject *obj)
{
    LuaClass *cls = lua_class_of(obj);

    g_assert(cls != NULL);
    if (cls->base_unparent != NULL) {
        cls->base_unparent(obj);
    }
    if (!orr_lua_state_open()) {
        return;
    }
    lua_State *L = cls->L;

    /* Hold it weakly from now on: cycles through it can be collected. */
    lua_pushlightuserdata(L, (void *)&states_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, obj);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return;
    }
    set_state(L, &weak_states_key, obj);
    lua_pushnil(L);
    set_state(L, &states_key, obj);
}

/* Runs the Lua @hook of every Lua level of @obj, root first (or leaf first
 * with @leaf_first), stopping at the first failure. */
static bool run_levels(OrrObject *obj, const char *hook, bool leaf_first,
                       GError **errp)
{
    g_autoptr(GPtrArray) levels = g_ptr_array_new();

    for (LuaClass *c = lua_class_of(obj); c != NULL; c = c->parent) {
        g_ptr_array_add(levels, c);
    }
    for (guint k = 0; k < levels->len; k++) {
        LuaClass *c = levels->pdata[leaf_first ? k : levels->len - 1 - k];
        lua_State *L = c->L;

        if (!orr_lua_state_open() || !push_spec_function(L, c, hook)) {
            continue;
        }
        if (!push_self(L, obj)) {
            lua_pop(L, 1);
            continue;
        }
        orr_lua_push_state(L, obj);
        if (!call_hook(L, 2, hook, obj, errp)) {
            return false;
        }
    }
    return true;
}

static bool lua_realize(OrrDevice *dev, GError **errp)
{
    LuaClass *cls = lua_class_of((OrrObject *)dev);

    if (cls->base_realize != NULL && !cls->base_realize(dev, errp)) {
        return false;
    }
    return run_levels((OrrObject *)dev, "realize", false, errp);
}

static void lua_unrealize(OrrDevice *dev)
{
    LuaClass *cls = lua_class_of((OrrObject *)dev);
    OrrObject *obj = (OrrObject *)dev;

    /* The device is leaving the running machine, usually on its way out
     * of the tree: the proxies the hooks make of it and of what it owns
     * go when they return, so that they cannot keep it past its turn to
     * be finalized. */
    guint mark = orr_lua_proxy_log_begin();
    run_levels(obj, "unrealize", true, NULL);
    orr_lua_proxy_log_end(mark, obj);
    if (cls->base_unrealize != NULL) {
        cls->base_unrealize(dev);
    }
}

/* --- GPIO inputs ---------------------------------------------------------- */

typedef struct LuaGpio {
    LuaClass *cls;
    char *name;
} LuaGpio;

static void gpio_handler(OrrDevice *dev, guint index, int level, void *opaque)
{
    LuaGpio *g = opaque;
    lua_State *L = g->cls->L;
    OrrObject *obj = (OrrObject *)dev;

    if (!orr_lua_state_open()) {
        return;
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, g->cls->spec_ref);
    lua_getfield(L, -1, "gpio_in");
    lua_getfield(L, -1, g->name);
    lua_getfield(L, -1, "set");
    lua_replace(L, -4);
    lua_pop(L, 2);
    if (!lua_isfunction(L, -1) || !push_self(L, obj)) {
        lua_pop(L, 1);
        return;
    }
    orr_lua_push_state(L, obj);
    lua_pushnumber(L, index);
    lua_pushnumber(L, level);
    call_hook(L, 4, "gpio", obj, NULL);
}

/* --- Defining a type ------------------------------------------------------ */

/* A property of the spec, checked before the type is registered. */
typedef struct PropSpec {
    char *name;
    OrrPropType type;
    char **enum_values; /* ENUM */
    char *target;       /* LINK */
    OrrValue dflt;
} PropSpec;

typedef struct GpioSpec {
    char *name;
    guint count;
    bool is_input;
} GpioSpec;

/* An interface slot filled with a Lua function. */
typedef struct IfaceFill {
    LuaClass *cls;
    char *iface;
    char *slot;
    OrrClosure *closure; /* the slot's code, kept with the class */
} IfaceFill;

/* What class_init adds; owned by the LuaClass. */
typedef struct ClassParts {
    GArray *props;     /* PropSpec */
    GArray *gpios;     /* GpioSpec */
    GPtrArray *ifaces; /* char*, NULL-terminated once checked */
    GPtrArray *fills;  /* IfaceFill*, for the life of the process */
} ClassParts;

static GHashTable *class_parts; /* LuaClass* -> ClassParts* */

/* A C caller reached a slot filled by a Lua function: calls
 * spec.interfaces[iface][slot](self, st, args...) and returns its value.
 * Errors are recorded; the C caller then gets zero. */
static void iface_handler(const OrrValue *args, guint nargs, OrrValue *ret,
                          void *data)
{
    IfaceFill *f = data;
    lua_State *L = f->cls->L;
    OrrObject *obj = nargs > 0 ? args[0].o : NULL;

    if (obj == NULL || !orr_lua_state_open()) {
        return;
    }
    int top = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, f->cls->spec_ref);
    lua_getfield(L, -1, "interfaces");
    lua_getfield(L, -1, f->iface);
    lua_getfield(L, -1, f->slot);
    lua_replace(L, top + 1);
    lua_settop(L, top + 1);
    if (!lua_isfunction(L, -1) || !push_self(L, obj)) {
        lua_settop(L, top);
        return;
    }
    orr_lua_push_state(L, obj);
    for (guint i = 1; i < nargs; i++) {
        orr_lua_push_value(L, &args[i]);
    }
    orr_lua_push_traceback(L);
    lua_insert(L, top + 1);
    int rc = orr_lua_pcall_callback(L, (int)nargs + 1, 1, top + 1);
    if (rc != 0) {
        char *path = orr_object_describe(obj);
        char *where = g_strdup_printf("%s.%s %s %s", f->iface, f->slot,
                                      orr_object_get_type_name(obj), path);
        orr_lua_record_hook_error(L, where);
        g_free(where);
        g_free(path);
        lua_settop(L, top);
        return;
    }
    switch (lua_type(L, -1)) {
    case LUA_TBOOLEAN:
        orr_value_set_bool(ret, lua_toboolean(L, -1));
        break;
    case LUA_TNUMBER: {
        lua_Number n = lua_tonumber(L, -1);
        if (n == (lua_Number)(int64_t)n) {
            orr_value_set_int(ret, (int64_t)n);
        } else {
            orr_value_set_double(ret, n);
        }
        break;
    }
    case LUA_TSTRING:
        orr_value_set_string(ret, lua_tostring(L, -1));
        break;
    case LUA_TUSERDATA:
        orr_value_set_object(ret, orr_lua_to_object(L, -1)); /* or NULL */
        break;
    default:
        break; /* nil, or a type C cannot take: zero */
    }
    lua_settop(L, top);
}

static void lua_class_init(OrrObjectClass *klass, const void *data)
{
    LuaClass *cls = (LuaClass *)data;
    ClassParts *parts = g_hash_table_lookup(class_parts, cls);

    cls->base_unparent =
        cls->parent != NULL ? cls->parent->base_unparent : klass->unparent;
    klass->unparent = lua_unparent;
    if (cls->is_device) {
        OrrDeviceClass *dc = (OrrDeviceClass *)klass;
        cls->base_realize =
            cls->parent != NULL ? cls->parent->base_realize : dc->realize;
        cls->base_unrealize =
            cls->parent != NULL ? cls->parent->base_unrealize : dc->unrealize;
        dc->realize = lua_realize;
        dc->unrealize = lua_unrealize;
    }
    for (guint i = 0; parts != NULL && i < parts->props->len; i++) {
        PropSpec *p = &g_array_index(parts->props, PropSpec, i);
        GError *err = NULL;
        bool ok;

        if (p->type == ORR_PROP_LINK) {
            ok = orr_class_add_link(klass, p->name, p->target, 0, &err) != NULL;
        } else {
            OrrPropertyDef def = {
                .name = p->name,
                .type = p->type,
                .enum_values = (const char *const *)p->enum_values,
                .default_value = p->dflt,
            };
            ok = orr_class_add_property(klass, &def, &err) != NULL;
        }
        if (!ok) {
            g_warning("type %s: %s", cls->name, err->message);
            g_clear_error(&err);
        }
    }
    for (guint i = 0; parts != NULL && i < parts->fills->len; i++) {
        IfaceFill *f = parts->fills->pdata[i];
        const OrrInterfaceSlot *slot =
            orr_interface_find_slot(f->iface, f->slot);
        OrrInterfaceClass *ic = orr_class_get_interface(klass, f->iface);
        GError *err = NULL;
        OrrClosure *closure =
            slot && ic
                ? orr_closure_new(slot->signature, iface_handler, f, NULL, &err)
                : NULL;

        if (closure == NULL) {
            g_warning("type %s: slot %s.%s: %s", cls->name, f->iface, f->slot,
                      err ? err->message : "not found");
            g_clear_error(&err);
            continue;
        }
        /* The closure lives as long as the class: for the process. */
        g_assert(f->closure == NULL);
        f->closure = closure;
        *(OrrMethodFn *)((char *)ic + slot->offset) =
            orr_closure_get_code(closure);
    }
    for (guint i = 0; parts != NULL && i < parts->gpios->len; i++) {
        GpioSpec *g = &g_array_index(parts->gpios, GpioSpec, i);
        OrrDeviceClass *dc = (OrrDeviceClass *)klass;
        GError *err = NULL;
        bool ok;

        if (g->is_input) {
            LuaGpio *lg = g_new0(LuaGpio, 1); /* lives with the class */
            lg->cls = cls;
            lg->name = g_strdup(g->name);
            ok = orr_device_class_add_gpio_in(dc, g->name, g->count,
                                              gpio_handler, lg, &err);
        } else {
            ok = orr_device_class_add_gpio_out(dc, g->name, g->count, &err);
        }
        if (!ok) {
            g_warning("type %s: %s", cls->name, err->message);
            g_clear_error(&err);
        }
    }
}

static const char *const prop_type_names[] = {
    [ORR_PROP_BOOL] = "bool", [ORR_PROP_INT] = "int",
    [ORR_PROP_UINT] = "uint", [ORR_PROP_STRING] = "string",
    [ORR_PROP_ENUM] = "enum", [ORR_PROP_LINK] = "link",
};

/* Reads spec.props (at @idx) into @parts; raises on anything wrong. The
 * values already read are freed by the caller's cleanup on error. */
static void parse_props(lua_State *L, int idx, const char *type_name,
                        ClassParts *parts)
{
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        PropSpec p = {0};
        const char *kind;
        int spec = lua_gettop(L);

        if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1)) {
            orr_lua_error(L, "type %s: props are name = { type = ... }",
                          type_name);
        }
        lua_getfield(L, spec, "type");
        kind = lua_tostring(L, -1);
        p.type = (OrrPropType)-1;
        for (guint k = 0; kind && k < G_N_ELEMENTS(prop_type_names); k++) {
            if (prop_type_names[k] && strcmp(kind, prop_type_names[k]) == 0) {
                p.type = (OrrPropType)k;
            }
        }
        if (p.type == (OrrPropType)-1) {
            orr_lua_error(L,
                          "type %s: property '%s' has type '%s' (bool, int, "
                          "uint, string, enum or link)",
                          type_name, lua_tostring(L, -3), kind ? kind : "nil");
        }
        lua_pop(L, 1);
        p.name = g_strdup(lua_tostring(L, -2));
        g_array_append_val(parts->props, p); /* freed with @parts */
        PropSpec *pp =
            &g_array_index(parts->props, PropSpec, parts->props->len - 1);
        if (pp->type == ORR_PROP_ENUM) {
            lua_getfield(L, spec, "values");
            if (!lua_istable(L, -1) || lua_objlen(L, -1) == 0) {
                orr_lua_error(L, "type %s: enum '%s' needs values = {...}",
                              type_name, pp->name);
            }
            int n = (int)lua_objlen(L, -1);
            pp->enum_values = g_new0(char *, n + 1);
            for (int i = 0; i < n; i++) {
                lua_rawgeti(L, -1, i + 1);
                if (lua_type(L, -1) != LUA_TSTRING) {
                    orr_lua_error(L, "type %s: enum '%s' values are strings",
                                  type_name, pp->name);
                }
                pp->enum_values[i] = g_strdup(lua_tostring(L, -1));
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        } else if (pp->type == ORR_PROP_LINK) {
            lua_getfield(L, spec, "target");
            if (lua_type(L, -1) != LUA_TSTRING ||
                orr_type_lookup(lua_tostring(L, -1)) == NULL) {
                orr_lua_error(L,
                              "type %s: link '%s' needs an existing target "
                              "type",
                              type_name, pp->name);
            }
            pp->target = g_strdup(lua_tostring(L, -1));
            lua_pop(L, 1);
        }
        lua_getfield(L, spec, "default");
        if (!lua_isnil(L, -1)) {
            switch (pp->type) {
            case ORR_PROP_BOOL:
                if (!lua_isboolean(L, -1)) {
                    orr_lua_error(L,
                                  "type %s: default of '%s' is not a "
                                  "boolean",
                                  type_name, pp->name);
                }
                orr_value_set_bool(&pp->dflt, lua_toboolean(L, -1));
                break;
            case ORR_PROP_INT:
                orr_value_set_int(&pp->dflt,
                                  orr_lua_check_i64(L, -1, pp->name));
                break;
            case ORR_PROP_UINT:
                orr_value_set_uint(&pp->dflt,
                                   orr_lua_check_u64(L, -1, pp->name));
                break;
            case ORR_PROP_STRING:
            case ORR_PROP_ENUM:
                if (lua_type(L, -1) != LUA_TSTRING) {
                    orr_lua_error(L,
                                  "type %s: default of '%s' is not a "
                                  "string",
                                  type_name, pp->name);
                }
                orr_value_set_string(&pp->dflt, lua_tostring(L, -1));
                break;
            default:
                orr_lua_error(L, "type %s: a link has no default", type_name);
            }
        }
        lua_settop(L, spec - 1); /* keep the key */
    }
}

/* Reads spec.gpio_in / spec.gpio_out into @parts. */
static void parse_gpios(lua_State *L, int spec, const char *type_name,
                        ClassParts *parts)
{
    lua_getfield(L, spec, "gpio_in");
    if (lua_istable(L, -1)) {
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            GpioSpec g = {.is_input = true, .count = 1};
            if (lua_type(L, -2) != LUA_TSTRING || !lua_istable(L, -1)) {
                orr_lua_error(L,
                              "type %s: gpio_in is name = { count = n, set "
                              "= function }",
                              type_name);
            }
            lua_getfield(L, -1, "count");
            if (!lua_isnil(L, -1)) {
                g.count = (guint)orr_lua_check_u64(L, -1, "gpio_in count");
            }
            lua_getfield(L, -2, "set");
            if (!lua_isfunction(L, -1)) {
                orr_lua_error(L, "type %s: gpio_in '%s' needs set = function",
                              type_name, lua_tostring(L, -4));
            }
            lua_pop(L, 2);
            g.name = g_strdup(lua_tostring(L, -2));
            g_array_append_val(parts->gpios, g);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        orr_lua_error(L, "type %s: gpio_in must be a table", type_name);
    }
    lua_pop(L, 1);
    lua_getfield(L, spec, "gpio_out");
    if (lua_istable(L, -1)) {
        for (int i = 1; i <= (int)lua_objlen(L, -1); i++) {
            lua_rawgeti(L, -1, i);
            if (lua_type(L, -1) != LUA_TSTRING) {
                orr_lua_error(L, "type %s: gpio_out is a list of names",
                              type_name);
            }
            GpioSpec g = {.name = g_strdup(lua_tostring(L, -1)), .count = 1};
            g_array_append_val(parts->gpios, g);
            lua_pop(L, 1);
        }
    } else if (!lua_isnil(L, -1)) {
        orr_lua_error(L, "type %s: gpio_out must be a list", type_name);
    }
    lua_pop(L, 1);
}

static void prop_spec_clear(gpointer data)
{
    PropSpec *p = data;

    g_free(p->name);
    g_strfreev(p->enum_values);
    g_free(p->target);
    orr_value_clear(&p->dflt);
}

static void gpio_spec_clear(gpointer data)
{
    g_free(((GpioSpec *)data)->name);
}

static ClassParts *class_parts_new(void)
{
    ClassParts *parts = g_new0(ClassParts, 1);

    parts->props = g_array_new(FALSE, TRUE, sizeof(PropSpec));
    g_array_set_clear_func(parts->props, prop_spec_clear);
    parts->gpios = g_array_new(FALSE, TRUE, sizeof(GpioSpec));
    g_array_set_clear_func(parts->gpios, gpio_spec_clear);
    parts->ifaces = g_ptr_array_new_with_free_func(g_free);
    parts->fills = g_ptr_array_new();
    return parts;
}

static void iface_fill_free(gpointer data)
{
    IfaceFill *f = data;

    g_free(f->iface);
    g_free(f->slot);
    g_free(f);
}

static void class_parts_free(ClassParts *parts)
{
    g_array_unref(parts->props);
    g_array_unref(parts->gpios);
    g_ptr_array_unref(parts->ifaces);
    g_ptr_array_set_free_func(parts->fills, iface_fill_free);
    g_ptr_array_unref(parts->fills);
    g_free(parts);
}

/* Reads spec.interfaces (at @idx): { iface = { slot = function } }. */
static void parse_interfaces(lua_State *L, int idx, const char *type_name,
                             ClassParts *parts)
{
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        const char *iface = lua_tostring(L, -2);
        OrrType *t =
            lua_type(L, -2) == LUA_TSTRING ? orr_type_lookup(iface) : NULL;

        if (t == NULL || !orr_type_is_a(t, ORR_TYPE_INTERFACE) ||
            !lua_istable(L, -1)) {
            orr_lua_error(L,
                          "type %s: interfaces are iface = { slot = "
                          "function }, with registered interface names",
                          type_name);
        }
        g_ptr_array_add(parts->ifaces, g_strdup(iface));
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            const char *slot = lua_tostring(L, -2);
            if (lua_type(L, -2) != LUA_TSTRING || !lua_isfunction(L, -1) ||
                orr_interface_find_slot(iface, slot) == NULL) {
                orr_lua_error(L, "type %s: interface %s has no slot '%s'",
                              type_name, iface,
                              lua_type(L, -2) == LUA_TSTRING ? slot : "?");
            }
            IfaceFill *f = g_new0(IfaceFill, 1);
            f->iface = g_strdup(iface);
            f->slot = g_strdup(slot);
            g_ptr_array_add(parts->fills, f);
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
    }
}

/* Protected part of orrery.type: checks the spec (1) and fills the parts
 * (lightuserdata 2); raises on anything wrong. */
static int check_spec(lua_State *L)
{
    ClassParts *parts = lua_touserdata(L, 2);
    static const char *const hooks[] = {"init", "realize", "unrealize",
                                        "finalize"};

    lua_getfield(L, 1, "name");
    const char *name = lua_tostring(L, -1);
    lua_getfield(L, 1, "parent");
    const char *parent =
        lua_isnil(L, -1) ? ORR_TYPE_OBJECT : lua_tostring(L, -1);
    OrrType *ptype = parent ? orr_type_lookup(parent) : NULL;

    if (ptype == NULL) {
        return orr_lua_error(L, "type %s: parent type '%s' does not exist",
                             name, parent ? parent : "?");
    }
    bool device = orr_type_is_a(ptype, ORR_TYPE_DEVICE);
    for (guint i = 0; i < G_N_ELEMENTS(hooks); i++) {
        lua_getfield(L, 1, hooks[i]);
        if (!lua_isnil(L, -1) && !lua_isfunction(L, -1)) {
            return orr_lua_error(L, "type %s: %s must be a function", name,
                                 hooks[i]);
        }
        if (!lua_isnil(L, -1) && !device &&
            (strcmp(hooks[i], "realize") == 0 ||
             strcmp(hooks[i], "unrealize") == 0)) {
            return orr_lua_error(L, "type %s: %s needs a device parent", name,
                                 hooks[i]);
        }
        lua_pop(L, 1);
    }
    lua_getfield(L, 1, "methods");
    if (!lua_isnil(L, -1)) {
        if (!lua_istable(L, -1)) {
            return orr_lua_error(L, "type %s: methods must be a table", name);
        }
        lua_pushnil(L);
        while (lua_next(L, -2) != 0) {
            if (lua_type(L, -2) != LUA_TSTRING || !lua_isfunction(L, -1)) {
                return orr_lua_error(L, "type %s: methods are name = function",
                                     name);
            }
            lua_pop(L, 1);
        }
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "props");
    if (!lua_isnil(L, -1)) {
        if (!lua_istable(L, -1)) {
            return orr_lua_error(L, "type %s: props must be a table", name);
        }
        parse_props(L, lua_gettop(L), name, parts);
    }
    lua_pop(L, 1);
    lua_getfield(L, 1, "interfaces");
    if (!lua_isnil(L, -1)) {
        if (!lua_istable(L, -1)) {
            return orr_lua_error(L, "type %s: interfaces must be a table",
                                 name);
        }
        parse_interfaces(L, lua_gettop(L), name, parts);
    }
    lua_pop(L, 1);
    if (!device) {
        lua_getfield(L, 1, "gpio_in");
        lua_getfield(L, 1, "gpio_out");
        if (!lua_isnil(L, -1) || !lua_isnil(L, -2)) {
            return orr_lua_error(L, "type %s: GPIO lines need a device parent",
                                 name);
        }
        lua_pop(L, 2);
    } else {
        parse_gpios(L, 1, name, parts);
    }
    return 0;
}

/* orrery.type{ name =, parent =, abstract =, props =, init =, realize =,
 * unrealize =, finalize =, methods =, gpio_in =, gpio_out = } */
static int l_type(lua_State *L)
{
    orr_lua_check_type(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_getfield(L, 1, "name");
    if (lua_type(L, -1) != LUA_TSTRING) {
        return orr_lua_error(L, "type: name must be a string");
    }
    const char *name = lua_tostring(L, -1);
    if (orr_type_lookup(name) != NULL) {
        return orr_lua_error(L, "type %s: a type of that name exists", name);
    }

    ClassParts *parts = class_parts_new();
    lua_pushcfunction(L, check_spec);
    lua_pushvalue(L, 1);
    lua_pushlightuserdata(L, parts);
    if (lua_pcall(L, 2, 0, 0) != 0) {
        class_parts_free(parts);
        return lua_error(L);
    }

    LuaClass *cls = g_new0(LuaClass, 1);
    GError *err = NULL;

    lua_getfield(L, 1, "parent");
    const char *parent =
        lua_isnil(L, -1) ? ORR_TYPE_OBJECT : lua_tostring(L, -1);
    cls->name = g_strdup(name);
    cls->L = orr_lua_callback_state(); /* never a coroutine */
    cls->parent = lua_class_of_type(orr_type_lookup(parent));
    cls->is_device = orr_type_is_a(orr_type_lookup(parent), ORR_TYPE_DEVICE);
    cls->init = orr_closure_new("void(obj)", init_handler, cls, NULL, &err);
    cls->finalize =
        orr_closure_new("void(obj)", finalize_handler, cls, NULL, NULL);
    lua_getfield(L, 1, "abstract");
    OrrTypeInfo info = {
        .name = name,
        .parent = parent,
        .abstract = lua_toboolean(L, -1),
        .class_init = lua_class_init,
        .class_data = cls,
        .instance_init =
            cls->init ? (OrrInstanceFn)orr_closure_get_code(cls->init) : NULL,
        .instance_finalize =
            cls->finalize ? (OrrInstanceFn)orr_closure_get_code(cls->finalize)
                          : NULL,
    };
    lua_pop(L, 2);
    if (parts->ifaces->len > 0) {
        g_ptr_array_add(parts->ifaces, NULL); /* NULL-terminated */
        info.interfaces = (const char *const *)parts->ifaces->pdata;
    }
    for (guint i = 0; i < parts->fills->len; i++) {
        ((IfaceFill *)parts->fills->pdata[i])->cls = cls;
    }

    if (cls->init == NULL || cls->finalize == NULL) {
        return orr_lua_gerror(L, "type", err); /* cannot happen: fixed sig */
    }
    lua_pushvalue(L, 1);
    cls->spec_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    if (class_parts == NULL) {
        class_parts = g_hash_table_new(NULL, NULL);
        lua_classes = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_hash_table_insert(class_parts, cls, parts);
    g_hash_table_insert(lua_classes, cls->name, cls);
    if (orr_type_register(&info, &err) == NULL) {
        g_hash_table_remove(lua_classes, cls->name);
        g_hash_table_remove(class_parts, cls);
        class_parts_free(parts);
        luaL_unref(L, LUA_REGISTRYINDEX, cls->spec_ref);
        orr_closure_free(cls->init);
        orr_closure_free(cls->finalize);
        g_free(cls->name);
        g_free(cls);
        return orr_lua_gerror(L, "type", err);
    }
    return 0;
}

/* --- Methods -------------------------------------------------------------- */

/* obj:method(...): upvalue 1 is the function; calls f(self, st, ...). */
static int call_method(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);
    int nargs = lua_gettop(L);

    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, 1);
    orr_lua_push_state(L, obj);
    for (int i = 2; i <= nargs; i++) {
        lua_pushvalue(L, i);
    }
    lua_call(L, nargs + 1, LUA_MULTRET);
    return lua_gettop(L) - nargs;
}

bool orr_lua_type_index(lua_State *L, int self, OrrObject *obj, const char *key)
{
    for (LuaClass *c = lua_class_of(obj); c != NULL; c = c->parent) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->spec_ref);
        lua_getfield(L, -1, "methods");
        if (lua_istable(L, -1)) {
            lua_getfield(L, -1, key);
            if (lua_isfunction(L, -1)) {
                lua_pushcclosure(L, call_method, 1);
                lua_replace(L, -3);
                lua_pop(L, 1);
                return true;
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 2);
    }
    return false;
}

void orr_lua_type_names(lua_State *L, OrrObject *obj, OrrLuaNameFn add,
                        void *data)
{
    for (LuaClass *c = lua_class_of(obj); c != NULL; c = c->parent) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->spec_ref);
        lua_getfield(L, -1, "methods");
        if (lua_istable(L, -1)) {
            lua_pushnil(L);
            while (lua_next(L, -2) != 0) {
                lua_pop(L, 1);
                if (lua_type(L, -1) == LUA_TSTRING) {
                    add(lua_tostring(L, -1), data);
                }
            }
        }
        lua_pop(L, 2);
    }
}

/* --- Listing types -------------------------------------------------------- */

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(orr_type_get_name(*(OrrType *const *)a),
                  orr_type_get_name(*(OrrType *const *)b));
}

/* orrery.types([parent]) --> sorted list of type names */
static int l_types(lua_State *L)
{
    const char *below = orr_lua_opt_string(L, 1, NULL);

    if (below != NULL && orr_type_lookup(below) == NULL) {
        return orr_lua_error(L, "types: no type '%s'", below);
    }
    GPtrArray *types = orr_type_list(below, true);
    g_ptr_array_sort(types, compare_names);
    lua_createtable(L, (int)types->len, 0);
    for (guint i = 0; i < types->len; i++) {
        lua_pushstring(L, orr_type_get_name(types->pdata[i]));
        lua_rawseti(L, -2, (int)i + 1);
    }
    g_ptr_array_unref(types);
    return 1;
}

/* orrery.type_info(name) --> { name, parent, abstract, props, methods } */
static int l_type_info(lua_State *L)
{
    const char *name = orr_lua_check_string(L, 1);
    OrrType *type = orr_type_lookup(name);

    if (type == NULL) {
        return orr_lua_error(L, "type_info: no type '%s'", name);
    }
    lua_createtable(L, 0, 5);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "name");
    if (orr_type_get_parent(type) != NULL) {
        lua_pushstring(L, orr_type_get_name(orr_type_get_parent(type)));
        lua_setfield(L, -2, "parent");
    }
    lua_pushboolean(L, orr_type_is_abstract(type));
    lua_setfield(L, -2, "abstract");

    OrrObjectClass *klass = orr_type_get_class(type);
    OrrPropertyIter it;
    const OrrProperty *prop;
    lua_newtable(L);
    orr_class_property_iter_init(&it, klass);
    while ((prop = orr_property_iter_next(&it)) != NULL) {
        lua_createtable(L, 0, 2);
        lua_pushstring(L, orr_property_get_name(prop));
        lua_setfield(L, -2, "name");
        lua_pushstring(L, orr_property_get_type_name(prop));
        lua_setfield(L, -2, "type");
        lua_rawseti(L, -2, (int)lua_objlen(L, -2) + 1);
    }
    orr_property_iter_clear(&it);
    lua_setfield(L, -2, "props");

    GPtrArray *methods = orr_class_list_methods(klass);
    lua_createtable(L, (int)methods->len, 0);
    for (guint i = 0; i < methods->len; i++) {
        const OrrMethod *m = methods->pdata[i];
        lua_pushfstring(L, "%s %s", orr_method_get_name(m),
                        orr_method_get_signature(m));
        lua_rawseti(L, -2, (int)i + 1);
    }
    g_ptr_array_unref(methods);
    LuaClass *cls = lua_class_of_type(type);
    for (LuaClass *c = cls; c != NULL; c = c->parent) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, c->spec_ref);
        lua_getfield(L, -1, "methods");
        if (lua_istable(L, -1)) {
            lua_pushnil(L);
            while (lua_next(L, -2) != 0) {
                lua_pop(L, 1);
                lua_pushvalue(L, -1);
                lua_rawseti(L, -5, (int)lua_objlen(L, -5) + 1);
            }
        }
        lua_pop(L, 2);
    }
    lua_setfield(L, -2, "methods");
    return 1;
}

void orr_lua_drop_states(lua_State *L)
{
    lua_pushlightuserdata(L, (void *)&states_key);
    lua_newtable(L);
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, (void *)&weak_states_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) { /* clearing existing fields is allowed */
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_pushnil(L);
        lua_rawset(L, -4);
    }
    lua_pop(L, 1);
}

void orr_lua_open_types(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"type", l_type},
        {"types", l_types},
        {"type_info", l_type_info},
        {NULL, NULL},
    };

    lua_pushlightuserdata(L, (void *)&states_key);
    lua_newtable(L);
    lua_rawset(L, LUA_REGISTRYINDEX);
    lua_pushlightuserdata(L, (void *)&weak_states_key);
    orr_lua_new_weak_table(L, "v");
    lua_rawset(L, LUA_REGISTRYINDEX);
    luaL_register(L, NULL, fns);
}
