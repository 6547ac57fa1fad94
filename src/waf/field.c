/*
 * field.c — FieldToMatch: which part of the request a statement inspects.
 *
 * Compilation validates the FieldToMatch object and interns it in the ACL's
 * field table (identical specifications share one entry, hence one
 * extraction per request).  Extraction turns a field into the list of values
 * AWS WAF would inspect one by one: every header value, every cookie name,
 * every JSON key... with the oversize flag set when a limit cut the field
 * (the statement's OversizeHandling then decides).
 *
 * Two mamori extensions, for its own rule groups: MamoriArguments (query and
 * body parameters decoded the way the application will see them, like
 * ModSecurity's ARGS) and MamoriUri (the raw request-target).
 */
#include "waf_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void waf_parse_json(mamori_waf_eval *ev, waf_param **keys, size_t *nkeys, waf_param **vals,
		    size_t *nvals, bool *valid);

static const char *const scopes[] = {"ALL", "KEY", "VALUE", NULL};
static const char *const oversizes[] = {"CONTINUE", "MATCH", "NO_MATCH", NULL};
static const char *const invalids[] = {"", "MATCH", "NO_MATCH", "EVALUATE_AS_STRING", NULL};

static const struct {
	const char *key;
	int kind;
	const char *location;
	bool extension;
} kinds[] = {
	{"UriPath", FK_URI_PATH, "URI", false},
	{"QueryString", FK_QUERY_STRING, "QUERY_STRING", false},
	{"SingleQueryArgument", FK_SINGLE_QUERY_ARG, "QUERY_STRING", false},
	{"AllQueryArguments", FK_ALL_QUERY_ARGS, "QUERY_STRING", false},
	{"Method", FK_METHOD, "HTTP_METHOD", false},
	{"SingleHeader", FK_SINGLE_HEADER, "HEADER", false},
	{"Headers", FK_HEADERS, "HEADER", false},
	{"Cookies", FK_COOKIES, "COOKIE", false},
	{"Body", FK_BODY, "BODY", false},
	{"JsonBody", FK_JSON_BODY, "BODY", false},
	{"HeaderOrder", FK_HEADER_ORDER, "HEADER", false},
	{"MamoriArguments", FK_ARGS, "ARGUMENT", true},
	{"MamoriUri", FK_URI, "URI", true},
};

static const char *lower_dup(mamori_arena *a, const char *s)
{
	char *d = mamori_arena_strdup(a, s);
	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	return d;
}

/* MatchPattern {"All": {}} | {"IncludedX": [...]} | {"ExcludedX": [...]} */
static int match_pattern(waf_compiler *c, const cJSON *body, const char *what, waf_field *f,
			 bool lower, mamori_buf *key)
{
	const cJSON *mp = waf_req(c, body, "MatchPattern", cJSON_Object);
	if (!mp)
		return MAMORI_EINPUT;
	size_t saved = waf_path_push(c, ".MatchPattern");
	char inc[40], exc[40];
	snprintf(inc, sizeof inc, "Included%s", what);
	snprintf(exc, sizeof exc, "Excluded%s", what);
	const cJSON *list = NULL;
	if (mamori_json_get(mp, "All")) {
		mamori_buf_puts(key, "|all");
	} else if ((list = mamori_json_get(mp, inc)) != NULL) {
		f->exclude = false;
	} else if ((list = mamori_json_get(mp, exc)) != NULL) {
		f->exclude = true;
	} else {
		int st = waf_err(c, NULL, "needs one of All, %s, %s", inc, exc);
		waf_path_pop(c, saved);
		return st;
	}
	if (list) {
		if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0) {
			int st = waf_err(c, f->exclude ? exc : inc, "must be a non-empty array of strings");
			waf_path_pop(c, saved);
			return st;
		}
		size_t n = (size_t)cJSON_GetArraySize(list);
		f->names = mamori_arena_alloc(&c->acl->arena, n * sizeof *f->names);
		mamori_buf_puts(key, f->exclude ? "|exc" : "|inc");
		const cJSON *it;
		cJSON_ArrayForEach(it, list)
		{
			if (!cJSON_IsString(it)) {
				int st = waf_err(c, f->exclude ? exc : inc, "must hold strings only");
				waf_path_pop(c, saved);
				return st;
			}
			f->names[f->name_count++] = lower ? lower_dup(&c->acl->arena, it->valuestring)
							  : mamori_arena_strdup(&c->acl->arena,
										it->valuestring);
			mamori_buf_printf(key, ":%s", f->names[f->name_count - 1]);
		}
	}
	waf_path_pop(c, saved);
	return MAMORI_OK;
}

