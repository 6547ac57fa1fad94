/*
 * mod_compare.c — |gt, |gte, |lt, |lte: numeric comparisons (the field
 * value must read as a number).  One file for the four: they differ only
 * in the operator.
 */
#include "sigma_internal.h"

static void gt(sg_mstate *st)
{
	st->op = SG_OP_GT;
}
static void gte(sg_mstate *st)
{
	st->op = SG_OP_GTE;
}
static void lt(sg_mstate *st)
{
	st->op = SG_OP_LT;
}
static void lte(sg_mstate *st)
{
	st->op = SG_OP_LTE;
}

const sg_modifier sg_mod_gt = {"gt", gt};
const sg_modifier sg_mod_gte = {"gte", gte};
const sg_modifier sg_mod_lt = {"lt", lt};
const sg_modifier sg_mod_lte = {"lte", lte};
