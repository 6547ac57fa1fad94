/*
 * sigma_string.c — Sigma strings: parsing (wildcards and escapes, as the
 * specification and pySigma define them), matching, and literal runs.
 *
 * Escapes: a backslash before *, ? or \ makes that character literal; any
 * other backslash is itself literal ("C:\Windows" stays as written).
 */
#include "sigma_internal.h"

sg_str sg_str_parse(mamori_arena *a, const char *raw)
{
	size_t n = strlen(raw);
	char *o = mamori_arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = raw[i];
		if (c == '\\' && i + 1 < n && (raw[i + 1] == '*' || raw[i + 1] == '?' || raw[i + 1] == '\\')) {
			o[k++] = raw[++i];
			continue;
		}
		o[k++] = c == '*' ? SG_STAR : c == '?' ? SG_ONE : c;
	}
	o[k] = '\0';
	return (sg_str){o, k};
}

bool sg_str_has_wild(const sg_str *s)
{
	return s->n && (memchr(s->s, SG_STAR, s->n) || memchr(s->s, SG_ONE, s->n));
}

sg_str sg_str_cat(mamori_arena *a, const char *pre, const sg_str *s, const char *post)
{
	size_t pn = strlen(pre), qn = strlen(post);
	char *o = mamori_arena_alloc(a, pn + s->n + qn + 1);
	memcpy(o, pre, pn);
	if (s->n)
		memcpy(o + pn, s->s, s->n);
	memcpy(o + pn + s->n, post, qn);
	return (sg_str){o, pn + s->n + qn};
}

void sg_str_lower(sg_str *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->s[i] = (char)dt_lower((unsigned char)s->s[i]);
}

void sg_pat_shape(sg_pat *p)
{
	const char *s = p->str.s;
	size_t n = p->str.n;
	if (memchr(s, SG_ONE, n)) {
		p->shape = SG_SH_GLOB;
		return;
	}
	size_t stars = 0;
	for (size_t i = 0; i < n; i++)
		stars += s[i] == SG_STAR;
	if (stars == 0) {
		p->shape = SG_SH_EXACT;
		return;
	}
	if (stars == n) {
		p->shape = SG_SH_ANY;
		return;
	}
	bool lead = s[0] == SG_STAR, trail = s[n - 1] == SG_STAR;
	size_t inner = stars - lead - trail;
	if (inner) {
		p->shape = SG_SH_GLOB;
		return;
	}
	/* strip the outer stars: the fast paths compare the middle */
	if (lead && trail) {
		p->shape = SG_SH_CONTAINS;
		p->str.s++;
		p->str.n -= 2;
	} else if (lead) {
		p->shape = SG_SH_SUFFIX;
		p->str.s++;
		p->str.n--;
	} else {
		p->shape = SG_SH_PREFIX;
		p->str.n--;
	}
}

static inline bool ceq(char a, char b, bool cased)
{
	return cased ? a == b : dt_lower((unsigned char)a) == (unsigned char)b;
}

static bool glob(const char *pat, size_t pn, const char *v, size_t vn, bool cased)
{
	size_t pi = 0, vi = 0, star_p = (size_t)-1, star_v = 0;
	while (vi < vn) {
		if (pi < pn && pat[pi] == SG_STAR) {
			star_p = pi++;
			star_v = vi;
		} else if (pi < pn && (pat[pi] == SG_ONE || ceq(v[vi], pat[pi], cased))) {
			pi++;
			vi++;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			vi = ++star_v;
		} else {
			return false;
		}
	}
	while (pi < pn && pat[pi] == SG_STAR)
		pi++;
	return pi == pn;
}

static bool prefix_eq(const char *v, const char *p, size_t n, bool cased)
{
	if (cased)
		return memcmp(v, p, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (dt_lower((unsigned char)v[i]) != (unsigned char)p[i])
			return false;
	return true;
}

bool sg_str_match(const sg_pat *p, bool cased, const char *v, size_t n)
{
	const char *s = p->str.s;
	size_t m = p->str.n;
	switch (p->shape) {
	case SG_SH_EXACT:
		return n == m && prefix_eq(v, s, m, cased);
	case SG_SH_PREFIX:
		return n >= m && prefix_eq(v, s, m, cased);
	case SG_SH_SUFFIX:
		return n >= m && prefix_eq(v + n - m, s, m, cased);
	case SG_SH_CONTAINS:
		if (cased)
			return memmem(v, n, s, m) != NULL;
		return dt_imem(v, n, s, m) != NULL;
	case SG_SH_ANY:
		return true;
	default:
		return glob(s, m, v, n, cased);
	}
}

sg_str sg_str_longest_literal(const sg_str *s)
{
	size_t best = 0, best_len = 0, i = 0;
	while (i < s->n) {
		while (i < s->n && (s->s[i] == SG_STAR || s->s[i] == SG_ONE))
			i++;
		size_t st = i;
		while (i < s->n && s->s[i] != SG_STAR && s->s[i] != SG_ONE)
			i++;
		if (i - st > best_len) {
			best = st;
			best_len = i - st;
		}
	}
	return (sg_str){s->s + best, best_len};
}
