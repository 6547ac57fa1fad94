/*
 * fuzz_asff — reading ASFF findings (mamori_finding_from_asff), the parser
 * behind the store's documents and imports of other products' findings;
 * whatever it accepts must serialise back.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_findings fs;
	mamori_findings_init(&fs);
	if (mamori_finding_from_asff(ctx, &fs, buf, size) == MAMORI_OK) {
		char *strict = mamori_finding_to_asff(&fs.items[0], 0);
		char *lossless = mamori_finding_to_asff(&fs.items[0], MAMORI_ASFF_LOSSLESS);
		free(strict);
		free(lossless);
	}
	mamori_findings_free(&fs);
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
