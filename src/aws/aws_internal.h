/*
 * aws_internal.h — the AWS client's parts, shared inside src/aws only.
 *
 *   ini.c        ~/.aws/config and ~/.aws/credentials
 *   creds.c      the credential chain (profiles, roles, process, web
 *                identity, container, IMDSv2)
 *   region.c     region resolution, partitions, endpoints
 *   services.c   the services we call: protocol, signing name, endpoint
 *   http.c       the request engine on curl multi: signing, retries,
 *                backoff with jitter, bounded concurrency
 *   proto.c      the wire protocols: request serialisation, responses and
 *                errors of query, EC2, JSON 1.0/1.1, REST-XML and REST-JSON
 *   xml.c        XML responses as cJSON (expat)
 *   ci.c         AWS Config configuration items
 *   collect.c    accounts, regions, tasks, progress, the snapshot
 *   c_*.c        one collector per service family
 *   module.c     the aws-collection module (what could not be read)
 *   target.c     a collection as a scan target
 *   securityhub.c findings sent to Security Hub (BatchImportFindings)
 *   s3_objects.c listing a bucket prefix, streaming objects (GetObject)
 */
#ifndef MAMORI_AWS_INTERNAL_H
#define MAMORI_AWS_INTERNAL_H

#include "../core/json.h"
#include "mamori/aws.h"

#include <curl/curl.h>
#include <time.h>

/* ---- ini.c: the shared config and credentials files ---- */

typedef struct aws_ini_kv {
	char *key;
	char *value;
	unsigned line;
} aws_ini_kv;

typedef struct aws_ini_section {
	char *name; /* "default", "profile prod", "sso-session x", "prod" */
	aws_ini_kv *kv;
	size_t count;
	unsigned line;
} aws_ini_section;

typedef struct aws_ini {
	char *path;
	aws_ini_section *sections;
	size_t count;
} aws_ini;

/* Parse buf (a config or credentials file); errors are path:line:col with
 * the excerpt's secrets masked. */
int aws_ini_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len, aws_ini *out);
void aws_ini_free(aws_ini *ini);
const aws_ini_section *aws_ini_find(const aws_ini *ini, const char *name);
const char *aws_ini_get(const aws_ini_section *s, const char *key);

/* ---- services.c ---- */

typedef enum aws_protocol {
	AWS_QUERY,
	AWS_EC2,
	AWS_JSON,
	AWS_REST_XML,
	AWS_REST_JSON,
} aws_protocol;

typedef struct aws_service {
	const char *name;	 /* the CLI's name, for --endpoint-url NAME=URL */
	const char *signing;	 /* SigV4 service name */
	const char *prefix;	 /* endpoint host prefix */
	aws_protocol protocol;
	const char *version;	 /* query/EC2: Version=; JSON: the X-Amz-Target prefix */
	const char *json_version; /* "1.0" or "1.1" */
	bool global;		  /* one endpoint and signing region for the partition */
	const char *env_id;	  /* AWS_ENDPOINT_URL_<ENV_ID> */
} aws_service;

extern const aws_service aws_svc_sts, aws_svc_iam, aws_svc_s3, aws_svc_s3control, aws_svc_ec2,
	aws_svc_kms, aws_svc_cloudtrail, aws_svc_config, aws_svc_logs, aws_svc_monitoring,
	aws_svc_sns, aws_svc_rds, aws_svc_guardduty, aws_svc_securityhub, aws_svc_efs,
	aws_svc_organizations, aws_svc_accessanalyzer;

/* ---- region.c ---- */

/* "aws", "aws-cn", "aws-us-gov"... from a region name. */
const char *aws_partition(const char *region);
/* "amazonaws.com" or "amazonaws.com.cn" */
const char *aws_dns_suffix(const char *region);
/* Does name look like a region (xx-name-N)? */
bool aws_region_valid(const char *name);
/* The region a global service signs with (us-east-1 in aws) or region. */
const char *aws_signing_region(const aws_service *svc, const char *region);

/* ---- the client ---- */

typedef enum aws_cred_kind {
	AWS_CRED_STATIC = 0,
	AWS_CRED_ASSUME_ROLE,
	AWS_CRED_WEB_IDENTITY,
	AWS_CRED_PROCESS,
	AWS_CRED_CONTAINER,
	AWS_CRED_IMDS,
} aws_cred_kind;

typedef struct aws_identity aws_identity;

