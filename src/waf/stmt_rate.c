/*
 * stmt_rate.c — RateBasedStatement: requests per aggregation key over a
 * sliding window (60, 120, 300 or 600 s); the rule matches while a key is
 * above its Limit.  Keys: IP, FORWARDED_IP, CONSTANT, or CUSTOM_KEYS (any of
 * Header, Cookie, QueryArgument, QueryString, HTTPMethod, UriPath,
 * LabelNamespace, IP, ForwardedIP — text keys through their own
 * transformations, like any field).  A request is counted only when it
 * passes the ScopeDownStatement and has every custom key.
 *
 * State: an open-addressing table per statement, each key holding 30
 * buckets of window/30 seconds, under a mutex (the ACL is shared by the
 * proxy's threads).  The table is bounded; when full, expired keys are
 * reclaimed and, failing that, new keys are not tracked.
 */
#include "waf_internal.h"

#include <stdlib.h>
#include <string.h>

#define BUCKETS 30
#define MAX_KEYS 65536

enum { K_IP, K_FWD_IP, K_FIELD, K_LABEL_NS, K_METHOD };
enum { AGG_IP, AGG_FORWARDED_IP, AGG_CONSTANT, AGG_CUSTOM_KEYS };

typedef struct rate_key {
	int kind;
	int input;	 /* K_FIELD */
	const char *ns;	 /* K_LABEL_NS */
} rate_key;

typedef struct rate_entry {
	uint64_t hash;
	char *key; /* binary (addresses): compared with key_len */
	size_t key_len;
	int64_t last; /* last bucket number */
	uint32_t count[BUCKETS];
} rate_entry;

struct waf_rate {
	pthread_mutex_t lock;
	rate_entry *slots;
	size_t cap, used;
};

typedef struct rate_rule {
	double limit;
	int window;
	int agg;
	rate_key *keys;
	size_t key_count;
	const char *header;
	int fallback;
	waf_stmt *scope_down;
	waf_rate *state;
} rate_rule;

void waf_rate_free(waf_rate *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->cap; i++)
		free(r->slots[i].key);
	free(r->slots);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

/* Compile {FieldToMatch: ftm, TextTransformations: txs} into an input. */
static int key_input(waf_compiler *c, cJSON *ftm, const cJSON *txs, int *input)
{
	cJSON *body = cJSON_CreateObject();
	cJSON_AddItemToObject(body, "FieldToMatch", ftm);
	cJSON_AddItemToObject(body, "TextTransformations",
			      txs ? cJSON_Duplicate(txs, true)
				  : cJSON_Parse("[{\"Priority\":0,\"Type\":\"NONE\"}]"));
	waf_stmt tmp = {.input = -1};
	int st = waf_compile_input(c, body, &tmp);
	cJSON_Delete(body);
	*input = tmp.input;
	return st;
}

static cJSON *named(const char *field, const char *name)
{
	cJSON *ftm = cJSON_CreateObject();
	cJSON *f = cJSON_AddObjectToObject(ftm, field);
	if (name)
		cJSON_AddStringToObject(f, "Name", name);
	return ftm;
}

