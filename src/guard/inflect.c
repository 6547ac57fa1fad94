/*
 * inflect.c — the key-case fallback of cfn-guard's queries.
 *
 * When a key is missing from a map, cfn-guard retries it converted by the
 * Rust `inflector` crate to camelCase, ClassCase, kebab-case, PascalCase,
 * snake_case, Title Case and Train-Case, in that order, and keeps the first
 * conversion that hits for the rest of the query.  That is why a rule
 * written as `configuration.BucketName` also reads a Config item's
 * `bucketName`.  The conversions below reproduce the crate's algorithms for
 * ASCII keys (bytes >= 0x80 count as letters without case); ClassCase's
 * singularisation of the last word uses the common English rules only.
 */
#include "inflect.h"

#include "value.h"

#include <string.h>

static bool alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c >= 0x80;
}

static bool lower(unsigned char c)
{
	return c >= 'a' && c <= 'z';
}

static bool upper(unsigned char c)
{
	return c >= 'A' && c <= 'Z';
}

static char to_low(unsigned char c)
{
	return upper(c) ? (char)(c - 'A' + 'a') : (char)c;
}

static char to_up(unsigned char c)
{
	return lower(c) ? (char)(c - 'a' + 'A') : (char)c;
}

/* trim_end_matches(!alphanumeric) */
static size_t trimmed(const char *s, size_t n)
{
	while (n && !alnum((unsigned char)s[n - 1]))
		n--;
	return n;
}

typedef struct camel_opts {
	bool new_word;
	bool first_word;
	char injectable;
	bool has_sep;
} camel_opts;

static void camel_like(const char *s, size_t n, camel_opts o, mamori_buf *out)
{
	bool new_word = o.new_word, first_word = o.first_word, found = false;
	unsigned char last = ' ';
	n = trimmed(s, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!alnum(c) && found) {
			new_word = true;
		} else if (!found && !alnum(c)) {
			continue;
		} else if (c >= '0' && c <= '9') {
			found = true;
			new_word = true;
			mamori_buf_putc(out, (char)c);
		} else if (new_word || (lower(last) && upper(c))) {
			found = true;
			new_word = false;
			if (o.has_sep && !first_word)
				mamori_buf_putc(out, o.injectable);
			mamori_buf_putc(out, to_up(c));
			first_word = false;
		} else {
			found = true;
			last = c;
			mamori_buf_putc(out, to_low(c));
		}
	}
}

/* char_is_uppercase in the crate: c == c.to_ascii_uppercase(), digits included */
static bool crate_upper(unsigned char c)
{
	return !lower(c);
}

static void snake_like(const char *s, size_t full, char sep, mamori_buf *out)
{
	size_t n = trimmed(s, full);
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!alnum(c)) {
			if (!first) {
				first = true;
				mamori_buf_putc(out, sep);
			}
			continue;
		}
		bool next_low = i + 1 < full && lower((unsigned char)s[i + 1]);
		bool prev_low = i > 0 && lower((unsigned char)s[i - 1]);
		if (!first && crate_upper(c) && (next_low || prev_low))
			mamori_buf_putc(out, sep);
		first = false;
		mamori_buf_putc(out, to_low(c));
	}
}

static bool ends(const char *s, size_t n, const char *suf)
{
	size_t l = strlen(suf);
	return n >= l && memcmp(s + n - l, suf, l) == 0;
}

/* the common English plural endings, enough for property names */
static void singular(const char *s, size_t n, mamori_buf *out)
{
	if (n > 3 && ends(s, n, "ies")) {
		mamori_buf_append(out, s, n - 3);
		mamori_buf_putc(out, 'y');
	} else if (n > 4 && (ends(s, n, "sses") || ends(s, n, "shes") || ends(s, n, "ches") ||
			     ends(s, n, "xes") || ends(s, n, "zes"))) {
		mamori_buf_append(out, s, n - 2);
	} else if (n > 1 && s[n - 1] == 's' && !ends(s, n, "ss") && !ends(s, n, "us") &&
		   !ends(s, n, "is")) {
		mamori_buf_append(out, s, n - 1);
	} else {
		mamori_buf_append(out, s, n);
	}
}

void mg_inflect(int conv, const char *s, size_t n, mamori_buf *out)
{
	switch (conv) {
	case MG_CONV_CAMEL:
		camel_like(s, n, (camel_opts){false, false, ' ', false}, out);
		break;
	case MG_CONV_CLASS: {
		mamori_buf tmp = MAMORI_BUF_INIT;
		camel_like(s, n, (camel_opts){true, false, ' ', false}, &tmp);
		size_t split = 0;
		for (size_t i = 0; i < tmp.len; i++)
			if (upper((unsigned char)tmp.data[i]))
				split = i;
		if (tmp.len) {
			mamori_buf_append(out, tmp.data, split);
			singular(tmp.data + split, tmp.len - split, out);
		}
		mamori_buf_free(&tmp);
		break;
	}
	case MG_CONV_KEBAB:
		snake_like(s, n, '-', out);
		break;
	case MG_CONV_PASCAL:
		camel_like(s, n, (camel_opts){true, false, ' ', false}, out);
		break;
	case MG_CONV_SNAKE:
		snake_like(s, n, '_', out);
		break;
	case MG_CONV_TITLE:
		camel_like(s, n, (camel_opts){true, true, ' ', true}, out);
		break;
	case MG_CONV_TRAIN:
		camel_like(s, n, (camel_opts){true, true, '-', true}, out);
		break;
	default:
		mamori_buf_append(out, s, n);
	}
	if (!out->data)
		mg_buf_ready(out, 1);
}
