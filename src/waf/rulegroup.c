/*
 * rulegroup.c — rule groups: RuleGroupReferenceStatement (a customer group
 * given with the WebACL under "RuleGroups") and ManagedRuleGroupStatement
 * (mamori's own groups, data in rules/waf/<Name>.json, compiled into the
 * library).
 *
 * A group is compiled once per ACL into the ACL's shared field, input and
 * prefilter tables, however many rules refer to it; each reference keeps its
 * own ExcludedRules, RuleActionOverrides, ScopeDownStatement and
 * OverrideAction.  Managed groups accept VendorName "AWS" (the names mirror
 * AWS's managed rule groups so that existing WebACLs work unchanged) or
 * "mamori"; they may use mamori's field extensions.
 */
#include "../core/embedded.h"
#include "waf_internal.h"

#include <stdio.h>
#include <string.h>

static const char *const managed_names[] = {
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesSQLiRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesLinuxRuleSet",
	"AWSManagedRulesUnixRuleSet",
	"AWSManagedRulesWindowsRuleSet",
	"AWSManagedRulesPHPRuleSet",
	"MamoriManagedRulesInjectionRuleSet",
	NULL,
};

const char *const *waf_managed_group_names(void)
{
	return managed_names;
}

static const waf_group *cached(const mamori_waf_acl *acl, const char *name)
{
	for (size_t i = 0; i < acl->group_count; i++)
		if (!strcmp(acl->groups[i]->name, name))
			return acl->groups[i];
	return NULL;
}

/* Compile a RuleGroup object (Name, Rules, optional LabelNamespace). */
static int group_compile(waf_compiler *c, const cJSON *j, bool managed, const waf_group **out)
{
	mamori_waf_acl *acl = c->acl;
	const char *name = waf_req_str(c, j, "Name");
	if (!name)
		return MAMORI_EINPUT;
	waf_group *g = mamori_arena_alloc(&acl->arena, sizeof *g);
	g->name = mamori_arena_strdup(&acl->arena, name);
	g->managed = managed;
	g->vendor = managed ? "AWS" : NULL;
	const char *ns = mamori_json_str(j, "LabelNamespace");
	g->label_ns = ns ? mamori_arena_strdup(&acl->arena, ns)
			 : mamori_arena_printf(&acl->arena, "awswaf:%s:rulegroup:%s:", acl->account, name);
	const cJSON *rules = waf_req(c, j, "Rules", cJSON_Array);
	if (!rules)
		return MAMORI_EINPUT;
	const char *saved_ns = c->label_ns;
	const cJSON *saved_sets = c->regex_sets, *saved_ips = c->ip_sets;
	bool saved_managed = c->managed;
	c->label_ns = g->label_ns;
	c->in_group = true;
	c->managed = managed;
	if (managed) {
		c->regex_sets = mamori_json_get(j, "RegexPatternSets");
		c->ip_sets = NULL;
	}
	int st = waf_rules_compile(c, rules, &g->rules, &g->count);
	c->label_ns = saved_ns;
	c->in_group = false;
	c->managed = saved_managed;
	c->regex_sets = saved_sets;
	c->ip_sets = saved_ips;
	if (st)
		return st;
	acl->groups = mamori_xrealloc(acl->groups, (acl->group_count + 1) * sizeof *acl->groups);
	acl->groups[acl->group_count++] = g;
	*out = g;
	return MAMORI_OK;
}

static int managed_group(waf_compiler *c, const char *vendor, const char *name,
			 const waf_group **out)
{
	if (strcmp(vendor, "AWS") != 0 && strcmp(vendor, "mamori") != 0)
		return waf_err(c, "VendorName", "\"%s\": mamori provides the AWS and mamori managed "
						"rule groups only", vendor);
	const waf_group *g = cached(c->acl, name);
	if (g) {
		*out = g;
		return MAMORI_OK;
	}
	char file[256];
	snprintf(file, sizeof file, "rules/waf/%s.json", name);
	const mamori_embedded_file *ef = mamori_embedded_rule(file);
	if (!ef) {
		mamori_buf all = MAMORI_BUF_INIT;
		for (const char *const *n = managed_names; *n; n++)
			mamori_buf_printf(&all, "%s%s", all.len ? ", " : "", *n);
		int st = waf_err(c, "Name", "no managed rule group \"%s\" (mamori has %s)", name,
				 all.data);
		mamori_buf_free(&all);
		return st;
	}
	cJSON *root = mamori_json_parse(c->ctx, file, (const char *)ef->data, ef->len);
	if (!root)
		return MAMORI_EINPUT;
	/* errors inside the group file point into it */
	waf_compiler sub = *c;
	sub.file = mamori_arena_strdup(&c->acl->arena, file);
	sub.path_len = 0;
	waf_path_push(&sub, "$");
	int st = group_compile(&sub, root, true, out);
	cJSON_Delete(root);
	return st;
}

static int ref_group(waf_compiler *c, const char *arn, const waf_group **out)
{
	const cJSON *it, *found = NULL;
	cJSON_ArrayForEach(it, (cJSON_IsArray(c->rule_groups) ? c->rule_groups : NULL))
	{
		const char *a = mamori_json_str(it, "ARN"), *n = mamori_json_str(it, "Name");
		if ((a && !strcmp(a, arn)) || (n && !strcmp(n, arn)))
			found = it;
	}
	if (!found)
		return waf_err(c, "ARN", "no rule group \"%s\" in RuleGroups", arn);
	const char *name = mamori_json_str(found, "Name");
	const waf_group *g = name ? cached(c->acl, name) : NULL;
	if (g) {
		*out = g;
		return MAMORI_OK;
	}
	size_t saved = c->path_len;
	char keep[sizeof c->path];
	memcpy(keep, c->path, sizeof keep);
	c->path_len = 0;
	waf_path_push(c, "$.RuleGroups[\"%s\"]", arn);
	int st = group_compile(c, found, false, out);
	memcpy(c->path, keep, sizeof keep);
	c->path_len = saved;
	return st;
}

