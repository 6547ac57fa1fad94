/*
 * store_generic.c — the store's primitive operations written once over a
 * backend's generic select() and exec().
 *
 * A backend that can run a parameterised statement gets every primitive of
 * store_backend.h from here: reading and writing findings, history, scans,
 * id prefixes.  The SQL is written with SQLite's numbered parameters (?1);
 * a backend whose dialect numbers them otherwise ($1 for PostgreSQL)
 * rewrites them in its select()/exec().  Where the dialects differ in more
 * than that (substring search, prefix ranges), the statement says so.
 * SQLite keeps its own hand-tuned primitives (store_sqlite.c); PostgreSQL
 * (store_pg.c) uses these.
 */
#include "store_backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static mamori_sql_param T(const char *s)
{
	return (mamori_sql_param){s, 0, false};
}

static mamori_sql_param N(int64_t v)
{
	return (mamori_sql_param){NULL, v, true};
}

static const char *col(const char *const *c, size_t n, size_t i)
{
	return i < n && c[i] ? c[i] : "";
}

static void read_state(const char *const *c, size_t n, size_t first, mamori_store_state *st)
{
	st->exists = true;
	snprintf(st->created_at, sizeof st->created_at, "%s", col(c, n, first));
	snprintf(st->first_observed_at, sizeof st->first_observed_at, "%s", col(c, n, first + 1));
	st->workflow = atoi(col(c, n, first + 2));
	st->record_state = atoi(col(c, n, first + 3));
	st->compliance = atoi(col(c, n, first + 4));
	st->severity = atoi(col(c, n, first + 5));
	snprintf(st->doc_hash, sizeof st->doc_hash, "%s", col(c, n, first + 6));
	snprintf(st->last_observed_at, sizeof st->last_observed_at, "%s", col(c, n, first + 7));
}

/* ---- writes ---- */

static int id_row(void *ud, const char *const *c, size_t n)
{
	*(int64_t *)ud = strtoll(col(c, n, 0), NULL, 10);
	return MAMORI_OK;
}

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

int mamori_store_generic_insert_scan(mamori_ctx *ctx, mamori_store *s,
				     const mamori_scan_record *scan, int64_t *scan_id)
{
	char *ok = join(scan->modules_ok, scan->modules_ok_count);
	char *failed = join(scan->modules_failed, scan->modules_failed_count);
	mamori_sql_param p[] = {T(scan->target),      T(scan->started_at), T(scan->finished_at),
				T(ok ? ok : ""),      T(failed ? failed : ""), T(scan->host),
				T(scan->actor ? scan->actor : mamori_ctx_actor(ctx))};
	*scan_id = 0;
	int rc = s->ops->select(ctx, s,
				"INSERT INTO scans (target, started_at, finished_at, modules, "
				"failed_modules, host, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
				"RETURNING id",
				p, 7, id_row, scan_id);
	free(ok);
	free(failed);
	return rc;
}

int mamori_store_generic_finish_scan(mamori_ctx *ctx, mamori_store *s, int64_t scan_id,
				     size_t findings, const mamori_scan_stats *stats)
{
	mamori_sql_param p[] = {N((int64_t)findings), N((int64_t)stats->new_findings),
				N((int64_t)stats->archived), N(scan_id)};
	return s->ops->exec(ctx, s,
			    "UPDATE scans SET findings = ?1, new_findings = ?2, archived = ?3 "
			    "WHERE id = ?4",
			    p, 4);
}

static int state_row(void *ud, const char *const *c, size_t n)
{
	read_state(c, n, 0, ud);
	return MAMORI_OK;
}

int mamori_store_generic_load_state(mamori_ctx *ctx, mamori_store *s, const char *id,
				    mamori_store_state *st)
{
	memset(st, 0, sizeof *st);
	mamori_sql_param p = T(id);
	return s->ops->select(ctx, s,
			      "SELECT " MAMORI_STORE_STATE_COLUMNS " FROM findings WHERE id = ?1", &p, 1,
			      state_row, st);
}

