/*
 * collect.c — finding what to inventory in a target, and reading roots.
 *
 * A host root is recognised by a package database at its usual place
 * (var/lib/dpkg/status, var/lib/dpkg/status.d/, var/lib/rpm/rpmdb.sqlite,
 * var/lib/rpm/Packages, usr/lib/sysimage/rpm/..., lib/apk/db/installed);
 * its os-release says which distribution release the packages belong to.
 * Lockfiles are recognised by name wherever they are; an image by being a
 * tarball with a manifest.json or an OCI layout; a CycloneDX SBOM by its
 * bomFormat.  node_modules and vendor trees are skipped: their packages
 * are in the lockfile beside them.
 */
#include "collect.h"

#include <errno.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DB_BYTES (1u << 30)
#define MAX_LOCK_BYTES (256u << 20)
#define MAX_GOBIN_BYTES (512u << 20)

void mamori_vuln_invset_free(vuln_invset *s)
{
	for (size_t i = 0; i < s->count; i++)
		mamori_vuln_inventory_free(&s->items[i]);
	free(s->items);
	memset(s, 0, sizeof *s);
}

vuln_inventory *mamori_vuln_invset_add(vuln_invset *s, vuln_inv_kind kind, const char *name)
{
	if (s->count == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->items = mamori_xrealloc(s->items, s->cap * sizeof *s->items);
	}
	vuln_inventory *inv = &s->items[s->count++];
	mamori_vuln_inventory_init(inv, kind, name);
	return inv;
}

/* package database paths inside a root, and what reads them */
enum { DB_DPKG, DB_DPKG_D, DB_RPM_SQLITE, DB_RPM_BDB, DB_RPM_NDB, DB_APK, DB_OSREL };
static const struct {
	const char *suffix;
	int kind;
} db_paths[] = {
	{"var/lib/dpkg/status", DB_DPKG},
	{"var/lib/dpkg/status.d/", DB_DPKG_D},
	{"var/lib/rpm/rpmdb.sqlite", DB_RPM_SQLITE},
	{"usr/lib/sysimage/rpm/rpmdb.sqlite", DB_RPM_SQLITE},
	{"var/lib/rpm/Packages", DB_RPM_BDB},
	{"usr/lib/sysimage/rpm/Packages", DB_RPM_BDB},
	{"var/lib/rpm/Packages.db", DB_RPM_NDB},
	{"usr/lib/sysimage/rpm/Packages.db", DB_RPM_NDB},
	{"lib/apk/db/installed", DB_APK},
	{"etc/os-release", DB_OSREL},
	{"usr/lib/os-release", DB_OSREL},
};

/* If path (inside a root or a target) is a package DB, its kind and the
 * length of the root prefix; -1 otherwise. */
static int db_kind(const char *path, size_t *root_len)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < sizeof db_paths / sizeof *db_paths; i++) {
		const char *suf = db_paths[i].suffix;
		size_t sl = strlen(suf);
		const char *hit = NULL;
		if (suf[sl - 1] == '/') {
			/* a directory: the file is directly inside it */
			const char *p = strstr(path, suf);
			while (p) {
				if ((p == path || p[-1] == '/') && !strchr(p + sl, '/') && p[sl])
					hit = p;
				p = strstr(p + 1, suf);
			}
		} else if (n >= sl && !strcmp(path + n - sl, suf) &&
			   (n == sl || path[n - sl - 1] == '/')) {
			hit = path + n - sl;
		}
		if (hit) {
			*root_len = (size_t)(hit - path);
			return db_paths[i].kind;
		}
	}
	return -1;
}

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static bool skipped_dir(const char *path)
{
	return strstr(path, "node_modules/") != NULL || strstr(path, "/vendor/") != NULL ||
	       !strncmp(path, "vendor/", 7);
}

