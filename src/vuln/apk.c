/*
 * apk.c — Alpine packages from /lib/apk/db/installed.
 *
 * Records of "X:value" lines separated by blank lines: P name, V version,
 * A arch, o origin (the source package, which Alpine's secdb advisories
 * are keyed by).  A record without P or V, with an invalid version, or a
 * line that is not "X:value" is reported and skipped.
 */
#include "vuln.h"

#include <ctype.h>
#include <string.h>

typedef struct rec {
	size_t start, bad_at;
	const char *p, *v, *a, *o;
	size_t pn, vn, an, on;
	bool any;
} rec;

static void finish(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
		   vuln_inventory *inv, rec *r, unsigned record)
{
	if (r->bad_at != SIZE_MAX) {
		mamori_vuln_inventory_problem(inv, ctx, path, buf, len, r->bad_at,
					      "record %u: not an \"X:value\" line; record skipped",
					      record);
		return;
	}
	if (!r->p || !r->pn) {
		mamori_vuln_inventory_problem(inv, ctx, path, buf, len, r->start,
					      "record %u: no P: (package name); record skipped",
					      record);
		return;
	}
	if (!r->v || !r->vn) {
		mamori_vuln_inventory_problem(inv, ctx, path, buf, len, r->start,
					      "record %u (P:%.*s): no V: (version); record skipped",
					      record, (int)r->pn, r->p);
		return;
	}
	char *ver = mamori_vuln_strndup(inv, r->v, r->vn);
	const char *why = mamori_vuln_version_invalid(VULN_SCHEME_APK, ver);
	if (why) {
		mamori_vuln_inventory_problem(inv, ctx, path, buf, len, (size_t)(r->v - buf),
					      "record %u (P:%.*s): invalid version \"%s\": %s; record "
					      "skipped",
					      record, (int)r->pn, r->p, ver, why);
		return;
	}
	vuln_pkg *p = mamori_vuln_inventory_add(inv);
	p->name = mamori_vuln_strndup(inv, r->p, r->pn);
	p->version = ver;
	p->arch = r->a ? mamori_vuln_strndup(inv, r->a, r->an) : NULL;
	p->source_name = r->o && r->on ? mamori_vuln_strndup(inv, r->o, r->on) : NULL;
	p->line = mamori_vuln_line_of(inv, buf, len, r->start);
}

int mamori_vuln_read_apk(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			 vuln_inventory *inv)
{
	rec r = {.bad_at = SIZE_MAX};
	unsigned record = 0;
	size_t before = inv->count;
	size_t pos = 0, i, n;
	const char *line;
	while (vuln_line(buf, len, &pos, &i, &line, &n)) {
		if (n == 0) {
			if (r.any)
				finish(ctx, path, buf, len, inv, &r, ++record);
			memset(&r, 0, sizeof r);
			r.bad_at = SIZE_MAX;
		} else {
			if (!r.any) {
				r.any = true;
				r.start = i;
			}
			if (n < 2 || line[1] != ':' || !isalpha((unsigned char)line[0])) {
				if (r.bad_at == SIZE_MAX)
					r.bad_at = i;
			} else {
				const char *v = line + 2;
				size_t vn = n - 2;
				switch (line[0]) {
				case 'P':
					r.p = v, r.pn = vn;
					break;
				case 'V':
					r.v = v, r.vn = vn;
					break;
				case 'A':
					r.a = v, r.an = vn;
					break;
				case 'o':
					r.o = v, r.on = vn;
					break;
				default:
					break;
				}
			}
		}
	}
	if (r.any)
		finish(ctx, path, buf, len, inv, &r, ++record);
	if (inv->count == before && record > 0 && inv->problem_count >= record)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: no readable package record",
					path);
	return MAMORI_OK;
}
