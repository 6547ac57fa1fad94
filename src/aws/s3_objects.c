/*
 * s3_objects.c — reading objects out of S3: list a prefix, stream objects.
 *
 * The read-only pair `mamori detect s3://bucket/prefix/` needs, on the
 * same client as the collectors (credential chain, SigV4 by libcurl,
 * --endpoint-url, retries with backoff):
 *
 *  - ListObjectsV2 (s3:ListBucket), paged with the continuation token.
 *    A bucket lives in one region and S3 answers a request signed for
 *    another with 301 PermanentRedirect (or 400) carrying
 *    x-amz-bucket-region; we ask again there and remember it, so no
 *    s3:GetBucketLocation permission is needed.
 *
 *  - GetObject (s3:GetObject), streamed: the body is never held whole
 *    (CloudTrail and flow-log objects can be large).  The transfer runs on a
 *    curl multi handle of the session's own and the reader pulls from it:
 *    the write callback keeps at most STREAM_BUFFER bytes and pauses the
 *    transfer (CURL_WRITEFUNC_PAUSE) until the reader has taken them, so
 *    memory is bounded whatever the object's size.  The bytes are the
 *    object as stored (no Accept-Encoding): concatenated gzip members are
 *    the caller's to decode.  A failure before the first byte is retried
 *    like any call; once bytes were delivered a broken transfer is an error
 *    of that object (the reader cannot take bytes back).
 *
 * One session reads one object at a time (detect reads its inputs in
 * order); mamori_s3_get() is the push form for callers that want a callback.
 */
#include "aws_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STREAM_BUFFER (1u << 20)
#define MAX_REGIONS 64

typedef struct bucket_region {
	char *bucket;
	char *region;
} bucket_region;

struct mamori_s3 {
	aws_client cl;
	mamori_aws_options opts;
	aws_identity *id;
	char *home;
	CURLM *stream; /* GetObject transfers; keeps connections between objects */
	bucket_region regions[MAX_REGIONS];
	size_t region_count;
};

struct mamori_s3_reader {
	mamori_s3 *s3;
	aws_call *c;
	char *name; /* s3://bucket/key, for messages */
	mamori_buf pend;
	size_t pos;
	bool paused, running, done;
	uint64_t delivered;
	int status; /* MAMORI_OK, or the error met */
};

bool mamori_s3_url_parse(const char *url, char **bucket, char **prefix)
{
	if (strncmp(url, "s3://", 5) != 0)
		return false;
	const char *b = url + 5;
	size_t n = strcspn(b, "/");
	if (n == 0 || n > 63)
		return false;
	*bucket = mamori_xmalloc(n + 1);
	memcpy(*bucket, b, n);
	(*bucket)[n] = '\0';
	*prefix = mamori_xstrdup(b[n] == '/' ? b + n + 1 : "");
	return true;
}

int mamori_s3_open(mamori_ctx *ctx, const mamori_aws_options *opts, mamori_s3 **out)
{
	*out = NULL;
	static const mamori_aws_options none = {0};
	if (!opts)
		opts = &none;
	int rc = aws_check_endpoints(ctx, opts);
	if (rc)
		return rc;
	mamori_s3 *s = mamori_xcalloc(1, sizeof *s);
	s->opts = *opts;
	rc = aws_client_init(&s->cl, ctx, &s->opts);
	if (rc) {
		free(s);
		return rc;
	}
	rc = aws_creds_resolve(&s->cl, &s->id);
	if (!rc && opts->role_arn_count) {
		/* the logs are often in another account (a log archive): read as its role */
		aws_identity *role = NULL;
		rc = aws_creds_assume(&s->cl, s->id, opts->role_arns[0], opts->external_id, &role);
		if (!rc)
			s->id = role;
	}
	if (!rc) {
		s->home = aws_region_resolve(&s->cl);
		if (!aws_region_valid(s->home))
			rc = mamori_error_set(ctx, MAMORI_EUSAGE,
					      "\"%s\" is not a region name (from --region, AWS_REGION, "
					      "AWS_DEFAULT_REGION or the profile)",
					      s->home);
	}
	if (rc) {
		mamori_s3_close(s);
		return rc;
	}
	s->stream = curl_multi_init();
	if (!s->stream)
		mamori_oom(0);
	*out = s;
	return MAMORI_OK;
}

