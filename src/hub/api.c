/*
 * api.c — the JSON API under /api/v1/ (documented in docs/api/openapi.yaml).
 *
 *   GET  /api/v1/summary            counts, compliance scores and trend, top
 *                                   failing controls, newest critical findings
 *   GET  /api/v1/findings           a filtered, sorted page of findings
 *   GET  /api/v1/findings/export    the filtered set as ASFF (or json, jsonl,
 *                                   csv, sarif)
 *   GET  /api/v1/findings/{id}      one finding (ASFF) with its history
 *   POST /api/v1/findings/workflow  suppress / resolve / reopen, with a note
 *   GET  /api/v1/resources          resources with their counts
 *   GET  /api/v1/resource?id=       one resource and all its findings
 *   GET  /api/v1/standards          controls x accounts, pass/fail
 *   GET  /api/v1/scans              the scans: time, duration, modules, counts
 *   GET  /api/v1/facets             values for the filter menus
 *
 * Every parameter is checked; an unknown one is an error (a typo must not
 * silently widen a filter).  Malformed requests get 400, unknown ids 404, and
 * a store failure 500 without its details (they go to the log).
 */
#include "hub_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PER_PAGE 500
#define MAX_EXPORT 100000
#define MAX_BULK 500

typedef struct api {
	mamori_hub *h;
	const hub_request *rq;
	const hub_params *params;
	hub_response *rs;
	mamori_arena *a;
} api;

/* ---- parameters ---- */

static bool allowed(api *x, const char *const *names)
{
	for (size_t i = 0; i < x->params->count; i++) {
		const char *n = x->params->items[i].name;
		bool ok = false;
		for (size_t j = 0; names[j] && !ok; j++)
			ok = !strcmp(n, names[j]);
		if (!ok) {
			hub_error(x->rs, 400, "bad_request", "unknown parameter \"%s\"", n);
			return false;
		}
	}
	return true;
}

#define FILTER_PARAMS                                                                      \
	"severity", "status", "record_state", "compliance", "open", "pillar", "module",       \
		"account", "region", "resource_type", "resource", "rule", "target", "q",       \
		"since", "until", "control"

/* A comma-separated list of names into a bit set. */
static bool parse_bits(api *x, const char *name, const char *v, int (*parse)(const char *),
		       unsigned *out)
{
	*out = 0;
	char word[64];
	for (const char *p = v; *p;) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof word) {
			hub_error(x->rs, 400, "bad_request", "%s: empty or overlong item", name);
			return false;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		int b = parse(word);
		if (b < 0) {
			hub_error(x->rs, 400, "bad_request", "%s: unknown value \"%s\"", name, word);
			return false;
		}
		*out |= MAMORI_BIT(b);
		p += n + (p[n] == ',');
	}
	if (!*out) {
		hub_error(x->rs, 400, "bad_request", "%s: give at least one value", name);
		return false;
	}
	return true;
}

