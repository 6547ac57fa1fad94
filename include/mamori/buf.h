/*
 * buf.h — a growable byte buffer, always NUL-terminated.
 *
 * Used to build output documents, error messages and file contents.  Like the
 * arena, growth failure is fatal (mamori_oom), so appends cannot fail.
 */
#ifndef MAMORI_BUF_H
#define MAMORI_BUF_H

#include "common.h"
#include <stdarg.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mamori_buf {
	char *data; /* NULL until the first append; then NUL-terminated */
	size_t len;
	size_t cap;
} mamori_buf;

#define MAMORI_BUF_INIT {NULL, 0, 0}

MAMORI_API void mamori_buf_free(mamori_buf *b);
MAMORI_API void mamori_buf_reset(mamori_buf *b); /* keep capacity */
MAMORI_API void mamori_buf_reserve(mamori_buf *b, size_t extra);
MAMORI_API void mamori_buf_append(mamori_buf *b, const void *p, size_t n);
MAMORI_API void mamori_buf_puts(mamori_buf *b, const char *s);
MAMORI_API void mamori_buf_putc(mamori_buf *b, char c);
MAMORI_API void mamori_buf_printf(mamori_buf *b, const char *fmt, ...) MAMORI_PRINTF(2, 3);
MAMORI_API void mamori_buf_vprintf(mamori_buf *b, const char *fmt, va_list ap) MAMORI_PRINTF(2, 0);
/* The contents ("" when empty); stays valid until the next append. */
MAMORI_API const char *mamori_buf_cstr(const mamori_buf *b);
/* Hand the storage to the caller (free() it); b is reset. */
MAMORI_API char *mamori_buf_detach(mamori_buf *b);

/*
 * Read a whole file (or stdin for "-") into b.  On failure returns
 * MAMORI_EINPUT with "path: reason" in ctx.  max_size 0 = no limit; a larger
 * file is refused rather than read.
 */
MAMORI_API int mamori_buf_read_file(mamori_ctx *ctx, mamori_buf *b, const char *path,
				    size_t max_size);

#ifdef __cplusplus
}
#endif
#endif
