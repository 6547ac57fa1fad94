/*
 * aws.h — reading live AWS accounts, read-only, as a library call.
 *
 * Two layers:
 *
 *  - a client: credentials resolved the way the AWS CLI resolves them
 *    (environment, shared config and credentials files, profiles with
 *    role_arn + source_profile, credential_process, web identity, container
 *    and EC2 instance credentials), region resolution, SigV4 signing by
 *    libcurl, the five AWS wire protocols, pagination, retries with
 *    exponential backoff and jitter, bounded concurrency;
 *
 *  - collectors, which read every enabled region of one or many accounts
 *    and describe what they saw as AWS Config configuration items: the
 *    {"configurationItems": [...]} snapshot shape `mamori scan` evaluates
 *    offline, so a live scan and a re-evaluated snapshot give the same
 *    findings.  What a collector could not read (AccessDenied, an
 *    unreachable region, garbage from an API) becomes an item of type
 *    "Mamori::AWS::CollectionError" in the snapshot, which the aws-collection
 *    module reports as a finding of its own (never as PASSED).
 *
 * Secrets never leave the library in clear: logs and errors mask them.
 */
#ifndef MAMORI_AWS_H
#define MAMORI_AWS_H

#include "common.h"
#include "module.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A per-service endpoint override: --endpoint-url s3=http://127.0.0.1:4566 */
typedef struct mamori_aws_endpoint {
	const char *service; /* e.g. "s3", "iam", "ec2"; NULL = every service */
	const char *url;
} mamori_aws_endpoint;

typedef struct mamori_aws_options {
	const char *profile;	   /* NULL: $AWS_PROFILE, else the default chain */
	const char *region;	   /* the home region; NULL: resolved like the CLI */
	const char *const *regions; /* regions to read; NULL: every enabled region */
	size_t region_count;
	const char *const *role_arns; /* more accounts, reached by sts:AssumeRole */
	size_t role_arn_count;
	bool organization;	   /* every account of the Organization */
	const char *org_role_name; /* role assumed in member accounts (default
				      OrganizationAccountAccessRole) */
	const char *external_id;   /* for the role_arns */
	const mamori_aws_endpoint *endpoints; /* overrides; a NULL service = global */
	size_t endpoint_count;
	const char *const *services; /* collect only these (iam, s3, ...); NULL: all */
	size_t service_count;
	unsigned concurrency;	     /* requests in flight; 0 = 16 */
	unsigned timeout_ms;	     /* per request; 0 = 30 000 */
	unsigned connect_timeout_ms; /* 0 = 5 000 */
	unsigned max_attempts;	     /* 0 = $AWS_MAX_ATTEMPTS or 5 */
	unsigned retry_base_ms;	     /* backoff base; 0 = 200 */
	bool no_prompt;		     /* never prompt for an MFA code */
} mamori_aws_options;

/* What a collection cost, for --verbose and the benchmark. */
typedef struct mamori_aws_stats {
	uint64_t calls;	   /* HTTP requests sent, retries included */
	uint64_t retries;
	uint64_t throttled; /* answers that asked us to slow down */
	uint64_t failed;    /* calls that failed after their retries */
	uint64_t bytes_in;
	uint64_t items;	   /* configuration items produced */
	double seconds;	   /* wall time of the collection */
	double http_seconds; /* summed time of requests in flight */
	double parse_seconds; /* response parsing and item building */
	double credential_seconds; /* resolving credentials, assuming roles */
} mamori_aws_stats;

typedef struct mamori_aws_collection {
	char *snapshot;	  /* {"configurationItems":[...]} (malloc'd) */
	size_t snapshot_len;
	char **accounts;  /* account ids read, sorted */
	size_t account_count;
	size_t error_count; /* CollectionError items in the snapshot */
	mamori_aws_stats stats;
	char *temp_dir;	  /* set by mamori_aws_target_open; removed on free */
} mamori_aws_collection;

/*
 * Collect every requested account and region.  Returns MAMORI_OK when a
 * snapshot was produced, even if some services could not be read (they are
 * CollectionError items); an error only when nothing could be read at all
 * (no credentials, a malformed credentials file that was needed, ...).
 */
MAMORI_API int mamori_aws_collect(mamori_ctx *ctx, const mamori_aws_options *opts,
				  mamori_aws_collection *out);
MAMORI_API void mamori_aws_collection_free(mamori_aws_collection *c);

/*
 * Make the collection a scan target: a MAMORI_TARGET_AWS target whose files
 * are the snapshot (written to a private temporary directory) and whose
 * scope is "aws:" + the sorted account ids.  Modules that read AWS Config
 * snapshots accept it exactly as they accept a path.  The directory is
 * removed by mamori_aws_collection_free().
 */
MAMORI_API int mamori_aws_target_open(mamori_ctx *ctx, mamori_aws_collection *c,
				      mamori_target **out);

/* Parse "SERVICE=URL" or "URL" (--endpoint-url) into e, cutting arg at
 * '='; false if malformed (no http:// or https:// URL). */
MAMORI_API bool mamori_aws_endpoint_parse(char *arg, mamori_aws_endpoint *e);

#ifdef __cplusplus
}
#endif
#endif
