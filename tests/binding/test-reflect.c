/*
 * The binding seen from C: reflected C methods called from Lua as
 * obj:name(...), with good and bad arguments, and help(obj)'s text.
 */
#include <lauxlib.h>
#include <lualib.h>
#include "binding.h"
#include "test-util.h"

#define TYPE_COUNTER "test-counter"

static uint64_t counter_add(OrrObject *self, uint32_t n, bool twice)
{
    static uint64_t total;

    total += twice ? 2 * (uint64_t)n : n;
    return total;
}

static const char *counter_hello(OrrObject *self, const char *who)
{
    return g_intern_string(who);
}

static void counter_class_init(OrrObjectClass *klass, const void *data)
{
    g_assert_true(orr_class_add_method(klass, "add", "u64(u32,bool)",
                                       (OrrMethodFn)counter_add,
                                       "adds n (twice if asked)", NULL));
    g_assert_true(orr_class_add_method(klass, "hello", "str(str)",
                                       (OrrMethodFn)counter_hello, NULL, NULL));
}

/* Runs @code in a fresh state with the module as the global orrery;
 * returns what it returns as a string (or the error). */
static char *run(const char *code)
{
    lua_State *L = luaL_newstate();
    char *result;

    luaL_openlibs(L);
    lua_pushcfunction(L, luaopen_orrery);
    lua_call(L, 0, 1);
    lua_setglobal(L, "orrery");
    if (luaL_dostring(L, code) != 0) {
        result = g_strdup_printf("error: %s", lua_tostring(L, -1));
    } else {
        result = g_strdup(lua_tostring(L, -1));
    }
    lua_gc(L, LUA_GCCOLLECT, 0);
    orr_lua_drain();
    lua_close(L);
    orr_lua_drain();
    return result;
}

#define assert_run(code, expected)                                             \
    do {                                                                       \
        g_autofree char *got_ = run(code);                                     \
        g_assert_cmpstr(got_, ==, (expected));                                 \
    } while (0)

static void test_call(void)
{
    assert_run("local c = orrery.new('test-counter') "
               "local a = c:add(3, false) local b = c:add(4, true) "
               "c:release() return tostring(a) .. ' ' .. tostring(b)",
               "3 11");
    assert_run("local c = orrery.new('test-counter') local s = c:hello('x') "
               "c:release() return s",
               "x");
    orr_test_assert_no_live_objects();
}

static void test_bad_arguments(void)
{
    g_autofree char *few = run("local c = orrery.new('test-counter') "
                               "local ok, e = pcall(c.add, c, 1) "
                               "c:release() return e");
    g_autofree char *type = run("local c = orrery.new('test-counter') "
                                "local ok, e = pcall(c.add, c, 'x', true) "
                                "c:release() return e");
    g_autofree char *range = run("local c = orrery.new('test-counter') "
                                 "local ok, e = pcall(c.add, c, -1, true) "
                                 "c:release() return e");

    g_assert_true(g_str_has_prefix(few, "orrery: add: "));
    g_assert_nonnull(strstr(few, "add"));
    g_assert_true(g_str_has_prefix(type, "orrery: add: "));
    g_assert_true(g_str_has_prefix(range, "orrery: add: "));
    orr_test_assert_no_live_objects();
}

static void test_describe(void)
{
    lua_State *L = luaL_newstate();

    luaL_openlibs(L);
    lua_pushcfunction(L, luaopen_orrery);
    lua_call(L, 0, 1);
    lua_setglobal(L, "orrery");
    g_assert_cmpint(luaL_dostring(L, "return orrery.new('test-counter')"), ==,
                    0);
    g_autofree char *text = orr_lua_describe_proxy(L, -1);
    g_assert_nonnull(strstr(text, "test-counter <detached test-counter>\n"));
    g_assert_nonnull(
        strstr(text, "  add u64(u32,bool)  adds n (twice if asked)\n"));
    g_assert_nonnull(strstr(text, "  hello str(str)\n"));
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    orr_lua_drain();
    lua_close(L);
    orr_test_assert_no_live_objects();
}

/* --- Interface slots filled by Lua functions ------------------------------ */

#define TYPE_HASHER "test-hasher"

typedef struct HasherClass {
    OrrInterfaceClass parent;
    uint64_t (*hash)(OrrObject *obj, uint32_t seed);
} HasherClass;

static void hasher_class_init(OrrObjectClass *klass, const void *data)
{
    GError *err = NULL;

    g_assert_true(orr_interface_add_slot(klass, "hash", "u64(obj,u32)",
                                         offsetof(HasherClass, hash), &err));
    g_assert_no_error(err);
}

