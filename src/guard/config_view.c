/*
 * config_view.c — AWS Config items grouped per account, with the account
 * context merged into each (see config_view.h).
 */
#include "config_view.h"
#include "load.h"

#include <stdlib.h>
#include <string.h>

#define ACCOUNT_TYPE "Mamori::AWS::Account"
#define REGION_TYPE "Mamori::AWS::Region"

/* The cutoffs rules may compare dates with (Guard has no arithmetic). */
static const int cutoff_days[] = {1, 7, 30, 45, 90, 365};

void mg_cfg_init(mg_cfg *c)
{
	memset(c, 0, sizeof *c);
	mamori_arena_init(&c->arena, 0);
}

void mg_cfg_free(mg_cfg *c)
{
	free(c->docs);
	free(c->accounts);
	mamori_arena_free(&c->arena);
	memset(c, 0, sizeof *c);
}

const char *mg_cfg_str(const mg_value *item, const char *key, char *buf, size_t size)
{
	const mg_value *v = mg_map_get(item, key, strlen(key));
	if (!v || v->type != MG_STRING || size == 0)
		return NULL;
	size_t n = v->s.len < size - 1 ? v->s.len : size - 1;
	memcpy(buf, v->s.p, n);
	buf[n] = '\0';
	return buf;
}

static mg_cfg_doc *push_doc(mg_cfg *c)
{
	if (c->ndocs == c->capdocs) {
		c->capdocs = c->capdocs ? c->capdocs * 2 : 256;
		c->docs = mamori_xrealloc(c->docs, c->capdocs * sizeof *c->docs);
	}
	mg_cfg_doc *d = &c->docs[c->ndocs++];
	memset(d, 0, sizeof *d);
	return d;
}

/* The item's account: awsAccountId as Config writes it, accountId as the API does. */
static const char *item_account(mg_cfg *c, const mg_value *item)
{
	const mg_value *v = mg_map_get(item, "awsAccountId", 12);
	if (!v || v->type != MG_STRING)
		v = mg_map_get(item, "accountId", 9);
	if (!v || v->type != MG_STRING)
		return "";
	return mamori_arena_strndup(&c->arena, v->s.p, v->s.len);
}

static size_t account_index(mg_cfg *c, const char *id, size_t file)
{
	for (size_t i = 0; i < c->naccounts; i++)
		if (strcmp(c->accounts[i].id, id) == 0)
			return i;
	if (c->naccounts == c->capaccounts) {
		c->capaccounts = c->capaccounts ? c->capaccounts * 2 : 4;
		c->accounts = mamori_xrealloc(c->accounts, c->capaccounts * sizeof *c->accounts);
	}
	c->accounts[c->naccounts] = (mg_cfg_account){.id = id, .first_file = file};
	return c->naccounts++;
}

void mg_cfg_add(mg_cfg *c, const mg_value *item, size_t file)
{
	if (item->type != MG_MAP)
		return;
	size_t a = account_index(c, item_account(c, item), file);
	mg_cfg_doc *d = push_doc(c);
	d->item = item;
	d->file = file;
	d->account = a;
}

/* ---- building values ---- */

static mg_value *str(mg_cfg *c, const char *s)
{
	return mg_new_str(&c->arena, MG_STRING, s, strlen(s));
}

/* A map from alternating keys and values (keys as C strings). */
typedef struct kvbuf {
	mg_value **kv;
	size_t n, cap;
} kvbuf;

static void kv_put(mg_cfg *c, kvbuf *b, const char *key, mg_value *v)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 8;
		b->kv = mamori_xrealloc(b->kv, 2 * b->cap * sizeof *b->kv);
	}
	b->kv[2 * b->n] = str(c, key);
	b->kv[2 * b->n + 1] = v;
	b->n++;
}

static mg_value *kv_map(mg_cfg *c, kvbuf *b)
{
	mg_value *m = mg_new(&c->arena, MG_MAP);
	mg_load_finish_map(&c->arena, m, b->kv, b->n);
	free(b->kv);
	memset(b, 0, sizeof *b);
	return m;
}