static int custom_key(waf_compiler *c, const cJSON *k, rate_key *out)
{
	if (!cJSON_IsObject(k) || !k->child || k->child->next)
		return waf_err(c, NULL, "a custom key is an object with one member");
	const char *kind = k->child->string;
	const cJSON *b = k->child;
	const cJSON *txs = mamori_json_get(b, "TextTransformations");
	size_t saved = waf_path_push(c, ".%s", kind);
	int st = MAMORI_OK;
	memset(out, 0, sizeof *out);
	out->kind = K_FIELD;
	if (!strcmp(kind, "IP")) {
		out->kind = K_IP;
	} else if (!strcmp(kind, "ForwardedIP")) {
		out->kind = K_FWD_IP;
	} else if (!strcmp(kind, "HTTPMethod")) {
		out->kind = K_METHOD;
	} else if (!strcmp(kind, "LabelNamespace")) {
		const char *ns = waf_req_str(c, b, "Namespace");
		out->kind = K_LABEL_NS;
		out->ns = ns ? mamori_arena_strdup(&c->acl->arena, ns) : NULL;
		st = ns ? MAMORI_OK : MAMORI_EINPUT;
	} else if (!strcmp(kind, "Header") || !strcmp(kind, "QueryArgument")) {
		const char *name = waf_req_str(c, b, "Name");
		st = name ? key_input(c, named(!strcmp(kind, "Header") ? "SingleHeader"
									 : "SingleQueryArgument",
						  name),
				      txs, &out->input)
			  : MAMORI_EINPUT;
	} else if (!strcmp(kind, "Cookie")) {
		const char *name = waf_req_str(c, b, "Name");
		if (name) {
			cJSON *ftm = cJSON_CreateObject();
			cJSON *ck = cJSON_AddObjectToObject(ftm, "Cookies");
			cJSON *mp = cJSON_AddObjectToObject(ck, "MatchPattern");
			cJSON *inc = cJSON_AddArrayToObject(mp, "IncludedCookies");
			cJSON_AddItemToArray(inc, cJSON_CreateString(name));
			cJSON_AddStringToObject(ck, "MatchScope", "VALUE");
			cJSON_AddStringToObject(ck, "OversizeHandling", "CONTINUE");
			st = key_input(c, ftm, txs, &out->input);
		} else {
			st = MAMORI_EINPUT;
		}
	} else if (!strcmp(kind, "QueryString") || !strcmp(kind, "UriPath")) {
		st = key_input(c, named(kind, NULL), txs, &out->input);
	} else {
		st = waf_err(c, NULL, "unknown custom key \"%s\"", kind);
	}
	waf_path_pop(c, saved);
	return st;
}

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	static const char *const aggs[] = {"IP", "FORWARDED_IP", "CONSTANT", "CUSTOM_KEYS", NULL};
	rate_rule *r = mamori_arena_alloc(&c->acl->arena, sizeof *r);
	const cJSON *limit = waf_req(c, j, "Limit", cJSON_Number);
	if (!limit)
		return MAMORI_EINPUT;
	if (limit->valuedouble < 10 || limit->valuedouble > 2000000000)
		return waf_err(c, "Limit", "must be between 10 and 2000000000");
	r->limit = limit->valuedouble;
	const cJSON *win = mamori_json_get(j, "EvaluationWindowSec");
	r->window = 300;
	if (cJSON_IsNumber(win))
		r->window = win->valuedouble >= 0 && win->valuedouble <= 600 ? (int)win->valuedouble : -1;
	if (win && !(r->window == 60 || r->window == 120 || r->window == 300 || r->window == 600))
		return waf_err(c, "EvaluationWindowSec", "must be 60, 120, 300 or 600");
	r->agg = waf_enum(c, j, "AggregateKeyType", aggs, true, 0);
	if (r->agg < 0)
		return MAMORI_EINPUT;
	const cJSON *fwd = mamori_json_get(j, "ForwardedIPConfig");
	bool needs_fwd = r->agg == AGG_FORWARDED_IP;
	if (r->agg == AGG_CUSTOM_KEYS) {
		const cJSON *keys = waf_req(c, j, "CustomKeys", cJSON_Array);
		if (!keys)
			return MAMORI_EINPUT;
		int n = cJSON_GetArraySize(keys);
		if (n < 1 || n > 5)
			return waf_err(c, "CustomKeys", "needs 1 to 5 keys");
		r->keys = mamori_arena_alloc(&c->acl->arena, (size_t)n * sizeof *r->keys);
		const cJSON *k;
		cJSON_ArrayForEach(k, keys)
		{
			size_t saved = waf_path_push(c, ".CustomKeys[%zu]", r->key_count);
			int st = custom_key(c, k, &r->keys[r->key_count]);
			waf_path_pop(c, saved);
			if (st)
				return st;
			needs_fwd |= r->keys[r->key_count].kind == K_FWD_IP;
			r->key_count++;
		}
	}
	if (needs_fwd && !fwd)
		return waf_err(c, "ForwardedIPConfig", "is required to aggregate on a forwarded IP");
	if (fwd) {
		size_t saved = waf_path_push(c, ".ForwardedIPConfig");
		int st = waf_forwarded_ip_compile(c, fwd, &r->header, &r->fallback);
		waf_path_pop(c, saved);
		if (st)
			return st;
	}
	const cJSON *sd = mamori_json_get(j, "ScopeDownStatement");
	if (sd) {
		size_t saved = waf_path_push(c, ".ScopeDownStatement");
		int st = waf_compile_stmt(c, sd, true, &r->scope_down);
		waf_path_pop(c, saved);
		if (st)
			return st;
	}
	waf_rate *state = mamori_xcalloc(1, sizeof *state);
	pthread_mutex_init(&state->lock, NULL);
	state->cap = 1024;
	state->slots = mamori_xcalloc(state->cap, sizeof *state->slots);
	r->state = state;
	mamori_waf_acl *acl = c->acl;
	acl->rates = mamori_xrealloc(acl->rates, (acl->rate_count + 1) * sizeof *acl->rates);
	acl->rates[acl->rate_count++] = state;
	s->u = r;
	return MAMORI_OK;
}

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h ? h : 1;
}

static void grow(waf_rate *r, int64_t now_bucket)
{
	size_t cap = r->cap * 2;
	rate_entry *old = r->slots;
	size_t oldcap = r->cap;
	r->slots = mamori_xcalloc(cap, sizeof *r->slots);
	r->cap = cap;
	r->used = 0;
	for (size_t i = 0; i < oldcap; i++) {
		if (!old[i].key)
			continue;
		if (now_bucket - old[i].last >= BUCKETS) { /* expired: drop */
			free(old[i].key);
			continue;
		}
		size_t k = old[i].hash & (cap - 1);
		while (r->slots[k].key)
			k = (k + 1) & (cap - 1);
		r->slots[k] = old[i];
		r->used++;
	}
	free(old);
}

