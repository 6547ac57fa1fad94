/*
 * vuln.h — the vulnerabilities pillar, shared between its files.
 *
 * Data flow:
 *
 *   target ──► inventory readers ──► vuln_inventory (packages, one per
 *   (host root | image | lockfile | SBOM))
 *   OSV JSON / all.zip / ALAS ──► vdb (SQLite: advisories + affected
 *   ranges, indexed by (ecosystem, package))
 *   inventory × vdb ──► match (exact version semantics per ecosystem,
 *   version.h) ──► vuln_match (package, advisory group merged by aliases)
 *   ──► priority (CVSS, KEV, EPSS, fix, installed vs declared) ──► findings
 *
 * Everything a reader produces lives in the inventory's arena.  Readers
 * report damaged records through vuln_inventory_problem() and go on.
 */
#ifndef MAMORI_VULN_H
#define MAMORI_VULN_H

#include "../core/json.h"
#include "version.h"

/* The next line of buf at *pos: *line and *n (without the '\n' and a
 * trailing '\r'), its offset in *start; *pos moves past it.  False at the
 * end.  The readers of line-based formats share it. */
static inline bool vuln_line(const char *buf, size_t len, size_t *pos, size_t *start,
			     const char **line, size_t *n)
{
	if (*pos >= len)
		return false;
	size_t e = *pos;
	while (e < len && buf[e] != '\n')
		e++;
	*start = *pos;
	*line = buf + *pos;
	*n = e - *pos;
	if (*n && (*line)[*n - 1] == '\r')
		(*n)--;
	*pos = e + 1;
	return true;
}

/* ---- inventory ---- */

typedef struct vuln_pkg {
	const char *name;	    /* binary / package name as the ecosystem spells it */
	const char *version;	    /* full version ([epoch:]version[-release]) */
	const char *source_name;    /* source package (dpkg Source, rpm SOURCERPM, apk origin) */
	const char *source_version; /* when it differs from version */
	const char *arch;
	const char *ecosystem; /* OSV ecosystem with release: "Debian:12", "npm", "Alpine:v3.19" */
	const char *purl;
	const char *location; /* file it was read from (relative to the target) */
	unsigned line;
	const char *layer;	 /* image layer that installed it, or NULL */
	const char *module;	 /* rpm MODULARITYLABEL (module stream), or NULL */
	bool installed;		 /* on a host or image (true) or only declared (lockfile) */
	bool dev;		 /* a development-only dependency (lockfiles that say so) */
} vuln_pkg;

typedef enum vuln_inv_kind {
	VULN_INV_HOST = 0,
	VULN_INV_IMAGE,
	VULN_INV_LOCKFILE,
	VULN_INV_SBOM,
} vuln_inv_kind;

typedef struct vuln_os {
	const char *id;		/* os-release ID: debian, ubuntu, amzn, rhel, rocky, almalinux, alpine */
	const char *version_id; /* VERSION_ID */
	const char *pretty;	/* PRETTY_NAME */
	const char *ecosystem;	/* OSV ecosystem: "Debian:12", "Amazon Linux:2023", ... NULL if none */
	const char *codename;
} vuln_os;

typedef struct vuln_inventory {
	vuln_inv_kind kind;
	const char *name; /* host root, image file or lockfile, relative to the target */
	vuln_os os;
	vuln_pkg *pkgs;
	size_t count, cap;
	const char **problems; /* "path:line:col: message" for each damaged record */
	size_t problem_count, problem_cap;
	mamori_arena arena;
	/* readers ask for line numbers in file order: remember the last answer
	 * so that a file is counted through once, not once per package */
	const char *lc_buf;
	size_t lc_off;
	unsigned lc_line;
	size_t find_off; /* where the last mamori_vuln_lock_find() hit */
} vuln_inventory;

void mamori_vuln_inventory_init(vuln_inventory *inv, vuln_inv_kind kind, const char *name);
void mamori_vuln_inventory_free(vuln_inventory *inv);
/* Append a zeroed package (installed = true for hosts and images). */
vuln_pkg *mamori_vuln_inventory_add(vuln_inventory *inv);
char *mamori_vuln_strndup(vuln_inventory *inv, const char *s, size_t n);
char *mamori_vuln_strdup(vuln_inventory *inv, const char *s);
/* Record a problem at offset of buf (path:line:col: msg, with the record);
 * the reader goes on. */
void mamori_vuln_inventory_problem(vuln_inventory *inv, mamori_ctx *ctx, const char *path,
				   const char *buf, size_t len, size_t offset, const char *fmt, ...)
	MAMORI_PRINTF(7, 8);
