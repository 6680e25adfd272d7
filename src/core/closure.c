/*
 * orrery core — closures: C function pointers of a given signature that
 * forward to a generic OrrValue handler (libffi closures).
 */
#include "signature.h"

struct OrrClosure {
    ffi_closure *ffi;  /* owned, writable side */
    void *code;        /* executable side of @ffi */
    OrrSignature *sig; /* owned, the full C parameter list */
    OrrClosureHandler handler;
    void *data;
    GDestroyNotify destroy;
    char *last_str; /* owned: the last str returned to C */
};

static void closure_trampoline(ffi_cif *cif, void *ret, void **cargs,
                               void *user)
{
    OrrClosure *c = user;
    const OrrSignature *sig = c->sig;
    g_autofree OrrValue *args = g_new0(OrrValue, MAX(sig->nargs, 1));
    g_auto(OrrValue) result = ORR_VALUE_INIT;

    g_assert(cif == &c->sig->cif);
    for (guint i = 0; i < sig->nargs; i++) {
        orr__sig_c_to_value(sig->args[i], cargs[i], false, &args[i]);
    }
    c->handler(args, sig->nargs, &result, c->data);
    for (guint i = 0; i < sig->nargs; i++) {
        orr_value_clear(&args[i]);
    }

    if (sig->ret == ORR_SIG_STR) {
        /* The C caller borrows the string: keep it until the next call. */
        g_free(c->last_str);
        c->last_str =
            result.type == ORR_VALUE_STRING ? g_steal_pointer(&result.s) : NULL;
        result.type = ORR_VALUE_NONE;
        *(const char **)ret = c->last_str;
        return;
    }
    orr__sig_write_return(sig->ret, &result, ret);
}

OrrClosure *orr_closure_new(const char *signature, OrrClosureHandler handler,
                            void *data, GDestroyNotify destroy, GError **errp)
{
    g_return_val_if_fail(signature != NULL && handler != NULL, NULL);

    g_autoptr(GError) err = NULL;
    OrrSignature *sig = orr__signature_parse(signature, false, &err);

    if (sig == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID, "closure: %s",
                    err->message);
        return NULL;
    }

    OrrClosure *c = g_new0(OrrClosure, 1);

    c->sig = sig;
    c->handler = handler;
    c->data = data;
    c->destroy = destroy;
    c->ffi = ffi_closure_alloc(sizeof(ffi_closure), &c->code);
    if (c->ffi == NULL ||
        ffi_prep_closure_loc(c->ffi, &sig->cif, closure_trampoline, c,
                             c->code) != FFI_OK) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_FAILED,
                    "closure: libffi could not make a closure for '%s'",
                    signature);
        c->destroy = NULL; /* the caller keeps @data on failure */
        orr_closure_free(c);
        return NULL;
    }
    return c;
}

OrrMethodFn orr_closure_get_code(const OrrClosure *closure)
{
    g_return_val_if_fail(closure != NULL, NULL);
    return (OrrMethodFn)closure->code;
}

void orr_closure_free(OrrClosure *closure)
{
    if (closure == NULL) {
        return;
    }
    if (closure->ffi != NULL) {
        ffi_closure_free(closure->ffi);
    }
    if (closure->destroy != NULL) {
        closure->destroy(closure->data);
    }
    orr__signature_free(closure->sig);
    g_free(closure->last_str);
    g_free(closure);
}
