/*
 * lock_go.c — Go modules: go.mod (require lines and blocks, replace
 * directives) and the build information Go embeds in every binary it
 * builds (the .go.buildinfo blob: the toolchain version and the module
 * list, "dep PATH VERSION SUM" lines, "=>" for replacements).
 *
 * The standard library is a package too ("stdlib" in OSV's Go ecosystem):
 * a binary reports the toolchain it was built with; go.mod's `go`
 * directive is only a minimum and is not reported.  Local replacements
 * (=> ../dir) have no version and are dropped.
 */
#include "lockfile.h"

#include <ctype.h>
#include <string.h>

#define ECO "Go"

static void add_go(mamori_ctx *ctx, vuln_inventory *inv, const char *path, const char *buf,
		   size_t len, const char *name, size_t nn, const char *ver, size_t vn, size_t off,
		   bool installed)
{
	vuln_pkg *p = mamori_vuln_lock_add(inv, ECO, name, nn, ver, vn, buf, len, off);
	p->installed = installed;
	if (mamori_vuln_lock_check_version(ctx, inv, path, buf, len, off, p))
		p->purl = mamori_vuln_purl(inv, "golang", NULL, p->name, p->version, NULL);
}

/* split a line into up to max whitespace-separated fields */
static int fields(const char *s, size_t n, const char **f, size_t *fl, int max)
{
	int k = 0;
	size_t i = 0;
	while (i < n && k < max) {
		while (i < n && isspace((unsigned char)s[i]))
			i++;
		if (i >= n)
			break;
		if (s[i] == '/' && i + 1 < n && s[i + 1] == '/')
			break;
		size_t st = i;
		while (i < n && !isspace((unsigned char)s[i]))
			i++;
		f[k] = s + st;
		fl[k] = i - st;
		/* quoted module paths */
		if (fl[k] >= 2 && f[k][0] == '"' && f[k][fl[k] - 1] == '"')
			f[k]++, fl[k] -= 2;
		k++;
	}
	return k;
}

typedef struct repl {
	const char *from, *to, *ver;
	size_t fl, tl, vl;
} repl;

int mamori_vuln_read_go_mod(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			    vuln_inventory *inv)
{
	/* first the replace directives, then the requirements */
	repl reps[256];
	int nrep = 0;
	for (int pass = 0; pass < 2; pass++) {
		int block = 0; /* 1 require, 2 replace */
		size_t i = 0;
		while (i < len) {
			size_t e = i;
			while (e < len && buf[e] != '\n')
				e++;
			const char *f[6];
			size_t fl[6];
			int k = fields(buf + i, e - i, f, fl, 6);
			int kind = 0, at = 0;
			if (k && fl[0] == 1 && f[0][0] == ')') {
				block = 0;
			} else if (k >= 2 && fl[0] == 7 && !memcmp(f[0], "require", 7)) {
				if (fl[1] == 1 && f[1][0] == '(')
					block = 1;
				else
					kind = 1, at = 1;
			} else if (k >= 2 && fl[0] == 7 && !memcmp(f[0], "replace", 7)) {
				if (fl[1] == 1 && f[1][0] == '(')
					block = 2;
				else
					kind = 2, at = 1;
			} else if (block && k) {
				kind = block, at = 0;
			}
			if (pass == 0 && kind == 2) {
				/* from [ver] => to [ver] */
				int arrow = -1;
				for (int j = at; j < k; j++)
					if (fl[j] == 2 && !memcmp(f[j], "=>", 2))
						arrow = j;
				if (arrow > at && arrow + 1 < k && nrep < 256) {
					repl *r = &reps[nrep++];
					r->from = f[at], r->fl = fl[at];
					r->to = f[arrow + 1], r->tl = fl[arrow + 1];
					r->ver = arrow + 2 < k ? f[arrow + 2] : NULL;
					r->vl = arrow + 2 < k ? fl[arrow + 2] : 0;
				}
			} else if (pass == 1 && kind == 1 && at + 1 < k) {
				const char *name = f[at], *ver = f[at + 1];
				size_t nn = fl[at], vn = fl[at + 1];
				bool drop = false;
				for (int r = 0; r < nrep; r++)
					if (reps[r].fl == nn && !memcmp(reps[r].from, name, nn)) {
						if (!reps[r].ver)
							drop = true; /* local directory */
						else
							name = reps[r].to, nn = reps[r].tl,
							ver = reps[r].ver, vn = reps[r].vl;
					}
				if (!drop)
					add_go(ctx, inv, path, buf, len, name, nn, ver, vn, i, false);
			}
			i = e + 1;
		}
	}
	return MAMORI_OK;
}

