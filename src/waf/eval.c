/*
 * eval.c — evaluating a request against a compiled WebACL.
 *
 * Rules run in priority order.  A matching rule adds its labels (visible to
 * later LabelMatch statements), is recorded, and — when its action is
 * terminating (Allow, Block, an unsolved Captcha or Challenge) — ends the
 * evaluation; Count goes on.  Rule group references run the group's rules in
 * order under the reference's ScopeDown, ExcludedRules (which count),
 * RuleActionOverrides and OverrideAction.  Nothing matched: the default
 * action.
 *
 * All per-request memory comes from a bump allocator reset between requests,
 * and every cache is tagged with a generation number, so that a request costs
 * no malloc once the evaluator has warmed up.
 */
#include "waf_internal.h"

#include <hs/hs.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

struct waf_block {
	struct waf_block *next;
	size_t cap, used;
	max_align_t data[];
};

void *waf_alloc(mamori_waf_eval *ev, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct waf_block *b = ev->blocks;
	if (!b || b->used + n > b->cap) {
		size_t cap = n > 65536 ? n : 65536;
		struct waf_block *nb = mamori_xmalloc(sizeof *nb + cap);
		nb->cap = cap;
		nb->used = 0;
		nb->next = b;
		ev->blocks = b = nb;
	}
	void *p = (char *)b->data + b->used;
	b->used += n;
	return p;
}

char *waf_strndup(mamori_waf_eval *ev, const char *s, size_t n)
{
	char *d = waf_alloc(ev, n + 1);
	if (n)
		memcpy(d, s, n);
	d[n] = 0;
	return d;
}

/* Keep one block big enough for what the last request needed. */
static void scratch_reset(mamori_waf_eval *ev)
{
	struct waf_block *b = ev->blocks;
	if (!b)
		return;
	if (!b->next) {
		b->used = 0;
		return;
	}
	size_t total = 0;
	while (b) {
		struct waf_block *next = b->next;
		total += b->cap;
		free(b);
		b = next;
	}
	if (total > (64u << 20))
		total = 64u << 20; /* do not keep a huge request's memory forever */
	ev->blocks = mamori_xmalloc(sizeof *ev->blocks + total);
	ev->blocks->cap = total;
	ev->blocks->used = 0;
	ev->blocks->next = NULL;
}

mamori_waf_eval *mamori_waf_eval_new(const mamori_waf_acl *acl)
{
	mamori_waf_eval *ev = mamori_xcalloc(1, sizeof *ev);
	ev->acl = acl;
	ev->fields = mamori_xcalloc(acl->field_count + 1, sizeof *ev->fields);
	ev->inputs = mamori_xcalloc(acl->input_count + 1, sizeof *ev->inputs);
	ev->pf_gen = mamori_xcalloc(acl->input_count + 1, sizeof *ev->pf_gen);
	ev->pf_vals = mamori_xcalloc(acl->pattern_count + 1, sizeof *ev->pf_vals);
	ev->pf_seen = mamori_xcalloc(acl->literal_max + 1, sizeof *ev->pf_seen);
	ev->det_gen = mamori_xcalloc((acl->input_count + 1) * 4, sizeof *ev->det_gen);
	ev->det_cache = mamori_xcalloc((acl->input_count + 1) * 4, 1);
	ev->hs_scratch = waf_prefilter_scratch(acl);
	ev->pcre_md = pcre2_match_data_create(16, NULL);
	pcre2_match_context *mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, 100000);
	pcre2_set_depth_limit(mc, 1000);
	pcre2_jit_stack *js = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
	if (!ev->pcre_md || !mc || !js)
		mamori_oom(0);
	pcre2_jit_stack_assign(mc, NULL, js);
	ev->pcre_mctx = mc;
	ev->pcre_jit_stack = js;
	return ev;
}

void mamori_waf_eval_free(mamori_waf_eval *ev)
{
	if (!ev)
		return;
	struct waf_block *b = ev->blocks;
	while (b) {
		struct waf_block *next = b->next;
		free(b);
		b = next;
	}
	if (ev->hs_scratch)
		hs_free_scratch(ev->hs_scratch);
	pcre2_match_data_free(ev->pcre_md);
	pcre2_match_context_free(ev->pcre_mctx);
	pcre2_jit_stack_free(ev->pcre_jit_stack);
	free(ev->fields);
	free(ev->inputs);
	free(ev->pf_gen);
	free(ev->pf_vals);
	free(ev->pf_seen);
	free(ev->det_gen);
	free(ev->det_cache);
	free(ev->labels);
	free(ev->matches);
	free(ev->insert);
	free(ev);
}

