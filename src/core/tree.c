/*
 * orrery core — the composition tree: the root, child<> edges, unparent,
 * canonical paths, and path resolution.
 */
#include "core-internal.h"

static OrrObject *root; /* the caller reference of orr_root() keeps it */
/* NOREF: the root being finalized by orr_root_shutdown(); paths computed
 * while its children go still start at "/". */
static OrrObject *dying_root;

void orr__tree_register_types(void)
{
    static const OrrTypeInfo container = {.name = ORR_TYPE_CONTAINER};

    orr_type_register(&container, NULL);
}

OrrObject *orr_root(void)
{
    if (root == NULL) {
        root = orr__object_new_unlisted(orr_type_lookup(ORR_TYPE_CONTAINER));
    }
    return root;
}

bool orr__object_is_root(const OrrObject *obj)
{
    return obj != NULL && (obj == root || obj == dying_root);
}

void orr_root_shutdown(void)
{
    if (root == NULL) {
        return;
    }
    dying_root = g_steal_pointer(&root);
    /* Finalizing the root unparents its children in reverse order. */
    orr_object_unref(dying_root);
    dying_root = NULL;
}

/* --- Names ------------------------------------------------------------- */

/* Resolves a trailing "[*]" to the first free "[N]". */
static char *pick_child_name(OrrObject *parent, const char *name, GError **errp)
{
    if (!g_str_has_suffix(name, "[*]")) {
        return orr__check_name("add_child", name, errp) ? g_strdup(name) : NULL;
    }
    g_autofree char *base = g_strndup(name, strlen(name) - 3);
    if (*base && !orr__check_name("add_child", base, errp)) {
        return NULL;
    }
    for (guint n = 0;; n++) {
        char *candidate = g_strdup_printf("%s[%u]", base, n);
        if (orr_object_find_property(parent, candidate) == NULL) {
            return candidate;
        }
        g_free(candidate);
    }
}

static bool check_add_child(OrrObject *parent, OrrObject *child, GError **errp)
{
    const char *why = NULL;
    int code = ORR_ERROR_STATE;

    if (orr_object_get_state(parent) == ORR_OBJECT_FINALIZING ||
        orr_object_get_state(child) == ORR_OBJECT_FINALIZING) {
        why = "one of them is being finalized";
    } else if (child->priv->parent != NULL) {
        why = "the child already has a parent";
    } else if (child == parent || orr__object_is_root(child) ||
               orr_object_is_ancestor(child, parent)) {
        why = "the child is the parent or one of its ancestors";
        code = ORR_ERROR_CYCLE;
    }
    if (why != NULL) {
        g_autofree char *p = orr_object_describe(parent);
        g_autofree char *c = orr_object_describe(child);
        g_set_error(errp, ORR_ERROR, code,
                    "add_child: cannot add '%s' to '%s': %s", c, p, why);
        return false;
    }
    return true;
}

const char *orr_object_add_child(OrrObject *parent, const char *name,
                                 OrrObject *child, GError **errp)
{
    if (!check_add_child(parent, child, errp)) {
        return NULL;
    }
    g_autofree char *used = pick_child_name(parent, name ? name : "", errp);
    if (used == NULL) {
        return NULL;
    }
    if (orr_object_find_property(parent, used) != NULL) {
        g_autofree char *p = orr_object_describe(parent);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_EXISTS,
                    "add_child: '%s' already has a %s named '%s'", p,
                    orr_object_get_child(parent, used) ? "child" : "property",
                    used);
        return NULL;
    }
    OrrProperty *prop = orr__property_new_edge(
        ORR_PROP_CHILD, used, orr_object_get_type_name(child), 0);
    if (!orr__object_insert_property(parent, prop, errp)) {
        return NULL;
    }
    /* The child<> property holds the child's own count, never its lifetime
     * unit's: a region's owner must not reference itself. */
    orr__object_ref_direct(
        child, &(OrrHolder){.kind = ORR_HOLDER_PARENT, .by = parent});
    prop->child = child;
    child->priv->parent = parent; /* NOREF: the parent holds the child */
    g_free(child->priv->name);
    child->priv->name = g_steal_pointer(&used);
    g_clear_pointer(&child->priv->last_path, g_free);
    orr__links_reclassify(child);
    return child->priv->name;
}

void orr__tree_detach_child(OrrObject *parent, OrrProperty *prop)
{
    OrrObject *child = prop->child;

    g_assert(child != NULL && child->priv->parent == parent);
    g_free(child->priv->last_path);
    child->priv->last_path = orr__object_last_path(child);
    child->priv->parent = NULL;
    prop->child = NULL;
    orr__object_unref_direct(
        child, &(OrrHolder){.kind = ORR_HOLDER_PARENT, .by = parent});
}

