/*
 * Unit tests for properties: typed instance and class properties, the
 * typed and string accessors and their refusals, enums, accessor and
 * read-only properties, creation with properties under a parent, child
 * names, iteration (with deletion while iterating) and deletion from an
 * unparent hook while the parent is being finalized.
 */
#include "test-util.h"

/*
 * Test types (registered once in main):
 *
 *   test-prop-obj   class properties:
 *                     c-flag  bool    default true
 *                     c-count int     default -5
 *                     c-size  uint    default 4096
 *                     c-label string  default "lbl"
 *                     c-mode  enum    off|slow|fast, default "slow"
 *                     c-acc   int     accessor on TestPropObj.acc; the
 *                                     setter refuses values above 1000
 *                     c-ro    uint    read-only accessor (acc * 2)
 *                   instance_finalize logs "finalize NAME".
 *   test-prop-sub   a test-prop-obj with class properties
 *                     s-extra uint    release logs "release-class NAME.s-extra"
 *                     s-color enum    red|green|blue
 *                     s-peer  link<test-prop-obj>
 *                   and records what adding a class property named like a
 *                   parent's class property did.
 *   test-prop-kid   a test-prop-obj whose class unparent hook logs
 *                   "unparent NAME" and deletes the parent's property named
 *                   in TestPropObj.victim, logging the outcome.
 */
#define TYPE_OBJ "test-prop-obj"
#define TYPE_SUB "test-prop-sub"
#define TYPE_KID "test-prop-kid"

/* The class property names of each type, sorted. */
#define OBJ_CLASS_PROPS "c-acc,c-count,c-flag,c-label,c-mode,c-ro,c-size"
#define SUB_CLASS_PROPS                                                        \
    "c-acc,c-count,c-flag,c-label,c-mode,c-ro,c-size,s-color,s-extra,s-peer"

typedef struct TestPropObj {
    OrrObject parent_obj;
    int64_t acc;
    /* (empty) the parent property the unparent hook deletes */
    char victim[32];
} TestPropObj;

static const char *const modes[] = {"off", "slow", "fast", NULL};
static const char *const colors[] = {"red", "green", "blue", NULL};

/* What test-prop-sub's class_init saw when adding a duplicate name. */
static struct {
    bool tried;
    bool added;
    int code;
    char *message;
} sub_dup;

/* --- Hooks ---------------------------------------------------------------- */

static const char *name_of(OrrObject *obj)
{
    const char *name = orr_object_get_name(obj);

    return name ? name : "(unnamed)";
}

static void obj_instance_finalize(OrrObject *obj)
{
    orr_test_log("finalize %s", name_of(obj));
}

static bool acc_get(OrrObject *obj, const OrrProperty *prop, OrrValue *out,
                    GError **errp)
{
    g_assert_true(orr_property_get_opaque(prop) == (void *)&modes);
    orr_value_set_int(out, ((TestPropObj *)obj)->acc);
    return true;
}

static bool acc_set(OrrObject *obj, const OrrProperty *prop, const OrrValue *in,
                    GError **errp)
{
    /* The core has converted the value to the property's type. */
    g_assert_cmpint(in->type, ==, ORR_VALUE_INT);
    if (in->i > 1000) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_FAILED,
                    "set: c-acc: %" G_GINT64_FORMAT " is too large", in->i);
        return false;
    }
    ((TestPropObj *)obj)->acc = in->i;
    return true;
}

static bool ro_get(OrrObject *obj, const OrrProperty *prop, OrrValue *out,
                   GError **errp)
{
    orr_value_set_uint(out, (uint64_t)((TestPropObj *)obj)->acc * 2);
    return true;
}

static void log_release(OrrObject *obj, const OrrProperty *prop)
{
    orr_test_log("release %s.%s", name_of(obj), orr_property_get_name(prop));
}

/* Logs, then deletes the property of @obj named by the opaque, if any. */
static void release_deleting(OrrObject *obj, const OrrProperty *prop)
{
    const char *victim = orr_property_get_opaque(prop);
    g_autoptr(GError) err = NULL;

    orr_test_log("release %s.%s", name_of(obj), orr_property_get_name(prop));
    if (victim == NULL) {
        return;
    }
    bool ok = orr_object_delete_property(obj, victim, &err);
    g_assert_true(ok == (err == NULL));
    if (ok) {
        orr_test_log("delete %s.%s ok", name_of(obj), victim);
    } else {
        orr_test_log("delete %s.%s failed %d", name_of(obj), victim, err->code);
    }
}

static void log_class_release(OrrObject *obj, const OrrProperty *prop)
{
    orr_test_log("release-class %s.%s", name_of(obj),
                 orr_property_get_name(prop));
}

static void obj_class_init(OrrObjectClass *klass, const void *data)
{
    const OrrPropertyDef defs[] = {
        {
            .name = "c-flag",
            .type = ORR_PROP_BOOL,
            .description = "a flag",
            .default_value = {.type = ORR_VALUE_BOOL, .b = true},
        },
        {
            .name = "c-count",
            .type = ORR_PROP_INT,
            .default_value = {.type = ORR_VALUE_INT, .i = -5},
        },
        {
            .name = "c-size",
            .type = ORR_PROP_UINT,
            .default_value = {.type = ORR_VALUE_UINT, .u = 4096},
        },
        {
            .name = "c-label",
            .type = ORR_PROP_STRING,
            .default_value = {.type = ORR_VALUE_STRING, .s = (char *)"lbl"},
        },
        {
            .name = "c-mode",
            .type = ORR_PROP_ENUM,
            .enum_values = modes,
            .default_value = {.type = ORR_VALUE_STRING, .s = (char *)"slow"},
        },
        {
            .name = "c-acc",
            .type = ORR_PROP_INT,
            .get = acc_get,
            .set = acc_set,
            .opaque = (void *)&modes,
        },
        {
            .name = "c-ro",
            .type = ORR_PROP_UINT,
            .get = ro_get,
        },
    };
    g_autoptr(GError) err = NULL;

    for (guint i = 0; i < G_N_ELEMENTS(defs); i++) {
        g_assert_nonnull(orr_class_add_property(klass, &defs[i], &err));
        g_assert_no_error(err);
    }
}

