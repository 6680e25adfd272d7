/*
 * Unit tests for link<T> properties and the edge rule (object-model.md,
 * section 6): links up or to oneself take no reference and are severed when
 * the target dies; links down or across hold one reference; weak links never
 * do.
 */
#include "orrery/orrery.h"

#include "test-util.h"

/*
 * Test types:
 *   test-lk-node     a plain object; instance_finalize runs a per-test
 *                    probe.
 *   test-lk-sub      a subclass of test-lk-node (accepted by its links).
 *   test-lk-other    unrelated to test-lk-node (refused by its links).
 *   test-lk-holder   a test-lk-node with a class link "peer" to
 *                    test-lk-node.
 */
#define TYPE_NODE "test-lk-node"
#define TYPE_SUB "test-lk-sub"
#define TYPE_OTHER "test-lk-other"
#define TYPE_HOLDER "test-lk-holder"

/* (nullable) run from test-lk-node's instance_finalize */
static void (*finalize_probe)(OrrObject *obj);
/* What the probes saw. */
static struct {
    guint runs;
    bool set_ok;
    GError *error;
    OrrObject *peer_after; /* NOREF: only compared */
} probe;

static void reset_probe(void)
{
    g_clear_error(&probe.error);
    memset(&probe, 0, sizeof(probe));
    finalize_probe = NULL;
}

static void node_instance_finalize(OrrObject *obj)
{
    if (finalize_probe != NULL) {
        finalize_probe(obj);
    }
}

static void holder_class_init(OrrObjectClass *klass, const void *data)
{
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_class_add_link(klass, "peer", TYPE_NODE, 0, &err));
    g_assert_no_error(err);
}

static void register_types(void)
{
    static const OrrTypeInfo node = {
        .name = TYPE_NODE,
        .instance_finalize = node_instance_finalize,
    };
    static const OrrTypeInfo sub = {.name = TYPE_SUB, .parent = TYPE_NODE};
    static const OrrTypeInfo other = {.name = TYPE_OTHER};
    static const OrrTypeInfo holder = {
        .name = TYPE_HOLDER,
        .parent = TYPE_NODE,
        .class_init = holder_class_init,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&node, &err));
    g_assert_nonnull(orr_type_register(&sub, &err));
    g_assert_nonnull(orr_type_register(&other, &err));
    g_assert_nonnull(orr_type_register(&holder, &err));
    g_assert_no_error(err);
}

/* --- Helpers -------------------------------------------------------------- */

static OrrObject *obj_new(const char *type)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_object_new(type, &err);

    g_assert_no_error(err);
    g_assert_nonnull(obj);
    return obj;
}

/* A new @type added to @parent as @name; the caller's reference is
 * dropped unless @keep. */
static OrrObject *obj_add(OrrObject *parent, const char *type, const char *name,
                          bool keep)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = obj_new(type);

    g_assert_cmpstr(orr_object_add_child(parent, name, obj, &err), ==, name);
    g_assert_no_error(err);
    if (!keep) {
        orr_object_unref(obj);
    }
    return obj;
}

static void add_link(OrrObject *obj, const char *name, const char *type,
                     unsigned flags)
{
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_object_add_link(obj, name, type, flags, &err));
    g_assert_no_error(err);
}

static void set_link_ok(OrrObject *obj, const char *name, OrrObject *target)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_object_set_link(obj, name, target, &err));
    g_assert_no_error(err);
}

static OrrObject *get_link(OrrObject *obj, const char *name)
{
    g_autoptr(GError) err = NULL;
    OrrObject *target = orr_object_get_link(obj, name, &err);

    g_assert_no_error(err);
    return target;
}

/* Asserts that the link reads back empty, through every reader. */
static void assert_link_empty(OrrObject *obj, const char *name)
{
    g_auto(OrrValue) v = ORR_VALUE_INIT;
    g_autoptr(GError) err = NULL;

    g_assert_null(get_link(obj, name));
    g_assert_true(orr_object_get(obj, name, &v, &err));
    g_assert_no_error(err);
    g_assert_cmpint(v.type, ==, ORR_VALUE_NONE);
}

/* The usual scene: "/test-lk-p" with children a and b. */
static OrrObject *scene(OrrObject **a, OrrObject **b)
{
    OrrObject *p = obj_add(orr_root(), TYPE_NODE, "test-lk-p", false);

    *a = obj_add(p, TYPE_NODE, "a", false);
    *b = obj_add(p, TYPE_NODE, "b", false);
    return p;
}

