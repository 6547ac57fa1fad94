/*
 * sigma_prefilter.c — one Vectorscan database over the literal needles of
 * every rule, so that a record is evaluated only against the rules that
 * can match it.
 *
 * For each rule a *requirement* is derived from its condition: a set of
 * (field, literal) needles of which at least one must occur in that field
 * for the rule to match (AND keeps the cheapest child, OR unites, NOT and
 * value-less comparisons give none).  A rule without a requirement is
 * evaluated on every record.  Per record, the values of the fields that
 * carry needles are laid end to end in a scratch text which Vectorscan
 * scans once (caseless literals); a hit counts only when it falls inside a
 * value of the needle's own field.
 */
#include "sigma_internal.h"

#include <hs/hs.h>
#include <stdlib.h>

#define MIN_NEEDLE 3

typedef struct atom {
	int slot;
	sg_str lit; /* lower-case */
} atom;

typedef struct req {
	bool none;
	atom *a;
	size_t n;
	double cost;
} req;

typedef struct needle {
	int slot;
	char *lit;
	size_t len;
	uint32_t *rules;
	size_t nrules, cap;
} needle;

typedef struct logdb {
	hs_database_t *db;
	needle *needles;
	size_t nneedles;
	int *slots; /* fields whose values are scanned */
	size_t nslots;
	uint32_t *always; /* rules with no requirement */
	size_t nalways;
} logdb;

typedef struct prefilter {
	logdb logs[3];
	size_t nrules;
} prefilter;

static const req NONE = {true, NULL, 0, 0};

static double slot_penalty(int log, int slot)
{
	if (log != SG_LOG_CLOUDTRAIL)
		return 0;
	switch (slot) {
	case DT_F_EVENT_NAME:
		return 0;
	case DT_F_EVENT_SOURCE:
		return 60; /* "iam.amazonaws.com" is in many records */
	case DT_F_UI_TYPE:
	case DT_F_UI_ISSUER_TYPE:
		return 40;
	case DT_F_REQUEST:
	case DT_F_RESPONSE:
	case DT_F_ADDITIONAL:
		return 100; /* big values: keep them out of the scanned text */
	default:
		return 10;
	}
}

