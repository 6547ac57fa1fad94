/*
 * lock_python.c — Python: requirements*.txt (pinned "name==version"
 * lines only: a range says nothing about what is installed), Pipfile.lock
 * (JSON, "default" and "develop") and the TOML lockfiles that list
 * [[package]] tables with name and version (poetry.lock, uv.lock,
 * pdm.lock; Cargo.lock shares the reader in lock_cargo.c).
 *
 * Names are normalised as PEP 503 does (lower case, runs of -_. to "-"),
 * which is how PyPI advisories name them.
 */
#include "lockfile.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define ECO "PyPI"

static char *pep503(vuln_inventory *inv, const char *s, size_t n)
{
	char *out = mamori_arena_alloc(&inv->arena, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '-' || c == '_' || c == '.') {
			if (k && out[k - 1] == '-')
				continue;
			out[k++] = '-';
		} else {
			out[k++] = (char)tolower((unsigned char)c);
		}
	}
	out[k] = '\0';
	return out;
}

static void add_pypi(mamori_ctx *ctx, vuln_inventory *inv, const char *path, const char *buf,
		     size_t len, const char *name, size_t nn, const char *ver, size_t vn, size_t off,
		     bool dev)
{
	char *norm = pep503(inv, name, nn);
	vuln_pkg *p = mamori_vuln_lock_add(inv, ECO, norm, strlen(norm), ver, vn, buf, len, off);
	p->dev = dev;
	if (mamori_vuln_lock_check_version(ctx, inv, path, buf, len, off, p))
		p->purl = mamori_vuln_purl(inv, "pypi", NULL, p->name, p->version, NULL);
}

int mamori_vuln_read_requirements(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				  vuln_inventory *inv)
{
	bool dev = strstr(path, "dev") != NULL || strstr(path, "test") != NULL;
	size_t i = 0;
	while (i < len) {
		size_t e = i;
		while (e < len && buf[e] != '\n')
			e++;
		const char *s = buf + i;
		size_t n = e - i;
		/* comments, options (-r, -e, --hash ...), markers */
		const char *hash = memchr(s, '#', n);
		if (hash)
			n = (size_t)(hash - s);
		const char *semi = memchr(s, ';', n);
		if (semi)
			n = (size_t)(semi - s);
		while (n && isspace((unsigned char)*s))
			s++, n--;
		while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == '\\'))
			n--;
		if (n && *s != '-') {
			const char *eq = NULL;
			for (size_t k = 0; k + 1 < n; k++)
				if (s[k] == '=' && s[k + 1] == '=') {
					eq = s + k;
					break;
				}
			if (eq) {
				size_t nn = (size_t)(eq - s);
				const char *br = memchr(s, '[', nn);
				if (br)
					nn = (size_t)(br - s);
				while (nn && isspace((unsigned char)s[nn - 1]))
					nn--;
				const char *v = eq + 2;
				if (v < s + n && *v == '=')
					v++; /* === */
				size_t vn = (size_t)(s + n - v);
				while (vn && isspace((unsigned char)*v))
					v++, vn--;
				size_t sp = strcspn(v, " \t,\\");
				if (sp < vn)
					vn = sp;
				/* "==1.0.*" is a range */
				if (nn && vn && !memchr(v, '*', vn))
					add_pypi(ctx, inv, path, buf, len, s, nn, v, vn,
						 (size_t)(s - buf), dev);
			}
		}
		i = e + 1;
	}
	return MAMORI_OK;
}

int mamori_vuln_read_pipfile_lock(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				  vuln_inventory *inv)
{
	cJSON *doc = mamori_json_parse(ctx, path, buf, len);
	if (!doc)
		return MAMORI_EINPUT;
	static const char *const sections[] = {"default", "develop"};
	for (int s = 0; s < 2; s++) {
		const cJSON *e;
		cJSON_ArrayForEach(e, mamori_json_get(doc, sections[s]))
		{
			const char *v = mamori_json_str(e, "version");
			if (!e->string || !v || strncmp(v, "==", 2) != 0)
				continue;
			char needle[300];
			snprintf(needle, sizeof needle, "\"%s\"", e->string);
			add_pypi(ctx, inv, path, buf, len, e->string, strlen(e->string), v + 2,
				 strlen(v + 2), mamori_vuln_lock_find(inv, buf, len, needle), s == 1);
		}
	}
	cJSON_Delete(doc);
	return MAMORI_OK;
}

/* value of `key = "value"` on a TOML line; false if the line is not that key */
static bool toml_str(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t kl = strlen(key);
	if (n <= kl || memcmp(s, key, kl) != 0)
		return false;
	const char *p = s + kl;
	const char *end = s + n;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || *p != '=')
		return false;
	p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p >= end || (*p != '"' && *p != '\''))
		return false;
	char q = *p++;
	const char *close = memchr(p, q, (size_t)(end - p));
	if (!close)
		return false;
	*v = p;
	*vn = (size_t)(close - p);
	return true;
}

int mamori_vuln_read_toml_packages(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				   vuln_inventory *inv, const char *eco, bool need_source)
{
	const char *name = NULL, *ver = NULL;
	size_t nn = 0, vn = 0, off = 0;
	bool in_pkg = false, has_source = false, dev = false;
	size_t i = 0;
	for (;;) {
		bool at_end = i >= len;
		size_t e = i;
		while (e < len && buf[e] != '\n')
			e++;
		const char *s = buf + i;
		size_t n = at_end ? 0 : e - i;
		if (n && s[n - 1] == '\r')
			n--;
		bool header = n && s[0] == '[';
		if (at_end || header) {
			if (in_pkg && name && ver && (!need_source || has_source)) {
				if (eco[0] == 'P') {
					add_pypi(ctx, inv, path, buf, len, name, nn, ver, vn, off, dev);
				} else {
					vuln_pkg *p = mamori_vuln_lock_add(inv, eco, name, nn, ver, vn,
									   buf, len, off);
					if (mamori_vuln_lock_check_version(ctx, inv, path, buf, len, off,
									   p))
						p->purl = mamori_vuln_purl(inv, "cargo", NULL, p->name,
									   p->version, NULL);
				}
			} else if (in_pkg && (!name || !ver) && !at_end) {
				/* uv/pdm write editable/virtual projects without version */
				if (!name)
					mamori_vuln_inventory_problem(inv, ctx, path, buf, len, off,
								      "[[package]] without a name; "
								      "skipped");
			}
			if (at_end)
				break;
			in_pkg = n >= 11 && !memcmp(s, "[[package]]", 11);
			name = ver = NULL;
			has_source = false;
			dev = false;
			off = i;
		} else if (in_pkg) {
			const char *v;
			size_t l;
			if (!name && toml_str(s, n, "name", &v, &l))
				name = v, nn = l;
			else if (!ver && toml_str(s, n, "version", &v, &l))
				ver = v, vn = l;
			else if (toml_str(s, n, "source", &v, &l))
				has_source = true;
			else if (toml_str(s, n, "category", &v, &l) && l == 3 && !memcmp(v, "dev", 3))
				dev = true;
		}
		i = e + 1;
	}
	return MAMORI_OK;
}

int mamori_vuln_read_poetry_lock(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				 vuln_inventory *inv)
{
	return mamori_vuln_read_toml_packages(ctx, path, buf, len, inv, ECO, false);
}
