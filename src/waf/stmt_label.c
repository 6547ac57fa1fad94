/*
 * stmt_label.c — LabelMatchStatement: a label added by an earlier rule.
 * Scope LABEL matches the label or any label ending in ":key"; NAMESPACE
 * matches every label under the namespace.
 */
#include "waf_internal.h"

#include <string.h>

typedef struct label_rule {
	const char *key;
	bool ns;
} label_rule;

static int compile(waf_compiler *c, const cJSON *j, waf_stmt *s)
{
	static const char *const scopes[] = {"LABEL", "NAMESPACE", NULL};
	label_rule *r = mamori_arena_alloc(&c->acl->arena, sizeof *r);
	int scope = waf_enum(c, j, "Scope", scopes, true, 0);
	if (scope < 0)
		return MAMORI_EINPUT;
	const char *key = waf_req_str(c, j, "Key");
	if (!key)
		return MAMORI_EINPUT;
	if (!*key)
		return waf_err(c, "Key", "must not be empty");
	r->ns = scope == 1;
	if (r->ns && key[strlen(key) - 1] != ':')
		r->key = mamori_arena_printf(&c->acl->arena, "%s:", key);
	else
		r->key = mamori_arena_strdup(&c->acl->arena, key);
	s->u = r;
	return MAMORI_OK;
}

static bool eval(mamori_waf_eval *ev, const waf_stmt *s)
{
	const label_rule *r = s->u;
	if (!waf_has_label(ev, r->key, r->ns))
		return false;
	ev->hit = (waf_hit){.condition = "LABEL_MATCH", .data = r->key, .data_len = strlen(r->key)};
	return true;
}

const waf_stmt_type waf_stmt_label = {"LabelMatchStatement", compile, eval, true};
