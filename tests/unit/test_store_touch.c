/*
 * Findings observed again with unchanged content only "touch" their row
 * (store.c, store_sqlite.c: the life-cycle columns move, the document
 * stays).  Whatever way the backend applies touches (one statement each,
 * or batched), what must hold, through the public API on a real file:
 *   - archival after the touches sees them: re-observed findings stay
 *     ACTIVE, the one not observed is ARCHIVED;
 *   - LastObservedAt/UpdatedAt move, CreatedAt/FirstObservedAt stay;
 *   - the same finding twice in one scan (the second load sees the first
 *     touch), and a changed finding between touches, come out right;
 *   - nothing is left pending: a second connection reads the same state.
 */
#include "internal.h"
#include "testutil.h"

static mamori_finding *add(mamori_ctx *ctx, mamori_findings *fs, const char *bucket,
			   const char *title)
{
	char arn[128];
	snprintf(arn, sizeof arn, "arn:aws:s3:::%s", bucket);
	mamori_finding *f = test_finding(fs, "m", "rule.public", mamori_findings_strdup(fs, arn));
	f->title = title;
	assert_int_equal(mamori_finding_finalize(ctx, fs, f), MAMORI_OK);
	return f;
}

static void record(mamori_ctx *ctx, mamori_store *st, const char *when, mamori_findings *fs,
		   mamori_scan_stats *stats)
{
	time_t t;
	assert_int_equal(mamori_time_parse(when, &t), 0);
	mamori_ctx_set_now(ctx, t);
	char ts[32];
	mamori_time_format(t, ts);
	const char *mods[] = {"m"};
	mamori_scan_record rec = {"scope", ts, ts, mods, 1, NULL, 0, "host", NULL};
	assert_int_equal(mamori_store_record_scan(ctx, st, &rec, fs, stats), MAMORI_OK);
}

static const mamori_finding *by_bucket(const mamori_findings *fs, const char *bucket)
{
	for (size_t i = 0; i < fs->count; i++)
		if (strstr(fs->items[i].resources[0].id, bucket))
			return &fs->items[i];
	fail_msg("no finding on %s", bucket);
	return NULL;
}

static void check(mamori_ctx *ctx, const char *db, const char *t1, const char *t3)
{
	/* a fresh connection: what was committed, nothing pending */
	mamori_store *st;
	assert_int_equal(mamori_store_open(ctx, db, &st), MAMORI_OK);
	mamori_findings all;
	mamori_findings_init(&all);
	assert_int_equal(mamori_store_query(ctx, st, NULL, &all), MAMORI_OK);
	assert_int_equal(all.count, 4);
	for (int i = 0; i < 3; i++) {
		const char *b = i == 0 ? "a" : i == 1 ? "b" : "d";
		const mamori_finding *f = by_bucket(&all, b);
		assert_int_equal(f->record_state, MAMORI_RECORD_ACTIVE);
		assert_string_equal(f->last_observed_at, t3);
		assert_string_equal(f->updated_at, t3);
		assert_string_equal(f->first_observed_at, t1);
		assert_string_equal(f->created_at, t1);
	}
	assert_string_equal(by_bucket(&all, "b")->title, "b changed");
	const mamori_finding *c = by_bucket(&all, "c");
	assert_int_equal(c->record_state, MAMORI_RECORD_ARCHIVED);
	mamori_findings_free(&all);
	mamori_store_close(st);
}

static void touches_applied_before_archival(void **state)
{
	(void)state;
	char *dir = test_tmpdir("store-touch");
	char *db = test_path(dir, "findings.db");
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_store *st;
	assert_int_equal(mamori_store_open(ctx, db, &st), MAMORI_OK);
	const char *t1 = "2026-01-01T00:00:00Z", *t2 = "2026-01-02T00:00:00Z",
		   *t3 = "2026-01-03T00:00:00Z";
	char f1[32], f3[32];
	time_t t;
	mamori_time_parse(t1, &t);
	mamori_time_format(t, f1);
	mamori_time_parse(t3, &t);
	mamori_time_format(t, f3);

	mamori_scan_stats stats;
	mamori_findings fs;
	mamori_findings_init(&fs);
	add(ctx, &fs, "a", "a"), add(ctx, &fs, "b", "b"), add(ctx, &fs, "c", "c"),
		add(ctx, &fs, "d", "d");
	record(ctx, st, t1, &fs, &stats);
	assert_int_equal(stats.new_findings, 4);
	mamori_findings_free(&fs);

	/* all four again, unchanged: four touches, nothing archived */
	mamori_findings_init(&fs);
	add(ctx, &fs, "a", "a"), add(ctx, &fs, "b", "b"), add(ctx, &fs, "c", "c"),
		add(ctx, &fs, "d", "d");
	record(ctx, st, t2, &fs, &stats);
	assert_int_equal(stats.updated, 4);
	assert_int_equal(stats.archived, 0);
	mamori_findings_free(&fs);

	/* a touched, b changed (a write between touches), a again, d touched,
	 * c gone: archival must see a, b and d observed in this scan */
	mamori_findings_init(&fs);
	add(ctx, &fs, "a", "a"), add(ctx, &fs, "b", "b changed"), add(ctx, &fs, "a", "a"),
		add(ctx, &fs, "d", "d");
	record(ctx, st, t3, &fs, &stats);
	assert_int_equal(stats.archived, 1);
	mamori_findings_free(&fs);
	mamori_store_close(st);

	check(ctx, db, f1, f3);
	mamori_ctx_free(ctx);
	free(db);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(touches_applied_before_archival),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
