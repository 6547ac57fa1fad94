/*
 * store_sqlite.c — the SQLite store backend.
 *
 * One file, WAL mode (readers never block the writer), created 0600 because
 * findings describe weaknesses.  Writers take BEGIN IMMEDIATE so that two
 * `mamori scan` processes serialise instead of deadlocking on a lock
 * upgrade; each waits up to the lock timeout.  Every SQLite failure is
 * mapped to one clear message: locked, read-only, not a store, disk full.
 */
#include "store_backend.h"
#include "store_schema.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	ST_LOAD_STATE,
	ST_INSERT,
	ST_REPLACE,
	ST_TOUCH,
	ST_SET_STATE,
	ST_HISTORY_ADD,
	ST_INSERT_SCAN,
	ST_FINISH_SCAN,
	ST_COUNT
};

/* Statements of select/exec kept prepared, found by their text. */
#define SQL_CACHE 16

typedef struct sqlite_store {
	mamori_store base;
	sqlite3 *db;
	bool readonly;
	bool fts_queue; /* migration 4: text changes to move into FTS5 at commit */
	int lock_timeout_ms;
	sqlite3_stmt *stmts[ST_COUNT];
	sqlite3_stmt *cache[SQL_CACHE];
	unsigned cache_next;
	int query_timeout_ms;
	struct timespec deadline; /* of the running select/exec, when timed */
} sqlite_store;

static sqlite_store *S(mamori_store *s)
{
	return (sqlite_store *)s;
}

/* Map a SQLite failure to a mamori status and one clear message. */
static int fail(mamori_ctx *ctx, sqlite_store *s, int rc, const char *doing)
{
	const char *path = s->base.location;
	int primary = rc & 0xff;
	int c_errno = errno; /* before anything else can change it */
	int sys = s->db ? sqlite3_system_errno(s->db) : 0;
	/* SQLite does not keep errno for every failed write (growing the -shm
	 * file, for one): fall back on what the C library said last */
	if (sys == 0 && primary == SQLITE_IOERR)
		sys = c_errno;
	const char *detail = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
	switch (primary) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: the store is locked by another process (waited %d ms "
					"while %s); try again when it finishes",
					path, s->lock_timeout_ms, doing);
	case SQLITE_READONLY:
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: the store is read-only (while %s); check the file's "
					"and its directory's permissions, or choose another with --db",
					path, doing);
	case SQLITE_FULL:
		return mamori_error_set(ctx, MAMORI_ENOSPC,
					"%s: the disk is full (while %s); nothing of this operation "
					"was saved — free some space and run again",
					path, doing);
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: not a mamori store, or it is corrupt (%s); choose "
					"another file with --db",
					path, detail);
	case SQLITE_CANTOPEN:
		return mamori_error_set(ctx, MAMORI_ESTORE, "%s: cannot open the store: %s%s%s",
					path, detail, sys ? ": " : "", sys ? strerror(sys) : "");
	case SQLITE_IOERR:
		if (sys == ENOSPC || sys == EFBIG || sys == EDQUOT)
			return mamori_error_set(ctx, MAMORI_ENOSPC,
						"%s: %s while %s; nothing of this operation was "
						"saved — free some space and run again",
						path, strerror(sys), doing);
		return mamori_error_set(ctx, MAMORI_ESTORE, "%s: I/O error while %s: %s (%s)%s%s",
					path, doing, detail, sqlite3_errstr(rc), sys ? ": " : "",
					sys ? strerror(sys) : "");
	case SQLITE_NOMEM:
		return mamori_error_set(ctx, MAMORI_ENOMEM, "%s: out of memory while %s", path,
					doing);
	case SQLITE_INTERRUPT:
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: the query took longer than %d ms (while %s); narrow it",
					path, s->query_timeout_ms, doing);
	default:
		return mamori_error_set(ctx, MAMORI_EINTERNAL, "%s: SQLite error while %s: %s", path,
					doing, detail);
	}
}

static int exec(mamori_ctx *ctx, sqlite_store *s, const char *sql, const char *doing)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? MAMORI_OK : fail(ctx, s, rc, doing);
}

/*
 * Some statements do not go through SQLite's busy handler: switching a new
 * file to WAL needs an exclusive lock and fails at once while another
 * process is opening the same new file.  Retry those for the lock timeout.
 */
static int exec_retry(mamori_ctx *ctx, sqlite_store *s, const char *sql, const char *doing)
{
	int waited = 0, pause = 5;
	for (;;) {
		int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return rc == SQLITE_OK ? MAMORI_OK : fail(ctx, s, rc, doing);
		if (waited >= s->lock_timeout_ms)
			return fail(ctx, s, rc, doing);
		sqlite3_sleep(pause);
		waited += pause;
		pause = pause < 100 ? pause * 2 : 100;
	}
}

