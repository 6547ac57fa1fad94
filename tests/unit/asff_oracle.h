/*
 * asff_oracle.h — the reference for the streaming ASFF writer: how
 * src/core/asff.c wrote a finding before (a cJSON DOM per finding, printed
 * by cJSON).  The writer must produce the same bytes (stored documents are
 * hashed); tests/unit/test_jsonw.c and fuzz/fuzz_jsonw.c compare the two.
 */
#ifndef MAMORI_TEST_ASFF_ORACLE_H
#define MAMORI_TEST_ASFF_ORACLE_H

#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define O_PF_PILLAR "mamori/Pillar"
#define O_PF_FINGERPRINT "mamori/Fingerprint"
#define O_PF_AUTHOR "mamori/RuleAuthor"
#define O_PF_LICENSE "mamori/RuleLicense"
#define O_PF_EVIDENCE "mamori/Evidence"
#define O_PF_LOCATION "mamori/Location"

#define O_ASFF_PRODUCT_FIELDS_MAX 50
#define O_ASFF_PF_KEY_MAX 128
#define O_ASFF_PF_VALUE_MAX 2048

static cJSON *oracle_strlist_json(const mamori_strlist *l)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < l->count; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i]));
	return a;
}

/* A JSON text embedded as a value; NULL if it does not parse. */
static cJSON *oracle_embedded(const char *json)
{
	if (mamori_str_empty(json))
		return NULL;
	return cJSON_ParseWithLength(json, strlen(json));
}

/* Add key=value to ProductFields, cut to ASFF's limits unless lossless. */
static void oracle_add_pf(cJSON *pf, const char *key, const char *value, bool lossless)
{
	if (!value)
		return;
	if (!lossless && cJSON_GetArraySize(pf) >= O_ASFF_PRODUCT_FIELDS_MAX)
		return;
	char k[O_ASFF_PF_KEY_MAX + 1];
	snprintf(k, sizeof k, "%s", key);
	if (lossless || strlen(value) <= O_ASFF_PF_VALUE_MAX) {
		cJSON_AddItemToObject(pf, lossless ? key : k, cJSON_CreateString(value));
		return;
	}
	size_t keep = mamori_utf8_prefix(value, O_ASFF_PF_VALUE_MAX - 3);
	char *cut = mamori_xmalloc(keep + 4);
	memcpy(cut, value, keep);
	memcpy(cut + keep, "...", 4);
	cJSON_AddItemToObject(pf, k, cJSON_CreateString(cut));
	free(cut);
}

