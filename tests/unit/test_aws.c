/*
 * test_aws.c — the AWS client's parsers and helpers on real shapes: the
 * shared config/credentials files (configparser's rules, path:line:col,
 * masked secrets), XML answers to cJSON (member/item lists, flattened
 * lists, types), protocol errors, AWS Config casing, canonical query
 * encoding, regions and endpoints.  The wire, signatures and collectors are
 * tested end to end against awsmock (tests/e2e/test_aws.sh).
 */
#include "testutil.h"

#include "aws/aws_internal.h"

static mamori_ctx *ctx;

static int setup(void **state)
{
	(void)state;
	ctx = mamori_ctx_new();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mamori_ctx_free(ctx);
	return 0;
}

static void test_ini_parses_like_configparser(void **state)
{
	(void)state;
	const char *text = "\xEF\xBB\xBF# comment\n"
			   "[default]\n"
			   "Region = eu-west-1\n"
			   "aws_access_key_id: AKIAEXAMPLE\n"
			   "\n"
			   "; another comment\n"
			   "[profile dev]\n"
			   "role_arn = arn:aws:iam::123456789012:role/dev\n"
			   "s3 =\n"
			   "  max_concurrent_requests = 10\n"
			   "value = a # not a comment\r\n";
	aws_ini ini;
	assert_int_equal(aws_ini_parse(ctx, "config", text, strlen(text), &ini), MAMORI_OK);
	assert_int_equal(ini.count, 2);
	const aws_ini_section *d = aws_ini_find(&ini, "default");
	assert_non_null(d);
	assert_string_equal(aws_ini_get(d, "region"), "eu-west-1"); /* keys are case-insensitive */
	assert_string_equal(aws_ini_get(d, "aws_access_key_id"), "AKIAEXAMPLE");
	const aws_ini_section *dev = aws_ini_find(&ini, "profile dev");
	assert_string_equal(aws_ini_get(dev, "s3"), "\nmax_concurrent_requests = 10");
	assert_string_equal(aws_ini_get(dev, "value"), "a # not a comment");
	assert_null(aws_ini_find(&ini, "profile Dev")); /* sections are case-sensitive */
	aws_ini_free(&ini);
}

static void expect_ini_error(const char *text, const char *where, const char *what)
{
	aws_ini ini;
	assert_int_equal(aws_ini_parse(ctx, "/home/u/.aws/credentials", text, strlen(text), &ini),
			 MAMORI_EINPUT);
	const mamori_error *e = mamori_error_last(ctx);
	assert_non_null(strstr(e->message, where));
	assert_non_null(strstr(e->message, what));
}

static void test_ini_errors_name_the_place(void **state)
{
	(void)state;
	expect_ini_error("[default]\nthis is broken\n", "credentials:2:1:", "key = value");
	expect_ini_error("key = v\n", "credentials:1:1:", "before any [section]");
	expect_ini_error("[default\n", "credentials:1:9:", "not closed");
	expect_ini_error("[a]\n[a]\n", "credentials:2:2:", "appears twice");
	expect_ini_error("[a]\nx = 1\nX = 2\n", "credentials:3:1:", "appears twice");
	expect_ini_error("[a]\n = 1\n", "credentials:2:2:", "without a name");
}

static void test_ini_error_masks_secrets(void **state)
{
	(void)state;
	const char *secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEYab";
	char text[256];
	snprintf(text, sizeof text, "[default]\naws_secret_access_key = %s\n[default]\n", secret);
	aws_ini ini;
	assert_int_equal(aws_ini_parse(ctx, "creds", text, strlen(text), &ini), MAMORI_EINPUT);
	/* a line holding the secret, cut without '=' */
	snprintf(text, sizeof text, "[default]\naws_secret_access_key %s\n", secret);
	assert_int_equal(aws_ini_parse(ctx, "creds", text, strlen(text), &ini), MAMORI_EINPUT);
	const mamori_error *e = mamori_error_last(ctx);
	assert_non_null(e->excerpt);
	assert_null(strstr(e->excerpt, secret));
	assert_null(strstr(e->message, secret));
	/* quoted, with a separator: the value is masked past 4 characters */
	snprintf(text, sizeof text, "[default]\naws_session_token = %s\n  \x01\n[x\n", secret);
	assert_int_equal(aws_ini_parse(ctx, "creds", text, strlen(text), &ini), MAMORI_EINPUT);
	e = mamori_error_last(ctx);
	assert_null(strstr(e->message, secret));
}

