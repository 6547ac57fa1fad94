/*
 * module_waf.c — the `waf` module of `mamori scan` (pillar "protection"):
 * replay the access logs found next to a WebACL through it, and say which
 * attacks it would stop and which it lets through.
 *
 * The target is searched for WebACL JSON files (an object with DefaultAction
 * and Rules, or get-web-acl output) and for request logs (ALB, CloudFront,
 * AWS WAF logs, HAR, JSON Lines).  Each WebACL is evaluated against the logs
 * under its own directory.  What counts as an attack is decided by mamori's
 * default WebACL (every managed rule group): a request it blocks and the
 * customer's WebACL allows is an attack let through — reported per managed
 * rule, HIGH — unless a Count rule saw it (the rule is there but not
 * enforcing: MEDIUM).  Each rule of the WebACL that blocks requests gets an
 * informational finding saying how many, so a scan shows what the WebACL
 * does.  Rule texts are in rules/waf/waf-replay.yaml.
 */
#include "../core/rulebook.h"
#include "waf.h"
#include "waf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RULES_FILE "rules/waf/waf-replay.yaml"
#define R_LET_THROUGH "mamori.waf.attack-allowed"
#define R_COUNTED "mamori.waf.attack-counted-only"
#define R_BLOCKED "mamori.waf.rule-blocks"
#define MAX_EXAMPLES 3

typedef struct tally {
	char *key;   /* group/rule */
	char *rule, *group, *cls;
	size_t n;
	size_t attacks;
	char *examples[MAX_EXAMPLES];
	const char *first_file;
	size_t first_line;
	size_t nex;
} tally;

typedef struct tallies {
	tally *v;
	size_t n;
} tallies;

typedef struct replay {
	mamori_module_run *run;
	mamori_waf_eval *ev, *ref;
	const char *file;
	tallies allowed, counted, blocked;
	size_t requests;
} replay;

static tally *find(tallies *t, const char *group, const char *rule)
{
	char key[512];
	snprintf(key, sizeof key, "%s/%s", group ? group : "", rule ? rule : "");
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->v[i].key, key))
			return &t->v[i];
	t->v = mamori_xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	tally *x = &t->v[t->n++];
	memset(x, 0, sizeof *x);
	x->key = mamori_xstrdup(key);
	x->rule = mamori_xstrdup(rule ? rule : "");
	x->group = group ? mamori_xstrdup(group) : NULL;
	return x;
}

static void note(tally *x, const replay *r, const mamori_waf_record *rec)
{
	x->n++;
	if (!x->first_file) {
		x->first_file = r->file;
		x->first_line = rec->line;
	}
	if (x->nex < MAX_EXAMPLES) {
		char buf[600];
		const char *u = rec->request.uri ? rec->request.uri : "";
		snprintf(buf, sizeof buf, "%s:%zu %s %.400s", r->file, rec->line,
			 rec->request.method ? rec->request.method : "GET", u);
		x->examples[x->nex++] = mamori_xstrdup(buf);
	}
}

static void free_tallies(tallies *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].key);
		free(t->v[i].rule);
		free(t->v[i].group);
		free(t->v[i].cls);
		for (size_t k = 0; k < t->v[i].nex; k++)
			free(t->v[i].examples[k]);
	}
	free(t->v);
}

/* The managed rule that matched, and its attack class. */
static const char *rule_class(const mamori_waf_acl *acl, const char *group, const char *rule)
{
	for (size_t g = 0; g < acl->group_count; g++) {
		if (!group || strcmp(acl->groups[g]->name, group))
			continue;
		for (size_t i = 0; i < acl->groups[g]->count; i++)
			if (!strcmp(acl->groups[g]->rules[i].name, rule))
				return acl->groups[g]->rules[i].cls;
	}
	return NULL;
}

