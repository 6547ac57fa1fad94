/*
 * ops.c — Guard's operators: per-value outcomes of ==, IN, <, <=, >, >= and
 * the unary checks (EXISTS, EMPTY, IS_*), with cfn-guard 3.1.1's semantics
 * (operators.rs and the unary/binary operations of eval.rs).
 *
 * The comparison of two result lists depends on their shapes, exactly as in
 * cfn-guard:
 *   - a query against one literal compares each value (a list value
 *     element-wise, a one-element list literal by its element);
 *   - two queries (or variables) are compared as sets: `==` holds when the
 *     larger side has nothing the other lacks, IN when every left value is
 *     contained in some right value;
 *   - strings IN strings means "is a substring of";
 *   - int and float are never comparable (10 > 5.0 fails);
 *   - `!=` / NOT IN invert the outcome of comparable pairs only: a missing
 *     value or an incomparable pair fails either way.
 */
#include "eval.h"

#include <string.h>

typedef struct vlist {
	const mg_value **v;
	uint32_t n, cap;
} vlist;

enum { VR_LHS_UNRES, VR_RHS_UNRES, VR_NOTCMP, VR_SUCC, VR_FAIL };
enum { CK_VALUE, CK_VALUE_IN, CK_LIST_IN, CK_QUERY_IN };

typedef struct vr {
	uint8_t kind, ck;
	const mg_value *lhs, *rhs;
	const mg_unres *ur;
	vlist diff, lhsl, rhsl;
} vr;

typedef struct vrs {
	vr *v;
	uint32_t n, cap;
} vrs;

enum { F_EQ, F_LT, F_LE, F_GT, F_GE };

static void vl_push(mg_eval *ev, vlist *l, const mg_value *v)
{
	if (l->n == l->cap) {
		uint32_t cap = l->cap ? l->cap * 2 : 4;
		const mg_value **nv = mamori_arena_alloc(&ev->arena, cap * sizeof *nv);
		if (l->n)
			memcpy(nv, l->v, l->n * sizeof *nv);
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = v;
}

static vr *vr_push(mg_eval *ev, vrs *r)
{
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 4;
		vr *nv = mamori_arena_alloc(&ev->arena, cap * sizeof *nv);
		if (r->n)
			memcpy(nv, r->v, r->n * sizeof *nv);
		r->v = nv;
		r->cap = cap;
	}
	vr *x = &r->v[r->n++];
	memset(x, 0, sizeof *x);
	return x;
}

static int cmp_fn(mg_eval *ev, int f, const mg_value *a, const mg_value *b)
{
	switch (f) {
	case F_EQ:
		return mg_compare_eq(ev->rx, a, b);
	case F_LT:
		return mg_compare_lt(a, b);
	case F_LE:
		return mg_compare_le(a, b);
	case F_GT:
		return mg_compare_gt(a, b);
	default:
		return mg_compare_ge(a, b);
	}
}

static void match_value(mg_eval *ev, vrs *out, const mg_value *l, const mg_value *r, int f)
{
	int rc = cmp_fn(ev, f, l, r);
	vr *x = vr_push(ev, out);
	x->lhs = l;
	x->rhs = r;
	x->ck = CK_VALUE;
	/* a regex that cannot run (match limits) has no answer: like incomparable */
	x->kind = rc == 1 ? VR_SUCC : rc == 0 ? VR_FAIL : VR_NOTCMP;
}

static bool vl_contains(mg_eval *ev, const vlist *l, const mg_value *v)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (mg_value_equal(ev->rx, l->v[i], v))
			return true;
	return false;
}

static bool list_contains(mg_eval *ev, const mg_value *list, const mg_value *v)
{
	for (uint32_t i = 0; i < list->list.n; i++)
		if (mg_value_equal(ev->rx, list->list.v[i], v))
			return true;
	return false;
}

/* selected(): the values of a result list; unresolved ones reported via cb */
static vlist selected(mg_eval *ev, const mg_qvec *q)
{
	vlist l = {0};
	for (uint32_t i = 0; i < q->n; i++)
		if (q->v[i].kind != MG_QR_UNRESOLVED)
			vl_push(ev, &l, q->v[i].v);
	return l;
}

