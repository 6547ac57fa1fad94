/*
 * report_yaml.c — cJSON trees printed as YAML (block style), for the
 * structured report and the parse tree, which cfn-guard prints as YAML on
 * request.  Strings are quoted whenever a plain scalar would be read back
 * as something else.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- how serde_yaml 0.9 (libyaml's emitter underneath) writes a string ----
 *
 * serde_yaml asks for a literal block when the string has a newline, for
 * single quotes when a plain scalar would read back as null, a bool or a
 * number (its own resolver: YAML 1.2 core, 0x/0o/0b ints, "0123" a
 * string), and for a plain scalar otherwise; libyaml then falls back to
 * single and double quotes by what the characters allow.  Width is
 * unlimited, so nothing is folded. */

static uint32_t utf8_at(const char *s, size_t n, size_t i, size_t *w)
{
	unsigned char c = (unsigned char)s[i];
	size_t l = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
	if (i + l > n)
		l = 1;
	uint32_t cp = l == 1 ? c : l == 2 ? (c & 0x1Fu) : l == 3 ? (c & 0x0Fu) : (c & 0x07u);
	for (size_t k = 1; k < l; k++)
		cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3Fu);
	*w = l;
	return cp;
}

static bool is_break(uint32_t c)
{
	return c == '\r' || c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

/* libyaml's IS_PRINTABLE: no C0/C1 controls (so no NEL) but \n, no BOM,
 * no U+FFFE/U+FFFF */
static bool is_printable(uint32_t c)
{
	return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) ||
	       (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF) || (c >= 0x10000 && c <= 0x10FFFF);
}

static bool is_blankz(uint32_t c)
{
	return c == ' ' || c == '\t' || c == 0 || is_break(c);
}

static bool all_digits(const char *s, size_t n, unsigned radix)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
			     : c >= 'a' && c <= 'z' ? (unsigned)(c - 'a' + 10)
			     : c >= 'A' && c <= 'Z' ? (unsigned)(c - 'A' + 10)
						    : 99;
		if (d >= radix)
			return false;
	}
	return true;
}

/* the digits (radix 2, 8 or 16) hold a value below 2^bits, or exactly
 * 2^bits when `or_equal` */
static bool fits_bits(const char *s, size_t n, unsigned radix, unsigned bits, bool or_equal)
{
	while (n > 1 && *s == '0')
		s++, n--;
	unsigned per = radix == 2 ? 1 : radix == 8 ? 3 : 4;
	unsigned d = (unsigned)(*s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10);
	unsigned top = 0;
	while (d >> top)
		top++;
	size_t used = (n - 1) * per + top;
	if (used <= bits)
		return true;
	if (!or_equal || used != bits + 1 || (d & (d - 1)))
		return false;
	for (size_t i = 1; i < n; i++)
		if (s[i] != '0')
			return false;
	return true;
}

/* serde_yaml's parse_unsigned_int / parse_negative_int on a 0x/0o/0b
 * literal (decimal ones are also floats, tested below) */
static bool radix_int(const char *s, size_t n)
{
	bool neg = false;
	if (n && *s == '+')
		s++, n--;
	else if (n && *s == '-')
		s++, n--, neg = true;
	if (n < 2 || s[0] != '0')
		return false;
	unsigned radix = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : s[1] == 'b' ? 2 : 0;
	if (!radix || !all_digits(s + 2, n - 2, radix))
		return false;
	return neg ? fits_bits(s + 2, n - 2, radix, 127, true) : fits_bits(s + 2, n - 2, radix, 128, false);
}

static bool word_in(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && memcmp(*words, s, n) == 0)
			return true;
	return false;
}

/* a plain scalar s would be read back by serde_yaml as something else */
static bool ambiguous(const char *s, size_t n)
{
	static const char *const special[] = {
		"~",	"null", "Null",	 "NULL",  "true",  "True",  "TRUE", "false", "False", "FALSE",
		".inf", ".Inf", ".INF",	 "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
		".NaN", ".NAN", NULL};
	if (!n || word_in(s, n, special) || radix_int(s, n))
		return true;
	/* leading zeros then digits: a string in YAML 1.2 */
	size_t k = (*s == '-' || *s == '+') ? 1 : 0;
	if (n - k > 1 && s[k] == '0' && all_digits(s + k + 1, n - k - 1, 10))
		return false;
	if (*s == '+' && n > 1 && (s[1] == '+' || s[1] == '-'))
		return false;
	double f;
	return mg_parse_f64(*s == '+' ? s + 1 : s, *s == '+' ? n - 1 : n, &f) && isfinite(f);
}

enum { STYLE_PLAIN, STYLE_SINGLE, STYLE_DOUBLE, STYLE_LITERAL };

