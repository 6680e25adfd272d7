/*
 * orrery core — property definitions and tables: adding, deleting,
 * iterating and tearing down instance and class properties.
 *
 * Instance properties live in an ordered array (which holds a reference on
 * each) and a name index. Deleting a property marks it deleted and drops
 * it from both; an iterator or teardown loop that still holds a reference
 * sees the mark and skips it, so deletion is safe at any time.
 * Per-instance storage of stored and link properties lives in slots, keyed
 * by property, for instance and class properties alike.
 */
#include "core-internal.h"

static const char *const prop_type_names[] = {
    [ORR_PROP_BOOL] = "bool", [ORR_PROP_INT] = "int",
    [ORR_PROP_UINT] = "uint", [ORR_PROP_STRING] = "string",
    [ORR_PROP_ENUM] = "enum", [ORR_PROP_CHILD] = "child",
    [ORR_PROP_LINK] = "link",
};

const char *orr_prop_type_name(OrrPropType type)
{
    g_return_val_if_fail((unsigned)type < G_N_ELEMENTS(prop_type_names), "?");
    return prop_type_names[type];
}

bool orr__check_name(const char *what, const char *name, GError **errp)
{
    bool ok = name != NULL && *name != '\0';

    for (const char *p = name; ok && *p; p++) {
        ok = g_ascii_isalnum(*p) || strchr("-_.[]", *p) != NULL;
    }
    if (!ok) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "%s: invalid name '%s' (letters, digits, '-', '_', '.', "
                    "'[' and ']' only)",
                    what, name ? name : "");
    }
    return ok;
}

/* --- Definitions ------------------------------------------------------- */

/* Gives a stored property its default: the definition's, converted to
 * the property's value type, or the type's zero. */
static bool init_default(OrrProperty *prop, const OrrValue *given,
                         GError **errp)
{
    OrrValue *dv = &prop->default_value;

    *dv = (OrrValue)ORR_VALUE_INIT;
    if (given->type == ORR_VALUE_NONE) {
        switch (prop->type) {
        case ORR_PROP_BOOL:
            orr_value_set_bool(dv, false);
            break;
        case ORR_PROP_INT:
            orr_value_set_int(dv, 0);
            break;
        case ORR_PROP_UINT:
            orr_value_set_uint(dv, 0);
            break;
        case ORR_PROP_STRING:
            orr_value_set_string(dv, "");
            break;
        case ORR_PROP_ENUM:
            orr_value_set_string(dv, prop->enum_values[0]);
            break;
        default:
            break;
        }
        return true;
    }
    if (!orr__property_coerce(NULL, prop, given, dv, errp)) {
        g_prefix_error(errp, "default of ");
        return false;
    }
    return true;
}

static bool check_def(const OrrPropertyDef *def, GError **errp)
{
    if (!orr__check_name("add_property", def->name, errp)) {
        return false;
    }
    if (def->type > ORR_PROP_ENUM) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "add_property: '%s': child and link properties are made "
                    "with add_child and add_link",
                    def->name);
        return false;
    }
    if (def->type == ORR_PROP_ENUM &&
        (def->enum_values == NULL || def->enum_values[0] == NULL)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "add_property: enum '%s' has no values", def->name);
        return false;
    }
    if (def->get == NULL && def->set != NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "add_property: '%s' has a setter but no getter", def->name);
        return false;
    }
    return true;
}

OrrProperty *orr__property_new(const OrrPropertyDef *def, GError **errp)
{
    if (!check_def(def, errp)) {
        return NULL;
    }
    OrrProperty *prop = g_new0(OrrProperty, 1);
    prop->ref = 1;
    prop->name = g_strdup(def->name);
    prop->type = def->type;
    prop->type_name = g_strdup(orr_prop_type_name(def->type));
    prop->description = g_strdup(def->description);
    /* Only an ENUM has values, whatever else the definition holds. */
    if (def->type == ORR_PROP_ENUM) {
        prop->enum_values = g_strdupv((char **)def->enum_values);
    }
    prop->get = def->get;
    prop->set = def->set;
    prop->release = def->release;
    prop->opaque = def->opaque;
    prop->flags = def->flags;
    prop->serial = orr_serial_next();
    if (!init_default(prop, &def->default_value, errp)) {
        orr__property_unref(prop);
        return NULL;
    }
    return prop;
}

