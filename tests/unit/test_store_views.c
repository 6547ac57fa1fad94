/*
 * The hub's store views (store_query.c) and the PostgreSQL backend, each test
 * run against both backends: a real SQLite file and a real PostgreSQL server
 * started from Debian's packages in a temporary directory.  Every aggregate
 * is checked against a brute-force count over the findings themselves, so
 * the trigger-kept count tables cannot drift unnoticed; the life cycle is
 * checked to tell the same story on both backends.
 */
#include "internal.h"
#include "pgtmp.h"
#include "store_schema.h"
#include "testutil.h"

#include <sqlite3.h>

static pgtmp pg;
static bool pg_up;

typedef struct fixture {
	const char *backend;
	char *dir;
	char location[700];
	mamori_ctx *ctx;
	mamori_store *store;
} fixture;

static int group_setup(void **state)
{
	(void)state;
	pg_up = pgtmp_start(&pg);
	if (!pg_up && !getenv("MAMORI_SKIP_PG")) {
		fprintf(stderr, "test_store_views: could not start PostgreSQL (install the "
				"postgresql package, or set MAMORI_SKIP_PG=1 to skip)\n");
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (pg_up)
		pgtmp_stop(&pg);
	return 0;
}

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	fx->backend = *state;
	fx->dir = test_tmpdir("views");
	fx->ctx = mamori_ctx_new();
	mamori_ctx_set_actor(fx->ctx, "tester@host");
	if (!strcmp(fx->backend, "pg")) {
		if (!pg_up) {
			free(fx->dir);
			free(fx);
			skip();
		}
		static int n;
		char name[32];
		snprintf(name, sizeof name, "views%d", ++n);
		assert_true(pgtmp_createdb(&pg, name, fx->location, sizeof fx->location));
	} else {
		snprintf(fx->location, sizeof fx->location, "%s/findings.db", fx->dir);
	}
	assert_int_equal(mamori_store_open(fx->ctx, fx->location, &fx->store), MAMORI_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	mamori_store_close(fx->store);
	mamori_ctx_free(fx->ctx);
	free(fx->dir);
	free(fx);
	return 0;
}

/* What a module "produces" in a scan. */
typedef struct spec {
	const char *resource;
	const char *account;
	const char *region;
	const char *pillar;
	mamori_severity severity;
	mamori_compliance compliance;
	const char *req1, *req2;
	const char *title;
} spec;

static void scan(fixture *fx, const char *when, const char *scope, const char *module,
		 const spec *s, size_t n)
{
	time_t t;
	assert_int_equal(mamori_time_parse(when, &t), 0);
	mamori_ctx_set_now(fx->ctx, t);
	mamori_findings out;
	mamori_findings_init(&out);
	for (size_t i = 0; i < n; i++) {
		mamori_finding *f = test_finding(&out, module, "rule.x", s[i].resource);
		f->aws_account_id = s[i].account;
		f->region = s[i].region;
		f->pillar = s[i].pillar;
		f->severity = s[i].severity;
		f->compliance = s[i].compliance;
		if (s[i].title)
			f->title = s[i].title;
		if (s[i].req1)
			mamori_finding_add_requirement(&out, f, s[i].req1);
		if (s[i].req2)
			mamori_finding_add_requirement(&out, f, s[i].req2);
		assert_int_equal(mamori_finding_finalize(fx->ctx, &out, f), MAMORI_OK);
	}
	char ts[32];
	mamori_time_format(t, ts);
	const char *mods[] = {module};
	mamori_scan_record rec = {scope, ts, ts, mods, 1, NULL, 0, "host", NULL};
	mamori_scan_stats st;
	int rc = mamori_store_record_scan(fx->ctx, fx->store, &rec, &out, &st);
	if (rc)
		fail_msg("%s", mamori_error_last(fx->ctx)->message);
	mamori_findings_free(&out);
}

/* A varied population: n findings over 3 accounts, 2 regions, 2 pillars. */
static spec *population(size_t n, mamori_arena *a)
{
	spec *s = mamori_arena_alloc(a, n * sizeof *s);
	static const char *const accounts[] = {"111111111111", "222222222222", "333333333333"};
	static const char *const regions[] = {"us-east-1", "eu-west-1"};
	for (size_t i = 0; i < n; i++) {
		s[i] = (spec){
			mamori_arena_printf(a, "arn:aws:s3:::bucket-%zu", i),
			accounts[i % 3],
			regions[i % 2],
			i % 4 == 0 ? "data" : "posture",
			(mamori_severity)(i % 5),
			i % 3 == 2 ? MAMORI_COMPLIANCE_PASSED : MAMORI_COMPLIANCE_FAILED,
			i % 2 ? "CIS AWS Foundations Benchmark v3.0.0/2.1" : NULL,
			i % 7 == 0 ? "AWS Foundational Security Best Practices v1.0.0/S3.1" : NULL,
			i == 5	 ? "a needle%_ in the title"
			: i == 6 ? "a needleX_ lookalike"
				 : NULL,
		};
	}
	return s;
}

/* Everything in the store, through the pre-hub API. */
static void all_findings(fixture *fx, mamori_findings *out)
{
	mamori_findings_init(out);
	mamori_filter f = MAMORI_FILTER_INIT;
	assert_int_equal(mamori_store_query(fx->ctx, fx->store, &f, out), MAMORI_OK);
}

static bool matches(const mamori_query *q, const mamori_finding *f)
{
	if (q->severities && !(q->severities & MAMORI_BIT(f->severity)))
		return false;
	if (q->workflows && !(q->workflows & MAMORI_BIT(f->workflow)))
		return false;
	if (q->open_only && !mamori_finding_is_open(f))
		return false;
	if (q->account && strcmp(q->account, f->aws_account_id))
		return false;
	if (q->region && strcmp(q->region, f->region))
		return false;
	if (q->pillar && strcmp(q->pillar, f->pillar))
		return false;
	if (q->resource_id && strcmp(q->resource_id, f->resources[0].id))
		return false;
	if (q->text && !strstr(f->title, q->text) && !strstr(f->resources[0].id, q->text))
		return false;
	return true;
}

static size_t brute_count(const mamori_findings *all, const mamori_query *q)
{
	size_t n = 0;
	for (size_t i = 0; i < all->count; i++)
		n += matches(q, &all->items[i]);
	return n;
}

static void pages_filter_sort_and_count(void **state)
{
	fixture *fx = *state;
	mamori_arena a = {0};
	scan(fx, "2026-03-01T00:00:00Z", "path:/p", "m", population(60, &a), 60);
	mamori_findings all;
	all_findings(fx, &all);
	assert_int_equal(all.count, 60);

	/* open HIGH and CRITICAL in one account, default order */
	mamori_query q = MAMORI_QUERY_INIT;
	q.severities = MAMORI_BIT(MAMORI_SEV_HIGH) | MAMORI_BIT(MAMORI_SEV_CRITICAL);
	q.open_only = true;
	q.account = "111111111111";
	mamori_findings page;
	mamori_findings_init(&page);
	mamori_page_info info;
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &q, &page, &info), MAMORI_OK);
	size_t expect = brute_count(&all, &q);
	assert_true(expect > 0);
	assert_int_equal(page.count, expect);
	assert_int_equal(info.total, expect);
	assert_false(info.total_capped);
	for (size_t i = 1; i < page.count; i++)
		assert_true(page.items[i - 1].severity >= page.items[i].severity);
	mamori_findings_free(&page);

	/* pages of 7 cover every finding exactly once, in title order */
	mamori_query p = MAMORI_QUERY_INIT;
	p.sort = MAMORI_SORT_TITLE;
	p.ascending = true;
	p.limit = 7;
	char seen[60][128];
	size_t got = 0;
	for (p.offset = 0; p.offset < 70; p.offset += 7) {
		mamori_findings_init(&page);
		assert_int_equal(mamori_store_find(fx->ctx, fx->store, &p, &page, &info), MAMORI_OK);
		assert_int_equal(info.total, 60);
		for (size_t i = 0; i < page.count; i++) {
			assert_true(got < 60);
			for (size_t j = 0; j < got; j++)
				assert_string_not_equal(seen[j], page.items[i].id);
			snprintf(seen[got++], sizeof seen[0], "%s", page.items[i].id);
			if (i)
				assert_true(strcmp(page.items[i - 1].title, page.items[i].title) <= 0);
		}
		mamori_findings_free(&page);
	}
	assert_int_equal(got, 60);

	/* text search takes LIKE's wildcards literally */
	mamori_query t = MAMORI_QUERY_INIT;
	t.text = "needle%_";
	mamori_findings_init(&page);
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &t, &page, &info), MAMORI_OK);
	assert_int_equal(page.count, 1);
	assert_string_equal(page.items[0].title, "a needle%_ in the title");
	assert_int_equal(info.total, 1);
	mamori_findings_free(&page);
	t.text = "BUCKET-1"; /* case-insensitive, resource ids too */
	mamori_findings_init(&page);
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &t, &page, &info), MAMORI_OK);
	assert_int_equal(page.count, 11); /* bucket-1, bucket-10..19 */
	mamori_findings_free(&page);

	/* the findings of one control, with another filter */
	mamori_query ctl = MAMORI_QUERY_INIT;
	ctl.control = "CIS AWS Foundations Benchmark v3.0.0/2.1";
	ctl.account = "222222222222";
	size_t want = 0;
	for (size_t i = 0; i < all.count; i++) {
		const mamori_finding *f = &all.items[i];
		bool has = false;
		for (size_t k = 0; k < f->related_requirements.count; k++)
			has |= !strcmp(f->related_requirements.items[k], ctl.control);
		want += has && !strcmp(f->aws_account_id, ctl.account);
	}
	assert_true(want > 0);
	mamori_findings_init(&page);
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &ctl, &page, &info), MAMORI_OK);
	assert_int_equal(page.count, want);
	assert_int_equal(info.total, want);
	mamori_findings_free(&page);
	ctl.control = "CIS AWS Foundations Benchmark v3.0.0/9.9";
	mamori_findings_init(&page);
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &ctl, &page, &info), MAMORI_OK);
	assert_int_equal(page.count, 0);
	mamori_findings_free(&page);

	/* one resource */
	mamori_query r = MAMORI_QUERY_INIT;
	r.resource_id = "arn:aws:s3:::bucket-42";
	mamori_findings_init(&page);
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &r, &page, &info), MAMORI_OK);
	assert_int_equal(page.count, 1);
	assert_string_equal(page.items[0].resources[0].id, "arn:aws:s3:::bucket-42");
	mamori_findings_free(&page);

	/* a time range that excludes everything */
	mamori_query tr = MAMORI_QUERY_INIT;
	tr.since = "2026-03-02T00:00:00.000Z";
	mamori_findings_init(&page);
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &tr, &page, &info), MAMORI_OK);
	assert_int_equal(page.count, 0);
	assert_int_equal(info.total, 0);
	tr.since = NULL;
	tr.until = "2026-03-02T00:00:00.000Z";
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &tr, &page, &info), MAMORI_OK);
	assert_int_equal(page.count, 60);
	mamori_findings_free(&page);
	mamori_findings_free(&all);
	mamori_arena_free(&a);
}