/* --- Type checks ---------------------------------------------------------- */

static void test_set_type_checked(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);
    OrrObject *o = obj_add(p, TYPE_OTHER, "o", false);
    OrrObject *s = obj_add(p, TYPE_SUB, "s", false);

    add_link(a, "peer", TYPE_NODE, 0);
    const OrrProperty *prop = orr_object_find_property(a, "peer");
    g_assert_cmpint(orr_property_get_type(prop), ==, ORR_PROP_LINK);
    g_assert_cmpstr(orr_property_get_type_name(prop), ==, "link<test-lk-node>");
    g_assert_cmpstr(orr_property_get_target_type(prop), ==, TYPE_NODE);
    assert_link_empty(a, "peer");

    /* Wrong type: refused, naming both types; nothing changes. */
    g_assert_false(orr_object_set_link(a, "peer", o, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_nonnull(strstr(err->message, TYPE_NODE));
    g_assert_nonnull(strstr(err->message, TYPE_OTHER));
    g_clear_error(&err);
    assert_link_empty(a, "peer");
    g_assert_cmpuint(orr_object_get_refcount(o), ==, 1);
    orr_test_assert_holders(o, "parent /test-lk-p");

    set_link_ok(a, "peer", b);
    g_assert_true(get_link(a, "peer") == b);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 2);

    /* A refused set leaves the previous target in place. */
    g_assert_false(orr_object_set_link(a, "peer", o, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_true(get_link(a, "peer") == b);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 2);

    /* A value of the wrong kind is refused too. */
    g_auto(OrrValue) str = ORR_VALUE_INIT;
    orr_value_set_string(&str, "/test-lk-p/b");
    g_assert_false(orr_object_set(a, "peer", &str, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_clear_error(&err);
    g_assert_true(get_link(a, "peer") == b);

    /* A subtype is accepted. */
    set_link_ok(a, "peer", s);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 1);
    g_assert_cmpuint(orr_object_get_refcount(s), ==, 2);

    /* NONE through the generic setter clears it. */
    OrrValue none = ORR_VALUE_INIT;
    g_assert_true(orr_object_set(a, "peer", &none, &err));
    g_assert_no_error(err);
    assert_link_empty(a, "peer");
    g_assert_cmpuint(orr_object_get_refcount(s), ==, 1);

    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

static void test_set_unknown_target_type(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *a = obj_new(TYPE_NODE);

    g_assert_null(
        orr_object_add_link(a, "peer", "test-lk-no-such-type", 0, &err));
    g_assert_nonnull(err);
    g_assert_null(orr_object_find_property(a, "peer"));
    orr_object_unref(a);
    orr_test_assert_no_live_objects();
}

static void test_set_from_string(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);

    add_link(a, "peer", TYPE_NODE, 0);
    g_assert_true(orr_object_set_from_string(a, "peer", "/test-lk-p/b", &err));
    g_assert_no_error(err);
    g_assert_true(get_link(a, "peer") == b);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 2);
    g_autofree char *text = orr_object_get_as_string(a, "peer", &err);
    g_assert_cmpstr(text, ==, "/test-lk-p/b");

    g_assert_false(
        orr_object_set_from_string(a, "peer", "/test-lk-p/none", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_true(get_link(a, "peer") == b);

    g_assert_true(orr_object_set_from_string(a, "peer", "", &err));
    g_assert_no_error(err);
    assert_link_empty(a, "peer");
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 1);

    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

static void test_readonly_link(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);
    g_auto(OrrValue) v = ORR_VALUE_INIT;

    add_link(a, "fixed", TYPE_NODE, ORR_PROP_READONLY);
    g_assert_true(
        orr_property_is_readonly(orr_object_find_property(a, "fixed")));
    orr_value_set_object(&v, b);
    g_assert_false(orr_object_set(a, "fixed", &v, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_READONLY);
    assert_link_empty(a, "fixed");
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 1);

    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

/* --- Non-owning edges: up and to oneself ---------------------------------- */

/*
 * A link from @src up to @target takes no reference and changes no holder;
 * when @top (an ancestor of @src, held only by its parent) is unparented
 * while a caller holds @src, @target dies and the link reads back empty.
 */
static void check_up_link(OrrObject *top, OrrObject *src, OrrObject *target)
{
    guint count = orr_object_get_refcount(target);
    g_autofree char *holders = orr_test_holders_text(target);

    add_link(src, "up", TYPE_NODE, 0);
    g_assert_false(orr_edge_is_owning(src, target));
    set_link_ok(src, "up", target);
    g_assert_true(get_link(src, "up") == target);
    g_assert_cmpuint(orr_object_get_refcount(target), ==, count);
    orr_test_assert_holders(target, holders);

    /* Clearing and setting again change nothing either. */
    set_link_ok(src, "up", NULL);
    assert_link_empty(src, "up");
    set_link_ok(src, "up", target);
    set_link_ok(src, "up", target);
    g_assert_cmpuint(orr_object_get_refcount(target), ==, count);

    orr_object_ref(src);
    orr_object_unparent(top);
    g_assert_cmpint(orr_object_get_state(src), ==, ORR_OBJECT_LIVE);
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);
    assert_link_empty(src, "up");
    /* The severed link can be used again. */
    OrrObject *other = obj_new(TYPE_NODE);
    set_link_ok(src, "up", other);
    g_assert_cmpuint(orr_object_get_refcount(other), ==, 2);
    orr_object_unref(other);
    orr_object_unref(src);
    orr_test_assert_no_live_objects();
}

static void test_up_parent(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);

    check_up_link(p, a, p);
}

static void test_up_grandparent(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);
    OrrObject *a1 = obj_add(a, TYPE_NODE, "a1", false);

    check_up_link(p, a1, p);
}

