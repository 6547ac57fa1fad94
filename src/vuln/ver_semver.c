/*
 * ver_semver.c — SemVer 2.0 ordering for npm and crates.io (as node-semver's
 * compare orders them) and for Go modules (golang.org/x/mod/semver).
 *
 * MAJOR.MINOR.PATCH[-prerelease][+build]: numbers without leading zeros,
 * prerelease identifiers compared numerically when both are numeric (a
 * numeric one sorts first), else as ASCII strings; a version without a
 * prerelease sorts after every prerelease of it; build metadata is ignored
 * (so Go's +incompatible is ignored too).  node-semver refuses components
 * above 2^53-1 and strings longer than 256; it accepts a leading "v".  Go
 * writes a "v" and allows the shorthands v1 and v1.2 (= v1.0.0, v1.2.0);
 * OSV writes Go versions without the "v", so both are accepted.
 * Pseudo-versions (v0.0.0-20210101000000-abcdef123456) are prereleases and
 * need nothing special.
 */
#include "version.h"

#include <stdlib.h>
#include <string.h>

typedef struct sv {
	const char *num[3];
	size_t numlen[3];
	int ncomp;	    /* components written: 3, or 1-2 for Go shorthands */
	const char *pre;    /* after '-', or NULL */
	const char *pre_end;
} sv;

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

/* a numeric component: 0 or [1-9][0-9]*; returns its end or NULL */
static const char *num(const char *p)
{
	if (!is_digit(*p))
		return NULL;
	if (*p == '0')
		return p + 1;
	while (is_digit(*p))
		p++;
	return p;
}

/* dot-separated identifiers up to a char not in [0-9A-Za-z.-]; numeric ones
 * without leading zeros when strict_numeric.  Returns the end or NULL. */
static const char *idents(const char *p, bool prerelease)
{
	for (;;) {
		const char *s = p;
		bool all_digits = true;
		while (is_ident(*p)) {
			if (!is_digit(*p))
				all_digits = false;
			p++;
		}
		if (p == s)
			return NULL;
		if (prerelease && all_digits && *s == '0' && p - s > 1)
			return NULL;
		if (*p != '.')
			return p;
		p++;
	}
}

static const char *parse_trimmed(const char *v, sv *o, bool go);

/* node-semver trims surrounding whitespace (version.trim()); so do we,
 * into a bounded copy: the parse keeps pointers into it only while
 * comparing, which the callers do on the same stack frame */
static const char *parse(const char *v, sv *o, bool go, char *copy, size_t cap)
{
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r'))
		n--;
	if (n > 256)
		return "version longer than 256 characters";
	if (n >= cap)
		return "version too long";
	memcpy(copy, v, n);
	copy[n] = '\0';
	return parse_trimmed(copy, o, go);
}

static const char *parse_trimmed(const char *v, sv *o, bool go)
{
	memset(o, 0, sizeof *o);
	const char *p = v;
	bool had_v = false;
	if (*p == 'v') {
		p++;
		had_v = true;
	}
	for (int i = 0; i < 3; i++) {
		const char *e = num(p);
		if (!e)
			return "not a semantic version (MAJOR.MINOR.PATCH, numbers without leading "
			       "zeros)";
		o->num[i] = p;
		o->numlen[i] = (size_t)(e - p);
		o->ncomp = i + 1;
		if (o->numlen[i] > 16 || (o->numlen[i] == 16 && memcmp(p, "9007199254740991", 16) > 0))
			return "version component larger than 2^53-1";
		p = e;
		if (i < 2) {
			if (*p != '.') {
				/* Go's shorthands v1 and v1.2, only without prerelease/build */
				if (go && had_v && *p == '\0')
					return NULL;
				return "not a semantic version (MAJOR.MINOR.PATCH)";
			}
			p++;
		}
	}
	if (*p == '-') {
		o->pre = p + 1;
		const char *e = idents(p + 1, true);
		if (!e)
			return "invalid prerelease identifier";
		o->pre_end = e;
		p = e;
	}
	if (*p == '+') {
		const char *e = idents(p + 1, false);
		if (!e)
			return "invalid build metadata";
		p = e;
	}
	if (*p)
		return "unexpected character in semantic version";
	return NULL;
}

static int cmp_num(const char *a, size_t al, const char *b, size_t bl)
{
	return mamori_ver_digits_cmp(a, al, b, bl);
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

/* node-semver compares numeric prerelease identifiers as JavaScript numbers */
static int cmp_js_number(const char *a, size_t al, const char *b, size_t bl)
{
	char x[64], y[64];
	if (al >= sizeof x || bl >= sizeof y)
		return cmp_num(a, al, b, bl);
	memcpy(x, a, al);
	x[al] = '\0';
	memcpy(y, b, bl);
	y[bl] = '\0';
	double dx = strtod(x, NULL), dy = strtod(y, NULL);
	return dx < dy ? -1 : dx > dy;
}

static int cmp_pre(const sv *x, const sv *y, bool go)
{
	if (!x->pre && !y->pre)
		return 0;
	if (!x->pre)
		return 1;
	if (!y->pre)
		return -1;
	const char *a = x->pre, *b = y->pre;
	for (;;) {
		bool aend = a >= x->pre_end, bend = b >= y->pre_end;
		if (aend || bend)
			return aend && bend ? 0 : aend ? -1 : 1;
		size_t al = strcspn(a, ".+"), bl = strcspn(b, ".+");
		if (a + al > x->pre_end)
			al = (size_t)(x->pre_end - a);
		if (b + bl > y->pre_end)
			bl = (size_t)(y->pre_end - b);
		bool an = all_digits(a, al), bn = all_digits(b, bl);
		int r;
		if (an && bn)
			r = go ? cmp_num(a, al, b, bl) : cmp_js_number(a, al, b, bl);
		else if (an)
			r = -1;
		else if (bn)
			r = 1;
		else {
			r = memcmp(a, b, al < bl ? al : bl);
			r = r ? (r < 0 ? -1 : 1) : (al == bl ? 0 : al < bl ? -1 : 1);
		}
		if (r)
			return r;
		a += al + 1;
		b += bl + 1;
	}
}

static int cmp(const char *a, const char *b, bool go)
{
	sv x, y;
	char ca[300], cb[300];
	parse(a, &x, go, ca, sizeof ca);
	parse(b, &y, go, cb, sizeof cb);
	static const char zero[] = "0";
	for (int i = 0; i < 3; i++) {
		const char *xa = i < x.ncomp ? x.num[i] : zero;
		size_t xl = i < x.ncomp ? x.numlen[i] : 1;
		const char *ya = i < y.ncomp ? y.num[i] : zero;
		size_t yl = i < y.ncomp ? y.numlen[i] : 1;
		int r = cmp_num(xa, xl, ya, yl);
		if (r)
			return r;
	}
	return cmp_pre(&x, &y, go);
}

static const char *semver_invalid(const char *v)
{
	sv o;
	char c[300];
	return parse(v, &o, false, c, sizeof c);
}

static int semver_cmp(const char *a, const char *b)
{
	return cmp(a, b, false);
}

static const char *go_invalid(const char *v)
{
	sv o;
	char c[300];
	return parse(v, &o, true, c, sizeof c);
}

static int go_cmp(const char *a, const char *b)
{
	return cmp(a, b, true);
}

const vuln_vercmp_ops mamori_ver_semver = {semver_invalid, semver_cmp};
const vuln_vercmp_ops mamori_ver_go = {go_invalid, go_cmp};
