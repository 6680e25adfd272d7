/*
 * orrery memory — flat views: a region tree rendered into sorted,
 * non-overlapping ranges of terminal regions.
 *
 * Rendering walks the tree in order of precedence: a container's
 * subregions highest priority first (at equal priority the newest first),
 * then, for a terminal region, the region itself. Each range only fills
 * the gaps that earlier, stronger ranges left, so the first to claim an
 * address wins. A view pins every region it shows, and holds the lifetime
 * unit of each unless the edge from the root is non-owning, so nothing it
 * shows can be freed while the view exists (an access in flight may keep
 * an old view after the map changed).
 */
#include "memory-internal.h"

__extension__ typedef __int128 OrrS128;

typedef struct OrrFlatPin {
    OrrMemoryRegion *mr; /* pinned */
    OrrObject *unit;     /* (nullable) held: @mr's unit when owning */
    guint entries;       /* how many entries of the view show it */
} OrrFlatPin;

typedef struct RenderCtx {
    OrrMemoryRegion *root; /* NOREF: the edges are classified from it */
    GArray *entries;
} RenderCtx;

static const OrrHolder view_holder = {.kind = ORR_HOLDER_FLATVIEW};

/* --- Inserting into the gaps ---------------------------------------------- */

/* Index of the first entry whose end is above @addr. */
static guint first_ending_after(GArray *entries, OrrU128 addr)
{
    guint lo = 0, hi = entries->len;

    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(entries, OrrFlatEntry, mid).end <= addr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* Claims what is still free of [start, end) for @mr, whose offset at
 * @start is @offset. */
static void fill_gaps(GArray *entries, OrrU128 start, OrrU128 end,
                      OrrMemoryRegion *mr, OrrU128 offset, bool readonly)
{
    guint i = first_ending_after(entries, start);
    OrrU128 cur = start;

    while (cur < end) {
        OrrU128 next = end;

        if (i < entries->len) {
            const OrrFlatEntry *e = &g_array_index(entries, OrrFlatEntry, i);
            if (e->start <= cur) {
                cur = e->end;
                i++;
                continue;
            }
            next = MIN(e->start, end);
        }
        OrrFlatEntry piece = {
            .start = cur,
            .end = next,
            .mr = mr,
            .offset = (uint64_t)(offset + (cur - start)),
            .readonly = readonly,
            .reads_backing = mr->kind == ORR_REGION_RAM ||
                             mr->kind == ORR_REGION_ROM ||
                             (mr->kind == ORR_REGION_ROMD && mr->romd_mode),
            .writes_backing = mr->kind == ORR_REGION_RAM,
        };
        g_array_insert_val(entries, i, piece);
        i++;
        cur = next;
    }
}

/* --- Rendering ------------------------------------------------------------ */

/*
 * Renders @mr placed at @base (which an alias offset can make negative),
 * clipped to [@clip_start, @clip_end).
 */
static void render_region(RenderCtx *ctx, OrrMemoryRegion *mr, OrrS128 base,
                          OrrS128 clip_start, OrrS128 clip_end, bool readonly)
{
    OrrS128 start = MAX(base, clip_start);
    OrrS128 end = MIN(base + (OrrS128)mr->size, clip_end);

    /* The cheap test first: a window render visits every sibling. */
    if (start >= end || !mr->enabled || !orr__region_is_usable(mr)) {
        return;
    }
    readonly = readonly || mr->readonly;
    if (mr->kind == ORR_REGION_ALIAS) {
        if (mr->alias != NULL) {
            render_region(ctx, mr->alias, base - (OrrS128)mr->alias_offset,
                          start, end, readonly);
        }
        return;
    }
    g_autoptr(GPtrArray) near = orr__subindex_overlapping(
        mr, (OrrU128)(start - base), (OrrU128)(end - base));

    if (near != NULL) {
        for (guint i = 0; i < near->len; i++) {
            OrrMemoryRegion *sub = near->pdata[i];
            render_region(ctx, sub, base + (OrrS128)sub->addr, start, end,
                          readonly);
        }
    } else {
        for (guint i = mr->subregions->len; i-- > 0;) {
            OrrMemoryRegion *sub = mr->subregions->pdata[i];
            render_region(ctx, sub, base + (OrrS128)sub->addr, start, end,
                          readonly);
        }
    }
    if (ORR__REGION_IS_TERMINAL(mr)) {
        fill_gaps(ctx->entries, (OrrU128)start, (OrrU128)end, mr,
                  (OrrU128)(start - base),
                  readonly || mr->kind == ORR_REGION_ROM);
    }
}

/* Joins neighbours that continue each other in the same region. */
static bool entries_join(const OrrFlatEntry *a, const OrrFlatEntry *b);

static void merge_entries(GArray *entries)
{
    guint out = 0;

    for (guint i = 0; i < entries->len; i++) {
        OrrFlatEntry *e = &g_array_index(entries, OrrFlatEntry, i);
        OrrFlatEntry *prev =
            out > 0 ? &g_array_index(entries, OrrFlatEntry, out - 1) : NULL;

        if (prev != NULL && entries_join(prev, e)) {
            prev->end = e->end;
            continue;
        }
        g_array_index(entries, OrrFlatEntry, out++) = *e;
    }
    g_array_set_size(entries, out);
}

/* Counts one more entry showing @e's region, pinning it on the first, and
 * notes in @e whether the view holds the region's unit. */
static void pin_entry(OrrFlatView *view, OrrMemoryRegion *root, OrrFlatEntry *e)
{
    OrrMemoryRegion *mr = e->mr;
    OrrFlatPin *pin = g_hash_table_lookup(view->pin_index, mr);

    if (pin != NULL) {
        pin->entries++;
        e->unit_pinned = pin->unit != NULL;
        return;
    }
    pin = g_new0(OrrFlatPin, 1);
    pin->mr = mr;
    pin->entries = 1;
    orr_object_pin((OrrObject *)mr, &view_holder);
    if (orr_edge_is_owning((OrrObject *)root, (OrrObject *)mr)) {
        /* Kept: the region may leave its owner before the view goes. */
        pin->unit = orr_object_get_lifetime_unit((OrrObject *)mr);
        orr_object_pin(pin->unit, &view_holder);
    }
    e->unit_pinned = pin->unit != NULL;
    g_hash_table_insert(view->pin_index, mr, pin);
}

/* Drops the view's hold on a region no entry shows any more. Unpin before
 * dropping the unit, so that a region finalized here goes while its owner
 * is still whole. May run any finalizer. */
static void pin_release(OrrFlatPin *pin)
{
    orr_object_unpin((OrrObject *)pin->mr, &view_holder);
    if (pin->unit != NULL) {
        orr_object_unpin(pin->unit, &view_holder);
    }
    g_free(pin);
}

/* Counts one entry fewer for @mr; a pin whose count reaches zero leaves
 * the view's tables and is appended to @dead for the caller to release
 * once the view is consistent again. */
static void unpin_entry(OrrFlatView *view, OrrMemoryRegion *mr, GPtrArray *dead)
{
    OrrFlatPin *pin = g_hash_table_lookup(view->pin_index, mr);

    g_assert(pin != NULL && pin->entries > 0);
    if (--pin->entries == 0) {
        g_hash_table_remove(view->pin_index, mr);
        g_ptr_array_add(dead, pin);
    }
}

static OrrFlatView *flatview_new(void)
{
    OrrFlatView *view = g_new0(OrrFlatView, 1);

    view->ref = 1;
    view->entries = g_array_new(FALSE, FALSE, sizeof(OrrFlatEntry));
    view->pin_index = g_hash_table_new(NULL, NULL);
    return view;
}

OrrFlatView *orr__flatview_render(OrrMemoryRegion *root)
{
    OrrFlatView *view = flatview_new();

    if (root != NULL) {
        RenderCtx ctx = {.root = root, .entries = view->entries};
        render_region(&ctx, root, 0, 0, (OrrS128)ORR_U128_2_64, false);
        merge_entries(view->entries);
        for (guint i = 0; i < view->entries->len; i++) {
            pin_entry(view, root,
                      &g_array_index(view->entries, OrrFlatEntry, i));
        }
    }
    orr__flatview_check_invariants(view);
    return view;
}

/* Whether @b continues @a in the same region with the same rights. */
static bool entries_join(const OrrFlatEntry *a, const OrrFlatEntry *b)
{
    return a->mr == b->mr && a->end == b->start && a->readonly == b->readonly &&
           a->reads_backing == b->reads_backing &&
           (OrrU128)a->offset + (a->end - a->start) == b->offset;
}

/* Merges entry @i into entry @i - 1 when they join. */
static void merge_at(OrrFlatView *view, guint i, GPtrArray *dead)
{
    GArray *entries = view->entries;

    if (i == 0 || i >= entries->len) {
        return;
    }
    OrrFlatEntry *prev = &g_array_index(entries, OrrFlatEntry, i - 1);
    OrrFlatEntry *e = &g_array_index(entries, OrrFlatEntry, i);
    if (entries_join(prev, e)) {
        prev->end = e->end;
        unpin_entry(view, e->mr, dead);
        g_array_remove_index(entries, i);
    }
}

/*
 * Re-renders the window [@lo, @hi) of @root into @view in place: the
 * entries overlapping the window are cut at its edges, the inside is
 * replaced by a fresh render clipped to it, and the seams are merged.
 * The result equals a full render because rendering is local: what
 * claims an address depends only on the tree, not on other addresses.
 */
void orr__flatview_update_window(OrrFlatView *view, OrrMemoryRegion *root,
                                 OrrU128 lo, OrrU128 hi)
{
    GArray *entries = view->entries;
    g_autoptr(GArray) fresh = g_array_new(FALSE, FALSE, sizeof(OrrFlatEntry));
    g_autoptr(GPtrArray) dead = g_ptr_array_new();
    RenderCtx ctx = {.root = root, .entries = fresh};

    g_assert(lo < hi && hi <= ORR_U128_2_64);
    render_region(&ctx, root, 0, (OrrS128)lo, (OrrS128)hi, false);
    merge_entries(fresh);

    guint first = first_ending_after(entries, lo);
    guint last = first; /* one past the last entry overlapping the window */
    while (last < entries->len &&
           g_array_index(entries, OrrFlatEntry, last).start < hi) {
        last++;
    }

    /* The parts of the edge entries outside the window survive. */
    g_autoptr(GArray) keep = g_array_new(FALSE, FALSE, sizeof(OrrFlatEntry));
    if (first < last) {
        OrrFlatEntry head = g_array_index(entries, OrrFlatEntry, first);
        OrrFlatEntry tail = g_array_index(entries, OrrFlatEntry, last - 1);
        if (head.start < lo) {
            head.end = lo;
            g_array_append_val(keep, head);
        }
        g_array_append_vals(keep, fresh->data, fresh->len);
        if (tail.end > hi) {
            tail.offset += (uint64_t)(hi - tail.start);
            tail.start = hi;
            g_array_append_val(keep, tail);
        }
    } else {
        g_array_append_vals(keep, fresh->data, fresh->len);
    }

    for (guint i = 0; i < keep->len; i++) {
        pin_entry(view, root, &g_array_index(keep, OrrFlatEntry, i));
    }
    for (guint i = first; i < last; i++) {
        unpin_entry(view, g_array_index(entries, OrrFlatEntry, i).mr, dead);
    }
    g_array_remove_range(entries, first, last - first);
    g_array_insert_vals(entries, first, keep->data, keep->len);
    merge_at(view, first + keep->len, dead);
    for (guint i = first + keep->len; i-- > first && i > 0;) {
        merge_at(view, i, dead);
    }
    view->mru = NULL; /* the array moved */
    orr__flatview_check_window(view, first, first + keep->len);

    for (guint i = 0; i < dead->len; i++) {
        pin_release(dead->pdata[i]);
    }
}

OrrFlatView *orr__flatview_ref(OrrFlatView *view)
{
    g_assert(view->ref > 0);
    view->ref++;
    return view;
}

/* Unpins from the highest address down; each release may finalize a
 * region (and with it change the map: the update then runs again, see
 * transaction.c), so the view is taken apart before anything is released. */
void orr__flatview_unref(OrrFlatView *view)
{
    g_assert(view->ref > 0);
    if (--view->ref > 0) {
        return;
    }
    g_autoptr(GPtrArray) dead = g_ptr_array_new();

    for (guint i = view->entries->len; i-- > 0;) {
        unpin_entry(view, g_array_index(view->entries, OrrFlatEntry, i).mr,
                    dead);
    }
    g_assert(g_hash_table_size(view->pin_index) == 0);
    g_hash_table_unref(view->pin_index);
    g_array_unref(view->entries);
    g_free(view);
    for (guint i = 0; i < dead->len; i++) {
        pin_release(dead->pdata[i]);
    }
}

/* --- Lookup --------------------------------------------------------------- */

/* The last address of @e: end - 1 always fits in 64 bits. */
static inline uint64_t entry_last(const OrrFlatEntry *e)
{
    return (uint64_t)e->end - 1;
}

/* A branch-free binary search: its cost is the same few loads whatever
 * the addresses, where a branchy one mispredicts at every level. */
const OrrFlatEntry *orr__flatview_search(OrrFlatView *view, uint64_t addr)
{
    const OrrFlatEntry *base = (const OrrFlatEntry *)view->entries->data;
    guint n = view->entries->len;

    if (n == 0) {
        return NULL;
    }
    while (n > 1) {
        guint half = n / 2;
        base = entry_last(&base[half - 1]) < addr ? base + half : base;
        n -= half;
    }
    /* @base is the first entry ending at or after @addr, if any is. */
    if (entry_last(base) < addr || base->start > addr) {
        return NULL;
    }
    view->mru = base;
    return base;
}

OrrU128 orr__flatview_next_start(OrrFlatView *view, OrrU128 addr)
{
    guint i = first_ending_after(view->entries, addr);

    for (; i < view->entries->len; i++) {
        const OrrFlatEntry *e = &g_array_index(view->entries, OrrFlatEntry, i);
        if (e->start > addr) {
            return e->start;
        }
    }
    return ORR_U128_2_64;
}

bool orr__flatview_equal(const OrrFlatView *a, const OrrFlatView *b)
{
    if (a->entries->len != b->entries->len) {
        return false;
    }
    for (guint i = 0; i < a->entries->len; i++) {
        const OrrFlatEntry *x = &g_array_index(a->entries, OrrFlatEntry, i);
        const OrrFlatEntry *y = &g_array_index(b->entries, OrrFlatEntry, i);
        if (x->start != y->start || x->end != y->end || x->mr != y->mr ||
            x->offset != y->offset || x->readonly != y->readonly ||
            x->reads_backing != y->reads_backing) {
            return false;
        }
    }
    return true;
}

/* Checks entries [@from, @to) and their seams with their neighbours. */
static void check_entries(const OrrFlatView *view, guint from, guint to)
{
    from = from > 0 ? from - 1 : 0;
    to = MIN(to + 1, view->entries->len);
    for (guint i = from; i < to; i++) {
        const OrrFlatEntry *e = &g_array_index(view->entries, OrrFlatEntry, i);

        g_assert(e->start < e->end && e->end <= ORR_U128_2_64);
        g_assert((OrrU128)e->offset + (e->end - e->start) <= e->mr->size);
        g_assert(g_hash_table_contains(view->pin_index, e->mr));
        if (i > from) {
            const OrrFlatEntry *p =
                &g_array_index(view->entries, OrrFlatEntry, i - 1);
            g_assert(p->end <= e->start);
            g_assert(!entries_join(p, e));
        }
    }
}

void orr__flatview_check_invariants(const OrrFlatView *view)
{
#ifndef G_DISABLE_ASSERT
    check_entries(view, 0, view->entries->len);
#endif
}

void orr__flatview_check_window(const OrrFlatView *view, guint from, guint to)
{
#ifndef G_DISABLE_ASSERT
    /* A full check would make every small update cost the whole view. */
    check_entries(view, from, to);
#endif
}
