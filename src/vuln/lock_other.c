/*
 * lock_other.c — the smaller lockfile formats: Cargo.lock (crates.io),
 * composer.lock (Packagist), Gemfile.lock (RubyGems) and pom.xml (Maven,
 * declared versions only: property references are resolved from the
 * file's own <properties>; ranges and unresolved references are skipped).
 */
#include "lockfile.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int mamori_vuln_read_cargo_lock(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				vuln_inventory *inv)
{
	return mamori_vuln_read_toml_packages(ctx, path, buf, len, inv, "crates.io", true);
}

int mamori_vuln_read_composer_lock(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				   vuln_inventory *inv)
{
	cJSON *doc = mamori_json_parse(ctx, path, buf, len);
	if (!doc)
		return MAMORI_EINPUT;
	static const char *const sections[] = {"packages", "packages-dev"};
	for (int s = 0; s < 2; s++) {
		const cJSON *e;
		cJSON_ArrayForEach(e, mamori_json_get(doc, sections[s]))
		{
			const char *name = mamori_json_str(e, "name");
			const char *ver = mamori_json_str(e, "version");
			if (!name || !ver || !strncmp(ver, "dev-", 4))
				continue;
			char needle[300];
			snprintf(needle, sizeof needle, "\"%s\"", name);
			size_t off = mamori_vuln_lock_find(inv, buf, len, needle);
			vuln_pkg *p = mamori_vuln_lock_add(inv, "Packagist", name, strlen(name), ver,
							   strlen(ver), buf, len, off);
			p->dev = s == 1;
			if (mamori_vuln_lock_check_version(ctx, inv, path, buf, len, off, p)) {
				const char *slash = strchr(name, '/');
				p->purl = slash ? mamori_vuln_purl(
							  inv, "composer",
							  mamori_arena_strndup(&inv->arena, name,
									       (size_t)(slash - name)),
							  slash + 1, ver, NULL)
						: mamori_vuln_purl(inv, "composer", NULL, name, ver, NULL);
			}
		}
	}
	cJSON_Delete(doc);
	return MAMORI_OK;
}

/* "1.13.0-x86_64-linux" -> "1.13.0": platform gems */
static size_t strip_platform(const char *v, size_t n)
{
	static const char *const plats[] = {"x86", "x64", "arm", "aarch64", "universal", "java",
					    "mingw", "mswin", "darwin", "linux", "i386", "i686"};
	const char *dash = memchr(v, '-', n);
	if (!dash)
		return n;
	for (size_t i = 0; i < sizeof plats / sizeof *plats; i++)
		if (memmem(dash, n - (size_t)(dash - v), plats[i], strlen(plats[i])))
			return (size_t)(dash - v);
	return n;
}

int mamori_vuln_read_gemfile_lock(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				  vuln_inventory *inv)
{
	bool in_gem = false, in_specs = false;
	size_t pos = 0, i, n;
	const char *s;
	while (vuln_line(buf, len, &pos, &i, &s, &n)) {
		if (n && !isspace((unsigned char)s[0])) {
			in_gem = n == 3 && !memcmp(s, "GEM", 3);
			in_specs = false;
		} else if (in_gem && n >= 8 && !memcmp(s, "  specs:", 8)) {
			in_specs = true;
		} else if (in_specs && n > 4 && !memcmp(s, "    ", 4) && s[4] != ' ') {
			/* "    name (version)" */
			const char *name = s + 4;
			const char *sp = memchr(name, ' ', n - 4);
			const char *open = sp ? memchr(sp, '(', (size_t)(s + n - sp)) : NULL;
			const char *close = open ? memchr(open, ')', (size_t)(s + n - open)) : NULL;
			if (!close) {
				mamori_vuln_inventory_problem(inv, ctx, path, buf, len, i,
							      "not a \"name (version)\" spec line; "
							      "skipped");
			} else {
				size_t vn = strip_platform(open + 1, (size_t)(close - open - 1));
				vuln_pkg *p = mamori_vuln_lock_add(inv, "RubyGems", name,
								   (size_t)(sp - name), open + 1, vn,
								   buf, len, i);
				if (mamori_vuln_lock_check_version(ctx, inv, path, buf, len, i, p))
					p->purl = mamori_vuln_purl(inv, "gem", NULL, p->name,
								   p->version, NULL);
			}
		}
	}
	return MAMORI_OK;
}

/* ---- pom.xml ---- */

typedef struct prop {
	const char *name, *value;
	size_t nl, vl;
} prop;