void mamori_s3_close(mamori_s3 *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->region_count; i++) {
		free(s->regions[i].bucket);
		free(s->regions[i].region);
	}
	if (s->stream)
		curl_multi_cleanup(s->stream);
	free(s->home);
	aws_client_free(&s->cl);
	free(s);
}

void mamori_s3_stats(const mamori_s3 *s, mamori_aws_stats *out)
{
	*out = s->cl.stats;
}

static const char *region_of(mamori_s3 *s, const char *bucket)
{
	for (size_t i = 0; i < s->region_count; i++)
		if (strcmp(s->regions[i].bucket, bucket) == 0)
			return s->regions[i].region;
	return s->home;
}

static void remember_region(mamori_s3 *s, const char *bucket, const char *region)
{
	for (size_t i = 0; i < s->region_count; i++)
		if (strcmp(s->regions[i].bucket, bucket) == 0) {
			free(s->regions[i].region);
			s->regions[i].region = mamori_xstrdup(region);
			return;
		}
	if (s->region_count == MAX_REGIONS)
		return; /* only costs a redirect per request */
	s->regions[s->region_count].bucket = mamori_xstrdup(bucket);
	s->regions[s->region_count].region = mamori_xstrdup(region);
	s->region_count++;
}

/* S3 said the bucket is elsewhere: true when the call should go there. */
static bool redirected(mamori_s3 *s, const char *bucket, const aws_call *c)
{
	if (!c->err_code || !c->bucket_region || !aws_region_valid(c->bucket_region) ||
	    strcmp(c->bucket_region, c->region) == 0 || (c->status != 301 && c->status != 400))
		return false;
	mamori_log(s->cl.ctx, MAMORI_LOG_INFO, "s3://%s is in %s; asking there", bucket,
		   c->bucket_region);
	remember_region(s, bucket, c->bucket_region);
	return true;
}

static aws_call *object_call(mamori_s3 *s, const char *bucket, const char *key, const char *op)
{
	aws_call *c = aws_call_new(&s->cl, &aws_svc_s3, s->id, region_of(s, bucket), op);
	mamori_buf path = MAMORI_BUF_INIT;
	mamori_buf_putc(&path, '/');
	aws_uri_encode(&path, bucket, false);
	if (key) {
		mamori_buf_putc(&path, '/');
		aws_uri_encode(&path, key, true);
	}
	free(c->path);
	c->path = mamori_buf_detach(&path);
	return c;
}

static int call_error(mamori_s3 *s, const aws_call *c, const char *what, const char *need)
{
	bool denied = c->err_code && (strcmp(c->err_code, "AccessDenied") == 0 ||
				      strcmp(c->err_code, "AllAccessDisabled") == 0);
	return mamori_error_set(s->cl.ctx, MAMORI_EINPUT, "%s: %s: %s%s%s", what,
				c->err_code ? c->err_code : "error",
				c->err_msg ? c->err_msg : "no message",
				denied ? " (mamori needs " : "", denied ? need : "");
}

static bool xml_true(const cJSON *v)
{
	return cJSON_IsTrue(v) || (cJSON_IsString(v) && strcmp(v->valuestring, "true") == 0);
}

