/*
 * prefilter.c — one Vectorscan scan per input instead of one check per rule.
 *
 * At compile time every statement that looks for a literal or a regex in an
 * input registers its pattern here.  A regex is reduced to its literal
 * factor (regex_factor.c: strings one of which every match contains), and
 * each input gets a Vectorscan database of plain literals — ByteMatch
 * strings and the factors of its regexes — that its values are scanned with
 * once per request: a statement none of whose literals occurs is false
 * without running PCRE2 or memmem.  Literal matching runs at gigabytes per
 * second, where the same regexes compiled into one database in prefilter mode
 * ran at 30-50 MB/s over prose (the benchmark in bench/waf measured both).
 * The few regexes without a usable factor (a negative lookahead alone, "any
 * three letters") go into a second, small database of regexes compiled with
 * HS_FLAG_PREFILTER (a superset: never a false negative).  A pattern
 * Vectorscan cannot take is left out and its statement always runs the
 * exact check.
 */
#include "waf_internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <hs/hs.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct waf_pattern {
	int input;
	char *expr;	/* for the regex database */
	unsigned flags;
	waf_factor fac; /* literals for the literal database (count 0: none) */
	waf_stmt *stmt;
	size_t order;
	bool borrowed; /* fac is its regex's (regex.c frees it) */
} waf_pattern;

/* A literal that must start a value (the factor of a ^ regex). */
typedef struct waf_anchored {
	const char *s;
	size_t len;
	bool caseless;
	int pattern;
} waf_anchored;

/* An input's databases. */
struct waf_pf {
	hs_database_t *lit_db; /* literal factors */
	int *lit_first;	       /* per literal: its patterns are lit_pats[first[i]..first[i+1]) */
	int *lit_pats;	       /* global pattern ids */
	waf_anchored *anch;    /* literals that must start a value, by first byte */
	size_t anch_count;
	unsigned anch_first[257]; /* bucket of lower-cased first byte c: [first[c], first[c+1]) */
	hs_database_t *re_db;  /* regexes without a factor, prefilter mode */
};

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

/* A literal as a Vectorscan expression. */
static void escape_literal(const char *lit, size_t len, mamori_buf *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)lit[i];
		if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
			mamori_buf_putc(out, (char)ch);
		} else {
			char x[5] = {'\\', 'x', hex[ch >> 4], hex[ch & 15], 0};
			mamori_buf_puts(out, x);
		}
	}
}

void waf_prefilter_add(waf_compiler *c, waf_stmt *s, const waf_regex *re, const char *lit,
		       size_t lit_len, bool caseless)
{
	mamori_waf_acl *acl = c->acl;
	bool literal = re == NULL;
	if (s->input < 0)
		return;
	mamori_buf e = MAMORI_BUF_INIT;
	unsigned flags = HS_FLAG_SINGLEMATCH;
	if (literal) {
		if (lit_len == 0) {
			mamori_buf_free(&e);
			return; /* matches everything: no point prefiltering */
		}
		escape_literal(lit, lit_len, &e);
	} else {
		relax(waf_regex_source(re), &e);
		flags |= HS_FLAG_PREFILTER | HS_FLAG_ALLOWEMPTY | HS_FLAG_DOTALL | HS_FLAG_MULTILINE;
	}
	if (caseless)
		flags |= HS_FLAG_CASELESS;
	if (acl->pattern_count == acl->pattern_cap) {
		acl->pattern_cap = acl->pattern_cap ? acl->pattern_cap * 2 : 64;
		acl->patterns = mamori_xrealloc(acl->patterns, acl->pattern_cap * sizeof *acl->patterns);
	}
	waf_factor fac = {0};
	if (literal) {
		fac.count = 1;
		fac.lits = mamori_xcalloc(1, sizeof *fac.lits);
		fac.lens = mamori_xcalloc(1, sizeof *fac.lens);
		fac.lits[0] = mamori_xmalloc(lit_len + 1);
		memcpy(fac.lits[0], lit, lit_len);
		fac.lits[0][lit_len] = 0;
		fac.lens[0] = lit_len;
		fac.caseless = caseless;
	} else if (waf_regex_prefilter_factor(re)) {
		fac = *waf_regex_prefilter_factor(re); /* the regex keeps it as long as the ACL */
	}
	acl->patterns[acl->pattern_count] = (waf_pattern){
		s->input, mamori_buf_detach(&e), flags, fac, s, acl->pattern_count, !literal};
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

static void cache_key(const char *kind, const char *const *exprs, const size_t *lens,
		      const unsigned *flags, const unsigned *ids, size_t m, char hex[65])
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_printf(&b, "mamori-%s|%s|%s|", mamori_version(), hs_version(), kind);
	for (size_t k = 0; k < m; k++) {
		mamori_buf_printf(&b, "%u|%u|%zu|", ids[k], flags[k], lens[k]);
		mamori_buf_append(&b, exprs[k], lens[k]);
		mamori_buf_putc(&b, 0);
	}
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

/* Compile (or load from the cache) a database; on failure *bad is the index
 * of the expression at fault, or -1. */
/* Compile (or load from the cache) a database of literals or of regexes; on
 * failure *bad is the index of the expression at fault, or -1. */
static hs_database_t *compile_db(const char *cache, bool literal, const char *const *exprs,
				 const size_t *lens, const unsigned *flags, const unsigned *ids,
				 size_t m, int *bad)
{
	char key[65];
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;
	*bad = -1;
	if (cache) {
		cache_key(literal ? "lit" : "re", exprs, lens, flags, ids, m, key);
		if ((db = cache_load(cache, key)) != NULL)
			return db;
	}
	hs_error_t rc = literal ? hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)m,
						       HS_MODE_BLOCK, NULL, &db, &err)
				: hs_compile_multi(exprs, flags, ids, (unsigned)m, HS_MODE_BLOCK, NULL,
						   &db, &err);
	if (rc == HS_SUCCESS) {
		if (cache)
			cache_store(cache, key, db);
		return db;
	}
	*bad = err ? err->expression : -1;
	hs_free_compile_error(err);
	return NULL;
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

