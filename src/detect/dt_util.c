/*
 * dt_util.c — hash map, vectors and ASCII case folding (see dt_util.h).
 */
#include "dt_util.h"

#include <stdlib.h>

bool dt_ieq(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++)
		if (dt_lower((unsigned char)a[i]) != dt_lower((unsigned char)b[i]))
			return false;
	return true;
}

const char *dt_imem(const char *hay, size_t hn, const char *lneedle, size_t nn)
{
	if (nn == 0)
		return hay;
	if (nn > hn)
		return NULL;
	unsigned char first = (unsigned char)lneedle[0];
	unsigned char upper = (unsigned char)(first >= 'a' && first <= 'z' ? first - 32 : first);
	const char *end = hay + hn - nn + 1;
	for (const char *p = hay; p < end;) {
		/* jump to the next byte that could start a match */
		const char *a = memchr(p, first, (size_t)(end - p));
		const char *b = upper != first ? memchr(p, upper, (size_t)(end - p)) : NULL;
		const char *c = !a ? b : !b ? a : a < b ? a : b;
		if (!c)
			return NULL;
		size_t i = 1;
		while (i < nn && dt_lower((unsigned char)c[i]) == (unsigned char)lneedle[i])
			i++;
		if (i == nn)
			return c;
		p = c + 1;
	}
	return NULL;
}

void dt_lower_copy(char *dst, const char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)dt_lower((unsigned char)src[i]);
}

void dt_map_init(dt_map *m, size_t cap)
{
	memset(m, 0, sizeof *m);
	m->cap = cap;
	mamori_arena_init(&m->arena, 0);
}

void dt_map_free(dt_map *m)
{
	free(m->slots);
	mamori_arena_free(&m->arena);
	memset(m, 0, sizeof *m);
}

void dt_map_clear(dt_map *m)
{
	size_t cap = m->cap;
	dt_map_free(m);
	dt_map_init(m, cap);
}

static dt_map_entry *find(const dt_map *m, uint64_t h, const void *key, size_t klen)
{
	size_t i = (size_t)h & m->mask;
	for (;;) {
		dt_map_entry *e = &m->slots[i];
		if (!e->key)
			return e;
		if (e->hash == h && e->klen == klen && memcmp(e->key, key, klen) == 0)
			return e;
		i = (i + 1) & m->mask;
	}
}

dt_map_entry *dt_map_get(const dt_map *m, const void *key, size_t klen)
{
	if (!m->slots)
		return NULL;
	dt_map_entry *e = find(m, dt_hash(key, klen), key, klen);
	return e->key ? e : NULL;
}

static void grow(dt_map *m)
{
	size_t n = m->slots ? (m->mask + 1) * 2 : 64;
	dt_map_entry *old = m->slots;
	size_t oldn = m->slots ? m->mask + 1 : 0;
	m->slots = mamori_xcalloc(n, sizeof *m->slots);
	m->mask = n - 1;
	for (size_t i = 0; i < oldn; i++) {
		if (!old[i].key)
			continue;
		size_t j = (size_t)old[i].hash & m->mask;
		while (m->slots[j].key)
			j = (j + 1) & m->mask;
		m->slots[j] = old[i];
	}
	free(old);
}

dt_map_entry *dt_map_put(dt_map *m, const void *key, size_t klen, bool *created)
{
	if (created)
		*created = false;
	if (!m->slots || (m->count + 1) * 10 > (m->mask + 1) * 7)
		grow(m);
	uint64_t h = dt_hash(key, klen);
	dt_map_entry *e = find(m, h, key, klen);
	if (e->key)
		return e;
	if (dt_map_full(m)) {
		m->dropped++;
		return NULL;
	}
	e->hash = h;
	e->klen = (uint32_t)klen;
	e->key = klen ? mamori_arena_memdup(&m->arena, key, klen) : "";
	e->value = 0;
	m->count++;
	if (created)
		*created = true;
	return e;
}

void dt_set64_init(dt_set64 *s, size_t cap)
{
	memset(s, 0, sizeof *s);
	s->cap = cap;
}

void dt_set64_free(dt_set64 *s)
{
	free(s->slots);
	memset(s, 0, sizeof *s);
}

bool dt_set64_has(const dt_set64 *s, uint64_t v)
{
	if (!s->slots)
		return false;
	v = v ? v : 1;
	for (size_t i = (size_t)dt_hash_u64(v) & s->mask;; i = (i + 1) & s->mask) {
		if (s->slots[i] == v)
			return true;
		if (!s->slots[i])
			return false;
	}
}

int dt_set64_add(dt_set64 *s, uint64_t v)
{
	v = v ? v : 1;
	if (!s->slots || (s->count + 1) * 10 > (s->mask + 1) * 7) {
		size_t n = s->slots ? (s->mask + 1) * 2 : 64;
		uint64_t *old = s->slots;
		size_t oldn = s->slots ? s->mask + 1 : 0;
		s->slots = mamori_xcalloc(n, sizeof *s->slots);
		s->mask = n - 1;
		for (size_t i = 0; i < oldn; i++) {
			if (!old[i])
				continue;
			size_t j = (size_t)dt_hash_u64(old[i]) & s->mask;
			while (s->slots[j])
				j = (j + 1) & s->mask;
			s->slots[j] = old[i];
		}
		free(old);
	}
	size_t i = (size_t)dt_hash_u64(v) & s->mask;
	for (; s->slots[i]; i = (i + 1) & s->mask)
		if (s->slots[i] == v)
			return 0;
	if (s->cap && s->count >= s->cap)
		return -1;
	s->slots[i] = v;
	s->count++;
	return 1;
}

void dt_vec_push(dt_vec *v, void *p)
{
	if (v->count == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->items = mamori_xrealloc(v->items, v->cap * sizeof *v->items);
	}
	v->items[v->count++] = p;
}

void dt_vec_free(dt_vec *v)
{
	free(v->items);
	memset(v, 0, sizeof *v);
}
