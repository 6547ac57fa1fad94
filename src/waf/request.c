/*
 * request.c — the request split into what rules inspect.
 *
 * Preparation (once per request) cuts the request-target into path and
 * query and lower-cases header names.  Everything else is parsed lazily, the
 * first time a rule asks: query arguments, cookies, and the body by its
 * content type — form fields, multipart parts (names, file names, values),
 * JSON (every key and scalar with its JSON pointer, \u escapes decoded) and
 * XML (text and attribute values, entities decoded).  The parsers are
 * iterative, bounded by the body inspection limit, and accept truncated
 * input: an attacker decides where the limit cuts.
 */
#include "waf_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { P_QUERY = 1, P_COOKIES = 2, P_BODY = 4 };

#define JSON_MAX_DEPTH 64
#define MAX_PARAMS 4096

static bool ieq(const char *a, size_t an, const char *b)
{
	size_t bn = strlen(b);
	return an == bn && strncasecmp(a, b, an) == 0;
}

void waf_request_prepare(mamori_waf_eval *ev, const mamori_waf_request *rq)
{
	const char *u = rq->uri ? rq->uri : "";
	size_t un = rq->uri_len ? rq->uri_len : strlen(u);
	ev->uri = (wstr){u, un};
	/* absolute-form: skip scheme://authority */
	size_t ps = 0;
	for (size_t i = 0; i + 2 < un && i < 16; i++) {
		if (u[i] == ':' && u[i + 1] == '/' && u[i + 2] == '/') {
			ps = i + 3;
			while (ps < un && u[ps] != '/' && u[ps] != '?')
				ps++;
			break;
		}
		if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= 'A' && u[i] <= 'Z')))
			break;
	}
	const char *q = memchr(u + ps, '?', un - ps);
	size_t pe = q ? (size_t)(q - u) : un;
	const char *hash = memchr(u + ps, '#', pe - ps);
	ev->path = (wstr){u + ps, (hash ? (size_t)(hash - u) : pe) - ps};
	if (q) {
		size_t qs = pe + 1;
		const char *qh = memchr(u + qs, '#', un - qs);
		ev->query = (wstr){u + qs, (qh ? (size_t)(qh - u) : un) - qs};
	} else {
		ev->query = (wstr){"", 0};
	}
	ev->hdr_count = rq->header_count;
	ev->hdr_lc = waf_alloc(ev, (rq->header_count + 1) * sizeof *ev->hdr_lc);
	for (size_t i = 0; i < rq->header_count; i++) {
		const mamori_waf_header *h = &rq->headers[i];
		size_t nl = h->name ? h->name_len : 0;
		size_t vl = h->value ? h->value_len : 0;
		char *lc = waf_alloc(ev, nl + 1);
		for (size_t k = 0; k < nl; k++) {
			char c = h->name[k];
			lc[k] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		}
		ev->hdr_lc[i] = (mamori_waf_header){lc, nl, h->value ? h->value : "", vl};
	}
	size_t limit = ev->acl->body_limit;
	ev->body = (wstr){rq->body ? rq->body : "", rq->body_len};
	ev->body_oversize = rq->body_len > limit;
	if (ev->body_oversize)
		ev->body.n = limit;
	ev->parsed = 0;
	ev->qarg_count = ev->cookie_count = ev->bparam_count = 0;
	ev->body_type = BT_NONE;
	ev->cookies_oversize = false;
}

const wstr *waf_header_get(mamori_waf_eval *ev, const char *lc_name)
{
	size_t n = strlen(lc_name);
	for (size_t i = 0; i < ev->hdr_count; i++)
		if (ev->hdr_lc[i].name_len == n && memcmp(ev->hdr_lc[i].name, lc_name, n) == 0)
			return (const wstr *)(const void *)&ev->hdr_lc[i].value;
	return NULL;
}

/* ---- a growable parameter list in the per-request allocator ---- */
typedef struct plist {
	waf_param *v;
	size_t n, cap;
} plist;

