/*
 * ct_detectors.c — native detectors over CloudTrail events, reported with
 * GuardDuty's finding types (rules/detect/native.yaml says what each one
 * means).
 *
 * Three kinds:
 *   single-event  one call is enough (root use, StopLogging, a bucket made
 *                 public, an AMI shared, a role trusting a foreign
 *                 account...); requestParameters are parsed with cJSON only
 *                 for the few event names that need it
 *   threshold     one identity does something N times (or on N distinct
 *                 targets) within the window (secrets, user data,
 *                 SendCommand on several instances, mass deletion...)
 *   sequence      StopInstances -> ModifyInstanceAttribute(userData) ->
 *                 StartInstances on one instance
 * plus baseline-aware ones (IAM persistence and Bedrock use by an identity
 * that never touched the service before, instance credentials used from a
 * second address).  Dispatch is one hash lookup of the event name.
 */
#include "../../core/json.h"
#include "../dt_intel.h"
#include "../dt_run.h"
#include "baseline.h"
#include "../dt_window.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#define MAX_INSTANCES 100000

enum h {
	H_NONE = 0,
	H_STOP_LOGGING,
	H_EVENT_SELECTORS,
	H_LIFECYCLE,
	H_PASSWORD_POLICY,
	H_LEAVE_ORG,
	H_RESOLVER_LOG,
	H_FLOW_LOGS,
	H_LOGGING_SERVICE,
	H_ACCOUNT_BPA,
	H_BUCKET_BPA,
	H_BUCKET_POLICY,
	H_BUCKET_ACL,
	H_BUCKET_LOGGING,
	H_CONSOLE_LOGIN,
	H_IAM_CREDS,
	H_LOGIN_PROFILE,
	H_ATTACH_POLICY,
	H_PUT_POLICY,
	H_TRUST_POLICY,
	H_LAMBDA_PERMISSION,
	H_LAMBDA_CODE,
	H_LAMBDA_CONFIG,
	H_ROLES_ANYWHERE,
	H_FEDERATION,
	H_SAGEMAKER,
	H_STOP_INSTANCES,
	H_MODIFY_ATTRIBUTE,
	H_START_INSTANCES,
	H_RUN_INSTANCES,
	H_SEND_COMMAND,
	H_START_SESSION,
	H_SEND_SSH_KEY,
	H_SERIAL_CONSOLE,
	H_DESCRIBE_ATTRIBUTE,
	H_SECRET,
	H_BATCH_SECRET,
	H_PARAMETER,
	H_PASSWORD_DATA,
	H_SES_DISCOVERY,
	H_DELETE_OBJECT,
	H_DELETE_OBJECTS,
	H_COPY_OBJECT,
	H_BEDROCK,
	H_SHARE_IMAGE,
	H_SHARE_SNAPSHOT,
	H_SHARE_DB_SNAPSHOT,
	H_SG_INGRESS,
};

static const struct {
	const char *name;
	int h;
} dispatch[] = {
	{"StopLogging", H_STOP_LOGGING},
	{"DeleteTrail", H_STOP_LOGGING},
	{"PutEventSelectors", H_EVENT_SELECTORS},
	{"PutBucketLifecycle", H_LIFECYCLE},
	{"PutBucketLifecycleConfiguration", H_LIFECYCLE},
	{"UpdateAccountPasswordPolicy", H_PASSWORD_POLICY},
	{"DeleteAccountPasswordPolicy", H_PASSWORD_POLICY},
	{"LeaveOrganization", H_LEAVE_ORG},
	{"DeleteResolverQueryLogConfig", H_RESOLVER_LOG},
	{"DisassociateResolverQueryLogConfig", H_RESOLVER_LOG},
	{"DeleteFlowLogs", H_FLOW_LOGS},
	{"DeleteDetector", H_LOGGING_SERVICE},
	{"StopConfigurationRecorder", H_LOGGING_SERVICE},
	{"DeleteDeliveryChannel", H_LOGGING_SERVICE},
	{"DeleteConfigurationRecorder", H_LOGGING_SERVICE},
	{"DisableSecurityHub", H_LOGGING_SERVICE},
	{"DeleteModelInvocationLoggingConfiguration", H_LOGGING_SERVICE},
	{"PutAccountPublicAccessBlock", H_ACCOUNT_BPA},
	{"DeleteAccountPublicAccessBlock", H_ACCOUNT_BPA},
	{"PutBucketPublicAccessBlock", H_BUCKET_BPA},
	{"DeleteBucketPublicAccessBlock", H_BUCKET_BPA},
	{"PutBucketPolicy", H_BUCKET_POLICY},
	{"PutBucketAcl", H_BUCKET_ACL},
	{"PutObjectAcl", H_BUCKET_ACL},
	{"PutBucketLogging", H_BUCKET_LOGGING},
	{"ConsoleLogin", H_CONSOLE_LOGIN},
	{"CreateAccessKey", H_IAM_CREDS},
	{"CreateUser", H_IAM_CREDS},
	{"CreateLoginProfile", H_LOGIN_PROFILE},
	{"UpdateLoginProfile", H_LOGIN_PROFILE},
	{"AttachUserPolicy", H_ATTACH_POLICY},
	{"AttachRolePolicy", H_ATTACH_POLICY},
	{"AttachGroupPolicy", H_ATTACH_POLICY},
	{"PutUserPolicy", H_PUT_POLICY},
	{"PutRolePolicy", H_PUT_POLICY},
	{"PutGroupPolicy", H_PUT_POLICY},
	{"CreateRole", H_TRUST_POLICY},
	{"UpdateAssumeRolePolicy", H_TRUST_POLICY},
	{"CreateTrustAnchor", H_ROLES_ANYWHERE},
	{"CreateProfile", H_ROLES_ANYWHERE},
	{"GetFederationToken", H_FEDERATION},
	{"CreateNotebookInstanceLifecycleConfig", H_SAGEMAKER},
	{"UpdateNotebookInstanceLifecycleConfig", H_SAGEMAKER},
	{"StopInstances", H_STOP_INSTANCES},
	{"ModifyInstanceAttribute", H_MODIFY_ATTRIBUTE},
	{"StartInstances", H_START_INSTANCES},
	{"RunInstances", H_RUN_INSTANCES},
	{"SendCommand", H_SEND_COMMAND},
	{"StartSession", H_START_SESSION},
	{"SendSSHPublicKey", H_SEND_SSH_KEY},
	{"SendSerialConsoleSSHPublicKey", H_SERIAL_CONSOLE},
	{"DescribeInstanceAttribute", H_DESCRIBE_ATTRIBUTE},
	{"GetSecretValue", H_SECRET},
	{"BatchGetSecretValue", H_BATCH_SECRET},
	{"GetParameter", H_PARAMETER},
	{"GetParameters", H_PARAMETER},
	{"GetParametersByPath", H_PARAMETER},
	{"GetPasswordData", H_PASSWORD_DATA},
	{"GetAccountSendingEnabled", H_SES_DISCOVERY},
	{"ListIdentities", H_SES_DISCOVERY},
	{"GetSendQuota", H_SES_DISCOVERY},
	{"GetIdentityVerificationAttributes", H_SES_DISCOVERY},
	{"ListEmailIdentities", H_SES_DISCOVERY},
	{"GetAccount", H_SES_DISCOVERY},
	{"DeleteObject", H_DELETE_OBJECT},
	{"DeleteObjects", H_DELETE_OBJECTS},
	{"CopyObject", H_COPY_OBJECT},
	{"PutObject", H_COPY_OBJECT},
	{"InvokeModel", H_BEDROCK},
	{"InvokeModelWithResponseStream", H_BEDROCK},
	{"Converse", H_BEDROCK},
	{"ConverseStream", H_BEDROCK},
	{"ListFoundationModels", H_BEDROCK},
	{"ModifyImageAttribute", H_SHARE_IMAGE},
	{"ModifySnapshotAttribute", H_SHARE_SNAPSHOT},
	{"ModifyDBSnapshotAttribute", H_SHARE_DB_SNAPSHOT},
	{"ModifyDBClusterSnapshotAttribute", H_SHARE_DB_SNAPSHOT},
	{"AuthorizeSecurityGroupIngress", H_SG_INGRESS},
};

