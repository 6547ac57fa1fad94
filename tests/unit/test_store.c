/*
 * The SQLite store against real files: Security Hub's life cycle (first and
 * last observation, archival, automatic workflow transitions), workflow
 * history, id prefixes, schema versions, locks, and concurrent writers.
 */
#include "internal.h"
#include "store_backend.h"
#include "testutil.h"

#include <sqlite3.h>
#include <sys/wait.h>

typedef struct fixture {
	char *dir;
	char *db;
	mamori_ctx *ctx;
	mamori_store *store;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof *fx);
	fx->dir = test_tmpdir("store");
	fx->db = test_path(fx->dir, "findings.db");
	fx->ctx = mamori_ctx_new();
	mamori_ctx_set_actor(fx->ctx, "tester@host");
	assert_int_equal(mamori_store_open(fx->ctx, fx->db, &fx->store), MAMORI_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	mamori_store_close(fx->store);
	mamori_ctx_free(fx->ctx);
	free(fx->db);
	free(fx->dir);
	free(fx);
	return 0;
}

/* One "scan" of module m over scope: findings on the given buckets, each a
 * check with the given compliance (NONE for a plain finding). */
typedef struct produced {
	const char *bucket;
	mamori_compliance compliance;
} produced;

static int scan(fixture *fx, const char *when, const char *scope, const char *module,
		bool module_ok, const produced *p, size_t n, mamori_scan_stats *stats,
		mamori_findings *out)
{
	time_t t;
	assert_int_equal(mamori_time_parse(when, &t), 0);
	mamori_ctx_set_now(fx->ctx, t);
	mamori_findings_init(out);
	for (size_t i = 0; i < n; i++) {
		char arn[256];
		snprintf(arn, sizeof arn, "arn:aws:s3:::%s", p[i].bucket);
		mamori_finding *f = test_finding(out, module, "rule.public", mamori_findings_strdup(out, arn));
		f->compliance = p[i].compliance;
		assert_int_equal(mamori_finding_finalize(fx->ctx, out, f), MAMORI_OK);
	}
	char ts[32];
	mamori_time_format(t, ts);
	const char *mods[] = {module};
	mamori_scan_record rec = {scope, ts, ts, module_ok ? mods : NULL, module_ok ? 1 : 0,
				  module_ok ? NULL : mods, module_ok ? 0 : 1, "host", NULL};
	return mamori_store_record_scan(fx->ctx, fx->store, &rec, out, stats);
}

static const mamori_finding *find(const mamori_findings *fs, const char *bucket)
{
	for (size_t i = 0; i < fs->count; i++)
		if (strstr(fs->items[i].resources[0].id, bucket))
			return &fs->items[i];
	return NULL;
}

static mamori_finding get(fixture *fx, mamori_findings *holder, const char *id)
{
	mamori_findings_init(holder);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, id, holder, NULL), MAMORI_OK);
	return holder->items[0];
}