static int prepare(mamori_ctx *ctx, sqlite_store *s, int which, const char *sql,
		   sqlite3_stmt **out)
{
	if (!s->stmts[which]) {
		int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
					    &s->stmts[which], NULL);
		if (rc != SQLITE_OK)
			return fail(ctx, s, rc, "preparing a statement");
	}
	sqlite3_reset(s->stmts[which]);
	sqlite3_clear_bindings(s->stmts[which]);
	*out = s->stmts[which];
	return MAMORI_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

/* Step a statement expected to finish (no rows). */
static int step_done(mamori_ctx *ctx, sqlite_store *s, sqlite3_stmt *st, const char *doing)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? MAMORI_OK : fail(ctx, s, rc, doing);
}

/* ---- open, migrate, close ---- */

static int schema_version_in_db(mamori_ctx *ctx, sqlite_store *s, int *version)
{
	sqlite3_stmt *st;
	*version = 0;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT name FROM sqlite_master WHERE type='table' AND "
				    "name='schema_migrations'",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "reading the schema");
	rc = sqlite3_step(st);
	bool has_table = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return fail(ctx, s, rc, "reading the schema");
	if (!has_table) {
		rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL);
		if (rc != SQLITE_OK)
			return fail(ctx, s, rc, "reading the schema");
		rc = sqlite3_step(st);
		int objects = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return fail(ctx, s, rc, "reading the schema");
		if (objects > 0)
			return mamori_error_set(ctx, MAMORI_ESTORE,
						"%s: this SQLite database is not a mamori store; "
						"choose another file with --db",
						s->base.location);
		return MAMORI_OK;
	}
	rc = sqlite3_prepare_v2(s->db, "SELECT coalesce(max(version),0) FROM schema_migrations", -1,
				&st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "reading the schema version");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? MAMORI_OK : fail(ctx, s, rc, "reading the schema version");
}

