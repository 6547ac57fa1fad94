/*
 * hub_internal.h — the hub's parts, transport-independent.
 *
 * A request as plain strings goes in, a response comes out: hub_handle() is
 * the whole application (routing, auth, API, static files), so that the
 * libmicrohttpd adapter (server.c) stays thin and the fuzz target
 * (fuzz/fuzz_hub_request.c) drives exactly what the network reaches.
 */
#ifndef MAMORI_HUB_INTERNAL_H
#define MAMORI_HUB_INTERNAL_H

#include "internal.h"
#include "json.h"
#include "mamori/hub.h"

#include <stdatomic.h>
#include <time.h>

/* Limits on what a client may send. */
#define HUB_MAX_BODY (1024 * 1024)
#define HUB_MAX_URI 8192
#define HUB_MAX_PARAM 1024
#define HUB_MAX_SESSIONS 1024
#define HUB_SESSION_IDLE (12 * 3600)

typedef struct hub_request {
	const char *method;
	const char *uri; /* raw request target: path and query, still percent-encoded */
	const char *body;
	size_t body_len;
	/* headers (NULL when absent) */
	const char *host;
	const char *cookie;
	const char *content_type;
	const char *accept_language;
	const char *origin;
	const char *sec_fetch_site;
	const char *csrf;	   /* X-CSRF-Token */
	const char *authorization; /* "Bearer TOKEN" */
	const char *remote;	   /* client address, for history and logs */
} hub_request;

typedef struct hub_response {
	int status;
	const char *content_type;
	mamori_buf body;
	const unsigned char *static_body; /* an embedded asset, not copied */
	size_t static_len;
	char cookies[3][256]; /* Set-Cookie values */
	int cookie_count;
	char location[256];
	char disposition[128]; /* Content-Disposition */
	bool cacheable;	       /* static assets */
} hub_response;

/* ---- sessions and the token (auth.c) ---- */

typedef struct hub_session {
	char id[65];   /* hex; the cookie value */
	char csrf[65]; /* hex; the X-CSRF-Token value */
	time_t created, seen;
	bool authenticated;
} hub_session;

typedef struct hub_auth {
	bool required;
	char digest[65]; /* hex SHA-256 of salt + token */
	char salt[33];	 /* hex */
	hub_session *sessions;
	size_t session_count;
} hub_auth;

int hub_auth_setup(mamori_ctx *ctx, hub_auth *a, const char *token_file, bool required,
		   bool renew, char **new_token);
void hub_auth_free(hub_auth *a);
bool hub_auth_check_token(const hub_auth *a, const char *token, size_t len);
hub_session *hub_session_find(hub_auth *a, const char *cookie_header, time_t now);
hub_session *hub_session_new(hub_auth *a, time_t now, bool authenticated);
void hub_session_drop(hub_auth *a, hub_session *s);
bool hub_consttime_eq(const char *a, const char *b);

/* ---- request parsing (http.c) ---- */

typedef struct hub_param {
	char *name;
	char *value;
} hub_param;

typedef struct hub_params {
	hub_param *items;
	size_t count;
} hub_params;

/* Split a raw URI into a decoded path and decoded parameters; false when
 * malformed (bad escapes, invalid UTF-8, NUL or control characters, too long). */
bool hub_parse_uri(const char *uri, mamori_arena *a, char **path, hub_params *params);
/* Parse application/x-www-form-urlencoded text (the same rules). */
bool hub_parse_form(const char *body, size_t len, mamori_arena *a, hub_params *params);
const char *hub_param_get(const hub_params *p, const char *name);
/* The value of cookie `name` in a Cookie header (into out); false when absent. */
bool hub_cookie(const char *header, const char *name, char *out, size_t size);
/* "ja" or "en" from an Accept-Language header, NULL when neither is wanted. */
const char *hub_accept_language(const char *header);
/* The host part of a Host header ("[::1]:8080" -> "::1"), in out. */
bool hub_host_name(const char *host, char *out, size_t size);

/* ---- the application ---- */

struct mamori_hub {
	mamori_ctx *ctx;
	mamori_store *store;
	hub_auth auth;
	char lang[4];
	bool tls;
	bool loopback;
	char **allowed_hosts;
	size_t allowed_host_count;
	/* server.c */
	void *daemon;
	char bind[64];
	unsigned port;
	char url[128];
	char *tls_cert_pem, *tls_key_pem;
	/* requests begun and not yet answered in full: a stop waits for them */
	atomic_int in_flight;
};

/* Answer one request (router.c).  Never fails: errors become responses. */
void hub_handle(mamori_hub *h, const hub_request *rq, hub_response *rs);
void hub_response_init(hub_response *rs);
void hub_response_free(hub_response *rs);

/* JSON and error responses (router.c). */
void hub_json(hub_response *rs, int status, cJSON *doc);
void hub_error(hub_response *rs, int status, const char *code, const char *fmt, ...)
	MAMORI_PRINTF(4, 5);

/* The API (api.c): rs is filled for every /api/v1/ request. */
void hub_api(mamori_hub *h, const hub_request *rq, const char *path, const hub_params *params,
	     hub_response *rs, mamori_arena *a);

#endif
