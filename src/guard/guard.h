/*
 * guard.h — the Guard engine as the CLI and the scan module use it.
 *
 *   rules   mamori_guard_rules: rules files compiled once (from files,
 *           directories or text) and shared read-only by every thread;
 *   data    data files (CloudFormation, Terraform plans, Config items, any
 *           JSON/YAML) read and evaluated one by one, N at a time with
 *           threads, each YAML document a data item of its own;
 *   results one mamori_guard_pair per (data item, rules file): the status
 *           of every rule name (blocks of one name merged FAIL > PASS >
 *           SKIP, as cfn-guard's summary merges them), each block's own
 *           status, and when asked the failing checks as evidence.
 *
 * Reporters (report_*.c) turn a mamori_guard_report into cfn-guard's output
 * formats and the `tsv` lines the differential test compares.
 */
#ifndef MAMORI_GUARD_GUARD_H
#define MAMORI_GUARD_GUARD_H

#include "../core/internal.h"
#include "ast.h"

#include <stdio.h>

typedef struct mamori_guard_rules {
	mg_rules_file **files; /* NULL for a file that does not parse ... */
	char **errors;	       /* ... and why (its pairs are ERROR) */
	char **names; /* how reports name each file (relative to its -r argument) */
	size_t count, cap;
} mamori_guard_rules;

void mamori_guard_rules_init(mamori_guard_rules *rs);
void mamori_guard_rules_free(mamori_guard_rules *rs);
/* A .guard/.ruleset file, or every such file under a directory (sorted).  A
 * file that does not parse is kept (its verdicts are ERROR) and the first
 * such error is returned, with the message in ctx, after the rest is read. */
int mamori_guard_rules_add_path(mamori_ctx *ctx, mamori_guard_rules *rs, const char *path);
/* Rules given as text (built-in rule sets, tests); name is how reports call it. */
int mamori_guard_rules_add_text(mamori_ctx *ctx, mamori_guard_rules *rs, const char *name,
				const char *buf, size_t len);

/* A data file to evaluate. */
typedef struct mamori_guard_input {
	char *path;   /* as opened */
	char *name;   /* as reports show it (relative to its -d argument) */
	char *text;   /* or: the content, when not read from a file (test, payload) */
	size_t text_len;
} mamori_guard_input;

typedef struct mamori_guard_inputs {
	mamori_guard_input *items;
	size_t count, cap;
} mamori_guard_inputs;

void mamori_guard_inputs_free(mamori_guard_inputs *in);
/* A data file, or the .yaml/.yml/.json/.jsn/.template files under a directory. */
int mamori_guard_inputs_add_path(mamori_ctx *ctx, mamori_guard_inputs *in, const char *path);
void mamori_guard_inputs_add_text(mamori_guard_inputs *in, const char *name, const char *text,
				  size_t len);

/* A failing check: the evidence of a FAIL. */
typedef struct mamori_guard_check {
	const char *rule;     /* the rule that failed */
	const char *clause;   /* the clause as written */
	const char *message;  /* what was wrong, in a sentence */
	const char *custom;   /* the rule author's << message >>, or NULL */
	const char *path;     /* the failing value's path, e.g. /Resources/B/Properties/X */
	const char *value;    /* its value as JSON, or NULL when it is missing */
	const char *expected; /* what it was compared with (JSON), or NULL */
	const char *resource; /* logical id, Terraform address or ARN, or NULL */
	const char *resource_type;
	unsigned line, col; /* in the data file; 0 when unknown */
} mamori_guard_check;

typedef struct mamori_guard_pair {
	size_t input;	/* index in the inputs */
	int doc;	/* YAML document number (0 = first) */
	size_t rules;	/* index in the rule set */
	const char *data_name; /* input name, "#N" appended for documents after the first */
	const char *error;     /* non-NULL: the data or the evaluation failed */
	uint8_t *status;       /* per rule name id (mg_status) */
	uint8_t *blocks;       /* per rule block, in file order */
	mamori_guard_check *checks;
	size_t ncheck;
	int overall; /* FAIL if any rule failed, PASS if any passed, else SKIP */
} mamori_guard_pair;

