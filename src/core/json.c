/*
 * json.c — cJSON wrappers with libmamori's error convention (see json.h).
 */
#include "json.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Explain what is wrong at the byte where cJSON stopped. */
static const char *diagnose(const char *buf, size_t len, size_t at)
{
	if (at >= len)
		return "unexpected end of input: an object, array or string is not closed";
	char c = buf[at];
	if (c == '\'')
		return "strings must be in double quotes";
	if (c == '}' || c == ']') {
		size_t i = at;
		while (i > 0 && isspace((unsigned char)buf[i - 1]))
			i--;
		if (i > 0 && buf[i - 1] == ',')
			return "trailing comma before the closing bracket";
		return "unexpected closing bracket";
	}
	if (c == '/' && at + 1 < len && (buf[at + 1] == '/' || buf[at + 1] == '*'))
		return "comments are not allowed in JSON";
	if ((unsigned char)c < 0x20)
		return "control character: strings must escape it";
	if (c == '"')
		return "expected ',' or a closing bracket before this string";
	return "unexpected character: expected a JSON value, ',' or ':'";
}

/*
 * cJSON reports where it gave up, not what it expected, and sometimes a
 * token late.  On the (rare) failure path the same bytes go through jansson,
 * whose diagnostics name the line, column and the expected token; the fast
 * path never pays for it.
 */
static void report_parse_error(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			       const char *cjson_end)
{
	if (len == 0) {
		mamori_error_set(ctx, MAMORI_EINPUT, "%s: empty file, expected JSON",
				 path ? path : "<input>");
		return;
	}
	json_error_t jerr;
	json_t *j = json_loadb(buf, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!j && jerr.position >= 0) {
		size_t at = (size_t)jerr.position;
		if (strstr(jerr.text, "end of file")) {
			/* point just past the last token, not at trailing blank lines */
			at = len;
			while (at > 0 && isspace((unsigned char)buf[at - 1]))
				at--;
		} else {
			/* jansson's position is just past the offending token: step onto it */
			if (at > 0 && at <= len && strstr(jerr.text, "near"))
				at--;
			while (at > 0 && at < len && isspace((unsigned char)buf[at]))
				at--;
		}
		mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, at, "invalid JSON: %s",
				    jerr.text);
		return;
	}
	json_decref(j);
	/* jansson accepts what cJSON refused (nesting deeper than cJSON allows) */
	size_t at = cjson_end && cjson_end >= buf ? (size_t)(cjson_end - buf) : 0;
	while (at < len && isspace((unsigned char)buf[at]))
		at++;
	mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, at, "invalid JSON: %s",
			    diagnose(buf, len, at));
}

cJSON *mamori_json_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
	if (!root) {
		report_parse_error(ctx, path, buf, len, end);
		return NULL;
	}
	size_t at = (size_t)(end - buf);
	while (at < len && (isspace((unsigned char)buf[at]) || buf[at] == '\0'))
		at++;
	if (at < len) {
		cJSON_Delete(root);
		mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, at,
				    "invalid JSON: unexpected data after the end of the document");
		return NULL;
	}
	return root;
}

const char *mamori_json_str(const cJSON *obj, const char *key)
{
	const cJSON *v = mamori_json_get(obj, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *mamori_json_str_any(const cJSON *obj, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *s = mamori_json_str(obj, *keys);
		if (s)
			return s;
	}
	return NULL;
}

int mamori_json_bool(const cJSON *obj, const char *key)
{
	const cJSON *v = mamori_json_get(obj, key);
	if (cJSON_IsTrue(v))
		return 1;
	if (cJSON_IsFalse(v))
		return 0;
	if (cJSON_IsString(v)) {
		if (strcmp(v->valuestring, "true") == 0)
			return 1;
		if (strcmp(v->valuestring, "false") == 0)
			return 0;
	}
	return -1;
}

void mamori_json_add_str(cJSON *obj, const char *key, const char *s)
{
	if (s)
		cJSON_AddItemToObject(obj, key, cJSON_CreateString(s));
}

char *mamori_json_print(const cJSON *v, bool pretty)
{
	char *s = pretty ? cJSON_Print(v) : cJSON_PrintUnformatted(v);
	if (!s)
		mamori_oom(0);
	return s;
}

void mamori_json_quote(mamori_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	mamori_buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"':
			mamori_buf_puts(b, "\\\"");
			break;
		case '\\':
			mamori_buf_puts(b, "\\\\");
			break;
		case '\n':
			mamori_buf_puts(b, "\\n");
			break;
		case '\r':
			mamori_buf_puts(b, "\\r");
			break;
		case '\t':
			mamori_buf_puts(b, "\\t");
			break;
		default:
			if (*p < 0x20) {
				char esc[7] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0};
				mamori_buf_puts(b, esc);
			} else {
				mamori_buf_putc(b, (char)*p);
			}
		}
	}
	mamori_buf_putc(b, '"');
}
