/*
 * value.c — the Guard value model (see value.h): typing of scalars the way
 * cfn-guard 3.1.1 types them, its equality and ordering, paths, printing.
 */
#include "value.h"

#include "regex.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mg_type_name(const mg_value *v)
{
	switch ((mg_type)v->type) {
	case MG_NULL:
		return "null";
	case MG_STRING:
		return "String";
	case MG_REGEX:
		return "Regex";
	case MG_BOOL:
		return "bool";
	case MG_INT:
		return "int";
	case MG_FLOAT:
		return "float";
	case MG_CHAR:
		return "char";
	case MG_LIST:
		return "array";
	case MG_MAP:
		return "map";
	case MG_RANGE_INT:
		return "range(int, int)";
	case MG_RANGE_FLOAT:
		return "range(float, float)";
	case MG_RANGE_CHAR:
		return "range(char, char)";
	}
	return "?";
}

mg_value *mg_new(mamori_arena *a, mg_type t)
{
	mg_value *v = mamori_arena_alloc(a, sizeof *v);
	v->type = (uint8_t)t;
	return v;
}

mg_value *mg_new_str(mamori_arena *a, mg_type t, const char *s, size_t len)
{
	mg_value *v = mg_new(a, t);
	char *p = mamori_arena_alloc(a, len + 1);
	if (len)
		memcpy(p, s, len);
	v->s.p = p;
	v->s.len = (uint32_t)len;
	return v;
}

mg_value *mg_new_int(mamori_arena *a, int64_t i)
{
	mg_value *v = mg_new(a, MG_INT);
	v->i = i;
	return v;
}

mg_value *mg_new_float(mamori_arena *a, double f)
{
	mg_value *v = mg_new(a, MG_FLOAT);
	v->f = f;
	return v;
}

mg_value *mg_new_bool(mamori_arena *a, bool b)
{
	mg_value *v = mg_new(a, MG_BOOL);
	v->b = b;
	return v;
}

mg_value *mg_new_like(mamori_arena *a, const mg_value *like, mg_type t)
{
	mg_value *v = mg_new(a, t);
	if (like) {
		v->parent = like->parent;
		v->idx = like->idx;
		v->line = like->line;
		v->col = like->col;
		v->flags = like->flags;
	}
	return v;
}

long mg_map_find(const mg_value *v, const char *key, size_t len)
{
	if (!v || v->type != MG_MAP)
		return -1;
	for (uint32_t i = 0; i < v->map.n; i++) {
		const mg_value *k = v->map.k[i];
		if (k->s.len == len && (len == 0 || memcmp(k->s.p, key, len) == 0))
			return (long)i;
	}
	return -1;
}

const mg_value *mg_map_get(const mg_value *v, const char *key, size_t len)
{
	long i = mg_map_find(v, key, len);
	return i < 0 ? NULL : v->map.v[i];
}

/* ---- scalar typing ---- */

bool mg_parse_i64(const char *s, size_t len, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (len && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == len)
		return false;
	uint64_t acc = 0;
	uint64_t lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		unsigned d = (unsigned)(s[i] - '0');
		if (acc > (lim - d) / 10)
			return false;
		acc = acc * 10 + d;
	}
	if (neg)
		*out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
	else
		*out = (int64_t)acc;
	return true;
}

static bool ieq(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);
	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return false;
	}
	return true;
}