static void check_summary(fixture *fx, const mamori_query *q, const mamori_findings *all)
{
	mamori_store_summary s;
	assert_int_equal(mamori_store_summarize(fx->ctx, fx->store, q, &s), MAMORI_OK);
	size_t total = 0, open = 0, passed = 0, archived = 0, sev[5] = {0}, wf[4] = {0};
	for (size_t i = 0; i < all->count; i++) {
		const mamori_finding *f = &all->items[i];
		if (!matches(q, f))
			continue;
		total++;
		if (mamori_finding_is_open(f))
			open++, sev[f->severity]++;
		if (f->record_state == MAMORI_RECORD_ARCHIVED) {
			archived++;
		} else {
			wf[f->workflow]++;
			passed += f->compliance == MAMORI_COMPLIANCE_PASSED;
		}
	}
	assert_int_equal(s.total, total);
	assert_int_equal(s.open, open);
	assert_int_equal(s.passed, passed);
	assert_int_equal(s.archived, archived);
	for (int i = 0; i < 5; i++)
		assert_int_equal(s.by_severity[i], sev[i]);
	for (int i = 0; i < 4; i++)
		assert_int_equal(s.by_workflow[i], wf[i]);
	/* the account breakdown adds up, most open first */
	size_t sum = 0;
	for (size_t i = 0; i < s.accounts.count; i++) {
		sum += s.accounts.items[i].total;
		if (i)
			assert_true(s.accounts.items[i - 1].open >= s.accounts.items[i].open);
		mamori_query one = *q;
		one.account = s.accounts.items[i].key;
		size_t o = 0;
		for (size_t j = 0; j < all->count; j++)
			o += matches(&one, &all->items[j]) && mamori_finding_is_open(&all->items[j]);
		assert_int_equal(s.accounts.items[i].open, o);
	}
	assert_int_equal(sum, total);
	mamori_store_summary_free(&s);
}

