/*
 * parse_tree.c — `mamori guard parse-tree`: a rules file's AST in the shape
 * cfn-guard prints it (its serde serialization of RulesFile), as YAML or
 * JSON, so that tools written against cfn-guard's parse tree keep working.
 */
#include "report.h"

#include "eval.h"

static cJSON *conj_json(const mg_conj *c, int ctx);
static cJSON *letval_json(const mg_letval *lv);

enum { CTX_RULE, CTX_GUARD, CTX_WHEN };

static const char *op_ident(int op)
{
	static const char *const names[] = {"Eq",	"In",	    "Gt",     "Ge",	 "Lt",
					    "Le",	"Exists",   "Empty",  "IsString", "IsList",
					    "IsMap",	"IsBool",   "IsInt",  "IsFloat",  "IsNull"};
	return op >= 0 && op <= MG_OP_IS_NULL ? names[op] : "?";
}

static cJSON *value_json(const mg_value *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", "");
	cJSON_AddItemToObject(o, "value", mg_report_value(v));
	return o;
}

static cJSON *query_json(const mg_query *q)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *parts = cJSON_AddArrayToObject(o, "query");
	for (uint32_t i = 0; i < q->n; i++) {
		const mg_qpart *p = &q->parts[i];
		cJSON *e = NULL;
		switch ((mg_qp_kind)p->kind) {
		case MG_QP_THIS:
			e = cJSON_CreateString("This");
			break;
		case MG_QP_KEY: {
			e = cJSON_CreateObject();
			mamori_buf b = MAMORI_BUF_INIT;
			if (p->var)
				mamori_buf_putc(&b, '%');
			mamori_buf_append(&b, p->s, p->slen);
			cJSON_AddStringToObject(e, "Key", b.data);
			mamori_buf_free(&b);
			break;
		}
		case MG_QP_INDEX:
			e = cJSON_CreateObject();
			cJSON_AddNumberToObject(e, "Index", p->index);
			break;
		case MG_QP_ALL_INDICES:
		case MG_QP_ALL_VALUES:
			e = cJSON_CreateObject();
			if (p->s)
				cJSON_AddStringToObject(e, p->kind == MG_QP_ALL_VALUES ? "AllValues"
										 : "AllIndices",
							p->s);
			else
				cJSON_AddNullToObject(e, p->kind == MG_QP_ALL_VALUES ? "AllValues"
										  : "AllIndices");
			break;
		case MG_QP_FILTER: {
			e = cJSON_CreateObject();
			cJSON *pair = cJSON_AddArrayToObject(e, "Filter");
			cJSON_AddItemToArray(pair, p->s ? cJSON_CreateString(p->s) : cJSON_CreateNull());
			cJSON_AddItemToArray(pair, conj_json(p->filter, CTX_GUARD));
			break;
		}
		case MG_QP_MAPKEY: {
			e = cJSON_CreateObject();
			cJSON *pair = cJSON_AddArrayToObject(e, "MapKeyFilter");
			cJSON_AddItemToArray(pair, p->s ? cJSON_CreateString(p->s) : cJSON_CreateNull());
			cJSON *c = cJSON_CreateObject();
			cJSON *cmp = cJSON_AddArrayToObject(c, "comparator");
			cJSON_AddItemToArray(cmp, cJSON_CreateString(op_ident(p->mk_op)));
			cJSON_AddItemToArray(cmp, cJSON_CreateBool(p->mk_not));
			cJSON_AddItemToObject(c, "compare_with", letval_json(p->mk_rhs));
			cJSON_AddItemToArray(pair, c);
			break;
		}
		}
		cJSON_AddItemToArray(parts, e);
	}
	cJSON_AddBoolToObject(o, "match_all", q->match_all);
	return o;
}