bool mg_parse_f64(const char *s, size_t len, double *out)
{
	/* Rust: Sign? ( 'inf' | 'infinity' | 'nan' | Number ), Number =
	 * ( Digit+ | Digit+ '.' Digit* | Digit* '.' Digit+ ) Exp?, Exp = [eE] Sign? Digit+ */
	size_t i = 0;
	bool neg = false;
	if (len && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		i = 1;
	}
	const char *r = s + i;
	size_t rl = len - i;
	if (ieq(r, rl, "inf") || ieq(r, rl, "infinity")) {
		*out = neg ? -INFINITY : INFINITY;
		return true;
	}
	if (ieq(r, rl, "nan")) {
		*out = NAN;
		return true;
	}
	size_t j = 0, before = 0, after = 0;
	while (j < rl && r[j] >= '0' && r[j] <= '9')
		j++, before++;
	if (j < rl && r[j] == '.') {
		j++;
		while (j < rl && r[j] >= '0' && r[j] <= '9')
			j++, after++;
	}
	if (before + after == 0)
		return false;
	if (j < rl && (r[j] == 'e' || r[j] == 'E')) {
		j++;
		if (j < rl && (r[j] == '+' || r[j] == '-'))
			j++;
		size_t ed = 0;
		while (j < rl && r[j] >= '0' && r[j] <= '9')
			j++, ed++;
		if (!ed)
			return false;
	}
	if (j != rl)
		return false;
	char small[64];
	char *tmp = len < sizeof small ? small : mamori_xmalloc(len + 1);
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	*out = strtod(tmp, NULL);
	if (tmp != small)
		free(tmp);
	return true;
}

void mg_type_plain_scalar(const char *s, size_t len, mg_value *out)
{
	if ((len == 4 && (memcmp(s, "null", 4) == 0 || memcmp(s, "Null", 4) == 0 ||
			  memcmp(s, "NULL", 4) == 0)) ||
	    (len == 1 && s[0] == '~')) {
		out->type = MG_NULL;
		return;
	}
	if (len && ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+' || s[0] == '.' ||
		    s[0] == 'i' || s[0] == 'I' || s[0] == 'n' || s[0] == 'N')) {
		if (mg_parse_i64(s, len, &out->i)) {
			out->type = MG_INT;
			return;
		}
		if (mg_parse_f64(s, len, &out->f)) {
			out->type = MG_FLOAT;
			return;
		}
	}
	if (len == 4 && memcmp(s, "true", 4) == 0) {
		out->type = MG_BOOL;
		out->b = true;
		return;
	}
	if (len == 5 && memcmp(s, "false", 5) == 0) {
		out->type = MG_BOOL;
		out->b = false;
		return;
	}
	out->type = MG_STRING;
}

/* ---- comparison ---- */

int mg_compare_values(const mg_value *a, const mg_value *b, int *ord)
{
	if (a->type != b->type)
		return MG_CMP_NOT_COMPARABLE;
	switch ((mg_type)a->type) {
	case MG_NULL:
		*ord = 0;
		return 0;
	case MG_INT:
		*ord = a->i < b->i ? -1 : a->i > b->i;
		return 0;
	case MG_STRING: {
		uint32_t n = a->s.len < b->s.len ? a->s.len : b->s.len;
		int c = n ? memcmp(a->s.p, b->s.p, n) : 0;
		if (c == 0)
			c = a->s.len < b->s.len ? -1 : a->s.len > b->s.len;
		*ord = c < 0 ? -1 : c > 0;
		return 0;
	}
	case MG_FLOAT:
		if (isnan(a->f) || isnan(b->f))
			return MG_CMP_NOT_COMPARABLE;
		*ord = a->f < b->f ? -1 : a->f > b->f;
		return 0;
	case MG_CHAR:
		*ord = a->c < b->c ? -1 : a->c > b->c;
		return 0;
	default:
		return MG_CMP_NOT_COMPARABLE;
	}
}

int mg_compare_lt(const mg_value *a, const mg_value *b)
{
	int o, rc = mg_compare_values(a, b, &o);
	return rc ? rc : o < 0;
}

int mg_compare_le(const mg_value *a, const mg_value *b)
{
	int o, rc = mg_compare_values(a, b, &o);
	return rc ? rc : o <= 0;
}

int mg_compare_gt(const mg_value *a, const mg_value *b)
{
	int o, rc = mg_compare_values(a, b, &o);
	return rc ? rc : o > 0;
}

