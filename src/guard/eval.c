/*
 * eval.c — scopes, queries, clauses and rules (see eval.h).
 *
 * The order of operations and every corner below mirror cfn-guard 3.1.1
 * (eval.rs / eval_context.rs).  The surprising ones are deliberate and
 * pinned by tests against the real binary:
 *   - `[*]` or `.*` over a list does not change the scope, so a filter that
 *     follows (`Tags[*][ Key == "x" ]`) evaluates its clauses against the
 *     enclosing scope's root, not the list element;
 *   - `.*` over a map does scope each value, so `Resources.*[ Type == X ]`
 *     filters resources;
 *   - `not` before a binary clause or a parameterized rule call is ignored;
 *   - a reference to a rule that SKIPped counts as a failure;
 *   - a filter selecting nothing makes the clause SKIP, a missing key FAILs.
 * Recursion follows the rules' nesting (bounded by the parser) and rule
 * references (bounded by MG_EVAL_MAX_DEPTH, with cycles reported).
 */
#include "eval.h"

#include "functions.h"
#include "inflect.h"
#include "parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every recursion of the evaluator (nested blocks and filters, rule references,
 * function calls) counts against this, so that no rules file can exhaust the
 * stack, sanitizers' larger frames included. */
#define MG_EVAL_MAX_DEPTH 250

const char *mg_status_name(int st)
{
	return st == MG_PASS ? "PASS" : st == MG_FAIL ? "FAIL" : "SKIP";
}

