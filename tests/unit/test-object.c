/*
 * Unit tests for objects: creation, the one reference count and its
 * holders, weak references, and the object states seen from each hook.
 */
#include "orrery/orrery.h"

#include "test-util.h"

/*
 * Test types:
 *   test-obj       records the state it sees in instance_init, post_init
 *                  and instance_finalize, and runs a per-test probe from
 *                  instance_finalize.
 *   test-obj-sub   a subclass of test-obj.
 */
#define TYPE_OBJ "test-obj"
#define TYPE_OBJ_SUB "test-obj-sub"

/* A holder kind of our own (holder kinds are static strings). */
static const char holder_kind_test[] = "test";

/* What the hooks saw; reset by each test. */
static struct {
    int init_state;
    int post_init_state;
    int finalize_state;
    guint init_calls;
    guint finalize_calls;
    /* (nullable) run from instance_finalize */
    void (*finalize_probe)(OrrObject *obj);
    /* results of the probes */
    bool probe_ran;
    bool probe_ref_taken;
    GError *probe_error;
    guint probe_refcount;
} seen;

static void reset_seen(void)
{
    g_clear_error(&seen.probe_error);
    memset(&seen, 0, sizeof(seen));
    seen.init_state = -1;
    seen.post_init_state = -1;
    seen.finalize_state = -1;
}

static void obj_instance_init(OrrObject *obj)
{
    seen.init_state = orr_object_get_state(obj);
    seen.init_calls++;
}

static void obj_instance_post_init(OrrObject *obj)
{
    seen.post_init_state = orr_object_get_state(obj);
}

static void obj_instance_finalize(OrrObject *obj)
{
    seen.finalize_state = orr_object_get_state(obj);
    seen.finalize_calls++;
    if (seen.finalize_probe != NULL) {
        seen.finalize_probe(obj);
    }
}

static void register_types(void)
{
    static const OrrTypeInfo obj = {
        .name = TYPE_OBJ,
        .instance_init = obj_instance_init,
        .instance_post_init = obj_instance_post_init,
        .instance_finalize = obj_instance_finalize,
    };
    static const OrrTypeInfo sub = {
        .name = TYPE_OBJ_SUB,
        .parent = TYPE_OBJ,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&obj, &err));
    g_assert_no_error(err);
    g_assert_nonnull(orr_type_register(&sub, &err));
    g_assert_no_error(err);
}

/* Counts finalize events; the data is a guint counter. */
static void count_finalize_event(const OrrFinalizeEvent *event, void *data)
{
    (*(guint *)data)++;
}

/* --- Creation ------------------------------------------------------------ */

static void test_new_one_caller_reference(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);

    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    g_assert_cmpint(orr_object_get_state(obj), ==, ORR_OBJECT_LIVE);
    g_assert_cmpstr(orr_object_get_type_name(obj), ==, TYPE_OBJ);
    g_assert_true(orr_object_get_lifetime_unit(obj) == obj);
    g_assert_null(orr_object_get_parent(obj));
    g_assert_null(orr_object_get_name(obj));
    g_assert_null(orr_object_get_path(obj));
    orr_test_assert_holders(obj, ORR_HOLDER_CALLER);
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);
    g_assert_cmpuint(orr_live_count(TYPE_OBJ), ==, 1);
    g_assert_cmpuint(seen.init_calls, ==, 1);
    g_assert_cmpuint(seen.finalize_calls, ==, 0);

    orr_object_unref(obj);
    g_assert_cmpuint(seen.finalize_calls, ==, 1);
    orr_test_assert_no_live_objects();
}

static void test_new_unknown_and_abstract(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_null(orr_object_new("test-obj-no-such-type", &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "test-obj-no-such-type"));
    g_clear_error(&err);

    g_assert_null(orr_object_new(ORR_TYPE_DEVICE, &err));
    g_assert_nonnull(err);
    g_assert_true(err->domain == ORR_ERROR);
    g_assert_nonnull(strstr(err->message, ORR_TYPE_DEVICE));
    orr_test_assert_no_live_objects();
}

