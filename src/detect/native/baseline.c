/*
 * baseline.c — per-identity and per-instance baselines (see baseline.h).
 *
 * In memory: one map of subjects (namespace + subject -> item count) and
 * one of pairs (namespace + subject + item).  Both are capped, so a huge
 * run keeps a bounded baseline.  In the store: table detect_baselines, one
 * row per (namespace, subject) whose value is the item list, newline
 * separated, capped at 256 items (mamori_store_baseline_* in the core).
 */
#include "baseline.h"
#include "../../core/store_baseline.h"

#include <stdlib.h>

#define MAX_SUBJECTS 200000
#define MAX_PAIRS 2000000
#define MAX_ITEMS_PER_SUBJECT 256

struct dt_baseline {
	mamori_ctx *ctx;
	mamori_store *store;
	dt_map subjects; /* "ns\x1fsubject" -> items */
	dt_map pairs;	 /* "ns\x1fsubject\x1fitem" -> 1 stored, 2 learnt now */
	bool loaded;
};

static void key2(mamori_buf *b, int ns, const char *subject, const char *item)
{
	mamori_buf_reset(b);
	mamori_buf_printf(b, "%d\x1f%s", ns, subject);
	if (item)
		mamori_buf_printf(b, "\x1f%s", item);
}

static void add(dt_baseline *b, int ns, const char *subject, const char *item, uint64_t mark)
{
	mamori_buf k = MAMORI_BUF_INIT;
	key2(&k, ns, subject, NULL);
	bool created;
	dt_map_entry *s = dt_map_put(&b->subjects, k.data, k.len, &created);
	if (s && item && s->value < MAX_ITEMS_PER_SUBJECT) {
		key2(&k, ns, subject, item);
		dt_map_entry *p = dt_map_put(&b->pairs, k.data, k.len, &created);
		if (p && created) {
			p->value = mark;
			s->value++;
		}
	}
	mamori_buf_free(&k);
}

static void load_cb(void *ud, const char *ns, const char *subject, const char *value)
{
	dt_baseline *b = ud;
	int n = atoi(ns);
	const char *p = value;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char item[256];
		if (len && len < sizeof item) {
			memcpy(item, p, len);
			item[len] = '\0';
			add(b, n, subject, item, 1);
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!value || !*value)
		add(b, n, subject, NULL, 1);
}

dt_baseline *dt_baseline_new(mamori_ctx *ctx, mamori_store *store)
{
	dt_baseline *b = mamori_xcalloc(1, sizeof *b);
	b->ctx = ctx;
	b->store = store;
	dt_map_init(&b->subjects, MAX_SUBJECTS);
	dt_map_init(&b->pairs, MAX_PAIRS);
	if (store && mamori_store_baseline_load(ctx, store, load_cb, b) != MAMORI_OK)
		mamori_log(ctx, MAMORI_LOG_WARN, "detect: baselines could not be read: %s",
			   mamori_error_last(ctx)->message);
	return b;
}

void dt_baseline_free(dt_baseline *b)
{
	if (!b)
		return;
	dt_map_free(&b->subjects);
	dt_map_free(&b->pairs);
	free(b);
}

bool dt_baseline_knows(dt_baseline *b, int ns, const char *subject, const char *item)
{
	mamori_buf k = MAMORI_BUF_INIT;
	key2(&k, ns, subject, item);
	bool known = dt_map_get(&b->pairs, k.data, k.len) != NULL;
	mamori_buf_free(&k);
	return known;
}

bool dt_baseline_has_subject(dt_baseline *b, int ns, const char *subject)
{
	mamori_buf k = MAMORI_BUF_INIT;
	key2(&k, ns, subject, NULL);
	bool known = dt_map_get(&b->subjects, k.data, k.len) != NULL;
	mamori_buf_free(&k);
	return known;
}

void dt_baseline_learn(dt_baseline *b, int ns, const char *subject, const char *item)
{
	add(b, ns, subject, item, 2);
}

void dt_baseline_save(dt_baseline *b)
{
	if (!b || !b->store)
		return;
	/* group the newly learnt pairs by subject */
	dt_map groups;
	dt_map_init(&groups, 0);
	mamori_buf *vals = NULL;
	size_t nvals = 0;
	for (size_t i = 0; i < dt_map_slots(&b->pairs); i++) {
		const dt_map_entry *e = &b->pairs.slots[i];
		if (!e->key || e->value != 2)
			continue;
		const char *last = NULL;
		for (size_t k = 0; k < e->klen; k++)
			if (e->key[k] == '\x1f')
				last = e->key + k;
		if (!last)
			continue;
		size_t sl = (size_t)(last - e->key);
		bool created;
		dt_map_entry *g = dt_map_put(&groups, e->key, sl, &created);
		if (created) {
			vals = mamori_xrealloc(vals, (nvals + 1) * sizeof *vals);
			vals[nvals] = (mamori_buf)MAMORI_BUF_INIT;
			g->value = nvals++;
		}
		mamori_buf *v = &vals[g->value];
		mamori_buf_append(v, last + 1, e->klen - sl - 1);
		mamori_buf_putc(v, '\n');
	}
	mamori_store_baseline_item *items = mamori_xcalloc(nvals + 1, sizeof *items);
	char **keys = mamori_xcalloc(nvals + 1, sizeof *keys);
	size_t n = 0;
	for (size_t i = 0; i < dt_map_slots(&groups); i++) {
		const dt_map_entry *g = &groups.slots[i];
		if (!g->key)
			continue;
		char *k = mamori_xmalloc(g->klen + 1);
		memcpy(k, g->key, g->klen);
		k[g->klen] = '\0';
		char *sep = strchr(k, '\x1f');
		if (!sep) {
			free(k);
			continue;
		}
		*sep = '\0';
		keys[n] = k;
		items[n].ns = k;
		items[n].subject = sep + 1;
		items[n].items = mamori_buf_cstr(&vals[g->value]);
		n++;
	}
	if (n && mamori_store_baseline_merge(b->ctx, b->store, items, n, MAX_ITEMS_PER_SUBJECT))
		mamori_log(b->ctx, MAMORI_LOG_WARN, "detect: baselines could not be saved: %s",
			   mamori_error_last(b->ctx)->message);
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	free(items);
	for (size_t i = 0; i < nvals; i++)
		mamori_buf_free(&vals[i]);
	free(vals);
	dt_map_free(&groups);
}