/* The regex database of patterns [i, j) that have no factor; marks in
 * covered[] the patterns it holds. */
static hs_database_t *build_regexes(const char *cache, const waf_pattern *pats, size_t i, size_t j,
				    bool *covered)
{
	size_t n = j - i;
	const char **exprs = mamori_xcalloc(n + 1, sizeof *exprs);
	size_t *lens = mamori_xcalloc(n + 1, sizeof *lens);
	unsigned *flags = mamori_xcalloc(n + 1, sizeof *flags);
	unsigned *ids = mamori_xcalloc(n + 1, sizeof *ids);
	bool *skip = mamori_xcalloc(n + 1, sizeof *skip);
	hs_database_t *db = NULL;
	for (int tries = 0; tries < 64; tries++) {
		size_t m = 0;
		for (size_t k = 0; k < n; k++) {
			if (skip[k] || pats[i + k].fac.count)
				continue;
			exprs[m] = pats[i + k].expr;
			lens[m] = strlen(exprs[m]);
			flags[m] = pats[i + k].flags;
			ids[m] = (unsigned)(i + k);
			m++;
		}
		if (m == 0)
			break;
		int bad;
		if ((db = compile_db(cache, false, exprs, lens, flags, ids, m, &bad)) != NULL)
			break;
		if (bad < 0)
			break; /* not attributable: no regex database for this input */
		skip[ids[bad] - i] = true;
	}
	for (size_t k = 0; db && k < n; k++)
		if (!pats[i + k].fac.count && !skip[k])
			covered[k] = true;
	free(exprs);
	free(lens);
	free(flags);
	free(ids);
	free(skip);
	return db;
}

typedef struct lit_entry {
	const char *s;
	size_t len;
	bool caseless;
	int pattern;
} lit_entry;