static void test_autoptr_releases(void)
{
    reset_seen();
    {
        g_autoptr(OrrObject) obj = orr_test_new_object(TYPE_OBJ);
        g_assert_cmpuint(orr_live_count(NULL), ==, 1);
    }
    g_assert_cmpuint(seen.finalize_calls, ==, 1);
    orr_test_assert_no_live_objects();
}

/* --- The reference count ------------------------------------------------- */

static void test_ref_unref_one_count(void)
{
    guint finalized = 0;
    guint hook =
        orr_live_add_finalize_hook(count_finalize_event, &finalized, NULL);
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);

    g_assert_true(orr_object_ref(obj) == obj);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 2);
    orr_test_assert_holders(obj, "caller x2");
    orr_object_ref(obj);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 3);
    orr_test_assert_holders(obj, "caller x3");

    orr_object_unref(obj);
    orr_object_unref(obj);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    orr_test_assert_holders(obj, "caller");
    g_assert_cmpuint(finalized, ==, 0);
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);

    orr_object_unref(obj);
    g_assert_cmpuint(finalized, ==, 1);
    g_assert_true(orr_live_remove_finalize_hook(hook));
    g_assert_false(orr_live_remove_finalize_hook(hook));
    orr_test_assert_no_live_objects();
}

/*
 * A child counts its parent's reference in the same one count, and the
 * holder names the parent.
 */
static void test_ref_parent_holder(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *parent = orr_test_new_object(TYPE_OBJ);
    OrrObject *child = orr_test_new_object(TYPE_OBJ_SUB);

    g_assert_nonnull(
        orr_object_add_child(orr_root(), "test-obj-p", parent, &err));
    g_assert_no_error(err);
    orr_object_unref(parent);
    orr_test_assert_holders(parent, "parent /");
    g_assert_cmpuint(orr_object_get_refcount(parent), ==, 1);

    g_assert_nonnull(orr_object_add_child(parent, "c", child, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(orr_object_get_refcount(child), ==, 2);
    orr_test_assert_holders(child, "caller|parent /test-obj-p");

    orr_object_unref(child);
    g_assert_cmpuint(orr_object_get_refcount(child), ==, 1);
    orr_test_assert_holders(child, "parent /test-obj-p");

    orr_object_unparent(parent);
    orr_test_assert_no_live_objects();
}

/*
 * References taken with a holder are recorded per holder, counted in the
 * one count, and released by the same holder.
 */
static void test_ref_held_recorded_and_released(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *by = orr_test_new_object(TYPE_OBJ);
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    const OrrHolder peer = {
        .kind = holder_kind_test, .by = by, .detail = "peer"};
    const OrrHolder other = {
        .kind = holder_kind_test, .by = by, .detail = "other"};

    g_assert_nonnull(orr_object_add_child(orr_root(), "holder", by, &err));
    g_assert_no_error(err);

    g_assert_true(orr_object_ref_held(obj, &peer) == obj);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 2);
    orr_test_assert_holders(obj, "caller|test /holder.peer");

    orr_object_ref_held(obj, &peer);
    g_assert_true(orr_object_try_ref_held(obj, &other, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 4);
    orr_test_assert_holders(obj,
                            "caller|test /holder.peer x2|test /holder.other");

    /* The holders of a reference are not references of their own. */
    g_assert_cmpuint(orr_object_get_refcount(by), ==, 2);

    orr_object_unref_held(obj, &peer);
    orr_test_assert_holders(obj, "caller|test /holder.peer|test /holder.other");
    orr_object_unref_held(obj, &peer);
    orr_object_unref_held(obj, &other);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    orr_test_assert_holders(obj, "caller");

    /* A held reference alone keeps the object alive. */
    orr_object_ref_held(obj, &peer);
    orr_object_unref(obj);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    orr_test_assert_holders(obj, "test /holder.peer");
    g_assert_cmpuint(orr_live_count(TYPE_OBJ), ==, 2);
    reset_seen();
    orr_object_unref_held(obj, &peer);
    g_assert_cmpuint(seen.finalize_calls, ==, 1);

    orr_object_unparent(by);
    orr_object_unref(by);
    orr_test_assert_no_live_objects();
}

static void probe_try_ref(OrrObject *obj)
{
    static const OrrHolder holder = {.kind = holder_kind_test};

    seen.probe_ran = true;
    seen.probe_ref_taken =
        orr_object_try_ref_held(obj, &holder, &seen.probe_error);
    seen.probe_refcount = orr_object_get_refcount(obj);
}

/* A finalizing object cannot be resurrected by a new reference. */
static void test_try_ref_held_finalizing(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_OBJ_SUB);

    seen.finalize_probe = probe_try_ref;
    orr_object_unref(obj);

    g_assert_true(seen.probe_ran);
    g_assert_false(seen.probe_ref_taken);
    g_assert_error(seen.probe_error, ORR_ERROR, ORR_ERROR_STATE);
    g_assert_cmpuint(seen.probe_refcount, ==, 0);
    g_assert_cmpuint(seen.finalize_calls, ==, 1);
    reset_seen();
    orr_test_assert_no_live_objects();
}

static void test_try_ref_held_live(void)
{
    g_autoptr(GError) err = NULL;
    static const OrrHolder holder = {.kind = holder_kind_test,
                                     .detail = "probe"};
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);

    g_assert_true(orr_object_try_ref_held(obj, &holder, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 2);
    orr_object_unref(obj);
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);
    orr_object_unref_held(obj, &holder);
    orr_test_assert_no_live_objects();
}

