/*
 * test_jsonw.c — the streaming JSON writer and the ASFF writer built on it
 * against cJSON itself: the bytes must be cJSON's, because stored finding
 * documents are hashed and every consumer reads them.
 *
 *   - random cJSON documents: the writer's DOM walk = cJSON_Print /
 *     cJSON_PrintUnformatted
 *   - canonical re-emission: cJSON's compact text, re-emitted (compact and
 *     pretty) = cJSON's print of its parse; mutated texts are either refused
 *     or rendered exactly as cJSON would
 *   - findings with every field, odd extras and details (duplicate and
 *     case-variant keys, invalid JSON, trailing bytes, whitespace, escapes,
 *     numbers cJSON rewrites), and every finding of a scan of the demo
 *     (all pillars): mamori_finding_to_asff = the DOM writer it replaced
 *     (asff_oracle.h), in the four flag combinations
 */
#include "asff_oracle.h"
#include "jsonw.h"
#include "testutil.h"

#include <math.h>

typedef struct rng {
	uint64_t s;
} rng;

static uint32_t next(rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 11);
}

static void random_string(rng *r, char *out, size_t cap)
{
	static const char *const pieces[] = {
		"a", "Z", " ", "\"", "\\", "/", "\n", "\t", "\b", "\f", "\r", "\x01", "\x1f", "\x7f",
		"\xc3\xa9", "\xe3\x81\x82", "\xf0\x9f\x94\x92", "\xff", "\x80", "key", "Id", "0", ":",
		",", "{", "]", "u00e9", "\\u0041",
	};
	size_t n = next(r) % 12, len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *p = pieces[next(r) % (sizeof pieces / sizeof *pieces)];
		size_t pl = strlen(p);
		if (len + pl + 1 >= cap)
			break;
		memcpy(out + len, p, pl + 1);
		len += pl;
	}
}

static double random_number(rng *r)
{
	static const double special[] = {
		0,	 -0.0,	  1,	   -1,	     0.1,     9.8,	  2147483647.0,
		2147483648.0, -2147483648.0, -2147483649.0, 1e20,    1e-7,	  123456789012345678.0,
		3.14159265358979311, 1.0 / 3, 1e300,	     -1e-300, 0.30000000000000004, 5e-324,
	};
	switch (next(r) % 4) {
	case 0:
		return special[next(r) % (sizeof special / sizeof *special)];
	case 1:
		return (double)(int32_t)next(r);
	case 2:
		return (double)next(r) / (double)(next(r) | 1);
	default:
		return ldexp((double)next(r), (int)(next(r) % 200) - 100);
	}
}

static cJSON *random_value(rng *r, int depth)
{
	char s[128];
	switch (next(r) % (depth > 4 ? 5 : 7)) {
	case 0:
		return cJSON_CreateNull();
	case 1:
		return cJSON_CreateBool(next(r) & 1);
	case 2:
		return cJSON_CreateNumber(random_number(r));
	case 3:
	case 4:
		random_string(r, s, sizeof s);
		return cJSON_CreateString(s);
	case 5: {
		cJSON *a = cJSON_CreateArray();
		for (uint32_t i = next(r) % 4; i > 0; i--)
			cJSON_AddItemToArray(a, random_value(r, depth + 1));
		return a;
	}
	default: {
		cJSON *o = cJSON_CreateObject();
		for (uint32_t i = next(r) % 4; i > 0; i--) {
			random_string(r, s, sizeof s);
			cJSON_AddItemToObject(o, s, random_value(r, depth + 1));
		}
		return o;
	}
	}
}

static char *jw_print(const cJSON *v, bool pretty)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_jw w;
	mamori_jw_init(&w, &b, pretty);
	mamori_jw_cjson(&w, v);
	return mamori_buf_detach(&b);
}