int waf_field_compile(waf_compiler *c, const cJSON *ftm, int *field_id)
{
	if (!cJSON_IsObject(ftm) || !ftm->child)
		return waf_err(c, NULL, "FieldToMatch must be an object naming one field");
	if (ftm->child->next)
		return waf_err(c, NULL, "FieldToMatch must name exactly one field, not %s and %s",
			       ftm->child->string, ftm->child->next->string);
	const char *k = ftm->child->string;
	const cJSON *body = ftm->child;
	size_t saved = waf_path_push(c, ".%s", k);
	waf_field f = {0};
	int kind = -1;
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		if (strcmp(kinds[i].key, k) == 0) {
			kind = kinds[i].kind;
			f.location = kinds[i].location;
		}
	}
	if (!strcmp(k, "JA3Fingerprint") || !strcmp(k, "JA4Fingerprint") || !strcmp(k, "UriFragment")) {
		int st = waf_err(c, NULL, "%s cannot be inspected outside AWS (no TLS handshake or "
					  "fragment reaches the engine)", k);
		waf_path_pop(c, saved);
		return st;
	}
	if (kind < 0) {
		int st = waf_err(c, NULL, "unknown field \"%s\"", k);
		waf_path_pop(c, saved);
		return st;
	}
	if (!cJSON_IsObject(body)) {
		int st = waf_err(c, NULL, "must be an object");
		waf_path_pop(c, saved);
		return st;
	}
	f.kind = kind;
	mamori_buf key = MAMORI_BUF_INIT;
	mamori_buf_printf(&key, "%d", kind);
	int st = MAMORI_OK;
	switch (kind) {
	case FK_SINGLE_QUERY_ARG:
	case FK_SINGLE_HEADER: {
		const char *name = waf_req_str(c, body, "Name");
		if (!name) {
			st = MAMORI_EINPUT;
			break;
		}
		f.name = lower_dup(&c->acl->arena, name);
		mamori_buf_printf(&key, "|%s", f.name);
		break;
	}
	case FK_HEADERS:
	case FK_COOKIES:
		st = match_pattern(c, body, kind == FK_HEADERS ? "Headers" : "Cookies", &f,
				   kind == FK_HEADERS, &key);
		if (!st)
			f.scope = waf_enum(c, body, "MatchScope", scopes, true, SC_ALL);
		if (!st && f.scope >= 0)
			f.oversize = waf_enum(c, body, "OversizeHandling", oversizes, true, OV_CONTINUE);
		if (!st && (f.scope < 0 || f.oversize < 0))
			st = MAMORI_EINPUT;
		break;
	case FK_BODY:
	case FK_HEADER_ORDER:
		f.oversize = waf_enum(c, body, "OversizeHandling", oversizes, false, OV_CONTINUE);
		if (f.oversize < 0)
			st = MAMORI_EINPUT;
		break;
	case FK_JSON_BODY:
		st = match_pattern(c, body, "Paths", &f, false, &key);
		if (!st)
			f.scope = waf_enum(c, body, "MatchScope", scopes, true, SC_ALL);
		if (!st && f.scope >= 0)
			f.json_invalid = waf_enum(c, body, "InvalidFallbackBehavior", invalids, false, JI_NONE);
		if (!st && f.scope >= 0 && f.json_invalid >= 0)
			f.oversize = waf_enum(c, body, "OversizeHandling", oversizes, false, OV_CONTINUE);
		if (!st && (f.scope < 0 || f.json_invalid < 0 || f.oversize < 0))
			st = MAMORI_EINPUT;
		if (!st && f.exclude)
			st = waf_err(c, "MatchPattern", "JsonBody takes All or IncludedPaths");
		break;
	case FK_ARGS:
		if (!c->managed) {
			st = waf_err(c, NULL, "MamoriArguments is an extension for mamori's managed "
					      "rule groups");
			break;
		}
		f.scope = waf_enum(c, body, "MatchScope", scopes, false, SC_VALUE);
		if (f.scope < 0) {
			st = MAMORI_EINPUT;
			break;
		}
		{
			static const char *const parts[] = {"ALL", "QUERY", "BODY", NULL};
			int part = waf_enum(c, body, "Part", parts, false, 0);
			if (part < 0)
				st = MAMORI_EINPUT;
			f.name = part == 1 ? "query" : part == 2 ? "body" : NULL;
			if (part == 1)
				f.location = "QUERY_STRING";
			else if (part == 2)
				f.location = "BODY";
			mamori_buf_printf(&key, "|p%d", part);
		}
		c->acl->uses_body_params = true;
		break;
	case FK_URI:
		if (!c->managed)
			st = waf_err(c, NULL, "MamoriUri is an extension for mamori's managed rule groups");
		break;
	default:
		break;
	}
	waf_path_pop(c, saved);
	if (st) {
		mamori_buf_free(&key);
		return st;
	}
	mamori_buf_printf(&key, "|s%d|o%d|j%d", f.scope, f.oversize, f.json_invalid);
	mamori_waf_acl *acl = c->acl;
	for (size_t i = 0; i < acl->field_count; i++) {
		if (strcmp(acl->fields[i].key, key.data) == 0) {
			*field_id = (int)i;
			mamori_buf_free(&key);
			return MAMORI_OK;
		}
	}
	if (acl->field_count == acl->field_cap) {
		acl->field_cap = acl->field_cap ? acl->field_cap * 2 : 16;
		acl->fields = mamori_xrealloc(acl->fields, acl->field_cap * sizeof *acl->fields);
	}
	f.key = mamori_arena_strdup(&acl->arena, key.data);
	mamori_buf_free(&key);
	acl->fields[acl->field_count] = f;
	*field_id = (int)acl->field_count++;
	return MAMORI_OK;
}

