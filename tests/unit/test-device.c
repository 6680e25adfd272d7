/*
 * Unit tests for devices: the realize and unrealize phases, rollback of a
 * failed realize, detach hooks, and how devices leave the tree and die.
 */
#include "orrery/orrery.h"

#include "test-util.h"

/*
 * Test type:
 *   test-dev   a device that logs its realize, unrealize, unparent and
 *              instance_finalize hooks with the phase each one sees. Its
 *              realize can be told to fail after adding a child device
 *              (realized), a plain child object, an instance property and
 *              a link; its unrealize can unparent a child, a sibling or
 *              the device itself.
 * Two process-wide detach hooks log every call, in order of registration.
 */
#define TYPE_DEV "test-dev"

typedef enum {
    REALIZE_OK,
    REALIZE_FAIL, /* add things, then fail */
} RealizeMode;

typedef struct TestDev {
    OrrDevice parent_obj;
    char label[32];
    RealizeMode mode;
    OrrObject *keep; /* NOREF: target of the failing realize's link */
    bool realize_in_finalize;
    bool realize_in_realize;
    /* (empty) a child (or, with a '../' prefix, a sibling; or "." for
     * the device itself) that the unrealize hook unparents */
    char unparent_in_unrealize[32];
} TestDev;

/* The last non-zero "since" a detach hook received. */
static guint64 last_since;
/* What realize from instance_finalize or from realize returned. */
static struct {
    guint runs;
    bool ok;
    GError *error;
} fin_probe, nested_probe;

static const char *const phase_names[] = {
    [ORR_DEVICE_NEW] = "new",
    [ORR_DEVICE_REALIZING] = "realizing",
    [ORR_DEVICE_REALIZED] = "realized",
    [ORR_DEVICE_UNREALIZING] = "unrealizing",
    [ORR_DEVICE_UNREALIZED] = "unrealized",
};

static const char *phase_name(OrrDevice *dev)
{
    OrrDevicePhase phase = orr_device_get_phase(dev);

    g_assert_cmpuint(phase, <, G_N_ELEMENTS(phase_names));
    return phase_names[phase];
}

static const char *label_of(OrrObject *obj)
{
    return orr_object_is_a(obj, TYPE_DEV) ? ((TestDev *)obj)->label : "?";
}

/* --- The test type -------------------------------------------------------- */

static OrrObject *dev_new(const char *label);

static bool failing_realize(TestDev *td, GError **errp)
{
    OrrObject *obj = (OrrObject *)td;
    g_autoptr(GError) err = NULL;
    const OrrPropertyDef def = {.name = "tmpprop", .type = ORR_PROP_INT};

    OrrObject *tmp = dev_new("tmp");
    g_assert_nonnull(orr_object_add_child(obj, "tmp", tmp, &err));
    orr_object_unref(tmp);
    g_assert_true(orr_device_realize((OrrDevice *)tmp, &err));
    OrrObject *plain = orr_object_new(ORR_TYPE_CONTAINER, &err);
    g_assert_nonnull(orr_object_add_child(obj, "tmpobj", plain, &err));
    orr_object_unref(plain);
    g_assert_nonnull(orr_object_add_property(obj, &def, &err));
    if (td->keep != NULL) {
        g_assert_nonnull(
            orr_object_add_link(obj, "tmplink", TYPE_DEV, 0, &err));
        g_assert_true(orr_object_set_link(obj, "tmplink", td->keep, &err));
    }
    g_assert_no_error(err);
    g_set_error(errp, ORR_ERROR, ORR_ERROR_FAILED, "boom");
    return false;
}

static bool dev_realize(OrrDevice *dev, GError **errp)
{
    TestDev *td = (TestDev *)dev;

    orr_test_log("realize %s (%s)", td->label, phase_name(dev));
    if (td->realize_in_realize) {
        nested_probe.runs++;
        nested_probe.ok = orr_device_realize(dev, &nested_probe.error);
    }
    if (td->mode == REALIZE_FAIL) {
        return failing_realize(td, errp);
    }
    return true;
}