static void test_dom_matches_cjson(void **state)
{
	(void)state;
	rng r = {0x9e3779b97f4a7c15ull};
	for (int i = 0; i < 3000; i++) {
		cJSON *v = random_value(&r, 0);
		for (int pretty = 0; pretty < 2; pretty++) {
			char *want = pretty ? cJSON_Print(v) : cJSON_PrintUnformatted(v);
			char *got = jw_print(v, pretty);
			if (strcmp(want, got))
				fail_msg("document %d (%s):\ncJSON: %s\nwriter: %s", i,
					 pretty ? "pretty" : "compact", want, got);
			free(want);
			free(got);
		}
		cJSON_Delete(v);
	}
}

/* If the writer takes text as canonical, it must render it as cJSON does. */
static void check_text(const char *text, bool must_take)
{
	cJSON *parsed = cJSON_ParseWithLength(text, strlen(text));
	for (int pretty = 0; pretty < 2; pretty++) {
		mamori_buf b = MAMORI_BUF_INIT;
		mamori_jw w;
		mamori_jw_init(&w, &b, pretty);
		bool took = mamori_jw_canonical(&w, text, strlen(text));
		if (must_take && !took)
			fail_msg("canonical text refused: %s", text);
		if (took) {
			if (!parsed)
				fail_msg("took text cJSON cannot parse: %s", text);
			char *want = pretty ? cJSON_Print(parsed) : cJSON_PrintUnformatted(parsed);
			if (strcmp(want, mamori_buf_cstr(&b)))
				fail_msg("text %s\ncJSON: %s\nwriter: %s", text, want, mamori_buf_cstr(&b));
			free(want);
		} else {
			assert_int_equal(b.len, 0); /* nothing left behind */
		}
		mamori_buf_free(&b);
	}
	cJSON_Delete(parsed);
}

static void test_canonical_text(void **state)
{
	(void)state;
	rng r = {12345};
	for (int i = 0; i < 3000; i++) {
		cJSON *v = random_value(&r, 0);
		char *text = cJSON_PrintUnformatted(v);
		check_text(text, true);
		/* mutations: one byte changed, inserted or removed */
		size_t n = strlen(text);
		static const char bytes[] = " \t\n\"\\/{}[],:0123456789.eE+-ntfu";
		for (int m = 0; m < 6 && n; m++) {
			char *t = malloc(n + 2);
			size_t at = next(&r) % n;
			char c = bytes[next(&r) % (sizeof bytes - 1)];
			switch (m % 3) {
			case 0:
				memcpy(t, text, n + 1);
				t[at] = c;
				break;
			case 1:
				memcpy(t, text, at);
				t[at] = c;
				memcpy(t + at + 1, text + at, n - at + 1);
				break;
			default:
				memcpy(t, text, at);
				memcpy(t + at, text + at + 1, n - at);
				break;
			}
			check_text(t, false);
			free(t);
		}
		free(text);
		cJSON_Delete(v);
	}
	/* what cJSON rewrites is not canonical */
	static const char *const rewritten[] = {
		"{\"a\": 1}", "{\"a\":1.0}", "{\"a\":01}", "{\"a\":\"\\/\"}", "{\"a\":\"\\u00e9\"}",
		"{\"a\":\"\\u0000\"}", "{\"a\":\"\\u000a\"}", "{\"a\":\"\\u001F\"}", "{\"a\":1e2}",
		" {}", "{} ", "{\"a\":1}x", "{\"a\":\"\x01\"}", "[1,2,]", "{\"a\":1e999}",
	};
	for (size_t i = 0; i < sizeof rewritten / sizeof *rewritten; i++) {
		mamori_buf b = MAMORI_BUF_INIT;
		mamori_jw w;
		mamori_jw_init(&w, &b, false);
		if (mamori_jw_canonical(&w, rewritten[i], strlen(rewritten[i])))
			fail_msg("took non-canonical %s", rewritten[i]);
		mamori_buf_free(&b);
	}
	static const char *const canonical[] = {
		"{}", "[]", "{\"a\":{}}", "[[],{},[{}]]", "{\"\":\"\\u001f\\b\\\"\\\\\"}", "-1.5",
		"1e+20", "\"\xc3\xa9\x7f\"", "{\"a\":null,\"a\":true}", "2147483647", "3000000000", "-0",
	};
	for (size_t i = 0; i < sizeof canonical / sizeof *canonical; i++)
		check_text(canonical[i], true);
	/* cJSON's nesting limit is kept */
	char deep[2100];
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	deep[2000] = '\0';
	check_text(deep, true);
	memset(deep, '[', 1001);
	memset(deep + 1001, ']', 1001);
	deep[2002] = '\0';
	check_text(deep, false);
}

