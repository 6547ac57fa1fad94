/*
 * reader.c — requests to replay, read from five kinds of files:
 *
 *   JSON Lines   {"id", "label", "class", "method", "uri", "version",
 *                 "headers": [[name, value], ...], "body" | "body_b64"}
 *                (the corpus format; headers may also be [{name, value}])
 *   HAR 1.2      log.entries[].request (method, url, headers, postData)
 *   ALB          Application Load Balancer access logs (space-separated,
 *                quoted request line and user agent)
 *   CloudFront   standard logs (W3C, tab-separated, #Fields header)
 *   AWS WAF logs JSON lines with httpRequest {clientIp, country, headers,
 *                uri, args, httpMethod}
 *
 * Logs carry no body and few headers; what they have is replayed as it was
 * received.  A bad record is reported through the callback with
 * path:line:col in the ctx and reading goes on with the next one.
 */
#include "waf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const fmt_names[] = {"auto", "jsonl", "har", "alb", "cloudfront", "waflog", NULL};

int mamori_waf_input_format_parse(const char *name)
{
	for (int i = 0; fmt_names[i]; i++)
		if (strcasecmp(name, fmt_names[i]) == 0)
			return i;
	return -1;
}

const char *mamori_waf_input_format_name(mamori_waf_input_format f)
{
	return (unsigned)f < 6 ? fmt_names[f] : "?";
}

mamori_waf_input_format mamori_waf_input_sniff(const char *path, const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && strchr(" \t\r\n", buf[i]))
		i++;
	size_t head = len - i < 4096 ? len - i : 4096;
	const char *h = buf + i;
	if (path && strlen(path) > 4 && !strcasecmp(path + strlen(path) - 4, ".har"))
		return MAMORI_WAF_INPUT_HAR;
	if (head && h[0] == '{') {
		if (memmem(h, head, "\"log\"", 5) && memmem(h, head, "\"entries\"", 9))
			return MAMORI_WAF_INPUT_HAR;
		if (memmem(h, head, "\"httpRequest\"", 13))
			return MAMORI_WAF_INPUT_WAFLOG;
		return MAMORI_WAF_INPUT_JSONL;
	}
	if (head && h[0] == '[' && memmem(h, head, "\"httpRequest\"", 13))
		return MAMORI_WAF_INPUT_WAFLOG;
	if (head >= 8 && h[0] == '#' && (memmem(h, head, "#Fields:", 8) || memmem(h, head, "#Version:", 9)))
		return MAMORI_WAF_INPUT_CLOUDFRONT;
	static const char *const alb[] = {"http ", "https ", "h2 ", "grpcs ", "ws ", "wss ", NULL};
	for (int k = 0; alb[k]; k++)
		if (head > strlen(alb[k]) && !strncmp(h, alb[k], strlen(alb[k])))
			return MAMORI_WAF_INPUT_ALB;
	/* tab-separated lines starting with a date: CloudFront without headers */
	if (head > 11 && h[4] == '-' && h[7] == '-' && h[10] == '\t')
		return MAMORI_WAF_INPUT_CLOUDFRONT;
	return MAMORI_WAF_INPUT_JSONL;
}

/* ---- helpers ---- */

typedef struct hdrs {
	mamori_waf_header *v;
	size_t n, cap;
} hdrs;

static void hadd(hdrs *h, const char *name, const char *value)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = mamori_xrealloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n++] = (mamori_waf_header){name, strlen(name), value, strlen(value)};
}

static int64_t parse_time_ms(const char *s)
{
	time_t t;
	if (!s || mamori_time_parse(s, &t) != 0)
		return 0;
	int64_t ms = (int64_t)t * 1000;
	const char *dot = strchr(s, '.');
	if (dot) {
		int frac = 0, digits = 0;
		for (const char *p = dot + 1; *p >= '0' && *p <= '9' && digits < 3; p++, digits++)
			frac = frac * 10 + (*p - '0');
		while (digits++ < 3)
			frac *= 10;
		ms += frac;
	}
	return ms;
}

