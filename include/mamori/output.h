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
 *   html   one self-contained page: severity summary, compliance scores,
 *          per-module counts and the findings table, readable on screen and
 *          on paper
 *
 * Compliance scores (mamori_scores_compute) are part of every report that
 * has a summary: the table's summary lines, the json summary, SARIF's run
 * properties and the HTML report.  csv, jsonl and asff carry findings only
 * (a BatchImportFindings body or a CSV table has no place for them); each
 * finding there has what the score is made of (Compliance.Status,
 * GeneratorId, AssociatedStandards, AwsAccountId).
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

/*
 * A compliance score the way AWS Security Hub computes a standard's
 * security score: a control (one GeneratorId) is FAILED when one of its
 * findings is FAILED, else UNKNOWN when one is WARNING or NOT_AVAILABLE,
 * else PASSED when one is PASSED; the score is passed / (passed + failed)
 * controls, rounded to a whole percent.  Archived and suppressed findings
 * are left out (Security Hub leaves suppressed findings out of control
 * status), and so are findings without a Compliance status.  Per account,
 * the same over that account's findings (findings about no account, such
 * as templates, count under MAMORI_NO_ACCOUNT).
 */
typedef struct mamori_score {
	const char *standard; /* a StandardsId, e.g. "standards/cis-aws-foundations-benchmark/v/3.0.0" */
	const char *name;     /* its name, e.g. "CIS AWS Foundations Benchmark v3.0.0" */
	const char *account;  /* NULL: every account */
	size_t passed, failed, unknown; /* controls, by status */
	int percent;			/* -1 when no control passed or failed */
} mamori_score;

typedef struct mamori_scores {
	/* each standard (account NULL) followed by its accounts; standards and
	 * accounts in byte order.  Strings point into the findings. */
	mamori_score *items;
	size_t count;
} mamori_scores;

MAMORI_API void mamori_scores_compute(const mamori_finding *const *findings, size_t count,
				      mamori_scores *out);
MAMORI_API void mamori_scores_free(mamori_scores *s);

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
