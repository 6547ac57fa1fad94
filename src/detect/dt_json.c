/*
 * dt_json.c — the lazy streaming JSON scanner (see dt_json.h).
 */
#include "dt_json.h"

#include <stdlib.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define SKIP_MAX_DEPTH 1024

/* Next '"', '{', '}', '[' or ']' at or after p; NULL if none before end. */
static inline const char *find_struct(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i q = _mm_set1_epi8('"'), o = _mm_set1_epi8(0x7B), c = _mm_set1_epi8(0x7D),
		      b20 = _mm_set1_epi8(0x20);
	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i vl = _mm_or_si128(v, b20); /* '['|0x20 == '{', ']'|0x20 == '}' */
		__m128i r = _mm_or_si128(_mm_cmpeq_epi8(v, q),
					 _mm_or_si128(_mm_cmpeq_epi8(vl, o), _mm_cmpeq_epi8(vl, c)));
		int mask = _mm_movemask_epi8(r);
		if (mask)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	for (; p < end; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"' || (ch | 0x20) == 0x7B || (ch | 0x20) == 0x7D)
			return p;
	}
	return NULL;
}

/* p after the opening quote: the closing quote, or NULL when input ends. */
static inline const char *string_end(const char *p, const char *end, uint8_t *esc)
{
	for (;;) {
#ifdef __SSE2__
		const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
		int mask = 0;
		while (end - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			mask = _mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
			if (mask)
				break;
			p += 16;
		}
		if (mask)
			p += __builtin_ctz((unsigned)mask);
		else
#endif
			while (p < end && *p != '"' && *p != '\\')
				p++;
		if (p >= end)
			return NULL;
		if (*p == '"')
			return p;
		*esc = 1;
		p += 2; /* the backslash and the escaped character */
		if (p > end)
			return NULL;
	}
}

int dt_json_string(const char **pp, const char *end, dt_jval *v)
{
	const char *p = *pp + 1;
	uint8_t esc = 0;
	const char *q = string_end(p, end, &esc);
	if (!q)
		return DT_JS_MORE;
	v->p = p;
	v->len = (uint32_t)(q - p);
	v->type = DT_JSTR;
	v->esc = esc;
	*pp = q + 1;
	return DT_JS_OK;
}

static int skip_container(const char **pp, const char *end, const char **err)
{
	unsigned char stack[SKIP_MAX_DEPTH];
	int depth = 0;
	const char *p = *pp;
	stack[depth++] = (unsigned char)*p++;
	for (;;) {
		p = find_struct(p, end);
		if (!p)
			return DT_JS_MORE;
		char c = *p;
		if (c == '"') {
			uint8_t esc = 0;
			p = string_end(p + 1, end, &esc);
			if (!p)
				return DT_JS_MORE;
			p++;
			continue;
		}
		if (c == '{' || c == '[') {
			if (depth == SKIP_MAX_DEPTH) {
				*pp = p;
				*err = "nested deeper than 1024 levels";
				return DT_JS_ERR;
			}
			stack[depth++] = (unsigned char)c;
			p++;
			continue;
		}
		unsigned char open = stack[depth - 1];
		if ((c == '}' && open != '{') || (c == ']' && open != '[')) {
			*pp = p;
			*err = c == '}' ? "'}' closes an array" : "']' closes an object";
			return DT_JS_ERR;
		}
		p++;
		if (--depth == 0) {
			*pp = p;
			return DT_JS_OK;
		}
	}
}

static inline bool is_delim(char c)
{
	return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' ||
	       c == '\t' || c == ':';
}

