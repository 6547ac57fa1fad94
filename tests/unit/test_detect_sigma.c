/*
 * test_detect_sigma.c — the Sigma engine against SigmaHQ's AWS rules and
 * the derived reference of which rule matches which Panther test event
 * (shared/corpora: sigma/ and cloudtrail/panther-tests/).
 *
 * Every difference with the reference must be one of the documented ones
 * (docs/detect.md, "Sigma reference differences"); the prefiltered engine
 * must agree with the naive one (every rule on every record) on every
 * event.  Also: modifier semantics on hand-written rules, and that a rule
 * with an unknown modifier is reported with its id and the rest goes on.
 */
#include "testutil.h"

#include "../../src/core/json.h"
#include "detect/dt_event.h"
#include "detect/sigma/sigma.h"

static const char *corpora(void)
{
	const char *c = getenv("MAMORI_CORPORA");
	if (!c || access(c, R_OK) != 0)
		return NULL;
	return c;
}

typedef struct matches {
	char names[64][96];
	size_t n;
	const sg_ruleset *rs;
} matches;

static void on_match(void *ud, size_t rule, const dt_event *ev)
{
	(void)ev;
	matches *m = ud;
	if (m->n < 64)
		snprintf(m->names[m->n++], 96, "%s", sg_ruleset_info(m->rs, rule)->stem);
}

static bool has(const matches *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->names[i], name) == 0)
			return true;
	return false;
}

typedef struct engine {
	mamori_ctx *ctx;
	dt_paths paths, dns;
	sg_ruleset *rs;
	dt_index ix;
	dt_scratch scratch;
	sg_scanner *fast, *naive;
} engine;

static void engine_open(engine *e, const char *dir)
{
	memset(e, 0, sizeof *e);
	e->ctx = mamori_ctx_new();
	dt_paths_init(&e->paths);
	dt_paths_init(&e->dns);
	dt_ct_paths_init(&e->paths);
	dt_dns_paths_init(&e->dns);
	e->rs = sg_ruleset_new(e->ctx, &e->paths, &e->dns);
	if (dir)
		assert_int_equal(sg_ruleset_load_dir(e->rs, dir), MAMORI_OK);
}

static void engine_ready(engine *e)
{
	assert_int_equal(sg_ruleset_compile(e->rs), MAMORI_OK);
	dt_paths_freeze(&e->paths);
	dt_index_init(&e->ix, e->paths.nslots);
	e->fast = sg_scanner_new(e->rs, false);
	e->naive = sg_scanner_new(e->rs, true);
}

static void engine_close(engine *e)
{
	sg_scanner_free(e->fast);
	sg_scanner_free(e->naive);
	dt_index_free(&e->ix);
	dt_scratch_free(&e->scratch);
	sg_ruleset_free(e->rs);
	dt_paths_free(&e->paths);
	dt_paths_free(&e->dns);
	mamori_ctx_free(e->ctx);
}

/* Run both scanners on one JSON record. */
static void run(engine *e, const char *json, matches *fast, matches *naive)
{
	const char *p = json, *err = NULL;
	assert_int_equal(dt_json_index(&e->ix, &e->paths, &p, json + strlen(json), &err), DT_JS_OK);
	dt_scratch_reset(&e->scratch);
	dt_event ev = {&e->ix, &e->paths, &e->scratch, 0, "test", 1, 1};
	memset(fast, 0, sizeof *fast);
	fast->rs = e->rs;
	sg_scan(e->fast, SG_LOG_CLOUDTRAIL, &ev, on_match, fast);
	if (naive) {
		memset(naive, 0, sizeof *naive);
		naive->rs = e->rs;
		sg_scan(e->naive, SG_LOG_CLOUDTRAIL, &ev, on_match, naive);
	}
}

/* Differences with the reference that docs/detect.md explains. */
static const struct {
	int line;
	const char *rule;
	bool we_match;
} documented[] = {
#include "sigma_reference_differences.inc"
	{0, NULL, false},
};

static bool is_documented(int line, const char *rule, bool we_match)
{
	for (size_t i = 0; documented[i].rule; i++)
		if (documented[i].line == line && strcmp(documented[i].rule, rule) == 0 &&
		    documented[i].we_match == we_match)
			return true;
	return false;
}

