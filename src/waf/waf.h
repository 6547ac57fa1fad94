/*
 * waf.h — what the protection pillar registers in libmamori's module table
 * (src/modules.c).  The engine's API is include/mamori/waf.h.
 */
#ifndef MAMORI_WAF_MODULE_H
#define MAMORI_WAF_MODULE_H

#include "mamori/module.h"

extern const mamori_module mamori_module_waf;

#endif
