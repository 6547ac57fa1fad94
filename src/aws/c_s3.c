/*
 * c_s3.c — S3: the account's Block Public Access and every bucket.
 *
 * ListBuckets (paginated), then per bucket GetBucketLocation on the home
 * region's endpoint, then on the bucket's own region the eight reads that
 * make AWS Config's AWS::S3::Bucket item: policy, policy status, ACL,
 * default encryption, versioning (and MFA delete), logging, Object Lock and
 * the bucket's Block Public Access.  They run concurrently; the item is
 * written when the last one answers.
 *
 * Config's S3 shape is its own (not the API's): supplementaryConfiguration
 * keys AccessControlList (a JSON string, as Config delivers it),
 * BucketPolicy {policyText}, PublicAccessBlockConfiguration,
 * ServerSideEncryptionConfiguration, BucketVersioningConfiguration,
 * BucketLoggingConfiguration, ObjectLockConfiguration; mamori adds
 * BucketPolicyStatus {isPublic} (Config has no key for it).
 *
 * A bucket whose policy, ACL or Block Public Access could not be read
 * (AccessDenied...) is not written at all: an item without them would
 * read as "no public policy" and pass checks it was never put to.  The
 * failure is a CollectionError naming the bucket instead.
 */
#include "aws_internal.h"

#include <stdlib.h>
#include <string.h>

enum part {
	P_POLICY,
	P_POLICY_STATUS,
	P_ACL,
	P_ENCRYPTION,
	P_VERSIONING,
	P_LOGGING,
	P_OBJECT_LOCK,
	P_PAB,
	P_COUNT
};

static const struct {
	const char *query; /* the subresource */
	const char *op;
	const char *what;
	bool essential; /* the item is not written without it */
} parts[P_COUNT] = {
	[P_POLICY] = {"policy", "GetBucketPolicy", "S3 bucket policies", true},
	[P_POLICY_STATUS] = {"policyStatus", "GetBucketPolicyStatus", "S3 bucket policy status",
			     false},
	[P_ACL] = {"acl", "GetBucketAcl", "S3 bucket ACLs", true},
	[P_ENCRYPTION] = {"encryption", "GetBucketEncryption", "S3 bucket default encryption",
			  false},
	[P_VERSIONING] = {"versioning", "GetBucketVersioning", "S3 bucket versioning", false},
	[P_LOGGING] = {"logging", "GetBucketLogging", "S3 bucket access logging", false},
	[P_OBJECT_LOCK] = {"object-lock", "GetObjectLockConfiguration", "S3 Object Lock",
			   false},
	[P_PAB] = {"publicAccessBlock", "GetPublicAccessBlock", "S3 bucket Block Public Access",
		   true},
};

static const char *const s3_numbers[] = {"Days", "Years", NULL};

typedef struct bucket {
	aws_account *a;
	aws_task *task;
	char *name;
	char *created;
	char *region;
	cJSON *owner;
	cJSON *sup;
	unsigned pending;
	bool unreadable;
} bucket;

typedef struct s3_state {
	aws_account *a;
	aws_task *task;
	cJSON *owner; /* from ListBuckets */
} s3_state;

static void bucket_free(bucket *b)
{
	free(b->name);
	free(b->created);
	free(b->region);
	cJSON_Delete(b->owner);
	cJSON_Delete(b->sup);
	free(b);
}

static void emit_bucket(aws_client *cl, bucket *b)
{
	if (b->unreadable) {
		bucket_free(b);
		return;
	}
	cJSON *conf = cJSON_CreateObject();
	cJSON_AddStringToObject(conf, "name", b->name);
	cJSON_AddItemToObject(conf, "owner", b->owner ? b->owner : cJSON_CreateNull());
	b->owner = NULL;
	if (b->created)
		cJSON_AddStringToObject(conf, "creationDate", b->created);
	else
		cJSON_AddNullToObject(conf, "creationDate");
	char arn[512];
	snprintf(arn, sizeof arn, "arn:%s:s3:::%s", b->a->partition, b->name);
	aws_ci ci = {.type = "AWS::S3::Bucket",
		     .id = b->name,
		     .name = b->name,
		     .arn = arn,
		     .region = b->region,
		     .account = b->a->account,
		     .created = b->created,
		     .configuration = conf,
		     .supplementary = b->sup};
	b->sup = NULL;
	aws_sort_members(ci.supplementary); /* answers arrive in any order */
	aws_emit(cl, &ci);
	bucket_free(b);
}