static size_t b64_decode(const char *in, size_t n, char *out)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		int v = (c >= 'A' && c <= 'Z')	 ? c - 'A'
			: (c >= 'a' && c <= 'z') ? c - 'a' + 26
			: (c >= '0' && c <= '9') ? c - '0' + 52
			: c == '+'		 ? 62
			: c == '/'		 ? 63
						 : -1;
		if (v < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return o;
}

/* Split an absolute URL into request-target; returns the host (in tmp). */
static const char *url_target(const char *url, char *host, size_t hostn)
{
	host[0] = 0;
	const char *p = strstr(url, "://");
	if (!p || p - url > 10)
		return url;
	p += 3;
	const char *e = p;
	while (*e && *e != '/' && *e != '?')
		e++;
	size_t n = (size_t)(e - p) < hostn - 1 ? (size_t)(e - p) : hostn - 1;
	memcpy(host, p, n);
	host[n] = 0;
	return *e ? e : "/";
}

static int line_error(mamori_ctx *ctx, const char *path, const char *buf, size_t len, size_t at,
		      const char *msg)
{
	return mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, at, "%s", msg);
}

/* ---- JSON Lines (the corpus format) and AWS WAF logs ---- */

static int json_record(mamori_ctx *ctx, const char *path, const char *buf, size_t len, size_t ls,
		       const cJSON *o, size_t lineno, bool waflog, mamori_waf_record_fn fn, void *ud)
{
	mamori_waf_record rec = {0};
	hdrs h = {0};
	char *body = NULL, *uri_buf = NULL;
	char idbuf[64];
	rec.line = lineno;
	const cJSON *hr = waflog ? mamori_json_get(o, "httpRequest") : o;
	if (!cJSON_IsObject(hr)) {
		line_error(ctx, path, buf, len, ls, waflog ? "not an AWS WAF log record: no httpRequest"
							   : "a request must be a JSON object");
		return fn(ud, NULL);
	}
	const cJSON *headers = mamori_json_get(hr, "headers");
	const cJSON *it;
	cJSON_ArrayForEach(it, (cJSON_IsArray(headers) || cJSON_IsObject(headers) ? headers : NULL))
	{
		if (cJSON_IsArray(it) && cJSON_GetArraySize(it) == 2 &&
		    cJSON_IsString(cJSON_GetArrayItem(it, 0)) && cJSON_IsString(cJSON_GetArrayItem(it, 1)))
			hadd(&h, cJSON_GetArrayItem(it, 0)->valuestring,
			     cJSON_GetArrayItem(it, 1)->valuestring);
		else if (cJSON_IsObject(it) && mamori_json_str(it, "name") && mamori_json_str(it, "value"))
			hadd(&h, mamori_json_str(it, "name"), mamori_json_str(it, "value"));
		else if (cJSON_IsString(it) && it->string)
			hadd(&h, it->string, it->valuestring);
	}
	const char *uri;
	if (waflog) {
		const char *u = mamori_json_str(hr, "uri"), *args = mamori_json_str(hr, "args");
		if (!u) {
			free(h.v);
			line_error(ctx, path, buf, len, ls, "httpRequest has no uri");
			return fn(ud, NULL);
		}
		if (args && *args) {
			size_t n = strlen(u) + strlen(args) + 2;
			uri_buf = mamori_xmalloc(n);
			snprintf(uri_buf, n, "%s?%s", u, args);
			uri = uri_buf;
		} else {
			uri = u;
		}
		rec.request.method = mamori_json_str(hr, "httpMethod");
		rec.request.version = mamori_json_str(hr, "httpVersion");
		rec.request.client_ip = mamori_json_str(hr, "clientIp");
		rec.request.country = mamori_json_str(hr, "country");
		rec.id = mamori_json_str(hr, "requestId");
		rec.action = mamori_json_str(o, "action");
		const cJSON *ts = mamori_json_get(o, "timestamp");
		/* milliseconds since the epoch; anything outside +-2^62 (or NaN)
		 * is not a time and must not reach an integer conversion */
		if (cJSON_IsNumber(ts) && ts->valuedouble > -4.6e18 && ts->valuedouble < 4.6e18)
			rec.request.timestamp_ms = (int64_t)ts->valuedouble;
	} else {
		uri = mamori_json_str(o, "uri");
		if (!uri && mamori_json_str(o, "url")) {
			char host[256];
			uri = url_target(mamori_json_str(o, "url"), host, sizeof host);
		}
		if (!uri) {
			free(h.v);
			line_error(ctx, path, buf, len, ls, "a request needs \"uri\"");
			return fn(ud, NULL);
		}
		rec.request.method = mamori_json_str(o, "method");
		rec.request.version = mamori_json_str(o, "version");
		rec.request.client_ip = mamori_json_str(o, "client_ip");
		if (!rec.request.client_ip)
			rec.request.client_ip = mamori_json_str(o, "clientIp");
		rec.request.country = mamori_json_str(o, "country");
		rec.id = mamori_json_str(o, "id");
		rec.label = mamori_json_str(o, "label");
		rec.cls = mamori_json_str(o, "class");
		rec.source = mamori_json_str(o, "source");
		const char *b = mamori_json_str(o, "body");
		const char *b64 = mamori_json_str(o, "body_b64");
		const cJSON *bj = mamori_json_get(o, "body");
		if (b) {
			rec.request.body = b;
			rec.request.body_len = strlen(b);
			/* a body with NUL bytes cannot be a C string: use body_b64 */
		} else if (b64) {
			body = mamori_xmalloc(strlen(b64) + 1);
			rec.request.body_len = b64_decode(b64, strlen(b64), body);
			rec.request.body = body;
		} else if (bj && !cJSON_IsNull(bj)) {
			free(h.v);
			line_error(ctx, path, buf, len, ls, "\"body\" must be a string (or use body_b64)");
			return fn(ud, NULL);
		}
		const char *ts = mamori_json_str(o, "timestamp");
		rec.request.timestamp_ms = parse_time_ms(ts);
	}
	if (!rec.id) {
		snprintf(idbuf, sizeof idbuf, "%zu", lineno);
		rec.id = idbuf;
	}
	rec.request.uri = uri;
	rec.request.headers = h.v;
	rec.request.header_count = h.n;
	if (!rec.request.method)
		rec.request.method = "GET";
	if (!rec.request.client_ip)
		rec.request.client_ip = "127.0.0.1";
	int rc = fn(ud, &rec);
	free(h.v);
	free(body);
	free(uri_buf);
	return rc;
}