static int load(mamori_ctx *ctx, const vuln_rootfile *f, mamori_buf *b, size_t max,
		const unsigned char **data, size_t *len)
{
	if (!f->disk) {
		*data = f->data;
		*len = f->len;
		return MAMORI_OK;
	}
	mamori_buf_reset(b);
	int rc = mamori_buf_read_file(ctx, b, f->disk, max);
	*data = (const unsigned char *)(b->data ? b->data : "");
	*len = b->len;
	return rc;
}

void mamori_vuln_finish_os(vuln_inventory *inv)
{
	const char *eco = inv->os.ecosystem;
	const char *id = inv->os.id;
	for (size_t i = 0; i < inv->count; i++) {
		vuln_pkg *p = &inv->pkgs[i];
		if (p->ecosystem)
			continue;
		p->ecosystem = eco;
		if (!id)
			continue;
		const char *type = !strcmp(id, "debian") || !strcmp(id, "ubuntu") ? "deb"
				   : !strcmp(id, "alpine") || !strcmp(id, "wolfi")  ? "apk"
										    : "rpm";
		/* the purl "upstream" qualifier carries the source package (and its
		 * version when it differs), which distro advisories are keyed by */
		char q[512], up[256] = "";
		if (p->source_name)
			snprintf(up, sizeof up, "&upstream=%s%s%s", p->source_name,
				 p->source_version ? "%40" : "", p->source_version ? p->source_version : "");
		snprintf(q, sizeof q, "arch=%s&distro=%s-%s%s", p->arch ? p->arch : "noarch", id,
			 inv->os.version_id ? inv->os.version_id : "", up);
		p->purl = mamori_vuln_purl(inv, type, id, p->name, p->version, q);
	}
}

static vuln_lock_reader reader_for(const char *path)
{
	return skipped_dir(path) ? NULL : mamori_vuln_lockfile_reader(base_name(path));
}