static void summary_matches_the_findings(void **state)
{
	fixture *fx = *state;
	mamori_arena a = {0};
	spec *pop = population(45, &a);
	scan(fx, "2026-04-01T00:00:00Z", "path:/s", "m", pop, 45);
	/* a second scan without the last 10: they are archived (checks: PASSED) */
	scan(fx, "2026-04-02T00:00:00Z", "path:/s", "m", pop, 35);
	mamori_findings all;
	all_findings(fx, &all);
	/* suppress and resolve some by hand */
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, all.items[0].id,
						   MAMORI_WORKFLOW_SUPPRESSED, "accepted"),
			 MAMORI_OK);
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, all.items[1].id,
						   MAMORI_WORKFLOW_RESOLVED, "fixed"),
			 MAMORI_OK);
	mamori_findings_free(&all);
	all_findings(fx, &all);

	mamori_query q = MAMORI_QUERY_INIT;
	check_summary(fx, &q, &all); /* from the count tables */
	q.account = "222222222222";
	q.severities = MAMORI_BIT(MAMORI_SEV_HIGH) | MAMORI_BIT(MAMORI_SEV_LOW);
	check_summary(fx, &q, &all);
	mamori_query live = MAMORI_QUERY_INIT; /* a text filter: grouped from the findings */
	live.text = "arn:aws:s3:::bucket-";
	check_summary(fx, &live, &all);
	live.open_only = true;
	live.pillar = "data";
	check_summary(fx, &live, &all);

	/* both paths agree */
	mamori_store_summary counted, grouped;
	mamori_query c = MAMORI_QUERY_INIT;
	assert_int_equal(mamori_store_summarize(fx->ctx, fx->store, &c, &counted), MAMORI_OK);
	c.text = "arn:";
	assert_int_equal(mamori_store_summarize(fx->ctx, fx->store, &c, &grouped), MAMORI_OK);
	assert_int_equal(counted.total, grouped.total);
	assert_int_equal(counted.pillars.count, grouped.pillars.count);
	for (size_t i = 0; i < counted.pillars.count; i++) {
		assert_string_equal(counted.pillars.items[i].key, grouped.pillars.items[i].key);
		assert_int_equal(counted.pillars.items[i].open, grouped.pillars.items[i].open);
	}
	mamori_store_summary_free(&counted);
	mamori_store_summary_free(&grouped);
	mamori_findings_free(&all);
	mamori_arena_free(&a);
}

static const mamori_control *control(const mamori_compliance_report *r, const char *name,
				     const char *account)
{
	const mamori_control *set = account ? r->cells : r->controls;
	size_t n = account ? r->cell_count : r->control_count;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(set[i].control, name) &&
		    (!account || !strcmp(set[i].account, account)))
			return &set[i];
	return NULL;
}

