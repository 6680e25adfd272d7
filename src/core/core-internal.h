/*
 * orrery core — names shared between the files of src/core, not public.
 */
#ifndef ORRERY_CORE_INTERNAL_H
#define ORRERY_CORE_INTERNAL_H

#include <string.h>
#include "orrery/orrery.h"

/* --- Types and classes (type.c) --------------------------------------- */

struct OrrType {
    char *name;
    OrrType *parent; /* NOREF: types are never freed */
    bool abstract;
    bool is_interface; /* is or derives from "interface" */
    size_t instance_size;
    size_t class_size;
    OrrClassInitFn class_init;
    OrrClassInitFn class_base_init;
    const void *class_data;
    OrrInstanceFn instance_init;
    OrrInstanceFn instance_post_init;
    OrrInstanceFn instance_finalize;
    GPtrArray *interfaces; /* OrrType*, NOREF, declared by this type */
    GArray *slots;         /* (nullable) OrrInterfaceSlot, interfaces only */
    OrrObjectClass *klass; /* owned, created on first use */
};

struct OrrClassPrivate {
    GPtrArray *props;       /* OrrProperty*, refs: this class's own */
    GHashTable *prop_index; /* name -> OrrProperty*, NOREF: own+inherited */
    GHashTable *methods;    /* name -> OrrMethod*, NOREF: own+inherited */
    GPtrArray *own_methods; /* OrrMethod*, owned: this class's own */
    GPtrArray *ifaces;      /* OrrInterfaceClass*, owned */
};

/* Registration of the built-in types, called once by orr_core_init(). */
void orr__tree_register_types(void);
void orr__device_register_types(void);

/* Walks from @type up to the root; used for hook chains. */
#define ORR__FOR_EACH_TYPE_UP(t, start)                                        \
    for (OrrType *t = (start); t != NULL; t = t->parent)

/* --- Objects (object.c) ----------------------------------------------- */

typedef struct OrrHolderRecord {
    const char *kind;   /* static string */
    OrrObject *by;      /* NOREF: the holder releases before dying */
    const char *detail; /* interned */
    guint count;
} OrrHolderRecord;

typedef struct OrrWeakRecord {
    guint id;
    OrrWeakNotify notify;
    void *data;
} OrrWeakRecord;

struct OrrObjectPrivate {
    guint ref_count;
    guint access_holds; /* of @ref_count: accesses in flight (no record) */
    OrrObjectState state;
    OrrObject *parent;      /* NOREF: the parent holds a reference to us */
    char *name;             /* current or last name under a parent */
    char *last_path;        /* canonical path when last unparented */
    GPtrArray *props;       /* OrrProperty*, refs: instance props in order */
    GHashTable *prop_index; /* name -> OrrProperty*, NOREF */
    GHashTable *slots;      /* OrrProperty* -> OrrSlot*, owned */
    GArray *holders;        /* OrrHolderRecord */
    GArray *weak_refs;      /* OrrWeakRecord */
    GList live_link;        /* node in the live registry's queue */
    bool listed;            /* in the live registry (all but the root) */
    bool in_unparent_hook;  /* the class unparent hook is running */
    guint64 serial;         /* creation order */
};

/* Creates an object that the live registry does not list (the root). */
OrrObject *orr__object_new_unlisted(OrrType *type);

/* Reference on @obj itself, not on its lifetime unit: only the child<>
 * edge (tree.c) uses it. */
void orr__object_ref_direct(OrrObject *obj, const OrrHolder *holder);
void orr__object_unref_direct(OrrObject *obj, const OrrHolder *holder);

/* A temporary %ORR_HOLDER_CALL reference on @obj's lifetime unit around a
 * callback. Returns the unit held, or NULL, taking nothing, when @obj is
 * finalizing (the finalization itself keeps it). Pass the result to
 * orr__object_release_call(): the unit is resolved once, because the
 * callback may change it (a region leaving its owner). */
OrrObject *orr__object_hold_for_call(OrrObject *obj);
/* Drops a hold from orr__object_hold_for_call(); NULL does nothing. */
void orr__object_release_call(OrrObject *held);

/* --- Properties (property.c, link.c) ---------------------------------- */

struct OrrProperty {
    guint ref; /* the owning table + live iterators */
    char *name;
    OrrPropType type;
    char *type_name;   /* "uint", "child<device>", "link<x>" */
    char *target_type; /* CHILD, LINK */
    char *description;
    char **enum_values;
    OrrValue default_value;
    OrrPropGetFn get;
    OrrPropSetFn set;
    OrrPropReleaseFn release;
    void *opaque;
    unsigned flags;
    bool is_class;
    bool deleted;
    guint64 serial;
    OrrObject *child; /* CHILD: holds the %ORR_HOLDER_PARENT ref */
};

