/*
 * orrery unit tests — the fixture of the dispatch tests: the recording
 * device and the makers of maps (see dispatch-fixture.h).
 */
#include "dispatch-fixture.h"

#include "test-util.h"

/* --- A recording device --------------------------------------------------- */

static bool rec_big(const RecDev *d)
{
    return d->endian == ORR_ENDIAN_BIG ||
           (d->endian == ORR_ENDIAN_NATIVE && G_BYTE_ORDER == G_BIG_ENDIAN);
}

uint64_t disp_rec_read(void *opaque, uint64_t offset, unsigned size)
{
    RecDev *d = opaque;
    uint64_t v = 0;

    g_assert_cmpuint(offset + size, <=, sizeof d->mem);
    for (unsigned i = 0; i < size; i++) {
        uint64_t byte = d->mem[offset + i];
        v = rec_big(d) ? (v << 8) | byte : v | (byte << (8 * i));
    }
    orr_test_log("r " X64 "/%u", offset, size);
    return v;
}

void disp_rec_write(void *opaque, uint64_t offset, uint64_t value,
                    unsigned size)
{
    RecDev *d = opaque;

    g_assert_cmpuint(offset + size, <=, sizeof d->mem);
    orr_test_log("w " X64 "/%u=" X64, offset, size, value);
    for (unsigned i = 0; i < size; i++) {
        unsigned shift = rec_big(d) ? 8 * (size - 1 - i) : 8 * i;
        d->mem[offset + i] = (uint8_t)(value >> shift);
    }
}

bool disp_rec_accepts(void *opaque, uint64_t offset, unsigned size,
                      bool is_write)
{
    RecDev *d = opaque;

    orr_test_log("a " X64 "/%u/%c", offset, size, is_write ? 'w' : 'r');
    return !d->refuse_all && !(d->refuse_writes && is_write) &&
           !(d->refuse_at && offset == d->refuse_offset);
}

const OrrMemoryOps disp_ops_le8 = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 8},
};

const OrrMemoryOps disp_ops_accepts = {
    .read = disp_rec_read,
    .write = disp_rec_write,
    .accepts = disp_rec_accepts,
    .endianness = ORR_ENDIAN_LITTLE,
    .valid = {.max_access_size = 8},
    .impl = {.max_access_size = 8},
};

/* --- Building maps -------------------------------------------------------- */

OrrObject *disp_new_owner(const char *name)
{
    OrrObject *o = orr_object_new(ORR_TYPE_CONTAINER, NULL);

    g_assert_nonnull(orr_object_add_child(orr_root(), name, o, NULL));
    orr_object_unref(o);
    orr_test_log_clear();
    return o;
}

OrrObject *disp_new_child_owner(OrrObject *parent, const char *name)
{
    OrrObject *o = orr_object_new(ORR_TYPE_CONTAINER, NULL);

    g_assert_nonnull(orr_object_add_child(parent, name, o, NULL));
    orr_object_unref(o);
    return o;
}

OrrMemoryRegion *disp_io(OrrObject *owner, const char *name, uint64_t size,
                         const OrrMemoryOps *ops, void *opaque)
{
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *mr =
        orr_memory_region_new_io(owner, name, size, ops, opaque, &err);

    g_assert_no_error(err);
    g_assert_nonnull(mr);
    return mr;
}

uint8_t *disp_host(OrrMemoryRegion *mr)
{
    uint8_t *p = orr_memory_region_get_ram_ptr(mr);

    g_assert_nonnull(p);
    return p;
}

void disp_finish(OrrObject *o)
{
    orr_object_unparent(o);
    orr_test_log_clear();
    orr_test_assert_no_live_objects();
}