static cJSON *bool_or_null(const cJSON *v)
{
	if (cJSON_IsBool(v))
		return cJSON_CreateBool(cJSON_IsTrue(v));
	return cJSON_CreateNull();
}

static cJSON *pab_config(const cJSON *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "blockPublicAcls", bool_or_null(mamori_json_get(p, "BlockPublicAcls")));
	cJSON_AddItemToObject(o, "ignorePublicAcls",
			      bool_or_null(mamori_json_get(p, "IgnorePublicAcls")));
	cJSON_AddItemToObject(o, "blockPublicPolicy",
			      bool_or_null(mamori_json_get(p, "BlockPublicPolicy")));
	cJSON_AddItemToObject(o, "restrictPublicBuckets",
			      bool_or_null(mamori_json_get(p, "RestrictPublicBuckets")));
	return o;
}

static const char *permission_name(const char *p)
{
	static const struct {
		const char *api, *config;
	} map[] = {{"FULL_CONTROL", "FullControl"}, {"READ", "Read"},	   {"WRITE", "Write"},
		   {"READ_ACP", "ReadAcp"},	    {"WRITE_ACP", "WriteAcp"}, {NULL, NULL}};
	for (size_t i = 0; p && map[i].api; i++)
		if (strcmp(map[i].api, p) == 0)
			return map[i].config;
	return p ? p : "";
}

/* The ACL in Config's spelling (and, like Config, as a JSON string). */
static cJSON *acl_config(const cJSON *doc)
{
	const cJSON *pol = mamori_json_get(doc, "AccessControlPolicy");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNullToObject(o, "grantSet");
	cJSON *list = cJSON_AddArrayToObject(o, "grantList");
	aws_each(g, aws_path(pol, "AccessControlList", "Grant", NULL))
	{
		const cJSON *gr = mamori_json_get(g, "Grantee");
		cJSON *grant = cJSON_CreateObject();
		const char *uri = aws_str(gr, "URI");
		const char *email = aws_str(gr, "EmailAddress");
		if (uri) {
			const char *slash = strrchr(uri, '/');
			cJSON_AddStringToObject(grant, "grantee", slash ? slash + 1 : uri);
		} else if (email) {
			cJSON *e = cJSON_AddObjectToObject(grant, "grantee");
			cJSON_AddStringToObject(e, "identifier", email);
			cJSON_AddStringToObject(e, "typeIdentifier", "emailAddress");
		} else {
			cJSON *c = cJSON_AddObjectToObject(grant, "grantee");
			const char *id = aws_str(gr, "ID"), *dn = aws_str(gr, "DisplayName");
			if (id)
				cJSON_AddStringToObject(c, "id", id);
			else
				cJSON_AddNullToObject(c, "id");
			if (dn && *dn)
				cJSON_AddStringToObject(c, "displayName", dn);
			else
				cJSON_AddNullToObject(c, "displayName");
		}
		cJSON_AddStringToObject(grant, "permission",
					permission_name(aws_str(g, "Permission")));
		cJSON_AddItemToArray(list, grant);
	}
	cJSON *owner = cJSON_AddObjectToObject(o, "owner");
	const char *dn = aws_str(mamori_json_get(pol, "Owner"), "DisplayName");
	if (dn && *dn)
		cJSON_AddStringToObject(owner, "displayName", dn);
	else
		cJSON_AddNullToObject(owner, "displayName");
	const char *id = aws_str(mamori_json_get(pol, "Owner"), "ID");
	if (id)
		cJSON_AddStringToObject(owner, "id", id);
	else
		cJSON_AddNullToObject(owner, "id");
	cJSON_AddFalseToObject(o, "isRequesterCharged");
	char *s = mamori_json_print(o, false);
	cJSON_Delete(o);
	cJSON *str = cJSON_CreateString(s);
	free(s);
	return str;
}

