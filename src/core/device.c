/*
 * orrery core — the abstract device type: realize, unrealize, rollback of
 * a failed realize, and the detach hooks that cut cross-owner links.
 *
 * Phases (see OrrDevicePhase in device.h), each transition asserted:
 *   orr_device_realize():   NEW|UNREALIZED -> REALIZING -> REALIZED
 *                           (failure: rollback, back to where it started)
 *   orr_device_unrealize(): REALIZED -> UNREALIZING -> UNREALIZED
 */
#include "core-internal.h"

typedef struct DetachHook {
    OrrDeviceDetachFn fn;
    void *data;
} DetachHook;

static GArray *detach_hooks; /* DetachHook, process-wide */

void orr_device_add_detach_hook(OrrDeviceDetachFn fn, void *data)
{
    DetachHook h = {.fn = fn, .data = data};

    if (detach_hooks == NULL) {
        detach_hooks = g_array_new(FALSE, FALSE, sizeof(DetachHook));
    }
    g_array_append_val(detach_hooks, h);
}

static void run_detach_hooks(OrrDevice *dev, guint64 since)
{
    for (guint i = 0; detach_hooks && i < detach_hooks->len; i++) {
        DetachHook *h = &g_array_index(detach_hooks, DetachHook, i);
        h->fn(dev, since, h->data);
    }
}

OrrDevicePhase orr_device_get_phase(const OrrDevice *dev)
{
    return dev->dpriv->phase;
}

bool orr_device_is_realized(const OrrDevice *dev)
{
    return dev->dpriv->phase == ORR_DEVICE_REALIZED;
}

/* --- Realize ------------------------------------------------------------ */

static bool check_can_realize(OrrDevice *dev, GError **errp)
{
    OrrObject *obj = (OrrObject *)dev;
    OrrDevicePhase phase = dev->dpriv->phase;
    const char *why = NULL;

    if (orr_object_get_state(obj) == ORR_OBJECT_FINALIZING) {
        why = "it is being finalized";
    } else if (phase == ORR_DEVICE_REALIZED) {
        why = "it is already realized";
    } else if (phase == ORR_DEVICE_REALIZING ||
               phase == ORR_DEVICE_UNREALIZING) {
        why = "it is changing phase";
    }
    if (why != NULL) {
        g_autofree char *what = orr_object_describe(obj);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_STATE,
                    "realize: cannot realize '%s': %s", what, why);
        return false;
    }
    return true;
}

/* Removes what a failed realize added since @since. */
static void rollback(OrrDevice *dev, guint64 since)
{
    orr__object_remove_properties_since((OrrObject *)dev, since);
    orr__gpio_disconnect_since(dev, since);
    run_detach_hooks(dev, since);
}

bool orr_device_realize(OrrDevice *dev, GError **errp)
{
    OrrDeviceClass *dc = (OrrDeviceClass *)((OrrObject *)dev)->klass;
    g_autoptr(GError) err = NULL;

    if (!check_can_realize(dev, errp)) {
        return false;
    }
    OrrDevicePhase from = dev->dpriv->phase;
    guint64 since = orr_serial_next();
    OrrObject *held = orr__object_hold_for_call((OrrObject *)dev);

    dev->dpriv->phase = ORR_DEVICE_REALIZING;
    bool ok = dc->realize == NULL || dc->realize(dev, &err);
    g_assert(dev->dpriv->phase == ORR_DEVICE_REALIZING);
    if (ok) {
        dev->dpriv->phase = ORR_DEVICE_REALIZED;
    } else {
        rollback(dev, since);
        dev->dpriv->phase = from;
        g_autofree char *what = orr_object_describe((OrrObject *)dev);
        if (err == NULL) {
            g_set_error(errp, ORR_ERROR, ORR_ERROR_FAILED,
                        "realize: '%s' failed without a reason", what);
        } else {
            g_propagate_prefixed_error(errp, g_steal_pointer(&err),
                                       "realize: '%s': ", what);
        }
    }
    orr__object_release_call(held);
    return ok;
}

/* --- Unrealize ---------------------------------------------------------- */

/* The child<> edge to the newest child device added before the edge
 * numbered @bound (NOREF: @dev's table holds it; we return before anything
 * can run). */
