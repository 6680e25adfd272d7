/*
 * orrery memory — the memory-region type: creation of each kind, the
 * lifetime unit, properties, and what a region undoes when it goes.
 *
 * A region with an owner is the owner's child<> and counts on the owner:
 * orr_object_ref() of a region refs its owner. Its own count is only the
 * child<> edge and pins (flat views, accesses in flight), so it is
 * finalized when it leaves its owner and nothing shows it any more.
 */
#include "memory-internal.h"

static const char *const kind_names[] = {
    [ORR_REGION_RAM] = "ram",
    [ORR_REGION_ROM] = "rom",
    [ORR_REGION_ROMD] = "romd",
    [ORR_REGION_IO] = "io",
    [ORR_REGION_CONTAINER] = "container",
    [ORR_REGION_ALIAS] = "alias",
};

const char *orr_memory_region_kind_name(OrrRegionKind kind)
{
    g_return_val_if_fail((guint)kind < G_N_ELEMENTS(kind_names), NULL);
    return kind_names[kind];
}

OrrHolder orr__region_holder(const char *kind, OrrMemoryRegion *source)
{
    return (OrrHolder){.kind = kind, .by = (OrrObject *)source};
}

bool orr__region_is_usable(OrrMemoryRegion *mr)
{
    OrrObject *obj = (OrrObject *)mr;

    /* Objects still initializing count: a device maps its regions from
     * instance_init or post_init, a machine builds its sysmem there. */
    return orr_object_get_state(obj) < ORR_OBJECT_FINALIZING &&
           orr_object_get_state(orr_object_get_lifetime_unit(obj)) <
               ORR_OBJECT_FINALIZING;
}

/* --- Edges this region holds ---------------------------------------------- */

void orr__region_remove_sub(OrrMemoryRegion *c, OrrMemoryRegion *sub)
{
    /* From the end: the newest sibling is the one most often removed. */
    for (guint i = c->subregions->len; i-- > 0;) {
        if (c->subregions->pdata[i] == sub) {
            g_ptr_array_remove_index(c->subregions, i);
            orr__subindex_remove(c, sub);
            return;
        }
    }
    g_assert_not_reached();
}

void orr__region_unlink_sub(OrrMemoryRegion *sub)
{
    OrrMemoryRegion *c = sub->container;
    OrrObject *unit = sub->mapped_owning ? sub->mapped_unit : NULL;

    g_assert(c != NULL);
    orr__region_remove_sub(c, sub);
    sub->container = NULL;
    sub->mapped_owning = false;
    sub->mapped_unit = NULL;
    if (unit != NULL) {
        OrrHolder h = orr__region_holder(ORR_HOLDER_SUBREGION, c);
        /* The unit the edge held, even if @sub's has changed since (its
         * owner left its own owner). May finalize it: the caller does not
         * touch @sub. */
        orr_object_unref_held(unit, &h);
    }
}

/*
 * Unlinks every subregion of @mr, weakest first. All are unlinked before
 * any reference is dropped, since a drop may run finalizers that look at
 * the map; each edge releases the unit it held.
 */
static void region_unlink_all(OrrMemoryRegion *mr)
{
    GPtrArray *subs = mr->subregions;
    g_autoptr(GPtrArray) units = g_ptr_array_new();

    mr->subregions = g_ptr_array_new();
    orr__subindex_clear(mr);
    for (guint i = 0; i < subs->len; i++) {
        OrrMemoryRegion *sub = subs->pdata[i];
        g_assert(sub->container == mr);
        sub->container = NULL;
        if (sub->mapped_owning) {
            sub->mapped_owning = false;
            g_ptr_array_add(units, sub->mapped_unit);
            sub->mapped_unit = NULL;
        }
    }
    g_ptr_array_unref(subs);
    for (guint i = 0; i < units->len; i++) {
        OrrHolder h = orr__region_holder(ORR_HOLDER_SUBREGION, mr);
        orr_object_unref_held(units->pdata[i], &h);
    }
}

void orr__region_unmap(OrrMemoryRegion *sub)
{
    orr_memory_transaction_begin();
    orr__memory_changed_region(sub); /* measured while still mapped */
    orr__region_unlink_sub(sub);
    orr_memory_transaction_commit();
}

void orr__region_clear_alias(OrrMemoryRegion *mr)
{
    OrrMemoryRegion *target = mr->alias;

    if (target == NULL) {
        return;
    }
    mr->alias = NULL;
    g_ptr_array_remove(target->aliased_by, mr);
    orr_object_weak_unref((OrrObject *)target, mr->alias_weak);
    mr->alias_weak = 0;
    if (mr->alias_owning) {
        OrrHolder h = orr__region_holder(ORR_HOLDER_ALIAS, mr);
        OrrObject *unit = mr->alias_unit;
        mr->alias_owning = false;
        mr->alias_unit = NULL;
        orr_object_unref_held(unit, &h);
    }
}