static cJSON *str_or_null(const char *s)
{
	return s && *s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *encryption_config(const cJSON *doc)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *rules = cJSON_AddArrayToObject(o, "rules");
	aws_each(r, aws_path(doc, "ServerSideEncryptionConfiguration", "Rule", NULL))
	{
		const cJSON *d = mamori_json_get(r, "ApplyServerSideEncryptionByDefault");
		cJSON *rule = cJSON_CreateObject();
		cJSON *def = cJSON_AddObjectToObject(rule, "applyServerSideEncryptionByDefault");
		cJSON_AddItemToObject(def, "sseAlgorithm", str_or_null(aws_str(d, "SSEAlgorithm")));
		cJSON_AddItemToObject(def, "kmsMasterKeyID",
				      str_or_null(aws_str(d, "KMSMasterKeyID")));
		cJSON_AddItemToObject(rule, "bucketKeyEnabled",
				      bool_or_null(mamori_json_get(r, "BucketKeyEnabled")));
		cJSON_AddItemToArray(rules, rule);
	}
	return o;
}

static cJSON *versioning_config(const cJSON *doc)
{
	const cJSON *v = mamori_json_get(doc, "VersioningConfiguration");
	const char *status = aws_str(v, "Status");
	const char *mfa = aws_str(v, "MfaDelete");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", status && *status ? status : "Off");
	if (mfa && *mfa)
		cJSON_AddBoolToObject(o, "isMfaDeleteEnabled", strcmp(mfa, "Enabled") == 0);
	else
		cJSON_AddNullToObject(o, "isMfaDeleteEnabled");
	return o;
}

static cJSON *logging_config(const cJSON *doc)
{
	const cJSON *le = aws_path(doc, "BucketLoggingStatus", "LoggingEnabled", NULL);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "destinationBucketName", str_or_null(aws_str(le, "TargetBucket")));
	cJSON_AddItemToObject(o, "logFilePrefix", str_or_null(aws_str(le, "TargetPrefix")));
	return o;
}

static cJSON *object_lock_config(const cJSON *doc)
{
	const cJSON *ol = mamori_json_get(doc, "ObjectLockConfiguration");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "objectLockEnabled", str_or_null(aws_str(ol, "ObjectLockEnabled")));
	const cJSON *dr = aws_path(ol, "Rule", "DefaultRetention", NULL);
	if (dr) {
		cJSON *rule = cJSON_AddObjectToObject(o, "rule");
		cJSON *d = cJSON_AddObjectToObject(rule, "defaultRetention");
		cJSON_AddItemToObject(d, "mode", str_or_null(aws_str(dr, "Mode")));
		const cJSON *days = mamori_json_get(dr, "Days"), *years = mamori_json_get(dr, "Years");
		cJSON_AddItemToObject(d, "days", cJSON_IsNumber(days) ? cJSON_Duplicate(days, false)
								       : cJSON_CreateNull());
		cJSON_AddItemToObject(d, "years", cJSON_IsNumber(years)
							  ? cJSON_Duplicate(years, false)
							  : cJSON_CreateNull());
	}
	return o;
}

static void part_done(aws_call *c);

static aws_call *part_call(aws_client *cl, bucket *b, enum part p)
{
	aws_call *c = aws_call_new(cl, &aws_svc_s3, b->a->id, b->region, parts[p].op);
	mamori_buf path = MAMORI_BUF_INIT;
	mamori_buf_putc(&path, '/');
	aws_uri_encode(&path, b->name, false);
	free(c->path);
	c->path = mamori_buf_detach(&path);
	aws_call_param(c, parts[p].query, "");
	c->numbers = s3_numbers;
	c->raw_payload = p == P_POLICY;
	c->what = parts[p].what;
	c->resource = mamori_xstrdup(b->name);
	c->ud2 = (void *)(uintptr_t)p;
	return c;
}

