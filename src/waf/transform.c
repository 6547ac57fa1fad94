/*
 * transform.c — AWS WAF's text transformations.
 *
 * Each transformation maps a byte string to another, never reading past its
 * input and never writing more than waf_tx_bound() bytes, so that the engine
 * can size one output buffer up front.  The semantics follow AWS's
 * documentation (which follows ModSecurity's transformation functions of the
 * same names); where AWS is vague the choice is the one that decodes more,
 * since transformations exist to undo an attacker's encoding.
 *
 * The engine applies a statement's transformations in priority order and
 * caches every intermediate result per request (see waf_internal.h).
 */
#include "waf_internal.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

static const char *const tx_names[TX_COUNT] = {
	"NONE",			"COMPRESS_WHITE_SPACE", "HTML_ENTITY_DECODE", "LOWERCASE",
	"CMD_LINE",		"URL_DECODE",		"BASE64_DECODE",      "HEX_DECODE",
	"MD5",			"REPLACE_COMMENTS",	"ESCAPE_SEQ_DECODE",  "SQL_HEX_DECODE",
	"CSS_DECODE",		"JS_DECODE",		"NORMALIZE_PATH",     "NORMALIZE_PATH_WIN",
	"REMOVE_NULLS",		"REPLACE_NULLS",	"BASE64_DECODE_EXT",  "URL_DECODE_UNI",
	"UTF8_TO_UNICODE",
};

int waf_tx_parse(const char *name)
{
	for (int i = 0; i < TX_COUNT; i++)
		if (strcmp(name, tx_names[i]) == 0)
			return i;
	return -1;
}

const char *waf_tx_name(int tx)
{
	return tx >= 0 && tx < TX_COUNT ? tx_names[tx] : "?";
}

size_t waf_tx_bound(int tx, size_t n)
{
	switch (tx) {
	case TX_MD5:
		return 16;
	case TX_UTF8_TO_UNICODE:
		return 3 * n + 1; /* a 2-byte sequence becomes 6 bytes */
	default:
		return n + 1;
	}
}


static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

size_t waf_utf8_put(unsigned char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | (cp >> 6));
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | (cp >> 12));
		out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	if (cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp > 0xFFFF && cp <= 0x10FFFF) {
		out[0] = (unsigned char)(0xF0 | (cp >> 18));
		out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (unsigned char)(0x80 | (cp & 0x3F));
		return 4;
	}
	return waf_utf8_put(out, 0xFFFD);
}

/* %uXXXX: full-width ASCII (U+FF01..U+FF5E) folds to ASCII, as IIS did. */
static size_t put_unicode(unsigned char *out, uint32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		cp -= 0xFEE0;
	return waf_utf8_put(out, cp);
}

size_t waf_url_decode(const unsigned char *in, size_t n, unsigned char *out, bool plus, bool uni)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = in[i];
		if (c == '%' && i + 2 < n && mamori_hex_digit(in[i + 1]) >= 0 &&
		    mamori_hex_digit(in[i + 2]) >= 0) {
			out[o++] = (unsigned char)(mamori_hex_digit(in[i + 1]) << 4 | mamori_hex_digit(in[i + 2]));
			i += 2;
		} else if (uni && c == '%' && i + 5 < n && (in[i + 1] | 0x20) == 'u' &&
			   mamori_hex_digit(in[i + 2]) >= 0 && mamori_hex_digit(in[i + 3]) >= 0 &&
			   mamori_hex_digit(in[i + 4]) >= 0 && mamori_hex_digit(in[i + 5]) >= 0) {
			uint32_t cp = (uint32_t)(mamori_hex_digit(in[i + 2]) << 12 | mamori_hex_digit(in[i + 3]) << 8 |
						 mamori_hex_digit(in[i + 4]) << 4 | mamori_hex_digit(in[i + 5]));
			o += put_unicode(out + o, cp);
			i += 5;
		} else if (plus && c == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = c;
		}
	}
	return o;
}

/* Named character references worth knowing: those an attacker uses to hide
 * markup and script syntax, and the common ones. */
