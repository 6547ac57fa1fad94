/*
 * router.c — one request in, one response out: who may ask (Host check,
 * token, session, CSRF), then the static page or the API.
 *
 * Order of checks, each a refusal that says nothing about the store:
 *  1. the request target parses (else 400);
 *  2. on a loopback-only hub, the Host header names this machine (else 421):
 *     a web page cannot reach the dashboard through DNS rebinding;
 *  3. pages other than /login and the static assets need an authenticated
 *     session or the bearer token when a token is required (else 401 for
 *     the API, a redirect to /login for pages);
 *  4. a state-changing request needs the session's CSRF token in
 *     X-CSRF-Token and, when the browser says, a same-origin Origin (else
 *     403) — a bearer token, which browsers never send on their own, stands
 *     in for both.
 */
#include "hub_internal.h"
#include "embedded.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const mamori_embedded_file mamori_web_assets[];
extern const size_t mamori_web_assets_count;

void hub_response_init(hub_response *rs)
{
	memset(rs, 0, sizeof *rs);
	rs->status = 200;
}

void hub_response_free(hub_response *rs)
{
	mamori_buf_free(&rs->body);
}

void hub_json(hub_response *rs, int status, cJSON *doc)
{
	char *text = mamori_json_print(doc, false);
	rs->status = status;
	rs->content_type = "application/json; charset=utf-8";
	mamori_buf_reset(&rs->body);
	mamori_buf_puts(&rs->body, text);
	free(text);
	cJSON_Delete(doc);
}

void hub_error(hub_response *rs, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	cJSON *doc = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(doc, "error");
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", msg);
	cJSON_AddNumberToObject(err, "status", status);
	hub_json(rs, status, doc);
}

static const mamori_embedded_file *asset(const char *path)
{
	char name[300];
	if (strlen(path) > 256)
		return NULL;
	snprintf(name, sizeof name, "web%s", path);
	for (size_t i = 0; i < mamori_web_assets_count; i++)
		if (!strcmp(mamori_web_assets[i].name, name))
			return &mamori_web_assets[i];
	return NULL;
}

static const char *content_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{".html", "text/html; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".svg", "image/svg+xml"},
		{".json", "application/json; charset=utf-8"},
		{".ico", "image/x-icon"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof types / sizeof *types; i++)
		if (!strcmp(dot, types[i].ext))
			return types[i].type;
	return "application/octet-stream";
}

static void not_found_page(hub_response *rs);

static void serve_asset(hub_response *rs, const mamori_embedded_file *f, int status)
{
	if (!f) {
		not_found_page(rs);
		return;
	}
	rs->status = status;
	rs->content_type = content_type(f->name);
	rs->static_body = f->data;
	rs->static_len = f->len;
	rs->cacheable = true;
}

static void redirect(hub_response *rs, const char *to)
{
	rs->status = 303;
	snprintf(rs->location, sizeof rs->location, "%s", to);
	rs->content_type = "text/plain; charset=utf-8";
	mamori_buf_puts(&rs->body, "See Other\n");
}

static void not_found_page(hub_response *rs)
{
	rs->status = 404;
	rs->content_type = "text/plain; charset=utf-8";
	mamori_buf_reset(&rs->body);
	mamori_buf_puts(&rs->body, "Not Found\n");
}

static void set_session_cookie(mamori_hub *h, hub_response *rs, const hub_session *s)
{
	if (rs->cookie_count >= 3)
		return;
	snprintf(rs->cookies[rs->cookie_count++], sizeof rs->cookies[0],
		 "mamori_session=%s; Path=/; HttpOnly; SameSite=Strict%s", s ? s->id : "",
		 h->tls ? "; Secure" : "");
	if (!s)
		strncat(rs->cookies[rs->cookie_count - 1], "; Max-Age=0",
			sizeof rs->cookies[0] - strlen(rs->cookies[rs->cookie_count - 1]) - 1);
}

static bool loopback_name(const char *name)
{
	return !strcmp(name, "127.0.0.1") || !strcmp(name, "localhost") || !strcmp(name, "::1") ||
	       !strncmp(name, "127.", 4);
}