/* The target of an alias is finalized: the alias now shows nothing. */
static void alias_target_died(OrrObject *obj, void *data)
{
    OrrMemoryRegion *mr = data;

    g_assert(mr->alias == (OrrMemoryRegion *)obj && !mr->alias_owning);
    g_ptr_array_remove(mr->alias->aliased_by, mr);
    mr->alias = NULL;
    mr->alias_weak = 0;
    orr__memory_changed();
}

/* --- The type ------------------------------------------------------------- */

/* The owner's unit (the owner may itself be a region, owned in turn), or
 * the region itself when it has no owner or left it. */
static OrrObject *region_lifetime_unit(OrrObject *obj)
{
    OrrMemoryRegion *mr = (OrrMemoryRegion *)obj;

    if (mr->owner == NULL || mr->orphaned) {
        return obj;
    }
    return orr_object_get_lifetime_unit(mr->owner);
}

static void region_instance_init(OrrObject *obj)
{
    OrrMemoryRegion *mr = (OrrMemoryRegion *)obj;

    mr->enabled = true;
    mr->subregions = g_ptr_array_new();
    mr->by_addr = g_ptr_array_new();
}

/* Cuts the edges others have to @mr: aliases of it, address spaces over
 * it. Call inside a transaction. */
static void region_sever_users(OrrMemoryRegion *mr)
{
    while (orr__region_is_aliased(mr)) {
        OrrMemoryRegion *alias = mr->aliased_by->pdata[0];
        orr__memory_changed_region(alias);
        orr__region_clear_alias(alias);
    }
    orr__address_spaces_sever_root(mr);
}

/*
 * Leaving the owner destroys the region, and the owner may be finalizing:
 * cut every edge that could show the region anywhere (its mapping, the
 * aliases of it, the address spaces over it), so that every current view
 * drops it at the commit. Only a view retired during a running access may
 * still show it; from now on it is an orphan, its own lifetime unit, whose
 * ops are never called.
 */
static void region_unparent(OrrObject *obj)
{
    OrrMemoryRegion *mr = (OrrMemoryRegion *)obj;

    orr_memory_transaction_begin();
    if (mr->container != NULL) {
        orr__region_unmap(mr);
    }
    region_sever_users(mr);
    mr->orphaned = true;
    orr__address_spaces_forget_mmio(mr);
    orr_memory_transaction_commit();
}

/* Runs with the owner still allocated: every edge from or to this region
 * is dropped here, so nothing refers to it once it is freed. */
static void region_instance_finalize(OrrObject *obj)
{
    OrrMemoryRegion *mr = (OrrMemoryRegion *)obj;

    orr_memory_transaction_begin();
    /* Our window covers everything below us; nothing below is noted. */
    orr__memory_changed_region(mr);
    if (mr->container != NULL) {
        orr__region_unlink_sub(mr);
    }
    region_unlink_all(mr);
    orr__region_clear_alias(mr);
    region_sever_users(mr);
    orr__memory_forget(mr);
    g_assert(!orr__region_is_aliased(mr) && mr->as_users == 0);
    g_clear_pointer(&mr->aliased_by, g_ptr_array_unref);
    g_ptr_array_unref(mr->subregions);
    g_ptr_array_unref(mr->by_addr);
    g_free(mr->backing);
    g_free(mr->name);
    orr_memory_transaction_commit();
}

/* --- Properties ----------------------------------------------------------- */

static bool prop_get_kind(OrrObject *obj, const OrrProperty *prop,
                          OrrValue *out, GError **errp)
{
    orr_value_set_string(out, kind_names[((OrrMemoryRegion *)obj)->kind]);
    return true;
}

static bool prop_get_size(OrrObject *obj, const OrrProperty *prop,
                          OrrValue *out, GError **errp)
{
    orr_value_set_uint(out, orr_memory_region_get_size(ORR_MEMORY_REGION(obj)));
    return true;
}

static bool prop_get_addr(OrrObject *obj, const OrrProperty *prop,
                          OrrValue *out, GError **errp)
{
    orr_value_set_uint(out, ((OrrMemoryRegion *)obj)->addr);
    return true;
}

static bool prop_get_priority(OrrObject *obj, const OrrProperty *prop,
                              OrrValue *out, GError **errp)
{
    orr_value_set_int(out, ((OrrMemoryRegion *)obj)->priority);
    return true;
}