static void padd(mamori_waf_eval *ev, plist *l, const char *np, size_t nn, const char *vp,
		 size_t vn)
{
	if (l->n >= MAX_PARAMS)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		waf_param *v = waf_alloc(ev, cap * sizeof *v);
		if (l->n)
			memcpy(v, l->v, l->n * sizeof *v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (waf_param){{np, nn}, {vp, vn}};
}

static void split_pairs(mamori_waf_eval *ev, plist *l, const char *s, size_t n, char sep,
			bool decode)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != sep)
			j++;
		const char *eq = memchr(s + i, '=', j - i);
		size_t nn = eq ? (size_t)(eq - (s + i)) : j - i;
		const char *vp = eq ? eq + 1 : s + j;
		size_t vn = eq ? (size_t)(s + j - vp) : 0;
		const char *np = s + i;
		if (sep == ';') { /* cookies: trim */
			while (nn && (*np == ' ' || *np == '\t'))
				np++, nn--;
		}
		if (nn || vn) {
			if (decode) {
				char *dn = waf_alloc(ev, nn + 1), *dv = waf_alloc(ev, vn + 1);
				nn = waf_url_decode((const unsigned char *)np, nn, (unsigned char *)dn, true,
						    true);
				vn = waf_url_decode((const unsigned char *)vp, vn, (unsigned char *)dv, true,
						    true);
				padd(ev, l, dn, nn, dv, vn);
			} else {
				padd(ev, l, np, nn, vp, vn);
			}
		}
		i = j + 1;
	}
}

void waf_parse_query(mamori_waf_eval *ev)
{
	if (ev->parsed & P_QUERY)
		return;
	ev->parsed |= P_QUERY;
	plist l = {0};
	split_pairs(ev, &l, ev->query.p, ev->query.n, '&', false);
	ev->qargs = l.v;
	ev->qarg_count = l.n;
}

void waf_parse_cookies(mamori_waf_eval *ev)
{
	if (ev->parsed & P_COOKIES)
		return;
	ev->parsed |= P_COOKIES;
	plist l = {0};
	size_t bytes = 0;
	for (size_t i = 0; i < ev->hdr_count; i++) {
		const mamori_waf_header *h = &ev->hdr_lc[i];
		if (!ieq(h->name, h->name_len, "cookie"))
			continue;
		size_t n = h->value_len;
		if (bytes + n > WAF_MAX_HEADER_BYTES) {
			n = WAF_MAX_HEADER_BYTES - bytes;
			ev->cookies_oversize = true;
		}
		bytes += n;
		split_pairs(ev, &l, h->value, n, ';', false);
	}
	if (l.n > WAF_MAX_HEADERS) {
		l.n = WAF_MAX_HEADERS;
		ev->cookies_oversize = true;
	}
	ev->cookies = l.v;
	ev->cookie_count = l.n;
}

/* ---- JSON: keys and scalar values with their JSON pointers ---- */

static size_t json_string(mamori_waf_eval *ev, const char *s, size_t n, size_t i, char **out,
			  size_t *outn, bool *ok)
{
	/* s[i] == '"' */
	size_t j = i + 1;
	char *o = waf_alloc(ev, n - i + 1);
	size_t k = 0;
	while (j < n && s[j] != '"') {
		if (s[j] == '\\' && j + 1 < n) {
			char c = s[j + 1];
			if (c == 'u' && j + 5 < n) {
				uint32_t cp = 0;
				bool hex = true;
				for (int d = 2; d < 6; d++) {
					char h = s[j + d];
					int v = (h >= '0' && h <= '9')	 ? h - '0'
						: (h >= 'a' && h <= 'f') ? h - 'a' + 10
						: (h >= 'A' && h <= 'F') ? h - 'A' + 10
									 : -1;
					if (v < 0)
						hex = false;
					cp = cp * 16 + (uint32_t)(v < 0 ? 0 : v);
				}
				if (!hex) {
					*ok = false;
					o[k++] = c;
					j += 2;
					continue;
				}
				j += 6;
				/* surrogate pair */
				if (cp >= 0xD800 && cp < 0xDC00 && j + 5 < n && s[j] == '\\' && s[j + 1] == 'u') {
					uint32_t lo = (uint32_t)strtoul((char[5]){s[j + 2], s[j + 3], s[j + 4], s[j + 5], 0}, NULL, 16);
					if (lo >= 0xDC00 && lo < 0xE000) {
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						j += 6;
					}
				}
				k += waf_utf8_put((unsigned char *)o + k, cp == 0 ? 0 : cp);
				if (cp == 0)
					o[k - 1] = 0;
				continue;
			}
			static const char from[] = "\"\\/bfnrt";
			static const char to[] = "\"\\/\b\f\n\r\t";
			const char *p = c ? strchr(from, c) : NULL;
			if (!p)
				*ok = false;
			o[k++] = p ? to[p - from] : c;
			j += 2;
			continue;
		}
		o[k++] = s[j++];
	}
	if (j >= n)
		*ok = false;
	o[k] = 0;
	*out = o;
	*outn = k;
	return j < n ? j + 1 : n;
}