static void file_is_private_and_in_wal_mode(void **state)
{
	fixture *fx = *state;
	struct stat st;
	assert_int_equal(stat(fx->db, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(mamori_store_current_version(fx->store), mamori_store_schema_version());
	sqlite3 *db;
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
	sqlite3_finalize(s);
	sqlite3_close(db);
}

static void life_cycle_follows_security_hub(void **state)
{
	fixture *fx = *state;
	mamori_scan_stats st;
	mamori_findings r1, r2, r3, r4, r5, h;
	produced first[] = {{"check-bucket", MAMORI_COMPLIANCE_FAILED}, {"plain", MAMORI_COMPLIANCE_NONE}};
	assert_int_equal(scan(fx, "2026-01-01T00:00:00Z", "path:/x", "m", true, first, 2, &st, &r1), 0);
	assert_int_equal(st.new_findings, 2);
	assert_int_equal(st.archived, 0);
	char *check_id = strdup(find(&r1, "check-bucket")->id);
	char *plain_id = strdup(find(&r1, "plain")->id);
	assert_string_equal(find(&r1, "plain")->first_observed_at, "2026-01-01T00:00:00.000Z");
	assert_int_equal(find(&r1, "plain")->workflow, MAMORI_WORKFLOW_NEW);

	/* seen again: CreatedAt and FirstObservedAt stay, LastObservedAt moves; plain is gone */
	produced second[] = {{"check-bucket", MAMORI_COMPLIANCE_FAILED}};
	assert_int_equal(scan(fx, "2026-01-02T00:00:00Z", "path:/x", "m", true, second, 1, &st, &r2), 0);
	assert_int_equal(st.updated, 1);
	assert_int_equal(st.archived, 1);
	mamori_finding c = get(fx, &h, check_id);
	assert_string_equal(c.created_at, "2026-01-01T00:00:00.000Z");
	assert_string_equal(c.first_observed_at, "2026-01-01T00:00:00.000Z");
	assert_string_equal(c.last_observed_at, "2026-01-02T00:00:00.000Z");
	assert_int_equal(c.record_state, MAMORI_RECORD_ACTIVE);
	mamori_findings_free(&h);
	mamori_finding p = get(fx, &h, plain_id);
	assert_int_equal(p.record_state, MAMORI_RECORD_ARCHIVED);
	assert_int_equal(p.compliance, MAMORI_COMPLIANCE_NONE); /* not a check */
	mamori_findings_free(&h);

	/* the check disappears: ARCHIVED, PASSED, and (a control) RESOLVED */
	assert_int_equal(scan(fx, "2026-01-03T00:00:00Z", "path:/x", "m", true, NULL, 0, &st, &r3), 0);
	assert_int_equal(st.archived, 1);
	c = get(fx, &h, check_id);
	assert_int_equal(c.record_state, MAMORI_RECORD_ARCHIVED);
	assert_int_equal(c.compliance, MAMORI_COMPLIANCE_PASSED);
	assert_int_equal(c.workflow, MAMORI_WORKFLOW_RESOLVED);
	mamori_findings_free(&h);

	/* and comes back failing: ACTIVE again, workflow reset to NEW */
	assert_int_equal(scan(fx, "2026-01-04T00:00:00Z", "path:/x", "m", true, second, 1, &st, &r4), 0);
	assert_int_equal(st.reactivated, 1);
	const mamori_finding *back = find(&r4, "check-bucket");
	assert_int_equal(back->workflow, MAMORI_WORKFLOW_NEW);
	assert_string_equal(back->first_observed_at, "2026-01-01T00:00:00.000Z");
	c = get(fx, &h, check_id);
	assert_int_equal(c.record_state, MAMORI_RECORD_ACTIVE);
	assert_int_equal(c.compliance, MAMORI_COMPLIANCE_FAILED);
	assert_int_equal(c.workflow, MAMORI_WORKFLOW_NEW);
	mamori_findings_free(&h);

	/* suppressed stays suppressed when seen again */
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, check_id,
						   MAMORI_WORKFLOW_SUPPRESSED, "accepted risk: CDN origin"),
			 MAMORI_OK);
	assert_int_equal(scan(fx, "2026-01-05T00:00:00Z", "path:/x", "m", true, second, 1, &st, &r5), 0);
	assert_int_equal(find(&r5, "check-bucket")->workflow, MAMORI_WORKFLOW_SUPPRESSED);
	assert_false(mamori_finding_is_open(find(&r5, "check-bucket")));

	/* the history tells the story, oldest first, with who and why */
	mamori_history hist;
	mamori_history_init(&hist);
	mamori_findings_init(&h);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, check_id, &h, &hist), MAMORI_OK);
	const char *expect[][3] = {
		{"observed", NULL, "HIGH"},	 {"archived", "ACTIVE", "ARCHIVED"},
		{"compliance", "FAILED", "PASSED"}, {"workflow", "NEW", "RESOLVED"},
		{"reactivated", "ARCHIVED", "ACTIVE"}, {"compliance", "PASSED", "FAILED"},
		{"workflow", "RESOLVED", "NEW"},   {"workflow", "NEW", "SUPPRESSED"},
	};
	assert_int_equal(hist.count, sizeof expect / sizeof *expect);
	for (size_t i = 0; i < hist.count; i++) {
		assert_string_equal(hist.items[i].event, expect[i][0]);
		if (expect[i][1])
			assert_string_equal(hist.items[i].from, expect[i][1]);
		assert_string_equal(hist.items[i].to, expect[i][2]);
	}
	assert_string_equal(hist.items[7].actor, "tester@host");
	assert_string_equal(hist.items[7].reason, "accepted risk: CDN origin");
	assert_int_equal(hist.items[7].scan_id, 0);
	assert_string_equal(hist.items[6].actor, "mamori");
	assert_true(hist.items[6].scan_id > 0);
	mamori_history_free(&hist);
	mamori_findings_free(&h);
	mamori_findings *all[] = {&r1, &r2, &r3, &r4, &r5};
	for (size_t i = 0; i < 5; i++)
		mamori_findings_free(all[i]);
	free(check_id);
	free(plain_id);
}

