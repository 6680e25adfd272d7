/*
 * orrery Lua binding — proxies: one userdata per live object, each holding
 * one reference on the object's lifetime unit (%ORR_HOLDER_LUA).
 *
 * A proxy points at a small C record, its link, rather than holding the
 * object itself, so that the two sides can part in either order:
 *
 *  - the userdata is collected: __gc marks the link and queues its
 *    reference; orr_lua_drain() releases it at the next safe point and
 *    frees the link. __gc runs no object-model code;
 *  - the script calls obj:release(): the reference goes at once and the
 *    proxy answers every later use with "released object";
 *  - the object itself is finalized while its unit lives on (a region
 *    destroyed while the proxy holds its owner): a weak reference tells the
 *    link, the proxy answers "finalized object", and the reference on the
 *    unit is queued.
 *
 * Identity: a weak-valued table in the registry maps each object's address
 * to its live proxy, so the same object always gives the same userdata.
 */
#include "binding.h"

static const OrrHolder lua_holder = {.kind = ORR_HOLDER_LUA};

/* Registry keys (their addresses). */
static const char meta_key = 'm';
static const char fast_key = 'f'; /* kind -> { name -> C function } */

/* What a proxy of @obj answers to, beyond what every object has. */
static uint32_t kind_of(OrrObject *obj)
{
    return orr_object_is_a(obj, ORR_TYPE_ADDRESS_SPACE) ? ORR_LUA_KIND_SPACE
                                                        : ORR_LUA_KIND_OBJECT;
}

typedef struct ProxyLink {
    /* NOREF: NULL once released or finalized. First: the FFI reads it
     * (struct orrery_proxy_link in index_chunk). */
    OrrObject *obj;
    OrrObject *unit; /* the unit our reference is on, NULL once released */
    guint weak_id;   /* on @obj when it is not its own unit, else 0 */
    bool finalized;  /* @obj was finalized before we let go */
    bool collected;  /* the userdata is gone: free the link once released */
    bool queued;     /* in the release queue */
    bool logged;     /* in the creation log: freed by the log's end */
} ProxyLink;

/* The userdata. Its layout is also declared to LuaJIT's FFI as
 * `struct orrery_proxy_head` (see index_chunk), which reads @kind. */
typedef struct Proxy {
    ProxyLink *link; /* owned, unless collected and still queued */
    uint32_t kind;   /* OrrLuaKind of the object, fixed at creation */
} Proxy;
G_STATIC_ASSERT(offsetof(Proxy, kind) == sizeof(void *));
G_STATIC_ASSERT(offsetof(ProxyLink, obj) == 0);

static GPtrArray *release_queue; /* ProxyLink*, to release at a safe point */

/* Links made while a teardown hook runs (see orr_lua_proxy_log_begin()),
 * oldest first; NULL when no log is open. */
static GPtrArray *creation_log;
static guint log_depth;

/* Frees @link if nothing refers to it any more: its userdata is gone, it
 * is out of the release queue and out of the creation log, and it holds
 * no object (a borrowed link in use has an object but no unit). */
static void maybe_free_link(ProxyLink *link)
{
    if (link->collected && !link->queued && !link->logged &&
        link->unit == NULL && link->obj == NULL) {
        g_free(link);
    }
}

static void queue_release(ProxyLink *link)
{
    if (link->queued) {
        return;
    }
    if (release_queue == NULL) {
        release_queue = g_ptr_array_new();
    }
    link->queued = true;
    g_ptr_array_add(release_queue, link);
}

/* Drops the link's reference, if it still has one. May run any
 * finalizer. */
static void release_link(ProxyLink *link)
{
    OrrObject *unit = link->unit;

    if (unit == NULL) {
        return;
    }
    if (link->weak_id != 0 && link->obj != NULL) {
        orr_object_weak_unref(link->obj, link->weak_id);
    }
    link->weak_id = 0;
    link->obj = NULL;
    link->unit = NULL;
    orr_object_unref_held(unit, &lua_holder);
}

