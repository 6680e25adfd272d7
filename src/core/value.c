/*
 * orrery core — tagged values (OrrValue).
 */
#include "core-internal.h"

void orr_value_clear(OrrValue *v)
{
    if (v->type == ORR_VALUE_STRING) {
        g_free(v->s);
    }
    memset(v, 0, sizeof(*v));
    v->type = ORR_VALUE_NONE;
}

void orr_value_set_bool(OrrValue *v, bool b)
{
    orr_value_clear(v);
    v->type = ORR_VALUE_BOOL;
    v->b = b;
}

void orr_value_set_int(OrrValue *v, int64_t i)
{
    orr_value_clear(v);
    v->type = ORR_VALUE_INT;
    v->i = i;
}

void orr_value_set_uint(OrrValue *v, uint64_t u)
{
    orr_value_clear(v);
    v->type = ORR_VALUE_UINT;
    v->u = u;
}

void orr_value_set_double(OrrValue *v, double d)
{
    orr_value_clear(v);
    v->type = ORR_VALUE_DOUBLE;
    v->d = d;
}

void orr_value_take_string(OrrValue *v, char *s)
{
    orr_value_clear(v);
    if (s != NULL) {
        v->type = ORR_VALUE_STRING;
        v->s = s;
    }
}

void orr_value_set_string(OrrValue *v, const char *s)
{
    orr_value_take_string(v, g_strdup(s));
}

void orr_value_set_object(OrrValue *v, OrrObject *o)
{
    orr_value_clear(v);
    if (o != NULL) {
        v->type = ORR_VALUE_OBJECT;
        v->o = o; /* NOREF: values borrow objects, see value.h */
    }
}

void orr_value_copy(OrrValue *dst, const OrrValue *src)
{
    if (dst == src) {
        return;
    }
    if (src->type == ORR_VALUE_STRING) {
        orr_value_set_string(dst, src->s);
        return;
    }
    orr_value_clear(dst);
    *dst = *src;
}

bool orr_value_equal(const OrrValue *a, const OrrValue *b)
{
    if (a->type != b->type) {
        return false;
    }
    switch (a->type) {
    case ORR_VALUE_NONE:
        return true;
    case ORR_VALUE_BOOL:
        return a->b == b->b;
    case ORR_VALUE_INT:
        return a->i == b->i;
    case ORR_VALUE_UINT:
        return a->u == b->u;
    case ORR_VALUE_DOUBLE:
        return a->d == b->d;
    case ORR_VALUE_STRING:
        return g_strcmp0(a->s, b->s) == 0;
    case ORR_VALUE_OBJECT:
        return a->o == b->o;
    }
    g_assert_not_reached();
}

const char *orr_value_type_name(OrrValueType type)
{
    static const char *const names[] = {
        [ORR_VALUE_NONE] = "none",     [ORR_VALUE_BOOL] = "bool",
        [ORR_VALUE_INT] = "int",       [ORR_VALUE_UINT] = "uint",
        [ORR_VALUE_DOUBLE] = "double", [ORR_VALUE_STRING] = "string",
        [ORR_VALUE_OBJECT] = "object",
    };
    g_return_val_if_fail((unsigned)type < G_N_ELEMENTS(names), "?");
    return names[type];
}

char *orr_value_to_string(const OrrValue *v)
{
    switch (v->type) {
    case ORR_VALUE_NONE:
        return g_strdup("<none>");
    case ORR_VALUE_BOOL:
        return g_strdup(v->b ? "true" : "false");
    case ORR_VALUE_INT:
        return g_strdup_printf("%" G_GINT64_FORMAT, (gint64)v->i);
    case ORR_VALUE_UINT:
        return g_strdup_printf("%" G_GUINT64_FORMAT, (guint64)v->u);
    case ORR_VALUE_DOUBLE:
        return g_strdup_printf("%g", v->d);
    case ORR_VALUE_STRING:
        return g_strdup(v->s);
    case ORR_VALUE_OBJECT: {
        char *path = orr_object_get_path(v->o);
        if (path != NULL) {
            return path;
        }
        return g_strdup_printf("<detached %s>", orr_object_get_type_name(v->o));
    }
    }
    g_assert_not_reached();
}
