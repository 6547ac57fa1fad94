/*
 * regex_factor.c — the literals a regex cannot match without.
 *
 * The prefilter (prefilter.c) wants to scan each input once with a database
 * of plain literals — Vectorscan's literal matchers run at gigabytes per
 * second, where a database of a few hundred regexes compiled in prefilter
 * mode crawls at tens of megabytes per second over prose.  So each regex is
 * read here into a *factor*: a small set of strings such that every match of
 * the regex contains at least one of them.  "\b(?:eval|exec)\s*\(" yields
 * {"eval", "exec"} (or {"("}, whichever is rarer), "etc\W{1,8}passwd" yields
 * {"passwd"}, "\bid_[rd]sa\b" yields {"id_rsa", "id_dsa"}.  A value in which
 * no string of the factor occurs cannot match, and the regex is not run.
 *
 * The analysis is a small recursive reading of PCRE syntax (bounded depth)
 * computing, for every sub-expression, a *prefix set*: strings one of which
 * every match begins with, each either complete (the match may end there)
 * or open (the match goes on with something not tracked) — the exact
 * language when it is small and finite, "\s+" gives {" ", "\t", ...} all
 * open.  Concatenations multiply neighbouring prefix sets ("id_" x {"r","d"}
 * x "sa"; "cat" x {" " open, ...}), and every product is a candidate factor
 * of the whole; alternations unite their branches' factors; a repeat with
 * minimum 0 and every zero-width item (anchors, \b, lookarounds) require
 * nothing.  Everything it does not understand — or a construct whose
 * language it cannot bound — counts as "could be anything", which only ever
 * weakens the factor: the result is sound by construction, never a missed
 * match.  Case-insensitive parts make the whole factor case-insensitive.
 *
 * Each result also carries a *conjunction*: up to three necessary sets taken
 * from different parts of a concatenation — "\)\s*\(\s*[|&!]" needs one of
 * {")"}, {"("} and {"|", "&", "!"} — every one of which a match contains.
 * Alternations unite their branches' conjunctions member by member ((a1 and
 * a2) or (b1 and b2) implies (a1 or b1) and (a2 or b2)).  The literal
 * prefilter uses one set; waf_regex_analyse() also turns the conjunction
 * into byte sets that a value must hold before PCRE2 runs on it.
 *
 * Which candidate factor is best is decided by an estimate of how often it
 * occurs in ordinary text: a fixed table of byte frequencies (English
 * letters, spaces, digits, punctuation), the probability of a string being
 * the product of its bytes'.  A regex whose best factor is still likely to
 * occur everywhere is left to the caller (the prefilter keeps a regex
 * database for those few).
 */
#include "waf_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LF_MAX_SET 1024 /* strings in one set */
#define LF_MAX_LEN 32	/* bytes of one prefix string (longer ones are cut: open) */
#define LF_MAX_CLASS 64 /* a character class is expanded up to this many bytes */
#define LF_MAX_DEPTH 48
#define LF_MAX_BYTE_SET 64 /* strings a conjunction member may hold */
#define LF_REQ_MAX_FREQ 0.03 /* a byte set likelier per byte is not worth checking */

typedef struct lstr {
	unsigned char len;
	bool open; /* the match goes on after these bytes */
	unsigned char s[LF_MAX_LEN];
} lstr;

/* A set of strings; n < 0 means "not a small set" (top). */
typedef struct lset {
	int n;
	lstr *v;
} lset;

/* Necessary sets from different parts of the regex: a match contains a
 * string of each. */
#define LF_MAX_AND 3
typedef struct conj {
	int n;
	lset set[LF_MAX_AND];
	double cost[LF_MAX_AND];
} conj;

typedef struct fres {
	lset prefix; /* strings every match begins with, or top */
	lset anch;   /* when every match starts at the subject's start: its prefixes; else top */
	lset factor; /* best necessary set, or top when none */
	double cost; /* estimated frequency of factor (INFINITY when none) */
	conj all;    /* necessary sets from different parts, cheapest first */
} fres;

typedef struct rparse {
	const unsigned char *p, *end;
	bool caseless;
	bool saw_caseless; /* an inline (?i) was seen */
	bool saw_multiline; /* an inline (?m): ^ is not the subject's start */
	bool fail;	   /* a construct this reader does not know */
	int depth;
} rparse;

/* ---- sets ---- */

static lset set_top(void)
{
	return (lset){-1, NULL};
}

static lset set_new(int n)
{
	return (lset){n, mamori_xcalloc(n > 0 ? (size_t)n : 1, sizeof(lstr))};
}

static void set_free(lset *s)
{
	free(s->v);
	*s = set_top();
}

static lset set_copy(const lset *a)
{
	if (a->n < 0)
		return set_top();
	lset r = set_new(a->n);
	if (a->n)
		memcpy(r.v, a->v, (size_t)a->n * sizeof *a->v);
	return r;
}

static lset set_empty_string(void)
{
	lset r = set_new(1);
	r.v[0].len = 0;
	return r;
}

static bool has_empty(const lset *a)
{
	for (int i = 0; i < a->n; i++)
		if (a->v[i].len == 0)
			return true;
	return false;
}

static int lstr_cmp(const void *x, const void *y)
{
	const lstr *a = x, *b = y;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	int c = memcmp(a->s, b->s, a->len);
	if (c)
		return c;
	return (int)a->open - (int)b->open;
}