static int scalar_style(const char *s, size_t n)
{
	bool plain = true, single = true, block = true;
	bool indicators = n >= 3 && (memcmp(s, "---", 3) == 0 || memcmp(s, "...", 3) == 0);
	bool special = false, breaks = false, prev_space = false, prev_break = false;
	bool preceded_ws = true;
	for (size_t i = 0, w; i < n; i += w) {
		uint32_t c = utf8_at(s, n, i, &w);
		size_t wn;
		bool followed_ws = i + w >= n || is_blankz(utf8_at(s, n, i + w, &wn));
		bool first = i == 0, last = i + w >= n;
		if (first) {
			if (c && strchr("#,[]{}&*!|>'\"%@`", (int)c) && c < 0x80)
				indicators = true;
			if ((c == '?' || c == ':' || c == '-') && followed_ws)
				indicators = true;
		} else if ((c == ':' && followed_ws) || (c == '#' && preceded_ws)) {
			indicators = true;
		}
		if (!is_printable(c))
			special = true;
		if (c == ' ') {
			if (first || last)
				plain = false;
			if (last)
				block = false;
			if (prev_break) /* break then space */
				plain = single = false;
			prev_space = true, prev_break = false;
		} else if (is_break(c)) {
			breaks = true;
			if (first || last)
				plain = false;
			if (prev_space) /* space then break */
				special = true;
			prev_break = true, prev_space = false;
		} else {
			prev_space = prev_break = false;
		}
		preceded_ws = is_blankz(c);
	}
	if (special)
		plain = single = block = false;
	if (breaks || indicators)
		plain = false;
	if (memchr(s, '\n', n))
		return block ? STYLE_LITERAL : STYLE_DOUBLE;
	if (plain && !ambiguous(s, n))
		return STYLE_PLAIN;
	return single ? STYLE_SINGLE : STYLE_DOUBLE;
}

static void double_quoted(const char *s, size_t n, mamori_buf *out)
{
	static const char from[] = {0, 7, 8, 9, 10, 11, 12, 13, 27, '"', '\\'};
	static const char *const to = "0abtnvfre\"\\";
	mamori_buf_putc(out, '"');
	for (size_t i = 0, w; i < n; i += w) {
		uint32_t c = utf8_at(s, n, i, &w);
		if (is_printable(c) && !is_break(c) && c != '"' && c != '\\') {
			mamori_buf_append(out, s + i, w);
			continue;
		}
		const char *e = c < 0x80 ? memchr(from, (int)c, sizeof from) : NULL;
		if (e)
			mamori_buf_printf(out, "\\%c", to[e - from]);
		else if (c == 0x85)
			mamori_buf_puts(out, "\\N");
		else if (c == 0x2028)
			mamori_buf_puts(out, "\\L");
		else if (c == 0x2029)
			mamori_buf_puts(out, "\\P");
		else if (c <= 0xFF)
			mamori_buf_printf(out, "\\x%02X", c);
		else if (c <= 0xFFFF)
			mamori_buf_printf(out, "\\u%04X", c);
		else
			mamori_buf_printf(out, "\\U%08X", c);
	}
	mamori_buf_putc(out, '"');
}

/* a break (\n written as is, LS and PS copied), then `ind` spaces before
 * the next character that is not a break */
static void put_char(const char *s, size_t i, size_t w, uint32_t c, int ind, bool *breaks,
		     mamori_buf *out)
{
	if (is_break(c)) {
		mamori_buf_append(out, s + i, w);
		*breaks = true;
		return;
	}
	if (*breaks)
		for (int k = 0; k < ind; k++)
			mamori_buf_putc(out, ' ');
	*breaks = false;
	mamori_buf_append(out, s + i, w);
}

/* the character before offset `end` */
static uint32_t char_before(const char *s, size_t end, size_t *start)
{
	size_t i = end - 1;
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	size_t w;
	*start = i;
	return utf8_at(s, end, i, &w);
}

/* |, |- or |+ (with an indentation hint when the text starts with a space
 * or a break), then the lines at `ind`; empty lines stay empty.  True when
 * the text ends with a break, so the next line is already begun. */
static bool literal(const char *s, size_t n, int ind, mamori_buf *out)
{
	size_t w, at;
	uint32_t first = utf8_at(s, n, 0, &w);
	mamori_buf_putc(out, '|');
	if (first == ' ' || is_break(first))
		mamori_buf_putc(out, '2');
	uint32_t last = char_before(s, n, &at);
	if (!is_break(last))
		mamori_buf_putc(out, '-');
	else if (at == 0 || is_break(char_before(s, at, &at)))
		mamori_buf_putc(out, '+');
	mamori_buf_putc(out, '\n');
	bool breaks = true;
	for (size_t i = 0; i < n; i += w) {
		uint32_t c = utf8_at(s, n, i, &w);
		put_char(s, i, w, c, ind, &breaks, out);
	}
	return breaks;
}

/* 'text' with quotes doubled; a line or paragraph separator starts a new
 * line indented by `ind` */
static void single_quoted(const char *s, size_t n, int ind, mamori_buf *out)
{
	mamori_buf_putc(out, '\'');
	bool breaks = false;
	size_t w;
	for (size_t i = 0; i < n; i += w) {
		uint32_t c = utf8_at(s, n, i, &w);
		put_char(s, i, w, c, ind, &breaks, out);
		if (c == '\'')
			mamori_buf_putc(out, '\'');
	}
	if (breaks)
		for (int k = 0; k < ind; k++)
			mamori_buf_putc(out, ' ');
	mamori_buf_putc(out, '\'');
}