static int migrate(mamori_ctx *ctx, sqlite_store *s)
{
	int have;
	int rc = schema_version_in_db(ctx, s, &have);
	if (rc)
		return rc;
	int want = mamori_store_schema_version();
	if (have > want)
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: the store has schema version %d, newer than this "
					"mamori understands (%d); upgrade mamori",
					s->base.location, have, want);
	if (have == want)
		return MAMORI_OK;
	if (s->readonly)
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: the store needs a schema upgrade (%d to %d) but is "
					"read-only; check its permissions",
					s->base.location, have, want);
	rc = exec(ctx, s, "BEGIN IMMEDIATE", "upgrading the schema");
	if (rc)
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	rc = exec(ctx, s,
		  "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
		  "description TEXT NOT NULL, applied_at TEXT NOT NULL)",
		  "upgrading the schema");
	if (!rc)
		rc = schema_version_in_db(ctx, s, &have);
	size_t n;
	const mamori_migration *m = mamori_store_migrations(&n);
	for (size_t i = 0; rc == MAMORI_OK && i < n; i++) {
		if (m[i].version <= have)
			continue;
		mamori_log(ctx, MAMORI_LOG_INFO, "%s: applying schema migration %d (%s)",
			   s->base.location, m[i].version, m[i].description);
		rc = exec(ctx, s, m[i].sql, "upgrading the schema");
		if (rc)
			break;
		sqlite3_stmt *st;
		int src = sqlite3_prepare_v2(s->db,
					     "INSERT INTO schema_migrations VALUES (?, ?, "
					     "strftime('%Y-%m-%dT%H:%M:%fZ','now'))",
					     -1, &st, NULL);
		if (src != SQLITE_OK) {
			rc = fail(ctx, s, src, "upgrading the schema");
			break;
		}
		sqlite3_bind_int(st, 1, m[i].version);
		sqlite3_bind_text(st, 2, m[i].description, -1, SQLITE_STATIC);
		src = sqlite3_step(st);
		sqlite3_finalize(st);
		if (src != SQLITE_DONE)
			rc = fail(ctx, s, src, "upgrading the schema");
	}
	if (rc == MAMORI_OK)
		rc = exec(ctx, s, "COMMIT", "upgrading the schema");
	if (rc)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void sqlite_close(mamori_store *base)
{
	sqlite_store *s = S(base);
	for (int i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(s->stmts[i]);
	for (int i = 0; i < SQL_CACHE; i++)
		sqlite3_finalize(s->cache[i]);
	if (s->db && !s->readonly)
		sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
	sqlite3_close_v2(s->db);
	free(s->base.location);
	free(s);
}

static int sqlite_current_version(mamori_store *base)
{
	mamori_ctx *ctx = mamori_ctx_new();
	int v = 0;
	schema_version_in_db(ctx, S(base), &v);
	mamori_ctx_free(ctx);
	return v;
}

/* Called every few thousand VM steps: non-zero interrupts the statement. */
static int past_deadline(void *ud)
{
	sqlite_store *s = ud;
	if (!s->deadline.tv_sec)
		return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > s->deadline.tv_sec ||
	       (now.tv_sec == s->deadline.tv_sec && now.tv_nsec > s->deadline.tv_nsec);
}

static void sqlite_set_query_timeout(mamori_store *base, int ms)
{
	sqlite_store *s = S(base);
	s->query_timeout_ms = ms;
	sqlite3_progress_handler(s->db, ms ? 4000 : 0, ms ? past_deadline : NULL, s);
}

/* Arm (or, after the statement, disarm) the query timeout. */
static void arm(sqlite_store *s, bool on)
{
	memset(&s->deadline, 0, sizeof s->deadline);
	if (!on || !s->query_timeout_ms)
		return;
	clock_gettime(CLOCK_MONOTONIC, &s->deadline);
	s->deadline.tv_sec += s->query_timeout_ms / 1000;
	s->deadline.tv_nsec += (long)(s->query_timeout_ms % 1000) * 1000000L;
	if (s->deadline.tv_nsec >= 1000000000L)
		s->deadline.tv_sec++, s->deadline.tv_nsec -= 1000000000L;
}

static void sqlite_set_lock_timeout(mamori_store *base, int ms)
{
	S(base)->lock_timeout_ms = ms;
	sqlite3_busy_timeout(S(base)->db, ms);
}

/* ---- transactions ---- */

static int sqlite_begin(mamori_ctx *ctx, mamori_store *base)
{
	sqlite_store *s = S(base);
	if (s->readonly)
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: the store is read-only; check the file's and its "
					"directory's permissions, or choose another with --db",
					base->location);
	/* see "writes" below: no statement journal */
	int rc = exec(ctx, s, "PRAGMA foreign_keys=OFF; BEGIN IMMEDIATE", "starting a write");
	if (rc)
		sqlite3_exec(s->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	return rc;
}

/* The text the triggers queued goes into the FTS5 index in one statement
 * (store_schema.c says why), inside the transaction it belongs to. */
static int flush_fts(mamori_ctx *ctx, sqlite_store *s)
{
	return s->fts_queue ? exec(ctx, s, MAMORI_FTS_FLUSH, "indexing the findings' text")
			    : MAMORI_OK;
}

static int sqlite_commit(mamori_ctx *ctx, mamori_store *base)
{
	int rc = flush_fts(ctx, S(base));
	if (!rc)
		rc = exec(ctx, S(base), "COMMIT", "saving");
	/* a failed COMMIT leaves the transaction open: rollback() turns them on */
	if (!rc)
		sqlite3_exec(S(base)->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	return rc;
}

/* After the migrations: does the store queue text changes (migration 4)?
 * One left by a writer that is not mamori (the sqlite3 shell) is indexed
 * now, so that searches see it. */
static int open_fts_queue(mamori_ctx *ctx, sqlite_store *s)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT count(*) FROM sqlite_master WHERE name = "
				    "'findings_fts_queue'",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "opening");
	rc = sqlite3_step(st);
	s->fts_queue = rc == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return fail(ctx, s, rc, "opening");
	if (!s->fts_queue || s->readonly)
		return MAMORI_OK;
	rc = sqlite3_prepare_v2(s->db, "SELECT 1 FROM findings_fts_queue LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "opening");
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return MAMORI_OK;
	if (rc != SQLITE_ROW)
		return fail(ctx, s, rc, "opening");
	int r = exec(ctx, s, "BEGIN IMMEDIATE", "indexing the findings' text");
	if (!r)
		r = sqlite_commit(ctx, &s->base);
	if (r)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static void sqlite_rollback(mamori_store *base)
{
	if (!sqlite3_get_autocommit(S(base)->db))
		sqlite3_exec(S(base)->db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_exec(S(base)->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
}

/* ---- writes ----
 *
 * The statements that write findings fire triggers (store_schema.c), so
 * each may write many rows; one that may also abort half-way (a NOT NULL,
 * an UPSERT's DO UPDATE, an immediate foreign key) makes SQLite keep a
 * statement journal: the original of every page the statement touches,
 * about 56 pages of 16 KiB per finding merged, 13.6 GB of temporary-file
 * writes for a first scan of 30,635 findings (6.7 s of CPU; 3.2 s without).  Nothing needs that statement
 * rollback: every write runs inside begin()..commit() and every caller
 * rolls the whole transaction back on any error.  So the writers say OR
 * FAIL (a failed constraint stops the statement, keeping no undo of its
 * own), the count triggers use no UPSERT (migration 5), and begin() turns
 * foreign-key enforcement off until the transaction ends: an immediate
 * foreign key in a statement that fires triggers may abort, and
 * PRAGMA defer_foreign_keys does not change that.  The references those
 * keys guard are written by store.c in order (a finding's row before its
 * history and controls); test_store checks PRAGMA foreign_key_check after
 * scans, archival and workflow changes.
 */

static char *join(const char *const *items, size_t n)
{
	mamori_buf b = MAMORI_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			mamori_buf_putc(&b, ',');
		mamori_buf_puts(&b, items[i]);
	}
	return mamori_buf_detach(&b);
}

static int sqlite_insert_scan(mamori_ctx *ctx, mamori_store *base, const mamori_scan_record *scan,
			      int64_t *scan_id)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = prepare(ctx, s, ST_INSERT_SCAN,
			 "INSERT INTO scans (target, started_at, finished_at, modules, "
			 "failed_modules, host, actor) VALUES (?,?,?,?,?,?,?)",
			 &st);
	if (rc)
		return rc;
	char *ok = join(scan->modules_ok, scan->modules_ok_count);
	char *failed = join(scan->modules_failed, scan->modules_failed_count);
	bind_text(st, 1, scan->target);
	bind_text(st, 2, scan->started_at);
	bind_text(st, 3, scan->finished_at);
	bind_text(st, 4, ok);
	bind_text(st, 5, failed);
	bind_text(st, 6, scan->host);
	bind_text(st, 7, scan->actor ? scan->actor : mamori_ctx_actor(ctx));
	rc = step_done(ctx, s, st, "recording the scan");
	free(ok);
	free(failed);
	*scan_id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static int sqlite_finish_scan(mamori_ctx *ctx, mamori_store *base, int64_t scan_id,
			      size_t findings, const mamori_scan_stats *stats)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = prepare(ctx, s, ST_FINISH_SCAN,
			 "UPDATE scans SET findings=?, new_findings=?, archived=? WHERE id=?", &st);
	if (rc)
		return rc;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)findings);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)stats->new_findings);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)stats->archived);
	sqlite3_bind_int64(st, 4, scan_id);
	return step_done(ctx, s, st, "recording the scan");
}