/* Sorted, without duplicates. */
static void set_unique(lset *a)
{
	if (a->n <= 1)
		return;
	qsort(a->v, (size_t)a->n, sizeof *a->v, lstr_cmp);
	int o = 1;
	for (int i = 1; i < a->n; i++)
		if (lstr_cmp(&a->v[i], &a->v[o - 1]) != 0)
			a->v[o++] = a->v[i];
	a->n = o;
}

static lset set_union(const lset *a, const lset *b)
{
	if (a->n < 0 || b->n < 0 || a->n + b->n > LF_MAX_SET)
		return set_top();
	lset r = set_new(a->n + b->n);
	if (a->n)
		memcpy(r.v, a->v, (size_t)a->n * sizeof *a->v);
	if (b->n)
		memcpy(r.v + a->n, b->v, (size_t)b->n * sizeof *b->v);
	set_unique(&r);
	return r;
}

/* Every string open: what follows is not tracked. */
static void set_open(lset *a)
{
	for (int i = 0; i < a->n; i++)
		a->v[i].open = true;
}

static bool all_open(const lset *a)
{
	for (int i = 0; i < a->n; i++)
		if (!a->v[i].open)
			return false;
	return true;
}

/* The prefixes of a match of A then B: each complete string of a extended
 * by each of b (cut and open beyond LF_MAX_LEN), each open one as it is.
 * Top when too many. */
static lset set_product(const lset *a, const lset *b)
{
	if (a->n < 0 || b->n < 0)
		return set_top();
	long count = 0;
	for (int i = 0; i < a->n; i++)
		count += a->v[i].open ? 1 : b->n;
	if (count > LF_MAX_SET)
		return set_top();
	lset r = set_new((int)count);
	r.n = 0;
	for (int i = 0; i < a->n; i++) {
		if (a->v[i].open) {
			r.v[r.n++] = a->v[i];
			continue;
		}
		for (int j = 0; j < b->n; j++) {
			lstr z = a->v[i];
			size_t take = b->v[j].len;
			z.open = b->v[j].open;
			if (z.len + take > LF_MAX_LEN) {
				take = LF_MAX_LEN - z.len;
				z.open = true;
			}
			memcpy(z.s + z.len, b->v[j].s, take);
			z.len = (unsigned char)(z.len + take);
			r.v[r.n++] = z;
		}
	}
	set_unique(&r);
	return r;
}

static void set_minimize_as(lset *a, bool anchored);

static void set_minimize(lset *a)
{
	set_minimize_as(a, false);
}

static bool contains(const lstr *hay, const lstr *needle)
{
	if (needle->len > hay->len)
		return false;
	if (!needle->len)
		return true;
	for (size_t i = 0; i + needle->len <= hay->len; i++)
		if (hay->s[i] == needle->s[0] && memcmp(hay->s + i, needle->s, needle->len) == 0)
			return true;
	return false;
}

static bool starts_with(const lstr *hay, const lstr *needle)
{
	return needle->len <= hay->len && memcmp(hay->s, needle->s, needle->len) == 0;
}

/* As a factor: a string containing another string of the set adds nothing
 * (whether it is open or complete no longer matters); anchored at the
 * value's start, only one beginning with another. */
static void set_minimize_as(lset *a, bool anchored)
{
	for (int i = 0; i < a->n; i++)
		a->v[i].open = false;
	set_unique(a); /* by length, then bytes */
	int o = 0;
	for (int i = 0; i < a->n; i++) {
		bool redundant = false;
		for (int j = 0; j < o && !redundant; j++)
			redundant = anchored ? starts_with(&a->v[i], &a->v[j])
					     : contains(&a->v[i], &a->v[j]);
		if (!redundant)
			a->v[o++] = a->v[i];
	}
	a->n = o;
}

/* ---- how often a string occurs in ordinary text ---- */

static double byte_freq(unsigned char c, bool caseless)
{
	static const double letters[26] = {
		0.065, 0.012, 0.022, 0.034, 0.100, 0.018, 0.016, 0.049, 0.056, 0.0015,
		0.006, 0.032, 0.019, 0.054, 0.060, 0.015, 0.0008, 0.048, 0.051, 0.072,
		0.022, 0.008, 0.019, 0.0015, 0.016, 0.0006,
	};
	if (c >= 'a' && c <= 'z')
		return letters[c - 'a'] * (caseless ? 1.1 : 1.0);
	if (c >= 'A' && c <= 'Z')
		return letters[c - 'A'] * (caseless ? 1.1 : 0.1);
	if (c >= '0' && c <= '9')
		return 0.006;
	switch (c) {
	case ' ':
		return 0.15;
	case '.':
	case ',':
		return 0.012;
	case '-':
	case '/':
	case '=':
	case '&':
	case '_':
	case ':':
	case '\'':
	case '"':
	case '(':
	case ')':
	case ';':
	case '?':
	case '!':
	case '%':
	case '+':
	case '\n':
		return 0.004;
	case '\r':
	case '\t':
		return 0.002;
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f)
		return 0.0002;
	if (c == 0xC0 || c == 0xC1 || c >= 0xF5)
		return 0.00001; /* never in valid UTF-8 */
	if (c >= 0x80)
		return 0.001;
	return 0.001; /* other ASCII punctuation */
}

static double set_cost(const lset *a, bool caseless)
{
	if (a->n <= 0 || has_empty(a))
		return INFINITY;
	double sum = 0;
	for (int i = 0; i < a->n; i++) {
		double p = 1;
		for (size_t k = 0; k < a->v[i].len; k++)
			p *= byte_freq(a->v[i].s[k], caseless);
		/* a one-byte literal costs the literal matcher more than its odds */
		sum += p * (a->v[i].len == 1 ? 2 : 1) + 1e-7;
	}
	return sum;
}

