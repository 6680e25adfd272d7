/*
 * orrery unit tests — shared helpers.
 */
#include "test-util.h"
#include "refview.h"

static GPtrArray *test_log;

void orr_test_init(int *argc, char ***argv)
{
    g_test_init(argc, argv, NULL);
    orr_core_init();
}

void orr_test_assert_no_live_objects(void)
{
    g_autofree char *report = orr_live_format_report();

    if (report != NULL) {
        g_test_message("%s", report);
    }
    g_assert_cmpuint(orr_live_count(NULL), ==, 0);
}

OrrObject *orr_test_new_object(const char *type)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_object_new(type, &err);

    g_assert_no_error(err);
    g_assert_nonnull(obj);
    return obj;
}

OrrObject *orr_test_add_new_child(OrrObject *parent, const char *type,
                                  const char *name)
{
    g_autoptr(GError) err = NULL;
    OrrObject *obj = orr_test_new_object(type);

    g_assert_cmpstr(orr_object_add_child(parent, name, obj, &err), ==, name);
    g_assert_no_error(err);
    orr_object_unref(obj); /* @parent's reference remains */
    return obj;
}

char *orr_test_join(GPtrArray *strings, const char *sep)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < strings->len; i++) {
        g_string_append_printf(s, "%s%s", i ? sep : "",
                               (const char *)strings->pdata[i]);
    }
    return g_string_free(s, FALSE);
}

char *orr_test_holders_text(OrrObject *obj)
{
    g_autoptr(GPtrArray) holders = orr_object_list_holders(obj);

    return orr_test_join(holders, "|");
}

OrrMemoryRegion *orr_test_new_container(OrrObject *owner, const char *name,
                                        uint64_t size)
{
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *mr =
        orr_memory_region_new_container(owner, name, size, &err);

    g_assert_no_error(err);
    g_assert_nonnull(mr);
    return mr;
}

OrrMemoryRegion *orr_test_new_ram(OrrObject *owner, const char *name,
                                  uint64_t size)
{
    g_autoptr(GError) err = NULL;
    OrrMemoryRegion *mr = orr_memory_region_new_ram(owner, name, size, &err);

    g_assert_no_error(err);
    g_assert_nonnull(mr);
    return mr;
}

OrrAddressSpace *orr_test_new_address_space(OrrObject *owner, const char *name,
                                            OrrMemoryRegion *root)
{
    g_autoptr(GError) err = NULL;
    OrrAddressSpace *as = orr_address_space_new(owner, name, root, &err);

    g_assert_no_error(err);
    g_assert_nonnull(as);
    return as;
}

void orr_test_add_subregion(OrrMemoryRegion *mr, uint64_t offset,
                            OrrMemoryRegion *sub)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_memory_region_add_subregion(mr, offset, sub, &err));
    g_assert_no_error(err);
}

void orr_test_log(const char *fmt, ...)
{
    va_list ap;

    if (test_log == NULL) {
        test_log = g_ptr_array_new_with_free_func(g_free);
    }
    va_start(ap, fmt);
    g_ptr_array_add(test_log, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

char *orr_test_log_take(void)
{
    char *joined;

    if (test_log == NULL) {
        return g_strdup("");
    }
    g_ptr_array_add(test_log, NULL);
    joined = g_strjoinv(", ", (char **)test_log->pdata);
    g_ptr_array_unref(test_log);
    test_log = NULL;
    return joined;
}

void orr_test_log_clear(void)
{
    g_clear_pointer(&test_log, g_ptr_array_unref);
}

guint orr_test_log_len(void)
{
    return test_log != NULL ? test_log->len : 0;
}

const char *orr_test_log_get(guint i)
{
    return i < orr_test_log_len() ? test_log->pdata[i] : NULL;
}

gint orr_test_log_find(const char *entry)
{
    for (guint i = 0; i < orr_test_log_len(); i++) {
        if (g_str_equal(test_log->pdata[i], entry)) {
            return (gint)i;
        }
    }
    return -1;
}

guint orr_test_log_count_prefix(const char *prefix)
{
    guint n = 0;

    for (guint i = 0; i < orr_test_log_len(); i++) {
        n += g_str_has_prefix(test_log->pdata[i], prefix);
    }
    return n;
}

char *orr_test_log_join(guint n)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < n && i < orr_test_log_len(); i++) {
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               (const char *)test_log->pdata[i]);
    }
    return g_string_free(s, FALSE);
}

/* Asserts that the log (with @prefix, its first entries) is the
 * NULL-terminated list @first, @ap. */
static void assert_events(bool prefix, const char *first, va_list ap)
{
    GString *want = g_string_new(NULL);
    guint n = 0;

    for (const char *e = first; e != NULL; e = va_arg(ap, const char *)) {
        g_string_append_printf(want, "%s%s", n++ ? ", " : "", e);
    }
    g_autofree char *got = orr_test_log_join(prefix ? n : orr_test_log_len());
    g_assert_cmpstr(got, ==, want->str);
    g_string_free(want, TRUE);
}

void orr_test_assert_events(const char *first, ...)
{
    va_list ap;

    va_start(ap, first);
    assert_events(false, first, ap);
    va_end(ap);
}

void orr_test_assert_events_prefix(const char *first, ...)
{
    va_list ap;

    va_start(ap, first);
    assert_events(true, first, ap);
    va_end(ap);
}

char *orr_test_flat_text(OrrAddressSpace *as)
{
    g_autoptr(GArray) ranges = orr_address_space_get_flat_ranges(as);

    /* The reference renderer's format, but an empty view is "". */
    return ranges->len > 0 ? ref_format_ranges(ranges) : g_strdup("");
}
