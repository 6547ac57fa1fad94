/*
 * scan.c — `mamori scan` as a library call (see scan.h).
 *
 * For each registered module that accepts the target: run it, finalize what
 * it produced (stable Ids, ASFF limits), drop duplicate Ids, then record
 * everything in the store in one transaction.  A module that met bad input
 * (problems) or failed keeps its earlier findings: archival is only for
 * modules that saw the whole scope.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct scan_private {
	mamori_scan_result *result;
	mamori_store *store;
} scan_private;


/* A module's event time as the canonical RFC 3339 form (so that stored
 * times compare as strings), or NULL when it gave none or an invalid one. */
static const char *event_time(mamori_findings *fs, const char *s)
{
	time_t t;
	if (!s || mamori_time_parse(s, &t) != 0)
		return NULL;
	char buf[32];
	mamori_time_format(t, buf);
	return mamori_findings_strdup(fs, buf);
}

static double monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void mamori_scan_result_init(mamori_scan_result *r)
{
	memset(r, 0, sizeof *r);
	mamori_findings_init(&r->findings);
}

void mamori_scan_result_free(mamori_scan_result *r)
{
	mamori_findings_free(&r->findings);
	free(r->modules);
	for (size_t i = 0; i < r->problem_count; i++)
		free(r->problems[i]);
	free(r->problems);
	memset(r, 0, sizeof *r);
}

static void add_problem(mamori_scan_result *r, const char *module, const char *msg)
{
	r->problems = mamori_xrealloc(r->problems, (r->problem_count + 1) * sizeof *r->problems);
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_printf(&b, "%s: %s", module, msg);
	r->problems[r->problem_count++] = mamori_buf_detach(&b);
}

void mamori_module_problem(mamori_module_run *run, const char *fmt, ...)
{
	scan_private *sp = run->scan_private;
	mamori_buf msg = MAMORI_BUF_INIT;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		mamori_buf_vprintf(&msg, fmt, ap);
		va_end(ap);
	} else {
		const mamori_error *e = mamori_error_last(run->ctx);
		mamori_buf_puts(&msg, e->code ? e->message : "unknown problem");
		if (e->excerpt) {
			mamori_buf_putc(&msg, '\n');
			mamori_buf_puts(&msg, e->excerpt);
		}
	}
	run->problems++;
	mamori_log(run->ctx, MAMORI_LOG_DEBUG, "%s: %s", run->module->name, msg.data);
	if (sp)
		add_problem(sp->result, run->module->name, mamori_buf_cstr(&msg));
	mamori_buf_free(&msg);
}

mamori_store *mamori_module_store(const mamori_module_run *run)
{
	const scan_private *sp = run->scan_private;
	return sp ? sp->store : NULL;
}

mamori_finding *mamori_module_finding(mamori_module_run *run, const char *generator_id)
{
	mamori_finding *f = mamori_findings_add(run->findings);
	f->module = run->module->name;
	f->pillar = run->module->pillar;
	f->generator_id = mamori_findings_strdup(run->findings, generator_id);
	return f;
}

static bool selected(const mamori_module *m, const mamori_scan_options *opts)
{
	if (!opts || !opts->modules || opts->module_count == 0)
		return true;
	for (size_t i = 0; i < opts->module_count; i++)
		if (strcmp(opts->modules[i], m->name) == 0 || strcmp(opts->modules[i], m->pillar) == 0)
			return true;
	return false;
}

static int check_selection(mamori_ctx *ctx, const mamori_registry *reg,
			   const mamori_scan_options *opts)
{
	if (!opts || !opts->modules)
		return MAMORI_OK;
	for (size_t i = 0; i < opts->module_count; i++) {
		bool known = false;
		for (size_t j = 0; j < mamori_registry_count(reg); j++) {
			const mamori_module *m = mamori_registry_get(reg, j);
			if (strcmp(opts->modules[i], m->name) == 0 ||
			    strcmp(opts->modules[i], m->pillar) == 0)
				known = true;
		}
		if (!known)
			return mamori_error_set(ctx, MAMORI_EUSAGE,
						"unknown module or pillar \"%s\" (mamori scan "
						"--list-modules shows them)",
						opts->modules[i]);
	}
	return MAMORI_OK;
}

