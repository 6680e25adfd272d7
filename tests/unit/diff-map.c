/*
 * orrery unit tests — the maps of the differential test: building,
 * printing and describing them (see diff-map.h).
 */
#include "diff-map.h"

#include <string.h>

/* --- The real view, per address ------------------------------------------- */

char *diff_format_view(const RefHit *v)
{
    GString *s = g_string_new(NULL);
    guint a = 0;

    while (a < DIFF_SPACE) {
        guint b = a + 1;

        while (b < DIFF_SPACE && v[b].mr == v[a].mr &&
               v[b].readonly == v[a].readonly &&
               (v[a].mr == NULL || v[b].offset == v[a].offset + (b - a))) {
            b++;
        }
        if (v[a].mr != NULL) {
            g_string_append_printf(s, "%s%02x-%02x %s", s->len ? " " : "", a,
                                   b - 1, orr_memory_region_get_name(v[a].mr));
            if (v[a].offset != 0) {
                g_string_append_printf(s, "@%" G_GINT64_MODIFIER "x",
                                       v[a].offset);
            }
            if (v[a].readonly) {
                g_string_append(s, "(ro)");
            }
        }
        a = b;
    }
    return g_string_free(s, FALSE);
}

bool diff_real_view(OrrAddressSpace *as, RefHit *out, GString *why)
{
    g_autoptr(GArray) ranges = orr_address_space_get_flat_ranges(as);

    for (guint a = 0; a < DIFF_SPACE; a++) {
        out[a] = (RefHit){NULL, 0, false};
    }
    if (!ref_check_flat(ranges, why)) {
        return false;
    }
    for (guint i = 0; i < ranges->len; i++) {
        const OrrFlatRange *r = &g_array_index(ranges, OrrFlatRange, i);

        if (r->last >= DIFF_SPACE) {
            g_string_append_printf(why,
                                   "flat range %u [0x%" G_GINT64_MODIFIER
                                   "x, 0x%" G_GINT64_MODIFIER
                                   "x] is outside the space\n",
                                   i, r->start, r->last);
            return false;
        }
        for (uint64_t a = r->start; a <= r->last; a++) {
            out[a] =
                (RefHit){r->region, r->offset + (a - r->start), r->readonly};
        }
    }
    return true;
}

/* --- Maps: regions with known contents ------------------------------------ */

/* A byte pattern distinct per region, offset and buffer. */
static uint8_t pattern(guint index, uint64_t off, guint salt)
{
    guint32 h = (index + 1) * 0x9e3779b1u ^ (guint32)off * 0x85ebca77u ^
                (salt + 1) * 0xc2b2ae3du;

    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return (uint8_t)h;
}

static uint64_t regs_read(void *opaque, uint64_t offset, unsigned size)
{
    DiffReg *r = opaque;
    uint64_t v = 0;

    g_assert_cmpuint(offset + size, <=, r->size);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)r->regs[offset + i] << (8 * i);
    }
    return v;
}

static void regs_write(void *opaque, uint64_t offset, uint64_t value,
                       unsigned size)
{
    DiffReg *r = opaque;

    g_assert_cmpuint(offset + size, <=, r->size);
    for (unsigned i = 0; i < size; i++) {
        r->regs[offset + i] = (uint8_t)(value >> (8 * i));
    }
}

/* Any size, any alignment, one call per access. */
static const OrrMemoryOps regs_ops = {
    .read = regs_read,
    .write = regs_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.min_access_size = 1, .max_access_size = 8, .unaligned = true},
    .impl = {.min_access_size = 1, .max_access_size = 8, .unaligned = true},
};

static void reg_free(gpointer p)
{
    DiffReg *r = p;

    if (r != NULL) {
        g_free(r->regs);
        g_free(r);
    }
}

DiffReg *diff_reg_of(DiffWorld *w, OrrMemoryRegion *mr)
{
    DiffReg *r = g_hash_table_lookup(w->by_mr, mr);

    g_assert_nonnull(r);
    return r;
}

void diff_note_mapped(DiffWorld *w, DiffReg *r)
{
    r->stamp = ++w->next_stamp;
}

const char *diff_reg_name(DiffReg *r)
{
    return orr_memory_region_get_name(r->mr);
}

