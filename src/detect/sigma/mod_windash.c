/*
 * mod_windash.c — |windash: a command-line switch written with '-' may also
 * be given with '/', an en dash, an em dash or a horizontal bar; every
 * combination is matched (capped at 3 switches per value, 125 variants).
 */
#include "sigma_internal.h"

static const char *const dashes[] = {"-", "/", "\xe2\x80\x93", "\xe2\x80\x94", "\xe2\x80\x95"};

static bool word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static void one(sg_mstate *st, const sg_value *v)
{
	size_t pos[3], np = 0;
	const char *s = v->str.s;
	for (size_t i = 0; i < v->str.n && np < 3; i++)
		if ((s[i] == '-' || s[i] == '/') && (i == 0 || !word(s[i - 1])) &&
		    i + 1 < v->str.n && word(s[i + 1]))
			pos[np++] = i;
	size_t combos = 1;
	for (size_t i = 0; i < np; i++)
		combos *= 5;
	for (size_t c = 0; c < combos; c++) {
		char *o = mamori_arena_alloc(st->arena, v->str.n * 3 + 1);
		size_t k = 0, which = c, next = 0;
		for (size_t i = 0; i < v->str.n; i++) {
			if (next < np && pos[next] == i) {
				const char *d = dashes[which % 5];
				which /= 5;
				next++;
				size_t dl = strlen(d);
				memcpy(o + k, d, dl);
				k += dl;
			} else {
				o[k++] = s[i];
			}
		}
		sg_str out = {o, k};
		sg_mstate_push(st, &out, v);
	}
}

static void apply(sg_mstate *st)
{
	sg_mstate_transform(st, one, false);
}

const sg_modifier sg_mod_windash = {"windash", apply};
