/*
 * orrery — typed properties: instance and class properties, child<> and
 * link<> edges, typed and string accessors, iteration and deletion.
 */
#ifndef ORRERY_PROPERTY_H
#define ORRERY_PROPERTY_H

#include <stdbool.h>
#include <glib.h>
#include "orrery/object.h"
#include "orrery/value.h"

G_BEGIN_DECLS

/**
 * OrrPropType:
 *
 * The type of a property. Values travel as #OrrValue: BOOL as
 * %ORR_VALUE_BOOL, INT as %ORR_VALUE_INT, UINT as %ORR_VALUE_UINT, STRING
 * and ENUM as %ORR_VALUE_STRING, CHILD and LINK as %ORR_VALUE_OBJECT (or
 * %ORR_VALUE_NONE for an empty link).
 */
typedef enum {
    ORR_PROP_BOOL,
    ORR_PROP_INT,
    ORR_PROP_UINT,
    ORR_PROP_STRING,
    ORR_PROP_ENUM,
    ORR_PROP_CHILD,
    ORR_PROP_LINK,
} OrrPropType;

/**
 * OrrPropFlags:
 * @ORR_PROP_READONLY: orr_object_set() refuses it.
 * @ORR_PROP_LINK_WEAK: a link that never takes a reference; it is
 *   cleared when its target is finalized.
 */
typedef enum {
    ORR_PROP_READONLY = 1 << 0,
    ORR_PROP_LINK_WEAK = 1 << 1,
} OrrPropFlags;

typedef struct OrrProperty OrrProperty;

/**
 * OrrPropGetFn:
 * @obj: the object (transfer none).
 * @prop: the property.
 * @out: an initialized, empty value to fill.
 * @errp: return location for an error.
 *
 * Returns: whether @out was filled.
 */
typedef bool (*OrrPropGetFn)(OrrObject *obj, const OrrProperty *prop,
                             OrrValue *out, GError **errp);

/**
 * OrrPropSetFn:
 * @in: the new value, already checked against the property's type (for
 *   ENUM, one of its values). Borrowed.
 *
 * Returns: whether the value was accepted; on failure nothing changed.
 */
typedef bool (*OrrPropSetFn)(OrrObject *obj, const OrrProperty *prop,
                             const OrrValue *in, GError **errp);

/**
 * OrrPropReleaseFn:
 *
 * Runs when an instance property is deleted, or, for a class property,
 * when an object having it is finalized. Must not fail.
 */
typedef void (*OrrPropReleaseFn)(OrrObject *obj, const OrrProperty *prop);

/**
 * OrrPropertyDef:
 * @name: the property name (copied): letters, digits, `-`, `_`, `.`, `[`,
 *   `]` (QEMU-style region names such as "pc.ram" are valid).
 * @type: BOOL, INT, UINT, STRING or ENUM (use orr_object_add_child() and
 *   the link functions for the others).
 * @description: (nullable): one line for help texts (copied).
 * @enum_values: for ENUM, NULL-terminated allowed names (copied).
 * @default_value: the initial value of a stored property.
 * @get: (nullable): accessor; NULL with @set NULL makes a stored property
 *   whose value the core keeps per instance, starting at @default_value.
 * @set: (nullable): accessor; NULL with @get given makes it read-only.
 * @release: (nullable): see #OrrPropReleaseFn.
 * @opaque: for the accessors, see orr_property_get_opaque().
 * @flags: #OrrPropFlags.
 */
typedef struct OrrPropertyDef {
    const char *name;
    OrrPropType type;
    const char *description;
    const char *const *enum_values;
    OrrValue default_value;
    OrrPropGetFn get;
    OrrPropSetFn set;
    OrrPropReleaseFn release;
    void *opaque;
    unsigned flags;
} OrrPropertyDef;

/**
 * orr_object_add_property:
 * @obj: a live object.
 * @def: (transfer none): the definition (copied).
 * @errp: return location for an error.
 *
 * Adds an instance property. Fails when the name is taken (by an
 * instance or class property) or the definition is inconsistent.
 *
 * Returns: (transfer none) (nullable): the property, or NULL on error.
 */
const OrrProperty *orr_object_add_property(OrrObject *obj,
                                           const OrrPropertyDef *def,
                                           GError **errp);

/**
 * orr_class_add_property:
 *
 * Adds a class property: every instance of the class and its subclasses
 * has it. Call from `class_init`. Fails when a class property of that
 * name exists in the class or an ancestor.
 */
const OrrProperty *orr_class_add_property(OrrObjectClass *klass,
                                          const OrrPropertyDef *def,
                                          GError **errp);

/**
 * orr_object_add_link:
 * @obj: a live object.
 * @name: the property name.
 * @target_type: the type every target must be or derive from.
 * @flags: %ORR_PROP_LINK_WEAK, %ORR_PROP_READONLY or 0.
 * @errp: return location for an error.
 *
 * Adds an empty instance link<@target_type> property. Setting it makes an
 * edge classified when it is made: if the target's lifetime unit is @obj's
 * lifetime unit or one of its ancestors, or the link is weak, the edge is
 * non-owning (no reference; cleared when the target is finalized);
 * otherwise it is owning and holds one %ORR_HOLDER_LINK reference.
 */
const OrrProperty *orr_object_add_link(OrrObject *obj, const char *name,
                                       const char *target_type, unsigned flags,
                                       GError **errp);

/** orr_class_add_link: the class-property form of orr_object_add_link(). */
const OrrProperty *orr_class_add_link(OrrObjectClass *klass, const char *name,
                                      const char *target_type, unsigned flags,
                                      GError **errp);

/**
 * orr_object_find_property:
 * Returns: (transfer none) (nullable): the instance or class property
 *   named @name.
 */
