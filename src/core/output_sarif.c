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
#include "jsonw.h"
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

/* {"text": s} */
static void text(mamori_jw *w, const char *s)
{
	mamori_jw_obj(w);
	MAMORI_JW_KEY(w, "text");
	mamori_jw_str(w, s ? s : "");
	mamori_jw_obj_end(w);
}

static void rule_json(mamori_jw *w, const mamori_finding *f)
{
	mamori_jw_obj(w);
	MAMORI_JW_KEY(w, "id");
	mamori_jw_str(w, f->generator_id);
	MAMORI_JW_KEY(w, "shortDescription");
	text(w, f->title);
	MAMORI_JW_KEY(w, "fullDescription");
	text(w, f->description);
	mamori_jw_kstr(w, "helpUri", f->remediation_url);
	if (f->remediation_text) {
		MAMORI_JW_KEY(w, "help");
		text(w, f->remediation_text);
	}
	MAMORI_JW_KEY(w, "defaultConfiguration");
	mamori_jw_obj(w);
	MAMORI_JW_KEY(w, "level");
	mamori_jw_str(w, strcmp(level_of(f), "none") ? level_of(f) : "note");
	mamori_jw_obj_end(w);
	MAMORI_JW_KEY(w, "properties");
	mamori_jw_obj(w);
	/* GitHub's severity scale: 0-10 */
	int n = f->severity_normalized >= 0 ? f->severity_normalized
					    : mamori_severity_normalized(f->severity);
	char score[16];
	snprintf(score, sizeof score, "%.1f", n / 10.0);
	MAMORI_JW_KEY(w, "security-severity");
	mamori_jw_str(w, score);
	MAMORI_JW_KEY(w, "tags");
	mamori_jw_arr(w);
	mamori_jw_str(w, "security");
	if (f->pillar)
		mamori_jw_str(w, f->pillar);
	for (size_t i = 0; i < f->related_requirements.count; i++)
		mamori_jw_str(w, f->related_requirements.items[i]);
	mamori_jw_arr_end(w);
	if (f->rule_author || f->rule_license) {
		mamori_jw_kstr(w, "author", f->rule_author);
		mamori_jw_kstr(w, "license", f->rule_license);
	}
	mamori_jw_obj_end(w);
	mamori_jw_obj_end(w);
}

/* Embedded evidence as a value of key "evidence"; nothing when it is not
 * JSON (as the DOM version left it out). */
static void evidence(mamori_jw *w, const char *json)
{
	mamori_jw_mark m;
	mamori_jw_mark_get(w, &m);
	MAMORI_JW_KEY(w, "evidence");
	if (mamori_jw_canonical(w, json, strlen(json)))
		return;
	cJSON *ev = cJSON_Parse(json);
	if (ev)
		mamori_jw_cjson(w, ev);
	else
		mamori_jw_mark_restore(w, &m);
	cJSON_Delete(ev);
}

static void result_json(mamori_jw *w, const mamori_finding *f, int rule_index, mamori_buf *msg)
{
	mamori_jw_obj(w);
	MAMORI_JW_KEY(w, "ruleId");
	mamori_jw_str(w, f->generator_id);
	MAMORI_JW_KEY(w, "ruleIndex");
	mamori_jw_num(w, rule_index);
	MAMORI_JW_KEY(w, "kind");
	mamori_jw_str(w, kind_of(f));
	MAMORI_JW_KEY(w, "level");
	mamori_jw_str(w, level_of(f));
	mamori_buf_reset(msg);
	mamori_buf_puts(msg, f->title);
	if (f->resource_count)
		mamori_buf_printf(msg, " (%s)", f->resources[0].id);
	MAMORI_JW_KEY(w, "message");
	text(w, msg->data);

	MAMORI_JW_KEY(w, "locations");
	mamori_jw_arr(w);
	mamori_jw_obj(w);
	if (f->location.path) {
		MAMORI_JW_KEY(w, "physicalLocation");
		mamori_jw_obj(w);
		MAMORI_JW_KEY(w, "artifactLocation");
		mamori_jw_obj(w);
		MAMORI_JW_KEY(w, "uri");
		mamori_jw_str(w, f->location.path);
		if (f->location.path[0] != '/') {
			MAMORI_JW_KEY(w, "uriBaseId");
			mamori_jw_str(w, "%SRCROOT%");
		}
		mamori_jw_obj_end(w);
		if (f->location.line) {
			MAMORI_JW_KEY(w, "region");
			mamori_jw_obj(w);
			MAMORI_JW_KEY(w, "startLine");
			mamori_jw_num(w, f->location.line);
			if (f->location.column) {
				MAMORI_JW_KEY(w, "startColumn");
				mamori_jw_num(w, f->location.column);
			}
			mamori_jw_obj_end(w);
		}
		mamori_jw_obj_end(w);
	}
	MAMORI_JW_KEY(w, "logicalLocations");
	mamori_jw_arr(w);
	for (size_t i = 0; i < f->resource_count; i++) {
		mamori_jw_obj(w);
		MAMORI_JW_KEY(w, "fullyQualifiedName");
		mamori_jw_str(w, f->resources[i].id);
		MAMORI_JW_KEY(w, "kind");
		mamori_jw_str(w, "resource");
		mamori_jw_obj_end(w);
	}
	mamori_jw_arr_end(w);
	mamori_jw_obj_end(w);
	mamori_jw_arr_end(w);

	MAMORI_JW_KEY(w, "partialFingerprints");
	mamori_jw_obj(w);
	MAMORI_JW_KEY(w, "mamoriFindingId/v1");
	mamori_jw_str(w, f->id);
	mamori_jw_obj_end(w);
	MAMORI_JW_KEY(w, "properties");
	mamori_jw_obj(w);
	MAMORI_JW_KEY(w, "severity");
	mamori_jw_str(w, mamori_severity_name(f->severity));
	MAMORI_JW_KEY(w, "module");
	mamori_jw_str(w, f->module);
	mamori_jw_kstr(w, "account", f->aws_account_id);
	mamori_jw_kstr(w, "region", f->region);
	MAMORI_JW_KEY(w, "workflow");
	mamori_jw_str(w, mamori_workflow_name(f->workflow));
	MAMORI_JW_KEY(w, "recordState");
	mamori_jw_str(w, mamori_record_state_name(f->record_state));
	if (f->evidence_json)
		evidence(w, f->evidence_json);
	mamori_jw_obj_end(w);
	mamori_jw_obj_end(w);
}

