/*
 * orrery memory — cutting a device's cross-owner links when it is
 * unrealized (or a realize fails):
 *
 *  - every mapping between its regions and another unit's: its regions
 *    mapped into other owners' containers, and other owners' regions
 *    mapped into its containers;
 *  - every owning alias edge between its regions and another unit's, in
 *    either direction;
 *  - every owning root edge between its address spaces and another
 *    unit's regions, in either direction.
 *
 * This is what frees the reverse of Peter Maydell's case and any pair of
 * devices that map or alias into each other. Non-owning aliases and roots
 * (to the device itself or an ancestor, such as machine RAM in a DMA
 * view) cannot hold anything alive and are kept.
 */
#include "memory-internal.h"

static bool is_other_unit(OrrMemoryRegion *mr, OrrObject *dev)
{
    return orr_object_get_lifetime_unit((OrrObject *)mr) != dev;
}

/* The next mapping to cut from @mr, one of @dev's regions: a subregion
 * edge made after @since that joins it to a region of another unit. */
static OrrMemoryRegion *cross_mapping_of(OrrMemoryRegion *mr, OrrObject *dev,
                                         guint64 since)
{
    if (mr->container != NULL && mr->map_serial > since &&
        is_other_unit(mr->container, dev)) {
        return mr;
    }
    for (guint j = mr->subregions->len; j-- > 0;) { /* strongest first */
        OrrMemoryRegion *sub = mr->subregions->pdata[j];
        if (sub->map_serial > since && is_other_unit(sub, dev)) {
            return sub;
        }
    }
    return NULL;
}

/* Whether alias @a's edge is owning, made after @since, and joins
 * @dev's unit to another. */
static bool alias_edge_crosses(OrrMemoryRegion *a, OrrObject *dev,
                               guint64 since)
{
    return a->alias != NULL && a->alias_owning && a->alias_serial > since &&
           is_other_unit(a, dev) != is_other_unit(a->alias, dev);
}

/* The next alias to cut at @mr, one of @dev's regions: @mr aliasing
 * another unit's region, or another unit's alias of @mr. */
static OrrMemoryRegion *cross_alias_of(OrrMemoryRegion *mr, OrrObject *dev,
                                       guint64 since)
{
    if (alias_edge_crosses(mr, dev, since)) {
        return mr;
    }
    for (guint j = 0; mr->aliased_by != NULL && j < mr->aliased_by->len; j++) {
        OrrMemoryRegion *a = mr->aliased_by->pdata[j];
        if (alias_edge_crosses(a, dev, since)) {
            return a;
        }
    }
    return NULL;
}

typedef OrrMemoryRegion *(*EdgeFinder)(OrrMemoryRegion *mr, OrrObject *dev,
                                       guint64 since);

/* The first edge @find returns for any of @dev's regions, or NULL.
 * NOREF. The children are listed afresh on every call: a cut may have
 * finalized some. */
static OrrMemoryRegion *next_edge(OrrObject *dev, guint64 since,
                                  EdgeFinder find)
{
    g_autoptr(GPtrArray) children = orr_object_get_children(dev);

    for (guint i = 0; i < children->len; i++) {
        OrrObject *child = children->pdata[i];

        if (orr_object_is_a(child, ORR_TYPE_MEMORY_REGION)) {
            OrrMemoryRegion *found = find((OrrMemoryRegion *)child, dev, since);
            if (found != NULL) {
                return found;
            }
        }
    }
    return NULL;
}

/* Cuts one edge at a time and looks again: a cut may finalize another
 * owner, whose regions then unmap themselves. */
void orr__region_detach_device(OrrDevice *dev, guint64 since, void *data)
{
    OrrObject *obj = (OrrObject *)dev;
    OrrMemoryRegion *mr;

    orr_memory_transaction_begin();
    while ((mr = next_edge(obj, since, cross_mapping_of)) != NULL) {
        orr__region_unmap(mr);
    }
    while ((mr = next_edge(obj, since, cross_alias_of)) != NULL) {
        orr__memory_changed_region(mr);
        orr__region_clear_alias(mr);
    }
    orr__address_spaces_detach_device(obj, since);
    orr_memory_transaction_commit();
}
