/*
 * stmt_or.c — OrStatement: some nested statement matches (the first one
 * that does is what the log shows).
 */
#include "waf_internal.h"

int waf_compile_list(waf_compiler *c, const cJSON *j, waf_stmt *s);

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	for (size_t i = 0; i < s->kid_count; i++)
		if (s->kids[i]->type->eval(ev, s->kids[i]))
			return true;
	return false;
}

const waf_stmt_type waf_stmt_or = {"OrStatement", waf_compile_list, eval, true};
