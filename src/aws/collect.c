/*
 * collect.c — one collection: accounts, regions, collectors, the snapshot.
 *
 * 1. Resolve the base credentials and home region like the CLI; ask STS
 *    who they are.  2. Add the accounts of --role-arn (sts:AssumeRole) and
 *    of --org (organizations:ListAccounts, then the member role).  3. For
 *    each account, the regions: --regions (each checked against the
 *    account's DescribeRegions) or every enabled one.  4. Start every
 *    collector for every account; they queue their calls on the engine,
 *    which runs them all with bounded concurrency, and each (service,
 *    region, account) is one step of the progress bar.  5. Write the
 *    configuration items, sorted so that two collections of the same state
 *    are the same file.
 *
 * Whatever cannot be read (a role that cannot be assumed, a region that
 * does not answer, AccessDenied, garbage) is aggregated per account,
 * region, service, operation and error code into one
 * "Mamori::AWS::CollectionError" item, so a thousand denied bucket
 * policies are one error naming the first buckets, not a thousand.
 */
#include "aws_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAX_ERROR_RESOURCES 20

typedef struct err_agg {
	char *account, *region, *service, *op, *code, *msg, *what;
	size_t count;
	cJSON *resources;
	struct err_agg *next;
} err_agg;

typedef struct region_facts {
	char *account, *region;
	cJSON *facts;
	struct region_facts *next;
} region_facts;

typedef struct collector {
	cJSON *items;
	err_agg *errors;
	size_t error_count;
	region_facts *regions;
	char now[32];
	long long state_id;
} collector;

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

static bool same(const char *a, const char *b)
{
	return strcmp(or_empty(a), or_empty(b)) == 0;
}

static void add_error(aws_client *cl, const char *account, const char *region,
		      const char *service, const char *op, const char *code, const char *msg,
		      const char *what, const char *resource)
{
	collector *col = cl->collector;
	if (!col)
		return;
	err_agg *e;
	for (e = col->errors; e; e = e->next)
		if (same(e->account, account) && same(e->region, region) &&
		    same(e->service, service) && same(e->op, op) && same(e->code, code))
			break;
	if (!e) {
		e = mamori_xcalloc(1, sizeof *e);
		e->account = mamori_xstrdup(or_empty(account));
		e->region = mamori_xstrdup(or_empty(region));
		e->service = mamori_xstrdup(or_empty(service));
		e->op = mamori_xstrdup(or_empty(op));
		e->code = mamori_xstrdup(or_empty(code));
		e->msg = mamori_xstrdup(or_empty(msg));
		e->what = mamori_xstrdup(or_empty(what));
		e->resources = cJSON_CreateArray();
		e->next = col->errors;
		col->errors = e;
		col->error_count++;
		if (strcmp(e->service, "*") == 0)
			mamori_log(cl->ctx, MAMORI_LOG_WARN,
				   "could not read anything in %s%s%s: %s: %s", region,
				   account ? " of " : "", or_empty(account), code, or_empty(msg));
		else
			mamori_log(cl->ctx, MAMORI_LOG_WARN,
				   "could not read %s (%s %s) in %s%s%s: %s: %s", e->what, service,
				   op, region, account ? " of " : "", or_empty(account), code,
				   or_empty(msg));
	}
	e->count++;
	if (resource && cJSON_GetArraySize(e->resources) < MAX_ERROR_RESOURCES)
		cJSON_AddItemToArray(e->resources, cJSON_CreateString(resource));
}

void aws_report(aws_call *c)
{
	if (c->transport_error) {
		/* a region that does not answer fails every call the same way:
		 * one error for the region, not one per operation */
		add_error(c->cl, c->id ? c->id->account_id : NULL, c->region, "*", "*",
			  c->err_code ? c->err_code : "ConnectionError", c->err_msg,
			  "anything (the region's endpoints did not answer)", NULL);
		return;
	}
	char what[160];
	if (c->what)
		snprintf(what, sizeof what, "%s", c->what);
	else
		snprintf(what, sizeof what, "%s %s", c->svc->name, c->op);
	add_error(c->cl, c->id ? c->id->account_id : NULL, c->region, c->svc->name, c->op,
		  c->err_code ? c->err_code : "Error", c->err_msg, what, c->resource);
}

