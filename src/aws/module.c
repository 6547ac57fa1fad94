/*
 * module.c — the aws-collection module: what a collection could not read.
 *
 * A collector that meets AccessDenied, an unreachable region or an answer
 * it cannot parse records a "Mamori::AWS::CollectionError" configuration
 * item in the snapshot (one per account, region, service, operation and
 * error code).  This module turns each into a finding with Compliance
 * NOT_AVAILABLE: the gap is visible in every output and can never be
 * mistaken for a PASSED check.  It reads snapshots like any posture module,
 * so a snapshot re-evaluated offline reports the same gaps.
 */
#include "../core/rulebook.h"
#include "aws_internal.h"
#include "aws_module.h"

#include <stdlib.h>
#include <string.h>

#define RULES_FILE "rules/aws/collection.yaml"
#define RULE_ID "mamori.aws.could-not-read"
#define MARKER "Mamori::AWS::CollectionError"
#define MAX_SNAPSHOT (1u << 30)

static bool is_json(const mamori_target_file *f)
{
	static const char *const json[] = {".json", NULL};
	return mamori_target_file_has_suffix(f, json);
}

static bool coll_wants(const mamori_target *t)
{
	for (size_t i = 0; i < t->file_count; i++)
		if (is_json(&t->files[i]))
			return true;
	return false;
}

static void one_error(mamori_module_run *run, const mamori_rule_meta *rule,
		      const mamori_target_file *tf, const cJSON *item)
{
	mamori_findings *fs = run->findings;
	const cJSON *conf = mamori_json_get(item, "configuration");
	const char *service = mamori_json_str(conf, "service");
	const char *op = mamori_json_str(conf, "operation");
	const char *code = mamori_json_str(conf, "errorCode");
	const char *msg = mamori_json_str(conf, "message");
	const char *what = mamori_json_str(conf, "what");
	const char *account = mamori_json_str(item, "awsAccountId");
	const char *region = mamori_json_str(item, "awsRegion");
	const cJSON *count = mamori_json_get(conf, "count");
	const cJSON *resources = mamori_json_get(conf, "resources");
	mamori_finding *f = mamori_module_finding(run, RULE_ID);
	mamori_rule_apply(fs, f, rule);
	f->aws_account_id = mamori_findings_strdup(fs, account);
	f->region = mamori_findings_strdup(fs, region);
	f->compliance = MAMORI_COMPLIANCE_NOT_AVAILABLE;
	f->title = mamori_findings_printf(fs, "Could not read %s%s%s",
					  what && *what ? what : "AWS configuration",
					  region && *region ? " in " : "", region ? region : "");
	mamori_buf d = MAMORI_BUF_INIT;
	mamori_buf_printf(&d, "%s:%s answered %s", service ? service : "?", op ? op : "?",
			  code ? code : "an error");
	if (cJSON_IsNumber(count) && count->valuedouble > 1)
		mamori_buf_printf(&d, " %.0f times", count->valuedouble);
	if (msg && *msg)
		mamori_buf_printf(&d, ": %s", msg);
	mamori_buf_puts(&d, ". The checks that need this data were not evaluated for it.");
	if (cJSON_GetArraySize(resources) > 0) {
		mamori_buf_puts(&d, " Affected:");
		int n = 0;
		const cJSON *r;
		cJSON_ArrayForEach(r, resources)
		{
			if (cJSON_IsString(r))
				mamori_buf_printf(&d, "%s %s", n++ ? "," : "", r->valuestring);
		}
		mamori_buf_putc(&d, '.');
	}
	f->description = mamori_findings_strdup(fs, d.data);
	mamori_buf_free(&d);
	const char *rid = account && *account
				  ? mamori_findings_printf(fs, "AWS::::Account:%s", account)
				  : mamori_findings_strdup(fs, "AWS::::Account:unknown");
	mamori_finding_add_resource(fs, f, "AwsAccount", rid);
	/* one finding per unreadable service operation, region and error */
	f->fingerprint = mamori_findings_printf(fs, "%s:%s:%s", service ? service : "",
						op ? op : "", code ? code : "");
	f->location.path = mamori_findings_strdup(fs, tf->relpath);
	char *ev = mamori_json_print(conf, false);
	f->evidence_json = mamori_findings_strdup(fs, ev);
	free(ev);
}

static int coll_run(mamori_module_run *run)
{
	mamori_rulebook rules;
	int rc = mamori_rulebook_load_builtin(run->ctx, RULES_FILE, &rules);
	if (rc)
		return rc;
	const mamori_rule_meta *rule = mamori_rulebook_find(&rules, RULE_ID);
	const mamori_target *t = run->target;
	mamori_buf buf = MAMORI_BUF_INIT;
	for (size_t i = 0; i < t->file_count; i++) {
		const mamori_target_file *tf = &t->files[i];
		if (!is_json(tf))
			continue;
		mamori_buf_reset(&buf);
		if (mamori_buf_read_file(run->ctx, &buf, tf->path, MAX_SNAPSHOT)) {
			mamori_module_problem(run, NULL);
			continue;
		}
		/* only snapshots a collection wrote hold the marker: skip the rest unparsed */
		if (!memmem(buf.data, buf.len, MARKER, strlen(MARKER)))
			continue;
		cJSON *root = mamori_json_parse(run->ctx, tf->relpath, buf.data, buf.len);
		if (!root) {
			mamori_module_problem(run, NULL);
			continue;
		}
		const cJSON *item;
		cJSON_ArrayForEach(item, mamori_json_get(root, "configurationItems"))
		{
			const char *type = mamori_json_str(item, "resourceType");
			if (type && strcmp(type, MARKER) == 0)
				one_error(run, rule, tf, item);
		}
		cJSON_Delete(root);
	}
	mamori_buf_free(&buf);
	mamori_rulebook_free(&rules);
	return MAMORI_OK;
}

const mamori_module mamori_module_aws_collection = {
	.name = "aws-collection",
	.pillar = "posture",
	.summary = "what a live AWS collection could not read (AccessDenied, unreachable "
		   "regions, bad answers)",
	.target_kinds = MAMORI_TARGET_PATH | MAMORI_TARGET_AWS,
	.wants = coll_wants,
	.run = coll_run,
};
