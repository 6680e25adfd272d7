/*
 * orrery tests — the reference renderer: flat views worked out address by
 * address from the region tree, with nothing shared with src/memory.
 */
#include "refview.h"

#define MAX_DEPTH 64 /* deeper than this is a loop in the region graph */

/* Subregion lists, fetched once per evaluation of a whole view. */
static GPtrArray *subregions(GHashTable *cache, OrrMemoryRegion *mr)
{
    GPtrArray *subs = g_hash_table_lookup(cache, mr);

    if (subs == NULL) {
        subs = orr_memory_region_get_subregions(mr);
        g_hash_table_insert(cache, mr, subs);
    }
    return subs;
}

static GHashTable *cache_new(void)
{
    return g_hash_table_new_full(NULL, NULL, NULL,
                                 (GDestroyNotify)g_ptr_array_unref);
}

/* Whether offset @x of a region of @size bytes is inside it. */
static bool inside(uint64_t x, uint64_t size)
{
    return size == ORR_SIZE_2_64 || x < size;
}

/*
 * Whether anything in @mr claims @x, an offset from @mr's start, when what
 * shows @mr is @readonly. Subregions are asked in rendering order and the
 * first to claim @x wins; a terminal region claims what its subregions
 * leave; an alias asks its target at @x + its offset (nothing when that
 * passes 2^64, the end of any target).
 */
static bool claim(GHashTable *cache, OrrMemoryRegion *mr, uint64_t x,
                  bool readonly, guint depth, RefHit *hit)
{
    g_assert_cmpuint(depth, <, MAX_DEPTH);
    if (!orr_memory_region_is_enabled(mr) ||
        !inside(x, orr_memory_region_get_size(mr))) {
        return false;
    }
    readonly = readonly || orr_memory_region_is_readonly(mr);

    OrrRegionKind kind = orr_memory_region_get_kind(mr);

    if (kind == ORR_REGION_ALIAS) {
        OrrMemoryRegion *target = orr_memory_region_get_alias_target(mr);
        uint64_t y = x + orr_memory_region_get_alias_offset(mr);

        return target != NULL && y >= x &&
               claim(cache, target, y, readonly, depth + 1, hit);
    }

    GPtrArray *subs = subregions(cache, mr);

    for (guint i = 0; i < subs->len; i++) {
        OrrMemoryRegion *sub = subs->pdata[i];
        uint64_t at = orr_memory_region_get_address(sub);

        if (x >= at && claim(cache, sub, x - at, readonly, depth + 1, hit)) {
            return true;
        }
    }
    if (kind == ORR_REGION_CONTAINER) {
        return false;
    }
    hit->mr = mr;
    hit->offset = x;
    hit->readonly = readonly || kind == ORR_REGION_ROM;
    return true;
}

static RefHit hit_at(GHashTable *cache, OrrMemoryRegion *root, uint64_t addr)
{
    RefHit h = {NULL, 0, false};

    if (root == NULL || !claim(cache, root, addr, false, 0, &h)) {
        return (RefHit){NULL, 0, false};
    }
    return h;
}

RefHit ref_hit(OrrMemoryRegion *root, uint64_t addr)
{
    g_autoptr(GHashTable) cache = cache_new();

    return hit_at(cache, root, addr);
}

void ref_view(OrrMemoryRegion *root, guint n, RefHit *out)
{
    g_autoptr(GHashTable) cache = cache_new();

    for (guint a = 0; a < n; a++) {
        out[a] = hit_at(cache, root, a);
    }
}

/* --- Whole views ---------------------------------------------------------- */

/* A region seen at an absolute base (mod 2^64) through some path. */
typedef struct Sighting {
    OrrMemoryRegion *mr;
    uint64_t base;
} Sighting;

static guint sighting_hash(gconstpointer p)
{
    const Sighting *s = p;

    return g_direct_hash(s->mr) ^ (guint)(s->base * 0x9e3779b97f4a7c15u >> 32);
}

static gboolean sighting_equal(gconstpointer a, gconstpointer b)
{
    const Sighting *x = a, *y = b;

    return x->mr == y->mr && x->base == y->base;
}

/*
 * Adds to @edges the absolute start and end of @mr at @base and of
 * everything it can show, along every path. Bases wrap mod 2^64: a wrapped
 * edge is a spurious cut, which is harmless; every true edge inside the
 * space is found. A disabled region shows nothing, so adds nothing.
 */
static void collect_edges(GHashTable *seen, GArray *edges, OrrMemoryRegion *mr,
                          uint64_t base, guint depth)
{
    Sighting key = {mr, base};

    g_assert_cmpuint(depth, <, MAX_DEPTH);
    if (!orr_memory_region_is_enabled(mr) ||
        g_hash_table_contains(seen, &key)) {
        return;
    }
    g_hash_table_add(seen, g_memdup2(&key, sizeof(key)));

    uint64_t size = orr_memory_region_get_size(mr);
    uint64_t end = size == ORR_SIZE_2_64 ? base : base + size;

    g_array_append_val(edges, base);
    g_array_append_val(edges, end);

    OrrMemoryRegion *target = orr_memory_region_get_alias_target(mr);

    if (target != NULL) {
        collect_edges(seen, edges, target,
                      base - orr_memory_region_get_alias_offset(mr), depth + 1);
    }

    g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(mr);

    for (guint i = 0; i < subs->len; i++) {
        OrrMemoryRegion *sub = subs->pdata[i];
        collect_edges(seen, edges, sub,
                      base + orr_memory_region_get_address(sub), depth + 1);
    }
}

