/*
 * mod_utf16.c — |utf16le, |utf16be, |utf16 (little-endian with a byte order
 * mark) and |wide (= utf16le): match the value's UTF-16 encoding, usually
 * followed by |base64offset.  One file for the four encodings.
 */
#include "sigma_internal.h"

/* Decode one UTF-8 sequence at s (n bytes left); invalid bytes map to themselves. */
static uint32_t utf8_next(const unsigned char *s, size_t n, size_t *used)
{
	unsigned c = s[0];
	if (c < 0x80 || n < 2) {
		*used = 1;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		*used = 2;
		return (c & 0x1Fu) << 6 | (s[1] & 0x3Fu);
	}
	if ((c & 0xF0) == 0xE0 && n >= 3) {
		*used = 3;
		return (c & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
	}
	if ((c & 0xF8) == 0xF0 && n >= 4) {
		*used = 4;
		return (c & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
	}
	*used = 1;
	return c;
}

static void put16(char *o, size_t *k, uint32_t u, bool be)
{
	o[(*k)++] = (char)(be ? u >> 8 : u & 0xFF);
	o[(*k)++] = (char)(be ? u & 0xFF : u >> 8);
}

static void encode(sg_mstate *st, const sg_value *v, bool be, bool bom)
{
	char *o = mamori_arena_alloc(st->arena, v->str.n * 4 + 3);
	size_t k = 0;
	if (bom)
		put16(o, &k, 0xFEFF, be);
	const unsigned char *s = (const unsigned char *)v->str.s;
	for (size_t i = 0; i < v->str.n;) {
		size_t used;
		uint32_t cp = utf8_next(s + i, v->str.n - i, &used);
		i += used;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			put16(o, &k, 0xD800 | (cp >> 10), be);
			put16(o, &k, 0xDC00 | (cp & 0x3FF), be);
		} else {
			put16(o, &k, cp, be);
		}
	}
	sg_str out = {o, k};
	sg_mstate_push(st, &out, v);
}

static void le(sg_mstate *st, const sg_value *v)
{
	encode(st, v, false, false);
}
static void be(sg_mstate *st, const sg_value *v)
{
	encode(st, v, true, false);
}
static void bom(sg_mstate *st, const sg_value *v)
{
	encode(st, v, false, true);
}
static void apply_le(sg_mstate *st)
{
	sg_mstate_transform(st, le, true);
}
static void apply_be(sg_mstate *st)
{
	sg_mstate_transform(st, be, true);
}
static void apply_bom(sg_mstate *st)
{
	sg_mstate_transform(st, bom, true);
}

const sg_modifier sg_mod_utf16le = {"utf16le", apply_le};
const sg_modifier sg_mod_wide = {"wide", apply_le};
const sg_modifier sg_mod_utf16be = {"utf16be", apply_be};
const sg_modifier sg_mod_utf16 = {"utf16", apply_bom};