static int on_request(void *ud, const mamori_waf_record *rec)
{
	replay *r = ud;
	if (!rec)
		return 0; /* a bad line: the reader put it in the ctx; skip it */
	r->requests++;
	mamori_waf_result res, ref;
	mamori_waf_evaluate(r->ref, &rec->request, &ref);
	const char *ref_group = ref.terminating_group, *ref_rule = ref.terminating_rule;
	bool attack = ref.action == MAMORI_WAF_BLOCK;
	char rg[256] = "", rr[256] = "";
	if (attack) { /* keep what the reference saw before the next evaluation */
		snprintf(rg, sizeof rg, "%s", ref_group ? ref_group : "");
		snprintf(rr, sizeof rr, "%s", ref_rule);
	}
	mamori_waf_evaluate(r->ev, &rec->request, &res);
	if (res.action != MAMORI_WAF_ALLOW) {
		tally *x = find(&r->blocked, res.terminating_group, res.terminating_rule);
		note(x, r, rec);
		x->attacks += attack;
		return 0;
	}
	if (!attack)
		return 0;
	bool counted = false;
	for (size_t i = 0; i < res.match_count; i++)
		counted |= res.matches[i].action == MAMORI_WAF_COUNT;
	tally *x = find(counted ? &r->counted : &r->allowed, rg, rr);
	if (!x->cls) {
		const char *cls = rule_class(r->ref->acl, rg, rr);
		x->cls = mamori_xstrdup(cls ? cls : "attack");
	}
	note(x, r, rec);
	return 0;
}

static bool is_webacl(const char *buf, size_t len)
{
	size_t head = len < 65536 ? len : 65536;
	return memmem(buf, head, "\"DefaultAction\"", 15) != NULL &&
	       (memmem(buf, head, "\"Rules\"", 7) != NULL || memmem(buf, head, "\"WebACL\"", 8) != NULL);
}

static bool is_log(const mamori_target_file *f)
{
	static const char *const sfx[] = {".log", ".jsonl", ".har", ".txt", NULL};
	return mamori_target_file_has_suffix(f, sfx);
}

static bool waf_wants(const mamori_target *t)
{
	static const char *const json[] = {".json", NULL};
	for (size_t i = 0; i < t->file_count; i++)
		if (mamori_target_file_has_suffix(&t->files[i], json) &&
		    (strstr(t->files[i].relpath, "waf") || strstr(t->files[i].relpath, "acl")))
			return true;
	return false;
}

static void evidence(mamori_findings *fs, mamori_finding *f, const tally *x, const char *acl_name)
{
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddStringToObject(ev, "webAcl", acl_name);
	cJSON_AddNumberToObject(ev, "requests", (double)x->n);
	if (x->group)
		cJSON_AddStringToObject(ev, "ruleGroup", x->group);
	cJSON_AddStringToObject(ev, "rule", x->rule);
	cJSON *ex = cJSON_AddArrayToObject(ev, "examples");
	for (size_t i = 0; i < x->nex; i++)
		cJSON_AddItemToArray(ex, cJSON_CreateString(x->examples[i]));
	char *s = cJSON_PrintUnformatted(ev);
	f->evidence_json = mamori_findings_strdup(fs, s);
	free(s);
	cJSON_Delete(ev);
	f->location.path = mamori_findings_strdup(fs, x->first_file);
	f->location.line = (unsigned)x->first_line;
	f->fingerprint = mamori_findings_strdup(fs, x->key);
}

static void report(mamori_module_run *run, const mamori_rulebook *rb, const mamori_waf_acl *acl,
		   const char *acl_file, replay *r)
{
	mamori_findings *fs = run->findings;
	const char *arn = mamori_waf_acl_arn(acl), *name = mamori_waf_acl_name(acl);
	struct {
		tallies *t;
		const char *rule;
	} kinds[] = {{&r->allowed, R_LET_THROUGH}, {&r->counted, R_COUNTED}, {&r->blocked, R_BLOCKED}};
	for (size_t k = 0; k < 3; k++) {
		const mamori_rule_meta *meta = mamori_rulebook_find(rb, kinds[k].rule);
		for (size_t i = 0; i < kinds[k].t->n; i++) {
			const tally *x = &kinds[k].t->v[i];
			mamori_finding *f = mamori_module_finding(run, kinds[k].rule);
			if (meta)
				mamori_rule_apply(fs, f, meta);
			mamori_resource *res = mamori_finding_add_resource(fs, f, "AwsWafv2WebAcl", arn);
			res->details_json = mamori_findings_printf(fs, "{\"AwsWafv2WebAcl\":{\"Name\":\"%s\"}}", name);
			evidence(fs, f, x, name);
			if (k == 2) {
				f->title = mamori_findings_printf(fs, "WebACL %s: rule %s%s%s blocks %zu of the logged "
								  "requests (%zu attacks)",
								  name, x->group ? x->group : "",
								  x->group ? "/" : "", x->rule, x->n, x->attacks);
			} else {
				f->title = mamori_findings_printf(fs, "WebACL %s %s %zu %s attack%s (seen by %s%s%s)",
								  name, k == 0 ? "lets through" : "only counts",
								  x->n, x->cls, x->n == 1 ? "" : "s",
								  x->group ? x->group : "", x->group ? "/" : "", x->rule);
			}
			(void)acl_file;
		}
	}
}