/* The document is streamed (a vulnerability scan of a large host has
 * ~10,000 results; the DOM took 0.38 s and 113 MB for them, this 0.07 s and
 * 42 MB): byte for byte what cJSON would print for the same tree. */

int mamori_output_sarif(mamori_ctx *ctx, const mamori_report *r, FILE *out)
{
	(void)ctx;
	mamori_buf b = MAMORI_BUF_INIT, msg = MAMORI_BUF_INIT;
	mamori_jw w;
	mamori_jw_init(&w, &b, true);
	mamori_jw_obj(&w);
	mamori_jw_kstr(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	mamori_jw_kstr(&w, "version", "2.1.0");
	MAMORI_JW_KEY(&w, "runs");
	mamori_jw_arr(&w);
	mamori_jw_obj(&w);
	MAMORI_JW_KEY(&w, "tool");
	mamori_jw_obj(&w);
	MAMORI_JW_KEY(&w, "driver");
	mamori_jw_obj(&w);
	mamori_jw_kstr(&w, "name", "mamori");
	mamori_jw_kstr(&w, "version", MAMORI_VERSION);
	mamori_jw_kstr(&w, "semanticVersion", MAMORI_VERSION);
	mamori_jw_kstr(&w, "informationUri", "https://github.com/mamori-security/mamori");

	/* each rule once, in the order of first use; a result names its rule by
	 * index (a linear probe over the distinct rules: reports have tens of
	 * rules, not thousands) */
	const char **seen = mamori_xcalloc(r->count ? r->count : 1, sizeof *seen);
	int *index = mamori_xcalloc(r->count ? r->count : 1, sizeof *index);
	size_t nseen = 0;
	MAMORI_JW_KEY(&w, "rules");
	mamori_jw_arr(&w);
	for (size_t i = 0; i < r->count; i++) {
		const mamori_finding *f = r->items[i];
		size_t idx = 0;
		while (idx < nseen && strcmp(seen[idx], f->generator_id) != 0)
			idx++;
		if (idx == nseen) {
			seen[nseen++] = f->generator_id;
			rule_json(&w, f);
			mamori_output_flush(&b, out, false);
		}
		index[i] = (int)idx;
	}
	mamori_jw_arr_end(&w);
	mamori_jw_obj_end(&w); /* driver */
	mamori_jw_obj_end(&w); /* tool */
	MAMORI_JW_KEY(&w, "results");
	mamori_jw_arr(&w);
	for (size_t i = 0; i < r->count; i++) {
		result_json(&w, r->items[i], index[i], &msg);
		mamori_output_flush(&b, out, false);
	}
	mamori_jw_arr_end(&w);
	free(seen);
	free(index);
	mamori_buf_free(&msg);
	/* compliance scores: SARIF has no field for them, run properties do */
	MAMORI_JW_KEY(&w, "properties");
	mamori_jw_obj(&w);
	MAMORI_JW_KEY(&w, "mamori/compliance");
	cJSON *scores = mamori_report_compliance_json(r);
	mamori_jw_cjson(&w, scores);
	cJSON_Delete(scores);
	mamori_jw_obj_end(&w);
	if (r->target) {
		MAMORI_JW_KEY(&w, "invocations");
		mamori_jw_arr(&w);
		mamori_jw_obj(&w);
		MAMORI_JW_KEY(&w, "executionSuccessful");
		mamori_jw_bool(&w, r->problem_count == 0);
		if (r->problem_count) {
			MAMORI_JW_KEY(&w, "toolExecutionNotifications");
			mamori_jw_arr(&w);
			for (size_t i = 0; i < r->problem_count; i++) {
				mamori_jw_obj(&w);
				MAMORI_JW_KEY(&w, "message");
				text(&w, r->problems[i]);
				mamori_jw_kstr(&w, "level", "error");
				mamori_jw_obj_end(&w);
			}
			mamori_jw_arr_end(&w);
		}
		mamori_jw_obj_end(&w);
		mamori_jw_arr_end(&w);
	}
	mamori_jw_obj_end(&w); /* run */
	mamori_jw_arr_end(&w);
	mamori_jw_obj_end(&w);
	mamori_buf_putc(&b, '\n');
	mamori_output_flush(&b, out, true);
	mamori_buf_free(&b);
	return MAMORI_OK;
}
