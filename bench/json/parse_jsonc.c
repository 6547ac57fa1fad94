/* json-c: one tokener over the whole buffer, then a full walk. */
#include "parse_common.h"
#include <json-c/json.h>

static size_t walk(struct json_object *v)
{
	size_t n = 0;
	switch (json_object_get_type(v)) {
	case json_type_object: {
		json_object_object_foreach(v, k, c) n += strlen(k) + walk(c);
		break;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			n += walk(json_object_array_get_idx(v, i));
		break;
	case json_type_string:
		n += (size_t)json_object_get_string_len(v);
		break;
	default:
		break;
	}
	return n;
}

static size_t parse_and_walk(const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root) {
		fprintf(stderr, "json-c: %s\n", json_tokener_error_desc(json_tokener_get_error(tok)));
		exit(1);
	}
	size_t n = walk(root);
	json_object_put(root);
	json_tokener_free(tok);
	return n;
}
