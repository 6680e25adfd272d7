/*
 * orrery-demo — a tour of the C object model: two device types, a small
 * machine tree, a GPIO line, a reflected method, and a teardown that
 * proves nothing is left alive.
 */
#include <stdio.h>
#include <stdlib.h>
#include "orrery/orrery.h"

/* --- demo-uart: a uint property, a read-only accessor, an IRQ output,
 * and a reflected method. */

typedef struct DemoUart {
    OrrDevice parent_obj;
    uint64_t tx_count;
} DemoUart;

#define DEMO_UART(obj) ORR_OBJECT_CHECK(DemoUart, (obj), "demo-uart")

/* Class setup only fails if this file is wrong. */
static void must(bool ok, GError *err)
{
    if (!ok) {
        g_error("class_init: %s", err->message);
    }
}

static void uart_putc(OrrObject *self, uint8_t c)
{
    DEMO_UART(self)->tx_count++;
    putchar(c);
}

static bool uart_get_tx_count(OrrObject *obj, const OrrProperty *prop,
                              OrrValue *out, GError **errp)
{
    orr_value_set_uint(out, DEMO_UART(obj)->tx_count);
    return true;
}

static bool uart_realize(OrrDevice *dev, GError **errp)
{
    g_autofree char *path = orr_object_get_path(&dev->parent_obj);
    uint64_t baud;

    if (!orr_object_get_uint(&dev->parent_obj, "baud", &baud, errp)) {
        return false;
    }
    printf("  realize %s at %" G_GUINT64_FORMAT " baud\n", path, baud);
    return true;
}

static void uart_unrealize(OrrDevice *dev)
{
    /* Here this runs while /machine is finalized, off the tree: no
     * canonical path, so describe() gives the last one. */
    g_autofree char *what = orr_object_describe(&dev->parent_obj);

    printf("  unrealize %s\n", what);
}

static void uart_class_init(OrrObjectClass *klass, const void *data)
{
    GError *err = NULL;
    OrrPropertyDef baud = {
        .name = "baud",
        .type = ORR_PROP_UINT,
        .description = "line speed in bits per second",
        .default_value = {.type = ORR_VALUE_UINT, .u = 115200},
    };
    OrrPropertyDef tx_count = {
        .name = "tx-count",
        .type = ORR_PROP_UINT,
        .description = "characters sent so far",
        .get = uart_get_tx_count,
    };

    ORR_DEVICE_CLASS(klass)->realize = uart_realize;
    ORR_DEVICE_CLASS(klass)->unrealize = uart_unrealize;
    must(orr_class_add_property(klass, &baud, &err) != NULL, err);
    must(orr_class_add_property(klass, &tx_count, &err) != NULL, err);
    must(orr_device_class_add_gpio_out(ORR_DEVICE_CLASS(klass), "irq", 1, &err),
         err);
    must(orr_class_add_method(klass, "putc", "void(u8)", (OrrMethodFn)uart_putc,
                              "send one character", &err),
         err);
}

/* --- demo-intc: four input lines; the handler reports level changes. */

typedef struct DemoIntc {
    OrrDevice parent_obj;
    uint32_t pending;
} DemoIntc;

#define DEMO_INTC(obj) ORR_OBJECT_CHECK(DemoIntc, (obj), "demo-intc")

static void intc_set_irq(OrrDevice *dev, guint index, int level, void *opaque)
{
    DemoIntc *s = DEMO_INTC(dev);

    s->pending = (s->pending & ~(1u << index)) | (level ? 1u << index : 0);
    printf("  intc: in[%u] -> %d (pending 0x%x)\n", index, level, s->pending);
}

static void intc_class_init(OrrObjectClass *klass, const void *data)
{
    GError *err = NULL;

    must(orr_device_class_add_gpio_in(ORR_DEVICE_CLASS(klass), "in", 4,
                                      intc_set_irq, NULL, &err),
         err);
}

