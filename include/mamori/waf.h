/*
 * waf.h — the protection pillar's engine: AWS WAF (wafv2) WebACLs evaluated
 * without AWS.
 *
 * A WebACL is compiled once from its wafv2 JSON (what `aws wafv2
 * get-web-acl` prints, or the WebACL object alone) into an immutable
 * mamori_waf_acl.  Requests are then evaluated against it through a
 * mamori_waf_eval — the per-thread scratch space (decoded values, regex match
 * data, the Vectorscan scratch) — giving the action, the terminating rule,
 * the labels and what matched where.  The ACL may be shared by any number of
 * threads, each with its own mamori_waf_eval: its only mutable part, the
 * rate-based counters, is locked internally.
 *
 * Besides the AWS statements the engine knows mamori's managed rule groups
 * (ManagedRuleGroupStatement with VendorName "AWS" or "mamori", see
 * docs/waf.md): mamori_waf_acl_default() builds the WebACL that runs all of
 * them in blocking mode.
 *
 *   mamori_waf_acl *acl;
 *   mamori_waf_acl_compile(ctx, "acl.json", json, len, NULL, &acl);
 *   mamori_waf_eval *ev = mamori_waf_eval_new(acl);
 *   mamori_waf_request rq = {.method = "GET", .uri = "/?q=1", ...};
 *   mamori_waf_result res;
 *   mamori_waf_evaluate(ev, &rq, &res);   // res.action == MAMORI_WAF_BLOCK ?
 *   mamori_waf_eval_free(ev);
 *   mamori_waf_acl_free(acl);
 */
#ifndef MAMORI_WAF_H
#define MAMORI_WAF_H

#include "buf.h"
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mamori_waf_acl mamori_waf_acl;
typedef struct mamori_waf_eval mamori_waf_eval;

typedef enum mamori_waf_action {
	MAMORI_WAF_ALLOW = 0,
	MAMORI_WAF_BLOCK,
	MAMORI_WAF_COUNT,
	MAMORI_WAF_CAPTCHA,
	MAMORI_WAF_CHALLENGE,
} mamori_waf_action;

/* How Captcha and Challenge actions are answered (there is no browser). */
typedef enum mamori_waf_challenge_mode {
	MAMORI_WAF_CHALLENGE_TOKEN = 0, /* a request with an aws-waf-token cookie passes */
	MAMORI_WAF_CHALLENGE_FAIL,	/* never solved: the request is stopped */
	MAMORI_WAF_CHALLENGE_PASS,	/* always solved: the rule acts like Count */
} mamori_waf_challenge_mode;

typedef struct mamori_waf_options {
	const char *geo_db_path; /* MaxMind-format DB with country.iso_code (GeoMatch) */
	const char *asn_db_path; /* MaxMind-format DB with autonomous_system_number */
	size_t body_limit;	 /* bytes of body inspected; 0 = the ACL's (8 KB default) */
	mamori_waf_challenge_mode challenge;
	const char *account_id; /* for label namespaces; default 000000000000 */
} mamori_waf_options;

/* Header names and values are byte strings with explicit lengths (0 = empty). */
typedef struct mamori_waf_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
} mamori_waf_header;

/* One HTTP request as the engine sees it; strings need not be NUL-terminated
 * where a length is given, and are only read during mamori_waf_evaluate(). */
typedef struct mamori_waf_request {
	const char *client_ip; /* the peer address as text (IPv4 or IPv6) */
	const char *country;   /* ISO code when already known (log replay), else NULL */
	const char *method;    /* NUL-terminated */
	const char *uri;       /* raw request-target, percent-encoding as sent */
	size_t uri_len;	       /* 0 = strlen(uri) */
	const char *version;   /* "HTTP/1.1"; NULL = HTTP/1.1 */
	const mamori_waf_header *headers;
	size_t header_count;
	const char *body;
	size_t body_len;
	int64_t timestamp_ms; /* request time for rate-based rules; 0 = now */
} mamori_waf_request;

/* What one matching rule saw (AWS WAF log: ruleMatchDetails). */
typedef struct mamori_waf_match {
	const char *rule;	   /* rule name */
	const char *group;	   /* rule group name, NULL for a WebACL rule */
	mamori_waf_action action;  /* the action the rule took (after overrides) */
	const char *condition;	   /* SQL_INJECTION, XSS, REGEX, BYTE_MATCH, ... */
	const char *location;	   /* URI, QUERY_STRING, HEADER, BODY, ... */
	const char *field_name;	   /* header / argument / JSON pointer, or NULL */
	const char *data;	   /* the matched excerpt (bounded), or NULL */
	const char *sensitivity;   /* SqliMatch: LOW/HIGH */
} mamori_waf_match;