static void test_xml_lists_and_types(void **state)
{
	(void)state;
	static const char *const numbers[] = {"fromPort", NULL};
	const char *xml =
		"<?xml version=\"1.0\"?>"
		"<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">"
		"<securityGroupInfo><item><groupId>sg-1</groupId>"
		"<ipPermissions><item><fromPort>22</fromPort><toPort>22</toPort>"
		"<ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges></item></ipPermissions>"
		"<tagSet><item><key>public</key><value>true</value></item></tagSet>"
		"<ipv6Ranges/><isDefault>false</isDefault><status/></item></securityGroupInfo>"
		"</DescribeSecurityGroupsResponse>";
	cJSON *doc = aws_xml_parse(ctx, "x", xml, strlen(xml), numbers);
	assert_non_null(doc);
	const cJSON *list = aws_path(doc, "DescribeSecurityGroupsResponse", "securityGroupInfo", NULL);
	assert_true(cJSON_IsArray(list));
	assert_int_equal(cJSON_GetArraySize(list), 1); /* one <item> is still a list */
	const cJSON *sg = list->child;
	const cJSON *perm = cJSON_GetArrayItem(mamori_json_get(sg, "ipPermissions"), 0);
	assert_true(cJSON_IsNumber(mamori_json_get(perm, "fromPort")));
	assert_true(cJSON_IsString(mamori_json_get(perm, "toPort"))); /* not in the hint list */
	assert_true(cJSON_IsFalse(mamori_json_get(sg, "isDefault")));
	/* a tag value "true" stays a string */
	cJSON *tags = aws_tags_map(mamori_json_get(sg, "tagSet"));
	assert_string_equal(mamori_json_str(tags, "public"), "true");
	cJSON_Delete(tags);
	assert_true(cJSON_IsArray(mamori_json_get(sg, "ipv6Ranges"))); /* empty list */
	assert_true(cJSON_IsString(mamori_json_get(sg, "status")));	/* not a list name */
	cJSON_Delete(doc);
}

static void test_xml_flattened_lists(void **state)
{
	(void)state;
	const char *xml = "<ListAllMyBucketsResult><Buckets>"
			  "<Bucket><Name>a</Name></Bucket><Bucket><Name>b</Name></Bucket>"
			  "<Bucket><Name>c</Name></Bucket></Buckets>"
			  "<Grant><Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
			  "xsi:type=\"Group\"><URI>http://acs/AllUsers</URI></Grantee></Grant>"
			  "</ListAllMyBucketsResult>";
	cJSON *doc = aws_xml_parse(ctx, "x", xml, strlen(xml), NULL);
	assert_non_null(doc);
	const cJSON *b = aws_path(doc, "ListAllMyBucketsResult", "Buckets", "Bucket", NULL);
	assert_int_equal(cJSON_GetArraySize(b), 3);
	int n = 0;
	aws_each(el, b)
	n++;
	assert_int_equal(n, 3);
	const cJSON *g = aws_path(doc, "ListAllMyBucketsResult", "Grant", "Grantee", NULL);
	assert_string_equal(mamori_json_str(g, "xsi:type"), "Group");
	/* a lone object iterates once */
	n = 0;
	aws_each(el, mamori_json_get(doc, "ListAllMyBucketsResult"))
	n++;
	assert_int_equal(n, 1);
	cJSON_Delete(doc);
}

static void test_xml_rejects_garbage(void **state)
{
	(void)state;
	const char *bad[] = {"<html><body>502 Bad Gateway</body", "", "not xml", "<a></b>"};
	for (size_t i = 0; i < 4; i++) {
		assert_null(aws_xml_parse(ctx, "ec2 answer", bad[i], strlen(bad[i]), NULL));
		assert_non_null(strstr(mamori_error_last(ctx)->message, "ec2 answer:1:"));
	}
	/* nesting is bounded */
	mamori_buf deep = MAMORI_BUF_INIT;
	for (int i = 0; i < 100; i++)
		mamori_buf_puts(&deep, "<a>");
	for (int i = 0; i < 100; i++)
		mamori_buf_puts(&deep, "</a>");
	assert_null(aws_xml_parse(ctx, "x", deep.data, deep.len, NULL));
	assert_non_null(strstr(mamori_error_last(ctx)->message, "deeper than 64"));
	mamori_buf_free(&deep);
}

static aws_call *answer(aws_client *cl, const aws_service *svc, long status, const char *body)
{
	aws_call *c = aws_call_new(cl, svc, NULL, "us-east-1", "ListUsers");
	mamori_buf_puts(&c->raw, body);
	c->status = status;
	aws_proto_parse(c);
	return c;
}