static vlist flattened(mg_eval *ev, const mg_qvec *q)
{
	vlist l = {0};
	for (uint32_t i = 0; i < q->n; i++) {
		const mg_qres *e = &q->v[i];
		if (e->kind == MG_QR_UNRESOLVED)
			continue;
		if (e->v->type == MG_LIST)
			for (uint32_t j = 0; j < e->v->list.n; j++)
				vl_push(ev, &l, e->v->list.v[j]);
		else
			vl_push(ev, &l, e->v);
	}
	return l;
}

static void lhs_unresolved(mg_eval *ev, const mg_qvec *lhs, vrs *out)
{
	for (uint32_t i = 0; i < lhs->n; i++)
		if (lhs->v[i].kind == MG_QR_UNRESOLVED) {
			vr *x = vr_push(ev, out);
			x->kind = VR_LHS_UNRES;
			x->ur = lhs->v[i].ur;
		}
}

static void rhs_unresolved(mg_eval *ev, const mg_qvec *rhs, const vlist *lhs, vrs *out)
{
	for (uint32_t i = 0; i < rhs->n; i++)
		if (rhs->v[i].kind == MG_QR_UNRESOLVED)
			for (uint32_t j = 0; j < lhs->n; j++) {
				vr *x = vr_push(ev, out);
				x->kind = VR_RHS_UNRES;
				x->ur = rhs->v[i].ur;
				x->lhs = lhs->v[j];
			}
}

static const mg_value *is_literal(const mg_qvec *q)
{
	return q->n == 1 && q->v[0].kind == MG_QR_LITERAL ? q->v[0].v : NULL;
}

/* CommonOperator: <, <=, >, >= over flattened sides */
static void common_op(mg_eval *ev, int f, const mg_qvec *lhs, const mg_qvec *rhs, vrs *out)
{
	lhs_unresolved(ev, lhs, out);
	vlist lf = flattened(ev, lhs);
	rhs_unresolved(ev, rhs, &lf, out);
	vlist rf = flattened(ev, rhs);
	for (uint32_t i = 0; i < lf.n; i++)
		for (uint32_t j = 0; j < rf.n; j++)
			match_value(ev, out, lf.v[i], rf.v[j], F_EQ == f ? F_EQ : f);
}

static void query_in(mg_eval *ev, vrs *out, bool ok, vlist diff, vlist l, vlist r)
{
	vr *x = vr_push(ev, out);
	x->kind = ok ? VR_SUCC : VR_FAIL;
	x->ck = CK_QUERY_IN;
	x->diff = diff;
	x->lhsl = l;
	x->rhsl = r;
}

static void eq_op(mg_eval *ev, const mg_qvec *lhs, const mg_qvec *rhs, vrs *out)
{
	const mg_value *l = is_literal(lhs), *r = is_literal(rhs);
	if (l && r) {
		match_value(ev, out, l, r, F_EQ);
		return;
	}
	if (l) {
		vlist one = {0};
		vl_push(ev, &one, l);
		rhs_unresolved(ev, rhs, &one, out);
		vlist rs = selected(ev, rhs);
		for (uint32_t i = 0; i < rs.n; i++) {
			const mg_value *e = rs.v[i];
			if (l->type != MG_LIST && e->type == MG_LIST)
				for (uint32_t j = 0; j < e->list.n; j++)
					match_value(ev, out, l, e->list.v[j], F_EQ);
			else
				match_value(ev, out, l, e, F_EQ);
		}
		return;
	}
	if (r) {
		lhs_unresolved(ev, lhs, out);
		vlist ls = selected(ev, lhs);
		for (uint32_t i = 0; i < ls.n; i++) {
			const mg_value *e = ls.v[i];
			if (r->type == MG_LIST) {
				if (mg_is_scalar(e) && r->list.n == 1)
					match_value(ev, out, e, r->list.v[0], F_EQ);
				else
					match_value(ev, out, e, r, F_EQ);
			} else if (e->type == MG_LIST) {
				for (uint32_t j = 0; j < e->list.n; j++)
					match_value(ev, out, e->list.v[j], r, F_EQ);
			} else {
				match_value(ev, out, e, r, F_EQ);
			}
		}
		return;
	}
	lhs_unresolved(ev, lhs, out);
	vlist ls = selected(ev, lhs);
	rhs_unresolved(ev, rhs, &ls, out);
	vlist rs = selected(ev, rhs);
	vlist diff = {0};
	if (ls.n > rs.n) {
		for (uint32_t i = 0; i < ls.n; i++)
			if (!vl_contains(ev, &rs, ls.v[i]))
				vl_push(ev, &diff, ls.v[i]);
	} else {
		for (uint32_t i = 0; i < rs.n; i++)
			if (!vl_contains(ev, &ls, rs.v[i]))
				vl_push(ev, &diff, rs.v[i]);
	}
	query_in(ev, out, diff.n == 0, diff, ls, rs);
}