/* One scan of a finding whose observed times come from events (logs). */
static char *scan_events(fixture *fx, const char *when, const char *first, const char *last,
			 mamori_findings *out)
{
	time_t t;
	assert_int_equal(mamori_time_parse(when, &t), 0);
	mamori_ctx_set_now(fx->ctx, t);
	mamori_findings_init(out);
	mamori_finding *f = test_finding(out, "logs", "rule.burst", "arn:aws:iam::111122223333:user/x");
	assert_int_equal(mamori_finding_finalize(fx->ctx, out, f), MAMORI_OK);
	f->first_observed_at = first;
	f->last_observed_at = last;
	f->event_times = true;
	char ts[32];
	mamori_time_format(t, ts);
	const char *mods[] = {"logs"};
	mamori_scan_record rec = {"path:/logs", ts, ts, mods, 1, NULL, 0, "host", NULL};
	mamori_scan_stats st;
	assert_int_equal(mamori_store_record_scan(fx->ctx, fx->store, &rec, out, &st), 0);
	return strdup(f->id);
}

static void event_times_widen_the_observed_range(void **state)
{
	fixture *fx = *state;
	mamori_findings r, h;
	char *id = scan_events(fx, "2026-02-01T00:00:00Z", "2026-01-10T00:00:00.000Z",
			       "2026-01-11T00:00:00.000Z", &r);
	mamori_findings_free(&r);
	mamori_finding f = get(fx, &h, id);
	assert_string_equal(f.created_at, "2026-02-01T00:00:00.000Z");
	assert_string_equal(f.first_observed_at, "2026-01-10T00:00:00.000Z");
	assert_string_equal(f.last_observed_at, "2026-01-11T00:00:00.000Z");
	mamori_findings_free(&h);

	/* an older log read later moves FirstObservedAt back, not LastObservedAt */
	free(scan_events(fx, "2026-02-02T00:00:00Z", "2026-01-05T00:00:00.000Z",
			 "2026-01-06T00:00:00.000Z", &r));
	mamori_findings_free(&r);
	f = get(fx, &h, id);
	assert_string_equal(f.first_observed_at, "2026-01-05T00:00:00.000Z");
	assert_string_equal(f.last_observed_at, "2026-01-11T00:00:00.000Z");
	assert_string_equal(f.created_at, "2026-02-01T00:00:00.000Z");
	mamori_findings_free(&h);

	/* newer events move LastObservedAt only */
	free(scan_events(fx, "2026-02-03T00:00:00Z", "2026-01-12T00:00:00.000Z",
			 "2026-01-13T00:00:00.000Z", &r));
	mamori_findings_free(&r);
	f = get(fx, &h, id);
	assert_string_equal(f.first_observed_at, "2026-01-05T00:00:00.000Z");
	assert_string_equal(f.last_observed_at, "2026-01-13T00:00:00.000Z");
	assert_string_equal(f.updated_at, "2026-02-03T00:00:00.000Z");
	mamori_findings_free(&h);
	free(id);
}

