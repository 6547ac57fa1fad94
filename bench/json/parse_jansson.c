/* jansson: json_loadb over the whole buffer, then a full walk. */
#include "parse_common.h"
#include <jansson.h>

static size_t walk(const json_t *v)
{
	size_t n = 0, i;
	const char *k;
	json_t *c;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, c) n += strlen(k) + walk(c);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c) n += walk(c);
	} else if (json_is_string(v)) {
		n += json_string_length(v);
	}
	return n;
}

static size_t parse_and_walk(const char *buf, size_t len)
{
	json_error_t err;
	json_t *root = json_loadb(buf, len, 0, &err);
	if (!root) {
		fprintf(stderr, "jansson: %d:%d: %s\n", err.line, err.column, err.text);
		exit(1);
	}
	size_t n = walk(root);
	json_decref(root);
	return n;
}
