/*
 * driver.c — bench-vuln: the figures behind the vulnerabilities pillar's
 * performance claims and its database choice, measured in one run:
 *
 *   match      inventory of a host x the SQLite database (mamori's path),
 *              warm, median of repeats: ms, packages/s, peak RSS
 *   naive      the same packages against every affected row held in
 *              memory, scanned linearly per package (the peer the issue
 *              names), same range evaluation
 *   lookups    lookups + range evaluation alone, through the lookup index
 *              (or through SQLite with MAMORI_VULN_NO_INDEX=1: the run
 *              script measures both, the figures behind the design)
 *   mmap       a bare sorted mmap'd array built here from the database, as
 *              the floor for lookups: build time and lookup time
 *
 * Usage: bench-vuln DB.sqlite ROOT-DIR [REPEATS]
 */
#include "vuln/collect.h"
#include "vuln/match.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* CPU time of this (single-threaded) process: everything here is warm, in
 * memory, so it is the work done; on a shared machine wall time would
 * mostly measure the neighbours */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return v[n / 2];
}

/* ---- the naive peer: every affected row in memory, a linear scan ---- */

typedef struct row {
	char *eco, *release, *name, *ranges, *versions;
} row;

static row *load_rows(const char *dbpath, size_t *n)
{
	sqlite3 *db;
	sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL);
	sqlite3_stmt *st;
	sqlite3_prepare_v2(db, "SELECT ecosystem, release, name, ranges, versions FROM affected", -1,
			   &st, NULL);
	size_t cap = 1024;
	row *rows = malloc(cap * sizeof *rows);
	*n = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*n == cap)
			rows = realloc(rows, (cap *= 2) * sizeof *rows);
		row *r = &rows[(*n)++];
		r->eco = strdup((const char *)sqlite3_column_text(st, 0));
		r->release = strdup((const char *)sqlite3_column_text(st, 1));
		r->name = strdup((const char *)sqlite3_column_text(st, 2));
		r->ranges = strdup((const char *)sqlite3_column_text(st, 3));
		r->versions = strdup((const char *)sqlite3_column_text(st, 4));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rows;
}

/* the lookup key mamori uses for a package: ecosystem base, name, version */
static void key_of(const vuln_pkg *p, char *base, size_t bcap, const char **name, const char **ver,
		   const char **rel)
{
	size_t bn = strcspn(p->ecosystem, ":");
	snprintf(base, bcap, "%.*s", (int)bn, p->ecosystem);
	*rel = p->ecosystem[bn] ? p->ecosystem + bn + 1 : "";
	*name = p->source_name ? p->source_name : p->name;
	*ver = p->source_version ? p->source_version : p->version;
}

static size_t eval(const vuln_pkg *p, const char *rel, const char *ver, const row *r)
{
	if (*r->release && strcmp(r->release, rel))
		return 0;
	char fixed[128];
	bool has_fix, git_only;
	size_t invalid = 0;
	return mamori_vuln_affects(mamori_vuln_scheme_parse(p->ecosystem), ver, r->ranges, r->versions,
				   fixed, sizeof fixed, &has_fix, &git_only, &invalid);
}

static size_t naive(const vuln_inventory *inv, const row *rows, size_t nrows)
{
	size_t hits = 0;
	for (size_t i = 0; i < inv->count; i++) {
		char base[64];
		const char *name, *ver, *rel;
		key_of(&inv->pkgs[i], base, sizeof base, &name, &ver, &rel);
		for (size_t k = 0; k < nrows; k++)
			if (!strcmp(rows[k].eco, base) && !strcmp(rows[k].name, name))
				hits += eval(&inv->pkgs[i], rel, ver, &rows[k]);
	}
	return hits;
}

/* ---- the mmap alternative: a sorted index file ----
 * layout: u64 count; count x {u32 key_off, u32 key_len, u32 rec_off, u32 rec_len};
 * then strings.  key = "eco\0name", record = "release\x1dranges\x1dversions" */

typedef struct ent {
	uint32_t key_off, key_len, rec_off, rec_len;
} ent;

typedef struct krow {
	char *key;
	size_t klen;
	char *rec;
} krow;

static int by_key(const void *a, const void *b)
{
	const krow *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int r = memcmp(x->key, y->key, n);
	return r ? r : (x->klen > y->klen) - (x->klen < y->klen);
}

