/*
 * http.c — the request engine: libcurl multi, SigV4 by libcurl, retries.
 *
 * Every AWS call is an aws_call: what to ask (service, region, operation,
 * parameters) and what to do with each page of the answer (done()).  Calls
 * wait in one FIFO queue; at most `concurrency` are in flight on the curl
 * multi handle, which keeps connections alive per host.  A call that fails
 * in a way worth retrying (throttling, 5xx, 429, a transport error) goes
 * back in the queue with a "not before" time: exponential backoff with full
 * jitter, like the AWS SDKs' standard retry mode (delay = random(0, min(cap,
 * base * 2^attempt))).  Credentials that expire or are refused as expired
 * are refreshed once and the call is retried.
 *
 * Signing is libcurl's CURLOPT_AWS_SIGV4 (no crypto of our own).  What it
 * does not do we add as headers that it then signs: the session token
 * (x-amz-security-token) and, for S3, x-amz-content-sha256, which S3
 * requires on every request; our S3 requests are bodiless GETs, so the
 * value is the SHA-256 of the empty payload (a constant), the same hash
 * libcurl puts in the canonical request.  Query strings are built already
 * in SigV4's canonical form (sorted, RFC 3986-encoded, "k=" for empty
 * values), so the canonical request libcurl computes matches whether or
 * not its version re-sorts them.
 *
 * Blocking calls (aws_call_sync) use the same preparation and retry rules
 * with curl_easy_perform: credentials and account discovery need their
 * answer before anything else can start.
 */
#include "aws_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define MAX_BACKOFF_S 20.0
#define MAX_PAGES 100000
#define MAX_RESPONSE (256u << 20)

double aws_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *env2(const char *a, const char *b)
{
	const char *v = getenv(a);
	if (v && *v)
		return v;
	v = getenv(b);
	return v && *v ? v : NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? mamori_xstrdup(s) : NULL;
}

int aws_client_init(aws_client *cl, mamori_ctx *ctx, const mamori_aws_options *opts)
{
	memset(cl, 0, sizeof *cl);
	cl->ctx = ctx;
	cl->opts = opts;
	cl->config_rc = cl->credentials_rc = 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return mamori_error_set(ctx, MAMORI_EINTERNAL, "libcurl could not be initialised");
	cl->multi = curl_multi_init();
	cl->share = curl_share_init();
	if (!cl->multi || !cl->share)
		mamori_oom(0);
	curl_share_setopt(cl->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	cl->concurrency = opts->concurrency ? opts->concurrency : 16;
	if (cl->concurrency > 256)
		cl->concurrency = 256;
	curl_multi_setopt(cl->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)cl->concurrency);
	curl_multi_setopt(cl->multi, CURLMOPT_MAXCONNECTS, (long)cl->concurrency * 2);
	cl->max_attempts = opts->max_attempts;
	if (!cl->max_attempts) {
		const char *m = getenv("AWS_MAX_ATTEMPTS");
		long v = m ? strtol(m, NULL, 10) : 0;
		cl->max_attempts = v > 0 && v < 100 ? (unsigned)v : 5;
	}
	cl->retry_base_ms = opts->retry_base_ms ? opts->retry_base_ms : 200;
	cl->timeout_ms = opts->timeout_ms ? (long)opts->timeout_ms : 30000;
	cl->connect_timeout_ms = opts->connect_timeout_ms ? (long)opts->connect_timeout_ms : 5000;
	snprintf(cl->user_agent, sizeof cl->user_agent, "mamori/%s", mamori_version());
	/* the CLI honours both spellings of the proxy variables */
	cl->proxy_https = dup_or_null(env2("HTTPS_PROXY", "https_proxy"));
	cl->proxy_http = dup_or_null(env2("HTTP_PROXY", "http_proxy"));
	cl->no_proxy = dup_or_null(env2("NO_PROXY", "no_proxy"));
	cl->ca_bundle = dup_or_null(getenv("AWS_CA_BUNDLE"));
	cl->rng = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)cl;
	return MAMORI_OK;
}

