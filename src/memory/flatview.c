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
    bool owning;         /* we also hold its lifetime unit */
} OrrFlatPin;

typedef struct RenderCtx {
    OrrMemoryRegion *root; /* NOREF: the edges are classified from it */
    GArray *entries;
} RenderCtx;

static const OrrHolder view_holder = {.kind = ORR_HOLDER_FLATVIEW};

/* --- Inserting into the gaps ------------------------------------------------
 */

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
        };
        g_array_insert_val(entries, i, piece);
        i++;
        cur = next;
    }
}

/* --- Rendering --------------------------------------------------------------
 */

/*
 * Renders @mr placed at @base (which an alias offset can make negative),
 * clipped to [@clip_start, @clip_end).
 */
static void render_region(RenderCtx *ctx, OrrMemoryRegion *mr, OrrS128 base,
                          OrrS128 clip_start, OrrS128 clip_end, bool readonly)
{
    if (!mr->enabled || !orr__region_is_usable(mr)) {
        return;
    }

    OrrS128 start = MAX(base, clip_start);
    OrrS128 end = MIN(base + (OrrS128)mr->size, clip_end);

    if (start >= end) {
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
    for (guint i = 0; i < mr->subregions->len; i++) {
        OrrMemoryRegion *sub = mr->subregions->pdata[i];
        render_region(ctx, sub, base + (OrrS128)sub->addr, start, end,
                      readonly);
    }
    if (ORR__REGION_IS_TERMINAL(mr)) {
        fill_gaps(ctx->entries, (OrrU128)start, (OrrU128)end, mr,
                  (OrrU128)(start - base),
                  readonly || mr->kind == ORR_REGION_ROM);
    }
}

/* Joins neighbours that continue each other in the same region. */
static void merge_entries(GArray *entries)
{
    guint out = 0;

    for (guint i = 0; i < entries->len; i++) {
        OrrFlatEntry *e = &g_array_index(entries, OrrFlatEntry, i);
        OrrFlatEntry *prev =
            out > 0 ? &g_array_index(entries, OrrFlatEntry, out - 1) : NULL;

        if (prev != NULL && prev->mr == e->mr && prev->end == e->start &&
            prev->readonly == e->readonly &&
            (OrrU128)prev->offset + (prev->end - prev->start) == e->offset) {
            prev->end = e->end;
            continue;
        }
        g_array_index(entries, OrrFlatEntry, out++) = *e;
    }
    g_array_set_size(entries, out);
}

static void pin_regions(OrrFlatView *view, OrrMemoryRegion *root)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

    for (guint i = 0; i < view->entries->len; i++) {
        OrrMemoryRegion *mr = g_array_index(view->entries, OrrFlatEntry, i).mr;

        if (!g_hash_table_add(seen, mr)) {
            continue;
        }
        OrrFlatPin *pin = g_new0(OrrFlatPin, 1);
        pin->mr = mr;
        pin->owning = orr_edge_is_owning((OrrObject *)root, (OrrObject *)mr);
        orr_object_pin((OrrObject *)mr, &view_holder);
        if (pin->owning) {
            orr_object_ref_held((OrrObject *)mr, &view_holder);
        }
        g_ptr_array_add(view->pins, pin);
    }
}

OrrFlatView *orr__flatview_render(OrrMemoryRegion *root)
{
    OrrFlatView *view = g_new0(OrrFlatView, 1);

    view->ref = 1;
    view->entries = g_array_new(FALSE, FALSE, sizeof(OrrFlatEntry));
    view->pins = g_ptr_array_new();
    if (root != NULL) {
        RenderCtx ctx = {.root = root, .entries = view->entries};
        render_region(&ctx, root, 0, 0, (OrrS128)ORR_U128_2_64, false);
        merge_entries(view->entries);
        pin_regions(view, root);
    }
    orr__flatview_check_invariants(view);
    return view;
}

OrrFlatView *orr__flatview_ref(OrrFlatView *view)
{
    g_assert(view->ref > 0);
    view->ref++;
    return view;
}

/* Unpins in reverse order; each release may finalize a region (and with
 * it change the map: the update then runs again, see transaction.c). */
void orr__flatview_unref(OrrFlatView *view)
{
    g_assert(view->ref > 0);
    if (--view->ref > 0) {
        return;
    }
    for (guint i = view->pins->len; i-- > 0;) {
        OrrFlatPin *pin = view->pins->pdata[i];
        OrrObject *obj = (OrrObject *)pin->mr;
        OrrObject *unit = orr_object_get_lifetime_unit(obj);

        /* Unpin before dropping the unit, so that a region finalized
         * here goes while its owner is still whole. */
        orr_object_unpin(obj, &view_holder);
        if (pin->owning) {
            orr_object_unref_held(unit, &view_holder);
        }
        g_free(pin);
    }
    g_ptr_array_unref(view->pins);
    g_array_unref(view->entries);
    g_free(view);
}

/* --- Lookup ----------------------------------------------------------------
 */

const OrrFlatEntry *orr__flatview_lookup(OrrFlatView *view, uint64_t addr)
{
    GArray *entries = view->entries;

    if (view->mru < entries->len) {
        const OrrFlatEntry *e =
            &g_array_index(entries, OrrFlatEntry, view->mru);
        if (e->start <= addr && addr < e->end) {
            return e;
        }
    }

    guint i = first_ending_after(entries, addr);

    if (i < entries->len) {
        const OrrFlatEntry *e = &g_array_index(entries, OrrFlatEntry, i);
        if (e->start <= addr) {
            view->mru = i;
            return e;
        }
    }
    return NULL;
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
            x->offset != y->offset || x->readonly != y->readonly) {
            return false;
        }
    }
    return true;
}

void orr__flatview_check_invariants(const OrrFlatView *view)
{
#ifndef G_DISABLE_ASSERT
    for (guint i = 0; i < view->entries->len; i++) {
        const OrrFlatEntry *e = &g_array_index(view->entries, OrrFlatEntry, i);

        g_assert(e->start < e->end && e->end <= ORR_U128_2_64);
        g_assert((OrrU128)e->offset + (e->end - e->start) <= e->mr->size);
        if (i > 0) {
            const OrrFlatEntry *p =
                &g_array_index(view->entries, OrrFlatEntry, i - 1);
            g_assert(p->end <= e->start);
        }
    }
#endif
}
