/*
 * load.c — choosing the loader for a data file, and the container
 * finishing both loaders share (see load.h).
 */
#include "load.h"

#include <string.h>

void mg_load_finish_list(mamori_arena *a, mg_value *list, mg_value **items, size_t n)
{
	list->list.n = (uint32_t)n;
	if (!n)
		return;
	list->list.v = mamori_arena_alloc(a, n * sizeof(mg_value *));
	for (size_t i = 0; i < n; i++) {
		mg_value *c = items[i];
		if (!c->parent) { /* an alias target already has a home: keep it */
			c->parent = list;
			c->idx = (uint32_t)i;
		}
		list->list.v[i] = c;
	}
}

static bool same_key(const mg_value *a, const mg_value *b)
{
	return a->s.len == b->s.len && (a->s.len == 0 || memcmp(a->s.p, b->s.p, a->s.len) == 0);
}

void mg_load_finish_map(mamori_arena *a, mg_value *map, mg_value **kv, size_t n)
{
	map->map.n = 0;
	if (!n)
		return;
	map->map.k = mamori_arena_alloc(a, n * sizeof(mg_value *));
	map->map.v = mamori_arena_alloc(a, n * sizeof(mg_value *));
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		mg_value *k = kv[2 * i], *v = kv[2 * i + 1];
		size_t at = m;
		/* duplicates are rare and maps small; a long map only pays when it repeats */
		for (size_t j = 0; j < m; j++)
			if (same_key(map->map.k[j], k)) {
				at = j;
				break;
			}
		if (at == m) {
			k->parent = map;
			k->idx = (uint32_t)m;
			map->map.k[m++] = k;
		}
		if (!v->parent || v->parent == map) {
			v->parent = map;
			v->idx = (uint32_t)at;
		}
		map->map.v[at] = v;
	}
	map->map.n = (uint32_t)m;
}

const char *mg_merge_params(mamori_arena *a, mg_value **root, const mg_value *params)
{
	mg_value *d = *root;
	if (d->type != MG_MAP || params->type != MG_MAP)
		return "input parameters and data must both be mappings to be merged";
	size_t n = d->map.n + params->map.n;
	mg_value **kv = mamori_arena_alloc(a, 2 * n * sizeof *kv);
	size_t k = 0;
	/* keys are copied: the documents may be shared (an item of a snapshot
	 * merged with its account's context) and keep their own keys */
	for (uint32_t i = 0; i < d->map.n; i++) {
		mg_value *kc = mg_new(a, MG_STRING);
		*kc = *d->map.k[i];
		kc->parent = NULL;
		kv[k++] = kc;
		kv[k++] = d->map.v[i];
	}
	for (uint32_t i = 0; i < params->map.n; i++) {
		const mg_value *pk = params->map.k[i];
		if (mg_map_get(d, pk->s.p, pk->s.len))
			return mamori_arena_printf(a, "key %.*s is both in the input parameters and the "
						      "data",
						   (int)pk->s.len, pk->s.p);
		mg_value *kc = mg_new(a, MG_STRING);
		*kc = *pk;
		kc->parent = NULL;
		kv[k++] = kc;
		kv[k++] = (mg_value *)params->map.v[i];
	}
	mg_value *m = mg_new(a, MG_MAP);
	m->line = d->line;
	m->col = d->col;
	mg_load_finish_map(a, m, kv, n);
	*root = m;
	return NULL;
}

static bool looks_like_json(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = buf[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		return c == '{' || c == '[';
	}
	return false;
}

/* Offset of the first byte that breaks UTF-8, or len. */
static size_t utf8_bad(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t n;
		uint32_t cp;
		if (c >= 0xC2 && c <= 0xDF) {
			n = 1;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		for (size_t k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xC0) != 0x80)
				return i;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
			return i;
		i += n + 1;
	}
	return len;
}

int mg_load(mamori_ctx *ctx, const char *path, const char *buf, size_t len, mamori_arena *arena,
	    mg_docs *out)
{
	out->roots = NULL;
	out->count = 0;
	size_t bad = utf8_bad((const unsigned char *)buf, len);
	if (bad < len)
		return mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, bad,
					   "the file is not valid UTF-8");
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	bool blank = true;
	for (size_t i = 0; i < len && blank; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
			blank = false;
	if (blank)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: the file is empty", path);
	if (looks_like_json(buf, len)) {
		mg_value *root = NULL;
		if (mg_load_json(ctx, path, buf, len, arena, &root) == MAMORI_OK) {
			out->roots = mamori_arena_alloc(arena, sizeof(mg_value *));
			out->roots[0] = root;
			out->count = 1;
			return MAMORI_OK;
		}
		/* not strict JSON: YAML flow syntax may still read it, as cfn-guard's
		 * libyaml-first loader would */
	}
	int rc = mg_load_yaml(ctx, path, buf, len, arena, out);
	if (rc)
		return rc;
	if (out->count == 0)
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: the file holds no YAML document (only comments)", path);
	return MAMORI_OK;
}