static void compliance_scores_and_trend(void **state)
{
	fixture *fx = *state;
	const char *cis = "CIS AWS Foundations Benchmark v3.0.0";
	spec s[] = {
		/* control 1.1: fails in account A, passes in B -> FAILED */
		{"arn:r1", "111111111111", "us-east-1", "posture", MAMORI_SEV_HIGH,
		 MAMORI_COMPLIANCE_FAILED, "CIS AWS Foundations Benchmark v3.0.0/1.1", NULL, NULL},
		{"arn:r2", "222222222222", "us-east-1", "posture", MAMORI_SEV_HIGH,
		 MAMORI_COMPLIANCE_PASSED, "CIS AWS Foundations Benchmark v3.0.0/1.1", NULL, NULL},
		/* control 1.2 passes; 1.10 sorts after 1.2 */
		{"arn:r3", "111111111111", "us-east-1", "posture", MAMORI_SEV_LOW,
		 MAMORI_COMPLIANCE_PASSED, "CIS AWS Foundations Benchmark v3.0.0/1.2", NULL, NULL},
		{"arn:r4", "111111111111", "us-east-1", "posture", MAMORI_SEV_CRITICAL,
		 MAMORI_COMPLIANCE_FAILED, "CIS AWS Foundations Benchmark v3.0.0/1.10",
		 "Other Standard", NULL},
		/* not a check: no control */
		{"arn:r5", "111111111111", "us-east-1", "posture", MAMORI_SEV_CRITICAL,
		 MAMORI_COMPLIANCE_NONE, NULL, NULL, NULL},
	};
	scan(fx, "2026-05-01T00:00:00Z", "path:/c", "m", s, 5);
	mamori_compliance_report r;
	assert_int_equal(mamori_store_compliance(fx->ctx, fx->store, NULL, &r), MAMORI_OK);
	assert_int_equal(r.standard_count, 2);
	assert_string_equal(r.standards[0].standard, cis);
	assert_int_equal(r.standards[0].passed, 1);
	assert_int_equal(r.standards[0].failed, 2);
	assert_true(r.standards[0].score > 0.33 && r.standards[0].score < 0.34);
	/* "Other Standard" has no '/': the rule is its control */
	assert_string_equal(r.standards[1].standard, "Other Standard");
	assert_non_null(control(&r, "rule.x", NULL));
	/* the most important failing control first: the CRITICAL one */
	assert_string_equal(r.controls[0].control, "1.10");
	assert_int_equal(r.controls[0].max_severity, MAMORI_SEV_CRITICAL);
	assert_int_equal(control(&r, "1.1", NULL)->state, MAMORI_CONTROL_FAILED);
	assert_int_equal(control(&r, "1.1", "111111111111")->state, MAMORI_CONTROL_FAILED);
	assert_int_equal(control(&r, "1.1", "222222222222")->state, MAMORI_CONTROL_PASSED);
	assert_int_equal(control(&r, "1.2", NULL)->state, MAMORI_CONTROL_PASSED);
	/* the matrix is in natural control order */
	size_t i12 = SIZE_MAX, i110 = SIZE_MAX;
	for (size_t i = 0; i < r.cell_count; i++) {
		if (!strcmp(r.cells[i].control, "1.2"))
			i12 = i;
		if (!strcmp(r.cells[i].control, "1.10"))
			i110 = i;
	}
	assert_true(i12 < i110);
	mamori_compliance_report_free(&r);

	/* one account only */
	assert_int_equal(mamori_store_compliance(fx->ctx, fx->store, "222222222222", &r), MAMORI_OK);
	assert_int_equal(r.standard_count, 1);
	assert_int_equal(r.standards[0].passed, 1);
	assert_int_equal(r.standards[0].failed, 0);
	mamori_compliance_report_free(&r);

	/* suppressing a failing finding takes it out of the score */
	mamori_findings one;
	mamori_findings_init(&one);
	mamori_query q = MAMORI_QUERY_INIT;
	q.resource_id = "arn:r1";
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &q, &one, NULL), MAMORI_OK);
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, one.items[0].id,
						   MAMORI_WORKFLOW_SUPPRESSED, "exception"),
			 MAMORI_OK);
	mamori_findings_free(&one);
	assert_int_equal(mamori_store_compliance(fx->ctx, fx->store, NULL, &r), MAMORI_OK);
	assert_int_equal(control(&r, "1.1", NULL)->state, MAMORI_CONTROL_PASSED);
	assert_int_equal(r.standards[0].passed, 2);
	mamori_compliance_report_free(&r);

	/* the next scan fixes 1.10 and the requirement of r3 changes to 1.3 */
	s[3].compliance = MAMORI_COMPLIANCE_PASSED;
	s[2].req1 = "CIS AWS Foundations Benchmark v3.0.0/1.3";
	scan(fx, "2026-05-02T00:00:00Z", "path:/c", "m", s, 5);
	assert_int_equal(mamori_store_compliance(fx->ctx, fx->store, NULL, &r), MAMORI_OK);
	assert_null(control(&r, "1.2", NULL));
	assert_int_equal(control(&r, "1.3", NULL)->state, MAMORI_CONTROL_PASSED);
	assert_int_equal(control(&r, "1.10", NULL)->state, MAMORI_CONTROL_PASSED);
	assert_int_equal(r.standards[0].failed, 0);
	mamori_compliance_report_free(&r);

	mamori_arena arena = {0};
	mamori_score_point *pts;
	size_t n;
	assert_int_equal(mamori_store_compliance_trend(fx->ctx, fx->store, 10, &pts, &n, &arena),
			 MAMORI_OK);
	assert_int_equal(n, 4); /* two scans x two standards, oldest first */
	assert_string_equal(pts[0].standard, cis);
	assert_int_equal(pts[0].failed, 2);
	assert_int_equal(pts[2].failed, 0);
	assert_int_equal(pts[2].passed, 3);
	assert_true(pts[0].scan_id < pts[2].scan_id);
	assert_int_equal(mamori_store_compliance_trend(fx->ctx, fx->store, 1, &pts, &n, &arena),
			 MAMORI_OK);
	assert_int_equal(n, 2);
	mamori_arena_free(&arena);
}

