/*
 * orrery memory — the address-space type: a root region and its current
 * flat view, shared by every address space over the same root.
 */
#include "memory-internal.h"

/* NOREF: an address space leaves the list in its instance_finalize. */
static GPtrArray *all_spaces;

static const OrrHolder root_holder_kind = {.kind = ORR_HOLDER_AS_ROOT};

/* --- Updates ----------------------------------------------------------------
 */

/* One address space's part in an update. */
typedef struct SpaceUpdate {
    OrrAddressSpace *as; /* held (ORR_HOLDER_CALL) during the update */
    OrrFlatView *old;    /* the reference the space held */
} SpaceUpdate;

static const OrrHolder update_holder = {.kind = ORR_HOLDER_CALL};

/*
 * Renders one new view per distinct root and installs it where it differs
 * from the current one; then tells the listeners; then drops the old
 * views. Listeners and releases may run any code, even finalize address
 * spaces, so each space is held and nothing walks the global list then.
 */
void orr__address_spaces_update(void)
{
    if (all_spaces == NULL || all_spaces->len == 0) {
        return;
    }

    g_autoptr(GHashTable) by_root = g_hash_table_new_full(
        NULL, NULL, NULL, (GDestroyNotify)orr__flatview_unref);
    g_autoptr(GArray) changed = g_array_new(FALSE, FALSE, sizeof(SpaceUpdate));

    for (guint i = 0; i < all_spaces->len; i++) {
        OrrAddressSpace *as = all_spaces->pdata[i];
        OrrFlatView *view = g_hash_table_lookup(by_root, as->root);

        if (view == NULL) {
            view = orr__flatview_render(as->root);
            g_hash_table_insert(by_root, as->root, view);
        }
        if (view == as->view || orr__flatview_equal(view, as->view) ||
            !orr_object_try_ref_held((OrrObject *)as, &update_holder, NULL)) {
            continue;
        }
        SpaceUpdate u = {.as = as, .old = as->view};
        as->view = orr__flatview_ref(view);
        g_array_append_val(changed, u);
    }
    for (guint i = 0; i < changed->len; i++) {
        SpaceUpdate *u = &g_array_index(changed, SpaceUpdate, i);
        orr__listeners_notify(u->as, u->old, u->as->view);
    }
    g_clear_pointer(&by_root, g_hash_table_unref);
    for (guint i = 0; i < changed->len; i++) {
        SpaceUpdate *u = &g_array_index(changed, SpaceUpdate, i);
        orr__flatview_unref(u->old);
        orr_object_unref_held((OrrObject *)u->as, &update_holder);
    }
}

/* --- The root edge
 * ------------------------------------------------------------ */

static void root_died(OrrObject *obj, void *data)
{
    OrrAddressSpace *as = data;

    g_assert(as->root == (OrrMemoryRegion *)obj && !as->root_owning);
    as->root = NULL;
    as->root_weak = 0;
    orr__memory_changed();
}

static void root_link(OrrAddressSpace *as, OrrMemoryRegion *root)
{
    OrrObject *src = (OrrObject *)as;
    OrrObject *dst = (OrrObject *)root;

    as->root = root;
    as->root_owning = orr_edge_is_owning(src, dst);
    as->root_weak = orr_object_weak_ref(dst, root_died, as);
    if (as->root_owning) {
        OrrHolder h = root_holder_kind;
        h.by = src;
        orr_object_ref_held(dst, &h);
    }
}

static void root_unlink(OrrAddressSpace *as)
{
    OrrMemoryRegion *root = as->root;

    if (root == NULL) {
        return;
    }
    as->root = NULL;
    orr_object_weak_unref((OrrObject *)root, as->root_weak);
    as->root_weak = 0;
    if (as->root_owning) {
        OrrHolder h = root_holder_kind;
        h.by = (OrrObject *)as;
        as->root_owning = false;
        orr_object_unref_held((OrrObject *)root, &h);
    }
}

/* --- The type ----------------------------------------------------------------
 */

static void as_instance_init(OrrObject *obj)
{
    OrrAddressSpace *as = (OrrAddressSpace *)obj;

    as->view = orr__flatview_render(NULL);
}

