/*
 * dt_run.c — one detection run: order the inputs, read each with the
 * reader its content calls for, feed Sigma and the native detectors, and
 * turn what they found into findings.
 *
 * Order: files are sorted by the time in their name (CloudTrail and flow
 * log object names carry YYYYMMDDTHHMMZ) and then by name, so events reach
 * the window detectors roughly in time order; detectors count in event
 * time and accept events up to reorder_window behind the newest one seen
 * (later ones still count but are reported as late in the summary).
 *
 * Sharding: --shard I/N keeps the files whose name hashes to I mod N —
 * deterministic, independent of listing order and of where the bucket is
 * mounted (the hash is of the file's base name).
 */
#include "dt_jreader.h"
#include "dt_reorder.h"
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

void dt_hit_init(dt_hit *h, const char *rule, int64_t time, const char *file, uint64_t line)
{
	memset(h, 0, sizeof *h);
	h->rule = rule;
	h->sigma = SIZE_MAX;
	h->severity = -1;
	h->local_port = h->remote_port = -1;
	h->time = time;
	h->file = file;
	h->line = line;
}

/*
 * Progress of a long run: the bar (on a terminal) follows the bytes read
 * and its label carries the counts and the throughput; every PROGRESS_LOG
 * seconds the same goes to the log (INFO: `-v` shows it where there is no
 * terminal).  Called every PROGRESS_EVERY records and after each file.
 */
#define PROGRESS_EVERY 8192
#define PROGRESS_RELABEL 2.0
#define PROGRESS_LOG 10.0

static void progress(dt_run *r, bool force)
{
	if (!force && ++r->since_progress < PROGRESS_EVERY)
		return;
	r->since_progress = 0;
	uint64_t done = r->done_bytes + (r->in ? r->in->bytes_in : 0);
	double t = now_s();
	const dt_stats *st = r->st;
	if (t - r->relabelled >= PROGRESS_RELABEL || t - r->logged >= PROGRESS_LOG) {
		double mb = (double)(st->bytes + (r->in ? r->in->bytes_out : 0)) / 1e6;
		double secs = t - r->started;
		char label[240], of[48] = "";
		if (r->total_bytes)
			snprintf(of, sizeof of, " (%.0f%% of %.0f MB on disk)",
				 100.0 * (double)done / (double)r->total_bytes,
				 (double)r->total_bytes / 1e6);
		snprintf(label, sizeof label,
			 "detect: %zu/%zu %s, %.0f MB%s, %.0f MB/s, %llu events, %llu flows, %llu "
			 "skipped, %llu bad",
			 r->files_done, r->files_total, r->s3 ? "files and objects" : "files", mb,
			 of, secs > 0 ? mb / secs : 0.0,
			 (unsigned long long)(st->ct_records + st->dns_records),
			 (unsigned long long)st->flow_records,
			 (unsigned long long)(st->files_skipped + st->skipped_records + st->digests),
			 (unsigned long long)(st->bad_records + st->bad_lines + st->unreadable_files));
		if (t - r->relabelled >= PROGRESS_RELABEL) {
			/* a new task of unknown size: the label carries the progress (a
			 * sized task would redraw its bar from zero) */
			mamori_progress_end(r->e->ctx);
			mamori_progress_begin(r->e->ctx, label, 0);
			r->relabelled = t;
		}
		if (t - r->logged >= PROGRESS_LOG) {
			mamori_log(r->e->ctx, MAMORI_LOG_INFO, "%s", label);
			r->logged = t;
		}
	}
	mamori_progress_update(r->e->ctx, done);
}

void dt_emit(dt_run *r, const dt_hit *h)
{
	if (h->sigma == SIZE_MAX)
		r->st->native_hits++;
	else
		r->st->sigma_matches++;
	dt_agg_add(r->agg, h);
}

/* ---- CloudTrail and Resolver events ---- */

static void on_sigma(void *ud, size_t rule, const dt_event *ev)
{
	dt_run *r = ud;
	if (ev->paths == &r->e->ct_paths && dt_ct_bump(r, ev, NULL, rule))
		return; /* counted on the rule's existing finding for this identity */
	dt_hit h;
	if (ev->paths == &r->e->ct_paths)
		dt_hit_from_ct(ev, &h, NULL);
	else
		dt_hit_from_dns(ev, &h, NULL, NULL);
	h.sigma = rule;
	dt_emit(r, &h);
}