OrrProperty *orr__property_new_edge(OrrPropType type, const char *name,
                                    const char *target_type, unsigned flags)
{
    OrrProperty *prop = g_new0(OrrProperty, 1);

    g_assert(type == ORR_PROP_CHILD || type == ORR_PROP_LINK);
    prop->ref = 1;
    prop->name = g_strdup(name);
    prop->type = type;
    prop->target_type = g_strdup(target_type);
    prop->type_name =
        g_strdup_printf("%s<%s>", orr_prop_type_name(type), target_type);
    prop->flags = flags | (type == ORR_PROP_CHILD ? ORR_PROP_READONLY : 0);
    prop->serial = orr_serial_next();
    return prop;
}

OrrProperty *orr__property_ref(OrrProperty *prop)
{
    prop->ref++;
    return prop;
}

void orr__property_unref(OrrProperty *prop)
{
    g_assert(prop->ref > 0);
    if (--prop->ref > 0) {
        return;
    }
    g_assert(prop->child == NULL);
    g_free(prop->name);
    g_free(prop->type_name);
    g_free(prop->target_type);
    g_free(prop->description);
    g_strfreev(prop->enum_values);
    orr_value_clear(&prop->default_value);
    g_free(prop);
}

/* --- Tables ------------------------------------------------------------ */

const OrrProperty *orr_object_find_property(OrrObject *obj, const char *name)
{
    if (name == NULL) {
        return NULL;
    }
    OrrProperty *prop = g_hash_table_lookup(obj->priv->prop_index, name);
    return prop ? prop
                : g_hash_table_lookup(obj->klass->priv->prop_index, name);
}

static bool check_live(OrrObject *obj, const char *op, GError **errp)
{
    if (obj->priv->state == ORR_OBJECT_FINALIZING) {
        g_autofree char *what = orr_object_describe(obj);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_STATE,
                    "%s: object '%s' is being finalized", op, what);
        return false;
    }
    return true;
}

bool orr__object_insert_property(OrrObject *obj, OrrProperty *prop,
                                 GError **errp)
{
    if (!check_live(obj, "add_property", errp)) {
        orr__property_unref(prop);
        return false;
    }
    if (orr_object_find_property(obj, prop->name) != NULL) {
        g_autofree char *what = orr_object_describe(obj);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_EXISTS,
                    "add_property: '%s' already has a property named '%s'",
                    what, prop->name);
        orr__property_unref(prop);
        return false;
    }
    /* The array takes our reference; the index is NOREF. */
    g_ptr_array_add(obj->priv->props, prop);
    g_hash_table_insert(obj->priv->prop_index, prop->name, prop);
    return true;
}

const OrrProperty *orr_object_add_property(OrrObject *obj,
                                           const OrrPropertyDef *def,
                                           GError **errp)
{
    OrrProperty *prop = orr__property_new(def, errp);

    if (prop == NULL || !orr__object_insert_property(obj, prop, errp)) {
        return NULL;
    }
    return prop;
}

bool orr__class_insert_property(OrrObjectClass *klass, OrrProperty *prop,
                                GError **errp)
{
    OrrClassPrivate *priv = klass->priv;

    if (g_hash_table_contains(priv->prop_index, prop->name)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_EXISTS,
                    "add_property: class '%s' already has a property named "
                    "'%s'",
                    orr_class_get_name(klass), prop->name);
        orr__property_unref(prop);
        return false;
    }
    prop->is_class = true;
    g_ptr_array_add(priv->props, prop);
    g_hash_table_insert(priv->prop_index, prop->name, prop);
    return true;
}

const OrrProperty *orr_class_add_property(OrrObjectClass *klass,
                                          const OrrPropertyDef *def,
                                          GError **errp)
{
    OrrProperty *prop = orr__property_new(def, errp);

    if (prop == NULL || !orr__class_insert_property(klass, prop, errp)) {
        return NULL;
    }
    return prop;
}

/* --- Slots ------------------------------------------------------------- */

static void slot_free(gpointer data)
{
    OrrSlot *slot = data;

    orr__slot_clear(slot);
    g_free(slot);
}

