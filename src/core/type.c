/*
 * orrery core — the type registry, class creation, interfaces and casts.
 *
 * Types are registered once and never freed. A class is created on first
 * use, after its parent's: the parent's class struct is copied, every
 * interface class is copied (inherited ones from the parent, new ones from
 * the interface's defaults), then each ancestor's class_base_init runs from
 * the root down, including the type's own, then the type's class_init.
 */
#include "core-internal.h"

static GHashTable *types; /* name -> OrrType*, owned, never freed */

static bool valid_type_name(const char *name)
{
    if (name == NULL || *name == '\0') {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-_.:", *p)) {
            return false;
        }
    }
    return true;
}

static bool derives_from(const OrrType *type, const OrrType *ancestor)
{
    for (const OrrType *t = type; t != NULL; t = t->parent) {
        if (t == ancestor) {
            return true;
        }
    }
    return false;
}

static bool implements(const OrrType *type, const OrrType *iface)
{
    for (const OrrType *t = type; t != NULL; t = t->parent) {
        for (guint i = 0; t->interfaces && i < t->interfaces->len; i++) {
            if (derives_from(g_ptr_array_index(t->interfaces, i), iface)) {
                return true;
            }
        }
    }
    return false;
}

static bool resolve_interfaces(OrrType *type, const char *const *names,
                               GError **errp)
{
    type->interfaces = g_ptr_array_new();
    for (guint i = 0; names != NULL && names[i] != NULL; i++) {
        OrrType *iface = orr_type_lookup(names[i]);
        if (iface == NULL || !iface->is_interface) {
            g_set_error(
                errp, ORR_ERROR, iface ? ORR_ERROR_TYPE : ORR_ERROR_NOT_FOUND,
                "type_register: '%s' lists '%s', which is %s", type->name,
                names[i], iface ? "not an interface" : "not a registered type");
            return false;
        }
        g_ptr_array_add(type->interfaces, iface);
    }
    return true;
}

static void type_free(OrrType *type)
{
    /* Only reached on a failed registration: the class was never made. */
    g_assert(type->klass == NULL);
    g_free(type->name);
    if (type->interfaces) {
        g_ptr_array_unref(type->interfaces);
    }
    g_free(type);
}

static bool inherit_sizes(OrrType *type, const OrrTypeInfo *info, GError **errp)
{
    size_t min_inst =
        type->parent ? type->parent->instance_size : sizeof(OrrObject);
    size_t min_class =
        type->parent ? type->parent->class_size : sizeof(OrrObjectClass);

    if (type->is_interface) {
        min_class = MAX(min_class, sizeof(OrrInterfaceClass));
    }
    type->instance_size = info->instance_size ? info->instance_size : min_inst;
    type->class_size = info->class_size ? info->class_size : min_class;
    if (type->instance_size < min_inst || type->class_size < min_class) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "type_register: '%s' is smaller than its parent '%s'",
                    type->name, type->parent ? type->parent->name : "-");
        return false;
    }
    return true;
}

static OrrType *type_register(const OrrTypeInfo *info, bool is_root,
                              GError **errp)
{
    if (!valid_type_name(info->name)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "type_register: invalid type name '%s'",
                    info->name ? info->name : "(null)");
        return NULL;
    }
    if (g_hash_table_contains(types, info->name)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_EXISTS,
                    "type_register: type '%s' is already registered",
                    info->name);
        return NULL;
    }
    const char *parent_name = info->parent ? info->parent : ORR_TYPE_OBJECT;
    OrrType *parent = is_root ? NULL : orr_type_lookup(parent_name);
    if (!is_root && parent == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_NOT_FOUND,
                    "type_register: parent type '%s' of '%s' is not "
                    "registered",
                    parent_name, info->name);
        return NULL;
    }

    OrrType *type = g_new0(OrrType, 1);
    type->name = g_strdup(info->name);
    type->parent = parent;
    type->is_interface =
        parent != NULL &&
        (parent->is_interface || g_str_equal(parent->name, ORR_TYPE_INTERFACE));
    type->abstract = info->abstract || type->is_interface;
    type->class_init = info->class_init;
    type->class_base_init = info->class_base_init;
    type->class_data = info->class_data;
    type->instance_init = info->instance_init;
    type->instance_post_init = info->instance_post_init;
    type->instance_finalize = info->instance_finalize;
    if (!inherit_sizes(type, info, errp) ||
        !resolve_interfaces(type, info->interfaces, errp)) {
        type_free(type);
        return NULL;
    }
    g_hash_table_insert(types, type->name, type);
    return type;
}