const waf_vals *waf_field_values(mamori_waf_eval *ev, int field)
{
	waf_vals *v = &ev->fields[field];
	if (v->gen != ev->gen) {
		waf_field_extract(ev, &ev->acl->fields[field], v);
		v->gen = ev->gen;
	}
	return v;
}

const waf_vals *waf_input_values_compute(mamori_waf_eval *ev, int input)
{
	waf_vals *v = &ev->inputs[input]; /* not computed in this request (the inline test) */
	const waf_input *in = &ev->acl->inputs[input];
	const waf_vals *src = in->parent < 0 ? waf_field_values(ev, in->field)
					     : waf_input_values(ev, in->parent);
	size_t same = 0; /* values the transformation leaves as they are */
	if (in->parent >= 0 && in->tx != TX_NONE)
		while (same < src->n &&
		       waf_tx_identity(in->tx, (const unsigned char *)src->el[same].p, src->el[same].n))
			same++;
	if (in->parent < 0 || in->tx == TX_NONE || same == src->n) {
		*v = *src; /* shared, not copied */
	} else {
		v->bytes_gen = 0; /* other values: their bytes are not src's */
		v->el = waf_alloc(ev, (src->n + 1) * sizeof *v->el);
		v->n = src->n;
		v->oversize = src->oversize;
		v->invalid = src->invalid;
		memcpy(v->el, src->el, same * sizeof *v->el);
		for (size_t i = same; i < src->n; i++) {
			const waf_elem *e = &src->el[i];
			if (waf_tx_identity(in->tx, (const unsigned char *)e->p, e->n)) {
				v->el[i] = *e;
				continue;
			}
			unsigned char *out = waf_alloc(ev, waf_tx_bound(in->tx, e->n) + 1);
			size_t n = waf_tx_apply(in->tx, (const unsigned char *)e->p, e->n, out);
			out[n] = 0;
			v->el[i] = (waf_elem){(const char *)out, n, e->name, e->name_len};
		}
	}
	v->gen = ev->gen;
	return v;
}

void waf_hit_set(mamori_waf_eval *ev, const char *condition, int input, const waf_elem *e,
		 size_t at, size_t span)
{
	const waf_field *f = input >= 0 ? &ev->acl->fields[ev->acl->inputs[input].field] : NULL;
	ev->hit.condition = condition;
	ev->hit.location = f ? f->location : NULL;
	ev->hit.field_name = e ? e->name : NULL;
	ev->hit.field_name_len = e ? e->name_len : 0;
	if (e && at <= e->n) {
		if (span > e->n - at)
			span = e->n - at;
		if (span > WAF_MATCH_EXCERPT)
			span = WAF_MATCH_EXCERPT;
		ev->hit.data = e->p + at;
		ev->hit.data_len = span;
	} else {
		ev->hit.data = NULL;
		ev->hit.data_len = 0;
	}
	ev->hit.sensitivity = NULL;
}

bool waf_has_label(const mamori_waf_eval *ev, const char *key, bool ns)
{
	size_t kn = strlen(key);
	for (size_t i = 0; i < ev->label_count; i++) {
		const char *l = ev->labels[i];
		size_t ln = strlen(l);
		if (ns) {
			/* a namespace "a:b:" matches labels under it, fully or by suffix */
			if (ln > kn && memcmp(l, key, kn) == 0)
				return true;
			for (size_t j = 0; j + kn < ln; j++)
				if (l[j] == ':' && memcmp(l + j + 1, key, kn) == 0 && j + 1 + kn < ln)
					return true;
		} else {
			if (ln == kn && memcmp(l, key, kn) == 0)
				return true;
			if (ln > kn && l[ln - kn - 1] == ':' && memcmp(l + ln - kn, key, kn) == 0)
				return true;
		}
	}
	return false;
}