/* ---- results ---- */

static fres res_zero_width(void)
{
	return (fres){set_empty_string(), set_top(), set_top(), INFINITY, {0}};
}

static fres res_top(void)
{
	return (fres){set_top(), set_top(), set_top(), INFINITY, {0}};
}

/* ^ or \A: matches start at the subject's start */
static fres res_anchor(void)
{
	return (fres){set_empty_string(), set_empty_string(), set_top(), INFINITY, {0}};
}

/* A necessary byte set from a necessary string set: bytes such that every
 * string holds one (a value holding none of them holds none of the
 * strings).  Chosen greedily — the byte in most strings not yet covered,
 * the rarer on a tie — so that ")\t", ") ", ")\n" give {')'}. */
static void byte_set_of(const lset *a, bool caseless, uint64_t bits[4])
{
	memset(bits, 0, 4 * sizeof *bits);
	bool single = true; /* a class: the bytes themselves */
	for (int i = 0; i < a->n && single; i++)
		single = a->v[i].len == 1;
	if (single) {
		for (int i = 0; i < a->n; i++) {
			unsigned c = a->v[i].s[0];
			bits[c >> 6] |= 1ull << (c & 63);
			if (caseless && c >= 'a' && c <= 'z')
				bits[(c - 32) >> 6] |= 1ull << ((c - 32) & 63);
		}
		return;
	}
	bool small[64] = {false};
	bool *covered = a->n <= 64 ? small : mamori_xcalloc((size_t)a->n, sizeof *covered);
	for (int left = a->n; left > 0;) {
		int count[256] = {0};
		for (int i = 0; i < a->n; i++) {
			if (covered[i])
				continue;
			uint64_t seen[4] = {0, 0, 0, 0};
			for (size_t k = 0; k < a->v[i].len; k++) {
				unsigned c = a->v[i].s[k];
				if (!((seen[c >> 6] >> (c & 63)) & 1)) {
					seen[c >> 6] |= 1ull << (c & 63);
					count[c]++;
				}
			}
		}
		int best = -1;
		for (int c = 0; c < 256; c++)
			if (count[c] && (best < 0 || count[c] > count[best] ||
					 (count[c] == count[best] &&
					  byte_freq((unsigned char)c, caseless) < byte_freq((unsigned char)best, caseless))))
				best = c;
		if (best < 0)
			break;
		bits[best >> 6] |= 1ull << (best & 63);
		if (caseless && best >= 'a' && best <= 'z')
			bits[(best - 32) >> 6] |= 1ull << ((best - 32) & 63);
		for (int i = 0; i < a->n; i++)
			if (!covered[i] && memchr(a->v[i].s, best, a->v[i].len)) {
				covered[i] = true;
				left--;
			}
	}
	if (covered != small)
		free(covered);
}

/* How likely a byte of that set is per byte of text (the conjunction's
 * members are ranked by it: a value is checked for bytes, not strings). */
static double bytes_cost(const lset *a, bool caseless)
{
	/* more than 64 strings rarely share few rare bytes: not worth the work */
	if (a->n <= 0 || has_empty(a) || a->n > LF_MAX_BYTE_SET)
		return INFINITY;
	uint64_t bits[4];
	byte_set_of(a, caseless, bits);
	double f = 0;
	for (unsigned w = 0; w < 4; w++)
		for (uint64_t m = bits[w]; m; m &= m - 1)
			f += byte_freq((unsigned char)(w * 64 + (unsigned)__builtin_ctzll(m)), false);
	return f;
}

static void conj_free(conj *c)
{
	for (int i = 0; i < c->n; i++)
		set_free(&c->set[i]);
	c->n = 0;
}

/* The conjunction of one factor (a copy). */
static conj conj_one(const lset *f, bool caseless)
{
	conj c = {0};
	double cost = f->n > 0 ? bytes_cost(f, caseless) : INFINITY;
	if (cost < INFINITY) {
		c.set[0] = set_copy(f);
		c.cost[0] = cost;
		c.n = 1;
	}
	return c;
}

static void res_free(fres *r)
{
	set_free(&r->prefix);
	set_free(&r->anch);
	set_free(&r->factor);
	conj_free(&r->all);
}

/* Offer a candidate factor; keeps the cheaper one (takes ownership). */
static void offer(fres *r, lset cand, bool caseless)
{
	double c = set_cost(&cand, caseless);
	if (c < r->cost) {
		/* minimizing only lowers the cost */
		set_minimize(&cand);
		c = set_cost(&cand, caseless);
	}
	if (c < r->cost) {
		set_free(&r->factor);
		r->factor = cand;
		r->cost = c;
	} else {
		set_free(&cand);
	}
}

static fres res_prefix(lset e, bool caseless)
{
	fres r = {e, set_top(), set_top(), INFINITY, {0}};
	offer(&r, set_copy(&e), caseless);
	r.all = conj_one(&r.factor, caseless);
	return r;
}

/* ---- the reader ---- */

