/*
 * Unit tests for properties of one object: typed instance and class
 * properties, the typed and string accessors and their refusals, enums,
 * accessor and read-only properties, and deleting instance properties.
 */
#include "property-fixture.h"

/* The values of test-prop-obj's typed properties when nothing is set, as
 * pt_snapshot_values() shows them. */
#define DEFAULT_VALUES "true|-5|4096|lbl|slow|0"

/* --- Typed properties ----------------------------------------------------- */

static void test_class_defaults_and_metadata(void)
{
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    bool flag = false;
    int64_t count = 0;
    uint64_t size = 0;
    g_autofree char *label = NULL;
    g_autofree char *mode = NULL;
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_object_get_bool(obj, "c-flag", &flag, &err));
    g_assert_true(flag);
    g_assert_true(orr_object_get_int(obj, "c-count", &count, &err));
    g_assert_cmpint(count, ==, -5);
    g_assert_true(orr_object_get_uint(obj, "c-size", &size, &err));
    g_assert_cmpuint(size, ==, 4096);
    g_assert_true(orr_object_get_str(obj, "c-label", &label, &err));
    g_assert_cmpstr(label, ==, "lbl");
    g_assert_true(orr_object_get_str(obj, "c-mode", &mode, &err));
    g_assert_cmpstr(mode, ==, "slow");
    g_assert_no_error(err);
    pt_assert_values(obj, DEFAULT_VALUES);
    pt_assert_prop_string(obj, "c-ro", "0");

    struct {
        const char *name;
        OrrPropType type;
        const char *type_name;
        bool readonly;
    } const expect[] = {
        {"c-flag", ORR_PROP_BOOL, "bool", false},
        {"c-count", ORR_PROP_INT, "int", false},
        {"c-size", ORR_PROP_UINT, "uint", false},
        {"c-label", ORR_PROP_STRING, "string", false},
        {"c-mode", ORR_PROP_ENUM, "enum", false},
        {"c-acc", ORR_PROP_INT, "int", false},
        {"c-ro", ORR_PROP_UINT, "uint", true},
    };
    for (guint i = 0; i < G_N_ELEMENTS(expect); i++) {
        const OrrProperty *prop = orr_object_find_property(obj, expect[i].name);

        g_assert_nonnull(prop);
        g_assert_cmpstr(orr_property_get_name(prop), ==, expect[i].name);
        g_assert_cmpint(orr_property_get_type(prop), ==, expect[i].type);
        g_assert_cmpstr(orr_property_get_type_name(prop), ==,
                        expect[i].type_name);
        g_assert_cmpint(orr_property_is_readonly(prop), ==, expect[i].readonly);
        g_assert_true(orr_property_is_class(prop));
        g_assert_null(orr_property_get_target_type(prop));
        g_assert_true(orr_property_get_type(prop) == ORR_PROP_ENUM ||
                      orr_property_get_enum_values(prop) == NULL);
    }
    const OrrProperty *mode_prop = orr_object_find_property(obj, "c-mode");
    const char *const *values = orr_property_get_enum_values(mode_prop);
    g_assert_nonnull(values);
    g_assert_true(values != pt_modes); /* copied */
    g_assert_cmpuint(g_strv_length((char **)values), ==, 3);
    g_assert_cmpstr(values[0], ==, "off");
    g_assert_cmpstr(values[2], ==, "fast");
    g_assert_cmpstr(
        orr_property_get_description(orr_object_find_property(obj, "c-flag")),
        ==, "a flag");
    g_assert_null(orr_object_find_property(obj, "c-nope"));
    g_assert_null(orr_object_find_property(obj, NULL));
    g_assert_cmpstr(orr_prop_type_name(ORR_PROP_ENUM), ==, "enum");

    orr_object_unref(obj);
    orr_test_assert_log("finalize (unnamed)");
    orr_test_assert_no_live_objects();
}

