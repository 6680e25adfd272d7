/*
 * orrery memory — names shared between the files of src/memory, not
 * public. The memory layer uses only the public core API.
 */
#ifndef ORRERY_MEMORY_INTERNAL_H
#define ORRERY_MEMORY_INTERNAL_H

#include <string.h>
#include "orrery/orrery.h"
#include "orrery/memory.h"
#include "orrery/address-space.h"

/* Sizes and ends of ranges need 65 bits: 2^64 is a valid size. */
__extension__ typedef unsigned __int128 OrrU128;

#define ORR_U128_2_64 (((OrrU128)1) << 64)

/* --- Regions (region.c) ------------------------------------------------ */

struct OrrMemoryRegion {
    OrrObject parent_obj;
    OrrRegionKind kind;
    char *name;       /* as given (the child name, "[*]" resolved) */
    OrrObject *owner; /* NOREF: our lifetime unit; we are its child */
    OrrU128 size;
    uint64_t addr; /* in the container */
    int priority;
    bool enabled;
    bool readonly;
    bool romd_mode;
    /* Mapping into a container: the container's subregions array is the
     * edge; it holds our unit when @mapped_owning. */
    OrrMemoryRegion *container; /* NOREF: it unmaps us before it dies */
    bool mapped_owning;
    guint64 map_serial;    /* orders equal priorities; realize rollback */
    GPtrArray *subregions; /* OrrMemoryRegion*, rendering order, edges */
    /* Alias → target: a weak reference always, our unit's reference on
     * the target's unit when @alias_owning. */
    OrrMemoryRegion *alias; /* NOREF: severed by the weak notify */
    bool alias_owning;
    guint alias_weak;
    uint64_t alias_offset;
    uint8_t *backing;        /* owned: RAM, ROM, ROM device */
    const OrrMemoryOps *ops; /* NOREF: the caller keeps it alive */
    void *opaque;            /* NOREF */
};

#define ORR__REGION_IS_TERMINAL(mr)                                            \
    ((mr)->kind != ORR_REGION_CONTAINER && (mr)->kind != ORR_REGION_ALIAS)

/* The access sizes of @ops with their defaults applied. */
static inline unsigned orr__ops_valid_min(const OrrMemoryOps *ops)
{
    return ops->valid.min_access_size ? ops->valid.min_access_size : 1;
}

static inline unsigned orr__ops_valid_max(const OrrMemoryOps *ops)
{
    return ops->valid.max_access_size ? ops->valid.max_access_size : 4;
}

static inline unsigned orr__ops_impl_min(const OrrMemoryOps *ops)
{
    return ops->impl.min_access_size ? ops->impl.min_access_size : 1;
}

static inline unsigned orr__ops_impl_max(const OrrMemoryOps *ops)
{
    return ops->impl.max_access_size ? ops->impl.max_access_size : 4;
}

/* Whether @mr may take part in a new view (not finalizing, nor its unit). */
bool orr__region_is_usable(OrrMemoryRegion *mr);
/* The holder recorded for an edge from @source of @kind. */
OrrHolder orr__region_holder(const char *kind, OrrMemoryRegion *source);
/* Removes @sub from its container's array and drops the edge (no update). */
void orr__region_unlink_sub(OrrMemoryRegion *sub);
/* Severs the alias edge of @mr (no update). */
void orr__region_clear_alias(OrrMemoryRegion *mr);

/* The device detach hook (detach.c), registered by orr_memory_init(). */
void orr__region_detach_device(OrrDevice *dev, guint64 since, void *data);

/* --- Updates and transactions (transaction.c) ------------------------- */

/* Notes that the map changed; updates now unless in a transaction. */
void orr__memory_changed(void);

/* --- Flat views (flatview.c) ------------------------------------------- */

typedef struct OrrFlatEntry {
    OrrU128 start;
    OrrU128 end;         /* exclusive */
    OrrMemoryRegion *mr; /* pinned by the view */
    uint64_t offset;     /* in @mr of @start */
    bool readonly;
} OrrFlatEntry;

typedef struct OrrFlatView {
    guint ref;       /* address spaces + accesses in flight */
    GArray *entries; /* OrrFlatEntry, sorted, non-overlapping */
    GPtrArray *pins; /* OrrFlatPin*, what the view holds */
    guint mru;       /* index of the last hit */
} OrrFlatView;

/* Renders @root into a new view (ref 1); NULL @root gives an empty one. */
OrrFlatView *orr__flatview_render(OrrMemoryRegion *root);
OrrFlatView *orr__flatview_ref(OrrFlatView *view);
void orr__flatview_unref(OrrFlatView *view);
/* The entry containing @addr, or NULL. */
const OrrFlatEntry *orr__flatview_lookup(OrrFlatView *view, uint64_t addr);
/* The start of the first entry above @addr, or 2^64. */
OrrU128 orr__flatview_next_start(OrrFlatView *view, OrrU128 addr);
bool orr__flatview_equal(const OrrFlatView *a, const OrrFlatView *b);
/* Debug check: sorted, non-overlapping, merged, every region pinned. */
void orr__flatview_check_invariants(const OrrFlatView *view);

/* --- Address spaces (address-space.c) ---------------------------------- */

struct OrrAddressSpace {
    OrrObject parent_obj;
    OrrMemoryRegion *root; /* NOREF: weak; @root_owning holds its unit */
    bool root_owning;
    guint root_weak;
    OrrFlatView *view;    /* a reference */
    GPtrArray *listeners; /* OrrMemoryListener*, refs, by priority */
    guint notifying;      /* listener notifications in progress */
};

/* listener.c: tells @as's listeners how its view changed. */
void orr__listeners_notify(OrrAddressSpace *as, const OrrFlatView *old,
                           const OrrFlatView *new);
/* Unregisters every listener of @as (replaying deletions). */
void orr__listeners_remove_all(OrrAddressSpace *as);

/* Re-renders every address space (one render per distinct root). */
void orr__address_spaces_update(void);

/* Types are registered by orr_memory_init(). */
void orr__region_register_type(void);
void orr__address_space_register_type(void);
void orr__machine_register_type(void);

#endif /* ORRERY_MEMORY_INTERNAL_H */
