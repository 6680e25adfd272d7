/*
 * Unit tests for the type registry: registration and its refusals, class
 * creation (class_init, class_base_init, class data), the instance hooks
 * and their order, lookup and listing, checked casts, and interfaces.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test-util.h"

/*
 * Test types (registered once in main):
 *
 *   test-type-base          abstract; instance hooks log "init base",
 *                           "post base", "finalize base".
 *   test-type-mid           a base; logs like base ("... mid").
 *   test-type-leaf          a mid; logs like base ("... leaf"); larger
 *                           instance struct (TestLeaf).
 *   test-type-abstract-mid  abstract, a base.
 *   test-type-other         unrelated to base.
 *
 *   test-type-cls-a/b/c     a chain used only by the class-creation test:
 *                           class_base_init of a and b and every class_init
 *                           log what they see; class struct TestClsClass.
 *
 *   test-type-iface         an interface (TestIfaceClass: value, describe);
 *                           its class_init sets the defaults (1, "default").
 *   test-type-iface-ext     an interface derived from test-type-iface.
 *   test-type-impl          implements iface; class_init sets value 10 and
 *                           describe "impl".
 *   test-type-impl-inherit  an impl that does not re-implement iface.
 *   test-type-impl-override an impl that lists iface again and sets value 20
 *                           and describe "override".
 *   test-type-impl-default  implements iface and keeps the defaults.
 *   test-type-impl-ext      implements iface-ext (and so iface).
 */
#define TYPE_BASE "test-type-base"
#define TYPE_MID "test-type-mid"
#define TYPE_LEAF "test-type-leaf"
#define TYPE_ABSTRACT_MID "test-type-abstract-mid"
#define TYPE_OTHER "test-type-other"

#define TYPE_CLS_A "test-type-cls-a"
#define TYPE_CLS_B "test-type-cls-b"
#define TYPE_CLS_C "test-type-cls-c"

#define TYPE_IFACE "test-type-iface"
#define TYPE_IFACE_EXT "test-type-iface-ext"
#define TYPE_IMPL "test-type-impl"
#define TYPE_IMPL_INHERIT "test-type-impl-inherit"
#define TYPE_IMPL_OVERRIDE "test-type-impl-override"
#define TYPE_IMPL_DEFAULT "test-type-impl-default"
#define TYPE_IMPL_EXT "test-type-impl-ext"

typedef struct TestLeaf {
    OrrObject parent_obj;
    guint64 guard[8]; /* zeroed at creation, written by instance_init */
    bool leaf_inited;
} TestLeaf;

typedef struct TestClsClass {
    OrrObjectClass parent_class;
    /* Set by class_init of a, inherited by copy. */
    const char *set_by_a;
    /* Set by class_init of each class. */
    const char *own_data;
    /* Incremented by every class_base_init run on this class. */
    guint base_inits;
} TestClsClass;

typedef struct TestIfaceClass {
    OrrInterfaceClass parent_class;
    int value;
    const char *(*describe)(OrrObject *obj);
} TestIfaceClass;

typedef struct TestIfaceExtClass {
    TestIfaceClass parent_class;
    int extra;
} TestIfaceExtClass;

/* --- Instance hooks ------------------------------------------------------- */

/* The short name used in logs: the type name without "test-type-". */
static const char *short_name(const char *type_name)
{
    return type_name + strlen("test-type-");
}

static void base_instance_init(OrrObject *obj)
{
    g_assert_cmpint(orr_object_get_state(obj), ==, ORR_OBJECT_INITIALIZING);
    orr_test_log("init base");
}

static void mid_instance_init(OrrObject *obj)
{
    orr_test_log("init mid");
}

static void leaf_instance_init(OrrObject *obj)
{
    TestLeaf *leaf = (TestLeaf *)obj;

    /* The instance is zeroed and as large as the leaf struct. */
    for (guint i = 0; i < G_N_ELEMENTS(leaf->guard); i++) {
        g_assert_cmpuint(leaf->guard[i], ==, 0);
        leaf->guard[i] = 0x5a5a5a5a5a5a5a5aull;
    }
    leaf->leaf_inited = true;
    orr_test_log("init leaf");
}

static void base_instance_post_init(OrrObject *obj)
{
    g_assert_cmpint(orr_object_get_state(obj), ==, ORR_OBJECT_INITIALIZING);
    /* Every instance_init, the leaf's included, ran before. */
    if (orr_object_is_a(obj, TYPE_LEAF)) {
        g_assert_true(((TestLeaf *)obj)->leaf_inited);
    }
    orr_test_log("post base");
}

static void mid_instance_post_init(OrrObject *obj)
{
    orr_test_log("post mid");
}

static void leaf_instance_post_init(OrrObject *obj)
{
    orr_test_log("post leaf");
}

static void base_instance_finalize(OrrObject *obj)
{
    g_assert_cmpint(orr_object_get_state(obj), ==, ORR_OBJECT_FINALIZING);
    orr_test_log("finalize base");
}

static void mid_instance_finalize(OrrObject *obj)
{
    orr_test_log("finalize mid");
}

static void leaf_instance_finalize(OrrObject *obj)
{
    g_assert_true(((TestLeaf *)obj)->leaf_inited);
    orr_test_log("finalize leaf");
}

/* A plain instance_init for types registered by the tests. */
static void log_type_instance_init(OrrObject *obj)
{
    orr_test_log("init %s", orr_object_get_type_name(obj));
}

static void other_instance_init(OrrObject *obj)
{
    orr_test_log("init other-hook %s", orr_object_get_type_name(obj));
}

/* --- Class hooks (cls chain) ---------------------------------------------- */

