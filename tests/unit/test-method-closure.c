/*
 * Unit tests for closures: C function pointers that forward their calls
 * to a generic handler, and closures that fill an interface's slot.
 */
#include "method-fixture.h"

/*
 * Test types: those of method-fixture.h, and
 *   test-scaled        implements test-scaler with a closure, set in
 *                      scaled_impl before its class is made.
 */
#define TYPE_SCALED "test-scaled"

/* Set by the interface test before test-scaled's class is made. */
static int32_t (*scaled_impl)(OrrObject *obj, int32_t x);

static void scaled_class_init(OrrObjectClass *klass, const void *data)
{
    TestScalerClass *sc =
        (TestScalerClass *)orr_class_get_interface(klass, TYPE_SCALER);

    g_assert_nonnull(sc);
    g_assert_true(sc->scale == mt_scale_default);
    sc->scale = scaled_impl;
}

static void register_scaled_type(void)
{
    static const char *const scaler_ifaces[] = {TYPE_SCALER, NULL};
    static const OrrTypeInfo info = {
        .name = TYPE_SCALED,
        .class_init = scaled_class_init,
        .interfaces = scaler_ifaces,
    };
    g_autoptr(GError) err = NULL;

    g_assert_nonnull(orr_type_register(&info, &err));
    g_assert_no_error(err);
}

/* --- Closures ------------------------------------------------------------- */

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
    mt_assert_value(&p.args[0], &(OrrValue)V_OBJ(obj));
    mt_assert_value(&p.args[1], &(OrrValue)V_UINT(UINT32_MAX));
    mt_assert_value(&p.args[2], &(OrrValue)V_BOOL(true));
    /* obj arguments are NOREF */
    g_assert_cmpuint(orr_object_get_refcount(obj), ==, 1);

    orr_value_set_uint(&p.ret, 42);
    g_assert_cmpuint(fn(obj, 0, false), ==, 42);
    g_assert_cmpuint(p.calls, ==, 2);
    mt_assert_value(&p.args[1], &(OrrValue)V_UINT(0));
    mt_assert_value(&p.args[2], &(OrrValue)V_BOOL(false));

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
    mt_assert_value(&p.args[0], &(OrrValue)V_INT(5));

    orr_value_set_int(&p.ret, INT32_MIN);
    g_assert_cmpint(fn(-1), ==, INT32_MIN);
    mt_assert_value(&p.args[0], &(OrrValue)V_INT(-1));

    orr_value_set_int(&p.ret, INT32_MAX);
    g_assert_cmpint(fn(INT32_MIN), ==, INT32_MAX);
    mt_assert_value(&p.args[0], &(OrrValue)V_INT(INT32_MIN));

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
    mt_assert_value(&p.args[0], &(OrrValue)V_DBL(1.5));
    mt_assert_value(&p.args[1], &(OrrValue)V_DBL(-2e10));

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
    mt_assert_value(&p.args[0], &(OrrValue)V_STR("abc"));
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
        mt_assert_value(&p.args[0], &(OrrValue)V_INT(INT8_MIN));
        mt_assert_value(&p.args[1], &(OrrValue)V_UINT(UINT8_MAX));
        mt_assert_value(&p.args[2], &(OrrValue)V_INT(INT16_MIN));
        mt_assert_value(&p.args[3], &(OrrValue)V_UINT(UINT16_MAX));
    }
    g_assert_cmpuint(p.destroyed, ==, 1);
    {
        g_autoptr(OrrClosure) c = probe_closure("u16(bool)", &p);
        uint16_t (*fn)(bool) = (uint16_t(*)(bool))orr_closure_get_code(c);

        orr_value_set_uint(&p.ret, UINT16_MAX);
        g_assert_cmpuint(fn(true), ==, UINT16_MAX);
        mt_assert_value(&p.args[0], &(OrrValue)V_BOOL(true));
    }
    {
        g_autoptr(OrrClosure) c = probe_closure("bool(u32)", &p);
        bool (*fn)(uint32_t) = (bool (*)(uint32_t))orr_closure_get_code(c);

        orr_value_set_bool(&p.ret, true);
        g_assert_true(fn(0x80000000u));
        mt_assert_value(&p.args[0], &(OrrValue)V_UINT(0x80000000u));
        orr_value_set_bool(&p.ret, false);
        g_assert_false(fn(0));
    }
    {
        g_autoptr(OrrClosure) c = probe_closure("i64(i64,u64)", &p);
        int64_t (*fn)(int64_t, uint64_t) =
            (int64_t(*)(int64_t, uint64_t))orr_closure_get_code(c);

        orr_value_set_int(&p.ret, INT64_MIN);
        g_assert_cmpint(fn(INT64_MIN, UINT64_MAX), ==, INT64_MIN);
        mt_assert_value(&p.args[0], &(OrrValue)V_INT(INT64_MIN));
        mt_assert_value(&p.args[1], &(OrrValue)V_UINT(UINT64_MAX));
    }
    {
        g_autoptr(OrrClosure) c = probe_closure("obj(obj)", &p);
        OrrObject *(*fn)(OrrObject *) =
            (OrrObject * (*)(OrrObject *)) orr_closure_get_code(c);

        orr_value_set_object(&p.ret, obj);
        g_assert_true(fn(obj) == obj);
        mt_assert_value(&p.args[0], &(OrrValue)V_OBJ(obj));
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

/* --- Closures fill interface slots ---------------------------------------- */

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
    g_assert_true(psc->scale == mt_scale_default);

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
    mt_register_types();
    register_scaled_type();

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

    int rc = g_test_run();

    orr_root_shutdown();
    return rc;
}
