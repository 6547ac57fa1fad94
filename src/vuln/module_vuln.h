/*
 * module_vuln.h — the vulnerabilities pillar's scanner module, for the
 * module table (src/modules.c), and the database opening it shares with
 * the `mamori vuln` command.
 */
#ifndef MAMORI_VULN_MODULE_H
#define MAMORI_VULN_MODULE_H

#include "mamori/module.h"

extern const mamori_module mamori_module_vuln;

#endif