DiffWorld *diff_world_new(void)
{
    DiffWorld *w = g_new0(DiffWorld, 1);

    w->owner = orr_object_new(ORR_TYPE_CONTAINER, NULL);
    g_assert_nonnull(
        orr_object_add_child(orr_root(), "diff-map", w->owner, NULL));
    orr_object_unref(w->owner);
    w->regs = g_ptr_array_new_with_free_func(reg_free);
    w->by_mr = g_hash_table_new(NULL, NULL);
    w->log = g_string_new(NULL);
    w->edit_error = g_string_new(NULL);
    return w;
}

void diff_world_free(DiffWorld *w)
{
    g_assert_cmpuint(w->tx_depth, ==, 0);
    orr_object_unparent(w->owner);
    for (guint k = 0; k < DIFF_N_AS; k++) {
        g_clear_pointer(&w->ranges[k], g_array_unref);
    }
    g_ptr_array_unref(w->regs);
    g_hash_table_unref(w->by_mr);
    g_string_free(w->log, TRUE);
    g_string_free(w->edit_error, TRUE);
    g_free(w);
}

DiffReg *diff_world_add_region(DiffWorld *w, guint index, OrrRegionKind kind,
                               uint64_t size, DiffReg *target,
                               uint64_t alias_offset)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *name = g_strdup_printf("r%u", index);
    DiffReg *r = g_new0(DiffReg, 1);

    r->index = index;
    r->kind = kind;
    r->size = size;
    if (kind == ORR_REGION_IO || kind == ORR_REGION_ROMD) {
        r->regs = g_malloc(size);
        for (uint64_t i = 0; i < size; i++) {
            r->regs[i] = pattern(index, i, 1);
        }
    }
    switch (kind) {
    case ORR_REGION_RAM:
        r->mr = orr_memory_region_new_ram(w->owner, name, size, &err);
        break;
    case ORR_REGION_ROM: {
        g_autofree uint8_t *data = g_malloc(size);
        for (uint64_t i = 0; i < size; i++) {
            data[i] = pattern(index, i, 0);
        }
        r->mr =
            orr_memory_region_new_rom(w->owner, name, size, data, size, &err);
        break;
    }
    case ORR_REGION_ROMD:
        r->mr = orr_memory_region_new_romd(w->owner, name, size, &regs_ops, r,
                                           &err);
        r->romd_shown = true; /* a new ROM device starts in romd mode */
        break;
    case ORR_REGION_IO:
        r->mr =
            orr_memory_region_new_io(w->owner, name, size, &regs_ops, r, &err);
        break;
    case ORR_REGION_CONTAINER:
        r->mr = orr_memory_region_new_container(w->owner, name, size, &err);
        break;
    case ORR_REGION_ALIAS:
        g_assert_nonnull(target);
        r->mr = orr_memory_region_new_alias(w->owner, name, target->mr,
                                            alias_offset, size, &err);
        break;
    }
    g_assert_no_error(err);
    g_assert_nonnull(r->mr);
    if (kind == ORR_REGION_RAM || kind == ORR_REGION_ROMD) {
        uint8_t *host = orr_memory_region_get_ram_ptr(r->mr);
        for (uint64_t i = 0; i < size; i++) {
            host[i] = pattern(index, i, 0);
        }
    }
    if (index >= w->regs->len) {
        g_ptr_array_set_size(w->regs, (gint)index + 1);
    }
    g_assert_null(w->regs->pdata[index]);
    w->regs->pdata[index] = r;
    g_hash_table_insert(w->by_mr, r->mr, r);
    return r;
}

DiffReg *diff_world_reg(DiffWorld *w, guint i)
{
    g_assert_cmpuint(i, <, w->regs->len);
    return w->regs->pdata[i];
}

void diff_world_new_spaces(DiffWorld *w, const guint *roots)
{
    for (guint k = 0; k < DIFF_N_AS; k++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *name = g_strdup_printf("as%u", k);
        w->as[k] = orr_address_space_new(w->owner, name,
                                         diff_world_reg(w, roots[k])->mr, &err);
        g_assert_no_error(err);
    }
}

void diff_world_expect(DiffWorld *w)
{
    for (guint k = 0; k < DIFF_N_AS; k++) {
        OrrMemoryRegion *root = orr_address_space_get_root(w->as[k]);

        ref_view(root, DIFF_SPACE, w->view[k]);
        g_clear_pointer(&w->ranges[k], g_array_unref);
        w->ranges[k] = ref_ranges(root);
    }
    for (guint i = 0; i < w->regs->len; i++) {
        DiffReg *r = w->regs->pdata[i];
        if (r != NULL && r->kind == ORR_REGION_ROMD) {
            r->romd_shown = orr_memory_region_is_romd(r->mr);
        }
    }
}

