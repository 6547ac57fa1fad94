/*
 * mod_endswith.c — the |endswith modifier: the value may have anything
 * before it (wildcards added; with |fieldref, the other
 * field's value is used the same way).
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	sg_mstate_wrap(st, "\x01", "", SG_SH_SUFFIX);
}

const sg_modifier sg_mod_endswith = {"endswith", apply};
