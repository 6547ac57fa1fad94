/*
 * mod_expand.c — |expand: a %name% placeholder in a value is replaced by
 * the values the user configured for it (`mamori detect --placeholders
 * FILE`), one value each, the rest of the string kept around it (pySigma's
 * value-list placeholders).  A placeholder with no configured value makes
 * the rule unable to run: it is reported with its id and the name (pySigma
 * fails the same way without a placeholder configuration).
 */
#include "../../core/json.h"
#include "sigma_internal.h"

#include <stdio.h>

/* Bounds: placeholders per value, and values one value may expand into. */
#define MAX_PASSES 4
#define MAX_VALUES 4096

static char *one_value(mamori_arena *a, const cJSON *x)
{
	if (cJSON_IsString(x))
		return mamori_arena_strdup(a, x->valuestring);
	return mamori_arena_printf(a, "%.17g", x->valuedouble);
}

static void one(sg_mstate *st, const sg_value *v)
{
	const char *p = strchr(v->raw, '%');
	const char *q = p ? strchr(p + 1, '%') : NULL;
	if (!q || q == p + 1) {
		sg_mstate_push(st, &v->str, v);
		return;
	}
	if (st->error)
		return;
	char *name = mamori_arena_strndup(st->arena, p + 1, (size_t)(q - p - 1));
	const cJSON *vals = st->placeholders ? mamori_json_get(st->placeholders, name) : NULL;
	if (!vals) {
		st->error = mamori_arena_printf(st->arena,
						"no value configured for the placeholder %%%s%% "
						"(mamori detect --placeholders FILE)",
						name);
		return;
	}
	const cJSON *x;
	size_t n = cJSON_IsArray(vals) ? (size_t)cJSON_GetArraySize(vals) : 1;
	for (size_t i = 0; i < n; i++) {
		x = cJSON_IsArray(vals) ? cJSON_GetArrayItem(vals, (int)i) : vals;
		if (st->nvals >= MAX_VALUES) {
			st->error = "the placeholders expand into too many values";
			return;
		}
		sg_value nv = *v;
		nv.raw = mamori_arena_printf(st->arena, "%.*s%s%s", (int)(p - v->raw), v->raw,
					     one_value(st->arena, x), q + 1);
		nv.is_num = false;
		nv.str = sg_str_parse(st->arena, nv.raw);
		sg_mstate_push(st, &nv.str, &nv);
	}
}

static void apply(sg_mstate *st)
{
	for (int pass = 0; pass < MAX_PASSES && !st->error; pass++) {
		bool more = false;
		for (size_t i = 0; i < st->nvals; i++) {
			const char *r = st->vals[i].raw, *p = r ? strchr(r, '%') : NULL;
			more |= p && strchr(p + 1, '%') && strchr(p + 1, '%') != p + 1;
		}
		if (!more)
			return;
		sg_mstate_transform(st, one, false);
	}
}

const sg_modifier sg_mod_expand = {"expand", apply};