static void read_state(sqlite3_stmt *st, int first, mamori_store_state *out)
{
	out->exists = true;
	snprintf(out->created_at, sizeof out->created_at, "%s", col_text(st, first));
	snprintf(out->first_observed_at, sizeof out->first_observed_at, "%s",
		 col_text(st, first + 1));
	out->workflow = sqlite3_column_int(st, first + 2);
	out->record_state = sqlite3_column_int(st, first + 3);
	out->compliance = sqlite3_column_int(st, first + 4);
	out->severity = sqlite3_column_int(st, first + 5);
	snprintf(out->doc_hash, sizeof out->doc_hash, "%s", col_text(st, first + 6));
	snprintf(out->last_observed_at, sizeof out->last_observed_at, "%s",
		 col_text(st, first + 7));
}


static int sqlite_load_state(mamori_ctx *ctx, mamori_store *base, const char *id,
			     mamori_store_state *out)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	memset(out, 0, sizeof *out);
	int rc = prepare(ctx, s, ST_LOAD_STATE,
			 "SELECT " MAMORI_STORE_STATE_COLUMNS " FROM findings WHERE id=?", &st);
	if (rc)
		return rc;
	bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_state(st, 0, out);
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? MAMORI_OK : fail(ctx, s, rc, "reading a finding");
}

/* The columns of a finding's row, bound as ?1..?22 (the update names the
 * ones it changes by number). */
static void bind_row(sqlite3_stmt *st, const mamori_finding *f, const char *scope,
		     int64_t scan_id, const mamori_store_doc *doc)
{
	const char *hash = strrchr(f->id, '/');
	bind_text(st, 1, f->id);
	bind_text(st, 2, hash ? hash + 1 : f->id);
	bind_text(st, 3, f->module);
	bind_text(st, 4, f->pillar);
	bind_text(st, 5, f->generator_id);
	bind_text(st, 6, f->aws_account_id);
	bind_text(st, 7, f->region);
	bind_text(st, 8, scope);
	bind_text(st, 9, f->resource_count ? f->resources[0].type : NULL);
	bind_text(st, 10, f->resource_count ? f->resources[0].id : NULL);
	sqlite3_bind_int(st, 11, (int)f->severity);
	sqlite3_bind_int(st, 12, (int)f->compliance);
	sqlite3_bind_int(st, 13, (int)f->workflow);
	sqlite3_bind_int(st, 14, (int)f->record_state);
	bind_text(st, 15, f->title);
	bind_text(st, 16, f->created_at);
	bind_text(st, 17, f->updated_at);
	bind_text(st, 18, f->first_observed_at);
	bind_text(st, 19, f->last_observed_at);
	sqlite3_bind_int64(st, 20, scan_id);
	bind_text(st, 21, doc->hash);
	sqlite3_bind_text(st, 22, doc->data, (int)doc->len, SQLITE_STATIC);
}

