/*
 * proto.c — the five AWS wire protocols, both ways.
 *
 *   query     (IAM, STS, RDS, SNS, CloudWatch): POST form
 *             "Action=Op&Version=V&...", answer <OpResponse><OpResult>,
 *             errors <ErrorResponse><Error><Code>
 *   ec2       the same form (lists as Name.N), answer <OpResponse>,
 *             errors <Response><Errors><Error><Code>
 *   json      (KMS, CloudTrail, Config, Logs, Organizations): POST a JSON
 *             body with X-Amz-Target: Prefix.Op, errors {"__type": "...#Code"}
 *   rest-xml  (S3): the operation is the method, path and query; errors
 *             <Error><Code>
 *   rest-json (GuardDuty, Security Hub, EFS, Access Analyzer): the same with
 *             JSON bodies; errors in x-amzn-ErrorType or the body
 *
 * Pagination tokens go where each protocol puts parameters.  A 2xx answer
 * that does not parse is an "InvalidResponse" error naming the service,
 * operation and the line:col where the garbage starts.
 */
#include "aws_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void aws_uri_encode(mamori_buf *b, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned char ch = *p;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~' || (keep_slash && ch == '/')) {
			mamori_buf_putc(b, (char)ch);
		} else {
			mamori_buf_putc(b, '%');
			mamori_buf_putc(b, hex[ch >> 4]);
			mamori_buf_putc(b, hex[ch & 15]);
		}
	}
}

typedef struct enc_param {
	char *k, *v;
} enc_param;

static int by_key_value(const void *a, const void *b)
{
	const enc_param *x = a, *y = b;
	int c = strcmp(x->k, y->k);
	return c ? c : strcmp(x->v, y->v);
}

/* SigV4's canonical query string: encoded, sorted by key then value. */
static void canonical_query(aws_call *c, mamori_buf *out)
{
	size_t n = c->nparams + (c->page_token && c->page_param ? 1 : 0);
	if (!n)
		return;
	enc_param *e = mamori_xcalloc(n, sizeof *e);
	for (size_t i = 0; i < n; i++) {
		const char *k = i < c->nparams ? c->params[i].key : c->page_param;
		const char *v = i < c->nparams ? c->params[i].value : c->page_token;
		mamori_buf kb = MAMORI_BUF_INIT, vb = MAMORI_BUF_INIT;
		aws_uri_encode(&kb, k, false);
		aws_uri_encode(&vb, v, false);
		e[i].k = mamori_buf_detach(&kb);
		e[i].v = vb.data ? mamori_buf_detach(&vb) : mamori_xstrdup("");
		mamori_buf_free(&vb);
	}
	qsort(e, n, sizeof *e, by_key_value);
	for (size_t i = 0; i < n; i++) {
		mamori_buf_printf(out, "%s%s=%s", i ? "&" : "", e[i].k, e[i].v);
		free(e[i].k);
		free(e[i].v);
	}
	free(e);
}

void aws_proto_build(aws_call *c, const char *endpoint, mamori_buf *url)
{
	mamori_buf_puts(url, endpoint);
	switch (c->svc->protocol) {
	case AWS_QUERY:
	case AWS_EC2:
		mamori_buf_putc(url, '/');
		mamori_buf_printf(&c->body, "Action=%s&Version=%s", c->op, c->svc->version);
		for (size_t i = 0; i <= c->nparams; i++) {
			const char *k = i < c->nparams ? c->params[i].key : c->page_param;
			const char *v = i < c->nparams ? c->params[i].value : c->page_token;
			if (!k || !v)
				continue;
			mamori_buf_putc(&c->body, '&');
			aws_uri_encode(&c->body, k, false);
			mamori_buf_putc(&c->body, '=');
			aws_uri_encode(&c->body, v, false);
		}
		break;
	case AWS_JSON: {
		mamori_buf_putc(url, '/');
		cJSON *body = c->json ? c->json : cJSON_CreateObject();
		if (c->page_param && c->page_token) {
			if (mamori_json_get(body, c->page_param))
				cJSON_ReplaceItemInObjectCaseSensitive(
					body, c->page_param, cJSON_CreateString(c->page_token));
			else
				cJSON_AddStringToObject(body, c->page_param, c->page_token);
		}
		char *s = mamori_json_print(body, false);
		mamori_buf_puts(&c->body, s);
		free(s);
		if (!c->json)
			cJSON_Delete(body);
		break;
	}
	case AWS_REST_XML:
	case AWS_REST_JSON: {
		mamori_buf_puts(url, c->path);
		mamori_buf q = MAMORI_BUF_INIT;
		canonical_query(c, &q);
		if (q.len) {
			mamori_buf_putc(url, '?');
			mamori_buf_puts(url, q.data);
		}
		mamori_buf_free(&q);
		if (c->json) {
			char *s = mamori_json_print(c->json, false);
			mamori_buf_puts(&c->body, s);
			free(s);
		}
		break;
	}
	}
}

