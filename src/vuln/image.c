/*
 * image.c — container images saved as tarballs: `docker save` (a
 * manifest.json naming the layer tars) and OCI image layouts (index.json
 * -> manifest blob -> layer blobs), read with libarchive, which also
 * undoes the layers' gzip or zstd compression.
 *
 * Layers are applied in order: a file of a later layer replaces the same
 * path; ".wh.NAME" deletes NAME, ".wh..wh..opq" empties its directory of
 * what earlier layers put there.  Only the files an inventory needs are
 * kept in memory (package databases, os-release, lockfiles), each with the
 * layer that last wrote it, which the findings report (SourceLayerHash).
 */
#include "collect.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_META (16u << 20)
#define MAX_KEPT (512u << 20)
#define MAX_LAYERS 256

typedef struct kept {
	char *path;
	unsigned char *data;
	size_t len;
	char *layer;
} kept;

typedef struct img {
	mamori_ctx *ctx;
	const char *path;
	kept *files;
	size_t n, cap;
	size_t total;
} img;

static const char *const wanted_suffix[] = {
	"var/lib/dpkg/status",	 "var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages",
	"var/lib/rpm/Packages.db", "usr/lib/sysimage/rpm/rpmdb.sqlite",
	"usr/lib/sysimage/rpm/Packages.db", "lib/apk/db/installed", "etc/os-release",
	"usr/lib/os-release", NULL};

static bool wanted(const char *p)
{
	size_t n = strlen(p);
	for (int i = 0; wanted_suffix[i]; i++)
		if (!strcmp(p, wanted_suffix[i]))
			return true;
	if (strstr(p, "var/lib/dpkg/status.d/") == p && !strchr(p + 22, '/'))
		return true;
	const char *b = strrchr(p, '/');
	b = b ? b + 1 : p;
	(void)n;
	return strstr(p, "node_modules/") == NULL && mamori_vuln_lockfile_reader(b) != NULL;
}

static const char *clean(const char *p)
{
	while (*p == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	return p;
}

static void drop(img *m, size_t i)
{
	free(m->files[i].path);
	free(m->files[i].data);
	free(m->files[i].layer);
	m->total -= m->files[i].len;
	m->files[i] = m->files[--m->n];
}

/* remove path, or everything under dir/ when prefix */
static void remove_path(img *m, const char *path, bool prefix)
{
	size_t pl = strlen(path);
	for (size_t i = 0; i < m->n;) {
		const char *p = m->files[i].path;
		bool hit = prefix ? !strncmp(p, path, pl) : (!strcmp(p, path) ||
							     (!strncmp(p, path, pl) && p[pl] == '/'));
		if (hit)
			drop(m, i);
		else
			i++;
	}
}

/* read the current entry's data */
static bool read_data(struct archive *a, mamori_buf *b, size_t max)
{
	mamori_buf_reset(b);
	char chunk[65536];
	la_ssize_t got;
	while ((got = archive_read_data(a, chunk, sizeof chunk)) > 0) {
		if (b->len + (size_t)got > max)
			return false;
		mamori_buf_append(b, chunk, (size_t)got);
	}
	return got == 0;
}

/* a layer is read straight out of the outer tarball's entry, never held
 * whole in memory (layers can be gigabytes) */
typedef struct nested {
	struct archive *outer;
	char buf[1 << 16];
} nested;

static la_ssize_t nested_read(struct archive *a, void *ud, const void **out)
{
	(void)a;
	nested *n = ud;
	*out = n->buf;
	return archive_read_data(n->outer, n->buf, sizeof n->buf);
}

static int apply_layer(img *m, struct archive *outer, const char *digest)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	nested *nest = mamori_xmalloc(sizeof *nest);
	nest->outer = outer;
	if (archive_read_open(a, nest, NULL, nested_read, NULL) != ARCHIVE_OK) {
		int rc = mamori_error_set(m->ctx, MAMORI_EINPUT, "%s: layer %s: not a tar: %s", m->path,
					  digest, archive_error_string(a));
		archive_read_free(a);
		free(nest);
		return rc;
	}
	struct archive_entry *e;
	int r;
	mamori_buf data = MAMORI_BUF_INIT;
	int rc = MAMORI_OK;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);
		if (!p)
			continue;
		p = clean(p);
		const char *b = strrchr(p, '/');
		const char *base = b ? b + 1 : p;
		if (!strncmp(base, ".wh.", 4)) {
			char dir[4096];
			snprintf(dir, sizeof dir, "%.*s", (int)(base - p), p);
			if (!strcmp(base, ".wh..wh..opq")) {
				remove_path(m, dir, true);
			} else {
				char victim[4096];
				snprintf(victim, sizeof victim, "%s%s", dir, base + 4);
				remove_path(m, victim, false);
			}
			continue;
		}
		/* a new entry replaces whatever was at its path */
		remove_path(m, p, false);
		if (archive_entry_filetype(e) != AE_IFREG || !wanted(p))
			continue;
		if (!read_data(a, &data, MAX_KEPT) || m->total + data.len > MAX_KEPT) {
			rc = mamori_error_set(m->ctx, MAMORI_EINPUT,
					      "%s: layer %s: %s could not be read (damaged or larger "
					      "than %u MB)",
					      m->path, digest, p, MAX_KEPT >> 20);
			break;
		}
		if (m->n == m->cap) {
			m->cap = m->cap ? m->cap * 2 : 16;
			m->files = mamori_xrealloc(m->files, m->cap * sizeof *m->files);
		}
		kept *k = &m->files[m->n++];
		k->path = mamori_xstrdup(p);
		k->len = data.len;
		k->data = (unsigned char *)mamori_buf_detach(&data);
		if (!k->data)
			k->data = (unsigned char *)mamori_xstrdup("");
		k->layer = mamori_xstrdup(digest);
		m->total += k->len;
	}
	if (!rc && r != ARCHIVE_EOF)
		rc = mamori_error_set(m->ctx, MAMORI_EINPUT, "%s: layer %s is damaged: %s", m->path,
				      digest, archive_error_string(a));
	mamori_buf_free(&data);
	archive_read_free(a);
	free(nest);
	return rc;
}