/* A literal that must occur in a value matching a regex, or len 0. */
static sg_str regex_literal(mamori_arena *a, const char *re)
{
	/* conservative: no alternation, no groups; take the longest run of
	 * plain characters not followed by a quantifier that makes it optional */
	if (strpbrk(re, "|()[]"))
		return (sg_str){NULL, 0};
	size_t n = strlen(re), best = 0, best_len = 0;
	char *buf = mamori_arena_alloc(a, n + 1);
	size_t k = 0, run_start = 0;
	for (size_t i = 0; i < n; i++) {
		char c = re[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			     c == ':' || c == '/' || c == '-' || c == '_' || c == '@' || c == ' ' ||
			     c == '=' || c == ',';
		char lit = c;
		if (c == '\\' && i + 1 < n && strchr(".-/:_$^*+?{}\\", re[i + 1])) {
			plain = true;
			lit = re[++i];
		}
		char nx = i + 1 < n ? re[i + 1] : '\0';
		if (plain && (nx == '?' || nx == '*' || nx == '{'))
			plain = false; /* optional: ends the run */
		if (!plain) {
			if (k - run_start > best_len) {
				best = run_start;
				best_len = k - run_start;
			}
			run_start = k;
			continue;
		}
		buf[k++] = (char)dt_lower((unsigned char)lit);
	}
	if (k - run_start > best_len) {
		best = run_start;
		best_len = k - run_start;
	}
	return (sg_str){buf + best, best_len};
}

static req req_union(mamori_arena *a, req x, req y)
{
	if (x.none || y.none)
		return NONE;
	req r = {false, mamori_arena_alloc(a, (x.n + y.n + 1) * sizeof(atom)), 0, x.cost + y.cost};
	if (x.n)
		memcpy(r.a, x.a, x.n * sizeof(atom));
	if (y.n)
		memcpy(r.a + x.n, y.a, y.n * sizeof(atom));
	r.n = x.n + y.n;
	return r;
}

static req req_match(mamori_arena *a, int log, const sg_match *m)
{
	if (m->neq || m->slot < 0 || (m->op != SG_OP_EQ && m->op != SG_OP_RE) || m->npats == 0)
		return NONE;
	req r = {false, mamori_arena_alloc(a, m->npats * sizeof(atom)), 0, 0};
	double pen = slot_penalty(log, m->slot);
	for (size_t i = 0; i < m->npats; i++) {
		const sg_pat *p = &m->pats[i];
		sg_str lit;
		if (m->op == SG_OP_RE)
			lit = (p->raw && !(m->cased)) ? regex_literal(a, p->raw) : (sg_str){NULL, 0};
		else if (p->is_null)
			return NONE;
		else
			lit = sg_str_longest_literal(&p->str);
		if (lit.n < MIN_NEEDLE)
			return NONE;
		atom at = {m->slot, lit};
		double c = pen + 100.0 / (double)lit.n;
		if (m->all) { /* any one value's needle is required: keep the best */
			if (r.n == 0 || c < r.cost) {
				r.a[0] = at;
				r.n = 1;
				r.cost = c;
			}
			continue;
		}
		r.a[r.n++] = at;
		r.cost += c;
	}
	return r;
}

static req req_best(req best, req cand)
{
	if (cand.none)
		return best;
	if (best.none || cand.cost < best.cost)
		return cand;
	return best;
}

static req req_sel(mamori_arena *a, int log, const sg_sel *s)
{
	req out = {false, NULL, 0, 0};
	for (size_t i = 0; i < s->nmaps; i++) {
		req best = NONE;
		for (size_t j = 0; j < s->maps[i].count; j++)
			best = req_best(best, req_match(a, log, &s->maps[i].matches[j]));
		out = req_union(a, out, best);
		if (out.none)
			return NONE;
	}
	return s->nmaps ? out : NONE;
}

static req req_node(mamori_arena *a, int log, const sg_rule *r, const sg_node *n, int depth)
{
	if (depth > 80)
		return NONE;
	switch (n->kind) {
	case SG_N_SEL:
		return req_sel(a, log, &r->sels[n->sel]);
	case SG_N_AND: {
		req best = NONE;
		for (size_t i = 0; i < n->nkids; i++)
			best = req_best(best, req_node(a, log, r, n->kids[i], depth + 1));
		return best;
	}
	case SG_N_OR: {
		req out = {false, NULL, 0, 0};
		for (size_t i = 0; i < n->nkids && !out.none; i++)
			out = req_union(a, out, req_node(a, log, r, n->kids[i], depth + 1));
		return n->nkids ? out : NONE;
	}
	default:
		return NONE;
	}
}

static needle *needle_get(logdb *db, int slot, const sg_str *lit)
{
	for (size_t i = 0; i < db->nneedles; i++)
		if (db->needles[i].slot == slot && db->needles[i].len == lit->n &&
		    memcmp(db->needles[i].lit, lit->s, lit->n) == 0)
			return &db->needles[i];
	db->needles = mamori_xrealloc(db->needles, (db->nneedles + 1) * sizeof *db->needles);
	needle *nd = &db->needles[db->nneedles++];
	memset(nd, 0, sizeof *nd);
	nd->slot = slot;
	nd->lit = mamori_xmalloc(lit->n + 1);
	memcpy(nd->lit, lit->s, lit->n);
	nd->lit[lit->n] = '\0';
	nd->len = lit->n;
	bool known = false;
	for (size_t i = 0; i < db->nslots; i++)
		known |= db->slots[i] == slot;
	if (!known) {
		db->slots = mamori_xrealloc(db->slots, (db->nslots + 1) * sizeof *db->slots);
		db->slots[db->nslots++] = slot;
	}
	return nd;
}

static void needle_rule(needle *nd, uint32_t rule)
{
	if (nd->nrules && nd->rules[nd->nrules - 1] == rule)
		return;
	if (nd->nrules == nd->cap) {
		nd->cap = nd->cap ? nd->cap * 2 : 4;
		nd->rules = mamori_xrealloc(nd->rules, nd->cap * sizeof *nd->rules);
	}
	nd->rules[nd->nrules++] = rule;
}

int sg_prefilter_build(sg_ruleset *rs)
{
	prefilter *pf = mamori_xcalloc(1, sizeof *pf);
	pf->nrules = rs->count;
	rs->prefilter = pf;
	mamori_arena a;
	mamori_arena_init(&a, 0);
	for (size_t i = 0; i < rs->count; i++) {
		const sg_rule *r = rs->rules[i];
		if (!r->info.runnable)
			continue;
		logdb *db = &pf->logs[r->info.log];
		req q = req_node(&a, r->info.log, r, r->cond, 0);
		if (q.none || q.n == 0) {
			db->always = mamori_xrealloc(db->always, (db->nalways + 1) * sizeof *db->always);
			db->always[db->nalways++] = (uint32_t)i;
			continue;
		}
		for (size_t k = 0; k < q.n; k++) {
			sg_str lit = q.a[k].lit;
			char *low = mamori_arena_memdup(&a, lit.s, lit.n + 1);
			sg_str l = {low, lit.n};
			sg_str_lower(&l);
			needle_rule(needle_get(db, q.a[k].slot, &l), (uint32_t)i);
		}
	}
	mamori_arena_free(&a);
	for (int log = 1; log < 3; log++) {
		logdb *db = &pf->logs[log];
		if (!db->nneedles)
			continue;
		const char **exprs = mamori_xcalloc(db->nneedles, sizeof *exprs);
		unsigned *flags = mamori_xcalloc(db->nneedles, sizeof *flags);
		unsigned *ids = mamori_xcalloc(db->nneedles, sizeof *ids);
		size_t *lens = mamori_xcalloc(db->nneedles, sizeof *lens);
		for (size_t i = 0; i < db->nneedles; i++) {
			exprs[i] = db->needles[i].lit;
			flags[i] = HS_FLAG_CASELESS;
			ids[i] = (unsigned)i;
			lens[i] = db->needles[i].len;
		}
		hs_compile_error_t *err = NULL;
		hs_error_t rc = hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)db->nneedles,
						     HS_MODE_BLOCK, NULL, &db->db, &err);
		free(exprs);
		free(flags);
		free(ids);
		free(lens);
		if (rc != HS_SUCCESS) {
			int st = mamori_error_set(rs->ctx, MAMORI_EINTERNAL,
						  "Vectorscan could not compile the Sigma prefilter: %s",
						  err && err->message ? err->message : "unknown error");
			hs_free_compile_error(err);
			return st;
		}
	}
	return MAMORI_OK;
}

