/*
 * config_snapshot.c — reading AWS Config configuration items (see the header).
 */
#include "config_snapshot.h"

#include <stdlib.h>
#include <string.h>

bool mamori_config_snapshot_sniff(const char *buf, size_t len)
{
	/* The markers appear early in every real file; look at the first 64 KiB. */
	size_t n = len < 65536 ? len : 65536;
	static const char *const markers[] = {"\"configurationItems\"", "\"configurationItem\"",
					      "\"configurationItemCaptureTime\"", NULL};
	for (const char *const *m = markers; *m; m++)
		if (memmem(buf, n, *m, strlen(*m)))
			return true;
	return false;
}

/* If member v of object parent is a string holding a JSON object or array,
 * replace it by the parsed value. */
static cJSON *inflate(cJSON *parent, cJSON *v)
{
	if (!cJSON_IsString(v) || !v->valuestring)
		return v;
	const char *s = v->valuestring;
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	if (*s != '{' && *s != '[')
		return v;
	cJSON *parsed = cJSON_ParseWithLength(v->valuestring, strlen(v->valuestring));
	if (!parsed)
		return v; /* not JSON after all: keep the string */
	/* by key, not by pointer: ReplaceItemViaPointer drops the member's name */
	cJSON_ReplaceItemInObjectCaseSensitive(parent, v->string, parsed);
	return parsed;
}

/* Finds where items' ids appear.  Items come in file order, so the search
 * resumes where the previous one stopped: one pass over the file in all. */
typedef struct line_cursor {
	const char *buf;
	size_t len;
	size_t pos;	  /* search from here */
	unsigned line;	  /* line number at pos */
} line_cursor;

static unsigned line_of(line_cursor *c, const char *value)
{
	if (mamori_str_empty(value))
		return 0;
	size_t vlen = strlen(value);
	for (int pass = 0; pass < 2; pass++) {
		const char *p = c->buf + c->pos, *end = c->buf + c->len;
		while (p < end) {
			const char *hit = memmem(p, (size_t)(end - p), value, vlen);
			if (!hit)
				break;
			/* a whole JSON string: quoted on both sides */
			if (hit > c->buf && hit[-1] == '"' && hit + vlen < end && hit[vlen] == '"') {
				for (const char *q = c->buf + c->pos; q < hit; q++)
					c->line += *q == '\n';
				c->pos = (size_t)(hit - c->buf);
				return c->line;
			}
			p = hit + 1;
		}
		c->pos = 0; /* out of order: start over once */
		c->line = 1;
	}
	return 0;
}

static const char *const account_keys[] = {"awsAccountId", "accountId", NULL};
static const char *const arn_keys[] = {"ARN", "arn", NULL};

int mamori_config_snapshot_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				 mamori_config_snapshot *out)
{
	memset(out, 0, sizeof *out);
	cJSON *root = mamori_json_parse(ctx, path, buf, len);
	if (!root)
		return MAMORI_EINPUT;
	cJSON *list = mamori_json_get(root, "configurationItems");
	cJSON *single = mamori_json_get(root, "configurationItem");
	if (!list && !single && mamori_json_get(root, "resourceType"))
		single = root;
	if (!cJSON_IsArray(list) && !cJSON_IsObject(single)) {
		cJSON_Delete(root);
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: not an AWS Config snapshot: expected "
					"\"configurationItems\" (a list), \"configurationItem\" or a "
					"configuration item",
					path);
	}
	size_t n = list ? (size_t)cJSON_GetArraySize(list) : 1;
	line_cursor cursor = {buf, len, 0, 1};
	out->items = mamori_xcalloc(n ? n : 1, sizeof *out->items);
	cJSON *item = list ? list->child : single;
	for (size_t index = 0; item; item = list ? item->next : NULL, index++) {
		const char *type = mamori_json_str(item, "resourceType");
		if (!type) {
			mamori_log(ctx, MAMORI_LOG_WARN,
				   "%s: configuration item %zu has no resourceType; skipped", path,
				   index);
			continue;
		}
		mamori_config_item *ci = &out->items[out->count++];
		ci->raw = item;
		ci->resource_type = type;
		ci->resource_id = mamori_json_str(item, "resourceId");
		ci->resource_name = mamori_json_str(item, "resourceName");
		ci->arn = mamori_json_str_any(item, arn_keys);
		ci->account = mamori_json_str_any(item, account_keys);
		ci->region = mamori_json_str(item, "awsRegion");
		ci->status = mamori_json_str(item, "configurationItemStatus");
		cJSON *conf = mamori_json_get(item, "configuration");
		if (conf)
			conf = inflate(item, conf);
		ci->configuration = cJSON_IsObject(conf) ? conf : NULL;
		cJSON *sup = mamori_json_get(item, "supplementaryConfiguration");
		if (sup)
			sup = inflate(item, sup);
		if (cJSON_IsObject(sup)) {
			for (cJSON *v = sup->child; v;) {
				cJSON *next = v->next;
				inflate(sup, v);
				v = next;
			}
			ci->supplementary = sup;
		}
		ci->line = line_of(&cursor, ci->arn		  ? ci->arn
					    : ci->resource_id ? ci->resource_id
							      : ci->resource_name);
	}
	out->root = root;
	return MAMORI_OK;
}

void mamori_config_snapshot_free(mamori_config_snapshot *s)
{
	cJSON_Delete(s->root);
	free(s->items);
	memset(s, 0, sizeof *s);
}
