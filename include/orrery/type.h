/*
 * orrery — the type registry: named types, classes, interfaces and casts.
 */
#ifndef ORRERY_TYPE_H
#define ORRERY_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct OrrType OrrType;
typedef struct OrrObject OrrObject;
typedef struct OrrObjectClass OrrObjectClass;
typedef struct OrrInterfaceClass OrrInterfaceClass;
typedef struct OrrClassPrivate OrrClassPrivate;

/** ORR_TYPE_OBJECT: the root of every type hierarchy. */
#define ORR_TYPE_OBJECT "object"
/** ORR_TYPE_INTERFACE: the abstract parent of every interface type. */
#define ORR_TYPE_INTERFACE "interface"

/**
 * OrrObjectClass:
 * @type: the type this class belongs to (transfer none; types and classes
 *   live until the process exits).
 * @unparent: optional hook run by orr_object_unparent() after the device
 *   phase and before the parent drops its reference. It may delete
 *   properties of the object or of its parent; it must not free @obj.
 * @lifetime_unit: returns the object whose reference count governs the
 *   lifetime of @obj. The default returns @obj itself; a memory region
 *   with an owner returns the owner. Must be constant over the object's
 *   life.
 *
 * The class structure every class structure starts with. Classes are
 * created when the type is first used, copied from the parent's class,
 * then passed to each ancestor's `class_base_init` and to the type's own
 * `class_init`.
 */
struct OrrObjectClass {
    OrrType *type;
    void (*unparent)(OrrObject *obj);
    OrrObject *(*lifetime_unit)(OrrObject *obj);
    /*< private >*/
    OrrClassPrivate *priv;
};

/**
 * OrrInterfaceClass:
 * @parent_class: the class header.
 * @concrete_class: the class that implements the interface (transfer none).
 * @interface_type: the interface type (transfer none).
 *
 * Each class that implements an interface owns one interface class: a copy
 * of the interface's defaults, overridden by the implementing class's
 * `class_init`, and inherited (copied) by its subclasses. Interface class
 * structures start with this header.
 */
struct OrrInterfaceClass {
    OrrObjectClass parent_class;
    OrrObjectClass *concrete_class;
    OrrType *interface_type;
};

/**
 * OrrClassInitFn:
 * @klass: the class being initialized (transfer none).
 * @data: the `class_data` of the type being initialized.
 *
 * Runs once per class, before any instance exists. Must not create
 * objects of the type being initialized.
 */
typedef void (*OrrClassInitFn)(OrrObjectClass *klass, const void *data);

/**
 * OrrInstanceFn:
 * @obj: the instance (transfer none).
 *
 * Instance hooks. `instance_init` and `instance_post_init` cannot fail;
 * `instance_finalize` runs while the object's children and properties are
 * still intact, and must not take new references to @obj.
 */
typedef void (*OrrInstanceFn)(OrrObject *obj);

/**
 * OrrTypeInfo:
 * @name: unique type name (copied).
 * @parent: name of a registered parent type; NULL means %ORR_TYPE_OBJECT.
 * @abstract: abstract types cannot be instantiated.
 * @instance_size: size of the instance struct, 0 to inherit the parent's.
 * @class_size: size of the class struct, 0 to inherit the parent's.
 * @class_init: optional, see #OrrClassInitFn.
 * @class_base_init: optional; run for this type's class and for the class
 *   of every descendant, before their `class_init`, ancestors' hooks from
 *   the root down (used to deep-copy class data that memcpy would share).
 * @class_data: passed to `class_init` and `class_base_init` (not copied;
 *   must live as long as the process).
 * @instance_init: optional, runs root to leaf when an object is created.
 * @instance_post_init: optional, runs root to leaf after every
 *   `instance_init`.
 * @instance_finalize: optional, runs leaf to root when the last reference
 *   goes, see #OrrInstanceFn.
 * @interfaces: NULL-terminated names of registered interface types the
 *   type implements, or NULL (the array is copied).
 */
typedef struct OrrTypeInfo {
    const char *name;
    const char *parent;
    bool abstract;
    size_t instance_size;
    size_t class_size;
    OrrClassInitFn class_init;
    OrrClassInitFn class_base_init;
    const void *class_data;
    OrrInstanceFn instance_init;
    OrrInstanceFn instance_post_init;
    OrrInstanceFn instance_finalize;
    const char *const *interfaces;
} OrrTypeInfo;

