/*
 * vdb.c — the vulnerability database file: schema, open, status, lookups.
 * Imports are in vdb_import.c, downloads in vdb_update.c.
 *
 * Schema (one row per advisory, one per affected[] entry):
 *   advisory(id, osv_id UNIQUE, source, modified, published, withdrawn,
 *            summary, details, aliases, severity, db_severity, refs)
 *   affected(ecosystem, name, advisory, seq, release, ranges, versions,
 *            urgency, severity)  clustered by (ecosystem, name)
 *   kev(cve, date_added, due_date, ransomware), epss(cve, score, percentile)
 *   source(name, url, imported_at, advisories), meta(key, value)
 */
#include "vdb.h"
#include "vdb_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SCHEMA_VERSION 1

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
	"CREATE TABLE IF NOT EXISTS source(name TEXT PRIMARY KEY, url TEXT, imported_at TEXT,"
	" advisories INTEGER);"
	"CREATE TABLE IF NOT EXISTS advisory(id INTEGER PRIMARY KEY, osv_id TEXT NOT NULL UNIQUE,"
	" source TEXT, modified TEXT, published TEXT, withdrawn TEXT, summary TEXT, details TEXT,"
	" aliases TEXT, severity TEXT, db_severity TEXT, refs TEXT);"
	/* clustered by (ecosystem, name): a package's rows are one range scan */
	"CREATE TABLE IF NOT EXISTS affected(ecosystem TEXT NOT NULL, name TEXT NOT NULL,"
	" advisory INTEGER NOT NULL, seq INTEGER NOT NULL, release TEXT NOT NULL, ranges TEXT,"
	" versions TEXT, urgency TEXT, severity TEXT, eco_full TEXT,"
	" PRIMARY KEY(ecosystem, name, advisory, seq)) WITHOUT ROWID;"
	"CREATE INDEX IF NOT EXISTS affected_adv ON affected(advisory);"
	"CREATE TABLE IF NOT EXISTS kev(cve TEXT PRIMARY KEY, date_added TEXT, due_date TEXT,"
	" ransomware TEXT);"
	"CREATE TABLE IF NOT EXISTS epss(cve TEXT PRIMARY KEY, score REAL, percentile REAL);";

char *mamori_vuln_db_default_path(void)
{
	const char *env = getenv("MAMORI_VULN_DB");
	if (env && *env)
		return mamori_xstrdup(env);
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	mamori_buf b = MAMORI_BUF_INIT;
	if (xdg && *xdg)
		mamori_buf_printf(&b, "%s/mamori/vuln.db", xdg);
	else
		mamori_buf_printf(&b, "%s/.local/share/mamori/vuln.db", home && *home ? home : ".");
	return mamori_buf_detach(&b);
}

static int db_err(mamori_ctx *ctx, vuln_db *db, const char *what)
{
	return mamori_error_set(ctx, MAMORI_ESTORE, "%s: %s: %s", db->path, what,
				sqlite3_errmsg(db->db));
}