typedef struct mamori_waf_result {
	mamori_waf_action action; /* ALLOW or BLOCK, or CAPTCHA/CHALLENGE when unsolved */
	const char *terminating_rule;	   /* "Default_Action" when none */
	const char *terminating_rule_type; /* REGULAR, RATE_BASED, GROUP, MANAGED_RULE_GROUP */
	const char *terminating_group;	   /* the group holding the terminating rule */
	int terminating_match;		   /* index in matches[] or -1 */
	const mamori_waf_match *matches;   /* every matching rule in evaluation order */
	size_t match_count;
	const char *const *labels;
	size_t label_count;
	/* the response for a stopped request (Block, unsolved Captcha/Challenge) */
	int status;
	const char *response_body; /* custom body or NULL */
	const char *response_content_type;
	const mamori_waf_header *response_headers;
	size_t response_header_count;
	/* headers an Allow/Count CustomRequestHandling asks to insert upstream */
	const mamori_waf_header *insert_headers;
	size_t insert_header_count;
} mamori_waf_result;

/* Compile a WebACL (or {"WebACL": ..., "IPSets": ..., "RegexPatternSets": ...,
 * "RuleGroups": ...}).  On error MAMORI_EINPUT with the JSON path of the
 * problem in ctx.  opts may be NULL. */
MAMORI_API int mamori_waf_acl_compile(mamori_ctx *ctx, const char *path, const char *json,
				      size_t len, const mamori_waf_options *opts,
				      mamori_waf_acl **out);
/* The default WebACL: every mamori managed rule group, blocking. */
MAMORI_API int mamori_waf_acl_default(mamori_ctx *ctx, const mamori_waf_options *opts,
				      mamori_waf_acl **out);
/* The default WebACL's JSON (a static string). */
MAMORI_API const char *mamori_waf_default_acl_json(void);
MAMORI_API void mamori_waf_acl_free(mamori_waf_acl *acl);
MAMORI_API const char *mamori_waf_acl_name(const mamori_waf_acl *acl);
MAMORI_API const char *mamori_waf_acl_arn(const mamori_waf_acl *acl);

MAMORI_API mamori_waf_eval *mamori_waf_eval_new(const mamori_waf_acl *acl);
MAMORI_API void mamori_waf_eval_free(mamori_waf_eval *ev);
/* Evaluate one request.  The result points into ev and stays valid until the
 * next call.  Never fails on request content; returns MAMORI_OK. */
MAMORI_API int mamori_waf_evaluate(mamori_waf_eval *ev, const mamori_waf_request *rq,
				   mamori_waf_result *res);

MAMORI_API const char *mamori_waf_action_name(mamori_waf_action a); /* "BLOCK" ... */

/* Append the AWS WAF log record (one JSON object, no newline) of an evaluated
 * request to out.  extra_json, when not NULL, is a JSON object whose members
 * are added at the top level (mamori adds the input's id, label, class). */
MAMORI_API void mamori_waf_log_record(const mamori_waf_acl *acl, const mamori_waf_request *rq,
				      const mamori_waf_result *res, const char *extra_json,
				      mamori_buf *out);

/* ---- request readers: replay traffic from files ---- */

typedef enum mamori_waf_input_format {
	MAMORI_WAF_INPUT_AUTO = 0,
	MAMORI_WAF_INPUT_JSONL,	     /* one request per line: method, uri, headers, body... */
	MAMORI_WAF_INPUT_HAR,	     /* HTTP Archive 1.2 */
	MAMORI_WAF_INPUT_ALB,	     /* Application Load Balancer access logs */
	MAMORI_WAF_INPUT_CLOUDFRONT, /* CloudFront standard (W3C) logs */
	MAMORI_WAF_INPUT_WAFLOG,     /* AWS WAF logs (JSON lines) */
} mamori_waf_input_format;

/* One request read from a file, with what the file says about it. */
typedef struct mamori_waf_record {
	mamori_waf_request request;
	const char *id;	    /* the input's id (or a generated "file:line") */
	const char *label;  /* "attack" / "benign" when the input says, else NULL */
	const char *cls;    /* attack class when the input says, else NULL */
	const char *source; /* the input's source field, else NULL */
	const char *action; /* the action a WAF log recorded, else NULL */
	size_t line;	    /* 1-based line (or entry number for HAR) */
} mamori_waf_record;