static bool parse_bool(api *x, const char *name, const char *v, bool *out)
{
	if (!strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else {
		hub_error(x->rs, 400, "bad_request", "%s: use true or false", name);
		return false;
	}
	return true;
}

static bool parse_uint(api *x, const char *name, const char *v, size_t min, size_t max,
		       size_t *out)
{
	char *end;
	if (!*v || *v == '-' || *v == '+') {
		hub_error(x->rs, 400, "bad_request", "%s: not a number", name);
		return false;
	}
	unsigned long long n = strtoull(v, &end, 10);
	if (*end || n < min || n > max) {
		hub_error(x->rs, 400, "bad_request", "%s: give a whole number from %zu to %zu", name,
			  min, max);
		return false;
	}
	*out = (size_t)n;
	return true;
}

/* RFC 3339, or a duration before now: 30m, 24h, 7d, 4w. */
static bool parse_time(api *x, const char *name, const char *v, const char **out)
{
	char *end;
	long n = strtol(v, &end, 10);
	char buf[32];
	if (end != v && n >= 0 && n < 100000 && end[0] && !end[1] && strchr("mhdw", end[0])) {
		static const long unit[] = {['m'] = 60, ['h'] = 3600, ['d'] = 86400,
					    ['w'] = 604800};
		mamori_time_format(mamori_ctx_now(x->h->ctx) - n * unit[(unsigned char)end[0]], buf);
		*out = mamori_arena_strdup(x->a, buf);
		return true;
	}
	time_t t;
	if (mamori_time_parse(v, &t) != 0) {
		hub_error(x->rs, 400, "bad_request",
			  "%s: not an RFC 3339 time or a duration (30m, 24h, 7d, 4w)", name);
		return false;
	}
	mamori_time_format(t, buf);
	*out = mamori_arena_strdup(x->a, buf);
	return true;
}

static int parse_sort(const char *v)
{
	static const char *const names[MAMORI_SORT_COUNT_] = {
		"severity", "last_seen", "first_seen", "title",	   "resource",
		"account",  "region",	 "rule",       "workflow",
	};
	for (int i = 0; i < MAMORI_SORT_COUNT_; i++)
		if (!strcmp(v, names[i]))
			return i;
	return -1;
}

/* Filters (and sort, page) from the parameters into q. */
static bool parse_query(api *x, mamori_query *q, size_t *page, size_t *per_page)
{
	*q = (mamori_query)MAMORI_QUERY_INIT;
	for (size_t i = 0; i < x->params->count; i++) {
		const char *n = x->params->items[i].name, *v = x->params->items[i].value;
		int e;
		if (!strcmp(n, "severity")) {
			if (!parse_bits(x, n, v, mamori_severity_parse, &q->severities))
				return false;
		} else if (!strcmp(n, "status")) {
			if (!parse_bits(x, n, v, mamori_workflow_parse, &q->workflows))
				return false;
		} else if (!strcmp(n, "record_state")) {
			if ((e = mamori_record_state_parse(v)) < 0) {
				hub_error(x->rs, 400, "bad_request", "record_state: ACTIVE or ARCHIVED");
				return false;
			}
			q->record_state = e;
		} else if (!strcmp(n, "compliance")) {
			if ((e = mamori_compliance_parse(v)) < 0) {
				hub_error(x->rs, 400, "bad_request",
					  "compliance: PASSED, WARNING, FAILED or NOT_AVAILABLE");
				return false;
			}
			q->compliance = e;
		} else if (!strcmp(n, "open")) {
			if (!parse_bool(x, n, v, &q->open_only))
				return false;
		} else if (!strcmp(n, "since") || !strcmp(n, "until")) {
			if (!parse_time(x, n, v, !strcmp(n, "since") ? &q->since : &q->until))
				return false;
		} else if (!strcmp(n, "sort")) {
			if ((e = parse_sort(v)) < 0) {
				hub_error(x->rs, 400, "bad_request",
					  "sort: severity, last_seen, first_seen, title, resource, "
					  "account, region, rule or workflow");
				return false;
			}
			q->sort = (mamori_sort)e;
		} else if (!strcmp(n, "order")) {
			if (strcmp(v, "asc") && strcmp(v, "desc")) {
				hub_error(x->rs, 400, "bad_request", "order: asc or desc");
				return false;
			}
			q->ascending = !strcmp(v, "asc");
		} else if (!strcmp(n, "page")) {
			if (!page || !parse_uint(x, n, v, 1, 1000000, page))
				return false;
		} else if (!strcmp(n, "per_page")) {
			if (!per_page || !parse_uint(x, n, v, 1, MAX_PER_PAGE, per_page))
				return false;
		} else if (*v) {
			/* the exact-match text filters */
			static const char *const names[] = {"pillar", "module", "account", "region",
							    "resource_type", "resource", "rule",
							    "target", "q", "control"};
			const char **slots[] = {&q->pillar,	   &q->module,	    &q->account,
						&q->region,	   &q->resource_type, &q->resource_id,
						&q->generator,	   &q->target,	      &q->text,
						&q->control};
			for (size_t k = 0; k < sizeof names / sizeof *names; k++)
				if (!strcmp(n, names[k]))
					*slots[k] = v;
		}
	}
	if (page && per_page) {
		q->limit = *per_page;
		q->offset = (*page - 1) * *per_page;
	}
	return true;
}

/* A store failure: 404 / 400 with its message, else 500 without details. */
static void store_error(api *x, int rc)
{
	const mamori_error *e = mamori_error_last(x->h->ctx);
	if (rc == MAMORI_ENOTFOUND)
		hub_error(x->rs, 404, "not_found", "%s", "no such finding");
	else if (rc == MAMORI_EUSAGE || rc == MAMORI_EAMBIGUOUS)
		hub_error(x->rs, 400, "bad_request", "%s", e->code ? e->message : "bad request");
	else {
		mamori_log(x->h->ctx, MAMORI_LOG_ERROR, "hub: %s",
			   e->code ? e->message : mamori_status_name(rc));
		hub_error(x->rs, rc == MAMORI_ESTORE ? 503 : 500, "internal",
			  "the store could not answer (in time); narrow the filters, or see the "
			  "server's log");
	}
}

/* ---- JSON shapes ---- */

static void add_opt(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static cJSON *finding_row(const mamori_finding *f)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", f->id);
	const char *slash = strrchr(f->id, '/');
	cJSON_AddStringToObject(o, "hash", slash ? slash + 1 : f->id);
	cJSON_AddStringToObject(o, "title", f->title ? f->title : "");
	cJSON_AddStringToObject(o, "severity", mamori_severity_name(f->severity));
	cJSON_AddStringToObject(o, "workflow", mamori_workflow_name(f->workflow));
	cJSON_AddStringToObject(o, "record_state", mamori_record_state_name(f->record_state));
	add_opt(o, "compliance",
		f->compliance ? mamori_compliance_name(f->compliance) : NULL);
	cJSON_AddBoolToObject(o, "open", mamori_finding_is_open(f));
	add_opt(o, "pillar", f->pillar);
	add_opt(o, "module", f->module);
	add_opt(o, "rule", f->generator_id);
	add_opt(o, "account", f->aws_account_id);
	add_opt(o, "region", f->region);
	add_opt(o, "resource_type", f->resource_count ? f->resources[0].type : NULL);
	add_opt(o, "resource_id", f->resource_count ? f->resources[0].id : NULL);
	add_opt(o, "first_observed_at", f->first_observed_at);
	add_opt(o, "last_observed_at", f->last_observed_at);
	add_opt(o, "updated_at", f->updated_at);
	return o;
}

static cJSON *severity_map(const size_t *by)
{
	cJSON *o = cJSON_CreateObject();
	for (int s = MAMORI_SEV_CRITICAL; s >= 0; s--)
		cJSON_AddNumberToObject(o, mamori_severity_name((mamori_severity)s), (double)by[s]);
	return o;
}

static cJSON *count_list(const mamori_count_list *l)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < l->count; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "key", l->items[i].key);
		cJSON_AddNumberToObject(o, "total", (double)l->items[i].total);
		cJSON_AddNumberToObject(o, "open", (double)l->items[i].open);
		cJSON_AddItemToObject(o, "by_severity", severity_map(l->items[i].by_severity));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static const char *control_state_name(mamori_control_state s)
{
	return s == MAMORI_CONTROL_FAILED ? "FAILED" : s == MAMORI_CONTROL_PASSED ? "PASSED" : "UNKNOWN";
}

