/*
 * fn_strings.c — string functions: json_parse, regex_replace, join,
 * substring, to_lower, to_upper, url_decode.
 *
 * Each maps over the values of its first argument and drops what is not a
 * string (cfn-guard returns "None" for them), except join, which refuses
 * anything but strings.  Results keep the path of the value they came from,
 * so evidence still points into the template.
 */
#include "functions.h"
#include "load.h"

#include <stdio.h>
#include <string.h>

static const mg_value *str_result(mg_eval *ev, const mg_value *from, const char *s, size_t n)
{
	mg_value *v = mg_new_like(&ev->arena, from, MG_STRING);
	char *p = mamori_arena_alloc(&ev->arena, n + 1);
	memcpy(p, s, n);
	v->s.p = p;
	v->s.len = (uint32_t)n;
	return v;
}

/* args[i][0] as a string (cfn-guard indexes the first value and insists on a string) */
static int arg_string(mg_eval *ev, const mg_qvec *a, const char *fn, const char *which,
		      const mg_value **out)
{
	if (!a->n || a->v[0].kind == MG_QR_UNRESOLVED || a->v[0].v->type != MG_STRING)
		return mg_eval_error(ev, "%s function requires the %s argument to be a string", fn,
				     which);
	*out = a->v[0].v;
	return 0;
}

int mg_fn_json_parse(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	for (uint32_t i = 0; i < args[0].n; i++) {
		const mg_qres *e = &args[0].v[i];
		if (e->kind == MG_QR_UNRESOLVED || e->v->type != MG_STRING)
			continue;
		mamori_buf where = MAMORI_BUF_INIT;
		mamori_buf_puts(&where, "json_parse(");
		mg_path(e->v, &where);
		mamori_buf_putc(&where, ')');
		mg_docs docs;
		int rc = mg_load(ev->ctx, where.data, e->v->s.p, e->v->s.len, &ev->arena, &docs);
		mamori_buf_free(&where);
		if (rc)
			return mg_eval_error(ev, "%s", mamori_error_last(ev->ctx)->message);
		mg_value *root = docs.roots[0];
		root->parent = e->v->parent;
		root->idx = e->v->idx;
		root->line = e->v->line;
		root->col = e->v->col;
		mg_qvec_push(ev, out, MG_QR_RESOLVED, root, NULL);
	}
	return 0;
}

int mg_fn_regex_replace(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	const mg_value *pat = NULL, *rep = NULL;
	if (arg_string(ev, &args[1], "regex_replace", "second", &pat) ||
	    arg_string(ev, &args[2], "regex_replace", "third", &rep))
		return -1;
	void *code = NULL;
	bool compiled = false;
	for (uint32_t i = 0; i < args[0].n; i++) {
		const mg_qres *e = &args[0].v[i];
		if (e->kind == MG_QR_UNRESOLVED || e->v->type != MG_STRING)
			continue;
		if (!compiled) {
			code = mg_rx_dynamic(ev->rx, pat->s.p, pat->s.len);
			compiled = true;
			if (!code)
				return mg_eval_error(ev,
						     "Regex expression parse error for rules file: "
						     "%.*s",
						     (int)pat->s.len, pat->s.p);
		}
		mamori_buf b = MAMORI_BUF_INIT;
		mg_buf_ready(&b, 16);
		if (mg_regex_replace(ev->rx, code, e->v->s.p, e->v->s.len, rep->s.p, rep->s.len,
				     &b)) {
			mamori_buf_free(&b);
			return mg_eval_error(ev, "regex_replace: the pattern could not be evaluated");
		}
		mg_qvec_push(ev, out, MG_QR_RESOLVED, str_result(ev, e->v, b.data, b.len), NULL);
		mamori_buf_free(&b);
	}
	return 0;
}