void aws_report_problem(aws_client *cl, const char *account, const char *region,
			const char *service, const char *operation, const char *code,
			const char *fmt, ...)
{
	mamori_buf m = MAMORI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(&m, fmt, ap);
	va_end(ap);
	char what[160];
	snprintf(what, sizeof what, "%s %s", service, operation);
	add_error(cl, account, region, service, operation, code, m.data, what, NULL);
	mamori_buf_free(&m);
}

void aws_region_fact(aws_client *cl, const char *account, const char *region, const char *key,
		     cJSON *value)
{
	collector *col = cl->collector;
	region_facts *r;
	for (r = col->regions; r; r = r->next)
		if (same(r->account, account) && same(r->region, region))
			break;
	if (!r) {
		r = mamori_xcalloc(1, sizeof *r);
		r->account = mamori_xstrdup(or_empty(account));
		r->region = mamori_xstrdup(or_empty(region));
		r->facts = cJSON_CreateObject();
		cJSON_AddStringToObject(r->facts, "regionName", r->region);
		r->next = col->regions;
		col->regions = r;
	}
	if (mamori_json_get(r->facts, key))
		cJSON_ReplaceItemInObjectCaseSensitive(r->facts, key, value);
	else
		cJSON_AddItemToObject(r->facts, key, value);
}

void aws_emit(aws_client *cl, aws_ci *ci)
{
	collector *col = cl->collector;
	cJSON *it = cJSON_CreateObject();
	cJSON_AddStringToObject(it, "configurationItemVersion", "1.3");
	cJSON_AddStringToObject(it, "configurationItemCaptureTime", col->now);
	cJSON_AddNumberToObject(it, "configurationStateId", (double)col->state_id);
	cJSON_AddStringToObject(it, "awsAccountId", or_empty(ci->account));
	cJSON_AddStringToObject(it, "configurationItemStatus", "OK");
	cJSON_AddStringToObject(it, "resourceType", ci->type);
	cJSON_AddStringToObject(it, "resourceId", or_empty(ci->id));
	if (ci->name)
		cJSON_AddStringToObject(it, "resourceName", ci->name);
	if (ci->arn)
		cJSON_AddStringToObject(it, "ARN", ci->arn);
	cJSON_AddStringToObject(it, "awsRegion", or_empty(ci->region));
	cJSON_AddStringToObject(it, "availabilityZone",
				ci->region && strcmp(ci->region, "global") == 0 ? "Not Applicable"
										 : "Regional");
	if (ci->created)
		cJSON_AddStringToObject(it, "resourceCreationTime", ci->created);
	cJSON_AddItemToObject(it, "tags", ci->tags ? ci->tags : cJSON_CreateObject());
	cJSON_AddItemToObject(it, "relatedEvents", cJSON_CreateArray());
	cJSON_AddItemToObject(it, "relationships", cJSON_CreateArray());
	cJSON_AddItemToObject(it, "configuration",
			      ci->configuration ? ci->configuration : cJSON_CreateObject());
	cJSON_AddItemToObject(it, "supplementaryConfiguration",
			      ci->supplementary ? ci->supplementary : cJSON_CreateObject());
	cJSON_AddItemToArray(col->items, it);
	cl->stats.items++;
	ci->configuration = ci->supplementary = ci->tags = NULL;
}

/* ---- tasks ---- */

aws_task *aws_task_new(aws_client *cl, const char *account, const char *service,
		       const char *region)
{
	aws_task *t = mamori_xcalloc(1, sizeof *t);
	t->account = mamori_xstrdup(or_empty(account));
	t->service = service;
	snprintf(t->region, sizeof t->region, "%s", or_empty(region));
	t->next = cl->tasks;
	cl->tasks = t;
	cl->task_count++;
	return t;
}

void aws_task_submit(aws_task *t, aws_call *c, aws_done_fn done, void *ud)
{
	c->task = t;
	t->pending++;
	aws_submit(c, done, ud);
}

/* ---- discovery ---- */

