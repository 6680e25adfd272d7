/*
 * Differential tests of rendering and dispatch.
 *
 * Thousands of seeded random memory maps, and random edit sequences on
 * live maps (with nested transactions), are compared address by address
 * with a deliberately naive reference (refview.c, shared with the memory
 * fuzzer): for each address it asks the region tree "who claims this
 * address?" using only public getters, and reads and writes are checked
 * against what that reference predicts. The flat ranges are also compared
 * whole with the reference's own ranges.
 *
 * A map has N_AS address spaces: as0 over the main root, of SPACE bytes,
 * the others over random regions (mapped or not, any kind, aliases too).
 * Every region is at most SPACE bytes, so nothing may show at or above
 * SPACE; addresses are bytes, so each can be evaluated on its own.
 * The rendering order the reference follows (get_subregions) is itself
 * checked against the test's own record of priorities and mapping order.
 *
 * Environment (optional): ORR_DIFF_SEED, the base seed (map i uses seed
 * base + i); ORR_DIFF_MAPS, ORR_DIFF_SEQS, ORR_DIFF_STEPS, the counts
 * (lower them under valgrind). -m thorough multiplies the counts by 10.
 * A failure prints the seed, the (minimized) map and expected vs actual.
 */
#include "refview.h"
#include "test-util.h"

#include <string.h>

#define SPACE 256u     /* bytes per address space, 1 byte = 1 unit */
#define N_AS 3         /* address spaces per map */
#define MAX_REGIONS 40 /* edit sequences stop creating regions here */
#define DEFAULT_SEED 0x0e11a5u
#define MAX_REPORTS 3 /* failing seeds reported per test */

/* --- The real view, per address ----------------------------------------- */

