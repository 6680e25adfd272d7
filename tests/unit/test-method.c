/*
 * Unit tests for reflected methods (add, find, list, call through libffi)
 * and closures (C function pointers forwarding to a generic handler).
 */
#include "orrery/orrery.h"
#include "test-util.h"

/*
 * Test types:
 *   test-m             a method for every signature type, echoes and
 *                      constants, and probes that record what they see.
 *   test-m-sub         a subclass adding one method.
 *   test-m-bad         a subclass whose class_init tries bad signatures
 *                      and duplicate names; the results are kept in
 *                      bad_results for the tests to check.
 *   test-scaler        an interface whose class holds a function pointer.
 *   test-scaled        implements test-scaler with a closure.
 *   test-scaled-plain  implements test-scaler, keeping the default.
 */
#define TYPE_M "test-m"
#define TYPE_M_SUB "test-m-sub"
#define TYPE_M_BAD "test-m-bad"
#define TYPE_SCALER "test-scaler"
#define TYPE_SCALED "test-scaled"
#define TYPE_SCALED_PLAIN "test-scaled-plain"

/* Brace initializers for values; `(OrrValue)V_INT(1)` makes a literal. */
/* clang-format off */
#define V_NONE { .type = ORR_VALUE_NONE }
#define V_BOOL(x) { .type = ORR_VALUE_BOOL, .b = (x) }
#define V_INT(x) { .type = ORR_VALUE_INT, .i = (x) }
#define V_UINT(x) { .type = ORR_VALUE_UINT, .u = (x) }
#define V_DBL(x) { .type = ORR_VALUE_DOUBLE, .d = (x) }
/* Borrowed: never cleared. */
#define V_STR(x) { .type = ORR_VALUE_STRING, .s = (char *)(x) }
#define V_OBJ(x) { .type = ORR_VALUE_OBJECT, .o = (x) }
/* clang-format on */

/* What the methods saw; reset by each test. */
static struct {
    guint calls;
    OrrObject *self;         /* NOREF: compared only */
    guint refcount;          /* probe, drop_self */
    int state;               /* drop_self */
    guint call_holders;      /* probe: holders named "call" */
    guint caller_holders;    /* probe: holders named "caller" */
    guint finalized;         /* test-m instance_finalize */
    guint finalized_in_call; /* drop_self: finalized before it returned */
    /* mix's arguments */
    uint8_t a;
    int16_t b;
    uint32_t c;
    int64_t d;
    double e;
    bool f;
    char *g;      /* owned copy */
    OrrObject *h; /* NOREF */
} seen;

static void reset_seen(void)
{
    g_free(seen.g);
    memset(&seen, 0, sizeof(seen));
    seen.state = -1;
}

/* --- test-m's methods ---------------------------------------------------- */

#define DEFINE_ECHO(fname, ctype)                                              \
    static ctype fname(OrrObject *self, ctype v)                               \
    {                                                                          \
        seen.calls++;                                                          \
        seen.self = self;                                                      \
        return v;                                                              \
    }

DEFINE_ECHO(echo_bool, bool)
DEFINE_ECHO(echo_i8, int8_t)
DEFINE_ECHO(echo_i16, int16_t)
DEFINE_ECHO(echo_i32, int32_t)
DEFINE_ECHO(echo_i64, int64_t)
DEFINE_ECHO(echo_u8, uint8_t)
DEFINE_ECHO(echo_u16, uint16_t)
DEFINE_ECHO(echo_u32, uint32_t)
DEFINE_ECHO(echo_u64, uint64_t)
DEFINE_ECHO(echo_f64, double)
DEFINE_ECHO(echo_str, const char *)
DEFINE_ECHO(echo_obj, OrrObject *)

/* Constant returns: the C function yields a narrow value that must be
 * widened with the right signedness. */
#define DEFINE_CONST(fname, ctype, value)                                      \
    static ctype fname(OrrObject *self)                                        \
    {                                                                          \
        seen.calls++;                                                          \
        seen.self = self;                                                      \
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
    seen.calls++;
    seen.self = self;
}

static OrrObject *self_method(OrrObject *self)
{
    seen.calls++;
    seen.self = self;
    return self;
}

/* Returns a buffer the test changes after the call: the result must be a
 * copy. */
static char static_buf[16] = "static";

static const char *str_static(OrrObject *self)
{
    seen.calls++;
    return static_buf;
}

static uint64_t mix(OrrObject *self, uint8_t a, int16_t b, uint32_t c,
                    int64_t d, double e, bool f, const char *g, OrrObject *h)
{
    seen.calls++;
    seen.self = self;
    seen.a = a;
    seen.b = b;
    seen.c = c;
    seen.d = d;
    seen.e = e;
    seen.f = f;
    g_free(seen.g);
    seen.g = g_strdup(g);
    seen.h = h;
    return (uint64_t)a * 1000000 + c;
}

/* Records the reference count and holders of @self during the call. */
static uint32_t probe(OrrObject *self)
{
    g_autoptr(GPtrArray) holders = orr_object_list_holders(self);

    seen.calls++;
    seen.self = self;
    seen.refcount = orr_object_get_refcount(self);
    for (guint i = 0; i < holders->len; i++) {
        const char *h = holders->pdata[i];

        if (g_str_has_prefix(h, ORR_HOLDER_CALLER)) {
            seen.caller_holders++;
        } else if (g_str_has_prefix(h, ORR_HOLDER_CALL)) {
            seen.call_holders++;
        }
    }
    return seen.refcount;
}

/* Drops the test's only reference from inside the call. */
static void drop_self(OrrObject *self)
{
    seen.calls++;
    orr_object_unref(self);
    seen.finalized_in_call = seen.finalized;
    seen.refcount = orr_object_get_refcount(self);
    seen.state = orr_object_get_state(self);
}

static int64_t sub_only(OrrObject *self, int64_t v)
{
    seen.calls++;
    seen.self = self;
    return -v;
}

/* --- Types --------------------------------------------------------------- */

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
    ADD(klass, "echo_u8", "u8(u8)", echo_u8, NULL);
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
    seen.finalized++;
}

static void sub_class_init(OrrObjectClass *klass, const void *data)
{
    ADD(klass, "sub_only", "i64(i64)", sub_only, "Negates.");
}

/* The attempts test-m-bad's class_init makes, in order, and their
 * expected outcome (-1: success). */
static const struct {
    const char *name;
    const char *sig;
    int code;
} bad_cases[] = {
    {"bad_unknown_arg", "i32(i33)", ORR_ERROR_INVALID},
    {"bad_unknown_arg2", "i32(u32,int)", ORR_ERROR_INVALID},
    {"bad_unknown_ret", "int(i32)", ORR_ERROR_INVALID},
    {"bad_void_arg", "i32(void)", ORR_ERROR_INVALID},
    {"bad_void_arg2", "void(u8,void)", ORR_ERROR_INVALID},
    {"bad_no_parens", "i32", ORR_ERROR_INVALID},
    {"bad_no_close", "i32(i32", ORR_ERROR_INVALID},
    {"bad_no_ret", "(i32)", ORR_ERROR_INVALID},
    {"bad_empty", "", ORR_ERROR_INVALID},
    {"bad_trailing_comma", "i32(i32,)", ORR_ERROR_INVALID},
    {"bad_leading_comma", "i32(,i32)", ORR_ERROR_INVALID},
    {"bad_double_comma", "i32(i32,,i32)", ORR_ERROR_INVALID},
    {"bad_extra_close", "i32(i32))", ORR_ERROR_INVALID},
    {"bad_nested", "i32((i32))", ORR_ERROR_INVALID},
    {"bad_trailing", "i32(i32)x", ORR_ERROR_INVALID},
    {"bad_two_rets", "i32 u8(i32)", ORR_ERROR_INVALID},
    /* inherited from test-m */
    {"echo_i32", "i32(i32)", ORR_ERROR_EXISTS},
    {"nop", "u8(u8)", ORR_ERROR_EXISTS},
    /* own */
    {"fresh", "u8(u8)", -1},
    {"fresh", "u16(u16)", ORR_ERROR_EXISTS},
};

