/*
 * window.h — counting within a time window, per key, with distinct items.
 *
 * The state behind every threshold detector: a counter per key (detector +
 * actor) that restarts when an event falls outside the window begun by the
 * key's first event, and a set of (key, item) pairs for distinct counts.
 * Both tables are capped (dt_config.max_state_entries): past the cap new
 * keys are not tracked (and counted as dropped), so memory is bounded by
 * the cap, not by the input.
 */
#ifndef MAMORI_DETECT_WINDOW_H
#define MAMORI_DETECT_WINDOW_H

#include "../dt_util.h"

typedef struct dt_window {
	dt_map counters; /* key -> wcount* (in arena) */
	dt_map items;	 /* key \x1f item -> window start when seen */
	int64_t length;
	mamori_arena arena;
} dt_window;

typedef struct dt_wcount {
	int64_t start;
	uint64_t count;
	bool fired;
	void *extra; /* detector-specific state */
} dt_wcount;

void dt_window_init(dt_window *w, int64_t length, size_t cap);
void dt_window_free(dt_window *w);
/* Count an event for key (and a distinct item, or NULL to count events).
 * Returns the counter (NULL when the table is full). weight adds more than one. */
dt_wcount *dt_window_add(dt_window *w, const char *key, const char *item, int64_t t,
			 uint64_t weight);
/* The same with binary keys and items (item NULL: count events). */
dt_wcount *dt_window_addn(dt_window *w, const void *key, size_t klen, const void *item,
			  size_t ilen, int64_t t, uint64_t weight);
size_t dt_window_entries(const dt_window *w);

#endif