static void string_in(mg_eval *ev, vrs *out, const mg_value *l, const mg_value *r)
{
	vr *x = vr_push(ev, out);
	x->lhs = l;
	x->rhs = r;
	x->ck = CK_VALUE;
	if (l->type == MG_STRING && r->type == MG_STRING) {
		bool found = l->s.len == 0 ||
			     (r->s.len >= l->s.len && memmem(r->s.p, r->s.len, l->s.p, l->s.len));
		x->kind = found ? VR_SUCC : VR_FAIL;
	} else {
		x->kind = VR_NOTCMP;
	}
}

static void contained_in(mg_eval *ev, vrs *out, const mg_value *l, const mg_value *r)
{
	if (l->type == MG_LIST) {
		if (r->type != MG_LIST) {
			vr *x = vr_push(ev, out);
			x->kind = VR_NOTCMP;
			x->lhs = l;
			x->rhs = r;
			return;
		}
		vr *x = vr_push(ev, out);
		x->ck = CK_LIST_IN;
		x->lhs = l;
		x->rhs = r;
		if (r->list.n && r->list.v[0]->type == MG_LIST) {
			bool in = list_contains(ev, r, l);
			x->kind = in ? VR_SUCC : VR_FAIL;
			if (!in)
				vl_push(ev, &x->diff, l);
			return;
		}
		for (uint32_t i = 0; i < l->list.n; i++)
			if (!list_contains(ev, r, l->list.v[i]))
				vl_push(ev, &x->diff, l->list.v[i]);
		x->kind = x->diff.n ? VR_FAIL : VR_SUCC;
		return;
	}
	if (r->type == MG_LIST) {
		vr *x = vr_push(ev, out);
		x->ck = CK_VALUE_IN;
		x->lhs = l;
		x->rhs = r;
		x->kind = list_contains(ev, r, l) ? VR_SUCC : VR_FAIL;
		return;
	}
	match_value(ev, out, l, r, F_EQ);
}

static void in_op(mg_eval *ev, const mg_qvec *lhs, const mg_qvec *rhs, vrs *out)
{
	const mg_value *l = is_literal(lhs), *r = is_literal(rhs);
	if (l && r) {
		vrs tmp = {0};
		string_in(ev, &tmp, l, r);
		if (tmp.v[0].kind == VR_SUCC)
			*vr_push(ev, out) = tmp.v[0];
		else
			contained_in(ev, out, l, r);
		return;
	}
	if (l) {
		vlist one = {0};
		vl_push(ev, &one, l);
		rhs_unresolved(ev, rhs, &one, out);
		vlist rs = selected(ev, rhs);
		bool any_list = false;
		for (uint32_t i = 0; i < rs.n; i++)
			any_list |= rs.v[i]->type == MG_LIST;
		if (any_list) {
			for (uint32_t i = 0; i < rs.n; i++)
				contained_in(ev, out, l, rs.v[i]);
		} else if (l->type == MG_LIST) {
			vlist diff = {0};
			for (uint32_t i = 0; i < l->list.n; i++)
				if (!vl_contains(ev, &rs, l->list.v[i]))
					vl_push(ev, &diff, l->list.v[i]);
			query_in(ev, out, diff.n == 0, diff, one, rs);
		} else {
			for (uint32_t i = 0; i < rs.n; i++)
				contained_in(ev, out, l, rs.v[i]);
		}
		return;
	}
	if (r) {
		lhs_unresolved(ev, lhs, out);
		vlist ls = selected(ev, lhs);
		for (uint32_t i = 0; i < ls.n; i++) {
			const mg_value *e = ls.v[i];
			if (r->type == MG_STRING) {
				if (e->type == MG_LIST)
					for (uint32_t j = 0; j < e->list.n; j++)
						string_in(ev, out, e->list.v[j], r);
				else
					string_in(ev, out, e, r);
			} else {
				contained_in(ev, out, e, r);
			}
		}
		return;
	}
	lhs_unresolved(ev, lhs, out);
	vlist ls = selected(ev, lhs);
	rhs_unresolved(ev, rhs, &ls, out);
	vlist rs = selected(ev, rhs);
	vlist diff = {0};
	for (uint32_t i = 0; i < ls.n; i++) {
		bool found = false;
		for (uint32_t j = 0; j < rs.n && !found; j++) {
			vrs tmp = {0};
			contained_in(ev, &tmp, ls.v[i], rs.v[j]);
			found = tmp.v[0].kind == VR_SUCC;
		}
		if (!found)
			vl_push(ev, &diff, ls.v[i]);
	}
	query_in(ev, out, diff.n == 0, diff, ls, rs);
}