static struct {
    bool ran;
    bool ok;
    GError *err;
} bad_results[G_N_ELEMENTS(bad_cases)];

static void bad_class_init(OrrObjectClass *klass, const void *data)
{
    for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        bad_results[i].ran = true;
        bad_results[i].ok = orr_class_add_method(
            klass, bad_cases[i].name, bad_cases[i].sig, (OrrMethodFn)echo_u8,
            NULL, &bad_results[i].err);
    }
}

/* The interface: one slot. */
typedef struct TestScalerClass {
    OrrInterfaceClass parent_class;
    int32_t (*scale)(OrrObject *obj, int32_t x);
} TestScalerClass;

static int32_t scale_default(OrrObject *obj, int32_t x)
{
    return x;
}

static void scaler_class_init(OrrObjectClass *klass, const void *data)
{
    ((TestScalerClass *)klass)->scale = scale_default;
}

/* Set by the interface test before test-scaled's class is made. */
static int32_t (*scaled_impl)(OrrObject *obj, int32_t x);

static void scaled_class_init(OrrObjectClass *klass, const void *data)
{
    TestScalerClass *sc =
        (TestScalerClass *)orr_class_get_interface(klass, TYPE_SCALER);

    g_assert_nonnull(sc);
    g_assert_true(sc->scale == scale_default);
    sc->scale = scaled_impl;
}

static void register_types(void)
{
    static const char *const scaler_ifaces[] = {TYPE_SCALER, NULL};
    static const OrrTypeInfo infos[] = {
        {
            .name = TYPE_M,
            .class_init = m_class_init,
            .instance_finalize = m_instance_finalize,
        },
        {.name = TYPE_M_SUB, .parent = TYPE_M, .class_init = sub_class_init},
        {.name = TYPE_M_BAD, .parent = TYPE_M, .class_init = bad_class_init},
        {
            .name = TYPE_SCALER,
            .parent = ORR_TYPE_INTERFACE,
            .class_size = sizeof(TestScalerClass),
            .class_init = scaler_class_init,
        },
        {
            .name = TYPE_SCALED,
            .class_init = scaled_class_init,
            .interfaces = scaler_ifaces,
        },
        {.name = TYPE_SCALED_PLAIN, .interfaces = scaler_ifaces},
    };

    for (guint i = 0; i < G_N_ELEMENTS(infos); i++) {
        g_autoptr(GError) err = NULL;

        g_assert_nonnull(orr_type_register(&infos[i], &err));
        g_assert_no_error(err);
    }
}

/* --- Helpers ------------------------------------------------------------- */

static OrrObjectClass *class_of(const char *type)
{
    OrrType *t = orr_type_lookup(type);

    g_assert_nonnull(t);
    return orr_type_get_class(t);
}

/* Asserts @got has @want's type and content. */
static void assert_value(const OrrValue *got, const OrrValue *want)
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

/* Calls @method on @obj, which must succeed, call it once with @obj as
 * self, and return @want. */
static void assert_call(OrrObject *obj, const char *method,
                        const OrrValue *args, guint nargs, const OrrValue *want)
{
    g_autoptr(GError) err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;
    guint before = seen.calls;

    seen.self = NULL;
    g_assert_true(orr_object_call_method(obj, method, args, nargs, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(seen.calls, ==, before + 1);
    g_assert_true(seen.self == obj);
    assert_value(&ret, want);
}

typedef struct {
    OrrValue in;
    OrrValue out;
} EchoCase;

/* Runs one-argument echo cases on a fresh test-m. */
static void run_echo(const char *method, const EchoCase *cases, guint n)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    for (guint i = 0; i < n; i++) {
        g_test_message("%s case %u", method, i);
        assert_call(obj, method, &cases[i].in, 1, &cases[i].out);
    }
    g_assert_cmpuint(seen.calls, ==, n);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* Whether the decimal @n appears in @msg as a number of its own (not part
 * of a word like "u8"). */
static bool message_has_number(const char *msg, guint64 n)
{
    g_autofree char *num = g_strdup_printf("%" G_GUINT64_FORMAT, n);
    size_t len = strlen(num);

    for (const char *p = strstr(msg, num); p != NULL; p = strstr(p + 1, num)) {
        if ((p == msg || !g_ascii_isalnum(p[-1])) && !g_ascii_isalnum(p[len])) {
            return true;
        }
    }
    return false;
}

/*
 * Calls @method, which must fail without calling anything or touching
 * @ret; the message must name the method and, unless 0, @number (the
 * argument's position or the expected count).
 * Returns: (transfer full): the error.
 */
static GError *assert_call_fails(OrrObject *obj, const char *method,
                                 const OrrValue *args, guint nargs,
                                 guint64 number)
{
    GError *err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;
    guint before = seen.calls;

    g_assert_false(
        orr_object_call_method(obj, method, args, nargs, &ret, &err));
    g_assert_nonnull(err);
    g_test_message("%s: %s", method, err->message);
    g_assert_true(err->domain == ORR_ERROR);
    g_assert_nonnull(strstr(err->message, method));
    if (number != 0) {
        g_assert_true(message_has_number(err->message, number));
    }
    g_assert_cmpuint(seen.calls, ==, before);
    g_assert_cmpint(ret.type, ==, ORR_VALUE_NONE);
    return err;
}

/* The names in @list (of OrrMethod), joined with ",". */
static char *method_names(GPtrArray *list)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < list->len; i++) {
        g_string_append_printf(s, "%s%s", i ? "," : "",
                               orr_method_get_name(list->pdata[i]));
    }
    return g_string_free(s, FALSE);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* @names sorted with strcmp and joined with ",". */
static char *sorted_names(const char *const *names, guint n)
{
    g_autofree const char **copy = g_memdup2(names, n * sizeof(*names));

    qsort(copy, n, sizeof(*copy), cmp_str);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < n; i++) {
        g_string_append_printf(s, "%s%s", i ? "," : "", copy[i]);
    }
    return g_string_free(s, FALSE);
}

static const char *const m_method_names[] = {
    "echo_bool", "echo_i8",    "echo_i16", "echo_i32", "echo_i64",
    "echo_u8",   "echo_u16",   "echo_u32", "echo_u64", "echo_f64",
    "echo_str",  "echo_obj",   "ret_bool", "ret_i8",   "ret_i16",
    "ret_i32",   "ret_u8",     "ret_u16",  "ret_u32",  "nop",
    "self",      "str_static", "mix",      "probe",    "drop_self",
};

/* --- Calls with good arguments ------------------------------------------- */

static void test_call_bool(void)
{
    const EchoCase cases[] = {
        {V_BOOL(true), V_BOOL(true)},
        {V_BOOL(false), V_BOOL(false)},
    };

    run_echo("echo_bool", cases, G_N_ELEMENTS(cases));
}

