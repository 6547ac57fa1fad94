/*
 * Output formats: each writer on findings whose text is hostile (markup,
 * quotes, formula prefixes, control characters), checked for structure and
 * for escaping.
 */
#include "internal.h"
#include "json.h"
#include "testutil.h"

#define PAYLOAD "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"

typedef struct fixture {
	mamori_ctx *ctx;
	mamori_findings fs;
	const mamori_finding *items[3];
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	fx->ctx = mamori_ctx_new();
	mamori_findings_init(&fx->fs);
	mamori_finding *a = test_finding(&fx->fs, "s3-exposure", "mamori.s3.bucket-policy-public",
					 "arn:aws:s3:::" PAYLOAD);
	a->title = "Title " PAYLOAD;
	a->description = "=HYPERLINK(\"http://evil\")";
	a->remediation_url = "javascript:alert(3)";
	a->remediation_text = "Fix " PAYLOAD;
	a->evidence_json = "{\"v\":\"" "</pre><script>x</script>" "\"}";
	a->location = (mamori_location){"aws/snap.json", 42, 0};
	a->compliance = MAMORI_COMPLIANCE_FAILED;
	a->severity = MAMORI_SEV_CRITICAL;
	mamori_finding *b = test_finding(&fx->fs, "s3-exposure", "mamori.s3.bucket-policy-public",
					 "arn:aws:s3:::second");
	b->severity = MAMORI_SEV_MEDIUM;
	b->remediation_url = "https://docs.aws.amazon.com/x";
	mamori_finding *c = test_finding(&fx->fs, "other", "rule.two", "arn:aws:s3:::third");
	c->compliance = MAMORI_COMPLIANCE_PASSED;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(mamori_finding_finalize(fx->ctx, &fx->fs, &fx->fs.items[i]), MAMORI_OK);
		fx->items[i] = &fx->fs.items[i];
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	mamori_findings_free(&fx->fs);
	mamori_ctx_free(fx->ctx);
	free(fx);
	return 0;
}

static char *render(fixture *fx, mamori_format format, size_t count, bool color, unsigned width)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	mamori_report_module mods[] = {{"s3-exposure", "posture", "ok", 2, 0.01}};
	const char *problems[] = {"s3-exposure: bad.json:1:2: invalid JSON <b>"};
	mamori_report r = {.items = fx->items,
			   .count = count,
			   .title = "report " PAYLOAD,
			   .target = "path:/demo",
			   .generated_at = "2026-11-26T00:00:00.000Z",
			   .modules = mods,
			   .module_count = 1,
			   .problems = problems,
			   .problem_count = 1,
			   .color = color,
			   .width = width};
	assert_int_equal(mamori_output_write(fx->ctx, format, &r, f), MAMORI_OK);
	fclose(f);
	return text;
}

static void table_is_aligned_and_plain_unless_asked(void **state)
{
	fixture *fx = *state;
	char *t = render(fx, MAMORI_FORMAT_TABLE, 3, false, 0);
	assert_null(strchr(t, '\033'));
	assert_non_null(strstr(t, "SEVERITY"));
	assert_non_null(strstr(t, "CRITICAL"));
	assert_non_null(strstr(t, "PASSED"));
	char sid[13];
	snprintf(sid, sizeof sid, "%s", strrchr(fx->items[0]->id, '/') + 1);
	assert_non_null(strstr(t, sid));
	assert_non_null(strstr(t, "2 open findings: 1 critical, 1 medium; 1 check passed"));
	free(t);
	t = render(fx, MAMORI_FORMAT_TABLE, 3, true, 80);
	assert_non_null(strchr(t, '\033'));
	/* every line fits the width (ANSI codes aside) */
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		size_t visible = 0;
		for (char *p = line; *p; p++) {
			if (*p == '\033') {
				while (*p && *p != 'm')
					p++;
				continue;
			}
			if (((unsigned char)*p & 0xC0) != 0x80)
				visible++;
		}
		assert_true(visible <= 80);
	}
	free(t);
}

