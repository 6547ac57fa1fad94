/*
 * sigma.h — the Sigma engine (Sigma specification v2) over indexed log
 * records.
 *
 * Rules are loaded from YAML unchanged (SigmaHQ's files or a whole SigmaHQ
 * checkout), compiled once into matchers and condition trees, and run
 * against each record.  The literal needles every rule needs are compiled
 * into one Vectorscan database: per record, the values of the fields those
 * needles belong to are scanned once, and only the rules whose needle was
 * seen (plus the few that have none) are evaluated.
 *
 * A rule that cannot run (unknown modifier, unsupported correlation, a
 * placeholder without a value...) is kept in the set with the reason, so
 * that it can be reported.
 */
#ifndef MAMORI_DETECT_SIGMA_H
#define MAMORI_DETECT_SIGMA_H

#include "../dt_event.h"

typedef struct sg_ruleset sg_ruleset;
typedef struct sg_rule sg_rule;
typedef struct sg_scanner sg_scanner;

/* Which log a rule applies to. */
enum { SG_LOG_NONE = 0, SG_LOG_CLOUDTRAIL, SG_LOG_DNS };

/* What a finding needs from a rule. */
typedef struct sg_rule_info {
	const char *id;
	const char *title;
	const char *description;
	const char *level;  /* informational low medium high critical */
	const char *status;
	const char *author;
	const char *license; /* "DRL-1.1" for SigmaHQ */
	const char *path;
	const char *stem;    /* file name without extension */
	const char **tags;
	size_t ntags;
	const char **refs;
	size_t nrefs;
	const char **falsepositives;
	size_t nfalsepositives;
	int log;	 /* SG_LOG_* */
	bool runnable;
	const char *why_not; /* when !runnable, or why it does not apply */
} sg_rule_info;

typedef struct sg_load_stats {
	size_t files;	    /* YAML files read */
	size_t not_rules;   /* YAML that is not a Sigma rule (no detection) */
	size_t rules;	    /* rules parsed */
	size_t runnable;    /* rules that run on a log mamori reads */
	size_t other_logs;  /* rules for other log sources (Windows, Linux...) */
	size_t unsupported; /* rules that cannot run, with a reason */
	size_t errors;	    /* files that could not be parsed */
} sg_load_stats;

sg_ruleset *sg_ruleset_new(mamori_ctx *ctx, dt_paths *ct_paths, dt_paths *dns_paths);
void sg_ruleset_free(sg_ruleset *rs);

/* Load one rule file's text.  Returns MAMORI_OK or MAMORI_EINPUT (ctx). */
int sg_ruleset_add(sg_ruleset *rs, const char *path, const char *buf, size_t len);
/* Load every *.yml / *.yaml under dir (recursively). Problems are counted
 * and remembered (sg_ruleset_problem); returns an error only when dir
 * cannot be read at all. */
int sg_ruleset_load_dir(sg_ruleset *rs, const char *dir);
/* Values for |expand placeholders: a YAML map of NAME: value or [values]
 * (NAME without the %s).  Call before loading rules.  MAMORI_EINPUT (ctx)
 * when the file cannot be read or is not such a map. */
int sg_ruleset_load_placeholders(sg_ruleset *rs, const char *path);
int sg_ruleset_placeholders_buf(sg_ruleset *rs, const char *path, const char *buf, size_t len);
/* Compile the prefilter; call once after loading. */
int sg_ruleset_compile(sg_ruleset *rs);

const sg_load_stats *sg_ruleset_stats(const sg_ruleset *rs);
size_t sg_ruleset_count(const sg_ruleset *rs);
const sg_rule_info *sg_ruleset_info(const sg_ruleset *rs, size_t i);
/* Files that could not be loaded: "path: reason" lines. */
size_t sg_ruleset_problem_count(const sg_ruleset *rs);
const char *sg_ruleset_problem(const sg_ruleset *rs, size_t i);
/* Needles in the prefilter database, rules with no needle (always run). */
void sg_ruleset_prefilter_stats(const sg_ruleset *rs, size_t *needles, size_t *always);

/* Per-thread evaluation state. naive: evaluate every rule on every record
 * (the benchmark's baseline). */
sg_scanner *sg_scanner_new(const sg_ruleset *rs, bool naive);
void sg_scanner_free(sg_scanner *sc);

typedef void (*sg_match_fn)(void *ud, size_t rule_index, const dt_event *ev);
/* Run the rules of `log` against one record. */
void sg_scan(sg_scanner *sc, int log, const dt_event *ev, sg_match_fn fn, void *ud);
/* Rules evaluated so far (for statistics). */
uint64_t sg_scanner_evaluations(const sg_scanner *sc);

#endif
