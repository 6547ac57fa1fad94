/*
 * The literal factors of regexes (src/waf/regex_factor.c) and the prefilter
 * built on them.  The property that matters: a factor is never wrong — a
 * string a regex matches (PCRE2 decides) always contains one of its factor's
 * strings (or starts with one, when anchored).  Checked on crafted regexes
 * and on thousands of random ones from a grammar covering what the reader
 * handles (classes, escapes, groups, alternations, every quantifier, anchors,
 * lookarounds, inline flags), against random strings over a small alphabet so
 * that matches are frequent.  Then the prefilter end to end: a WebACL whose
 * ByteMatch literals share one Vectorscan database still finds "%00" late in
 * a value (Vectorscan 5.4.9's AVX-512 literal matcher misses it).
 */
#include "mamori/waf.h"
#include "testutil.h"
#include "waf/waf_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>

/* Deterministic pseudo-random numbers (xorshift). */
static unsigned rnd(unsigned long long *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return (unsigned)(*st >> 11);
}

static bool has_factor(const waf_factor *f, const char *s, size_t n)
{
	for (size_t i = 0; i < f->count; i++) {
		size_t l = f->lens[i];
		for (size_t at = 0; at + l <= n; at++) {
			bool eq = f->caseless ? strncasecmp(s + at, f->lits[i], l) == 0
					      : memcmp(s + at, f->lits[i], l) == 0;
			if (eq)
				return true;
			if (f->anchored)
				break;
		}
	}
	return false;
}

static size_t required_sets; /* byte sets checked by check_regex() */

/* Every string the regex matches holds the factor and a byte of each
 * required set; returns the matches seen. */
static int check_regex(const char *re, const char *const *subjects, size_t ns)
{
	int ec;
	PCRE2_SIZE off;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
	if (!code)
		return 0; /* not a regex PCRE2 takes: nothing to check */
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	waf_factor f;
	uint64_t req[3][4];
	size_t nreq;
	bool have = waf_regex_analyse(re, false, 1e9, &f, req, 3, &nreq);
	required_sets += nreq;
	int matches = 0;
	for (size_t i = 0; i < ns; i++) {
		size_t n = strlen(subjects[i]);
		if (pcre2_match(code, (PCRE2_SPTR)subjects[i], n, 0, 0, md, NULL) < 0)
			continue;
		matches++;
		/* every required byte set has a byte in the subject */
		for (size_t r = 0; r < nreq; r++) {
			bool found = false;
			for (size_t k = 0; k < n && !found; k++) {
				unsigned char c = (unsigned char)subjects[i][k];
				found = (req[r][c >> 6] >> (c & 63)) & 1;
			}
			if (!found)
				fail_msg("/%s/ matches \"%s\" without a byte of its required set %zu", re,
					 subjects[i], r);
		}
		if (have && !has_factor(&f, subjects[i], n)) {
			mamori_buf b = MAMORI_BUF_INIT;
			for (size_t k = 0; k < f.count; k++)
				mamori_buf_printf(&b, "[%s]", f.lits[k]);
			fail_msg("/%s/ matches \"%s\" but the factor %s%s is not in it", re, subjects[i],
				 f.anchored ? "^" : "", b.data);
		}
	}
	if (have)
		waf_factor_free(&f);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return matches;
}

static void crafted(void **state)
{
	(void)state;
	/* a regex, a string it matches, and prose its factor rules out */
	struct {
		const char *re, *match, *prose;
	} cases[] = {
		{"\\bid_[rd]sa\\b", "cat ~/.ssh/id_dsa", "my identity is safe"},
		{"etc\\W{1,8}passwd", "../../etc/passwd", "etc. and so on"},
		{"(?i)union\\s+select", "1 UNION  SELECT 2", "the union of two sets"},
		{"^(?:GET|HEAD)$", "HEAD", "we GET it"},
		{"(?:cat|head)\\s+/", "cat /etc/x", "a category of things"},
		{"(?:x|\\w+)y", "boy", "the cat sat"},
		{"\\Qa.b\\E", "xa.by", "a b"},
		{"[\\xc0\\xc1][\\x80-\\xbf]", "x\xc0\xaex", "caf\xc3\xa9"},
		{"(?:^|/)\\.\\.(?:/|$)", "a/../b", "e.g. this, i.e. that"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		waf_factor f;
		if (!waf_regex_factor(cases[i].re, false, 1e9, &f))
			fail_msg("no factor for /%s/", cases[i].re);
		assert_int_equal(check_regex(cases[i].re, &cases[i].match, 1), 1);
		if (has_factor(&f, cases[i].prose, strlen(cases[i].prose)))
			fail_msg("the factor of /%s/ lets \"%s\" through", cases[i].re, cases[i].prose);
		waf_factor_free(&f);
	}
	/* no factor rather than a useless or wrong one */
	static const char *const none[] = {"a?", "^(?!foo)", "(?x) a b", "\\Qab\\E+", "x|.*"};
	for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
		waf_factor f;
		if (waf_regex_factor(none[i], false, 1e9, &f))
			fail_msg("/%s/ has a factor", none[i]);
	}
	waf_factor f;
	assert_false(waf_regex_factor("\\bid_rsa\\b", false, 1e-30, &f)); /* over the cost cap */
}