/* Record the ctx's last error as a problem. */
void mamori_vuln_inventory_problem_ctx(vuln_inventory *inv, mamori_ctx *ctx);
const char *mamori_vuln_inv_kind_name(vuln_inv_kind k);
/* The 1-based line of offset in buf (cached for increasing offsets). */
unsigned mamori_vuln_line_of(vuln_inventory *inv, const char *buf, size_t len, size_t offset);

/* Build a package URL (purl) type/namespace/name@version into the arena. */
const char *mamori_vuln_purl(vuln_inventory *inv, const char *type, const char *ns,
			     const char *name, const char *version, const char *qualifiers);

/* ---- readers: (path, buf, len) -> packages appended to inv; a damaged
 * record is a problem and the rest is read; a hopeless file returns
 * MAMORI_EINPUT with the ctx error set ---- */

int mamori_vuln_read_os_release(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				vuln_os *os, vuln_inventory *inv);
int mamori_vuln_read_dpkg(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			  vuln_inventory *inv);
int mamori_vuln_read_apk(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
			 vuln_inventory *inv);
/* an rpm header blob (as stored in rpmdb.sqlite, Packages or Packages.db) */
int mamori_vuln_read_rpm_header(mamori_ctx *ctx, const char *path, const unsigned char *blob,
				size_t len, unsigned record, vuln_inventory *inv);
/* rpmdb.sqlite (a file path: SQLite needs a file) */
int mamori_vuln_read_rpmdb_sqlite(mamori_ctx *ctx, const char *file, const char *display,
				  vuln_inventory *inv);
/* rpmdb.sqlite held in memory (from an image layer) */
int mamori_vuln_read_rpmdb_sqlite_buf(mamori_ctx *ctx, const char *display,
				      const unsigned char *buf, size_t len, vuln_inventory *inv);
/* BerkeleyDB hash "Packages" (rpm < 4.16, Amazon Linux 2) */
int mamori_vuln_read_rpmdb_bdb(mamori_ctx *ctx, const char *path, const unsigned char *buf,
			       size_t len, vuln_inventory *inv);
/* NDB Packages.db (SUSE) */
int mamori_vuln_read_rpmdb_ndb(mamori_ctx *ctx, const char *path, const unsigned char *buf,
			       size_t len, vuln_inventory *inv);

/* lockfiles: picked by file name (lockfile.c) */
typedef int (*vuln_lock_reader)(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				vuln_inventory *inv);
/* The reader for a file name (basename), or NULL. */
vuln_lock_reader mamori_vuln_lockfile_reader(const char *basename);
int mamori_vuln_read_npm_lock(mamori_ctx *, const char *, const char *, size_t, vuln_inventory *);
int mamori_vuln_read_yarn_lock(mamori_ctx *, const char *, const char *, size_t, vuln_inventory *);
int mamori_vuln_read_pnpm_lock(mamori_ctx *, const char *, const char *, size_t, vuln_inventory *);
int mamori_vuln_read_requirements(mamori_ctx *, const char *, const char *, size_t,
				  vuln_inventory *);
int mamori_vuln_read_poetry_lock(mamori_ctx *, const char *, const char *, size_t,
				 vuln_inventory *);
int mamori_vuln_read_pipfile_lock(mamori_ctx *, const char *, const char *, size_t,
				  vuln_inventory *);
int mamori_vuln_read_go_mod(mamori_ctx *, const char *, const char *, size_t, vuln_inventory *);
int mamori_vuln_read_cargo_lock(mamori_ctx *, const char *, const char *, size_t,
				vuln_inventory *);
int mamori_vuln_read_composer_lock(mamori_ctx *, const char *, const char *, size_t,
				   vuln_inventory *);
int mamori_vuln_read_gemfile_lock(mamori_ctx *, const char *, const char *, size_t,
				  vuln_inventory *);
int mamori_vuln_read_pom(mamori_ctx *, const char *, const char *, size_t, vuln_inventory *);
/* Go binaries: the build info section (ELF .go.buildinfo) */
bool mamori_vuln_gobin_sniff(const unsigned char *buf, size_t len);
int mamori_vuln_read_gobin(mamori_ctx *, const char *, const unsigned char *, size_t,
			   vuln_inventory *);
/* CycloneDX JSON SBOM */
int mamori_vuln_read_cyclonedx(mamori_ctx *, const char *, const char *, size_t,
			       vuln_inventory *);

#endif
