/*
 * orrery memory — the address-space TLB: recently used RAM and ROM pages
 * with their host addresses, read inline by orr_address_space_read() and
 * orr_address_space_write() (include/orrery/address-space.h).
 *
 * Direct-mapped, indexed by bits of a multiplicative (Fibonacci) hash of
 * the page number, so that pages at any regular stride spread over the
 * table. An entry is 16 bytes, a tag and a host bias, so that a hit is
 * one load of the entry and one compare; the tag's low bit says whether
 * writes go to the backing too.
 *
 * A flush (every change of the view) empties the entries filled since
 * the last one, which a log of their indices names, so that it costs no
 * more than the fills did; when more fills were made than the log holds
 * (a quarter of the table), it empties the whole table.
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
#define TLB_MAX_BITS ORR__TLB_MAX_BITS /* 16384 pages, 256 KiB of entries */

/* The table of an address space with none: one entry (the mask is 0),
 * empty, never written. */
static OrrTlbEntry tlb_none[1] = {{.tag = ORR__TLB_EMPTY}};

static gsize tlb_entries(const OrrAddressSpace *as)
{
    return (gsize)(as->head.tlb_mask >> ORR__TLB_ENTRY_BITS) + 1;
}

static unsigned tlb_bits(const OrrAddressSpace *as)
{
    return (unsigned)g_bit_storage(tlb_entries(as)) - 1;
}

/* The capacity of the fill log of a table of @entries. */
static gsize tlb_log_size(gsize entries)
{
    return entries / 4;
}

/* Empties every entry of the table. */
static void tlb_wipe(OrrTlbEntry *tlb, gsize entries)
{
    for (gsize i = 0; i < entries; i++) {
        tlb[i].tag = ORR__TLB_EMPTY;
    }
}

/* Points @as at the shared empty table, forgetting its own (if any). */
static void tlb_set_none(OrrAddressSpace *as)
{
    as->head.tlb = tlb_none;
    as->head.tlb_mask = 0;
    as->tlb_age = NULL;
    as->tlb_log = NULL;
    as->tlb_logged = 0;
    as->tlb_fills = 0;
    as->tlb_thrash = 0;
}

void orr__tlb_init(OrrAddressSpace *as)
{
    tlb_set_none(as);
}

void orr__tlb_free(OrrAddressSpace *as)
{
    if (as->head.tlb != tlb_none) {
        g_aligned_free(as->head.tlb);
        g_free(as->tlb_age);
        g_free(as->tlb_log);
    }
    tlb_set_none(as);
}

void orr__tlb_flush(OrrAddressSpace *as)
{
    gsize entries = tlb_entries(as);

    if (as->head.tlb == tlb_none) {
        g_assert(as->tlb_logged == 0);
        return;
    }
    if (as->tlb_logged > tlb_log_size(entries)) {
        tlb_wipe(as->head.tlb, entries);
    } else {
        for (guint i = 0; i < as->tlb_logged; i++) {
            g_assert(as->tlb_log[i] < entries);
            as->head.tlb[as->tlb_log[i]].tag = ORR__TLB_EMPTY;
        }
    }
    as->tlb_logged = 0;
}

/* Replaces the table by an empty one of 2^@bits entries. */
static void tlb_resize(OrrAddressSpace *as, unsigned bits)
{
    g_assert(bits >= TLB_MIN_BITS && bits <= TLB_MAX_BITS);
    gsize n = (gsize)1 << bits;
    /* Aligned to a cache line, so that no entry straddles two. */
    OrrTlbEntry *tlb = g_aligned_alloc0(n, sizeof(OrrTlbEntry), 64);

    /* Zeroed too, so that the inline path never loads an undefined
     * addend (it loads the addend before it compares the tag). */
    tlb_wipe(tlb, n);
    orr__tlb_free(as);
    as->head.tlb = tlb;
    as->head.tlb_mask = (uint64_t)(n - 1) << ORR__TLB_ENTRY_BITS;
    as->tlb_age = g_new0(uint64_t, n);
    as->tlb_log = g_new(guint32, tlb_log_size(n));
    g_assert(tlb_bits(as) == bits);
}

static bool tlb_entry_valid(const OrrTlbEntry *t)
{
    return t->tag != ORR__TLB_EMPTY;
}

/* Notes that entry @index was filled, for the next flush. */
static void tlb_log_fill(OrrAddressSpace *as, gsize index)
{
    if (as->tlb_logged < tlb_log_size(tlb_entries(as))) {
        as->tlb_log[as->tlb_logged] = (guint32)index;
    }
    /* Past the log's end, the count only says that it overflowed. */
    as->tlb_logged = MIN(as->tlb_logged + 1, tlb_log_size(tlb_entries(as)) + 1);
}

/* The table's entry for @addr, to write. */
static OrrTlbEntry *tlb_slot(OrrAddressSpace *as, uint64_t addr)
{
    const OrrTlbEntry *t = orr__tlb_entry(&as->head, addr);

    g_assert(t >= as->head.tlb && t < as->head.tlb + tlb_entries(as));
    return as->head.tlb + (t - as->head.tlb);
}

void orr__tlb_fill(OrrAddressSpace *as, uint64_t addr, uintptr_t bias,
                   bool can_write)
{
    if (as->head.tlb == tlb_none) {
        tlb_resize(as, TLB_MIN_BITS);
    }

    OrrTlbEntry *t = tlb_slot(as, addr);
    uint64_t entries = tlb_entries(as);

    if (tlb_bits(as) < TLB_MAX_BITS && tlb_entry_valid(t) &&
        as->tlb_fills - as->tlb_age[t - as->head.tlb] < entries &&
        ++as->tlb_thrash >= entries) {
        tlb_resize(as, tlb_bits(as) + 1);
        t = tlb_slot(as, addr);
    }
    if (!tlb_entry_valid(t)) {
        tlb_log_fill(as, (gsize)(t - as->head.tlb));
    }
    t->tag = (addr & ~ORR__TLB_PAGE_MASK) | (can_write ? 0 : ORR__TLB_NOWRITE);
    t->addend = bias;
    as->tlb_age[t - as->head.tlb] = as->tlb_fills++;
}
