/*
 * A libFuzzer target for the memory API: each input is a program of map
 * edits, misuses, transactions, releases and accesses, checked step by
 * step against the reference renderer (tests/unit/refview.c).
 */
#include "refview.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The program. A step is an opcode byte and its argument bytes; reading
 * past the end gives zeros, so every input is a program. It builds RAM,
 * ROM, MMIO, container and alias regions (at most MAX_REGIONS), each
 * free-standing or owned by one of two owner objects, maps and edits
 * them, opens and commits nested transactions, makes address spaces over
 * any region, reads and writes through them, and releases what it holds:
 * a free-standing region by dropping its reference, an owned one by
 * unparenting it, an owner by dropping it. A region argument is an index
 * among the regions the program still holds (a reference, or a held
 * owner); a released region stays in the map for as long as the map
 * keeps it, and the checks follow it there.
 *
 * Misuse is part of the program: mapping a region that is mapped,
 * deleting from the wrong container, a region into itself or into what it
 * contains (directly or through aliases), into an alias, or to end past
 * 2^64; a 0-byte terminal region, a taken or empty name, too much ROM
 * content, missing arguments, bad access sizes, accesses that wrap. It
 * must fail (a GError, or an error result) and change nothing: the
 * state of every live region, the live-object count and the views.
 *
 * After every step each address space's flat ranges must equal the
 * reference's (outside a transaction rendered now; inside one, those of
 * its outermost begin: nothing may change until the commit, and a new
 * address space shows nothing until then), subregion lists must be in
 * rendering order by the program's own record of priorities and mapping
 * order, and some reads must give what the reference predicts. The
 * input ends by committing, releasing what is still held and cutting
 * what was not (owned regions out of their owners: a released owner can
 * be kept by a cycle through a free-standing region, a plain-object cycle
 * of docs/devel/memory.md §10.5); then no object may be left. Any
 * disagreement prints the program and aborts; with FUZZ_MEMORY_LOG set
 * in the environment every program is printed.
 */

#define MAX_REGIONS 24
#define MAX_SPACES 3
#define MAX_OWNERS 2
#define MAX_TX 4 /* nesting depth of transactions */
#define MAX_STEPS 400
#define REGS_LEN                                                               \
    64               /* MMIO register bytes kept; past them reads give a       \
                      * pattern and writes are dropped */
#define ROM_INIT 256 /* at most this much ROM content is given */
#define PROBES 2     /* reads near edges per address space after each step */
#define FIRSTS 16    /* ranges whose first byte is read after each step */

typedef struct Fuzz Fuzz;

/* One region the program made. */
typedef struct Reg {
    Fuzz *f;
    OrrMemoryRegion *mr; /* NOREF: valid while @alive */
    guint index;         /* its name is "r<index>" */
    OrrRegionKind kind;
    uint64_t size;
    OrrObject *owner; /* NOREF: NULL when free-standing */
    bool alive;       /* not finalized (cleared by the finalize hook) */
    bool held;        /* the program still holds it and may name it */
    bool orphaned;    /* left its owner: its ops must never run again */
    guint64 stamp;    /* when it was last mapped or re-prioritized */
    uint8_t regs[REGS_LEN];
} Reg;

typedef struct Space {
    OrrAddressSpace *as;  /* held (caller reference); NULL: a free slot */
    GArray *expected;     /* OrrFlatRange: the view it must show now */
    uint64_t last_access; /* where the program last read or wrote */
} Space;

struct Fuzz {
    const uint8_t *data;
    size_t len, pos;
    guint step;
    Reg regs[MAX_REGIONS];
    guint n_regs;
    OrrObject *owners[MAX_OWNERS]; /* held (caller reference), or NULL */
    Space spaces[MAX_SPACES];
    guint tx_depth;
    guint64 next_stamp;
    guint64 rng; /* for probes: the same for every input */
    guint hook;
    GString *log; /* the program so far, for reports */
};

static G_NORETURN void fail(Fuzz *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static G_NORETURN void fail(Fuzz *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "fuzz-memory: step %u: %s\nprogram:\n%s", f->step, msg,
            f->log->str);
    fflush(stderr);
    abort();
}

