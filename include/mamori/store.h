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
	/* added for the hub (appended: older callers are unaffected) */
	size_t new_findings;
	const char *failed_modules;
	const char *actor;
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

/* How long one query may run before it fails with MAMORI_ESTORE (0, the
 * default: no limit).  A server answering many people bounds its reads so
 * that one unselective search cannot hold it up. */
MAMORI_API void mamori_store_set_query_timeout(mamori_store *store, int milliseconds);

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

/* ---- the hub's views: filtered pages, aggregates, standards, resources ----
 *
 * What a dashboard asks of a store holding a million findings, answered by
 * every backend with the same semantics (src/core/store_query.c builds the
 * SQL once for both dialects).  Summary counts and compliance scores read
 * small tables of counts kept by triggers, so they cost the same whatever the
 * store's size; a page of findings stops after its rows.
 */

typedef enum mamori_sort {
	MAMORI_SORT_SEVERITY = 0, /* then last observed, newest first */
	MAMORI_SORT_LAST_SEEN,
	MAMORI_SORT_FIRST_SEEN,
	MAMORI_SORT_TITLE,
	MAMORI_SORT_RESOURCE,
	MAMORI_SORT_ACCOUNT,
	MAMORI_SORT_REGION,
	MAMORI_SORT_RULE,
	MAMORI_SORT_WORKFLOW,
	MAMORI_SORT_COUNT_
} mamori_sort;

/* A filter, sort and page; zero / NULL / -1 mean "any".  MAMORI_QUERY_INIT. */
typedef struct mamori_query {
	unsigned severities;	   /* bit (1u << mamori_severity) per severity wanted */
	unsigned workflows;	   /* bit (1u << mamori_workflow) per status wanted */
	int record_state;	   /* a mamori_record_state, or -1 */
	int compliance;		   /* a mamori_compliance, or -1 */
	bool open_only;		   /* only mamori_finding_is_open() findings */
	const char *pillar;	   /* exact */
	const char *module;	   /* exact */
	const char *account;	   /* exact */
	const char *region;	   /* exact */
	const char *resource_type; /* exact, of the first resource */
	const char *resource_id;   /* exact, of the first resource */
	const char *generator;	   /* exact rule id */
	const char *target;	   /* exact scope */
	const char *text;	   /* a substring of title, first resource id or rule id,
				      A-Z in either case, other characters exactly; or
				      the whole finding id, or (8+ hex digits) the start
				      of its hash.  Three characters or more use the
				      store's trigram index (FTS5 / pg_trgm) */
	const char *since;	   /* RFC 3339: last observed at or after */
	const char *until;	   /* RFC 3339: last observed before */
	mamori_sort sort;
	bool ascending;		   /* default: descending */
	size_t offset;
	size_t limit;		   /* 0 = 50 for pages, everything for exports */
	const char *control;	   /* "Standard/Control": the findings of one control
				      (their RelatedRequirements, see mamori_store_compliance) */
} mamori_query;

#define MAMORI_QUERY_INIT {.record_state = -1, .compliance = -1}

/* The bit for a severity or workflow in mamori_query.severities / .workflows. */
#define MAMORI_BIT(v) (1u << (unsigned)(v))

/* How many findings a page's filter matched: exact when the count tables can
 * say (no filter, or one on a single dimension, and state filters), else a
 * lower bound (total_capped): the findings before and in the page, plus one
 * when more follow. */
typedef struct mamori_page_info {
	size_t total;
	bool total_capped;
} mamori_page_info;

/* Counted findings up to which a page's total stays exact whatever the filter. */
#define MAMORI_COUNT_CAP 10000

/*
 * Append to out one page of the findings matching q, in q's order, and say how
 * many matched (exact for a text search its index answers).  See
 * mamori_query.text for what a text filter matches.
 */
MAMORI_API int mamori_store_find(mamori_ctx *ctx, mamori_store *store, const mamori_query *q,
				 mamori_findings *out, mamori_page_info *page);

/* One line of a breakdown: a pillar, account, region or module. */
typedef struct mamori_count {
	const char *key;
	size_t total;	  /* every matching finding */
	size_t open;	  /* open ones */
	size_t by_severity[MAMORI_SEV_CRITICAL + 1]; /* open ones, by severity */
} mamori_count;

typedef struct mamori_count_list {
	mamori_count *items;
	size_t count;
} mamori_count_list;

