/*
 * modules.c — the registration table of built-in scanner modules.
 *
 * This is the one place above the pillars: it knows every module so that
 * the core does not have to.  Adding a module is one line here (and its own
 * folder under src/<pillar>/); `mamori scan` runs them in this order.
 */
#include "mamori/module.h"
#include "posture/posture.h"
#include "waf/waf.h"

static const mamori_module *const builtin[] = {
	&mamori_module_s3_exposure,
	&mamori_module_waf,
};

void mamori_registry_add_builtin(mamori_registry *reg)
{
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
		mamori_registry_add(reg, builtin[i]);
}
