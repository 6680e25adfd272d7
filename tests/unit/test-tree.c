/*
 * Unit tests for the composition tree: the root, child<> edges and their
 * names, canonical paths, path resolution, unparent, the qom-tree dump and
 * creation with properties under a parent.
 */
#include "test-util.h"

/*
 * Test types:
 *   test-tree-node   logs "finalize NAME" from instance_finalize; class
 *                    properties "count" (uint), "label" (string) and a
 *                    class link "peer" to test-tree-node.
 *   test-tree-leaf   a subclass of test-tree-node, for type filters.
 */
#define TYPE_NODE "test-tree-node"
#define TYPE_LEAF "test-tree-leaf"

static void node_instance_finalize(OrrObject *obj)
{
    const char *name = orr_object_get_name(obj);

    orr_test_log("finalize %s", name ? name : "(unnamed)");
}

static void node_class_init(OrrObjectClass *klass, const void *data)
{
    static const OrrPropertyDef count = {
        .name = "count",
        .type = ORR_PROP_UINT,
    };
    static const OrrPropertyDef label = {
        .name = "label",
        .type = ORR_PROP_STRING,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_class_add_property(klass, &count, &err));
    g_assert_nonnull(orr_class_add_property(klass, &label, &err));
    g_assert_nonnull(orr_class_add_link(klass, "peer", TYPE_NODE, 0, &err));
    g_assert_no_error(err);
}

static void register_types(void)
{
    static const OrrTypeInfo node = {
        .name = TYPE_NODE,
        .class_init = node_class_init,
        .instance_finalize = node_instance_finalize,
    };
    static const OrrTypeInfo leaf = {
        .name = TYPE_LEAF,
        .parent = TYPE_NODE,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&node, &err));
    g_assert_nonnull(orr_type_register(&leaf, &err));
    g_assert_no_error(err);
}

/* --- Helpers -------------------------------------------------------------- */

/* "/machine", the container most tests build under. */
static OrrObject *add_machine(void)
{
    return orr_test_add_new_child(orr_root(), ORR_TYPE_CONTAINER, "machine");
}

static guint n_children(OrrObject *obj)
{
    g_autoptr(GPtrArray) children = orr_object_get_children(obj);

    return children->len;
}

static void set_link_ok(OrrObject *obj, const char *name, OrrObject *target)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_object_set_link(obj, name, target, &err));
    g_assert_no_error(err);
}

#define assert_path(obj, expected)                                             \
    do {                                                                       \
        g_autofree char *p_ = orr_object_get_path(obj);                        \
        g_assert_cmpstr(p_, ==, (expected));                                   \
    } while (0)

#define assert_describe(obj, expected)                                         \
    do {                                                                       \
        g_autofree char *d_ = orr_object_describe(obj);                        \
        g_assert_cmpstr(d_, ==, (expected));                                   \
    } while (0)

/* Asserts that resolving @path gives @expected and the ambiguity flag. */
static void assert_resolves(const char *path, const char *type_name,
                            OrrObject *expected, bool expect_ambiguous)
{
    bool ambiguous = !expect_ambiguous; /* (out): must be written */

    g_assert_true(orr_object_resolve_path(path, type_name, &ambiguous) ==
                  expected);
    g_assert_cmpint(ambiguous, ==, expect_ambiguous);
    /* @ambiguous is optional. */
    g_assert_true(orr_object_resolve_path(path, type_name, NULL) == expected);
}

/* Asserts that adding @child to @parent as @name fails with @code and
 * leaves @child detached and unnamed and @parent's children unchanged. */
static void assert_add_refused(OrrObject *parent, const char *name,
                               OrrObject *child, int code)
{
    g_autoptr(GError) err = NULL;
    OrrObject *old_parent = orr_object_get_parent(child);
    guint old_children = n_children(parent);
    guint old_refs = orr_object_get_refcount(child);

    g_assert_null(orr_object_add_child(parent, name, child, &err));
    g_assert_error(err, ORR_ERROR, code);
    g_assert_true(g_str_has_prefix(err->message, "add_child: "));
    g_assert_true(orr_object_get_parent(child) == old_parent);
    g_assert_cmpuint(n_children(parent), ==, old_children);
    g_assert_cmpuint(orr_object_get_refcount(child), ==, old_refs);
}