void waf_add_label(mamori_waf_eval *ev, const char *label)
{
	for (size_t i = 0; i < ev->label_count; i++)
		if (ev->labels[i] == label || strcmp(ev->labels[i], label) == 0)
			return;
	if (ev->label_count == ev->label_cap) {
		ev->label_cap = ev->label_cap ? ev->label_cap * 2 : 16;
		ev->labels = mamori_xrealloc(ev->labels, ev->label_cap * sizeof *ev->labels);
	}
	ev->labels[ev->label_count++] = label;
}

static bool stmt_eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	return s->type->eval(ev, s);
}

static void add_match(mamori_waf_eval *ev, const waf_rule *r, const waf_group *g, int action)
{
	if (ev->match_count == ev->match_cap) {
		ev->match_cap = ev->match_cap ? ev->match_cap * 2 : 8;
		ev->matches = mamori_xrealloc(ev->matches, ev->match_cap * sizeof *ev->matches);
	}
	mamori_waf_match *m = &ev->matches[ev->match_count++];
	memset(m, 0, sizeof *m);
	m->rule = r->name;
	m->group = g ? g->name : NULL;
	m->action = (mamori_waf_action)action;
	m->condition = ev->hit.condition;
	m->location = ev->hit.location;
	m->sensitivity = ev->hit.sensitivity;
	if (ev->hit.field_name)
		m->field_name = waf_strndup(ev, ev->hit.field_name, ev->hit.field_name_len);
	if (ev->hit.data)
		m->data = waf_strndup(ev, ev->hit.data, ev->hit.data_len);
}

static bool has_token(mamori_waf_eval *ev)
{
	waf_parse_cookies(ev);
	for (size_t i = 0; i < ev->cookie_count; i++)
		if (ev->cookies[i].name.n == 13 && memcmp(ev->cookies[i].name.p, "aws-waf-token", 13) == 0 &&
		    ev->cookies[i].value.n > 0)
			return true;
	return false;
}

/* Does the action stop the request?  Solved Captcha/Challenge act like Count. */
static bool terminating(mamori_waf_eval *ev, int kind)
{
	if (kind == MAMORI_WAF_ALLOW || kind == MAMORI_WAF_BLOCK)
		return true;
	if (kind == MAMORI_WAF_CAPTCHA || kind == MAMORI_WAF_CHALLENGE) {
		int mode = ev->acl->challenge;
		bool solved = mode == MAMORI_WAF_CHALLENGE_PASS ||
			      (mode == MAMORI_WAF_CHALLENGE_TOKEN && has_token(ev));
		if (solved)
			waf_add_label(ev, "awswaf:managed:token:accepted");
		return !solved;
	}
	return false;
}

static void insert_headers(mamori_waf_eval *ev, const waf_action *a)
{
	for (size_t i = 0; i < a->header_count; i++) {
		if (ev->insert_count == ev->insert_cap) {
			ev->insert_cap = ev->insert_cap ? ev->insert_cap * 2 : 4;
			ev->insert = mamori_xrealloc(ev->insert, ev->insert_cap * sizeof *ev->insert);
		}
		ev->insert[ev->insert_count++] = a->headers[i];
	}
}

typedef struct verdict {
	const waf_action *action;
	const waf_rule *rule;
	const waf_group *group;
	const char *type;
	int match;
} verdict;

