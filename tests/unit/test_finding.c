/*
 * The finding model: finalisation, stable Ids, ASFF limits, ASFF JSON both
 * ways, and reading Security Hub's own findings from the corpus.
 */
#include "internal.h"
#include "json.h"
#include "testutil.h"

#include <dirent.h>

static void finalize_requires_fields(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_finding *f = test_finding(&fs, "m", "rule.a", "arn:aws:s3:::b");
	f->title = NULL;
	assert_int_equal(mamori_finding_finalize(ctx, &fs, f), MAMORI_EINTERNAL);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "Title"));
	f->title = "t";
	f->aws_account_id = "12345";
	assert_int_equal(mamori_finding_finalize(ctx, &fs, f), MAMORI_EINTERNAL);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "12 digits"));
	f->aws_account_id = NULL; /* not an AWS resource: the placeholder account */
	assert_int_equal(mamori_finding_finalize(ctx, &fs, f), MAMORI_OK);
	assert_string_equal(f->aws_account_id, MAMORI_NO_ACCOUNT);
	assert_int_equal(f->severity_normalized, 70);
	assert_string_equal(f->resources[0].partition, "aws");
	assert_string_equal(f->resources[0].region, "us-east-1");
	mamori_findings_free(&fs);
	mamori_ctx_free(ctx);
}

static void ids_are_stable_and_discriminating(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_findings a, b;
	mamori_findings_init(&a);
	mamori_findings_init(&b);
	mamori_finding *f1 = test_finding(&a, "s3-exposure", "rule.a", "arn:aws:s3:::b1");
	mamori_finding *f2 = test_finding(&b, "s3-exposure", "rule.a", "arn:aws:s3:::b1");
	f2->title = "another title, same problem";
	f2->severity = MAMORI_SEV_LOW;
	assert_int_equal(mamori_finding_finalize(ctx, &a, f1), MAMORI_OK);
	assert_int_equal(mamori_finding_finalize(ctx, &b, f2), MAMORI_OK);
	assert_string_equal(f1->id, f2->id);
	assert_int_equal(strncmp(f1->id, "mamori/s3-exposure/", 19), 0);
	assert_int_equal(strlen(f1->id), 19 + 32);
	/* the id is pinned: changing the hash inputs or algorithm breaks users' suppressions */
	assert_string_equal(f1->id, "mamori/s3-exposure/e0ca41b02173f2ce73b043d1b0b394b9");
	mamori_finding *f3 = test_finding(&a, "s3-exposure", "rule.a", "arn:aws:s3:::b2");
	mamori_finding *f4 = test_finding(&a, "s3-exposure", "rule.b", "arn:aws:s3:::b1");
	mamori_finding *f5 = test_finding(&a, "s3-exposure", "rule.a", "arn:aws:s3:::b1");
	f5->fingerprint = "statement:2";
	assert_int_equal(mamori_finding_finalize(ctx, &a, f3), MAMORI_OK);
	assert_int_equal(mamori_finding_finalize(ctx, &a, f4), MAMORI_OK);
	assert_int_equal(mamori_finding_finalize(ctx, &a, f5), MAMORI_OK);
	f1 = &a.items[0];
	assert_string_not_equal(f1->id, a.items[1].id);
	assert_string_not_equal(f1->id, a.items[2].id);
	assert_string_not_equal(f1->id, a.items[3].id);
	mamori_findings_free(&a);
	mamori_findings_free(&b);
	mamori_ctx_free(ctx);
}

static void long_texts_are_cut_at_characters(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_buf t = MAMORI_BUF_INIT;
	for (int i = 0; i < 300; i++)
		mamori_buf_puts(&t, "\xe5\xae\x88"); /* 守, three bytes */
	mamori_finding *f = test_finding(&fs, "m", "r", "x");
	f->title = mamori_findings_strdup(&fs, t.data);
	f->description = f->title;
	assert_int_equal(mamori_finding_finalize(ctx, &fs, f), MAMORI_OK);
	/* 253 characters + "..." = 256 characters */
	assert_int_equal(strlen(f->title), 253 * 3 + 3);
	assert_string_equal(f->title + 253 * 3, "...");
	assert_int_equal(strlen(f->description), 300 * 3); /* under 1024 characters: untouched */
	mamori_buf_free(&t);
	mamori_findings_free(&fs);
	mamori_ctx_free(ctx);
}