static void resources_facets_and_scans(void **state)
{
	fixture *fx = *state;
	mamori_arena a = {0};
	spec *pop = population(30, &a);
	pop[1].resource = pop[0].resource; /* two findings on one resource */
	scan(fx, "2026-06-01T00:00:00Z", "path:/r", "m", pop, 30);
	mamori_query q = MAMORI_QUERY_INIT;
	mamori_resource_info *res;
	size_t n;
	assert_int_equal(mamori_store_resources(fx->ctx, fx->store, &q, &res, &n, &a), MAMORI_OK);
	assert_int_equal(n, 29);
	bool seen = false;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(res[i].id, pop[0].resource)) {
			assert_int_equal(res[i].findings, 2);
			assert_string_equal(res[i].type, "AwsS3Bucket");
			seen = true;
		}
		if (i) /* the most severe open finding first, then the most open */
			assert_true(res[i - 1].max_severity > res[i].max_severity ||
				    (res[i - 1].max_severity == res[i].max_severity &&
				     res[i - 1].open >= res[i].open));
	}
	assert_true(seen);
	mamori_count_list facet;
	assert_int_equal(mamori_store_facet(fx->ctx, fx->store, "account", 10, &facet, &a),
			 MAMORI_OK);
	assert_int_equal(facet.count, 3);
	assert_int_equal(facet.items[0].total, 10);
	assert_int_equal(mamori_store_facet(fx->ctx, fx->store, "resource_type", 10, &facet, &a),
			 MAMORI_OK);
	assert_int_equal(facet.count, 1);
	assert_int_equal(facet.items[0].total, 30);
	assert_int_equal(mamori_store_facet(fx->ctx, fx->store, "doc; DROP TABLE x", 10, &facet, &a),
			 MAMORI_EUSAGE);
	mamori_scan_info *scans;
	assert_int_equal(mamori_store_list_scans(fx->ctx, fx->store, 5, &scans, &n, &a), MAMORI_OK);
	assert_int_equal(n, 1);
	assert_int_equal(scans[0].new_findings, 30);
	assert_int_equal(scans[0].findings, 30);
	assert_string_equal(scans[0].actor, "tester@host");
	assert_string_equal(scans[0].modules, "m");
	mamori_arena_free(&a);
}

/* The life cycle tells the same story on every backend. */
static void life_cycle_history(void **state)
{
	fixture *fx = *state;
	spec one[] = {{"arn:b", "111111111111", "us-east-1", "posture", MAMORI_SEV_HIGH,
		       MAMORI_COMPLIANCE_FAILED, "S/1", NULL, NULL}};
	scan(fx, "2026-01-01T00:00:00Z", "path:/x", "m", one, 1);
	scan(fx, "2026-01-02T00:00:00Z", "path:/x", "m", NULL, 0); /* gone: archived, passed */
	scan(fx, "2026-01-03T00:00:00Z", "path:/x", "m", one, 1);  /* back: NEW again */
	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_history h;
	mamori_history_init(&h);
	mamori_query q = MAMORI_QUERY_INIT;
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &q, &fs, NULL), MAMORI_OK);
	assert_int_equal(fs.count, 1);
	char prefix[13];
	snprintf(prefix, sizeof prefix, "%s", strrchr(fs.items[0].id, '/') + 1);
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, prefix,
						   MAMORI_WORKFLOW_SUPPRESSED, "risk accepted"),
			 MAMORI_OK);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, prefix, &fs, &h), MAMORI_OK);
	const mamori_finding *f = &fs.items[1];
	assert_string_equal(f->first_observed_at, "2026-01-01T00:00:00.000Z");
	assert_string_equal(f->last_observed_at, "2026-01-03T00:00:00.000Z");
	assert_int_equal(f->workflow, MAMORI_WORKFLOW_SUPPRESSED);
	const char *expect[][3] = {
		{"observed", NULL, "HIGH"},	   {"archived", "ACTIVE", "ARCHIVED"},
		{"compliance", "FAILED", "PASSED"}, {"workflow", "NEW", "RESOLVED"},
		{"reactivated", "ARCHIVED", "ACTIVE"}, {"compliance", "PASSED", "FAILED"},
		{"workflow", "RESOLVED", "NEW"},   {"workflow", "NEW", "SUPPRESSED"},
	};
	assert_int_equal(h.count, 8);
	for (size_t i = 0; i < h.count; i++) {
		assert_string_equal(h.items[i].event, expect[i][0]);
		if (expect[i][1])
			assert_string_equal(h.items[i].from, expect[i][1]);
		else
			assert_null(h.items[i].from);
		assert_string_equal(h.items[i].to, expect[i][2]);
	}
	assert_string_equal(h.items[7].reason, "risk accepted");
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, "0000", &fs, NULL), MAMORI_ENOTFOUND);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, "xyz!", &fs, NULL), MAMORI_EUSAGE);
	assert_int_equal(mamori_store_current_version(fx->store), mamori_store_schema_version());
	mamori_history_free(&h);
	mamori_findings_free(&fs);
}