static void cls_a_base_init(OrrObjectClass *klass, const void *data)
{
    ((TestClsClass *)klass)->base_inits++;
    orr_test_log("base-init-a %s data=%s",
                 short_name(orr_class_get_name(klass)), (const char *)data);
}

static void cls_b_base_init(OrrObjectClass *klass, const void *data)
{
    ((TestClsClass *)klass)->base_inits++;
    orr_test_log("base-init-b %s data=%s",
                 short_name(orr_class_get_name(klass)), (const char *)data);
}

static void cls_class_init(OrrObjectClass *klass, const void *data)
{
    TestClsClass *tc = (TestClsClass *)klass;

    g_assert_true(klass->type == orr_type_lookup(orr_class_get_name(klass)));
    if (g_str_equal(orr_class_get_name(klass), TYPE_CLS_A)) {
        tc->set_by_a = "from-a";
    }
    tc->own_data = data;
    orr_test_log("class-init %s data=%s base-inits=%u",
                 short_name(orr_class_get_name(klass)), (const char *)data,
                 tc->base_inits);
}

/* --- Interface hooks ------------------------------------------------------ */

static const char *describe_default(OrrObject *obj)
{
    return "default";
}

static const char *describe_impl(OrrObject *obj)
{
    return "impl";
}

static const char *describe_override(OrrObject *obj)
{
    return "override";
}

static void iface_class_init(OrrObjectClass *klass, const void *data)
{
    TestIfaceClass *ic = (TestIfaceClass *)klass;

    ic->value = 1;
    ic->describe = describe_default;
}

static void iface_ext_class_init(OrrObjectClass *klass, const void *data)
{
    TestIfaceExtClass *ic = (TestIfaceExtClass *)klass;

    /* Copied from the parent interface's class. */
    g_assert_cmpint(ic->parent_class.value, ==, 1);
    ic->extra = 7;
}

static TestIfaceClass *iface_of(OrrObjectClass *klass)
{
    return (TestIfaceClass *)orr_class_get_interface(klass, TYPE_IFACE);
}

static void impl_class_init(OrrObjectClass *klass, const void *data)
{
    TestIfaceClass *ic = iface_of(klass);

    g_assert_nonnull(ic);
    /* Starts as a copy of the interface's defaults. */
    g_assert_cmpint(ic->value, ==, 1);
    ic->value = 10;
    ic->describe = describe_impl;
}

static void impl_override_class_init(OrrObjectClass *klass, const void *data)
{
    TestIfaceClass *ic = iface_of(klass);

    g_assert_nonnull(ic);
    /* Starts as a copy of the parent's interface class. */
    g_assert_cmpint(ic->value, ==, 10);
    ic->value = 20;
    ic->describe = describe_override;
}

/* --- Registration --------------------------------------------------------- */

static OrrType *register_ok(const OrrTypeInfo *info)
{
    g_autoptr(GError) err = NULL;
    OrrType *type = orr_type_register(info, &err);

    g_assert_no_error(err);
    g_assert_nonnull(type);
    return type;
}

static void register_types(void)
{
    static const char *const impl_ifaces[] = {TYPE_IFACE, NULL};
    static const char *const ext_ifaces[] = {TYPE_IFACE_EXT, NULL};
    static const OrrTypeInfo infos[] = {
        {
            .name = TYPE_BASE,
            .abstract = true,
            .instance_init = base_instance_init,
            .instance_post_init = base_instance_post_init,
            .instance_finalize = base_instance_finalize,
        },
        {
            .name = TYPE_MID,
            .parent = TYPE_BASE,
            .instance_init = mid_instance_init,
            .instance_post_init = mid_instance_post_init,
            .instance_finalize = mid_instance_finalize,
        },
        {
            .name = TYPE_LEAF,
            .parent = TYPE_MID,
            .instance_size = sizeof(TestLeaf),
            .instance_init = leaf_instance_init,
            .instance_post_init = leaf_instance_post_init,
            .instance_finalize = leaf_instance_finalize,
        },
        {
            .name = TYPE_ABSTRACT_MID,
            .parent = TYPE_BASE,
            .abstract = true,
        },
        {.name = TYPE_OTHER},
        {
            .name = TYPE_CLS_A,
            .class_size = sizeof(TestClsClass),
            .class_init = cls_class_init,
            .class_base_init = cls_a_base_init,
            .class_data = "A",
        },
        {
            .name = TYPE_CLS_B,
            .parent = TYPE_CLS_A,
            .class_init = cls_class_init,
            .class_base_init = cls_b_base_init,
            .class_data = "B",
        },
        {
            .name = TYPE_CLS_C,
            .parent = TYPE_CLS_B,
            .class_init = cls_class_init,
            .class_data = "C",
        },
        {
            .name = TYPE_IFACE,
            .parent = ORR_TYPE_INTERFACE,
            .class_size = sizeof(TestIfaceClass),
            .class_init = iface_class_init,
        },
        {
            .name = TYPE_IFACE_EXT,
            .parent = TYPE_IFACE,
            .class_size = sizeof(TestIfaceExtClass),
            .class_init = iface_ext_class_init,
        },
        {
            .name = TYPE_IMPL,
            .class_init = impl_class_init,
            .interfaces = impl_ifaces,
        },
        {
            .name = TYPE_IMPL_INHERIT,
            .parent = TYPE_IMPL,
        },
        {
            .name = TYPE_IMPL_OVERRIDE,
            .parent = TYPE_IMPL,
            .class_init = impl_override_class_init,
            .interfaces = impl_ifaces,
        },
        {
            .name = TYPE_IMPL_DEFAULT,
            .interfaces = impl_ifaces,
        },
        {
            .name = TYPE_IMPL_EXT,
            .interfaces = ext_ifaces,
        },
    };

    for (guint i = 0; i < G_N_ELEMENTS(infos); i++) {
        register_ok(&infos[i]);
    }
}

