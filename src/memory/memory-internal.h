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
    OrrObject *mapped_unit; /* held when @mapped_owning: the unit then */
    guint64 map_serial;     /* orders equal priorities; realize rollback */
    /* OrrMemoryRegion*, the edges, weakest first: lower priority, then at
     * equal priority older, before; rendering walks it backwards, and a
     * new sibling of the top priority is an append. */
    GPtrArray *subregions;
    /* The same edges sorted by address, and the largest size among them,
     * for clipped renders (subindex.c). */
    GPtrArray *by_addr;
    OrrU128 sub_max_size;
    guint sub_max_count; /* how many have that size */
    bool sub_max_stale;  /* recount before use */
    /* Alias → target: a weak reference always, our unit's reference on
     * the target's unit when @alias_owning. */
    OrrMemoryRegion *alias; /* NOREF: severed by the weak notify */
    bool alias_owning;
    OrrObject *alias_unit; /* held when @alias_owning: the unit then */
    guint64 alias_serial;  /* when the alias edge was made */
    guint alias_weak;
    uint64_t alias_offset;
    GPtrArray *aliased_by; /* (nullable) NOREF: aliases targeting us */
    guint as_users;        /* address spaces whose root we are */
    /* We left our owner (unparented, or the owner is finalizing): only
     * a view retired during an access may still show us; we call no ops
     * and our owner pointer must not be followed. */
    bool orphaned;
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

/* Whether an alias shows @mr (so a change to it is seen elsewhere too). */
static inline bool orr__region_is_aliased(const OrrMemoryRegion *mr)
{
    return mr->aliased_by != NULL && mr->aliased_by->len > 0;
}

/* Whether @mr may take part in a new view (not finalizing, nor its unit). */
bool orr__region_is_usable(OrrMemoryRegion *mr);
/* The holder recorded for an edge from @source of @kind. */
OrrHolder orr__region_holder(const char *kind, OrrMemoryRegion *source);
/* Removes @sub from @c's subregions array, nothing else. */
void orr__region_remove_sub(OrrMemoryRegion *c, OrrMemoryRegion *sub);
/* Removes @sub from its container's array and drops the edge (no update). */
void orr__region_unlink_sub(OrrMemoryRegion *sub);
/* Unmaps @sub from its container and updates (or notes the change). */
void orr__region_unmap(OrrMemoryRegion *sub);
/* Severs the alias edge of @mr (no update). */
void orr__region_clear_alias(OrrMemoryRegion *mr);

/* Cuts the owning root edges made after @since between address spaces
 * and regions of which exactly one end belongs to @dev's unit (unrealize,
 * failed realize). */
void orr__address_spaces_detach_device(OrrObject *dev, guint64 since);

/* Makes every address space whose root is @root show nothing (the root
 * left its owner); updates, or notes the change in a transaction. */
void orr__address_spaces_sever_root(OrrMemoryRegion *root);

/* The address index (subindex.c); every change to a container's
 * subregions or to a mapped subregion's address goes through these. */
void orr__subindex_add(OrrMemoryRegion *c, OrrMemoryRegion *sub);
void orr__subindex_remove(OrrMemoryRegion *c, OrrMemoryRegion *sub);
void orr__subindex_clear(OrrMemoryRegion *c);
/* (transfer container) (nullable): @c's subregions that overlap [@lo,
 * @hi) in @c's coordinates, strongest first; NULL when @c has too few for
 * the index to pay, and the caller walks them all. */
GPtrArray *orr__subindex_overlapping(OrrMemoryRegion *c, OrrU128 lo,
                                     OrrU128 hi);

/* mtree.c, shared with the dump (mtree-dump.c): QEMU's type name of a
 * region ("ram", "rom", "romd", "i/o"), and the order children are shown
 * in (by address, then higher priority first; a GCompareFunc on
 * OrrMemoryRegion** for g_ptr_array_sort). */