static bool host_allowed(const mamori_hub *h, const char *host)
{
	if (h->auth.required)
		return true; /* the token protects it whatever name reached it */
	char name[256];
	if (!hub_host_name(host, name, sizeof name))
		return false;
	if (loopback_name(name))
		return true;
	for (size_t i = 0; i < h->allowed_host_count; i++)
		if (!strcasecmp(name, h->allowed_hosts[i]))
			return true;
	return false;
}

/* The Origin a browser sent, when it sent one, is this hub's. */
static bool same_origin(const mamori_hub *h, const hub_request *rq)
{
	if (rq->sec_fetch_site && strcmp(rq->sec_fetch_site, "same-origin") &&
	    strcmp(rq->sec_fetch_site, "none"))
		return false;
	if (!rq->origin)
		return true;
	if (!rq->host)
		return false;
	char want[600];
	snprintf(want, sizeof want, "%s://%s", h->tls ? "https" : "http", rq->host);
	return !strcasecmp(rq->origin, want);
}

static bool bearer_ok(const mamori_hub *h, const hub_request *rq)
{
	const char *a = rq->authorization;
	if (!a || strncasecmp(a, "Bearer ", 7))
		return false;
	const char *t = a + 7;
	while (*t == ' ')
		t++;
	return hub_auth_check_token(&h->auth, t, strlen(t));
}

static bool state_changing(const char *method)
{
	return strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "OPTIONS");
}

static bool is_json(const char *ct)
{
	return ct && !strncasecmp(ct, "application/json", 16);
}

static bool is_form(const char *ct)
{
	return ct && !strncasecmp(ct, "application/x-www-form-urlencoded", 33);
}

static void login(mamori_hub *h, const hub_request *rq, hub_session *old, hub_response *rs,
		  mamori_arena *a, time_t now)
{
	if (!same_origin(h, rq)) {
		hub_error(rs, 403, "forbidden", "cross-site login refused");
		return;
	}
	const char *token = NULL;
	size_t token_len = 0;
	cJSON *doc = NULL;
	hub_params form = {0};
	if (is_json(rq->content_type)) {
		mamori_ctx *pctx = mamori_ctx_new();
		doc = mamori_json_parse(pctx, "request", rq->body ? rq->body : "", rq->body_len);
		mamori_ctx_free(pctx);
		token = mamori_json_str(doc, "token");
	} else if (is_form(rq->content_type)) {
		if (hub_parse_form(rq->body ? rq->body : "", rq->body_len, a, &form))
			token = hub_param_get(&form, "token");
	} else {
		hub_error(rs, 415, "unsupported_media_type",
			  "send the token as application/json or a form");
		return;
	}
	if (token)
		token_len = strlen(token);
	bool ok = h->auth.required && hub_auth_check_token(&h->auth, token, token_len);
	cJSON_Delete(doc);
	if (!ok) {
		mamori_log(h->ctx, MAMORI_LOG_WARN, "hub: failed login from %s",
			   rq->remote ? rq->remote : "?");
		if (is_form(rq->content_type)) {
			const mamori_embedded_file *page = asset("/login.html");
			if (page)
				serve_asset(rs, page, 401);
			rs->cacheable = false;
		} else {
			hub_error(rs, 401, "unauthorized", "the token is not valid");
		}
		return;
	}
	if (old)
		hub_session_drop(&h->auth, old); /* no session fixation */
	hub_session *s = hub_session_new(&h->auth, now, true);
	set_session_cookie(h, rs, s);
	mamori_log(h->ctx, MAMORI_LOG_INFO, "hub: login from %s", rq->remote ? rq->remote : "?");
	if (is_form(rq->content_type)) {
		redirect(rs, "/");
	} else {
		cJSON *r = cJSON_CreateObject();
		cJSON_AddBoolToObject(r, "authenticated", true);
		hub_json(rs, 200, r);
	}
}

