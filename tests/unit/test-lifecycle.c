/*
 * Unit tests for the finalize sequence of object-model.md, section 5: finalize
 * event, instance_finalize leaf to root with the children intact, children in
 * reverse order of addition, remaining properties, weak notifies, free.
 */
#include "orrery/orrery.h"

#include "test-util.h"

/*
 * Test types:
 *   test-lc-node   logs its class unparent hook and its instance_finalize;
 *                  its unparent hook can delete a named property of its
 *                  parent (the "victim"), its instance_finalize can
 *                  unparent a named child. Class property "val" (int, 42).
 *   test-lc-sub    a node whose instance_finalize logs too and checks
 *                  that its children and its "peer" link are still intact.
 *   test-lc-full   a sub whose instance_finalize logs too, with a class
 *                  property "tag" whose release is logged.
 */
#define TYPE_NODE "test-lc-node"
#define TYPE_SUB "test-lc-sub"
#define TYPE_FULL "test-lc-full"

typedef struct LcNode {
    OrrObject parent_obj;
    char label[32];
    /* (empty) the parent property the unparent hook deletes */
    char victim[32];
    /* -1, or how many children instance_finalize must find intact */
    int expect_children;
    /* (empty) a child that instance_finalize unparents itself */
    char drop_in_finalize[32];
    /* the unparent hook is running (it does not act when re-entered) */
    bool in_unparent;
} LcNode;

/* How many intact-children checks instance_finalize made. */
static guint intact_checks;

static const char *label_of(OrrObject *obj)
{
    return obj && orr_object_is_a(obj, TYPE_NODE) ? ((LcNode *)obj)->label
                                                  : "?";
}

/* --- Test types ---------------------------------------------------------- */

static void node_instance_init(OrrObject *obj)
{
    ((LcNode *)obj)->expect_children = -1;
}

static void node_instance_finalize(OrrObject *obj)
{
    LcNode *node = (LcNode *)obj;

    orr_test_log("finalize-node %s", node->label);
    if (node->drop_in_finalize[0] != '\0') {
        OrrObject *child = orr_object_get_child(obj, node->drop_in_finalize);
        g_assert_nonnull(child);
        orr_object_unparent(child);
        orr_test_log("dropped %s", node->drop_in_finalize);
    }
}

static void node_unparent(OrrObject *obj)
{
    LcNode *node = (LcNode *)obj;
    OrrObject *parent = orr_object_get_parent(obj);

    if (node->in_unparent) {
        orr_test_log("unparent %s (re-entered)", node->label);
        return;
    }
    orr_test_log("unparent %s", node->label);
    g_assert_nonnull(parent);
    node->in_unparent = true;
    if (node->victim[0] != '\0') {
        g_autoptr(GError) err = NULL;
        bool ok = orr_object_delete_property(parent, node->victim, &err);
        g_assert_true(ok == (err == NULL));
        orr_test_log("delete %s.%s %s", label_of(parent), node->victim,
                     ok ? "ok" : "failed");
    }
    node->in_unparent = false;
}

static void node_class_init(OrrObjectClass *klass, const void *data)
{
    static const OrrPropertyDef val = {
        .name = "val",
        .type = ORR_PROP_INT,
        .default_value = {.type = ORR_VALUE_INT, .i = 42},
    };

    klass->unparent = node_unparent;
    g_assert_nonnull(orr_class_add_property(klass, &val, NULL));
}

/* Checks, from instance_finalize, that the children are still there. */
static void check_children_intact(OrrObject *obj)
{
    LcNode *node = (LcNode *)obj;
    g_autoptr(GPtrArray) children = orr_object_get_children(obj);

    g_assert_cmpint(children->len, ==, node->expect_children);
    for (guint i = 0; i < children->len; i++) {
        OrrObject *child = children->pdata[i];
        const char *name = orr_object_get_name(child);
        int64_t val = 0;

        g_assert_nonnull(name);
        g_assert_true(orr_object_get_child(obj, name) == child);
        g_assert_true(orr_object_get_parent(child) == obj);
        g_assert_cmpint(orr_object_get_state(child), ==, ORR_OBJECT_LIVE);
        g_assert_cmpuint(orr_object_get_refcount(child), >=, 1);
        g_assert_true(orr_object_get_int(child, "val", &val, NULL));
        g_assert_cmpint(val, ==, 42);
    }
    if (orr_object_find_property(obj, "peer") != NULL) {
        OrrObject *peer = orr_object_get_link(obj, "peer", NULL);
        g_assert_nonnull(peer);
        g_assert_cmpint(orr_object_get_state(peer), ==, ORR_OBJECT_LIVE);
    }
    if (orr_object_find_property(obj, "acc") != NULL) {
        int64_t acc = 0;
        g_assert_true(orr_object_get_int(obj, "acc", &acc, NULL));
        g_assert_cmpint(acc, ==, 7);
    }
    intact_checks++;
}

