/*
 * The s3-exposure module: bucket-policy analysis, the Config snapshot
 * shapes, and the module's findings on the demo and on hand-made snapshots.
 */
#include "embedded.h"
#include "json.h"
#include "rulebook.h"
#include "posture/config_snapshot.h"
#include "posture/s3_policy.h"
#include "testutil.h"

static size_t public_count(const char *policy_json, s3_access *access)
{
	cJSON *p = cJSON_Parse(policy_json);
	assert_non_null(p);
	s3_public_statement out[8];
	size_t n = mamori_s3_policy_public(p, out, 8);
	if (access && n)
		*access = out[0].access;
	cJSON_Delete(p);
	return n;
}

#define STMT(principal, action, cond)                                                        \
	"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":" principal ",\"Action\":" action \
	",\"Resource\":\"arn:aws:s3:::b/*\"" cond "}]}"

static void policy_publicness(void **state)
{
	(void)state;
	s3_access a = S3_ACCESS_NONE;
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"", ""), &a), 1);
	assert_int_equal(a, S3_ACCESS_READ);
	assert_int_equal(public_count(STMT("{\"AWS\":\"*\"}", "[\"s3:PutObject\"]", ""), &a), 1);
	assert_int_equal(a, S3_ACCESS_WRITE);
	assert_int_equal(public_count(STMT("{\"AWS\":[\"arn:aws:iam::111122223333:root\",\"*\"]}",
					   "\"s3:*\"", ""), &a), 1);
	assert_int_equal(a, S3_ACCESS_WRITE);
	/* named principals and services are not public */
	assert_int_equal(public_count(STMT("{\"AWS\":\"arn:aws:iam::111122223333:root\"}",
					   "\"s3:GetObject\"", ""), NULL), 0);
	assert_int_equal(public_count(STMT("{\"Service\":\"cloudtrail.amazonaws.com\"}",
					   "\"s3:PutObject\"", ""), NULL), 0);
	/* conditions that pin the caller */
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-abc\"}}"),
				      NULL), 0);
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":[\"10.0.0.0/8\"]}}"),
				      NULL), 0);
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"StringEquals\":{\"aws:SourceVpce\":\"vpce-1\"}}"),
				      NULL), 0);
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::111122223333:role/*\"}}"),
				      NULL), 0);
	/* conditions that restrict nothing */
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}"),
				      NULL), 1);
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/0\"}}"),
				      NULL), 1);
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"StringNotEquals\":{\"aws:PrincipalOrgID\":\"o-abc\"}}"),
				      NULL), 1);
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"StringEqualsIfExists\":{\"aws:SourceVpce\":\"vpce-1\"}}"),
				      NULL), 1);
	assert_int_equal(public_count(STMT("\"*\"", "\"s3:GetObject\"",
					   ",\"Condition\":{\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::*:role/x\"}}"),
				      NULL), 1);
	/* Deny statements never make a bucket public; NotPrincipal with Allow does */
	assert_int_equal(public_count("{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\","
				      "\"Action\":\"s3:*\",\"Resource\":\"*\"}}", NULL), 0);
	assert_int_equal(public_count("{\"Statement\":{\"Effect\":\"Allow\",\"NotPrincipal\":"
				      "{\"AWS\":\"arn:aws:iam::1:root\"},\"Action\":\"s3:GetObject\","
				      "\"Resource\":\"*\"}}", &a), 1);
	/* no Statement, garbage shapes: nothing, no crash */
	assert_int_equal(public_count("{}", NULL), 0);
	assert_int_equal(public_count("{\"Statement\":[1,\"x\",null]}", NULL), 0);
}

static void action_classes(void **state)
{
	(void)state;
	assert_int_equal(mamori_s3_action_access("s3:GetObject"), S3_ACCESS_READ);
	assert_int_equal(mamori_s3_action_access("s3:List*"), S3_ACCESS_READ);
	assert_int_equal(mamori_s3_action_access("S3:getobjectversion"), S3_ACCESS_READ);
	assert_int_equal(mamori_s3_action_access("s3:*Object"), S3_ACCESS_WRITE);
	assert_int_equal(mamori_s3_action_access("s3:Put*"), S3_ACCESS_WRITE);
	assert_int_equal(mamori_s3_action_access("*"), S3_ACCESS_WRITE);
	assert_int_equal(mamori_s3_action_access("ec2:RunInstances"), S3_ACCESS_NONE);
}

