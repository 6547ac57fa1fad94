/*
 * load_json.c — the JSON fast path of the data loader (see load.h).
 *
 * Written by hand rather than through cJSON because the values must keep
 * Guard's typing (cJSON has doubles only: no int/float distinction) and
 * their line:col, and because templates are read once per scan: building a
 * cJSON tree and converting it would double the work (bench/guard measures
 * this path against libfyaml on the template corpus).  The parser is a loop
 * over an explicit stack of open containers: no recursion, depth capped at
 * MG_MAX_DEPTH.
 */
#include "load.h"

#include <stdlib.h>
#include <string.h>

typedef struct jframe {
	mg_value *node;
	size_t start; /* index in pend where this container's children begin */
	bool is_map;
} jframe;

typedef struct jparser {
	mamori_ctx *ctx;
	const char *path;
	const char *buf;
	size_t len, pos;
	uint32_t line;
	size_t line_start;
	mamori_arena *arena;
	mg_value **pend;
	size_t npend, cappend;
	jframe *stack;
	size_t depth, capstack;
} jparser;

static int jerr(jparser *p, size_t at, const char *msg)
{
	return mamori_error_set_at(p->ctx, MAMORI_EINPUT, p->path, p->buf, p->len,
				   at > p->len ? p->len : at, "invalid JSON: %s", msg);
}

static void skip_ws(jparser *p)
{
	while (p->pos < p->len) {
		char c = p->buf[p->pos];
		if (c == '\n') {
			p->line++;
			p->line_start = ++p->pos;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			p->pos++;
		} else {
			break;
		}
	}
}

static void push_pend(jparser *p, mg_value *v)
{
	if (p->npend == p->cappend) {
		p->cappend = p->cappend ? p->cappend * 2 : 256;
		p->pend = mamori_xrealloc(p->pend, p->cappend * sizeof *p->pend);
	}
	p->pend[p->npend++] = v;
}

static mg_value *node_here(jparser *p, mg_type t)
{
	mg_value *v = mg_new(p->arena, t);
	v->line = p->line;
	v->col = (uint32_t)(p->pos - p->line_start + 1);
	return v;
}