/* Findings are sorted through small keys, not moved: a finding is ~300
 * bytes (sorting the structures moved ~70 MB for 9,600 findings), and each
 * key carries the severity and 8 bytes of the Id past the prefix all Ids
 * share ("mamori/MODULE/"), so most comparisons never touch the finding
 * (each touch is a cache miss: they were most of the sort's time).  Ties
 * keep their original order, as the stable sort did; the findings are then
 * permuted in place, cycle by cycle, with one finding of scratch. */
typedef struct sort_key {
	uint64_t pfx; /* Id bytes [skip, skip + 8), big-endian: strcmp's order */
	const mamori_finding *f;
	int sev;
} sort_key;

typedef struct sort_ctx {
	size_t skip;
	bool by_severity;
} sort_ctx;

static uint64_t id_prefix(const char *id)
{
	uint64_t v = 0;
	int i = 0;
	for (; i < 8 && id[i]; i++)
		v = v << 8 | (unsigned char)id[i];
	return i ? v << (8 * (8 - i)) : 0;
}

static int cmp_keys(const void *a, const void *b, void *ud)
{
	const sort_key *x = a, *y = b;
	const sort_ctx *sc = ud;
	if (sc->by_severity) {
		if (x->sev != y->sev)
			return y->sev - x->sev;
		/* a module's findings share these strings: no need to compare them */
		const mamori_finding *p = x->f, *q = y->f;
		int c = p->module == q->module ? 0 : strcmp(p->module, q->module);
		if (c)
			return c;
		c = p->generator_id == q->generator_id ? 0 : strcmp(p->generator_id, q->generator_id);
		if (c)
			return c;
	}
	if (x->pfx != y->pfx)
		return x->pfx < y->pfx ? -1 : 1;
	int c = strcmp(x->f->id + sc->skip, y->f->id + sc->skip);
	return c ? c : (x->f > y->f) - (x->f < y->f);
}

static void sort_findings(mamori_finding *items, size_t n, bool by_severity)
{
	if (n < 2)
		return;
	sort_key *k = mamori_xmalloc(n * sizeof *k);
	/* the prefix every Id shares */
	const char *id0 = items[0].id;
	size_t skip = strlen(id0);
	for (size_t i = 1; i < n && skip; i++) {
		size_t j = 0;
		while (j < skip && id0[j] == items[i].id[j])
			j++;
		skip = j;
	}
	for (size_t i = 0; i < n; i++)
		k[i] = (sort_key){id_prefix(items[i].id + skip), &items[i], (int)items[i].severity};
	sort_ctx sc = {skip, by_severity};
	qsort_r(k, n, sizeof *k, cmp_keys, &sc);
	/* position i takes the finding at k[i].f: follow each cycle once */
	for (size_t i = 0; i < n; i++) {
		if (!k[i].f || k[i].f == &items[i])
			continue;
		mamori_finding tmp = items[i];
		size_t j = i;
		for (;;) {
			size_t src = (size_t)(k[j].f - items);
			k[j].f = NULL;
			if (src == i) {
				items[j] = tmp;
				break;
			}
			items[j] = items[src];
			j = src;
		}
	}
	free(k);
}

/* Finalize findings [from, count) of module m; drop the ones a bug left invalid. */
static void finalize_range(mamori_ctx *ctx, mamori_scan_result *r, size_t from,
			   mamori_module_run *run)
{
	mamori_findings *fs = &r->findings;
	size_t keep = from;
	for (size_t i = from; i < fs->count; i++) {
		if (mamori_finding_finalize(ctx, fs, &fs->items[i]) != MAMORI_OK) {
			mamori_module_problem(run, NULL);
			continue;
		}
		fs->items[keep++] = fs->items[i];
	}
	fs->count = keep;
	/* one problem on one resource is one finding: merge duplicate Ids */
	sort_findings(fs->items + from, fs->count - from, false);
	keep = from;
	for (size_t i = from; i < fs->count; i++) {
		if (keep > from && strcmp(fs->items[keep - 1].id, fs->items[i].id) == 0) {
			mamori_log(ctx, MAMORI_LOG_DEBUG, "%s: duplicate finding %s dropped",
				   run->module->name, fs->items[i].id);
			continue;
		}
		fs->items[keep++] = fs->items[i];
	}
	fs->count = keep;
}

