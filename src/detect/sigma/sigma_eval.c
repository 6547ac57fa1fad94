/*
 * sigma_eval.c — evaluating compiled Sigma rules on one record.
 *
 * Field values come from the record's index: strings decoded, numbers and
 * booleans as their text, objects as their JSON text (so that
 * `requestParameters|contains: ...` searches the whole subtree, the way a
 * SIEM searches a flattened field), arrays element by element (a field
 * matches when any element matches).  Each selection is evaluated at most
 * once per record (memoised for conditions that name it twice).
 */
#include "sigma_internal.h"

#include <stdlib.h>

bool sg_parse_ip(const char *s, size_t n, uint8_t out[16]);

struct sg_evalctx {
	uint8_t *cache; /* per selection: 0 unknown, 1 false, 2 true */
	size_t n;
	pcre2_match_data *md;
	pcre2_match_context *mc;
};

sg_evalctx *sg_evalctx_new(size_t max_sels)
{
	sg_evalctx *ec = mamori_xcalloc(1, sizeof *ec);
	ec->n = max_sels ? max_sels : 1;
	ec->cache = mamori_xcalloc(ec->n, 1);
	ec->md = pcre2_match_data_create(16, NULL);
	ec->mc = pcre2_match_context_create(NULL);
	if (!ec->md || !ec->mc)
		mamori_oom(0);
	pcre2_set_match_limit(ec->mc, 100000);
	pcre2_set_depth_limit(ec->mc, 1000);
	return ec;
}

void sg_evalctx_free(sg_evalctx *ec)
{
	if (!ec)
		return;
	pcre2_match_data_free(ec->md);
	pcre2_match_context_free(ec->mc);
	free(ec->cache);
	free(ec);
}

/* One value to fn; arrays element by element (one level: deeper arrays as text). */
static bool emit(const dt_event *ev, const dt_jval *v, sg_value_fn fn, void *ud, int depth)
{
	size_t n;
	const char *s;
	switch (v->type) {
	case DT_JNULL:
		return fn(ud, NULL, 0, DT_JNULL);
	case DT_JARR:
		if (depth == 0) {
			size_t it = 0;
			dt_jval el;
			while (dt_json_array_next(v, &it, &el))
				if (emit(ev, &el, fn, ud, depth + 1))
					return true;
			return false;
		}
		return fn(ud, v->p, v->len, DT_JARR);
	default:
		s = dt_event_val_str(ev, v, &n);
		return fn(ud, s, n, v->type);
	}
}

bool sg_each_value(const dt_event *ev, int slot, sg_value_fn fn, void *ud)
{
	if (slot < 0 || (size_t)slot >= ev->ix->nslots)
		return false;
	for (int32_t i = ev->ix->first[slot]; i >= 0; i = ev->ix->next[i])
		if (emit(ev, &ev->ix->vals[i], fn, ud, 0))
			return true;
	return false;
}

static bool present(const dt_event *ev, int slot)
{
	return slot >= 0 && (size_t)slot < ev->ix->nslots && ev->ix->first[slot] >= 0;
}

typedef struct pat_ud {
	const sg_match *m;
	const sg_pat *p;
	sg_evalctx *ec;
	const dt_event *ev;
	bool null_seen;
	const char *ref; /* fieldref: the other value */
	size_t refn;
} pat_ud;

