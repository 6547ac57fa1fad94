/*
 * dt_run.c — one detection run: order the inputs, read each with the
 * reader its content calls for, feed Sigma and the native detectors, and
 * turn what they found into findings.
 *
 * Order: files are sorted by the time in their name (CloudTrail and flow
 * log object names carry YYYYMMDDTHHMMZ) and then by name, so events reach
 * the window detectors roughly in time order; detectors count in event
 * time and accept events up to late_tolerance behind the newest one seen
 * (later ones still count but are reported as late in the summary).
 *
 * Sharding: --shard I/N keeps the files whose name hashes to I mod N —
 * deterministic, independent of listing order and of where the bucket is
 * mounted (the hash is of the file's base name).
 */
#include "dt_jreader.h"
#include "dt_run.h"
#include "native/baseline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define MAX_LISTED_PROBLEMS 200
#define SNIFF_BYTES 65536

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool dt_shard_owns(const char *name, unsigned i, unsigned n)
{
	if (n <= 1)
		return true;
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	return dt_hash(base, strlen(base)) % n == i;
}

void dt_run_problem(dt_run *r, const char *path, uint64_t line, unsigned col, const char *fmt,
		    ...)
{
	if (r->problems_reported++ >= MAX_LISTED_PROBLEMS)
		return;
	mamori_buf b = MAMORI_BUF_INIT;
	if (col)
		mamori_buf_printf(&b, "%s:%llu:%u: ", path, (unsigned long long)line, col);
	else
		mamori_buf_printf(&b, "%s:%llu: ", path, (unsigned long long)line);
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (r->mrun)
		mamori_module_problem(r->mrun, "%s", b.data);
	mamori_buf_free(&b);
}

static void reader_problem(void *ud, const char *path, uint64_t line, unsigned col, const char *msg)
{
	dt_run *r = ud;
	dt_run_problem(r, r->file ? r->file : path, line, col, "%s", msg);
}

void dt_emit(dt_run *r, const dt_hit *h)
{
	if (h->sigma == SIZE_MAX)
		r->st->native_hits++;
	else
		r->st->sigma_matches++;
	dt_agg_add(r->agg, h);
}

/* ---- CloudTrail ---- */

static void on_sigma(void *ud, size_t rule, const dt_event *ev)
{
	dt_run *r = ud;
	dt_hit h;
	dt_hit_from_ct(ev, &h, NULL);
	h.sigma = rule;
	dt_emit(r, &h);
}

static void note_time(dt_run *r, int64_t t)
{
	if (!t)
		return;
	if (t > r->watermark)
		r->watermark = t;
	else if (t < r->watermark - r->cfg->late_tolerance)
		r->st->late_events++;
}

static void ct_record(void *ud, dt_index *ix, uint64_t line)
{
	dt_run *r = ud;
	dt_event ev = {ix, &r->e->ct_paths, &r->scratch, 0, r->file, line, ++r->seq};
	const dt_jval *en = dt_index_get(ix, DT_F_EVENT_NAME);
	if (!en) {
		if (dt_index_get(ix, DT_F_DIGEST_START))
			r->st->digests++;
		else
			r->st->skipped_records++;
		return;
	}
	if (en->type != DT_JSTR) {
		r->st->bad_records++;
		dt_run_problem(r, r->file, line, 0,
			       "record %llu: eventName is not a string; record skipped",
			       (unsigned long long)r->seq);
		return;
	}
	const dt_jval *tv = dt_index_get(ix, DT_F_EVENT_TIME);
	if (tv && tv->type == DT_JSTR)
		ev.time = dt_parse_time(tv->p, tv->len);
	note_time(r, ev.time);
	r->st->ct_records++;
	if (r->sg)
		sg_scan(r->sg, SG_LOG_CLOUDTRAIL, &ev, on_sigma, r);
	if (r->ct)
		dt_ct_event(r, &ev);
}

static void dns_record(void *ud, dt_index *ix, uint64_t line)
{
	dt_run *r = ud;
	dt_event ev = {ix, &r->e->dns_paths, &r->scratch, 0, r->file, line, ++r->seq};
	const dt_jval *q = dt_index_get(ix, DT_D_QUERY_NAME);
	if (!q) {
		r->st->skipped_records++;
		return;
	}
	if (q->type != DT_JSTR) {
		r->st->bad_records++;
		dt_run_problem(r, r->file, line, 0, "query_name is not a string; record skipped");
		return;
	}
	const dt_jval *tv = dt_index_get(ix, DT_D_TIME);
	if (tv && tv->type == DT_JSTR)
		ev.time = dt_parse_time(tv->p, tv->len);
	note_time(r, ev.time);
	r->st->dns_records++;
	if (r->sg)
		sg_scan(r->sg, SG_LOG_DNS, &ev, on_sigma, r);
	if (r->dns)
		dt_dnsdet_event(r, &ev);
}