bool aws_error_throttling(const char *code)
{
	static const char *const codes[] = {
		"Throttling", "ThrottlingException", "ThrottledException",
		"RequestThrottledException", "TooManyRequestsException",
		"ProvisionedThroughputExceededException", "TransactionInProgressException",
		"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
		"RequestThrottled", "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
		NULL};
	for (const char *const *c = codes; code && *c; c++)
		if (strcmp(code, *c) == 0)
			return true;
	return false;
}

bool aws_error_transient(const char *code)
{
	static const char *const codes[] = {"RequestTimeout", "RequestTimeoutException",
					    "IDPCommunicationError", "InternalError",
					    "InternalFailure", "ServiceUnavailable",
					    "ConnectionError", NULL};
	for (const char *const *c = codes; code && *c; c++)
		if (strcmp(code, *c) == 0)
			return true;
	return false;
}

bool aws_error_expired(const char *code)
{
	return code && (strcmp(code, "ExpiredToken") == 0 ||
			strcmp(code, "ExpiredTokenException") == 0 ||
			strcmp(code, "RequestExpired") == 0 ||
			strcmp(code, "TokenRefreshRequired") == 0);
}

/* Depth-limited search for an element's text ("Code", "Message"). */
static const char *find_str(const cJSON *v, const char *key, int depth)
{
	if (!v || depth > 4)
		return NULL;
	if (cJSON_IsObject(v)) {
		const char *s = mamori_json_str(v, key);
		if (s)
			return s;
	}
	for (const cJSON *ch = v->child; ch; ch = ch->next) {
		const char *s = find_str(ch, key, depth + 1);
		if (s)
			return s;
	}
	return NULL;
}

static void set_error(aws_call *c, const char *code, const char *msg)
{
	free(c->err_code);
	free(c->err_msg);
	c->err_code = mamori_xstrdup(code);
	c->err_msg = msg ? mamori_xstrdup(msg) : NULL;
}

/* "aws.protocoltests#FooError" or "FooError:http://..." -> "FooError" */
static char *clean_type(const char *t)
{
	const char *hash = strrchr(t, '#');
	if (hash)
		t = hash + 1;
	size_t n = strcspn(t, ":");
	char *s = mamori_xmalloc(n + 1);
	memcpy(s, t, n);
	s[n] = '\0';
	return s;
}

