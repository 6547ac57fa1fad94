/*
 * s3_exposure.c — the s3-exposure module: S3 buckets made public by their
 * policy or ACL, found in AWS Config configuration snapshots.
 *
 * Two checks, each a rule in rules/posture/s3-exposure.yaml:
 *   bucket-policy-public          a policy statement Allows "*" without a
 *                                 condition that pins the caller
 *   bucket-acl-public             the ACL grants AllUsers or AuthenticatedUsers
 *
 * Exposure is judged on the effective Block Public Access (BPA) settings:
 * account-level BPA covers every bucket of the account (from any snapshot in
 * the target, any region).  A public policy or ACL that BPA currently
 * neutralises is still reported, at LOW severity, because turning one
 * setting off would expose it.  Every bucket gets a PASSED result for each
 * check it passes, so compliance can be scored.
 *
 * Whether BPA itself is on (account and bucket) is a check of the Guard pack
 * rules/guard/aws-s3-public-access/, which the guard module runs; S3's
 * definition of "public" for policies stays here, in C, because it needs
 * "some condition key pins the caller for every one of its alternatives",
 * which Guard's queries cannot group (docs/guard.md).
 */
#include "../core/rulebook.h"
#include "config_snapshot.h"
#include "posture.h"
#include "s3_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RULES_FILE "rules/posture/s3-exposure.yaml"
#define R_POLICY "mamori.s3.bucket-policy-public"
#define R_ACL "mamori.s3.bucket-acl-public"
#define MAX_SNAPSHOT_BYTES (1u << 30)

typedef struct bpa {
	int block_public_acls; /* 1 on, 0 off, -1 unknown */
	int ignore_public_acls;
	int block_public_policy;
	int restrict_public_buckets;
} bpa;

typedef struct account_bpa {
	const char *account;
	bpa settings;
	const mamori_config_item *item;
	const char *path;
} account_bpa;

typedef struct loaded {
	const mamori_target_file *file;
	mamori_config_snapshot snap;
} loaded;

typedef struct ctx_s3 {
	mamori_module_run *run;
	mamori_rulebook rules;
	loaded *files;
	size_t file_count;
	account_bpa *accounts;
	size_t account_count;
} ctx_s3;

static bool s3_wants(const mamori_target *t)
{
	static const char *const json[] = {".json", NULL};
	for (size_t i = 0; i < t->file_count; i++)
		if (mamori_target_file_has_suffix(&t->files[i], json))
			return true;
	return false;
}

static bpa read_bpa(const cJSON *o)
{
	bpa b = {-1, -1, -1, -1};
	if (!o)
		return b;
	/* Config writes camelCase; the S3 API writes PascalCase */
	b.block_public_acls = mamori_json_bool(o, "blockPublicAcls");
	if (b.block_public_acls < 0)
		b.block_public_acls = mamori_json_bool(o, "BlockPublicAcls");
	b.ignore_public_acls = mamori_json_bool(o, "ignorePublicAcls");
	if (b.ignore_public_acls < 0)
		b.ignore_public_acls = mamori_json_bool(o, "IgnorePublicAcls");
	b.block_public_policy = mamori_json_bool(o, "blockPublicPolicy");
	if (b.block_public_policy < 0)
		b.block_public_policy = mamori_json_bool(o, "BlockPublicPolicy");
	b.restrict_public_buckets = mamori_json_bool(o, "restrictPublicBuckets");
	if (b.restrict_public_buckets < 0)
		b.restrict_public_buckets = mamori_json_bool(o, "RestrictPublicBuckets");
	return b;
}

/* Effective = on at account level or at bucket level. */
static bpa bpa_effective(const bpa *account, const bpa *bucket)
{
	bpa e;
	e.block_public_acls = account->block_public_acls == 1 || bucket->block_public_acls == 1;
	e.ignore_public_acls = account->ignore_public_acls == 1 || bucket->ignore_public_acls == 1;
	e.block_public_policy = account->block_public_policy == 1 || bucket->block_public_policy == 1;
	e.restrict_public_buckets =
		account->restrict_public_buckets == 1 || bucket->restrict_public_buckets == 1;
	return e;
}

static cJSON *bpa_json(const bpa *b)
{
	cJSON *o = cJSON_CreateObject();
	const struct {
		int v;
		const char *name;
	} s[] = {{b->block_public_acls, "BlockPublicAcls"},
		 {b->ignore_public_acls, "IgnorePublicAcls"},
		 {b->block_public_policy, "BlockPublicPolicy"},
		 {b->restrict_public_buckets, "RestrictPublicBuckets"}};
	for (size_t i = 0; i < 4; i++) {
		if (s[i].v < 0)
			cJSON_AddNullToObject(o, s[i].name);
		else
			cJSON_AddBoolToObject(o, s[i].name, s[i].v);
	}
	return o;
}

