/*
 * orrery — address spaces: a root region seen as a flat view, accesses
 * dispatched through it, the `info mtree` dump, and the machine type.
 */
#ifndef ORRERY_ADDRESS_SPACE_H
#define ORRERY_ADDRESS_SPACE_H

#include <string.h>
#include "orrery/memory.h"

G_BEGIN_DECLS

/** ORR_TYPE_ADDRESS_SPACE: the type of address spaces. */
#define ORR_TYPE_ADDRESS_SPACE "address-space"
/** ORR_TYPE_MACHINE: a container object with "sysmem" and "memory". */
#define ORR_TYPE_MACHINE "machine"

typedef struct OrrAddressSpace OrrAddressSpace;

/**
 * orr_memtx_result_name:
 * Returns: "ok", "decode-error" or "access-error".
 */
const char *orr_memtx_result_name(OrrMemTxResult result);

/**
 * orr_address_space_new:
 * @owner: (nullable): as for regions: the address space becomes its
 *   child<> @name; without an owner it is returned (transfer full).
 * @root: the root region, any kind.
 *
 * The address space → root edge is classified like a link. Address spaces
 * over the same root share one flat view.
 *
 * Returns: (nullable): the address space, or NULL with @errp set.
 */
OrrAddressSpace *orr_address_space_new(OrrObject *owner, const char *name,
                                       OrrMemoryRegion *root, GError **errp);

OrrObject *orr_address_space_object(OrrAddressSpace *as);
/**
 * orr_address_space_cast:
 * Returns: (transfer none) (nullable): @obj as an address space, or NULL
 *   with @errp set.
 */
OrrAddressSpace *orr_address_space_cast(OrrObject *obj, GError **errp);
/** Returns: (transfer none) (nullable): the root; NULL once it died. */
OrrMemoryRegion *orr_address_space_get_root(OrrAddressSpace *as);

/**
 * orr_address_space_read:
 * @size: 1, 2, 4 or 8.
 * @value: (out): the little-endian value; the fill value (0) for bytes
 *   that failed.
 *
 * Reads through the flat view. An access that hits nothing or breaks a
 * region's rules never touches memory outside a region's backing.
 *
 * A call compiled against this header is the inline fast path below: a
 * hit in the address space's RAM caches is a load, with no call, and an
 * MMIO access its MMIO cache serves is one call of the region's callback,
 * with no call into the library. The library also exports the function
 * itself, for FFI and for taking its address. Both behave the same.
 *
 * Returns: the result; ORR_MEMTX_ACCESS_ERROR also for a bad @size and
 *   for a NULL @as or @value.
 */
OrrMemTxResult(orr_address_space_read)(OrrAddressSpace *as, uint64_t addr,
                                       unsigned size, uint64_t *value);
/** orr_address_space_write: as orr_address_space_read(), writing. */
OrrMemTxResult(orr_address_space_write)(OrrAddressSpace *as, uint64_t addr,
                                        unsigned size, uint64_t value);
/**
 * orr_address_space_read_bytes:
 * Reads @len bytes into @buf (caller-allocated); failed bytes read as 0.
 * The first error is returned; the rest of the access still runs. An
 * access that would wrap past 2^64 fails before reading anything
 * (DECODE_ERROR); one of 0 bytes, or with a NULL @as or @buf, is an
 * ACCESS_ERROR that touches nothing.
 */
OrrMemTxResult orr_address_space_read_bytes(OrrAddressSpace *as, uint64_t addr,
                                            void *buf, size_t len);
OrrMemTxResult orr_address_space_write_bytes(OrrAddressSpace *as, uint64_t addr,
                                             const void *buf, size_t len);

/**
 * orr_address_space_find:
 * @offset: (out) (optional): the offset of @addr in the region.
 * Returns: (transfer none) (nullable): the terminal region (RAM, ROM,
 *   ROM device or MMIO) that @addr hits, NULL if unmapped.
 */
OrrMemoryRegion *orr_address_space_find(OrrAddressSpace *as, uint64_t addr,
                                        uint64_t *offset);

/**
 * OrrFlatRange:
 * @start: the first address.
 * @last: the last address (inclusive, so that 2^64 fits).
 * @region: (transfer none): the terminal region shown.
 * @offset: the offset in @region of @start.
 * @readonly: writes are refused (own or inherited flag, or ROM).
 */
