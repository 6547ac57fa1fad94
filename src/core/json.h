/*
 * json.h — libmamori's use of cJSON, in one place.
 *
 * cJSON was chosen by measurement (bench/json: 3.8x jansson's and 2.5x
 * json-c's throughput with the lowest peak RSS on a 50 MB CloudTrail file).
 * Its rough edges are smoothed here: keys are matched case-sensitively
 * (cJSON_GetObjectItem is not), parse errors get `path:line:col`, an excerpt
 * and a diagnosis (from jansson, on the failure path only), and trailing
 * garbage after the document is an error.
 * Internal to libmamori: the public API only passes JSON as text.
 */
#ifndef MAMORI_CORE_JSON_H
#define MAMORI_CORE_JSON_H

#include "internal.h"
#include <cjson/cJSON.h>

/* Parse buf[0..len).  On error: NULL, MAMORI_EINPUT with path:line:col in ctx. */
cJSON *mamori_json_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len);

/* Case-sensitive member lookup; NULL if obj is not an object or has no key. */
static inline cJSON *mamori_json_get(const cJSON *obj, const char *key)
{
	return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

/* The member's string value, or NULL when absent or not a string. */
const char *mamori_json_str(const cJSON *obj, const char *key);
/* The first of several alternative keys holding a string. */
const char *mamori_json_str_any(const cJSON *obj, const char *const *keys);
/* 1 / 0 for true / false (also "true"/"false" strings), -1 when absent or other. */
int mamori_json_bool(const cJSON *obj, const char *key);

/* Add a string member only when s is not NULL. */
void mamori_json_add_str(cJSON *obj, const char *key, const char *s);

/* Print compact or pretty; the result is malloc'd (never NULL). */
char *mamori_json_print(const cJSON *v, bool pretty);

/* Write s as a JSON string literal (with quotes) into b. */
void mamori_json_quote(mamori_buf *b, const char *s);

#endif
