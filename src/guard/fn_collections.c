/*
 * fn_collections.c — count(): how many values a query selected (what did not
 * resolve is not counted; a list value counts as one).
 */
#include "functions.h"

int mg_fn_count(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	int64_t n = 0;
	for (uint32_t i = 0; i < args[0].n; i++)
		if (args[0].v[i].kind != MG_QR_UNRESOLVED)
			n++;
	mg_qvec_push(ev, out, MG_QR_RESOLVED, mg_new_int(&ev->arena, n), NULL);
	return 0;
}