/* Lua functions called back from C that are running (hooks, MMIO ops,
 * listeners): the core may be dispatching or iterating below them. */
guint orr_lua__callback_depth;

int orr_lua_pcall_callback(lua_State *L, int nargs, int nresults, int errfunc)
{
    orr_lua__callback_depth++;
    int rc = lua_pcall(L, nargs, nresults, errfunc);
    g_assert(orr_lua__callback_depth > 0);
    orr_lua__callback_depth--;
    return rc;
}

guint orr_lua_drain(void)
{
    guint n = 0;

    /* Not a safe point: the queue waits for the next one. */
    if (orr_lua__callback_depth > 0) {
        return 0;
    }

    /* Releasing may finalize objects whose proxies then queue more. */
    while (release_queue != NULL && release_queue->len > 0) {
        ProxyLink *link = g_ptr_array_steal_index(release_queue, 0);

        link->queued = false;
        release_link(link);
        maybe_free_link(link);
        n++;
    }
    return n;
}

/* The object behind a proxy was finalized while its unit lives on. Runs
 * inside the core's finalization: only our own records are touched. */
static void link_object_died(OrrObject *obj, void *data)
{
    ProxyLink *link = data;

    g_assert(link->obj == obj);
    link->obj = NULL;
    link->weak_id = 0;
    link->finalized = true;
    queue_release(link);
}

static int proxy_gc(lua_State *L)
{
    Proxy *p = lua_touserdata(L, 1);
    ProxyLink *link = p->link;

    p->link = NULL;
    if (link == NULL) {
        return 0;
    }
    link->collected = true;
    if (link->unit != NULL) {
        queue_release(link); /* released, then freed, by orr_lua_drain() */
    } else {
        maybe_free_link(link);
    }
    return 0;
}

/* --- Pushing and checking ------------------------------------------------ */

/* Registry reference of the cache in the current state (an integer key:
 * the registry's array part is the quickest lookup there is). */
static int cache_ref = LUA_NOREF;

static void push_cache(lua_State *L)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, cache_ref);
}

void orr_lua_push_object(lua_State *L, OrrObject *obj)
{
    if (obj == NULL) {
        lua_pushnil(L);
        return;
    }
    if (orr_lua_in_finalize_hook()) {
        orr_lua_error(L, "objects cannot be used inside an on_finalize "
                         "function (it may only record what it is given)");
    }
    push_cache(L);
    lua_pushlightuserdata(L, obj);
    lua_rawget(L, -2);
    if (!lua_isnil(L, -1)) {
        Proxy *p = lua_touserdata(L, -1);
        if (p->link != NULL && p->link->obj == obj) {
            lua_remove(L, -2); /* the cache */
            return;
        }
    }
    lua_pop(L, 1);

    OrrObject *unit = orr_object_get_lifetime_unit(obj);
    GError *err = NULL;

    if (!orr_object_try_ref_held(unit, &lua_holder, &err)) {
        lua_pop(L, 1);
        orr_lua_gerror(L, "object", err);
    }

    ProxyLink *link = g_new0(ProxyLink, 1);
    link->obj = obj;
    link->unit = unit;
    if (unit != obj) {
        link->weak_id = orr_object_weak_ref(obj, link_object_died, link);
    }
    if (log_depth > 0) {
        link->logged = true;
        g_ptr_array_add(creation_log, link);
    }

    Proxy *p = lua_newuserdata(L, sizeof(Proxy));
    p->link = link;
    p->kind = kind_of(obj);
    lua_pushlightuserdata(L, (void *)&meta_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_setmetatable(L, -2);

    lua_pushlightuserdata(L, obj);
    lua_pushvalue(L, -2);
    lua_rawset(L, -4); /* cache[obj] = proxy */
    lua_remove(L, -2); /* the cache */
}

/* The borrowed links in use, innermost last. */
static GPtrArray *borrowed;

void orr_lua_push_borrowed(lua_State *L, OrrObject *obj)
{
    ProxyLink *link = g_new0(ProxyLink, 1);

    link->obj = obj; /* no reference: the object is finalizing */
    Proxy *p = lua_newuserdata(L, sizeof(Proxy));
    p->link = link;
    p->kind = kind_of(obj);
    lua_pushlightuserdata(L, (void *)&meta_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_setmetatable(L, -2);
    push_cache(L); /* found again by code that asks for @obj meanwhile */
    lua_pushlightuserdata(L, obj);
    lua_pushvalue(L, -3);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    if (borrowed == NULL) {
        borrowed = g_ptr_array_new();
    }
    g_ptr_array_add(borrowed, link);
}

void orr_lua_end_borrowed(OrrObject *obj)
{
    g_assert(borrowed != NULL && borrowed->len > 0);
    ProxyLink *link = g_ptr_array_steal_index(borrowed, borrowed->len - 1);

    g_assert(link->obj == obj);
    link->obj = NULL;
    link->finalized = true;
    maybe_free_link(link);
}

bool orr_lua_push_cached(lua_State *L, OrrObject *obj)
{
    push_cache(L);
    lua_pushlightuserdata(L, obj);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    if (!lua_isnil(L, -1)) {
        Proxy *p = lua_touserdata(L, -1);
        if (p->link != NULL && p->link->obj == obj) {
            return true;
        }
    }
    lua_pop(L, 1);
    return false;
}

/* Registry reference of the slots table (weak values): slot -> the
 * proxy last pushed through it, or false. */
static int slots_ref = LUA_NOREF;

int orr_lua_slot_new(lua_State *L)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, slots_ref);
    lua_pushboolean(L, false);
    int slot = luaL_ref(L, -2);
    lua_pop(L, 1);
    return slot;
}

