/*
 * fuzz_detect_flow.c — the VPC Flow Logs reader (headers, custom formats,
 * '#' comments, gzip) on arbitrary bytes.
 */
#include "detect/dt_flow.h"

static void rec(void *ud, const dt_flow_rec *r)
{
	(void)ud;
	char buf[64];
	if (r->has_src)
		dt_ip_format(r->src, buf, sizeof buf);
}

static void problem(void *ud, const char *p, uint64_t l, unsigned c, const char *m)
{
	(void)ud, (void)p, (void)l, (void)c, (void)m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dt_input in;
	dt_input_open_mem(&in, "fuzz", data, size);
	in.max_window = 1u << 20;
	dt_flow_reader fr = {&in, NULL, rec, problem, 0, 0, 0};
	dt_flow_read(&fr);
	dt_input_close(&in);
	return 0;
}