static int hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = s[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static size_t put_cp(char *d, unsigned c)
{
	if (c < 0x80) {
		d[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		d[0] = (char)(0xC0 | (c >> 6));
		d[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		d[0] = (char)(0xE0 | (c >> 12));
		d[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		d[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | (c >> 18));
	d[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	d[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	d[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* the one-letter escapes and what they stand for */
#define SIMPLE_ESCAPES "\"\\/bfnrt"
static const char SIMPLE_VALUES[] = "\"\\/\b\f\n\r\t";

/* p->pos is at the opening quote; on success it is past the closing one. */
static int parse_string(jparser *p, mg_value *v)
{
	size_t start = ++p->pos;
	size_t i = start;
	bool escapes = false;
	while (i < p->len) {
		unsigned char c = (unsigned char)p->buf[i];
		if (c == '"')
			break;
		if (c == '\\') {
			escapes = true;
			i += 2;
			continue;
		}
		if (c < 0x20)
			return jerr(p, i, "control character in a string");
		i++;
	}
	if (i >= p->len)
		return jerr(p, start - 1, "unterminated string");
	size_t raw = i - start;
	char *d = mamori_arena_alloc(p->arena, raw + 1);
	size_t n = 0;
	if (!escapes) {
		memcpy(d, p->buf + start, raw);
		n = raw;
	} else {
		for (size_t k = start; k < i;) {
			char c = p->buf[k];
			if (c != '\\') {
				d[n++] = c;
				k++;
				continue;
			}
			char e = p->buf[k + 1];
			k += 2;
			const char *simple = e ? strchr(SIMPLE_ESCAPES, e) : NULL;
			if (simple) {
				d[n++] = SIMPLE_VALUES[simple - SIMPLE_ESCAPES];
				continue;
			}
			switch (e) {
			case 'u': {
				unsigned cp;
				if (k + 4 > i || hex4(p->buf + k, &cp))
					return jerr(p, k - 2, "bad \\u escape");
				k += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF) {
					unsigned lo;
					if (k + 6 > i || p->buf[k] != '\\' || p->buf[k + 1] != 'u' ||
					    hex4(p->buf + k + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
						return jerr(p, k - 6, "unpaired surrogate in \\u escape");
					k += 6;
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
					return jerr(p, k - 6, "unpaired surrogate in \\u escape");
				}
				/* 6 escaped bytes always hold the (at most 4-byte) encoding */
				n += put_cp(d + n, cp);
				break;
			}
			default:
				return jerr(p, k - 2, "bad escape in a string");
			}
		}
	}
	d[n] = '\0';
	v->s.p = d;
	v->s.len = (uint32_t)n;
	p->pos = i + 1;
	return 0;
}

static int parse_number(jparser *p, mg_value *v)
{
	size_t s = p->pos, i = s;
	if (i < p->len && p->buf[i] == '-')
		i++;
	if (i >= p->len || p->buf[i] < '0' || p->buf[i] > '9')
		return jerr(p, s, "bad number");
	if (p->buf[i] == '0')
		i++;
	else
		while (i < p->len && p->buf[i] >= '0' && p->buf[i] <= '9')
			i++;
	if (i < p->len && p->buf[i] == '.') {
		i++;
		if (i >= p->len || p->buf[i] < '0' || p->buf[i] > '9')
			return jerr(p, s, "bad number");
		while (i < p->len && p->buf[i] >= '0' && p->buf[i] <= '9')
			i++;
	}
	if (i < p->len && (p->buf[i] == 'e' || p->buf[i] == 'E')) {
		i++;
		if (i < p->len && (p->buf[i] == '+' || p->buf[i] == '-'))
			i++;
		if (i >= p->len || p->buf[i] < '0' || p->buf[i] > '9')
			return jerr(p, s, "bad number");
		while (i < p->len && p->buf[i] >= '0' && p->buf[i] <= '9')
			i++;
	}
	mg_type_plain_scalar(p->buf + s, i - s, v);
	p->pos = i;
	return 0;
}

static bool word(jparser *p, const char *w, size_t n)
{
	if (p->pos + n > p->len || memcmp(p->buf + p->pos, w, n) != 0)
		return false;
	p->pos += n;
	return true;
}

/* Parse one scalar or open a container; *opened tells which. */
static int parse_value(jparser *p, mg_value **out, bool *opened)
{
	*opened = false;
	if (p->pos >= p->len)
		return jerr(p, p->pos, "unexpected end of input, expected a value");
	char c = p->buf[p->pos];
	mg_value *v;
	switch (c) {
	case '{':
	case '[': {
		if (p->depth >= MG_MAX_DEPTH)
			return jerr(p, p->pos, "nested deeper than the limit (1000 levels)");
		v = node_here(p, c == '{' ? MG_MAP : MG_LIST);
		if (p->depth == p->capstack) {
			p->capstack = p->capstack ? p->capstack * 2 : 32;
			p->stack = mamori_xrealloc(p->stack, p->capstack * sizeof *p->stack);
		}
		p->stack[p->depth++] = (jframe){v, p->npend, c == '{'};
		p->pos++;
		*opened = true;
		break;
	}
	case '"':
		v = node_here(p, MG_STRING);
		if (parse_string(p, v))
			return -1;
		break;
	case 't':
		v = node_here(p, MG_BOOL);
		if (!word(p, "true", 4))
			return jerr(p, p->pos, "unexpected token");
		v->b = true;
		break;
	case 'f':
		v = node_here(p, MG_BOOL);
		if (!word(p, "false", 5))
			return jerr(p, p->pos, "unexpected token");
		break;
	case 'n':
		v = node_here(p, MG_NULL);
		if (!word(p, "null", 4))
			return jerr(p, p->pos, "unexpected token");
		break;
	default:
		if (c == '-' || (c >= '0' && c <= '9')) {
			v = node_here(p, MG_NULL);
			if (parse_number(p, v))
				return -1;
			break;
		}
		return jerr(p, p->pos, "unexpected character, expected a value");
	}
	*out = v;
	return 0;
}

static int parse_key(jparser *p)
{
	skip_ws(p);
	if (p->pos >= p->len || p->buf[p->pos] != '"')
		return jerr(p, p->pos, "expected a member name in double quotes");
	mg_value *k = node_here(p, MG_STRING);
	k->flags = MG_F_KEY;
	if (parse_string(p, k))
		return -1;
	skip_ws(p);
	if (p->pos >= p->len || p->buf[p->pos] != ':')
		return jerr(p, p->pos, "expected ':' after a member name");
	p->pos++;
	push_pend(p, k);
	return 0;
}

static int run(jparser *p, mg_value **root)
{
	mg_value *v = NULL;
	bool opened;
	skip_ws(p);
	if (parse_value(p, &v, &opened))
		return -1;
	for (;;) {
		if (opened) {
			jframe *f = &p->stack[p->depth - 1];
			skip_ws(p);
			char close = f->is_map ? '}' : ']';
			if (p->pos < p->len && p->buf[p->pos] == close) {
				p->pos++;
				v = f->node;
				p->depth--;
				if (f->is_map)
					mg_load_finish_map(p->arena, v, NULL, 0);
				else
					mg_load_finish_list(p->arena, v, NULL, 0);
				opened = false;
				continue;
			}
			if (f->is_map && parse_key(p))
				return -1;
			skip_ws(p);
			if (parse_value(p, &v, &opened))
				return -1;
			continue;
		}
		/* a complete value v: hand it to its container, or finish */
		if (p->depth == 0)
			break;
		push_pend(p, v);
		jframe *f = &p->stack[p->depth - 1];
		skip_ws(p);
		if (p->pos >= p->len)
			return jerr(p, p->pos, "unexpected end of input, expected ',' or a closing bracket");
		char c = p->buf[p->pos];
		if (c == ',') {
			p->pos++;
			if (f->is_map && parse_key(p))
				return -1;
			skip_ws(p);
			if (parse_value(p, &v, &opened))
				return -1;
			continue;
		}
		if (c == (f->is_map ? '}' : ']')) {
			p->pos++;
			v = f->node;
			size_t n = p->npend - f->start;
			mg_value **items = n ? p->pend + f->start : NULL; /* pend may be NULL */
			if (f->is_map)
				mg_load_finish_map(p->arena, v, items, n / 2);
			else
				mg_load_finish_list(p->arena, v, items, n);
			p->npend = f->start;
			p->depth--;
			continue;
		}
		return jerr(p, p->pos, f->is_map ? "expected ',' or '}'" : "expected ',' or ']'");
	}
	skip_ws(p);
	if (p->pos < p->len)
		return jerr(p, p->pos, "unexpected text after the document");
	*root = v;
	return 0;
}

int mg_load_json(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		 mamori_arena *arena, mg_value **root)
{
	jparser p = {.ctx = ctx, .path = path, .buf = buf, .len = len, .line = 1, .arena = arena};
	int rc = run(&p, root);
	free(p.pend);
	free(p.stack);
	return rc ? MAMORI_EINPUT : MAMORI_OK;
}
