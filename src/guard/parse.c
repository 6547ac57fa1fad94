/*
 * parse.c — the Guard rules language (see parse.h).
 *
 * Each function below is one production of cfn-guard's grammar and keeps its
 * backtracking behaviour: it returns OK, ERR (did not match here: the caller
 * may try another alternative; the position is restored) or FAIL (a `cut`:
 * the input is wrong and parsing stops).  The furthest soft error is kept
 * so that a file that simply does not parse still gets a useful position.
 */
#include "parse.h"

#include "functions.h"
#include "regex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OK = 0, ERR = 1, FAIL = 2 };

#define PARSE_MAX_DEPTH 200

/* Room for one more item in a growable array {v, n, cap}: the parser keeps
 * several of them (values, query parts, clauses, lets, rules). */
static void *grow(void *v, size_t n, size_t *cap, size_t item)
{
	if (n < *cap)
		return v;
	*cap = *cap ? *cap * 2 : 8;
	return mamori_xrealloc(v, *cap * item);
}
#define PUSH(vec, item)                                                                            \
	((vec).v = grow((vec).v, (vec).n, &(vec).cap, sizeof *(vec).v), (vec).v[(vec).n++] = (item))

typedef struct P {
	mamori_ctx *ctx;
	const char *path;
	const char *s;
	size_t n, pos;
	mamori_arena *a;
	mg_rules_file *rf;
	int depth;
	size_t fail_pos;
	const char *fail_msg;
	size_t far_pos;
	const char *far_msg;
	size_t lc_off; /* line_col cache: the last offset asked and its position */
	uint32_t lc_line, lc_col;
} P;

static int soft(P *p, size_t at, const char *expect)
{
	if (at >= p->far_pos || !p->far_msg) {
		p->far_pos = at;
		p->far_msg = expect;
	}
	return ERR;
}

static int hard(P *p, size_t at, const char *msg)
{
	p->fail_pos = at;
	p->fail_msg = msg;
	return FAIL;
}

/* ---- characters ---- */

static inline int cur(P *p)
{
	return p->pos < p->n ? (unsigned char)p->s[p->pos] : -1;
}

static inline bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static inline bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static inline bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool tag(P *p, const char *t)
{
	size_t l = strlen(t);
	if (p->pos + l > p->n || memcmp(p->s + p->pos, t, l) != 0)
		return false;
	p->pos += l;
	return true;
}

static bool peek_tag(P *p, const char *t)
{
	size_t l = strlen(t);
	return p->pos + l <= p->n && memcmp(p->s + p->pos, t, l) == 0;
}

/* '#' up to the end of the line, then any whitespace (comment2). */
static bool comment(P *p)
{
	if (cur(p) != '#')
		return false;
	while (p->pos < p->n && p->s[p->pos] != '\n')
		p->pos++;
	while (is_space(cur(p)))
		p->pos++;
	return true;
}

static void ws0(P *p)
{
	for (;;) {
		if (is_space(cur(p))) {
			while (is_space(cur(p)))
				p->pos++;
			continue;
		}
		if (!comment(p))
			return;
	}
}

static bool ws1(P *p)
{
	size_t at = p->pos;
	ws0(p);
	return p->pos > at;
}

static void space0(P *p)
{
	while (cur(p) == ' ' || cur(p) == '\t')
		p->pos++;
}

static char *dup(P *p, const char *s, size_t len)
{
	return mamori_arena_strndup(p->a, s, len);
}

static bool enter(P *p)
{
	if (++p->depth > PARSE_MAX_DEPTH) {
		hard(p, p->pos, "rules nested too deeply (more than 200 levels)");
		return false;
	}
	return true;
}

#define LEAVE(p, rc)                                                                               \
	do {                                                                                       \
		(p)->depth--;                                                                      \
		return (rc);                                                                       \
	} while (0)

/* var_name: alpha1 then alphanumerics and '_' */
static int var_name(P *p, const char **out, uint32_t *len)
{
	size_t at = p->pos;
	if (!is_alpha(cur(p)))
		return soft(p, at, "a name");
	while (is_alpha(cur(p)))
		p->pos++;
	while (is_alnum(cur(p)) || cur(p) == '_')
		p->pos++;
	*out = dup(p, p->s + at, p->pos - at);
	if (len)
		*len = (uint32_t)(p->pos - at);
	return OK;
}

/* ---- values ---- */

static int parse_value(P *p, mg_value **out);

/* a quoted string; a backslash escapes only the quote character */
static int parse_string(P *p, const char **out, uint32_t *len)
{
	size_t at = p->pos;
	int q = cur(p);
	if (q != '\'' && q != '"')
		return soft(p, at, "a string");
	p->pos++;
	mamori_buf b = MAMORI_BUF_INIT;
	mg_buf_ready(&b, 16);
	for (;;) {
		size_t s = p->pos;
		while (p->pos < p->n && p->s[p->pos] != q)
			p->pos++;
		size_t flen = p->pos - s;
		if (flen && p->s[p->pos - 1] == '\\') {
			mamori_buf_append(&b, p->s + s, flen - 1);
			mamori_buf_putc(&b, (char)q);
			if (p->pos >= p->n) {
				mamori_buf_free(&b);
				p->pos = at;
				return soft(p, at, "a closing quote");
			}
			p->pos++;
			continue;
		}
		mamori_buf_append(&b, p->s + s, flen);
		if (p->pos >= p->n) {
			mamori_buf_free(&b);
			return hard(p, p->pos, "expected a closing quote for the string");
		}
		p->pos++;
		break;
	}
	*out = dup(p, b.data, b.len);
	*len = (uint32_t)b.len;
	mamori_buf_free(&b);
	return OK;
}

static int parse_int(P *p, int64_t *out)
{
	size_t at = p->pos;
	bool neg = false;
	if (is_digit(cur(p))) {
	} else if (cur(p) == '-' && p->pos + 1 < p->n && is_digit((unsigned char)p->s[p->pos + 1])) {
		neg = true;
		p->pos++;
	} else {
		return soft(p, at, "an integer");
	}
	size_t ds = p->pos;
	while (is_digit(cur(p)))
		p->pos++;
	int64_t v;
	if (!mg_parse_i64(p->s + ds, p->pos - ds, &v)) {
		p->pos = at;
		return soft(p, at, "an integer that fits in 64 bits");
	}
	*out = neg ? -v : v;
	return OK;
}

/* digits, then '.' digits or an exponent with a sign: then nom's double */
static int parse_float(P *p, double *out)
{
	size_t at = p->pos;
	if (!is_digit(cur(p)))
		return soft(p, at, "a number");
	while (is_digit(cur(p)))
		p->pos++;
	bool frac = false, expo = false;
	if (cur(p) == '.' && p->pos + 1 < p->n && is_digit((unsigned char)p->s[p->pos + 1])) {
		frac = true;
		p->pos++;
		while (is_digit(cur(p)))
			p->pos++;
	}
	if ((cur(p) == 'e' || cur(p) == 'E') && p->pos + 2 < p->n &&
	    (p->s[p->pos + 1] == '+' || p->s[p->pos + 1] == '-') &&
	    is_digit((unsigned char)p->s[p->pos + 2]))
		expo = true;
	if (!frac && !expo) {
		p->pos = at;
		return soft(p, at, "a floating point number");
	}
	/* nom's double: the longest [digits][.digits][(e|E)[+-]digits] */
	p->pos = at;
	while (is_digit(cur(p)))
		p->pos++;
	if (cur(p) == '.') {
		p->pos++;
		while (is_digit(cur(p)))
			p->pos++;
	}
	if (cur(p) == 'e' || cur(p) == 'E') {
		size_t e = p->pos++;
		if (cur(p) == '+' || cur(p) == '-')
			p->pos++;
		if (!is_digit(cur(p)))
			p->pos = e;
		while (is_digit(cur(p)))
			p->pos++;
	}
	char tmp[128];
	size_t l = p->pos - at < sizeof tmp - 1 ? p->pos - at : sizeof tmp - 1;
	memcpy(tmp, p->s + at, l);
	tmp[l] = '\0';
	*out = strtod(tmp, NULL);
	return OK;
}