static void sub_instance_finalize(OrrObject *obj)
{
    g_assert_cmpint(orr_object_get_state(obj), ==, ORR_OBJECT_FINALIZING);
    orr_test_log("finalize-sub %s", label_of(obj));
    if (((LcNode *)obj)->expect_children >= 0) {
        check_children_intact(obj);
    }
}

static void full_instance_finalize(OrrObject *obj)
{
    orr_test_log("finalize-full %s", label_of(obj));
}

/* Releases run after the children are gone: say how many are left. */
static void log_release(OrrObject *obj, const OrrProperty *prop)
{
    g_autoptr(GPtrArray) children = orr_object_get_children(obj);

    orr_test_log("release %s.%s children=%u", label_of(obj),
                 orr_property_get_name(prop), children->len);
}

static void full_class_init(OrrObjectClass *klass, const void *data)
{
    static const OrrPropertyDef tag = {
        .name = "tag",
        .type = ORR_PROP_UINT,
        .release = log_release,
    };

    g_assert_nonnull(orr_class_add_property(klass, &tag, NULL));
}

static void register_types(void)
{
    static const OrrTypeInfo node = {
        .name = TYPE_NODE,
        .instance_size = sizeof(LcNode),
        .class_init = node_class_init,
        .instance_init = node_instance_init,
        .instance_finalize = node_instance_finalize,
    };
    static const OrrTypeInfo sub = {
        .name = TYPE_SUB,
        .parent = TYPE_NODE,
        .instance_finalize = sub_instance_finalize,
    };
    static const OrrTypeInfo full = {
        .name = TYPE_FULL,
        .parent = TYPE_SUB,
        .class_init = full_class_init,
        .instance_finalize = full_instance_finalize,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&node, &err));
    g_assert_nonnull(orr_type_register(&sub, &err));
    g_assert_nonnull(orr_type_register(&full, &err));
    g_assert_no_error(err);
}

/* --- Helpers -------------------------------------------------------------- */

static void log_finalize_event(const OrrFinalizeEvent *event, void *data)
{
    if (orr_object_is_a(event->object, TYPE_NODE)) {
        orr_test_log("event %s", label_of(event->object));
    }
}

static void log_weak(OrrObject *obj, void *data)
{
    orr_test_log("weak %s", label_of(obj));
}

static guint finalize_hook;

/* Starts a test: an empty log and the finalize-event recorder. */
static void begin(void)
{
    orr_test_log_clear();
    intact_checks = 0;
    finalize_hook = orr_live_add_finalize_hook(log_finalize_event, NULL, NULL);
}

/* Ends a test: nothing may be left. */
static void end(void)
{
    g_assert_true(orr_live_remove_finalize_hook(finalize_hook));
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

/* A new node of @type labelled @label, held by the caller. */
static OrrObject *node_new(const char *type, const char *label)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_object_new(type, &err);

    g_assert_no_error(err);
    g_strlcpy(((LcNode *)obj)->label, label, sizeof(((LcNode *)obj)->label));
    return obj;
}

/* A new node of @type added to @parent as @name (the label too); the
 * caller's reference is dropped unless @keep. */
static OrrObject *node_add(OrrObject *parent, const char *type,
                           const char *name, bool keep)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = node_new(type, name);

    g_assert_cmpstr(orr_object_add_child(parent, name, obj, &err), ==, name);
    g_assert_no_error(err);
    if (!keep) {
        orr_object_unref(obj);
    }
    return obj;
}

static bool acc_get(OrrObject *obj, const OrrProperty *prop, OrrValue *out,
                    GError **errp)
{
    orr_value_set_int(out, 7);
    return true;
}