int aws_who_am_i(aws_client *cl, aws_identity *id, const char *region)
{
	aws_call *c = aws_call_new(cl, &aws_svc_sts, id, region, "GetCallerIdentity");
	int rc = aws_call_sync(c);
	if (rc == MAMORI_OK) {
		const char *acct = aws_str(c->doc, "Account");
		const char *arn = aws_str(c->doc, "Arn");
		if (!acct) {
			rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
					      "sts GetCallerIdentity: the answer names no account");
		} else {
			free(id->account_id);
			free(id->arn);
			id->account_id = mamori_xstrdup(acct);
			id->arn = arn ? mamori_xstrdup(arn) : NULL;
			mamori_log(cl->ctx, MAMORI_LOG_INFO, "account %s as %s", acct,
				   or_empty(arn));
		}
	} else {
		mamori_error_prefix(cl->ctx, "the credentials from %s were refused", id->source);
	}
	aws_call_free(c);
	return rc;
}

/* "arn:aws:iam::123456789012:role/x" -> "123456789012" (static buffer of the caller) */
static const char *arn_account(const char *arn, char out[32])
{
	out[0] = '\0';
	const char *p = arn;
	for (int i = 0; i < 4 && p; i++) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	if (p) {
		size_t n = strcspn(p, ":");
		if (n < 32) {
			memcpy(out, p, n);
			out[n] = '\0';
		}
	}
	return out[0] ? out : NULL;
}

typedef struct account_list {
	aws_account *items;
	size_t count;
} account_list;

static aws_account *add_account(account_list *l, aws_identity *id, const char *home)
{
	for (size_t i = 0; i < l->count; i++)
		if (strcmp(l->items[i].account, id->account_id) == 0)
			return NULL; /* already read */
	l->items = mamori_xrealloc(l->items, (l->count + 1) * sizeof *l->items);
	aws_account *a = &l->items[l->count++];
	memset(a, 0, sizeof *a);
	a->id = id;
	a->account = id->account_id;
	a->partition = aws_partition(home);
	a->home_region = home;
	return a;
}

static void assume_into(aws_client *cl, account_list *l, aws_identity *base, const char *arn,
			const char *external_id, const char *home)
{
	aws_identity *id = NULL;
	char acct[32];
	int rc = aws_creds_assume(cl, base, arn, external_id, &id);
	if (rc == MAMORI_OK)
		rc = aws_who_am_i(cl, id, home);
	if (rc != MAMORI_OK) {
		const mamori_error *e = mamori_error_last(cl->ctx);
		aws_report_problem(cl, arn_account(arn, acct), home, "sts", "AssumeRole",
				   strstr(e->message, "AccessDenied") ? "AccessDenied"
								       : "AssumeRoleFailed",
				   "%s", e->message);
		mamori_error_clear(cl->ctx);
		return;
	}
	add_account(l, id, home);
}

static void org_accounts(aws_client *cl, account_list *l, aws_identity *base, const char *home)
{
	const char *role = cl->opts->org_role_name ? cl->opts->org_role_name
						   : "OrganizationAccountAccessRole";
	char *token = NULL;
	char **ids = NULL;
	size_t n = 0;
	do {
		aws_call *c = aws_call_new(cl, &aws_svc_organizations, base, home, "ListAccounts");
		if (token) {
			c->json = cJSON_CreateObject();
			cJSON_AddStringToObject(c->json, "NextToken", token);
		}
		free(token);
		token = NULL;
		if (aws_call_sync(c) != MAMORI_OK) {
			c->id = base;
			c->what = "the accounts of the Organization";
			aws_report(c);
			mamori_error_clear(cl->ctx);
			aws_call_free(c);
			break;
		}
		aws_each(acct, mamori_json_get(c->doc, "Accounts"))
		{
			const char *id = aws_str(acct, "Id"), *status = aws_str(acct, "Status");
			if (id && (!status || strcmp(status, "ACTIVE") == 0)) {
				ids = mamori_xrealloc(ids, (n + 1) * sizeof *ids);
				ids[n++] = mamori_xstrdup(id);
			}
		}
		const char *next = aws_str(c->doc, "NextToken");
		token = next && *next ? mamori_xstrdup(next) : NULL;
		aws_call_free(c);
	} while (token);
	for (size_t i = 0; i < n; i++) {
		bool known = false;
		for (size_t j = 0; j < l->count; j++)
			known |= strcmp(l->items[j].account, ids[i]) == 0;
		if (!known) {
			char arn[256];
			snprintf(arn, sizeof arn, "arn:%s:iam::%s:role/%s", aws_partition(home),
				 ids[i], role);
			assume_into(cl, l, base, arn, cl->opts->external_id, home);
		}
		free(ids[i]);
	}
	free(ids);
}