static int mkdirs_for(const char *path)
{
	char *p = mamori_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

int mamori_vuln_db_open(mamori_ctx *ctx, const char *path, unsigned flags, vuln_db **out)
{
	*out = NULL;
	bool memory = !strcmp(path, ":memory:");
	struct stat st;
	if (!memory && !(flags & VULN_DB_CREATE) && stat(path, &st) != 0)
		return mamori_error_set(ctx, MAMORI_ENOTFOUND,
					"%s: no vulnerability database; create one with `mamori "
					"vuln db import PATH` or `mamori vuln db update`",
					path);
	if (!memory && (flags & VULN_DB_CREATE) && mkdirs_for(path) != 0)
		return mamori_error_set(ctx, MAMORI_ESTORE, "%s: cannot create its directory: %s",
					path, strerror(errno));
	vuln_db *db = mamori_xcalloc(1, sizeof *db);
	db->path = mamori_xstrdup(path);
	int oflags = (flags & VULN_DB_READONLY) ? SQLITE_OPEN_READONLY
						: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (sqlite3_open_v2(path, &db->db, oflags, NULL) != SQLITE_OK) {
		int rc = db_err(ctx, db, "cannot open the vulnerability database");
		mamori_vuln_db_close(db);
		return rc;
	}
	sqlite3_busy_timeout(db->db, 30000);
	/* lookups read pages through a memory map rather than a pread each */
	sqlite3_exec(db->db, "PRAGMA mmap_size=1073741824", NULL, NULL, NULL);
	if (!(flags & VULN_DB_READONLY)) {
		char *err = NULL;
		if (sqlite3_exec(db->db, schema, NULL, NULL, &err) != SQLITE_OK) {
			int rc = mamori_error_set(ctx, MAMORI_ESTORE,
						  "%s: not a mamori vulnerability database: %s", path,
						  err ? err : "?");
			sqlite3_free(err);
			mamori_vuln_db_close(db);
			return rc;
		}
		sqlite3_exec(db->db,
			     "INSERT OR IGNORE INTO meta VALUES('schema', '" "1" "');", NULL, NULL,
			     NULL);
	}
	/* a readable schema: the lookup statement must prepare */
	/* two steps: the affected rows of a package (small), then the advisory
	 * of those that match (its text is only read for them) */
	const char *sql = "SELECT advisory, eco_full, release, name, ranges, versions, urgency,"
			  " severity FROM affected WHERE ecosystem = ?1 AND name = ?2";
	const char *adv = "SELECT osv_id, aliases, summary, details, severity, db_severity,"
			  " published, modified, withdrawn, refs FROM advisory WHERE id = ?1";
	db->has_kev = db->has_epss = -1;
	if (sqlite3_prepare_v2(db->db, sql, -1, &db->lookup, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db->db, adv, -1, &db->advisory, NULL) != SQLITE_OK) {
		int rc = mamori_error_set(ctx, MAMORI_ESTORE,
					  "%s: not a mamori vulnerability database (%s)", path,
					  sqlite3_errmsg(db->db));
		mamori_vuln_db_close(db);
		return rc;
	}
	(void)SCHEMA_VERSION;
	db->index_on_import = true;
	mamori_vuln_db_index_open(db);
	*out = db;
	return MAMORI_OK;
}

void mamori_vuln_db_close(vuln_db *db)
{
	if (!db)
		return;
	mamori_vuln_db_index_close(db);
	sqlite3_finalize(db->lookup);
	sqlite3_finalize(db->advisory);
	sqlite3_finalize(db->kev);
	sqlite3_finalize(db->epss);
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

int mamori_vuln_db_read_begin(vuln_db *db)
{
	/* one read transaction around many lookups: one shared lock, and the
	 * page cache stays valid between statements */
	return sqlite3_exec(db->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? MAMORI_OK
									    : MAMORI_ESTORE;
}

void mamori_vuln_db_read_end(vuln_db *db)
{
	sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL);
}

const char *mamori_vuln_db_path(const vuln_db *db)
{
	return db->path;
}

static const char *col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int mamori_vuln_db_lookup(mamori_ctx *ctx, vuln_db *db, const char *ecosystem_base,
			  const char *name, vuln_accept_fn accept, vuln_hit_fn fn, void *userdata)
{
	char norm[512];
	if (!strcmp(ecosystem_base, "PyPI")) {
		mamori_vuln_pypi_normalize(name, norm, sizeof norm);
		name = norm;
	}
	int irc;
	if (mamori_vuln_db_index_lookup(db, ecosystem_base, name, accept, fn, userdata, &irc))
		return irc;
	sqlite3_stmt *st = db->lookup;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, ecosystem_base, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		vuln_db_hit h = {
			.advisory = sqlite3_column_int64(st, 0),
			.ecosystem = col(st, 1),
			.release = col(st, 2) ? col(st, 2) : "",
			.name = col(st, 3),
			.ranges = col(st, 4) ? col(st, 4) : "",
			.versions = col(st, 5) ? col(st, 5) : "",
			.urgency = col(st, 6),
			.affected_severity = col(st, 7),
		};
		if (accept && !accept(userdata, &h))
			continue;
		if (mamori_vuln_db_advisory(db, &h))
			fn(userdata, &h); /* an affected row without its advisory is ignored */
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_err(ctx, db, "lookup failed");
	return MAMORI_OK;
}

bool mamori_vuln_db_advisory(vuln_db *db, vuln_db_hit *h)
{
	sqlite3_stmt *ad = db->advisory;
	sqlite3_reset(ad);
	sqlite3_bind_int64(ad, 1, h->advisory);
	if (sqlite3_step(ad) != SQLITE_ROW)
		return false;
	/* valid until the next reset of the statement: the next fetch */
	h->id = col(ad, 0);
	h->aliases = col(ad, 1) ? col(ad, 1) : "";
	h->summary = col(ad, 2);
	h->details = col(ad, 3);
	h->severity = col(ad, 4);
	h->db_severity = col(ad, 5);
	h->published = col(ad, 6);
	h->modified = col(ad, 7);
	h->withdrawn = col(ad, 8);
	h->refs = col(ad, 9);
	return h->id != NULL;
}

static int table_has_rows(sqlite3 *db, const char *table)
{
	char sql[64];
	snprintf(sql, sizeof sql, "SELECT 1 FROM %s LIMIT 1", table);
	sqlite3_stmt *st;
	int r = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK)
		r = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return r;
}

int mamori_vuln_db_threat(vuln_db *db, const char *cve, char kev_date[16], double *epss,
			  double *percentile)
{
	kev_date[0] = '\0';
	*epss = -1;
	*percentile = -1;
	/* most databases have no KEV or EPSS: do not ask per CVE */
	if (db->has_kev < 0) {
		db->has_kev = table_has_rows(db->db, "kev");
		db->has_epss = table_has_rows(db->db, "epss");
	}
	if (!db->has_kev && !db->has_epss)
		return MAMORI_OK;
	if (!db->kev &&
	    sqlite3_prepare_v2(db->db, "SELECT date_added FROM kev WHERE cve = ?", -1, &db->kev,
			       NULL) != SQLITE_OK)
		return MAMORI_ESTORE;
	if (!db->epss &&
	    sqlite3_prepare_v2(db->db, "SELECT score, percentile FROM epss WHERE cve = ?", -1,
			       &db->epss, NULL) != SQLITE_OK)
		return MAMORI_ESTORE;
	sqlite3_reset(db->kev);
	sqlite3_bind_text(db->kev, 1, cve, -1, SQLITE_STATIC);
	if (sqlite3_step(db->kev) == SQLITE_ROW) {
		const char *d = col(db->kev, 0);
		snprintf(kev_date, 16, "%s", d && *d ? d : "listed");
	}
	sqlite3_reset(db->kev);
	sqlite3_reset(db->epss);
	sqlite3_bind_text(db->epss, 1, cve, -1, SQLITE_STATIC);
	if (sqlite3_step(db->epss) == SQLITE_ROW) {
		*epss = sqlite3_column_double(db->epss, 0);
		*percentile = sqlite3_column_double(db->epss, 1);
	}
	sqlite3_reset(db->epss);
	return MAMORI_OK;
}

int mamori_vuln_db_set_source(mamori_ctx *ctx, vuln_db *db, const char *source, const char *url,
			      size_t advisories)
{
	char now[32];
	mamori_time_format(mamori_ctx_now(ctx), now);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db,
			       "INSERT INTO source(name, url, imported_at, advisories) VALUES(?,?,?,?)"
			       " ON CONFLICT(name) DO UPDATE SET url = excluded.url,"
			       " imported_at = excluded.imported_at,"
			       " advisories = (SELECT count(*) FROM advisory WHERE source = ?1)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_err(ctx, db, "cannot record the source");
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)advisories);
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_err(ctx, db, "cannot record the source");
	sqlite3_exec(db->db,
		     "UPDATE source SET advisories = (SELECT count(*) FROM advisory a"
		     " WHERE a.source = source.name)",
		     NULL, NULL, NULL);
	return MAMORI_OK;
}

