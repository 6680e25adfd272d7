/*
 * orrery core — link<T> properties and the edge rule of
 * docs/devel/object-model.md, section 6.
 *
 * A link is classified when it is set. Pointing to its own lifetime unit
 * or up the tree (or declared weak), it is non-owning: it takes no
 * reference and a weak reference on the target clears it when the target
 * dies. Pointing down or across, it is owning and holds one reference on
 * the target's lifetime unit, recorded as "link <source>.<name>".
 *
 * An object is often linked before it is placed in the tree (properties
 * are set before the parent adds the child), when "up" cannot be seen
 * yet. So when a subtree joins the tree, its owning links are looked at
 * again: one whose target is now an ancestor becomes non-owning. The
 * reverse never happens: leaving the tree keeps a non-owning link weak,
 * and it is severed if its target dies first.
 */
#include "core-internal.h"

static OrrProperty *link_prop_new(const char *name, const char *target_type,
                                  unsigned flags, GError **errp)
{
    if (!orr__check_name("add_link", name, errp)) {
        return NULL;
    }
    if (orr_type_lookup(target_type) == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_NOT_FOUND,
                    "add_link: '%s': unknown target type '%s'", name,
                    target_type ? target_type : "");
        return NULL;
    }
    return orr__property_new_edge(ORR_PROP_LINK, name, target_type, flags);
}

const OrrProperty *orr_object_add_link(OrrObject *obj, const char *name,
                                       const char *target_type, unsigned flags,
                                       GError **errp)
{
    OrrProperty *prop = link_prop_new(name, target_type, flags, errp);

    if (prop == NULL || !orr__object_insert_property(obj, prop, errp)) {
        return NULL;
    }
    return prop;
}

const OrrProperty *orr_class_add_link(OrrObjectClass *klass, const char *name,
                                      const char *target_type, unsigned flags,
                                      GError **errp)
{
    OrrProperty *prop = link_prop_new(name, target_type, flags, errp);

    if (prop == NULL || !orr__class_insert_property(klass, prop, errp)) {
        return NULL;
    }
    return prop;
}

static OrrHolder link_holder(OrrSlot *slot)
{
    return (OrrHolder){
        .kind = ORR_HOLDER_LINK, .by = slot->obj, .detail = slot->prop->name};
}

/* Weak notify: the target of a non-owning link is being finalized. */
static void link_target_died(OrrObject *target, void *data)
{
    OrrSlot *slot = data;

    g_assert(!slot->owning && slot->value.o == target);
    slot->weak_id = 0;
    orr_value_clear(&slot->value);
}

void orr__link_clear(OrrSlot *slot)
{
    if (slot->value.type != ORR_VALUE_OBJECT) {
        return;
    }
    OrrObject *target = slot->value.o;
    OrrHolder holder = link_holder(slot);

    orr_value_clear(&slot->value);
    if (slot->owning) {
        slot->owning = false;
        orr_object_unref_held(target, &holder);
    } else {
        orr_object_weak_unref(target, slot->weak_id);
        slot->weak_id = 0;
    }
}

static bool check_target(OrrObject *obj, OrrProperty *prop, OrrObject *target,
                         GError **errp)
{
    g_autofree char *src = orr_object_describe(obj);

    if (orr_object_get_state(target) == ORR_OBJECT_FINALIZING) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_STATE,
                    "set: link '%s' of '%s': the target is being finalized",
                    prop->name, src);
        return false;
    }
    if (!orr_object_is_a(target, prop->target_type)) {
        g_autofree char *dst = orr_object_describe(target);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_TYPE,
                    "set: link '%s' of '%s' takes a '%s', and '%s' is a '%s'",
                    prop->name, src, prop->target_type, dst,
                    orr_object_get_type_name(target));
        return false;
    }
    return true;
}

bool orr__link_set(OrrObject *obj, OrrProperty *prop, OrrObject *target,
                   GError **errp)
{
    g_assert(prop->type == ORR_PROP_LINK);
    if (target != NULL && !check_target(obj, prop, target, errp)) {
        return false;
    }
    OrrSlot *slot = orr__object_get_slot(obj, prop, true);
    if (slot->value.type == ORR_VALUE_OBJECT && slot->value.o == target) {
        return true;
    }
    OrrSlot next = {.obj = obj, .prop = prop};
    if (target != NULL) {
        orr_value_set_object(&next.value, target);
        next.owning = !(prop->flags & ORR_PROP_LINK_WEAK) &&
                      orr_edge_is_owning(obj, target);
        OrrHolder holder = link_holder(&next);
        if (next.owning && !orr_object_try_ref_held(target, &holder, errp)) {
            return false;
        }
    }
    /* Install the new edge, then release the old one last: releasing it
     * may finalize anything, @obj included (when the old target was what
     * kept it), so nothing is touched after. */
    OrrSlot old = *slot;
    slot->value = next.value;
    slot->owning = next.owning;
    slot->weak_id = 0;
    if (target != NULL && !next.owning) {
        slot->weak_id = orr_object_weak_ref(target, link_target_died, slot);
    }
    orr__link_clear(&old);
    return true;
}

/* Makes @slot's owning link non-owning: the edge now points up. */
static void link_downgrade(OrrSlot *slot)
{
    OrrObject *target = slot->value.o;
    OrrHolder holder = link_holder(slot);

    g_assert(slot->owning && slot->weak_id == 0);
    slot->owning = false;
    slot->weak_id = orr_object_weak_ref(target, link_target_died, slot);
    /* @target's unit is an ancestor of @slot's object, which the caller's
     * parent holds: this cannot be the last reference. */
    orr_object_unref_held(target, &holder);
}

void orr__links_reclassify(OrrObject *obj)
{
    if (obj->priv->slots != NULL) {
        GHashTableIter it;
        gpointer key, value;

        g_hash_table_iter_init(&it, obj->priv->slots);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            OrrSlot *slot = value;

            if (slot->prop->type == ORR_PROP_LINK && slot->owning &&
                !orr_edge_is_owning(obj, slot->value.o)) {
                link_downgrade(slot);
            }
        }
    }
    for (guint i = 0; i < obj->priv->props->len; i++) {
        OrrProperty *prop = obj->priv->props->pdata[i];

        if (prop->type == ORR_PROP_CHILD && prop->child != NULL) {
            orr__links_reclassify(prop->child);
        }
    }
}
