/*
 * proxy.c — the WAF as an HTTP/1.1 reverse proxy.
 *
 * N worker threads share one listening socket (EPOLLEXCLUSIVE spreads the
 * accepts); each runs its own epoll loop, its own mamori_waf_eval and its
 * own pool of keep-alive connections to the upstream, so that requests never
 * take a lock on the hot path.  A connection is a small state machine:
 *
 *   HEAD    read and parse the request head (bounded: 431, 414, 400)
 *   BODY    read the body, Content-Length or chunked (bounded: 413)
 *   then    evaluate the WebACL: a Block is answered here; an Allow is
 *           forwarded (hop-by-hop headers dropped, X-Forwarded-For added,
 *           the body re-framed with Content-Length)
 *   UPWRITE write the request to the upstream
 *   UPREAD  read the response head, then relay the body as it comes
 *           (Content-Length, chunked or until close), with back-pressure:
 *           nothing more is read from the upstream until the client took it
 *   then    keep-alive: back to HEAD, where pipelined bytes may be waiting
 *
 * While a request is in flight the client socket is not read, so a
 * pipelining client cannot make the proxy buffer without bound.  Deadlines:
 * the whole request must arrive within header_timeout (slow clients get a
 * 408), an idle keep-alive connection is closed after idle_timeout, the
 * upstream must answer within upstream_timeout (504).
 *
 * Reload (mamori_waf_proxy_reload, on SIGHUP in the CLI) compiles the WebACL
 * aside and swaps a reference-counted pointer; workers pick the new one up
 * at their next request and the old one is freed when its last user is done.
 */
#include "../waf_internal.h"
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define POOL_MAX 256

typedef struct acl_ref {
	mamori_waf_acl *acl;
	atomic_int refs;
} acl_ref;

typedef struct worker worker;

struct mamori_waf_proxy {
	mamori_ctx *ctx;
	mamori_waf_proxy_options o;
	char *listen_spec, *upstream_spec, *webacl_path, *block_page_path, *log_path;
	int listen_fd;
	char bound[80];
	struct sockaddr_storage up_addr;
	socklen_t up_len;
	pthread_mutex_t lock;
	acl_ref *current;
	atomic_uint generation;
	worker *workers;
	int nworkers;
	atomic_bool stopping;
	bool started;
	FILE *log;
	pthread_mutex_t log_lock;
	char *block_page;
	size_t block_page_len;
};

enum { S_HEAD, S_BODY, S_UPWRITE, S_UPREAD, S_LOCAL, S_CLOSED };
enum { R_NONE, R_LEN, R_CHUNKED, R_CLOSE };

typedef struct conn conn;

typedef struct upc upc;

/* What an epoll event points at: a client connection, or a connection to
 * the upstream (whose current user changes as it goes in and out of the
 * pool). */
typedef struct side {
	conn *c;
	bool upstream;
	upc *u;
} side;

struct upc {
	int fd;
	side s; /* s.c is the connection using it, NULL while pooled */
	upc *next_dead;
};

struct conn {
	worker *w;
	int fd, up_fd;
	upc *up;
	int state;
	side cs;
	char peer[64];
	/* client input */
	char *in;
	size_t in_len, in_cap;
	http_request rq;
	size_t consumed; /* bytes of `in` used by the current request */
	char *body;
	size_t body_len, body_cap;
	http_chunked ch;
	bool sent_continue;
	/* to the upstream */
	char *uo;
	size_t uo_len, uo_off;
	bool up_reused, up_retried;
	/* from the upstream */
	char *ui;
	size_t ui_len;
	bool resp_head;
	int resp_mode;
	uint64_t resp_left;
	http_chunked rch;
	bool up_keep;
	size_t resp_bytes;
	/* to the client */
	char *co;
	size_t co_len, co_off, co_cap;
	bool keep_alive, close_after, is_head;
	bool paused; /* upstream reading stopped for back-pressure */
	int64_t deadline;
	conn *prev, *next;
};

struct worker {
	mamori_waf_proxy *p;
	pthread_t th;
	int ep, wake;
	conn *conns;
	conn *dead; /* closed during this batch of events, freed after it */
	size_t nconns;
	upc *pool[POOL_MAX];
	int npool;
	upc *dead_up;
	acl_ref *ref;
	unsigned gen;
	mamori_waf_eval *ev;
	char *scratch;
};

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void acl_release(acl_ref *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
		mamori_waf_acl_free(r->acl);
		free(r);
	}
}

static acl_ref *acl_acquire(mamori_waf_proxy *p)
{
	pthread_mutex_lock(&p->lock);
	acl_ref *r = p->current;
	atomic_fetch_add(&r->refs, 1);
	pthread_mutex_unlock(&p->lock);
	return r;
}

static int compile_acl(mamori_waf_proxy *p, mamori_waf_acl **acl)
{
	if (!p->webacl_path)
		return mamori_waf_acl_default(p->ctx, &p->o.waf, acl);
	mamori_buf b = MAMORI_BUF_INIT;
	int st = mamori_buf_read_file(p->ctx, &b, p->webacl_path, 64u << 20);
	if (!st)
		st = mamori_waf_acl_compile(p->ctx, p->webacl_path, b.data ? b.data : "", b.len,
					    &p->o.waf, acl);
	mamori_buf_free(&b);
	return st;
}

