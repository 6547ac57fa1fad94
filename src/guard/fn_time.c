/*
 * fn_time.c — now() and parse_epoch().
 *
 * cfn-guard 3.1.1 parses these names but cannot evaluate them ("no such
 * function"); mamori implements them as cfn-guard 3.2 documents them:
 * now() is the current time and parse_epoch() an RFC 3339 timestamp, both
 * as whole seconds since 1970 (an int), so they compare with each other.
 */
#include "functions.h"

#include <string.h>

int mg_fn_now(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	(void)args;
	time_t now = mamori_ctx_now(ev->ctx);
	mg_qvec_push(ev, out, MG_QR_RESOLVED, mg_new_int(&ev->arena, (int64_t)now), NULL);
	return 0;
}

int mg_fn_parse_epoch(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	for (uint32_t i = 0; i < args[0].n; i++) {
		const mg_qres *e = &args[0].v[i];
		if (e->kind == MG_QR_UNRESOLVED || e->v->type != MG_STRING)
			continue;
		char tmp[80];
		size_t n = e->v->s.len < sizeof tmp - 1 ? e->v->s.len : sizeof tmp - 1;
		memcpy(tmp, e->v->s.p, n);
		tmp[n] = '\0';
		time_t t;
		if (e->v->s.len >= sizeof tmp || mamori_time_parse(tmp, &t) != 0)
			return mg_eval_error(ev,
					     "parse_epoch: `%s` is not an RFC 3339 timestamp such as "
					     "2024-01-31T12:00:00Z",
					     tmp);
		mg_value *r = mg_new_like(&ev->arena, e->v, MG_INT);
		r->i = (int64_t)t;
		mg_qvec_push(ev, out, MG_QR_RESOLVED, r, NULL);
	}
	return 0;
}