int mg_compare_ge(const mg_value *a, const mg_value *b)
{
	int o, rc = mg_compare_values(a, b, &o);
	return rc ? rc : o >= 0;
}

static bool within_int(int64_t v, const mg_value *r)
{
	bool lo = (r->incl & MG_LOWER_INCL) ? v >= r->ri.lo : v > r->ri.lo;
	bool hi = (r->incl & MG_UPPER_INCL) ? v <= r->ri.hi : v < r->ri.hi;
	return lo && hi;
}

static bool within_float(double v, const mg_value *r)
{
	bool lo = (r->incl & MG_LOWER_INCL) ? v >= r->rf.lo : v > r->rf.lo;
	bool hi = (r->incl & MG_UPPER_INCL) ? v <= r->rf.hi : v < r->rf.hi;
	return lo && hi;
}

static bool within_char(uint32_t v, const mg_value *r)
{
	bool lo = (r->incl & MG_LOWER_INCL) ? v >= r->rc.lo : v > r->rc.lo;
	bool hi = (r->incl & MG_UPPER_INCL) ? v <= r->rc.hi : v < r->rc.hi;
	return lo && hi;
}

static int regex_eq(mg_rx *rx, const mg_value *str, const mg_value *re)
{
	void *code = re->s.re;
	if (!code) /* a regex built at run time (never from rules): compile on demand */
		code = mg_rx_dynamic(rx, re->s.p, re->s.len);
	if (!code)
		return MG_CMP_REGEX_ERROR;
	int m = mg_regex_match(rx, code, str->s.p, str->s.len);
	return m < 0 ? MG_CMP_REGEX_ERROR : m;
}

int mg_compare_eq(mg_rx *rx, const mg_value *a, const mg_value *b)
{
	if (a->type == MG_STRING && b->type == MG_REGEX)
		return regex_eq(rx, a, b);
	if (a->type == MG_REGEX && b->type == MG_STRING)
		return regex_eq(rx, b, a);
	if (a->type == MG_STRING && b->type == MG_STRING)
		return a->s.len == b->s.len && (!a->s.len || memcmp(a->s.p, b->s.p, a->s.len) == 0);
	if (a->type == MG_MAP && b->type == MG_MAP) {
		if (a->map.n != b->map.n)
			return 0;
		for (uint32_t i = 0; i < a->map.n; i++) {
			const mg_value *k = a->map.k[i];
			const mg_value *bv = mg_map_get(b, k->s.p, k->s.len);
			if (!bv)
				return 0;
			int rc = mg_compare_eq(rx, a->map.v[i], bv);
			if (rc != 1)
				return rc;
		}
		return 1;
	}
	if (a->type == MG_LIST && b->type == MG_LIST) {
		if (a->list.n != b->list.n)
			return 0;
		for (uint32_t i = 0; i < a->list.n; i++) {
			int rc = mg_compare_eq(rx, a->list.v[i], b->list.v[i]);
			if (rc != 1)
				return rc;
		}
		return 1;
	}
	if (a->type == MG_BOOL && b->type == MG_BOOL)
		return a->b == b->b;
	if (a->type == MG_REGEX && b->type == MG_REGEX)
		return a->s.len == b->s.len && (!a->s.len || memcmp(a->s.p, b->s.p, a->s.len) == 0);
	if (a->type == MG_INT && b->type == MG_RANGE_INT)
		return within_int(a->i, b);
	if (a->type == MG_FLOAT && b->type == MG_RANGE_FLOAT)
		return within_float(a->f, b);
	if (a->type == MG_CHAR && b->type == MG_RANGE_CHAR)
		return within_char(a->c, b);
	int o, rc = mg_compare_values(a, b, &o);
	return rc ? rc : o == 0;
}