/* --- The root ------------------------------------------------------------- */

static void test_root_identity(void)
{
    OrrObject *root = orr_root();

    g_assert_nonnull(root);
    g_assert_true(orr_root() == root);
    assert_path(root, "/");
    assert_describe(root, "/");
    g_assert_null(orr_object_get_parent(root));
    g_assert_null(orr_object_get_name(root));
    g_assert_cmpstr(orr_object_get_type_name(root), ==, ORR_TYPE_CONTAINER);
    g_assert_cmpuint(n_children(root), ==, 0);
    g_assert_false(orr_object_is_ancestor(root, root));
    assert_resolves("/", NULL, root, false);
    assert_resolves("/", ORR_TYPE_CONTAINER, root, false);
    assert_resolves("/", TYPE_NODE, NULL, false);
    /* The root is not a live object of the registry. */
    g_assert_cmpuint(orr_live_count(NULL), ==, 0);
    orr_test_assert_no_live_objects();
}

static void test_root_shutdown(void)
{
    OrrObject *root = orr_root();

    orr_test_add_new_child(root, TYPE_NODE, "a");
    orr_test_add_new_child(root, TYPE_NODE, "b");
    g_assert_cmpuint(orr_live_count(NULL), ==, 2);

    /* The root's children go in reverse order of addition. */
    orr_root_shutdown();
    orr_test_assert_log("finalize b, finalize a");
    orr_test_assert_no_live_objects();

    /* A later orr_root() makes a new, empty root. */
    root = orr_root();
    assert_path(root, "/");
    g_assert_cmpuint(n_children(root), ==, 0);
    OrrObject *m = add_machine();
    assert_path(m, "/machine");
    orr_object_unparent(m);
    orr_test_assert_no_live_objects();
}

/* --- Adding children ------------------------------------------------------ */

static void test_add_child_paths(void)
{
    OrrObject *root = orr_root();
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");
    OrrObject *c = orr_test_add_new_child(a, TYPE_NODE, "c");

    assert_path(m, "/machine");
    assert_path(a, "/machine/a");
    assert_path(b, "/machine/b");
    assert_path(c, "/machine/a/c");
    assert_describe(c, "/machine/a/c");
    g_assert_true(orr_object_get_parent(m) == root);
    g_assert_true(orr_object_get_parent(a) == m);
    g_assert_true(orr_object_get_parent(c) == a);
    g_assert_cmpstr(orr_object_get_name(a), ==, "a");
    g_assert_true(orr_object_get_child(m, "a") == a);
    g_assert_true(orr_object_get_child(m, "b") == b);
    g_assert_null(orr_object_get_child(m, "c"));
    g_assert_true(orr_object_get_child(root, "machine") == m);

    /* Children in order of addition. */
    g_autoptr(GPtrArray) children = orr_object_get_children(m);
    g_assert_cmpuint(children->len, ==, 2);
    g_assert_true(children->pdata[0] == a);
    g_assert_true(children->pdata[1] == b);

    g_assert_true(orr_object_is_ancestor(root, c));
    g_assert_true(orr_object_is_ancestor(m, c));
    g_assert_true(orr_object_is_ancestor(a, c));
    g_assert_false(orr_object_is_ancestor(c, c));
    g_assert_false(orr_object_is_ancestor(b, c));
    g_assert_false(orr_object_is_ancestor(c, m));

    /* The edge is a child<T> property holding the one parent reference. */
    const OrrProperty *prop = orr_object_find_property(m, "a");
    g_assert_nonnull(prop);
    g_assert_cmpint(orr_property_get_type(prop), ==, ORR_PROP_CHILD);
    g_assert_cmpstr(orr_property_get_type_name(prop), ==,
                    "child<test-tree-node>");
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);

    /* Releasing m: its instance_finalize first, then children newest first,
     * each one's own finalize before its children's. */
    orr_object_unparent(m);
    orr_test_assert_log("finalize b, finalize a, finalize c");
    orr_test_assert_no_live_objects();
}