/* A random regex from the grammar, at most depth levels deep. */
static void gen(mamori_buf *b, unsigned long long *st, int depth)
{
	static const char *const atoms[] = {
		"a", "b", "c", "ab", "ba", "/", ".", "\\.", "[ab]", "[^a]", "[a-c]", "\\s", "\\w",
		"\\d", "\\W", "\\b", "^", "$", "\\x61", " ", "A", "\\n", "[/.]", "\\Qa.\\E",
	};
	int items = 1 + (int)(rnd(st) % 4);
	for (int i = 0; i < items; i++) {
		unsigned k = rnd(st) % 10;
		if (depth > 0 && k < 2) {
			static const char *const open[] = {"(?:", "(", "(?=", "(?!", "(?i:", "(?<=a)("};
			mamori_buf_puts(b, open[rnd(st) % 6]);
			gen(b, st, depth - 1);
			if (rnd(st) % 2) {
				mamori_buf_putc(b, '|');
				gen(b, st, depth - 1);
			}
			mamori_buf_putc(b, ')');
		} else {
			mamori_buf_puts(b, atoms[rnd(st) % (sizeof atoms / sizeof *atoms)]);
		}
		static const char *const quant[] = {"", "", "", "?", "*", "+", "{2}", "{1,3}", "{0,2}",
						    "+?", "{2,}"};
		mamori_buf_puts(b, quant[rnd(st) % (sizeof quant / sizeof *quant)]);
	}
	if (depth > 0 && rnd(st) % 4 == 0) {
		mamori_buf_putc(b, '|');
		gen(b, st, depth - 1);
	}
}

static void random_regexes(void **state)
{
	(void)state;
	unsigned long long st = 0x9E3779B97F4A7C15ull;
	enum { NS = 300 };
	static char subj[NS][16];
	const char *subjects[NS];
	static const char alpha[] = "abcAB /.1\n_";
	for (int i = 0; i < NS; i++) {
		int n = (int)(rnd(&st) % 12);
		for (int k = 0; k < n; k++)
			subj[i][k] = alpha[rnd(&st) % (sizeof alpha - 1)];
		subj[i][n] = 0;
		subjects[i] = subj[i];
	}
	long matches = 0;
	for (int r = 0; r < 3000; r++) {
		mamori_buf b = MAMORI_BUF_INIT;
		if (rnd(&st) % 8 == 0)
			mamori_buf_puts(&b, "(?i)");
		gen(&b, &st, 2);
		matches += check_regex(b.data, subjects, NS);
		mamori_buf_free(&b);
	}
	/* the test means something only if regexes matched a lot */
	assert_true(matches > 20000);
	print_message("%zu required byte sets checked\n", required_sets);
	assert_true(required_sets > 500);
}

/* An evaluator for a WebACL; free with done(). */
typedef struct fixture {
	mamori_ctx *ctx;
	mamori_waf_acl *acl;
	mamori_waf_eval *ev;
} fixture;

static fixture setup_acl(const char *acl_json)
{
	fixture f = {mamori_ctx_new(), NULL, NULL};
	assert_int_equal(mamori_waf_acl_compile(f.ctx, "t.json", acl_json, strlen(acl_json), NULL, &f.acl),
			 MAMORI_OK);
	f.ev = mamori_waf_eval_new(f.acl);
	return f;
}