int mamori_waf_proxy_reload(mamori_waf_proxy *p)
{
	mamori_waf_acl *acl;
	int st = compile_acl(p, &acl);
	if (st)
		return st;
	acl_ref *r = mamori_xcalloc(1, sizeof *r);
	r->acl = acl;
	atomic_init(&r->refs, 1);
	pthread_mutex_lock(&p->lock);
	acl_ref *old = p->current;
	p->current = r;
	atomic_fetch_add(&p->generation, 1);
	pthread_mutex_unlock(&p->lock);
	acl_release(old);
	mamori_log(p->ctx, MAMORI_LOG_INFO, "waf proxy: WebACL %s loaded", mamori_waf_acl_name(acl));
	return MAMORI_OK;
}

/* ---- sockets ---- */

static int split_hostport(const char *spec, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon = strrchr(spec, ':');
	if (!colon)
		return -1;
	const char *h = spec;
	size_t len = (size_t)(colon - spec);
	if (len >= 2 && h[0] == '[' && h[len - 1] == ']') {
		h++;
		len -= 2;
	}
	if (len >= hn || strlen(colon + 1) >= pn || !colon[1])
		return -1;
	memcpy(host, h, len);
	host[len] = 0;
	strcpy(port, colon + 1);
	return 0;
}

static int resolve(mamori_waf_proxy *p, const char *spec, bool passive,
		   struct sockaddr_storage *out, socklen_t *len)
{
	char host[256], port[16];
	if (split_hostport(spec, host, sizeof host, port, sizeof port) != 0)
		return mamori_error_set(p->ctx, MAMORI_EUSAGE, "\"%s\" is not HOST:PORT", spec);
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = passive ? AI_PASSIVE : 0;
	int rc = getaddrinfo(*host ? host : NULL, port, &hints, &res);
	if (rc != 0 || !res)
		return mamori_error_set(p->ctx, MAMORI_EUSAGE, "cannot resolve \"%s\": %s", spec,
					gai_strerror(rc));
	memcpy(out, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return MAMORI_OK;
}

static char *read_small_file(mamori_ctx *ctx, const char *path, size_t *len)
{
	mamori_buf b = MAMORI_BUF_INIT;
	if (mamori_buf_read_file(ctx, &b, path, 1u << 20) != 0) {
		mamori_buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return mamori_buf_detach(&b);
}

static const char default_block_page[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>403 Forbidden</title></head>"
	"<body><h1>403 Forbidden</h1><p>This request was blocked by the web application "
	"firewall.</p></body></html>\n";

int mamori_waf_proxy_new(mamori_ctx *ctx, const mamori_waf_proxy_options *opts,
			 mamori_waf_proxy **out)
{
	*out = NULL;
	if (!opts || !opts->upstream)
		return mamori_error_set(ctx, MAMORI_EUSAGE, "the proxy needs an upstream URL");
	mamori_waf_proxy *p = mamori_xcalloc(1, sizeof *p);
	p->ctx = ctx;
	p->o = *opts;
	p->listen_fd = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_mutex_init(&p->log_lock, NULL);
	p->listen_spec = mamori_xstrdup(opts->listen ? opts->listen : "127.0.0.1:8080");
	p->upstream_spec = mamori_xstrdup(opts->upstream);
	p->webacl_path = opts->webacl_path ? mamori_xstrdup(opts->webacl_path) : NULL;
	if (!p->o.max_header)
		p->o.max_header = 16384;
	if (!p->o.max_body)
		p->o.max_body = 10u << 20;
	if (!p->o.header_timeout_ms)
		p->o.header_timeout_ms = 10000;
	if (!p->o.idle_timeout_ms)
		p->o.idle_timeout_ms = 60000;
	if (!p->o.upstream_timeout_ms)
		p->o.upstream_timeout_ms = 30000;
	if (!p->o.max_connections)
		p->o.max_connections = 10000;
	if (p->o.threads <= 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		p->o.threads = n > 0 && n < 64 ? (int)n : 2;
	}
	int st = MAMORI_OK;
	/* upstream: http://host:port[/...] */
	const char *u = p->upstream_spec;
	if (!strncmp(u, "http://", 7))
		u += 7;
	else if (strstr(u, "://"))
		st = mamori_error_set(ctx, MAMORI_EUSAGE, "upstream \"%s\": only http:// is supported",
				      p->upstream_spec);
	char hp[300];
	snprintf(hp, sizeof hp, "%.*s", (int)strcspn(u, "/"), u);
	if (!st && !strchr(hp, ':'))
		strncat(hp, ":80", sizeof hp - strlen(hp) - 1);
	if (!st)
		st = resolve(p, hp, false, &p->up_addr, &p->up_len);
	if (!st && opts->block_page) {
		p->block_page = read_small_file(ctx, opts->block_page, &p->block_page_len);
		if (!p->block_page)
			st = MAMORI_EINPUT;
	}
	if (!st && !p->block_page) {
		p->block_page = mamori_xstrdup(default_block_page);
		p->block_page_len = strlen(default_block_page);
	}
	if (!st && opts->log_path) {
		p->log = strcmp(opts->log_path, "-") ? fopen(opts->log_path, "a") : stdout;
		if (!p->log)
			st = mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot open the WAF log: %s",
					      opts->log_path, strerror(errno));
	}
	if (!st) {
		mamori_waf_acl *acl;
		st = compile_acl(p, &acl);
		if (!st) {
			p->current = mamori_xcalloc(1, sizeof *p->current);
			p->current->acl = acl;
			atomic_init(&p->current->refs, 1);
		}
	}
	struct sockaddr_storage la;
	socklen_t ll;
	if (!st)
		st = resolve(p, p->listen_spec, true, &la, &ll);
	if (!st) {
		int fd = socket(la.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int one = 1;
		if (fd >= 0)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (fd < 0 || bind(fd, (struct sockaddr *)&la, ll) != 0 || listen(fd, 4096) != 0) {
			st = mamori_error_set(ctx, MAMORI_EINPUT, "cannot listen on %s: %s",
					      p->listen_spec, strerror(errno));
			if (fd >= 0)
				close(fd);
		} else {
			p->listen_fd = fd;
			struct sockaddr_storage b;
			socklen_t bl = sizeof b;
			getsockname(fd, (struct sockaddr *)&b, &bl);
			char h[64];
			int port = 0;
			if (b.ss_family == AF_INET6) {
				inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&b)->sin6_addr, h, sizeof h);
				port = ntohs(((struct sockaddr_in6 *)&b)->sin6_port);
				snprintf(p->bound, sizeof p->bound, "[%s]:%d", h, port);
			} else {
				inet_ntop(AF_INET, &((struct sockaddr_in *)&b)->sin_addr, h, sizeof h);
				port = ntohs(((struct sockaddr_in *)&b)->sin_port);
				snprintf(p->bound, sizeof p->bound, "%s:%d", h, port);
			}
		}
	}
	if (st) {
		mamori_waf_proxy_free(p);
		return st;
	}
	*out = p;
	return MAMORI_OK;
}

const char *mamori_waf_proxy_address(const mamori_waf_proxy *p)
{
	return p->bound;
}

/* ---- connections ---- */

/* Sockets are registered once, edge-triggered, for both directions: no
 * epoll_ctl on the request path.  Handlers read or write until EAGAIN and
 * a state change that needs input tries to read at once. */
static void ev_register(worker *w, int fd, side *s)
{
	struct epoll_event e = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = s};
	epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &e);
}