/* true when the scalar ended a line itself */
static bool string_scalar(const char *s, int ind, mamori_buf *out)
{
	size_t n = strlen(s);
	switch (scalar_style(s, n)) {
	case STYLE_PLAIN:
		mamori_buf_append(out, s, n);
		break;
	case STYLE_SINGLE:
		single_quoted(s, n, ind, out);
		break;
	case STYLE_LITERAL:
		return literal(s, n, ind, out);
	default:
		double_quoted(s, n, out);
	}
	return false;
}

/* libyaml writes a key as "key:" when it is at most 128 bytes long and has
 * no line break */
static bool simple_key(const char *s)
{
	size_t n = strlen(s), w;
	if (n > 128)
		return false;
	for (size_t i = 0; i < n; i += w)
		if (is_break(utf8_at(s, n, i, &w)))
			return false;
	return true;
}

/* a scalar value; `ind` is where the lines of a literal block go */
static bool scalar(const cJSON *v, int ind, mamori_buf *out)
{
	if (cJSON_IsString(v)) {
		return string_scalar(v->valuestring, ind, out);
	} else if (cJSON_IsRaw(v)) {
		mamori_buf_puts(out, v->valuestring); /* an exact number */
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d == floor(d) && fabs(d) < 1e15)
			mamori_buf_printf(out, "%.0f", d);
		else
			mamori_buf_printf(out, "%.17g", d);
	} else if (cJSON_IsBool(v)) {
		mamori_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
	} else {
		mamori_buf_puts(out, "null");
	}
	return false;
}

/* a scalar, then the end of its line */
static void scalar_line(const cJSON *v, int ind, mamori_buf *out)
{
	if (!scalar(v, ind, out))
		mamori_buf_putc(out, '\n');
}

static void indent(mamori_buf *out, int n)
{
	for (int i = 0; i < n; i++)
		mamori_buf_putc(out, ' ');
}

static bool is_empty_container(const cJSON *v)
{
	return (cJSON_IsArray(v) || cJSON_IsObject(v)) && !v->child;
}

static void emit(const cJSON *v, mamori_buf *out, int ind, int depth);

static void emit_value_after_key(const cJSON *v, mamori_buf *out, int ind, int depth)
{
	if (is_empty_container(v)) {
		mamori_buf_puts(out, cJSON_IsArray(v) ? " []\n" : " {}\n");
	} else if (cJSON_IsObject(v)) {
		mamori_buf_putc(out, '\n');
		emit(v, out, ind + 2, depth + 1);
	} else if (cJSON_IsArray(v)) {
		/* serde_yaml style: a sequence under a key is not indented further */
		mamori_buf_putc(out, '\n');
		emit(v, out, ind, depth + 1);
	} else {
		mamori_buf_putc(out, ' ');
		scalar_line(v, ind + 2, out);
	}
}

static void emit(const cJSON *v, mamori_buf *out, int ind, int depth)
{
	if (depth > 200) {
		indent(out, ind);
		mamori_buf_puts(out, "null\n");
		return;
	}
	if (cJSON_IsObject(v)) {
		for (const cJSON *c = v->child; c; c = c->next) {
			indent(out, ind);
			if (simple_key(c->string)) {
				string_scalar(c->string, ind + 2, out);
			} else {
				/* "? key" on its own, then ":" on the next line */
				mamori_buf_puts(out, "? ");
				if (!string_scalar(c->string, ind + 2, out))
					mamori_buf_putc(out, '\n');
				indent(out, ind);
			}
			mamori_buf_putc(out, ':');
			emit_value_after_key(c, out, ind, depth);
		}
	} else if (cJSON_IsArray(v)) {
		for (const cJSON *c = v->child; c; c = c->next) {
			indent(out, ind);
			mamori_buf_puts(out, "-");
			if (is_empty_container(c)) {
				mamori_buf_puts(out, cJSON_IsArray(c) ? " []\n" : " {}\n");
			} else if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
				/* first entry on the dash line, the rest aligned under it */
				mamori_buf sub = MAMORI_BUF_INIT;
				emit(c, &sub, ind + 2, depth + 1);
				mamori_buf_putc(out, ' ');
				mamori_buf_append(out, sub.data + ind + 2, sub.len - (size_t)(ind + 2));
				mamori_buf_free(&sub);
			} else {
				mamori_buf_putc(out, ' ');
				scalar_line(c, ind + 2, out);
			}
		}
	} else {
		indent(out, ind);
		scalar_line(v, ind + 2, out);
	}
}

void mg_report_yaml(const cJSON *v, mamori_buf *out)
{
	if (is_empty_container(v)) {
		mamori_buf_puts(out, cJSON_IsArray(v) ? "[]\n" : "{}\n");
		return;
	}
	emit(v, out, 0, 0);
}
