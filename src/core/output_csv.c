/*
 * output_csv.c — RFC 4180 CSV with a header row.
 *
 * Every cell is quoted.  Cells that a spreadsheet would run as a formula
 * (starting with = + - @, tab or CR) get a leading apostrophe: finding text
 * comes from scanned input and must not execute when the file is opened
 * (OWASP "CSV injection").
 */
#include "output_internal.h"

#include <string.h>

static void csv_cell(FILE *out, const char *s, bool last)
{
	fputc('"', out);
	if (s && (*s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r'))
		fputc('\'', out);
	for (const char *p = s ? s : ""; *p; p++) {
		if (*p == '"')
			fputc('"', out);
		fputc(*p, out);
	}
	fputc('"', out);
	fputs(last ? "\r\n" : ",", out);
}

static const char *const header[] = {
	"Id", "Severity", "Normalized", "Title", "Module", "Pillar", "GeneratorId",
	"ResourceType", "ResourceId", "AwsAccountId", "Region", "ComplianceStatus",
	"RelatedRequirements", "WorkflowStatus", "RecordState", "FirstObservedAt",
	"LastObservedAt", "Location", "Remediation", "RemediationUrl", "Description",
};

int mamori_output_csv(mamori_ctx *ctx, const mamori_report *r, FILE *out)
{
	(void)ctx;
	size_t ncol = sizeof header / sizeof *header;
	for (size_t i = 0; i < ncol; i++)
		csv_cell(out, header[i], i + 1 == ncol);
	mamori_buf b = MAMORI_BUF_INIT;
	for (size_t i = 0; i < r->count; i++) {
		const mamori_finding *f = r->items[i];
		char norm[8], loc[64];
		snprintf(norm, sizeof norm, "%d",
			 f->severity_normalized >= 0 ? f->severity_normalized
						     : mamori_severity_normalized(f->severity));
		mamori_buf_reset(&b);
		for (size_t j = 0; j < f->related_requirements.count; j++) {
			if (j)
				mamori_buf_puts(&b, "; ");
			mamori_buf_puts(&b, f->related_requirements.items[j]);
		}
		mamori_buf locb = MAMORI_BUF_INIT;
		if (f->location.path) {
			mamori_buf_puts(&locb, f->location.path);
			if (f->location.line) {
				snprintf(loc, sizeof loc, ":%u", f->location.line);
				mamori_buf_puts(&locb, loc);
			}
		}
		const char *cells[] = {
			f->id,
			mamori_severity_name(f->severity),
			norm,
			f->title,
			f->module,
			f->pillar,
			f->generator_id,
			f->resource_count ? f->resources[0].type : "",
			f->resource_count ? f->resources[0].id : "",
			f->aws_account_id,
			f->region,
			mamori_compliance_name(f->compliance),
			mamori_buf_cstr(&b),
			mamori_workflow_name(f->workflow),
			mamori_record_state_name(f->record_state),
			f->first_observed_at,
			f->last_observed_at,
			mamori_buf_cstr(&locb),
			f->remediation_text,
			f->remediation_url,
			f->description,
		};
		for (size_t j = 0; j < ncol; j++)
			csv_cell(out, cells[j], j + 1 == ncol);
		mamori_buf_free(&locb);
	}
	mamori_buf_free(&b);
	return MAMORI_OK;
}
