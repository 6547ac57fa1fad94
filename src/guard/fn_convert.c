/*
 * fn_convert.c — the converters: parse_int, parse_float, parse_boolean,
 * parse_string, parse_char.
 *
 * A value that cannot be converted at all (a list, null...) is dropped; a
 * string that does not hold the asked-for type is an evaluation error, as in
 * cfn-guard ("failed to convert a string: x into an integer").  Numbers are
 * converted the way Rust's `as` does (truncating, saturating) and printed
 * the way Rust's Display prints them (1.5, 100, 0.0001 — never 1e-4).
 */
#include "functions.h"

#include <math.h>
#include <string.h>

static const mg_value *like(mg_eval *ev, const mg_value *from, mg_type t)
{
	return mg_new_like(&ev->arena, from, t);
}

static int conv_error(mg_eval *ev, const char *what, const mg_value *v, const char *into)
{
	mamori_buf p = MAMORI_BUF_INIT, d = MAMORI_BUF_INIT;
	mg_path(v, &p);
	if (v->type == MG_STRING)
		mamori_buf_append(&d, v->s.p, v->s.len);
	else
		mg_to_display(v, &d);
	mg_eval_error(ev, "Parser Error when parsing `failed to convert %s: %s into %s at %s`", what,
		      d.data ? d.data : "", into, p.data ? p.data : "");
	mamori_buf_free(&p);
	mamori_buf_free(&d);
	return -1;
}

static int64_t f64_as_i64(double f)
{
	if (f != f)
		return 0;
	if (f >= 9223372036854775807.0)
		return INT64_MAX;
	if (f <= -9223372036854775808.0)
		return INT64_MIN;
	return (int64_t)f;
}

/* One converter: the converted value, NULL to drop v, or MG_CONV_ERROR after
 * conv_error() */
typedef const mg_value *(*conv_fn)(mg_eval *ev, const mg_value *v);
static const mg_value conv_failed;
#define MG_CONV_ERROR (&conv_failed)

static int convert_each(mg_eval *ev, const mg_qvec *arg, mg_qvec *out, conv_fn conv)
{
	for (uint32_t i = 0; i < arg->n; i++) {
		const mg_qres *e = &arg->v[i];
		if (e->kind == MG_QR_UNRESOLVED)
			continue;
		const mg_value *r = conv(ev, e->v);
		if (r == MG_CONV_ERROR)
			return -1;
		if (r)
			mg_qvec_push(ev, out, MG_QR_RESOLVED, r, NULL);
	}
	return 0;
}

static const mg_value *failed(mg_eval *ev, const char *what, const mg_value *v, const char *into)
{
	conv_error(ev, what, v, into);
	return MG_CONV_ERROR;
}

static const mg_value *to_int(mg_eval *ev, const mg_value *v)
{
	int64_t n;
	switch (v->type) {
	case MG_INT:
		n = v->i;
		break;
	case MG_FLOAT:
		n = f64_as_i64(v->f);
		break;
	case MG_STRING:
		if (!mg_parse_i64(v->s.p, v->s.len, &n))
			return failed(ev, "a string", v, "an integer");
		break;
	case MG_CHAR:
		if (v->c < '0' || v->c > '9')
			return failed(ev, "a char", v, "an integer");
		n = v->c - '0';
		break;
	default:
		return NULL;
	}
	mg_value *r = (mg_value *)like(ev, v, MG_INT);
	r->i = n;
	return r;
}

static const mg_value *to_float(mg_eval *ev, const mg_value *v)
{
	double f;
	switch (v->type) {
	case MG_INT:
		f = (double)v->i;
		break;
	case MG_FLOAT:
		f = v->f;
		break;
	case MG_STRING:
		if (!mg_parse_f64(v->s.p, v->s.len, &f))
			return failed(ev, "a string", v, "a float");
		break;
	case MG_CHAR:
		if (v->c < '0' || v->c > '9')
			return failed(ev, "a char", v, "a float");
		f = v->c - '0';
		break;
	default:
		return NULL;
	}
	mg_value *r = (mg_value *)like(ev, v, MG_FLOAT);
	r->f = f;
	return r;
}

