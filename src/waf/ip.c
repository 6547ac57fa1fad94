/*
 * ip.c — client addresses: parsing, CIDR ranges and X-Forwarded-For.
 *
 * Addresses are kept as 16 bytes, IPv4 mapped into ::ffff:0:0/96, so one
 * sorted range table serves both families.  ForwardedIPConfig reads the
 * client address from a header instead of the peer: the first address of
 * the list (AWS's choice for geo and rate keys), the last, or any.
 */
#include "waf_internal.h"

#include <arpa/inet.h>
#include <string.h>

bool waf_ip_parse(const char *s, size_t n, unsigned char out[16], bool *v4)
{
	char tmp[64];
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= sizeof tmp)
		return false;
	/* "[v6]:port" and "v4:port" forms seen in forwarding headers */
	if (s[0] == '[') {
		const char *e = memchr(s, ']', n);
		if (!e)
			return false;
		n = (size_t)(e - s - 1);
		s++;
	}
	memcpy(tmp, s, n);
	tmp[n] = 0;
	unsigned char a4[4];
	char *colon = strchr(tmp, ':');
	if (colon && !strchr(colon + 1, ':'))
		*colon = 0; /* v4:port */
	if (inet_pton(AF_INET, tmp, a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, a4, 4);
		if (v4)
			*v4 = true;
		return true;
	}
	if (colon)
		*colon = ':';
	if (inet_pton(AF_INET6, tmp, out) == 1) {
		if (v4)
			*v4 = false;
		return true;
	}
	return false;
}

/* Split a forwarding header into addresses; returns how many. */
size_t waf_forwarded_list(mamori_waf_eval *ev, const char *header, wstr *out, size_t max);
size_t waf_forwarded_list(mamori_waf_eval *ev, const char *header, wstr *out, size_t max)
{
	const wstr *h = waf_header_get(ev, header);
	if (!h)
		return 0;
	size_t n = 0, i = 0;
	while (i < h->n && n < max) {
		size_t j = i;
		while (j < h->n && h->p[j] != ',')
			j++;
		size_t a = i, b = j;
		while (a < b && (h->p[a] == ' ' || h->p[a] == '\t'))
			a++;
		while (b > a && (h->p[b - 1] == ' ' || h->p[b - 1] == '\t'))
			b--;
		if (b > a)
			out[n++] = (wstr){h->p + a, b - a};
		i = j + 1;
	}
	return n;
}

const char *waf_client_ip(mamori_waf_eval *ev, const char *fwd_header, int fallback,
			  int position, bool *no_ip)
{
	(void)fallback;
	*no_ip = false;
	if (!fwd_header) {
		if (!ev->rq->client_ip || !*ev->rq->client_ip)
			*no_ip = true;
		return ev->rq->client_ip;
	}
	wstr list[64];
	size_t n = waf_forwarded_list(ev, fwd_header, list, 64);
	if (n == 0) {
		*no_ip = true;
		return NULL;
	}
	const wstr *w = position == 1 ? &list[n - 1] : &list[0];
	unsigned char tmp[16];
	if (!waf_ip_parse(w->p, w->n, tmp, NULL)) {
		*no_ip = true;
		return NULL;
	}
	return waf_strndup(ev, w->p, w->n);
}
