/*
 * detect.h — threat detection over AWS logs as a library call.
 *
 * `mamori detect` in one function: read CloudTrail (S3 delivery files,
 * arrays, EventBridge envelopes, JSON Lines), VPC Flow Logs and Route 53
 * Resolver query logs from files and directories, run the native
 * GuardDuty-style detectors and any Sigma rules given, and record the
 * findings in the store exactly as `mamori scan` would (module "detect",
 * pillar "detection").
 */
#ifndef MAMORI_DETECT_H
#define MAMORI_DETECT_H

#include "common.h"
#include "scan.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mamori_detect_options {
	const char *const *rule_dirs;	 /* Sigma rule files or directories (a SigmaHQ checkout) */
	size_t rule_dir_count;
	const char *const *threat_lists; /* [KIND:]FILE, KIND = malicious tor crypto c2 trusted */
	size_t threat_list_count;
	unsigned shard_index, shard_count; /* --shard I/N; count 0 = all files */
	bool naive;	 /* evaluate every Sigma rule on every record (benchmark baseline) */
	bool no_natives; /* Sigma rules only */
	const char *config;	     /* YAML file of settings (thresholds, windows), or NULL */
	const char *const *settings; /* "NAME=VALUE" overrides, applied after config */
	size_t setting_count;
	const char *const *placeholders; /* YAML files of Sigma |expand values */
	size_t placeholder_count;
	const struct mamori_aws_options *aws; /* for s3://bucket/prefix inputs; NULL: defaults */
	char *summary;	 /* out: what was read and skipped (malloc'd; free it) */
} mamori_detect_options;

/*
 * Run detection on paths ("-" = stdin, "s3://bucket/prefix" = the objects
 * under the prefix, listed and streamed through the AWS client with
 * opts->aws; they are ordered, sharded and sniffed like files).  store may be NULL.  The scope
 * findings are archived under is "detect:" + the sorted paths (+ the
 * shard), so shards and different inputs do not archive each other.
 */
MAMORI_API int mamori_detect_run(mamori_ctx *ctx, mamori_store *store, const char *const *paths,
				 size_t npaths, mamori_detect_options *opts,
				 mamori_scan_result *result);

/* The settings (--config / --set names), their defaults and meaning, one a
 * line (malloc'd; free it). */
MAMORI_API char *mamori_detect_settings_text(void);

#ifdef __cplusplus
}
#endif
#endif