void hub_handle(mamori_hub *h, const hub_request *rq, hub_response *rs)
{
	mamori_arena a = {0};
	char *path = NULL;
	hub_params params = {0};
	const char *method = rq->method ? rq->method : "";
	bool api = rq->uri && !strncmp(rq->uri, "/api/", 5);
	time_t now = time(NULL);

	if (!hub_parse_uri(rq->uri, &a, &path, &params)) {
		hub_error(rs, 400, "bad_request",
			  "the request target is malformed (bad percent-encoding, invalid UTF-8, "
			  "control characters, a repeated parameter or too long)");
		goto out;
	}
	if (!host_allowed(h, rq->host)) {
		hub_error(rs, 421, "misdirected_request",
			  "this dashboard answers to localhost only; use --allow-host NAME to add a "
			  "name");
		goto out;
	}
	hub_session *session = hub_session_find(&h->auth, rq->cookie, now);
	bool token = h->auth.required && bearer_ok(h, rq);
	bool authed = !h->auth.required || token || (session && session->authenticated);

	if (!strcmp(path, "/login")) {
		if (!strcmp(method, "POST"))
			login(h, rq, session, rs, &a, now);
		else if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
			serve_asset(rs, asset("/login.html"), 200);
		else
			hub_error(rs, 405, "method_not_allowed", "use GET or POST");
		goto out;
	}
	if (!strcmp(path, "/logout")) {
		if (strcmp(method, "POST")) {
			hub_error(rs, 405, "method_not_allowed", "use POST");
		} else if (!session || !rq->csrf || !hub_consttime_eq(rq->csrf, session->csrf) ||
			   !same_origin(h, rq)) {
			hub_error(rs, 403, "forbidden", "missing or wrong CSRF token");
		} else {
			hub_session_drop(&h->auth, session);
			set_session_cookie(h, rs, NULL);
			cJSON *r = cJSON_CreateObject();
			cJSON_AddBoolToObject(r, "authenticated", false);
			hub_json(rs, 200, r);
		}
		goto out;
	}
	if (api) {
		if (strcmp(method, "GET") && strcmp(method, "HEAD") && strcmp(method, "POST")) {
			hub_error(rs, 405, "method_not_allowed", "use GET or POST");
			goto out;
		}
		if (!authed) {
			hub_error(rs, 401, "unauthorized", "log in or send the access token");
			goto out;
		}
		if (state_changing(method) && !token) {
			if (!session || !rq->csrf || !hub_consttime_eq(rq->csrf, session->csrf) ||
			    !same_origin(h, rq)) {
				hub_error(rs, 403, "forbidden", "missing or wrong CSRF token");
				goto out;
			}
		}
		/* the dashboard's first call: a session (and its CSRF token) for it */
		if (!strcmp(path, "/api/v1/session") && !session && !token) {
			session = hub_session_new(&h->auth, now, !h->auth.required);
			set_session_cookie(h, rs, session);
		}
		if (!strcmp(path, "/api/v1/session") && !strcmp(method, "GET")) {
			cJSON *r = cJSON_CreateObject();
			cJSON_AddBoolToObject(r, "authenticated", true);
			cJSON_AddBoolToObject(r, "auth_required", h->auth.required);
			if (session)
				cJSON_AddStringToObject(r, "csrf", session->csrf);
			char lang[8] = "";
			const char *l = hub_cookie(rq->cookie, "mamori_lang", lang, sizeof lang) &&
							(!strcmp(lang, "ja") || !strcmp(lang, "en"))
						? lang
						: hub_accept_language(rq->accept_language);
			cJSON_AddStringToObject(r, "lang", l ? l : h->lang);
			cJSON_AddStringToObject(r, "version", mamori_version());
			hub_json(rs, 200, r);
			goto out;
		}
		hub_api(h, rq, path, &params, rs, &a);
		goto out;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		hub_error(rs, 405, "method_not_allowed", "use GET");
		goto out;
	}
	if (!strcmp(path, "/") || !strcmp(path, "/index.html")) {
		if (!authed) {
			redirect(rs, "/login");
			goto out;
		}
		serve_asset(rs, asset("/index.html"), 200);
		goto out;
	}
	/* static assets hold no data: served to anyone who may reach the hub */
	const mamori_embedded_file *f = strstr(path, ".html") ? NULL : asset(path);
	if (f)
		serve_asset(rs, f, 200);
	else
		not_found_page(rs);
out:
	if (!rs->content_type)
		hub_error(rs, 500, "internal", "no response");
	mamori_arena_free(&a);
}