static void test_typed_set_get(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *a = orr_test_new_object(TYPE_OBJ);
    OrrObject *b = orr_test_new_object(TYPE_OBJ);
    g_autofree char *mode = NULL;
    uint64_t ro = 0;

    g_assert_true(orr_object_set_bool(a, "c-flag", false, &err));
    g_assert_true(orr_object_set_int(a, "c-count", INT64_MIN, &err));
    g_assert_true(orr_object_set_uint(a, "c-size", UINT64_MAX, &err));
    g_assert_true(orr_object_set_str(a, "c-label", "hello world", &err));
    g_assert_true(orr_object_set_str(a, "c-mode", "fast", &err));
    g_assert_true(orr_object_set_int(a, "c-acc", 21, &err));
    g_assert_no_error(err);
    pt_assert_values(a, "false|-9223372036854775808|18446744073709551615|"
                        "hello world|fast|21");
    g_assert_cmpint(((TestPropObj *)a)->acc, ==, 21);
    g_assert_true(orr_object_get_uint(a, "c-ro", &ro, &err));
    g_assert_cmpuint(ro, ==, 42);
    g_assert_true(orr_object_get_str(a, "c-mode", &mode, &err));
    g_assert_cmpstr(mode, ==, "fast");

    /* Class properties store per instance. */
    pt_assert_values(b, DEFAULT_VALUES);

    /* Generic get/set by name with values. */
    g_auto(OrrValue) v = ORR_VALUE_INIT;
    orr_value_set_string(&v, "off");
    g_assert_true(orr_object_set(b, "c-mode", &v, &err));
    orr_value_set_uint(&v, 7); /* converts to int */
    g_assert_true(orr_object_set(b, "c-count", &v, &err));
    orr_value_set_int(&v, 9); /* converts to uint */
    g_assert_true(orr_object_set(b, "c-size", &v, &err));
    g_assert_no_error(err);
    g_assert_true(orr_object_get(b, "c-size", &v, &err));
    g_assert_cmpint(v.type, ==, ORR_VALUE_UINT);
    g_assert_cmpuint(v.u, ==, 9);
    g_assert_true(orr_object_get(b, "c-mode", &v, &err));
    g_assert_cmpint(v.type, ==, ORR_VALUE_STRING);
    g_assert_cmpstr(v.s, ==, "off");
    g_assert_true(orr_object_get(b, "c-count", &v, &err));
    g_assert_cmpint(v.type, ==, ORR_VALUE_INT);
    g_assert_cmpint(v.i, ==, 7);
    g_assert_no_error(err);
    pt_assert_values(b, "true|7|9|lbl|off|0");

    orr_object_unref(a);
    orr_object_unref(b);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_string_forms(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    struct {
        const char *name;
        const char *text;
        const char *expect;
    } const ok[] = {
        {"c-flag", "off", "false"},
        {"c-flag", "yes", "true"},
        {"c-flag", "no", "false"},
        {"c-flag", "on", "true"},
        {"c-flag", "false", "false"},
        {"c-flag", "true", "true"},
        /* Decimal unless 0x: a leading zero does not mean octal. */
        {"c-count", "010", "10"},
        {"c-count", "08", "8"},
        {"c-count", "-0x10", "-16"},
        {"c-size", "0X20", "32"},
        {"c-size", "007", "7"},
        {"c-count", "-12", "-12"},
        {"c-count", "0x1f", "31"},
        {"c-size", "0x10", "16"},
        {"c-size", "77", "77"},
        {"c-label", "", ""},
        {"c-label", "a b", "a b"},
        {"c-mode", "off", "off"},
        {"c-acc", "1000", "1000"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(ok); i++) {
        g_assert_true(
            orr_object_set_from_string(obj, ok[i].name, ok[i].text, &err));
        g_assert_no_error(err);
        pt_assert_prop_string(obj, ok[i].name, ok[i].expect);
    }
    pt_assert_values(obj, "true|31|77|a b|off|1000");

    /* Unparsable text: refused, naming the property; nothing changes. */
    struct {
        const char *name;
        const char *text;
    } const bad[] = {
        {"c-flag", "maybe"},
        {"c-flag", ""},
        {"c-count", "12abc"},
        {"c-count", ""},
        {"c-count", "99999999999999999999"},
        {"c-size", "-1"},
        {"c-size", "0x"},
        {"c-size", "0x1g"},
        {"c-size", "0b11"},
        {"c-count", "1e3"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(
            orr_object_set_from_string(obj, bad[i].name, bad[i].text, &err));
        g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
        g_assert_nonnull(strstr(err->message, bad[i].name));
        g_clear_error(&err);
    }
    pt_assert_values(obj, "true|31|77|a b|off|1000");

    /* Unknown property. */
    g_assert_false(orr_object_set_from_string(obj, "c-nope", "1", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "'c-nope'"));
    g_clear_error(&err);
    g_assert_null(orr_object_get_as_string(obj, "c-nope", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);

    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_wrong_type_refused(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    bool b = true;
    int64_t i = 123;
    uint64_t u = 456;
    char *s = (char *)"untouched";

    g_assert_true(orr_object_set_str(obj, "c-label", "keep", &err));
    g_assert_no_error(err);

    /* Typed setters of another type. */
    g_assert_false(orr_object_set_str(obj, "c-flag", "true", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_nonnull(strstr(err->message, "'c-flag'"));
    g_clear_error(&err);
    g_assert_false(orr_object_set_int(obj, "c-flag", 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_false(orr_object_set_bool(obj, "c-count", true, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_false(orr_object_set_str(obj, "c-count", "3", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_false(orr_object_set_bool(obj, "c-size", true, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_false(orr_object_set_int(obj, "c-label", 5, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_false(orr_object_set_uint(obj, "c-mode", 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_false(orr_object_set_bool(obj, "c-acc", true, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);

    /* Generic values of another type. */
    g_auto(OrrValue) v = ORR_VALUE_INIT;
    orr_value_set_double(&v, 1.5);
    g_assert_false(orr_object_set(obj, "c-count", &v, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    orr_value_set_object(&v, obj);
    g_assert_false(orr_object_set(obj, "c-label", &v, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    orr_value_clear(&v);
    g_assert_false(orr_object_set(obj, "c-flag", &v, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);

    /* int <-> uint only when the number fits. */
    g_assert_false(orr_object_set_uint(obj, "c-count", UINT64_MAX, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(orr_object_set_int(obj, "c-size", -1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(orr_object_set_uint(obj, "c-acc", UINT64_MAX, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);

    pt_assert_values(obj, "true|-5|4096|keep|slow|0");

    /* Typed getters of another type fail and leave the output alone. */
    g_assert_false(orr_object_get_bool(obj, "c-count", &b, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_nonnull(strstr(err->message, "'c-count'"));
    g_clear_error(&err);
    g_assert_true(b);
    g_assert_false(orr_object_get_int(obj, "c-size", &i, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_cmpint(i, ==, 123);
    g_assert_false(orr_object_get_uint(obj, "c-flag", &u, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_cmpuint(u, ==, 456);
    g_assert_false(orr_object_get_str(obj, "c-count", &s, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_cmpstr(s, ==, "untouched");
    g_assert_null(orr_object_get_link(obj, "c-label", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);

    /* Unknown names. */
    g_assert_false(orr_object_get_bool(obj, "c-nope", &b, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(orr_object_set_bool(obj, "c-nope", true, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_clear_error(&err);

    pt_assert_values(obj, "true|-5|4096|keep|slow|0");
    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_enum_bad_value(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);

    g_assert_true(orr_object_set_str(obj, "c-mode", "fast", &err));
    g_assert_no_error(err);

    g_assert_false(orr_object_set_str(obj, "c-mode", "turbo", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'c-mode'"));
    g_assert_nonnull(strstr(err->message, "'turbo'"));
    g_assert_cmpstr(err->message, ==,
                    "set: property 'c-mode' of '<detached test-prop-obj>' has "
                    "no value 'turbo' (expected one of: off, slow, fast)");
    g_clear_error(&err);
    pt_assert_prop_string(obj, "c-mode", "fast");

    /* Through the string form and a value; case matters; "" is no value. */
    const char *const bad[] = {"Turbo", "FAST", "", "fast "};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *quoted = g_strdup_printf("'%s'", bad[i]);

        g_assert_false(orr_object_set_from_string(obj, "c-mode", bad[i], &err));
        g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
        g_assert_nonnull(strstr(err->message, "'c-mode'"));
        g_assert_nonnull(strstr(err->message, quoted));
        g_clear_error(&err);
    }
    g_auto(OrrValue) v = ORR_VALUE_INIT;
    orr_value_set_string(&v, "warp");
    g_assert_false(orr_object_set(obj, "c-mode", &v, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'warp'"));
    g_clear_error(&err);
    /* Not a string at all. */
    orr_value_set_int(&v, 1);
    g_assert_false(orr_object_set(obj, "c-mode", &v, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    pt_assert_prop_string(obj, "c-mode", "fast");

    /* An instance enum property behaves the same. */
    pt_add_logged(obj, "i-mode", ORR_PROP_ENUM);
    pt_assert_prop_string(obj, "i-mode", "off"); /* the first value */
    g_assert_false(orr_object_set_str(obj, "i-mode", "bogus", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'i-mode'"));
    g_assert_nonnull(strstr(err->message, "'bogus'"));
    g_clear_error(&err);
    pt_assert_prop_string(obj, "i-mode", "off");

    /* A subclass's enum with its own values. */
    OrrObject *sub = orr_test_new_object(TYPE_SUB);
    pt_assert_prop_string(sub, "s-color", "red");
    g_assert_false(orr_object_set_str(sub, "s-color", "slow", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'s-color'"));
    g_assert_nonnull(strstr(err->message, "'slow'"));
    g_clear_error(&err);
    g_assert_true(orr_object_set_str(sub, "s-color", "blue", &err));
    pt_assert_prop_string(sub, "s-color", "blue");

    orr_object_unref(obj);
    orr_object_unref(sub);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

/* --- Instance properties -------------------------------------------------- */

static void test_instance_properties(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    OrrObject *other = orr_test_new_object(TYPE_OBJ);
    const OrrPropertyDef defs[] = {
        {.name = "i-bool",
         .type = ORR_PROP_BOOL,
         .default_value = {.type = ORR_VALUE_BOOL, .b = true}},
        {.name = "i-int",
         .type = ORR_PROP_INT,
         .default_value = {.type = ORR_VALUE_UINT, .u = 3}},
        /* enum_values mean nothing for other types. */
        {.name = "i-uint", .type = ORR_PROP_UINT, .enum_values = pt_colors},
        {.name = "i-str",
         .type = ORR_PROP_STRING,
         .default_value = {.type = ORR_VALUE_STRING, .s = (char *)"x"}},
        {.name = "i-enum", .type = ORR_PROP_ENUM, .enum_values = pt_colors},
        {.name = "pc.ram", .type = ORR_PROP_UINT, .flags = ORR_PROP_READONLY},
    };

    for (guint i = 0; i < G_N_ELEMENTS(defs); i++) {
        const OrrProperty *prop = pt_add_prop(obj, &defs[i]);
        g_assert_false(orr_property_is_class(prop));
        g_assert_true(orr_object_find_property(obj, defs[i].name) == prop);
        /* Only on this instance. */
        g_assert_null(orr_object_find_property(other, defs[i].name));
    }
    for (guint i = 0; i < G_N_ELEMENTS(defs); i++) {
        const OrrProperty *prop = orr_object_find_property(obj, defs[i].name);
        const char *const *values = orr_property_get_enum_values(prop);

        if (defs[i].type == ORR_PROP_ENUM) {
            g_assert_nonnull(values);
            g_assert_cmpstr(values[1], ==, "green");
        } else {
            g_assert_null(values);
        }
    }
    pt_assert_prop_string(obj, "i-bool", "true");
    pt_assert_prop_string(obj, "i-int", "3");
    pt_assert_prop_string(obj, "i-uint", "0");
    pt_assert_prop_string(obj, "i-str", "x");
    pt_assert_prop_string(obj, "i-enum", "red");
    pt_assert_prop_string(obj, "pc.ram", "0");

    g_assert_true(orr_object_set_bool(obj, "i-bool", false, &err));
    g_assert_true(orr_object_set_int(obj, "i-int", -1, &err));
    g_assert_true(orr_object_set_uint(obj, "i-uint", 1, &err));
    g_assert_true(orr_object_set_str(obj, "i-str", "y", &err));
    g_assert_true(orr_object_set_str(obj, "i-enum", "green", &err));
    g_assert_no_error(err);
    pt_assert_prop_string(obj, "i-bool", "false");
    pt_assert_prop_string(obj, "i-int", "-1");
    pt_assert_prop_string(obj, "i-uint", "1");
    pt_assert_prop_string(obj, "i-str", "y");
    pt_assert_prop_string(obj, "i-enum", "green");

    /* A read-only stored property. */
    g_assert_true(
        orr_property_is_readonly(orr_object_find_property(obj, "pc.ram")));
    g_assert_false(orr_object_set_uint(obj, "pc.ram", 5, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_READONLY);
    g_assert_nonnull(strstr(err->message, "'pc.ram'"));
    g_clear_error(&err);
    pt_assert_prop_string(obj, "pc.ram", "0");

    /* Names taken by an instance or a class property. */
    const OrrPropertyDef taken[] = {
        {.name = "i-int", .type = ORR_PROP_STRING},
        {.name = "c-flag", .type = ORR_PROP_INT},
    };
    for (guint i = 0; i < G_N_ELEMENTS(taken); i++) {
        g_assert_null(orr_object_add_property(obj, &taken[i], &err));
        g_assert_error(err, ORR_ERROR, ORR_ERROR_EXISTS);
        g_assert_nonnull(strstr(err->message, taken[i].name));
        g_clear_error(&err);
    }
    pt_assert_prop_string(obj, "i-int", "-1");
    g_assert_cmpint(
        orr_property_get_type(orr_object_find_property(obj, "i-int")), ==,
        ORR_PROP_INT);
    g_assert_true(
        orr_property_is_class(orr_object_find_property(obj, "c-flag")));

    /* Inconsistent definitions. */
    const OrrPropertyDef bad[] = {
        {.name = "", .type = ORR_PROP_INT},
        {.name = "a/b", .type = ORR_PROP_INT},
        {.name = "sp ace", .type = ORR_PROP_INT},
        {.name = "e", .type = ORR_PROP_ENUM},
        {.name = "e",
         .type = ORR_PROP_ENUM,
         .enum_values = (const char *[]){NULL}},
        {.name = "c", .type = ORR_PROP_CHILD},
        {.name = "l", .type = ORR_PROP_LINK},
        {.name = "s", .type = ORR_PROP_INT, .set = pt_acc_set},
        {.name = "d",
         .type = ORR_PROP_ENUM,
         .enum_values = pt_modes,
         .default_value = {.type = ORR_VALUE_STRING, .s = (char *)"nope"}},
        {.name = "d",
         .type = ORR_PROP_BOOL,
         .default_value = {.type = ORR_VALUE_INT, .i = 1}},
    };
    g_autofree char *before = pt_object_prop_names(obj, false);
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_null(orr_object_add_property(obj, &bad[i], &err));
        g_assert_nonnull(err);
        g_assert_true(err->domain == ORR_ERROR);
        g_clear_error(&err);
    }
    pt_assert_object_props(obj, false, before);

    orr_object_unref(obj);
    orr_object_unref(other);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_class_property_rules(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *sub = orr_test_new_object(TYPE_SUB);

    /* A subclass cannot add a class property named like an ancestor's. */
    g_assert_true(pt_sub_dup.tried);
    g_assert_false(pt_sub_dup.added);
    g_assert_cmpint(pt_sub_dup.code, ==, ORR_ERROR_EXISTS);
    g_assert_nonnull(strstr(pt_sub_dup.message, "'c-count'"));
    const OrrProperty *count = orr_object_find_property(sub, "c-count");
    g_assert_cmpint(orr_property_get_type(count), ==, ORR_PROP_INT);
    pt_assert_prop_string(sub, "c-count", "-5");

    /* Inherited class properties work on the subclass. */
    g_assert_true(orr_object_set_int(sub, "c-count", 8, &err));
    g_assert_true(orr_object_set_uint(sub, "s-extra", 2, &err));
    g_assert_no_error(err);
    pt_assert_prop_string(sub, "c-count", "8");
    pt_assert_prop_string(sub, "s-extra", "2");
    /* The parent type has none of the subclass's. */
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    g_assert_null(orr_object_find_property(obj, "s-extra"));

    /* Class properties cannot be deleted. */
    g_assert_false(orr_object_delete_property(sub, "c-count", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(orr_object_delete_property(sub, "s-extra", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    pt_assert_prop_string(sub, "c-count", "8");

    /* Releases of class properties run when an instance goes. */
    orr_object_unref(sub);
    orr_test_assert_log("finalize (unnamed), release-class (unnamed).s-extra");
    orr_object_unref(obj);
    orr_test_assert_log("finalize (unnamed)");
    orr_test_assert_no_live_objects();
}

static void test_accessor_properties(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);

    g_assert_true(orr_object_set_int(obj, "c-acc", 500, &err));
    g_assert_no_error(err);
    g_assert_cmpint(((TestPropObj *)obj)->acc, ==, 500);
    pt_assert_prop_string(obj, "c-ro", "1000");

    /* The setter's refusal is passed on; nothing changes. */
    g_assert_false(orr_object_set_int(obj, "c-acc", 1001, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_clear_error(&err);
    g_assert_false(orr_object_set_from_string(obj, "c-acc", "5000", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_clear_error(&err);
    pt_assert_prop_string(obj, "c-acc", "500");

    /* A getter without a setter is read-only. */
    g_assert_false(orr_object_set_uint(obj, "c-ro", 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_READONLY);
    g_assert_nonnull(strstr(err->message, "'c-ro'"));
    g_clear_error(&err);
    g_assert_false(orr_object_set_from_string(obj, "c-ro", "1", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_READONLY);
    g_clear_error(&err);
    pt_assert_prop_string(obj, "c-ro", "1000");

    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_delete_property(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = pt_add_machine();
    OrrObject *obj = orr_test_add_new_child(m, TYPE_OBJ, "o");
    OrrObject *kid = orr_test_add_new_child(obj, TYPE_OBJ, "k");

    pt_add_logged(obj, "x", ORR_PROP_UINT);
    pt_add_logged(obj, "y", ORR_PROP_STRING);
    g_assert_true(orr_object_set_str(obj, "y", "value", &err));

    g_assert_true(orr_object_delete_property(obj, "x", &err));
    g_assert_no_error(err);
    orr_test_assert_log("release o.x");
    g_assert_null(orr_object_find_property(obj, "x"));
    g_assert_false(orr_object_set_uint(obj, "x", 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_clear_error(&err);

    /* Once only. */
    g_assert_false(orr_object_delete_property(obj, "x", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "'x'"));
    g_clear_error(&err);

    /* The name can be used again, with a fresh default. */
    pt_add_logged(obj, "x", ORR_PROP_STRING);
    pt_assert_prop_string(obj, "x", "");

    /* A child<> property: deleting it unparents the child. */
    g_assert_true(orr_object_get_link(obj, "k", &err) == kid);
    g_assert_true(orr_object_delete_property(obj, "k", &err));
    g_assert_no_error(err);
    orr_test_assert_log("finalize k");
    g_assert_null(orr_object_get_child(obj, "k"));
    g_assert_cmpuint(orr_live_count(TYPE_OBJ), ==, 1);

    orr_object_unparent(m);
    /* Remaining instance properties go newest first, after finalize. */
    orr_test_assert_log("finalize o, release o.x, release o.y");
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    pt_register_types();

    g_test_add_func("/property/typed/class-defaults-and-metadata",
                    test_class_defaults_and_metadata);
    g_test_add_func("/property/typed/set-get", test_typed_set_get);
    g_test_add_func("/property/typed/string-forms", test_string_forms);
    g_test_add_func("/property/typed/wrong-type-refused",
                    test_wrong_type_refused);
    g_test_add_func("/property/enum/bad-value-refused", test_enum_bad_value);
    g_test_add_func("/property/instance/add-set-get", test_instance_properties);
    g_test_add_func("/property/class/rules", test_class_property_rules);
    g_test_add_func("/property/accessor/get-set-readonly",
                    test_accessor_properties);
    g_test_add_func("/property/delete/instance-and-child",
                    test_delete_property);
    return g_test_run();
}