static void add_region(aws_account *a, const char *r)
{
	for (size_t i = 0; i < a->region_count; i++)
		if (strcmp(a->regions[i], r) == 0)
			return;
	a->regions = mamori_xrealloc(a->regions, (a->region_count + 1) * sizeof *a->regions);
	a->regions[a->region_count++] = mamori_xstrdup(r);
}

static void plan_regions(aws_client *cl, aws_account *a)
{
	const mamori_aws_options *o = cl->opts;
	aws_call *c = aws_call_new(cl, &aws_svc_ec2, a->id, a->home_region, "DescribeRegions");
	aws_call_param(c, "AllRegions", "true");
	c->what = "the account's regions";
	bool known = aws_call_sync(c) == MAMORI_OK;
	if (!known) {
		aws_report(c);
		mamori_error_clear(cl->ctx);
	}
	const cJSON *list = known ? mamori_json_get(c->doc, "regionInfo") : NULL;
	if (o->region_count) {
		for (size_t i = 0; i < o->region_count; i++) {
			const char *r = o->regions[i];
			if (!aws_region_valid(r)) {
				aws_report_problem(cl, a->account, r, "ec2", "DescribeRegions",
						   "UnknownRegion",
						   "\"%s\" (from --regions) is not a region name", r);
				continue;
			}
			const char *status = NULL;
			bool found = !known;
			aws_each(ri, list)
			{
				if (same(aws_str(ri, "regionName"), r)) {
					found = true;
					status = aws_str(ri, "optInStatus");
				}
			}
			if (!found) {
				aws_report_problem(cl, a->account, r, "ec2", "DescribeRegions",
						   "UnknownRegion",
						   "\"%s\" (from --regions) is not a region of "
						   "partition %s",
						   r, a->partition);
				continue;
			}
			if (status && strcmp(status, "not-opted-in") == 0) {
				aws_report_problem(cl, a->account, r, "ec2", "DescribeRegions",
						   "RegionNotEnabled",
						   "region %s is not enabled for account %s", r,
						   a->account);
				continue;
			}
			add_region(a, r);
		}
	} else if (known) {
		aws_each(ri, list)
		{
			const char *r = aws_str(ri, "regionName");
			const char *status = aws_str(ri, "optInStatus");
			if (r && (!status || strcmp(status, "not-opted-in") != 0))
				add_region(a, r);
		}
	}
	if (!a->region_count && !o->region_count) {
		mamori_log(cl->ctx, MAMORI_LOG_WARN,
			   "account %s: regions unknown; reading %s only", a->account,
			   a->home_region);
		add_region(a, a->home_region);
	}
	aws_call_free(c);
}

/* ---- collectors ---- */

static const struct {
	const char *name;
	aws_collector_fn fn;
} collectors[] = {
	{"iam", aws_collect_iam},
	{"s3", aws_collect_s3},
	{"ec2", aws_collect_ec2},
	{"cloudtrail", aws_collect_cloudtrail},
	{"config", aws_collect_config},
	{"kms", aws_collect_kms},
	{"rds", aws_collect_rds},
	{"cloudwatch", aws_collect_monitoring},
	{"guardduty", aws_collect_guardduty},
	{"securityhub", aws_collect_securityhub},
	{"efs", aws_collect_efs},
	{"organizations", aws_collect_organizations},
	{"accessanalyzer", aws_collect_accessanalyzer},
};

static bool wanted(const mamori_aws_options *o, const char *name)
{
	if (!o->service_count)
		return true;
	for (size_t i = 0; i < o->service_count; i++)
		if (strcmp(o->services[i], name) == 0)
			return true;
	return false;
}

