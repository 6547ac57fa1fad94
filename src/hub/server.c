/*
 * server.c — the hub on libmicrohttpd: sockets, TLS, bodies and headers.
 *
 * libmicrohttpd runs one internal polling thread; every request is answered
 * on it by hub_handle() (router.c), so the store handle and the ctx are only
 * ever used by that thread.  The raw request target comes from the URI log
 * callback (the hub parses it itself, strictly); bodies are collected up to
 * HUB_MAX_BODY, beyond which the answer is 413.  Every response gets the
 * security headers here, in one place.  Stopping quiesces the listening
 * socket first, then waits (at most HUB_DRAIN_SECONDS) until every request
 * begun has been answered in full: libmicrohttpd's own stop would close a
 * connection whose answer is still being read or sent.
 */
#include "hub_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CSP                                                                                 \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "     \
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "  \
	"require-trusted-types-for 'script'; trusted-types 'none'"

/* An idle connection is closed after this long; a stop waits no longer for a
 * request in flight, so a stalled client cannot hold it up. */
#define HUB_CONNECTION_TIMEOUT 30
#define HUB_DRAIN_SECONDS HUB_CONNECTION_TIMEOUT

/* What libmicrohttpd keeps for us per request. */
typedef struct conn_state {
	char *uri;
	mamori_buf body;
	bool too_big;
	bool headers_seen; /* the first call only announces the request */
} conn_state;

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *con)
{
	(void)con;
	mamori_hub *h = cls;
	/* libmicrohttpd calls completed() for every request it has logged */
	atomic_fetch_add(&h->in_flight, 1);
	conn_state *cs = mamori_xcalloc(1, sizeof *cs);
	cs->uri = mamori_xstrdup(uri ? uri : "");
	return cs;
}

static void completed(void *cls, struct MHD_Connection *con, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)con, (void)toe;
	mamori_hub *h = cls;
	conn_state *cs = *con_cls;
	if (!cs)
		return;
	atomic_fetch_sub(&h->in_flight, 1);
	free(cs->uri);
	mamori_buf_free(&cs->body);
	free(cs);
	*con_cls = NULL;
}

static const char *header(struct MHD_Connection *con, const char *name)
{
	return MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);
}

static void security_headers(const mamori_hub *h, struct MHD_Response *r, bool cacheable)
{
	MHD_add_response_header(r, "Content-Security-Policy", CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=(), payment=()");
	MHD_add_response_header(r, "Cache-Control", cacheable ? "no-cache" : "no-store");
	if (h->tls)
		MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *con, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	(void)url, (void)version;
	mamori_hub *h = cls;
	conn_state *cs = *con_cls;
	if (!cs)
		return MHD_NO;
	if (!cs->headers_seen) {
		cs->headers_seen = true;
		return MHD_YES; /* the body, if any, comes in the next calls */
	}
	if (*upload_data_size) {
		if (cs->body.len + *upload_data_size > HUB_MAX_BODY)
			cs->too_big = true;
		else
			mamori_buf_append(&cs->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	char remote[64] = "unknown";
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  remote, sizeof remote);
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, remote,
				  sizeof remote);
	}
	hub_request rq = {
		.method = method,
		.uri = cs->uri,
		.body = cs->body.data,
		.body_len = cs->body.len,
		.host = header(con, "Host"),
		.cookie = header(con, "Cookie"),
		.content_type = header(con, "Content-Type"),
		.accept_language = header(con, "Accept-Language"),
		.origin = header(con, "Origin"),
		.sec_fetch_site = header(con, "Sec-Fetch-Site"),
		.csrf = header(con, "X-CSRF-Token"),
		.authorization = header(con, "Authorization"),
		.remote = remote,
	};
	hub_response rs;
	hub_response_init(&rs);
	if (cs->too_big)
		hub_error(&rs, 413, "payload_too_large", "the request body is over %d bytes",
			  HUB_MAX_BODY);
	else
		hub_handle(h, &rq, &rs);
	struct MHD_Response *r;
	if (rs.static_body)
		r = MHD_create_response_from_buffer(rs.static_len, (void *)rs.static_body,
						    MHD_RESPMEM_PERSISTENT);
	else
		r = MHD_create_response_from_buffer(rs.body.len, rs.body.data ? rs.body.data : "",
						    MHD_RESPMEM_MUST_COPY);
	if (!r) {
		hub_response_free(&rs);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", rs.content_type);
	security_headers(h, r, rs.cacheable);
	for (int i = 0; i < rs.cookie_count; i++)
		MHD_add_response_header(r, "Set-Cookie", rs.cookies[i]);
	if (rs.location[0])
		MHD_add_response_header(r, "Location", rs.location);
	if (rs.disposition[0])
		MHD_add_response_header(r, "Content-Disposition", rs.disposition);
	if (rs.status == 401 && !strncmp(cs->uri, "/api/", 5))
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"mamori\"");
	mamori_log(h->ctx, MAMORI_LOG_DEBUG, "hub: %s %s %s -> %d", remote, method,
		   rs.status == 400 ? "(malformed)" : cs->uri, rs.status);
	enum MHD_Result ret = MHD_queue_response(con, (unsigned)rs.status, r);
	MHD_destroy_response(r);
	hub_response_free(&rs);
	return ret;
}

static char *read_pem(mamori_ctx *ctx, const char *path)
{
	mamori_buf b = MAMORI_BUF_INIT;
	if (mamori_buf_read_file(ctx, &b, path, 1 << 20) != MAMORI_OK) {
		mamori_buf_free(&b);
		return NULL;
	}
	return mamori_buf_detach(&b);
}