static void say(Fuzz *f, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void say(Fuzz *f, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    g_string_append_vprintf(f->log, fmt, ap);
    va_end(ap);
}

/* --- Reading the program -------------------------------------------------- */

static guint8 next(Fuzz *f)
{
    return f->pos < f->len ? f->data[f->pos++] : 0;
}

static uint64_t next_u64(Fuzz *f)
{
    uint64_t v = 0;

    for (guint i = 0; i < 8; i++) {
        v |= (uint64_t)next(f) << (8 * i);
    }
    return v;
}

/* An address or offset: mostly small, sometimes just past a small
 * region, near 2^64, or anything. */
static uint64_t next_addr(Fuzz *f)
{
    guint8 sel = next(f) % 8;

    if (sel < 5) {
        return next(f);
    }
    if (sel == 5) {
        return 256u + next(f);
    }
    if (sel == 6) {
        return UINT64_MAX - next(f);
    }
    return next_u64(f);
}

/* A size: mostly small; sometimes 0, 2^64 or, for regions without a
 * backing, anything. */
static uint64_t next_size(Fuzz *f, OrrRegionKind kind)
{
    bool backed = kind == ORR_REGION_RAM || kind == ORR_REGION_ROM;
    guint8 sel = next(f) % 8;

    if (sel < 5) {
        return 1u + next(f) % 64;
    }
    if (sel == 5) {
        return next(f);
    }
    if (sel == 6) {
        return ORR_SIZE_2_64;
    }
    return backed ? 1u + (uint64_t)next(f) : next_u64(f);
}

static int next_priority(Fuzz *f)
{
    guint8 sel = next(f) % 8;

    return sel < 6 ? (int)(sel % 4) - 1 : sel == 6 ? INT_MAX : INT_MIN;
}

/* A region the program holds, or NULL if it holds none. */
static Reg *next_reg(Fuzz *f)
{
    Reg *held[MAX_REGIONS];
    guint n = 0;
    guint8 b = next(f);

    for (guint i = 0; i < f->n_regs; i++) {
        if (f->regs[i].held) {
            held[n++] = &f->regs[i];
        }
    }
    return n > 0 ? held[b % n] : NULL;
}

static guint64 rng_next(Fuzz *f)
{
    f->rng ^= f->rng << 13;
    f->rng ^= f->rng >> 7;
    f->rng ^= f->rng << 17;
    return f->rng;
}

/* --- Regions -------------------------------------------------------------- */

/* A byte pattern distinct per region, offset and use. */
static uint8_t pattern(guint index, uint64_t off, guint salt)
{
    guint32 h = (index + 1) * 0x9e3779b1u ^ (guint32)off * 0x85ebca77u ^
                (guint32)(off >> 32) * 0x27d4eb2fu ^ (salt + 1) * 0xc2b2ae3du;

    h ^= h >> 15;
    h *= 0x2c1b3c6du;
    h ^= h >> 12;
    return (uint8_t)h;
}

static const char *reg_name(const Reg *r)
{
    return orr_memory_region_get_name(r->mr);
}

static OrrObject *reg_obj(const Reg *r)
{
    return orr_memory_region_object(r->mr);
}

/* The live region @mr is, as the program knows it. */
static Reg *reg_of(Fuzz *f, OrrMemoryRegion *mr)
{
    for (guint i = 0; i < f->n_regs; i++) {
        if (f->regs[i].alive && f->regs[i].mr == mr) {
            return &f->regs[i];
        }
    }
    fail(f, "a region the program never made, or a dead one, is shown");
}

/* An MMIO register byte: where a write lands, NULL if it is dropped. */
static uint8_t *io_byte(Reg *r, uint64_t off)
{
    return off < REGS_LEN ? &r->regs[off] : NULL;
}

static uint8_t io_get(Reg *r, uint64_t off)
{
    return off < REGS_LEN ? r->regs[off] : pattern(r->index, off, 1);
}

static void io_check(Reg *r, uint64_t offset, unsigned size)
{
    if (r->orphaned || !r->alive) {
        fail(r->f, "the ops of %s ran after it left its owner",
             r->alive ? reg_name(r) : "a dead region");
    }
    if (size < 1 || size > 8 ||
        (r->size != ORR_SIZE_2_64 &&
         (offset >= r->size || size > r->size - offset)) ||
        (r->size == ORR_SIZE_2_64 && offset > UINT64_MAX - (size - 1))) {
        fail(r->f,
             "ops of %s called with %u bytes at 0x%" G_GINT64_MODIFIER
             "x, outside the region",
             reg_name(r), size, offset);
    }
}

static uint64_t io_read(void *opaque, uint64_t offset, unsigned size)
{
    Reg *r = opaque;
    uint64_t v = 0;

    io_check(r, offset, size);
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)io_get(r, offset + i) << (8 * i);
    }
    return v;
}

static void io_write(void *opaque, uint64_t offset, uint64_t value,
                     unsigned size)
{
    Reg *r = opaque;

    io_check(r, offset, size);
    for (unsigned i = 0; i < size; i++) {
        uint8_t *p = io_byte(r, offset + i);
        if (p != NULL) {
            *p = (uint8_t)(value >> (8 * i));
        }
    }
}

/* Any size, any alignment, one call per access. */
static const OrrMemoryOps io_ops = {
    .read = io_read,
    .write = io_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.min_access_size = 1, .max_access_size = 8, .unaligned = true},
    .impl = {.min_access_size = 1, .max_access_size = 8, .unaligned = true},
};

/* Runs when any object starts finalizing: the program's regions die, and
 * an owner's death orphans the regions it owned. */
static void on_finalize(const OrrFinalizeEvent *ev, void *data)
{
    Fuzz *f = data;

    for (guint i = 0; i < f->n_regs; i++) {
        Reg *r = &f->regs[i];

        if (r->alive && reg_obj(r) == ev->object) {
            r->alive = false;
            r->held = false;
        } else if (r->alive && r->owner == ev->object) {
            r->orphaned = true;
        }
    }
}

/* Whether @to is reachable from @from by subregions and alias targets,
 * @from included. The region graph is acyclic, but the walk does not
 * count on it. */
static bool reaches_from(OrrMemoryRegion *from, OrrMemoryRegion *to,
                         GHashTable *seen)
{
    if (from == NULL || !g_hash_table_add(seen, from)) {
        return false;
    }
    if (from == to) {
        return true;
    }

    g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(from);

    for (guint i = 0; i < subs->len; i++) {
        if (reaches_from(subs->pdata[i], to, seen)) {
            return true;
        }
    }
    return reaches_from(orr_memory_region_get_alias_target(from), to, seen);
}

static bool reaches(OrrMemoryRegion *from, OrrMemoryRegion *to)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);

    return reaches_from(from, to, seen);
}

/* Whether a region of @size bytes may start at @addr: end at 2^64 at the
 * latest. */
static bool end_ok(uint64_t addr, uint64_t size)
{
    if (size == ORR_SIZE_2_64) {
        return addr == 0;
    }
    return size == 0 || addr <= UINT64_MAX - size + 1;
}

/* --- Checks --------------------------------------------------------------- */

/* Everything the program can see of the map, to show that a refused call
 * changed nothing: the live-object count and each live region's state. */
static char *state_text(Fuzz *f)
{
    GString *s = g_string_new(NULL);

    g_string_append_printf(s, "live objects: %u\n", orr_live_count(NULL));
    for (guint i = 0; i < f->n_regs; i++) {
        Reg *r = &f->regs[i];

        if (!r->alive) {
            continue;
        }

        OrrMemoryRegion *c = orr_memory_region_get_container(r->mr);
        OrrMemoryRegion *t = orr_memory_region_get_alias_target(r->mr);

        g_string_append_printf(
            s,
            "%s in %s @0x%" G_GINT64_MODIFIER
            "x prio %d%s%s -> %s +0x%" G_GINT64_MODIFIER "x:",
            reg_name(r), c ? orr_memory_region_get_name(c) : "-",
            orr_memory_region_get_address(r->mr),
            orr_memory_region_get_priority(r->mr),
            orr_memory_region_is_enabled(r->mr) ? "" : " disabled",
            orr_memory_region_is_readonly(r->mr) ? " readonly" : "",
            t ? orr_memory_region_get_name(t) : "-",
            orr_memory_region_get_alias_offset(r->mr));

        g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(r->mr);

        for (guint j = 0; j < subs->len; j++) {
            g_string_append_printf(s, " %s",
                                   orr_memory_region_get_name(subs->pdata[j]));
        }
        g_string_append_c(s, '\n');
    }
    for (guint k = 0; k < MAX_SPACES; k++) {
        if (f->spaces[k].as != NULL) {
            OrrMemoryRegion *root = orr_address_space_get_root(f->spaces[k].as);
            g_string_append_printf(s, "as%u over %s\n", k,
                                   root ? orr_memory_region_get_name(root)
                                        : "nothing");
        }
    }
    return g_string_free(s, FALSE);
}