typedef struct mamori_guard_options {
	int threads;	    /* <= 1: evaluate on the calling thread */
	bool evidence;	    /* collect mamori_guard_check records */
	const char *params; /* -i: a parameters document merged into every data file */
	size_t params_len;
	const char *params_name;
	/* When set, each input's pairs are handed over as soon as they and every
	 * earlier input are done (in input order) and freed right after, so that
	 * memory does not grow with the number of files; the report then holds
	 * only the counts. */
	void (*emit)(void *ud, const mamori_guard_pair *pairs, size_t n);
	void *emit_ud;
} mamori_guard_options;

typedef struct mamori_guard_report {
	mamori_guard_pair *pairs; /* ordered by input, document, rules file */
	size_t count;
	size_t data_errors; /* inputs that could not be read or parsed */
	size_t eval_errors; /* (input, rules) pairs whose evaluation failed */
	void *priv;	    /* owns the strings */
} mamori_guard_report;

int mamori_guard_evaluate(mamori_ctx *ctx, const mamori_guard_rules *rs,
			  const mamori_guard_inputs *in, const mamori_guard_options *opts,
			  mamori_guard_report *out);
void mamori_guard_report_free(mamori_guard_report *r);

/* One rules file on one document, into p (strings in out); the building block
 * of mamori_guard_evaluate, for callers that make their own documents (the
 * scan module evaluates each AWS Config item on its own). */
struct mg_eval;
void mamori_guard_evaluate_root(struct mg_eval *ev, const mg_rules_file *rf, const mg_value *root,
				bool evidence, mamori_arena *out, mamori_guard_pair *p);

/* ---- reporters (report_*.c) ---- */

typedef enum mamori_guard_summary {
	MG_SHOW_PASS = 1,
	MG_SHOW_FAIL = 2,
	MG_SHOW_SKIP = 4,
	MG_SHOW_ALL = 7,
} mamori_guard_summary;

/* DATA<TAB>RULES<TAB>RULE<TAB>PASS|FAIL|SKIP|ERROR, sorted. */
int mamori_guard_write_tsv(const mamori_guard_rules *rs, const mamori_guard_report *r, FILE *out);
/* The same for some pairs (streaming: lines sorted within them). */
int mamori_guard_write_tsv_pairs(const mamori_guard_rules *rs, const mamori_guard_pair *pairs,
				 size_t n, FILE *out);
/* The summary for some pairs (whole data items), for streaming. */
int mamori_guard_write_summary_pairs(const mamori_guard_rules *rs, const mamori_guard_pair *pairs,
				     size_t n, unsigned show, FILE *out);
/* cfn-guard's single-line-summary: a status line per file and the rule table. */
int mamori_guard_write_summary(const mamori_guard_rules *rs, const mamori_guard_report *r,
			       unsigned show, FILE *out);
/* cfn-guard's structured report as JSON or YAML. */
int mamori_guard_write_structured(const mamori_guard_rules *rs, const mamori_guard_report *r,
				  bool yaml, FILE *out);
int mamori_guard_write_sarif(const mamori_guard_rules *rs, const mamori_guard_report *r,
			     FILE *out);
int mamori_guard_write_junit(const mamori_guard_rules *rs, const mamori_guard_report *r,
			     FILE *out);

/* ---- `mamori guard test` and `parse-tree` ---- */

/* The results of a cfn-guard unit-test file (YAML/JSON list of {name,
 * input, expectations: {rules: {NAME: PASS|FAIL|SKIP}}}) run against the
 * rules file rs->files[rules_index]; verbose keeps the failing checks. */
typedef struct mamori_guard_test_file mamori_guard_test_file;
int mamori_guard_run_test_file(mamori_ctx *ctx, const mamori_guard_rules *rs, size_t rules_index,
			       const char *test_path, bool verbose, mamori_guard_test_file **out);
/* Expectations not met, plus cases whose evaluation failed. */
size_t mamori_guard_test_failures(const mamori_guard_test_file *tf);
void mamori_guard_test_file_free(mamori_guard_test_file *tf);
/* cfn-guard's text report of one test file. */
int mamori_guard_write_test_text(const mamori_guard_test_file *tf, FILE *out);
/* cfn-guard's structured test report ("json", "yaml" or "junit"): one
 * object, or a list of them when as_list (guard test --dir). */
int mamori_guard_write_tests_structured(mamori_guard_test_file *const *files, size_t n,
					bool as_list, const char *format, FILE *out);
/* The parse tree of a rules file as YAML or JSON. */
int mamori_guard_write_parse_tree(const mg_rules_file *rf, bool json, FILE *out);

#endif
