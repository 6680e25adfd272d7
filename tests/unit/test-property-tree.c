/*
 * Unit tests for properties in the object tree: creation with properties
 * under a parent, child names, iteration (with deletion while iterating),
 * releases that delete properties, and deletion from an unparent hook
 * while the parent is being finalized.
 */
#include "property-fixture.h"

/* The class property names of each type, sorted. */
#define OBJ_CLASS_PROPS "c-acc,c-count,c-flag,c-label,c-mode,c-ro,c-size"
#define SUB_CLASS_PROPS                                                        \
    "c-acc,c-count,c-flag,c-label,c-mode,c-ro,c-size,s-color,s-extra,s-peer"

/* --- Helpers -------------------------------------------------------------- */

static guint n_children(OrrObject *obj)
{
    g_autoptr(GPtrArray) children = orr_object_get_children(obj);

    return children->len;
}

static void set_victim(OrrObject *kid, const char *victim)
{
    g_strlcpy(((TestPropObj *)kid)->victim, victim,
              sizeof(((TestPropObj *)kid)->victim));
}

static char *class_prop_names(const char *type_name, bool sorted)
{
    g_auto(OrrPropertyIter) iter;

    orr_class_property_iter_init(
        &iter, orr_type_get_class(orr_type_lookup(type_name)));
    return pt_iter_names(&iter, sorted);
}

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

/* --- Creation with properties under a parent ------------------------------ */