static void part_done(aws_call *c)
{
	bucket *b = c->ud;
	aws_client *cl = c->cl;
	enum part p = (enum part)(uintptr_t)c->ud2;
	/* a bucket answered from the wrong region: ask again where it lives */
	if (c->err_code && c->bucket_region && strcmp(c->bucket_region, c->region) != 0 &&
	    (c->status == 301 || c->status == 400)) {
		free(b->region);
		b->region = mamori_xstrdup(c->bucket_region);
		aws_call *again = part_call(cl, b, p);
		aws_task_submit(b->task, again, part_done, b);
		return;
	}
	bool missing = aws_not_found(c);
	if (c->err_code && !missing) {
		aws_report(c);
		if (parts[p].essential)
			b->unreadable = true;
	} else {
		cJSON *v = NULL;
		const char *key = NULL;
		switch (p) {
		case P_POLICY:
			key = "BucketPolicy";
			v = cJSON_CreateObject();
			if (missing)
				cJSON_AddNullToObject(v, "policyText");
			else
				cJSON_AddStringToObject(v, "policyText", c->doc->valuestring);
			break;
		case P_POLICY_STATUS:
			key = "BucketPolicyStatus";
			v = cJSON_CreateObject();
			cJSON_AddBoolToObject(
				v, "isPublic",
				!missing && cJSON_IsTrue(aws_path(c->doc, "PolicyStatus", "IsPublic",
								  NULL)));
			break;
		case P_ACL:
			key = "AccessControlList";
			v = missing ? NULL : acl_config(c->doc);
			break;
		case P_ENCRYPTION:
			key = "ServerSideEncryptionConfiguration";
			v = missing ? cJSON_CreateNull() : encryption_config(c->doc);
			break;
		case P_VERSIONING:
			key = "BucketVersioningConfiguration";
			v = versioning_config(missing ? NULL : c->doc);
			break;
		case P_LOGGING:
			key = "BucketLoggingConfiguration";
			v = logging_config(missing ? NULL : c->doc);
			break;
		case P_OBJECT_LOCK:
			key = "ObjectLockConfiguration";
			v = missing ? NULL : object_lock_config(c->doc);
			break;
		case P_PAB:
			key = "PublicAccessBlockConfiguration";
			v = missing ? NULL
				    : pab_config(mamori_json_get(c->doc,
								 "PublicAccessBlockConfiguration"));
			break;
		case P_COUNT:
			break;
		}
		if (key && v)
			cJSON_AddItemToObject(b->sup, key, v);
	}
	if (--b->pending == 0)
		emit_bucket(cl, b);
}

static void location_done(aws_call *c)
{
	bucket *b = c->ud;
	aws_client *cl = c->cl;
	if (c->err_code && !c->bucket_region) {
		aws_report(c);
		bucket_free(b);
		return;
	}
	const char *loc = NULL;
	if (c->err_code) {
		loc = c->bucket_region;
	} else {
		const cJSON *lc = mamori_json_get(c->doc, "LocationConstraint");
		loc = cJSON_IsString(lc) ? lc->valuestring : "";
	}
	if (!loc || !*loc)
		loc = "us-east-1";
	else if (strcmp(loc, "EU") == 0)
		loc = "eu-west-1";
	b->region = mamori_xstrdup(loc);
	b->sup = cJSON_CreateObject();
	b->pending = P_COUNT;
	for (int p = 0; p < P_COUNT; p++)
		aws_task_submit(b->task, part_call(cl, b, (enum part)p), part_done, b);
}