struct dt_ct_state {
	dt_map names;	 /* eventName -> handler */
	dt_window win;	 /* threshold detectors */
	dt_map stopped;	 /* instance -> stop time; sequence detector */
	dt_map modified; /* instance -> user data modification time */
	dt_map cred_ips; /* instance session -> first source address */
};

dt_ct_state *dt_ct_new(dt_run *r)
{
	dt_ct_state *s = mamori_xcalloc(1, sizeof *s);
	dt_map_init(&s->names, 0);
	for (size_t i = 0; i < sizeof dispatch / sizeof *dispatch; i++) {
		bool c;
		dt_map_put(&s->names, dispatch[i].name, strlen(dispatch[i].name), &c)->value =
			(uint64_t)dispatch[i].h;
	}
	dt_window_init(&s->win, r->cfg->window, r->cfg->reorder_window, r->cfg->max_state_entries);
	/* per-instance memory of the sequence and credential detectors: capped
	 * (new instances past the cap are not followed) */
	dt_map_init(&s->stopped, MAX_INSTANCES);
	dt_map_init(&s->modified, MAX_INSTANCES);
	dt_map_init(&s->cred_ips, MAX_INSTANCES);
	return s;
}

void dt_ct_free(dt_ct_state *s)
{
	if (!s)
		return;
	dt_map_free(&s->names);
	dt_window_free(&s->win);
	dt_map_free(&s->stopped);
	dt_map_free(&s->modified);
	dt_map_free(&s->cred_ips);
	free(s);
}

void dt_ct_finish(dt_run *r)
{
	dt_window_account(&r->ct->win, r->st);
}

/* ---- the event's identity ---- */

