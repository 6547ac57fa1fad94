/*
 * utf8.c — UTF-8 hygiene for text that came from scanned input.
 *
 * Resource names, log fields and rule messages end up in JSON, HTML, CSV and
 * SARIF.  Invalid UTF-8 would make those documents invalid, so every string
 * entering the finding model is sanitised here (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF).
 */
#include "internal.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Length of the valid sequence at s (1..4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	size_t len;
	uint32_t cp;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* Length of the valid prefix of s[0..len); a NUL ends it when nul_invalid.
 * ASCII, nearly all of what passes here, is checked 16 (SSE2) or 8 bytes
 * at a time. */
static size_t valid_prefix(const unsigned char *u, size_t len, bool nul_invalid)
{
	size_t i = 0;
	while (i < len) {
#if defined(__SSE2__)
		while (i + 16 <= len) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
			int m = _mm_movemask_epi8(x);
			if (nul_invalid)
				m |= _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128()));
			if (m)
				break;
			i += 16;
		}
#endif
		const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
		while (i + 8 <= len) {
			uint64_t x;
			memcpy(&x, u + i, 8);
			if ((x & high) || (nul_invalid && ((x - ones) & ~x & high)))
				break;
			i += 8;
		}
		if (i == len)
			break;
		size_t l = utf8_seq(u + i, len - i);
		if (l == 0 || (nul_invalid && u[i] == 0))
			break;
		i += l;
	}
	return i;
}

char *mamori_utf8_sanitize(mamori_arena *a, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = valid_prefix(u, len, true);
	if (i == len)
		return mamori_arena_strndup(a, s, len);
	mamori_buf out = MAMORI_BUF_INIT;
	mamori_buf_append(&out, s, i);
	while (i < len) {
		size_t l = u[i] ? utf8_seq(u + i, len - i) : 0;
		if (l == 0) {
			mamori_buf_puts(&out, "\xEF\xBF\xBD");
			i++;
		} else {
			mamori_buf_append(&out, s + i, l);
			i += l;
		}
	}
	char *r = mamori_arena_strndup(a, out.data, out.len);
	mamori_buf_free(&out);
	return r;
}

size_t mamori_utf8_invalid_at(const char *s, size_t len)
{
	return valid_prefix((const unsigned char *)s, len, false);
}

size_t mamori_utf8_prefix(const char *s, size_t max_chars)
{
	size_t chars = 0, i = 0;
	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == max_chars)
				break;
			chars++;
		}
		i++;
	}
	return i;
}
