/*
 * orrery core — the live-object registry, the holders of each reference,
 * and finalize events.
 */
#include "core-internal.h"

static GQueue live = G_QUEUE_INIT; /* OrrObject*, NOREF: creation order */

typedef struct FinalizeHook {
    guint id;
    OrrFinalizeHook fn;
    void *data;
    GDestroyNotify destroy;
} FinalizeHook;

static GPtrArray *hooks; /* FinalizeHook*, owned */
static guint hook_id_counter;

void orr__live_add(OrrObject *obj)
{
    OrrObjectPrivate *priv = obj->priv;

    g_assert(!priv->listed);
    priv->live_link.data = obj;
    g_queue_push_tail_link(&live, &priv->live_link);
    priv->listed = true;
}

void orr__live_remove(OrrObject *obj)
{
    OrrObjectPrivate *priv = obj->priv;

    g_assert(priv->listed);
    g_queue_unlink(&live, &priv->live_link);
    priv->listed = false;
}

/* --- Holders ----------------------------------------------------------- */

/* "kind /path.detail x2", with " (detached)" last when the holder is out
 * of the tree, so that the path and detail stay one word. */
static char *format_holder(const OrrHolderRecord *r)
{
    GString *s = g_string_new(r->kind);
    g_autofree char *path = r->by ? orr_object_get_path(r->by) : NULL;
    g_autofree char *last =
        r->by && !path ? orr__object_last_path(r->by) : NULL;
    const char *where = path ? path : last;

    if (r->by != NULL) {
        if (where != NULL) {
            g_string_append_printf(s, " %s", where);
        } else {
            g_string_append_printf(s, " <detached %s>",
                                   orr_object_get_type_name(r->by));
        }
    }
    if (r->detail != NULL) {
        g_string_append_printf(s, "%s%s", r->by ? "." : " ", r->detail);
    }
    if (r->count > 1) {
        g_string_append_printf(s, " x%u", r->count);
    }
    if (last != NULL) {
        g_string_append(s, " (detached)");
    }
    return g_string_free(s, FALSE);
}

GPtrArray *orr_object_list_holders(OrrObject *obj)
{
    GArray *holders = obj->priv->holders;
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < holders->len; i++) {
        g_ptr_array_add(
            out, format_holder(&g_array_index(holders, OrrHolderRecord, i)));
    }
    if (obj->priv->access_holds > 0) { /* counted, not recorded */
        OrrHolderRecord access = {.kind = ORR_HOLDER_ACCESS,
                                  .count = obj->priv->access_holds};
        g_ptr_array_add(out, format_holder(&access));
    }
    return out;
}

/* --- Listing ----------------------------------------------------------- */

void orr_live_info_free(OrrLiveInfo *info)
{
    if (info == NULL) {
        return;
    }
    g_free(info->type);
    g_free(info->name);
    g_free(info->path);
    g_ptr_array_unref(info->holders);
    g_free(info);
}

static OrrLiveInfo *live_info_new(OrrObject *obj)
{
    OrrLiveInfo *info = g_new0(OrrLiveInfo, 1);
    char *path = orr_object_get_path(obj);

    info->object = obj; /* NOREF: a snapshot, see live.h */
    info->type = g_strdup(orr_object_get_type_name(obj));
    info->name = g_strdup(obj->priv->name);
    info->attached = path != NULL;
    info->path = path ? path : orr__object_last_path(obj);
    info->refcount = obj->priv->ref_count;
    info->holders = orr_object_list_holders(obj);
    return info;
}

GPtrArray *orr_live_list(const char *type_name)
{
    GPtrArray *out =
        g_ptr_array_new_with_free_func((GDestroyNotify)orr_live_info_free);

    for (GList *l = live.head; l != NULL; l = l->next) {
        if (type_name == NULL || orr_object_is_a(l->data, type_name)) {
            g_ptr_array_add(out, live_info_new(l->data));
        }
    }
    return out;
}

guint orr_live_count(const char *type_name)
{
    guint n = 0;

    if (type_name == NULL) {
        return live.length;
    }
    for (GList *l = live.head; l != NULL; l = l->next) {
        n += orr_object_is_a(l->data, type_name);
    }
    return n;
}

static char *join(GPtrArray *strings, const char *sep)
{
    GString *out = g_string_new(NULL);

    for (guint i = 0; i < strings->len; i++) {
        g_string_append_printf(out, "%s%s", i ? sep : "",
                               (char *)strings->pdata[i]);
    }
    return g_string_free(out, FALSE);
}

char *orr_live_format_report(void)
{
    g_autoptr(GPtrArray) infos = orr_live_list(NULL);

    if (infos->len == 0) {
        return NULL;
    }
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "%u live object%s:\n", infos->len,
                           infos->len == 1 ? "" : "s");
    for (guint i = 0; i < infos->len; i++) {
        OrrLiveInfo *info = infos->pdata[i];
        g_autofree char *holders = join(info->holders, ", ");
        g_string_append_printf(
            out, "  %s %s%s refcount=%u held by: %s\n", info->type,
            info->path ? info->path : "(never parented)",
            info->path && !info->attached ? " (detached)" : "", info->refcount,
            *holders ? holders : "nothing");
    }
    return g_string_free(out, FALSE);
}

/* --- Finalize events --------------------------------------------------- */

static void hook_free(gpointer data)
{
    FinalizeHook *h = data;

    if (h->destroy != NULL) {
        h->destroy(h->data);
    }
    g_free(h);
}

guint orr_live_add_finalize_hook(OrrFinalizeHook fn, void *data,
                                 GDestroyNotify destroy)
{
    FinalizeHook *h = g_new0(FinalizeHook, 1);

    if (hooks == NULL) {
        hooks = g_ptr_array_new_with_free_func(hook_free);
    }
    h->id = ++hook_id_counter;
    h->fn = fn;
    h->data = data;
    h->destroy = destroy;
    g_ptr_array_add(hooks, h);
    return h->id;
}

bool orr_live_remove_finalize_hook(guint id)
{
    for (guint i = 0; hooks != NULL && i < hooks->len; i++) {
        FinalizeHook *h = hooks->pdata[i];
        if (h->id == id) {
            g_ptr_array_remove_index(hooks, i);
            return true;
        }
    }
    return false;
}

void orr__live_emit_finalize(OrrObject *obj)
{
    if (hooks == NULL || hooks->len == 0) {
        return;
    }
    g_autofree char *path = orr__object_last_path(obj);
    OrrFinalizeEvent ev = {
        .object = obj,
        .type = orr_object_get_type_name(obj),
        .name = obj->priv->name,
        .path = path,
    };
    /* Ids, not pointers: a hook may remove itself or others. */
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < hooks->len; i++) {
        g_array_append_val(ids, ((FinalizeHook *)hooks->pdata[i])->id);
    }
    for (guint i = 0; i < ids->len; i++) {
        for (guint j = 0; j < hooks->len; j++) {
            FinalizeHook *h = hooks->pdata[j];
            if (h->id == g_array_index(ids, guint, i)) {
                h->fn(&ev, h->data);
                break;
            }
        }
    }
}