static void failing_module_and_other_scopes_archive_nothing(void **state)
{
	fixture *fx = *state;
	mamori_scan_stats st;
	mamori_findings a, b, c, d, h;
	produced two[] = {{"one", MAMORI_COMPLIANCE_FAILED}, {"two", MAMORI_COMPLIANCE_FAILED}};
	assert_int_equal(scan(fx, "2026-02-01T00:00:00Z", "path:/a", "m", true, two, 2, &st, &a), 0);
	/* module met bad input: it could not see "two", so "two" stays active */
	assert_int_equal(scan(fx, "2026-02-02T00:00:00Z", "path:/a", "m", false, two, 1, &st, &b), 0);
	assert_int_equal(st.archived, 0);
	mamori_finding f = get(fx, &h, find(&a, "two")->id);
	assert_int_equal(f.record_state, MAMORI_RECORD_ACTIVE);
	mamori_findings_free(&h);
	/* another scope, same module: scope /a is untouched */
	assert_int_equal(scan(fx, "2026-02-03T00:00:00Z", "path:/b", "m", true, NULL, 0, &st, &c), 0);
	assert_int_equal(st.archived, 0);
	/* another module, same scope: untouched */
	assert_int_equal(scan(fx, "2026-02-04T00:00:00Z", "path:/a", "other", true, NULL, 0, &st, &d), 0);
	assert_int_equal(st.archived, 0);
	mamori_filter filter = MAMORI_FILTER_INIT;
	filter.target = "path:/a";
	filter.open_only = true;
	mamori_findings q;
	mamori_findings_init(&q);
	assert_int_equal(mamori_store_query(fx->ctx, fx->store, &filter, &q), MAMORI_OK);
	assert_int_equal(q.count, 2);
	mamori_findings_free(&q);
	mamori_findings *all[] = {&a, &b, &c, &d};
	for (size_t i = 0; i < 4; i++)
		mamori_findings_free(all[i]);
}

static void ids_resolve_by_unique_prefix(void **state)
{
	fixture *fx = *state;
	mamori_scan_stats st;
	mamori_findings r, h;
	produced many[40];
	/* ids are hashes: 40 of them exercise the prefix index */
	char names[40][16];
	for (int i = 0; i < 40; i++) {
		snprintf(names[i], sizeof names[i], "b%d", i);
		many[i] = (produced){names[i], MAMORI_COMPLIANCE_FAILED};
	}
	assert_int_equal(scan(fx, "2026-03-01T00:00:00Z", "path:/p", "m", true, many, 40, &st, &r), 0);
	const char *id = r.items[0].id;
	const char *hash = strrchr(id, '/') + 1;
	char prefix[13];
	snprintf(prefix, sizeof prefix, "%s", hash);
	mamori_findings_init(&h);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, prefix, &h, NULL), MAMORI_OK);
	assert_string_equal(h.items[0].id, id);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, id, &h, NULL), MAMORI_OK);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, "abc", &h, NULL), MAMORI_EUSAGE);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, "not-hex!", &h, NULL), MAMORI_EUSAGE);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, "ffffffffffffffff", &h, NULL),
			 MAMORI_ENOTFOUND);
	/* a twin sharing the first 8 hex digits makes that prefix ambiguous */
	sqlite3 *db;
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	char sql[1024];
	snprintf(sql, sizeof sql,
		 "CREATE TEMP TABLE twin AS SELECT * FROM findings WHERE id='%s';"
		 "UPDATE twin SET hash=substr(hash,1,8)||'000000000000000000000000',"
		 " id='mamori/m/'||substr(hash,1,8)||'000000000000000000000000';"
		 "INSERT INTO findings SELECT * FROM twin;",
		 id);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	char p8[9];
	snprintf(p8, sizeof p8, "%s", hash);
	assert_int_equal(mamori_store_get(fx->ctx, fx->store, p8, &h, NULL), MAMORI_EAMBIGUOUS);
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "several"));
	/* one more character tells them apart */
	char p9[10];
	snprintf(p9, sizeof p9, "%s", hash);
	if (p9[8] != '0')
		assert_int_equal(mamori_store_get(fx->ctx, fx->store, p9, &h, NULL), MAMORI_OK);
	mamori_findings_free(&h);
	mamori_findings_free(&r);
}

