/*
 * window.c — windowed counters (see window.h).
 */
#include "window.h"

#include <stdlib.h>

void dt_window_init(dt_window *w, int64_t length, size_t cap)
{
	dt_map_init(&w->counters, cap);
	dt_map_init(&w->items, cap);
	mamori_arena_init(&w->arena, 0);
	w->length = length;
}

void dt_window_free(dt_window *w)
{
	dt_map_free(&w->counters);
	dt_map_free(&w->items);
	mamori_arena_free(&w->arena);
}

size_t dt_window_entries(const dt_window *w)
{
	return w->counters.count + w->items.count;
}

dt_wcount *dt_window_addn(dt_window *w, const void *key, size_t kl, const void *item,
			  size_t il, int64_t t, uint64_t weight)
{
	bool created;
	dt_map_entry *e = dt_map_put(&w->counters, key, kl, &created);
	if (!e)
		return NULL;
	dt_wcount *c = (dt_wcount *)(uintptr_t)e->value;
	if (created) {
		c = mamori_arena_alloc(&w->arena, sizeof *c);
		c->start = t;
		e->value = (uint64_t)(uintptr_t)c;
	}
	if (t && c->start && (t - c->start > w->length || t < c->start - w->length)) {
		c->start = t;
		c->count = 0;
		c->fired = false;
	}
	if (!c->start)
		c->start = t;
	if (!item) {
		c->count += weight;
		return c;
	}
	char stackbuf[512];
	char *k = kl + il + 1 <= sizeof stackbuf ? stackbuf : mamori_xmalloc(kl + il + 1);
	memcpy(k, key, kl);
	k[kl] = '\x1f';
	memcpy(k + kl + 1, item, il);
	dt_map_entry *ie = dt_map_put(&w->items, k, kl + il + 1, &created);
	if (k != stackbuf)
		free(k);
	if (ie && (created || (int64_t)ie->value != c->start)) {
		ie->value = (uint64_t)c->start;
		c->count += weight;
	}
	return c;
}

dt_wcount *dt_window_add(dt_window *w, const char *key, const char *item, int64_t t,
			 uint64_t weight)
{
	return dt_window_addn(w, key, strlen(key), item, item ? strlen(item) : 0, t, weight);
}
