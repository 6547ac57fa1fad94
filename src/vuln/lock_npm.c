/*
 * lock_npm.c — JavaScript lockfiles: package-lock.json (v1, v2, v3),
 * yarn.lock (classic v1 and berry) and pnpm-lock.yaml (v5 to v9).
 *
 * package-lock v2/v3 list every installed path under "packages"
 * ("node_modules/a/node_modules/b"); v1 nests "dependencies" (walked with
 * an explicit stack, never recursion).  Aliases ("npm:real@1.0.0", or a
 * "name" member) resolve to the real package.  Links and the root project
 * are not packages.  yarn.lock and pnpm-lock.yaml are read line by line:
 * both are machine-written in a fixed layout.
 */
#include "lockfile.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define ECO "npm"
#define MAX_DEPTH 256

static void add_npm(mamori_ctx *ctx, vuln_inventory *inv, const char *path, const char *buf,
		    size_t len, const char *name, const char *version, bool dev)
{
	/* "npm:real-name@1.2.3" aliases */
	if (strncmp(version, "npm:", 4) == 0) {
		const char *spec = version + 4;
		const char *at = strrchr(spec, '@');
		if (!at || at == spec)
			return;
		name = mamori_arena_strndup(&inv->arena, spec, (size_t)(at - spec));
		version = at + 1;
	}
	/* file:, git+, link: ... are not registry versions */
	if (strchr(version, ':') || strchr(version, '/'))
		return;
	char needle[512];
	snprintf(needle, sizeof needle, "\"%s\"", name);
	size_t off = mamori_vuln_lock_find(inv, buf, len, needle);
	vuln_pkg *p = mamori_vuln_lock_add(inv, ECO, name, strlen(name), version, strlen(version),
					   buf, len, off);
	p->dev = dev;
	if (mamori_vuln_lock_check_version(ctx, inv, path, buf, len, off, p))
		p->purl = mamori_vuln_purl(inv, "npm", NULL, p->name, p->version, NULL);
}

int mamori_vuln_read_npm_lock(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			      vuln_inventory *inv)
{
	cJSON *doc = mamori_json_parse(ctx, path, buf, len);
	if (!doc)
		return MAMORI_EINPUT;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: not a package-lock.json object",
					path);
	}
	const cJSON *packages = mamori_json_get(doc, "packages");
	if (cJSON_IsObject(packages)) {
		const cJSON *e;
		cJSON_ArrayForEach(e, packages)
		{
			const char *key = e->string;
			if (!key || !*key || mamori_json_bool(e, "link") == 1)
				continue;
			const char *nm = strstr(key, "node_modules/");
			const char *last = NULL;
			while (nm) {
				last = nm + 13;
				nm = strstr(last, "node_modules/");
			}
			const char *name = mamori_json_str(e, "name");
			if (!name)
				name = last;
			const char *version = mamori_json_str(e, "version");
			if (!name || !version)
				continue;
			add_npm(ctx, inv, path, buf, len, name, version, mamori_json_bool(e, "dev") == 1);
		}
	} else {
		/* v1: nested "dependencies", walked with a stack */
		const cJSON *stack[MAX_DEPTH];
		int sp = 0;
		const cJSON *deps = mamori_json_get(doc, "dependencies");
		if (cJSON_IsObject(deps))
			stack[sp++] = deps;
		while (sp > 0) {
			const cJSON *d = stack[--sp];
			const cJSON *e;
			cJSON_ArrayForEach(e, d)
			{
				const char *version = mamori_json_str(e, "version");
				if (e->string && version)
					add_npm(ctx, inv, path, buf, len, e->string, version,
						mamori_json_bool(e, "dev") == 1);
				const cJSON *sub = mamori_json_get(e, "dependencies");
				if (cJSON_IsObject(sub)) {
					if (sp == MAX_DEPTH) {
						mamori_vuln_inventory_problem(
							inv, ctx, path, buf, len, 0,
							"dependencies nested deeper than %d; the "
							"deeper ones are not read",
							MAX_DEPTH);
						continue;
					}
					stack[sp++] = sub;
				}
			}
		}
	}
	cJSON_Delete(doc);
	return MAMORI_OK;
}

/* "name@range" or "@scope/name@range" -> name */
static size_t spec_name(const char *s, size_t n)
{
	for (size_t i = n; i-- > 1;)
		if (s[i] == '@')
			return i;
	return n;
}

