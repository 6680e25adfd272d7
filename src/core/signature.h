/*
 * orrery core — method signatures ("u64(u32,bool)"): parsing into libffi
 * call interfaces, and conversion between OrrValue and C argument storage.
 * Shared by method.c and closure.c; not public.
 */
#ifndef ORRERY_CORE_SIGNATURE_H
#define ORRERY_CORE_SIGNATURE_H

#include <ffi.h>
#include "core-internal.h"

typedef enum {
    ORR_SIG_VOID,
    ORR_SIG_BOOL,
    ORR_SIG_I8,
    ORR_SIG_I16,
    ORR_SIG_I32,
    ORR_SIG_I64,
    ORR_SIG_U8,
    ORR_SIG_U16,
    ORR_SIG_U32,
    ORR_SIG_U64,
    ORR_SIG_F64,
    ORR_SIG_STR,
    ORR_SIG_OBJ,
} OrrSigType;

/* Storage for one C argument or return value. Returns of integral types
 * narrower than a register are widened to ffi_arg by libffi. */
typedef union OrrSigStorage {
    bool b;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    double f64;
    const char *str;
    OrrObject *obj;
    ffi_arg widened;
    ffi_sarg swidened;
} OrrSigStorage;

typedef struct OrrSignature {
    char *text; /* as written, owned */
    OrrSigType ret;
    guint nargs;         /* C parameters, the implicit self included */
    OrrSigType *args;    /* owned, @nargs entries */
    ffi_type **ffi_args; /* owned, @nargs entries */
    ffi_cif cif;
} OrrSignature;

/*
 * Parses @text. With @implicit_self the C function takes an `OrrObject *`
 * before the written parameters (methods); without it the written list is
 * the whole C parameter list (closures).
 * Returns: (transfer full) (nullable): the signature, or NULL with @errp
 * set ("signature: ..." naming the bad part).
 */
OrrSignature *orr__signature_parse(const char *text, bool implicit_self,
                                   GError **errp);
void orr__signature_free(OrrSignature *sig);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OrrSignature, orr__signature_free)

/* The written name of @type ("u32"). */
const char *orr__sig_type_name(OrrSigType type);

/*
 * Converts @in to C storage for a parameter of @type: integers must fit,
 * f64 takes DOUBLE/INT/UINT, str takes STRING (borrowed, not copied), obj
 * takes OBJECT or NONE. On mismatch sets @errp to "expected T, got V"
 * without a prefix; the caller adds what and where.
 */
bool orr__sig_value_to_c(OrrSigType type, const OrrValue *in,
                         OrrSigStorage *out, GError **errp);

/* Stores the C value at @c of @type in @out (str is copied, obj NOREF). A
 * return of a narrow integral type is read from its widened ffi_arg when
 * @widened. */
void orr__sig_c_to_value(OrrSigType type, const void *c, bool widened,
                         OrrValue *out);

/* Writes the closure return value @v for @type to @ret (libffi's return
 * buffer, at least sizeof(ffi_arg)); a missing or mismatched value writes
 * zero / NULL. A returned str must stay valid after the handler: the
 * closure keeps it, see closure.c. */
void orr__sig_write_return(OrrSigType type, const OrrValue *v, void *ret);

#endif /* ORRERY_CORE_SIGNATURE_H */
