/*
 * orrery core — method signatures: parsing and value conversion.
 */
#include "signature.h"

static const struct {
    const char *name;
    ffi_type *ffi;
} sig_types[] = {
    [ORR_SIG_VOID] = {"void", &ffi_type_void},
    [ORR_SIG_BOOL] = {"bool", &ffi_type_uint8},
    [ORR_SIG_I8] = {"i8", &ffi_type_sint8},
    [ORR_SIG_I16] = {"i16", &ffi_type_sint16},
    [ORR_SIG_I32] = {"i32", &ffi_type_sint32},
    [ORR_SIG_I64] = {"i64", &ffi_type_sint64},
    [ORR_SIG_U8] = {"u8", &ffi_type_uint8},
    [ORR_SIG_U16] = {"u16", &ffi_type_uint16},
    [ORR_SIG_U32] = {"u32", &ffi_type_uint32},
    [ORR_SIG_U64] = {"u64", &ffi_type_uint64},
    [ORR_SIG_F64] = {"f64", &ffi_type_double},
    [ORR_SIG_STR] = {"str", &ffi_type_pointer},
    [ORR_SIG_OBJ] = {"obj", &ffi_type_pointer},
};

G_STATIC_ASSERT(sizeof(bool) == 1);

const char *orr__sig_type_name(OrrSigType type)
{
    g_assert((guint)type < G_N_ELEMENTS(sig_types));
    return sig_types[type].name;
}

static bool sig_lookup(const char *word, OrrSigType *out)
{
    for (guint i = 0; i < G_N_ELEMENTS(sig_types); i++) {
        if (strcmp(word, sig_types[i].name) == 0) {
            *out = (OrrSigType)i;
            return true;
        }
    }
    return false;
}

void orr__signature_free(OrrSignature *sig)
{
    if (sig == NULL) {
        return;
    }
    g_free(sig->text);
    g_free(sig->args);
    g_free(sig->ffi_args);
    g_free(sig);
}

static bool sig_fail(GError **errp, const char *text, const char *why)
{
    g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID, "signature: '%s' %s", text,
                why);
    return false;
}

OrrSignature *orr__signature_parse(const char *text, bool implicit_self,
                                   GError **errp)
{
    g_return_val_if_fail(text != NULL, NULL);

    const char *open = strchr(text, '(');
    size_t len = strlen(text);

    if (open == NULL || len == 0 || text[len - 1] != ')') {
        sig_fail(errp, text, "is not of the form RET(ARG,...)");
        return NULL;
    }

    g_autoptr(OrrSignature) sig = g_new0(OrrSignature, 1);
    g_autofree char *ret_word = g_strndup(text, (gsize)(open - text));
    g_autofree char *list = g_strndup(open + 1, len - (gsize)(open - text) - 2);
    g_autoptr(GArray) args = g_array_new(FALSE, FALSE, sizeof(OrrSigType));

    sig->text = g_strdup(text);
    if (!sig_lookup(g_strstrip(ret_word), &sig->ret)) {
        sig_fail(errp, text, "has an unknown return type");
        return NULL;
    }
    if (implicit_self) {
        OrrSigType self = ORR_SIG_OBJ;
        g_array_append_val(args, self);
    }
    if (*g_strstrip(list) != '\0') {
        g_auto(GStrv) words = g_strsplit(list, ",", -1);

        for (guint i = 0; words[i] != NULL; i++) {
            OrrSigType t;

            if (!sig_lookup(g_strstrip(words[i]), &t)) {
                g_autofree char *why = g_strdup_printf(
                    "has an unknown argument type '%s'", words[i]);
                sig_fail(errp, text, why);
                return NULL;
            }
            if (t == ORR_SIG_VOID) {
                sig_fail(errp, text, "uses void as an argument type");
                return NULL;
            }
            g_array_append_val(args, t);
        }
    }

    sig->nargs = args->len;
    sig->args = g_new0(OrrSigType, MAX(sig->nargs, 1));
    sig->ffi_args = g_new0(ffi_type *, MAX(sig->nargs, 1));
    for (guint i = 0; i < sig->nargs; i++) {
        sig->args[i] = g_array_index(args, OrrSigType, i);
        sig->ffi_args[i] = sig_types[sig->args[i]].ffi;
    }
    if (ffi_prep_cif(&sig->cif, FFI_DEFAULT_ABI, sig->nargs,
                     sig_types[sig->ret].ffi, sig->ffi_args) != FFI_OK) {
        sig_fail(errp, text, "is not supported by libffi");
        return NULL;
    }
    return g_steal_pointer(&sig);
}

