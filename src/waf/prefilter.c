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

#include <errno.h>
#include <hs/hs.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct waf_pattern {
	int input;
	char *expr;
	unsigned flags;
	waf_stmt *stmt;
	size_t order;
} waf_pattern;

/* The prefilter may match more than the regex, never less: large counted
 * repeats ({0,200}) cost Vectorscan much compile time and memory, so they
 * become open repeats ({0,}) in the prefilter's copy. */
static void relax(const char *re, mamori_buf *out)
{
	/* a leading context group "(?:^|...)" only narrows where a match may
	 * start; without it Vectorscan does not have to track every position */
	if (!strncmp(re, "(?:^|", 5)) {
		int depth = 0;
		const char *p = re;
		for (; *p; p++) {
			if (*p == '\\' && p[1]) {
				p++;
				continue;
			}
			if (*p == '[') { /* skip a class */
				p++;
				if (*p == '^')
					p++;
				if (*p == ']')
					p++;
				while (*p && *p != ']') {
					if (*p == '\\' && p[1])
						p++;
					p++;
				}
				if (!*p)
					break;
				continue;
			}
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0)
				break;
		}
		if (*p == ')' && p[1] && p[1] != '*' && p[1] != '?' && p[1] != '+' && p[1] != '{')
			re = p + 1;
	}
	bool in_class = false;
	for (const char *p = re; *p; p++) {
		if (*p == '\\' && p[1]) {
			mamori_buf_append(out, p, 2);
			p++;
			continue;
		}
		if (in_class) {
			in_class = *p != ']';
			mamori_buf_putc(out, *p);
			continue;
		}
		if (*p == '[') {
			in_class = true;
			mamori_buf_putc(out, *p);
			if (p[1] == '^')
				mamori_buf_putc(out, *++p);
			if (p[1] == ']')
				mamori_buf_putc(out, *++p);
			continue;
		}
		unsigned lo, hi;
		int used = 0;
		if (*p == '{' && sscanf(p, "{%u,%u}%n", &lo, &hi, &used) == 2 && used > 0 && hi > 8) {
			mamori_buf_printf(out, "{%u,}", lo);
			p += used - 1;
			continue;
		}
		mamori_buf_putc(out, *p);
	}
}

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
		relax(regex, &e);
		flags |= HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY | HS_FLAG_DOTALL | HS_FLAG_MULTILINE;
	}
	if (caseless)
		flags |= HS_FLAG_CASELESS;
	if (acl->pattern_count == acl->pattern_cap) {
		acl->pattern_cap = acl->pattern_cap ? acl->pattern_cap * 2 : 64;
		acl->patterns = mamori_xrealloc(acl->patterns, acl->pattern_cap * sizeof *acl->patterns);
	}
	acl->patterns[acl->pattern_count] =
		(waf_pattern){s->input, mamori_buf_detach(&e), flags, s, acl->pattern_count};
	acl->pattern_count++;
	s->pattern = -2; /* assigned when the databases are built */
}

/* ---- a disk cache of compiled databases ----
 * Compiling the managed groups' patterns takes Vectorscan seconds; loading a
 * serialized database takes milliseconds.  Databases are cached under
 * $MAMORI_CACHE_DIR (default $XDG_CACHE_HOME/mamori or ~/.cache/mamori),
 * named by the SHA-256 of the library version, the platform and every
 * expression with its flags and id, so a stale file is never used.  The
 * cache is an optimisation only: any failure falls back to compiling. */

static void mkdir_p(const char *dir)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s", dir);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(tmp, 0700);
			*p = '/';
		}
	}
	mkdir(tmp, 0700);
}

static bool cache_dir(char *out, size_t n)
{
	const char *d = getenv("MAMORI_CACHE_DIR");
	if (d && !strcmp(d, "none"))
		return false;
	if (d && *d)
		snprintf(out, n, "%s", d);
	else if ((d = getenv("XDG_CACHE_HOME")) && *d)
		snprintf(out, n, "%s/mamori", d);
	else if ((d = getenv("HOME")) && *d)
		snprintf(out, n, "%s/.cache/mamori", d);
	else
		return false;
	return true;
}

static void cache_key(const char *const *exprs, const unsigned *flags, const unsigned *ids,
		      size_t m, char hex[65])
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_printf(&b, "mamori-%s|%s|", mamori_version(), hs_version());
	for (size_t k = 0; k < m; k++)
		mamori_buf_printf(&b, "%u|%u|%s%c", ids[k], flags[k], exprs[k], 0);
	mamori_sha256_hex(b.data, b.len, hex);
	mamori_buf_free(&b);
}

static hs_database_t *cache_load(const char *dir, const char *key)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/hs-%s.db", dir, key);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	mamori_buf b = MAMORI_BUF_INIT;
	char chunk[65536];
	size_t r;
	while ((r = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < (256u << 20))
		mamori_buf_append(&b, chunk, r);
	fclose(f);
	hs_database_t *db = NULL;
	if (b.len && hs_deserialize_database(b.data, b.len, &db) != HS_SUCCESS)
		db = NULL;
	mamori_buf_free(&b);
	return db;
}

