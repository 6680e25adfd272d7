/*
 * orrery core — reflected methods: a per-class table of C functions with
 * signatures, called by name through libffi.
 *
 * Ownership: a class owns its own methods (own_methods); its name index
 * (methods) borrows its own and its ancestors' entries. Classes are never
 * freed, so a method outlives every object that can call it.
 */
#include "signature.h"

struct OrrMethod {
    char *name;
    char *doc;
    OrrMethodFn fn;
    OrrSignature *sig; /* owned, implicit self included */
};

static void method_free(gpointer data)
{
    OrrMethod *m = data;

    g_free(m->name);
    g_free(m->doc);
    orr__signature_free(m->sig);
    g_free(m);
}

void orr__method_class_init(OrrObjectClass *klass, OrrObjectClass *parent)
{
    OrrClassPrivate *priv = klass->priv;

    priv->methods = g_hash_table_new(g_str_hash, g_str_equal);
    priv->own_methods = g_ptr_array_new_with_free_func(method_free);
    if (parent != NULL) {
        GHashTableIter it;
        gpointer key, value;

        g_hash_table_iter_init(&it, parent->priv->methods);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            g_hash_table_insert(priv->methods, key, value);
        }
    }
}

bool orr_class_add_method(OrrObjectClass *klass, const char *name,
                          const char *signature, OrrMethodFn fn,
                          const char *doc, GError **errp)
{
    g_return_val_if_fail(klass != NULL, false);
    g_return_val_if_fail(name != NULL && signature != NULL, false);
    g_return_val_if_fail(fn != NULL, false);

    const char *type_name = orr_type_get_name(klass->type);

    if (!orr__check_name("add_method", name, errp)) {
        return false;
    }
    if (g_hash_table_contains(klass->priv->methods, name)) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_EXISTS,
                    "add_method: '%s' already has a method named '%s'",
                    type_name, name);
        return false;
    }

    g_autoptr(GError) err = NULL;
    OrrSignature *sig = orr__signature_parse(signature, true, &err);

    if (sig == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID, "add_method: %s.%s: %s",
                    type_name, name, err->message);
        return false;
    }

    OrrMethod *m = g_new0(OrrMethod, 1);

    m->name = g_strdup(name);
    m->doc = g_strdup(doc);
    m->fn = fn;
    m->sig = sig;
    g_ptr_array_add(klass->priv->own_methods, m);
    g_hash_table_insert(klass->priv->methods, m->name, m);
    return true;
}

const OrrMethod *orr_class_find_method(OrrObjectClass *klass, const char *name)
{
    g_return_val_if_fail(klass != NULL && name != NULL, NULL);
    return g_hash_table_lookup(klass->priv->methods, name);
}

static gint method_cmp(gconstpointer a, gconstpointer b)
{
    const OrrMethod *ma = *(const OrrMethod *const *)a;
    const OrrMethod *mb = *(const OrrMethod *const *)b;

    return strcmp(ma->name, mb->name);
}

GPtrArray *orr_class_list_methods(OrrObjectClass *klass)
{
    g_return_val_if_fail(klass != NULL, NULL);

    GPtrArray *list = g_ptr_array_new();
    GHashTableIter it;
    gpointer value;

    g_hash_table_iter_init(&it, klass->priv->methods);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        g_ptr_array_add(list, value);
    }

    g_ptr_array_sort(list, method_cmp);
    return list;
}

const char *orr_method_get_name(const OrrMethod *method)
{
    return method->name;
}

const char *orr_method_get_signature(const OrrMethod *method)
{
    return method->sig->text;
}

const char *orr_method_get_doc(const OrrMethod *method)
{
    return method->doc;
}

bool orr_object_call_method(OrrObject *obj, const char *name,
                            const OrrValue *args, guint nargs, OrrValue *ret,
                            GError **errp)
{
    g_return_val_if_fail(obj != NULL && name != NULL, false);
    g_return_val_if_fail(nargs == 0 || args != NULL, false);
    g_return_val_if_fail(ret != NULL, false);

    const OrrMethod *m = g_hash_table_lookup(obj->klass->priv->methods, name);
    const char *type_name = orr_object_get_type_name(obj);

    if (m == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_NOT_FOUND,
                    "call: '%s' has no method '%s'", type_name, name);
        return false;
    }

    const OrrSignature *sig = m->sig;
    guint want = sig->nargs - 1;

    if (nargs != want) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "call: %s.%s takes %u argument%s (%s), got %u", type_name,
                    name, want, want == 1 ? "" : "s", sig->text, nargs);
        return false;
    }

    g_autofree OrrSigStorage *storage = g_new0(OrrSigStorage, sig->nargs);
    g_autofree void **avalues = g_new0(void *, sig->nargs);

    storage[0].obj = obj;
    avalues[0] = &storage[0];
    for (guint i = 0; i < nargs; i++) {
        g_autoptr(GError) err = NULL;

        if (!orr__sig_value_to_c(sig->args[i + 1], &args[i], &storage[i + 1],
                                 &err)) {
            g_set_error(errp, ORR_ERROR, err->code,
                        "call: %s.%s argument %u: %s", type_name, name, i + 1,
                        err->message);
            return false;
        }
        avalues[i + 1] = &storage[i + 1];
    }

    OrrObject *held = orr__object_hold_for_call(obj);

    if (held == NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_STATE,
                    "call: %s.%s: the object is being finalized", type_name,
                    name);
        return false;
    }

    OrrSigStorage result = {0};

    ffi_call((ffi_cif *)&sig->cif, FFI_FN(m->fn), &result, avalues);
    orr__sig_c_to_value(sig->ret, &result, true, ret);
    orr__object_release_call(held);
    return true;
}
