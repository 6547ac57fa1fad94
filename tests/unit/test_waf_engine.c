/*
 * The wafv2 evaluator: compile errors with JSON paths, every statement type,
 * fields and their oversize handling, rule groups with exclusions, overrides
 * and scope-down, actions, labels, rate-based rules and the log record.
 * Requests are written as JSON Lines, the way the CLI reads them.
 */
#include "mamori/waf.h"
#include "testutil.h"

typedef struct outcome {
	mamori_waf_action action;
	char rule[128];
	char group[128];
	int status;
	size_t labels;
	char label0[160];
	char log[8192];
	size_t matches;
} outcome;

typedef struct runner {
	mamori_waf_eval *ev;
	const mamori_waf_acl *acl;
	outcome *out;
} runner;

static int on_rec(void *ud, const mamori_waf_record *rec)
{
	runner *r = ud;
	assert_non_null(rec);
	mamori_waf_result res;
	mamori_waf_evaluate(r->ev, &rec->request, &res);
	r->out->action = res.action;
	snprintf(r->out->rule, sizeof r->out->rule, "%s", res.terminating_rule);
	snprintf(r->out->group, sizeof r->out->group, "%s",
		 res.terminating_group ? res.terminating_group : "");
	r->out->status = res.status;
	r->out->labels = res.label_count;
	r->out->matches = res.match_count;
	snprintf(r->out->label0, sizeof r->out->label0, "%s", res.label_count ? res.labels[0] : "");
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_waf_log_record(r->acl, &rec->request, &res, "{\"id\":\"t\"}", &b);
	snprintf(r->out->log, sizeof r->out->log, "%s", b.data);
	mamori_buf_free(&b);
	return 0;
}

static mamori_waf_acl *compile(mamori_ctx *ctx, const char *json)
{
	mamori_waf_acl *acl = NULL;
	if (mamori_waf_acl_compile(ctx, "test.json", json, strlen(json), NULL, &acl) != MAMORI_OK)
		fail_msg("compile: %s", mamori_error_last(ctx)->message);
	return acl;
}

/* Evaluate one JSON Lines request (several: the last one's outcome). */
static outcome run_with(mamori_ctx *ctx, mamori_waf_acl *acl, mamori_waf_eval *ev, const char *rq)
{
	outcome o;
	memset(&o, 0, sizeof o);
	runner r = {ev, acl, &o};
	assert_int_equal(mamori_waf_read_requests(ctx, "rq", rq, strlen(rq), MAMORI_WAF_INPUT_JSONL,
						  on_rec, &r),
			 0);
	return o;
}

static outcome run(const char *acl_json, const char *rq)
{
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_waf_acl *acl = compile(ctx, acl_json);
	mamori_waf_eval *ev = mamori_waf_eval_new(acl);
	outcome o = run_with(ctx, acl, ev, rq);
	mamori_waf_eval_free(ev);
	mamori_waf_acl_free(acl);
	mamori_ctx_free(ctx);
	return o;
}

#define ACL(rules) "{\"Name\":\"t\",\"DefaultAction\":{\"Allow\":{}},\"Rules\":[" rules "]}"
#define RULE(name, prio, stmt, action)                                                        \
	"{\"Name\":\"" name "\",\"Priority\":" #prio ",\"Statement\":" stmt ",\"Action\":{\"" action \
	"\":{}},\"VisibilityConfig\":{}}"
#define TX_NONE "[{\"Priority\":0,\"Type\":\"NONE\"}]"
#define BYTE(s, field, pos, tx)                                                                   \
	"{\"ByteMatchStatement\":{\"SearchString\":\"" s "\",\"FieldToMatch\":" field                \
	",\"TextTransformations\":" tx ",\"PositionalConstraint\":\"" pos "\"}}"
#define GET(uri, hdrs) "{\"method\":\"GET\",\"uri\":\"" uri "\",\"headers\":[" hdrs "]}\n"