bool mg_value_equal(mg_rx *rx, const mg_value *a, const mg_value *b)
{
	if (a == b)
		return true;
	switch ((mg_type)a->type) {
	case MG_MAP:
		if (b->type != MG_MAP)
			break;
		if (a->map.n != b->map.n)
			return false;
		for (uint32_t i = 0; i < a->map.n; i++) {
			const mg_value *k = a->map.k[i];
			const mg_value *bv = mg_map_get(b, k->s.p, k->s.len);
			if (!bv || !mg_value_equal(rx, a->map.v[i], bv))
				return false;
		}
		return true;
	case MG_LIST:
		if (b->type != MG_LIST)
			break;
		if (a->list.n != b->list.n)
			return false;
		for (uint32_t i = 0; i < a->list.n; i++)
			if (!mg_value_equal(rx, a->list.v[i], b->list.v[i]))
				return false;
		return true;
	case MG_BOOL:
		if (b->type == MG_BOOL)
			return a->b == b->b;
		break;
	case MG_STRING:
		if (b->type == MG_REGEX)
			return regex_eq(rx, a, b) == 1;
		break;
	case MG_REGEX:
		if (b->type == MG_STRING)
			return regex_eq(rx, b, a) == 1;
		if (b->type == MG_REGEX)
			return a->s.len == b->s.len &&
			       (!a->s.len || memcmp(a->s.p, b->s.p, a->s.len) == 0);
		break;
	case MG_INT:
		if (b->type == MG_RANGE_INT)
			return within_int(a->i, b);
		break;
	case MG_FLOAT:
		if (b->type == MG_RANGE_FLOAT)
			return within_float(a->f, b);
		break;
	case MG_CHAR:
		if (b->type == MG_RANGE_CHAR)
			return within_char(a->c, b);
		break;
	default:
		break;
	}
	int o;
	return mg_compare_values(a, b, &o) == 0 && o == 0;
}

/* ---- paths ---- */

void mg_path(const mg_value *v, mamori_buf *out)
{
	/* collect the chain root..v, then print; bounded by MG_MAX_DEPTH */
	const mg_value *chain[MG_MAX_DEPTH + 2];
	size_t n = 0;
	for (const mg_value *c = v; c && c->parent && n < MG_MAX_DEPTH + 1; c = c->parent)
		chain[n++] = c;
	if (!out->data)
		mg_buf_ready(out, 16);
	while (n--) {
		const mg_value *c = chain[n];
		const mg_value *p = c->parent;
		mamori_buf_putc(out, '/');
		if (p->type == MG_MAP && c->idx < p->map.n) {
			const mg_value *k = p->map.k[c->idx];
			mamori_buf_append(out, k->s.p, k->s.len);
		} else {
			mamori_buf_printf(out, "%u", c->idx);
		}
	}
}

/* ---- printing ---- */

/* The shortest digits that read back as f (at most 17), without trailing
 * zeros, and the decimal exponent of the first one: f = 0.d1d2... * 10^(exp+1).
 * Returns the number of digits; f must be finite and not zero. */
static size_t shortest_digits(double f, char digits[24], int *exp)
{
	char tmp[48];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, fabs(f));
		if (strtod(tmp, NULL) == fabs(f))
			break;
	}
	/* tmp is d[.ddd]e[+-]xx */
	size_t nd = 0;
	const char *p = tmp;
	for (; *p && *p != 'e'; p++)
		if (*p != '.' && nd < 24)
			digits[nd++] = *p;
	*exp = *p == 'e' ? atoi(p + 1) : 0;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	return nd;
}

/* digits as a plain decimal number, the point after digit exp + 1 */
static void put_positional(const char *digits, size_t nd, int exp, mamori_buf *out)
{
	if (exp < 0) {
		mamori_buf_puts(out, "0.");
		for (int i = 0; i < -exp - 1; i++)
			mamori_buf_putc(out, '0');
		mamori_buf_append(out, digits, nd);
	} else if ((size_t)exp + 1 >= nd) {
		mamori_buf_append(out, digits, nd);
		for (size_t i = nd; i < (size_t)exp + 1; i++)
			mamori_buf_putc(out, '0');
	} else {
		mamori_buf_append(out, digits, (size_t)exp + 1);
		mamori_buf_putc(out, '.');
		mamori_buf_append(out, digits + exp + 1, nd - (size_t)exp - 1);
	}
}