static int read_json_lines(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			   bool waflog, mamori_waf_record_fn fn, void *ud)
{
	size_t i = 0, lineno = 0;
	while (i < len) {
		lineno++;
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) : len;
		size_t a = i;
		while (a < e && strchr(" \t\r", buf[a]))
			a++;
		if (a < e) {
			/* a WAF log export may be one JSON array */
			if (waflog && buf[a] == '[') {
				cJSON *arr = mamori_json_parse(ctx, path, buf + a, len - a);
				if (!arr)
					return fn(ud, NULL);
				int rc = 0;
				size_t k = 0;
				const cJSON *it;
				cJSON_ArrayForEach(it, arr)
				{
					if ((rc = json_record(ctx, path, buf, len, a, it, ++k, true, fn, ud)) != 0)
						break;
				}
				cJSON_Delete(arr);
				return rc;
			}
			const char *end = NULL;
			cJSON *o = cJSON_ParseWithLengthOpts(buf + a, e - a, &end, false);
			int rc;
			if (!o) {
				size_t at = end && end >= buf + a ? (size_t)(end - buf) : a;
				line_error(ctx, path, buf, len, at, "invalid JSON in this record");
				rc = fn(ud, NULL);
			} else {
				rc = json_record(ctx, path, buf, len, a, o, lineno, waflog, fn, ud);
				cJSON_Delete(o);
			}
			if (rc)
				return rc;
		}
		i = e + 1;
	}
	return MAMORI_OK;
}