int mg_eval_error(mg_eval *ev, const char *fmt, ...)
{
	if (!ev->err[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ev->err, sizeof ev->err, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void mg_qvec_push(mg_eval *ev, mg_qvec *v, uint8_t kind, const mg_value *val, const mg_unres *ur)
{
	if (v->n == v->cap) {
		uint32_t cap = v->cap ? v->cap * 2 : 4;
		mg_qres *nv = mamori_arena_alloc(&ev->arena, cap * sizeof *nv);
		if (v->n)
			memcpy(nv, v->v, v->n * sizeof *nv);
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = (mg_qres){kind, val, ur};
}

static void qvec_append(mg_eval *ev, mg_qvec *dst, const mg_qvec *src)
{
	for (uint32_t i = 0; i < src->n; i++)
		mg_qvec_push(ev, dst, src->v[i].kind, src->v[i].v, src->v[i].ur);
}

void mg_eval_rec(mg_eval *ev, const mg_record *r)
{
	if (!ev->record || (ev->quiet_filters && ev->in_filter))
		return;
	if (ev->nrecs == ev->caprecs) {
		ev->caprecs = ev->caprecs ? ev->caprecs * 2 : 32;
		ev->recs = mamori_xrealloc(ev->recs, ev->caprecs * sizeof *ev->recs);
	}
	mg_record *d = &ev->recs[ev->nrecs++];
	*d = *r;
	if (!d->msg || !*d->msg)
		d->msg = ev->msg_in_force;
}

void mg_eval_init(mg_eval *ev, mamori_ctx *ctx)
{
	memset(ev, 0, sizeof *ev);
	ev->ctx = ctx;
	ev->rx = mg_rx_new();
	mamori_arena_init(&ev->arena, 64 * 1024);
	ev->now = time(NULL);
}

void mg_eval_reset(mg_eval *ev)
{
	mamori_arena_free(&ev->arena);
	mamori_arena_init(&ev->arena, 64 * 1024);
	ev->nrootvars = 0;
	ev->nrecs = 0;
	ev->err[0] = '\0';
	ev->depth = 0;
	ev->msg_in_force = NULL;
}

void mg_eval_free(mg_eval *ev)
{
	mamori_arena_free(&ev->arena);
	mg_rx_free(ev->rx);
	free(ev->rule_status);
	free(ev->rule_busy);
	free(ev->rootvars);
	free(ev->recs);
	memset(ev, 0, sizeof *ev);
}

/* ---- unresolved results ---- */

static const mg_unres *unres(mg_eval *ev, const mg_value *at, const mg_query *q, uint32_t qi,
			     const char *fmt, ...) MAMORI_PRINTF(5, 6);

static const mg_unres *unres(mg_eval *ev, const mg_value *at, const mg_query *q, uint32_t qi,
			     const char *fmt, ...)
{
	mg_unres *u = mamori_arena_alloc(&ev->arena, sizeof *u);
	u->traversed_to = at;
	u->q = q;
	u->qi = qi;
	if (ev->record && fmt && !(ev->quiet_filters && ev->in_filter)) {
		va_list ap;
		va_start(ap, fmt);
		u->reason = mamori_arena_vprintf(&ev->arena, fmt, ap);
		va_end(ap);
	}
	return u;
}

static void push_unres(mg_eval *ev, mg_qvec *out, const mg_value *at, const mg_query *q,
		       uint32_t qi, const char *what, const char *key, uint32_t keylen)
{
	const mg_unres *u = unres(ev, at, q, qi, "%s%s%.*s%s", what, key ? " " : "",
				  (int)(key ? keylen : 0), key ? key : "", key ? "" : "");
	mg_qvec_push(ev, out, MG_QR_UNRESOLVED, NULL, u);
}

/* ---- scopes ---- */

static mg_scope scope_value(mg_scope *parent, const mg_value *v)
{
	mg_scope s = {0};
	s.kind = MG_SC_VALUE;
	s.ev = parent->ev;
	s.parent = parent;
	s.root = v;
	return s;
}

static const mg_value *scope_root(mg_scope *s)
{
	while (s->kind == MG_SC_PARAMS)
		s = s->parent;
	return s->root;
}

static mg_scope *root_scope(mg_scope *s)
{
	while (s->parent)
		s = s->parent;
	return s;
}

static int query_retrieval(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
			   int conv, mg_qvec *out);
static int resolve_variable(mg_scope *s, const char *name, mg_qvec *out);
static int eval_conj(mg_scope *s, const mg_conj *conj, int *status);
static int eval_conj_inner(mg_scope *s, const mg_conj *conj, int *status);

int mg_scope_query(mg_scope *s, const mg_query *q, mg_qvec *out)
{
	switch (s->kind) {
	case MG_SC_ROOT:
	case MG_SC_BLOCK:
		return query_retrieval(s, 0, q, s->root, -1, out);
	case MG_SC_VALUE:
		/* ValueScope queries from its value but resolves through its parent */
		return query_retrieval(s->parent, 0, q, s->root, -1, out);
	default:
		return mg_scope_query(s->parent, q, out);
	}
}

static mg_var *root_var(mg_eval *ev, const char *name, bool create)
{
	for (uint32_t i = 0; i < ev->nrootvars; i++)
		if (strcmp(ev->rootvars[i].name, name) == 0)
			return &ev->rootvars[i];
	if (!create)
		return NULL;
	if (ev->nrootvars == ev->caprootvars) {
		ev->caprootvars = ev->caprootvars ? ev->caprootvars * 2 : 16;
		ev->rootvars = mamori_xrealloc(ev->rootvars, ev->caprootvars * sizeof *ev->rootvars);
	}
	mg_var *v = &ev->rootvars[ev->nrootvars++];
	v->name = name;
	memset(&v->vals, 0, sizeof v->vals);
	return v;
}

static void add_capture(mg_scope *s, const char *name, const mg_value *key)
{
	mg_eval *ev = s->ev;
	(void)root_scope(s);
	mg_var *v = root_var(ev, name, true);
	mg_qvec_push(ev, &v->vals, MG_QR_RESOLVED, key, NULL);
}

static int eval_letval(mg_scope *s, const mg_letval *lv, uint8_t value_kind, mg_qvec *out)
{
	switch (lv->kind) {
	case MG_LV_VALUE:
		mg_qvec_push(s->ev, out, value_kind, lv->value, NULL);
		return 0;
	case MG_LV_QUERY:
		return mg_scope_query(s, &lv->query, out);
	default:
		return mg_call_eval(s, lv->call, out);
	}
}

int mg_call_eval(mg_scope *s, const mg_call *call, mg_qvec *out)
{
	mg_eval *ev = s->ev;
	const mg_fn_def *fd = mg_fn_get(call->fn);
	if (!fd)
		return mg_eval_error(ev, "no such function");
	mg_qvec args[4];
	memset(args, 0, sizeof args);
	if (call->nargs > 4)
		return mg_eval_error(ev, "%s: too many arguments", call->name);
	if (++ev->depth > MG_EVAL_MAX_DEPTH)
		return mg_eval_error(ev, "function calls nested too deeply");
	for (uint32_t i = 0; i < call->nargs; i++)
		if (eval_letval(s, &call->args[i], MG_QR_LITERAL, &args[i])) {
			ev->depth--;
			return -1;
		}
	mg_qvec res = {0};
	int rc = fd->impl(ev, call, args, &res);
	ev->depth--;
	if (rc)
		return rc;
	for (uint32_t i = 0; i < res.n; i++)
		mg_qvec_push(ev, out, MG_QR_RESOLVED, res.v[i].v, NULL);
	return 0;
}

/* A let, resolved in scope s (whose lets include it) and cached. */
static int resolve_let(mg_scope *s, const mg_let *l, mg_qvec *out)
{
	switch (l->val.kind) {
	case MG_LV_VALUE:
		mg_qvec_push(s->ev, out, MG_QR_LITERAL, l->val.value, NULL);
		return 0;
	case MG_LV_CALL:
		return mg_call_eval(s, l->val.call, out);
	default: {
		mg_qvec r = {0};
		if (query_retrieval(s, 0, &l->val.query, s->root, -1, &r))
			return -1;
		if (!l->val.query.match_all) {
			/* `let x = some q` keeps only what resolved */
			for (uint32_t i = 0; i < r.n; i++)
				if (r.v[i].kind == MG_QR_RESOLVED)
					mg_qvec_push(s->ev, out, r.v[i].kind, r.v[i].v, r.v[i].ur);
		} else {
			*out = r;
		}
		return 0;
	}
	}
}

/* the last let of that name and kind (a later definition replaces an earlier one) */
static const mg_let *find_let(const mg_let *lets, uint32_t n, const char *name, int kind)
{
	for (uint32_t i = n; i-- > 0;)
		if (lets[i].val.kind == kind && strcmp(lets[i].name, name) == 0)
			return &lets[i];
	return NULL;
}

static int resolve_variable(mg_scope *s, const char *name, mg_qvec *out)
{
	mg_eval *ev = s->ev;
	switch (s->kind) {
	case MG_SC_ROOT: {
		const mg_rules_file *rf = ev->rf;
		const mg_let *lit = find_let(rf->lets, rf->nlets, name, MG_LV_VALUE);
		if (lit) {
			mg_qvec_push(ev, out, MG_QR_LITERAL, lit->val.value, NULL);
			return 0;
		}
		/* then what is already resolved, captured keys included */
		mg_var *v = root_var(ev, name, false);
		if (v) {
			qvec_append(ev, out, &v->vals);
			return 0;
		}
		const mg_let *found = find_let(rf->lets, rf->nlets, name, MG_LV_CALL);
		if (!found)
			found = find_let(rf->lets, rf->nlets, name, MG_LV_QUERY);
		if (!found)
			return mg_eval_error(ev, "Could not resolve variable by name %s across scopes",
					     name);
		mg_qvec r = {0};
		if (++ev->depth > MG_EVAL_MAX_DEPTH)
			return mg_eval_error(ev, "variable %s refers to itself", name);
		int rc = resolve_let(s, found, &r);
		ev->depth--;
		if (rc)
			return rc;
		v = root_var(ev, name, false);
		if (!v) {
			v = root_var(ev, name, true);
			v->vals = r;
		}
		qvec_append(ev, out, &v->vals);
		return 0;
	}
	case MG_SC_BLOCK: {
		const mg_block *b = s->block;
		const mg_let *l = find_let(b->lets, b->nlets, name, MG_LV_VALUE);
		if (l) {
			mg_qvec_push(ev, out, MG_QR_LITERAL, l->val.value, NULL);
			return 0;
		}
		l = find_let(b->lets, b->nlets, name, MG_LV_CALL);
		if (!l)
			l = find_let(b->lets, b->nlets, name, MG_LV_QUERY);
		if (!l)
			return resolve_variable(s->parent, name, out);
		uint32_t i = (uint32_t)(l - b->lets);
		if (!s->cached[i]) {
			if (++ev->depth > MG_EVAL_MAX_DEPTH)
				return mg_eval_error(ev, "variable %s refers to itself", name);
			mg_qvec r = {0};
			int rc = resolve_let(s, l, &r);
			ev->depth--;
			if (rc)
				return rc;
			s->cache[i] = r;
			s->cached[i] = 1;
		}
		qvec_append(ev, out, &s->cache[i]);
		return 0;
	}
	case MG_SC_PARAMS:
		for (uint32_t i = 0; i < s->prule->nparams; i++)
			if (strcmp(s->prule->params[i], name) == 0) {
				qvec_append(ev, out, &s->params[i]);
				return 0;
			}
		return resolve_variable(s->parent, name, out);
	default:
		return resolve_variable(s->parent, name, out);
	}
}

/* ---- queries (query_retrieval_with_converter) ---- */

static int qnext(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *v, int conv,
		 mg_qvec *out)
{
	return query_retrieval(res, qi, q, v, conv, out);
}

static int retrieve_index(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
			  int32_t index, int conv, mg_qvec *out)
{
	uint32_t check = index >= 0 ? (uint32_t)index : (uint32_t)(-(int64_t)index);
	if (check < cur->list.n)
		return qnext(res, qi + 1, q, cur->list.v[check], conv, out);
	mg_qvec_push(res->ev, out, MG_QR_UNRESOLVED, NULL,
		     unres(res->ev, cur, q, qi, "Array index %d out of bounds (array of %u)", index,
			   cur->list.n));
	return 0;
}

/* [*] over a list: it is an error (unresolved) if there are no elements */
static int accumulate(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
		      int conv, mg_qvec *out)
{
	if (!cur->list.n) {
		mg_qvec_push(res->ev, out, MG_QR_UNRESOLVED, NULL,
			     unres(res->ev, cur, q, qi, "No more entries for value at this path"));
		return 0;
	}
	for (uint32_t i = 0; i < cur->list.n; i++)
		if (qnext(res, qi + 1, q, cur->list.v[i], conv, out))
			return -1;
	return 0;
}

typedef int (*map_fn)(mg_scope *vs, uint32_t qi, const mg_query *q, const mg_qpart *part,
		      const mg_value *key, const mg_value *val, int conv, mg_qvec *out);

/* .* over a map: each value in its own value scope */
static int accumulate_map(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
			  int conv, map_fn fn, mg_qvec *out)
{
	if (!cur->map.n) {
		mg_qvec_push(res->ev, out, MG_QR_UNRESOLVED, NULL,
			     unres(res->ev, cur, q, qi, "No more entries for value at this path"));
		return 0;
	}
	for (uint32_t i = 0; i < cur->map.n; i++) {
		mg_scope vs = scope_value(res, cur->map.v[i]);
		if (fn(&vs, qi + 1, q, &q->parts[qi], cur->map.k[i], cur->map.v[i], conv, out))
			return -1;
	}
	return 0;
}

static int map_values_fn(mg_scope *vs, uint32_t qi, const mg_query *q, const mg_qpart *part,
			 const mg_value *key, const mg_value *val, int conv, mg_qvec *out)
{
	if (part->s)
		add_capture(vs, part->s, key);
	return qnext(vs, qi, q, val, conv, out);
}

/* A filter's clauses on a value (their failures are the filter's business) */
static int filter_conj(mg_scope *s, const mg_conj *filter, int *st)
{
	s->ev->in_filter++;
	int rc = eval_conj(s, filter, st);
	s->ev->in_filter--;
	return rc;
}

/* check_and_delegate: the filter's clauses on the value, in scope vs */
static int filter_fn(mg_scope *vs, uint32_t qi, const mg_query *q, const mg_qpart *part,
		     const mg_value *key, const mg_value *val, int conv, mg_qvec *out)
{
	int st = MG_SKIP;
	if (filter_conj(vs, part->filter, &st))
		return -1;
	if (st == MG_PASS && part->s)
		add_capture(vs, part->s, key);
	if (st != MG_PASS)
		return 0;
	return qnext(vs, qi, q, val, conv, out);
}

/* lower-cased letters and digits of s: what every case conversion keeps */
static size_t signature(const char *s, size_t n, char *out, size_t cap)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z')
			out[k++] = (char)(c - 'A' + 'a');
		else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80)
			out[k++] = (char)c;
	}
	return k;
}

/* Could a case conversion of key name one of the map's keys?  The
 * conversions change case and separators, and ClassCase drops at most a
 * plural ending: a key whose letters and digits are not nearly the same as
 * the wanted key's cannot be hit, so the seven conversions are skipped. */
static bool conversion_may_hit(const mg_value *map, const char *key, uint32_t klen)
{
	char want[128], have[128];
	size_t wl = signature(key, klen, want, sizeof want);
	if (wl >= sizeof want)
		return true;
	for (uint32_t i = 0; i < map->map.n; i++) {
		const mg_value *k = map->map.k[i];
		size_t hl = signature(k->s.p, k->s.len, have, sizeof have);
		if (hl >= sizeof have)
			return true;
		size_t common = wl < 3 ? 0 : wl - 3;
		if (hl + 3 >= wl && hl <= wl + 3 && memcmp(want, have, common < hl ? common : hl) == 0)
			return true;
	}
	return false;
}

static int key_lookup(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
		      const char *key, uint32_t klen, int conv, mg_qvec *out)
{
	const mg_value *v = mg_map_get(cur, key, klen);
	if (v)
		return qnext(res, qi + 1, q, v, conv, out);
	if (!conversion_may_hit(cur, key, klen)) {
		push_unres(res->ev, out, cur, q, qi, "Could not find key", key, klen);
		return 0;
	}
	mamori_buf b = MAMORI_BUF_INIT;
	if (conv >= 0) {
		mg_inflect(conv, key, klen, &b);
		v = mg_map_get(cur, b.data, b.len);
		mamori_buf_free(&b);
		if (v)
			return qnext(res, qi + 1, q, v, conv, out);
	} else {
		for (int c = 0; c < MG_CONV__COUNT; c++) {
			mamori_buf_reset(&b);
			mg_inflect(c, key, klen, &b);
			v = mg_map_get(cur, b.data, b.len);
			if (v) {
				mamori_buf_free(&b);
				return qnext(res, qi + 1, q, v, c, out);
			}
		}
		mamori_buf_free(&b);
	}
	push_unres(res->ev, out, cur, q, qi, "Could not find key", key, klen);
	return 0;
}

static int var_key_lookup(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
			  const mg_value *k, int conv, mg_qvec *out)
{
	const mg_value *v = mg_map_get(cur, k->s.p, k->s.len);
	if (v)
		return qnext(res, qi + 1, q, v, conv, out);
	push_unres(res->ev, out, cur, q, qi, "Could not locate key", k->s.p, k->s.len);
	return 0;
}

static int interpolate(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
		       int conv, mg_qvec *out)
{
	mg_eval *ev = res->ev;
	const mg_qpart *part = &q->parts[qi];
	mg_qvec keys = {0};
	if (resolve_variable(res, part->s, &keys))
		return -1;
	if (qi + 1 < q->n) {
		const mg_qpart *nx = &q->parts[qi + 1];
		if (nx->kind == MG_QP_INDEX) {
			uint32_t check = nx->index >= 0 ? (uint32_t)nx->index
							: (uint32_t)(-(int64_t)nx->index);
			if (check >= keys.n) {
				mg_qvec_push(ev, out, MG_QR_UNRESOLVED, NULL,
					     unres(ev, cur, q, qi,
						   "Index %u on the values of variable %s is out of "
						   "bounds",
						   check, part->s));
				return 0;
			}
			mg_qres one = keys.v[check];
			keys.v = mamori_arena_memdup(&ev->arena, &one, sizeof one);
			keys.n = keys.cap = 1;
		} else if (nx->kind != MG_QP_ALL_INDICES && nx->kind != MG_QP_KEY) {
			return mg_eval_error(ev,
					     "This type of query based variable interpolation is not "
					     "supported (%%%s)",
					     part->s);
		}
	}
	for (uint32_t i = 0; i < keys.n; i++) {
		const mg_qres *k = &keys.v[i];
		if (k->kind == MG_QR_UNRESOLVED) {
			mg_qvec_push(ev, out, MG_QR_UNRESOLVED, NULL,
				     unres(ev, cur, q, qi,
					   "Keys returned for variable %s could not completely resolve",
					   part->s));
			continue;
		}
		if (k->v->type == MG_STRING) {
			if (var_key_lookup(res, qi, q, cur, k->v, conv, out))
				return -1;
		} else if (k->v->type == MG_LIST) {
			for (uint32_t j = 0; j < k->v->list.n; j++) {
				const mg_value *e = k->v->list.v[j];
				if (e->type != MG_STRING)
					return mg_eval_error(ev,
							     "Variable projections inside a query are "
							     "returning a non-string value for a key (%s)",
							     mg_type_name(e));
				if (var_key_lookup(res, qi, q, cur, e, conv, out))
					return -1;
			}
		} else {
			return mg_eval_error(ev,
					     "Variable projections inside a query are returning a "
					     "non-string value for a key (%s)",
					     mg_type_name(k->v));
		}
	}
	return 0;
}

static int mapkey_filter(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
			 int conv, mg_qvec *out)
{
	mg_eval *ev = res->ev;
	const mg_qpart *part = &q->parts[qi];
	mg_qvec rhs = {0};
	if (part->mk_rhs->kind == MG_LV_QUERY) {
		if (query_retrieval(res, 0, &part->mk_rhs->query, cur, conv, &rhs))
			return -1;
	} else if (part->mk_rhs->kind == MG_LV_VALUE) {
		mg_qvec_push(ev, &rhs, MG_QR_LITERAL, part->mk_rhs->value, NULL);
	} else {
		return mg_eval_error(ev, "a function call is not supported in a KEYS filter");
	}
	mg_qvec lhs = {0};
	for (uint32_t i = 0; i < cur->map.n; i++)
		mg_qvec_push(ev, &lhs, MG_QR_RESOLVED, cur->map.k[i], NULL);
	mg_evres r = {0};
	if (mg_op_keys(ev, part->mk_op, part->mk_not, &lhs, &rhs, &r))
		return -1;
	for (uint32_t i = 0; i < r.n; i++) {
		const mg_vstat *st = &r.v[i];
		if (st->q.kind == MG_QR_UNRESOLVED) {
			mg_qvec_push(ev, out, MG_QR_UNRESOLVED, NULL, st->q.ur);
			continue;
		}
		if (st->status != MG_PASS || st->q.v->type != MG_STRING)
			continue;
		const mg_value *v = mg_map_get(cur, st->q.v->s.p, st->q.v->s.len);
		if (v && qnext(res, qi + 1, q, v, conv, out))
			return -1;
	}
	return 0;
}

static int query_retrieval(mg_scope *res, uint32_t qi, const mg_query *q, const mg_value *cur,
			   int conv, mg_qvec *out)
{
	mg_eval *ev = res->ev;
	if (qi >= q->n) {
		mg_qvec_push(ev, out, MG_QR_RESOLVED, cur, NULL);
		return 0;
	}
	const mg_qpart *part = &q->parts[qi];
	if (qi == 0 && part->kind == MG_QP_KEY && part->var) {
		mg_qvec vals = {0};
		if (resolve_variable(res, part->s, &vals))
			return -1;
		for (uint32_t i = 0; i < vals.n; i++) {
			const mg_qres *e = &vals.v[i];
			if (e->kind == MG_QR_UNRESOLVED) {
				mg_qvec_push(ev, out, e->kind, e->v, e->ur);
				continue;
			}
			uint32_t idx = 1;
			if (q->n > 1 && q->parts[1].kind == MG_QP_ALL_INDICES)
				idx = 2;
			if (idx < q->n) {
				mg_scope vs = scope_value(res, e->v);
				if (query_retrieval(&vs, idx, q, e->v, conv, out))
					return -1;
			} else {
				mg_qvec_push(ev, out, e->kind, e->v, e->ur);
			}
		}
		return 0;
	}
	switch ((mg_qp_kind)part->kind) {
	case MG_QP_THIS:
		return qnext(res, qi + 1, q, cur, conv, out);
	case MG_QP_KEY:
		if (!part->var && part->key_is_int) {
			if (cur->type == MG_LIST)
				return retrieve_index(res, qi, q, cur, part->index, conv, out);
			push_unres(ev, out, cur, q, qi, "Attempting to retrieve an index from a non-array",
				   NULL, 0);
			return 0;
		}
		if (cur->type != MG_MAP) {
			push_unres(ev, out, cur, q, qi,
				   "Attempting to retrieve a key from a value that is not a struct, key",
				   part->var ? NULL : part->s, part->slen);
			return 0;
		}
		if (part->var)
			return interpolate(res, qi, q, cur, conv, out);
		return key_lookup(res, qi, q, cur, part->s, part->slen, conv, out);
	case MG_QP_INDEX:
		if (cur->type == MG_LIST)
			return retrieve_index(res, qi, q, cur, part->index, conv, out);
		push_unres(ev, out, cur, q, qi, "Attempting to retrieve an index from a non-array",
			   NULL, 0);
		return 0;
	case MG_QP_ALL_INDICES:
		if (cur->type == MG_LIST)
			return accumulate(res, qi, q, cur, conv, out);
		if (cur->type == MG_MAP) {
			if (!part->s) /* [*] on a map passes the map itself along */
				return qnext(res, qi + 1, q, cur, conv, out);
			return accumulate_map(res, qi, q, cur, conv, map_values_fn, out);
		}
		return qnext(res, qi + 1, q, cur, conv, out);
	case MG_QP_ALL_VALUES:
		if (cur->type == MG_LIST)
			return accumulate(res, qi, q, cur, conv, out);
		if (cur->type == MG_MAP)
			return accumulate_map(res, qi, q, cur, conv, map_values_fn, out);
		return qnext(res, qi + 1, q, cur, conv, out);
	case MG_QP_FILTER: {
		uint8_t prev = qi ? q->parts[qi - 1].kind : 0xff;
		if (cur->type == MG_MAP) {
			if (prev == MG_QP_ALL_VALUES || prev == MG_QP_ALL_INDICES) {
				int st = MG_SKIP;
				if (filter_conj(res, part->filter, &st))
					return -1;
				return st == MG_PASS ? qnext(res, qi + 1, q, cur, conv, out) : 0;
			}
			if (prev == MG_QP_KEY) {
				if (!cur->map.n)
					return 0;
				return accumulate_map(res, qi, q, cur, conv, filter_fn, out);
			}
			/* cfn-guard panics here (unreachable!()); an error is kinder */
			return mg_eval_error(ev, "a filter can only follow a key, .* or [*]");
		}
		if (cur->type == MG_LIST) {
			for (uint32_t i = 0; i < cur->list.n; i++) {
				const mg_value *e = cur->list.v[i];
				mg_scope vs = scope_value(res, e);
				int st = MG_SKIP;
				if (filter_conj(&vs, part->filter, &st))
					return -1;
				if (st == MG_PASS && qnext(res, qi + 1, q, e, conv, out))
					return -1;
			}
			return 0;
		}
		if (prev == MG_QP_ALL_INDICES) {
			mg_scope vs = scope_value(res, cur);
			int st = MG_SKIP;
			if (filter_conj(&vs, part->filter, &st))
				return -1;
			return st == MG_PASS ? qnext(res, qi + 1, q, cur, conv, out) : 0;
		}
		push_unres(ev, out, cur, q, qi, "Filter on a value that is not a struct or array",
			   NULL, 0);
		return 0;
	}
	case MG_QP_MAPKEY:
		if (cur->type == MG_MAP)
			return mapkey_filter(res, qi, q, cur, conv, out);
		push_unres(ev, out, cur, q, qi, "KEYS filter on a value that is not a struct", NULL,
			   0);
		return 0;
	}
	return 0;
}

/* ---- clauses ---- */

static int eval_clause(mg_scope *s, const mg_clause *c, int *status);

static int eval_block(mg_scope *parent, const mg_block *b, int *status)
{
	/* always a block scope: queries in it (and the filters inside them) start
	 * from its root, not from the parent's resolver */
	mg_eval *ev = parent->ev;
	mg_scope bs = {0};
	bs.kind = MG_SC_BLOCK;
	bs.ev = ev;
	bs.parent = parent;
	bs.root = scope_root(parent);
	bs.block = b;
	if (b->nlets) {
		bs.cache = mamori_arena_alloc(&ev->arena, b->nlets * sizeof *bs.cache);
		bs.cached = mamori_arena_alloc(&ev->arena, b->nlets);
	}
	return eval_conj(&bs, &b->conj, status);
}

static int eval_conj(mg_scope *s, const mg_conj *conj, int *status)
{
	mg_eval *ev = s->ev;
	if (++ev->depth > MG_EVAL_MAX_DEPTH)
		return mg_eval_error(ev, "rules nested too deeply to evaluate");
	int rc = eval_conj_inner(s, conj, status);
	ev->depth--;
	return rc;
}

static int eval_conj_inner(mg_scope *s, const mg_conj *conj, int *status)
{
	mg_eval *ev = s->ev;
	uint32_t passes = 0, fails = 0;
	for (uint32_t i = 0; i < conj->n; i++) {
		const mg_disj *d = &conj->d[i];
		uint32_t dfails = 0;
		uint32_t mark = ev->nrecs;
		bool passed = false;
		for (uint32_t j = 0; j < d->n; j++) {
			int st = MG_SKIP;
			if (eval_clause(s, d->c[j], &st))
				return -1;
			if (st == MG_PASS) {
				passes++;
				passed = true;
				break;
			}
			if (st == MG_FAIL)
				dfails++;
		}
		if (passed)
			ev->nrecs = mark; /* an `or` that held: its failed branches are not evidence */
		else if (dfails)
			fails++;
	}
	*status = fails ? MG_FAIL : passes ? MG_PASS : MG_SKIP;
	return 0;
}

static int rule_status(mg_scope *s, const char *name, int *status);
static int eval_rule(mg_scope *s, const mg_rule *r, int *status);

static int eval_access(mg_scope *s, const mg_clause *c, int *status)
{
	mg_eval *ev = s->ev;
	mg_evres r = {0};
	if (mg_op_is_unary(c->op)) {
		if (mg_op_unary(s, c, &r))
			return -1;
	} else {
		mg_qvec rhs = {0};
		if (eval_letval(s, c->rhs, MG_QR_LITERAL, &rhs))
			return -1;
		mg_qvec lhs = {0};
		if (mg_scope_query(s, &c->q, &lhs))
			return -1;
		if (mg_op_binary(s, c, &lhs, &rhs, &r))
			return -1;
	}
	(void)ev;
	if (r.empty) {
		*status = r.status;
		return 0;
	}
	uint32_t fails = 0, passes = 0;
	for (uint32_t i = 0; i < r.n; i++) {
		if (r.v[i].status == MG_PASS)
			passes++;
		else
			fails++;
	}
	if (c->q.match_all)
		*status = fails ? MG_FAIL : MG_PASS;
	else
		*status = passes ? MG_PASS : MG_FAIL;
	return 0;
}

static int eval_named(mg_scope *s, const mg_clause *c, int *status)
{
	int st = MG_SKIP;
	uint32_t mark = s->ev->nrecs;
	if (rule_status(s, c->rule, &st))
		return -1;
	bool pass = st == MG_PASS;
	*status = (pass != c->negation) ? MG_PASS : MG_FAIL;
	if (*status == MG_FAIL) {
		s->ev->nrecs = mark;
		mg_eval_rec(s->ev, &(mg_record){.kind = MG_REC_RULE, .clause = c, .msg = c->msg});
	}
	return 0;
}

static int eval_block_clause(mg_scope *s, const mg_clause *c, int *status)
{
	mg_eval *ev = s->ev;
	mg_qvec vals = {0};
	if (mg_scope_query(s, &c->q, &vals))
		return -1;
	if (!vals.n) {
		*status = c->not_empty ? MG_FAIL : MG_SKIP;
		if (*status == MG_FAIL)
			mg_eval_rec(ev, &(mg_record){.kind = MG_REC_EMPTY_QUERY, .clause = c});
		return 0;
	}
	uint32_t fails = 0, passes = 0;
	for (uint32_t i = 0; i < vals.n; i++) {
		const mg_qres *e = &vals.v[i];
		if (e->kind == MG_QR_UNRESOLVED) {
			fails++;
			mg_eval_rec(ev, &(mg_record){.kind = MG_REC_BLOCK_MISSING, .clause = c,
						     .ur = e->ur});
			continue;
		}
		mg_scope vs = scope_value(s, e->v);
		int st = MG_SKIP;
		uint32_t mark = ev->nrecs;
		if (eval_block(&vs, &c->block, &st))
			return -1;
		if (st == MG_PASS)
			passes++;
		else if (st == MG_FAIL)
			fails++;
		if (st != MG_FAIL)
			ev->nrecs = mark;
	}
	if (c->q.match_all)
		*status = fails ? MG_FAIL : passes ? MG_PASS : MG_SKIP;
	else
		*status = passes ? MG_PASS : fails ? MG_FAIL : MG_SKIP;
	return 0;
}

/* the conditions of a `when` hold: evaluate them without keeping evidence */
static int eval_conditions(mg_scope *s, const mg_conj *conds, int *status)
{
	mg_eval *ev = s->ev;
	uint32_t mark = ev->nrecs;
	int rc = eval_conj(s, conds, status);
	ev->nrecs = mark;
	return rc;
}

/* `when conds { block }` and `rule r when conds { block }`: SKIP unless
 * the conditions PASS */
static int eval_guarded(mg_scope *s, const mg_conj *conds, const mg_block *block, int *status)
{
	if (conds) {
		int st = MG_SKIP;
		if (eval_conditions(s, conds, &st))
			return -1;
		if (st != MG_PASS) {
			*status = MG_SKIP;
			return 0;
		}
	}
	return eval_block(s, block, status);
}

static int eval_when(mg_scope *s, const mg_clause *c, int *status)
{
	return eval_guarded(s, c->conds, &c->block, status);
}

static int eval_pcall(mg_scope *s, const mg_clause *c, int *status)
{
	mg_eval *ev = s->ev;
	const mg_rule *pr = mg_rules_find_param(ev->rf, c->rule);
	if (!pr)
		return mg_eval_error(ev, "Parameterized Rule with name %s was not found", c->rule);
	if (pr->nparams != c->nargs)
		return mg_eval_error(ev,
				     "Arity mismatch for called parameter rule %s, expected %u, got %u",
				     c->rule, pr->nparams, c->nargs);
	mg_qvec *params = mamori_arena_alloc(&ev->arena, (c->nargs ? c->nargs : 1) * sizeof *params);
	for (uint32_t i = 0; i < c->nargs; i++)
		if (eval_letval(s, &c->args[i], MG_QR_RESOLVED, &params[i]))
			return -1;
	mg_scope ps = {0};
	ps.kind = MG_SC_PARAMS;
	ps.ev = ev;
	ps.parent = s;
	ps.prule = pr;
	ps.params = params;
	if (++ev->depth > MG_EVAL_MAX_DEPTH)
		return mg_eval_error(ev, "parameterized rule %s calls itself too deeply", c->rule);
	const char *saved = ev->msg_in_force;
	if (c->msg)
		ev->msg_in_force = c->msg;
	int rc = eval_rule(&ps, pr, status);
	ev->msg_in_force = saved;
	ev->depth--;
	return rc;
}

static int eval_type_block(mg_scope *s, const mg_clause *c, int *status)
{
	mg_eval *ev = s->ev;
	if (c->conds) {
		int st = MG_SKIP;
		if (eval_conditions(s, c->conds, &st))
			return -1;
		if (st != MG_PASS) {
			*status = MG_SKIP;
			return 0;
		}
	}
	mg_qvec vals = {0};
	if (mg_scope_query(s, &c->q, &vals))
		return -1;
	for (uint32_t i = 0; i < vals.n; i++)
		if (vals.v[i].kind == MG_QR_UNRESOLVED)
			return mg_eval_error(ev,
					     "There was no variable or value object to resolve. Error = "
					     "`Unable to resolve type block query: %s`",
					     c->type_name);
	if (!vals.n) {
		*status = MG_SKIP;
		return 0;
	}
	uint32_t fails = 0, passes = 0;
	for (uint32_t i = 0; i < vals.n; i++) {
		mg_scope vs = scope_value(s, vals.v[i].v);
		int st = MG_SKIP;
		uint32_t mark = ev->nrecs;
		if (eval_block(&vs, &c->block, &st))
			return -1;
		if (st == MG_PASS)
			passes++;
		else if (st == MG_FAIL)
			fails++;
		if (st != MG_FAIL)
			ev->nrecs = mark;
	}
	*status = fails ? MG_FAIL : passes ? MG_PASS : MG_SKIP;
	return 0;
}

static int eval_clause(mg_scope *s, const mg_clause *c, int *status)
{
	mg_eval *ev = s->ev;
	uint32_t mark = ev->nrecs;
	int rc;
	switch ((mg_clause_kind)c->kind) {
	case MG_C_ACCESS:
		rc = eval_access(s, c, status);
		break;
	case MG_C_NAMED:
		rc = eval_named(s, c, status);
		break;
	case MG_C_BLOCK:
		rc = eval_block_clause(s, c, status);
		break;
	case MG_C_WHEN:
		rc = eval_when(s, c, status);
		break;
	case MG_C_PCALL:
		rc = eval_pcall(s, c, status);
		break;
	case MG_C_TYPE:
		rc = eval_type_block(s, c, status);
		break;
	default:
		rc = mg_eval_error(ev, "unknown clause");
	}
	if (!rc && *status != MG_FAIL)
		ev->nrecs = mark;
	return rc;
}

static int eval_rule(mg_scope *s, const mg_rule *r, int *status)
{
	return eval_guarded(s, r->conds, &r->block, status);
}

static int rule_status(mg_scope *s, const char *name, int *status)
{
	mg_eval *ev = s->ev;
	mg_scope *root = root_scope(s);
	const mg_rules_file *rf = ev->rf;
	uint32_t id = UINT32_MAX;
	for (uint32_t i = 0; i < rf->nnames; i++)
		if (strcmp(rf->names[i], name) == 0) {
			id = i;
			break;
		}
	if (id == UINT32_MAX)
		return mg_eval_error(ev, "Rule %s by that name does not exist", name);
	if (ev->rule_status[id] >= 0) {
		*status = ev->rule_status[id];
		return 0;
	}
	if (ev->rule_busy[id])
		return mg_eval_error(ev, "Rule %s depends on itself", name);
	ev->rule_busy[id] = 1;
	int st = MG_SKIP;
	for (uint32_t i = 0; i < rf->nrules; i++) {
		if (rf->rules[i]->name_id != id)
			continue;
		if (++ev->depth > MG_EVAL_MAX_DEPTH) {
			ev->rule_busy[id] = 0;
			return mg_eval_error(ev, "rule references nested too deeply");
		}
		const char *saved = ev->msg_in_force;
		ev->msg_in_force = NULL;
		int rc = eval_rule(root, rf->rules[i], &st);
		ev->msg_in_force = saved;
		ev->depth--;
		if (rc) {
			ev->rule_busy[id] = 0;
			return rc;
		}
		if (st != MG_SKIP)
			break;
	}
	ev->rule_busy[id] = 0;
	ev->rule_status[id] = (int8_t)st;
	*status = st;
	return 0;
}

int mg_eval_rules(mg_eval *ev, const mg_rules_file *rf, const mg_value *root,
		  mg_rule_result *results)
{
	ev->rf = rf;
	ev->root = root;
	ev->err[0] = '\0';
	if (rf->nnames > ev->nnames_cap) {
		ev->nnames_cap = rf->nnames;
		ev->rule_status = mamori_xrealloc(ev->rule_status, rf->nnames);
		ev->rule_busy = mamori_xrealloc(ev->rule_busy, rf->nnames);
	}
	if (rf->nnames) {
		memset(ev->rule_status, -1, rf->nnames);
		memset(ev->rule_busy, 0, rf->nnames);
	}
	mg_scope rs = {0};
	rs.kind = MG_SC_ROOT;
	rs.ev = ev;
	rs.root = root;
	for (uint32_t i = 0; i < rf->nrules; i++) {
		uint32_t mark = ev->nrecs;
		int st = MG_SKIP;
		ev->msg_in_force = NULL;
		if (eval_rule(&rs, rf->rules[i], &st))
			return -1;
		if (st != MG_FAIL)
			ev->nrecs = mark;
		results[i].rule = rf->rules[i];
		results[i].status = st;
		results[i].rec_start = mark;
		results[i].rec_count = ev->nrecs - mark;
	}
	return 0;
}

/* the evaluator's view of an AST node, for the operator file */
const mg_value *mg_scope_root(mg_scope *s);
const mg_value *mg_scope_root(mg_scope *s)
{
	return scope_root(s);
}