/* (CmpOperator, bool) with bool = negated: invert comparable outcomes */
static void negate(mg_eval *ev, vrs *r)
{
	for (uint32_t i = 0; i < r->n; i++) {
		vr *x = &r->v[i];
		if (x->kind == VR_FAIL) {
			if (x->ck == CK_QUERY_IN) {
				vlist rev = {0};
				for (uint32_t j = 0; j < x->lhsl.n; j++)
					if (!vl_contains(ev, &x->diff, x->lhsl.v[j]))
						vl_push(ev, &rev, x->lhsl.v[j]);
				x->diff = rev;
				x->kind = rev.n ? VR_FAIL : VR_SUCC;
			} else if (x->ck == CK_LIST_IN) {
				vlist rev = {0};
				for (uint32_t j = 0; j < x->lhs->list.n; j++)
					if (!vl_contains(ev, &x->diff, x->lhs->list.v[j]))
						vl_push(ev, &rev, x->lhs->list.v[j]);
				x->diff = rev;
				x->kind = rev.n ? VR_FAIL : VR_SUCC;
			} else {
				x->kind = VR_SUCC;
			}
		} else if (x->kind == VR_SUCC) {
			if (x->ck == CK_QUERY_IN) {
				x->diff = x->lhsl;
			} else if (x->ck == CK_LIST_IN) {
				vlist all = {0};
				for (uint32_t j = 0; j < x->lhs->list.n; j++)
					vl_push(ev, &all, x->lhs->list.v[j]);
				x->diff = all;
			}
			x->kind = VR_FAIL;
		}
	}
}

static void st_push(mg_eval *ev, mg_evres *r, uint8_t kind, const mg_value *v, const mg_unres *ur,
		    uint8_t status)
{
	if (r->n == r->cap) {
		uint32_t cap = r->cap ? r->cap * 2 : 4;
		mg_vstat *nv = mamori_arena_alloc(&ev->arena, cap * sizeof *nv);
		if (r->n)
			memcpy(nv, r->v, r->n * sizeof *nv);
		r->v = nv;
		r->cap = cap;
	}
	r->v[r->n++] = (mg_vstat){{kind, v, ur}, status};
}

static const mg_value *const *rhs_array(mg_eval *ev, const mg_value *one, const vlist *many,
					uint32_t *n)
{
	if (many) {
		*n = many->n;
		return many->v;
	}
	const mg_value **a = mamori_arena_alloc(&ev->arena, sizeof *a);
	a[0] = one;
	*n = 1;
	return a;
}