/* Misuse of orr_interface_add_slot, from the counter (not an interface)
 * and the hasher. */
static void test_slot_misuse(void)
{
    OrrObjectClass *counter = orr_type_get_class(orr_type_lookup(TYPE_COUNTER));
    OrrObjectClass *hasher = orr_type_get_class(orr_type_lookup(TYPE_HASHER));
    g_autoptr(GError) e1 = NULL, e2 = NULL, e3 = NULL, e4 = NULL;

    g_assert_false(orr_interface_add_slot(counter, "x", "void(obj)", 0, &e1));
    g_assert_error(e1, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_false(orr_interface_add_slot(hasher, "hash", "u64(obj,u32)",
                                          offsetof(HasherClass, hash), &e2));
    g_assert_error(e2, ORR_ERROR, ORR_ERROR_EXISTS);
    g_assert_false(
        orr_interface_add_slot(hasher, "far", "void(obj)", 4096, &e3));
    g_assert_error(e3, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_false(orr_interface_add_slot(hasher, "noobj", "u64(u32)",
                                          offsetof(HasherClass, hash), &e4));
    g_assert_nonnull(strstr(e4->message, "must start with an obj"));
    g_assert_null(orr_interface_find_slot(TYPE_HASHER, "far"));
}

/* A Lua type fills the slot; C calls it through the interface class. */
static void test_slot_filled_by_lua(void)
{
    lua_State *L = luaL_newstate();

    luaL_openlibs(L);
    lua_pushcfunction(L, luaopen_orrery);
    lua_call(L, 0, 1);
    lua_setglobal(L, "orrery");
    g_assert_cmpint(
        luaL_dostring(L, "orrery.type{ name = 'lua-hasher', "
                         "  init = function(self, st) st.k = 5 end, "
                         "  interfaces = { ['test-hasher'] = { "
                         "    hash = function(self, st, seed) "
                         "      if seed == 0 then error('zero seed') end "
                         "      return seed * 2 + st.k end } } } "
                         "return orrery.new('lua-hasher')"),
        ==, 0);
    OrrObject *obj = orr_lua_to_object(L, -1);
    g_assert_nonnull(obj);
    HasherClass *hc = (HasherClass *)orr_object_get_interface(obj, TYPE_HASHER);
    g_assert_nonnull(hc);
    g_assert_cmpuint(hc->hash(obj, 10), ==, 25);
    /* A raising function: zero for C, the error recorded. */
    g_assert_cmpuint(hc->hash(obj, 0), ==, 0);
    g_assert_cmpint(luaL_dostring(L, "local e = orrery.hook_errors() "
                                     "return e[#e]"),
                    ==, 0);
    g_assert_nonnull(strstr(lua_tostring(L, -1), "test-hasher.hash"));
    g_assert_nonnull(strstr(lua_tostring(L, -1), "zero seed"));
    /* An unknown slot is refused when the type is defined. */
    g_assert_cmpint(luaL_dostring(L, "orrery.type{ name = 'bad-hasher', "
                                     "interfaces = { ['test-hasher'] = { "
                                     "nope = print } } }"),
                    !=, 0);
    g_assert_nonnull(strstr(lua_tostring(L, -1), "has no slot 'nope'"));
    lua_settop(L, 0);
    lua_gc(L, LUA_GCCOLLECT, 0);
    orr_lua_drain();
    lua_close(L);
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    static const OrrTypeInfo hasher = {
        .name = TYPE_HASHER,
        .parent = ORR_TYPE_INTERFACE,
        .class_size = sizeof(HasherClass),
        .class_init = hasher_class_init,
    };

    static const OrrTypeInfo counter = {
        .name = TYPE_COUNTER,
        .parent = ORR_TYPE_OBJECT,
        .class_init = counter_class_init,
    };

    orr_test_init(&argc, &argv);
    orr_memory_init();
    g_assert_nonnull(orr_type_register(&counter, NULL));
    g_assert_nonnull(orr_type_register(&hasher, NULL));
    g_test_add_func("/binding/slots/misuse", test_slot_misuse);
    g_test_add_func("/binding/slots/filled-by-lua", test_slot_filled_by_lua);
    g_test_add_func("/binding/reflect/call", test_call);
    g_test_add_func("/binding/reflect/bad-arguments", test_bad_arguments);
    g_test_add_func("/binding/reflect/describe", test_describe);
    return g_test_run();
}
