/*
 * orrery unit tests — the test types and helpers that the method and
 * closure tests share (method-fixture.h).
 */
#include "method-fixture.h"

MtSeen mt_seen;

void mt_seen_reset(void)
{
    g_free(mt_seen.g);
    memset(&mt_seen, 0, sizeof(mt_seen));
    mt_seen.state = -1;
}

/* --- test-m's methods ----------------------------------------------------- */

#define DEFINE_ECHO(fname, ctype)                                              \
    static ctype fname(OrrObject *self, ctype v)                               \
    {                                                                          \
        mt_seen.calls++;                                                       \
        mt_seen.self = self;                                                   \
        return v;                                                              \
    }

DEFINE_ECHO(echo_bool, bool)
DEFINE_ECHO(echo_i8, int8_t)
DEFINE_ECHO(echo_i16, int16_t)
DEFINE_ECHO(echo_i32, int32_t)
DEFINE_ECHO(echo_i64, int64_t)
DEFINE_ECHO(echo_u16, uint16_t)
DEFINE_ECHO(echo_u32, uint32_t)
DEFINE_ECHO(echo_u64, uint64_t)
DEFINE_ECHO(echo_f64, double)
DEFINE_ECHO(echo_str, const char *)
DEFINE_ECHO(echo_obj, OrrObject *)

/* Not static: test-m-bad adds it too. */
uint8_t mt_echo_u8(OrrObject *self, uint8_t v)
{
    mt_seen.calls++;
    mt_seen.self = self;
    return v;
}

/* Constant returns: the C function yields a narrow value that must be
 * widened with the right signedness. */
#define DEFINE_CONST(fname, ctype, value)                                      \
    static ctype fname(OrrObject *self)                                        \
    {                                                                          \
        mt_seen.calls++;                                                       \
        mt_seen.self = self;                                                   \
        return (value);                                                        \
    }

DEFINE_CONST(ret_bool, bool, true)
DEFINE_CONST(ret_i8, int8_t, -2)
DEFINE_CONST(ret_i16, int16_t, -2)
DEFINE_CONST(ret_i32, int32_t, -2)
DEFINE_CONST(ret_u8, uint8_t, 0xfe)
DEFINE_CONST(ret_u16, uint16_t, 0xfffe)
DEFINE_CONST(ret_u32, uint32_t, 0xfffffffeu)

static void nop(OrrObject *self)
{
    mt_seen.calls++;
    mt_seen.self = self;
}

static OrrObject *self_method(OrrObject *self)
{
    mt_seen.calls++;
    mt_seen.self = self;
    return self;
}

/* Returns a buffer the test changes after the call: the result must be a
 * copy. */
char mt_str_buf[16] = "static";

static const char *str_static(OrrObject *self)
{
    mt_seen.calls++;
    return mt_str_buf;
}

static uint64_t mix(OrrObject *self, uint8_t a, int16_t b, uint32_t c,
                    int64_t d, double e, bool f, const char *g, OrrObject *h)
{
    mt_seen.calls++;
    mt_seen.self = self;
    mt_seen.a = a;
    mt_seen.b = b;
    mt_seen.c = c;
    mt_seen.d = d;
    mt_seen.e = e;
    mt_seen.f = f;
    g_free(mt_seen.g);
    mt_seen.g = g_strdup(g);
    mt_seen.h = h;
    return (uint64_t)a * 1000000 + c;
}

/* Records the reference count and holders of @self during the call. */
static uint32_t probe(OrrObject *self)
{
    g_autoptr(GPtrArray) holders = orr_object_list_holders(self);

    mt_seen.calls++;
    mt_seen.self = self;
    mt_seen.refcount = orr_object_get_refcount(self);
    for (guint i = 0; i < holders->len; i++) {
        const char *h = holders->pdata[i];

        if (g_str_has_prefix(h, ORR_HOLDER_CALLER)) {
            mt_seen.caller_holders++;
        } else if (g_str_has_prefix(h, ORR_HOLDER_CALL)) {
            mt_seen.call_holders++;
        }
    }
    return mt_seen.refcount;
}

/* Drops the test's only reference from inside the call. */
static void drop_self(OrrObject *self)
{
    mt_seen.calls++;
    orr_object_unref(self);
    mt_seen.finalized_in_call = mt_seen.finalized;
    mt_seen.refcount = orr_object_get_refcount(self);
    mt_seen.state = orr_object_get_state(self);
}

static int64_t sub_only(OrrObject *self, int64_t v)
{
    mt_seen.calls++;
    mt_seen.self = self;
    return -v;
}

/* --- Types ---------------------------------------------------------------- */

static void add_ok(OrrObjectClass *klass, const char *name, const char *sig,
                   OrrMethodFn fn, const char *doc)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(orr_class_add_method(klass, name, sig, fn, doc, &err));
    g_assert_no_error(err);
}

