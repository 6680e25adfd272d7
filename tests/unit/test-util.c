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

char *orr_test_flat_text(OrrAddressSpace *as)
{
    g_autoptr(GArray) ranges = orr_address_space_get_flat_ranges(as);

    /* The reference renderer's format, but an empty view is "". */
    return ranges->len > 0 ? ref_format_ranges(ranges) : g_strdup("");
}
