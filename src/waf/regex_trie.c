/*
 * regex_trie.c — word alternations rewritten as tries before PCRE2 sees them.
 *
 * PCRE2, interpreted or JIT-compiled, tries the branches of an alternation
 * one after another: at every start position "(?:cat|tac|nl|head|...)" with
 * 220 command names costs 220 failed comparisons — 95 ns per call on a
 * ten-byte value, where a two-branch regex takes 9 ns.  The same list as a
 * trie, "(?:c(?:at|url|ut|...)|t(?:ac|ail|...)|...)", takes 20 ns.  The
 * managed rule groups are full of such lists (shell commands, PHP functions,
 * encodings of '.' and '/'), and so are users' WebACLs.
 *
 * The rewrite keeps the regex's meaning exactly, including which match is
 * reported: PCRE2 takes the leftmost match and, at one position, the first
 * branch that leads to one.  Branches whose next literal bytes differ cannot
 * both match at one position, so merging them under a common prefix changes
 * nothing; only branches one of whose literal prefixes extends the other's
 * ("at" and "attr", or "ab" and "ab\d") can both match, and a node is merged
 * only when their relative order survives.  A branch's literal prefix ends
 * at the first construct that is not one byte (a class, a group, an escape
 * like \w) and before a quantified byte; the rest follows it unchanged.
 *
 * Patterns using what this reader does not follow — backreferences, inline
 * option settings other than a leading (?i), \Q..\E, named groups,
 * conditionals, recursion, verbs — are left as written.  fuzz_waf_regex_trie
 * checks against PCRE2 itself that the rewritten pattern matches the same
 * span on the same subjects.
 */
#include "waf_internal.h"

#include <stdlib.h>
#include <string.h>

#define RT_MAX_DEPTH 48

typedef struct rt {
	const char *p, *end;
	bool caseless;
	bool fail;
	bool changed;
	int depth;
} rt;


/* The length of the escape at s (s[0] == '\\'), or 0 for one this reader
 * does not follow. */
static size_t escape_len(const char *s, const char *end)
{
	if (end - s < 2)
		return 0;
	char c = s[1];
	if ((c >= '0' && c <= '9') || c == 'g' || c == 'k' || c == 'Q' || c == 'E' || c == 'N')
		return 0; /* backreferences, octal, quoting, \N{..} */
	if (c == 'x' || c == 'o' || c == 'p' || c == 'P') {
		if (end - s > 2 && s[2] == '{') {
			const char *e = memchr(s + 3, '}', (size_t)(end - s - 3));
			return e ? (size_t)(e - s) + 1 : 0;
		}
		if (c == 'o')
			return 0;
		if (c == 'p' || c == 'P')
			return end - s > 2 ? 3 : 0;
		size_t k = 2;
		while (k < 4 && s + k < end && mamori_hex_digit(s[k]) >= 0)
			k++;
		return k;
	}
	if (c == 'c')
		return end - s > 2 ? 3 : 0;
	return 2;
}

/* The end of a POSIX class "[:name:]" whose name starts at p, or NULL when
 * PCRE2 would read the '[' as a plain member (its own rule: a ']' or
 * another "[:" comes first). */
static const char *posix_end(const char *p, const char *end, char term)
{
	for (; p < end; p++) {
		if (*p == '\\' && p + 1 < end && (p[1] == ']' || p[1] == '\\'))
			p++;
		else if ((*p == '[' && p + 1 < end && p[1] == term) || *p == ']')
			return NULL;
		else if (*p == term && p + 1 < end && p[1] == ']')
			return p + 2;
	}
	return NULL;
}

/* The length of a character class starting at s (s[0] == '['), 0 if it
 * does not end. */
static size_t class_len(const char *s, const char *end)
{
	const char *p = s + 1;
	if (p < end && *p == '^')
		p++;
	if (p < end && *p == ']')
		p++; /* a leading ']' is a member */
	while (p < end) {
		if (*p == '\\') {
			size_t k = escape_len(p, end);
			if (!k)
				return 0;
			p += k;
		} else if (*p == '[' && p + 1 < end && (p[1] == ':' || p[1] == '.' || p[1] == '=') &&
			   posix_end(p + 2, end, p[1])) {
			p = posix_end(p + 2, end, p[1]);
		} else if (*p == ']') {
			return (size_t)(p - s) + 1;
		} else {
			p++;
		}
	}
	return 0;
}

/* A plain atom at s: one literal byte, written as itself or escaped.
 * Returns its length and the byte, or 0. */