static const char *str0(const dt_event *ev, int slot)
{
	size_t n;
	const char *s = dt_event_str(ev, slot, &n);
	if (!s)
		return NULL;
	char *c = dt_scratch_alloc(ev->scratch, n + 1);
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

static const char *member0(const dt_event *ev, int slot, const char *key)
{
	size_t n;
	const char *s = dt_event_member(ev, slot, key, &n);
	if (!s)
		return NULL;
	char *c = dt_scratch_alloc(ev->scratch, n + 1);
	memcpy(c, s, n);
	c[n] = '\0';
	return c;
}

/* The identity a CloudTrail hit is aggregated on, without copying: the
 * role behind an assumed-role session, the root user, else the ARN or the
 * principal. */
static const char *ct_actor(const dt_event *ev, size_t *n)
{
	size_t tn = 0;
	const char *type = dt_event_str(ev, DT_F_UI_TYPE, &tn);
	const char *s;
	if (type && tn == 11 && memcmp(type, "AssumedRole", 11) == 0 &&
	    (s = dt_event_str(ev, DT_F_UI_ISSUER_ARN, n)))
		return s;
	if ((s = dt_event_str(ev, DT_F_UI_ARN, n)))
		return s;
	if (type && tn == 4 && memcmp(type, "Root", 4) == 0) {
		*n = 4;
		return "root";
	}
	if ((s = dt_event_str(ev, DT_F_UI_PRINCIPAL, n)))
		return s;
	if (type) {
		*n = tn;
		return type;
	}
	*n = 16;
	return "unknown identity";
}

bool dt_ct_bump(dt_run *r, const dt_event *ev, const char *rule, size_t sigma)
{
	dt_span acct = {NULL, 0}, region = {NULL, 0}, actor, res;
	size_t idn = 0, tn = 0;
	acct.p = dt_event_str(ev, DT_F_RECIPIENT_ACCOUNT, &acct.n);
	if (!acct.p)
		acct.p = dt_event_str(ev, DT_F_UI_ACCOUNT, &acct.n);
	region.p = dt_event_str(ev, DT_F_AWS_REGION, &region.n);
	actor.p = ct_actor(ev, &actor.n);
	res = actor;
	/* the resource as dt_hit_from_ct names it: the account for the root user */
	const char *type = dt_event_str(ev, DT_F_UI_TYPE, &tn);
	char acctres[300];
	if (type && tn == 4 && memcmp(type, "Root", 4) == 0 && acct.p && acct.n < 256) {
		res.n = (size_t)snprintf(acctres, sizeof acctres, "AWS::::Account:%.*s", (int)acct.n,
					 acct.p);
		res.p = acctres;
	}
	const char *id = dt_event_str(ev, DT_F_EVENT_ID, &idn);
	if (!dt_agg_bump(r->agg, dt_agg_key(rule, sigma, acct, region, actor, res), ev->time, id, idn))
		return false;
	if (sigma == SIZE_MAX)
		r->st->native_hits++;
	else
		r->st->sigma_matches++;
	return true;
}

void dt_hit_from_ct(const dt_event *ev, dt_hit *h, const char *rule)
{
	dt_hit_init(h, rule, ev->time, ev->file, ev->line);
	h->event_id = str0(ev, DT_F_EVENT_ID);
	h->account = str0(ev, DT_F_RECIPIENT_ACCOUNT);
	if (!h->account)
		h->account = str0(ev, DT_F_UI_ACCOUNT);
	h->region = str0(ev, DT_F_AWS_REGION);
	h->api = str0(ev, DT_F_EVENT_NAME);
	h->service = str0(ev, DT_F_EVENT_SOURCE);
	h->src_ip = str0(ev, DT_F_SOURCE_IP);
	h->user_agent = str0(ev, DT_F_USER_AGENT);
	h->action_type = "AWS_API_CALL";
	h->sample = ev->ix->rec;
	h->sample_len = ev->ix->reclen;
	const char *type = str0(ev, DT_F_UI_TYPE);
	const char *issuer = str0(ev, DT_F_UI_ISSUER_ARN);
	const char *arn = str0(ev, DT_F_UI_ARN);
	const char *key = str0(ev, DT_F_UI_ACCESS_KEY);
	const char *name = str0(ev, DT_F_UI_USERNAME);
	size_t an;
	const char *actor = ct_actor(ev, &an);
	char *a = dt_scratch_alloc(ev->scratch, an + 1);
	memcpy(a, actor, an);
	a[an] = '\0';
	h->actor = a;
	if (type && strcmp(type, "AssumedRole") == 0 && issuer) {
		h->res_type = "AwsIamRole";
		h->res_id = issuer;
	} else if (type && strcmp(type, "Root") == 0) {
		h->res_type = "AwsAccount";
		if (h->account) {
			char *id = dt_scratch_alloc(ev->scratch, strlen(h->account) + 20);
			sprintf(id, "AWS::::Account:%s", h->account);
			h->res_id = id;
		} else {
			h->res_id = arn ? arn : "root";
		}
	} else {
		h->res_type = arn && type && strcmp(type, "IAMUser") == 0 ? "AwsIamUser" : "Other";
		h->res_id = h->actor;
	}
	char *det = dt_scratch_alloc(ev->scratch, 512);
	snprintf(det, 512,
		 "{\"AwsIamAccessKey\":{\"PrincipalType\":\"%s\",\"PrincipalName\":\"%s\","
		 "\"AccessKeyId\":\"%s\"}}",
		 type ? type : "", name ? name : "", key ? key : "");
	/* only well-formed when the values have no quotes (they never do in CloudTrail) */
	if (!strpbrk(type ? type : "", "\"\\") && !strpbrk(name ? name : "", "\"\\") &&
	    !strpbrk(key ? key : "", "\"\\"))
		h->res_details = det;
}

/* ---- helpers ---- */

static bool failed(const dt_event *ev)
{
	return dt_index_get(ev->ix, DT_F_ERROR_CODE) != NULL &&
	       dt_index_get(ev->ix, DT_F_ERROR_CODE)->type == DT_JSTR;
}

static void hit(dt_run *r, const dt_event *ev, const char *rule, const char *detail, int sev)
{
	if (!detail && sev < 0 && dt_ct_bump(r, ev, rule, SIZE_MAX))
		return;
	dt_hit h;
	dt_hit_from_ct(ev, &h, rule);
	h.detail = detail;
	h.severity = sev;
	dt_emit(r, &h);
}

/* requestParameters (or another object slot) parsed with cJSON; NULL if absent. */
static cJSON *parse_slot(const dt_event *ev, int slot)
{
	const dt_jval *v = dt_index_get(ev->ix, slot);
	if (!v || v->type != DT_JOBJ)
		return NULL;
	return cJSON_ParseWithLength(v->p, v->len);
}

/* A JSON document given as a string member (policy documents), parsed. */
static cJSON *parse_doc(const cJSON *o, const char *key)
{
	const cJSON *v = mamori_json_get(o, key);
	if (cJSON_IsObject(v))
		return cJSON_Duplicate(v, true);
	if (!cJSON_IsString(v))
		return NULL;
	return cJSON_Parse(v->valuestring);
}

static const char *actor_key(dt_run *r, const dt_event *ev)
{
	(void)r;
	const char *issuer = str0(ev, DT_F_UI_ISSUER_ARN);
	const char *arn = str0(ev, DT_F_UI_ARN);
	const char *p = str0(ev, DT_F_UI_PRINCIPAL);
	return issuer ? issuer : arn ? arn : p ? p : "unknown";
}

/* Count for a threshold detector; true when it crosses now (fires once a window). */
static bool threshold(dt_run *r, const dt_event *ev, const char *det, const char *item,
		      uint64_t weight, unsigned limit, uint64_t *count)
{
	size_t an;
	const char *actor = ct_actor(ev, &an);
	uint64_t key = dt_hash_mix(dt_hash(det, strlen(det)), dt_hash(actor, an));
	dt_wcount *c = dt_window_hit(&r->ct->win, key, item != NULL,
				     item ? dt_hash(item, strlen(item)) : 0, ev->time, weight);
	if (!c)
		return false;
	*count = c->count;
	if (c->count >= limit && !c->fired) {
		c->fired = true;
		return true;
	}
	return false;
}

/* The account id in an ARN or a bare 12-digit principal; NULL otherwise. */
static const char *account_of(const char *p, char out[13])
{
	if (!p)
		return NULL;
	if (strlen(p) == 12 && strspn(p, "0123456789") == 12) {
		memcpy(out, p, 13);
		return out;
	}
	if (strncmp(p, "arn:", 4) != 0)
		return NULL;
	const char *s = p;
	for (int i = 0; i < 4 && s; i++) {
		s = strchr(s, ':');
		if (s)
			s++;
	}
	if (!s || strspn(s, "0123456789") != 12)
		return NULL;
	memcpy(out, s, 12);
	out[12] = '\0';
	return out;
}

typedef struct principals {
	bool everyone;
	bool foreign;
	char who[64];
} principals;

static void principal_value(const cJSON *v, const char *own, principals *p)
{
	if (cJSON_IsString(v)) {
		char acct[13];
		if (strcmp(v->valuestring, "*") == 0)
			p->everyone = true;
		else if (account_of(v->valuestring, acct) && own && strcmp(acct, own) != 0) {
			p->foreign = true;
			snprintf(p->who, sizeof p->who, "%s", acct);
		}
	} else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, v)
		{
			if (cJSON_IsObject(v) && e->string && strcmp(e->string, "AWS") != 0)
				continue; /* Service / Federated principals are not accounts */
			principal_value(e, own, p);
		}
	}
}

/* Does a statement's Condition restrict who can use it?  Only keys naming
 * the caller's organisation, account, identity or network do (and an
 * aws:SourceIp of the whole Internet does not); sts:ExternalId and the
 * like are secrets anyone may learn, not a restriction of principals. */
static bool restrictive_condition(const cJSON *cond)
{
	static const char *const keys[] = {
		"aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount",
		"aws:principalarn",   "aws:sourceaccount",	"aws:sourcearn",
		"aws:sourceowner",    "aws:sourcevpc",		"aws:sourcevpce",
		"aws:sourceip",	      "aws:userid",		"aws:username",
		"aws:calledvia",      "kms:calleraccount",	"aws:resourceorgid",
	};
	const cJSON *op, *kv;
	cJSON_ArrayForEach(op, cond)
	{
		cJSON_ArrayForEach(kv, op)
		{
			if (!kv->string)
				continue;
			for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
				if (strcasecmp(kv->string, keys[i]) != 0)
					continue;
				if (strcmp(keys[i], "aws:sourceip") == 0) {
					char *txt = cJSON_PrintUnformatted(kv);
					bool open = txt && (strstr(txt, "0.0.0.0/0") || strstr(txt, "::/0"));
					free(txt);
					if (open)
						continue;
				}
				return true;
			}
		}
	}
	return false;
}

/* Allow statements of a policy: who they open to (restrictive conditions disarm "*"). */
static principals policy_principals(const cJSON *policy, const char *own)
{
	principals p = {false, false, ""};
	const cJSON *st = mamori_json_get(policy, "Statement");
	cJSON *one = NULL;
	if (cJSON_IsObject(st)) {
		one = cJSON_CreateArray();
		cJSON_AddItemToArray(one, cJSON_Duplicate(st, true));
		st = one;
	}
	const cJSON *s;
	cJSON_ArrayForEach(s, st)
	{
		const char *effect = mamori_json_str(s, "Effect");
		if (!effect || strcmp(effect, "Allow") != 0)
			continue;
		principals q = {false, false, ""};
		principal_value(mamori_json_get(s, "Principal"), own, &q);
		if (q.everyone && !restrictive_condition(mamori_json_get(s, "Condition")))
			p.everyone = true;
		if (q.foreign) {
			p.foreign = true;
			memcpy(p.who, q.who, sizeof p.who);
		}
	}
	cJSON_Delete(one);
	return p;
}

