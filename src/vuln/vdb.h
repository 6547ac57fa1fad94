/*
 * vdb.h — the local vulnerability database: OSV advisories (and ALAS,
 * KEV, EPSS) in one SQLite file, indexed by (ecosystem, package name).
 *
 * SQLite is the database of record (transactional imports and updates,
 * status, inspectable with the sqlite3 shell); scans read a derived lookup
 * index beside it ("<db>.idx", vdb_index.c), rebuilt after every import and
 * update, and fall back to SQLite when it is missing or stale.  bench/vuln
 * measures both paths; the figures and the choice are in docs/vuln.md,
 * "The database".
 */
#ifndef MAMORI_VULN_VDB_H
#define MAMORI_VULN_VDB_H

#include "vuln.h"

typedef struct vuln_db vuln_db;

enum {
	VULN_DB_READONLY = 1u << 0,
	VULN_DB_CREATE = 1u << 1,
};

/* $MAMORI_VULN_DB, else $XDG_DATA_HOME/mamori/vuln.db (malloc'd). */
char *mamori_vuln_db_default_path(void);

/* Open (":memory:" for a private in-memory database). */
int mamori_vuln_db_open(mamori_ctx *ctx, const char *path, unsigned flags, vuln_db **out);
void mamori_vuln_db_close(vuln_db *db);
const char *mamori_vuln_db_path(const vuln_db *db);

typedef struct vuln_import_stats {
	size_t files;	    /* files and archive members read */
	size_t advisories;  /* records stored (new or replaced) */
	size_t unchanged;   /* same id and modified time as stored: skipped */
	size_t withdrawn;   /* stored, but marked withdrawn */
	size_t affected;    /* affected[] entries stored */
	size_t git_ranges;  /* GIT ranges recorded, not matched */
	size_t kev, epss;   /* KEV entries, EPSS scores */
	size_t problems;    /* files or records that could not be read */
} vuln_import_stats;

/* Called for each bad file or record ("path: record N: message"); the import goes on. */
typedef void (*vuln_problem_fn)(void *userdata, const char *message);

/*
 * Import PATH: an OSV JSON file (one record or an array), a directory of
 * them (recursively; .json and .zip), an OSV all.zip, an ALAS JSON file
 * (docs/vuln.md), the CISA KEV catalogue (JSON or CSV) or an EPSS CSV —
 * recognised by content.  `source` names the origin for `db status`.
 * One transaction: the database sees all of it or nothing.
 */
int mamori_vuln_db_import(mamori_ctx *ctx, vuln_db *db, const char *path, const char *source,
			  vuln_import_stats *st, vuln_problem_fn problem, void *userdata);
/* The same for one buffer (name is used in messages and to pick the format). */
int mamori_vuln_db_import_buf(mamori_ctx *ctx, vuln_db *db, const char *name, const char *buf,
			      size_t len, const char *source, vuln_import_stats *st,
			      vuln_problem_fn problem, void *userdata);

/* Record where a source came from (URL or path) and when it was imported. */
int mamori_vuln_db_set_source(mamori_ctx *ctx, vuln_db *db, const char *source, const char *url,
			      size_t advisories);

typedef struct vuln_db_source {
	const char *name, *url, *imported_at;
	int64_t advisories;
} vuln_db_source;

typedef struct vuln_db_status {
	int64_t advisories, withdrawn, affected, packages, kev, epss;
	const char *newest_modified; /* newest advisory "modified" */
	const char *imported_at;     /* most recent import */
	time_t imported;	     /* same, as time (0 if never) */
	vuln_db_source *sources;
	size_t source_count;
	struct {
		const char *ecosystem;
		int64_t count;
	} *ecosystems;
	size_t ecosystem_count;
	mamori_arena arena;
} vuln_db_status;

int mamori_vuln_db_status(mamori_ctx *ctx, vuln_db *db, vuln_db_status *st);
/* When the database was last imported into (0 / "" if never): cheap. */
int mamori_vuln_db_imported(vuln_db *db, time_t *when, char at[32]);
void mamori_vuln_db_status_free(vuln_db_status *st);