static void test_call_i8(void)
{
    const EchoCase cases[] = {
        {V_INT(INT8_MIN), V_INT(INT8_MIN)},
        {V_INT(INT8_MAX), V_INT(INT8_MAX)},
        {V_INT(-1), V_INT(-1)},
        {V_INT(0), V_INT(0)},
        {V_UINT(INT8_MAX), V_INT(INT8_MAX)},
    };

    run_echo("echo_i8", cases, G_N_ELEMENTS(cases));
}

static void test_call_i16(void)
{
    const EchoCase cases[] = {
        {V_INT(INT16_MIN), V_INT(INT16_MIN)},
        {V_INT(INT16_MAX), V_INT(INT16_MAX)},
        {V_INT(-300), V_INT(-300)},
        {V_UINT(1234), V_INT(1234)},
    };

    run_echo("echo_i16", cases, G_N_ELEMENTS(cases));
}

static void test_call_i32(void)
{
    const EchoCase cases[] = {
        {V_INT(INT32_MIN), V_INT(INT32_MIN)},
        {V_INT(INT32_MAX), V_INT(INT32_MAX)},
        {V_INT(-70000), V_INT(-70000)},
        {V_UINT(INT32_MAX), V_INT(INT32_MAX)},
    };

    run_echo("echo_i32", cases, G_N_ELEMENTS(cases));
}

static void test_call_i64(void)
{
    const EchoCase cases[] = {
        {V_INT(INT64_MIN), V_INT(INT64_MIN)},
        {V_INT(INT64_MAX), V_INT(INT64_MAX)},
        {V_INT(-5000000000LL), V_INT(-5000000000LL)},
        {V_INT(-1), V_INT(-1)},
        {V_UINT(INT64_MAX), V_INT(INT64_MAX)},
    };

    run_echo("echo_i64", cases, G_N_ELEMENTS(cases));
}

static void test_call_u8(void)
{
    const EchoCase cases[] = {
        {V_UINT(0), V_UINT(0)},
        {V_UINT(UINT8_MAX), V_UINT(UINT8_MAX)},
        {V_INT(UINT8_MAX), V_UINT(UINT8_MAX)},
        {V_INT(0x80), V_UINT(0x80)},
    };

    run_echo("echo_u8", cases, G_N_ELEMENTS(cases));
}

static void test_call_u16(void)
{
    const EchoCase cases[] = {
        {V_UINT(UINT16_MAX), V_UINT(UINT16_MAX)},
        {V_INT(0x8000), V_UINT(0x8000)},
        {V_INT(0), V_UINT(0)},
    };

    run_echo("echo_u16", cases, G_N_ELEMENTS(cases));
}

static void test_call_u32(void)
{
    const EchoCase cases[] = {
        {V_UINT(UINT32_MAX), V_UINT(UINT32_MAX)},
        {V_INT(0x80000000LL), V_UINT(0x80000000u)},
        {V_UINT(1), V_UINT(1)},
    };

    run_echo("echo_u32", cases, G_N_ELEMENTS(cases));
}

static void test_call_u64(void)
{
    const EchoCase cases[] = {
        {V_UINT(UINT64_MAX), V_UINT(UINT64_MAX)},
        {V_UINT(1ULL << 63), V_UINT(1ULL << 63)},
        {V_INT(INT64_MAX), V_UINT(INT64_MAX)},
        {V_INT(0), V_UINT(0)},
    };

    run_echo("echo_u64", cases, G_N_ELEMENTS(cases));
}

/* f64 takes DOUBLE, and INT or UINT converted. */
static void test_call_f64(void)
{
    const EchoCase cases[] = {
        {V_DBL(1.5), V_DBL(1.5)},
        {V_DBL(-0.25), V_DBL(-0.25)},
        {V_DBL(1e300), V_DBL(1e300)},
        {V_INT(-3), V_DBL(-3.0)},
        {V_INT(0), V_DBL(0.0)},
        {V_UINT(1ULL << 53), V_DBL(9007199254740992.0)},
    };

    run_echo("echo_f64", cases, G_N_ELEMENTS(cases));
}

static void test_call_str(void)
{
    const EchoCase cases[] = {
        {V_STR("hello"), V_STR("hello")},
        {V_STR(""), V_STR("")},
        {V_STR("with space/and\ttab"), V_STR("with space/and\ttab")},
    };

    run_echo("echo_str", cases, G_N_ELEMENTS(cases));
}

