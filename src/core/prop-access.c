/*
 * orrery core — reading and writing properties: type checks and
 * conversions, typed accessors and the string forms.
 */
#include <errno.h>
#include "core-internal.h"

static void set_prop_error(GError **errp, int code, OrrObject *obj,
                           const char *op, const OrrProperty *prop,
                           const char *fmt, ...) G_GNUC_PRINTF(6, 7);

static void set_prop_error(GError **errp, int code, OrrObject *obj,
                           const char *op, const OrrProperty *prop,
                           const char *fmt, ...)
{
    g_autofree char *what = obj ? orr_object_describe(obj) : NULL;
    g_autofree char *detail = NULL;
    va_list ap;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (what != NULL) {
        g_set_error(errp, ORR_ERROR, code, "%s: property '%s' of '%s' %s", op,
                    prop->name, what, detail);
    } else {
        g_set_error(errp, ORR_ERROR, code, "%s: property '%s' %s", op,
                    prop->name, detail);
    }
}

static bool coerce_int(OrrObject *obj, const OrrProperty *prop,
                       const OrrValue *in, OrrValue *out, GError **errp)
{
    if (in->type == ORR_VALUE_INT ||
        (in->type == ORR_VALUE_UINT && in->u <= (uint64_t)INT64_MAX)) {
        orr_value_set_int(out,
                          in->type == ORR_VALUE_INT ? in->i : (int64_t)in->u);
        return true;
    }
    if (in->type == ORR_VALUE_UINT) {
        set_prop_error(errp, ORR_ERROR_INVALID, obj, "set", prop,
                       "is int: %" G_GUINT64_FORMAT " is out of range",
                       (guint64)in->u);
        return false;
    }
    set_prop_error(errp, ORR_ERROR_TYPE, obj, "set", prop, "is int, not %s",
                   orr_value_type_name(in->type));
    return false;
}

static bool coerce_uint(OrrObject *obj, const OrrProperty *prop,
                        const OrrValue *in, OrrValue *out, GError **errp)
{
    if (in->type == ORR_VALUE_UINT ||
        (in->type == ORR_VALUE_INT && in->i >= 0)) {
        orr_value_set_uint(out, in->type == ORR_VALUE_UINT ? in->u
                                                           : (uint64_t)in->i);
        return true;
    }
    if (in->type == ORR_VALUE_INT) {
        set_prop_error(errp, ORR_ERROR_INVALID, obj, "set", prop,
                       "is uint: %" G_GINT64_FORMAT " is out of range",
                       (gint64)in->i);
        return false;
    }
    set_prop_error(errp, ORR_ERROR_TYPE, obj, "set", prop, "is uint, not %s",
                   orr_value_type_name(in->type));
    return false;
}

static bool coerce_enum(OrrObject *obj, const OrrProperty *prop,
                        const OrrValue *in, OrrValue *out, GError **errp)
{
    if (in->type != ORR_VALUE_STRING) {
        set_prop_error(errp, ORR_ERROR_TYPE, obj, "set", prop,
                       "is enum, not %s", orr_value_type_name(in->type));
        return false;
    }
    if (!g_strv_contains((const char *const *)prop->enum_values, in->s)) {
        g_autofree char *allowed = g_strjoinv(", ", prop->enum_values);
        set_prop_error(errp, ORR_ERROR_INVALID, obj, "set", prop,
                       "has no value '%s' (expected one of: %s)", in->s,
                       allowed);
        return false;
    }
    orr_value_set_string(out, in->s);
    return true;
}

static bool coerce_simple(OrrObject *obj, const OrrProperty *prop,
                          const OrrValue *in, OrrValue *out, OrrValueType want,
                          GError **errp)
{
    if (in->type != want) {
        set_prop_error(errp, ORR_ERROR_TYPE, obj, "set", prop, "is %s, not %s",
                       prop->type_name, orr_value_type_name(in->type));
        return false;
    }
    orr_value_copy(out, in);
    return true;
}

bool orr__property_coerce(OrrObject *obj, const OrrProperty *prop,
                          const OrrValue *in, OrrValue *out, GError **errp)
{
    switch (prop->type) {
    case ORR_PROP_BOOL:
        return coerce_simple(obj, prop, in, out, ORR_VALUE_BOOL, errp);
    case ORR_PROP_INT:
        return coerce_int(obj, prop, in, out, errp);
    case ORR_PROP_UINT:
        return coerce_uint(obj, prop, in, out, errp);
    case ORR_PROP_STRING:
        return coerce_simple(obj, prop, in, out, ORR_VALUE_STRING, errp);
    case ORR_PROP_ENUM:
        return coerce_enum(obj, prop, in, out, errp);
    case ORR_PROP_LINK:
        if (in->type == ORR_VALUE_NONE) {
            orr_value_clear(out);
            return true;
        }
        return coerce_simple(obj, prop, in, out, ORR_VALUE_OBJECT, errp);
    case ORR_PROP_CHILD:
        break;
    }
    set_prop_error(errp, ORR_ERROR_READONLY, obj, "set", prop,
                   "is a child<> property");
    return false;
}

