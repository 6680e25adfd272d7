/*
 * orrery — the error domain shared by every layer.
 */
#ifndef ORRERY_ERROR_H
#define ORRERY_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

/**
 * ORR_ERROR:
 *
 * The #GError domain of every error orrery reports. Messages name the
 * operation, then what was wrong and why, e.g.
 * `add_child: '/machine' already has a child named 'uart0'`. The Lua
 * binding prefixes them with `orrery: `.
 */
#define ORR_ERROR (orr_error_quark())

/**
 * OrrErrorCode:
 * @ORR_ERROR_INVALID: an argument is malformed or out of range.
 * @ORR_ERROR_NOT_FOUND: a named type, property, method, path or line does
 *   not exist.
 * @ORR_ERROR_EXISTS: the name is already taken.
 * @ORR_ERROR_TYPE: a value or object has the wrong type.
 * @ORR_ERROR_STATE: the object is in the wrong lifecycle state for the
 *   operation (finalizing, realized, not realized, detached...).
 * @ORR_ERROR_CYCLE: the operation would create a containment or alias cycle.
 * @ORR_ERROR_READONLY: the property or region cannot be written.
 * @ORR_ERROR_FAILED: a hook (realize, a Lua function...) reported failure.
 */
typedef enum {
    ORR_ERROR_INVALID,
    ORR_ERROR_NOT_FOUND,
    ORR_ERROR_EXISTS,
    ORR_ERROR_TYPE,
    ORR_ERROR_STATE,
    ORR_ERROR_CYCLE,
    ORR_ERROR_READONLY,
    ORR_ERROR_FAILED,
} OrrErrorCode;

/**
 * orr_error_quark:
 *
 * Returns: the quark of the %ORR_ERROR domain.
 */
GQuark orr_error_quark(void);

G_END_DECLS

#endif /* ORRERY_ERROR_H */