static int cmp_lit(const void *a, const void *b)
{
	const lit_entry *x = a, *y = b;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	int c = memcmp(x->s, y->s, x->len);
	if (c)
		return c;
	if (x->caseless != y->caseless)
		return x->caseless ? 1 : -1;
	return x->pattern - y->pattern;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int cmp_first(const void *a, const void *b)
{
	const lit_entry *x = a, *y = b;
	unsigned char fx = lower((unsigned char)x->s[0]), fy = lower((unsigned char)y->s[0]);
	if (fx != fy)
		return fx < fy ? -1 : 1;
	return x->pattern - y->pattern;
}

/* The literal database of the factors of patterns [i, j) that may occur
 * anywhere, and the table of those that must start a value (bucketed by
 * their first byte, lower-cased: one look per value). */
static void build_literals(const char *cache, const waf_pattern *pats, size_t i, size_t j,
			   struct waf_pf *pf, bool *covered, size_t *literal_max)
{
	size_t total = 0, anchored = 0;
	for (size_t k = i; k < j; k++) {
		total += pats[k].fac.count;
		if (pats[k].fac.anchored)
			anchored += pats[k].fac.count;
	}
	if (!total)
		return;
	lit_entry *e = mamori_xcalloc(total, sizeof *e);
	size_t m = 0;
	if (anchored) {
		pf->anch = mamori_xcalloc(anchored, sizeof *pf->anch);
		for (size_t k = i; k < j; k++) {
			const waf_factor *f = &pats[k].fac;
			for (size_t l = 0; f->anchored && l < f->count; l++)
				pf->anch[pf->anch_count++] =
					(waf_anchored){f->lits[l], f->lens[l], f->caseless, (int)k};
		}
		qsort(pf->anch, pf->anch_count, sizeof *pf->anch, cmp_first);
		for (size_t a = 0, c = 0; c < 257; c++) {
			while (a < pf->anch_count && lower((unsigned char)pf->anch[a].s[0]) < c)
				a++;
			pf->anch_first[c] = (unsigned)a;
		}
		for (size_t k = i; k < j; k++)
			if (pats[k].fac.anchored)
				covered[k - i] = true;
	}
	for (size_t k = i; k < j; k++) {
		const waf_factor *f = &pats[k].fac;
		for (size_t l = 0; !f->anchored && l < f->count; l++)
			e[m++] = (lit_entry){f->lits[l], f->lens[l], f->caseless, (int)k};
	}
	if (!m) {
		free(e);
		return;
	}
	qsort(e, m, sizeof *e, cmp_lit);
	/* distinct literals, each with the patterns it stands for */
	const char **exprs = mamori_xcalloc(m, sizeof *exprs);
	size_t *lens = mamori_xcalloc(m, sizeof *lens);
	unsigned *flags = mamori_xcalloc(m, sizeof *flags);
	unsigned *ids = mamori_xcalloc(m, sizeof *ids);
	pf->lit_first = mamori_xcalloc(m + 1, sizeof *pf->lit_first);
	pf->lit_pats = mamori_xcalloc(m, sizeof *pf->lit_pats);
	size_t d = 0, np = 0;
	for (size_t k = 0; k < m; k++) {
		bool same = k > 0 && e[k].len == e[k - 1].len && e[k].caseless == e[k - 1].caseless &&
			    memcmp(e[k].s, e[k - 1].s, e[k].len) == 0;
		if (!same) {
			exprs[d] = e[k].s;
			lens[d] = e[k].len;
			flags[d] = e[k].caseless ? HS_FLAG_CASELESS : 0;
			ids[d] = (unsigned)d;
			pf->lit_first[d] = (int)np;
			d++;
		}
		if (!np || pf->lit_pats[np - 1] != e[k].pattern || !same)
			pf->lit_pats[np++] = e[k].pattern;
	}
	pf->lit_first[d] = (int)np;
	if (d > *literal_max)
		*literal_max = d;
	int bad;
	pf->lit_db = compile_db(cache, true, exprs, lens, flags, ids, d, &bad);
	for (size_t k = i; pf->lit_db && k < j; k++)
		if (pats[k].fac.count && !pats[k].fac.anchored)
			covered[k - i] = true;
	free(exprs);
	free(lens);
	free(flags);
	free(ids);
	free(e);
}

/* ---- a scan function that finds what it should ----
 * Debian bookworm's Vectorscan 5.4.9 misses literal matches in its AVX-512
 * code path: with the literals {"%00", "%uFF"}, "%00" is not reported after
 * 60-odd bytes of other text (its AVX2 and SSE4.2 paths are right; later
 * Vectorscan releases fixed several AVX-512 accelerator bugs).  Its fat
 * runtime exports every implementation by name, so when the dispatched
 * hs_scan fails this self-test and the AVX2 one passes, the prefilter scans
 * through the AVX2 one. */

static int count_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		       void *ctx)
{
	(void)id, (void)from, (void)to, (void)flags;
	(*(int *)ctx)++;
	return 0;
}

static bool scan_self_test(waf_hs_scan_fn scan)
{
	static const char *const lits[] = {"%00", "%uFF"};
	static const size_t lens[] = {3, 4};
	static const unsigned flags[] = {HS_FLAG_SINGLEMATCH, HS_FLAG_SINGLEMATCH};
	static const unsigned ids[] = {0, 1};
	hs_database_t *db = NULL;
	hs_compile_error_t *err = NULL;
	hs_scratch_t *scratch = NULL;
	if (hs_compile_lit_multi(lits, flags, ids, lens, 2, HS_MODE_BLOCK, NULL, &db, &err) !=
	    HS_SUCCESS) {
		hs_free_compile_error(err);
		return true; /* nothing to learn */
	}
	bool ok = hs_alloc_scratch(db, &scratch) == HS_SUCCESS;
	char buf[260];
	for (size_t n = 0; ok && n + 3 <= sizeof buf; n++) {
		memset(buf, 'a', n);
		memcpy(buf + n, "%00", 3);
		int hits = 0;
		scan(db, buf, (unsigned)(n + 3), 0, scratch, count_match, &hits);
		ok = hits == 1;
	}
	hs_free_scratch(scratch);
	hs_free_database(db);
	return ok;
}

