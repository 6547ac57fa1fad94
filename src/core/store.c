/*
 * store.c — Security Hub's finding life cycle over any store backend.
 *
 * record_scan() is the heart: in one write transaction it records the scan,
 * merges every finding with what the store knew (keeping CreatedAt and
 * FirstObservedAt, moving LastObservedAt), applies the automatic workflow
 * transitions Security Hub applies, and archives what a module that ran
 * cleanly no longer reports in the same scope.  Backends (store_sqlite.c,
 * store_pg.c) only run the primitive statements.
 */
#include "store_backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAMORI_ACTOR_SYSTEM "mamori"

void mamori_history_init(mamori_history *h)
{
	memset(h, 0, sizeof *h);
	mamori_arena_init(&h->arena, 0);
}

void mamori_history_free(mamori_history *h)
{
	free(h->items);
	mamori_arena_free(&h->arena);
	memset(h, 0, sizeof *h);
}

void mamori_history_push(mamori_history *h, const mamori_history_entry *e)
{
	if (h->count == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8;
		h->items = mamori_xrealloc(h->items, h->cap * sizeof *h->items);
	}
	mamori_history_entry *n = &h->items[h->count++];
	n->at = mamori_arena_strdup(&h->arena, e->at);
	n->actor = mamori_arena_strdup(&h->arena, e->actor);
	n->event = mamori_arena_strdup(&h->arena, e->event);
	n->from = mamori_arena_strdup(&h->arena, e->from);
	n->to = mamori_arena_strdup(&h->arena, e->to);
	n->reason = mamori_arena_strdup(&h->arena, e->reason);
	n->scan_id = e->scan_id;
}

char *mamori_store_default_path(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	mamori_buf b = MAMORI_BUF_INIT;
	if (!mamori_str_empty(xdg) && xdg[0] == '/')
		mamori_buf_printf(&b, "%s/mamori/findings.db", xdg);
	else if (!mamori_str_empty(home))
		mamori_buf_printf(&b, "%s/.local/share/mamori/findings.db", home);
	else
		mamori_buf_puts(&b, "mamori-findings.db");
	return mamori_buf_detach(&b);
}

int mamori_store_open(mamori_ctx *ctx, const char *location, mamori_store **out)
{
	*out = NULL;
	if (mamori_str_empty(location))
		return mamori_error_set(ctx, MAMORI_EUSAGE, "no store location given");
	if (strncmp(location, "postgresql://", 13) == 0 || strncmp(location, "postgres://", 11) == 0)
#ifdef MAMORI_HAVE_LIBPQ
		return mamori_store_pg_open(ctx, location, out);
#else
		return mamori_error_set(ctx, MAMORI_EUSAGE,
					"%s: this mamori was built without PostgreSQL support; "
					"use a SQLite file path",
					location);
#endif
	const char *path = strncmp(location, "sqlite:", 7) == 0 ? location + 7 : location;
	return mamori_store_sqlite_open(ctx, path, out);
}

void mamori_store_close(mamori_store *store)
{
	if (store)
		store->ops->close(store);
}

int mamori_store_current_version(mamori_store *store)
{
	return store->ops->current_version(store);
}

void mamori_store_set_lock_timeout(mamori_store *store, int milliseconds)
{
	store->ops->set_lock_timeout(store, milliseconds);
}

void mamori_store_set_query_timeout(mamori_store *store, int milliseconds)
{
	store->ops->set_query_timeout(store, milliseconds < 0 ? 0 : milliseconds);
}