static void add_regex(P *p, void *code)
{
	mg_rules_file *rf = p->rf;
	if (rf->nregexes == rf->capregexes) {
		rf->capregexes = rf->capregexes ? rf->capregexes * 2 : 16;
		rf->regexes = mamori_xrealloc(rf->regexes, rf->capregexes * sizeof *rf->regexes);
	}
	rf->regexes[rf->nregexes++] = code;
}

static int parse_regex(P *p, mg_value **out)
{
	size_t at = p->pos;
	if (cur(p) != '/')
		return soft(p, at, "a regex");
	p->pos++;
	mamori_buf b = MAMORI_BUF_INIT;
	mg_buf_ready(&b, 16);
	for (;;) {
		size_t s = p->pos;
		while (p->pos < p->n && p->s[p->pos] != '/')
			p->pos++;
		size_t flen = p->pos - s;
		if (flen == 0) { /* is_not("/") needs one character */
			mamori_buf_free(&b);
			p->pos = at;
			return soft(p, at, "a regex");
		}
		if (p->s[p->pos - 1] == '\\') {
			mamori_buf_append(&b, p->s + s, flen - 1);
			mamori_buf_putc(&b, '/');
			if (p->pos >= p->n) {
				mamori_buf_free(&b);
				p->pos = at;
				return soft(p, at, "a closing '/' for the regex");
			}
			p->pos++;
			continue;
		}
		mamori_buf_append(&b, p->s + s, flen);
		break;
	}
	if (cur(p) != '/') {
		mamori_buf_free(&b);
		p->pos = at;
		return soft(p, at, "a closing '/' for the regex");
	}
	char err[200];
	void *code = mg_regex_compile(b.data, b.len, err, sizeof err);
	if (!code) {
		mamori_buf_free(&b);
		p->pos = at;
		char *m = mamori_arena_printf(p->a, "a valid regular expression (%s)", err);
		return soft(p, at, m);
	}
	p->pos++;
	add_regex(p, code);
	mg_value *v = mg_new_str(p->a, MG_REGEX, b.data, b.len);
	v->s.re = code;
	mamori_buf_free(&b);
	*out = v;
	return OK;
}

static int parse_bool(P *p, mg_value **out)
{
	if (tag(p, "true") || tag(p, "True")) {
		*out = mg_new_bool(p->a, true);
		return OK;
	}
	if (tag(p, "false") || tag(p, "False")) {
		*out = mg_new_bool(p->a, false);
		return OK;
	}
	return soft(p, p->pos, "true or false");
}

static int parse_scalar(P *p, mg_value **out)
{
	const char *s;
	uint32_t l;
	int rc = parse_string(p, &s, &l);
	if (rc == OK) {
		mg_value *v = mg_new(p->a, MG_STRING);
		v->s.p = s;
		v->s.len = l;
		*out = v;
		return OK;
	}
	if (rc == FAIL)
		return FAIL;
	double f;
	if (parse_float(p, &f) == OK) {
		*out = mg_new_float(p->a, f);
		return OK;
	}
	int64_t i;
	if (parse_int(p, &i) == OK) {
		*out = mg_new_int(p->a, i);
		return OK;
	}
	if (parse_bool(p, out) == OK)
		return OK;
	return parse_regex(p, out);
}

/* utf-8 decode one character (range_value's anychar) */
static uint32_t any_char(P *p)
{
	unsigned char c = (unsigned char)p->s[p->pos];
	uint32_t cp = c;
	size_t n = 0;
	if (c >= 0xF0)
		cp = c & 0x07, n = 3;
	else if (c >= 0xE0)
		cp = c & 0x0F, n = 2;
	else if (c >= 0xC0)
		cp = c & 0x1F, n = 1;
	p->pos++;
	while (n-- && p->pos < p->n) {
		cp = (cp << 6) | ((unsigned char)p->s[p->pos] & 0x3F);
		p->pos++;
	}
	return cp;
}

typedef struct rv {
	int kind; /* 0 int 1 float 2 char */
	int64_t i;
	double f;
	uint32_t c;
} rv;

static int range_value(P *p, rv *out)
{
	space0(p);
	if (parse_float(p, &out->f) == OK)
		out->kind = 1;
	else if (parse_int(p, &out->i) == OK)
		out->kind = 0;
	else if (p->pos < p->n) {
		out->kind = 2;
		out->c = any_char(p);
	} else
		return soft(p, p->pos, "a range bound");
	space0(p);
	return OK;
}

static int parse_range(P *p, mg_value **out)
{
	size_t at = p->pos;
	if (cur(p) != 'r' || p->pos + 1 >= p->n || (p->s[p->pos + 1] != '(' && p->s[p->pos + 1] != '['))
		return soft(p, at, "a range r[lo,hi]");
	bool lo_incl = p->s[p->pos + 1] == '[';
	p->pos += 2;
	rv lo, hi;
	if (range_value(p, &lo) || cur(p) != ',') {
		p->pos = at;
		return soft(p, at, "a range r[lo,hi]");
	}
	p->pos++;
	if (range_value(p, &hi) || (cur(p) != ')' && cur(p) != ']')) {
		p->pos = at;
		return soft(p, at, "a range r[lo,hi]");
	}
	bool hi_incl = cur(p) == ']';
	p->pos++;
	if (lo.kind != hi.kind)
		return hard(p, at, "could not parse the range: both bounds must have the same type");
	mg_value *v = mg_new(p->a, lo.kind == 0 ? MG_RANGE_INT
				   : lo.kind == 1 ? MG_RANGE_FLOAT
						  : MG_RANGE_CHAR);
	v->incl = (uint8_t)((lo_incl ? MG_LOWER_INCL : 0) | (hi_incl ? MG_UPPER_INCL : 0));
	if (lo.kind == 0) {
		v->ri.lo = lo.i;
		v->ri.hi = hi.i;
	} else if (lo.kind == 1) {
		v->rf.lo = lo.f;
		v->rf.hi = hi.f;
	} else {
		v->rc.lo = lo.c;
		v->rc.hi = hi.c;
	}
	*out = v;
	return OK;
}

typedef struct vvec {
	mg_value **v;
	size_t n, cap;
} vvec;

static void set_children(P *p, mg_value *c, vvec *items, bool map)
{
	if (map) {
		size_t n = items->n / 2;
		c->map.k = mamori_arena_alloc(p->a, (n ? n : 1) * sizeof(mg_value *));
		c->map.v = mamori_arena_alloc(p->a, (n ? n : 1) * sizeof(mg_value *));
		uint32_t m = 0;
		for (size_t i = 0; i < n; i++) {
			mg_value *k = items->v[2 * i], *v = items->v[2 * i + 1];
			uint32_t at = m;
			for (uint32_t j = 0; j < m; j++)
				if (c->map.k[j]->s.len == k->s.len &&
				    memcmp(c->map.k[j]->s.p, k->s.p, k->s.len) == 0)
					at = j;
			if (at == m) {
				k->parent = c;
				k->idx = m;
				k->flags = MG_F_KEY;
				c->map.k[m++] = k;
			}
			v->parent = c;
			v->idx = at;
			c->map.v[at] = v;
		}
		c->map.n = m;
	} else {
		c->list.v = mamori_arena_alloc(p->a, (items->n ? items->n : 1) * sizeof(mg_value *));
		for (size_t i = 0; i < items->n; i++) {
			items->v[i]->parent = c;
			items->v[i]->idx = (uint32_t)i;
			c->list.v[i] = items->v[i];
		}
		c->list.n = (uint32_t)items->n;
	}
}

/* ws then the closing bracket of a list or map: builds the container from
 * the items (or reports what was expected and leaves pos at the start) */
