/*
 * orrery memory — changing the map: mapping and unmapping subregions and
 * the attributes that affect rendering. Every change is checked first and
 * changes nothing on error; then it notes the change for the next update.
 */
#include "memory-internal.h"

static bool fail(GError **errp, OrrErrorCode code, const char *op,
                 const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static bool fail(GError **errp, OrrErrorCode code, const char *op,
                 const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_autofree char *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(errp, ORR_ERROR, code, "%s: %s", op, why);
    return false;
}

/* Whether @mr is reachable from @from through subregions and alias
 * targets, @from included. Iterative, with a visited set: terminates on
 * any graph. */
static bool reaches(OrrMemoryRegion *from, OrrMemoryRegion *mr)
{
    if (from->subregions->len == 0 && from->alias == NULL) {
        return from == mr; /* a leaf: the common case */
    }

    g_autoptr(GPtrArray) stack = g_ptr_array_new();
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

    g_ptr_array_add(stack, from);
    while (stack->len > 0) {
        OrrMemoryRegion *r = g_ptr_array_steal_index(stack, stack->len - 1);

        if (r == mr) {
            return true;
        }
        if (!g_hash_table_add(seen, r)) {
            continue;
        }
        for (guint i = 0; i < r->subregions->len; i++) {
            g_ptr_array_add(stack, r->subregions->pdata[i]);
        }
        if (r->alias != NULL) {
            g_ptr_array_add(stack, r->alias);
        }
    }
    return false;
}

/* Inserts @sub after every sibling it beats (a lower priority, or an
 * equal one added earlier), before those that beat it. */
static void insert_sorted(OrrMemoryRegion *mr, OrrMemoryRegion *sub)
{
    guint i = mr->subregions->len;

    while (i > 0 &&
           ((OrrMemoryRegion *)mr->subregions->pdata[i - 1])->priority >
               sub->priority) {
        i--;
    }
    g_ptr_array_insert(mr->subregions, (gint)i, sub);
    orr__subindex_add(mr, sub);
}

static bool check_add(OrrMemoryRegion *mr, uint64_t offset,
                      OrrMemoryRegion *sub, GError **errp)
{
    static const char op[] = "add_subregion";

    if (mr == NULL || sub == NULL) {
        return fail(errp, ORR_ERROR_INVALID, op, "a region is missing");
    }
    /* Names are only worked out for a message: this is a hot path. */
#define WHERE g_autofree char *where = orr_object_describe((OrrObject *)mr)
#define WHAT g_autofree char *what = orr_object_describe((OrrObject *)sub)
    if (!orr__region_is_usable(mr) || !orr__region_is_usable(sub)) {
        WHERE;
        WHAT;
        return fail(errp, ORR_ERROR_STATE, op,
                    "'%s' or '%s' is being finalized", where, what);
    }
    if (mr->kind == ORR_REGION_ALIAS) {
        WHERE;
        WHAT;
        return fail(errp, ORR_ERROR_INVALID, op,
                    "'%s' is an alias; map '%s' into its target instead", where,
                    what);
    }
    if (sub->container != NULL) {
        WHAT;
        g_autofree char *in = orr_object_describe((OrrObject *)sub->container);
        return fail(errp, ORR_ERROR_EXISTS, op,
                    "'%s' is already mapped in '%s'", what, in);
    }
    if (reaches(sub, mr)) {
        WHERE;
        WHAT;
        return fail(errp, ORR_ERROR_CYCLE, op,
                    "'%s' contains '%s' (directly or through aliases); "
                    "mapping it there would make a loop",
                    what, where);
    }
    if ((OrrU128)offset + sub->size > ORR_U128_2_64) {
        WHAT;
        return fail(errp, ORR_ERROR_INVALID, op,
                    "'%s' at 0x%" G_GINT64_MODIFIER "x would end past 2^64",
                    what, offset);
    }
#undef WHERE
#undef WHAT
    return true;
}

static bool add_subregion(OrrMemoryRegion *mr, uint64_t offset,
                          OrrMemoryRegion *sub, int priority, GError **errp)
{
    if (!check_add(mr, offset, sub, errp)) {
        return false;
    }
    sub->addr = offset;
    sub->priority = priority;
    sub->map_serial = orr_serial_next();
    sub->container = mr;
    sub->mapped_owning = orr_edge_is_owning((OrrObject *)mr, (OrrObject *)sub);
    if (sub->mapped_owning) {
        OrrHolder h = orr__region_holder(ORR_HOLDER_SUBREGION, mr);
        sub->mapped_unit = orr_object_get_lifetime_unit((OrrObject *)sub);
        orr_object_ref_held(sub->mapped_unit, &h);
    }
    insert_sorted(mr, sub);
    orr__memory_changed_region(sub);
    return true;
}

bool orr_memory_region_add_subregion(OrrMemoryRegion *mr, uint64_t offset,
                                     OrrMemoryRegion *sub, GError **errp)
{
    return add_subregion(mr, offset, sub, 0, errp);
}

bool orr_memory_region_add_subregion_overlap(OrrMemoryRegion *mr,
                                             uint64_t offset,
                                             OrrMemoryRegion *sub, int priority,
                                             GError **errp)
{
    return add_subregion(mr, offset, sub, priority, errp);
}

bool orr_memory_region_del_subregion(OrrMemoryRegion *mr, OrrMemoryRegion *sub,
                                     GError **errp)
{
    if (mr == NULL || sub == NULL) {
        return fail(errp, ORR_ERROR_INVALID, "del_subregion",
                    "a region is missing");
    }
    if (sub->container != mr) {
        g_autofree char *where = orr_object_describe((OrrObject *)mr);
        g_autofree char *what = orr_object_describe((OrrObject *)sub);
        return fail(errp, ORR_ERROR_NOT_FOUND, "del_subregion",
                    "'%s' is not mapped in '%s'", what, where);
    }
    orr__region_unmap(sub);
    return true;
}

void orr_memory_region_set_enabled(OrrMemoryRegion *mr, bool enabled)
{
    g_return_if_fail(mr != NULL);
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        orr__memory_changed_region(mr);
    }
}