static int check_services(mamori_ctx *ctx, const mamori_aws_options *o)
{
	for (size_t i = 0; i < o->service_count; i++) {
		bool ok = false;
		for (size_t j = 0; j < sizeof collectors / sizeof *collectors; j++)
			ok |= strcmp(o->services[i], collectors[j].name) == 0;
		if (!ok) {
			mamori_buf names = MAMORI_BUF_INIT;
			for (size_t j = 0; j < sizeof collectors / sizeof *collectors; j++)
				mamori_buf_printf(&names, "%s%s", j ? ", " : "", collectors[j].name);
			int rc = mamori_error_set(ctx, MAMORI_EUSAGE,
						  "unknown AWS service \"%s\" (one of %s)",
						  o->services[i], names.data);
			mamori_buf_free(&names);
			return rc;
		}
	}
	return MAMORI_OK;
}

/* ---- the snapshot ---- */

static int cmp_str(const char *a, const char *b)
{
	return strcmp(or_empty(a), or_empty(b));
}

static int by_item(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	static const char *const keys[] = {"awsAccountId", "resourceType", "awsRegion",
					   "resourceId"};
	for (size_t i = 0; i < 4; i++) {
		int c = cmp_str(aws_str(x, keys[i]), aws_str(y, keys[i]));
		if (c)
			return c;
	}
	return 0;
}

static void emit_errors(aws_client *cl)
{
	collector *col = cl->collector;
	for (err_agg *e = col->errors; e; e = e->next) {
		cJSON *conf = cJSON_CreateObject();
		cJSON_AddStringToObject(conf, "service", e->service);
		cJSON_AddStringToObject(conf, "operation", e->op);
		cJSON_AddStringToObject(conf, "errorCode", e->code);
		cJSON_AddStringToObject(conf, "message", e->msg);
		cJSON_AddStringToObject(conf, "what", e->what);
		cJSON_AddNumberToObject(conf, "count", (double)e->count);
		cJSON_AddItemToObject(conf, "resources", e->resources);
		e->resources = NULL;
		char id[512];
		snprintf(id, sizeof id, "%s:%s:%s:%s", e->service, e->op, e->region, e->code);
		aws_ci ci = {.type = "Mamori::AWS::CollectionError",
			     .id = id,
			     .region = e->region,
			     .account = e->account,
			     .configuration = conf};
		aws_emit(cl, &ci);
	}
}

static void emit_regions(aws_client *cl)
{
	collector *col = cl->collector;
	for (region_facts *r = col->regions; r; r = r->next) {
		aws_ci ci = {.type = "Mamori::AWS::Region",
			     .id = r->region,
			     .name = r->region,
			     .region = r->region,
			     .account = r->account,
			     .configuration = r->facts};
		r->facts = NULL;
		aws_emit(cl, &ci);
	}
}

static void collector_free(collector *col)
{
	cJSON_Delete(col->items);
	for (err_agg *e = col->errors, *n; e; e = n) {
		n = e->next;
		free(e->account);
		free(e->region);
		free(e->service);
		free(e->op);
		free(e->code);
		free(e->msg);
		free(e->what);
		cJSON_Delete(e->resources);
		free(e);
	}
	for (region_facts *r = col->regions, *n; r; r = n) {
		n = r->next;
		free(r->account);
		free(r->region);
		cJSON_Delete(r->facts);
		free(r);
	}
}

int aws_check_endpoints(mamori_ctx *ctx, const mamori_aws_options *opts)
{
	for (size_t i = 0; i < opts->endpoint_count; i++) {
		const char *u = opts->endpoints[i].url;
		if (!u || (strncasecmp(u, "http://", 7) != 0 && strncasecmp(u, "https://", 8) != 0))
			return mamori_error_set(ctx, MAMORI_EUSAGE,
						"--endpoint-url %s: expected an http:// or "
						"https:// URL",
						u ? u : "");
	}
	return MAMORI_OK;
}