static void compare_asff(const mamori_finding *f, const char *what)
{
	static const unsigned flags[] = {0, MAMORI_ASFF_PRETTY, MAMORI_ASFF_LOSSLESS,
					 MAMORI_ASFF_LOSSLESS | MAMORI_ASFF_PRETTY};
	for (size_t i = 0; i < 4; i++) {
		char *want = oracle_finding_to_asff(f, flags[i]);
		char *got = mamori_finding_to_asff(f, flags[i]);
		if (strcmp(want, got))
			fail_msg("%s (flags %u):\nDOM:    %s\nwriter: %s", what, flags[i], want, got);
		free(want);
		free(got);
	}
}

static void test_asff_fields(void **state)
{
	(void)state;
	static const char *const extras[] = {
		NULL,
		"",
		"{}",
		"{ }",
		"[]",
		"\"x\"",
		"not json",
		"{\"Vulnerabilities\":[{\"Id\":\"CVE-2024-1\",\"Cvss\":[{\"BaseScore\":9.8}]}]}",
		"{\"Vulnerabilities\":[],\"Vulnerabilities\":[1]}",
		"{\"recordstate\":\"X\",\"Network\":{\"Direction\":\"IN\"}}",
		"{\"Id\":\"override?\",\"id\":2,\"Action\":{}}",
		"{\"Title\":\"no\",\"Remediation\":{},\"ProductFields\":{},\"Compliance\":1}",
		"{\"A\":1} trailing",
		"{\"A\":1,}",
		"{\"A\":\"\\u00e9\\/\",\"B\":1.50,\"C\":[1 , 2]}",
		"{\"k\\\"ey\":1,\"Process\":{\"Name\":\"x\"}}",
		"\xef\xbb\xbf{\"Bom\":1}",
		"{\"Deep\":[[[[[{\"x\":[]}]]]]],\"Empty\":{},\"E2\":[]}",
		"{\"A\":1}\n",
		"{\"k\":\"x\"\"y\":{}}", /* no comma between members (found by fuzz_jsonw) */
		"{\"k\":1,}",
		"{\"k\":1,\"j\"}",
		"{\"Malware\":[{\"Name\":\"a\xff\"}],\"Threats\":[{\"Severity\":\"HIGH\",\"ItemCount\":3000000000}]}",
	};
	static const char *const details[] = {
		NULL, "", "{}", "[1]", "{\"AwsS3Bucket\":{\"OwnerId\":\"abc\"}}", "{\"A\": 1}", "{bad",
		"{\"A\":{\"B\":[true,false,null,-0.5]}}x",
	};
	mamori_findings fs;
	mamori_findings_init(&fs);
	char long_value[3000];
	memset(long_value, 'v', sizeof long_value - 1);
	long_value[sizeof long_value - 1] = '\0';
	memcpy(long_value + 2040, "\xe3\x81\x82\xe3\x81\x82", 6);
	char long_key[200];
	memset(long_key, 'k', sizeof long_key - 1);
	long_key[sizeof long_key - 1] = '\0';
	for (size_t e = 0; e < sizeof extras / sizeof *extras; e++)
		for (size_t d = 0; d < sizeof details / sizeof *details; d++) {
			mamori_finding *f = test_finding(&fs, "mod\"ule", "rule\n1", "arn:aws:s3:::b");
			f->asff_extra_json = extras[e];
			f->resources[0].details_json = details[d];
			if (d % 2) {
				f->id = "mamori/x/1";
				f->fingerprint = "fp\t1";
				f->rule_author = "Someone <a@b>";
				f->rule_license = "DRL-1.1";
				f->evidence_json = "{\"seen\":\"\\u0001\"}";
				f->location.path = "dir/file.tf";
				f->location.line = 3;
				f->location.column = 7;
				f->severity_original = "9.8";
				f->remediation_text = "Fix \"it\"";
				f->compliance = MAMORI_COMPLIANCE_FAILED;
				mamori_finding_add_requirement(&fs, f, "CIS 1.1");
				mamori_finding_add_standard(&fs, f, "standards/cis");
				mamori_finding_add_product_field(&fs, f, "k", "v");
				mamori_finding_add_product_field(&fs, f, long_key, long_value);
				f->created_at = f->updated_at = "2024-01-01T00:00:00.000Z";
			} else {
				f->region = NULL;
				f->aws_account_id = NULL;
				f->remediation_url = "https://example.org/";
				f->severity_normalized = 55;
				for (int i = 0; i < 55; i++) {
					char key[16];
					snprintf(key, sizeof key, "f%d", i);
					mamori_finding_add_product_field(&fs, f, key, i % 7 ? "x" : long_value);
				}
				mamori_finding_add_resource(&fs, f, "Other", "second");
				f->resources[1].partition = "aws-cn";
				f->compliance = MAMORI_COMPLIANCE_PASSED;
			}
			char what[64];
			snprintf(what, sizeof what, "extra %zu details %zu", e, d);
			compare_asff(f, what);
		}
	mamori_findings_free(&fs);
}

