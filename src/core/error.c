/*
 * error.c — the error convention: a status code returned, the details kept
 * in the ctx (see error.h).  Positions are computed here once so that every
 * parser reports `path:line:col` and an excerpt the same way.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

const mamori_error *mamori_error_last(const mamori_ctx *ctx)
{
	mamori_ctx *c = (mamori_ctx *)ctx; /* the view is a cache */
	c->err_view.code = ctx->err_code;
	c->err_view.message = ctx->err_code ? mamori_buf_cstr(&ctx->err_message) : "";
	c->err_view.excerpt = ctx->err_code && ctx->err_excerpt.len ? ctx->err_excerpt.data : NULL;
	return &c->err_view;
}

void mamori_error_clear(mamori_ctx *ctx)
{
	ctx->err_code = MAMORI_OK;
	mamori_buf_reset(&ctx->err_message);
	mamori_buf_reset(&ctx->err_excerpt);
}

MAMORI_PRINTF(3, 0) static void set_message(mamori_ctx *ctx, int code, const char *fmt, va_list ap)
{
	mamori_error_clear(ctx);
	ctx->err_code = code ? code : MAMORI_EINTERNAL;
	mamori_buf_vprintf(&ctx->err_message, fmt, ap);
}

int mamori_error_set(mamori_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(ctx, code, fmt, ap);
	va_end(ap);
	return ctx->err_code;
}

void mamori_error_position(const char *buf, size_t len, size_t offset, unsigned *line,
			   unsigned *col)
{
	unsigned l = 1;
	size_t line_start = 0;
	if (offset > len)
		offset = len;
	for (size_t i = 0; i < offset; i++) {
		if (buf[i] == '\n') {
			l++;
			line_start = i + 1;
		}
	}
	*line = l;
	*col = (unsigned)(offset - line_start + 1);
}

/* The line holding offset, clipped to a window around it, and a caret line. */
static void build_excerpt(mamori_buf *out, const char *buf, size_t len, size_t offset)
{
	enum { WINDOW = 100 };
	if (offset > len)
		offset = len;
	size_t start = offset, end = offset;
	while (start > 0 && buf[start - 1] != '\n')
		start--;
	while (end < len && buf[end] != '\n' && buf[end] != '\r')
		end++;
	bool cut_left = false, cut_right = false;
	if (offset - start > WINDOW) {
		start = offset - WINDOW / 2;
		cut_left = true;
	}
	if (end - start > WINDOW) {
		end = start + WINDOW;
		cut_right = true;
		if (end < offset)
			end = offset;
	}
	mamori_buf line = MAMORI_BUF_INIT;
	if (cut_left)
		mamori_buf_puts(&line, "...");
	/* control characters would garble a terminal: show them as '?' */
	for (size_t i = start; i < end; i++) {
		unsigned char ch = (unsigned char)buf[i];
		mamori_buf_putc(&line, (char)(ch == '\t' ? ' ' : (ch < 0x20 || ch == 0x7f) ? '?' : ch));
	}
	if (cut_right)
		mamori_buf_puts(&line, "...");
	mamori_buf_puts(out, "  ");
	mamori_redact_line(mamori_buf_cstr(&line), line.len, out);
	mamori_buf_puts(out, "\n  ");
	size_t caret = (offset - start) + (cut_left ? 3 : 0);
	/* count code points, not bytes, so the caret lands under the character */
	size_t cols = 0;
	const char *l = mamori_buf_cstr(&line);
	for (size_t i = 0; i < caret && i < line.len; i++)
		if (((unsigned char)l[i] & 0xC0) != 0x80)
			cols++;
	for (size_t i = 0; i < cols; i++)
		mamori_buf_putc(out, ' ');
	mamori_buf_putc(out, '^');
	mamori_buf_free(&line);
}

int mamori_error_set_at(mamori_ctx *ctx, int code, const char *path, const char *buf, size_t len,
			size_t offset, const char *fmt, ...)
{
	unsigned line, col;
	mamori_error_position(buf, len, offset, &line, &col);
	mamori_error_clear(ctx);
	ctx->err_code = code ? code : MAMORI_EINTERNAL;
	mamori_buf_printf(&ctx->err_message, "%s:%u:%u: ", path ? path : "<input>", line, col);
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(&ctx->err_message, fmt, ap);
	va_end(ap);
	if (buf && len)
		build_excerpt(&ctx->err_excerpt, buf, len, offset);
	return ctx->err_code;
}

void mamori_error_prefix(mamori_ctx *ctx, const char *fmt, ...)
{
	mamori_buf msg = MAMORI_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	mamori_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	mamori_buf_puts(&msg, ": ");
	mamori_buf_append(&msg, mamori_buf_cstr(&ctx->err_message), ctx->err_message.len);
	mamori_buf_free(&ctx->err_message);
	ctx->err_message = msg;
}

const char *mamori_status_name(int code)
{
	switch (code) {
	case MAMORI_OK:
		return "ok";
	case MAMORI_EUSAGE:
		return "usage error";
	case MAMORI_EINPUT:
		return "input error";
	case MAMORI_ENOTFOUND:
		return "not found";
	case MAMORI_EAMBIGUOUS:
		return "ambiguous";
	case MAMORI_ESTORE:
		return "store error";
	case MAMORI_ENOSPC:
		return "no space";
	case MAMORI_ENOMEM:
		return "out of memory";
	default:
		return "internal error";
	}
}
