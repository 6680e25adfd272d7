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
 *    holder), unless the view does, so the ops' opaque stays valid for
 *    the rest of the access, even after the callback drops it.
 *
 * Both are released together when the outermost access returns. The core
 * is single-threaded, so the epoch is a depth counter, not per-access
 * reference counting: an access that keeps nothing pays an increment, a
 * decrement and a test of the count of things kept.
 */
#include "memory-internal.h"

guint orr__access_depth;   /* nesting of accesses in flight */
guint orr__access_kept;    /* units held + views retired */
static bool draining;      /* inside drain() */
static GPtrArray *retired; /* (nullable) OrrFlatView*, one ref each */

/* The units held (one access hold each), oldest first: the first few in
 * a fixed array, since an access usually holds one and each access pays
 * for it; the rest, newer, in @held_more. */
#define HELD_INLINE 8
static OrrObject *held[HELD_INLINE];
static guint n_held;
static GPtrArray *held_more; /* (nullable) */

static bool pending(void)
{
    g_assert(orr__access_kept == n_held +
                                     (held_more != NULL ? held_more->len : 0) +
                                     (retired != NULL ? retired->len : 0));
    return orr__access_kept > 0;
}

/* The newest unit held, or NULL. */
static OrrObject *newest_held(void)
{
    if (held_more != NULL && held_more->len > 0) {
        return held_more->pdata[held_more->len - 1];
    }
    return n_held > 0 ? held[n_held - 1] : NULL;
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
            OrrObject *unit =
                held_more != NULL && held_more->len > 0
                    ? g_ptr_array_steal_index(held_more, held_more->len - 1)
                    : held[--n_held];
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
    if (newest_held() == unit) {
        return true; /* the common case: the same device again */
    }
    OrrObject *got = orr_object_try_hold_access(unit);

    if (got == NULL) {
        return false;
    }
    if (n_held < HELD_INLINE && (held_more == NULL || held_more->len == 0)) {
        held[n_held++] = got;
    } else {
        if (held_more == NULL) {
            held_more = g_ptr_array_new();
        }
        g_ptr_array_add(held_more, got);
    }
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