/* Without a reordering window: count events more than reorder_window
 * behind the newest one as late. */
static void note_time(dt_run *r, int64_t t)
{
	if (!t || r->reorder)
		return;
	if (t > r->watermark)
		r->watermark = t;
	else if (t < r->watermark - r->cfg->reorder_window)
		r->st->late_events++;
}

/* Run Sigma and the native detectors on one event, in time order. */
static void process_json(dt_run *r, bool ct, const dt_event *ev)
{
	if (r->sg)
		sg_scan(r->sg, ct ? SG_LOG_CLOUDTRAIL : SG_LOG_DNS, ev, on_sigma, r);
	if (ct && r->ct)
		dt_ct_event(r, ev);
	if (!ct && r->dns)
		dt_dnsdet_event(r, ev);
}

/* What waits in the reorder buffer: an event's text and its index (so
 * that it is not parsed again), or a parsed flow record and its line. */
enum { PL_CT = 1, PL_DNS, PL_FLOW };

typedef struct pl_json {
	uint32_t what, nvals, ntouched, pad;
	uint64_t reclen;
	const char *file;
	uint64_t line, seq;
} pl_json;

/* followed by nvals pl_val, nvals int32 chain links, ntouched pl_slot, the text */
typedef struct pl_val {
	uint32_t off, len;
	uint8_t type, esc;
} pl_val;

typedef struct pl_slot {
	int32_t slot, first, last;
} pl_slot;

typedef struct pl_flow {
	uint32_t what, text_len;
	const char *file;
	uint64_t line;
	int64_t start, end;
	uint64_t packets, bytes;
	uint8_t src[16], dst[16];
	int32_t srcport, dstport, protocol, tcp_flags;
	uint16_t off[4], len[4]; /* text fields detectors print: account, region, instance, eni */
	bool has_src, has_dst, src_v4, dst_v4;
	int8_t action, direction;
} pl_flow;

static const int flow_text_fields[4] = {FL_ACCOUNT, FL_REGION, FL_INSTANCE, FL_INTERFACE};

/* File a JSON event in the reorder buffer; false when it must run now.
 * The index goes with it as it is (arrays copied, spans made offsets), so
 * that the event is neither parsed nor indexed again. */
static bool buffer_json(dt_run *r, uint32_t what, const dt_index *ix, const dt_event *ev)
{
	if (!r->reorder)
		return false;
	size_t nvals = ix->nvals, nt = ix->ntouched;
	size_t size = sizeof(pl_json) + nvals * (sizeof(pl_val) + sizeof(int32_t)) +
		      nt * sizeof(pl_slot) + ix->reclen + 1;
	for (size_t i = 0; i < nvals; i++)
		if (ix->vals[i].p < ix->rec || ix->vals[i].p + ix->vals[i].len > ix->rec + ix->reclen)
			return false; /* a value outside the record's text (never expected) */
	char *p = dt_reorder_reserve(r->reorder, ev->time, size);
	if (!p)
		return false;
	pl_json h = {what, (uint32_t)nvals, (uint32_t)nt, 0, ix->reclen, ev->file, ev->line, ev->seq};
	memcpy(p, &h, sizeof h);
	p += sizeof h;
	for (size_t i = 0; i < nvals; i++) {
		const dt_jval *v = &ix->vals[i];
		pl_val pv = {(uint32_t)(v->p - ix->rec), v->len, v->type, v->esc};
		memcpy(p, &pv, sizeof pv);
		p += sizeof pv;
	}
	memcpy(p, ix->next, nvals * sizeof(int32_t));
	p += nvals * sizeof(int32_t);
	for (size_t i = 0; i < nt; i++) {
		int32_t slot = (int32_t)ix->touched[i];
		pl_slot ps = {slot, ix->first[slot], ix->last[slot]};
		memcpy(p, &ps, sizeof ps);
		p += sizeof ps;
	}
	memcpy(p, ix->rec, ix->reclen);
	p[ix->reclen] = '\0';
	dt_reorder_commit(r->reorder);
	return true;
}

