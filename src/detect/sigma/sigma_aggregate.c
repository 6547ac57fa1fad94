/*
 * sigma_aggregate.c — legacy Sigma aggregations (`| count() by f > N` with a
 * timeframe), as SigmaHQ's "unsupported" AWS rules still use them.
 *
 * State: per aggregated rule, a windowed counter table (dt_window.h) keyed
 * by a hash of the group value; count(field) counts distinct values of the
 * field (hashed).  A group's window starts at its first matching record
 * and restarts when a record falls outside it (timeframe; none = the
 * whole run).  The aggregation fires once per window, when the comparison
 * first becomes true.  Tables expire old groups and are capped, so memory
 * stays bounded whatever the input.
 */
#include "../dt_window.h"
#include "sigma_internal.h"

#include <stdlib.h>

#define MAX_GROUPS (1u << 16) /* per rule */
#define WHOLE_RUN (INT64_MAX / 4)

struct sg_aggstate {
	dt_window **by_rule; /* created on a rule's first match */
	size_t n;
};

sg_aggstate *sg_aggstate_new(void)
{
	return mamori_xcalloc(1, sizeof(sg_aggstate));
}

void sg_aggstate_free(sg_aggstate *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		if (s->by_rule[i]) {
			dt_window_free(s->by_rule[i]);
			free(s->by_rule[i]);
		}
	free(s->by_rule);
	free(s);
}

typedef struct first_ud {
	const char *s;
	size_t n;
} first_ud;

static bool first_value(void *ud, const char *s, size_t n, uint8_t type)
{
	(void)type;
	first_ud *f = ud;
	if (!s)
		return false;
	f->s = s;
	f->n = n;
	return true;
}

bool sg_agg_step(sg_aggstate *s, size_t rule_index, const sg_rule *r, const dt_event *ev)
{
	const sg_agg *a = &r->agg;
	if (rule_index >= s->n) {
		size_t n = rule_index + 1;
		s->by_rule = mamori_xrealloc(s->by_rule, n * sizeof *s->by_rule);
		memset(s->by_rule + s->n, 0, (n - s->n) * sizeof *s->by_rule);
		s->n = n;
	}
	dt_window *w = s->by_rule[rule_index];
	if (!w) {
		w = s->by_rule[rule_index] = mamori_xmalloc(sizeof *w);
		int64_t tf = a->timeframe > 0 ? a->timeframe : WHOLE_RUN;
		dt_window_init(w, tf, tf < WHOLE_RUN ? tf : 0, MAX_GROUPS);
	}
	first_ud by = {"", 0};
	if (a->by_slot >= 0)
		sg_each_value(ev, a->by_slot, first_value, &by);
	uint64_t key = dt_hash(by.s, by.n);
	dt_wcount *g;
	if (a->count_slot >= 0) {
		first_ud v = {NULL, 0};
		sg_each_value(ev, a->count_slot, first_value, &v);
		if (!v.s)
			return false;
		g = dt_window_hit(w, key, true, dt_hash(v.s, v.n), ev->time, 1);
	} else {
		g = dt_window_hit(w, key, false, 0, ev->time, 1);
	}
	if (!g)
		return false;
	double c = (double)g->count;
	bool hit = a->cmp == SG_OP_GT ? c > a->threshold : a->cmp == SG_OP_GTE ? c >= a->threshold
		 : a->cmp == SG_OP_LT ? c < a->threshold : a->cmp == SG_OP_LTE ? c <= a->threshold
		 : c == a->threshold;
	if (hit && !g->fired) {
		g->fired = true;
		return true;
	}
	return false;
}