static bool ieq(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return false;
	}
	return true;
}

static const mg_value *to_bool(mg_eval *ev, const mg_value *v)
{
	bool b;
	if (v->type == MG_BOOL)
		b = v->b;
	else if (v->type != MG_STRING)
		return NULL;
	else if (ieq(v->s.p, v->s.len, "true"))
		b = true;
	else if (ieq(v->s.p, v->s.len, "false"))
		b = false;
	else
		return failed(ev, "a string", v, "a boolean");
	mg_value *r = (mg_value *)like(ev, v, MG_BOOL);
	r->b = b;
	return r;
}

static const mg_value *to_string(mg_eval *ev, const mg_value *v)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mg_buf_ready(&b, 24);
	switch (v->type) {
	case MG_STRING:
		mamori_buf_append(&b, v->s.p, v->s.len);
		break;
	case MG_INT:
		mamori_buf_printf(&b, "%lld", (long long)v->i);
		break;
	case MG_FLOAT:
		mg_fmt_f64_rust(v->f, &b);
		break;
	case MG_BOOL:
		mamori_buf_puts(&b, v->b ? "true" : "false");
		break;
	case MG_CHAR: {
		mamori_buf t = MAMORI_BUF_INIT;
		mg_to_display(v, &t); /* 'c' */
		if (t.len >= 2)
			mamori_buf_append(&b, t.data + 1, t.len - 2);
		mamori_buf_free(&t);
		break;
	}
	default:
		mamori_buf_free(&b);
		return NULL;
	}
	mg_value *r = (mg_value *)like(ev, v, MG_STRING);
	char *p = mamori_arena_alloc(&ev->arena, b.len + 1);
	memcpy(p, b.data, b.len);
	r->s.p = p;
	r->s.len = (uint32_t)b.len;
	mamori_buf_free(&b);
	return r;
}

/* the number of UTF-8 characters in s, and the first one */
static size_t utf8_chars(const char *s, size_t n, uint32_t *first)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) == 0x80)
			continue;
		if (count == 0) {
			uint32_t cp = c;
			size_t l = 0;
			if (c >= 0xF0)
				cp = c & 7, l = 3;
			else if (c >= 0xE0)
				cp = c & 0xF, l = 2;
			else if (c >= 0xC0)
				cp = c & 0x1F, l = 1;
			for (size_t k = 1; k <= l && i + k < n; k++)
				cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3F);
			*first = cp;
		}
		count++;
	}
	return count;
}

static const mg_value *to_char(mg_eval *ev, const mg_value *v)
{
	uint32_t c = 0;
	if (v->type == MG_STRING) {
		size_t n = utf8_chars(v->s.p, v->s.len, &c);
		if (n == 0)
			return NULL; /* cfn-guard drops "" rather than failing */
		if (n != 1)
			return failed(ev, "an string", v, "a char");
	} else if (v->type == MG_INT) {
		if (v->i < 0 || v->i > 9)
			return failed(ev, "an int", v, "a char");
		c = (uint32_t)('0' + v->i);
	} else if (v->type == MG_CHAR) {
		c = v->c;
	} else {
		return NULL;
	}
	mg_value *r = (mg_value *)like(ev, v, MG_CHAR);
	r->c = c;
	return r;
}

int mg_fn_parse_int(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	return convert_each(ev, &args[0], out, to_int);
}

int mg_fn_parse_float(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	return convert_each(ev, &args[0], out, to_float);
}

int mg_fn_parse_boolean(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	return convert_each(ev, &args[0], out, to_bool);
}

int mg_fn_parse_string(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	return convert_each(ev, &args[0], out, to_string);
}

int mg_fn_parse_char(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	return convert_each(ev, &args[0], out, to_char);
}