static cJSON *control_json(const mamori_control *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "standard", c->standard);
	cJSON_AddStringToObject(o, "control", c->control);
	if (c->account)
		cJSON_AddStringToObject(o, "account", c->account);
	cJSON_AddStringToObject(o, "state", control_state_name(c->state));
	cJSON_AddNumberToObject(o, "passed", (double)c->passed);
	cJSON_AddNumberToObject(o, "failed", (double)c->failed);
	add_opt(o, "max_severity",
		c->max_severity >= 0 ? mamori_severity_name((mamori_severity)c->max_severity) : NULL);
	return o;
}

static cJSON *score_json(const char *standard, size_t passed, size_t failed, size_t unknown)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "standard", standard);
	cJSON_AddNumberToObject(o, "passed", (double)passed);
	cJSON_AddNumberToObject(o, "failed", (double)failed);
	cJSON_AddNumberToObject(o, "unknown", (double)unknown);
	if (passed + failed)
		cJSON_AddNumberToObject(o, "score",
					(double)(passed * 1000 / (passed + failed)) / 10.0);
	else
		cJSON_AddNullToObject(o, "score");
	return o;
}

/* ---- endpoints ---- */

static void summary(api *x)
{
	static const char *const names[] = {FILTER_PARAMS, NULL};
	mamori_query q;
	if (!allowed(x, names) || !parse_query(x, &q, NULL, NULL))
		return;
	mamori_ctx *ctx = x->h->ctx;
	mamori_store_summary s;
	int rc = mamori_store_summarize(ctx, x->h->store, &q, &s);
	if (rc) {
		store_error(x, rc);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "total", (double)s.total);
	cJSON_AddNumberToObject(o, "open", (double)s.open);
	cJSON_AddNumberToObject(o, "passed", (double)s.passed);
	cJSON_AddNumberToObject(o, "archived", (double)s.archived);
	cJSON_AddItemToObject(o, "by_severity", severity_map(s.by_severity));
	cJSON *wf = cJSON_AddObjectToObject(o, "by_workflow");
	for (int w = 0; w <= MAMORI_WORKFLOW_SUPPRESSED; w++)
		cJSON_AddNumberToObject(wf, mamori_workflow_name((mamori_workflow)w),
					(double)s.by_workflow[w]);
	cJSON_AddItemToObject(o, "pillars", count_list(&s.pillars));
	cJSON_AddItemToObject(o, "modules", count_list(&s.modules));
	cJSON_AddItemToObject(o, "accounts", count_list(&s.accounts));
	cJSON_AddItemToObject(o, "regions", count_list(&s.regions));
	mamori_store_summary_free(&s);

	mamori_compliance_report cr;
	rc = mamori_store_compliance(ctx, x->h->store, q.account, &cr);
	if (rc) {
		cJSON_Delete(o);
		store_error(x, rc);
		return;
	}
	cJSON *std = cJSON_AddArrayToObject(o, "standards");
	for (size_t i = 0; i < cr.standard_count; i++)
		cJSON_AddItemToArray(std, score_json(cr.standards[i].standard, cr.standards[i].passed,
						     cr.standards[i].failed,
						     cr.standards[i].unknown));
	cJSON *top = cJSON_AddArrayToObject(o, "top_failing_controls");
	for (size_t i = 0; i < cr.control_count && i < 10; i++)
		if (cr.controls[i].state == MAMORI_CONTROL_FAILED)
			cJSON_AddItemToArray(top, control_json(&cr.controls[i]));
	mamori_compliance_report_free(&cr);

	mamori_score_point *pts;
	size_t n;
	rc = mamori_store_compliance_trend(ctx, x->h->store, 30, &pts, &n, x->a);
	cJSON *trend = cJSON_AddArrayToObject(o, "trend");
	for (size_t i = 0; rc == MAMORI_OK && i < n; i++) {
		cJSON *p = score_json(pts[i].standard, pts[i].passed, pts[i].failed, pts[i].unknown);
		cJSON_AddNumberToObject(p, "scan_id", (double)pts[i].scan_id);
		cJSON_AddStringToObject(p, "at", pts[i].at);
		cJSON_AddItemToArray(trend, p);
	}
	mamori_query crit = q;
	crit.severities = MAMORI_BIT(MAMORI_SEV_CRITICAL);
	crit.open_only = true;
	crit.sort = MAMORI_SORT_FIRST_SEEN;
	crit.limit = 5;
	mamori_findings fs;
	mamori_findings_init(&fs);
	if (!rc)
		rc = mamori_store_find(ctx, x->h->store, &crit, &fs, NULL);
	cJSON *newest = cJSON_AddArrayToObject(o, "newest_critical");
	for (size_t i = 0; !rc && i < fs.count; i++)
		cJSON_AddItemToArray(newest, finding_row(&fs.items[i]));
	mamori_findings_free(&fs);
	if (rc) {
		cJSON_Delete(o);
		store_error(x, rc);
		return;
	}
	hub_json(x->rs, 200, o);
}