static void sub_class_init(OrrObjectClass *klass, const void *data)
{
    static const OrrPropertyDef extra = {
        .name = "s-extra",
        .type = ORR_PROP_UINT,
        .release = log_class_release,
    };
    static const OrrPropertyDef color = {
        .name = "s-color",
        .type = ORR_PROP_ENUM,
        .enum_values = colors,
    };
    static const OrrPropertyDef dup = {
        .name = "c-count",
        .type = ORR_PROP_BOOL,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_class_add_property(klass, &extra, &err));
    g_assert_nonnull(orr_class_add_property(klass, &color, &err));
    g_assert_nonnull(orr_class_add_link(klass, "s-peer", TYPE_OBJ, 0, &err));
    g_assert_no_error(err);

    /* A name an ancestor's class property has. */
    sub_dup.tried = true;
    sub_dup.added = orr_class_add_property(klass, &dup, &err) != NULL;
    g_assert_nonnull(err);
    sub_dup.code = err->code;
    sub_dup.message = g_strdup(err->message);
}

static void kid_unparent(OrrObject *obj)
{
    TestPropObj *kid = (TestPropObj *)obj;
    OrrObject *parent = orr_object_get_parent(obj);
    g_autoptr(GError) err = NULL;

    orr_test_log("unparent %s", name_of(obj));
    g_assert_nonnull(parent);
    if (kid->victim[0] == '\0') {
        return;
    }
    bool ok = orr_object_delete_property(parent, kid->victim, &err);
    g_assert_true(ok == (err == NULL));
    if (ok) {
        orr_test_log("delete %s.%s ok", name_of(parent), kid->victim);
    } else {
        g_assert_true(err->domain == ORR_ERROR);
        orr_test_log("delete %s.%s failed %d", name_of(parent), kid->victim,
                     err->code);
    }
}

static void kid_class_init(OrrObjectClass *klass, const void *data)
{
    klass->unparent = kid_unparent;
}

static void register_types(void)
{
    static const OrrTypeInfo obj = {
        .name = TYPE_OBJ,
        .instance_size = sizeof(TestPropObj),
        .class_init = obj_class_init,
        .instance_finalize = obj_instance_finalize,
    };
    static const OrrTypeInfo sub = {
        .name = TYPE_SUB,
        .parent = TYPE_OBJ,
        .class_init = sub_class_init,
    };
    static const OrrTypeInfo kid = {
        .name = TYPE_KID,
        .parent = TYPE_OBJ,
        .class_init = kid_class_init,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&obj, &err));
    g_assert_nonnull(orr_type_register(&sub, &err));
    g_assert_nonnull(orr_type_register(&kid, &err));
    g_assert_no_error(err);
}

/* --- Helpers -------------------------------------------------------------- */

/* "/test-prop-m", a container to build under. */
static OrrObject *add_machine(void)
{
    return orr_test_add_new_child(orr_root(), ORR_TYPE_CONTAINER,
                                  "test-prop-m");
}

static guint n_children(OrrObject *obj)
{
    g_autoptr(GPtrArray) children = orr_object_get_children(obj);

    return children->len;
}

static const OrrProperty *add_prop(OrrObject *obj, const OrrPropertyDef *def)
{
    g_autoptr(GError) err = NULL;
    const OrrProperty *prop = orr_object_add_property(obj, def, &err);

    g_assert_no_error(err);
    g_assert_nonnull(prop);
    return prop;
}

/* An instance property of @type named @name whose release is logged. */
static const OrrProperty *add_logged(OrrObject *obj, const char *name,
                                     OrrPropType type)
{
    OrrPropertyDef def = {
        .name = name,
        .type = type,
        .enum_values = modes,
        .release = log_release,
    };

    return add_prop(obj, &def);
}

static void set_victim(OrrObject *kid, const char *victim)
{
    g_strlcpy(((TestPropObj *)kid)->victim, victim,
              sizeof(((TestPropObj *)kid)->victim));
}

/* The value of @name as a string. */
static char *get_string(OrrObject *obj, const char *name)
{
    g_autoptr(GError) err = NULL;
    char *text = orr_object_get_as_string(obj, name, &err);

    g_assert_no_error(err);
    g_assert_nonnull(text);
    return text;
}

#define assert_prop_string(obj, name, expected)                                \
    do {                                                                       \
        g_autofree char *s_ = get_string((obj), (name));                       \
        g_assert_cmpstr(s_, ==, (expected));                                   \
    } while (0)

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names an iterator gives, in order, joined with ",". */
static char *iter_names(OrrPropertyIter *iter, bool sorted)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    const OrrProperty *prop;

    while ((prop = orr_property_iter_next(iter)) != NULL) {
        g_ptr_array_add(names, (char *)orr_property_get_name(prop));
    }
    if (sorted) {
        g_ptr_array_sort(names, compare_strings);
    }
    g_ptr_array_add(names, NULL);
    return g_strjoinv(",", (char **)names->pdata);
}

static char *object_prop_names(OrrObject *obj, bool sorted)
{
    g_auto(OrrPropertyIter) iter;

    orr_property_iter_init(&iter, obj);
    return iter_names(&iter, sorted);
}

static char *class_prop_names(const char *type_name, bool sorted)
{
    g_auto(OrrPropertyIter) iter;

    orr_class_property_iter_init(
        &iter, orr_type_get_class(orr_type_lookup(type_name)));
    return iter_names(&iter, sorted);
}

