/*
 * mod_base64offset.c — |base64offset: the value encoded at the three
 * possible alignments inside a longer base64 text (the stable middle part
 * of each encoding), as pySigma computes them.
 */
#include "sigma_internal.h"

static void one(sg_mstate *st, const sg_value *v)
{
	static const int start[3] = {0, 2, 3};
	static const int end_trim[3] = {0, 3, 2};
	for (int i = 0; i < 3; i++) {
		size_t n = v->str.n + (size_t)i;
		unsigned char *in = mamori_arena_alloc(st->arena, n + 1);
		memset(in, ' ', (size_t)i);
		memcpy(in + i, v->str.s, v->str.n);
		char *out = mamori_arena_alloc(st->arena, (n + 2) / 3 * 4 + 1);
		size_t len = sg_base64(in, n, out);
		size_t trim = (size_t)end_trim[(v->str.n + (size_t)i) % 3];
		size_t s0 = (size_t)start[i];
		if (s0 + trim >= len)
			continue;
		sg_str s = {out + s0, len - s0 - trim};
		sg_mstate_push(st, &s, v);
	}
}

static void apply(sg_mstate *st)
{
	sg_mstate_transform(st, one, true);
	st->cased = true;
}

const sg_modifier sg_mod_base64offset = {"base64offset", apply};