/* One affected[] entry of an advisory, as a lookup returns it.  Strings
 * are valid during the callback only. */
typedef struct vuln_db_hit {
	int64_t advisory;	/* row id: the same advisory across hits */
	const char *id;		/* OSV id */
	const char *aliases;	/* space-separated, may be "" */
	const char *summary;
	const char *details;
	const char *severity;	/* JSON array of OSV severity objects, or NULL */
	const char *db_severity; /* database_specific.severity / ALAS severity, or NULL */
	const char *published, *modified, *withdrawn;
	const char *refs;	/* JSON array of URLs */
	const char *ecosystem;	/* as the advisory wrote it: "Debian:12" */
	const char *release;	/* the part after the first ':' ("12"), "" if none */
	const char *name;
	const char *ranges;	/* encoded, see vuln_range_next() */
	const char *versions;	/* '\x1f'-separated, may be "" */
	const char *urgency;	/* ecosystem_specific urgency (Debian), or NULL */
	const char *affected_severity; /* affected[].severity JSON, or NULL */
	bool stable;		/* the strings stay valid until the database is closed or
				   released (they live in index blocks), not just the callback */
} vuln_db_hit;

typedef void (*vuln_hit_fn)(void *userdata, const vuln_db_hit *hit);

/* Rebuild the lookup index beside the database file (vdb_index.c): after
 * every import and update. */
int mamori_vuln_db_build_index(mamori_ctx *ctx, vuln_db *db);

/* A read transaction around a batch of lookups (a scan). */
int mamori_vuln_db_read_begin(vuln_db *db);
void mamori_vuln_db_read_end(vuln_db *db);
/* Let go of the index blocks read so far: hits with `stable` strings from
 * earlier lookups are invalid after this.  A scan that turns each
 * package's matches into findings at once calls it between packages. */
void mamori_vuln_db_release(vuln_db *db);

/* Decide on the affected-entry fields alone (ecosystem, release, name,
 * ranges, versions, urgency, affected_severity, advisory); the advisory's
 * own fields are only loaded for the entries accepted. */
typedef bool (*vuln_accept_fn)(void *userdata, const vuln_db_hit *partial);

/* Every affected entry for (ecosystem base name, package name) that accept
 * takes (NULL: all), with its advisory, to fn. */
int mamori_vuln_db_lookup(mamori_ctx *ctx, vuln_db *db, const char *ecosystem_base,
			  const char *name, vuln_accept_fn accept, vuln_hit_fn fn, void *userdata);

/* KEV and EPSS for a CVE id; kev_date NULL when not listed, epss < 0 when unknown. */
int mamori_vuln_db_threat(vuln_db *db, const char *cve, char kev_date[16], double *epss,
			  double *percentile);

/* ---- the encoded ranges: "T" + ("\x1fKvalue")* per range, ranges joined
 * by "\x1e"; T is E (ECOSYSTEM), S (SEMVER) or G (GIT); K is i
 * (introduced), f (fixed), l (last_affected), x (limit) ---- */
typedef struct vuln_event {
	char kind;
	char version[128];
} vuln_event;

/* Iterate ranges: *p advances; returns false at the end.  Events beyond max are dropped. */
bool mamori_vuln_range_next(const char **p, char *type, vuln_event *ev, size_t max,
			    size_t *count);

/* Download url into out (libcurl; http, https and file URLs). */
int mamori_vuln_download(mamori_ctx *ctx, const char *url, mamori_buf *out);

/*
 * Rebuild the database at path from BASE/ECOSYSTEM/all.zip for each
 * ecosystem (plus the KEV and EPSS URLs when not NULL), carrying over what
 * other sources had brought, and rename it over the old one.  On any
 * failure the old database is untouched.
 */
int mamori_vuln_db_update(mamori_ctx *ctx, const char *path, const char *base,
			  const char *const *ecosystems, size_t neco, const char *kev_url,
			  const char *epss_url, vuln_import_stats *total, vuln_problem_fn problem,
			  void *ud);

/* PEP 503 name normalisation (PyPI), into out (cap bytes). */
void mamori_vuln_pypi_normalize(const char *name, char *out, size_t cap);

#endif