static void workflow_changes_need_a_reason(void **state)
{
	fixture *fx = *state;
	mamori_scan_stats st;
	mamori_findings r;
	produced one[] = {{"w", MAMORI_COMPLIANCE_FAILED}};
	assert_int_equal(scan(fx, "2026-04-01T00:00:00Z", "path:/w", "m", true, one, 1, &st, &r), 0);
	const char *id = r.items[0].id;
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, id, MAMORI_WORKFLOW_RESOLVED, NULL),
			 MAMORI_EUSAGE);
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, id, MAMORI_WORKFLOW_RESOLVED, "fixed"),
			 MAMORI_OK);
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, id, MAMORI_WORKFLOW_RESOLVED, "again"),
			 MAMORI_EUSAGE);
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "already RESOLVED"));
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, id, MAMORI_WORKFLOW_NEW, "not fixed"),
			 MAMORI_OK);
	mamori_findings_free(&r);
}

static void refuses_what_it_cannot_use(void **state)
{
	fixture *fx = *state;
	mamori_store *s = NULL;
	/* a directory */
	assert_int_equal(mamori_store_open(fx->ctx, fx->dir, &s), MAMORI_ESTORE);
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "directory"));
	/* some other SQLite database */
	char *other = test_path(fx->dir, "other.db");
	sqlite3 *db;
	sqlite3_open(other, &db);
	sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(mamori_store_open(fx->ctx, other, &s), MAMORI_ESTORE);
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "not a mamori store"));
	/* a text file */
	char *text = test_path(fx->dir, "notes.txt");
	test_write(text, "this is not a database, it is a long enough text file to be read........\n");
	assert_int_equal(mamori_store_open(fx->ctx, text, &s), MAMORI_ESTORE);
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "not a mamori store"));
	/* a store from a newer mamori */
	sqlite3_open(fx->db, &db);
	sqlite3_exec(db, "INSERT INTO schema_migrations VALUES (999, 'future', 'x')", NULL, NULL, NULL);
	sqlite3_close(db);
	assert_int_equal(mamori_store_open(fx->ctx, fx->db, &s), MAMORI_ESTORE);
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "newer"));
	free(other);
	free(text);
}

static void a_held_lock_times_out_cleanly(void **state)
{
	fixture *fx = *state;
	sqlite3 *db;
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
	mamori_store_set_lock_timeout(fx->store, 200);
	mamori_scan_stats st;
	mamori_findings r;
	produced one[] = {{"locked", MAMORI_COMPLIANCE_FAILED}};
	assert_int_equal(scan(fx, "2026-05-01T00:00:00Z", "path:/l", "m", true, one, 1, &st, &r),
			 MAMORI_ESTORE);
	assert_non_null(strstr(mamori_error_last(fx->ctx)->message, "locked by another process"));
	mamori_findings_free(&r);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	/* the lock gone, the same scan goes through */
	assert_int_equal(scan(fx, "2026-05-01T00:00:00Z", "path:/l", "m", true, one, 1, &st, &r), 0);
	mamori_findings_free(&r);
}

/* Several processes writing at once lose nothing and corrupt nothing. */
/* Writers run with foreign-key enforcement off inside their transaction
 * (store_sqlite.c: no statement journal): the references must still hold
 * after new, changed, archived and reactivated findings and workflow
 * changes, and the connection must have its enforcement back. */