static unsigned char fold(const rparse *rp, unsigned char c)
{
	return rp->caseless && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static fres res_byte(rparse *rp, unsigned char c)
{
	lset e = set_new(1);
	e.v[0].len = 1;
	e.v[0].s[0] = fold(rp, c);
	return res_prefix(e, rp->caseless);
}

typedef struct bset {
	uint64_t w[4];
} bset;

static void bs_add(bset *b, unsigned c)
{
	b->w[c >> 6] |= 1ull << (c & 63);
}

static void bs_range(bset *b, unsigned lo, unsigned hi)
{
	for (unsigned c = lo; c <= hi && c < 256; c++)
		bs_add(b, c);
}

static bool bs_has(const bset *b, unsigned c)
{
	return (b->w[c >> 6] >> (c & 63)) & 1;
}

/* \d \w \s and friends, as byte sets (PCRE's defaults without UTF). */
static bool class_escape(unsigned char e, bset *b)
{
	bset t = {{0}};
	/* an upper-case escape is the complement of its lower-case one */
	bool neg = e >= 'A' && e <= 'Z';
	switch (e | 0x20) {
	case 'd':
		bs_range(&t, '0', '9');
		break;
	case 'w':
		bs_range(&t, '0', '9');
		bs_range(&t, 'a', 'z');
		bs_range(&t, 'A', 'Z');
		bs_add(&t, '_');
		break;
	case 's':
		bs_range(&t, 9, 13);
		bs_add(&t, ' ');
		break;
	case 'h':
		bs_add(&t, '\t');
		bs_add(&t, ' ');
		bs_add(&t, 0xA0);
		break;
	case 'v':
		bs_range(&t, 10, 13);
		bs_add(&t, 0x85);
		break;
	case 'n':
		if (!neg)
			return false; /* \n is a character, not a class */
		bs_add(&t, '\n');
		break;
	default:
		return false;
	}
	for (int i = 0; i < 4; i++)
		b->w[i] |= neg ? ~t.w[i] : t.w[i];
	return true;
}


/* A single-byte escape after '\' (p at the byte after it): returns the byte
 * or -1 when it is not one (class escapes, assertions, back references). */
static int byte_escape(rparse *rp)
{
	unsigned char e = *rp->p;
	switch (e) {
	case 'n':
		rp->p++;
		return '\n';
	case 'r':
		rp->p++;
		return '\r';
	case 't':
		rp->p++;
		return '\t';
	case 'f':
		rp->p++;
		return '\f';
	case 'e':
		rp->p++;
		return 0x1b;
	case 'a':
		rp->p++;
		return 0x07;
	case 'x': {
		rp->p++;
		unsigned v = 0;
		if (rp->p < rp->end && *rp->p == '{') {
			rp->p++;
			int k = 0;
			while (rp->p < rp->end && mamori_hex_digit(*rp->p) >= 0 && k < 8) {
				v = v * 16 + (unsigned)mamori_hex_digit(*rp->p++);
				k++;
			}
			if (rp->p >= rp->end || *rp->p != '}' || v > 255) {
				rp->fail = true;
				return -1;
			}
			rp->p++;
			return (int)v;
		}
		for (int k = 0; k < 2 && rp->p < rp->end && mamori_hex_digit(*rp->p) >= 0; k++)
			v = v * 16 + (unsigned)mamori_hex_digit(*rp->p++);
		return (int)v;
	}
	case '0': {
		unsigned v = 0;
		rp->p++;
		for (int k = 0; k < 2 && rp->p < rp->end && *rp->p >= '0' && *rp->p <= '7'; k++)
			v = v * 8 + (unsigned)(*rp->p++ - '0');
		return (int)(v & 255);
	}
	case 'c':
		if (rp->p + 1 < rp->end) {
			unsigned char c = rp->p[1];
			rp->p += 2;
			if (c >= 'a' && c <= 'z')
				c = (unsigned char)(c - 32);
			return c ^ 0x40;
		}
		rp->fail = true;
		return -1;
	default:
		if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))
			return -1; /* something else: the caller decides */
		rp->p++;
		return e; /* an escaped punctuation character is itself */
	}
}

static fres from_bset(rparse *rp, const bset *b)
{
	int count = 0;
	bset f = {{0}};
	for (unsigned c = 0; c < 256; c++)
		if (bs_has(b, c))
			bs_add(&f, fold(rp, (unsigned char)c));
	for (unsigned c = 0; c < 256; c++)
		count += bs_has(&f, c);
	if (count == 0 || count > LF_MAX_CLASS)
		return res_top();
	lset e = set_new(count);
	int k = 0;
	for (unsigned c = 0; c < 256; c++) {
		if (bs_has(&f, c)) {
			e.v[k].len = 1;
			e.v[k].s[0] = (unsigned char)c;
			k++;
		}
	}
	return res_prefix(e, rp->caseless);
}

static fres parse_class(rparse *rp)
{
	/* rp->p just after '[' */
	bset b = {{0}};
	bool neg = false;
	if (rp->p < rp->end && *rp->p == '^') {
		neg = true;
		rp->p++;
	}
	bool first = true;
	while (rp->p < rp->end && (*rp->p != ']' || first)) {
		first = false;
		int lo;
		if (*rp->p == '[' && rp->p + 1 < rp->end && rp->p[1] == ':') {
			/* POSIX classes: large, so "anything" is close enough */
			const unsigned char *close = rp->p + 2;
			while (close + 1 < rp->end && !(close[0] == ':' && close[1] == ']'))
				close++;
			if (close + 1 >= rp->end) {
				rp->fail = true;
				return res_top();
			}
			rp->p = close + 2;
			bs_range(&b, 0, 255);
			continue;
		}
		if (*rp->p == '\\' && rp->p + 1 < rp->end) {
			rp->p++;
			if (class_escape(*rp->p, &b)) {
				rp->p++;
				continue;
			}
			if (*rp->p == 'b') {
				rp->p++;
				lo = '\b';
			} else {
				lo = byte_escape(rp);
				if (lo < 0) {
					rp->fail = true;
					return res_top();
				}
			}
		} else {
			lo = *rp->p++;
		}
		int hi = lo;
		if (rp->p + 1 < rp->end && *rp->p == '-' && rp->p[1] != ']') {
			rp->p++;
			if (*rp->p == '\\' && rp->p + 1 < rp->end) {
				rp->p++;
				hi = byte_escape(rp);
				if (hi < 0) {
					rp->fail = true;
					return res_top();
				}
			} else {
				hi = *rp->p++;
			}
			if (hi < lo) {
				rp->fail = true;
				return res_top();
			}
		}
		bs_range(&b, (unsigned)lo, (unsigned)hi);
		if (rp->caseless) {
			for (int c = lo; c <= hi; c++) {
				if (c >= 'a' && c <= 'z')
					bs_add(&b, (unsigned)(c - 32));
				if (c >= 'A' && c <= 'Z')
					bs_add(&b, (unsigned)(c + 32));
			}
		}
	}
	if (rp->p >= rp->end) {
		rp->fail = true;
		return res_top();
	}
	rp->p++; /* ']' */
	if (neg)
		for (int i = 0; i < 4; i++)
			b.w[i] = ~b.w[i];
	return from_bset(rp, &b);
}