/* Every finding of every pillar on the demo, as mamori scan makes them. */
static void test_asff_demo_scan(void **state)
{
	(void)state;
	const char *src = getenv("MAMORI_SOURCE_DIR");
	if (!src)
		skip();
	char demo[4096];
	snprintf(demo, sizeof demo, "%s/examples/demo", src);
	char *home = test_tmpdir("jsonw-home");
	setenv("HOME", home, 1);
	unsetenv("MAMORI_VULN_DB");
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_registry *reg = mamori_registry_new();
	mamori_registry_add_builtin(reg);
	mamori_target *t;
	assert_int_equal(mamori_target_open(ctx, demo, &t), MAMORI_OK);
	mamori_scan_result res;
	mamori_scan_result_init(&res);
	assert_int_equal(mamori_scan_run(ctx, reg, NULL, t, NULL, &res), MAMORI_OK);
	assert_true(res.findings.count > 50);
	size_t with_extra = 0;
	for (size_t i = 0; i < res.findings.count; i++) {
		const mamori_finding *f = &res.findings.items[i];
		with_extra += f->asff_extra_json != NULL;
		compare_asff(f, f->id);
		/* and after a trip through ASFF (what the store and the hub read) */
		char *doc = mamori_finding_to_asff(f, MAMORI_ASFF_LOSSLESS);
		mamori_findings back;
		mamori_findings_init(&back);
		assert_int_equal(mamori_finding_from_asff(ctx, &back, doc, strlen(doc)), MAMORI_OK);
		compare_asff(&back.items[0], f->id);
		mamori_findings_free(&back);
		free(doc);
	}
	assert_true(with_extra > 30); /* the vuln findings' Vulnerabilities at least */
	mamori_scan_result_free(&res);
	mamori_target_free(t);
	mamori_registry_free(reg);
	mamori_ctx_free(ctx);
	free(home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dom_matches_cjson),
		cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_asff_fields),
		cmocka_unit_test(test_asff_demo_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