void mamori_vuln_read_root(mamori_ctx *ctx, vuln_inv_kind kind, const char *display,
			   const vuln_rootfile *files, size_t n, vuln_invset *out)
{
	vuln_inventory *os = mamori_vuln_invset_add(out, kind, display);
	size_t os_index = out->count - 1;
	mamori_buf b = MAMORI_BUF_INIT;
	bool any_db = false;
	vuln_os osr = {0};
	for (size_t i = 0; i < n; i++) {
		os = &out->items[os_index];
		const vuln_rootfile *f = &files[i];
		size_t rl;
		int k = db_kind(f->path, &rl);
		if (k < 0 || rl != 0)
			continue;
		char where[2048];
		snprintf(where, sizeof where, "%s%s%s", display, *display ? "/" : "", f->path);
		const unsigned char *data;
		size_t len;
		size_t before = os->count;
		int rc = MAMORI_OK;
		if (k == DB_RPM_SQLITE && f->disk) {
			rc = mamori_vuln_read_rpmdb_sqlite(ctx, f->disk, where, os);
		} else if (load(ctx, f, &b, MAX_DB_BYTES, &data, &len) != MAMORI_OK) {
			rc = MAMORI_EINPUT;
		} else {
			switch (k) {
			case DB_DPKG:
			case DB_DPKG_D:
				rc = mamori_vuln_read_dpkg(ctx, where, (const char *)data, len, os);
				break;
			case DB_APK:
				rc = mamori_vuln_read_apk(ctx, where, (const char *)data, len, os);
				break;
			case DB_RPM_BDB:
				rc = mamori_vuln_read_rpmdb_bdb(ctx, where, data, len, os);
				break;
			case DB_RPM_NDB:
				rc = mamori_vuln_read_rpmdb_ndb(ctx, where, data, len, os);
				break;
			case DB_RPM_SQLITE:
				rc = mamori_vuln_read_rpmdb_sqlite_buf(ctx, where, data, len, os);
				break;
			case DB_OSREL:
				if (!osr.id) /* etc/os-release wins: it sorts first */
					rc = mamori_vuln_read_os_release(ctx, where, (const char *)data,
									 len, &osr, os);
				break;
			default:
				break;
			}
		}
		if (rc)
			mamori_vuln_inventory_problem_ctx(os, ctx);
		if (k != DB_OSREL)
			any_db = true;
		const char *loc = mamori_vuln_strdup(os, where);
		const char *layer = f->layer ? mamori_vuln_strdup(os, f->layer) : NULL;
		for (size_t p = before; p < os->count; p++) {
			os->pkgs[p].location = loc;
			os->pkgs[p].layer = layer;
		}
	}
	os = &out->items[os_index];
	os->os = osr;
	if (any_db && !osr.ecosystem)
		mamori_vuln_inventory_problem(os, ctx, display, "", 0, 0,
					      "no os-release of a known distribution: its packages "
					      "cannot be matched (which release's advisories apply is "
					      "unknown)");
	mamori_vuln_finish_os(os);
	/* lockfiles and Go binaries */
	for (size_t i = 0; i < n; i++) {
		const vuln_rootfile *f = &files[i];
		vuln_lock_reader rd = reader_for(f->path);
		if (!rd)
			continue;
		char where[2048];
		snprintf(where, sizeof where, "%s%s%s", display, *display ? "/" : "", f->path);
		vuln_inventory *inv = mamori_vuln_invset_add(out, VULN_INV_LOCKFILE, where);
		const unsigned char *data;
		size_t len;
		if (load(ctx, f, &b, MAX_LOCK_BYTES, &data, &len) != MAMORI_OK ||
		    rd(ctx, where, (const char *)data, len, inv) != MAMORI_OK)
			mamori_vuln_inventory_problem_ctx(inv, ctx);
		const char *layer = f->layer ? mamori_vuln_strdup(inv, f->layer) : NULL;
		for (size_t p = 0; p < inv->count; p++) {
			inv->pkgs[p].location = inv->name;
			inv->pkgs[p].layer = layer;
			/* a lockfile inside an image is what the image ships */
			if (kind == VULN_INV_IMAGE)
				inv->pkgs[p].installed = true;
		}
	}
	mamori_buf_free(&b);
	/* drop an empty OS inventory of a root that had none */
	os = &out->items[os_index];
	if (!any_db && !os->problem_count) {
		mamori_vuln_inventory_free(os);
		memmove(os, os + 1, (out->count - os_index - 1) * sizeof *os);
		out->count--;
	}
}

static bool is_cyclonedx(const mamori_target_file *f, mamori_buf *b, mamori_ctx *ctx)
{
	const char *n = base_name(f->relpath);
	size_t l = strlen(n);
	if (l < 5 || strcasecmp(n + l - 5, ".json") != 0 || f->size > MAX_LOCK_BYTES)
		return false;
	if (!strstr(n, "bom") && !strstr(n, "cdx") && !strstr(n, "sbom"))
		return false;
	mamori_buf_reset(b);
	if (mamori_buf_read_file(ctx, b, f->path, MAX_LOCK_BYTES)) {
		mamori_error_clear(ctx);
		return false;
	}
	return b->data && strstr(b->data, "\"bomFormat\"") && strstr(b->data, "CycloneDX");
}

bool mamori_vuln_target_wants(const mamori_target *t)
{
	for (size_t i = 0; i < t->file_count; i++) {
		const char *p = t->files[i].relpath;
		size_t rl;
		if (db_kind(p, &rl) >= 0 && db_kind(p, &rl) != DB_OSREL)
			return true;
		if (reader_for(p))
			return true;
		size_t n = strlen(p);
		if (n > 4 && !strcasecmp(p + n - 4, ".tar"))
			return true;
		const char *b = base_name(p);
		if (n > 5 && !strcasecmp(p + n - 5, ".json") &&
		    (strstr(b, "bom") || strstr(b, "cdx")))
			return true;
		/* Go binaries: ELF files without an extension */
		if (!strchr(b, '.') && t->files[i].size > 64) {
			FILE *fp = fopen(t->files[i].path, "rb");
			unsigned char magic[4] = {0};
			bool elf = fp && fread(magic, 1, 4, fp) == 4 && !memcmp(magic, "\x7f" "ELF", 4);
			if (fp)
				fclose(fp);
			if (elf)
				return true;
		}
	}
	return false;
}