static void dev_unrealize(OrrDevice *dev)
{
    TestDev *td = (TestDev *)dev;
    const char *victim = td->unparent_in_unrealize;

    orr_test_log("unrealize %s (%s)", td->label, phase_name(dev));
    if (g_str_equal(victim, ".")) {
        orr_object_unparent((OrrObject *)dev);
        orr_test_log("dropped self");
    } else if (*victim != '\0') {
        OrrObject *from = (OrrObject *)dev;
        if (g_str_has_prefix(victim, "../")) {
            from = orr_object_get_parent(from);
            victim += 3;
        }
        OrrObject *child = orr_object_get_child(from, victim);
        g_assert_nonnull(child);
        orr_object_unparent(child);
        orr_test_log("dropped %s", victim);
    }
}

static void dev_unparent(OrrObject *obj)
{
    orr_test_log("unparent %s (%s)", label_of(obj),
                 phase_name((OrrDevice *)obj));
}

static void dev_instance_finalize(OrrObject *obj)
{
    TestDev *td = (TestDev *)obj;

    orr_test_log("finalize %s (%s)", td->label, phase_name((OrrDevice *)obj));
    if (td->realize_in_finalize) {
        fin_probe.runs++;
        fin_probe.ok = orr_device_realize((OrrDevice *)obj, &fin_probe.error);
    }
}

static void dev_class_init(OrrObjectClass *klass, const void *data)
{
    OrrDeviceClass *dc = ORR_DEVICE_CLASS(klass);

    dc->realize = dev_realize;
    dc->unrealize = dev_unrealize;
    klass->unparent = dev_unparent;
}

/* Whether a test is running: the process-wide detach hooks log only
 * then. */
static bool recording;

static void log_detach(OrrDevice *dev, guint64 since, void *data)
{
    if (!recording) {
        return;
    }
    orr_test_log("%s %s since%s", (const char *)data,
                 label_of((OrrObject *)dev), since ? ">0" : "=0");
    if (since != 0) {
        last_since = since;
    }
}

static void register_types(void)
{
    static const OrrTypeInfo dev = {
        .name = TYPE_DEV,
        .parent = ORR_TYPE_DEVICE,
        .instance_size = sizeof(TestDev),
        .class_init = dev_class_init,
        .instance_finalize = dev_instance_finalize,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&dev, &err));
    g_assert_no_error(err);
    orr_device_add_detach_hook(log_detach, (void *)"detach");
    orr_device_add_detach_hook(log_detach, (void *)"detach2");
}

/* --- Helpers -------------------------------------------------------------- */

static OrrObject *dev_new(const char *label)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_object_new(TYPE_DEV, &err);

    g_assert_no_error(err);
    g_assert_nonnull(obj);
    g_strlcpy(((TestDev *)obj)->label, label, sizeof(((TestDev *)obj)->label));
    return obj;
}

/* A new device added to @parent as @name (its label too); the caller's
 * reference is dropped. */
static OrrObject *dev_add(OrrObject *parent, const char *name)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = dev_new(name);

    g_assert_cmpstr(orr_object_add_child(parent, name, obj, &err), ==, name);
    g_assert_no_error(err);
    orr_object_unref(obj);
    return obj;
}

static void realize_ok(OrrObject *obj)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_device_realize((OrrDevice *)obj, &err));
    g_assert_no_error(err);
}

static void begin(void)
{
    orr_test_log_clear();
    recording = true;
    last_since = 0;
}

static void end(void)
{
    recording = false;
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}

static void assert_realized_prop(OrrObject *obj, bool expected)
{
    g_autoptr(GError) err = NULL;
    bool realized = !expected;

    g_assert_true(orr_object_get_bool(obj, "realized", &realized, &err));
    g_assert_no_error(err);
    g_assert_cmpint(realized, ==, expected);
}

/* --- Tests ---------------------------------------------------------------- */

