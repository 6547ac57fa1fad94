/*
 * report_summary.c — cfn-guard's default output (single-line-summary): per
 * data file a "NAME Status = FAIL" line, the rules grouped by outcome as
 * `--show-summary` asks, then the failing checks with their evidence.
 */
#include "eval.h"
#include "guard.h"

#include <string.h>

static void section(const mamori_guard_rules *rs, const mamori_guard_pair *pairs, size_t from,
		    size_t to, int want, const char *title, FILE *out)
{
	bool any = false;
	size_t width = 0;
	for (size_t i = from; i < to; i++) {
		const mamori_guard_pair *p = &pairs[i];
		const mg_rules_file *rf = rs->files[p->rules];
		if (p->error)
			continue;
		for (uint32_t k = 0; k < rf->nnames; k++)
			if (p->status[k] == want) {
				size_t w = strlen(rs->names[p->rules]) + 1 + strlen(rf->names[k]);
				width = w > width ? w : width;
				any = true;
			}
	}
	if (!any)
		return;
	fprintf(out, "%s rules\n", title);
	for (size_t i = from; i < to; i++) {
		const mamori_guard_pair *p = &pairs[i];
		const mg_rules_file *rf = rs->files[p->rules];
		if (p->error)
			continue;
		for (uint32_t k = 0; k < rf->nnames; k++)
			if (p->status[k] == want) {
				int pad = (int)(width - strlen(rs->names[p->rules]) - 1 -
						strlen(rf->names[k]));
				fprintf(out, "%s/%s%*s    %s\n", rs->names[p->rules], rf->names[k], pad, "",
					mg_status_name(want));
			}
	}
}

int mamori_guard_write_summary(const mamori_guard_rules *rs, const mamori_guard_report *r,
			       unsigned show, FILE *out)
{
	return mamori_guard_write_summary_pairs(rs, r->pairs, r->count, show, out);
}

int mamori_guard_write_summary_pairs(const mamori_guard_rules *rs, const mamori_guard_pair *pairs,
				     size_t count, unsigned show, FILE *out)
{
	size_t i = 0;
	while (i < count) {
		/* the pairs of one data item (input + document) are contiguous */
		size_t j = i;
		while (j < count && pairs[j].input == pairs[i].input &&
		       pairs[j].doc == pairs[i].doc)
			j++;
		int overall = MG_SKIP;
		bool err = false;
		for (size_t k = i; k < j; k++) {
			if (pairs[k].error)
				err = true;
			else if (pairs[k].overall == MG_FAIL ||
				 (pairs[k].overall == MG_PASS && overall == MG_SKIP))
				overall = pairs[k].overall;
		}
		fprintf(out, "%s Status = %s\n", pairs[i].data_name,
			err ? "ERROR" : mg_status_name(overall));
		if (show & MG_SHOW_SKIP)
			section(rs, pairs, i, j, MG_SKIP, "SKIP", out);
		if (show & MG_SHOW_PASS)
			section(rs, pairs, i, j, MG_PASS, "PASS", out);
		if (show & MG_SHOW_FAIL)
			section(rs, pairs, i, j, MG_FAIL, "FAILED", out);
		fputs("---\n", out);
		for (size_t k = i; k < j; k++) {
			const mamori_guard_pair *p = &pairs[k];
			if (p->error) {
				fprintf(out, "Error evaluating %s against %s: %s\n", p->data_name,
					rs->names[p->rules], p->error);
				continue;
			}
			if (!p->ncheck)
				continue;
			fprintf(out, "Evaluating data %s against rules %s\n", p->data_name,
				rs->names[p->rules]);
			const char *last_rule = NULL;
			for (size_t c = 0; c < p->ncheck; c++) {
				const mamori_guard_check *ck = &p->checks[c];
				if (!last_rule || strcmp(last_rule, ck->rule) != 0)
					fprintf(out, "Rule [%s/%s] failed\n", rs->names[p->rules],
						ck->rule);
				last_rule = ck->rule;
				fprintf(out, "  Check = %s\n", ck->clause ? ck->clause : "");
				if (ck->resource)
					fprintf(out, "    Resource       = %s%s%s%s\n", ck->resource,
						ck->resource_type ? " (" : "",
						ck->resource_type ? ck->resource_type : "",
						ck->resource_type ? ")" : "");
				fprintf(out, "    Error          = %s\n", ck->message ? ck->message : "");
				if (ck->line)
					fprintf(out, "    Location       = %s:%u:%u\n", p->data_name,
						ck->line, ck->col);
				if (ck->custom) {
					const char *m = ck->custom;
					while (*m == ' ' || *m == '\n' || *m == '\t' || *m == '\r')
						m++;
					size_t l = strlen(m);
					while (l && (m[l - 1] == ' ' || m[l - 1] == '\n' ||
						     m[l - 1] == '\t' || m[l - 1] == '\r'))
						l--;
					fprintf(out, "    Message        = %.*s\n", (int)l, m);
				}
			}
		}
		i = j;
	}
	return ferror(out) ? -1 : 0;
}