static int close_container(P *p, vvec *items, size_t at, char close, mg_type type,
			   mg_value **out)
{
	ws0(p);
	if (cur(p) != close) {
		free(items->v);
		soft(p, p->pos, close == ']' ? "',' or ']'" : "',' or '}'");
		p->pos = at;
		LEAVE(p, ERR);
	}
	p->pos++;
	mg_value *c = mg_new(p->a, type);
	set_children(p, c, items, type == MG_MAP);
	free(items->v);
	*out = c;
	LEAVE(p, OK);
}

/* separated_list(ws ',', parse_value) between ws '[' and ws ']' */
static int parse_list(P *p, mg_value **out)
{
	size_t at = p->pos;
	ws0(p);
	if (cur(p) != '[') {
		p->pos = at;
		return soft(p, at, "a list");
	}
	p->pos++;
	if (!enter(p))
		return FAIL;
	vvec items = {0};
	mg_value *v;
	int rc = parse_value(p, &v);
	if (rc == FAIL) {
		free(items.v);
		LEAVE(p, FAIL);
	}
	if (rc == OK) {
		PUSH(items, v);
		for (;;) {
			size_t s = p->pos;
			ws0(p);
			if (cur(p) != ',') {
				p->pos = s;
				break;
			}
			p->pos++;
			rc = parse_value(p, &v);
			if (rc == FAIL) {
				free(items.v);
				LEAVE(p, FAIL);
			}
			if (rc != OK) {
				p->pos = s;
				break;
			}
			PUSH(items, v);
		}
	}
	return close_container(p, &items, at, ']', MG_LIST, out);
}

static int key_part(P *p, const char **s, uint32_t *l)
{
	size_t at = p->pos;
	while (is_alnum(cur(p)) || cur(p) == '-' || cur(p) == '_')
		p->pos++;
	if (p->pos > at) {
		*s = dup(p, p->s + at, p->pos - at);
		*l = (uint32_t)(p->pos - at);
		return OK;
	}
	return parse_string(p, s, l);
}

static int parse_map(P *p, mg_value **out)
{
	size_t at = p->pos;
	if (cur(p) != '{')
		return soft(p, at, "a map");
	p->pos++;
	if (!enter(p))
		return FAIL;
	vvec items = {0};
	bool first = true;
	for (;;) {
		size_t s = p->pos;
		if (!first) {
			ws0(p);
			if (cur(p) != ',') {
				p->pos = s;
				break;
			}
			p->pos++;
		}
		ws0(p);
		const char *ks;
		uint32_t kl;
		int rc = key_part(p, &ks, &kl);
		if (rc == FAIL) {
			free(items.v);
			LEAVE(p, FAIL);
		}
		if (rc == OK) {
			ws0(p);
			if (cur(p) == ':') {
				p->pos++;
				mg_value *v;
				rc = parse_value(p, &v);
				if (rc == FAIL) {
					free(items.v);
					LEAVE(p, FAIL);
				}
				if (rc == OK) {
					mg_value *k = mg_new(p->a, MG_STRING);
					k->s.p = ks;
					k->s.len = kl;
					PUSH(items, k);
					PUSH(items, v);
					first = false;
					continue;
				}
			}
		}
		p->pos = s;
		break;
	}
	return close_container(p, &items, at, '}', MG_MAP, out);
}

/* ws then null | scalar | range | list | map */
static int parse_value(P *p, mg_value **out)
{
	size_t at = p->pos;
	ws0(p);
	if (tag(p, "null") || tag(p, "NULL")) {
		*out = mg_new(p->a, MG_NULL);
		return OK;
	}
	int rc = parse_scalar(p, out);
	if (rc != ERR)
		return rc;
	rc = parse_range(p, out);
	if (rc != ERR)
		return rc;
	rc = parse_list(p, out);
	if (rc != ERR)
		return rc;
	rc = parse_map(p, out);
	if (rc != ERR)
		return rc;
	p->pos = at;
	return soft(p, at, "a value (string, number, bool, regex, range, list or map)");
}

/* ---- queries ---- */

typedef struct qvec {
	mg_qpart *v;
	size_t n, cap;
} qvec;

static int access(P *p, mg_query *out);
static int cnf_clauses(P *p, int (*f)(P *, mg_clause **), mg_conj *out);
static int clause(P *p, mg_clause **out);
static int let_value(P *p, mg_letval *out);

static void key_part_set(mg_qpart *qp, const char *s, uint32_t l)
{
	qp->kind = MG_QP_KEY;
	qp->s = s;
	qp->slen = l;
	int64_t v;
	/* Rust's str::parse::<i32>, leading '+' included */
	if (l && mg_parse_i64(s, l, &v) && v >= INT32_MIN && v <= INT32_MAX) {
		qp->key_is_int = true;
		qp->index = (int32_t)v;
	}
}

/* property_name: var_name or a quoted string */
static int property_name(P *p, const char **s, uint32_t *l)
{
	int rc = var_name(p, s, l);
	if (rc == OK)
		return OK;
	return parse_string(p, s, l);
}

static int dotted_property(P *p, mg_qpart *qp)
{
	size_t at = p->pos;
	ws0(p);
	if (cur(p) != '.') {
		p->pos = at;
		return soft(p, at, "'.'");
	}
	p->pos++;
	memset(qp, 0, sizeof *qp);
	int64_t iv;
	if (parse_int(p, &iv) == OK) {
		qp->kind = MG_QP_INDEX;
		qp->index = (int32_t)iv;
		return OK;
	}
	const char *s;
	uint32_t l;
	int rc = property_name(p, &s, &l);
	if (rc == FAIL)
		return FAIL;
	if (rc == OK) {
		key_part_set(qp, s, l);
		return OK;
	}
	if (cur(p) == '%') {
		p->pos++;
		if (var_name(p, &s, &l) == OK) {
			qp->kind = MG_QP_KEY;
			qp->var = true;
			qp->s = s;
			qp->slen = l;
			return OK;
		}
		p->pos--;
	}
	if (cur(p) == '*') {
		p->pos++;
		qp->kind = MG_QP_ALL_VALUES;
		return OK;
	}
	p->pos = at;
	return soft(p, at, "a property name, an index, %variable or '*' after '.'");
}

/* c after optional whitespace; nothing is consumed when it is not there */
static bool punct(P *p, char c)
{
	size_t at = p->pos;
	ws0(p);
	if (cur(p) == c) {
		p->pos++;
		return true;
	}
	p->pos = at;
	return false;
}

static bool open_array(P *p)
{
	return punct(p, '[');
}

static bool close_array(P *p)
{
	return punct(p, ']');
}

/* "name |" inside [ ] */
static bool capture(P *p, const char **name, uint32_t *l)
{
	size_t at = p->pos;
	const char *n;
	uint32_t nl;
	ws0(p);
	if (var_name(p, &n, &nl) == OK) {
		space0(p);
		if (cur(p) == '|') {
			p->pos++;
			*name = n;
			*l = nl;
			return true;
		}
	}
	p->pos = at;
	return false;
}

static bool not_kw(P *p)
{
	size_t at = p->pos;
	if (tag(p, "not") || tag(p, "NOT")) {
		if (cur(p) == ' ' || cur(p) == '\t') {
			space0(p);
			return true;
		}
		p->pos = at;
	}
	if (cur(p) == '!') {
		p->pos++;
		return true;
	}
	return false;
}

static bool in_kw(P *p)
{
	return tag(p, "in") || tag(p, "IN");
}

