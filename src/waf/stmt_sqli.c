/*
 * stmt_sqli.c — SqliMatchStatement: mamori's SQL-injection detector
 * (sqli.c) on every value of a field, LOW or HIGH sensitivity.  Results are
 * cached per input and sensitivity, so rules sharing a field pay once.
 */
#include "waf_internal.h"

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	static const char *const levels[] = {"LOW", "HIGH", NULL};
	int level = waf_enum(c, j, "SensitivityLevel", levels, false, 0);
	if (level < 0)
		return MAMORI_EINPUT;
	s->u = (void *)(intptr_t)level;
	return waf_compile_input(c, j, s);
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	bool high = (intptr_t)s->u == 1;
	const waf_vals *v = waf_input_values(ev, s->input);
	int pre = waf_vals_pre(ev, s, v);
	if (pre >= 0)
		return pre;
	size_t slot = (size_t)s->input * 4 + (high ? 1 : 0);
	if (ev->det_gen[slot] == ev->gen && ev->det_cache[slot] == 1)
		return false;
	for (size_t i = 0; i < v->n; i++) {
		size_t at, span;
		const char *why;
		if (waf_sqli_detect(v->el[i].p, v->el[i].n, high, &at, &span, &why)) {
			waf_hit_set(ev, "SQL_INJECTION", s->input, &v->el[i], at, span);
			ev->hit.sensitivity = high ? "HIGH" : "LOW";
			ev->det_gen[slot] = ev->gen;
			ev->det_cache[slot] = 2;
			return true;
		}
	}
	ev->det_gen[slot] = ev->gen;
	ev->det_cache[slot] = 1;
	return false;
}

const waf_stmt_type waf_stmt_sqli = {"SqliMatchStatement", compile, eval, true};
