/*
 * rulebook.h — rule metadata kept as data (rules/<pillar>/<module>.yaml).
 *
 * Native checks and detectors are code, but what they say — title,
 * severity, description, remediation, compliance mapping, ASFF types,
 * attribution — is data under rules/, versioned and tested like code, and
 * compiled into the binary.  A module looks its rules up by id and applies
 * the metadata to each finding it makes.
 *
 * Format (YAML):
 *   module: NAME
 *   rules:
 *     - id: RULE-ID                      (required, unique)
 *       title: TEXT                      (required)
 *       severity: CRITICAL|HIGH|MEDIUM|LOW|INFORMATIONAL   (required)
 *       description: TEXT                (required)
 *       types: [namespace/category/classifier, ...]       (required)
 *       remediation: {text: TEXT, url: https://...}
 *       requirements: [ "CIS AWS Foundations Benchmark v3.0.0/2.1.4", ... ]
 *       standards: [ "standards/cis-aws-foundations-benchmark/v/3.0.0", ... ]
 *       author: NAME   license: SPDX-ID
 */
#ifndef MAMORI_CORE_RULEBOOK_H
#define MAMORI_CORE_RULEBOOK_H

#include "internal.h"

typedef struct mamori_rule_meta {
	const char *id;
	const char *title;
	const char *description;
	mamori_severity severity;
	const char *remediation_text;
	const char *remediation_url;
	const char *author;
	const char *license;
	mamori_strlist types;
	mamori_strlist requirements;
	mamori_strlist standards;
} mamori_rule_meta;

typedef struct mamori_rulebook {
	const char *module;
	mamori_rule_meta *rules;
	size_t count;
	mamori_findings strings; /* owns every string above */
} mamori_rulebook;

int mamori_rulebook_load(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			 mamori_rulebook *rb);
/* Load a rule file compiled into the library, e.g. "rules/posture/s3-exposure.yaml". */
int mamori_rulebook_load_builtin(mamori_ctx *ctx, const char *name, mamori_rulebook *rb);
void mamori_rulebook_free(mamori_rulebook *rb);

const mamori_rule_meta *mamori_rulebook_find(const mamori_rulebook *rb, const char *id);

/* Copy the rule's metadata into a finding (generator id, title, severity,
 * description, remediation, types, requirements, standards, attribution). */
void mamori_rule_apply(mamori_findings *fs, mamori_finding *f, const mamori_rule_meta *rule);

#endif