void orr_lua_slot_free(lua_State *L, int slot)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, slots_ref);
    luaL_unref(L, -1, slot);
    lua_pop(L, 1);
}

void orr_lua_push_slots(lua_State *L)
{
    lua_rawgeti(L, LUA_REGISTRYINDEX, slots_ref);
}

bool orr_lua_push_cached_slot(lua_State *L, int slots, int slot, OrrObject *obj)
{
    if (slots == 0) {
        lua_rawgeti(L, LUA_REGISTRYINDEX, slots_ref);
    } else {
        lua_pushvalue(L, slots);
    }
    lua_rawgeti(L, -1, slot);
    /* Only proxies (or false) are stored in the slots. */
    Proxy *p = lua_touserdata(L, -1);
    if (p != NULL && p->link != NULL && p->link->obj == obj) {
        lua_replace(L, -2);
        return true;
    }
    lua_pop(L, 1);
    if (!orr_lua_push_cached(L, obj)) {
        lua_pop(L, 1);
        return false;
    }
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, slot);
    lua_replace(L, -2);
    return true;
}

bool orr_lua_is_proxy(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx)) {
        return false;
    }
    lua_pushlightuserdata(L, (void *)&meta_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    bool same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

static ProxyLink *check_link(lua_State *L, int idx)
{
    if (!orr_lua_is_proxy(L, idx)) {
        orr_lua_error(L, "expected an object, got %s", luaL_typename(L, idx));
    }
    ProxyLink *link = ((Proxy *)lua_touserdata(L, idx))->link;
    g_assert(link != NULL); /* only __gc clears it */
    return link;
}

OrrObject *orr_lua_check_object(lua_State *L, int idx)
{
    ProxyLink *link = check_link(L, idx);

    if (link->finalized) {
        orr_lua_error(L, "finalized object");
    }
    if (link->obj == NULL) {
        orr_lua_error(L, "released object");
    }
    return link->obj;
}

OrrObject *orr_lua_to_object(lua_State *L, int idx)
{
    if (!orr_lua_is_proxy(L, idx)) {
        return NULL;
    }
    return ((Proxy *)lua_touserdata(L, idx))->link->obj;
}

OrrObject *orr_lua_opt_object(lua_State *L, int idx)
{
    return lua_isnoneornil(L, idx) ? NULL : orr_lua_check_object(L, idx);
}

OrrObject *orr_lua_check_typed(lua_State *L, int idx, const char *type_name,
                               const char *what)
{
    if (!orr_lua_is_proxy(L, idx)) {
        orr_lua_error(L, "%s: expected a %s object, got %s", what, type_name,
                      luaL_typename(L, idx));
    }
    OrrObject *obj = orr_lua_check_object(L, idx);
    if (!orr_object_is_a(obj, type_name)) {
        char *path = orr_object_describe(obj);
        lua_pushfstring(L, "orrery: %s: expected a %s object, got %s %s", what,
                        type_name, orr_object_get_type_name(obj), path);
        g_free(path);
        lua_error(L);
    }
    return obj;
}

OrrObject *orr_lua_check_kind(lua_State *L, int idx, OrrLuaKind kind,
                              const char *type_name, const char *what)
{
    if (orr_lua_is_proxy(L, idx)) {
        Proxy *p = lua_touserdata(L, idx);

        if (p->kind == kind && p->link->obj != NULL) {
            return p->link->obj;
        }
    }
    return orr_lua_check_typed(L, idx, type_name, what); /* raises */
}

guint orr_lua_proxy_log_begin(void)
{
    if (creation_log == NULL) {
        creation_log = g_ptr_array_new();
    }
    log_depth++;
    return creation_log->len;
}

void orr_lua_proxy_log_end(guint mark, OrrObject *scope)
{
    g_assert(log_depth > 0 && mark <= creation_log->len);
    for (guint i = mark; i < creation_log->len; i++) {
        ProxyLink *link = creation_log->pdata[i];

        link->logged = false;
        if (scope != NULL && link->obj != NULL &&
            (link->obj == scope || orr_object_is_ancestor(scope, link->obj))) {
            release_link(link); /* the proxy answers "released object" */
        }
        maybe_free_link(link);
    }
    g_ptr_array_set_size(creation_log, mark);
    log_depth--;
}

void orr_lua_release_proxy(lua_State *L, int idx)
{
    ProxyLink *link = check_link(L, idx);

    if (link->obj == NULL && !link->finalized) {
        orr_lua_error(L, "released object");
    }
    release_link(link);
}

void orr_lua_proxy_names(lua_State *L, int idx, OrrLuaNameFn add, void *data)
{
    if (!orr_lua_is_proxy(L, idx)) {
        return;
    }
    OrrObject *obj = ((Proxy *)lua_touserdata(L, idx))->link->obj;
    if (obj == NULL) {
        return;
    }
    orr_lua_object_names(obj, add, data);
    orr_lua_memory_names(obj, add, data);
    orr_lua_type_names(L, obj, add, data);
    GPtrArray *methods = orr_class_list_methods(obj->klass);
    for (guint i = 0; i < methods->len; i++) {
        add(orr_method_get_name(methods->pdata[i]), data);
    }
    g_ptr_array_unref(methods);
}

char *orr_lua_describe_proxy(lua_State *L, int idx)
{
    if (!orr_lua_is_proxy(L, idx)) {
        return NULL;
    }
    OrrObject *obj = ((Proxy *)lua_touserdata(L, idx))->link->obj;
    if (obj == NULL) {
        return g_strdup("a released or finalized object\n");
    }
    GString *out = g_string_new(NULL);
    char *what = orr_object_describe(obj);
    g_string_append_printf(out, "%s %s\n", orr_object_get_type_name(obj), what);
    g_free(what);
    GPtrArray *methods = orr_class_list_methods(obj->klass);
    if (methods->len > 0) {
        g_string_append(out, "C methods:\n");
    }
    for (guint i = 0; i < methods->len; i++) {
        const OrrMethod *m = methods->pdata[i];
        const char *doc = orr_method_get_doc(m);
        g_string_append_printf(out, "  %s %s%s%s\n", orr_method_get_name(m),
                               orr_method_get_signature(m), doc ? "  " : "",
                               doc ? doc : "");
    }
    g_ptr_array_unref(methods);
    return g_string_free(out, FALSE);
}

/* --- The metatable -------------------------------------------------------- */

/* A reflected C method: upvalue 1 is its name. The arguments are all
 * checked (which may raise) before anything is allocated. */
static int call_reflected(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);
    const char *name = lua_tostring(L, lua_upvalueindex(1));
    int nargs = lua_gettop(L) - 1;

    for (int i = 0; i < nargs; i++) {
        int idx = i + 2;
        int type = lua_type(L, idx);
        if (type == LUA_TUSERDATA && orr_lua_is_proxy(L, idx)) {
            orr_lua_check_object(L, idx);
        } else if (type != LUA_TBOOLEAN && type != LUA_TNUMBER &&
                   type != LUA_TSTRING && type != LUA_TNIL) {
            orr_lua_check_u64(L, idx, "argument"); /* 64-bit cdata only */
        }
    }

    OrrValue *args = g_new0(OrrValue, MAX(nargs, 1));
    OrrValue ret = ORR_VALUE_INIT;
    GError *err = NULL;

    for (int i = 0; i < nargs; i++) {
        int idx = i + 2;
        switch (lua_type(L, idx)) {
        case LUA_TBOOLEAN:
            orr_value_set_bool(&args[i], lua_toboolean(L, idx));
            break;
        case LUA_TNUMBER: {
            lua_Number n = lua_tonumber(L, idx);
            if (n == (lua_Number)(int64_t)n) {
                orr_value_set_int(&args[i], (int64_t)n);
            } else {
                orr_value_set_double(&args[i], n);
            }
            break;
        }
        case LUA_TSTRING:
            orr_value_set_string(&args[i], lua_tostring(L, idx));
            break;
        case LUA_TNIL:
            break;
        default:
            if (orr_lua_is_proxy(L, idx)) {
                orr_value_set_object(
                    &args[i], ((Proxy *)lua_touserdata(L, idx))->link->obj);
            } else {
                /* Checked above: cannot raise now. */
                orr_value_set_uint(&args[i],
                                   orr_lua_check_u64(L, idx, "argument"));
            }
        }
    }
    bool ok = orr_object_call_method(obj, name, args, (guint)nargs, &ret, &err);
    for (int i = 0; i < nargs; i++) {
        orr_value_clear(&args[i]);
    }
    g_free(args);
    if (!ok) {
        return orr_lua_gerror(L, name, err);
    }
    orr_lua_push_value(L, &ret);
    orr_value_clear(&ret);
    return 1;
}