static void test_add_child_returns_name(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_new_object(TYPE_NODE);

    const char *used = orr_object_add_child(m, "a", a, &err);
    g_assert_no_error(err);
    /* Owned by the child. */
    g_assert_true(used == orr_object_get_name(a));
    g_assert_cmpstr(used, ==, "a");
    /* The caller's reference and the parent's. */
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 2);
    orr_object_unref(a);
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);
    orr_object_unparent(m);
    orr_test_assert_log("finalize a");
    orr_test_assert_no_live_objects();
}

static void test_detached_path_null(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *x = orr_test_new_object(TYPE_NODE);
    OrrObject *y = orr_test_add_new_child(x, TYPE_NODE, "y");

    /* Never parented: no name, no path. */
    assert_path(x, NULL);
    g_assert_null(orr_object_get_name(x));
    assert_describe(x, "<detached test-tree-node>");
    /* A child of a detached object has a name but no path. */
    assert_path(y, NULL);
    g_assert_cmpstr(orr_object_get_name(y), ==, "y");
    g_assert_true(orr_object_get_parent(y) == x);
    assert_resolves("/x/y", NULL, NULL, false);
    assert_resolves("x/y", NULL, NULL, false);

    /* Attaching the subtree gives both paths. */
    g_assert_nonnull(orr_object_add_child(m, "x", x, &err));
    g_assert_no_error(err);
    orr_object_unref(x);
    assert_path(x, "/machine/x");
    assert_path(y, "/machine/x/y");

    orr_object_unparent(m);
    orr_test_assert_log("finalize x, finalize y");
    orr_test_assert_no_live_objects();
}