static void test_reference(void **state)
{
	(void)state;
	const char *c = corpora();
	if (!c) {
		skip();
		return;
	}
	char dir[4096], tests[4096], ref[4096];
	snprintf(dir, sizeof dir, "%s/sigma/rules", c);
	snprintf(tests, sizeof tests, "%s/cloudtrail/panther-tests/aws_cloudtrail_rule_tests.jsonl", c);
	snprintf(ref, sizeof ref, "%s/cloudtrail/panther-tests/sigma_reference_matches.jsonl", c);
	engine e;
	engine_open(&e, dir);
	const sg_load_stats *st = sg_ruleset_stats(e.rs);
	assert_int_equal(st->rules, 57);
	assert_int_equal(st->runnable, 57); /* every SigmaHQ AWS rule runs */
	engine_ready(&e);
	FILE *ft = fopen(tests, "r"), *fr = fopen(ref, "r");
	assert_non_null(ft);
	assert_non_null(fr);
	char *lt = NULL, *lr = NULL;
	size_t ct = 0, cr = 0;
	int line = 0, undocumented = 0, diffs = 0;
	while (getline(&lt, &ct, ft) > 0 && getline(&lr, &cr, fr) > 0) {
		line++;
		cJSON *t = cJSON_Parse(lt), *rf = cJSON_Parse(lr);
		char *log = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(t, "log"));
		matches fast, naive;
		run(&e, log, &fast, &naive);
		/* the prefilter never changes the result */
		assert_int_equal(fast.n, naive.n);
		for (size_t i = 0; i < fast.n; i++)
			assert_true(has(&naive, fast.names[i]));
		const cJSON *exp = cJSON_GetObjectItemCaseSensitive(rf, "sigma_matches"), *x;
		cJSON_ArrayForEach(x, exp)
		{
			if (!has(&fast, x->valuestring)) {
				diffs++;
				if (!is_documented(line, x->valuestring, false)) {
					undocumented++;
					printf("line %d: reference matches %s, mamori does not\n", line,
					       x->valuestring);
				}
			}
		}
		for (size_t i = 0; i < fast.n; i++) {
			bool in = false;
			cJSON_ArrayForEach(x, exp) in |= strcmp(x->valuestring, fast.names[i]) == 0;
			if (!in) {
				diffs++;
				if (!is_documented(line, fast.names[i], true)) {
					undocumented++;
					printf("line %d: mamori matches %s, the reference does not\n", line,
					       fast.names[i]);
				}
			}
		}
		free(log);
		cJSON_Delete(t);
		cJSON_Delete(rf);
	}
	printf("%d events, %d differences with the reference, %d undocumented\n", line, diffs,
	       undocumented);
	assert_int_equal(line, 461);
	assert_int_equal(undocumented, 0);
	free(lt);
	free(lr);
	fclose(ft);
	fclose(fr);
	engine_close(&e);
}

static void load_rule(engine *e, const char *yaml)
{
	sg_ruleset_add(e->rs, "inline.yml", yaml, strlen(yaml));
}

static size_t count_matches(engine *e, const char *json)
{
	matches m, n;
	run(e, json, &m, &n);
	assert_int_equal(m.n, n.n);
	return m.n;
}

#define RULE(cond, det)                                                                          \
	"title: t\nid: x\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n" det       \
	"\n  condition: " cond "\n"

