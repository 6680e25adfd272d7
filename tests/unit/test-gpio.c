/*
 * Unit tests for GPIO/IRQ lines: declarations, connections, delivery, and
 * the cutting of connections when either end leaves the machine or dies.
 */
#include "orrery/orrery.h"

#include "test-util.h"

/*
 * Test devices:
 *   test-gpio-src    outputs irq[2]; can drive irq[1] high from its
 *                    instance_finalize.
 *   test-gpio-sink   inputs in[4]; records levels, counts calls, and runs
 *                    a per-test hook from its handler; can try to be
 *                    connected from its instance_finalize.
 *   test-gpio-both   a sink that adds outputs out[1] and in[2] (the input
 *                    and output namespaces are separate).
 *   test-gpio-failing  a "both" whose realize connects lines, then fails.
 */
#define TYPE_SRC "test-gpio-src"
#define TYPE_SINK "test-gpio-sink"
#define TYPE_BOTH "test-gpio-both"
#define TYPE_FAILING "test-gpio-failing"

typedef struct TestSink TestSink;
typedef void (*SinkHook)(TestSink *sink, guint index, int level);

typedef struct TestSrc {
    OrrDevice parent_obj;
    bool drive_on_finalize; /* set_gpio(irq[1], 1) in instance_finalize */
} TestSrc;

struct TestSink {
    OrrDevice parent_obj;
    int levels[4];
    guint calls;
    guint last_index;
    SinkHook hook;            /* (nullable) run from the handler */
    void *hook_data;          /* NOREF: owned by the test */
    bool connect_on_finalize; /* try connecting in instance_finalize */
};

/* Every delivery to every sink, alive or not: proves what a dead end did
 * not receive. */
static guint deliveries;
/* The opaque given to add_gpio_in, checked by the handler. */
static int sink_opaque_tag;
/* What test-gpio-both's class_init got from bad declarations. */
static GPtrArray *declare_errors;
/* The peer that test-gpio-failing's realize and the finalize tricks use
 * (NOREF: the test holds it). */
static OrrDevice *peer_sink;
static OrrDevice *peer_src;
static bool finalize_connect_checked;

/* --- Test types ---------------------------------------------------------- */

static void sink_in(OrrDevice *dev, guint index, int level, void *opaque)
{
    TestSink *sink = (TestSink *)dev;

    g_assert_true(opaque == &sink_opaque_tag);
    g_assert_cmpuint(index, <, 4);
    deliveries++;
    sink->levels[index] = level;
    sink->calls++;
    sink->last_index = index;
    if (sink->hook != NULL) {
        sink->hook(sink, index, level);
    }
}

static void src_instance_finalize(OrrObject *obj)
{
    if (((TestSrc *)obj)->drive_on_finalize) {
        g_assert_true(orr_device_set_gpio((OrrDevice *)obj, "irq", 1, 1, NULL));
    }
}

