/*
 * orrery Lua binding — names shared between the files of the binding, not
 * public. The binding uses only the public C API of liborrery.
 *
 * Proxies (proxy.c): one userdata per live object, found through a weak
 * cache, each holding exactly one reference on the object's lifetime unit.
 * __gc only queues that reference; orr_lua_drain() releases the queue at
 * safe points, never inside dispatch or while the core iterates.
 */
#ifndef ORRERY_LUA_BINDING_H
#define ORRERY_LUA_BINDING_H

#include <lua.h>
#include <lauxlib.h>
#include "orrery/orrery.h"

/* The holder kind of a proxy's reference. */
#define ORR_HOLDER_LUA "lua"

/* --- Errors ------------------------------------------------------------- */

/* Raises "orrery: " followed by the formatted message. Never returns. */
int orr_lua_error(lua_State *L, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Raises "orrery: <what>: <error message>" and frees @err. */
int orr_lua_gerror(lua_State *L, const char *what, GError *err);

/* --- Arguments (largs.c): luaL_check* with "orrery:" errors ----------- */

int orr_lua_argerror(lua_State *L, int idx, const char *expected);

/* --- Small helpers (largs.c) ------------------------------------------- */

/* A message handler for lua_pcall: the message with a traceback. */
int orr_lua_traceback(lua_State *L);
/* Pushes orr_lua_traceback, made once per state by
 * orr_lua_traceback_init() when the module opens (lua_pushcfunction
 * would make a new closure each time). */
void orr_lua_traceback_init(lua_State *L);
void orr_lua_push_traceback(lua_State *L);
/* Pushes a new table whose metatable has __mode = @mode ("k", "v"). */
void orr_lua_new_weak_table(lua_State *L, const char *mode);
/* Pushes the function of @table named @key and returns true, or returns
 * false pushing nothing. */
bool orr_lua_push_method(lua_State *L, const luaL_Reg *table, const char *key);
const char *orr_lua_check_string(lua_State *L, int idx);
const char *orr_lua_check_lstring(lua_State *L, int idx, size_t *len);
const char *orr_lua_opt_string(lua_State *L, int idx, const char *dflt);
const char *orr_lua_opt_lstring(lua_State *L, int idx, const char *dflt,
                                size_t *len);
void orr_lua_check_type(lua_State *L, int idx, int type);
void orr_lua_check_any(lua_State *L, int idx);

/* --- Proxies (proxy.c) -------------------------------------------------- */

/* Pushes the proxy of @obj (creating it, with its one reference, if there
 * is none), or nil for NULL. */
void orr_lua_push_object(lua_State *L, OrrObject *obj);
/* The object of the proxy at @idx; raises for anything else, and for a
 * released or finalized proxy. */
OrrObject *orr_lua_check_object(lua_State *L, int idx);
/* The object of a live proxy at @idx, or NULL for anything else; never
 * raises. */
OrrObject *orr_lua_to_object(lua_State *L, int idx);
/* The same, or NULL when the value at @idx is nil or absent. */
OrrObject *orr_lua_opt_object(lua_State *L, int idx);
/* The same, also checking the object is a @type_name; @what names the
 * argument in the error. */
OrrObject *orr_lua_check_typed(lua_State *L, int idx, const char *type_name,
                               const char *what);
/* What a proxy answers to beyond the fields and methods of every object:
 * its kind picks a table of methods that the JIT compiler can look up. */
typedef enum OrrLuaKind {
    ORR_LUA_KIND_OBJECT = 0, /* nothing more */
    ORR_LUA_KIND_SPACE = 1,  /* an address space: accesses and the rest */
} OrrLuaKind;
/* Makes @methods the fast lookup table of proxies of @kind. */
void orr_lua_set_kind_methods(lua_State *L, OrrLuaKind kind,
                              const luaL_Reg *methods);
/* Pushes the fast lookup table of proxies of @kind (nil if none), which
 * the caller may change: the table itself is shared. */
void orr_lua_push_kind_methods(lua_State *L, OrrLuaKind kind);
/* Like orr_lua_check_typed() for a proxy of @kind (which implies
 * @type_name), without looking the type up by name when it is one.
 * Returns: (transfer none): borrowed from the proxy, valid while it is
 * live. */
OrrObject *orr_lua_check_kind(lua_State *L, int idx, OrrLuaKind kind,
                              const char *type_name, const char *what);
/* Pushes a proxy of @obj that holds no reference, for a hook that runs
 * while @obj finalizes; orr_lua_end_borrowed() ends it ("finalized
 * object" afterwards). */
void orr_lua_push_borrowed(lua_State *L, OrrObject *obj);
void orr_lua_end_borrowed(OrrObject *obj);
/* Pushes the existing live proxy of @obj and returns true, or pushes
 * nothing and returns false; never makes one (proxy.c). */
bool orr_lua_push_cached(lua_State *L, OrrObject *obj);
/* A slot remembers one proxy weakly, for a C caller that pushes the
 * same object's proxy again and again (the owner of an MMIO region): the
 * slot is looked up by an integer, which is quicker than the cache.
 * orr_lua_push_cached_slot() pushes @obj's existing live proxy, found in
 * @slot or else in the cache (then remembered in @slot), and returns
 * true; or pushes nothing and returns false when @obj has no proxy.
 * Never raises. */
int orr_lua_slot_new(lua_State *L);
void orr_lua_slot_free(lua_State *L, int slot);
/* @slots: a stack index of the slots table (orr_lua_push_slots()), or 0
 * to fetch it from the registry. @obj: (transfer none); the proxy pushed
 * holds what any proxy of it holds, and the slot takes no reference. */
bool orr_lua_push_cached_slot(lua_State *L, int slots, int slot,
                              OrrObject *obj);
void orr_lua_push_slots(lua_State *L);
/* How many Lua functions called back from C are running (see
 * orr_lua_pcall_callback()). At 0 the callback thread holds only what
 * the module put at its base: the traceback function at index 1 and the
 * slots table at 2. */
extern guint orr_lua__callback_depth; /* only proxy.c writes it */
static inline guint orr_lua_callback_depth(void)
{
    return orr_lua__callback_depth;
}
/* Whether the value at @idx is a proxy (live or not). */
bool orr_lua_is_proxy(lua_State *L, int idx);
/* A log of the proxies made from now on, for a hook that runs while its
 * object is torn down: such a hook makes proxies (self, its regions) that
 * would otherwise hold the object until the next collection and so make
 * it miss its turn to be finalized. Returns a mark for
 * orr_lua_proxy_log_end(), which releases every proxy made since the
 * mark whose object is @scope or below it (transfer none; nullable:
 * none), as obj:release() would. Logs nest. */
guint orr_lua_proxy_log_begin(void);
void orr_lua_proxy_log_end(guint mark, OrrObject *scope);
/* Releases the proxy at @idx now (obj:release()). */
void orr_lua_release_proxy(lua_State *L, int idx);
/* What orrery.gc() does: drops compiled traces (which keep the values
 * they were specialized on), collects twice and releases what was queued,
 * again until nothing more is released (releasing can free proxies of
 * children). A safe point (linspect.c). */
void orr_lua_collect(lua_State *L);
/* lua_pcall() for every call of a Lua function from C (a hook, MMIO
 * ops, a listener): while one runs the core may be dispatching an access
 * or iterating, so orr_lua_drain() releases nothing then. */
int orr_lua_pcall_callback(lua_State *L, int nargs, int nresults, int errfunc);
/* Releases every queued reference, unless a callback is running (then
 * nothing, until the next safe point). Returns how many. */
guint orr_lua_drain(void);
/* Installs the proxy metatable; @methods is called to look up a field
 * or method name for an object (see lobject.c). */
void orr_lua_proxy_init(lua_State *L);

/* The thread callbacks from C (MMIO ops, hooks, listeners) run on: the
 * module's own, anchored for the life of the state (linspect.c). Never
 * the calling thread, which may be a coroutine collected meanwhile. */
lua_State *orr_lua_callback_state(void);

/* Whether an on_finalize function is running (linspect.c): no proxy may
 * be made then, since the core takes no references while an object
 * finalizes. */
bool orr_lua_in_finalize_hook(void);

/* --- Values (lvalue.c) -------------------------------------------------- */

/* The largest integer every double holds exactly: values up to it go to
 * Lua as plain numbers. */
#define ORR_LUA_EXACT_MAX (UINT64_C(1) << 53)

/* Creates the 64-bit helpers (needs LuaJIT's ffi); call once. */
void orr_lua_value_init(lua_State *L);
/* An unsigned 64-bit argument: a non-negative integral number or a
 * 64-bit cdata; raises naming @what otherwise. */
uint64_t orr_lua_check_u64(lua_State *L, int idx, const char *what);
/* A signed one: an integral number or a 64-bit cdata. */
int64_t orr_lua_check_i64(lua_State *L, int idx, const char *what);
/* Pushes @v as a uint64_t cdata. */
void orr_lua_push_u64(lua_State *L, uint64_t v);
/* Pushes @v as a number when it is exact as one, else as uint64_t. */
void orr_lua_push_u64_or_number(lua_State *L, uint64_t v);
/* Pushes a property value: booleans, numbers (64-bit cdata when not exact),
 * strings, objects (proxies) or nil. */
void orr_lua_push_value(lua_State *L, const OrrValue *v);
/* Reads the Lua value at @idx as a value for @prop; raises naming the
 * property when the Lua type does not fit. */
void orr_lua_to_value(lua_State *L, int idx, const OrrProperty *prop,
                      OrrValue *out);

/* --- Parts of the module ------------------------------------------------ */

/* Each adds its functions to the module table at the top of the stack. */
void orr_lua_open_objects(lua_State *L);
void orr_lua_open_memory(lua_State *L);
void orr_lua_open_inspect(lua_State *L);
void orr_lua_open_mmio(lua_State *L);
void orr_lua_open_types(lua_State *L);
void orr_lua_open_dump(lua_State *L);
/* as:listen{...} (llisten.c). */
int orr_lua_listen(lua_State *L);

/* Drops the state of every Lua-typed object (ltype.c): the leak report's
 * last step, which frees what only C <-> Lua cycles kept alive. */
void orr_lua_drop_states(lua_State *L);
/* Returns: (transfer full) (nullable): one line per surviving object that
 * a Lua value still holds, naming that value's path (lleak.c). */
char *orr_lua_leak_paths(lua_State *L);
/* Whether @obj is of a type defined in Lua (so it has a state). */
bool orr_lua_is_lua_typed(OrrObject *obj);
/* Pushes the state table of a Lua-typed @obj, or nil (ltype.c). */
void orr_lua_push_state(lua_State *L, OrrObject *obj);

/* Appends the error message at the top of the stack (popped) to the list
 * orrery.hook_errors() returns, as "@where: message" (linspect.c). */
void orr_lua_record_hook_error(lua_State *L, const char *where);
/* Whether the binding's state is still open: false once lua_close began,
 * after which C callbacks into Lua do nothing. */
bool orr_lua_state_open(void);

/* Field and method lookup for proxies: pushes the value of @key for @obj
 * (the proxy is at @self) and returns true, or returns false if @obj has
 * no such field or method. One per part; tried in order. */
bool orr_lua_object_index(lua_State *L, int self, OrrObject *obj,
                          const char *key);
bool orr_lua_memory_index(lua_State *L, int self, OrrObject *obj,
                          const char *key);
bool orr_lua_type_index(lua_State *L, int self, OrrObject *obj,
                        const char *key);

/* Offers the names a proxy answers to (fields and methods), for completion
 * and help: @add is called once per name. */
typedef void (*OrrLuaNameFn)(const char *name, void *data);
void orr_lua_object_names(OrrObject *obj, OrrLuaNameFn add, void *data);
void orr_lua_memory_names(OrrObject *obj, OrrLuaNameFn add, void *data);
void orr_lua_type_names(lua_State *L, OrrObject *obj, OrrLuaNameFn add,
                        void *data);
/* All of them, with reflected C methods: for the proxy at @idx, if it is a
 * live one. */
void orr_lua_proxy_names(lua_State *L, int idx, OrrLuaNameFn add, void *data);
/* Returns: (transfer full) (nullable): for help(obj): the proxy's type and
 * path, and its C methods with their signatures; NULL if not a proxy. */
char *orr_lua_describe_proxy(lua_State *L, int idx);

/* The module's entry point: the table `require("orrery")` returns. */
int luaopen_orrery(lua_State *L);

#endif /* ORRERY_LUA_BINDING_H */
