/*
 * fuzz_waf_acl — the WebACL compiler on arbitrary JSON: accept or reject
 * with a message, never crash or leak; what compiles evaluates a request.
 */
#include "mamori/waf.h"
#include "mamori/mamori.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* managed groups compile hundreds of patterns with Vectorscan: seconds
	 * per input; the group-reference code is fuzzed with customer groups */
	if (memmem(data, size, "ManagedRuleGroup", 16))
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = 0;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_waf_acl *acl = NULL;
	if (mamori_waf_acl_compile(ctx, "fuzz.json", buf, size, NULL, &acl) == MAMORI_OK) {
		mamori_waf_eval *ev = mamori_waf_eval_new(acl);
		mamori_waf_header h[] = {{"Host", 4, "a", 1}, {"Cookie", 6, "a=1; b=' or 1=1", 15}};
		mamori_waf_request rq = {.client_ip = "192.0.2.1", .method = "POST", .uri = "/x?a=1&b=%27",
					 .headers = h, .header_count = 2, .body = "{\"k\":\"v\"}", .body_len = 9,
					 .timestamp_ms = 1};
		mamori_waf_result res;
		mamori_waf_evaluate(ev, &rq, &res);
		mamori_waf_eval_free(ev);
		mamori_waf_acl_free(acl);
	} else if (!mamori_error_last(ctx)->message || !*mamori_error_last(ctx)->message) {
		abort();
	}
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