static int predicate_or_index(P *p, mg_qpart *qp)
{
	size_t at = p->pos;
	memset(qp, 0, sizeof *qp);
	if (!open_array(p))
		return soft(p, at, "'['");
	size_t in = p->pos;
	/* all_indices: [*] or [name] */
	{
		size_t s = p->pos;
		ws0(p);
		if (cur(p) == '*') {
			p->pos++;
			if (close_array(p)) {
				qp->kind = MG_QP_ALL_INDICES;
				return OK;
			}
		}
		p->pos = s;
		const char *name;
		uint32_t l;
		if (var_name(p, &name, &l) == OK && close_array(p)) {
			qp->kind = MG_QP_ALL_INDICES;
			qp->s = name;
			qp->slen = l;
			return OK;
		}
		p->pos = in;
	}
	/* array_index: [int] with a cut on the closing bracket */
	{
		int64_t iv;
		if (parse_int(p, &iv) == OK) {
			if (!close_array(p))
				return hard(p, p->pos, "expected ']' after an array index");
			qp->kind = MG_QP_INDEX;
			qp->index = (int32_t)iv;
			return OK;
		}
		p->pos = in;
	}
	/* map_key_lookup: ["key"] or [ name ] */
	{
		const char *s;
		uint32_t l;
		int rc = parse_string(p, &s, &l);
		if (rc == FAIL)
			return FAIL;
		if (rc == OK && close_array(p)) {
			key_part_set(qp, s, l);
			return OK;
		}
		p->pos = in;
		ws0(p);
		if (var_name(p, &s, &l) == OK) {
			ws0(p);
			if (close_array(p)) {
				qp->kind = MG_QP_ALL_VALUES;
				qp->s = s;
				qp->slen = l;
				return OK;
			}
		}
		p->pos = in;
	}
	/* map_keys_match: [ name | KEYS op value ] */
	{
		const char *name = NULL;
		uint32_t nl = 0;
		capture(p, &name, &nl);
		size_t k = p->pos;
		ws0(p);
		if (tag(p, "KEYS") || tag(p, "keys")) {
			ws0(p);
			if (tag(p, "==")) {
				qp->mk_op = MG_OP_EQ;
			} else if (tag(p, "!=")) {
				qp->mk_op = MG_OP_EQ;
				qp->mk_not = true;
			} else if (in_kw(p)) {
				qp->mk_op = MG_OP_IN;
			} else {
				size_t s = p->pos;
				if (not_kw(p) && in_kw(p)) {
					qp->mk_op = MG_OP_IN;
					qp->mk_not = true;
				} else {
					p->pos = s;
					return hard(p, p->pos,
						    "expected ==, !=, IN or NOT IN after KEYS");
				}
			}
			ws0(p);
			mg_letval *lv = mamori_arena_alloc(p->a, sizeof *lv);
			mg_value *v;
			int rc = parse_value(p, &v);
			if (rc == FAIL)
				return FAIL;
			if (rc == OK) {
				lv->kind = MG_LV_VALUE;
				lv->value = v;
			} else {
				ws0(p);
				rc = access(p, &lv->query);
				if (rc == FAIL)
					return FAIL;
				if (rc != OK)
					return hard(p, p->pos,
						    "expected a value or a query to compare the keys with");
				lv->kind = MG_LV_QUERY;
			}
			if (close_array(p)) {
				qp->kind = MG_QP_MAPKEY;
				qp->s = name;
				qp->slen = nl;
				qp->mk_rhs = lv;
				return OK;
			}
			memset(qp, 0, sizeof *qp);
		}
		(void)k;
		p->pos = in;
	}
	/* predicate_filter_clauses: [ name | clauses ] */
	{
		const char *name = NULL;
		uint32_t nl = 0;
		capture(p, &name, &nl);
		mg_conj *c = mamori_arena_alloc(p->a, sizeof *c);
		int rc = cnf_clauses(p, clause, c);
		if (rc != OK)
			return rc;
		if (!close_array(p))
			return hard(p, p->pos, "expected ']' to close the filter");
		qp->kind = MG_QP_FILTER;
		qp->s = name;
		qp->slen = nl;
		qp->filter = c;
		return OK;
	}
}

static int access(P *p, mg_query *out)
{
	size_t at = p->pos;
	memset(out, 0, sizeof *out);
	out->match_all = true;
	/* some_keyword: ws SOME|some ws1 */
	{
		size_t s = p->pos;
		ws0(p);
		if ((tag(p, "SOME") || tag(p, "some")) && ws1(p))
			out->match_all = false;
		else
			p->pos = s;
	}
	mg_qpart first;
	memset(&first, 0, sizeof first);
	{
		size_t s = p->pos;
		ws0(p);
		if (tag(p, "this") || tag(p, "THIS")) {
			first.kind = MG_QP_THIS;
		} else {
			p->pos = s;
			const char *name;
			uint32_t l;
			if (cur(p) == '%') {
				p->pos++;
				if (var_name(p, &name, &l) != OK) {
					p->pos = at;
					return soft(p, at, "a query");
				}
				first.kind = MG_QP_KEY;
				first.var = true;
				first.s = name;
				first.slen = l;
			} else {
				int rc = property_name(p, &name, &l);
				if (rc == FAIL)
					return FAIL;
				if (rc != OK) {
					p->pos = at;
					return soft(p, at, "a query (a property name, %variable or this)");
				}
				key_part_set(&first, name, l);
			}
		}
	}
	qvec parts = {0};
	PUSH(parts, first);
	if (!enter(p)) {
		free(parts.v);
		return FAIL;
	}
	for (;;) {
		mg_qpart qp;
		int rc = dotted_property(p, &qp);
		if (rc == ERR)
			rc = predicate_or_index(p, &qp);
		if (rc == FAIL) {
			free(parts.v);
			LEAVE(p, FAIL);
		}
		if (rc != OK)
			break;
		PUSH(parts, qp);
	}
	if (first.kind == MG_QP_KEY && first.var && parts.n > 1 &&
	    parts.v[1].kind != MG_QP_ALL_INDICES) {
		mg_qpart all;
		memset(&all, 0, sizeof all);
		all.kind = MG_QP_ALL_INDICES;
		PUSH(parts, all);
		memmove(&parts.v[2], &parts.v[1], (parts.n - 2) * sizeof parts.v[0]);
		parts.v[1] = all;
	}
	out->parts = mamori_arena_memdup(p->a, parts.v, parts.n * sizeof parts.v[0]);
	out->n = (uint32_t)parts.n;
	free(parts.v);
	LEAVE(p, OK);
}

/* ---- functions and let values ---- */

static int call_expr(P *p, const char **name, mg_letval **args, uint32_t *nargs)
{
	size_t at = p->pos;
	if (var_name(p, name, NULL) != OK || cur(p) != '(') {
		p->pos = at;
		return soft(p, at, "a function or rule call");
	}
	p->pos++;
	if (!enter(p))
		return FAIL;
	mg_letval tmp[16];
	mg_letval *heap = NULL;
	size_t n = 0, cap = 16;
	mg_letval *v = tmp;
	for (;;) {
		size_t s = p->pos;
		if (n) {
			if (cur(p) != ',')
				break;
			p->pos++;
		}
		while (is_space(cur(p)))
			p->pos++;
		mg_letval lv;
		int rc = let_value(p, &lv);
		if (rc == FAIL) {
			free(heap);
			LEAVE(p, FAIL);
		}
		if (rc != OK) {
			p->pos = s;
			break;
		}
		while (is_space(cur(p)))
			p->pos++;
		if (n == cap) {
			cap *= 2;
			if (!heap) {
				heap = mamori_xmalloc(cap * sizeof *heap);
				memcpy(heap, tmp, n * sizeof *heap);
			} else {
				heap = mamori_xrealloc(heap, cap * sizeof *heap);
			}
			v = heap;
		}
		v[n++] = lv;
	}
	if (cur(p) != ')') {
		free(heap);
		soft(p, p->pos, "',' or ')' in the argument list");
		p->pos = at;
		LEAVE(p, ERR);
	}
	p->pos++;
	*args = n ? mamori_arena_memdup(p->a, v, n * sizeof *v) : NULL;
	*nargs = (uint32_t)n;
	free(heap);
	LEAVE(p, OK);
}

/* 1-based line and byte column of off; incremental, the parser moves forward */
static void line_col(P *p, size_t off, uint32_t *line, uint32_t *col)
{
	if (off < p->lc_off || !p->lc_line) {
		p->lc_off = 0;
		p->lc_line = 1;
		p->lc_col = 1;
	}
	for (size_t i = p->lc_off; i < off && i < p->n; i++) {
		if (p->s[i] == '\n') {
			p->lc_line++;
			p->lc_col = 1;
		} else {
			p->lc_col++;
		}
	}
	p->lc_off = off;
	*line = p->lc_line;
	*col = p->lc_col;
}