OrrSlot *orr__object_get_slot(OrrObject *obj, OrrProperty *prop, bool create)
{
    OrrObjectPrivate *priv = obj->priv;
    OrrSlot *slot = priv->slots ? g_hash_table_lookup(priv->slots, prop) : NULL;

    if (slot != NULL || !create) {
        return slot;
    }
    if (priv->slots == NULL) {
        priv->slots = g_hash_table_new_full(NULL, NULL, NULL, slot_free);
    }
    slot = g_new0(OrrSlot, 1);
    slot->obj = obj;
    slot->prop = prop;
    orr_value_copy(&slot->value, &prop->default_value);
    g_hash_table_insert(priv->slots, prop, slot);
    return slot;
}

static void drop_slot(OrrObject *obj, OrrProperty *prop)
{
    if (obj->priv->slots != NULL) {
        g_hash_table_remove(obj->priv->slots, prop);
    }
}

void orr__slot_clear(OrrSlot *slot)
{
    if (slot->prop->type == ORR_PROP_LINK) {
        orr__link_clear(slot);
    }
    orr_value_clear(&slot->value);
}

/* --- Deletion and teardown --------------------------------------------- */

void orr__object_remove_property(OrrObject *obj, OrrProperty *prop)
{
    OrrObjectPrivate *priv = obj->priv;
    /* Releasing an edge can cascade back and drop the last reference to
     * @obj itself: keep it until we are done. */
    OrrObject *held = orr__object_hold_for_call(obj);

    g_assert(!prop->is_class && !prop->deleted);
    prop->deleted = true;
    g_hash_table_remove(priv->prop_index, prop->name);
    orr__property_ref(prop); /* ours, until the release has run */
    g_ptr_array_remove(priv->props, prop);
    if (prop->type == ORR_PROP_CHILD) {
        orr__tree_detach_child(obj, prop);
    } else if (prop->release != NULL) {
        prop->release(obj, prop);
    }
    drop_slot(obj, prop);
    orr__property_unref(prop);
    orr__object_release_call(held);
}

bool orr_object_delete_property(OrrObject *obj, const char *name, GError **errp)
{
    OrrProperty *prop =
        name ? g_hash_table_lookup(obj->priv->prop_index, name) : NULL;

    if (prop == NULL) {
        g_autofree char *what = orr_object_describe(obj);
        bool is_class = orr_object_find_property(obj, name) != NULL;
        g_set_error(errp, ORR_ERROR,
                    is_class ? ORR_ERROR_INVALID : ORR_ERROR_NOT_FOUND,
                    is_class ? "delete_property: '%s' of '%s' is a class "
                               "property"
                             : "delete_property: no property '%s' in '%s'",
                    name ? name : "", what);
        return false;
    }
    if (prop->type == ORR_PROP_CHILD) {
        orr_object_unparent(prop->child);
    } else {
        orr__object_remove_property(obj, prop);
    }
    return true;
}

/* A referenced copy of the instance properties, in order of addition. */
static GPtrArray *snapshot_props(OrrObject *obj)
{
    GPtrArray *props = obj->priv->props;
    GPtrArray *snap =
        g_ptr_array_new_full(props->len, (GDestroyNotify)orr__property_unref);

    for (guint i = 0; i < props->len; i++) {
        g_ptr_array_add(snap, orr__property_ref(props->pdata[i]));
    }
    return snap;
}

/* Removes, newest first, the instance properties accepted by @pick. A
 * removal may delete other properties; the snapshot keeps them readable
 * and the deleted mark makes us skip them. */
static void remove_props_where(OrrObject *obj,
                               bool (*pick)(OrrProperty *, guint64),
                               guint64 arg)
{
    g_autoptr(GPtrArray) snap = snapshot_props(obj);

    for (guint i = snap->len; i-- > 0;) {
        OrrProperty *prop = snap->pdata[i];
        if (prop->deleted || !pick(prop, arg)) {
            continue;
        }
        if (prop->type == ORR_PROP_CHILD) {
            orr_object_unparent(prop->child);
        } else {
            orr__object_remove_property(obj, prop);
        }
    }
}