static bool prop_get_enabled(OrrObject *obj, const OrrProperty *prop,
                             OrrValue *out, GError **errp)
{
    orr_value_set_bool(out, ((OrrMemoryRegion *)obj)->enabled);
    return true;
}

static bool prop_set_enabled(OrrObject *obj, const OrrProperty *prop,
                             const OrrValue *in, GError **errp)
{
    orr_memory_region_set_enabled(ORR_MEMORY_REGION(obj), in->b);
    return true;
}

static bool prop_get_readonly(OrrObject *obj, const OrrProperty *prop,
                              OrrValue *out, GError **errp)
{
    orr_value_set_bool(out, ((OrrMemoryRegion *)obj)->readonly);
    return true;
}

static bool prop_set_readonly(OrrObject *obj, const OrrProperty *prop,
                              const OrrValue *in, GError **errp)
{
    orr_memory_region_set_readonly(ORR_MEMORY_REGION(obj), in->b);
    return true;
}

/* "container" and "owner": the path, or "" when there is none. */
static void set_path_of(OrrValue *out, OrrObject *obj)
{
    orr_value_take_string(out, obj ? orr_object_describe(obj) : g_strdup(""));
}

static bool prop_get_container(OrrObject *obj, const OrrProperty *prop,
                               OrrValue *out, GError **errp)
{
    set_path_of(out, (OrrObject *)((OrrMemoryRegion *)obj)->container);
    return true;
}

static bool prop_get_owner(OrrObject *obj, const OrrProperty *prop,
                           OrrValue *out, GError **errp)
{
    set_path_of(out, ((OrrMemoryRegion *)obj)->owner);
    return true;
}

static void region_class_init(OrrObjectClass *klass, const void *data)
{
    static const OrrPropertyDef props[] = {
        {.name = "kind",
         .type = ORR_PROP_STRING,
         .get = prop_get_kind,
         .description = "ram, rom, romd, io, container or alias"},
        {.name = "size",
         .type = ORR_PROP_UINT,
         .get = prop_get_size,
         .description = "bytes; 2^64 reads as 18446744073709551615"},
        {.name = "addr",
         .type = ORR_PROP_UINT,
         .get = prop_get_addr,
         .description = "offset in the container"},
        {.name = "priority", .type = ORR_PROP_INT, .get = prop_get_priority},
        {.name = "enabled",
         .type = ORR_PROP_BOOL,
         .get = prop_get_enabled,
         .set = prop_set_enabled},
        {.name = "readonly",
         .type = ORR_PROP_BOOL,
         .get = prop_get_readonly,
         .set = prop_set_readonly},
        {.name = "container",
         .type = ORR_PROP_STRING,
         .get = prop_get_container,
         .description = "path of the container, empty if unmapped"},
        {.name = "owner",
         .type = ORR_PROP_STRING,
         .get = prop_get_owner,
         .description = "path of the owner, empty if free-standing"},
    };

    klass->lifetime_unit = region_lifetime_unit;
    klass->unparent = region_unparent;
    for (guint i = 0; i < G_N_ELEMENTS(props); i++) {
        g_assert(orr_class_add_property(klass, &props[i], NULL) != NULL);
    }
}

void orr__region_register_type(void)
{
    static const OrrTypeInfo info = {
        .name = ORR_TYPE_MEMORY_REGION,
        .instance_size = sizeof(OrrMemoryRegion),
        .class_init = region_class_init,
        .instance_init = region_instance_init,
        .instance_finalize = region_instance_finalize,
    };

    orr_type_register(&info, NULL);
}

/* --- Creation ------------------------------------------------------------- */

static OrrU128 size_from_arg(uint64_t size)
{
    return size == ORR_SIZE_2_64 ? ORR_U128_2_64 : (OrrU128)size;
}

/*
 * Makes a region of @kind and gives it to @owner. Accounting: one caller
 * reference from orr_object_new() on the region itself (no owner yet);
 * add_child adds the parent's; ours is dropped before the owner is set,
 * so the region's own count is then just the child<> edge.
 */