/**
 * orr_type_register:
 * @info: the description (transfer none; strings are copied).
 * @errp: return location for an error.
 *
 * Registers a type. Fails, registering nothing, when the name is taken or
 * empty, the parent or an interface is unknown, an interface is not an
 * interface type, or a size is smaller than the parent's.
 *
 * Returns: (transfer none): the type, valid until the process exits, or
 *   NULL on error.
 */
OrrType *orr_type_register(const OrrTypeInfo *info, GError **errp);

/**
 * orr_type_lookup:
 * @name: a type name.
 *
 * Returns: (transfer none) (nullable): the type, or NULL if unknown.
 */
OrrType *orr_type_lookup(const char *name);

/** orr_type_get_name: Returns: (transfer none): the type's name. */
const char *orr_type_get_name(const OrrType *type);

/** orr_type_get_parent: Returns: (transfer none) (nullable): the parent. */
OrrType *orr_type_get_parent(const OrrType *type);

/** orr_type_is_abstract: Returns: whether @type is abstract. */
bool orr_type_is_abstract(const OrrType *type);

/**
 * orr_type_is_a:
 * @type: a type.
 * @ancestor_name: a type or interface name.
 *
 * Returns: true if @type is @ancestor_name, derives from it, or (with an
 *   interface name) implements it directly or through an ancestor.
 */
bool orr_type_is_a(const OrrType *type, const char *ancestor_name);

/**
 * orr_type_get_class:
 * @type: a type.
 *
 * Initializes the class on first use.
 *
 * Returns: (transfer none): the class of @type.
 */
OrrObjectClass *orr_type_get_class(OrrType *type);

/**
 * orr_type_list:
 * @below: (nullable): only types that are @below (inclusive); NULL for all.
 * @include_abstract: whether to list abstract types.
 *
 * Returns: (transfer container): the matching types sorted by name; free
 *   with g_ptr_array_unref().
 */
GPtrArray *orr_type_list(const char *below, bool include_abstract);

/**
 * orr_class_get_name: Returns: (transfer none): the name of the class's type.
 */
const char *orr_class_get_name(const OrrObjectClass *klass);

/**
 * orr_class_get_parent:
 * Returns: (transfer none) (nullable): the parent type's class.
 */
OrrObjectClass *orr_class_get_parent(const OrrObjectClass *klass);

/**
 * orr_class_dynamic_cast:
 * @klass: a class.
 * @name: a type or interface name.
 *
 * Returns: (transfer none) (nullable): @klass if its type is @name or
 *   derives from it; the interface class if @name is an interface that
 *   @klass implements; NULL otherwise.
 */
OrrObjectClass *orr_class_dynamic_cast(OrrObjectClass *klass, const char *name);

/**
 * OrrInterfaceSlot:
 * @name: the slot's name.
 * @signature: the full C signature of the function pointer, the object
 *   parameter included, e.g. "u64(obj,u32)".
 * @offset: where the pointer is in the interface class struct.
 *
 * A function pointer of an interface class that code outside C (a script
 * type) may fill with a closure (see orr_closure_new()).
 */
typedef struct OrrInterfaceSlot {
    const char *name;
    const char *signature;
    size_t offset;
} OrrInterfaceSlot;

/**
 * orr_interface_add_slot:
 * @iface_class: the class of an interface type, in its `class_init`.
 * @name: unique among the interface's slots (and its ancestors').
 * @signature: the full C signature; it must start with an `obj`
 *   parameter, the object the call is about.
 * @offset: offsetof() the pointer in the interface class struct.
 * @errp: return location for an error.
 *
 * Declares a slot. Fails for a class that is not an interface's, a name
 * taken, a bad signature, or an offset outside the class struct.
 */
bool orr_interface_add_slot(OrrObjectClass *iface_class, const char *name,
                            const char *signature, size_t offset,
                            GError **errp);

/**
 * orr_interface_find_slot:
 * Returns: (transfer none) (nullable): the slot @name of interface
 *   @iface_name or one of its ancestors, NULL if none.
 */
const OrrInterfaceSlot *orr_interface_find_slot(const char *iface_name,
                                                const char *name);

/**
 * orr_class_get_interface:
 * @klass: a class.
 * @iface_name: an interface type name.
 *
 * Returns: (transfer none) (nullable): the interface class of @klass for
 *   @iface_name, or NULL when @klass does not implement it.
 */
OrrInterfaceClass *orr_class_get_interface(OrrObjectClass *klass,
                                           const char *iface_name);

/**
 * orr_core_init:
 *
 * Registers the core types (object, interface, container, device).
 * Idempotent; every lookup calls it, so callers rarely need to.
 */
void orr_core_init(void);

G_END_DECLS

#endif /* ORRERY_TYPE_H */