static void findings(api *x)
{
	static const char *const names[] = {FILTER_PARAMS, "sort", "order", "page", "per_page", NULL};
	mamori_query q;
	size_t page = 1, per_page = 50;
	if (!allowed(x, names) || !parse_query(x, &q, &page, &per_page))
		return;
	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_page_info info;
	int rc = mamori_store_find(x->h->ctx, x->h->store, &q, &fs, &info);
	if (rc) {
		mamori_findings_free(&fs);
		store_error(x, rc);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "total", (double)info.total);
	cJSON_AddBoolToObject(o, "total_capped", info.total_capped);
	cJSON_AddNumberToObject(o, "page", (double)page);
	cJSON_AddNumberToObject(o, "per_page", (double)per_page);
	cJSON *items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < fs.count; i++)
		cJSON_AddItemToArray(items, finding_row(&fs.items[i]));
	mamori_findings_free(&fs);
	hub_json(x->rs, 200, o);
}

static void export(api *x)
{
	static const char *const names[] = {FILTER_PARAMS, "sort", "order", "format", NULL};
	mamori_query q;
	if (!allowed(x, names) || !parse_query(x, &q, NULL, NULL))
		return;
	const char *fmt = hub_param_get(x->params, "format");
	int format = mamori_format_parse(fmt ? fmt : "asff");
	if (format < 0 || format == MAMORI_FORMAT_TABLE) {
		hub_error(x->rs, 400, "bad_request", "format: asff, json, jsonl, csv, sarif or html");
		return;
	}
	q.limit = MAX_EXPORT;
	mamori_findings fs;
	mamori_findings_init(&fs);
	int rc = mamori_store_find(x->h->ctx, x->h->store, &q, &fs, NULL);
	if (rc) {
		mamori_findings_free(&fs);
		store_error(x, rc);
		return;
	}
	const mamori_finding **items = mamori_xcalloc(fs.count + 1, sizeof *items);
	for (size_t i = 0; i < fs.count; i++)
		items[i] = &fs.items[i];
	char now[32];
	mamori_time_format(mamori_ctx_now(x->h->ctx), now);
	mamori_report rep = {.items = items, .count = fs.count, .title = "mamori findings",
			     .generated_at = now};
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	rc = mem ? mamori_output_write(x->h->ctx, (mamori_format)format, &rep, mem) : MAMORI_ENOMEM;
	if (mem)
		fclose(mem);
	free(items);
	mamori_findings_free(&fs);
	if (rc) {
		free(text);
		store_error(x, rc);
		return;
	}
	static const char *const types[] = {
		[MAMORI_FORMAT_JSON] = "application/json; charset=utf-8",
		[MAMORI_FORMAT_JSONL] = "application/x-ndjson; charset=utf-8",
		[MAMORI_FORMAT_ASFF] = "application/json; charset=utf-8",
		[MAMORI_FORMAT_SARIF] = "application/sarif+json; charset=utf-8",
		[MAMORI_FORMAT_CSV] = "text/csv; charset=utf-8",
		[MAMORI_FORMAT_HTML] = "text/html; charset=utf-8",
	};
	static const char *const ext[] = {
		[MAMORI_FORMAT_JSON] = "json",	[MAMORI_FORMAT_JSONL] = "jsonl",
		[MAMORI_FORMAT_ASFF] = "asff.json", [MAMORI_FORMAT_SARIF] = "sarif",
		[MAMORI_FORMAT_CSV] = "csv",	[MAMORI_FORMAT_HTML] = "html",
	};
	x->rs->status = 200;
	x->rs->content_type = types[format];
	snprintf(x->rs->disposition, sizeof x->rs->disposition,
		 "attachment; filename=\"mamori-findings.%s\"", ext[format]);
	mamori_buf_append(&x->rs->body, text, len);
	free(text);
}

