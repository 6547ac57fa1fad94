/*
 * dt_reorder.c — the reordering buffer (see dt_reorder.h).
 *
 * A ring of one-second buckets covering (released, top]: `released` is
 * the newest second already handed out, `top` the newest second waiting.
 * The ring has at least window + 2 buckets and everything at or before
 * newest - window is released before a newer event is filed, so two
 * waiting seconds never share a bucket.  A bucket is a byte buffer of
 * entries [u32 length][u32 0][payload, padded to 8].
 */
#include "dt_reorder.h"

#include <stdlib.h>

/* Emptied bucket buffers are kept for reuse (no page faults and zeroing
 * for every second of events) up to this much in all, and only when not
 * larger than KEEP_ONE_BYTES each. */
#define KEEP_BYTES (32u << 20)
#define KEEP_ONE_BYTES (1u << 20)

typedef struct bucket {
	char *data;
	size_t len, cap;
	int64_t t;
	size_t entries;
} bucket;

struct dt_reorder {
	int64_t window;
	size_t max_bytes, bytes;
	dt_release_fn fn;
	void *ud;
	bucket *ring;
	size_t mask;
	bool started;
	bool released_early; /* `released` was handed out early (max_bytes) */
	int64_t newest, released, top;
	size_t pending;
	size_t kept; /* capacity of empty buckets kept for reuse */
	bucket *res; /* the reservation being filled */
	size_t res_size;
	dt_reorder_stats st;
};

dt_reorder *dt_reorder_new(int64_t window, size_t max_bytes, dt_release_fn fn, void *ud)
{
	dt_reorder *q = mamori_xcalloc(1, sizeof *q);
	q->window = window > 0 ? window : 0;
	q->max_bytes = max_bytes ? max_bytes : 1;
	q->fn = fn;
	q->ud = ud;
	if (q->window) {
		size_t n = 4;
		while (n < (size_t)q->window + 2)
			n <<= 1;
		q->ring = mamori_xcalloc(n, sizeof *q->ring);
		q->mask = n - 1;
	}
	return q;
}

void dt_reorder_free(dt_reorder *q)
{
	if (!q)
		return;
	for (size_t i = 0; q->ring && i <= q->mask; i++)
		free(q->ring[i].data);
	free(q->ring);
	free(q);
}

const dt_reorder_stats *dt_reorder_stats_get(const dt_reorder *q)
{
	return &q->st;
}

static void release_bucket(dt_reorder *q, bucket *b, bool early)
{
	for (size_t off = 0; off < b->len;) {
		uint32_t n;
		memcpy(&n, b->data + off, sizeof n);
		q->fn(q->ud, b->data + off + 8, n, b->t);
		off += 8 + (((size_t)n + 7) & ~(size_t)7);
	}
	if (early)
		q->st.early += b->entries;
	q->pending -= b->entries;
	q->bytes -= b->len;
	b->len = 0;
	b->entries = 0;
	if (b->cap > KEEP_ONE_BYTES || q->kept + b->cap > KEEP_BYTES) {
		free(b->data);
		b->data = NULL;
		b->cap = 0;
	} else {
		q->kept += b->cap;
	}
}

/* Release every waiting second up to and including t. */
static void release_until(dt_reorder *q, int64_t t, bool early)
{
	if (t <= q->released)
		return;
	int64_t hi = t < q->top ? t : q->top;
	for (int64_t s = q->released + 1; s <= hi && q->pending; s++) {
		bucket *b = &q->ring[(uint64_t)s & q->mask];
		if (b->entries && b->t == s)
			release_bucket(q, b, early);
	}
	q->released = t;
	q->released_early = early;
}

void *dt_reorder_reserve(dt_reorder *q, int64_t t, size_t len)
{
	if (!q->window || t <= 0 || len > UINT32_MAX)
		return NULL;
	if (!q->started) {
		q->started = true;
		q->newest = q->top = t;
		q->released = t - q->window - 1;
	}
	if (t <= q->released) {
		/* the rest of a second released early goes at once, still in
		 * order: only an older second is late */
		if (t < q->released || !q->released_early)
			q->st.late++;
		return NULL;
	}
	if (t > q->newest) {
		q->newest = t;
		release_until(q, t - q->window - 1, false);
	}
	bucket *b = &q->ring[(uint64_t)t & q->mask];
	if (!b->entries && b->cap)
		q->kept -= b->cap; /* a kept buffer back in use */
	size_t size = 8 + ((len + 7) & ~(size_t)7);
	if (b->len + size > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + size)
			cap *= 2;
		b->data = mamori_xrealloc(b->data, cap);
		b->cap = cap;
	}
	uint32_t n = (uint32_t)len, zero = 0;
	memcpy(b->data + b->len, &n, 4);
	memcpy(b->data + b->len + 4, &zero, 4);
	b->t = t;
	q->res = b;
	q->res_size = size;
	return b->data + b->len + 8;
}

void dt_reorder_commit(dt_reorder *q)
{
	bucket *b = q->res;
	if (!b)
		return;
	q->res = NULL;
	b->len += q->res_size;
	b->entries++;
	q->bytes += q->res_size;
	q->pending++;
	q->st.buffered++;
	if (b->t > q->top)
		q->top = b->t;
	if (q->bytes > q->st.peak_bytes)
		q->st.peak_bytes = q->bytes;
	/* over budget: hand out the oldest seconds until a quarter is free */
	if (q->bytes > q->max_bytes) {
		while (q->pending && q->bytes > q->max_bytes / 4 * 3) {
			int64_t s = q->released + 1;
			while (s < q->top && !(q->ring[(uint64_t)s & q->mask].entries &&
					       q->ring[(uint64_t)s & q->mask].t == s))
				s++;
			release_until(q, s, true);
		}
	}
}

void dt_reorder_flush(dt_reorder *q)
{
	if (q->window && q->pending)
		release_until(q, q->top, false);
}
