/*
 * ctx.h — the library context.
 *
 * A mamori_ctx carries what would otherwise be global: the log level and
 * sink, the progress reporter, the clock, the last error and the caller's
 * identity for audit history.  A ctx is used by one thread at a time; a
 * multi-threaded caller makes one per thread.  The library has no global
 * mutable state.
 */
#ifndef MAMORI_CTX_H
#define MAMORI_CTX_H

#include "common.h"
#include <stdarg.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mamori_log_level {
	MAMORI_LOG_ERROR = 0,
	MAMORI_LOG_WARN,
	MAMORI_LOG_INFO,
	MAMORI_LOG_DEBUG,
	MAMORI_LOG_TRACE,
} mamori_log_level;

/* Receives one formatted log message (no trailing newline). */
typedef void (*mamori_log_fn)(void *userdata, mamori_log_level level, const char *message);

/*
 * Progress of long work.  begin() announces a task of `total` units (0 when
 * unknown), update() reports units done, end() closes it.  Tasks nest: an
 * inner begin() takes over the display (the scan announces a module, the
 * module its files) and only the outermost end() reaches ops->end.  The CLI
 * draws a bar on a TTY; the library only reports.
 */
typedef struct mamori_progress_ops {
	void (*begin)(void *userdata, const char *label, uint64_t total);
	void (*update)(void *userdata, uint64_t done);
	void (*end)(void *userdata);
} mamori_progress_ops;

MAMORI_API mamori_ctx *mamori_ctx_new(void);
MAMORI_API void mamori_ctx_free(mamori_ctx *ctx);

/* Messages above `level` are dropped.  Default: WARN, to stderr. */
MAMORI_API void mamori_ctx_set_log(mamori_ctx *ctx, mamori_log_level level, mamori_log_fn fn,
				   void *userdata);
MAMORI_API mamori_log_level mamori_ctx_log_level(const mamori_ctx *ctx);

/* Parse "error", "warn", "info", "debug" or "trace"; -1 if unknown. */
MAMORI_API int mamori_log_level_parse(const char *name);
MAMORI_API const char *mamori_log_level_name(mamori_log_level level);

MAMORI_API void mamori_log(mamori_ctx *ctx, mamori_log_level level, const char *fmt, ...)
	MAMORI_PRINTF(3, 4);
MAMORI_API void mamori_logv(mamori_ctx *ctx, mamori_log_level level, const char *fmt, va_list ap)
	MAMORI_PRINTF(3, 0);

MAMORI_API void mamori_ctx_set_progress(mamori_ctx *ctx, const mamori_progress_ops *ops,
					void *userdata);
MAMORI_API void mamori_progress_begin(mamori_ctx *ctx, const char *label, uint64_t total);
MAMORI_API void mamori_progress_update(mamori_ctx *ctx, uint64_t done);
MAMORI_API void mamori_progress_end(mamori_ctx *ctx);

/*
 * The clock used for finding timestamps.  0 (the default) means the real
 * time; tests and reproducible reports pin it.
 */
MAMORI_API void mamori_ctx_set_now(mamori_ctx *ctx, time_t now);
MAMORI_API time_t mamori_ctx_now(const mamori_ctx *ctx);

/* Who is acting, for workflow history ("alice@host" by default). */
MAMORI_API void mamori_ctx_set_actor(mamori_ctx *ctx, const char *actor);
MAMORI_API const char *mamori_ctx_actor(const mamori_ctx *ctx);

#ifdef __cplusplus
}
#endif
#endif
