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
} mamori_store_state;

/* A finding's content as stored: ASFF JSON without its life-cycle fields
 * (those are columns), and the hash that tells whether it changed. */
typedef struct mamori_store_doc {
	const char *data;
	size_t len;
	const char *hash;
} mamori_store_doc;

/* A finding to archive: found by scope, not produced by this scan. */
typedef struct mamori_store_stale {
	char *id;
	mamori_store_state state;
} mamori_store_stale;

typedef struct mamori_store_ops {
	const char *name;
	void (*close)(mamori_store *s);
	int (*current_version)(mamori_store *s);
	void (*set_lock_timeout)(mamori_store *s, int ms);

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

	/* Detection baselines (store_baseline.h): every row, one row, upsert one row. */
	int (*baseline_each)(mamori_ctx *ctx, mamori_store *s,
			     void (*fn)(void *ud, const char *ns, const char *subject,
					const char *items),
			     void *ud);
	int (*baseline_get)(mamori_ctx *ctx, mamori_store *s, const char *ns, const char *subject,
			    char **items);
	int (*baseline_put)(mamori_ctx *ctx, mamori_store *s, const char *ns, const char *subject,
			    const char *items, const char *updated_at);
} mamori_store_ops;

struct mamori_store {
	const mamori_store_ops *ops;
	char *location; /* for messages */
};

/* Backends. */
int mamori_store_sqlite_open(mamori_ctx *ctx, const char *path, mamori_store **out);

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