void mamori_vuln_collect_target(mamori_ctx *ctx, const mamori_target *t, vuln_invset *out)
{
	/* host roots: prefixes of package databases */
	char **roots = NULL;
	size_t nroots = 0;
	for (size_t i = 0; i < t->file_count; i++) {
		size_t rl;
		int k = db_kind(t->files[i].relpath, &rl);
		if (k < 0 || k == DB_OSREL)
			continue;
		char *r = mamori_xstrdup(t->files[i].relpath);
		r[rl] = '\0';
		bool seen = false;
		for (size_t j = 0; j < nroots; j++)
			if (!strcmp(roots[j], r))
				seen = true;
		if (seen) {
			free(r);
			continue;
		}
		roots = mamori_xrealloc(roots, (nroots + 1) * sizeof *roots);
		roots[nroots++] = r;
	}
	bool *in_root = mamori_xcalloc(t->file_count + 1, sizeof *in_root);
	for (size_t r = 0; r < nroots; r++) {
		size_t rl = strlen(roots[r]);
		vuln_rootfile *files = mamori_xcalloc(t->file_count + 1, sizeof *files);
		size_t n = 0;
		for (size_t i = 0; i < t->file_count; i++) {
			const char *p = t->files[i].relpath;
			if (strncmp(p, roots[r], rl) != 0)
				continue;
			/* a file belongs to the deepest root holding it */
			bool deeper = false;
			for (size_t o = 0; o < nroots; o++)
				if (o != r && strlen(roots[o]) > rl && !strncmp(p, roots[o], strlen(roots[o])))
					deeper = true;
			if (deeper)
				continue;
			files[n].path = p + rl;
			files[n].disk = t->files[i].path;
			n++;
			in_root[i] = true;
		}
		char *display = mamori_xstrdup(roots[r]);
		size_t dl = strlen(display);
		if (dl && display[dl - 1] == '/')
			display[dl - 1] = '\0';
		mamori_vuln_read_root(ctx, VULN_INV_HOST, *display ? display : ".", files, n, out);
		free(display);
		free(files);
	}
	/* lockfiles outside roots, images, SBOMs, Go binaries */
	mamori_buf b = MAMORI_BUF_INIT;
	for (size_t i = 0; i < t->file_count; i++) {
		if (in_root[i])
			continue;
		const mamori_target_file *f = &t->files[i];
		size_t n = strlen(f->relpath);
		if (reader_for(f->relpath)) {
			vuln_rootfile rf = {f->relpath, f->path, NULL, 0, NULL};
			mamori_vuln_read_root(ctx, VULN_INV_LOCKFILE, "", &rf, 1, out);
		} else if (n > 4 && !strcasecmp(f->relpath + n - 4, ".tar") &&
			   mamori_vuln_image_sniff(f->path)) {
			if (mamori_vuln_read_image(ctx, f->path, f->relpath, out)) {
				vuln_inventory *inv = mamori_vuln_invset_add(out, VULN_INV_IMAGE,
									     f->relpath);
				mamori_vuln_inventory_problem_ctx(inv, ctx);
			}
		} else if (is_cyclonedx(f, &b, ctx)) {
			vuln_inventory *inv = mamori_vuln_invset_add(out, VULN_INV_SBOM, f->relpath);
			if (mamori_vuln_read_cyclonedx(ctx, f->relpath, b.data, b.len, inv))
				mamori_vuln_inventory_problem_ctx(inv, ctx);
		} else if (f->size > 64 && f->size < MAX_GOBIN_BYTES && !strchr(base_name(f->relpath), '.')) {
			/* Go binaries: ELF files without an extension */
			FILE *fp = fopen(f->path, "rb");
			unsigned char magic[4] = {0};
			bool elf = fp && fread(magic, 1, 4, fp) == 4 && !memcmp(magic, "\x7f" "ELF", 4);
			if (fp)
				fclose(fp);
			if (!elf)
				continue;
			mamori_buf_reset(&b);
			if (mamori_buf_read_file(ctx, &b, f->path, MAX_GOBIN_BYTES)) {
				mamori_error_clear(ctx);
				continue;
			}
			if (!mamori_vuln_gobin_sniff((const unsigned char *)b.data, b.len))
				continue;
			vuln_inventory *inv = mamori_vuln_invset_add(out, VULN_INV_HOST, f->relpath);
			if (mamori_vuln_read_gobin(ctx, f->relpath, (const unsigned char *)b.data, b.len,
						   inv))
				mamori_vuln_inventory_problem_ctx(inv, ctx);
			for (size_t p = 0; p < inv->count; p++)
				inv->pkgs[p].location = inv->name;
		}
	}
	mamori_buf_free(&b);
	free(in_root);
	for (size_t r = 0; r < nroots; r++)
		free(roots[r]);
	free(roots);
}

