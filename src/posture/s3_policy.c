/*
 * s3_policy.c — public-access analysis of S3 bucket policies (see header).
 */
#include "s3_policy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Condition keys that pin the caller to fixed values (S3 "meaning of public"). */
static const char *const restricting_keys[] = {
	"aws:sourceip",	      "aws:sourcevpc",	       "aws:sourcevpce",
	"aws:sourceaccount",  "aws:sourcearn",	       "aws:sourceowner",
	"aws:sourceorgid",    "aws:sourceorgpaths",    "aws:principalaccount",
	"aws:principalarn",   "aws:principalorgid",    "aws:principalorgpaths",
	"aws:userid",	      "aws:username",	       "s3:dataaccesspointaccount",
	"s3:dataaccesspointarn",
};

static bool is_restricting_key(const char *key)
{
	for (size_t i = 0; i < sizeof restricting_keys / sizeof *restricting_keys; i++)
		if (strcasecmp(key, restricting_keys[i]) == 0)
			return true;
	return false;
}

/* Is principal "*" in any of its spellings? */
static bool principal_public(const cJSON *p)
{
	if (cJSON_IsString(p))
		return strcmp(p->valuestring, "*") == 0;
	if (cJSON_IsArray(p)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, p) if (principal_public(e)) return true;
		return false;
	}
	if (cJSON_IsObject(p)) {
		const cJSON *aws = mamori_json_get(p, "AWS");
		const cJSON *canon = mamori_json_get(p, "CanonicalUser");
		return principal_public(aws) || principal_public(canon);
	}
	return false;
}

/* An IP condition value restricts unless it is (nearly) the whole Internet. */
static bool cidr_restricts(const char *v)
{
	const char *slash = strchr(v, '/');
	int prefix = slash ? atoi(slash + 1) : (strchr(v, ':') ? 128 : 32);
	bool v6 = strchr(v, ':') != NULL;
	return v6 ? prefix >= 16 : prefix >= 8;
}

/* An ARN-valued condition restricts when its account field is fixed. */
static bool arn_value_restricts(const char *v)
{
	if (strncmp(v, "arn:", 4) != 0)
		return strchr(v, '*') == NULL && strchr(v, '?') == NULL;
	/* arn:partition:service:region:account:resource */
	const char *p = v;
	for (int field = 0; field < 4 && p; field++) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	if (!p)
		return false;
	size_t digits = 0;
	while (p[digits] >= '0' && p[digits] <= '9')
		digits++;
	return digits == 12 && p[digits] == ':';
}

static bool value_restricts(const char *key, const char *op, const cJSON *v)
{
	if (cJSON_IsArray(v)) {
		/* every alternative must be restrictive, or the set is open */
		if (cJSON_GetArraySize(v) == 0)
			return false;
		const cJSON *e;
		cJSON_ArrayForEach(e, v) if (!value_restricts(key, op, e)) return false;
		return true;
	}
	if (!cJSON_IsString(v))
		return false;
	const char *s = v->valuestring;
	if (strcmp(s, "*") == 0 || *s == '\0')
		return false;
	if (strcasecmp(key, "aws:sourceip") == 0)
		return cidr_restricts(s);
	if (strcasestr(op, "like") && (strchr(s, '*') || strchr(s, '?')))
		return arn_value_restricts(s);
	return true;
}

static bool condition_restricts(const cJSON *cond)
{
	const cJSON *op;
	cJSON_ArrayForEach(op, cond)
	{
		const char *name = op->string ? op->string : "";
		/* negated, IfExists and ForAllValues forms let unknown callers through */
		if (strcasestr(name, "Not") || strcasestr(name, "IfExists") ||
		    strncasecmp(name, "ForAllValues:", 13) == 0 || strcasecmp(name, "Null") == 0 ||
		    strcasecmp(name, "Bool") == 0)
			continue;
		const cJSON *kv;
		cJSON_ArrayForEach(kv, op)
		{
			if (kv->string && is_restricting_key(kv->string) &&
			    value_restricts(kv->string, name, kv))
				return true;
		}
	}
	return false;
}

s3_access mamori_s3_action_access(const char *a)
{
	if (strncasecmp(a, "s3:", 3) != 0)
		return strcmp(a, "*") == 0 ? S3_ACCESS_WRITE : S3_ACCESS_NONE;
	const char *op = a + 3;
	bool read_prefix = strncasecmp(op, "get", 3) == 0 || strncasecmp(op, "list", 4) == 0;
	/* a wildcard before the verb ("s3:*Object") may match writes */
	const char *star = strpbrk(op, "*?");
	if (star && (!read_prefix || star < op + 3))
		return S3_ACCESS_WRITE;
	return read_prefix ? S3_ACCESS_READ : S3_ACCESS_WRITE;
}

static s3_access statement_access(const cJSON *st)
{
	if (mamori_json_get(st, "NotAction"))
		return S3_ACCESS_WRITE; /* everything but a few actions */
	const cJSON *act = mamori_json_get(st, "Action");
	s3_access worst = S3_ACCESS_NONE;
	if (cJSON_IsString(act))
		return mamori_s3_action_access(act->valuestring);
	const cJSON *e;
	cJSON_ArrayForEach(e, act)
	{
		if (cJSON_IsString(e)) {
			s3_access a = mamori_s3_action_access(e->valuestring);
			worst = a > worst ? a : worst;
		}
	}
	return worst;
}

size_t mamori_s3_policy_public(const cJSON *policy, s3_public_statement *out, size_t max)
{
	const cJSON *sts = mamori_json_get(policy, "Statement");
	size_t found = 0;
	int index = 0;
	const cJSON *st;
	/* Statement may be one object instead of a list */
	const cJSON *first = cJSON_IsObject(sts) ? sts : (cJSON_IsArray(sts) ? sts->child : NULL);
	for (st = first; st; st = cJSON_IsObject(sts) ? NULL : st->next, index++) {
		const char *effect = mamori_json_str(st, "Effect");
		if (!effect || strcasecmp(effect, "Allow") != 0)
			continue;
		bool everyone = principal_public(mamori_json_get(st, "Principal")) ||
				mamori_json_get(st, "NotPrincipal") != NULL;
		if (!everyone)
			continue;
		const cJSON *cond = mamori_json_get(st, "Condition");
		if (cond && condition_restricts(cond))
			continue;
		s3_access access = statement_access(st);
		if (access == S3_ACCESS_NONE)
			continue;
		if (found < max)
			out[found] = (s3_public_statement){st, index, access};
		found++;
	}
	return found;
}