static fres parse_alt(rparse *rp);

/* (?...) flags: returns true when the group was only a flag setting. */
static bool inline_flags(rparse *rp, bool *scoped)
{
	bool on = true;
	*scoped = false;
	while (rp->p < rp->end) {
		unsigned char c = *rp->p;
		if (c == ')') {
			rp->p++;
			return true;
		}
		if (c == ':') {
			rp->p++;
			*scoped = true;
			return true;
		}
		if (c == '-')
			on = false;
		else if (c == 'i') {
			if (on) {
				rp->caseless = true;
				rp->saw_caseless = true;
			}
		} else if (c == 'm') {
			rp->saw_multiline |= on;
			/* (?-i) turns it off; staying caseless only widens the factor */
		} else if (c == 'x' || c == 'n' || c == 'J' || c == 'U') {
			rp->fail = true; /* extended syntax and the like: not read here */
			return false;
		} else if (c != 's') {
			rp->fail = true;
			return false;
		}
		rp->p++;
	}
	rp->fail = true;
	return false;
}

static fres parse_group(rparse *rp)
{
	/* rp->p just after '(' */
	bool zero = false;
	if (rp->p < rp->end && *rp->p == '*') {
		rp->fail = true; /* (*VERB) */
		return res_top();
	}
	if (rp->p < rp->end && *rp->p == '?') {
		rp->p++;
		unsigned char c = rp->p < rp->end ? *rp->p : 0;
		if (c == ':' || c == '>' || c == '|') {
			rp->p++;
		} else if (c == '=' || c == '!') {
			rp->p++;
			zero = true;
		} else if (c == '<' && rp->p + 1 < rp->end && (rp->p[1] == '=' || rp->p[1] == '!')) {
			rp->p += 2;
			zero = true;
		} else if (c == '<' || c == '\'' || (c == 'P' && rp->p + 1 < rp->end && rp->p[1] == '<')) {
			unsigned char close = c == '\'' ? '\'' : '>';
			while (rp->p < rp->end && *rp->p != close)
				rp->p++;
			if (rp->p >= rp->end) {
				rp->fail = true;
				return res_top();
			}
			rp->p++;
		} else if (c == '#') {
			while (rp->p < rp->end && *rp->p != ')')
				rp->p++;
			if (rp->p < rp->end)
				rp->p++;
			return res_zero_width();
		} else {
			bool saved = rp->caseless, scoped;
			if (!inline_flags(rp, &scoped))
				return res_top();
			if (!scoped)
				return res_zero_width(); /* (?i): applies to the rest */
			fres r = parse_alt(rp);
			rp->caseless = saved || rp->caseless;
			if (rp->p >= rp->end || *rp->p != ')') {
				rp->fail = true;
				res_free(&r);
				return res_top();
			}
			rp->p++;
			return r;
		}
	}
	fres r = parse_alt(rp);
	if (rp->p >= rp->end || *rp->p != ')') {
		rp->fail = true;
		res_free(&r);
		return res_top();
	}
	rp->p++;
	if (zero) {
		res_free(&r);
		return res_zero_width();
	}
	return r;
}