static void test_abstract(void)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_type_is_abstract(orr_type_lookup(ORR_TYPE_DEVICE)));
    g_assert_null(orr_object_new(ORR_TYPE_DEVICE, &err));
    g_assert_nonnull(err);
    g_assert_true(err->domain == ORR_ERROR);
    g_assert_nonnull(strstr(err->message, ORR_TYPE_DEVICE));
    orr_test_assert_no_live_objects();
}

static void test_phases(void)
{
    begin();
    OrrObject *d = dev_new("d");
    OrrDevice *dev = (OrrDevice *)d;

    g_assert_cmpint(orr_device_get_phase(dev), ==, ORR_DEVICE_NEW);
    g_assert_false(orr_device_is_realized(dev));
    assert_realized_prop(d, false);

    /* Unrealizing a device that is not realized does nothing. */
    orr_device_unrealize(dev);
    g_assert_cmpint(orr_device_get_phase(dev), ==, ORR_DEVICE_NEW);
    g_assert_cmpuint(orr_test_log_len(), ==, 0);

    realize_ok(d);
    g_assert_cmpint(orr_device_get_phase(dev), ==, ORR_DEVICE_REALIZED);
    g_assert_true(orr_device_is_realized(dev));
    assert_realized_prop(d, true);

    orr_device_unrealize(dev);
    g_assert_cmpint(orr_device_get_phase(dev), ==, ORR_DEVICE_UNREALIZED);
    g_assert_false(orr_device_is_realized(dev));
    assert_realized_prop(d, false);

    /* Again, from UNREALIZED. */
    realize_ok(d);
    g_assert_cmpint(orr_device_get_phase(dev), ==, ORR_DEVICE_REALIZED);
    orr_device_unrealize(dev);
    orr_device_unrealize(dev);

    orr_test_assert_events("realize d (realizing)", "unrealize d (unrealizing)",
                           "detach d since=0", "detach2 d since=0",
                           "realize d (realizing)", "unrealize d (unrealizing)",
                           "detach d since=0", "detach2 d since=0", NULL);
    orr_object_unref(d);
    end();
}