static void flow_record(void *ud, const dt_flow_rec *f)
{
	dt_run *r = ud;
	note_time(r, f->start);
	if (r->flow)
		dt_flowdet_record(r, f);
}

/* ---- input kinds ---- */

enum { K_SKIP = 0, K_CLOUDTRAIL, K_DNS, K_FLOW };

static int sniff(dt_input *in, const char *name)
{
	if (strstr(name, "CloudTrail-Digest"))
		return -1;
	while (in->end < SNIFF_BYTES && !in->eof && dt_input_fill(in) > 0)
		;
	const char *p = in->buf, *end = in->buf + in->end;
	if (end - p >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
	    (unsigned char)p[2] == 0xBF)
		in->start = 3, p += 3;
	p = dt_json_ws(p, end);
	if (p >= end)
		return K_SKIP;
	size_t n = (size_t)(end - p);
	if (*p == '{' || *p == '[') {
		if (memmem(p, n, "\"query_name\"", 12))
			return K_DNS;
		if (memmem(p, n, "\"eventVersion\"", 14) || memmem(p, n, "\"eventName\"", 11) ||
		    memmem(p, n, "\"Records\"", 9) || memmem(p, n, "\"detail-type\"", 13) ||
		    memmem(p, n, "\"eventData\"", 11))
			return K_CLOUDTRAIL;
		return K_SKIP;
	}
	/* text: the first line that is not a comment */
	const char *line = p;
	while (line < end && *line == '#') {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			return K_SKIP;
		/* a "# format:" comment announces flow records */
		if (memmem(line, (size_t)(nl - line), "srcaddr", 7))
			return K_FLOW;
		line = nl + 1;
	}
	const char *nl = memchr(line, '\n', (size_t)(end - line));
	size_t ln = (size_t)((nl ? nl : end) - line);
	if (dt_flow_is_header(line, ln))
		return K_FLOW;
	/* headerless default v2: "2 <account> eni-..." */
	if (ln > 2 && line[0] >= '2' && line[0] <= '9' && line[1] == ' ' && memmem(line, ln, " eni-", 5))
		return K_FLOW;
	return K_SKIP;
}

/* Time key of a file: the first YYYYMMDDTHHMMZ in its name, else "". */
static void time_key(const char *name, char out[16])
{
	out[0] = '\0';
	for (const char *p = name; *p; p++) {
		int k = 0;
		while (k < 13 && p[k] && (k == 8 ? p[k] == 'T' : (p[k] >= '0' && p[k] <= '9')))
			k++;
		if (k == 13 && p[13] == 'Z') {
			memcpy(out, p, 13);
			out[13] = '\0';
			return;
		}
	}
}

typedef struct ordered {
	const dt_file *f;
	char key[16];
} ordered;

static int by_time(const void *a, const void *b)
{
	const ordered *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->f->name, y->f->name);
}

static void read_file(dt_run *r, const dt_file *f, uint64_t *done)
{
	dt_input in;
	r->file = f->name;
	if (dt_input_open(r->e->ctx, &in, f->path)) {
		mamori_module_problem(r->mrun, NULL);
		return;
	}
	int kind = sniff(&in, f->name);
	if (kind <= 0) {
		if (kind < 0)
			r->st->digests++;
		else
			r->st->files_skipped++;
		mamori_log(r->e->ctx, MAMORI_LOG_DEBUG, "detect: %s: not a log mamori reads; skipped",
			   f->name);
		dt_input_close(&in);
		return;
	}
	r->st->files++;
	if (kind == K_FLOW) {
		dt_flow_reader fr = {&in, r, flow_record, reader_problem, 0, 0, 0};
		dt_flow_read(&fr);
		r->st->flow_records += fr.records;
		r->st->flow_nodata += fr.nodata;
		r->st->bad_lines += fr.bad;
	} else {
		bool ct = kind == K_CLOUDTRAIL;
		dt_jreader jr = {0};
		jr.in = &in;
		jr.paths = ct ? &r->e->ct_paths : &r->e->dns_paths;
		jr.ix = ct ? &r->ct_ix : &r->dns_ix;
		jr.scratch = &r->scratch;
		jr.slot_records = ct ? DT_F_RECORDS : -1;
		jr.slot_detail = ct ? DT_F_DETAIL : -1;
		jr.slot_event_data = ct ? DT_F_EVENT_DATA : -1;
		jr.slot_marker = ct ? DT_F_EVENT_NAME : -1;
		jr.ud = r;
		jr.record = ct ? ct_record : dns_record;
		jr.problem = reader_problem;
		dt_jreader_run(&jr);
		r->st->skipped_records += jr.stats.not_objects;
		r->st->bad_records += jr.stats.errors;
	}
	r->st->bytes += in.bytes_out;
	r->st->bytes_in += in.bytes_in;
	*done += f->size;
	dt_input_close(&in);
}

