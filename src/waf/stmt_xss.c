/*
 * stmt_xss.c — XssMatchStatement: mamori's cross-site-scripting detector
 * (xss.c) on every value of a field, cached per input.
 */
#include "waf_internal.h"

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	return waf_compile_input(c, j, s);
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const waf_vals *v = waf_input_values(ev, s->input);
	int pre = waf_vals_pre(ev, s, v);
	if (pre >= 0)
		return pre;
	size_t slot = (size_t)s->input * 4 + 2;
	if (ev->det_gen[slot] == ev->gen && ev->det_cache[slot] == 1)
		return false;
	for (size_t i = 0; i < v->n; i++) {
		size_t at, span;
		const char *why;
		if (waf_xss_detect(v->el[i].p, v->el[i].n, &at, &span, &why)) {
			waf_hit_set(ev, "XSS", s->input, &v->el[i], at, span);
			ev->det_gen[slot] = ev->gen;
			ev->det_cache[slot] = 2;
			return true;
		}
	}
	ev->det_gen[slot] = ev->gen;
	ev->det_cache[slot] = 1;
	return false;
}

const waf_stmt_type waf_stmt_xss = {"XssMatchStatement", compile, eval, true};