static char *oracle_finding_to_asff(const mamori_finding *f, unsigned flags)
{
	bool lossless = flags & MAMORI_ASFF_LOSSLESS;
	mamori_findings scratch;
	mamori_findings_init(&scratch);
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "SchemaVersion", MAMORI_ASFF_SCHEMA_VERSION);
	mamori_json_add_str(o, "Id", f->id);
	mamori_json_add_str(o, "ProductArn", mamori_finding_product_arn(&scratch, f));
	mamori_json_add_str(o, "ProductName", f->module);
	cJSON_AddStringToObject(o, "CompanyName", "mamori");
	mamori_json_add_str(o, "Region", f->region);
	mamori_json_add_str(o, "GeneratorId", f->generator_id);
	mamori_json_add_str(o, "AwsAccountId", f->aws_account_id);
	cJSON_AddItemToObject(o, "Types", oracle_strlist_json(&f->types));
	mamori_json_add_str(o, "FirstObservedAt", f->first_observed_at);
	mamori_json_add_str(o, "LastObservedAt", f->last_observed_at);
	mamori_json_add_str(o, "CreatedAt", f->created_at);
	mamori_json_add_str(o, "UpdatedAt", f->updated_at);

	cJSON *sev = cJSON_AddObjectToObject(o, "Severity");
	cJSON_AddStringToObject(sev, "Label", mamori_severity_name(f->severity));
	cJSON_AddNumberToObject(sev, "Normalized",
				f->severity_normalized >= 0 ? f->severity_normalized
							    : mamori_severity_normalized(f->severity));
	mamori_json_add_str(sev, "Original", f->severity_original);

	mamori_json_add_str(o, "Title", f->title);
	mamori_json_add_str(o, "Description", f->description);
	if (f->remediation_text || f->remediation_url) {
		cJSON *rec = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "Remediation"),
						     "Recommendation");
		mamori_json_add_str(rec, "Text", f->remediation_text);
		mamori_json_add_str(rec, "Url", f->remediation_url);
	}

	cJSON *pf = cJSON_CreateObject();
	oracle_add_pf(pf, O_PF_PILLAR, f->pillar, lossless);
	oracle_add_pf(pf, O_PF_FINGERPRINT, f->fingerprint, lossless);
	oracle_add_pf(pf, O_PF_AUTHOR, f->rule_author, lossless);
	oracle_add_pf(pf, O_PF_LICENSE, f->rule_license, lossless);
	if (f->location.path) {
		char *loc = mamori_arena_printf(&scratch.arena, "%s:%u:%u", f->location.path,
						f->location.line, f->location.column);
		oracle_add_pf(pf, O_PF_LOCATION, loc, lossless);
	}
	oracle_add_pf(pf, O_PF_EVIDENCE, f->evidence_json, lossless);
	for (size_t i = 0; i < f->product_field_count; i++)
		oracle_add_pf(pf, f->product_fields[i].key, f->product_fields[i].value, lossless);
	if (cJSON_GetArraySize(pf) > 0)
		cJSON_AddItemToObject(o, "ProductFields", pf);
	else
		cJSON_Delete(pf);

	cJSON *res = cJSON_AddArrayToObject(o, "Resources");
	for (size_t i = 0; i < f->resource_count; i++) {
		const mamori_resource *r = &f->resources[i];
		cJSON *ro = cJSON_CreateObject();
		mamori_json_add_str(ro, "Type", r->type);
		mamori_json_add_str(ro, "Id", r->id);
		mamori_json_add_str(ro, "Partition", r->partition ? r->partition : "aws");
		mamori_json_add_str(ro, "Region", r->region ? r->region : f->region);
		cJSON *details = oracle_embedded(r->details_json);
		if (cJSON_IsObject(details))
			cJSON_AddItemToObject(ro, "Details", details);
		else
			cJSON_Delete(details);
		cJSON_AddItemToArray(res, ro);
	}

	if (f->compliance != MAMORI_COMPLIANCE_NONE) {
		cJSON *c = cJSON_AddObjectToObject(o, "Compliance");
		cJSON_AddStringToObject(c, "Status", mamori_compliance_name(f->compliance));
		if (f->related_requirements.count)
			cJSON_AddItemToObject(c, "RelatedRequirements",
					      oracle_strlist_json(&f->related_requirements));
		if (f->associated_standards.count) {
			cJSON *as = cJSON_AddArrayToObject(c, "AssociatedStandards");
			for (size_t i = 0; i < f->associated_standards.count; i++) {
				cJSON *s = cJSON_CreateObject();
				cJSON_AddStringToObject(s, "StandardsId",
							f->associated_standards.items[i]);
				cJSON_AddItemToArray(as, s);
			}
		}
	}
	cJSON_AddStringToObject(cJSON_AddObjectToObject(o, "Workflow"), "Status",
				mamori_workflow_name(f->workflow));
	cJSON_AddStringToObject(o, "RecordState", mamori_record_state_name(f->record_state));

	cJSON *extra = oracle_embedded(f->asff_extra_json);
	if (cJSON_IsObject(extra)) {
		cJSON *m = extra->child;
		while (m) {
			cJSON *next = m->next;
			if (!cJSON_HasObjectItem(o, m->string)) {
				cJSON_DetachItemViaPointer(extra, m);
				cJSON_AddItemToObject(o, m->string, m);
			}
			m = next;
		}
	}
	cJSON_Delete(extra);

	char *s = mamori_json_print(o, flags & MAMORI_ASFF_PRETTY);
	cJSON_Delete(o);
	mamori_findings_free(&scratch);
	return s;
}

#endif