typedef struct mamori_store_summary {
	size_t total;	   /* matching findings */
	size_t open;	   /* mamori_finding_is_open() */
	size_t by_severity[MAMORI_SEV_CRITICAL + 1]; /* open, by severity */
	size_t by_workflow[MAMORI_WORKFLOW_SUPPRESSED + 1]; /* ACTIVE ones, by status */
	size_t passed;	   /* ACTIVE checks that passed */
	size_t archived;
	mamori_count_list pillars, modules, accounts, regions; /* most open first */
	mamori_arena arena;
} mamori_store_summary;

/* Count the findings matching q (its sort and page are ignored). */
MAMORI_API int mamori_store_summarize(mamori_ctx *ctx, mamori_store *store, const mamori_query *q,
				      mamori_store_summary *out);
MAMORI_API void mamori_store_summary_free(mamori_store_summary *s);

/*
 * Controls of the standards (from each finding's RelatedRequirements:
 * "Standard/Control"; a requirement without '/' makes the rule the control).
 * A control is FAILED in an account when an ACTIVE, unsuppressed finding of it
 * failed there, PASSED when such findings only passed, UNKNOWN otherwise
 * (only WARNING or NOT_AVAILABLE).  A standard's score is
 * passed / (passed + failed) over its controls, as Security Hub computes it.
 */
typedef enum mamori_control_state {
	MAMORI_CONTROL_UNKNOWN = 0,
	MAMORI_CONTROL_PASSED,
	MAMORI_CONTROL_FAILED,
} mamori_control_state;

typedef struct mamori_control {
	const char *standard;
	const char *control;
	const char *account;  /* NULL in the per-control roll-up */
	mamori_control_state state;
	size_t passed;	      /* findings that passed */
	size_t failed;	      /* findings that FAILED */
	int max_severity;     /* of the failed findings, -1 when none */
} mamori_control;

typedef struct mamori_standard_score {
	const char *standard;
	size_t passed, failed, unknown; /* controls */
	double score;			/* 0..1, or -1 when no control has data */
} mamori_standard_score;

typedef struct mamori_compliance_report {
	mamori_standard_score *standards;
	size_t standard_count;
	mamori_control *controls;   /* per control (account NULL), most important failing first */
	size_t control_count;
	mamori_control *cells;	    /* per control and account, by standard and control */
	size_t cell_count;
	mamori_arena arena;
} mamori_compliance_report;

/* Controls, scores and the controls x accounts matrix; account filters. */
MAMORI_API int mamori_store_compliance(mamori_ctx *ctx, mamori_store *store, const char *account,
				       mamori_compliance_report *out);
MAMORI_API void mamori_compliance_report_free(mamori_compliance_report *c);

/* One standard's score after a scan (the trend). */
typedef struct mamori_score_point {
	int64_t scan_id;
	const char *at;
	const char *standard;
	size_t passed, failed, unknown;
} mamori_score_point;

/* The scores recorded after the last `limit` scans that changed any (oldest first). */
MAMORI_API int mamori_store_compliance_trend(mamori_ctx *ctx, mamori_store *store, size_t limit,
					     mamori_score_point **out, size_t *count,
					     mamori_arena *arena);

/* A resource and what is known about it. */
typedef struct mamori_resource_info {
	const char *id;
	const char *type;
	const char *account;
	const char *region;
	size_t findings;
	size_t open;
	int max_severity; /* of its open findings, -1 when none */
	const char *last_seen;
} mamori_resource_info;

/* Resources of the findings matching q, the most severe open finding first, then
 * the most open findings; one page. */
MAMORI_API int mamori_store_resources(mamori_ctx *ctx, mamori_store *store, const mamori_query *q,
				      mamori_resource_info **out, size_t *count,
				      mamori_arena *arena);

/* The distinct values of a column ("resource_type", "generator_id", "account",
 * "region", "pillar", "module") with their finding counts, most frequent first. */
MAMORI_API int mamori_store_facet(mamori_ctx *ctx, mamori_store *store, const char *column,
				  size_t limit, mamori_count_list *out, mamori_arena *arena);

/* Split "Standard/Control" at its last '/'; false when it has none. */
MAMORI_API bool mamori_requirement_split(const char *req, mamori_arena *a, const char **standard,
					 const char **control);

MAMORI_API void mamori_history_init(mamori_history *h);
MAMORI_API void mamori_history_free(mamori_history *h);

#ifdef __cplusplus
}
#endif
#endif
