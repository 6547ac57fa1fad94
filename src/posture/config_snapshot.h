/*
 * config_snapshot.h — AWS Config configuration items, as AWS delivers them.
 *
 * Accepted shapes (each a JSON document):
 *   - a configuration snapshot or history file: {"configurationItems": [...]}
 *   - a change notification: {"configurationItem": {...}}
 *   - one bare configuration item: {"resourceType": ..., "configuration": ...}
 *   - the API's shapes (get-resource-config-history, batch-get-resource-config),
 *     where configuration and supplementary values are JSON-encoded strings
 *     and the account and ARN keys are spelled accountId and arn.
 * Strings holding JSON are parsed in place, so every consumer sees objects.
 */
#ifndef MAMORI_POSTURE_CONFIG_SNAPSHOT_H
#define MAMORI_POSTURE_CONFIG_SNAPSHOT_H

#include "../core/json.h"

typedef struct mamori_config_item {
	const char *resource_type; /* e.g. "AWS::S3::Bucket" */
	const char *resource_id;
	const char *resource_name;
	const char *arn;
	const char *account;
	const char *region;
	const char *status; /* configurationItemStatus, e.g. "ResourceDeleted" */
	cJSON *configuration; /* an object (never a string), or NULL */
	cJSON *supplementary; /* an object whose JSON-string values are parsed, or NULL */
	cJSON *raw;	      /* the whole item */
	unsigned line;	      /* where the item's ARN (or id) first appears in the file */
} mamori_config_item;

typedef struct mamori_config_snapshot {
	cJSON *root;
	mamori_config_item *items;
	size_t count;
} mamori_config_snapshot;

/* Does the start of buf look like one of the accepted shapes? (cheap, no parse) */
bool mamori_config_snapshot_sniff(const char *buf, size_t len);

/* Parse buf[0..len); errors name path and line:col. */
int mamori_config_snapshot_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				 mamori_config_snapshot *out);
void mamori_config_snapshot_free(mamori_config_snapshot *s);

#endif