static OrrProperty *newest_device_edge_before(OrrDevice *dev, guint64 bound)
{
    GPtrArray *props = ((OrrObject *)dev)->priv->props;

    for (guint i = props->len; i-- > 0;) {
        OrrProperty *prop = props->pdata[i];

        if (prop->type == ORR_PROP_CHILD && prop->serial < bound &&
            orr_object_is_a(prop->child, ORR_TYPE_DEVICE)) {
            return prop;
        }
    }
    return NULL;
}

/* Unrealizes the child devices, newest first. Any hook may unparent a
 * child or a sibling, so the next child is looked up afresh each time,
 * below the edge last visited. */
static void unrealize_children(OrrDevice *dev)
{
    guint64 bound = G_MAXUINT64;
    OrrProperty *edge;

    while ((edge = newest_device_edge_before(dev, bound)) != NULL) {
        bound = edge->serial;
        orr_device_unrealize((OrrDevice *)edge->child);
    }
}

void orr_device_unrealize(OrrDevice *dev)
{
    OrrDeviceClass *dc = (OrrDeviceClass *)((OrrObject *)dev)->klass;

    if (dev->dpriv->phase != ORR_DEVICE_REALIZED) {
        return;
    }
    OrrObject *held = orr__object_hold_for_call((OrrObject *)dev);
    dev->dpriv->phase = ORR_DEVICE_UNREALIZING;
    unrealize_children(dev);
    if (dc->unrealize != NULL) {
        dc->unrealize(dev);
    }
    orr__gpio_disconnect_since(dev, 0);
    run_detach_hooks(dev, 0);
    g_assert(dev->dpriv->phase == ORR_DEVICE_UNREALIZING);
    dev->dpriv->phase = ORR_DEVICE_UNREALIZED;
    orr__object_release_call(held);
}

void orr__device_finalize_prepare(OrrDevice *dev)
{
    g_assert(orr_object_get_state((OrrObject *)dev) == ORR_OBJECT_FINALIZING);
    orr_device_unrealize(dev);
}

/* --- The device type ---------------------------------------------------- */

static bool realized_get(OrrObject *obj, const OrrProperty *prop, OrrValue *out,
                         GError **errp)
{
    orr_value_set_bool(out, orr_device_is_realized((OrrDevice *)obj));
    return true;
}

static bool realized_set(OrrObject *obj, const OrrProperty *prop,
                         const OrrValue *in, GError **errp)
{
    OrrDevice *dev = (OrrDevice *)obj;

    if (in->b == orr_device_is_realized(dev)) {
        return true;
    }
    if (in->b) {
        return orr_device_realize(dev, errp);
    }
    orr_device_unrealize(dev);
    return true;
}

static void device_class_base_init(OrrObjectClass *klass, const void *data)
{
    OrrDeviceClass *dc = (OrrDeviceClass *)klass;

    /* The device class itself was copied from the object class, which is
     * smaller: the copy left these fields zero. */
    if (klass->type == orr_type_lookup(ORR_TYPE_DEVICE)) {
        dc->dcpriv = NULL;
    }
    orr__gpio_class_base_init(dc);
}

static void device_class_init(OrrObjectClass *klass, const void *data)
{
    static const OrrPropertyDef realized = {
        .name = "realized",
        .type = ORR_PROP_BOOL,
        .description = "whether the device is part of the running machine",
        .get = realized_get,
        .set = realized_set,
    };

    orr_class_add_property(klass, &realized, NULL);
}

/* Weak notify on the device itself: the device state is freed after its
 * children and properties, so that it stays valid while they go. */
static void device_release_state(OrrObject *obj, void *data)
{
    OrrDevice *dev = (OrrDevice *)obj;

    g_assert(dev->dpriv->phase != ORR_DEVICE_REALIZED);
    orr__gpio_instance_finalize(dev);
    g_clear_pointer(&dev->dpriv, g_free);
}

static void device_instance_init(OrrObject *obj)
{
    OrrDevice *dev = (OrrDevice *)obj;

    dev->dpriv = g_new0(OrrDevicePrivate, 1);
    dev->dpriv->phase = ORR_DEVICE_NEW;
    orr__gpio_instance_init(dev);
    orr_object_weak_ref(obj, device_release_state, NULL);
}

void orr__device_register_types(void)
{
    static const OrrTypeInfo device = {
        .name = ORR_TYPE_DEVICE,
        .abstract = true,
        .instance_size = sizeof(OrrDevice),
        .class_size = sizeof(OrrDeviceClass),
        .class_base_init = device_class_base_init,
        .class_init = device_class_init,
        .instance_init = device_instance_init,
    };

    orr_type_register(&device, NULL);
}