static void as_instance_finalize(OrrObject *obj)
{
    OrrAddressSpace *as = (OrrAddressSpace *)obj;

    orr__listeners_remove_all(as);
    if (all_spaces != NULL) {
        g_ptr_array_remove(all_spaces, as);
    }
    root_unlink(as);
    g_clear_pointer(&as->view, orr__flatview_unref);
}

static bool prop_get_root(OrrObject *obj, const OrrProperty *prop,
                          OrrValue *out, GError **errp)
{
    OrrAddressSpace *as = (OrrAddressSpace *)obj;

    orr_value_take_string(out, as->root
                                   ? orr_object_describe((OrrObject *)as->root)
                                   : g_strdup(""));
    return true;
}

static void as_class_init(OrrObjectClass *klass, const void *data)
{
    static const OrrPropertyDef root = {
        .name = "root",
        .type = ORR_PROP_STRING,
        .get = prop_get_root,
        .description = "path of the root region, empty once it died",
    };

    g_assert(orr_class_add_property(klass, &root, NULL) != NULL);
}

void orr__address_space_register_type(void)
{
    static const OrrTypeInfo info = {
        .name = ORR_TYPE_ADDRESS_SPACE,
        .instance_size = sizeof(OrrAddressSpace),
        .class_init = as_class_init,
        .instance_init = as_instance_init,
        .instance_finalize = as_instance_finalize,
    };

    orr_type_register(&info, NULL);
}

/* --- API --------------------------------------------------------------------
 */

OrrAddressSpace *orr_address_space_new(OrrObject *owner, const char *name,
                                       OrrMemoryRegion *root, GError **errp)
{
    if (root == NULL || !orr__region_is_usable(root)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_STATE,
                    "address_space: '%s' needs a live root region",
                    name ? name : "");
        return NULL;
    }

    OrrObject *obj = orr_object_new(ORR_TYPE_ADDRESS_SPACE, errp);
    OrrAddressSpace *as = (OrrAddressSpace *)obj;

    g_assert(obj != NULL);
    if (owner != NULL) {
        if (orr_object_add_child(owner, name ? name : "", obj, errp) == NULL) {
            orr_object_unref(obj);
            return NULL;
        }
        orr_object_unref(obj); /* the owner's child<> holds it */
    }
    root_link(as, root);
    if (all_spaces == NULL) {
        all_spaces = g_ptr_array_new();
    }
    g_ptr_array_add(all_spaces, as);
    orr__memory_changed();
    return as;
}

OrrObject *orr_address_space_object(OrrAddressSpace *as)
{
    return (OrrObject *)as;
}

OrrAddressSpace *orr_address_space_cast(OrrObject *obj, GError **errp)
{
    return (OrrAddressSpace *)orr_object_cast(obj, ORR_TYPE_ADDRESS_SPACE,
                                              errp);
}

OrrMemoryRegion *orr_address_space_get_root(OrrAddressSpace *as)
{
    return as->root;
}

GArray *orr_address_space_get_flat_ranges(OrrAddressSpace *as)
{
    GArray *entries = as->view->entries;
    GArray *out =
        g_array_sized_new(FALSE, FALSE, sizeof(OrrFlatRange), entries->len);

    for (guint i = 0; i < entries->len; i++) {
        const OrrFlatEntry *e = &g_array_index(entries, OrrFlatEntry, i);
        OrrFlatRange r = {
            .start = (uint64_t)e->start,
            .last = (uint64_t)(e->end - 1),
            .region = e->mr,
            .offset = e->offset,
            .readonly = e->readonly,
        };
        g_array_append_val(out, r);
    }
    return out;
}

OrrMemoryRegion *orr_address_space_find(OrrAddressSpace *as, uint64_t addr,
                                        uint64_t *offset)
{
    const OrrFlatEntry *e = orr__flatview_lookup(as->view, addr);

    if (e == NULL) {
        return NULL;
    }
    if (offset != NULL) {
        *offset = e->offset + (uint64_t)(addr - e->start);
    }
    return e->mr;
}