/* Checks the outcome of a call that may fail: as @predicted, with an
 * error exactly when it failed, and when it failed nothing changed since
 * @before. */
static void outcome(Fuzz *f, const char *before, bool predicted, bool ok,
                    GError *err)
{
    say(f, ": %s%s\n", ok ? "ok" : "refused: ", err ? err->message : "");
    if (ok != predicted) {
        fail(f, "the call %s, expected it to %s", ok ? "succeeded" : "failed",
             predicted ? "succeed" : "fail");
    }
    if (ok == (err != NULL)) {
        fail(f, "the call %s %s an error", ok ? "succeeded" : "failed",
             ok ? "with" : "without");
    }
    if (!ok) {
        g_autofree char *after = state_text(f);
        if (strcmp(before, after) != 0) {
            fail(f, "a refused call changed the map; before:\n%safter:\n%s",
                 before, after);
        }
    }
}

/* Every subregion list in rendering order: highest priority first, at
 * equal priority the one mapped (or re-prioritized) last first. */
static void check_order(Fuzz *f)
{
    for (guint i = 0; i < f->n_regs; i++) {
        Reg *r = &f->regs[i];

        if (!r->alive) {
            continue;
        }

        g_autoptr(GPtrArray) subs = orr_memory_region_get_subregions(r->mr);

        for (guint j = 0; j < subs->len; j++) {
            Reg *b = reg_of(f, subs->pdata[j]);
            Reg *a = j > 0 ? reg_of(f, subs->pdata[j - 1]) : NULL;
            int pa = a ? orr_memory_region_get_priority(a->mr) : 0;
            int pb = orr_memory_region_get_priority(b->mr);

            if (orr_memory_region_get_container(b->mr) != r->mr) {
                fail(f, "%s lists %s, whose container is not %s", reg_name(r),
                     reg_name(b), reg_name(r));
            }
            if (a != NULL && (pa < pb || (pa == pb && a->stamp < b->stamp))) {
                fail(f, "subregions of %s: %s (prio %d) before %s (prio %d)",
                     reg_name(r), reg_name(a), pa, reg_name(b), pb);
            }
        }
    }
}

/* The bytes a read of @len bytes at @addr of @sp should give, and its
 * result: the first error in address order; failed bytes read 0. */
static OrrMemTxResult predict_read(Fuzz *f, Space *sp, uint64_t addr,
                                   size_t len, uint8_t *out)
{
    OrrMemTxResult res = ORR_MEMTX_OK;

    memset(out, 0, len);
    if (len > 0 && addr > UINT64_MAX - (len - 1)) {
        return ORR_MEMTX_DECODE_ERROR; /* wraps: touches nothing */
    }
    for (size_t i = 0; i < len; i++) {
        RefHit h = ref_ranges_at(sp->expected, addr + i);
        OrrMemTxResult r = ORR_MEMTX_OK;

        if (h.mr == NULL) {
            r = ORR_MEMTX_DECODE_ERROR;
        } else {
            Reg *reg = reg_of(f, h.mr);
            if (reg->kind == ORR_REGION_IO) {
                if (reg->orphaned) {
                    r = ORR_MEMTX_ACCESS_ERROR;
                } else {
                    out[i] = io_get(reg, h.offset);
                }
            } else {
                out[i] =
                    ((uint8_t *)orr_memory_region_get_ram_ptr(h.mr))[h.offset];
            }
        }
        if (res == ORR_MEMTX_OK) {
            res = r;
        }
    }
    return res;
}

/* Where each byte of a write of @len bytes at @addr of @sp should land
 * (@stores: host byte -> value + 1; dropped register bytes land nowhere),
 * and its result. */
static OrrMemTxResult predict_write(Fuzz *f, Space *sp, uint64_t addr,
                                    size_t len, const uint8_t *bytes,
                                    GHashTable *stores)
{
    OrrMemTxResult res = ORR_MEMTX_OK;

    if (len > 0 && addr > UINT64_MAX - (len - 1)) {
        return ORR_MEMTX_DECODE_ERROR;
    }
    for (size_t i = 0; i < len; i++) {
        RefHit h = ref_ranges_at(sp->expected, addr + i);
        OrrMemTxResult r = ORR_MEMTX_OK;
        uint8_t *p = NULL;

        if (h.mr == NULL) {
            r = ORR_MEMTX_DECODE_ERROR;
        } else if (h.readonly) {
            r = ORR_MEMTX_ACCESS_ERROR;
        } else {
            Reg *reg = reg_of(f, h.mr);
            if (reg->kind != ORR_REGION_IO) {
                p = (uint8_t *)orr_memory_region_get_ram_ptr(h.mr) + h.offset;
            } else if (reg->orphaned) {
                r = ORR_MEMTX_ACCESS_ERROR;
            } else {
                p = io_byte(reg, h.offset);
            }
        }
        if (p != NULL) {
            g_hash_table_insert(stores, p, GUINT_TO_POINTER(bytes[i] + 1u));
        }
        if (res == ORR_MEMTX_OK) {
            res = r;
        }
    }
    return res;
}

/* The bytes of every live region's backing or registers, in order. */
static void backing_bufs(Reg *r, uint8_t **buf, size_t *len)
{
    if (r->kind == ORR_REGION_RAM || r->kind == ORR_REGION_ROM) {
        *buf = orr_memory_region_get_ram_ptr(r->mr);
        *len = (size_t)r->size;
    } else if (r->kind == ORR_REGION_IO) {
        *buf = r->regs;
        *len = REGS_LEN;
    } else {
        *buf = NULL;
        *len = 0;
    }
}

