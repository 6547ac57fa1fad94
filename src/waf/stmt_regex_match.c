/*
 * stmt_regex_match.c — RegexMatchStatement: one PCRE regex on a field
 * (PCRE2 JIT under match limits, behind the Vectorscan prefilter).
 */
#include "waf_internal.h"

#include <string.h>

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	const char *re = waf_req_str(c, j, "RegexString");
	if (!re)
		return MAMORI_EINPUT;
	if (!*re || strlen(re) > 512)
		return waf_err(c, "RegexString", "must hold 1 to 512 characters");
	char err[256];
	waf_regex *code = waf_regex_compile(c, re, false, err, sizeof err);
	if (!code)
		return waf_err(c, "RegexString", "%s", err);
	int st = waf_compile_input(c, j, s);
	if (st)
		return st;
	s->u = code;
	waf_prefilter_add(c, s, code, NULL, 0, false);
	return MAMORI_OK;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const waf_vals *v = waf_input_values(ev, s->input);
	int pre = waf_vals_pre(ev, s, v);
	if (pre >= 0)
		return pre;
	if (!waf_prefilter_may_match(ev, s))
		return false;
	uint64_t where = waf_prefilter_values(ev, s, 0);
	for (size_t i = 0; i < v->n; i++) {
		size_t at, span;
		if ((where & waf_value_bit(i)) && waf_regex_match_value(ev, s->u, s->input, i, &at, &span)) {
			waf_hit_set(ev, "REGEX", s->input, &v->el[i], at, span);
			return true;
		}
	}
	return false;
}

const waf_stmt_type waf_stmt_regex_match = {"RegexMatchStatement", compile, eval, true};
