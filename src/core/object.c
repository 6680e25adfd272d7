/*
 * orrery core — object creation, the reference count with its holders,
 * weak references, casts, and the finalize sequence.
 *
 * Object states (asserted at every transition):
 *
 *   orr_object_new()         last unref: object_finalize()
 *   INITIALIZING ---> LIVE ------------------------------> FINALIZING --> freed
 *
 * Finalize order: a realized device is unrealized; the finalize event is
 * emitted; instance_finalize runs leaf to root while children and
 * properties are intact; children are unparented in reverse order of
 * addition; the remaining properties are released in reverse order; weak
 * references fire, severing the non-owning edges that point here; the
 * object leaves the live registry and is freed.
 */
#include "core-internal.h"

static guint64 serial_counter;
static guint weak_id_counter;

guint64 orr_serial_next(void)
{
    return ++serial_counter;
}

static OrrObject *object_alloc(OrrType *type)
{
    OrrObject *obj = g_malloc0(type->instance_size);
    OrrObjectPrivate *priv = g_new0(OrrObjectPrivate, 1);

    obj->klass = orr_type_get_class(type);
    obj->priv = priv;
    priv->state = ORR_OBJECT_INITIALIZING;
    priv->serial = orr_serial_next();
    priv->props =
        g_ptr_array_new_with_free_func((GDestroyNotify)orr__property_unref);
    priv->prop_index = g_hash_table_new(g_str_hash, g_str_equal);
    priv->holders = g_array_new(FALSE, FALSE, sizeof(OrrHolderRecord));
    priv->weak_refs = g_array_new(FALSE, FALSE, sizeof(OrrWeakRecord));
    return obj;
}

static void run_instance_hooks(OrrObject *obj, OrrType *type, bool post)
{
    if (type == NULL) {
        return;
    }
    run_instance_hooks(obj, type->parent, post);
    OrrInstanceFn fn = post ? type->instance_post_init : type->instance_init;
    if (fn != NULL) {
        fn(obj);
    }
}

static OrrObject *object_construct(OrrType *type, bool listed)
{
    OrrObject *obj = object_alloc(type);

    /* 1 from new, held by the caller. */
    orr__object_ref_direct(obj, &(OrrHolder){.kind = ORR_HOLDER_CALLER});
    if (listed) {
        orr__live_add(obj);
    }
    run_instance_hooks(obj, type, false);
    run_instance_hooks(obj, type, true);
    g_assert(obj->priv->state == ORR_OBJECT_INITIALIZING);
    obj->priv->state = ORR_OBJECT_LIVE;
    return obj;
}

OrrObject *orr_object_new(const char *type_name, GError **errp)
{
    OrrType *type = orr_type_lookup(type_name);

    if (type == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_NOT_FOUND,
                    "new: unknown type '%s'", type_name ? type_name : "");
        return NULL;
    }
    if (type->abstract) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "new: type '%s' is abstract", type_name);
        return NULL;
    }
    return object_construct(type, true);
}

OrrObject *orr__object_new_unlisted(OrrType *type)
{
    return object_construct(type, false);
}

/* --- References and holders ------------------------------------------- */

/* Same kind: kinds are usually the same literal, and differ early. */
static inline bool same_kind(const char *a, const char *b)
{
    return a == b || (a[0] == b[0] && strcmp(a, b) == 0);
}

/* Newest first: a short-lived holder (a call) is found at once when it
 * lets go. */
static OrrHolderRecord *find_holder(OrrObjectPrivate *priv, const OrrHolder *h,
                                    const char *detail, guint *index)
{
    for (guint i = priv->holders->len; i-- > 0;) {
        OrrHolderRecord *r = &g_array_index(priv->holders, OrrHolderRecord, i);
        if (r->by == h->by && r->detail == detail &&
            same_kind(r->kind, h->kind)) {
            *index = i;
            return r;
        }
    }
    return NULL;
}

/* Details are interned so that records compare them by address. */
static inline const char *intern_detail(const char *detail)
{
    return detail != NULL ? g_intern_string(detail) : NULL;
}

void orr__object_ref_direct(OrrObject *obj, const OrrHolder *holder)
{
    OrrObjectPrivate *priv = obj->priv;
    const char *detail = intern_detail(holder->detail);
    guint index;

    g_assert(priv->state != ORR_OBJECT_FINALIZING);
    g_assert(holder->kind != NULL);
    priv->ref_count++;
    OrrHolderRecord *r = find_holder(priv, holder, detail, &index);
    if (r != NULL) {
        r->count++;
        return;
    }
    OrrHolderRecord rec = {
        .kind = holder->kind, .by = holder->by, .detail = detail, .count = 1};
    g_array_append_val(priv->holders, rec);
}