/* Tries both directions of connection with a device being finalized. */
static void sink_instance_finalize(OrrObject *obj)
{
    OrrDevice *dev = (OrrDevice *)obj;
    g_autoptr(GError) err = NULL;

    if (!((TestSink *)obj)->connect_on_finalize) {
        return;
    }
    g_assert_false(
        orr_device_connect_gpio(dev, "out", 0, peer_sink, "in", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_STATE);
    g_clear_error(&err);
    g_assert_false(
        orr_device_connect_gpio(peer_src, "irq", 0, dev, "in", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_STATE);
    g_clear_error(&err);
    g_assert_false(orr_device_set_gpio_in(dev, "in", 0, 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_STATE);
    finalize_connect_checked = true;
}

static void src_class_init(OrrObjectClass *klass, const void *data)
{
    g_assert_true(
        orr_device_class_add_gpio_out((OrrDeviceClass *)klass, "irq", 2, NULL));
}

static void sink_class_init(OrrObjectClass *klass, const void *data)
{
    g_assert_true(orr_device_class_add_gpio_in(
        (OrrDeviceClass *)klass, "in", 4, sink_in, &sink_opaque_tag, NULL));
}

/* Records the code of a declaration that must fail. */
static void record_declare_error(bool ok, GError *err)
{
    g_assert_false(ok);
    g_assert_nonnull(err);
    g_assert_true(err->domain == ORR_ERROR);
    g_ptr_array_add(declare_errors, GINT_TO_POINTER(err->code));
    g_error_free(err);
}

static void both_class_init(OrrObjectClass *klass, const void *data)
{
    OrrDeviceClass *dc = (OrrDeviceClass *)klass;
    GError *err = NULL;
    bool ok;

    g_assert_true(orr_device_class_add_gpio_out(dc, "out", 1, NULL));
    /* Same name as the inherited input: a separate namespace. */
    g_assert_true(orr_device_class_add_gpio_out(dc, "in", 2, NULL));

    declare_errors = g_ptr_array_new();
    ok = orr_device_class_add_gpio_in(dc, "in", 1, sink_in, NULL, &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* EXISTS */
    ok = orr_device_class_add_gpio_out(dc, "out", 3, &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* EXISTS */
    ok = orr_device_class_add_gpio_out(dc, "zero", 0, &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* INVALID */
    ok = orr_device_class_add_gpio_out(dc, "", 1, &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* INVALID */
    ok = orr_device_class_add_gpio_out(dc, NULL, 1, &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* INVALID */
    ok = orr_device_class_add_gpio_out(dc, "x[1]", 1, &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* INVALID */
    ok = orr_device_class_add_gpio_in(dc, "nohandler", 1, NULL, NULL, &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* INVALID */
    ok = orr_device_class_add_gpio_in(dc, "huge", G_MAXUINT, sink_in, NULL,
                                      &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* INVALID */
    ok = orr_device_class_add_gpio_out(NULL, "none", 1, &err);
    record_declare_error(ok, g_steal_pointer(&err)); /* TYPE */
}

/* Connects lines, then fails: the rollback must cut exactly those. */
static bool failing_realize(OrrDevice *dev, GError **errp)
{
    g_assert_true(
        orr_device_connect_gpio(dev, "out", 0, peer_sink, "in", 0, NULL));
    g_assert_true(
        orr_device_connect_gpio(peer_src, "irq", 0, dev, "in", 1, NULL));
    g_set_error(errp, ORR_ERROR, ORR_ERROR_FAILED, "no, on purpose");
    return false;
}

static void failing_class_init(OrrObjectClass *klass, const void *data)
{
    ((OrrDeviceClass *)klass)->realize = failing_realize;
}

static void register_types(void)
{
    static const OrrTypeInfo types[] = {
        {
            .name = TYPE_SRC,
            .parent = ORR_TYPE_DEVICE,
            .instance_size = sizeof(TestSrc),
            .class_init = src_class_init,
            .instance_finalize = src_instance_finalize,
        },
        {
            .name = TYPE_SINK,
            .parent = ORR_TYPE_DEVICE,
            .instance_size = sizeof(TestSink),
            .class_init = sink_class_init,
            .instance_finalize = sink_instance_finalize,
        },
        {
            .name = TYPE_BOTH,
            .parent = TYPE_SINK,
            .class_init = both_class_init,
        },
        {
            .name = TYPE_FAILING,
            .parent = TYPE_BOTH,
            .class_init = failing_class_init,
        },
    };

    for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
        g_assert_nonnull(orr_type_register(&types[i], NULL));
    }
}

/* --- Helpers -------------------------------------------------------------- */

/* A new detached device (transfer full: the caller reference). */
static OrrDevice *new_dev(const char *type)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_object_new(type, &err);

    g_assert_no_error(err);
    return (OrrDevice *)obj;
}

/* A new device under "/" named @name; the root holds the only reference. */
static OrrDevice *new_attached(const char *type, const char *name)
{
    OrrDevice *dev = new_dev(type);

    g_assert_nonnull(
        orr_object_add_child(orr_root(), name, (OrrObject *)dev, NULL));
    orr_object_unref((OrrObject *)dev);
    return dev;
}

static void unref_dev(OrrDevice *dev)
{
    orr_object_unref((OrrObject *)dev);
}

static void connect_ok(OrrDevice *src, const char *out, guint out_index,
                       OrrDevice *dst, const char *in, guint in_index)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(
        orr_device_connect_gpio(src, out, out_index, dst, in, in_index, &err));
    g_assert_no_error(err);
}

static void set_ok(OrrDevice *dev, const char *out, guint index, int level)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_device_set_gpio(dev, out, index, level, &err));
    g_assert_no_error(err);
}

static OrrDevice *target_of(OrrDevice *src, const char *out, guint index,
                            const char **in_name, guint *in_index)
{
    g_autoptr(GError) err = NULL;
    OrrDevice *dst =
        orr_device_get_gpio_target(src, out, index, in_name, in_index, &err);

    g_assert_no_error(err);
    return dst;
}

static int level_of(OrrDevice *dev, bool is_output, const char *name,
                    guint index)
{
    g_autoptr(GError) err = NULL;
    int level = -1;

    g_assert_true(
        orr_device_get_gpio_level(dev, is_output, name, index, &level, &err));
    g_assert_no_error(err);
    return level;
}

/* --- Declarations --------------------------------------------------------- */

static void test_declare_inherited(void)
{
    OrrDevice *both = new_dev(TYPE_BOTH);
    OrrDevice *sink = new_dev(TYPE_SINK);
    g_autoptr(GError) err = NULL;
    int level;

    /* The subclass has its parent's input and its own outputs. */
    g_assert_cmpint(level_of(both, false, "in", 3), ==, 0);
    g_assert_cmpint(level_of(both, true, "out", 0), ==, 0);
    g_assert_cmpint(level_of(both, true, "in", 1), ==, 0);
    /* ... which do not leak into the parent class. */
    g_assert_false(
        orr_device_get_gpio_level(sink, true, "out", 0, &level, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(
        orr_device_get_gpio_level(sink, true, "in", 0, &level, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);

    unref_dev(both);
    unref_dev(sink);
    orr_test_assert_no_live_objects();
}

static void test_declare_errors(void)
{
    static const int expected[] = {
        ORR_ERROR_EXISTS,  ORR_ERROR_EXISTS,  ORR_ERROR_INVALID,
        ORR_ERROR_INVALID, ORR_ERROR_INVALID, ORR_ERROR_INVALID,
        ORR_ERROR_INVALID, ORR_ERROR_INVALID, ORR_ERROR_TYPE,
    };

    /* The class is initialized on first use. */
    orr_type_get_class(orr_type_lookup(TYPE_BOTH));
    g_assert_nonnull(declare_errors);
    g_assert_cmpuint(declare_errors->len, ==, G_N_ELEMENTS(expected));
    for (guint i = 0; i < G_N_ELEMENTS(expected); i++) {
        g_assert_cmpint(GPOINTER_TO_INT(declare_errors->pdata[i]), ==,
                        expected[i]);
    }

    /* Nothing of the failed declarations is visible on an instance. */
    OrrDevice *both = new_dev(TYPE_BOTH);
    g_autoptr(GError) err = NULL;
    int level;
    g_assert_false(
        orr_device_get_gpio_level(both, true, "zero", 0, &level, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_false(
        orr_device_get_gpio_level(both, true, "out", 1, &level, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    unref_dev(both);
    orr_test_assert_no_live_objects();
}

/* --- Connecting and driving ---------------------------------------------- */

static void test_connect_propagates_level(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *dst = new_dev(TYPE_SINK);
    TestSink *sink = (TestSink *)dst;
    const char *in_name = NULL;
    guint in_index = 99;

    connect_ok(src, "irq", 0, dst, "in", 2);
    connect_ok(src, "irq", 1, dst, "in", 0);
    g_assert_true(target_of(src, "irq", 0, &in_name, &in_index) == dst);
    g_assert_cmpstr(in_name, ==, "in");
    g_assert_cmpuint(in_index, ==, 2);

    /* Delivered synchronously, to the mapped line. */
    set_ok(src, "irq", 0, 1);
    g_assert_cmpuint(sink->calls, ==, 1);
    g_assert_cmpuint(sink->last_index, ==, 2);
    g_assert_cmpint(sink->levels[2], ==, 1);
    g_assert_cmpint(level_of(src, true, "irq", 0), ==, 1);
    g_assert_cmpint(level_of(dst, false, "in", 2), ==, 1);

    set_ok(src, "irq", 1, 7);
    g_assert_cmpuint(sink->calls, ==, 2);
    g_assert_cmpuint(sink->last_index, ==, 0);
    g_assert_cmpint(sink->levels[0], ==, 7);
    g_assert_cmpint(sink->levels[2], ==, 1);

    /* An unchanged level is delivered again, as QEMU's qemu_set_irq does. */
    set_ok(src, "irq", 0, 1);
    g_assert_cmpuint(sink->calls, ==, 3);

    /* The connection took no reference. */
    g_assert_cmpuint(orr_object_get_refcount((OrrObject *)dst), ==, 1);
    g_assert_cmpuint(orr_object_get_refcount((OrrObject *)src), ==, 1);

    unref_dev(src);
    unref_dev(dst);
    orr_test_assert_no_live_objects();
}

static void test_set_unconnected(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    guint before = deliveries;
    const char *in_name = "x";
    guint in_index = 5;

    set_ok(src, "irq", 1, 1);
    g_assert_cmpint(level_of(src, true, "irq", 1), ==, 1);
    g_assert_cmpint(level_of(src, true, "irq", 0), ==, 0);
    g_assert_cmpuint(deliveries, ==, before);
    g_assert_null(target_of(src, "irq", 1, &in_name, &in_index));
    g_assert_null(in_name);
    g_assert_cmpuint(in_index, ==, 0);

    unref_dev(src);
    orr_test_assert_no_live_objects();
}

static void test_set_gpio_in_direct(void)
{
    OrrDevice *dst = new_dev(TYPE_SINK);
    TestSink *sink = (TestSink *)dst;
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_device_set_gpio_in(dst, "in", 3, 5, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(sink->calls, ==, 1);
    g_assert_cmpint(sink->levels[3], ==, 5);
    g_assert_cmpint(level_of(dst, false, "in", 3), ==, 5);

    g_assert_false(orr_device_set_gpio_in(dst, "in", 4, 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(orr_device_set_gpio_in(dst, "irq", 0, 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_assert_cmpuint(sink->calls, ==, 1);

    unref_dev(dst);
    orr_test_assert_no_live_objects();
}

/* Every failed connect leaves the existing connection as it was. */
static void test_connect_errors(void)
{
    OrrDevice *src = new_attached(TYPE_SRC, "src");
    OrrDevice *dst = new_attached(TYPE_SINK, "sink");
    OrrDevice *other = new_attached(TYPE_SINK, "other");
    g_autoptr(GError) err = NULL;
    const char *in_name;
    guint in_index;

    connect_ok(src, "irq", 0, dst, "in", 1);

    g_assert_false(
        orr_device_connect_gpio(src, "nope", 0, other, "in", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_assert_cmpstr(err->message, ==,
                    "connect_gpio: device '/src' has no output 'nope'");
    g_clear_error(&err);

    g_assert_false(
        orr_device_connect_gpio(src, "irq", 1, other, "out", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_assert_cmpstr(err->message, ==,
                    "connect_gpio: device '/other' has no input 'out'");
    g_clear_error(&err);

    g_assert_false(
        orr_device_connect_gpio(src, "irq", 2, other, "in", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==,
                    "connect_gpio: device '/src' has no output 'irq[2]' "
                    "('irq' has 2 lines)");
    g_clear_error(&err);

    g_assert_false(
        orr_device_connect_gpio(src, "irq", 1, other, "in", 4, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);

    g_assert_false(orr_device_connect_gpio(src, "", 1, other, "in", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);

    g_assert_false(
        orr_device_connect_gpio(src, "irq", 1, other, NULL, 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);

    g_assert_false(orr_device_connect_gpio(src, "irq", 1, NULL, "in", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);

    g_assert_false(
        orr_device_connect_gpio(src, "irq", 0, other, "in", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_EXISTS);
    g_assert_cmpstr(err->message, ==,
                    "connect_gpio: output 'irq[0]' of '/src' is already "
                    "connected to input 'in[1]' of '/sink'");
    g_clear_error(&err);

    /* Nothing changed: the one connection is as it was, irq[1] is free. */
    g_assert_true(target_of(src, "irq", 0, &in_name, &in_index) == dst);
    g_assert_cmpstr(in_name, ==, "in");
    g_assert_cmpuint(in_index, ==, 1);
    g_assert_null(target_of(src, "irq", 1, NULL, NULL));
    set_ok(src, "irq", 0, 1);
    g_assert_cmpuint(((TestSink *)dst)->calls, ==, 1);
    g_assert_cmpuint(((TestSink *)other)->calls, ==, 0);

    /* The other entry points report the same way. */
    g_assert_false(orr_device_set_gpio(src, "irq", 9, 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(orr_device_set_gpio(NULL, "irq", 0, 1, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(orr_device_disconnect_gpio(src, "in", 0, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_clear_error(&err);
    g_assert_null(orr_device_get_gpio_target(src, "irq", 5, NULL, NULL, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_false(orr_device_get_gpio_level(dst, false, "in", 4, NULL, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_cmpint(level_of(src, true, "irq", 0), ==, 1);

    orr_object_unparent((OrrObject *)src);
    orr_object_unparent((OrrObject *)dst);
    orr_object_unparent((OrrObject *)other);
    orr_test_assert_no_live_objects();
}

static void test_disconnect(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *a = new_dev(TYPE_SINK);
    OrrDevice *b = new_dev(TYPE_SINK);
    g_autoptr(GError) err = NULL;

    connect_ok(src, "irq", 0, a, "in", 0);
    connect_ok(src, "irq", 1, a, "in", 1);
    g_assert_true(orr_device_disconnect_gpio(src, "irq", 0, &err));
    g_assert_no_error(err);
    g_assert_null(target_of(src, "irq", 0, NULL, NULL));
    g_assert_true(target_of(src, "irq", 1, NULL, NULL) == a);

    set_ok(src, "irq", 0, 1);
    g_assert_cmpuint(((TestSink *)a)->calls, ==, 0);

    /* Disconnecting a free line is harmless. */
    g_assert_true(orr_device_disconnect_gpio(src, "irq", 0, &err));
    g_assert_no_error(err);

    /* The line can be connected again, elsewhere. */
    connect_ok(src, "irq", 0, b, "in", 3);
    set_ok(src, "irq", 0, 0);
    g_assert_cmpuint(((TestSink *)b)->calls, ==, 1);
    g_assert_cmpuint(((TestSink *)b)->last_index, ==, 3);

    /* disconnect_all cuts both directions of every line of a device. */
    orr_device_disconnect_all_gpio(a);
    g_assert_null(target_of(src, "irq", 1, NULL, NULL));
    g_assert_true(target_of(src, "irq", 0, NULL, NULL) == b);
    orr_device_disconnect_all_gpio(src);
    g_assert_null(target_of(src, "irq", 0, NULL, NULL));

    unref_dev(src);
    unref_dev(a);
    unref_dev(b);
    orr_test_assert_no_live_objects();
}

/* A device connected to itself: out[0] -> in[1]. */
static void test_connect_self(void)
{
    OrrDevice *dev = new_dev(TYPE_BOTH);
    TestSink *sink = (TestSink *)dev;

    connect_ok(dev, "out", 0, dev, "in", 1);
    /* Its output "in" is not its input "in". */
    connect_ok(dev, "in", 1, dev, "in", 2);
    g_assert_true(target_of(dev, "out", 0, NULL, NULL) == dev);
    g_assert_cmpuint(orr_object_get_refcount((OrrObject *)dev), ==, 1);

    set_ok(dev, "out", 0, 1);
    set_ok(dev, "in", 1, 3);
    g_assert_cmpuint(sink->calls, ==, 2);
    g_assert_cmpint(sink->levels[1], ==, 1);
    g_assert_cmpint(sink->levels[2], ==, 3);

    /* Finalize cuts the self-connections; valgrind checks the rest. */
    unref_dev(dev);
    orr_test_assert_no_live_objects();
}

/* --- Lifetime: either end may die first ----------------------------------- */

static void test_sink_finalized_first(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *dst = new_dev(TYPE_SINK);
    guint before;

    connect_ok(src, "irq", 0, dst, "in", 0);
    connect_ok(src, "irq", 1, dst, "in", 3);
    unref_dev(dst);
    g_assert_cmpuint(orr_live_count(TYPE_SINK), ==, 0);

    before = deliveries;
    set_ok(src, "irq", 0, 1);
    set_ok(src, "irq", 1, 1);
    g_assert_cmpuint(deliveries, ==, before);
    g_assert_null(target_of(src, "irq", 0, NULL, NULL));
    g_assert_null(target_of(src, "irq", 1, NULL, NULL));

    unref_dev(src);
    orr_test_assert_no_live_objects();
}

static void test_source_finalized_first(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *src2 = new_dev(TYPE_SRC);
    OrrDevice *dst = new_dev(TYPE_SINK);

    connect_ok(src, "irq", 0, dst, "in", 0);
    connect_ok(src, "irq", 1, dst, "in", 1);
    connect_ok(src2, "irq", 0, dst, "in", 2);
    unref_dev(src);
    g_assert_cmpuint(orr_live_count(TYPE_SRC), ==, 1);

    /* The sink's other incoming edge still works, and it is still whole. */
    set_ok(src2, "irq", 0, 1);
    g_assert_cmpuint(((TestSink *)dst)->calls, ==, 1);
    g_assert_true(orr_device_set_gpio_in(dst, "in", 0, 1, NULL));
    connect_ok(src2, "irq", 1, dst, "in", 0);

    unref_dev(dst);
    g_assert_null(target_of(src2, "irq", 0, NULL, NULL));
    g_assert_null(target_of(src2, "irq", 1, NULL, NULL));
    unref_dev(src2);
    orr_test_assert_no_live_objects();
}

/* A finalizing source may still drive its lines to a live target. */
static void test_finalizing_source_drives(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *dst = new_dev(TYPE_SINK);

    ((TestSrc *)src)->drive_on_finalize = true;
    connect_ok(src, "irq", 1, dst, "in", 2);
    unref_dev(src);
    g_assert_cmpuint(((TestSink *)dst)->calls, ==, 1);
    g_assert_cmpint(((TestSink *)dst)->levels[2], ==, 1);

    unref_dev(dst);
    orr_test_assert_no_live_objects();
}

/* A child driving its parent while the parent is being finalized: the
 * parent's instance_finalize has run, so it receives nothing. */
static void test_finalizing_target_gets_nothing(void)
{
    OrrDevice *dst = new_dev(TYPE_SINK);
    OrrDevice *src = new_dev(TYPE_SRC);
    guint before;

    g_assert_nonnull(
        orr_object_add_child((OrrObject *)dst, "src", (OrrObject *)src, NULL));
    unref_dev(src);
    ((TestSrc *)src)->drive_on_finalize = true;
    connect_ok(src, "irq", 1, dst, "in", 1);

    before = deliveries;
    unref_dev(dst);
    g_assert_cmpuint(deliveries, ==, before);
    orr_test_assert_no_live_objects();
}

/* Nothing can be connected to or from a device being finalized. */
static void test_connect_finalizing(void)
{
    OrrDevice *dev = new_dev(TYPE_BOTH);

    peer_sink = new_dev(TYPE_SINK);
    peer_src = new_dev(TYPE_SRC);
    ((TestSink *)dev)->connect_on_finalize = true;
    finalize_connect_checked = false;
    unref_dev(dev);
    g_assert_true(finalize_connect_checked);
    g_assert_null(target_of(peer_src, "irq", 0, NULL, NULL));

    g_clear_pointer(&peer_sink, unref_dev);
    g_clear_pointer(&peer_src, unref_dev);
    orr_test_assert_no_live_objects();
}

static void test_unrealize_disconnects(void)
{
    OrrDevice *src = new_attached(TYPE_SRC, "src");
    OrrDevice *a = new_attached(TYPE_BOTH, "a");
    OrrDevice *b = new_attached(TYPE_SINK, "b");
    g_autoptr(GError) err = NULL;
    guint before;

    g_assert_true(orr_device_realize(src, &err));
    g_assert_true(orr_device_realize(a, &err));
    g_assert_true(orr_device_realize(b, &err));
    g_assert_no_error(err);
    connect_ok(src, "irq", 0, a, "in", 0);
    connect_ok(a, "out", 0, b, "in", 0);
    connect_ok(src, "irq", 1, b, "in", 1);

    /* Unrealizing a cuts what comes in and what goes out, nothing else. */
    orr_device_unrealize(a);
    g_assert_null(target_of(src, "irq", 0, NULL, NULL));
    g_assert_null(target_of(a, "out", 0, NULL, NULL));
    g_assert_true(target_of(src, "irq", 1, NULL, NULL) == b);
    before = deliveries;
    set_ok(src, "irq", 0, 1);
    set_ok(a, "out", 0, 1);
    g_assert_cmpuint(deliveries, ==, before);

    /* Unparenting a realized device unrealizes it, which disconnects
     * even while something else keeps it alive. */
    orr_object_ref((OrrObject *)b);
    orr_object_unparent((OrrObject *)b);
    g_assert_false(orr_device_is_realized(b));
    g_assert_null(target_of(src, "irq", 1, NULL, NULL));
    unref_dev(b);

    orr_object_unparent((OrrObject *)a);
    orr_object_unparent((OrrObject *)src);
    orr_test_assert_no_live_objects();
}

/* A failed realize cuts the connections it made, and only those. */
static void test_realize_rollback(void)
{
    OrrDevice *dev = new_dev(TYPE_FAILING);
    g_autoptr(GError) err = NULL;

    peer_sink = new_dev(TYPE_SINK);
    peer_src = new_dev(TYPE_SRC);
    connect_ok(peer_src, "irq", 1, dev, "in", 3);
    connect_ok(dev, "in", 0, peer_sink, "in", 3);

    g_assert_false(orr_device_realize(dev, &err));
    g_assert_error(err, ORR_ERROR, ORR_ERROR_FAILED);
    g_assert_null(target_of(dev, "out", 0, NULL, NULL));
    g_assert_null(target_of(peer_src, "irq", 0, NULL, NULL));
    g_assert_true(target_of(peer_src, "irq", 1, NULL, NULL) == dev);
    g_assert_true(target_of(dev, "in", 0, NULL, NULL) == peer_sink);

    unref_dev(dev);
    g_assert_null(target_of(peer_src, "irq", 1, NULL, NULL));
    g_clear_pointer(&peer_sink, unref_dev);
    g_clear_pointer(&peer_src, unref_dev);
    orr_test_assert_no_live_objects();
}

/* --- Handlers that change the machine ------------------------------------ */

static void hook_disconnect_own_line(TestSink *sink, guint index, int level)
{
    OrrDevice *src = sink->hook_data;

    g_assert_true(orr_device_disconnect_gpio(src, "irq", 0, NULL));
}

static void test_handler_disconnects_own_line(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *dst = new_dev(TYPE_SINK);
    TestSink *sink = (TestSink *)dst;

    sink->hook = hook_disconnect_own_line;
    sink->hook_data = src;
    connect_ok(src, "irq", 0, dst, "in", 0);
    set_ok(src, "irq", 0, 1);
    g_assert_cmpuint(sink->calls, ==, 1);
    g_assert_null(target_of(src, "irq", 0, NULL, NULL));
    set_ok(src, "irq", 0, 0);
    g_assert_cmpuint(sink->calls, ==, 1);

    unref_dev(src);
    unref_dev(dst);
    orr_test_assert_no_live_objects();
}

/* The handler moves the line it is called through to another sink. */
static void hook_move_own_line(TestSink *sink, guint index, int level)
{
    OrrDevice *src = sink->hook_data;

    g_assert_true(orr_device_disconnect_gpio(src, "irq", 0, NULL));
    g_assert_true(
        orr_device_connect_gpio(src, "irq", 0, peer_sink, "in", 2, NULL));
}

static void test_handler_moves_own_line(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *dst = new_dev(TYPE_SINK);

    peer_sink = new_dev(TYPE_SINK);
    ((TestSink *)dst)->hook = hook_move_own_line;
    ((TestSink *)dst)->hook_data = src;
    connect_ok(src, "irq", 0, dst, "in", 0);
    set_ok(src, "irq", 0, 1);
    g_assert_cmpuint(((TestSink *)dst)->calls, ==, 1);
    g_assert_cmpuint(((TestSink *)peer_sink)->calls, ==, 0);
    g_assert_true(target_of(src, "irq", 0, NULL, NULL) == peer_sink);
    set_ok(src, "irq", 0, 0);
    g_assert_cmpuint(((TestSink *)dst)->calls, ==, 1);
    g_assert_cmpuint(((TestSink *)peer_sink)->calls, ==, 1);
    g_assert_cmpuint(((TestSink *)peer_sink)->last_index, ==, 2);

    unref_dev(src);
    unref_dev(dst);
    g_clear_pointer(&peer_sink, unref_dev);
    orr_test_assert_no_live_objects();
}

/* The handler drops the last reference to the source, which is finalized
 * while set_gpio() on it is still running. */
static void hook_drop_source(TestSink *sink, guint index, int level)
{
    OrrDevice *src = g_steal_pointer(&sink->hook_data);

    if (src != NULL) {
        unref_dev(src);
        g_assert_cmpuint(orr_live_count(TYPE_SRC), ==, 0);
    }
}

static void test_handler_drops_source(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *dst = new_dev(TYPE_SINK);
    TestSink *sink = (TestSink *)dst;

    sink->hook = hook_drop_source;
    sink->hook_data = src; /* the hook takes over our reference */
    connect_ok(src, "irq", 1, dst, "in", 1);
    set_ok(src, "irq", 1, 1);
    g_assert_null(sink->hook_data);
    g_assert_cmpuint(sink->calls, ==, 1);
    g_assert_true(orr_device_set_gpio_in(dst, "in", 1, 0, NULL));

    unref_dev(dst);
    orr_test_assert_no_live_objects();
}

/* The handler drops the last outside reference to its own device: the
 * call reference keeps it alive until the handler returns. */
static void hook_drop_self(TestSink *sink, guint index, int level)
{
    OrrObject *self = (OrrObject *)sink;

    g_assert_cmpuint(orr_object_get_refcount(self), ==, 2);
    unref_dev((OrrDevice *)sink);
    g_assert_cmpint(orr_object_get_state(self), ==, ORR_OBJECT_LIVE);
    g_assert_cmpuint(orr_object_get_refcount(self), ==, 1);
    sink->levels[index] = level;
}

static void test_handler_drops_own_device(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *dst = new_dev(TYPE_SINK);

    ((TestSink *)dst)->hook = hook_drop_self;
    connect_ok(src, "irq", 0, dst, "in", 0);
    set_ok(src, "irq", 0, 1);
    g_assert_cmpuint(orr_live_count(TYPE_SINK), ==, 0);
    g_assert_null(target_of(src, "irq", 0, NULL, NULL));

    unref_dev(src);
    orr_test_assert_no_live_objects();
}

/* The handler of a "both" forwards its input to its output. */
static void hook_forward(TestSink *sink, guint index, int level)
{
    GError *err = NULL;

    if (!orr_device_set_gpio((OrrDevice *)sink, "out", 0, level, &err)) {
        int *code = sink->hook_data;
        *code = err->code;
        g_error_free(err);
    }
}

static void test_handler_drives_other_lines(void)
{
    OrrDevice *src = new_dev(TYPE_SRC);
    OrrDevice *mid = new_dev(TYPE_BOTH);
    OrrDevice *end = new_dev(TYPE_SINK);
    int code = -1;

    ((TestSink *)mid)->hook = hook_forward;
    ((TestSink *)mid)->hook_data = &code;
    connect_ok(src, "irq", 0, mid, "in", 0);
    connect_ok(mid, "out", 0, end, "in", 3);
    set_ok(src, "irq", 0, 4);
    g_assert_cmpint(((TestSink *)end)->levels[3], ==, 4);
    g_assert_cmpint(level_of(mid, true, "out", 0), ==, 4);
    g_assert_cmpint(code, ==, -1);

    unref_dev(mid);
    unref_dev(src);
    unref_dev(end);
    orr_test_assert_no_live_objects();
}

/* A line looped back to its own input through a forwarding handler is an
 * error at some depth, not a stack overflow. */
static void test_handler_loop_is_bounded(void)
{
    OrrDevice *dev = new_dev(TYPE_BOTH);
    TestSink *sink = (TestSink *)dev;
    int code = -1;

    sink->hook = hook_forward;
    sink->hook_data = &code;
    connect_ok(dev, "out", 0, dev, "in", 0);
    set_ok(dev, "out", 0, 1);
    g_assert_cmpint(code, ==, ORR_ERROR_CYCLE);
    g_assert_cmpuint(sink->calls, >, 1);

    /* Delivery works again once the loop has unwound. */
    g_assert_true(orr_device_disconnect_gpio(dev, "out", 0, NULL));
    sink->hook = NULL;
    g_assert_true(orr_device_set_gpio_in(dev, "in", 0, 0, NULL));
    g_assert_cmpint(sink->levels[0], ==, 0);

    unref_dev(dev);
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    orr_core_init();
    register_types();

    g_test_add_func("/gpio/declare/inherited-groups", test_declare_inherited);
    g_test_add_func("/gpio/declare/errors", test_declare_errors);
    g_test_add_func("/gpio/connect/propagates-level",
                    test_connect_propagates_level);
    g_test_add_func("/gpio/connect/errors-change-nothing", test_connect_errors);
    g_test_add_func("/gpio/connect/self", test_connect_self);
    g_test_add_func("/gpio/connect/finalizing-device", test_connect_finalizing);
    g_test_add_func("/gpio/set/unconnected", test_set_unconnected);
    g_test_add_func("/gpio/set/input-directly", test_set_gpio_in_direct);
    g_test_add_func("/gpio/disconnect/basic", test_disconnect);
    g_test_add_func("/gpio/lifetime/sink-finalized-first",
                    test_sink_finalized_first);
    g_test_add_func("/gpio/lifetime/source-finalized-first",
                    test_source_finalized_first);
    g_test_add_func("/gpio/lifetime/finalizing-source-drives",
                    test_finalizing_source_drives);
    g_test_add_func("/gpio/lifetime/finalizing-target-gets-nothing",
                    test_finalizing_target_gets_nothing);
    g_test_add_func("/gpio/lifetime/unrealize-disconnects",
                    test_unrealize_disconnects);
    g_test_add_func("/gpio/lifetime/realize-rollback", test_realize_rollback);
    g_test_add_func("/gpio/handler/disconnects-own-line",
                    test_handler_disconnects_own_line);
    g_test_add_func("/gpio/handler/moves-own-line",
                    test_handler_moves_own_line);
    g_test_add_func("/gpio/handler/drops-source", test_handler_drops_source);
    g_test_add_func("/gpio/handler/drops-own-device",
                    test_handler_drops_own_device);
    g_test_add_func("/gpio/handler/drives-other-lines",
                    test_handler_drives_other_lines);
    g_test_add_func("/gpio/handler/loop-is-bounded",
                    test_handler_loop_is_bounded);

    int rc = g_test_run();
    orr_root_shutdown();
    return rc;
}