static void finding(api *x, const char *id)
{
	static const char *const names[] = {NULL};
	if (!allowed(x, names))
		return;
	mamori_findings fs;
	mamori_history h;
	mamori_findings_init(&fs);
	mamori_history_init(&h);
	int rc = mamori_store_get(x->h->ctx, x->h->store, id, &fs, &h);
	if (rc) {
		mamori_findings_free(&fs);
		mamori_history_free(&h);
		store_error(x, rc);
		return;
	}
	const mamori_finding *f = &fs.items[0];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "row", finding_row(f));
	char *asff = mamori_finding_to_asff(f, MAMORI_ASFF_LOSSLESS);
	cJSON *doc = cJSON_Parse(asff);
	free(asff);
	cJSON_AddItemToObject(o, "finding", doc ? doc : cJSON_CreateNull());
	cJSON *hist = cJSON_AddArrayToObject(o, "history");
	for (size_t i = 0; i < h.count; i++) {
		const mamori_history_entry *e = &h.items[i];
		cJSON *ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "at", e->at);
		cJSON_AddStringToObject(ev, "actor", e->actor);
		cJSON_AddStringToObject(ev, "event", e->event);
		add_opt(ev, "from", e->from);
		add_opt(ev, "to", e->to);
		add_opt(ev, "reason", e->reason);
		if (e->scan_id)
			cJSON_AddNumberToObject(ev, "scan_id", (double)e->scan_id);
		else
			cJSON_AddNullToObject(ev, "scan_id");
		cJSON_AddItemToArray(hist, ev);
	}
	mamori_findings_free(&fs);
	mamori_history_free(&h);
	hub_json(x->rs, 200, o);
}