static struct archive *open_outer(const char *path)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, path, 1 << 16) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* the content of one member of the outer tarball */
static int member(img *m, const char *name, mamori_buf *out)
{
	struct archive *a = open_outer(m->path);
	if (!a)
		return mamori_error_set(m->ctx, MAMORI_EINPUT, "%s: not a readable tarball", m->path);
	struct archive_entry *e;
	int rc = MAMORI_ENOTFOUND;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);
		if (p && !strcmp(clean(p), name)) {
			rc = read_data(a, out, MAX_META) ? MAMORI_OK : MAMORI_EINPUT;
			break;
		}
	}
	archive_read_free(a);
	if (rc == MAMORI_ENOTFOUND)
		return mamori_error_set(m->ctx, MAMORI_EINPUT, "%s: %s is missing", m->path, name);
	if (rc)
		return mamori_error_set(m->ctx, MAMORI_EINPUT, "%s: %s is damaged or too large",
					m->path, name);
	return MAMORI_OK;
}

bool mamori_vuln_image_sniff(const char *path)
{
	struct archive *a = open_outer(path);
	if (!a)
		return false;
	struct archive_entry *e;
	bool found = false;
	int seen = 0;
	while (!found && seen++ < 100000 && archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *p = archive_entry_pathname(e);
		if (p && (!strcmp(clean(p), "manifest.json") || !strcmp(clean(p), "oci-layout")))
			found = true;
	}
	archive_read_free(a);
	return found;
}

