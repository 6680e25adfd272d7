/*
 * orrery — the live-object registry: every object that exists, who holds
 * each of its references, and events when objects are finalized.
 */
#ifndef ORRERY_LIVE_H
#define ORRERY_LIVE_H

#include <stdbool.h>
#include <glib.h>
#include "orrery/object.h"

G_BEGIN_DECLS

/**
 * OrrLiveInfo:
 * @object: the object, NOREF: valid only until the registry changes.
 * @type: the type name.
 * @name: (nullable): the name under its parent, or its last one.
 * @path: (nullable): the canonical path, or the last path it had.
 * @attached: whether @path is canonical (reachable from "/").
 * @refcount: the object's own reference count.
 * @holders: the holders of its references, one string each, e.g.
 *   "parent /machine", "link /machine/dma.target", "caller", "caller x2".
 *   References taken on it as the lifetime unit of one of its regions are
 *   included.
 *
 * A snapshot of one live object; every string is owned by the info.
 */
typedef struct OrrLiveInfo {
    OrrObject *object;
    char *type;
    char *name;
    char *path;
    bool attached;
    guint refcount;
    GPtrArray *holders;
} OrrLiveInfo;

/**
 * orr_live_list:
 * @type_name: (nullable): only objects that are of this type.
 *
 * The root is not listed.
 *
 * Returns: (transfer full): #OrrLiveInfo entries in order of creation;
 *   free with g_ptr_array_unref().
 */
GPtrArray *orr_live_list(const char *type_name);

/**
 * orr_live_count:
 * @type_name: (nullable): only objects that are of this type.
 *
 * Returns: the number of live objects, the root excluded.
 */
guint orr_live_count(const char *type_name);

/**
 * orr_live_format_report:
 *
 * Returns: (transfer full) (nullable): one line per live object with type,
 *   path, refcount and holders, or NULL when there is none.
 */
char *orr_live_format_report(void);

/**
 * orr_object_list_holders:
 *
 * Returns: (transfer full): strings naming each holder of a reference to
 *   @obj, as in #OrrLiveInfo.
 */
GPtrArray *orr_object_list_holders(OrrObject *obj);

/**
 * OrrFinalizeEvent:
 * @object: the object being finalized. Read it, never reference it.
 * @type: its type name.
 * @name: (nullable): its name or last name.
 * @path: (nullable): its canonical or last path.
 */
typedef struct OrrFinalizeEvent {
    OrrObject *object;
    const char *type;
    const char *name;
    const char *path;
} OrrFinalizeEvent;

/**
 * OrrFinalizeHook:
 *
 * Runs when an object starts finalizing, before its instance_finalize.
 * It must not create objects or take references.
 */
typedef void (*OrrFinalizeHook)(const OrrFinalizeEvent *event, void *data);

/**
 * orr_live_add_finalize_hook:
 * @destroy: (nullable): frees @data when the hook is removed.
 *
 * Returns: a non-zero id for orr_live_remove_finalize_hook().
 */
guint orr_live_add_finalize_hook(OrrFinalizeHook fn, void *data,
                                 GDestroyNotify destroy);

/** orr_live_remove_finalize_hook: returns whether @id was registered. */
bool orr_live_remove_finalize_hook(guint id);

/**
 * orr_live_find_cycles:
 *
 * Finds the strong-reference cycles among live objects. Each reference is
 * an edge from its holder to the object it keeps alive (child<> edges
 * included). Cycles can only arise from owning edges between sibling
 * subtrees that were never unrealized; one cycle is reported for each set
 * of objects that keep each other alive (a strongly connected component):
 * its shortest cycle through the component's oldest object.
 *
 * Returns: (transfer full): the cycles; each is a #GPtrArray of strings,
 *   one per edge in order, e.g. "link /machine/a.peer -> /machine/b".
 *   Empty when there is none.
 */
GPtrArray *orr_live_find_cycles(void);

/** orr_live_info_free: frees one #OrrLiveInfo. */
void orr_live_info_free(OrrLiveInfo *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(OrrLiveInfo, orr_live_info_free)

G_END_DECLS

#endif /* ORRERY_LIVE_H */
