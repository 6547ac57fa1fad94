/*
 * ver_rpm.c — RPM version ordering: [epoch:]version[-release], as librpm's
 * rpmverCmp orders them (rpm 4.18, rpmio/rpmvercmp.c and lib/rpmver.c).
 *
 * Segments are maximal runs of ASCII letters or digits; everything else
 * separates.  `~` sorts before everything (pre-releases), `^` after the
 * base version but before any further segment (snapshots).  Digits beat
 * letters; digit runs compare numerically.  A missing epoch is 0; a missing
 * release compares as the empty string, so 1.0 < 1.0-1 (rpmverCmp, unlike
 * the looser dnf behaviour of ignoring it).  rpm accepts any string; only
 * empty strings and control characters or spaces are refused here.
 */
#include "version.h"

#include <string.h>

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(int c)
{
	return is_digit(c) || is_alpha(c);
}

/* rpmvercmp on [a, ae) and [b, be) */
static int rpmvercmp(const char *a, const char *ae, const char *b, const char *be)
{
	if (ae - a == be - b && memcmp(a, b, (size_t)(ae - a)) == 0)
		return 0;
#define C1 (a < ae ? *a : 0)
#define C2 (b < be ? *b : 0)
	while (a < ae || b < be) {
		while (a < ae && !is_alnum(*a) && *a != '~' && *a != '^')
			a++;
		while (b < be && !is_alnum(*b) && *b != '~' && *b != '^')
			b++;
		if (C1 == '~' || C2 == '~') {
			if (C1 != '~')
				return 1;
			if (C2 != '~')
				return -1;
			a++;
			b++;
			continue;
		}
		if (C1 == '^' || C2 == '^') {
			if (a == ae)
				return -1;
			if (b == be)
				return 1;
			if (C1 != '^')
				return 1;
			if (C2 != '^')
				return -1;
			a++;
			b++;
			continue;
		}
		if (!(a < ae && b < be))
			break;
		const char *s1 = a, *s2 = b;
		bool isnum;
		if (is_digit(*s1)) {
			while (s1 < ae && is_digit(*s1))
				s1++;
			while (s2 < be && is_digit(*s2))
				s2++;
			isnum = true;
		} else {
			while (s1 < ae && is_alpha(*s1))
				s1++;
			while (s2 < be && is_alpha(*s2))
				s2++;
			isnum = false;
		}
		if (a == s1)
			return -1;
		if (b == s2)
			return isnum ? 1 : -1;
		if (isnum) {
			int r = mamori_ver_digits_cmp(a, (size_t)(s1 - a), b, (size_t)(s2 - b));
			if (r)
				return r;
		} else {
			size_t l1 = (size_t)(s1 - a), l2 = (size_t)(s2 - b);
			int r = memcmp(a, b, l1 < l2 ? l1 : l2);
			if (r)
				return r < 0 ? -1 : 1;
			if (l1 != l2)
				return l1 < l2 ? -1 : 1;
		}
		a = s1;
		b = s2;
	}
	if (a == ae && b == be)
		return 0;
	return a == ae ? -1 : 1;
#undef C1
#undef C2
}

typedef struct evr {
	const char *e, *ee; /* NULL when absent: "0" */
	const char *v, *ve;
	const char *r, *re; /* NULL when absent */
} evr;

static void parse(const char *s, evr *o)
{
	const char *end = s + strlen(s);
	const char *p = s;
	while (is_digit(*p))
		p++;
	if (*p == ':') {
		o->e = s;
		o->ee = p;
		if (o->e == o->ee)
			o->e = o->ee = NULL;
		o->v = p + 1;
	} else {
		o->e = o->ee = NULL;
		o->v = s;
	}
	const char *dash = NULL;
	for (const char *q = end; q > o->v; q--)
		if (q[-1] == '-') {
			dash = q - 1;
			break;
		}
	o->ve = dash ? dash : end;
	o->r = dash ? dash + 1 : NULL;
	o->re = dash ? end : NULL;
}

static const char *rpm_invalid(const char *v)
{
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return "version contains a space or control character";
	return NULL;
}

static int rpm_cmp(const char *a, const char *b)
{
	static const char zero[] = "0";
	evr x, y;
	parse(a, &x);
	parse(b, &y);
	const char *xe = x.e ? x.e : zero, *xee = x.e ? x.ee : zero + 1;
	const char *ye = y.e ? y.e : zero, *yee = y.e ? y.ee : zero + 1;
	int r = rpmvercmp(xe, xee, ye, yee);
	if (r)
		return r;
	r = rpmvercmp(x.v, x.ve, y.v, y.ve);
	if (r)
		return r;
	static const char empty[] = "";
	return rpmvercmp(x.r ? x.r : empty, x.r ? x.re : empty, y.r ? y.r : empty,
			 y.r ? y.re : empty);
}

const vuln_vercmp_ops mamori_ver_rpm = {rpm_invalid, rpm_cmp};
