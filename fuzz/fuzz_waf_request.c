/*
 * fuzz_waf_request — whole requests through the default WebACL: the bytes
 * are parsed as an HTTP request by the proxy's parser, then evaluated (query
 * arguments, cookies, form / multipart / JSON / XML bodies, every managed
 * rule and both detectors), and logged as an AWS WAF record.
 */
#include "mamori/mamori.h"
#include "mamori/waf.h"
#include "waf/proxy/http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mamori_ctx *ctx;
static mamori_waf_acl *acl;
static mamori_waf_eval *ev;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!acl) { /* compiled once: the default WebACL is large */
		ctx = mamori_ctx_new();
		if (mamori_waf_acl_default(ctx, NULL, &acl) != MAMORI_OK)
			abort();
		ev = mamori_waf_eval_new(acl);
	}
	const char *b = (const char *)data;
	http_limits lim = {16384, 8192, 1 << 20};
	http_request rq;
	mamori_waf_header hs[HTTP_MAX_HEADERS];
	char method[32] = "GET";
	mamori_waf_request w = {.client_ip = "198.51.100.1", .method = method, .uri = "/", .timestamp_ms = 1};
	if (http_parse_request(b, size, &lim, &rq) == HTTP_OK) {
		size_t ml = rq.method_len < 31 ? rq.method_len : 31;
		memcpy(method, rq.method, ml);
		method[ml] = 0;
		for (size_t i = 0; i < rq.header_count; i++)
			hs[i] = (mamori_waf_header){rq.headers[i].name, rq.headers[i].name_len,
						    rq.headers[i].value, rq.headers[i].value_len};
		w.uri = rq.target;
		w.uri_len = rq.target_len;
		w.headers = hs;
		w.header_count = rq.header_count;
		w.body = b + rq.head_len;
		w.body_len = size - rq.head_len;
	} else {
		/* not HTTP: use the bytes as a body */
		w.body = b;
		w.body_len = size;
	}
	mamori_waf_result res;
	mamori_waf_evaluate(ev, &w, &res);
	mamori_buf out = MAMORI_BUF_INIT;
	mamori_waf_log_record(acl, &w, &res, NULL, &out);
	mamori_buf_free(&out);
	return 0;
}