static void test_up_root(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);
    guint count = orr_object_get_refcount(orr_root());

    add_link(a, "up", "object", 0);
    g_assert_false(orr_edge_is_owning(a, orr_root()));
    set_link_ok(a, "up", orr_root());
    g_assert_cmpuint(orr_object_get_refcount(orr_root()), ==, count);
    orr_object_unparent(p);
    g_assert_cmpuint(orr_object_get_refcount(orr_root()), ==, count);
    orr_test_assert_no_live_objects();
}

static void test_up_self(void)
{
    OrrObject *a = obj_new(TYPE_NODE);

    add_link(a, "self", TYPE_NODE, 0);
    g_assert_false(orr_edge_is_owning(a, a));
    set_link_ok(a, "self", a);
    g_assert_true(get_link(a, "self") == a);
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);
    orr_test_assert_holders(a, ORR_HOLDER_CALLER);

    /* The link to itself does not keep it alive. */
    orr_object_unref(a);
    orr_test_assert_no_live_objects();
}

/* A link set before its source is placed in the tree points "across"
 * when it is set; once the source is added below the target it points up,
 * and must stop holding the target. */
static void test_up_after_add_child(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *p = obj_add(orr_root(), TYPE_NODE, "test-lk-p", true);
    OrrObject *a = obj_new(TYPE_NODE);
    OrrObject *a1 = obj_new(TYPE_NODE);

    /* a1 (below a, below nothing yet) links to p: owning for now. */
    g_assert_nonnull(orr_object_add_child(a, "a1", a1, &err));
    orr_object_unref(a1);
    add_link(a1, "up", TYPE_NODE, 0);
    set_link_ok(a1, "up", p);
    g_assert_cmpuint(orr_object_get_refcount(p), ==, 3);

    /* The subtree joins p: the link is now up and takes no reference. */
    g_assert_nonnull(orr_object_add_child(p, "a", a, &err));
    g_assert_no_error(err);
    orr_object_unref(a);
    g_assert_cmpuint(orr_object_get_refcount(p), ==, 2);
    orr_test_assert_holders(p, "caller|parent /");
    g_assert_true(get_link(a1, "up") == p);

    /* So unparenting p frees the whole subtree: no cycle through a1. */
    orr_object_unparent(p);
    orr_object_unref(p);
    orr_test_assert_no_live_objects();
}

/* A link across to a sibling stays owning when its source joins the tree. */
static void test_across_after_add_child(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);
    OrrObject *c = obj_new(TYPE_NODE);

    add_link(c, "peer", TYPE_NODE, 0);
    set_link_ok(c, "peer", b);
    g_assert_nonnull(orr_object_add_child(p, "c", c, &err));
    orr_object_unref(c);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 2);
    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

