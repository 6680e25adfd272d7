/*
 * Unit tests for the live-object registry: listing and counting, the
 * per-object snapshot with the holders of each reference, the leak
 * report, finalize events, and the cycle finder.
 */
#include "test-util.h"

/*
 * Test types:
 *   test-live-node   logs "instance_finalize NAME"; class links "peer" and
 *                    "peer2" to test-live-node; a class unparent hook that
 *                    records the holders it sees when asked to.
 *   test-live-sub    a subclass of test-live-node.
 *   test-live-other  unrelated to test-live-node.
 */
#define TYPE_NODE "test-live-node"
#define TYPE_SUB "test-live-sub"
#define TYPE_OTHER "test-live-other"

/* A holder kind of our own (holder kinds are static strings). */
static const char holder_kind_test[] = "test";

/* What the unparent hook saw, when recording. */
static struct {
    bool record;
    char *holders;
    guint refcount;
} unparent_seen;

static void node_unparent(OrrObject *obj)
{
    if (unparent_seen.record) {
        g_free(unparent_seen.holders);
        unparent_seen.holders = orr_test_holders_text(obj);
        unparent_seen.refcount = orr_object_get_refcount(obj);
    }
}

static void node_instance_finalize(OrrObject *obj)
{
    const char *name = orr_object_get_name(obj);

    orr_test_log("instance_finalize %s", name ? name : "(unnamed)");
}

static void node_class_init(OrrObjectClass *klass, const void *data)
{
    g_autoptr(GError) err = NULL;

    klass->unparent = node_unparent;
    g_assert_nonnull(orr_class_add_link(klass, "peer", TYPE_NODE, 0, &err));
    g_assert_nonnull(orr_class_add_link(klass, "peer2", TYPE_NODE, 0, &err));
    g_assert_no_error(err);
}

static void register_types(void)
{
    static const OrrTypeInfo node = {
        .name = TYPE_NODE,
        .class_init = node_class_init,
        .instance_finalize = node_instance_finalize,
    };
    static const OrrTypeInfo sub = {.name = TYPE_SUB, .parent = TYPE_NODE};
    static const OrrTypeInfo other = {.name = TYPE_OTHER};
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&node, &err));
    g_assert_nonnull(orr_type_register(&sub, &err));
    g_assert_nonnull(orr_type_register(&other, &err));
    g_assert_no_error(err);
}

/* --- Helpers -------------------------------------------------------------- */

/* Adds @obj to @parent as @name; the caller keeps its own reference. */
static void attach(OrrObject *parent, const char *name, OrrObject *obj)
{
    g_autoptr(GError) err = NULL;

    g_assert_cmpstr(orr_object_add_child(parent, name, obj, &err), ==, name);
    g_assert_no_error(err);
}

static OrrObject *add_machine(void)
{
    return orr_test_add_new_child(orr_root(), ORR_TYPE_CONTAINER, "machine");
}

static void set_link_ok(OrrObject *obj, const char *name, OrrObject *target)
{
    g_autoptr(GError) err = NULL;

    bool ok = orr_object_set_link(obj, name, target, &err);

    g_assert_no_error(err);
    g_assert_true(ok);
}

/* Returns: (transfer full): the registry's entry for @obj. */
static OrrLiveInfo *info_of(OrrObject *obj)
{
    g_autoptr(GPtrArray) infos = orr_live_list(NULL);

    for (guint i = 0; i < infos->len; i++) {
        if (((OrrLiveInfo *)infos->pdata[i])->object == obj) {
            return g_ptr_array_steal_index(infos, i);
        }
    }
    g_assert_not_reached();
    return NULL;
}