static bool buffer_flow(dt_run *r, const dt_flow_rec *f)
{
	if (!r->reorder || f->text_len > 65535)
		return false;
	char *p = dt_reorder_reserve(r->reorder, f->start, sizeof(pl_flow) + f->text_len);
	if (!p)
		return false;
	pl_flow h;
	memset(&h, 0, sizeof h);
	h.what = PL_FLOW;
	h.text_len = (uint32_t)f->text_len;
	h.file = f->file;
	h.line = f->line;
	memcpy(h.src, f->src, 16);
	memcpy(h.dst, f->dst, 16);
	h.has_src = f->has_src;
	h.has_dst = f->has_dst;
	h.src_v4 = f->src_v4;
	h.dst_v4 = f->dst_v4;
	h.action = (int8_t)f->action;
	h.direction = (int8_t)f->direction;
	h.srcport = f->srcport;
	h.dstport = f->dstport;
	h.protocol = f->protocol;
	h.tcp_flags = f->tcp_flags;
	h.start = f->start;
	h.end = f->end;
	h.packets = f->packets;
	h.bytes = f->bytes;
	for (int i = 0; i < 4; i++) {
		const char *v = f->f[flow_text_fields[i]];
		h.off[i] = v ? (uint16_t)(v - f->text) : UINT16_MAX;
		h.len[i] = v ? f->n[flow_text_fields[i]] : 0;
	}
	memcpy(p, &h, sizeof h);
	memcpy(p + sizeof h, f->text, f->text_len);
	dt_reorder_commit(r->reorder);
	return true;
}

/* A payload leaves the buffer: rebuild the event and process it. */
static void release(void *ud, const void *payload, size_t len, int64_t t)
{
	dt_run *r = ud;
	(void)len;
	uint32_t what;
	memcpy(&what, payload, sizeof what);
	if (what == PL_FLOW) {
		pl_flow h;
		memcpy(&h, payload, sizeof h);
		dt_flow_rec *f = &r->out_flow; /* fields other than the four stay NULL */
		f->text = (const char *)payload + sizeof h;
		f->text_len = h.text_len;
		for (int i = 0; i < 4; i++) {
			int k = flow_text_fields[i];
			f->f[k] = h.off[i] != UINT16_MAX ? f->text + h.off[i] : NULL;
			f->n[k] = h.len[i];
		}
		memcpy(f->src, h.src, 16);
		memcpy(f->dst, h.dst, 16);
		f->has_src = h.has_src;
		f->has_dst = h.has_dst;
		f->src_v4 = h.src_v4;
		f->dst_v4 = h.dst_v4;
		f->action = h.action;
		f->direction = h.direction;
		f->srcport = h.srcport;
		f->dstport = h.dstport;
		f->protocol = h.protocol;
		f->tcp_flags = h.tcp_flags;
		f->start = h.start;
		f->end = h.end;
		f->packets = h.packets;
		f->bytes = h.bytes;
		f->file = h.file;
		f->line = h.line;
		if (r->flow)
			dt_flowdet_record(r, f);
		return;
	}
	pl_json h;
	memcpy(&h, payload, sizeof h);
	const char *p = (const char *)payload + sizeof h;
	const char *text = p + h.nvals * (sizeof(pl_val) + sizeof(int32_t)) +
			   h.ntouched * sizeof(pl_slot);
	bool ct = what == PL_CT;
	dt_index *ix = ct ? &r->out_ct_ix : &r->out_dns_ix;
	dt_index_reset(ix);
	dt_index_reserve(ix, h.nvals);
	for (uint32_t i = 0; i < h.nvals; i++) {
		pl_val pv;
		memcpy(&pv, p, sizeof pv);
		p += sizeof pv;
		ix->vals[i] = (dt_jval){text + pv.off, pv.len, pv.type, pv.esc};
	}
	memcpy(ix->next, p, h.nvals * sizeof(int32_t));
	p += h.nvals * sizeof(int32_t);
	ix->nvals = h.nvals;
	for (uint32_t i = 0; i < h.ntouched; i++) {
		pl_slot ps;
		memcpy(&ps, p, sizeof ps);
		p += sizeof ps;
		ix->first[ps.slot] = ps.first;
		ix->last[ps.slot] = ps.last;
		ix->touched[ix->ntouched++] = (uint32_t)ps.slot;
	}
	ix->rec = text;
	ix->reclen = h.reclen;
	dt_scratch_reset(&r->out_scratch);
	dt_event ev = {ix, ct ? &r->e->ct_paths : &r->e->dns_paths, &r->out_scratch, t, h.file,
		       h.line, h.seq};
	process_json(r, ct, &ev);
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
	progress(r, false);
	if (!buffer_json(r, PL_CT, ix, &ev))
		process_json(r, true, &ev);
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
	progress(r, false);
	if (!buffer_json(r, PL_DNS, ix, &ev))
		process_json(r, false, &ev);
}