int mamori_hub_new(mamori_ctx *ctx, mamori_store *store, const mamori_hub_options *o,
		   mamori_hub **out, char **new_token)
{
	*out = NULL;
	*new_token = NULL;
	mamori_hub_options def = {0};
	if (!o)
		o = &def;
	const char *bind = o->bind ? o->bind : "127.0.0.1";
	struct in6_addr a6;
	struct in_addr a4;
	bool v4 = inet_pton(AF_INET, bind, &a4) == 1, v6 = !v4 && inet_pton(AF_INET6, bind, &a6) == 1;
	if (!v4 && !v6)
		return mamori_error_set(ctx, MAMORI_EUSAGE,
					"--bind: \"%s\" is not an IPv4 or IPv6 address", bind);
	if (o->port > 65535)
		return mamori_error_set(ctx, MAMORI_EUSAGE, "--port: %u is not a port", o->port);
	if (!o->tls_cert != !o->tls_key)
		return mamori_error_set(ctx, MAMORI_EUSAGE,
					"TLS needs both --tls-cert and --tls-key");
	const char *lang = o->lang ? o->lang : "en";
	if (strcmp(lang, "en") && strcmp(lang, "ja"))
		return mamori_error_set(ctx, MAMORI_EUSAGE, "--lang: use en or ja");
	mamori_hub *h = mamori_xcalloc(1, sizeof *h);
	atomic_init(&h->in_flight, 0);
	h->ctx = ctx;
	h->store = store;
	snprintf(h->lang, sizeof h->lang, "%s", lang);
	snprintf(h->bind, sizeof h->bind, "%s", bind);
	h->port = o->port;
	/* exactly 127.0.0.1 or ::1: any other address, even 127.0.0.2, needs the token */
	h->loopback = v4 ? ntohl(a4.s_addr) == 0x7f000001 : IN6_IS_ADDR_LOOPBACK(&a6);
	h->allowed_hosts = mamori_xcalloc(o->allowed_host_count + 1, sizeof *h->allowed_hosts);
	for (size_t i = 0; i < o->allowed_host_count; i++)
		h->allowed_hosts[h->allowed_host_count++] = mamori_xstrdup(o->allowed_hosts[i]);
	if (o->tls_cert) {
		h->tls_cert_pem = read_pem(ctx, o->tls_cert);
		h->tls_key_pem = h->tls_cert_pem ? read_pem(ctx, o->tls_key) : NULL;
		if (!h->tls_key_pem) {
			mamori_hub_free(h);
			return MAMORI_EINPUT;
		}
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			mamori_hub_free(h);
			return mamori_error_set(ctx, MAMORI_EUSAGE,
						"this libmicrohttpd was built without TLS support");
		}
		h->tls = true;
	}
	/* binding beyond this machine always requires the token */
	bool required = o->require_token || !h->loopback;
	int rc = hub_auth_setup(ctx, &h->auth, o->token_file, required, o->new_token, new_token);
	if (rc) {
		mamori_hub_free(h);
		return rc;
	}
	*out = h;
	return MAMORI_OK;
}

int mamori_hub_start(mamori_hub *h)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_AUTO;
	if (strchr(h->bind, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)h->port);
		inet_pton(AF_INET6, h->bind, &s6->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)h->port);
		inet_pton(AF_INET, h->bind, &s4->sin_addr);
	}
	if (h->tls)
		flags |= MHD_USE_TLS;
	struct MHD_OptionItem tls_opts[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert_pem},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key_pem},
		{MHD_OPTION_END, 0, NULL},
	};
	struct MHD_OptionItem none[] = {{MHD_OPTION_END, 0, NULL}};
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, (uint16_t)h->port, NULL, NULL, answer, h, MHD_OPTION_SOCK_ADDR, &ss,
		MHD_OPTION_URI_LOG_CALLBACK, uri_logger, h, MHD_OPTION_NOTIFY_COMPLETED, completed,
		h, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HUB_CONNECTION_TIMEOUT, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)256, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_ARRAY, h->tls ? tls_opts : none, MHD_OPTION_END);
	if (!d)
		return mamori_error_set(h->ctx, MAMORI_EUSAGE,
					"cannot serve on %s port %u: %s (in use, or not an address of "
					"this machine?)",
					h->bind, h->port, strerror(errno ? errno : EADDRINUSE));
	h->daemon = d;
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (di && di->port)
		h->port = di->port;
	bool v6 = strchr(h->bind, ':') != NULL;
	snprintf(h->url, sizeof h->url, "%s://%s%s%s:%u/", h->tls ? "https" : "http", v6 ? "[" : "",
		 h->bind, v6 ? "]" : "", h->port);
	return MAMORI_OK;
}

const char *mamori_hub_url(const mamori_hub *h)
{
	return h->url;
}

void mamori_hub_stop(mamori_hub *h)
{
	if (!h || !h->daemon)
		return;
	int fd = MHD_quiesce_daemon(h->daemon); /* no new connections */
	/* requests in flight are read, answered and sent in full */
	const struct timespec tick = {0, 10 * 1000 * 1000};
	for (int i = 0; i < HUB_DRAIN_SECONDS * 100 && atomic_load(&h->in_flight) > 0; i++)
		nanosleep(&tick, NULL);
	MHD_stop_daemon(h->daemon);
	if (fd >= 0)
		close(fd);
	h->daemon = NULL;
}

void mamori_hub_free(mamori_hub *h)
{
	if (!h)
		return;
	mamori_hub_stop(h);
	hub_auth_free(&h->auth);
	for (size_t i = 0; i < h->allowed_host_count; i++)
		free(h->allowed_hosts[i]);
	free(h->allowed_hosts);
	free(h->tls_cert_pem);
	free(h->tls_key_pem);
	free(h);
}