static void object_finalize(OrrObject *obj);

void orr__object_unref_direct(OrrObject *obj, const OrrHolder *holder)
{
    OrrObjectPrivate *priv = obj->priv;
    guint index;
    OrrHolderRecord *r =
        find_holder(priv, holder, intern_detail(holder->detail), &index);

    /* Every release must match a reference taken by the same holder. */
    g_assert(r != NULL && priv->ref_count > 0);
    if (--r->count == 0) {
        g_array_remove_index(priv->holders, index);
    }
    if (--priv->ref_count == 0) {
        object_finalize(obj);
    }
}

OrrObject *orr_object_try_hold_access(OrrObject *obj)
{
    OrrObject *unit = orr_object_get_lifetime_unit(obj);

    if (unit->priv->state == ORR_OBJECT_FINALIZING ||
        obj->priv->state == ORR_OBJECT_FINALIZING) {
        return NULL;
    }
    unit->priv->ref_count++;
    unit->priv->access_holds++;
    return unit;
}

void orr_object_release_access(OrrObject *unit)
{
    OrrObjectPrivate *priv = unit->priv;

    g_assert(priv->access_holds > 0 && priv->ref_count >= priv->access_holds);
    priv->access_holds--;
    if (--priv->ref_count == 0) {
        object_finalize(unit);
    }
}

void orr_object_pin(OrrObject *obj, const OrrHolder *holder)
{
    g_return_if_fail(obj != NULL && holder != NULL);
    orr__object_ref_direct(obj, holder);
}

void orr_object_unpin(OrrObject *obj, const OrrHolder *holder)
{
    g_return_if_fail(obj != NULL && holder != NULL);
    orr__object_unref_direct(obj, holder);
}

OrrObject *orr_object_get_lifetime_unit(OrrObject *obj)
{
    if (obj->klass->lifetime_unit == NULL) {
        return obj;
    }
    OrrObject *unit = obj->klass->lifetime_unit(obj);
    g_assert(unit != NULL);
    return unit;
}

OrrObject *orr_object_ref_held(OrrObject *obj, const OrrHolder *holder)
{
    orr__object_ref_direct(orr_object_get_lifetime_unit(obj), holder);
    return obj;
}

void orr_object_unref_held(OrrObject *obj, const OrrHolder *holder)
{
    orr__object_unref_direct(orr_object_get_lifetime_unit(obj), holder);
}

bool orr_object_try_ref_held(OrrObject *obj, const OrrHolder *holder,
                             GError **errp)
{
    OrrObject *unit = orr_object_get_lifetime_unit(obj);

    if (unit->priv->state == ORR_OBJECT_FINALIZING ||
        obj->priv->state == ORR_OBJECT_FINALIZING) {
        g_autofree char *what = orr_object_describe(obj);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_STATE,
                    "ref: object '%s' is being finalized", what);
        return false;
    }
    orr__object_ref_direct(unit, holder);
    return true;
}

OrrObject *orr_object_ref(OrrObject *obj)
{
    return orr_object_ref_held(obj, &(OrrHolder){.kind = ORR_HOLDER_CALLER});
}

void orr_object_unref(OrrObject *obj)
{
    orr_object_unref_held(obj, &(OrrHolder){.kind = ORR_HOLDER_CALLER});
}

static const OrrHolder call_holder = {.kind = ORR_HOLDER_CALL};

OrrObject *orr__object_hold_for_call(OrrObject *obj)
{
    OrrObject *unit = orr_object_get_lifetime_unit(obj);

    if (!orr_object_try_ref_held(unit, &call_holder, NULL)) {
        return NULL;
    }
    return unit;
}

void orr__object_release_call(OrrObject *held)
{
    if (held != NULL) {
        orr__object_unref_direct(held, &call_holder);
    }
}

guint orr_object_get_refcount(const OrrObject *obj)
{
    return obj->priv->ref_count;
}

OrrObjectState orr_object_get_state(const OrrObject *obj)
{
    return obj->priv->state;
}

bool orr_edge_is_owning(OrrObject *source, OrrObject *target)
{
    OrrObject *su = orr_object_get_lifetime_unit(source);
    OrrObject *tu = orr_object_get_lifetime_unit(target);

    return tu != su && !orr_object_is_ancestor(tu, su);
}

/* --- Weak references -------------------------------------------------- */

