/*
 * mod_fieldref.c — |fieldref: the value names another field of the same
 * record; the field matches when its value equals that field's value
 * (case-insensitively unless |cased; with |contains, |startswith or
 * |endswith, as a substring, prefix or suffix).
 */
#include "sigma_internal.h"

static void apply(sg_mstate *st)
{
	/* a contains/startswith/endswith before us already wrapped the names */
	for (size_t i = 0; i < st->nvals; i++) {
		sg_str *s = &st->vals[i].str;
		if (s->n && s->s[0] == SG_STAR) {
			s->s++;
			s->n--;
			st->ref_shape = SG_SH_SUFFIX;
		}
		if (s->n && s->s[s->n - 1] == SG_STAR) {
			s->n--;
			st->ref_shape = st->ref_shape == SG_SH_SUFFIX ? SG_SH_CONTAINS : SG_SH_PREFIX;
		}
	}
	st->op = SG_OP_FIELDREF;
}

const sg_modifier sg_mod_fieldref = {"fieldref", apply};
