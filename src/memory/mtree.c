/*
 * orrery memory — `info mtree`: the region tree and the flat view of an
 * address space as text, in the layout of QEMU's monitor command.
 */
#include "memory-internal.h"

#define INDENT "  "

typedef struct Mtree {
    GString *out;
    OrrMtreeFlags flags;
    GPtrArray *alias_queue; /* alias targets to print after the tree */
} Mtree;

/* QEMU's type names: an alias shows its target's kind. */
const char *orr__mtree_type(const OrrMemoryRegion *mr)
{
    for (guint hops = 0;
         mr->kind == ORR_REGION_ALIAS && mr->alias != NULL && hops < 64;
         hops++) {
        mr = mr->alias;
    }
    switch (mr->kind) {
    case ORR_REGION_ROMD:
        return mr->romd_mode ? "romd" : "i/o";
    case ORR_REGION_ROM:
        return "rom";
    case ORR_REGION_RAM:
        return "ram";
    default:
        return "i/o";
    }
}

/* The inclusive end of [start, start + size), as QEMU prints it. */
static uint64_t last_of(OrrU128 start, OrrU128 size)
{
    return (uint64_t)(size == 0 ? start : start + size - 1);
}

static void print_owner(Mtree *m, const OrrMemoryRegion *mr)
{
    OrrObject *owner = mr->owner;

    if (!(m->flags & ORR_MTREE_OWNERS)) {
        return;
    }
    if (owner == NULL) {
        g_string_append(m->out, " orphan");
        return;
    }
    g_autofree char *path = orr_object_describe(owner);
    g_string_append_printf(
        m->out, " owner:{%s path=%s}",
        orr_object_is_a(owner, ORR_TYPE_DEVICE) ? "dev" : "obj", path);
}

/* Subregions by address, then higher priority first; otherwise in
 * rendering order (g_ptr_array_sort is stable). */
gint orr__mtree_order(gconstpointer pa, gconstpointer pb)
{
    const OrrMemoryRegion *a = *(OrrMemoryRegion *const *)pa;
    const OrrMemoryRegion *b = *(OrrMemoryRegion *const *)pb;

    if (a->addr != b->addr) {
        return a->addr < b->addr ? -1 : 1;
    }
    return a->priority > b->priority ? -1 : a->priority < b->priority;
}

static void print_region(Mtree *m, const OrrMemoryRegion *mr, guint level,
                         OrrU128 base)
{
    OrrU128 start = base + mr->addr;

    if (!mr->enabled && !(m->flags & ORR_MTREE_DISABLED)) {
        return;
    }
    for (guint i = 0; i < level; i++) {
        g_string_append(m->out, INDENT);
    }
    g_string_append_printf(m->out,
                           "%016" G_GINT64_MODIFIER "x-%016" G_GINT64_MODIFIER
                           "x (prio %d, %s): ",
                           (uint64_t)start, last_of(start, mr->size),
                           mr->priority, orr__mtree_type(mr));
    if (mr->kind == ORR_REGION_ALIAS) {
        const char *target = mr->alias ? mr->alias->name : "(gone)";
        g_string_append_printf(m->out,
                               "alias %s @%s %016" G_GINT64_MODIFIER
                               "x-%016" G_GINT64_MODIFIER "x",
                               mr->name, target, mr->alias_offset,
                               last_of(mr->alias_offset, mr->size));
        if (mr->alias != NULL &&
            !g_ptr_array_find(m->alias_queue, mr->alias, NULL)) {
            g_ptr_array_add(m->alias_queue, mr->alias);
        }
    } else {
        g_string_append(m->out, mr->name);
    }
    if (!mr->enabled) {
        g_string_append(m->out, " [disabled]");
    }
    print_owner(m, mr);
    g_string_append_c(m->out, '\n');

    g_autoptr(GPtrArray) subs =
        orr_memory_region_get_subregions((OrrMemoryRegion *)mr);
    g_ptr_array_sort(subs, orr__mtree_order);
    for (guint i = 0; i < subs->len; i++) {
        print_region(m, subs->pdata[i], level + 1, start);
    }
}

static void print_tree(Mtree *m, OrrAddressSpace *as)
{
    g_string_append_printf(m->out, "address-space: %s\n",
                           orr_object_get_name((OrrObject *)as)
                               ? orr_object_get_name((OrrObject *)as)
                               : "(detached)");
    if (as->root != NULL) {
        print_region(m, as->root, 1, 0);
    }
    g_string_append_c(m->out, '\n');
    /* The queue grows while it is printed: aliases inside targets. */
    for (guint i = 0; i < m->alias_queue->len; i++) {
        const OrrMemoryRegion *target = m->alias_queue->pdata[i];
        g_string_append_printf(m->out, "memory-region: %s\n", target->name);
        print_region(m, target, 1, 0);
        g_string_append_c(m->out, '\n');
    }
}

static void print_flat(Mtree *m, OrrAddressSpace *as)
{
    GArray *entries = as->view->entries;
    const char *root = as->root ? as->root->name : "(none)";

    g_string_append_printf(m->out,
                           "FlatView #0\n AS \"%s\", root: %s\n"
                           " Root memory region: %s\n",
                           orr_object_get_name((OrrObject *)as)
                               ? orr_object_get_name((OrrObject *)as)
                               : "(detached)",
                           root, root);
    if (entries->len == 0) {
        g_string_append(m->out, INDENT "No rendered FlatView\n");
    }
    for (guint i = 0; i < entries->len; i++) {
        const OrrFlatEntry *e = &g_array_index(entries, OrrFlatEntry, i);

        g_string_append_printf(
            m->out,
            INDENT "%016" G_GINT64_MODIFIER "x-%016" G_GINT64_MODIFIER
                   "x (prio %d, %s): %s",
            (uint64_t)e->start, last_of(e->start, e->end - e->start),
            e->mr->priority, e->readonly ? "rom" : orr__mtree_type(e->mr),
            e->mr->name);
        if (e->offset != 0) {
            g_string_append_printf(m->out, " @%016" G_GINT64_MODIFIER "x",
                                   e->offset);
        }
        print_owner(m, e->mr);
        g_string_append_c(m->out, '\n');
    }
    g_string_append_c(m->out, '\n');
}

char *orr_address_space_format_mtree(OrrAddressSpace *as, OrrMtreeFlags flags)
{
    g_return_val_if_fail(as != NULL, NULL);

    g_autoptr(GPtrArray) queue = g_ptr_array_new();
    Mtree m = {.out = g_string_new(NULL), .flags = flags, .alias_queue = queue};

    if (flags & ORR_MTREE_FLAT) {
        print_flat(&m, as);
    } else {
        print_tree(&m, as);
    }
    return g_string_free(m.out, FALSE);
}