static bool in_list(const char *name, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* ---- the merge ---- */

typedef struct merge {
	mamori_ctx *ctx;
	mamori_store *s;
	int64_t scan_id;
	const char *now;
	const char *actor;
	mamori_buf json; /* the stored content, reused */
} merge;

/* Write the finding's row: only its columns when its content is unchanged. */
static int save(merge *m, const mamori_finding *f, const char *scope, const mamori_store_state *st)
{
	char hash[33];
	mamori_store_doc doc;
	mamori_store_doc_content(f, &m->json, hash, &doc);
	if (st->exists && strcmp(st->doc_hash, hash) == 0)
		return m->s->ops->touch(m->ctx, m->s, f, scope, m->scan_id);
	doc.known = st->exists;
	int rc = m->s->ops->upsert(m->ctx, m->s, f, scope, m->scan_id, &doc);
	/* new or changed content: the controls it maps to may have changed too */
	return rc ? rc : mamori_store_sync_controls(m->ctx, m->s, f, st->exists);
}

static int history(merge *m, const char *id, const char *event, const char *from, const char *to,
		   const char *actor, const char *reason)
{
	mamori_history_entry e = {m->now, actor, event, from, to, reason, m->scan_id};
	return m->s->ops->add_history(m->ctx, m->s, id, &e);
}

static bool workflow_reopens(int wf)
{
	return wf == MAMORI_WORKFLOW_NOTIFIED || wf == MAMORI_WORKFLOW_RESOLVED;
}

/* Merge one produced finding into the store; update f to the merged state. */
static int merge_finding(merge *m, mamori_findings *fs, mamori_finding *f, const char *scope,
			 mamori_scan_stats *stats)
{
	mamori_store_state st;
	int rc = m->s->ops->load_state(m->ctx, m->s, f->id, &st);
	if (rc)
		return rc;
	f->updated_at = m->now;
	if (!f->event_times)
		f->last_observed_at = m->now;
	else if (st.exists && strcmp(st.last_observed_at, f->last_observed_at) > 0)
		f->last_observed_at = mamori_arena_strdup(&fs->arena, st.last_observed_at);
	f->record_state = MAMORI_RECORD_ACTIVE;
	bool passed = f->compliance == MAMORI_COMPLIANCE_PASSED;

	if (!st.exists) {
		f->created_at = m->now;
		if (!f->event_times)
			f->first_observed_at = m->now;
		/* Security Hub: a control finding that passes is RESOLVED */
		f->workflow = passed ? MAMORI_WORKFLOW_RESOLVED : MAMORI_WORKFLOW_NEW;
		stats->new_findings++;
		rc = save(m, f, scope, &st);
		if (!rc)
			rc = history(m, f->id, "observed", NULL,
				     passed ? "PASSED" : mamori_severity_name(f->severity),
				     MAMORI_ACTOR_SYSTEM, NULL);
		return rc;
	}

	f->created_at = mamori_arena_strdup(&fs->arena, st.created_at);
	/* events seen earlier than anything stored (an older log read later) */
	if (!f->event_times || strcmp(st.first_observed_at, f->first_observed_at) < 0)
		f->first_observed_at = mamori_arena_strdup(&fs->arena, st.first_observed_at);
	f->workflow = (mamori_workflow)st.workflow;
	const char *reopen_reason = NULL;

	if (st.record_state == MAMORI_RECORD_ARCHIVED) {
		stats->reactivated++;
		rc = history(m, f->id, "reactivated", "ARCHIVED", "ACTIVE", MAMORI_ACTOR_SYSTEM, NULL);
		if (rc)
			return rc;
		reopen_reason = "the finding was observed again after being archived";
	} else {
		stats->updated++;
	}
	if (st.compliance != (int)f->compliance && f->compliance != MAMORI_COMPLIANCE_NONE) {
		rc = history(m, f->id, "compliance",
			     mamori_compliance_name((mamori_compliance)st.compliance),
			     mamori_compliance_name(f->compliance), MAMORI_ACTOR_SYSTEM, NULL);
		if (rc)
			return rc;
		if (st.compliance == MAMORI_COMPLIANCE_PASSED && !passed)
			reopen_reason = "the check failed again after passing";
	}
	if (st.severity != (int)f->severity && !passed) {
		rc = history(m, f->id, "severity", mamori_severity_name((mamori_severity)st.severity),
			     mamori_severity_name(f->severity), MAMORI_ACTOR_SYSTEM, NULL);
		if (rc)
			return rc;
	}

	mamori_workflow wf = f->workflow;
	if (reopen_reason && workflow_reopens(st.workflow))
		wf = MAMORI_WORKFLOW_NEW;
	else if (passed && (st.workflow == MAMORI_WORKFLOW_NEW ||
			    st.workflow == MAMORI_WORKFLOW_NOTIFIED))
		wf = MAMORI_WORKFLOW_RESOLVED, reopen_reason = "the check passed";
	if (wf != f->workflow) {
		rc = history(m, f->id, "workflow", mamori_workflow_name(f->workflow),
			     mamori_workflow_name(wf), MAMORI_ACTOR_SYSTEM, reopen_reason);
		if (rc)
			return rc;
		f->workflow = wf;
	}
	return save(m, f, scope, &st);
}

/* Archive what module no longer reports in scope. */
static int archive_stale(merge *m, const char *scope, const char *module, mamori_scan_stats *stats)
{
	mamori_store_stale *stale = NULL;
	size_t n = 0;
	int rc = m->s->ops->list_stale(m->ctx, m->s, scope, module, m->scan_id, &stale, &n);
	for (size_t i = 0; rc == MAMORI_OK && i < n; i++) {
		mamori_store_state *st = &stale[i].state;
		int compliance = st->compliance;
		int wf = st->workflow;
		rc = history(m, stale[i].id, "archived", "ACTIVE", "ARCHIVED", MAMORI_ACTOR_SYSTEM,
			     "no longer produced by a scan of the same scope");
		if (!rc && compliance != MAMORI_COMPLIANCE_NONE &&
		    compliance != MAMORI_COMPLIANCE_PASSED) {
			rc = history(m, stale[i].id, "compliance",
				     mamori_compliance_name((mamori_compliance)compliance), "PASSED",
				     MAMORI_ACTOR_SYSTEM, NULL);
			compliance = MAMORI_COMPLIANCE_PASSED;
		}
		if (!rc && compliance == MAMORI_COMPLIANCE_PASSED &&
		    (wf == MAMORI_WORKFLOW_NEW || wf == MAMORI_WORKFLOW_NOTIFIED)) {
			rc = history(m, stale[i].id, "workflow",
				     mamori_workflow_name((mamori_workflow)wf), "RESOLVED",
				     MAMORI_ACTOR_SYSTEM, "the check passed");
			wf = MAMORI_WORKFLOW_RESOLVED;
		}
		if (!rc)
			rc = m->s->ops->set_state(m->ctx, m->s, stale[i].id, wf,
						  MAMORI_RECORD_ARCHIVED, compliance, m->now);
		if (!rc)
			stats->archived++;
	}
	for (size_t i = 0; i < n; i++)
		free(stale[i].id);
	free(stale);
	return rc;
}

int mamori_store_record_scan(mamori_ctx *ctx, mamori_store *store, const mamori_scan_record *scan,
			     mamori_findings *found, mamori_scan_stats *stats)
{
	memset(stats, 0, sizeof *stats);
	if (mamori_str_empty(scan->target))
		return mamori_error_set(ctx, MAMORI_EUSAGE, "a scan needs a target (its scope)");
	/* the merged findings outlive the caller's scan record: copy its time */
	merge m = {ctx, store, 0, mamori_arena_strdup(&found->arena, scan->finished_at),
		   scan->actor ? scan->actor : mamori_ctx_actor(ctx), MAMORI_BUF_INIT};
	int rc = store->ops->begin(ctx, store);
	if (rc)
		return rc;
	rc = store->ops->insert_scan(ctx, store, scan, &m.scan_id);
	mamori_progress_begin(ctx, "recording findings", found->count);
	for (size_t i = 0; rc == MAMORI_OK && i < found->count; i++) {
		if ((i & 255) == 0)
			mamori_progress_update(ctx, i);
		mamori_finding *f = &found->items[i];
		if (!in_list(f->module, scan->modules_failed, scan->modules_failed_count) &&
		    !in_list(f->module, scan->modules_ok, scan->modules_ok_count))
			continue; /* not produced by a module of this scan */
		rc = merge_finding(&m, found, f, scan->target, stats);
	}
	for (size_t i = 0; rc == MAMORI_OK && i < scan->modules_ok_count; i++)
		rc = archive_stale(&m, scan->target, scan->modules_ok[i], stats);
	mamori_progress_end(ctx);
	if (rc == MAMORI_OK)
		rc = mamori_store_snapshot_compliance(ctx, store, m.scan_id, m.now);
	if (rc == MAMORI_OK)
		rc = store->ops->finish_scan(ctx, store, m.scan_id, found->count, stats);
	if (rc == MAMORI_OK)
		rc = store->ops->commit(ctx, store);
	mamori_buf_free(&m.json);
	if (rc != MAMORI_OK) {
		store->ops->rollback(store);
		memset(stats, 0, sizeof *stats);
		return rc;
	}
	stats->scan_id = m.scan_id;
	return MAMORI_OK;
}

int mamori_store_query(mamori_ctx *ctx, mamori_store *store, const mamori_filter *filter,
		       mamori_findings *out)
{
	mamori_filter any = MAMORI_FILTER_INIT;
	return store->ops->query(ctx, store, filter ? filter : &any, out);
}

int mamori_store_get(mamori_ctx *ctx, mamori_store *store, const char *id, mamori_findings *out,
		     mamori_history *hist)
{
	char *full = NULL;
	int rc = store->ops->resolve_id(ctx, store, id, &full);
	if (rc)
		return rc;
	rc = store->ops->get(ctx, store, full, out);
	if (!rc && hist)
		rc = store->ops->history(ctx, store, full, hist);
	free(full);
	return rc;
}

int mamori_store_set_workflow(mamori_ctx *ctx, mamori_store *store, const char *id,
			      mamori_workflow status, const char *reason)
{
	if (mamori_str_empty(reason))
		return mamori_error_set(ctx, MAMORI_EUSAGE,
					"a workflow change needs a reason (--reason TEXT)");
	char *full = NULL;
	int rc = store->ops->resolve_id(ctx, store, id, &full);
	if (rc)
		return rc;
	char now[32];
	mamori_time_format(mamori_ctx_now(ctx), now);
	rc = store->ops->begin(ctx, store);
	if (rc) {
		free(full);
		return rc;
	}
	mamori_store_state st;
	rc = store->ops->load_state(ctx, store, full, &st);
	if (!rc && !st.exists)
		rc = mamori_error_set(ctx, MAMORI_ENOTFOUND, "finding %s vanished", full);
	if (!rc && st.workflow == (int)status)
		rc = mamori_error_set(ctx, MAMORI_EUSAGE, "finding %s is already %s", full,
				      mamori_workflow_name(status));
	if (!rc) {
		mamori_history_entry e = {now,
					  mamori_ctx_actor(ctx),
					  "workflow",
					  mamori_workflow_name((mamori_workflow)st.workflow),
					  mamori_workflow_name(status),
					  reason,
					  0};
		rc = store->ops->add_history(ctx, store, full, &e);
	}
	if (!rc)
		rc = store->ops->set_state(ctx, store, full, (int)status, st.record_state,
					   st.compliance, now);
	if (!rc)
		rc = store->ops->commit(ctx, store);
	if (rc)
		store->ops->rollback(store);
	free(full);
	return rc;
}

int mamori_store_list_scans(mamori_ctx *ctx, mamori_store *store, size_t limit,
			    mamori_scan_info **out, size_t *count, mamori_arena *arena)
{
	return store->ops->list_scans(ctx, store, limit, out, count, arena);
}

int mamori_store_row_to_finding(mamori_ctx *ctx, mamori_findings *out, const char *doc,
				size_t doc_len, const mamori_store_state *st,
				const char *updated_at, const char *last_observed_at)
{
	int rc = mamori_finding_from_asff(ctx, out, doc, doc_len);
	if (rc) {
		mamori_error_prefix(ctx, "stored finding is unreadable");
		return MAMORI_ESTORE;
	}
	mamori_finding *f = &out->items[out->count - 1];
	f->workflow = (mamori_workflow)st->workflow;
	f->record_state = (mamori_record_state)st->record_state;
	if (f->compliance != MAMORI_COMPLIANCE_NONE || st->compliance != MAMORI_COMPLIANCE_NONE)
		f->compliance = (mamori_compliance)st->compliance;
	f->created_at = mamori_arena_strdup(&out->arena, st->created_at);
	f->first_observed_at = mamori_arena_strdup(&out->arena, st->first_observed_at);
	f->updated_at = mamori_arena_strdup(&out->arena, updated_at);
	f->last_observed_at = mamori_arena_strdup(&out->arena, last_observed_at);
	return MAMORI_OK;
}
