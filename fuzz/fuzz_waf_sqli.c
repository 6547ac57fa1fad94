/*
 * fuzz_waf_sqli — mamori's SQL-injection detector on arbitrary bytes, at
 * both sensitivities: no crash, and evidence that lies within the input.
 */
#include "mamori/waf.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int high = 0; high < 2; high++) {
		const char *why = NULL;
		size_t at = 0, span = 0;
		if (mamori_waf_sqli((const char *)data, size, high, &why, &at, &span)) {
			if (!why || at > size || span > size - at)
				abort();
		}
	}
	return 0;
}