static OrrProperty *lookup(OrrObject *obj, const char *op, const char *name,
                           GError **errp)
{
    OrrProperty *prop = (OrrProperty *)orr_object_find_property(obj, name);

    if (prop == NULL) {
        g_autofree char *what = orr_object_describe(obj);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_NOT_FOUND,
                    "%s: '%s' has no property '%s'", op, what,
                    name ? name : "");
    }
    return prop;
}

static bool prop_read(OrrObject *obj, OrrProperty *prop, OrrValue *out,
                      GError **errp)
{
    orr_value_clear(out);
    if (prop->type == ORR_PROP_CHILD) {
        orr_value_set_object(out, prop->child);
        return true;
    }
    if (prop->get != NULL) {
        return prop->get(obj, prop, out, errp);
    }
    OrrSlot *slot = orr__object_get_slot(obj, prop, false);
    orr_value_copy(out, slot ? &slot->value : &prop->default_value);
    return true;
}

bool orr_object_get(OrrObject *obj, const char *name, OrrValue *out,
                    GError **errp)
{
    OrrProperty *prop = lookup(obj, "get", name, errp);

    return prop != NULL && prop_read(obj, prop, out, errp);
}

static bool prop_write(OrrObject *obj, OrrProperty *prop, const OrrValue *in,
                       GError **errp)
{
    g_auto(OrrValue) v = ORR_VALUE_INIT;

    if (orr_object_get_state(obj) == ORR_OBJECT_FINALIZING) {
        set_prop_error(errp, ORR_ERROR_STATE, obj, "set", prop,
                       "cannot be set: the object is being finalized");
        return false;
    }
    if (orr_property_is_readonly(prop)) {
        set_prop_error(errp, ORR_ERROR_READONLY, obj, "set", prop,
                       "is read-only");
        return false;
    }
    if (!orr__property_coerce(obj, prop, in, &v, errp)) {
        return false;
    }
    if (prop->type == ORR_PROP_LINK) {
        return orr__link_set(obj, prop, v.type == ORR_VALUE_OBJECT ? v.o : NULL,
                             errp);
    }
    if (prop->set != NULL) {
        return prop->set(obj, prop, &v, errp);
    }
    orr_value_copy(&orr__object_get_slot(obj, prop, true)->value, &v);
    return true;
}

bool orr_object_set(OrrObject *obj, const char *name, const OrrValue *in,
                    GError **errp)
{
    OrrProperty *prop = lookup(obj, "set", name, errp);

    if (prop == NULL) {
        return false;
    }
    return prop_write(obj, prop, in, errp);
}

/* --- String forms ------------------------------------------------------ */

static bool parse_bool(const char *text, OrrValue *v)
{
    static const char *const yes[] = {"true", "on", "yes", "1", NULL};
    static const char *const no[] = {"false", "off", "no", "0", NULL};

    if (g_strv_contains(yes, text) || g_strv_contains(no, text)) {
        orr_value_set_bool(v, g_strv_contains(yes, text));
        return true;
    }
    return false;
}

/* Decimal, or hex with a 0x prefix: never octal, so "010" is ten and
 * "08" is eight (base 0 would read a leading zero as octal). */
static guint number_base(const char *text)
{
    const char *p = text;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p == '+' || *p == '-') {
        p++;
    }
    return p[0] == '0' && (p[1] == 'x' || p[1] == 'X') ? 16 : 10;
}

static bool parse_number(const char *text, bool is_signed, OrrValue *v)
{
    char *end = NULL;

    errno = 0;
    if (is_signed) {
        gint64 n = g_ascii_strtoll(text, &end, number_base(text));
        orr_value_set_int(v, n);
    } else {
        if (strchr(text, '-') != NULL) {
            return false;
        }
        guint64 n = g_ascii_strtoull(text, &end, number_base(text));
        orr_value_set_uint(v, n);
    }
    return errno == 0 && end != text && *end == '\0';
}

static bool parse_link(OrrProperty *prop, const char *text, OrrValue *v,
                       GError **errp)
{
    bool ambiguous = false;

    if (*text == '\0') {
        orr_value_clear(v);
        return true;
    }
    OrrObject *target = orr_object_resolve_path(text, NULL, &ambiguous);
    if (target == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_NOT_FOUND,
                    "set: path '%s' for link '%s' %s", text, prop->name,
                    ambiguous ? "is ambiguous" : "matches no object");
        return false;
    }
    orr_value_set_object(v, target);
    return true;
}