static const struct {
	const char *name;
	uint32_t cp;
} entities[] = {
	{"quot", '"'},	   {"amp", '&'},	{"lt", '<'},	     {"gt", '>'},
	{"nbsp", 0xA0},	   {"apos", '\''},	{"tab", '\t'},	     {"newline", '\n'},
	{"colon", ':'},	   {"semi", ';'},	{"lpar", '('},	     {"rpar", ')'},
	{"lsqb", '['},	   {"rsqb", ']'},	{"lbrack", '['},     {"rbrack", ']'},
	{"lcub", '{'},	   {"rcub", '}'},	{"lbrace", '{'},     {"rbrace", '}'},
	{"comma", ','},	   {"period", '.'},	{"sol", '/'},	     {"bsol", '\\'},
	{"excl", '!'},	   {"num", '#'},	{"dollar", '$'},     {"percnt", '%'},
	{"ast", '*'},	   {"plus", '+'},	{"equals", '='},     {"quest", '?'},
	{"commat", '@'},   {"grave", '`'},	{"verbar", '|'},     {"vert", '|'},
	{"lowbar", '_'},   {"hat", '^'},	{"tilde", '~'},	     {"dash", '-'},
	{"hyphen", '-'},   {"copy", 0xA9},	{"reg", 0xAE},	     {"shy", 0xAD},
};

size_t waf_html_decode(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] != '&' || i + 1 >= n) {
			out[o++] = in[i];
			continue;
		}
		size_t j = i + 1;
		if (in[j] == '#') {
			j++;
			bool hex = j < n && (in[j] | 0x20) == 'x';
			if (hex)
				j++;
			size_t start = j;
			uint32_t cp = 0;
			while (j < n && (hex ? mamori_hex_digit(in[j]) >= 0 : (in[j] >= '0' && in[j] <= '9'))) {
				if (cp < 0x110000)
					cp = cp * (hex ? 16 : 10) + (uint32_t)mamori_hex_digit(in[j]);
				j++;
			}
			if (j == start) {
				out[o++] = in[i];
				continue;
			}
			if (j < n && in[j] == ';')
				j++;
			/* the replacement is never longer than the reference */
			size_t len = j - i;
			unsigned char tmp[4];
			size_t k = waf_utf8_put(tmp, cp ? cp : 0xFFFD);
			if (cp == 0) {
				tmp[0] = 0;
				k = 1;
			}
			if (k > len) {
				out[o++] = in[i];
				continue;
			}
			memcpy(out + o, tmp, k);
			o += k;
			i = j - 1;
			continue;
		}
		size_t start = j;
		while (j < n && j - start < 10 &&
		       ((in[j] | 0x20) >= 'a' && (in[j] | 0x20) <= 'z'))
			j++;
		size_t len = j - start;
		bool found = false;
		for (size_t e = 0; len && e < sizeof entities / sizeof *entities; e++) {
			if (strlen(entities[e].name) == len &&
			    strncasecmp(entities[e].name, (const char *)in + start, len) == 0) {
				unsigned char tmp[4];
				size_t k = waf_utf8_put(tmp, entities[e].cp);
				size_t end = j < n && in[j] == ';' ? j + 1 : j;
				if (k <= end - i) {
					memmove(out + o, tmp, k);
					o += k;
					i = end - 1;
					found = true;
				}
				break;
			}
		}
		if (!found)
			out[o++] = in[i];
	}
	return o;
}

static size_t compress_ws(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	bool sp = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = in[i];
		bool w = is_ws(c) || c == 0xA0;
		/* U+00A0 in UTF-8 */
		if (!w && c == 0xC2 && i + 1 < n && in[i + 1] == 0xA0) {
			w = true;
			i++;
		}
		if (w) {
			if (!sp)
				out[o++] = ' ';
			sp = true;
		} else {
			out[o++] = c;
			sp = false;
		}
	}
	return o;
}

static size_t cmd_line(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	bool sp = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = in[i];
		if (c == '\\' || c == '"' || c == '\'' || c == '^')
			continue;
		if (c == ',' || c == ';' || is_ws(c)) {
			if (!sp)
				out[o++] = ' ';
			sp = true;
			continue;
		}
		if ((c == '/' || c == '(') && sp && o > 0)
			o--; /* no space before / or ( */
		out[o++] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		sp = false;
	}
	return o;
}

