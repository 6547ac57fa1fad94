/*
 * fuzz_waf_xss — mamori's XSS detector on arbitrary bytes: no crash, and
 * evidence that lies within the input.
 */
#include "mamori/waf.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	size_t at = 0, span = 0;
	if (mamori_waf_xss((const char *)data, size, &why, &at, &span)) {
		if (!why || at > size || span > size - at)
			abort();
	}
	return 0;
}
