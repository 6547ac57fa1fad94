/*
 * inventory.c — the package list every reader fills: one per host root,
 * image, lockfile or SBOM, owning its strings in one arena, with the
 * problems met while reading (a damaged record is reported and skipped,
 * the rest of the file is still read).
 */
#include "vuln.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void mamori_vuln_inventory_init(vuln_inventory *inv, vuln_inv_kind kind, const char *name)
{
	memset(inv, 0, sizeof *inv);
	mamori_arena_init(&inv->arena, 0);
	inv->kind = kind;
	inv->name = mamori_arena_strdup(&inv->arena, name ? name : "");
}

void mamori_vuln_inventory_free(vuln_inventory *inv)
{
	free(inv->pkgs);
	free(inv->problems);
	mamori_arena_free(&inv->arena);
	memset(inv, 0, sizeof *inv);
}

vuln_pkg *mamori_vuln_inventory_add(vuln_inventory *inv)
{
	if (inv->count == inv->cap) {
		inv->cap = inv->cap ? inv->cap * 2 : 64;
		inv->pkgs = mamori_xrealloc(inv->pkgs, inv->cap * sizeof *inv->pkgs);
	}
	vuln_pkg *p = &inv->pkgs[inv->count++];
	memset(p, 0, sizeof *p);
	p->installed = inv->kind == VULN_INV_HOST || inv->kind == VULN_INV_IMAGE;
	return p;
}

char *mamori_vuln_strndup(vuln_inventory *inv, const char *s, size_t n)
{
	return mamori_arena_strndup(&inv->arena, s, n);
}

char *mamori_vuln_strdup(vuln_inventory *inv, const char *s)
{
	return mamori_arena_strdup(&inv->arena, s);
}

static void push_problem(vuln_inventory *inv, const char *msg)
{
	if (inv->problem_count == inv->problem_cap) {
		inv->problem_cap = inv->problem_cap ? inv->problem_cap * 2 : 8;
		inv->problems = mamori_xrealloc(inv->problems, inv->problem_cap * sizeof *inv->problems);
	}
	inv->problems[inv->problem_count++] = mamori_arena_strdup(&inv->arena, msg);
}

void mamori_vuln_inventory_problem(vuln_inventory *inv, mamori_ctx *ctx, const char *path,
				   const char *buf, size_t len, size_t offset, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, offset, "%s", msg);
	push_problem(inv, mamori_error_last(ctx)->message);
	mamori_error_clear(ctx);
}

void mamori_vuln_inventory_problem_ctx(vuln_inventory *inv, mamori_ctx *ctx)
{
	const mamori_error *e = mamori_error_last(ctx);
	push_problem(inv, e->code ? e->message : "unknown error");
	mamori_error_clear(ctx);
}

unsigned mamori_vuln_line_of(vuln_inventory *inv, const char *buf, size_t len, size_t offset)
{
	if (offset > len)
		offset = len;
	if (inv->lc_buf != buf || offset < inv->lc_off) {
		inv->lc_buf = buf;
		inv->lc_off = 0;
		inv->lc_line = 1;
	}
	const char *p = buf + inv->lc_off, *end = buf + offset;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		inv->lc_line++;
		p++;
	}
	inv->lc_off = offset;
	return inv->lc_line;
}

const char *mamori_vuln_inv_kind_name(vuln_inv_kind k)
{
	switch (k) {
	case VULN_INV_HOST:
		return "host";
	case VULN_INV_IMAGE:
		return "image";
	case VULN_INV_LOCKFILE:
		return "lockfile";
	default:
		return "sbom";
	}
}

/* purl percent-encoding of a component (RFC 3986 unreserved kept) */
static void purl_put(mamori_buf *b, const char *s, bool keep_slash)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/'))
			mamori_buf_putc(b, (char)c);
		else
			mamori_buf_printf(b, "%%%02X", c);
	}
}

const char *mamori_vuln_purl(vuln_inventory *inv, const char *type, const char *ns,
			     const char *name, const char *version, const char *qualifiers)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_printf(&b, "pkg:%s/", type);
	if (ns && *ns) {
		purl_put(&b, ns, true);
		mamori_buf_putc(&b, '/');
	}
	purl_put(&b, name, false);
	if (version && *version) {
		mamori_buf_putc(&b, '@');
		purl_put(&b, version, false);
	}
	if (qualifiers && *qualifiers) {
		mamori_buf_putc(&b, '?');
		mamori_buf_puts(&b, qualifiers);
	}
	const char *r = mamori_arena_strdup(&inv->arena, b.data);
	mamori_buf_free(&b);
	return r;
}