static fres parse_atom(rparse *rp)
{
	unsigned char c = *rp->p++;
	switch (c) {
	case '(':
		if (++rp->depth > LF_MAX_DEPTH) {
			rp->fail = true;
			return res_top();
		}
		{
			fres r = parse_group(rp);
			rp->depth--;
			return r;
		}
	case '[':
		return parse_class(rp);
	case '.':
		return res_top();
	case '^':
		return res_anchor();
	case '$':
		return res_zero_width();
	case '\\': {
		if (rp->p >= rp->end) {
			rp->fail = true;
			return res_top();
		}
		unsigned char e = *rp->p;
		bset b = {{0}};
		if (class_escape(e, &b)) {
			rp->p++;
			return from_bset(rp, &b);
		}
		if (e == 'A') {
			rp->p++;
			return res_anchor();
		}
		if (strchr("bBzZGK", e)) {
			rp->p++;
			return res_zero_width();
		}
		if (e == 'Q') {
			rp->p++;
			const unsigned char *q = rp->p;
			while (q + 1 < rp->end && !(q[0] == '\\' && q[1] == 'E'))
				q++;
			const unsigned char *stop = q + 1 < rp->end ? q : rp->end;
			lset acc = set_empty_string();
			for (const unsigned char *x = rp->p; x < stop; x++) {
				lset one = set_new(1);
				one.v[0].len = 1;
				one.v[0].s[0] = fold(rp, *x);
				lset nx = set_product(&acc, &one);
				set_free(&one);
				set_free(&acc);
				acc = nx;
			}
			rp->p = stop < rp->end ? stop + 2 : rp->end;
			/* a quantifier after \E repeats only the last quoted byte:
			 * not worth reading */
			if (rp->p < rp->end && strchr("*+?{", *rp->p))
				rp->fail = true;
			return acc.n < 0 ? res_top() : res_prefix(acc, rp->caseless);
		}
		if (e == 'E') {
			rp->p++;
			return res_zero_width();
		}
		if ((e >= '1' && e <= '9') || e == 'g' || e == 'k' || e == 'p' || e == 'P' || e == 'X' ||
		    e == 'C' || e == 'R') {
			/* back references, properties, grapheme clusters: unknown text.
			 * Consume the reference's syntax conservatively. */
			rp->p++;
			if (rp->p < rp->end && (*rp->p == '{' || *rp->p == '<' || *rp->p == '\'')) {
				unsigned char close = *rp->p == '{' ? '}' : *rp->p == '<' ? '>' : '\'';
				while (rp->p < rp->end && *rp->p != close)
					rp->p++;
				if (rp->p < rp->end)
					rp->p++;
			} else {
				while (rp->p < rp->end && *rp->p >= '0' && *rp->p <= '9')
					rp->p++;
			}
			return res_top();
		}
		int v = byte_escape(rp);
		if (v < 0) {
			rp->fail = true;
			return res_top();
		}
		return res_byte(rp, (unsigned char)v);
	}
	default:
		return res_byte(rp, c);
	}
}

/* {n}, {n,}, {n,m}: true with the bounds when the text is a quantifier. */
static bool read_braces(rparse *rp, unsigned *lo, unsigned *hi)
{
	const unsigned char *q = rp->p + 1;
	unsigned a = 0, b;
	int digits = 0;
	while (q < rp->end && *q >= '0' && *q <= '9' && digits < 6) {
		a = a * 10 + (unsigned)(*q++ - '0');
		digits++;
	}
	if (q < rp->end && *q == ',' && digits == 0) {
		rp->fail = true; /* "{,n}": its meaning depends on the PCRE2 version */
		return false;
	}
	if (!digits)
		return false;
	b = a;
	if (q < rp->end && *q == ',') {
		q++;
		b = UINT32_MAX;
		int d2 = 0;
		unsigned v = 0;
		while (q < rp->end && *q >= '0' && *q <= '9' && d2 < 6) {
			v = v * 10 + (unsigned)(*q++ - '0');
			d2++;
		}
		if (d2)
			b = v;
	}
	if (q >= rp->end || *q != '}')
		return false;
	rp->p = q + 1;
	*lo = a;
	*hi = b;
	return true;
}

/* a^k, cut to open strings when it grows too large. */
static lset set_power(const lset *a, unsigned k)
{
	lset acc = set_copy(a);
	for (unsigned i = 1; i < k && acc.n >= 0 && !all_open(&acc); i++) {
		lset nx = set_product(&acc, a);
		if (nx.n < 0) {
			set_open(&acc);
			break;
		}
		set_free(&acc);
		acc = nx;
	}
	return acc;
}

static fres quantify(rparse *rp, fres r, unsigned lo, unsigned hi)
{
	if (lo == 1 && hi == 1)
		return r;
	fres q = res_top();
	if (lo >= 1) {
		/* the atom occurs at least once: its factor stands, and a match
		 * begins with lo of its prefixes (open when more may follow) */
		q.factor = r.factor;
		q.cost = r.cost;
		r.factor = set_top();
		q.all = r.all; /* the atom's first occurrence holds its conjunction */
		r.all = (conj){0};
		if (r.prefix.n >= 0) {
			q.prefix = set_power(&r.prefix, lo < 8 ? lo : 8);
			if (hi != lo || lo > 8)
				set_open(&q.prefix);
			if (q.prefix.n >= 0)
				offer(&q, set_copy(&q.prefix), rp->caseless);
		}
		if (q.all.n == 0)
			q.all = conj_one(&q.factor, rp->caseless);
	} else if (r.prefix.n >= 0) {
		/* maybe absent: the empty string, or the atom's prefixes (open
		 * when it may repeat) */
		lset e = set_empty_string();
		lset p = set_copy(&r.prefix);
		if (hi > 1)
			set_open(&p);
		q.prefix = set_union(&e, &p);
		set_free(&e);
		set_free(&p);
	}
	res_free(&r);
	return q;
}

/* A candidate member of a conjunction; a and b: which members of two
 * conjunctions it unites (conj_or). */
typedef struct cand {
	lset set;
	double cost;
	int a, b;
} cand;

static void pool_add(cand **pool, size_t *n, size_t *cap, lset set, double cost)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*pool = mamori_xrealloc(*pool, *cap * sizeof **pool);
	}
	(*pool)[(*n)++] = (cand){set, cost, 0, 0};
}

static int cand_cmp(const void *x, const void *y)
{
	const cand *a = x, *b = y;
	return a->cost < b->cost ? -1 : a->cost > b->cost;
}

/* The same strings ("(" twice in "\(\s*\)\s*\(") say nothing new. */
static bool set_equal(const lset *a, const lset *b)
{
	if (a->n != b->n || a->n < 0)
		return false;
	for (int i = 0; i < a->n; i++)
		if (a->v[i].len != b->v[i].len || memcmp(a->v[i].s, b->v[i].s, a->v[i].len) != 0)
			return false;
	return true;
}

