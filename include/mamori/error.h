/*
 * error.h — one error convention for the whole library.
 *
 * Functions return MAMORI_OK (0) or a negative mamori_status.  The details —
 * what failed, where (`path:line:col`), the offending excerpt with a caret,
 * and what to do — are kept in the mamori_ctx that was passed in, so that a
 * caller can print exactly one clear line (plus excerpt) and map the status
 * to an exit code.  There is no global "last error": each ctx has its own.
 */
#ifndef MAMORI_ERROR_H
#define MAMORI_ERROR_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mamori_status {
	MAMORI_OK = 0,
	MAMORI_EUSAGE = -1,	/* the caller asked for something invalid */
	MAMORI_EINPUT = -2,	/* input is malformed, unreadable or missing */
	MAMORI_ENOTFOUND = -3,	/* no such finding, scan, module... */
	MAMORI_EAMBIGUOUS = -4, /* an id prefix matches several objects */
	MAMORI_ESTORE = -5,	/* the store is locked, read-only, corrupt or too new */
	MAMORI_ENOSPC = -6,	/* the disk (or a file size limit) is full */
	MAMORI_ENOMEM = -7,	/* out of memory */
	MAMORI_EINTERNAL = -8,	/* a bug or an unexpected library failure */
} mamori_status;

typedef struct mamori_error {
	int code;	     /* a mamori_status, MAMORI_OK when no error is set */
	const char *message; /* one line: "path:line:col: what is wrong; what to do" */
	const char *excerpt; /* NULL, or the offending source line and a caret line */
} mamori_error;

/* The last error recorded in ctx; code is MAMORI_OK if none. */
MAMORI_API const mamori_error *mamori_error_last(const mamori_ctx *ctx);

/* Forget the last error. */
MAMORI_API void mamori_error_clear(mamori_ctx *ctx);

/* Record an error and return code, so that callers can `return mamori_error_set(...)`. */
MAMORI_API int mamori_error_set(mamori_ctx *ctx, int code, const char *fmt, ...) MAMORI_PRINTF(3, 4);

/*
 * Record an error found at a position of an input buffer.  The message is
 * prefixed with "path:line:col: " and the excerpt is the line holding
 * `offset` with a caret under it; secret-looking tokens in the excerpt are
 * masked.  line and col are computed from buf/offset (1-based, col in bytes).
 */
MAMORI_API int mamori_error_set_at(mamori_ctx *ctx, int code, const char *path, const char *buf,
				   size_t len, size_t offset, const char *fmt, ...)
	MAMORI_PRINTF(7, 8);

/* Prefix the current error message with "prefix: " (e.g. a file name). */
MAMORI_API void mamori_error_prefix(mamori_ctx *ctx, const char *fmt, ...) MAMORI_PRINTF(2, 3);

/* A short name for a status, e.g. "input error". */
MAMORI_API const char *mamori_status_name(int code);

/* Compute 1-based line and column (in bytes) of offset in buf. */
MAMORI_API void mamori_error_position(const char *buf, size_t len, size_t offset, unsigned *line,
				      unsigned *col);

#ifdef __cplusplus
}
#endif
#endif