static int64_t count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static const char *text1(sqlite3 *db, const char *sql, mamori_arena *a)
{
	sqlite3_stmt *st;
	const char *r = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0))
		r = mamori_arena_strdup(a, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return r;
}

int mamori_vuln_db_imported(vuln_db *db, time_t *when, char at[32])
{
	*when = 0;
	at[0] = '\0';
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db, "SELECT max(imported_at) FROM source", -1, &st, NULL) !=
	    SQLITE_OK)
		return MAMORI_ESTORE;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
		snprintf(at, 32, "%s", (const char *)sqlite3_column_text(st, 0));
		mamori_time_parse(at, when);
	}
	sqlite3_finalize(st);
	return MAMORI_OK;
}

int mamori_vuln_db_status(mamori_ctx *ctx, vuln_db *db, vuln_db_status *s)
{
	(void)ctx;
	memset(s, 0, sizeof *s);
	mamori_arena_init(&s->arena, 0);
	s->advisories = count(db->db, "SELECT count(*) FROM advisory");
	s->withdrawn = count(db->db, "SELECT count(*) FROM advisory WHERE withdrawn IS NOT NULL");
	s->affected = count(db->db, "SELECT count(*) FROM affected");
	s->packages = count(db->db, "SELECT count(*) FROM (SELECT DISTINCT ecosystem, name FROM "
				    "affected)");
	s->kev = count(db->db, "SELECT count(*) FROM kev");
	s->epss = count(db->db, "SELECT count(*) FROM epss");
	s->newest_modified = text1(db->db, "SELECT max(modified) FROM advisory", &s->arena);
	s->imported_at = text1(db->db, "SELECT max(imported_at) FROM source", &s->arena);
	if (s->imported_at)
		mamori_time_parse(s->imported_at, &s->imported);
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->db,
			       "SELECT name, url, imported_at, advisories FROM source ORDER BY name",
			       -1, &st, NULL) == SQLITE_OK) {
		size_t cap = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (s->source_count == cap) {
				cap = cap ? cap * 2 : 8;
				vuln_db_source *n = mamori_arena_alloc(&s->arena, cap * sizeof *n);
				if (s->source_count)
					memcpy(n, s->sources, s->source_count * sizeof *n);
				s->sources = n;
			}
			vuln_db_source *src = &s->sources[s->source_count++];
			src->name = mamori_arena_strdup(&s->arena, col(st, 0));
			src->url = mamori_arena_strdup(&s->arena, col(st, 1));
			src->imported_at = mamori_arena_strdup(&s->arena, col(st, 2));
			src->advisories = sqlite3_column_int64(st, 3);
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db->db,
			       "SELECT ecosystem, count(DISTINCT advisory) FROM affected GROUP BY "
			       "ecosystem ORDER BY 2 DESC",
			       -1, &st, NULL) == SQLITE_OK) {
		size_t cap = 0;
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (s->ecosystem_count == cap) {
				cap = cap ? cap * 2 : 16;
				void *n = mamori_arena_alloc(&s->arena, cap * sizeof *s->ecosystems);
				if (s->ecosystem_count)
					memcpy(n, s->ecosystems,
					       s->ecosystem_count * sizeof *s->ecosystems);
				s->ecosystems = n;
			}
			s->ecosystems[s->ecosystem_count].ecosystem =
				mamori_arena_strdup(&s->arena, col(st, 0));
			s->ecosystems[s->ecosystem_count++].count = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	return MAMORI_OK;
}