static int b64val(unsigned char c, bool url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || (url && c == '-'))
		return 62;
	if (c == '/' || (url && c == '_'))
		return 63;
	return -1;
}

/* Strict: stops at the first character outside the alphabet (or '=').
 * Forgiving (ext): skips anything outside the alphabet. */
static size_t base64_decode(const unsigned char *in, size_t n, unsigned char *out, bool ext)
{
	size_t o = 0;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64val(in[i], ext);
		if (v < 0) {
			if (ext && in[i] != '=')
				continue;
			break;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	return o;
}

static size_t hex_decode(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i + 1 < n; i += 2) {
		int a = mamori_hex_digit(in[i]), b = mamori_hex_digit(in[i + 1]);
		if (a < 0 || b < 0)
			break;
		out[o++] = (unsigned char)(a << 4 | b);
	}
	return o;
}

static size_t md5(const unsigned char *in, size_t n, unsigned char *out)
{
	unsigned int len = 0;
	EVP_Digest(in, n, out, &len, EVP_md5(), NULL);
	return len;
}

static size_t replace_comments(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '/' && i + 1 < n && in[i + 1] == '*') {
			size_t j = i + 2;
			while (j + 1 < n && !(in[j] == '*' && in[j + 1] == '/'))
				j++;
			out[o++] = ' ';
			i = j + 1 < n ? j + 1 : n;
			continue;
		}
		out[o++] = in[i];
	}
	return o;
}

static size_t escape_seq_decode(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] != '\\' || i + 1 >= n) {
			out[o++] = in[i];
			continue;
		}
		unsigned char c = in[i + 1];
		static const char from[] = "abfnrtv\\?'\"";
		static const char to[] = "\a\b\f\n\r\t\v\\?'\"";
		const char *p = c ? strchr(from, c) : NULL;
		if (p) {
			out[o++] = (unsigned char)to[p - from];
			i++;
		} else if ((c == 'x' || c == 'X') && i + 3 < n && mamori_hex_digit(in[i + 2]) >= 0 &&
			   mamori_hex_digit(in[i + 3]) >= 0) {
			out[o++] = (unsigned char)(mamori_hex_digit(in[i + 2]) << 4 | mamori_hex_digit(in[i + 3]));
			i += 3;
		} else if (c >= '0' && c <= '7') {
			unsigned v = 0;
			size_t j = i + 1;
			while (j < n && j < i + 4 && in[j] >= '0' && in[j] <= '7')
				v = v * 8 + (in[j++] - '0');
			out[o++] = (unsigned char)v;
			i = j - 1;
		} else {
			out[o++] = c;
			i++;
		}
	}
	return o;
}

static size_t sql_hex_decode(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '0' && i + 3 < n && (in[i + 1] | 0x20) == 'x' && mamori_hex_digit(in[i + 2]) >= 0 &&
		    mamori_hex_digit(in[i + 3]) >= 0) {
			size_t j = i + 2;
			while (j + 1 < n && mamori_hex_digit(in[j]) >= 0 && mamori_hex_digit(in[j + 1]) >= 0) {
				out[o++] = (unsigned char)(mamori_hex_digit(in[j]) << 4 | mamori_hex_digit(in[j + 1]));
				j += 2;
			}
			i = j - 1;
			continue;
		}
		out[o++] = in[i];
	}
	return o;
}

static size_t css_decode(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] != '\\' || i + 1 >= n) {
			out[o++] = in[i];
			continue;
		}
		size_t j = i + 1;
		uint32_t cp = 0;
		while (j < n && j < i + 7 && mamori_hex_digit(in[j]) >= 0)
			cp = cp * 16 + (uint32_t)mamori_hex_digit(in[j++]);
		if (j > i + 1) {
			if (j < n && is_ws(in[j]))
				j++; /* one whitespace ends the escape */
			unsigned char tmp[4];
			size_t k = put_unicode(tmp, cp ? cp : 0xFFFD);
			if (k <= j - i) {
				memmove(out + o, tmp, k);
				o += k;
			} else {
				memmove(out + o, in + i, j - i);
				o += j - i;
			}
			i = j - 1;
		} else if (in[j] == '\n') {
			i = j; /* line continuation */
		} else {
			out[o++] = in[j];
			i = j;
		}
	}
	return o;
}

