/*
 * store_baseline.c — detection baselines over any store backend (see
 * store_baseline.h).  The union is computed here; backends only read and
 * write rows.
 */
#include "store_backend.h"
#include "store_baseline.h"

#include <stdlib.h>
#include <string.h>

int mamori_store_baseline_load(mamori_ctx *ctx, mamori_store *store,
			       void (*fn)(void *ud, const char *ns, const char *subject,
					  const char *items),
			       void *ud)
{
	if (!store->ops->baseline_each)
		return mamori_error_set(ctx, MAMORI_ESTORE, "%s: this store keeps no baselines",
					store->location);
	return store->ops->baseline_each(ctx, store, fn, ud);
}

/* Is line (len n) one of the lines of list? */
static bool has_line(const char *list, const char *line, size_t n)
{
	for (const char *p = list; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == n && memcmp(p, line, n) == 0)
			return true;
		p = nl ? nl + 1 : NULL;
	}
	return false;
}

static size_t count_lines(const char *list)
{
	size_t n = 0;
	for (const char *p = list; p && *p; p++)
		n += *p == '\n';
	return n;
}

int mamori_store_baseline_merge(mamori_ctx *ctx, mamori_store *store,
				const mamori_store_baseline_item *items, size_t n,
				size_t max_items)
{
	const mamori_store_ops *ops = store->ops;
	if (!ops->baseline_get || !ops->baseline_put)
		return mamori_error_set(ctx, MAMORI_ESTORE, "%s: this store keeps no baselines",
					store->location);
	char now[32];
	mamori_time_format(mamori_ctx_now(ctx), now);
	int rc = ops->begin(ctx, store);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		char *old = NULL;
		rc = ops->baseline_get(ctx, store, items[i].ns, items[i].subject, &old);
		if (rc)
			break;
		mamori_buf merged = MAMORI_BUF_INIT;
		mamori_buf_puts(&merged, old ? old : "");
		size_t have = count_lines(old);
		for (const char *p = items[i].items; p && *p && have < max_items;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			if (len && !has_line(mamori_buf_cstr(&merged), p, len)) {
				mamori_buf_append(&merged, p, len);
				mamori_buf_putc(&merged, '\n');
				have++;
			}
			p = nl ? nl + 1 : NULL;
		}
		rc = ops->baseline_put(ctx, store, items[i].ns, items[i].subject,
				       mamori_buf_cstr(&merged), now);
		mamori_buf_free(&merged);
		free(old);
	}
	if (rc) {
		ops->rollback(store);
		return rc;
	}
	return ops->commit(ctx, store);
}
