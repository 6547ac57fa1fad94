/*
 * report_sarif.c — SARIF 2.1.0 for code-scanning tools: one result per
 * failing check, located in the data file (line and column of the failing
 * value) and named after its rule.
 */
#include "report.h"

#include <string.h>

int mamori_guard_write_sarif(const mamori_guard_rules *rs, const mamori_guard_report *r, FILE *out)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "$schema",
				"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
				"sarif-schema-2.1.0.json");
	cJSON_AddStringToObject(root, "version", "2.1.0");
	cJSON *run = cJSON_CreateObject();
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "runs"), run);
	cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
	cJSON_AddStringToObject(driver, "name", "mamori guard");
	cJSON_AddStringToObject(driver, "semanticVersion", mamori_version());
	cJSON_AddStringToObject(driver, "informationUri", "https://github.com/mamori-security/mamori");
	cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
	cJSON *artifacts = cJSON_AddArrayToObject(run, "artifacts");
	cJSON *results = cJSON_AddArrayToObject(run, "results");
	for (size_t i = 0; i < r->count; i++) {
		const mamori_guard_pair *p = &r->pairs[i];
		if (p->rules == 0) {
			cJSON *a = cJSON_CreateObject();
			cJSON_AddStringToObject(cJSON_AddObjectToObject(a, "location"), "uri",
						p->data_name);
			cJSON_AddItemToArray(artifacts, a);
		}
		for (size_t c = 0; c < p->ncheck; c++) {
			const mamori_guard_check *ck = &p->checks[c];
			char id[512];
			snprintf(id, sizeof id, "%s/%s", rs->names[p->rules], ck->rule);
			bool known = false;
			const cJSON *e;
			cJSON_ArrayForEach(e, rules)
			{
				known |= strcmp(cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring, id) == 0;
			}
			if (!known) {
				cJSON *rule = cJSON_CreateObject();
				cJSON_AddStringToObject(rule, "id", id);
				cJSON_AddStringToObject(rule, "name", ck->rule);
				cJSON_AddItemToArray(rules, rule);
			}
			cJSON *res = cJSON_CreateObject();
			cJSON_AddStringToObject(res, "ruleId", id);
			cJSON_AddStringToObject(res, "level", "error");
			mamori_buf msg = MAMORI_BUF_INIT;
			mamori_buf_puts(&msg, ck->message ? ck->message : "check failed");
			if (ck->custom) {
				mamori_buf_puts(&msg, ". ");
				mamori_buf_puts(&msg, ck->custom);
			}
			cJSON_AddStringToObject(cJSON_AddObjectToObject(res, "message"), "text", msg.data);
			mamori_buf_free(&msg);
			cJSON *loc = cJSON_CreateObject();
			cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
			cJSON_AddStringToObject(cJSON_AddObjectToObject(phys, "artifactLocation"), "uri",
						p->data_name);
			cJSON *region = cJSON_AddObjectToObject(phys, "region");
			cJSON_AddNumberToObject(region, "startLine", ck->line ? ck->line : 1);
			cJSON_AddNumberToObject(region, "startColumn", ck->col ? ck->col : 1);
			if (ck->resource) {
				cJSON *lg = cJSON_CreateObject();
				cJSON_AddStringToObject(lg, "fullyQualifiedName", ck->resource);
				cJSON_AddItemToArray(cJSON_AddArrayToObject(loc, "logicalLocations"), lg);
			}
			cJSON_AddItemToArray(cJSON_AddArrayToObject(res, "locations"), loc);
			cJSON_AddItemToArray(results, res);
		}
	}
	int rc = mg_report_print(root, false, true, out);
	cJSON_Delete(root);
	return rc;
}