static OrrMemoryRegion *region_create(OrrObject *owner, const char *name,
                                      OrrRegionKind kind, uint64_t size,
                                      GError **errp)
{
    bool terminal = kind != ORR_REGION_CONTAINER && kind != ORR_REGION_ALIAS;
    bool backed = kind == ORR_REGION_RAM || kind == ORR_REGION_ROM ||
                  kind == ORR_REGION_ROMD;
    g_autofree uint8_t *backing = NULL;

    if (name == NULL || *name == '\0') {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "memory_region: a %s region needs a name",
                    kind_names[kind]);
        return NULL;
    }
    if (terminal && size == 0) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "memory_region: '%s': a %s region cannot be 0 bytes", name,
                    kind_names[kind]);
        return NULL;
    }
    if (backed) {
        backing = size < G_MAXSIZE ? g_try_malloc0(size) : NULL;
        if (backing == NULL) {
            g_set_error(
                errp, ORR_ERROR, ORR_ERROR_FAILED,
                "memory_region: '%s': cannot allocate %" G_GUINT64_FORMAT
                " bytes",
                name, size);
            return NULL;
        }
    }

    OrrObject *obj = orr_object_new(ORR_TYPE_MEMORY_REGION, errp);
    OrrMemoryRegion *mr = (OrrMemoryRegion *)obj;

    g_assert(obj != NULL);
    mr->kind = kind;
    mr->size = size_from_arg(size);
    mr->backing = g_steal_pointer(&backing);
    if (owner == NULL) {
        mr->name = g_strdup(name);
        return mr;
    }
    const char *used = orr_object_add_child(owner, name, obj, errp);
    if (used == NULL) {
        orr_object_unref(obj);
        return NULL;
    }
    mr->name = g_strdup(used);
    orr_object_unref(obj); /* still held by the child<> edge */
    mr->owner = owner;
    return mr;
}

OrrMemoryRegion *orr_memory_region_new_ram(OrrObject *owner, const char *name,
                                           uint64_t size, GError **errp)
{
    return region_create(owner, name, ORR_REGION_RAM, size, errp);
}

OrrMemoryRegion *orr_memory_region_new_rom(OrrObject *owner, const char *name,
                                           uint64_t size, const void *data,
                                           size_t len, GError **errp)
{
    if (len > size || (len > 0 && data == NULL)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "memory_region: '%s': %zu bytes of contents do not fit "
                    "in %" G_GUINT64_FORMAT,
                    name ? name : "", len, size);
        return NULL;
    }

    OrrMemoryRegion *mr =
        region_create(owner, name, ORR_REGION_ROM, size, errp);

    if (mr != NULL && len > 0) {
        memcpy(mr->backing, data, len);
    }
    return mr;
}

static bool check_ops(const char *name, const OrrMemoryOps *ops, GError **errp)
{
    static const unsigned ok_sizes =
        (1 << 0) | (1 << 1) | (1 << 2) | (1 << 4) | (1 << 8);
    unsigned sizes[] = {ops ? ops->valid.min_access_size : 0,
                        ops ? ops->valid.max_access_size : 0,
                        ops ? ops->impl.min_access_size : 0,
                        ops ? ops->impl.max_access_size : 0};

    if (ops == NULL || (ops->read == NULL && ops->read_tx == NULL) ||
        (ops->write == NULL && ops->write_tx == NULL)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "memory_region: '%s': ops need read (or read_tx) and "
                    "write (or write_tx)",
                    name ? name : "");
        return false;
    }
    for (guint i = 0; i < G_N_ELEMENTS(sizes); i++) {
        if (sizes[i] > 8 || !(ok_sizes & (1u << sizes[i]))) {
            g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                        "memory_region: '%s': access size %u is not 1, 2, "
                        "4 or 8",
                        name ? name : "", sizes[i]);
            return false;
        }
    }
    if (orr__ops_valid_min(ops) > orr__ops_valid_max(ops) ||
        orr__ops_impl_min(ops) > orr__ops_impl_max(ops)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "memory_region: '%s': minimum access size above the "
                    "maximum",
                    name ? name : "");
        return false;
    }
    return true;
}

static OrrMemoryRegion *region_create_ops(OrrObject *owner, const char *name,
                                          OrrRegionKind kind, uint64_t size,
                                          const OrrMemoryOps *ops, void *opaque,
                                          GError **errp)
{
    if (!check_ops(name, ops, errp)) {
        return NULL;
    }

    OrrMemoryRegion *mr = region_create(owner, name, kind, size, errp);

    if (mr != NULL) {
        mr->ops = ops;
        mr->opaque = opaque;
        mr->romd_mode = kind == ORR_REGION_ROMD;
    }
    return mr;
}

OrrMemoryRegion *orr_memory_region_new_romd(OrrObject *owner, const char *name,
                                            uint64_t size,
                                            const OrrMemoryOps *ops,
                                            void *opaque, GError **errp)
{
    return region_create_ops(owner, name, ORR_REGION_ROMD, size, ops, opaque,
                             errp);
}

