/*
 * stmt_not.c — NotStatement: the nested statement does not match.
 */
#include "waf_internal.h"

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	const cJSON *inner = waf_req(c, j, "Statement", cJSON_Object);
	if (!inner)
		return MAMORI_EINPUT;
	s->kids = mamori_arena_alloc(&c->acl->arena, sizeof *s->kids);
	size_t saved = waf_path_push(c, ".Statement");
	int st = waf_compile_stmt(c, inner, true, &s->kids[0]);
	waf_path_pop(c, saved);
	if (!st)
		s->kid_count = 1;
	return st;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	if (s->kids[0]->type->eval(ev, s->kids[0]))
		return false;
	ev->hit = (waf_hit){.condition = "NOT"};
	return true;
}

const waf_stmt_type waf_stmt_not = {"NotStatement", compile, eval, true};