static void build_index(const char *dbpath, const char *out)
{
	size_t n;
	row *rows = load_rows(dbpath, &n);
	krow *k = malloc(n * sizeof *k);
	for (size_t i = 0; i < n; i++) {
		size_t el = strlen(rows[i].eco), nl = strlen(rows[i].name);
		k[i].klen = el + 1 + nl;
		k[i].key = malloc(k[i].klen + 1);
		memcpy(k[i].key, rows[i].eco, el + 1);
		memcpy(k[i].key + el + 1, rows[i].name, nl + 1);
		size_t rl = strlen(rows[i].release) + strlen(rows[i].ranges) + strlen(rows[i].versions) + 3;
		k[i].rec = malloc(rl);
		snprintf(k[i].rec, rl, "%s\x1d%s\x1d%s", rows[i].release, rows[i].ranges, rows[i].versions);
		free(rows[i].eco);
		free(rows[i].release);
		free(rows[i].name);
		free(rows[i].ranges);
		free(rows[i].versions);
	}
	free(rows);
	qsort(k, n, sizeof *k, by_key);
	FILE *f = fopen(out, "wb");
	uint64_t cnt = n;
	fwrite(&cnt, sizeof cnt, 1, f);
	uint32_t off = (uint32_t)(sizeof cnt + n * sizeof(ent));
	for (size_t i = 0; i < n; i++) {
		ent e = {off, (uint32_t)k[i].klen, off + (uint32_t)k[i].klen + 1,
			 (uint32_t)strlen(k[i].rec)};
		off += (uint32_t)k[i].klen + 1 + e.rec_len + 1;
		fwrite(&e, sizeof e, 1, f);
	}
	for (size_t i = 0; i < n; i++) {
		fwrite(k[i].key, 1, k[i].klen + 1, f);
		fwrite(k[i].rec, 1, strlen(k[i].rec) + 1, f);
		free(k[i].key);
		free(k[i].rec);
	}
	fclose(f);
	free(k);
}

static size_t mmap_match(const vuln_inventory *inv, const char *map)
{
	uint64_t n;
	memcpy(&n, map, sizeof n);
	const ent *e = (const ent *)(map + sizeof n);
	size_t hits = 0;
	for (size_t i = 0; i < inv->count; i++) {
		char base[64], key[512];
		const char *name, *ver, *rel;
		key_of(&inv->pkgs[i], base, sizeof base, &name, &ver, &rel);
		size_t bl = strlen(base), nl = strlen(name), kl = bl + 1 + nl;
		memcpy(key, base, bl + 1);
		memcpy(key + bl + 1, name, nl + 1);
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			size_t ml = e[mid].key_len < kl ? e[mid].key_len : kl;
			int r = memcmp(map + e[mid].key_off, key, ml);
			if (!r)
				r = (e[mid].key_len > kl) - (e[mid].key_len < kl);
			if (r < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t k = lo; k < n && e[k].key_len == kl && !memcmp(map + e[k].key_off, key, kl);
		     k++) {
			char rec[65536];
			size_t rl = e[k].rec_len < sizeof rec - 1 ? e[k].rec_len : sizeof rec - 1;
			memcpy(rec, map + e[k].rec_off, rl);
			rec[rl] = '\0';
			char *r1 = strchr(rec, '\x1d'), *r2 = r1 ? strchr(r1 + 1, '\x1d') : NULL;
			if (!r2)
				continue;
			*r1++ = '\0';
			*r2++ = '\0';
			row r = {NULL, rec, NULL, r1, r2};
			hits += eval(&inv->pkgs[i], rel, ver, &r);
		}
	}
	return hits;
}

/* SQLite lookups + range evaluation only, the same work the mmap index does */
typedef struct sq {
	const vuln_pkg *p;
	const char *rel, *ver;
	size_t hits;
} sq;

static bool sq_accept(void *ud, const vuln_db_hit *h)
{
	sq *q = ud;
	row r = {NULL, (char *)h->release, NULL, (char *)h->ranges, (char *)h->versions};
	size_t h1 = eval(q->p, q->rel, q->ver, &r);
	q->hits += h1;
	return h1 && getenv("BENCH_VULN_FETCH");
}

static void sq_none(void *ud, const vuln_db_hit *h)
{
	(void)ud;
	(void)h;
}

static size_t sqlite_lookup(mamori_ctx *ctx, vuln_db *db, const vuln_inventory *inv)
{
	sq q = {0};
	mamori_vuln_db_read_begin(db);
	for (size_t i = 0; i < inv->count; i++) {
		char base[64];
		const char *name;
		q.p = &inv->pkgs[i];
		key_of(q.p, base, sizeof base, &name, &q.ver, &q.rel);
		mamori_vuln_db_lookup(ctx, db, base, name, sq_accept, sq_none, &q);
		mamori_vuln_db_release(db); /* as a scan does after each package */
	}
	mamori_vuln_db_read_end(db);
	return q.hits;
}

