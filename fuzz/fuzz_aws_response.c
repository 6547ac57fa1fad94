/*
 * fuzz_aws_response — one answer body as every protocol would receive it
 * (success and error statuses): the response and error parsers of query,
 * EC2, JSON 1.1, REST-XML and REST-JSON must reject garbage cleanly.
 */
#include "aws/aws_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const aws_service *const svcs[] = {&aws_svc_iam, &aws_svc_ec2, &aws_svc_kms,
						  &aws_svc_s3, &aws_svc_guardduty};
	static const long statuses[] = {200, 400, 503};
	mamori_ctx *ctx = mamori_ctx_new();
	aws_client cl;
	memset(&cl, 0, sizeof cl);
	cl.ctx = ctx;
	for (size_t s = 0; s < sizeof svcs / sizeof *svcs; s++)
		for (size_t k = 0; k < sizeof statuses / sizeof *statuses; k++) {
			aws_call *c = aws_call_new(&cl, svcs[s], NULL, "us-east-1", "ListThings");
			mamori_buf_append(&c->raw, data, size);
			c->status = statuses[k];
			c->error_type = size && data[0] == 'x' ? mamori_xstrdup("Foo#Bar:baz") : NULL;
			aws_proto_parse(c);
			(void)aws_error_throttling(c->err_code);
			(void)aws_not_found(c);
			aws_call_free(c);
		}
	mamori_ctx_free(ctx);
	return 0;
}