/* --- Printing a map ------------------------------------------------------- */

static void dump_region(DiffWorld *w, GString *out, OrrMemoryRegion *mr,
                        guint indent)
{
    DiffReg *r = diff_reg_of(w, mr);

    g_string_append_printf(out, "%*s%s %s size 0x%" G_GINT64_MODIFIER "x",
                           indent, "", orr_memory_region_get_name(mr),
                           orr_memory_region_kind_name(r->kind),
                           orr_memory_region_get_size(mr));
    if (orr_memory_region_get_container(mr) != NULL) {
        g_string_append_printf(out, " @0x%" G_GINT64_MODIFIER "x prio %d",
                               orr_memory_region_get_address(mr),
                               orr_memory_region_get_priority(mr));
    }
    if (r->kind == ORR_REGION_ALIAS) {
        OrrMemoryRegion *t = orr_memory_region_get_alias_target(mr);
        g_string_append_printf(out, " -> %s +0x%" G_GINT64_MODIFIER "x",
                               t ? orr_memory_region_get_name(t) : "(severed)",
                               orr_memory_region_get_alias_offset(mr));
    }
    if (r->kind == ORR_REGION_ROMD) {
        g_string_append(out, orr_memory_region_is_romd(mr) ? " [romd mode]"
                                                           : " [mmio mode]");
    }
    if (!orr_memory_region_is_enabled(mr)) {
        g_string_append(out, " [disabled]");
    }
    if (orr_memory_region_is_readonly(mr)) {
        g_string_append(out, " [readonly]");
    }
    g_string_append_c(out, '\n');

    g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(mr);
    for (guint i = 0; i < subs->len; i++) {
        dump_region(w, out, subs->pdata[i], indent + 2);
    }
}

void diff_collect_reachable(OrrMemoryRegion *mr, GHashTable *set)
{
    if (mr == NULL || !g_hash_table_add(set, mr)) {
        return;
    }
    g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(mr);
    for (guint i = 0; i < subs->len; i++) {
        diff_collect_reachable(subs->pdata[i], set);
    }
    diff_collect_reachable(orr_memory_region_get_alias_target(mr), set);
}

char *diff_world_dump(DiffWorld *w)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

    for (guint k = 0; k < DIFF_N_AS; k++) {
        OrrMemoryRegion *root = orr_address_space_get_root(w->as[k]);
        g_string_append_printf(out, "  as%u: root %s\n", k,
                               root ? orr_memory_region_get_name(root)
                                    : "(dead)");
        diff_collect_reachable(root, seen);
    }
    for (guint i = 0; i < w->regs->len; i++) {
        DiffReg *r = diff_world_reg(w, i);
        OrrMemoryRegion *c = orr_memory_region_get_container(r->mr);

        if (!g_hash_table_contains(seen, r->mr) ||
            (c != NULL && g_hash_table_contains(seen, c))) {
            continue;
        }
        if (c != NULL) {
            g_string_append_printf(out,
                                   "  (%s is mapped in %s, which is not "
                                   "shown)\n",
                                   orr_memory_region_get_name(r->mr),
                                   orr_memory_region_get_name(c));
        }
        dump_region(w, out, r->mr, 2);
    }
    return g_string_free(out, FALSE);
}

/* --- Map specifications --------------------------------------------------- */

static DiffMapSpec *spec_new(void)
{
    DiffMapSpec *s = g_new0(DiffMapSpec, 1);

    s->regions = g_array_new(FALSE, TRUE, sizeof(DiffSpec));
    return s;
}

void diff_spec_free(DiffMapSpec *s)
{
    g_array_unref(s->regions);
    g_free(s);
}

DiffMapSpec *diff_spec_copy(const DiffMapSpec *s)
{
    DiffMapSpec *c = spec_new();

    g_array_append_vals(c->regions, s->regions->data, s->regions->len);
    memcpy(c->as_root, s->as_root, sizeof(c->as_root));
    return c;
}

DiffSpec *diff_spec_at(const DiffMapSpec *s, guint i)
{
    return &g_array_index(s->regions, DiffSpec, i);
}

static int compare_order(gconstpointer a, gconstpointer b, gpointer data)
{
    const DiffMapSpec *s = data;
    guint32 x = diff_spec_at(s, *(const guint *)a)->order;
    guint32 y = diff_spec_at(s, *(const guint *)b)->order;

    return x < y ? -1 : x > y;
}

