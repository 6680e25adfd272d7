/*
 * orrery memory — the address-space type: a root region and its current
 * flat view, shared by every address space over the same root.
 */
#include "memory-internal.h"

/* NOREF: an address space leaves the list in its instance_finalize. */
static GPtrArray *all_spaces;

static const OrrHolder root_holder_kind = {.kind = ORR_HOLDER_AS_ROOT};

/* --- Updates -------------------------------------------------------------- */

/* One address space's part in a full update. */
typedef struct SpaceUpdate {
    OrrAddressSpace *as; /* held (ORR_HOLDER_CALL) during the update */
    OrrFlatView *old;    /* the reference the space held */
    bool quiet;          /* @old showed the same: the listeners hear nothing */
} SpaceUpdate;

static const OrrHolder update_holder = {.kind = ORR_HOLDER_CALL};

/* Installs @view in @as; returns the reference to the old view. */
static OrrFlatView *install_view(OrrAddressSpace *as, OrrFlatView *view)
{
    OrrFlatView *old = as->view;

    old->users--;
    orr__ram_cache_clear(as);
    as->view = orr__flatview_ref(view);
    view->users++;
    return old;
}

/* The address spaces grouped by root, in order of creation. */
static GHashTable *group_by_root(void)
{
    GHashTable *groups = g_hash_table_new_full(
        NULL, NULL, NULL, (GDestroyNotify)g_ptr_array_unref);

    for (guint i = 0; i < all_spaces->len; i++) {
        OrrAddressSpace *as = all_spaces->pdata[i];
        GPtrArray *group = g_hash_table_lookup(groups, as->root);

        if (group == NULL) {
            group = g_ptr_array_new();
            g_hash_table_insert(groups, as->root, group);
        }
        g_ptr_array_add(group, as);
    }
    return groups;
}

/*
 * A group's view can be patched in place when it is shared by the whole
 * group and by nothing else (no retired reference), no access is running
 * (one may be walking it), and no listener needs the old and new views
 * side by side.
 */
static bool can_patch(GPtrArray *group)
{
    OrrAddressSpace *first = group->pdata[0];
    OrrFlatView *view = first->view;

    if (first->root == NULL || orr__access_active() ||
        view->ref != view->users || view->users != group->len) {
        return false;
    }
    for (guint i = 0; i < group->len; i++) {
        OrrAddressSpace *as = group->pdata[i];
        if (as->view != view ||
            (as->listeners != NULL && as->listeners->len > 0)) {
            return false;
        }
    }
    return true;
}

static void patch_group(GPtrArray *group, const OrrDirty *dirty)
{
    OrrAddressSpace *first = group->pdata[0];

    for (guint i = 0; i < dirty->windows->len; i++) {
        const OrrDirtyWindow *w =
            &g_array_index(dirty->windows, OrrDirtyWindow, i);
        if (w->top == first->root) {
            orr__flatview_update_window(first->view, first->root, w->lo, w->hi);
            /* The window's releases may have run code that accessed it. */
            for (guint k = 0; k < group->len; k++) {
                orr__ram_cache_clear(group->pdata[k]);
            }
        }
    }
}

/*
 * Renders the group's root once and gives every space of the group the
 * same view. If a space's view already shows exactly that, it becomes the
 * group's view instead of the new render, so an update that changes
 * nothing replaces nothing and a new space joins the others' view. A
 * space whose own view is equal but another object takes the group's
 * view quietly. The replaced views are collected in @changed.
 */
static void render_group(GPtrArray *group, GArray *changed)
{
    OrrAddressSpace *first = group->pdata[0];
    OrrFlatView *view = orr__flatview_render(first->root);
    guint shared = group->len; /* the space whose view is the group's */

    for (guint i = 0; i < group->len && shared == group->len; i++) {
        OrrAddressSpace *as = group->pdata[i];

        if (orr__flatview_equal(view, as->view)) {
            orr__flatview_unref(view);
            view = orr__flatview_ref(as->view);
            shared = i;
        }
    }
    for (guint i = 0; i < group->len; i++) {
        OrrAddressSpace *as = group->pdata[i];

        if (view == as->view ||
            !orr_object_try_ref_held((OrrObject *)as, &update_holder, NULL)) {
            continue;
        }
        /* The spaces before @shared were found to differ; compare only
         * those after it, and none if no view was equal. */
        bool quiet = i > shared && orr__flatview_equal(view, as->view);
        SpaceUpdate u = {
            .as = as, .old = install_view(as, view), .quiet = quiet};
        g_array_append_val(changed, u);
    }
    orr__flatview_unref(view);
}

void orr__address_spaces_forget_mmio(const OrrMemoryRegion *mr)
{
    if (all_spaces == NULL) {
        return;
    }
    for (guint i = 0; i < all_spaces->len; i++) {
        OrrAddressSpace *as = all_spaces->pdata[i];

        if (as->head.mmio.mr == mr) {
            as->head.mmio = (OrrMmioCache){.plain = false};
        }
    }
}

/*
 * Patches or renders each root's view, then tells the listeners of the
 * spaces whose view was replaced, then drops the old views. Listeners and
 * releases may run any code, even finalize address spaces, so each
 * replaced space is held and nothing walks the global list then.
 */
