/*
 * report_junit.c — JUnit XML for CI dashboards: a test suite per data file,
 * a test case per rules file, failing when one of its rules failed.
 */
#include "report.h"

#include "eval.h"

#include <string.h>

void mg_xml_escape(FILE *out, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
}

int mamori_guard_write_junit(const mamori_guard_rules *rs, const mamori_guard_report *r, FILE *out)
{
	size_t tests = 0, failures = 0, errors = 0;
	for (size_t i = 0; i < r->count; i++) {
		tests++;
		if (r->pairs[i].error)
			errors++;
		else if (r->pairs[i].overall == MG_FAIL)
			failures++;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out, "<testsuites name=\"mamori guard validate report\" tests=\"%zu\" failures=\"%zu\" "
		     "errors=\"%zu\" time=\"0\">\n",
		tests, failures, errors);
	size_t i = 0;
	while (i < r->count) {
		size_t j = i;
		size_t f = 0, e = 0;
		while (j < r->count && r->pairs[j].input == r->pairs[i].input &&
		       r->pairs[j].doc == r->pairs[i].doc) {
			if (r->pairs[j].error)
				e++;
			else if (r->pairs[j].overall == MG_FAIL)
				f++;
			j++;
		}
		fputs("    <testsuite name=\"", out);
		mg_xml_escape(out, r->pairs[i].data_name);
		fprintf(out, "\" errors=\"%zu\" failures=\"%zu\" time=\"0\">\n", e, f);
		for (size_t k = i; k < j; k++) {
			const mamori_guard_pair *p = &r->pairs[k];
			fputs("        <testcase name=\"", out);
			mg_xml_escape(out, rs->names[p->rules]);
			if (p->error) {
				fputs("\" time=\"0\">\n            <error message=\"", out);
				mg_xml_escape(out, p->error);
				fputs("\"/>\n        </testcase>\n", out);
			} else if (p->overall != MG_FAIL) {
				fprintf(out, "\" time=\"0\" status=\"%s\"/>\n",
					p->overall == MG_PASS ? "pass" : "skip");
			} else {
				const mg_rules_file *rf = rs->files[p->rules];
				fputs("\" time=\"0\">\n            <failure message=\"", out);
				bool first = true;
				for (uint32_t n = 0; n < rf->nnames; n++)
					if (p->status[n] == MG_FAIL) {
						if (!first)
							fputs(", ", out);
						mg_xml_escape(out, rf->names[n]);
						first = false;
					}
				fputs("\">", out);
				for (size_t c = 0; c < p->ncheck; c++) {
					mg_xml_escape(out, p->checks[c].message);
					fputc('\n', out);
				}
				fputs("</failure>\n        </testcase>\n", out);
			}
		}
		fputs("    </testsuite>\n", out);
		i = j;
	}
	fputs("</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}