/* Removes the child<> edge from @obj's parent to @obj, if still there. */
static void tree_remove_edge(OrrObject *obj)
{
    OrrObject *parent = obj->priv->parent;

    if (parent == NULL) {
        return;
    }
    OrrProperty *prop =
        g_hash_table_lookup(parent->priv->prop_index, obj->priv->name);
    g_assert(prop != NULL && prop->child == obj);
    orr__object_remove_property(parent, prop);
}

/*
 * Unparent runs three steps, each of which may call back into scripts:
 * unrealize, the class unparent hook, removal of the edge. A nested
 * unparent of the same object from the hook (say, the hook deletes the
 * parent's child<> property) only removes the edge: the hook is already
 * running. A nested unparent from an unrealize hook does the whole job,
 * and the outer call finds the object detached and stops. The caller's
 * hold keeps @obj valid until we return.
 */
void orr_object_unparent(OrrObject *obj)
{
    OrrObjectPrivate *priv = obj->priv;

    if (priv->parent == NULL) {
        return;
    }
    if (priv->in_unparent_hook) {
        tree_remove_edge(obj);
        return;
    }

    OrrObject *held = orr__object_hold_for_call(obj);

    if (orr_object_is_a(obj, ORR_TYPE_DEVICE)) {
        orr_device_unrealize((OrrDevice *)obj);
    }
    if (priv->parent != NULL && obj->klass->unparent != NULL) {
        priv->in_unparent_hook = true;
        obj->klass->unparent(obj);
        priv->in_unparent_hook = false;
    }
    tree_remove_edge(obj);
    orr__object_release_call(held);
}

/* --- Queries ----------------------------------------------------------- */

OrrObject *orr_object_get_parent(const OrrObject *obj)
{
    return obj->priv->parent;
}

const char *orr_object_get_name(const OrrObject *obj)
{
    return obj->priv->name;
}

bool orr_object_is_ancestor(const OrrObject *ancestor, const OrrObject *obj)
{
    for (OrrObject *p = obj->priv->parent; p != NULL; p = p->priv->parent) {
        if (p == ancestor) {
            return true;
        }
    }
    return false;
}

char *orr_object_get_path(const OrrObject *obj)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    const OrrObject *o = obj;

    for (; o->priv->parent != NULL; o = o->priv->parent) {
        g_ptr_array_add(names, o->priv->name);
    }
    if (!orr__object_is_root(o)) {
        return NULL;
    }
    if (names->len == 0) {
        return g_strdup("/");
    }
    GString *path = g_string_new(NULL);
    for (guint i = names->len; i-- > 0;) {
        g_string_append_c(path, '/');
        g_string_append(path, names->pdata[i]);
    }
    return g_string_free(path, FALSE);
}

char *orr__object_last_path(const OrrObject *obj)
{
    char *path = orr_object_get_path(obj);

    if (path != NULL) {
        return path;
    }
    if (obj->priv->parent != NULL) {
        g_autofree char *above = orr__object_last_path(obj->priv->parent);
        return above ? g_strdup_printf("%s/%s", above, obj->priv->name) : NULL;
    }
    return g_strdup(obj->priv->last_path);
}

char *orr_object_describe(const OrrObject *obj)
{
    char *path = orr_object_get_path(obj);

    if (path != NULL) {
        return path;
    }
    g_autofree char *last = orr__object_last_path(obj);
    if (last != NULL) {
        return g_strdup_printf("%s (detached)", last);
    }
    return g_strdup_printf("<detached %s>", orr_object_get_type_name(obj));
}

OrrObject *orr_object_get_child(OrrObject *obj, const char *name)
{
    OrrProperty *prop =
        name ? g_hash_table_lookup(obj->priv->prop_index, name) : NULL;

    return prop && prop->type == ORR_PROP_CHILD ? prop->child : NULL;
}

GPtrArray *orr_object_get_children(OrrObject *obj)
{
    GPtrArray *props = obj->priv->props;
    GPtrArray *out = g_ptr_array_new();

    for (guint i = 0; i < props->len; i++) {
        OrrProperty *prop = props->pdata[i];
        if (prop->type == ORR_PROP_CHILD && prop->child != NULL) {
            g_ptr_array_add(out, prop->child);
        }
    }
    return out;
}

/* --- Resolution -------------------------------------------------------- */

