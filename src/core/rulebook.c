/*
 * rulebook.c — loading and applying rule metadata (see rulebook.h).
 */
#include "rulebook.h"
#include "embedded.h"
#include "yaml.h"

#include <stdlib.h>
#include <string.h>

static int bad(mamori_ctx *ctx, const char *path, const char *id, const char *what)
{
	return mamori_error_set(ctx, MAMORI_EINPUT, "%s: rule %s: %s", path ? path : "<rules>",
				id ? id : "(no id)", what);
}

static int read_list(mamori_ctx *ctx, const char *path, const char *id, mamori_findings *fs,
		     mamori_strlist *out, const cJSON *v, const char *field)
{
	if (!v)
		return MAMORI_OK;
	if (!cJSON_IsArray(v))
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: rule %s: %s must be a list",
					path, id, field);
	const cJSON *e;
	cJSON_ArrayForEach(e, v)
	{
		if (!cJSON_IsString(e))
			return mamori_error_set(ctx, MAMORI_EINPUT,
						"%s: rule %s: %s must hold strings", path, id, field);
		mamori_strlist_push(fs, out, e->valuestring);
	}
	return MAMORI_OK;
}

int mamori_rulebook_load(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			 mamori_rulebook *rb)
{
	memset(rb, 0, sizeof *rb);
	mamori_findings_init(&rb->strings);
	cJSON *root = mamori_yaml_parse(ctx, path, buf, len);
	if (!root)
		return MAMORI_EINPUT;
	int rc = MAMORI_OK;
	const cJSON *rules = mamori_json_get(root, "rules");
	if (!cJSON_IsArray(rules)) {
		rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: expected a 'rules' list", path);
		goto out;
	}
	rb->module = mamori_findings_strdup(&rb->strings, mamori_json_str(root, "module"));
	size_t n = (size_t)cJSON_GetArraySize(rules);
	rb->rules = mamori_arena_alloc(&rb->strings.arena, (n ? n : 1) * sizeof *rb->rules);
	const cJSON *r;
	cJSON_ArrayForEach(r, rules)
	{
		mamori_findings *fs = &rb->strings;
		const char *id = mamori_json_str(r, "id");
		if (!id) {
			rc = bad(ctx, path, NULL, "has no id");
			goto out;
		}
		if (mamori_rulebook_find(rb, id)) {
			rc = bad(ctx, path, id, "id is used twice");
			goto out;
		}
		mamori_rule_meta *m = &rb->rules[rb->count];
		m->id = mamori_findings_strdup(fs, id);
		m->title = mamori_findings_strdup(fs, mamori_json_str(r, "title"));
		m->description = mamori_findings_strdup(fs, mamori_json_str(r, "description"));
		int sev = mamori_severity_parse(mamori_json_str(r, "severity"));
		if (!m->title || !m->description || sev < 0) {
			rc = bad(ctx, path, id,
				 "needs a title, a description and a severity (CRITICAL, HIGH, "
				 "MEDIUM, LOW or INFORMATIONAL)");
			goto out;
		}
		m->severity = (mamori_severity)sev;
		const cJSON *rem = mamori_json_get(r, "remediation");
		m->remediation_text = mamori_findings_strdup(fs, mamori_json_str(rem, "text"));
		m->remediation_url = mamori_findings_strdup(fs, mamori_json_str(rem, "url"));
		m->author = mamori_findings_strdup(fs, mamori_json_str(r, "author"));
		m->license = mamori_findings_strdup(fs, mamori_json_str(r, "license"));
		rc = read_list(ctx, path, id, fs, &m->types, mamori_json_get(r, "types"), "types");
		if (!rc)
			rc = read_list(ctx, path, id, fs, &m->requirements,
				       mamori_json_get(r, "requirements"), "requirements");
		if (!rc)
			rc = read_list(ctx, path, id, fs, &m->standards,
				       mamori_json_get(r, "standards"), "standards");
		if (rc)
			goto out;
		if (m->types.count == 0) {
			rc = bad(ctx, path, id, "needs at least one ASFF type");
			goto out;
		}
		rb->count++;
	}
out:
	cJSON_Delete(root);
	if (rc)
		mamori_rulebook_free(rb);
	return rc;
}

int mamori_rulebook_load_builtin(mamori_ctx *ctx, const char *name, mamori_rulebook *rb)
{
	const mamori_embedded_file *f = mamori_embedded_rule(name);
	if (!f)
		return mamori_error_set(ctx, MAMORI_EINTERNAL, "built-in rule file %s is missing",
					name);
	return mamori_rulebook_load(ctx, name, (const char *)f->data, f->len, rb);
}

void mamori_rulebook_free(mamori_rulebook *rb)
{
	mamori_findings_free(&rb->strings);
	memset(rb, 0, sizeof *rb);
}

const mamori_rule_meta *mamori_rulebook_find(const mamori_rulebook *rb, const char *id)
{
	for (size_t i = 0; i < rb->count; i++)
		if (strcmp(rb->rules[i].id, id) == 0)
			return &rb->rules[i];
	return NULL;
}

void mamori_rule_apply(mamori_findings *fs, mamori_finding *f, const mamori_rule_meta *rule)
{
	f->generator_id = mamori_findings_strdup(fs, rule->id);
	f->title = mamori_findings_strdup(fs, rule->title);
	f->description = mamori_findings_strdup(fs, rule->description);
	f->severity = rule->severity;
	f->remediation_text = mamori_findings_strdup(fs, rule->remediation_text);
	f->remediation_url = mamori_findings_strdup(fs, rule->remediation_url);
	f->rule_author = mamori_findings_strdup(fs, rule->author);
	f->rule_license = mamori_findings_strdup(fs, rule->license);
	for (size_t i = 0; i < rule->types.count; i++)
		mamori_finding_add_type(fs, f, rule->types.items[i]);
	for (size_t i = 0; i < rule->requirements.count; i++)
		mamori_finding_add_requirement(fs, f, rule->requirements.items[i]);
	for (size_t i = 0; i < rule->standards.count; i++)
		mamori_finding_add_standard(fs, f, rule->standards.items[i]);
}