static GByteArray *backing_copy(Fuzz *f)
{
    GByteArray *copy = g_byte_array_new();

    for (guint i = 0; i < f->n_regs; i++) {
        uint8_t *buf;
        size_t len;

        if (f->regs[i].alive) {
            backing_bufs(&f->regs[i], &buf, &len);
            g_byte_array_append(copy, buf, (guint)len);
        }
    }
    return copy;
}

/* After a write: the predicted stores happened, no other byte moved. */
static void check_stores(Fuzz *f, GByteArray *before, GHashTable *stores)
{
    guint j = 0;

    for (guint i = 0; i < f->n_regs; i++) {
        Reg *r = &f->regs[i];
        uint8_t *buf;
        size_t len;

        if (!r->alive) {
            continue;
        }
        backing_bufs(r, &buf, &len);
        for (size_t off = 0; off < len; off++, j++) {
            gpointer v = g_hash_table_lookup(stores, buf + off);
            guint want = v ? GPOINTER_TO_UINT(v) - 1 : before->data[j];

            if (buf[off] != want) {
                fail(f,
                     "after the write, byte 0x%zx of %s is 0x%02x, "
                     "expected 0x%02x",
                     off, reg_name(r), buf[off], want);
            }
        }
    }
}

static uint64_t le_value(const uint8_t *b, unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size && i < 8; i++) {
        v |= (uint64_t)b[i] << (8 * i);
    }
    return v;
}

