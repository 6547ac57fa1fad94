/*
 * fuzz_guard_yaml — the Guard data loader (YAML through libfyaml, with
 * CloudFormation short-form tags, anchors, multi-document streams) on
 * arbitrary bytes; what loads is walked for paths and printed as JSON and
 * YAML.  Rejecting is fine; crashing, leaking or recursing without bound is
 * not.
 */
#include "guard/load.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const mg_value *v, int depth)
{
	if (depth > MG_MAX_DEPTH + 2)
		abort(); /* the loader promised a bound */
	mamori_buf b = MAMORI_BUF_INIT;
	mg_path(v, &b);
	mamori_buf_free(&b);
	if (v->type == MG_LIST)
		for (uint32_t i = 0; i < v->list.n; i++)
			walk(v->list.v[i], depth + 1);
	else if (v->type == MG_MAP)
		for (uint32_t i = 0; i < v->map.n; i++)
			walk(v->map.v[i], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_arena a;
	mamori_arena_init(&a, 0);
	mg_docs docs;
	if (mg_load(ctx, "fuzz.yaml", buf, size, &a, &docs) == MAMORI_OK) {
		for (size_t i = 0; i < docs.count; i++) {
			walk(docs.roots[i], 0);
			mamori_buf b = MAMORI_BUF_INIT;
			if (size < 4096) { /* aliases can make the printed form huge */
				mg_to_json(docs.roots[i], &b);
			}
			mamori_buf_free(&b);
		}
	} else if (!mamori_error_last(ctx)->message) {
		abort();
	}
	mamori_arena_free(&a);
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