static const account_bpa *find_account(const ctx_s3 *c, const char *account)
{
	for (size_t i = 0; account && i < c->account_count; i++)
		if (strcmp(c->accounts[i].account, account) == 0)
			return &c->accounts[i];
	return NULL;
}

/* Start a finding for rule on a config item, with resource and location. */
static mamori_finding *start(ctx_s3 *c, const char *rule_id, const loaded *lf,
			     const mamori_config_item *ci, const char *resource_type,
			     const char *resource_id)
{
	mamori_findings *fs = c->run->findings;
	const mamori_rule_meta *rule = mamori_rulebook_find(&c->rules, rule_id);
	mamori_finding *f = mamori_module_finding(c->run, rule_id);
	mamori_rule_apply(fs, f, rule);
	f->aws_account_id = mamori_findings_strdup(fs, ci->account);
	f->region = mamori_findings_strdup(fs, ci->region);
	mamori_finding_add_resource(fs, f, resource_type, resource_id);
	f->location.path = mamori_findings_strdup(fs, lf->file->relpath);
	f->location.line = ci->line;
	f->compliance = MAMORI_COMPLIANCE_FAILED;
	return f;
}

static void set_evidence(mamori_findings *fs, mamori_finding *f, cJSON *ev)
{
	char *s = mamori_json_print(ev, false);
	f->evidence_json = mamori_findings_strdup(fs, s);
	free(s);
	cJSON_Delete(ev);
}

static void passed(mamori_finding *f, const char *why, mamori_findings *fs)
{
	f->compliance = MAMORI_COMPLIANCE_PASSED;
	f->severity = MAMORI_SEV_INFORMATIONAL;
	f->description = mamori_findings_printf(fs, "PASSED: %s", why);
}

/* The account's BPA decides how exposed its buckets' grants are. */
static void remember_account(ctx_s3 *c, const loaded *lf, const mamori_config_item *ci)
{
	const char *account = ci->account ? ci->account : ci->resource_id;
	if (!account || find_account(c, account))
		return;
	c->accounts = mamori_xrealloc(c->accounts, (c->account_count + 1) * sizeof *c->accounts);
	c->accounts[c->account_count++] =
		(account_bpa){account, read_bpa(ci->configuration), ci, lf->file->relpath};
}

static const char *bucket_name(const mamori_config_item *ci)
{
	const char *n = ci->resource_name ? ci->resource_name : ci->resource_id;
	if (!n && ci->configuration)
		n = mamori_json_str(ci->configuration, "name");
	return n;
}

static const char *access_word(s3_access a)
{
	return a == S3_ACCESS_WRITE ? "write" : "read";
}

static void check_policy(ctx_s3 *c, const loaded *lf, const mamori_config_item *ci,
			 const char *arn, const char *name, const bpa *eff)
{
	mamori_findings *fs = c->run->findings;
	const cJSON *bp = mamori_json_get(ci->supplementary, "BucketPolicy");
	const cJSON *text = mamori_json_get(bp, "policyText");
	if (!text)
		text = mamori_json_get(bp, "PolicyText");
	/* Config delivers the policy document as a JSON string */
	cJSON *parsed = NULL;
	const cJSON *policy = text;
	if (cJSON_IsString(text)) {
		parsed = cJSON_ParseWithLength(text->valuestring, strlen(text->valuestring));
		if (!cJSON_IsObject(parsed)) {
			cJSON_Delete(parsed);
			mamori_module_problem(c->run,
					      "%s:%u: bucket %s: policyText is not valid JSON; the "
					      "policy was not checked",
					      lf->file->relpath, ci->line, name);
			return;
		}
		policy = parsed;
	}
	s3_public_statement pub[16];
	size_t n = cJSON_IsObject(policy) ? mamori_s3_policy_public(policy, pub, 16) : 0;
	if (n == 0) {
		mamori_finding *f = start(c, R_POLICY, lf, ci, "AwsS3Bucket", arn);
		passed(f,
		       cJSON_IsObject(policy) ? "no statement of the bucket policy grants public "
						"access"
					      : "the bucket has no bucket policy",
		       fs);
		cJSON_Delete(parsed);
		return;
	}
	if (n > 16)
		n = 16;
	for (size_t i = 0; i < n; i++) {
		mamori_finding *f = start(c, R_POLICY, lf, ci, "AwsS3Bucket", arn);
		const char *sid = mamori_json_str(pub[i].statement, "Sid");
		/* several public statements are several findings: fingerprint by statement */
		f->fingerprint = sid ? mamori_findings_printf(fs, "sid:%s", sid)
				     : mamori_findings_printf(fs, "statement:%d", pub[i].index);
		bool blocked = eff->restrict_public_buckets == 1;
		f->severity = blocked ? MAMORI_SEV_LOW
			      : pub[i].access == S3_ACCESS_WRITE ? MAMORI_SEV_CRITICAL
								 : MAMORI_SEV_HIGH;
		f->title = mamori_findings_printf(fs, "Bucket policy of %s grants public %s access",
						  name, access_word(pub[i].access));
		const char *which = sid ? mamori_findings_printf(fs, "\"%s\"", sid)
					: mamori_findings_printf(fs, "#%d", pub[i].index + 1);
		f->description = mamori_findings_printf(
			fs, "%s Statement %s allows principal \"*\" with no condition that pins the "
			    "caller.%s",
			f->description, which,
			blocked ? " RestrictPublicBuckets currently blocks this access; turning it "
				  "off would expose the bucket."
				: " Anyone on the Internet can use it now.");
		cJSON *ev = cJSON_CreateObject();
		cJSON_AddItemToObject(ev, "Statement", cJSON_Duplicate(pub[i].statement, true));
		cJSON_AddNumberToObject(ev, "StatementIndex", pub[i].index);
		cJSON_AddItemToObject(ev, "EffectiveBlockPublicAccess", bpa_json(eff));
		set_evidence(fs, f, ev);
	}
	cJSON_Delete(parsed);
}