/* Items of launchPermission / createVolumePermission add lists: public or accounts. */
static bool shared_out(const cJSON *perm, const char *own, char *who, size_t cap)
{
	const cJSON *add = mamori_json_get(perm, "add");
	const cJSON *items = mamori_json_get(add, "items");
	const cJSON *it;
	bool out = false;
	cJSON_ArrayForEach(it, items)
	{
		const char *group = mamori_json_str(it, "group");
		const char *user = mamori_json_str(it, "userId");
		if (group && strcasecmp(group, "all") == 0) {
			snprintf(who, cap, "everyone (public)");
			return true;
		}
		if (user && (!own || strcmp(user, own) != 0)) {
			snprintf(who, cap, "account %s", user);
			out = true;
		}
	}
	return out;
}

static bool from_s3(const dt_event *ev)
{
	return dt_event_is(ev, DT_F_EVENT_SOURCE, "s3.amazonaws.com");
}

/* A person rather than automation: an IAM user, the root user, a federated
 * user, a role session from IAM Identity Center (AWSReservedSSO_) or one
 * CloudTrail marks as the console's (sessionCredentialFromConsole).  Plain
 * role sessions are how CI/CD deploys. */
static bool human_caller(const dt_event *ev)
{
	const char *type = str0(ev, DT_F_UI_TYPE);
	if (!type)
		return false;
	if (strcmp(type, "AssumedRole") != 0)
		return strcmp(type, "IAMUser") == 0 || strcmp(type, "Root") == 0 ||
		       strcmp(type, "FederatedUser") == 0;
	const char *issuer = str0(ev, DT_F_UI_ISSUER_ARN);
	const char *console = str0(ev, DT_F_FROM_CONSOLE);
	return (issuer && strstr(issuer, "AWSReservedSSO_")) ||
	       (console && strcmp(console, "true") == 0);
}

/* The caller's own user name: userName, else the session name of a role
 * session (the last part of its ARN), else NULL. */
static const char *caller_name(const dt_event *ev)
{
	const char *name = str0(ev, DT_F_UI_USERNAME);
	if (name)
		return name;
	const char *arn = str0(ev, DT_F_UI_ARN);
	const char *slash = arn ? strrchr(arn, '/') : NULL;
	return slash && slash[1] ? slash + 1 : NULL;
}