/* Credentials for one account, and how to get fresh ones. */
struct aws_identity {
	char *access_key;
	char *secret_key;
	char *token;
	time_t expires;	   /* 0: they do not expire */
	char *source;	   /* "environment", "profile dev", "role arn:..." (no secrets) */
	aws_cred_kind kind;
	/* refresh parameters */
	aws_identity *parent; /* AssumeRole: the credentials that assume */
	char *role_arn;
	char *external_id;
	char *session_name;
	char *mfa_serial;
	char *token_file;  /* web identity */
	char *process;	   /* credential_process */
	char *url;	   /* container endpoint */
	char *auth_token;  /* container authorization (or a file with it, see auth_file) */
	char *auth_file;
	unsigned duration;
	/* who */
	char *account_id;
	char *arn;
	aws_identity *next; /* the client's list, for freeing */
};

typedef struct aws_client aws_client;
typedef struct aws_call aws_call;
typedef struct aws_task aws_task;
typedef void (*aws_done_fn)(aws_call *call);

typedef struct aws_param {
	char *key;
	char *value;
} aws_param;

struct aws_call {
	aws_client *cl;
	aws_call *next;		 /* queue link */
	const aws_service *svc;
	aws_identity *id;
	char region[40];	 /* signing and endpoint region */
	const char *op;		 /* operation name, e.g. "ListBuckets" */
	const char *method;	 /* REST: GET, POST; others POST */
	char *path;		 /* REST path, already encoded; "/" otherwise */
	aws_param *params;	 /* query/EC2 form parameters; REST query parameters */
	size_t nparams, capparams;
	cJSON *json;		 /* JSON and REST-JSON request body (NULL = "{}" / none) */
	char *header;		 /* one extra "Name: value" header (x-amz-account-id) */
	char *endpoint;		 /* the endpoint when not the service's default */
	const char *const *numbers; /* XML element names that hold numbers */
	bool raw_payload;	 /* the body is the value (S3 GetBucketPolicy) */
	const char *page_param;	 /* pagination: the request parameter of the token */
	char *page_token;
	unsigned pages;

	/* the answer */
	long status;
	mamori_buf raw;
	cJSON *doc;		 /* parsed body: the XML result element or the JSON */
	char *err_code;		 /* set when the call failed for good */
	char *err_msg;
	char *bucket_region;	 /* S3's x-amz-bucket-region */
	char *error_type;	 /* x-amzn-ErrorType (REST-JSON) */
	bool transport_error;	 /* never reached the service */

	/* engine state */
	CURL *easy;
	struct curl_slist *headers;
	mamori_buf body;
	char curl_err[CURL_ERROR_SIZE];
	unsigned attempt;
	double ready_at;	 /* backoff: not before (monotonic seconds) */
	double started;
	bool resubmitted;	 /* done() asked for the next page or a retry elsewhere */
	/* a streamed answer: the body of a 2xx goes here (a curl write
	 * callback's contract: return len, or CURL_WRITEFUNC_PAUSE) */
	size_t (*sink)(aws_call *c, const char *p, size_t len);
	bool refreshed;		 /* credentials were refreshed once for this call */

	/* the caller's */
	aws_done_fn done;
	void *ud;
	void *ud2;
	aws_task *task;
	const char *what;	 /* what was being read, for error reports */
	char *resource;		 /* the resource being read, for error reports */
};

/* A service in a region of an account: one progress bar step. */
struct aws_task {
	char *account;
	const char *service;
	char region[40];
	unsigned pending;
	unsigned calls;
	bool finished;
	aws_task *next;
};

struct aws_client {
	mamori_ctx *ctx;
	const mamori_aws_options *opts;
	CURLM *multi;
	CURLSH *share;
	aws_call *queue, *queue_tail; /* waiting for a slot or for their backoff */
	unsigned running;
	unsigned concurrency;
	unsigned max_attempts;
	unsigned retry_base_ms;
	long timeout_ms, connect_timeout_ms;
	char user_agent[64];
	char *proxy_http, *proxy_https, *no_proxy, *ca_bundle;
	uint64_t rng;
	mamori_aws_stats stats;
	aws_identity *identities;
	/* the shared files, parsed on first use */
	aws_ini config, credentials;
	int config_rc, credentials_rc; /* 1 = not read yet */
	mamori_buf config_err, credentials_err;
	/* collection */
	void *collector;
	void **owned; /* collector state freed with the client */
	size_t owned_count;
	aws_task *tasks;
	size_t task_count, tasks_done;
};