const char *orr__mtree_type(const OrrMemoryRegion *mr);
gint orr__mtree_order(gconstpointer pa, gconstpointer pb);

/* The device detach hook (detach.c), registered by orr_memory_init(). */
void orr__region_detach_device(OrrDevice *dev, guint64 since, void *data);

/* --- Updates and transactions (transaction.c) ------------------------- */

/* A window of a top-level region (one in no container) to re-render. */
typedef struct OrrDirtyWindow {
    OrrMemoryRegion *top; /* NOREF: orr__memory_forget() on its death */
    OrrU128 lo;
    OrrU128 hi;
} OrrDirtyWindow;

/* What changed since the last update. */
typedef struct OrrDirty {
    bool full;       /* re-render every view */
    GArray *windows; /* (nullable) OrrDirtyWindow */
} OrrDirty;

/* Each notes a change and updates now unless in a transaction; the change
 * must already be made (for an unmapping, note it inside a transaction
 * around the unlink so that the window is measured before). */
/* Anything may have changed: re-render every view. */
void orr__memory_changed(void);
/* [addr, addr + size) of @container changed. */
void orr__memory_changed_in(OrrMemoryRegion *container, uint64_t addr,
                            OrrU128 size);
/* What @mr shows changed (its window in its container). */
void orr__memory_changed_region(OrrMemoryRegion *mr);
/* @mr is being finalized: windows placed on it become a full update. */
void orr__memory_forget(OrrMemoryRegion *mr);

typedef struct OrrFlatView OrrFlatView;

/* --- Accesses in flight (access.c) ------------------------------------ */

/* The access epoch's counters, orr__access_enter() and _exit() are in
 * include/orrery/address-space.h: the inline path uses them too. */
/* Whether an access is running (an update must not patch views then). */
bool orr__access_active(void);
/* Keeps @unit alive until the outermost access returns; false, taking
 * nothing, when @unit is being finalized. */
bool orr__access_hold(OrrObject *unit);
/* Drops a reference to @view now, or when the outermost access returns
 * if one is running (it may be walking @view). */
void orr__access_retire_view(OrrFlatView *view);

/* --- Flat views (flatview.c) ------------------------------------------- */

typedef struct OrrFlatEntry {
    OrrU128 start;
    OrrU128 end;         /* exclusive */
    OrrMemoryRegion *mr; /* pinned by the view */
    uint64_t offset;     /* in @mr of @start */
    bool readonly;       /* writes are refused */
    /* Captured at render, so that a ROM device's mode changes with the
     * view (at the outermost commit), not in the middle of a transaction. */
    bool reads_backing;  /* reads copy from @mr's backing */
    bool writes_backing; /* writes copy into it (RAM) */
    bool unit_pinned;    /* the view holds @mr's lifetime unit */
} OrrFlatEntry;

struct OrrFlatView {
    guint ref;               /* address spaces + retired (access.c) */
    GArray *entries;         /* OrrFlatEntry, sorted, non-overlapping */
    GHashTable *pin_index;   /* OrrMemoryRegion* -> OrrFlatPin*, owned: what the
                                view holds */
    guint users;             /* address spaces showing it (within ref) */
    const OrrFlatEntry *mru; /* (nullable) the last hit in @entries */
};

/* Renders @root into a new view (ref 1); NULL @root gives an empty one. */
OrrFlatView *orr__flatview_render(OrrMemoryRegion *root);
/* Re-renders [@lo, @hi) of @root into @view in place (see flatview.c). */
void orr__flatview_update_window(OrrFlatView *view, OrrMemoryRegion *root,
                                 OrrU128 lo, OrrU128 hi);
OrrFlatView *orr__flatview_ref(OrrFlatView *view);
void orr__flatview_unref(OrrFlatView *view);
/* The entry containing @addr, or NULL: a binary search that leaves the
 * hit as the view's MRU. */
