/*
 * fuzz_waf_regex_trie — the trie rewrite of word alternations
 * (src/waf/regex_trie.c) against PCRE2 itself: whenever the original
 * pattern compiles and the rewrite is taken, both must give the same verdict
 * and the same match span on the subject.  Input: one flags byte (bit 0:
 * caseless), the pattern up to the first NUL, the subject after it.
 */
#include "waf/waf_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(pcre2_code *code, const uint8_t *s, size_t n, pcre2_match_context *mc,
	       PCRE2_SIZE span[2])
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc = pcre2_match(code, s, n, 0, 0, md, mc);
	if (rc >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
		span[0] = ov[0];
		span[1] = ov[1];
	}
	pcre2_match_data_free(md);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	bool caseless = data[0] & 1;
	const uint8_t *pat = data + 1;
	const uint8_t *nul = memchr(pat, 0, size - 1);
	size_t plen = nul ? (size_t)(nul - pat) : size - 1;
	if (plen > 512)
		return 0;
	char *re = malloc(plen + 1);
	memcpy(re, pat, plen);
	re[plen] = 0;
	const uint8_t *subj = nul ? nul + 1 : data + size;
	size_t slen = (size_t)(data + size - subj);
	uint32_t opts = caseless ? PCRE2_CASELESS : 0;
	int ec;
	PCRE2_SIZE off;
	pcre2_code *a = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, opts, &ec, &off, NULL);
	char *t = a ? waf_regex_trie(re, caseless) : NULL;
	pcre2_code *b = t ? pcre2_compile((PCRE2_SPTR)t, PCRE2_ZERO_TERMINATED, opts, &ec, &off, NULL)
			  : NULL;
	if (b) {
		pcre2_match_context *mc = pcre2_match_context_create(NULL);
		pcre2_set_match_limit(mc, 20000);
		pcre2_set_depth_limit(mc, 500);
		PCRE2_SIZE sa[2] = {0, 0}, sb[2] = {0, 0};
		int ra = run(a, subj, slen, mc, sa);
		int rb = run(b, subj, slen, mc, sb);
		bool limited = ra < PCRE2_ERROR_NOMATCH || rb < PCRE2_ERROR_NOMATCH;
		if (!limited && ((ra >= 0) != (rb >= 0) || (ra >= 0 && (sa[0] != sb[0] || sa[1] != sb[1]))))
			abort();
		pcre2_match_context_free(mc);
	}
	pcre2_code_free(a);
	pcre2_code_free(b);
	free(t);
	free(re);
	return 0;
}
