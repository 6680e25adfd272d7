/*
 * orrery unit tests — the checks of the differential test: comparing a
 * map with the reference, accesses, minimizing and random edits (see
 * diff-check.h).
 */
#include "diff-check.h"

#define MAX_REGIONS 40 /* edit sequences stop creating regions here */

/* --- Comparing views ------------------------------------------------------ */

/*
 * The reference takes the rendering order from get_subregions(); this
 * checks that order independently: every list sorted by priority, highest
 * first, and at equal priority newest first by the test's own record of
 * when each region was mapped or re-prioritized.
 */
static bool check_order(DiffWorld *w, GString *why)
{
    for (guint i = 0; i < w->regs->len; i++) {
        DiffReg *r = diff_world_reg(w, i);
        g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(r->mr);

        for (guint j = 0; j < subs->len; j++) {
            DiffReg *b = diff_reg_of(w, subs->pdata[j]);
            DiffReg *a = j > 0 ? diff_reg_of(w, subs->pdata[j - 1]) : NULL;
            int pa = a ? orr_memory_region_get_priority(a->mr) : 0;
            int pb = orr_memory_region_get_priority(b->mr);

            if (orr_memory_region_get_container(b->mr) != r->mr) {
                g_string_append_printf(why,
                                       "%s lists %s, whose container "
                                       "is not %s\n",
                                       diff_reg_name(r), diff_reg_name(b),
                                       diff_reg_name(r));
                return false;
            }
            if (a != NULL && (pa < pb || (pa == pb && a->stamp < b->stamp))) {
                g_string_append_printf(
                    why,
                    "subregions of %s: %s (prio %d, "
                    "mapped #%" G_GUINT64_FORMAT ") comes "
                    "before %s (prio %d, mapped #%" G_GUINT64_FORMAT ")\n",
                    diff_reg_name(r), diff_reg_name(a), pa, a->stamp,
                    diff_reg_name(b), pb, b->stamp);
                return false;
            }
        }
    }
    return true;
}

