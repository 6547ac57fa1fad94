/*
 * c_iam.c — IAM, once per account (IAM is global: items carry awsRegion
 * "global", as in AWS Config).
 *
 * GetAccountAuthorizationDetails gives users, groups, roles and customer
 * managed policies with every inline and attached policy document in a few
 * paginated calls (instead of five calls per principal); each entry becomes
 * AWS::IAM::User / Group / Role / Policy in Config's spelling.  Per user,
 * the access keys with their last use and the MFA devices are added under
 * supplementaryConfiguration (AccessKeys, MfaDevices: mamori's keys, Config
 * records neither).  Account-wide facts that Config has no type for get
 * mamori types (docs/aws.md): AWS::IAM::AccountPasswordPolicy,
 * AWS::IAM::AccountSummary, AWS::IAM::CredentialReport (the CSV as one
 * object per user, values as IAM writes them) and
 * AWS::IAM::VirtualMFADevice, and AWS::IAM::ServerCertificate (the
 * certificates stored in IAM, for CIS 1.19).
 *
 * Policy documents come URL-encoded from IAM (and from Config); they are
 * decoded here, in place, so the snapshot holds the JSON text a reader (or
 * a Guard rule's json_parse) can use directly: the members keep Config's
 * names and shape.  AWS managed policies are collected when they are
 * attached to something in the account, with their default version only
 * (the control that needs them, CIS 1.16, reads that one; the rest of the
 * history is AWS's, not the account's).
 */
#include "aws_internal.h"
#include "lister.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define REPORT_POLLS 30

static const char *const iam_numbers[] = {"AttachmentCount", "PermissionsBoundaryUsageCount",
					  "MaxSessionDuration", "value", "MinimumPasswordLength",
					  "MaxPasswordAge", "PasswordReusePrevention", NULL};

typedef struct iam_state {
	aws_account *a;
	aws_task *t;
	unsigned polls;
} iam_state;

