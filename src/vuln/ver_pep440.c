/*
 * ver_pep440.c — Python version ordering (PEP 440), as packaging.version
 * parses and orders versions (packaging 23).
 *
 *   [v][N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]
 *
 * with packaging's spellings: case-insensitive, alpha/beta/c/pre/preview
 * for a/b/rc, rev/r for post, "-N" for a post-release, optional `-`, `_` or
 * `.` separators and omitted numbers (0).  The grammar is the regular
 * expression packaging uses; its optional separators need a little
 * backtracking, done here over the fixed sequence of parts (bounded depth).
 * Ordering is packaging's key: trailing zeros of the release dropped; a dev
 * release of a final sorts before its pre-releases; post-releases after;
 * local versions after the public one, numeric local segments after
 * alphanumeric ones.
 */
#include "version.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define MAX_RELEASE 64
#define MAX_LOCAL 32

typedef struct span {
	const char *s;
	size_t n;
} span;

typedef struct pv {
	span epoch; /* n == 0: none (0) */
	span release[MAX_RELEASE];
	int nrel;
	int pre_l;	/* 0 none, 1 a, 2 b, 3 rc */
	span pre_n;	/* n == 0: 0 */
	bool has_post;
	span post_n;
	bool has_dev;
	span dev_n;
	span local[MAX_LOCAL];
	int nlocal;
} pv;

typedef struct px {
	const char *s;
	const char *end;
	pv *o;
} px;

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_sep(int c)
{
	return c == '-' || c == '_' || c == '.';
}

static const char *digits(const char *p, const char *end, span *out)
{
	const char *s = p;
	while (p < end && is_digit(*p))
		p++;
	out->s = s;
	out->n = (size_t)(p - s);
	return p;
}

static bool word(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);
	return (size_t)(end - p) >= n && strncasecmp(p, w, n) == 0;
}

/* stages: 0 pre, 1 post, 2 dev, 3 local, 4 end */
static bool stage(px *x, int st, const char *p);

/* an optional group: try "sep? WORD sep? digits?" with both separator
 * choices, then skipping the group */
static bool opt_group(px *x, int st, const char *p, const char *const *words, size_t nwords,
		      const int *codes)
{
	pv *o = x->o;
	for (int lead = 1; lead >= 0; lead--) {
		const char *q = p;
		if (lead) {
			if (q >= x->end || !is_sep(*q))
				continue;
			q++;
		}
		for (size_t w = 0; w < nwords; w++) {
			if (!word(q, x->end, words[w]))
				continue;
			const char *r = q + strlen(words[w]);
			for (int mid = 1; mid >= 0; mid--) {
				const char *t = r;
				if (mid) {
					if (t >= x->end || !is_sep(*t))
						continue;
					t++;
				}
				span n;
				t = digits(t, x->end, &n);
				if (st == 0) {
					o->pre_l = codes[w];
					o->pre_n = n;
				} else if (st == 1) {
					o->has_post = true;
					o->post_n = n;
				} else {
					o->has_dev = true;
					o->dev_n = n;
				}
				if (stage(x, st + 1, t))
					return true;
			}
			break; /* the longer spelling matched; a shorter one cannot help */
		}
	}
	if (st == 0) {
		o->pre_l = 0;
		o->pre_n.n = 0;
	} else if (st == 1) {
		o->has_post = false;
		o->post_n.n = 0;
	} else {
		o->has_dev = false;
		o->dev_n.n = 0;
	}
	return stage(x, st + 1, p);
}

static bool stage(px *x, int st, const char *p)
{
	pv *o = x->o;
	switch (st) {
	case 0: {
		static const char *const w[] = {"alpha", "a", "beta", "b", "preview", "pre", "c", "rc"};
		static const int c[] = {1, 1, 2, 2, 3, 3, 3, 3};
		return opt_group(x, 0, p, w, 8, c);
	}
	case 1: {
		/* "-N" first, as the regex's first alternative */
		if (p < x->end && *p == '-' && p + 1 < x->end && is_digit(p[1])) {
			span n;
			const char *t = digits(p + 1, x->end, &n);
			o->has_post = true;
			o->post_n = n;
			if (stage(x, 2, t))
				return true;
		}
		static const char *const w[] = {"post", "rev", "r"};
		static const int c[] = {1, 1, 1};
		return opt_group(x, 1, p, w, 3, c);
	}
	case 2: {
		static const char *const w[] = {"dev"};
		static const int c[] = {1};
		return opt_group(x, 2, p, w, 1, c);
	}
	case 3:
		o->nlocal = 0;
		if (p < x->end && *p == '+') {
			const char *q = p + 1;
			for (;;) {
				const char *s = q;
				while (q < x->end && isalnum((unsigned char)*q))
					q++;
				if (q == s || o->nlocal == MAX_LOCAL)
					return false;
				o->local[o->nlocal++] = (span){s, (size_t)(q - s)};
				if (q < x->end && is_sep(*q) && q + 1 < x->end &&
				    isalnum((unsigned char)q[1])) {
					q++;
					continue;
				}
				break;
			}
			return q == x->end;
		}
		return p == x->end;
	default:
		return p == x->end;
	}
}

