/*
 * upstream.c — a tiny keep-alive HTTP/1.1 server answering every request
 * with the same small 200 response: the upstream for the proxy benchmark
 * and the load tests, cheap enough that the proxy is what is measured.
 *   bench-waf-upstream PORT [THREADS]
 * It reads request heads (and Content-Length bodies) and writes one response
 * per request, so pipelining works.  Stops on SIGTERM/SIGINT.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

static int lfd;
static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nhello, world\n";

typedef struct cl {
	int fd;
	char buf[65536];
	size_t len;
	size_t body_left;
} cl;

static void serve(cl *c)
{
	for (;;) {
		ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, 0);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				break;
			close(c->fd);
			free(c);
			return;
		}
		c->len += (size_t)n;
		char out[64 * sizeof resp];
		size_t o = 0;
		for (;;) {
			if (c->body_left) {
				size_t k = c->len < c->body_left ? c->len : c->body_left;
				memmove(c->buf, c->buf + k, c->len - k);
				c->len -= k;
				c->body_left -= k;
				if (c->body_left)
					break;
			}
			char *e = memmem(c->buf, c->len, "\r\n\r\n", 4);
			if (!e)
				break;
			size_t head = (size_t)(e - c->buf) + 4;
			char *cl_hdr = NULL;
			for (char *p = c->buf; p + 15 < e; p++)
				if (!strncasecmp(p, "\ncontent-length:", 16)) {
					cl_hdr = p + 16;
					break;
				}
			size_t body = cl_hdr ? strtoul(cl_hdr, NULL, 10) : 0;
			memmove(c->buf, c->buf + head, c->len - head);
			c->len -= head;
			c->body_left = body;
			if (o + sizeof resp > sizeof out) {
				if (send(c->fd, out, o, MSG_NOSIGNAL) < 0)
					break;
				o = 0;
			}
			memcpy(out + o, resp, sizeof resp - 1);
			o += sizeof resp - 1;
		}
		if (o && send(c->fd, out, o, MSG_NOSIGNAL) < 0) {
			close(c->fd);
			free(c);
			return;
		}
		if (c->len == sizeof c->buf)
			c->len = 0;
	}
}

static void *loop(void *arg)
{
	(void)arg;
	int ep = epoll_create1(0);
	struct epoll_event le = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL};
	epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &le);
	struct epoll_event evs[128];
	for (;;) {
		int n = epoll_wait(ep, evs, 128, -1);
		for (int i = 0; i < n; i++) {
			if (!evs[i].data.ptr) {
				int fd;
				while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
					int one = 1;
					setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
					cl *c = calloc(1, sizeof *c);
					c->fd = fd;
					struct epoll_event e = {.events = EPOLLIN, .data.ptr = c};
					epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
				}
				continue;
			}
			serve(evs[i].data.ptr);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [THREADS]\n", argv[0]);
		return 2;
	}
	int threads = argc > 2 ? atoi(argv[2]) : 1;
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 4096)) {
		perror("bind");
		return 1;
	}
	pthread_t t[16];
	for (int i = 1; i < threads && i < 16; i++)
		pthread_create(&t[i], NULL, loop, NULL);
	loop(NULL);
	return 0;
}
