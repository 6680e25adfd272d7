/*
 * orrery memory — the address-space TLB: recently used RAM and ROM pages
 * with their host addresses, read inline by orr_address_space_read() and
 * orr_address_space_write() (include/orrery/address-space.h).
 *
 * Direct-mapped, indexed by the top bits of a multiplicative (Fibonacci)
 * hash of the page number, so that pages at any regular stride spread over
 * the table. An entry is 16 bytes, a tag and a host bias, so that a hit
 * is one load of the entry and one compare; the tag's low bits say which
 * directions go to the backing. Invalidation is a generation step: a tag
 * carries the generation, so a flush (every change of the view) is one
 * addition, and the table is wiped only when the generation wraps.
 *
 * The table starts as a shared empty one and is allocated at the first
 * fill. It doubles, up to TLB_MAX_BITS, when it thrashes: when as many
 * entries as it has have been evicted while young (filled fewer fills ago
 * than the table has entries), its working set does not fit. The fill
 * counts that tell young from old live in a side array, out of the way of
 * the inline path.
 */
#include "memory-internal.h"

#define TLB_MIN_BITS 7u
#define TLB_MAX_BITS 14u /* 16384 pages, 256 KiB of entries */

/* The table of an address space with none: two entries (the largest
 * shift is 63), both empty, never written. */
static OrrTlbEntry tlb_none[2];

static unsigned tlb_bits(const OrrAddressSpace *as)
{
    return 64u - as->head.tlb_shift;
}

static gsize tlb_entries(const OrrAddressSpace *as)
{
    return (gsize)1 << tlb_bits(as);
}

void orr__tlb_init(OrrAddressSpace *as)
{
    as->head.tlb = tlb_none;
    as->head.tlb_shift = 63;
    as->head.tlb_gen = ORR__TLB_GEN_ONE;
    as->tlb_age = NULL;
    as->tlb_fills = 0;
    as->tlb_thrash = 0;
}

void orr__tlb_free(OrrAddressSpace *as)
{
    if (as->head.tlb != tlb_none) {
        g_aligned_free(as->head.tlb);
        g_free(as->tlb_age);
    }
    orr__tlb_init(as);
}

void orr__tlb_flush(OrrAddressSpace *as)
{
    g_assert(as->head.tlb_gen >= ORR__TLB_GEN_ONE &&
             (as->head.tlb_gen & ~ORR__TLB_GEN_MASK) == 0);
    if (as->head.tlb_gen < ORR__TLB_GEN_MASK) {
        as->head.tlb_gen += ORR__TLB_GEN_ONE;
        return;
    }
    /* The generation wraps: forget every old tag before it is reused. */
    if (as->head.tlb != tlb_none) {
        memset(as->head.tlb, 0, tlb_entries(as) * sizeof(OrrTlbEntry));
    }
    as->head.tlb_gen = ORR__TLB_GEN_ONE;
}

/* Replaces the table by an empty one of 2^@bits entries. */
static void tlb_resize(OrrAddressSpace *as, unsigned bits)
{
    g_assert(bits >= TLB_MIN_BITS && bits <= TLB_MAX_BITS);
    gsize n = (gsize)1 << bits;
    /* Aligned to a cache line, so that no entry straddles two. */
    OrrTlbEntry *tlb = g_aligned_alloc0(n, sizeof(OrrTlbEntry), 64);

    orr__tlb_free(as);
    as->head.tlb = tlb;
    as->head.tlb_shift = 64u - bits;
    as->tlb_age = g_new0(uint64_t, n);
}

static bool tlb_entry_valid(const OrrAddressSpace *as, const OrrTlbEntry *t)
{
    return t->tag != 0 && (t->tag & ORR__TLB_GEN_MASK) == as->head.tlb_gen;
}

void orr__tlb_fill(OrrAddressSpace *as, uint64_t addr, uintptr_t bias,
                   bool can_read, bool can_write)
{
    g_assert(can_read || can_write);
    if (as->head.tlb == tlb_none) {
        tlb_resize(as, TLB_MIN_BITS);
    }

    OrrTlbEntry *t = orr__tlb_entry(&as->head, addr);
    uint64_t entries = tlb_entries(as);

    if (tlb_bits(as) < TLB_MAX_BITS && tlb_entry_valid(as, t) &&
        as->tlb_fills - as->tlb_age[t - as->head.tlb] < entries &&
        ++as->tlb_thrash >= entries) {
        tlb_resize(as, tlb_bits(as) + 1);
        t = orr__tlb_entry(&as->head, addr);
    }
    t->tag = (addr & ~ORR__TLB_PAGE_MASK) | as->head.tlb_gen |
             (can_read ? 0 : ORR__TLB_NOREAD) |
             (can_write ? 0 : ORR__TLB_NOWRITE);
    t->addend = bias;
    as->tlb_age[t - as->head.tlb] = as->tlb_fills++;
}
