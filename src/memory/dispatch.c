/*
 * orrery memory — dispatch: reads and writes through an address space's
 * flat view to RAM backings and MMIO ops.
 *
 * Every access runs inside an access epoch (access.c): the view it walks
 * and the lifetime unit of each region whose ops it calls stay alive until
 * the outermost access returns, whatever the callbacks do to the map or
 * their own device. Values on the bus are little-endian.
 */
#include "memory-internal.h"

const char *orr_memtx_result_name(OrrMemTxResult result)
{
    switch (result) {
    case ORR_MEMTX_OK:
        return "ok";
    case ORR_MEMTX_DECODE_ERROR:
        return "decode-error";
    case ORR_MEMTX_ACCESS_ERROR:
        return "access-error";
    }
    return "?";
}

static bool valid_size(unsigned size)
{
    return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Bus values are little-endian; @size is 1 to 8. */
static inline uint64_t load_le(const uint8_t *p, unsigned size)
{
    uint64_t v = 0;

    if (G_BYTE_ORDER == G_LITTLE_ENDIAN) {
        switch (size) {
        case 1:
            return *p;
        case 2:
            memcpy(&v, p, 2);
            return v;
        case 4:
            memcpy(&v, p, 4);
            return v;
        case 8:
            memcpy(&v, p, 8);
            return v;
        }
    }
    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

static inline void store_le(uint8_t *p, uint64_t v, unsigned size)
{
    if (G_BYTE_ORDER == G_LITTLE_ENDIAN) {
        switch (size) {
        case 1:
            *p = (uint8_t)v;
            return;
        case 2:
            memcpy(p, &v, 2);
            return;
        case 4:
            memcpy(p, &v, 4);
            return;
        case 8:
            memcpy(p, &v, 8);
            return;
        }
    }
    for (unsigned i = 0; i < size; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint64_t bswap_sized(uint64_t v, unsigned size)
{
    switch (size) {
    case 2:
        return GUINT16_SWAP_LE_BE((uint16_t)v);
    case 4:
        return GUINT32_SWAP_LE_BE((uint32_t)v);
    case 8:
        return GUINT64_SWAP_LE_BE(v);
    default:
        return v;
    }
}

static bool ops_big_endian(const OrrMemoryOps *ops)
{
    return ops->endianness == ORR_ENDIAN_BIG ||
           (ops->endianness == ORR_ENDIAN_NATIVE &&
            G_BYTE_ORDER == G_BIG_ENDIAN);
}

/* --- MMIO ----------------------------------------------------------------- */

/* Whether the bus accepts this access, per @ops->valid and accepts(). */
static bool mmio_valid(OrrMemoryRegion *mr, uint64_t offset, unsigned size,
                       bool is_write)
{
    const OrrMemoryOps *ops = mr->ops;

    if (size < orr__ops_valid_min(ops) || size > orr__ops_valid_max(ops)) {
        return false;
    }
    if (!ops->valid.unaligned && (offset & (size - 1)) != 0) {
        return false;
    }
    return ops->accepts == NULL ||
           ops->accepts(mr->opaque, offset, size, is_write);
}

/* One call of the ops, through the fallible variant when there is one;
 * a failed read gives 0. */
static inline OrrMemTxResult ops_read(OrrMemoryRegion *mr, uint64_t offset,
                                      unsigned size, uint64_t *value)
{
    const OrrMemoryOps *ops = mr->ops;

    if (ops->read_tx != NULL) {
        OrrMemTxResult r = ops->read_tx(mr->opaque, offset, size, value);
        if (r != ORR_MEMTX_OK) {
            *value = 0;
        }
        return r;
    }
    *value = ops->read(mr->opaque, offset, size);
    return ORR_MEMTX_OK;
}

static inline OrrMemTxResult ops_write(OrrMemoryRegion *mr, uint64_t offset,
                                       uint64_t value, unsigned size)
{
    const OrrMemoryOps *ops = mr->ops;

    if (ops->write_tx != NULL) {
        return ops->write_tx(mr->opaque, offset, value, size);
    }
    ops->write(mr->opaque, offset, value, size);
    return ORR_MEMTX_OK;
}

/*
 * Runs a valid access as the implementation wants it: split into impl.max
 * pieces, or widened to impl.min, combined in the device's byte order.
 * @value is in bus (little-endian) order on both sides. In big-endian
 * order the first byte is the most significant, so a widened piece holds
 * the accessed bytes at its top: its shift is negative.
 */
static OrrMemTxResult mmio_access(OrrMemoryRegion *mr, uint64_t offset,
                                  unsigned size, uint64_t *value, bool is_write)
{
    const OrrMemoryOps *ops = mr->ops;
    bool big = ops_big_endian(ops);
    OrrMemTxResult res = ORR_MEMTX_OK;

    if (!big && size >= orr__ops_impl_min(ops) &&
        size <= orr__ops_impl_max(ops)) {
        /* One call of the size asked for: the common case. */
        if (is_write) {
            return ops_write(mr, offset, *value, size);
        }
        uint64_t v;
        res = ops_read(mr, offset, size, &v);
        *value = v & orr__size_mask(size);
        return res;
    }

    unsigned step =
        MAX(MIN(size, orr__ops_impl_max(ops)), orr__ops_impl_min(ops));
    uint64_t mask = orr__size_mask(step);
    uint64_t v = is_write ? (big ? bswap_sized(*value, size) : *value) : 0;

    for (unsigned i = 0; i < size; i += step) {
        int shift = 8 * (big ? (int)size - (int)step - (int)i : (int)i);

        OrrMemTxResult r;

        if (is_write) {
            uint64_t part = shift >= 0 ? v >> shift : v << -shift;
            r = ops_write(mr, offset + i, part & mask, step);
        } else {
            uint64_t part;
            r = ops_read(mr, offset + i, step, &part);
            part &= mask;
            v |= shift >= 0 ? part << shift : part >> -shift;
        }
        if (res == ORR_MEMTX_OK) {
            res = r; /* the first failure; the other pieces still run */
        }
    }
    if (!is_write) {
        v &= orr__size_mask(size);
        *value = res != ORR_MEMTX_OK ? 0 : big ? bswap_sized(v, size) : v;
    }
    return res;
}

/*
 * A checked MMIO access through entry @e. The region's unit must outlive
 * the whole access epoch: the view holds it when the edge from its root
 * is owning (and the view outlives the epoch); otherwise the epoch takes a
 * hold now. A region that left its owner (still shown by a view retired
 * during this access) calls nothing.
 */
static OrrMemTxResult mmio_dispatch(const OrrFlatEntry *e, uint64_t offset,
                                    unsigned size, uint64_t *value,
                                    bool is_write)
{
    OrrMemoryRegion *mr = e->mr;

    if (mr->orphaned || !mmio_valid(mr, offset, size, is_write) ||
        (!e->unit_pinned &&
         !orr__access_hold(orr_object_get_lifetime_unit((OrrObject *)mr)))) {
        if (!is_write) {
            *value = 0;
        }
        return ORR_MEMTX_ACCESS_ERROR;
    }
    return mmio_access(mr, offset, size, value, is_write);
}

/* The largest access not above @len that the ops accept at @offset. */
static unsigned mmio_chunk(const OrrMemoryOps *ops, uint64_t offset, size_t len)
{
    unsigned l = (unsigned)MIN(len, (size_t)orr__ops_valid_max(ops));

    if (!ops->valid.unaligned && offset != 0) {
        l = MIN(l, 1u << g_bit_nth_lsf((gulong)offset, -1));
    }
    while (l & (l - 1)) {
        l &= l - 1; /* round down to a power of two */
    }
    return MAX(l, 1u);
}

/* --- One flat entry ------------------------------------------------------- */

/* Moves @len bytes at @offset of the entry's region to or from @buf. */
static OrrMemTxResult entry_rw(const OrrFlatEntry *e, uint64_t offset,
                               uint8_t *buf, size_t len, bool is_write)
{
    OrrMemoryRegion *mr = e->mr;
    OrrMemTxResult res = ORR_MEMTX_OK;

    if (is_write && e->readonly) {
        return ORR_MEMTX_ACCESS_ERROR;
    }
    if (is_write ? e->writes_backing : e->reads_backing) {
        if (is_write) {
            memcpy(mr->backing + offset, buf, len);
        } else {
            memcpy(buf, mr->backing + offset, len);
        }
        return ORR_MEMTX_OK;
    }
    while (len > 0) {
        unsigned l = mmio_chunk(mr->ops, offset, len);
        uint64_t v = is_write ? load_le(buf, l) : 0;
        OrrMemTxResult r = mmio_dispatch(e, offset, l, &v, is_write);

        if (!is_write) {
            store_le(buf, v, l);
        }
        if (res == ORR_MEMTX_OK) {
            res = r;
        }
        offset += l;
        buf += l;
        len -= l;
    }
    return res;
}

/* --- Byte strings --------------------------------------------------------- */

static OrrMemTxResult view_rw(OrrFlatView *view, uint64_t addr, uint8_t *buf,
                              size_t len, bool is_write)
{
    OrrMemTxResult res = ORR_MEMTX_OK;
    OrrU128 cur = addr;
    OrrU128 end = (OrrU128)addr + len;

    while (cur < end) {
        const OrrFlatEntry *e = orr__flatview_lookup(view, (uint64_t)cur);
        OrrMemTxResult r;
        size_t n;

        if (e == NULL) {
            /* Up to the next mapped byte, or the end. */
            OrrU128 next = MIN(end, orr__flatview_next_start(view, cur));
            n = (size_t)(next - cur);
            if (!is_write) {
                memset(buf, 0, n);
            }
            r = ORR_MEMTX_DECODE_ERROR;
        } else {
            n = (size_t)(MIN(end, e->end) - cur);
            r = entry_rw(e, e->offset + (uint64_t)(cur - e->start), buf, n,
                         is_write);
            if (r != ORR_MEMTX_OK && !is_write) {
                memset(buf, 0, n);
            }
        }
        if (res == ORR_MEMTX_OK) {
            res = r;
        }
        cur += n;
        buf += n;
    }
    return res;
}

static OrrMemTxResult as_rw_bytes(OrrAddressSpace *as, uint64_t addr,
                                  uint8_t *buf, size_t len, bool is_write)
{
    if (as == NULL || buf == NULL || len == 0) {
        return ORR_MEMTX_ACCESS_ERROR; /* nothing to move, nothing touched */
    }
    if ((OrrU128)addr + len > ORR_U128_2_64) {
        if (!is_write) {
            memset(buf, 0, len);
        }
        return ORR_MEMTX_DECODE_ERROR;
    }

    orr__access_enter();
    OrrMemTxResult r = view_rw(as->view, addr, buf, len, is_write);
    orr__access_exit();
    return r;
}

OrrMemTxResult orr_address_space_read_bytes(OrrAddressSpace *as, uint64_t addr,
                                            void *buf, size_t len)
{
    return as_rw_bytes(as, addr, buf, len, false);
}

OrrMemTxResult orr_address_space_write_bytes(OrrAddressSpace *as, uint64_t addr,
                                             const void *buf, size_t len)
{
    /* The write path never stores into @buf. */
    return as_rw_bytes(as, addr, (uint8_t *)buf, len, true);
}

/* --- Sized accesses ------------------------------------------------------- */

/* Loads or stores a bus value at @host. */
static inline void host_rw(uint8_t *host, unsigned size, uint64_t *value,
                           bool is_write)
{
    if (is_write) {
        store_le(host, *value, size);
    } else {
        *value = load_le(host, size);
    }
}

/* Host address = bias + bus address, inside entry @e (with a backing).
 * The bias wraps around: only addresses inside the entry are added. */
static uintptr_t entry_bias(const OrrFlatEntry *e)
{
    return (uintptr_t)(e->mr->backing + e->offset) -
           (uintptr_t)(uint64_t)e->start;
}

/* Remembers entry @e (which has a backing) in @c, for the directions
 * that go to the backing, when it is long enough for the window's bounds
 * check (8 bytes). */
static void ram_cache_fill(OrrRamCache *c, const OrrFlatEntry *e)
{
    if (e->end - e->start < 8) {
        return;
    }
    OrrRamWindow w = {
        .first = (uint64_t)e->start,
        .limit = (uint64_t)(e->end - e->start - 7),
        .bias = entry_bias(e),
    };
    static const OrrRamWindow empty = {.limit = 0};

    c->read = e->reads_backing ? w : empty;
    c->write = e->writes_backing && !e->readonly ? w : empty;
}

/* Puts the page of @addr in the TLB when all of it lies in entry @e
 * and its reads go to the backing (a page the TLB holds is readable; all
 * of RAM, ROM and ROM devices in ROMD mode are). */
static void tlb_fill_from(OrrAddressSpace *as, const OrrFlatEntry *e,
                          uint64_t addr)
{
    uint64_t page = addr & ~ORR__TLB_PAGE_MASK;

    if (!e->reads_backing || page < e->start ||
        (OrrU128)page + (ORR__TLB_PAGE_MASK + 1) > e->end) {
        return;
    }
    orr__tlb_fill(as, addr, entry_bias(e), e->writes_backing && !e->readonly);
}

/* Remembers MMIO entry @e in @c when its calls are simple (see
 * OrrMmioCache); otherwise leaves @c as it is. */
static void mmio_cache_fill(OrrMmioCache *c, const OrrFlatEntry *e)
{
    const OrrMemoryOps *ops = e->mr->ops;
    unsigned min = MAX(orr__ops_valid_min(ops), orr__ops_impl_min(ops));
    unsigned max = MIN(orr__ops_valid_max(ops), orr__ops_impl_max(ops));
    guint sizes = 0;

    if (e->mr->orphaned || ops_big_endian(ops) || ops->accepts != NULL) {
        return;
    }
    for (unsigned size = 1; size <= 8; size *= 2) {
        if (size >= min && size <= max && size <= e->end - e->start) {
            sizes |= 1u << size;
        }
    }
    if (sizes == 0) {
        return;
    }
    c->first = (uint64_t)e->start;
    c->span = (uint64_t)(e->end - 1 - e->start);
    c->read_sizes = !e->reads_backing ? sizes : 0;
    c->write_sizes = !e->writes_backing && !e->readonly ? sizes : 0;
    c->align_mask = ops->valid.unaligned ? 0 : UINT64_MAX;
    c->offset_bias = e->offset - (uint64_t)e->start;
    c->read = ops->read;
    c->write = ops->write;
    c->opaque = e->mr->opaque;
    c->mr = e->mr;
    c->hold = e->unit_pinned ? NULL
                             : orr_object_get_lifetime_unit((OrrObject *)e->mr);
    c->plain = c->hold == NULL && ops->read_tx == NULL && ops->write_tx == NULL;
    /* The inline path calls these unchecked; check_ops() made sure that
     * ops without _tx calls have both. */
    g_assert(!c->plain || (c->read != NULL && c->write != NULL));
}

static G_GNUC_NO_INLINE OrrMemTxResult as_rw_sized_slow(OrrAddressSpace *as,
                                                        uint64_t addr,
                                                        unsigned size,
                                                        uint64_t *value,
                                                        bool is_write)
{
    if (!valid_size(size)) {
        if (!is_write) {
            *value = 0;
        }
        return ORR_MEMTX_ACCESS_ERROR;
    }

    if ((OrrU128)addr + size > ORR_U128_2_64) {
        if (!is_write) {
            *value = 0;
        }
        return ORR_MEMTX_DECODE_ERROR;
    }

    OrrFlatView *view = as->view;
    const OrrFlatEntry *e = orr__flatview_lookup(view, addr);
    bool inside = e != NULL && (OrrU128)addr + size <= e->end;

    /* Inside one RAM or ROM entry: remember it, then load or store. */
    if (inside &&
        (is_write ? e->writes_backing && !e->readonly : e->reads_backing)) {
        uint8_t *host =
            e->mr->backing + e->offset + (addr - (uint64_t)e->start);

        ram_cache_fill(&as->head.ram, e);
        tlb_fill_from(as, e, addr);
        host_rw(host, size, value, is_write);
        return ORR_MEMTX_OK;
    }

    OrrMemTxResult r;

    orr__access_enter(); /* @as may die in a callback; @view may not */
    if (inside && !(is_write ? e->writes_backing : e->reads_backing) &&
        !(is_write && e->readonly)) {
        /* Before the call: an update it makes empties the cache. */
        mmio_cache_fill(&as->head.mmio, e);
        r = mmio_dispatch(e, e->offset + (addr - (uint64_t)e->start), size,
                          value, is_write);
    } else {
        uint8_t bytes[8];

        if (is_write) {
            store_le(bytes, *value, size);
        }
        r = view_rw(view, addr, bytes, size, is_write);
        if (!is_write) {
            *value = load_le(bytes, size);
        }
    }
    orr__access_exit();
    return r;
}

/*
 * An access the MMIO cache serves (see OrrMmioCache): one call of the
 * region's ops, inside the access epoch.
 *
 * A unit the view does not hold is held for the access, so that the ops'
 * opaque outlives a callback that drops it; a region orphaned since it
 * was cached is not called.
 */
static G_GNUC_NO_INLINE OrrMemTxResult mmio_cached_rw(const OrrMmioCache *m,
                                                      uint64_t addr,
                                                      unsigned size,
                                                      uint64_t *value,
                                                      bool is_write)
{
    OrrMemoryRegion *mr = m->mr;
    uint64_t offset = addr + m->offset_bias;
    OrrMemTxResult r = ORR_MEMTX_ACCESS_ERROR;

    orr__access_enter();
    if (!mr->orphaned && (m->hold == NULL || orr__access_hold(m->hold))) {
        if (is_write) {
            r = ops_write(mr, offset, *value, size);
        } else {
            r = ops_read(mr, offset, size, value);
            *value &= orr__size_mask(size);
        }
    } else if (!is_write) {
        *value = 0;
    }
    orr__access_exit();
    return r;
}

/*
 * The same for the common case, a region the view holds with plain
 * callbacks (no _tx): the call with nothing around it but the epoch
 * (orr__mmio_cache_read() of the header, as the inline path makes it).
 * Anything else goes to mmio_cached_rw(). A cache never holds an orphan
 * with plain calls: orphaning empties it (orr__address_spaces_forget_mmio).
 */
static inline OrrMemTxResult mmio_cached_read(const OrrMmioCache *m,
                                              uint64_t addr, unsigned size,
                                              uint64_t *value)
{
    if (G_UNLIKELY(!m->plain)) {
        return mmio_cached_rw(m, addr, size, value, false);
    }
    g_assert(!m->mr->orphaned);
    *value = orr__mmio_cache_read(m, addr, size);
    return ORR_MEMTX_OK;
}

static inline OrrMemTxResult mmio_cached_write(const OrrMmioCache *m,
                                               uint64_t addr, unsigned size,
                                               uint64_t value)
{
    if (G_UNLIKELY(!m->plain)) {
        return mmio_cached_rw(m, addr, size, &value, true);
    }
    g_assert(!m->mr->orphaned);
    orr__mmio_cache_write(m, addr, size, value);
    return ORR_MEMTX_OK;
}

/*
 * A sized access inside one entry goes to the region whole (one MMIO
 * call of @size); one that straddles entries is done as bytes.
 *
 * The hot path, after the inline one of the header: the MMIO range hit
 * last, when its calls are simple (one call); then the RAM range and the
 * TLB, again for callers of the exported functions.
 */
static inline OrrMemTxResult as_rw_sized(OrrAddressSpace *as, uint64_t addr,
                                         unsigned size, uint64_t *value,
                                         bool is_write)
{
    const OrrMmioCache *m = &as->head.mmio;

    if (orr__mmio_cache_serves(m, addr, size, is_write)) {
        return is_write ? mmio_cached_write(m, addr, size, *value)
                        : mmio_cached_read(m, addr, size, value);
    }

    if (is_write ? orr__write_cached(&as->head, addr, size, *value)
                 : orr__read_cached(&as->head, addr, size, value)) {
        return ORR_MEMTX_OK;
    }
    return as_rw_sized_slow(as, addr, size, value, is_write);
}

/* The exported functions; callers compiled against the header take the
 * inline path there first. */
OrrMemTxResult(orr_address_space_read)(OrrAddressSpace *as, uint64_t addr,
                                       unsigned size, uint64_t *value)
{
    if (G_UNLIKELY(as == NULL || value == NULL)) {
        if (value != NULL) {
            *value = 0;
        }
        return ORR_MEMTX_ACCESS_ERROR;
    }
    return as_rw_sized(as, addr, size, value, false);
}

OrrMemTxResult(orr_address_space_write)(OrrAddressSpace *as, uint64_t addr,
                                        unsigned size, uint64_t value)
{
    if (G_UNLIKELY(as == NULL)) {
        return ORR_MEMTX_ACCESS_ERROR;
    }
    return as_rw_sized(as, addr, size, &value, true);
}
