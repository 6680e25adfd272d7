/*
 * Unit tests for orr_variant_to_json(): every GVariant class, string
 * escaping, objects versus arrays, and the pretty layout.
 */
#include "orrery/orrery.h"
#include <math.h>
#include "test-util.h"

/* Parses @text as a GVariant (GVariant text format), returns its JSON. */
static char *json_of(const char *text, gboolean pretty)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GVariant) v = g_variant_parse(NULL, text, NULL, NULL, &err);

    g_assert_no_error(err);
    return orr_variant_to_json(v, pretty);
}

#define assert_json(text, expected)                                            \
    do {                                                                       \
        g_autofree char *got_ = json_of((text), FALSE);                        \
        g_assert_cmpstr(got_, ==, (expected));                                 \
    } while (0)

static void test_scalars(void)
{
    assert_json("true", "true");
    assert_json("false", "false");
    assert_json("byte 0xff", "255");
    assert_json("int16 -32768", "-32768");
    assert_json("uint16 65535", "65535");
    assert_json("-2147483648", "-2147483648");
    assert_json("uint32 4294967295", "4294967295");
    assert_json("int64 -9223372036854775808", "-9223372036854775808");
    assert_json("uint64 18446744073709551615", "18446744073709551615");
    assert_json("1.5", "1.5");
    assert_json("objectpath '/a/b'", "\"/a/b\"");
    assert_json("signature 'a{sv}'", "\"a{sv}\"");
    assert_json("handle 3", "3");
}

/* Not-a-number and infinities are not JSON: they print as null. */
static void test_non_finite(void)
{
    g_autoptr(GVariant) nan = g_variant_ref_sink(g_variant_new_double(NAN));
    g_autoptr(GVariant) inf =
        g_variant_ref_sink(g_variant_new_double(INFINITY));
    g_autofree char *a = orr_variant_to_json(nan, FALSE);
    g_autofree char *b = orr_variant_to_json(inf, FALSE);

    g_assert_cmpstr(a, ==, "null");
    g_assert_cmpstr(b, ==, "null");
}

static void test_strings(void)
{
    assert_json("'plain'", "\"plain\"");
    assert_json("'a\"b\\\\c'", "\"a\\\"b\\\\c\"");
    assert_json("'tab\\tnl\\ncr\\r'", "\"tab\\tnl\\ncr\\r\"");
    assert_json("'\\u0001\\u001f'", "\"\\u0001\\u001f\"");
    assert_json("'caf\\u00e9'", "\"caf\xc3\xa9\""); /* UTF-8 kept */
    assert_json("''", "\"\"");
}

static void test_containers(void)
{
    assert_json("{'b': <1>, 'a': <'x'>}", "{\"b\":1,\"a\":\"x\"}");
    assert_json("@a{sv} {}", "{}");
    assert_json("[1, 2, 3]", "[1,2,3]");
    assert_json("@ai []", "[]");
    assert_json("(1, 'two', true)", "[1,\"two\",true]");
    /* Keys that are not strings: an array of [key, value] pairs. */
    assert_json("{1: 'one'}", "[[1,\"one\"]]");
    assert_json("<<'deep'>>", "\"deep\"");
    assert_json("@mi nothing", "null");
    assert_json("@mi 4", "4");
    assert_json("{'list': <[{'k': <@ms nothing>}]>}",
                "{\"list\":[{\"k\":null}]}");
}

static void test_pretty(void)
{
    g_autofree char *got =
        json_of("{'a': <[1, 2]>, 'b': <@a{sv} {}>, 'c': <@ai []>}", TRUE);

    g_assert_cmpstr(got, ==,
                    "{\n"
                    "  \"a\": [\n"
                    "    1,\n"
                    "    2\n"
                    "  ],\n"
                    "  \"b\": {},\n"
                    "  \"c\": []\n"
                    "}");
}

/* A floating value passed in is left floating: the caller still owns
 * it (the function takes no reference). */
static void test_floating_untouched(void)
{
    GVariant *v = g_variant_new_int32(7);
    g_autofree char *got = orr_variant_to_json(v, FALSE);

    g_assert_cmpstr(got, ==, "7");
    g_assert_true(g_variant_is_floating(v));
    g_variant_unref(g_variant_ref_sink(v));
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    g_test_add_func("/json/scalars", test_scalars);
    g_test_add_func("/json/non-finite", test_non_finite);
    g_test_add_func("/json/strings", test_strings);
    g_test_add_func("/json/containers", test_containers);
    g_test_add_func("/json/pretty", test_pretty);
    g_test_add_func("/json/floating-untouched", test_floating_untouched);
    return g_test_run();
}