static void test_add_child_duplicate_refused(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *dup = orr_test_new_object(TYPE_NODE);

    g_assert_null(orr_object_add_child(m, "a", dup, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_EXISTS);
    g_assert_cmpstr(err->message, ==,
                    "add_child: '/machine' already has a child named 'a'");
    g_clear_error(&err);
    /* The original is untouched; the newcomer is still detached. */
    g_assert_true(orr_object_get_child(m, "a") == a);
    g_assert_true(orr_object_get_parent(a) == m);
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);
    assert_path(a, "/machine/a");
    g_assert_cmpuint(n_children(m), ==, 1);
    g_assert_null(orr_object_get_parent(dup));
    g_assert_null(orr_object_get_name(dup));
    g_assert_cmpuint(orr_object_get_refcount(dup), ==, 1);

    /* A name taken by another kind of property is refused as well. */
    g_assert_null(orr_object_add_child(a, "count", dup, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_EXISTS);
    g_assert_true(g_str_has_prefix(err->message,
                                   "add_child: '/machine/a' already has a "));
    g_assert_nonnull(strstr(err->message, "'count'"));
    g_clear_error(&err);
    g_assert_cmpint(orr_property_get_type(orr_object_find_property(a, "count")),
                    ==, ORR_PROP_UINT);
    g_assert_null(orr_object_get_parent(dup));

    /* A child that already has a parent is refused, and stays put. */
    g_assert_null(orr_object_add_child(m, "b", a, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_STATE);
    g_clear_error(&err);
    g_assert_true(orr_object_get_child(m, "a") == a);
    g_assert_null(orr_object_get_child(m, "b"));
    assert_path(a, "/machine/a");

    orr_object_unref(dup);
    orr_test_assert_log("finalize (unnamed)");
    orr_object_unparent(m);
    orr_test_assert_log("finalize a");
    orr_test_assert_no_live_objects();
}

static void test_add_child_auto_number(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *a[4];

    for (guint i = 0; i < 3; i++) {
        g_autofree char *expected = g_strdup_printf("a[%u]", i);
        a[i] = orr_test_new_object(TYPE_NODE);
        const char *used = orr_object_add_child(m, "a[*]", a[i], &err);
        g_assert_no_error(err);
        g_assert_cmpstr(used, ==, expected);
        g_assert_true(used == orr_object_get_name(a[i]));
        orr_object_unref(a[i]);
    }
    assert_path(a[0], "/machine/a[0]");
    assert_path(a[2], "/machine/a[2]");
    g_assert_true(orr_object_get_child(m, "a[1]") == a[1]);
    assert_resolves("/machine/a[1]", NULL, a[1], false);
    assert_resolves("a[2]", NULL, a[2], false);

    /* The first free number is picked: a gap is reused. */
    orr_object_unparent(a[1]);
    orr_test_assert_log("finalize a[1]");
    a[1] = orr_test_new_object(TYPE_NODE);
    g_assert_cmpstr(orr_object_add_child(m, "a[*]", a[1], &err), ==, "a[1]");
    orr_object_unref(a[1]);
    a[3] = orr_test_new_object(TYPE_NODE);
    g_assert_cmpstr(orr_object_add_child(m, "a[*]", a[3], &err), ==, "a[3]");
    orr_object_unref(a[3]);
    g_assert_no_error(err);

    /* Explicit numbers and auto-numbers share the space. */
    orr_test_add_new_child(m, TYPE_NODE, "b[1]");
    OrrObject *b = orr_test_new_object(TYPE_NODE);
    g_assert_cmpstr(orr_object_add_child(m, "b[*]", b, &err), ==, "b[0]");
    orr_object_unref(b);
    b = orr_test_new_object(TYPE_NODE);
    g_assert_cmpstr(orr_object_add_child(m, "b[*]", b, &err), ==, "b[2]");
    orr_object_unref(b);
    g_assert_no_error(err);
    /* An explicit name that an auto-number took is a duplicate. */
    b = orr_test_new_object(TYPE_NODE);
    g_assert_null(orr_object_add_child(m, "b[2]", b, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_EXISTS);
    g_clear_error(&err);
    orr_object_unref(b);
    orr_test_assert_log("finalize (unnamed)");

    g_assert_cmpuint(n_children(m), ==, 7);
    orr_object_unparent(m);
    orr_test_assert_log("finalize b[2], finalize b[0], finalize b[1], "
                        "finalize a[3], finalize a[1], finalize a[2], "
                        "finalize a[0]");
    orr_test_assert_no_live_objects();
}

static void test_add_child_invalid_names(void)
{
    static const char *const bad[] = {
        "", "a/b", "/a", "a b", "a*", "*", "a[*]b", "a/b[*]", "a\tb",
    };
    OrrObject *m = add_machine();
    OrrObject *x = orr_test_new_object(TYPE_NODE);

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("name '%s'", bad[i]);
        assert_add_refused(m, bad[i], x, ORR_ERROR_INVALID);
        g_assert_null(orr_object_get_name(x));
        g_assert_null(orr_object_find_property(m, bad[i]));
    }
    g_assert_cmpuint(n_children(m), ==, 0);

    /* Letters, digits, '-', '_' and brackets are fine. */
    g_assert_cmpstr(orr_object_add_child(m, "uart-0_x[3]", x, NULL), ==,
                    "uart-0_x[3]");
    assert_path(x, "/machine/uart-0_x[3]");
    orr_object_unref(x);

    orr_object_unparent(m);
    orr_test_assert_log("finalize uart-0_x[3]");
    orr_test_assert_no_live_objects();
}

static void test_add_child_cycle_refused(void)
{
    OrrObject *m = add_machine();
    OrrObject *p = orr_test_new_object(TYPE_NODE); /* detached, held by us */
    OrrObject *c = orr_test_add_new_child(p, TYPE_NODE, "c");
    OrrObject *g = orr_test_add_new_child(c, TYPE_NODE, "g");

    /* An ancestor under its descendant: a containment cycle. */
    assert_add_refused(c, "loop", p, ORR_ERROR_CYCLE);
    assert_add_refused(g, "loop", p, ORR_ERROR_CYCLE);
    assert_add_refused(g, "loop[*]", p, ORR_ERROR_CYCLE);
    /* An object under itself. */
    assert_add_refused(p, "self", p, ORR_ERROR_CYCLE);
    /* The root is everyone's ancestor. */
    assert_add_refused(m, "root", orr_root(), ORR_ERROR_CYCLE);
    assert_add_refused(p, "root", orr_root(), ORR_ERROR_CYCLE);

    g_assert_null(orr_object_find_property(c, "loop"));
    g_assert_null(orr_object_find_property(g, "loop"));
    g_assert_null(orr_object_find_property(g, "loop[0]"));
    g_assert_null(orr_object_find_property(p, "self"));
    g_assert_null(orr_object_get_parent(p));
    g_assert_true(orr_object_get_parent(c) == p);
    g_assert_true(orr_object_get_parent(g) == c);
    g_assert_null(orr_object_get_parent(orr_root()));
    g_assert_cmpuint(orr_object_get_refcount(p), ==, 1);

    orr_object_unref(p);
    orr_test_assert_log("finalize (unnamed), finalize c, finalize g");
    orr_object_unparent(m);
    orr_test_assert_no_live_objects();
}

/* --- Resolution ----------------------------------------------------------- */

static void test_resolve_absolute(void)
{
    OrrObject *root = orr_root();
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");
    OrrObject *c = orr_test_add_new_child(b, TYPE_LEAF, "c");

    set_link_ok(a, "peer", b);

    assert_resolves("/", NULL, root, false);
    assert_resolves("/machine", NULL, m, false);
    assert_resolves("/machine/a", NULL, a, false);
    assert_resolves("/machine/b/c", NULL, c, false);
    /* Absolute paths follow link<> edges too. */
    assert_resolves("/machine/a/peer", NULL, b, false);
    assert_resolves("/machine/a/peer/c", NULL, c, false);
    /* Not found. */
    assert_resolves("/machine/nope", NULL, NULL, false);
    assert_resolves("/nope/a", NULL, NULL, false);
    assert_resolves("/machine/b/c/d", NULL, NULL, false);
    assert_resolves("/a", NULL, NULL, false);
    /* Neither child nor link: a plain property is no edge. */
    assert_resolves("/machine/a/count", NULL, NULL, false);
    /* An empty link leads nowhere. */
    assert_resolves("/machine/b/peer", NULL, NULL, false);
    /* Type filter: the type, a subtype, or nothing. */
    assert_resolves("/machine/b/c", TYPE_LEAF, c, false);
    assert_resolves("/machine/b/c", TYPE_NODE, c, false);
    assert_resolves("/machine/a", TYPE_LEAF, NULL, false);
    assert_resolves("/machine", TYPE_NODE, NULL, false);

    /* a is released first and takes b (held by its link) with it. */
    orr_object_unparent(m);
    orr_test_assert_log("finalize a, finalize b, finalize c");
    orr_test_assert_no_live_objects();
}

static void test_resolve_partial(void)
{
    OrrObject *m = add_machine();
    OrrObject *x = orr_test_add_new_child(m, TYPE_NODE, "x");
    OrrObject *y = orr_test_add_new_child(m, TYPE_NODE, "y");
    OrrObject *xa = orr_test_add_new_child(x, TYPE_NODE, "a");
    OrrObject *ya = orr_test_add_new_child(y, TYPE_LEAF, "a");
    OrrObject *uart = orr_test_add_new_child(x, TYPE_NODE, "uart0");

    /* A unique suffix of a canonical path. */
    assert_resolves("uart0", NULL, uart, false);
    assert_resolves("x/uart0", NULL, uart, false);
    assert_resolves("machine/x/uart0", NULL, uart, false);
    assert_resolves("machine", NULL, m, false);
    assert_resolves("x", NULL, x, false);
    assert_resolves("x/a", NULL, xa, false);
    assert_resolves("y/a", NULL, ya, false);
    /* More than one match: reported, not guessed. */
    assert_resolves("a", NULL, NULL, true);
    /* A type filter can make it unique again. */
    assert_resolves("a", TYPE_LEAF, ya, false);
    assert_resolves("a", ORR_TYPE_CONTAINER, NULL, false);
    /* Not found. */
    assert_resolves("nope", NULL, NULL, false);
    assert_resolves("z/uart0", NULL, NULL, false);
    assert_resolves("y/uart0", NULL, NULL, false);
    assert_resolves("", NULL, NULL, false);

    /* Partial paths follow child<> edges only, absolute ones links too. */
    set_link_ok(xa, "peer", uart);
    assert_resolves("/machine/x/a/peer", NULL, uart, false);
    assert_resolves("x/a/peer", NULL, NULL, false);
    assert_resolves("a/peer", NULL, NULL, false);
    set_link_ok(xa, "peer", NULL);

    orr_object_unparent(m);
    orr_test_assert_log(
        "finalize y, finalize a, finalize x, finalize uart0, finalize a");
    orr_test_assert_no_live_objects();
}

/* --- Unparent ------------------------------------------------------------- */

static void test_unparent_frees_unheld(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");

    orr_test_add_new_child(a, TYPE_NODE, "c");
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, 2);

    /* Only the parent held it: unparent finalizes the whole subtree. */
    orr_object_unparent(a);
    orr_test_assert_log("finalize a, finalize c");
    g_assert_null(orr_object_get_child(m, "a"));
    g_assert_null(orr_object_find_property(m, "a"));
    g_assert_cmpuint(n_children(m), ==, 0);
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, 0);
    assert_resolves("/machine/a", NULL, NULL, false);

    /* The name is free again. */
    a = orr_test_add_new_child(m, TYPE_NODE, "a");
    assert_path(a, "/machine/a");

    orr_object_unparent(m);
    orr_test_assert_log("finalize a");
    orr_test_assert_no_live_objects();
}