static waf_hs_scan_fn pick_scan(void)
{
	if (scan_self_test(hs_scan))
		return hs_scan;
#if defined(__x86_64__) || defined(__i386__)
	waf_hs_scan_fn avx2 = (waf_hs_scan_fn)dlsym(RTLD_DEFAULT, "avx2_hs_scan");
	if (avx2 && __builtin_cpu_supports("avx2") && scan_self_test(avx2))
		return avx2;
#endif
	return hs_scan;
}

int waf_prefilter_build(mamori_ctx *ctx, mamori_waf_acl *acl)
{
	(void)ctx;
	acl->hs_scan = pick_scan();
	char dir[4096];
	const char *cache = cache_dir(dir, sizeof dir) ? dir : NULL;
	if (acl->pattern_count)
		qsort(acl->patterns, acl->pattern_count, sizeof *acl->patterns, cmp_input);
	size_t i = 0;
	while (i < acl->pattern_count) {
		size_t j = i;
		while (j < acl->pattern_count && acl->patterns[j].input == acl->patterns[i].input)
			j++;
		waf_input *in = &acl->inputs[acl->patterns[i].input];
		size_t n = j - i;
		bool *covered = mamori_xcalloc(n, sizeof *covered);
		struct waf_pf *pf = mamori_xcalloc(1, sizeof *pf);
		build_literals(cache, acl->patterns, i, j, pf, covered, &acl->literal_max);
		pf->re_db = build_regexes(cache, acl->patterns, i, j, covered);
		if (getenv("MAMORI_WAF_DEBUG")) {
			size_t lits = 0, res = 0;
			for (size_t k = i; k < j; k++) {
				lits += acl->patterns[k].fac.count;
				res += !acl->patterns[k].fac.count;
			}
			fprintf(stderr,
				"prefilter: input %d (field %d, %d tx): %zu patterns, %zu literals, %zu "
				"regexes\n",
				acl->patterns[i].input, in->field, in->chain_len, n, lits, res);
		}
		for (size_t k = 0; k < n; k++) {
			waf_stmt *st = acl->patterns[i + k].stmt;
			if (st->pattern == -2) { /* first of its patterns */
				st->pattern = (int)(i + k);
				st->pattern_count = 0;
			}
			if (st->pattern >= 0)
				st->pattern_count++;
			if (!covered[k])
				st->pattern = -1; /* one pattern unfiltered: always check */
		}
		in->pf = pf;
		in->pat_base = (int)i;
		in->pat_count = (int)n;
		free(covered);
		i = j;
	}
	return MAMORI_OK;
}

void waf_prefilter_free(mamori_waf_acl *acl)
{
	for (size_t i = 0; i < acl->input_count; i++) {
		struct waf_pf *pf = acl->inputs[i].pf;
		if (!pf)
			continue;
		if (pf->lit_db)
			hs_free_database(pf->lit_db);
		if (pf->re_db)
			hs_free_database(pf->re_db);
		free(pf->lit_first);
		free(pf->lit_pats);
		free(pf->anch);
		free(pf);
	}
	for (size_t i = 0; i < acl->pattern_count; i++) {
		free(acl->patterns[i].expr);
		if (!acl->patterns[i].borrowed)
			waf_factor_free(&acl->patterns[i].fac);
	}
	free(acl->patterns);
}

void *waf_prefilter_scratch(const mamori_waf_acl *acl)
{
	hs_scratch_t *s = NULL;
	for (size_t i = 0; i < acl->input_count; i++) {
		const struct waf_pf *pf = acl->inputs[i].pf;
		if (pf && pf->lit_db && hs_alloc_scratch(pf->lit_db, &s) != HS_SUCCESS)
			mamori_oom(0);
		if (pf && pf->re_db && hs_alloc_scratch(pf->re_db, &s) != HS_SUCCESS)
			mamori_oom(0);
	}
	return s;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		    void *ctx)
{
	(void)from, (void)to, (void)flags;
	uint64_t *vals = ctx;
	vals[id] = ~0ull; /* joined values: any of them */
	return 0;
}

