/*
 * orrery unit tests — the fixture that the property tests share: test
 * types with class properties and hooks that log, and helpers that add,
 * read and list properties. Every helper fails the running test on an
 * unexpected error; arguments are borrowed.
 *
 * Test types (pt_register_types() registers them):
 *
 *   test-prop-obj   class properties:
 *                     c-flag  bool    default true
 *                     c-count int     default -5
 *                     c-size  uint    default 4096
 *                     c-label string  default "lbl"
 *                     c-mode  enum    off|slow|fast, default "slow"
 *                     c-acc   int     accessor on TestPropObj.acc; the
 *                                     setter refuses values above 1000
 *                     c-ro    uint    read-only accessor (acc * 2)
 *                   instance_finalize logs "finalize NAME".
 *   test-prop-sub   a test-prop-obj with class properties
 *                     s-extra uint    release logs "release-class NAME.s-extra"
 *                     s-color enum    red|green|blue
 *                     s-peer  link<test-prop-obj>
 *                   and records in pt_sub_dup what adding a class property
 *                   named like a parent's class property did.
 *   test-prop-kid   a test-prop-obj whose class unparent hook logs
 *                   "unparent NAME" and deletes the parent's property named
 *                   in TestPropObj.victim, logging the outcome.
 *
 * NAME is the object's name, "(unnamed)" without one (pt_name_of()).
 */
#ifndef ORRERY_TEST_PROPERTY_FIXTURE_H
#define ORRERY_TEST_PROPERTY_FIXTURE_H

#include "test-util.h"

#define TYPE_OBJ "test-prop-obj"
#define TYPE_SUB "test-prop-sub"
#define TYPE_KID "test-prop-kid"

typedef struct TestPropObj {
    OrrObject parent_obj;
    int64_t acc;
    /* (empty) the parent property the unparent hook deletes */
    char victim[32];
} TestPropObj;

/* The values of c-mode and of the logged enums pt_add_logged() adds
 * (off, slow, fast), and of s-color (red, green, blue); NULL-terminated. */
extern const char *const pt_modes[];
extern const char *const pt_colors[];

/* What test-prop-sub's class_init saw when adding a duplicate name. */
typedef struct PtSubDup {
    bool tried;
    bool added;
    int code;
    char *message; /* owned; kept to the end of the process */
} PtSubDup;

extern PtSubDup pt_sub_dup;

/* Returns: (transfer none): @obj's name, or "(unnamed)". */
const char *pt_name_of(OrrObject *obj);

/* c-acc's setter (an OrrPropSetFn): stores @in, an INT, in
 * TestPropObj.acc; refuses values above 1000 with ORR_ERROR_FAILED. */
bool pt_acc_set(OrrObject *obj, const OrrProperty *prop, const OrrValue *in,
                GError **errp);

/* Registers the test types; call once in main(), after orr_test_init(). */
void pt_register_types(void);

/* Returns: (transfer none): "/test-prop-m", a new container to build
 * under, held by the root only. */
OrrObject *pt_add_machine(void);

/* Returns: (transfer none): the instance property @def adds to @obj,
 * which @obj owns; fails the test if it is refused. */
const OrrProperty *pt_add_prop(OrrObject *obj, const OrrPropertyDef *def);

/* Returns: (transfer none): an instance property of @type named @name
 * (copied) added to @obj, whose release logs "release NAME.@name"; an
 * enum takes pt_modes. */
const OrrProperty *pt_add_logged(OrrObject *obj, const char *name,
                                 OrrPropType type);

/* Returns: (transfer full): the value of @obj's property @name as a
 * string. */
char *pt_get_string(OrrObject *obj, const char *name);

#define pt_assert_prop_string(obj, name, expected)                             \
    do {                                                                       \
        g_autofree char *s_ = pt_get_string((obj), (name));                    \
        g_assert_cmpstr(s_, ==, (expected));                                   \
    } while (0)

/* Returns: (transfer full): the names @iter gives, to its end, joined
 * with ","; in the order given, or sorted if @sorted. @iter is advanced
 * to its end, not cleared. */
char *pt_iter_names(OrrPropertyIter *iter, bool sorted);

/* Returns: (transfer full): the names of @obj's properties, as
 * pt_iter_names() joins them. */
char *pt_object_prop_names(OrrObject *obj, bool sorted);

#define pt_assert_object_props(obj, sorted, expected)                          \
    do {                                                                       \
        g_autofree char *n_ = pt_object_prop_names((obj), (sorted));           \
        g_assert_cmpstr(n_, ==, (expected));                                   \
    } while (0)

/* Returns: (transfer full): the values of every typed property of a
 * test-prop-obj, for "unchanged" checks: "flag|count|size|label|mode|acc". */
char *pt_snapshot_values(OrrObject *obj);

#define pt_assert_values(obj, expected)                                        \
    do {                                                                       \
        g_autofree char *v_ = pt_snapshot_values(obj);                         \
        g_assert_cmpstr(v_, ==, (expected));                                   \
    } while (0)

#endif /* ORRERY_TEST_PROPERTY_FIXTURE_H */
