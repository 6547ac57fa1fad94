/*
 * report_summary.c — cfn-guard's default output (single-line-summary): per
 * data file a "NAME Status = FAIL" line, the rules grouped by outcome as
 * `--show-summary` asks, then the failing checks with their evidence.
 */
#include "eval.h"
#include "guard.h"

#include <string.h>

/* The rules with status `want`, names padded to one column as cfn-guard
 * does (as wide as the longest rule name, whatever its status): a first
 * pass measures the column, the second prints (unless out is NULL: then
 * it only says whether there is any). */
static bool section(const mamori_guard_rules *rs, const mamori_guard_pair *pairs, size_t from,
		    size_t to, int want, const char *title, FILE *out)
{
	size_t width = 0;
	bool any = false;
	for (int print = 0; print < 2; print++) {
		if (print && (!any || !out))
			return any;
		if (print)
			fprintf(out, "%s rules\n", title);
		for (size_t i = from; i < to; i++) {
			const mamori_guard_pair *p = &pairs[i];
			const mg_rules_file *rf = rs->files[p->rules];
			if (p->error)
				continue;
			for (uint32_t k = 0; k < rf->nnames; k++) {
				size_t w = strlen(rs->names[p->rules]) + 1 + strlen(rf->names[k]);
				if (!print)
					width = w > width ? w : width;
				if (p->status[k] != want)
					continue;
				any = true;
				if (print)
					fprintf(out, "%s/%s%*s    %s\n", rs->names[p->rules],
						rf->names[k], (int)(width - w), "", mg_status_name(want));
			}
		}
	}
	return any;
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
		/* like cfn-guard, no header when none of the shown sections has a rule */
		static const struct {
			unsigned show;
			int status;
			const char *title;
		} sections[] = {{MG_SHOW_SKIP, MG_SKIP, "SKIP"},
				{MG_SHOW_PASS, MG_PASS, "PASS"},
				{MG_SHOW_FAIL, MG_FAIL, "FAILED"}};
		bool any = err;
		for (size_t k = 0; k < 3 && !any; k++)
			any = (show & sections[k].show) &&
			      section(rs, pairs, i, j, sections[k].status, NULL, NULL);
		if (any) {
			fprintf(out, "%s Status = %s\n", pairs[i].data_name,
				err ? "ERROR" : mg_status_name(overall));
			for (size_t k = 0; k < 3; k++)
				if (show & sections[k].show)
					section(rs, pairs, i, j, sections[k].status,
						sections[k].title, out);
			fputs("---\n", out);
		}
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