/* A view as "start-last name@offset(ro)" ranges of continuing hits. */
static char *format_view(const RefHit *v)
{
    GString *s = g_string_new(NULL);
    guint a = 0;

    while (a < SPACE) {
        guint b = a + 1;

        while (b < SPACE && v[b].mr == v[a].mr &&
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

/* The flat ranges of @as expanded per address into @out, checking that
 * they are sorted, disjoint, inside the space and merged. */
static bool real_view(OrrAddressSpace *as, RefHit *out, GString *why)
{
    g_autoptr(GArray) ranges = orr_address_space_get_flat_ranges(as);

    for (guint a = 0; a < SPACE; a++) {
        out[a] = (RefHit){NULL, 0, false};
    }
    if (!ref_check_flat(ranges, why)) {
        return false;
    }
    for (guint i = 0; i < ranges->len; i++) {
        const OrrFlatRange *r = &g_array_index(ranges, OrrFlatRange, i);

        if (r->last >= SPACE) {
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

/* --- Maps: regions with known contents ---------------------------------- */

/* One region of a map; IO regions and ROM devices serve @regs. */
typedef struct Reg {
    OrrMemoryRegion *mr;
    guint index; /* its name is "r<index>" */
    OrrRegionKind kind;
    uint64_t size;
    uint8_t *regs;   /* IO, ROMD: the bytes the ops read and write */
    guint64 stamp;   /* when it was last mapped or re-prioritized */
    bool romd_shown; /* ROMD: its mode as of the last update (a
                      * mode change shows at the outermost commit) */
} Reg;

typedef struct World {
    OrrObject *owner;  /* owns every region and address space */
    GPtrArray *regs;   /* Reg*, owned, by index (NULL while building) */
    GHashTable *by_mr; /* OrrMemoryRegion* -> Reg* */
    OrrAddressSpace *as[N_AS];
    RefHit view[N_AS][SPACE]; /* the reference view as of the last update */
    GArray *ranges[N_AS];     /* the same, whole (ref_ranges()) */
    GString *log;             /* the edits made, for reports */
    GString *edit_error;      /* an edit that misbehaved */
    guint tx_depth;
    guint64 next_stamp;
} World;

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
    Reg *r = opaque;
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
    Reg *r = opaque;

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
    Reg *r = p;

    if (r != NULL) {
        g_free(r->regs);
        g_free(r);
    }
}

static Reg *reg_of(World *w, OrrMemoryRegion *mr)
{
    Reg *r = g_hash_table_lookup(w->by_mr, mr);

    g_assert_nonnull(r);
    return r;
}

/* Notes that @r was just mapped, or re-sorted by a new priority: it is
 * now the newest among its siblings of equal priority. */
static void note_mapped(World *w, Reg *r)
{
    r->stamp = ++w->next_stamp;
}

static const char *reg_name(Reg *r)
{
    return orr_memory_region_get_name(r->mr);
}

static World *world_new(void)
{
    World *w = g_new0(World, 1);

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

/* Frees the map: the owner first (it takes every region with it), then
 * what the ops used. */
static void world_free(World *w)
{
    g_assert_cmpuint(w->tx_depth, ==, 0);
    orr_object_unparent(w->owner);
    for (guint k = 0; k < N_AS; k++) {
        g_clear_pointer(&w->ranges[k], g_array_unref);
    }
    g_ptr_array_unref(w->regs);
    g_hash_table_unref(w->by_mr);
    g_string_free(w->log, TRUE);
    g_string_free(w->edit_error, TRUE);
    g_free(w);
}

static Reg *world_add_region(World *w, guint index, OrrRegionKind kind,
                             uint64_t size, Reg *target, uint64_t alias_offset)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *name = g_strdup_printf("r%u", index);
    Reg *r = g_new0(Reg, 1);

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

static Reg *world_reg(World *w, guint i)
{
    g_assert_cmpuint(i, <, w->regs->len);
    return w->regs->pdata[i];
}

static void world_new_spaces(World *w, const guint *roots)
{
    for (guint k = 0; k < N_AS; k++) {
        g_autoptr(GError) err = NULL;
        g_autofree char *name = g_strdup_printf("as%u", k);
        w->as[k] = orr_address_space_new(w->owner, name,
                                         world_reg(w, roots[k])->mr, &err);
        g_assert_no_error(err);
    }
}

/* Renders the reference of every address space into w->view. */
static void world_expect(World *w)
{
    for (guint k = 0; k < N_AS; k++) {
        OrrMemoryRegion *root = orr_address_space_get_root(w->as[k]);

        ref_view(root, SPACE, w->view[k]);
        g_clear_pointer(&w->ranges[k], g_array_unref);
        w->ranges[k] = ref_ranges(root);
    }
    for (guint i = 0; i < w->regs->len; i++) {
        Reg *r = w->regs->pdata[i];
        if (r != NULL && r->kind == ORR_REGION_ROMD) {
            r->romd_shown = orr_memory_region_is_romd(r->mr);
        }
    }
}

/* --- Printing a map ----------------------------------------------------- */

static void dump_region(World *w, GString *out, OrrMemoryRegion *mr,
                        guint indent)
{
    Reg *r = reg_of(w, mr);

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

/* Adds to @set everything reachable from @mr by subregions and aliases. */
static void collect_reachable(OrrMemoryRegion *mr, GHashTable *set)
{
    if (mr == NULL || !g_hash_table_add(set, mr)) {
        return;
    }
    g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(mr);
    for (guint i = 0; i < subs->len; i++) {
        collect_reachable(subs->pdata[i], set);
    }
    collect_reachable(orr_memory_region_get_alias_target(mr), set);
}

/* The map as trees in rendering order (subregions: highest priority
 * first, newest first), only what the address spaces can reach. */
static char *world_dump(World *w)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

    for (guint k = 0; k < N_AS; k++) {
        OrrMemoryRegion *root = orr_address_space_get_root(w->as[k]);
        g_string_append_printf(out, "  as%u: root %s\n", k,
                               root ? orr_memory_region_get_name(root)
                                    : "(dead)");
        collect_reachable(root, seen);
    }
    for (guint i = 0; i < w->regs->len; i++) {
        Reg *r = world_reg(w, i);
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

/* --- Comparing views ---------------------------------------------------- */

/*
 * The reference takes the rendering order from get_subregions(); this
 * checks that order independently: every list sorted by priority, highest
 * first, and at equal priority newest first by the test's own record of
 * when each region was mapped or re-prioritized.
 */
static bool check_order(World *w, GString *why)
{
    for (guint i = 0; i < w->regs->len; i++) {
        Reg *r = world_reg(w, i);
        g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(r->mr);

        for (guint j = 0; j < subs->len; j++) {
            Reg *b = reg_of(w, subs->pdata[j]);
            Reg *a = j > 0 ? reg_of(w, subs->pdata[j - 1]) : NULL;
            int pa = a ? orr_memory_region_get_priority(a->mr) : 0;
            int pb = orr_memory_region_get_priority(b->mr);

            if (orr_memory_region_get_container(b->mr) != r->mr) {
                g_string_append_printf(why,
                                       "%s lists %s, whose container "
                                       "is not %s\n",
                                       reg_name(r), reg_name(b), reg_name(r));
                return false;
            }
            if (a != NULL && (pa < pb || (pa == pb && a->stamp < b->stamp))) {
                g_string_append_printf(
                    why,
                    "subregions of %s: %s (prio %d, "
                    "mapped #%" G_GUINT64_FORMAT ") comes "
                    "before %s (prio %d, mapped #%" G_GUINT64_FORMAT ")\n",
                    reg_name(r), reg_name(a), pa, a->stamp, reg_name(b), pb,
                    b->stamp);
                return false;
            }
        }
    }
    return true;
}

/* Compares every address space with w->view: the flat ranges per address
 * and whole, and orr_address_space_find() per address; and the rendering
 * order. */
static bool world_compare(World *w, GString *why)
{
    if (!check_order(w, why)) {
        return false;
    }
    for (guint k = 0; k < N_AS; k++) {
        RefHit real[SPACE];

        if (!real_view(w->as[k], real, why)) {
            g_string_append_printf(why, "in as%u\n", k);
            return false;
        }
        g_assert_nonnull(w->ranges[k]); /* world_expect() came first */
        g_autoptr(GArray) actual = orr_address_space_get_flat_ranges(w->as[k]);
        if (!ref_compare_ranges(w->ranges[k], actual, why)) {
            g_string_append_printf(why, "in as%u\n", k);
            return false;
        }
        for (guint a = 0; a < SPACE; a++) {
            if (ref_same_hit(&w->view[k][a], &real[a])) {
                continue;
            }
            g_autofree char *exp = format_view(w->view[k]);
            g_autofree char *got = format_view(real);
            g_string_append_printf(why, "as%u address 0x%02x: expected ", k, a);
            ref_append_hit(why, &w->view[k][a]);
            g_string_append(why, ", flat view has ");
            ref_append_hit(why, &real[a]);
            g_string_append_printf(why,
                                   "\n  expected view: %s\n"
                                   "  actual view:   %s\n",
                                   exp, got);
            return false;
        }
        for (guint a = 0; a <= SPACE; a++) {
            uint64_t off = 0;
            OrrMemoryRegion *mr = orr_address_space_find(w->as[k], a, &off);
            RefHit h = {NULL, 0, false};

            if (a < SPACE) {
                h = real[a];
            }
            if (mr != h.mr || (mr != NULL && off != h.offset)) {
                g_string_append_printf(
                    why,
                    "as%u: find(0x%x) gives %s@0x%" G_GINT64_MODIFIER
                    "x, the flat view ",
                    k, a, mr ? orr_memory_region_get_name(mr) : "nothing", off);
                ref_append_hit(why, &h);
                g_string_append_c(why, '\n');
                return false;
            }
        }
    }
    return true;
}

/* --- Accesses ----------------------------------------------------------- */

/* Where a read of @r's bytes comes from, and where a write goes. */
static uint8_t *read_backing(Reg *r)
{
    switch (r->kind) {
    case ORR_REGION_RAM:
    case ORR_REGION_ROM:
        return orr_memory_region_get_ram_ptr(r->mr);
    case ORR_REGION_ROMD:
        return r->romd_shown ? orr_memory_region_get_ram_ptr(r->mr) : r->regs;
    case ORR_REGION_IO:
        return r->regs;
    default:
        g_assert_not_reached();
    }
}

static uint8_t *write_backing(Reg *r)
{
    switch (r->kind) {
    case ORR_REGION_RAM:
        return orr_memory_region_get_ram_ptr(r->mr);
    case ORR_REGION_ROMD:
    case ORR_REGION_IO:
        return r->regs;
    default:
        return NULL;
    }
}

static void first_error(OrrMemTxResult *res, OrrMemTxResult r)
{
    if (*res == ORR_MEMTX_OK) {
        *res = r;
    }
}

/* The reference hit of address @a (anything at or past SPACE: none). */
static const RefHit *view_at(World *w, guint k, uint64_t a)
{
    static const RefHit none = {NULL, 0, false};

    return a < SPACE ? &w->view[k][a] : &none;
}

/* A read of @size bytes at @addr of as@k against w->view: bytewise,
 * little-endian, 0 for bytes that hit nothing (a decode error). */
static bool check_read(World *w, guint k, uint64_t addr, unsigned size,
                       GString *why)
{
    uint64_t want = 0, got = 0xa5a5a5a5a5a5a5a5u;
    OrrMemTxResult want_res = ORR_MEMTX_OK;

    for (unsigned i = 0; i < size; i++) {
        const RefHit *h = view_at(w, k, addr + i);
        if (h->mr == NULL) {
            first_error(&want_res, ORR_MEMTX_DECODE_ERROR);
            continue;
        }
        want |= (uint64_t)read_backing(reg_of(w, h->mr))[h->offset] << (8 * i);
    }

    OrrMemTxResult res = orr_address_space_read(w->as[k], addr, size, &got);

    if (res != want_res || got != want) {
        g_string_append_printf(why,
                               "as%u: read of %u bytes at 0x%" G_GINT64_MODIFIER
                               "x: expected %s 0x%" G_GINT64_MODIFIER
                               "x, got %s 0x%" G_GINT64_MODIFIER
                               "x\n  bytes expected from:",
                               k, size, addr, orr_memtx_result_name(want_res),
                               want, orr_memtx_result_name(res), got);
        for (unsigned i = 0; i < size; i++) {
            g_string_append_c(why, ' ');
            ref_append_hit(why, view_at(w, k, addr + i));
        }
        g_string_append_c(why, '\n');
        return false;
    }
    return true;
}

/* Every byte buffer of the map, in a fixed order. */
static void backing_buffers(Reg *r, uint8_t **bufs)
{
    bufs[0] = orr_memory_region_get_ram_ptr(r->mr);
    bufs[1] = r->regs;
}

static GByteArray *backing_copy(World *w)
{
    GByteArray *copy = g_byte_array_new();

    for (guint i = 0; i < w->regs->len; i++) {
        Reg *r = world_reg(w, i);
        uint8_t *bufs[2];

        backing_buffers(r, bufs);
        for (guint b = 0; b < 2; b++) {
            if (bufs[b] != NULL) {
                g_byte_array_append(copy, bufs[b], (guint)r->size);
            }
        }
    }
    return copy;
}

/* A write against w->view: bytes that hit nothing are decode errors,
 * readonly ones access errors; every other byte lands in its region's
 * buffer, and no other byte of the map changes. */
static bool check_write(World *w, guint k, uint64_t addr, unsigned size,
                        uint64_t value, GString *why)
{
    g_autoptr(GByteArray) before = backing_copy(w);
    /* host byte -> expected value + 1 */
    g_autoptr(GHashTable) stores = g_hash_table_new(NULL, NULL);
    OrrMemTxResult want_res = ORR_MEMTX_OK;

    for (unsigned i = 0; i < size; i++) {
        const RefHit *h = view_at(w, k, addr + i);
        if (h->mr == NULL) {
            first_error(&want_res, ORR_MEMTX_DECODE_ERROR);
        } else if (h->readonly) {
            first_error(&want_res, ORR_MEMTX_ACCESS_ERROR);
        } else {
            uint8_t *p = write_backing(reg_of(w, h->mr));
            g_assert_nonnull(p);
            g_hash_table_insert(
                stores, p + h->offset,
                GUINT_TO_POINTER(((value >> (8 * i)) & 0xff) + 1));
        }
    }

    OrrMemTxResult res = orr_address_space_write(w->as[k], addr, size, value);

    if (res != want_res) {
        g_string_append_printf(
            why,
            "as%u: write of %u bytes at 0x%" G_GINT64_MODIFIER
            "x: expected %s, got %s\n",
            k, size, addr, orr_memtx_result_name(want_res),
            orr_memtx_result_name(res));
        return false;
    }

    guint j = 0;

    for (guint i = 0; i < w->regs->len; i++) {
        Reg *r = world_reg(w, i);
        uint8_t *bufs[2];

        backing_buffers(r, bufs);
        for (guint b = 0; b < 2; b++) {
            if (bufs[b] == NULL) {
                continue;
            }
            for (uint64_t off = 0; off < r->size; off++, j++) {
                gpointer v = g_hash_table_lookup(stores, bufs[b] + off);
                guint want = v ? GPOINTER_TO_UINT(v) - 1 : before->data[j];
                if (bufs[b][off] != want) {
                    g_string_append_printf(
                        why,
                        "as%u: write of %u bytes 0x%" G_GINT64_MODIFIER
                        "x at 0x%" G_GINT64_MODIFIER "x: "
                        "%s %s byte 0x%" G_GINT64_MODIFIER "x is 0x%02x, "
                        "expected 0x%02x\n",
                        k, size, value, addr, orr_memory_region_get_name(r->mr),
                        b == 0 ? "backing" : "register", off, bufs[b][off],
                        want);
                    return false;
                }
            }
        }
    }
    return true;
}

static const unsigned access_sizes[] = {1, 2, 4, 8};

/* @reads random reads and @writes random writes, against w->view. */
static bool world_random_accesses(World *w, GRand *rand, guint reads,
                                  guint writes, GString *why)
{
    for (guint i = 0; i < reads + writes; i++) {
        guint k = (guint)g_rand_int_range(rand, 0, N_AS);
        unsigned size = access_sizes[g_rand_int_range(rand, 0, 4)];
        uint64_t addr = (uint64_t)g_rand_int_range(rand, 0, SPACE + 8);
        bool ok;

        if (i < reads) {
            ok = check_read(w, k, addr, size, why);
        } else {
            uint64_t value =
                ((uint64_t)g_rand_int(rand) << 32) | g_rand_int(rand);
            ok = check_write(w, k, addr, size, value, why);
        }
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* Every read of every size at every address: deterministic, for
 * minimizing. */
static bool world_all_reads(World *w, GString *why)
{
    for (guint k = 0; k < N_AS; k++) {
        for (guint a = 0; a < SPACE + 8; a++) {
            for (guint s = 0; s < G_N_ELEMENTS(access_sizes); s++) {
                if (!check_read(w, k, a, access_sizes[s], why)) {
                    return false;
                }
            }
        }
    }
    return true;
}

/* --- Map specifications ------------------------------------------------- */

/* A map as data, so that it can be rebuilt and minimized. */
typedef struct Spec {
    OrrRegionKind kind;
    uint64_t size;
    int parent; /* -1: not mapped */
    uint64_t addr;
    int priority;
    guint32 order; /* mapping order among everything mapped */
    bool enabled;
    bool readonly;
    bool romd;
    int target; /* aliases */
    uint64_t alias_offset;
} Spec;

typedef struct MapSpec {
    GArray *regions; /* Spec; region i is named "r<i>" */
    guint as_root[N_AS];
} MapSpec;

static MapSpec *spec_new(void)
{
    MapSpec *s = g_new0(MapSpec, 1);

    s->regions = g_array_new(FALSE, TRUE, sizeof(Spec));
    return s;
}

static void spec_free(MapSpec *s)
{
    g_array_unref(s->regions);
    g_free(s);
}

static MapSpec *spec_copy(const MapSpec *s)
{
    MapSpec *c = spec_new();

    g_array_append_vals(c->regions, s->regions->data, s->regions->len);
    memcpy(c->as_root, s->as_root, sizeof(c->as_root));
    return c;
}

static Spec *spec_at(const MapSpec *s, guint i)
{
    return &g_array_index(s->regions, Spec, i);
}

static int compare_order(gconstpointer a, gconstpointer b, gpointer data)
{
    const MapSpec *s = data;
    guint32 x = spec_at(s, *(const guint *)a)->order;
    guint32 y = spec_at(s, *(const guint *)b)->order;

    return x < y ? -1 : x > y;
}

/* Builds @s: regions (alias targets first), mappings in @order, flags,
 * then the address spaces, and the reference views. */
static World *world_build(const MapSpec *s)
{
    World *w = world_new();
    guint n = s->regions->len;
    guint made = 0;

    g_ptr_array_set_size(w->regs, (gint)n);
    while (made < n) {
        guint before = made;
        for (guint i = n; i-- > 0;) {
            const Spec *sp = spec_at(s, i);
            Reg *target = NULL;

            if (w->regs->pdata[i] != NULL) {
                continue;
            }
            if (sp->kind == ORR_REGION_ALIAS) {
                target = w->regs->pdata[sp->target];
                if (target == NULL) {
                    continue;
                }
            }
            world_add_region(w, i, sp->kind, sp->size, target,
                             sp->alias_offset);
            made++;
        }
        g_assert_cmpuint(made, >, before);
    }

    g_autoptr(GArray) mapped = g_array_new(FALSE, FALSE, sizeof(guint));
    for (guint i = 0; i < n; i++) {
        if (spec_at(s, i)->parent >= 0) {
            g_array_append_val(mapped, i);
        }
    }
    g_array_sort_with_data(mapped, compare_order, (gpointer)s);
    for (guint j = 0; j < mapped->len; j++) {
        g_autoptr(GError) err = NULL;
        guint i = g_array_index(mapped, guint, j);
        const Spec *sp = spec_at(s, i);

        g_assert_true(orr_memory_region_add_subregion_overlap(
            world_reg(w, (guint)sp->parent)->mr, sp->addr, world_reg(w, i)->mr,
            sp->priority, &err));
        g_assert_no_error(err);
        note_mapped(w, world_reg(w, i));
    }
    for (guint i = 0; i < n; i++) {
        const Spec *sp = spec_at(s, i);
        OrrMemoryRegion *mr = world_reg(w, i)->mr;

        orr_memory_region_set_enabled(mr, sp->enabled);
        orr_memory_region_set_readonly(mr, sp->readonly);
        if (sp->kind == ORR_REGION_ROMD) {
            g_assert_true(orr_memory_region_set_romd(mr, sp->romd, NULL));
        }
    }
    world_new_spaces(w, s->as_root);
    world_expect(w);
    return w;
}

/* The live map as a spec (contents are not kept). */
static MapSpec *world_snapshot(World *w)
{
    MapSpec *s = spec_new();
    guint32 order = 0;

    g_array_set_size(s->regions, w->regs->len);
    for (guint i = 0; i < w->regs->len; i++) {
        Reg *r = world_reg(w, i);
        Spec *sp = spec_at(s, i);
        OrrMemoryRegion *c = orr_memory_region_get_container(r->mr);

        sp->kind = r->kind;
        sp->size = r->size;
        sp->parent = c ? (int)reg_of(w, c)->index : -1;
        sp->addr = orr_memory_region_get_address(r->mr);
        sp->priority = orr_memory_region_get_priority(r->mr);
        sp->enabled = orr_memory_region_is_enabled(r->mr);
        sp->readonly = orr_memory_region_is_readonly(r->mr);
        sp->romd = orr_memory_region_is_romd(r->mr);
        sp->target = -1;
        if (r->kind == ORR_REGION_ALIAS) {
            OrrMemoryRegion *t = orr_memory_region_get_alias_target(r->mr);
            g_assert_nonnull(t);
            sp->target = (int)reg_of(w, t)->index;
            sp->alias_offset = orr_memory_region_get_alias_offset(r->mr);
        }
    }
    /* Oldest first: each container's subregions in reverse rendering order
     * reproduce its order among equal priorities. */
    for (guint i = 0; i < w->regs->len; i++) {
        g_autoptr(GPtrArray) subs =
            orr_memory_region_get_subregions(world_reg(w, i)->mr);
        for (guint j = subs->len; j-- > 0;) {
            spec_at(s, reg_of(w, subs->pdata[j])->index)->order = order++;
        }
    }
    for (guint k = 0; k < N_AS; k++) {
        s->as_root[k] = reg_of(w, orr_address_space_get_root(w->as[k]))->index;
    }
    return s;
}

static uint64_t rand_size(GRand *rand, OrrRegionKind kind)
{
    if (kind == ORR_REGION_CONTAINER) {
        return (uint64_t)g_rand_int_range(rand, 8, SPACE + 1);
    }
    if (g_rand_int_range(rand, 0, 8) == 0) {
        return (uint64_t)g_rand_int_range(rand, 1, SPACE + 1);
    }
    return (uint64_t)g_rand_int_range(rand, 1, 65);
}

/* An offset in a region of @size, sometimes reaching past its end. */
static uint64_t rand_offset(GRand *rand, uint64_t size)
{
    if (g_rand_int_range(rand, 0, 6) == 0) {
        return (uint64_t)g_rand_int_range(rand, 0, (gint32)size + 16);
    }
    return (uint64_t)g_rand_int_range(rand, 0, (gint32)size);
}

static int rand_priority(GRand *rand)
{
    return g_rand_int_range(rand, -1, 3);
}

static OrrRegionKind rand_kind(GRand *rand)
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

/*
 * A random map of 2 to @max_regions regions. Every edge goes from a lower
 * index to a higher one (container to subregion, alias to target), so
 * there is no loop; r0 is the main root, of SPACE bytes, and the nesting
 * under any region is at most 3 deep.
 */
static MapSpec *spec_random(GRand *rand, guint max_regions)
{
    MapSpec *s = spec_new();
    guint n = (guint)g_rand_int_range(rand, 2, (gint32)max_regions + 1);
    g_autofree guint *depth = g_new0(guint, n);

    g_array_set_size(s->regions, n);
    for (guint i = 0; i < n; i++) {
        Spec *sp = spec_at(s, i);

        sp->kind = rand_kind(rand);
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
        sp->size = i == 0 ? SPACE : rand_size(rand, sp->kind);
        sp->parent = -1;
        sp->priority = rand_priority(rand);
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
                const Spec *ps = spec_at(s, p);
                if (ps->kind == ORR_REGION_ALIAS || depth[p] >= 3 ||
                    (ps->kind != ORR_REGION_CONTAINER && p != 0 &&
                     g_rand_int_range(rand, 0, 3) != 0)) {
                    continue;
                }
                sp->parent = (int)p;
                sp->addr = rand_offset(rand, ps->size);
                depth[i] = depth[p] + 1;
                break;
            }
        }
    }
    for (guint i = 1; i < n; i++) {
        Spec *sp = spec_at(s, i);

        if (sp->kind != ORR_REGION_ALIAS) {
            continue;
        }
        sp->target = g_rand_int_range(rand, (gint32)i + 1, (gint32)n);
        sp->alias_offset =
            rand_offset(rand, spec_at(s, (guint)sp->target)->size);
    }
    s->as_root[0] = 0;
    for (guint k = 1; k < N_AS; k++) {
        s->as_root[k] = (guint)g_rand_int_range(rand, 0, (gint32)n);
    }
    return s;
}

/* --- Minimizing --------------------------------------------------------- */

/* Whether the map of @s disagrees with the reference (views, or any
 * read). */
static bool spec_fails(const MapSpec *s, GString *why)
{
    g_autoptr(GString) scratch = g_string_new(NULL);
    World *w = world_build(s);
    bool ok;

    if (why == NULL) {
        why = scratch;
    }
    ok = world_compare(w, why) && world_all_reads(w, why);
    world_free(w);
    return !ok;
}

/* Tries @s with one field changed; keeps the change if it still fails. */
#define TRY_SIMPLER(s, i, field, value, progress)                              \
    do {                                                                       \
        Spec saved_ = *spec_at((s), (i));                                      \
        if (spec_at((s), (i))->field != (value)) {                             \
            spec_at((s), (i))->field = (value);                                \
            if (spec_fails((s), NULL)) {                                       \
                (progress) = true;                                             \
            } else {                                                           \
                *spec_at((s), (i)) = saved_;                                   \
            }                                                                  \
        }                                                                      \
    } while (0)

/* Greedily unmaps regions and clears flags while the failure stays. */
static void spec_minimize(MapSpec *s)
{
    bool progress = true;

    while (progress) {
        progress = false;
        for (guint i = 0; i < s->regions->len; i++) {
            TRY_SIMPLER(s, i, parent, -1, progress);
        }
        for (guint k = 1; k < N_AS; k++) {
            guint saved = s->as_root[k];
            if (saved != s->as_root[0]) {
                s->as_root[k] = s->as_root[0];
                if (spec_fails(s, NULL)) {
                    progress = true;
                } else {
                    s->as_root[k] = saved;
                }
            }
        }
        for (guint i = 0; i < s->regions->len; i++) {
            TRY_SIMPLER(s, i, enabled, true, progress);
            TRY_SIMPLER(s, i, readonly, false, progress);
            TRY_SIMPLER(s, i, priority, 0, progress);
            TRY_SIMPLER(s, i, romd, true, progress);
            TRY_SIMPLER(s, i, addr, 0, progress);
            TRY_SIMPLER(s, i, alias_offset, 0, progress);
        }
    }
}

/* Reports a failing map: minimized if the failure reproduces from its
 * spec alone. */
static void report_spec(const char *what, const MapSpec *failing)
{
    g_autoptr(GString) why = g_string_new(NULL);

    if (!spec_fails(failing, why)) {
        g_test_message("%s: the map rebuilt from scratch agrees with the "
                       "reference (the failure needs the history above)",
                       what);
        return;
    }

    MapSpec *s = spec_copy(failing);

    spec_minimize(s);
    g_string_truncate(why, 0);
    g_assert_true(spec_fails(s, why));

    World *w = world_build(s);
    g_autofree char *dump = world_dump(w);

    world_free(w);
    g_test_message("%s, minimized map:\n%s%s", what, dump, why->str);
    spec_free(s);
}

/* --- Edits -------------------------------------------------------------- */

/* Whether @to is reachable from @from by subregions and alias targets. */
static bool reaches(OrrMemoryRegion *from, OrrMemoryRegion *to)
{
    g_autoptr(GHashTable) set = g_hash_table_new(NULL, NULL);

    collect_reachable(from, set);
    return g_hash_table_contains(set, to);
}

static Reg *rand_reg(World *w, GRand *rand)
{
    return world_reg(w, (guint)g_rand_int_range(rand, 0, (gint32)w->regs->len));
}

/* Records an edit; an outcome other than predicted is an error. */
static void edit_result(World *w, bool predicted, bool ok, GError *err)
{
    g_string_append_printf(w->log, ": %s\n", ok ? "ok" : "refused");
    if (ok != predicted || ok != (err == NULL)) {
        g_string_append_printf(w->edit_error,
                               "the last edit %s, expected "
                               "it to %s (%s)\n",
                               ok ? "succeeded" : "failed",
                               predicted ? "succeed" : "fail",
                               err ? err->message : "no error");
    }
}

static void edit_add(World *w, GRand *rand, Reg *sub, Reg *parent)
{
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *old = orr_memory_region_get_container(sub->mr);
    bool predicted = parent->kind != ORR_REGION_ALIAS && old == NULL &&
                     !reaches(sub->mr, parent->mr);
    uint64_t offset = rand_offset(rand, parent->size);
    int prio = 0;
    bool ok;

    if (g_rand_boolean(rand)) {
        prio = rand_priority(rand);
        g_string_append_printf(
            w->log, "add %s to %s @0x%" G_GINT64_MODIFIER "x prio %d",
            reg_name(sub), reg_name(parent), offset, prio);
        ok = orr_memory_region_add_subregion_overlap(parent->mr, offset,
                                                     sub->mr, prio, &err);
    } else {
        g_string_append_printf(w->log,
                               "add %s to %s @0x%" G_GINT64_MODIFIER "x",
                               reg_name(sub), reg_name(parent), offset);
        ok = orr_memory_region_add_subregion(parent->mr, offset, sub->mr, &err);
    }
    edit_result(w, predicted, ok, err);
    if (ok) {
        note_mapped(w, sub);
    }
    if (ok && (orr_memory_region_get_container(sub->mr) != parent->mr ||
               orr_memory_region_get_address(sub->mr) != offset ||
               orr_memory_region_get_priority(sub->mr) != prio)) {
        g_string_append(w->edit_error, "the mapping is not as asked\n");
    }
    if (!ok && orr_memory_region_get_container(sub->mr) != old) {
        g_string_append(w->edit_error, "a refused add moved the region\n");
    }
}

static void edit_new_region(World *w, GRand *rand)
{
    OrrRegionKind kind = rand_kind(rand);
    Reg *target = kind == ORR_REGION_ALIAS ? rand_reg(w, rand) : NULL;
    uint64_t size = rand_size(rand, kind);
    uint64_t aoff = target ? rand_offset(rand, target->size) : 0;
    Reg *r = world_add_region(w, w->regs->len, kind, size, target, aoff);

    g_string_append_printf(w->log, "new %s %s size 0x%" G_GINT64_MODIFIER "x",
                           reg_name(r), orr_memory_region_kind_name(kind),
                           size);
    if (target != NULL) {
        g_string_append_printf(w->log, " -> %s +0x%" G_GINT64_MODIFIER "x",
                               reg_name(target), aoff);
    }
    g_string_append_c(w->log, '\n');
    if (g_rand_int_range(rand, 0, 10) < 7) {
        edit_add(w, rand, r, rand_reg(w, rand));
    }
}

/* One random change to the live map, or a transaction begin or commit.
 * Returns: whether an outermost commit happened. */
static bool edit_random(World *w, GRand *rand)
{
    g_autoptr(GError) err = NULL;
    guint op = (guint)g_rand_int_range(rand, 0, 100);
    Reg *r = rand_reg(w, rand);
    bool ok;

    if (op < 18) {
        /* Mostly regions that are free to map. */
        for (guint tries = 0; tries < 4; tries++) {
            if (orr_memory_region_get_container(r->mr) == NULL) {
                break;
            }
            r = rand_reg(w, rand);
        }
        edit_add(w, rand, r, rand_reg(w, rand));
    } else if (op < 30) {
        OrrMemoryRegion *c = orr_memory_region_get_container(r->mr);
        OrrMemoryRegion *from = c;

        if (c == NULL || g_rand_int_range(rand, 0, 8) == 0) {
            from = rand_reg(w, rand)->mr;
        }
        g_string_append_printf(w->log, "del %s from %s", reg_name(r),
                               orr_memory_region_get_name(from));
        ok = orr_memory_region_del_subregion(from, r->mr, &err);
        edit_result(w, c != NULL && from == c, ok, err);
        if (orr_memory_region_get_container(r->mr) != (ok ? NULL : c)) {
            g_string_append(w->edit_error, "the container is wrong after "
                                           "del\n");
        }
    } else if (op < 42) {
        OrrMemoryRegion *c = orr_memory_region_get_container(r->mr);
        uint64_t addr = rand_offset(rand, c ? reg_of(w, c)->size : SPACE);

        g_string_append_printf(w->log,
                               "set_address %s 0x%" G_GINT64_MODIFIER "x",
                               reg_name(r), addr);
        ok = orr_memory_region_set_address(r->mr, addr, &err);
        edit_result(w, true, ok, err);
    } else if (op < 52) {
        int prio = rand_priority(rand);
        g_string_append_printf(w->log, "set_priority %s %d\n", reg_name(r),
                               prio);
        orr_memory_region_set_priority(r->mr, prio);
        if (orr_memory_region_get_container(r->mr) != NULL) {
            note_mapped(w, r);
        }
    } else if (op < 62) {
        bool en = !orr_memory_region_is_enabled(r->mr);
        g_string_append_printf(w->log, "set_enabled %s %d\n", reg_name(r), en);
        orr_memory_region_set_enabled(r->mr, en);
    } else if (op < 70) {
        bool ro = !orr_memory_region_is_readonly(r->mr);
        g_string_append_printf(w->log, "set_readonly %s %d\n", reg_name(r), ro);
        orr_memory_region_set_readonly(r->mr, ro);
    } else if (op < 78) {
        OrrMemoryRegion *t = orr_memory_region_get_alias_target(r->mr);
        uint64_t off = rand_offset(rand, t ? reg_of(w, t)->size : 16);

        g_string_append_printf(w->log,
                               "set_alias_offset %s 0x%" G_GINT64_MODIFIER "x",
                               reg_name(r), off);
        ok = orr_memory_region_set_alias_offset(r->mr, off, &err);
        edit_result(w, r->kind == ORR_REGION_ALIAS, ok, err);
    } else if (op < 82) {
        bool romd = !orr_memory_region_is_romd(r->mr);
        g_string_append_printf(w->log, "set_romd %s %d", reg_name(r), romd);
        ok = orr_memory_region_set_romd(r->mr, romd, &err);
        edit_result(w, r->kind == ORR_REGION_ROMD, ok, err);
    } else if (op < 87) {
        if (w->regs->len < MAX_REGIONS) {
            edit_new_region(w, rand);
        } else {
            g_string_append(w->log, "nothing\n");
        }
    } else if (op < 94) {
        if (w->tx_depth < 3) {
            g_string_append(w->log, "begin\n");
            orr_memory_transaction_begin();
            w->tx_depth++;
        } else {
            g_string_append(w->log, "nothing\n");
        }
    } else if (w->tx_depth > 0) {
        g_string_append(w->log, "commit\n");
        orr_memory_transaction_commit();
        return --w->tx_depth == 0;
    } else {
        g_string_append(w->log, "nothing\n");
    }
    return false;
}

/* --- Tests -------------------------------------------------------------- */

static guint env_count(const char *name, guint dflt)
{
    const char *v = g_getenv(name);
    guint n = v ? (guint)g_ascii_strtoull(v, NULL, 0) : dflt;

    return g_test_thorough() ? n * 10 : n;
}

static guint32 base_seed(void)
{
    const char *v = g_getenv("ORR_DIFF_SEED");

    return v ? (guint32)g_ascii_strtoull(v, NULL, 0) : DEFAULT_SEED;
}

static void add(World *w, Reg *parent, uint64_t offset, Reg *sub, int prio)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_memory_region_add_subregion_overlap(parent->mr, offset,
                                                          sub->mr, prio, &err));
    g_assert_no_error(err);
    note_mapped(w, sub);
}

/* The reference and the real view of as0 are both @expected. */
static void assert_both(World *w, const char *expected)
{
    RefHit real[SPACE];
    g_autoptr(GString) why = g_string_new(NULL);

    world_expect(w);
    g_autofree char *ref = format_view(w->view[0]);
    g_assert_cmpstr(ref, ==, expected);
    if (!real_view(w->as[0], real, why)) {
        g_error("%s", why->str);
    }
    g_autofree char *got = format_view(real);
    g_assert_cmpstr(got, ==, expected);
}

/*
 * The reference itself on hand-checked maps: QEMU's memory.rst example
 * (with B a container, then B with ops), clipping, equal priorities,
 * aliases of aliases with windows partly outside, a RAM region's own
 * subregions, disabled subtrees, readonly and ROM.
 */
static void test_reference_sanity(void)
{
    for (guint b_io = 0; b_io < 2; b_io++) {
        World *w = world_new();
        Reg *a = world_add_region(w, 0, ORR_REGION_CONTAINER, 0x80, NULL, 0);
        Reg *c = world_add_region(w, 1, ORR_REGION_IO, 0x60, NULL, 0);
        Reg *b = world_add_region(
            w, 2, b_io ? ORR_REGION_IO : ORR_REGION_CONTAINER, 0x40, NULL, 0);
        Reg *d = world_add_region(w, 3, ORR_REGION_IO, 0x10, NULL, 0);
        Reg *e = world_add_region(w, 4, ORR_REGION_IO, 0x10, NULL, 0);

        add(w, a, 0, c, 1);
        add(w, a, 0x20, b, 2);
        add(w, b, 0, d, 0);
        add(w, b, 0x20, e, 0);
        world_new_spaces(w, (const guint[N_AS]){0, 2, 4});
        assert_both(w, b_io ? "00-1f r1 20-2f r3 30-3f r2@10 40-4f r4 "
                              "50-5f r2@30"
                            : "00-1f r1 20-2f r3 30-3f r1@30 40-4f r4 "
                              "50-5f r1@50");
        world_free(w);
    }

    World *w = world_new();
    Reg *root = world_add_region(w, 0, ORR_REGION_CONTAINER, SPACE, NULL, 0);
    Reg *ram = world_add_region(w, 1, ORR_REGION_RAM, 0x40, NULL, 0);
    /* Window [0x30, 0x50) of a 0x40-byte target: half of it shows. */
    Reg *a1 = world_add_region(w, 2, ORR_REGION_ALIAS, 0x20, ram, 0x30);
    /* Window [0x8, 0x18) of a1: ram 0x38-0x3f, then nothing. */
    Reg *a2 = world_add_region(w, 3, ORR_REGION_ALIAS, 0x10, a1, 0x8);
    Reg *box = world_add_region(w, 4, ORR_REGION_CONTAINER, 0x20, NULL, 0);
    Reg *big = world_add_region(w, 5, ORR_REGION_IO, 0x40, NULL, 0);
    Reg *x = world_add_region(w, 6, ORR_REGION_IO, 0x10, NULL, 0);
    Reg *y = world_add_region(w, 7, ORR_REGION_IO, 0x10, NULL, 0);
    Reg *ram2 = world_add_region(w, 8, ORR_REGION_RAM, 0x20, NULL, 0);
    Reg *hole = world_add_region(w, 9, ORR_REGION_IO, 0x8, NULL, 0);
    Reg *off = world_add_region(w, 10, ORR_REGION_CONTAINER, 0x10, NULL, 0);
    Reg *in_off = world_add_region(w, 11, ORR_REGION_IO, 0x10, NULL, 0);
    Reg *rom = world_add_region(w, 12, ORR_REGION_ROM, 0x8, NULL, 0);

    add(w, root, 0x80, a1, 0);
    add(w, root, 0xc0, a2, 0);
    orr_memory_region_set_readonly(a2->mr, true);
    add(w, root, 0x10, box, 0);
    add(w, box, 0x8, big, 0); /* clipped at box's end, 0x30 */
    add(w, root, 0x20, x, 0); /* newer than box: wins */
    add(w, root, 0x28, y, 0); /* newer than x: wins */
    add(w, root, 0x40, ram2, 0);
    add(w, ram2, 0x4, hole, -1); /* shows above its RAM anyway */
    add(w, root, 0x60, off, 0);
    add(w, off, 0, in_off, 0);
    add(w, root, 0xe0, rom, 0);
    world_new_spaces(w, (const guint[N_AS]){0, 3, 8});
    assert_both(w, "18-1f r5 20-27 r6 28-37 r7 40-43 r8 44-4b r9 4c-5f r8@c "
                   "60-6f r11 80-8f r1@30 c0-c7 r1@38(ro) e0-e7 r12(ro)");
    orr_memory_region_set_enabled(off->mr, false);
    orr_memory_region_set_priority(x->mr, 0); /* now the newest */
    note_mapped(w, x);
    assert_both(w, "18-1f r5 20-2f r6 30-37 r7@8 40-43 r8 44-4b r9 "
                   "4c-5f r8@c 80-8f r1@30 c0-c7 r1@38(ro) e0-e7 r12(ro)");

    g_autoptr(GString) why = g_string_new(NULL);
    if (!world_compare(w, why) || !world_all_reads(w, why)) {
        g_error("%s", why->str);
    }
    world_free(w);
    orr_test_assert_no_live_objects();
}

/*
 * The minimized form of what the random edits found: an address space
 * whose root is itself mapped in a container must follow edits inside and
 * of its root like any other, also when the root leaves its container in
 * the same transaction. Each case starts from a fresh map, r2 (MMIO, 0x10
 * bytes) at 0x8 in r1 (a 0x40-byte container) at 0x80 in r0, with as0
 * and as2 over r0 and as1 over r1, makes one change and compares all
 * three address spaces with the reference. Every case runs; the failing
 * ones are reported.
 */
static void test_root_inside_container(void)
{
    static const char *const cases[] = {
        "set_address r2 0x20",
        "set_readonly r1 1 (as1's root)",
        "set_enabled r2 0",
        "set_enabled r1 0 (as1's root)",
        "del r2 from r1",
        "add r3 (MMIO, 0x10 bytes) to r1 @0x20",
        "set_address r1 0x10 (as1's root moves: as1 must not change)",
        "begin; set_enabled r1 0; del r1 from r0; commit",
    };
    guint failed = 0;

    for (guint c = 0; c < G_N_ELEMENTS(cases); c++) {
        World *w = world_new();
        Reg *top = world_add_region(w, 0, ORR_REGION_CONTAINER, SPACE, NULL, 0);
        Reg *mid = world_add_region(w, 1, ORR_REGION_CONTAINER, 0x40, NULL, 0);
        Reg *dev = world_add_region(w, 2, ORR_REGION_IO, 0x10, NULL, 0);
        g_autoptr(GError) err = NULL;
        g_autoptr(GString) why = g_string_new(NULL);

        add(w, top, 0x80, mid, 0);
        add(w, mid, 0x8, dev, 0);
        world_new_spaces(w, (const guint[N_AS]){0, 1, 0});
        world_expect(w);
        g_assert_true(world_compare(w, why));

        switch (c) {
        case 0:
            g_assert_true(orr_memory_region_set_address(dev->mr, 0x20, &err));
            break;
        case 1:
            orr_memory_region_set_readonly(mid->mr, true);
            break;
        case 2:
            orr_memory_region_set_enabled(dev->mr, false);
            break;
        case 3:
            orr_memory_region_set_enabled(mid->mr, false);
            break;
        case 4:
            g_assert_true(
                orr_memory_region_del_subregion(mid->mr, dev->mr, &err));
            break;
        case 5:
            add(w, mid, 0x20,
                world_add_region(w, 3, ORR_REGION_IO, 0x10, NULL, 0), 0);
            break;
        case 6:
            g_assert_true(orr_memory_region_set_address(mid->mr, 0x10, &err));
            break;
        case 7:
            orr_memory_transaction_begin();
            orr_memory_region_set_enabled(mid->mr, false);
            g_assert_true(
                orr_memory_region_del_subregion(top->mr, mid->mr, &err));
            orr_memory_transaction_commit();
            break;
        }
        g_assert_no_error(err);
        world_expect(w);
        if (!world_compare(w, why)) {
            g_autofree char *dump = world_dump(w);
            g_test_message("after \"%s\":\n%s%s", cases[c], dump, why->str);
            failed++;
        }
        world_free(w);
    }
    if (failed > 0) {
        g_test_message("%u of %u cases failing", failed,
                       (guint)G_N_ELEMENTS(cases));
        g_test_fail();
    }
    orr_test_assert_no_live_objects();
}

/* Thousands of random static maps: views, then random reads and writes. */
static void test_random_maps(void)
{
    guint maps = env_count("ORR_DIFF_MAPS", 5000);
    guint32 base = base_seed();
    guint failures = 0;

    for (guint m = 0; m < maps && failures < MAX_REPORTS; m++) {
        guint32 seed = base + m;
        GRand *rand = g_rand_new_with_seed(seed);
        MapSpec *s = spec_random(rand, 24);
        World *w = world_build(s);
        g_autoptr(GString) why = g_string_new(NULL);
        bool ok = world_compare(w, why) &&
                  world_random_accesses(w, rand, 48, 16, why);

        if (!ok) {
            g_autofree char *dump = world_dump(w);
            g_test_message("random map, seed %u (ORR_DIFF_SEED=%u "
                           "ORR_DIFF_MAPS=1):\n%s%s",
                           seed, seed, dump, why->str);
        }
        world_free(w);
        if (!ok) {
            g_autofree char *what = g_strdup_printf("seed %u", seed);
            report_spec(what, s);
            failures++;
        }
        spec_free(s);
        g_rand_free(rand);
    }
    g_test_message("%u random maps from seed %u: %u failing", maps, base,
                   failures);
    if (failures > 0) {
        g_test_fail();
    }
    orr_test_assert_no_live_objects();
}

/*
 * Random edit sequences on live maps, some in nested transactions. Outside
 * a transaction each edit must show at once; inside one, nothing may
 * change until the outermost commit. Reads and writes follow the view the
 * address spaces should have. @data is the largest number of regions per
 * map: wide maps put enough siblings in one container for renders to use
 * its address index.
 */
static void test_random_edits(gconstpointer data)
{
    guint max_regions = GPOINTER_TO_UINT(data);
    guint seqs = env_count("ORR_DIFF_SEQS", max_regions > 16 ? 150 : 500);
    guint steps = env_count("ORR_DIFF_STEPS", 60);
    guint32 base = base_seed() + 1000000u;
    guint failures = 0, edits = 0, commits = 0, checks = 0;

    if (g_test_thorough()) {
        steps /= 10; /* longer sequences are not more useful: more of them */
    }
    for (guint q = 0; q < seqs && failures < MAX_REPORTS; q++) {
        guint32 seed = base + q;
        GRand *rand = g_rand_new_with_seed(seed);
        MapSpec *s = spec_random(rand, max_regions);
        World *w = world_build(s);
        g_autoptr(GString) why = g_string_new(NULL);
        bool ok = world_compare(w, why);

        spec_free(s);
        for (guint step = 0; ok && step <= steps; step++) {
            bool outermost;

            if (step < steps) {
                g_string_append_printf(w->log, "  %u: ", step);
                outermost = edit_random(w, rand);
                edits++;
            } else if (w->tx_depth > 0) {
                /* Close what is still open, then a last look. */
                while (w->tx_depth > 0) {
                    g_string_append(w->log, "  end: commit\n");
                    orr_memory_transaction_commit();
                    w->tx_depth--;
                }
                outermost = true;
            } else {
                outermost = false;
            }
            if (w->edit_error->len > 0) {
                g_string_append(why, w->edit_error->str);
                ok = false;
                break;
            }
            commits += outermost;
            if (w->tx_depth == 0) {
                world_expect(w);
            } /* else the views must still be the old ones */
            ok = world_compare(w, why) &&
                 world_random_accesses(w, rand, 4, 2, why);
            checks++;
        }
        if (!ok) {
            g_autofree char *dump = world_dump(w);
            g_test_message("edit sequence, seed %u (rerun: ORR_DIFF_SEED=%u "
                           "ORR_DIFF_SEQS=1), transaction depth %u:\n"
                           "edits:\n%smap now:\n%s%s",
                           seed, seed - 1000000u, w->tx_depth, w->log->str,
                           dump, why->str);
            while (w->tx_depth > 0) {
                orr_memory_transaction_commit();
                w->tx_depth--;
            }
            MapSpec *now = world_snapshot(w);
            world_free(w);
            g_autofree char *what = g_strdup_printf("edit seed %u", seed);
            report_spec(what, now);
            spec_free(now);
            failures++;
        } else {
            world_free(w);
        }
        g_rand_free(rand);
    }
    g_test_message("%u edit sequences of %u steps from seed %u: %u edits, "
                   "%u outermost commits, %u checks of all views, %u failing",
                   seqs, steps, base, edits, commits, checks, failures);
    if (failures > 0) {
        g_test_fail();
    }
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    orr_memory_init();

    g_test_add_func("/memory/diff/reference-sanity", test_reference_sanity);
    g_test_add_func("/memory/diff/root-inside-container",
                    test_root_inside_container);
    g_test_add_func("/memory/diff/random-maps", test_random_maps);
    g_test_add_data_func("/memory/diff/random-edits", GUINT_TO_POINTER(16),
                         test_random_edits);
    g_test_add_data_func("/memory/diff/random-edits-wide", GUINT_TO_POINTER(96),
                         test_random_edits);
    return g_test_run();
}