static void test_unparent_held_survives(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *a = orr_object_ref(orr_test_add_new_child(m, TYPE_NODE, "a"));
    OrrObject *c = orr_test_add_new_child(a, TYPE_NODE, "c");

    g_assert_cmpuint(orr_object_get_refcount(a), ==, 2);
    orr_object_unparent(a);

    /* Detached: the parent's reference is gone, ours keeps it. */
    orr_test_assert_log(""); /* nothing finalized */
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);
    g_assert_cmpint(orr_object_get_state(a), ==, ORR_OBJECT_LIVE);
    g_assert_null(orr_object_get_parent(a));
    g_assert_null(orr_object_get_child(m, "a"));
    g_assert_cmpuint(n_children(m), ==, 0);
    assert_path(a, NULL);
    g_assert_cmpstr(orr_object_get_name(a), ==, "a"); /* the last name */
    assert_describe(a, "/machine/a (detached)");
    /* Its subtree goes with it. */
    g_assert_true(orr_object_get_parent(c) == a);
    assert_path(c, NULL);
    assert_describe(c, "/machine/a/c (detached)");
    assert_resolves("/machine/a", NULL, NULL, false);
    assert_resolves("a/c", NULL, NULL, false);

    /* Unparenting a detached object changes nothing. */
    orr_object_unparent(a);
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);

    /* It can be added again, under a new name. */
    g_assert_cmpstr(orr_object_add_child(m, "a2", a, &err), ==, "a2");
    g_assert_no_error(err);
    assert_path(c, "/machine/a2/c");
    orr_object_unref(a);

    orr_object_unparent(m);
    orr_test_assert_log("finalize a2, finalize c");
    orr_test_assert_no_live_objects();
}

