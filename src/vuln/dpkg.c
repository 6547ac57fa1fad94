/*
 * dpkg.c — Debian packages from /var/lib/dpkg/status and the distroless
 * /var/lib/dpkg/status.d/ (one file per package, no Status field).
 *
 * RFC 822-style stanzas separated by blank lines.  Only packages whose
 * Status is "install ok installed" count (deinstall, half-configured and
 * config-files leftovers are not on the system).  The Source field gives
 * the source package, "name" or "name (version)", which is what Debian's
 * advisories are keyed by.  A damaged stanza (no Package, no Version, an
 * invalid version, a line that is neither a field nor a continuation) is
 * reported with its line and skipped; the next stanza is read.
 */
#include "vuln.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

typedef struct stanza {
	size_t start; /* offset of its first line */
	const char *package, *status, *version, *source, *arch;
	size_t package_n, status_n, version_n, source_n, arch_n;
	size_t bad_at; /* offset of a malformed line, or SIZE_MAX */
	bool any;
} stanza;

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static void finish(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		   vuln_inventory *inv, stanza *st, unsigned record, bool need_status)
{
	if (!st->any)
		return;
	if (st->bad_at != SIZE_MAX) {
		mamori_vuln_inventory_problem(inv, ctx, path, buf, len, st->bad_at,
					      "record %u: not a \"Field: value\" line; record skipped",
					      record);
		return;
	}
	if (!st->package || !st->package_n) {
		mamori_vuln_inventory_problem(inv, ctx, path, buf, len, st->start,
					      "record %u: no Package name; record skipped", record);
		return;
	}
	if (need_status || st->status) {
		/* "want flag status": the last word must be "installed" */
		const char *s = st->status;
		size_t n = st->status_n;
		if (!s || n < 9 || memcmp(s + n - 9, "installed", 9) != 0 ||
		    (n > 9 && !isspace((unsigned char)s[n - 10])))
			return;
		if (n >= 19 && memcmp(s + n - 19, "not-installed", 13) == 0)
			return;
	}
	if (!st->version || !st->version_n) {
		mamori_vuln_inventory_problem(inv, ctx, path, buf, len, st->start,
					      "record %u (Package: %.*s): no Version; record skipped",
					      record, (int)st->package_n, st->package);
		return;
	}
	char *ver = mamori_vuln_strndup(inv, st->version, st->version_n);
	const char *why = mamori_vuln_version_invalid(VULN_SCHEME_DPKG, ver);
	if (why) {
		mamori_vuln_inventory_problem(inv, ctx, path, buf, len,
					      (size_t)(st->version - buf),
					      "record %u (Package: %.*s): invalid version \"%s\": %s; "
					      "record skipped",
					      record, (int)st->package_n, st->package, ver, why);
		return;
	}
	vuln_pkg *p = mamori_vuln_inventory_add(inv);
	p->name = mamori_vuln_strndup(inv, st->package, st->package_n);
	p->version = ver;
	p->arch = st->arch ? mamori_vuln_strndup(inv, st->arch, st->arch_n) : NULL;
	if (st->source && st->source_n) {
		const char *s = st->source;
		size_t n = st->source_n;
		const char *paren = memchr(s, '(', n);
		size_t nl = paren ? (size_t)(paren - s) : n;
		const char *nm = s;
		trim(&nm, &nl);
		p->source_name = mamori_vuln_strndup(inv, nm, nl);
		if (paren) {
			const char *close = memchr(paren, ')', n - (size_t)(paren - s));
			if (close) {
				const char *v = paren + 1;
				size_t vl = (size_t)(close - v);
				trim(&v, &vl);
				char *sv = mamori_vuln_strndup(inv, v, vl);
				if (!mamori_vuln_version_invalid(VULN_SCHEME_DPKG, sv))
					p->source_version = sv;
			}
		}
	}
	p->line = mamori_vuln_line_of(inv, buf, len, st->start);
}

static int read_stanzas(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			vuln_inventory *inv, bool need_status)
{
	stanza st;
	memset(&st, 0, sizeof st);
	st.bad_at = SIZE_MAX;
	unsigned record = 0;
	size_t before = inv->count, problems = inv->problem_count;
	size_t pos = 0, i, n;
	const char *line;
	while (vuln_line(buf, len, &pos, &i, &line, &n)) {
		bool blank = true;
		for (size_t k = 0; k < n; k++)
			if (!isspace((unsigned char)line[k]))
				blank = false;
		if (blank) {
			if (st.any)
				finish(ctx, path, buf, len, inv, &st, ++record, need_status);
			memset(&st, 0, sizeof st);
			st.bad_at = SIZE_MAX;
		} else if (line[0] == ' ' || line[0] == '\t') {
			/* a continuation: only fields we do not read have them */
		} else {
			if (!st.any) {
				st.any = true;
				st.start = i;
			}
			const char *colon = memchr(line, ':', n);
			if (!colon) {
				if (st.bad_at == SIZE_MAX)
					st.bad_at = i;
			} else {
				size_t kl = (size_t)(colon - line);
				const char *v = colon + 1;
				size_t vl = n - kl - 1;
				trim(&v, &vl);
#define KEY(k) (kl == sizeof k - 1 && !strncasecmp(line, k, kl))
				if (KEY("Package")) {
					st.package = v;
					st.package_n = vl;
				} else if (KEY("Status")) {
					st.status = v;
					st.status_n = vl;
				} else if (KEY("Version")) {
					st.version = v;
					st.version_n = vl;
				} else if (KEY("Source")) {
					st.source = v;
					st.source_n = vl;
				} else if (KEY("Architecture")) {
					st.arch = v;
					st.arch_n = vl;
				}
#undef KEY
			}
		}
	}
	if (st.any)
		finish(ctx, path, buf, len, inv, &st, ++record, need_status);
	if (inv->count == before && inv->problem_count > problems && record ==
	    inv->problem_count - problems)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: no readable package record",
					path);
	return MAMORI_OK;
}

int mamori_vuln_read_dpkg(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			  vuln_inventory *inv)
{
	/* status.d files have no Status field: their presence means installed */
	bool statusd = strstr(path, "status.d/") != NULL;
	return read_stanzas(ctx, path, buf, len, inv, !statusd);
}
