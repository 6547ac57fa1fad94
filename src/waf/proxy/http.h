/*
 * http.h — the HTTP/1.1 message parsing the reverse proxy needs (RFC 9112).
 *
 * Incremental and allocation-free: the caller keeps bytes in its buffer and
 * calls again with more when told HTTP_MORE.  Parsed heads point into the
 * caller's buffer.  Everything a request smuggler or a fuzzer can vary is
 * validated and bounded: token syntax, obsolete line folding (rejected),
 * Transfer-Encoding with Content-Length (rejected), repeated or malformed
 * Content-Length (rejected), chunk sizes (bounded), trailers (bounded).
 */
#ifndef MAMORI_WAF_HTTP_H
#define MAMORI_WAF_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADERS 100

enum { HTTP_OK = 0, HTTP_MORE = 1, HTTP_ERROR = -1 };

typedef struct http_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
} http_header;

typedef struct http_limits {
	size_t max_head;   /* request line + headers, bytes (431 beyond) */
	size_t max_target; /* request-target, bytes (414 beyond) */
	size_t max_body;   /* decoded body, bytes (413 beyond) */
} http_limits;

typedef struct http_request {
	const char *method;
	size_t method_len;
	const char *target;
	size_t target_len;
	int minor;	 /* HTTP/1.<minor> */
	http_header headers[HTTP_MAX_HEADERS];
	size_t header_count;
	size_t head_len; /* bytes of the head, CRLF CRLF included */
	bool chunked;
	bool has_length;
	uint64_t content_length;
	bool keep_alive;
	bool expect_continue;
	int error_status; /* on HTTP_ERROR: 400, 413, 414, 431, 501, 505 */
	const char *error;
} http_request;

/* Parse a request head from buf[0..len). */
int http_parse_request(const char *buf, size_t len, const http_limits *lim, http_request *rq);

/* Chunked transfer coding, decoded incrementally. */
typedef struct http_chunked {
	int state;
	uint64_t remaining; /* bytes left in the current chunk */
	size_t line;	    /* length of the current size/trailer line */
	size_t trailer;	    /* trailer bytes so far */
	bool done;
} http_chunked;

/* Decode in[0..len): data goes to out (at most out_cap bytes per call);
 * *used is how much input was consumed, *produced how much output was
 * written.  Returns HTTP_OK when the body is complete, HTTP_MORE, or
 * HTTP_ERROR (malformed). */
int http_chunked_decode(http_chunked *c, const char *in, size_t len, char *out, size_t out_cap,
			size_t *used, size_t *produced);

/* A response head from an upstream server. */
typedef struct http_response {
	int status;
	int minor;
	size_t head_len;
	bool chunked;
	bool has_length;
	uint64_t content_length;
	bool keep_alive;
	http_header headers[HTTP_MAX_HEADERS];
	size_t header_count;
} http_response;

int http_parse_response(const char *buf, size_t len, size_t max_head, http_response *rs);

/* Case-insensitive comparison of a header name with a lower-case string. */
bool http_name_is(const http_header *h, const char *lc);
/* Does a comma-separated header value contain the token (case-insensitive)? */
bool http_has_token(const char *v, size_t n, const char *token);

#endif