void orr_memory_region_set_readonly(OrrMemoryRegion *mr, bool readonly)
{
    g_return_if_fail(mr != NULL);
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        orr__memory_changed_region(mr);
    }
}

bool orr_memory_region_set_address(OrrMemoryRegion *mr, uint64_t addr,
                                   GError **errp)
{
    g_return_val_if_fail(mr != NULL, false);
    if ((OrrU128)addr + mr->size > ORR_U128_2_64) {
        g_autofree char *what = orr_object_describe((OrrObject *)mr);
        return fail(errp, ORR_ERROR_INVALID, "set_address",
                    "'%s' at 0x%" G_GINT64_MODIFIER "x would end past 2^64",
                    what, addr);
    }
    if (mr->addr != addr) {
        orr_memory_transaction_begin();
        orr__memory_changed_region(mr); /* where it was */
        if (mr->container != NULL) {
            orr__subindex_remove(mr->container, mr);
            mr->addr = addr;
            orr__subindex_add(mr->container, mr);
        } else {
            mr->addr = addr;
        }
        orr__memory_changed_region(mr); /* where it is */
        orr_memory_transaction_commit();
    }
    return true;
}

void orr_memory_region_set_priority(OrrMemoryRegion *mr, int priority)
{
    g_return_if_fail(mr != NULL);
    mr->priority = priority;
    if (mr->container != NULL) {
        orr__region_remove_sub(mr->container, mr);
        mr->map_serial = orr_serial_next();
        insert_sorted(mr->container, mr);
        orr__memory_changed_region(mr);
    }
}

bool orr_memory_region_set_alias_offset(OrrMemoryRegion *mr, uint64_t offset,
                                        GError **errp)
{
    g_return_val_if_fail(mr != NULL, false);
    if (mr->kind != ORR_REGION_ALIAS) {
        g_autofree char *what = orr_object_describe((OrrObject *)mr);
        return fail(errp, ORR_ERROR_INVALID, "set_alias_offset",
                    "'%s' is not an alias", what);
    }
    if (mr->alias_offset != offset) {
        mr->alias_offset = offset;
        orr__memory_changed_region(mr);
    }
    return true;
}

bool orr_memory_region_set_romd(OrrMemoryRegion *mr, bool romd, GError **errp)
{
    g_return_val_if_fail(mr != NULL, false);
    if (mr->kind != ORR_REGION_ROMD) {
        g_autofree char *what = orr_object_describe((OrrObject *)mr);
        return fail(errp, ORR_ERROR_INVALID, "set_romd",
                    "'%s' is not a ROM device", what);
    }
    if (mr->romd_mode != romd) {
        mr->romd_mode = romd;
        orr__memory_changed_region(mr);
    }
    return true;
}
