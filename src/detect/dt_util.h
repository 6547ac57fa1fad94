/*
 * dt_util.h — small shared tools of the detection pillar: a string hash, an
 * open-addressing hash map from byte strings to 64-bit values, an interned
 * string pool, and ASCII case folding.
 *
 * Detectors keep per-identity and per-host state in these maps; they are
 * the "detector state" that bounds memory, so every map has a hard cap
 * (dt_map_full) that detectors check before inserting.
 */
#ifndef MAMORI_DETECT_UTIL_H
#define MAMORI_DETECT_UTIL_H

#include "../core/internal.h"

#include <string.h>

/* 64-bit hash of a byte string (multiply-mix over 8-byte words; the tail
 * is read with whole overlapping loads, never byte by byte: a byte-wise
 * copy followed by a word load stalls store forwarding, and keys are
 * hashed for every member of every record). */
static inline uint64_t dt_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xff51afd7ed558ccdull);
	size_t len = n;
	while (n >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
		s += 8;
		n -= 8;
	}
	uint64_t w = 0;
	if (n && len >= 8) {
		memcpy(&w, s + n - 8, 8); /* the last 8 bytes, overlapping the previous word */
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (n) {
		w = (uint64_t)s[0] << 16 | (uint64_t)s[n / 2] << 8 | s[n - 1];
	}
	h = (h ^ w ^ n) * 0x94d049bb133111ebull;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static inline uint64_t dt_hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* Combine a hash with another value (keys built from parts). */
static inline uint64_t dt_hash_mix(uint64_t h, uint64_t v)
{
	return dt_hash_u64(h ^ (v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2)));
}

static inline unsigned char dt_lower(unsigned char c)
{
	return (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
}

/* Case-insensitive (ASCII) comparisons. */
bool dt_ieq(const char *a, size_t an, const char *b, size_t bn);
/* First occurrence of needle (already lower-case) in hay, ignoring case; NULL if none. */
const char *dt_imem(const char *hay, size_t hn, const char *lneedle, size_t nn);
void dt_lower_copy(char *dst, const char *src, size_t n);

/*
 * A map from byte-string keys to a 64-bit value (or a pointer).  Keys are
 * copied into the map's arena.  Open addressing, linear probing, grows at
 * 70 % load up to `cap` entries (0 = unlimited).
 */
typedef struct dt_map_entry {
	uint64_t hash;
	const char *key; /* NULL = empty slot */
	uint32_t klen;
	uint64_t value;
} dt_map_entry;

typedef struct dt_map {
	dt_map_entry *slots;
	size_t mask;  /* slot count - 1 (power of two) or 0 before first insert */
	size_t count;
	size_t cap;   /* hard entry limit (0 = none) */
	size_t dropped; /* inserts refused because the map was full */
	mamori_arena arena;
} dt_map;

void dt_map_init(dt_map *m, size_t cap);
void dt_map_free(dt_map *m);
void dt_map_clear(dt_map *m);
/* The entry for key, or NULL. */
dt_map_entry *dt_map_get(const dt_map *m, const void *key, size_t klen);
/* The entry for key, created with value 0 (and *created = true) if absent;
 * NULL when the map is full. */
dt_map_entry *dt_map_put(dt_map *m, const void *key, size_t klen, bool *created);
static inline bool dt_map_full(const dt_map *m)
{
	return m->cap && m->count >= m->cap;
}
/* Iterate: for (i = 0; i < dt_map_slots(m); i++) if (m->slots[i].key) ... */
static inline size_t dt_map_slots(const dt_map *m)
{
	return m->slots ? m->mask + 1 : 0;
}

/*
 * A set of 64-bit hashes (0 is mapped to 1): open addressing, grows at
 * 70 % load up to `cap` members (0 = unlimited); past it, inserts fail.
 */
typedef struct dt_set64 {
	uint64_t *slots;
	size_t mask, count, cap;
} dt_set64;

void dt_set64_init(dt_set64 *s, size_t cap);
void dt_set64_free(dt_set64 *s);
bool dt_set64_has(const dt_set64 *s, uint64_t v);
/* 1 added, 0 already there, -1 full. */
int dt_set64_add(dt_set64 *s, uint64_t v);

/* A growable array of pointers. */
typedef struct dt_vec {
	void **items;
	size_t count, cap;
} dt_vec;
void dt_vec_push(dt_vec *v, void *p);
void dt_vec_free(dt_vec *v);

#endif
