/*
 * baseline.c — per-identity and per-instance baselines (see baseline.h).
 *
 * In memory the baseline is two sets of 64-bit hashes — (namespace,
 * subject, item) pairs known, and subjects an earlier run saw — so that
 * the question asked on every event costs a hash and a probe, with no
 * string kept per lookup.  Only pairs learnt in this run keep their text
 * (in an arena), for saving.  Everything is capped: a huge run keeps a
 * bounded baseline and counts what it dropped.  In the store: table
 * detect_baselines, one row per (namespace, subject) whose value is the
 * item list, newline separated, capped at 256 items (mamori_store_baseline_*
 * in the core).
 */
#include "baseline.h"
#include "../../core/store_baseline.h"
#include "../dt_window.h"

#include <stdlib.h>

#define MAX_KNOWN 2000000 /* pairs held (stored + learnt): 16 bytes a slot at most */
#define MAX_SUBJECTS 500000
#define MAX_LEARNT 200000 /* new pairs kept for saving */
#define MAX_ITEMS_PER_SUBJECT 256

typedef struct learnt {
	int ns;
	const char *subject, *item;
} learnt;

struct dt_baseline {
	mamori_ctx *ctx;
	mamori_store *store;
	dt_set64 known;	   /* hash(ns, subject, item) */
	dt_set64 subjects; /* hash(ns, subject) of earlier runs */
	learnt *learnt;
	size_t nlearnt, cap;
	size_t dropped;
	mamori_arena arena;
};

static uint64_t subject_hash(int ns, const char *subject)
{
	return dt_hash_mix((uint64_t)ns + 1, dt_hash(subject, strlen(subject)));
}

static uint64_t pair_hash(int ns, const char *subject, const char *item)
{
	return dt_hash_mix(subject_hash(ns, subject), dt_hash(item, strlen(item)));
}

static void load_cb(void *ud, const char *nss, const char *subject, const char *value)
{
	dt_baseline *b = ud;
	int ns = atoi(nss);
	uint64_t sh = subject_hash(ns, subject);
	dt_set64_add(&b->subjects, sh);
	for (const char *p = value; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len)
			dt_set64_add(&b->known, dt_hash_mix(sh, dt_hash(p, len)));
		p = nl ? nl + 1 : NULL;
	}
}

dt_baseline *dt_baseline_new(mamori_ctx *ctx, mamori_store *store)
{
	dt_baseline *b = mamori_xcalloc(1, sizeof *b);
	b->ctx = ctx;
	b->store = store;
	dt_set64_init(&b->known, MAX_KNOWN);
	dt_set64_init(&b->subjects, MAX_SUBJECTS);
	mamori_arena_init(&b->arena, 0);
	if (store && mamori_store_baseline_load(ctx, store, load_cb, b) != MAMORI_OK)
		mamori_log(ctx, MAMORI_LOG_WARN, "detect: baselines could not be read: %s",
			   mamori_error_last(ctx)->message);
	return b;
}

void dt_baseline_free(dt_baseline *b)
{
	if (!b)
		return;
	dt_set64_free(&b->known);
	dt_set64_free(&b->subjects);
	free(b->learnt);
	mamori_arena_free(&b->arena);
	free(b);
}

bool dt_baseline_knows(dt_baseline *b, int ns, const char *subject, const char *item)
{
	return dt_set64_has(&b->known, pair_hash(ns, subject, item));
}

bool dt_baseline_has_subject(dt_baseline *b, int ns, const char *subject)
{
	return dt_set64_has(&b->subjects, subject_hash(ns, subject));
}

void dt_baseline_learn(dt_baseline *b, int ns, const char *subject, const char *item)
{
	int added = dt_set64_add(&b->known, pair_hash(ns, subject, item));
	if (added == 0)
		return;
	if (added < 0 || b->nlearnt >= MAX_LEARNT) {
		b->dropped++;
		return;
	}
	if (b->nlearnt == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->learnt = mamori_xrealloc(b->learnt, b->cap * sizeof *b->learnt);
	}
	b->learnt[b->nlearnt++] = (learnt){ns, mamori_arena_strdup(&b->arena, subject),
					   mamori_arena_strdup(&b->arena, item)};
}

size_t dt_baseline_dropped(const dt_baseline *b)
{
	return b->dropped;
}

static int by_subject(const void *x, const void *y)
{
	const learnt *a = x, *c = y;
	if (a->ns != c->ns)
		return a->ns < c->ns ? -1 : 1;
	int k = strcmp(a->subject, c->subject);
	return k ? k : strcmp(a->item, c->item);
}

void dt_baseline_save(dt_baseline *b)
{
	if (!b || !b->store || !b->nlearnt)
		return;
	/* one row per subject: sort the learnt pairs, group runs of one subject */
	qsort(b->learnt, b->nlearnt, sizeof *b->learnt, by_subject);
	mamori_store_baseline_item *items = mamori_xcalloc(b->nlearnt, sizeof *items);
	mamori_buf *vals = mamori_xcalloc(b->nlearnt, sizeof *vals);
	static const char *const ns_names[] = {"0", "1"};
	size_t n = 0;
	for (size_t i = 0; i < b->nlearnt;) {
		size_t j = i, count = 0;
		vals[n] = (mamori_buf)MAMORI_BUF_INIT;
		for (; j < b->nlearnt && b->learnt[j].ns == b->learnt[i].ns &&
		       strcmp(b->learnt[j].subject, b->learnt[i].subject) == 0;
		     j++)
			if (count++ < MAX_ITEMS_PER_SUBJECT)
				mamori_buf_printf(&vals[n], "%s\n", b->learnt[j].item);
		items[n].ns = ns_names[b->learnt[i].ns == DT_BL_INSTANCE];
		items[n].subject = b->learnt[i].subject;
		items[n].items = mamori_buf_cstr(&vals[n]);
		n++;
		i = j;
	}
	if (mamori_store_baseline_merge(b->ctx, b->store, items, n, MAX_ITEMS_PER_SUBJECT))
		mamori_log(b->ctx, MAMORI_LOG_WARN, "detect: baselines could not be saved: %s",
			   mamori_error_last(b->ctx)->message);
	for (size_t i = 0; i < n; i++)
		mamori_buf_free(&vals[i]);
	free(vals);
	free(items);
}