static int by_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int mamori_aws_collect(mamori_ctx *ctx, const mamori_aws_options *opts,
		       mamori_aws_collection *out)
{
	memset(out, 0, sizeof *out);
	int rc = check_services(ctx, opts);
	if (!rc)
		rc = aws_check_endpoints(ctx, opts);
	if (rc)
		return rc;
	aws_client cl;
	rc = aws_client_init(&cl, ctx, opts);
	if (rc)
		return rc;
	collector col = {0};
	col.items = cJSON_CreateArray();
	time_t now = mamori_ctx_now(ctx);
	mamori_time_format(now, col.now);
	col.state_id = (long long)now * 1000;
	cl.collector = &col;
	double t0 = aws_now();
	account_list accounts = {0};
	char *home = NULL;

	aws_identity *base = NULL;
	rc = aws_creds_resolve(&cl, &base);
	if (rc)
		goto out;
	home = aws_region_resolve(&cl);
	if (!aws_region_valid(home)) {
		rc = mamori_error_set(ctx, MAMORI_EUSAGE,
				      "\"%s\" is not a region name (from --region, AWS_REGION, "
				      "AWS_DEFAULT_REGION or the profile)",
				      home);
		goto out;
	}
	rc = aws_who_am_i(&cl, base, home);
	if (rc)
		goto out;
	add_account(&accounts, base, home);
	for (size_t i = 0; i < opts->role_arn_count; i++)
		assume_into(&cl, &accounts, base, opts->role_arns[i], opts->external_id, home);
	if (opts->organization)
		org_accounts(&cl, &accounts, base, home);

	for (size_t i = 0; i < accounts.count; i++)
		plan_regions(&cl, &accounts.items[i]);
	for (size_t i = 0; i < accounts.count; i++) {
		aws_account *a = &accounts.items[i];
		for (size_t r = 0; r < a->region_count; r++)
			aws_region_fact(&cl, a->account, a->regions[r], "collected",
					cJSON_CreateTrue());
		for (size_t j = 0; j < sizeof collectors / sizeof *collectors; j++)
			if (wanted(opts, collectors[j].name))
				collectors[j].fn(&cl, a);
	}
	mamori_progress_begin(ctx, "aws", cl.task_count);
	aws_run(&cl);
	mamori_progress_end(ctx);

	emit_regions(&cl);
	emit_errors(&cl);
	out->error_count = col.error_count;
	size_t n = (size_t)cJSON_GetArraySize(col.items);
	if (n > 1) {
		/* sort the items: detach into an array, sort, re-link */
		cJSON **v = mamori_xmalloc(n * sizeof *v);
		size_t k = 0;
		for (cJSON *it = col.items->child; it; it = it->next)
			v[k++] = it;
		qsort(v, n, sizeof *v, by_item);
		for (size_t i = 0; i < n; i++) {
			v[i]->prev = i ? v[i - 1] : v[n - 1];
			v[i]->next = i + 1 < n ? v[i + 1] : NULL;
		}
		col.items->child = v[0];
		free(v);
	}
	double p0 = aws_now();
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "fileVersion", "1.0");
	cJSON_AddStringToObject(root, "generatedBy", cl.user_agent);
	cJSON_AddItemToObject(root, "configurationItems", col.items);
	col.items = NULL;
	out->snapshot = mamori_json_print(root, true);
	out->snapshot_len = strlen(out->snapshot);
	cJSON_Delete(root);
	cl.stats.parse_seconds += aws_now() - p0;
	out->account_count = accounts.count;
	out->accounts = mamori_xcalloc(accounts.count ? accounts.count : 1, sizeof *out->accounts);
	for (size_t i = 0; i < accounts.count; i++)
		out->accounts[i] = mamori_xstrdup(accounts.items[i].account);
	if (accounts.count > 1)
		qsort(out->accounts, accounts.count, sizeof *out->accounts, by_cstr);
	rc = MAMORI_OK;
out:
	cl.stats.seconds = aws_now() - t0;
	out->stats = cl.stats;
	for (size_t i = 0; i < accounts.count; i++) {
		for (size_t r = 0; r < accounts.items[i].region_count; r++)
			free(accounts.items[i].regions[r]);
		free(accounts.items[i].regions);
	}
	free(accounts.items);
	free(home);
	collector_free(&col);
	aws_client_free(&cl);
	return rc;
}

void mamori_aws_collection_free(mamori_aws_collection *c)
{
	if (!c)
		return;
	free(c->snapshot);
	for (size_t i = 0; i < c->account_count; i++)
		free(c->accounts[i]);
	free(c->accounts);
	if (c->temp_dir) {
		char path[4200];
		snprintf(path, sizeof path, "%s/aws-config-snapshot.json", c->temp_dir);
		unlink(path);
		rmdir(c->temp_dir);
		free(c->temp_dir);
	}
	memset(c, 0, sizeof *c);
}