static int function_expr(P *p, mg_call **out)
{
	size_t at = p->pos;
	const char *name;
	mg_letval *args;
	uint32_t nargs;
	int rc = call_expr(p, &name, &args, &nargs);
	if (rc != OK)
		return rc;
	const mg_fn_def *fd = mg_fn_lookup(name, strlen(name));
	if (!fd) {
		p->pos = at;
		return soft(p, at, "a known function name");
	}
	if ((uint32_t)fd->arity != nargs) {
		p->pos = at;
		return soft(p, at, mamori_arena_printf(p->a,
						       "%s() to be called with %d argument%s",
						       fd->name, fd->arity, fd->arity == 1 ? "" : "s"));
	}
	mg_call *c = mamori_arena_alloc(p->a, sizeof *c);
	c->fn = (int)(fd - mg_fn_get(0));
	c->name = fd->name;
	c->args = args;
	c->nargs = nargs;
	line_col(p, at, &c->line, &c->col);
	*out = c;
	return OK;
}

static int let_value(P *p, mg_letval *out)
{
	size_t at = p->pos;
	memset(out, 0, sizeof *out);
	ws0(p);
	mg_value *v;
	int rc = parse_value(p, &v);
	if (rc == FAIL)
		return FAIL;
	if (rc == OK) {
		out->kind = MG_LV_VALUE;
		out->value = v;
		return OK;
	}
	rc = function_expr(p, &out->call);
	if (rc == FAIL)
		return FAIL;
	if (rc == OK) {
		out->kind = MG_LV_CALL;
		return OK;
	}
	rc = access(p, &out->query);
	if (rc == FAIL)
		return FAIL;
	if (rc == OK) {
		out->kind = MG_LV_QUERY;
		return OK;
	}
	p->pos = at;
	return soft(p, at, "a value, a function call or a query");
}

/* ---- clauses ---- */

static int custom_message(P *p, const char **out)
{
	if (!peek_tag(p, "<<"))
		return ERR;
	size_t at = p->pos;
	p->pos += 2;
	const char *end = NULL;
	for (size_t i = p->pos; i + 1 < p->n; i++)
		if (p->s[i] == '>' && p->s[i + 1] == '>') {
			end = p->s + i;
			break;
		}
	if (!end)
		return hard(p, at, "unable to find a closing >> for the message");
	*out = dup(p, p->s + p->pos, (size_t)(end - (p->s + p->pos)));
	p->pos = (size_t)(end - p->s) + 2;
	return OK;
}

static int opt_message(P *p, const char **out)
{
	size_t at = p->pos;
	ws0(p);
	int rc = custom_message(p, out);
	if (rc == FAIL)
		return FAIL;
	if (rc != OK) {
		*out = NULL;
		p->pos = at;
		ws0(p); /* preceded(ws, opt(msg)) consumes the whitespace either way */
	}
	return OK;
}

static mg_clause *new_clause(P *p, int kind, size_t at)
{
	mg_clause *c = mamori_arena_alloc(p->a, sizeof *c);
	c->kind = (uint8_t)kind;
	line_col(p, at, &c->line, &c->col);
	return c;
}

static void set_text(P *p, mg_clause *c, size_t from, size_t to)
{
	while (from < to && is_space((unsigned char)p->s[from]))
		from++;
	while (to > from && is_space((unsigned char)p->s[to - 1]))
		to--;
	c->text = dup(p, p->s + from, to - from);
}

static int value_cmp(P *p, uint8_t *op, bool *op_not)
{
	size_t at = p->pos;
	if (peek_tag(p, "<<"))
		return soft(p, at, "a comparison operator");
	*op_not = false;
	if (tag(p, "==")) {
		*op = MG_OP_EQ;
		return OK;
	}
	if (tag(p, "!=")) {
		*op = MG_OP_EQ;
		*op_not = true;
		return OK;
	}
	if (tag(p, ">=")) {
		*op = MG_OP_GE;
		return OK;
	}
	if (tag(p, "<=")) {
		*op = MG_OP_LE;
		return OK;
	}
	if (tag(p, ">")) {
		*op = MG_OP_GT;
		return OK;
	}
	if (tag(p, "<")) {
		*op = MG_OP_LT;
		return OK;
	}
	*op_not = not_kw(p);
	static const struct {
		const char *a, *b;
		uint8_t op;
	} ops[] = {
		{"in", "IN", MG_OP_IN},
		{"EXISTS", "exists", MG_OP_EXISTS},
		{"EMPTY", "empty", MG_OP_EMPTY},
		{"IS_STRING", "is_string", MG_OP_IS_STRING},
		{"IS_LIST", "is_list", MG_OP_IS_LIST},
		{"IS_STRUCT", "is_struct", MG_OP_IS_MAP},
		{"IS_BOOL", "is_bool", MG_OP_IS_BOOL},
		{"IS_INT", "is_int", MG_OP_IS_INT},
		{"IS_NULL", "is_null", MG_OP_IS_NULL},
		{"IS_FLOAT", "is_float", MG_OP_IS_FLOAT},
	};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (tag(p, ops[i].a) || tag(p, ops[i].b)) {
			*op = ops[i].op;
			return OK;
		}
	p->pos = at;
	return soft(p, at,
		    "a comparison operator (==, !=, <, <=, >, >=, IN, EXISTS, EMPTY, IS_STRING, "
		    "IS_LIST, IS_STRUCT, IS_BOOL, IS_INT, IS_FLOAT, IS_NULL, with NOT or !)");
}

/* clause_with_map: [not] access op [rhs] [<< msg >>] */
static int access_clause(P *p, mg_clause **out)
{
	size_t at = p->pos;
	ws0(p);
	size_t start = p->pos;
	mg_clause *c = new_clause(p, MG_C_ACCESS, at);
	c->negation = not_kw(p);
	int rc = access(p, &c->q);
	if (rc != OK) {
		p->pos = at;
		return rc;
	}
	ws0(p);
	rc = value_cmp(p, &c->op, &c->op_not);
	if (rc != OK) {
		p->pos = at;
		return rc;
	}
	if (mg_op_is_unary(c->op)) {
		size_t end = p->pos;
		if (opt_message(p, &c->msg) == FAIL)
			return FAIL;
		set_text(p, c, start, end);
		*out = c;
		return OK;
	}
	/* cut: a binary operator must have a right-hand side */
	mg_letval *lv = mamori_arena_alloc(p->a, sizeof *lv);
	size_t rs = p->pos;
	mg_value *v;
	rc = parse_value(p, &v);
	if (rc == FAIL)
		return FAIL;
	if (rc == OK) {
		lv->kind = MG_LV_VALUE;
		lv->value = v;
	} else {
		p->pos = rs;
		ws0(p);
		rc = function_expr(p, &lv->call);
		if (rc == FAIL)
			return FAIL;
		if (rc == OK) {
			lv->kind = MG_LV_CALL;
		} else {
			p->pos = rs;
			ws0(p);
			rc = access(p, &lv->query);
			if (rc == FAIL)
				return FAIL;
			if (rc != OK)
				return hard(p, p->far_pos > rs ? p->far_pos : rs,
					    "expected a property access \"engine.core\", a value like "
					    "\"string\" or [\"this\", \"that\"], or a function call "
					    "after the operator");
			lv->kind = MG_LV_QUERY;
		}
	}
	c->rhs = lv;
	size_t end = p->pos;
	if (opt_message(p, &c->msg) == FAIL)
		return FAIL;
	set_text(p, c, start, end);
	*out = c;
	return OK;
}

static int block(P *p, int (*f)(P *, mg_clause **), mg_block *out);
static int single_clauses(P *p, mg_conj *out);

