/*
 * fuzz_waf_transform — every AWS WAF text transformation on arbitrary bytes,
 * alone and chained: output within waf_tx_bound(), no read past the input
 * (ASan), no crash.  The first byte picks a chain; all transformations also
 * run one by one.
 */
#include "waf/waf_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	unsigned pick = data[0];
	const unsigned char *in = data + 1;
	size_t n = size - 1;
	for (int tx = 0; tx < TX_COUNT; tx++) {
		size_t bound = waf_tx_bound(tx, n);
		unsigned char *out = malloc(bound ? bound : 1);
		size_t m = waf_tx_apply(tx, in, n, out);
		if (m > bound)
			abort();
		free(out);
	}
	/* a chain of up to four, applied to each other's output */
	unsigned char *cur = malloc(n ? n : 1);
	memcpy(cur, in, n);
	size_t len = n;
	for (int k = 0; k < 4; k++) {
		int tx = (int)((pick >> (2 * k)) * 7 + (unsigned)k) % TX_COUNT;
		size_t bound = waf_tx_bound(tx, len);
		unsigned char *out = malloc(bound ? bound : 1);
		size_t m = waf_tx_apply(tx, cur, len, out);
		if (m > bound)
			abort();
		free(cur);
		cur = out;
		len = m;
	}
	free(cur);
	return 0;
}
