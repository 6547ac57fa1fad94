/*
 * detect_api.c — mamori_detect_run(): the detect module run through
 * mamori_scan_run() on a target assembled from several paths, so that
 * finalisation, de-duplication, the store's life cycle and the report
 * are the same as for `mamori scan`.
 *
 * The options reach the module through a dt_module: a mamori_module
 * followed by them (the module's run() finds them from run->module).
 */
#include "detect.h"
#include "mamori/aws.h"
#include "mamori/detect.h"

#include <stdio.h>
#include <stdlib.h>

int dt_module_run_with(mamori_module_run *run, const dt_engine_options *eo,
		       const dt_run_options *ro);

typedef struct dt_module {
	mamori_module base; /* first: run->module points here */
	dt_engine_options eo;
	dt_run_options ro;
} dt_module;

static int api_run(mamori_module_run *run)
{
	const dt_module *m = (const dt_module *)run->module;
	return dt_module_run_with(run, &m->eo, &m->ro);
}

static int by_rel(const void *a, const void *b)
{
	const mamori_target_file *x = a, *y = b;
	return strcmp(x->relpath, y->relpath);
}

typedef struct file_list {
	mamori_target *t;
	size_t cap;
	const char *bucket;
} file_list;

static mamori_target_file *add_file(file_list *l)
{
	mamori_target *t = l->t;
	if (t->file_count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		t->files = mamori_xrealloc(t->files, l->cap * sizeof *t->files);
	}
	return &t->files[t->file_count++];
}

static int listed(void *ud, const mamori_s3_object *o)
{
	file_list *l = ud;
	size_t n = strlen(o->key);
	if (n && o->key[n - 1] == '/')
		return 0; /* a "folder" placeholder of the console */
	char *url = mamori_arena_printf(&l->t->arena, "s3://%s/%s", l->bucket, o->key);
	*add_file(l) = (mamori_target_file){url, url, o->size};
	return 0;
}

/* The objects under s3://bucket/prefix as files named by their URL. */
static int add_s3(mamori_ctx *ctx, mamori_s3 **s3, const mamori_aws_options *aws, file_list *l,
		  const char *url)
{
	char *bucket = NULL, *prefix = NULL;
	if (!mamori_s3_url_parse(url, &bucket, &prefix))
		return mamori_error_set(ctx, MAMORI_EUSAGE, "%s: not an s3://BUCKET/PREFIX", url);
	int rc = *s3 ? MAMORI_OK : mamori_s3_open(ctx, aws, s3);
	size_t before = l->t->file_count;
	l->bucket = bucket;
	if (!rc)
		rc = mamori_s3_list(*s3, bucket, prefix, listed, l);
	if (!rc)
		mamori_log(ctx, MAMORI_LOG_INFO, "detect: %s: %zu objects", url,
			   l->t->file_count - before);
	free(bucket);
	free(prefix);
	return rc;
}

