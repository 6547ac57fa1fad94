/*
 * fuzz_detect_cloudtrail.c — the JSON log readers (CloudTrail shapes,
 * EventBridge envelopes, Route 53 Resolver lines, gzip) on arbitrary bytes.
 */
#include "detect/dt_jreader.h"

static void rec(void *ud, dt_index *ix, uint64_t line)
{
	(void)ud;
	(void)line;
	size_t n;
	dt_scratch s = {0};
	dt_event ev = {ix, NULL, &s, 0, "fuzz", 1, 1};
	dt_event_str(&ev, DT_F_EVENT_NAME, &n);
	dt_event_member(&ev, DT_F_REQUEST, "bucketName", &n);
	dt_scratch_free(&s);
}

static void problem(void *ud, const char *p, uint64_t l, unsigned c, const char *m)
{
	(void)ud, (void)p, (void)l, (void)c, (void)m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dt_paths ps;
	dt_paths_init(&ps);
	dt_ct_paths_init(&ps);
	dt_paths_add(&ps, "requestParameters.containerDefinitions.command");
	dt_paths_freeze(&ps);
	dt_index ix;
	dt_index_init(&ix, ps.nslots);
	dt_scratch scratch = {0};
	dt_input in;
	dt_input_open_mem(&in, "fuzz", data, size);
	in.max_window = 1u << 20;
	dt_jreader r = {0};
	r.in = &in;
	r.paths = &ps;
	r.ix = &ix;
	r.scratch = &scratch;
	r.slot_records = DT_F_RECORDS;
	r.slot_detail = DT_F_DETAIL;
	r.slot_event_data = DT_F_EVENT_DATA;
	r.slot_marker = DT_F_EVENT_NAME;
	r.record = rec;
	r.problem = problem;
	dt_jreader_run(&r);
	dt_input_close(&in);
	dt_scratch_free(&scratch);
	dt_index_free(&ix);
	dt_paths_free(&ps);
	return 0;
}