typedef struct OrrFlatRange {
    uint64_t start;
    uint64_t last;
    OrrMemoryRegion *region;
    uint64_t offset;
    bool readonly;
} OrrFlatRange;

/**
 * orr_address_space_get_flat_ranges:
 * Returns: (transfer full): the current view, #OrrFlatRange sorted by
 *   address; the regions are borrowed. Free with g_array_unref().
 */
GArray *orr_address_space_get_flat_ranges(OrrAddressSpace *as);

/* --- The inline access path ----------------------------------------------
 *
 * Sized accesses are the hot path of an emulator, so a hit needs no call
 * into the library. Every address space keeps a window on the RAM range
 * it hit last, a TLB of recently used 4 KiB pages of RAM and ROM (each
 * with the host address of its backing), and the MMIO range it hit last.
 * The layout below is private to the library and these inline functions;
 * read it through them only, never write it.
 *
 * Why a RAM hit is safe without the access epoch (see
 * docs/devel/memory.md): a hit runs no callback, so nothing can change
 * the map or free anything during it; an entry is only made from the
 * current flat view, whose pins keep the region and its backing
 * allocated; and every change of the view (update, patch, replaced or
 * finalized address space) empties the caches before anything the old
 * view showed can be released. An MMIO hit runs a callback, so it enters
 * the epoch as the library does.
 */

/** ORR_TLB_PAGE_BITS: the TLB maps pages of 2^12 bytes. */
#define ORR_TLB_PAGE_BITS 12
#define ORR__TLB_PAGE_MASK ((UINT64_C(1) << ORR_TLB_PAGE_BITS) - 1)

/*
 * OrrTlbEntry: (private) one page whose reads go to a backing. The tag is
 * the page's address, with the flag below in its low bits; an empty entry
 * has the tag ORR__TLB_EMPTY, which no access looks for. Host address =
 * @addend + bus address (wrapping).
 */
typedef struct OrrTlbEntry {
    uint64_t tag;
    uint64_t addend;
} OrrTlbEntry;

/* The TLB has at most 2^ORR__TLB_MAX_BITS entries of 2^ORR__TLB_ENTRY_BITS
 * bytes. */
#define ORR__TLB_MAX_BITS 14
#define ORR__TLB_ENTRY_BITS 4
G_STATIC_ASSERT(sizeof(OrrTlbEntry) == 1u << ORR__TLB_ENTRY_BITS);

/* Tag flag: writes to the page do not go to the backing (ROM). A page of
 * RAM has no flag, so that a hit in either direction is one compare. */
#define ORR__TLB_NOWRITE UINT64_C(1)
/* The tag of an empty entry: its page-offset bits are neither 0 nor the
 * flag, as those of every tag looked for are. */
#define ORR__TLB_EMPTY UINT64_MAX

/*
 * OrrRamWindow: (private) for one direction, the RAM or ROM range a sized
 * access of the library hit last, if that direction goes to its backing:
 * an access of up to 8 bytes at @addr is inside when @addr - @first <
 * @limit (the range's length less 7; 0 when empty, which never matches).
 * Host address = @bias + bus address (wrapping).
 */
typedef struct OrrRamWindow {
    uint64_t first;
    uint64_t limit;
    uintptr_t bias;
} OrrRamWindow;

/* OrrRamCache: (private) the window of reads and that of writes. */
typedef struct OrrRamCache {
    OrrRamWindow read;
    OrrRamWindow write;
} OrrRamCache;

/*
 * OrrMmioCache: (private) the last MMIO range a sized access hit, when its
 * calls are simple: the ops are little-endian with no accepts() hook, and
 * the sizes it serves are both valid and implemented, so such an access
 * is one call (of the fallible variant when the ops have one) with no
 * checks left but alignment, and holding the region's unit when the view
 * does not. Emptied with the RAM caches, and wherever the region leaves
 * its owner (its ops must not run again, though a view may still show it
 * until the transaction's commit).
 *
 * An access of @size at @addr is served when bit @size of the mask of
 * its direction is set (a valid size, not longer than the range, that
 * goes to the ops), @addr - @first <= @span - (@size - 1), and the
 * offset's low bits under @align_mask are clear. When @plain, the inline
 * path makes the call itself, through @read or @write.
 */