DiffWorld *diff_world_build(const DiffMapSpec *s)
{
    DiffWorld *w = diff_world_new();
    guint n = s->regions->len;
    guint made = 0;

    g_ptr_array_set_size(w->regs, (gint)n);
    while (made < n) {
        guint before = made;
        for (guint i = n; i-- > 0;) {
            const DiffSpec *sp = diff_spec_at(s, i);
            DiffReg *target = NULL;

            if (w->regs->pdata[i] != NULL) {
                continue;
            }
            if (sp->kind == ORR_REGION_ALIAS) {
                target = w->regs->pdata[sp->target];
                if (target == NULL) {
                    continue;
                }
            }
            diff_world_add_region(w, i, sp->kind, sp->size, target,
                                  sp->alias_offset);
            made++;
        }
        g_assert_cmpuint(made, >, before);
    }

    g_autoptr(GArray) mapped = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < n; i++) {
        if (diff_spec_at(s, i)->parent >= 0) {
            g_array_append_val(mapped, i);
        }
    }
    g_array_sort_with_data(mapped, compare_order, (gpointer)s);
    for (guint j = 0; j < mapped->len; j++) {
        g_autoptr(GError) err = NULL;
        guint i = g_array_index(mapped, guint, j);
        const DiffSpec *sp = diff_spec_at(s, i);

        g_assert_true(orr_memory_region_add_subregion_overlap(
            diff_world_reg(w, (guint)sp->parent)->mr, sp->addr,
            diff_world_reg(w, i)->mr, sp->priority, &err));
        g_assert_no_error(err);
        diff_note_mapped(w, diff_world_reg(w, i));
    }
    for (guint i = 0; i < n; i++) {
        const DiffSpec *sp = diff_spec_at(s, i);
        OrrMemoryRegion *mr = diff_world_reg(w, i)->mr;

        orr_memory_region_set_enabled(mr, sp->enabled);
        orr_memory_region_set_readonly(mr, sp->readonly);
        if (sp->kind == ORR_REGION_ROMD) {
            g_assert_true(orr_memory_region_set_romd(mr, sp->romd, NULL));
        }
    }
    diff_world_new_spaces(w, s->as_root);
    diff_world_expect(w);
    return w;
}

DiffMapSpec *diff_world_snapshot(DiffWorld *w)
{
    DiffMapSpec *s = spec_new();
    guint32 order = 0;

    g_array_set_size(s->regions, w->regs->len);
    for (guint i = 0; i < w->regs->len; i++) {
        DiffReg *r = diff_world_reg(w, i);
        DiffSpec *sp = diff_spec_at(s, i);
        OrrMemoryRegion *c = orr_memory_region_get_container(r->mr);

        sp->kind = r->kind;
        sp->size = r->size;
        sp->parent = c ? (int)diff_reg_of(w, c)->index : -1;
        sp->addr = orr_memory_region_get_address(r->mr);
        sp->priority = orr_memory_region_get_priority(r->mr);
        sp->enabled = orr_memory_region_is_enabled(r->mr);
        sp->readonly = orr_memory_region_is_readonly(r->mr);
        sp->romd = orr_memory_region_is_romd(r->mr);
        sp->target = -1;
        if (r->kind == ORR_REGION_ALIAS) {
            OrrMemoryRegion *t = orr_memory_region_get_alias_target(r->mr);
            g_assert_nonnull(t);
            sp->target = (int)diff_reg_of(w, t)->index;
            sp->alias_offset = orr_memory_region_get_alias_offset(r->mr);
        }
    }
    /* Oldest first: each container's subregions in reverse rendering order
     * reproduce its order among equal priorities. */
    for (guint i = 0; i < w->regs->len; i++) {
        g_autoptr(GPtrArray) subs =
            orr_memory_region_get_subregions(diff_world_reg(w, i)->mr);
        for (guint j = subs->len; j-- > 0;) {
            diff_spec_at(s, diff_reg_of(w, subs->pdata[j])->index)->order =
                order++;
        }
    }
    for (guint k = 0; k < DIFF_N_AS; k++) {
        s->as_root[k] =
            diff_reg_of(w, orr_address_space_get_root(w->as[k]))->index;
    }
    return s;
}