static int waf_run(mamori_module_run *run)
{
	mamori_rulebook rb;
	int st = mamori_rulebook_load_builtin(run->ctx, RULES_FILE, &rb);
	if (st)
		return st;
	mamori_waf_acl *ref_acl = NULL;
	st = mamori_waf_acl_default(run->ctx, NULL, &ref_acl);
	if (st) {
		mamori_rulebook_free(&rb);
		return st;
	}
	const mamori_target *t = run->target;
	static const char *const json[] = {".json", NULL};
	for (size_t i = 0; i < t->file_count; i++) {
		const mamori_target_file *af = &t->files[i];
		if (!mamori_target_file_has_suffix(af, json) || af->size > (64u << 20))
			continue;
		mamori_buf b = MAMORI_BUF_INIT;
		if (mamori_buf_read_file(run->ctx, &b, af->path, 64u << 20) != 0) {
			mamori_module_problem(run, NULL);
			mamori_buf_free(&b);
			continue;
		}
		if (!is_webacl(b.data ? b.data : "", b.len)) {
			mamori_buf_free(&b);
			continue;
		}
		mamori_waf_acl *acl = NULL;
		if (mamori_waf_acl_compile(run->ctx, af->relpath, b.data, b.len, NULL, &acl) != 0) {
			mamori_module_problem(run, NULL);
			mamori_buf_free(&b);
			continue;
		}
		mamori_buf_free(&b);
		/* the logs beside it: files under the WebACL's directory */
		const char *slash = strrchr(af->relpath, '/');
		size_t dirlen = slash ? (size_t)(slash - af->relpath) + 1 : 0;
		replay r = {.run = run};
		r.ev = mamori_waf_eval_new(acl);
		r.ref = mamori_waf_eval_new(ref_acl);
		for (size_t k = 0; k < t->file_count; k++) {
			const mamori_target_file *lf = &t->files[k];
			if (!is_log(lf) || strncmp(lf->relpath, af->relpath, dirlen) != 0)
				continue;
			mamori_buf lb = MAMORI_BUF_INIT;
			if (mamori_buf_read_file(run->ctx, &lb, lf->path, 256u << 20) != 0) {
				mamori_module_problem(run, NULL);
				mamori_buf_free(&lb);
				continue;
			}
			r.file = lf->relpath;
			mamori_waf_read_requests(run->ctx, lf->relpath, lb.data ? lb.data : "", lb.len,
						 MAMORI_WAF_INPUT_AUTO, on_request, &r);
			mamori_buf_free(&lb);
		}
		mamori_log(run->ctx, MAMORI_LOG_INFO, "waf: %s: %zu logged requests replayed", af->relpath,
			   r.requests);
		report(run, &rb, acl, af->relpath, &r);
		free_tallies(&r.allowed);
		free_tallies(&r.counted);
		free_tallies(&r.blocked);
		mamori_waf_eval_free(r.ev);
		mamori_waf_eval_free(r.ref);
		mamori_waf_acl_free(acl);
	}
	mamori_waf_acl_free(ref_acl);
	mamori_rulebook_free(&rb);
	return MAMORI_OK;
}

const mamori_module mamori_module_waf = {
	.name = "waf",
	.pillar = "protection",
	.summary = "replays access logs through the WebACLs beside them: attacks blocked, let through",
	.target_kinds = MAMORI_TARGET_PATH,
	.wants = waf_wants,
	.run = waf_run,
};