static void test_protocol_answers_and_errors(void **state)
{
	(void)state;
	aws_client cl;
	memset(&cl, 0, sizeof cl);
	cl.ctx = ctx;
	aws_call *c = answer(&cl, &aws_svc_iam, 200,
			     "<ListUsersResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
			     "<ListUsersResult><Users><member><UserName>a</UserName></member></Users>"
			     "<IsTruncated>false</IsTruncated></ListUsersResult></ListUsersResponse>");
	assert_null(c->err_code);
	assert_true(cJSON_IsArray(mamori_json_get(c->doc, "Users")));
	aws_call_free(c);
	c = answer(&cl, &aws_svc_iam, 400,
		   "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
		   "<Message>Rate exceeded</Message></Error></ErrorResponse>");
	assert_string_equal(c->err_code, "Throttling");
	assert_true(aws_error_throttling(c->err_code));
	aws_call_free(c);
	c = answer(&cl, &aws_svc_ec2, 503,
		   "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>m</Message>"
		   "</Error></Errors></Response>");
	assert_string_equal(c->err_code, "RequestLimitExceeded");
	aws_call_free(c);
	c = answer(&cl, &aws_svc_kms, 400,
		   "{\"__type\":\"com.amazonaws.kms#AccessDeniedException\",\"message\":\"no\"}");
	assert_string_equal(c->err_code, "AccessDeniedException");
	assert_string_equal(c->err_msg, "no");
	aws_call_free(c);
	c = aws_call_new(&cl, &aws_svc_guardduty, NULL, "us-east-1", "GetDetector");
	c->error_type = mamori_xstrdup("BadRequestException:http://internal.amazon.com/coral/");
	c->status = 400;
	mamori_buf_puts(&c->raw, "{\"message\":\"bad\"}");
	aws_proto_parse(c);
	assert_string_equal(c->err_code, "BadRequestException");
	aws_call_free(c);
	c = answer(&cl, &aws_svc_s3, 404, "");
	assert_string_equal(c->err_code, "NotFound");
	aws_call_free(c);
	/* garbage with 200 is an InvalidResponse naming the operation and place */
	c = answer(&cl, &aws_svc_iam, 200, "<html><body>oops</body");
	assert_string_equal(c->err_code, "InvalidResponse");
	assert_non_null(strstr(c->err_msg, "iam ListUsers"));
	aws_call_free(c);
	c = answer(&cl, &aws_svc_kms, 200, "[1, 2]");
	assert_string_equal(c->err_code, "InvalidResponse");
	aws_call_free(c);
	c = answer(&cl, &aws_svc_iam, 200, "<OtherResponse/>");
	assert_string_equal(c->err_code, "InvalidResponse");
	aws_call_free(c);
}

static void test_config_case(void **state)
{
	(void)state;
	cJSON *api = cJSON_Parse("{\"TrailARN\":\"a\",\"DBInstanceIdentifier\":\"d\",\"KeyId\":\"k\","
				 "\"S3BucketName\":\"b\",\"Tags\":{\"Team\":\"x\"},"
				 "\"List\":[{\"IsLogging\":true}]}");
	cJSON *c = aws_config_case(api);
	assert_string_equal(mamori_json_str(c, "trailARN"), "a");
	assert_string_equal(mamori_json_str(c, "dBInstanceIdentifier"), "d");
	assert_string_equal(mamori_json_str(c, "keyId"), "k");
	assert_string_equal(mamori_json_str(c, "s3BucketName"), "b");
	assert_string_equal(mamori_json_str(mamori_json_get(c, "tags"), "Team"), "x"); /* a map keeps its keys */
	assert_true(cJSON_IsTrue(mamori_json_get(cJSON_GetArrayItem(mamori_json_get(c, "list"), 0),
						 "isLogging")));
	aws_sort_members(c);
	assert_string_equal(c->child->string, "dBInstanceIdentifier");
	cJSON_Delete(api);
	cJSON_Delete(c);
}

static void test_uri_encoding(void **state)
{
	(void)state;
	mamori_buf b = MAMORI_BUF_INIT;
	aws_uri_encode(&b, "a b/c+d~e_f.g-h=é", false);
	assert_string_equal(b.data, "a%20b%2Fc%2Bd~e_f.g-h%3D%C3%A9");
	mamori_buf_reset(&b);
	aws_uri_encode(&b, "/x y/z", true);
	assert_string_equal(b.data, "/x%20y/z");
	mamori_buf_free(&b);
}

