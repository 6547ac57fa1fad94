/*
 * yaml.c — libfyaml documents turned into cJSON trees (see yaml.h).
 *
 * The conversion is iterative-recursive with a depth cap so that a hostile
 * document (thousands of nested sequences) cannot exhaust the stack.
 */
#include "yaml.h"

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#define YAML_MAX_DEPTH 512

static bool is_int(const char *s, size_t n)
{
	size_t i = 0;
	if (n && (s[0] == '-' || s[0] == '+'))
		i++;
	if (i == n)
		return false;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_float(const char *s, size_t n)
{
	/* YAML 1.2 core: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
	size_t i = 0;
	bool digits = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++, digits = true;
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, digits = true;
	}
	if (!digits)
		return false;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			i++;
		bool exp = false;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++, exp = true;
		if (!exp)
			return false;
	}
	return i == n;
}

static cJSON *scalar(struct fy_node *n)
{
	size_t len;
	const char *s = fy_node_get_scalar(n, &len);
	if (!s)
		return cJSON_CreateNull();
	char *copy = mamori_xmalloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	cJSON *v = NULL;
	if (fy_node_get_style(n) == FYNS_PLAIN) {
		if (len == 0 || strcmp(copy, "~") == 0 || strcmp(copy, "null") == 0 ||
		    strcmp(copy, "Null") == 0 || strcmp(copy, "NULL") == 0)
			v = cJSON_CreateNull();
		else if (!strcmp(copy, "true") || !strcmp(copy, "True") || !strcmp(copy, "TRUE"))
			v = cJSON_CreateTrue();
		else if (!strcmp(copy, "false") || !strcmp(copy, "False") || !strcmp(copy, "FALSE"))
			v = cJSON_CreateFalse();
		else if (is_int(copy, len) || is_float(copy, len))
			v = cJSON_CreateNumber(strtod(copy, NULL));
	}
	if (!v)
		v = cJSON_CreateString(copy);
	free(copy);
	return v;
}

static cJSON *convert(mamori_ctx *ctx, const char *path, struct fy_node *n, int depth)
{
	if (!n)
		return cJSON_CreateNull();
	if (depth > YAML_MAX_DEPTH) {
		mamori_error_set(ctx, MAMORI_EINPUT, "%s: YAML nested deeper than %d levels",
				 path ? path : "<input>", YAML_MAX_DEPTH);
		return NULL;
	}
	switch (fy_node_get_type(n)) {
	case FYNT_SCALAR:
		return scalar(n);
	case FYNT_SEQUENCE: {
		cJSON *a = cJSON_CreateArray();
		void *it = NULL;
		struct fy_node *c;
		while ((c = fy_node_sequence_iterate(n, &it)) != NULL) {
			cJSON *v = convert(ctx, path, c, depth + 1);
			if (!v) {
				cJSON_Delete(a);
				return NULL;
			}
			cJSON_AddItemToArray(a, v);
		}
		return a;
	}
	case FYNT_MAPPING: {
		cJSON *o = cJSON_CreateObject();
		void *it = NULL;
		struct fy_node_pair *p;
		while ((p = fy_node_mapping_iterate(n, &it)) != NULL) {
			struct fy_node *k = fy_node_pair_key(p);
			size_t klen = 0;
			const char *ks = k ? fy_node_get_scalar(k, &klen) : NULL;
			char *key = mamori_xmalloc(klen + 1);
			if (ks)
				memcpy(key, ks, klen);
			key[klen] = '\0';
			cJSON *v = convert(ctx, path, fy_node_pair_value(p), depth + 1);
			if (!v) {
				free(key);
				cJSON_Delete(o);
				return NULL;
			}
			cJSON_AddItemToObject(o, key, v);
			free(key);
		}
		return o;
	}
	}
	return cJSON_CreateNull();
}

cJSON *mamori_yaml_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len)
{
	/* YAML streams are Unicode; libfyaml 0.7.12 (Debian 12) loops forever on
	 * some invalid UTF-8 (a directive line holding a stray 0xA0, found by
	 * fuzz_rulebook), so invalid bytes are refused before it sees them. */
	size_t bad = mamori_utf8_invalid_at(buf, len);
	if (bad < len) {
		mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, bad,
				    "invalid YAML: the file is not valid UTF-8 (byte 0x%02x)",
				    (unsigned char)buf[bad]);
		return NULL;
	}
	struct fy_diag_cfg dcfg;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = NULL;
	dcfg.level = FYET_ERROR;
	struct fy_diag *diag = fy_diag_create(&dcfg);
	if (!diag)
		mamori_oom(0);
	fy_diag_set_collect_errors(diag, true);
	struct fy_parse_cfg cfg = {0};
	cfg.flags = FYPCF_QUIET | FYPCF_COLLECT_DIAG | FYPCF_RESOLVE_DOCUMENT;
	cfg.diag = diag;
	struct fy_document *doc = fy_document_build_from_string(&cfg, buf, len);
	cJSON *root = NULL;
	if (!doc) {
		void *it = NULL;
		struct fy_diag_error *e = fy_diag_errors_iterate(diag, &it);
		if (e && e->line >= 0) {
			/* libfyaml lines and columns are 0-based */
			size_t off = 0;
			for (int l = 0; off < len && l < e->line; off++)
				if (buf[off] == '\n')
					l++;
			off += (size_t)(e->column > 0 ? e->column : 0);
			mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, off > len ? len : off,
					    "invalid YAML: %s", e->msg ? e->msg : "syntax error");
		} else {
			mamori_error_set(ctx, MAMORI_EINPUT, "%s: invalid YAML",
					 path ? path : "<input>");
		}
	} else {
		root = convert(ctx, path, fy_document_root(doc), 0);
		fy_document_destroy(doc);
	}
	fy_diag_destroy(diag);
	return root;
}