#define assert_object_props(obj, sorted, expected)                             \
    do {                                                                       \
        g_autofree char *n_ = object_prop_names((obj), (sorted));              \
        g_assert_cmpstr(n_, ==, (expected));                                   \
    } while (0)

#define assert_class_props(type_name, sorted, expected)                        \
    do {                                                                       \
        g_autofree char *n_ = class_prop_names((type_name), (sorted));         \
        g_assert_cmpstr(n_, ==, (expected));                                   \
    } while (0)

/* Every name once: the sorted list has no neighbours that are equal. */
static void assert_names_unique(const char *joined)
{
    g_auto(GStrv) names = g_strsplit(joined, ",", -1);

    for (guint i = 1; names[i] != NULL; i++) {
        g_assert_cmpstr(names[i - 1], !=, names[i]);
    }
}

/* The values of every typed property of test-prop-obj, for "unchanged"
 * checks: "flag|count|size|label|mode|acc". */
static char *snapshot_values(OrrObject *obj)
{
    const char *const names[] = {"c-flag",  "c-count", "c-size",
                                 "c-label", "c-mode",  "c-acc"};
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *v = get_string(obj, names[i]);
        g_string_append_printf(s, "%s%s", i ? "|" : "", v);
    }
    return g_string_free(s, FALSE);
}