/* --- Owning edges: across and down ---------------------------------------- */

static void test_across_sibling(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);

    add_link(a, "peer", TYPE_NODE, 0);
    g_assert_true(orr_edge_is_owning(a, b));
    set_link_ok(a, "peer", b);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 2);
    orr_test_assert_holders(b, "parent /test-lk-p|link /test-lk-p/a.peer");

    /* Setting the same target again takes nothing more. */
    set_link_ok(a, "peer", b);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 2);

    /* Cleared: the reference goes. */
    set_link_ok(a, "peer", NULL);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 1);
    orr_test_assert_holders(b, "parent /test-lk-p");

    /* Retargeted: the old target's reference goes, the new one's comes. */
    OrrObject *c = obj_add(p, TYPE_NODE, "c", false);
    set_link_ok(a, "peer", b);
    set_link_ok(a, "peer", c);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 1);
    g_assert_cmpuint(orr_object_get_refcount(c), ==, 2);
    orr_test_assert_holders(c, "parent /test-lk-p|link /test-lk-p/a.peer");

    /* The source dies: its reference goes. */
    orr_object_unparent(a);
    g_assert_cmpuint(orr_object_get_refcount(c), ==, 1);
    orr_test_assert_holders(c, "parent /test-lk-p");

    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

/* The link keeps its target alive after the target leaves the tree. */
static void test_across_keeps_alive(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);

    add_link(a, "peer", TYPE_NODE, 0);
    set_link_ok(a, "peer", b);
    orr_object_unparent(b);
    g_assert_cmpint(orr_object_get_state(b), ==, ORR_OBJECT_LIVE);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 1);
    orr_test_assert_holders(b, "link /test-lk-p/a.peer");
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, 3);

    set_link_ok(a, "peer", NULL);
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, 2);

    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

static void test_across_detached(void)
{
    OrrObject *x = obj_new(TYPE_NODE);
    OrrObject *y = obj_new(TYPE_NODE);

    add_link(x, "peer", TYPE_NODE, 0);
    g_assert_true(orr_edge_is_owning(x, y));
    set_link_ok(x, "peer", y);
    g_assert_cmpuint(orr_object_get_refcount(y), ==, 2);
    orr_object_unref(y);
    g_assert_cmpuint(orr_live_count(NULL), ==, 2);
    /* The source goes, then the target it held. */
    orr_object_unref(x);
    orr_test_assert_no_live_objects();
}

static void test_down_child(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);
    OrrObject *a1 = obj_add(a, TYPE_NODE, "a1", false);

    add_link(p, "down", TYPE_NODE, 0);
    g_assert_true(orr_edge_is_owning(p, a));
    set_link_ok(p, "down", a);
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 2);
    orr_test_assert_holders(a, "parent /test-lk-p|link /test-lk-p.down");
    set_link_ok(p, "down", NULL);
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);

    /* Two levels down. */
    add_link(p, "deep", TYPE_NODE, 0);
    g_assert_true(orr_edge_is_owning(p, a1));
    set_link_ok(p, "deep", a1);
    g_assert_cmpuint(orr_object_get_refcount(a1), ==, 2);
    orr_test_assert_holders(a1, "parent /test-lk-p/a|link /test-lk-p.deep");

    /* The parent dies: its children go first (a1 survives them, held by
     * the link), then the link, then a1. */
    set_link_ok(p, "down", a);
    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

/* --- Weak links ----------------------------------------------------------- */

static void test_weak_across(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);

    add_link(a, "w", TYPE_NODE, ORR_PROP_LINK_WEAK);
    set_link_ok(a, "w", b);
    g_assert_true(get_link(a, "w") == b);
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 1);
    orr_test_assert_holders(b, "parent /test-lk-p");

    orr_object_unparent(b);
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, 2);
    assert_link_empty(a, "w");

    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

static void test_weak_down(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);

    add_link(p, "w", TYPE_NODE, ORR_PROP_LINK_WEAK);
    set_link_ok(p, "w", a);
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);
    orr_object_unparent(a);
    assert_link_empty(p, "w");

    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

/* The source dies first: its target must not notify a dead link later. */
static void test_weak_source_dies_first(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);

    add_link(a, "w", TYPE_NODE, ORR_PROP_LINK_WEAK);
    add_link(a, "up", TYPE_NODE, 0);
    set_link_ok(a, "w", b);
    set_link_ok(a, "up", p);
    orr_object_unparent(a);
    orr_object_unparent(b);
    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