static void asff_round_trip(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_finding *f = test_finding(&fs, "s3-exposure", "mamori.s3.x", "arn:aws:s3:::b");
	f->compliance = MAMORI_COMPLIANCE_FAILED;
	mamori_finding_add_requirement(&fs, f, "CIS AWS Foundations Benchmark v3.0.0/2.1.4");
	mamori_finding_add_standard(&fs, f, "standards/cis-aws-foundations-benchmark/v/3.0.0");
	f->evidence_json = "{\"Statement\":{\"Effect\":\"Allow\"}}";
	f->rule_author = "Florian Roth";
	f->rule_license = "DRL-1.1";
	f->location = (mamori_location){"dir/a:b.json", 12, 3};
	f->remediation_text = "Fix it.";
	f->remediation_url = "https://docs.aws.amazon.com/";
	f->asff_extra_json = "{\"Vulnerabilities\":[{\"Id\":\"CVE-2024-0001\"}]}";
	mamori_finding_add_product_field(&fs, f, "custom/Key", "v");
	f->resources[0].details_json = "{\"AwsS3Bucket\":{\"OwnerId\":\"abc\"}}";
	f->workflow = MAMORI_WORKFLOW_SUPPRESSED;
	f->created_at = f->updated_at = "2026-11-26T00:00:00.000Z";
	assert_int_equal(mamori_finding_finalize(ctx, &fs, f), MAMORI_OK);
	char *json = mamori_finding_to_asff(f, MAMORI_ASFF_LOSSLESS);
	cJSON *doc = cJSON_Parse(json);
	assert_non_null(doc);
	assert_string_equal(mamori_json_str(doc, "SchemaVersion"), "2018-10-08");
	assert_string_equal(mamori_json_str(doc, "ProductArn"),
			    "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default");
	assert_non_null(mamori_json_get(doc, "Vulnerabilities"));
	cJSON_Delete(doc);

	mamori_findings back;
	mamori_findings_init(&back);
	assert_int_equal(mamori_finding_from_asff(ctx, &back, json, strlen(json)), MAMORI_OK);
	mamori_finding *g = &back.items[0];
	assert_string_equal(g->id, f->id);
	assert_string_equal(g->module, "s3-exposure");
	assert_string_equal(g->pillar, "posture");
	assert_int_equal(g->severity, MAMORI_SEV_HIGH);
	assert_int_equal(g->compliance, MAMORI_COMPLIANCE_FAILED);
	assert_int_equal(g->workflow, MAMORI_WORKFLOW_SUPPRESSED);
	assert_string_equal(g->related_requirements.items[0], "CIS AWS Foundations Benchmark v3.0.0/2.1.4");
	assert_string_equal(g->associated_standards.items[0], "standards/cis-aws-foundations-benchmark/v/3.0.0");
	assert_string_equal(g->evidence_json, f->evidence_json);
	assert_string_equal(g->rule_author, "Florian Roth");
	assert_string_equal(g->rule_license, "DRL-1.1");
	assert_string_equal(g->location.path, "dir/a:b.json");
	assert_int_equal(g->location.line, 12);
	assert_int_equal(g->location.column, 3);
	assert_string_equal(g->remediation_url, "https://docs.aws.amazon.com/");
	assert_int_equal(g->product_field_count, 1);
	assert_string_equal(g->product_fields[0].key, "custom/Key");
	assert_non_null(strstr(g->asff_extra_json, "CVE-2024-0001"));
	assert_non_null(strstr(g->resources[0].details_json, "OwnerId"));
	char *again = mamori_finding_to_asff(g, MAMORI_ASFF_LOSSLESS);
	assert_string_equal(json, again);
	free(again);
	free(json);
	mamori_findings_free(&back);
	mamori_findings_free(&fs);
	mamori_ctx_free(ctx);
}

