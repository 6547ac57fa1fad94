/*
 * stmt_size.c — SizeConstraintStatement: compare a field's size (after its
 * transformations) with a number.  The raw Body's size is the whole body's,
 * not the inspected part's, so that "body larger than the inspection limit"
 * can be written as AWS's own rule groups do.
 */
#include "waf_internal.h"

enum { OP_EQ, OP_NE, OP_LE, OP_LT, OP_GE, OP_GT };

typedef struct size_rule {
	int op;
	double size;
} size_rule;

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	static const char *const ops[] = {"EQ", "NE", "LE", "LT", "GE", "GT", NULL};
	size_rule *r = mamori_arena_alloc(&c->acl->arena, sizeof *r);
	r->op = waf_enum(c, j, "ComparisonOperator", ops, true, 0);
	if (r->op < 0)
		return MAMORI_EINPUT;
	const cJSON *size = waf_req(c, j, "Size", cJSON_Number);
	if (!size)
		return MAMORI_EINPUT;
	if (size->valuedouble < 0 || size->valuedouble > 21474836480.0)
		return waf_err(c, "Size", "must be between 0 and 21474836480");
	r->size = size->valuedouble;
	s->u = r;
	return waf_compile_input(c, j, s);
}

static bool cmp(int op, double a, double b)
{
	switch (op) {
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	case OP_LE:
		return a <= b;
	case OP_LT:
		return a < b;
	case OP_GE:
		return a >= b;
	default:
		return a > b;
	}
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const size_rule *r = s->u;
	const waf_input *in = &ev->acl->inputs[s->input];
	const waf_field *f = &ev->acl->fields[in->field];
	const waf_vals *v = waf_input_values(ev, s->input);
	if (f->kind == FK_BODY && in->chain_len == 0) {
		double n = (double)ev->rq->body_len;
		if (cmp(r->op, n, r->size)) {
			waf_hit_set(ev, "SIZE_CONSTRAINT", s->input, NULL, 0, 0);
			return true;
		}
		return false;
	}
	int pre = waf_vals_pre(ev, s, v);
	if (pre >= 0)
		return pre;
	for (size_t i = 0; i < v->n; i++) {
		if (cmp(r->op, (double)v->el[i].n, r->size)) {
			waf_hit_set(ev, "SIZE_CONSTRAINT", s->input, &v->el[i], 0, 0);
			return true;
		}
	}
	return false;
}

const waf_stmt_type waf_stmt_size = {"SizeConstraintStatement", compile, eval, true};
