/*
 * mod_base64.c — |base64: match the base64 encoding of the value.
 */
#include "sigma_internal.h"

size_t sg_base64(const unsigned char *in, size_t n, char *out)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0, i = 0;
	for (; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = tbl[v >> 18];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = tbl[(v >> 6) & 63];
		out[o++] = tbl[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = tbl[v >> 18];
		out[o++] = tbl[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static void one(sg_mstate *st, const sg_value *v)
{
	char *out = mamori_arena_alloc(st->arena, (v->str.n + 2) / 3 * 4 + 1);
	size_t n = sg_base64((const unsigned char *)v->str.s, v->str.n, out);
	sg_str s = {out, n};
	sg_mstate_push(st, &s, v);
}

static void apply(sg_mstate *st)
{
	sg_mstate_transform(st, one, true);
	st->cased = true; /* base64 text is case-sensitive */
}

const sg_modifier sg_mod_base64 = {"base64", apply};