int mg_op_binary(mg_scope *s, const mg_clause *c, const mg_qvec *lhs, const mg_qvec *rhs,
		 mg_evres *out)
{
	mg_eval *ev = s->ev;
	memset(out, 0, sizeof *out);
	if (!lhs->n || !rhs->n) {
		out->empty = true;
		out->status = MG_SKIP;
		return 0;
	}
	vrs r = {0};
	switch (c->op) {
	case MG_OP_EQ:
		eq_op(ev, lhs, rhs, &r);
		break;
	case MG_OP_IN:
		in_op(ev, lhs, rhs, &r);
		break;
	case MG_OP_LT:
		common_op(ev, F_LT, lhs, rhs, &r);
		break;
	case MG_OP_LE:
		common_op(ev, F_LE, lhs, rhs, &r);
		break;
	case MG_OP_GT:
		common_op(ev, F_GT, lhs, rhs, &r);
		break;
	case MG_OP_GE:
		common_op(ev, F_GE, lhs, rhs, &r);
		break;
	default:
		return mg_eval_error(ev, "Operation %s NOT PERMITTED", mg_op_name(c->op));
	}
	if (c->op_not)
		negate(ev, &r);
	for (uint32_t i = 0; i < r.n; i++) {
		vr *x = &r.v[i];
		mg_record rec = {.clause = c, .op = c->op, .op_not = c->op_not, .msg = c->msg};
		switch (x->kind) {
		case VR_LHS_UNRES:
			st_push(ev, out, MG_QR_UNRESOLVED, NULL, x->ur, MG_FAIL);
			rec.kind = MG_REC_MISSING;
			rec.ur = x->ur;
			mg_eval_rec(ev, &rec);
			break;
		case VR_RHS_UNRES:
			st_push(ev, out, MG_QR_RESOLVED, x->lhs, NULL, MG_FAIL);
			rec.kind = MG_REC_RHS_MISSING;
			rec.lhs = x->lhs;
			rec.ur = x->ur;
			mg_eval_rec(ev, &rec);
			break;
		case VR_NOTCMP:
			st_push(ev, out, MG_QR_RESOLVED, x->lhs, NULL, MG_FAIL);
			rec.kind = MG_REC_NOT_COMPARABLE;
			rec.lhs = x->lhs;
			rec.rhs = x->rhs;
			mg_eval_rec(ev, &rec);
			break;
		case VR_SUCC:
			if (x->ck == CK_QUERY_IN)
				for (uint32_t j = 0; j < x->lhsl.n; j++)
					st_push(ev, out, MG_QR_RESOLVED, x->lhsl.v[j], NULL, MG_PASS);
			else
				st_push(ev, out, MG_QR_RESOLVED, x->lhs, NULL, MG_PASS);
			break;
		case VR_FAIL:
			if (x->ck == CK_QUERY_IN) {
				for (uint32_t j = 0; j < x->diff.n; j++) {
					st_push(ev, out, MG_QR_RESOLVED, x->diff.v[j], NULL, MG_FAIL);
					rec.kind = MG_REC_IN;
					rec.lhs = x->diff.v[j];
					rec.rhs_list = rhs_array(ev, NULL, &x->rhsl, &rec.nrhs);
					mg_eval_rec(ev, &rec);
				}
			} else {
				st_push(ev, out, MG_QR_RESOLVED, x->lhs, NULL, MG_FAIL);
				rec.kind = x->ck == CK_VALUE ? MG_REC_COMPARE : MG_REC_IN;
				rec.lhs = x->lhs;
				rec.rhs = x->rhs;
				if (x->ck != CK_VALUE)
					rec.rhs_list = rhs_array(ev, x->rhs, NULL, &rec.nrhs);
				mg_eval_rec(ev, &rec);
			}
			break;
		}
	}
	return 0;
}

/* ---- unary ---- */

static int unary_check(mg_eval *ev, const mg_clause *c, const mg_qres *q, bool *ok)
{
	if (q->kind == MG_QR_UNRESOLVED) {
		*ok = c->op == MG_OP_EMPTY; /* !EXISTS is EMPTY */
		return 0;
	}
	const mg_value *v = q->v;
	switch (c->op) {
	case MG_OP_EXISTS:
		*ok = true;
		break;
	case MG_OP_EMPTY:
		switch (v->type) {
		case MG_LIST:
			*ok = v->list.n == 0;
			break;
		case MG_MAP:
			*ok = v->map.n == 0;
			break;
		case MG_STRING:
			*ok = v->s.len == 0;
			break;
		case MG_BOOL:
			*ok = false; /* "true"/"false" are never the empty string */
			break;
		default: {
			mamori_buf p = MAMORI_BUF_INIT;
			mg_path(v, &p);
			mg_eval_error(ev,
				      "Types or variable assignments are incompatible `Attempting "
				      "EMPTY operation on type %s that does not support it at %s`",
				      mg_type_name(v), p.data ? p.data : "");
			mamori_buf_free(&p);
			return -1;
		}
		}
		break;
	case MG_OP_IS_STRING:
		*ok = v->type == MG_STRING;
		break;
	case MG_OP_IS_LIST:
		*ok = v->type == MG_LIST;
		break;
	case MG_OP_IS_MAP:
		*ok = v->type == MG_MAP;
		break;
	case MG_OP_IS_BOOL:
		*ok = v->type == MG_BOOL;
		break;
	case MG_OP_IS_INT:
		*ok = v->type == MG_INT;
		break;
	case MG_OP_IS_FLOAT:
		*ok = v->type == MG_FLOAT;
		break;
	case MG_OP_IS_NULL:
		*ok = v->type == MG_NULL;
		break;
	default:
		return mg_eval_error(ev, "not a unary operator");
	}
	return 0;
}

