/*
 * orrery — memory regions: RAM, ROM, ROM devices, MMIO, containers and
 * aliases, arranged in trees and changed in transactions.
 */
#ifndef ORRERY_MEMORY_H
#define ORRERY_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>
#include "orrery/object.h"

G_BEGIN_DECLS

/** ORR_TYPE_MEMORY_REGION: the type of every region. */
#define ORR_TYPE_MEMORY_REGION "memory-region"

/**
 * ORR_SIZE_2_64: a size of 2^64 bytes, the whole 64-bit space. A size
 * argument of %UINT64_MAX means 2^64, as in QEMU, so no region is exactly
 * 2^64 - 1 bytes long.
 */
#define ORR_SIZE_2_64 UINT64_MAX

/* Holder kinds of the memory layer (see OrrHolder). */
/** ORR_HOLDER_SUBREGION: a container holding a subregion's unit. */
#define ORR_HOLDER_SUBREGION "subregion"
/** ORR_HOLDER_ALIAS: an alias holding its target's unit. */
#define ORR_HOLDER_ALIAS "alias"
/** ORR_HOLDER_FLATVIEW: a flat view holding a region it shows. */
#define ORR_HOLDER_FLATVIEW "flatview"
/** ORR_HOLDER_AS_ROOT: an address space holding its root region. */
#define ORR_HOLDER_AS_ROOT "as-root"

typedef struct OrrMemoryRegion OrrMemoryRegion;

typedef enum {
    ORR_REGION_RAM,
    ORR_REGION_ROM,
    ORR_REGION_ROMD,
    ORR_REGION_IO,
    ORR_REGION_CONTAINER,
    ORR_REGION_ALIAS,
} OrrRegionKind;

/** OrrMemTxResult: the outcome of an access. */
typedef enum {
    ORR_MEMTX_OK,
    ORR_MEMTX_DECODE_ERROR, /* some byte hits no region */
    ORR_MEMTX_ACCESS_ERROR, /* a region refused the access */
} OrrMemTxResult;

/** OrrEndian: the byte order of an MMIO region's registers. NATIVE is the
 * host's. Addresses spaces are little-endian. */
typedef enum {
    ORR_ENDIAN_NATIVE,
    ORR_ENDIAN_LITTLE,
    ORR_ENDIAN_BIG,
} OrrEndian;

/**
 * OrrMemoryOps:
 * @read: returns the value of @size bytes at @offset. Runs during a read
 *   of an address space while the region's lifetime unit is held; it may
 *   change the memory map, unparent the region or drop its owner: what it
 *   frees is reclaimed after the outermost access returns.
 * @write: stores @value, @size bytes at @offset; same rules as @read.
 * @read_tx: (nullable): like @read, but may fail: a result other than
 *   %ORR_MEMTX_OK fails the access with it (a read then gives the fill
 *   value). Used instead of @read when set.
 * @write_tx: (nullable): the same for @write.
 * @accepts: (nullable): whether an access is allowed at all; a refused
 *   access is an access error and calls nothing.
 * @endianness: the byte order of @read and @write values.
 * @valid: what the bus accepts. Sizes are 1, 2, 4 or 8; 0 means 1 for
 *   the minimum and 4 for the maximum. Without @unaligned an access not
 *   aligned to its size is an access error.
 * @impl: what @read and @write implement (0: as @valid's defaults).
 *   Larger accesses are split, smaller ones widened, to fit.
 */
typedef struct OrrMemoryOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    bool (*accepts)(void *opaque, uint64_t offset, unsigned size,
                    bool is_write);
    OrrMemTxResult (*read_tx)(void *opaque, uint64_t offset, unsigned size,
                              uint64_t *value);
    OrrMemTxResult (*write_tx)(void *opaque, uint64_t offset, uint64_t value,
                               unsigned size);
    OrrEndian endianness;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } valid;
    struct {
        unsigned min_access_size;
        unsigned max_access_size;
        bool unaligned;
    } impl;
} OrrMemoryOps;

/* --- Creation ------------------------------------------------------------ */

