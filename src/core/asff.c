/*
 * asff.c — the finding model to and from ASFF JSON.
 *
 * Members are written in the order the ASFF reference lists them, so that
 * output diffs cleanly between runs.  mamori's own fields (pillar, rule
 * attribution, evidence, location, fingerprint) travel in ProductFields under
 * "mamori/...": ProductFields is the place ASFF gives a product for its own
 * data, and it keeps the document a valid BatchImportFindings element.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PF_PILLAR "mamori/Pillar"
#define PF_FINGERPRINT "mamori/Fingerprint"
#define PF_AUTHOR "mamori/RuleAuthor"
#define PF_LICENSE "mamori/RuleLicense"
#define PF_EVIDENCE "mamori/Evidence"
#define PF_LOCATION "mamori/Location"

#define ASFF_PRODUCT_FIELDS_MAX 50
#define ASFF_PF_KEY_MAX 128
#define ASFF_PF_VALUE_MAX 2048

static cJSON *strlist_json(const mamori_strlist *l)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < l->count; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(l->items[i]));
	return a;
}

/* A JSON text embedded as a value; NULL if it does not parse. */
static cJSON *embedded(const char *json)
{
	if (mamori_str_empty(json))
		return NULL;
	return cJSON_ParseWithLength(json, strlen(json));
}

/* Add key=value to ProductFields, cut to ASFF's limits unless lossless. */
static void add_pf(cJSON *pf, const char *key, const char *value, bool lossless)
{
	if (!value)
		return;
	if (!lossless && cJSON_GetArraySize(pf) >= ASFF_PRODUCT_FIELDS_MAX)
		return;
	char k[ASFF_PF_KEY_MAX + 1];
	snprintf(k, sizeof k, "%s", key);
	if (lossless || strlen(value) <= ASFF_PF_VALUE_MAX) {
		cJSON_AddItemToObject(pf, lossless ? key : k, cJSON_CreateString(value));
		return;
	}
	size_t keep = mamori_utf8_prefix(value, ASFF_PF_VALUE_MAX - 3);
	char *cut = mamori_xmalloc(keep + 4);
	memcpy(cut, value, keep);
	memcpy(cut + keep, "...", 4);
	cJSON_AddItemToObject(pf, k, cJSON_CreateString(cut));
	free(cut);
}

char *mamori_finding_to_asff(const mamori_finding *f, unsigned flags)
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
	cJSON_AddItemToObject(o, "Types", strlist_json(&f->types));
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
	add_pf(pf, PF_PILLAR, f->pillar, lossless);
	add_pf(pf, PF_FINGERPRINT, f->fingerprint, lossless);
	add_pf(pf, PF_AUTHOR, f->rule_author, lossless);
	add_pf(pf, PF_LICENSE, f->rule_license, lossless);
	if (f->location.path) {
		char *loc = mamori_arena_printf(&scratch.arena, "%s:%u:%u", f->location.path,
						f->location.line, f->location.column);
		add_pf(pf, PF_LOCATION, loc, lossless);
	}
	add_pf(pf, PF_EVIDENCE, f->evidence_json, lossless);
	for (size_t i = 0; i < f->product_field_count; i++)
		add_pf(pf, f->product_fields[i].key, f->product_fields[i].value, lossless);
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
		cJSON *details = embedded(r->details_json);
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
					      strlist_json(&f->related_requirements));
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

	cJSON *extra = embedded(f->asff_extra_json);
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

/* ---- reading ---- */

static const char *dup(mamori_findings *fs, const char *s)
{
	return s ? mamori_findings_strdup(fs, s) : NULL;
}

static void read_strlist(mamori_findings *fs, mamori_strlist *l, const cJSON *a)
{
	const cJSON *v;
	cJSON_ArrayForEach(v, a)
	{
		if (cJSON_IsString(v))
			mamori_strlist_push(fs, l, v->valuestring);
	}
}

