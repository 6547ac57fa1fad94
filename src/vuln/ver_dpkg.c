/*
 * ver_dpkg.c — Debian version ordering: [epoch:]upstream[-revision], as
 * dpkg --compare-versions orders them (lib/dpkg/version.c: verrevcmp).
 *
 * Non-digit runs compare character by character with `~` before
 * everything (even the end), letters before other punctuation; digit runs
 * compare numerically.  A missing revision is the empty string, so
 * 1.0 = 1.0-0.  Validity follows dpkg's parseversion: what it refuses or
 * warns about (empty parts, a non-numeric epoch, a version not starting
 * with a digit, characters outside [A-Za-z0-9.+~:-]) is rejected here.
 */
#include "version.h"

#include <limits.h>
#include <string.h>

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int order(int c)
{
	if (is_digit(c))
		return 0;
	if (is_alpha(c))
		return c;
	if (c == '~')
		return -1;
	if (c)
		return c + 256;
	return 0;
}

/* a and b are [s, e) ranges */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
#define CA (a < ae ? (unsigned char)*a : 0)
#define CB (b < be ? (unsigned char)*b : 0)
	while (a < ae || b < be) {
		int first_diff = 0;
		while ((a < ae && !is_digit(CA)) || (b < be && !is_digit(CB))) {
			int ac = order(CA), bc = order(CB);
			if (ac != bc)
				return ac - bc;
			if (a < ae)
				a++;
			if (b < be)
				b++;
		}
		while (CA == '0')
			a++;
		while (CB == '0')
			b++;
		while (is_digit(CA) && is_digit(CB)) {
			if (!first_diff)
				first_diff = CA - CB;
			a++;
			b++;
		}
		if (is_digit(CA))
			return 1;
		if (is_digit(CB))
			return -1;
		if (first_diff)
			return first_diff;
	}
	return 0;
#undef CA
#undef CB
}

typedef struct dver {
	long epoch;
	const char *v, *ve; /* upstream version */
	const char *r, *re; /* revision (empty when absent) */
} dver;

static const char *parse(const char *s, dver *out)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len; i++)
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
			return "version string has embedded spaces";
	if (len == 0)
		return "version string is empty";
	const char *end = s + len;
	const char *colon = strchr(s, ':');
	const char *v = s;
	out->epoch = 0;
	if (colon) {
		if (colon == s)
			return "epoch in version is empty";
		long e = 0;
		for (const char *p = s; p < colon; p++) {
			if (!is_digit((unsigned char)*p))
				return "epoch in version is not number";
			e = e * 10 + (*p - '0');
			if (e > INT_MAX)
				return "epoch in version is too big";
		}
		out->epoch = e;
		v = colon + 1;
		if (v == end)
			return "nothing after colon in version number";
	}
	const char *hyphen = NULL;
	for (const char *p = end; p > v; p--)
		if (p[-1] == '-') {
			hyphen = p - 1;
			break;
		}
	out->v = v;
	out->ve = hyphen ? hyphen : end;
	out->r = hyphen ? hyphen + 1 : end;
	out->re = end;
	if (hyphen && hyphen + 1 == end)
		return "revision number is empty";
	if (out->v == out->ve)
		return "version number is empty";
	if (!is_digit((unsigned char)*out->v))
		return "version number does not start with digit";
	for (const char *p = out->v; p < out->ve; p++)
		if (!is_digit((unsigned char)*p) && !is_alpha((unsigned char)*p) &&
		    !strchr(".-+~:", *p))
			return "invalid character in version number";
	for (const char *p = out->r; p < out->re; p++)
		if (!is_digit((unsigned char)*p) && !is_alpha((unsigned char)*p) &&
		    !strchr(".+~", *p))
			return "invalid character in revision number";
	return NULL;
}

static const char *dpkg_invalid(const char *v)
{
	dver d;
	return parse(v, &d);
}

static int dpkg_cmp(const char *a, const char *b)
{
	dver x, y;
	parse(a, &x);
	parse(b, &y);
	if (x.epoch != y.epoch)
		return x.epoch < y.epoch ? -1 : 1;
	int r = verrevcmp(x.v, x.ve, y.v, y.ve);
	if (r)
		return r;
	return verrevcmp(x.r, x.re, y.r, y.re);
}

const vuln_vercmp_ops mamori_ver_dpkg = {dpkg_invalid, dpkg_cmp};