void mamori_vuln_db_status_free(vuln_db_status *st)
{
	mamori_arena_free(&st->arena);
}

bool mamori_vuln_range_next(const char **p, char *type, vuln_event *ev, size_t max,
			    size_t *count)
{
	const char *s = *p;
	if (!s || !*s)
		return false;
	*type = *s++;
	*count = 0;
	while (*s == '\x1f') {
		s++;
		char kind = *s ? *s++ : 0;
		size_t n = strcspn(s, "\x1f\x1e");
		if (*count < max) {
			ev[*count].kind = kind;
			size_t k = n < sizeof ev->version - 1 ? n : sizeof ev->version - 1;
			memcpy(ev[*count].version, s, k);
			ev[*count].version[k] = '\0';
			(*count)++;
		}
		s += n;
	}
	if (*s == '\x1e')
		s++;
	else
		while (*s && *s != '\x1e')
			s++;
	*p = s;
	return true;
}

void mamori_vuln_pypi_normalize(const char *name, char *out, size_t cap)
{
	size_t k = 0;
	for (const char *s = name; *s && k + 1 < cap; s++) {
		char c = *s;
		if (c == '-' || c == '_' || c == '.') {
			if (k && out[k - 1] == '-')
				continue;
			out[k++] = '-';
		} else {
			out[k++] = (char)tolower((unsigned char)c);
		}
	}
	out[k] = '\0';
}