static int rule_index(waf_compiler *c, const waf_group *g, const char *name, const char *member)
{
	for (size_t i = 0; i < g->count; i++)
		if (!strcmp(g->rules[i].name, name))
			return (int)i;
	waf_err(c, member, "rule group %s has no rule \"%s\"", g->name, name);
	return -1;
}

int waf_group_ref_compile(waf_compiler *c, const cJSON *body, bool managed, waf_rule *r)
{
	size_t saved = waf_path_push(c, ".%s", managed ? "ManagedRuleGroupStatement"
						      : "RuleGroupReferenceStatement");
	int st = MAMORI_OK;
	const waf_group *g = NULL;
	if (!cJSON_IsObject(body)) {
		st = waf_err(c, NULL, "must be an object");
	} else if (managed) {
		const char *vendor = waf_req_str(c, body, "VendorName");
		const char *name = vendor ? waf_req_str(c, body, "Name") : NULL;
		st = name ? managed_group(c, vendor, name, &g) : MAMORI_EINPUT;
	} else {
		const char *arn = waf_req_str(c, body, "ARN");
		st = arn ? ref_group(c, arn, &g) : MAMORI_EINPUT;
	}
	if (st) {
		waf_path_pop(c, saved);
		return st;
	}
	r->group = g;
	const cJSON *ex = mamori_json_get(body, "ExcludedRules");
	if (ex) {
		r->excluded = mamori_arena_alloc(&c->acl->arena, (g->count + 1) * sizeof *r->excluded);
		const cJSON *it;
		int i = 0;
		cJSON_ArrayForEach(it, ex)
		{
			size_t s2 = waf_path_push(c, ".ExcludedRules[%d]", i++);
			const char *name = waf_req_str(c, it, "Name");
			int k = name ? rule_index(c, g, name, "Name") : -1;
			waf_path_pop(c, s2);
			if (k < 0) {
				waf_path_pop(c, saved);
				return MAMORI_EINPUT;
			}
			r->excluded[k] = true;
		}
	}
	const cJSON *ov = mamori_json_get(body, "RuleActionOverrides");
	if (ov) {
		r->overrides = mamori_arena_alloc(&c->acl->arena, (g->count + 1) * sizeof *r->overrides);
		const cJSON *it;
		int i = 0;
		cJSON_ArrayForEach(it, ov)
		{
			size_t s2 = waf_path_push(c, ".RuleActionOverrides[%d]", i++);
			const char *name = waf_req_str(c, it, "Name");
			int k = name ? rule_index(c, g, name, "Name") : -1;
			const cJSON *use = k >= 0 ? waf_req(c, it, "ActionToUse", cJSON_Object) : NULL;
			if (use) {
				waf_action *a = mamori_arena_alloc(&c->acl->arena, sizeof *a);
				size_t s3 = waf_path_push(c, ".ActionToUse");
				st = waf_action_compile(c, use, a);
				waf_path_pop(c, s3);
				r->overrides[k] = a;
			}
			waf_path_pop(c, s2);
			if (!use || st) {
				waf_path_pop(c, saved);
				return MAMORI_EINPUT;
			}
		}
	}
	const cJSON *sd = mamori_json_get(body, "ScopeDownStatement");
	if (sd) {
		size_t s2 = waf_path_push(c, ".ScopeDownStatement");
		st = waf_compile_stmt(c, sd, true, &r->scope_down);
		waf_path_pop(c, s2);
	}
	waf_path_pop(c, saved);
	return st;
}

/* The default WebACL: every managed group, in this order, blocking. */
const char *mamori_waf_default_acl_json(void)
{
	return "{\"Name\":\"mamori-default\",\"Id\":\"mamori-default\","
	       "\"DefaultAction\":{\"Allow\":{}},"
	       "\"VisibilityConfig\":{\"SampledRequestsEnabled\":true,\"CloudWatchMetricsEnabled\":false,"
	       "\"MetricName\":\"mamori-default\"},\"Rules\":["
#define G(prio, vendor, name)                                                                   \
	"{\"Name\":\"" name "\",\"Priority\":" #prio ",\"OverrideAction\":{\"None\":{}},"       \
	"\"Statement\":{\"ManagedRuleGroupStatement\":{\"VendorName\":\"" vendor "\",\"Name\":\"" \
	name "\"}},\"VisibilityConfig\":{\"SampledRequestsEnabled\":true,"                      \
	"\"CloudWatchMetricsEnabled\":false,\"MetricName\":\"" name "\"}}"
	       G(10, "AWS", "AWSManagedRulesKnownBadInputsRuleSet") ","
	       G(20, "AWS", "AWSManagedRulesCommonRuleSet") ","
	       G(30, "AWS", "AWSManagedRulesSQLiRuleSet") ","
	       G(40, "AWS", "AWSManagedRulesLinuxRuleSet") ","
	       G(50, "AWS", "AWSManagedRulesUnixRuleSet") ","
	       G(60, "AWS", "AWSManagedRulesWindowsRuleSet") ","
	       G(70, "AWS", "AWSManagedRulesPHPRuleSet") ","
	       G(80, "mamori", "MamoriManagedRulesInjectionRuleSet")
#undef G
	       "]}";
}

int mamori_waf_acl_default(mamori_ctx *ctx, const mamori_waf_options *opts, mamori_waf_acl **out)
{
	const char *j = mamori_waf_default_acl_json();
	return mamori_waf_acl_compile(ctx, "<default WebACL>", j, strlen(j), opts, out);
}