int mamori_store_generic_upsert(mamori_ctx *ctx, mamori_store *s, const mamori_finding *f,
				const char *scope, int64_t scan_id, const mamori_store_doc *doc)
{
	const char *hash = strrchr(f->id, '/');
	bool r = f->resource_count > 0;
	mamori_sql_param p[] = {
		T(f->id),
		T(hash ? hash + 1 : f->id),
		T(f->module),
		T(f->pillar),
		T(f->generator_id),
		T(f->aws_account_id),
		T(f->region),
		T(scope),
		T(r ? f->resources[0].type : NULL),
		T(r ? f->resources[0].id : NULL),
		N(f->severity),
		N(f->compliance),
		N(f->workflow),
		N(f->record_state),
		T(f->title),
		T(f->created_at),
		T(f->updated_at),
		T(f->first_observed_at),
		T(f->last_observed_at),
		N(scan_id),
		T(doc->hash),
		T(doc->data),
	};
	return s->ops->exec(
		ctx, s,
		"INSERT INTO findings (id, hash, module, pillar, generator_id, account, region, "
		"scope, resource_type, resource_id, severity, compliance, workflow, record_state, "
		"title, created_at, updated_at, first_observed_at, last_observed_at, last_scan_id, "
		"doc_hash, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		"?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22) ON CONFLICT (id) DO UPDATE SET "
		"pillar = excluded.pillar, "
		"scope = excluded.scope, resource_type = excluded.resource_type, "
		"resource_id = excluded.resource_id, severity = excluded.severity, "
		"compliance = excluded.compliance, workflow = excluded.workflow, "
		"record_state = excluded.record_state, title = excluded.title, "
		"updated_at = excluded.updated_at, first_observed_at = excluded.first_observed_at, "
		"last_observed_at = excluded.last_observed_at, "
		"last_scan_id = excluded.last_scan_id, doc_hash = excluded.doc_hash, "
		"doc = excluded.doc",
		p, sizeof p / sizeof *p);
}

int mamori_store_generic_touch(mamori_ctx *ctx, mamori_store *s, const mamori_finding *f,
			       const char *scope, int64_t scan_id)
{
	mamori_sql_param p[] = {T(scope),	   N(f->workflow),	    N(f->record_state),
				N(f->compliance),  T(f->updated_at),	    T(f->last_observed_at),
				N(scan_id),	   T(f->id),		    T(f->first_observed_at)};
	return s->ops->exec(ctx, s,
			    "UPDATE findings SET scope = ?1, workflow = ?2, record_state = ?3, "
			    "compliance = ?4, updated_at = ?5, last_observed_at = ?6, "
			    "last_scan_id = ?7, first_observed_at = ?9 WHERE id = ?8",
			    p, sizeof p / sizeof *p);
}

int mamori_store_generic_set_state(mamori_ctx *ctx, mamori_store *s, const char *id, int workflow,
				   int record_state, int compliance, const char *updated_at)
{
	mamori_sql_param p[] = {N(workflow), N(record_state), N(compliance), T(updated_at), T(id)};
	return s->ops->exec(ctx, s,
			    "UPDATE findings SET workflow = ?1, record_state = ?2, compliance = ?3, "
			    "updated_at = ?4 WHERE id = ?5",
			    p, 5);
}

int mamori_store_generic_add_history(mamori_ctx *ctx, mamori_store *s, const char *finding_id,
				     const mamori_history_entry *e)
{
	mamori_sql_param p[] = {T(finding_id), T(e->at),     T(e->actor),  T(e->event),
				T(e->from),    T(e->to),     T(e->reason), N(e->scan_id)};
	if (!e->scan_id)
		p[7] = T(NULL);
	return s->ops->exec(ctx, s,
			    "INSERT INTO finding_history (finding_id, at, actor, event, from_value, "
			    "to_value, reason, scan_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
			    p, 8);
}

typedef struct stale_rows {
	mamori_store_stale *items;
	size_t count, cap;
} stale_rows;

static int stale_row(void *ud, const char *const *c, size_t n)
{
	stale_rows *r = ud;
	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->items = mamori_xrealloc(r->items, r->cap * sizeof *r->items);
	}
	mamori_store_stale *x = &r->items[r->count++];
	x->id = mamori_xstrdup(col(c, n, 0));
	read_state(c, n, 1, &x->state);
	return MAMORI_OK;
}

int mamori_store_generic_list_stale(mamori_ctx *ctx, mamori_store *s, const char *scope,
				    const char *module, int64_t scan_id, mamori_store_stale **out,
				    size_t *count)
{
	mamori_sql_param p[] = {T(scope), T(module), N(scan_id)};
	stale_rows r = {0};
	int rc = s->ops->select(ctx, s,
				"SELECT id, " MAMORI_STORE_STATE_COLUMNS " FROM findings WHERE scope = ?1 AND "
				"module = ?2 AND record_state = 0 AND last_scan_id <> ?3",
				p, 3, stale_row, &r);
	*out = r.items;
	*count = r.count;
	return rc;
}

/* ---- reads ---- */

typedef struct finding_rows {
	mamori_ctx *ctx;
	mamori_findings *out;
} finding_rows;