static const char *parse(const char *v, pv *o)
{
	memset(o, 0, sizeof *o);
	const char *p = v, *end = v + strlen(v);
	while (p < end && isspace((unsigned char)*p))
		p++;
	while (end > p && isspace((unsigned char)end[-1]))
		end--;
	for (const char *q = p; q < end; q++)
		if ((unsigned char)*q >= 0x80)
			return "not a PEP 440 version (non-ASCII character)";
	if (p < end && (*p == 'v' || *p == 'V'))
		p++;
	span d;
	const char *q = digits(p, end, &d);
	if (d.n && q < end && *q == '!') {
		o->epoch = d;
		p = q + 1;
	}
	for (;;) {
		q = digits(p, end, &d);
		if (!d.n)
			return "not a PEP 440 version (the release must be N(.N)*)";
		if (o->nrel == MAX_RELEASE)
			return "too many release components";
		o->release[o->nrel++] = d;
		p = q;
		if (p + 1 < end && *p == '.' && is_digit(p[1])) {
			p++;
			continue;
		}
		break;
	}
	px x = {v, end, o};
	if (!stage(&x, 0, p))
		return "not a PEP 440 version";
	return NULL;
}

static int num_cmp(span a, span b)
{
	static const char zero[] = "0";
	if (!a.n)
		a = (span){zero, 1};
	if (!b.n)
		b = (span){zero, 1};
	return mamori_ver_digits_cmp(a.s, a.n, b.s, b.n);
}

static bool is_zero(span a)
{
	for (size_t i = 0; i < a.n; i++)
		if (a.s[i] != '0')
			return false;
	return true;
}

static bool all_digits(span a)
{
	for (size_t i = 0; i < a.n; i++)
		if (!is_digit(a.s[i]))
			return false;
	return true;
}

/* pre key: -1 = -infinity (dev of a final), 1 = +infinity (no pre), 0 = (l, n) */
static int pre_kind(const pv *v)
{
	if (!v->pre_l && !v->has_post && v->has_dev)
		return -1;
	return v->pre_l ? 0 : 1;
}

static int pep440_cmp(const char *a, const char *b)
{
	pv x, y;
	parse(a, &x);
	parse(b, &y);
	int r = num_cmp(x.epoch, y.epoch);
	if (r)
		return r;
	int xn = x.nrel, yn = y.nrel;
	while (xn > 0 && is_zero(x.release[xn - 1]))
		xn--;
	while (yn > 0 && is_zero(y.release[yn - 1]))
		yn--;
	for (int i = 0; i < xn && i < yn; i++)
		if ((r = num_cmp(x.release[i], y.release[i])))
			return r;
	if (xn != yn)
		return xn < yn ? -1 : 1;
	int xk = pre_kind(&x), yk = pre_kind(&y);
	if (xk != yk)
		return xk < yk ? -1 : 1;
	if (xk == 0) {
		if (x.pre_l != y.pre_l)
			return x.pre_l < y.pre_l ? -1 : 1;
		if ((r = num_cmp(x.pre_n, y.pre_n)))
			return r;
	}
	if (x.has_post != y.has_post)
		return x.has_post ? 1 : -1;
	if (x.has_post && (r = num_cmp(x.post_n, y.post_n)))
		return r;
	if (x.has_dev != y.has_dev)
		return x.has_dev ? -1 : 1;
	if (x.has_dev && (r = num_cmp(x.dev_n, y.dev_n)))
		return r;
	/* local: none < any; segment-wise, alphanumeric < numeric */
	if (!x.nlocal || !y.nlocal)
		return x.nlocal == y.nlocal ? 0 : x.nlocal ? 1 : -1;
	for (int i = 0; i < x.nlocal && i < y.nlocal; i++) {
		bool xd = all_digits(x.local[i]), yd = all_digits(y.local[i]);
		if (xd != yd)
			return xd ? 1 : -1;
		if (xd)
			r = num_cmp(x.local[i], y.local[i]);
		else {
			size_t n = x.local[i].n < y.local[i].n ? x.local[i].n : y.local[i].n;
			r = strncasecmp(x.local[i].s, y.local[i].s, n);
			r = r ? (r < 0 ? -1 : 1)
			      : (x.local[i].n == y.local[i].n ? 0 : x.local[i].n < y.local[i].n ? -1 : 1);
		}
		if (r)
			return r;
	}
	return x.nlocal == y.nlocal ? 0 : x.nlocal < y.nlocal ? -1 : 1;
}

static const char *pep440_invalid(const char *v)
{
	pv o;
	return parse(v, &o);
}

const vuln_vercmp_ops mamori_ver_pep440 = {pep440_invalid, pep440_cmp};
