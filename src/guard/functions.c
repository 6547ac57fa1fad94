/*
 * functions.c — the registration table of Guard's built-in functions (the
 * implementations live one family per file: fn_collections.c, fn_strings.c,
 * fn_convert.c, fn_time.c).
 */
#include "functions.h"

#include <string.h>

static const mg_fn_def table[MG_FN__COUNT] = {
	[MG_FN_COUNT] = {"count", 1, mg_fn_count},
	[MG_FN_JSON_PARSE] = {"json_parse", 1, mg_fn_json_parse},
	[MG_FN_REGEX_REPLACE] = {"regex_replace", 3, mg_fn_regex_replace},
	[MG_FN_JOIN] = {"join", 2, mg_fn_join},
	[MG_FN_SUBSTRING] = {"substring", 3, mg_fn_substring},
	[MG_FN_TO_LOWER] = {"to_lower", 1, mg_fn_to_lower},
	[MG_FN_TO_UPPER] = {"to_upper", 1, mg_fn_to_upper},
	[MG_FN_URL_DECODE] = {"url_decode", 1, mg_fn_url_decode},
	[MG_FN_PARSE_BOOLEAN] = {"parse_boolean", 1, mg_fn_parse_boolean},
	[MG_FN_PARSE_INT] = {"parse_int", 1, mg_fn_parse_int},
	[MG_FN_PARSE_FLOAT] = {"parse_float", 1, mg_fn_parse_float},
	[MG_FN_PARSE_STRING] = {"parse_string", 1, mg_fn_parse_string},
	[MG_FN_PARSE_CHAR] = {"parse_char", 1, mg_fn_parse_char},
	[MG_FN_NOW] = {"now", 0, mg_fn_now},
	[MG_FN_PARSE_EPOCH] = {"parse_epoch", 1, mg_fn_parse_epoch},
};

const mg_fn_def *mg_fn_lookup(const char *name, size_t len)
{
	for (int i = 0; i < MG_FN__COUNT; i++)
		if (strlen(table[i].name) == len && memcmp(table[i].name, name, len) == 0)
			return &table[i];
	return NULL;
}

const mg_fn_def *mg_fn_get(int fn)
{
	return fn >= 0 && fn < MG_FN__COUNT ? &table[fn] : NULL;
}