void orr__address_spaces_update(const OrrDirty *dirty)
{
    if (all_spaces == NULL || all_spaces->len == 0) {
        return;
    }

    /* Before anything changes: a listener may access memory. */
    for (guint i = 0; i < all_spaces->len; i++) {
        orr__ram_cache_clear(all_spaces->pdata[i]);
    }

    g_autoptr(GHashTable) groups = group_by_root();
    g_autoptr(GArray) changed = g_array_new(FALSE, FALSE, sizeof(SpaceUpdate));
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, groups);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        GPtrArray *group = value;

        if (!dirty->full && can_patch(group)) {
            if (dirty->windows != NULL) {
                patch_group(group, dirty);
            }
        } else {
            render_group(group, changed);
        }
    }
    g_clear_pointer(&groups, g_hash_table_unref);
    for (guint i = 0; i < changed->len; i++) {
        SpaceUpdate *u = &g_array_index(changed, SpaceUpdate, i);
        if (!u->quiet) {
            orr__listeners_notify(u->as, u->old, u->as->view);
        }
    }
    for (guint i = 0; i < changed->len; i++) {
        SpaceUpdate *u = &g_array_index(changed, SpaceUpdate, i);
        orr__access_retire_view(u->old);
        orr_object_unref_held((OrrObject *)u->as, &update_holder);
    }
}

/* --- The root edge -------------------------------------------------------- */

static void root_died(OrrObject *obj, void *data)
{
    OrrAddressSpace *as = data;

    g_assert(as->root == (OrrMemoryRegion *)obj && !as->root_owning);
    as->root->as_users--;
    as->root = NULL;
    as->root_weak = 0;
    orr__memory_changed();
}

static void root_link(OrrAddressSpace *as, OrrMemoryRegion *root)
{
    OrrObject *src = (OrrObject *)as;
    OrrObject *dst = (OrrObject *)root;

    as->root = root;
    root->as_users++;
    as->root_owning = orr_edge_is_owning(src, dst);
    as->root_serial = orr_serial_next();
    as->root_weak = orr_object_weak_ref(dst, root_died, as);
    if (as->root_owning) {
        OrrHolder h = root_holder_kind;
        h.by = src;
        as->root_unit = orr_object_get_lifetime_unit(dst);
        orr_object_ref_held(as->root_unit, &h);
    }
}

static void root_unlink(OrrAddressSpace *as)
{
    OrrMemoryRegion *root = as->root;

    if (root == NULL) {
        return;
    }
    as->root = NULL;
    root->as_users--;
    orr_object_weak_unref((OrrObject *)root, as->root_weak);
    as->root_weak = 0;
    if (as->root_owning) {
        OrrHolder h = root_holder_kind;
        OrrObject *unit = as->root_unit;
        h.by = (OrrObject *)as;
        as->root_owning = false;
        as->root_unit = NULL;
        orr_object_unref_held(unit, &h);
    }
}

/* Whether the owning root edge of @as joins @dev's unit to another. */
static bool root_edge_crosses(OrrAddressSpace *as, OrrObject *dev,
                              guint64 since)
{
    if (as->root == NULL || !as->root_owning || as->root_serial <= since) {
        return false;
    }
    /* An address space is its own unit; it belongs to its parent's. */
    OrrObject *parent = orr_object_get_parent((OrrObject *)as);
    bool from_dev =
        parent != NULL && orr_object_get_lifetime_unit(parent) == dev;
    bool to_dev = orr_object_get_lifetime_unit((OrrObject *)as->root) == dev;
    return from_dev != to_dev;
}

void orr__address_spaces_detach_device(OrrObject *dev, guint64 since)
{
    if (all_spaces == NULL) {
        return;
    }
    /* One cut at a time: a cut may finalize spaces and change the list. */
    for (;;) {
        OrrAddressSpace *found = NULL;
        for (guint i = 0; i < all_spaces->len && found == NULL; i++) {
            if (root_edge_crosses(all_spaces->pdata[i], dev, since)) {
                found = all_spaces->pdata[i];
            }
        }
        if (found == NULL) {
            return;
        }
        root_unlink(found);
        orr__memory_changed();
    }
}

void orr__address_spaces_sever_root(OrrMemoryRegion *root)
{
    if (all_spaces == NULL || root->as_users == 0) {
        return;
    }
    for (guint i = 0; i < all_spaces->len; i++) {
        OrrAddressSpace *as = all_spaces->pdata[i];
        if (as->root == root) {
            root_unlink(as); /* non-owning, or @root's unit is finalizing */
        }
    }
    orr__memory_changed();
}

/* --- The type ------------------------------------------------------------- */

static void as_instance_init(OrrObject *obj)
{
    OrrAddressSpace *as = (OrrAddressSpace *)obj;

    G_STATIC_ASSERT(offsetof(OrrAddressSpace, head) == 0);
    orr__tlb_init(as);
    orr__ram_cache_clear(as);
    as->view = orr__flatview_render(NULL);
    as->view->users = 1;
}

static void as_instance_finalize(OrrObject *obj)
{
    OrrAddressSpace *as = (OrrAddressSpace *)obj;

    orr__listeners_remove_all(as);
    if (all_spaces != NULL) {
        g_ptr_array_remove(all_spaces, as);
    }
    root_unlink(as);
    as->view->users--;
    g_clear_pointer(&as->view, orr__access_retire_view);
    orr__ram_cache_clear(as);
    orr__tlb_free(as);
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

/* --- API ------------------------------------------------------------------ */

OrrAddressSpace *orr_address_space_new(OrrObject *owner, const char *name,
                                       OrrMemoryRegion *root, GError **errp)
{
    if (root == NULL || !orr__region_is_usable(root)) {
        g_set_error(
            errp, ORR_ERROR, ORR_ERROR_STATE,
            "address_space: root region of '%s' is missing or being finalized",
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
