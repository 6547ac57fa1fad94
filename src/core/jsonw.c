/*
 * jsonw.c — the streaming JSON writer (see jsonw.h for why).
 *
 * cJSON's print format, reproduced:
 *   compact  no whitespace at all
 *   pretty   an object opens with "{\n"; each member is depth tabs, the key,
 *            ":\t" and the value, members end with ",\n" / "\n"; the object
 *            closes with depth-1 tabs and "}" (so an empty one is "{\n}");
 *            arrays stay on one line, elements separated by ", "; depth
 *            counts arrays as well as objects
 *   strings  " \ and control characters escaped (\b \f \n \r \t, else
 *            \u00xx in lower case), every other byte as is
 *   numbers  "null" for NaN/Inf; else "%1.15g", or "%1.17g" when 15
 *            digits do not read back within DBL_EPSILON (cJSON 1.7.15, the
 *            one Debian 12 ships; later versions print integers with "%d",
 *            which differs only for -0: the unit test would say so)
 */
#include "jsonw.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LVL_ITEMS 1u
#define LVL_OBJECT 2u
#define CJSON_NESTING 1000 /* CJSON_NESTING_LIMIT of the cJSON we link */

/* room for n more bytes (and the NUL) */
static inline char *room(mamori_buf *b, size_t n)
{
	if (!b->data || b->len + n + 1 > b->cap)
		mamori_buf_reserve(b, n);
	return b->data + b->len;
}

