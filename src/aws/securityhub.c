/*
 * securityhub.c — findings sent to AWS Security Hub (BatchImportFindings).
 *
 * The one write mamori makes to AWS, through the same client as the
 * collectors: the credential chain, SigV4 by libcurl, the REST-JSON
 * protocol (POST /findings/import), retries with backoff on throttling and
 * 5xx.  Steps: resolve the credentials and home region, ask STS whose they
 * are (the ProductArn must name that account), then stream the findings
 * into requests of at most 100 findings and 6 MB, four in flight, each
 * built when a slot frees so that memory stays one batch per slot whatever
 * the number of findings.
 *
 * Each finding is the strict ASFF document of mamori_finding_to_asff()
 * (every length within Security Hub's limits, see finding.c) with three
 * changes: ProductArn and AwsAccountId name the caller's account (for
 * findings of no AWS account) and FindingProviderFields carries Severity
 * and Types, the place Security Hub reads a provider's updates of them
 * from once a finding exists.  A finding over 240 KB loses its resource
 * details and evidence; one still over is refused here, as Security Hub
 * would refuse it.
 *
 * What Security Hub answers per finding (FailedFindings) is kept per
 * finding; a request refused as a whole after its retries (no access,
 * hub not enabled in the region) stops the push, since every following
 * request would be refused the same way.
 */
#include "aws_internal.h"

#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 100
#define MAX_REQUEST_BYTES (6u * 1000u * 1000u) /* "up to 6 MB per batch" */
#define MAX_FINDING_BYTES (240u * 1000u)      /* "up to 240 KB per finding" */
#define IN_FLIGHT 4

typedef struct pusher {
	aws_client *cl;
	aws_identity *id;
	const mamori_securityhub_options *opts;
	const mamori_finding *const *findings;
	size_t count, next; /* the next finding to consider */
	unsigned batch_size;
	size_t done;	    /* findings accounted for, for the progress bar */
	size_t to_send;	    /* findings of the caller (or of no account) */
	bool stopped;	    /* a request failed as a whole */
	mamori_securityhub_result *out;
	size_t failure_cap, skip_cap;
} pusher;

/* One request in flight: the ids it carries. */
typedef struct batch {
	const char **ids;
	size_t count;
} batch;

static void add_failure(pusher *p, const char *id, const char *code, const char *msg)
{
	mamori_securityhub_result *r = p->out;
	if (r->failure_count == p->failure_cap) {
		p->failure_cap = p->failure_cap ? p->failure_cap * 2 : 16;
		r->failures = mamori_xrealloc(r->failures, p->failure_cap * sizeof *r->failures);
	}
	mamori_securityhub_failure *f = &r->failures[r->failure_count++];
	f->id = mamori_arena_strdup(&r->arena, id ? id : "");
	f->code = mamori_arena_strdup(&r->arena, code ? code : "Error");
	f->message = mamori_arena_strdup(&r->arena, msg ? msg : "");
	r->failed++;
}

static void add_skip(pusher *p, const char *account)
{
	mamori_securityhub_result *r = p->out;
	r->skipped++;
	for (size_t i = 0; i < r->skip_count; i++)
		if (strcmp(r->skips[i].account, account) == 0) {
			r->skips[i].count++;
			return;
		}
	if (r->skip_count == p->skip_cap) {
		p->skip_cap = p->skip_cap ? p->skip_cap * 2 : 8;
		r->skips = mamori_xrealloc(r->skips, p->skip_cap * sizeof *r->skips);
	}
	r->skips[r->skip_count++] =
		(mamori_securityhub_skip){mamori_arena_strdup(&r->arena, account), 1};
}

static bool no_account(const char *account)
{
	return mamori_str_empty(account) || strcmp(account, MAMORI_NO_ACCOUNT) == 0;
}

static void set_member(cJSON *o, const char *key, cJSON *v)
{
	if (mamori_json_get(o, key))
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
	else
		cJSON_AddItemToObject(o, key, v);
}

/* The finding as a BatchImportFindings element and its size, or NULL (too
 * large: counted as failed). */