static void compile_errors_name_the_json_path(void **state)
{
	(void)state;
	static const struct {
		const char *json, *expect;
	} cases[] = {
		{"{\"Name\":\"x\",\"Rules\":[]}", "$.DefaultAction: is required"},
		{ACL(RULE("a", 1, BYTE("x", "{\"UriPath\":{}}", "SOMEWHERE", TX_NONE), "Block")),
		 "$.Rules[0].Statement.ByteMatchStatement.PositionalConstraint: \"SOMEWHERE\" is not one of"},
		{ACL(RULE("a", 1, BYTE("x", "{\"UriPath\":{}}", "CONTAINS", "[{\"Priority\":0,\"Type\":\"ROT13\"}]"),
			  "Block")),
		 "$.Rules[0].Statement.ByteMatchStatement.TextTransformations[0].Type: unknown transformation"},
		{ACL(RULE("a", 1, "{\"RegexMatchStatement\":{\"RegexString\":\"(a\",\"FieldToMatch\":{\"UriPath\":{}},"
				 "\"TextTransformations\":" TX_NONE "}}",
			  "Block")),
		 "$.Rules[0].Statement.RegexMatchStatement.RegexString: invalid regex"},
		{ACL(RULE("a", 1, BYTE("x", "{\"UriPath\":{}}", "CONTAINS", TX_NONE), "Block") "," RULE(
			 "a", 2, BYTE("y", "{\"UriPath\":{}}", "CONTAINS", TX_NONE), "Block")),
		 "$.Rules[1].Name: \"a\" is already the name of Rules[0]"},
		{ACL(RULE("a", 1, "{\"NotStatement\":{\"Statement\":{\"FooStatement\":{}}}}", "Block")),
		 "$.Rules[0].Statement.NotStatement.Statement: unknown statement \"FooStatement\""},
		{ACL(RULE("a", 1, "{\"IPSetReferenceStatement\":{\"ARN\":\"arn:nope\"}}", "Block")),
		 "$.Rules[0].Statement.IPSetReferenceStatement.ARN: no IP set"},
		{ACL("{\"Name\":\"g\",\"Priority\":1,\"OverrideAction\":{\"None\":{}},\"Statement\":{"
		     "\"ManagedRuleGroupStatement\":{\"VendorName\":\"AWS\",\"Name\":\"AWSManagedRulesCommonRuleSet\","
		     "\"ExcludedRules\":[{\"Name\":\"NoSuchRule\"}]}}}"),
		 "ExcludedRules[0].Name: rule group AWSManagedRulesCommonRuleSet has no rule \"NoSuchRule\""},
		{ACL(RULE("a", 1, BYTE("x", "{\"UriPath\":{},\"QueryString\":{}}", "CONTAINS", TX_NONE), "Block")),
		 "FieldToMatch: FieldToMatch must name exactly one field"},
		{ACL(RULE("a", 1, "{\"RateBasedStatement\":{\"Limit\":5,\"AggregateKeyType\":\"IP\"}}", "Block")),
		 "RateBasedStatement.Limit: must be between 10 and 2000000000"},
		/* numbers no integer can hold (fuzz finding: converted, they were UB) */
		{ACL(RULE("a", 1e300, BYTE("x", "{\"UriPath\":{}}", "CONTAINS", TX_NONE), "Block")),
		 "$.Rules[0].Priority: must be from 0 to 2147483647"},
		{ACL(RULE("a", 1, BYTE("x", "{\"UriPath\":{}}", "CONTAINS", "[{\"Priority\":-1e300,\"Type\":\"NONE\"}]"),
			  "Block")),
		 "TextTransformations[0].Priority: must be from 0 to 2147483647"},
		{ACL(RULE("a", 1, "{\"RateBasedStatement\":{\"Limit\":100,\"AggregateKeyType\":\"IP\","
				 "\"EvaluationWindowSec\":1e300}}", "Block")),
		 "RateBasedStatement.EvaluationWindowSec: must be 60, 120, 300 or 600"},
	};
	mamori_ctx *ctx = mamori_ctx_new();
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		mamori_waf_acl *acl = NULL;
		assert_int_equal(mamori_waf_acl_compile(ctx, "w.json", cases[i].json, strlen(cases[i].json),
							NULL, &acl),
				 MAMORI_EINPUT);
		assert_null(acl);
		const char *msg = mamori_error_last(ctx)->message;
		if (!strstr(msg, cases[i].expect))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, msg, cases[i].expect);
		assert_non_null(strstr(msg, "w.json: $"));
	}
	mamori_ctx_free(ctx);
}

