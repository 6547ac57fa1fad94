/*
 * store_backend.h — what a store backend implements.
 *
 * Security Hub's life-cycle rules live once, in store.c; a backend only
 * executes primitive reads and writes in its own SQL dialect.  SQLite is
 * store_sqlite.c; a PostgreSQL backend implements the same table.
 */
#ifndef MAMORI_CORE_STORE_BACKEND_H
#define MAMORI_CORE_STORE_BACKEND_H

#include "internal.h"

/* What the store knows about one finding before a scan touches it. */
typedef struct mamori_store_state {
	bool exists;
	char created_at[40];
	char first_observed_at[40];
	int workflow;	  /* mamori_workflow */
	int record_state; /* mamori_record_state */
	int compliance;	  /* mamori_compliance */
	int severity;	  /* mamori_severity */
	char doc_hash[33]; /* hash of the stored content (store_doc.c) */
	char last_observed_at[40];
} mamori_store_state;

/* The columns of findings a mamori_store_state is read from, in its order
 * (both backends' readers index them from 0). */
#define MAMORI_STORE_STATE_COLUMNS                                                     \
	"created_at, first_observed_at, workflow, record_state, compliance, severity, " \
	"doc_hash, last_observed_at"
/* ... and a whole row: the state, then updated_at and the document */
#define MAMORI_STORE_ROW_COLUMNS MAMORI_STORE_STATE_COLUMNS ", updated_at, doc"

/* A finding's content as stored: ASFF JSON without its life-cycle fields
 * (those are columns), and the hash that tells whether it changed. */
typedef struct mamori_store_doc {
	const char *data;
	size_t len;
	const char *hash;
	bool known; /* the store has a row for the finding (upsert: no insert needed) */
} mamori_store_doc;

/* A finding to archive: found by scope, not produced by this scan. */
typedef struct mamori_store_stale {
	char *id;
	mamori_store_state state;
} mamori_store_stale;

/* SQL dialects: where they differ, store_query.c writes each its own way. */
typedef enum mamori_sql_dialect {
	MAMORI_SQL_SQLITE = 0,
	MAMORI_SQL_POSTGRES,
} mamori_sql_dialect;

/* A bound parameter of select/exec: text (NULL = SQL NULL) or an integer. */
typedef struct mamori_sql_param {
	const char *text;
	int64_t num;
	bool is_num;
} mamori_sql_param;

/* Receives one row: ncols column values as text (NULL for SQL NULL). */
typedef int (*mamori_sql_row_fn)(void *userdata, const char *const *cols, size_t ncols);

typedef struct mamori_store_ops {
	const char *name;
	mamori_sql_dialect dialect;
	void (*close)(mamori_store *s);
	int (*current_version)(mamori_store *s);
	void (*set_lock_timeout)(mamori_store *s, int ms);
	void (*set_query_timeout)(mamori_store *s, int ms); /* 0 = none */

	/* One write transaction, taken before any read it depends on. */
	int (*begin)(mamori_ctx *ctx, mamori_store *s);
	int (*commit)(mamori_ctx *ctx, mamori_store *s);
	void (*rollback)(mamori_store *s);

	int (*insert_scan)(mamori_ctx *ctx, mamori_store *s, const mamori_scan_record *scan,
			   int64_t *scan_id);
	int (*finish_scan)(mamori_ctx *ctx, mamori_store *s, int64_t scan_id, size_t findings,
			   const mamori_scan_stats *stats);
	int (*load_state)(mamori_ctx *ctx, mamori_store *s, const char *id, mamori_store_state *st);
	/* Insert or replace the finding's row. */
	int (*upsert)(mamori_ctx *ctx, mamori_store *s, const mamori_finding *f, const char *scope,
		      int64_t scan_id, const mamori_store_doc *doc);
	/* A finding seen again with unchanged content: move its observation
	 * times and life-cycle columns (workflow, record state, compliance) only. */
	int (*touch)(mamori_ctx *ctx, mamori_store *s, const mamori_finding *f, const char *scope,
		     int64_t scan_id);
	/* Change only the life-cycle columns of an existing row. */
	int (*set_state)(mamori_ctx *ctx, mamori_store *s, const char *id, int workflow,
			 int record_state, int compliance, const char *updated_at);
	int (*add_history)(mamori_ctx *ctx, mamori_store *s, const char *finding_id,
			   const mamori_history_entry *e);
	/* ACTIVE findings of (scope, module) whose last scan is not scan_id. */
	int (*list_stale)(mamori_ctx *ctx, mamori_store *s, const char *scope, const char *module,
			  int64_t scan_id, mamori_store_stale **out, size_t *count);

	int (*query)(mamori_ctx *ctx, mamori_store *s, const mamori_filter *filter,
		     mamori_findings *out);
	/* Resolve a full id or unique hash prefix to the full id (malloc'd). */
	int (*resolve_id)(mamori_ctx *ctx, mamori_store *s, const char *id, char **full);
	int (*get)(mamori_ctx *ctx, mamori_store *s, const char *id, mamori_findings *out);
	int (*history)(mamori_ctx *ctx, mamori_store *s, const char *id, mamori_history *h);
	int (*list_scans)(mamori_ctx *ctx, mamori_store *s, size_t limit, mamori_scan_info **out,
			  size_t *count, mamori_arena *arena);

	/* Generic statements for the hub's views and aggregates (store_query.c):
	 * parameters are numbered ?1.. (SQLite) or $1.. (PostgreSQL), as
	 * store_query.c writes them.  select() calls row() per row until
	 * it returns non-zero (which select() then returns).  exec() runs inside
	 * the caller's transaction, if any. */
	int (*select)(mamori_ctx *ctx, mamori_store *s, const char *sql,
		      const mamori_sql_param *params, size_t nparams, mamori_sql_row_fn row,
		      void *userdata);
	int (*exec)(mamori_ctx *ctx, mamori_store *s, const char *sql,
		    const mamori_sql_param *params, size_t nparams);
} mamori_store_ops;

