/*
 * fuzz_vuln_version — the version comparators and the CVSS vector parser
 * on arbitrary strings.  The first byte picks the scheme; the rest is
 * split at the first NUL or tab into A and B.  Comparison must be
 * reflexive and antisymmetric on whatever the scheme accepts.
 */
#include "vuln/cvss.h"
#include "vuln/version.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	vuln_scheme s = (vuln_scheme)(1 + data[0] % (VULN_SCHEME_COUNT - 1));
	char *a = malloc(size);
	memcpy(a, data + 1, size - 1);
	a[size - 1] = '\0';
	char *b = a + strcspn(a, "\t");
	if (*b)
		*b++ = '\0';
	int r1, r2, r3;
	if (mamori_vuln_vercmp(s, a, b, &r1, NULL) == 0) {
		if (mamori_vuln_vercmp(s, b, a, &r2, NULL) != 0 || r1 != -r2)
			abort();
		if (mamori_vuln_vercmp(s, a, a, &r3, NULL) != 0 || r3 != 0)
			abort();
	}
	vuln_cvss c;
	if (!mamori_vuln_cvss_score(a, &c) && (c.score < 0 || c.score > 10 || !c.rating))
		abort();
	free(a);
	return 0;
}
