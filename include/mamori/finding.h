/*
 * finding.h — the finding model: AWS Security Finding Format (ASFF) semantics.
 *
 * Every pillar reports what it found as mamori_finding records, collected in
 * a mamori_findings set that owns all their strings (one arena).  The fields
 * follow ASFF (SchemaVersion 2018-10-08) so that a finding can be exported to
 * AWS Security Hub unchanged, and carry mamori's own additions: the pillar,
 * rule attribution, evidence as JSON and a source location.
 *
 * Identity: a finding's Id is derived from (module, generator/rule id,
 * account, region, first resource id, fingerprint) by SHA-256, so the same
 * problem on the same resource has the same Id in every run.  A module sets
 * `fingerprint` when one rule can fail several times on one resource (two
 * public policy statements, say).
 *
 * Life cycle: a module fills the descriptive fields; the scan then calls
 * mamori_finding_finalize(), which validates, normalises and computes the Id;
 * the store merges timestamps, workflow and record state with what it knew.
 */
#ifndef MAMORI_FINDING_H
#define MAMORI_FINDING_H

#include "arena.h"
#include "buf.h"
#include "common.h"
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MAMORI_ASFF_SCHEMA_VERSION "2018-10-08"

/* ASFF Types namespaces (the first part of "namespace/category/classifier"). */
#define MAMORI_TYPE_CHECKS "Software and Configuration Checks"
#define MAMORI_TYPE_TTPS "TTPs"
#define MAMORI_TYPE_EFFECTS "Effects"
#define MAMORI_TYPE_UNUSUAL "Unusual Behaviors"
#define MAMORI_TYPE_SENSITIVE "Sensitive Data Identifications"

typedef enum mamori_severity {
	MAMORI_SEV_INFORMATIONAL = 0,
	MAMORI_SEV_LOW,
	MAMORI_SEV_MEDIUM,
	MAMORI_SEV_HIGH,
	MAMORI_SEV_CRITICAL,
} mamori_severity;

typedef enum mamori_compliance {
	MAMORI_COMPLIANCE_NONE = 0, /* not a check: no Compliance object */
	MAMORI_COMPLIANCE_PASSED,
	MAMORI_COMPLIANCE_WARNING,
	MAMORI_COMPLIANCE_FAILED,
	MAMORI_COMPLIANCE_NOT_AVAILABLE,
} mamori_compliance;

typedef enum mamori_workflow {
	MAMORI_WORKFLOW_NEW = 0,
	MAMORI_WORKFLOW_NOTIFIED,
	MAMORI_WORKFLOW_RESOLVED,
	MAMORI_WORKFLOW_SUPPRESSED,
} mamori_workflow;

typedef enum mamori_record_state {
	MAMORI_RECORD_ACTIVE = 0,
	MAMORI_RECORD_ARCHIVED,
} mamori_record_state;

typedef struct mamori_strlist {
	const char **items;
	size_t count;
} mamori_strlist;

typedef struct mamori_kv {
	const char *key;
	const char *value;
} mamori_kv;

typedef struct mamori_resource {
	const char *type;	  /* ASFF resource type, e.g. "AwsS3Bucket", "AwsAccount" */
	const char *id;		  /* ARN where there is one, else a unique id */
	const char *partition;	  /* "aws", "aws-cn" or "aws-us-gov"; default "aws" */
	const char *region;	  /* default: the finding's region */
	const char *details_json; /* Resources[].Details as a JSON object, or NULL */
} mamori_resource;

/* Where in a scanned file the finding points (SARIF needs it); path NULL if none. */
typedef struct mamori_location {
	const char *path;
	unsigned line;
	unsigned column;
} mamori_location;

typedef struct mamori_finding {
	/* identity (Id is computed by mamori_finding_finalize) */
	const char *id;
	const char *module;	  /* ProductName: the mamori module, e.g. "s3-exposure" */
	const char *pillar;	  /* posture, vulnerabilities, protection, detection, data */
	const char *generator_id; /* the rule id */
	const char *fingerprint;  /* optional: distinguishes several hits of one rule */
	const char *aws_account_id;
	const char *region;
	mamori_strlist types;

	/* RFC 3339 UTC timestamps.  created_at and updated_at are set by the
	 * scan and the store.  A module whose findings come from timestamped
	 * events (logs) sets first/last_observed_at to the first and last
	 * event's time; the scan then keeps them (normalised) and sets
	 * event_times, and the store widens the stored range with them.
	 * Otherwise the scan's time is used and a re-observation moves
	 * LastObservedAt to the scan that made it. */
	const char *created_at;
	const char *updated_at;
	const char *first_observed_at;
	const char *last_observed_at;
	bool event_times;

	mamori_severity severity;
	int severity_normalized;       /* 0-100; -1 = derive from the label */
	const char *severity_original; /* the rule's own severity word, if any */

	const char *title;	 /* <= 256 characters (longer is truncated) */
	const char *description; /* <= 1024 characters */
	const char *remediation_text;
	const char *remediation_url;

	mamori_resource *resources;
	size_t resource_count;

	mamori_compliance compliance;
	mamori_strlist related_requirements; /* e.g. "CIS AWS Foundations Benchmark v3.0.0/2.1.4" */
	mamori_strlist associated_standards; /* StandardsId values */

	mamori_workflow workflow;
	mamori_record_state record_state;

	const char *rule_author;  /* attribution required by some rule licences */
	const char *rule_license; /* SPDX id, e.g. "DRL-1.1" */
	const char *evidence_json; /* what was seen, as a JSON value */
	mamori_location location;

	mamori_kv *product_fields; /* extra ASFF ProductFields (string map) */
	size_t product_field_count;
	const char *asff_extra_json; /* a JSON object merged into the ASFF document
					(Vulnerabilities, Network, Action, ...) */
} mamori_finding;