static void test_unparent_via_delete_property(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();

    orr_test_add_new_child(m, TYPE_NODE, "a");
    g_assert_true(orr_object_delete_property(m, "a", &err));
    g_assert_no_error(err);
    orr_test_assert_log("finalize a");
    g_assert_null(orr_object_get_child(m, "a"));

    orr_object_unparent(m);
    orr_test_assert_no_live_objects();
}

/* --- The qom-tree dump ---------------------------------------------------- */

static void test_format_tree(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *b;
    OrrObject *d = orr_test_new_object(ORR_TYPE_CONTAINER);

    orr_test_add_new_child(m, TYPE_NODE, "a");
    b = orr_test_add_new_child(m, TYPE_LEAF, "b");
    orr_test_add_new_child(b, TYPE_NODE, "c");
    g_assert_cmpstr(orr_object_add_child(m, "d[*]", d, &err), ==, "d[0]");
    g_assert_no_error(err);
    orr_object_unref(d);

    g_autofree char *all = orr_object_format_tree(NULL);
    g_assert_cmpstr(all, ==,
                    "/ (container)\n"
                    "  /machine (container)\n"
                    "    /a (test-tree-node)\n"
                    "    /b (test-tree-leaf)\n"
                    "      /c (test-tree-node)\n"
                    "    /d[0] (container)\n");
    g_autofree char *from_root = orr_object_format_tree(orr_root());
    g_assert_cmpstr(from_root, ==, all);

    g_autofree char *sub = orr_object_format_tree(b);
    g_assert_cmpstr(sub, ==,
                    "/b (test-tree-leaf)\n"
                    "  /c (test-tree-node)\n");
    g_autofree char *machine = orr_object_format_tree(m);
    g_assert_cmpstr(machine, ==,
                    "/machine (container)\n"
                    "  /a (test-tree-node)\n"
                    "  /b (test-tree-leaf)\n"
                    "    /c (test-tree-node)\n"
                    "  /d[0] (container)\n");

    orr_object_unparent(m);
    orr_test_assert_log("finalize b, finalize c, finalize a");
    g_autofree char *empty = orr_object_format_tree(NULL);
    g_assert_cmpstr(empty, ==, "/ (container)\n");
    orr_test_assert_no_live_objects();
}