static void up_destroy(worker *w, upc *u)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, u->fd, NULL);
	close(u->fd);
	u->fd = -1;
	u->s.c = NULL;
	u->next_dead = w->dead_up; /* freed after this batch of events */
	w->dead_up = u;
}

static void up_close(conn *c, bool reuse)
{
	upc *u = c->up;
	if (!u)
		return;
	worker *w = c->w;
	c->up = NULL;
	c->up_fd = -1;
	u->s.c = NULL;
	if (reuse && w->npool < POOL_MAX)
		w->pool[w->npool++] = u;
	else
		up_destroy(w, u);
}

/* A pooled connection had an event: the upstream closed it (or sent junk). */
static void pool_event(worker *w, upc *u)
{
	for (int i = 0; i < w->npool; i++) {
		if (w->pool[i] == u) {
			w->pool[i] = w->pool[--w->npool];
			up_destroy(w, u);
			return;
		}
	}
}

/* Close now; free after the current batch of events (which may still name
 * this connection). */
static void conn_free(conn *c)
{
	worker *w = c->w;
	if (c->state == S_CLOSED)
		return;
	up_close(c, false);
	if (c->fd >= 0) {
		epoll_ctl(w->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	w->nconns--;
	c->state = S_CLOSED;
	c->next = w->dead;
	w->dead = c;
}

static void conn_destroy(conn *c)
{
	free(c->in);
	free(c->body);
	free(c->uo);
	free(c->ui);
	free(c->co);
	free(c);
}

static void co_append(conn *c, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (c->co_off && c->co_off == c->co_len)
		c->co_off = c->co_len = 0;
	if (c->co_len + n > c->co_cap) {
		if (c->co_off) { /* compact first */
			memmove(c->co, c->co + c->co_off, c->co_len - c->co_off);
			c->co_len -= c->co_off;
			c->co_off = 0;
		}
		if (c->co_len + n > c->co_cap) {
			c->co_cap = (c->co_len + n) * 2;
			c->co = mamori_xrealloc(c->co, c->co_cap);
		}
	}
	memcpy(c->co + c->co_len, p, n);
	c->co_len += n;
}

static void co_printf(conn *c, const char *fmt, ...) MAMORI_PRINTF(2, 3);
static void co_printf(conn *c, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		co_append(c, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Write pending client output; false when the connection died. */
static bool flush_client(conn *c)
{
	while (c->co_off < c->co_len) {
		ssize_t n = send(c->fd, c->co + c->co_off, c->co_len - c->co_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->co_off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n < 0 && errno == EINTR)
			continue;
		return false;
	}
	c->co_off = c->co_len = 0;
	return true;
}

static const char *reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 202:
		return "Accepted";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 502:
		return "Bad Gateway";
	case 504:
		return "Gateway Timeout";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Error";
	}
}

/* A response the proxy makes itself; close decides keep-alive. */
static void local_response(conn *c, int status, const char *ctype, const char *body, size_t blen,
			   const mamori_waf_header *hdrs, size_t nh, bool close_conn)
{
	co_printf(c, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n", status,
		  reason(status), ctype ? ctype : "text/plain", c->is_head ? (size_t)0 : blen);
	for (size_t i = 0; i < nh; i++) {
		co_append(c, hdrs[i].name, hdrs[i].name_len);
		co_append(c, ": ", 2);
		co_append(c, hdrs[i].value, hdrs[i].value_len);
		co_append(c, "\r\n", 2);
	}
	co_printf(c, "%s\r\n", close_conn ? "Connection: close\r\n" : "");
	if (!c->is_head)
		co_append(c, body, blen);
	c->close_after = close_conn;
	c->state = S_LOCAL;
}

static void error_response(conn *c, int status)
{
	char body[128];
	int n = snprintf(body, sizeof body, "%d %s\n", status, reason(status));
	local_response(c, status, "text/plain", body, (size_t)n, NULL, 0, true);
}

static bool hop_by_hop(const http_header *h, const http_request *rq)
{
	static const char *const names[] = {"connection", "keep-alive", "proxy-connection", "te",
					    "trailer", "transfer-encoding", "upgrade",
					    "content-length", "expect", NULL};
	for (int i = 0; names[i]; i++)
		if (http_name_is(h, names[i]))
			return true;
	/* headers the client listed in Connection are hop-by-hop too */
	for (size_t k = 0; k < rq->header_count; k++) {
		const http_header *ch = &rq->headers[k];
		if (http_name_is(ch, "connection")) {
			char name[128];
			if (h->name_len < sizeof name) {
				for (size_t j = 0; j < h->name_len; j++)
					name[j] = (char)((h->name[j] >= 'A' && h->name[j] <= 'Z') ? h->name[j] + 32
												  : h->name[j]);
				name[h->name_len] = 0;
				if (http_has_token(ch->value, ch->value_len, name))
					return true;
			}
		}
	}
	return false;
}

static void log_request(conn *c, const mamori_waf_request *wr, const mamori_waf_result *res)
{
	mamori_waf_proxy *p = c->w->p;
	if (!p->log)
		return;
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_waf_log_record(c->w->ref->acl, wr, res, NULL, &b);
	mamori_buf_putc(&b, '\n');
	pthread_mutex_lock(&p->log_lock);
	fwrite(b.data, 1, b.len, p->log);
	fflush(p->log);
	pthread_mutex_unlock(&p->log_lock);
	mamori_buf_free(&b);
}

static bool up_connect(conn *c);

static void uo_append(conn *c, const void *p, size_t n, size_t *cap)
{
	if (n == 0)
		return;
	if (c->uo_len + n > *cap) {
		*cap = (c->uo_len + n) * 2;
		c->uo = mamori_xrealloc(c->uo, *cap);
	}
	memcpy(c->uo + c->uo_len, p, n);
	c->uo_len += n;
}

/* The whole request is here: evaluate, then answer or forward. */
static void dispatch(conn *c)
{
	worker *w = c->w;
	mamori_waf_proxy *p = w->p;
	unsigned gen = atomic_load(&p->generation);
	if (!w->ref || gen != w->gen) {
		acl_ref *r = acl_acquire(p);
		mamori_waf_eval_free(w->ev);
		acl_release(w->ref);
		w->ref = r;
		w->ev = mamori_waf_eval_new(r->acl);
		w->gen = gen;
	}
	http_request *rq = &c->rq;
	char method[32];
	size_t ml = rq->method_len < sizeof method - 1 ? rq->method_len : sizeof method - 1;
	memcpy(method, rq->method, ml);
	method[ml] = 0;
	c->is_head = !strcmp(method, "HEAD");
	mamori_waf_header hdrs[HTTP_MAX_HEADERS];
	for (size_t i = 0; i < rq->header_count; i++)
		hdrs[i] = (mamori_waf_header){rq->headers[i].name, rq->headers[i].name_len,
					      rq->headers[i].value, rq->headers[i].value_len};
	mamori_waf_request wr = {
		.client_ip = c->peer,
		.method = method,
		.uri = rq->target,
		.uri_len = rq->target_len,
		.version = rq->minor ? "HTTP/1.1" : "HTTP/1.0",
		.headers = hdrs,
		.header_count = rq->header_count,
		.body = c->body,
		.body_len = c->body_len,
	};
	mamori_waf_result res;
	mamori_waf_evaluate(w->ev, &wr, &res);
	log_request(c, &wr, &res);
	if (res.action != MAMORI_WAF_ALLOW) {
		const char *body = res.response_body ? res.response_body : p->block_page;
		size_t blen = res.response_body ? strlen(res.response_body) : p->block_page_len;
		const char *ctype = res.response_content_type ? res.response_content_type
							      : res.response_body ? "text/plain"
										   : "text/html; charset=utf-8";
		local_response(c, res.status, ctype, body, blen, res.response_headers,
			       res.response_header_count, !c->keep_alive);
		return;
	}
	/* forward: request line, end-to-end headers, X-Forwarded-For, the
	 * WAF's inserted headers, the body with a Content-Length */
	size_t cap = 512 + rq->head_len + c->body_len;
	c->uo = mamori_xrealloc(c->uo, cap);
	c->uo_len = c->uo_off = 0;
	uo_append(c, rq->method, rq->method_len, &cap);
	uo_append(c, " ", 1, &cap);
	uo_append(c, rq->target, rq->target_len, &cap);
	uo_append(c, " HTTP/1.1\r\n", 11, &cap);
	bool xff = false;
	for (size_t i = 0; i < rq->header_count; i++) {
		const http_header *h = &rq->headers[i];
		if (hop_by_hop(h, rq))
			continue;
		uo_append(c, h->name, h->name_len, &cap);
		uo_append(c, ": ", 2, &cap);
		uo_append(c, h->value, h->value_len, &cap);
		if (http_name_is(h, "x-forwarded-for")) {
			xff = true;
			uo_append(c, ", ", 2, &cap);
			uo_append(c, c->peer, strlen(c->peer), &cap);
		}
		uo_append(c, "\r\n", 2, &cap);
	}
	char line[160];
	int n;
	if (!xff) {
		n = snprintf(line, sizeof line, "X-Forwarded-For: %s\r\n", c->peer);
		uo_append(c, line, (size_t)n, &cap);
	}
	for (size_t i = 0; i < res.insert_header_count; i++) {
		uo_append(c, res.insert_headers[i].name, res.insert_headers[i].name_len, &cap);
		uo_append(c, ": ", 2, &cap);
		uo_append(c, res.insert_headers[i].value, res.insert_headers[i].value_len, &cap);
		uo_append(c, "\r\n", 2, &cap);
	}
	if (c->body_len || rq->has_length || rq->chunked) {
		n = snprintf(line, sizeof line, "Content-Length: %zu\r\n", c->body_len);
		uo_append(c, line, (size_t)n, &cap);
	}
	uo_append(c, "\r\n", 2, &cap);
	uo_append(c, c->body, c->body_len, &cap);
	c->up_retried = false;
	if (!up_connect(c))
		error_response(c, 502);
}

static void up_write(conn *c);

/* Take a pooled upstream connection or open one, and start writing. */
static bool up_connect(conn *c)
{
	worker *w = c->w;
	mamori_waf_proxy *p = w->p;
	c->resp_head = false;
	c->ui_len = 0;
	c->resp_bytes = 0;
	c->uo_off = 0;
	c->state = S_UPWRITE;
	c->deadline = now_ms() + p->o.upstream_timeout_ms;
	upc *u;
	if (w->npool > 0) {
		u = w->pool[--w->npool];
		c->up_reused = true;
	} else {
		int fd = socket(p->up_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return false;
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (connect(fd, (struct sockaddr *)&p->up_addr, p->up_len) != 0 && errno != EINPROGRESS) {
			close(fd);
			return false;
		}
		u = mamori_xcalloc(1, sizeof *u);
		u->fd = fd;
		u->s.upstream = true;
		u->s.u = u;
		ev_register(w, fd, &u->s);
		c->up_reused = false;
	}
	u->s.c = c;
	c->up = u;
	c->up_fd = u->fd;
	if (!c->ui)
		c->ui = mamori_xmalloc(READ_CHUNK);
	up_write(c);
	return true;
}

static void next_request(conn *c);

/* The response is complete (or cut): pool the upstream, decide keep-alive. */
static void finish_response(conn *c, bool upstream_ok)
{
	up_close(c, upstream_ok && c->up_keep);
	if (!c->keep_alive)
		c->close_after = true;
	c->state = S_LOCAL;
}

static void relay(conn *c, const char *data, size_t n)
{
	if (c->resp_mode == R_LEN) {
		if (n > c->resp_left)
			n = (size_t)c->resp_left;
		co_append(c, data, n);
		c->resp_left -= n;
		if (c->resp_left == 0)
			finish_response(c, true);
	} else if (c->resp_mode == R_CHUNKED) {
		/* forward the raw bytes; decode only to find the end */
		size_t off = 0;
		while (off < n) {
			size_t used, produced;
			char sink[4096];
			int st = http_chunked_decode(&c->rch, data + off, n - off, sink, sizeof sink, &used,
						     &produced);
			co_append(c, data + off, used);
			off += used;
			if (st == HTTP_ERROR) {
				c->up_keep = false;
				finish_response(c, false);
				c->close_after = true;
				return;
			}
			if (st == HTTP_OK) {
				finish_response(c, true);
				return;
			}
			if (used == 0 && produced == 0)
				break;
		}
	} else if (c->resp_mode == R_CLOSE) {
		co_append(c, data, n);
	}
}

static void response_head(conn *c)
{
	http_response rs;
	int st = http_parse_response(c->ui, c->ui_len, 65536, &rs);
	if (st == HTTP_MORE)
		return;
	if (st == HTTP_ERROR) {
		up_close(c, false);
		error_response(c, 502);
		return;
	}
	if (rs.status >= 100 && rs.status < 200 && rs.status != 101) {
		/* interim: drop it (the proxy answered Expect itself) and go on */
		memmove(c->ui, c->ui + rs.head_len, c->ui_len - rs.head_len);
		c->ui_len -= rs.head_len;
		response_head(c);
		return;
	}
	c->resp_head = true;
	c->up_keep = rs.keep_alive;
	bool nobody = c->is_head || rs.status == 204 || rs.status == 304 || rs.status == 101;
	if (nobody)
		c->resp_mode = R_NONE;
	else if (rs.chunked)
		c->resp_mode = R_CHUNKED;
	else if (rs.has_length)
		c->resp_mode = R_LEN;
	else {
		c->resp_mode = R_CLOSE;
		c->up_keep = false;
		c->keep_alive = false;
	}
	c->resp_left = rs.content_length;
	memset(&c->rch, 0, sizeof c->rch);
	co_printf(c, "HTTP/1.1 %d ", rs.status);
	/* the reason phrase as sent */
	const char *sp = memchr(c->ui + 9, ' ', 4);
	const char *eol = memchr(c->ui, '\n', rs.head_len);
	if (sp && eol && sp < eol) {
		size_t rl = (size_t)(eol - sp - 1);
		if (rl && sp[rl] == '\r')
			rl--;
		co_append(c, sp + 1, rl);
	}
	co_append(c, "\r\n", 2);
	for (size_t i = 0; i < rs.header_count; i++) {
		const http_header *h = &rs.headers[i];
		if (http_name_is(h, "connection") || http_name_is(h, "keep-alive") ||
		    http_name_is(h, "proxy-connection"))
			continue;
		co_append(c, h->name, h->name_len);
		co_append(c, ": ", 2);
		co_append(c, h->value, h->value_len);
		co_append(c, "\r\n", 2);
	}
	if (!c->keep_alive)
		co_append(c, "Connection: close\r\n", 19);
	co_append(c, "\r\n", 2);
	size_t rest = c->ui_len - rs.head_len;
	c->ui_len = 0;
	if (nobody || (c->resp_mode == R_LEN && c->resp_left == 0)) {
		finish_response(c, rest == 0);
		return;
	}
	if (rest)
		relay(c, c->ui + rs.head_len, rest);
	c->state = c->state == S_LOCAL ? S_LOCAL : S_UPREAD;
}

/* Parse and collect the request in c->in; act when complete. */
static void process(conn *c)
{
	mamori_waf_proxy *p = c->w->p;
	http_limits lim = {p->o.max_header, p->o.max_header, p->o.max_body};
	if (c->state == S_HEAD) {
		if (c->in_len == 0)
			return;
		int st = http_parse_request(c->in, c->in_len, &lim, &c->rq);
		if (st == HTTP_MORE) {
			if (c->in_len >= p->o.max_header)
				error_response(c, 431);
			return;
		}
		c->keep_alive = c->rq.keep_alive;
		if (st == HTTP_ERROR) {
			c->is_head = false;
			error_response(c, c->rq.error_status ? c->rq.error_status : 400);
			return;
		}
		c->consumed = c->rq.head_len;
		c->body_len = 0;
		memset(&c->ch, 0, sizeof c->ch);
		c->sent_continue = false;
		c->state = S_BODY;
	}
	if (c->state == S_BODY) {
		http_request *rq = &c->rq;
		if (rq->chunked) {
			for (;;) {
				if (c->body_cap - c->body_len < 4096) {
					if (c->body_cap >= p->o.max_body + 4096) {
						error_response(c, 413);
						return;
					}
					c->body_cap = c->body_cap ? c->body_cap * 2 : 16384;
					c->body = mamori_xrealloc(c->body, c->body_cap);
				}
				size_t used, produced;
				size_t room = c->body_cap - c->body_len;
				int st = http_chunked_decode(&c->ch, c->in + c->consumed, c->in_len - c->consumed,
							     c->body + c->body_len, room, &used, &produced);
				c->consumed += used;
				c->body_len += produced;
				if (c->body_len > p->o.max_body) {
					error_response(c, 413);
					return;
				}
				if (st == HTTP_ERROR) {
					error_response(c, 400);
					return;
				}
				if (st == HTTP_OK)
					break;
				if (produced < room)
					goto more; /* need input */
			}
		} else if (rq->has_length && rq->content_length) {
			size_t want = (size_t)rq->content_length;
			if (c->body_cap < want + 1) {
				c->body_cap = want + 1;
				c->body = mamori_xrealloc(c->body, c->body_cap);
			}
			size_t avail = c->in_len - c->consumed, need = want - c->body_len;
			size_t n = avail < need ? avail : need;
			memcpy(c->body + c->body_len, c->in + c->consumed, n);
			c->body_len += n;
			c->consumed += n;
			if (c->body_len < want)
				goto more;
		}
		dispatch(c);
		return;
	more:
		if (rq->expect_continue && !c->sent_continue) {
			c->sent_continue = true;
			co_append(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
		}
		return;
	}
}

static void client_read(conn *c);
static void up_read(conn *c);

static void next_request(conn *c)
{
	/* drop the finished request's bytes; pipelined ones move to the front */
	if (c->consumed > c->in_len)
		c->consumed = c->in_len;
	memmove(c->in, c->in + c->consumed, c->in_len - c->consumed);
	c->in_len -= c->consumed;
	c->consumed = 0;
	c->state = S_HEAD;
	c->close_after = false;
	c->deadline = now_ms() + (c->in_len ? c->w->p->o.header_timeout_ms : c->w->p->o.idle_timeout_ms);
	process(c);
	/* input may have arrived while the previous request was in flight */
	if (c->state == S_HEAD || c->state == S_BODY)
		client_read(c);
}

/* After a state change: flush output and move on. */
static void settle(conn *c)
{
	for (int guard = 0; guard < 100000 && c->state != S_CLOSED; guard++) {
		if (!flush_client(c)) {
			conn_free(c);
			return;
		}
		bool pending = c->co_off < c->co_len;
		if (c->state == S_UPREAD && !pending && c->paused && c->up) {
			/* the client took everything: the upstream may go on (no
			 * edge will say so if the socket never filled up) */
			c->paused = false;
			up_read(c);
			continue;
		}
		if (c->state != S_LOCAL || pending)
			return; /* the next event moves it on */
		if (c->close_after) {
			conn_free(c);
			return;
		}
		next_request(c);
	}
}

/* Read what the client sent (only while a request is being received: a
 * request in flight leaves pipelined bytes in the socket). */
static void client_read(conn *c)
{
	while (c->state == S_HEAD || c->state == S_BODY) {
		if (c->in_cap - c->in_len < 4096) {
			size_t cap = c->in_cap ? c->in_cap * 2 : 16384;
			size_t limit = c->w->p->o.max_header + c->w->p->o.max_body + READ_CHUNK;
			if (cap > limit)
				cap = limit;
			if (cap <= c->in_len) {
				error_response(c, c->state == S_HEAD ? 431 : 413);
				break;
			}
			c->in = mamori_xrealloc(c->in, cap);
			c->in_cap = cap;
		}
		ssize_t n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
		if (n > 0) {
			if (c->in_len == 0 && c->state == S_HEAD)
				c->deadline = now_ms() + c->w->p->o.header_timeout_ms;
			c->in_len += (size_t)n;
			process(c);
			continue;
		}
		if (n == 0) { /* the client closed */
			conn_free(c);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			conn_free(c);
		return;
	}
}

static void on_client(conn *c, unsigned events)
{
	if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN)) {
		conn_free(c);
		return;
	}
	if (c->state == S_HEAD || c->state == S_BODY)
		client_read(c);
	if (c->state == S_CLOSED)
		return;
	if (!flush_client(c)) {
		conn_free(c);
		return;
	}
	settle(c); /* resumes a paused upstream once the client took everything */
}

static void up_write(conn *c)
{
	while (c->uo_off < c->uo_len) {
		ssize_t n = send(c->up_fd, c->uo + c->uo_off, c->uo_len - c->uo_off, MSG_NOSIGNAL);
		if (n > 0) {
			c->uo_off += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* EPOLLOUT comes when it can go on */
		if (n < 0 && errno == EINTR)
			continue;
		/* a pooled connection the upstream closed: one retry on a fresh one */
		up_close(c, false);
		if (c->up_reused && !c->up_retried) {
			c->up_retried = true;
			while (c->w->npool)
				up_destroy(c->w, c->w->pool[--c->w->npool]);
			if (up_connect(c))
				return;
		}
		error_response(c, 502);
		return;
	}
	c->state = S_UPREAD;
	c->resp_head = false;
	c->ui_len = 0;
}

static void up_read(conn *c)
{
	while (c->state == S_UPREAD) { /* edge-triggered: until EAGAIN or back-pressure */
		if (c->co_len - c->co_off > 4 * READ_CHUNK) {
			c->paused = true; /* back-pressure: the client has to take this first */
			return;
		}
		size_t room = READ_CHUNK - c->ui_len;
		if (room == 0) { /* response head over 64 KiB */
			up_close(c, false);
			error_response(c, 502);
			return;
		}
		ssize_t n = recv(c->up_fd, c->ui + c->ui_len, room, 0);
		if (n > 0) {
			c->resp_bytes += (size_t)n;
			if (!c->resp_head) {
				c->ui_len += (size_t)n;
				response_head(c);
			} else {
				relay(c, c->ui, (size_t)n);
			}
			continue;
		}
		if (n == 0) {
			if (!c->resp_head) {
				up_close(c, false);
				if (c->up_reused && !c->up_retried && c->resp_bytes == 0) {
					c->up_retried = true;
					while (c->w->npool)
						up_destroy(c->w, c->w->pool[--c->w->npool]);
					if (up_connect(c))
						return;
				}
				error_response(c, 502);
			} else if (c->resp_mode == R_CLOSE) {
				finish_response(c, false);
			} else {
				/* truncated response: the client must not reuse the connection */
				finish_response(c, false);
				c->close_after = true;
			}
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			up_close(c, false);
			if (c->resp_head) {
				c->close_after = true;
				c->state = S_LOCAL;
			} else {
				error_response(c, 502);
			}
		}
		return;
	}
}

static void on_upstream(conn *c, unsigned events)
{
	(void)events;
	if (c->state == S_UPWRITE)
		up_write(c);
	if (c->state == S_UPREAD)
		up_read(c);
	settle(c);
}

static void accept_all(worker *w)
{
	mamori_waf_proxy *p = w->p;
	for (;;) {
		struct sockaddr_storage a;
		socklen_t al = sizeof a;
		int fd = accept4(p->listen_fd, (struct sockaddr *)&a, &al, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (w->nconns >= (size_t)p->o.max_connections) {
			close(fd);
			continue;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		conn *c = mamori_xcalloc(1, sizeof *c);
		c->w = w;
		c->fd = fd;
		c->up_fd = -1;
		c->cs = (side){c, false, NULL};
		if (a.ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a;
			if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
				inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], c->peer, sizeof c->peer);
			else
				inet_ntop(AF_INET6, &s6->sin6_addr, c->peer, sizeof c->peer);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&a)->sin_addr, c->peer, sizeof c->peer);
		}
		c->state = S_HEAD;
		c->deadline = now_ms() + p->o.idle_timeout_ms;
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
		w->nconns++;
		ev_register(w, fd, &c->cs);
	}
}

static void sweep(worker *w, int64_t now)
{
	conn *c = w->conns;
	while (c) {
		conn *next = c->next;
		if (c->deadline && now > c->deadline) {
			if (c->state == S_HEAD && c->in_len == 0) {
				conn_free(c); /* idle keep-alive */
			} else if (c->state == S_HEAD || c->state == S_BODY) {
				c->deadline = now + 2000; /* time to send the 408, then go */
				error_response(c, 408);
				settle(c);
			} else if (c->state == S_UPWRITE || (c->state == S_UPREAD && !c->resp_head)) {
				up_close(c, false);
				c->deadline = now + 2000;
				error_response(c, 504);
				settle(c);
			} else {
				conn_free(c);
			}
		}
		c = next;
		(void)0;
	}
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	mamori_waf_proxy *p = w->p;
	struct epoll_event evs[256];
	int64_t last_sweep = now_ms();
	while (!atomic_load(&p->stopping)) {
		int n = epoll_wait(w->ep, evs, 256, 250);
		for (int i = 0; i < n; i++) {
			void *ptr = evs[i].data.ptr;
			if (ptr == NULL) {
				accept_all(w);
				continue;
			}
			if (ptr == (void *)w)
				continue; /* wake-up */
			side *s = ptr;
			if (s->upstream && !s->c) {
				if (s->u->fd >= 0 && (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)))
					pool_event(w, s->u);
				continue;
			}
			if (s->c->state == S_CLOSED)
				continue;
			if (s->upstream)
				on_upstream(s->c, evs[i].events);
			else
				on_client(s->c, evs[i].events);
		}
		while (w->dead) {
			conn *d = w->dead;
			w->dead = d->next;
			conn_destroy(d);
		}
		while (w->dead_up) {
			upc *u = w->dead_up;
			w->dead_up = u->next_dead;
			free(u);
		}
		int64_t now = now_ms();
		if (now - last_sweep >= 250) {
			sweep(w, now);
			last_sweep = now;
		}
	}
	while (w->conns)
		conn_free(w->conns);
	while (w->dead) {
		conn *d = w->dead;
		w->dead = d->next;
		conn_destroy(d);
	}
	while (w->npool)
		up_destroy(w, w->pool[--w->npool]);
	while (w->dead_up) {
		upc *u = w->dead_up;
		w->dead_up = u->next_dead;
		free(u);
	}
	mamori_waf_eval_free(w->ev);
	w->ev = NULL;
	acl_release(w->ref);
	w->ref = NULL;
	return NULL;
}

int mamori_waf_proxy_start(mamori_waf_proxy *p)
{
	p->nworkers = p->o.threads;
	p->workers = mamori_xcalloc((size_t)p->nworkers, sizeof *p->workers);
	for (int i = 0; i < p->nworkers; i++) {
		worker *w = &p->workers[i];
		w->p = p;
		w->ep = epoll_create1(EPOLL_CLOEXEC);
		w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		struct epoll_event e = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL};
		epoll_ctl(w->ep, EPOLL_CTL_ADD, p->listen_fd, &e);
		struct epoll_event we = {.events = EPOLLIN, .data.ptr = w};
		epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &we);
		if (pthread_create(&w->th, NULL, worker_main, w) != 0)
			return mamori_error_set(p->ctx, MAMORI_EINTERNAL, "cannot start a worker thread");
	}
	p->started = true;
	return MAMORI_OK;
}

void mamori_waf_proxy_stop(mamori_waf_proxy *p)
{
	if (!p || !p->started)
		return;
	atomic_store(&p->stopping, true);
	for (int i = 0; i < p->nworkers; i++) {
		uint64_t one = 1;
		if (write(p->workers[i].wake, &one, sizeof one) < 0) {
			/* the worker still wakes up within its poll timeout */
		}
	}
	for (int i = 0; i < p->nworkers; i++) {
		pthread_join(p->workers[i].th, NULL);
		close(p->workers[i].ep);
		close(p->workers[i].wake);
	}
	p->started = false;
}

void mamori_waf_proxy_free(mamori_waf_proxy *p)
{
	if (!p)
		return;
	mamori_waf_proxy_stop(p);
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	acl_release(p->current);
	if (p->log && p->log != stdout)
		fclose(p->log);
	free(p->workers);
	free(p->listen_spec);
	free(p->upstream_spec);
	free(p->webacl_path);
	free(p->block_page);
	pthread_mutex_destroy(&p->lock);
	pthread_mutex_destroy(&p->log_lock);
	free(p);
}