int mg_op_unary(mg_scope *s, const mg_clause *c, mg_evres *out)
{
	mg_eval *ev = s->ev;
	memset(out, 0, sizeof *out);
	mg_qvec lhs = {0};
	if (mg_scope_query(s, &c->q, &lhs))
		return -1;
	const mg_qpart *last = &c->q.parts[c->q.n - 1];
	bool on_expr = last->kind == MG_QP_FILTER || last->kind == MG_QP_MAPKEY ||
		       (c->q.n == 1 && last->kind == MG_QP_KEY && last->var);
	mg_record rec = {.clause = c, .op = c->op, .op_not = c->op_not, .msg = c->msg};
	if (on_expr && c->op == MG_OP_EMPTY) {
		if (!lhs.n) {
			bool r = !c->op_not;
			if (c->negation)
				r = !r;
			out->empty = true;
			out->status = r ? MG_PASS : MG_FAIL;
			if (!r) {
				rec.kind = MG_REC_EMPTY_QUERY;
				mg_eval_rec(ev, &rec);
			}
			return 0;
		}
		for (uint32_t i = 0; i < lhs.n; i++) {
			const mg_qres *e = &lhs.v[i];
			bool pass;
			if (e->kind == MG_QR_UNRESOLVED)
				pass = c->op_not ? false : true;
			else /* a selected value is "empty" only when it is null */
				pass = c->op_not ? e->v->type != MG_NULL : e->v->type == MG_NULL;
			if (c->negation)
				pass = !pass;
			st_push(ev, out, e->kind, e->v, e->ur, pass ? MG_PASS : MG_FAIL);
			if (!pass) {
				rec.kind = e->kind == MG_QR_UNRESOLVED ? MG_REC_MISSING : MG_REC_UNARY;
				rec.lhs = e->v;
				rec.ur = e->ur;
				mg_eval_rec(ev, &rec);
			}
		}
		return 0;
	}
	if (!lhs.n) {
		out->empty = true;
		out->status = MG_SKIP;
		return 0;
	}
	for (uint32_t i = 0; i < lhs.n; i++) {
		const mg_qres *e = &lhs.v[i];
		bool ok = false;
		if (unary_check(ev, c, e, &ok))
			return -1;
		if (c->op_not)
			ok = !ok;
		if (c->negation)
			ok = !ok;
		st_push(ev, out, e->kind, e->v, e->ur, ok ? MG_PASS : MG_FAIL);
		if (!ok) {
			rec.kind = e->kind == MG_QR_UNRESOLVED ? MG_REC_MISSING : MG_REC_UNARY;
			rec.lhs = e->v;
			rec.ur = e->ur;
			mg_eval_rec(ev, &rec);
		}
	}
	return 0;
}

/* ---- real_binary_operation (the KEYS filter) ---- */

typedef struct kcmp {
	int outcome; /* 1 true, 0 false, -1 not comparable, -2 unresolved rhs */
	const mg_value *lhs;
} kcmp;