/* --- OrrValue -> C -------------------------------------------------------- */

/* Stores INT/UINT @in in @out->i64 / @out->u64 if it lies in [min, max]. */
static bool value_fits(const OrrValue *in, int64_t min, uint64_t max,
                       OrrSigStorage *out)
{
    if (in->type == ORR_VALUE_INT) {
        if (in->i < min || (in->i >= 0 && (uint64_t)in->i > max)) {
            return false;
        }
        out->i64 = in->i;
    } else if (in->type == ORR_VALUE_UINT) {
        if (in->u > max) {
            return false;
        }
        out->u64 = in->u;
    } else {
        return false;
    }
    return true;
}

/* A number that does not fit an integer type is out of range (INVALID); any
 * other value is of the wrong type (TYPE). */
static bool value_mismatch(OrrSigType type, const OrrValue *in, GError **errp)
{
    g_autofree char *shown = orr_value_to_string(in);
    bool number = (in->type == ORR_VALUE_INT || in->type == ORR_VALUE_UINT) &&
                  type >= ORR_SIG_I8 && type <= ORR_SIG_U64;

    g_set_error(errp, ORR_ERROR, number ? ORR_ERROR_INVALID : ORR_ERROR_TYPE,
                "expected %s, got %s %s%s", orr__sig_type_name(type),
                orr_value_type_name(in->type), shown,
                number ? " (out of range)" : "");
    return false;
}

bool orr__sig_value_to_c(OrrSigType type, const OrrValue *in,
                         OrrSigStorage *out, GError **errp)
{
    OrrSigStorage wide = {0};

    memset(out, 0, sizeof(*out));
    switch (type) {
    case ORR_SIG_BOOL:
        if (in->type != ORR_VALUE_BOOL) {
            return value_mismatch(type, in, errp);
        }
        out->b = in->b;
        return true;
    case ORR_SIG_I8:
    case ORR_SIG_I16:
    case ORR_SIG_I32:
    case ORR_SIG_I64: {
        static const int64_t mins[] = {INT8_MIN, INT16_MIN, INT32_MIN,
                                       INT64_MIN};
        static const uint64_t maxs[] = {INT8_MAX, INT16_MAX, INT32_MAX,
                                        INT64_MAX};
        guint k = type - ORR_SIG_I8;

        if (!value_fits(in, mins[k], maxs[k], &wide)) {
            return value_mismatch(type, in, errp);
        }
        switch (type) {
        case ORR_SIG_I8:
            out->i8 = (int8_t)wide.i64;
            break;
        case ORR_SIG_I16:
            out->i16 = (int16_t)wide.i64;
            break;
        case ORR_SIG_I32:
            out->i32 = (int32_t)wide.i64;
            break;
        default:
            out->i64 = wide.i64;
            break;
        }
        return true;
    }
    case ORR_SIG_U8:
    case ORR_SIG_U16:
    case ORR_SIG_U32:
    case ORR_SIG_U64: {
        static const uint64_t maxs[] = {UINT8_MAX, UINT16_MAX, UINT32_MAX,
                                        UINT64_MAX};

        if (!value_fits(in, 0, maxs[type - ORR_SIG_U8], &wide)) {
            return value_mismatch(type, in, errp);
        }
        switch (type) {
        case ORR_SIG_U8:
            out->u8 = (uint8_t)wide.u64;
            break;
        case ORR_SIG_U16:
            out->u16 = (uint16_t)wide.u64;
            break;
        case ORR_SIG_U32:
            out->u32 = (uint32_t)wide.u64;
            break;
        default:
            out->u64 = wide.u64;
            break;
        }
        return true;
    }
    case ORR_SIG_F64:
        if (in->type == ORR_VALUE_DOUBLE) {
            out->f64 = in->d;
        } else if (in->type == ORR_VALUE_INT) {
            out->f64 = (double)in->i;
        } else if (in->type == ORR_VALUE_UINT) {
            out->f64 = (double)in->u;
        } else {
            return value_mismatch(type, in, errp);
        }
        return true;
    case ORR_SIG_STR:
        if (in->type != ORR_VALUE_STRING) {
            return value_mismatch(type, in, errp);
        }
        out->str = in->s;
        return true;
    case ORR_SIG_OBJ:
        if (in->type == ORR_VALUE_NONE) {
            out->obj = NULL;
        } else if (in->type == ORR_VALUE_OBJECT) {
            out->obj = in->o;
        } else {
            return value_mismatch(type, in, errp);
        }
        return true;
    case ORR_SIG_VOID:
        break;
    }
    g_assert_not_reached();
}