/* Count one request for key; returns the count within the window. */
static uint64_t count(waf_rate *r, const char *key, size_t n, int64_t bucket)
{
	uint64_t h = fnv(key, n);
	pthread_mutex_lock(&r->lock);
	if (r->used * 2 >= r->cap && r->cap < MAX_KEYS * 2)
		grow(r, bucket);
	size_t k = h & (r->cap - 1);
	rate_entry *e = NULL;
	for (size_t probes = 0; probes < r->cap; probes++) {
		rate_entry *s = &r->slots[k];
		if (!s->key) {
			if (r->used * 2 >= r->cap) /* full: track nothing new */
				break;
			s->hash = h;
			s->key = mamori_xmalloc(n + 1);
			memcpy(s->key, key, n);
			s->key[n] = 0;
			s->key_len = n;
			s->last = bucket;
			r->used++;
			e = s;
			break;
		}
		if (s->hash == h && s->key_len == n && memcmp(s->key, key, n) == 0) {
			e = s;
			break;
		}
		k = (k + 1) & (r->cap - 1);
	}
	uint64_t total = 1;
	if (e) {
		int64_t gap = bucket - e->last;
		if (gap >= BUCKETS || gap < 0)
			memset(e->count, 0, sizeof e->count);
		else
			for (int64_t b = e->last + 1; b <= bucket; b++)
				e->count[b % BUCKETS] = 0;
		if (gap > 0 || gap <= -BUCKETS)
			e->last = bucket;
		e->count[bucket % BUCKETS]++;
		total = 0;
		for (int i = 0; i < BUCKETS; i++)
			total += e->count[i];
	}
	pthread_mutex_unlock(&r->lock);
	return total;
}

static bool append_ip(mamori_waf_eval *ev, const rate_rule *r, bool fwd, mamori_buf *key)
{
	bool no_ip;
	const char *ip = waf_client_ip(ev, fwd ? r->header : NULL, r->fallback, 0, &no_ip);
	if (no_ip || !ip)
		return false;
	unsigned char a[16];
	if (!waf_ip_parse(ip, strlen(ip), a, NULL))
		return false;
	mamori_buf_append(key, a, 16);
	return true;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const rate_rule *r = s->u;
	if (r->scope_down && !r->scope_down->type->eval(ev, r->scope_down))
		return false;
	mamori_buf key = MAMORI_BUF_INIT;
	bool ok = true;
	switch (r->agg) {
	case AGG_IP:
		ok = append_ip(ev, r, false, &key);
		break;
	case AGG_FORWARDED_IP:
		ok = append_ip(ev, r, true, &key);
		if (!ok && r->fallback == 0) {
			/* no usable forwarded address and fallback MATCH: the rule matches */
			mamori_buf_free(&key);
			ev->hit = (waf_hit){.condition = "RATE_BASED", .location = "IP"};
			return true;
		}
		break;
	case AGG_CONSTANT:
		mamori_buf_putc(&key, 'c');
		break;
	default:
		for (size_t i = 0; ok && i < r->key_count; i++) {
			const rate_key *k = &r->keys[i];
			mamori_buf_putc(&key, 0x1f);
			if (k->kind == K_IP || k->kind == K_FWD_IP) {
				ok = append_ip(ev, r, k->kind == K_FWD_IP, &key);
			} else if (k->kind == K_METHOD) {
				mamori_buf_puts(&key, ev->rq->method ? ev->rq->method : "GET");
			} else if (k->kind == K_LABEL_NS) {
				bool found = false;
				size_t nl = strlen(k->ns);
				for (size_t l = 0; l < ev->label_count; l++) {
					if (!strncmp(ev->labels[l], k->ns, nl)) {
						mamori_buf_puts(&key, ev->labels[l]);
						mamori_buf_putc(&key, ',');
						found = true;
					}
				}
				ok = found;
			} else {
				const waf_vals *v = waf_input_values(ev, k->input);
				ok = v->n > 0 && v->el[0].n > 0;
				if (ok)
					mamori_buf_append(&key, v->el[0].p, v->el[0].n);
			}
		}
		break;
	}
	if (!ok) {
		mamori_buf_free(&key);
		return false;
	}
	int64_t bucket = ev->now_ms / (r->window * 1000 / BUCKETS);
	uint64_t n = count(r->state, key.data ? key.data : "", key.len, bucket);
	mamori_buf_free(&key);
	if ((double)n <= r->limit)
		return false;
	ev->hit = (waf_hit){.condition = "RATE_BASED", .location = "IP"};
	return true;
}

const waf_stmt_type waf_stmt_rate = {"RateBasedStatement", compile, eval, false};