/* Checks every field of @obj's registry entry; holders joined with "|". */
static void assert_info(OrrObject *obj, const char *type, const char *name,
                        const char *path, bool attached, guint refcount,
                        const char *holders)
{
    g_autoptr(OrrLiveInfo) info = info_of(obj);
    g_autofree char *joined = orr_test_join(info->holders, "|");
    g_autofree char *direct = orr_test_holders_text(obj);

    g_assert_true(info->object == obj);
    g_assert_cmpstr(info->type, ==, type);
    g_assert_cmpstr(info->name, ==, name);
    g_assert_cmpstr(info->path, ==, path);
    g_assert_cmpint(info->attached, ==, attached);
    g_assert_cmpuint(info->refcount, ==, refcount);
    g_assert_cmpuint(info->refcount, ==, orr_object_get_refcount(obj));
    g_assert_cmpstr(joined, ==, holders);
    g_assert_cmpstr(direct, ==, holders);
}

/* The cycles found, one per line, edges joined with " | ". */
static char *cycles_text(void)
{
    g_autoptr(GPtrArray) cycles = orr_live_find_cycles();
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < cycles->len; i++) {
        GPtrArray *cycle = cycles->pdata[i];
        g_assert_cmpuint(cycle->len, >, 0);
        for (guint j = 0; j < cycle->len; j++) {
            g_string_append_printf(s, "%s%s", j ? " | " : "",
                                   (char *)cycle->pdata[j]);
        }
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

#define assert_cycles(expected)                                                \
    do {                                                                       \
        g_autofree char *c_ = cycles_text();                                   \
        g_assert_cmpstr(c_, ==, (expected));                                   \
    } while (0)

/* --- Listing and counting ------------------------------------------------- */

static void test_list_excludes_root(void)
{
    OrrObject *root = orr_root();

    g_assert_cmpuint(orr_live_count(NULL), ==, 0);
    g_assert_cmpuint(orr_live_count(ORR_TYPE_CONTAINER), ==, 0);
    g_autoptr(GPtrArray) none = orr_live_list(NULL);
    g_assert_cmpuint(none->len, ==, 0);

    OrrObject *m = add_machine();
    OrrObject *x = orr_test_new_object(TYPE_NODE);
    OrrObject *y = orr_test_new_object(TYPE_SUB);
    /* Added in the other order: the list is in order of creation. */
    attach(m, "y", y);
    attach(m, "x", x);
    orr_object_unref(x);
    orr_object_unref(y);

    g_autoptr(GPtrArray) all = orr_live_list(NULL);
    g_assert_cmpuint(all->len, ==, 3);
    g_assert_true(((OrrLiveInfo *)all->pdata[0])->object == m);
    g_assert_true(((OrrLiveInfo *)all->pdata[1])->object == x);
    g_assert_true(((OrrLiveInfo *)all->pdata[2])->object == y);
    for (guint i = 0; i < all->len; i++) {
        g_assert_true(((OrrLiveInfo *)all->pdata[i])->object != root);
    }
    g_autoptr(GPtrArray) containers = orr_live_list(ORR_TYPE_CONTAINER);
    g_assert_cmpuint(containers->len, ==, 1);
    g_assert_true(((OrrLiveInfo *)containers->pdata[0])->object == m);
    g_assert_cmpuint(orr_live_count(NULL), ==, 3);

    orr_object_unparent(m);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_count_by_type(void)
{
    OrrObject *m = add_machine();

    orr_test_add_new_child(m, TYPE_NODE, "n0");
    orr_test_add_new_child(m, TYPE_SUB, "s0");
    orr_test_add_new_child(m, TYPE_NODE, "n1");
    orr_test_add_new_child(m, TYPE_OTHER, "o0");

    g_assert_cmpuint(orr_live_count(NULL), ==, 5);
    g_assert_cmpuint(orr_live_count(ORR_TYPE_OBJECT), ==, 5);
    g_assert_cmpuint(orr_live_count(ORR_TYPE_CONTAINER), ==, 1);
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, 3); /* with the sub */
    g_assert_cmpuint(orr_live_count(TYPE_SUB), ==, 1);
    g_assert_cmpuint(orr_live_count(TYPE_OTHER), ==, 1);
    g_assert_cmpuint(orr_live_count("test-live-no-such-type"), ==, 0);

    g_autoptr(GPtrArray) nodes = orr_live_list(TYPE_NODE);
    g_assert_cmpuint(nodes->len, ==, 3);
    g_assert_cmpstr(((OrrLiveInfo *)nodes->pdata[0])->name, ==, "n0");
    g_assert_cmpstr(((OrrLiveInfo *)nodes->pdata[1])->type, ==, TYPE_SUB);
    g_assert_cmpstr(((OrrLiveInfo *)nodes->pdata[2])->name, ==, "n1");
    g_autoptr(GPtrArray) unknown = orr_live_list("test-live-no-such-type");
    g_assert_cmpuint(unknown->len, ==, 0);

    orr_object_unparent(m);
    orr_test_log_clear();
    g_assert_cmpuint(orr_live_count(TYPE_NODE), ==, 0);
    orr_test_assert_no_live_objects();
}

/* --- Per-object info and holders ------------------------------------------ */

static void test_info_never_parented(void)
{
    OrrObject *x = orr_test_new_object(TYPE_NODE);

    assert_info(x, TYPE_NODE, NULL, NULL, false, 1, "caller");
    orr_object_ref(x);
    assert_info(x, TYPE_NODE, NULL, NULL, false, 2, "caller x2");
    orr_object_unref(x);
    assert_info(x, TYPE_NODE, NULL, NULL, false, 1, "caller");
    orr_object_unref(x);
    orr_test_assert_log("instance_finalize (unnamed)");
    orr_test_assert_no_live_objects();
}

static void test_info_attached(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_new_object(TYPE_NODE);

    attach(m, "a", a);
    assert_info(m, ORR_TYPE_CONTAINER, "machine", "/machine", true, 1,
                "parent /");
    assert_info(a, TYPE_NODE, "a", "/machine/a", true, 2,
                "caller|parent /machine");
    orr_object_unref(a);
    assert_info(a, TYPE_NODE, "a", "/machine/a", true, 1, "parent /machine");

    orr_object_unparent(m);
    orr_test_assert_log("instance_finalize a");
    orr_test_assert_no_live_objects();
}

static void test_info_after_unparent(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_object_ref(orr_test_add_new_child(m, TYPE_NODE, "a"));
    OrrObject *c = orr_test_add_new_child(a, TYPE_NODE, "c");

    orr_object_unparent(a);
    /* The last path, not canonical any more. */
    assert_info(a, TYPE_NODE, "a", "/machine/a", false, 1, "caller");
    assert_info(c, TYPE_NODE, "c", "/machine/a/c", false, 1,
                "parent /machine/a (detached)");

    /* Attached again: canonical again. */
    attach(m, "a2", a);
    assert_info(a, TYPE_NODE, "a2", "/machine/a2", true, 2,
                "caller|parent /machine");
    assert_info(c, TYPE_NODE, "c", "/machine/a2/c", true, 1,
                "parent /machine/a2");
    orr_object_unref(a);

    orr_object_unparent(m);
    orr_test_assert_log("instance_finalize a2, instance_finalize c");
    orr_test_assert_no_live_objects();
}

static void test_info_link_holders(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");
    OrrObject *c = orr_test_add_new_child(a, TYPE_NODE, "c");

    /* Across: an owning link, one recorded reference. */
    set_link_ok(a, "peer", b);
    assert_info(b, TYPE_NODE, "b", "/machine/b", true, 2,
                "parent /machine|link /machine/a.peer");
    set_link_ok(a, "peer2", b);
    orr_test_assert_holders(b, "parent /machine|link /machine/a.peer|"
                               "link /machine/a.peer2");
    g_assert_cmpuint(orr_object_get_refcount(b), ==, 3);
    set_link_ok(a, "peer", NULL);
    set_link_ok(a, "peer2", NULL);
    assert_info(b, TYPE_NODE, "b", "/machine/b", true, 1, "parent /machine");

    /* Up: non-owning, no reference. */
    set_link_ok(c, "peer", a);
    assert_info(a, TYPE_NODE, "a", "/machine/a", true, 1, "parent /machine");
    /* Weak: never a reference. */
    g_assert_nonnull(
        orr_object_add_link(a, "weak", TYPE_NODE, ORR_PROP_LINK_WEAK, &err));
    g_assert_no_error(err);
    set_link_ok(a, "weak", b);
    assert_info(b, TYPE_NODE, "b", "/machine/b", true, 1, "parent /machine");

    orr_object_unparent(m);
    orr_test_assert_log(
        "instance_finalize b, instance_finalize a, instance_finalize c");
    orr_test_assert_no_live_objects();
}

static void test_info_named_holder(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");
    const OrrHolder by_a = {
        .kind = holder_kind_test, .by = a, .detail = "slot"};
    const OrrHolder bare = {.kind = holder_kind_test};

    orr_object_ref_held(b, &by_a);
    assert_info(b, TYPE_NODE, "b", "/machine/b", true, 2,
                "parent /machine|test /machine/a.slot");
    orr_object_ref_held(b, &by_a);
    orr_object_ref_held(b, &bare);
    assert_info(b, TYPE_NODE, "b", "/machine/b", true, 4,
                "parent /machine|test /machine/a.slot x2|test");
    orr_object_unref_held(b, &by_a);
    orr_object_unref_held(b, &by_a);
    orr_object_unref_held(b, &bare);
    assert_info(b, TYPE_NODE, "b", "/machine/b", true, 1, "parent /machine");

    orr_object_unparent(m);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_info_call_holder(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");

    /* While unparent runs its hook, a call reference keeps @a alive. */
    unparent_seen.record = true;
    orr_object_unparent(a);
    unparent_seen.record = false;
    g_assert_cmpstr(unparent_seen.holders, ==, "parent /machine|call");
    g_assert_cmpuint(unparent_seen.refcount, ==, 2);
    g_clear_pointer(&unparent_seen.holders, g_free);
    orr_test_assert_log("instance_finalize a");

    orr_object_unparent(m);
    orr_test_assert_no_live_objects();
}

/* --- The report ----------------------------------------------------------- */

#define assert_contains(haystack, needle)                                      \
    do {                                                                       \
        if (strstr((haystack), (needle)) == NULL) {                            \
            g_error("'%s' not found in:\n%s", (needle), (haystack));           \
        }                                                                      \
    } while (0)

static guint count_lines(const char *text)
{
    guint n = 0;

    for (const char *p = text; *p; p++) {
        n += *p == '\n';
    }
    return n;
}

static void test_report_text(void)
{
    g_assert_null(orr_live_format_report());

    OrrObject *m = add_machine();
    OrrObject *a = orr_test_new_object(TYPE_NODE);
    OrrObject *x = orr_test_new_object(TYPE_OTHER);

    attach(m, "a", a);
    g_autofree char *r1 = orr_live_format_report();
    g_assert_nonnull(r1);
    g_test_message("%s", r1);
    assert_contains(r1, "3 live objects:\n");
    assert_contains(r1, "  container /machine refcount=1 held by: parent /\n");
    assert_contains(r1, "  test-live-node /machine/a refcount=2 held by: "
                        "caller, parent /machine\n");
    assert_contains(r1, "  test-live-other (never parented) refcount=1 "
                        "held by: caller\n");
    g_assert_cmpuint(count_lines(r1), ==, 1 + 3);

    orr_object_unparent(a);
    orr_object_unref(x);
    g_autofree char *r2 = orr_live_format_report();
    g_assert_nonnull(r2);
    g_test_message("%s", r2);
    assert_contains(r2, "2 live objects:\n");
    assert_contains(r2, "  test-live-node /machine/a (detached) refcount=1 "
                        "held by: caller\n");
    g_assert_null(strstr(r2, "test-live-other"));
    g_assert_cmpuint(count_lines(r2), ==, 1 + 2);

    orr_object_unparent(m);
    g_autofree char *r3 = orr_live_format_report();
    assert_contains(r3, "1 live object:\n");
    orr_object_unref(a);
    orr_test_assert_log("instance_finalize a");
    g_assert_null(orr_live_format_report());
    orr_test_assert_no_live_objects();
}

/* --- Finalize events ------------------------------------------------------ */

/* Logs "ev TYPE NAME PATH" ("-" for NULL), after checking the event. */
static void log_event(const OrrFinalizeEvent *ev, void *data)
{
    const char *tag = data;

    g_assert_nonnull(ev->object);
    g_assert_cmpint(orr_object_get_state(ev->object), ==,
                    ORR_OBJECT_FINALIZING);
    g_assert_cmpuint(orr_object_get_refcount(ev->object), ==, 0);
    g_assert_cmpstr(ev->type, ==, orr_object_get_type_name(ev->object));
    g_assert_cmpstr(ev->name, ==, orr_object_get_name(ev->object));
    orr_test_log("%s %s %s %s", tag ? tag : "ev", ev->type,
                 ev->name ? ev->name : "-", ev->path ? ev->path : "-");
}

static void log_destroy(void *data)
{
    orr_test_log("destroy %s", (const char *)data);
}

static void test_finalize_hook_events(void)
{
    guint id = orr_live_add_finalize_hook(log_event, NULL, NULL);
    OrrObject *m = add_machine();
    OrrObject *x = orr_test_new_object(TYPE_NODE);

    g_assert_cmpuint(id, !=, 0);
    orr_test_add_new_child(m, TYPE_NODE, "a");
    orr_test_add_new_child(m, TYPE_SUB, "b");
    orr_test_assert_log("");

    /* Once per object, before its instance_finalize; the parent first,
     * then its children newest first. */
    orr_object_unparent(m);
    orr_test_assert_log("ev container machine /machine, "
                        "ev test-live-sub b /machine/b, "
                        "instance_finalize b, "
                        "ev test-live-node a /machine/a, "
                        "instance_finalize a");
    orr_object_unref(x);
    orr_test_assert_log("ev test-live-node - -, instance_finalize (unnamed)");

    /* Removed: no more events. */
    g_assert_true(orr_live_remove_finalize_hook(id));
    g_assert_false(orr_live_remove_finalize_hook(id));
    x = orr_test_new_object(TYPE_NODE);
    orr_object_unref(x);
    orr_test_assert_log("instance_finalize (unnamed)");
    orr_test_assert_no_live_objects();
}

static void test_finalize_hook_detached_path(void)
{
    guint id = orr_live_add_finalize_hook(log_event, NULL, NULL);
    OrrObject *m = add_machine();
    OrrObject *a = orr_object_ref(orr_test_add_new_child(m, TYPE_NODE, "a"));

    /* Unparented while held: the event has the last name and path. */
    orr_object_unparent(a);
    orr_test_assert_log("");
    orr_object_unref(a);
    orr_test_assert_log("ev test-live-node a /machine/a, instance_finalize a");

    orr_object_unparent(m);
    orr_test_assert_log("ev container machine /machine");
    g_assert_true(orr_live_remove_finalize_hook(id));
    orr_test_assert_no_live_objects();
}

static void test_finalize_hook_add_remove(void)
{
    static char h1_tag[] = "h1";
    static char h2_tag[] = "h2";
    guint h1 = orr_live_add_finalize_hook(log_event, h1_tag, log_destroy);
    guint h2 = orr_live_add_finalize_hook(log_event, h2_tag, log_destroy);

    g_assert_cmpuint(h1, !=, 0);
    g_assert_cmpuint(h2, !=, 0);
    g_assert_cmpuint(h1, !=, h2);

    OrrObject *x = orr_test_new_object(TYPE_OTHER);
    orr_object_unref(x);
    orr_test_assert_log("h1 test-live-other - -, h2 test-live-other - -");

    /* Removing runs the destroy notify, once. */
    g_assert_true(orr_live_remove_finalize_hook(h1));
    orr_test_assert_log("destroy h1");
    g_assert_false(orr_live_remove_finalize_hook(h1));
    g_assert_false(orr_live_remove_finalize_hook(0));
    orr_test_assert_log("");

    x = orr_test_new_object(TYPE_OTHER);
    orr_object_unref(x);
    orr_test_assert_log("h2 test-live-other - -");

    g_assert_true(orr_live_remove_finalize_hook(h2));
    orr_test_assert_log("destroy h2");
    x = orr_test_new_object(TYPE_OTHER);
    orr_object_unref(x);
    orr_test_assert_log("");
    orr_test_assert_no_live_objects();
}

/* A hook that removes itself the first time it runs. */
static guint self_removing_id;

static void remove_self(const OrrFinalizeEvent *ev, void *data)
{
    orr_test_log("once %s", ev->type);
    g_assert_true(orr_live_remove_finalize_hook(self_removing_id));
}

static void test_finalize_hook_remove_in_callback(void)
{
    static char tag[] = "self";
    guint other;

    self_removing_id =
        orr_live_add_finalize_hook(remove_self, tag, log_destroy);
    other = orr_live_add_finalize_hook(log_event, NULL, NULL);

    OrrObject *x = orr_test_new_object(TYPE_OTHER);
    orr_object_unref(x);
    orr_test_assert_log("once test-live-other, destroy self, "
                        "ev test-live-other - -");
    x = orr_test_new_object(TYPE_OTHER);
    orr_object_unref(x);
    orr_test_assert_log("ev test-live-other - -");

    g_assert_false(orr_live_remove_finalize_hook(self_removing_id));
    g_assert_true(orr_live_remove_finalize_hook(other));
    orr_test_assert_no_live_objects();
}

/* --- Cycles --------------------------------------------------------------- */

static void test_cycles_none(void)
{
    assert_cycles("");

    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");
    OrrObject *c = orr_test_add_new_child(a, TYPE_NODE, "c");

    /* Owning one way, non-owning up and to itself: no cycle. */
    set_link_ok(a, "peer", b);
    set_link_ok(c, "peer", a);
    set_link_ok(c, "peer2", c);
    assert_cycles("");

    orr_object_unparent(m);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_cycles_sibling_links(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");

    set_link_ok(a, "peer", b);
    set_link_ok(b, "peer", a);
    /* One cycle, from the oldest object. */
    assert_cycles("link /machine/a.peer -> /machine/b | "
                  "link /machine/b.peer -> /machine/a\n");

    /* Unparented, the pair keeps itself alive: a leak the finder names
     * with the last paths. */
    orr_object_ref(a);
    orr_object_unparent(m);
    orr_test_assert_log("");
    g_assert_cmpuint(orr_live_count(NULL), ==, 2);
    assert_info(a, TYPE_NODE, "a", "/machine/a", false, 2,
                "link /machine/b.peer (detached)|caller");
    assert_info(b, TYPE_NODE, "b", "/machine/b", false, 1,
                "link /machine/a.peer (detached)");
    assert_cycles("link /machine/a.peer -> /machine/b | "
                  "link /machine/b.peer -> /machine/a\n");

    /* Breaking one edge frees b, which frees its edge to a. */
    set_link_ok(a, "peer", NULL);
    orr_test_assert_log("instance_finalize b");
    assert_cycles("");
    assert_info(a, TYPE_NODE, "a", "/machine/a", false, 1, "caller");
    orr_object_unref(a);
    orr_test_assert_log("instance_finalize a");
    orr_test_assert_no_live_objects();
}

static void test_cycles_broken_while_attached(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");

    set_link_ok(a, "peer", b);
    set_link_ok(b, "peer", a);
    g_autoptr(GPtrArray) cycles = orr_live_find_cycles();
    g_assert_cmpuint(cycles->len, ==, 1);
    GPtrArray *cycle = cycles->pdata[0];
    g_assert_cmpuint(cycle->len, ==, 2);
    g_assert_cmpstr(cycle->pdata[0], ==, "link /machine/a.peer -> /machine/b");
    g_assert_cmpstr(cycle->pdata[1], ==, "link /machine/b.peer -> /machine/a");

    set_link_ok(b, "peer", NULL);
    g_autoptr(GPtrArray) after = orr_live_find_cycles();
    g_assert_cmpuint(after->len, ==, 0);

    /* b goes first but a's link keeps it until a is finalized. */
    orr_object_unparent(m);
    orr_test_assert_log("instance_finalize a, instance_finalize b");
    orr_test_assert_no_live_objects();
}

static void test_cycles_through_child_edge(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");
    OrrObject *c = orr_test_add_new_child(b, TYPE_NODE, "c");

    /* a -> b by link, b -> c by child<>, c -> a by link. */
    set_link_ok(a, "peer", b);
    set_link_ok(c, "peer", a);
    assert_cycles("link /machine/a.peer -> /machine/b | "
                  "parent /machine/b -> /machine/b/c | "
                  "link /machine/b/c.peer -> /machine/a\n");

    set_link_ok(c, "peer", NULL);
    assert_cycles("");
    orr_object_unparent(m);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void test_cycles_one_per_component(void)
{
    OrrObject *m = add_machine();
    OrrObject *a = orr_test_add_new_child(m, TYPE_NODE, "a");
    OrrObject *b = orr_test_add_new_child(m, TYPE_NODE, "b");
    OrrObject *c = orr_test_add_new_child(m, TYPE_NODE, "c");
    OrrObject *d = orr_test_add_new_child(m, TYPE_NODE, "d");
    OrrObject *e = orr_test_add_new_child(m, TYPE_NODE, "e");

    /* {a, b, c}: a 3-cycle a-b-c and a 2-cycle a-b; the shortest through
     * a is reported. */
    set_link_ok(a, "peer", b);
    set_link_ok(b, "peer", c);
    set_link_ok(c, "peer", a);
    set_link_ok(b, "peer2", a);
    /* {d, e}: a second component. */
    set_link_ok(e, "peer", d);
    set_link_ok(d, "peer", e);
    assert_cycles("link /machine/a.peer -> /machine/b | "
                  "link /machine/b.peer2 -> /machine/a\n"
                  "link /machine/d.peer -> /machine/e | "
                  "link /machine/e.peer -> /machine/d\n");

    /* Without the 2-cycle, the 3-cycle remains. */
    set_link_ok(b, "peer2", NULL);
    assert_cycles("link /machine/a.peer -> /machine/b | "
                  "link /machine/b.peer -> /machine/c | "
                  "link /machine/c.peer -> /machine/a\n"
                  "link /machine/d.peer -> /machine/e | "
                  "link /machine/e.peer -> /machine/d\n");

    set_link_ok(c, "peer", NULL);
    set_link_ok(d, "peer", NULL);
    assert_cycles("");
    orr_object_unparent(m);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    register_types();

    g_test_add_func("/live/list/excludes-root", test_list_excludes_root);
    g_test_add_func("/live/count/by-type", test_count_by_type);
    g_test_add_func("/live/info/never-parented", test_info_never_parented);
    g_test_add_func("/live/info/attached", test_info_attached);
    g_test_add_func("/live/info/after-unparent", test_info_after_unparent);
    g_test_add_func("/live/info/link-holders", test_info_link_holders);
    g_test_add_func("/live/info/named-holder", test_info_named_holder);
    g_test_add_func("/live/info/call-holder", test_info_call_holder);
    g_test_add_func("/live/report/text", test_report_text);
    g_test_add_func("/live/finalize-hook/events", test_finalize_hook_events);
    g_test_add_func("/live/finalize-hook/detached-path",
                    test_finalize_hook_detached_path);
    g_test_add_func("/live/finalize-hook/add-remove",
                    test_finalize_hook_add_remove);
    g_test_add_func("/live/finalize-hook/remove-in-callback",
                    test_finalize_hook_remove_in_callback);
    g_test_add_func("/live/cycles/none", test_cycles_none);
    g_test_add_func("/live/cycles/sibling-links", test_cycles_sibling_links);
    g_test_add_func("/live/cycles/broken-while-attached",
                    test_cycles_broken_while_attached);
    g_test_add_func("/live/cycles/through-child-edge",
                    test_cycles_through_child_edge);
    g_test_add_func("/live/cycles/one-per-component",
                    test_cycles_one_per_component);
    return g_test_run();
}