typedef struct jframe {
	bool array;
	size_t index;
	size_t path_len; /* path length before this container's member segment */
} jframe;

static void json_walk(mamori_waf_eval *ev, const char *s, size_t n, plist *keys, plist *vals,
		      bool *valid)
{
	jframe st[JSON_MAX_DEPTH];
	int depth = 0;
	char *path = waf_alloc(ev, 1024);
	size_t plen = 0;
	bool ok = true, expect_key = false;
	size_t i = 0;
	bool seen_value = false;
	while (i < n) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':') {
			i++;
			continue;
		}
		if (depth > 0 && st[depth - 1].array == false && expect_key && c == '"') {
			char *k;
			size_t kn;
			i = json_string(ev, s, n, i, &k, &kn, &ok);
			plen = st[depth - 1].path_len;
			if (plen + kn + 2 < 1024) {
				path[plen++] = '/';
				memcpy(path + plen, k, kn);
				plen += kn;
			}
			padd(ev, keys, waf_strndup(ev, path, plen), plen, k, kn);
			expect_key = false;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth > 0 && st[depth - 1].array) {
				plen = st[depth - 1].path_len;
				char idx[24];
				int il = snprintf(idx, sizeof idx, "/%zu", st[depth - 1].index++);
				if (plen + (size_t)il < 1024) {
					memcpy(path + plen, idx, (size_t)il);
					plen += (size_t)il;
				}
			}
			if (depth == JSON_MAX_DEPTH) {
				ok = false;
				i++;
				continue;
			}
			st[depth++] = (jframe){c == '[', 0, plen};
			expect_key = c == '{';
			seen_value = true;
			i++;
			continue;
		}
		if (c == '}' || c == ']') {
			if (depth == 0 || st[depth - 1].array != (c == ']')) {
				ok = false; /* mismatched: stay in the container */
			} else {
				depth--;
				plen = st[depth].path_len;
			}
			expect_key = depth > 0 && !st[depth - 1].array;
			i++;
			continue;
		}
		/* a scalar */
		if (depth > 0 && st[depth - 1].array) {
			plen = st[depth - 1].path_len;
			char idx[24];
			int il = snprintf(idx, sizeof idx, "/%zu", st[depth - 1].index++);
			if (plen + (size_t)il < 1024) {
				memcpy(path + plen, idx, (size_t)il);
				plen += (size_t)il;
			}
		} else if (depth > 0 && expect_key) {
			ok = false; /* a key must be a string */
		}
		seen_value = true;
		const char *vp;
		size_t vn;
		if (c == '"') {
			char *v;
			i = json_string(ev, s, n, i, &v, &vn, &ok);
			vp = v;
		} else {
			size_t j = i;
			while (j < n && !strchr(" \t\r\n,:]}", s[j]))
				j++;
			vp = s + i;
			vn = j - i;
			bool lit = ieq(vp, vn, "true") || ieq(vp, vn, "false") || ieq(vp, vn, "null");
			bool num = vn > 0;
			for (size_t k = 0; k < vn && num; k++)
				num = (vp[k] >= '0' && vp[k] <= '9') || vp[k] == '+' || vp[k] == '-' ||
				      vp[k] == '.' || vp[k] == 'e' || vp[k] == 'E';
			if (!lit && !num)
				ok = false;
			i = j ? j : i + 1;
			if (j == i - 0 && vn == 0)
				i++;
		}
		padd(ev, vals, waf_strndup(ev, path, plen), plen, vp, vn);
		if (depth > 0 && !st[depth - 1].array)
			expect_key = true;
		if (depth == 0 && i < n) {
			/* a scalar document followed by more: not JSON */
			size_t j = i;
			while (j < n && strchr(" \t\r\n", s[j]))
				j++;
			if (j < n)
				ok = false;
		}
	}
	if (depth != 0 || !seen_value)
		ok = false;
	*valid = ok;
}

/* ---- multipart/form-data ---- */

static bool boundary_of(const char *ct, size_t n, const char **b, size_t *bn)
{
	for (size_t i = 0; i + 9 <= n; i++) {
		if (strncasecmp(ct + i, "boundary=", 9) == 0) {
			const char *p = ct + i + 9;
			const char *e = ct + n;
			if (p < e && *p == '"') {
				p++;
				const char *q = memchr(p, '"', (size_t)(e - p));
				e = q ? q : e;
			} else {
				const char *q = p;
				while (q < e && *q != ';' && *q != ' ' && *q != ',')
					q++;
				e = q;
			}
			*b = p;
			*bn = (size_t)(e - p);
			return *bn > 0 && *bn <= 200;
		}
	}
	return false;
}