/* --- Creation with properties --------------------------------------------- */

static void test_new_with_props_under_parent(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    uint64_t count = 0;
    g_autofree char *label = NULL;

    OrrObject *d0 = orr_object_new_with_props(
        TYPE_NODE, m, "dev[*]", &err, "count", "7", "label", "hello", NULL);
    g_assert_no_error(err);
    g_assert_nonnull(d0);
    g_assert_cmpstr(orr_object_get_name(d0), ==, "dev[0]");
    assert_path(d0, "/machine/dev[0]");
    g_assert_true(orr_object_get_child(m, "dev[0]") == d0);
    /* (transfer none): the parent holds the only reference. */
    g_assert_cmpuint(orr_object_get_refcount(d0), ==, 1);
    g_assert_true(orr_object_get_uint(d0, "count", &count, &err));
    g_assert_cmpuint(count, ==, 7);
    g_assert_true(orr_object_get_str(d0, "label", &label, &err));
    g_assert_cmpstr(label, ==, "hello");
    g_assert_no_error(err);

    /* Auto-numbering, hex, and a link given by path. */
    OrrObject *d1 =
        orr_object_new_with_props(TYPE_NODE, m, "dev[*]", &err, "count", "0x10",
                                  "peer", "/machine/dev[0]", NULL);
    g_assert_no_error(err);
    g_assert_nonnull(d1);
    assert_path(d1, "/machine/dev[1]");
    g_assert_true(orr_object_get_uint(d1, "count", &count, &err));
    g_assert_cmpuint(count, ==, 16);
    g_assert_true(orr_object_get_link(d1, "peer", &err) == d0);
    g_assert_no_error(err);

    /* Without a parent: detached, (transfer full). */
    OrrObject *free_obj = orr_object_new_with_props(TYPE_LEAF, NULL, NULL, &err,
                                                    "count", "3", NULL);
    g_assert_no_error(err);
    g_assert_nonnull(free_obj);
    assert_path(free_obj, NULL);
    g_assert_null(orr_object_get_parent(free_obj));
    g_assert_cmpuint(orr_object_get_refcount(free_obj), ==, 1);
    g_assert_true(orr_object_get_uint(free_obj, "count", &count, &err));
    g_assert_cmpuint(count, ==, 3);
    orr_object_unref(free_obj);
    orr_test_assert_log("finalize (unnamed)");

    orr_object_unparent(m);
    orr_test_assert_log("finalize dev[1], finalize dev[0]");
    orr_test_assert_no_live_objects();
}