bool diff_world_compare(DiffWorld *w, GString *why)
{
    if (!check_order(w, why)) {
        return false;
    }
    for (guint k = 0; k < DIFF_N_AS; k++) {
        RefHit real[DIFF_SPACE];

        if (!diff_real_view(w->as[k], real, why)) {
            g_string_append_printf(why, "in as%u\n", k);
            return false;
        }
        g_assert_nonnull(w->ranges[k]); /* diff_world_expect() came first */
        g_autoptr(GArray) actual = orr_address_space_get_flat_ranges(w->as[k]);
        if (!ref_compare_ranges(w->ranges[k], actual, why)) {
            g_string_append_printf(why, "in as%u\n", k);
            return false;
        }
        for (guint a = 0; a < DIFF_SPACE; a++) {
            if (ref_same_hit(&w->view[k][a], &real[a])) {
                continue;
            }
            g_autofree char *exp = diff_format_view(w->view[k]);
            g_autofree char *got = diff_format_view(real);
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
        for (guint a = 0; a <= DIFF_SPACE; a++) {
            uint64_t off = 0;
            OrrMemoryRegion *mr = orr_address_space_find(w->as[k], a, &off);
            RefHit h = {NULL, 0, false};

            if (a < DIFF_SPACE) {
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

/* --- Accesses ------------------------------------------------------------- */

/* Where a read of @r's bytes comes from, and where a write goes. */
static uint8_t *read_backing(DiffReg *r)
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

static uint8_t *write_backing(DiffReg *r)
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

/* The reference hit of address @a (anything at or past DIFF_SPACE: none). */
static const RefHit *view_at(DiffWorld *w, guint k, uint64_t a)
{
    static const RefHit none = {NULL, 0, false};

    return a < DIFF_SPACE ? &w->view[k][a] : &none;
}

/* A read of @size bytes at @addr of as@k against w->view: bytewise,
 * little-endian, 0 for bytes that hit nothing (a decode error). */
static bool check_read(DiffWorld *w, guint k, uint64_t addr, unsigned size,
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
        want |= (uint64_t)read_backing(diff_reg_of(w, h->mr))[h->offset]
                << (8 * i);
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
static void backing_buffers(DiffReg *r, uint8_t **bufs)
{
    bufs[0] = orr_memory_region_get_ram_ptr(r->mr);
    bufs[1] = r->regs;
}

static GByteArray *backing_copy(DiffWorld *w)
{
    GByteArray *copy = g_byte_array_new();

    for (guint i = 0; i < w->regs->len; i++) {
        DiffReg *r = diff_world_reg(w, i);
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
static bool check_write(DiffWorld *w, guint k, uint64_t addr, unsigned size,
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
            uint8_t *p = write_backing(diff_reg_of(w, h->mr));
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
        DiffReg *r = diff_world_reg(w, i);
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

bool diff_world_random_accesses(DiffWorld *w, GRand *rand, guint reads,
                                guint writes, GString *why)
{
    for (guint i = 0; i < reads + writes; i++) {
        guint k = (guint)g_rand_int_range(rand, 0, DIFF_N_AS);
        unsigned size = access_sizes[g_rand_int_range(rand, 0, 4)];
        uint64_t addr = (uint64_t)g_rand_int_range(rand, 0, DIFF_SPACE + 8);
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

bool diff_world_all_reads(DiffWorld *w, GString *why)
{
    for (guint k = 0; k < DIFF_N_AS; k++) {
        for (guint a = 0; a < DIFF_SPACE + 8; a++) {
            for (guint s = 0; s < G_N_ELEMENTS(access_sizes); s++) {
                if (!check_read(w, k, a, access_sizes[s], why)) {
                    return false;
                }
            }
        }
    }
    return true;
}

/* --- Minimizing ----------------------------------------------------------- */

/* Whether the map of @s disagrees with the reference (views, or any
 * read). */
static bool spec_fails(const DiffMapSpec *s, GString *why)
{
    g_autoptr(GString) scratch = g_string_new(NULL);
    DiffWorld *w = diff_world_build(s);
    bool ok;

    if (why == NULL) {
        why = scratch;
    }
    ok = diff_world_compare(w, why) && diff_world_all_reads(w, why);
    diff_world_free(w);
    return !ok;
}

/* Tries @s with one field changed; keeps the change if it still fails. */
#define TRY_SIMPLER(s, i, field, value, progress)                              \
    do {                                                                       \
        DiffSpec saved_ = *diff_spec_at((s), (i));                             \
        if (diff_spec_at((s), (i))->field != (value)) {                        \
            diff_spec_at((s), (i))->field = (value);                           \
            if (spec_fails((s), NULL)) {                                       \
                (progress) = true;                                             \
            } else {                                                           \
                *diff_spec_at((s), (i)) = saved_;                              \
            }                                                                  \
        }                                                                      \
    } while (0)

/* Greedily unmaps regions and clears flags while the failure stays. */
static void spec_minimize(DiffMapSpec *s)
{
    bool progress = true;

    while (progress) {
        progress = false;
        for (guint i = 0; i < s->regions->len; i++) {
            TRY_SIMPLER(s, i, parent, -1, progress);
        }
        for (guint k = 1; k < DIFF_N_AS; k++) {
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

void diff_report_spec(const char *what, const DiffMapSpec *failing)
{
    g_autoptr(GString) why = g_string_new(NULL);

    if (!spec_fails(failing, why)) {
        g_test_message("%s: the map rebuilt from scratch agrees with the "
                       "reference (the failure needs the history above)",
                       what);
        return;
    }

    DiffMapSpec *s = diff_spec_copy(failing);

    spec_minimize(s);
    g_string_truncate(why, 0);
    g_assert_true(spec_fails(s, why));

    DiffWorld *w = diff_world_build(s);
    g_autofree char *dump = diff_world_dump(w);

    diff_world_free(w);
    g_test_message("%s, minimized map:\n%s%s", what, dump, why->str);
    diff_spec_free(s);
}

/* --- Edits ---------------------------------------------------------------- */

/* Whether @to is reachable from @from by subregions and alias targets. */
static bool reaches(OrrMemoryRegion *from, OrrMemoryRegion *to)
{
    g_autoptr(GHashTable) set = g_hash_table_new(NULL, NULL);

    diff_collect_reachable(from, set);
    return g_hash_table_contains(set, to);
}

static DiffReg *rand_reg(DiffWorld *w, GRand *rand)
{
    return diff_world_reg(
        w, (guint)g_rand_int_range(rand, 0, (gint32)w->regs->len));
}

/* Records an edit; an outcome other than predicted is an error. */
static void edit_result(DiffWorld *w, bool predicted, bool ok, GError *err)
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

static void edit_add(DiffWorld *w, GRand *rand, DiffReg *sub, DiffReg *parent)
{
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *old = orr_memory_region_get_container(sub->mr);
    bool predicted = parent->kind != ORR_REGION_ALIAS && old == NULL &&
                     !reaches(sub->mr, parent->mr);
    uint64_t offset = diff_rand_offset(rand, parent->size);
    int prio = 0;
    bool ok;

    if (g_rand_boolean(rand)) {
        prio = diff_rand_priority(rand);
        g_string_append_printf(
            w->log, "add %s to %s @0x%" G_GINT64_MODIFIER "x prio %d",
            diff_reg_name(sub), diff_reg_name(parent), offset, prio);
        ok = orr_memory_region_add_subregion_overlap(parent->mr, offset,
                                                     sub->mr, prio, &err);
    } else {
        g_string_append_printf(
            w->log, "add %s to %s @0x%" G_GINT64_MODIFIER "x",
            diff_reg_name(sub), diff_reg_name(parent), offset);
        ok = orr_memory_region_add_subregion(parent->mr, offset, sub->mr, &err);
    }
    edit_result(w, predicted, ok, err);
    if (ok) {
        diff_note_mapped(w, sub);
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

static void edit_new_region(DiffWorld *w, GRand *rand)
{
    OrrRegionKind kind = diff_rand_kind(rand);
    DiffReg *target = kind == ORR_REGION_ALIAS ? rand_reg(w, rand) : NULL;
    uint64_t size = diff_rand_size(rand, kind);
    uint64_t aoff = target ? diff_rand_offset(rand, target->size) : 0;
    DiffReg *r =
        diff_world_add_region(w, w->regs->len, kind, size, target, aoff);

    g_string_append_printf(w->log, "new %s %s size 0x%" G_GINT64_MODIFIER "x",
                           diff_reg_name(r), orr_memory_region_kind_name(kind),
                           size);
    if (target != NULL) {
        g_string_append_printf(w->log, " -> %s +0x%" G_GINT64_MODIFIER "x",
                               diff_reg_name(target), aoff);
    }
    g_string_append_c(w->log, '\n');
    if (g_rand_int_range(rand, 0, 10) < 7) {
        edit_add(w, rand, r, rand_reg(w, rand));
    }
}

bool diff_edit_random(DiffWorld *w, GRand *rand)
{
    g_autoptr(GError) err = NULL;
    guint op = (guint)g_rand_int_range(rand, 0, 100);
    DiffReg *r = rand_reg(w, rand);
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
        g_string_append_printf(w->log, "del %s from %s", diff_reg_name(r),
                               orr_memory_region_get_name(from));
        ok = orr_memory_region_del_subregion(from, r->mr, &err);
        edit_result(w, c != NULL && from == c, ok, err);
        if (orr_memory_region_get_container(r->mr) != (ok ? NULL : c)) {
            g_string_append(w->edit_error, "the container is wrong after "
                                           "del\n");
        }
    } else if (op < 42) {
        OrrMemoryRegion *c = orr_memory_region_get_container(r->mr);
        uint64_t addr =
            diff_rand_offset(rand, c ? diff_reg_of(w, c)->size : DIFF_SPACE);

        g_string_append_printf(w->log,
                               "set_address %s 0x%" G_GINT64_MODIFIER "x",
                               diff_reg_name(r), addr);
        ok = orr_memory_region_set_address(r->mr, addr, &err);
        edit_result(w, true, ok, err);
    } else if (op < 52) {
        int prio = diff_rand_priority(rand);
        g_string_append_printf(w->log, "set_priority %s %d\n", diff_reg_name(r),
                               prio);
        orr_memory_region_set_priority(r->mr, prio);
        if (orr_memory_region_get_container(r->mr) != NULL) {
            diff_note_mapped(w, r);
        }
    } else if (op < 62) {
        bool en = !orr_memory_region_is_enabled(r->mr);
        g_string_append_printf(w->log, "set_enabled %s %d\n", diff_reg_name(r),
                               en);
        orr_memory_region_set_enabled(r->mr, en);
    } else if (op < 70) {
        bool ro = !orr_memory_region_is_readonly(r->mr);
        g_string_append_printf(w->log, "set_readonly %s %d\n", diff_reg_name(r),
                               ro);
        orr_memory_region_set_readonly(r->mr, ro);
    } else if (op < 78) {
        OrrMemoryRegion *t = orr_memory_region_get_alias_target(r->mr);
        uint64_t off = diff_rand_offset(rand, t ? diff_reg_of(w, t)->size : 16);

        g_string_append_printf(w->log,
                               "set_alias_offset %s 0x%" G_GINT64_MODIFIER "x",
                               diff_reg_name(r), off);
        ok = orr_memory_region_set_alias_offset(r->mr, off, &err);
        edit_result(w, r->kind == ORR_REGION_ALIAS, ok, err);
    } else if (op < 82) {
        bool romd = !orr_memory_region_is_romd(r->mr);
        g_string_append_printf(w->log, "set_romd %s %d", diff_reg_name(r),
                               romd);
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