static void identity_free(aws_identity *id)
{
	/* wipe the secrets */
	char *secrets[] = {id->access_key, id->secret_key, id->token, id->auth_token};
	for (size_t i = 0; i < 4; i++)
		if (secrets[i]) {
			volatile char *w = secrets[i];
			while (*w)
				*w++ = '\0';
		}
	free(id->access_key);
	free(id->secret_key);
	free(id->token);
	free(id->source);
	free(id->role_arn);
	free(id->external_id);
	free(id->session_name);
	free(id->mfa_serial);
	free(id->token_file);
	free(id->process);
	free(id->url);
	free(id->auth_token);
	free(id->auth_file);
	free(id->account_id);
	free(id->arn);
	free(id);
}

void aws_client_free(aws_client *cl)
{
	while (cl->queue) {
		aws_call *c = cl->queue;
		cl->queue = c->next;
		aws_call_free(c);
	}
	for (aws_identity *id = cl->identities, *next; id; id = next) {
		next = id->next;
		identity_free(id);
	}
	for (size_t i = 0; i < cl->owned_count; i++)
		free(cl->owned[i]);
	free(cl->owned);
	for (aws_task *t = cl->tasks, *next; t; t = next) {
		next = t->next;
		free(t->account);
		free(t);
	}
	if (cl->multi)
		curl_multi_cleanup(cl->multi);
	if (cl->share)
		curl_share_cleanup(cl->share);
	curl_global_cleanup();
	free(cl->proxy_http);
	free(cl->proxy_https);
	free(cl->no_proxy);
	free(cl->ca_bundle);
	if (cl->config_rc == 0)
		aws_ini_free(&cl->config);
	if (cl->credentials_rc == 0)
		aws_ini_free(&cl->credentials);
	mamori_buf_free(&cl->config_err);
	mamori_buf_free(&cl->credentials_err);
	memset(cl, 0, sizeof *cl);
}

/* ---- calls ---- */

aws_call *aws_call_new(aws_client *cl, const aws_service *svc, aws_identity *id,
		       const char *region, const char *op)
{
	aws_call *c = mamori_xcalloc(1, sizeof *c);
	c->cl = cl;
	c->svc = svc;
	c->id = id;
	snprintf(c->region, sizeof c->region, "%s", aws_signing_region(svc, region));
	c->op = op;
	c->method = svc->protocol == AWS_REST_XML || svc->protocol == AWS_REST_JSON ? "GET"
										 : "POST";
	c->path = mamori_xstrdup("/");
	return c;
}

void aws_call_param(aws_call *c, const char *key, const char *value)
{
	if (c->nparams == c->capparams) {
		c->capparams = c->capparams ? c->capparams * 2 : 8;
		c->params = mamori_xrealloc(c->params, c->capparams * sizeof *c->params);
	}
	c->params[c->nparams].key = mamori_xstrdup(key);
	c->params[c->nparams].value = mamori_xstrdup(value ? value : "");
	c->nparams++;
}

void aws_call_paramf(aws_call *c, const char *key, const char *fmt, ...)
{
	mamori_buf b = MAMORI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	aws_call_param(c, key, mamori_buf_cstr(&b));
	mamori_buf_free(&b);
}

static void reset_response(aws_call *c)
{
	c->status = 0;
	mamori_buf_free(&c->raw);
	cJSON_Delete(c->doc);
	c->doc = NULL;
	free(c->err_code);
	free(c->err_msg);
	free(c->bucket_region);
	free(c->error_type);
	c->err_code = c->err_msg = c->bucket_region = c->error_type = NULL;
	c->transport_error = false;
	c->curl_err[0] = '\0';
}

void aws_call_free(aws_call *c)
{
	if (!c)
		return;
	reset_response(c);
	if (c->easy)
		curl_easy_cleanup(c->easy);
	curl_slist_free_all(c->headers);
	mamori_buf_free(&c->body);
	for (size_t i = 0; i < c->nparams; i++) {
		free(c->params[i].key);
		free(c->params[i].value);
	}
	free(c->params);
	free(c->path);
	free(c->header);
	free(c->endpoint);
	free(c->page_token);
	free(c->resource);
	cJSON_Delete(c->json);
	free(c);
}

