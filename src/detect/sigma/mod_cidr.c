/*
 * mod_cidr.c — |cidr: the value is an IPv4 or IPv6 network; a field value
 * matches when it is an address inside it.
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	st->op = SG_OP_CIDR;
}

const sg_modifier sg_mod_cidr = {"cidr", apply};