uint64_t diff_rand_size(GRand *rand, OrrRegionKind kind)
{
    if (kind == ORR_REGION_CONTAINER) {
        return (uint64_t)g_rand_int_range(rand, 8, DIFF_SPACE + 1);
    }
    if (g_rand_int_range(rand, 0, 8) == 0) {
        return (uint64_t)g_rand_int_range(rand, 1, DIFF_SPACE + 1);
    }
    return (uint64_t)g_rand_int_range(rand, 1, 65);
}

uint64_t diff_rand_offset(GRand *rand, uint64_t size)
{
    if (g_rand_int_range(rand, 0, 6) == 0) {
        return (uint64_t)g_rand_int_range(rand, 0, (gint32)size + 16);
    }
    return (uint64_t)g_rand_int_range(rand, 0, (gint32)size);
}

int diff_rand_priority(GRand *rand)
{
    return g_rand_int_range(rand, -1, 3);
}

OrrRegionKind diff_rand_kind(GRand *rand)
{
    static const OrrRegionKind kinds[] = {
        ORR_REGION_CONTAINER, ORR_REGION_CONTAINER, ORR_REGION_CONTAINER,
        ORR_REGION_RAM,       ORR_REGION_RAM,       ORR_REGION_ROM,
        ORR_REGION_ROMD,      ORR_REGION_IO,        ORR_REGION_IO,
        ORR_REGION_IO,        ORR_REGION_ALIAS,     ORR_REGION_ALIAS,
        ORR_REGION_ALIAS,
    };

    return kinds[g_rand_int_range(rand, 0, G_N_ELEMENTS(kinds))];
}

DiffMapSpec *diff_spec_random(GRand *rand, guint max_regions)
{
    DiffMapSpec *s = spec_new();
    guint n = (guint)g_rand_int_range(rand, 2, (gint32)max_regions + 1);
    g_autofree guint *depth = g_new0(guint, n);

    g_array_set_size(s->regions, n);
    for (guint i = 0; i < n; i++) {
        DiffSpec *sp = diff_spec_at(s, i);

        sp->kind = diff_rand_kind(rand);
        if (i == 0) {
            /* Now and then an MMIO or RAM root with subregions. */
            static const OrrRegionKind root_kinds[] = {
                ORR_REGION_IO,
                ORR_REGION_RAM,
                ORR_REGION_ROMD,
            };
            sp->kind = g_rand_int_range(rand, 0, 8)
                           ? ORR_REGION_CONTAINER
                           : root_kinds[g_rand_int_range(rand, 0, 3)];
        } else if (i == n - 1 && sp->kind == ORR_REGION_ALIAS) {
            sp->kind = ORR_REGION_IO; /* nothing left to target */
        }
        sp->size = i == 0 ? DIFF_SPACE : diff_rand_size(rand, sp->kind);
        sp->parent = -1;
        sp->priority = diff_rand_priority(rand);
        sp->order = g_rand_int(rand);
        sp->enabled = g_rand_int_range(rand, 0, 10) != 0;
        sp->readonly = g_rand_int_range(rand, 0, 8) == 0;
        sp->romd = g_rand_int_range(rand, 0, 10) < 7;
        sp->target = -1;
        if (i == 0) {
            sp->enabled = g_rand_int_range(rand, 0, 50) != 0;
            continue;
        }
        if (g_rand_int_range(rand, 0, 8) != 0) {
            /* A parent: any earlier region that can hold one, not too
             * deep. r0 always can. */
            for (;;) {
                guint p = (guint)g_rand_int_range(rand, 0, (gint32)i);
                const DiffSpec *ps = diff_spec_at(s, p);
                if (ps->kind == ORR_REGION_ALIAS || depth[p] >= 3 ||
                    (ps->kind != ORR_REGION_CONTAINER && p != 0 &&
                     g_rand_int_range(rand, 0, 3) != 0)) {
                    continue;
                }
                sp->parent = (int)p;
                sp->addr = diff_rand_offset(rand, ps->size);
                depth[i] = depth[p] + 1;
                break;
            }
        }
    }
    for (guint i = 1; i < n; i++) {
        DiffSpec *sp = diff_spec_at(s, i);

        if (sp->kind != ORR_REGION_ALIAS) {
            continue;
        }
        sp->target = g_rand_int_range(rand, (gint32)i + 1, (gint32)n);
        sp->alias_offset =
            diff_rand_offset(rand, diff_spec_at(s, (guint)sp->target)->size);
    }
    s->as_root[0] = 0;
    for (guint k = 1; k < DIFF_N_AS; k++) {
        s->as_root[k] = (guint)g_rand_int_range(rand, 0, (gint32)n);
    }
    return s;
}
