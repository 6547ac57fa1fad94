/*
 * output.c — the table of output formats and what the writers share.
 *
 * Adding a format is one file (output_<name>.c) and one line in `formats`.
 */
#include "output_internal.h"

#include <errno.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	mamori_output_fn write;
} formats[] = {
	[MAMORI_FORMAT_TABLE] = {"table", mamori_output_table},
	[MAMORI_FORMAT_JSON] = {"json", mamori_output_json},
	[MAMORI_FORMAT_JSONL] = {"jsonl", mamori_output_jsonl},
	[MAMORI_FORMAT_ASFF] = {"asff", mamori_output_asff},
	[MAMORI_FORMAT_SARIF] = {"sarif", mamori_output_sarif},
	[MAMORI_FORMAT_CSV] = {"csv", mamori_output_csv},
	[MAMORI_FORMAT_HTML] = {"html", mamori_output_html},
};

#define FORMAT_COUNT (sizeof formats / sizeof *formats)

int mamori_format_parse(const char *name)
{
	for (size_t i = 0; name && i < FORMAT_COUNT; i++)
		if (strcasecmp(name, formats[i].name) == 0)
			return (int)i;
	return -1;
}

const char *mamori_format_name(mamori_format f)
{
	return (unsigned)f < FORMAT_COUNT ? formats[f].name : "?";
}

const char *mamori_format_list(void)
{
	return "table|json|jsonl|asff|sarif|csv|html";
}

int mamori_output_write(mamori_ctx *ctx, mamori_format format, const mamori_report *r, FILE *out)
{
	if ((unsigned)format >= FORMAT_COUNT)
		return mamori_error_set(ctx, MAMORI_EUSAGE, "unknown output format");
	errno = 0;
	int rc = formats[format].write(ctx, r, out);
	if (rc)
		return rc;
	if (fflush(out) != 0 || ferror(out))
		return mamori_error_set(ctx, errno == ENOSPC ? MAMORI_ENOSPC : MAMORI_EINPUT,
					"cannot write the %s output: %s", formats[format].name,
					strerror(errno ? errno : EIO));
	return MAMORI_OK;
}

void mamori_summary_compute(const mamori_report *r, mamori_summary *s)
{
	memset(s, 0, sizeof *s);
	const mamori_finding *const *set = r->all ? r->all : r->items;
	size_t n = r->all ? r->all_count : r->count;
	for (size_t i = 0; i < n; i++) {
		const mamori_finding *f = set[i];
		s->total++;
		if (f->record_state == MAMORI_RECORD_ARCHIVED)
			s->archived++;
		else if (f->compliance == MAMORI_COMPLIANCE_PASSED)
			s->passed++;
		else if (f->workflow == MAMORI_WORKFLOW_SUPPRESSED ||
			 f->workflow == MAMORI_WORKFLOW_RESOLVED)
			s->suppressed++;
		if (mamori_finding_is_open(f)) {
			s->open++;
			s->by_severity[f->severity]++;
		}
	}
}

size_t mamori_summary_module_open(const mamori_report *r, const char *module)
{
	const mamori_finding *const *set = r->all ? r->all : r->items;
	size_t n = r->all ? r->all_count : r->count, c = 0;
	for (size_t i = 0; i < n; i++)
		if (mamori_finding_is_open(set[i]) && strcmp(set[i]->module, module) == 0)
			c++;
	return c;
}

void mamori_short_id(const char *id, char out[13])
{
	const char *slash = id ? strrchr(id, '/') : NULL;
	const char *hash = slash ? slash + 1 : (id ? id : "");
	snprintf(out, 13, "%s", hash);
}