OrrMemoryRegion *orr_memory_region_new_io(OrrObject *owner, const char *name,
                                          uint64_t size,
                                          const OrrMemoryOps *ops, void *opaque,
                                          GError **errp)
{
    return region_create_ops(owner, name, ORR_REGION_IO, size, ops, opaque,
                             errp);
}

OrrMemoryRegion *orr_memory_region_new_container(OrrObject *owner,
                                                 const char *name,
                                                 uint64_t size, GError **errp)
{
    return region_create(owner, name, ORR_REGION_CONTAINER, size, errp);
}

/* Sets the alias edge; the edge is classified now, like a link. */
static void alias_link(OrrMemoryRegion *mr, OrrMemoryRegion *target)
{
    OrrObject *src = (OrrObject *)mr;
    OrrObject *dst = (OrrObject *)target;

    mr->alias = target;
    if (target->aliased_by == NULL) {
        target->aliased_by = g_ptr_array_new();
    }
    g_ptr_array_add(target->aliased_by, mr);
    mr->alias_owning = orr_edge_is_owning(src, dst);
    mr->alias_serial = orr_serial_next();
    mr->alias_weak = orr_object_weak_ref(dst, alias_target_died, mr);
    if (mr->alias_owning) {
        OrrHolder h = orr__region_holder(ORR_HOLDER_ALIAS, mr);
        mr->alias_unit = orr_object_get_lifetime_unit(dst);
        orr_object_ref_held(mr->alias_unit, &h);
    }
}

OrrMemoryRegion *orr_memory_region_new_alias(OrrObject *owner, const char *name,
                                             OrrMemoryRegion *target,
                                             uint64_t offset, uint64_t size,
                                             GError **errp)
{
    if (target == NULL || !orr__region_is_usable(target)) {
        g_set_error(
            errp, ORR_ERROR, ORR_ERROR_STATE,
            "memory_region: target of alias '%s' is missing or being finalized",
            name ? name : "");
        return NULL;
    }

    OrrMemoryRegion *mr =
        region_create(owner, name, ORR_REGION_ALIAS, size, errp);

    if (mr != NULL) {
        mr->alias_offset = offset;
        alias_link(mr, target);
    }
    return mr;
}

OrrMemoryRegion *orr_memory_region_cast(OrrObject *obj, GError **errp)
{
    OrrObject *r = orr_object_cast(obj, ORR_TYPE_MEMORY_REGION, errp);

    return (OrrMemoryRegion *)r;
}

/* --- Queries -------------------------------------------------------------- */

OrrObject *orr_memory_region_object(OrrMemoryRegion *mr)
{
    return (OrrObject *)mr;
}

OrrRegionKind orr_memory_region_get_kind(const OrrMemoryRegion *mr)
{
    return mr->kind;
}

const char *orr_memory_region_get_name(const OrrMemoryRegion *mr)
{
    return mr->name;
}

uint64_t orr_memory_region_get_size(const OrrMemoryRegion *mr)
{
    return mr->size == ORR_U128_2_64 ? ORR_SIZE_2_64 : (uint64_t)mr->size;
}

uint64_t orr_memory_region_get_address(const OrrMemoryRegion *mr)
{
    return mr->addr;
}

int orr_memory_region_get_priority(const OrrMemoryRegion *mr)
{
    return mr->priority;
}

bool orr_memory_region_is_enabled(const OrrMemoryRegion *mr)
{
    return mr->enabled;
}

bool orr_memory_region_is_readonly(const OrrMemoryRegion *mr)
{
    return mr->readonly;
}

bool orr_memory_region_is_romd(const OrrMemoryRegion *mr)
{
    return mr->romd_mode;
}

OrrMemoryRegion *orr_memory_region_get_container(const OrrMemoryRegion *mr)
{
    return mr->container;
}

OrrObject *orr_memory_region_get_owner(const OrrMemoryRegion *mr)
{
    return mr->owner;
}

OrrMemoryRegion *orr_memory_region_get_alias_target(const OrrMemoryRegion *mr)
{
    return mr->alias;
}

uint64_t orr_memory_region_get_alias_offset(const OrrMemoryRegion *mr)
{
    return mr->alias_offset;
}

void *orr_memory_region_get_ram_ptr(OrrMemoryRegion *mr)
{
    return mr->backing;
}

GPtrArray *orr_memory_region_get_subregions(OrrMemoryRegion *mr)
{
    GPtrArray *list = g_ptr_array_sized_new(mr->subregions->len);

    for (guint i = mr->subregions->len; i-- > 0;) {
        g_ptr_array_add(list, mr->subregions->pdata[i]); /* strongest first */
    }
    return list;
}