static int finding_row(void *ud, const char *const *c, size_t n)
{
	finding_rows *fr = ud;
	mamori_store_state st;
	read_state(c, n, 0, &st);
	return mamori_store_row_to_finding(fr->ctx, fr->out, col(c, n, 9), strlen(col(c, n, 9)),
					   &st, col(c, n, 8), st.last_observed_at);
}

int mamori_store_generic_query(mamori_ctx *ctx, mamori_store *s, const mamori_filter *f,
			       mamori_findings *out)
{
	bool pg = s->ops->dialect == MAMORI_SQL_POSTGRES;
	mamori_buf sql = MAMORI_BUF_INIT;
	mamori_sql_param p[10];
	size_t n = 0;
	mamori_buf_puts(&sql, "SELECT " MAMORI_STORE_ROW_COLUMNS " FROM findings WHERE 1=1");
	/* each clause binds its own parameter, numbered in order */
	if (f->min_severity >= 0) {
		p[n++] = N(f->min_severity);
		mamori_buf_printf(&sql, " AND severity >= ?%zu", n);
	}
	if (f->module) {
		p[n++] = T(f->module);
		mamori_buf_printf(&sql, " AND (module = ?%zu OR pillar = ?%zu)", n, n);
	}
	if (f->account) {
		p[n++] = T(f->account);
		mamori_buf_printf(&sql, " AND account = ?%zu", n);
	}
	if (f->resource) {
		p[n++] = T(f->resource);
		mamori_buf_printf(&sql, pg ? " AND strpos(resource_id, ?%zu) > 0"
					   : " AND instr(resource_id, ?%zu) > 0",
				  n);
	}
	if (f->generator) {
		p[n++] = T(f->generator);
		mamori_buf_printf(&sql, " AND generator_id = ?%zu", n);
	}
	if (f->workflow >= 0) {
		p[n++] = N(f->workflow);
		mamori_buf_printf(&sql, " AND workflow = ?%zu", n);
	}
	if (f->record_state >= 0) {
		p[n++] = N(f->record_state);
		mamori_buf_printf(&sql, " AND record_state = ?%zu", n);
	}
	if (f->compliance >= 0) {
		p[n++] = N(f->compliance);
		mamori_buf_printf(&sql, " AND compliance = ?%zu", n);
	}
	if (f->since) {
		p[n++] = T(f->since);
		mamori_buf_printf(&sql, " AND last_observed_at >= ?%zu", n);
	}
	if (f->target) {
		p[n++] = T(f->target);
		mamori_buf_printf(&sql, " AND scope = ?%zu", n);
	}
	if (f->open_only)
		mamori_buf_puts(&sql, " AND record_state = 0 AND workflow NOT IN (2, 3) AND "
				      "compliance <> 1");
	mamori_buf_puts(&sql, " ORDER BY severity DESC, last_observed_at DESC, id");
	if (f->limit)
		mamori_buf_printf(&sql, " LIMIT %zu", f->limit);
	finding_rows fr = {ctx, out};
	int rc = s->ops->select(ctx, s, mamori_buf_cstr(&sql), p, n, finding_row, &fr);
	mamori_buf_free(&sql);
	return rc;
}

typedef struct resolve_rows {
	char *first;
	int found;
} resolve_rows;

static int resolve_row(void *ud, const char *const *c, size_t n)
{
	resolve_rows *r = ud;
	if (r->found++ == 0)
		r->first = mamori_xstrdup(col(c, n, 0));
	return MAMORI_OK;
}