void sg_prefilter_free(void *p)
{
	prefilter *pf = p;
	if (!pf)
		return;
	for (int log = 0; log < 3; log++) {
		logdb *db = &pf->logs[log];
		for (size_t i = 0; i < db->nneedles; i++) {
			free(db->needles[i].lit);
			free(db->needles[i].rules);
		}
		free(db->needles);
		free(db->slots);
		free(db->always);
		if (db->db)
			hs_free_database(db->db);
	}
	free(pf);
}

void sg_ruleset_prefilter_stats(const sg_ruleset *rs, size_t *needles, size_t *always)
{
	const prefilter *pf = rs->prefilter;
	*needles = *always = 0;
	for (int log = 0; pf && log < 3; log++) {
		*needles += pf->logs[log].nneedles;
		*always += pf->logs[log].nalways;
	}
}

/* ---- per-record scanning ---- */

typedef struct segment {
	uint32_t start, len;
	int slot;
} segment;

struct sg_pfscan {
	const prefilter *pf;
	hs_scratch_t *scratch;
	char *text;
	size_t len, cap;
	segment *segs;
	size_t nsegs, segcap;
	uint64_t *bits; /* candidate rules */
	size_t nwords;
	uint8_t *seen; /* needles already confirmed in this record */
	size_t nseen;
	uint32_t *out;
	const needle *needles;
};