int dt_json_skip(const char **pp, const char *end, dt_jval *v, const char **err)
{
	const char *p = dt_json_ws(*pp, end);
	if (p >= end)
		return DT_JS_MORE;
	dt_jval tmp;
	if (!v)
		v = &tmp;
	const char *start = p;
	int rc;
	switch (*p) {
	case '"':
		rc = dt_json_string(&p, end, v);
		if (rc == DT_JS_OK)
			*pp = p;
		return rc;
	case '{':
	case '[':
		rc = skip_container(&p, end, err);
		if (rc == DT_JS_OK) {
			v->p = start;
			v->len = (uint32_t)(p - start);
			v->type = *start == '{' ? DT_JOBJ : DT_JARR;
			v->esc = 0;
		}
		*pp = p;
		return rc;
	case 't':
	case 'f':
	case 'n': {
		const char *word = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
		size_t n = strlen(word);
		if ((size_t)(end - p) < n)
			return DT_JS_MORE;
		if (memcmp(p, word, n) != 0) {
			*pp = p;
			*err = "invalid literal";
			return DT_JS_ERR;
		}
		v->p = p;
		v->len = (uint32_t)n;
		v->type = *p == 't' ? DT_JTRUE : *p == 'f' ? DT_JFALSE : DT_JNULL;
		v->esc = 0;
		*pp = p + n;
		return DT_JS_OK;
	}
	default:
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			while (p < end && !is_delim(*p))
				p++;
			if (p >= end)
				return DT_JS_MORE;
			v->p = start;
			v->len = (uint32_t)(p - start);
			v->type = DT_JNUM;
			v->esc = 0;
			*pp = p;
			return DT_JS_OK;
		}
		*pp = p;
		*err = "unexpected character where a value should be";
		return DT_JS_ERR;
	}
}

/* ---- paths ---- */

void dt_paths_init(dt_paths *ps)
{
	memset(ps, 0, sizeof *ps);
	mamori_arena_init(&ps->arena, 0);
}

static void node_free(dt_pnode *n)
{
	for (size_t i = 0; i < n->count; i++)
		if (n->kids[i].child) {
			node_free(n->kids[i].child);
			free(n->kids[i].child);
		}
	free(n->kids);
	free(n->index);
}

void dt_paths_free(dt_paths *ps)
{
	node_free(&ps->root);
	free(ps->names);
	mamori_arena_free(&ps->arena);
	memset(ps, 0, sizeof *ps);
}

static dt_pkid *kid_find(const dt_pnode *n, const char *key, size_t klen)
{
	if (n->index) {
		uint32_t i = (uint32_t)dt_hash(key, klen) & n->index_mask;
		for (;;) {
			uint16_t k = n->index[i];
			if (k == 0)
				return NULL;
			dt_pkid *kid = &n->kids[k - 1];
			if (kid->klen == klen && memcmp(kid->key, key, klen) == 0)
				return kid;
			i = (i + 1) & n->index_mask;
		}
	}
	for (size_t i = 0; i < n->count; i++)
		if (n->kids[i].klen == klen && memcmp(n->kids[i].key, key, klen) == 0)
			return &n->kids[i];
	return NULL;
}

static int walk(dt_paths *ps, const char *dotted, bool create)
{
	dt_pnode *n = &ps->root;
	const char *p = dotted;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t klen = dot ? (size_t)(dot - p) : strlen(p);
		dt_pkid *kid = kid_find(n, p, klen);
		if (!kid) {
			if (!create || ps->frozen)
				return -1;
			if (n->count == n->cap) {
				n->cap = n->cap ? n->cap * 2 : 4;
				n->kids = mamori_xrealloc(n->kids, n->cap * sizeof *n->kids);
			}
			kid = &n->kids[n->count++];
			kid->key = mamori_arena_strndup(&ps->arena, p, klen);
			kid->klen = (uint32_t)klen;
			kid->slot = -1;
			kid->child = NULL;
		}
		if (!dot) {
			if (kid->slot < 0) {
				if (!create || ps->frozen)
					return -1;
				if (ps->nslots == ps->names_cap) {
					ps->names_cap = ps->names_cap ? ps->names_cap * 2 : 32;
					ps->names = mamori_xrealloc(ps->names,
								    ps->names_cap * sizeof *ps->names);
				}
				ps->names[ps->nslots] = mamori_arena_strdup(&ps->arena, dotted);
				kid->slot = (int)ps->nslots++;
			}
			return kid->slot;
		}
		if (!kid->child) {
			if (!create || ps->frozen)
				return -1;
			kid->child = mamori_xcalloc(1, sizeof *kid->child);
		}
		n = kid->child;
		p = dot + 1;
	}
}