static mg_value *list_of(mg_cfg *c, mg_value **items, size_t n)
{
	mg_value *l = mg_new(&c->arena, MG_LIST);
	mg_load_finish_list(&c->arena, l, items, n);
	return l;
}

static mg_value *synthetic_item(mg_cfg *c, const char *type, const char *id, const char *account,
				const char *region, mg_value *configuration)
{
	kvbuf b = {0};
	kv_put(c, &b, "resourceType", str(c, type));
	kv_put(c, &b, "resourceId", str(c, id));
	kv_put(c, &b, "resourceName", str(c, id));
	kv_put(c, &b, "awsAccountId", str(c, account));
	kv_put(c, &b, "awsRegion", str(c, region));
	kv_put(c, &b, "configuration", configuration);
	return kv_map(c, &b);
}

/* ---- one account ---- */

typedef struct type_group {
	const char *type;
	mg_value **items;
	size_t n, cap;
} type_group;

typedef struct strset {
	const char **v;
	size_t n, cap;
} strset;

static bool strset_add(strset *s, const char *x)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], x) == 0)
			return false;
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = mamori_xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n++] = x;
	return true;
}

static type_group *group_of(type_group **groups, size_t *n, size_t *cap, const char *type)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*groups)[i].type, type) == 0)
			return &(*groups)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*groups = mamori_xrealloc(*groups, *cap * sizeof **groups);
	}
	type_group *g = &(*groups)[(*n)++];
	memset(g, 0, sizeof *g);
	g->type = type;
	return g;
}

static void group_push(type_group *g, const mg_value *item)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 8;
		g->items = mamori_xrealloc(g->items, g->cap * sizeof *g->items);
	}
	g->items[g->n++] = (mg_value *)item;
}

