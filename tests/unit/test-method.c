/*
 * Unit tests for reflected methods: calls through libffi with good and
 * bad arguments, adding methods, inheritance and reflection, and the
 * reference a call holds on its object.
 */
#include "method-fixture.h"

/*
 * Test types: those of method-fixture.h, and
 *   test-m-bad         a subclass of test-m whose class_init tries bad
 *                      signatures and duplicate names; the results are
 *                      kept in bad_results for the tests to check.
 */
#define TYPE_M_BAD "test-m-bad"

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
            klass, bad_cases[i].name, bad_cases[i].sig, (OrrMethodFn)mt_echo_u8,
            NULL, &bad_results[i].err);
    }
}

static void register_bad_type(void)
{
    static const OrrTypeInfo info = {
        .name = TYPE_M_BAD,
        .parent = TYPE_M,
        .class_init = bad_class_init,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&info, &err));
    g_assert_no_error(err);
}

/* --- Helpers -------------------------------------------------------------- */

static OrrObjectClass *class_of(const char *type)
{
    OrrType *t = orr_type_lookup(type);

    g_assert_nonnull(t);
    return orr_type_get_class(t);
}

/* Calls @method on @obj, which must succeed, call it once with @obj as
 * self, and return @want. */
static void assert_call(OrrObject *obj, const char *method,
                        const OrrValue *args, guint nargs, const OrrValue *want)
{
    g_autoptr(GError) err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;
    guint before = mt_seen.calls;

    mt_seen.self = NULL;
    g_assert_true(orr_object_call_method(obj, method, args, nargs, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(mt_seen.calls, ==, before + 1);
    g_assert_true(mt_seen.self == obj);
    mt_assert_value(&ret, want);
}

typedef struct {
    OrrValue in;
    OrrValue out;
} EchoCase;

/* Runs one-argument echo cases on a fresh test-m. */
static void run_echo(const char *method, const EchoCase *cases, guint n)
{
    mt_seen_reset();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    for (guint i = 0; i < n; i++) {
        g_test_message("%s case %u", method, i);
        assert_call(obj, method, &cases[i].in, 1, &cases[i].out);
    }
    g_assert_cmpuint(mt_seen.calls, ==, n);
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
    guint before = mt_seen.calls;

    g_assert_false(
        orr_object_call_method(obj, method, args, nargs, &ret, &err));
    g_assert_nonnull(err);
    g_test_message("%s: %s", method, err->message);
    g_assert_true(err->domain == ORR_ERROR);
    g_assert_nonnull(strstr(err->message, method));
    if (number != 0) {
        g_assert_true(message_has_number(err->message, number));
    }
    g_assert_cmpuint(mt_seen.calls, ==, before);
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

/* test-m's methods, as method-fixture.c's m_class_init adds them. */
static const char *const m_method_names[] = {
    "echo_bool", "echo_i8",    "echo_i16", "echo_i32", "echo_i64",
    "echo_u8",   "echo_u16",   "echo_u32", "echo_u64", "echo_f64",
    "echo_str",  "echo_obj",   "ret_bool", "ret_i8",   "ret_i16",
    "ret_i32",   "ret_u8",     "ret_u16",  "ret_u32",  "nop",
    "self",      "str_static", "mix",      "probe",    "drop_self",
};

/* --- Calls with good arguments -------------------------------------------- */

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

    mt_seen_reset();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    g_strlcpy(mt_str_buf, "static", sizeof(mt_str_buf));
    g_assert_true(
        orr_object_call_method(obj, "str_static", NULL, 0, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpint(ret.type, ==, ORR_VALUE_STRING);
    g_assert_true(ret.s != mt_str_buf);
    g_strlcpy(mt_str_buf, "changed", sizeof(mt_str_buf));
    g_assert_cmpstr(ret.s, ==, "static");

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_call_obj(void)
{
    g_autoptr(GError) err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;

    mt_seen_reset();
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

    mt_seen_reset();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    orr_value_set_string(&ret, "stale");
    g_assert_true(orr_object_call_method(obj, "nop", NULL, 0, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpint(ret.type, ==, ORR_VALUE_NONE);
    g_assert_cmpuint(mt_seen.calls, ==, 1);
    g_assert_true(mt_seen.self == obj);

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* Narrow integral returns keep their value and signedness. */
static void test_call_narrow_returns(void)
{
    mt_seen_reset();
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
    mt_seen_reset();
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
    mt_seen_reset();
    OrrObject *obj = orr_test_new_object(TYPE_M);
    OrrObject *other = orr_test_new_object(TYPE_M);
    const OrrValue args[] = {
        V_INT(200), V_INT(INT16_MIN), V_UINT(UINT32_MAX), V_INT(-5000000000LL),
        V_INT(-2),  V_BOOL(true),     V_STR("mixed"),     V_OBJ(other),
    };

    assert_call(obj, "mix", args, G_N_ELEMENTS(args),
                &(OrrValue)V_UINT(200ULL * 1000000 + UINT32_MAX));
    g_assert_cmpuint(mt_seen.a, ==, 200);
    g_assert_cmpint(mt_seen.b, ==, INT16_MIN);
    g_assert_cmpuint(mt_seen.c, ==, UINT32_MAX);
    g_assert_cmpint(mt_seen.d, ==, -5000000000LL);
    g_assert_cmpfloat(mt_seen.e, ==, -2.0);
    g_assert_true(mt_seen.f);
    g_assert_cmpstr(mt_seen.g, ==, "mixed");
    g_assert_true(mt_seen.h == other);

    /* a NONE obj argument is NULL */
    OrrValue none_obj[G_N_ELEMENTS(args)];
    memcpy(none_obj, args, sizeof(args));
    none_obj[7] = (OrrValue)V_NONE;
    none_obj[5] = (OrrValue)V_BOOL(false);
    assert_call(obj, "mix", none_obj, G_N_ELEMENTS(none_obj),
                &(OrrValue)V_UINT(200ULL * 1000000 + UINT32_MAX));
    g_assert_null(mt_seen.h);
    g_assert_false(mt_seen.f);

    orr_object_unref(other);
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* --- Calls with bad arguments --------------------------------------------- */

static void test_error_unknown_method(void)
{
    mt_seen_reset();
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
    mt_seen_reset();
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
    g_assert_cmpuint(mt_seen.calls, ==, 0);

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
    mt_seen_reset();
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
    g_assert_cmpuint(mt_seen.calls, ==, 0);

    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

static void test_error_out_of_range(void)
{
    mt_seen_reset();
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
    g_assert_cmpuint(mt_seen.calls, ==, 0);

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
    mt_seen_reset();
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

/* --- Adding methods ------------------------------------------------------- */

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

    mt_seen_reset();
    OrrObject *obj = orr_test_new_object(TYPE_M_BAD);
    assert_call(obj, "echo_i32", &(OrrValue)V_INT(-9), 1, &(OrrValue)V_INT(-9));
    assert_call(obj, "nop", NULL, 0, &(OrrValue)V_NONE);
    assert_call(obj, "fresh", &(OrrValue)V_UINT(200), 1,
                &(OrrValue)V_UINT(200));
    orr_object_unref(obj);
    orr_test_assert_no_live_objects();
}

/* --- Inheritance and reflection ------------------------------------------- */

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

    mt_seen_reset();
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

/* --- The object is held during the call ----------------------------------- */

static void test_hold_during_call(void)
{
    mt_seen_reset();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);
    assert_call(obj, "probe", NULL, 0, &(OrrValue)V_UINT(2));
    g_assert_cmpuint(mt_seen.refcount, ==, 2);
    g_assert_cmpuint(mt_seen.call_holders, ==, 1);
    g_assert_cmpuint(mt_seen.caller_holders, ==, 1);
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);

    /* a failed call takes nothing */
    g_error_free(assert_call_fails(obj, "probe", &(OrrValue)V_INT(1), 1, 0));
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);

    orr_object_unref(obj);
    g_assert_cmpuint(mt_seen.finalized, ==, 1);
    orr_test_assert_no_live_objects();
}

/* The method drops the last outside reference: the call's keeps the object
 * alive until the method returns. */
static void test_hold_drop_last_reference(void)
{
    g_autoptr(GError) err = NULL;
    g_auto(OrrValue) ret = ORR_VALUE_INIT;

    mt_seen_reset();
    OrrObject *obj = orr_test_new_object(TYPE_M);

    g_assert_true(
        orr_object_call_method(obj, "drop_self", NULL, 0, &ret, &err));
    g_assert_no_error(err);
    g_assert_cmpuint(mt_seen.calls, ==, 1);
    g_assert_cmpuint(mt_seen.finalized_in_call, ==, 0);
    g_assert_cmpuint(mt_seen.refcount, ==, 1);
    g_assert_cmpint(mt_seen.state, ==, ORR_OBJECT_LIVE);
    g_assert_cmpuint(mt_seen.finalized, ==, 1);
    g_assert_cmpint(ret.type, ==, ORR_VALUE_NONE);
    orr_test_assert_no_live_objects();
}

int main(int argc, char **argv)
{
    orr_test_init(&argc, &argv);
    mt_register_types();
    register_bad_type();

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
    mt_seen_reset();
    orr_root_shutdown();
    return rc;
}
