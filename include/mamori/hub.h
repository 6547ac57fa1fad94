/*
 * hub.h — `mamori serve`: the findings store as a web dashboard and a JSON API.
 *
 * One process serves the dashboard (static pages compiled into the binary,
 * web/) and the API under /api/v1/ from one store, on libmicrohttpd.  It
 * binds 127.0.0.1 by default; any other address requires an access token,
 * generated on first start, shown once and kept only as a salted SHA-256
 * digest.  The browser trades the token for an HttpOnly, SameSite=Strict
 * session cookie; every state-changing request must also carry the
 * session's CSRF token.  Responses carry a strict Content-Security-Policy
 * (no inline script), nosniff and frame-ancestors 'none'.  Optional TLS from
 * a PEM certificate and key.  See docs/hub.md and docs/api/openapi.yaml.
 */
#ifndef MAMORI_HUB_H
#define MAMORI_HUB_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mamori_hub mamori_hub;

typedef struct mamori_hub_options {
	const char *bind;	  /* an IPv4 or IPv6 address; NULL = "127.0.0.1" */
	unsigned port;		  /* 0 = any free port */
	bool require_token;	  /* require the token on loopback too */
	const char *token_file;	  /* NULL = mamori_hub_default_token_file() */
	bool new_token;		  /* replace the stored token by a new one */
	const char *tls_cert;	  /* PEM files; both or neither */
	const char *tls_key;
	const char *lang;	  /* default UI language: "en" or "ja"; NULL = "en" */
	const char *const *allowed_hosts; /* extra Host header names accepted on loopback */
	size_t allowed_host_count;
} mamori_hub_options;

/*
 * Prepare a hub over store (which must outlive it).  When a token is needed
 * and none is stored (or new_token), one is generated, its digest written to
 * the token file (mode 0600), and the token itself handed back in *new_token
 * (malloc'd; print it once), else *new_token is NULL.
 */
MAMORI_API int mamori_hub_new(mamori_ctx *ctx, mamori_store *store, const mamori_hub_options *o,
			      mamori_hub **out, char **new_token);
/* Start serving on a thread of its own. */
MAMORI_API int mamori_hub_start(mamori_hub *h);
/* The base URL, e.g. "http://127.0.0.1:8080/" (valid after start). */
MAMORI_API const char *mamori_hub_url(const mamori_hub *h);
/* Stop accepting, let requests in flight finish, stop. */
MAMORI_API void mamori_hub_stop(mamori_hub *h);
MAMORI_API void mamori_hub_free(mamori_hub *h);

/* $XDG_CONFIG_HOME/mamori/hub-token, or ~/.config/mamori/hub-token (malloc'd). */
MAMORI_API char *mamori_hub_default_token_file(void);

#ifdef __cplusplus
}
#endif
#endif