/* --- Weak references ----------------------------------------------------- */

typedef struct WeakProbe {
    guint fired;
    OrrObject *obj;  /* NOREF: what the notify received */
    int state;       /* the object's state seen by the notify */
    guint refcount;  /* its count seen by the notify */
    bool child_gone; /* its child "c" was already released */
} WeakProbe;

static void weak_notify(OrrObject *obj, void *data)
{
    WeakProbe *p = data;

    p->fired++;
    p->obj = obj;
    p->state = orr_object_get_state(obj);
    p->refcount = orr_object_get_refcount(obj);
    p->child_gone = orr_object_get_child(obj, "c") == NULL;
}

static void test_weak_fires_once_at_finalize(void)
{
    WeakProbe a = {0}, b = {0};
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    guint id_a = orr_object_weak_ref(obj, weak_notify, &a);
    guint id_b = orr_object_weak_ref(obj, weak_notify, &b);

    g_assert_cmpuint(id_a, !=, 0);
    g_assert_cmpuint(id_b, !=, 0);
    g_assert_cmpuint(id_a, !=, id_b);
    /* A weak reference is not a reference. */
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    orr_test_assert_holders(obj, ORR_HOLDER_CALLER);

    orr_object_ref(obj);
    orr_object_unref(obj);
    g_assert_cmpuint(a.fired, ==, 0);

    orr_object_unref(obj);
    g_assert_cmpuint(a.fired, ==, 1);
    g_assert_cmpuint(b.fired, ==, 1);
    g_assert_true(a.obj == obj);
    g_assert_cmpint(a.state, ==, ORR_OBJECT_FINALIZING);
    g_assert_cmpuint(a.refcount, ==, 0);
    orr_test_assert_no_live_objects();
}

static void test_weak_unref_prevents_notify(void)
{
    WeakProbe kept = {0}, removed = {0};
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);
    guint id_removed = orr_object_weak_ref(obj, weak_notify, &removed);

    orr_object_weak_ref(obj, weak_notify, &kept);
    orr_object_weak_unref(obj, id_removed);
    orr_object_unref(obj);

    g_assert_cmpuint(removed.fired, ==, 0);
    g_assert_cmpuint(kept.fired, ==, 1);
    orr_test_assert_no_live_objects();
}