/* The cheapest members, each set of strings once; frees the pool. */
static conj pool_choose(cand *pool, size_t n)
{
	conj c = {0};
	if (n)
		qsort(pool, n, sizeof *pool, cand_cmp);
	for (size_t i = 0; i < n; i++) {
		bool ok = c.n < LF_MAX_AND && pool[i].cost < INFINITY && pool[i].set.n > 0;
		for (int k = 0; ok && k < c.n; k++)
			ok = !set_equal(&pool[i].set, &c.set[k]);
		if (ok) {
			c.set[c.n] = pool[i].set;
			c.cost[c.n] = pool[i].cost;
			c.n++;
			pool[i].set = set_top();
		}
	}
	for (size_t i = 0; i < n; i++)
		set_free(&pool[i].set);
	free(pool);
	return c;
}

/* (A1 and A2) or (B1 and B2) implies (A1 or B1) and (A2 or B2): members
 * paired cheapest first, each used once. */
static conj conj_or(const conj *a, const conj *b, bool caseless)
{
	conj c = {0};
	if (!a->n || !b->n)
		return c;
	if (a->n == 1 && b->n == 1) {
		/* nothing to choose: the cost is worked out when it is ranked */
		if (a->set[0].n + b->set[0].n > LF_MAX_BYTE_SET)
			return c;
		lset u = set_union(&a->set[0], &b->set[0]);
		if (u.n <= 0) {
			set_free(&u);
			return c;
		}
		c.set[0] = u;
		c.cost[0] = -1;
		c.n = 1;
		return c;
	}
	cand pairs[LF_MAX_AND * LF_MAX_AND];
	int np = 0;
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++) {
			if (a->set[i].n + b->set[j].n > LF_MAX_BYTE_SET)
				continue; /* too many strings to share rare bytes */
			lset u = set_union(&a->set[i], &b->set[j]);
			if (u.n <= 0) {
				set_free(&u);
				continue;
			}
			pairs[np++] = (cand){u, bytes_cost(&u, caseless), i, j};
		}
	qsort(pairs, (size_t)np, sizeof *pairs, cand_cmp);
	bool used_a[LF_MAX_AND] = {0}, used_b[LF_MAX_AND] = {0};
	for (int k = 0; k < np; k++) {
		if (c.n < LF_MAX_AND && pairs[k].cost < INFINITY && !used_a[pairs[k].a] &&
		    !used_b[pairs[k].b]) {
			used_a[pairs[k].a] = used_b[pairs[k].b] = true;
			c.set[c.n] = pairs[k].set;
			c.cost[c.n] = pairs[k].cost;
			c.n++;
		} else {
			set_free(&pairs[k].set);
		}
	}
	return c;
}

/* A concatenation: its items' factors, and products of neighbouring
 * prefix sets, compete; its own prefix set is the product of all (cut to
 * open strings where it stops being small). */
static fres parse_seq(rparse *rp)
{
	fres *items = NULL;
	size_t n = 0, cap = 0;
	while (rp->p < rp->end && *rp->p != '|' && *rp->p != ')' && !rp->fail) {
		fres a = parse_atom(rp);
		/* quantifier */
		while (rp->p < rp->end && !rp->fail) {
			unsigned lo, hi;
			unsigned char c = *rp->p;
			if (c == '*') {
				rp->p++;
				lo = 0, hi = UINT32_MAX;
			} else if (c == '+') {
				rp->p++;
				lo = 1, hi = UINT32_MAX;
			} else if (c == '?') {
				rp->p++;
				lo = 0, hi = 1;
			} else if (c == '{' && read_braces(rp, &lo, &hi)) {
				/* bounds read */
			} else {
				break;
			}
			if (rp->p < rp->end && (*rp->p == '?' || *rp->p == '+'))
				rp->p++; /* lazy or possessive: same language */
			a = quantify(rp, a, lo, hi);
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			items = mamori_xrealloc(items, cap * sizeof *items);
		}
		items[n++] = a;
	}
	fres r = res_top();
	if (n == 0) {
		free(items);
		return res_zero_width();
	}
	/* the conjunction: the items' own conjunctions compete (a product of
	 * neighbours holds no rarer byte than its items) */
	cand *pool = NULL;
	size_t pn = 0, pcap = 0;
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < items[i].all.n; k++) {
			double c = items[i].all.cost[k];
			if (c < 0)
				c = bytes_cost(&items[i].all.set[k], rp->caseless);
			pool_add(&pool, &pn, &pcap, set_copy(&items[i].all.set[k]), c);
		}
	r.all = pool_choose(pool, pn);
	/* the best single item */
	for (size_t i = 0; i < n; i++) {
		if (items[i].cost < r.cost) {
			set_free(&r.factor);
			r.factor = set_copy(&items[i].factor);
			r.cost = items[i].cost;
		}
	}
	/* products from each item on: a match of the rest begins with one */
	for (size_t i = 0; i < n; i++) {
		if (items[i].prefix.n < 0)
			continue;
		lset acc = set_copy(&items[i].prefix);
		for (size_t j = i + 1; j < n && items[j].prefix.n >= 0 && !all_open(&acc); j++) {
			lset nx = set_product(&acc, &items[j].prefix);
			if (nx.n < 0)
				break;
			set_free(&acc);
			acc = nx;
			offer(&r, set_copy(&acc), rp->caseless);
		}
		set_free(&acc);
	}
	/* the prefix set of the whole */
	lset all = set_empty_string();
	for (size_t i = 0; i < n && !all_open(&all); i++) {
		lset nx = set_product(&all, &items[i].prefix);
		if (nx.n < 0) {
			set_open(&all); /* what follows is not tracked */
			break;
		}
		set_free(&all);
		all = nx;
	}
	r.prefix = all;
	/* anchored: an item pins the start (after zero-width ones), the rest
	 * follows it */
	size_t f = 0;
	while (f + 1 < n && items[f].anch.n < 0 && items[f].prefix.n == 1 &&
	       items[f].prefix.v[0].len == 0 && !items[f].prefix.v[0].open)
		f++;
	if (items[f].anch.n >= 0) {
		lset acc = set_copy(&items[f].anch);
		for (size_t i = f + 1; i < n && !all_open(&acc); i++) {
			lset nx = set_product(&acc, &items[i].prefix);
			if (nx.n < 0) {
				set_open(&acc);
				break;
			}
			set_free(&acc);
			acc = nx;
		}
		r.anch = acc;
	}
	for (size_t i = 0; i < n; i++)
		res_free(&items[i]);
	free(items);
	return r;
}

