/*
 * mod_expand.c — |expand: the value is a %placeholder% that the user
 * replaces by a list of values.  mamori has no placeholder values
 * configured, so a rule using one cannot run and is reported as such
 * (pySigma behaves the same without a placeholder configuration).
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	for (size_t i = 0; i < st->nvals; i++)
		if (st->vals[i].raw && strchr(st->vals[i].raw, '%')) {
			st->error = "uses a %placeholder% (|expand) with no value configured";
			return;
		}
}

const sg_modifier sg_mod_expand = {"expand", apply};
