/* cJSON: cJSON_ParseWithLength over the whole buffer, then a full walk. */
#include "parse_common.h"
#include <cjson/cJSON.h>

static size_t walk(const cJSON *v)
{
	size_t n = cJSON_IsString(v) ? strlen(v->valuestring) : 0;
	for (const cJSON *c = v->child; c; c = c->next)
		n += (c->string ? strlen(c->string) : 0) + walk(c);
	return n;
}

static size_t parse_and_walk(const char *buf, size_t len)
{
	cJSON *root = cJSON_ParseWithLength(buf, len);
	if (!root) {
		fprintf(stderr, "cJSON: parse error near byte %td\n", cJSON_GetErrorPtr() - buf);
		exit(1);
	}
	size_t n = walk(root);
	cJSON_Delete(root);
	return n;
}
