/*
 * orrery — method reflection: methods callable by name with a signature,
 * and closures that turn a generic handler into a C function pointer.
 * Both are built on libffi.
 */
#ifndef ORRERY_METHOD_H
#define ORRERY_METHOD_H

#include <stdbool.h>
#include <glib.h>
#include "orrery/object.h"
#include "orrery/value.h"

G_BEGIN_DECLS

/*
 * Signatures are written `RET(ARG,ARG,...)` with the type names
 *   void bool i8 i16 i32 i64 u8 u16 u32 u64 f64 str obj
 * e.g. "u64(u32,bool)" or "void()". `str` is `const char *` (a returned
 * str is (transfer none) and copied), `obj` is `OrrObject *` (transfer
 * none), `void` only as a return type. On the #OrrValue side integers
 * travel as INT or UINT and must fit the C type, `f64` as DOUBLE (an INT
 * or UINT converts), `str` as STRING, `obj` as OBJECT or NONE (NULL).
 */

typedef struct OrrMethod OrrMethod;
typedef struct OrrClosure OrrClosure;

/** OrrMethodFn: a method's C function, cast from its real type. */
typedef void (*OrrMethodFn)(void);

/**
 * orr_class_add_method:
 * @klass: a class being initialized.
 * @name: the method name, unique in the class and its ancestors.
 * @signature: the signature of the arguments after the implicit first
 *   parameter, the `OrrObject *self`. "u64(u32,bool)" describes
 *   `uint64_t fn(OrrObject *self, uint32_t, bool)`.
 * @fn: the function.
 * @doc: (nullable): one line for help texts (copied).
 * @errp: return location for an error.
 *
 * Exports a method. Subclasses inherit it.
 */
bool orr_class_add_method(OrrObjectClass *klass, const char *name,
                          const char *signature, OrrMethodFn fn,
                          const char *doc, GError **errp);

/**
 * orr_class_find_method:
 * Returns: (transfer none) (nullable): the method named @name of @klass or
 *   an ancestor.
 */
const OrrMethod *orr_class_find_method(OrrObjectClass *klass, const char *name);

/**
 * orr_class_list_methods:
 * Returns: (transfer container): the methods of @klass and its ancestors
 *   sorted by name; free with g_ptr_array_unref().
 */
GPtrArray *orr_class_list_methods(OrrObjectClass *klass);

const char *orr_method_get_name(const OrrMethod *method);
/** orr_method_get_signature: Returns: the signature as registered. */
const char *orr_method_get_signature(const OrrMethod *method);
const char *orr_method_get_doc(const OrrMethod *method);

/**
 * orr_object_call_method:
 * @obj: a live object.
 * @name: the method.
 * @args: @nargs arguments (borrowed).
 * @ret: (out caller-allocates): an initialized value receiving the result
 *   (NONE for void).
 * @errp: return location for an error.
 *
 * Calls a method through libffi after converting and checking every
 * argument. Fails, calling nothing, for an unknown method, a wrong number
 * of arguments, or an argument of the wrong type or out of range (the
 * message names the method and the argument's position). @obj holds an
 * %ORR_HOLDER_CALL reference during the call.
 */
bool orr_object_call_method(OrrObject *obj, const char *name,
                            const OrrValue *args, guint nargs, OrrValue *ret,
                            GError **errp);

/**
 * OrrClosureHandler:
 * @args: the C arguments converted to values (borrowed; `str` arguments
 *   are copies, `obj` arguments NOREF).
 * @nargs: their number.
 * @ret: an initialized value to fill with the result; left NONE (or
 *   of the wrong type) the C caller receives zero / NULL.
 * @data: the closure's data.
 *
 * Runs when C code calls a closure's function pointer. It cannot report
 * errors to the C caller: report them out of band.
 */
typedef void (*OrrClosureHandler)(const OrrValue *args, guint nargs,
                                  OrrValue *ret, void *data);

/**
 * orr_closure_new:
 * @signature: the full C signature, every parameter included, e.g.
 *   "u64(obj,u32,bool)" for `uint64_t (*)(OrrObject *, uint32_t, bool)`.
 * @handler: the generic handler.
 * @data: for @handler.
 * @destroy: (nullable): frees @data with the closure.
 * @errp: return location for an error.
 *
 * Makes a C function pointer of @signature that forwards to @handler;
 * used to fill an interface's method slot with a script function.
 *
 * Returns: (transfer full) (nullable): the closure, or NULL on error.
 */
OrrClosure *orr_closure_new(const char *signature, OrrClosureHandler handler,
                            void *data, GDestroyNotify destroy, GError **errp);

/**
 * orr_closure_get_code:
 * Returns: the function pointer; cast it to the signature's C type. Valid
 *   until orr_closure_free().
 */
OrrMethodFn orr_closure_get_code(const OrrClosure *closure);

/** orr_closure_free: frees the closure and its data. */
void orr_closure_free(OrrClosure *closure);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(OrrClosure, orr_closure_free)

G_END_DECLS

#endif /* ORRERY_METHOD_H */
