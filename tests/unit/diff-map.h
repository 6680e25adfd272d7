/*
 * orrery unit tests — the maps of the differential test (test-memory-diff.c):
 * regions with known contents seen through a few address spaces, printed as
 * trees, and described as data so that they can be rebuilt and minimized.
 */
#ifndef ORRERY_TEST_DIFF_MAP_H
#define ORRERY_TEST_DIFF_MAP_H

#include "orrery/orrery.h"
#include "refview.h"

#define DIFF_SPACE 256u /* bytes per address space, 1 byte = 1 unit */
#define DIFF_N_AS 3     /* address spaces per map */

/* --- The real view, per address ------------------------------------------- */

/* Returns: (transfer full): the view @v (DIFF_SPACE hits, borrowed) as
 * "start-last name@offset(ro)" ranges of continuing hits. */
char *diff_format_view(const RefHit *v);

/*
 * diff_real_view:
 * @as: (transfer none): the address space.
 * @out: DIFF_SPACE hits, filled in (the regions borrowed).
 * @why: the first fault is appended here.
 *
 * Expands the flat ranges of @as per address into @out, checking that
 * they are sorted, disjoint, inside the space and merged.
 *
 * Returns: whether they are.
 */
bool diff_real_view(OrrAddressSpace *as, RefHit *out, GString *why);

/* --- Maps: regions with known contents ------------------------------------ */

/* One region of a map; IO regions and ROM devices serve @regs. */
typedef struct DiffReg {
    OrrMemoryRegion *mr; /* NOREF: the map's owner holds it */
    guint index;         /* its name is "r<index>" */
    OrrRegionKind kind;
    uint64_t size;
    uint8_t *regs;   /* IO, ROMD: the bytes the ops read and write */
    guint64 stamp;   /* when it was last mapped or re-prioritized */
    bool romd_shown; /* ROMD: its mode as of the last update (a
                      * mode change shows at the outermost commit) */
} DiffReg;

/* A map: its regions, its address spaces and the reference views. */
typedef struct DiffWorld {
    OrrObject *owner;  /* owns every region and address space; NOREF: the
                        * root holds it until diff_world_free() */
    GPtrArray *regs;   /* DiffReg*, owned, by index (NULL while building) */
    GHashTable *by_mr; /* OrrMemoryRegion* -> DiffReg*, neither held */
    OrrAddressSpace *as[DIFF_N_AS]; /* NOREF: the owner holds them */
    /* the reference view as of the last update */
    RefHit view[DIFF_N_AS][DIFF_SPACE];
    GArray *ranges[DIFF_N_AS]; /* the same, whole (ref_ranges()) */
    GString *log;              /* the edits made, for reports */
    GString *edit_error;       /* an edit that misbehaved */
    guint tx_depth;
    guint64 next_stamp;
} DiffWorld;

/* Returns: (transfer full): a new map without regions, its owner added to
 * the root as "diff-map"; free it with diff_world_free(). */
DiffWorld *diff_world_new(void);

/* Frees @w (transfer full): the owner first (it takes every region and
 * address space with it), then what the ops used. No transaction of the
 * map may be open. */
void diff_world_free(DiffWorld *w);

/*
 * diff_world_add_region:
 * @w: the map; slot @index of its regions must be free.
 * @target: (nullable): for an alias, its target; else NULL.
 *
 * Makes region "r<index>" of @kind and @size, owned by @w's owner and not
 * mapped; its backing and registers hold a pattern distinct per region,
 * offset and buffer. Fails the test if it cannot be made.
 *
 * Returns: (transfer none): the new region, owned by @w.
 */
DiffReg *diff_world_add_region(DiffWorld *w, guint index, OrrRegionKind kind,
                               uint64_t size, DiffReg *target,
                               uint64_t alias_offset);

/* Returns: (transfer none): region @i of @w (@i below their number). */
DiffReg *diff_world_reg(DiffWorld *w, guint i);

