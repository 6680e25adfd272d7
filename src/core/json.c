/*
 * orrery core — JSON text of GVariant values (see orrery/json.h).
 */
#include <math.h>
#include "orrery/json.h"

typedef struct JsonOut {
    GString *out;
    gboolean pretty;
} JsonOut;

static void write_value(JsonOut *j, GVariant *v, guint level);

static void newline(JsonOut *j, guint level)
{
    if (j->pretty) {
        g_string_append_c(j->out, '\n');
        for (guint i = 0; i < level; i++) {
            g_string_append(j->out, "  ");
        }
    }
}

static void write_string(JsonOut *j, const char *s)
{
    g_string_append_c(j->out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':
            g_string_append(j->out, "\\\"");
            break;
        case '\\':
            g_string_append(j->out, "\\\\");
            break;
        case '\n':
            g_string_append(j->out, "\\n");
            break;
        case '\t':
            g_string_append(j->out, "\\t");
            break;
        case '\r':
            g_string_append(j->out, "\\r");
            break;
        default:
            if (*p < 0x20) {
                g_string_append_printf(j->out, "\\u%04x", *p);
            } else {
                g_string_append_c(j->out, (char)*p);
            }
        }
    }
    g_string_append_c(j->out, '"');
}

/* An a{s*}: a JSON object, keys in the order given. */
static void write_object(JsonOut *j, GVariant *dict, guint level)
{
    gsize n = g_variant_n_children(dict);

    g_string_append_c(j->out, '{');
    for (gsize i = 0; i < n; i++) {
        g_autoptr(GVariant) entry = g_variant_get_child_value(dict, i);
        g_autoptr(GVariant) key = g_variant_get_child_value(entry, 0);
        g_autoptr(GVariant) val = g_variant_get_child_value(entry, 1);

        if (i > 0) {
            g_string_append_c(j->out, ',');
        }
        newline(j, level + 1);
        write_string(j, g_variant_get_string(key, NULL));
        g_string_append(j->out, j->pretty ? ": " : ":");
        write_value(j, val, level + 1);
    }
    if (n > 0) {
        newline(j, level);
    }
    g_string_append_c(j->out, '}');
}

/* Arrays, tuples and dictionary entries with other keys: a JSON array. */
static void write_array(JsonOut *j, GVariant *container, guint level)
{
    gsize n = g_variant_n_children(container);

    g_string_append_c(j->out, '[');
    for (gsize i = 0; i < n; i++) {
        g_autoptr(GVariant) child = g_variant_get_child_value(container, i);

        if (i > 0) {
            g_string_append_c(j->out, ',');
        }
        newline(j, level + 1);
        write_value(j, child, level + 1);
    }
    if (n > 0) {
        newline(j, level);
    }
    g_string_append_c(j->out, ']');
}

static void write_double(JsonOut *j, double d)
{
    if (!isfinite(d)) {
        g_string_append(j->out, "null"); /* JSON has no NaN or infinity */
        return;
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(j->out, g_ascii_dtostr(buf, sizeof(buf), d));
}

static void write_value(JsonOut *j, GVariant *v, guint level)
{
    const GVariantType *t = g_variant_get_type(v);

    switch (g_variant_classify(v)) {
    case G_VARIANT_CLASS_BOOLEAN:
        g_string_append(j->out, g_variant_get_boolean(v) ? "true" : "false");
        return;
    case G_VARIANT_CLASS_BYTE:
        g_string_append_printf(j->out, "%u", g_variant_get_byte(v));
        return;
    case G_VARIANT_CLASS_INT16:
        g_string_append_printf(j->out, "%d", g_variant_get_int16(v));
        return;
    case G_VARIANT_CLASS_UINT16:
        g_string_append_printf(j->out, "%u", g_variant_get_uint16(v));
        return;
    case G_VARIANT_CLASS_INT32:
        g_string_append_printf(j->out, "%d", g_variant_get_int32(v));
        return;
    case G_VARIANT_CLASS_UINT32:
        g_string_append_printf(j->out, "%u", g_variant_get_uint32(v));
        return;
    case G_VARIANT_CLASS_HANDLE:
        g_string_append_printf(j->out, "%d", g_variant_get_handle(v));
        return;
    case G_VARIANT_CLASS_INT64:
        g_string_append_printf(j->out, "%" G_GINT64_FORMAT,
                               g_variant_get_int64(v));
        return;
    case G_VARIANT_CLASS_UINT64:
        g_string_append_printf(j->out, "%" G_GUINT64_FORMAT,
                               g_variant_get_uint64(v));
        return;
    case G_VARIANT_CLASS_DOUBLE:
        write_double(j, g_variant_get_double(v));
        return;
    case G_VARIANT_CLASS_STRING:
    case G_VARIANT_CLASS_OBJECT_PATH:
    case G_VARIANT_CLASS_SIGNATURE:
        write_string(j, g_variant_get_string(v, NULL));
        return;
    case G_VARIANT_CLASS_VARIANT: {
        g_autoptr(GVariant) inner = g_variant_get_variant(v);
        write_value(j, inner, level);
        return;
    }
    case G_VARIANT_CLASS_MAYBE: {
        g_autoptr(GVariant) inner = g_variant_get_maybe(v);
        if (inner == NULL) {
            g_string_append(j->out, "null");
        } else {
            write_value(j, inner, level);
        }
        return;
    }
    case G_VARIANT_CLASS_ARRAY:
        if (g_variant_type_is_dict_entry(g_variant_type_element(t)) &&
            g_variant_type_equal(g_variant_type_key(g_variant_type_element(t)),
                                 G_VARIANT_TYPE_STRING)) {
            write_object(j, v, level);
        } else {
            write_array(j, v, level);
        }
        return;
    case G_VARIANT_CLASS_TUPLE:
    case G_VARIANT_CLASS_DICT_ENTRY:
        write_array(j, v, level);
        return;
    }
    g_assert_not_reached();
}

char *orr_variant_to_json(GVariant *value, gboolean pretty)
{
    g_return_val_if_fail(value != NULL, NULL);

    JsonOut j = {.out = g_string_new(NULL), .pretty = pretty};

    write_value(&j, value, 0);
    return g_string_free(j.out, FALSE);
}