/* Adds an accessor property whose release is logged. */
static void add_logged_property(OrrObject *obj, const char *name)
{
    const OrrPropertyDef def = {
        .name = name,
        .type = ORR_PROP_INT,
        .get = acc_get,
        .release = log_release,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_object_add_property(obj, &def, &err));
    g_assert_no_error(err);
}

/* Returns the index of @entry in the log, failing if absent. */
static guint index_of(const char *entry)
{
    gint i = orr_test_log_find(entry);

    if (i < 0) {
        g_autofree char *all = orr_test_log_join(orr_test_log_len());
        g_error("'%s' is not in the log: %s", entry, all);
    }
    return (guint)i;
}

/* --- Finalize order ------------------------------------------------------ */

/*
 * The whole sequence on one object: event, instance_finalize leaf to root
 * with children, properties and the link target intact, children in
 * reverse order of addition, then the remaining properties (an accessor's
 * release, an owning link, a class property's release), then the weak
 * notifies.
 */
static void test_finalize_full_order(void)
{
    g_autoptr(GError) err = NULL;

    begin();
    OrrObject *p = node_new(TYPE_FULL, "p");
    OrrObject *t = node_new(TYPE_NODE, "t");

    node_add(p, TYPE_NODE, "c0", false);
    add_logged_property(p, "acc");
    node_add(p, TYPE_NODE, "c1", false);
    g_assert_nonnull(orr_object_add_link(p, "peer", TYPE_NODE, 0, &err));
    g_assert_true(orr_object_set_link(p, "peer", t, &err));
    g_assert_no_error(err);
    node_add(p, TYPE_NODE, "c2", false);
    orr_object_unref(t); /* the link's reference remains */
    g_assert_cmpuint(orr_object_get_refcount(t), ==, 1);
    orr_object_weak_ref(p, log_weak, NULL);
    ((LcNode *)p)->expect_children = 3;

    orr_object_unref(p);

    g_assert_cmpuint(intact_checks, ==, 1);
    /* Up to the children, the sequence is exact. */
    orr_test_assert_events_prefix(
        "event p", "finalize-full p", "finalize-sub p", "finalize-node p",
        "unparent c2", "event c2", "finalize-node c2", "unparent c1",
        "event c1", "finalize-node c1", "unparent c0", "event c0",
        "finalize-node c0", NULL);
    /* Then the remaining properties, in an order the contract leaves
     * open, then the weak notifies. */
    guint acc = index_of("release p.acc children=0");
    guint tag = index_of("release p.tag children=0");
    guint link = index_of("event t");
    guint weak = index_of("weak p");
    g_assert_cmpuint(acc, >, index_of("finalize-node c0"));
    g_assert_cmpuint(tag, >, index_of("finalize-node c0"));
    g_assert_cmpuint(link, >, index_of("finalize-node c0"));
    g_assert_cmpuint(index_of("finalize-node t"), ==, link + 1);
    g_assert_cmpuint(weak, >, acc);
    g_assert_cmpuint(weak, >, tag);
    g_assert_cmpuint(weak, >, link);
    g_assert_cmpuint(weak, ==, orr_test_log_len() - 1);
    g_assert_cmpuint(orr_test_log_len(), ==, 13 + 5);
    end();
}

/* Children that are held elsewhere survive; they are still unparented in
 * reverse order of addition, names with [*] included. */
static void test_finalize_children_reverse_order(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *kids[5];
    const char *expected_names[] = {"k[0]", "k[1]", "solo", "k[2]", "k[3]"};

    begin();
    OrrObject *p = node_new(TYPE_SUB, "p");
    for (guint i = 0; i < G_N_ELEMENTS(kids); i++) {
        const char *name = i == 2 ? "solo" : "k[*]";
        kids[i] = node_new(TYPE_NODE, expected_names[i]);
        g_assert_cmpstr(orr_object_add_child(p, name, kids[i], &err), ==,
                        expected_names[i]);
        g_assert_no_error(err);
        if (i == 1) {
            add_logged_property(p, "between");
        }
    }
    ((LcNode *)p)->expect_children = 5;

    orr_object_unref(p);

    orr_test_assert_events_prefix(
        "event p", "finalize-sub p", "finalize-node p", "unparent k[3]",
        "unparent k[2]", "unparent solo", "unparent k[1]", "unparent k[0]",
        "release p.between children=0", NULL);
    g_assert_cmpuint(orr_test_log_len(), ==, 9);
    for (guint i = 0; i < G_N_ELEMENTS(kids); i++) {
        g_assert_null(orr_object_get_parent(kids[i]));
        g_assert_cmpuint(orr_object_get_refcount(kids[i]), ==, 1);
        g_assert_cmpstr(orr_object_get_name(kids[i]), ==, expected_names[i]);
        orr_object_unref(kids[i]);
    }
    end();
}