struct mamori_store {
	const mamori_store_ops *ops;
	char *location; /* for messages */
	int text_index; /* store_query.c: 0 not known yet, 1 a text index, -1 none */
};

/* Backends. */
int mamori_store_sqlite_open(mamori_ctx *ctx, const char *path, mamori_store **out);
#ifdef MAMORI_HAVE_LIBPQ
int mamori_store_pg_open(mamori_ctx *ctx, const char *conninfo, mamori_store **out);
#endif

/* The primitives written over select()/exec() (store_generic.c), for backends
 * without hand-tuned ones of their own. */
int mamori_store_generic_insert_scan(mamori_ctx *ctx, mamori_store *s,
				     const mamori_scan_record *scan, int64_t *scan_id);
int mamori_store_generic_finish_scan(mamori_ctx *ctx, mamori_store *s, int64_t scan_id,
				     size_t findings, const mamori_scan_stats *stats);
int mamori_store_generic_load_state(mamori_ctx *ctx, mamori_store *s, const char *id,
				    mamori_store_state *st);
int mamori_store_generic_upsert(mamori_ctx *ctx, mamori_store *s, const mamori_finding *f,
				const char *scope, int64_t scan_id, const mamori_store_doc *doc);
int mamori_store_generic_touch(mamori_ctx *ctx, mamori_store *s, const mamori_finding *f,
			       const char *scope, int64_t scan_id);
int mamori_store_generic_set_state(mamori_ctx *ctx, mamori_store *s, const char *id, int workflow,
				   int record_state, int compliance, const char *updated_at);
int mamori_store_generic_add_history(mamori_ctx *ctx, mamori_store *s, const char *finding_id,
				     const mamori_history_entry *e);
int mamori_store_generic_list_stale(mamori_ctx *ctx, mamori_store *s, const char *scope,
				    const char *module, int64_t scan_id, mamori_store_stale **out,
				    size_t *count);
int mamori_store_generic_query(mamori_ctx *ctx, mamori_store *s, const mamori_filter *filter,
			       mamori_findings *out);
int mamori_store_generic_resolve_id(mamori_ctx *ctx, mamori_store *s, const char *id,
				    char **full);
int mamori_store_generic_get(mamori_ctx *ctx, mamori_store *s, const char *id,
			     mamori_findings *out);
int mamori_store_generic_history(mamori_ctx *ctx, mamori_store *s, const char *id,
				 mamori_history *h);
int mamori_store_generic_list_scans(mamori_ctx *ctx, mamori_store *s, size_t limit,
				    mamori_scan_info **out, size_t *count, mamori_arena *arena);

/* Check a finding id or hash prefix given by a user; *prefix = its hash part. */
int mamori_store_id_prefix(mamori_ctx *ctx, const char *id, const char **prefix);

/* Record a finding's controls (store_query.c), called by the merge after upsert;
 * known: the finding had a row before (else it has no controls to compare). */
int mamori_store_sync_controls(mamori_ctx *ctx, mamori_store *s, const mamori_finding *f,
			       bool known);
/* Record every standard's score after scan_id (store_query.c). */
int mamori_store_snapshot_compliance(mamori_ctx *ctx, mamori_store *s, int64_t scan_id,
				     const char *at);

/* Shared by backends: rebuild a finding from its stored doc and life-cycle columns. */
int mamori_store_row_to_finding(mamori_ctx *ctx, mamori_findings *out, const char *doc,
				size_t doc_len, const mamori_store_state *st,
				const char *updated_at, const char *last_observed_at);

/* store_doc.c: a finding's content as stored (JSON without its life-cycle
 * fields; doc->data points into json) and its hash. */
void mamori_store_doc_content(const mamori_finding *f, mamori_buf *json, char hash[33],
			      mamori_store_doc *doc);

/* Append to a history (strings copied into its arena). */
void mamori_history_push(mamori_history *h, const mamori_history_entry *e);

#endif
