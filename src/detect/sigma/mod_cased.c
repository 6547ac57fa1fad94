/*
 * mod_cased.c — |cased: compare case-sensitively (Sigma's default is not).
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	st->cased = true;
}

const sg_modifier sg_mod_cased = {"cased", apply};