/* Order of addition is the order of the latest addition: a child taken
 * out and added back goes last. */
static void test_finalize_children_readded(void)
{
    g_autoptr(GError) err = NULL;

    begin();
    OrrObject *p = node_new(TYPE_NODE, "p");
    OrrObject *c0 = node_add(p, TYPE_NODE, "c0", true);
    node_add(p, TYPE_NODE, "c1", false);
    node_add(p, TYPE_NODE, "c2", false);
    orr_object_unparent(c0);
    g_assert_cmpstr(orr_object_add_child(p, "c0", c0, &err), ==, "c0");
    g_assert_no_error(err);
    orr_object_unref(c0);
    orr_test_log_clear();

    orr_object_unref(p);

    orr_test_assert_events("event p", "finalize-node p", "unparent c0",
                           "event c0", "finalize-node c0", "unparent c2",
                           "event c2", "finalize-node c2", "unparent c1",
                           "event c1", "finalize-node c1", NULL);
    end();
}

/* The finalize event names the object with its last name and path. */
typedef struct EventCopy {
    char *type;
    char *name;
    char *path;
    int state;
} EventCopy;

static void copy_event(const OrrFinalizeEvent *event, void *data)
{
    GPtrArray *copies = data;
    EventCopy *c = g_new0(EventCopy, 1);

    c->type = g_strdup(event->type);
    c->name = g_strdup(event->name);
    c->path = g_strdup(event->path);
    c->state = orr_object_get_state(event->object);
    g_ptr_array_add(copies, c);
}

static void event_copy_free(gpointer data)
{
    EventCopy *c = data;

    g_free(c->type);
    g_free(c->name);
    g_free(c->path);
    g_free(c);
}

static void test_finalize_event_names(void)
{
    g_autoptr(GPtrArray) copies =
        g_ptr_array_new_with_free_func(event_copy_free);
    guint hook = orr_live_add_finalize_hook(copy_event, copies, NULL);

    begin();
    OrrObject *a = node_add(orr_root(), TYPE_SUB, "test-lc-a", false);
    node_add(a, TYPE_NODE, "b", false);

    orr_object_unparent(a);

    g_assert_true(orr_live_remove_finalize_hook(hook));
    g_assert_cmpuint(copies->len, ==, 2);
    EventCopy *ea = copies->pdata[0];
    EventCopy *eb = copies->pdata[1];
    g_assert_cmpstr(ea->type, ==, TYPE_SUB);
    g_assert_cmpstr(ea->name, ==, "test-lc-a");
    g_assert_cmpstr(ea->path, ==, "/test-lc-a");
    g_assert_cmpint(ea->state, ==, ORR_OBJECT_FINALIZING);
    g_assert_cmpstr(eb->type, ==, TYPE_NODE);
    g_assert_cmpstr(eb->name, ==, "b");
    g_assert_cmpstr(eb->path, ==, "/test-lc-a/b");
    end();
}

/* --- Unparent ------------------------------------------------------------ */

/* Unparenting a subtree that nothing else holds finalizes all of it,
 * depth first, each object before its descendants' release. */
static void test_unparent_subtree_finalized(void)
{
    begin();
    OrrObject *a = node_add(orr_root(), TYPE_NODE, "test-lc-a", false);
    OrrObject *b = node_add(a, TYPE_NODE, "b", false);
    OrrObject *c = node_add(b, TYPE_NODE, "c", false);
    orr_object_weak_ref(a, log_weak, NULL);
    orr_object_weak_ref(b, log_weak, NULL);
    orr_object_weak_ref(c, log_weak, NULL);
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, 3);

    orr_object_unparent(a);

    orr_test_assert_events(
        "unparent test-lc-a", "event test-lc-a", "finalize-node test-lc-a",
        "unparent b", "event b", "finalize-node b", "unparent c", "event c",
        "finalize-node c", "weak c", "weak b", "weak test-lc-a", NULL);
    end();
}

