/*
 * report_structured.c — cfn-guard's structured report (--output-format json
 * or yaml): a list with one entry per data file, its status, the failing
 * rules with their checks, and the rule names that were not applicable
 * (SKIP) or compliant (PASS).  mamori adds the rules file of each failing
 * rule and, per check, the resource, path, value and location it found.
 */
#include "report.h"

#include "eval.h"

#include <stdlib.h>
#include <string.h>

static cJSON *check_json(const mamori_guard_check *ck)
{
	cJSON *clause = cJSON_CreateObject();
	cJSON_AddStringToObject(clause, "context", ck->clause ? ck->clause : "");
	cJSON *msgs = cJSON_AddObjectToObject(clause, "messages");
	if (ck->custom)
		cJSON_AddStringToObject(msgs, "custom_message", ck->custom);
	else
		cJSON_AddNullToObject(msgs, "custom_message");
	mamori_json_add_str(msgs, "error_message", ck->message);
	cJSON *c = cJSON_AddObjectToObject(clause, "check");
	mamori_json_add_str(c, "path", ck->path);
	cJSON_AddItemToObject(c, "value", mg_report_json_text(ck->value));
	if (ck->expected)
		cJSON_AddItemToObject(c, "compared_with", mg_report_json_text(ck->expected));
	mamori_json_add_str(c, "resource", ck->resource);
	mamori_json_add_str(c, "resource_type", ck->resource_type);
	if (ck->line) {
		cJSON *loc = cJSON_AddObjectToObject(c, "location");
		cJSON_AddNumberToObject(loc, "line", ck->line);
		cJSON_AddNumberToObject(loc, "column", ck->col);
	}
	cJSON *w = cJSON_CreateObject();
	cJSON_AddItemToObject(w, "Clause", clause);
	return w;
}

/* A sorted set of rule names, like cfn-guard's BTreeSet.  Built in C and
 * turned into a cJSON array at the end: cJSON 1.7.15's
 * cJSON_InsertItemInArray loses items when inserting at the front. */
typedef struct {
	const char **v;
	size_t n, cap;
} name_set;

static void add_name(name_set *set, const char *name)
{
	size_t lo = 0, hi = set->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(set->v[mid], name);
		if (c == 0)
			return;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->v = mamori_xrealloc(set->v, set->cap * sizeof *set->v);
	}
	memmove(set->v + lo + 1, set->v + lo, (set->n - lo) * sizeof *set->v);
	set->v[lo] = name;
	set->n++;
}

static void flush_names(name_set *set, cJSON *arr)
{
	for (size_t i = 0; i < set->n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(set->v[i]));
	set->n = 0;
}

cJSON *mg_report_structured(const mamori_guard_rules *rs, const mamori_guard_report *r);
cJSON *mg_report_structured(const mamori_guard_rules *rs, const mamori_guard_report *r)
{
	cJSON *root = cJSON_CreateArray();
	size_t i = 0;
	while (i < r->count) {
		size_t j = i;
		while (j < r->count && r->pairs[j].input == r->pairs[i].input &&
		       r->pairs[j].doc == r->pairs[i].doc)
			j++;
		cJSON *file = cJSON_CreateObject();
		cJSON_AddStringToObject(file, "name", r->pairs[i].data_name);
		cJSON_AddObjectToObject(file, "metadata");
		cJSON *status = cJSON_AddStringToObject(file, "status", "SKIP");
		cJSON *nc = cJSON_AddArrayToObject(file, "not_compliant");
		cJSON *na = cJSON_AddArrayToObject(file, "not_applicable");
		cJSON *co = cJSON_AddArrayToObject(file, "compliant");
		cJSON *errors = NULL;
		int overall = MG_SKIP;
		name_set co_names = {0}, na_names = {0};
		for (size_t k = i; k < j; k++) {
			const mamori_guard_pair *p = &r->pairs[k];
			const mg_rules_file *rf = rs->files[p->rules];
			if (p->error) {
				if (!errors)
					errors = cJSON_AddArrayToObject(file, "errors");
				cJSON *e = cJSON_CreateObject();
				cJSON_AddStringToObject(e, "rules_file", rs->names[p->rules]);
				cJSON_AddStringToObject(e, "message", p->error);
				cJSON_AddItemToArray(errors, e);
				continue;
			}
			if (p->overall == MG_FAIL || (p->overall == MG_PASS && overall == MG_SKIP))
				overall = p->overall;
			for (uint32_t b = 0; b < rf->nrules; b++) {
				const char *name = rf->rules[b]->name;
				if (p->blocks[b] == MG_PASS)
					add_name(&co_names, name);
				else if (p->blocks[b] == MG_SKIP)
					add_name(&na_names, name);
				else {
					cJSON *rule = cJSON_CreateObject();
					cJSON_AddStringToObject(rule, "name", name);
					cJSON_AddStringToObject(rule, "rules_file", rs->names[p->rules]);
					cJSON_AddObjectToObject(rule, "metadata");
					cJSON *m = cJSON_AddObjectToObject(rule, "messages");
					cJSON_AddNullToObject(m, "custom_message");
					cJSON_AddNullToObject(m, "error_message");
					cJSON *checks = cJSON_AddArrayToObject(rule, "checks");
					for (size_t c = 0; c < p->ncheck; c++)
						if (strcmp(p->checks[c].rule, name) == 0)
							cJSON_AddItemToArray(checks, check_json(&p->checks[c]));
					cJSON *w = cJSON_CreateObject();
					cJSON_AddItemToObject(w, "Rule", rule);
					cJSON_AddItemToArray(nc, w);
				}
			}
		}
		flush_names(&co_names, co);
		flush_names(&na_names, na);
		free(co_names.v);
		free(na_names.v);
		cJSON_SetValuestring(status, errors ? "ERROR" : mg_status_name(overall));
		cJSON_AddItemToArray(root, file);
		i = j;
	}
	return root;
}

int mamori_guard_write_structured(const mamori_guard_rules *rs, const mamori_guard_report *r,
				  bool yaml, FILE *out)
{
	cJSON *root = mg_report_structured(rs, r);
	int rc = mg_report_print(root, yaml, true, out);
	cJSON_Delete(root);
	return rc;
}
