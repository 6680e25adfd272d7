/*
 * orrery Lua binding — pictures and data of the object tree:
 * orrery.dot("qom" | "mtree" | "refs", obj) (Graphviz text) and
 * orrery.json(obj) (the subtree with its properties).
 */
#include <string.h>
#include "binding.h"

/* A Graphviz node id: the object's path or description, quoted. */
static void append_id(GString *out, OrrObject *obj)
{
    char *id = orr_object_describe(obj);

    g_string_append_c(out, '"');
    for (const char *p = id; *p; p++) {
        if (*p == '"' || *p == '\\') {
            g_string_append_c(out, '\\');
        }
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
    g_free(id);
}

/* --- qom: the composition tree -------------------------------------------- */

static void dot_qom(GString *out, OrrObject *obj)
{
    const char *name = orr_object_get_name(obj);

    g_string_append(out, "  ");
    append_id(out, obj);
    g_string_append_printf(out, " [label=\"%s\\n%s\"];\n", name ? name : "/",
                           orr_object_get_type_name(obj));
    GPtrArray *kids = orr_object_get_children(obj);
    for (guint i = 0; i < kids->len; i++) {
        g_string_append(out, "  ");
        append_id(out, obj);
        g_string_append(out, " -> ");
        append_id(out, kids->pdata[i]);
        g_string_append(out, ";\n");
        dot_qom(out, kids->pdata[i]);
    }
    g_ptr_array_unref(kids);
}

/* --- mtree: regions, containment and aliases ------------------------------ */

static void dot_region(GString *out, OrrMemoryRegion *mr, GHashTable *seen)
{
    OrrObject *obj = orr_memory_region_object(mr);

    if (!g_hash_table_add(seen, mr)) {
        return;
    }
    g_string_append(out, "  ");
    append_id(out, obj);
    g_string_append_printf(
        out, " [label=\"%s\\n%s\"%s];\n", orr_memory_region_get_name(mr),
        orr_memory_region_kind_name(orr_memory_region_get_kind(mr)),
        orr_memory_region_is_enabled(mr) ? "" : ", style=dotted");
    GPtrArray *subs = orr_memory_region_get_subregions(mr);
    for (guint i = 0; i < subs->len; i++) {
        OrrMemoryRegion *sub = subs->pdata[i];
        g_string_append(out, "  ");
        append_id(out, obj);
        g_string_append(out, " -> ");
        append_id(out, orr_memory_region_object(sub));
        g_string_append_printf(out, " [label=\"0x%" G_GINT64_MODIFIER "x\"];\n",
                               orr_memory_region_get_address(sub));
        dot_region(out, sub, seen);
    }
    g_ptr_array_unref(subs);
    OrrMemoryRegion *target = orr_memory_region_get_alias_target(mr);
    if (target != NULL) {
        g_string_append(out, "  ");
        append_id(out, obj);
        g_string_append(out, " -> ");
        append_id(out, orr_memory_region_object(target));
        g_string_append(out, " [style=dashed, label=\"alias\"];\n");
        dot_region(out, target, seen);
    }
}

/* --- refs: who holds each object ------------------------------------------ */

/* Holders read "kind", "kind xN" or "kind /path[.prop] [...]". */
static void dot_refs(GString *out, OrrObject *top)
{
    GPtrArray *list = orr_live_list(NULL);

    for (guint i = 0; i < list->len; i++) {
        OrrLiveInfo *info = list->pdata[i];
        OrrObject *obj = info->object;

        if (top != orr_root() && obj != top &&
            !orr_object_is_ancestor(top, obj)) {
            continue;
        }
        g_string_append(out, "  ");
        append_id(out, obj);
        g_string_append_printf(out, " [label=\"%s\\n%s\"];\n",
                               info->name ? info->name : "", info->type);
        for (guint j = 0; j < info->holders->len; j++) {
            const char *h = info->holders->pdata[j];
            const char *space = strchr(h, ' ');
            char *kind = g_strndup(h, space ? (gsize)(space - h) : strlen(h));
            char *from = NULL;

            if (space != NULL && space[1] == '/') {
                from = g_strdup(space + 1);
                char *end = strpbrk(from, " ");
                if (end != NULL) {
                    *end = '\0';
                }
            }
            g_string_append_printf(out, "  \"%s\" -> ", from ? from : kind);
            append_id(out, obj);
            g_string_append_printf(out, " [label=\"%s\"];\n", kind);
            g_free(kind);
            g_free(from);
        }
    }
    g_ptr_array_unref(list);
}

/* orrery.dot(kind, obj) --> Graphviz text */
static int l_dot(lua_State *L)
{
    const char *kind = orr_lua_check_string(L, 1);
    OrrObject *obj =
        lua_isnoneornil(L, 2) ? orr_root() : orr_lua_check_object(L, 2);
    GString *out = g_string_new(NULL);

    g_string_append_printf(out, "digraph %s {\n  node [shape=box];\n",
                           strcmp(kind, "refs") == 0 ? "refs" : kind);
    if (strcmp(kind, "qom") == 0) {
        dot_qom(out, obj);
    } else if (strcmp(kind, "mtree") == 0) {
        OrrMemoryRegion *root = NULL;
        if (orr_object_is_a(obj, ORR_TYPE_MACHINE)) {
            root = orr_machine_get_sysmem(obj);
        } else if (orr_object_is_a(obj, ORR_TYPE_ADDRESS_SPACE)) {
            root = orr_address_space_get_root((OrrAddressSpace *)obj);
        } else if (orr_object_is_a(obj, ORR_TYPE_MEMORY_REGION)) {
            root = (OrrMemoryRegion *)obj;
        } else {
            g_string_free(out, TRUE);
            return orr_lua_error(L,
                                 "dot: mtree needs a machine, an address "
                                 "space or a region, got %s",
                                 orr_object_get_type_name(obj));
        }
        GHashTable *seen = g_hash_table_new(NULL, NULL);
        if (root != NULL) {
            dot_region(out, root, seen);
        }
        g_hash_table_unref(seen);
    } else if (strcmp(kind, "refs") == 0) {
        dot_refs(out, obj);
    } else {
        g_string_free(out, TRUE);
        return orr_lua_error(L, "dot: kind must be \"qom\", \"mtree\" or "
                                "\"refs\"");
    }
    g_string_append(out, "}\n");
    lua_pushlstring(L, out->str, out->len);
    g_string_free(out, TRUE);
    return 1;
}

/* --- JSON ----------------------------------------------------------------- */

static GVariant *value_variant(const OrrValue *v)
{
    switch (v->type) {
    case ORR_VALUE_BOOL:
        return g_variant_new_boolean(v->b);
    case ORR_VALUE_INT:
        return g_variant_new_int64(v->i);
    case ORR_VALUE_UINT:
        return g_variant_new_uint64(v->u);
    case ORR_VALUE_DOUBLE:
        return g_variant_new_double(v->d);
    case ORR_VALUE_STRING:
        return g_variant_new_string(v->s ? v->s : "");
    case ORR_VALUE_OBJECT: {
        char *path = orr_object_describe(v->o);
        GVariant *s = g_variant_new_string(path);
        g_free(path);
        return s;
    }
    case ORR_VALUE_NONE:
        break;
    }
    return g_variant_new_maybe(G_VARIANT_TYPE_STRING, NULL);
}

/* { name, type, path, props = { ... }, children = [ ... ] } */
static GVariant *object_variant(OrrObject *obj)
{
    GVariantBuilder d, props, kids;
    char *path = orr_object_describe(obj);

    g_variant_builder_init(&d, G_VARIANT_TYPE_VARDICT);
    g_variant_builder_add(&d, "{sv}", "name",
                          g_variant_new_string(orr_object_get_name(obj)
                                                   ? orr_object_get_name(obj)
                                                   : ""));
    g_variant_builder_add(&d, "{sv}", "type",
                          g_variant_new_string(orr_object_get_type_name(obj)));
    g_variant_builder_add(&d, "{sv}", "path", g_variant_new_string(path));
    g_free(path);

    g_variant_builder_init(&props, G_VARIANT_TYPE_VARDICT);
    OrrPropertyIter it;
    const OrrProperty *prop;
    orr_property_iter_init(&it, obj);
    while ((prop = orr_property_iter_next(&it)) != NULL) {
        OrrValue v = ORR_VALUE_INIT;
        if (orr_property_get_type(prop) == ORR_PROP_CHILD ||
            !orr_object_get(obj, orr_property_get_name(prop), &v, NULL)) {
            continue;
        }
        g_variant_builder_add(&props, "{sv}", orr_property_get_name(prop),
                              value_variant(&v));
        orr_value_clear(&v);
    }
    orr_property_iter_clear(&it);
    g_variant_builder_add(&d, "{sv}", "props", g_variant_builder_end(&props));

    g_variant_builder_init(&kids, G_VARIANT_TYPE("aa{sv}"));
    GPtrArray *children = orr_object_get_children(obj);
    for (guint i = 0; i < children->len; i++) {
        g_variant_builder_add_value(&kids, object_variant(children->pdata[i]));
    }
    g_ptr_array_unref(children);
    g_variant_builder_add(&d, "{sv}", "children", g_variant_builder_end(&kids));
    return g_variant_builder_end(&d);
}

/* orrery.json(obj) --> JSON text of the subtree and its properties */
static int l_json(lua_State *L)
{
    OrrObject *obj =
        lua_isnoneornil(L, 1) ? orr_root() : orr_lua_check_object(L, 1);
    GVariant *v = g_variant_ref_sink(object_variant(obj));
    char *text = orr_variant_to_json(v, TRUE);

    g_variant_unref(v);
    lua_pushstring(L, text);
    g_free(text);
    return 1;
}

void orr_lua_open_dump(lua_State *L)
{
    lua_pushcfunction(L, l_dot);
    lua_setfield(L, -2, "dot");
    lua_pushcfunction(L, l_json);
    lua_setfield(L, -2, "json");
}
