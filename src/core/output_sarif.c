/*
 * output_sarif.c — SARIF 2.1.0 for code-scanning dashboards.
 *
 * One run; the driver lists each rule (GeneratorId) once with its title,
 * help and security-severity; each finding is a result pointing at its file
 * and line when it has one (templates, lockfiles, logs) and always at its
 * cloud resource as a logical location.  partialFingerprints carries the
 * stable finding Id so that dashboards track a result across runs.  The
 * compliance scores go in the run's property bag ("mamori/compliance"),
 * SARIF's place for what it has no field for.
 */
#include "json.h"
#include "output_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *level_of(const mamori_finding *f)
{
	if (f->compliance == MAMORI_COMPLIANCE_PASSED)
		return "none";
	switch (f->severity) {
	case MAMORI_SEV_CRITICAL:
	case MAMORI_SEV_HIGH:
		return "error";
	case MAMORI_SEV_MEDIUM:
		return "warning";
	default:
		return "note";
	}
}

static const char *kind_of(const mamori_finding *f)
{
	return f->compliance == MAMORI_COMPLIANCE_PASSED ? "pass" : "fail";
}

static cJSON *text(const char *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "text", s ? s : "");
	return o;
}

static cJSON *rule_json(const mamori_finding *f)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "id", f->generator_id);
	cJSON_AddItemToObject(r, "shortDescription", text(f->title));
	cJSON_AddItemToObject(r, "fullDescription", text(f->description));
	mamori_json_add_str(r, "helpUri", f->remediation_url);
	if (f->remediation_text)
		cJSON_AddItemToObject(r, "help", text(f->remediation_text));
	cJSON *cfg = cJSON_AddObjectToObject(r, "defaultConfiguration");
	cJSON_AddStringToObject(cfg, "level", strcmp(level_of(f), "none") ? level_of(f) : "note");
	cJSON *props = cJSON_AddObjectToObject(r, "properties");
	char score[8];
	int n = f->severity_normalized >= 0 ? f->severity_normalized
					    : mamori_severity_normalized(f->severity);
	snprintf(score, sizeof score, "%.1f", n / 10.0);
	cJSON_AddStringToObject(props, "security-severity", score);
	cJSON *tags = cJSON_AddArrayToObject(props, "tags");
	cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
	if (f->pillar)
		cJSON_AddItemToArray(tags, cJSON_CreateString(f->pillar));
	for (size_t i = 0; i < f->related_requirements.count; i++)
		cJSON_AddItemToArray(tags, cJSON_CreateString(f->related_requirements.items[i]));
	if (f->rule_author || f->rule_license) {
		mamori_json_add_str(props, "author", f->rule_author);
		mamori_json_add_str(props, "license", f->rule_license);
	}
	return r;
}

static cJSON *result_json(const mamori_finding *f, int rule_index)
{
	cJSON *res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "ruleId", f->generator_id);
	cJSON_AddNumberToObject(res, "ruleIndex", rule_index);
	cJSON_AddStringToObject(res, "kind", kind_of(f));
	cJSON_AddStringToObject(res, "level", level_of(f));
	mamori_buf msg = MAMORI_BUF_INIT;
	mamori_buf_puts(&msg, f->title);
	if (f->resource_count)
		mamori_buf_printf(&msg, " (%s)", f->resources[0].id);
	cJSON_AddItemToObject(res, "message", text(msg.data));
	mamori_buf_free(&msg);

	cJSON *loc = cJSON_CreateObject();
	if (f->location.path) {
		cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
		cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
		cJSON_AddStringToObject(art, "uri", f->location.path);
		if (f->location.path[0] != '/')
			cJSON_AddStringToObject(art, "uriBaseId", "%SRCROOT%");
		if (f->location.line) {
			cJSON *region = cJSON_AddObjectToObject(phys, "region");
			cJSON_AddNumberToObject(region, "startLine", f->location.line);
			if (f->location.column)
				cJSON_AddNumberToObject(region, "startColumn", f->location.column);
		}
	}
	cJSON *logical = cJSON_AddArrayToObject(loc, "logicalLocations");
	for (size_t i = 0; i < f->resource_count; i++) {
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "fullyQualifiedName", f->resources[i].id);
		cJSON_AddStringToObject(l, "kind", "resource");
		cJSON_AddItemToArray(logical, l);
	}
	cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "locations"), loc);

	cJSON *fp = cJSON_AddObjectToObject(res, "partialFingerprints");
	cJSON_AddStringToObject(fp, "mamoriFindingId/v1", f->id);
	cJSON *props = cJSON_AddObjectToObject(res, "properties");
	cJSON_AddStringToObject(props, "severity", mamori_severity_name(f->severity));
	cJSON_AddStringToObject(props, "module", f->module);
	mamori_json_add_str(props, "account", f->aws_account_id);
	mamori_json_add_str(props, "region", f->region);
	cJSON_AddStringToObject(props, "workflow", mamori_workflow_name(f->workflow));
	cJSON_AddStringToObject(props, "recordState", mamori_record_state_name(f->record_state));
	if (f->evidence_json) {
		cJSON *ev = cJSON_Parse(f->evidence_json);
		if (ev)
			cJSON_AddItemToObject(props, "evidence", ev);
	}
	return res;
}

int mamori_output_sarif(mamori_ctx *ctx, const mamori_report *r, FILE *out)
{
	(void)ctx;
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	cJSON_AddStringToObject(doc, "version", "2.1.0");
	cJSON *run = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(doc, "runs"), run);
	cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
	cJSON_AddStringToObject(driver, "name", "mamori");
	cJSON_AddStringToObject(driver, "version", MAMORI_VERSION);
	cJSON_AddStringToObject(driver, "semanticVersion", MAMORI_VERSION);
	cJSON_AddStringToObject(driver, "informationUri", "https://github.com/mamori-security/mamori");
	cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
	cJSON *results = cJSON_AddArrayToObject(run, "results");

	/* rule index by generator id: a linear probe over the distinct rules is
	 * fine, reports have tens of rules, not thousands */
	const char **seen = mamori_xcalloc(r->count ? r->count : 1, sizeof *seen);
	size_t nseen = 0;
	for (size_t i = 0; i < r->count; i++) {
		const mamori_finding *f = r->items[i];
		size_t idx = 0;
		while (idx < nseen && strcmp(seen[idx], f->generator_id) != 0)
			idx++;
		if (idx == nseen) {
			seen[nseen++] = f->generator_id;
			cJSON_AddItemToArray(rules, rule_json(f));
		}
		cJSON_AddItemToArray(results, result_json(f, (int)idx));
	}
	free(seen);
	/* compliance scores: SARIF has no field for them, run properties do */
	cJSON_AddItemToObject(cJSON_AddObjectToObject(run, "properties"), "mamori/compliance",
			      mamori_report_compliance_json(r));
	if (r->target) {
		cJSON *inv = cJSON_CreateObject();
		cJSON_AddBoolToObject(inv, "executionSuccessful", r->problem_count == 0);
		if (r->problem_count) {
			cJSON *notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
			for (size_t i = 0; i < r->problem_count; i++) {
				cJSON *n = cJSON_CreateObject();
				cJSON_AddItemToObject(n, "message", text(r->problems[i]));
				cJSON_AddStringToObject(n, "level", "error");
				cJSON_AddItemToArray(notes, n);
			}
		}
		cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), inv);
	}
	char *s = mamori_json_print(doc, true);
	fputs(s, out);
	fputc('\n', out);
	free(s);
	cJSON_Delete(doc);
	return MAMORI_OK;
}