/* Asserts that a failed new_with_props left no object and no child. */
static void assert_new_failed(OrrObject *result, GError **err,
                              OrrObject *parent, guint children)
{
    g_assert_null(result);
    g_assert_nonnull(*err);
    g_assert_true((*err)->domain == ORR_ERROR);
    g_clear_error(err);
    g_assert_cmpuint(n_children(parent), ==, children);
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, children);
}

static void test_new_with_props_failure(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *taken = orr_test_add_new_child(m, TYPE_NODE, "taken");

    /* A bad value. */
    assert_new_failed(orr_object_new_with_props(TYPE_NODE, m, "bad", &err,
                                                "count", "many", NULL),
                      &err, m, 1);
    g_assert_null(orr_object_get_child(m, "bad"));
    /* An unknown property, after a good one. */
    assert_new_failed(orr_object_new_with_props(TYPE_NODE, m, "bad", &err,
                                                "count", "1", "nope", "1",
                                                NULL),
                      &err, m, 1);
    /* A link to nothing. */
    assert_new_failed(orr_object_new_with_props(TYPE_NODE, m, "bad", &err,
                                                "peer", "/machine/nope", NULL),
                      &err, m, 1);
    /* A name taken: the original stays. */
    assert_new_failed(orr_object_new_with_props(TYPE_NODE, m, "taken", &err,
                                                "count", "2", NULL),
                      &err, m, 1);
    g_assert_true(orr_object_get_child(m, "taken") == taken);
    /* A malformed name. */
    assert_new_failed(
        orr_object_new_with_props(TYPE_NODE, m, "a/b", &err, NULL), &err, m, 1);
    /* A parent without a name. */
    assert_new_failed(orr_object_new_with_props(TYPE_NODE, m, NULL, &err, NULL),
                      &err, m, 1);
    /* An unknown type. */
    assert_new_failed(
        orr_object_new_with_props("test-tree-nope", m, "bad", &err, NULL), &err,
        m, 1);
    g_assert_null(orr_object_get_child(m, "bad"));
    orr_test_log_clear(); /* the failed objects' finalizes */

    orr_object_unparent(m);
    orr_test_assert_log("finalize taken");
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    register_types();

    g_test_add_func("/tree/root/identity", test_root_identity);
    g_test_add_func("/tree/root/shutdown", test_root_shutdown);
    g_test_add_func("/tree/add-child/paths", test_add_child_paths);
    g_test_add_func("/tree/add-child/returns-name",
                    test_add_child_returns_name);
    g_test_add_func("/tree/add-child/detached-path-null",
                    test_detached_path_null);
    g_test_add_func("/tree/add-child/duplicate-refused",
                    test_add_child_duplicate_refused);
    g_test_add_func("/tree/add-child/auto-number", test_add_child_auto_number);
    g_test_add_func("/tree/add-child/invalid-names",
                    test_add_child_invalid_names);
    g_test_add_func("/tree/add-child/cycle-refused",
                    test_add_child_cycle_refused);
    g_test_add_func("/tree/resolve/absolute", test_resolve_absolute);
    g_test_add_func("/tree/resolve/partial", test_resolve_partial);
    g_test_add_func("/tree/unparent/frees-unheld", test_unparent_frees_unheld);
    g_test_add_func("/tree/unparent/held-survives",
                    test_unparent_held_survives);
    g_test_add_func("/tree/unparent/via-delete-property",
                    test_unparent_via_delete_property);
    g_test_add_func("/tree/format-tree", test_format_tree);
    g_test_add_func("/tree/new-with-props/under-parent",
                    test_new_with_props_under_parent);
    g_test_add_func("/tree/new-with-props/failure-leaves-nothing",
                    test_new_with_props_failure);
    return g_test_run();
}