/* ---- extraction ---- */

typedef struct elist {
	waf_elem *v;
	size_t n, cap;
} elist;

static void eadd(mamori_waf_eval *ev, elist *l, const char *p, size_t n, const char *name,
		 size_t name_len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		waf_elem *v = waf_alloc(ev, cap * sizeof *v);
		if (l->n)
			memcpy(v, l->v, l->n * sizeof *v);
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = (waf_elem){p, n, name, name_len};
}

static bool name_selected(const waf_field *f, const char *name, size_t n, bool lower)
{
	if (!f->names)
		return true;
	bool found = false;
	for (size_t i = 0; i < f->name_count && !found; i++) {
		size_t ln = strlen(f->names[i]);
		found = ln == n && (lower ? strncasecmp(f->names[i], name, n) == 0
					  : memcmp(f->names[i], name, n) == 0);
	}
	return f->exclude ? !found : found;
}

static void add_pair(mamori_waf_eval *ev, elist *l, int scope, const char *np, size_t nn,
		     const char *vp, size_t vn)
{
	if (scope != SC_VALUE)
		eadd(ev, l, np, nn, np, nn);
	if (scope != SC_KEY)
		eadd(ev, l, vp, vn, np, nn);
}

void waf_field_extract(mamori_waf_eval *ev, const waf_field *f, waf_vals *out)
{
	elist l = {0};
	out->oversize = false;
	out->invalid = false;
	switch (f->kind) {
	case FK_URI_PATH:
		eadd(ev, &l, ev->path.p, ev->path.n, NULL, 0);
		break;
	case FK_URI:
		eadd(ev, &l, ev->uri.p, ev->uri.n, NULL, 0);
		break;
	case FK_QUERY_STRING:
		eadd(ev, &l, ev->query.p, ev->query.n, NULL, 0);
		break;
	case FK_METHOD: {
		const char *m = ev->rq->method ? ev->rq->method : "GET";
		eadd(ev, &l, m, strlen(m), NULL, 0);
		break;
	}
	case FK_SINGLE_QUERY_ARG:
	case FK_ALL_QUERY_ARGS:
		waf_parse_query(ev);
		for (size_t i = 0; i < ev->qarg_count; i++) {
			const waf_param *a = &ev->qargs[i];
			if (f->kind == FK_SINGLE_QUERY_ARG &&
			    !(strlen(f->name) == a->name.n && strncasecmp(f->name, a->name.p, a->name.n) == 0))
				continue;
			eadd(ev, &l, a->value.p, a->value.n, a->name.p, a->name.n);
		}
		break;
	case FK_SINGLE_HEADER:
		for (size_t i = 0; i < ev->hdr_count; i++) {
			const mamori_waf_header *h = &ev->hdr_lc[i];
			if (strlen(f->name) == h->name_len && memcmp(f->name, h->name, h->name_len) == 0)
				eadd(ev, &l, h->value, h->value_len, ev->rq->headers[i].name, h->name_len);
		}
		break;
	case FK_HEADERS: {
		size_t bytes = 0;
		for (size_t i = 0; i < ev->hdr_count; i++) {
			const mamori_waf_header *h = &ev->hdr_lc[i];
			if (i >= WAF_MAX_HEADERS || bytes + h->name_len + h->value_len > WAF_MAX_HEADER_BYTES) {
				out->oversize = true;
				break;
			}
			bytes += h->name_len + h->value_len;
			if (!name_selected(f, h->name, h->name_len, true))
				continue;
			add_pair(ev, &l, f->scope, ev->rq->headers[i].name, h->name_len, h->value,
				 h->value_len);
		}
		break;
	}
	case FK_COOKIES:
		waf_parse_cookies(ev);
		out->oversize = ev->cookies_oversize;
		for (size_t i = 0; i < ev->cookie_count; i++) {
			const waf_param *a = &ev->cookies[i];
			if (name_selected(f, a->name.p, a->name.n, false))
				add_pair(ev, &l, f->scope, a->name.p, a->name.n, a->value.p, a->value.n);
		}
		break;
	case FK_BODY:
		out->oversize = ev->body_oversize;
		eadd(ev, &l, ev->body.p, ev->body.n, NULL, 0);
		break;
	case FK_HEADER_ORDER: {
		size_t total = 0;
		for (size_t i = 0; i < ev->hdr_count; i++)
			total += ev->hdr_lc[i].name_len + 1;
		char *s = waf_alloc(ev, total + 1);
		size_t o = 0;
		for (size_t i = 0; i < ev->hdr_count; i++) {
			if (o)
				s[o++] = ':';
			memcpy(s + o, ev->rq->headers[i].name, ev->hdr_lc[i].name_len);
			o += ev->hdr_lc[i].name_len;
		}
		if (ev->hdr_count > WAF_MAX_HEADERS || o > WAF_MAX_HEADER_BYTES)
			out->oversize = true;
		eadd(ev, &l, s, o, NULL, 0);
		break;
	}
	case FK_JSON_BODY: {
		out->oversize = ev->body_oversize;
		if (ev->body.n == 0)
			break;
		waf_param *keys, *vals;
		size_t nk, nv;
		bool valid;
		waf_parse_json(ev, &keys, &nk, &vals, &nv, &valid);
		if (!valid && !ev->body_oversize) {
			if (f->json_invalid == JI_EVALUATE_AS_STRING) {
				eadd(ev, &l, ev->body.p, ev->body.n, NULL, 0);
				break;
			}
			if (f->json_invalid == JI_MATCH)
				out->invalid = true;
			if (f->json_invalid == JI_NO_MATCH)
				break;
		}
		for (size_t i = 0; f->scope != SC_VALUE && i < nk; i++) {
			if (f->names && !name_selected(f, keys[i].name.p, keys[i].name.n, false))
				continue;
			eadd(ev, &l, keys[i].value.p, keys[i].value.n, keys[i].name.p, keys[i].name.n);
		}
		for (size_t i = 0; f->scope != SC_KEY && i < nv; i++) {
			if (f->names && !name_selected(f, vals[i].name.p, vals[i].name.n, false))
				continue;
			eadd(ev, &l, vals[i].value.p, vals[i].value.n, vals[i].name.p, vals[i].name.n);
		}
		break;
	}
	case FK_ARGS:
		waf_parse_query(ev);
		for (size_t i = 0; (!f->name || f->name[0] == 'q') && i < ev->qarg_count; i++) {
			const waf_param *a = &ev->qargs[i];
			char *dn = waf_alloc(ev, a->name.n + 1), *dv = waf_alloc(ev, a->value.n + 1);
			size_t nn = waf_url_decode((const unsigned char *)a->name.p, a->name.n,
						   (unsigned char *)dn, true, true);
			size_t vn = waf_url_decode((const unsigned char *)a->value.p, a->value.n,
						   (unsigned char *)dv, true, true);
			add_pair(ev, &l, f->scope, dn, nn, dv, vn);
		}
		if (f->name && f->name[0] == 'q')
			break;
		waf_parse_body(ev);
		out->oversize = ev->body_oversize;
		for (size_t i = 0; i < ev->bparam_count; i++) {
			const waf_param *a = &ev->bparams[i];
			if (a->name.n == 0 && ev->body_type == BT_JSON) {
				/* a JSON key */
				if (f->scope != SC_VALUE)
					eadd(ev, &l, a->value.p, a->value.n, a->value.p, a->value.n);
				continue;
			}
			add_pair(ev, &l, f->scope, a->name.p, a->name.n, a->value.p, a->value.n);
		}
		break;
	default:
		break;
	}
	out->el = l.v;
	out->n = l.n;
}