static void byte_match_positions_and_transforms(void **state)
{
	(void)state;
	const char *acl = ACL(RULE("exact", 1, BYTE("/admin", "{\"UriPath\":{}}", "EXACTLY", TX_NONE), "Block") "," RULE(
		"starts", 2, BYTE("/api/", "{\"UriPath\":{}}", "STARTS_WITH", TX_NONE), "Block") "," RULE("ends", 3,
		BYTE(".php", "{\"UriPath\":{}}", "ENDS_WITH", "[{\"Priority\":0,\"Type\":\"LOWERCASE\"}]"),
		"Block") "," RULE("word", 4, BYTE("drop", "{\"QueryString\":{}}", "CONTAINS_WORD", TX_NONE),
				  "Block") "," RULE("contains", 5,
						    BYTE("evil", "{\"SingleHeader\":{\"Name\":\"X-Test\"}}", "CONTAINS",
							 "[{\"Priority\":1,\"Type\":\"LOWERCASE\"},{\"Priority\":0,"
							 "\"Type\":\"URL_DECODE\"}]"),
						    "Block"));
	assert_string_equal(run(acl, GET("/admin", "")).rule, "exact");
	assert_string_equal(run(acl, GET("/admin/x", "")).rule, "Default_Action");
	assert_string_equal(run(acl, GET("/api/v1", "")).rule, "starts");
	assert_string_equal(run(acl, GET("/INDEX.PHP", "")).rule, "ends");
	assert_string_equal(run(acl, GET("/q?a=drop+it", "")).rule, "word");
	assert_string_equal(run(acl, GET("/q?a=dropped", "")).rule, "Default_Action");
	assert_string_equal(run(acl, GET("/", "[\"x-test\",\"%45VIL\"]")).rule, "contains");
	outcome o = run(acl, GET("/", "[\"X-Test\",\"nothing\"]"));
	assert_int_equal(o.action, MAMORI_WAF_ALLOW);
}

static void regex_sets_ip_sets_and_logic(void **state)
{
	(void)state;
	const char *acl =
		"{\"WebACL\":{\"Name\":\"t\",\"DefaultAction\":{\"Block\":{}},\"Rules\":["
		"{\"Name\":\"office\",\"Priority\":1,\"Statement\":{\"IPSetReferenceStatement\":{\"ARN\":\"arn:ips/office\"}},"
		"\"Action\":{\"Allow\":{}}},"
		"{\"Name\":\"fwd\",\"Priority\":2,\"Statement\":{\"IPSetReferenceStatement\":{\"ARN\":\"arn:ips/bad\","
		"\"IPSetForwardedIPConfig\":{\"HeaderName\":\"X-Forwarded-For\",\"FallbackBehavior\":\"NO_MATCH\","
		"\"Position\":\"ANY\"}}},\"Action\":{\"Block\":{}}},"
		"{\"Name\":\"static\",\"Priority\":3,\"Statement\":{\"AndStatement\":{\"Statements\":["
		"{\"RegexPatternSetReferenceStatement\":{\"ARN\":\"arn:rx/static\",\"FieldToMatch\":{\"UriPath\":{}},"
		"\"TextTransformations\":" TX_NONE "}},"
		"{\"NotStatement\":{\"Statement\":{\"SizeConstraintStatement\":{\"FieldToMatch\":{\"QueryString\":{}},"
		"\"ComparisonOperator\":\"GT\",\"Size\":10,\"TextTransformations\":" TX_NONE "}}}}]}},"
		"\"Action\":{\"Allow\":{}}}]},"
		"\"IPSets\":[{\"ARN\":\"arn:ips/office\",\"Addresses\":[\"192.0.2.0/24\",\"2001:db8::/32\"]},"
		"{\"ARN\":\"arn:ips/bad\",\"Addresses\":[\"203.0.113.7/32\"]}],"
		"\"RegexPatternSets\":[{\"ARN\":\"arn:rx/static\",\"RegularExpressionList\":[{\"RegexString\":\"^/static/\"},"
		"{\"RegexString\":\"\\\\.(?:css|js)$\"}]}]}";
	assert_string_equal(run(acl, "{\"uri\":\"/x\",\"client_ip\":\"192.0.2.9\"}\n").rule, "office");
	assert_string_equal(run(acl, "{\"uri\":\"/x\",\"client_ip\":\"2001:db8:1::5\"}\n").rule, "office");
	assert_string_equal(run(acl, "{\"uri\":\"/x\",\"client_ip\":\"2001:db9::5\"}\n").rule, "Default_Action");
	assert_string_equal(run(acl, "{\"uri\":\"/static/a\",\"client_ip\":\"10.0.0.1\",\"headers\":[[\"X-Forwarded-For\","
				     "\"10.1.1.1, 203.0.113.7\"]]}\n")
				    .rule,
			    "fwd");
	assert_string_equal(run(acl, "{\"uri\":\"/static/a\",\"client_ip\":\"10.0.0.1\"}\n").rule, "static");
	assert_string_equal(run(acl, "{\"uri\":\"/app.js?x=1\",\"client_ip\":\"10.0.0.1\"}\n").rule, "static");
	outcome o = run(acl, "{\"uri\":\"/app.js?xxxxxxxxxxxx=1\",\"client_ip\":\"10.0.0.1\"}\n");
	assert_string_equal(o.rule, "Default_Action");
	assert_int_equal(o.action, MAMORI_WAF_BLOCK);
	assert_int_equal(o.status, 403);
}