static size_t plain_atom(const char *s, const char *end, unsigned char *byte)
{
	if (s >= end)
		return 0;
	unsigned char c = (unsigned char)*s;
	if (c != '\\') {
		if (strchr("^$.[|()?*+{", c) || c == 0)
			return 0;
		*byte = c;
		return 1;
	}
	if (end - s < 2)
		return 0;
	unsigned char e = (unsigned char)s[1];
	static const char ctl[] = "t\tn\nr\rf\fe\033a\a";
	for (size_t i = 0; ctl[i]; i += 2)
		if (e == (unsigned char)ctl[i]) {
			*byte = (unsigned char)ctl[i + 1];
			return 2;
		}
	if (e == 'x' && end - s >= 4 && mamori_hex_digit(s[2]) >= 0 && mamori_hex_digit(s[3]) >= 0) {
		*byte = (unsigned char)(mamori_hex_digit(s[2]) * 16 + mamori_hex_digit(s[3]));
		return 4;
	}
	if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9') || e >= 0x80)
		return 0; /* \w, \d, \b...: not one byte */
	*byte = e;
	return 2;
}

static bool is_quantifier(const char *s, const char *end)
{
	return s < end && (*s == '?' || *s == '*' || *s == '+' || *s == '{');
}

static unsigned char fold(const rt *r, unsigned char c)
{
	return r->caseless && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* ---- the trie over one alternation's branches ---- */

typedef struct branch {
	const char *s; /* rewritten text */
	size_t n;
	size_t plain; /* bytes of literal prefix */
	size_t pos;   /* bytes of it emitted by the nodes above */
} branch;

static size_t literal_prefix(const char *s, size_t n)
{
	size_t i = 0;
	unsigned char b;
	while (i < n) {
		size_t k = plain_atom(s + i, s + n, &b);
		if (!k || is_quantifier(s + i + k, s + n))
			break;
		i += k;
	}
	return i;
}

/* The next atom's byte of a branch at pos (pos < plain). */
static unsigned char next_byte(const rt *r, const branch *b, size_t *len)
{
	unsigned char c = 0;
	*len = plain_atom(b->s + b->pos, b->s + b->plain, &c);
	return fold(r, c);
}

static void emit_rest(mamori_buf *out, const branch *b)
{
	mamori_buf_append(out, b->s + b->pos, b->n - b->pos);
}

/* Emit the branches idx[0..k) (in their original order), all of which
 * share what the nodes above emitted.  Returns the number of top-level
 * alternatives written. */
static size_t emit_node(rt *r, mamori_buf *out, branch *br, const size_t *idx, size_t k, int depth)
{
	size_t *grp = mamori_xmalloc(k * sizeof *grp);	   /* item of each branch */
	size_t *first = mamori_xmalloc(k * sizeof *first); /* per item: its first branch */
	size_t *last = mamori_xmalloc(k * sizeof *last);
	unsigned char *key = mamori_xmalloc(k);
	bool *term = mamori_xmalloc(k * sizeof *term);
	size_t items = 0;
	for (size_t i = 0; i < k; i++) {
		branch *b = &br[idx[i]];
		size_t len;
		bool t = b->pos >= b->plain;
		unsigned char c = t ? 0 : next_byte(r, b, &len);
		size_t g = items;
		if (!t)
			for (size_t j = 0; j < items; j++)
				if (!term[j] && key[j] == c) {
					g = j;
					break;
				}
		if (g == items) {
			term[items] = t;
			key[items] = c;
			first[items] = i;
			items++;
		}
		last[g] = i;
		grp[i] = g;
	}
	/* the order check: no branch that ends here may sit between two
	 * branches of one item (it could match where they do) */
	bool ok = depth < RT_MAX_DEPTH;
	for (size_t g = 0; ok && g < items; g++)
		for (size_t i = first[g] + 1; ok && i < last[g]; i++)
			if (grp[i] != g && term[grp[i]])
				ok = false;
	if (!ok) {
		for (size_t i = 0; i < k; i++) {
			if (i)
				mamori_buf_putc(out, '|');
			emit_rest(out, &br[idx[i]]);
		}
		items = k;
		goto done;
	}
	for (size_t g = 0; g < items; g++) {
		if (g)
			mamori_buf_putc(out, '|');
		size_t members = 0;
		for (size_t i = first[g]; i <= last[g]; i++)
			members += grp[i] == g;
		if (term[g] || members == 1) {
			emit_rest(out, &br[idx[first[g]]]);
			continue;
		}
		/* a shared byte: write it once, the members' rests after it */
		size_t *sub = mamori_xmalloc(members * sizeof *sub);
		size_t m = 0;
		for (size_t i = first[g]; i <= last[g]; i++)
			if (grp[i] == g)
				sub[m++] = idx[i];
		branch *lead = &br[sub[0]];
		size_t len;
		next_byte(r, lead, &len);
		mamori_buf_append(out, lead->s + lead->pos, len);
		for (size_t i = 0; i < m; i++) {
			size_t l;
			next_byte(r, &br[sub[i]], &l);
			br[sub[i]].pos += l;
		}
		mamori_buf tmp = MAMORI_BUF_INIT;
		size_t alts = emit_node(r, &tmp, br, sub, m, depth + 1);
		if (alts > 1)
			mamori_buf_puts(out, "(?:");
		mamori_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
		if (alts > 1)
			mamori_buf_putc(out, ')');
		mamori_buf_free(&tmp);
		free(sub);
		r->changed = true;
	}
done:
	free(grp);
	free(first);
	free(last);
	free(key);
	free(term);
	return items;
}

/* ---- the reader ---- */

static void rw_alt(rt *r, mamori_buf *out);

/* A sequence up to '|', ')' or the end. */
static void rw_seq(rt *r, mamori_buf *out)
{
	while (r->p < r->end && !r->fail && *r->p != '|' && *r->p != ')') {
		const char *s = r->p;
		size_t n;
		if (*s == '(') {
			if (r->end - s >= 2 && s[1] == '*') {
				r->fail = true; /* a verb */
				return;
			}
			n = 1;
			if (r->end - s >= 2 && s[1] == '?') {
				if (r->end - s >= 3 && strchr(":=!>", s[2]) && s[2])
					n = 3;
				else if (r->end - s >= 4 && s[2] == '<' && (s[3] == '=' || s[3] == '!'))
					n = 4;
				else {
					r->fail = true; /* options, names, conditions, recursion */
					return;
				}
			}
			mamori_buf_append(out, s, n);
			r->p += n;
			if (++r->depth > RT_MAX_DEPTH) {
				r->fail = true;
				return;
			}
			rw_alt(r, out);
			r->depth--;
			if (r->fail || r->p >= r->end || *r->p != ')') {
				r->fail = true;
				return;
			}
			mamori_buf_putc(out, ')');
			r->p++;
			continue;
		}
		if (*s == '\\')
			n = escape_len(s, r->end);
		else if (*s == '[')
			n = class_len(s, r->end);
		else
			n = 1;
		if (!n) {
			r->fail = true;
			return;
		}
		mamori_buf_append(out, s, n);
		r->p += n;
	}
}

/* Branches up to ')' or the end, merged into a trie where that is exact. */
static void rw_alt(rt *r, mamori_buf *out)
{
	branch *br = NULL;
	size_t count = 0, cap = 0;
	for (;;) {
		mamori_buf b = MAMORI_BUF_INIT;
		rw_seq(r, &b);
		if (count == cap) {
			cap = cap ? cap * 2 : 8;
			br = mamori_xrealloc(br, cap * sizeof *br);
		}
		size_t len = b.len;
		char *text = mamori_buf_detach(&b);
		if (!text)
			text = mamori_xcalloc(1, 1);
		br[count++] = (branch){text, len, literal_prefix(text, len), 0};
		if (r->fail || r->p >= r->end || *r->p != '|')
			break;
		r->p++;
	}
	if (!r->fail) {
		size_t *idx = mamori_xmalloc(count * sizeof *idx);
		for (size_t i = 0; i < count; i++)
			idx[i] = i;
		emit_node(r, out, br, idx, count, 0);
		free(idx);
	}
	for (size_t i = 0; i < count; i++)
		free((char *)br[i].s);
	free(br);
}

char *waf_regex_trie(const char *pattern, bool caseless)
{
	rt r = {pattern, pattern + strlen(pattern), caseless, false, false, 0};
	mamori_buf out = MAMORI_BUF_INIT;
	if (!strncmp(pattern, "(?i)", 4)) {
		r.caseless = true;
		r.p += 4;
		mamori_buf_puts(&out, "(?i)");
	}
	rw_alt(&r, &out);
	if (r.fail || r.p != r.end || !r.changed) {
		mamori_buf_free(&out);
		return NULL;
	}
	return mamori_buf_detach(&out);
}
