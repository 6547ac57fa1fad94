/*
 * s3_policy.h — is a bucket policy public?
 *
 * A statement makes a bucket public when it Allows a principal of "*" (or
 * {"AWS": "*"}, or uses NotPrincipal) and no condition pins the caller to
 * fixed values: source IP ranges, VPCs or endpoints, accounts, ARNs or
 * organisations.  This follows Amazon S3's own definition ("The meaning of
 * public" in the S3 user guide); conditions like aws:SecureTransport do not
 * restrict who can call.
 */
#ifndef MAMORI_POSTURE_S3_POLICY_H
#define MAMORI_POSTURE_S3_POLICY_H

#include "../core/json.h"

typedef enum s3_access {
	S3_ACCESS_NONE = 0,
	S3_ACCESS_READ,	 /* Get*, List* */
	S3_ACCESS_WRITE, /* anything else: Put, Delete, *, NotAction... */
} s3_access;

typedef struct s3_public_statement {
	const cJSON *statement;
	int index;	 /* position in Statement[] */
	s3_access access;
} s3_public_statement;

/*
 * Append to out (up to max) the statements of policy that grant public
 * access; returns how many there are (which may exceed max).
 */
size_t mamori_s3_policy_public(const cJSON *policy, s3_public_statement *out, size_t max);

/* The access an action pattern (e.g. "s3:Get*") may grant. */
s3_access mamori_s3_action_access(const char *action);

#endif