static void workflow(api *x)
{
	static const char *const names[] = {NULL};
	if (!allowed(x, names))
		return;
	if (!x->rq->content_type || strncasecmp(x->rq->content_type, "application/json", 16)) {
		hub_error(x->rs, 415, "unsupported_media_type", "send application/json");
		return;
	}
	mamori_ctx *pctx = mamori_ctx_new();
	cJSON *doc = mamori_json_parse(pctx, "request", x->rq->body ? x->rq->body : "",
				       x->rq->body_len);
	if (!doc) {
		hub_error(x->rs, 400, "bad_request", "%s", mamori_error_last(pctx)->message);
		mamori_ctx_free(pctx);
		return;
	}
	mamori_ctx_free(pctx);
	const cJSON *ids = mamori_json_get(doc, "ids");
	const char *status = mamori_json_str(doc, "status");
	const char *note = mamori_json_str(doc, "note");
	int to = status ? mamori_workflow_parse(status) : -1;
	int n = cJSON_IsArray(ids) ? cJSON_GetArraySize(ids) : -1;
	const char *bad = !cJSON_IsObject(doc)		? "the body must be a JSON object"
			  : n <= 0 || n > MAX_BULK	? "ids: give 1 to 500 finding ids"
			  : to < 0			? "status: NEW, NOTIFIED, RESOLVED or SUPPRESSED"
			  : !note || !*note		? "note: a workflow change needs a note"
			  : strlen(note) > 2048		? "note: at most 2048 characters"
							: NULL;
	for (const cJSON *it = ids && !bad ? ids->child : NULL; it && !bad; it = it->next)
		if (!cJSON_IsString(it) || strlen(it->valuestring) > 256)
			bad = "ids: every id must be a string";
	if (bad) {
		cJSON_Delete(doc);
		hub_error(x->rs, 400, "bad_request", "%s", bad);
		return;
	}
	/* every id must exist before anything changes */
	mamori_ctx *ctx = x->h->ctx;
	cJSON *missing = cJSON_CreateArray();
	mamori_findings fs;
	mamori_findings_init(&fs);
	for (const cJSON *it = ids->child; it; it = it->next) {
		int rc = mamori_store_get(ctx, x->h->store, it->valuestring, &fs, NULL);
		if (rc == MAMORI_ENOTFOUND || rc == MAMORI_EUSAGE || rc == MAMORI_EAMBIGUOUS)
			cJSON_AddItemToArray(missing, cJSON_CreateString(it->valuestring));
		else if (rc) {
			cJSON_Delete(missing);
			cJSON_Delete(doc);
			mamori_findings_free(&fs);
			store_error(x, rc);
			return;
		}
	}
	if (cJSON_GetArraySize(missing)) {
		cJSON *o = cJSON_CreateObject();
		cJSON *err = cJSON_AddObjectToObject(o, "error");
		cJSON_AddStringToObject(err, "code", "not_found");
		cJSON_AddStringToObject(err, "message", "no finding with these ids; nothing changed");
		cJSON_AddNumberToObject(err, "status", 404);
		cJSON_AddItemToObject(err, "ids", missing);
		cJSON_Delete(doc);
		mamori_findings_free(&fs);
		hub_json(x->rs, 404, o);
		return;
	}
	cJSON_Delete(missing);
	/* who: the web client, for the history */
	char actor[160];
	snprintf(actor, sizeof actor, "web:%s", x->rq->remote ? x->rq->remote : "unknown");
	char *saved = mamori_xstrdup(mamori_ctx_actor(ctx));
	mamori_ctx_set_actor(ctx, actor);
	cJSON *o = cJSON_CreateObject();
	cJSON *updated = cJSON_AddArrayToObject(o, "updated");
	cJSON *unchanged = cJSON_AddArrayToObject(o, "unchanged");
	int rc = MAMORI_OK;
	for (size_t i = 0; i < fs.count && !rc; i++) {
		const mamori_finding *f = &fs.items[i];
		if ((int)f->workflow == to) {
			cJSON_AddItemToArray(unchanged, cJSON_CreateString(f->id));
			continue;
		}
		rc = mamori_store_set_workflow(ctx, x->h->store, f->id, (mamori_workflow)to, note);
		if (!rc)
			cJSON_AddItemToArray(updated, cJSON_CreateString(f->id));
	}
	mamori_ctx_set_actor(ctx, saved);
	free(saved);
	cJSON_Delete(doc);
	mamori_findings_free(&fs);
	if (rc) {
		cJSON_Delete(o);
		store_error(x, rc);
		return;
	}
	cJSON_AddStringToObject(o, "status", mamori_workflow_name((mamori_workflow)to));
	hub_json(x->rs, 200, o);
}

