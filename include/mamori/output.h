/*
 * output.h — findings rendered for people and machines.
 *
 * One entry point, one writer per format (src/core/output_<format>.c):
 *   table  aligned columns for a terminal, coloured on request
 *   json   an object with a summary and the findings (ASFF-shaped)
 *   jsonl  one ASFF finding per line
 *   asff   a BatchImportFindings request body: {"Findings":[...]}
 *   sarif  SARIF 2.1.0 with rules, results and locations
 *   csv    RFC 4180, with a header
 *   html   one self-contained page: severity summary, per-module counts and
 *          the findings table, readable on screen and on paper
 */
#ifndef MAMORI_OUTPUT_H
#define MAMORI_OUTPUT_H

#include "common.h"
#include "finding.h"
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mamori_format {
	MAMORI_FORMAT_TABLE = 0,
	MAMORI_FORMAT_JSON,
	MAMORI_FORMAT_JSONL,
	MAMORI_FORMAT_ASFF,
	MAMORI_FORMAT_SARIF,
	MAMORI_FORMAT_CSV,
	MAMORI_FORMAT_HTML,
} mamori_format;

/* A module's line in a report's summary. */
typedef struct mamori_report_module {
	const char *name;
	const char *pillar;
	const char *outcome; /* "ok", "problems", "failed", "skipped" */
	size_t findings;
	double seconds;
} mamori_report_module;

typedef struct mamori_report {
	const mamori_finding *const *items; /* what to list, in order */
	size_t count;
	/* Every finding the summary should count (e.g. passed checks too);
	 * NULL = the listed items. */
	const mamori_finding *const *all;
	size_t all_count;
	const char *title;	  /* e.g. "mamori scan of examples/demo" */
	const char *target;	  /* scope key, or NULL */
	const char *generated_at; /* RFC 3339 */
	const mamori_report_module *modules;
	size_t module_count;
	const char *const *problems;
	size_t problem_count;
	bool color;		/* table: ANSI colours */
	unsigned width;		/* table: terminal width, 0 = unlimited */
	const char *product_arn; /* asff: override the ProductArn (NULL = per finding) */
	const char *lang;	 /* html: "en" (NULL) or "ja" */
} mamori_report;

/* Parse a format name; -1 if unknown. */
MAMORI_API int mamori_format_parse(const char *name);
MAMORI_API const char *mamori_format_name(mamori_format f);
/* "table|json|jsonl|asff|sarif|csv|html" */
MAMORI_API const char *mamori_format_list(void);

/* Write the report in format to out.  Fails only on write errors. */
MAMORI_API int mamori_output_write(mamori_ctx *ctx, mamori_format format, const mamori_report *r,
				   FILE *out);

#ifdef __cplusplus
}
#endif
#endif