static void fields_cookies_headers_json_and_oversize(void **state)
{
	(void)state;
	const char *acl = ACL(
		RULE("cookie", 1, BYTE("admin", "{\"Cookies\":{\"MatchPattern\":{\"IncludedCookies\":[\"role\"]},"
						"\"MatchScope\":\"VALUE\",\"OversizeHandling\":\"CONTINUE\"}}",
				       "EXACTLY", TX_NONE),
		     "Block") "," RULE("hdrkey", 2,
				       BYTE("x-debug", "{\"Headers\":{\"MatchPattern\":{\"All\":{}},\"MatchScope\":\"KEY\","
						       "\"OversizeHandling\":\"CONTINUE\"}}",
					    "EXACTLY", "[{\"Priority\":0,\"Type\":\"LOWERCASE\"}]"),
				       "Block") "," RULE("json", 3,
							 BYTE("root", "{\"JsonBody\":{\"MatchPattern\":{\"IncludedPaths\":"
								      "[\"/user/name\"]},\"MatchScope\":\"VALUE\","
								      "\"InvalidFallbackBehavior\":\"MATCH\"}}",
							      "EXACTLY", TX_NONE),
							 "Block") "," RULE("body", 4,
									   BYTE("zzz", "{\"Body\":{\"OversizeHandling\":\"MATCH\"}}",
										"CONTAINS", TX_NONE),
									   "Block") "," RULE("order", 5,
											     BYTE("host:x-a", "{\"HeaderOrder\":{\"OversizeHandling\":\"CONTINUE\"}}",
												  "STARTS_WITH", "[{\"Priority\":0,\"Type\":\"LOWERCASE\"}]"),
											     "Count"));
	assert_string_equal(run(acl, GET("/", "[\"Cookie\",\"theme=dark; role=admin\"]")).rule, "cookie");
	assert_string_equal(run(acl, GET("/", "[\"Cookie\",\"admin=role\"]")).rule, "Default_Action");
	assert_string_equal(run(acl, GET("/", "[\"X-Debug\",\"1\"]")).rule, "hdrkey");
	assert_string_equal(
		run(acl, "{\"method\":\"POST\",\"uri\":\"/\",\"body\":\"{\\\"user\\\":{\\\"name\\\":\\\"root\\\"}}\"}\n")
			.rule,
		"json");
	assert_string_equal(
		run(acl, "{\"method\":\"POST\",\"uri\":\"/\",\"body\":\"{\\\"other\\\":{\\\"name\\\":\\\"root\\\"}}\"}\n")
			.rule,
		"Default_Action");
	/* invalid JSON with InvalidFallbackBehavior MATCH */
	assert_string_equal(run(acl, "{\"method\":\"POST\",\"uri\":\"/\",\"body\":\"{not json\"}\n").rule, "json");
	/* over the 8 KB inspection limit with OversizeHandling MATCH */
	char big[9200 + 100];
	memset(big, 'a', 9200);
	big[9200] = 0;
	char rq[9400];
	snprintf(rq, sizeof rq, "{\"method\":\"POST\",\"uri\":\"/\",\"body\":\"%s\"}\n", big);
	assert_string_equal(run(acl, rq).rule, "body");
	outcome o = run(acl, GET("/", "[\"Host\",\"h\"],[\"X-A\",\"1\"]"));
	assert_int_equal(o.action, MAMORI_WAF_ALLOW);
	assert_int_equal(o.matches, 1); /* the Count rule matched */
	assert_non_null(strstr(o.log, "\"nonTerminatingMatchingRules\":[{\"ruleId\":\"order\",\"action\":\"COUNT\""));
}