/* ---- HAR ---- */

static int read_har(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		    mamori_waf_record_fn fn, void *ud)
{
	cJSON *root = mamori_json_parse(ctx, path, buf, len);
	if (!root)
		return fn(ud, NULL);
	const cJSON *entries = mamori_json_get(mamori_json_get(root, "log"), "entries");
	if (!cJSON_IsArray(entries)) {
		cJSON_Delete(root);
		mamori_error_set(ctx, MAMORI_EINPUT, "%s: not a HAR file: no log.entries array", path);
		return fn(ud, NULL);
	}
	int rc = 0;
	size_t k = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, entries)
	{
		k++;
		const cJSON *r = mamori_json_get(e, "request");
		const char *url = mamori_json_str(r, "url");
		if (!url) {
			mamori_error_set(ctx, MAMORI_EINPUT, "%s: $.log.entries[%zu].request.url is missing",
					 path, k - 1);
			if ((rc = fn(ud, NULL)) != 0)
				break;
			continue;
		}
		mamori_waf_record rec = {0};
		hdrs h = {0};
		char host[256], idbuf[32];
		rec.request.uri = url_target(url, host, sizeof host);
		bool has_host = false;
		const cJSON *it;
		cJSON_ArrayForEach(it, mamori_json_get(r, "headers"))
		{
			const char *n = mamori_json_str(it, "name"), *v = mamori_json_str(it, "value");
			if (n && v) {
				/* HTTP/2 pseudo-headers are not headers */
				if (n[0] == ':') {
					if (!strcasecmp(n, ":authority")) {
						hadd(&h, "Host", v);
						has_host = true;
					}
					continue;
				}
				has_host |= !strcasecmp(n, "host");
				hadd(&h, n, v);
			}
		}
		if (!has_host && host[0])
			hadd(&h, "Host", host);
		const cJSON *pd = mamori_json_get(r, "postData");
		const char *text = mamori_json_str(pd, "text");
		if (text) {
			rec.request.body = text;
			rec.request.body_len = strlen(text);
		}
		rec.request.method = mamori_json_str(r, "method");
		if (!rec.request.method)
			rec.request.method = "GET";
		rec.request.version = mamori_json_str(r, "httpVersion");
		rec.request.headers = h.v;
		rec.request.header_count = h.n;
		rec.request.client_ip = "127.0.0.1";
		rec.request.timestamp_ms = parse_time_ms(mamori_json_str(e, "startedDateTime"));
		snprintf(idbuf, sizeof idbuf, "entry-%zu", k);
		rec.id = idbuf;
		rec.line = k;
		rc = fn(ud, &rec);
		free(h.v);
		if (rc)
			break;
	}
	cJSON_Delete(root);
	return rc;
}

/* ---- ALB ---- */

/* Next field of an ALB line: quoted ("..." with \" escapes) or bare. */
static bool alb_field(const char **p, const char *e, char *out, size_t outn)
{
	const char *s = *p;
	while (s < e && *s == ' ')
		s++;
	if (s >= e)
		return false;
	size_t o = 0;
	if (*s == '"') {
		s++;
		while (s < e && *s != '"') {
			if (*s == '\\' && s + 1 < e)
				s++;
			if (o + 1 < outn)
				out[o++] = *s;
			s++;
		}
		if (s < e)
			s++;
	} else {
		while (s < e && *s != ' ') {
			if (o + 1 < outn)
				out[o++] = *s;
			s++;
		}
	}
	out[o] = 0;
	*p = s;
	return true;
}

