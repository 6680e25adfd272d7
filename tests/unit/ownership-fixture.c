/*
 * orrery unit tests — the test devices and helpers that the memory
 * ownership tests share (ownership-fixture.h).
 */
#include "ownership-fixture.h"

MoDropSeen mo_cb;
guint mo_dev_finalized;
bool mo_log_regions;

/* --- Small helpers -------------------------------------------------------- */

void mo_unmap(OrrMemoryRegion *c, OrrMemoryRegion *sub)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_memory_region_del_subregion(c, sub, &err));
    g_assert_no_error(err);
}

bool mo_has_holder(const void *obj, const char *prefix)
{
    g_autoptr(GPtrArray) infos = orr_live_list(NULL);

    for (guint i = 0; i < infos->len; i++) {
        OrrLiveInfo *info = infos->pdata[i];
        if (info->object != obj) {
            continue;
        }
        for (guint j = 0; j < info->holders->len; j++) {
            if (g_str_has_prefix(info->holders->pdata[j], prefix)) {
                return true;
            }
        }
    }
    return false;
}

char *mo_cycles_text(void)
{
    g_autoptr(GPtrArray) cycles = orr_live_find_cycles();
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < cycles->len; i++) {
        GPtrArray *cycle = cycles->pdata[i];
        g_autofree char *line = orr_test_join(cycle, " | ");
        g_string_append_printf(s, "%s\n", line);
    }
    return g_string_free(s, FALSE);
}

/* A device's label, or an object's (last) name. */
static const char *owner_name(OrrObject *owner)
{
    const char *name;

    if (owner != NULL && orr_object_is_a(owner, TYPE_BASE)) {
        return ((MoDev *)owner)->label;
    }
    name = owner ? orr_object_get_name(owner) : NULL;
    return name ? name : "-";
}

char *mo_flat_text(OrrAddressSpace *as)
{
    g_autoptr(GArray) ranges = orr_address_space_get_flat_ranges(as);
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < ranges->len; i++) {
        const OrrFlatRange *r = &g_array_index(ranges, OrrFlatRange, i);
        OrrObject *owner = orr_memory_region_get_owner(r->region);
        g_string_append_printf(
            s, "%s%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %s.%s",
            i ? " " : "", r->start, r->last, owner_name(owner),
            orr_memory_region_get_name(r->region));
    }
    return g_string_free(s, FALSE);
}

/* --- The test types ------------------------------------------------------- */

static void regs_access(MoDev *td)
{
    g_autoptr(GError) err = NULL;

    if (!td->drop_self) {
        return;
    }
    td->drop_self = false;
    mo_cb.runs++;

    guint before = mo_dev_finalized;
    OrrMemoryRegion *c = orr_memory_region_get_container(td->regs);

    g_assert_nonnull(c);
    g_assert_true(orr_memory_region_del_subregion(c, td->regs, &err));
    g_assert_no_error(err);
    orr_object_unparent(OBJ(td));
    if (td->nested_as != NULL) {
        mo_cb.nested_val = 0xdead;
        mo_cb.nested_res = orr_address_space_read(
            td->nested_as, td->nested_addr, 4, &mo_cb.nested_val);
    }
    /* Both are still allocated and whole (valgrind/ASan check the reads). */
    mo_cb.whole = orr_object_get_state(OBJ(td)) == ORR_OBJECT_LIVE &&
                  orr_object_get_parent(OBJ(td)) == NULL &&
                  g_str_equal(orr_memory_region_get_name(td->regs), "regs") &&
                  orr_memory_region_get_owner(td->regs) == OBJ(td) &&
                  orr_memory_region_get_container(td->regs) == NULL;
    mo_cb.finalized_during = mo_dev_finalized != before;
}

static uint64_t regs_read(void *opaque, uint64_t offset, unsigned size)
{
    regs_access(opaque);
    return REGS_VALUE;
}

static void regs_write(void *opaque, uint64_t offset, uint64_t value,
                       unsigned size)
{
    regs_access(opaque);
}

static const OrrMemoryOps regs_ops = {
    .read = regs_read,
    .write = regs_write,
    .valid = {.max_access_size = 4},
    .impl = {.max_access_size = 4},
};

static void make_regions(MoDev *td)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = OBJ(td);

    td->box = orr_test_new_container(obj, "box", BOX_SIZE);
    td->ram = orr_test_new_ram(obj, "ram", RAM_SIZE);
    td->regs =
        orr_memory_region_new_io(obj, "regs", REGS_SIZE, &regs_ops, td, &err);
    g_assert_no_error(err);
}

static void wire_regions(MoDev *td)
{
    orr_test_add_subregion(td->box, 0, td->ram);
    orr_test_add_subregion(td->box, REGS_AT, td->regs);
}

static void dev_instance_init(OrrObject *obj)
{
    make_regions((MoDev *)obj);
}

static void init_map_post_init(OrrObject *obj)
{
    MoDev *td = (MoDev *)obj;
    g_autoptr(GError) err = NULL;

    td->init_mapped =
        orr_memory_region_add_subregion(td->box, 0, td->ram, &err);
    if (err != NULL) {
        g_strlcpy(td->init_error, err->message, sizeof(td->init_error));
    }
}