static void labels_and_custom_responses(void **state)
{
	(void)state;
	const char *acl =
		"{\"Name\":\"web\",\"DefaultAction\":{\"Allow\":{}},"
		"\"CustomResponseBodies\":{\"nope\":{\"ContentType\":\"APPLICATION_JSON\",\"Content\":\"{\\\"error\\\":1}\"}},"
		"\"Rules\":["
		"{\"Name\":\"tag\",\"Priority\":1,\"Statement\":" BYTE("/beta", "{\"UriPath\":{}}", "STARTS_WITH", TX_NONE)
		",\"Action\":{\"Count\":{}},\"RuleLabels\":[{\"Name\":\"acme:beta\"}]},"
		"{\"Name\":\"use-tag\",\"Priority\":2,\"Statement\":{\"LabelMatchStatement\":{\"Scope\":\"LABEL\",\"Key\":\"acme:beta\"}},"
		"\"Action\":{\"Block\":{\"CustomResponse\":{\"ResponseCode\":429,\"CustomResponseBodyKey\":\"nope\","
		"\"ResponseHeaders\":[{\"Name\":\"Retry-After\",\"Value\":\"60\"}]}}}}]}";
	outcome o = run(acl, GET("/beta/x", ""));
	assert_string_equal(o.rule, "use-tag");
	assert_int_equal(o.status, 429);
	assert_string_equal(o.label0, "awswaf:000000000000:webacl:web:acme:beta");
	assert_non_null(strstr(o.log, "\"labels\":[{\"name\":\"awswaf:000000000000:webacl:web:acme:beta\"}]"));
	assert_non_null(strstr(o.log, "\"responseCodeSent\":429"));
	assert_non_null(strstr(o.log, "\"id\":\"t\""));
	assert_string_equal(run(acl, GET("/other", "")).rule, "Default_Action");
}

static void managed_groups_overrides_and_scope_down(void **state)
{
	(void)state;
#define BASE "{\"Name\":\"t\",\"DefaultAction\":{\"Allow\":{}},\"Rules\":[{\"Name\":\"sqli\",\"Priority\":1," \
			   "\"OverrideAction\":{\"%s\":{}},\"Statement\":{\"ManagedRuleGroupStatement\":{\"VendorName\":" \
			   "\"AWS\",\"Name\":\"AWSManagedRulesSQLiRuleSet\"%s}}}]}"
	const char *attack = GET("/item?id=1%27%20or%20%271%27%3D%271", "");
	char acl[2048];
	snprintf(acl, sizeof acl, BASE, "None", "");
	outcome o = run(acl, attack);
	assert_int_equal(o.action, MAMORI_WAF_BLOCK);
	assert_string_equal(o.rule, "SQLi_QUERYARGUMENTS");
	assert_string_equal(o.group, "AWSManagedRulesSQLiRuleSet");
	assert_non_null(strstr(o.log, "\"terminatingRuleType\":\"MANAGED_RULE_GROUP\""));
	assert_non_null(strstr(o.log, "\"ruleGroupId\":\"AWS#AWSManagedRulesSQLiRuleSet\""));
	snprintf(acl, sizeof acl, BASE, "Count", "");
	assert_int_equal(run(acl, attack).action, MAMORI_WAF_ALLOW);
	snprintf(acl, sizeof acl, BASE, "None", ",\"ExcludedRules\":[{\"Name\":\"SQLi_QUERYARGUMENTS\"}]");
	assert_int_equal(run(acl, attack).action, MAMORI_WAF_ALLOW);
	snprintf(acl, sizeof acl, BASE, "None",
		 ",\"RuleActionOverrides\":[{\"Name\":\"SQLi_QUERYARGUMENTS\",\"ActionToUse\":{\"Captcha\":{}}}]");
	assert_int_equal(run(acl, attack).action, MAMORI_WAF_CAPTCHA);
	assert_int_equal(run(acl, GET("/item?id=1%27%20or%20%271%27%3D%271", "[\"Cookie\",\"aws-waf-token=abc\"]")).action,
			 MAMORI_WAF_ALLOW);
	snprintf(acl, sizeof acl, BASE, "None",
		 ",\"ScopeDownStatement\":" BYTE("/api", "{\"UriPath\":{}}", "STARTS_WITH", TX_NONE));
	assert_int_equal(run(acl, attack).action, MAMORI_WAF_ALLOW);
	assert_int_equal(run(acl, GET("/api/item?id=1%27%20or%20%271%27%3D%271", "")).action, MAMORI_WAF_BLOCK);
	/* the default WebACL knows them all */
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_waf_acl *def = NULL;
	assert_int_equal(mamori_waf_acl_default(ctx, NULL, &def), MAMORI_OK);
	assert_string_equal(mamori_waf_acl_name(def), "mamori-default");
	mamori_waf_acl_free(def);
	mamori_ctx_free(ctx);
#undef BASE
}