/* Called for each request, in input order; with rec NULL for a record that
 * could not be read (the error, with path:line:col, is in ctx).  A non-zero
 * return stops reading and is returned. */
typedef int (*mamori_waf_record_fn)(void *userdata, const mamori_waf_record *rec);

MAMORI_API int mamori_waf_input_format_parse(const char *name); /* -1 if unknown */
MAMORI_API const char *mamori_waf_input_format_name(mamori_waf_input_format f);
/* Guess the format of buf (file name hints help). */
MAMORI_API mamori_waf_input_format mamori_waf_input_sniff(const char *path, const char *buf,
							  size_t len);
MAMORI_API int mamori_waf_read_requests(mamori_ctx *ctx, const char *path, const char *buf,
					size_t len, mamori_waf_input_format format,
					mamori_waf_record_fn fn, void *userdata);

/* ---- statistics over many evaluated requests: the summary ("what this
 * WebACL blocks, by rule", rates by label/class/source when the input is
 * labelled) and the false-positive report per rule and parameter that
 * Count-mode tuning needs. ---- */

typedef struct mamori_waf_stats mamori_waf_stats;
MAMORI_API mamori_waf_stats *mamori_waf_stats_new(void);
MAMORI_API void mamori_waf_stats_free(mamori_waf_stats *st);
MAMORI_API void mamori_waf_stats_add(mamori_waf_stats *st, const mamori_waf_record *rec,
				     const mamori_waf_result *res);
/* Summary as a JSON object. */
MAMORI_API void mamori_waf_stats_summary_json(const mamori_waf_stats *st, mamori_buf *out);
/* Human-readable summary. */
MAMORI_API void mamori_waf_stats_summary_text(const mamori_waf_stats *st, mamori_buf *out);
/* False-positive report as a JSON array: per rule, per parameter. */
MAMORI_API void mamori_waf_stats_fp_json(const mamori_waf_stats *st, mamori_buf *out);

/* ---- the reverse proxy ---- */

typedef struct mamori_waf_proxy mamori_waf_proxy;

typedef struct mamori_waf_proxy_options {
	const char *listen;	 /* "HOST:PORT"; default 127.0.0.1:8080 (port 0 = any) */
	const char *upstream;	 /* "http://HOST:PORT" (required) */
	const char *webacl_path; /* NULL = the default WebACL */
	mamori_waf_options waf;
	int threads;		 /* worker threads; 0 = one per CPU */
	const char *block_page;	 /* HTML file sent with Block; NULL = built-in page */
	const char *log_path;	 /* AWS WAF log records (JSON lines); NULL = none, "-" = stdout */
	size_t max_header;	 /* request line + headers; default 16 KiB (431 beyond) */
	size_t max_body;	 /* request body; default 10 MiB (413 beyond) */
	int header_timeout_ms;	 /* to receive a whole request; default 10 s (408) */
	int idle_timeout_ms;	 /* keep-alive idle; default 60 s */
	int upstream_timeout_ms; /* upstream response head; default 30 s (504) */
	int max_connections;	 /* per worker; default 10000 */
} mamori_waf_proxy_options;

/* Compile the WebACL, resolve the upstream and bind the listening socket. */
MAMORI_API int mamori_waf_proxy_new(mamori_ctx *ctx, const mamori_waf_proxy_options *opts,
				    mamori_waf_proxy **out);
/* The address actually bound ("127.0.0.1:43123"). */
MAMORI_API const char *mamori_waf_proxy_address(const mamori_waf_proxy *p);
/* Start the worker threads; returns at once. */
MAMORI_API int mamori_waf_proxy_start(mamori_waf_proxy *p);
/* Recompile the WebACL from its file; on error the running one stays. */
MAMORI_API int mamori_waf_proxy_reload(mamori_waf_proxy *p);
/* Stop accepting, close connections, join the workers. */
MAMORI_API void mamori_waf_proxy_stop(mamori_waf_proxy *p);
MAMORI_API void mamori_waf_proxy_free(mamori_waf_proxy *p);

/* ---- the two detectors, usable on their own ---- */

/* Does the text look like SQL injection in some quoting context?  high
 * selects AWS's HIGH sensitivity.  On a match, *why (if not NULL) points to a
 * static description and the bytes [*at, *at + *span) hold the evidence. */
MAMORI_API bool mamori_waf_sqli(const char *s, size_t len, bool high, const char **why,
				size_t *at, size_t *span);
MAMORI_API bool mamori_waf_xss(const char *s, size_t len, const char **why, size_t *at,
			       size_t *span);

#ifdef __cplusplus
}
#endif
#endif