static void resources(api *x)
{
	static const char *const names[] = {FILTER_PARAMS, "page", "per_page", NULL};
	mamori_query q;
	size_t page = 1, per_page = 50;
	if (!allowed(x, names) || !parse_query(x, &q, &page, &per_page))
		return;
	mamori_resource_info *res;
	size_t n;
	int rc = mamori_store_resources(x->h->ctx, x->h->store, &q, &res, &n, x->a);
	if (rc) {
		store_error(x, rc);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "page", (double)page);
	cJSON_AddNumberToObject(o, "per_page", (double)per_page);
	cJSON *items = cJSON_AddArrayToObject(o, "items");
	for (size_t i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "id", res[i].id);
		cJSON_AddStringToObject(r, "type", res[i].type);
		cJSON_AddStringToObject(r, "account", res[i].account);
		cJSON_AddStringToObject(r, "region", res[i].region);
		cJSON_AddNumberToObject(r, "findings", (double)res[i].findings);
		cJSON_AddNumberToObject(r, "open", (double)res[i].open);
		add_opt(r, "max_severity",
			res[i].max_severity >= 0
				? mamori_severity_name((mamori_severity)res[i].max_severity)
				: NULL);
		cJSON_AddStringToObject(r, "last_seen", res[i].last_seen);
		cJSON_AddItemToArray(items, r);
	}
	hub_json(x->rs, 200, o);
}

static void resource(api *x)
{
	static const char *const names[] = {"id", NULL};
	if (!allowed(x, names))
		return;
	const char *id = hub_param_get(x->params, "id");
	if (mamori_str_empty(id)) {
		hub_error(x->rs, 400, "bad_request", "id: give a resource id");
		return;
	}
	mamori_query q = MAMORI_QUERY_INIT;
	q.resource_id = id;
	q.limit = MAX_PER_PAGE;
	mamori_findings fs;
	mamori_findings_init(&fs);
	int rc = mamori_store_find(x->h->ctx, x->h->store, &q, &fs, NULL);
	if (rc || fs.count == 0) {
		mamori_findings_free(&fs);
		if (rc)
			store_error(x, rc);
		else
			hub_error(x->rs, 404, "not_found", "no finding about this resource");
		return;
	}
	const mamori_resource *r = &fs.items[0].resources[0];
	cJSON *o = cJSON_CreateObject();
	cJSON *ro = cJSON_AddObjectToObject(o, "resource");
	cJSON_AddStringToObject(ro, "id", r->id);
	add_opt(ro, "type", r->type);
	add_opt(ro, "partition", r->partition);
	add_opt(ro, "region", r->region);
	add_opt(ro, "account", fs.items[0].aws_account_id);
	cJSON *details = r->details_json ? cJSON_Parse(r->details_json) : NULL;
	cJSON_AddItemToObject(ro, "details", details ? details : cJSON_CreateNull());
	cJSON *items = cJSON_AddArrayToObject(o, "findings");
	for (size_t i = 0; i < fs.count; i++)
		cJSON_AddItemToArray(items, finding_row(&fs.items[i]));
	mamori_findings_free(&fs);
	hub_json(x->rs, 200, o);
}

static void standards(api *x)
{
	static const char *const names[] = {"account", NULL};
	if (!allowed(x, names))
		return;
	const char *account = hub_param_get(x->params, "account");
	mamori_compliance_report cr;
	int rc = mamori_store_compliance(x->h->ctx, x->h->store,
					 account && *account ? account : NULL, &cr);
	if (rc) {
		store_error(x, rc);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON *std = cJSON_AddArrayToObject(o, "standards");
	for (size_t i = 0; i < cr.standard_count; i++)
		cJSON_AddItemToArray(std, score_json(cr.standards[i].standard, cr.standards[i].passed,
						     cr.standards[i].failed,
						     cr.standards[i].unknown));
	cJSON *controls = cJSON_AddArrayToObject(o, "controls");
	for (size_t i = 0; i < cr.control_count; i++)
		cJSON_AddItemToArray(controls, control_json(&cr.controls[i]));
	cJSON *cells = cJSON_AddArrayToObject(o, "cells");
	cJSON *accounts = cJSON_AddArrayToObject(o, "accounts");
	for (size_t i = 0; i < cr.cell_count; i++) {
		cJSON_AddItemToArray(cells, control_json(&cr.cells[i]));
		bool seen = false;
		for (const cJSON *a = accounts->child; a && !seen; a = a->next)
			seen = !strcmp(a->valuestring, cr.cells[i].account);
		if (!seen)
			cJSON_AddItemToArray(accounts, cJSON_CreateString(cr.cells[i].account));
	}
	mamori_compliance_report_free(&cr);
	hub_json(x->rs, 200, o);
}

static cJSON *split_list(const char *s)
{
	cJSON *arr = cJSON_CreateArray();
	for (const char *p = s ? s : ""; *p;) {
		size_t n = strcspn(p, ",");
		if (n) {
			char *item = mamori_xmalloc(n + 1);
			memcpy(item, p, n);
			item[n] = '\0';
			cJSON_AddItemToArray(arr, cJSON_CreateString(item));
			free(item);
		}
		p += n + (p[n] == ',');
	}
	return arr;
}

static void scans(api *x)
{
	static const char *const names[] = {"limit", NULL};
	size_t limit = 100;
	const char *l = hub_param_get(x->params, "limit");
	if (!allowed(x, names) || (l && !parse_uint(x, "limit", l, 1, 1000, &limit)))
		return;
	mamori_scan_info *s;
	size_t n;
	int rc = mamori_store_list_scans(x->h->ctx, x->h->store, limit, &s, &n, x->a);
	if (rc) {
		store_error(x, rc);
		return;
	}
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = cJSON_AddArrayToObject(o, "scans");
	for (size_t i = 0; i < n; i++) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddNumberToObject(r, "id", (double)s[i].id);
		cJSON_AddStringToObject(r, "target", s[i].target);
		cJSON_AddStringToObject(r, "started_at", s[i].started_at);
		cJSON_AddStringToObject(r, "finished_at", s[i].finished_at);
		time_t t0, t1;
		if (!mamori_time_parse(s[i].started_at, &t0) &&
		    !mamori_time_parse(s[i].finished_at, &t1))
			cJSON_AddNumberToObject(r, "duration_seconds", difftime(t1, t0));
		else
			cJSON_AddNullToObject(r, "duration_seconds");
		cJSON_AddItemToObject(r, "modules", split_list(s[i].modules));
		cJSON_AddItemToObject(r, "failed_modules", split_list(s[i].failed_modules));
		cJSON_AddStringToObject(r, "host", s[i].host);
		cJSON_AddStringToObject(r, "actor", s[i].actor ? s[i].actor : "");
		cJSON_AddNumberToObject(r, "findings", (double)s[i].findings);
		cJSON_AddNumberToObject(r, "new_findings", (double)s[i].new_findings);
		cJSON_AddNumberToObject(r, "archived", (double)s[i].archived);
		cJSON_AddItemToArray(arr, r);
	}
	hub_json(x->rs, 200, o);
}