static void rate_based_counts_per_key_in_the_window(void **state)
{
	(void)state;
	const char *json = ACL(RULE("rate", 1,
				    "{\"RateBasedStatement\":{\"Limit\":10,\"EvaluationWindowSec\":60,"
				    "\"AggregateKeyType\":\"CUSTOM_KEYS\",\"CustomKeys\":[{\"IP\":{}},{\"HTTPMethod\":{}}],"
				    "\"ScopeDownStatement\":" BYTE("/login", "{\"UriPath\":{}}", "EXACTLY", TX_NONE) "}}",
				    "Block"));
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_waf_acl *acl = compile(ctx, json);
	mamori_waf_eval *ev = mamori_waf_eval_new(acl);
	char rq[256];
	int blocked_at = 0;
	for (int i = 1; i <= 15; i++) {
		/* one request per second from one client */
		snprintf(rq, sizeof rq,
			 "{\"uri\":\"/login\",\"client_ip\":\"198.51.100.4\",\"timestamp\":\"2026-01-01T00:00:%02dZ\"}\n", i);
		outcome o = run_with(ctx, acl, ev, rq);
		if (o.action == MAMORI_WAF_BLOCK && !blocked_at)
			blocked_at = i;
	}
	assert_int_equal(blocked_at, 11); /* the 11th request exceeds 10 */
	/* another client, another method and another path are not limited */
	assert_int_equal(run_with(ctx, acl, ev, "{\"uri\":\"/login\",\"client_ip\":\"198.51.100.5\","
						"\"timestamp\":\"2026-01-01T00:00:16Z\"}\n")
				 .action,
			 MAMORI_WAF_ALLOW);
	assert_int_equal(run_with(ctx, acl, ev, "{\"uri\":\"/login\",\"method\":\"POST\",\"client_ip\":\"198.51.100.4\","
						"\"timestamp\":\"2026-01-01T00:00:16Z\"}\n")
				 .action,
			 MAMORI_WAF_ALLOW);
	assert_int_equal(run_with(ctx, acl, ev, "{\"uri\":\"/home\",\"client_ip\":\"198.51.100.4\","
						"\"timestamp\":\"2026-01-01T00:00:16Z\"}\n")
				 .action,
			 MAMORI_WAF_ALLOW);
	/* two windows later the key has cooled down */
	assert_int_equal(run_with(ctx, acl, ev, "{\"uri\":\"/login\",\"client_ip\":\"198.51.100.4\","
						"\"timestamp\":\"2026-01-01T00:03:00Z\"}\n")
				 .action,
			 MAMORI_WAF_ALLOW);
	mamori_waf_eval_free(ev);
	mamori_waf_acl_free(acl);
	mamori_ctx_free(ctx);
}

static void catastrophic_regex_is_bounded(void **state)
{
	(void)state;
	const char *acl = ACL(RULE("redos", 1,
				   "{\"RegexMatchStatement\":{\"RegexString\":\"^(a+)+$\",\"FieldToMatch\":{\"QueryString\":{}},"
				   "\"TextTransformations\":" TX_NONE "}}",
				   "Block"));
	char rq[512];
	char as[201];
	memset(as, 'a', 200);
	as[200] = 0;
	snprintf(rq, sizeof rq, "{\"uri\":\"/?%s!\"}\n", as);
	outcome o = run(acl, rq);
	assert_int_equal(o.action, MAMORI_WAF_ALLOW); /* gave up: no match, no hang */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compile_errors_name_the_json_path),
		cmocka_unit_test(byte_match_positions_and_transforms),
		cmocka_unit_test(regex_sets_ip_sets_and_logic),
		cmocka_unit_test(fields_cookies_headers_json_and_oversize),
		cmocka_unit_test(labels_and_custom_responses),
		cmocka_unit_test(managed_groups_overrides_and_scope_down),
		cmocka_unit_test(rate_based_counts_per_key_in_the_window),
		cmocka_unit_test(catastrophic_regex_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