static void test_realized_property(void)
{
    g_autoptr(GError) err = NULL;

    begin();
    OrrObject *d = dev_new("d");
    OrrDevice *dev = (OrrDevice *)d;

    g_assert_true(orr_object_set_bool(d, "realized", true, &err));
    g_assert_no_error(err);
    g_assert_cmpint(orr_device_get_phase(dev), ==, ORR_DEVICE_REALIZED);
    g_assert_true(orr_object_set_bool(d, "realized", false, &err));
    g_assert_no_error(err);
    g_assert_cmpint(orr_device_get_phase(dev), ==, ORR_DEVICE_UNREALIZED);

    /* A failing realize through the property fails the set. */
    ((TestDev *)d)->mode = REALIZE_FAIL;
    g_assert_false(orr_object_set_bool(d, "realized", true, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_assert_nonnull(strstr(err->message, "boom"));
    g_assert_cmpint(orr_device_get_phase(dev), ==, ORR_DEVICE_UNREALIZED);
    assert_realized_prop(d, false);

    orr_test_assert_events("realize d (realizing)", "unrealize d (unrealizing)",
                           "detach d since=0", "detach2 d since=0",
                           "realize d (realizing)", "realize tmp (realizing)",
                           "unrealize tmp (unrealizing)", "detach tmp since=0",
                           "detach2 tmp since=0", "unparent tmp (unrealized)",
                           "finalize tmp (unrealized)", "detach d since>0",
                           "detach2 d since>0", NULL);
    orr_object_unref(d);
    end();
}

static void test_double_realize_refused(void)
{
    g_autoptr(GError) err = NULL;

    begin();
    OrrObject *d = dev_new("d");

    realize_ok(d);
    g_assert_false(orr_device_realize((OrrDevice *)d, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_STATE);
    g_assert_cmpint(orr_device_get_phase((OrrDevice *)d), ==,
                    ORR_DEVICE_REALIZED);
    orr_test_assert_events("realize d (realizing)", NULL);

    orr_device_unrealize((OrrDevice *)d);
    orr_object_unref(d);
    end();
}

/*
 * A realize hook that adds a child device (and realizes it), an instance
 * property and an owning link, then fails: the device returns to its prior
 * phase, everything the attempt added is gone, what was there before
 * stays, and the error comes through.
 */
static void check_failed_realize(OrrObject *d, OrrDevicePhase from)
{
    g_autoptr(GError) err = NULL;
    OrrObject *keep = orr_object_get_child(d, "keep");
    guint live = orr_live_count(NULL);
    guint64 before = orr_serial_next();

    ((TestDev *)d)->mode = REALIZE_FAIL;
    ((TestDev *)d)->keep = keep;
    orr_test_log_clear();

    g_assert_false(orr_device_realize((OrrDevice *)d, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_assert_nonnull(strstr(err->message, "boom"));

    g_assert_cmpint(orr_device_get_phase((OrrDevice *)d), ==, from);
    g_assert_null(orr_object_get_child(d, "tmp"));
    g_assert_null(orr_object_find_property(d, "tmp"));
    g_assert_null(orr_object_find_property(d, "tmpobj"));
    g_assert_null(orr_object_find_property(d, "tmpprop"));
    g_assert_null(orr_object_find_property(d, "tmplink"));
    g_assert_true(orr_object_get_child(d, "keep") == keep);
    g_assert_nonnull(orr_object_find_property(d, "keepprop"));
    g_assert_cmpuint(orr_object_get_refcount(keep), ==, 1);
    g_assert_cmpuint(orr_live_count(NULL), ==, live);

    /* The detach hooks saw the serial at which the attempt started. */
    g_assert_cmpuint(last_since, >, before);
    g_assert_cmpuint(last_since, <, orr_serial_next());

    orr_test_assert_events("realize d (realizing)", "realize tmp (realizing)",
                           "unrealize tmp (unrealizing)", "detach tmp since=0",
                           "detach2 tmp since=0", "unparent tmp (unrealized)",
                           "finalize tmp (unrealized)", "detach d since>0",
                           "detach2 d since>0", NULL);
    ((TestDev *)d)->mode = REALIZE_OK;
}

static OrrObject *dev_with_keepers(void)
{
    g_autoptr(GError) err = NULL;
    const OrrPropertyDef def = {.name = "keepprop", .type = ORR_PROP_INT};
    OrrObject *d = dev_new("d");

    dev_add(d, "keep");
    g_assert_nonnull(orr_object_add_property(d, &def, &err));
    g_assert_no_error(err);
    return d;
}

static void test_failed_realize_from_new(void)
{
    begin();
    OrrObject *d = dev_with_keepers();

    check_failed_realize(d, ORR_DEVICE_NEW);
    orr_object_unref(d);
    end();
}

static void test_failed_realize_from_unrealized(void)
{
    begin();
    OrrObject *d = dev_with_keepers();

    realize_ok(d);
    orr_device_unrealize((OrrDevice *)d);
    check_failed_realize(d, ORR_DEVICE_UNREALIZED);

    /* The device can still be realized afterwards. */
    realize_ok(d);
    g_assert_cmpint(orr_device_get_phase((OrrDevice *)d), ==,
                    ORR_DEVICE_REALIZED);
    orr_object_unref(d);
    end();
}

/* The failed attempt leaves zero live objects behind. */
static void test_failed_realize_leaves_nothing(void)
{
    g_autoptr(GError) err = NULL;

    begin();
    OrrObject *d = dev_new("d");
    ((TestDev *)d)->mode = REALIZE_FAIL;
    g_assert_false(orr_device_realize((OrrDevice *)d, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_assert_cmpuint(orr_live_count(NULL), ==, 1);
    orr_object_unref(d);
    end();
}

/* Unparenting a realized device: unrealize, then the unparent hook, then
 * finalize. */
static void test_unparent_unrealizes_first(void)
{
    begin();
    OrrObject *d = dev_add(orr_root(), "test-dev-d");

    realize_ok(d);
    orr_test_log_clear();
    orr_object_unparent(d);

    orr_test_assert_events(
        "unrealize test-dev-d (unrealizing)", "detach test-dev-d since=0",
        "detach2 test-dev-d since=0", "unparent test-dev-d (unrealized)",
        "finalize test-dev-d (unrealized)", NULL);
    end();
}

/* Deleting the child<> property of a realized device is an unparent:
 * unrealize first. */
static void test_delete_property_unrealizes(void)
{
    g_autoptr(GError) err = NULL;

    begin();
    OrrObject *p = dev_new("p");
    OrrObject *c = dev_add(p, "c");

    realize_ok(c);
    orr_test_log_clear();
    g_assert_true(orr_object_delete_property(p, "c", &err));
    g_assert_no_error(err);

    orr_test_assert_events("unrealize c (unrealizing)", "detach c since=0",
                           "detach2 c since=0", "unparent c (unrealized)",
                           "finalize c (unrealized)", NULL);
    orr_object_unref(p);
    end();
}

/* Unrealize takes the realized children out first, last added first. */
static void test_unrealize_children_reverse(void)
{
    begin();
    OrrObject *p = dev_new("p");
    OrrObject *c0 = dev_add(p, "c0");
    OrrObject *c1 = dev_add(p, "c1");
    OrrObject *c2 = dev_add(p, "c2");
    OrrObject *c3 = dev_add(p, "c3");

    realize_ok(c0);
    realize_ok(c1);
    realize_ok(c3);
    realize_ok(p);
    orr_test_log_clear();

    orr_device_unrealize((OrrDevice *)p);

    orr_test_assert_events("unrealize c3 (unrealizing)", "detach c3 since=0",
                           "detach2 c3 since=0", "unrealize c1 (unrealizing)",
                           "detach c1 since=0", "detach2 c1 since=0",
                           "unrealize c0 (unrealizing)", "detach c0 since=0",
                           "detach2 c0 since=0", "unrealize p (unrealizing)",
                           "detach p since=0", "detach2 p since=0", NULL);
    g_assert_cmpint(orr_device_get_phase((OrrDevice *)c0), ==,
                    ORR_DEVICE_UNREALIZED);
    g_assert_cmpint(orr_device_get_phase((OrrDevice *)c1), ==,
                    ORR_DEVICE_UNREALIZED);
    g_assert_cmpint(orr_device_get_phase((OrrDevice *)c2), ==, ORR_DEVICE_NEW);
    g_assert_cmpint(orr_device_get_phase((OrrDevice *)c3), ==,
                    ORR_DEVICE_UNREALIZED);
    orr_object_unref(p);
    end();
}

/* A realized device that was never parented is unrealized by its
 * finalize, before instance_finalize. */
static void test_finalize_realized_detached(void)
{
    begin();
    OrrObject *d = dev_new("d");

    realize_ok(d);
    orr_test_log_clear();
    orr_object_unref(d);

    orr_test_assert_events("unrealize d (unrealizing)", "detach d since=0",
                           "detach2 d since=0", "finalize d (unrealized)",
                           NULL);
    end();
}

/* A realized subtree dropped at once: every device is unrealized before
 * any is finalized, children first. */
static void test_unparent_realized_subtree(void)
{
    begin();
    OrrObject *p = dev_add(orr_root(), "test-dev-p");
    OrrObject *c = dev_add(p, "c");

    realize_ok(c);
    realize_ok(p);
    orr_test_log_clear();
    orr_object_unparent(p);

    orr_test_assert_events(
        "unrealize c (unrealizing)", "detach c since=0", "detach2 c since=0",
        "unrealize test-dev-p (unrealizing)", "detach test-dev-p since=0",
        "detach2 test-dev-p since=0", "unparent test-dev-p (unrealized)",
        "finalize test-dev-p (unrealized)", "unparent c (unrealized)",
        "finalize c (unrealized)", NULL);
    end();
}

/* A finalizing device cannot be realized. */
static void test_realize_finalizing_refused(void)
{
    begin();
    OrrObject *d = dev_new("d");

    memset(&fin_probe, 0, sizeof(fin_probe));
    ((TestDev *)d)->realize_in_finalize = true;
    orr_object_unref(d);

    g_assert_cmpuint(fin_probe.runs, ==, 1);
    g_assert_false(fin_probe.ok);
    g_assert_error(fin_probe.error, ORR_ERROR, ORR_ERROR_STATE);
    g_clear_error(&fin_probe.error);
    orr_test_assert_events("finalize d (new)", NULL);
    end();
}

/* A realized device finalized without a parent unrealizes its realized
 * children first, then itself, and only then is finalized. */
static void test_finalize_realized_detached_with_children(void)
{
    begin();
    OrrObject *p = dev_new("p");
    OrrObject *c = dev_add(p, "c");

    realize_ok(c);
    realize_ok(p);
    orr_test_log_clear();
    orr_object_unref(p);

    orr_test_assert_events("unrealize c (unrealizing)", "detach c since=0",
                           "detach2 c since=0", "unrealize p (unrealizing)",
                           "detach p since=0", "detach2 p since=0",
                           "finalize p (unrealized)", "unparent c (unrealized)",
                           "finalize c (unrealized)", NULL);
    end();
}

/* A parent that is not a device drops a realized device: unrealize,
 * unparent hook, finalize. */
static void test_finalize_plain_parent(void)
{
    g_autoptr(GError) err = NULL;

    begin();
    OrrObject *box = orr_object_new(ORR_TYPE_CONTAINER, &err);
    OrrObject *d = dev_add(box, "d");

    realize_ok(d);
    orr_test_log_clear();
    orr_object_unref(box);

    orr_test_assert_events("unrealize d (unrealizing)", "detach d since=0",
                           "detach2 d since=0", "unparent d (unrealized)",
                           "finalize d (unrealized)", NULL);
    end();
}

/* An unrealize hook may unparent the device's own children. */
static void test_unrealize_hook_unparents_child(void)
{
    begin();
    OrrObject *p = dev_new("p");
    OrrObject *c = dev_add(p, "c");

    realize_ok(c);
    realize_ok(p);
    g_strlcpy(((TestDev *)p)->unparent_in_unrealize, "c",
              sizeof(((TestDev *)p)->unparent_in_unrealize));
    orr_test_log_clear();
    orr_device_unrealize((OrrDevice *)p);

    orr_test_assert_events("unrealize c (unrealizing)", "detach c since=0",
                           "detach2 c since=0", "unrealize p (unrealizing)",
                           "unparent c (unrealized)", "finalize c (unrealized)",
                           "dropped c", "detach p since=0", "detach2 p since=0",
                           NULL);
    orr_object_unref(p);
    end();
}

/*
 * A child's unrealize hook unparents a sibling that the parent's
 * unrealize has not reached yet: the sibling is unrealized and goes once,
 * and the parent's walk over its children does not touch it again.
 */
static void test_unrealize_hook_unparents_sibling(void)
{
    begin();
    OrrObject *p = dev_new("p");
    OrrObject *c0 = dev_add(p, "c0");
    OrrObject *c1 = dev_add(p, "c1");

    realize_ok(c0);
    realize_ok(c1);
    realize_ok(p);
    g_strlcpy(((TestDev *)c1)->unparent_in_unrealize, "../c0",
              sizeof(((TestDev *)c1)->unparent_in_unrealize));
    orr_test_log_clear();
    orr_device_unrealize((OrrDevice *)p);

    orr_test_assert_events(
        "unrealize c1 (unrealizing)", "unrealize c0 (unrealizing)",
        "detach c0 since=0", "detach2 c0 since=0", "unparent c0 (unrealized)",
        "finalize c0 (unrealized)", "dropped c0", "detach c1 since=0",
        "detach2 c1 since=0", "unrealize p (unrealizing)", "detach p since=0",
        "detach2 p since=0", NULL);
    g_assert_null(orr_object_get_child(p, "c0"));
    orr_object_unref(p);
    end();
}

/*
 * An unrealize hook that takes its own device out of the tree, while
 * orr_object_unparent() is unrealizing it: each hook runs once, the
 * device is finalized once, after its unrealize is over.
 */
static void test_unrealize_hook_unparents_self(void)
{
    begin();
    OrrObject *d = dev_add(orr_root(), "test-dev-d");

    realize_ok(d);
    g_strlcpy(((TestDev *)d)->unparent_in_unrealize, ".",
              sizeof(((TestDev *)d)->unparent_in_unrealize));
    orr_test_log_clear();
    orr_object_unparent(d);

    g_autofree char *all = orr_test_log_join(orr_test_log_len());
    g_test_message("events: %s", all);
    g_assert_cmpstr(orr_test_log_get(0), ==,
                    "unrealize test-dev-d (unrealizing)");
    g_assert_cmpuint(orr_test_log_count_prefix("unrealize "), ==, 1);
    g_assert_cmpuint(orr_test_log_count_prefix("unparent "), ==, 1);
    g_assert_cmpuint(orr_test_log_count_prefix("detach "), ==, 1);
    g_assert_cmpuint(orr_test_log_count_prefix("finalize "), ==, 1);
    g_assert_cmpstr(orr_test_log_get(orr_test_log_len() - 1), ==,
                    "finalize test-dev-d (unrealized)");
    end();
}

/* A realize hook cannot realize its own device again. */
static void test_realize_from_realize_refused(void)
{
    begin();
    OrrObject *d = dev_new("d");

    memset(&nested_probe, 0, sizeof(nested_probe));
    ((TestDev *)d)->realize_in_realize = true;
    realize_ok(d);
    g_assert_cmpuint(nested_probe.runs, ==, 1);
    g_assert_false(nested_probe.ok);
    g_assert_error(nested_probe.error, ORR_ERROR, ORR_ERROR_STATE);
    g_clear_error(&nested_probe.error);
    g_assert_cmpint(orr_device_get_phase((OrrDevice *)d), ==,
                    ORR_DEVICE_REALIZED);
    orr_test_assert_events("realize d (realizing)", NULL);
    orr_object_unref(d);
    end();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    register_types();

    g_test_add_func("/device/abstract", test_abstract);
    g_test_add_func("/device/realize/phases", test_phases);
    g_test_add_func("/device/realize/property", test_realized_property);
    g_test_add_func("/device/realize/double-refused",
                    test_double_realize_refused);
    g_test_add_func("/device/realize/failure-rollback-from-new",
                    test_failed_realize_from_new);
    g_test_add_func("/device/realize/failure-rollback-from-unrealized",
                    test_failed_realize_from_unrealized);
    g_test_add_func("/device/realize/failure-leaves-nothing",
                    test_failed_realize_leaves_nothing);
    g_test_add_func("/device/realize/finalizing-refused",
                    test_realize_finalizing_refused);
    g_test_add_func("/device/unparent/unrealizes-first",
                    test_unparent_unrealizes_first);
    g_test_add_func("/device/unparent/delete-property-unrealizes",
                    test_delete_property_unrealizes);
    g_test_add_func("/device/unparent/realized-subtree",
                    test_unparent_realized_subtree);
    g_test_add_func("/device/unrealize/children-reverse-order",
                    test_unrealize_children_reverse);
    g_test_add_func("/device/finalize/realized-detached",
                    test_finalize_realized_detached);
    g_test_add_func("/device/finalize/realized-detached-with-children",
                    test_finalize_realized_detached_with_children);
    g_test_add_func("/device/finalize/plain-parent",
                    test_finalize_plain_parent);
    g_test_add_func("/device/unrealize/hook-unparents-child",
                    test_unrealize_hook_unparents_child);
    g_test_add_func("/device/unrealize/hook-unparents-sibling",
                    test_unrealize_hook_unparents_sibling);
    g_test_add_func("/device/unrealize/hook-unparents-self",
                    test_unrealize_hook_unparents_self);
    g_test_add_func("/device/realize/from-realize-refused",
                    test_realize_from_realize_refused);

    return g_test_run();
}
