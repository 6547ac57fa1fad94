/*
 * guard_module.h — the `guard` scanner module (module.c), for the registry.
 */
#ifndef MAMORI_GUARD_MODULE_H
#define MAMORI_GUARD_MODULE_H

#include "mamori/module.h"

extern const mamori_module mamori_module_guard;

#endif