/* A grantee of an ACL grant, in any of the shapes Config and the API use. */
static const char *grantee_group(const cJSON *grant)
{
	const cJSON *g = mamori_json_get(grant, "grantee");
	if (!g)
		g = mamori_json_get(grant, "Grantee");
	const char *s = NULL;
	if (cJSON_IsString(g))
		s = g->valuestring;
	else if (cJSON_IsObject(g)) {
		static const char *const keys[] = {"uri", "URI", "identifier", "Identifier", "id",
						   NULL};
		s = mamori_json_str_any(g, keys);
	}
	if (!s)
		return NULL;
	const char *slash = strrchr(s, '/');
	const char *tail = slash ? slash + 1 : s;
	if (strcasecmp(tail, "AllUsers") == 0)
		return "AllUsers";
	if (strcasecmp(tail, "AuthenticatedUsers") == 0)
		return "AuthenticatedUsers";
	return NULL;
}

static s3_access permission_access(const char *p)
{
	if (!p)
		return S3_ACCESS_NONE;
	if (strcasecmp(p, "Read") == 0 || strcasecmp(p, "ReadAcp") == 0 ||
	    strcasecmp(p, "READ_ACP") == 0)
		return S3_ACCESS_READ;
	return S3_ACCESS_WRITE; /* Write, WriteAcp, FullControl */
}

static void check_acl(ctx_s3 *c, const loaded *lf, const mamori_config_item *ci, const char *arn,
		      const char *name, const bpa *eff)
{
	mamori_findings *fs = c->run->findings;
	const cJSON *acl = mamori_json_get(ci->supplementary, "AccessControlList");
	const cJSON *grants = mamori_json_get(acl, "grantList");
	if (!grants)
		grants = mamori_json_get(acl, "Grants");
	cJSON *public_grants = cJSON_CreateArray();
	s3_access worst = S3_ACCESS_NONE;
	const cJSON *g;
	cJSON_ArrayForEach(g, grants)
	{
		const char *group = grantee_group(g);
		if (!group)
			continue;
		const char *perm = mamori_json_str(g, "permission");
		if (!perm)
			perm = mamori_json_str(g, "Permission");
		s3_access a = permission_access(perm);
		worst = a > worst ? a : worst;
		cJSON *pg = cJSON_CreateObject();
		cJSON_AddStringToObject(pg, "Grantee", group);
		cJSON_AddStringToObject(pg, "Permission", perm ? perm : "?");
		cJSON_AddItemToArray(public_grants, pg);
	}
	mamori_finding *f = start(c, R_ACL, lf, ci, "AwsS3Bucket", arn);
	if (worst == S3_ACCESS_NONE) {
		cJSON_Delete(public_grants);
		passed(f,
		       acl ? "the bucket ACL grants nothing to AllUsers or AuthenticatedUsers"
			   : "the snapshot holds no ACL for the bucket",
		       fs);
		return;
	}
	bool blocked = eff->ignore_public_acls == 1;
	f->severity = blocked ? MAMORI_SEV_LOW
		      : worst == S3_ACCESS_WRITE ? MAMORI_SEV_CRITICAL
						 : MAMORI_SEV_HIGH;
	f->title = mamori_findings_printf(fs, "ACL of %s grants public %s access", name,
					  access_word(worst));
	f->description = mamori_findings_printf(
		fs, "%s%s", f->description,
		blocked ? " IgnorePublicAcls currently neutralises the grant; turning it off would "
			  "expose the bucket."
			: " The grant is in effect now.");
	cJSON *ev = cJSON_CreateObject();
	cJSON_AddItemToObject(ev, "PublicGrants", public_grants);
	cJSON_AddItemToObject(ev, "EffectiveBlockPublicAccess", bpa_json(eff));
	set_evidence(fs, f, ev);
}