/* ---- preparing a request ---- */

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	aws_call *c = ud;
	size_t len = size * n;
	if (c->sink && c->easy) {
		/* a streamed object: a 2xx body goes to the sink, an error
		 * document to raw as usual */
		long st = 0;
		curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &st);
		if (st >= 200 && st < 300)
			return c->sink(c, p, len);
	}
	if (c->raw.len + len > MAX_RESPONSE)
		return 0; /* abort: no answer of ours is that big */
	mamori_buf_append(&c->raw, p, len);
	return len;
}

static char *header_value(const char *p, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (len <= nl + 1 || strncasecmp(p, name, nl) != 0 || p[nl] != ':')
		return NULL;
	const char *v = p + nl + 1;
	const char *end = p + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	char *s = mamori_xmalloc((size_t)(end - v) + 1);
	memcpy(s, v, (size_t)(end - v));
	s[end - v] = '\0';
	return s;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	aws_call *c = ud;
	size_t len = size * n;
	char *v;
	if ((v = header_value(p, len, "x-amz-bucket-region"))) {
		free(c->bucket_region);
		c->bucket_region = v;
	} else if ((v = header_value(p, len, "x-amzn-ErrorType"))) {
		free(c->error_type);
		c->error_type = v;
	}
	return len;
}

static void add_header(aws_call *c, const char *fmt, ...) MAMORI_PRINTF(2, 3);
static void add_header(aws_call *c, const char *fmt, ...)
{
	mamori_buf b = MAMORI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	struct curl_slist *l = curl_slist_append(c->headers, mamori_buf_cstr(&b));
	if (!l)
		mamori_oom(b.len);
	c->headers = l;
	mamori_buf_free(&b);
}

static void set_proxy(aws_client *cl, CURL *e, const char *url)
{
	const char *proxy = strncasecmp(url, "https:", 6) == 0 ? cl->proxy_https : cl->proxy_http;
	if (proxy)
		curl_easy_setopt(e, CURLOPT_PROXY, proxy);
	if (cl->no_proxy)
		curl_easy_setopt(e, CURLOPT_NOPROXY, cl->no_proxy);
	if (cl->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, cl->ca_bundle);
}

/* Configure c->easy for one attempt. */
static int prepare(aws_call *c)
{
	aws_client *cl = c->cl;
	if (c->id && (aws_creds_stale(c->id)) && c->id->kind != AWS_CRED_STATIC) {
		if (aws_creds_refresh(cl, c->id) != MAMORI_OK) {
			c->err_code = mamori_xstrdup("ExpiredToken");
			c->err_msg = mamori_xstrdup(mamori_error_last(cl->ctx)->message);
			return -1;
		}
	}
	if (!c->easy) {
		c->easy = curl_easy_init();
		if (!c->easy)
			mamori_oom(0);
	} else {
		curl_easy_reset(c->easy);
	}
	curl_slist_free_all(c->headers);
	c->headers = NULL;
	mamori_buf_reset(&c->body);
	CURL *e = c->easy;
	char *endpoint = c->endpoint ? mamori_xstrdup(c->endpoint)
				     : aws_endpoint(cl, c->svc, c->region);
	mamori_buf url = MAMORI_BUF_INIT;
	aws_proto_build(c, endpoint, &url);
	free(endpoint);
	curl_easy_setopt(e, CURLOPT_URL, url.data);
	set_proxy(cl, e, url.data);
	mamori_buf_free(&url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, c);
	curl_easy_setopt(e, CURLOPT_SHARE, cl->share);
	curl_easy_setopt(e, CURLOPT_USERAGENT, cl->user_agent);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, cl->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cl->connect_timeout_ms);
	/* a streamed object arrives as stored: its gzip members are the
	 * reader's to decode (libcurl would stop after the first member) */
	if (!c->sink)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->curl_err);
	/* headers the protocol needs (set by aws_proto_build into c->headers
	 * through the add_* below), then credentials */
	switch (c->svc->protocol) {
	case AWS_QUERY:
	case AWS_EC2:
		add_header(c, "Content-Type: application/x-www-form-urlencoded; charset=utf-8");
		break;
	case AWS_JSON:
		add_header(c, "Content-Type: application/x-amz-json-%s", c->svc->json_version);
		add_header(c, "X-Amz-Target: %s.%s", c->svc->version, c->op);
		break;
	case AWS_REST_JSON:
		if (c->body.len)
			add_header(c, "Content-Type: application/json");
		break;
	case AWS_REST_XML:
		break;
	}
	if (strcmp(c->svc->signing, "s3") == 0)
		add_header(c, "x-amz-content-sha256: %s", EMPTY_SHA256);
	if (c->header)
		add_header(c, "%s", c->header);
	/* no "Expect:" suppression line: libcurl would sign the empty header it
	 * then does not send; our bodies are far below its 100-continue threshold */
	if (c->id) {
		if (c->id->token)
			add_header(c, "x-amz-security-token: %s", c->id->token);
		char sig[128];
		snprintf(sig, sizeof sig, "aws:amz:%s:%s", c->region, c->svc->signing);
		curl_easy_setopt(e, CURLOPT_AWS_SIGV4, sig);
		curl_easy_setopt(e, CURLOPT_USERNAME, c->id->access_key);
		curl_easy_setopt(e, CURLOPT_PASSWORD, c->id->secret_key);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
	if (strcmp(c->method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, mamori_buf_cstr(&c->body));
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)c->body.len);
	}
	c->started = aws_now();
	return 0;
}