static int write_row(mamori_ctx *ctx, sqlite_store *s, int which, const char *sql,
		     const mamori_finding *f, const char *scope, int64_t scan_id,
		     const mamori_store_doc *doc)
{
	sqlite3_stmt *st;
	int rc = prepare(ctx, s, which, sql, &st);
	if (rc)
		return rc;
	bind_row(st, f, scope, scan_id, doc);
	return step_done(ctx, s, st, "saving a finding");
}

/* An update, or an insert when no row changed: an UPSERT's DO UPDATE would
 * bring back the statement journal (see "writes" above). */
static int sqlite_upsert(mamori_ctx *ctx, mamori_store *base, const mamori_finding *f,
			 const char *scope, int64_t scan_id, const mamori_store_doc *doc)
{
	sqlite_store *s = S(base);
	if (doc->known) {
		int rc = write_row(ctx, s, ST_REPLACE,
				   "UPDATE OR FAIL findings SET pillar=?4, scope=?8, resource_type=?9, "
				   "resource_id=?10, severity=?11, compliance=?12, workflow=?13, "
				   "record_state=?14, title=?15, updated_at=?17, first_observed_at=?18, "
				   "last_observed_at=?19, "
				   "last_scan_id=?20, doc_hash=?21, doc=?22 WHERE id=?1",
				   f, scope, scan_id, doc);
		if (rc || sqlite3_changes(s->db) > 0)
			return rc;
	}
	return write_row(ctx, s, ST_INSERT,
			 "INSERT OR FAIL INTO findings (id, hash, module, pillar, generator_id, "
			 "account, region, scope, resource_type, resource_id, severity, compliance, "
			 "workflow, record_state, title, created_at, updated_at, first_observed_at, "
			 "last_observed_at, last_scan_id, doc_hash, doc) "
			 "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			 f, scope, scan_id, doc);
}

static int sqlite_touch(mamori_ctx *ctx, mamori_store *base, const mamori_finding *f,
			const char *scope, int64_t scan_id)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = prepare(ctx, s, ST_TOUCH,
			 "UPDATE OR FAIL findings SET scope=?, workflow=?, record_state=?, compliance=?, "
			 "updated_at=?, first_observed_at=?, last_observed_at=?, last_scan_id=? "
			 "WHERE id=?",
			 &st);
	if (rc)
		return rc;
	bind_text(st, 1, scope);
	sqlite3_bind_int(st, 2, (int)f->workflow);
	sqlite3_bind_int(st, 3, (int)f->record_state);
	/* archival may have set the column to PASSED: the content says otherwise */
	sqlite3_bind_int(st, 4, (int)f->compliance);
	bind_text(st, 5, f->updated_at);
	bind_text(st, 6, f->first_observed_at);
	bind_text(st, 7, f->last_observed_at);
	sqlite3_bind_int64(st, 8, scan_id);
	bind_text(st, 9, f->id);
	return step_done(ctx, s, st, "saving a finding");
}

static int sqlite_set_state(mamori_ctx *ctx, mamori_store *base, const char *id, int workflow,
			    int record_state, int compliance, const char *updated_at)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = prepare(ctx, s, ST_SET_STATE,
			 "UPDATE OR FAIL findings SET workflow=?, record_state=?, compliance=?, "
			 "updated_at=? WHERE id=?",
			 &st);
	if (rc)
		return rc;
	sqlite3_bind_int(st, 1, workflow);
	sqlite3_bind_int(st, 2, record_state);
	sqlite3_bind_int(st, 3, compliance);
	bind_text(st, 4, updated_at);
	bind_text(st, 5, id);
	return step_done(ctx, s, st, "updating a finding");
}

static int sqlite_add_history(mamori_ctx *ctx, mamori_store *base, const char *finding_id,
			      const mamori_history_entry *e)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = prepare(ctx, s, ST_HISTORY_ADD,
			 "INSERT INTO finding_history (finding_id, at, actor, event, from_value, "
			 "to_value, reason, scan_id) VALUES (?,?,?,?,?,?,?,?)",
			 &st);
	if (rc)
		return rc;
	bind_text(st, 1, finding_id);
	bind_text(st, 2, e->at);
	bind_text(st, 3, e->actor);
	bind_text(st, 4, e->event);
	bind_text(st, 5, e->from);
	bind_text(st, 6, e->to);
	bind_text(st, 7, e->reason);
	if (e->scan_id)
		sqlite3_bind_int64(st, 8, e->scan_id);
	else
		sqlite3_bind_null(st, 8);
	return step_done(ctx, s, st, "recording finding history");
}