static bool base_realize(OrrDevice *dev, GError **errp)
{
    MoDev *td = (MoDev *)dev;

    if (td->box == NULL) {
        make_regions(td);
        wire_regions(td);
    }
    if (td->map_box_into != NULL) {
        orr_test_add_subregion(td->map_box_into, td->map_box_at, td->box);
    }
    if (td->pull_in != NULL) {
        orr_test_add_subregion(td->box, td->pull_in_at, td->pull_in);
    }
    if (td->add_late) {
        OrrMemoryRegion *late = orr_test_new_ram(OBJ(dev), "late", 0x10);
        g_assert_nonnull(td->map_box_into);
        orr_test_add_subregion(td->map_box_into, td->map_box_at + BOX_SIZE,
                               late);
    }
    if (td->fail_realize) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_FAILED, "boom");
        return false;
    }
    return true;
}

/* The regions are intact while instance_finalize runs (object-model.md,
 * section 5). */
static void base_instance_finalize(OrrObject *obj)
{
    MoDev *td = (MoDev *)obj;

    if (td->box != NULL) {
        g_assert_true(orr_object_get_child(obj, "box") == OBJ(td->box));
        g_assert_cmpint(orr_object_get_state(OBJ(td->box)), ==,
                        ORR_OBJECT_LIVE);
        g_assert_true(orr_memory_region_get_owner(td->box) == obj);
    }
}

static void base_class_init(OrrObjectClass *klass, const void *data)
{
    ORR_DEVICE_CLASS(klass)->realize = base_realize;
}

static void on_finalize(const OrrFinalizeEvent *ev, void *data)
{
    if (orr_object_is_a(ev->object, TYPE_BASE)) {
        mo_dev_finalized++;
        orr_test_log("finalize %s", ((MoDev *)ev->object)->label);
    } else if (mo_log_regions &&
               orr_object_is_a(ev->object, ORR_TYPE_MEMORY_REGION)) {
        orr_test_log("finalize %s", ev->path ? ev->path : "?");
    }
}

void mo_register_types(void)
{
    static const OrrTypeInfo types[] = {
        {.name = TYPE_BASE,
         .parent = ORR_TYPE_DEVICE,
         .abstract = true,
         .instance_size = sizeof(MoDev),
         .class_init = base_class_init,
         .instance_finalize = base_instance_finalize},
        {.name = TYPE_DEV,
         .parent = TYPE_BASE,
         .instance_init = dev_instance_init},
        {.name = TYPE_LATE_DEV, .parent = TYPE_BASE},
        {.name = TYPE_INIT_MAP_DEV,
         .parent = TYPE_DEV,
         .instance_post_init = init_map_post_init},
    };

    for (guint i = 0; i < G_N_ELEMENTS(types); i++) {
        g_autoptr(GError) err = NULL;
        g_assert_nonnull(orr_type_register(&types[i], &err));
        g_assert_no_error(err);
    }
    orr_live_add_finalize_hook(on_finalize, NULL, NULL);
}

/* --- Object helpers ------------------------------------------------------- */

OrrObject *mo_add_container(OrrObject *parent, const char *name)
{
    g_autoptr(GError) err = NULL;
    OrrObject *o = orr_object_new(ORR_TYPE_CONTAINER, &err);

    g_assert_no_error(err);
    g_assert_cmpstr(orr_object_add_child(parent, name, o, &err), ==, name);
    g_assert_no_error(err);
    orr_object_unref(o);
    return o;
}

MoBoard mo_add_board(const char *name)
{
    MoBoard b;

    b.obj = mo_add_container(orr_root(), name);
    b.sysmem = orr_test_new_container(b.obj, "sysmem", ORR_SIZE_2_64);
    b.memory = orr_test_new_address_space(b.obj, "memory", b.sysmem);
    return b;
}

MoDev *mo_dev_new(const char *type, const char *label)
{
    g_autoptr(GError) err = NULL;
    MoDev *td = (MoDev *)orr_object_new(type, &err);

    g_assert_no_error(err);
    g_assert_nonnull(td);
    g_strlcpy(td->label, label, sizeof(td->label));
    if (td->box != NULL && orr_memory_region_get_container(td->ram) == NULL) {
        wire_regions(td);
    }
    return td;
}

MoDev *mo_dev_add(OrrObject *parent, const char *type, const char *name)
{
    g_autoptr(GError) err = NULL;
    MoDev *td = mo_dev_new(type, name);

    g_assert_cmpstr(orr_object_add_child(parent, name, OBJ(td), &err), ==,
                    name);
    g_assert_no_error(err);
    orr_object_unref(OBJ(td));
    return td;
}

void mo_realize_ok(MoDev *td)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_device_realize((OrrDevice *)td, &err));
    g_assert_no_error(err);
}

void mo_begin(void)
{
    orr_test_log_clear();
    memset(&mo_cb, 0, sizeof(mo_cb));
    mo_log_regions = false;
}

void mo_end(void)
{
    orr_test_log_clear();
    mo_log_regions = false;
    mo_assert_cycles("");
    orr_test_assert_no_live_objects();
}