static int read_alb(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		    mamori_waf_record_fn fn, void *ud)
{
	size_t i = 0, lineno = 0;
	char *f[16];
	for (int k = 0; k < 16; k++)
		f[k] = mamori_xmalloc(16384);
	int rc = 0;
	while (i < len && !rc) {
		lineno++;
		const char *nl = memchr(buf + i, '\n', len - i);
		const char *e = nl ? nl : buf + len;
		const char *p = buf + i;
		if (e > p && e[-1] == '\r')
			e--;
		if (e == p) {
			i = (size_t)(e - buf) + 1;
			continue;
		}
		int nf = 0;
		while (nf < 14 && alb_field(&p, e, f[nf], 16384))
			nf++;
		/* type time elb client:port target:port t1 t2 t3 status tstatus rx tx "request" "ua" */
		char method[32], target[16384], version[32];
		if (nf < 14 || sscanf(f[12], "%31s %16383s %31s", method, target, version) < 2) {
			line_error(ctx, path, buf, len, i, "not an ALB access log line (expected 'type time "
							   "elb client:port ... \"request\" \"user_agent\"')");
			rc = fn(ud, NULL);
			i = (size_t)((nl ? nl : buf + len) - buf) + 1;
			continue;
		}
		mamori_waf_record rec = {0};
		hdrs h = {0};
		char host[256], ip[64], idbuf[64];
		const char *t = url_target(target, host, sizeof host);
		char *colon = strrchr(host, ':');
		if (colon && (!strcmp(colon, ":80") || !strcmp(colon, ":443")))
			*colon = 0;
		if (host[0])
			hadd(&h, "Host", host);
		if (strcmp(f[13], "-") != 0)
			hadd(&h, "User-Agent", f[13]);
		snprintf(ip, sizeof ip, "%s", f[3]);
		char *pc = strrchr(ip, ':');
		if (pc && !strchr(ip, '['))
			*pc = 0;
		rec.request.client_ip = ip;
		rec.request.method = method;
		rec.request.uri = t;
		rec.request.version = version[0] ? version : NULL;
		rec.request.headers = h.v;
		rec.request.header_count = h.n;
		rec.request.timestamp_ms = parse_time_ms(f[1]);
		snprintf(idbuf, sizeof idbuf, "line-%zu", lineno);
		rec.id = idbuf;
		rec.line = lineno;
		rc = fn(ud, &rec);
		free(h.v);
		i = (size_t)((nl ? nl : buf + len) - buf) + 1;
	}
	for (int k = 0; k < 16; k++)
		free(f[k]);
	return rc;
}

/* ---- CloudFront ---- */

static void url_unescape(char *s)
{
	size_t n = waf_url_decode((unsigned char *)s, strlen(s), (unsigned char *)s, false, false);
	s[n] = 0;
}

