/*
 * orrery memory — the address-space TLB: recently used RAM and ROM pages
 * with their host addresses, read inline by orr_address_space_read() and
 * orr_address_space_write() (include/orrery/address-space.h).
 *
 * Sets of two ways, indexed by the top bits of a multiplicative (Fibonacci)
 * hash of the page number, so that pages at any regular stride spread over
 * the sets. A fill puts the new page in way 0 and moves way 0 to way 1:
 * each set keeps its two most recently filled pages. Invalidation is a
 * generation step: a tag carries the generation in its low bits, so a
 * flush (every change of the view) is one increment, and the table is
 * wiped only when the generation wraps.
 *
 * The table starts as a shared empty one and is allocated at the first
 * fill. It doubles, up to TLB_MAX_SETS, when it thrashes: when as many
 * entries as it has sets have been evicted while young (filled fewer
 * fills ago than the table has entries), its working set does not fit.
 */
#include "memory-internal.h"

#define TLB_MIN_BITS 6u
#define TLB_MAX_BITS 12u /* 4096 sets, 8192 pages, 256 KiB of entries */

/* The table of an address space with none: one set (the smallest shift
 * is 63, which gives two), all tags 0, never written. */
static OrrTlbEntry tlb_none[4];

static unsigned tlb_bits(const OrrAddressSpace *as)
{
    return 64u - as->head.tlb_shift;
}

void orr__tlb_init(OrrAddressSpace *as)
{
    as->head.tlb = tlb_none;
    as->head.tlb_shift = 63;
    as->head.tlb_gen = 1;
    as->tlb_fills = 0;
    as->tlb_thrash = 0;
}

void orr__tlb_free(OrrAddressSpace *as)
{
    if (as->head.tlb != tlb_none) {
        g_aligned_free(as->head.tlb);
    }
    orr__tlb_init(as);
}

void orr__tlb_flush(OrrAddressSpace *as)
{
    g_assert(as->head.tlb_gen >= 1 && as->head.tlb_gen <= ORR__TLB_PAGE_MASK);
    if (as->head.tlb_gen < ORR__TLB_PAGE_MASK) {
        as->head.tlb_gen++;
        return;
    }
    /* The generation wraps: forget every old tag before it is reused. */
    if (as->head.tlb != tlb_none) {
        memset(as->head.tlb, 0,
               ((size_t)2 << tlb_bits(as)) * sizeof(OrrTlbEntry));
    }
    as->head.tlb_gen = 1;
}

/* Replaces the table by an empty one of 2^@bits sets. */
static void tlb_resize(OrrAddressSpace *as, unsigned bits)
{
    g_assert(bits >= TLB_MIN_BITS && bits <= TLB_MAX_BITS);
    OrrTlbEntry *tlb = g_aligned_alloc0((size_t)2 << bits, sizeof(OrrTlbEntry),
                                        2 * sizeof(OrrTlbEntry));

    if (as->head.tlb != tlb_none) {
        g_aligned_free(as->head.tlb);
    }
    as->head.tlb = tlb;
    as->head.tlb_shift = 64u - bits;
    as->tlb_thrash = 0;
}

static bool tlb_entry_valid(const OrrAddressSpace *as, const OrrTlbEntry *t)
{
    uint64_t tag = t->read_tag != 0 ? t->read_tag : t->write_tag;

    return tag != 0 && (tag & ORR__TLB_PAGE_MASK) == as->head.tlb_gen;
}

void orr__tlb_fill(OrrAddressSpace *as, uint64_t addr, uintptr_t bias,
                   bool can_read, bool can_write)
{
    uint64_t tag = (addr & ~ORR__TLB_PAGE_MASK) | as->head.tlb_gen;

    g_assert(can_read || can_write);
    if (as->head.tlb == tlb_none) {
        tlb_resize(as, TLB_MIN_BITS);
    }

    OrrTlbEntry *set = orr__tlb_set(&as->head, addr);
    uint64_t entries = (uint64_t)2 << tlb_bits(as);

    if (tlb_bits(as) < TLB_MAX_BITS && tlb_entry_valid(as, &set[1]) &&
        as->tlb_fills - set[1].age < entries &&
        ++as->tlb_thrash >= entries / 2) {
        tlb_resize(as, tlb_bits(as) + 1);
        set = orr__tlb_set(&as->head, addr);
    }
    set[1] = set[0];
    set[0] = (OrrTlbEntry){
        .read_tag = can_read ? tag : 0,
        .write_tag = can_write ? tag : 0,
        .addend = bias,
        .age = as->tlb_fills++,
    };
}