OrrType *orr_type_register(const OrrTypeInfo *info, GError **errp)
{
    orr_core_init();
    g_return_val_if_fail(info != NULL, NULL);
    return type_register(info, false, errp);
}

void orr_core_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    types = g_hash_table_new(g_str_hash, g_str_equal);
    type_register(&(OrrTypeInfo){.name = ORR_TYPE_OBJECT}, true, NULL);
    type_register(&(OrrTypeInfo){.name = ORR_TYPE_INTERFACE,
                                 .abstract = true,
                                 .class_size = sizeof(OrrInterfaceClass)},
                  false, NULL);
    orr__tree_register_types();
    orr__device_register_types();
}

OrrType *orr_type_lookup(const char *name)
{
    orr_core_init();
    return name ? g_hash_table_lookup(types, name) : NULL;
}

const char *orr_type_get_name(const OrrType *type)
{
    return type->name;
}

OrrType *orr_type_get_parent(const OrrType *type)
{
    return type->parent;
}

bool orr_type_is_abstract(const OrrType *type)
{
    return type->abstract;
}

bool orr_type_is_a(const OrrType *type, const char *ancestor_name)
{
    OrrType *target = orr_type_lookup(ancestor_name);

    if (target == NULL) {
        return false;
    }
    if (derives_from(type, target)) {
        return true;
    }
    return target->is_interface && implements(type, target);
}

/* --- Class creation --------------------------------------------------- */

static OrrObjectClass *class_ensure(OrrType *type);

static OrrInterfaceClass *iface_class_new(OrrObjectClass *concrete,
                                          OrrType *iface,
                                          const OrrInterfaceClass *inherited)
{
    OrrObjectClass *defaults = class_ensure(iface);
    OrrInterfaceClass *ic = g_malloc0(iface->class_size);

    memcpy(ic, inherited ? (const void *)inherited : (const void *)defaults,
           iface->class_size);
    ic->parent_class.type = iface;
    /* NOREF: the interface type's class lives forever. */
    ic->parent_class.priv = defaults->priv;
    ic->concrete_class = concrete;
    ic->interface_type = iface;
    return ic;
}

static OrrInterfaceClass *find_iface_class(OrrObjectClass *klass,
                                           const OrrType *iface)
{
    GPtrArray *ifaces = klass->priv->ifaces;

    for (guint i = 0; i < ifaces->len; i++) {
        OrrInterfaceClass *ic = g_ptr_array_index(ifaces, i);
        if (ic->interface_type == iface) {
            return ic;
        }
    }
    return NULL;
}

/* Adds an interface class for @iface and its interface ancestors. */
static void add_declared_iface(OrrObjectClass *klass, OrrType *iface)
{
    for (OrrType *t = iface; t && t->is_interface; t = t->parent) {
        if (find_iface_class(klass, t) == NULL) {
            g_ptr_array_add(klass->priv->ifaces,
                            iface_class_new(klass, t, NULL));
        }
    }
}

static void class_setup_ifaces(OrrObjectClass *klass, OrrType *type,
                               OrrObjectClass *parent_class)
{
    klass->priv->ifaces = g_ptr_array_new_with_free_func(g_free);
    if (parent_class != NULL) {
        GPtrArray *inherited = parent_class->priv->ifaces;
        for (guint i = 0; i < inherited->len; i++) {
            OrrInterfaceClass *pic = g_ptr_array_index(inherited, i);
            g_ptr_array_add(klass->priv->ifaces,
                            iface_class_new(klass, pic->interface_type, pic));
        }
    }
    for (guint i = 0; i < type->interfaces->len; i++) {
        add_declared_iface(klass, g_ptr_array_index(type->interfaces, i));
    }
}