static int read_cloudfront(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			   mamori_waf_record_fn fn, void *ud)
{
	/* default field order of the standard log */
	static const char *const dflt[] = {"date", "time", "x-edge-location", "sc-bytes", "c-ip",
					   "cs-method", "cs(Host)", "cs-uri-stem", "sc-status",
					   "cs(Referer)", "cs(User-Agent)", "cs-uri-query",
					   "cs(Cookie)", NULL};
	char *names[64];
	int nnames = 0;
	for (; dflt[nnames]; nnames++)
		names[nnames] = mamori_xstrdup(dflt[nnames]);
	size_t i = 0, lineno = 0;
	int rc = 0;
	while (i < len && !rc) {
		lineno++;
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) : len;
		size_t ll = e - i;
		if (ll && buf[e - 1] == '\r')
			ll--;
		char *line = mamori_xmalloc(ll + 1);
		memcpy(line, buf + i, ll);
		line[ll] = 0;
		if (ll >= 8 && memcmp(buf + i, "#Fields:", 8) == 0) {
			for (int k = 0; k < nnames; k++)
				free(names[k]);
			nnames = 0;
			char *save, *tokp = strtok_r(line + 8, " \t", &save);
			while (tokp && nnames < 64) {
				names[nnames++] = mamori_xstrdup(tokp);
				tokp = strtok_r(NULL, " \t", &save);
			}
		} else if (ll && line[0] != '#') {
			char *vals[64];
			int nv = 0;
			char *p = line;
			while (nv < 64) {
				vals[nv++] = p;
				char *tab = strchr(p, '\t');
				if (!tab)
					break;
				*tab = 0;
				p = tab + 1;
			}
			const char *date = NULL, *time = NULL, *ip = NULL, *method = NULL, *stem = NULL,
				   *query = NULL, *fwd = NULL, *proto = NULL, *rid = NULL;
			mamori_waf_record rec = {0};
			hdrs h = {0};
			for (int k = 0; k < nv && k < nnames; k++) {
				char *v = vals[k];
				const char *n = names[k];
				if (!strcmp(v, "-"))
					continue;
				if (!strcmp(n, "date"))
					date = v;
				else if (!strcmp(n, "time"))
					time = v;
				else if (!strcmp(n, "c-ip"))
					ip = v;
				else if (!strcmp(n, "cs-method"))
					method = v;
				else if (!strcmp(n, "cs-uri-stem"))
					stem = v;
				else if (!strcmp(n, "cs-uri-query"))
					query = v;
				else if (!strcmp(n, "x-forwarded-for"))
					fwd = v;
				else if (!strcmp(n, "cs-protocol-version"))
					proto = v;
				else if (!strcmp(n, "x-edge-request-id"))
					rid = v;
				else if (!strcmp(n, "x-host-header"))
					hadd(&h, "Host", v);
				else if (!strcmp(n, "cs(User-Agent)") || !strcmp(n, "cs(Referer)") ||
					 !strcmp(n, "cs(Cookie)")) {
					/* these are URL-encoded (twice for %) in the log */
					url_unescape(v);
					hadd(&h, n[3] == 'U' ? "User-Agent" : n[3] == 'R' ? "Referer" : "Cookie", v);
				}
			}
			if (!method || !stem) {
				line_error(ctx, path, buf, len, i, "not a CloudFront log line: no cs-method or "
								   "cs-uri-stem");
				rc = fn(ud, NULL);
			} else {
				size_t un = strlen(stem) + (query ? strlen(query) : 0) + 2;
				char *uri = mamori_xmalloc(un);
				snprintf(uri, un, "%s%s%s", stem, query ? "?" : "", query ? query : "");
				if (fwd)
					hadd(&h, "X-Forwarded-For", fwd);
				char ts[64], idbuf[64];
				snprintf(ts, sizeof ts, "%sT%sZ", date ? date : "1970-01-01", time ? time : "00:00:00");
				rec.request.timestamp_ms = parse_time_ms(ts);
				rec.request.client_ip = ip ? ip : "127.0.0.1";
				rec.request.method = method;
				rec.request.uri = uri;
				rec.request.version = proto;
				rec.request.headers = h.v;
				rec.request.header_count = h.n;
				snprintf(idbuf, sizeof idbuf, "line-%zu", lineno);
				rec.id = rid ? rid : idbuf;
				rec.line = lineno;
				rc = fn(ud, &rec);
				free(uri);
			}
			free(h.v);
		}
		free(line);
		i = e + 1;
	}
	for (int k = 0; k < nnames; k++)
		free(names[k]);
	return rc;
}

int mamori_waf_read_requests(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			     mamori_waf_input_format format, mamori_waf_record_fn fn, void *userdata)
{
	if (!path)
		path = "<input>";
	if (format == MAMORI_WAF_INPUT_AUTO)
		format = mamori_waf_input_sniff(path, buf, len);
	switch (format) {
	case MAMORI_WAF_INPUT_HAR:
		return read_har(ctx, path, buf, len, fn, userdata);
	case MAMORI_WAF_INPUT_ALB:
		return read_alb(ctx, path, buf, len, fn, userdata);
	case MAMORI_WAF_INPUT_CLOUDFRONT:
		return read_cloudfront(ctx, path, buf, len, fn, userdata);
	case MAMORI_WAF_INPUT_WAFLOG:
		return read_json_lines(ctx, path, buf, len, true, fn, userdata);
	default:
		return read_json_lines(ctx, path, buf, len, false, fn, userdata);
	}
}