int mg_fn_join(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	const mg_qvec *d = &args[1];
	mamori_buf delim = MAMORI_BUF_INIT;
	mg_buf_ready(&delim, 4);
	if (!d->n || d->v[0].kind == MG_QR_UNRESOLVED ||
	    (d->v[0].v->type != MG_STRING && d->v[0].v->type != MG_CHAR)) {
		mamori_buf_free(&delim);
		return mg_eval_error(ev,
				     "join function requires the second argument to be either a char "
				     "or string");
	}
	if (d->v[0].v->type == MG_STRING) {
		mamori_buf_append(&delim, d->v[0].v->s.p, d->v[0].v->s.len);
	} else {
		/* the display form of a character is 'c': keep the character only */
		mamori_buf tmp = MAMORI_BUF_INIT;
		mg_to_display(d->v[0].v, &tmp);
		if (tmp.len >= 2)
			mamori_buf_append(&delim, tmp.data + 1, tmp.len - 2);
		mamori_buf_free(&tmp);
	}
	mamori_buf b = MAMORI_BUF_INIT;
	mg_buf_ready(&b, 64);
	const mg_value *first = NULL;
	for (uint32_t i = 0; i < args[0].n; i++) {
		const mg_qres *e = &args[0].v[i];
		if (e->kind == MG_QR_UNRESOLVED) {
			mamori_buf_free(&b);
			mamori_buf_free(&delim);
			return mg_eval_error(ev,
					     "Types or variable assignments are incompatible `Joining "
					     "unresolved values is not allowed`");
		}
		if (e->v->type != MG_STRING) {
			mamori_buf p = MAMORI_BUF_INIT;
			mg_path(e->v, &p);
			mg_eval_error(ev,
				      "Types or variable assignments are incompatible `Joining non "
				      "string values Path=%s`",
				      p.data ? p.data : "");
			mamori_buf_free(&p);
			mamori_buf_free(&b);
			mamori_buf_free(&delim);
			return -1;
		}
		if (!first)
			first = e->v;
		mamori_buf_append(&b, e->v->s.p, e->v->s.len);
		if (i + 1 < args[0].n)
			mamori_buf_append(&b, delim.data, delim.len);
	}
	mg_qvec_push(ev, out, MG_QR_RESOLVED, str_result(ev, first, b.data, b.len), NULL);
	mamori_buf_free(&b);
	mamori_buf_free(&delim);
	return 0;
}

/* Rust's `n as u16` on the first value of an argument */
static int arg_u16(mg_eval *ev, const mg_qvec *a, const char *which, size_t *out)
{
	if (!a->n || a->v[0].kind == MG_QR_UNRESOLVED)
		goto bad;
	const mg_value *v = a->v[0].v;
	if (v->type == MG_INT) {
		*out = (uint16_t)(uint64_t)v->i;
		return 0;
	}
	if (v->type == MG_FLOAT) {
		double f = v->f;
		*out = f != f || f <= 0 ? 0 : f >= 65535.0 ? 65535 : (size_t)f;
		return 0;
	}
bad:
	return mg_eval_error(ev, "substring function requires the %s argument to be a number", which);
}

int mg_fn_substring(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	size_t from, to;
	if (arg_u16(ev, &args[1], "second", &from) || arg_u16(ev, &args[2], "third", &to))
		return -1;
	for (uint32_t i = 0; i < args[0].n; i++) {
		const mg_qres *e = &args[0].v[i];
		if (e->kind == MG_QR_UNRESOLVED || e->v->type != MG_STRING)
			continue;
		const char *s = e->v->s.p;
		size_t len = e->v->s.len;
		if (!len || from >= to || from > len || to > len)
			continue;
		/* byte offsets, as cfn-guard slices; it aborts inside a character */
		if ((from < len && ((unsigned char)s[from] & 0xC0) == 0x80) ||
		    (to < len && ((unsigned char)s[to] & 0xC0) == 0x80))
			return mg_eval_error(ev, "substring: byte index %zu is not a character "
						 "boundary",
					     ((unsigned char)s[from] & 0xC0) == 0x80 ? from : to);
		mg_qvec_push(ev, out, MG_QR_RESOLVED, str_result(ev, e->v, s + from, to - from),
			     NULL);
	}
	return 0;
}

/* Upper/lower case for the scripts property names and values use. */
static uint32_t case_map(uint32_t c, bool up)
{
	if (up) {
		if (c >= 'a' && c <= 'z')
			return c - 32;
		if ((c >= 0xE0 && c <= 0xFE && c != 0xF7) || (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) ||
		    (c >= 0x430 && c <= 0x44F))
			return c - 32;
		if (c >= 0x450 && c <= 0x45F)
			return c - 80;
		if (c >= 0x100 && c <= 0x17F && (c & 1) && c != 0x131 && c != 0x138 && c != 0x149)
			return c - 1;
	} else {
		if (c >= 'A' && c <= 'Z')
			return c + 32;
		if ((c >= 0xC0 && c <= 0xDE && c != 0xD7) || (c >= 0x391 && c <= 0x3A9) ||
		    (c >= 0x410 && c <= 0x42F))
			return c + 32;
		if (c >= 0x400 && c <= 0x40F)
			return c + 80;
		if (c >= 0x100 && c <= 0x17F && !(c & 1) && c != 0x130 && c != 0x138)
			return c + 1;
	}
	return c;
}

