/*
 * orrery core — interface slots: the function pointers of an interface
 * class that a script type may fill with closures.
 */
#include "core-internal.h"
#include "signature.h"

static void slot_clear(gpointer data)
{
    OrrInterfaceSlot *slot = data;

    g_free((char *)slot->name);
    g_free((char *)slot->signature);
}

const OrrInterfaceSlot *orr_interface_find_slot(const char *iface_name,
                                                const char *name)
{
    OrrType *type = orr_type_lookup(iface_name);

    for (; type != NULL && type->is_interface; type = type->parent) {
        for (guint i = 0; type->slots != NULL && i < type->slots->len; i++) {
            OrrInterfaceSlot *slot =
                &g_array_index(type->slots, OrrInterfaceSlot, i);
            if (g_str_equal(slot->name, name)) {
                return slot;
            }
        }
    }
    return NULL;
}

bool orr_interface_add_slot(OrrObjectClass *iface_class, const char *name,
                            const char *signature, size_t offset, GError **errp)
{
    g_return_val_if_fail(iface_class != NULL, false);
    OrrType *type = iface_class->type;

    if (!type->is_interface || type->klass != iface_class) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "interface slot: '%s' is not an interface's own class",
                    type->name);
        return false;
    }
    if (!orr__check_name("interface slot", name, errp)) {
        return false;
    }
    if (orr_interface_find_slot(type->name, name) != NULL) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_EXISTS,
                    "interface slot: %s already has a slot '%s'", type->name,
                    name);
        return false;
    }
    if (offset < sizeof(OrrInterfaceClass) ||
        offset + sizeof(void (*)(void)) > type->class_size) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "interface slot: %s.%s: offset %zu is outside the "
                    "interface class",
                    type->name, name, offset);
        return false;
    }
    g_autoptr(OrrSignature) sig = orr__signature_parse(signature, false, errp);
    if (sig == NULL) {
        return false;
    }
    if (sig->nargs == 0 || sig->args[0] != ORR_SIG_OBJ) {
        g_set_error(errp, ORR_ERROR, ORR_ERROR_INVALID,
                    "interface slot: %s.%s: the signature '%s' must start "
                    "with an obj parameter",
                    type->name, name, signature);
        return false;
    }
    if (type->slots == NULL) {
        type->slots = g_array_new(FALSE, TRUE, sizeof(OrrInterfaceSlot));
        g_array_set_clear_func(type->slots, slot_clear);
    }
    OrrInterfaceSlot slot = {.name = g_strdup(name),
                             .signature = g_strdup(signature),
                             .offset = offset};
    g_array_append_val(type->slots, slot);
    return true;
}