/* ws when ws1 conditions (the cut makes a `when` without conditions an error) */
static int when_conditions(P *p, mg_conj **out)
{
	size_t at = p->pos;
	ws0(p);
	if (!(tag(p, "when") || tag(p, "WHEN"))) {
		p->pos = at;
		return soft(p, at, "when");
	}
	if (!ws1(p))
		return hard(p, p->pos, "expected a space and conditions after `when`");
	mg_conj *c = mamori_arena_alloc(p->a, sizeof *c);
	int rc = single_clauses(p, c);
	if (rc == ERR)
		return hard(p, p->pos, "expected conditions after `when`");
	if (rc != OK)
		return rc;
	*out = c;
	return OK;
}

static int when_block(P *p, int (*f)(P *, mg_clause **), mg_clause **out)
{
	size_t at = p->pos;
	ws0(p);
	mg_clause *c = new_clause(p, MG_C_WHEN, p->pos);
	int rc = when_conditions(p, &c->conds);
	if (rc != OK) {
		if (rc == ERR)
			p->pos = at;
		return rc;
	}
	rc = block(p, f, &c->block);
	if (rc != OK) {
		if (rc == ERR)
			p->pos = at;
		return rc;
	}
	c->text = "when";
	*out = c;
	return OK;
}

static int block_clause(P *p, mg_clause **out)
{
	size_t at = p->pos;
	mg_clause *c = new_clause(p, MG_C_BLOCK, at);
	size_t start = p->pos;
	int rc = access(p, &c->q);
	if (rc != OK) {
		p->pos = at;
		return rc;
	}
	size_t end = p->pos;
	{
		size_t s = p->pos;
		ws0(p);
		if (not_kw(p) && (tag(p, "EMPTY") || tag(p, "empty"))) {
			c->not_empty = true;
			end = p->pos;
		} else {
			p->pos = s;
		}
	}
	rc = block(p, clause, &c->block);
	if (rc != OK) {
		if (rc == ERR)
			p->pos = at;
		return rc;
	}
	set_text(p, c, start, end);
	*out = c;
	return OK;
}

static int pcall_clause(P *p, mg_clause **out)
{
	size_t at = p->pos;
	mg_clause *c = new_clause(p, MG_C_PCALL, at);
	c->negation = not_kw(p);
	const char *name;
	int rc = call_expr(p, &name, &c->args, &c->nargs);
	if (rc != OK) {
		p->pos = at;
		return rc;
	}
	c->rule = name;
	size_t end = p->pos;
	size_t s = p->pos;
	ws0(p);
	rc = custom_message(p, &c->msg);
	if (rc == FAIL)
		return FAIL;
	if (rc != OK)
		p->pos = s;
	set_text(p, c, at, end);
	*out = c;
	return OK;
}

/* GuardClause: when block | block clause | rule call | access clause */
static int clause(P *p, mg_clause **out)
{
	if (!enter(p))
		return FAIL;
	int rc = when_block(p, clause, out);
	if (rc != ERR)
		LEAVE(p, rc);
	rc = block_clause(p, out);
	if (rc != ERR)
		LEAVE(p, rc);
	rc = pcall_clause(p, out);
	if (rc != ERR)
		LEAVE(p, rc);
	rc = access_clause(p, out);
	LEAVE(p, rc);
}

static bool peek_or_join(P *p)
{
	size_t at = p->pos;
	ws0(p);
	bool ok = (tag(p, "or") || tag(p, "OR") || tag(p, "|OR|")) && ws1(p);
	p->pos = at;
	return ok;
}

/* rule_clause: [not] name, then end of line, a comment, '{', `or`, or << msg >> */
static int rule_clause(P *p, mg_clause **out)
{
	size_t at = p->pos;
	mg_clause *c = new_clause(p, MG_C_NAMED, at);
	c->negation = not_kw(p);
	const char *name;
	if (var_name(p, &name, NULL) != OK) {
		p->pos = at;
		return soft(p, at, "a rule name");
	}
	c->rule = name;
	size_t end = p->pos;
	bool ret = p->pos >= p->n;
	if (!ret) {
		size_t s = p->pos;
		space0(p);
		ret = cur(p) == '\n' || peek_tag(p, "\r\n") || cur(p) == '#' || cur(p) == '{';
		p->pos = s;
		if (!ret)
			ret = peek_or_join(p);
	}
	if (!ret) {
		space0(p);
		int rc = custom_message(p, &c->msg);
		if (rc == FAIL)
			return FAIL;
		if (rc != OK)
			return hard(p, p->pos,
				    "expected the end of the line, `or`, '{' or a << message >> after "
				    "a rule name (or a comparison operator after a property)");
	}
	set_text(p, c, at, end);
	*out = c;
	return OK;
}

static int clause_or_rule(P *p, mg_clause **out)
{
	int rc = clause(p, out);
	if (rc != ERR)
		return rc;
	return rule_clause(p, out);
}

static int when_clause(P *p, mg_clause **out)
{
	int rc = access_clause(p, out);
	if (rc != ERR)
		return rc;
	rc = pcall_clause(p, out);
	if (rc != ERR)
		return rc;
	return rule_clause(p, out);
}

typedef struct cvec {
	mg_clause **v;
	size_t n, cap;
} cvec;

/* separated_nonempty_list(or_join, ws parser) */
static int disjunction(P *p, int (*f)(P *, mg_clause **), mg_disj *out)
{
	size_t at = p->pos;
	cvec v = {0};
	for (;;) {
		size_t s = p->pos;
		if (v.n) {
			ws0(p);
			if (!((tag(p, "or") || tag(p, "OR") || tag(p, "|OR|")) && ws1(p))) {
				p->pos = s;
				break;
			}
		}
		ws0(p);
		mg_clause *c;
		int rc = f(p, &c);
		if (rc == FAIL) {
			free(v.v);
			return FAIL;
		}
		if (rc != OK) {
			p->pos = s;
			if (!v.n) {
				p->pos = at;
				return ERR;
			}
			break;
		}
		PUSH(v, c);
	}
	out->c = mamori_arena_memdup(p->a, v.v, v.n * sizeof *v.v);
	out->n = (uint32_t)v.n;
	free(v.v);
	return OK;
}

typedef struct dvec {
	mg_disj *v;
	size_t n, cap;
} dvec;

static int cnf_clauses(P *p, int (*f)(P *, mg_clause **), mg_conj *out)
{
	size_t at = p->pos;
	dvec v = {0};
	for (;;) {
		mg_disj d;
		int rc = disjunction(p, f, &d);
		if (rc == FAIL) {
			free(v.v);
			return FAIL;
		}
		if (rc != OK)
			break;
		PUSH(v, d);
	}
	if (!v.n)
		return hard(p, p->far_pos > at ? p->far_pos : at,
			    p->far_msg ? p->far_msg : "expected one or more clauses");
	out->d = mamori_arena_memdup(p->a, v.v, v.n * sizeof *v.v);
	out->n = (uint32_t)v.n;
	free(v.v);
	return OK;
}

static int single_clauses(P *p, mg_conj *out)
{
	return cnf_clauses(p, when_clause, out);
}

/* let name = value | function call | query */
static int assignment(P *p, mg_let *out)
{
	size_t at = p->pos;
	if (!tag(p, "let"))
		return soft(p, at, "let");
	if (!ws1(p) || var_name(p, &out->name, NULL) != OK) {
		p->pos = at;
		return soft(p, at, "let NAME");
	}
	ws0(p);
	if (!(tag(p, ":=") || tag(p, "=")))
		return hard(p, p->pos, "expected = or := after `let NAME`");
	memset(&out->val, 0, sizeof out->val);
	mg_value *v;
	int rc = parse_value(p, &v);
	if (rc == FAIL)
		return FAIL;
	if (rc == OK) {
		out->val.kind = MG_LV_VALUE;
		out->val.value = v;
		return OK;
	}
	size_t s = p->pos;
	ws0(p);
	rc = function_expr(p, &out->val.call);
	if (rc == OK) {
		out->val.kind = MG_LV_CALL;
		return OK;
	}
	p->pos = s;
	p->fail_msg = NULL;
	ws0(p);
	rc = access(p, &out->val.query);
	if (rc == FAIL)
		return FAIL;
	if (rc != OK)
		return hard(p, p->far_pos > s ? p->far_pos : s,
			    "expected a value, a function call or a query after `let NAME =`");
	out->val.kind = MG_LV_QUERY;
	return OK;
}

