/*
 * orrery core — the `info qom-tree` text dump of the composition tree.
 */
#include "core-internal.h"

static void format_node(GString *out, OrrObject *obj, guint depth)
{
    const char *name = orr_object_get_name(obj);

    g_string_append_printf(out, "%*s/%s (%s)\n", (int)depth * 2, "",
                           orr__object_is_root(obj) || name == NULL ? "" : name,
                           orr_object_get_type_name(obj));
    g_autoptr(GPtrArray) children = orr_object_get_children(obj);
    for (guint i = 0; i < children->len; i++) {
        format_node(out, children->pdata[i], depth + 1);
    }
}

char *orr_object_format_tree(OrrObject *obj)
{
    GString *out = g_string_new(NULL);

    format_node(out, obj ? obj : orr_root(), 0);
    return g_string_free(out, FALSE);
}
