/*
 * sigma_modifiers.c — the registration table of Sigma field modifiers.
 *
 * Each modifier lives in its own file (mod_<name>.c) and either rewrites
 * the list of values (contains, base64, utf16le, windash...) or chooses
 * how values are compared (re, cidr, gt, exists, fieldref...).  Adding one
 * is a new file and one line here.  A name not in this table makes its rule
 * unrunnable with "unknown modifier".
 */
#include "sigma_internal.h"

extern const sg_modifier sg_mod_contains, sg_mod_startswith, sg_mod_endswith, sg_mod_all,
	sg_mod_re, sg_mod_re_i, sg_mod_re_m, sg_mod_re_s, sg_mod_re_ignorecase,
	sg_mod_re_multiline, sg_mod_re_dotall, sg_mod_cidr, sg_mod_base64, sg_mod_base64offset,
	sg_mod_utf16le, sg_mod_utf16be, sg_mod_utf16, sg_mod_wide, sg_mod_windash,
	sg_mod_exists, sg_mod_neq, sg_mod_gt, sg_mod_gte, sg_mod_lt, sg_mod_lte,
	sg_mod_fieldref, sg_mod_expand, sg_mod_cased;

static const sg_modifier *const table[] = {
	&sg_mod_contains,     &sg_mod_startswith,   &sg_mod_endswith,	   &sg_mod_all,
	&sg_mod_re,	      &sg_mod_re_i,	    &sg_mod_re_m,	   &sg_mod_re_s,
	&sg_mod_re_ignorecase, &sg_mod_re_multiline, &sg_mod_re_dotall,	   &sg_mod_cidr,
	&sg_mod_base64,	      &sg_mod_base64offset, &sg_mod_utf16le,	   &sg_mod_utf16be,
	&sg_mod_utf16,	      &sg_mod_wide,	    &sg_mod_windash,	   &sg_mod_exists,
	&sg_mod_neq,	      &sg_mod_gt,	    &sg_mod_gte,	   &sg_mod_lt,
	&sg_mod_lte,	      &sg_mod_fieldref,	    &sg_mod_expand,	   &sg_mod_cased,
};

const sg_modifier *sg_modifier_find(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (strcmp(table[i]->name, name) == 0)
			return table[i];
	return NULL;
}

void sg_mstate_push(sg_mstate *st, const sg_str *s, const sg_value *from)
{
	if (st->nvals == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 8;
		sg_value *nv = mamori_arena_alloc(st->arena, st->cap * sizeof *nv);
		if (st->nvals)
			memcpy(nv, st->vals, st->nvals * sizeof *nv);
		st->vals = nv;
	}
	sg_value *v = &st->vals[st->nvals++];
	*v = *from;
	v->str = *s;
}

void sg_mstate_transform(sg_mstate *st, void (*fn)(sg_mstate *st, const sg_value *v),
			 bool refuse_wildcards)
{
	sg_value *old = st->vals;
	size_t n = st->nvals;
	st->vals = NULL;
	st->nvals = st->cap = 0;
	for (size_t i = 0; i < n; i++) {
		if (!old[i].raw)
			continue; /* null stays out of transforms */
		if (refuse_wildcards && sg_str_has_wild(&old[i].str)) {
			st->error = "a value with wildcards cannot be encoded";
			return;
		}
		fn(st, &old[i]);
	}
}

void sg_mstate_wrap(sg_mstate *st, const char *pre, const char *post, uint8_t ref_shape)
{
	if (st->op == SG_OP_FIELDREF) {
		st->ref_shape = ref_shape;
		return;
	}
	for (size_t i = 0; i < st->nvals; i++)
		if (st->vals[i].raw)
			st->vals[i].str = sg_str_cat(st->arena, pre, &st->vals[i].str, post);
}
