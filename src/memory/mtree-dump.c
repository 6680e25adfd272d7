/*
 * orrery memory — the memory tree and flat view of an address space as a
 * GVariant, for tools and the layers above (JSON with
 * orr_variant_to_json(), tables in scripts). The same content as
 * `info mtree`, with names spelled out instead of laid out.
 */
#include "memory-internal.h"

/* Adds @key: @value to an a{sv} being built, in order (JSON keys come
 * out in the order they were put). @value may be floating. */
static void put(GVariantBuilder *d, const char *key, GVariant *value)
{
    g_variant_builder_add(d, "{sv}", key, value);
}

/* An object's path, or its description when detached. */
static GVariant *path_of(OrrObject *obj)
{
    g_autofree char *path = orr_object_describe(obj);

    return g_variant_new_string(path);
}

/* The inclusive last address of [start, start + size); start when empty. */
static uint64_t last_of(OrrU128 start, OrrU128 size)
{
    return (uint64_t)(size == 0 ? start : start + size - 1);
}

static GVariant *region_node(const OrrMemoryRegion *mr, OrrU128 base,
                             OrrMtreeFlags flags);

/* The children of @mr shown by `info mtree`, in its order. */
static GVariant *children_of(const OrrMemoryRegion *mr, OrrU128 start,
                             OrrMtreeFlags flags)
{
    g_autoptr(GPtrArray) subs =
        orr_memory_region_get_subregions((OrrMemoryRegion *)mr);
    GVariantBuilder b;

    g_ptr_array_sort(subs, orr__mtree_order);
    g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
    for (guint i = 0; i < subs->len; i++) {
        const OrrMemoryRegion *sub = subs->pdata[i];
        if (sub->enabled || (flags & ORR_MTREE_DISABLED)) {
            g_variant_builder_add_value(&b, region_node(sub, start, flags));
        }
    }
    return g_variant_builder_end(&b);
}

/*
 * One region placed at @base + its address: name, path, kind, QEMU's type
 * name, first and last (inclusive) addresses, priority, enabled, readonly,
 * owner path ("" for none), for an alias its target's path ("" once
 * severed) and offset, and its children. Aliases are not followed: the
 * target appears where it is mapped.
 */
static GVariant *region_node(const OrrMemoryRegion *mr, OrrU128 base,
                             OrrMtreeFlags flags)
{
    OrrU128 start = base + mr->addr;
    bool owned = mr->owner != NULL && !mr->orphaned;
    GVariantBuilder d;

    g_variant_builder_init(&d, G_VARIANT_TYPE_VARDICT);
    put(&d, "name", g_variant_new_string(mr->name));
    put(&d, "path", path_of((OrrObject *)mr));
    put(&d, "kind",
        g_variant_new_string(orr_memory_region_kind_name(mr->kind)));
    put(&d, "type", g_variant_new_string(orr__mtree_type(mr)));
    put(&d, "first", g_variant_new_uint64((guint64)start));
    put(&d, "last", g_variant_new_uint64(last_of(start, mr->size)));
    put(&d, "priority", g_variant_new_int32(mr->priority));
    put(&d, "enabled", g_variant_new_boolean(mr->enabled));
    put(&d, "readonly", g_variant_new_boolean(mr->readonly));
    put(&d, "owner", owned ? path_of(mr->owner) : g_variant_new_string(""));
    if (mr->kind == ORR_REGION_ALIAS) {
        put(&d, "alias",
            mr->alias ? path_of((OrrObject *)mr->alias)
                      : g_variant_new_string(""));
        put(&d, "alias_offset", g_variant_new_uint64(mr->alias_offset));
    }
    put(&d, "children", children_of(mr, start, flags));
    return g_variant_builder_end(&d);
}

/* The flat view: first, last, region path and name, offset in the
 * region, readonly, QEMU's type name ("rom" when read-only). */
static GVariant *flat_ranges(OrrAddressSpace *as)
{
    GArray *entries = as->view->entries;
    GVariantBuilder b;

    g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
    for (guint i = 0; i < entries->len; i++) {
        const OrrFlatEntry *e = &g_array_index(entries, OrrFlatEntry, i);
        GVariantBuilder d;

        g_variant_builder_init(&d, G_VARIANT_TYPE_VARDICT);
        put(&d, "first", g_variant_new_uint64((guint64)e->start));
        put(&d, "last",
            g_variant_new_uint64(last_of(e->start, e->end - e->start)));
        put(&d, "region", path_of((OrrObject *)e->mr));
        put(&d, "name", g_variant_new_string(e->mr->name));
        put(&d, "offset", g_variant_new_uint64(e->offset));
        put(&d, "readonly", g_variant_new_boolean(e->readonly));
        put(&d, "type",
            g_variant_new_string(e->readonly ? "rom" : orr__mtree_type(e->mr)));
        g_variant_builder_add_value(&b, g_variant_builder_end(&d));
    }
    return g_variant_builder_end(&b);
}

GVariant *orr_address_space_dump(OrrAddressSpace *as, OrrMtreeFlags flags)
{
    g_return_val_if_fail(as != NULL, NULL);

    GVariantBuilder d;

    g_variant_builder_init(&d, G_VARIANT_TYPE_VARDICT);
    put(&d, "name", path_of((OrrObject *)as));
    if (as->root != NULL) {
        put(&d, "root", region_node(as->root, 0, flags));
    }
    if (flags & ORR_MTREE_FLAT) {
        put(&d, "flat", flat_ranges(as));
    }
    return g_variant_ref_sink(g_variant_builder_end(&d));
}