/* Follows one component through a child<> or link<> property. */
static OrrObject *step(OrrObject *obj, const char *name, bool links)
{
    const OrrProperty *prop = orr_object_find_property(obj, name);

    if (prop == NULL) {
        return NULL;
    }
    if (prop->type == ORR_PROP_CHILD) {
        return prop->child;
    }
    if (links && prop->type == ORR_PROP_LINK) {
        OrrSlot *slot = orr__object_get_slot(obj, (OrrProperty *)prop, false);
        return slot && slot->value.type == ORR_VALUE_OBJECT ? slot->value.o
                                                            : NULL;
    }
    return NULL;
}

static OrrObject *walk(OrrObject *from, char **parts, bool links)
{
    OrrObject *obj = from;

    for (guint i = 0; obj != NULL && parts[i] != NULL; i++) {
        if (*parts[i] != '\0') {
            obj = step(obj, parts[i], links);
        }
    }
    return obj;
}

typedef struct PartialSearch {
    char **parts;
    const char *type_name;
    OrrObject *found;
    bool ambiguous;
} PartialSearch;

/* Tries @parts below every object of the subtree, child<> edges only. */
static void search_partial(OrrObject *obj, PartialSearch *s)
{
    OrrObject *hit = walk(obj, s->parts, false);

    if (hit != NULL && hit != obj &&
        (s->type_name == NULL || orr_object_is_a(hit, s->type_name))) {
        if (s->found != NULL && s->found != hit) {
            s->ambiguous = true;
        }
        s->found = hit;
    }
    g_autoptr(GPtrArray) children = orr_object_get_children(obj);
    for (guint i = 0; i < children->len && !s->ambiguous; i++) {
        search_partial(children->pdata[i], s);
    }
}

OrrObject *orr_object_resolve_path(const char *path, const char *type_name,
                                   bool *ambiguous)
{
    g_auto(GStrv) parts = g_strsplit(path ? path : "", "/", -1);
    OrrObject *found;
    bool amb = false;

    if (path == NULL || *path == '\0') {
        found = NULL;
    } else if (*path == '/') {
        found = walk(orr_root(), parts, true);
        if (found && type_name && !orr_object_is_a(found, type_name)) {
            found = NULL;
        }
    } else {
        PartialSearch s = {.parts = parts, .type_name = type_name};
        search_partial(orr_root(), &s);
        amb = s.ambiguous;
        found = amb ? NULL : s.found;
    }
    if (ambiguous != NULL) {
        *ambiguous = amb;
    }
    return found;
}

/* --- Creation with properties ------------------------------------------ */

static OrrObject *finish_new(OrrObject *obj, OrrObject *parent,
                             const char *name, GError **errp)
{
    if (parent == NULL) {
        return obj;
    }
    if (orr_object_add_child(parent, name, obj, errp) == NULL) {
        orr_object_unref(obj);
        return NULL;
    }
    orr_object_unref(obj); /* the parent's reference remains */
    return obj;
}

static bool check_new_args(OrrObject *parent, const char *name, GError **errp)
{
    if ((parent == NULL) != (name == NULL)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "new: a parent and a name go together");
        return false;
    }
    return true;
}

OrrObject *orr_object_new_with_propv(const char *type_name, OrrObject *parent,
                                     const char *name,
                                     const OrrPropAssign *props, guint n,
                                     GError **errp)
{
    if (!check_new_args(parent, name, errp)) {
        return NULL;
    }
    OrrObject *obj = orr_object_new(type_name, errp);
    if (obj == NULL) {
        return NULL;
    }
    for (guint i = 0; i < n; i++) {
        if (!orr_object_set(obj, props[i].name, props[i].value, errp)) {
            orr_object_unref(obj);
            return NULL;
        }
    }
    return finish_new(obj, parent, name, errp);
}

OrrObject *orr_object_new_with_props(const char *type_name, OrrObject *parent,
                                     const char *name, GError **errp, ...)
{
    va_list ap;

    if (!check_new_args(parent, name, errp)) {
        return NULL;
    }
    OrrObject *obj = orr_object_new(type_name, errp);
    if (obj == NULL) {
        return NULL;
    }
    va_start(ap, errp);
    for (const char *key = va_arg(ap, const char *); key != NULL;
         key = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        if (!orr_object_set_from_string(obj, key, value, errp)) {
            va_end(ap);
            orr_object_unref(obj);
            return NULL;
        }
    }
    va_end(ap);
    return finish_new(obj, parent, name, errp);
}