static void test_modifiers(void **state)
{
	(void)state;
	struct {
		const char *rule;
		const char *event;
		size_t expect;
	} cases[] = {
		{RULE("sel", "  sel:\n    eventName: stoplogging"), "{\"eventName\":\"StopLogging\"}", 1},
		{RULE("sel", "  sel:\n    eventName|cased: stoplogging"), "{\"eventName\":\"StopLogging\"}", 0},
		{RULE("sel", "  sel:\n    eventName: 'Stop*ing'"), "{\"eventName\":\"StopLogging\"}", 1},
		{RULE("sel", "  sel:\n    eventName: 'Stop?ogging'"), "{\"eventName\":\"StopLogging\"}", 1},
		{RULE("sel", "  sel:\n    eventName: 'a\\*b'"), "{\"eventName\":\"a*b\"}", 1},
		{RULE("sel", "  sel:\n    eventName: 'a\\*b'"), "{\"eventName\":\"axb\"}", 0},
		{RULE("sel", "  sel:\n    eventName|contains|all: [Stop, Log]"), "{\"eventName\":\"StopLogging\"}", 1},
		{RULE("sel", "  sel:\n    eventName|contains|all: [Stop, Foo]"), "{\"eventName\":\"StopLogging\"}", 0},
		{RULE("sel", "  sel:\n    eventName|endswith: Logging"), "{\"eventName\":\"StopLogging\"}", 1},
		{RULE("sel", "  sel:\n    eventName|re: '^Stop[A-Z]'"), "{\"eventName\":\"StopLogging\"}", 1},
		{RULE("sel", "  sel:\n    eventName|re: '^stop'"), "{\"eventName\":\"StopLogging\"}", 0},
		{RULE("sel", "  sel:\n    eventName|re|i: '^stop'"), "{\"eventName\":\"StopLogging\"}", 1},
		{RULE("sel", "  sel:\n    sourceIPAddress|cidr: 10.0.0.0/8"), "{\"sourceIPAddress\":\"10.1.2.3\"}", 1},
		{RULE("sel", "  sel:\n    sourceIPAddress|cidr: 2001:db8::/32"), "{\"sourceIPAddress\":\"2001:db8::1\"}", 1},
		{RULE("sel", "  sel:\n    sourceIPAddress|cidr: 10.0.0.0/8"), "{\"sourceIPAddress\":\"11.1.2.3\"}", 0},
		{RULE("sel", "  sel:\n    errorCode: null"), "{\"eventName\":\"x\"}", 1},
		{RULE("sel", "  sel:\n    errorCode: null"), "{\"errorCode\":null}", 1},
		{RULE("sel", "  sel:\n    errorCode: null"), "{\"errorCode\":\"Denied\"}", 0},
		{RULE("sel", "  sel:\n    errorCode: ''"), "{\"errorCode\":\"\"}", 1},
		{RULE("sel", "  sel:\n    errorCode|exists: true"), "{\"errorCode\":\"x\"}", 1},
		{RULE("sel", "  sel:\n    errorCode|exists: false"), "{\"errorCode\":\"x\"}", 0},
		{RULE("sel", "  sel:\n    eventName|neq: A"), "{\"eventName\":\"B\"}", 1},
		{RULE("sel", "  sel:\n    eventName|neq: A"), "{\"eventName\":\"a\"}", 0},
		{RULE("sel", "  sel:\n    requestParameters.n|gt: 5"), "{\"requestParameters\":{\"n\":7}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.n|lte: 5"), "{\"requestParameters\":{\"n\":7}}", 0},
		{RULE("sel", "  sel:\n    userIdentity.arn|fieldref: requestParameters.userName"),
		 "{\"userIdentity\":{\"arn\":\"Bob\"},\"requestParameters\":{\"userName\":\"bob\"}}", 1},
		{RULE("sel", "  sel:\n    userIdentity.arn|fieldref|endswith: requestParameters.userName"),
		 "{\"userIdentity\":{\"arn\":\"arn:aws:iam::1:user/bob\"},\"requestParameters\":{\"userName\":\"bob\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.cmd|base64: 'abc'"), "{\"requestParameters\":{\"cmd\":\"YWJj\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.cmd|base64offset|contains: 'hello'"),
		 "{\"requestParameters\":{\"cmd\":\"xxaGVsbG8=\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.cmd|wide|base64offset|contains: 'ab'"),
		 "{\"requestParameters\":{\"cmd\":\"YQBiAA==\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.cmd|windash|contains: ' -enc '"),
		 "{\"requestParameters\":{\"cmd\":\"powershell /enc xyz\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.list: b"), "{\"requestParameters\":{\"list\":[\"a\",\"B\"]}}", 1},
		{RULE("sel", "  sel:\n    requestParameters|contains: 'Suspended'"),
		 "{\"requestParameters\":{\"VersioningConfiguration\":{\"Status\":\"Suspended\"}}}", 1},
		{RULE("1 of sel*", "  sel1:\n    eventName: A\n  sel2:\n    eventName: B"), "{\"eventName\":\"B\"}", 1},
		{RULE("all of sel*", "  sel1:\n    eventName: A\n  sel2:\n    eventName: B"), "{\"eventName\":\"B\"}", 0},
		{RULE("1 of them", "  sel1:\n    eventName: A\n  sel2:\n    eventName: B"), "{\"eventName\":\"A\"}", 1},
		{RULE("a and not (b or c)", "  a:\n    eventName: A\n  b:\n    errorCode: X\n  c:\n    errorCode: Y"),
		 "{\"eventName\":\"A\",\"errorCode\":\"Z\"}", 1},
		{RULE("a and not (b or c)", "  a:\n    eventName: A\n  b:\n    errorCode: X\n  c:\n    errorCode: Y"),
		 "{\"eventName\":\"A\",\"errorCode\":\"Y\"}", 0},
		{RULE("sel", "  sel:\n    - eventName: A\n    - errorCode: B"), "{\"errorCode\":\"B\"}", 1},
		{RULE("kw", "  kw:\n    - 'evil.example'"), "{\"eventName\":\"x\",\"h\":\"EVIL.example.com\"}", 1},
		{RULE("sel", "  sel:\n    requestParameters.a.b: 'c'"), "{\"requestParameters\":{\"a\":[{\"b\":\"x\"},{\"b\":\"C\"}]}}", 1},
		{RULE("sel", "  sel:\n    eventName: 'a\\u0041'"), "{\"eventName\":\"a\\u0041\"}", 0},
		{RULE("sel", "  sel:\n    eventName: 'aA'"), "{\"eventName\":\"a\\u0041\"}", 1},
		{RULE("sel", "  sel:\n    eventName: 'a\\?b'"), "{\"eventName\":\"a?b\"}", 1},
		{RULE("sel", "  sel:\n    eventName: 'a\\?b'"), "{\"eventName\":\"axb\"}", 0},
		{RULE("sel", "  sel:\n    requestParameters.cmd|utf16le|base64: 'ab'"), "{\"requestParameters\":{\"cmd\":\"YQBiAA==\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.cmd|utf16be|base64: 'ab'"), "{\"requestParameters\":{\"cmd\":\"AGEAYg==\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.cmd|utf16|base64: 'ab'"), "{\"requestParameters\":{\"cmd\":\"//5hAGIA\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.cmd|re: '^b$'"), "{\"requestParameters\":{\"cmd\":\"a\\nb\"}}", 0},
		{RULE("sel", "  sel:\n    requestParameters.cmd|re|m: '^b$'"), "{\"requestParameters\":{\"cmd\":\"a\\nb\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.cmd|re: 'a.b'"), "{\"requestParameters\":{\"cmd\":\"a\\nb\"}}", 0},
		{RULE("sel", "  sel:\n    requestParameters.cmd|re|s: 'a.b'"), "{\"requestParameters\":{\"cmd\":\"a\\nb\"}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.n|gte: 7"), "{\"requestParameters\":{\"n\":7}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.n|lt: 7"), "{\"requestParameters\":{\"n\":7}}", 0},
		{RULE("sel", "  sel:\n    requestParameters.n|lt: 8"), "{\"requestParameters\":{\"n\":7}}", 1},
		{RULE("sel", "  sel:\n    requestParameters.n|gt: 5"), "{\"requestParameters\":{\"n\":\"7\"}}", 1},
		{RULE("sel", "  sel:\n    eventName|startswith: 'Update'"), "{\"eventName\":\"UpdateFunctionConfiguration20150331v2\"}", 1},
		{RULE("sel", "  sel:\n    requestParameters.layers|contains: '*'"), "{\"requestParameters\":{\"layers\":[\"arn:x\"]}}", 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		engine e;
		engine_open(&e, NULL);
		load_rule(&e, cases[i].rule);
		assert_int_equal(sg_ruleset_stats(e.rs)->runnable, 1);
		engine_ready(&e);
		size_t got = count_matches(&e, cases[i].event);
		if (got != cases[i].expect)
			printf("case %zu: %s on %s: got %zu\n", i, cases[i].rule, cases[i].event, got);
		assert_int_equal(got, cases[i].expect);
		engine_close(&e);
	}
}

