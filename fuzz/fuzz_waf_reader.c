/*
 * fuzz_waf_reader — the request readers (JSON Lines, HAR, ALB, CloudFront,
 * AWS WAF logs) on arbitrary bytes; the first byte picks the format.
 */
#include "mamori/waf.h"
#include "mamori/mamori.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_rec(void *ud, const mamori_waf_record *rec)
{
	(void)ud;
	if (rec && (!rec->request.uri || !rec->id))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = 0;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_waf_read_requests(ctx, "fuzz.log", buf, size - 1, (mamori_waf_input_format)(data[0] % 6),
				 on_rec, NULL);
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