typedef struct lvec {
	mg_let *v;
	size_t n, cap;
} lvec;

static int block(P *p, int (*f)(P *, mg_clause **), mg_block *out)
{
	size_t at = p->pos;
	ws0(p);
	if (cur(p) != '{') {
		p->pos = at;
		return soft(p, at, "'{'");
	}
	p->pos++;
	if (!enter(p))
		return FAIL;
	lvec lets = {0};
	dvec conj = {0};
	for (;;) {
		size_t s = p->pos;
		ws0(p);
		mg_let l;
		int rc = assignment(p, &l);
		if (rc == FAIL)
			goto fail;
		if (rc == OK) {
			PUSH(lets, l);
			continue;
		}
		p->pos = s;
		mg_disj d;
		rc = disjunction(p, f, &d);
		if (rc == FAIL)
			goto fail;
		if (rc != OK) {
			p->pos = s;
			break;
		}
		PUSH(conj, d);
	}
	if (!lets.n && !conj.n) {
		free(lets.v);
		free(conj.v);
		soft(p, p->pos, "at least one clause in the block");
		p->pos = at;
		LEAVE(p, ERR);
	}
	ws0(p);
	if (cur(p) != '}') {
		hard(p, p->far_pos > p->pos ? p->far_pos : p->pos,
		     p->far_pos > p->pos && p->far_msg ? p->far_msg : "expected '}' to close the block");
		goto fail;
	}
	p->pos++;
	out->lets = lets.n ? mamori_arena_memdup(p->a, lets.v, lets.n * sizeof *lets.v) : NULL;
	out->nlets = (uint32_t)lets.n;
	out->conj.d = conj.n ? mamori_arena_memdup(p->a, conj.v, conj.n * sizeof *conj.v) : NULL;
	out->conj.n = (uint32_t)conj.n;
	free(lets.v);
	free(conj.v);
	LEAVE(p, OK);
fail:
	free(lets.v);
	free(conj.v);
	LEAVE(p, FAIL);
}

/* ---- type blocks, rules, files ---- */

static int type_name(P *p, const char **out)
{
	size_t at = p->pos;
	const char *a, *b, *c;
	uint32_t al, bl, cl;
	if (var_name(p, &a, &al) != OK || !tag(p, "::") || var_name(p, &b, &bl) != OK) {
		p->pos = at;
		return soft(p, at, "a resource type like AWS::S3::Bucket");
	}
	size_t two = p->pos;
	if (tag(p, "::") && var_name(p, &c, &cl) == OK) {
		tag(p, "::MODULE");
		*out = mamori_arena_printf(p->a, "%s::%s::%s", a, b, c);
		return OK;
	}
	p->pos = two;
	*out = mamori_arena_printf(p->a, "%s::%s", a, b);
	return OK;
}

static mg_query type_query(P *p, const char *type, size_t at)
{
	mg_query q = {0};
	q.match_all = true;
	q.n = 3;
	q.parts = mamori_arena_alloc(p->a, 3 * sizeof *q.parts);
	q.parts[0].kind = MG_QP_KEY;
	q.parts[0].s = "Resources";
	q.parts[0].slen = 9;
	q.parts[1].kind = MG_QP_ALL_VALUES;
	q.parts[2].kind = MG_QP_FILTER;
	mg_clause *c = new_clause(p, MG_C_ACCESS, at);
	c->op = MG_OP_EQ;
	c->q.match_all = true;
	c->q.n = 1;
	c->q.parts = mamori_arena_alloc(p->a, sizeof *c->q.parts);
	c->q.parts[0].kind = MG_QP_KEY;
	c->q.parts[0].s = "Type";
	c->q.parts[0].slen = 4;
	c->rhs = mamori_arena_alloc(p->a, sizeof *c->rhs);
	c->rhs->kind = MG_LV_VALUE;
	c->rhs->value = mg_new_str(p->a, MG_STRING, type, strlen(type));
	c->text = mamori_arena_printf(p->a, "Type == \"%s\"", type);
	mg_conj *cj = mamori_arena_alloc(p->a, sizeof *cj);
	cj->n = 1;
	cj->d = mamori_arena_alloc(p->a, sizeof *cj->d);
	cj->d[0].n = 1;
	cj->d[0].c = mamori_arena_alloc(p->a, sizeof(mg_clause *));
	cj->d[0].c[0] = c;
	q.parts[2].filter = cj;
	return q;
}

static int type_block(P *p, mg_clause **out)
{
	size_t at = p->pos;
	const char *name;
	int rc = type_name(p, &name);
	if (rc != OK)
		return rc;
	if (!ws1(p))
		return hard(p, p->pos, "expected a space after the resource type");
	mg_clause *c = new_clause(p, MG_C_TYPE, at);
	c->type_name = name;
	c->text = name;
	c->q = type_query(p, name, at);
	size_t s = p->pos;
	rc = when_conditions(p, &c->conds);
	if (rc == FAIL)
		return FAIL;
	if (rc == OK) {
		rc = block(p, clause, &c->block);
		if (rc == ERR)
			return hard(p, p->far_pos, p->far_msg ? p->far_msg : "expected a block");
		if (rc != OK)
			return rc;
	} else {
		p->pos = s;
		c->conds = NULL;
		rc = block(p, clause, &c->block);
		if (rc == FAIL)
			return FAIL;
		if (rc == ERR) {
			ws0(p);
			mg_clause *one;
			rc = clause(p, &one);
			if (rc == ERR)
				return hard(p, p->far_pos, p->far_msg ? p->far_msg
								    : "expected a clause or a block");
			if (rc != OK)
				return rc;
			c->block.conj.n = 1;
			c->block.conj.d = mamori_arena_alloc(p->a, sizeof(mg_disj));
			c->block.conj.d[0].n = 1;
			c->block.conj.d[0].c = mamori_arena_alloc(p->a, sizeof(mg_clause *));
			c->block.conj.d[0].c[0] = one;
		}
	}
	*out = c;
	return OK;
}

static int rule_block_clause(P *p, mg_clause **out)
{
	size_t at = p->pos;
	ws0(p);
	int rc = type_block(p, out);
	if (rc != ERR)
		return rc;
	p->pos = at;
	ws0(p);
	mg_clause *c = new_clause(p, MG_C_WHEN, p->pos);
	rc = when_conditions(p, &c->conds);
	if (rc == FAIL)
		return FAIL;
	if (rc == OK) {
		rc = block(p, clause_or_rule, &c->block);
		if (rc == OK) {
			c->text = "when";
			*out = c;
			return OK;
		}
		if (rc == FAIL)
			return FAIL;
	}
	p->pos = at;
	ws0(p);
	return clause_or_rule(p, out);
}

static void add_name(mg_rules_file *rf, mg_rule *r, mamori_arena *a)
{
	for (uint32_t i = 0; i < rf->nnames; i++)
		if (strcmp(rf->names[i], r->name) == 0) {
			r->name_id = i;
			return;
		}
	const char **n = mamori_arena_alloc(a, (rf->nnames + 1) * sizeof *n);
	if (rf->nnames)
		memcpy(n, rf->names, rf->nnames * sizeof *n);
	n[rf->nnames] = r->name;
	rf->names = n;
	r->name_id = rf->nnames++;
}

