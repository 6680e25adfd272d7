/*
 * orrery memory — memory listeners: callbacks told how an address space's
 * view changes, in QEMU's order (deletions of an update before its
 * additions; add, nop, begin and commit by ascending priority, del by
 * descending priority), with replays on registration and removal.
 *
 * A listener is referenced by its address space's list and by every
 * notification in progress, so a callback may unregister any listener,
 * itself included: it is marked removed, skipped from then on, and freed
 * when the last notification lets go of it.
 */
#include "memory-internal.h"

struct OrrMemoryListener {
    guint ref;
    OrrAddressSpace *as; /* NOREF: cleared when removed */
    OrrMemoryListenerOps ops;
    void *opaque;
    GDestroyNotify destroy;
    bool removed;
    guint64 serial; /* registration order */
};

static OrrMemoryListener *listener_ref(OrrMemoryListener *l)
{
    l->ref++;
    return l;
}

static void listener_unref(OrrMemoryListener *l)
{
    g_assert(l->ref > 0);
    if (--l->ref > 0) {
        return;
    }
    if (l->destroy != NULL) {
        l->destroy(l->opaque);
    }
    g_free(l);
}

static OrrFlatRange range_of(const OrrFlatEntry *e)
{
    return (OrrFlatRange){
        .start = (uint64_t)e->start,
        .last = (uint64_t)(e->end - 1),
        .region = e->mr,
        .offset = e->offset,
        .readonly = e->readonly,
    };
}

/* A referenced snapshot of @as's listeners, ascending priority. */
static GPtrArray *snapshot(OrrAddressSpace *as)
{
    GPtrArray *list =
        g_ptr_array_new_with_free_func((GDestroyNotify)listener_unref);

    if (as->listeners != NULL) {
        for (guint i = 0; i < as->listeners->len; i++) {
            g_ptr_array_add(list, listener_ref(as->listeners->pdata[i]));
        }
    }
    return list;
}

typedef enum { CALL_BEGIN, CALL_COMMIT } GlobalCall;

static void call_global(OrrMemoryListener *l, GlobalCall what)
{
    void (*fn)(void *) = what == CALL_BEGIN ? l->ops.begin : l->ops.commit;

    if (!l->removed && fn != NULL) {
        fn(l->opaque);
    }
}

typedef enum { CALL_ADD, CALL_DEL, CALL_NOP } RangeCall;

static void call_range(OrrMemoryListener *l, RangeCall what,
                       const OrrFlatEntry *e)
{
    void (*fn)(const OrrFlatRange *, void *) =
        what == CALL_ADD   ? l->ops.region_add
        : what == CALL_DEL ? l->ops.region_del
                           : l->ops.region_nop;

    if (!l->removed && fn != NULL) {
        OrrFlatRange r = range_of(e);
        fn(&r, l->opaque);
    }
}

/* Calls @what for @e on every listener, in the order for @what. */
static void call_all(GPtrArray *list, RangeCall what, const OrrFlatEntry *e)
{
    if (what == CALL_DEL) {
        for (guint i = list->len; i-- > 0;) {
            call_range(list->pdata[i], what, e);
        }
    } else {
        for (guint i = 0; i < list->len; i++) {
            call_range(list->pdata[i], what, e);
        }
    }
}

static bool entry_equal(const OrrFlatEntry *a, const OrrFlatEntry *b)
{
    return a->start == b->start && a->end == b->end && a->mr == b->mr &&
           a->offset == b->offset && a->readonly == b->readonly &&
           a->reads_backing == b->reads_backing;
}

/*
 * One pass over both sorted views. Deleting pass: every old range that is
 * not in the new view. Adding pass: nop for ranges in both, add for the
 * new ones.
 */