static void test_new_with_props_success(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = pt_add_machine();

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
    pt_assert_values(obj, "false|-3|32|uart|fast|9");
    pt_assert_prop_string(obj, "s-color", "green");

    /* The typed variant. */
    OrrValue mode = {.type = ORR_VALUE_STRING, .s = (char *)"off"};
    OrrValue size = {.type = ORR_VALUE_INT, .i = 12};
    const OrrPropAssign props[] = {{"c-mode", &mode}, {"c-size", &size}};
    OrrObject *obj2 = orr_object_new_with_propv(TYPE_OBJ, m, "dev2", props,
                                                G_N_ELEMENTS(props), &err);
    g_assert_no_error(err);
    g_assert_true(orr_object_get_child(m, "dev2") == obj2);
    pt_assert_values(obj2, "true|-5|12|lbl|off|0");

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
    OrrObject *m = pt_add_machine();

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
    OrrObject *m = pt_add_machine();
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
    OrrObject *m = pt_add_machine();
    OrrObject *orig = orr_test_add_new_child(m, TYPE_OBJ, "dev");
    OrrObject *dup = orr_test_new_object(TYPE_OBJ);

    g_assert_true(orr_object_set_int(orig, "c-count", 77, &err));
    pt_add_logged(m, "knob", ORR_PROP_UINT);

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
    pt_assert_prop_string(orig, "c-count", "77");
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
    OrrObject *m = pt_add_machine();
    OrrObject *sub = orr_test_add_new_child(m, TYPE_SUB, "s");
    g_autoptr(GError) err = NULL;

    /* Class properties only. */
    pt_assert_object_props(sub, true, SUB_CLASS_PROPS);

    pt_add_logged(sub, "i-b", ORR_PROP_BOOL);
    pt_add_logged(sub, "i-a", ORR_PROP_INT);
    orr_test_add_new_child(sub, TYPE_OBJ, "kid");
    g_assert_nonnull(orr_object_add_link(sub, "peer", TYPE_OBJ, 0, &err));
    g_assert_no_error(err);

    g_autofree char *sorted = pt_object_prop_names(sub, true);
    g_assert_cmpstr(sorted, ==,
                    "c-acc,c-count,c-flag,c-label,c-mode,c-ro,c-size,i-a,i-b,"
                    "kid,peer,s-color,s-extra,s-peer");
    assert_names_unique(sorted);
    /* In order: the most-derived class's, then its parent's, each in order
     * of addition, then the instance properties in order of addition. */
    pt_assert_object_props(
        sub, false,
        "s-extra,s-color,s-peer,c-flag,c-count,c-size,c-label,"
        "c-mode,c-acc,c-ro,i-b,i-a,kid,peer");

    /* A plain instance has only its own class's. */
    OrrObject *obj = orr_test_add_new_child(m, TYPE_OBJ, "o");
    pt_assert_object_props(obj, true, OBJ_CLASS_PROPS);

    /* A container has only its children. */
    pt_assert_object_props(m, true, "o,s");

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
    pt_add_logged(obj, "i-x", ORR_PROP_INT);
    assert_class_props(TYPE_SUB, true, SUB_CLASS_PROPS);
    g_auto(OrrPropertyIter) iter;
    orr_class_property_iter_init(&iter, obj->klass);
    g_autofree char *names = pt_iter_names(&iter, true);
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
        pt_add_logged(obj, names[i], ORR_PROP_UINT);
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
    pt_assert_object_props(obj, false,
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

    pt_add_logged(obj, "a", ORR_PROP_STRING);
    g_assert_nonnull(orr_object_add_child(obj, "k", k, &err));
    orr_object_unref(k);
    pt_add_logged(obj, "b", ORR_PROP_ENUM);
    pt_add_logged(obj, "c", ORR_PROP_BOOL);
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
            pt_add_logged(obj, "b", ORR_PROP_UINT);
        }
    }
    g_assert_cmpuint(instance_seen, ==, 1);
    orr_test_assert_log("release (unnamed).a, release (unnamed).c, "
                        "release (unnamed).b, finalize k");
    pt_assert_object_props(obj, false,
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
    OrrObject *m = pt_add_machine();
    OrrObject *obj = orr_test_add_new_child(m, TYPE_OBJ, "o");
    g_auto(OrrPropertyIter) iter;
    const OrrProperty *prop;
    guint n = 0;

    pt_add_logged(obj, "x", ORR_PROP_UINT);
    pt_add_logged(obj, "y", ORR_PROP_UINT);
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

/* Logs, then deletes the property of @obj named by the opaque, if any. */
static void release_deleting(OrrObject *obj, const OrrProperty *prop)
{
    const char *victim = orr_property_get_opaque(prop);
    g_autoptr(GError) err = NULL;

    orr_test_log("release %s.%s", pt_name_of(obj), orr_property_get_name(prop));
    if (victim == NULL) {
        return;
    }
    bool ok = orr_object_delete_property(obj, victim, &err);
    g_assert_true(ok == (err == NULL));
    if (ok) {
        orr_test_log("delete %s.%s ok", pt_name_of(obj), victim);
    } else {
        orr_test_log("delete %s.%s failed %d", pt_name_of(obj), victim,
                     err->code);
    }
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
        pt_add_prop(obj, &def);
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
    pt_assert_object_props(
        obj, false, "c-flag,c-count,c-size,c-label,c-mode,c-acc,c-ro,a,d");
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

    pt_add_logged(p, "x", ORR_PROP_UINT);
    set_victim(orr_test_add_new_child(p, TYPE_KID, "k0"), v0);
    set_victim(orr_test_add_new_child(p, TYPE_KID, "k1"), v1);
    set_victim(orr_test_add_new_child(p, TYPE_KID, "k2"), v2);
    pt_add_logged(p, "y", ORR_PROP_STRING);
    return p;
}

static void test_finalize_hook_deletes_plain_property(void)
{
    OrrObject *m = pt_add_machine();

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
    OrrObject *m = pt_add_machine();

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
    OrrObject *m = pt_add_machine();

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
    OrrObject *m = pt_add_machine();

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
    OrrObject *m = pt_add_machine();

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
    OrrObject *m = pt_add_machine();
    OrrObject *p = build_family(m, "", "", "x");
    OrrObject *k2 = orr_object_get_child(p, "k2");

    orr_object_unparent(k2);
    orr_test_assert_log("unparent k2, release p.x, delete p.x ok, finalize k2");
    g_assert_null(orr_object_find_property(p, "x"));
    g_assert_cmpuint(n_children(p), ==, 2);
    pt_assert_object_props(p, false,
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
    pt_register_types();

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