typedef struct OrrMmioCache {
    uint64_t first;
    uint64_t span;        /* last - first */
    guint read_sizes;     /* bit n: reads of n bytes are served; 0: none */
    guint write_sizes;    /* the same for writes */
    uint64_t align_mask;  /* 0 if misaligned offsets are valid, else ~0 */
    uint64_t offset_bias; /* offset in the region = address + bias */
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    void *opaque;        /* NOREF: the region's */
    OrrMemoryRegion *mr; /* NOREF: pinned by the current view */
    OrrObject *hold;     /* NOREF: @mr's unit when the view does not pin
                          * it (the access holds it then), else NULL */
    bool plain;          /* @hold is NULL and the ops have no _tx call */
} OrrMmioCache;

/*
 * OrrAddressSpaceHead: (private) the first member of every address space.
 * @tlb is direct-mapped; @tlb_mask is its size in bytes less one entry,
 * so that it masks a byte offset to an entry. An address space that has
 * filled nothing yet shares an empty table that never matches.
 */
typedef struct OrrAddressSpaceHead {
    OrrObject parent_obj;
    OrrRamCache ram;
    OrrTlbEntry *tlb;  /* NOREF: owned by the address space */
    uint64_t tlb_mask; /* (entries - 1) * sizeof(OrrTlbEntry) */
    OrrMmioCache mmio;
} OrrAddressSpaceHead;

/*
 * The TLB entry of the page of @addr: the top bits of a 32-bit
 * multiplicative (Fibonacci) hash of its page number, so that pages at
 * any regular stride spread over the table, taken where they come out as
 * a byte offset; a table of 2^b entries uses the lowest b of them. Two
 * neighbouring pages never share an entry (their hashes differ by the
 * constant, whose bits there, 0x278d, stay apart from 0 even with a
 * carry), and the top page does not share page 0's: orr__cache_find()
 * relies on both.
 */
static inline const OrrTlbEntry *orr__tlb_entry(const OrrAddressSpaceHead *h,
                                                uint64_t addr)
{
    uint32_t hash =
        (uint32_t)(addr >> ORR_TLB_PAGE_BITS) * UINT32_C(0x9e3779b9);
    uint64_t offset =
        (hash >> (32 - ORR__TLB_MAX_BITS - ORR__TLB_ENTRY_BITS)) & h->tlb_mask;

    return (const OrrTlbEntry *)(const void *)((const char *)h->tlb + offset);
}

/*
 * Whether the RAM range or the TLB has an access of @size at @addr for
 * the direction asked; if so, @bias gives its host address (@bias +
 * @addr, wrapping). Both need a valid size and a little-endian host (the
 * bus is little-endian).
 *
 * The TLB entry is that of @addr's page, but the tag it must match is
 * that of the access's last byte: an access that crosses into the next
 * page never matches, since no page shares its entry with the next one.
 */
static inline bool orr__cache_find(const OrrAddressSpaceHead *h, uint64_t addr,
                                   unsigned size, bool is_write,
                                   uintptr_t *bias)
{
    const OrrRamCache *c = &h->ram;

    if (G_BYTE_ORDER != G_LITTLE_ENDIAN ||
        !(size == 1 || size == 2 || size == 4 || size == 8)) {
        return false;
    }
    const OrrRamWindow *w = is_write ? &c->write : &c->read;

    if (addr - w->first < w->limit) {
        *bias = w->bias;
        return true;
    }

    const OrrTlbEntry *t = orr__tlb_entry(h, addr);
    uint64_t want = (addr + size - 1) & ~ORR__TLB_PAGE_MASK;

    *bias = (uintptr_t)t->addend;
    /* A read also hits a page of ROM, which the second compare finds. */
    return t->tag == want || (!is_write && t->tag == (want | ORR__TLB_NOWRITE));
}