int mamori_s3_list(mamori_s3 *s, const char *bucket, const char *prefix, mamori_s3_list_fn fn,
		   void *ud)
{
	char *token = NULL;
	int rc = MAMORI_OK;
	unsigned redirects = 0, pages = 0;
	for (;;) {
		aws_call *c = object_call(s, bucket, NULL, "ListObjectsV2");
		aws_call_param(c, "list-type", "2");
		if (prefix && *prefix)
			aws_call_param(c, "prefix", prefix);
		if (token)
			aws_call_param(c, "continuation-token", token);
		int st = aws_call_sync(c);
		if (st && redirected(s, bucket, c) && redirects++ < 2) {
			aws_call_free(c);
			continue;
		}
		if (st) {
			char what[600];
			snprintf(what, sizeof what, "s3://%s/%s: cannot list the objects", bucket,
				 prefix ? prefix : "");
			rc = call_error(s, c, what, "s3:ListBucket on the bucket)");
			aws_call_free(c);
			break;
		}
		const cJSON *res = mamori_json_get(c->doc, "ListBucketResult");
		aws_each(o, mamori_json_get(res, "Contents"))
		{
			const char *key = aws_str(o, "Key");
			if (!key || !*key)
				continue;
			const cJSON *sz = mamori_json_get(o, "Size");
			mamori_s3_object obj = {
				key,
				cJSON_IsNumber(sz)   ? (uint64_t)(sz->valuedouble > 0 ? sz->valuedouble : 0)
				: cJSON_IsString(sz) ? strtoull(sz->valuestring, NULL, 10)
						     : 0,
				aws_str(o, "LastModified")};
			rc = fn(ud, &obj);
			if (rc)
				break;
		}
		pages++;
		const char *next = aws_str(res, "NextContinuationToken");
		bool more = !rc && xml_true(mamori_json_get(res, "IsTruncated")) && next && *next &&
			    !(token && strcmp(token, next) == 0);
		free(token);
		token = more ? mamori_xstrdup(next) : NULL;
		aws_call_free(c);
		if (!more)
			break;
	}
	free(token);
	mamori_log(s->cl.ctx, MAMORI_LOG_DEBUG, "s3://%s/%s: %u pages listed", bucket,
		   prefix ? prefix : "", pages);
	return rc;
}

/* ---- streaming GetObject ---- */

static size_t sink(aws_call *c, const char *p, size_t len)
{
	mamori_s3_reader *r = c->ud;
	if (r->pend.len - r->pos >= STREAM_BUFFER) {
		r->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	if (r->pos == r->pend.len) {
		mamori_buf_reset(&r->pend);
		r->pos = 0;
	}
	mamori_buf_append(&r->pend, p, len);
	r->delivered += len;
	c->cl->stats.bytes_in += len;
	return len;
}

static int start(mamori_s3_reader *r)
{
	aws_call *c = r->c;
	if (aws_attempt_prepare(c) != 0) {
		r->done = true;
		return r->status = mamori_error_set(r->s3->cl.ctx, MAMORI_EINPUT, "%s: %s: %s",
						    r->name, c->err_code, c->err_msg);
	}
	curl_multi_add_handle(r->s3->stream, c->easy);
	r->running = true;
	r->paused = false;
	return MAMORI_OK;
}

static void sleep_s(double d)
{
	if (d <= 0)
		return;
	struct timespec ts = {(time_t)d, (long)((d - (double)(time_t)d) * 1e9)};
	nanosleep(&ts, NULL);
}

/* The transfer ended with rc: done, retried, or failed. */
static void ended(mamori_s3_reader *r, CURLcode rc)
{
	aws_call *c = r->c;
	mamori_s3 *s = r->s3;
	curl_multi_remove_handle(s->stream, c->easy);
	r->running = false;
	double delay = 0;
	if (r->delivered == 0) {
		bool again = aws_attempt_retry(c, rc, &delay);
		if (again) {
			sleep_s(delay);
			start(r);
			return;
		}
	} else if (rc != CURLE_OK) {
		/* bytes were delivered (a 2xx): the reader has them, so no retry */
		s->cl.stats.calls++;
		s->cl.stats.failed++;
		r->done = true;
		r->status = mamori_error_set(s->cl.ctx, MAMORI_EINPUT,
					     "%s: the transfer broke after %llu bytes: %s", r->name,
					     (unsigned long long)r->delivered,
					     c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
		return;
	} else {
		aws_attempt_retry(c, rc, &delay); /* a 2xx that ended well: done */
	}
	r->done = true;
	if (c->err_code)
		r->status = call_error(s, c, r->name, "s3:GetObject on the objects)");
}

static void pump(mamori_s3_reader *r)
{
	mamori_s3 *s = r->s3;
	if (r->paused) {
		r->paused = false;
		curl_easy_pause(r->c->easy, CURLPAUSE_CONT); /* may call sink at once */
		if (r->pend.len > r->pos)
			return;
	}
	int still = 0;
	curl_multi_perform(s->stream, &still);
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(s->stream, &left)))
		if (m->msg == CURLMSG_DONE && m->easy_handle == r->c->easy) {
			ended(r, m->data.result);
			return;
		}
	if (r->pend.len == r->pos && r->running && !r->paused)
		curl_multi_poll(s->stream, NULL, 0, 100, NULL);
}

