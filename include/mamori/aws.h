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

#include "arena.h"
#include "common.h"
#include "module.h"

#include <stdio.h>

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

/* ---- sending findings to AWS Security Hub (BatchImportFindings) ----
 *
 * The one write mamori makes to AWS.  The findings go, as ASFF, to Security
 * Hub in the home region of `aws` (--region), in requests of at most 100
 * findings and 6 MB, under the custom-integration product of the account the
 * credentials belong to (sts:GetCallerIdentity):
 * arn:PARTITION:securityhub:REGION:ACCOUNT:product/ACCOUNT/default.
 *
 * Security Hub accepts a finding through that product only from the account
 * the finding names (AwsAccountId); a request carrying another account's
 * finding is refused whole (AccessDeniedException).  So: findings of no AWS
 * account (000000000000: code, hosts, images) are sent as the caller's;
 * findings of another account are not sent, and counted per account in
 * `skipped` (push them with that account's credentials).  Throttling and
 * transient failures are retried with backoff by the client; findings
 * Security Hub refuses one by one come back in FailedFindings and are
 * listed in `failures`.  A request refused as a whole (no access, Security
 * Hub not enabled in the region) stops the push: its error is `error`, the
 * findings never sent are `unsent`.
 */
typedef struct mamori_securityhub_options {
	bool dry_run;	     /* resolve the account and build every batch; send none */
	FILE *bodies;	     /* when set: each request body as one line of JSON */
	unsigned batch_size; /* findings per request, 1..100; 0 = 100 */
} mamori_securityhub_options;

typedef struct mamori_securityhub_failure {
	const char *id;	     /* the finding's Id */
	const char *code;    /* FailedFindings' ErrorCode, or FindingTooLarge */
	const char *message;
} mamori_securityhub_failure;

typedef struct mamori_securityhub_skip {
	const char *account; /* findings of this account were not sent */
	size_t count;
} mamori_securityhub_skip;

typedef struct mamori_securityhub_result {
	const char *account;	 /* the caller's account */
	const char *region;	 /* where the findings went */
	const char *product_arn;
	size_t batches;		 /* requests sent (built, in a dry run) */
	size_t sent;		 /* findings in them */
	size_t imported;	 /* SuccessCount, summed */
	size_t failed;		 /* not imported: FailedFindings, too large, refused */
	size_t refused;		 /* of which in requests refused as a whole (see error) */
	size_t unsent;		 /* never sent: a request had failed as a whole */
	size_t skipped;		 /* never sent: another account's (by account in skips) */
	mamori_securityhub_failure *failures;
	size_t failure_count;
	mamori_securityhub_skip *skips;
	size_t skip_count;
	const char *error;	 /* "Code: message" of a request that failed as a whole */
	mamori_aws_stats stats;
	mamori_arena arena;
} mamori_securityhub_result;

/*
 * Send findings (finalised, e.g. from the store) to Security Hub.  Returns
 * MAMORI_OK once the caller's account is known, whatever became of the
 * findings (read out); an error when nothing could be tried (no
 * credentials, STS refused them, a bad option).  Progress is reported on
 * ctx per batch.
 */
MAMORI_API int mamori_securityhub_push(mamori_ctx *ctx, const mamori_aws_options *aws,
				       const mamori_securityhub_options *opts,
				       const mamori_finding *const *findings, size_t count,
				       mamori_securityhub_result *out);
MAMORI_API void mamori_securityhub_result_free(mamori_securityhub_result *r);

/* ---- reading objects out of S3 (read-only: s3:ListBucket, s3:GetObject) ----
 *
 * A session resolves the credentials and home region once (the options of
 * mamori_aws_collect: profile, region, endpoints, timeouts); requests to a
 * bucket go to the bucket's region, learnt from S3's redirect
 * (x-amz-bucket-region).  One object is read at a time per session.
 */
typedef struct mamori_s3 mamori_s3;
typedef struct mamori_s3_reader mamori_s3_reader;

typedef struct mamori_s3_object {
	const char *key;
	uint64_t size;
	const char *last_modified; /* ISO 8601, or NULL */
} mamori_s3_object;

/* Called per listed object (in key order); non-zero stops the listing and
 * is returned. */
typedef int (*mamori_s3_list_fn)(void *ud, const mamori_s3_object *o);
/* Called with each piece of an object's bytes; non-zero stops and is returned. */
typedef int (*mamori_s3_data_fn)(void *ud, const void *data, size_t len);

/* "s3://bucket/prefix" into bucket and prefix (malloc'd; prefix may be ""). */
MAMORI_API bool mamori_s3_url_parse(const char *url, char **bucket, char **prefix);

MAMORI_API int mamori_s3_open(mamori_ctx *ctx, const mamori_aws_options *opts, mamori_s3 **out);
MAMORI_API void mamori_s3_close(mamori_s3 *s3);
/* Requests, retries, bytes so far. */
MAMORI_API void mamori_s3_stats(const mamori_s3 *s3, mamori_aws_stats *out);

/* ListObjectsV2 over every page.  AccessDenied is an EINPUT error naming
 * the permission needed. */
MAMORI_API int mamori_s3_list(mamori_s3 *s3, const char *bucket, const char *prefix,
			      mamori_s3_list_fn fn, void *ud);

/* GetObject streamed to fn (the object as stored: no decompression), never
 * held whole in memory. */
MAMORI_API int mamori_s3_get(mamori_s3 *s3, const char *bucket, const char *key,
			     mamori_s3_data_fn fn, void *ud);

/* The same as a pull: open (fails when the object cannot be had), then read
 * until *got is 0 (the end) or an error (the transfer broke). */
MAMORI_API int mamori_s3_reader_open(mamori_s3 *s3, const char *bucket, const char *key,
				     mamori_s3_reader **out);
MAMORI_API int mamori_s3_read(mamori_s3_reader *r, void *buf, size_t cap, size_t *got);
MAMORI_API uint64_t mamori_s3_reader_bytes(const mamori_s3_reader *r);
MAMORI_API void mamori_s3_reader_close(mamori_s3_reader *r);

#ifdef __cplusplus
}
#endif
#endif
