/*
 * stmt_regex_set.c — RegexPatternSetReferenceStatement: any regex of a
 * regex pattern set, found by ARN (or name) among the RegexPatternSets that
 * come with the WebACL.  Each regex is one prefilter pattern (the
 * prefilter says which to confirm); each is then tried with PCRE2.
 */
#include "waf_internal.h"

#include <string.h>

typedef struct regex_set {
	waf_regex **re;
	size_t n;
} regex_set;

static const cJSON *find_set(const cJSON *sets, const char *arn)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, sets)
	{
		const char *a = mamori_json_str(it, "ARN"), *n = mamori_json_str(it, "Name");
		if ((a && !strcmp(a, arn)) || (n && !strcmp(n, arn)))
			return it;
	}
	return NULL;
}

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	const char *arn = waf_req_str(c, j, "ARN");
	if (!arn)
		return MAMORI_EINPUT;
	const cJSON *set = cJSON_IsArray(c->regex_sets) ? find_set(c->regex_sets, arn) : NULL;
	if (!set)
		return waf_err(c, "ARN", "no regex pattern set \"%s\" in RegexPatternSets", arn);
	const cJSON *list = mamori_json_get(set, "RegularExpressionList");
	if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
		return waf_err(c, "ARN", "regex pattern set \"%s\" has no RegularExpressionList", arn);
	regex_set *rs = mamori_arena_alloc(&c->acl->arena, sizeof *rs);
	rs->re = mamori_arena_alloc(&c->acl->arena, (size_t)cJSON_GetArraySize(list) * sizeof *rs->re);
	const cJSON *it;
	cJSON_ArrayForEach(it, list)
	{
		const char *re = mamori_json_str(it, "RegexString");
		char err[256];
		if (!re) {
			return waf_err(c, "ARN", "regex pattern set \"%s\": an entry has no RegexString",
				       arn);
		}
		waf_regex *code = waf_regex_compile(c, re, false, err, sizeof err);
		if (!code) {
			return waf_err(c, "ARN", "regex pattern set \"%s\": \"%s\": %s", arn, re, err);
		}
		rs->re[rs->n++] = code;
	}
	int st = waf_compile_input(c, j, s);
	if (!st) {
		s->u = rs;
		/* one prefilter pattern per regex: Vectorscan compiles many small
		 * patterns faster than one alternation, and says which to confirm */
		for (size_t k = 0; k < rs->n; k++)
			waf_prefilter_add(c, s, rs->re[k], NULL, 0, false);
	}
	return st;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const regex_set *rs = s->u;
	const waf_vals *v = waf_input_values(ev, s->input);
	int pre = waf_vals_pre(ev, s, v);
	if (pre >= 0)
		return pre;
	if (!waf_prefilter_may_match(ev, s))
		return false;
	/* the values some regex of the set may match in: the others are skipped
	 * without asking for each regex */
	uint64_t any = 0;
	for (size_t k = 0; k < rs->n; k++)
		any |= waf_prefilter_values(ev, s, (int)k);
	for (size_t i = 0; i < v->n; i++) {
		if (!(any & waf_value_bit(i)))
			continue;
		for (size_t k = 0; k < rs->n; k++) {
			size_t at, span;
			if (!(waf_prefilter_values(ev, s, (int)k) & waf_value_bit(i)))
				continue;
			if (waf_regex_match_value(ev, rs->re[k], s->input, i, &at, &span)) {
				waf_hit_set(ev, "REGEX_PATTERN_SET", s->input, &v->el[i], at, span);
				return true;
			}
		}
	}
	return false;
}

const waf_stmt_type waf_stmt_regex_set = {"RegexPatternSetReferenceStatement", compile, eval, true};