bool orr_object_set_from_string(OrrObject *obj, const char *name,
                                const char *text, GError **errp)
{
    OrrProperty *prop = lookup(obj, "set", name, errp);
    g_auto(OrrValue) v = ORR_VALUE_INIT;
    bool ok = true;

    if (prop == NULL) {
        return false;
    }
    text = text ? text : "";
    switch (prop->type) {
    case ORR_PROP_BOOL:
        ok = parse_bool(text, &v);
        break;
    case ORR_PROP_INT:
    case ORR_PROP_UINT:
        ok = parse_number(text, prop->type == ORR_PROP_INT, &v);
        break;
    case ORR_PROP_LINK:
        if (!parse_link(prop, text, &v, errp)) {
            return false;
        }
        break;
    default:
        orr_value_set_string(&v, text);
        break;
    }
    if (!ok) {
        set_prop_error(errp, ORR_ERROR_INVALID, obj, "set", prop,
                       "is %s: cannot parse '%s'", prop->type_name, text);
        return false;
    }
    return prop_write(obj, prop, &v, errp);
}

char *orr_object_get_as_string(OrrObject *obj, const char *name, GError **errp)
{
    g_auto(OrrValue) v = ORR_VALUE_INIT;

    if (!orr_object_get(obj, name, &v, errp)) {
        return NULL;
    }
    if (v.type == ORR_VALUE_NONE) {
        return g_strdup("");
    }
    return orr_value_to_string(&v);
}

/* --- Typed accessors --------------------------------------------------- */

static bool get_typed(OrrObject *obj, const char *name, OrrValueType want,
                      OrrValue *v, GError **errp)
{
    if (!orr_object_get(obj, name, v, errp)) {
        return false;
    }
    if (v->type != want) {
        g_autofree char *what = orr_object_describe(obj);
        g_set_error(errp, ORR_ERROR, ORR_ERROR_TYPE,
                    "get: property '%s' of '%s' is %s, not %s", name, what,
                    orr_value_type_name(v->type), orr_value_type_name(want));
        return false;
    }
    return true;
}

bool orr_object_get_bool(OrrObject *obj, const char *name, bool *out,
                         GError **errp)
{
    g_auto(OrrValue) v = ORR_VALUE_INIT;

    if (!get_typed(obj, name, ORR_VALUE_BOOL, &v, errp)) {
        return false;
    }
    *out = v.b;
    return true;
}

bool orr_object_set_bool(OrrObject *obj, const char *name, bool value,
                         GError **errp)
{
    OrrValue v = {.type = ORR_VALUE_BOOL, .b = value};
    return orr_object_set(obj, name, &v, errp);
}

bool orr_object_get_int(OrrObject *obj, const char *name, int64_t *out,
                        GError **errp)
{
    g_auto(OrrValue) v = ORR_VALUE_INIT;

    if (!get_typed(obj, name, ORR_VALUE_INT, &v, errp)) {
        return false;
    }
    *out = v.i;
    return true;
}

bool orr_object_set_int(OrrObject *obj, const char *name, int64_t value,
                        GError **errp)
{
    OrrValue v = {.type = ORR_VALUE_INT, .i = value};
    return orr_object_set(obj, name, &v, errp);
}

bool orr_object_get_uint(OrrObject *obj, const char *name, uint64_t *out,
                         GError **errp)
{
    g_auto(OrrValue) v = ORR_VALUE_INIT;

    if (!get_typed(obj, name, ORR_VALUE_UINT, &v, errp)) {
        return false;
    }
    *out = v.u;
    return true;
}

bool orr_object_set_uint(OrrObject *obj, const char *name, uint64_t value,
                         GError **errp)
{
    OrrValue v = {.type = ORR_VALUE_UINT, .u = value};
    return orr_object_set(obj, name, &v, errp);
}

bool orr_object_get_str(OrrObject *obj, const char *name, char **out,
                        GError **errp)
{
    g_auto(OrrValue) v = ORR_VALUE_INIT;

    if (!get_typed(obj, name, ORR_VALUE_STRING, &v, errp)) {
        return false;
    }
    *out = g_steal_pointer(&v.s);
    v.type = ORR_VALUE_NONE;
    return true;
}

bool orr_object_set_str(OrrObject *obj, const char *name, const char *value,
                        GError **errp)
{
    OrrValue v = {.type = ORR_VALUE_STRING, .s = (char *)value};
    return orr_object_set(obj, name, &v, errp);
}

OrrObject *orr_object_get_link(OrrObject *obj, const char *name, GError **errp)
{
    g_auto(OrrValue) v = ORR_VALUE_INIT;
    OrrProperty *prop = lookup(obj, "get", name, errp);

    if (prop == NULL) {
        return NULL;
    }
    if (prop->type != ORR_PROP_LINK && prop->type != ORR_PROP_CHILD) {
        set_prop_error(errp, ORR_ERROR_TYPE, obj, "get", prop,
                       "is %s, not a link", prop->type_name);
        return NULL;
    }
    if (!prop_read(obj, prop, &v, errp)) {
        return NULL;
    }
    return v.type == ORR_VALUE_OBJECT ? v.o : NULL;
}

bool orr_object_set_link(OrrObject *obj, const char *name, OrrObject *target,
                         GError **errp)
{
    OrrValue v = ORR_VALUE_INIT;

    orr_value_set_object(&v, target);
    return orr_object_set(obj, name, &v, errp);
}