/* orr_address_space_read_cached() on a head. */
static inline bool orr__read_cached(const OrrAddressSpaceHead *h, uint64_t addr,
                                    unsigned size, uint64_t *value)
{
    uintptr_t bias;

    if (!orr__cache_find(h, addr, size, false, &bias)) {
        return false;
    }
    const void *host = (const void *)(bias + (uintptr_t)addr);
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;

    switch (size) {
    case 1:
        memcpy(&v8, host, 1);
        *value = v8;
        break;
    case 2:
        memcpy(&v16, host, 2);
        *value = v16;
        break;
    case 4:
        memcpy(&v32, host, 4);
        *value = v32;
        break;
    default:
        memcpy(value, host, 8);
        break;
    }
    return true;
}

/**
 * orr_address_space_read_cached:
 * @as: (not nullable): the address space.
 * @value: (out): the value, when this returns true.
 *
 * Reads @size bytes at @addr only if the access hits the address space's
 * RAM caches: a load from a backing, with no call into the library and no
 * callback, so it can run nothing else. Otherwise reads nothing and
 * returns false; orr_address_space_read() then does the access (and fills
 * the caches for the next one). For callers that must not be re-entered,
 * such as code called through LuaJIT's FFI.
 *
 * Returns: whether the value was read.
 */
static inline bool orr_address_space_read_cached(OrrAddressSpace *as,
                                                 uint64_t addr, unsigned size,
                                                 uint64_t *value)
{
    return orr__read_cached((const OrrAddressSpaceHead *)(void *)as, addr, size,
                            value);
}

/* orr_address_space_write_cached() on a head. */
static inline bool orr__write_cached(const OrrAddressSpaceHead *h,
                                     uint64_t addr, unsigned size,
                                     uint64_t value)
{
    uintptr_t bias;

    if (!orr__cache_find(h, addr, size, true, &bias)) {
        return false;
    }
    void *host = (void *)(bias + (uintptr_t)addr);
    uint8_t v8 = (uint8_t)value;
    uint16_t v16 = (uint16_t)value;
    uint32_t v32 = (uint32_t)value;

    switch (size) {
    case 1:
        memcpy(host, &v8, 1);
        break;
    case 2:
        memcpy(host, &v16, 2);
        break;
    case 4:
        memcpy(host, &v32, 4);
        break;
    default:
        memcpy(host, &value, 8);
        break;
    }
    return true;
}

/**
 * orr_address_space_write_cached:
 * As orr_address_space_read_cached(), writing: stores @value only if the
 * access hits the RAM caches, and returns whether it did.
 */
static inline bool orr_address_space_write_cached(OrrAddressSpace *as,
                                                  uint64_t addr, unsigned size,
                                                  uint64_t value)
{
    return orr__write_cached((const OrrAddressSpaceHead *)(void *)as, addr,
                             size, value);
}

/*
 * The access epoch (private; docs/devel/memory.md, section 10.6): every
 * access that can reach MMIO runs inside it, so that nothing it may reach
 * is freed before the outermost access returns. Only the library and the
 * inline functions below touch it.
 */
extern guint orr__access_depth; /* the nesting of accesses in flight */
extern guint orr__access_kept;  /* what the epoch keeps: units and views */
/* Releases what the epoch kept, when the outermost access returns. */
void orr__access_exit_slow(void);

static inline void orr__access_enter(void)
{
    orr__access_depth++;
}

static inline void orr__access_exit(void)
{
    g_assert(orr__access_depth > 0);
    if (--orr__access_depth == 0 && G_UNLIKELY(orr__access_kept > 0)) {
        orr__access_exit_slow();
    }
}

/* The bits of a value of @size bytes, 1 to 8. */
static inline uint64_t orr__size_mask(unsigned size)
{
    return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
}

/* Whether the MMIO cache @m serves an access of @size at @addr. */
static inline bool orr__mmio_cache_serves(const OrrMmioCache *m, uint64_t addr,
                                          unsigned size, bool is_write)
{
    guint sizes = is_write ? m->write_sizes : m->read_sizes;

    /* A size above 8 has no bit in the masks (and is not shifted by). */
    return size <= 8 && (sizes >> size & 1) != 0 &&
           addr - m->first <= m->span - (size - 1) &&
           ((addr + m->offset_bias) & (size - 1) & m->align_mask) == 0;
}

/*
 * A read the plain MMIO cache @m serves: the call, inside the access
 * epoch. @m is read before the call, and not after: the callback may
 * change the map, or drop the address space.
 */