static inline void done(mamori_buf *b, size_t n)
{
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void put(mamori_jw *w, const char *s, size_t n)
{
	memcpy(room(w->out, n), s, n);
	done(w->out, n);
}

static void tabs(mamori_jw *w, unsigned n)
{
	char *p = room(w->out, n);
	memset(p, '\t', n);
	done(w->out, n);
}

void mamori_jw_init(mamori_jw *w, mamori_buf *out, bool pretty)
{
	w->out = out;
	w->pretty = pretty;
	w->after_key = false;
	w->depth = 0;
	w->level[0] = 0;
}

/* the separator an array element needs before it */
static void before_value(mamori_jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	unsigned char *l = &w->level[w->depth];
	if (w->depth && (*l & LVL_ITEMS))
		put(w, ", ", w->pretty ? 2 : 1);
	*l |= LVL_ITEMS;
}

static void open(mamori_jw *w, char c, unsigned char kind)
{
	before_value(w);
	if (w->depth >= MAMORI_JW_MAX_DEPTH)
		abort(); /* callers bound their nesting (cJSON's limit + ours) */
	if (c == '{' && w->pretty)
		put(w, "{\n", 2);
	else
		put(w, &c, 1);
	w->level[++w->depth] = kind;
}

void mamori_jw_obj(mamori_jw *w)
{
	open(w, '{', LVL_OBJECT);
}

void mamori_jw_arr(mamori_jw *w)
{
	open(w, '[', 0);
}

void mamori_jw_obj_end(mamori_jw *w)
{
	if (w->pretty) {
		if (w->level[w->depth] & LVL_ITEMS)
			put(w, "\n", 1);
		tabs(w, w->depth - 1);
	}
	put(w, "}", 1);
	w->depth--;
}

void mamori_jw_arr_end(mamori_jw *w)
{
	put(w, "]", 1);
	w->depth--;
}

/* which bytes cJSON escapes, and how (0: as is; 'u': \u00xx) */
static const char escape_of[256] = {
	['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't', ['"'] = '"',
	['\\'] = '\\', [0x00] = 'u', [0x01] = 'u', [0x02] = 'u', [0x03] = 'u', [0x04] = 'u',
	[0x05] = 'u', [0x06] = 'u', [0x07] = 'u', [0x0b] = 'u', [0x0e] = 'u', [0x0f] = 'u',
	[0x10] = 'u', [0x11] = 'u', [0x12] = 'u', [0x13] = 'u', [0x14] = 'u', [0x15] = 'u',
	[0x16] = 'u', [0x17] = 'u', [0x18] = 'u', [0x19] = 'u', [0x1a] = 'u', [0x1b] = 'u',
	[0x1c] = 'u', [0x1d] = 'u', [0x1e] = 'u', [0x1f] = 'u',
};

/*
 * Finding the bytes that need an escape (control characters, '"', '\\')
 * is most of the writer's work: 16 bytes at a time with SSE2 (part of
 * every x86-64), 8 at a time elsewhere (the classic SWAR tests, exact about
 * whether some byte matches).  A mask with bit k set for byte k.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#define BLOCK 16
static inline unsigned special_mask(const unsigned char *u)
{
	const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)u);
	__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, bs)),
				 _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x));
	return (unsigned)_mm_movemask_epi8(m);
}
#else
#define BLOCK 8
static inline unsigned special_mask(const unsigned char *u)
{
	unsigned m = 0;
	for (unsigned k = 0; k < 8; k++)
		m |= (unsigned)(escape_of[u[k]] != 0) << k;
	return m;
}
#endif

/* the end of the run of bytes needing no escape from u[i], before n */
static inline size_t plain_run(const unsigned char *u, size_t i, size_t n)
{
	while (i + BLOCK <= n) {
		unsigned m = special_mask(u + i);
		if (m)
			return i + (size_t)__builtin_ctz(m);
		i += BLOCK;
	}
	while (i < n && !escape_of[u[i]])
		i++;
	return i;
}

static inline char *escape(char *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e = escape_of[c];
	*o++ = '\\';
	if (e == 'u') {
		*o++ = 'u';
		*o++ = '0';
		*o++ = '0';
		*o++ = hex[c >> 4];
		*o++ = hex[c & 15];
	} else {
		*o++ = e;
	}
	return o;
}

static void string(mamori_jw *w, const char *s, size_t n)
{
	/* worst case: every byte \u00xx */
	char *o = room(w->out, n * 6 + 2), *start = o;
	const unsigned char *u = (const unsigned char *)s;
	*o++ = '"';
	size_t i = 0;
	/* copy a block at a time (the room allows it), step back to an escape */
	while (i + BLOCK <= n) {
		unsigned m = special_mask(u + i);
		memcpy(o, u + i, BLOCK);
		if (!m) {
			i += BLOCK;
			o += BLOCK;
			continue;
		}
		unsigned k = (unsigned)__builtin_ctz(m);
		o = escape(o + k, u[i + k]);
		i += k + 1;
	}
	for (; i < n; i++)
		if (escape_of[u[i]])
			o = escape(o, u[i]);
		else
			*o++ = (char)u[i];
	*o++ = '"';
	done(w->out, (size_t)(o - start));
}

/* what comes before a member's key: separator, indentation (one write) */
static void before_key(mamori_jw *w)
{
	unsigned char *l = &w->level[w->depth];
	bool sep = *l & LVL_ITEMS;
	*l |= LVL_ITEMS;
	if (!w->pretty) {
		if (sep)
			put(w, ",", 1);
		return;
	}
	size_t n = (sep ? 2 : 0) + w->depth;
	char *o = room(w->out, n);
	if (sep) {
		o[0] = ',';
		o[1] = '\n';
	}
	memset(o + (sep ? 2 : 0), '\t', w->depth);
	done(w->out, n);
}

void mamori_jw_keyn(mamori_jw *w, const char *key, size_t n)
{
	before_key(w);
	string(w, key, n);
	put(w, ":\t", w->pretty ? 2 : 1);
	w->after_key = true;
}

void mamori_jw_key(mamori_jw *w, const char *key)
{
	mamori_jw_keyn(w, key, strlen(key));
}

void mamori_jw_key_quoted(mamori_jw *w, const char *q, size_t n)
{
	before_key(w);
	char *o = room(w->out, n + 2);
	memcpy(o, q, n);
	o[n] = ':';
	o[n + 1] = '\t';
	done(w->out, n + (w->pretty ? 2 : 1));
	w->after_key = true;
}

void mamori_jw_strn(mamori_jw *w, const char *s, size_t n)
{
	before_value(w);
	string(w, s, n);
}

void mamori_jw_str(mamori_jw *w, const char *s)
{
	mamori_jw_strn(w, s ? s : "", s ? strlen(s) : 0);
}

void mamori_jw_kstr(mamori_jw *w, const char *key, const char *s)
{
	if (!s)
		return;
	mamori_jw_key(w, key);
	mamori_jw_strn(w, s, strlen(s));
}

static bool close_enough(double a, double b)
{
	double max = fabs(a) > fabs(b) ? fabs(a) : fabs(b);
	return fabs(a - b) <= max * DBL_EPSILON;
}

/* cJSON's number text (1.7.15: no integer shortcut, so -0 stays "-0"); its length */
static int number_text(double d, char out[32])
{
	if (isnan(d) || isinf(d))
		return snprintf(out, 32, "null");
	/* integers below 1e15 print the same through "%1.15g" and read back
	 * exactly: write them without printf (severity scores, counts) */
	if (d > -1e15 && d < 1e15 && d == (double)(long long)d && !(d == 0 && signbit(d))) {
		long long v = (long long)d;
		unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
		char tmp[24], *p = tmp + sizeof tmp;
		do
			*--p = (char)('0' + u % 10);
		while (u /= 10);
		if (v < 0)
			*--p = '-';
		int n = (int)(tmp + sizeof tmp - p);
		memcpy(out, p, (size_t)n);
		out[n] = '\0';
		return n;
	}
	int n = snprintf(out, 32, "%1.15g", d);
	double back = 0;
	if (sscanf(out, "%lg", &back) != 1 || !close_enough(back, d))
		n = snprintf(out, 32, "%1.17g", d);
	return n;
}

static void number(mamori_jw *w, double d)
{
	char b[32];
	int n = number_text(d, b);
	before_value(w);
	put(w, b, (size_t)n);
}

void mamori_jw_num(mamori_jw *w, double d)
{
	number(w, d);
}

void mamori_jw_bool(mamori_jw *w, bool b)
{
	before_value(w);
	put(w, b ? "true" : "false", b ? 4 : 5);
}

void mamori_jw_null(mamori_jw *w)
{
	before_value(w);
	put(w, "null", 4);
}

void mamori_jw_mark_get(const mamori_jw *w, mamori_jw_mark *m)
{
	m->len = w->out->len;
	m->depth = w->depth;
	m->level = w->level[w->depth];
	m->after_key = w->after_key;
}

void mamori_jw_mark_restore(mamori_jw *w, const mamori_jw_mark *m)
{
	w->out->len = m->len;
	if (w->out->data)
		w->out->data[m->len] = '\0';
	w->depth = m->depth;
	w->level[w->depth] = m->level;
	w->after_key = m->after_key;
}

/* ---- a cJSON DOM, iteratively (cJSON bounds its depth at parse) ---- */

static void scalar(mamori_jw *w, const cJSON *v)
{
	switch (v->type & 0xFF) {
	case cJSON_False:
		mamori_jw_bool(w, false);
		break;
	case cJSON_True:
		mamori_jw_bool(w, true);
		break;
	case cJSON_NULL:
		mamori_jw_null(w);
		break;
	case cJSON_Number:
		number(w, v->valuedouble);
		break;
	case cJSON_String:
		mamori_jw_str(w, v->valuestring);
		break;
	case cJSON_Raw:
		before_value(w);
		if (v->valuestring)
			put(w, v->valuestring, strlen(v->valuestring));
		break;
	default:
		mamori_jw_null(w); /* cJSON_Invalid: never out of a parse */
		break;
	}
}

void mamori_jw_cjson(mamori_jw *w, const cJSON *v)
{
	const cJSON *stack[MAMORI_JW_MAX_DEPTH];
	unsigned sp = 0;
	const cJSON *cur = v;
	for (;;) {
		if (sp && cJSON_IsObject(stack[sp - 1]))
			mamori_jw_key(w, cur->string ? cur->string : "");
		bool container = cJSON_IsObject(cur) || cJSON_IsArray(cur);
		if (container) {
			if (cJSON_IsObject(cur))
				mamori_jw_obj(w);
			else
				mamori_jw_arr(w);
			if (cur->child && sp < MAMORI_JW_MAX_DEPTH) {
				stack[sp++] = cur;
				cur = cur->child;
				continue;
			}
			if (cJSON_IsObject(cur))
				mamori_jw_obj_end(w);
			else
				mamori_jw_arr_end(w);
		} else {
			scalar(w, cur);
		}
		/* next sibling, or close parents until one has a next */
		for (;;) {
			if (!sp)
				return;
			if (cur->next) {
				cur = cur->next;
				break;
			}
			cur = stack[--sp];
			if (cJSON_IsObject(cur))
				mamori_jw_obj_end(w);
			else
				mamori_jw_arr_end(w);
		}
	}
}

/* ---- canonical text, copied or re-indented ---- */

size_t mamori_jw_canonical_string(const char *p, const char *end, bool *escaped)
{
	if (p >= end || *p != '"')
		return 0;
	const unsigned char *s = (const unsigned char *)p + 1, *e = (const unsigned char *)end;
	while (s < e) {
		s += plain_run(s, 0, (size_t)(e - s));
		if (s == e)
			break;
		unsigned char c = *s;
		if (c == '"')
			return (size_t)((const char *)s + 1 - p);
		if (c < 0x20)
			return 0;
		if (c != '\\') {
			s++;
			continue;
		}
		*escaped = true;
		if (s + 1 >= e)
			return 0;
		switch (s[1]) {
		case '"':
		case '\\':
		case 'b':
		case 'f':
		case 'n':
		case 'r':
		case 't':
			s += 2;
			continue;
		case 'u':
			/* cJSON prints \u00xx (lower-case hex) for the control
			 * characters without a short escape, and nothing else */
			if (e - s < 6 || s[2] != '0' || s[3] != '0' || (s[4] != '0' && s[4] != '1'))
				return 0;
			int lo = s[5] >= '0' && s[5] <= '9'   ? s[5] - '0'
				 : s[5] >= 'a' && s[5] <= 'f' ? s[5] - 'a' + 10
							      : -1;
			if (lo < 0)
				return 0;
			unsigned v = (unsigned)(s[4] - '0') * 16 + (unsigned)lo;
			if (escape_of[v] != 'u' || v == 0)
				return 0; /* \u0000 would cut the string; others have short forms */
			s += 6;
			continue;
		default:
			return 0;
		}
	}
	return 0;
}

/* a number that cJSON would print back as the same bytes: its length, or 0 */
static size_t canonical_number(const char *p, const char *end)
{
	char tmp[64];
	size_t i = 0;
	/* what cJSON's parse_number hands to strtod */
	while (i < sizeof tmp - 1 && p + i < end) {
		char c = p[i];
		if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == 'e' || c == 'E' ||
		      c == '.'))
			break;
		tmp[i++] = c;
	}
	tmp[i] = '\0';
	char *after;
	double d = strtod(tmp, &after);
	if (after == tmp)
		return 0;
	size_t n = (size_t)(after - tmp);
	char text[32];
	int tn = number_text(d, text);
	return (size_t)tn == n && !memcmp(text, p, n) ? n : 0;
}