guint orr_object_weak_ref(OrrObject *obj, OrrWeakNotify notify, void *data)
{
    g_assert(obj->priv->state != ORR_OBJECT_FINALIZING);
    OrrWeakRecord rec = {
        .id = ++weak_id_counter, .notify = notify, .data = data};
    g_array_append_val(obj->priv->weak_refs, rec);
    return rec.id;
}

void orr_object_weak_unref(OrrObject *obj, guint id)
{
    GArray *refs = obj->priv->weak_refs;

    for (guint i = 0; i < refs->len; i++) {
        if (g_array_index(refs, OrrWeakRecord, i).id == id) {
            g_array_remove_index(refs, i);
            return;
        }
    }
    /* An id may be missing only because it has just fired. */
    g_assert(obj->priv->state == ORR_OBJECT_FINALIZING);
}

/* Fires in order of registration; a notify may remove later records. */
static void fire_weak_refs(OrrObject *obj)
{
    GArray *refs = obj->priv->weak_refs;

    while (refs->len > 0) {
        OrrWeakRecord rec = g_array_index(refs, OrrWeakRecord, 0);
        g_array_remove_index(refs, 0);
        rec.notify(obj, rec.data);
    }
}

/* --- Finalize ---------------------------------------------------------- */

static void run_instance_finalize(OrrObject *obj)
{
    ORR__FOR_EACH_TYPE_UP(t, obj->klass->type)
    {
        if (t->instance_finalize != NULL) {
            t->instance_finalize(obj);
        }
    }
}

static void object_free(OrrObject *obj)
{
    OrrObjectPrivate *priv = obj->priv;

    g_assert(priv->props->len == 0 && priv->holders->len == 0);
    g_assert(g_hash_table_size(priv->prop_index) == 0);
    g_ptr_array_unref(priv->props);
    g_hash_table_unref(priv->prop_index);
    g_array_unref(priv->holders);
    g_array_unref(priv->weak_refs);
    g_free(priv->name);
    g_free(priv->last_path);
    g_free(priv);
    g_free(obj);
}

static void object_finalize(OrrObject *obj)
{
    OrrObjectPrivate *priv = obj->priv;

    g_assert(priv->state == ORR_OBJECT_LIVE);
    g_assert(priv->ref_count == 0 && priv->parent == NULL);
    priv->state = ORR_OBJECT_FINALIZING;
    if (orr_object_is_a(obj, ORR_TYPE_DEVICE)) {
        orr__device_finalize_prepare((OrrDevice *)obj);
    }
    if (priv->listed) {
        orr__live_emit_finalize(obj);
    }
    run_instance_finalize(obj);
    orr__object_release_children(obj);
    orr__object_release_properties(obj);
    fire_weak_refs(obj);
    /* Nothing may have referenced a finalizing object. */
    g_assert(priv->ref_count == 0);
    if (priv->listed) {
        orr__live_remove(obj);
    }
    object_free(obj);
}

/* --- Types and casts --------------------------------------------------- */

OrrType *orr_object_get_type(const OrrObject *obj)
{
    return obj->klass->type;
}

const char *orr_object_get_type_name(const OrrObject *obj)
{
    return obj->klass->type->name;
}

bool orr_object_is_a(const OrrObject *obj, const char *type_name)
{
    return obj != NULL && orr_type_is_a(obj->klass->type, type_name);
}

OrrObject *orr_object_dynamic_cast(OrrObject *obj, const char *type_name)
{
    return orr_object_is_a(obj, type_name) ? obj : NULL;
}

OrrObject *orr_object_cast(OrrObject *obj, const char *type_name, GError **errp)
{
    if (obj == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_TYPE,
                    "cast: no object where a '%s' was expected", type_name);
        return NULL;
    }
    if (!orr_object_is_a(obj, type_name)) {
        g_autofree char *what = orr_object_describe(obj);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_TYPE,
                    "cast: object '%s' of type '%s' is not a '%s'", what,
                    orr_object_get_type_name(obj), type_name);
        return NULL;
    }
    return obj;
}

OrrObject *orr__object_check_cast(OrrObject *obj, const char *type_name,
                                  const char *file, int line)
{
    if (!orr_object_is_a(obj, type_name)) {
        g_error("%s:%d: cast: object of type '%s' is not a '%s'", file, line,
                obj ? orr_object_get_type_name(obj) : "(null)", type_name);
    }
    return obj;
}

OrrInterfaceClass *orr_object_get_interface(OrrObject *obj,
                                            const char *iface_name)
{
    return orr_class_get_interface(obj->klass, iface_name);
}
