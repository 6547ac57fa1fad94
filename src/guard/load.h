/*
 * load.h — data documents (CloudFormation, Terraform plans, AWS Config items,
 * any JSON or YAML) turned into Guard values.
 *
 * cfn-guard reads every data file with its libyaml-based loader, so JSON
 * and YAML share one typing: plain scalars are typed (null, int, float,
 * bool, string), quoted ones are strings, and CloudFormation short-form
 * tags become their long form (!Ref x -> {Ref: x}, !GetAtt A.B ->
 * {"Fn::GetAtt": "A.B"}, !If [...] -> {"Fn::If": [...]}).  Tags cfn-guard
 * does not know (!Cidr, !Transform, !Foo) are dropped and the node kept.
 *
 * JSON takes a hand-written fast path (bench/guard measures it against
 * libfyaml); a document the fast path refuses goes through libfyaml, as
 * cfn-guard falls back from one parser to the other.  YAML goes through
 * libfyaml's event API straight into the value tree.
 *
 * Where mamori accepts more than cfn-guard (docs/guard.md): YAML anchors and
 * aliases are resolved (cfn-guard refuses them); non-string scalar keys
 * (`80: x`) are read as strings (cfn-guard refuses them); every document
 * of a multi-document stream is returned (cfn-guard reads the first only).
 *
 * Nesting deeper than MG_MAX_DEPTH is refused, so nothing downstream can
 * recurse without bound.  Errors are `path:line:col: message` + excerpt.
 */
#ifndef MAMORI_GUARD_LOAD_H
#define MAMORI_GUARD_LOAD_H

#include "../core/internal.h"
#include "value.h"

typedef struct mg_docs {
	mg_value **roots; /* one per YAML document (JSON: exactly one) */
	size_t count;
} mg_docs;

/* JSON or YAML, detected from the content. Values live in arena. */
int mg_load(mamori_ctx *ctx, const char *path, const char *buf, size_t len, mamori_arena *arena,
	    mg_docs *out);

/* Strict JSON (RFC 8259) only; MAMORI_EINPUT if buf is not JSON. */
int mg_load_json(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		 mamori_arena *arena, mg_value **root);

/* YAML 1.2 (JSON is YAML too) through libfyaml. */
int mg_load_yaml(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		 mamori_arena *arena, mg_docs *out);

/* Shared by the loaders: the children of a container, parented and numbered. */
void mg_load_finish_list(mamori_arena *a, mg_value *list, mg_value **items, size_t n);
/* Keys and values alternate in kv (2*n entries); a repeated key keeps its
 * first position and takes the last value, as cfn-guard's IndexMap does. */
void mg_load_finish_map(mamori_arena *a, mg_value *map, mg_value **kv, size_t n);

/* Merge the members of params (a map) into the map *root, as cfn-guard's
 * --input-parameters does: *root becomes a new map holding both (values are
 * shared, not copied).  Returns NULL, or why not (not maps, a key in both). */
const char *mg_merge_params(mamori_arena *a, mg_value **root, const mg_value *params);

#endif