static bool register_types(GError **errp)
{
    static const OrrTypeInfo uart = {
        .name = "demo-uart",
        .parent = ORR_TYPE_DEVICE,
        .instance_size = sizeof(DemoUart),
        .class_init = uart_class_init,
    };
    static const OrrTypeInfo intc = {
        .name = "demo-intc",
        .parent = ORR_TYPE_DEVICE,
        .instance_size = sizeof(DemoIntc),
        .class_init = intc_class_init,
    };

    return orr_type_register(&uart, errp) && orr_type_register(&intc, errp);
}

static void print_finalized(const OrrFinalizeEvent *ev, void *data)
{
    printf("  finalize %s (%s)\n", ev->path ? ev->path : "?", ev->type);
}

/* Builds, wires and exercises the devices under @machine. */
static bool run(OrrObject *machine, GError **errp)
{
    printf("== build /machine: uart0.irq -> intc.in[2], realize\n");
    OrrObject *uart = orr_object_new_with_props("demo-uart", machine, "uart0",
                                                errp, "baud", "9600", NULL);
    if (uart == NULL) {
        return false;
    }
    OrrObject *intc =
        orr_object_new_with_props("demo-intc", machine, "intc", errp, NULL);
    if (intc == NULL ||
        !orr_device_connect_gpio(ORR_DEVICE(uart), "irq", 0, ORR_DEVICE(intc),
                                 "in", 2, errp) ||
        !orr_device_realize(ORR_DEVICE(intc), errp) ||
        !orr_device_realize(ORR_DEVICE(uart), errp)) {
        return false;
    }

    g_autofree char *tree = orr_object_format_tree(NULL);
    printf("\n== composition tree\n%s", tree);

    printf("\n== properties of /machine/uart0\n");
    g_auto(OrrPropertyIter) it;
    orr_property_iter_init(&it, uart);
    for (const OrrProperty *p; (p = orr_property_iter_next(&it)) != NULL;) {
        g_autofree char *v =
            orr_object_get_as_string(uart, orr_property_get_name(p), errp);
        if (v == NULL) {
            return false;
        }
        printf("  %-10s %-14s %s\n", orr_property_get_name(p),
               orr_property_get_type_name(p), v);
    }

    printf("\n== drive uart0.irq high, then low\n");
    if (!orr_device_set_gpio(ORR_DEVICE(uart), "irq", 0, 1, errp) ||
        !orr_device_set_gpio(ORR_DEVICE(uart), "irq", 0, 0, errp)) {
        return false;
    }

    printf("\n== call uart0's method putc by name, through libffi\n  ");
    for (const char *c = "hello"; *c; c++) {
        g_auto(OrrValue) ret = ORR_VALUE_INIT;
        OrrValue arg = {.type = ORR_VALUE_UINT, .u = (uint8_t)*c};
        if (!orr_object_call_method(uart, "putc", &arg, 1, &ret, errp)) {
            return false;
        }
    }
    uint64_t sent;
    if (!orr_object_get_uint(uart, "tx-count", &sent, errp)) {
        return false;
    }
    printf("\n  tx-count is now %" G_GUINT64_FORMAT "\n", sent);

    g_autofree char *report = orr_live_format_report();
    printf("\n== live objects\n%s", report ? report : "(none)\n");
    return true;
}

int main(void)
{
    g_autoptr(GError) err = NULL;
    OrrObject *machine = NULL;
    bool ok =
        register_types(&err) &&
        (machine = orr_object_new_with_props(ORR_TYPE_CONTAINER, orr_root(),
                                             "machine", &err, NULL)) != NULL &&
        run(machine, &err);

    if (!ok) {
        g_printerr("orrery-demo: %s\n", err->message);
    }

    /* A parent's finalize starts before its children's: they are released
     * during it, newest first. */
    printf("\n== teardown: unparent /machine\n");
    guint hook = orr_live_add_finalize_hook(print_finalized, NULL, NULL);
    if (machine != NULL) {
        orr_object_unparent(machine); /* drops the root's reference */
    }
    orr_live_remove_finalize_hook(hook);

    guint left = orr_live_count(NULL);
    printf("live objects after teardown: %u\n", left);
    if (left != 0) {
        g_autofree char *report = orr_live_format_report();
        g_printerr("orrery-demo: leaked:\n%s", report);
    }
    orr_root_shutdown();
    return ok && left == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