static cJSON *call_json(const mg_call *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *params = cJSON_AddArrayToObject(o, "parameters");
	for (uint32_t i = 0; i < c->nargs; i++)
		cJSON_AddItemToArray(params, letval_json(&c->args[i]));
	cJSON_AddStringToObject(o, "name", c->name);
	cJSON *loc = cJSON_AddObjectToObject(o, "location");
	cJSON_AddNumberToObject(loc, "line", c->line);
	cJSON_AddNumberToObject(loc, "column", c->col);
	return o;
}

static cJSON *letval_json(const mg_letval *lv)
{
	cJSON *o = cJSON_CreateObject();
	switch (lv->kind) {
	case MG_LV_VALUE:
		cJSON_AddItemToObject(o, "Value", value_json(lv->value));
		break;
	case MG_LV_QUERY:
		cJSON_AddItemToObject(o, "AccessClause", query_json(&lv->query));
		break;
	default:
		cJSON_AddItemToObject(o, "FunctionCall", call_json(lv->call));
	}
	return o;
}

static cJSON *lets_json(const mg_let *lets, uint32_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (uint32_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "var", lets[i].name);
		cJSON_AddItemToObject(o, "value", letval_json(&lets[i].val));
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

static cJSON *block_json(const mg_block *b, int ctx)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "assignments", lets_json(b->lets, b->nlets));
	cJSON_AddItemToObject(o, "conjunctions", conj_json(&b->conj, ctx));
	return o;
}

static cJSON *location_json(uint32_t line, uint32_t col)
{
	cJSON *loc = cJSON_CreateObject();
	cJSON_AddNumberToObject(loc, "line", line);
	cJSON_AddNumberToObject(loc, "column", col);
	return loc;
}

static cJSON *named_json(const mg_clause *c)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "dependent_rule", c->rule);
	cJSON_AddBoolToObject(o, "negation", c->negation);
	if (c->msg)
		cJSON_AddStringToObject(o, "custom_message", c->msg);
	else
		cJSON_AddNullToObject(o, "custom_message");
	cJSON_AddItemToObject(o, "location", location_json(c->line, c->col));
	return o;
}

static cJSON *clause_json(const mg_clause *c, int ctx)
{
	cJSON *inner = cJSON_CreateObject();
	const char *tag = "Clause";
	switch ((mg_clause_kind)c->kind) {
	case MG_C_ACCESS: {
		cJSON *ac = cJSON_AddObjectToObject(inner, "access_clause");
		cJSON_AddItemToObject(ac, "query", query_json(&c->q));
		cJSON *cmp = cJSON_AddArrayToObject(ac, "comparator");
		cJSON_AddItemToArray(cmp, cJSON_CreateString(op_ident(c->op)));
		cJSON_AddItemToArray(cmp, cJSON_CreateBool(c->op_not));
		if (c->rhs)
			cJSON_AddItemToObject(ac, "compare_with", letval_json(c->rhs));
		else
			cJSON_AddNullToObject(ac, "compare_with");
		if (c->msg)
			cJSON_AddStringToObject(ac, "custom_message", c->msg);
		else
			cJSON_AddNullToObject(ac, "custom_message");
		cJSON_AddItemToObject(ac, "location", location_json(c->line, c->col));
		cJSON_AddBoolToObject(inner, "negation", c->negation);
		break;
	}
	case MG_C_NAMED:
		cJSON_Delete(inner);
		inner = named_json(c);
		tag = "NamedRule";
		break;
	case MG_C_PCALL:
		{
			cJSON *params = cJSON_AddArrayToObject(inner, "parameters");
			for (uint32_t i = 0; i < c->nargs; i++)
				cJSON_AddItemToArray(params, letval_json(&c->args[i]));
		}
		cJSON_AddItemToObject(inner, "named_rule", named_json(c));
		tag = "ParameterizedNamedRule";
		break;
	case MG_C_BLOCK:
		cJSON_AddItemToObject(inner, "query", query_json(&c->q));
		cJSON_AddItemToObject(inner, "block", block_json(&c->block, CTX_GUARD));
		cJSON_AddItemToObject(inner, "location", location_json(c->line, c->col));
		cJSON_AddBoolToObject(inner, "not_empty", c->not_empty);
		tag = "BlockClause";
		break;
	case MG_C_WHEN: {
		cJSON_Delete(inner);
		inner = cJSON_CreateArray();
		cJSON_AddItemToArray(inner, conj_json(c->conds, CTX_WHEN));
		cJSON_AddItemToArray(inner, block_json(&c->block, CTX_GUARD));
		tag = "WhenBlock";
		break;
	}
	case MG_C_TYPE:
		cJSON_AddStringToObject(inner, "type_name", c->type_name);
		if (c->conds)
			cJSON_AddItemToObject(inner, "conditions", conj_json(c->conds, CTX_WHEN));
		else
			cJSON_AddNullToObject(inner, "conditions");
		cJSON_AddItemToObject(inner, "block", block_json(&c->block, CTX_GUARD));
		{
			cJSON *qj = query_json(&c->q);
			cJSON_AddItemToObject(inner, "query",
					      cJSON_DetachItemFromObjectCaseSensitive(qj, "query"));
			cJSON_Delete(qj);
		}
		tag = "TypeBlock";
		break;
	}
	cJSON *w = cJSON_CreateObject();
	cJSON_AddItemToObject(w, tag, inner);
	/* in a rule body, guard clauses are wrapped once more as RuleClause::Clause */
	if (ctx == CTX_RULE && c->kind != MG_C_TYPE && c->kind != MG_C_WHEN) {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddItemToObject(r, "Clause", w);
		return r;
	}
	return w;
}