static void test_regions_and_endpoints(void **state)
{
	(void)state;
	assert_true(aws_region_valid("eu-west-1"));
	assert_true(aws_region_valid("us-gov-west-1"));
	assert_true(aws_region_valid("ap-southeast-5"));
	assert_false(aws_region_valid("xx"));
	assert_false(aws_region_valid("EU-WEST-1"));
	assert_false(aws_region_valid("eu-west"));
	assert_false(aws_region_valid("eu--west-1"));
	assert_false(aws_region_valid("eu-west-1; rm"));
	assert_string_equal(aws_partition("cn-north-1"), "aws-cn");
	assert_string_equal(aws_dns_suffix("cn-north-1"), "amazonaws.com.cn");
	assert_string_equal(aws_signing_region(&aws_svc_iam, "eu-west-1"), "us-east-1");
	assert_string_equal(aws_signing_region(&aws_svc_ec2, "eu-west-1"), "eu-west-1");

	char a1[] = "http://localhost:4566", a2[] = "s3=https://s3.local:9000/", a3[] = "ftp://x",
	     a4[] = "s3=";
	mamori_aws_endpoint e, eps[2];
	assert_true(mamori_aws_endpoint_parse(a1, &eps[1]));
	assert_null(eps[1].service);
	assert_true(mamori_aws_endpoint_parse(a2, &eps[0]));
	assert_string_equal(eps[0].service, "s3");
	assert_string_equal(eps[0].url, "https://s3.local:9000/");
	assert_false(mamori_aws_endpoint_parse(a3, &e));
	assert_false(mamori_aws_endpoint_parse(a4, &e));

	/* default endpoints per partition, and an override stripped of its slash */
	mamori_aws_options o;
	memset(&o, 0, sizeof o);
	aws_client cl;
	memset(&cl, 0, sizeof cl);
	cl.ctx = ctx;
	cl.opts = &o;
	cl.config_rc = cl.credentials_rc = MAMORI_ENOTFOUND;
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_EC2");
	char *u = aws_endpoint(&cl, &aws_svc_ec2, "eu-west-1");
	assert_string_equal(u, "https://ec2.eu-west-1.amazonaws.com");
	free(u);
	u = aws_endpoint(&cl, &aws_svc_iam, "eu-west-1");
	assert_string_equal(u, "https://iam.amazonaws.com");
	free(u);
	u = aws_endpoint(&cl, &aws_svc_kms, "cn-north-1");
	assert_string_equal(u, "https://kms.cn-north-1.amazonaws.com.cn");
	free(u);
	o.endpoints = eps;
	o.endpoint_count = 2;
	u = aws_endpoint(&cl, &aws_svc_s3, "eu-west-1");
	assert_string_equal(u, "https://s3.local:9000");
	free(u);
	u = aws_endpoint(&cl, &aws_svc_ec2, "eu-west-1");
	assert_string_equal(u, "http://localhost:4566");
	free(u);
}

static void test_mask(void **state)
{
	(void)state;
	char m[16];
	aws_mask("AKIAIOSFODNN7EXAMPLE", m);
	assert_string_equal(m, "AKIA********");
	aws_mask(NULL, m);
	assert_string_equal(m, "(none)");
}

/* s3://bucket/prefix as detect takes it */
static void test_s3_url(void **state)
{
	(void)state;
	char *b = NULL, *p = NULL;
	assert_true(mamori_s3_url_parse("s3://logs/AWSLogs/1/", &b, &p));
	assert_string_equal(b, "logs");
	assert_string_equal(p, "AWSLogs/1/");
	free(b);
	free(p);
	assert_true(mamori_s3_url_parse("s3://logs", &b, &p));
	assert_string_equal(b, "logs");
	assert_string_equal(p, "");
	free(b);
	free(p);
	b = p = NULL;
	assert_false(mamori_s3_url_parse("s3:///x", &b, &p));
	assert_false(mamori_s3_url_parse("s3://", &b, &p));
	assert_false(mamori_s3_url_parse("/tmp/logs", &b, &p));
	assert_false(mamori_s3_url_parse(
		"s3://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/x", &b, &p));
	assert_null(b);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini_parses_like_configparser),
		cmocka_unit_test(test_ini_errors_name_the_place),
		cmocka_unit_test(test_ini_error_masks_secrets),
		cmocka_unit_test(test_xml_lists_and_types),
		cmocka_unit_test(test_xml_flattened_lists),
		cmocka_unit_test(test_xml_rejects_garbage),
		cmocka_unit_test(test_protocol_answers_and_errors),
		cmocka_unit_test(test_config_case),
		cmocka_unit_test(test_uri_encoding),
		cmocka_unit_test(test_regions_and_endpoints),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_s3_url),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
