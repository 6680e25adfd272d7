/*
 * orrery tests — a deliberately naive reference renderer of flat views,
 * the oracle of the differential test and of the memory fuzzer.
 */
#ifndef ORRERY_TEST_REFVIEW_H
#define ORRERY_TEST_REFVIEW_H

#include "orrery/orrery.h"

/* What an address shows: a terminal region at an offset, or nothing. */
typedef struct RefHit {
    OrrMemoryRegion *mr; /* NULL: no region claims the address; NOREF */
    uint64_t offset;
    bool readonly;
} RefHit;

/*
 * ref_hit:
 * @root: (nullable): the root of an address space; NULL shows nothing.
 *
 * What address @addr of an address space over @root shows, worked out by
 * asking the region tree "who claims this address?" through public
 * getters only: subregions in rendering order, the first claim wins, a
 * terminal region claims what its subregions leave, an alias asks its
 * target. Aborts on a loop in the region graph.
 */
RefHit ref_hit(OrrMemoryRegion *root, uint64_t addr);

/* The reference view of addresses [0, @n) over @root, into @out. */
void ref_view(OrrMemoryRegion *root, guint n, RefHit *out);

/*
 * ref_ranges:
 * @root: (nullable): as for ref_hit().
 *
 * The whole reference view, 2^64 addresses: every region's edges, as seen
 * from the root through every path of subregions and aliases, cut the
 * space into pieces on which nothing changes; each piece is asked of
 * ref_hit() once, and pieces that continue each other are merged.
 *
 * Returns: (transfer full): #OrrFlatRange sorted by address, the regions
 *   borrowed, as orr_address_space_get_flat_ranges() gives them.
 */
GArray *ref_ranges(OrrMemoryRegion *root);

/* The hit of @addr in @ranges (#OrrFlatRange, sorted). */
RefHit ref_ranges_at(GArray *ranges, uint64_t addr);

/* Whether @ranges is well formed: sorted, disjoint, each with a region,
 * and merged (no two neighbours continue each other). Appends the first
 * fault to @why. */
bool ref_check_flat(GArray *ranges, GString *why);

/* Whether @actual equals @expected, range for range; else appends the
 * first difference and both views to @why. */
bool ref_compare_ranges(GArray *expected, GArray *actual, GString *why);

/* Returns: (transfer full): @ranges as "start-last name@offset(ro)". */
char *ref_format_ranges(GArray *ranges);

bool ref_same_hit(const RefHit *a, const RefHit *b);
/* Appends "name@0xoffset(ro)" or "nothing". */
void ref_append_hit(GString *s, const RefHit *h);

#endif /* ORRERY_TEST_REFVIEW_H */
