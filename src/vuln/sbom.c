/*
 * sbom.c — SBOMs: CycloneDX 1.5 and SPDX 2.3 (JSON) written from
 * inventories, CycloneDX read back as an inventory (components with a
 * purl; the purl's type and distro qualifier give the OSV ecosystem).
 */
#include "sbom.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* percent-decoding of a purl component */
static char *pct_decode(vuln_inventory *inv, const char *s, size_t n)
{
	char *out = mamori_arena_alloc(&inv->arena, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			char hex[3] = {s[i + 1], s[i + 2], 0};
			out[k++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = '\0';
	return out;
}

bool mamori_vuln_purl_parse(vuln_inventory *inv, const char *purl, vuln_pkg *p)
{
	if (strncmp(purl, "pkg:", 4) != 0)
		return false;
	const char *s = purl + 4;
	size_t tl = strcspn(s, "/");
	if (!s[tl])
		return false;
	char type[16];
	snprintf(type, sizeof type, "%.*s", (int)(tl < 15 ? tl : 15), s);
	const char *rest = s + tl + 1;
	size_t rl = strcspn(rest, "?#");
	const char *quals = rest[rl] == '?' ? rest + rl + 1 : NULL;
	const char *at = NULL;
	for (size_t i = rl; i-- > 0;)
		if (rest[i] == '@') {
			at = rest + i;
			break;
		}
	if (!at)
		return false;
	const char *slash = NULL;
	for (const char *q = at; q > rest; q--)
		if (q[-1] == '/') {
			slash = q - 1;
			break;
		}
	char *ns = slash ? pct_decode(inv, rest, (size_t)(slash - rest)) : NULL;
	const char *nm0 = slash ? slash + 1 : rest;
	char *name = pct_decode(inv, nm0, (size_t)(at - nm0));
	p->version = pct_decode(inv, at + 1, (size_t)(rest + rl - at - 1));
	char distro[64] = "";
	const char *upstream = NULL;
	size_t upstream_n = 0;
	if (quals) {
		const char *d = strstr(quals, "distro=");
		if (d)
			snprintf(distro, sizeof distro, "%.*s", (int)strcspn(d + 7, "&#"), d + 7);
		const char *u = strstr(quals, "upstream=");
		if (u) {
			upstream = u + 9;
			upstream_n = strcspn(upstream, "&#");
		}
	}
	if (!strcmp(type, "npm")) {
		p->ecosystem = "npm";
		p->name = ns ? mamori_arena_printf(&inv->arena, "%s/%s", ns, name) : name;
	} else if (!strcmp(type, "pypi")) {
		p->ecosystem = "PyPI";
		p->name = name;
	} else if (!strcmp(type, "golang")) {
		p->ecosystem = "Go";
		p->name = ns ? mamori_arena_printf(&inv->arena, "%s/%s", ns, name) : name;
	} else if (!strcmp(type, "cargo")) {
		p->ecosystem = "crates.io";
		p->name = name;
	} else if (!strcmp(type, "maven")) {
		p->ecosystem = "Maven";
		p->name = ns ? mamori_arena_printf(&inv->arena, "%s:%s", ns, name) : name;
	} else if (!strcmp(type, "gem")) {
		p->ecosystem = "RubyGems";
		p->name = name;
	} else if (!strcmp(type, "composer")) {
		p->ecosystem = "Packagist";
		p->name = ns ? mamori_arena_printf(&inv->arena, "%s/%s", ns, name) : name;
	} else if (!strcmp(type, "deb") || !strcmp(type, "rpm") || !strcmp(type, "apk")) {
		/* distro=debian-12 / amzn-2023 / alpine-3.19.1: through os-release rules */
		char *dash = strrchr(distro, '-');
		if (!dash)
			return false;
		*dash = '\0';
		vuln_os os = {0};
		char buf[200];
		int n = snprintf(buf, sizeof buf, "ID=%s\nVERSION_ID=%s\n", distro, dash + 1);
		mamori_ctx *ctx = mamori_ctx_new();
		int rc = mamori_vuln_read_os_release(ctx, "purl", buf, (size_t)n, &os, inv);
		mamori_ctx_free(ctx);
		if (rc || !os.ecosystem)
			return false;
		p->ecosystem = os.ecosystem;
		p->name = name;
		p->installed = true; /* an OS package in an SBOM is on the system */
		if (upstream) {
			/* "name" or "name@version" (percent-encoded) */
			char *up = pct_decode(inv, upstream, upstream_n);
			char *ua = strchr(up, '@');
			if (ua) {
				*ua = '\0';
				if (!mamori_vuln_version_invalid(mamori_vuln_scheme_parse(os.ecosystem),
								 ua + 1))
					p->source_version = ua + 1;
			}
			if (*up)
				p->source_name = up;
		}
	} else {
		return false;
	}
	p->purl = mamori_vuln_strdup(inv, purl);
	return true;
}

int mamori_vuln_read_cyclonedx(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			       vuln_inventory *inv)
{
	cJSON *doc = mamori_json_parse(ctx, path, buf, len);
	if (!doc)
		return MAMORI_EINPUT;
	const char *fmt = mamori_json_str(doc, "bomFormat");
	if (!fmt || strcmp(fmt, "CycloneDX") != 0) {
		cJSON_Delete(doc);
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: not a CycloneDX document", path);
	}
	/* components nest (components[].components[]): walk with a stack */
	const cJSON *stack[64];
	int sp = 0;
	const cJSON *top = mamori_json_get(doc, "components");
	if (top)
		stack[sp++] = top;
	while (sp) {
		const cJSON *list = stack[--sp];
		const cJSON *c;
		cJSON_ArrayForEach(c, list)
		{
			const cJSON *sub = mamori_json_get(c, "components");
			if (sub && sp < 64)
				stack[sp++] = sub;
			const char *purl = mamori_json_str(c, "purl");
			if (!purl)
				continue;
			vuln_pkg tmp = {0};
			if (!mamori_vuln_purl_parse(inv, purl, &tmp))
				continue;
			vuln_pkg *p = mamori_vuln_inventory_add(inv);
			*p = tmp;
			p->location = inv->name;
			p->line = 0;
		}
	}
	cJSON_Delete(doc);
	return MAMORI_OK;
}

static const char *purl_or_make(vuln_inventory *inv, const vuln_pkg *p)
{
	if (p->purl)
		return p->purl;
	return mamori_vuln_purl(inv, "generic", NULL, p->name, p->version, NULL);
}

char *mamori_vuln_sbom_write(const vuln_invset *set, vuln_sbom_format format, const char *name,
			     const char *now)
{
	cJSON *doc = cJSON_CreateObject();
	char serial[80];
	char hash[65];
	mamori_buf seed = MAMORI_BUF_INIT;
	mamori_buf_printf(&seed, "%s|%s", name, now);
	for (size_t i = 0; i < set->count; i++)
		for (size_t j = 0; j < set->items[i].count; j++)
			mamori_buf_printf(&seed, "|%s@%s", set->items[i].pkgs[j].name,
					  set->items[i].pkgs[j].version);
	mamori_sha256_hex(seed.data, seed.len, hash);
	mamori_buf_free(&seed);
	snprintf(serial, sizeof serial, "urn:uuid:%.8s-%.4s-4%.3s-8%.3s-%.12s", hash, hash + 8,
		 hash + 12, hash + 15, hash + 18);
	if (format == VULN_SBOM_CYCLONEDX) {
		cJSON_AddStringToObject(doc, "bomFormat", "CycloneDX");
		cJSON_AddStringToObject(doc, "specVersion", "1.5");
		cJSON_AddStringToObject(doc, "serialNumber", serial);
		cJSON_AddNumberToObject(doc, "version", 1);
		cJSON *meta = cJSON_AddObjectToObject(doc, "metadata");
		cJSON_AddStringToObject(meta, "timestamp", now);
		cJSON *tools = cJSON_AddObjectToObject(meta, "tools");
		cJSON *comps = cJSON_AddArrayToObject(tools, "components");
		cJSON *tool = cJSON_CreateObject();
		cJSON_AddStringToObject(tool, "type", "application");
		cJSON_AddStringToObject(tool, "name", "mamori");
		cJSON_AddStringToObject(tool, "version", mamori_version());
		cJSON_AddItemToArray(comps, tool);
		cJSON *root = cJSON_AddObjectToObject(meta, "component");
		cJSON_AddStringToObject(root, "type", "application");
		cJSON_AddStringToObject(root, "name", name);
		cJSON *list = cJSON_AddArrayToObject(doc, "components");
		for (size_t i = 0; i < set->count; i++) {
			vuln_inventory *inv = &set->items[i];
			for (size_t j = 0; j < inv->count; j++) {
				const vuln_pkg *p = &inv->pkgs[j];
				const char *purl = purl_or_make(inv, p);
				cJSON *c = cJSON_CreateObject();
				cJSON_AddStringToObject(c, "type", "library");
				cJSON_AddStringToObject(c, "bom-ref",
							mamori_arena_printf(&inv->arena, "%s#%zu", purl,
									    i));
				cJSON_AddStringToObject(c, "name", p->name);
				cJSON_AddStringToObject(c, "version", p->version);
				cJSON_AddStringToObject(c, "purl", purl);
				cJSON *props = cJSON_AddArrayToObject(c, "properties");
				const char *kv[][2] = {
					{"mamori:ecosystem", p->ecosystem},
					{"mamori:source", p->source_name},
					{"mamori:location", p->location ? p->location : inv->name},
					{"mamori:inventory", mamori_vuln_inv_kind_name(inv->kind)},
					{"mamori:layer", p->layer},
				};
				for (size_t k = 0; k < sizeof kv / sizeof *kv; k++) {
					if (!kv[k][1])
						continue;
					cJSON *pr = cJSON_CreateObject();
					cJSON_AddStringToObject(pr, "name", kv[k][0]);
					cJSON_AddStringToObject(pr, "value", kv[k][1]);
					cJSON_AddItemToArray(props, pr);
				}
				cJSON_AddItemToArray(list, c);
			}
		}
	} else {
		cJSON_AddStringToObject(doc, "spdxVersion", "SPDX-2.3");
		cJSON_AddStringToObject(doc, "dataLicense", "CC0-1.0");
		cJSON_AddStringToObject(doc, "SPDXID", "SPDXRef-DOCUMENT");
		cJSON_AddStringToObject(doc, "name", name);
		char ns[128];
		snprintf(ns, sizeof ns, "https://mamori.invalid/spdx/%s", hash);
		cJSON_AddStringToObject(doc, "documentNamespace", ns);
		cJSON *ci = cJSON_AddObjectToObject(doc, "creationInfo");
		cJSON_AddStringToObject(ci, "created", now);
		cJSON *creators = cJSON_AddArrayToObject(ci, "creators");
		char tool[64];
		snprintf(tool, sizeof tool, "Tool: mamori-%s", mamori_version());
		cJSON_AddItemToArray(creators, cJSON_CreateString(tool));
		cJSON *pkgs = cJSON_AddArrayToObject(doc, "packages");
		cJSON *rels = cJSON_AddArrayToObject(doc, "relationships");
		size_t seq = 0;
		for (size_t i = 0; i < set->count; i++) {
			vuln_inventory *inv = &set->items[i];
			for (size_t j = 0; j < inv->count; j++) {
				const vuln_pkg *p = &inv->pkgs[j];
				char id[64];
				snprintf(id, sizeof id, "SPDXRef-Package-%zu", ++seq);
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "SPDXID", id);
				cJSON_AddStringToObject(o, "name", p->name);
				cJSON_AddStringToObject(o, "versionInfo", p->version);
				cJSON_AddStringToObject(o, "downloadLocation", "NOASSERTION");
				cJSON_AddBoolToObject(o, "filesAnalyzed", false);
				cJSON_AddStringToObject(o, "sourceInfo",
							mamori_arena_printf(&inv->arena, "%s %s",
									    mamori_vuln_inv_kind_name(inv->kind),
									    p->location ? p->location : inv->name));
				cJSON *refs = cJSON_AddArrayToObject(o, "externalRefs");
				cJSON *r = cJSON_CreateObject();
				cJSON_AddStringToObject(r, "referenceCategory", "PACKAGE-MANAGER");
				cJSON_AddStringToObject(r, "referenceType", "purl");
				cJSON_AddStringToObject(r, "referenceLocator", purl_or_make(inv, p));
				cJSON_AddItemToArray(refs, r);
				cJSON_AddItemToArray(pkgs, o);
				cJSON *rel = cJSON_CreateObject();
				cJSON_AddStringToObject(rel, "spdxElementId", "SPDXRef-DOCUMENT");
				cJSON_AddStringToObject(rel, "relationshipType", "DESCRIBES");
				cJSON_AddStringToObject(rel, "relatedSpdxElement", id);
				cJSON_AddItemToArray(rels, rel);
			}
		}
	}
	char *s = mamori_json_print(doc, true);
	cJSON_Delete(doc);
	return s;
}