static void list_done(aws_call *c)
{
	s3_state *st = c->ud;
	aws_client *cl = c->cl;
	if (c->err_code) {
		c->what = "the S3 buckets";
		aws_report(c);
		free(st);
		return;
	}
	const cJSON *res = mamori_json_get(c->doc, "ListAllMyBucketsResult");
	const cJSON *owner = mamori_json_get(res, "Owner");
	aws_each(bk, aws_path(res, "Buckets", "Bucket", NULL))
	{
		const char *name = aws_str(bk, "Name");
		if (!name || !*name)
			continue;
		bucket *b = mamori_xcalloc(1, sizeof *b);
		b->a = st->a;
		b->task = st->task;
		b->name = mamori_xstrdup(name);
		const char *cd = aws_str(bk, "CreationDate");
		b->created = cd ? mamori_xstrdup(cd) : NULL;
		b->owner = cJSON_CreateObject();
		const char *dn = aws_str(owner, "DisplayName");
		if (dn && *dn)
			cJSON_AddStringToObject(b->owner, "displayName", dn);
		else
			cJSON_AddNullToObject(b->owner, "displayName");
		cJSON_AddItemToObject(b->owner, "id", str_or_null(aws_str(owner, "ID")));
		aws_call *lc = aws_call_new(cl, &aws_svc_s3, st->a->id, st->a->home_region,
					    "GetBucketLocation");
		mamori_buf path = MAMORI_BUF_INIT;
		mamori_buf_putc(&path, '/');
		aws_uri_encode(&path, name, false);
		free(lc->path);
		lc->path = mamori_buf_detach(&path);
		aws_call_param(lc, "location", "");
		lc->what = "S3 bucket locations";
		lc->resource = mamori_xstrdup(name);
		aws_task_submit(st->task, lc, location_done, b);
	}
	if (aws_next_page(c, aws_str(res, "ContinuationToken")))
		return;
	free(st);
}

static void account_pab_done(aws_call *c)
{
	aws_account *a = c->ud;
	aws_client *cl = c->cl;
	bool missing = aws_not_found(c);
	if (c->err_code && !missing) {
		aws_report(c);
		return;
	}
	/* not configured means every setting is off */
	cJSON *conf = missing ? pab_config(NULL)
			      : pab_config(mamori_json_get(c->doc, "PublicAccessBlockConfiguration"));
	for (cJSON *v = conf->child; v; v = v->next)
		if (cJSON_IsNull(v)) {
			cJSON *f = cJSON_CreateFalse();
			cJSON_ReplaceItemInObjectCaseSensitive(conf, v->string, f);
			v = f;
		}
	aws_ci ci = {.type = "AWS::S3::AccountPublicAccessBlock",
		     .id = a->account,
		     .region = a->home_region,
		     .account = a->account,
		     .configuration = conf};
	aws_emit(cl, &ci);
}

void aws_collect_s3(aws_client *cl, aws_account *a)
{
	aws_task *t = aws_task_new(cl, a->account, "s3", "all regions");
	aws_call *pab = aws_call_new(cl, &aws_svc_s3control, a->id, a->home_region,
				     "GetPublicAccessBlock");
	free(pab->path);
	pab->path = mamori_xstrdup("/v20180820/configuration/publicAccessBlock");
	mamori_buf h = MAMORI_BUF_INIT;
	mamori_buf_printf(&h, "x-amz-account-id: %s", a->account);
	pab->header = mamori_buf_detach(&h);
	if (!aws_endpoint_overridden(cl, &aws_svc_s3control)) {
		mamori_buf e = MAMORI_BUF_INIT;
		mamori_buf_printf(&e, "https://%s.s3-control.%s.%s", a->account, a->home_region,
				  aws_dns_suffix(a->home_region));
		pab->endpoint = mamori_buf_detach(&e);
	}
	pab->what = "the account's S3 Block Public Access";
	aws_task_submit(t, pab, account_pab_done, a);

	s3_state *st = mamori_xcalloc(1, sizeof *st);
	st->a = a;
	st->task = t;
	aws_call *c = aws_call_new(cl, &aws_svc_s3, a->id, a->home_region, "ListBuckets");
	aws_call_param(c, "max-buckets", "1000");
	c->page_param = "continuation-token";
	c->what = "the S3 buckets";
	aws_task_submit(t, c, list_done, st);
}
