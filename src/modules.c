/*
 * modules.c — the registration table of built-in scanner modules.
 *
 * This is the one place above the pillars: it knows every module so that
 * the core does not have to.  Adding a module is one line here (and its own
 * folder under src/<pillar>/); `mamori scan` runs them in this order.
 */
#include "mamori/module.h"
#include "aws/aws_module.h"
#include "detect/detect.h"
#include "guard/guard_module.h"
#include "posture/posture.h"
#include "vuln/module_vuln.h"
#include "waf/waf.h"

static const mamori_module *const builtin[] = {
	&mamori_module_s3_exposure,
	&mamori_module_guard,
	&mamori_module_aws_collection,
	&mamori_module_vuln,
	&mamori_module_waf,
	&mamori_module_detect,
};

void mamori_registry_add_builtin(mamori_registry *reg)
{
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++)
		mamori_registry_add(reg, builtin[i]);
}