static const char *printed(mamori_findings *fs, const cJSON *v)
{
	if (!v)
		return NULL;
	char *s = mamori_json_print(v, false);
	const char *r = mamori_findings_strdup(fs, s);
	free(s);
	return r;
}

static void read_location(mamori_findings *fs, mamori_finding *f, const char *s)
{
	/* "path:line:col" — the path may itself contain ':' */
	const char *c2 = strrchr(s, ':');
	if (!c2 || c2 == s)
		return;
	const char *c1 = c2 - 1;
	while (c1 > s && *c1 != ':')
		c1--;
	if (*c1 != ':')
		return;
	f->location.path = mamori_arena_strndup(&fs->arena, s, (size_t)(c1 - s));
	f->location.line = (unsigned)strtoul(c1 + 1, NULL, 10);
	f->location.column = (unsigned)strtoul(c2 + 1, NULL, 10);
}

static const char *const modelled[] = {
	"SchemaVersion", "Id", "ProductArn", "ProductName", "CompanyName", "Region",
	"GeneratorId", "AwsAccountId", "Types", "FirstObservedAt", "LastObservedAt",
	"CreatedAt", "UpdatedAt", "Severity", "Title", "Description", "Remediation",
	"ProductFields", "Resources", "Compliance", "Workflow", "WorkflowState",
	"RecordState", NULL,
};

static bool is_modelled(const char *key)
{
	for (const char *const *m = modelled; *m; m++)
		if (strcmp(*m, key) == 0)
			return true;
	return false;
}