/* --- Helpers -------------------------------------------------------------- */

static OrrObjectClass *class_of(const char *type_name)
{
    OrrType *type = orr_type_lookup(type_name);

    g_assert_nonnull(type);
    return orr_type_get_class(type);
}

/* The names of a type list joined with ",", for exact comparisons. */
static char *type_list_names(const char *below, bool include_abstract)
{
    g_autoptr(GPtrArray) types = orr_type_list(below, include_abstract);
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < types->len; i++) {
        g_string_append_printf(s, "%s%s", i ? "," : "",
                               orr_type_get_name(types->pdata[i]));
    }
    return g_string_free(s, FALSE);
}

#define assert_type_list(below, include_abstract, expected)                    \
    do {                                                                       \
        g_autofree char *l_ = type_list_names((below), (include_abstract));    \
        g_assert_cmpstr(l_, ==, (expected));                                   \
    } while (0)

/* Asserts that registering @info fails with @code, registering nothing. */
static void assert_register_refused(const OrrTypeInfo *info, int code,
                                    const char *in_message)
{
    g_autoptr(GError) err = NULL;
    OrrType *before = info->name ? orr_type_lookup(info->name) : NULL;
    g_autoptr(GPtrArray) all_before = orr_type_list(NULL, true);

    g_assert_null(orr_type_register(info, &err));
    g_assert_error(err, ORR_ERROR, code);
    g_assert_true(g_str_has_prefix(err->message, "type_register: "));
    if (in_message != NULL) {
        g_assert_nonnull(strstr(err->message, in_message));
    }
    /* Nothing registered, nothing replaced. */
    if (info->name != NULL) {
        g_assert_true(orr_type_lookup(info->name) == before);
    }
    g_autoptr(GPtrArray) all_after = orr_type_list(NULL, true);
    g_assert_cmpuint(all_after->len, ==, all_before->len);
}

/* --- Registration and lookup --------------------------------------------- */

