/*
 * http.c — HTTP/1.1 parsing for the reverse proxy (see http.h).
 *
 * Strict where leniency lets two parsers disagree about where a message
 * ends (the root of request smuggling): CR must be followed by LF, header
 * names are tokens with no space before the colon, obsolete line folding is
 * refused, Transfer-Encoding must end in chunked and cannot come with
 * Content-Length, Content-Length must be one decimal number.  A bare LF ends
 * a line, as RFC 9112 section 2.2 allows.
 */
#include "http.h"

#include <string.h>
#include <strings.h>

static bool tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

bool http_name_is(const http_header *h, const char *lc)
{
	size_t n = strlen(lc);
	return h->name_len == n && strncasecmp(h->name, lc, n) == 0;
}

bool http_has_token(const char *v, size_t n, const char *token)
{
	size_t tn = strlen(token), i = 0;
	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t s = i;
		while (i < n && v[i] != ',')
			i++;
		size_t e = i;
		while (e > s && (v[e - 1] == ' ' || v[e - 1] == '\t'))
			e--;
		if (e - s == tn && strncasecmp(v + s, token, tn) == 0)
			return true;
	}
	return false;
}

/* Find the end of the line starting at i: returns the index of the line's
 * terminator (CR or LF), sets *next past it; -1 need more, -2 bare CR. */
static long line_end(const char *b, size_t len, size_t i, size_t *next)
{
	for (size_t k = i; k < len; k++) {
		if (b[k] == '\n') {
			*next = k + 1;
			return (long)k;
		}
		if (b[k] == '\r') {
			if (k + 1 >= len)
				return -1;
			if (b[k + 1] != '\n')
				return -2;
			*next = k + 2;
			return (long)k;
		}
	}
	return -1;
}

static int fail(http_request *rq, int status, const char *why)
{
	rq->error_status = status;
	rq->error = why;
	return HTTP_ERROR;
}

static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0 || n > 19)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

/* Parse header fields from i; shared by requests and responses. */
static int parse_fields(const char *b, size_t len, size_t i, size_t max_head, http_header *hs,
			size_t *count, size_t *head_len, int *err_status, const char **err)
{
	*count = 0;
	for (;;) {
		size_t next;
		long e = line_end(b, len, i, &next);
		if (e == -1) {
			if (len > max_head) {
				*err_status = 431;
				*err = "request header fields too large";
				return HTTP_ERROR;
			}
			return HTTP_MORE;
		}
		if (e == -2 || next > max_head) {
			*err_status = e == -2 ? 400 : 431;
			*err = e == -2 ? "bare CR in the header section" : "request header fields too large";
			return HTTP_ERROR;
		}
		if ((size_t)e == i) { /* empty line: end of the head */
			*head_len = next;
			return HTTP_OK;
		}
		if (b[i] == ' ' || b[i] == '\t') {
			*err_status = 400;
			*err = "obsolete line folding";
			return HTTP_ERROR;
		}
		size_t c = i;
		while (c < (size_t)e && tchar((unsigned char)b[c]))
			c++;
		if (c == i || c >= (size_t)e || b[c] != ':') {
			*err_status = 400;
			*err = "malformed header field";
			return HTTP_ERROR;
		}
		if (*count >= HTTP_MAX_HEADERS) {
			*err_status = 431;
			*err = "too many header fields";
			return HTTP_ERROR;
		}
		size_t vs = c + 1, ve = (size_t)e;
		while (vs < ve && (b[vs] == ' ' || b[vs] == '\t'))
			vs++;
		while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t'))
			ve--;
		for (size_t k = vs; k < ve; k++) {
			unsigned char ch = (unsigned char)b[k];
			if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
				*err_status = 400;
				*err = "control character in a header value";
				return HTTP_ERROR;
			}
		}
		hs[(*count)++] = (http_header){b + i, c - i, b + vs, ve - vs};
		i = next;
	}
}

/* Transfer-Encoding / Content-Length framing shared by both directions. */
static int framing(const http_header *hs, size_t n, bool *chunked, bool *has_length,
		   uint64_t *length, int *err_status, const char **err)
{
	bool te = false;
	*chunked = *has_length = false;
	for (size_t i = 0; i < n; i++) {
		if (http_name_is(&hs[i], "transfer-encoding")) {
			te = true;
			/* the final coding must be chunked */
			const char *v = hs[i].value;
			size_t vn = hs[i].value_len;
			while (vn && (v[vn - 1] == ' ' || v[vn - 1] == ','))
				vn--;
			size_t s = vn;
			while (s > 0 && v[s - 1] != ',')
				s--;
			while (s < vn && (v[s] == ' ' || v[s] == '\t'))
				s++;
			*chunked = vn - s == 7 && strncasecmp(v + s, "chunked", 7) == 0;
			if (!*chunked) {
				*err_status = 501;
				*err = "unsupported transfer coding";
				return HTTP_ERROR;
			}
		} else if (http_name_is(&hs[i], "content-length")) {
			uint64_t v;
			if (!parse_u64(hs[i].value, hs[i].value_len, &v) || (*has_length && v != *length)) {
				*err_status = 400;
				*err = "invalid Content-Length";
				return HTTP_ERROR;
			}
			*has_length = true;
			*length = v;
		}
	}
	if (te && *has_length) {
		*err_status = 400;
		*err = "both Transfer-Encoding and Content-Length";
		return HTTP_ERROR;
	}
	return HTTP_OK;
}

