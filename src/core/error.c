/*
 * orrery core — the ORR_ERROR domain.
 */
#include "core-internal.h"

G_DEFINE_QUARK(orr - error - quark, orr_error)