int mamori_store_id_prefix(mamori_ctx *ctx, const char *id, const char **prefix)
{
	if (mamori_str_empty(id))
		return mamori_error_set(ctx, MAMORI_EUSAGE, "no finding id given");
	/* a full id, or a prefix of the hash part (like a git short hash) */
	const char *slash = strrchr(id, '/');
	*prefix = slash ? slash + 1 : id;
	size_t plen = strlen(*prefix);
	for (size_t i = 0; i < plen; i++) {
		char c = (*prefix)[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return mamori_error_set(ctx, MAMORI_EUSAGE,
						"\"%s\" is not a finding id (ids look like "
						"mamori/MODULE/HEX; a prefix of HEX is enough)",
						id);
	}
	if (plen < 4)
		return mamori_error_set(ctx, MAMORI_EUSAGE,
					"finding id prefix \"%s\" is too short: give at least 4 "
					"characters",
					*prefix);
	return MAMORI_OK;
}

int mamori_store_generic_resolve_id(mamori_ctx *ctx, mamori_store *s, const char *id,
				    char **full)
{
	*full = NULL;
	const char *prefix;
	int rc = mamori_store_id_prefix(ctx, id, &prefix);
	if (rc)
		return rc;
	/* the prefix is hex only: no LIKE wildcard can hide in it */
	mamori_sql_param p[] = {T(id), T(prefix)};
	resolve_rows r = {0};
	rc = s->ops->select(ctx, s,
				s->ops->dialect == MAMORI_SQL_POSTGRES
					? "SELECT id FROM findings WHERE id = ?1 OR hash LIKE ?2 || '%' "
					  "LIMIT 2"
					: "SELECT id FROM findings WHERE id = ?1 OR (hash >= ?2 AND "
					  "hash < ?2 || 'g') LIMIT 2",
				p, 2, resolve_row, &r);
	if (rc || r.found != 1) {
		free(r.first);
		if (rc)
			return rc;
		if (r.found == 0)
			return mamori_error_set(ctx, MAMORI_ENOTFOUND, "no finding with id %s in %s",
						id, s->location);
		return mamori_error_set(ctx, MAMORI_EAMBIGUOUS,
					"finding id prefix %s matches several findings; give more "
					"characters",
					prefix);
	}
	*full = r.first;
	return MAMORI_OK;
}

int mamori_store_generic_get(mamori_ctx *ctx, mamori_store *s, const char *id,
			     mamori_findings *out)
{
	mamori_sql_param p = T(id);
	size_t before = out->count;
	finding_rows fr = {ctx, out};
	int rc = s->ops->select(ctx, s,
				"SELECT " MAMORI_STORE_ROW_COLUMNS " FROM findings WHERE id = ?1", &p, 1,
				finding_row, &fr);
	if (!rc && out->count == before)
		return mamori_error_set(ctx, MAMORI_ENOTFOUND, "no finding with id %s", id);
	return rc;
}

static int history_row(void *ud, const char *const *c, size_t n)
{
	mamori_history_entry e = {col(c, n, 0),
				  col(c, n, 1),
				  col(c, n, 2),
				  n > 3 ? c[3] : NULL,
				  n > 4 ? c[4] : NULL,
				  n > 5 ? c[5] : NULL,
				  strtoll(col(c, n, 6), NULL, 10)};
	mamori_history_push(ud, &e);
	return MAMORI_OK;
}

int mamori_store_generic_history(mamori_ctx *ctx, mamori_store *s, const char *id,
				 mamori_history *h)
{
	mamori_sql_param p = T(id);
	return s->ops->select(ctx, s,
			      "SELECT at, actor, event, from_value, to_value, reason, "
			      "coalesce(scan_id, 0) FROM finding_history WHERE finding_id = ?1 "
			      "ORDER BY id",
			      &p, 1, history_row, h);
}

typedef struct scan_rows {
	mamori_arena *a;
	mamori_scan_info *items;
	size_t count, cap;
} scan_rows;

static int scan_row(void *ud, const char *const *c, size_t n)
{
	scan_rows *r = ud;
	if (r->count == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		mamori_scan_info *bigger = mamori_arena_alloc(r->a, r->cap * sizeof *bigger);
		if (r->count)
			memcpy(bigger, r->items, r->count * sizeof *bigger);
		r->items = bigger;
	}
	mamori_scan_info *i = &r->items[r->count++];
	i->id = strtoll(col(c, n, 0), NULL, 10);
	i->target = mamori_arena_strdup(r->a, col(c, n, 1));
	i->started_at = mamori_arena_strdup(r->a, col(c, n, 2));
	i->finished_at = mamori_arena_strdup(r->a, col(c, n, 3));
	i->modules = mamori_arena_strdup(r->a, col(c, n, 4));
	i->host = mamori_arena_strdup(r->a, col(c, n, 5));
	i->findings = (size_t)strtoull(col(c, n, 6), NULL, 10);
	i->archived = (size_t)strtoull(col(c, n, 7), NULL, 10);
	i->new_findings = (size_t)strtoull(col(c, n, 8), NULL, 10);
	i->failed_modules = mamori_arena_strdup(r->a, col(c, n, 9));
	i->actor = mamori_arena_strdup(r->a, col(c, n, 10));
	return MAMORI_OK;
}

int mamori_store_generic_list_scans(mamori_ctx *ctx, mamori_store *s, size_t limit,
				    mamori_scan_info **out, size_t *count, mamori_arena *arena)
{
	mamori_sql_param p = N(limit ? (int64_t)limit : INT64_MAX);
	scan_rows r = {arena, NULL, 0, 0};
	int rc = s->ops->select(ctx, s,
				"SELECT id, target, started_at, finished_at, modules, "
				"coalesce(host, ''), findings, archived, new_findings, "
				"failed_modules, coalesce(actor, '') FROM scans ORDER BY id DESC "
				"LIMIT ?1",
				&p, 1, scan_row, &r);
	*out = r.items;
	*count = rc ? 0 : r.count;
	return rc;
}