const OrrProperty *orr_object_find_property(OrrObject *obj, const char *name);

/**
 * orr_object_delete_property:
 * @obj: an object.
 * @name: an instance property.
 * @errp: return location for an error.
 *
 * Deletes an instance property, running its release (for a child<>, this
 * unparents the child). Safe while the properties are being iterated or
 * torn down: the iterator skips it. Class properties cannot be deleted.
 */
bool orr_object_delete_property(OrrObject *obj, const char *name,
                                GError **errp);

/**
 * orr_object_get:
 * @out: an initialized value; it is cleared first.
 *
 * Reads a property. Errors name the property and the object.
 */
bool orr_object_get(OrrObject *obj, const char *name, OrrValue *out,
                    GError **errp);

/**
 * orr_object_set:
 * @in: the value (borrowed). INT and UINT convert into each other when the
 *   number fits; ENUM takes a STRING naming one of its values; LINK takes
 *   an OBJECT or NONE.
 *
 * Writes a property. Fails, changing nothing, on a type mismatch, a value
 * out of range, an unknown enum name (the message names the property and
 * the value), a read-only or child<> property, or a finalizing object.
 */
bool orr_object_set(OrrObject *obj, const char *name, const OrrValue *in,
                    GError **errp);

/**
 * orr_object_set_from_string:
 * @text: `true`/`false`/`on`/`off`/`yes`/`no` for bool, a decimal or
 *   0x-hex number for int/uint, the string itself for string and enum, a
 *   path (see orr_object_resolve_path()) for a link, empty for no link.
 */
bool orr_object_set_from_string(OrrObject *obj, const char *name,
                                const char *text, GError **errp);

/**
 * orr_object_get_as_string:
 * Returns: (transfer full) (nullable): the value formatted as by
 *   orr_value_to_string(), or NULL on error.
 */
char *orr_object_get_as_string(OrrObject *obj, const char *name, GError **errp);

/* Typed accessors. Each fails if the property has another type. */
bool orr_object_get_bool(OrrObject *obj, const char *name, bool *out,
                         GError **errp);
bool orr_object_set_bool(OrrObject *obj, const char *name, bool value,
                         GError **errp);
bool orr_object_get_int(OrrObject *obj, const char *name, int64_t *out,
                        GError **errp);
bool orr_object_set_int(OrrObject *obj, const char *name, int64_t value,
                        GError **errp);
bool orr_object_get_uint(OrrObject *obj, const char *name, uint64_t *out,
                         GError **errp);
bool orr_object_set_uint(OrrObject *obj, const char *name, uint64_t value,
                         GError **errp);
/** orr_object_get_str: for string and enum; @out is (transfer full). */
bool orr_object_get_str(OrrObject *obj, const char *name, char **out,
                        GError **errp);
bool orr_object_set_str(OrrObject *obj, const char *name, const char *value,
                        GError **errp);
/**
 * orr_object_get_link:
 * Returns: (transfer none) (nullable): the target of a link<> or child<>
 *   property, or NULL (with @errp set only on error).
 */
OrrObject *orr_object_get_link(OrrObject *obj, const char *name, GError **errp);
/** orr_object_set_link: @target may be NULL to clear the link. */
bool orr_object_set_link(OrrObject *obj, const char *name, OrrObject *target,
                         GError **errp);

/* --- Property metadata ------------------------------------------------ */

const char *orr_property_get_name(const OrrProperty *prop);
OrrPropType orr_property_get_type(const OrrProperty *prop);
/**
 * orr_property_get_type_name:
 * Returns: (transfer none): "bool", "int", "uint", "string", "enum",
 *   "child<T>" or "link<T>".
 */
const char *orr_property_get_type_name(const OrrProperty *prop);
/** orr_property_get_target_type: the T of child<T>/link<T>, else NULL. */
const char *orr_property_get_target_type(const OrrProperty *prop);
/** orr_property_get_enum_values: NULL-terminated, or NULL if not ENUM. */
const char *const *orr_property_get_enum_values(const OrrProperty *prop);
const char *orr_property_get_description(const OrrProperty *prop);
void *orr_property_get_opaque(const OrrProperty *prop);
bool orr_property_is_readonly(const OrrProperty *prop);
/** orr_property_is_class: whether it is a class property. */
bool orr_property_is_class(const OrrProperty *prop);
/** orr_property_type_name: Returns: the name of a #OrrPropType. */
const char *orr_prop_type_name(OrrPropType type);

/* --- Iteration -------------------------------------------------------- */

/**
 * OrrPropertyIter:
 *
 * Iterates properties, each name once: class properties (most-derived
 * class first, each class in order of addition), then instance properties
 * in order of addition. Properties deleted during the iteration are
 * skipped; ones added during it may or may not be seen. Declare with
 * g_auto(OrrPropertyIter) or call orr_property_iter_clear().
 */
typedef struct OrrPropertyIter {
    /*< private >*/
    GPtrArray *snapshot;
    guint next;
} OrrPropertyIter;

/** orr_property_iter_init: all properties of @obj. */
void orr_property_iter_init(OrrPropertyIter *iter, OrrObject *obj);
/** orr_class_property_iter_init: the class properties of @klass. */
void orr_class_property_iter_init(OrrPropertyIter *iter, OrrObjectClass *klass);
/**
 * orr_property_iter_next:
 * Returns: (transfer none) (nullable): the next property, NULL at the end.
 */
const OrrProperty *orr_property_iter_next(OrrPropertyIter *iter);
/** orr_property_iter_clear: releases the iterator; safe to call twice. */
void orr_property_iter_clear(OrrPropertyIter *iter);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(OrrPropertyIter, orr_property_iter_clear)

G_END_DECLS

#endif /* ORRERY_PROPERTY_H */