static int proxy_index(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);
    const char *key = lua_tostring(L, 2);

    if (lua_type(L, 2) != LUA_TSTRING) {
        return orr_lua_error(L, "objects have no field of type %s",
                             luaL_typename(L, 2));
    }
    if (orr_lua_object_index(L, 1, obj, key) ||
        orr_lua_memory_index(L, 1, obj, key) ||
        orr_lua_type_index(L, 1, obj, key)) {
        return 1;
    }
    if (orr_class_find_method(obj->klass, key) != NULL) {
        lua_pushvalue(L, 2);
        lua_pushcclosure(L, call_reflected, 1);
        return 1;
    }
    char *what = orr_object_describe(obj);
    lua_pushfstring(L, "orrery: %s '%s' has no field or method '%s'",
                    orr_object_get_type_name(obj), what, key);
    g_free(what);
    return lua_error(L);
}

static int proxy_newindex(lua_State *L)
{
    OrrObject *obj = orr_lua_check_object(L, 1);
    char *what = orr_object_describe(obj);

    lua_pushfstring(L,
                    "orrery: cannot set field '%s' of %s '%s' (objects have "
                    "no state of their own; use obj:set(prop, value))",
                    lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "?",
                    orr_object_get_type_name(obj), what);
    g_free(what);
    return lua_error(L);
}