static void cache_store(const char *dir, const char *key, const hs_database_t *db)
{
	char *bytes = NULL;
	size_t len = 0;
	if (hs_serialize_database(db, &bytes, &len) != HS_SUCCESS)
		return;
	mkdir_p(dir);
	char path[4200], tmp[4300];
	snprintf(path, sizeof path, "%s/hs-%s.db", dir, key);
	snprintf(tmp, sizeof tmp, "%s.%d.tmp", path, (int)getpid());
	FILE *f = fopen(tmp, "wb");
	if (f) {
		bool ok = fwrite(bytes, 1, len, f) == len;
		ok &= fclose(f) == 0;
		if (!ok || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(bytes);
}

static int cmp_input(const void *a, const void *b)
{
	const waf_pattern *x = a, *y = b;
	if (x->input != y->input)
		return x->input < y->input ? -1 : 1;
	if (x->stmt != y->stmt)
		return x->stmt < y->stmt ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

int waf_prefilter_build(mamori_ctx *ctx, mamori_waf_acl *acl)
{
	(void)ctx;
	char dir[4096];
	bool cached = cache_dir(dir, sizeof dir);
	if (acl->pattern_count)
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
			char key[65];
			cache_key(exprs, flags, ids, m, key);
			if (cached && (db = cache_load(dir, key)) != NULL)
				break;
			if (hs_compile_multi(exprs, flags, ids, (unsigned)m, HS_MODE_BLOCK, NULL, &db,
					     &err) == HS_SUCCESS) {
				if (cached)
					cache_store(dir, key, db);
				break;
			}
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
		if (getenv("MAMORI_WAF_DEBUG")) {
			fprintf(stderr, "prefilter: input %d (field %d, %d tx): %zu patterns\n",
				acl->patterns[i].input, in->field, in->chain_len, n);

		}
		for (size_t k = 0; k < n; k++) {
			waf_stmt *st = acl->patterns[i + k].stmt;
			if (st->pattern == -2) { /* first of its patterns */
				st->pattern = (int)(i + k);
				st->pattern_count = 0;
			}
			if (st->pattern >= 0)
				st->pattern_count++;
			if (skip[k] || !db)
				st->pattern = -1; /* one pattern unfiltered: always check */
		}
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

/* Bit ranges, a word at a time. */
static void bits_clear(uint64_t *bits, unsigned lo, unsigned n)
{
	unsigned hi = lo + n;
	while (lo < hi && (lo % 64)) {
		bits[lo / 64] &= ~(1ull << (lo % 64));
		lo++;
	}
	while (lo + 64 <= hi) {
		bits[lo / 64] = 0;
		lo += 64;
	}
	while (lo < hi) {
		bits[lo / 64] &= ~(1ull << (lo % 64));
		lo++;
	}
}

static bool bits_any(const uint64_t *bits, unsigned lo, unsigned n)
{
	unsigned hi = lo + n;
	while (lo < hi) {
		unsigned w = lo / 64, off = lo % 64;
		unsigned take = 64 - off < hi - lo ? 64 - off : hi - lo;
		uint64_t mask = (take == 64 ? ~0ull : ((1ull << take) - 1)) << off;
		if (bits[w] & mask)
			return true;
		lo += take;
	}
	return false;
}

bool waf_prefilter_may_match(mamori_waf_eval *ev, const waf_stmt *s)
{
	if (s->pattern < 0)
		return true;
	if (ev->pf_gen[s->input] != ev->gen) {
		const waf_input *in = &ev->acl->inputs[s->input];
		bits_clear(ev->pf_bits, (unsigned)in->pat_base, (unsigned)in->pat_count);
		const waf_vals *v = waf_input_values(ev, s->input);
		if (v->n == 1) {
			hs_scan(in->hs_db, v->el[0].p, (unsigned)v->el[0].n, 0, ev->hs_scratch, on_match,
				ev->pf_bits);
		} else if (v->n > 1) {
			/* one scan over all values joined by newlines: with multi-line
			 * anchors every value is still a line of its own, so whatever
			 * matches in a value matches here (and a match across two
			 * values only costs a confirmation) */
			size_t total = 0;
			for (size_t i = 0; i < v->n; i++)
				total += v->el[i].n + 1;
			char *joined = waf_alloc(ev, total);
			size_t o = 0;
			for (size_t i = 0; i < v->n; i++) {
				memcpy(joined + o, v->el[i].p, v->el[i].n);
				o += v->el[i].n;
				joined[o++] = '\n';
			}
			hs_scan(in->hs_db, joined, (unsigned)(o - 1), 0, ev->hs_scratch, on_match, ev->pf_bits);
		}
		ev->pf_gen[s->input] = ev->gen;
	}
	return bits_any(ev->pf_bits, (unsigned)s->pattern, (unsigned)s->pattern_count);
}

bool waf_prefilter_bit(const mamori_waf_eval *ev, const waf_stmt *s, int k)
{
	if (s->pattern < 0)
		return true;
	unsigned id = (unsigned)(s->pattern + k);
	return (ev->pf_bits[id / 64] >> (id % 64)) & 1;
}