/*
 * A set of findings and the arena that owns every string in them.  The
 * findings array is reallocated as it grows: hold indices, not pointers,
 * across mamori_findings_add() calls.
 */
struct mamori_findings {
	mamori_finding *items;
	size_t count;
	size_t cap;
	mamori_arena arena;
};

MAMORI_API void mamori_findings_init(mamori_findings *fs);
MAMORI_API void mamori_findings_free(mamori_findings *fs);

/* Append a zeroed finding (severity_normalized = -1) and return it. */
MAMORI_API mamori_finding *mamori_findings_add(mamori_findings *fs);

/* Copy a string into the set's arena, replacing invalid UTF-8 with U+FFFD. */
MAMORI_API const char *mamori_findings_strdup(mamori_findings *fs, const char *s);
MAMORI_API const char *mamori_findings_printf(mamori_findings *fs, const char *fmt, ...)
	MAMORI_PRINTF(2, 3);

/* Builders; every string is copied. */
MAMORI_API void mamori_finding_add_type(mamori_findings *fs, mamori_finding *f, const char *type);
MAMORI_API mamori_resource *mamori_finding_add_resource(mamori_findings *fs, mamori_finding *f,
							const char *type, const char *id);
MAMORI_API void mamori_finding_add_requirement(mamori_findings *fs, mamori_finding *f,
					       const char *requirement);
MAMORI_API void mamori_finding_add_standard(mamori_findings *fs, mamori_finding *f,
					    const char *standards_id);
MAMORI_API void mamori_finding_add_product_field(mamori_findings *fs, mamori_finding *f,
						 const char *key, const char *value);
MAMORI_API void mamori_strlist_push(mamori_findings *fs, mamori_strlist *list, const char *s);

/*
 * Check the required fields, apply ASFF limits (truncating long texts at a
 * character boundary), default the partition, normalised severity and
 * resource regions, and compute the stable Id.  Returns MAMORI_EINTERNAL with
 * a message naming the missing field when a module forgot one.
 */
MAMORI_API int mamori_finding_finalize(mamori_ctx *ctx, mamori_findings *fs, mamori_finding *f);

/* The stable Id for a finding's identity fields (hex SHA-256 prefix). */
MAMORI_API const char *mamori_finding_compute_id(mamori_findings *fs, const mamori_finding *f);

/* Deep-copy src into dst (strings land in dst's arena); returns the copy. */
MAMORI_API mamori_finding *mamori_findings_copy(mamori_findings *dst, const mamori_finding *src);

/* Names as ASFF spells them, and back (case-insensitive); parse returns -1 if unknown. */
MAMORI_API const char *mamori_severity_name(mamori_severity s);
MAMORI_API int mamori_severity_parse(const char *name);
/* ASFF's normalized score for a label: 0, 1, 40, 70, 90. */
MAMORI_API int mamori_severity_normalized(mamori_severity s);
/* The label ASFF assigns to a normalized score. */
MAMORI_API mamori_severity mamori_severity_from_normalized(int normalized);
MAMORI_API const char *mamori_compliance_name(mamori_compliance c);
MAMORI_API int mamori_compliance_parse(const char *name);
MAMORI_API const char *mamori_workflow_name(mamori_workflow w);
MAMORI_API int mamori_workflow_parse(const char *name);
MAMORI_API const char *mamori_record_state_name(mamori_record_state r);
MAMORI_API int mamori_record_state_parse(const char *name);

/* Format t as RFC 3339 UTC with milliseconds ("2026-11-26T03:47:44.000Z"). */
MAMORI_API void mamori_time_format(time_t t, char out[32]);
/* Parse RFC 3339 (with offset or Z, optional fraction); -1 if invalid. */
MAMORI_API int mamori_time_parse(const char *s, time_t *out);

/*
 * A finding "counts" (for --fail-on, summaries and the default listing) when
 * it is ACTIVE, not SUPPRESSED or RESOLVED, and not a PASSED check.
 */
MAMORI_API bool mamori_finding_is_open(const mamori_finding *f);

/*
 * ASFF JSON.  to_asff writes one finding as an ASFF object.  By default the
 * result is strict: a valid element of a BatchImportFindings request, with
 * ProductFields values cut to ASFF's 2,048 characters.  MAMORI_ASFF_LOSSLESS
 * keeps everything (mamori's JSON output and the store use it).  The
 * ProductArn is the custom-integration ARN
 * arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default.
 * mamori's own fields travel in ProductFields under "mamori/...".
 *
 * from_asff accepts an ASFF finding object, including those written by other
 * products (legacy WorkflowState, Severity.Normalized only, ...), and appends
 * it to fs.  Unknown top-level members are kept in asff_extra_json.
 */
enum {
	MAMORI_ASFF_PRETTY = 1u << 0,
	MAMORI_ASFF_LOSSLESS = 1u << 1,
};
MAMORI_API char *mamori_finding_to_asff(const mamori_finding *f, unsigned flags);
/* The same document appended to out (writers that reuse one buffer). */
MAMORI_API void mamori_finding_write_asff(const mamori_finding *f, unsigned flags,
					  mamori_buf *out);
MAMORI_API int mamori_finding_from_asff(mamori_ctx *ctx, mamori_findings *fs, const char *json,
					size_t len);

/* The ProductArn mamori uses for a finding (custom integration). */
MAMORI_API const char *mamori_finding_product_arn(mamori_findings *fs, const mamori_finding *f);

/* The account used when a finding has none (not an AWS resource): 000000000000. */
#define MAMORI_NO_ACCOUNT "000000000000"
#define MAMORI_DEFAULT_REGION "us-east-1"

#ifdef __cplusplus
}
#endif
#endif
