/*
 * regex.c — RegexString and regex pattern sets through PCRE2 with JIT.
 *
 * Every regex is compiled once per WebACL with the JIT (the same pattern in
 * several rules is one regex), its word alternations as tries
 * (regex_trie.c).  Matching runs under a match limit and a depth limit (and
 * the JIT's bounded stack), so a pattern prone to catastrophic backtracking
 * costs a bounded amount of work and then simply does not match: a WAF must
 * not be a denial-of-service lever.  Before PCRE2 runs on a value, the value
 * must hold a byte of each set the regex's analysis says every match needs
 * (regex_factor.c): most benign values are answered by a few AND operations
 * on a byte map built once per value and request.
 */
#include "waf_internal.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAF_REGEX_REQ 3

struct waf_regex {
	pcre2_code *code;
	bool jit;
	const char *src;
	uint64_t hash; /* of src, to find it again */
	bool caseless;
	bool has_factor;
	waf_factor factor;		/* for the prefilter (regex_factor.c) */
	unsigned req_count;		/* byte sets a match needs one byte of each */
	uint64_t req[WAF_REGEX_REQ][4];
	unsigned mask_count;		/* the same sets as masks of acl->byte_bit */
	uint64_t mask[WAF_REGEX_REQ];
};

waf_regex *waf_regex_compile(waf_compiler *c, const char *pattern, bool caseless, char *err,
			     size_t errlen)
{
	/* managed groups refer to one pattern set from several rules */
	uint64_t hash = 1469598103934665603ull; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)pattern; *p; p++)
		hash = (hash ^ *p) * 1099511628211ull;
	for (size_t i = 0; i < c->acl->regex_count; i++) {
		waf_regex *r = c->acl->regexes[i];
		if (r->hash == hash && r->caseless == caseless && strcmp(r->src, pattern) == 0)
			return r;
	}
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
	re->src = mamori_arena_strdup(&c->acl->arena, pattern);
	re->hash = hash;
	re->caseless = caseless;
	size_t req_count;
	re->has_factor = waf_regex_analyse(pattern, caseless, WAF_FACTOR_MAX_COST, &re->factor, re->req,
					   WAF_REGEX_REQ, &req_count);
	re->req_count = (unsigned)req_count;
	re->mask_count = 0; /* until waf_regex_finish() */
	waf_acl_track_regex(c->acl, re);
	return re;
}

/* PCRE2 on s[0..n): 1 match (at, span), 0 none or a limit hit. */
static int regex_match(mamori_waf_eval *ev, const waf_regex *re, const char *s, size_t n,
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

void waf_regex_finish(mamori_waf_acl *acl)
{
	/* the bytes named by most sets get the 64 bits; a set with a byte left
	 * out is not checked (it could only be a superset) */
	size_t uses[256] = {0};
	for (size_t i = 0; i < acl->regex_count; i++) {
		const waf_regex *re = acl->regexes[i];
		for (unsigned r = 0; r < re->req_count; r++)
			for (unsigned c = 0; c < 256; c++)
				uses[c] += (re->req[r][c >> 6] >> (c & 63)) & 1;
	}
	memset(acl->byte_bit, 0, sizeof acl->byte_bit);
	for (unsigned bit = 0; bit < 64; bit++) {
		unsigned best = 0;
		for (unsigned c = 1; c < 256; c++)
			if (uses[c] > uses[best])
				best = c;
		if (!uses[best])
			break;
		acl->byte_bit[best] = 1ull << bit;
		uses[best] = 0;
	}
	for (size_t i = 0; i < acl->regex_count; i++) {
		waf_regex *re = acl->regexes[i];
		re->mask_count = 0;
		for (unsigned r = 0; r < re->req_count; r++) {
			uint64_t m = 0;
			bool all = true;
			for (unsigned c = 0; c < 256; c++)
				if ((re->req[r][c >> 6] >> (c & 63)) & 1) {
					m |= acl->byte_bit[c];
					all &= acl->byte_bit[c] != 0;
				}
			if (all && m)
				re->mask[re->mask_count++] = m;
		}
	}
}

/* The checked bytes value i of an input holds, found once per request:
 * one table look per byte, four lanes for the CPU to overlap. */
static uint64_t value_bytes(mamori_waf_eval *ev, int input, size_t i)
{
	waf_vals *v = &ev->inputs[input];
	if (v->bytes_gen != ev->gen) {
		v->bytes = waf_alloc(ev, v->n * sizeof *v->bytes);
		for (size_t k = 0; k < v->n; k++)
			v->bytes[k].done = false;
		v->bytes_gen = ev->gen;
	}
	waf_bytes *b = &v->bytes[i];
	if (!b->done) {
		const uint64_t *bit = ev->acl->byte_bit;
		const unsigned char *p = (const unsigned char *)v->el[i].p;
		size_t n = v->el[i].n, k = 0;
		uint64_t m0 = 0, m1 = 0, m2 = 0, m3 = 0;
		for (; k + 4 <= n; k += 4) {
			m0 |= bit[p[k]];
			m1 |= bit[p[k + 1]];
			m2 |= bit[p[k + 2]];
			m3 |= bit[p[k + 3]];
		}
		for (; k < n; k++)
			m0 |= bit[p[k]];
		b->bits = m0 | m1 | m2 | m3;
		b->done = true;
	}
	return b->bits;
}

int waf_regex_match_value(mamori_waf_eval *ev, const waf_regex *re, int input, size_t i,
			  size_t *at, size_t *span)
{
	if (re->mask_count) {
		uint64_t have = value_bytes(ev, input, i);
		for (unsigned r = 0; r < re->mask_count; r++)
			if (!(have & re->mask[r]))
				return 0;
	}
	const waf_elem *e = &ev->inputs[input].el[i];
	return regex_match(ev, re, e->p, e->n, at, span);
}

const char *waf_regex_source(const waf_regex *re)
{
	return re->src;
}

const waf_factor *waf_regex_prefilter_factor(const waf_regex *re)
{
	return re->has_factor ? &re->factor : NULL;
}

void waf_regex_free(waf_regex *re)
{
	if (re) {
		pcre2_code_free(re->code);
		waf_factor_free(&re->factor);
	}
}