/*
 * Every constructor takes an @owner and a @name. With an owner, the region
 * becomes the owner's child<> @name (a trailing "[*]" numbers it), lives
 * exactly as long as the owner, and is returned (transfer none). Without
 * one it is free-standing, its own lifetime unit, and returned (transfer
 * full) with one %ORR_HOLDER_CALLER reference. They fail, creating
 * nothing, for a bad name, a name the owner already has, a finalizing
 * owner, a size of 0 (a container or an alias may be 0 bytes), or a RAM
 * size that cannot be allocated. @size is bytes; %ORR_SIZE_2_64 is 2^64.
 */

/** orr_memory_region_new_ram: zeroed host-backed RAM. */
OrrMemoryRegion *orr_memory_region_new_ram(OrrObject *owner, const char *name,
                                           uint64_t size, GError **errp);

/**
 * orr_memory_region_new_rom:
 * @data: (nullable): @len bytes copied to the start of the ROM (the rest
 *   is zero); @len may not exceed @size.
 *
 * Read-only RAM: writes through an address space are access errors.
 */
OrrMemoryRegion *orr_memory_region_new_rom(OrrObject *owner, const char *name,
                                           uint64_t size, const void *data,
                                           size_t len, GError **errp);

/**
 * orr_memory_region_new_romd:
 * @ops: (transfer none): must outlive the region.
 * @opaque: for @ops, NOREF.
 *
 * A ROM device: in ROMD mode (the initial one) reads come from its
 * backing, writes go to @ops; out of it every access goes to @ops.
 */
OrrMemoryRegion *orr_memory_region_new_romd(OrrObject *owner, const char *name,
                                            uint64_t size,
                                            const OrrMemoryOps *ops,
                                            void *opaque, GError **errp);

/**
 * orr_memory_region_new_io:
 * @ops: (transfer none): must outlive the region.
 * @opaque: for @ops, NOREF: usually the owner.
 *
 * MMIO: every access goes to @ops.
 */
OrrMemoryRegion *orr_memory_region_new_io(OrrObject *owner, const char *name,
                                          uint64_t size,
                                          const OrrMemoryOps *ops, void *opaque,
                                          GError **errp);

/** orr_memory_region_new_container: a region that only holds others. */
OrrMemoryRegion *orr_memory_region_new_container(OrrObject *owner,
                                                 const char *name,
                                                 uint64_t size, GError **errp);

/**
 * orr_memory_region_new_alias:
 * @target: a live region (an alias too), in any tree.
 * @offset: where the window starts in @target.
 *
 * A window of @size bytes onto @target. The alias → target edge is
 * classified like a link: it holds @target's lifetime unit unless that is
 * the alias's own unit or an ancestor of it, and is severed (the alias
 * shows nothing) if @target dies first. Fails if the alias would be its
 * own target through a chain of aliases.
 */
OrrMemoryRegion *orr_memory_region_new_alias(OrrObject *owner, const char *name,
                                             OrrMemoryRegion *target,
                                             uint64_t offset, uint64_t size,
                                             GError **errp);

/** ORR_MEMORY_REGION: unchecked cast; use orr_memory_region_cast() on
 * anything a script supplied. */
#define ORR_MEMORY_REGION(obj) ((OrrMemoryRegion *)(obj))

/**
 * orr_memory_region_cast:
 * Returns: (transfer none) (nullable): @obj as a region, or NULL with
 *   @errp set naming its type.
 */
OrrMemoryRegion *orr_memory_region_cast(OrrObject *obj, GError **errp);

/* --- Queries (all transfer none) ----------------------------------------- */

OrrObject *orr_memory_region_object(OrrMemoryRegion *mr);
OrrRegionKind orr_memory_region_get_kind(const OrrMemoryRegion *mr);
/** orr_memory_region_kind_name: "ram" "rom" "romd" "io" "container"
 * "alias". */
const char *orr_memory_region_kind_name(OrrRegionKind kind);
const char *orr_memory_region_get_name(const OrrMemoryRegion *mr);
/** orr_memory_region_get_size: Returns: the size, %ORR_SIZE_2_64 for
 * 2^64. */
