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

int main(int argc, char **argv)
{
    static const OrrTypeInfo counter = {
        .name = TYPE_COUNTER,
        .parent = ORR_TYPE_OBJECT,
        .class_init = counter_class_init,
    };

    orr_test_init(&argc, &argv);
    orr_memory_init();
    g_assert_nonnull(orr_type_register(&counter, NULL));
    g_test_add_func("/binding/reflect/call", test_call);
    g_test_add_func("/binding/reflect/bad-arguments", test_bad_arguments);
    g_test_add_func("/binding/reflect/describe", test_describe);
    return g_test_run();
}