static void class_setup_props(OrrObjectClass *klass,
                              OrrObjectClass *parent_class)
{
    OrrClassPrivate *priv = klass->priv;

    priv->props =
        g_ptr_array_new_with_free_func((GDestroyNotify)orr__property_unref);
    priv->prop_index = g_hash_table_new(g_str_hash, g_str_equal);
    if (parent_class != NULL) {
        GHashTableIter it;
        gpointer key, value;
        g_hash_table_iter_init(&it, parent_class->priv->prop_index);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            g_hash_table_insert(priv->prop_index, key, value);
        }
    }
}

static void run_class_base_inits(OrrType *from, OrrObjectClass *klass,
                                 const void *data)
{
    if (from == NULL) {
        return;
    }
    run_class_base_inits(from->parent, klass, data);
    if (from->class_base_init) {
        from->class_base_init(klass, data);
    }
}

static OrrObjectClass *class_ensure(OrrType *type)
{
    if (type->klass != NULL) {
        return type->klass;
    }
    OrrObjectClass *parent_class =
        type->parent ? class_ensure(type->parent) : NULL;
    OrrObjectClass *klass = g_malloc0(type->class_size);

    if (parent_class != NULL) {
        memcpy(klass, parent_class, type->parent->class_size);
    }
    klass->type = type;
    klass->priv = g_new0(OrrClassPrivate, 1);
    class_setup_props(klass, parent_class);
    class_setup_ifaces(klass, type, parent_class);
    orr__method_class_init(klass, parent_class);
    /* Published before the hooks run so that they can add properties. */
    type->klass = klass;
    run_class_base_inits(type, klass, type->class_data);
    if (type->class_init) {
        type->class_init(klass, type->class_data);
    }
    return klass;
}

OrrObjectClass *orr_type_get_class(OrrType *type)
{
    return class_ensure(type);
}

static gint compare_type_names(gconstpointer a, gconstpointer b)
{
    const OrrType *ta = *(OrrType *const *)a;
    const OrrType *tb = *(OrrType *const *)b;
    return strcmp(ta->name, tb->name);
}

GPtrArray *orr_type_list(const char *below, bool include_abstract)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;

    orr_core_init();
    g_hash_table_iter_init(&it, types);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        OrrType *t = value;
        if ((include_abstract || !t->abstract) &&
            (below == NULL || orr_type_is_a(t, below))) {
            g_ptr_array_add(out, t);
        }
    }
    g_ptr_array_sort(out, compare_type_names);
    return out;
}

const char *orr_class_get_name(const OrrObjectClass *klass)
{
    return klass->type->name;
}

OrrObjectClass *orr_class_get_parent(const OrrObjectClass *klass)
{
    OrrType *parent = klass->type->parent;
    return parent ? class_ensure(parent) : NULL;
}

OrrObjectClass *orr_class_dynamic_cast(OrrObjectClass *klass, const char *name)
{
    OrrType *target = orr_type_lookup(name);

    if (klass == NULL || target == NULL) {
        return NULL;
    }
    if (derives_from(klass->type, target)) {
        return klass;
    }
    if (target->is_interface && klass->priv->ifaces != NULL) {
        return (OrrObjectClass *)find_iface_class(klass, target);
    }
    return NULL;
}

OrrInterfaceClass *orr_class_get_interface(OrrObjectClass *klass,
                                           const char *iface_name)
{
    OrrType *iface = orr_type_lookup(iface_name);

    if (klass == NULL || iface == NULL || !iface->is_interface) {
        return NULL;
    }
    return find_iface_class(klass, iface);
}

OrrObjectClass *orr__class_check_cast(OrrObjectClass *klass,
                                      const char *type_name)
{
    OrrObjectClass *cast = orr_class_dynamic_cast(klass, type_name);

    if (cast == NULL) {
        g_error("class cast: class '%s' is not a '%s'",
                klass ? orr_class_get_name(klass) : "(null)", type_name);
    }
    return cast;
}