/* A store made before migration 2 gets its counts and controls backfilled. */
static void migration_backfills_existing_stores(void **state)
{
	fixture *fx = *state;
	mamori_arena a = {0};
	scan(fx, "2026-07-01T00:00:00Z", "path:/m", "m", population(40, &a), 40);
	mamori_findings all;
	all_findings(fx, &all);
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, all.items[3].id,
						   MAMORI_WORKFLOW_SUPPRESSED, "x"),
			 MAMORI_OK);
	mamori_findings_free(&all);
	mamori_store_summary before;
	mamori_compliance_report cbefore;
	mamori_query q = MAMORI_QUERY_INIT;
	mamori_query text = MAMORI_QUERY_INIT;
	text.text = "bucket-1"; /* 11 of them, found through the rebuilt text index */
	text.limit = 50;
	mamori_findings found;
	mamori_findings_init(&found);
	assert_int_equal(mamori_store_summarize(fx->ctx, fx->store, &q, &before), MAMORI_OK);
	assert_int_equal(mamori_store_compliance(fx->ctx, fx->store, NULL, &cbefore), MAMORI_OK);
	mamori_store_close(fx->store);
	fx->store = NULL;
	/* back to schema 1: what migration 2 added goes */
	static const char *const indexes[] = {
		"findings_by_order", "findings_by_pillar", "findings_by_account",
		"findings_by_region", "findings_by_resource_type", "findings_by_rule",
		"findings_by_workflow", "findings_by_resource", "findings_by_first_seen",
		"findings_by_last_seen"};
	mamori_buf sql = MAMORI_BUF_INIT;
	bool is_pg = !strcmp(fx->backend, "pg");
	mamori_buf_puts(&sql, is_pg ? "DROP FUNCTION mamori_findings_counts() CASCADE; "
				   "DROP FUNCTION mamori_controls_counts() CASCADE; "
				   "DROP INDEX findings_by_hash_prefix; DROP INDEX findings_text_trgm; "
				   "DROP INDEX findings_by_title; DROP INDEX findings_by_first_observed; "
				 : "DROP TRIGGER findings_counts_insert; DROP TRIGGER findings_counts_update; "
				   "DROP TABLE findings_fts; DROP TABLE findings_fts_queue; "
				   "DROP TRIGGER findings_fts_insert; "
				   "DROP INDEX findings_by_title; DROP INDEX findings_by_first_observed; "
				   "DROP TRIGGER findings_fts_update; DROP TRIGGER findings_fts_delete; ");
	mamori_buf_puts(&sql, "DROP TABLE finding_controls; DROP TABLE summary_counts; "
			      "DROP TABLE control_status; DROP TABLE compliance_snapshots; "
			      "DROP TABLE detect_baselines; "
			      "DELETE FROM schema_migrations WHERE version >= 2; ");
	for (size_t i = 0; i < sizeof indexes / sizeof *indexes; i++)
		mamori_buf_printf(&sql, "DROP INDEX %s; ", indexes[i]);
	if (is_pg) {
		char db[64];
		const char *slash = strstr(fx->location, ":///") + 4;
		snprintf(db, sizeof db, "%.*s", (int)strcspn(slash, "?"), slash);
		assert_true(pgtmp_sql(&pg, db, mamori_buf_cstr(&sql)));
	} else {
		sqlite3 *db;
		assert_int_equal(sqlite3_open(fx->location, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, mamori_buf_cstr(&sql), NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	mamori_buf_free(&sql);
	assert_int_equal(mamori_store_open(fx->ctx, fx->location, &fx->store), MAMORI_OK);
	assert_int_equal(mamori_store_current_version(fx->store), mamori_store_schema_version());
	mamori_store_summary after;
	mamori_compliance_report cafter;
	assert_int_equal(mamori_store_summarize(fx->ctx, fx->store, &q, &after), MAMORI_OK);
	assert_int_equal(mamori_store_compliance(fx->ctx, fx->store, NULL, &cafter), MAMORI_OK);
	assert_int_equal(after.total, before.total);
	assert_int_equal(after.open, before.open);
	assert_memory_equal(after.by_severity, before.by_severity, sizeof after.by_severity);
	assert_memory_equal(after.by_workflow, before.by_workflow, sizeof after.by_workflow);
	assert_int_equal(after.accounts.count, before.accounts.count);
	assert_int_equal(cafter.standard_count, cbefore.standard_count);
	assert_true(cafter.standard_count > 0);
	for (size_t i = 0; i < cafter.standard_count; i++) {
		assert_string_equal(cafter.standards[i].standard, cbefore.standards[i].standard);
		assert_int_equal(cafter.standards[i].passed, cbefore.standards[i].passed);
		assert_int_equal(cafter.standards[i].failed, cbefore.standards[i].failed);
	}
	assert_int_equal(cafter.cell_count, cbefore.cell_count);
	assert_int_equal(mamori_store_find(fx->ctx, fx->store, &text, &found, NULL), MAMORI_OK);
	assert_int_equal(found.count, 11);
	mamori_findings_free(&found);
	mamori_store_summary_free(&before);
	mamori_store_summary_free(&after);
	mamori_compliance_report_free(&cbefore);
	mamori_compliance_report_free(&cafter);
	mamori_arena_free(&a);
}

/* Does hay hold needle, A-Z matching either case (the text search's rule)? */
static bool ascii_ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *h = hay; *h; h++) {
		size_t i = 0;
		while (i < n && h[i]) {
			char a = h[i], b = needle[i];
			if (a >= 'A' && a <= 'Z')
				a = (char)(a + 32);
			if (b >= 'A' && b <= 'Z')
				b = (char)(b + 32);
			if (a != b)
				break;
			i++;
		}
		if (i == n)
			return true;
	}
	return !n;
}

static size_t text_brute(const mamori_findings *all, const char *text)
{
	size_t n = 0;
	for (size_t i = 0; i < all->count; i++) {
		const mamori_finding *f = &all->items[i];
		n += ascii_ci_contains(f->title, text) || ascii_ci_contains(f->resources[0].id, text) ||
		     ascii_ci_contains(f->generator_id, text);
	}
	return n;
}