static cJSON *conj_json(const mg_conj *c, int ctx)
{
	cJSON *a = cJSON_CreateArray();
	for (uint32_t i = 0; c && i < c->n; i++) {
		cJSON *d = cJSON_CreateArray();
		for (uint32_t j = 0; j < c->d[i].n; j++)
			cJSON_AddItemToArray(d, clause_json(c->d[i].c[j], ctx));
		cJSON_AddItemToArray(a, d);
	}
	return a;
}

static cJSON *rule_json(const mg_rule *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "rule_name", r->name);
	if (r->conds)
		cJSON_AddItemToObject(o, "conditions", conj_json(r->conds, CTX_WHEN));
	else
		cJSON_AddNullToObject(o, "conditions");
	cJSON_AddItemToObject(o, "block", block_json(&r->block, CTX_RULE));
	return o;
}

int mamori_guard_write_parse_tree(const mg_rules_file *rf, bool json, FILE *out)
{
	if (!rf->nlets && !rf->nrules && !rf->nprules) {
		/* cfn-guard has no RulesFile for a file without any: null */
		cJSON *none = cJSON_CreateNull();
		int rc = mg_report_print(none, !json, false, out);
		cJSON_Delete(none);
		return rc;
	}
	cJSON *root = cJSON_CreateObject();
	cJSON_AddItemToObject(root, "assignments", lets_json(rf->lets, rf->nlets));
	cJSON *rules = cJSON_AddArrayToObject(root, "guard_rules");
	for (uint32_t i = 0; i < rf->nrules; i++)
		cJSON_AddItemToArray(rules, rule_json(rf->rules[i]));
	cJSON *prules = cJSON_AddArrayToObject(root, "parameterized_rules");
	for (uint32_t i = 0; i < rf->nprules; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON *names = cJSON_AddArrayToObject(o, "parameter_names");
		for (uint32_t k = 0; k < rf->prules[i]->nparams; k++)
			cJSON_AddItemToArray(names, cJSON_CreateString(rf->prules[i]->params[k]));
		cJSON_AddItemToObject(o, "rule", rule_json(rf->prules[i]));
		cJSON_AddItemToArray(prules, o);
	}
	int rc = mg_report_print(root, !json, false, out);
	cJSON_Delete(root);
	return rc;
}
