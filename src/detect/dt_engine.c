/*
 * dt_engine.c — building the detection engine once: field tables, native
 * rule metadata (rules/detect/native.yaml), Sigma rules, threat lists.
 */
#include "dt_intel.h"
#include "dt_run.h"

#include <stdarg.h>
#include <stdlib.h>

#define NATIVE_RULES "rules/detect/native.yaml"

void dt_engine_problem(dt_engine *e, const char *fmt, ...)
{
	mamori_buf b = MAMORI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	e->problems = mamori_xrealloc(e->problems, (e->nproblems + 1) * sizeof *e->problems);
	e->problems[e->nproblems++] = mamori_buf_detach(&b);
}

int dt_engine_init(mamori_ctx *ctx, dt_engine *e, const dt_engine_options *o)
{
	memset(e, 0, sizeof *e);
	e->ctx = ctx;
	dt_config_defaults(&e->cfg);
	int rc;
	if (o && o->config && (rc = dt_config_load(ctx, &e->cfg, o->config)) != MAMORI_OK)
		return rc;
	for (size_t i = 0; o && i < o->setting_count; i++)
		if ((rc = dt_config_set(ctx, &e->cfg, o->settings[i])) != MAMORI_OK)
			return rc;
	e->naive = o && o->naive;
	e->no_natives = o && o->no_natives;
	dt_paths_init(&e->ct_paths);
	dt_paths_init(&e->dns_paths);
	dt_ct_paths_init(&e->ct_paths);
	dt_dns_paths_init(&e->dns_paths);
	rc = mamori_rulebook_load_builtin(ctx, NATIVE_RULES, &e->meta);
	if (rc)
		return rc;
	e->intel = dt_intel_new();
	for (size_t i = 0; o && i < o->threat_list_count; i++) {
		if (dt_intel_load(ctx, e->intel, o->threat_lists[i]))
			return MAMORI_EINPUT;
		for (size_t k = 0; k < dt_intel_problem_count(e->intel); k++)
			dt_engine_problem(e, "%s", dt_intel_problem(e->intel, k));
		dt_intel_clear_problems(e->intel);
	}
	e->sigma = sg_ruleset_new(ctx, &e->ct_paths, &e->dns_paths);
	for (size_t i = 0; o && i < o->placeholder_count; i++)
		if ((rc = sg_ruleset_load_placeholders(e->sigma, o->placeholders[i])) != MAMORI_OK)
			return rc;
	for (size_t i = 0; o && !o->no_sigma && i < o->rule_dir_count; i++) {
		rc = sg_ruleset_load_dir(e->sigma, o->rule_dirs[i]);
		if (rc)
			return rc;
	}
	rc = sg_ruleset_compile(e->sigma);
	if (rc)
		return rc;
	for (size_t i = 0; i < sg_ruleset_problem_count(e->sigma); i++)
		dt_engine_problem(e, "%s", sg_ruleset_problem(e->sigma, i));
	dt_paths_freeze(&e->ct_paths);
	dt_paths_freeze(&e->dns_paths);
	return MAMORI_OK;
}

void dt_engine_free(dt_engine *e)
{
	sg_ruleset_free(e->sigma);
	dt_intel_free(e->intel);
	mamori_rulebook_free(&e->meta);
	dt_paths_free(&e->ct_paths);
	dt_paths_free(&e->dns_paths);
	for (size_t i = 0; i < e->nproblems; i++)
		free(e->problems[i]);
	free(e->problems);
	memset(e, 0, sizeof *e);
}