static void snapshot_shapes(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_config_snapshot s;
	/* the API's shape: JSON-encoded configuration, accountId/arn spelling */
	const char *api = "{\"configurationItems\":[{\"resourceType\":\"AWS::S3::Bucket\","
			  "\"resourceId\":\"b\",\"accountId\":\"111122223333\",\"arn\":\"arn:aws:s3:::b\","
			  "\"configuration\":\"{\\\"name\\\":\\\"b\\\"}\",\"supplementaryConfiguration\":"
			  "{\"AccessControlList\":\"{\\\"grantList\\\":[]}\"}}]}";
	assert_int_equal(mamori_config_snapshot_parse(ctx, "api.json", api, strlen(api), &s), MAMORI_OK);
	assert_int_equal(s.count, 1);
	assert_string_equal(s.items[0].account, "111122223333");
	assert_string_equal(s.items[0].arn, "arn:aws:s3:::b");
	assert_string_equal(mamori_json_str(s.items[0].configuration, "name"), "b");
	assert_true(cJSON_IsObject(mamori_json_get(s.items[0].supplementary, "AccessControlList")));
	assert_int_equal(s.items[0].line, 1);
	mamori_config_snapshot_free(&s);
	/* a change notification */
	const char *note = "{\"configurationItem\":{\"resourceType\":\"AWS::S3::Bucket\",\"resourceId\":\"n\"},"
			   "\"messageType\":\"ConfigurationItemChangeNotification\"}";
	assert_int_equal(mamori_config_snapshot_parse(ctx, "n.json", note, strlen(note), &s), MAMORI_OK);
	assert_int_equal(s.count, 1);
	assert_string_equal(s.items[0].resource_id, "n");
	mamori_config_snapshot_free(&s);
	/* a bare item */
	const char *bare = "{\"resourceType\":\"AWS::S3::AccountPublicAccessBlock\",\"resourceId\":\"1\"}";
	assert_int_equal(mamori_config_snapshot_parse(ctx, "b.json", bare, strlen(bare), &s), MAMORI_OK);
	assert_int_equal(s.count, 1);
	mamori_config_snapshot_free(&s);
	/* not a snapshot: a clear message */
	const char *other = "{\"Resources\":{}}";
	assert_int_equal(mamori_config_snapshot_parse(ctx, "t.json", other, strlen(other), &s), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "t.json: not an AWS Config snapshot"));
	/* broken JSON: path:line:col */
	const char *broken = "{\"configurationItems\": [\n  {\"resourceType\": \"AWS::S3::Bucket\",}\n]}";
	assert_int_equal(mamori_config_snapshot_parse(ctx, "x.json", broken, strlen(broken), &s), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "x.json:2:"));
	mamori_ctx_free(ctx);
}

/* Run the registry's s3-exposure module over dir, no store. */
static void scan_dir(mamori_ctx *ctx, const char *dir, mamori_scan_result *res)
{
	mamori_registry *reg = mamori_registry_new();
	mamori_registry_add_builtin(reg);
	mamori_target *t;
	assert_int_equal(mamori_target_open(ctx, dir, &t), MAMORI_OK);
	const char *mods[] = {"s3-exposure"};
	mamori_scan_options o = {mods, 1};
	mamori_scan_result_init(res);
	assert_int_equal(mamori_scan_run(ctx, reg, NULL, t, &o, res), MAMORI_OK);
	mamori_target_free(t);
	mamori_registry_free(reg);
}

static const mamori_finding *find(const mamori_scan_result *r, const char *rule, const char *bucket,
				  mamori_compliance c)
{
	for (size_t i = 0; i < r->findings.count; i++) {
		const mamori_finding *f = &r->findings.items[i];
		if (!strcmp(f->generator_id, rule) && strstr(f->resources[0].id, bucket) &&
		    f->compliance == c)
			return f;
	}
	return NULL;
}

static void demo_findings(void **state)
{
	(void)state;
	const char *src = getenv("MAMORI_SOURCE_DIR");
	if (!src)
		skip();
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/examples/demo", src);
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_scan_result r;
	scan_dir(ctx, dir, &r);
	assert_int_equal(r.problem_count, 0);
	const mamori_compliance F = MAMORI_COMPLIANCE_FAILED, P = MAMORI_COMPLIANCE_PASSED;
	const mamori_finding *f;
	assert_non_null(f = find(&r, "mamori.s3.bucket-policy-public", "acme-upload-inbox", F));
	assert_int_equal(f->severity, MAMORI_SEV_CRITICAL);
	assert_non_null(strstr(f->description, "\"PartnerUploads\""));
	assert_int_equal(f->location.line > 0, 1);
	assert_non_null(f = find(&r, "mamori.s3.bucket-policy-public", "acme-web-assets", F));
	assert_int_equal(f->severity, MAMORI_SEV_HIGH);
	/* blocked by the bucket's own BPA: reported, but low */
	assert_non_null(f = find(&r, "mamori.s3.bucket-policy-public", "acme-eu-reports", F));
	assert_int_equal(f->severity, MAMORI_SEV_LOW);
	assert_non_null(f = find(&r, "mamori.s3.bucket-acl-public", "acme-customer-exports", F));
	assert_int_equal(f->severity, MAMORI_SEV_LOW); /* IgnorePublicAcls is on for the account */
	assert_non_null(strstr(f->evidence_json, "AuthenticatedUsers"));
	assert_non_null(find(&r, "mamori.s3.bucket-policy-public", "acme-partner-share", P));
	assert_non_null(find(&r, "mamori.s3.bucket-policy-public", "acme-cloudtrail-logs", P));
	/* Block Public Access itself is the Guard pack's (tests/guard/packs/) */
	size_t bpa = 0, open = 0;
	for (size_t i = 0; i < r.findings.count; i++) {
		bpa += strstr(r.findings.items[i].generator_id, "block-public-access") != NULL;
		open += mamori_finding_is_open(&r.findings.items[i]);
	}
	assert_int_equal(bpa, 0);
	assert_int_equal(open, 4);
	mamori_scan_result_free(&r);
	mamori_ctx_free(ctx);
}