static int proxy_tostring(lua_State *L)
{
    ProxyLink *link = check_link(L, 1);

    if (link->obj == NULL) {
        lua_pushstring(L, link->finalized ? "orrery object (finalized)"
                                          : "orrery object (released)");
        return 1;
    }
    char *what = orr_object_describe(link->obj);
    lua_pushfstring(L, "%s %s", orr_object_get_type_name(link->obj), what);
    g_free(what);
    return 1;
}

/*
 * The __index metamethod is this Lua function, so that LuaJIT can compile
 * a lookup like `as.read32` into a trace: it reads the proxy's kind
 * through the FFI and finds the method in a plain table, and only other
 * names, and every name of a released or finalized proxy (which raises),
 * go to the C lookup (proxy_index). Arguments: proxy_index, the
 * table of methods by kind, the ffi module.
 */
static const char index_chunk[] =
    "local c_index, fast, ffi = ...\n"
    "if not pcall(ffi.typeof, 'struct orrery_proxy_head') then\n"
    "  ffi.cdef[[\n"
    "    struct orrery_proxy_link { void *obj; };\n"
    "    struct orrery_proxy_head {\n"
    "      const struct orrery_proxy_link *link; uint32_t kind; };\n"
    "  ]]\n"
    "end\n"
    "local head, cast = ffi.typeof('const struct orrery_proxy_head *'), "
    "ffi.cast\n"
    "return function(p, k)\n"
    "  local h = cast(head, p)\n"
    "  local methods = fast[h.kind]\n"
    "  if methods ~= nil and h.link.obj ~= nil then\n"
    "    local f = methods[k]\n"
    "    if f ~= nil then return f end\n"
    "  end\n"
    "  return c_index(p, k)\n"
    "end\n";

