/*
 * ci.c — from API answers to AWS Config's spelling.
 *
 * AWS Config writes a resource's configuration as the service's API shape
 * with each member name's first letter in lower case ("TrailARN" becomes
 * "trailARN", "DBInstanceIdentifier" "dBInstanceIdentifier", "KeyId"
 * "keyId"; see awslabs/aws-config-resource-schema), tags as a
 * {"key": "value"} map.  aws_config_case() applies that to any answer, so
 * a collector describes a resource by choosing the API answer, not by
 * re-typing its fields.  Free-form maps (tags) keep their keys.
 */
#include "aws_internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const cJSON *aws_path(const cJSON *v, ...)
{
	va_list ap;
	va_start(ap, v);
	const char *k;
	while (v && (k = va_arg(ap, const char *)) != NULL)
		v = mamori_json_get(v, k);
	va_end(ap);
	return v;
}

const char *aws_str(const cJSON *v, const char *key)
{
	return mamori_json_str(v, key);
}

static char *lower_first(const char *k)
{
	char *s = mamori_xstrdup(k);
	s[0] = (char)tolower((unsigned char)s[0]);
	return s;
}

static cJSON *config_case(const cJSON *v, int depth)
{
	if (depth > 64)
		return cJSON_CreateNull();
	if (cJSON_IsObject(v)) {
		cJSON *o = cJSON_CreateObject();
		for (const cJSON *ch = v->child; ch; ch = ch->next) {
			char *k = lower_first(ch->string ? ch->string : "");
			bool keep = strcmp(k, "tags") == 0 && cJSON_IsObject(ch);
			cJSON_AddItemToObject(o, k,
					      keep ? cJSON_Duplicate(ch, true) : config_case(ch, depth + 1));
			free(k);
		}
		return o;
	}
	if (cJSON_IsArray(v)) {
		cJSON *a = cJSON_CreateArray();
		for (const cJSON *ch = v->child; ch; ch = ch->next)
			cJSON_AddItemToArray(a, config_case(ch, depth + 1));
		return a;
	}
	return cJSON_Duplicate(v, false);
}

cJSON *aws_config_case(const cJSON *v)
{
	return v ? config_case(v, 0) : cJSON_CreateNull();
}

cJSON *aws_as_array(const cJSON *v)
{
	cJSON *a = cJSON_CreateArray();
	aws_each(el, v)
	cJSON_AddItemToArray(a, cJSON_Duplicate(el, true));
	return a;
}

cJSON *aws_tags_map(const cJSON *list)
{
	cJSON *m = cJSON_CreateObject();
	aws_each(t, list)
	{
		const char *k = aws_str(t, "Key");
		const char *v = aws_str(t, "Value");
		if (!k)
			k = aws_str(t, "key");
		if (!v)
			v = aws_str(t, "value");
		if (k && !mamori_json_get(m, k))
			cJSON_AddStringToObject(m, k, v ? v : "");
	}
	return m;
}

bool aws_not_found(const aws_call *c)
{
	const char *code = c->err_code;
	if (!code)
		return false;
	return strncmp(code, "NoSuch", 6) == 0 || strstr(code, "NotFound") ||
	       strcmp(code, "ServerSideEncryptionConfigurationNotFoundError") == 0 ||
	       strcmp(code, "ObjectLockConfigurationNotFoundError") == 0 ||
	       strcmp(code, "NoSuchEntity") == 0;
}

static int by_member_name(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string ? x->string : "", y->string ? y->string : "");
}

void aws_sort_members(cJSON *obj)
{
	size_t n = (size_t)cJSON_GetArraySize(obj);
	if (!cJSON_IsObject(obj) || n < 2)
		return;
	cJSON **v = mamori_xmalloc(n * sizeof *v);
	size_t k = 0;
	for (cJSON *ch = obj->child; ch; ch = ch->next)
		v[k++] = ch;
	qsort(v, n, sizeof *v, by_member_name);
	for (size_t i = 0; i < n; i++) {
		v[i]->prev = i ? v[i - 1] : v[n - 1];
		v[i]->next = i + 1 < n ? v[i + 1] : NULL;
	}
	obj->child = v[0];
	free(v);
}
