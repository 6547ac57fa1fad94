/*
 * mod_contains.c — the |contains modifier: the value may have anything
 * around it (wildcards added; with |fieldref, the other
 * field's value is used the same way).
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	sg_mstate_wrap(st, "\x01", "\x01", SG_SH_CONTAINS);
}

const sg_modifier sg_mod_contains = {"contains", apply};