int mamori_vuln_read_yarn_lock(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			       vuln_inventory *inv)
{
	const char *name = NULL;
	size_t name_n = 0, entry_off = 0;
	size_t pos = 0, i, n;
	const char *line;
	while (vuln_line(buf, len, &pos, &i, &line, &n)) {
		if (n && line[0] != '#' && !isspace((unsigned char)line[0])) {
			/* an entry: "spec, spec:" (quotes optional) */
			name = NULL;
			if (line[n - 1] == ':') {
				const char *s = line;
				size_t sn = strcspn(s, ",");
				if (sn > n - 1)
					sn = n - 1;
				if (*s == '"')
					s++, sn -= sn ? 1 : 0;
				while (sn && (s[sn - 1] == '"' || s[sn - 1] == ':'))
					sn--;
				size_t nn = spec_name(s, sn);
				if (nn && !(sn == 10 && !memcmp(s, "__metadata", 10))) {
					name = s;
					name_n = nn;
					entry_off = i;
				}
			} else {
				mamori_vuln_inventory_problem(inv, ctx, path, buf, len, i,
							      "not a yarn.lock entry line; skipped");
			}
		} else if (name && n > 2) {
			const char *s = line;
			size_t sn = n;
			while (sn && isspace((unsigned char)*s))
				s++, sn--;
			if (sn > 8 && !strncmp(s, "version", 7) && (s[7] == ' ' || s[7] == ':')) {
				const char *v = s + 8;
				size_t vn = sn - 8;
				while (vn && (*v == ' ' || *v == '"'))
					v++, vn--;
				while (vn && (v[vn - 1] == '"' || v[vn - 1] == ' '))
					vn--;
				/* berry: workspaces are "0.0.0-use.local" */
				if (vn && !(vn >= 9 && memmem(v, vn, "use.local", 9))) {
					vuln_pkg *p = mamori_vuln_lock_add(inv, ECO, name, name_n, v,
									   vn, buf, len, entry_off);
					if (mamori_vuln_lock_check_version(ctx, inv, path, buf, len,
									   entry_off, p))
						p->purl = mamori_vuln_purl(inv, "npm", NULL, p->name,
									   p->version, NULL);
				}
				name = NULL;
			}
		}
	}
	return MAMORI_OK;
}

/* pnpm keys: "/name@1.0.0(peer@2)" (v6), "/name/1.0.0_peer@2" (v5),
 * "name@1.0.0" (v9) */
static bool pnpm_key(const char *key, const char **name, size_t *name_n, const char **ver,
		     size_t *ver_n)
{
	const char *k = key;
	if (*k == '/')
		k++;
	size_t kn = strcspn(k, "(");
	const char *at = NULL;
	for (size_t i = kn; i-- > 1;)
		if (k[i] == '@') {
			at = k + i;
			break;
		}
	if (at) {
		*name = k;
		*name_n = (size_t)(at - k);
		*ver = at + 1;
		*ver_n = kn - *name_n - 1;
	} else {
		/* v5: the last '/' separates the version */
		const char *slash = NULL;
		for (size_t i = kn; i-- > 1;)
			if (k[i] == '/') {
				slash = k + i;
				break;
			}
		if (!slash)
			return false;
		*name = k;
		*name_n = (size_t)(slash - k);
		*ver = slash + 1;
		*ver_n = strcspn(*ver, "_(");
	}
	return *name_n > 0 && *ver_n > 0;
}

/*
 * pnpm-lock.yaml is read line by line, not through a YAML parser: the file
 * is machine-written with a fixed layout (a top-level "packages:" map whose
 * keys, two spaces in, are the packages; "dev: true" four spaces in), and
 * libfyaml 0.8 loops forever or leaks on some damaged inputs (found by
 * fuzz_vuln_lockfile).
 */
int mamori_vuln_read_pnpm_lock(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			       vuln_inventory *inv)
{
	bool in_packages = false, seen = false;
	vuln_pkg *cur = NULL;
	size_t pos = 0, i, n;
	const char *line;
	while (vuln_line(buf, len, &pos, &i, &line, &n)) {
		size_t indent = 0;
		while (indent < n && line[indent] == ' ')
			indent++;
		if (n && indent == 0 && line[0] != '#') {
			in_packages = n >= 9 && !memcmp(line, "packages:", 9);
			seen |= in_packages;
			cur = NULL;
		} else if (in_packages && indent == 2 && n > 3 && line[n - 1] == ':') {
			char key[1024];
			size_t kn = n - 3;
			const char *k = line + 2;
			if ((*k == '\'' || *k == '"') && kn >= 2 && k[kn - 1] == *k)
				k++, kn -= 2;
			cur = NULL;
			if (kn >= sizeof key)
				goto next;
			memcpy(key, k, kn);
			key[kn] = '\0';
			const char *name, *ver;
			size_t nn, vn;
			if (!pnpm_key(key, &name, &nn, &ver, &vn)) {
				mamori_vuln_inventory_problem(inv, ctx, path, buf, len, i,
							      "\"%s\" is not a name@version package key; "
							      "skipped",
							      key);
				goto next;
			}
			vuln_pkg *p = mamori_vuln_lock_add(inv, ECO, name, nn, ver, vn, buf, len, i);
			if (mamori_vuln_lock_check_version(ctx, inv, path, buf, len, i, p)) {
				p->purl = mamori_vuln_purl(inv, "npm", NULL, p->name, p->version, NULL);
				cur = p;
			}
		} else if (cur && indent == 4 && n - indent >= 9 && !memcmp(line + 4, "dev: true", 9)) {
			cur->dev = true;
		}
next:;
	}
	if (!seen && len && !memmem(buf, len, "lockfileVersion", 15))
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: not a pnpm lockfile (no lockfileVersion, no packages)", path);
	return MAMORI_OK;
}