static inline uint64_t orr__mmio_cache_read(const OrrMmioCache *m,
                                            uint64_t addr, unsigned size)
{
    uint64_t (*read)(void *, uint64_t, unsigned) = m->read;
    void *opaque = m->opaque;
    uint64_t value;

    orr__access_enter();
    value = read(opaque, addr + m->offset_bias, size);
    orr__access_exit();
    return value & orr__size_mask(size);
}

/* The same for a write. */
static inline void orr__mmio_cache_write(const OrrMmioCache *m, uint64_t addr,
                                         unsigned size, uint64_t value)
{
    void (*write)(void *, uint64_t, uint64_t, unsigned) = m->write;
    void *opaque = m->opaque;

    orr__access_enter();
    write(opaque, addr + m->offset_bias, value, size);
    orr__access_exit();
}

/*
 * The head the inline path reads in place of a NULL address space (or
 * for a NULL value): its caches never match, so the exported function
 * gets the call and returns the error. Choosing it is a select, not a
 * branch, in the caller's loop. One per translation unit; never written.
 */
static G_GNUC_UNUSED OrrTlbEntry orr__no_tlb[1] = {{.tag = ORR__TLB_EMPTY}};
static G_GNUC_UNUSED OrrAddressSpaceHead orr__no_head = {
    .tlb = orr__no_tlb,
};

static inline const OrrAddressSpaceHead *orr__head_or_none(OrrAddressSpace *as,
                                                           bool usable)
{
    return G_LIKELY(usable) ? (const OrrAddressSpaceHead *)(void *)as
                            : &orr__no_head;
}

/*
 * The inline path: the RAM caches, then the MMIO cache when its region's
 * calls are plain (the call is then made here), then the exported
 * function, which does the rest.
 */
static inline OrrMemTxResult orr__address_space_read_inline(OrrAddressSpace *as,
                                                            uint64_t addr,
                                                            unsigned size,
                                                            uint64_t *value)
{
    const OrrAddressSpaceHead *h =
        orr__head_or_none(as, as != NULL && value != NULL);
    const OrrMmioCache *m = &h->mmio;

    if (orr__read_cached(h, addr, size, value)) {
        return ORR_MEMTX_OK;
    }
    if (m->plain && orr__mmio_cache_serves(m, addr, size, false)) {
        *value = orr__mmio_cache_read(m, addr, size);
        return ORR_MEMTX_OK;
    }
    return (orr_address_space_read)(as, addr, size, value);
}

static inline OrrMemTxResult
orr__address_space_write_inline(OrrAddressSpace *as, uint64_t addr,
                                unsigned size, uint64_t value)
{
    const OrrAddressSpaceHead *h = orr__head_or_none(as, as != NULL);
    const OrrMmioCache *m = &h->mmio;

    if (orr__write_cached(h, addr, size, value)) {
        return ORR_MEMTX_OK;
    }
    if (m->plain && orr__mmio_cache_serves(m, addr, size, true)) {
        orr__mmio_cache_write(m, addr, size, value);
        return ORR_MEMTX_OK;
    }
    return (orr_address_space_write)(as, addr, size, value);
}

/* Calls compile to the inline path; (orr_address_space_read) names the
 * exported function. */
#define orr_address_space_read(as, addr, size, value)                          \
    orr__address_space_read_inline(as, addr, size, value)
#define orr_address_space_write(as, addr, size, value)                         \
    orr__address_space_write_inline(as, addr, size, value)

/* --- Listeners ------------------------------------------------------------ */

typedef struct OrrMemoryListener OrrMemoryListener;

/**
 * OrrMemoryListenerOps:
 * @begin: (nullable): an update of the view starts.
 * @region_add: (nullable): @range appeared (or changed).
 * @region_del: (nullable): @range disappeared (or changed); all deletions
 *   of an update come before its additions.
 * @region_nop: (nullable): @range is unchanged by this update.
 * @commit: (nullable): the update is over.
 * @priority: listeners run in ascending priority for begin, add, nop and
 *   commit, in descending priority for del (equal priorities: order of
 *   registration).
 *
 * Callbacks receive a borrowed range valid for the call, and the opaque
 * given at registration. They may change the memory map (the changes make
 * a further update after this one) and may unregister any listener.
 */
