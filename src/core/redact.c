/*
 * redact.c — keep secrets out of excerpts and logs.
 *
 * An excerpt shows the user where a file is broken; the file may be a
 * credentials file or a template with a password in it.  Any run of 16 or
 * more characters from the alphabets keys and tokens are written in (letters,
 * digits, + / = _ -) that mixes letters and digits is shown as its first four
 * characters followed by '*'s: enough to recognise, not enough to use.
 * Quoted values of keys named like secrets are masked whatever their shape.
 */
#include "internal.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static bool token_char(unsigned char c)
{
	return isalnum(c) || c == '+' || c == '/' || c == '=' || c == '_' || c == '-';
}

static bool looks_secret(const char *s, size_t n)
{
	if (n < 16)
		return false;
	bool alpha = false, digit = false;
	for (size_t i = 0; i < n; i++) {
		if (isalpha((unsigned char)s[i]))
			alpha = true;
		else if (isdigit((unsigned char)s[i]))
			digit = true;
	}
	/* words-with-dashes ("this-is-a-long-name") are not secrets; key material mixes */
	return alpha && digit;
}

static bool secret_key_name(const char *s, size_t n)
{
	static const char *const words[] = {"secret", "password", "passwd", "token", "apikey",
					    "api_key", "private", "credential"};
	for (size_t w = 0; w < sizeof words / sizeof *words; w++) {
		size_t wl = strlen(words[w]);
		for (size_t i = 0; i + wl <= n; i++)
			if (strncasecmp(s + i, words[w], wl) == 0)
				return true;
	}
	return false;
}

static void mask(mamori_buf *dst, const char *s, size_t n)
{
	size_t keep = n > 4 ? 4 : 0;
	mamori_buf_append(dst, s, keep);
	for (size_t i = keep; i < n; i++)
		mamori_buf_putc(dst, '*');
}

void mamori_redact_line(const char *src, size_t len, mamori_buf *dst)
{
	size_t i = 0;
	bool after_secret_key = false;
	while (i < len) {
		unsigned char c = (unsigned char)src[i];
		if (token_char(c)) {
			size_t j = i;
			while (j < len && token_char((unsigned char)src[j]))
				j++;
			if (after_secret_key || looks_secret(src + i, j - i)) {
				mask(dst, src + i, j - i);
				after_secret_key = false;
			} else {
				after_secret_key = secret_key_name(src + i, j - i);
				mamori_buf_append(dst, src + i, j - i);
			}
			i = j;
			continue;
		}
		/* a value follows a key after ':' or '=' and optional quotes/spaces */
		if (!(c == ':' || c == '=' || c == '"' || c == '\'' || c == ' '))
			after_secret_key = false;
		mamori_buf_putc(dst, (char)c);
		i++;
	}
}