static void flow_record(void *ud, const dt_flow_rec *f)
{
	dt_run *r = ud;
	note_time(r, f->start);
	r->st->flow_records++;
	progress(r, false);
	if (r->flow && dt_flowdet_read(r, f) && !buffer_flow(r, f))
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

static void read_file(dt_run *r, const dt_file *f)
{
	dt_input in;
	r->file = f->name;
	if (strstr(f->name, "CloudTrail-Digest")) {
		/* known by name: not even opened (a GetObject saved per digest object) */
		r->st->digests++;
		r->done_bytes += f->size;
		return;
	}
	bool s3 = strncmp(f->path, "s3://", 5) == 0;
	int rc = s3 ? r->s3 ? dt_input_open_s3(r->e->ctx, &in, r->s3, f->path)
			    : mamori_error_set(r->e->ctx, MAMORI_EINPUT,
					       "%s: S3 objects are read by mamori detect only", f->path)
		    : dt_input_open(r->e->ctx, &in, f->path);
	if (rc) {
		r->st->unreadable_files++;
		mamori_module_problem(r->mrun, NULL);
		r->done_bytes += f->size;
		return;
	}
	r->in = &in;
	int kind = sniff(&in, f->name);
	if (kind <= 0) {
		if (kind < 0)
			r->st->digests++;
		else
			r->st->files_skipped++;
		mamori_log(r->e->ctx, MAMORI_LOG_DEBUG, "detect: %s: not a log mamori reads; skipped",
			   f->name);
		r->done_bytes += f->size;
		r->in = NULL;
		dt_input_close(&in);
		return;
	}
	r->st->files++;
	if (kind == K_FLOW) {
		dt_flow_reader fr = {&in, r, flow_record, reader_problem, 0, 0, 0};
		dt_flow_read(&fr);
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
	if (in.source_failed)
		r->st->unreadable_files++; /* the reader reported why, with the place */
	r->st->bytes += in.bytes_out;
	r->st->bytes_in += in.bytes_in;
	r->done_bytes += f->path && strcmp(f->path, "-") == 0 ? in.bytes_in : f->size;
	r->in = NULL;
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
	dt_index_init(&r.out_ct_ix, e->ct_paths.nslots);
	dt_index_init(&r.out_dns_ix, e->dns_paths.nslots);
	if (e->cfg.reorder_window > 0)
		r.reorder = dt_reorder_new(e->cfg.reorder_window, e->cfg.reorder_bytes, release, &r);
	r.bl = dt_baseline_new(e->ctx, o ? o->store : NULL);
	r.s3 = o ? o->s3 : NULL;
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
	r.total_bytes = total;
	r.started = r.relabelled = r.logged = now_s();
	mamori_progress_begin(e->ctx, "detect: reading logs", total);
	r.files_total = n;
	for (size_t i = 0; i < n; i++) {
		read_file(&r, ord[i].f);
		r.files_done++;
		progress(&r, true);
	}
	mamori_progress_end(e->ctx);
	free(ord);
	if (r.reorder) {
		dt_reorder_flush(r.reorder);
		const dt_reorder_stats *rs = dt_reorder_stats_get(r.reorder);
		stats->late_events += rs->late;
		stats->early_events = rs->early;
		stats->reorder_peak_bytes = rs->peak_bytes;
	}
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
	dt_index_free(&r.out_ct_ix);
	dt_index_free(&r.out_dns_ix);
	dt_reorder_free(r.reorder);
	dt_scratch_free(&r.scratch);
	dt_scratch_free(&r.out_scratch);
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
	if (s->unreadable_files)
		mamori_buf_printf(out, "; %llu files could not be read",
				  (unsigned long long)s->unreadable_files);
	mamori_buf_printf(out, "; detector state %.1f MB, reorder buffer peak %.1f MB",
			  (double)s->state_bytes / 1e6, (double)s->reorder_peak_bytes / 1e6);
	if (s->early_events)
		mamori_buf_printf(out, " (%llu events released early: buffer full)",
				  (unsigned long long)s->early_events);
	if (s->state_dropped)
		mamori_buf_printf(out, "; %llu keys not tracked: detector tables full",
				  (unsigned long long)s->state_dropped);
}