typedef struct OrrMemoryListenerOps {
    void (*begin)(void *opaque);
    void (*region_add)(const OrrFlatRange *range, void *opaque);
    void (*region_del)(const OrrFlatRange *range, void *opaque);
    void (*region_nop)(const OrrFlatRange *range, void *opaque);
    void (*commit)(void *opaque);
    int priority;
} OrrMemoryListenerOps;

/**
 * orr_memory_listener_register:
 * @as: the address space to follow.
 * @ops: (transfer none): copied.
 * @opaque: for the callbacks, NOREF.
 * @destroy: (nullable): frees @opaque when the listener goes.
 *
 * Registers a listener and replays the current view to it: begin, one
 * region_add per range, commit. The listener goes away when it is
 * unregistered or when @as is finalized (after a replay of deletions).
 *
 * Returns: (transfer none): the listener handle, valid until
 *   orr_memory_listener_unregister() or the end of @as.
 */
OrrMemoryListener *orr_memory_listener_register(OrrAddressSpace *as,
                                                const OrrMemoryListenerOps *ops,
                                                void *opaque,
                                                GDestroyNotify destroy);

/**
 * orr_memory_listener_unregister:
 * Replays the current view as deletions (begin, region_del per range,
 * commit), then frees the listener and its opaque. Called from a callback
 * while the address space's listeners are being told of an update, it
 * replays nothing: the listener is just told nothing more.
 */
void orr_memory_listener_unregister(OrrMemoryListener *listener);

/** OrrMtreeFlags: the options of `info mtree`. */
typedef enum {
    ORR_MTREE_FLAT = 1 << 0,     /* -f: the flat view */
    ORR_MTREE_OWNERS = 1 << 1,   /* -o: owners */
    ORR_MTREE_DISABLED = 1 << 2, /* -D: disabled regions too */
} OrrMtreeFlags;

/**
 * orr_address_space_format_mtree:
 * Returns: (transfer full): the text of QEMU's `info mtree` for @as.
 */
char *orr_address_space_format_mtree(OrrAddressSpace *as, OrrMtreeFlags flags);

/**
 * orr_address_space_dump:
 * @as: an address space.
 * @flags: %ORR_MTREE_DISABLED includes disabled regions (with "enabled"
 *   false); %ORR_MTREE_FLAT adds the flat view. %ORR_MTREE_OWNERS has no
 *   effect: owners are always given.
 *
 * The content of `info mtree` as data, for tools and the layers above
 * (orr_variant_to_json() prints it). An a{sv} with, in this order:
 * "name" (the address space's path), "root" (absent without a root) and
 * "flat" (with %ORR_MTREE_FLAT). A region is an a{sv}: "name", "path",
 * "kind" (orr_memory_region_kind_name()), "type" (QEMU's: "ram", "rom",
 * "romd", "i/o"), "first" and "last" (inclusive absolute addresses, t),
 * "priority" (i), "enabled", "readonly" (b), "owner" (path, "" for
 * none), for an alias "alias" (target path, "" once severed) and
 * "alias_offset" (t), and "children" (aa{sv}, by address then higher
 * priority first). A flat range: "first", "last", "region" (path),
 * "name", "offset" (t, into the region), "readonly" (b) and "type".
 *
 * Returns: (transfer full): a new, non-floating GVariant; unref it.
 */
GVariant *orr_address_space_dump(OrrAddressSpace *as, OrrMtreeFlags flags);

/**
 * orr_machine_get_sysmem:
 * @machine: a "machine" object.
 * Returns: (transfer none): its 2^64-byte container "sysmem".
 */
OrrMemoryRegion *orr_machine_get_sysmem(OrrObject *machine);
/** orr_machine_get_memory: Returns: (transfer none): the address space
 * "memory" over sysmem. */
OrrAddressSpace *orr_machine_get_memory(OrrObject *machine);

/** orr_memory_init: registers the memory types; called by
 * orr_core_init() users once, after it. Idempotent. */
void orr_memory_init(void);

G_END_DECLS

#endif /* ORRERY_ADDRESS_SPACE_H */
