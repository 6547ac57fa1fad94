/*
 * regex.c — RegexString and regex pattern sets through PCRE2 with JIT.
 *
 * Every regex is compiled once with the JIT.  Matching runs under a match
 * limit and a depth limit (and the JIT's bounded stack), so a pattern prone
 * to catastrophic backtracking costs a bounded amount of work and then
 * simply does not match: a WAF must not be a denial-of-service lever.
 */
#include "waf_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>

struct waf_regex {
	pcre2_code *code;
	bool jit;
};

waf_regex *waf_regex_compile(waf_compiler *c, const char *pattern, bool caseless, char *err,
			     size_t errlen)
{
	int ec;
	PCRE2_SIZE off;
	uint32_t opts = caseless ? PCRE2_CASELESS : 0;
	pcre2_code *code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &ec, &off,
					 NULL);
	if (!code) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(ec, msg, sizeof msg);
		snprintf(err, errlen, "invalid regex at offset %zu: %s", (size_t)off, (char *)msg);
		return NULL;
	}
	/* the same regex with its word lists as tries (regex_trie.c), when
	 * PCRE2 takes the rewrite; errors are reported against the original */
	char *trie = waf_regex_trie(pattern, caseless);
	if (trie) {
		pcre2_code *faster = pcre2_compile((PCRE2_SPTR)trie, PCRE2_ZERO_TERMINATED, opts, &ec,
						   &off, NULL);
		if (faster) {
			pcre2_code_free(code);
			code = faster;
		}
		free(trie);
	}
	waf_regex *re = mamori_arena_alloc(&c->acl->arena, sizeof *re);
	re->code = code;
	re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
	waf_acl_track_regex(c->acl, re);
	return re;
}

int waf_regex_match(mamori_waf_eval *ev, const waf_regex *re, const char *s, size_t n,
		    size_t *at, size_t *span)
{
	pcre2_match_data *md = ev->pcre_md;
	int rc = re->jit ? pcre2_jit_match(re->code, (PCRE2_SPTR)s, n, 0, 0, md, ev->pcre_mctx)
			 : pcre2_match(re->code, (PCRE2_SPTR)s, n, 0, 0, md, ev->pcre_mctx);
	if (rc < 0)
		return 0; /* no match, or a limit was hit */
	PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
	*at = ov[0];
	*span = ov[1] >= ov[0] ? ov[1] - ov[0] : 0;
	return 1;
}

void waf_regex_free(waf_regex *re)
{
	if (re)
		pcre2_code_free(re->code);
}