size_t mamori_jw_canonical_value(mamori_jw *w, const char *json, size_t len)
{
	mamori_jw_mark mark;
	mamori_jw_mark_get(w, &mark);
	const char *p = json, *end = json + len;
	unsigned base = w->depth;
	enum { VALUE, KEY, AFTER } state = VALUE;
	for (;;) {
		if (state == KEY) {
			bool esc = false;
			size_t n = mamori_jw_canonical_string(p, end, &esc);
			if (!n || p + n >= end || p[n] != ':')
				goto refuse;
			mamori_jw_key_quoted(w, p, n);
			p += n + 1;
			state = VALUE;
			continue;
		}
		if (state == AFTER) {
			if (w->depth == base)
				return (size_t)(p - json);
			if (p >= end)
				goto refuse;
			bool object = w->level[w->depth] & LVL_OBJECT;
			if (*p == ',') {
				p++;
				state = object ? KEY : VALUE;
			} else if (*p == '}' && object) {
				p++;
				mamori_jw_obj_end(w);
			} else if (*p == ']' && !object) {
				p++;
				mamori_jw_arr_end(w);
			} else {
				goto refuse;
			}
			continue;
		}
		/* a value */
		if (p >= end)
			goto refuse;
		size_t n = 0;
		switch (*p) {
		case '{':
		case '[':
			if (w->depth - base >= CJSON_NESTING || w->depth >= MAMORI_JW_MAX_DEPTH - 1)
				goto refuse;
			if (*p == '{')
				mamori_jw_obj(w);
			else
				mamori_jw_arr(w);
			p++;
			if (p < end && *p == (w->level[w->depth] & LVL_OBJECT ? '}' : ']')) {
				p++;
				if (w->level[w->depth] & LVL_OBJECT)
					mamori_jw_obj_end(w);
				else
					mamori_jw_arr_end(w);
				state = AFTER;
			} else {
				state = w->level[w->depth] & LVL_OBJECT ? KEY : VALUE;
			}
			continue;
		case '"': {
			bool esc = false;
			n = mamori_jw_canonical_string(p, end, &esc);
			break;
		}
		case 't':
			n = end - p >= 4 && !memcmp(p, "true", 4) ? 4 : 0;
			break;
		case 'f':
			n = end - p >= 5 && !memcmp(p, "false", 5) ? 5 : 0;
			break;
		case 'n':
			n = end - p >= 4 && !memcmp(p, "null", 4) ? 4 : 0;
			break;
		default:
			if (*p == '-' || (*p >= '0' && *p <= '9'))
				n = canonical_number(p, end);
			break;
		}
		if (!n)
			goto refuse;
		before_value(w);
		put(w, p, n);
		p += n;
		state = AFTER;
	}
refuse:
	mamori_jw_mark_restore(w, &mark);
	return 0;
}

bool mamori_jw_canonical(mamori_jw *w, const char *json, size_t len)
{
	mamori_jw_mark mark;
	mamori_jw_mark_get(w, &mark);
	size_t n = mamori_jw_canonical_value(w, json, len);
	if (n == len && n)
		return true;
	mamori_jw_mark_restore(w, &mark);
	return false;
}
