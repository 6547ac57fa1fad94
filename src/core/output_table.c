/*
 * output_table.c — findings as aligned columns for a terminal.
 *
 * Columns: severity, short id, rule, resource, title.  On a terminal the
 * title (then the resource) is cut to the width, with "..."; in a pipe
 * nothing is cut.  Colour only when the report asks (the CLI decides: TTY
 * and no NO_COLOR).  A summary line closes the table, followed by one line
 * per compliance standard with its score and each account's.
 */
#include "output_internal.h"
#include "report_i18n.h"

#include <string.h>

static const char *const sev_color[] = {"\033[2m", "\033[36m", "\033[33m", "\033[31m",
					"\033[1;97;41m"};
#define RESET "\033[0m"
#define DIM "\033[2m"

/* Display width of a UTF-8 string (one column per code point; CJK counts as two). */
static size_t width_of(const char *s, size_t bytes)
{
	size_t w = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < bytes && u[i]; i++) {
		if ((u[i] & 0xC0) == 0x80)
			continue;
		w += (u[i] >= 0xE3 && u[i] <= 0xED) ? 2 : 1; /* U+3000..U+DFFF: wide */
	}
	return w;
}

/* Write s padded to `cols` columns, cut with "..." when longer (cols 0 = as is). */
static void cell(FILE *out, const char *s, size_t cols, bool pad)
{
	if (!s)
		s = "-";
	size_t w = width_of(s, strlen(s));
	if (cols == 0 || w <= cols || cols < 4) {
		fputs(s, out);
		if (pad)
			for (size_t i = w; i < cols; i++)
				fputc(' ', out);
		return;
	}
	size_t used = 0, i = 0;
	const unsigned char *u = (const unsigned char *)s;
	while (s[i]) {
		size_t len = 1;
		while ((u[i + len] & 0xC0) == 0x80)
			len++;
		size_t cw = width_of(s + i, len);
		if (used + cw > cols - 3)
			break;
		fwrite(s + i, 1, len, out);
		used += cw;
		i += len;
	}
	fputs("...", out);
	used += 3;
	if (pad)
		for (; used < cols; used++)
			fputc(' ', out);
}

static void score_text(FILE *out, const mamori_score *s)
{
	size_t judged = s->passed + s->failed;
	if (s->percent >= 0)
		fprintf(out, "%d%% (%zu of %zu controls passed", s->percent, s->passed, judged);
	else
		fputs("no score (no control passed or failed", out);
	if (s->unknown)
		fprintf(out, ", %zu unknown", s->unknown);
	fputc(')', out);
}

/* One line per standard, then its accounts (when there is more than one). */
static void compliance_lines(FILE *out, const mamori_report *r)
{
	mamori_scores sc;
	mamori_report_scores(r, &sc);
	for (size_t i = 0; i < sc.count; i++) {
		const mamori_score *s = &sc.items[i];
		if (s->account)
			continue;
		fprintf(out, "compliance: %s: ", s->name);
		score_text(out, s);
		size_t nacc = 0;
		for (size_t k = i + 1; k < sc.count && sc.items[k].account; k++)
			nacc++;
		for (size_t k = i + 1; nacc > 1 && k <= i + nacc; k++) {
			const char *acct = sc.items[k].account;
			fprintf(out, "%s%s ", k == i + 1 ? "; by account: " : ", ",
				strcmp(acct, MAMORI_NO_ACCOUNT) ? acct : mamori_report_text("en", "score.no_account"));
			if (sc.items[k].percent >= 0)
				fprintf(out, "%d%%", sc.items[k].percent);
			else
				fputs("-", out);
		}
		fputc('\n', out);
	}
	mamori_scores_free(&sc);
}

int mamori_output_table(mamori_ctx *ctx, const mamori_report *r, FILE *out)
{
	(void)ctx;
	size_t w_rule = 4, w_res = 8;
	for (size_t i = 0; i < r->count; i++) {
		const mamori_finding *f = r->items[i];
		size_t a = width_of(f->generator_id, strlen(f->generator_id));
		size_t b = f->resource_count ? width_of(f->resources[0].id, strlen(f->resources[0].id)) : 1;
		w_rule = a > w_rule ? a : w_rule;
		w_res = b > w_res ? b : w_res;
	}
	size_t w_title = 0;
	if (r->width) {
		/* severity, id and four gaps are fixed; rule, resource and title share
		 * the rest: the title keeps at least 40%, the others what they need */
		size_t fixed = 13 + 2 + 12 + 2 + 2 + 2;
		size_t avail = r->width > fixed + 30 ? r->width - fixed : 30;
		size_t max_rule = avail / 4 > 10 ? avail / 4 : 10;
		if (w_rule > max_rule)
			w_rule = max_rule;
		size_t title_min = avail * 2 / 5;
		size_t max_res = avail - w_rule - title_min;
		if (w_res > max_res)
			w_res = max_res;
		w_title = avail - w_rule - w_res;
	}
	if (r->count) {
		if (r->color)
			fputs(DIM, out);
		fprintf(out, "%-13s  %-12s  ", "SEVERITY", "ID");
		cell(out, "RULE", w_rule, true);
		fputs("  ", out);
		cell(out, "RESOURCE", w_res, true);
		fputs("  TITLE", out);
		if (r->color)
			fputs(RESET, out);
		fputc('\n', out);
	}
	for (size_t i = 0; i < r->count; i++) {
		const mamori_finding *f = r->items[i];
		char sid[13];
		mamori_short_id(f->id, sid);
		const char *sev = mamori_severity_name(f->severity);
		const char *label = sev;
		if (f->compliance == MAMORI_COMPLIANCE_PASSED)
			label = "PASSED";
		else if (f->workflow == MAMORI_WORKFLOW_SUPPRESSED)
			label = "SUPPRESSED";
		else if (f->record_state == MAMORI_RECORD_ARCHIVED)
			label = "ARCHIVED";
		if (r->color)
			fputs(label == sev ? sev_color[f->severity] : DIM, out);
		fputs(label, out);
		if (r->color)
			fputs(RESET, out);
		fprintf(out, "%*s", (int)(13 - strlen(label)), "");
		fprintf(out, "  %-12s  ", sid);
		cell(out, f->generator_id, w_rule, true);
		fputs("  ", out);
		cell(out, f->resource_count ? f->resources[0].id : "-", w_res, true);
		fputs("  ", out);
		cell(out, f->title, w_title, false);
		fputc('\n', out);
	}

	mamori_summary s;
	mamori_summary_compute(r, &s);
	if (r->count)
		fputc('\n', out);
	fprintf(out, "%zu open finding%s", s.open, s.open == 1 ? "" : "s");
	static const char *const words[] = {"informational", "low", "medium", "high", "critical"};
	bool first = true;
	for (int sev = MAMORI_SEV_CRITICAL; sev >= 0; sev--) {
		if (!s.by_severity[sev])
			continue;
		fprintf(out, "%s%zu %s", first ? ": " : ", ", s.by_severity[sev], words[sev]);
		first = false;
	}
	if (s.passed)
		fprintf(out, "; %zu check%s passed", s.passed, s.passed == 1 ? "" : "s");
	if (s.suppressed)
		fprintf(out, "; %zu suppressed or resolved", s.suppressed);
	if (s.archived)
		fprintf(out, "; %zu archived", s.archived);
	fputc('\n', out);
	compliance_lines(out, r);
	return MAMORI_OK;
}