/* ---- binaries ---- */

static const unsigned char magic[14] = "\xff Go buildinf:";

bool mamori_vuln_gobin_sniff(const unsigned char *buf, size_t len)
{
	return len > 64 && !memcmp(buf, "\x7f" "ELF", 4) && memmem(buf, len, magic, 14) != NULL;
}

static bool uvarint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char b = *(*p)++;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return true;
		}
	}
	return false;
}

int mamori_vuln_read_gobin(mamori_ctx *ctx, const char *path, const unsigned char *buf,
			   size_t len, vuln_inventory *inv)
{
	const unsigned char *m = memmem(buf, len, magic, 14);
	if (!m || (size_t)(buf + len - m) < 32)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: no Go build information", path);
	unsigned char flags = m[15];
	if (!(flags & 2))
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: Go build information older than Go 1.18 (pointer "
					"format) is not read",
					path);
	const unsigned char *p = m + 32, *end = buf + len;
	uint64_t n;
	if (!uvarint(&p, end, &n) || n > (uint64_t)(end - p))
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: truncated Go version string", path);
	const char *gover = (const char *)p;
	size_t gvn = (size_t)n;
	p += n;
	if (!uvarint(&p, end, &n) || n > (uint64_t)(end - p))
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: truncated Go module information",
					path);
	const char *mod = (const char *)p;
	size_t modn = (size_t)n;
	/* 16-byte sentinels around the module information */
	if (modn >= 33) {
		mod += 16;
		modn -= 32;
	}
	if (gvn > 2 && !memcmp(gover, "go", 2)) {
		/* "go1.21.3" (maybe " X:..." experiments) -> stdlib 1.21.3 */
		size_t vn = 2;
		while (vn < gvn && (isdigit((unsigned char)gover[vn]) || gover[vn] == '.'))
			vn++;
		add_go(ctx, inv, path, NULL, 0, "stdlib", 6, gover + 2, vn - 2, 0, true);
	}
	vuln_pkg *last = NULL;
	size_t i = 0;
	while (i < modn) {
		size_t e = i;
		while (e < modn && mod[e] != '\n')
			e++;
		const char *f[4];
		size_t fl[4];
		int k = 0;
		size_t j = i;
		while (j < e && k < 4) {
			size_t st = j;
			while (j < e && mod[j] != '\t')
				j++;
			f[k] = mod + st;
			fl[k++] = j - st;
			j++;
		}
		if (k >= 3 && fl[0] == 3 && !memcmp(f[0], "dep", 3)) {
			size_t before = inv->count;
			add_go(ctx, inv, path, NULL, 0, f[1], fl[1], f[2], fl[2], 0, true);
			last = inv->count > before ? &inv->pkgs[inv->count - 1] : NULL;
		} else if (k >= 3 && fl[0] == 2 && !memcmp(f[0], "=>", 2) && last) {
			/* the previous dep is replaced */
			inv->count--;
			add_go(ctx, inv, path, NULL, 0, f[1], fl[1], f[2], fl[2], 0, true);
			last = NULL;
		}
		i = e + 1;
	}
	return MAMORI_OK;
}
