/*
 * Every rule of mamori's managed rule groups against its test cases
 * (tests/data/waf/managed-rules.jsonl): requests that must match the rule and
 * near misses that must not.  All groups run in Count mode so that every
 * rule is evaluated on every request; a rule without a "match" case fails
 * the test, so a new rule cannot ship untested.
 */
#include "json.h"
#include "mamori/waf.h"
#include "testutil.h"
#include "waf/waf_internal.h"

typedef struct one_case {
	mamori_waf_eval *ev;
	const char *group, *rule, *expect, *note;
	int line;
	bool evaluated;
} one_case;

static bool matched(const mamori_waf_result *res, const char *group, const char *rule)
{
	for (size_t i = 0; i < res->match_count; i++)
		if (res->matches[i].group && !strcmp(res->matches[i].group, group) &&
		    !strcmp(res->matches[i].rule, rule))
			return true;
	return false;
}

static int on_case(void *ud, const mamori_waf_record *rec)
{
	one_case *c = ud;
	assert_non_null(rec);
	mamori_waf_result res;
	assert_int_equal(mamori_waf_evaluate(c->ev, &rec->request, &res), MAMORI_OK);
	bool hit = matched(&res, c->group, c->rule);
	bool want = !strcmp(c->expect, "match");
	if (hit != want)
		fail_msg("managed-rules.jsonl:%d: %s/%s should %s (%s)", c->line, c->group, c->rule,
			 want ? "match" : "not match", c->note);
	c->evaluated = true;
	return 0;
}

static void every_rule_has_tests_and_passes(void **state)
{
	(void)state;
	const char *src = getenv("MAMORI_SOURCE_DIR");
	assert_non_null(src);
	char path[4096];
	snprintf(path, sizeof path, "%s/tests/data/waf/managed-rules.jsonl", src);
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_buf b = MAMORI_BUF_INIT;
	assert_int_equal(mamori_buf_read_file(ctx, &b, path, 0), MAMORI_OK);

	/* all groups, counting */
	mamori_buf acl_json = MAMORI_BUF_INIT;
	mamori_buf_puts(&acl_json, "{\"Name\":\"all-count\",\"DefaultAction\":{\"Allow\":{}},\"Rules\":[");
	const char *const *names = waf_managed_group_names();
	for (size_t i = 0; names[i]; i++)
		mamori_buf_printf(&acl_json,
				  "%s{\"Name\":\"%s\",\"Priority\":%zu,\"OverrideAction\":{\"Count\":{}},"
				  "\"Statement\":{\"ManagedRuleGroupStatement\":{\"VendorName\":\"%s\","
				  "\"Name\":\"%s\"}}}",
				  i ? "," : "", names[i], i, strncmp(names[i], "AWS", 3) ? "mamori" : "AWS",
				  names[i]);
	mamori_buf_puts(&acl_json, "]}");
	mamori_waf_acl *acl = NULL;
	if (mamori_waf_acl_compile(ctx, "all-count", acl_json.data, acl_json.len, NULL, &acl) != 0)
		fail_msg("%s", mamori_error_last(ctx)->message);
	mamori_waf_eval *ev = mamori_waf_eval_new(acl);

	/* run every case; remember which rules had a positive case */
	size_t tested_cap = 512, tested_n = 0;
	char **tested = calloc(tested_cap, sizeof *tested);
	int line = 0, cases = 0;
	char *save = NULL;
	for (char *l = strtok_r(b.data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		line++;
		cJSON *o = cJSON_Parse(l);
		assert_non_null(o);
		one_case c = {ev, mamori_json_str(o, "group"), mamori_json_str(o, "rule"),
			      mamori_json_str(o, "expect"), mamori_json_str(o, "note"), line, false};
		assert_non_null(c.group);
		assert_non_null(c.rule);
		char *rq = cJSON_PrintUnformatted(mamori_json_get(o, "request"));
		assert_int_equal(mamori_waf_read_requests(ctx, "case", rq, strlen(rq), MAMORI_WAF_INPUT_JSONL,
							  on_case, &c),
				 0);
		assert_true(c.evaluated);
		if (!strcmp(c.expect, "match") && tested_n < tested_cap) {
			char key[300];
			snprintf(key, sizeof key, "%s/%s", c.group, c.rule);
			tested[tested_n++] = strdup(key);
		}
		free(rq);
		cJSON_Delete(o);
		cases++;
	}
	assert_true(cases > 50);
	for (size_t g = 0; g < acl->group_count; g++) {
		for (size_t r = 0; r < acl->groups[g]->count; r++) {
			char key[300];
			snprintf(key, sizeof key, "%s/%s", acl->groups[g]->name, acl->groups[g]->rules[r].name);
			bool found = false;
			for (size_t k = 0; k < tested_n && !found; k++)
				found = !strcmp(tested[k], key);
			if (!found)
				fail_msg("managed rule %s has no \"match\" test case", key);
		}
	}
	for (size_t k = 0; k < tested_n; k++)
		free(tested[k]);
	free(tested);
	mamori_waf_eval_free(ev);
	mamori_waf_acl_free(acl);
	mamori_buf_free(&acl_json);
	mamori_buf_free(&b);
	mamori_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_rule_has_tests_and_passes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