static void build_account(mg_cfg *c, size_t ai, time_t now)
{
	mg_cfg_account *acc = &c->accounts[ai];
	type_group *groups = NULL;
	size_t ngroups = 0, capgroups = 0;
	strset regions = {0}, region_items = {0};
	time_t captured = 0;
	char buf[256], when[64];
	size_t ndocs = c->ndocs;
	for (size_t i = 0; i < ndocs; i++) {
		const mg_cfg_doc *d = &c->docs[i];
		if (d->account != ai)
			continue;
		const char *type = mg_cfg_str(d->item, "resourceType", buf, sizeof buf);
		if (!type)
			continue;
		type = mamori_arena_strdup(&c->arena, type);
		group_push(group_of(&groups, &ngroups, &capgroups, type), d->item);
		time_t t;
		if (mg_cfg_str(d->item, "configurationItemCaptureTime", when, sizeof when) &&
		    mamori_time_parse(when, &t) == 0 && t > captured)
			captured = t;
		char rb[64];
		const char *region = mg_cfg_str(d->item, "awsRegion", rb, sizeof rb);
		if (strcmp(type, REGION_TYPE) == 0) {
			const char *id = mg_cfg_str(d->item, "resourceId", buf, sizeof buf);
			if (id)
				strset_add(&region_items, mamori_arena_strdup(&c->arena, id));
		} else if (region && *region && strcmp(region, "global") != 0) {
			const char *r = mamori_arena_strdup(&c->arena, region);
			if (!strset_add(&regions, r))
				continue;
		}
	}
	/* the regions read are the collector's region items; a plain Config
	 * snapshot only tells which regions its items are in */
	bool synth = region_items.n == 0;
	strset *rs = synth ? &regions : &region_items;
	if (!captured)
		captured = now;
	const char *account = acc->id;

	mg_value **rv = mamori_xcalloc(rs->n + 1, sizeof *rv);
	for (size_t i = 0; i < rs->n; i++)
		rv[i] = str(c, rs->v[i]);
	kvbuf days = {0};
	for (size_t i = 0; i < sizeof cutoff_days / sizeof *cutoff_days; i++) {
		char k[12], ts[32];
		snprintf(k, sizeof k, "d%d", cutoff_days[i]);
		mamori_time_format(captured - (time_t)cutoff_days[i] * 86400, ts);
		kv_put(c, &days, k, str(c, ts));
	}
	kvbuf res = {0};
	mg_value **synthetic = mamori_xcalloc(rs->n + 2, sizeof *synthetic);
	size_t nsynth = 0;
	if (synth)
		for (size_t i = 0; i < rs->n; i++) {
			kvbuf conf = {0};
			kv_put(c, &conf, "regionName", str(c, rs->v[i]));
			synthetic[nsynth++] = synthetic_item(c, REGION_TYPE, rs->v[i], account, rs->v[i],
							     kv_map(c, &conf));
		}
	synthetic[nsynth++] = synthetic_item(c, ACCOUNT_TYPE, *account ? account : "unknown",
					     account, "global", kv_map(c, &(kvbuf){0}));
	if (synth && nsynth > 1) {
		type_group *g = group_of(&groups, &ngroups, &capgroups, REGION_TYPE);
		for (size_t i = 0; i + 1 < nsynth; i++)
			group_push(g, synthetic[i]);
	}
	group_push(group_of(&groups, &ngroups, &capgroups, ACCOUNT_TYPE), synthetic[nsynth - 1]);
	for (size_t i = 0; i < ngroups; i++)
		kv_put(c, &res, groups[i].type, list_of(c, groups[i].items, groups[i].n));

	/* the credential report by user: a user's row in one map lookup
	 * instead of a filter over every row (quadratic in the users) */
	kvbuf report = {0};
	for (size_t i = 0; i < ngroups; i++) {
		if (strcmp(groups[i].type, "AWS::IAM::CredentialReport") != 0)
			continue;
		for (size_t k = 0; k < groups[i].n; k++) {
			const mg_value *users = mg_map_get(mg_map_get(groups[i].items[k], "configuration", 13),
							   "users", 5);
			for (uint32_t u = 0; users && users->type == MG_LIST && u < users->list.n; u++) {
				const char *name = mg_cfg_str(users->list.v[u], "user", buf, sizeof buf);
				if (name)
					kv_put(c, &report, name, users->list.v[u]);
			}
		}
	}

	char ts[32];
	mamori_time_format(captured, ts);
	kvbuf view = {0};
	kv_put(c, &view, "awsAccountId", str(c, account));
	kv_put(c, &view, "captureTime", str(c, ts));
	kv_put(c, &view, "daysAgo", kv_map(c, &days));
	kv_put(c, &view, "regions", list_of(c, rv, rs->n));
	kv_put(c, &view, "resources", kv_map(c, &res));
	if (report.n)
		kv_put(c, &view, "credentialReport", kv_map(c, &report));
	for (size_t i = 0; i < ngroups; i++)
		free(groups[i].items);
	free(groups);
	kvbuf top = {0};
	kv_put(c, &top, "account", kv_map(c, &view));
	acc->view = kv_map(c, &top);

	for (size_t i = 0; i < nsynth; i++) {
		mg_cfg_doc *d = push_doc(c);
		d->item = synthetic[i];
		d->file = acc->first_file;
		d->account = ai;
		d->synthetic = true;
	}
	free(synthetic);
	free(rv);
	free(regions.v);
	free(region_items.v);
}

void mg_cfg_build(mg_cfg *c, time_t now)
{
	for (size_t a = 0; a < c->naccounts; a++)
		build_account(c, a, now);
}

const mg_value *mg_cfg_document(mg_cfg *c, size_t i, const char **err)
{
	const mg_cfg_doc *d = &c->docs[i];
	mg_value *root = (mg_value *)d->item;
	*err = mg_merge_params(&c->arena, &root, c->accounts[d->account].view);
	return *err ? NULL : root;
}