static void put_cp(mamori_buf *b, uint32_t c)
{
	char t[4];
	if (c < 0x80) {
		mamori_buf_putc(b, (char)c);
	} else if (c < 0x800) {
		t[0] = (char)(0xC0 | (c >> 6));
		t[1] = (char)(0x80 | (c & 0x3F));
		mamori_buf_append(b, t, 2);
	} else if (c < 0x10000) {
		t[0] = (char)(0xE0 | (c >> 12));
		t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		t[2] = (char)(0x80 | (c & 0x3F));
		mamori_buf_append(b, t, 3);
	} else {
		t[0] = (char)(0xF0 | (c >> 18));
		t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
		t[2] = (char)(0x80 | ((c >> 6) & 0x3F));
		t[3] = (char)(0x80 | (c & 0x3F));
		mamori_buf_append(b, t, 4);
	}
}

static int change_case(mg_eval *ev, mg_qvec *args, mg_qvec *out, bool up)
{
	for (uint32_t i = 0; i < args[0].n; i++) {
		const mg_qres *e = &args[0].v[i];
		if (e->kind == MG_QR_UNRESOLVED || e->v->type != MG_STRING)
			continue;
		const unsigned char *s = (const unsigned char *)e->v->s.p;
		size_t n = e->v->s.len;
		mamori_buf b = MAMORI_BUF_INIT;
		mg_buf_ready(&b, n + 1);
		for (size_t k = 0; k < n;) {
			uint32_t c = s[k];
			size_t l = 1;
			if (c >= 0xF0 && k + 3 < n) {
				c = ((c & 7u) << 18) | ((s[k + 1] & 0x3Fu) << 12) |
				    ((s[k + 2] & 0x3Fu) << 6) | (s[k + 3] & 0x3Fu);
				l = 4;
			} else if (c >= 0xE0 && k + 2 < n) {
				c = ((c & 0xFu) << 12) | ((s[k + 1] & 0x3Fu) << 6) | (s[k + 2] & 0x3Fu);
				l = 3;
			} else if (c >= 0xC0 && k + 1 < n) {
				c = ((c & 0x1Fu) << 6) | (s[k + 1] & 0x3Fu);
				l = 2;
			}
			put_cp(&b, case_map(c, up));
			k += l;
		}
		mg_qvec_push(ev, out, MG_QR_RESOLVED, str_result(ev, e->v, b.data, b.len), NULL);
		mamori_buf_free(&b);
	}
	return 0;
}

int mg_fn_to_lower(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	return change_case(ev, args, out, false);
}

int mg_fn_to_upper(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	return change_case(ev, args, out, true);
}


static bool valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		size_t l = c < 0x80 ? 1 : (c >= 0xC2 && c <= 0xDF) ? 2 : (c >= 0xE0 && c <= 0xEF) ? 3
					  : (c >= 0xF0 && c <= 0xF4)		 ? 4
										 : 0;
		if (!l || i + l > n)
			return false;
		for (size_t k = 1; k < l; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += l;
	}
	return true;
}

int mg_fn_url_decode(mg_eval *ev, const mg_call *call, mg_qvec *args, mg_qvec *out)
{
	(void)call;
	for (uint32_t i = 0; i < args[0].n; i++) {
		const mg_qres *e = &args[0].v[i];
		if (e->kind == MG_QR_UNRESOLVED || e->v->type != MG_STRING)
			continue;
		const char *s = e->v->s.p;
		size_t n = e->v->s.len;
		mamori_buf b = MAMORI_BUF_INIT;
		mg_buf_ready(&b, n + 1);
		for (size_t k = 0; k < n; k++) {
			int h, l;
			if (s[k] == '%' && k + 2 < n && (h = mamori_hex_digit((unsigned char)s[k + 1])) >= 0 &&
			    (l = mamori_hex_digit((unsigned char)s[k + 2])) >= 0) {
				mamori_buf_putc(&b, (char)(h * 16 + l));
				k += 2;
			} else {
				mamori_buf_putc(&b, s[k]);
			}
		}
		if (valid_utf8((const unsigned char *)b.data, b.len))
			mg_qvec_push(ev, out, MG_QR_RESOLVED, str_result(ev, e->v, b.data, b.len),
				     NULL);
		mamori_buf_free(&b);
	}
	return 0;
}
