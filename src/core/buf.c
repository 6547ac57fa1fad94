/*
 * buf.c — growable NUL-terminated byte buffers (see buf.h).
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char empty_cstr[1];

void mamori_buf_free(mamori_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void mamori_buf_reset(mamori_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void mamori_buf_reserve(mamori_buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		mamori_oom(extra);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = mamori_xrealloc(b->data, cap);
	b->cap = cap;
}

void mamori_buf_append(mamori_buf *b, const void *p, size_t n)
{
	mamori_buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void mamori_buf_puts(mamori_buf *b, const char *s)
{
	mamori_buf_append(b, s, strlen(s));
}

void mamori_buf_putc(mamori_buf *b, char c)
{
	mamori_buf_append(b, &c, 1);
}

void mamori_buf_vprintf(mamori_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n <= 0)
		return;
	mamori_buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void mamori_buf_printf(mamori_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

const char *mamori_buf_cstr(const mamori_buf *b)
{
	return b->data ? b->data : empty_cstr;
}

char *mamori_buf_detach(mamori_buf *b)
{
	char *p = b->data ? b->data : mamori_xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

int mamori_buf_read_file(mamori_ctx *ctx, mamori_buf *b, const char *path, size_t max_size)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot open: %s", path,
					strerror(errno));
	struct stat st;
	if (!is_stdin && fstat(fileno(f), &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			fclose(f);
			return mamori_error_set(ctx, MAMORI_EINPUT, "%s: is a directory, not a file",
						path);
		}
		if (max_size && (uint64_t)st.st_size > max_size) {
			fclose(f);
			return mamori_error_set(ctx, MAMORI_EINPUT,
						"%s: file is %lld bytes, larger than the %zu-byte limit",
						path, (long long)st.st_size, max_size);
		}
		if (st.st_size > 0)
			mamori_buf_reserve(b, (size_t)st.st_size);
	}
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		mamori_buf_append(b, chunk, n);
		if (max_size && b->len > max_size) {
			if (!is_stdin)
				fclose(f);
			return mamori_error_set(ctx, MAMORI_EINPUT,
						"%s: input is larger than the %zu-byte limit", path,
						max_size);
		}
	}
	int failed = ferror(f);
	int err = errno;
	if (!is_stdin)
		fclose(f);
	if (failed)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: read error: %s", path,
					strerror(err));
	if (!b->data)
		mamori_buf_reserve(b, 0), b->data[0] = '\0';
	return MAMORI_OK;
}