uint64_t orr_memory_region_get_size(const OrrMemoryRegion *mr);
/** orr_memory_region_get_address: the offset in its container. */
uint64_t orr_memory_region_get_address(const OrrMemoryRegion *mr);
int orr_memory_region_get_priority(const OrrMemoryRegion *mr);
bool orr_memory_region_is_enabled(const OrrMemoryRegion *mr);
/** orr_memory_region_is_readonly: its own flag, not inherited. */
bool orr_memory_region_is_readonly(const OrrMemoryRegion *mr);
bool orr_memory_region_is_romd(const OrrMemoryRegion *mr);
/** Returns: (nullable): the container it is mapped in. */
OrrMemoryRegion *orr_memory_region_get_container(const OrrMemoryRegion *mr);
/** Returns: (nullable): the owner; NULL for a free-standing region. */
OrrObject *orr_memory_region_get_owner(const OrrMemoryRegion *mr);
/** Returns: (nullable): an alias's target; NULL once severed. */
OrrMemoryRegion *orr_memory_region_get_alias_target(const OrrMemoryRegion *mr);
uint64_t orr_memory_region_get_alias_offset(const OrrMemoryRegion *mr);
/**
 * orr_memory_region_get_ram_ptr:
 * Returns: (nullable): the host backing of RAM, ROM and ROM device
 *   regions, valid for the region's life; NULL for the other kinds.
 */
void *orr_memory_region_get_ram_ptr(OrrMemoryRegion *mr);
/**
 * orr_memory_region_get_subregions:
 * Returns: (transfer container): the subregions in rendering order
 *   (highest priority first; at equal priority the newest first), NOREF.
 */
GPtrArray *orr_memory_region_get_subregions(OrrMemoryRegion *mr);

/* --- Changing the map ----------------------------------------------------- */

/*
 * Each change below is checked before anything moves and fails with a
 * GError, changing nothing, on misuse. Outside a transaction it updates
 * every address space at once; inside one, at the outermost commit.
 */

/**
 * orr_memory_region_add_subregion:
 * @mr: a container, RAM, ROM, ROM device or MMIO region (not an alias).
 * @offset: where @sub starts in @mr; @offset + size may not pass 2^64.
 * @sub: a region that is in no container, not @mr and not one that
 *   contains @mr, directly or through aliases.
 *
 * Maps @sub at priority 0, not expected to overlap its siblings. The edge
 * is owning unless @sub's lifetime unit is @mr's or an ancestor of it.
 */
bool orr_memory_region_add_subregion(OrrMemoryRegion *mr, uint64_t offset,
                                     OrrMemoryRegion *sub, GError **errp);

/**
 * orr_memory_region_add_subregion_overlap:
 * @priority: higher wins where siblings overlap; at equal priority the
 *   one added later wins.
 *
 * Like orr_memory_region_add_subregion(), with a priority.
 */
bool orr_memory_region_add_subregion_overlap(OrrMemoryRegion *mr,
                                             uint64_t offset,
                                             OrrMemoryRegion *sub, int priority,
                                             GError **errp);

/**
 * orr_memory_region_del_subregion:
 * Unmaps @sub from @mr; fails if @sub is not in @mr.
 */
bool orr_memory_region_del_subregion(OrrMemoryRegion *mr, OrrMemoryRegion *sub,
                                     GError **errp);

/** orr_memory_region_set_enabled: a disabled region hides its subtree. */
void orr_memory_region_set_enabled(OrrMemoryRegion *mr, bool enabled);
/** orr_memory_region_set_readonly: inherited by what it contains. */
void orr_memory_region_set_readonly(OrrMemoryRegion *mr, bool readonly);
/** orr_memory_region_set_address: fails if the end would pass 2^64. */
bool orr_memory_region_set_address(OrrMemoryRegion *mr, uint64_t addr,
                                   GError **errp);
/** orr_memory_region_set_priority: re-sorts it among its siblings as if
 * it were added now. */
void orr_memory_region_set_priority(OrrMemoryRegion *mr, int priority);
/** orr_memory_region_set_alias_offset: fails unless @mr is an alias. */
bool orr_memory_region_set_alias_offset(OrrMemoryRegion *mr, uint64_t offset,
                                        GError **errp);
/** orr_memory_region_set_romd: fails unless @mr is a ROM device. */
bool orr_memory_region_set_romd(OrrMemoryRegion *mr, bool romd, GError **errp);

/**
 * orr_memory_transaction_begin:
 *
 * Starts a (nestable) transaction: address spaces are updated once, at
 * the outermost orr_memory_transaction_commit().
 */
void orr_memory_transaction_begin(void);
void orr_memory_transaction_commit(void);

G_END_DECLS

#endif /* ORRERY_MEMORY_H */