static int sqlite_list_stale(mamori_ctx *ctx, mamori_store *base, const char *scope,
			     const char *module, int64_t scan_id, mamori_store_stale **out,
			     size_t *count)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	*out = NULL;
	*count = 0;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT id, " MAMORI_STORE_STATE_COLUMNS " FROM findings WHERE scope=? AND "
				    "module=? AND record_state=0 AND last_scan_id<>?",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "finding archived findings");
	bind_text(st, 1, scope);
	bind_text(st, 2, module);
	sqlite3_bind_int64(st, 3, scan_id);
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == cap) {
			cap = cap ? cap * 2 : 16;
			*out = mamori_xrealloc(*out, cap * sizeof **out);
		}
		mamori_store_stale *x = &(*out)[(*count)++];
		x->id = mamori_xstrdup(col_text(st, 0));
		read_state(st, 1, &x->state);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? MAMORI_OK : fail(ctx, s, rc, "finding archived findings");
}

/* ---- reads ---- */


static int read_rows(mamori_ctx *ctx, sqlite_store *s, sqlite3_stmt *st, mamori_findings *out)
{
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		mamori_store_state state;
		read_state(st, 0, &state);
		int r = mamori_store_row_to_finding(ctx, out, col_text(st, 9),
						    (size_t)sqlite3_column_bytes(st, 9), &state,
						    col_text(st, 8), state.last_observed_at);
		if (r)
			return r;
	}
	return rc == SQLITE_DONE ? MAMORI_OK : fail(ctx, s, rc, "reading findings");
}

static int sqlite_query(mamori_ctx *ctx, mamori_store *base, const mamori_filter *f,
			mamori_findings *out)
{
	sqlite_store *s = S(base);
	mamori_buf sql = MAMORI_BUF_INIT;
	mamori_buf_puts(&sql, "SELECT " MAMORI_STORE_ROW_COLUMNS " FROM findings WHERE 1=1");
	/* parameters are numbered so each value is bound once whatever the clause */
	if (f->min_severity >= 0)
		mamori_buf_puts(&sql, " AND severity >= ?1");
	if (f->module)
		mamori_buf_puts(&sql, " AND (module = ?2 OR pillar = ?2)");
	if (f->account)
		mamori_buf_puts(&sql, " AND account = ?3");
	if (f->resource)
		mamori_buf_puts(&sql, " AND instr(resource_id, ?4) > 0");
	if (f->generator)
		mamori_buf_puts(&sql, " AND generator_id = ?5");
	if (f->workflow >= 0)
		mamori_buf_puts(&sql, " AND workflow = ?6");
	if (f->record_state >= 0)
		mamori_buf_puts(&sql, " AND record_state = ?7");
	if (f->compliance >= 0)
		mamori_buf_puts(&sql, " AND compliance = ?8");
	if (f->since)
		mamori_buf_puts(&sql, " AND last_observed_at >= ?9");
	if (f->target)
		mamori_buf_puts(&sql, " AND scope = ?10");
	if (f->open_only)
		mamori_buf_printf(&sql,
				  " AND record_state = %d AND workflow NOT IN (%d, %d) AND "
				  "compliance <> %d",
				  MAMORI_RECORD_ACTIVE, MAMORI_WORKFLOW_SUPPRESSED,
				  MAMORI_WORKFLOW_RESOLVED, MAMORI_COMPLIANCE_PASSED);
	mamori_buf_puts(&sql, " ORDER BY severity DESC, last_observed_at DESC, id");
	if (f->limit)
		mamori_buf_printf(&sql, " LIMIT %zu", f->limit);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql.data, -1, &st, NULL);
	mamori_buf_free(&sql);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "querying findings");
	if (f->min_severity >= 0)
		sqlite3_bind_int(st, 1, f->min_severity);
	bind_text(st, 2, f->module);
	bind_text(st, 3, f->account);
	bind_text(st, 4, f->resource);
	bind_text(st, 5, f->generator);
	if (f->workflow >= 0)
		sqlite3_bind_int(st, 6, f->workflow);
	if (f->record_state >= 0)
		sqlite3_bind_int(st, 7, f->record_state);
	if (f->compliance >= 0)
		sqlite3_bind_int(st, 8, f->compliance);
	bind_text(st, 9, f->since);
	bind_text(st, 10, f->target);
	rc = read_rows(ctx, s, st, out);
	sqlite3_finalize(st);
	return rc;
}

