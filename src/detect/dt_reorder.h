/*
 * dt_reorder.h — events into time order, within a tolerance.
 *
 * Logs do not arrive sorted: CloudTrail writes one file per account and
 * region every few minutes and an event can land in a file minutes after
 * it happened; flow-log records carry the start of capture windows of up
 * to ten minutes; several inputs interleave.  Detectors that count in
 * windows and follow sequences want event time order, so every timed
 * event waits here until the newest event seen is `window` seconds past
 * it, then is released — oldest second first, arrival order within a
 * second.
 *
 * Memory is bounded twice: by the window (only `window` seconds of events
 * wait) and by max_bytes (past it the oldest second is released early).
 * An event older than what was already released is late: it is handed
 * back at once and counted.  Buckets are one second each in a ring
 * (O(1) per event, no heap), payloads are copied in and given to the
 * release callback as they were.
 */
#ifndef MAMORI_DETECT_REORDER_H
#define MAMORI_DETECT_REORDER_H

#include "dt_util.h"

typedef struct dt_reorder dt_reorder;

/* Called with each released payload, in time order. */
typedef void (*dt_release_fn)(void *ud, const void *payload, size_t len, int64_t t);

typedef struct dt_reorder_stats {
	uint64_t buffered; /* events that waited */
	uint64_t late;	   /* events older than what was released already */
	uint64_t early;	   /* events released before their time (max_bytes reached) */
	size_t peak_bytes;
} dt_reorder_stats;

/* window 0: no reordering (events pass straight through). */
dt_reorder *dt_reorder_new(int64_t window, size_t max_bytes, dt_release_fn fn, void *ud);
void dt_reorder_free(dt_reorder *q);

/*
 * Add an event at time t (epoch seconds; 0 = unknown: released at once).
 * The payload is built by the caller into the returned space of len bytes,
 * then dt_reorder_commit() files it (and releases what is due).  Returns
 * NULL when the event must not wait (no window, unknown time, late): the
 * caller processes it itself.
 */
void *dt_reorder_reserve(dt_reorder *q, int64_t t, size_t len);
void dt_reorder_commit(dt_reorder *q);

/* Release everything still waiting (end of input). */
void dt_reorder_flush(dt_reorder *q);
const dt_reorder_stats *dt_reorder_stats_get(const dt_reorder *q);

#endif
