/*
 * fuzz_rulebook — the YAML rule-metadata loader (libfyaml to cJSON, then
 * validation): any bytes must load or be refused with a message.
 */
#include "rulebook.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_rulebook rb;
	if (mamori_rulebook_load(ctx, "fuzz.yaml", (const char *)data, size, &rb) == MAMORI_OK)
		mamori_rulebook_free(&rb);
	else if (!mamori_error_last(ctx)->message[0])
		abort();
	mamori_ctx_free(ctx);
	return 0;
}