/* Weak notifies run after the object's children have been released. */
static void test_weak_after_children(void)
{
    g_autoptr(GError) err = NULL;
    WeakProbe parent_probe = {0}, child_probe = {0};
    OrrObject *parent = orr_test_new_object(TYPE_OBJ);
    OrrObject *child = orr_test_new_object(TYPE_OBJ);

    g_assert_nonnull(orr_object_add_child(parent, "c", child, &err));
    g_assert_no_error(err);
    orr_object_weak_ref(child, weak_notify, &child_probe);
    orr_object_unref(child);
    orr_object_weak_ref(parent, weak_notify, &parent_probe);

    orr_object_unref(parent);
    g_assert_cmpuint(parent_probe.fired, ==, 1);
    g_assert_cmpuint(child_probe.fired, ==, 1);
    g_assert_true(parent_probe.child_gone);
    orr_test_assert_no_live_objects();
}

/* --- States -------------------------------------------------------------- */

typedef struct StateProbe {
    int event_state;
    guint events;
} StateProbe;

static void state_finalize_event(const OrrFinalizeEvent *event, void *data)
{
    StateProbe *p = data;

    p->events++;
    p->event_state = orr_object_get_state(event->object);
}

static void test_state_transitions(void)
{
    StateProbe ev = {.event_state = -1};
    WeakProbe weak = {0};
    guint hook = orr_live_add_finalize_hook(state_finalize_event, &ev, NULL);

    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_OBJ_SUB);
    g_assert_cmpint(seen.init_state, ==, ORR_OBJECT_INITIALIZING);
    g_assert_cmpint(seen.post_init_state, ==, ORR_OBJECT_INITIALIZING);
    g_assert_cmpint(orr_object_get_state(obj), ==, ORR_OBJECT_LIVE);

    orr_object_weak_ref(obj, weak_notify, &weak);
    orr_object_unref(obj);
    g_assert_cmpint(seen.finalize_state, ==, ORR_OBJECT_FINALIZING);
    g_assert_cmpuint(weak.fired, ==, 1);
    g_assert_cmpint(weak.state, ==, ORR_OBJECT_FINALIZING);
    g_assert_cmpuint(ev.events, ==, 1);
    g_assert_cmpint(ev.event_state, ==, ORR_OBJECT_FINALIZING);

    orr_live_remove_finalize_hook(hook);
    orr_test_assert_no_live_objects();
}

/* instance_finalize runs at the last unref, not at an earlier one, and a
 * reference it tries to take is refused: the object goes all the same. */
static void test_finalize_only_at_last_unref(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_OBJ);

    seen.finalize_probe = probe_try_ref;
    orr_object_ref(obj);
    orr_object_unref(obj);
    g_assert_false(seen.probe_ran);
    orr_object_unref(obj);
    g_assert_true(seen.probe_ran);
    g_assert_false(seen.probe_ref_taken);
    reset_seen();
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    register_types();

    g_test_add_func("/object/new/one-caller-reference",
                    test_new_one_caller_reference);
    g_test_add_func("/object/new/unknown-and-abstract",
                    test_new_unknown_and_abstract);
    g_test_add_func("/object/new/autoptr-releases", test_autoptr_releases);
    g_test_add_func("/object/ref/one-count", test_ref_unref_one_count);
    g_test_add_func("/object/ref/parent-holder", test_ref_parent_holder);
    g_test_add_func("/object/ref/held-recorded-and-released",
                    test_ref_held_recorded_and_released);
    g_test_add_func("/object/ref/try-ref-held-live", test_try_ref_held_live);
    g_test_add_func("/object/ref/try-ref-held-finalizing",
                    test_try_ref_held_finalizing);
    g_test_add_func("/object/ref/finalize-only-at-last-unref",
                    test_finalize_only_at_last_unref);
    g_test_add_func("/object/weak/fires-once-at-finalize",
                    test_weak_fires_once_at_finalize);
    g_test_add_func("/object/weak/unref-prevents-notify",
                    test_weak_unref_prevents_notify);
    g_test_add_func("/object/weak/after-children", test_weak_after_children);
    g_test_add_func("/object/state/transitions", test_state_transitions);

    return g_test_run();
}