static void test_register_lookup(void)
{
    static const OrrTypeInfo info = {.name = "test-type-reg-plain"};
    static const OrrTypeInfo child = {
        .name = "test-type-reg-plain-child",
        .parent = "test-type-reg-plain",
    };
    OrrType *object = orr_type_lookup(ORR_TYPE_OBJECT);

    g_assert_null(orr_type_lookup("test-type-reg-plain"));
    OrrType *type = register_ok(&info);
    OrrType *sub = register_ok(&child);

    g_assert_true(orr_type_lookup("test-type-reg-plain") == type);
    g_assert_true(orr_type_lookup("test-type-reg-plain-child") == sub);
    g_assert_cmpstr(orr_type_get_name(type), ==, "test-type-reg-plain");
    /* A NULL parent means "object". */
    g_assert_nonnull(object);
    g_assert_true(orr_type_get_parent(type) == object);
    g_assert_true(orr_type_get_parent(sub) == type);
    g_assert_null(orr_type_get_parent(object));
    g_assert_false(orr_type_is_abstract(type));
    g_assert_true(orr_type_is_abstract(orr_type_lookup(TYPE_BASE)));
    g_assert_null(orr_type_lookup("test-type-no-such-type"));
    g_assert_null(orr_type_lookup(NULL));

    /* The class is made once, on first use, and belongs to its type. */
    OrrObjectClass *klass = orr_type_get_class(sub);
    g_assert_nonnull(klass);
    g_assert_true(orr_type_get_class(sub) == klass);
    g_assert_true(klass->type == sub);
    g_assert_cmpstr(orr_class_get_name(klass), ==, "test-type-reg-plain-child");
    g_assert_true(orr_class_get_parent(klass) == orr_type_get_class(type));
    g_assert_true(orr_class_get_parent(orr_type_get_class(type)) ==
                  orr_type_get_class(object));
    g_assert_null(orr_class_get_parent(orr_type_get_class(object)));

    /* An instance uses that class. */
    OrrObject *obj = orr_test_new_object("test-type-reg-plain-child");
    g_assert_true(obj->klass == klass);
    g_assert_true(orr_object_get_type(obj) == sub);
    g_assert_cmpstr(orr_object_get_type_name(obj), ==,
                    "test-type-reg-plain-child");
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_register_duplicate(void)
{
    static const OrrTypeInfo orig = {
        .name = "test-type-dup",
        .instance_init = log_type_instance_init,
    };
    static const OrrTypeInfo dup = {
        .name = "test-type-dup",
        .parent = TYPE_OTHER,
        .abstract = true,
        .instance_init = other_instance_init,
    };
    static const OrrTypeInfo dup_core = {.name = ORR_TYPE_OBJECT};
    OrrType *type = register_ok(&orig);

    assert_register_refused(&dup, ORR_ERROR_EXISTS, "'test-type-dup'");
    assert_register_refused(&dup_core, ORR_ERROR_EXISTS, "'object'");

    /* The original is untouched: same type, parent, flags and hooks. */
    g_assert_true(orr_type_lookup("test-type-dup") == type);
    g_assert_true(orr_type_get_parent(type) ==
                  orr_type_lookup(ORR_TYPE_OBJECT));
    g_assert_false(orr_type_is_abstract(type));
    g_assert_false(orr_type_is_a(type, TYPE_OTHER));
    OrrObject *obj = orr_test_new_object("test-type-dup");
    orr_test_assert_log("init test-type-dup");
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_register_unknown_parent(void)
{
    static const OrrTypeInfo orphan = {
        .name = "test-type-orphan",
        .parent = "test-type-no-such-parent",
    };
    static const OrrTypeInfo fixed = {
        .name = "test-type-orphan",
        .parent = TYPE_OTHER,
    };

    assert_register_refused(&orphan, ORR_ERROR_NOT_FOUND,
                            "'test-type-no-such-parent'");
    g_assert_null(orr_type_lookup("test-type-orphan"));

    /* Nothing half-registered: the name is still free. */
    OrrType *type = register_ok(&fixed);
    g_assert_true(orr_type_get_parent(type) == orr_type_lookup(TYPE_OTHER));
    orr_test_assert_no_live_objects();
}

static void test_register_invalid_names(void)
{
    static const OrrTypeInfo bad[] = {
        {.name = NULL},
        {.name = ""},
        {.name = "test type"},
        {.name = "test/type"},
    };

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        assert_register_refused(&bad[i], ORR_ERROR_INVALID, NULL);
    }
    orr_test_assert_no_live_objects();
}

static void test_register_sizes(void)
{
    static const OrrTypeInfo big = {
        .name = "test-type-size-big",
        .instance_size = sizeof(OrrObject) + 64,
        .class_size = sizeof(OrrObjectClass) + 64,
    };
    static const OrrTypeInfo small_inst = {
        .name = "test-type-size-small-inst",
        .parent = "test-type-size-big",
        .instance_size = sizeof(OrrObject) + 8,
    };
    static const OrrTypeInfo small_class = {
        .name = "test-type-size-small-class",
        .parent = "test-type-size-big",
        .class_size = sizeof(OrrObjectClass) + 8,
    };
    static const OrrTypeInfo below_root = {
        .name = "test-type-size-below-root",
        .instance_size = sizeof(OrrObject) - 1,
    };
    static const OrrTypeInfo below_root_class = {
        .name = "test-type-size-below-root-class",
        .class_size = sizeof(OrrObjectClass) - 1,
    };
    static const OrrTypeInfo equal = {
        .name = "test-type-size-equal",
        .parent = "test-type-size-big",
        .instance_size = sizeof(OrrObject) + 64,
        .class_size = sizeof(OrrObjectClass) + 64,
    };
    static const OrrTypeInfo inherit = {
        .name = "test-type-size-inherit",
        .parent = "test-type-size-big",
    };

    register_ok(&big);
    assert_register_refused(&small_inst, ORR_ERROR_INVALID,
                            "'test-type-size-big'");
    assert_register_refused(&small_class, ORR_ERROR_INVALID,
                            "'test-type-size-big'");
    assert_register_refused(&below_root, ORR_ERROR_INVALID, NULL);
    assert_register_refused(&below_root_class, ORR_ERROR_INVALID, NULL);
    register_ok(&equal);
    register_ok(&inherit);

    /* Instances of the inherited size hold the parent's struct. */
    OrrObject *obj = orr_test_new_object("test-type-size-inherit");
    memset((char *)obj + sizeof(OrrObject), 0xab, 64);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_register_bad_interfaces(void)
{
    static const char *const not_iface[] = {TYPE_IFACE, TYPE_OTHER, NULL};
    static const char *const unknown[] = {"test-type-no-such-iface", NULL};
    static const OrrTypeInfo lists_class = {
        .name = "test-type-bad-iface",
        .interfaces = not_iface,
    };
    static const OrrTypeInfo lists_unknown = {
        .name = "test-type-bad-iface",
        .interfaces = unknown,
    };

    assert_register_refused(&lists_class, ORR_ERROR_TYPE, "'test-type-other'");
    assert_register_refused(&lists_unknown, ORR_ERROR_NOT_FOUND,
                            "'test-type-no-such-iface'");
    g_assert_null(orr_type_lookup("test-type-bad-iface"));
    orr_test_assert_no_live_objects();
}

/* --- Instantiation -------------------------------------------------------- */

static void test_abstract_not_instantiable(void)
{
    const char *const abstract[] = {TYPE_BASE, TYPE_ABSTRACT_MID, TYPE_IFACE,
                                    ORR_TYPE_INTERFACE};

    for (guint i = 0; i < G_N_ELEMENTS(abstract); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_true(orr_type_is_abstract(orr_type_lookup(abstract[i])));
        g_assert_null(orr_object_new(abstract[i], &err));
        g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
        g_assert_nonnull(strstr(err->message, abstract[i]));
        g_assert_nonnull(strstr(err->message, "abstract"));
        g_clear_error(&err);

        /* Nor under a parent: nothing is created, nothing added. */
        g_assert_null(orr_object_new_with_props(abstract[i], orr_root(), "x",
                                                &err, NULL));
        g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
        g_assert_null(orr_object_get_child(orr_root(), "x"));
    }
    /* No instance hook ran, nothing is alive. */
    orr_test_assert_log("");
    g_assert_cmpuint(orr_live_count(NULL), ==, 0);

    /* A concrete subclass of an abstract type is fine. */
    OrrObject *obj = orr_test_new_object(TYPE_MID);
    g_assert_true(orr_object_is_a(obj, TYPE_BASE));
    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_instance_hook_order(void)
{
    OrrObject *obj = orr_test_new_object(TYPE_LEAF);

    /* instance_init root to leaf, then post_init root to leaf. */
    orr_test_assert_log("init base, init mid, init leaf, "
                        "post base, post mid, post leaf");
    g_assert_cmpint(orr_object_get_state(obj), ==, ORR_OBJECT_LIVE);
    g_assert_true(((TestLeaf *)obj)->leaf_inited);

    /* instance_finalize leaf to root. */
    orr_object_unref(obj);
    orr_test_assert_log("finalize leaf, finalize mid, finalize base");

    /* A type without hooks of its own runs its ancestors'. */
    obj = orr_test_new_object(TYPE_MID);
    orr_test_assert_log("init base, init mid, post base, post mid");
    orr_object_unref(obj);
    orr_test_assert_log("finalize mid, finalize base");
    orr_test_assert_no_live_objects();
}

static void test_instance_hooks_per_class(void)
{
    OrrObject *a = orr_test_new_object(TYPE_MID);
    OrrObject *b = orr_test_new_object(TYPE_LEAF);

    orr_test_log_clear();
    g_assert_true(a->klass != b->klass);
    g_assert_true(a->klass == class_of(TYPE_MID));
    g_assert_true(b->klass == class_of(TYPE_LEAF));
    orr_object_unref(a);
    orr_test_assert_log("finalize mid, finalize base");
    orr_object_unref(b);
    orr_test_assert_log("finalize leaf, finalize mid, finalize base");
    orr_test_assert_no_live_objects();
}

/* --- Classes -------------------------------------------------------------- */

static void test_class_init_and_base_init(void)
{
    /* Only this test touches the cls chain: its classes are made here. */
    OrrObjectClass *kc = class_of(TYPE_CLS_C);

    /*
     * Parents first. Each class: the base_inits of its ancestors from the
     * root down (its own included), then its class_init, all with the
     * class data of the class being made.
     */
    orr_test_assert_log("base-init-a cls-a data=A, "
                        "class-init cls-a data=A base-inits=1, "
                        "base-init-a cls-b data=B, base-init-b cls-b data=B, "
                        "class-init cls-b data=B base-inits=3, "
                        "base-init-a cls-c data=C, base-init-b cls-c data=C, "
                        "class-init cls-c data=C base-inits=5");

    OrrObjectClass *kb = class_of(TYPE_CLS_B);
    OrrObjectClass *ka = class_of(TYPE_CLS_A);
    /* Made once: no hook runs again. */
    g_assert_true(class_of(TYPE_CLS_C) == kc);
    orr_test_assert_log("");

    g_assert_true(orr_class_get_parent(kc) == kb);
    g_assert_true(orr_class_get_parent(kb) == ka);
    /* The parent's class struct is copied, then changed by the hooks. */
    g_assert_cmpstr(((TestClsClass *)ka)->set_by_a, ==, "from-a");
    g_assert_cmpstr(((TestClsClass *)kb)->set_by_a, ==, "from-a");
    g_assert_cmpstr(((TestClsClass *)kc)->set_by_a, ==, "from-a");
    g_assert_cmpstr(((TestClsClass *)ka)->own_data, ==, "A");
    g_assert_cmpstr(((TestClsClass *)kb)->own_data, ==, "B");
    g_assert_cmpstr(((TestClsClass *)kc)->own_data, ==, "C");
    g_assert_cmpuint(((TestClsClass *)ka)->base_inits, ==, 1);
    g_assert_cmpuint(((TestClsClass *)kb)->base_inits, ==, 3);
    g_assert_cmpuint(((TestClsClass *)kc)->base_inits, ==, 5);

    /* Instances use the classes without running a class hook. */
    OrrObject *obj = orr_test_new_object(TYPE_CLS_C);
    g_assert_true(obj->klass == kc);
    orr_object_unref(obj);
    orr_test_assert_log("");
    orr_test_assert_no_live_objects();
}

/* --- Listing -------------------------------------------------------------- */

static void test_type_list(void)
{
    assert_type_list(TYPE_BASE, true,
                     "test-type-abstract-mid,test-type-base,test-type-leaf,"
                     "test-type-mid");
    assert_type_list(TYPE_BASE, false, "test-type-leaf,test-type-mid");
    assert_type_list(TYPE_MID, true, "test-type-leaf,test-type-mid");
    assert_type_list(TYPE_LEAF, false, "test-type-leaf");
    assert_type_list(TYPE_ABSTRACT_MID, true, "test-type-abstract-mid");
    assert_type_list(TYPE_ABSTRACT_MID, false, "");
    assert_type_list("test-type-no-such-type", true, "");

    /* Below an interface: the interfaces deriving from it and every type
     * implementing it, directly, through a parent or a derived interface. */
    assert_type_list(TYPE_IFACE, true,
                     "test-type-iface,test-type-iface-ext,test-type-impl,"
                     "test-type-impl-default,test-type-impl-ext,"
                     "test-type-impl-inherit,test-type-impl-override");
    assert_type_list(TYPE_IFACE, false,
                     "test-type-impl,test-type-impl-default,"
                     "test-type-impl-ext,test-type-impl-inherit,"
                     "test-type-impl-override");
    assert_type_list(TYPE_IFACE_EXT, true,
                     "test-type-iface-ext,test-type-impl-ext");

    /* Everything: sorted, each once; the concrete list is the full list
     * without the abstract types. */
    g_autoptr(GPtrArray) all = orr_type_list(NULL, true);
    g_autoptr(GPtrArray) concrete = orr_type_list(NULL, false);
    guint n_abstract = 0;
    for (guint i = 0; i < all->len; i++) {
        OrrType *t = all->pdata[i];
        if (i > 0) {
            g_assert_cmpint(strcmp(orr_type_get_name(all->pdata[i - 1]),
                                   orr_type_get_name(t)),
                            <, 0);
        }
        g_assert_true(orr_type_lookup(orr_type_get_name(t)) == t);
        n_abstract += orr_type_is_abstract(t);
    }
    for (guint i = 0; i < concrete->len; i++) {
        g_assert_false(orr_type_is_abstract(concrete->pdata[i]));
        g_assert_true(g_ptr_array_find(all, concrete->pdata[i], NULL));
    }
    g_assert_cmpuint(concrete->len + n_abstract, ==, all->len);
    const char *const expected[] = {
        ORR_TYPE_OBJECT, ORR_TYPE_INTERFACE, ORR_TYPE_CONTAINER,
        ORR_TYPE_DEVICE, TYPE_BASE,          TYPE_LEAF,
        TYPE_IFACE,      TYPE_IMPL_EXT,
    };
    for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_assert_true(
            g_ptr_array_find(all, orr_type_lookup(expected[i]), NULL));
    }
    orr_test_assert_no_live_objects();
}

/* --- Casts ---------------------------------------------------------------- */

static void test_is_a(void)
{
    OrrType *leaf = orr_type_lookup(TYPE_LEAF);
    OrrType *mid = orr_type_lookup(TYPE_MID);

    g_assert_true(orr_type_is_a(leaf, TYPE_LEAF));
    g_assert_true(orr_type_is_a(leaf, TYPE_MID));
    g_assert_true(orr_type_is_a(leaf, TYPE_BASE));
    g_assert_true(orr_type_is_a(leaf, ORR_TYPE_OBJECT));
    g_assert_false(orr_type_is_a(mid, TYPE_LEAF));
    g_assert_false(orr_type_is_a(leaf, TYPE_ABSTRACT_MID));
    g_assert_false(orr_type_is_a(leaf, TYPE_OTHER));
    g_assert_false(orr_type_is_a(leaf, TYPE_IFACE));
    g_assert_false(orr_type_is_a(leaf, "test-type-no-such-type"));

    OrrObject *obj = orr_test_new_object(TYPE_LEAF);
    orr_test_log_clear();
    g_assert_true(orr_object_is_a(obj, TYPE_LEAF));
    g_assert_true(orr_object_is_a(obj, TYPE_BASE));
    g_assert_true(orr_object_is_a(obj, ORR_TYPE_OBJECT));
    g_assert_false(orr_object_is_a(obj, TYPE_OTHER));
    g_assert_false(orr_object_is_a(obj, ORR_TYPE_CONTAINER));
    g_assert_false(orr_object_is_a(NULL, TYPE_LEAF));
    g_assert_true(orr_object_dynamic_cast(obj, TYPE_MID) == obj);
    g_assert_null(orr_object_dynamic_cast(obj, TYPE_OTHER));
    g_assert_null(orr_object_dynamic_cast(NULL, TYPE_MID));
    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_cast_success(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_LEAF);
    const char *const targets[] = {TYPE_LEAF, TYPE_MID, TYPE_BASE,
                                   ORR_TYPE_OBJECT};

    for (guint i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_assert_true(orr_object_cast(obj, targets[i], &err) == obj);
        g_assert_no_error(err);
    }
    g_assert_true(ORR_OBJECT_CHECK(TestLeaf, obj, TYPE_LEAF) ==
                  (TestLeaf *)obj);
    g_assert_true(ORR_OBJECT_CHECK(OrrObject, obj, TYPE_BASE) == obj);

    /* Class casts. */
    OrrObjectClass *klass = class_of(TYPE_LEAF);
    g_assert_true(orr_class_dynamic_cast(klass, TYPE_LEAF) == klass);
    g_assert_true(orr_class_dynamic_cast(klass, TYPE_BASE) == klass);
    g_assert_null(orr_class_dynamic_cast(klass, TYPE_OTHER));
    g_assert_null(orr_class_dynamic_cast(class_of(TYPE_MID), TYPE_LEAF));
    g_assert_null(orr_class_dynamic_cast(klass, "test-type-no-such-type"));
    g_assert_true(orr__class_check_cast(klass, TYPE_MID) == klass);

    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_cast_failure_message(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_MID);

    /* Detached: both types named. */
    g_assert_null(orr_object_cast(obj, TYPE_OTHER, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_cmpstr(err->message, ==,
                    "cast: object '<detached test-type-mid>' of type "
                    "'test-type-mid' is not a 'test-type-other'");
    g_clear_error(&err);

    /* A subclass is not its parent's superclass. */
    g_assert_null(orr_object_cast(obj, TYPE_LEAF, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_nonnull(strstr(err->message, "'" TYPE_MID "'"));
    g_assert_nonnull(strstr(err->message, "'" TYPE_LEAF "'"));
    g_clear_error(&err);

    /* An interface it does not implement. */
    g_assert_null(orr_object_cast(obj, TYPE_IFACE, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_nonnull(strstr(err->message, "'" TYPE_MID "'"));
    g_assert_nonnull(strstr(err->message, "'" TYPE_IFACE "'"));
    g_clear_error(&err);

    /* In the tree, the path is named too. */
    g_assert_nonnull(
        orr_object_add_child(orr_root(), "test-type-m", obj, &err));
    g_assert_no_error(err);
    g_assert_null(orr_object_cast(obj, TYPE_OTHER, &err));
    g_assert_cmpstr(err->message, ==,
                    "cast: object '/test-type-m' of type 'test-type-mid' is "
                    "not a 'test-type-other'");
    g_clear_error(&err);

    /* An unknown type name and no object. */
    g_assert_null(orr_object_cast(obj, "test-type-no-such-type", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_nonnull(strstr(err->message, "test-type-no-such-type"));
    g_clear_error(&err);
    g_assert_null(orr_object_cast(NULL, TYPE_MID, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_nonnull(strstr(err->message, "'" TYPE_MID "'"));

    orr_object_unparent(obj);
    orr_object_unref(obj);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

/* In the child: leave quietly when the check aborts or traps. */
static void exit_on_signal(int sig)
{
    _exit(128 + sig);
}

/*
 * Runs @fn in a forked child whose stdout and stderr are captured, and
 * asserts that it died (it must not return) printing @expected. A plain
 * fork, not g_test_trap_subprocess(): GLib's child watch leaves a worker
 * thread that valgrind reports as possibly lost.
 */
static void assert_aborts(void (*fn)(void), const char *expected)
{
    int fds[2];
    int status = 0;
    GString *out;
    char buf[512];
    ssize_t n;

    g_assert_cmpint(pipe(fds), ==, 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        signal(SIGABRT, exit_on_signal);
        signal(SIGTRAP, exit_on_signal);
        fn();
        _exit(0); /* not reached if the check works */
    }
    close(fds[1]);
    out = g_string_new(NULL);
    while ((n = read(fds[0], buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        g_string_append_len(out, buf, n);
    }
    close(fds[0]);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_false(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (strstr(out->str, expected) == NULL) {
        g_test_message("child output: %s", out->str);
    }
    g_assert_nonnull(strstr(out->str, expected));
    g_string_free(out, TRUE);
}

static void check_cast_wrong_object(void)
{
    OrrObject *obj = orr_test_new_object(TYPE_MID);

    (void)ORR_OBJECT_CHECK(TestLeaf, obj, TYPE_OTHER);
}

static void check_cast_wrong_class(void)
{
    (void)orr__class_check_cast(class_of(TYPE_MID), TYPE_LEAF);
}

/* ORR_OBJECT_CHECK and the class check abort, naming both types. */
static void test_check_cast_aborts(void)
{
    assert_aborts(check_cast_wrong_object,
                  "cast: object of type 'test-type-mid' is not a "
                  "'test-type-other'");
    assert_aborts(check_cast_wrong_class,
                  "class cast: class 'test-type-mid' is not a "
                  "'test-type-leaf'");
    orr_test_assert_no_live_objects();
}

/* --- Interfaces ----------------------------------------------------------- */

/* Asserts @obj implements the interface with @value and @describe, and
 * that the interface class belongs to @obj's class. */
static void assert_iface(OrrObject *obj, int value, const char *describe)
{
    g_autoptr(GError) err = NULL;
    OrrObjectClass *klass = obj->klass;
    TestIfaceClass *ic =
        (TestIfaceClass *)orr_object_get_interface(obj, TYPE_IFACE);

    g_assert_true(orr_object_is_a(obj, TYPE_IFACE));
    g_assert_true(orr_type_is_a(orr_object_get_type(obj), TYPE_IFACE));
    g_assert_true(orr_object_cast(obj, TYPE_IFACE, &err) == obj);
    g_assert_no_error(err);
    g_assert_true(orr_object_dynamic_cast(obj, TYPE_IFACE) == obj);
    g_assert_true(ORR_OBJECT_CHECK(OrrObject, obj, TYPE_IFACE) == obj);

    g_assert_nonnull(ic);
    g_assert_true(ic == iface_of(klass));
    g_assert_true(orr_class_dynamic_cast(klass, TYPE_IFACE) ==
                  (OrrObjectClass *)ic);
    g_assert_true(orr__class_check_cast(klass, TYPE_IFACE) ==
                  (OrrObjectClass *)ic);
    g_assert_true(ic->parent_class.concrete_class == klass);
    g_assert_true(ic->parent_class.interface_type ==
                  orr_type_lookup(TYPE_IFACE));
    g_assert_true(ic->parent_class.parent_class.type ==
                  orr_type_lookup(TYPE_IFACE));
    g_assert_cmpstr(orr_class_get_name((OrrObjectClass *)ic), ==, TYPE_IFACE);
    g_assert_cmpint(ic->value, ==, value);
    g_assert_cmpstr(ic->describe(obj), ==, describe);
}

static void test_iface_implemented(void)
{
    OrrObject *obj = orr_test_new_object(TYPE_IMPL);

    assert_iface(obj, 10, "impl");
    /* The interface's own class keeps the defaults. */
    TestIfaceClass *defaults = (TestIfaceClass *)class_of(TYPE_IFACE);
    g_assert_cmpint(defaults->value, ==, 1);
    g_assert_true(defaults->describe == describe_default);
    g_assert_true(iface_of(obj->klass) != defaults);
    /* Not an interface derived from it. */
    g_assert_false(orr_object_is_a(obj, TYPE_IFACE_EXT));
    g_assert_null(orr_object_get_interface(obj, TYPE_IFACE_EXT));
    /* A class name is not an interface name. */
    g_assert_null(orr_object_get_interface(obj, TYPE_IMPL));
    g_assert_null(orr_object_get_interface(obj, "test-type-no-such-type"));
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_iface_defaults(void)
{
    OrrObject *obj = orr_test_new_object(TYPE_IMPL_DEFAULT);

    assert_iface(obj, 1, "default");
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_iface_inherited(void)
{
    OrrObject *parent = orr_test_new_object(TYPE_IMPL);
    OrrObject *obj = orr_test_new_object(TYPE_IMPL_INHERIT);

    /* The subclass has its own copy of the parent's interface class. */
    assert_iface(obj, 10, "impl");
    g_assert_true(iface_of(obj->klass) != iface_of(parent->klass));
    g_assert_true(orr_type_is_a(orr_object_get_type(obj), TYPE_IMPL));
    orr_object_unref(obj);
    orr_object_unref(parent);
    orr_test_assert_no_live_objects();
}

static void test_iface_overridden(void)
{
    OrrObject *obj = orr_test_new_object(TYPE_IMPL_OVERRIDE);
    OrrObject *parent = orr_test_new_object(TYPE_IMPL);
    OrrObject *sibling = orr_test_new_object(TYPE_IMPL_INHERIT);

    assert_iface(obj, 20, "override");
    /* The override changed neither the parent's nor a sibling's. */
    assert_iface(parent, 10, "impl");
    assert_iface(sibling, 10, "impl");
    orr_object_unref(sibling);
    orr_object_unref(parent);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_iface_derived_interface(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_IMPL_EXT);
    OrrObjectClass *klass = obj->klass;
    TestIfaceExtClass *ext =
        (TestIfaceExtClass *)orr_class_get_interface(klass, TYPE_IFACE_EXT);

    /* Implementing the derived interface implements its parent too. */
    assert_iface(obj, 1, "default");
    g_assert_true(orr_object_is_a(obj, TYPE_IFACE_EXT));
    g_assert_true(orr_object_cast(obj, TYPE_IFACE_EXT, &err) == obj);
    g_assert_no_error(err);
    g_assert_nonnull(ext);
    g_assert_true(orr_class_dynamic_cast(klass, TYPE_IFACE_EXT) ==
                  (OrrObjectClass *)ext);
    g_assert_true((void *)ext != (void *)iface_of(klass));
    g_assert_true(ext->parent_class.parent_class.concrete_class == klass);
    g_assert_true(ext->parent_class.parent_class.interface_type ==
                  orr_type_lookup(TYPE_IFACE_EXT));
    g_assert_cmpint(ext->extra, ==, 7);
    g_assert_cmpint(ext->parent_class.value, ==, 1);
    g_assert_true(orr_type_is_abstract(orr_type_lookup(TYPE_IFACE_EXT)));
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_iface_not_implemented(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(TYPE_OTHER);
    OrrObjectClass *klass = obj->klass;

    g_assert_false(orr_object_is_a(obj, TYPE_IFACE));
    g_assert_null(orr_object_dynamic_cast(obj, TYPE_IFACE));
    g_assert_null(orr_object_get_interface(obj, TYPE_IFACE));
    g_assert_null(orr_class_get_interface(klass, TYPE_IFACE));
    g_assert_null(orr_class_dynamic_cast(klass, TYPE_IFACE));
    g_assert_null(orr_object_cast(obj, TYPE_IFACE, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_cmpstr(err->message, ==,
                    "cast: object '<detached test-type-other>' of type "
                    "'test-type-other' is not a 'test-type-iface'");
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_iface_registered_at_runtime(void)
{
    static const char *const ifaces[] = {TYPE_IFACE, NULL};
    static const OrrTypeInfo late = {
        .name = "test-type-late-impl",
        .parent = TYPE_MID,
        .interfaces = ifaces,
    };
    OrrType *type = register_ok(&late);

    /* A new implementer appears in the listing below the interface, and
     * keeps the hooks of its class parent. */
    assert_type_list(TYPE_IFACE, false,
                     "test-type-impl,test-type-impl-default,"
                     "test-type-impl-ext,test-type-impl-inherit,"
                     "test-type-impl-override,test-type-late-impl");
    g_assert_true(orr_type_is_a(type, TYPE_BASE));
    OrrObject *obj = orr_test_new_object("test-type-late-impl");
    orr_test_assert_log("init base, init mid, post base, post mid");
    assert_iface(obj, 1, "default");
    orr_object_unref(obj);
    orr_test_assert_log("finalize mid, finalize base");
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    register_types();

    g_test_add_func("/type/register/lookup", test_register_lookup);
    g_test_add_func("/type/register/duplicate-refused",
                    test_register_duplicate);
    g_test_add_func("/type/register/unknown-parent-refused",
                    test_register_unknown_parent);
    g_test_add_func("/type/register/invalid-names-refused",
                    test_register_invalid_names);
    g_test_add_func("/type/register/sizes", test_register_sizes);
    g_test_add_func("/type/register/bad-interfaces-refused",
                    test_register_bad_interfaces);
    g_test_add_func("/type/new/abstract-refused",
                    test_abstract_not_instantiable);
    g_test_add_func("/type/instance/hook-order", test_instance_hook_order);
    g_test_add_func("/type/instance/hooks-per-class",
                    test_instance_hooks_per_class);
    g_test_add_func("/type/class/init-and-base-init",
                    test_class_init_and_base_init);
    g_test_add_func("/type/list/exact-sets", test_type_list);
    g_test_add_func("/type/cast/is-a", test_is_a);
    g_test_add_func("/type/cast/success", test_cast_success);
    g_test_add_func("/type/cast/failure-names-both-types",
                    test_cast_failure_message);
    g_test_add_func("/type/cast/check-aborts", test_check_cast_aborts);
    g_test_add_func("/type/interface/implemented", test_iface_implemented);
    g_test_add_func("/type/interface/defaults", test_iface_defaults);
    g_test_add_func("/type/interface/inherited", test_iface_inherited);
    g_test_add_func("/type/interface/overridden", test_iface_overridden);
    g_test_add_func("/type/interface/derived-interface",
                    test_iface_derived_interface);
    g_test_add_func("/type/interface/not-implemented",
                    test_iface_not_implemented);
    g_test_add_func("/type/interface/registered-later",
                    test_iface_registered_at_runtime);
    return g_test_run();
}