/* A caller's reference defers the finalize to its unref. */
static void test_unparent_while_held(void)
{
    begin();
    OrrObject *a = node_add(orr_root(), TYPE_NODE, "test-lc-a", true);
    OrrObject *b = node_add(a, TYPE_NODE, "b", false);

    g_assert_cmpuint(orr_object_get_refcount(a), ==, 2);
    orr_object_unparent(a);

    orr_test_assert_events("unparent test-lc-a", NULL);
    g_assert_cmpuint(orr_live_count(NULL), ==, 2);
    g_assert_cmpuint(orr_object_get_refcount(a), ==, 1);
    g_assert_null(orr_object_get_parent(a));
    g_assert_null(orr_object_get_path(a));
    g_assert_null(orr_object_get_path(b));
    g_assert_true(orr_object_get_child(a, "b") == b);
    g_assert_null(orr_object_get_child(orr_root(), "test-lc-a"));
    g_autofree char *desc = orr_object_describe(a);
    g_assert_cmpstr(desc, ==, "/test-lc-a (detached)");

    /* A second unparent of a detached object changes nothing. */
    orr_object_unparent(a);
    g_assert_cmpuint(orr_test_log_len(), ==, 1);

    orr_object_unref(a);
    orr_test_assert_events("unparent test-lc-a", "event test-lc-a",
                           "finalize-node test-lc-a", "unparent b", "event b",
                           "finalize-node b", NULL);
    end();
}

/*
 * QEMU's check-qom-proplist has a device whose bus child, when
 * unparented, deletes a property of the device. Here: "dev" has a child
 * "bus" and an owning link "backend" to the bus's own child; the bus's
 * unparent hook deletes dev.backend. The hook runs while dev is being
 * finalized; nothing crashes, nothing is released twice, all is freed.
 */
static OrrObject *build_dev_bus_backend(OrrObject *parent)
{
    g_autoptr(GError) err = NULL;
    OrrObject *dev = parent ? node_add(parent, TYPE_NODE, "test-lc-dev", false)
                            : node_new(TYPE_NODE, "test-lc-dev");
    OrrObject *bus = node_add(dev, TYPE_NODE, "bus", false);
    OrrObject *backend = node_add(bus, TYPE_NODE, "backend", false);

    g_strlcpy(((LcNode *)bus)->victim, "backend",
              sizeof(((LcNode *)bus)->victim));
    g_assert_nonnull(orr_object_add_link(dev, "backend", TYPE_NODE, 0, &err));
    g_assert_true(orr_object_set_link(dev, "backend", backend, &err));
    g_assert_no_error(err);
    /* Down the tree: an owning edge, one reference. */
    g_assert_cmpuint(orr_object_get_refcount(backend), ==, 2);
    return dev;
}

static const char *const dev_bus_backend_teardown[] = {
    "event test-lc-dev",
    "finalize-node test-lc-dev",
    "unparent bus",
    "delete test-lc-dev.backend ok",
    "event bus",
    "finalize-node bus",
    "unparent backend",
    "event backend",
    "finalize-node backend",
    NULL,
};

static void test_unparent_hook_deletes_parent_link(void)
{
    begin();
    build_dev_bus_backend(orr_root());
    g_assert_cmpuint(orr_live_count(NULL), ==, 3);

    orr_object_unparent(orr_object_get_child(orr_root(), "test-lc-dev"));

    g_assert_cmpstr(orr_test_log_get(0), ==, "unparent test-lc-dev");
    for (guint i = 0; dev_bus_backend_teardown[i] != NULL; i++) {
        g_assert_cmpstr(orr_test_log_get(i + 1), ==,
                        dev_bus_backend_teardown[i]);
    }
    g_assert_cmpuint(orr_test_log_len(), ==,
                     1 + g_strv_length((char **)dev_bus_backend_teardown));
    end();
}

/* The same, on a device that was never in the tree. */
static void test_unparent_hook_deletes_parent_link_detached(void)
{
    begin();
    OrrObject *dev = build_dev_bus_backend(NULL);

    orr_object_unref(dev);

    for (guint i = 0; dev_bus_backend_teardown[i] != NULL; i++) {
        g_assert_cmpstr(orr_test_log_get(i), ==, dev_bus_backend_teardown[i]);
    }
    g_assert_cmpuint(orr_test_log_len(), ==,
                     g_strv_length((char **)dev_bus_backend_teardown));
    end();
}

