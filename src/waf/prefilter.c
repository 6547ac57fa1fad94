/*
 * prefilter.c — one Vectorscan scan per input instead of one check per rule.
 *
 * At compile time every statement that looks for a literal or a regex in an
 * input registers its pattern here; each input then gets one Vectorscan
 * (Hyperscan) block-mode database with all of them, regexes compiled with
 * HS_FLAG_PREFILTER (a superset: never a false negative).  At run time the
 * first statement that reads an input scans its values once and learns which
 * patterns may match; a statement whose bit is clear is false without
 * running PCRE2 or memmem.  A pattern Vectorscan cannot take is left out and
 * its statement always runs the exact check.
 */
#include "waf_internal.h"

#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>

typedef struct waf_pattern {
	int input;
	char *expr;
	unsigned flags;
	waf_stmt *stmt;
} waf_pattern;

void waf_prefilter_add(waf_compiler *c, waf_stmt *s, const char *regex, bool literal,
		       const char *lit, size_t lit_len, bool caseless)
{
	mamori_waf_acl *acl = c->acl;
	if (s->input < 0)
		return;
	mamori_buf e = MAMORI_BUF_INIT;
	unsigned flags = HS_FLAG_SINGLEMATCH;
	if (literal) {
		static const char hex[] = "0123456789abcdef";
		if (lit_len == 0) {
			mamori_buf_free(&e);
			return; /* matches everything: no point prefiltering */
		}
		for (size_t i = 0; i < lit_len; i++) {
			unsigned char ch = (unsigned char)lit[i];
			if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
				mamori_buf_putc(&e, (char)ch);
			} else {
				char x[5] = {'\\', 'x', hex[ch >> 4], hex[ch & 15], 0};
				mamori_buf_puts(&e, x);
			}
		}
	} else {
		mamori_buf_puts(&e, regex);
		flags |= HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY | HS_FLAG_DOTALL;
	}
	if (caseless)
		flags |= HS_FLAG_CASELESS;
	if (acl->pattern_count == acl->pattern_cap) {
		acl->pattern_cap = acl->pattern_cap ? acl->pattern_cap * 2 : 64;
		acl->patterns = mamori_xrealloc(acl->patterns, acl->pattern_cap * sizeof *acl->patterns);
	}
	acl->patterns[acl->pattern_count++] = (waf_pattern){s->input, mamori_buf_detach(&e), flags, s};
	s->pattern = -2; /* assigned when the databases are built */
}

static int cmp_input(const void *a, const void *b)
{
	const waf_pattern *x = a, *y = b;
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	return x->stmt < y->stmt ? -1 : x->stmt > y->stmt;
}

int waf_prefilter_build(mamori_ctx *ctx, mamori_waf_acl *acl)
{
	(void)ctx;
	qsort(acl->patterns, acl->pattern_count, sizeof *acl->patterns, cmp_input);
	size_t i = 0;
	while (i < acl->pattern_count) {
		size_t j = i;
		while (j < acl->pattern_count && acl->patterns[j].input == acl->patterns[i].input)
			j++;
		waf_input *in = &acl->inputs[acl->patterns[i].input];
		size_t n = j - i;
		const char **exprs = mamori_xcalloc(n, sizeof *exprs);
		unsigned *flags = mamori_xcalloc(n, sizeof *flags);
		unsigned *ids = mamori_xcalloc(n, sizeof *ids);
		bool *skip = mamori_xcalloc(n, sizeof *skip);
		hs_database_t *db = NULL;
		for (int tries = 0; tries < 64; tries++) {
			size_t m = 0;
			for (size_t k = 0; k < n; k++) {
				if (skip[k])
					continue;
				exprs[m] = acl->patterns[i + k].expr;
				flags[m] = acl->patterns[i + k].flags;
				ids[m] = (unsigned)(i + k);
				m++;
			}
			if (m == 0)
				break;
			hs_compile_error_t *err = NULL;
			if (hs_compile_multi(exprs, flags, ids, (unsigned)m, HS_MODE_BLOCK, NULL, &db,
					     &err) == HS_SUCCESS)
				break;
			db = NULL;
			int bad = err ? err->expression : -1;
			hs_free_compile_error(err);
			if (bad < 0) {
				/* not attributable: no prefilter for this input */
				for (size_t k = 0; k < n; k++)
					skip[k] = true;
				break;
			}
			skip[ids[bad] - i] = true;
		}
		for (size_t k = 0; k < n; k++)
			acl->patterns[i + k].stmt->pattern = skip[k] || !db ? -1 : (int)(i + k);
		in->hs_db = db;
		in->pat_base = (int)i;
		in->pat_count = (int)n;
		free(exprs);
		free(flags);
		free(ids);
		free(skip);
		i = j;
	}
	return MAMORI_OK;
}

void waf_prefilter_free(mamori_waf_acl *acl)
{
	for (size_t i = 0; i < acl->input_count; i++)
		if (acl->inputs[i].hs_db)
			hs_free_database(acl->inputs[i].hs_db);
	for (size_t i = 0; i < acl->pattern_count; i++)
		free(acl->patterns[i].expr);
	free(acl->patterns);
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	(void)from, (void)to, (void)flags;
	uint64_t *bits = ctx;
	bits[id / 64] |= 1ull << (id % 64);
	return 0;
}

bool waf_prefilter_may_match(mamori_waf_eval *ev, const waf_stmt *s)
{
	if (s->pattern < 0)
		return true;
	if (ev->pf_gen[s->input] != ev->gen) {
		const waf_input *in = &ev->acl->inputs[s->input];
		for (int k = 0; k < in->pat_count; k++) {
			unsigned id = (unsigned)(in->pat_base + k);
			ev->pf_bits[id / 64] &= ~(1ull << (id % 64));
		}
		const waf_vals *v = waf_input_values(ev, s->input);
		for (size_t i = 0; i < v->n; i++)
			hs_scan(in->hs_db, v->el[i].p, (unsigned)v->el[i].n, 0, ev->hs_scratch, on_match,
				ev->pf_bits);
		ev->pf_gen[s->input] = ev->gen;
	}
	return (ev->pf_bits[s->pattern / 64] >> (s->pattern % 64)) & 1;
}