/* What both formatters share: NaN, infinities and zeros written whole
 * (returns 0), or the sign written and the shortest digits of |f|. */
static size_t begin_f64(double f, bool point_zero, mamori_buf *out, char digits[24], int *exp)
{
	if (isnan(f) || isinf(f)) {
		mamori_buf_puts(out, isnan(f) ? "NaN" : f < 0 ? "-inf" : "inf");
		return 0;
	}
	if (f == 0) {
		mamori_buf_puts(out, signbit(f) ? (point_zero ? "-0.0" : "-0")
						: (point_zero ? "0.0" : "0"));
		return 0;
	}
	if (f < 0)
		mamori_buf_putc(out, '-');
	return shortest_digits(f, digits, exp);
}

void mg_fmt_f64_rust(double f, mamori_buf *out)
{
	char digits[24];
	int exp;
	size_t nd = begin_f64(f, false, out, digits, &exp);
	if (nd)
		put_positional(digits, nd, exp, out);
}

void mg_fmt_f64_ryu(double f, mamori_buf *out)
{
	char digits[24];
	int exp;
	size_t nd = begin_f64(f, true, out, digits, &exp);
	if (!nd)
		return;
	int point = exp + 1; /* where the decimal point goes */
	if (point > 16 || point <= -5) {
		mamori_buf_putc(out, digits[0]);
		if (nd > 1) {
			mamori_buf_putc(out, '.');
			mamori_buf_append(out, digits + 1, nd - 1);
		}
		mamori_buf_printf(out, "e%d", exp);
		return;
	}
	put_positional(digits, nd, exp, out);
	if (point > 0 && (size_t)point >= nd)
		mamori_buf_puts(out, ".0");
}

static void put_utf8(uint32_t c, mamori_buf *out)
{
	char b[4];
	if (c < 0x80) {
		mamori_buf_putc(out, (char)c);
	} else if (c < 0x800) {
		b[0] = (char)(0xC0 | (c >> 6));
		b[1] = (char)(0x80 | (c & 0x3F));
		mamori_buf_append(out, b, 2);
	} else if (c < 0x10000) {
		b[0] = (char)(0xE0 | (c >> 12));
		b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[2] = (char)(0x80 | (c & 0x3F));
		mamori_buf_append(out, b, 3);
	} else {
		b[0] = (char)(0xF0 | (c >> 18));
		b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[3] = (char)(0x80 | (c & 0x3F));
		mamori_buf_append(out, b, 4);
	}
}

void mg_json_str(const char *s, size_t n, mamori_buf *out)
{
	mamori_buf_putc(out, '"');
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		mamori_buf_append(out, s + run, i - run);
		run = i + 1;
		static const char plain[] = "\"\\\b\f\n\r\t", named[] = "\"\\bfnrt";
		const char *e = c ? memchr(plain, c, sizeof plain - 1) : NULL;
		if (e)
			mamori_buf_printf(out, "\\%c", named[e - plain]);
		else
			mamori_buf_printf(out, "\\u%04x", c);
	}
	mamori_buf_append(out, s + run, n - run);
	mamori_buf_putc(out, '"');
}

static void range_text(const mg_value *v, mamori_buf *out)
{
	mamori_buf_putc(out, (v->incl & MG_LOWER_INCL) ? '[' : '(');
	switch ((mg_type)v->type) {
	case MG_RANGE_INT:
		mamori_buf_printf(out, "%lld,%lld", (long long)v->ri.lo, (long long)v->ri.hi);
		break;
	case MG_RANGE_FLOAT:
		/* Rust's Display, as cfn-guard prints a range: (1.5,2] */
		mg_fmt_f64_rust(v->rf.lo, out);
		mamori_buf_putc(out, ',');
		mg_fmt_f64_rust(v->rf.hi, out);
		break;
	default:
		put_utf8(v->rc.lo, out);
		mamori_buf_putc(out, ',');
		put_utf8(v->rc.hi, out);
		break;
	}
	mamori_buf_putc(out, (v->incl & MG_UPPER_INCL) ? ']' : ')');
}