/* layer paths in order: docker manifest.json, else OCI index.json */
static int layer_list(img *m, char ***out, size_t *n, char **tag)
{
	*out = NULL;
	*n = 0;
	*tag = NULL;
	mamori_buf b = MAMORI_BUF_INIT;
	cJSON *doc = NULL;
	const cJSON *layers = NULL;
	int rc;
	if (member(m, "manifest.json", &b) == MAMORI_OK) {
		doc = mamori_json_parse(m->ctx, "manifest.json", b.data, b.len);
		if (!doc) {
			mamori_buf_free(&b);
			return mamori_error_set(m->ctx, MAMORI_EINPUT, "%s: manifest.json: %s", m->path,
						mamori_error_last(m->ctx)->message);
		}
		const cJSON *first = cJSON_GetArrayItem(doc, 0);
		layers = mamori_json_get(first, "Layers");
		const cJSON *tags = mamori_json_get(first, "RepoTags");
		if (cJSON_IsString(cJSON_GetArrayItem(tags, 0)))
			*tag = mamori_xstrdup(cJSON_GetArrayItem(tags, 0)->valuestring);
	} else {
		mamori_error_clear(m->ctx);
		if ((rc = member(m, "index.json", &b))) {
			mamori_buf_free(&b);
			return mamori_error_set(m->ctx, MAMORI_EINPUT,
						"%s: neither manifest.json (docker save) nor "
						"index.json (OCI layout)",
						m->path);
		}
		cJSON *index = mamori_json_parse(m->ctx, "index.json", b.data, b.len);
		const cJSON *man = cJSON_GetArrayItem(mamori_json_get(index, "manifests"), 0);
		const char *digest = mamori_json_str(man, "digest");
		const char *ref = mamori_json_str(mamori_json_get(man, "annotations"),
						  "org.opencontainers.image.ref.name");
		if (ref)
			*tag = mamori_xstrdup(ref);
		char blob[512];
		snprintf(blob, sizeof blob, "blobs/%s", digest ? digest : "");
		char *colon = strchr(blob + 6, ':');
		if (colon)
			*colon = '/';
		cJSON_Delete(index);
		if (!digest || member(m, blob, &b)) {
			mamori_buf_free(&b);
			return mamori_error_set(m->ctx, MAMORI_EINPUT,
						"%s: index.json names no readable manifest", m->path);
		}
		doc = mamori_json_parse(m->ctx, blob, b.data, b.len);
		layers = mamori_json_get(doc, "layers");
	}
	mamori_buf_free(&b);
	if (!cJSON_IsArray(layers) || cJSON_GetArraySize(layers) > MAX_LAYERS) {
		cJSON_Delete(doc);
		return mamori_error_set(m->ctx, MAMORI_EINPUT, "%s: the manifest lists no layers",
					m->path);
	}
	const cJSON *l;
	cJSON_ArrayForEach(l, layers)
	{
		const char *p = cJSON_IsString(l) ? l->valuestring : mamori_json_str(l, "digest");
		if (!p)
			continue;
		char path[512];
		snprintf(path, sizeof path, "%s%s", cJSON_IsString(l) ? "" : "blobs/", p);
		if (!cJSON_IsString(l)) {
			char *colon = strchr(path + 6, ':');
			if (colon)
				*colon = '/';
		}
		*out = mamori_xrealloc(*out, (*n + 1) * sizeof **out);
		(*out)[(*n)++] = mamori_xstrdup(clean(path));
	}
	cJSON_Delete(doc);
	return MAMORI_OK;
}

int mamori_vuln_read_image(mamori_ctx *ctx, const char *path, const char *display,
			   vuln_invset *out)
{
	img m = {ctx, path, NULL, 0, 0, 0};
	char **layers;
	size_t nl;
	char *tag;
	int rc = layer_list(&m, &layers, &nl, &tag);
	if (rc)
		return rc;
	for (size_t i = 0; i < nl && !rc; i++) {
		struct archive *a = open_outer(path);
		if (!a) {
			rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: not a readable tarball", path);
			break;
		}
		struct archive_entry *e;
		bool found = false;
		while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *p = archive_entry_pathname(e);
			if (p && !strcmp(clean(p), layers[i])) {
				found = true;
				/* the digest: blobs/sha256/X or X/layer.tar */
				char digest[300];
				const char *s = strstr(layers[i], "sha256/");
				if (s)
					snprintf(digest, sizeof digest, "sha256:%s", s + 7);
				else
					snprintf(digest, sizeof digest, "%.*s",
						 (int)strcspn(layers[i], "/"), layers[i]);
				rc = apply_layer(&m, a, digest);
				break;
			}
		}
		archive_read_free(a);
		if (!found && !rc)
			rc = mamori_error_set(ctx, MAMORI_EINPUT, "%s: layer %s is missing", path,
					      layers[i]);
	}
	if (!rc) {
		vuln_rootfile *files = mamori_xcalloc(m.n + 1, sizeof *files);
		for (size_t i = 0; i < m.n; i++)
			files[i] = (vuln_rootfile){m.files[i].path, NULL, m.files[i].data,
						   m.files[i].len, m.files[i].layer};
		/* etc/os-release before usr/lib/os-release, like the directory walk */
		for (size_t i = 1; i < m.n; i++)
			for (size_t j = i; j > 0 && strcmp(files[j].path, files[j - 1].path) < 0; j--) {
				vuln_rootfile t = files[j];
				files[j] = files[j - 1];
				files[j - 1] = t;
			}
		char name[4200];
		snprintf(name, sizeof name, "%s%s%s%s", display, tag ? " (" : "", tag ? tag : "",
			 tag ? ")" : "");
		size_t before = out->count;
		mamori_vuln_read_root(ctx, VULN_INV_IMAGE, name, files, m.n, out);
		if (out->count == before) {
			vuln_inventory *inv = mamori_vuln_invset_add(out, VULN_INV_IMAGE, name);
			mamori_vuln_inventory_problem(inv, ctx, name, "", 0, 0,
						      "no package database or lockfile in the image");
		}
		free(files);
	}
	for (size_t i = 0; i < m.n; i++) {
		free(m.files[i].path);
		free(m.files[i].data);
		free(m.files[i].layer);
	}
	free(m.files);
	for (size_t i = 0; i < nl; i++)
		free(layers[i]);
	free(layers);
	free(tag);
	return rc;
}