typedef struct user_state {
	iam_state *st;
	cJSON *item; /* the API entry */
	cJSON *keys; /* [{accessKeyId, status, createDate, lastUsed}] */
	cJSON *mfa;
	unsigned pending;
	bool failed;
} user_state;

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* RFC 3986 percent-decoding, in place ('+' is a plus: IAM encodes spaces as %20). */
static void percent_decode(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		int h, l;
		if (*r == '%' && (h = hex_value(r[1])) >= 0 && (l = hex_value(r[2])) >= 0) {
			*w++ = (char)(h * 16 + l);
			r += 2;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* Decode the policy documents of an IAM entry (Config's member names). */
static void decode_documents(cJSON *v, int depth)
{
	static const char *const keys[] = {"policyDocument", "assumeRolePolicyDocument", "document",
					   NULL};
	if (!v || depth > 8)
		return;
	cJSON *e;
	cJSON_ArrayForEach(e, v)
	{
		if (cJSON_IsString(e) && e->string) {
			for (size_t i = 0; keys[i]; i++)
				if (strcmp(e->string, keys[i]) == 0)
					percent_decode(e->valuestring);
		} else if (cJSON_IsObject(e) || cJSON_IsArray(e)) {
			decode_documents(e, depth + 1);
		}
	}
}

static aws_call *iam_call(aws_client *cl, iam_state *st, const char *op)
{
	aws_call *c = aws_call_new(cl, &aws_svc_iam, st->a->id, st->a->home_region, op);
	c->numbers = iam_numbers;
	return c;
}

static void emit_principal(aws_client *cl, aws_account *a, const char *type, const cJSON *item,
			   const char *id_key, const char *name_key, cJSON *sup)
{
	cJSON *conf = aws_config_case(item);
	decode_documents(conf, 0);
	aws_ci ci = {.type = type,
		     .id = aws_str(item, id_key),
		     .name = aws_str(item, name_key),
		     .arn = aws_str(item, "Arn"),
		     .region = "global",
		     .account = a->account,
		     .created = aws_str(item, "CreateDate"),
		     .configuration = conf,
		     .supplementary = sup,
		     .tags = aws_tags_map(mamori_json_get(item, "Tags"))};
	aws_emit(cl, &ci);
}

static void user_finish(aws_client *cl, user_state *u)
{
	if (--u->pending)
		return;
	if (!u->failed) {
		cJSON *sup = cJSON_CreateObject();
		cJSON_AddItemToObject(sup, "AccessKeys", u->keys);
		cJSON_AddItemToObject(sup, "MfaDevices", u->mfa);
		u->keys = u->mfa = NULL;
		emit_principal(cl, u->st->a, "AWS::IAM::User", u->item, "UserId", "UserName", sup);
	}
	cJSON_Delete(u->item);
	cJSON_Delete(u->keys);
	cJSON_Delete(u->mfa);
	free(u);
}

static void key_used_done(aws_call *c)
{
	user_state *u = c->ud;
	cJSON *key = c->ud2;
	if (c->err_code) {
		aws_report(c);
		u->failed = true;
	} else {
		cJSON_AddItemToObject(key, "lastUsed",
				      aws_config_case(mamori_json_get(c->doc, "AccessKeyLastUsed")));
	}
	user_finish(c->cl, u);
}

static void keys_done(aws_call *c)
{
	user_state *u = c->ud;
	aws_client *cl = c->cl;
	if (c->err_code) {
		aws_report(c);
		u->failed = true;
		user_finish(cl, u);
		return;
	}
	aws_each(k, mamori_json_get(c->doc, "AccessKeyMetadata"))
	{
		cJSON *key = aws_config_case(k);
		cJSON_DeleteItemFromObjectCaseSensitive(key, "userName");
		cJSON_AddItemToArray(u->keys, key);
		const char *id = aws_str(k, "AccessKeyId");
		if (!id)
			continue;
		aws_call *lu = iam_call(cl, u->st, "GetAccessKeyLastUsed");
		aws_call_param(lu, "AccessKeyId", id);
		lu->what = "IAM access key last use";
		lu->resource = mamori_xstrdup(aws_str(u->item, "UserName"));
		lu->ud2 = key;
		u->pending++;
		aws_task_submit(u->st->t, lu, key_used_done, u);
	}
	if (aws_next_page(c, cJSON_IsTrue(mamori_json_get(c->doc, "IsTruncated"))
				     ? aws_str(c->doc, "Marker")
				     : NULL))
		return;
	user_finish(cl, u);
}

static void mfa_done(aws_call *c)
{
	user_state *u = c->ud;
	if (c->err_code) {
		aws_report(c);
		u->failed = true;
	} else {
		aws_each(d, mamori_json_get(c->doc, "MFADevices"))
		{
			cJSON *dev = aws_config_case(d);
			cJSON_DeleteItemFromObjectCaseSensitive(dev, "userName");
			cJSON_AddItemToArray(u->mfa, dev);
		}
		if (aws_next_page(c, cJSON_IsTrue(mamori_json_get(c->doc, "IsTruncated"))
					     ? aws_str(c->doc, "Marker")
					     : NULL))
			return;
	}
	user_finish(c->cl, u);
}

static void user_start(aws_client *cl, iam_state *st, const cJSON *item)
{
	const char *name = aws_str(item, "UserName");
	user_state *u = mamori_xcalloc(1, sizeof *u);
	u->st = st;
	u->item = cJSON_Duplicate(item, true);
	u->keys = cJSON_CreateArray();
	u->mfa = cJSON_CreateArray();
	u->pending = 2;
	aws_call *c = iam_call(cl, st, "ListAccessKeys");
	aws_call_param(c, "UserName", name ? name : "");
	c->page_param = "Marker";
	c->what = "IAM access keys";
	c->resource = mamori_xstrdup(name ? name : "");
	aws_task_submit(st->t, c, keys_done, u);
	c = iam_call(cl, st, "ListMFADevices");
	aws_call_param(c, "UserName", name ? name : "");
	c->page_param = "Marker";
	c->what = "IAM MFA devices";
	c->resource = mamori_xstrdup(name ? name : "");
	aws_task_submit(st->t, c, mfa_done, u);
}

static void details_done(aws_call *c)
{
	iam_state *st = c->ud;
	aws_client *cl = c->cl;
	if (c->err_code) {
		c->what = "IAM users, groups, roles and policies";
		aws_report(c);
		return;
	}
	aws_each(u, mamori_json_get(c->doc, "UserDetailList"))
	user_start(cl, st, u);
	aws_each(g, mamori_json_get(c->doc, "GroupDetailList"))
	emit_principal(cl, st->a, "AWS::IAM::Group", g, "GroupId", "GroupName", NULL);
	aws_each(r, mamori_json_get(c->doc, "RoleDetailList"))
	emit_principal(cl, st->a, "AWS::IAM::Role", r, "RoleId", "RoleName", NULL);
	aws_each(p, mamori_json_get(c->doc, "Policies"))
	{
		const char *arn = aws_str(p, "Arn");
		if (!arn || !strstr(arn, ":iam::aws:policy/")) {
			emit_principal(cl, st->a, "AWS::IAM::Policy", p, "PolicyId", "PolicyName", NULL);
			continue;
		}
		/* an AWS managed policy: only when in use, with its default version */
		const cJSON *count = mamori_json_get(p, "AttachmentCount");
		if (!cJSON_IsNumber(count) || count->valuedouble <= 0)
			continue;
		cJSON *own = cJSON_Duplicate(p, true);
		cJSON *versions = mamori_json_get(own, "PolicyVersionList");
		for (cJSON *v = versions ? versions->child : NULL, *next; v; v = next) {
			next = v->next;
			if (!cJSON_IsTrue(mamori_json_get(v, "IsDefaultVersion")))
				cJSON_Delete(cJSON_DetachItemViaPointer(versions, v));
		}
		emit_principal(cl, st->a, "AWS::IAM::Policy", own, "PolicyId", "PolicyName", NULL);
		cJSON_Delete(own);
	}
	aws_next_page(c, cJSON_IsTrue(mamori_json_get(c->doc, "IsTruncated"))
				 ? aws_str(c->doc, "Marker")
				 : NULL);
}

static void account_item(aws_client *cl, aws_account *a, const char *type, cJSON *conf)
{
	aws_ci ci = {.type = type,
		     .id = a->account,
		     .region = "global",
		     .account = a->account,
		     .configuration = conf};
	aws_emit(cl, &ci);
}

static void password_done(aws_call *c)
{
	iam_state *st = c->ud;
	if (c->err_code && !aws_not_found(c)) {
		c->what = "the IAM password policy";
		aws_report(c);
		return;
	}
	/* no policy at all: an empty configuration (every requirement unmet) */
	account_item(c->cl, st->a, "AWS::IAM::AccountPasswordPolicy",
		     c->err_code ? cJSON_CreateObject()
				 : aws_config_case(mamori_json_get(c->doc, "PasswordPolicy")));
}

static void summary_done(aws_call *c)
{
	iam_state *st = c->ud;
	if (c->err_code) {
		c->what = "the IAM account summary";
		aws_report(c);
		return;
	}
	cJSON *conf = cJSON_CreateObject();
	aws_each(e, mamori_json_get(c->doc, "SummaryMap"))
	{
		const char *k = aws_str(e, "key");
		const cJSON *v = mamori_json_get(e, "value");
		if (k && v && !mamori_json_get(conf, k))
			cJSON_AddItemToObject(conf, k, cJSON_Duplicate(v, false));
	}
	aws_sort_members(conf);
	account_item(c->cl, st->a, "AWS::IAM::AccountSummary", conf);
}

/* The report's CSV (base64 in the answer) as [{column: value}]. */
static cJSON *report_rows(const char *b64)
{
	size_t n = strlen(b64);
	unsigned char *raw = mamori_xmalloc(n / 4 * 3 + 4);
	int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
	cJSON *rows = cJSON_CreateArray();
	if (len < 0) {
		free(raw);
		return NULL;
	}
	/* EVP_DecodeBlock counts '=' padding as zero bytes: drop them */
	while (n > 0 && b64[n - 1] == '=' && len > 0) {
		len--;
		n--;
	}
	raw[len] = '\0';
	char **cols = NULL;
	size_t ncols = 0;
	char *save = NULL;
	for (char *line = strtok_r((char *)raw, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);
		if (l && line[l - 1] == '\r')
			line[--l] = '\0';
		char *fsave = NULL;
		if (!cols) {
			for (char *f = strtok_r(line, ",", &fsave); f; f = strtok_r(NULL, ",", &fsave)) {
				cols = mamori_xrealloc(cols, (ncols + 1) * sizeof *cols);
				cols[ncols++] = mamori_xstrdup(f);
			}
			continue;
		}
		cJSON *row = cJSON_CreateObject();
		size_t i = 0;
		/* empty fields are allowed: split by hand, not with strtok */
		for (char *f = line;; i++) {
			char *comma = strchr(f, ',');
			if (comma)
				*comma = '\0';
			if (i < ncols)
				cJSON_AddStringToObject(row, cols[i], f);
			if (!comma)
				break;
			f = comma + 1;
		}
		cJSON_AddItemToArray(rows, row);
	}
	for (size_t i = 0; i < ncols; i++)
		free(cols[i]);
	free(cols);
	free(raw);
	return rows;
}

static void report_generate(aws_client *cl, iam_state *st, double delay);

static void report_done(aws_call *c)
{
	iam_state *st = c->ud;
	aws_client *cl = c->cl;
	if (c->err_code) {
		if ((strcmp(c->err_code, "ReportInProgress") == 0 ||
		     strcmp(c->err_code, "ReportNotPresent") == 0 ||
		     strcmp(c->err_code, "ReportExpired") == 0) &&
		    st->polls < REPORT_POLLS) {
			report_generate(cl, st, 1.0);
			return;
		}
		c->what = "the IAM credential report";
		aws_report(c);
		return;
	}
	const char *content = aws_str(c->doc, "Content");
	cJSON *rows = content ? report_rows(content) : NULL;
	if (!rows) {
		free(c->err_code);
		c->err_code = mamori_xstrdup("InvalidResponse");
		c->what = "the IAM credential report";
		aws_report(c);
		return;
	}
	cJSON *conf = cJSON_CreateObject();
	mamori_json_add_str(conf, "generatedTime", aws_str(c->doc, "GeneratedTime"));
	cJSON_AddItemToObject(conf, "users", rows);
	account_item(cl, st->a, "AWS::IAM::CredentialReport", conf);
}

static void generate_done(aws_call *c)
{
	iam_state *st = c->ud;
	aws_client *cl = c->cl;
	if (c->err_code) {
		c->what = "the IAM credential report";
		aws_report(c);
		return;
	}
	const char *state = aws_str(c->doc, "State");
	if (state && strcmp(state, "COMPLETE") != 0 && st->polls < REPORT_POLLS) {
		report_generate(cl, st, 1.0);
		return;
	}
	aws_call *g = iam_call(cl, st, "GetCredentialReport");
	aws_task_submit(st->t, g, report_done, st);
}

static void report_generate(aws_client *cl, iam_state *st, double delay)
{
	st->polls++;
	aws_call *c = iam_call(cl, st, "GenerateCredentialReport");
	c->ready_at = delay > 0 ? aws_now() + delay : 0;
	aws_task_submit(st->t, c, generate_done, st);
}

static const aws_lister l_virtual_mfa = {
	.type = "AWS::IAM::VirtualMFADevice",
	.what = "IAM virtual MFA devices",
	.list = {"VirtualMFADevices"},
	.token = "Marker",
	.page_param = "Marker",
	.id = "SerialNumber",
	.arn = "SerialNumber",
	.region = "global",
	.created = "EnableDate",
	.numbers = iam_numbers,
};

static const aws_lister l_server_certificates = {
	.type = "AWS::IAM::ServerCertificate",
	.what = "IAM server certificates",
	.list = {"ServerCertificateMetadataList"},
	.token = "Marker",
	.page_param = "Marker",
	.id = "ServerCertificateId",
	.name = "ServerCertificateName",
	.arn = "Arn",
	.region = "global",
	.created = "UploadDate",
	.numbers = iam_numbers,
};

void aws_collect_iam(aws_client *cl, aws_account *a)
{
	iam_state *st = mamori_xcalloc(1, sizeof *st);
	st->a = a;
	st->t = aws_task_new(cl, a->account, "iam", "global");
	aws_call *c = iam_call(cl, st, "GetAccountAuthorizationDetails");
	aws_call_param(c, "Filter.member.1", "User");
	aws_call_param(c, "Filter.member.2", "Group");
	aws_call_param(c, "Filter.member.3", "Role");
	aws_call_param(c, "Filter.member.4", "LocalManagedPolicy");
	aws_call_param(c, "Filter.member.5", "AWSManagedPolicy");
	aws_call_param(c, "MaxItems", "1000");
	c->page_param = "Marker";
	aws_task_submit(st->t, c, details_done, st);
	aws_task_submit(st->t, iam_call(cl, st, "GetAccountPasswordPolicy"), password_done, st);
	aws_task_submit(st->t, iam_call(cl, st, "GetAccountSummary"), summary_done, st);
	report_generate(cl, st, 0);
	c = iam_call(cl, st, "ListVirtualMFADevices");
	/* the virtual MFA list marks a truncated answer with a Marker only */
	aws_lister_run(cl, a, st->t, c, &l_virtual_mfa);
	aws_lister_run(cl, a, st->t, iam_call(cl, st, "ListServerCertificates"),
		       &l_server_certificates);
	/* st lives as long as the collection: the client frees it */
	cl->owned = mamori_xrealloc(cl->owned, (cl->owned_count + 1) * sizeof *cl->owned);
	cl->owned[cl->owned_count++] = st;
}