static bool run_rule(mamori_waf_eval *ev, const waf_rule *r, verdict *v)
{
	if (r->group) {
		if (r->scope_down && !stmt_eval(ev, r->scope_down))
			return false;
		const waf_group *g = r->group;
		for (size_t i = 0; i < g->count; i++) {
			const waf_rule *gr = &g->rules[i];
			ev->hit = (waf_hit){0};
			if (!stmt_eval(ev, gr->stmt))
				continue;
			const waf_action *a = r->overrides && r->overrides[i] ? r->overrides[i] : &gr->action;
			int kind = r->excluded && r->excluded[i] ? MAMORI_WAF_COUNT : a->kind;
			if (r->override_count && kind != MAMORI_WAF_COUNT)
				kind = MAMORI_WAF_COUNT;
			for (size_t k = 0; k < gr->label_count; k++)
				waf_add_label(ev, gr->labels[k]);
			add_match(ev, gr, g, kind);
			if (kind == MAMORI_WAF_ALLOW || kind == MAMORI_WAF_COUNT)
				insert_headers(ev, a);
			if (terminating(ev, kind)) {
				*v = (verdict){a, gr, g, g->managed ? "MANAGED_RULE_GROUP" : "GROUP",
					       (int)ev->match_count - 1};
				return true;
			}
		}
		return false;
	}
	ev->hit = (waf_hit){0};
	if (!stmt_eval(ev, r->stmt))
		return false;
	for (size_t k = 0; k < r->label_count; k++)
		waf_add_label(ev, r->labels[k]);
	add_match(ev, r, NULL, r->action.kind);
	if (r->action.kind == MAMORI_WAF_ALLOW || r->action.kind == MAMORI_WAF_COUNT)
		insert_headers(ev, &r->action);
	if (terminating(ev, r->action.kind)) {
		*v = (verdict){&r->action, r, NULL, r->rate_based ? "RATE_BASED" : "REGULAR",
			       (int)ev->match_count - 1};
		return true;
	}
	return false;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mamori_waf_evaluate(mamori_waf_eval *ev, const mamori_waf_request *rq, mamori_waf_result *res)
{
	ev->gen++;
	if (ev->gen == 0) { /* wrapped: make every cache stale for real */
		size_t n = ev->acl->input_count + 1;
		memset(ev->pf_gen, 0, n * sizeof *ev->pf_gen);
		memset(ev->det_gen, 0, n * 4 * sizeof *ev->det_gen);
		for (size_t i = 0; i < ev->acl->field_count; i++)
			ev->fields[i].gen = 0;
		for (size_t i = 0; i < ev->acl->input_count; i++)
			ev->inputs[i].gen = ev->inputs[i].bytes_gen = 0;
		ev->gen = 1;
	}
	scratch_reset(ev);
	ev->rq = rq;
	ev->label_count = ev->match_count = ev->insert_count = 0;
	ev->country_done = false;
	ev->now_ms = rq->timestamp_ms ? rq->timestamp_ms : now_ms();
	waf_request_prepare(ev, rq);

	const mamori_waf_acl *acl = ev->acl;
	verdict v = {0};
	bool stop = false;
	for (size_t i = 0; i < acl->rule_count && !stop; i++)
		stop = run_rule(ev, &acl->rules[i], &v);

	memset(res, 0, sizeof *res);
	const waf_action *a = stop ? v.action : &acl->default_action;
	int kind = a->kind;
	if (!stop && kind == MAMORI_WAF_ALLOW)
		insert_headers(ev, a);
	res->action = (mamori_waf_action)(kind == MAMORI_WAF_COUNT ? MAMORI_WAF_ALLOW : kind);
	res->terminating_rule = stop ? v.rule->name : "Default_Action";
	res->terminating_rule_type = stop ? v.type : "REGULAR";
	res->terminating_group = stop && v.group ? v.group->name : NULL;
	res->terminating_match = stop ? v.match : -1;
	res->matches = ev->matches;
	res->match_count = ev->match_count;
	res->labels = ev->labels;
	res->label_count = ev->label_count;
	if (res->action != MAMORI_WAF_ALLOW) {
		res->status = a->status ? a->status
			      : kind == MAMORI_WAF_CAPTCHA   ? 405
			      : kind == MAMORI_WAF_CHALLENGE ? 202
							     : 403;
		res->response_body = a->body;
		res->response_content_type = a->content_type;
		res->response_headers = a->headers;
		res->response_header_count = a->header_count;
	} else {
		res->insert_headers = ev->insert;
		res->insert_header_count = ev->insert_count;
	}
	return MAMORI_OK;
}

const char *mamori_waf_action_name(mamori_waf_action a)
{
	static const char *const names[] = {"ALLOW", "BLOCK", "COUNT", "CAPTCHA", "CHALLENGE"};
	return (unsigned)a < 5 ? names[a] : "?";
}

int waf_vals_pre_slow(mamori_waf_eval *ev, const waf_stmt *s, const waf_vals *v)
{
	const waf_field *f = &ev->acl->fields[ev->acl->inputs[s->input].field];
	if (v->invalid) {
		waf_hit_set(ev, "INVALID_JSON", s->input, NULL, 0, 0);
		return 1;
	}
	if (v->oversize && f->oversize == OV_MATCH) {
		waf_hit_set(ev, "OVERSIZE", s->input, NULL, 0, 0);
		return 1;
	}
	if (v->oversize && f->oversize == OV_NO_MATCH)
		return 0;
	return -1;
}