int dt_paths_add(dt_paths *ps, const char *dotted)
{
	return walk(ps, dotted, true);
}

int dt_paths_find(const dt_paths *ps, const char *dotted)
{
	return walk((dt_paths *)ps, dotted, false);
}

static void node_freeze(dt_pnode *n)
{
	if (n->count > 6) {
		size_t sz = 16;
		while (sz < n->count * 3)
			sz *= 2;
		n->index = mamori_xcalloc(sz, sizeof *n->index);
		n->index_mask = (uint32_t)(sz - 1);
		for (size_t k = 0; k < n->count; k++) {
			uint32_t i = (uint32_t)dt_hash(n->kids[k].key, n->kids[k].klen) & n->index_mask;
			while (n->index[i])
				i = (i + 1) & n->index_mask;
			n->index[i] = (uint16_t)(k + 1);
		}
	}
	for (size_t k = 0; k < n->count; k++)
		if (n->kids[k].child)
			node_freeze(n->kids[k].child);
}

void dt_paths_freeze(dt_paths *ps)
{
	if (!ps->frozen)
		node_freeze(&ps->root);
	ps->frozen = true;
}

/* ---- index ---- */

void dt_index_init(dt_index *ix, size_t nslots)
{
	memset(ix, 0, sizeof *ix);
	ix->nslots = nslots;
	ix->first = mamori_xmalloc((nslots ? nslots : 1) * sizeof *ix->first);
	ix->last = mamori_xmalloc((nslots ? nslots : 1) * sizeof *ix->last);
	ix->touched = mamori_xmalloc((nslots ? nslots : 1) * sizeof *ix->touched);
	for (size_t i = 0; i < nslots; i++)
		ix->first[i] = ix->last[i] = -1;
	ix->cap = 64;
	ix->vals = mamori_xmalloc(ix->cap * sizeof *ix->vals);
	ix->next = mamori_xmalloc(ix->cap * sizeof *ix->next);
}

void dt_index_free(dt_index *ix)
{
	free(ix->vals);
	free(ix->next);
	free(ix->first);
	free(ix->last);
	free(ix->touched);
	memset(ix, 0, sizeof *ix);
}

void dt_index_reset(dt_index *ix)
{
	for (size_t i = 0; i < ix->ntouched; i++)
		ix->first[ix->touched[i]] = ix->last[ix->touched[i]] = -1;
	ix->ntouched = 0;
	ix->nvals = 0;
	ix->depth_limit_hit = 0;
}

#define MAX_VALUES_PER_RECORD 65536

void dt_index_reserve(dt_index *ix, size_t n)
{
	if (n <= ix->cap)
		return;
	while (ix->cap < n)
		ix->cap *= 2;
	ix->vals = mamori_xrealloc(ix->vals, ix->cap * sizeof *ix->vals);
	ix->next = mamori_xrealloc(ix->next, ix->cap * sizeof *ix->next);
}

void dt_index_add(dt_index *ix, int slot, const dt_jval *v)
{
	if (ix->nvals >= MAX_VALUES_PER_RECORD)
		return;
	if (ix->nvals == ix->cap) {
		ix->cap *= 2;
		ix->vals = mamori_xrealloc(ix->vals, ix->cap * sizeof *ix->vals);
		ix->next = mamori_xrealloc(ix->next, ix->cap * sizeof *ix->next);
	}
	int32_t i = (int32_t)ix->nvals++;
	ix->vals[i] = *v;
	ix->next[i] = -1;
	if (ix->first[slot] < 0) {
		ix->first[slot] = i;
		ix->touched[ix->ntouched++] = (uint32_t)slot;
	} else {
		ix->next[ix->last[slot]] = i;
	}
	ix->last[slot] = i;
}

