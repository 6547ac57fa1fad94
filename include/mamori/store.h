/*
 * store.h — where findings live between runs, with Security Hub semantics.
 *
 * One interface, several backends: SQLite (a file, WAL mode, the default) and
 * PostgreSQL (when many hosts write; `postgresql://...`).  A store records
 * scans, keeps one row per finding Id, and applies the life cycle AWS Security
 * Hub applies:
 *
 *  - a finding observed again keeps CreatedAt and FirstObservedAt, and moves
 *    UpdatedAt and LastObservedAt;
 *  - a finding that a later scan of the same scope (module + target) no
 *    longer produces becomes ARCHIVED, and if it was a check, PASSED;
 *  - a RESOLVED or NOTIFIED finding goes back to NEW when it is re-activated
 *    or fails again; SUPPRESSED stays suppressed;
 *  - every workflow change (suppress, resolve, reopen) is kept in a history
 *    with when, who and why, as are first observation, re-activation,
 *    archival and compliance changes.
 *
 * A scan's whole write is one transaction: a crash or a full disk leaves the
 * store as it was before the scan.
 */
#ifndef MAMORI_STORE_H
#define MAMORI_STORE_H

#include "common.h"
#include "finding.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the store needs to know about a scan to merge its results. */
typedef struct mamori_scan_record {
	const char *target;	  /* the scope: canonical target, e.g. "/abs/dir" or "aws:123456789012" */
	const char *started_at;	  /* RFC 3339 */
	const char *finished_at;  /* RFC 3339 */
	const char **modules_ok;  /* modules that ran to completion: their scope is archived */
	size_t modules_ok_count;
	const char **modules_failed; /* modules with errors: their old findings are kept */
	size_t modules_failed_count;
	const char *host;
	const char *actor;
} mamori_scan_record;

/* What a scan changed in the store. */
typedef struct mamori_scan_stats {
	int64_t scan_id;
	size_t new_findings;	/* never seen before */
	size_t updated;		/* seen before and still active */
	size_t reactivated;	/* were ARCHIVED, produced again */
	size_t archived;	/* no longer produced */
} mamori_scan_stats;

/* Filters for listing; NULL / -1 / 0 mean "any". */
typedef struct mamori_filter {
	int min_severity;	 /* a mamori_severity, or -1 */
	const char *module;	 /* exact module or pillar name */
	const char *account;
	const char *resource;	 /* substring of any resource id */
	const char *generator;	 /* exact rule id */
	int workflow;		 /* a mamori_workflow, or -1 */
	int record_state;	 /* a mamori_record_state, or -1 */
	int compliance;		 /* a mamori_compliance, or -1 */
	bool open_only;		 /* only mamori_finding_is_open() findings */
	const char *since;	 /* RFC 3339: last observed at or after */
	const char *target;	 /* scope */
	size_t limit;		 /* 0 = no limit */
} mamori_filter;

#define MAMORI_FILTER_INIT {-1, NULL, NULL, NULL, NULL, -1, -1, -1, false, NULL, NULL, 0}

/* One event in a finding's history. */
typedef struct mamori_history_entry {
	const char *at;
	const char *actor;
	const char *event; /* "observed", "reactivated", "archived", "workflow", "compliance", ... */
	const char *from;
	const char *to;
	const char *reason;
	int64_t scan_id;   /* 0 when not caused by a scan */
} mamori_history_entry;

typedef struct mamori_history {
	mamori_history_entry *items;
	size_t count;
	size_t cap;
	mamori_arena arena;
} mamori_history;

/* A recorded scan, for listings. */
typedef struct mamori_scan_info {
	int64_t id;
	const char *target;
	const char *started_at;
	const char *finished_at;
	const char *modules;
	const char *host;
	size_t findings;
	size_t archived;
} mamori_scan_info;

/*
 * Open (creating if needed, and migrating to the current schema) the store at
 * `location`: a file path, "sqlite:PATH" or "postgresql://..." (when built
 * with libpq).  Fails with MAMORI_ESTORE if the store is locked, read-only,
 * corrupt, or was created by a newer mamori.
 */
MAMORI_API int mamori_store_open(mamori_ctx *ctx, const char *location, mamori_store **out);
MAMORI_API void mamori_store_close(mamori_store *store);

/* The default location: $XDG_DATA_HOME/mamori/findings.db (or ~/.local/share/...). */
MAMORI_API char *mamori_store_default_path(void);

/* The schema version this library writes, and the one found in the store. */
MAMORI_API int mamori_store_schema_version(void);
MAMORI_API int mamori_store_current_version(mamori_store *store);

/* How long to wait for a lock held by another writer (default 30 000 ms). */
MAMORI_API void mamori_store_set_lock_timeout(mamori_store *store, int milliseconds);

/*
 * Record one scan and merge its findings (which must be finalized) in one
 * transaction.  On return each finding in `found` carries the merged state
 * (CreatedAt, FirstObservedAt, Workflow, ...), as a later read would show it.
 */
MAMORI_API int mamori_store_record_scan(mamori_ctx *ctx, mamori_store *store,
					const mamori_scan_record *scan, mamori_findings *found,
					mamori_scan_stats *stats);

/* Append to out the findings matching filter, most severe and newest first. */
MAMORI_API int mamori_store_query(mamori_ctx *ctx, mamori_store *store, const mamori_filter *filter,
				  mamori_findings *out);

/*
 * Find one finding by full Id or by a unique prefix of its hash part; append
 * it to out and, when history is not NULL, its history (oldest first).
 */
MAMORI_API int mamori_store_get(mamori_ctx *ctx, mamori_store *store, const char *id,
				mamori_findings *out, mamori_history *history);

/* Change a finding's workflow status, recording who and why. */
MAMORI_API int mamori_store_set_workflow(mamori_ctx *ctx, mamori_store *store, const char *id,
					 mamori_workflow status, const char *reason);

/* The most recent scans, newest first. */
MAMORI_API int mamori_store_list_scans(mamori_ctx *ctx, mamori_store *store, size_t limit,
				       mamori_scan_info **out, size_t *count, mamori_arena *arena);

MAMORI_API void mamori_history_init(mamori_history *h);
MAMORI_API void mamori_history_free(mamori_history *h);

#ifdef __cplusplus
}
#endif
#endif