/* --- Classification ------------------------------------------------------- */

static void test_edge_is_owning_cases(void)
{
    OrrObject *a, *b;
    OrrObject *p = scene(&a, &b);
    OrrObject *a1 = obj_add(a, TYPE_NODE, "a1", false);
    OrrObject *b1 = obj_add(b, TYPE_NODE, "b1", false);
    OrrObject *x = obj_new(TYPE_NODE);

    /* Itself and up: non-owning. */
    g_assert_false(orr_edge_is_owning(a, a));
    g_assert_false(orr_edge_is_owning(a, p));
    g_assert_false(orr_edge_is_owning(a1, a));
    g_assert_false(orr_edge_is_owning(a1, p));
    g_assert_false(orr_edge_is_owning(a1, orr_root()));
    g_assert_false(orr_edge_is_owning(x, x));
    /* Down: owning. */
    g_assert_true(orr_edge_is_owning(p, a));
    g_assert_true(orr_edge_is_owning(p, a1));
    g_assert_true(orr_edge_is_owning(orr_root(), p));
    /* Across: owning. */
    g_assert_true(orr_edge_is_owning(a, b));
    g_assert_true(orr_edge_is_owning(a1, b));
    g_assert_true(orr_edge_is_owning(a1, b1));
    g_assert_true(orr_edge_is_owning(b, a1));
    g_assert_true(orr_edge_is_owning(x, a));
    g_assert_true(orr_edge_is_owning(a, x));

    orr_object_unref(x);
    orr_object_unparent(p);
    orr_test_assert_no_live_objects();
}

/* --- Cycles --------------------------------------------------------------- */

/* @obj has a single holder: the link @name of the object last at @path
 * (the holder is detached, so the exact decoration of its path is left
 * open). */
static void assert_one_link_holder(OrrObject *obj, const char *path,
                                   const char *name)
{
    g_autoptr(GPtrArray) holders = orr_object_list_holders(obj);
    g_autofree char *prefix = g_strdup_printf("link %s", path);

    g_assert_cmpuint(holders->len, ==, 1);
    g_assert_true(g_str_has_prefix(holders->pdata[0], prefix));
    g_assert_nonnull(strstr(holders->pdata[0], name));
}

/* Two siblings linked to each other, then both unparented. */
static void cross_linked_pair(OrrObject **a, OrrObject **b)
{
    OrrObject *p = scene(a, b);

    add_link(*a, "peer", TYPE_NODE, 0);
    add_link(*b, "peer", TYPE_NODE, 0);
    set_link_ok(*a, "peer", *b);
    set_link_ok(*b, "peer", *a);
    g_assert_cmpuint(orr_object_get_refcount(*a), ==, 2);
    g_assert_cmpuint(orr_object_get_refcount(*b), ==, 2);

    orr_object_unparent(p);
    /* The documented cycle: each keeps the other alive. */
    g_assert_cmpuint(orr_live_count(NULL), ==, 2);
    g_assert_cmpuint(orr_object_get_refcount(*a), ==, 1);
    g_assert_cmpuint(orr_object_get_refcount(*b), ==, 1);
    assert_one_link_holder(*a, "/test-lk-p/b", "peer");
    assert_one_link_holder(*b, "/test-lk-p/a", "peer");
}

static void test_cycle_reported(void)
{
    OrrObject *a, *b;

    cross_linked_pair(&a, &b);
    g_autoptr(GPtrArray) cycles = orr_live_find_cycles();
    g_assert_cmpuint(cycles->len, ==, 1);
    GPtrArray *cycle = cycles->pdata[0];
    g_assert_cmpuint(cycle->len, ==, 2);
    for (guint i = 0; i < cycle->len; i++) {
        g_assert_nonnull(strstr(cycle->pdata[i], ".peer"));
    }
    set_link_ok(a, "peer", NULL);
    orr_test_assert_no_live_objects();
}

/* Breaking one link frees both, even when the object whose link is
 * cleared is itself held only by the other. */
static void test_cycle_break_frees_both(void)
{
    OrrObject *a, *b;

    cross_linked_pair(&a, &b);
    set_link_ok(a, "peer", NULL);
    orr_test_assert_no_live_objects();
}