static long peak_kb(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static void count_matches(void *ud, const vuln_matches *ms)
{
	*(size_t *)ud += ms->count;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-vuln DB ROOT [REPEATS]\n");
		return 2;
	}
	const char *dbpath = argv[1];
	int reps = argc > 3 ? atoi(argv[3]) : 7;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_target *t;
	if (mamori_target_open(ctx, argv[2], &t)) {
		fprintf(stderr, "%s\n", mamori_error_last(ctx)->message);
		return 2;
	}
	vuln_invset set = {0};
	double t0 = now();
	mamori_vuln_collect_target(ctx, t, &set);
	double t_inv = now() - t0;
	if (!set.count) {
		fprintf(stderr, "no inventory in %s\n", argv[2]);
		return 2;
	}
	const vuln_inventory *inv = &set.items[0];
	vuln_db *db;
	if (mamori_vuln_db_open(ctx, dbpath, VULN_DB_READONLY, &db)) {
		fprintf(stderr, "%s\n", mamori_error_last(ctx)->message);
		return 2;
	}
	double *v = calloc((size_t)reps, sizeof *v);
	size_t matches = 0;
	for (int r = 0; r <= reps; r++) { /* the first run warms the page cache */
		vuln_matches ms;
		mamori_vuln_matches_init(&ms);
		/* as the module matches: each package's matches handed over and
		 * dropped, its index blocks released */
		size_t n = 0;
		ms.on_package = count_matches;
		ms.ud = &n;
		vuln_db *dbs[1] = {db};
		t0 = now();
		mamori_vuln_match(ctx, dbs, 1, inv, &ms);
		if (r)
			v[r - 1] = now() - t0;
		matches = n;
		mamori_vuln_matches_free(&ms);
	}
	double t_match = median(v, reps);
	long rss_match = peak_kb();
	if (getenv("BENCH_VULN_MATCH_ONLY")) {
		printf("match: %.1f ms\n", t_match * 1000);
		return 0;
	}
	printf("inventory: %zu packages read in %.1f ms\n", inv->count, t_inv * 1000);
	printf("match (mamori: lookup index + SQLite): %.1f ms median of %d warm runs, %.0f "
	       "packages/s, %zu matches, peak RSS %.1f MB\n",
	       t_match * 1000, reps, inv->count / t_match, matches, rss_match / 1024.0);

	size_t hits_sql = 0;
	for (int r = 0; r <= reps; r++) {
		t0 = now();
		hits_sql = sqlite_lookup(ctx, db, inv);
		if (r)
			v[r - 1] = now() - t0;
	}
	double t_sql = median(v, reps);
	printf("%s lookups + range evaluation only: %.1f ms (%.0f packages/s), %zu affected rows "
	       "hit\n",
	       getenv("MAMORI_VULN_NO_INDEX") ? "SQLite" : "lookup index",
	       t_sql * 1000, inv->count / t_sql, hits_sql);

	/* the mmap index */
	char idx[4096];
	snprintf(idx, sizeof idx, "%s.mmap-index", dbpath);
	t0 = now();
	build_index(dbpath, idx);
	double t_build = now() - t0;
	int fd = open(idx, O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	const char *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	size_t hits_mmap = 0;
	for (int r = 0; r <= reps; r++) {
		t0 = now();
		hits_mmap = mmap_match(inv, map);
		if (r)
			v[r - 1] = now() - t0;
	}
	double t_mmap = median(v, reps);
	munmap((void *)map, (size_t)st.st_size);
	close(fd);
	unlink(idx);

	/* the naive peer */
	size_t nrows;
	t0 = now();
	row *rows = load_rows(dbpath, &nrows);
	double t_load = now() - t0;
	int nreps = reps < 3 ? reps : 3;
	size_t hits_naive = 0;
	for (int r = 0; r < nreps; r++) {
		t0 = now();
		hits_naive = naive(inv, rows, nrows);
		v[r] = now() - t0;
	}
	double t_naive = median(v, nreps);
	printf("mmap index (alternative): built in %.0f ms from the database, lookups+match %.1f "
	       "ms (%.0f packages/s), %zu affected rows hit\n",
	       t_build * 1000, t_mmap * 1000, inv->count / t_mmap, hits_mmap);
	printf("naive linear scan (peer): %zu rows loaded in %.0f ms, scan %.0f ms (%.0f "
	       "packages/s), %zu affected rows hit\n",
	       nrows, t_load * 1000, t_naive * 1000, inv->count / t_naive, hits_naive);
	printf("ratio: mamori's match is %.0fx faster than the naive linear scan\n",
	       t_naive / t_match);
	for (size_t i = 0; i < nrows; i++) {
		free(rows[i].eco);
		free(rows[i].release);
		free(rows[i].name);
		free(rows[i].ranges);
		free(rows[i].versions);
	}
	free(rows);
	free(v);
	mamori_vuln_db_close(db);
	mamori_vuln_invset_free(&set);
	mamori_target_free(t);
	mamori_ctx_free(ctx);
	return 0;
}