static void test_bad_rules(void **state)
{
	(void)state;
	engine e;
	engine_open(&e, NULL);
	load_rule(&e, "title: bad\nid: 11111111-bad\nlogsource: {product: aws, service: cloudtrail}\n"
		      "detection:\n  sel:\n    eventName|frobnicate: x\n  condition: sel\n");
	load_rule(&e, "title: good\nid: 22222222-good\nlogsource: {product: aws, service: cloudtrail}\n"
		      "detection:\n  sel:\n    eventName: x\n  condition: sel\n");
	load_rule(&e, "title: cond\nid: 33333333-cond\nlogsource: {product: aws, service: cloudtrail}\n"
		      "detection:\n  sel:\n    eventName: x\n  condition: sel and (nope\n");
	load_rule(&e, "not: [a rule");
	const sg_load_stats *st = sg_ruleset_stats(e.rs);
	assert_int_equal(st->runnable, 1);
	assert_int_equal(st->unsupported, 2);
	assert_int_equal(st->errors, 1);
	bool saw = false;
	for (size_t i = 0; i < sg_ruleset_problem_count(e.rs); i++)
		saw |= strstr(sg_ruleset_problem(e.rs, i), "11111111-bad") &&
		       strstr(sg_ruleset_problem(e.rs, i), "unknown modifier \"frobnicate\"");
	assert_true(saw);
	engine_ready(&e);
	assert_int_equal(count_matches(&e, "{\"eventName\":\"x\"}"), 1);
	engine_close(&e);
}