sg_pfscan *sg_pfscan_new(const sg_ruleset *rs)
{
	sg_pfscan *ps = mamori_xcalloc(1, sizeof *ps);
	ps->pf = rs->prefilter;
	if (!ps->pf) {
		free(ps);
		return NULL;
	}
	for (int log = 1; log < 3; log++)
		if (ps->pf->logs[log].db &&
		    hs_alloc_scratch(ps->pf->logs[log].db, &ps->scratch) != HS_SUCCESS)
			mamori_oom(0);
	ps->nwords = (rs->count + 63) / 64 + 1;
	ps->bits = mamori_xcalloc(ps->nwords, sizeof *ps->bits);
	ps->out = mamori_xcalloc(rs->count + 1, sizeof *ps->out);
	size_t maxn = 1;
	for (int log = 1; log < 3; log++)
		if (ps->pf->logs[log].nneedles > maxn)
			maxn = ps->pf->logs[log].nneedles;
	ps->seen = mamori_xcalloc(maxn, 1);
	ps->nseen = maxn;
	ps->cap = 4096;
	ps->text = mamori_xmalloc(ps->cap);
	return ps;
}

void sg_pfscan_free(sg_pfscan *ps)
{
	if (!ps)
		return;
	if (ps->scratch)
		hs_free_scratch(ps->scratch);
	free(ps->bits);
	free(ps->out);
	free(ps->seen);
	free(ps->text);
	free(ps->segs);
	free(ps);
}

typedef struct build_ud {
	sg_pfscan *ps;
	int slot;
} build_ud;

static bool append_value(void *ud, const char *s, size_t n, uint8_t type)
{
	build_ud *b = ud;
	sg_pfscan *ps = b->ps;
	(void)type;
	if (!s)
		return false;
	if (ps->len + n + 1 > ps->cap) {
		while (ps->len + n + 1 > ps->cap)
			ps->cap *= 2;
		ps->text = mamori_xrealloc(ps->text, ps->cap);
	}
	if (ps->nsegs == ps->segcap) {
		ps->segcap = ps->segcap ? ps->segcap * 2 : 32;
		ps->segs = mamori_xrealloc(ps->segs, ps->segcap * sizeof *ps->segs);
	}
	ps->segs[ps->nsegs++] = (segment){(uint32_t)ps->len, (uint32_t)n, b->slot};
	memcpy(ps->text + ps->len, s, n);
	ps->len += n;
	ps->text[ps->len++] = '\n';
	return false;
}

static int on_hit(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
		  void *ctx)
{
	(void)from;
	(void)flags;
	sg_pfscan *ps = ctx;
	if (ps->seen[id])
		return 0;
	const needle *nd = &ps->needles[id];
	if (to < nd->len)
		return 0;
	uint64_t start = to - nd->len;
	/* the segment holding start: segments are in text order */
	size_t lo = 0, hi = ps->nsegs;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (ps->segs[mid].start <= start)
			lo = mid;
		else
			hi = mid;
	}
	const segment *sg = &ps->segs[lo];
	if (sg->slot != nd->slot || to > (uint64_t)sg->start + sg->len)
		return 0;
	ps->seen[id] = 1;
	for (size_t i = 0; i < nd->nrules; i++)
		ps->bits[nd->rules[i] / 64] |= 1ull << (nd->rules[i] % 64);
	return 0;
}

const uint32_t *sg_pfscan_run(sg_pfscan *ps, int log, const dt_event *ev, size_t *n)
{
	const logdb *db = &ps->pf->logs[log];
	memset(ps->bits, 0, ps->nwords * sizeof *ps->bits);
	for (size_t i = 0; i < db->nalways; i++)
		ps->bits[db->always[i] / 64] |= 1ull << (db->always[i] % 64);
	if (db->db) {
		ps->len = ps->nsegs = 0;
		for (size_t i = 0; i < db->nslots; i++) {
			build_ud b = {ps, db->slots[i]};
			sg_each_value(ev, db->slots[i], append_value, &b);
		}
		if (ps->nsegs) {
			memset(ps->seen, 0, db->nneedles);
			ps->needles = db->needles;
			hs_scan(db->db, ps->text, (unsigned)ps->len, 0, ps->scratch, on_hit, ps);
		}
	}
	size_t k = 0;
	for (size_t w = 0; w < ps->nwords; w++) {
		uint64_t bits = ps->bits[w];
		while (bits) {
			ps->out[k++] = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
			bits &= bits - 1;
		}
	}
	*n = k;
	return ps->out;
}
