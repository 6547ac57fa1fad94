/*
 * mod_all.c — |all: every value of the list must match (AND instead of OR).
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	st->all = true;
}

const sg_modifier sg_mod_all = {"all", apply};
