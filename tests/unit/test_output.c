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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(table_is_aligned_and_plain_unless_asked, setup, teardown),
		cmocka_unit_test_setup_teardown(csv_is_rfc4180_and_neutralises_formulas, setup, teardown),
		cmocka_unit_test_setup_teardown(html_is_self_contained_and_escaped, setup, teardown),
		cmocka_unit_test_setup_teardown(sarif_has_rules_results_and_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(json_family, setup, teardown),
		cmocka_unit_test(format_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