static size_t js_decode(const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] != '\\' || i + 1 >= n) {
			out[o++] = in[i];
			continue;
		}
		unsigned char c = in[i + 1];
		if (c == 'u' && i + 5 < n && mamori_hex_digit(in[i + 2]) >= 0 && mamori_hex_digit(in[i + 3]) >= 0 &&
		    mamori_hex_digit(in[i + 4]) >= 0 && mamori_hex_digit(in[i + 5]) >= 0) {
			uint32_t cp = (uint32_t)(mamori_hex_digit(in[i + 2]) << 12 | mamori_hex_digit(in[i + 3]) << 8 |
						 mamori_hex_digit(in[i + 4]) << 4 | mamori_hex_digit(in[i + 5]));
			o += put_unicode(out + o, cp);
			i += 5;
		} else if (c == 'u' && i + 3 < n && in[i + 2] == '{') {
			size_t j = i + 3;
			uint32_t cp = 0;
			while (j < n && j < i + 10 && mamori_hex_digit(in[j]) >= 0)
				cp = cp * 16 + (uint32_t)mamori_hex_digit(in[j++]);
			if (j < n && in[j] == '}' && j > i + 3) {
				o += put_unicode(out + o, cp);
				i = j;
			} else {
				out[o++] = 'u';
				i++;
			}
		} else if (c == 'x' && i + 3 < n && mamori_hex_digit(in[i + 2]) >= 0 && mamori_hex_digit(in[i + 3]) >= 0) {
			out[o++] = (unsigned char)(mamori_hex_digit(in[i + 2]) << 4 | mamori_hex_digit(in[i + 3]));
			i += 3;
		} else if (c >= '0' && c <= '7') {
			unsigned v = 0;
			size_t j = i + 1;
			while (j < n && j < i + 4 && in[j] >= '0' && in[j] <= '7' && v * 8 + (in[j] - '0') < 256)
				v = v * 8 + (in[j++] - '0');
			out[o++] = (unsigned char)v;
			i = j - 1;
		} else {
			static const char from[] = "bfnrtv";
			static const char to[] = "\b\f\n\r\t\v";
			const char *p = strchr(from, c);
			out[o++] = p ? (unsigned char)to[p - from] : c;
			i++;
		}
	}
	return o;
}

/* Resolve ".", ".." and repeated separators; ".." never climbs above the
 * root of an absolute path.  The output is never longer than the input. */
static size_t normalize_path(const unsigned char *in, size_t n, unsigned char *out, bool win)
{
#define IS_SEP(c) ((c) == '/' || (win && (c) == '\\'))
	size_t o = 0, i = 0;
	bool abs = n > 0 && IS_SEP(in[0]);
	if (abs)
		out[o++] = '/';
	size_t base = o;
	bool trailing = false;
	while (i < n) {
		size_t j = i;
		while (j < n && !IS_SEP(in[j]))
			j++;
		size_t len = j - i;
		trailing = j < n;
		if (len == 0 || (len == 1 && in[i] == '.')) {
			/* nothing */
		} else if (len == 2 && in[i] == '.' && in[i + 1] == '.') {
			size_t top = o;
			while (top > base && out[top - 1] != '/')
				top--;
			bool top_dotdot = o - top == 2 && out[top] == '.' && out[top + 1] == '.';
			if (o > base && !top_dotdot) {
				o = top > base ? top - 1 : base;
			} else if (!abs) {
				if (o > base)
					out[o++] = '/';
				out[o++] = '.';
				out[o++] = '.';
			}
		} else {
			if (o > base)
				out[o++] = '/';
			memcpy(out + o, in + i, len);
			o += len;
		}
		i = trailing ? j + 1 : j;
	}
	if (trailing && o > base)
		out[o++] = '/';
	return o;
#undef IS_SEP
}

