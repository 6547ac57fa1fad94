/*
 * ver_apk.c — Alpine (apk-tools 2.x) version ordering.
 *
 * Gentoo-style versions: digits{.digits}[letter]{_suffix[N]}[-rN].  Tokens
 * are compared by value while both sides have the same token kind; when the
 * kinds differ, the side that goes on is newer unless it goes on with a
 * pre-release suffix (_alpha, _beta, _pre, _rc).  A component after a dot
 * that starts with 0 is a "fraction": its leading zeros count negatively,
 * so 1.01 < 1.1 and, as a quirk of the reference, 1.0_alpha > 1.0 and
 * 1.0-r0 > 1.0.
 *
 * This follows the token machine of apk-tools 2.x src/version.c as ported
 * by go-apk-version (the port Trivy uses, and the oracle of our corpus,
 * which agrees with apk-tools' own test vectors): including its details —
 * `-` followed by any character starts a revision, "b" is a pre-release
 * suffix, numbers wrap like a 64-bit int.  Only ASCII is classified:
 * a non-ASCII letter makes a version invalid here.
 */
#include "version.h"

#include <stdint.h>
#include <string.h>

enum {
	T_INVALID = -1,
	T_DIGIT_OR_ZERO,
	T_DIGIT,
	T_LETTER,
	T_SUFFIX,
	T_SUFFIX_NO,
	T_REVISION_NO,
	T_END,
};

typedef struct rd {
	const char *s;
	size_t len, pos;
	int last; /* size of the last read: 1, or -1 when it hit the end */
} rd;

/* ReadRune: the next byte, or 0 at the end. */
static int rd_get(rd *r, bool *eof)
{
	if (r->pos >= r->len) {
		*eof = true;
		r->last = -1;
		return 0;
	}
	*eof = false;
	r->last = 1;
	return (unsigned char)r->s[r->pos++];
}

static void rd_unget(rd *r)
{
	if (r->last == 1)
		r->pos--;
	r->last = -1;
}

static bool rd_at_end(const rd *r)
{
	return r->pos >= r->len;
}

static bool is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int next_token(rd *r, int type)
{
	int n = T_INVALID;
	bool eof;
	int c = rd_get(r, &eof);
	if (eof)
		n = T_END;
	if ((type == T_DIGIT || type == T_DIGIT_OR_ZERO) && is_lower(c))
		n = T_LETTER;
	else if (type == T_LETTER && is_digit(c))
		n = T_DIGIT;
	else if (type == T_SUFFIX && is_digit(c))
		n = T_SUFFIX_NO;
	else if (!eof) {
		switch (c) {
		case '.':
			n = T_DIGIT_OR_ZERO;
			break;
		case '_':
			n = T_SUFFIX;
			break;
		case '-':
			rd_get(r, &eof);
			n = eof ? T_INVALID : T_REVISION_NO;
			break;
		default:
			break;
		}
	}
	if (n == T_END || n == T_LETTER || n == T_DIGIT || n == T_SUFFIX_NO)
		rd_unget(r);
	if (n < type) {
		if ((n == T_DIGIT_OR_ZERO && type == T_DIGIT) ||
		    (n == T_SUFFIX && type == T_SUFFIX_NO) || (n == T_DIGIT && type == T_LETTER))
			return n;
		return T_INVALID;
	}
	return n;
}

static bool has_prefix(const rd *r, const char *p)
{
	size_t n = strlen(p);
	return r->len - r->pos >= n && memcmp(r->s + r->pos, p, n) == 0;
}

/* digits from c on (c already read), wrapping like the reference's int */
static uint64_t read_number(rd *r, int c)
{
	uint64_t value = 0;
	bool eof = false;
	while (is_digit(c)) {
		value = value * 10 + (uint64_t)(c - '0');
		c = rd_get(r, &eof);
		if (eof)
			break;
	}
	rd_unget(r);
	return value;
}

static int64_t get_token(rd *r, int *type)
{
	static const char *const pre[] = {"alpha", "beta", "pre", "rc", "b"};
	static const char *const post[] = {"cvs", "svn", "git", "hg", "p"};
	int nt = T_INVALID;
	uint64_t value = 0;
	bool eof;
	int c = rd_get(r, &eof);
	switch (*type) {
	case T_DIGIT_OR_ZERO:
		if (c == '0') {
			for (;;) {
				value -= 1;
				int d = rd_get(r, &eof);
				if (eof)
					break;
				if (d != '0') {
					rd_unget(r);
					break;
				}
			}
			nt = T_DIGIT;
			break;
		}
		value = read_number(r, c);
		break;
	case T_DIGIT:
	case T_SUFFIX_NO:
	case T_REVISION_NO:
		value = read_number(r, c);
		break;
	case T_LETTER:
		value = (uint64_t)c;
		break;
	case T_SUFFIX: {
		rd_unget(r);
		bool found = false;
		for (size_t i = 0; i < 5; i++)
			if (has_prefix(r, pre[i])) {
				value = (uint64_t)((int64_t)i - 5);
				r->pos += strlen(pre[i]);
				found = true;
				break;
			}
		if (found)
			break;
		for (size_t i = 0; i < 5; i++)
			if (has_prefix(r, post[i])) {
				value = i;
				r->pos += strlen(post[i]);
				found = true;
				break;
			}
		if (found)
			break;
		*type = T_INVALID;
		return -1;
	}
	default:
		*type = T_INVALID;
		return -1;
	}
	r->last = -1;
	if (rd_at_end(r))
		*type = T_END;
	else if (nt != T_INVALID)
		*type = nt;
	else
		*type = next_token(r, *type);
	return (int64_t)value;
}

static const char *apk_invalid(const char *v)
{
	rd r = {v, strlen(v), 0, -1};
	int t = T_DIGIT;
	while (t != T_END && t != T_INVALID)
		get_token(&r, &t);
	return t == T_END ? NULL : "not an apk version (digits{.digits}[letter]{_suffix[N]}[-rN])";
}

static int apk_cmp(const char *a, const char *b)
{
	rd ra = {a, strlen(a), 0, -1}, rb = {b, strlen(b), 0, -1};
	int at = T_DIGIT, bt = T_DIGIT;
	int64_t av = 0, bv = 0;
	while (at == bt && at != T_END && at != T_INVALID && av == bv) {
		av = get_token(&ra, &at);
		bv = get_token(&rb, &bt);
	}
	if (av < bv)
		return -1;
	if (av > bv)
		return 1;
	if (at == bt)
		return 0;
	if (at == T_SUFFIX) {
		int t = at;
		if (get_token(&ra, &t) < 0)
			return -1;
	}
	if (bt == T_SUFFIX) {
		int t = bt;
		if (get_token(&rb, &t) < 0)
			return 1;
	}
	if (at > bt)
		return -1;
	if (at < bt)
		return 1;
	return 0;
}

const vuln_vercmp_ops mamori_ver_apk = {apk_invalid, apk_cmp};
