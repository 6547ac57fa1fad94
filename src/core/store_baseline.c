/*
 * store_baseline.c — detection baselines over any store backend (see
 * store_baseline.h), written once over the backends' generic select() and
 * exec(): the union is computed here, the SQL is the common dialect.
 */
#include "store_backend.h"
#include "store_baseline.h"

#include <stdlib.h>
#include <string.h>

typedef struct each_ud {
	void (*fn)(void *ud, const char *ns, const char *subject, const char *items);
	void *ud;
} each_ud;

static int each_row(void *ud, const char *const *c, size_t n)
{
	each_ud *e = ud;
	if (n >= 3)
		e->fn(e->ud, c[0] ? c[0] : "", c[1] ? c[1] : "", c[2] ? c[2] : "");
	return MAMORI_OK;
}

int mamori_store_baseline_load(mamori_ctx *ctx, mamori_store *store,
			       void (*fn)(void *ud, const char *ns, const char *subject,
					  const char *items),
			       void *ud)
{
	each_ud e = {fn, ud};
	return store->ops->select(ctx, store,
				  "SELECT ns, subject, items FROM detect_baselines ORDER BY ns, "
				  "subject",
				  NULL, 0, each_row, &e);
}

static int one_row(void *ud, const char *const *c, size_t n)
{
	char **out = ud;
	free(*out);
	*out = mamori_xstrdup(n > 0 && c[0] ? c[0] : "");
	return MAMORI_OK;
}

static int baseline_get(mamori_ctx *ctx, mamori_store *store, const char *ns,
			const char *subject, char **items)
{
	mamori_sql_param p[] = {{ns, 0, false}, {subject, 0, false}};
	*items = NULL;
	return store->ops->select(ctx, store,
				  "SELECT items FROM detect_baselines WHERE ns = ?1 AND subject = ?2",
				  p, 2, one_row, items);
}

static int baseline_put(mamori_ctx *ctx, mamori_store *store, const char *ns,
			const char *subject, const char *items, const char *updated_at)
{
	mamori_sql_param p[] = {{ns, 0, false}, {subject, 0, false}, {items, 0, false},
				{updated_at, 0, false}};
	return store->ops->exec(ctx, store,
				"INSERT INTO detect_baselines (ns, subject, items, updated_at) "
				"VALUES (?1, ?2, ?3, ?4) ON CONFLICT (ns, subject) DO UPDATE SET "
				"items = excluded.items, updated_at = excluded.updated_at",
				p, 4);
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
	char now[32];
	mamori_time_format(mamori_ctx_now(ctx), now);
	int rc = ops->begin(ctx, store);
	if (rc)
		return rc;
	for (size_t i = 0; i < n && !rc; i++) {
		char *old = NULL;
		rc = baseline_get(ctx, store, items[i].ns, items[i].subject, &old);
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
		rc = baseline_put(ctx, store, items[i].ns, items[i].subject,
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