/* --- C -> OrrValue -------------------------------------------------------- */

void orr__sig_c_to_value(OrrSigType type, const void *c, bool widened,
                         OrrValue *out)
{
    const OrrSigStorage *s = c;

    if (widened) {
        switch (type) {
        case ORR_SIG_BOOL:
            orr_value_set_bool(out, s->widened != 0);
            return;
        case ORR_SIG_I8:
            orr_value_set_int(out, (int8_t)s->swidened);
            return;
        case ORR_SIG_I16:
            orr_value_set_int(out, (int16_t)s->swidened);
            return;
        case ORR_SIG_I32:
            orr_value_set_int(out, (int32_t)s->swidened);
            return;
        case ORR_SIG_U8:
            orr_value_set_uint(out, (uint8_t)s->widened);
            return;
        case ORR_SIG_U16:
            orr_value_set_uint(out, (uint16_t)s->widened);
            return;
        case ORR_SIG_U32:
            orr_value_set_uint(out, (uint32_t)s->widened);
            return;
        default:
            break;
        }
    }
    switch (type) {
    case ORR_SIG_VOID:
        orr_value_clear(out);
        return;
    case ORR_SIG_BOOL:
        orr_value_set_bool(out, s->b);
        return;
    case ORR_SIG_I8:
        orr_value_set_int(out, s->i8);
        return;
    case ORR_SIG_I16:
        orr_value_set_int(out, s->i16);
        return;
    case ORR_SIG_I32:
        orr_value_set_int(out, s->i32);
        return;
    case ORR_SIG_I64:
        orr_value_set_int(out, s->i64);
        return;
    case ORR_SIG_U8:
        orr_value_set_uint(out, s->u8);
        return;
    case ORR_SIG_U16:
        orr_value_set_uint(out, s->u16);
        return;
    case ORR_SIG_U32:
        orr_value_set_uint(out, s->u32);
        return;
    case ORR_SIG_U64:
        orr_value_set_uint(out, s->u64);
        return;
    case ORR_SIG_F64:
        orr_value_set_double(out, s->f64);
        return;
    case ORR_SIG_STR:
        orr_value_set_string(out, s->str);
        return;
    case ORR_SIG_OBJ:
        orr_value_set_object(out, s->obj);
        return;
    }
    g_assert_not_reached();
}

void orr__sig_write_return(OrrSigType type, const OrrValue *v, void *ret)
{
    OrrSigStorage c;
    ffi_arg *wide = ret;

    if (type == ORR_SIG_VOID) {
        return;
    }
    if (!orr__sig_value_to_c(type, v, &c, NULL)) {
        memset(&c, 0, sizeof(c));
    }
    switch (type) {
    case ORR_SIG_BOOL:
        *wide = c.b;
        return;
    case ORR_SIG_I8:
        *(ffi_sarg *)ret = c.i8;
        return;
    case ORR_SIG_I16:
        *(ffi_sarg *)ret = c.i16;
        return;
    case ORR_SIG_I32:
        *(ffi_sarg *)ret = c.i32;
        return;
    case ORR_SIG_U8:
        *wide = c.u8;
        return;
    case ORR_SIG_U16:
        *wide = c.u16;
        return;
    case ORR_SIG_U32:
        *wide = c.u32;
        return;
    case ORR_SIG_I64:
        *(int64_t *)ret = c.i64;
        return;
    case ORR_SIG_U64:
        *(uint64_t *)ret = c.u64;
        return;
    case ORR_SIG_F64:
        *(double *)ret = c.f64;
        return;
    case ORR_SIG_STR:
        *(const char **)ret = c.str;
        return;
    case ORR_SIG_OBJ:
        *(OrrObject **)ret = c.obj;
        return;
    case ORR_SIG_VOID:
        return;
    }
    g_assert_not_reached();
}