/* A returned str is copied: the result does not alias the C buffer. */
static void test_call_str_return_copied(void)
{
    g_autoptr(GError) err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;

    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    g_strlcpy(static_buf, "static", sizeof(static_buf));
    g_assert_true(
        orr_object_call_method(obj, "str_static", NULL, 0, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpint(ret.type, ==, ORR_VALUE_STRING);
    g_assert_true(ret.s != static_buf);
    g_strlcpy(static_buf, "changed", sizeof(static_buf));
    g_assert_cmpstr(ret.s, ==, "static");

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_call_obj(void)
{
    g_autoptr(GError) err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;

    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    OrrObject *other = orr_test_new_object(TYPE_M_SUB);

    assert_call(obj, "echo_obj", &(OrrValue)V_OBJ(other), 1,
                &(OrrValue)V_OBJ(other));
    assert_call(obj, "echo_obj", &(OrrValue)V_OBJ(obj), 1,
                &(OrrValue)V_OBJ(obj));
    /* obj returns hold no reference */
    g_assert_cmpuint(orr_object_get_refcount(other), ==, 1);

    /* NONE passes NULL; a NULL return is NONE or a NULL object */
    g_assert_true(orr_object_call_method(obj, "echo_obj", &(OrrValue)V_NONE, 1,
                                         &ret, &err));
    g_assert_no_error(err);
    g_assert_true(ret.type == ORR_VALUE_NONE ||
                  (ret.type == ORR_VALUE_OBJECT && ret.o == NULL));

    orr_object_unref(other);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* void returns NONE, clearing whatever @ret held. */
static void test_call_void_returns_none(void)
{
    g_autoptr(GError) err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;

    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    orr_value_set_string(&ret, "stale");
    g_assert_true(orr_object_call_method(obj, "nop", NULL, 0, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpint(ret.type, ==, ORR_VALUE_NONE);
    g_assert_cmpuint(seen.calls, ==, 1);
    g_assert_true(seen.self == obj);

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* Narrow integral returns keep their value and signedness. */
static void test_call_narrow_returns(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    assert_call(obj, "ret_bool", NULL, 0, &(OrrValue)V_BOOL(true));
    assert_call(obj, "ret_i8", NULL, 0, &(OrrValue)V_INT(-2));
    assert_call(obj, "ret_i16", NULL, 0, &(OrrValue)V_INT(-2));
    assert_call(obj, "ret_i32", NULL, 0, &(OrrValue)V_INT(-2));
    assert_call(obj, "ret_u8", NULL, 0, &(OrrValue)V_UINT(0xfe));
    assert_call(obj, "ret_u16", NULL, 0, &(OrrValue)V_UINT(0xfffe));
    assert_call(obj, "ret_u32", NULL, 0, &(OrrValue)V_UINT(0xfffffffeu));

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* The implicit first parameter is the object called. */
static void test_call_implicit_self(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    OrrObject *sub = orr_test_new_object(TYPE_M_SUB);

    assert_call(obj, "self", NULL, 0, &(OrrValue)V_OBJ(obj));
    assert_call(sub, "self", NULL, 0, &(OrrValue)V_OBJ(sub));
    assert_call(sub, "echo_i32", &(OrrValue)V_INT(7), 1, &(OrrValue)V_INT(7));

    orr_object_unref(sub);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* Every kind of argument in one call, converted and in order. */
static void test_call_many_arguments(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    OrrObject *other = orr_test_new_object(TYPE_M);
    const OrrValue args[] = {
        V_INT(200), V_INT(INT16_MIN), V_UINT(UINT32_MAX), V_INT(-5000000000LL),
        V_INT(-2),  V_BOOL(true),     V_STR("mixed"),     V_OBJ(other),
    };

    assert_call(obj, "mix", args, G_N_ELEMENTS(args),
                &(OrrValue)V_UINT(200ULL * 1000000 + UINT32_MAX));
    g_assert_cmpuint(seen.a, ==, 200);
    g_assert_cmpint(seen.b, ==, INT16_MIN);
    g_assert_cmpuint(seen.c, ==, UINT32_MAX);
    g_assert_cmpint(seen.d, ==, -5000000000LL);
    g_assert_cmpfloat(seen.e, ==, -2.0);
    g_assert_true(seen.f);
    g_assert_cmpstr(seen.g, ==, "mixed");
    g_assert_true(seen.h == other);

    /* a NONE obj argument is NULL */
    OrrValue none_obj[G_N_ELEMENTS(args)];
    memcpy(none_obj, args, sizeof(args));
    none_obj[7] = (OrrValue)V_NONE;
    none_obj[5] = (OrrValue)V_BOOL(false);
    assert_call(obj, "mix", none_obj, G_N_ELEMENTS(none_obj),
                &(OrrValue)V_UINT(200ULL * 1000000 + UINT32_MAX));
    g_assert_null(seen.h);
    g_assert_false(seen.f);

    orr_object_unref(other);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* --- Calls with bad arguments -------------------------------------------- */

static void test_error_unknown_method(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    GError *err;

    err = assert_call_fails(obj, "no_such_method", NULL, 0, 0);
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_error_free(err);

    /* a subclass's method is not the parent's */
    err = assert_call_fails(obj, "sub_only", &(OrrValue)V_INT(1), 1, 0);
    g_assert_error(err, ORR_ERROR, ORR_ERROR_NOT_FOUND);
    g_error_free(err);

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_error_wrong_count(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    const OrrValue args[9] = {
        V_INT(1),     V_INT(2),   V_INT(3), V_INT(4), V_DBL(5.5),
        V_BOOL(true), V_STR("s"), V_NONE,   V_INT(9),
    };

    g_error_free(assert_call_fails(obj, "mix", args, 7, 8));
    g_error_free(assert_call_fails(obj, "mix", args, 9, 8));
    g_error_free(assert_call_fails(obj, "mix", NULL, 0, 8));
    g_error_free(assert_call_fails(obj, "echo_u32", NULL, 0, 1));
    g_error_free(assert_call_fails(obj, "echo_u32", args, 2, 1));
    g_error_free(assert_call_fails(obj, "nop", args, 1, 0));
    g_assert_cmpuint(seen.calls, ==, 0);

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

typedef struct {
    const char *method;
    OrrValue arg;
} BadArg;

/* Runs one-argument calls that must fail at position 1. */
static void run_bad_args(OrrObject *obj, const BadArg *cases, guint n, int code)
{
    for (guint i = 0; i < n; i++) {
        g_autofree char *shown = orr_value_to_string(&cases[i].arg);
        g_test_message("%s(%s)", cases[i].method, shown);
        GError *err =
            assert_call_fails(obj, cases[i].method, &cases[i].arg, 1, 1);
        if (code >= 0) {
            g_assert_error(err, ORR_ERROR, code);
        }
        g_error_free(err);
    }
}

static const OrrValue good_mix[8] = {
    V_UINT(7),  V_INT(-2),     V_UINT(3),   V_INT(4),
    V_DBL(0.5), V_BOOL(false), V_STR("ok"), V_NONE,
};

static void test_error_wrong_type(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    const BadArg cases[] = {
        {"echo_bool", V_INT(1)},         {"echo_bool", V_STR("true")},
        {"echo_i8", V_BOOL(true)},       {"echo_i32", V_DBL(1.0)},
        {"echo_i64", V_STR("5")},        {"echo_u8", V_STR("1")},
        {"echo_u64", V_DBL(2.0)},        {"echo_u32", V_NONE},
        {"echo_f64", V_BOOL(true)},      {"echo_f64", V_STR("1.5")},
        {"echo_str", V_INT(5)},          {"echo_str", V_NONE},
        {"echo_str", V_OBJ(obj)},        {"echo_obj", V_INT(0)},
        {"echo_obj", V_STR("/machine")},
    };

    run_bad_args(obj, cases, G_N_ELEMENTS(cases), -1);

    /* the position of a bad argument among good ones */
    for (guint pos = 0; pos < G_N_ELEMENTS(good_mix); pos++) {
        OrrValue args[G_N_ELEMENTS(good_mix)];

        memcpy(args, good_mix, sizeof(args));
        /* a string fits none but str; a bool fits str no more */
        args[pos] = pos == 6 ? (OrrValue)V_BOOL(true) : (OrrValue)V_STR("x");
        g_test_message("mix: bad argument %u", pos + 1);
        g_error_free(
            assert_call_fails(obj, "mix", args, G_N_ELEMENTS(args), pos + 1));
    }
    g_assert_cmpuint(seen.calls, ==, 0);

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_error_out_of_range(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    const BadArg cases[] = {
        {"echo_u8", V_INT(256)},          {"echo_u8", V_UINT(256)},
        {"echo_u8", V_INT(-1)},           {"echo_u16", V_INT(65536)},
        {"echo_u16", V_INT(-1)},          {"echo_u32", V_INT(-1)},
        {"echo_u32", V_UINT(1ULL << 32)}, {"echo_u64", V_INT(-1)},
        {"echo_u64", V_INT(INT64_MIN)},   {"echo_i8", V_INT(128)},
        {"echo_i8", V_INT(-129)},         {"echo_i8", V_UINT(128)},
        {"echo_i16", V_INT(32768)},       {"echo_i16", V_INT(-32769)},
        {"echo_i32", V_INT(1LL << 31)},   {"echo_i32", V_INT(-(1LL << 31) - 1)},
        {"echo_i32", V_UINT(UINT32_MAX)}, {"echo_i64", V_UINT(1ULL << 63)},
        {"echo_i64", V_UINT(UINT64_MAX)},
    };

    run_bad_args(obj, cases, G_N_ELEMENTS(cases), -1);

    /* positions 1..4 of mix: u8, i16, u32, i64 */
    const OrrValue too_big[] = {
        V_INT(300),
        V_INT(40000),
        V_INT(-7),
        V_UINT(1ULL << 63),
    };
    for (guint pos = 0; pos < G_N_ELEMENTS(too_big); pos++) {
        OrrValue args[G_N_ELEMENTS(good_mix)];

        memcpy(args, good_mix, sizeof(args));
        args[pos] = too_big[pos];
        g_test_message("mix: argument %u out of range", pos + 1);
        g_error_free(
            assert_call_fails(obj, "mix", args, G_N_ELEMENTS(args), pos + 1));
    }
    g_assert_cmpuint(seen.calls, ==, 0);

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/*
 * The codes of error.h: a value of the wrong type is ORR_ERROR_TYPE, a
 * value out of range ORR_ERROR_INVALID ("an argument is malformed or out
 * of range"), an unknown method ORR_ERROR_NOT_FOUND.
 */
static void test_error_codes(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    const BadArg wrong_type[] = {
        {"echo_u8", V_STR("1")},
        {"echo_str", V_INT(1)},
        {"echo_bool", V_INT(1)},
    };
    const BadArg out_of_range[] = {
        {"echo_u8", V_INT(256)},
        {"echo_u32", V_INT(-1)},
        {"echo_i64", V_UINT(1ULL << 63)},
    };

    run_bad_args(obj, wrong_type, G_N_ELEMENTS(wrong_type), ORR_ERROR_TYPE);
    /* Every mismatch in one report. */
    g_autoptr(GString) wrong = g_string_new(NULL);
    for (guint i = 0; i < G_N_ELEMENTS(out_of_range); i++) {
        GError *err = assert_call_fails(obj, out_of_range[i].method,
                                        &out_of_range[i].arg, 1, 1);

        if (!g_error_matches(err, ORR_ERROR, ORR_ERROR_INVALID)) {
            g_string_append_printf(wrong, "%s[code %d: %s]",
                                   wrong->len ? ", " : "", err->code,
                                   err->message);
        }
        g_error_free(err);
    }
    if (wrong->len > 0) {
        g_test_fail_printf("out of range must be ORR_ERROR_INVALID (%d): %s",
                           ORR_ERROR_INVALID, wrong->str);
    }

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* --- Adding methods ------------------------------------------------------ */

/* Makes test-m-bad's class, which runs the attempts of bad_cases. */
static OrrObjectClass *bad_class(void)
{
    OrrObjectClass *klass = class_of(TYPE_M_BAD);

    for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        g_assert_true(bad_results[i].ran);
    }
    return klass;
}

static void assert_bad_case(guint i)
{
    g_test_message("add_method('%s', '%s')", bad_cases[i].name,
                   bad_cases[i].sig);
    if (bad_cases[i].code < 0) {
        g_assert_no_error(bad_results[i].err);
        g_assert_true(bad_results[i].ok);
        return;
    }
    g_assert_false(bad_results[i].ok);
    g_assert_error(bad_results[i].err, ORR_ERROR, bad_cases[i].code);
    g_assert_nonnull(strstr(bad_results[i].err->message, bad_cases[i].name));
}

static void test_add_bad_signatures(void)
{
    OrrObjectClass *klass = bad_class();

    for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        if (bad_cases[i].code != ORR_ERROR_INVALID) {
            continue;
        }
        assert_bad_case(i);
        /* nothing was added */
        g_assert_null(orr_class_find_method(klass, bad_cases[i].name));
    }
    orr_test_assert_no_live_objects();
}

static void test_add_duplicates(void)
{
    OrrObjectClass *klass = bad_class();

    for (guint i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        if (bad_cases[i].code == ORR_ERROR_INVALID) {
            continue;
        }
        assert_bad_case(i);
    }

    /* the first of each name stays */
    const OrrMethod *m = orr_class_find_method(klass, "echo_i32");
    g_assert_nonnull(m);
    g_assert_cmpstr(orr_method_get_signature(m), ==, "i32(i32)");
    m = orr_class_find_method(klass, "nop");
    g_assert_nonnull(m);
    g_assert_cmpstr(orr_method_get_signature(m), ==, "void()");
    m = orr_class_find_method(klass, "fresh");
    g_assert_nonnull(m);
    g_assert_cmpstr(orr_method_get_signature(m), ==, "u8(u8)");

    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M_BAD);
    assert_call(obj, "echo_i32", &(OrrValue)V_INT(-9), 1, &(OrrValue)V_INT(-9));
    assert_call(obj, "nop", NULL, 0, &(OrrValue)V_NONE);
    assert_call(obj, "fresh", &(OrrValue)V_UINT(200), 1,
                &(OrrValue)V_UINT(200));
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* --- Inheritance and reflection ------------------------------------------ */

static void test_inherit_find(void)
{
    OrrObjectClass *m = class_of(TYPE_M);
    OrrObjectClass *sub = class_of(TYPE_M_SUB);

    g_assert_nonnull(orr_class_find_method(sub, "echo_i32"));
    g_assert_nonnull(orr_class_find_method(sub, "mix"));
    g_assert_nonnull(orr_class_find_method(sub, "sub_only"));
    g_assert_null(orr_class_find_method(m, "sub_only"));
    g_assert_null(orr_class_find_method(m, "no_such_method"));
    g_assert_null(orr_class_find_method(sub, "no_such_method"));
    g_assert_null(orr_class_find_method(class_of(ORR_TYPE_CONTAINER), "nop"));

    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M_SUB);
    assert_call(obj, "sub_only", &(OrrValue)V_INT(INT64_MIN + 1), 1,
                &(OrrValue)V_INT(INT64_MAX));
    assert_call(obj, "echo_u64", &(OrrValue)V_UINT(UINT64_MAX), 1,
                &(OrrValue)V_UINT(UINT64_MAX));
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_inherit_list_sorted(void)
{
    const char *sub_names[G_N_ELEMENTS(m_method_names) + 1];
    g_autoptr(GPtrArray) m_list = orr_class_list_methods(class_of(TYPE_M));
    g_autoptr(GPtrArray) sub_list =
        orr_class_list_methods(class_of(TYPE_M_SUB));
    g_autoptr(GPtrArray) empty =
        orr_class_list_methods(class_of(TYPE_SCALED_PLAIN));
    g_autofree char *m_got = method_names(m_list);
    g_autofree char *sub_got = method_names(sub_list);
    g_autofree char *m_want =
        sorted_names(m_method_names, G_N_ELEMENTS(m_method_names));

    memcpy(sub_names, m_method_names, sizeof(m_method_names));
    sub_names[G_N_ELEMENTS(m_method_names)] = "sub_only";
    g_autofree char *sub_want =
        sorted_names(sub_names, G_N_ELEMENTS(sub_names));

    g_assert_cmpstr(m_got, ==, m_want);
    g_assert_cmpstr(sub_got, ==, sub_want);
    g_assert_cmpuint(empty->len, ==, 0);
    orr_test_assert_no_live_objects();
}

static void test_inherit_accessors(void)
{
    OrrObjectClass *sub = class_of(TYPE_M_SUB);
    const OrrMethod *m;

    m = orr_class_find_method(sub, "echo_i32");
    g_assert_cmpstr(orr_method_get_name(m), ==, "echo_i32");
    g_assert_cmpstr(orr_method_get_signature(m), ==, "i32(i32)");
    g_assert_cmpstr(orr_method_get_doc(m), ==, "Returns its i32 argument.");

    m = orr_class_find_method(sub, "mix");
    g_assert_cmpstr(orr_method_get_name(m), ==, "mix");
    g_assert_cmpstr(orr_method_get_signature(m), ==,
                    "u64(u8,i16,u32,i64,f64,bool,str,obj)");
    g_assert_null(orr_method_get_doc(m));

    m = orr_class_find_method(sub, "nop");
    g_assert_cmpstr(orr_method_get_signature(m), ==, "void()");
    g_assert_cmpstr(orr_method_get_doc(m), ==, "Does nothing.");

    m = orr_class_find_method(sub, "sub_only");
    g_assert_cmpstr(orr_method_get_name(m), ==, "sub_only");
    g_assert_cmpstr(orr_method_get_signature(m), ==, "i64(i64)");
    g_assert_cmpstr(orr_method_get_doc(m), ==, "Negates.");

    /* the subclass sees the parent's method itself */
    g_assert_true(orr_class_find_method(sub, "echo_i32") ==
                  orr_class_find_method(class_of(TYPE_M), "echo_i32"));
    orr_test_assert_no_live_objects();
}

/* --- The object is held during the call ---------------------------------- */

static void test_hold_during_call(void)
{
    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    assert_call(obj, "probe", NULL, 0, &(OrrValue)V_UINT(2));
    g_assert_cmpuint(seen.refcount, ==, 2);
    g_assert_cmpuint(seen.call_holders, ==, 1);
    g_assert_cmpuint(seen.caller_holders, ==, 1);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);

    /* a failed call takes nothing */
    g_error_free(assert_call_fails(obj, "probe", &(OrrValue)V_INT(1), 1, 0));
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);

    orr_object_unref(obj);
    g_assert_cmpuint(seen.finalized, ==, 1);
    orr_test_assert_no_live_objects();
}

/* The method drops the last outside reference: the call's keeps the object
 * alive until the method returns. */
static void test_hold_drop_last_reference(void)
{
    g_autoptr(GError) err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;

    reset_seen();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    g_assert_true(
        orr_object_call_method(obj, "drop_self", NULL, 0, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(seen.calls, ==, 1);
    g_assert_cmpuint(seen.finalized_in_call, ==, 0);
    g_assert_cmpuint(seen.refcount, ==, 1);
    g_assert_cmpint(seen.state, ==, ORR_OBJECT_LIVE);
    g_assert_cmpuint(seen.finalized, ==, 1);
    g_assert_cmpint(ret.type, ==, ORR_VALUE_NONE);
    orr_test_assert_no_live_objects();
}

/* --- Closures ------------------------------------------------------------ */

/* A generic handler's record: what it received, what it returns. */
typedef struct {
    guint calls;
    guint nargs;
    OrrValue args[8];
    const char *str_ptr[8]; /* NOREF: the handler's string pointers */
    bool ret_was_none;
    OrrValue ret; /* returned to C */
    guint destroyed;
} Probe;

static void probe_handler(const OrrValue *args, guint nargs, OrrValue *ret,
                          void *data)
{
    Probe *p = data;

    p->calls++;
    p->nargs = nargs;
    g_assert_cmpuint(nargs, <=, G_N_ELEMENTS(p->args));
    for (guint i = 0; i < nargs; i++) {
        orr_value_copy(&p->args[i], &args[i]);
        p->str_ptr[i] = args[i].type == ORR_VALUE_STRING ? args[i].s : NULL;
    }
    p->ret_was_none = ret->type == ORR_VALUE_NONE;
    orr_value_copy(ret, &p->ret);
}

static void probe_destroy(void *data)
{
    ((Probe *)data)->destroyed++;
}

static void probe_clear(Probe *p)
{
    for (guint i = 0; i < G_N_ELEMENTS(p->args); i++) {
        orr_value_clear(&p->args[i]);
    }
    orr_value_clear(&p->ret);
}

/* Returns a new closure over @p, which must succeed. */
static OrrClosure *probe_closure(const char *sig, Probe *p)
{
    g_autoptr(GError) err = NULL;
    OrrClosure *c = orr_closure_new(sig, probe_handler, p, probe_destroy, &err);

    g_assert_no_error(err);
    g_assert_nonnull(c);
    g_assert_nonnull(orr_closure_get_code(c));
    return c;
}

typedef uint64_t (*ObjU32BoolFn)(OrrObject *, uint32_t, bool);

static void test_closure_obj_u32_bool(void)
{
    Probe p = {0};
    OrrObject *obj = orr_test_new_object(TYPE_M);
    OrrClosure *c = probe_closure("u64(obj,u32,bool)", &p);
    ObjU32BoolFn fn = (ObjU32BoolFn)orr_closure_get_code(c);

    orr_value_set_uint(&p.ret, UINT64_MAX);
    g_assert_cmpuint(fn(obj, UINT32_MAX, true), ==, UINT64_MAX);
    g_assert_cmpuint(p.calls, ==, 1);
    g_assert_cmpuint(p.nargs, ==, 3);
    g_assert_true(p.ret_was_none);
    assert_value(&p.args[0], &(OrrValue)V_OBJ(obj));
    assert_value(&p.args[1], &(OrrValue)V_UINT(UINT32_MAX));
    assert_value(&p.args[2], &(OrrValue)V_BOOL(true));
    /* obj arguments are NOREF */
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);

    orr_value_set_uint(&p.ret, 42);
    g_assert_cmpuint(fn(obj, 0, false), ==, 42);
    g_assert_cmpuint(p.calls, ==, 2);
    assert_value(&p.args[1], &(OrrValue)V_UINT(0));
    assert_value(&p.args[2], &(OrrValue)V_BOOL(false));

    /* an INT that fits converts too */
    orr_value_set_int(&p.ret, 7);
    g_assert_cmpuint(fn(obj, 1, true), ==, 7);

    g_assert_cmpuint(p.destroyed, ==, 0);
    orr_closure_free(c);
    g_assert_cmpuint(p.destroyed, ==, 1);
    probe_clear(&p);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_closure_void(void)
{
    Probe p = {0};
    OrrClosure *c = probe_closure("void()", &p);
    void (*fn)(void) = (void (*)(void))orr_closure_get_code(c);

    fn();
    fn();
    g_assert_cmpuint(p.calls, ==, 2);
    g_assert_cmpuint(p.nargs, ==, 0);

    /* a value returned to a void caller is ignored */
    orr_value_set_string(&p.ret, "ignored");
    fn();
    g_assert_cmpuint(p.calls, ==, 3);

    orr_closure_free(c);
    g_assert_cmpuint(p.destroyed, ==, 1);
    probe_clear(&p);
    orr_test_assert_no_live_objects();
}

static void test_closure_i32(void)
{
    Probe p = {0};
    OrrClosure *c = probe_closure("i32(i32)", &p);
    int32_t (*fn)(int32_t) = (int32_t(*)(int32_t))orr_closure_get_code(c);

    orr_value_set_int(&p.ret, -5);
    g_assert_cmpint(fn(5), ==, -5);
    assert_value(&p.args[0], &(OrrValue)V_INT(5));

    orr_value_set_int(&p.ret, INT32_MIN);
    g_assert_cmpint(fn(-1), ==, INT32_MIN);
    assert_value(&p.args[0], &(OrrValue)V_INT(-1));

    orr_value_set_int(&p.ret, INT32_MAX);
    g_assert_cmpint(fn(INT32_MIN), ==, INT32_MAX);
    assert_value(&p.args[0], &(OrrValue)V_INT(INT32_MIN));

    /* a UINT that fits converts */
    orr_value_set_uint(&p.ret, 12);
    g_assert_cmpint(fn(0), ==, 12);
    g_assert_cmpuint(p.calls, ==, 4);

    orr_closure_free(c);
    g_assert_cmpuint(p.destroyed, ==, 1);
    probe_clear(&p);
    orr_test_assert_no_live_objects();
}

static void test_closure_f64(void)
{
    Probe p = {0};
    OrrClosure *c = probe_closure("f64(f64,f64)", &p);
    double (*fn)(double, double) =
        (double (*)(double, double))orr_closure_get_code(c);

    orr_value_set_double(&p.ret, -0.125);
    g_assert_cmpfloat(fn(1.5, -2e10), ==, -0.125);
    g_assert_cmpuint(p.nargs, ==, 2);
    assert_value(&p.args[0], &(OrrValue)V_DBL(1.5));
    assert_value(&p.args[1], &(OrrValue)V_DBL(-2e10));

    /* an INT converts to f64 */
    orr_value_set_int(&p.ret, -3);
    g_assert_cmpfloat(fn(0.0, 0.0), ==, -3.0);

    orr_closure_free(c);
    probe_clear(&p);
    orr_test_assert_no_live_objects();
}

/* str arguments reach the handler as copies; a returned str stays valid
 * for the C caller after the handler returns. */
static void test_closure_str(void)
{
    Probe p = {0};
    OrrClosure *c = probe_closure("str(str)", &p);
    const char *(*fn)(const char *) =
        (const char *(*)(const char *))orr_closure_get_code(c);
    char arg[] = "abc";

    orr_value_set_string(&p.ret, "ABC");
    const char *got = fn(arg);
    g_assert_cmpstr(got, ==, "ABC");
    assert_value(&p.args[0], &(OrrValue)V_STR("abc"));
    g_assert_true(p.str_ptr[0] != arg);
    /* the result is not the handler's value, which is gone */
    orr_value_set_string(&p.ret, "second");
    g_assert_cmpstr(fn("x"), ==, "second");

    orr_value_clear(&p.ret);
    g_assert_null(fn("y"));

    orr_closure_free(c);
    g_assert_cmpuint(p.destroyed, ==, 1);
    probe_clear(&p);
    orr_test_assert_no_live_objects();
}

/* Narrow and 64-bit integers, and objects, both ways. */
static void test_closure_integers(void)
{
    Probe p = {0};
    OrrObject *obj = orr_test_new_object(TYPE_M);

    {
        g_autoptr(OrrClosure) c = probe_closure("i8(i8,u8,i16,u16)", &p);
        int8_t (*fn)(int8_t, uint8_t, int16_t, uint16_t) = (int8_t(*)(
            int8_t, uint8_t, int16_t, uint16_t))orr_closure_get_code(c);

        orr_value_set_int(&p.ret, -100);
        g_assert_cmpint(fn(INT8_MIN, UINT8_MAX, INT16_MIN, UINT16_MAX), ==,
                        -100);
        assert_value(&p.args[0], &(OrrValue)V_INT(INT8_MIN));
        assert_value(&p.args[1], &(OrrValue)V_UINT(UINT8_MAX));
        assert_value(&p.args[2], &(OrrValue)V_INT(INT16_MIN));
        assert_value(&p.args[3], &(OrrValue)V_UINT(UINT16_MAX));
    }
    g_assert_cmpuint(p.destroyed, ==, 1);
    {
        g_autoptr(OrrClosure) c = probe_closure("u16(bool)", &p);
        uint16_t (*fn)(bool) = (uint16_t(*)(bool))orr_closure_get_code(c);

        orr_value_set_uint(&p.ret, UINT16_MAX);
        g_assert_cmpuint(fn(true), ==, UINT16_MAX);
        assert_value(&p.args[0], &(OrrValue)V_BOOL(true));
    }
    {
        g_autoptr(OrrClosure) c = probe_closure("bool(u32)", &p);
        bool (*fn)(uint32_t) = (bool (*)(uint32_t))orr_closure_get_code(c);

        orr_value_set_bool(&p.ret, true);
        g_assert_true(fn(0x80000000u));
        assert_value(&p.args[0], &(OrrValue)V_UINT(0x80000000u));
        orr_value_set_bool(&p.ret, false);
        g_assert_false(fn(0));
    }
    {
        g_autoptr(OrrClosure) c = probe_closure("i64(i64,u64)", &p);
        int64_t (*fn)(int64_t, uint64_t) =
            (int64_t(*)(int64_t, uint64_t))orr_closure_get_code(c);

        orr_value_set_int(&p.ret, INT64_MIN);
        g_assert_cmpint(fn(INT64_MIN, UINT64_MAX), ==, INT64_MIN);
        assert_value(&p.args[0], &(OrrValue)V_INT(INT64_MIN));
        assert_value(&p.args[1], &(OrrValue)V_UINT(UINT64_MAX));
    }
    {
        g_autoptr(OrrClosure) c = probe_closure("obj(obj)", &p);
        OrrObject *(*fn)(OrrObject *) =
            (OrrObject * (*)(OrrObject *)) orr_closure_get_code(c);

        orr_value_set_object(&p.ret, obj);
        g_assert_true(fn(obj) == obj);
        assert_value(&p.args[0], &(OrrValue)V_OBJ(obj));
        g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    }
    g_assert_cmpuint(p.destroyed, ==, 5);

    probe_clear(&p);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* A handler that leaves @ret NONE, or fills in the wrong type, gives the C
 * caller zero / NULL. */
static void test_closure_return_zero(void)
{
    Probe p = {0};
    OrrObject *obj = orr_test_new_object(TYPE_M);
    g_autoptr(OrrClosure) cu = probe_closure("u64(obj,u32,bool)", &p);
    g_autoptr(OrrClosure) ci = probe_closure("i32(i32)", &p);
    g_autoptr(OrrClosure) cf = probe_closure("f64(f64,f64)", &p);
    g_autoptr(OrrClosure) cs = probe_closure("str(str)", &p);
    g_autoptr(OrrClosure) co = probe_closure("obj(obj)", &p);
    g_autoptr(OrrClosure) cb = probe_closure("bool(bool)", &p);
    ObjU32BoolFn fu = (ObjU32BoolFn)orr_closure_get_code(cu);
    int32_t (*fi)(int32_t) = (int32_t(*)(int32_t))orr_closure_get_code(ci);
    double (*ff)(double, double) =
        (double (*)(double, double))orr_closure_get_code(cf);
    const char *(*fs)(const char *) =
        (const char *(*)(const char *))orr_closure_get_code(cs);
    OrrObject *(*fo)(OrrObject *) =
        (OrrObject * (*)(OrrObject *)) orr_closure_get_code(co);
    bool (*fb)(bool) = (bool (*)(bool))orr_closure_get_code(cb);

    /* NONE */
    g_assert_cmpuint(fu(obj, 1, true), ==, 0);
    g_assert_cmpint(fi(-1), ==, 0);
    g_assert_cmpfloat(ff(1.0, 2.0), ==, 0.0);
    g_assert_null(fs("a"));
    g_assert_null(fo(obj));
    g_assert_false(fb(true));

    /* the wrong type */
    orr_value_set_string(&p.ret, "-7");
    g_assert_cmpuint(fu(obj, 1, true), ==, 0);
    g_assert_cmpint(fi(-1), ==, 0);
    g_assert_cmpfloat(ff(1.0, 2.0), ==, 0.0);
    g_assert_null(fo(obj));
    g_assert_false(fb(true));
    orr_value_set_int(&p.ret, -7);
    g_assert_null(fs("a"));
    g_assert_null(fo(obj));
    g_assert_false(fb(true));
    orr_value_set_bool(&p.ret, true);
    g_assert_cmpuint(fu(obj, 1, true), ==, 0);
    g_assert_cmpint(fi(-1), ==, 0);
    g_assert_cmpfloat(ff(1.0, 2.0), ==, 0.0);
    g_assert_null(fs("a"));

    g_clear_pointer(&cu, orr_closure_free);
    g_clear_pointer(&ci, orr_closure_free);
    g_clear_pointer(&cf, orr_closure_free);
    g_clear_pointer(&cs, orr_closure_free);
    g_clear_pointer(&co, orr_closure_free);
    g_clear_pointer(&cb, orr_closure_free);
    g_assert_cmpuint(p.destroyed, ==, 6);
    probe_clear(&p);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* The destroy notify runs once, on free, and may be NULL. */
static void test_closure_destroy(void)
{
    g_autoptr(GError) err = NULL;
    Probe p = {0};
    OrrClosure *c = probe_closure("void()", &p);

    ((void (*)(void))orr_closure_get_code(c))();
    g_assert_cmpuint(p.destroyed, ==, 0);
    orr_closure_free(c);
    g_assert_cmpuint(p.destroyed, ==, 1);
    g_assert_cmpuint(p.calls, ==, 1);

    c = orr_closure_new("i32(i32)", probe_handler, &p, NULL, &err);
    g_assert_no_error(err);
    g_assert_nonnull(c);
    orr_value_set_int(&p.ret, 3);
    g_assert_cmpint(((int32_t(*)(int32_t))orr_closure_get_code(c))(1), ==, 3);
    orr_closure_free(c);
    g_assert_cmpuint(p.destroyed, ==, 1);

    /* heap data freed by the notify: valgrind checks */
    c = orr_closure_new("void()", probe_handler, g_new0(Probe, 1), g_free,
                        &err);
    g_assert_no_error(err);
    orr_closure_free(c);

    orr_closure_free(NULL);
    probe_clear(&p);
    orr_test_assert_no_live_objects();
}

static void test_closure_bad_signature(void)
{
    static const char *const bad[] = {
        "u64(obj,u32", "x()",   "void(void)", "i32(i32,)",   "",
        "i32",         "(i32)", "i32(i33)",   "i32(u8,,u8)", "f64(f64))",
    };
    Probe p = {0};

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;

        g_test_message("closure '%s'", bad[i]);
        g_assert_null(
            orr_closure_new(bad[i], probe_handler, &p, probe_destroy, &err));
        g_assert_error(err, ORR_ERROR, ORR_ERROR_INVALID);
    }
    /* the caller keeps its data */
    g_assert_cmpuint(p.destroyed, ==, 0);
    g_assert_cmpuint(p.calls, ==, 0);
    orr_test_assert_no_live_objects();
}

/* --- Closures fill interface slots --------------------------------------- */

typedef struct {
    int32_t factor;
    guint calls;
    OrrObject *self; /* NOREF: compared only */
    guint destroyed;
} ScaleData;

static void scale_handler(const OrrValue *args, guint nargs, OrrValue *ret,
                          void *data)
{
    ScaleData *d = data;

    d->calls++;
    g_assert_cmpuint(nargs, ==, 2);
    g_assert_cmpint(args[0].type, ==, ORR_VALUE_OBJECT);
    g_assert_cmpint(args[1].type, ==, ORR_VALUE_INT);
    d->self = args[0].o;
    orr_value_set_int(ret, args[1].i * d->factor);
}

static void scale_destroy(void *data)
{
    ((ScaleData *)data)->destroyed++;
}

static void test_closure_interface_slot(void)
{
    g_autoptr(GError) err = NULL;
    ScaleData data = {.factor = -3};
    OrrClosure *c = orr_closure_new("i32(obj,i32)", scale_handler, &data,
                                    scale_destroy, &err);

    g_assert_no_error(err);
    g_assert_nonnull(c);
    /* test-scaled's class_init puts it in the slot */
    scaled_impl = (int32_t(*)(OrrObject *, int32_t))orr_closure_get_code(c);

    OrrObject *obj = orr_test_new_object(TYPE_SCALED);
    OrrObject *plain = orr_test_new_object(TYPE_SCALED_PLAIN);
    TestScalerClass *sc =
        (TestScalerClass *)orr_object_get_interface(obj, TYPE_SCALER);
    TestScalerClass *psc =
        (TestScalerClass *)orr_object_get_interface(plain, TYPE_SCALER);

    g_assert_nonnull(sc);
    g_assert_nonnull(psc);
    g_assert_true(orr_object_is_a(obj, TYPE_SCALER));
    g_assert_true((OrrMethodFn)sc->scale == orr_closure_get_code(c));
    g_assert_true(psc->scale == scale_default);

    g_assert_cmpint(sc->scale(obj, 7), ==, -21);
    g_assert_cmpint(sc->scale(obj, -1000000), ==, 3000000);
    g_assert_cmpuint(data.calls, ==, 2);
    g_assert_true(data.self == obj);
    g_assert_cmpint(psc->scale(plain, 7), ==, 7);
    g_assert_cmpuint(data.calls, ==, 2);

    /* the slot must not outlive the closure */
    sc->scale = NULL;
    scaled_impl = NULL;
    orr_closure_free(c);
    g_assert_cmpuint(data.destroyed, ==, 1);
    orr_object_unref(plain);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    register_types();

    g_test_add_func("/method/call/bool", test_call_bool);
    g_test_add_func("/method/call/i8", test_call_i8);
    g_test_add_func("/method/call/i16", test_call_i16);
    g_test_add_func("/method/call/i32", test_call_i32);
    g_test_add_func("/method/call/i64", test_call_i64);
    g_test_add_func("/method/call/u8", test_call_u8);
    g_test_add_func("/method/call/u16", test_call_u16);
    g_test_add_func("/method/call/u32", test_call_u32);
    g_test_add_func("/method/call/u64", test_call_u64);
    g_test_add_func("/method/call/f64-takes-int-and-uint", test_call_f64);
    g_test_add_func("/method/call/str", test_call_str);
    g_test_add_func("/method/call/str-return-copied",
                    test_call_str_return_copied);
    g_test_add_func("/method/call/obj", test_call_obj);
    g_test_add_func("/method/call/void-returns-none",
                    test_call_void_returns_none);
    g_test_add_func("/method/call/narrow-returns-widened",
                    test_call_narrow_returns);
    g_test_add_func("/method/call/implicit-self", test_call_implicit_self);
    g_test_add_func("/method/call/many-arguments", test_call_many_arguments);
    g_test_add_func("/method/add/bad-signatures", test_add_bad_signatures);
    g_test_add_func("/method/add/duplicates", test_add_duplicates);
    g_test_add_func("/method/inherit/find", test_inherit_find);
    g_test_add_func("/method/inherit/list-sorted", test_inherit_list_sorted);
    g_test_add_func("/method/inherit/accessors", test_inherit_accessors);
    g_test_add_func("/method/hold/during-call", test_hold_during_call);
    g_test_add_func("/method/hold/drop-last-reference",
                    test_hold_drop_last_reference);
    g_test_add_func("/method/closure/u64-obj-u32-bool",
                    test_closure_obj_u32_bool);
    g_test_add_func("/method/closure/void", test_closure_void);
    g_test_add_func("/method/closure/i32", test_closure_i32);
    g_test_add_func("/method/closure/f64", test_closure_f64);
    g_test_add_func("/method/closure/str", test_closure_str);
    g_test_add_func("/method/closure/integers-and-obj", test_closure_integers);
    g_test_add_func("/method/closure/return-none-or-wrong-type-is-zero",
                    test_closure_return_zero);
    g_test_add_func("/method/closure/destroy-on-free", test_closure_destroy);
    g_test_add_func("/method/closure/bad-signature",
                    test_closure_bad_signature);
    g_test_add_func("/method/closure/interface-slot",
                    test_closure_interface_slot);
    /* Last: GLib stops at the first failed test, and these check the
     * error codes of error.h most strictly. */
    g_test_add_func("/method/error/unknown-method", test_error_unknown_method);
    g_test_add_func("/method/error/wrong-count", test_error_wrong_count);
    g_test_add_func("/method/error/wrong-type", test_error_wrong_type);
    g_test_add_func("/method/error/out-of-range", test_error_out_of_range);
    g_test_add_func("/method/error/codes", test_error_codes);

    int rc = g_test_run();

    for (guint i = 0; i < G_N_ELEMENTS(bad_results); i++) {
        g_clear_error(&bad_results[i].err);
    }
    reset_seen();
    orr_root_shutdown();
    return rc;
}