/* ---- --root DIR: a target of the package databases only ---- */

static void root_add(mamori_target *t, size_t *cap, const char *root, const char *rel)
{
	char *path = mamori_arena_printf(&t->arena, "%s/%s", root, rel);
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (t->file_count == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t->files = mamori_xrealloc(t->files, *cap * sizeof *t->files);
	}
	mamori_target_file *f = &t->files[t->file_count++];
	f->path = path;
	f->relpath = path + strlen(root) + 1;
	f->size = (uint64_t)st.st_size;
}

static int by_relpath(const void *a, const void *b)
{
	return strcmp(((const mamori_target_file *)a)->relpath,
		      ((const mamori_target_file *)b)->relpath);
}

int mamori_vuln_root_target(mamori_ctx *ctx, const char *dir, mamori_target **out)
{
	*out = NULL;
	char resolved[PATH_MAX];
	struct stat st;
	if (!realpath(dir, resolved) || stat(resolved, &st) != 0)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot scan: %s", dir,
					strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: --root needs a directory", dir);
	mamori_target *t = mamori_xcalloc(1, sizeof *t);
	mamori_arena_init(&t->arena, 0);
	t->kind = MAMORI_TARGET_PATH;
	t->spec = mamori_arena_strdup(&t->arena, dir);
	t->root = mamori_arena_strdup(&t->arena, resolved);
	t->scope = mamori_arena_printf(&t->arena, "path:%s", resolved);
	const char *root = strcmp(resolved, "/") ? resolved : "";
	size_t cap = 0;
	for (size_t i = 0; i < sizeof db_paths / sizeof *db_paths; i++) {
		const char *suf = db_paths[i].suffix;
		size_t sl = strlen(suf);
		if (suf[sl - 1] != '/') {
			root_add(t, &cap, root, suf);
			continue;
		}
		/* status.d/: the files directly inside */
		char *d = mamori_arena_printf(&t->arena, "%s/%s", root, suf);
		DIR *dh = opendir(d);
		if (!dh)
			continue;
		struct dirent *e;
		while ((e = readdir(dh)))
			if (e->d_name[0] != '.')
				root_add(t, &cap, root,
					 mamori_arena_printf(&t->arena, "%s%s", suf, e->d_name));
		closedir(dh);
	}
	/* advisories shipped with the root, as for any target */
	char *adv = mamori_arena_printf(&t->arena, "%s/advisories", root);
	DIR *dh = opendir(adv);
	if (dh) {
		struct dirent *e;
		while ((e = readdir(dh)))
			if (e->d_name[0] != '.')
				root_add(t, &cap, root,
					 mamori_arena_printf(&t->arena, "advisories/%s", e->d_name));
		closedir(dh);
	}
	if (t->file_count)
		qsort(t->files, t->file_count, sizeof *t->files, by_relpath);
	*out = t;
	return MAMORI_OK;
}
