/*
 * store_baseline.h — detection baselines kept in the store (schema v3,
 * table detect_baselines): for a namespace (identities, instances) and a
 * subject, the list of items seen before (services called, remote ports
 * used), newline separated.  Added for the detection pillar so that a
 * second run knows what is normal; merging is set union, capped per
 * subject, in one write transaction, so concurrent shards cannot lose
 * each other's items.
 */
#ifndef MAMORI_CORE_STORE_BASELINE_H
#define MAMORI_CORE_STORE_BASELINE_H

#include "internal.h"

typedef struct mamori_store_baseline_item {
	const char *ns;
	const char *subject;
	const char *items; /* newline-separated */
} mamori_store_baseline_item;

/* Call fn for every stored baseline. */
int mamori_store_baseline_load(mamori_ctx *ctx, mamori_store *store,
			       void (*fn)(void *ud, const char *ns, const char *subject,
					  const char *items),
			       void *ud);

/* Union each item list into the stored one (at most max_items per subject). */
int mamori_store_baseline_merge(mamori_ctx *ctx, mamori_store *store,
				const mamori_store_baseline_item *items, size_t n,
				size_t max_items);

#endif