static bool is_child(OrrProperty *prop, guint64 unused)
{
    return prop->type == ORR_PROP_CHILD;
}

static bool any_prop(OrrProperty *prop, guint64 unused)
{
    return true;
}

static bool newer_than(OrrProperty *prop, guint64 since)
{
    return prop->serial > since;
}

void orr__object_release_children(OrrObject *obj)
{
    g_assert(obj->priv->state == ORR_OBJECT_FINALIZING);
    remove_props_where(obj, is_child, 0);
}

static void release_class_props(OrrObject *obj)
{
    for (OrrObjectClass *k = obj->klass; k; k = orr_class_get_parent(k)) {
        GPtrArray *props = k->priv->props;
        for (guint i = props->len; i-- > 0;) {
            OrrProperty *prop = props->pdata[i];
            if (prop->release != NULL) {
                prop->release(obj, prop);
            }
            drop_slot(obj, prop);
        }
    }
}

void orr__object_release_properties(OrrObject *obj)
{
    OrrObjectPrivate *priv = obj->priv;

    g_assert(priv->state == ORR_OBJECT_FINALIZING);
    remove_props_where(obj, any_prop, 0);
    g_assert(priv->props->len == 0);
    release_class_props(obj);
    if (priv->slots != NULL) {
        g_assert(g_hash_table_size(priv->slots) == 0);
        g_clear_pointer(&priv->slots, g_hash_table_unref);
    }
}

void orr__object_remove_properties_since(OrrObject *obj, guint64 since)
{
    remove_props_where(obj, newer_than, since);
}

/* --- Iteration --------------------------------------------------------- */

static void add_class_props(GPtrArray *snap, OrrObjectClass *klass)
{
    for (OrrObjectClass *k = klass; k; k = orr_class_get_parent(k)) {
        GPtrArray *props = k->priv->props;
        for (guint i = 0; i < props->len; i++) {
            g_ptr_array_add(snap, orr__property_ref(props->pdata[i]));
        }
    }
}

void orr_class_property_iter_init(OrrPropertyIter *iter, OrrObjectClass *klass)
{
    iter->snapshot =
        g_ptr_array_new_with_free_func((GDestroyNotify)orr__property_unref);
    iter->next = 0;
    add_class_props(iter->snapshot, klass);
}

void orr_property_iter_init(OrrPropertyIter *iter, OrrObject *obj)
{
    GPtrArray *props = obj->priv->props;

    orr_class_property_iter_init(iter, obj->klass);
    for (guint i = 0; i < props->len; i++) {
        g_ptr_array_add(iter->snapshot, orr__property_ref(props->pdata[i]));
    }
}

const OrrProperty *orr_property_iter_next(OrrPropertyIter *iter)
{
    while (iter->snapshot && iter->next < iter->snapshot->len) {
        OrrProperty *prop = iter->snapshot->pdata[iter->next++];
        if (!prop->deleted) {
            return prop;
        }
    }
    return NULL;
}

void orr_property_iter_clear(OrrPropertyIter *iter)
{
    g_clear_pointer(&iter->snapshot, g_ptr_array_unref);
    iter->next = 0;
}

/* --- Metadata ---------------------------------------------------------- */

const char *orr_property_get_name(const OrrProperty *prop)
{
    return prop->name;
}

OrrPropType orr_property_get_type(const OrrProperty *prop)
{
    return prop->type;
}

const char *orr_property_get_type_name(const OrrProperty *prop)
{
    return prop->type_name;
}

const char *orr_property_get_target_type(const OrrProperty *prop)
{
    return prop->target_type;
}

const char *const *orr_property_get_enum_values(const OrrProperty *prop)
{
    return (const char *const *)prop->enum_values;
}

const char *orr_property_get_description(const OrrProperty *prop)
{
    return prop->description;
}

void *orr_property_get_opaque(const OrrProperty *prop)
{
    return prop->opaque;
}

bool orr_property_is_readonly(const OrrProperty *prop)
{
    return (prop->flags & ORR_PROP_READONLY) || prop->type == ORR_PROP_CHILD ||
           (prop->get != NULL && prop->set == NULL);
}

bool orr_property_is_class(const OrrProperty *prop)
{
    return prop->is_class;
}
