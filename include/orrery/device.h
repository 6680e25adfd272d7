/*
 * orrery — devices: objects with a realize phase.
 */
#ifndef ORRERY_DEVICE_H
#define ORRERY_DEVICE_H

#include <stdbool.h>
#include <glib.h>
#include "orrery/object.h"

G_BEGIN_DECLS

/** ORR_TYPE_DEVICE: the abstract device type. */
#define ORR_TYPE_DEVICE "device"

typedef struct OrrDevice OrrDevice;
typedef struct OrrDeviceClass OrrDeviceClass;
typedef struct OrrDevicePrivate OrrDevicePrivate;

/**
 * OrrDevicePhase:
 *
 * ```
 *   NEW --realize--> REALIZING --ok--> REALIZED --unrealize--> UNREALIZING
 *    ^                  |                                          |
 *    |               failure: rollback                             v
 *    +------------------+----------------------------------- UNREALIZED
 *                                    (UNREALIZED --realize--> REALIZING)
 * ```
 * A failed realize returns to the phase it started from. The object
 * lifecycle (#OrrObjectState) runs alongside: a device is unrealized
 * before it is unparented, and it can only be finalized unrealized.
 */
typedef enum {
    ORR_DEVICE_NEW,
    ORR_DEVICE_REALIZING,
    ORR_DEVICE_REALIZED,
    ORR_DEVICE_UNREALIZING,
    ORR_DEVICE_UNREALIZED,
} OrrDevicePhase;

/**
 * OrrDevice:
 *
 * The instance header of every device.
 */
struct OrrDevice {
    OrrObject parent_obj;
    /*< private >*/
    OrrDevicePrivate *dpriv;
};

/**
 * OrrDeviceClass:
 * @realize: (nullable): brings the device into the running machine. On
 *   failure it sets @errp and returns false; the core then removes every
 *   child, property and GPIO connection the attempt added and runs the
 *   detach hooks, so the hook need not clean up after itself. A subclass
 *   that overrides it calls the saved parent hook itself.
 * @unrealize: (nullable): takes the device out; cannot fail. After it the
 *   core disconnects the device's GPIO lines and runs the detach hooks.
 */
struct OrrDeviceClass {
    OrrObjectClass parent_class;
    bool (*realize)(OrrDevice *dev, GError **errp);
    void (*unrealize)(OrrDevice *dev);
    /*< private >*/
    struct OrrDeviceClassPrivate *dcpriv;
};

#define ORR_DEVICE(obj) ORR_OBJECT_CHECK(OrrDevice, (obj), ORR_TYPE_DEVICE)
#define ORR_DEVICE_CLASS(klass)                                                \
    ((OrrDeviceClass *)orr__class_check_cast((OrrObjectClass *)(klass),        \
                                             ORR_TYPE_DEVICE))
OrrObjectClass *orr__class_check_cast(OrrObjectClass *klass,
                                      const char *type_name);

/**
 * orr_device_realize:
 * @dev: an unrealized device that is not finalizing.
 * @errp: return location for an error.
 *
 * Realizes @dev (the `realized` property does the same). Fails with
 * %ORR_ERROR_STATE when already realized, and with the hook's error,
 * rolled back, when the hook fails.
 */
bool orr_device_realize(OrrDevice *dev, GError **errp);

/**
 * orr_device_unrealize:
 * @dev: a device; an unrealized one is left as it is.
 *
 * Unrealizes the realized child devices of @dev (reverse order of
 * addition), runs the class hook, disconnects every GPIO line of @dev, and
 * runs the detach hooks so that no link between @dev and another part of
 * the machine survives.
 */
void orr_device_unrealize(OrrDevice *dev);

/** orr_device_is_realized: Returns: whether @dev is REALIZED. */
bool orr_device_is_realized(const OrrDevice *dev);

/** orr_device_get_phase: Returns: the #OrrDevicePhase of @dev. */
OrrDevicePhase orr_device_get_phase(const OrrDevice *dev);

/**
 * OrrDeviceDetachFn:
 * @dev: the device leaving the machine (transfer none).
 * @since: 0 on unrealize: cut every such edge; on a failed realize's
 *   rollback, the creation serial at which the attempt started: cut only
 *   edges made after it (compare with orr_serial_next()).
 * @data: the data given to orr_device_add_detach_hook().
 *
 * Removes every edge between @dev (or what it owns) and objects that
 * belong to other owners. Must not fail and must not unparent @dev.
 */
typedef void (*OrrDeviceDetachFn)(OrrDevice *dev, guint64 since, void *data);

/**
 * orr_serial_next:
 *
 * Advances and returns a process-wide counter. Every object, property and
 * connection is stamped with it when made; layers above stamp their edges
 * too, so that a failed realize can remove exactly what it added.
 *
 * Returns: a value greater than every value returned before.
 */
guint64 orr_serial_next(void);

/**
 * orr_device_add_detach_hook:
 *
 * Registers a process-wide detach hook; the layers above the core (the
 * memory API) use it to cut cross-owner mappings. Hooks run in order of
 * registration.
 */
void orr_device_add_detach_hook(OrrDeviceDetachFn fn, void *data);

G_END_DECLS

#endif /* ORRERY_DEVICE_H */