/* One number from SQL run on the fixture's store, beside mamori. */
static long sql_number(fixture *fx, const char *sql)
{
	long v = -1;
	if (!strcmp(fx->backend, "pg")) {
		PGconn *c = PQconnectdb(fx->location);
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
			v = atol(PQgetvalue(r, 0, 0));
		else
			fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
	} else {
		sqlite3 *db;
		sqlite3_stmt *st;
		assert_int_equal(sqlite3_open(fx->location, &db), SQLITE_OK);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		else
			fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		sqlite3_close(db);
	}
	return v;
}

/* The text search means the same on both backends, through the trigram
 * index (three characters or more) or not: a substring of title, resource
 * or rule, A-Z in either case, everything else exactly. */
static void text_search_same_on_both_backends(void **state)
{
	fixture *fx = *state;
	static const spec s[] = {
		{"arn:aws:s3:::Prod-Logs", "111111111111", "us-east-1", "posture", MAMORI_SEV_HIGH,
		 MAMORI_COMPLIANCE_FAILED, NULL, NULL, "Public S3 bucket allows READ"},
		{"arn:aws:s3:::ete-1", "111111111111", "us-east-1", "posture", MAMORI_SEV_LOW,
		 MAMORI_COMPLIANCE_FAILED, NULL, NULL, "\u00c9T\u00c9 en capitales"},
		{"arn:aws:s3:::ete-2", "222222222222", "eu-west-1", "data", MAMORI_SEV_LOW,
		 MAMORI_COMPLIANCE_FAILED, NULL, NULL, "\u00e9t\u00e9 en minuscules"},
		{"arn:aws:s3:::jp", "222222222222", "eu-west-1", "data", MAMORI_SEV_MEDIUM,
		 MAMORI_COMPLIANCE_FAILED, NULL, NULL,
		 "\u65e5\u672c\u8a9e\u306e\u30bf\u30a4\u30c8\u30eb: \u516c\u958b"},
		{"arn:aws:s3:::wild", "333333333333", "us-east-1", "posture", MAMORI_SEV_CRITICAL,
		 MAMORI_COMPLIANCE_FAILED, NULL, NULL, "needle%_ and \"quotes\" in it"},
		{"arn:aws:s3:::tiny", "333333333333", "us-east-1", "posture", MAMORI_SEV_INFORMATIONAL,
		 MAMORI_COMPLIANCE_FAILED, NULL, NULL, "tiny"},
	};
	scan(fx, "2026-08-01T00:00:00Z", "path:/t", "m", s, sizeof s / sizeof *s);
	mamori_findings all;
	all_findings(fx, &all);
	static const char *const texts[] = {
		"bucket", "BUCKET", "prod-LOGS", "S3:::prod", "rule.x", "\u00e9t\u00e9",
		"\u00c9T\u00c9", "\u00c9t\u00e9", "\u516c\u958b", "\u672c\u8a9e\u306e",
		"\u672c", "ny", "%_", "needle%_", "\"quotes\"", "le%", "zzz-nowhere", "t", "a",
		/* several words: the index is asked for the rare-looking one */
		"and \"quotes\" in", "%_ and", "S3 bucket ALLOWS", "on-Logs x"};
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		size_t want = text_brute(&all, texts[i]);
		mamori_query q = MAMORI_QUERY_INIT;
		q.text = texts[i];
		q.limit = 50;
		mamori_findings page;
		mamori_findings_init(&page);
		mamori_page_info info;
		assert_int_equal(mamori_store_find(fx->ctx, fx->store, &q, &page, &info), MAMORI_OK);
		if (page.count != want)
			fail_msg("%s: \"%s\" found %zu, expected %zu", fx->backend, texts[i],
				 page.count, want);
		assert_int_equal(info.total, want);
		for (size_t k = 0; k < page.count; k++)
			assert_true(ascii_ci_contains(page.items[k].title, texts[i]) ||
				    ascii_ci_contains(page.items[k].resources[0].id, texts[i]) ||
				    ascii_ci_contains(page.items[k].generator_id, texts[i]));
		mamori_findings_free(&page);
		mamori_store_summary sum;
		assert_int_equal(mamori_store_summarize(fx->ctx, fx->store, &q, &sum), MAMORI_OK);
		assert_int_equal(sum.total, want);
		mamori_store_summary_free(&sum);
	}
	/* a whole id, or the start of a hash */
	const char *id = all.items[2].id;
	char prefix[16];
	snprintf(prefix, sizeof prefix, "%.10s", strrchr(id, '/') + 1);
	const char *ids[] = {id, prefix};
	for (size_t i = 0; i < 2; i++) {
		mamori_query q = MAMORI_QUERY_INIT;
		q.text = ids[i];
		q.limit = 50;
		mamori_findings page;
		mamori_findings_init(&page);
		assert_int_equal(mamori_store_find(fx->ctx, fx->store, &q, &page, NULL), MAMORI_OK);
		assert_int_equal(page.count, 1);
		assert_string_equal(page.items[0].id, id);
		mamori_findings_free(&page);
	}

	/* the index is there and follows changes of the text */
	bool is_pg = !strcmp(fx->backend, "pg");
	assert_int_equal(sql_number(fx, is_pg ? "SELECT count(*) FROM pg_indexes WHERE indexname = "
					       "'findings_text_trgm'"
					     : "SELECT count(*) FROM sqlite_master WHERE name = "
					       "'findings_fts'"),
			 1);
	spec changed[sizeof s / sizeof *s];
	memcpy(changed, s, sizeof s);
	changed[0].title = "Public S3 bucket allows WRITE";
	scan(fx, "2026-08-02T00:00:00Z", "path:/t", "m", changed, sizeof s / sizeof *s);
	const char *const after[][2] = {{"allows READ", "0"}, {"allows write", "1"}};
	for (size_t i = 0; i < 2; i++) {
		mamori_query q = MAMORI_QUERY_INIT;
		q.text = after[i][0];
		q.limit = 50;
		mamori_findings page;
		mamori_findings_init(&page);
		assert_int_equal(mamori_store_find(fx->ctx, fx->store, &q, &page, NULL), MAMORI_OK);
		assert_int_equal(page.count, (size_t)atoi(after[i][1]));
		mamori_findings_free(&page);
	}
	if (!is_pg) {
		/* what the triggers queued went into the index at commit */
		assert_int_equal(sql_number(fx, "SELECT count(*) FROM findings_fts_queue"), 0);
		/* FTS5 checks its index against the findings themselves */
		assert_int_equal(sql_number(fx, "SELECT count(*) FROM findings_fts WHERE "
						"findings_fts MATCH '\"REA\" AND \"EAD\"'"),
				 0);
		mamori_store_close(fx->store);
		fx->store = NULL;
		sqlite3 *db;
		assert_int_equal(sqlite3_open(fx->location, &db), SQLITE_OK);
		int rc = sqlite3_exec(db, "INSERT INTO findings_fts(findings_fts, rank) VALUES "
					  "('integrity-check', 1)",
				      NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			fail_msg("FTS5 integrity-check: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		assert_int_equal(mamori_store_open(fx->ctx, fx->location, &fx->store), MAMORI_OK);
	} else {
		/* the candidate query of a rare text walks the trigram index */
		mamori_store_close(fx->store);
		fx->store = NULL;
		PGconn *c = PQconnectdb(fx->location);
		PGresult *r = PQexec(c, "SET enable_seqscan = off; EXPLAIN SELECT 1 FROM findings "
					"WHERE " MAMORI_PG_TEXT_EXPR " ILIKE '%allows write%'");
		bool uses = false;
		for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++)
			uses |= strstr(PQgetvalue(r, i, 0), "findings_text_trgm") != NULL;
		PQclear(r);
		PQfinish(c);
		assert_true(uses);
		assert_int_equal(mamori_store_open(fx->ctx, fx->location, &fx->store), MAMORI_OK);
	}
	mamori_findings_free(&all);
}