static int compare_u64(gconstpointer a, gconstpointer b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Drops repeated values from sorted @a. */
static void dedup(GArray *a)
{
    guint n = 0;

    for (guint i = 0; i < a->len; i++) {
        uint64_t v = g_array_index(a, uint64_t, i);
        if (n == 0 || v != g_array_index(a, uint64_t, n - 1)) {
            g_array_index(a, uint64_t, n++) = v;
        }
    }
    g_array_set_size(a, n);
}

/* Whether @r continues @p: adjacent, same region and rights, offsets on. */
static bool continues(const OrrFlatRange *p, const OrrFlatRange *r)
{
    return p->last + 1 == r->start && p->region == r->region &&
           p->readonly == r->readonly &&
           p->offset + (p->last - p->start + 1) == r->offset;
}

GArray *ref_ranges(OrrMemoryRegion *root)
{
    GArray *out = g_array_new(FALSE, FALSE, sizeof(OrrFlatRange));

    if (root == NULL) {
        return out;
    }

    g_autoptr(GHashTable) seen =
        g_hash_table_new_full(sighting_hash, sighting_equal, g_free, NULL);
    g_autoptr(GArray) edges = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    g_autoptr(GHashTable) cache = cache_new();
    uint64_t zero = 0;

    g_array_append_val(edges, zero);
    collect_edges(seen, edges, root, 0, 0);
    g_array_sort(edges, compare_u64);
    dedup(edges);

    for (guint i = 0; i < edges->len; i++) {
        /* A piece ends before the next edge, or at 2^64 - 1. */
        uint64_t start = g_array_index(edges, uint64_t, i);
        uint64_t last = i + 1 < edges->len
                            ? g_array_index(edges, uint64_t, i + 1) - 1
                            : UINT64_MAX;
        RefHit h = hit_at(cache, root, start);

        if (h.mr == NULL) {
            continue;
        }

        OrrFlatRange r = {start, last, h.mr, h.offset, h.readonly};
        OrrFlatRange *p =
            out->len ? &g_array_index(out, OrrFlatRange, out->len - 1) : NULL;

        if (p != NULL && continues(p, &r)) {
            p->last = last;
        } else {
            g_array_append_val(out, r);
        }
    }
    return out;
}

RefHit ref_ranges_at(GArray *ranges, uint64_t addr)
{
    guint lo = 0, hi = ranges->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const OrrFlatRange *r = &g_array_index(ranges, OrrFlatRange, mid);

        if (addr < r->start) {
            hi = mid;
        } else if (addr > r->last) {
            lo = mid + 1;
        } else {
            return (RefHit){r->region, r->offset + (addr - r->start),
                            r->readonly};
        }
    }
    return (RefHit){NULL, 0, false};
}

/* --- Checking and printing ------------------------------------------------ */

bool ref_check_flat(GArray *ranges, GString *why)
{
    for (guint i = 0; i < ranges->len; i++) {
        const OrrFlatRange *r = &g_array_index(ranges, OrrFlatRange, i);
        const OrrFlatRange *p =
            i > 0 ? &g_array_index(ranges, OrrFlatRange, i - 1) : NULL;

        if (r->last < r->start || r->region == NULL ||
            (p != NULL && p->last >= r->start)) {
            g_string_append_printf(why,
                                   "flat range %u [0x%" G_GINT64_MODIFIER
                                   "x, 0x%" G_GINT64_MODIFIER
                                   "x] is empty, unsorted, overlapping or "
                                   "without a region\n",
                                   i, r->start, r->last);
            return false;
        }
        if (p != NULL && continues(p, r)) {
            g_string_append_printf(
                why,
                "flat ranges %u and %u continue each other in %s but are "
                "not merged\n",
                i - 1, i, orr_memory_region_get_name(r->region));
            return false;
        }
    }
    return true;
}

static bool same_range(const OrrFlatRange *a, const OrrFlatRange *b)
{
    return a->start == b->start && a->last == b->last &&
           a->region == b->region && a->offset == b->offset &&
           a->readonly == b->readonly;
}

bool ref_compare_ranges(GArray *expected, GArray *actual, GString *why)
{
    guint n = MIN(expected->len, actual->len);
    guint i = 0;

    while (i < n && same_range(&g_array_index(expected, OrrFlatRange, i),
                               &g_array_index(actual, OrrFlatRange, i))) {
        i++;
    }
    if (i == n && expected->len == actual->len) {
        return true;
    }

    g_autofree char *exp = ref_format_ranges(expected);
    g_autofree char *got = ref_format_ranges(actual);

    g_string_append_printf(why,
                           "flat ranges differ from range %u on\n"
                           "  expected: %s\n"
                           "  actual:   %s\n",
                           i, exp, got);
    return false;
}

char *ref_format_ranges(GArray *ranges)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < ranges->len; i++) {
        const OrrFlatRange *r = &g_array_index(ranges, OrrFlatRange, i);

        g_string_append_printf(
            s, "%s%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %s",
            i ? " " : "", r->start, r->last,
            orr_memory_region_get_name(r->region));
        if (r->offset != 0) {
            g_string_append_printf(s, "@%" G_GINT64_MODIFIER "x", r->offset);
        }
        if (r->readonly) {
            g_string_append(s, "(ro)");
        }
    }
    if (ranges->len == 0) {
        g_string_append(s, "(empty)");
    }
    return g_string_free(s, FALSE);
}

bool ref_same_hit(const RefHit *a, const RefHit *b)
{
    return a->mr == b->mr && (a->mr == NULL || (a->offset == b->offset &&
                                                a->readonly == b->readonly));
}

void ref_append_hit(GString *s, const RefHit *h)
{
    if (h->mr == NULL) {
        g_string_append(s, "nothing");
        return;
    }
    g_string_append_printf(s, "%s@0x%" G_GINT64_MODIFIER "x%s",
                           orr_memory_region_get_name(h->mr), h->offset,
                           h->readonly ? "(ro)" : "");
}