static int index_value(dt_index *ix, const dt_pkid *kid, const char **pp, const char *end,
		       const char **err);

static int index_obj(dt_index *ix, const dt_pnode *node, const char **pp, const char *end,
		     const char **err)
{
	const char *p = *pp + 1; /* after '{' */
	char keybuf[256];
	p = dt_json_ws(p, end);
	if (p >= end)
		return DT_JS_MORE;
	if (*p == '}') {
		*pp = p + 1;
		return DT_JS_OK;
	}
	for (;;) {
		if (*p != '"') {
			*pp = p;
			*err = "expected a member name";
			return DT_JS_ERR;
		}
		dt_jval k;
		if (dt_json_string(&p, end, &k))
			return DT_JS_MORE;
		const char *key = k.p;
		size_t klen = k.len;
		if (k.esc && k.len < sizeof keybuf) {
			klen = dt_json_unescape(&k, keybuf);
			key = keybuf;
		}
		p = dt_json_ws(p, end);
		if (p >= end)
			return DT_JS_MORE;
		if (*p != ':') {
			*pp = p;
			*err = "expected ':' after a member name";
			return DT_JS_ERR;
		}
		p = dt_json_ws(p + 1, end);
		if (p >= end)
			return DT_JS_MORE;
		const dt_pkid *kid = kid_find(node, key, klen);
		int rc = kid ? index_value(ix, kid, &p, end, err) : dt_json_skip(&p, end, NULL, err);
		if (rc) {
			if (rc == DT_JS_ERR)
				*pp = p;
			return rc;
		}
		p = dt_json_ws(p, end);
		if (p >= end)
			return DT_JS_MORE;
		if (*p == ',') {
			p = dt_json_ws(p + 1, end);
			if (p >= end)
				return DT_JS_MORE;
			continue;
		}
		if (*p == '}') {
			*pp = p + 1;
			return DT_JS_OK;
		}
		*pp = p;
		*err = "expected ',' or '}' after a member";
		return DT_JS_ERR;
	}
}

static int index_array(dt_index *ix, const dt_pnode *node, const char **pp, const char *end,
		       const char **err)
{
	const char *p = dt_json_ws(*pp + 1, end);
	if (p >= end)
		return DT_JS_MORE;
	if (*p == ']') {
		*pp = p + 1;
		return DT_JS_OK;
	}
	for (;;) {
		int rc = *p == '{' ? index_obj(ix, node, &p, end, err)
				   : dt_json_skip(&p, end, NULL, err);
		if (rc) {
			if (rc == DT_JS_ERR)
				*pp = p;
			return rc;
		}
		p = dt_json_ws(p, end);
		if (p >= end)
			return DT_JS_MORE;
		if (*p == ',') {
			p = dt_json_ws(p + 1, end);
			if (p >= end)
				return DT_JS_MORE;
			continue;
		}
		if (*p == ']') {
			*pp = p + 1;
			return DT_JS_OK;
		}
		*pp = p;
		*err = "expected ',' or ']' in an array";
		return DT_JS_ERR;
	}
}

static int index_value(dt_index *ix, const dt_pkid *kid, const char **pp, const char *end,
		       const char **err)
{
	const char *p = *pp;
	const char *start = p;
	int rc;
	dt_jval v;
	if (kid->child && (*p == '{' || *p == '[')) {
		rc = *p == '{' ? index_obj(ix, kid->child, &p, end, err)
			       : index_array(ix, kid->child, &p, end, err);
		if (rc) {
			*pp = p;
			return rc;
		}
		v.p = start;
		v.len = (uint32_t)(p - start);
		v.type = *start == '{' ? DT_JOBJ : DT_JARR;
		v.esc = 0;
	} else {
		rc = dt_json_skip(&p, end, &v, err);
		if (rc) {
			*pp = p;
			return rc;
		}
	}
	if (kid->slot >= 0)
		dt_index_add(ix, kid->slot, &v);
	*pp = p;
	return DT_JS_OK;
}

