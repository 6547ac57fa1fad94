/*
 * store_pg.c — the PostgreSQL store backend (`--db postgresql://...`), for
 * many hosts reporting into one store.
 *
 * Same schema, same migrations (store_schema.c; PostgreSQL types and
 * triggers where the dialects differ), same life cycle (store.c), with the
 * primitives of store_generic.c run through libpq.  Writers serialise on one
 * transaction-scoped advisory lock, the way SQLite's BEGIN IMMEDIATE does:
 * two hosts merging the same finding at once then see each other's result
 * instead of both believing it new, so nothing is lost or counted twice.
 * Waiting for that lock obeys the lock timeout (lock_timeout).  The
 * connection string's password never appears in a message.
 */
#include "store_backend.h"
#include "store_schema.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pg_advisory_xact_lock key of the store's writers: "mamo" */
#define WRITER_LOCK "1835101551"

typedef struct pg_store {
	mamori_store base;
	PGconn *conn;
	int lock_timeout_ms;
	mamori_buf sql; /* the statement being translated */
} pg_store;

static pg_store *P(mamori_store *s)
{
	return (pg_store *)s;
}

/* The location for messages: the URL without its password. */
static char *redact_conninfo(const char *url)
{
	mamori_buf b = MAMORI_BUF_INIT;
	const char *scheme = strstr(url, "://");
	const char *auth = scheme ? scheme + 3 : url;
	const char *at = strchr(auth, '@');
	const char *slash = strchr(auth, '/');
	const char *colon = strchr(auth, ':');
	if (at && (!slash || at < slash) && colon && colon < at) {
		mamori_buf_append(&b, url, (size_t)(colon - url));
		mamori_buf_puts(&b, ":***");
		url = at;
	}
	/* password=... in the query string */
	for (const char *p = url; *p;) {
		const char *pw = strstr(p, "password=");
		if (!pw) {
			mamori_buf_puts(&b, p);
			break;
		}
		pw += 9;
		mamori_buf_append(&b, p, (size_t)(pw - p));
		mamori_buf_puts(&b, "***");
		p = pw + strcspn(pw, "&");
	}
	return mamori_buf_detach(&b);
}

/* Map a PostgreSQL failure to a status and one clear message. */
static int fail(mamori_ctx *ctx, pg_store *s, PGresult *res, const char *doing)
{
	const char *path = s->base.location;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!primary)
		primary = PQerrorMessage(s->conn);
	char msg[512];
	snprintf(msg, sizeof msg, "%s", primary ? primary : "unknown error");
	msg[strcspn(msg, "\n")] = '\0';
	int code = MAMORI_EINTERNAL;
	if (PQstatus(s->conn) != CONNECTION_OK)
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: lost the connection to PostgreSQL while %s: %s", path,
					doing, msg);
	if (state && (!strcmp(state, "55P03") || !strcmp(state, "40P01") ||
		      !strcmp(state, "40001")))
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: the store is locked by another writer (waited %d ms "
					"while %s); try again when it finishes",
					path, s->lock_timeout_ms, doing);
	if (state && !strcmp(state, "57014"))
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: the query took longer than the query timeout (while %s); "
					"narrow it",
					path, doing);
	if (state && !strcmp(state, "53100"))
		return mamori_error_set(ctx, MAMORI_ENOSPC,
					"%s: the database server's disk is full (while %s); nothing "
					"of this operation was saved",
					path, doing);
	if (state && !strcmp(state, "53200"))
		code = MAMORI_ENOMEM;
	if (state && (!strcmp(state, "25006") || !strcmp(state, "42501")))
		return mamori_error_set(ctx, MAMORI_ESTORE,
					"%s: not allowed to write (while %s): %s; check the "
					"database user's privileges",
					path, doing, msg);
	return mamori_error_set(ctx, code, "%s: PostgreSQL error while %s: %s", path, doing, msg);
}

/* Run sql (no parameters, possibly several statements) expecting no rows. */
static int run(mamori_ctx *ctx, pg_store *s, const char *sql, const char *doing)
{
	PGresult *res = PQexec(s->conn, sql);
	ExecStatusType st = PQresultStatus(res);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? MAMORI_OK
								 : fail(ctx, s, res, doing);
	PQclear(res);
	return rc;
}

/* ?N -> $N outside string literals (store_generic.c writes SQLite's style). */
static const char *translate(pg_store *s, const char *sql)
{
	mamori_buf_reset(&s->sql);
	bool quoted = false;
	for (const char *p = sql; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		if (!quoted && *p == '?' && p[1] >= '0' && p[1] <= '9')
			mamori_buf_putc(&s->sql, '$');
		else
			mamori_buf_putc(&s->sql, *p);
	}
	return mamori_buf_cstr(&s->sql);
}