static void csv_is_rfc4180_and_neutralises_formulas(void **state)
{
	fixture *fx = *state;
	char *t = render(fx, MAMORI_FORMAT_CSV, 3, false, 0);
	assert_int_equal(strncmp(t, "\"Id\",\"Severity\",", 16), 0);
	int rows = 0;
	for (char *p = t; (p = strstr(p, "\r\n")); p += 2)
		rows++;
	assert_int_equal(rows, 4);
	assert_non_null(strstr(t, "\"'=HYPERLINK(\"\"http://evil\"\")\""));
	free(t);
}

static void html_is_self_contained_and_escaped(void **state)
{
	fixture *fx = *state;
	char *t = render(fx, MAMORI_FORMAT_HTML, 3, false, 0);
	assert_int_equal(strncmp(t, "<!DOCTYPE html>", 15), 0);
	assert_null(strstr(t, "<script"));
	assert_null(strstr(t, "<img"));
	assert_null(strstr(t, "javascript:"));
	assert_null(strstr(t, "src=\"http"));
	assert_null(strstr(t, "<link"));
	assert_null(strstr(t, "@import"));
	assert_null(strstr(t, "url("));
	assert_non_null(strstr(t, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;"));
	assert_non_null(strstr(t, "Content-Security-Policy"));
	assert_non_null(strstr(t, "href=\"https://docs.aws.amazon.com/x\""));
	assert_non_null(strstr(t, "@media print"));
	assert_non_null(strstr(t, "<svg"));
	free(t);
}

static void sarif_has_rules_results_and_locations(void **state)
{
	fixture *fx = *state;
	char *t = render(fx, MAMORI_FORMAT_SARIF, 3, false, 0);
	cJSON *doc = cJSON_Parse(t);
	assert_non_null(doc);
	assert_string_equal(mamori_json_str(doc, "version"), "2.1.0");
	cJSON *run = cJSON_GetArrayItem(mamori_json_get(doc, "runs"), 0);
	cJSON *rules = mamori_json_get(mamori_json_get(mamori_json_get(run, "tool"), "driver"), "rules");
	assert_int_equal(cJSON_GetArraySize(rules), 2);
	cJSON *results = mamori_json_get(run, "results");
	assert_int_equal(cJSON_GetArraySize(results), 3);
	cJSON *r0 = cJSON_GetArrayItem(results, 0);
	assert_string_equal(mamori_json_str(r0, "level"), "error");
	assert_int_equal((int)mamori_json_get(r0, "ruleIndex")->valuedouble, 0);
	assert_int_equal((int)mamori_json_get(cJSON_GetArrayItem(results, 2), "ruleIndex")->valuedouble, 1);
	assert_string_equal(mamori_json_str(cJSON_GetArrayItem(results, 2), "kind"), "pass");
	cJSON *loc = cJSON_GetArrayItem(mamori_json_get(r0, "locations"), 0);
	cJSON *phys = mamori_json_get(loc, "physicalLocation");
	assert_string_equal(mamori_json_str(mamori_json_get(phys, "artifactLocation"), "uri"), "aws/snap.json");
	assert_int_equal((int)mamori_json_get(mamori_json_get(phys, "region"), "startLine")->valuedouble, 42);
	assert_string_equal(mamori_json_str(mamori_json_get(r0, "partialFingerprints"), "mamoriFindingId/v1"),
			    fx->items[0]->id);
	assert_string_equal(mamori_json_str(mamori_json_get(cJSON_GetArrayItem(rules, 0), "properties"),
					    "security-severity"),
			    "9.0"); /* CRITICAL: normalized 90 */
	cJSON_Delete(doc);
	free(t);
}

static void json_family(void **state)
{
	fixture *fx = *state;
	char *t = render(fx, MAMORI_FORMAT_JSON, 3, false, 0);
	cJSON *doc = cJSON_Parse(t);
	assert_non_null(doc);
	cJSON *sum = mamori_json_get(doc, "summary");
	assert_int_equal((int)mamori_json_get(sum, "open")->valuedouble, 2);
	assert_int_equal((int)mamori_json_get(sum, "passed_checks")->valuedouble, 1);
	assert_int_equal(cJSON_GetArraySize(mamori_json_get(doc, "findings")), 3);
	assert_int_equal(cJSON_GetArraySize(mamori_json_get(doc, "problems")), 1);
	cJSON_Delete(doc);
	free(t);
	t = render(fx, MAMORI_FORMAT_JSONL, 3, false, 0);
	int lines = 0;
	for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
		cJSON *one = cJSON_Parse(line);
		assert_non_null(one);
		cJSON_Delete(one);
		lines++;
	}
	assert_int_equal(lines, 3);
	free(t);
	t = render(fx, MAMORI_FORMAT_ASFF, 3, false, 0);
	doc = cJSON_Parse(t);
	assert_int_equal(cJSON_GetArraySize(mamori_json_get(doc, "Findings")), 3);
	cJSON_Delete(doc);
	free(t);
	/* empty reports are valid documents too */
	t = render(fx, MAMORI_FORMAT_JSON, 0, false, 0);
	doc = cJSON_Parse(t);
	assert_non_null(doc);
	assert_int_equal(cJSON_GetArraySize(mamori_json_get(doc, "findings")), 0);
	cJSON_Delete(doc);
	free(t);
	t = render(fx, MAMORI_FORMAT_ASFF, 0, false, 0);
	doc = cJSON_Parse(t);
	assert_non_null(doc);
	cJSON_Delete(doc);
	free(t);
}

static void format_names(void **state)
{
	(void)state;
	assert_int_equal(mamori_format_parse("SARIF"), MAMORI_FORMAT_SARIF);
	assert_int_equal(mamori_format_parse("xml"), -1);
	assert_string_equal(mamori_format_name(MAMORI_FORMAT_JSONL), "jsonl");
}


/* ---- compliance scores ---- */

#define CIS "standards/cis-aws-foundations-benchmark/v/3.0.0"
#define FSBP "standards/aws-foundational-security-best-practices/v/1.0.0"

static mamori_finding *control(mamori_findings *fs, const char *rule, const char *account,
			       const char *resource, mamori_compliance c, const char *standard)
{
	mamori_finding *f = test_finding(fs, "guard", rule, resource);
	f->aws_account_id = account;
	f->compliance = c;
	if (standard)
		mamori_finding_add_standard(fs, f, standard);
	return f;
}

/* The scores of fs, computed over every finding. */
static void scores_of(mamori_findings *fs, mamori_scores *sc)
{
	const mamori_finding **all = calloc(fs->count + 1, sizeof *all);
	for (size_t i = 0; i < fs->count; i++)
		all[i] = &fs->items[i];
	mamori_scores_compute(all, fs->count, sc);
	free(all);
}

static const mamori_score *score_for(const mamori_scores *sc, const char *standard,
				     const char *account)
{
	for (size_t i = 0; i < sc->count; i++)
		if (!strcmp(sc->items[i].standard, standard) &&
		    (account ? sc->items[i].account && !strcmp(sc->items[i].account, account)
			     : !sc->items[i].account))
			return &sc->items[i];
	return NULL;
}

static void scores_count_controls_as_security_hub(void **state)
{
	(void)state;
	mamori_findings fs;
	mamori_findings_init(&fs);
	const char *A = "111122223333", *B = "444455556666";
	const mamori_compliance P = MAMORI_COMPLIANCE_PASSED, F = MAMORI_COMPLIANCE_FAILED;
	/* c1: passes on two buckets of A, fails on one of B: failed overall and for B */
	control(&fs, "c1", A, "arn:aws:s3:::a1", P, CIS);
	control(&fs, "c1", A, "arn:aws:s3:::a2", P, CIS);
	control(&fs, "c1", B, "arn:aws:s3:::b1", F, CIS);
	/* c2: passes everywhere; it is also an FSBP control */
	mamori_finding *both = control(&fs, "c2", A, "arn:aws:s3:::a1", P, CIS);
	mamori_finding_add_standard(&fs, both, FSBP);
	control(&fs, "c2", B, "arn:aws:s3:::b1", P, CIS);
	/* c3: one pass and one that could not be evaluated: unknown, not scored */
	control(&fs, "c3", A, "arn:aws:s3:::a1", P, CIS);
	control(&fs, "c3", A, "arn:aws:s3:::a2", MAMORI_COMPLIANCE_NOT_AVAILABLE, CIS);
	/* c4: its only failure is suppressed, its other result passes */
	control(&fs, "c4", A, "arn:aws:s3:::a1", F, CIS)->workflow = MAMORI_WORKFLOW_SUPPRESSED;
	control(&fs, "c4", A, "arn:aws:s3:::a2", P, CIS);
	/* c5: a failure that was fixed (archived) and one that is not a check at all */
	control(&fs, "c5", A, "arn:aws:s3:::a1", F, CIS)->record_state = MAMORI_RECORD_ARCHIVED;
	control(&fs, "c6", A, "arn:aws:s3:::a1", MAMORI_COMPLIANCE_NONE, CIS);
	/* a template finding: no account */
	control(&fs, "c7", NULL, "templates/app.yaml#Bucket", F, FSBP);
	/* no standard: not scored */
	control(&fs, "c8", A, "arn:aws:s3:::a1", F, NULL);

	mamori_scores sc;
	scores_of(&fs, &sc);
	/* standards in byte order, each followed by its accounts */
	assert_int_equal(sc.count, 3 + 3); /* FSBP: no account, A; CIS: A, B */
	assert_string_equal(sc.items[0].standard, FSBP);
	assert_null(sc.items[0].account);
	assert_string_equal(sc.items[0].name, "AWS Foundational Security Best Practices v1.0.0");
	assert_string_equal(sc.items[1].account, MAMORI_NO_ACCOUNT);
	assert_string_equal(sc.items[2].account, A);
	assert_string_equal(sc.items[3].standard, CIS);
	assert_string_equal(sc.items[3].name, "CIS AWS Foundations Benchmark v3.0.0");

	const mamori_score *s = score_for(&sc, CIS, NULL);
	assert_non_null(s);
	assert_int_equal(s->passed, 2); /* c2, c4 */
	assert_int_equal(s->failed, 1); /* c1 */
	assert_int_equal(s->unknown, 1); /* c3 */
	assert_int_equal(s->percent, 67);
	s = score_for(&sc, CIS, A);
	assert_int_equal(s->passed, 3); /* c1, c2, c4 */
	assert_int_equal(s->failed, 0);
	assert_int_equal(s->percent, 100);
	s = score_for(&sc, CIS, B);
	assert_int_equal(s->passed, 1);
	assert_int_equal(s->failed, 1);
	assert_int_equal(s->percent, 50);
	s = score_for(&sc, FSBP, NULL);
	assert_int_equal(s->passed, 1);
	assert_int_equal(s->failed, 1);
	s = score_for(&sc, FSBP, MAMORI_NO_ACCOUNT);
	assert_int_equal(s->failed, 1);
	assert_int_equal(s->percent, 0);
	mamori_scores_free(&sc);

	/* nothing judged: no score; nothing at all: no entry */
	mamori_findings none;
	mamori_findings_init(&none);
	control(&none, "u", A, "arn:aws:s3:::a", MAMORI_COMPLIANCE_NOT_AVAILABLE, CIS);
	scores_of(&none, &sc);
	assert_int_equal(sc.count, 2);
	assert_int_equal(sc.items[0].percent, -1);
	assert_int_equal(sc.items[0].unknown, 1);
	mamori_scores_free(&sc);
	mamori_findings_free(&none);
	mamori_findings_init(&none);
	scores_of(&none, &sc);
	assert_int_equal(sc.count, 0);
	assert_null(sc.items);
	mamori_findings_free(&none);
	mamori_findings_free(&fs);
}

/* Every writer with a summary shows the scores; the per-finding ones do not. */
static void scores_in_every_summary(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_findings fs;
	mamori_findings_init(&fs);
	control(&fs, "mamori.cis-aws-3.0/1.4", "111122223333", "AWS::::Account:111122223333",
		MAMORI_COMPLIANCE_PASSED, CIS);
	control(&fs, "mamori.cis-aws-3.0/1.5", "111122223333", "AWS::::Account:111122223333",
		MAMORI_COMPLIANCE_FAILED, CIS);
	control(&fs, "mamori.cis-aws-3.0/1.5", "444455556666", "AWS::::Account:444455556666",
		MAMORI_COMPLIANCE_PASSED, CIS);
	control(&fs, "mamori.cis-aws-3.0/1.8", "444455556666", "AWS::::Account:444455556666",
		MAMORI_COMPLIANCE_PASSED, CIS);
	const mamori_finding *items[4];
	for (size_t i = 0; i < fs.count; i++) {
		assert_int_equal(mamori_finding_finalize(ctx, &fs, &fs.items[i]), MAMORI_OK);
		items[i] = &fs.items[i];
	}
	/* the listing shows the open one only; the scores count everything */
	const mamori_finding *listed[] = {items[1]};
	for (int fmt = MAMORI_FORMAT_TABLE; fmt <= MAMORI_FORMAT_HTML; fmt++) {
		for (int ja = 0; ja < 2; ja++) {
			if (ja && fmt != MAMORI_FORMAT_HTML)
				continue;
			char *t = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&t, &len);
			mamori_report r = {.items = listed, .count = 1, .all = items, .all_count = 4,
					   .generated_at = "2026-11-26T00:00:00.000Z", .lang = ja ? "ja" : NULL};
			assert_int_equal(mamori_output_write(ctx, (mamori_format)fmt, &r, f), MAMORI_OK);
			fclose(f);
			switch (fmt) {
			case MAMORI_FORMAT_TABLE:
				assert_non_null(strstr(t, "compliance: CIS AWS Foundations Benchmark "
							  "v3.0.0: 67% (2 of 3 controls passed); by "
							  "account: 111122223333 50%, 444455556666 100%\n"));
				break;
			case MAMORI_FORMAT_JSON: {
				cJSON *d = cJSON_Parse(t);
				const cJSON *c = mamori_json_get(mamori_json_get(d, "summary"), "compliance");
				assert_int_equal(cJSON_GetArraySize(c), 1);
				const cJSON *std = cJSON_GetArrayItem(c, 0);
				assert_string_equal(mamori_json_str(std, "standard"), CIS);
				assert_int_equal(mamori_json_get(std, "score")->valueint, 67);
				const cJSON *ctl = mamori_json_get(std, "controls");
				assert_int_equal(mamori_json_get(ctl, "passed")->valueint, 2);
				assert_int_equal(mamori_json_get(ctl, "failed")->valueint, 1);
				const cJSON *acc = cJSON_GetArrayItem(mamori_json_get(std, "accounts"), 1);
				assert_string_equal(mamori_json_str(acc, "account"), "444455556666");
				assert_int_equal(mamori_json_get(acc, "score")->valueint, 100);
				cJSON_Delete(d);
				break;
			}
			case MAMORI_FORMAT_SARIF: {
				cJSON *d = cJSON_Parse(t);
				const cJSON *run = cJSON_GetArrayItem(mamori_json_get(d, "runs"), 0);
				const cJSON *c = mamori_json_get(mamori_json_get(run, "properties"),
								 "mamori/compliance");
				assert_int_equal(mamori_json_get(cJSON_GetArrayItem(c, 0), "score")->valueint,
						 67);
				cJSON_Delete(d);
				break;
			}
			case MAMORI_FORMAT_HTML:
				assert_non_null(strstr(t, ja ? "<h2>コンプライアンス</h2>" : "<h2>Compliance</h2>"));
				assert_non_null(strstr(t, "<tr class=\"std\"><td>CIS AWS Foundations Benchmark "
							  "v3.0.0</td>"));
				assert_non_null(strstr(t, "</span>67%</td><td class=\"n\">2</td><td "
							  "class=\"n\">1</td>"));
				assert_non_null(strstr(t, "<tr class=\"acct\"><td>444455556666</td>"));
				if (ja)
					assert_null(strstr(t, "Passed controls"));
				break;
			default: /* csv, jsonl, asff: the findings, nothing else */
				assert_null(strstr(t, "controls"));
				assert_null(strstr(t, "\"compliance\""));
				assert_null(strstr(t, "mamori/compliance"));
			}
			free(t);
		}
	}
	mamori_findings_free(&fs);
	mamori_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(table_is_aligned_and_plain_unless_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_is_rfc4180_and_neutralises_formulas, setup, teardown),
		cmocka_unit_test_setup_teardown(html_is_self_contained_and_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(sarif_has_rules_results_and_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(json_family, setup, teardown),
		cmocka_unit_test(format_names),
		cmocka_unit_test(scores_count_controls_as_security_hub),
		cmocka_unit_test(scores_in_every_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
