/*
 * mod_exists.c — |exists: `field|exists: true` matches when the field is
 * present (any value, even null), `false` when it is absent.
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	st->op = SG_OP_EXISTS;
}

const sg_modifier sg_mod_exists = {"exists", apply};