typedef struct lit_hit {
	uint64_t *vals;
	const struct waf_pf *pf;
	const size_t *start; /* where each value starts in the joined values, or NULL */
	size_t count;
	size_t cur;	  /* the value the last match ended in */
	uint64_t *seen;	  /* per literal: serial << 6 | value last credited */
	uint64_t serial;
} lit_hit;

/* Every occurrence of a literal is reported (a literal database compiled
 * with HS_FLAG_SINGLEMATCH reports only the first, and over joined values
 * the later values holding it would never be confirmed); repeats within a
 * value return at once. */
static int on_literal(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		      void *ctx)
{
	(void)from, (void)flags;
	lit_hit *h = ctx;
	size_t v = 0;
	if (h->start) {
		/* the value holding the literal's last byte: the last one starting
		 * at or before it (a literal across a separator marks the later value,
		 * which only costs a confirmation); matches come by end offset, so
		 * the cursor mostly moves forward */
		size_t last = (size_t)to - 1, lo = h->cur;
		if (last < h->start[lo]) {
			size_t hi = h->count;
			lo = 0;
			while (hi - lo > 1) {
				size_t mid = (lo + hi) / 2;
				if (h->start[mid] <= last)
					lo = mid;
				else
					hi = mid;
			}
		} else {
			while (lo + 1 < h->count && h->start[lo + 1] <= last)
				lo++;
		}
		h->cur = lo;
		v = lo < 63 ? lo : 63;
	}
	uint64_t tag = h->serial << 6 | v;
	if (h->seen[id] == tag)
		return 0;
	h->seen[id] = tag;
	uint64_t bit = 1ull << v;
	for (int k = h->pf->lit_first[id]; k < h->pf->lit_first[id + 1]; k++)
		h->vals[h->pf->lit_pats[k]] |= bit;
	return 0;
}

/* Scan an input's values: the literal database over the values joined by
 * newlines, each match credited to the value it ends in (each pattern
 * learns in which values one of its literals occurs, so that only those are
 * confirmed; one scan instead of one per value, as each scan has a fixed
 * start-up cost), the regex database over the same joined values (with
 * multi-line anchors every value is a line of its own, so whatever matches
 * in a value matches there; a match across two values only costs a
 * confirmation). */
static void scan_input(mamori_waf_eval *ev, const struct waf_pf *pf, const waf_vals *v)
{
	const char *buf = v->el[0].p;
	size_t len = v->el[0].n;
	size_t *start = NULL;
	if (v->n > 1 && (pf->lit_db || pf->re_db)) {
		size_t total = 0;
		for (size_t i = 0; i < v->n; i++)
			total += v->el[i].n + 1;
		char *joined = waf_alloc(ev, total);
		start = waf_alloc(ev, v->n * sizeof *start);
		size_t o = 0;
		for (size_t i = 0; i < v->n; i++) {
			start[i] = o;
			memcpy(joined + o, v->el[i].p, v->el[i].n);
			o += v->el[i].n;
			joined[o++] = '\n';
		}
		buf = joined;
		len = o - 1;
	}
	if (pf->lit_db) {
		lit_hit h = {ev->pf_vals, pf, start, v->n, 0, ev->pf_seen, ++ev->pf_serial};
		ev->acl->hs_scan(pf->lit_db, buf, (unsigned)len, 0, ev->hs_scratch, on_literal, &h);
	}
	for (size_t i = 0; pf->anch_count && i < v->n; i++) {
		const waf_elem *e = &v->el[i];
		if (!e->n)
			continue;
		unsigned c = lower((unsigned char)e->p[0]);
		for (unsigned a = pf->anch_first[c]; a < pf->anch_first[c + 1]; a++) {
			const waf_anchored *l = &pf->anch[a];
			if (l->len <= e->n && (l->caseless ? strncasecmp(e->p, l->s, l->len) == 0
							   : memcmp(e->p, l->s, l->len) == 0))
				ev->pf_vals[l->pattern] |= waf_value_bit(i);
		}
	}
	if (pf->re_db)
		ev->acl->hs_scan(pf->re_db, buf, (unsigned)len, 0, ev->hs_scratch, on_match, ev->pf_vals);
}

void waf_prefilter_scan(mamori_waf_eval *ev, int input)
{
	const waf_input *in = &ev->acl->inputs[input];
	memset(ev->pf_vals + in->pat_base, 0, (size_t)in->pat_count * sizeof *ev->pf_vals);
	const waf_vals *v = waf_input_values(ev, input);
	if (v->n)
		scan_input(ev, in->pf, v);
	ev->pf_gen[input] = ev->gen;
}