static bool num_of(const char *s, size_t n, double *out)
{
	char buf[64];
	if (!s || n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end;
	*out = strtod(buf, &end);
	return end != buf && *end == '\0';
}

static bool cidr_in(const uint8_t *net, int bits, const uint8_t *a)
{
	int full = bits / 8, rest = bits % 8;
	if (memcmp(net, a, (size_t)full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xFF << (8 - rest));
	return (net[full] & mask) == (a[full] & mask);
}

static bool ref_cmp(const pat_ud *u, const char *v, size_t n)
{
	const char *r = u->ref;
	size_t rn = u->refn;
	bool cased = u->m->cased;
	switch (u->p->ref_shape) {
	case SG_SH_CONTAINS:
		if (rn > n)
			return false;
		for (size_t i = 0; i + rn <= n; i++)
			if (cased ? memcmp(v + i, r, rn) == 0 : dt_ieq(v + i, rn, r, rn))
				return true;
		return false;
	case SG_SH_PREFIX:
		return rn <= n && (cased ? memcmp(v, r, rn) == 0 : dt_ieq(v, rn, r, rn));
	case SG_SH_SUFFIX:
		return rn <= n &&
		       (cased ? memcmp(v + n - rn, r, rn) == 0 : dt_ieq(v + n - rn, rn, r, rn));
	default:
		return n == rn && (cased ? memcmp(v, r, n) == 0 : dt_ieq(v, n, r, rn));
	}
}

/* One field value against one pattern. */
static bool value_fn(void *ud, const char *s, size_t n, uint8_t type)
{
	pat_ud *u = ud;
	const sg_pat *p = u->p;
	if (type == DT_JNULL) {
		u->null_seen = true;
		return false;
	}
	if (!s)
		return false;
	switch (u->m->op) {
	case SG_OP_EQ:
		if (p->is_null)
			return false;
		return sg_str_match(p, u->m->cased, s, n);
	case SG_OP_RE:
		return pcre2_match(p->re, (PCRE2_SPTR)s, n, 0, 0, u->ec->md, u->ec->mc) >= 0;
	case SG_OP_CIDR: {
		uint8_t a[16];
		return sg_parse_ip(s, n, a) && cidr_in(p->addr, p->bits, a);
	}
	case SG_OP_GT:
	case SG_OP_GTE:
	case SG_OP_LT:
	case SG_OP_LTE: {
		double d;
		if (!num_of(s, n, &d))
			return false;
		return u->m->op == SG_OP_GT ? d > p->num : u->m->op == SG_OP_GTE ? d >= p->num
		     : u->m->op == SG_OP_LT ? d < p->num : d <= p->num;
	}
	case SG_OP_FIELDREF:
		return ref_cmp(u, s, n);
	default:
		return false;
	}
}

static bool ref_fn(void *ud, const char *s, size_t n, uint8_t type)
{
	pat_ud *u = ud;
	if (!s || type == DT_JNULL)
		return false;
	u->ref = s;
	u->refn = n;
	return sg_each_value(u->ev, u->m->slot, value_fn, u);
}

static bool pat_matches(const sg_match *m, const sg_pat *p, const dt_event *ev, sg_evalctx *ec)
{
	pat_ud u = {m, p, ec, ev, false, NULL, 0};
	if (m->op == SG_OP_KEYWORD) {
		const char *rec = ev->ix->rec;
		return rec && !p->is_null && sg_str_match(p, m->cased, rec, ev->ix->reclen);
	}
	if (m->op == SG_OP_FIELDREF)
		return sg_each_value(ev, p->ref_slot, ref_fn, &u);
	if (m->op == SG_OP_EQ && p->is_null) {
		if (!present(ev, m->slot))
			return true;
		sg_each_value(ev, m->slot, value_fn, &u);
		return u.null_seen;
	}
	return sg_each_value(ev, m->slot, value_fn, &u);
}

static bool match_eval(const sg_match *m, const dt_event *ev, sg_evalctx *ec)
{
	if (m->op == SG_OP_EXISTS)
		return m->npats && present(ev, m->slot) == m->pats[0].exists;
	if (m->neq) {
		if (!present(ev, m->slot))
			return false;
		for (size_t i = 0; i < m->npats; i++)
			if (pat_matches(m, &m->pats[i], ev, ec))
				return false;
		return true;
	}
	if (m->all) {
		for (size_t i = 0; i < m->npats; i++)
			if (!pat_matches(m, &m->pats[i], ev, ec))
				return false;
		return m->npats > 0;
	}
	for (size_t i = 0; i < m->npats; i++)
		if (pat_matches(m, &m->pats[i], ev, ec))
			return true;
	return false;
}

static bool sel_eval(const sg_sel *s, const dt_event *ev, sg_evalctx *ec)
{
	for (size_t i = 0; i < s->nmaps; i++) {
		const sg_map *mp = &s->maps[i];
		bool ok = true;
		for (size_t j = 0; ok && j < mp->count; j++)
			ok = match_eval(&mp->matches[j], ev, ec);
		if (ok)
			return true;
	}
	return false;
}

static bool node_eval(const sg_rule *r, const sg_node *n, const dt_event *ev, sg_evalctx *ec)
{
	switch (n->kind) {
	case SG_N_SEL: {
		uint8_t *c = &ec->cache[n->sel];
		if (!*c)
			*c = sel_eval(&r->sels[n->sel], ev, ec) ? 2 : 1;
		return *c == 2;
	}
	case SG_N_AND:
		for (size_t i = 0; i < n->nkids; i++)
			if (!node_eval(r, n->kids[i], ev, ec))
				return false;
		return true;
	case SG_N_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if (node_eval(r, n->kids[i], ev, ec))
				return true;
		return false;
	case SG_N_NOT:
		return !node_eval(r, n->kids[0], ev, ec);
	default:
		return true;
	}
}

bool sg_rule_eval(const sg_rule *r, const dt_event *ev, sg_evalctx *ec)
{
	if (r->nsels > ec->n) {
		free(ec->cache);
		ec->n = r->nsels;
		ec->cache = mamori_xcalloc(ec->n, 1);
	}
	memset(ec->cache, 0, r->nsels);
	return node_eval(r, r->cond, ev, ec);
}

/* ---- the scanner ---- */

struct sg_scanner {
	const sg_ruleset *rs;
	bool naive;
	sg_evalctx *ec;
	sg_pfscan *pf;
	sg_aggstate *agg;
	uint64_t evaluations;
};

sg_scanner *sg_scanner_new(const sg_ruleset *rs, bool naive)
{
	sg_scanner *sc = mamori_xcalloc(1, sizeof *sc);
	sc->rs = rs;
	sc->naive = naive;
	sc->ec = sg_evalctx_new(16);
	sc->pf = naive ? NULL : sg_pfscan_new(rs);
	sc->agg = sg_aggstate_new();
	return sc;
}

void sg_scanner_free(sg_scanner *sc)
{
	if (!sc)
		return;
	sg_evalctx_free(sc->ec);
	sg_pfscan_free(sc->pf);
	sg_aggstate_free(sc->agg);
	free(sc);
}

uint64_t sg_scanner_evaluations(const sg_scanner *sc)
{
	return sc->evaluations;
}

static void try_rule(sg_scanner *sc, size_t i, int log, const dt_event *ev, sg_match_fn fn,
		     void *ud)
{
	const sg_rule *r = sc->rs->rules[i];
	if (!r->info.runnable || r->info.log != log)
		return;
	sc->evaluations++;
	if (!sg_rule_eval(r, ev, sc->ec))
		return;
	if (r->agg.on && !sg_agg_step(sc->agg, i, r, ev))
		return;
	fn(ud, i, ev);
}

void sg_scan(sg_scanner *sc, int log, const dt_event *ev, sg_match_fn fn, void *ud)
{
	if (sc->naive || !sc->pf) {
		for (size_t i = 0; i < sc->rs->count; i++)
			try_rule(sc, i, log, ev, fn, ud);
		return;
	}
	size_t n;
	const uint32_t *cand = sg_pfscan_run(sc->pf, log, ev, &n);
	for (size_t k = 0; k < n; k++)
		try_rule(sc, cand[k], log, ev, fn, ud);
}