static cJSON *import_document(pusher *p, const mamori_finding *f, size_t *size)
{
	char *text = mamori_finding_to_asff(f, 0);
	cJSON *o = cJSON_Parse(text);
	free(text);
	if (!o)
		return NULL; /* our own JSON: cannot happen */
	set_member(o, "AwsAccountId", cJSON_CreateString(p->out->account));
	set_member(o, "ProductArn", cJSON_CreateString(p->out->product_arn));
	cJSON *fpf = cJSON_CreateObject();
	const cJSON *sev = mamori_json_get(o, "Severity");
	cJSON *fsev = cJSON_AddObjectToObject(fpf, "Severity");
	mamori_json_add_str(fsev, "Label", mamori_json_str(sev, "Label"));
	mamori_json_add_str(fsev, "Original", mamori_json_str(sev, "Original"));
	const cJSON *types = mamori_json_get(o, "Types");
	if (types)
		cJSON_AddItemToObject(fpf, "Types", cJSON_Duplicate(types, true));
	set_member(o, "FindingProviderFields", fpf);
	char *s = mamori_json_print(o, false);
	*size = strlen(s);
	free(s);
	if (*size > MAX_FINDING_BYTES) {
		/* the bulky parts: configuration details and evidence */
		cJSON *res;
		cJSON_ArrayForEach(res, mamori_json_get(o, "Resources"))
		{
			if (mamori_json_get(res, "Details"))
				cJSON_DeleteItemFromObjectCaseSensitive(res, "Details");
		}
		cJSON *pf = mamori_json_get(o, "ProductFields");
		if (pf && mamori_json_get(pf, "mamori/Evidence"))
			cJSON_DeleteItemFromObjectCaseSensitive(pf, "mamori/Evidence");
		s = mamori_json_print(o, false);
		*size = strlen(s);
		free(s);
		mamori_log(p->cl->ctx, MAMORI_LOG_INFO,
			   "%s: over 240 KB; sent without resource details and evidence", f->id);
	}
	if (*size > MAX_FINDING_BYTES) {
		char msg[160];
		snprintf(msg, sizeof msg,
			 "the finding is %zu KB even without details; Security Hub accepts 240 KB",
			 *size / 1000);
		add_failure(p, f->id, "FindingTooLarge", msg);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static void progress(pusher *p)
{
	mamori_progress_update(p->cl->ctx, p->done);
}

static void batch_done(aws_call *c);

/* Build the next request from the findings not yet considered; NULL when
 * there is nothing left to send. */
static aws_call *next_batch(pusher *p)
{
	mamori_securityhub_result *r = p->out;
	cJSON *body = cJSON_CreateObject();
	cJSON *list = cJSON_AddArrayToObject(body, "Findings");
	size_t bytes = 16;
	batch *b = mamori_xcalloc(1, sizeof *b);
	b->ids = mamori_xcalloc(p->batch_size, sizeof *b->ids);
	while (p->next < p->count && b->count < p->batch_size && !p->stopped) {
		const mamori_finding *f = p->findings[p->next];
		if (!no_account(f->aws_account_id) && strcmp(f->aws_account_id, r->account) != 0) {
			p->next++;
			add_skip(p, f->aws_account_id);
			continue;
		}
		size_t size;
		cJSON *doc = import_document(p, f, &size);
		if (!doc) {
			p->next++;
			p->done++;
			continue;
		}
		if (b->count && bytes + size + 1 > MAX_REQUEST_BYTES) {
			cJSON_Delete(doc); /* starts the next request */
			break;
		}
		cJSON_AddItemToArray(list, doc);
		bytes += size + 1;
		b->ids[b->count++] = f->id;
		p->next++;
	}
	if (!b->count) {
		cJSON_Delete(body);
		free(b->ids);
		free(b);
		progress(p);
		return NULL;
	}
	r->batches++;
	r->sent += b->count;
	if (p->opts->bodies) {
		char *text = mamori_json_print(body, false);
		fputs(text, p->opts->bodies);
		fputc('\n', p->opts->bodies);
		free(text);
	}
	aws_call *c = aws_call_new(p->cl, &aws_svc_securityhub, p->id, r->region,
				   "BatchImportFindings");
	c->method = "POST";
	free(c->path);
	c->path = mamori_xstrdup("/findings/import");
	c->json = body;
	c->ud2 = b;
	return c;
}

static void batch_free(batch *b)
{
	if (b) {
		free(b->ids);
		free(b);
	}
}

/* Keep IN_FLIGHT requests going (or, in a dry run, build them all). */
static void refill(pusher *p)
{
	while (!p->stopped && p->next < p->count) {
		aws_call *c = next_batch(p);
		if (!c)
			break;
		if (p->opts->dry_run) {
			batch *b = c->ud2;
			p->done += b->count;
			progress(p);
			batch_free(b);
			aws_call_free(c);
			continue;
		}
		aws_submit(c, batch_done, p);
		return; /* one new request per finished one */
	}
}

static void batch_done(aws_call *c)
{
	pusher *p = c->ud;
	batch *b = c->ud2;
	mamori_securityhub_result *r = p->out;
	if (c->err_code) {
		/* refused as a whole, after the retries: every finding of it, and
		 * the push, since the next requests would fare the same */
		char msg[600];
		snprintf(msg, sizeof msg, "%s: %s", c->err_code, c->err_msg ? c->err_msg : "");
		if (!r->error)
			r->error = mamori_arena_strdup(&r->arena, msg);
		r->failed += b->count;
		r->refused += b->count;
		p->stopped = true;
	} else {
		/* never more than were sent (and no cast of an absurd number) */
		const cJSON *ok = mamori_json_get(c->doc, "SuccessCount");
		if (cJSON_IsNumber(ok) && ok->valuedouble >= 0)
			r->imported += ok->valuedouble < (double)b->count ? (size_t)ok->valuedouble
									  : b->count;
		const cJSON *ff;
		cJSON_ArrayForEach(ff, mamori_json_get(c->doc, "FailedFindings"))
		{
			add_failure(p, mamori_json_str(ff, "Id"), mamori_json_str(ff, "ErrorCode"),
				    mamori_json_str(ff, "ErrorMessage"));
		}
	}
	p->done += b->count;
	progress(p);
	batch_free(b);
	c->ud2 = NULL;
	refill(p);
}

/* The caller: credentials, home region, account (STS). */
static int whoami(aws_client *cl, mamori_securityhub_result *out, aws_identity **id)
{
	int rc = aws_creds_resolve(cl, id);
	if (rc)
		return rc;
	char *home = aws_region_resolve(cl);
	out->region = mamori_arena_strdup(&out->arena, home);
	free(home);
	if (!aws_region_valid(out->region))
		return mamori_error_set(cl->ctx, MAMORI_EUSAGE,
					"\"%s\" is not a region name (from --region, AWS_REGION, "
					"AWS_DEFAULT_REGION or the profile)",
					out->region);
	rc = aws_who_am_i(cl, *id, out->region);
	if (rc)
		return rc;
	out->account = mamori_arena_strdup(&out->arena, (*id)->account_id);
	out->product_arn = mamori_arena_printf(&out->arena,
					       "arn:%s:securityhub:%s:%s:product/%s/default",
					       aws_partition(out->region), out->region, out->account,
					       out->account);
	return MAMORI_OK;
}

int mamori_securityhub_push(mamori_ctx *ctx, const mamori_aws_options *aws,
			    const mamori_securityhub_options *opts,
			    const mamori_finding *const *findings, size_t count,
			    mamori_securityhub_result *out)
{
	memset(out, 0, sizeof *out);
	mamori_arena_init(&out->arena, 0);
	static const mamori_securityhub_options defaults = {0};
	if (!opts)
		opts = &defaults;
	if (opts->batch_size > MAX_BATCH)
		return mamori_error_set(ctx, MAMORI_EUSAGE,
					"Security Hub takes at most %d findings per request",
					MAX_BATCH);
	int rc = aws_check_endpoints(ctx, aws);
	if (rc)
		return rc;
	mamori_aws_options o = *aws;
	if (!o.concurrency)
		o.concurrency = IN_FLIGHT; /* 10 requests a second per account and region */
	aws_client cl;
	rc = aws_client_init(&cl, ctx, &o);
	if (rc)
		return rc;
	double t0 = aws_now();
	aws_identity *id = NULL;
	rc = whoami(&cl, out, &id);
	if (rc == MAMORI_OK) {
		pusher p = {.cl = &cl,
			    .id = id,
			    .opts = opts,
			    .findings = findings,
			    .count = count,
			    .batch_size = opts->batch_size ? opts->batch_size : MAX_BATCH,
			    .out = out};
		for (size_t i = 0; i < count; i++)
			if (no_account(findings[i]->aws_account_id) ||
			    strcmp(findings[i]->aws_account_id, out->account) == 0)
				p.to_send++;
		mamori_log(ctx, MAMORI_LOG_INFO,
			   "securityhub: %zu of %zu findings for account %s, to %s as %s%s",
			   p.to_send, count, out->account, out->region, out->product_arn,
			   opts->dry_run ? " (dry run)" : "");
		mamori_progress_begin(ctx, "securityhub", p.to_send);
		for (unsigned i = 0; i < cl.concurrency && !p.stopped && p.next < count; i++)
			refill(&p);
		aws_run(&cl);
		mamori_progress_end(ctx);
		/* what a stopped push never sent */
		for (; p.next < count; p.next++) {
			const mamori_finding *f = findings[p.next];
			if (no_account(f->aws_account_id) || strcmp(f->aws_account_id, out->account) == 0)
				out->unsent++;
			else
				add_skip(&p, f->aws_account_id);
		}
	}
	cl.stats.seconds = aws_now() - t0;
	out->stats = cl.stats;
	aws_client_free(&cl);
	return rc;
}

void mamori_securityhub_result_free(mamori_securityhub_result *r)
{
	if (!r)
		return;
	free(r->failures);
	free(r->skips);
	mamori_arena_free(&r->arena);
	memset(r, 0, sizeof *r);
}
