/*
 * orrery memory — cutting a device's cross-owner mappings when it is
 * unrealized (or a realize fails): its regions mapped into other owners'
 * containers, and other owners' regions mapped into its containers. This
 * is what frees the reverse of Peter Maydell's case and any pair of
 * devices that map into each other.
 */
#include "memory-internal.h"

static bool is_other_unit(OrrMemoryRegion *mr, OrrObject *dev)
{
    return orr_object_get_lifetime_unit((OrrObject *)mr) != dev;
}

/* The next mapping to cut: a subregion edge made after @since that joins
 * one of @dev's regions to a region of another unit. NOREF. */
static OrrMemoryRegion *next_cross_mapping(OrrObject *dev, guint64 since)
{
    g_autoptr(GPtrArray) children = orr_object_get_children(dev);

    for (guint i = 0; i < children->len; i++) {
        OrrObject *child = children->pdata[i];

        if (!orr_object_is_a(child, ORR_TYPE_MEMORY_REGION)) {
            continue;
        }
        OrrMemoryRegion *mr = (OrrMemoryRegion *)child;
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
    }
    return NULL;
}

/* Cuts one edge at a time and looks again: a cut may finalize another
 * owner, whose regions then unmap themselves. */
void orr__region_detach_device(OrrDevice *dev, guint64 since, void *data)
{
    OrrMemoryRegion *sub;

    orr_memory_transaction_begin();
    while ((sub = next_cross_mapping((OrrObject *)dev, since)) != NULL) {
        orr__region_unmap(sub);
    }
    orr_memory_transaction_commit();
}
