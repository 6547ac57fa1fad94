/*
 * mod_startswith.c — the |startswith modifier: the value may have anything
 * after it (wildcards added; with |fieldref, the other
 * field's value is used the same way).
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	sg_mstate_wrap(st, "", "\x01", SG_SH_PREFIX);
}

const sg_modifier sg_mod_startswith = {"startswith", apply};