void orr_lua_set_kind_methods(lua_State *L, OrrLuaKind kind,
                              const luaL_Reg *methods)
{
    g_assert(kind != ORR_LUA_KIND_OBJECT);
    lua_pushlightuserdata(L, (void *)&fast_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_newtable(L);
    luaL_register(L, NULL, methods);
    lua_rawseti(L, -2, (int)kind);
    lua_pop(L, 1);
}

void orr_lua_push_kind_methods(lua_State *L, OrrLuaKind kind)
{
    lua_pushlightuserdata(L, (void *)&fast_key);
    lua_rawget(L, LUA_REGISTRYINDEX);
    lua_rawgeti(L, -1, (int)kind);
    lua_remove(L, -2);
}

void orr_lua_proxy_init(lua_State *L)
{
    static const luaL_Reg meta[] = {
        {"__index", proxy_index},
        {"__newindex", proxy_newindex},
        {"__tostring", proxy_tostring},
        {"__gc", proxy_gc},
        {NULL, NULL},
    };

    lua_pushlightuserdata(L, (void *)&meta_key);
    lua_newtable(L);
    luaL_register(L, NULL, meta);
    lua_pushliteral(L, "orrery object");
    lua_setfield(L, -2, "__metatable");

    lua_pushlightuserdata(L, (void *)&fast_key);
    lua_newtable(L);
    lua_pushlightuserdata(L, (void *)&fast_key);
    lua_pushvalue(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX); /* the table stays at the top */
    if (luaL_loadbuffer(L, index_chunk, sizeof(index_chunk) - 1,
                        "=orrery.index") != 0) {
        lua_error(L);
    }
    lua_pushcfunction(L, proxy_index);
    lua_pushvalue(L, -3); /* the table */
    lua_getglobal(L, "require");
    lua_pushliteral(L, "ffi");
    lua_call(L, 1, 1);
    lua_call(L, 3, 1);
    lua_setfield(L, -4, "__index"); /* replaces the C one */
    lua_pop(L, 2);                  /* the table and its key */
    lua_rawset(L, LUA_REGISTRYINDEX);

    orr_lua_new_weak_table(L, "v");
    cache_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    orr_lua_new_weak_table(L, "v");
    slots_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}
