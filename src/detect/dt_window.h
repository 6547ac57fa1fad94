/*
 * dt_window.h — counting within a time window, per key, with distinct items.
 *
 * The state behind every threshold detector, built so that its memory
 * follows the number of keys active within a window, never the input:
 *
 *   - keys and items are 64-bit hashes (detectors hash their binary keys:
 *     no strings are kept; at 64 bits collisions are negligible);
 *   - counters live in one open-addressing table of 32-byte slots (key,
 *     window start, count, fired, and the first few distinct items inline
 *     as 16-bit fingerprints — most keys never have more);
 *   - keys with more distinct items keep the rest in a second table of
 *     16-byte (hash(key, item) -> window start) pairs;
 *   - a slot whose window ended more than `slack` seconds before the newest
 *     event is expired: it is reused by the next insert that probes it and
 *     dropped when the table is rebuilt, so tables do not fill with the
 *     past; a table grows by doubling up to its cap and, full of live keys,
 *     refuses new ones (counted in `dropped`).
 *
 * A key's window begins at its first event and restarts when an event
 * falls outside it (either side: late events within the window count).
 */
#ifndef MAMORI_DETECT_WINDOW_H
#define MAMORI_DETECT_WINDOW_H

#include "dt_util.h"

#define DT_WIN_INLINE 5

typedef struct dt_wcount {
	uint64_t key; /* 0 = empty slot */
	int64_t start;
	uint32_t count;
	uint8_t fired;
	uint8_t nitems; /* inline fingerprints in use */
	uint16_t items[DT_WIN_INLINE];
} dt_wcount;

typedef struct dt_wpair {
	uint64_t key; /* hash(counter key, item); 0 = empty */
	int64_t start; /* the counter's window start when the item was seen */
} dt_wpair;

typedef struct dt_wtable {
	void *slots;
	size_t mask;	/* slots - 1; 0 before the first insert */
	size_t used;	/* slots not empty (live or expired) */
	size_t max;	/* slot cap (a power of two) */
	int64_t swept;	/* newest event time at the last rebuild */
} dt_wtable;

typedef struct dt_window {
	dt_wtable counters; /* dt_wcount */
	dt_wtable pairs;    /* dt_wpair */
	int64_t length;	    /* seconds */
	int64_t slack;	    /* seconds past a window's end before its slot is reused */
	int64_t now;	    /* newest event time seen */
	uint64_t dropped;   /* keys or items refused because a table was full */
} dt_window;

/* max_keys bounds the counter table; the pair table holds twice as many. */
void dt_window_init(dt_window *w, int64_t length, int64_t slack, size_t max_keys);
void dt_window_free(dt_window *w);

/*
 * Count an event for key at time t (weight events at once).  With has_item,
 * count it only when item is new for the key within its window.  Returns
 * the counter (valid until the next call), or NULL when the table is full.
 */
dt_wcount *dt_window_hit(dt_window *w, uint64_t key, bool has_item, uint64_t item, int64_t t,
			 uint64_t weight);
/* The same with byte-string keys and items (item NULL: count events). */
dt_wcount *dt_window_addn(dt_window *w, const void *key, size_t klen, const void *item,
			  size_t ilen, int64_t t, uint64_t weight);
dt_wcount *dt_window_add(dt_window *w, const char *key, const char *item, int64_t t,
			 uint64_t weight);

/* Live and expired slots in use; bytes allocated. */
size_t dt_window_entries(const dt_window *w);
size_t dt_window_bytes(const dt_window *w);

/* Add the tables' size and refusals to a run's statistics. */
struct dt_stats;
void dt_window_account(const dt_window *w, struct dt_stats *st);

#endif
