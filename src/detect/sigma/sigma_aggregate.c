/*
 * sigma_aggregate.c — legacy Sigma aggregations (`| count() by f > N` with a
 * timeframe), as SigmaHQ's "unsupported" AWS rules still use them.
 *
 * State is one counter per (rule, group value) in a tumbling window that
 * starts at the group's first matching record; count(field) counts
 * distinct values (up to 4096 per group).  The aggregation fires once per
 * window, when the comparison first becomes true.  State is capped (the
 * oldest groups are not evicted; new groups are refused and counted) so
 * memory stays bounded.
 */
#include "sigma_internal.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_GROUPS 200000
#define MAX_DISTINCT 4096

typedef struct group {
	int64_t window_start;
	uint64_t count;
	bool fired;
	dt_map *distinct;
} group;

struct sg_aggstate {
	dt_map groups; /* "rule\0value" -> group* */
};

sg_aggstate *sg_aggstate_new(void)
{
	sg_aggstate *s = mamori_xcalloc(1, sizeof *s);
	dt_map_init(&s->groups, MAX_GROUPS);
	return s;
}

void sg_aggstate_free(sg_aggstate *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < dt_map_slots(&s->groups); i++) {
		group *g = (group *)(uintptr_t)s->groups.slots[i].value;
		if (s->groups.slots[i].key && g) {
			if (g->distinct) {
				dt_map_free(g->distinct);
				free(g->distinct);
			}
			free(g);
		}
	}
	dt_map_free(&s->groups);
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
	first_ud by = {"", 0};
	if (a->by_slot >= 0)
		sg_each_value(ev, a->by_slot, first_value, &by);
	char key[512];
	int kl = snprintf(key, sizeof key, "%zu", rule_index);
	size_t klen = (size_t)kl + 1;
	size_t take = by.n < sizeof key - klen ? by.n : sizeof key - klen;
	memcpy(key + klen, by.s, take);
	klen += take;
	bool created;
	dt_map_entry *e = dt_map_put(&s->groups, key, klen, &created);
	if (!e)
		return false;
	group *g = (group *)(uintptr_t)e->value;
	if (created) {
		g = mamori_xcalloc(1, sizeof *g);
		e->value = (uint64_t)(uintptr_t)g;
		g->window_start = ev->time;
	}
	if (a->timeframe > 0 && ev->time - g->window_start > a->timeframe) {
		g->window_start = ev->time;
		g->count = 0;
		g->fired = false;
		if (g->distinct)
			dt_map_clear(g->distinct);
	}
	if (a->count_slot >= 0) {
		first_ud v = {NULL, 0};
		sg_each_value(ev, a->count_slot, first_value, &v);
		if (!v.s)
			return false;
		if (!g->distinct) {
			g->distinct = mamori_xcalloc(1, sizeof *g->distinct);
			dt_map_init(g->distinct, MAX_DISTINCT);
		}
		bool fresh;
		if (dt_map_put(g->distinct, v.s, v.n, &fresh) && fresh)
			g->count++;
	} else {
		g->count++;
	}
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