static void strict_asff_cuts_product_fields(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_finding *f = test_finding(&fs, "m", "r", "x");
	mamori_buf ev = MAMORI_BUF_INIT;
	mamori_buf_puts(&ev, "[");
	for (int i = 0; i < 2000; i++)
		mamori_buf_printf(&ev, "%s%d", i ? "," : "", i);
	mamori_buf_puts(&ev, "]");
	f->evidence_json = ev.data;
	for (int i = 0; i < 60; i++) {
		char k[16];
		snprintf(k, sizeof k, "k%d", i);
		mamori_finding_add_product_field(&fs, f, k, "v");
	}
	assert_int_equal(mamori_finding_finalize(ctx, &fs, f), MAMORI_OK);
	char *strict = mamori_finding_to_asff(f, 0);
	cJSON *doc = cJSON_Parse(strict);
	cJSON *pf = mamori_json_get(doc, "ProductFields");
	assert_true(cJSON_GetArraySize(pf) <= 50);
	const char *e = mamori_json_str(pf, "mamori/Evidence");
	assert_non_null(e);
	assert_true(strlen(e) <= 2048);
	cJSON_Delete(doc);
	free(strict);
	char *lossless = mamori_finding_to_asff(f, MAMORI_ASFF_LOSSLESS);
	assert_non_null(strstr(lossless, ",1999]"));
	free(lossless);
	mamori_buf_free(&ev);
	mamori_findings_free(&fs);
	mamori_ctx_free(ctx);
}

/* Every Security Hub finding in the corpus reads into the model. */
static void reads_security_hub_findings(void **state)
{
	(void)state;
	const char *corpora = test_corpora();
	if (!corpora) {
		print_message("skipped: ../shared/corpora is absent (a user's clone has none)\n");
		skip();
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/asff/aws-asr-simdata", corpora);
	DIR *d = opendir(dir);
	assert_non_null(d);
	mamori_ctx *ctx = mamori_ctx_new();
	struct dirent *e;
	int files = 0, findings = 0, cis = 0, resolved = 0, passed = 0;
	while ((e = readdir(d)) != NULL) {
		if (!strstr(e->d_name, ".json"))
			continue;
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		mamori_buf b = MAMORI_BUF_INIT;
		assert_int_equal(mamori_buf_read_file(ctx, &b, path, 0), MAMORI_OK);
		cJSON *doc = mamori_json_parse(ctx, path, b.data, b.len);
		assert_non_null(doc);
		/* a bare finding, or an EventBridge envelope */
		cJSON *list = mamori_json_get(mamori_json_get(doc, "detail"), "findings");
		mamori_findings fs;
		mamori_findings_init(&fs);
		cJSON *one = list ? list->child : doc;
		for (; one; one = list ? one->next : NULL) {
			char *text = cJSON_PrintUnformatted(one);
			int rc = mamori_finding_from_asff(ctx, &fs, text, strlen(text));
			if (rc)
				fail_msg("%s: %s", e->d_name, mamori_error_last(ctx)->message);
			free(text);
			findings++;
		}
		for (size_t i = 0; i < fs.count; i++) {
			const mamori_finding *f = &fs.items[i];
			assert_non_null(f->title);
			assert_true(f->resource_count > 0);
			cis += strstr(f->generator_id, "cis-aws-foundations") != NULL;
			resolved += f->workflow == MAMORI_WORKFLOW_RESOLVED;
			passed += f->compliance == MAMORI_COMPLIANCE_PASSED;
		}
		mamori_findings_free(&fs);
		cJSON_Delete(doc);
		mamori_buf_free(&b);
		files++;
	}
	closedir(d);
	/* the corpus README: 109 files; 39 CIS; 5 RESOLVED; 6 PASSED */
	assert_int_equal(files, 109);
	assert_true(findings >= 109);
	assert_int_equal(cis, 39);
	assert_int_equal(resolved, 5);
	assert_int_equal(passed, 6);
	mamori_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finalize_requires_fields),
		cmocka_unit_test(ids_are_stable_and_discriminating),
		cmocka_unit_test(long_texts_are_cut_at_characters),
		cmocka_unit_test(asff_round_trip),
		cmocka_unit_test(strict_asff_cuts_product_fields),
		cmocka_unit_test(reads_security_hub_findings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