/* in_cmp: string IN string is a substring test; IN a list is any ==; else == */
static int in_cmp(mg_eval *ev, bool not_in, const mg_value *l, const mg_value *r)
{
	if (l->type == MG_STRING && r->type == MG_STRING) {
		bool f = l->s.len == 0 ||
			 (r->s.len >= l->s.len && memmem(r->s.p, r->s.len, l->s.p, l->s.len));
		return f != not_in;
	}
	if (r->type == MG_LIST) {
		bool found = false;
		for (uint32_t i = 0; i < r->list.n; i++) {
			int rc = mg_compare_eq(ev->rx, l, r->list.v[i]);
			if (rc < 0)
				return MG_CMP_NOT_COMPARABLE;
			found |= rc == 1;
		}
		return found != not_in;
	}
	int rc = mg_compare_eq(ev->rx, l, r);
	if (rc < 0)
		return MG_CMP_NOT_COMPARABLE;
	return (rc == 1) != not_in;
}

static int kc(mg_eval *ev, uint8_t op, bool neg, const mg_value *l, const mg_value *r)
{
	if (op == MG_OP_IN)
		return in_cmp(ev, neg, l, r);
	int rc = mg_compare_eq(ev->rx, l, r);
	if (rc < 0)
		return MG_CMP_NOT_COMPARABLE;
	return neg ? !rc : rc;
}

int mg_op_keys(mg_eval *ev, uint8_t op, bool op_not, const mg_qvec *lhs, const mg_qvec *rhs,
	       mg_evres *out)
{
	memset(out, 0, sizeof *out);
	if (op == MG_OP_EQ && rhs->n > 1)
		op = MG_OP_IN;
	for (uint32_t i = 0; i < lhs->n; i++) {
		const mg_qres *le = &lhs->v[i];
		if (le->kind == MG_QR_UNRESOLVED) {
			st_push(ev, out, MG_QR_UNRESOLVED, NULL, le->ur, MG_FAIL);
			continue;
		}
		const mg_value *l = le->v;
		/* each_lhs_compare */
		kcmp res[64];
		uint32_t nres = 0;
		bool overflow = false;
#define KPUSH(o, lv)                                                                               \
	do {                                                                                       \
		if (nres < 64)                                                                     \
			res[nres++] = (kcmp){(o), (lv)};                                           \
		else                                                                               \
			overflow = true;                                                           \
	} while (0)
		for (uint32_t j = 0; j < rhs->n; j++) {
			const mg_qres *re = &rhs->v[j];
			if (re->kind == MG_QR_UNRESOLVED) {
				KPUSH(-2, l);
				continue;
			}
			const mg_value *r = re->v;
			int rc = kc(ev, op, op_not, l, r);
			if (rc >= 0) {
				KPUSH(rc, l);
				continue;
			}
			if (l->type == MG_LIST) {
				for (uint32_t k = 0; k < l->list.n; k++) {
					int r2 = kc(ev, op, op_not, l->list.v[k], r);
					KPUSH(r2 >= 0 ? r2 : -1, l->list.v[k]);
				}
				continue;
			}
			if (mg_is_scalar(l) && re->kind == MG_QR_LITERAL && r->type == MG_LIST &&
			    r->list.n == 1) {
				int r2 = kc(ev, op, op_not, l, r->list.v[0]);
				KPUSH(r2 >= 0 ? r2 : -1, l);
				continue;
			}
			KPUSH(-1, l);
		}
#undef KPUSH
		if (overflow)
			return mg_eval_error(ev, "KEYS filter: too many values to compare with");
		if (op == MG_OP_IN) {
			/* report_at_least_one: per distinct lhs value, any true */
			for (uint32_t a = 0; a < nres; a++) {
				bool seen = false;
				for (uint32_t b = 0; b < a && !seen; b++)
					seen = mg_value_equal(ev->rx, res[b].lhs, res[a].lhs);
				if (seen)
					continue;
				bool any = false;
				for (uint32_t b = a; b < nres; b++)
					if (mg_value_equal(ev->rx, res[b].lhs, res[a].lhs) &&
					    res[b].outcome == 1)
						any = true;
				st_push(ev, out, MG_QR_RESOLVED, res[a].lhs, NULL,
					any ? MG_PASS : MG_FAIL);
			}
		} else {
			for (uint32_t a = 0; a < nres; a++)
				st_push(ev, out, MG_QR_RESOLVED, res[a].lhs, NULL,
					res[a].outcome == 1 ? MG_PASS : MG_FAIL);
		}
	}
	return 0;
}
