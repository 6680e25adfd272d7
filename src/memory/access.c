/*
 * orrery memory — accesses in flight and what they keep alive.
 *
 * An MMIO callback may change the map, unparent its own region or drop
 * its own device while the access that called it, or an outer one, is
 * still walking a flat view. Nothing such an access may still reach is
 * freed before the outermost access returns:
 *
 *  - a view replaced while an access runs is retired, not released: its
 *    pins keep the regions it shows allocated (and, for owning pins, their
 *    units alive);
 *  - before calling into a region's ops, the access holds the region's
 *    lifetime unit (orr_object_try_hold_access(), listed as an "access"
 *    holder), so the ops' opaque stays valid
 *    for the rest of the access, even after the callback drops it.
 *
 * Both are released together when the outermost access returns. The core
 * is single-threaded, so the epoch is a depth counter, not per-access
 * reference counting: an access that keeps nothing pays an increment, a
 * decrement and a test of the count of things kept.
 */
#include "memory-internal.h"

guint orr__access_depth;   /* nesting of accesses in flight */
guint orr__access_kept;    /* held->len + retired->len */
static bool draining;      /* inside drain() */
static GPtrArray *held;    /* (nullable) OrrObject* units, one ACCESS ref */
static GPtrArray *retired; /* (nullable) OrrFlatView*, one ref each */

static bool pending(void)
{
    g_assert(orr__access_kept == (held != NULL ? held->len : 0) +
                                     (retired != NULL ? retired->len : 0));
    return orr__access_kept > 0;
}

/*
 * Releases what the epoch kept: views first (their pins may name units
 * we hold), then units, newest first. Releasing runs finalizers, which
 * may access memory and keep more; the loop runs until nothing is left.
 */
static void drain(void)
{
    g_assert(orr__access_depth == 0 && !draining);
    draining = true;
    while (pending()) {
        if (retired != NULL && retired->len > 0) {
            OrrFlatView *view =
                g_ptr_array_steal_index(retired, retired->len - 1);
            orr__access_kept--;
            orr__flatview_unref(view);
        } else {
            OrrObject *unit = g_ptr_array_steal_index(held, held->len - 1);
            orr__access_kept--;
            orr_object_release_access(unit);
        }
    }
    draining = false;
}

/* The outermost access returned: release what it kept, unless this is
 * an access made by a finalizer during the release itself. */
void orr__access_exit_slow(void)
{
    if (!draining && pending()) {
        drain();
    }
}

bool orr__access_active(void)
{
    return orr__access_depth > 0;
}

bool orr__access_hold(OrrObject *unit)
{
    g_assert(orr__access_depth > 0);
    if (held != NULL && held->len > 0 && held->pdata[held->len - 1] == unit) {
        return true; /* the common case: the same device again */
    }
    if (!orr_object_try_hold_access(unit)) {
        return false;
    }
    if (held == NULL) {
        held = g_ptr_array_new();
    }
    g_ptr_array_add(held, unit);
    orr__access_kept++;
    return true;
}

void orr__access_retire_view(OrrFlatView *view)
{
    if (orr__access_depth == 0) {
        orr__flatview_unref(view);
        return;
    }
    if (retired == NULL) {
        retired = g_ptr_array_new();
    }
    g_ptr_array_add(retired, view);
    orr__access_kept++;
}