int aws_client_init(aws_client *cl, mamori_ctx *ctx, const mamori_aws_options *opts);
void aws_client_free(aws_client *cl);
double aws_now(void);

/* A new call; the caller adds parameters and submits it. */
aws_call *aws_call_new(aws_client *cl, const aws_service *svc, aws_identity *id,
		       const char *region, const char *op);
void aws_call_param(aws_call *c, const char *key, const char *value);
void aws_call_paramf(aws_call *c, const char *key, const char *fmt, ...) MAMORI_PRINTF(3, 4);
void aws_call_free(aws_call *c);

/* Asynchronous: queue it; done() runs once per page, after retries. */
void aws_submit(aws_call *c, aws_done_fn done, void *ud);
/* In done(): fetch the next page with this token (if not empty); true when resubmitted. */
bool aws_next_page(aws_call *c, const char *token);
/* Run queued calls until none is left. */
void aws_run(aws_client *cl);

/* Blocking: one call with its retries, for credentials and discovery.
 * Returns MAMORI_OK with c->doc set, or an error (ctx) with c->err_code. */
int aws_call_sync(aws_call *c);

/* A call driven by its caller, one attempt at a time, on a multi handle of
 * its own (streamed objects): prepare c->easy (-1: failed before sending,
 * c->err_code set); after the transfer ended with rc, judge the answer: true
 * when it is worth another attempt after *delay seconds (the response was
 * reset), false when done (c->err_code set if it failed). */
int aws_attempt_prepare(aws_call *c);
bool aws_attempt_retry(aws_call *c, CURLcode rc, double *delay);

/* A plain HTTP request (IMDS, container credentials): body into out. */
int aws_http_plain(aws_client *cl, const char *method, const char *url,
		   const char *const *headers, mamori_buf *out, long *status);

/* Build a URL for a call (endpoint override, partition, global services). */
char *aws_endpoint(aws_client *cl, const aws_service *svc, const char *region);
/* Is the service's endpoint set by the user (--endpoint-url, environment, profile)? */
bool aws_endpoint_overridden(aws_client *cl, const aws_service *svc);

/* ---- proto.c ---- */

/* Prepare c->easy's URL, body and headers for its protocol (not the signature). */
void aws_proto_build(aws_call *c, const char *endpoint, mamori_buf *url);
/* Parse c->raw into c->doc, or err_code/err_msg. */
void aws_proto_parse(aws_call *c);
/* Is this error code a throttle / a transient failure / expired credentials? */
bool aws_error_throttling(const char *code);
bool aws_error_transient(const char *code);
bool aws_error_expired(const char *code);
/* RFC 3986 encoding (unreserved kept), appended to b. */
void aws_uri_encode(mamori_buf *b, const char *s, bool keep_slash);

/* ---- creds.c ---- */

/* The base credentials: --profile / AWS_PROFILE / the default chain. */
int aws_creds_resolve(aws_client *cl, aws_identity **out);
/* Assume role_arn from parent (multi-account). */
int aws_creds_assume(aws_client *cl, aws_identity *parent, const char *role_arn,
		     const char *external_id, aws_identity **out);
/* Get fresh credentials when they are about to expire or were refused. */
int aws_creds_refresh(aws_client *cl, aws_identity *id);
/* Expiring within 5 minutes? */
bool aws_creds_stale(const aws_identity *id);
/* The profile in use, and the home region (resolved like the CLI). */
const char *aws_profile_name(aws_client *cl);
char *aws_region_resolve(aws_client *cl);
/* Load the shared files (once); out NULL when a file is missing. */
const aws_ini *aws_config_file(aws_client *cl);
const aws_ini *aws_credentials_file(aws_client *cl);
/* endpoint_url from the profile (CLI v2 setting), or NULL. */
const char *aws_profile_endpoint(aws_client *cl);

/* ---- xml.c ---- */

cJSON *aws_xml_parse(mamori_ctx *ctx, const char *source, const char *buf, size_t len,
		     const char *const *numbers);

/* ---- ci.c: configuration items and JSON helpers ---- */

/* Iterate a list that may be an array, a lone object/string, or absent
 * (an empty string or null is no element).  Nests: the hidden cursor is
 * named after the line. */
