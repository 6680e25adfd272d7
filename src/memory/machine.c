/*
 * orrery memory — the machine type, and registration of the memory
 * layer's types and its device detach hook.
 */
#include "memory-internal.h"

typedef struct OrrMachine {
    OrrObject parent_obj;
    OrrMemoryRegion *sysmem; /* NOREF: our child "sysmem" */
    OrrAddressSpace *memory; /* NOREF: our child "memory" */
} OrrMachine;

/* The children exist from the start: a machine is never without them. */
static void machine_post_init(OrrObject *obj)
{
    OrrMachine *m = (OrrMachine *)obj;

    m->sysmem =
        orr_memory_region_new_container(obj, "sysmem", ORR_SIZE_2_64, NULL);
    g_assert(m->sysmem != NULL);
    m->memory = orr_address_space_new(obj, "memory", m->sysmem, NULL);
    g_assert(m->memory != NULL);
}

void orr__machine_register_type(void)
{
    static const OrrTypeInfo info = {
        .name = ORR_TYPE_MACHINE,
        .parent = ORR_TYPE_CONTAINER,
        .instance_size = sizeof(OrrMachine),
        .instance_post_init = machine_post_init,
    };

    orr_type_register(&info, NULL);
}

OrrMemoryRegion *orr_machine_get_sysmem(OrrObject *machine)
{
    g_return_val_if_fail(orr_object_is_a(machine, ORR_TYPE_MACHINE), NULL);
    return ((OrrMachine *)machine)->sysmem;
}

OrrAddressSpace *orr_machine_get_memory(OrrObject *machine)
{
    g_return_val_if_fail(orr_object_is_a(machine, ORR_TYPE_MACHINE), NULL);
    return ((OrrMachine *)machine)->memory;
}

void orr_memory_init(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    orr_core_init();
    orr__region_register_type();
    orr__address_space_register_type();
    orr__machine_register_type();
    orr_device_add_detach_hook(orr__region_detach_device, NULL);
}