static size_t utf8_to_unicode(const unsigned char *in, size_t n, unsigned char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = in[i];
		uint32_t cp;
		size_t len;
		if (c < 0x80) {
			out[o++] = c;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			cp = c & 0x1F;
			len = 2;
		} else if ((c & 0xF0) == 0xE0) {
			cp = c & 0x0F;
			len = 3;
		} else if ((c & 0xF8) == 0xF0) {
			cp = c & 0x07;
			len = 4;
		} else {
			out[o++] = c;
			continue;
		}
		if (i + len > n) {
			out[o++] = c;
			continue;
		}
		bool ok = true;
		for (size_t k = 1; k < len; k++) {
			if ((in[i + k] & 0xC0) != 0x80)
				ok = false;
			cp = (cp << 6) | (in[i + k] & 0x3F);
		}
		if (!ok || cp > 0xFFFF) {
			out[o++] = c;
			continue;
		}
		out[o++] = '%';
		out[o++] = 'u';
		out[o++] = (unsigned char)hex[(cp >> 12) & 15];
		out[o++] = (unsigned char)hex[(cp >> 8) & 15];
		out[o++] = (unsigned char)hex[(cp >> 4) & 15];
		out[o++] = (unsigned char)hex[cp & 15];
		i += len - 1;
	}
	return o;
}

bool waf_tx_identity(int tx, const unsigned char *in, size_t n)
{
	switch (tx) {
	case TX_NONE:
		return true;
	case TX_URL_DECODE:
	case TX_URL_DECODE_UNI:
		return !memchr(in, '%', n) && !memchr(in, '+', n);
	case TX_HTML_ENTITY_DECODE:
		return !memchr(in, '&', n);
	case TX_LOWERCASE:
		for (size_t i = 0; i < n; i++)
			if (in[i] >= 'A' && in[i] <= 'Z')
				return false;
		return true;
	case TX_REMOVE_NULLS:
	case TX_REPLACE_NULLS:
		return !memchr(in, 0, n);
	case TX_ESCAPE_SEQ_DECODE:
	case TX_CSS_DECODE:
	case TX_JS_DECODE:
		return !memchr(in, '\\', n);
	case TX_REPLACE_COMMENTS:
		return !memmem(in, n, "/*", 2);
	default:
		return false;
	}
}

size_t waf_tx_apply(int tx, const unsigned char *in, size_t n, unsigned char *out)
{
	size_t o = 0;
	switch (tx) {
	case TX_COMPRESS_WHITE_SPACE:
		return compress_ws(in, n, out);
	case TX_HTML_ENTITY_DECODE:
		return waf_html_decode(in, n, out);
	case TX_LOWERCASE:
		for (size_t i = 0; i < n; i++)
			out[i] = (unsigned char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i]);
		return n;
	case TX_CMD_LINE:
		return cmd_line(in, n, out);
	case TX_URL_DECODE:
		return waf_url_decode(in, n, out, true, false);
	case TX_URL_DECODE_UNI:
		return waf_url_decode(in, n, out, true, true);
	case TX_BASE64_DECODE:
		return base64_decode(in, n, out, false);
	case TX_BASE64_DECODE_EXT:
		return base64_decode(in, n, out, true);
	case TX_HEX_DECODE:
		return hex_decode(in, n, out);
	case TX_MD5:
		return md5(in, n, out);
	case TX_REPLACE_COMMENTS:
		return replace_comments(in, n, out);
	case TX_ESCAPE_SEQ_DECODE:
		return escape_seq_decode(in, n, out);
	case TX_SQL_HEX_DECODE:
		return sql_hex_decode(in, n, out);
	case TX_CSS_DECODE:
		return css_decode(in, n, out);
	case TX_JS_DECODE:
		return js_decode(in, n, out);
	case TX_NORMALIZE_PATH:
		return normalize_path(in, n, out, false);
	case TX_NORMALIZE_PATH_WIN:
		o = normalize_path(in, n, out, true);
		for (size_t i = 0; i < o; i++)
			if (out[i] == '\\')
				out[i] = '/';
		return o;
	case TX_REMOVE_NULLS:
		for (size_t i = 0; i < n; i++)
			if (in[i])
				out[o++] = in[i];
		return o;
	case TX_REPLACE_NULLS:
		for (size_t i = 0; i < n; i++)
			out[i] = in[i] ? in[i] : ' ';
		return n;
	case TX_UTF8_TO_UNICODE:
		return utf8_to_unicode(in, n, out);
	default:
		if (n)
			memcpy(out, in, n);
		return n;
	}
}