int mamori_scan_run(mamori_ctx *ctx, const mamori_registry *reg, mamori_store *store,
		    const mamori_target *target, const mamori_scan_options *opts,
		    mamori_scan_result *r)
{
	int rc = check_selection(ctx, reg, opts);
	if (rc)
		return rc;
	double t0 = monotonic();
	time_t started = mamori_ctx_now(ctx);
	mamori_time_format(started, r->started_at);
	r->target = target->scope;
	size_t n = mamori_registry_count(reg);
	r->modules = mamori_xcalloc(n ? n : 1, sizeof *r->modules);
	const char **ok = mamori_xcalloc(n ? n : 1, sizeof *ok);
	const char **failed = mamori_xcalloc(n ? n : 1, sizeof *failed);
	size_t ok_count = 0, failed_count = 0;
	scan_private sp = {r, store};

	for (size_t i = 0; i < n; i++) {
		const mamori_module *m = mamori_registry_get(reg, i);
		if (!selected(m, opts))
			continue;
		mamori_module_stats *ms = &r->modules[r->module_count++];
		ms->module = m;
		if (!(m->target_kinds & target->kind) || (m->wants && !m->wants(target))) {
			ms->outcome = MAMORI_MODULE_SKIPPED;
			/* nothing to look at in this scope: what it found before is gone */
			if (m->target_kinds & target->kind)
				ok[ok_count++] = m->name;
			continue;
		}
		mamori_module_run run = {ctx, m, target, &r->findings, 0, &sp};
		size_t before = r->findings.count;
		double m0 = monotonic();
		mamori_log(ctx, MAMORI_LOG_INFO, "running %s (%s)", m->name, m->pillar);
		mamori_progress_begin(ctx, m->name, 0);
		mamori_error_clear(ctx);
		int mrc = m->run(&run);
		mamori_progress_end(ctx);
		if (mrc != MAMORI_OK)
			mamori_module_problem(&run, NULL);
		finalize_range(ctx, r, before, &run);
		ms->seconds = monotonic() - m0;
		ms->findings = r->findings.count - before;
		ms->problems = run.problems;
		ms->outcome = mrc != MAMORI_OK ? MAMORI_MODULE_FAILED
			      : run.problems   ? MAMORI_MODULE_PROBLEMS
					       : MAMORI_MODULE_OK;
		if (ms->outcome == MAMORI_MODULE_OK)
			ok[ok_count++] = m->name;
		else
			failed[failed_count++] = m->name;
		mamori_log(ctx, MAMORI_LOG_INFO, "%s: %zu findings, %zu problems in %.3f s", m->name,
			   ms->findings, ms->problems, ms->seconds);
	}
	mamori_time_format(mamori_ctx_now(ctx), r->finished_at);
	/* findings carry the scan's time, even when there is no store; the
	 * observed times are the events' when the module gave valid ones */
	for (size_t i = 0; i < r->findings.count; i++) {
		mamori_finding *f = &r->findings.items[i];
		const char *first = event_time(&r->findings, f->first_observed_at);
		const char *last = event_time(&r->findings, f->last_observed_at);
		f->event_times = first && last && strcmp(first, last) <= 0;
		f->created_at = f->updated_at = r->finished_at;
		f->first_observed_at = f->event_times ? first : r->finished_at;
		f->last_observed_at = f->event_times ? last : r->finished_at;
		if (f->compliance == MAMORI_COMPLIANCE_PASSED)
			f->workflow = MAMORI_WORKFLOW_RESOLVED;
	}

	rc = MAMORI_OK;
	if (store) {
		char host[256] = "localhost";
		gethostname(host, sizeof host - 1);
		host[sizeof host - 1] = '\0';
		mamori_scan_record rec = {target->scope, r->started_at, r->finished_at, ok, ok_count,
					  failed, failed_count, host, mamori_ctx_actor(ctx)};
		double s0 = monotonic();
		clock_t c0 = clock();
		rc = mamori_store_record_scan(ctx, store, &rec, &r->findings, &r->store);
		mamori_log(ctx, MAMORI_LOG_DEBUG, "store: %zu findings recorded in %.3f s (CPU %.3f s)",
			   r->findings.count, monotonic() - s0,
			   (double)(clock() - c0) / CLOCKS_PER_SEC);
	}
	sort_findings(r->findings.items, r->findings.count, true);
	r->seconds = monotonic() - t0;
	free(ok);
	free(failed);
	return rc;
}
