/*
 * orrery — the whole public C API in one include.
 */
#ifndef ORRERY_H
#define ORRERY_H

#include "orrery/error.h"
#include "orrery/type.h"
#include "orrery/value.h"
#include "orrery/object.h"
#include "orrery/property.h"
#include "orrery/device.h"
#include "orrery/gpio.h"
#include "orrery/method.h"
#include "orrery/live.h"
#include "orrery/memory.h"
#include "orrery/address-space.h"
#include "orrery/json.h"

#endif /* ORRERY_H */
