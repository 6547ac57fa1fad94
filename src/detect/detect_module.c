/*
 * detect_module.c — the `detect` module of `mamori scan` (pillar
 * "detection"): runs the native detectors (and Sigma rules, when the
 * target carries some under a sigma/ directory; values for their |expand
 * placeholders in sigma/placeholders.yml) on the logs found in the target.  Files under a threat-lists/ directory are loaded as threat
 * lists (kind from the file name: tor*, trusted*, crypto*, c2*, else
 * malicious).  Baselines are read from and merged into the scan's store.
 *
 * `mamori detect` runs the same module with its own options through a
 * dt_module (a mamori_module followed by the options), see cmd_detect.c.
 */
#include "detect.h"
#include "sigma/sigma.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const log_suffixes[] = {".json", ".json.gz", ".jsonl", ".jsonl.gz", ".ndjson",
					   ".log",  ".log.gz",	".txt",	  ".gz",       NULL};

static bool under(const char *relpath, const char *dir)
{
	size_t n = strlen(dir);
	if (strncmp(relpath, dir, n) == 0)
		return true;
	for (const char *p = strchr(relpath, '/'); p; p = strchr(p + 1, '/'))
		if (strncmp(p + 1, dir, n) == 0)
			return true;
	return false;
}

static bool detect_wants(const mamori_target *t)
{
	for (size_t i = 0; i < t->file_count; i++)
		if (mamori_target_file_has_suffix(&t->files[i], log_suffixes) &&
		    !under(t->files[i].relpath, "threat-lists/"))
			return true;
	return false;
}

static int list_kind_spec(const char *relpath, mamori_buf *spec, const char *path)
{
	const char *base = strrchr(relpath, '/');
	base = base ? base + 1 : relpath;
	const char *kind = strncasecmp(base, "tor", 3) == 0	? "tor"
			 : strncasecmp(base, "trusted", 7) == 0 ? "trusted"
			 : strncasecmp(base, "crypto", 6) == 0	? "crypto"
			 : strncasecmp(base, "c2", 2) == 0	? "c2"
								: "malicious";
	mamori_buf_printf(spec, "%s:%s", kind, path);
	return 0;
}

/* Shared by both entry points. */
int dt_module_run_with(mamori_module_run *run, const dt_engine_options *eo,
		       const dt_run_options *ro);
int dt_module_run_with(mamori_module_run *run, const dt_engine_options *eo,
		       const dt_run_options *ro)
{
	const mamori_target *t = run->target;
	dt_engine e;
	int rc = dt_engine_init(run->ctx, &e, eo);
	if (rc) {
		dt_engine_free(&e);
		return rc;
	}
	for (size_t i = 0; i < e.nproblems; i++)
		mamori_module_problem(run, "%s", e.problems[i]);
	dt_file *files = mamori_xcalloc(t->file_count + 1, sizeof *files);
	size_t n = 0;
	for (size_t i = 0; i < t->file_count; i++) {
		if (under(t->files[i].relpath, "threat-lists/") || under(t->files[i].relpath, "sigma/"))
			continue;
		files[n++] = (dt_file){t->files[i].path, t->files[i].relpath, t->files[i].size};
	}
	dt_stats st;
	dt_run_options o = ro ? *ro : (dt_run_options){0};
	if (!o.store)
		o.store = mamori_module_store(run);
	rc = dt_detect(&e, &o, files, n, run, &st);
	mamori_buf sum = MAMORI_BUF_INIT;
	dt_stats_summary(&st, &sum);
	const sg_load_stats *ls = sg_ruleset_stats(e.sigma);
	if (ls->files)
		mamori_buf_printf(&sum,
				  "; Sigma: %zu rules in %zu files, %zu run, %zu for logs mamori does "
				  "not read, %zu cannot run, %zu files unreadable or invalid, %zu YAML files not rules",
				  ls->rules, ls->files, ls->runnable, ls->other_logs, ls->unsupported,
				  ls->errors, ls->not_rules);
	mamori_log(run->ctx, MAMORI_LOG_INFO, "detect: %s", sum.data);
	if (o.summary)
		mamori_buf_puts(o.summary, sum.data);
	mamori_buf_free(&sum);
	free(files);
	dt_engine_free(&e);
	return rc;
}

static int detect_run(mamori_module_run *run)
{
	const mamori_target *t = run->target;
	const char **lists = mamori_xcalloc(t->file_count + 1, sizeof *lists);
	const char **rules = mamori_xcalloc(t->file_count + 1, sizeof *rules);
	const char **holders = mamori_xcalloc(t->file_count + 1, sizeof *holders);
	mamori_buf *specs = mamori_xcalloc(t->file_count + 1, sizeof *specs);
	size_t nl = 0, nr = 0, nh = 0;
	for (size_t i = 0; i < t->file_count; i++) {
		if (under(t->files[i].relpath, "threat-lists/")) {
			list_kind_spec(t->files[i].relpath, &specs[nl], t->files[i].path);
			lists[nl] = specs[nl].data;
			nl++;
		} else if (under(t->files[i].relpath, "sigma/")) {
			const char *base = strrchr(t->files[i].relpath, '/');
			if (strncmp(base ? base + 1 : t->files[i].relpath, "placeholders.", 13) == 0)
				holders[nh++] = t->files[i].path; /* |expand values */
			else
				rules[nr++] = t->files[i].path;
		}
	}
	dt_engine_options eo = {rules, nr, lists, nl, false, false, false, NULL, NULL, 0, holders, nh};
	int rc = dt_module_run_with(run, &eo, NULL);
	for (size_t i = 0; i < nl; i++)
		mamori_buf_free(&specs[i]);
	free(specs);
	free(lists);
	free(rules);
	free(holders);
	return rc;
}

const mamori_module mamori_module_detect = {
	.name = "detect",
	.pillar = "detection",
	.summary = "GuardDuty-style detectors and Sigma rules over CloudTrail, VPC Flow Logs and "
		   "Route 53 Resolver query logs",
	.target_kinds = MAMORI_TARGET_PATH,
	.wants = detect_wants,
	.run = detect_run,
};
