/*
 * fuzz_aws_ini — the ~/.aws/config and ~/.aws/credentials parser on
 * arbitrary bytes: accept or report path:line:col, never crash or leak.
 * What parses is looked up the way the credential chain does.
 */
#include "aws/aws_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	mamori_ctx *ctx = mamori_ctx_new();
	aws_ini ini;
	if (aws_ini_parse(ctx, "fuzz-credentials", buf, size, &ini) == MAMORI_OK) {
		const aws_ini_section *s = aws_ini_find(&ini, "default");
		(void)aws_ini_get(s, "aws_secret_access_key");
		for (size_t i = 0; i < ini.count; i++)
			(void)aws_ini_get(&ini.sections[i], "role_arn");
		aws_ini_free(&ini);
	}
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