static void check_bucket(ctx_s3 *c, const loaded *lf, const mamori_config_item *ci)
{
	mamori_findings *fs = c->run->findings;
	if (ci->status && strcmp(ci->status, "ResourceDeleted") == 0)
		return;
	const char *name = bucket_name(ci);
	if (!name) {
		mamori_module_problem(c->run, "%s:%u: an AWS::S3::Bucket item has no name; skipped",
				      lf->file->relpath, ci->line);
		return;
	}
	const char *arn = ci->arn ? ci->arn
				  : mamori_arena_printf(&fs->arena, "arn:aws:s3:::%s", name);
	const account_bpa *acct = find_account(c, ci->account);
	bpa none = {-1, -1, -1, -1};
	bpa bucket = read_bpa(mamori_json_get(ci->supplementary, "PublicAccessBlockConfiguration"));
	bpa eff = bpa_effective(acct ? &acct->settings : &none, &bucket);
	check_policy(c, lf, ci, arn, name, &eff);
	check_acl(c, lf, ci, arn, name, &eff);
}

static int s3_run(mamori_module_run *run)
{
	ctx_s3 c = {.run = run};
	int rc = mamori_rulebook_load_builtin(run->ctx, RULES_FILE, &c.rules);
	if (rc)
		return rc;
	const mamori_target *t = run->target;
	static const char *const json[] = {".json", NULL};
	c.files = mamori_xcalloc(t->file_count ? t->file_count : 1, sizeof *c.files);
	mamori_buf buf = MAMORI_BUF_INIT;
	mamori_progress_begin(run->ctx, "s3-exposure: reading snapshots", t->file_count);
	for (size_t i = 0; i < t->file_count; i++) {
		mamori_progress_update(run->ctx, i);
		const mamori_target_file *tf = &t->files[i];
		if (!mamori_target_file_has_suffix(tf, json))
			continue;
		mamori_buf_reset(&buf);
		if (mamori_buf_read_file(run->ctx, &buf, tf->path, MAX_SNAPSHOT_BYTES)) {
			mamori_module_problem(run, NULL);
			continue;
		}
		if (!mamori_config_snapshot_sniff(buf.data, buf.len))
			continue;
		loaded *lf = &c.files[c.file_count];
		lf->file = tf;
		if (mamori_config_snapshot_parse(run->ctx, tf->relpath, buf.data, buf.len, &lf->snap)) {
			mamori_module_problem(run, NULL);
			continue;
		}
		c.file_count++;
	}
	mamori_progress_end(run->ctx);
	mamori_buf_free(&buf);

	/* accounts first: their settings decide every bucket's exposure */
	for (size_t i = 0; i < c.file_count; i++)
		for (size_t j = 0; j < c.files[i].snap.count; j++)
			if (strcmp(c.files[i].snap.items[j].resource_type,
				   "AWS::S3::AccountPublicAccessBlock") == 0)
				remember_account(&c, &c.files[i], &c.files[i].snap.items[j]);
	for (size_t i = 0; i < c.file_count; i++)
		for (size_t j = 0; j < c.files[i].snap.count; j++)
			if (strcmp(c.files[i].snap.items[j].resource_type, "AWS::S3::Bucket") == 0)
				check_bucket(&c, &c.files[i], &c.files[i].snap.items[j]);

	for (size_t i = 0; i < c.file_count; i++)
		mamori_config_snapshot_free(&c.files[i].snap);
	free(c.files);
	free(c.accounts);
	mamori_rulebook_free(&c.rules);
	return MAMORI_OK;
}

const mamori_module mamori_module_s3_exposure = {
	.name = "s3-exposure",
	.pillar = "posture",
	.summary = "S3 buckets made public by their policy or ACL (S3's definition of public), "
		   "in AWS Config snapshots",
	.target_kinds = MAMORI_TARGET_PATH | MAMORI_TARGET_AWS, /* snapshots, or collected live */
	.wants = s3_wants,
	.run = s3_run,
};