static void done(fixture *f)
{
	mamori_waf_eval_free(f->ev);
	mamori_waf_acl_free(f->acl);
	mamori_ctx_free(f->ctx);
}

/* ByteMatch literals of one field share a literal database: a match late in
 * a long value must still be found. */
static void literal_late_in_value(void **state)
{
	(void)state;
	const char *acl_json =
		"{\"Name\":\"t\",\"DefaultAction\":{\"Allow\":{}},\"Rules\":["
		"{\"Name\":\"nul\",\"Priority\":1,\"Action\":{\"Block\":{}},\"Statement\":{\"OrStatement\":"
		"{\"Statements\":["
		"{\"ByteMatchStatement\":{\"SearchString\":\"%00\",\"FieldToMatch\":{\"QueryString\":{}},"
		"\"PositionalConstraint\":\"CONTAINS\",\"TextTransformations\":[{\"Priority\":0,"
		"\"Type\":\"NONE\"}]}},"
		"{\"ByteMatchStatement\":{\"SearchString\":\"%uFF\",\"FieldToMatch\":{\"QueryString\":{}},"
		"\"PositionalConstraint\":\"CONTAINS\",\"TextTransformations\":[{\"Priority\":0,"
		"\"Type\":\"NONE\"}]}}]}},"
		"\"VisibilityConfig\":{\"SampledRequestsEnabled\":false,"
		"\"CloudWatchMetricsEnabled\":false,\"MetricName\":\"nul\"}}]}";
	fixture f = setup_acl(acl_json);
	char uri[400];
	for (size_t n = 0; n < 300; n += 7) {
		memcpy(uri, "/?q=", 4);
		memset(uri + 4, 'a', n);
		memcpy(uri + 4 + n, "%00", 4);
		mamori_waf_request rq = {.client_ip = "192.0.2.1", .method = "GET", .uri = uri};
		mamori_waf_result res;
		mamori_waf_evaluate(f.ev, &rq, &res);
		if (res.action != MAMORI_WAF_BLOCK)
			fail_msg("%%00 after %zu bytes was not found", n);
	}
	done(&f);
}

/* Values of a multi-valued field are scanned joined: a literal found in one
 * value must still be credited to every later value holding it (the first
 * header here has the factor "zzq" without a match, the second matches). */
static void literal_in_a_later_value(void **state)
{
	(void)state;
	const char *acl_json =
		"{\"Name\":\"t\",\"DefaultAction\":{\"Allow\":{}},\"Rules\":["
		"{\"Name\":\"r\",\"Priority\":1,\"Action\":{\"Block\":{}},\"Statement\":"
		"{\"RegexMatchStatement\":{\"RegexString\":\"zzq[0-9]\",\"FieldToMatch\":{\"Headers\":"
		"{\"MatchPattern\":{\"All\":{}},\"MatchScope\":\"VALUE\",\"OversizeHandling\":\"CONTINUE\"}},"
		"\"TextTransformations\":[{\"Priority\":0,\"Type\":\"NONE\"}]}},"
		"\"VisibilityConfig\":{\"SampledRequestsEnabled\":false,"
		"\"CloudWatchMetricsEnabled\":false,\"MetricName\":\"r\"}}]}";
	fixture f = setup_acl(acl_json);
	for (size_t first = 0; first < 70; first += 3) {
		/* `first` headers with the literal but no match, then the match */
		mamori_waf_header h[80];
		char names[80][8];
		for (size_t i = 0; i < first; i++) {
			snprintf(names[i], sizeof names[i], "x-%zu", i);
			h[i] = (mamori_waf_header){names[i], strlen(names[i]), "zzqa zzq", 8};
		}
		h[first] = (mamori_waf_header){"x-last", 6, "a zzq7", 6};
		mamori_waf_request rq = {.client_ip = "192.0.2.1", .method = "GET", .uri = "/",
					 .headers = h, .header_count = first + 1};
		mamori_waf_result res;
		mamori_waf_evaluate(f.ev, &rq, &res);
		if (res.action != MAMORI_WAF_BLOCK)
			fail_msg("the match after %zu headers holding its literal was missed", first);
	}
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crafted),
		cmocka_unit_test(random_regexes),
		cmocka_unit_test(literal_late_in_value),
		cmocka_unit_test(literal_in_a_later_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