const OrrFlatEntry *orr__flatview_search(OrrFlatView *view, uint64_t addr);

/* The entry containing @addr, or NULL; the MRU check is inlined. */
static inline const OrrFlatEntry *orr__flatview_lookup(OrrFlatView *view,
                                                       uint64_t addr)
{
    const OrrFlatEntry *e = view->mru;

    if (e != NULL && e->start <= addr && addr < e->end) {
        return e;
    }
    return orr__flatview_search(view, addr);
}
/* The start of the first entry above @addr, or 2^64. */
OrrU128 orr__flatview_next_start(OrrFlatView *view, OrrU128 addr);
bool orr__flatview_equal(const OrrFlatView *a, const OrrFlatView *b);
/* Asserts: sorted, non-overlapping, merged, every region pinned. */
void orr__flatview_check_invariants(const OrrFlatView *view);
/* The same for entries [@from, @to) and their seams only. */
void orr__flatview_check_window(const OrrFlatView *view, guint from, guint to);

/* --- Address spaces (address-space.c) ---------------------------------- */

struct OrrAddressSpace {
    OrrAddressSpaceHead head; /* first: the public inline path reads it */
    uint64_t *tlb_age;        /* per TLB entry: @tlb_fills when filled */
    guint32 *tlb_log;         /* entries filled since the last flush */
    guint tlb_logged;         /* their count; past the log's size: more */
    uint64_t tlb_fills;       /* pages filled since the TLB was made */
    guint tlb_thrash;         /* young entries evicted since the last resize */
    OrrMemoryRegion *root;    /* NOREF: weak; @root_owning holds its unit */
    bool root_owning;
    OrrObject *root_unit; /* held when @root_owning: the unit then */
    guint64 root_serial;  /* when the root edge was made */
    guint root_weak;
    OrrFlatView *view;    /* a reference */
    GPtrArray *listeners; /* OrrMemoryListener*, refs, by priority */
    guint notifying;      /* listener notifications in progress */
};

/* --- The TLB (tlb.c) -------------------------------------------------- */

/* Gives @as an empty TLB (the shared set that never matches). */
void orr__tlb_init(OrrAddressSpace *as);
/* Frees @as's TLB; it is empty afterwards. */
void orr__tlb_free(OrrAddressSpace *as);
/* Empties every entry of @as's TLB: those its fill log names, or all of
 * them when more were filled than the log holds. */
void orr__tlb_flush(OrrAddressSpace *as);
/* Remembers the page of @addr: its host address is @bias + bus address;
 * reads go to the backing, and writes too if @can_write. The caller
 * checked that the whole page lies in one entry of the current view whose
 * reads go to its backing. */
void orr__tlb_fill(OrrAddressSpace *as, uint64_t addr, uintptr_t bias,
                   bool can_write);
/* Empties @as's caches (its view changed, or is about to). */
static inline void orr__ram_cache_clear(OrrAddressSpace *as)
{
    as->head.ram = (OrrRamCache){.read.limit = 0, .write.limit = 0};
    as->head.mmio = (OrrMmioCache){.plain = false};
    orr__tlb_flush(as);
}

/* listener.c: tells @as's listeners how its view changed. */
void orr__listeners_notify(OrrAddressSpace *as, const OrrFlatView *old,
                           const OrrFlatView *new);
/* Unregisters every listener of @as (replaying deletions). */
void orr__listeners_remove_all(OrrAddressSpace *as);

/* Brings every address space's view up to date with @dirty. */
void orr__address_spaces_update(const OrrDirty *dirty);
/* @mr left its owner: no MMIO cache may call it again, though views show
 * it until the commit. */
void orr__address_spaces_forget_mmio(const OrrMemoryRegion *mr);

/* Types are registered by orr_memory_init(). */
void orr__region_register_type(void);
void orr__address_space_register_type(void);
void orr__machine_register_type(void);

#endif /* ORRERY_MEMORY_INTERNAL_H */