/* ---- what to do with an answer ---- */

typedef enum verdict { V_DONE, V_RETRY, V_RETRY_NOW } verdict;

static uint64_t next_rand(aws_client *cl)
{
	/* xorshift64*: jitter only needs to spread retries, not to be secret */
	cl->rng ^= cl->rng >> 12;
	cl->rng ^= cl->rng << 25;
	cl->rng ^= cl->rng >> 27;
	return cl->rng * 2685821657736338717ull;
}

static double backoff(aws_client *cl, unsigned attempt)
{
	double cap = (double)cl->retry_base_ms / 1000.0;
	for (unsigned i = 0; i < attempt && cap < MAX_BACKOFF_S; i++)
		cap *= 2;
	if (cap > MAX_BACKOFF_S)
		cap = MAX_BACKOFF_S;
	double r = (double)(next_rand(cl) >> 11) / (double)(1ull << 53);
	return r * cap;
}

static bool transport_retryable(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static verdict judge(aws_call *c, CURLcode rc)
{
	aws_client *cl = c->cl;
	double t = aws_now() - c->started;
	cl->stats.http_seconds += t;
	cl->stats.calls++;
	if (c->task)
		c->task->calls++;
	if (rc != CURLE_OK) {
		c->transport_error = true;
		c->err_code = mamori_xstrdup(rc == CURLE_OPERATION_TIMEDOUT ? "RequestTimeout"
									     : "ConnectionError");
		c->err_msg = mamori_xstrdup(c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
		if (transport_retryable(rc) && c->attempt + 1 < cl->max_attempts)
			return V_RETRY;
		return V_DONE;
	}
	curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->status);
	cl->stats.bytes_in += c->raw.len;
	double p0 = aws_now();
	aws_proto_parse(c);
	cl->stats.parse_seconds += aws_now() - p0;
	if (!c->err_code)
		return V_DONE;
	bool throttled = c->status == 429 || aws_error_throttling(c->err_code);
	if (throttled)
		cl->stats.throttled++;
	if (aws_error_expired(c->err_code) && c->id && c->id->kind != AWS_CRED_STATIC &&
	    !c->refreshed) {
		c->refreshed = true;
		mamori_log(cl->ctx, MAMORI_LOG_INFO, "%s: credentials expired (%s); refreshing",
			   c->id->source, c->err_code);
		if (aws_creds_refresh(cl, c->id) == MAMORI_OK)
			return V_RETRY_NOW;
	}
	bool retryable = throttled || c->status >= 500 || aws_error_transient(c->err_code);
	if (retryable && c->attempt + 1 < cl->max_attempts)
		return V_RETRY;
	return V_DONE;
}

/* ---- asynchronous ---- */

static void enqueue(aws_client *cl, aws_call *c)
{
	c->next = NULL;
	if (cl->queue_tail)
		cl->queue_tail->next = c;
	else
		cl->queue = c;
	cl->queue_tail = c;
}

void aws_submit(aws_call *c, aws_done_fn done, void *ud)
{
	c->done = done;
	c->ud = ud;
	enqueue(c->cl, c);
}

bool aws_next_page(aws_call *c, const char *token)
{
	if (mamori_str_empty(token))
		return false;
	if (c->page_token && strcmp(c->page_token, token) == 0) {
		aws_report_problem(c->cl, c->id ? c->id->account_id : NULL, c->region,
				   c->svc->name, c->op, "PaginationLoop",
				   "the service returned the same page token twice; stopped "
				   "reading after %u pages",
				   c->pages + 1);
		return false;
	}
	if (c->pages + 1 >= MAX_PAGES)
		return false;
	free(c->page_token);
	c->page_token = mamori_xstrdup(token);
	c->pages++;
	c->resubmitted = true;
	return true;
}

static void finish(aws_call *c)
{
	aws_client *cl = c->cl;
	if (c->err_code)
		cl->stats.failed++;
	c->resubmitted = false;
	double p0 = aws_now();
	if (c->done)
		c->done(c);
	cl->stats.parse_seconds += aws_now() - p0;
	if (c->resubmitted) {
		reset_response(c);
		c->attempt = 0;
		c->refreshed = false;
		enqueue(cl, c);
		return;
	}
	aws_task *t = c->task;
	aws_call_free(c);
	if (t && --t->pending == 0 && !t->finished) {
		t->finished = true;
		cl->tasks_done++;
		/* the collection holds the outer task open: this inner one
		 * relabels the bar with the service and region just read */
		char label[160];
		snprintf(label, sizeof label, "aws %s: %s %s", t->account ? t->account : "",
			 t->service, t->region);
		mamori_progress_begin(cl->ctx, label, cl->task_count);
		mamori_progress_update(cl->ctx, cl->tasks_done);
		mamori_progress_end(cl->ctx);
	}
}

static void retry_later(aws_call *c, verdict v)
{
	aws_client *cl = c->cl;
	cl->stats.retries++;
	mamori_log(cl->ctx, MAMORI_LOG_DEBUG, "%s %s in %s: %s (%s); retrying", c->svc->name, c->op,
		   c->region, c->err_code ? c->err_code : "error",
		   c->err_msg ? c->err_msg : "");
	double delay = v == V_RETRY_NOW ? 0 : backoff(cl, c->attempt);
	if (v == V_RETRY)
		c->attempt++;
	reset_response(c);
	c->ready_at = aws_now() + delay;
	enqueue(cl, c);
}

/* Start the next ready call from the queue; false if none is ready. */
static bool start_one(aws_client *cl, double now, double *next_ready)
{
	aws_call *prev = NULL;
	for (aws_call *c = cl->queue; c; prev = c, c = c->next) {
		if (c->ready_at > now) {
			if (*next_ready == 0 || c->ready_at < *next_ready)
				*next_ready = c->ready_at;
			continue;
		}
		if (prev)
			prev->next = c->next;
		else
			cl->queue = c->next;
		if (cl->queue_tail == c)
			cl->queue_tail = prev;
		c->next = NULL;
		if (prepare(c) != 0) {
			finish(c);
			return true;
		}
		curl_multi_add_handle(cl->multi, c->easy);
		cl->running++;
		return true;
	}
	return false;
}

void aws_run(aws_client *cl)
{
	for (;;) {
		double now = aws_now(), next_ready = 0;
		while (cl->running < cl->concurrency && start_one(cl, now, &next_ready))
			next_ready = 0;
		if (cl->running == 0 && !cl->queue)
			break;
		int still = 0;
		curl_multi_perform(cl->multi, &still);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(cl->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			aws_call *c = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			CURLcode rc = m->data.result;
			curl_multi_remove_handle(cl->multi, m->easy_handle);
			cl->running--;
			verdict v = judge(c, rc);
			if (v == V_DONE)
				finish(c);
			else
				retry_later(c, v);
		}
		if (cl->running == 0 && cl->queue) {
			/* everything waits for a backoff: sleep until the first is due */
			double wait = next_ready - aws_now();
			if (wait > 0) {
				struct timespec ts = {(time_t)wait,
						      (long)((wait - (double)(time_t)wait) * 1e9)};
				nanosleep(&ts, NULL);
			}
			continue;
		}
		int timeout = 100;
		if (next_ready > 0) {
			double ms = (next_ready - aws_now()) * 1000;
			if (ms < timeout)
				timeout = ms < 1 ? 1 : (int)ms;
		}
		curl_multi_poll(cl->multi, NULL, 0, timeout, NULL);
	}
}

/* ---- driven by the caller (streamed objects, s3_objects.c) ---- */

int aws_attempt_prepare(aws_call *c)
{
	return prepare(c);
}

bool aws_attempt_retry(aws_call *c, CURLcode rc, double *delay)
{
	aws_client *cl = c->cl;
	verdict v = judge(c, rc);
	if (v == V_DONE) {
		if (c->err_code)
			cl->stats.failed++;
		return false;
	}
	cl->stats.retries++;
	*delay = v == V_RETRY_NOW ? 0 : backoff(cl, c->attempt);
	if (v == V_RETRY)
		c->attempt++;
	mamori_log(cl->ctx, MAMORI_LOG_DEBUG, "%s %s: %s; retrying in %.2f s", c->svc->name, c->op,
		   c->err_code, *delay);
	reset_response(c);
	return true;
}

/* ---- blocking ---- */

int aws_call_sync(aws_call *c)
{
	aws_client *cl = c->cl;
	for (;;) {
		verdict v;
		if (prepare(c) != 0) {
			v = V_DONE;
		} else {
			CURLcode rc = curl_easy_perform(c->easy);
			v = judge(c, rc);
		}
		if (v == V_DONE)
			break;
		cl->stats.retries++;
		double delay = v == V_RETRY_NOW ? 0 : backoff(cl, c->attempt);
		if (v == V_RETRY)
			c->attempt++;
		mamori_log(cl->ctx, MAMORI_LOG_DEBUG, "%s %s: %s; retrying in %.2f s",
			   c->svc->name, c->op, c->err_code, delay);
		reset_response(c);
		struct timespec ts = {(time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9)};
		nanosleep(&ts, NULL);
	}
	if (c->err_code) {
		cl->stats.failed++;
		return mamori_error_set(cl->ctx, MAMORI_EINPUT, "%s %s in %s: %s: %s", c->svc->name,
					c->op, c->region, c->err_code,
					c->err_msg ? c->err_msg : "no message");
	}
	return MAMORI_OK;
}

int aws_http_plain(aws_client *cl, const char *method, const char *url,
		   const char *const *headers, mamori_buf *out, long *status)
{
	CURL *e = curl_easy_init();
	if (!e)
		mamori_oom(0);
	aws_call tmp = {0};
	tmp.cl = cl;
	struct curl_slist *h = NULL;
	for (; headers && *headers; headers++)
		h = curl_slist_append(h, *headers);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_USERAGENT, cl->user_agent);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*"); /* link-local endpoints: never via a proxy */
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &tmp);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, tmp.curl_err);
	if (strcmp(method, "PUT") == 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "");
	}
	CURLcode rc = curl_easy_perform(e);
	*status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, status);
	cl->stats.calls++;
	curl_easy_cleanup(e);
	curl_slist_free_all(h);
	mamori_buf_reset(out);
	if (tmp.raw.data)
		mamori_buf_append(out, tmp.raw.data, tmp.raw.len);
	mamori_buf_free(&tmp.raw);
	if (rc != CURLE_OK)
		return mamori_error_set(cl->ctx, MAMORI_EINPUT, "%s: %s", url,
					tmp.curl_err[0] ? tmp.curl_err : curl_easy_strerror(rc));
	return MAMORI_OK;
}