static fres parse_alt(rparse *rp)
{
	fres r = parse_seq(rp);
	bool alt = false;
	while (rp->p < rp->end && *rp->p == '|' && !rp->fail) {
		rp->p++;
		alt = true;
		fres b = parse_seq(rp);
		fres u = res_top();
		u.prefix = set_union(&r.prefix, &b.prefix);
		u.anch = set_union(&r.anch, &b.anch);
		if (r.factor.n > 0 && b.factor.n > 0)
			u.factor = set_union(&r.factor, &b.factor);
		u.all = conj_or(&r.all, &b.all, rp->caseless);
		res_free(&r);
		res_free(&b);
		r = u;
	}
	if (alt && r.factor.n > 0) {
		/* every branch has a factor: their union is one */
		set_minimize(&r.factor);
		r.cost = set_cost(&r.factor, rp->caseless);
	}
	return r;
}

/* False when the regex uses something this reader does not know. */
static bool analyse(const char *re, bool caseless, fres *out, bool *ci)
{
	rparse rp = {(const unsigned char *)re, (const unsigned char *)re + strlen(re), caseless,
		     false, false, false, 0};
	fres r = parse_alt(&rp);
	if (rp.fail || rp.p != rp.end) {
		res_free(&r);
		return false;
	}
	if (rp.saw_multiline)
		set_free(&r.anch); /* ^ also matches after newlines */
	if (rp.saw_caseless && !caseless) {
		/* a case-insensitive part: read it all again case-insensitively */
		res_free(&r);
		return analyse(re, true, out, ci);
	}
	*out = r;
	*ci = caseless;
	return true;
}

/* A start-anchored factor is checked once per value, not at every byte:
 * its odds are divided by a typical value length. */
#define LF_ANCHORED_DIV 32.0

/* The factor of an analysed regex (see waf_regex_factor). */
static bool factor_of(fres *r, bool ci, double max_cost, waf_factor *out)
{
	const lset *best = &r->factor;
	double cost = r->cost;
	if (r->anch.n > 0 && !has_empty(&r->anch)) {
		set_minimize_as(&r->anch, true);
		double ac = set_cost(&r->anch, ci) / LF_ANCHORED_DIV;
		if (ac < cost) {
			best = &r->anch;
			cost = ac;
			out->anchored = true;
		}
	}
	out->cost = cost;
	if (!(cost <= max_cost) || best->n <= 0) {
		out->anchored = false;
		return false;
	}
	out->count = (size_t)best->n;
	out->lits = mamori_xcalloc(out->count, sizeof *out->lits);
	out->lens = mamori_xcalloc(out->count, sizeof *out->lens);
	for (size_t i = 0; i < out->count; i++) {
		out->lits[i] = mamori_xmalloc(best->v[i].len + 1u);
		memcpy(out->lits[i], best->v[i].s, best->v[i].len);
		out->lits[i][best->v[i].len] = 0;
		out->lens[i] = best->v[i].len;
	}
	out->caseless = ci;
	return true;
}

/* The byte sets of an analysed regex (see waf_regex_analyse). */
static size_t required_of(const fres *r, bool ci, uint64_t (*req)[4], size_t max)
{
	size_t k = 0;
	for (int i = 0; i < r->all.n && k < max; i++) {
		if (r->all.set[i].n <= 0 || has_empty(&r->all.set[i]))
			continue;
		if (bytes_cost(&r->all.set[i], ci) > LF_REQ_MAX_FREQ)
			continue;
		byte_set_of(&r->all.set[i], ci, req[k]);
		bool dup = false;
		for (size_t d = 0; d < k && !dup; d++)
			dup = !memcmp(req[d], req[k], sizeof req[k]);
		k += !dup;
	}
	return k;
}

bool waf_regex_analyse(const char *re, bool caseless, double max_cost, waf_factor *fac,
		       uint64_t (*req)[4], size_t max_req, size_t *req_count)
{
	fres r;
	bool ci = caseless;
	memset(fac, 0, sizeof *fac);
	fac->cost = INFINITY;
	*req_count = 0;
	if (!analyse(re, caseless, &r, &ci))
		return false;
	bool ok = factor_of(&r, ci, max_cost, fac);
	*req_count = required_of(&r, ci, req, max_req);
	res_free(&r);
	return ok;
}

bool waf_regex_factor(const char *re, bool caseless, double max_cost, waf_factor *out)
{
	uint64_t req[1][4];
	size_t n;
	return waf_regex_analyse(re, caseless, max_cost, out, req, 0, &n);
}


void waf_factor_free(waf_factor *f)
{
	for (size_t i = 0; i < f->count; i++)
		free(f->lits[i]);
	free(f->lits);
	free(f->lens);
	memset(f, 0, sizeof *f);
}