#define ADD(klass, name, sig, fn, doc)                                         \
    add_ok((klass), (name), (sig), (OrrMethodFn)(fn), (doc))

static void m_class_init(OrrObjectClass *klass, const void *data)
{
    /* A doc string that dies right after the add: it must be copied. */
    g_autofree char *doc = g_strdup_printf("Returns its %s argument.", "i32");

    ADD(klass, "echo_bool", "bool(bool)", echo_bool, NULL);
    ADD(klass, "echo_i8", "i8(i8)", echo_i8, NULL);
    ADD(klass, "echo_i16", "i16(i16)", echo_i16, NULL);
    ADD(klass, "echo_i32", "i32(i32)", echo_i32, doc);
    g_clear_pointer(&doc, g_free);
    ADD(klass, "echo_i64", "i64(i64)", echo_i64, NULL);
    ADD(klass, "echo_u8", "u8(u8)", mt_echo_u8, NULL);
    ADD(klass, "echo_u16", "u16(u16)", echo_u16, NULL);
    ADD(klass, "echo_u32", "u32(u32)", echo_u32, NULL);
    ADD(klass, "echo_u64", "u64(u64)", echo_u64, NULL);
    ADD(klass, "echo_f64", "f64(f64)", echo_f64, NULL);
    ADD(klass, "echo_str", "str(str)", echo_str, NULL);
    ADD(klass, "echo_obj", "obj(obj)", echo_obj, NULL);
    ADD(klass, "ret_bool", "bool()", ret_bool, NULL);
    ADD(klass, "ret_i8", "i8()", ret_i8, NULL);
    ADD(klass, "ret_i16", "i16()", ret_i16, NULL);
    ADD(klass, "ret_i32", "i32()", ret_i32, NULL);
    ADD(klass, "ret_u8", "u8()", ret_u8, NULL);
    ADD(klass, "ret_u16", "u16()", ret_u16, NULL);
    ADD(klass, "ret_u32", "u32()", ret_u32, NULL);
    ADD(klass, "nop", "void()", nop, "Does nothing.");
    ADD(klass, "self", "obj()", self_method, NULL);
    ADD(klass, "str_static", "str()", str_static, NULL);
    ADD(klass, "mix", "u64(u8,i16,u32,i64,f64,bool,str,obj)", mix, NULL);
    ADD(klass, "probe", "u32()", probe, NULL);
    ADD(klass, "drop_self", "void()", drop_self, NULL);
}

static void m_instance_finalize(OrrObject *obj)
{
    mt_seen.finalized++;
}

static void sub_class_init(OrrObjectClass *klass, const void *data)
{
    ADD(klass, "sub_only", "i64(i64)", sub_only, "Negates.");
}

int32_t mt_scale_default(OrrObject *obj, int32_t x)
{
    return x;
}

static void scaler_class_init(OrrObjectClass *klass, const void *data)
{
    ((TestScalerClass *)klass)->scale = mt_scale_default;
}

void mt_register_types(void)
{
    static const char *const scaler_ifaces[] = {TYPE_SCALER, NULL};
    static const OrrTypeInfo infos[] = {
        {
            .name = TYPE_M,
            .class_init = m_class_init,
            .instance_finalize = m_instance_finalize,
        },
        {.name = TYPE_M_SUB, .parent = TYPE_M, .class_init = sub_class_init},
        {
            .name = TYPE_SCALER,
            .parent = ORR_TYPE_INTERFACE,
            .class_size = sizeof(TestScalerClass),
            .class_init = scaler_class_init,
        },
        {.name = TYPE_SCALED_PLAIN, .interfaces = scaler_ifaces},
    };

    for (guint i = 0; i < G_N_ELEMENTS(infos); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_nonnull(orr_type_register(&infos[i], &err));
        g_assert_no_error(err);
    }
}

/* --- Helpers -------------------------------------------------------------- */

void mt_assert_value(const OrrValue *got, const OrrValue *want)
{
    g_assert_cmpstr(orr_value_type_name(got->type), ==,
                    orr_value_type_name(want->type));
    switch (want->type) {
    case ORR_VALUE_NONE:
        break;
    case ORR_VALUE_BOOL:
        g_assert_cmpint(got->b, ==, want->b);
        break;
    case ORR_VALUE_INT:
        g_assert_cmpint(got->i, ==, want->i);
        break;
    case ORR_VALUE_UINT:
        g_assert_cmpuint(got->u, ==, want->u);
        break;
    case ORR_VALUE_DOUBLE:
        g_assert_cmpfloat(got->d, ==, want->d);
        break;
    case ORR_VALUE_STRING:
        g_assert_cmpstr(got->s, ==, want->s);
        break;
    case ORR_VALUE_OBJECT:
        g_assert_true(got->o == want->o);
        break;
    }
}