static int sqlite_resolve_id(mamori_ctx *ctx, mamori_store *base, const char *id, char **full)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	*full = NULL;
	const char *prefix;
	int prc = mamori_store_id_prefix(ctx, id, &prefix);
	if (prc)
		return prc;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT id FROM findings WHERE id = ?1 OR (hash >= ?2 AND hash < "
				    "?2 || 'g') LIMIT 2",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "looking up a finding");
	bind_text(st, 1, id);
	bind_text(st, 2, prefix);
	int found = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (found++ == 0)
			*full = mamori_xstrdup(col_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(*full);
		*full = NULL;
		return fail(ctx, s, rc, "looking up a finding");
	}
	if (found == 0)
		return mamori_error_set(ctx, MAMORI_ENOTFOUND, "no finding with id %s in %s", id,
					base->location);
	if (found > 1) {
		free(*full);
		*full = NULL;
		return mamori_error_set(ctx, MAMORI_EAMBIGUOUS,
					"finding id prefix %s matches several findings; give more "
					"characters",
					prefix);
	}
	return MAMORI_OK;
}

static int sqlite_get(mamori_ctx *ctx, mamori_store *base, const char *id, mamori_findings *out)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT " MAMORI_STORE_ROW_COLUMNS " FROM findings WHERE id=?", -1,
				    &st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "reading a finding");
	bind_text(st, 1, id);
	size_t before = out->count;
	rc = read_rows(ctx, s, st, out);
	sqlite3_finalize(st);
	if (!rc && out->count == before)
		return mamori_error_set(ctx, MAMORI_ENOTFOUND, "no finding with id %s", id);
	return rc;
}

static int sqlite_history(mamori_ctx *ctx, mamori_store *base, const char *id, mamori_history *h)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT at, actor, event, from_value, to_value, reason, "
				    "coalesce(scan_id,0) FROM finding_history WHERE finding_id=? "
				    "ORDER BY id",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "reading history");
	bind_text(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		mamori_history_entry e = {
			col_text(st, 0),
			col_text(st, 1),
			col_text(st, 2),
			(const char *)sqlite3_column_text(st, 3),
			(const char *)sqlite3_column_text(st, 4),
			(const char *)sqlite3_column_text(st, 5),
			sqlite3_column_int64(st, 6),
		};
		mamori_history_push(h, &e);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? MAMORI_OK : fail(ctx, s, rc, "reading history");
}

static int sqlite_list_scans(mamori_ctx *ctx, mamori_store *base, size_t limit,
			     mamori_scan_info **out, size_t *count, mamori_arena *arena)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	*out = NULL;
	*count = 0;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT id, target, started_at, finished_at, modules, "
				    "coalesce(host,''), findings, archived, new_findings, "
				    "failed_modules, coalesce(actor,'') FROM scans ORDER BY id "
				    "DESC LIMIT ?",
				    -1, &st, NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "listing scans");
	sqlite3_bind_int64(st, 1, limit ? (sqlite3_int64)limit : -1);
	size_t cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*count == cap) {
			cap = cap ? cap * 2 : 16;
			mamori_scan_info *n = mamori_arena_alloc(arena, cap * sizeof *n);
			if (*count)
				memcpy(n, *out, *count * sizeof *n);
			*out = n;
		}
		mamori_scan_info *i = &(*out)[(*count)++];
		i->id = sqlite3_column_int64(st, 0);
		i->target = mamori_arena_strdup(arena, col_text(st, 1));
		i->started_at = mamori_arena_strdup(arena, col_text(st, 2));
		i->finished_at = mamori_arena_strdup(arena, col_text(st, 3));
		i->modules = mamori_arena_strdup(arena, col_text(st, 4));
		i->host = mamori_arena_strdup(arena, col_text(st, 5));
		i->findings = (size_t)sqlite3_column_int64(st, 6);
		i->archived = (size_t)sqlite3_column_int64(st, 7);
		i->new_findings = (size_t)sqlite3_column_int64(st, 8);
		i->failed_modules = mamori_arena_strdup(arena, col_text(st, 9));
		i->actor = mamori_arena_strdup(arena, col_text(st, 10));
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? MAMORI_OK : fail(ctx, s, rc, "listing scans");
}

/* ---- generic statements (store_query.c) ---- */