static PGresult *exec_params(pg_store *s, const char *sql, const mamori_sql_param *params,
			     size_t n)
{
	const char *values[64];
	char nums[64][24];
	if (n > 64)
		n = 64;
	for (size_t i = 0; i < n; i++) {
		if (params[i].is_num) {
			snprintf(nums[i], sizeof nums[i], "%lld", (long long)params[i].num);
			values[i] = nums[i];
		} else {
			values[i] = params[i].text;
		}
	}
	return PQexecParams(s->conn, translate(s, sql), (int)n, NULL, values, NULL, NULL, 0);
}

static int pg_select(mamori_ctx *ctx, mamori_store *base, const char *sql,
		     const mamori_sql_param *params, size_t nparams, mamori_sql_row_fn row,
		     void *userdata)
{
	pg_store *s = P(base);
	PGresult *res = exec_params(s, sql, params, nparams);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		int rc = fail(ctx, s, res, "querying the store");
		PQclear(res);
		return rc;
	}
	int rows = PQntuples(res), ncols = PQnfields(res);
	if (ncols > 64)
		ncols = 64;
	const char *cols[64];
	int rc = MAMORI_OK;
	for (int r = 0; r < rows && rc == MAMORI_OK; r++) {
		for (int c = 0; c < ncols; c++)
			cols[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
		rc = row(userdata, cols, (size_t)ncols);
	}
	PQclear(res);
	return rc;
}

static int pg_exec(mamori_ctx *ctx, mamori_store *base, const char *sql,
		   const mamori_sql_param *params, size_t nparams)
{
	pg_store *s = P(base);
	PGresult *res = exec_params(s, sql, params, nparams);
	ExecStatusType st = PQresultStatus(res);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? MAMORI_OK
								 : fail(ctx, s, res, "writing to the store");
	PQclear(res);
	return rc;
}

/* ---- transactions ---- */

