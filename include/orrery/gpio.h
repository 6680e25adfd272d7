/*
 * orrery — GPIO/IRQ lines between devices.
 */
#ifndef ORRERY_GPIO_H
#define ORRERY_GPIO_H

#include <stdbool.h>
#include <glib.h>
#include "orrery/device.h"

G_BEGIN_DECLS

/**
 * OrrGpioHandler:
 * @dev: the device owning the input line (transfer none; it holds an
 *   %ORR_HOLDER_CALL reference for the duration).
 * @index: the line's index within its group.
 * @level: the new level.
 * @opaque: the opaque given to orr_device_class_add_gpio_in().
 *
 * Called synchronously when a connected output changes level, or when
 * orr_device_set_gpio_in() drives the input directly. It may drive other
 * lines.
 */
typedef void (*OrrGpioHandler)(OrrDevice *dev, guint index, int level,
                               void *opaque);

/**
 * orr_device_class_add_gpio_in:
 * @dc: a device class being initialized.
 * @name: the group name, unique among the class's input groups.
 * @count: the number of lines (>= 1).
 * @handler: called when a line changes.
 * @opaque: for @handler.
 *
 * Declares a group of input lines on every instance of the class.
 */
bool orr_device_class_add_gpio_in(OrrDeviceClass *dc, const char *name,
                                  guint count, OrrGpioHandler handler,
                                  void *opaque, GError **errp);

/**
 * orr_device_class_add_gpio_out:
 *
 * Declares a group of @count output lines, each connectable to one input.
 */
bool orr_device_class_add_gpio_out(OrrDeviceClass *dc, const char *name,
                                   guint count, GError **errp);

/**
 * orr_device_connect_gpio:
 * @src: the device owning the output.
 * @out: output group name; @out_index its line.
 * @dst: the device owning the input (may be @src).
 * @in: input group name; @in_index its line.
 * @errp: return location for an error.
 *
 * Connects an output line to an input line. The connection is a
 * non-owning edge: it takes no reference, and it is cut when either device
 * is unrealized or finalized. Fails, changing nothing, on an unknown name
 * or index, an output that is already connected, or a finalizing device.
 */
bool orr_device_connect_gpio(OrrDevice *src, const char *out, guint out_index,
                             OrrDevice *dst, const char *in, guint in_index,
                             GError **errp);

/** orr_device_disconnect_gpio: cuts the connection of one output line. */
bool orr_device_disconnect_gpio(OrrDevice *src, const char *out,
                                guint out_index, GError **errp);

/**
 * orr_device_get_gpio_target:
 * @in_name: (out) (optional) (transfer none): the input group's name.
 * @in_index: (out) (optional): the input line.
 *
 * Returns: (transfer none) (nullable): the device an output line is
 *   connected to, or NULL (with @errp set only on a bad name or index).
 */
OrrDevice *orr_device_get_gpio_target(OrrDevice *src, const char *out,
                                      guint out_index, const char **in_name,
                                      guint *in_index, GError **errp);

/**
 * orr_device_set_gpio:
 *
 * Drives output line @out[@index] to @level and delivers it, synchronously,
 * to the connected input, if any.
 */
bool orr_device_set_gpio(OrrDevice *dev, const char *out, guint index,
                         int level, GError **errp);

/** orr_device_set_gpio_in: drives an input line as if a source had. */
bool orr_device_set_gpio_in(OrrDevice *dev, const char *in, guint index,
                            int level, GError **errp);

/**
 * orr_device_get_gpio_level:
 * @is_output: whether @name is an output group.
 * @level: (out): the last level driven on that line (0 initially).
 */
bool orr_device_get_gpio_level(OrrDevice *dev, bool is_output, const char *name,
                               guint index, int *level, GError **errp);

/**
 * orr_device_disconnect_all_gpio:
 *
 * Cuts every connection from or to @dev. Done automatically at unrealize
 * and finalize.
 */
void orr_device_disconnect_all_gpio(OrrDevice *dev);

G_END_DECLS

#endif /* ORRERY_GPIO_H */