static void diff_pass(GPtrArray *list, const OrrFlatView *old,
                      const OrrFlatView *new, bool adding)
{
    guint i = 0, j = 0;
    GArray *a = old->entries, *b = new->entries;

    while (i < a->len || j < b->len) {
        const OrrFlatEntry *x =
            i < a->len ? &g_array_index(a, OrrFlatEntry, i) : NULL;
        const OrrFlatEntry *y =
            j < b->len ? &g_array_index(b, OrrFlatEntry, j) : NULL;

        if (x != NULL && y != NULL && entry_equal(x, y)) {
            if (adding) {
                call_all(list, CALL_NOP, y);
            }
            i++, j++;
        } else if (x != NULL && (y == NULL || x->start <= y->start)) {
            if (!adding) {
                call_all(list, CALL_DEL, x);
            }
            i++;
        } else {
            if (adding) {
                call_all(list, CALL_ADD, y);
            }
            j++;
        }
    }
}

void orr__listeners_notify(OrrAddressSpace *as, const OrrFlatView *old,
                           const OrrFlatView *new)
{
    if (as->listeners == NULL || as->listeners->len == 0) {
        return;
    }

    g_autoptr(GPtrArray) list = snapshot(as);

    as->notifying++;
    for (guint i = 0; i < list->len; i++) {
        call_global(list->pdata[i], CALL_BEGIN);
    }
    diff_pass(list, old, new, false);
    diff_pass(list, old, new, true);
    for (guint i = 0; i < list->len; i++) {
        call_global(list->pdata[i], CALL_COMMIT);
    }
    as->notifying--;
}

/* Replays @view to @l alone: begin, add (or del) per range, commit. */
static void replay(OrrMemoryListener *l, OrrFlatView *view, RangeCall what)
{
    listener_ref(l);
    orr__flatview_ref(view);
    call_global(l, CALL_BEGIN);
    for (guint i = 0; i < view->entries->len; i++) {
        call_range(l, what, &g_array_index(view->entries, OrrFlatEntry, i));
    }
    call_global(l, CALL_COMMIT);
    orr__flatview_unref(view);
    listener_unref(l);
}

static gint by_priority(gconstpointer pa, gconstpointer pb)
{
    const OrrMemoryListener *a = *(OrrMemoryListener *const *)pa;
    const OrrMemoryListener *b = *(OrrMemoryListener *const *)pb;

    if (a->ops.priority != b->ops.priority) {
        return a->ops.priority < b->ops.priority ? -1 : 1;
    }
    return a->serial < b->serial ? -1 : a->serial > b->serial;
}

OrrMemoryListener *orr_memory_listener_register(OrrAddressSpace *as,
                                                const OrrMemoryListenerOps *ops,
                                                void *opaque,
                                                GDestroyNotify destroy)
{
    g_return_val_if_fail(as != NULL && ops != NULL, NULL);

    OrrMemoryListener *l = g_new0(OrrMemoryListener, 1);

    l->ref = 1; /* the list's */
    l->as = as;
    l->ops = *ops;
    l->opaque = opaque;
    l->destroy = destroy;
    l->serial = orr_serial_next();
    if (as->listeners == NULL) {
        as->listeners = g_ptr_array_new();
    }
    g_ptr_array_add(as->listeners, l);
    g_ptr_array_sort(as->listeners, by_priority);
    replay(l, as->view, CALL_ADD);
    return l;
}

void orr_memory_listener_unregister(OrrMemoryListener *l)
{
    g_return_if_fail(l != NULL);
    if (l->removed) {
        return;
    }

    OrrAddressSpace *as = l->as;

    /* Mid-update the listener's picture is half old, half new: no replay
     * could match it, so it is simply told nothing more. */
    if (as->notifying == 0) {
        replay(l, as->view, CALL_DEL);
    }
    l->removed = true;
    l->as = NULL;
    g_ptr_array_remove(as->listeners, l);
    listener_unref(l);
}

void orr__listeners_remove_all(OrrAddressSpace *as)
{
    while (as->listeners != NULL && as->listeners->len > 0) {
        orr_memory_listener_unregister(
            as->listeners->pdata[as->listeners->len - 1]);
    }
    g_clear_pointer(&as->listeners, g_ptr_array_unref);
}