static bool param_of(const char *h, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i + kl < n; i++) {
		if (strncasecmp(h + i, key, kl) == 0 && h[i + kl] == '=' &&
		    (i == 0 || h[i - 1] == ' ' || h[i - 1] == ';' || h[i - 1] == '\t')) {
			const char *p = h + i + kl + 1, *e = h + n;
			if (p < e && *p == '"') {
				p++;
				const char *q = p;
				while (q < e && *q != '"')
					q++;
				e = q;
			} else {
				const char *q = p;
				while (q < e && *q != ';')
					q++;
				e = q;
			}
			*v = p;
			*vn = (size_t)(e - p);
			return true;
		}
	}
	return false;
}

static void parse_multipart(mamori_waf_eval *ev, plist *l, const char *ct, size_t ctn)
{
	const char *b;
	size_t bn;
	if (!boundary_of(ct, ctn, &b, &bn))
		return;
	const char *s = ev->body.p, *end = s + ev->body.n;
	char delim[210];
	delim[0] = '-';
	delim[1] = '-';
	memcpy(delim + 2, b, bn);
	size_t dn = bn + 2;
	const char *p = memmem(s, (size_t)(end - s), delim, dn);
	while (p) {
		p += dn;
		if (p + 2 <= end && p[0] == '-' && p[1] == '-')
			break;
		/* the rest of the delimiter line (transport padding) */
		const char *eol0 = memchr(p, '\n', (size_t)(end - p));
		p = eol0 ? eol0 + 1 : end;
		/* part headers */
		const char *name = NULL, *fname = NULL;
		size_t name_n = 0, fname_n = 0;
		while (p < end) {
			const char *eol = memchr(p, '\n', (size_t)(end - p));
			const char *le = eol ? eol : end;
			size_t ln = (size_t)(le - p);
			if (ln && p[ln - 1] == '\r')
				ln--;
			if (ln >= 20 && strncasecmp(p, "content-disposition:", 20) == 0) {
				param_of(p + 20, ln - 20, "name", &name, &name_n);
				param_of(p + 20, ln - 20, "filename", &fname, &fname_n);
			}
			p = eol ? eol + 1 : end;
			if (ln == 0 && eol)
				break;
		}
		const char *next = p < end ? memmem(p, (size_t)(end - p), delim, dn) : NULL;
		const char *ve = next ? next : end;
		if (ve > p && ve[-1] == '\n')
			ve--;
		if (ve > p && ve[-1] == '\r')
			ve--;
		if (fname)
			padd(ev, l, "filename", 8, fname, fname_n);
		padd(ev, l, name ? name : "", name_n, p, ve > p ? (size_t)(ve - p) : 0);
		p = next;
	}
}

/* ---- XML: text and attribute values ---- */

static void xml_add(mamori_waf_eval *ev, plist *l, const char *np, size_t nn, const char *v,
		    size_t vn)
{
	size_t a = 0;
	while (a < vn && strchr(" \t\r\n", v[a]))
		a++;
	if (a == vn)
		return;
	char *d = waf_alloc(ev, vn + 1);
	size_t dn = waf_html_decode((const unsigned char *)v, vn, (unsigned char *)d);
	padd(ev, l, np, nn, d, dn);
}

static void parse_xml(mamori_waf_eval *ev, plist *l)
{
	const char *s = ev->body.p, *end = s + ev->body.n, *p = s;
	const char *elem = "", *text = s;
	size_t elem_n = 0;
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		if (!lt) {
			xml_add(ev, l, elem, elem_n, text, (size_t)(end - text));
			break;
		}
		xml_add(ev, l, elem, elem_n, text, (size_t)(lt - text));
		p = lt + 1;
		if (p + 8 <= end && memcmp(p, "![CDATA[", 8) == 0) {
			const char *q = memmem(p + 8, (size_t)(end - p - 8), "]]>", 3);
			const char *ce = q ? q : end;
			padd(ev, l, elem, elem_n, p + 8, (size_t)(ce - p - 8));
			p = q ? q + 3 : end;
			text = p;
			continue;
		}
		if (p < end && (*p == '!' || *p == '?')) {
			const char *q = memchr(p, '>', (size_t)(end - p));
			p = q ? q + 1 : end;
			text = p;
			continue;
		}
		if (p < end && *p == '/')
			p++;
		const char *ns = p;
		while (p < end && !strchr(" \t\r\n/>", *p))
			p++;
		elem = ns;
		elem_n = (size_t)(p - ns);
		/* attributes */
		while (p < end && *p != '>') {
			while (p < end && strchr(" \t\r\n/", *p))
				p++;
			const char *an = p;
			while (p < end && !strchr(" \t\r\n=/>", *p))
				p++;
			size_t ann = (size_t)(p - an);
			while (p < end && strchr(" \t\r\n", *p))
				p++;
			if (p < end && *p == '=') {
				p++;
				while (p < end && strchr(" \t\r\n", *p))
					p++;
				if (p < end && (*p == '"' || *p == '\'')) {
					char qc = *p++;
					const char *vs = p;
					while (p < end && *p != qc)
						p++;
					xml_add(ev, l, an, ann, vs, (size_t)(p - vs));
					if (p < end)
						p++;
				} else {
					const char *vs = p;
					while (p < end && !strchr(" \t\r\n>", *p))
						p++;
					xml_add(ev, l, an, ann, vs, (size_t)(p - vs));
				}
			} else if (ann == 0 && p < end && *p != '>') {
				p++;
			}
		}
		if (p < end)
			p++;
		text = p;
	}
}