int http_parse_request(const char *b, size_t len, const http_limits *lim, http_request *rq)
{
	memset(rq, 0, sizeof *rq);
	size_t i = 0;
	/* RFC 9112 2.2: ignore at least one empty line before the request-line */
	while (i < len && i < 4 && (b[i] == '\r' || b[i] == '\n'))
		i++;
	size_t next;
	long e = line_end(b, len, i, &next);
	if (e == -1) {
		if (len > lim->max_target + 32)
			return fail(rq, 414, "request-target too long");
		return HTTP_MORE;
	}
	if (e == -2)
		return fail(rq, 400, "bare CR in the request line");
	/* method SP request-target SP HTTP-version */
	size_t m = i;
	while (m < (size_t)e && tchar((unsigned char)b[m]))
		m++;
	if (m == i || m >= (size_t)e || b[m] != ' ')
		return fail(rq, 400, "malformed request line");
	size_t t = m + 1, te = t;
	while (te < (size_t)e && b[te] != ' ') {
		unsigned char ch = (unsigned char)b[te];
		if (ch <= 0x20 || ch == 0x7f)
			return fail(rq, 400, "control character in the request-target");
		te++;
	}
	if (te == t || te >= (size_t)e)
		return fail(rq, 400, "malformed request line");
	if (te - t > lim->max_target)
		return fail(rq, 414, "request-target too long");
	const char *v = b + te + 1;
	size_t vn = (size_t)e - te - 1;
	if (vn != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
	    v[7] < '0' || v[7] > '9')
		return fail(rq, 400, "malformed HTTP version");
	if (v[5] != '1')
		return fail(rq, 505, "HTTP version not supported");
	rq->method = b + i;
	rq->method_len = m - i;
	rq->target = b + t;
	rq->target_len = te - t;
	rq->minor = v[7] - '0';
	int st = parse_fields(b, len, next, lim->max_head, rq->headers, &rq->header_count,
			      &rq->head_len, &rq->error_status, &rq->error);
	if (st != HTTP_OK)
		return st;
	st = framing(rq->headers, rq->header_count, &rq->chunked, &rq->has_length,
		     &rq->content_length, &rq->error_status, &rq->error);
	if (st != HTTP_OK)
		return st;
	if (rq->has_length && rq->content_length > lim->max_body)
		return fail(rq, 413, "content too large");
	int hosts = 0;
	rq->keep_alive = rq->minor >= 1;
	for (size_t k = 0; k < rq->header_count; k++) {
		const http_header *h = &rq->headers[k];
		if (http_name_is(h, "host"))
			hosts++;
		else if (http_name_is(h, "connection")) {
			if (http_has_token(h->value, h->value_len, "close"))
				rq->keep_alive = false;
			else if (http_has_token(h->value, h->value_len, "keep-alive"))
				rq->keep_alive = true;
		} else if (http_name_is(h, "expect")) {
			rq->expect_continue = h->value_len == 12 && !strncasecmp(h->value, "100-continue", 12);
		}
	}
	/* RFC 9112 3.2: a 1.1 request needs exactly one Host */
	if (hosts > 1 || (hosts == 0 && rq->minor >= 1))
		return fail(rq, 400, hosts ? "more than one Host header" : "no Host header");
	return HTTP_OK;
}

enum { C_SIZE, C_EXT, C_SIZE_LF, C_DATA, C_DATA_CR, C_DATA_LF, C_TRAILER, C_TRAILER_LF, C_DONE };

