/*
 * fuzz_detect_intel.c — threat list parsing (plain text, CSV, STIX) and
 * lookups on arbitrary bytes.
 */
#include "detect/dt_intel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dt_intel *in = dt_intel_new();
	dt_intel_load_buf(in, DT_INTEL_MALICIOUS, "fuzz", (const char *)data, size);
	uint8_t a[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1};
	dt_intel_hit h;
	dt_intel_ip(in, a, &h);
	dt_intel_domain(in, "a.b.example.com.", 16, &h);
	dt_intel_free(in);
	return 0;
}