/* The same hook when the bus alone is unparented from a live device. */
static void test_unparent_hook_deletes_parent_link_live(void)
{
    begin();
    OrrObject *dev = build_dev_bus_backend(NULL);

    orr_object_unparent(orr_object_get_child(dev, "bus"));
    orr_test_assert_events("unparent bus", "delete test-lc-dev.backend ok",
                           "event bus", "finalize-node bus", "unparent backend",
                           "event backend", "finalize-node backend", NULL);
    g_assert_null(orr_object_find_property(dev, "backend"));
    g_assert_null(orr_object_find_property(dev, "bus"));

    orr_object_unref(dev);
    end();
}

/* The deleted property is an accessor: its release runs exactly once,
 * from the child's hook, before the parent's property teardown. */
static void test_unparent_hook_deletes_parent_accessor(void)
{
    begin();
    OrrObject *p = node_new(TYPE_SUB, "p");
    OrrObject *c = node_add(p, TYPE_NODE, "c", false);
    add_logged_property(p, "acc");
    g_strlcpy(((LcNode *)c)->victim, "acc", sizeof(((LcNode *)c)->victim));
    ((LcNode *)p)->expect_children = 1;

    orr_object_unref(p);

    orr_test_assert_events("event p", "finalize-sub p", "finalize-node p",
                           "unparent c", "release p.acc children=1",
                           "delete p.acc ok", "event c", "finalize-node c",
                           NULL);
    end();
}

/*
 * During the parent's finalize, a child's unparent hook deletes a sibling
 * that has not been released yet: the sibling goes at once, and the
 * parent's teardown skips it.
 */
static void test_unparent_hook_deletes_sibling(void)
{
    begin();
    OrrObject *p = node_new(TYPE_SUB, "p");
    node_add(p, TYPE_NODE, "victim", false);
    OrrObject *killer = node_add(p, TYPE_NODE, "killer", false);
    node_add(p, TYPE_NODE, "last", false);
    g_strlcpy(((LcNode *)killer)->victim, "victim",
              sizeof(((LcNode *)killer)->victim));
    ((LcNode *)p)->expect_children = 3;

    orr_object_unref(p);

    orr_test_assert_events("event p", "finalize-sub p", "finalize-node p",
                           "unparent last", "event last", "finalize-node last",
                           "unparent killer", "unparent victim", "event victim",
                           "finalize-node victim", "delete p.victim ok",
                           "event killer", "finalize-node killer", NULL);
    end();
}

/* The sibling to delete is held by a caller: it is unparented once (by
 * the hook), not again by the teardown, and survives its parent. */
static void test_unparent_hook_deletes_held_sibling(void)
{
    begin();
    OrrObject *p = node_new(TYPE_SUB, "p");
    OrrObject *victim = node_add(p, TYPE_NODE, "victim", true);
    OrrObject *killer = node_add(p, TYPE_NODE, "killer", false);
    g_strlcpy(((LcNode *)killer)->victim, "victim",
              sizeof(((LcNode *)killer)->victim));

    orr_object_unref(p);

    orr_test_assert_events("event p", "finalize-sub p", "finalize-node p",
                           "unparent killer", "unparent victim",
                           "delete p.victim ok", "event killer",
                           "finalize-node killer", NULL);
    g_assert_null(orr_object_get_parent(victim));
    g_assert_cmpuint(orr_object_get_refcount(victim), ==, 1);
    orr_object_unref(victim);
    end();
}

/* The sibling was released before the hook runs: the delete fails
 * cleanly, and nothing is released twice. */
static void test_unparent_hook_sibling_already_gone(void)
{
    begin();
    OrrObject *p = node_new(TYPE_SUB, "p");
    OrrObject *killer = node_add(p, TYPE_NODE, "killer", false);
    node_add(p, TYPE_NODE, "victim", false);
    g_strlcpy(((LcNode *)killer)->victim, "victim",
              sizeof(((LcNode *)killer)->victim));

    orr_object_unref(p);

    orr_test_assert_events(
        "event p", "finalize-sub p", "finalize-node p", "unparent victim",
        "event victim", "finalize-node victim", "unparent killer",
        "delete p.victim failed", "event killer", "finalize-node killer", NULL);
    end();
}