/* |expand: %placeholders% take the values of --placeholders; without them
 * the rule cannot run and the problem names the rule and the placeholder. */
static void test_expand(void **state)
{
	(void)state;
	const char *rule = RULE("sel and not filter",
				"  sel:\n    eventName: ConsoleLogin\n"
				"  filter:\n    - src_country|expand: '%Legit%'\n"
				"    - userAgent|expand: 'aws-cli/%ver% *'");
	engine e;
	engine_open(&e, NULL);
	load_rule(&e, rule);
	assert_int_equal(sg_ruleset_stats(e.rs)->unsupported, 1);
	assert_non_null(strstr(sg_ruleset_problem(e.rs, 0), "%Legit%"));
	engine_ready(&e);
	engine_close(&e);

	engine_open(&e, NULL);
	const char *holders = "Legit: [JP, 'U*']\nver: 2.13.1\n";
	assert_int_equal(sg_ruleset_placeholders_buf(e.rs, "p.yml", holders, strlen(holders)),
			 MAMORI_OK);
	load_rule(&e, rule);
	assert_int_equal(sg_ruleset_stats(e.rs)->runnable, 1);
	engine_ready(&e);
	assert_int_equal(count_matches(&e, "{\"eventName\":\"ConsoleLogin\",\"src_country\":\"jp\"}"), 0);
	assert_int_equal(count_matches(&e, "{\"eventName\":\"ConsoleLogin\",\"src_country\":\"UK\"}"), 0);
	assert_int_equal(count_matches(&e, "{\"eventName\":\"ConsoleLogin\",\"src_country\":\"FR\"}"), 1);
	assert_int_equal(count_matches(&e, "{\"eventName\":\"ConsoleLogin\",\"userAgent\":\"aws-cli/2.13.1 Python\"}"), 0);
	assert_int_equal(count_matches(&e, "{\"eventName\":\"ConsoleLogin\",\"userAgent\":\"aws-cli/2.13.2 Python\"}"), 1);
	engine_close(&e);

	/* not a map of values: refused with the file name */
	engine_open(&e, NULL);
	const char *bad = "Legit: {a: 1}\n";
	assert_int_equal(sg_ruleset_placeholders_buf(e.rs, "bad.yml", bad, strlen(bad)), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(e.ctx)->message, "bad.yml"));
	engine_ready(&e);
	engine_close(&e);
}

static void test_unsupported_dir(void **state)
{
	(void)state;
	const char *c = corpora();
	if (!c) {
		skip();
		return;
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/sigma", c);
	engine e;
	engine_open(&e, dir);
	const sg_load_stats *st = sg_ruleset_stats(e.rs);
	/* 57 rules + 8 legacy aggregations + 1 placeholder rule */
	assert_int_equal(st->rules, 66);
	/* count() aggregations run; near and the unset placeholder cannot */
	assert_int_equal(st->runnable, 64);
	assert_int_equal(st->unsupported, 2);
	engine_ready(&e);
	engine_close(&e);
	/* with values for its placeholders the console-login rule runs too;
	 * near stays the one rule that cannot */
	engine_open(&e, NULL);
	const char *holders = "Legitimate_Countries: [JP]\nLegitimate_IP_Ranges: ['192.0.2.*']\n";
	assert_int_equal(sg_ruleset_placeholders_buf(e.rs, "p.yml", holders, strlen(holders)),
			 MAMORI_OK);
	assert_int_equal(sg_ruleset_load_dir(e.rs, dir), MAMORI_OK);
	st = sg_ruleset_stats(e.rs);
	assert_int_equal(st->runnable, 65);
	assert_int_equal(st->unsupported, 1);
	assert_non_null(strstr(sg_ruleset_problem(e.rs, 0), "near"));
	engine_ready(&e);
	engine_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_bad_rules),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_unsupported_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