/* Per-instance storage of a stored or link property. */
typedef struct OrrSlot {
    OrrObject *obj;    /* NOREF: the slot's object owns the slot */
    OrrProperty *prop; /* NOREF: outlives the slot */
    OrrValue value;
    bool owning;   /* LINK: the target holds our reference */
    guint weak_id; /* LINK, non-owning: weak ref on the target */
} OrrSlot;

OrrProperty *orr__property_new(const OrrPropertyDef *def, GError **errp);
/* A child<> or link<> property record (no storage yet). */
OrrProperty *orr__property_new_edge(OrrPropType type, const char *name,
                                    const char *target_type, unsigned flags);
/* Adds @prop to @klass; takes @prop's reference. */
bool orr__class_insert_property(OrrObjectClass *klass, OrrProperty *prop,
                                GError **errp);
/* Checks @in against @prop's type and writes the converted value to @out
 * (ENUM: a STRING naming a value; INT/UINT convert when they fit). @obj
 * (nullable) is named in errors. */
bool orr__property_coerce(OrrObject *obj, const OrrProperty *prop,
                          const OrrValue *in, OrrValue *out, GError **errp);
OrrProperty *orr__property_ref(OrrProperty *prop);
void orr__property_unref(OrrProperty *prop);
/* Adds an already-built instance property; takes @prop's reference. */
bool orr__object_insert_property(OrrObject *obj, OrrProperty *prop,
                                 GError **errp);
/* Removes @prop from @obj's tables and runs its release. */
void orr__object_remove_property(OrrObject *obj, OrrProperty *prop);
OrrSlot *orr__object_get_slot(OrrObject *obj, OrrProperty *prop, bool create);
void orr__slot_clear(OrrSlot *slot);
/* Finalize steps: children in reverse order of addition, then every other
 * instance property in reverse order, then class-property storage. */
void orr__object_release_children(OrrObject *obj);
void orr__object_release_properties(OrrObject *obj);
/* Removes instance properties newer than @since (realize rollback). */
void orr__object_remove_properties_since(OrrObject *obj, guint64 since);
bool orr__link_set(OrrObject *obj, OrrProperty *prop, OrrObject *target,
                   GError **errp);
/* Drops the slot's edge: its reference or its weak reference. */
void orr__link_clear(OrrSlot *slot);
/* Makes every owning link in @obj's subtree whose target is now its own
 * unit or an ancestor non-owning (called when the subtree joins a tree). */
void orr__links_reclassify(OrrObject *obj);
bool orr__check_name(const char *what, const char *name, GError **errp);

/* --- Tree (tree.c) ---------------------------------------------------- */

bool orr__object_is_root(const OrrObject *obj);
/* The canonical path, else the path the object had when it (or the
 * ancestor that was unparented) left the tree, else NULL. */
char *orr__object_last_path(const OrrObject *obj);
/* Called by the child<> property's release: clears the child's parent,
 * remembers its last path, drops the parent's reference. */
void orr__tree_detach_child(OrrObject *parent, OrrProperty *prop);

/* --- Devices (device.c, gpio.c) --------------------------------------- */

struct OrrDevicePrivate {
    OrrDevicePhase phase;
    struct OrrGpioState *gpio; /* owned by gpio.c */
};

struct OrrDeviceClassPrivate {
    GPtrArray *gpio_in; /* OrrGpioDecl*, refs, gpio.c */
    GPtrArray *gpio_out;
};

/* Called by object.c before instance_finalize of a device. */
void orr__device_finalize_prepare(OrrDevice *dev);

/* gpio.c, called by device.c. */
void orr__gpio_class_base_init(OrrDeviceClass *dc);
void orr__gpio_instance_init(OrrDevice *dev);
void orr__gpio_instance_finalize(OrrDevice *dev);
/* Cuts connections touching @dev made after @since (0: all). */
void orr__gpio_disconnect_since(OrrDevice *dev, guint64 since);

/* --- Methods (method.c) ----------------------------------------------- */

/* Called by type.c while a class is created: inherit the parent's table. */
void orr__method_class_init(OrrObjectClass *klass, OrrObjectClass *parent);

/* --- Live registry (live.c) ------------------------------------------- */

void orr__live_add(OrrObject *obj);
void orr__live_remove(OrrObject *obj);
void orr__live_emit_finalize(OrrObject *obj);

#endif /* ORRERY_CORE_INTERNAL_H */