static bool valid_size(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

static void check_read(Fuzz *f, Space *sp, uint64_t addr, unsigned size)
{
    uint8_t want[8] = {0};
    OrrMemTxResult want_res = valid_size(size)
                                  ? predict_read(f, sp, addr, size, want)
                                  : ORR_MEMTX_ACCESS_ERROR;
    uint64_t want_v = valid_size(size) ? le_value(want, size) : 0;
    uint64_t got = 0xa5a5a5a5a5a5a5a5u;
    OrrMemTxResult res = orr_address_space_read(sp->as, addr, size, &got);

    if (res != want_res || got != want_v) {
        fail(f,
             "read of %u bytes at 0x%" G_GINT64_MODIFIER "x: expected %s "
             "0x%" G_GINT64_MODIFIER "x, got %s 0x%" G_GINT64_MODIFIER "x",
             size, addr, orr_memtx_result_name(want_res), want_v,
             orr_memtx_result_name(res), got);
    }

    uint64_t off = 0;
    OrrMemoryRegion *mr = orr_address_space_find(sp->as, addr, &off);
    RefHit h = ref_ranges_at(sp->expected, addr);

    if (mr != h.mr || (mr != NULL && off != h.offset)) {
        fail(f,
             "find(0x%" G_GINT64_MODIFIER "x) gives %s@0x%" G_GINT64_MODIFIER
             "x, expected %s@0x%" G_GINT64_MODIFIER "x",
             addr, mr ? orr_memory_region_get_name(mr) : "nothing", off,
             h.mr ? orr_memory_region_get_name(h.mr) : "nothing", h.offset);
    }
}

/* An address near the edge of one of @sp's ranges, from @pick. */
static uint64_t edge_addr(Space *sp, guint64 pick)
{
    if (sp->expected->len == 0) {
        return pick % 512;
    }

    const OrrFlatRange *r = &g_array_index(sp->expected, OrrFlatRange,
                                           (guint)(pick % sp->expected->len));
    uint64_t base = (pick >> 16) & 1 ? r->last : r->start;

    return base + ((pick >> 20) % 8) - 4;
}

/*
 * The view of address space @k against the reference (rendered now
 * outside a transaction), then reads: the first byte of each range (up to
 * FIRSTS of them), so that a region that must no longer answer is caught
 * wherever it shows, and a few near edges. The program's last access is
 * repeated first and last, so that what it reached stays what dispatch
 * remembers (its RAM and MMIO caches) into the next step.
 */
static void check_space(Fuzz *f, guint k)
{
    static const unsigned sizes[] = {1, 2, 4, 8};
    Space *sp = &f->spaces[k];
    g_autoptr(GString) why = g_string_new(NULL);

    if (f->tx_depth == 0) {
        g_array_unref(sp->expected);
        sp->expected = ref_ranges(orr_address_space_get_root(sp->as));
    }

    g_autoptr(GArray) actual = orr_address_space_get_flat_ranges(sp->as);

    if (!ref_check_flat(actual, why) ||
        !ref_compare_ranges(sp->expected, actual, why)) {
        fail(f, "as%u: %s", k, why->str);
    }
    check_read(f, sp, sp->last_access, 1);
    for (guint i = 0; i < MIN(sp->expected->len, FIRSTS); i++) {
        check_read(f, sp, g_array_index(sp->expected, OrrFlatRange, i).start,
                   1);
    }
    for (guint i = 0; i < PROBES; i++) {
        guint64 pick = rng_next(f);
        check_read(f, sp, edge_addr(sp, pick), sizes[(pick >> 24) % 4]);
    }
    check_read(f, sp, sp->last_access, 1);
}

/* Every address space, and the rendering order. */
static void check_all(Fuzz *f)
{
    for (guint k = 0; k < MAX_SPACES; k++) {
        if (f->spaces[k].as != NULL) {
            check_space(f, k);
        }
    }
    check_order(f);
}

/* --- Steps ---------------------------------------------------------------- */

/* What a new region is asked to be; misuse included. */
typedef struct NewArgs {
    OrrRegionKind kind;
    int slot;         /* -1: free-standing */
    OrrObject *owner; /* NOREF: f->owners[slot] */
    uint64_t size;
    Reg *target;     /* aliases */
    uint64_t offset; /* aliases */
    char name[16];   /* "r<index>", or spoiled */
    size_t rom_len;  /* ROM: the content given */
    uint8_t rom[ROM_INIT + 1];
    bool predicted; /* whether creation should succeed */
} NewArgs;

/* Reads a new region's arguments, spoils one now and then (misuse), and
 * predicts the outcome. */
static void new_args(Fuzz *f, NewArgs *a)
{
    static const OrrRegionKind kinds[] = {
        ORR_REGION_CONTAINER, ORR_REGION_CONTAINER, ORR_REGION_RAM,
        ORR_REGION_ROM,       ORR_REGION_IO,        ORR_REGION_IO,
        ORR_REGION_ALIAS,     ORR_REGION_ALIAS,
    };
    bool name_ok = true;

    a->kind = kinds[next(f) % G_N_ELEMENTS(kinds)];
    a->slot = next(f) % (MAX_OWNERS + 1) - 1;
    a->owner = a->slot >= 0 ? f->owners[a->slot] : NULL;
    a->size = next_size(f, a->kind);

    guint8 misuse = next(f) % 16;

    a->target = a->kind == ORR_REGION_ALIAS ? next_reg(f) : NULL;
    a->offset = a->kind == ORR_REGION_ALIAS ? next_addr(f) : 0;
    g_snprintf(a->name, sizeof(a->name), "r%u", f->n_regs);
    a->rom_len = MIN(a->size, ROM_INIT); /* 2^64 is a ROM that fails */
    if (misuse == 1) {
        a->name[0] = '\0';
        name_ok = false;
    } else if (misuse == 2 && a->owner != NULL) {
        for (guint i = 0; i < f->n_regs && name_ok; i++) {
            if (f->regs[i].held && f->regs[i].owner == a->owner) {
                g_strlcpy(a->name, reg_name(&f->regs[i]), sizeof(a->name));
                name_ok = false;
            }
        }
    } else if (misuse == 3 && a->kind == ORR_REGION_ROM && a->size < ROM_INIT) {
        a->rom_len = (size_t)a->size + 1; /* more content than room */
    } else if (misuse == 4 && a->kind == ORR_REGION_ALIAS) {
        a->target = NULL;
    }
    for (size_t i = 0; i < a->rom_len; i++) {
        a->rom[i] = pattern(f->n_regs, i, 0);
    }

    bool backed = a->kind == ORR_REGION_RAM || a->kind == ORR_REGION_ROM;
    bool may_be_empty =
        a->kind == ORR_REGION_CONTAINER || a->kind == ORR_REGION_ALIAS;

    a->predicted = name_ok && (a->size != 0 || may_be_empty) &&
                   (!backed || a->size != ORR_SIZE_2_64) &&
                   (a->kind != ORR_REGION_ROM || a->rom_len <= a->size) &&
                   (a->kind != ORR_REGION_ALIAS || a->target != NULL);
}

/* Calls the constructor of @a's kind; @r is the MMIO ops' opaque. */
static OrrMemoryRegion *new_region(NewArgs *a, Reg *r, GError **errp)
{
    switch (a->kind) {
    case ORR_REGION_RAM:
        return orr_memory_region_new_ram(a->owner, a->name, a->size, errp);
    case ORR_REGION_ROM:
        return orr_memory_region_new_rom(a->owner, a->name, a->size, a->rom,
                                         a->rom_len, errp);
    case ORR_REGION_IO:
        return orr_memory_region_new_io(a->owner, a->name, a->size, &io_ops, r,
                                        errp);
    case ORR_REGION_CONTAINER:
        return orr_memory_region_new_container(a->owner, a->name, a->size,
                                               errp);
    case ORR_REGION_ALIAS:
        return orr_memory_region_new_alias(a->owner, a->name,
                                           a->target ? a->target->mr : NULL,
                                           a->offset, a->size, errp);
    default:
        g_assert_not_reached();
    }
}

/* Checks a new region against what was asked, and fills its contents:
 * a pattern in RAM and registers; a ROM must hold what it was given. */
static void new_region_check(Fuzz *f, Reg *r, const NewArgs *a)
{
    OrrMemoryRegion *mr = r->mr;

    if (orr_memory_region_get_kind(mr) != a->kind ||
        orr_memory_region_get_size(mr) != a->size ||
        orr_memory_region_get_owner(mr) != a->owner ||
        orr_memory_region_get_container(mr) != NULL ||
        orr_memory_region_get_alias_target(mr) !=
            (a->target ? a->target->mr : NULL) ||
        orr_memory_region_get_alias_offset(mr) != a->offset ||
        !orr_memory_region_is_enabled(mr) ||
        orr_memory_region_is_readonly(mr)) {
        fail(f, "the new region is not as asked");
    }

    uint8_t *host = orr_memory_region_get_ram_ptr(mr);

    for (uint64_t i = 0; a->kind == ORR_REGION_RAM && i < a->size; i++) {
        host[i] = pattern(r->index, i, 0);
    }
    for (uint64_t i = 0; a->kind == ORR_REGION_ROM && i < a->size; i++) {
        if (host[i] != (i < a->rom_len ? a->rom[i] : 0)) {
            fail(f, "ROM byte 0x%" G_GINT64_MODIFIER "x is not as given", i);
        }
    }
    for (guint i = 0; a->kind == ORR_REGION_IO && i < REGS_LEN; i++) {
        r->regs[i] = pattern(r->index, i, 1);
    }
}

static void step_new(Fuzz *f)
{
    NewArgs a;

    new_args(f, &a);

    g_autofree char *before = state_text(f);
    g_autoptr(GError) err = NULL;
    Reg *r = &f->regs[f->n_regs];

    if (f->n_regs == MAX_REGIONS) {
        say(f, "new: no room\n");
        return;
    }
    say(f, "new %s '%s' %s size 0x%" G_GINT64_MODIFIER "x",
        orr_memory_region_kind_name(a.kind), a.name,
        a.owner ? (a.slot ? "owner1" : "owner0") : "free", a.size);
    if (a.kind == ORR_REGION_ALIAS) {
        say(f, " -> %s +0x%" G_GINT64_MODIFIER "x",
            a.target ? reg_name(a.target) : "(none)", a.offset);
    }
    *r = (Reg){.f = f, .index = f->n_regs, .kind = a.kind, .size = a.size};
    r->mr = new_region(&a, r, &err);
    outcome(f, before, a.predicted, r->mr != NULL, err);
    if (r->mr != NULL) {
        r->owner = a.owner;
        r->alive = r->held = true;
        f->n_regs++;
        new_region_check(f, r, &a);
    }
}

static void step_add(Fuzz *f)
{
    Reg *parent = next_reg(f);
    Reg *sub = next_reg(f);
    uint64_t at = next_addr(f);
    guint8 how = next(f);
    int prio = how & 1 ? next_priority(f) : 0;

    if (parent == NULL) {
        return;
    }
    if (how >= 0xf8) {
        sub = NULL; /* a missing argument */
    }

    OrrMemoryRegion *smr = sub ? sub->mr : NULL;
    bool predicted = sub != NULL && parent->kind != ORR_REGION_ALIAS &&
                     orr_memory_region_get_container(smr) == NULL &&
                     !reaches(smr, parent->mr) && end_ok(at, sub->size);
    g_autofree char *before = state_text(f);
    g_autoptr(GError) err = NULL;
    bool ok;

    say(f, "add %s to %s @0x%" G_GINT64_MODIFIER "x prio %d",
        sub ? reg_name(sub) : "(none)", reg_name(parent), at, prio);
    if (how & 1) {
        ok = orr_memory_region_add_subregion_overlap(parent->mr, at, smr, prio,
                                                     &err);
    } else {
        ok = orr_memory_region_add_subregion(parent->mr, at, smr, &err);
    }
    outcome(f, before, predicted, ok, err);
    if (ok) {
        sub->stamp = ++f->next_stamp;
        if (orr_memory_region_get_container(smr) != parent->mr ||
            orr_memory_region_get_address(smr) != at ||
            orr_memory_region_get_priority(smr) != prio) {
            fail(f, "the mapping is not as asked");
        }
    }
}

static void step_del(Fuzz *f)
{
    Reg *sub = next_reg(f);
    guint8 how = next(f);
    Reg *other = next_reg(f);

    if (sub == NULL) {
        return;
    }

    OrrMemoryRegion *c = orr_memory_region_get_container(sub->mr);
    OrrMemoryRegion *from = c; /* may be one the program released */
    OrrMemoryRegion *smr = how >= 0xf8 ? NULL : sub->mr;

    if (c == NULL || how % 4 == 0) {
        from = other->mr;
    }

    bool predicted = smr != NULL && c != NULL && from == c;
    g_autofree char *before = state_text(f);
    g_autoptr(GError) err = NULL;

    say(f, "del %s from %s", smr ? reg_name(sub) : "(none)",
        orr_memory_region_get_name(from));

    bool ok = orr_memory_region_del_subregion(from, smr, &err);

    outcome(f, before, predicted, ok, err);
    /* @sub may be gone now: only the del edge held it. */
    if (ok && sub->alive && orr_memory_region_get_container(sub->mr) != NULL) {
        fail(f, "still mapped after del");
    }
}

static void step_set_address(Fuzz *f)
{
    Reg *r = next_reg(f);
    uint64_t at = next_addr(f);

    if (r == NULL) {
        return;
    }

    g_autofree char *before = state_text(f);
    g_autoptr(GError) err = NULL;

    say(f, "set_address %s 0x%" G_GINT64_MODIFIER "x", reg_name(r), at);

    bool ok = orr_memory_region_set_address(r->mr, at, &err);

    outcome(f, before, end_ok(at, r->size), ok, err);
    if (ok && orr_memory_region_get_address(r->mr) != at) {
        fail(f, "the address is not as asked");
    }
}

static void step_set_alias_offset(Fuzz *f)
{
    Reg *r = next_reg(f);
    uint64_t off = next_addr(f);

    if (r == NULL) {
        return;
    }

    g_autofree char *before = state_text(f);
    g_autoptr(GError) err = NULL;

    say(f, "set_alias_offset %s 0x%" G_GINT64_MODIFIER "x", reg_name(r), off);

    bool ok = orr_memory_region_set_alias_offset(r->mr, off, &err);

    outcome(f, before, r->kind == ORR_REGION_ALIAS, ok, err);
    if (ok && orr_memory_region_get_alias_offset(r->mr) != off) {
        fail(f, "the alias offset is not as asked");
    }
}

/* set_enabled, set_readonly or set_priority: calls that cannot fail. */
static void step_set(Fuzz *f, guint what)
{
    Reg *r = next_reg(f);
    guint8 b = next(f);
    int prio = next_priority(f);

    if (r == NULL) {
        return;
    }
    switch (what) {
    case 0:
        say(f, "set_enabled %s %d\n", reg_name(r), b & 1);
        orr_memory_region_set_enabled(r->mr, b & 1);
        if (orr_memory_region_is_enabled(r->mr) != (b & 1)) {
            fail(f, "enabled is not as asked");
        }
        break;
    case 1:
        say(f, "set_readonly %s %d\n", reg_name(r), b & 1);
        orr_memory_region_set_readonly(r->mr, b & 1);
        if (orr_memory_region_is_readonly(r->mr) != (b & 1)) {
            fail(f, "readonly is not as asked");
        }
        break;
    default:
        say(f, "set_priority %s %d\n", reg_name(r), prio);
        orr_memory_region_set_priority(r->mr, prio);
        if (orr_memory_region_get_container(r->mr) != NULL) {
            r->stamp = ++f->next_stamp;
        }
        if (orr_memory_region_get_priority(r->mr) != prio) {
            fail(f, "the priority is not as asked");
        }
        break;
    }
}

static void step_transaction(Fuzz *f, bool begin)
{
    if (begin && f->tx_depth < MAX_TX) {
        say(f, "begin\n");
        orr_memory_transaction_begin();
        f->tx_depth++;
    } else if (!begin && f->tx_depth > 0) {
        say(f, "commit\n");
        orr_memory_transaction_commit();
        f->tx_depth--;
    }
}

/* Gives up the program's hold on @r: the reference of a free-standing
 * region, the owner's child<> edge of an owned one. */
static void release(Fuzz *f, Reg *r)
{
    r->held = false;
    if (r->owner != NULL) {
        say(f, "unparent %s\n", reg_name(r));
        r->orphaned = true;
        orr_object_unparent(reg_obj(r));
    } else {
        say(f, "unref %s\n", reg_name(r));
        orr_object_unref(reg_obj(r));
    }
}

static void step_release(Fuzz *f)
{
    Reg *r = next_reg(f);

    if (r != NULL) {
        release(f, r);
    }
}

static void drop_owner(Fuzz *f, guint k)
{
    say(f, "drop owner%u\n", k);
    for (guint i = 0; i < f->n_regs; i++) {
        if (f->regs[i].owner == f->owners[k]) {
            f->regs[i].held = false;
        }
    }
    orr_object_unref(g_steal_pointer(&f->owners[k]));
}

/* Drops owner k, or makes a new one in its place. */
static void step_owner(Fuzz *f)
{
    guint k = next(f) % MAX_OWNERS;

    if (f->owners[k] != NULL) {
        drop_owner(f, k);
    } else {
        say(f, "new owner%u\n", k);
        f->owners[k] = orr_object_new(ORR_TYPE_CONTAINER, NULL);
        if (f->owners[k] == NULL) {
            fail(f, "cannot make an owner");
        }
    }
}

static void drop_space(Fuzz *f, guint k)
{
    Space *sp = &f->spaces[k];

    say(f, "drop as%u\n", k);
    g_clear_pointer(&sp->expected, g_array_unref);
    orr_object_unref(orr_address_space_object(g_steal_pointer(&sp->as)));
}

/* Drops address space k, or makes one over a held region (or over none,
 * which must fail). */
static void step_space(Fuzz *f)
{
    guint k = next(f) % MAX_SPACES;
    Reg *root = next_reg(f);
    bool missing = next(f) % 16 == 0;
    Space *sp = &f->spaces[k];

    if (sp->as != NULL) {
        drop_space(f, k);
        return;
    }
    if (root == NULL && !missing) {
        return;
    }

    OrrMemoryRegion *rmr = missing ? NULL : root->mr;
    g_autofree char *name = g_strdup_printf("as%u", k);
    g_autofree char *before = state_text(f);
    g_autoptr(GError) err = NULL;

    say(f, "new as%u over %s", k, rmr ? reg_name(root) : "(none)");
    sp->as = orr_address_space_new(NULL, name, rmr, &err);
    outcome(f, before, rmr != NULL, sp->as != NULL, err);
    if (sp->as == NULL) {
        return;
    }
    if (orr_address_space_get_root(sp->as) != rmr) {
        fail(f, "the root is not as asked");
    }
    /* Inside a transaction it shows nothing until the commit. */
    sp->expected = f->tx_depth == 0
                       ? ref_ranges(rmr)
                       : g_array_new(FALSE, FALSE, sizeof(OrrFlatRange));
}

static Space *next_space(Fuzz *f)
{
    Space *used[MAX_SPACES];
    guint n = 0;
    guint8 b = next(f);

    for (guint k = 0; k < MAX_SPACES; k++) {
        if (f->spaces[k].as != NULL) {
            used[n++] = &f->spaces[k];
        }
    }
    return n > 0 ? used[b % n] : NULL;
}

/* An address to access: near an edge of the view, or any; remembered as
 * @sp's last access. */
static uint64_t next_access_addr(Fuzz *f, Space *sp)
{
    guint8 sel = next(f);

    if (sel % 4 == 0) {
        sp->last_access = next_addr(f);
    } else {
        sp->last_access =
            edge_addr(sp, (guint64)next(f) | (guint64)(sel & 4) << 14 |
                              (guint64)next(f) << 20);
    }
    return sp->last_access;
}

static unsigned next_access_size(Fuzz *f)
{
    static const unsigned sizes[] = {1, 2, 4, 8, 1, 2, 4, 8,
                                     1, 2, 4, 8, 2, 8, 0, 3};

    return sizes[next(f) % G_N_ELEMENTS(sizes)];
}

static void step_read(Fuzz *f)
{
    Space *sp = next_space(f);

    if (sp != NULL) {
        uint64_t addr = next_access_addr(f, sp);
        unsigned size = next_access_size(f);

        say(f, "read as%u 0x%" G_GINT64_MODIFIER "x size %u\n",
            (guint)(sp - f->spaces), addr, size);
        check_read(f, sp, addr, size);
    }
}

/* A write of @len bytes, sized (@sized, @len 1 to 8, or a bad size) or as
 * a byte string. */
static void do_write(Fuzz *f, Space *sp, uint64_t addr, size_t len,
                     const uint8_t *bytes, bool sized)
{
    g_autoptr(GByteArray) before = backing_copy(f);
    g_autoptr(GHashTable) stores = g_hash_table_new(NULL, NULL);
    OrrMemTxResult want, res;

    if (sized) {
        want = valid_size((unsigned)len)
                   ? predict_write(f, sp, addr, len, bytes, stores)
                   : ORR_MEMTX_ACCESS_ERROR;
        res = orr_address_space_write(sp->as, addr, (unsigned)len,
                                      le_value(bytes, (unsigned)len));
    } else {
        want = len == 0 ? ORR_MEMTX_ACCESS_ERROR
                        : predict_write(f, sp, addr, len, bytes, stores);
        res = orr_address_space_write_bytes(sp->as, addr, bytes, len);
    }
    if (res != want) {
        fail(f,
             "write of %zu bytes at 0x%" G_GINT64_MODIFIER "x: expected %s, "
             "got %s",
             len, addr, orr_memtx_result_name(want),
             orr_memtx_result_name(res));
    }
    check_stores(f, before, stores);
}

static void step_write(Fuzz *f)
{
    Space *sp = next_space(f);

    if (sp != NULL) {
        uint64_t addr = next_access_addr(f, sp);
        unsigned size = next_access_size(f);
        uint64_t value = next_u64(f);
        uint8_t bytes[8];

        for (guint i = 0; i < 8; i++) {
            bytes[i] = (uint8_t)(value >> (8 * i));
        }
        say(f,
            "write as%u 0x%" G_GINT64_MODIFIER "x size %u 0x%" G_GINT64_MODIFIER
            "x\n",
            (guint)(sp - f->spaces), addr, size, value);
        do_write(f, sp, addr, size, bytes, true);
    }
}

/* read_bytes or write_bytes of 0 to 19 bytes. */
static void step_bytes(Fuzz *f)
{
    Space *sp = next_space(f);
    guint8 how = next(f);

    if (sp == NULL) {
        return;
    }

    uint64_t addr = next_access_addr(f, sp);
    size_t len = how % 20;
    uint8_t want[20], got[20], bytes[20];

    say(f, "%s_bytes as%u 0x%" G_GINT64_MODIFIER "x len %zu\n",
        how & 0x80 ? "write" : "read", (guint)(sp - f->spaces), addr, len);
    if (how & 0x80) {
        for (size_t i = 0; i < len; i++) {
            bytes[i] = next(f);
        }
        do_write(f, sp, addr, len, bytes, false);
        return;
    }

    OrrMemTxResult w = len == 0 ? ORR_MEMTX_ACCESS_ERROR
                                : predict_read(f, sp, addr, len, want);

    memset(got, 0xa5, sizeof(got));

    OrrMemTxResult res = orr_address_space_read_bytes(sp->as, addr, got, len);

    if (res != w || (len > 0 && memcmp(got, want, len) != 0)) {
        fail(f,
             "read_bytes of %zu at 0x%" G_GINT64_MODIFIER "x: expected %s, "
             "got %s, or other bytes",
             len, addr, orr_memtx_result_name(w), orr_memtx_result_name(res));
    }
}

typedef enum {
    OP_NEW,
    OP_ADD,
    OP_DEL,
    OP_ENABLED,
    OP_READONLY,
    OP_PRIORITY,
    OP_ADDRESS,
    OP_ALIAS_OFFSET,
    OP_BEGIN,
    OP_COMMIT,
    OP_RELEASE,
    OP_OWNER,
    OP_SPACE,
    OP_READ,
    OP_WRITE,
    OP_BYTES,
} Op;

/* The opcode byte, mod 32, picks a step; the common ones more often. */
static const Op op_table[32] = {
    OP_NEW,     OP_NEW,     OP_NEW,          OP_ADD,      OP_ADD,
    OP_ADD,     OP_ADD,     OP_ADD,          OP_DEL,      OP_DEL,
    OP_ENABLED, OP_ENABLED, OP_READONLY,     OP_PRIORITY, OP_PRIORITY,
    OP_ADDRESS, OP_ADDRESS, OP_ALIAS_OFFSET, OP_BEGIN,    OP_BEGIN,
    OP_COMMIT,  OP_COMMIT,  OP_RELEASE,      OP_RELEASE,  OP_OWNER,
    OP_SPACE,   OP_SPACE,   OP_READ,         OP_READ,     OP_WRITE,
    OP_WRITE,   OP_BYTES,
};

static void run_step(Fuzz *f)
{
    say(f, "%u: ", f->step);
    switch (op_table[next(f) % G_N_ELEMENTS(op_table)]) {
    case OP_NEW:
        step_new(f);
        break;
    case OP_ADD:
        step_add(f);
        break;
    case OP_DEL:
        step_del(f);
        break;
    case OP_ENABLED:
        step_set(f, 0);
        break;
    case OP_READONLY:
        step_set(f, 1);
        break;
    case OP_PRIORITY:
        step_set(f, 2);
        break;
    case OP_ADDRESS:
        step_set_address(f);
        break;
    case OP_ALIAS_OFFSET:
        step_set_alias_offset(f);
        break;
    case OP_BEGIN:
        step_transaction(f, true);
        break;
    case OP_COMMIT:
        step_transaction(f, false);
        break;
    case OP_RELEASE:
        step_release(f);
        break;
    case OP_OWNER:
        step_owner(f);
        break;
    case OP_SPACE:
        step_space(f);
        break;
    case OP_READ:
        step_read(f);
        break;
    case OP_WRITE:
        step_write(f);
        break;
    case OP_BYTES:
        step_bytes(f);
        break;
    }
    if (f->log->len > 0 && f->log->str[f->log->len - 1] != '\n') {
        g_string_append_c(f->log, '\n'); /* a step that did nothing */
    }
}

/* --- Teardown ------------------------------------------------------------- */

/*
 * Commits what is open, releases what the program holds, cuts every owned
 * region that is still alive out of its owner (each step checked like a
 * program step), drops the address spaces, and then requires that no
 * object is left.
 */
static void teardown(Fuzz *f)
{
    say(f, "teardown:\n");
    while (f->tx_depth > 0) {
        step_transaction(f, false);
        check_all(f);
    }
    for (guint i = 0; i < f->n_regs; i++) {
        if (f->regs[i].held) {
            release(f, &f->regs[i]);
            check_all(f);
        }
    }
    for (guint k = 0; k < MAX_OWNERS; k++) {
        if (f->owners[k] != NULL) {
            drop_owner(f, k);
            check_all(f);
        }
    }
    for (guint i = 0; i < f->n_regs; i++) {
        Reg *r = &f->regs[i];
        if (r->alive && r->owner != NULL && !r->orphaned) {
            say(f, "cut ");
            release(f, r);
            check_all(f);
        }
    }
    for (guint k = 0; k < MAX_SPACES; k++) {
        if (f->spaces[k].as != NULL) {
            drop_space(f, k);
        }
    }
    if (orr_live_count(NULL) != 0) {
        g_autofree char *report = orr_live_format_report();
        g_autoptr(GPtrArray) cycles = orr_live_find_cycles();
        fail(f, "%u objects left after teardown (%u cycles):\n%s",
             orr_live_count(NULL), cycles->len, report);
    }
}

/* --- libFuzzer entry points ----------------------------------------------- */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Registers the types: the only state kept from one input to the next. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    orr_core_init();
    orr_memory_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz *f = g_new0(Fuzz, 1);

    f->data = data;
    f->len = size;
    f->rng = 0x9e3779b97f4a7c15u;
    f->log = g_string_new(NULL);
    if (orr_live_count(NULL) != 0) {
        fail(f, "objects alive before the input");
    }
    f->hook = orr_live_add_finalize_hook(on_finalize, f, NULL);
    for (guint k = 0; k < MAX_OWNERS; k++) {
        f->owners[k] = orr_object_new(ORR_TYPE_CONTAINER, NULL);
    }
    while (f->pos < f->len && f->step < MAX_STEPS) {
        run_step(f);
        check_all(f);
        f->step++;
    }
    teardown(f);
    if (g_getenv("FUZZ_MEMORY_LOG") != NULL) {
        fputs(f->log->str, stderr);
    }
    orr_live_remove_finalize_hook(f->hook);
    g_string_free(f->log, TRUE);
    g_free(f);
    return 0;
}
