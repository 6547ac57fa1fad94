/*
 * ver_composer.c — Packagist (Composer) version ordering.
 *
 * Composer normalises a version (VersionParser::normalize: an optional
 * "v", one to four numbers padded to four, a stability modifier
 * alpha/a, beta/b, RC, patch/pl/p with an optional number, an optional
 * "-dev") and orders the normalised strings with PHP's version_compare:
 * parts split at `.`, `-`, `_`, `+` and at digit/letter changes; numbers
 * numerically; words by their rank dev < alpha = a < beta = b < RC = rc <
 * (a number) < pl = p, unknown words first.  Branch names (dev-master) and
 * other forms Composer cannot normalise are rejected.
 */
#include "version.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NORM_MAX 160

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* normalise v into out; NULL or the reason */
static const char *normalize(const char *v, char *out, size_t cap)
{
	const char *p = v;
	while (isspace((unsigned char)*p))
		p++;
	if (*p == 'v' || *p == 'V')
		p++;
	char nums[4][24];
	int n = 0;
	while (n < 4 && is_digit(*p)) {
		size_t k = 0;
		while (is_digit(*p)) {
			if (k + 1 >= sizeof nums[n])
				return "version number too long";
			nums[n][k++] = *p++;
		}
		nums[n][k] = '\0';
		n++;
		if (*p == '.' && is_digit(p[1]) && n < 4)
			p++;
		else
			break;
	}
	if (n == 0)
		return "not a Composer version (must start with a number)";
	for (int i = n; i < 4; i++)
		strcpy(nums[i], "0");
	size_t len = (size_t)snprintf(out, cap, "%s.%s.%s.%s", nums[0], nums[1], nums[2], nums[3]);
	/* modifier */
	if (*p == '.' || *p == '_' || *p == '-')
		if (isalpha((unsigned char)p[1]))
			p++;
	static const struct {
		const char *word, *norm;
	} mods[] = {{"stable", ""},    {"beta", "beta"}, {"b", "beta"},   {"rc", "RC"},
		    {"alpha", "alpha"}, {"a", "alpha"},  {"patch", "patch"}, {"pl", "patch"},
		    {"p", "patch"}};
	for (size_t i = 0; i < sizeof mods / sizeof *mods; i++) {
		size_t wl = strlen(mods[i].word);
		if (strncasecmp(p, mods[i].word, wl) != 0 || isalpha((unsigned char)p[wl]))
			continue;
		p += wl;
		if (*mods[i].norm)
			len += (size_t)snprintf(out + len, cap - len, "-%s", mods[i].norm);
		/* ((?:[.-]?\d+)*+) */
		while ((*p == '.' || *p == '-') ? is_digit(p[1]) : is_digit(*p)) {
			if (!is_digit(*p))
				p++;
			/* every digit is consumed even when out is full (it would
			 * otherwise loop for ever); a full out is refused below */
			if (len + 1 < cap)
				out[len++] = '.';
			else
				len = cap;
			for (; is_digit(*p); p++) {
				if (len + 1 < cap)
					out[len++] = *p;
				else
					len = cap;
			}
			if (len < cap)
				out[len] = '\0';
		}
		break;
	}
	if ((*p == '.' || *p == '-') && strncasecmp(p + 1, "dev", 3) == 0 && p[4] == '\0')
		p += 4, len += (size_t)snprintf(out + len, cap - len, "-dev");
	else if (strncasecmp(p, "dev", 3) == 0 && p[3] == '\0')
		p += 3, len += (size_t)snprintf(out + len, cap - len, "-dev");
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		return "not a Composer version";
	if (len >= cap)
		return "version too long";
	return NULL;
}

/* PHP's canonicalisation: separators to '.', '.' between digit/alpha */
static void canon(const char *s, char *out, size_t cap)
{
	size_t k = 0;
	int prev = 0; /* 0 none, 1 digit, 2 alpha, 3 sep */
	if (*s) /* PHP copies the first character as it is */
		out[k++] = *s, prev = is_digit((unsigned char)*s) ? 1 : isalpha((unsigned char)*s) ? 2 : 0, s++;
	for (; *s && k + 2 < cap; s++) {
		int c = (unsigned char)*s;
		int kind = is_digit(c) ? 1 : isalpha(c) ? 2 : 3;
		if (kind == 3) {
			if (prev != 3 && k)
				out[k++] = '.';
			prev = 3;
			continue;
		}
		if (prev && prev != 3 && prev != kind)
			out[k++] = '.';
		out[k++] = (char)c;
		prev = kind;
	}
	out[k] = '\0';
}

static int special(const char *f)
{
	static const struct {
		const char *name;
		int order;
	} forms[] = {{"dev", 0}, {"alpha", 1}, {"a", 1}, {"beta", 2}, {"b", 2}, {"RC", 3},
		     {"rc", 3},	 {"#", 4},     {"pl", 5}, {"p", 5}};
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
		if (strncmp(f, forms[i].name, strlen(forms[i].name)) == 0)
			return forms[i].order;
	return -1;
}

static int sgn(int x)
{
	return x < 0 ? -1 : x > 0;
}

static int php_version_compare(const char *a, const char *b)
{
	char ca[NORM_MAX * 2], cb[NORM_MAX * 2];
	canon(a, ca, sizeof ca);
	canon(b, cb, sizeof cb);
	char *s1 = ca, *s2 = cb;
	int compare = 0;
	char *p1 = NULL, *p2 = NULL;
	while (*s1 && *s2 && compare == 0) {
		p1 = s1;
		p2 = s2;
		char *n1 = strchr(s1, '.'), *n2 = strchr(s2, '.');
		if (n1)
			*n1 = '\0';
		if (n2)
			*n2 = '\0';
		bool d1 = is_digit(*p1), d2 = is_digit(*p2);
		if (d1 && d2)
			compare = mamori_ver_digits_cmp(p1, strlen(p1), p2, strlen(p2));
		else if (!d1 && !d2)
			compare = sgn(special(p1) - special(p2));
		else if (d1)
			compare = sgn(special("#N#") - special(p2));
		else
			compare = sgn(special(p1) - special("#N#"));
		s1 = n1 ? n1 + 1 : s1 + strlen(s1);
		s2 = n2 ? n2 + 1 : s2 + strlen(s2);
	}
	if (compare == 0) {
		if (*s1)
			compare = is_digit(*s1) ? 1 : php_version_compare(s1, "#N#");
		else if (*s2)
			compare = is_digit(*s2) ? -1 : php_version_compare("#N#", s2);
	}
	return compare;
}

static const char *composer_invalid(const char *v)
{
	char n[NORM_MAX];
	return normalize(v, n, sizeof n);
}

static int composer_cmp(const char *a, const char *b)
{
	char x[NORM_MAX], y[NORM_MAX];
	normalize(a, x, sizeof x);
	normalize(b, y, sizeof y);
	return php_version_compare(x, y);
}

const vuln_vercmp_ops mamori_ver_composer = {composer_invalid, composer_cmp};
