/*
 * yaml.h — YAML through libfyaml, delivered as cJSON.
 *
 * Rule metadata and configuration files are YAML for people; the code reads
 * them through the same cJSON accessors as JSON.  Plain scalars are typed the
 * YAML 1.2 core-schema way (null, true/false, integers, floats; everything
 * else a string); quoted scalars are always strings.  Anchors and aliases are
 * resolved.  Errors carry path:line:col and an excerpt.
 */
#ifndef MAMORI_CORE_YAML_H
#define MAMORI_CORE_YAML_H

#include "json.h"

/* Parse the first document of buf[0..len). */
cJSON *mamori_yaml_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len);

#endif
