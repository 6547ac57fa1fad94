/*
 * report_tsv.c — the differential test's format: one sorted line per
 * (data file, rules file, rule): DATA<TAB>RULES<TAB>RULE<TAB>STATUS, with
 * blocks of one rule name merged FAIL > PASS > SKIP, and a single
 * DATA<TAB>RULES<TAB>*<TAB>ERROR line when the pair could not be evaluated
 * (the same convention as ../shared/corpora/guard/expected/).
 */
#include "eval.h"
#include "guard.h"

#include <stdlib.h>
#include <string.h>

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int mamori_guard_write_tsv(const mamori_guard_rules *rs, const mamori_guard_report *r, FILE *out)
{
	return mamori_guard_write_tsv_pairs(rs, r->pairs, r->count, out);
}

int mamori_guard_write_tsv_pairs(const mamori_guard_rules *rs, const mamori_guard_pair *pairs,
				 size_t count, FILE *out)
{
	size_t n = 0, cap = 1024;
	char **lines = mamori_xmalloc(cap * sizeof *lines);
	for (size_t i = 0; i < count; i++) {
		const mamori_guard_pair *p = &pairs[i];
		const mg_rules_file *rf = rs->files[p->rules];
		const char *rname = rs->names[p->rules];
		size_t add = p->error ? 1 : rf->nnames;
		for (size_t k = 0; k < add; k++) {
			if (n == cap) {
				cap *= 2;
				lines = mamori_xrealloc(lines, cap * sizeof *lines);
			}
			mamori_buf b = MAMORI_BUF_INIT;
			if (p->error)
				mamori_buf_printf(&b, "%s\t%s\t*\tERROR", p->data_name, rname);
			else
				mamori_buf_printf(&b, "%s\t%s\t%s\t%s", p->data_name, rname, rf->names[k],
						  mg_status_name(p->status[k]));
			lines[n++] = mamori_buf_detach(&b);
		}
	}
	qsort(lines, n, sizeof *lines, cmp_line);
	for (size_t i = 0; i < n; i++) {
		fputs(lines[i], out);
		fputc('\n', out);
		free(lines[i]);
	}
	free(lines);
	return ferror(out) ? -1 : 0;
}