static void bad_snapshots_are_problems_not_crashes(void **state)
{
	(void)state;
	char *dir = test_tmpdir("s3bad");
	char *good = test_path(dir, "good.json");
	char *bad = test_path(dir, "bad.json");
	char *policy = test_path(dir, "policy.json");
	char *other = test_path(dir, "not-config.json");
	test_write(good, "{\"configurationItems\":[{\"resourceType\":\"AWS::S3::Bucket\",\"resourceName\":"
			 "\"ok-bucket\",\"awsAccountId\":\"111122223333\",\"awsRegion\":\"us-east-1\"}]}");
	test_write(bad, "{\"configurationItems\": [\n  {\"resourceType\": \"AWS::S3::Bucket\"\n");
	test_write(policy, "{\"configurationItems\":[{\"resourceType\":\"AWS::S3::Bucket\",\"resourceName\":"
			   "\"p\",\"supplementaryConfiguration\":{\"BucketPolicy\":{\"policyText\":\"{not json\"}}}]}");
	test_write(other, "{\"Resources\": {}}");
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_scan_result r;
	scan_dir(ctx, dir, &r);
	assert_int_equal(r.problem_count, 2);
	bool saw_bad = false, saw_policy = false;
	for (size_t i = 0; i < r.problem_count; i++) {
		saw_bad |= strstr(r.problems[i], "bad.json:2:37:") != NULL;
		saw_policy |= strstr(r.problems[i], "policy.json:1: bucket p: policyText") != NULL;
	}
	assert_true(saw_bad);
	assert_true(saw_policy);
	assert_int_equal(r.modules[0].outcome, MAMORI_MODULE_PROBLEMS);
	/* the good file was still evaluated */
	assert_non_null(find(&r, "mamori.s3.bucket-acl-public", "ok-bucket",
			     MAMORI_COMPLIANCE_PASSED));
	mamori_scan_result_free(&r);
	mamori_ctx_free(ctx);
	free(good);
	free(bad);
	free(policy);
	free(other);
	free(dir);
}

static void rule_files_load(void **state)
{
	(void)state;
	/* every embedded rule file of the core's format parses and is complete */
	mamori_ctx *ctx = mamori_ctx_new();
	size_t checked = 0;
	for (size_t i = 0; i < mamori_embedded_rules_count; i++) {
		const mamori_embedded_file *f = &mamori_embedded_rules[i];
		if (strncmp(f->name, "rules/posture/", 14) != 0)
			continue;
		mamori_rulebook rb;
		if (mamori_rulebook_load(ctx, f->name, (const char *)f->data, f->len, &rb) != MAMORI_OK)
			fail_msg("%s", mamori_error_last(ctx)->message);
		assert_true(rb.count > 0);
		for (size_t j = 0; j < rb.count; j++) {
			assert_non_null(rb.rules[j].remediation_text);
			assert_non_null(rb.rules[j].remediation_url);
			assert_int_equal(strncmp(rb.rules[j].remediation_url, "https://", 8), 0);
		}
		mamori_rulebook_free(&rb);
		checked++;
	}
	assert_true(checked >= 1);
	/* and a broken one is refused with the reason */
	mamori_rulebook rb;
	const char *y = "rules:\n  - id: x\n    title: t\n    severity: SEVERE\n    description: d\n";
	assert_int_equal(mamori_rulebook_load(ctx, "r.yaml", y, strlen(y), &rb), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "r.yaml: rule x"));
	mamori_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_publicness),
		cmocka_unit_test(action_classes),
		cmocka_unit_test(snapshot_shapes),
		cmocka_unit_test(demo_findings),
		cmocka_unit_test(bad_snapshots_are_problems_not_crashes),
		cmocka_unit_test(rule_files_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
