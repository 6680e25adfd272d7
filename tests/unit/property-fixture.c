/*
 * orrery unit tests — the test types and helpers that the property tests
 * share (property-fixture.h).
 */
#include "property-fixture.h"

const char *const pt_modes[] = {"off", "slow", "fast", NULL};
const char *const pt_colors[] = {"red", "green", "blue", NULL};

PtSubDup pt_sub_dup;

/* --- Hooks ---------------------------------------------------------------- */

const char *pt_name_of(OrrObject *obj)
{
    const char *name = orr_object_get_name(obj);

    return name ? name : "(unnamed)";
}

static void obj_instance_finalize(OrrObject *obj)
{
    orr_test_log("finalize %s", pt_name_of(obj));
}

static bool acc_get(OrrObject *obj, const OrrProperty *prop, OrrValue *out,
                    GError **errp)
{
    g_assert_true(orr_property_get_opaque(prop) == (void *)&pt_modes);
    orr_value_set_int(out, ((TestPropObj *)obj)->acc);
    return true;
}

bool pt_acc_set(OrrObject *obj, const OrrProperty *prop, const OrrValue *in,
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
    orr_test_log("release %s.%s", pt_name_of(obj), orr_property_get_name(prop));
}

static void log_class_release(OrrObject *obj, const OrrProperty *prop)
{
    orr_test_log("release-class %s.%s", pt_name_of(obj),
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
            .enum_values = pt_modes,
            .default_value = {.type = ORR_VALUE_STRING, .s = (char *)"slow"},
        },
        {
            .name = "c-acc",
            .type = ORR_PROP_INT,
            .get = acc_get,
            .set = pt_acc_set,
            .opaque = (void *)&pt_modes,
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
        .enum_values = pt_colors,
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
    pt_sub_dup.tried = true;
    pt_sub_dup.added = orr_class_add_property(klass, &dup, &err) != NULL;
    g_assert_nonnull(err);
    pt_sub_dup.code = err->code;
    pt_sub_dup.message = g_strdup(err->message);
}

static void kid_unparent(OrrObject *obj)
{
    TestPropObj *kid = (TestPropObj *)obj;
    OrrObject *parent = orr_object_get_parent(obj);
    g_autoptr(GError) err = NULL;

    orr_test_log("unparent %s", pt_name_of(obj));
    g_assert_nonnull(parent);
    if (kid->victim[0] == '\0') {
        return;
    }
    bool ok = orr_object_delete_property(parent, kid->victim, &err);
    g_assert_true(ok == (err == NULL));
    if (ok) {
        orr_test_log("delete %s.%s ok", pt_name_of(parent), kid->victim);
    } else {
        g_assert_true(err->domain == ORR_ERROR);
        orr_test_log("delete %s.%s failed %d", pt_name_of(parent), kid->victim,
                     err->code);
    }
}

static void kid_class_init(OrrObjectClass *klass, const void *data)
{
    klass->unparent = kid_unparent;
}

void pt_register_types(void)
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
OrrObject *pt_add_machine(void)
{
    return orr_test_add_new_child(orr_root(), ORR_TYPE_CONTAINER,
                                  "test-prop-m");
}

const OrrProperty *pt_add_prop(OrrObject *obj, const OrrPropertyDef *def)
{
    g_autoptr(GError) err = NULL;
    const OrrProperty *prop = orr_object_add_property(obj, def, &err);

    g_assert_no_error(err);
    g_assert_nonnull(prop);
    return prop;
}

/* An instance property of @type named @name whose release is logged. */
const OrrProperty *pt_add_logged(OrrObject *obj, const char *name,
                                 OrrPropType type)
{
    OrrPropertyDef def = {
        .name = name,
        .type = type,
        .enum_values = pt_modes,
        .release = log_release,
    };

    return pt_add_prop(obj, &def);
}

/* The value of @name as a string. */
char *pt_get_string(OrrObject *obj, const char *name)
{
    g_autoptr(GError) err = NULL;
    char *text = orr_object_get_as_string(obj, name, &err);

    g_assert_no_error(err);
    g_assert_nonnull(text);
    return text;
}

static gint compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names an iterator gives, in order, joined with ",". */
char *pt_iter_names(OrrPropertyIter *iter, bool sorted)
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

char *pt_object_prop_names(OrrObject *obj, bool sorted)
{
    g_auto(OrrPropertyIter) iter;

    orr_property_iter_init(&iter, obj);
    return pt_iter_names(&iter, sorted);
}

/* The values of every typed property of test-prop-obj, for "unchanged"
 * checks: "flag|count|size|label|mode|acc". */
char *pt_snapshot_values(OrrObject *obj)
{
    const char *const names[] = {"c-flag",  "c-count", "c-size",
                                 "c-label", "c-mode",  "c-acc"};
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *v = pt_get_string(obj, names[i]);
        g_string_append_printf(s, "%s%s", i ? "|" : "", v);
    }
    return g_string_free(s, FALSE);
}
