/*
 * orrery — tagged values passed to properties and reflected methods.
 */
#ifndef ORRERY_VALUE_H
#define ORRERY_VALUE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "orrery/type.h"

G_BEGIN_DECLS

/**
 * OrrValueType:
 * @ORR_VALUE_NONE: no value (a void return, a cleared link).
 * @ORR_VALUE_BOOL: @b.
 * @ORR_VALUE_INT: @i, signed 64-bit.
 * @ORR_VALUE_UINT: @u, unsigned 64-bit.
 * @ORR_VALUE_DOUBLE: @d.
 * @ORR_VALUE_STRING: @s, owned by the value (enum values are strings).
 * @ORR_VALUE_OBJECT: @o, borrowed: the value holds no reference.
 */
typedef enum {
    ORR_VALUE_NONE,
    ORR_VALUE_BOOL,
    ORR_VALUE_INT,
    ORR_VALUE_UINT,
    ORR_VALUE_DOUBLE,
    ORR_VALUE_STRING,
    ORR_VALUE_OBJECT,
} OrrValueType;

/**
 * OrrValue:
 *
 * A tagged value. A string is owned by the value and freed by
 * orr_value_clear(); an object pointer is borrowed (NOREF), valid only
 * while whatever produced it keeps the object alive. Initialize with
 * %ORR_VALUE_INIT; declare with g_auto(OrrValue) to clear on scope exit.
 */
typedef struct OrrValue {
    OrrValueType type;
    union {
        bool b;
        int64_t i;
        uint64_t u;
        double d;
        char *s;
        OrrObject *o;
    };
} OrrValue;

#define ORR_VALUE_INIT                                                         \
    {                                                                          \
        .type = ORR_VALUE_NONE                                                 \
    }

/** orr_value_clear: frees what @v owns and resets it to NONE. */
void orr_value_clear(OrrValue *v);

/** orr_value_set_bool: clears @v and stores @b. */
void orr_value_set_bool(OrrValue *v, bool b);
/** orr_value_set_int: clears @v and stores @i. */
void orr_value_set_int(OrrValue *v, int64_t i);
/** orr_value_set_uint: clears @v and stores @u. */
void orr_value_set_uint(OrrValue *v, uint64_t u);
/** orr_value_set_double: clears @v and stores @d. */
void orr_value_set_double(OrrValue *v, double d);
/** orr_value_set_string: clears @v and stores a copy of @s (nullable). */
void orr_value_set_string(OrrValue *v, const char *s);
/**
 * orr_value_take_string: clears @v and stores @s.
 * @s: (transfer full) (nullable): the string.
 */
void orr_value_take_string(OrrValue *v, char *s);
/** orr_value_set_object: clears @v and stores @o (transfer none, NOREF). */
void orr_value_set_object(OrrValue *v, OrrObject *o);

/** orr_value_copy: clears @dst and copies @src into it (strings duplicated). */
void orr_value_copy(OrrValue *dst, const OrrValue *src);

/** orr_value_equal: Returns: whether @a and @b have equal type and content. */
bool orr_value_equal(const OrrValue *a, const OrrValue *b);

/** orr_value_type_name: Returns: (transfer none): "bool", "int"... */
const char *orr_value_type_name(OrrValueType type);

/**
 * orr_value_to_string:
 * @v: a value.
 *
 * Formats @v for display: `true`, `-3`, `42`, the string itself, an
 * object's canonical path (or `<detached TYPE>`), `<none>`.
 *
 * Returns: (transfer full): the text.
 */
char *orr_value_to_string(const OrrValue *v);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(OrrValue, orr_value_clear)

G_END_DECLS

#endif /* ORRERY_VALUE_H */
