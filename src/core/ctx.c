/*
 * ctx.c — the library context: logging, progress, clock and actor.
 *
 * Everything that a library would be tempted to keep in globals lives here,
 * so that two contexts (two threads, two embedders) never interfere.
 */
#include "internal.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

const char *mamori_version(void)
{
	return MAMORI_VERSION;
}

static const char *const level_names[] = {"error", "warn", "info", "debug", "trace"};

static void log_to_stderr(void *userdata, mamori_log_level level, const char *message)
{
	(void)userdata;
	fprintf(stderr, "mamori: %s: %s\n", level_names[level], message);
}

static char *default_actor(void)
{
	const char *user = getenv("USER");
	struct passwd *pw = NULL;
	if (mamori_str_empty(user)) {
		pw = getpwuid(getuid());
		user = pw ? pw->pw_name : "unknown";
	}
	char host[256] = "localhost";
	if (gethostname(host, sizeof host - 1) != 0)
		strcpy(host, "localhost");
	host[sizeof host - 1] = '\0';
	size_t n = strlen(user) + strlen(host) + 2;
	char *actor = mamori_xmalloc(n);
	snprintf(actor, n, "%s@%s", user, host);
	return actor;
}

mamori_ctx *mamori_ctx_new(void)
{
	mamori_ctx *ctx = mamori_xcalloc(1, sizeof *ctx);
	ctx->log_level = MAMORI_LOG_WARN;
	ctx->log_fn = log_to_stderr;
	ctx->actor = default_actor();
	return ctx;
}

void mamori_ctx_free(mamori_ctx *ctx)
{
	if (!ctx)
		return;
	mamori_buf_free(&ctx->err_message);
	mamori_buf_free(&ctx->err_excerpt);
	mamori_ctx_hash_free(ctx);
	free(ctx->actor);
	free(ctx);
}

void mamori_ctx_set_log(mamori_ctx *ctx, mamori_log_level level, mamori_log_fn fn, void *userdata)
{
	ctx->log_level = level;
	ctx->log_fn = fn ? fn : log_to_stderr;
	ctx->log_userdata = userdata;
}

mamori_log_level mamori_ctx_log_level(const mamori_ctx *ctx)
{
	return ctx->log_level;
}

int mamori_log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof level_names / sizeof *level_names; i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	if (strcasecmp(name, "warning") == 0)
		return MAMORI_LOG_WARN;
	return -1;
}

const char *mamori_log_level_name(mamori_log_level level)
{
	return (unsigned)level < sizeof level_names / sizeof *level_names ? level_names[level] : "?";
}

void mamori_logv(mamori_ctx *ctx, mamori_log_level level, const char *fmt, va_list ap)
{
	if (level > ctx->log_level)
		return;
	char stack[512];
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(stack, sizeof stack, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if ((size_t)n < sizeof stack) {
		ctx->log_fn(ctx->log_userdata, level, stack);
		return;
	}
	char *heap = mamori_xmalloc((size_t)n + 1);
	vsnprintf(heap, (size_t)n + 1, fmt, ap);
	ctx->log_fn(ctx->log_userdata, level, heap);
	free(heap);
}

void mamori_log(mamori_ctx *ctx, mamori_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	mamori_logv(ctx, level, fmt, ap);
	va_end(ap);
}

void mamori_ctx_set_progress(mamori_ctx *ctx, const mamori_progress_ops *ops, void *userdata)
{
	ctx->progress = ops;
	ctx->progress_userdata = userdata;
}

/* Nested tasks take over the display (a scan announces a module, the module
 * announces its files); the display closes when the outermost task ends. */
void mamori_progress_begin(mamori_ctx *ctx, const char *label, uint64_t total)
{
	ctx->progress_depth++;
	if (ctx->progress && ctx->progress->begin)
		ctx->progress->begin(ctx->progress_userdata, label, total);
}

void mamori_progress_update(mamori_ctx *ctx, uint64_t done)
{
	if (ctx->progress_depth > 0 && ctx->progress && ctx->progress->update)
		ctx->progress->update(ctx->progress_userdata, done);
}

void mamori_progress_end(mamori_ctx *ctx)
{
	if (ctx->progress_depth > 0 && --ctx->progress_depth == 0 && ctx->progress &&
	    ctx->progress->end)
		ctx->progress->end(ctx->progress_userdata);
}

void mamori_ctx_set_now(mamori_ctx *ctx, time_t now)
{
	ctx->now = now;
}

time_t mamori_ctx_now(const mamori_ctx *ctx)
{
	return ctx->now ? ctx->now : time(NULL);
}

void mamori_ctx_set_actor(mamori_ctx *ctx, const char *actor)
{
	free(ctx->actor);
	ctx->actor = mamori_xstrdup(mamori_str_empty(actor) ? "unknown" : actor);
}

const char *mamori_ctx_actor(const mamori_ctx *ctx)
{
	return ctx->actor;
}