int http_chunked_decode(http_chunked *c, const char *in, size_t len, char *out, size_t out_cap,
			size_t *used, size_t *produced)
{
	size_t i = 0, o = 0;
	*used = *produced = 0; /* also on errors */
	while (i < len) {
		char ch = in[i];
		switch (c->state) {
		case C_SIZE: {
			int v = (ch >= '0' && ch <= '9')   ? ch - '0'
				: (ch >= 'a' && ch <= 'f') ? ch - 'a' + 10
				: (ch >= 'A' && ch <= 'F') ? ch - 'A' + 10
							   : -1;
			if (v >= 0) {
				if (c->line++ >= 15) /* a chunk size over 2^60 is an attack */
					return HTTP_ERROR;
				c->remaining = c->remaining * 16 + (uint64_t)v;
				i++;
				continue;
			}
			if (c->line == 0)
				return HTTP_ERROR;
			if (ch == ';' || ch == ' ' || ch == '\t') {
				c->state = C_EXT;
				c->line = 0;
				i++;
				continue;
			}
			if (ch == '\r') {
				c->state = C_SIZE_LF;
				i++;
				continue;
			}
			if (ch == '\n') {
				i++;
				goto size_done;
			}
			return HTTP_ERROR;
		}
		case C_EXT:
			if (ch == '\r') {
				c->state = C_SIZE_LF;
			} else if (ch == '\n') {
				i++;
				goto size_done;
			} else if (++c->line > 4096 || ((unsigned char)ch < 0x20 && ch != '\t')) {
				return HTTP_ERROR;
			}
			i++;
			continue;
		case C_SIZE_LF:
			if (ch != '\n')
				return HTTP_ERROR;
			i++;
		size_done:
			c->line = 0;
			c->state = c->remaining ? C_DATA : C_TRAILER;
			continue;
		case C_DATA: {
			size_t n = len - i;
			if (n > c->remaining)
				n = (size_t)c->remaining;
			if (n > out_cap - o)
				n = out_cap - o;
			if (n == 0)
				goto stop; /* output full */
			memcpy(out + o, in + i, n);
			o += n;
			i += n;
			c->remaining -= n;
			if (c->remaining == 0)
				c->state = C_DATA_CR;
			continue;
		}
		case C_DATA_CR:
			if (ch == '\n') {
				c->state = C_SIZE;
				c->line = 0;
				i++;
				continue;
			}
			if (ch != '\r')
				return HTTP_ERROR;
			c->state = C_DATA_LF;
			i++;
			continue;
		case C_DATA_LF:
			if (ch != '\n')
				return HTTP_ERROR;
			c->state = C_SIZE;
			c->line = 0;
			i++;
			continue;
		case C_TRAILER:
			/* trailer fields until an empty line */
			if (ch == '\r') {
				c->state = C_TRAILER_LF;
				i++;
				continue;
			}
			if (ch == '\n') {
				i++;
				if (c->line == 0) {
					c->state = C_DONE;
					goto stop;
				}
				c->line = 0;
				continue;
			}
			if (++c->trailer > 8192)
				return HTTP_ERROR;
			c->line++;
			i++;
			continue;
		case C_TRAILER_LF:
			if (ch != '\n')
				return HTTP_ERROR;
			i++;
			if (c->line == 0) {
				c->state = C_DONE;
				goto stop;
			}
			c->line = 0;
			c->state = C_TRAILER;
			continue;
		default:
			goto stop;
		}
	}
stop:
	*used = i;
	*produced = o;
	c->done = c->state == C_DONE;
	return c->done ? HTTP_OK : HTTP_MORE;
}

int http_parse_response(const char *b, size_t len, size_t max_head, http_response *rs)
{
	memset(rs, 0, sizeof *rs);
	size_t next;
	long e = line_end(b, len, 0, &next);
	if (e == -1)
		return len > max_head ? HTTP_ERROR : HTTP_MORE;
	if (e < 12 || memcmp(b, "HTTP/1.", 7) != 0 || b[8] != ' ' || b[7] < '0' || b[7] > '9')
		return HTTP_ERROR;
	rs->minor = b[7] - '0';
	int status = 0;
	for (int k = 9; k < 12; k++) {
		if (b[k] < '0' || b[k] > '9')
			return HTTP_ERROR;
		status = status * 10 + (b[k] - '0');
	}
	rs->status = status;
	int es;
	const char *err;
	int st = parse_fields(b, len, next, max_head, rs->headers, &rs->header_count, &rs->head_len,
			      &es, &err);
	if (st != HTTP_OK)
		return st;
	if (framing(rs->headers, rs->header_count, &rs->chunked, &rs->has_length,
		    &rs->content_length, &es, &err) != HTTP_OK)
		return HTTP_ERROR;
	rs->keep_alive = rs->minor >= 1;
	for (size_t k = 0; k < rs->header_count; k++) {
		const http_header *h = &rs->headers[k];
		if (http_name_is(h, "connection")) {
			if (http_has_token(h->value, h->value_len, "close"))
				rs->keep_alive = false;
			else if (http_has_token(h->value, h->value_len, "keep-alive"))
				rs->keep_alive = true;
		}
	}
	return HTTP_OK;
}