/* instance_finalize may unparent a child itself (as QEMU devices do with
 * their regions): the child goes at once, and the teardown skips it. */
static void test_finalize_unparents_child(void)
{
    begin();
    OrrObject *p = node_new(TYPE_NODE, "p");
    node_add(p, TYPE_NODE, "c0", false);
    node_add(p, TYPE_NODE, "c1", false);
    node_add(p, TYPE_NODE, "c2", false);
    g_strlcpy(((LcNode *)p)->drop_in_finalize, "c1",
              sizeof(((LcNode *)p)->drop_in_finalize));

    orr_object_unref(p);

    orr_test_assert_events("event p", "finalize-node p", "unparent c1",
                           "event c1", "finalize-node c1", "dropped c1",
                           "unparent c2", "event c2", "finalize-node c2",
                           "unparent c0", "event c0", "finalize-node c0", NULL);
    end();
}

/*
 * The unparent hook may delete properties of the parent, its own child<>
 * included: the hook runs once, and the object leaves the tree, alive as
 * long as its caller holds it.
 */
static void test_unparent_hook_deletes_own_child_property(void)
{
    begin();
    OrrObject *p = node_new(TYPE_NODE, "p");
    OrrObject *c = node_add(p, TYPE_NODE, "c", true);
    g_strlcpy(((LcNode *)c)->victim, "c", sizeof(((LcNode *)c)->victim));

    orr_object_unparent(c);

    orr_test_assert_events("unparent c", "delete p.c ok", NULL);
    g_assert_null(orr_object_get_parent(c));
    g_assert_null(orr_object_get_child(p, "c"));
    g_assert_cmpuint(orr_object_get_refcount(c), ==, 1);
    orr_object_unref(c);
    orr_object_unref(p);
    end();
}

/* --- The root ------------------------------------------------------------ */

static void test_root_shutdown(void)
{
    begin();
    OrrObject *r1 = NULL;

    node_add(orr_root(), TYPE_NODE, "test-lc-r0", false);
    r1 = node_add(orr_root(), TYPE_NODE, "test-lc-r1", false);
    node_add(r1, TYPE_NODE, "inner", false);
    node_add(orr_root(), TYPE_NODE, "test-lc-r2", false);

    orr_root_shutdown();

    orr_test_assert_events(
        "unparent test-lc-r2", "event test-lc-r2", "finalize-node test-lc-r2",
        "unparent test-lc-r1", "event test-lc-r1", "finalize-node test-lc-r1",
        "unparent inner", "event inner", "finalize-node inner",
        "unparent test-lc-r0", "event test-lc-r0", "finalize-node test-lc-r0",
        NULL);
    g_assert_cmpuint(orr_live_count(NULL), ==, 0);

    /* A new root starts empty and works. */
    g_autoptr(GPtrArray) children = orr_object_get_children(orr_root());
    g_assert_cmpuint(children->len, ==, 0);
    OrrObject *again = node_add(orr_root(), TYPE_NODE, "test-lc-again", false);
    g_autofree char *path = orr_object_get_path(again);
    g_assert_cmpstr(path, ==, "/test-lc-again");
    orr_object_unparent(again);
    end();
}

/* Children of the root linked across: a target outlives its unparent
 * while the link holds it, and goes with the link's source. */
static void test_root_shutdown_with_links(void)
{
    g_autoptr(GError) err = NULL;

    begin();
    OrrObject *r0 = node_add(orr_root(), TYPE_NODE, "test-lc-r0", false);
    node_add(orr_root(), TYPE_NODE, "test-lc-r1", false);
    OrrObject *r2 = node_add(orr_root(), TYPE_NODE, "test-lc-r2", false);
    g_assert_nonnull(orr_object_add_link(r0, "peer", TYPE_NODE, 0, &err));
    g_assert_true(orr_object_set_link(r0, "peer", r2, &err));
    g_assert_nonnull(orr_object_add_link(r2, "up", "object", 0, &err));
    g_assert_true(orr_object_set_link(r2, "up", orr_root(), &err));
    g_assert_no_error(err);

    orr_root_shutdown();

    orr_test_assert_events("unparent test-lc-r2", "unparent test-lc-r1",
                           "event test-lc-r1", "finalize-node test-lc-r1",
                           "unparent test-lc-r0", "event test-lc-r0",
                           "finalize-node test-lc-r0", "event test-lc-r2",
                           "finalize-node test-lc-r2", NULL);
    end();
}

