/*
 * target.c — what `mamori scan` looks at.
 *
 * A path target is walked once, here, into a sorted list of regular files;
 * every module then picks the files it understands from that list instead of
 * walking the tree again.  Symbolic links are not followed (a scanned tree
 * must not make mamori read outside it) and hidden directories (.git,
 * .terraform, ...) are skipped.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct walk {
	mamori_ctx *ctx;
	mamori_target *t;
	size_t cap;
	mamori_buf path;
	size_t root_len;
} walk;

static void add_file(walk *w, const char *path, uint64_t size)
{
	mamori_target *t = w->t;
	if (t->file_count == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		t->files = mamori_xrealloc(t->files, w->cap * sizeof *t->files);
	}
	mamori_target_file *f = &t->files[t->file_count++];
	f->path = mamori_arena_strdup(&t->arena, path);
	const char *rel = path + w->root_len;
	while (*rel == '/')
		rel++;
	f->relpath = *rel ? f->path + (rel - path) : f->path;
	f->size = size;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void walk_dir(walk *w, int depth)
{
	if (depth > 64) {
		mamori_log(w->ctx, MAMORI_LOG_WARN, "%s: directory nesting deeper than 64, skipped",
			   w->path.data);
		return;
	}
	DIR *d = opendir(w->path.data);
	if (!d) {
		mamori_log(w->ctx, MAMORI_LOG_WARN, "%s: cannot read directory: %s", w->path.data,
			   strerror(errno));
		return;
	}
	/* read all names first so the result is sorted and the DIR is closed
	 * before recursing (bounded file descriptors) */
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' &&
		    (e->d_name[1] == '\0' || (e->d_name[1] == '.' && e->d_name[2] == '\0')))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = mamori_xrealloc(names, cap * sizeof *names);
		}
		names[n++] = mamori_xstrdup(e->d_name);
	}
	closedir(d);
	if (n > 1)
		qsort(names, n, sizeof *names, by_name);
	size_t base = w->path.len;
	for (size_t i = 0; i < n; i++) {
		w->path.len = base;
		mamori_buf_putc(&w->path, '/');
		mamori_buf_puts(&w->path, names[i]);
		struct stat st;
		if (lstat(w->path.data, &st) != 0) {
			mamori_log(w->ctx, MAMORI_LOG_WARN, "%s: %s", w->path.data, strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			if (names[i][0] == '.')
				mamori_log(w->ctx, MAMORI_LOG_DEBUG, "%s: hidden directory skipped",
					   w->path.data);
			else
				walk_dir(w, depth + 1);
		} else if (S_ISREG(st.st_mode)) {
			add_file(w, w->path.data, (uint64_t)st.st_size);
		} else if (S_ISLNK(st.st_mode)) {
			mamori_log(w->ctx, MAMORI_LOG_DEBUG, "%s: symbolic link not followed",
				   w->path.data);
		}
		free(names[i]);
	}
	w->path.len = base;
	w->path.data[base] = '\0';
	free(names);
}

int mamori_target_open(mamori_ctx *ctx, const char *spec, mamori_target **out)
{
	*out = NULL;
	if (mamori_str_empty(spec))
		return mamori_error_set(ctx, MAMORI_EUSAGE, "no target given");
	char resolved[PATH_MAX];
	if (!realpath(spec, resolved))
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot scan: %s", spec,
					strerror(errno));
	struct stat st;
	if (stat(resolved, &st) != 0)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot scan: %s", spec,
					strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: not a regular file or directory", spec);
	mamori_target *t = mamori_xcalloc(1, sizeof *t);
	mamori_arena_init(&t->arena, 0);
	t->kind = MAMORI_TARGET_PATH;
	t->spec = mamori_arena_strdup(&t->arena, spec);
	t->root = mamori_arena_strdup(&t->arena, resolved);
	t->scope = mamori_arena_printf(&t->arena, "path:%s", resolved);
	walk w = {ctx, t, 0, MAMORI_BUF_INIT, strlen(resolved)};
	if (S_ISREG(st.st_mode)) {
		/* a single file: its relpath is its name */
		const char *slash = strrchr(resolved, '/');
		w.root_len = slash ? (size_t)(slash - resolved) : 0;
		add_file(&w, resolved, (uint64_t)st.st_size);
	} else {
		mamori_buf_puts(&w.path, resolved);
		walk_dir(&w, 0);
	}
	mamori_buf_free(&w.path);
	mamori_log(ctx, MAMORI_LOG_INFO, "%s: %zu files to consider", spec, t->file_count);
	*out = t;
	return MAMORI_OK;
}

void mamori_target_free(mamori_target *t)
{
	if (!t)
		return;
	free(t->files);
	mamori_arena_free(&t->arena);
	free(t);
}

bool mamori_target_file_has_suffix(const mamori_target_file *f, const char *const *suffixes)
{
	size_t n = strlen(f->relpath);
	for (; *suffixes; suffixes++) {
		size_t s = strlen(*suffixes);
		if (n >= s && strcasecmp(f->relpath + n - s, *suffixes) == 0)
			return true;
	}
	return false;
}