/* The same, with a caller holding the side whose link is cleared. */
static void test_cycle_break_while_held(void)
{
    OrrObject *a, *b;

    cross_linked_pair(&a, &b);
    orr_object_ref(b);
    set_link_ok(b, "peer", NULL);
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);
    g_assert_cmpint(orr_object_get_state(b), ==, ORR_OBJECT_LIVE);
    assert_link_empty(b, "peer");
    orr_object_unref(b);
    orr_test_assert_no_live_objects();
}

/* Retargeting a link whose old target was the last holder of the source:
 * the new edge is made, the old one released, which finalizes the source
 * and with it the new edge. */
static void test_cycle_retarget_drops_self(void)
{
    OrrObject *a, *b;

    cross_linked_pair(&a, &b);
    OrrObject *c = obj_new(TYPE_NODE);
    set_link_ok(a, "peer", c);
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);
    g_assert_cmpuint(orr_object_get_refcount(c), ==, 1);
    orr_test_assert_holders(c, ORR_HOLDER_CALLER);
    orr_object_unref(c);
    orr_test_assert_no_live_objects();
}

/* --- Class links ---------------------------------------------------------- */

static void test_class_link(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *p = obj_add(orr_root(), TYPE_NODE, "test-lk-p", false);
    OrrObject *h1 = obj_add(p, TYPE_HOLDER, "h1", false);
    OrrObject *h2 = obj_add(p, TYPE_HOLDER, "h2", true);
    OrrObject *t = obj_add(p, TYPE_NODE, "t", false);
    OrrObject *o = obj_add(p, TYPE_OTHER, "o", false);

    const OrrProperty *prop = orr_object_find_property(h1, "peer");
    g_assert_nonnull(prop);
    g_assert_true(orr_property_is_class(prop));
    g_assert_cmpstr(orr_property_get_type_name(prop), ==, "link<test-lk-node>");
    assert_link_empty(h1, "peer");

    /* Type-checked like an instance link. */
    g_assert_false(orr_object_set_link(h1, "peer", o, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_TYPE);
    g_assert_nonnull(strstr(err->message, TYPE_NODE));
    g_assert_nonnull(strstr(err->message, TYPE_OTHER));
    g_clear_error(&err);

    /* Per instance: setting h1's leaves h2's empty. */
    set_link_ok(h1, "peer", t);
    assert_link_empty(h2, "peer");
    g_assert_cmpuint(orr_object_get_refcount(t), ==, 2);
    set_link_ok(h2, "peer", t);
    g_assert_cmpuint(orr_object_get_refcount(t), ==, 3);
    orr_test_assert_holders(t, "parent /test-lk-p|link /test-lk-p/h1.peer|"
                               "link /test-lk-p/h2.peer");

    /* The source dies: its reference goes. */
    orr_object_unparent(h1);
    g_assert_cmpuint(orr_object_get_refcount(t), ==, 2);
    orr_test_assert_holders(t, "parent /test-lk-p|link /test-lk-p/h2.peer");

    /* Up: no reference, severed when the target dies. */
    guint pcount = orr_object_get_refcount(p);
    set_link_ok(h2, "peer", p);
    g_assert_cmpuint(orr_object_get_refcount(t), ==, 1);
    g_assert_cmpuint(orr_object_get_refcount(p), ==, pcount);
    orr_object_unparent(p);
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);
    assert_link_empty(h2, "peer");

    orr_object_unref(h2);
    orr_test_assert_no_live_objects();
}

/* --- Finalizing ends ------------------------------------------------------ */

/* Held by the probes (NOREF: the tests hold them). */
static OrrObject *probe_source;

static void probe_set_own_link(OrrObject *obj)
{
    g_assert_cmpint(orr_object_get_state(obj), ==, ORR_OBJECT_FINALIZING);
    probe.runs++;
    probe.set_ok = orr_object_set_link(obj, "peer", probe_source, &probe.error);
    probe.peer_after = orr_object_get_link(obj, "peer", NULL);
}

static void probe_link_to_dying(OrrObject *obj)
{
    probe.runs++;
    probe.set_ok = orr_object_set_link(probe_source, "peer", obj, &probe.error);
    probe.peer_after = orr_object_get_link(probe_source, "peer", NULL);
}