static void references_hold_after_every_kind_of_write(void **state)
{
	fixture *fx = *state;
	mamori_scan_stats st;
	mamori_findings r1, r2, r3, r4;
	produced a[] = {{"b1", MAMORI_COMPLIANCE_FAILED}, {"b2", MAMORI_COMPLIANCE_PASSED},
			{"b3", MAMORI_COMPLIANCE_NONE}};
	assert_int_equal(scan(fx, "2026-03-01T00:00:00Z", "path:/r", "m", true, a, 3, &st, &r1), 0);
	assert_int_equal(st.new_findings, 3);
	produced b[] = {{"b1", MAMORI_COMPLIANCE_PASSED}, {"b2", MAMORI_COMPLIANCE_FAILED}};
	assert_int_equal(scan(fx, "2026-03-02T00:00:00Z", "path:/r", "m", true, b, 2, &st, &r2), 0);
	assert_int_equal(st.updated, 2);
	assert_int_equal(st.archived, 1);
	assert_int_equal(scan(fx, "2026-03-03T00:00:00Z", "path:/r", "m", true, a, 3, &st, &r3), 0);
	assert_int_equal(st.reactivated, 1);
	assert_int_equal(mamori_store_set_workflow(fx->ctx, fx->store, find(&r3, "b2")->id,
						   MAMORI_WORKFLOW_SUPPRESSED, "accepted"),
			 MAMORI_OK);
	assert_int_equal(scan(fx, "2026-03-04T00:00:00Z", "path:/r", "m", true, a, 3, &st, &r4), 0);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(fx->db, &db), SQLITE_OK);
	sqlite3_stmt *s;
	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA foreign_key_check", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE); /* no dangling reference */
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM finding_history", -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_true(sqlite3_column_int(s, 0) >= 8);
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* the store's own connection enforces the keys again between writes */
	mamori_sql_param p[2] = {{"no-such-finding", 0, false}, {"x", 0, false}};
	assert_int_not_equal(fx->store->ops->exec(fx->ctx, fx->store,
						  "INSERT INTO finding_history (finding_id, at, "
						  "actor, event) VALUES (?1, ?2, ?2, ?2)",
						  p, 2),
			     MAMORI_OK);
	mamori_findings_free(&r1);
	mamori_findings_free(&r2);
	mamori_findings_free(&r3);
	mamori_findings_free(&r4);
}

static void concurrent_writers(void **state)
{
	fixture *fx = *state;
	enum { WRITERS = 4, SCANS = 25, PER_SCAN = 40 };
	for (int w = 0; w < WRITERS; w++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			mamori_ctx *ctx = mamori_ctx_new();
			mamori_store *s;
			if (mamori_store_open(ctx, fx->db, &s))
				_exit(10);
			fixture mine = {fx->dir, fx->db, ctx, s};
			for (int i = 0; i < SCANS; i++) {
				produced p[PER_SCAN];
				char names[PER_SCAN][32];
				for (int j = 0; j < PER_SCAN; j++) {
					snprintf(names[j], sizeof names[j], "w%d-b%d", w, j);
					p[j] = (produced){names[j], MAMORI_COMPLIANCE_FAILED};
				}
				char scope[32];
				snprintf(scope, sizeof scope, "path:/writer%d", w);
				mamori_scan_stats st;
				mamori_findings r;
				if (scan(&mine, "2026-06-01T00:00:00Z", scope, "m", true, p, PER_SCAN, &st, &r))
					_exit(11);
				mamori_findings_free(&r);
			}
			mamori_store_close(s);
			mamori_ctx_free(ctx);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int status;
		wait(&status);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	sqlite3 *db;
	sqlite3_open(fx->db, &db);
	sqlite3_stmt *s;
	sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM scans), (SELECT count(*) FROM findings), "
			       "(SELECT count(*) FROM findings WHERE record_state=0)",
			   -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), WRITERS * SCANS);
	assert_int_equal(sqlite3_column_int(s, 1), WRITERS * PER_SCAN);
	assert_int_equal(sqlite3_column_int(s, 2), WRITERS * PER_SCAN);
	sqlite3_finalize(s);
	sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &s, NULL);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(s, 0), "ok");
	sqlite3_finalize(s);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(file_is_private_and_in_wal_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(life_cycle_follows_security_hub, setup, teardown),
		cmocka_unit_test_setup_teardown(event_times_widen_the_observed_range, setup, teardown),
		cmocka_unit_test_setup_teardown(failing_module_and_other_scopes_archive_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(ids_resolve_by_unique_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(workflow_changes_need_a_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_what_it_cannot_use, setup, teardown),
		cmocka_unit_test_setup_teardown(a_held_lock_times_out_cleanly, setup, teardown),
		cmocka_unit_test_setup_teardown(concurrent_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(references_hold_after_every_kind_of_write, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