static void parse_error(aws_call *c)
{
	mamori_ctx *ctx = c->cl->ctx;
	const char *code = NULL, *msg = NULL;
	cJSON *doc = NULL;
	char *type = NULL;
	bool xml = c->svc->protocol == AWS_QUERY || c->svc->protocol == AWS_EC2 ||
		   c->svc->protocol == AWS_REST_XML;
	if (c->raw.len) {
		if (xml && c->raw.data[0] == '<')
			doc = aws_xml_parse(ctx, "error", c->raw.data, c->raw.len, NULL);
		else if (!xml && c->raw.data[0] == '{')
			doc = cJSON_ParseWithLength(c->raw.data, c->raw.len);
	}
	if (xml) {
		code = find_str(doc, "Code", 0);
		msg = find_str(doc, "Message", 0);
	} else {
		if (c->error_type)
			type = clean_type(c->error_type);
		const char *t = mamori_json_str(doc, "__type");
		if (!t)
			t = mamori_json_str(doc, "code");
		if (!type && t)
			type = clean_type(t);
		code = type;
		msg = mamori_json_str(doc, "message");
		if (!msg)
			msg = mamori_json_str(doc, "Message");
	}
	char fallback[32];
	if (!code) {
		snprintf(fallback, sizeof fallback, "HTTP%ld", c->status);
		code = fallback;
		if (c->status == 404)
			code = "NotFound";
		else if (c->status == 403)
			code = "AccessDenied";
	}
	set_error(c, code, msg);
	free(type);
	cJSON_Delete(doc);
}

static void invalid(aws_call *c)
{
	const mamori_error *e = mamori_error_last(c->cl->ctx);
	mamori_buf m = MAMORI_BUF_INIT;
	mamori_buf_printf(&m, "the %s %s answer is not valid: %s", c->svc->name, c->op,
			  e->code ? e->message : "unexpected content");
	set_error(c, "InvalidResponse", m.data);
	mamori_buf_free(&m);
}

void aws_proto_parse(aws_call *c)
{
	mamori_ctx *ctx = c->cl->ctx;
	if (c->status < 200 || c->status >= 300) {
		parse_error(c);
		return;
	}
	char source[96];
	snprintf(source, sizeof source, "%s %s response", c->svc->name, c->op);
	const char *buf = mamori_buf_cstr(&c->raw);
	size_t len = c->raw.len;
	if (c->raw_payload) {
		c->doc = cJSON_CreateString(buf);
		return;
	}
	switch (c->svc->protocol) {
	case AWS_QUERY:
	case AWS_EC2:
	case AWS_REST_XML: {
		if (len == 0) {
			c->doc = cJSON_CreateObject();
			return;
		}
		cJSON *doc = aws_xml_parse(ctx, source, buf, len, c->numbers);
		if (!doc) {
			invalid(c);
			return;
		}
		if (c->svc->protocol == AWS_REST_XML) {
			c->doc = doc;
			return;
		}
		/* <OpResponse> (EC2) or <OpResponse><OpResult> (query) */
		cJSON *top = doc->child;
		char want[128];
		snprintf(want, sizeof want, "%sResponse", c->op);
		if (!top || strcmp(top->string, want) != 0) {
			mamori_error_set(ctx, MAMORI_EINPUT, "%s: expected <%s>, got <%s>", source,
					 want, top && top->string ? top->string : "?");
			cJSON_Delete(doc);
			invalid(c);
			return;
		}
		cJSON *inner = cJSON_DetachItemViaPointer(doc, top);
		cJSON_Delete(doc);
		if (c->svc->protocol == AWS_QUERY) {
			snprintf(want, sizeof want, "%sResult", c->op);
			cJSON *res = mamori_json_get(inner, want);
			if (res) {
				cJSON *r = cJSON_DetachItemViaPointer(inner, res);
				cJSON_Delete(inner);
				inner = r;
			}
		}
		if (!cJSON_IsObject(inner)) {
			/* an empty result element */
			cJSON_Delete(inner);
			inner = cJSON_CreateObject();
		}
		c->doc = inner;
		return;
	}
	case AWS_JSON:
	case AWS_REST_JSON:
		if (len == 0) {
			c->doc = cJSON_CreateObject();
			return;
		}
		c->doc = mamori_json_parse(ctx, source, buf, len);
		if (!c->doc || !cJSON_IsObject(c->doc)) {
			if (c->doc)
				mamori_error_set(ctx, MAMORI_EINPUT, "%s: expected a JSON object",
						 source);
			cJSON_Delete(c->doc);
			c->doc = NULL;
			invalid(c);
		}
		return;
	}
}