int mamori_finding_from_asff(mamori_ctx *ctx, mamori_findings *fs, const char *json, size_t len)
{
	cJSON *o = mamori_json_parse(ctx, NULL, json, len);
	if (!o)
		return MAMORI_EINPUT;
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return mamori_error_set(ctx, MAMORI_EINPUT, "an ASFF finding must be a JSON object");
	}
	mamori_finding *f = mamori_findings_add(fs);
	f->id = dup(fs, mamori_json_str(o, "Id"));
	f->module = dup(fs, mamori_json_str(o, "ProductName"));
	f->generator_id = dup(fs, mamori_json_str(o, "GeneratorId"));
	f->aws_account_id = dup(fs, mamori_json_str(o, "AwsAccountId"));
	f->region = dup(fs, mamori_json_str(o, "Region"));
	read_strlist(fs, &f->types, mamori_json_get(o, "Types"));
	f->first_observed_at = dup(fs, mamori_json_str(o, "FirstObservedAt"));
	f->last_observed_at = dup(fs, mamori_json_str(o, "LastObservedAt"));
	f->created_at = dup(fs, mamori_json_str(o, "CreatedAt"));
	f->updated_at = dup(fs, mamori_json_str(o, "UpdatedAt"));
	f->title = dup(fs, mamori_json_str(o, "Title"));
	f->description = dup(fs, mamori_json_str(o, "Description"));

	const cJSON *sev = mamori_json_get(o, "Severity");
	int label = mamori_severity_parse(mamori_json_str(sev, "Label"));
	const cJSON *norm = mamori_json_get(sev, "Normalized");
	const cJSON *product = mamori_json_get(sev, "Product");
	f->severity_normalized = cJSON_IsNumber(norm) ? (int)norm->valuedouble : -1;
	if (label >= 0)
		f->severity = (mamori_severity)label;
	else if (f->severity_normalized >= 0)
		f->severity = mamori_severity_from_normalized(f->severity_normalized);
	else if (cJSON_IsNumber(product)) /* legacy: Product 0-10 */
		f->severity = mamori_severity_from_normalized((int)(product->valuedouble * 10));
	else
		f->severity = MAMORI_SEV_INFORMATIONAL;
	f->severity_original = dup(fs, mamori_json_str(sev, "Original"));

	const cJSON *rec = mamori_json_get(mamori_json_get(o, "Remediation"), "Recommendation");
	f->remediation_text = dup(fs, mamori_json_str(rec, "Text"));
	f->remediation_url = dup(fs, mamori_json_str(rec, "Url"));

	const cJSON *r;
	cJSON_ArrayForEach(r, mamori_json_get(o, "Resources"))
	{
		mamori_resource *res = mamori_finding_add_resource(fs, f, mamori_json_str(r, "Type"),
								   mamori_json_str(r, "Id"));
		res->partition = dup(fs, mamori_json_str(r, "Partition"));
		res->region = dup(fs, mamori_json_str(r, "Region"));
		res->details_json = printed(fs, mamori_json_get(r, "Details"));
	}

	const cJSON *comp = mamori_json_get(o, "Compliance");
	if (comp) {
		int st = mamori_compliance_parse(mamori_json_str(comp, "Status"));
		f->compliance = st > 0 ? (mamori_compliance)st : MAMORI_COMPLIANCE_NOT_AVAILABLE;
		read_strlist(fs, &f->related_requirements, mamori_json_get(comp, "RelatedRequirements"));
		const cJSON *as;
		cJSON_ArrayForEach(as, mamori_json_get(comp, "AssociatedStandards"))
		{
			const char *id = mamori_json_str(as, "StandardsId");
			if (id)
				mamori_finding_add_standard(fs, f, id);
		}
	}

	int wf = mamori_workflow_parse(mamori_json_str(mamori_json_get(o, "Workflow"), "Status"));
	if (wf < 0) {
		/* legacy WorkflowState: NEW, ASSIGNED, IN_PROGRESS, DEFERRED, RESOLVED */
		const char *legacy = mamori_json_str(o, "WorkflowState");
		wf = legacy && strcmp(legacy, "RESOLVED") == 0	 ? MAMORI_WORKFLOW_RESOLVED
		     : legacy && strcmp(legacy, "DEFERRED") == 0 ? MAMORI_WORKFLOW_SUPPRESSED
		     : legacy && strcmp(legacy, "NEW") != 0	 ? MAMORI_WORKFLOW_NOTIFIED
								 : MAMORI_WORKFLOW_NEW;
	}
	f->workflow = (mamori_workflow)wf;
	int rs = mamori_record_state_parse(mamori_json_str(o, "RecordState"));
	f->record_state = rs >= 0 ? (mamori_record_state)rs : MAMORI_RECORD_ACTIVE;

	const cJSON *pf;
	cJSON_ArrayForEach(pf, mamori_json_get(o, "ProductFields"))
	{
		if (!cJSON_IsString(pf))
			continue;
		const char *k = pf->string, *v = pf->valuestring;
		if (strcmp(k, PF_PILLAR) == 0)
			f->pillar = dup(fs, v);
		else if (strcmp(k, PF_FINGERPRINT) == 0)
			f->fingerprint = dup(fs, v);
		else if (strcmp(k, PF_AUTHOR) == 0)
			f->rule_author = dup(fs, v);
		else if (strcmp(k, PF_LICENSE) == 0)
			f->rule_license = dup(fs, v);
		else if (strcmp(k, PF_EVIDENCE) == 0)
			f->evidence_json = dup(fs, v);
		else if (strcmp(k, PF_LOCATION) == 0)
			read_location(fs, f, v);
		else
			mamori_finding_add_product_field(fs, f, k, v);
	}

	cJSON *extra = cJSON_CreateObject();
	for (cJSON *m = o->child; m; m = m->next)
		if (m->string && !is_modelled(m->string))
			cJSON_AddItemToObject(extra, m->string, cJSON_Duplicate(m, true));
	if (extra->child)
		f->asff_extra_json = printed(fs, extra);
	cJSON_Delete(extra);
	cJSON_Delete(o);

	if (mamori_str_empty(f->id) || mamori_str_empty(f->generator_id) ||
	    mamori_str_empty(f->title) || f->resource_count == 0) {
		fs->count--;
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"ASFF finding lacks a required field (Id, GeneratorId, Title "
					"or Resources)");
	}
	if (mamori_str_empty(f->module))
		f->module = "unknown";
	return MAMORI_OK;
}
