/*
 * mod_neq.c — |neq: the field is present and none of its values equals the
 * value (with the list, equals none of them).
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	st->neq = true;
}

const sg_modifier sg_mod_neq = {"neq", apply};
