/*
 * stmt_byte_match.c — ByteMatchStatement: a literal at a position.
 *
 * SearchString (text) or SearchStringBase64, compared case-sensitively with
 * the transformed field: EXACTLY, STARTS_WITH, ENDS_WITH, CONTAINS, or
 * CONTAINS_WORD (delimited by non-alphanumeric characters or the ends).
 * CONTAINS forms go through the Vectorscan prefilter.
 */
#include "waf_internal.h"

#include <string.h>

enum { PC_EXACTLY, PC_STARTS_WITH, PC_ENDS_WITH, PC_CONTAINS, PC_CONTAINS_WORD };

typedef struct byte_match {
	const char *s;
	size_t n;
	int pos;
} byte_match;

static int b64(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	static const char *const pcs[] = {"EXACTLY", "STARTS_WITH", "ENDS_WITH", "CONTAINS",
					  "CONTAINS_WORD", NULL};
	byte_match *m = mamori_arena_alloc(&c->acl->arena, sizeof *m);
	const char *text = mamori_json_str(j, "SearchString");
	const char *enc = mamori_json_str(j, "SearchStringBase64");
	if (!text && !enc)
		return waf_err(c, "SearchString", "is required (or SearchStringBase64)");
	if (text) {
		m->s = mamori_arena_strdup(&c->acl->arena, text);
		m->n = strlen(text);
	} else {
		size_t len = strlen(enc);
		char *d = mamori_arena_alloc(&c->acl->arena, len + 1);
		uint32_t acc = 0;
		int bits = 0;
		for (size_t i = 0; i < len && enc[i] != '='; i++) {
			int v = b64(enc[i]);
			if (v < 0)
				return waf_err(c, "SearchStringBase64", "is not valid base64");
			acc = (acc << 6) | (uint32_t)v;
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				d[m->n++] = (char)(acc >> bits);
				acc &= (1u << bits) - 1;
			}
		}
		m->s = d;
	}
	if (m->n == 0 || m->n > 200)
		return waf_err(c, text ? "SearchString" : "SearchStringBase64",
			       "must hold 1 to 200 bytes");
	m->pos = waf_enum(c, j, "PositionalConstraint", pcs, true, 0);
	if (m->pos < 0)
		return MAMORI_EINPUT;
	int st = waf_compile_input(c, j, s);
	if (st)
		return st;
	s->u = m;
	if (m->pos == PC_CONTAINS || m->pos == PC_CONTAINS_WORD)
		waf_prefilter_add(c, s, NULL, m->s, m->n, false);
	return MAMORI_OK;
}

static bool word_char(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       ch == '_';
}

static bool match_one(const byte_match *m, const waf_elem *e, size_t *at)
{
	switch (m->pos) {
	case PC_EXACTLY:
		*at = 0;
		return e->n == m->n && memcmp(e->p, m->s, m->n) == 0;
	case PC_STARTS_WITH:
		*at = 0;
		return e->n >= m->n && memcmp(e->p, m->s, m->n) == 0;
	case PC_ENDS_WITH:
		*at = e->n >= m->n ? e->n - m->n : 0;
		return e->n >= m->n && memcmp(e->p + e->n - m->n, m->s, m->n) == 0;
	case PC_CONTAINS: {
		const char *p = memmem(e->p, e->n, m->s, m->n);
		*at = p ? (size_t)(p - e->p) : 0;
		return p != NULL;
	}
	default: {
		size_t off = 0;
		while (off < e->n) {
			const char *p = memmem(e->p + off, e->n - off, m->s, m->n);
			if (!p)
				return false;
			size_t i = (size_t)(p - e->p);
			if ((i == 0 || !word_char(e->p[i - 1])) &&
			    (i + m->n == e->n || !word_char(e->p[i + m->n]))) {
				*at = i;
				return true;
			}
			off = i + 1;
		}
		return false;
	}
	}
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const byte_match *m = s->u;
	const waf_vals *v = waf_input_values(ev, s->input);
	int pre = waf_vals_pre(ev, s, v);
	if (pre >= 0)
		return pre;
	if (!waf_prefilter_may_match(ev, s))
		return false;
	uint64_t where = waf_prefilter_values(ev, s, 0);
	for (size_t i = 0; i < v->n; i++) {
		size_t at;
		if ((where & waf_value_bit(i)) && match_one(m, &v->el[i], &at)) {
			waf_hit_set(ev, "BYTE_MATCH", s->input, &v->el[i], at, m->n);
			return true;
		}
	}
	return false;
}

const waf_stmt_type waf_stmt_byte_match = {"ByteMatchStatement", compile, eval, true};
