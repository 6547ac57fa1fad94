/*
 * dt_window.c — windowed counters in fixed-slot hash tables (see window.h).
 *
 * Both tables share one probing scheme: linear probing over slots that
 * begin with {uint64 key, int64 start}.  A lookup walks the chain to the
 * key or to an empty slot and remembers the first expired slot it passed;
 * a new key takes that slot (the chain stays intact: the key was not
 * further along it).  Tables are rebuilt at 3/4 load: expired slots are
 * dropped and the table doubles while it is under its cap.  At the cap a
 * rebuild is attempted at most every window/8 of event time (a rebuild
 * costs the whole table), and past 9/10 load new keys are refused.
 */
#include "dt_window.h"
#include "detect.h"

#include <stdlib.h>

#define INITIAL_SLOTS 1024

typedef struct head {
	uint64_t key;
	int64_t start;
} head;

static inline head *slot_at(const dt_wtable *t, size_t stride, size_t i)
{
	return (head *)(void *)((char *)t->slots + i * stride);
}

static inline bool expired(const dt_window *w, const head *h)
{
	return h->start + w->length + w->slack < w->now;
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

static void table_init(dt_wtable *t, size_t max_slots)
{
	memset(t, 0, sizeof *t);
	t->max = pow2_at_least(max_slots < 64 ? 64 : max_slots);
}

static void rebuild(dt_window *w, dt_wtable *t, size_t stride)
{
	size_t n = t->mask + 1, live = 0;
	for (size_t i = 0; i < n; i++) {
		const head *h = slot_at(t, stride, i);
		live += h->key && !expired(w, h);
	}
	size_t nn = n;
	while ((live + 1) * 2 > nn && nn < t->max)
		nn *= 2;
	dt_wtable fresh = *t;
	fresh.slots = mamori_xcalloc(nn, stride);
	fresh.mask = nn - 1;
	fresh.used = 0;
	for (size_t i = 0; i < n; i++) {
		const head *h = slot_at(t, stride, i);
		if (!h->key || expired(w, h))
			continue;
		size_t j = (size_t)h->key & fresh.mask;
		while (slot_at(&fresh, stride, j)->key)
			j = (j + 1) & fresh.mask;
		memcpy(slot_at(&fresh, stride, j), h, stride);
		fresh.used++;
	}
	free(t->slots);
	*t = fresh;
	t->swept = w->now;
}

/* The slot of key (created zeroed with its key when new); NULL when full. */
static head *lookup(dt_window *w, dt_wtable *t, size_t stride, uint64_t key, bool *created)
{
	*created = false;
	if (!t->slots) {
		size_t n = INITIAL_SLOTS < t->max ? INITIAL_SLOTS : t->max;
		t->slots = mamori_xcalloc(n, stride);
		t->mask = n - 1;
		t->swept = w->now;
	}
	size_t n = t->mask + 1;
	if ((t->used + 1) * 4 > n * 3 &&
	    (n < t->max || w->now - t->swept >= (w->length / 8 > 0 ? w->length / 8 : 1))) {
		rebuild(w, t, stride);
		n = t->mask + 1;
	}
	size_t i = (size_t)key & t->mask;
	head *reuse = NULL;
	for (;;) {
		head *h = slot_at(t, stride, i);
		if (h->key == key)
			return h;
		if (!h->key) {
			if (!reuse) {
				if ((t->used + 1) * 10 > n * 9)
					return NULL; /* full of live keys */
				reuse = h;
				t->used++;
			}
			break;
		}
		if (!reuse && expired(w, h))
			reuse = h;
		i = (i + 1) & t->mask;
	}
	memset(reuse, 0, stride);
	reuse->key = key;
	*created = true;
	return reuse;
}

void dt_window_init(dt_window *w, int64_t length, int64_t slack, size_t max_keys)
{
	memset(w, 0, sizeof *w);
	w->length = length;
	w->slack = slack;
	table_init(&w->counters, max_keys + max_keys / 3);
	table_init(&w->pairs, 2 * (max_keys + max_keys / 3));
}

void dt_window_free(dt_window *w)
{
	free(w->counters.slots);
	free(w->pairs.slots);
	memset(w, 0, sizeof *w);
}

size_t dt_window_entries(const dt_window *w)
{
	return w->counters.used + w->pairs.used;
}

size_t dt_window_bytes(const dt_window *w)
{
	size_t b = 0;
	if (w->counters.slots)
		b += (w->counters.mask + 1) * sizeof(dt_wcount);
	if (w->pairs.slots)
		b += (w->pairs.mask + 1) * sizeof(dt_wpair);
	return b;
}

dt_wcount *dt_window_hit(dt_window *w, uint64_t key, bool has_item, uint64_t item, int64_t t,
			 uint64_t weight)
{
	if (t > w->now)
		w->now = t;
	if (!key)
		key = 1; /* 0 marks empty slots */
	bool created;
	dt_wcount *c = (dt_wcount *)(void *)lookup(w, &w->counters, sizeof *c, key, &created);
	if (!c) {
		w->dropped++;
		return NULL;
	}
	if (created) {
		c->start = t;
	} else if (t && c->start && (t - c->start > w->length || t < c->start - w->length)) {
		c->start = t;
		c->count = 0;
		c->fired = 0;
		c->nitems = 0;
	}
	if (!c->start)
		c->start = t;
	uint64_t add = weight > UINT32_MAX - c->count ? UINT32_MAX - c->count : weight;
	if (!has_item) {
		c->count += (uint32_t)add;
		return c;
	}
	uint16_t fp = (uint16_t)(item >> 48);
	for (unsigned i = 0; i < c->nitems; i++)
		if (c->items[i] == fp)
			return c;
	if (c->nitems < DT_WIN_INLINE) {
		c->items[c->nitems++] = fp;
		c->count += (uint32_t)add;
		return c;
	}
	uint64_t pk = dt_hash_mix(key, item);
	if (!pk)
		pk = 1;
	dt_wpair *p = (dt_wpair *)(void *)lookup(w, &w->pairs, sizeof *p, pk, &created);
	if (!p) {
		w->dropped++;
		return c;
	}
	if (created || p->start != c->start) {
		p->start = c->start;
		c->count += (uint32_t)add;
	}
	return c;
}

dt_wcount *dt_window_addn(dt_window *w, const void *key, size_t kl, const void *item, size_t il,
			  int64_t t, uint64_t weight)
{
	return dt_window_hit(w, dt_hash(key, kl), item != NULL, item ? dt_hash(item, il) : 0, t,
			     weight);
}

dt_wcount *dt_window_add(dt_window *w, const char *key, const char *item, int64_t t,
			 uint64_t weight)
{
	return dt_window_addn(w, key, strlen(key), item, item ? strlen(item) : 0, t, weight);
}

void dt_window_account(const dt_window *w, dt_stats *st)
{
	st->state_bytes += dt_window_bytes(w);
	st->state_dropped += w->dropped;
}