static int pg_begin(mamori_ctx *ctx, mamori_store *base)
{
	pg_store *s = P(base);
	int rc = run(ctx, s, "BEGIN", "starting a write");
	if (!rc)
		rc = run(ctx, s, "SELECT pg_advisory_xact_lock(" WRITER_LOCK ")", "starting a write");
	if (rc && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		run(ctx, s, "ROLLBACK", "starting a write");
	return rc;
}

static int pg_commit(mamori_ctx *ctx, mamori_store *base)
{
	return run(ctx, P(base), "COMMIT", "saving");
}

static void pg_rollback(mamori_store *base)
{
	pg_store *s = P(base);
	if (PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(s->conn, "ROLLBACK");
		PQclear(res);
	}
}

/* ---- open, migrate, close ---- */

static int version_row(void *ud, const char *const *c, size_t n)
{
	*(int *)ud = n && c[0] ? atoi(c[0]) : 0;
	return MAMORI_OK;
}

/* 0 = empty database, -1 = tables but no mamori store, else the version. */
static int schema_version_in_db(mamori_ctx *ctx, pg_store *s, int *version)
{
	int has = 0;
	*version = 0;
	int rc = pg_select(ctx, &s->base,
			   "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
			   "current_schema() AND table_name = 'schema_migrations'",
			   NULL, 0, version_row, &has);
	if (rc)
		return rc;
	if (!has) {
		int tables = 0;
		rc = pg_select(ctx, &s->base,
			       "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
			       "current_schema()",
			       NULL, 0, version_row, &tables);
		if (!rc && tables > 0)
			*version = -1;
		return rc;
	}
	return pg_select(ctx, &s->base, "SELECT coalesce(max(version), 0) FROM schema_migrations",
			 NULL, 0, version_row, version);
}

/* Migration 1 is written for SQLite: give PostgreSQL its integer types. */
static char *pg_types(const char *sql)
{
	mamori_buf b = MAMORI_BUF_INIT;
	static const char auto_pk[] = "INTEGER PRIMARY KEY AUTOINCREMENT";
	for (const char *p = sql; *p;) {
		if (!strncmp(p, auto_pk, sizeof auto_pk - 1)) {
			mamori_buf_puts(&b, "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
			p += sizeof auto_pk - 1;
		} else if (!strncmp(p, "INTEGER", 7)) {
			mamori_buf_puts(&b, "BIGINT");
			p += 7;
		} else {
			mamori_buf_putc(&b, *p++);
		}
	}
	return mamori_buf_detach(&b);
}

static int migrate(mamori_ctx *ctx, pg_store *s)
{
	int have;
	int want = mamori_store_schema_version();
	int rc = schema_version_in_db(ctx, s, &have);
	if (rc || have == want)
		return rc; /* the usual case: nothing to do, no lock taken */
	/* decide under the writers' lock: another host may be creating the
	 * schema right now, and its tables must not pass for someone else's */
	rc = pg_begin(ctx, &s->base);
	if (!rc)
		rc = schema_version_in_db(ctx, s, &have);
	if (!rc && have < 0)
		rc = mamori_error_set(ctx, MAMORI_ESTORE,
				      "%s: this database already holds tables that are not a "
				      "mamori store; give mamori a database (or schema) of its own",
				      s->base.location);
	if (!rc && have > want)
		rc = mamori_error_set(ctx, MAMORI_ESTORE,
				      "%s: the store has schema version %d, newer than this "
				      "mamori understands (%d); upgrade mamori",
				      s->base.location, have, want);
	if (!rc)
		rc = run(ctx, s,
			 "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
			 "description TEXT NOT NULL, applied_at TEXT NOT NULL)",
			 "upgrading the schema");
	size_t n;
	const mamori_migration *m = mamori_store_migrations(&n);
	for (size_t i = 0; rc == MAMORI_OK && i < n; i++) {
		if (m[i].version <= have)
			continue;
		mamori_log(ctx, MAMORI_LOG_INFO, "%s: applying schema migration %d (%s)",
			   s->base.location, m[i].version, m[i].description);
		char *sql = m[i].pg_sql ? mamori_xstrdup(m[i].pg_sql) : pg_types(m[i].sql);
		rc = run(ctx, s, sql, "upgrading the schema");
		free(sql);
		if (rc)
			break;
		mamori_sql_param p[] = {{NULL, m[i].version, true}, {m[i].description, 0, false}};
		rc = pg_exec(ctx, &s->base,
			     "INSERT INTO schema_migrations VALUES (?1, ?2, to_char(now() AT TIME "
			     "ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))",
			     p, 2);
	}
	if (rc == MAMORI_OK)
		rc = pg_commit(ctx, &s->base);
	if (rc)
		pg_rollback(&s->base);
	return rc;
}

static void pg_close(mamori_store *base)
{
	pg_store *s = P(base);
	PQfinish(s->conn);
	mamori_buf_free(&s->sql);
	free(s->base.location);
	free(s);
}

static int pg_current_version(mamori_store *base)
{
	mamori_ctx *ctx = mamori_ctx_new();
	int v = 0;
	schema_version_in_db(ctx, P(base), &v);
	mamori_ctx_free(ctx);
	return v;
}

static void pg_set_lock_timeout(mamori_store *base, int ms)
{
	pg_store *s = P(base);
	s->lock_timeout_ms = ms;
	char sql[64];
	snprintf(sql, sizeof sql, "SET lock_timeout = %d", ms);
	PGresult *res = PQexec(s->conn, sql);
	PQclear(res);
}

static void pg_set_query_timeout(mamori_store *base, int ms)
{
	char sql[64];
	snprintf(sql, sizeof sql, "SET statement_timeout = %d", ms);
	PGresult *res = PQexec(P(base)->conn, sql);
	PQclear(res);
}

static const mamori_store_ops pg_ops = {
	.name = "postgresql",
	.dialect = MAMORI_SQL_POSTGRES,
	.close = pg_close,
	.current_version = pg_current_version,
	.set_lock_timeout = pg_set_lock_timeout,
	.set_query_timeout = pg_set_query_timeout,
	.begin = pg_begin,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.insert_scan = mamori_store_generic_insert_scan,
	.finish_scan = mamori_store_generic_finish_scan,
	.load_state = mamori_store_generic_load_state,
	.upsert = mamori_store_generic_upsert,
	.touch = mamori_store_generic_touch,
	.set_state = mamori_store_generic_set_state,
	.add_history = mamori_store_generic_add_history,
	.list_stale = mamori_store_generic_list_stale,
	.query = mamori_store_generic_query,
	.resolve_id = mamori_store_generic_resolve_id,
	.get = mamori_store_generic_get,
	.history = mamori_store_generic_history,
	.list_scans = mamori_store_generic_list_scans,
	.select = pg_select,
	.exec = pg_exec,
};

static void quiet_notice(void *arg, const char *message)
{
	(void)arg, (void)message; /* "relation already exists, skipping" and the like */
}

int mamori_store_pg_open(mamori_ctx *ctx, const char *conninfo, mamori_store **out)
{
	*out = NULL;
	pg_store *s = mamori_xcalloc(1, sizeof *s);
	s->base.ops = &pg_ops;
	s->base.location = redact_conninfo(conninfo);
	s->lock_timeout_ms = 30000;
	s->conn = PQconnectdb(conninfo);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		char msg[512];
		snprintf(msg, sizeof msg, "%s", PQerrorMessage(s->conn));
		msg[strcspn(msg, "\n")] = '\0';
		int rc = mamori_error_set(ctx, MAMORI_ESTORE,
					  "%s: cannot connect to PostgreSQL: %s", s->base.location,
					  msg);
		pg_close(&s->base);
		return rc;
	}
	PQsetNoticeProcessor(s->conn, quiet_notice, NULL);
	PQsetClientEncoding(s->conn, "UTF8");
	int rc = run(ctx, s, "SET lock_timeout = 30000; SET client_min_messages = warning",
		     "opening");
	if (!rc)
		rc = migrate(ctx, s);
	if (rc) {
		pg_close(&s->base);
		return rc;
	}
	*out = &s->base;
	return MAMORI_OK;
}