/*
 * What shutdown leaves alive (held by a caller: what a leak report lists)
 * keeps the path it had, and what it finalizes is reported with its path.
 */
static void test_root_shutdown_keeps_last_paths(void)
{
    g_autoptr(GPtrArray) copies =
        g_ptr_array_new_with_free_func(event_copy_free);
    guint hook = orr_live_add_finalize_hook(copy_event, copies, NULL);

    begin();
    OrrObject *kept = node_add(orr_root(), TYPE_NODE, "test-lc-kept", true);
    OrrObject *inner = node_add(kept, TYPE_NODE, "inner", false);
    node_add(orr_root(), TYPE_NODE, "test-lc-gone", false);

    orr_root_shutdown();

    g_assert_true(orr_live_remove_finalize_hook(hook));
    g_assert_cmpuint(copies->len, ==, 1);
    EventCopy *gone = copies->pdata[0];
    g_assert_cmpstr(gone->name, ==, "test-lc-gone");
    g_assert_cmpstr(gone->path, ==, "/test-lc-gone");

    g_assert_cmpstr(orr_object_get_name(kept), ==, "test-lc-kept");
    g_assert_null(orr_object_get_path(kept));
    g_autofree char *desc = orr_object_describe(kept);
    g_assert_cmpstr(desc, ==, "/test-lc-kept (detached)");
    g_autofree char *inner_desc = orr_object_describe(inner);
    g_assert_cmpstr(inner_desc, ==, "/test-lc-kept/inner (detached)");
    g_autoptr(GPtrArray) infos = orr_live_list(TYPE_NODE);
    g_assert_cmpuint(infos->len, ==, 2);
    OrrLiveInfo *info = infos->pdata[0];
    g_assert_true(info->object == kept);
    g_assert_cmpstr(info->path, ==, "/test-lc-kept");
    g_assert_false(info->attached);

    orr_object_unref(kept);
    end();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    register_types();

    g_test_add_func("/lifecycle/finalize/full-order", test_finalize_full_order);
    g_test_add_func("/lifecycle/finalize/children-reverse-order",
                    test_finalize_children_reverse_order);
    g_test_add_func("/lifecycle/finalize/children-readded",
                    test_finalize_children_readded);
    g_test_add_func("/lifecycle/finalize/event-names-last-path",
                    test_finalize_event_names);
    g_test_add_func("/lifecycle/unparent/subtree-finalized",
                    test_unparent_subtree_finalized);
    g_test_add_func("/lifecycle/unparent/while-held", test_unparent_while_held);
    g_test_add_func("/lifecycle/unparent/hook-deletes-parent-link",
                    test_unparent_hook_deletes_parent_link);
    g_test_add_func("/lifecycle/unparent/hook-deletes-parent-link-detached",
                    test_unparent_hook_deletes_parent_link_detached);
    g_test_add_func("/lifecycle/unparent/hook-deletes-parent-link-live",
                    test_unparent_hook_deletes_parent_link_live);
    g_test_add_func("/lifecycle/unparent/hook-deletes-parent-accessor",
                    test_unparent_hook_deletes_parent_accessor);
    g_test_add_func("/lifecycle/unparent/hook-deletes-sibling",
                    test_unparent_hook_deletes_sibling);
    g_test_add_func("/lifecycle/unparent/hook-deletes-held-sibling",
                    test_unparent_hook_deletes_held_sibling);
    g_test_add_func("/lifecycle/unparent/hook-sibling-already-gone",
                    test_unparent_hook_sibling_already_gone);
    g_test_add_func("/lifecycle/unparent/hook-deletes-own-child-property",
                    test_unparent_hook_deletes_own_child_property);
    g_test_add_func("/lifecycle/finalize/instance-finalize-unparents-child",
                    test_finalize_unparents_child);
    g_test_add_func("/lifecycle/root/shutdown", test_root_shutdown);
    g_test_add_func("/lifecycle/root/shutdown-with-links",
                    test_root_shutdown_with_links);
    g_test_add_func("/lifecycle/root/shutdown-keeps-last-paths",
                    test_root_shutdown_keeps_last_paths);

    return g_test_run();
}