/* the text of the first <tag>...</tag> inside [s, e), trimmed */
static bool xml_text(const char *s, const char *e, const char *tag, const char **v, size_t *vn)
{
	char open[64], close[64];
	if (e <= s)
		return false;
	snprintf(open, sizeof open, "<%s>", tag);
	snprintf(close, sizeof close, "</%s>", tag);
	const char *a = memmem(s, (size_t)(e - s), open, strlen(open));
	if (!a)
		return false;
	a += strlen(open);
	const char *b = memmem(a, (size_t)(e - a), close, strlen(close));
	if (!b)
		return false;
	while (a < b && isspace((unsigned char)*a))
		a++;
	while (b > a && isspace((unsigned char)b[-1]))
		b--;
	*v = a;
	*vn = (size_t)(b - a);
	return true;
}

int mamori_vuln_read_pom(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			 vuln_inventory *inv)
{
	const char *end = buf + len;
	if (!memmem(buf, len, "<project", 8))
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: not a Maven pom.xml (no <project>)",
					path);
	/* comments are blanked in a copy so that commented-out dependencies stay out */
	char *copy = mamori_arena_memdup(&inv->arena, buf, len + 1);
	for (char *c = copy; (c = memmem(c, (size_t)(copy + len - c), "<!--", 4));) {
		char *ce = memmem(c, (size_t)(copy + len - c), "-->", 3);
		char *stop = ce ? ce + 3 : copy + len;
		memset(c, ' ', (size_t)(stop - c));
		c = stop;
	}
	buf = copy;
	end = copy + len;
	prop props[128];
	int np = 0;
	const char *ps = memmem(buf, len, "<properties>", 12);
	const char *pe = ps ? memmem(ps, (size_t)(end - ps), "</properties>", 13) : NULL;
	for (const char *c = ps ? ps + 12 : NULL; c && pe && c < pe && np < 128;) {
		const char *lt = memchr(c, '<', (size_t)(pe - c));
		if (!lt || lt[1] == '/' || lt[1] == '!')
			break;
		const char *gt = memchr(lt, '>', (size_t)(pe - lt));
		if (!gt)
			break;
		const char *close = memmem(gt, (size_t)(pe - gt), "</", 2);
		if (!close)
			break;
		props[np++] = (prop){lt + 1, gt + 1, (size_t)(gt - lt - 1), (size_t)(close - gt - 1)};
		const char *next = memchr(close, '>', (size_t)(pe - close));
		c = next ? next + 1 : pe;
	}
	const char *pv = NULL;
	size_t pvn = 0;
	{
		/* the project's own version: the first <version> outside <parent>/<dependencies> */
		const char *parent_end = memmem(buf, len, "</parent>", 9);
		const char *from = parent_end ? parent_end : buf;
		/* the <dependencies> after it (a damaged pom may have one before) */
		const char *deps = memmem(from, (size_t)(end - from), "<dependencies>", 14);
		xml_text(from, deps ? deps : end, "version", &pv, &pvn);
	}
	for (const char *c = buf; (c = memmem(c, (size_t)(end - c), "<dependency>", 12));) {
		const char *de = memmem(c, (size_t)(end - c), "</dependency>", 13);
		if (!de) {
			mamori_vuln_inventory_problem(inv, ctx, path, copy, len, (size_t)(c - copy),
						      "<dependency> is not closed; the rest of the "
						      "file is not read");
			break;
		}
		const char *g, *a, *v;
		size_t gl, al, vl;
		if (xml_text(c, de, "groupId", &g, &gl) && xml_text(c, de, "artifactId", &a, &al) &&
		    xml_text(c, de, "version", &v, &vl)) {
			if (vl > 3 && v[0] == '$' && v[1] == '{' && v[vl - 1] == '}') {
				const char *key = v + 2;
				size_t kl = vl - 3;
				bool found = false;
				if (kl == 15 && !memcmp(key, "project.version", 15) && pv) {
					v = pv, vl = pvn, found = true;
				}
				for (int k = 0; k < np && !found; k++)
					if (props[k].nl == kl && !memcmp(props[k].name, key, kl))
						v = props[k].value, vl = props[k].vl, found = true;
				if (!found)
					vl = 0;
			}
			if (vl && v[0] != '[' && v[0] != '(' && v[0] != '$') {
				char *name = mamori_arena_printf(&inv->arena, "%.*s:%.*s", (int)gl, g,
								 (int)al, a);
				vuln_pkg *p = mamori_vuln_lock_add(inv, "Maven", name, strlen(name), v,
								   vl, copy, len, (size_t)(c - copy));
				if (mamori_vuln_lock_check_version(ctx, inv, path, copy, len,
								   (size_t)(c - copy), p))
					p->purl = mamori_vuln_purl(
						inv, "maven",
						mamori_arena_strndup(&inv->arena, g, gl),
						mamori_arena_strndup(&inv->arena, a, al), p->version,
						NULL);
			}
		}
		c = de + 13;
	}
	return MAMORI_OK;
}
