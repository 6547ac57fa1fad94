/*
 * lockfile.c — which reader understands which language lockfile, by file
 * name, and the helpers the readers share.
 *
 * Lockfile packages are "declared": they are what a build would install,
 * not necessarily what runs.  The prioritisation weighs that (a package
 * installed on a host outranks one only declared in a lockfile).
 */
#include "lockfile.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	vuln_lock_reader reader;
} readers[] = {
	{"package-lock.json", mamori_vuln_read_npm_lock},
	{"npm-shrinkwrap.json", mamori_vuln_read_npm_lock},
	{"yarn.lock", mamori_vuln_read_yarn_lock},
	{"pnpm-lock.yaml", mamori_vuln_read_pnpm_lock},
	{"requirements.txt", mamori_vuln_read_requirements},
	{"poetry.lock", mamori_vuln_read_poetry_lock},
	{"uv.lock", mamori_vuln_read_poetry_lock},
	{"pdm.lock", mamori_vuln_read_poetry_lock},
	{"Pipfile.lock", mamori_vuln_read_pipfile_lock},
	{"go.mod", mamori_vuln_read_go_mod},
	{"Cargo.lock", mamori_vuln_read_cargo_lock},
	{"composer.lock", mamori_vuln_read_composer_lock},
	{"Gemfile.lock", mamori_vuln_read_gemfile_lock},
	{"gems.locked", mamori_vuln_read_gemfile_lock},
	{"pom.xml", mamori_vuln_read_pom},
};

vuln_lock_reader mamori_vuln_lockfile_reader(const char *basename)
{
	for (size_t i = 0; i < sizeof readers / sizeof *readers; i++)
		if (strcmp(basename, readers[i].name) == 0)
			return readers[i].reader;
	/* requirements-dev.txt, requirements.prod.txt, ... */
	size_t n = strlen(basename);
	if (strncmp(basename, "requirements", 12) == 0 && n > 4 &&
	    strcmp(basename + n - 4, ".txt") == 0)
		return mamori_vuln_read_requirements;
	return NULL;
}

vuln_pkg *mamori_vuln_lock_add(vuln_inventory *inv, const char *eco, const char *name,
			       size_t name_n, const char *version, size_t version_n, const char *buf,
			       size_t len, size_t offset)
{
	vuln_pkg *p = mamori_vuln_inventory_add(inv);
	p->ecosystem = eco;
	p->name = mamori_vuln_strndup(inv, name, name_n);
	p->version = mamori_vuln_strndup(inv, version, version_n);
	p->installed = false;
	if (buf)
		p->line = mamori_vuln_line_of(inv, buf, len, offset);
	return p;
}

bool mamori_vuln_lock_check_version(mamori_ctx *ctx, vuln_inventory *inv, const char *path,
				    const char *buf, size_t len, size_t offset, vuln_pkg *p)
{
	vuln_scheme s = mamori_vuln_scheme_parse(p->ecosystem);
	const char *why = mamori_vuln_version_invalid(s, p->version);
	if (!why)
		return true;
	mamori_vuln_inventory_problem(inv, ctx, path, buf, len, offset,
				      "package %s: version \"%s\" is not a valid %s version: %s; "
				      "skipped",
				      p->name, p->version, p->ecosystem, why);
	inv->count--;
	return false;
}

/* Offset of needle in buf (for line numbers of packages read through a
 * JSON tree), searched from the previous hit first since trees are walked
 * in file order; 0 if absent. */
size_t mamori_vuln_lock_find(vuln_inventory *inv, const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle), from = inv->find_off < len ? inv->find_off : 0;
	const char *p = memmem(buf + from, len - from, needle, n);
	if (!p && from)
		p = memmem(buf, len, needle, n);
	if (!p)
		return 0;
	inv->find_off = (size_t)(p - buf);
	return inv->find_off;
}
