/*
 * orrery unit tests — the fixture that the method and closure tests
 * share: test types with reflected methods and an interface with a
 * function slot, value literals, and what the methods saw. Every helper
 * fails the running test on an unexpected error; arguments are borrowed.
 *
 * Test types (mt_register_types() registers them):
 *   test-m             a method for every signature type, echoes and
 *                      constants, and probes that record what they see
 *                      in mt_seen; instance_finalize counts in
 *                      mt_seen.finalized.
 *   test-m-sub         a subclass adding one method, sub_only.
 *   test-scaler        an interface whose class holds a function pointer,
 *                      scale, set to mt_scale_default by its class_init.
 *   test-scaled-plain  implements test-scaler, keeping the default.
 */
#ifndef ORRERY_TEST_METHOD_FIXTURE_H
#define ORRERY_TEST_METHOD_FIXTURE_H

#include "test-util.h"

#define TYPE_M "test-m"
#define TYPE_M_SUB "test-m-sub"
#define TYPE_SCALER "test-scaler"
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
typedef struct MtSeen {
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
} MtSeen;

extern MtSeen mt_seen;

/* Frees what mt_seen owns and clears it (state: -1). */
void mt_seen_reset(void);

/* The buffer test-m's str_static returns; a test changes it after the
 * call to show that the result is a copy. */
extern char mt_str_buf[16];

/* test-m's echo_u8 (records the call, returns @v); test-m's subclasses
 * may add it under other names. */
uint8_t mt_echo_u8(OrrObject *self, uint8_t v);

/* test-scaler's class: one slot. */
typedef struct TestScalerClass {
    OrrInterfaceClass parent_class;
    int32_t (*scale)(OrrObject *obj, int32_t x);
} TestScalerClass;

/* test-scaler's default scale: returns @x. @obj is not used. */
int32_t mt_scale_default(OrrObject *obj, int32_t x);

/* Registers the test types; call once in main(), after orr_test_init(). */
void mt_register_types(void);

/* Asserts that @got has @want's type and content; both are borrowed. */
void mt_assert_value(const OrrValue *got, const OrrValue *want);

#endif /* ORRERY_TEST_METHOD_FIXTURE_H */