static int cached(mamori_ctx *ctx, sqlite_store *s, const char *sql, sqlite3_stmt **out)
{
	for (int i = 0; i < SQL_CACHE; i++) {
		if (s->cache[i] && strcmp(sqlite3_sql(s->cache[i]), sql) == 0) {
			sqlite3_reset(s->cache[i]);
			sqlite3_clear_bindings(s->cache[i]);
			*out = s->cache[i];
			return MAMORI_OK;
		}
	}
	unsigned slot = s->cache_next++ % SQL_CACHE;
	sqlite3_finalize(s->cache[slot]);
	s->cache[slot] = NULL;
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->cache[slot], NULL);
	if (rc != SQLITE_OK)
		return fail(ctx, s, rc, "preparing a query");
	*out = s->cache[slot];
	return MAMORI_OK;
}

static void bind_params(sqlite3_stmt *st, const mamori_sql_param *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i].is_num)
			sqlite3_bind_int64(st, (int)i + 1, p[i].num);
		else
			bind_text(st, (int)i + 1, p[i].text);
	}
}

static int sqlite_select(mamori_ctx *ctx, mamori_store *base, const char *sql,
			 const mamori_sql_param *params, size_t nparams, mamori_sql_row_fn row,
			 void *userdata)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = cached(ctx, s, sql, &st);
	if (rc)
		return rc;
	bind_params(st, params, nparams);
	arm(s, true);
	int ncols = sqlite3_column_count(st);
	const char *cols[64];
	if (ncols > 64)
		ncols = 64;
	int out = MAMORI_OK;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < ncols; i++)
			cols[i] = (const char *)sqlite3_column_text(st, i);
		out = row(userdata, cols, (size_t)ncols);
		if (out)
			break;
	}
	arm(s, false);
	sqlite3_reset(st);
	if (out)
		return out;
	return rc == SQLITE_DONE ? MAMORI_OK : fail(ctx, s, rc, "querying the store");
}

static int sqlite_exec_params(mamori_ctx *ctx, mamori_store *base, const char *sql,
			      const mamori_sql_param *params, size_t nparams)
{
	sqlite_store *s = S(base);
	sqlite3_stmt *st;
	int rc = cached(ctx, s, sql, &st);
	if (rc)
		return rc;
	bind_params(st, params, nparams);
	arm(s, true);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	arm(s, false);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? MAMORI_OK : fail(ctx, s, rc, "writing to the store");
}

static const mamori_store_ops sqlite_ops = {
	.name = "sqlite",
	.dialect = MAMORI_SQL_SQLITE,
	.close = sqlite_close,
	.current_version = sqlite_current_version,
	.set_lock_timeout = sqlite_set_lock_timeout,
	.set_query_timeout = sqlite_set_query_timeout,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.insert_scan = sqlite_insert_scan,
	.finish_scan = sqlite_finish_scan,
	.load_state = sqlite_load_state,
	.upsert = sqlite_upsert,
	.touch = sqlite_touch,
	.set_state = sqlite_set_state,
	.add_history = sqlite_add_history,
	.list_stale = sqlite_list_stale,
	.query = sqlite_query,
	.resolve_id = sqlite_resolve_id,
	.get = sqlite_get,
	.history = sqlite_history,
	.list_scans = sqlite_list_scans,
	.select = sqlite_select,
	.exec = sqlite_exec_params,
};

int mamori_store_sqlite_open(mamori_ctx *ctx, const char *path, mamori_store **out)
{
	*out = NULL;
	struct stat stbuf;
	if (stat(path, &stbuf) == 0 && S_ISDIR(stbuf.st_mode))
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: is a directory; --db takes a file path", path);
	if (access(path, F_OK) != 0) {
		/* create it private: findings describe weaknesses */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return mamori_error_set(ctx, MAMORI_ESTORE,
						"%s: cannot create the store: %s", path,
						strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	sqlite_store *s = mamori_xcalloc(1, sizeof *s);
	s->base.ops = &sqlite_ops;
	s->base.location = mamori_xstrdup(path);
	s->lock_timeout_ms = 30000;
	int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		int r = fail(ctx, s, rc, "opening");
		sqlite_close(&s->base);
		return r;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, s->lock_timeout_ms);
	s->readonly = sqlite3_db_readonly(s->db, "main") == 1;
	int r = MAMORI_OK;
	/* 16 KiB pages hold several ~2 KB finding rows; 4 KiB pages waste half.
	 * Only a new, empty file takes it (WAL fixes the size once set). */
	if (!s->readonly)
		r = exec(ctx, s, "PRAGMA page_size=16384", "opening");
	if (!r && !s->readonly)
		r = exec_retry(ctx, s, "PRAGMA journal_mode=WAL", "opening");
	if (!r)
		r = exec(ctx, s, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536", "opening");
	if (!r)
		r = migrate(ctx, s);
	if (!r)
		r = open_fts_queue(ctx, s);
	if (r) {
		sqlite_close(&s->base);
		return r;
	}
	*out = &s->base;
	return MAMORI_OK;
}
