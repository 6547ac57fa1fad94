/*
 * fuzz_detect_config.c — the settings file of `mamori detect --config`
 * (YAML NAME: VALUE) and `--set NAME=VALUE` on arbitrary bytes.
 */
#include "detect/detect.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mamori_ctx *ctx = mamori_ctx_new();
	dt_config c;
	dt_config_defaults(&c);
	dt_config_load_buf(ctx, &c, "fuzz.yaml", (const char *)data, size);
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	dt_config_set(ctx, &c, s);
	free(s);
	mamori_ctx_free(ctx);
	return 0;
}