#define AWS_CAT2_(a, b) a##b
#define AWS_CAT_(a, b) AWS_CAT2_(a, b)
#define aws_each(el, node) aws_each_(el, node, AWS_CAT_(aws_each_node_, __LINE__))
#define aws_each_(el, node, n)                                                              \
	for (const cJSON *n = (node),                                                       \
			 *el = cJSON_IsArray(n) ? n->child                                   \
			       : (n && !cJSON_IsNull(n) &&                                   \
				  !(cJSON_IsString(n) && n->valuestring[0] == '\0'))         \
				       ? n                                                   \
				       : NULL;                                               \
	     el; el = cJSON_IsArray(n) ? el->next : NULL)

/* Follow a path of member names ("a", "b", NULL). */
const cJSON *aws_path(const cJSON *v, ...);
const char *aws_str(const cJSON *v, const char *key);
/* A deep copy with keys in lowerCamelCase (AWS Config's spelling), leaving
 * "tags" maps alone; lists of one become arrays when listy. */
cJSON *aws_config_case(const cJSON *v);
/* Sort an object's members by name (cJSON lists them in insertion order). */
void aws_sort_members(cJSON *obj);
/* A copy of a value as an array (a lone object becomes a one-item array). */
cJSON *aws_as_array(const cJSON *v);

typedef struct aws_ci {
	const char *type;
	const char *id;
	const char *name;
	const char *arn;
	const char *region;   /* "global" for IAM */
	const char *account;
	const char *created;  /* resourceCreationTime, or NULL */
	cJSON *configuration; /* taken */
	cJSON *supplementary; /* taken, may be NULL */
	cJSON *tags;	      /* taken: an object, may be NULL */
	char buf[512];	      /* room for a composed id or ARN */
} aws_ci;

/* Append a configuration item to the collection (takes the JSON values). */
void aws_emit(aws_client *cl, aws_ci *ci);
/* Tags [{Key,Value}] or [{key,value}] as Config's {"key": "value"} map. */
cJSON *aws_tags_map(const cJSON *list);

/* Report what a call could not read, as a CollectionError item. */
void aws_report(aws_call *c);
/* Report a problem not tied to one call. */
void aws_report_problem(aws_client *cl, const char *account, const char *region,
		       const char *service, const char *operation, const char *code,
		       const char *fmt, ...) MAMORI_PRINTF(7, 8);
/* Is the call's failure "there is nothing" (NoSuch..., not found)? */
bool aws_not_found(const aws_call *c);

/* ---- collect.c ---- */

/* Ask STS who id is (GetCallerIdentity in region): sets id->account_id and arn. */
int aws_who_am_i(aws_client *cl, aws_identity *id, const char *region);
/* Every --endpoint-url must be an http:// or https:// URL (EUSAGE otherwise). */
int aws_check_endpoints(mamori_ctx *ctx, const mamori_aws_options *opts);

/* A (service, region, account) task for progress and error attribution. */
aws_task *aws_task_new(aws_client *cl, const char *account, const char *service,
		       const char *region);
/* Submit a call counted in task t (and by t's pending count). */
void aws_task_submit(aws_task *t, aws_call *c, aws_done_fn done, void *ud);

/* What collectors get: one account, its regions. */
typedef struct aws_account {
	aws_identity *id;
	const char *account;
	const char *partition;
	const char *home_region;
	char **regions;
	size_t region_count;
	bool is_org_member; /* known to be in an organization */
} aws_account;

typedef void (*aws_collector_fn)(aws_client *cl, aws_account *a);

void aws_collect_iam(aws_client *cl, aws_account *a);
void aws_collect_s3(aws_client *cl, aws_account *a);
void aws_collect_ec2(aws_client *cl, aws_account *a);
void aws_collect_cloudtrail(aws_client *cl, aws_account *a);
void aws_collect_config(aws_client *cl, aws_account *a);
void aws_collect_kms(aws_client *cl, aws_account *a);
void aws_collect_rds(aws_client *cl, aws_account *a);
void aws_collect_monitoring(aws_client *cl, aws_account *a);
void aws_collect_guardduty(aws_client *cl, aws_account *a);
void aws_collect_securityhub(aws_client *cl, aws_account *a);
void aws_collect_efs(aws_client *cl, aws_account *a);
void aws_collect_organizations(aws_client *cl, aws_account *a);
void aws_collect_accessanalyzer(aws_client *cl, aws_account *a);

/* Per-region facts collectors learn (for the Mamori::AWS::Region item). */
void aws_region_fact(aws_client *cl, const char *account, const char *region, const char *key,
		     cJSON *value);

/* Mask a secret for messages: first 4 characters then stars. */
void aws_mask(const char *secret, char out[16]);

#endif