static int body_type_of(mamori_waf_eval *ev, const char **ct, size_t *ctn)
{
	const wstr *h = waf_header_get(ev, "content-type");
	*ct = h ? h->p : "";
	*ctn = h ? h->n : 0;
	if (ev->body.n == 0)
		return BT_NONE;
	const char *c = *ct;
	size_t n = *ctn;
	if (n >= 33 && strncasecmp(c, "application/x-www-form-urlencoded", 33) == 0)
		return BT_FORM;
	if (n >= 19 && strncasecmp(c, "multipart/form-data", 19) == 0)
		return BT_MULTIPART;
	for (size_t i = 0; i + 4 <= n; i++)
		if (strncasecmp(c + i, "json", 4) == 0)
			return BT_JSON;
	for (size_t i = 0; i + 3 <= n; i++)
		if (strncasecmp(c + i, "xml", 3) == 0)
			return BT_XML;
	/* no usable type: sniff */
	size_t i = 0;
	while (i < ev->body.n && strchr(" \t\r\n", ev->body.p[i]))
		i++;
	if (i < ev->body.n && (ev->body.p[i] == '{' || ev->body.p[i] == '['))
		return BT_JSON;
	if (i < ev->body.n && ev->body.p[i] == '<')
		return BT_XML;
	if (n == 0 && memchr(ev->body.p, '=', ev->body.n))
		return BT_FORM;
	return BT_OTHER;
}

void waf_parse_body(mamori_waf_eval *ev)
{
	if (ev->parsed & P_BODY)
		return;
	ev->parsed |= P_BODY;
	const char *ct;
	size_t ctn;
	ev->body_type = body_type_of(ev, &ct, &ctn);
	plist l = {0};
	switch (ev->body_type) {
	case BT_FORM:
		split_pairs(ev, &l, ev->body.p, ev->body.n, '&', true);
		break;
	case BT_MULTIPART:
		parse_multipart(ev, &l, ct, ctn);
		break;
	case BT_JSON: {
		plist keys = {0}, vals = {0};
		bool ok;
		json_walk(ev, ev->body.p, ev->body.n, &keys, &vals, &ok);
		for (size_t i = 0; i < keys.n; i++)
			padd(ev, &l, "", 0, keys.v[i].value.p, keys.v[i].value.n);
		for (size_t i = 0; i < vals.n; i++)
			padd(ev, &l, vals.v[i].name.p, vals.v[i].name.n, vals.v[i].value.p,
			     vals.v[i].value.n);
		break;
	}
	case BT_XML:
		parse_xml(ev, &l);
		break;
	case BT_OTHER:
		padd(ev, &l, "", 0, ev->body.p, ev->body.n);
		break;
	default:
		break;
	}
	ev->bparams = l.v;
	ev->bparam_count = l.n;
}

/* JsonBody keys and values (independent of the content type). */
void waf_parse_json(mamori_waf_eval *ev, waf_param **keys, size_t *nkeys, waf_param **vals,
		    size_t *nvals, bool *valid);
void waf_parse_json(mamori_waf_eval *ev, waf_param **keys, size_t *nkeys, waf_param **vals,
		    size_t *nvals, bool *valid)
{
	plist k = {0}, v = {0};
	json_walk(ev, ev->body.p, ev->body.n, &k, &v, valid);
	*keys = k.v;
	*nkeys = k.n;
	*vals = v.v;
	*nvals = v.n;
}
