/*
 * orrery — address spaces: a root region seen as a flat view, accesses
 * dispatched through it, the `info mtree` dump, and the machine type.
 */
#ifndef ORRERY_ADDRESS_SPACE_H
#define ORRERY_ADDRESS_SPACE_H

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
 * Returns: the result; ORR_MEMTX_ACCESS_ERROR also for a bad @size and
 *   for a NULL @as or @value.
 */
OrrMemTxResult orr_address_space_read(OrrAddressSpace *as, uint64_t addr,
                                      unsigned size, uint64_t *value);
/** orr_address_space_write: as orr_address_space_read(), writing. */
OrrMemTxResult orr_address_space_write(OrrAddressSpace *as, uint64_t addr,
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

/* --- Listeners -------------------------------------------------------------
 */

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