int dt_detect(dt_engine *e, const dt_run_options *o, const dt_file *files, size_t nfiles,
	      mamori_module_run *mrun, dt_stats *stats)
{
	double t0 = now_s();
	memset(stats, 0, sizeof *stats);
	dt_run r = {0};
	r.e = e;
	r.cfg = &e->cfg;
	r.mrun = mrun;
	r.st = stats;
	r.agg = dt_agg_new(&e->cfg);
	r.sg = sg_ruleset_count(e->sigma) ? sg_scanner_new(e->sigma, e->naive) : NULL;
	dt_index_init(&r.ct_ix, e->ct_paths.nslots);
	dt_index_init(&r.dns_ix, e->dns_paths.nslots);
	r.bl = dt_baseline_new(e->ctx, o ? o->store : NULL);
	if (!e->no_natives) {
		r.ct = dt_ct_new(&r);
		r.flow = dt_flowdet_new(&r);
		r.dns = dt_dnsdet_new(&r);
	}
	unsigned si = o ? o->shard_index : 0, sn = o ? o->shard_count : 0;
	ordered *ord = mamori_xcalloc(nfiles ? nfiles : 1, sizeof *ord);
	size_t n = 0;
	uint64_t total = 0;
	for (size_t i = 0; i < nfiles; i++) {
		if (!dt_shard_owns(files[i].name, si, sn))
			continue;
		ord[n].f = &files[i];
		time_key(files[i].name, ord[n].key);
		total += files[i].size;
		n++;
	}
	qsort(ord, n, sizeof *ord, by_time);
	mamori_progress_begin(e->ctx, "detect: reading logs", total);
	uint64_t done = 0;
	for (size_t i = 0; i < n; i++) {
		read_file(&r, ord[i].f, &done);
		mamori_progress_update(e->ctx, done);
	}
	mamori_progress_end(e->ctx);
	free(ord);
	if (r.ct)
		dt_ct_finish(&r);
	if (r.flow)
		dt_flowdet_finish(&r);
	if (r.dns)
		dt_dnsdet_finish(&r);
	if (mrun)
		dt_agg_emit(&r);
	dt_baseline_save(r.bl);
	stats->sigma_evaluations = r.sg ? sg_scanner_evaluations(r.sg) : 0;
	dt_ct_free(r.ct);
	dt_flowdet_free(r.flow);
	dt_dnsdet_free(r.dns);
	dt_baseline_free(r.bl);
	sg_scanner_free(r.sg);
	dt_index_free(&r.ct_ix);
	dt_index_free(&r.dns_ix);
	dt_scratch_free(&r.scratch);
	dt_agg_free(r.agg);
	stats->seconds = now_s() - t0;
	return MAMORI_OK;
}

void dt_stats_summary(const dt_stats *s, mamori_buf *out)
{
	double mb = (double)s->bytes / 1e6;
	mamori_buf_printf(out,
			  "read %llu files (%.1f MB decompressed, %.1f MB on disk) in %.2f s "
			  "(%.0f MB/s): %llu CloudTrail events, %llu flow records (+%llu "
			  "NODATA/SKIPDATA), %llu DNS queries; skipped %llu files that are not logs, "
			  "%llu digest files, %llu records that are not events; %llu bad records, "
			  "%llu malformed flow lines, %llu late events; %llu Sigma matches, %llu "
			  "native detector hits",
			  (unsigned long long)s->files, mb, (double)s->bytes_in / 1e6, s->seconds,
			  s->seconds > 0 ? mb / s->seconds : 0.0, (unsigned long long)s->ct_records,
			  (unsigned long long)s->flow_records, (unsigned long long)s->flow_nodata,
			  (unsigned long long)s->dns_records, (unsigned long long)s->files_skipped,
			  (unsigned long long)s->digests, (unsigned long long)s->skipped_records,
			  (unsigned long long)s->bad_records, (unsigned long long)s->bad_lines,
			  (unsigned long long)s->late_events, (unsigned long long)s->sigma_matches,
			  (unsigned long long)s->native_hits);
}
