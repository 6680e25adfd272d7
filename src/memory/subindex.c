/*
 * orrery memory — the address index of a container's subregions.
 *
 * A container keeps its subregions twice: in precedence order (the edges,
 * subregions) and sorted by address (by_addr), with the largest size among
 * them. A render clipped to a small window then visits only the siblings
 * that can overlap it, found by binary search, instead of all of them:
 * a map change inside a container of thousands of regions costs about as
 * much as one inside a small one.
 */
#include "memory-internal.h"

/* Below this many subregions a plain walk is as fast. */
#define SUBINDEX_MIN 16

/* Index of the first entry of @by_addr whose address is not below @addr
 * (or, with @after, above it). */
static guint lower_bound(GPtrArray *by_addr, OrrU128 addr, bool after)
{
    guint lo = 0, hi = by_addr->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        OrrU128 a = ((OrrMemoryRegion *)by_addr->pdata[mid])->addr;
        if (a < addr || (after && a == addr)) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

void orr__subindex_add(OrrMemoryRegion *c, OrrMemoryRegion *sub)
{
    g_ptr_array_insert(c->by_addr,
                       (gint)lower_bound(c->by_addr, sub->addr, true), sub);
    if (!c->sub_max_stale && sub->size >= c->sub_max_size) {
        c->sub_max_count =
            sub->size == c->sub_max_size ? c->sub_max_count + 1 : 1;
        c->sub_max_size = sub->size;
    }
}

void orr__subindex_remove(OrrMemoryRegion *c, OrrMemoryRegion *sub)
{
    guint i = lower_bound(c->by_addr, sub->addr, false);

    while (i < c->by_addr->len && c->by_addr->pdata[i] != sub) {
        i++;
    }
    g_assert(i < c->by_addr->len);
    g_ptr_array_remove_index(c->by_addr, i);
    if (sub->size == c->sub_max_size && --c->sub_max_count == 0) {
        c->sub_max_stale = true; /* worked out again when needed */
    }
}

void orr__subindex_clear(OrrMemoryRegion *c)
{
    g_ptr_array_set_size(c->by_addr, 0);
    c->sub_max_size = 0;
    c->sub_max_count = 0;
    c->sub_max_stale = false;
}

static OrrU128 max_size(OrrMemoryRegion *c)
{
    if (c->sub_max_stale) {
        c->sub_max_size = 0;
        c->sub_max_count = 0;
        for (guint i = 0; i < c->by_addr->len; i++) {
            OrrU128 s = ((OrrMemoryRegion *)c->by_addr->pdata[i])->size;
            if (s > c->sub_max_size) {
                c->sub_max_size = s;
                c->sub_max_count = 1;
            } else if (s == c->sub_max_size) {
                c->sub_max_count++;
            }
        }
        c->sub_max_stale = false;
    }
    return c->sub_max_size;
}

/* Strongest first: higher priority, then newer. */
static gint by_precedence(gconstpointer a, gconstpointer b)
{
    const OrrMemoryRegion *x = *(OrrMemoryRegion *const *)a;
    const OrrMemoryRegion *y = *(OrrMemoryRegion *const *)b;

    if (x->priority != y->priority) {
        return x->priority > y->priority ? -1 : 1;
    }
    return x->map_serial > y->map_serial ? -1 : x->map_serial < y->map_serial;
}

GPtrArray *orr__subindex_overlapping(OrrMemoryRegion *c, OrrU128 lo, OrrU128 hi)
{
    if (c->subregions->len < SUBINDEX_MIN || (lo == 0 && hi >= c->size)) {
        return NULL; /* few siblings, or all of them are in the window */
    }

    OrrU128 reach = max_size(c);
    /* A sibling at @addr overlaps [lo, hi) only if addr < hi and
     * addr + size > lo, so its address is above lo - reach. */
    guint i = lo > reach ? lower_bound(c->by_addr, lo - reach, true) : 0;
    GPtrArray *found = g_ptr_array_new();

    for (; i < c->by_addr->len; i++) {
        OrrMemoryRegion *sub = c->by_addr->pdata[i];
        if (sub->addr >= hi) {
            break;
        }
        if ((OrrU128)sub->addr + sub->size > lo) {
            g_ptr_array_add(found, sub);
        }
    }
    g_ptr_array_sort(found, by_precedence);
    return found;
}