/* Returns: (transfer none): the region of @w whose OrrMemoryRegion is @mr
 * (borrowed); fails the test if there is none. */
DiffReg *diff_reg_of(DiffWorld *w, OrrMemoryRegion *mr);

/* Returns: (transfer none): the name of @r's region. */
const char *diff_reg_name(DiffReg *r);

/* Notes that @r was just mapped, or re-sorted by a new priority: it is
 * now the newest among its siblings of equal priority. */
void diff_note_mapped(DiffWorld *w, DiffReg *r);

/* Makes the address spaces "as0" ... of @w, as@k over region @roots[k]
 * (DIFF_N_AS indices, borrowed); @w's owner holds them. */
void diff_world_new_spaces(DiffWorld *w, const guint *roots);

/* Renders the reference of every address space of @w into w->view and
 * w->ranges, and notes the mode each ROM device now shows. */
void diff_world_expect(DiffWorld *w);

/* --- Printing a map ------------------------------------------------------- */

/* Adds to @set (keys borrowed) everything reachable from @mr (nullable)
 * by subregions and aliases. */
void diff_collect_reachable(OrrMemoryRegion *mr, GHashTable *set);

/* Returns: (transfer full): @w as trees in rendering order (subregions:
 * highest priority first, newest first), only what the address spaces can
 * reach. */
char *diff_world_dump(DiffWorld *w);

/* --- Map specifications --------------------------------------------------- */

/* One region of a map as data, so that it can be rebuilt and minimized. */
typedef struct DiffSpec {
    OrrRegionKind kind;
    uint64_t size;
    int parent; /* -1: not mapped */
    uint64_t addr;
    int priority;
    guint32 order; /* mapping order among everything mapped */
    bool enabled;
    bool readonly;
    bool romd;
    int target; /* aliases */
    uint64_t alias_offset;
} DiffSpec;

/* A map as data. */
typedef struct DiffMapSpec {
    GArray *regions; /* DiffSpec; region i is named "r<i>" */
    guint as_root[DIFF_N_AS];
} DiffMapSpec;

/* Frees @s (transfer full). */
void diff_spec_free(DiffMapSpec *s);

/* Returns: (transfer full): a copy of @s (borrowed). */
DiffMapSpec *diff_spec_copy(const DiffMapSpec *s);

/* Returns: (transfer none): region @i of @s, valid while @s's regions
 * are not resized. */
DiffSpec *diff_spec_at(const DiffMapSpec *s, guint i);

/* Returns: (transfer full): the map of @s (borrowed), built: regions
 * (alias targets first), mappings in their order, flags, then the address
 * spaces, and the reference views; free it with diff_world_free(). */
DiffWorld *diff_world_build(const DiffMapSpec *s);

/* Returns: (transfer full): @w's live map as a spec (contents are not
 * kept). */
DiffMapSpec *diff_world_snapshot(DiffWorld *w);

/* Random parts of a map, from @rand (borrowed): a size for a region of
 * @kind, an offset in a region of @size (sometimes reaching past its end),
 * a priority and a kind. */
uint64_t diff_rand_size(GRand *rand, OrrRegionKind kind);
uint64_t diff_rand_offset(GRand *rand, uint64_t size);
int diff_rand_priority(GRand *rand);
OrrRegionKind diff_rand_kind(GRand *rand);

/*
 * diff_spec_random:
 * @rand: (transfer none): the source of the map.
 *
 * A random map of 2 to @max_regions regions. Every edge goes from a lower
 * index to a higher one (container to subregion, alias to target), so
 * there is no loop; r0 is the main root, of DIFF_SPACE bytes, and the
 * nesting under any region is at most 3 deep.
 *
 * Returns: (transfer full): the map's spec.
 */
DiffMapSpec *diff_spec_random(GRand *rand, guint max_regions);

#endif /* ORRERY_TEST_DIFF_MAP_H */
