/*
 * stmt_and.c — AndStatement: every nested statement matches (evaluated in
 * order, stopping at the first that does not).
 */
#include "waf_internal.h"

int waf_compile_list(waf_compiler *c, const cJSON *j, waf_stmt *s);
int waf_compile_list(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	const cJSON *list = waf_req(c, j, "Statements", cJSON_Array);
	if (!list)
		return MAMORI_EINPUT;
	int n = cJSON_GetArraySize(list);
	if (n < 2)
		return waf_err(c, "Statements", "needs at least two statements");
	s->kids = mamori_arena_alloc(&c->acl->arena, (size_t)n * sizeof *s->kids);
	const cJSON *it;
	int i = 0;
	cJSON_ArrayForEach(it, list)
	{
		size_t saved = waf_path_push(c, ".Statements[%d]", i++);
		int st = waf_compile_stmt(c, it, true, &s->kids[s->kid_count]);
		waf_path_pop(c, saved);
		if (st)
			return st;
		s->kid_count++;
	}
	return MAMORI_OK;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	for (size_t i = 0; i < s->kid_count; i++)
		if (!s->kids[i]->type->eval(ev, s->kids[i]))
			return false;
	return true;
}

const waf_stmt_type waf_stmt_and = {"AndStatement", waf_compile_list, eval, true};
