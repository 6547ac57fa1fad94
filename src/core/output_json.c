/*
 * output_json.c — the JSON family: json (summary + findings), jsonl (one
 * finding per line) and asff (a BatchImportFindings request body).
 *
 * json and jsonl carry the lossless ASFF document (complete evidence);
 * asff is strict, cut to Security Hub's limits so it can be sent as is.
 * Security Hub takes at most 100 findings per BatchImportFindings call:
 * `mamori findings push` batches; a file written here holds them all.
 */
#include "json.h"
#include "output_internal.h"

#include <stdlib.h>
#include <string.h>

/* Findings are written into one reused buffer, flushed when it is full
 * enough: no allocation per finding, few stdio calls. */
#define FLUSH_AT (256 * 1024)

void mamori_output_flush(mamori_buf *b, FILE *out, bool force)
{
	if (b->len && (force || b->len >= FLUSH_AT)) {
		fwrite(b->data, 1, b->len, out);
		mamori_buf_reset(b);
	}
}

int mamori_output_jsonl(mamori_ctx *ctx, const mamori_report *r, FILE *out)
{
	(void)ctx;
	mamori_buf b = MAMORI_BUF_INIT;
	for (size_t i = 0; i < r->count; i++) {
		mamori_finding_write_asff(r->items[i], MAMORI_ASFF_LOSSLESS, &b);
		mamori_buf_putc(&b, '\n');
		mamori_output_flush(&b, out, false);
	}
	mamori_output_flush(&b, out, true);
	mamori_buf_free(&b);
	return MAMORI_OK;
}

int mamori_output_asff(mamori_ctx *ctx, const mamori_report *r, FILE *out)
{
	(void)ctx;
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_puts(&b, "{\"Findings\":[");
	for (size_t i = 0; i < r->count; i++) {
		mamori_buf_puts(&b, i ? ",\n" : "\n");
		mamori_finding_write_asff(r->items[i], 0, &b);
		mamori_output_flush(&b, out, false);
	}
	mamori_buf_puts(&b, "\n]}\n");
	mamori_output_flush(&b, out, true);
	mamori_buf_free(&b);
	return MAMORI_OK;
}

static cJSON *score_json(const mamori_score *s)
{
	cJSON *o = cJSON_CreateObject();
	if (s->account)
		cJSON_AddStringToObject(o, "account", s->account);
	else {
		cJSON_AddStringToObject(o, "standard", s->standard);
		cJSON_AddStringToObject(o, "name", s->name);
	}
	if (s->percent >= 0)
		cJSON_AddNumberToObject(o, "score", s->percent);
	else
		cJSON_AddNullToObject(o, "score");
	cJSON *c = cJSON_AddObjectToObject(o, "controls");
	cJSON_AddNumberToObject(c, "passed", (double)s->passed);
	cJSON_AddNumberToObject(c, "failed", (double)s->failed);
	cJSON_AddNumberToObject(c, "unknown", (double)s->unknown);
	return o;
}

cJSON *mamori_report_compliance_json(const mamori_report *r)
{
	mamori_scores sc;
	mamori_report_scores(r, &sc);
	cJSON *arr = cJSON_CreateArray();
	cJSON *accounts = NULL;
	for (size_t i = 0; i < sc.count; i++) {
		cJSON *o = score_json(&sc.items[i]);
		if (sc.items[i].account) {
			cJSON_AddItemToArray(accounts, o);
			continue;
		}
		accounts = cJSON_AddArrayToObject(o, "accounts");
		cJSON_AddItemToArray(arr, o);
	}
	mamori_scores_free(&sc);
	return arr;
}

/* The summary part of the json format, built as a DOM: it is small. */
static cJSON *summary_json(const mamori_report *r)
{
	mamori_summary s;
	mamori_summary_compute(r, &s);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "open", (double)s.open);
	cJSON *sev = cJSON_AddObjectToObject(o, "open_by_severity");
	for (int i = MAMORI_SEV_CRITICAL; i >= 0; i--)
		cJSON_AddNumberToObject(sev, mamori_severity_name((mamori_severity)i),
					(double)s.by_severity[i]);
	cJSON_AddNumberToObject(o, "passed_checks", (double)s.passed);
	cJSON_AddNumberToObject(o, "suppressed_or_resolved", (double)s.suppressed);
	cJSON_AddNumberToObject(o, "archived", (double)s.archived);
	cJSON_AddNumberToObject(o, "total", (double)s.total);
	cJSON_AddItemToObject(o, "compliance", mamori_report_compliance_json(r));
	return o;
}

int mamori_output_json(mamori_ctx *ctx, const mamori_report *r, FILE *out)
{
	(void)ctx;
	cJSON *head = cJSON_CreateObject();
	cJSON_AddStringToObject(head, "mamori", MAMORI_VERSION);
	mamori_json_add_str(head, "title", r->title);
	mamori_json_add_str(head, "target", r->target);
	mamori_json_add_str(head, "generated_at", r->generated_at);
	cJSON_AddItemToObject(head, "summary", summary_json(r));
	if (r->module_count) {
		cJSON *mods = cJSON_AddArrayToObject(head, "modules");
		for (size_t i = 0; i < r->module_count; i++) {
			const mamori_report_module *m = &r->modules[i];
			cJSON *mo = cJSON_CreateObject();
			cJSON_AddStringToObject(mo, "name", m->name);
			cJSON_AddStringToObject(mo, "pillar", m->pillar);
			cJSON_AddStringToObject(mo, "outcome", m->outcome);
			cJSON_AddNumberToObject(mo, "findings", (double)m->findings);
			cJSON_AddNumberToObject(mo, "seconds", m->seconds);
			cJSON_AddItemToArray(mods, mo);
		}
	}
	cJSON *probs = cJSON_AddArrayToObject(head, "problems");
	for (size_t i = 0; i < r->problem_count; i++)
		cJSON_AddItemToArray(probs, cJSON_CreateString(r->problems[i]));
	/* print the head, then stream the findings array into its last slot so
	 * that a large report is never one DOM in memory */
	cJSON_AddArrayToObject(head, "findings");
	char *h = mamori_json_print(head, true);
	cJSON_Delete(head);
	char *slot = strrchr(h, '[');
	*slot = '\0';
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_puts(&b, h);
	mamori_buf_putc(&b, '[');
	free(h);
	for (size_t i = 0; i < r->count; i++) {
		mamori_buf_puts(&b, i ? ",\n" : "\n");
		mamori_finding_write_asff(r->items[i], MAMORI_ASFF_LOSSLESS | MAMORI_ASFF_PRETTY, &b);
		mamori_output_flush(&b, out, false);
	}
	mamori_buf_puts(&b, r->count ? "\n]\n}\n" : "]\n}\n");
	mamori_output_flush(&b, out, true);
	mamori_buf_free(&b);
	return MAMORI_OK;
}
