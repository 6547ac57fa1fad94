/*
 * http.c — the hub's own parsing of what a client sends: the request target
 * (path and query), form bodies, the Cookie, Accept-Language and Host
 * headers.
 *
 * libmicrohttpd would decode the query for us, but silently and leniently;
 * the hub wants to refuse a malformed request with a 400 that says why, and
 * to fuzz exactly the code that sees the raw bytes.  Everything is bounded:
 * no recursion, lengths capped (HUB_MAX_URI, HUB_MAX_PARAM), decoded text
 * must be valid UTF-8 without control characters.
 */
#include "hub_internal.h"

#include <string.h>
#include <strings.h>


/* Strict UTF-8 without C0 controls or DEL (tab allowed in values). */
static bool clean_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return false;
			i++;
			continue;
		}
		size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
		if (!len || c > 0xf4 || i + len > n)
			return false;
		uint32_t cp = c & (0xff >> (len + 1));
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

/* Percent-decode s[0..n) ('+' is a space when plus); NULL when malformed. */
static char *decode(const char *s, size_t n, bool plus, mamori_arena *a)
{
	if (n > HUB_MAX_URI)
		return NULL;
	char *out = mamori_arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%') {
			if (i + 2 >= n)
				return NULL;
			int hi = mamori_hex_digit(s[i + 1]), lo = mamori_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (s[i] == '+' && plus) {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (memchr(out, '\0', o) || !clean_utf8((const unsigned char *)out, o))
		return NULL;
	return out;
}

static bool parse_pairs(const char *s, size_t n, mamori_arena *a, hub_params *params)
{
	params->items = NULL;
	params->count = 0;
	if (n == 0)
		return true;
	size_t pairs = 1;
	for (size_t i = 0; i < n; i++)
		pairs += s[i] == '&';
	if (pairs > 64)
		return false;
	params->items = mamori_arena_alloc(a, pairs * sizeof *params->items);
	for (size_t i = 0; i < n;) {
		size_t end = i;
		while (end < n && s[end] != '&')
			end++;
		if (end > i) {
			size_t eq = i;
			while (eq < end && s[eq] != '=')
				eq++;
			char *name = decode(s + i, eq - i, true, a);
			char *value = eq < end ? decode(s + eq + 1, end - eq - 1, true, a)
					       : mamori_arena_strdup(a, "");
			if (!name || !value || !*name || strlen(value) > HUB_MAX_PARAM ||
			    strlen(name) > 64)
				return false;
			/* a parameter given twice is ambiguous: refuse it */
			if (hub_param_get(params, name))
				return false;
			params->items[params->count++] = (hub_param){name, value};
		}
		i = end + 1;
	}
	return true;
}

bool hub_parse_uri(const char *uri, mamori_arena *a, char **path, hub_params *params)
{
	*path = NULL;
	params->items = NULL;
	params->count = 0;
	if (!uri || uri[0] != '/')
		return false;
	size_t n = strlen(uri);
	if (n > HUB_MAX_URI)
		return false;
	size_t plen = strcspn(uri, "?#");
	*path = decode(uri, plen, false, a);
	if (!*path)
		return false;
	/* no dot segments: the hub serves nothing from a file system, but refuse them */
	if (strstr(*path, "/../") || strstr(*path, "/./") ||
	    (plen >= 3 && !strcmp(*path + strlen(*path) - 3, "/..")))
		return false;
	if (uri[plen] != '?')
		return true;
	const char *q = uri + plen + 1;
	return parse_pairs(q, strcspn(q, "#"), a, params);
}

bool hub_parse_form(const char *body, size_t len, mamori_arena *a, hub_params *params)
{
	if (memchr(body, '\0', len))
		return false;
	return parse_pairs(body, len, a, params);
}

const char *hub_param_get(const hub_params *p, const char *name)
{
	for (size_t i = 0; i < p->count; i++)
		if (!strcmp(p->items[i].name, name))
			return p->items[i].value;
	return NULL;
}

bool hub_cookie(const char *header, const char *name, char *out, size_t size)
{
	if (!header || !size)
		return false;
	size_t nlen = strlen(name);
	for (const char *p = header; *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		const char *end = p + strcspn(p, ";");
		if ((size_t)(end - p) > nlen && !strncmp(p, name, nlen) && p[nlen] == '=') {
			const char *v = p + nlen + 1;
			size_t vlen = (size_t)(end - v);
			if (vlen >= size)
				return false;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
		p = end;
	}
	return false;
}

const char *hub_accept_language(const char *header)
{
	/* the highest-q of ja / en; ties go to the one listed first */
	if (!header)
		return NULL;
	const char *best = NULL;
	double best_q = 0;
	for (const char *p = header; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *end = p + strcspn(p, ",");
		size_t tag = strcspn(p, ";,");
		if (tag > (size_t)(end - p))
			tag = (size_t)(end - p);
		double q = 1;
		const char *semi = memchr(p, ';', (size_t)(end - p));
		if (semi) {
			const char *qs = semi + 1;
			while (*qs == ' ')
				qs++;
			if (!strncmp(qs, "q=", 2)) {
				q = 0;
				const char *d = qs + 2;
				if (*d == '1')
					q = 1;
				else if (*d == '0' && d[1] == '.' && d[2] >= '0' && d[2] <= '9')
					q = (d[2] - '0') / 10.0 +
					    (d[3] >= '0' && d[3] <= '9' ? (d[3] - '0') / 100.0 : 0);
			}
		}
		const char *lang = NULL;
		if (tag >= 2 && !strncasecmp(p, "ja", 2) && (tag == 2 || p[2] == '-'))
			lang = "ja";
		else if (tag >= 2 && !strncasecmp(p, "en", 2) && (tag == 2 || p[2] == '-'))
			lang = "en";
		if (lang && q > best_q)
			best = lang, best_q = q;
		p = end;
	}
	return best;
}

bool hub_host_name(const char *host, char *out, size_t size)
{
	if (!host || !*host || !size)
		return false;
	size_t n;
	if (host[0] == '[') {
		const char *close = strchr(host, ']');
		if (!close)
			return false;
		host++;
		n = (size_t)(close - host);
	} else {
		n = strcspn(host, ":");
	}
	if (n == 0 || n >= size)
		return false;
	memcpy(out, host, n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++)
		out[i] = (char)(out[i] >= 'A' && out[i] <= 'Z' ? out[i] + 32 : out[i]);
	return true;
}