static void to_json(const mg_value *v, mamori_buf *out, int depth)
{
	if (depth > MG_MAX_DEPTH) {
		mamori_buf_puts(out, "null");
		return;
	}
	switch ((mg_type)v->type) {
	case MG_NULL:
		mamori_buf_puts(out, "null");
		break;
	case MG_STRING:
		mg_json_str(v->s.p, v->s.len, out);
		break;
	case MG_REGEX: {
		mamori_buf tmp = MAMORI_BUF_INIT;
		mamori_buf_putc(&tmp, '/');
		mamori_buf_append(&tmp, v->s.p, v->s.len);
		mamori_buf_putc(&tmp, '/');
		mg_json_str(tmp.data, tmp.len, out);
		mamori_buf_free(&tmp);
		break;
	}
	case MG_BOOL:
		mamori_buf_puts(out, v->b ? "true" : "false");
		break;
	case MG_INT:
		mamori_buf_printf(out, "%lld", (long long)v->i);
		break;
	case MG_FLOAT:
		if (isnan(v->f) || isinf(v->f))
			mamori_buf_puts(out, "null");
		else
			mg_fmt_f64_ryu(v->f, out);
		break;
	case MG_CHAR: {
		mamori_buf tmp = MAMORI_BUF_INIT;
		put_utf8(v->c, &tmp);
		mg_json_str(tmp.data, tmp.len, out);
		mamori_buf_free(&tmp);
		break;
	}
	case MG_LIST:
		mamori_buf_putc(out, '[');
		for (uint32_t i = 0; i < v->list.n; i++) {
			if (i)
				mamori_buf_putc(out, ',');
			to_json(v->list.v[i], out, depth + 1);
		}
		mamori_buf_putc(out, ']');
		break;
	case MG_MAP:
		mamori_buf_putc(out, '{');
		for (uint32_t i = 0; i < v->map.n; i++) {
			if (i)
				mamori_buf_putc(out, ',');
			mg_json_str(v->map.k[i]->s.p, v->map.k[i]->s.len, out);
			mamori_buf_putc(out, ':');
			to_json(v->map.v[i], out, depth + 1);
		}
		mamori_buf_putc(out, '}');
		break;
	case MG_RANGE_INT:
	case MG_RANGE_FLOAT:
	case MG_RANGE_CHAR: {
		mamori_buf tmp = MAMORI_BUF_INIT;
		range_text(v, &tmp);
		mg_json_str(tmp.data, tmp.len, out);
		mamori_buf_free(&tmp);
		break;
	}
	}
}

void mg_to_json(const mg_value *v, mamori_buf *out)
{
	if (!out->data)
		mg_buf_ready(out, 16);
	to_json(v, out, 0);
}

void mg_to_display(const mg_value *v, mamori_buf *out)
{
	if (!out->data)
		mg_buf_ready(out, 16);
	switch ((mg_type)v->type) {
	case MG_REGEX:
		mamori_buf_putc(out, '/');
		mamori_buf_append(out, v->s.p, v->s.len);
		mamori_buf_putc(out, '/');
		break;
	case MG_RANGE_INT:
	case MG_RANGE_FLOAT:
	case MG_RANGE_CHAR:
		mamori_buf_putc(out, 'r');
		range_text(v, out);
		break;
	case MG_CHAR:
		mamori_buf_putc(out, '\'');
		put_utf8(v->c, out);
		mamori_buf_putc(out, '\'');
		break;
	default:
		to_json(v, out, 0);
	}
}