int mamori_detect_run(mamori_ctx *ctx, mamori_store *store, const char *const *paths,
		      size_t npaths, mamori_detect_options *opts, mamori_scan_result *result)
{
	/* settings are checked first: a mistyped one is a usage error, not a problem
	 * met while reading logs */
	dt_config cfg;
	dt_config_defaults(&cfg);
	int st = opts->config ? dt_config_load(ctx, &cfg, opts->config) : MAMORI_OK;
	for (size_t i = 0; !st && i < opts->setting_count; i++)
		st = dt_config_set(ctx, &cfg, opts->settings[i]);
	if (st)
		return st;
	mamori_target *merged = mamori_xcalloc(1, sizeof *merged);
	mamori_arena_init(&merged->arena, 0);
	merged->kind = MAMORI_TARGET_PATH;
	mamori_buf scope = MAMORI_BUF_INIT;
	mamori_buf_puts(&scope, "detect:");
	file_list fl = {merged, 0, NULL};
	mamori_s3 *s3 = NULL;
	int rc = MAMORI_OK;
	for (size_t i = 0; i < npaths && !rc; i++) {
		if (strcmp(paths[i], "-") == 0) {
			*add_file(&fl) = (mamori_target_file){"-", "(stdin)", 0};
			mamori_buf_printf(&scope, "%s-", i ? "," : "");
			continue;
		}
		if (strncmp(paths[i], "s3://", 5) == 0) {
			rc = add_s3(ctx, &s3, opts->aws, &fl, paths[i]);
			mamori_buf_printf(&scope, "%s%s", i ? "," : "", paths[i]);
			continue;
		}
		mamori_target *t = NULL;
		rc = mamori_target_open(ctx, paths[i], &t);
		if (rc)
			break;
		mamori_buf_printf(&scope, "%s%s", i ? "," : "", t->root);
		/* one file given: its name is its display name; a directory: relative paths */
		bool single = t->file_count == 1 && strcmp(t->files[0].relpath, "") == 0;
		for (size_t k = 0; k < t->file_count; k++) {
			const char *rel = t->files[k].relpath;
			*add_file(&fl) = (mamori_target_file){
				mamori_arena_strdup(&merged->arena, t->files[k].path),
				npaths > 1 || single || !*rel
					? mamori_arena_printf(&merged->arena, "%s%s%s", paths[i],
							      *rel ? "/" : "", rel)
					: mamori_arena_strdup(&merged->arena, rel),
				t->files[k].size};
		}
		mamori_target_free(t);
	}
	if (rc) {
		mamori_s3_close(s3);
		free(merged->files);
		mamori_arena_free(&merged->arena);
		free(merged);
		mamori_buf_free(&scope);
		return rc;
	}
	if (merged->file_count)
		qsort(merged->files, merged->file_count, sizeof *merged->files, by_rel);
	if (opts->shard_count > 1)
		mamori_buf_printf(&scope, "#shard=%u/%u", opts->shard_index, opts->shard_count);
	merged->spec = mamori_arena_strdup(&merged->arena, scope.data);
	merged->root = merged->spec;
	merged->scope = merged->spec;

	dt_module m;
	memset(&m, 0, sizeof m);
	m.base = mamori_module_detect;
	m.base.wants = NULL;
	m.base.run = api_run;
	m.eo = (dt_engine_options){opts->rule_dirs,	     opts->rule_dir_count,
				   opts->threat_lists,	     opts->threat_list_count,
				   opts->naive,		     opts->no_natives,
				   false,		     opts->config,
				   opts->settings,	     opts->setting_count,
				   opts->placeholders,	     opts->placeholder_count};
	mamori_buf summary = MAMORI_BUF_INIT;
	m.ro = (dt_run_options){opts->shard_index, opts->shard_count, store, true, &summary, s3};
	mamori_registry *reg = mamori_registry_new();
	mamori_registry_add(reg, &m.base);
	mamori_scan_options so = {NULL, 0};
	rc = mamori_scan_run(ctx, reg, store, merged, &so, result);
	/* the result outlives the merged target: keep its scope in the result */
	if (result->target)
		result->target = mamori_findings_strdup(&result->findings, result->target);
	mamori_registry_free(reg);
	if (s3) {
		mamori_aws_stats as;
		mamori_s3_stats(s3, &as);
		mamori_buf_printf(&summary, "; S3: %llu requests (%llu retried), %.1f MB",
				  (unsigned long long)as.calls, (unsigned long long)as.retries,
				  (double)as.bytes_in / 1e6);
		mamori_s3_close(s3);
	}
	opts->summary = summary.len ? mamori_buf_detach(&summary) : NULL;
	mamori_buf_free(&summary);
	free(merged->files);
	mamori_arena_free(&merged->arena);
	free(merged);
	mamori_buf_free(&scope);
	return rc;
}

char *mamori_detect_settings_text(void)
{
	mamori_buf b = MAMORI_BUF_INIT;
	dt_config_describe(&b);
	return mamori_buf_detach(&b);
}
