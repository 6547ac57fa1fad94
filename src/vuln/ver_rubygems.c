/*
 * ver_rubygems.c — RubyGems version ordering (Gem::Version#<=>).
 *
 * A version is N(.X)* with X alphanumeric, optionally followed by
 * -prerelease (RubyGems reads "-" as ".pre.").  Segments are runs of
 * digits (numbers) or letters (strings); any string segment makes a
 * prerelease.  Comparison uses the canonical segments: trailing zeros are
 * dropped from the numeric part and from the part after the first string,
 * then segments compare pairwise, missing ones as 0, a string before a
 * number.
 */
#include "version.h"

#include <ctype.h>
#include <string.h>

#define MAX_SEG 64

typedef struct seg {
	bool num;
	const char *s;
	size_t n;
} seg;

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static const char *valid(const char *v)
{
	const char *p = v;
	while (isspace((unsigned char)*p))
		p++;
	if (!is_digit(*p))
		return "not a RubyGems version (must start with a digit)";
	while (is_digit(*p))
		p++;
	while (*p == '.') {
		p++;
		if (!isalnum((unsigned char)*p))
			return "not a RubyGems version (empty segment)";
		while (isalnum((unsigned char)*p))
			p++;
	}
	if (*p == '-') {
		do {
			p++;
			if (!isalnum((unsigned char)*p) && *p != '-')
				return "not a RubyGems version (empty prerelease segment)";
			while (isalnum((unsigned char)*p) || *p == '-')
				p++;
		} while (*p == '.');
	}
	while (isspace((unsigned char)*p))
		p++;
	return *p ? "not a RubyGems version" : NULL;
}

/* "-" is ".pre.": a string segment */
static int segments(const char *v, seg *out)
{
	int n = 0;
	for (const char *p = v; *p && n < MAX_SEG;) {
		if (is_digit(*p)) {
			const char *s = p;
			while (is_digit(*p))
				p++;
			while (s + 1 < p && *s == '0')
				s++;
			out[n++] = (seg){true, s, (size_t)(p - s)};
		} else if (isalpha((unsigned char)*p)) {
			const char *s = p;
			while (isalpha((unsigned char)*p))
				p++;
			out[n++] = (seg){false, s, (size_t)(p - s)};
		} else if (*p == '-') {
			out[n++] = (seg){false, "pre", 3};
			p++;
		} else {
			p++;
		}
	}
	/* canonical: drop trailing zeros of the numeric prefix and of the rest */
	int first_str = n;
	for (int i = 0; i < n; i++)
		if (!out[i].num) {
			first_str = i;
			break;
		}
	seg tmp[MAX_SEG];
	int m = 0, end = first_str;
	while (end > 0 && out[end - 1].num && out[end - 1].n == 1 && out[end - 1].s[0] == '0')
		end--;
	for (int i = 0; i < end; i++)
		tmp[m++] = out[i];
	end = n;
	while (end > first_str && out[end - 1].num && out[end - 1].n == 1 && out[end - 1].s[0] == '0')
		end--;
	for (int i = first_str; i < end; i++)
		tmp[m++] = out[i];
	memcpy(out, tmp, (size_t)m * sizeof *out);
	return m;
}

static int seg_cmp(const seg *a, const seg *b)
{
	static const seg zero = {true, "0", 1};
	if (!a)
		a = &zero;
	if (!b)
		b = &zero;
	if (a->num && b->num)
		return mamori_ver_digits_cmp(a->s, a->n, b->s, b->n);
	if (!a->num && b->num)
		return -1;
	if (a->num && !b->num)
		return 1;
	int r = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
	if (r)
		return r < 0 ? -1 : 1;
	return a->n == b->n ? 0 : a->n < b->n ? -1 : 1;
}

static int gem_cmp(const char *a, const char *b)
{
	seg x[MAX_SEG], y[MAX_SEG];
	int nx = segments(a, x), ny = segments(b, y);
	for (int i = 0; i < nx || i < ny; i++) {
		int r = seg_cmp(i < nx ? &x[i] : NULL, i < ny ? &y[i] : NULL);
		if (r)
			return r;
	}
	return 0;
}

const vuln_vercmp_ops mamori_ver_rubygems = {valid, gem_cmp};