/* A finalizing object's links cannot be set. */
static void test_finalizing_source(void)
{
    OrrObject *keeper = obj_new(TYPE_NODE);
    OrrObject *dying = obj_new(TYPE_NODE);

    reset_probe();
    add_link(dying, "peer", TYPE_NODE, 0);
    probe_source = keeper;
    finalize_probe = probe_set_own_link;
    orr_object_unref(dying);

    g_assert_cmpuint(probe.runs, ==, 1);
    g_assert_false(probe.set_ok);
    g_assert_error(probe.error, ORR_ERROR, ORR_ERROR_STATE);
    g_assert_null(probe.peer_after);
    g_assert_cmpuint(orr_object_get_refcount(keeper), ==, 1);
    reset_probe();
    orr_object_unref(keeper);
    orr_test_assert_no_live_objects();
}

/* Nothing can link to a finalizing object: owning, weak or up. */
static void check_link_to_dying(unsigned flags, bool as_parent)
{
    OrrObject *src = obj_new(TYPE_NODE);
    OrrObject *prev = obj_new(TYPE_NODE);
    OrrObject *dying = obj_new(TYPE_NODE);

    add_link(src, "peer", TYPE_NODE, flags);
    set_link_ok(src, "peer", prev);
    if (as_parent) {
        /* dying is src's parent: the edge would be non-owning. */
        g_assert_nonnull(orr_object_add_child(dying, "src", src, NULL));
    }
    reset_probe();
    probe_source = src;
    finalize_probe = probe_link_to_dying;
    orr_object_unref(dying);

    g_assert_cmpuint(probe.runs, ==, 1);
    g_assert_false(probe.set_ok);
    g_assert_error(probe.error, ORR_ERROR, ORR_ERROR_STATE);
    g_assert_true(probe.peer_after == prev);
    reset_probe();
    g_assert_true(get_link(src, "peer") == prev);
    orr_object_unref(src);
    orr_object_unref(prev);
    orr_test_assert_no_live_objects();
}

static void test_finalizing_target_owning(void)
{
    check_link_to_dying(0, false);
}

static void test_finalizing_target_weak(void)
{
    check_link_to_dying(ORR_PROP_LINK_WEAK, false);
}

static void test_finalizing_target_up(void)
{
    check_link_to_dying(0, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    register_types();

    g_test_add_func("/link/set/type-checked", test_set_type_checked);
    g_test_add_func("/link/set/unknown-target-type",
                    test_set_unknown_target_type);
    g_test_add_func("/link/set/from-string", test_set_from_string);
    g_test_add_func("/link/set/readonly", test_readonly_link);
    g_test_add_func("/link/up/parent", test_up_parent);
    g_test_add_func("/link/up/grandparent", test_up_grandparent);
    g_test_add_func("/link/up/root", test_up_root);
    g_test_add_func("/link/up/self", test_up_self);
    g_test_add_func("/link/up/after-add-child", test_up_after_add_child);
    g_test_add_func("/link/across/after-add-child",
                    test_across_after_add_child);
    g_test_add_func("/link/across/sibling", test_across_sibling);
    g_test_add_func("/link/across/keeps-alive", test_across_keeps_alive);
    g_test_add_func("/link/across/detached", test_across_detached);
    g_test_add_func("/link/down/child-and-grandchild", test_down_child);
    g_test_add_func("/link/weak/across", test_weak_across);
    g_test_add_func("/link/weak/down", test_weak_down);
    g_test_add_func("/link/weak/source-dies-first",
                    test_weak_source_dies_first);
    g_test_add_func("/link/edge-is-owning/cases", test_edge_is_owning_cases);
    g_test_add_func("/link/cycle/reported", test_cycle_reported);
    g_test_add_func("/link/cycle/break-frees-both",
                    test_cycle_break_frees_both);
    g_test_add_func("/link/cycle/break-while-held",
                    test_cycle_break_while_held);
    g_test_add_func("/link/cycle/retarget-drops-self",
                    test_cycle_retarget_drops_self);
    g_test_add_func("/link/class/per-instance", test_class_link);
    g_test_add_func("/link/finalizing/source", test_finalizing_source);
    g_test_add_func("/link/finalizing/target-owning",
                    test_finalizing_target_owning);
    g_test_add_func("/link/finalizing/target-weak",
                    test_finalizing_target_weak);
    g_test_add_func("/link/finalizing/target-up", test_finalizing_target_up);

    return g_test_run();
}
