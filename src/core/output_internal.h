/*
 * output_internal.h — shared by the output writers (output_*.c).
 */
#ifndef MAMORI_CORE_OUTPUT_INTERNAL_H
#define MAMORI_CORE_OUTPUT_INTERNAL_H

#include "internal.h"
#include "json.h"
#include <stdio.h>

typedef struct mamori_summary {
	size_t by_severity[MAMORI_SEV_CRITICAL + 1]; /* open findings only */
	size_t open;
	size_t passed;	   /* checks that passed */
	size_t suppressed; /* suppressed or resolved */
	size_t archived;
	size_t total;
} mamori_summary;

/* Count the report's `all` set (or its items when all is NULL). */
void mamori_summary_compute(const mamori_report *r, mamori_summary *s);

/* The short id shown to people: the first 12 characters of the hash part. */
void mamori_short_id(const char *id, char out[13]);

/* The compliance scores of the report's `all` set (or its items). */
void mamori_report_scores(const mamori_report *r, mamori_scores *out);

/* The scores as JSON: [{standard, name, score, controls: {passed, failed,
 * unknown}, accounts: [{account, score, controls}]}] (score null when no
 * control passed or failed).  The json summary and SARIF use it. */
cJSON *mamori_report_compliance_json(const mamori_report *r);
/* Write b to out when it holds enough (or force), then empty it: streamed
 * documents reuse one buffer (output_json.c). */
void mamori_output_flush(mamori_buf *b, FILE *out, bool force);

/* A module's open findings in the report's `all` set. */
size_t mamori_summary_module_open(const mamori_report *r, const char *module);

typedef int (*mamori_output_fn)(mamori_ctx *ctx, const mamori_report *r, FILE *out);

int mamori_output_table(mamori_ctx *ctx, const mamori_report *r, FILE *out);
int mamori_output_json(mamori_ctx *ctx, const mamori_report *r, FILE *out);
int mamori_output_jsonl(mamori_ctx *ctx, const mamori_report *r, FILE *out);
int mamori_output_asff(mamori_ctx *ctx, const mamori_report *r, FILE *out);
int mamori_output_sarif(mamori_ctx *ctx, const mamori_report *r, FILE *out);
int mamori_output_csv(mamori_ctx *ctx, const mamori_report *r, FILE *out);
int mamori_output_html(mamori_ctx *ctx, const mamori_report *r, FILE *out);

#endif