/* PostgreSQL only: what it refuses, and no password in any message. */
static void pg_refusals(void **state)
{
	fixture *fx = *state;
	if (strcmp(fx->backend, "pg"))
		skip();
	mamori_store *s = NULL;
	char url[700];
	assert_true(pgtmp_createdb(&pg, "alien", url, sizeof url));
	assert_true(pgtmp_sql(&pg, "alien", "CREATE TABLE payroll (x int)"));
	assert_int_equal(mamori_store_open(fx->ctx, url, &s), MAMORI_ESTORE);
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "not a mamori store"));
	assert_int_equal(mamori_store_open(fx->ctx,
					   "postgresql://mamori:s3cretPassw0rd@/nodb?host=/nonexistent",
					   &s),
			 MAMORI_ESTORE);
	assert_null(strstr(mamori_error_last(fx->ctx)->message, "s3cretPassw0rd"));
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "mamori:***@"));
	/* a writer holding the lock makes another wait, then give up cleanly */
	mamori_store *other;
	mamori_ctx *ctx2 = mamori_ctx_new();
	assert_int_equal(mamori_store_open(ctx2, fx->location, &other), MAMORI_OK);
	char lock[800];
	snprintf(lock, sizeof lock, "%s", fx->location);
	PGconn *c = PQconnectdb(lock);
	PGresult *r = PQexec(c, "BEGIN; SELECT pg_advisory_xact_lock(1835101551)");
	PQclear(r);
	mamori_store_set_lock_timeout(other, 300);
	assert_int_equal(mamori_store_set_workflow(ctx2, other, "abcd", MAMORI_WORKFLOW_RESOLVED, "x"),
			 MAMORI_ENOTFOUND);
	spec one[] = {{"arn:l", "111111111111", "us-east-1", "posture", MAMORI_SEV_LOW,
		       MAMORI_COMPLIANCE_NONE, NULL, NULL, NULL}};
	mamori_findings out;
	mamori_findings_init(&out);
	mamori_finding *f = test_finding(&out, "m", "rule.x", one[0].resource);
	assert_int_equal(mamori_finding_finalize(ctx2, &out, f), MAMORI_OK);
	const char *mods[] = {"m"};
	mamori_scan_record rec = {"path:/l", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", mods,
				  1, NULL, 0, "host", NULL};
	mamori_scan_stats st;
	assert_int_equal(mamori_store_record_scan(ctx2, other, &rec, &out, &st), MAMORI_ESTORE);
	assert_non_null(strstr(mamori_error_last(ctx2)->message, "locked"));
	r = PQexec(c, "ROLLBACK");
	PQclear(r);
	PQfinish(c);
	assert_int_equal(mamori_store_record_scan(ctx2, other, &rec, &out, &st), MAMORI_OK);
	mamori_findings_free(&out);
	mamori_store_close(other);
	mamori_ctx_free(ctx2);
}

#define BOTH(f)                                                                        \
	cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, (void *)"sqlite"),  \
		cmocka_unit_test_prestate_setup_teardown(f, setup, teardown, (void *)"pg")

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(pages_filter_sort_and_count),
		BOTH(summary_matches_the_findings),
		BOTH(compliance_scores_and_trend),
		BOTH(resources_facets_and_scans),
		BOTH(life_cycle_history),
		BOTH(migration_backfills_existing_stores),
		BOTH(text_search_same_on_both_backends),
		cmocka_unit_test_prestate_setup_teardown(pg_refusals, setup, teardown, (void *)"pg"),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
