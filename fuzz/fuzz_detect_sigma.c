/*
 * fuzz_detect_sigma.c — the Sigma rule loader and condition compiler on
 * arbitrary YAML, then the compiled rule run on a fixed CloudTrail record.
 */
#include "detect/sigma/sigma.h"

#include <stdlib.h>
#include <string.h>

static void on_match(void *ud, size_t rule, const dt_event *ev)
{
	(void)ud, (void)rule, (void)ev;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char rec[] =
		"{\"eventName\":\"StopLogging\",\"eventSource\":\"cloudtrail.amazonaws.com\","
		"\"userIdentity\":{\"type\":\"Root\",\"arn\":\"arn:aws:iam::1:root\"},"
		"\"requestParameters\":{\"name\":\"t\",\"list\":[1,\"a\",{\"b\":2}]},\"sourceIPAddress\":\"10.0.0.1\"}";
	mamori_ctx *ctx = mamori_ctx_new();
	dt_paths ps, dns;
	dt_paths_init(&ps);
	dt_paths_init(&dns);
	dt_ct_paths_init(&ps);
	dt_dns_paths_init(&dns);
	sg_ruleset *rs = sg_ruleset_new(ctx, &ps, &dns);
	static const char holders[] = "countries: [JP, 'U*S']\nips: 10.0.0.0/8\nn: 5\nself: '%self%'\n";
	if (sg_ruleset_placeholders_buf(rs, "fuzz-placeholders.yml", holders, sizeof holders - 1))
		abort();
	sg_ruleset_add(rs, "fuzz.yml", (const char *)data, size);
	if (sg_ruleset_compile(rs) == MAMORI_OK) {
		dt_paths_freeze(&ps);
		dt_index ix;
		dt_index_init(&ix, ps.nslots);
		const char *p = rec, *err;
		if (dt_json_index(&ix, &ps, &p, rec + strlen(rec), &err) == DT_JS_OK) {
			dt_scratch s = {0};
			dt_event ev = {&ix, &ps, &s, 0, "fuzz", 1, 1};
			sg_scanner *a = sg_scanner_new(rs, false), *b = sg_scanner_new(rs, true);
			sg_scan(a, SG_LOG_CLOUDTRAIL, &ev, on_match, NULL);
			sg_scan(b, SG_LOG_CLOUDTRAIL, &ev, on_match, NULL);
			sg_scanner_free(a);
			sg_scanner_free(b);
			dt_scratch_free(&s);
		}
		dt_index_free(&ix);
	}
	sg_ruleset_free(rs);
	dt_paths_free(&ps);
	dt_paths_free(&dns);
	mamori_ctx_free(ctx);
	return 0;
}