static bool contains_ci(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

static bool unusual_type(const char *t)
{
	if (!t)
		return false;
	static const char *const families[] = {"p2.", "p3.", "p3dn.", "p4d.", "p4de.", "p5.",
					       "p5e.", "g3.", "g3s.", "g4dn.", "g4ad.", "g5.",
					       "g5g.", "g6.", "g6e.", "gr6.", "inf1.", "inf2.",
					       "trn1.", "trn1n.", "trn2.", "dl1.", "dl2q.", "f1.",
					       "f2.", "x1.", "x1e.", "x2", "u-", "vt1."};
	for (size_t i = 0; i < sizeof families / sizeof *families; i++)
		if (strncmp(t, families[i], strlen(families[i])) == 0)
			return true;
	return strstr(t, ".metal") || strstr(t, "24xlarge") || strstr(t, "32xlarge") ||
	       strstr(t, "48xlarge") || strstr(t, "56xlarge") || strstr(t, "112xlarge");
}

/* ---- per-event ---- */

static void identity_checks(dt_run *r, const dt_event *ev)
{
	const char *type = str0(ev, DT_F_UI_TYPE);
	const char *ip = str0(ev, DT_F_SOURCE_IP);
	const char *etype = str0(ev, DT_F_EVENT_TYPE);
	if (type && strcmp(type, "Root") == 0 && !dt_index_get(ev->ix, DT_F_UI_INVOKED_BY) &&
	    !(etype && strcmp(etype, "AwsServiceEvent") == 0)) {
		/* a failed sign-in used no credentials; a successful one says whether MFA did */
		const dt_jval *resp = dt_index_get(ev->ix, DT_F_RESPONSE);
		bool signin = etype && strcmp(etype, "AwsConsoleSignIn") == 0;
		if (!(signin && resp && memmem(resp->p, resp->len, "\"Failure\"", 9))) {
			const char *mfa = str0(ev, DT_F_MFA_USED);
			const char *d = !signin || !mfa ? NULL
					: strcasecmp(mfa, "no") == 0
						? "The root user signed in to the console without MFA."
						: "The root user signed in to the console with MFA.";
			hit(r, ev, "Policy:IAMUser/RootCredentialUsage", d, -1);
		}
	}
	size_t un;
	const char *ua = dt_event_str(ev, DT_F_USER_AGENT, &un);
	if (ua) {
		if (dt_imem(ua, un, "kali", 4))
			hit(r, ev, "PenTest:IAMUser/KaliLinux", NULL, -1);
		else if (dt_imem(ua, un, "parrot", 6))
			hit(r, ev, "PenTest:IAMUser/ParrotLinux", NULL, -1);
		else if (dt_imem(ua, un, "pentoo", 6))
			hit(r, ev, "PenTest:IAMUser/PentooLinux", NULL, -1);
	}
	uint8_t a[16];
	bool v4;
	if (!ip || !dt_ip_parse(ip, strlen(ip), a, &v4))
		return;
	dt_intel_hit ih;
	if (!dt_intel_empty(r->e->intel) && dt_intel_ip(r->e->intel, a, &ih) &&
	    ih.kind != DT_INTEL_TRUSTED) {
		char *d = dt_scratch_alloc(ev->scratch, 600);
		snprintf(d, 600, "Source address %s is on %s list %s (entry %s).", ip,
			 dt_intel_kind_name(ih.kind), ih.list, ih.entry);
		hit(r, ev,
		    ih.kind == DT_INTEL_TOR ? "UnauthorizedAccess:IAMUser/TorIPCaller"
					    : "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
		    d, -1);
	}
	/* instance credentials (session named i-...) from a second address */
	const char *arn = str0(ev, DT_F_UI_ARN);
	const char *sess = arn && type && strcmp(type, "AssumedRole") == 0 ? strrchr(arn, '/') : NULL;
	if (sess && strncmp(sess, "/i-", 3) == 0 && strlen(sess) >= 11 &&
	    strspn(sess + 3, "0123456789abcdef") == strlen(sess + 3) && !dt_ip_private(a)) {
		bool created;
		dt_map_entry *e = dt_map_put(&r->ct->cred_ips, arn, strlen(arn), &created);
		if (e && created)
			e->value = (uint64_t)(uintptr_t)mamori_arena_strdup(&r->ct->cred_ips.arena, ip);
		const char *first = e ? (const char *)(uintptr_t)e->value : NULL;
		bool known = dt_baseline_knows(r->bl, DT_BL_INSTANCE, sess + 1, ip);
		if (first && strcmp(first, ip) != 0 && !known) {
			char *d = dt_scratch_alloc(ev->scratch, 400);
			snprintf(d, 400,
				 "The credentials of instance %s were first used from %s, now from %s.",
				 sess + 1, first, ip);
			hit(r, ev, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
			    d, -1);
		} else if (first && strcmp(first, ip) == 0) {
			dt_baseline_learn(r->bl, DT_BL_INSTANCE, sess + 1, ip);
		}
	}
}

static void handle(dt_run *r, const dt_event *ev, int hd)
{
	dt_ct_state *s = r->ct;
	const dt_config *cfg = r->cfg;
	uint64_t count = 0;
	char det[400];
	const char *own = str0(ev, DT_F_RECIPIENT_ACCOUNT);
	if (!own)
		own = str0(ev, DT_F_UI_ACCOUNT);
	bool fail = failed(ev);
	cJSON *rp = NULL;
	switch (hd) {
	case H_STOP_LOGGING:
		if (!fail && dt_event_is(ev, DT_F_EVENT_SOURCE, "cloudtrail.amazonaws.com"))
			hit(r, ev, "Stealth:IAMUser/CloudTrailLoggingDisabled", NULL, -1);
		break;
	case H_EVENT_SELECTORS: {
		const dt_jval *v = dt_index_get(ev->ix, DT_F_REQUEST);
		if (fail || !v)
			break;
		bool less = memmem(v->p, v->len, "\"includeManagementEvents\": false", 32) ||
			    memmem(v->p, v->len, "\"includeManagementEvents\":false", 31) ||
			    memmem(v->p, v->len, "ReadOnly", 8) || memmem(v->p, v->len, "WriteOnly", 9) ||
			    (memmem(v->p, v->len, "advancedEventSelectors", 22) &&
			     !memmem(v->p, v->len, "Management", 10));
		if (less)
			hit(r, ev, "Stealth:IAMUser/CloudTrailEventSelectorsChanged", NULL, -1);
		break;
	}
	case H_LIFECYCLE: {
		if (fail || !from_s3(ev) || !(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		/* the smallest Expiration.Days of an enabled rule */
		const cJSON *lc = mamori_json_get(rp, "LifecycleConfiguration");
		if (!lc)
			lc = mamori_json_get(rp, "lifecycleConfiguration");
		const cJSON *rules = mamori_json_get(lc, "Rule");
		if (!rules)
			rules = mamori_json_get(lc, "Rules");
		cJSON *one = NULL;
		if (cJSON_IsObject(rules)) {
			one = cJSON_CreateArray();
			cJSON_AddItemToArray(one, cJSON_Duplicate(rules, true));
			rules = one;
		}
		long min = -1;
		const cJSON *rule;
		cJSON_ArrayForEach(rule, rules)
		{
			const char *status = mamori_json_str(rule, "Status");
			if (status && strcasecmp(status, "Enabled") != 0)
				continue;
			const cJSON *days = mamori_json_get(mamori_json_get(rule, "Expiration"), "Days");
			long n = -1;
			if (cJSON_IsNumber(days) && days->valuedouble > 0 && days->valuedouble < 1e9)
				n = (long)days->valuedouble; /* in range before the cast */
			else if (cJSON_IsString(days))
				n = strtol(days->valuestring, NULL, 10);
			if (n > 0 && (min < 0 || n < min))
				min = n;
		}
		cJSON_Delete(one);
		if (min > 0 && min <= 7) {
			snprintf(det, sizeof det, "Objects expire after %ld day%s.", min, min == 1 ? "" : "s");
			hit(r, ev, "Stealth:S3/TrailBucketLifecycleShortened", det, -1);
		}
		break;
	}
	case H_PASSWORD_POLICY:
		if (!fail)
			hit(r, ev, "Stealth:IAMUser/PasswordPolicyChange", NULL, -1);
		break;
	case H_LEAVE_ORG:
		hit(r, ev, "Stealth:IAMUser/OrganizationLeaveAttempt", fail ? "The call failed." : NULL, -1);
		break;
	case H_RESOLVER_LOG:
		if (!fail)
			hit(r, ev, "Stealth:IAMUser/ResolverQueryLoggingDeleted", NULL, -1);
		break;
	case H_FLOW_LOGS:
		if (!fail)
			hit(r, ev, "Stealth:IAMUser/FlowLogsDeleted", NULL, -1);
		break;
	case H_LOGGING_SERVICE:
		if (!fail)
			hit(r, ev, "Stealth:IAMUser/LoggingServiceDisabled", NULL, -1);
		break;
	case H_ACCOUNT_BPA:
	case H_BUCKET_BPA: {
		if (fail || !from_s3(ev))
			break;
		const char *name = str0(ev, DT_F_EVENT_NAME);
		bool del = name && strncmp(name, "Delete", 6) == 0;
		const dt_jval *v = dt_index_get(ev->ix, DT_F_REQUEST);
		bool off = del || (v && (memmem(v->p, v->len, "false", 5) != NULL));
		if (off)
			hit(r, ev,
			    hd == H_ACCOUNT_BPA ? "Policy:S3/AccountBlockPublicAccessDisabled"
						: "Policy:S3/BucketBlockPublicAccessDisabled",
			    NULL, -1);
		break;
	}
	case H_BUCKET_POLICY: {
		if (fail || !from_s3(ev) || !(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		cJSON *pol = parse_doc(rp, "bucketPolicy");
		principals p = policy_principals(pol, own);
		const char *bucket = mamori_json_str(rp, "bucketName");
		if (p.everyone) {
			snprintf(det, sizeof det, "Bucket %s: a statement allows Principal \"*\".",
				 bucket ? bucket : "?");
			hit(r, ev, "Policy:S3/BucketPublicAccessGranted", det, -1);
		} else if (p.foreign) {
			snprintf(det, sizeof det, "Bucket %s: a statement allows account %s.",
				 bucket ? bucket : "?", p.who);
			hit(r, ev, "Exfiltration:S3/BucketPolicyExternalAccess", det, -1);
		}
		cJSON_Delete(pol);
		break;
	}
	case H_BUCKET_ACL: {
		const dt_jval *v = dt_index_get(ev->ix, DT_F_REQUEST);
		if (fail || !v || !from_s3(ev))
			break;
		if (memmem(v->p, v->len, "AllUsers", 8) || memmem(v->p, v->len, "public-read", 11))
			hit(r, ev, "Policy:S3/BucketAnonymousAccessGranted", NULL, -1);
		else if (memmem(v->p, v->len, "AuthenticatedUsers", 18) ||
			 memmem(v->p, v->len, "authenticated-read", 18))
			hit(r, ev, "Policy:S3/BucketPublicAccessGranted", NULL, -1);
		break;
	}
	case H_BUCKET_LOGGING: {
		/* a BucketLoggingStatus without LoggingEnabled turns logging off; a
		 * request without BucketLoggingStatus says nothing */
		const dt_jval *v = dt_index_get(ev->ix, DT_F_REQUEST);
		if (!fail && v && from_s3(ev) && memmem(v->p, v->len, "BucketLoggingStatus", 19) &&
		    !memmem(v->p, v->len, "LoggingEnabled", 14))
			hit(r, ev, "Stealth:S3/ServerAccessLoggingDisabled", NULL, -1);
		break;
	}
	case H_CONSOLE_LOGIN: {
		size_t n;
		const char *ok = dt_event_str(ev, DT_F_CONSOLE_LOGIN, &n);
		const char *mfa = str0(ev, DT_F_MFA_USED);
		const char *type = str0(ev, DT_F_UI_TYPE);
		/* IAM users only: the root user's sign-in is RootCredentialUsage (which
		 * says whether MFA was used); with SAML the identity provider does MFA */
		const dt_jval *ad = dt_index_get(ev->ix, DT_F_ADDITIONAL);
		bool saml = ad && memmem(ad->p, ad->len, "\"SamlProviderArn\"", 17);
		if (ok && n == 7 && memcmp(ok, "Success", 7) == 0 && mfa &&
		    strcasecmp(mfa, "no") == 0 && type && strcmp(type, "IAMUser") == 0 && !saml)
			hit(r, ev, "Policy:IAMUser/ConsoleLoginWithoutMFA", NULL, -1);
		break;
	}
	case H_IAM_CREDS:
	case H_LOGIN_PROFILE: {
		if (fail)
			break;
		const char *actor = actor_key(r, ev);
		const char *name = str0(ev, DT_F_EVENT_NAME);
		const char *target = member0(ev, DT_F_REQUEST, "userName");
		const char *caller = caller_name(ev);
		bool other = target && (!caller || strcmp(target, caller) != 0);
		const dt_jval *req = dt_index_get(ev->ix, DT_F_REQUEST);
		/* a reset that forces a new password at sign-in is the help-desk pattern */
		bool reset = req && (memmem(req->p, req->len, "\"passwordResetRequired\":true", 28) ||
				     memmem(req->p, req->len, "\"passwordResetRequired\": true", 29));
		if (hd == H_LOGIN_PROFILE && other && !reset) {
			snprintf(det, sizeof det, "The password of user %s was set by %s.", target, actor);
			hit(r, ev, "Persistence:IAMUser/LoginProfileChanged", det, -1);
		}
		/* unusual: an identity earlier runs know that never managed IAM, or one
		 * with no IAM history creating an access key for someone else */
		if (!dt_baseline_knows(r->bl, DT_BL_IDENTITY, actor, "iam.amazonaws.com#write")) {
			bool known = dt_baseline_has_subject(r->bl, DT_BL_IDENTITY, actor);
			bool key_for_other = name && strcmp(name, "CreateAccessKey") == 0 && other;
			if (known || key_for_other) {
				snprintf(det, sizeof det, "%s %s; it had not managed IAM before.", actor,
					 key_for_other ? "created an access key for another user"
						       : "created IAM credentials or users");
				hit(r, ev, "Persistence:IAMUser/AnomalousBehavior", det, -1);
			}
		}
		break;
	}
	case H_ATTACH_POLICY: {
		const char *arn = member0(ev, DT_F_REQUEST, "policyArn");
		if (!fail && arn && (strstr(arn, "/AdministratorAccess") || strstr(arn, "/PowerUserAccess") ||
				     strstr(arn, "/IAMFullAccess")))
			hit(r, ev, "Persistence:IAMUser/AdminPolicyAttached", arn, -1);
		break;
	}
	case H_PUT_POLICY: {
		if (fail || !(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		cJSON *doc = parse_doc(rp, "policyDocument");
		const cJSON *st = mamori_json_get(doc, "Statement"), *x;
		bool admin = false;
		const cJSON *sts = cJSON_IsArray(st) ? st : NULL;
		cJSON_ArrayForEach(x, sts)
		{
			const char *effect = mamori_json_str(x, "Effect");
			const cJSON *a = mamori_json_get(x, "Action"), *res = mamori_json_get(x, "Resource");
			bool star_a = (cJSON_IsString(a) && strcmp(a->valuestring, "*") == 0) ||
				      (cJSON_IsArray(a) && cJSON_IsString(a->child) &&
				       strcmp(a->child->valuestring, "*") == 0);
			bool star_r = (cJSON_IsString(res) && strcmp(res->valuestring, "*") == 0) ||
				      (cJSON_IsArray(res) && cJSON_IsString(res->child) &&
				       strcmp(res->child->valuestring, "*") == 0);
			admin |= effect && strcmp(effect, "Allow") == 0 && star_a && star_r;
		}
		if (admin)
			hit(r, ev, "Persistence:IAMUser/AdminPolicyAttached",
			    "An inline policy allows every action on every resource.", -1);
		cJSON_Delete(doc);
		break;
	}
	case H_TRUST_POLICY: {
		if (fail || !(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		cJSON *doc = parse_doc(rp, "policyDocument");
		if (!doc)
			doc = parse_doc(rp, "assumeRolePolicyDocument");
		principals p = policy_principals(doc, own);
		const char *role = mamori_json_str(rp, "roleName");
		if (p.everyone || p.foreign) {
			snprintf(det, sizeof det, "Role %s can now be assumed by %s%s.", role ? role : "?",
				 p.everyone ? "anyone (\"*\")" : "account ", p.everyone ? "" : p.who);
			hit(r, ev, "Persistence:IAMRole/TrustPolicyExternalPrincipal", det, -1);
		}
		cJSON_Delete(doc);
		break;
	}
	case H_LAMBDA_PERMISSION:
		break;
	case H_LAMBDA_CODE:
		/* by a person: deployments run as roles (CI/CD) */
		if (!fail && human_caller(ev))
			hit(r, ev, "Persistence:Lambda/FunctionCodeChanged", "The function's code was replaced.", -1);
		break;
	case H_LAMBDA_CONFIG: {
		if (fail || !human_caller(ev))
			break;
		bool layers = false;
		for (int slot = DT_F_REQUEST; slot <= DT_F_RESPONSE && !layers; slot++) {
			cJSON *o = parse_slot(ev, slot);
			layers = cJSON_GetArraySize(mamori_json_get(o, "layers")) > 0;
			cJSON_Delete(o);
		}
		if (layers)
			hit(r, ev, "Persistence:Lambda/FunctionCodeChanged", "Layers were attached to the function.", -1);
		break;
	}
	case H_ROLES_ANYWHERE:
		if (!fail && dt_event_is(ev, DT_F_EVENT_SOURCE, "rolesanywhere.amazonaws.com"))
			hit(r, ev, "Persistence:IAMUser/RolesAnywhereTrustAnchorCreated", NULL, -1);
		break;
	case H_FEDERATION:
		if (!fail)
			hit(r, ev, "Persistence:IAMUser/FederationTokenIssued", NULL, -1);
		break;
	case H_SAGEMAKER:
		if (!fail)
			hit(r, ev, "PrivilegeEscalation:SageMaker/LifecycleConfigChanged", NULL, -1);
		break;
	case H_STOP_INSTANCES:
	case H_START_INSTANCES:
	case H_MODIFY_ATTRIBUTE: {
		if (fail || !(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		if (hd == H_MODIFY_ATTRIBUTE) {
			const char *attr = mamori_json_str(rp, "attribute");
			const char *id = mamori_json_str(rp, "instanceId");
			if (id && ((attr && strcmp(attr, "userData") == 0) || mamori_json_get(rp, "userData"))) {
				bool c;
				dt_map_entry *e = dt_map_put(&s->modified, id, strlen(id), &c);
				if (e)
					e->value = (uint64_t)ev->time;
			}
			break;
		}
		const cJSON *items = mamori_json_get(mamori_json_get(rp, "instancesSet"), "items"), *it;
		cJSON_ArrayForEach(it, items)
		{
			const char *id = mamori_json_str(it, "instanceId");
			if (!id)
				continue;
			bool c;
			if (hd == H_STOP_INSTANCES) {
				dt_map_entry *e = dt_map_put(&s->stopped, id, strlen(id), &c);
				if (e)
					e->value = (uint64_t)ev->time;
				continue;
			}
			dt_map_entry *st = dt_map_get(&s->stopped, id, strlen(id));
			dt_map_entry *md = dt_map_get(&s->modified, id, strlen(id));
			if (st && md && (int64_t)md->value >= (int64_t)st->value) {
				snprintf(det, sizeof det, "Instance %s: stopped, user data replaced, started.", id);
				hit(r, ev, "Execution:EC2/UserDataModifiedBetweenStopStart", det, -1);
				md->value = 0;
				st->value = (uint64_t)INT64_MAX;
			}
		}
		break;
	}
	case H_RUN_INSTANCES: {
		const char *t = member0(ev, DT_F_REQUEST, "instanceType");
		if (!t && (rp = parse_slot(ev, DT_F_REQUEST)) != NULL) {
			/* also written {"value": "p3.2xlarge"} */
			const char *v = mamori_json_str(mamori_json_get(rp, "instanceType"), "value");
			if (v) {
				char *c = dt_scratch_alloc(ev->scratch, strlen(v) + 1);
				strcpy(c, v);
				t = c;
			}
		}
		if (unusual_type(t)) {
			snprintf(det, sizeof det, "Instance type %s%s.", t, fail ? " (the call failed)" : "");
			hit(r, ev, "Execution:EC2/UnusualInstanceTypeLaunched", det, -1);
		}
		break;
	}
	case H_SEND_COMMAND:
	case H_START_SESSION:
	case H_SEND_SSH_KEY: {
		if (!(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		const char *rule = hd == H_SEND_COMMAND ? "Execution:SSM/CommandOnMultipleInstances"
				 : hd == H_START_SESSION ? "Execution:SSM/SessionsOnMultipleInstances"
							 : "LateralMovement:EC2/InstanceConnectMultipleInstances";
		const cJSON *ids = mamori_json_get(rp, "instanceIds"), *it;
		const char *one = mamori_json_str(rp, hd == H_START_SESSION ? "target" : "instanceId");
		bool fired = false;
		cJSON_ArrayForEach(it, ids)
		{
			if (cJSON_IsString(it))
				fired |= threshold(r, ev, rule, it->valuestring, 1, cfg->multi_instance, &count);
		}
		if (one)
			fired |= threshold(r, ev, rule, one, 1, cfg->multi_instance, &count);
		if (fired) {
			snprintf(det, sizeof det, "%llu distinct instances within %lld s.",
				 (unsigned long long)count, (long long)cfg->window);
			hit(r, ev, rule, det, -1);
		}
		break;
	}
	case H_SERIAL_CONSOLE:
		hit(r, ev, "LateralMovement:EC2/SerialConsoleSSHKeyPushed", NULL, -1);
		break;
	case H_DESCRIBE_ATTRIBUTE: {
		const char *attr = member0(ev, DT_F_REQUEST, "attribute");
		const char *id = member0(ev, DT_F_REQUEST, "instanceId");
		if (attr && strcmp(attr, "userData") == 0 &&
		    threshold(r, ev, "Discovery:EC2/UserDataDownload", id ? id : "?", 1,
			      cfg->userdata_calls, &count)) {
			snprintf(det, sizeof det, "User data of %llu instances read within %lld s.",
				 (unsigned long long)count, (long long)cfg->window);
			hit(r, ev, "Discovery:EC2/UserDataDownload", det, -1);
		}
		break;
	}
	case H_SECRET:
	case H_BATCH_SECRET:
	case H_PARAMETER:
	case H_PASSWORD_DATA: {
		const char *what = NULL;
		uint64_t weight = 1;
		unsigned limit = cfg->secrets_calls;
		const char *kind = "secrets";
		if (hd == H_SECRET) {
			what = member0(ev, DT_F_REQUEST, "secretId");
		} else if (hd == H_BATCH_SECRET) {
			weight = 5; /* one call reads many */
			what = ev->ix->rec ? NULL : "batch";
		} else if (hd == H_PARAMETER) {
			const dt_jval *v = dt_index_get(ev->ix, DT_F_REQUEST);
			if (!v || !(memmem(v->p, v->len, "\"withDecryption\": true", 22) ||
				    memmem(v->p, v->len, "\"withDecryption\":true", 21)))
				break;
			kind = "decrypted SSM parameters";
			what = member0(ev, DT_F_REQUEST, "name");
			if (!what)
				weight = 5;
		} else {
			limit = cfg->password_data_calls;
			kind = "instance passwords (GetPasswordData)";
			what = member0(ev, DT_F_REQUEST, "instanceId");
		}
		char det_key[64];
		snprintf(det_key, sizeof det_key, "CredentialAccess/%d", hd == H_PASSWORD_DATA);
		if (threshold(r, ev, det_key, what, weight, limit, &count)) {
			snprintf(det, sizeof det, "%llu %s read within %lld s.", (unsigned long long)count,
				 kind, (long long)cfg->window);
			hit(r, ev, "CredentialAccess:IAMUser/AnomalousBehavior", det, -1);
		}
		break;
	}
	case H_SES_DISCOVERY: {
		const char *name = str0(ev, DT_F_EVENT_NAME);
		if (!contains_ci(str0(ev, DT_F_EVENT_SOURCE), "ses"))
			break;
		if (threshold(r, ev, "SES", name, 1, 3, &count)) {
			snprintf(det, sizeof det, "%llu distinct SES discovery calls (SES enumeration).",
				 (unsigned long long)count);
			hit(r, ev, "Discovery:IAMUser/AnomalousBehavior", det, -1);
		}
		break;
	}
	case H_DELETE_OBJECT:
	case H_DELETE_OBJECTS: {
		uint64_t w = 1;
		const dt_jval *v = dt_index_get(ev->ix, DT_F_REQUEST);
		if (hd == H_DELETE_OBJECTS && v) {
			w = 0;
			for (const char *p = v->p; (p = memmem(p, (size_t)(v->p + v->len - p), "\"Key\"", 5)); p += 5)
				w++;
			if (w == 0)
				w = 1;
		}
		const char *bucket = member0(ev, DT_F_REQUEST, "bucketName");
		char key[300];
		snprintf(key, sizeof key, "S3Delete:%s", bucket ? bucket : "?");
		if (threshold(r, ev, key, NULL, w, cfg->s3_delete_objects, &count)) {
			snprintf(det, sizeof det, "%llu objects deleted from bucket %s within %lld s.",
				 (unsigned long long)count, bucket ? bucket : "?", (long long)cfg->window);
			hit(r, ev, "Impact:S3/MassObjectDeletion", det, -1);
		}
		break;
	}
	case H_COPY_OBJECT: {
		const dt_jval *v = dt_index_get(ev->ix, DT_F_REQUEST);
		if (!v || !memmem(v->p, v->len, "x-amz-server-side-encryption-customer-algorithm", 47))
			break;
		unsigned limit = cfg->s3_delete_objects / 5 ? cfg->s3_delete_objects / 5 : 1;
		if (threshold(r, ev, "SSE-C", NULL, 1, limit, &count)) {
			snprintf(det, sizeof det, "%llu objects rewritten with SSE-C within %lld s.",
				 (unsigned long long)count, (long long)cfg->window);
			hit(r, ev, "Impact:S3/ClientSideEncryptionOverwrite", det, -1);
		}
		break;
	}
	case H_BEDROCK: {
		if (!contains_ci(str0(ev, DT_F_EVENT_SOURCE), "bedrock"))
			break;
		const char *actor = actor_key(r, ev);
		if (!dt_baseline_knows(r->bl, DT_BL_IDENTITY, actor, "bedrock.amazonaws.com#use")) {
			snprintf(det, sizeof det, "%s had not used Bedrock before.", actor);
			hit(r, ev, "Impact:Bedrock/AnomalousModelInvocation", det, -1);
		}
		break;
	}
	case H_SHARE_IMAGE:
	case H_SHARE_SNAPSHOT: {
		if (fail || !(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		const cJSON *perm = mamori_json_get(rp, hd == H_SHARE_IMAGE ? "launchPermission"
									      : "createVolumePermission");
		char who[64];
		if (shared_out(perm, own, who, sizeof who)) {
			const char *id = mamori_json_str(rp, hd == H_SHARE_IMAGE ? "imageId" : "snapshotId");
			snprintf(det, sizeof det, "%s shared with %s.", id ? id : "?", who);
			hit(r, ev, hd == H_SHARE_IMAGE ? "Exfiltration:EC2/AMISharedExternally"
						       : "Exfiltration:EC2/SnapshotSharedExternally",
			    det, -1);
		}
		break;
	}
	case H_SHARE_DB_SNAPSHOT: {
		if (fail || !(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		const char *attr = mamori_json_str(rp, "attributeName");
		const cJSON *add = mamori_json_get(rp, "valuesToAdd"), *it;
		const char *who = NULL;
		const cJSON *adds = attr && strcmp(attr, "restore") == 0 ? add : NULL;
		cJSON_ArrayForEach(it, adds)
		{
			if (cJSON_IsString(it) && (!own || strcmp(it->valuestring, own) != 0))
				who = it->valuestring;
		}
		if (who) {
			snprintf(det, sizeof det, "Restore permission given to %s.",
				 strcmp(who, "all") == 0 ? "everyone (public)" : who);
			hit(r, ev, "Exfiltration:RDS/SnapshotSharedExternally", det, -1);
		}
		break;
	}
	case H_SG_INGRESS: {
		const dt_jval *v = dt_index_get(ev->ix, DT_F_REQUEST);
		if (fail || !v || !(rp = parse_slot(ev, DT_F_REQUEST)))
			break;
		static const int admin[] = {22, 3389, 3306, 5432, 1433, 6379, 27017, 9200, 23, 445};
		const cJSON *items = mamori_json_get(mamori_json_get(rp, "ipPermissions"), "items"), *it;
		cJSON_ArrayForEach(it, items)
		{
			const cJSON *from = mamori_json_get(it, "fromPort"), *to = mamori_json_get(it, "toPort");
			int f = cJSON_IsNumber(from) ? from->valueint : 0;
			int t = cJSON_IsNumber(to) ? to->valueint : 65535;
			const char *proto = mamori_json_str(it, "ipProtocol");
			if (proto && strcmp(proto, "-1") == 0)
				f = 0, t = 65535;
			char *txt = cJSON_PrintUnformatted(it);
			bool world = txt && (strstr(txt, "0.0.0.0/0") || strstr(txt, "::/0"));
			free(txt);
			for (size_t k = 0; world && k < sizeof admin / sizeof *admin; k++)
				if (admin[k] >= f && admin[k] <= t) {
					snprintf(det, sizeof det, "Port %d opened to the Internet.", admin[k]);
					hit(r, ev, "Exfiltration:EC2/SecurityGroupOpenToInternet", det, -1);
					break;
				}
		}
		break;
	}
	default:
		break;
	}
	cJSON_Delete(rp);
}

static bool discovery_name(const char *n)
{
	return strncmp(n, "List", 4) == 0 || strncmp(n, "Describe", 8) == 0 ||
	       (strncmp(n, "Get", 3) == 0 && strcmp(n, "GetObject") != 0 &&
		strncmp(n, "GetSecret", 9) != 0 && strncmp(n, "GetParameter", 12) != 0);
}

void dt_ct_event(dt_run *r, const dt_event *ev)
{
	size_t n;
	const char *name = dt_event_str(ev, DT_F_EVENT_NAME, &n);
	if (!name)
		return;
	identity_checks(r, ev);
	dt_map_entry *e = dt_map_get(&r->ct->names, name, n);
	int hd = e ? (int)e->value : H_NONE;
	/* Lambda event names carry an API version suffix */
	if (!e && n > 13 && strncmp(name, "AddPermission", 13) == 0)
		hd = H_LAMBDA_PERMISSION;
	else if (!e && n > 18 && strncmp(name, "UpdateFunctionCode", 18) == 0)
		hd = H_LAMBDA_CODE;
	else if (!e && n > 27 && strncmp(name, "UpdateFunctionConfiguration", 27) == 0)
		hd = H_LAMBDA_CONFIG;
	if (hd == H_LAMBDA_PERMISSION) {
		cJSON *rp = parse_slot(ev, DT_F_REQUEST);
		const char *p = mamori_json_str(rp, "principal");
		const char *own = str0(ev, DT_F_RECIPIENT_ACCOUNT);
		char acct[13];
		if (!failed(ev) && p &&
		    (strcmp(p, "*") == 0 || (account_of(p, acct) && own && strcmp(acct, own) != 0)))
			hit(r, ev, "Persistence:Lambda/PublicInvokePermission", NULL, -1);
		cJSON_Delete(rp);
	} else if (hd) {
		handle(r, ev, hd);
	}
	/* discovery bursts: distinct read APIs per identity */
	char nm[128];
	if (n < sizeof nm) {
		memcpy(nm, name, n);
		nm[n] = '\0';
		uint64_t count;
		if (discovery_name(nm) &&
		    threshold(r, ev, "Discovery", nm, 1, r->cfg->discovery_calls, &count)) {
			char det[200];
			snprintf(det, sizeof det, "%llu distinct discovery APIs within %lld s.",
				 (unsigned long long)count, (long long)r->cfg->window);
			hit(r, ev, "Discovery:IAMUser/AnomalousBehavior", det, -1);
		}
	}
	/* teach the baseline what this identity does (after the checks above) */
	const char *src = str0(ev, DT_F_EVENT_SOURCE);
	if (src && !failed(ev)) {
		const char *actor = actor_key(r, ev);
		const dt_jval *ro = dt_index_get(ev->ix, DT_F_READ_ONLY);
		bool write = !ro || ro->type != DT_JTRUE;
		char item[160];
		if (strcmp(src, "iam.amazonaws.com") == 0 && write && !discovery_name(nm)) {
			dt_baseline_learn(r->bl, DT_BL_IDENTITY, actor, "iam.amazonaws.com#write");
		} else if (strcmp(src, "bedrock.amazonaws.com") == 0) {
			dt_baseline_learn(r->bl, DT_BL_IDENTITY, actor, "bedrock.amazonaws.com#use");
		} else {
			snprintf(item, sizeof item, "%s", src);
			dt_baseline_learn(r->bl, DT_BL_IDENTITY, actor, item);
		}
	}
}