#define assert_values(obj, expected)                                           \
    do {                                                                       \
        g_autofree char *v_ = snapshot_values(obj);                            \
        g_assert_cmpstr(v_, ==, (expected));                                   \
    } while (0)

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
    assert_values(obj, DEFAULT_VALUES);
    assert_prop_string(obj, "c-ro", "0");

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
    g_assert_true(values != modes); /* copied */
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
    assert_values(a, "false|-9223372036854775808|18446744073709551615|"
                     "hello world|fast|21");
    g_assert_cmpint(((TestPropObj *)a)->acc, ==, 21);
    g_assert_true(orr_object_get_uint(a, "c-ro", &ro, &err));
    g_assert_cmpuint(ro, ==, 42);
    g_assert_true(orr_object_get_str(a, "c-mode", &mode, &err));
    g_assert_cmpstr(mode, ==, "fast");

    /* Class properties store per instance. */
    assert_values(b, DEFAULT_VALUES);

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
    assert_values(b, "true|7|9|lbl|off|0");

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
        assert_prop_string(obj, ok[i].name, ok[i].expect);
    }
    assert_values(obj, "true|31|77|a b|off|1000");

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
    assert_values(obj, "true|31|77|a b|off|1000");

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

    assert_values(obj, "true|-5|4096|keep|slow|0");

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

    assert_values(obj, "true|-5|4096|keep|slow|0");
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
    assert_prop_string(obj, "c-mode", "fast");

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
    assert_prop_string(obj, "c-mode", "fast");

    /* An instance enum property behaves the same. */
    add_logged(obj, "i-mode", ORR_PROP_ENUM);
    assert_prop_string(obj, "i-mode", "off"); /* the first value */
    g_assert_false(orr_object_set_str(obj, "i-mode", "bogus", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'i-mode'"));
    g_assert_nonnull(strstr(err->message, "'bogus'"));
    g_clear_error(&err);
    assert_prop_string(obj, "i-mode", "off");

    /* A subclass's enum with its own values. */
    OrrObject *sub = orr_test_new_object(TYPE_SUB);
    assert_prop_string(sub, "s-color", "red");
    g_assert_false(orr_object_set_str(sub, "s-color", "slow", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'s-color'"));
    g_assert_nonnull(strstr(err->message, "'slow'"));
    g_clear_error(&err);
    g_assert_true(orr_object_set_str(sub, "s-color", "blue", &err));
    assert_prop_string(sub, "s-color", "blue");

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
        {.name = "i-uint", .type = ORR_PROP_UINT, .enum_values = colors},
        {.name = "i-str",
         .type = ORR_PROP_STRING,
         .default_value = {.type = ORR_VALUE_STRING, .s = (char *)"x"}},
        {.name = "i-enum", .type = ORR_PROP_ENUM, .enum_values = colors},
        {.name = "pc.ram", .type = ORR_PROP_UINT, .flags = ORR_PROP_READONLY},
    };

    for (guint i = 0; i < G_N_ELEMENTS(defs); i++) {
        const OrrProperty *prop = add_prop(obj, &defs[i]);
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
    assert_prop_string(obj, "i-bool", "true");
    assert_prop_string(obj, "i-int", "3");
    assert_prop_string(obj, "i-uint", "0");
    assert_prop_string(obj, "i-str", "x");
    assert_prop_string(obj, "i-enum", "red");
    assert_prop_string(obj, "pc.ram", "0");

    g_assert_true(orr_object_set_bool(obj, "i-bool", false, &err));
    g_assert_true(orr_object_set_int(obj, "i-int", -1, &err));
    g_assert_true(orr_object_set_uint(obj, "i-uint", 1, &err));
    g_assert_true(orr_object_set_str(obj, "i-str", "y", &err));
    g_assert_true(orr_object_set_str(obj, "i-enum", "green", &err));
    g_assert_no_error(err);
    assert_prop_string(obj, "i-bool", "false");
    assert_prop_string(obj, "i-int", "-1");
    assert_prop_string(obj, "i-uint", "1");
    assert_prop_string(obj, "i-str", "y");
    assert_prop_string(obj, "i-enum", "green");

    /* A read-only stored property. */
    g_assert_true(
        orr_property_is_readonly(orr_object_find_property(obj, "pc.ram")));
    g_assert_false(orr_object_set_uint(obj, "pc.ram", 5, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_READONLY);
    g_assert_nonnull(strstr(err->message, "'pc.ram'"));
    g_clear_error(&err);
    assert_prop_string(obj, "pc.ram", "0");

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
    assert_prop_string(obj, "i-int", "-1");
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
        {.name = "s", .type = ORR_PROP_INT, .set = acc_set},
        {.name = "d",
         .type = ORR_PROP_ENUM,
         .enum_values = modes,
         .default_value = {.type = ORR_VALUE_STRING, .s = (char *)"nope"}},
        {.name = "d",
         .type = ORR_PROP_BOOL,
         .default_value = {.type = ORR_VALUE_INT, .i = 1}},
    };
    g_autofree char *before = object_prop_names(obj, false);
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_null(orr_object_add_property(obj, &bad[i], &err));
        g_assert_nonnull(err);
        g_assert_true(err->domain == ORR_ERROR);
        g_clear_error(&err);
    }
    assert_object_props(obj, false, before);

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
    g_assert_true(sub_dup.tried);
    g_assert_false(sub_dup.added);
    g_assert_cmpint(sub_dup.code, ==, ORR_ERROR_EXISTS);
    g_assert_nonnull(strstr(sub_dup.message, "'c-count'"));
    const OrrProperty *count = orr_object_find_property(sub, "c-count");
    g_assert_cmpint(orr_property_get_type(count), ==, ORR_PROP_INT);
    assert_prop_string(sub, "c-count", "-5");

    /* Inherited class properties work on the subclass. */
    g_assert_true(orr_object_set_int(sub, "c-count", 8, &err));
    g_assert_true(orr_object_set_uint(sub, "s-extra", 2, &err));
    g_assert_no_error(err);
    assert_prop_string(sub, "c-count", "8");
    assert_prop_string(sub, "s-extra", "2");
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
    assert_prop_string(sub, "c-count", "8");

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
    assert_prop_string(obj, "c-ro", "1000");

    /* The setter's refusal is passed on; nothing changes. */
    g_assert_false(orr_object_set_int(obj, "c-acc", 1001, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_clear_error(&err);
    g_assert_false(orr_object_set_from_string(obj, "c-acc", "5000", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_clear_error(&err);
    assert_prop_string(obj, "c-acc", "500");

    /* A getter without a setter is read-only. */
    g_assert_false(orr_object_set_uint(obj, "c-ro", 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_READONLY);
    g_assert_nonnull(strstr(err->message, "'c-ro'"));
    g_clear_error(&err);
    g_assert_false(orr_object_set_from_string(obj, "c-ro", "1", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_READONLY);
    g_clear_error(&err);
    assert_prop_string(obj, "c-ro", "1000");

    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_delete_property(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *obj = orr_test_add_new_child(m, TYPE_OBJ, "o");
    OrrObject *kid = orr_test_add_new_child(obj, TYPE_OBJ, "k");

    add_logged(obj, "x", ORR_PROP_UINT);
    add_logged(obj, "y", ORR_PROP_STRING);
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
    add_logged(obj, "x", ORR_PROP_STRING);
    assert_prop_string(obj, "x", "");

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

/* --- Creation with properties under a parent ------------------------------ */

static void test_new_with_props_success(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();

    OrrObject *obj = orr_object_new_with_props(
        TYPE_SUB, m, "dev", &err, "c-flag", "off", "c-count", "-3", "c-size",
        "0x20", "c-label", "uart", "c-mode", "fast", "c-acc", "9", "s-color",
        "green", NULL);
    g_assert_no_error(err);
    g_assert_nonnull(obj);
    g_assert_true(orr_object_get_child(m, "dev") == obj);
    g_assert_true(orr_object_get_parent(obj) == m);
    g_assert_true(orr_object_resolve_path("/test-prop-m/dev", TYPE_SUB, NULL) ==
                  obj);
    g_autofree char *path = orr_object_get_path(obj);
    g_assert_cmpstr(path, ==, "/test-prop-m/dev");
    /* (transfer none): only the parent holds it. */
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    assert_values(obj, "false|-3|32|uart|fast|9");
    assert_prop_string(obj, "s-color", "green");

    /* The typed variant. */
    OrrValue mode = {.type = ORR_VALUE_STRING, .s = (char *)"off"};
    OrrValue size = {.type = ORR_VALUE_INT, .i = 12};
    const OrrPropAssign props[] = {{"c-mode", &mode}, {"c-size", &size}};
    OrrObject *obj2 = orr_object_new_with_propv(TYPE_OBJ, m, "dev2", props,
                                                G_N_ELEMENTS(props), &err);
    g_assert_no_error(err);
    g_assert_true(orr_object_get_child(m, "dev2") == obj2);
    assert_values(obj2, "true|-5|12|lbl|off|0");

    /* The parent's reference is the one unparent drops. */
    orr_object_unparent(obj);
    orr_test_assert_log("finalize dev, release-class dev.s-extra");
    g_assert_null(orr_object_get_child(m, "dev"));
    g_assert_cmpuint(orr_live_count(TYPE_OBJ), ==, 1);
    orr_object_unparent(obj2);
    orr_test_assert_log("finalize dev2");
    g_assert_cmpuint(n_children(m), ==, 0);

    orr_object_unparent(m);
    orr_test_assert_no_live_objects();
}

/* Asserts that a failed creation returned NULL with an ORR_ERROR and left
 * nothing: no child of @m, no object of the test types. */
static void assert_new_left_nothing(OrrObject *result, GError **err,
                                    OrrObject *m, int code)
{
    g_assert_null(result);
    g_assert_error(*err, ORR_ERROR, code);
    g_clear_error(err);
    g_assert_cmpuint(n_children(m), ==, 0);
    g_assert_null(orr_object_get_child(m, "dev"));
    g_assert_false(orr_object_find_property(m, "dev") != NULL);
    g_assert_cmpuint(orr_live_count(TYPE_OBJ), ==, 0);
    /* Only the machine is alive. */
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);
}

static void test_new_with_props_failure(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();

    /* An unknown property, after good ones. */
    assert_new_left_nothing(orr_object_new_with_props(TYPE_OBJ, m, "dev", &err,
                                                      "c-count", "1", "c-nope",
                                                      "1", NULL),
                            &err, m, ORR_ERROR_NOT_FOUND);
    /* A bad enum value: the message names the property and the value. */
    g_assert_null(orr_object_new_with_props(TYPE_OBJ, m, "dev", &err, "c-label",
                                            "x", "c-mode", "turbo", NULL));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'c-mode'"));
    g_assert_nonnull(strstr(err->message, "'turbo'"));
    assert_new_left_nothing(NULL, &err, m, ORR_ERROR_INVALID);
    /* The last property bad. */
    assert_new_left_nothing(
        orr_object_new_with_props(TYPE_SUB, m, "dev", &err, "c-mode", "fast",
                                  "s-color", "purple", NULL),
        &err, m, ORR_ERROR_INVALID);
    /* Unparsable, read-only, refused by the setter. */
    assert_new_left_nothing(orr_object_new_with_props(TYPE_OBJ, m, "dev", &err,
                                                      "c-size", "-4", NULL),
                            &err, m, ORR_ERROR_INVALID);
    assert_new_left_nothing(
        orr_object_new_with_props(TYPE_OBJ, m, "dev", &err, "c-ro", "4", NULL),
        &err, m, ORR_ERROR_READONLY);
    assert_new_left_nothing(orr_object_new_with_props(TYPE_OBJ, m, "dev", &err,
                                                      "c-acc", "4000", NULL),
                            &err, m, ORR_ERROR_FAILED);
    /* A subclass's property on the parent type. */
    assert_new_left_nothing(orr_object_new_with_props(TYPE_OBJ, m, "dev", &err,
                                                      "s-extra", "1", NULL),
                            &err, m, ORR_ERROR_NOT_FOUND);

    /* The typed variant: a wrong type, an unknown name. */
    OrrValue flag = {.type = ORR_VALUE_STRING, .s = (char *)"true"};
    OrrValue one = {.type = ORR_VALUE_UINT, .u = 1};
    const OrrPropAssign wrong[] = {{"c-size", &one}, {"c-flag", &flag}};
    const OrrPropAssign unknown[] = {{"c-size", &one}, {"nope", &one}};
    assert_new_left_nothing(
        orr_object_new_with_propv(TYPE_OBJ, m, "dev", wrong, 2, &err), &err, m,
        ORR_ERROR_TYPE);
    assert_new_left_nothing(
        orr_object_new_with_propv(TYPE_OBJ, m, "dev", unknown, 2, &err), &err,
        m, ORR_ERROR_NOT_FOUND);

    /* Every failed object was finalized, none was ever named. */
    orr_test_assert_log("finalize (unnamed), finalize (unnamed), "
                        "finalize (unnamed), release-class (unnamed).s-extra, "
                        "finalize (unnamed), finalize (unnamed), "
                        "finalize (unnamed), finalize (unnamed), "
                        "finalize (unnamed), finalize (unnamed)");

    /* The name is still free. */
    OrrObject *obj = orr_object_new_with_props(TYPE_OBJ, m, "dev", &err,
                                               "c-count", "2", NULL);
    g_assert_no_error(err);
    g_assert_true(orr_object_get_child(m, "dev") == obj);
    orr_object_unparent(m);
    orr_test_assert_log("finalize dev");
    orr_test_assert_no_live_objects();
}

/* A failed creation drops the references its links took. */
static void test_new_with_props_failure_drops_links(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *other = orr_test_add_new_child(m, TYPE_OBJ, "other");

    g_assert_null(orr_object_new_with_props(TYPE_SUB, m, "dev", &err, "s-peer",
                                            "/test-prop-m/other", "s-color",
                                            "purple", NULL));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "'purple'"));
    g_clear_error(&err);
    orr_test_assert_log("finalize (unnamed), release-class (unnamed).s-extra");
    g_assert_null(orr_object_get_child(m, "dev"));
    g_assert_cmpuint(n_children(m), ==, 1);
    g_assert_cmpuint(orr_object_get_refcount(other), ==, 1);
    g_autoptr(GPtrArray) holders = orr_object_list_holders(other);
    g_assert_cmpuint(holders->len, ==, 1);
    g_assert_cmpuint(orr_live_count(TYPE_SUB), ==, 0);
    g_assert_cmpuint(orr_live_count(NULL), ==, 2);

    /* Succeeding, the link (across, so owning) holds the target. */
    OrrObject *dev = orr_object_new_with_props(
        TYPE_SUB, m, "dev", &err, "s-peer", "/test-prop-m/other", NULL);
    g_assert_no_error(err);
    g_assert_true(orr_object_get_link(dev, "s-peer", &err) == other);
    g_assert_cmpuint(orr_object_get_refcount(other), ==, 2);
    orr_object_unparent(dev);
    orr_test_assert_log("finalize dev, release-class dev.s-extra");
    g_assert_cmpuint(orr_object_get_refcount(other), ==, 1);

    orr_object_unparent(m);
    orr_test_assert_log("finalize other");
    orr_test_assert_no_live_objects();
}

/* --- Child names ---------------------------------------------------------- */

static void test_duplicate_child_name(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *orig = orr_test_add_new_child(m, TYPE_OBJ, "dev");
    OrrObject *dup = orr_test_new_object(TYPE_OBJ);

    g_assert_true(orr_object_set_int(orig, "c-count", 77, &err));
    add_logged(m, "knob", ORR_PROP_UINT);

    /* A child of that name exists. */
    g_assert_null(orr_object_add_child(m, "dev", dup, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_EXISTS);
    g_assert_nonnull(strstr(err->message, "'dev'"));
    g_clear_error(&err);
    /* A non-child property of that name exists. */
    g_assert_null(orr_object_add_child(m, "knob", dup, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_EXISTS);
    g_clear_error(&err);
    /* Through new_with_props. */
    g_assert_null(orr_object_new_with_props(TYPE_OBJ, m, "dev", &err, "c-count",
                                            "1", NULL));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_EXISTS);
    g_clear_error(&err);
    orr_test_assert_log("finalize (unnamed)");

    /* The original is untouched. */
    g_assert_true(orr_object_get_child(m, "dev") == orig);
    g_assert_true(orr_object_get_parent(orig) == m);
    g_assert_cmpuint(orr_object_get_refcount(orig), ==, 1);
    g_assert_cmpstr(orr_object_get_name(orig), ==, "dev");
    assert_prop_string(orig, "c-count", "77");
    g_assert_cmpuint(n_children(m), ==, 1);
    g_assert_cmpint(orr_property_get_type(orr_object_find_property(m, "knob")),
                    ==, ORR_PROP_UINT);
    /* The refused one is as it was: detached, unnamed, ours. */
    g_assert_null(orr_object_get_parent(dup));
    g_assert_null(orr_object_get_name(dup));
    g_assert_cmpuint(orr_object_get_refcount(dup), ==, 1);

    /* Under another name it is fine. */
    g_assert_cmpstr(orr_object_add_child(m, "dev[*]", dup, &err), ==, "dev[0]");
    g_assert_no_error(err);
    orr_object_unref(dup);

    orr_object_unparent(m);
    orr_test_assert_log(
        "finalize dev[0], finalize dev, release test-prop-m.knob");
    orr_test_assert_no_live_objects();
}

/* --- Iteration ------------------------------------------------------------ */

static void test_iter_instance_exact(void)
{
    OrrObject *m = add_machine();
    OrrObject *sub = orr_test_add_new_child(m, TYPE_SUB, "s");
    g_autoptr(GError) err = NULL;

    /* Class properties only. */
    assert_object_props(sub, true, SUB_CLASS_PROPS);

    add_logged(sub, "i-b", ORR_PROP_BOOL);
    add_logged(sub, "i-a", ORR_PROP_INT);
    orr_test_add_new_child(sub, TYPE_OBJ, "kid");
    g_assert_nonnull(orr_object_add_link(sub, "peer", TYPE_OBJ, 0, &err));
    g_assert_no_error(err);

    g_autofree char *sorted = object_prop_names(sub, true);
    g_assert_cmpstr(sorted, ==,
                    "c-acc,c-count,c-flag,c-label,c-mode,c-ro,c-size,i-a,i-b,"
                    "kid,peer,s-color,s-extra,s-peer");
    assert_names_unique(sorted);
    /* In order: the most-derived class's, then its parent's, each in order
     * of addition, then the instance properties in order of addition. */
    assert_object_props(sub, false,
                        "s-extra,s-color,s-peer,c-flag,c-count,c-size,c-label,"
                        "c-mode,c-acc,c-ro,i-b,i-a,kid,peer");

    /* A plain instance has only its own class's. */
    OrrObject *obj = orr_test_add_new_child(m, TYPE_OBJ, "o");
    assert_object_props(obj, true, OBJ_CLASS_PROPS);

    /* A container has only its children. */
    assert_object_props(m, true, "o,s");

    orr_object_unparent(m);
    orr_test_assert_log(
        "finalize o, finalize s, finalize kid, "
        "release s.i-a, release s.i-b, release-class s.s-extra");
    orr_test_assert_no_live_objects();
}

static void test_iter_class_exact(void)
{
    /* Each name once, the inherited ones included. */
    assert_class_props(TYPE_OBJ, true, OBJ_CLASS_PROPS);
    assert_class_props(TYPE_SUB, true, SUB_CLASS_PROPS);
    assert_class_props(TYPE_KID, true, OBJ_CLASS_PROPS);
    assert_class_props(ORR_TYPE_OBJECT, true, "");
    assert_class_props(
        TYPE_SUB, false,
        "s-extra,s-color,s-peer,c-flag,c-count,c-size,c-label,c-mode,"
        "c-acc,c-ro");

    /* Instance properties never show in the class's list. */
    OrrObject *obj = orr_test_new_object(TYPE_SUB);
    add_logged(obj, "i-x", ORR_PROP_INT);
    assert_class_props(TYPE_SUB, true, SUB_CLASS_PROPS);
    g_auto(OrrPropertyIter) iter;
    orr_class_property_iter_init(&iter, obj->klass);
    g_autofree char *names = iter_names(&iter, true);
    g_assert_cmpstr(names, ==, SUB_CLASS_PROPS);
    /* Clearing twice is fine; a cleared iterator is at its end. */
    orr_property_iter_clear(&iter);
    orr_property_iter_clear(&iter);
    g_assert_null(orr_property_iter_next(&iter));

    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

/* Deletes, while iterating, the property that would come next. */
static void test_iter_delete_next(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func(g_free);
    const char *const names[] = {"p0", "p1", "p2", "p3", "p4", "p5"};
    g_auto(OrrPropertyIter) iter;
    const OrrProperty *prop;

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        add_logged(obj, names[i], ORR_PROP_UINT);
    }
    orr_property_iter_init(&iter, obj);
    while ((prop = orr_property_iter_next(&iter)) != NULL) {
        const char *name = orr_property_get_name(prop);

        g_ptr_array_add(seen, g_strdup(name));
        /* p0 deletes p1, p2 deletes p3 and p4 deletes p5. */
        if (g_str_equal(name, "p0") || g_str_equal(name, "p2") ||
            g_str_equal(name, "p4")) {
            char next[] = {'p', (char)(name[1] + 1), '\0'};
            g_assert_true(orr_object_delete_property(obj, next, &err));
            g_assert_no_error(err);
        }
    }
    orr_property_iter_clear(&iter);
    g_ptr_array_add(seen, NULL);
    g_autofree char *joined = g_strjoinv(",", (char **)seen->pdata);
    g_assert_cmpstr(joined, ==,
                    "c-flag,c-count,c-size,c-label,c-mode,c-acc,c-ro,"
                    "p0,p2,p4");
    orr_test_assert_log("release (unnamed).p1, release (unnamed).p3, "
                        "release (unnamed).p5");
    assert_object_props(obj, false,
                        "c-flag,c-count,c-size,c-label,c-mode,c-acc,c-ro,"
                        "p0,p2,p4");

    orr_object_unref(obj);
    orr_test_assert_log("finalize (unnamed), release (unnamed).p4, "
                        "release (unnamed).p2, release (unnamed).p0");
    orr_test_assert_no_live_objects();
}

/* Deletes, while iterating, the property just returned, then everything
 * else; adds a property with a deleted name. */
static void test_iter_delete_current_and_rest(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    OrrObject *k = orr_test_new_object(TYPE_OBJ);
    g_auto(OrrPropertyIter) iter;
    const OrrProperty *prop;
    guint instance_seen = 0;

    add_logged(obj, "a", ORR_PROP_STRING);
    g_assert_nonnull(orr_object_add_child(obj, "k", k, &err));
    orr_object_unref(k);
    add_logged(obj, "b", ORR_PROP_ENUM);
    add_logged(obj, "c", ORR_PROP_BOOL);
    g_assert_no_error(err);

    orr_property_iter_init(&iter, obj);
    while ((prop = orr_property_iter_next(&iter)) != NULL) {
        const char *name = orr_property_get_name(prop);

        if (orr_property_is_class(prop)) {
            continue;
        }
        instance_seen++;
        /* The current one: the record stays readable. */
        g_assert_true(orr_object_delete_property(obj, name, &err));
        g_assert_no_error(err);
        g_assert_cmpstr(orr_property_get_name(prop), ==, name);
        if (g_str_equal(name, "a")) {
            /* And all the others; a new "b" is not the old one. */
            g_assert_true(orr_object_delete_property(obj, "c", &err));
            g_assert_true(orr_object_delete_property(obj, "b", &err));
            g_assert_true(orr_object_delete_property(obj, "k", &err));
            g_assert_no_error(err);
            add_logged(obj, "b", ORR_PROP_UINT);
        }
    }
    g_assert_cmpuint(instance_seen, ==, 1);
    orr_test_assert_log("release (unnamed).a, release (unnamed).c, "
                        "release (unnamed).b, finalize k");
    assert_object_props(obj, false,
                        "c-flag,c-count,c-size,c-label,c-mode,c-acc,c-ro,b");
    orr_property_iter_clear(&iter);

    orr_object_unref(obj);
    orr_test_assert_log("finalize (unnamed), release (unnamed).b");
    orr_test_assert_no_live_objects();
}

/* The object goes while one of its iterators is open: the instance
 * properties are skipped, the iterator stays safe to advance and clear. */
static void test_iter_object_freed(void)
{
    OrrObject *m = add_machine();
    OrrObject *obj = orr_test_add_new_child(m, TYPE_OBJ, "o");
    g_auto(OrrPropertyIter) iter;
    const OrrProperty *prop;
    guint n = 0;

    add_logged(obj, "x", ORR_PROP_UINT);
    add_logged(obj, "y", ORR_PROP_UINT);
    orr_property_iter_init(&iter, obj);
    g_assert_nonnull(orr_property_iter_next(&iter));
    orr_object_unparent(m);
    orr_test_assert_log("finalize o, release o.y, release o.x");
    while ((prop = orr_property_iter_next(&iter)) != NULL) {
        g_assert_true(orr_property_is_class(prop));
        n++;
    }
    g_assert_cmpuint(n, ==, 6);
    orr_test_assert_no_live_objects();
}

/* A release that deletes another property: the other is released once. */
static OrrObject *new_deleting(const char *victim_of_c, const char *victim_of_d)
{
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    const char *const names[] = {"a", "b", "c", "d"};
    const char *const victims[] = {NULL, NULL, victim_of_c, victim_of_d};

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        OrrPropertyDef def = {
            .name = names[i],
            .type = ORR_PROP_STRING,
            .release = release_deleting,
            .opaque = (void *)victims[i],
        };
        add_prop(obj, &def);
    }
    return obj;
}

static void test_release_deletes_other(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = new_deleting("b", "a");

    /* Live: deleting c deletes b. */
    g_assert_true(orr_object_delete_property(obj, "c", &err));
    g_assert_no_error(err);
    orr_test_assert_log("release (unnamed).c, release (unnamed).b, "
                        "delete (unnamed).b ok");
    assert_object_props(obj, false,
                        "c-flag,c-count,c-size,c-label,c-mode,c-acc,c-ro,a,d");
    orr_object_unref(obj);
    /* Finalizing: d goes first and deletes a, which is then skipped. */
    orr_test_assert_log("finalize (unnamed), release (unnamed).d, "
                        "release (unnamed).a, delete (unnamed).a ok");

    /* During teardown: d deletes itself (already going), c deletes b. */
    obj = new_deleting("b", "d");
    orr_object_unref(obj);
    orr_test_assert_log("finalize (unnamed), "
                        "release (unnamed).d, delete (unnamed).d failed 1, "
                        "release (unnamed).c, release (unnamed).b, "
                        "delete (unnamed).b ok, release (unnamed).a");
    orr_test_assert_no_live_objects();
}

/* --- Deletion from an unparent hook during the parent's finalize ---------- */

/*
 * p has instance properties x and y (releases logged) and children k0, k1,
 * k2 (test-prop-kid). The parent's last reference goes: its finalize
 * unparents k2, k1, k0 in that order, and each kid's unparent hook deletes
 * a property of p, which is FINALIZING.
 */
static OrrObject *build_family(OrrObject *m, const char *v0, const char *v1,
                               const char *v2)
{
    OrrObject *p = orr_test_add_new_child(m, TYPE_OBJ, "p");

    add_logged(p, "x", ORR_PROP_UINT);
    set_victim(orr_test_add_new_child(p, TYPE_KID, "k0"), v0);
    set_victim(orr_test_add_new_child(p, TYPE_KID, "k1"), v1);
    set_victim(orr_test_add_new_child(p, TYPE_KID, "k2"), v2);
    add_logged(p, "y", ORR_PROP_STRING);
    return p;
}

static void test_finalize_hook_deletes_plain_property(void)
{
    OrrObject *m = add_machine();

    build_family(m, "", "y", "x");
    orr_object_unparent(m);
    orr_test_assert_log("finalize p, "
                        "unparent k2, release p.x, delete p.x ok, finalize k2, "
                        "unparent k1, release p.y, delete p.y ok, finalize k1, "
                        "unparent k0, finalize k0");
    orr_test_assert_no_live_objects();
}

static void test_finalize_hook_deletes_sibling(void)
{
    OrrObject *m = add_machine();

    /* k2 deletes k0 (whose hook runs, nested); k1 then finds k0 gone. */
    build_family(m, "x", "k0", "k0");
    orr_object_unparent(m);
    orr_test_assert_log("finalize p, "
                        "unparent k2, unparent k0, release p.x, "
                        "delete p.x ok, finalize k0, delete p.k0 ok, "
                        "finalize k2, "
                        "unparent k1, delete p.k0 failed 1, finalize k1, "
                        "release p.y");
    orr_test_assert_no_live_objects();
}

static void test_finalize_hook_deletes_own_edge(void)
{
    OrrObject *m = add_machine();

    /* Each kid deletes its own child<> property, and k1 a class property
     * (refused: class properties cannot be deleted). */
    build_family(m, "k0", "c-flag", "k2");
    orr_object_unparent(m);
    orr_test_assert_log("finalize p, "
                        "unparent k2, delete p.k2 ok, finalize k2, "
                        "unparent k1, delete p.c-flag failed 0, finalize k1, "
                        "unparent k0, delete p.k0 ok, finalize k0, "
                        "release p.y, release p.x");
    orr_test_assert_no_live_objects();
}

static void test_finalize_hook_deletes_everything(void)
{
    OrrObject *m = add_machine();

    /* k2 deletes k1, whose hook deletes x; k0 deletes y: nothing is left
     * for the teardown of p's own properties. */
    build_family(m, "y", "x", "k1");
    orr_object_unparent(m);
    orr_test_assert_log("finalize p, "
                        "unparent k2, unparent k1, release p.x, "
                        "delete p.x ok, finalize k1, delete p.k1 ok, "
                        "finalize k2, "
                        "unparent k0, release p.y, delete p.y ok, finalize k0");
    orr_test_assert_no_live_objects();
}

static void test_finalize_hooks_delete_each_other(void)
{
    OrrObject *m = add_machine();

    /* k2 deletes k1, whose hook deletes k2 while k2's hook runs: each
     * edge goes once, each kid is finalized once. */
    build_family(m, "", "k2", "k1");
    orr_object_unparent(m);
    orr_test_assert_log("finalize p, "
                        "unparent k2, unparent k1, delete p.k2 ok, "
                        "finalize k1, delete p.k1 ok, finalize k2, "
                        "unparent k0, finalize k0, "
                        "release p.y, release p.x");
    orr_test_assert_no_live_objects();
}

/* The same hooks when the parent is alive: an ordinary unparent. */
static void test_unparent_hook_deletes_live_parent_property(void)
{
    OrrObject *m = add_machine();
    OrrObject *p = build_family(m, "", "", "x");
    OrrObject *k2 = orr_object_get_child(p, "k2");

    orr_object_unparent(k2);
    orr_test_assert_log("unparent k2, release p.x, delete p.x ok, finalize k2");
    g_assert_null(orr_object_find_property(p, "x"));
    g_assert_cmpuint(n_children(p), ==, 2);
    assert_object_props(p, false,
                        "c-flag,c-count,c-size,c-label,c-mode,c-acc,c-ro,"
                        "k0,k1,y");
    orr_object_unparent(m);
    orr_test_assert_log("finalize p, unparent k1, finalize k1, "
                        "unparent k0, finalize k0, release p.y");
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    register_types();

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
    g_test_add_func("/property/new-with-props/success",
                    test_new_with_props_success);
    g_test_add_func("/property/new-with-props/failure-leaves-nothing",
                    test_new_with_props_failure);
    g_test_add_func("/property/new-with-props/failure-drops-links",
                    test_new_with_props_failure_drops_links);
    g_test_add_func("/property/child/duplicate-name-refused",
                    test_duplicate_child_name);
    g_test_add_func("/property/iter/instance-exact", test_iter_instance_exact);
    g_test_add_func("/property/iter/class-exact", test_iter_class_exact);
    g_test_add_func("/property/iter/delete-next", test_iter_delete_next);
    g_test_add_func("/property/iter/delete-current-and-rest",
                    test_iter_delete_current_and_rest);
    g_test_add_func("/property/iter/object-freed", test_iter_object_freed);
    g_test_add_func("/property/finalize/hook-deletes-plain-property",
                    test_finalize_hook_deletes_plain_property);
    g_test_add_func("/property/finalize/hook-deletes-sibling",
                    test_finalize_hook_deletes_sibling);
    g_test_add_func("/property/finalize/hook-deletes-own-edge",
                    test_finalize_hook_deletes_own_edge);
    g_test_add_func("/property/finalize/hook-deletes-everything",
                    test_finalize_hook_deletes_everything);
    g_test_add_func("/property/finalize/hooks-delete-each-other",
                    test_finalize_hooks_delete_each_other);
    g_test_add_func("/property/delete/release-deletes-other",
                    test_release_deletes_other);
    g_test_add_func("/property/unparent/hook-deletes-live-parent-property",
                    test_unparent_hook_deletes_live_parent_property);
    return g_test_run();
}