int dt_json_index(dt_index *ix, const dt_paths *ps, const char **pp, const char *end,
		  const char **err)
{
	dt_index_reset(ix);
	const char *start = *pp;
	const char *p = start;
	int rc = index_obj(ix, &ps->root, &p, end, err);
	if (rc == DT_JS_OK) {
		ix->rec = start;
		ix->reclen = (size_t)(p - start);
	}
	*pp = p;
	return rc;
}

/* ---- values ---- */


static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xC0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xE0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char)(0xF0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static bool hex4(const char *p, const char *end, uint32_t *out)
{
	if (end - p < 4)
		return false;
	uint32_t v = 0;
	for (int i = 0; i < 4; i++) {
		int h = mamori_hex_digit(p[i]);
		if (h < 0)
			return false;
		v = v << 4 | (uint32_t)h;
	}
	*out = v;
	return true;
}

size_t dt_json_unescape(const dt_jval *v, char *out)
{
	const char *p = v->p, *end = v->p + v->len;
	char *o = out;
	if (!v->esc) {
		memcpy(out, p, v->len);
		out[v->len] = '\0';
		return v->len;
	}
	while (p < end) {
		if (*p != '\\' || p + 1 >= end) {
			*o++ = *p++;
			continue;
		}
		char c = p[1];
		const char *simple = strchr("\"\\/bfnrt", c);
		if (simple && c) {
			static const char map[] = "\"\\/\b\f\n\r\t";
			*o++ = map[simple - "\"\\/bfnrt"];
			p += 2;
			continue;
		}
		uint32_t cp;
		if (c == 'u' && hex4(p + 2, end, &cp)) {
			p += 6;
			if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 6 && p[0] == '\\' &&
			    p[1] == 'u') {
				uint32_t lo;
				if (hex4(p + 2, end, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					p += 6;
				}
			}
			if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
				cp = 0xFFFD;
			/* 6 input bytes always cover up to 4 output bytes */
			o += put_utf8(o, cp);
			continue;
		}
		*o++ = *p++; /* invalid escape: keep the backslash */
	}
	*o = '\0';
	return (size_t)(o - out);
}

bool dt_json_array_next(const dt_jval *arr, size_t *it, dt_jval *elem)
{
	if (arr->type != DT_JARR)
		return false;
	const char *end = arr->p + arr->len;
	const char *p = arr->p + (*it ? *it : 1);
	p = dt_json_ws(p, end);
	if (p < end && *p == ',')
		p = dt_json_ws(p + 1, end);
	if (p >= end || *p == ']')
		return false;
	const char *err;
	if (dt_json_skip(&p, end, elem, &err) != DT_JS_OK)
		return false;
	*it = (size_t)(p - arr->p);
	return true;
}

bool dt_json_member(const dt_jval *obj, const char *key, dt_jval *out)
{
	if (obj->type != DT_JOBJ)
		return false;
	const char *end = obj->p + obj->len, *p = dt_json_ws(obj->p + 1, end), *err;
	size_t klen = strlen(key);
	while (p < end && *p == '"') {
		dt_jval k;
		if (dt_json_string(&p, end, &k))
			return false;
		p = dt_json_ws(p, end);
		if (p >= end || *p != ':')
			return false;
		p = dt_json_ws(p + 1, end);
		dt_jval v;
		if (dt_json_skip(&p, end, &v, &err))
			return false;
		if (k.len == klen && memcmp(k.p, key, klen) == 0) {
			*out = v;
			return true;
		}
		p = dt_json_ws(p, end);
		if (p < end && *p == ',')
			p = dt_json_ws(p + 1, end);
	}
	return false;
}