static int rule_block(P *p, mg_rule **out, bool parameterized)
{
	size_t at = p->pos;
	ws0(p);
	size_t start = p->pos;
	if (!tag(p, "rule") || !ws1(p)) {
		p->pos = at;
		return soft(p, at, "rule");
	}
	mg_rule *r = mamori_arena_alloc(p->a, sizeof *r);
	line_col(p, start, &r->line, &r->col);
	if (var_name(p, &r->name, NULL) != OK)
		return hard(p, p->pos, "expected a rule name after `rule`");
	if (parameterized) {
		if (cur(p) != '(') {
			p->pos = at;
			return soft(p, at, "(");
		}
		p->pos++;
		const char *names[64];
		uint32_t n = 0;
		for (;;) {
			while (is_space(cur(p)))
				p->pos++;
			const char *nm;
			if (var_name(p, &nm, NULL) != OK)
				return hard(p, p->pos, "expected a parameter name");
			while (is_space(cur(p)))
				p->pos++;
			bool dupe = false;
			for (uint32_t i = 0; i < n; i++)
				dupe |= strcmp(names[i], nm) == 0;
			if (!dupe) {
				if (n == 64)
					return hard(p, p->pos, "too many parameters (at most 64)");
				names[n++] = nm;
			}
			if (cur(p) == ',') {
				p->pos++;
				continue;
			}
			break;
		}
		if (cur(p) != ')')
			return hard(p, p->pos, "expected ')' after the parameter names");
		p->pos++;
		r->params = mamori_arena_memdup(p->a, names, n * sizeof *names);
		r->nparams = n;
	} else {
		int rc = when_conditions(p, &r->conds);
		if (rc == FAIL)
			return FAIL;
		if (rc != OK)
			r->conds = NULL;
	}
	int rc = block(p, rule_block_clause, &r->block);
	if (rc == ERR)
		return hard(p, p->far_pos > p->pos ? p->far_pos : p->pos,
			    p->far_msg ? p->far_msg : "expected '{' and the rule's clauses");
	if (rc != OK)
		return rc;
	*out = r;
	return OK;
}

static int type_block_disj(P *p, mg_clause **out)
{
	return type_block(p, out);
}

static int top_when(P *p, mg_clause **out)
{
	return when_block(p, clause_or_rule, out);
}

int mg_rules_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		   mg_rules_file **out)
{
	*out = NULL;
	mg_rules_file *rf = mamori_xcalloc(1, sizeof *rf);
	mamori_arena_init(&rf->arena, 16 * 1024);
	rf->path = mamori_xstrdup(path);
	rf->source = mamori_xmalloc(len + 1);
	memcpy(rf->source, buf, len);
	rf->source[len] = '\0';
	rf->source_len = len;
	P p = {.ctx = ctx, .path = path, .s = rf->source, .n = len, .a = &rf->arena, .rf = rf};
	ws0(&p);
	if (p.pos >= p.n) {
		mg_rules_free(rf);
		return MAMORI_OK;
	}
	lvec lets = {0};
	dvec defaults = {0};
	struct {
		mg_rule **v;
		size_t n, cap;
	} rules = {0}, prules = {0};
	int rc = OK;
	while (p.pos < p.n) {
		size_t at = p.pos;
		mg_let l;
		rc = assignment(&p, &l);
		if (rc == OK) {
			PUSH(lets, l);
			ws0(&p);
			continue;
		}
		if (rc == FAIL)
			break;
		p.pos = at;
		mg_rule *r;
		for (int pass = 0; pass < 2; pass++) {
			rc = rule_block(&p, &r, pass == 0);
			if (rc != ERR)
				break;
			p.pos = at;
		}
		if (rc == OK) {
			if (r->params) {
				PUSH(prules, r);
			} else {
				PUSH(rules, r);
			}
			ws0(&p);
			continue;
		}
		if (rc == FAIL)
			break;
		p.pos = at;
		mg_disj d;
		rc = disjunction(&p, type_block_disj, &d);
		if (rc == OK) {
			PUSH(defaults, d);
			ws0(&p);
			continue;
		}
		if (rc == FAIL)
			break;
		p.pos = at;
		mg_clause *w;
		rc = top_when(&p, &w);
		if (rc == OK) {
			d.n = 1;
			d.c = mamori_arena_alloc(p.a, sizeof(mg_clause *));
			d.c[0] = w;
			PUSH(defaults, d);
			ws0(&p);
			continue;
		}
		if (rc == FAIL)
			break;
		p.pos = at;
		rc = disjunction(&p, clause, &d);
		if (rc == OK) {
			PUSH(defaults, d);
			ws0(&p);
			continue;
		}
		if (rc == ERR) {
			hard(&p, p.far_pos > at ? p.far_pos : at,
			     p.far_msg ? p.far_msg : "expected a rule, a let or a clause");
			rc = FAIL;
		}
		break;
	}
	if (rc == FAIL) {
		size_t at = p.fail_pos > p.n ? p.n : p.fail_pos;
		const char *msg = p.fail_msg ? p.fail_msg : "syntax error";
		if (strncmp(msg, "expected", 8) != 0 && strncmp(msg, "unable", 6) != 0 &&
		    strncmp(msg, "could", 5) != 0 && strncmp(msg, "rules nested", 12) != 0 &&
		    strncmp(msg, "too many", 8) != 0)
			mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, at, "expected %s", msg);
		else
			mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, at, "%s", msg);
		free(lets.v);
		free(defaults.v);
		free(rules.v);
		free(prules.v);
		mg_rules_free(rf);
		return MAMORI_EINPUT;
	}
	rf->lets = lets.n ? mamori_arena_memdup(&rf->arena, lets.v, lets.n * sizeof *lets.v) : NULL;
	rf->nlets = (uint32_t)lets.n;
	size_t nr = rules.n + (defaults.n ? 1 : 0);
	rf->rules = mamori_arena_alloc(&rf->arena, (nr ? nr : 1) * sizeof(mg_rule *));
	size_t k = 0;
	if (defaults.n) {
		mg_rule *d = mamori_arena_alloc(&rf->arena, sizeof *d);
		d->name = "default";
		d->block.conj.d = mamori_arena_memdup(&rf->arena, defaults.v,
						      defaults.n * sizeof *defaults.v);
		d->block.conj.n = (uint32_t)defaults.n;
		d->line = 1;
		d->col = 1;
		rf->rules[k++] = d;
	}
	for (size_t i = 0; i < rules.n; i++)
		rf->rules[k++] = rules.v[i];
	rf->nrules = (uint32_t)k;
	for (uint32_t i = 0; i < rf->nrules; i++)
		add_name(rf, rf->rules[i], &rf->arena);
	rf->prules = prules.n ? mamori_arena_memdup(&rf->arena, prules.v,
						    prules.n * sizeof *prules.v)
			      : NULL;
	rf->nprules = (uint32_t)prules.n;
	free(lets.v);
	free(defaults.v);
	free(rules.v);
	free(prules.v);
	*out = rf;
	return MAMORI_OK;
}

void mg_rules_free(mg_rules_file *rf)
{
	if (!rf)
		return;
	for (size_t i = 0; i < rf->nregexes; i++)
		mg_regex_free(rf->regexes[i]);
	free(rf->regexes);
	mamori_arena_free(&rf->arena);
	free(rf->path);
	free(rf->source);
	free(rf);
}

const mg_rule *mg_rules_find_param(const mg_rules_file *rf, const char *name)
{
	/* a later definition replaces an earlier one (cfn-guard's HashMap insert) */
	for (uint32_t i = rf->nprules; i-- > 0;)
		if (strcmp(rf->prules[i]->name, name) == 0)
			return rf->prules[i];
	return NULL;
}

const char *mg_op_name(int op)
{
	switch (op) {
	case MG_OP_EQ:
		return "EQUALS";
	case MG_OP_IN:
		return "IN";
	case MG_OP_GT:
		return "GREATER THAN";
	case MG_OP_GE:
		return "GREATER THAN EQUALS";
	case MG_OP_LT:
		return "LESS THAN";
	case MG_OP_LE:
		return "LESS THAN EQUALS";
	case MG_OP_EXISTS:
		return "EXISTS";
	case MG_OP_EMPTY:
		return "EMPTY";
	case MG_OP_IS_STRING:
		return "IS STRING";
	case MG_OP_IS_LIST:
		return "IS LIST";
	case MG_OP_IS_MAP:
		return "IS STRUCT";
	case MG_OP_IS_BOOL:
		return "IS BOOL";
	case MG_OP_IS_INT:
		return "IS INT";
	case MG_OP_IS_FLOAT:
		return "IS FLOAT";
	case MG_OP_IS_NULL:
		return "IS NULL";
	}
	return "?";
}