int mamori_s3_reader_open(mamori_s3 *s, const char *bucket, const char *key,
			  mamori_s3_reader **out)
{
	mamori_s3_reader *r = mamori_xcalloc(1, sizeof *r);
	r->s3 = s;
	mamori_buf name = MAMORI_BUF_INIT;
	mamori_buf_printf(&name, "s3://%s/%s", bucket, key);
	r->name = mamori_buf_detach(&name);
	for (unsigned redirects = 0;; redirects++) {
		r->c = object_call(s, bucket, key, "GetObject");
		r->c->sink = sink;
		r->c->ud = r;
		r->done = false;
		r->status = MAMORI_OK;
		if (start(r) == MAMORI_OK) {
			/* wait for the first bytes or the end: a redirect is known then */
			while (!r->done && r->pend.len == r->pos)
				pump(r);
		}
		if (r->done && r->delivered == 0 && redirects < 2 && redirected(s, bucket, r->c)) {
			aws_call_free(r->c);
			r->c = NULL;
			continue;
		}
		break;
	}
	if (r->done && r->status && r->delivered == 0) {
		int rc = r->status;
		mamori_s3_reader_close(r);
		*out = NULL;
		return rc;
	}
	*out = r;
	return MAMORI_OK;
}

int mamori_s3_read(mamori_s3_reader *r, void *buf, size_t cap, size_t *got)
{
	*got = 0;
	while (r->pend.len == r->pos && !r->done)
		pump(r);
	if (r->pend.len > r->pos) {
		size_t n = r->pend.len - r->pos;
		if (n > cap)
			n = cap;
		memcpy(buf, r->pend.data + r->pos, n);
		r->pos += n;
		*got = n;
		return MAMORI_OK;
	}
	return r->status;
}

uint64_t mamori_s3_reader_bytes(const mamori_s3_reader *r)
{
	return r->delivered;
}

void mamori_s3_reader_close(mamori_s3_reader *r)
{
	if (!r)
		return;
	if (r->c) {
		if (r->running)
			curl_multi_remove_handle(r->s3->stream, r->c->easy);
		aws_call_free(r->c);
	}
	mamori_buf_free(&r->pend);
	free(r->name);
	free(r);
}

int mamori_s3_get(mamori_s3 *s, const char *bucket, const char *key, mamori_s3_data_fn fn,
		  void *ud)
{
	mamori_s3_reader *r;
	int rc = mamori_s3_reader_open(s, bucket, key, &r);
	if (rc)
		return rc;
	char *chunk = mamori_xmalloc(1u << 16);
	size_t got;
	while ((rc = mamori_s3_read(r, chunk, 1u << 16, &got)) == MAMORI_OK && got)
		if ((rc = fn(ud, chunk, got)) != 0)
			break;
	free(chunk);
	mamori_s3_reader_close(r);
	return rc;
}
