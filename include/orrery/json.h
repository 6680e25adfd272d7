/*
 * orrery — JSON text of GVariant values. The introspection dumps of the
 * memory layer (and later the object tree) are GVariants; this turns any
 * of them into JSON for tools and scripts.
 */
#ifndef ORRERY_JSON_H
#define ORRERY_JSON_H

#include <glib.h>

G_BEGIN_DECLS

/**
 * orr_variant_to_json:
 * @value: (transfer none): any GVariant.
 * @pretty: indent nested containers by two spaces per level.
 *
 * Dictionaries with string keys (a{s*}) become objects; other arrays and
 * tuples become arrays; variants are unwrapped; a maybe is its value or
 * null; numbers are printed exactly (64-bit integers in full); strings,
 * object paths and signatures are escaped as JSON requires (control
 * characters as \u00XX; other UTF-8 is kept).
 *
 * Returns: (transfer full): the JSON text, without a trailing newline.
 */
char *orr_variant_to_json(GVariant *value, gboolean pretty);

G_END_DECLS

#endif /* ORRERY_JSON_H */
