/*
 * orrery memory — transactions and change tracking. Changes to the map
 * are noted, and address spaces are updated once, when the outermost
 * transaction commits (at once outside a transaction).
 *
 * A change is noted with the window it can affect, mapped at once to the
 * coordinates of the top of its container chain. An update then re-renders
 * only those windows of views whose root is that top (flatview.c). A
 * change whose effect cannot be bounded that way (inside a region that an
 * alias shows elsewhere, a root that changed, an alias that moved) asks
 * for a full render.
 *
 * An update can itself change the map: releasing an old flat view may
 * finalize a region, whose finalize unmaps what it held. Such changes are
 * noted again and the update loop runs until the map is quiet.
 */
#include "memory-internal.h"

static guint depth;    /* nesting of open transactions */
static bool updating;  /* inside run_updates() */
static OrrDirty dirty; /* what changed since the last update */

static void run_updates(void)
{
    g_assert(!updating);
    updating = true;
    while (dirty.full || (dirty.windows && dirty.windows->len > 0)) {
        OrrDirty batch = dirty;

        dirty = (OrrDirty){0};
        orr__address_spaces_update(&batch);
        g_clear_pointer(&batch.windows, g_array_unref);
    }
    updating = false;
}

static void maybe_update(void)
{
    if (depth == 0 && !updating) {
        run_updates();
    }
}

void orr__memory_changed(void)
{
    dirty.full = true;
    maybe_update();
}

static void note_window(OrrMemoryRegion *top, OrrU128 lo, OrrU128 hi)
{
    if (dirty.windows == NULL) {
        dirty.windows = g_array_new(FALSE, FALSE, sizeof(OrrDirtyWindow));
    }
    OrrDirtyWindow w = {.top = top, .lo = lo, .hi = MIN(hi, ORR_U128_2_64)};
    g_array_append_val(dirty.windows, w);
}

/*
 * Notes the window in the coordinates of every region up the container
 * chain that can be a view's root: each one an address space is over,
 * and the top of the chain.
 */
void orr__memory_changed_in(OrrMemoryRegion *container, uint64_t addr,
                            OrrU128 size)
{
    OrrU128 lo = addr;
    OrrU128 hi = MIN((OrrU128)addr + size, ORR_U128_2_64);

    for (OrrMemoryRegion *r = container; r != NULL; r = r->container) {
        hi = MIN(hi, r->size);
        if (lo >= hi) {
            break; /* clipped away: nothing above can see it */
        }
        if (orr__region_is_aliased(r)) {
            orr__memory_changed(); /* also shown elsewhere */
            return;
        }
        if (r->as_users > 0 || r->container == NULL) {
            note_window(r, lo, hi);
        }
        lo += r->addr;
        hi += r->addr;
    }
    maybe_update();
}

void orr__memory_changed_region(OrrMemoryRegion *mr)
{
    if (orr__region_is_aliased(mr) || mr->as_users > 0) {
        orr__memory_changed(); /* shown through aliases, or a root */
    } else if (mr->container != NULL) {
        orr__memory_changed_in(mr->container, mr->addr, mr->size);
    }
    /* Otherwise it is shown nowhere: nothing to update. */
}

void orr__memory_forget(OrrMemoryRegion *mr)
{
    if (dirty.windows == NULL) {
        return;
    }
    for (guint i = 0; i < dirty.windows->len; i++) {
        if (g_array_index(dirty.windows, OrrDirtyWindow, i).top == mr) {
            /* The top is going: its windows cannot be placed any more. */
            g_clear_pointer(&dirty.windows, g_array_unref);
            dirty.full = true;
            return;
        }
    }
}

void orr_memory_transaction_begin(void)
{
    depth++;
}

void orr_memory_transaction_commit(void)
{
    g_return_if_fail(depth > 0);
    depth--;
    maybe_update();
}