static void facets(api *x)
{
	static const char *const names[] = {NULL};
	if (!allowed(x, names))
		return;
	static const char *const cols[][2] = {
		{"pillar", "pillars"},	 {"module", "modules"},
		{"account", "accounts"}, {"region", "regions"},
		{"resource_type", "resource_types"}, {"generator_id", "rules"},
	};
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof cols / sizeof *cols; i++) {
		mamori_count_list l;
		int rc = mamori_store_facet(x->h->ctx, x->h->store, cols[i][0], 500, &l, x->a);
		if (rc) {
			cJSON_Delete(o);
			store_error(x, rc);
			return;
		}
		cJSON *arr = cJSON_AddArrayToObject(o, cols[i][1]);
		for (size_t k = 0; k < l.count; k++) {
			cJSON *v = cJSON_CreateObject();
			cJSON_AddStringToObject(v, "value", l.items[k].key);
			cJSON_AddNumberToObject(v, "count", (double)l.items[k].total);
			cJSON_AddItemToArray(arr, v);
		}
	}
	hub_json(x->rs, 200, o);
}

void hub_api(mamori_hub *h, const hub_request *rq, const char *path, const hub_params *params,
	     hub_response *rs, mamori_arena *a)
{
	api x = {h, rq, params, rs, a};
	const char *m = rq->method ? rq->method : "";
	bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD");
	mamori_error_clear(h->ctx);
	static const struct {
		const char *path;
		void (*fn)(api *);
		bool post;
	} routes[] = {
		{"/api/v1/summary", summary, false},
		{"/api/v1/findings", findings, false},
		{"/api/v1/findings/export", export, false},
		{"/api/v1/findings/workflow", workflow, true},
		{"/api/v1/resources", resources, false},
		{"/api/v1/resource", resource, false},
		{"/api/v1/standards", standards, false},
		{"/api/v1/scans", scans, false},
		{"/api/v1/facets", facets, false},
	};
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
		if (strcmp(path, routes[i].path))
			continue;
		if (routes[i].post ? strcmp(m, "POST") != 0 : !get)
			hub_error(rs, 405, "method_not_allowed", "use %s",
				  routes[i].post ? "POST" : "GET");
		else
			routes[i].fn(&x);
		return;
	}
	static const char prefix[] = "/api/v1/findings/";
	if (!strncmp(path, prefix, sizeof prefix - 1) && path[sizeof prefix - 1]) {
		if (!get)
			hub_error(rs, 405, "method_not_allowed", "use GET");
		else
			finding(&x, path + sizeof prefix - 1);
		return;
	}
	hub_error(rs, 404, "not_found", "no such API endpoint");
}
