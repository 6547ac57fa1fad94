/*
 * fuzz_vuln_lockfile — every language lockfile reader, os-release, the
 * CycloneDX reader and the Go build-info reader on arbitrary bytes.  The
 * first byte picks the reader.  Packages returned must have a version
 * valid for their ecosystem.
 */
#include "vuln/vuln.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const names[] = {
	"package-lock.json", "yarn.lock",   "pnpm-lock.yaml", "requirements.txt", "poetry.lock",
	"Pipfile.lock",	     "go.mod",	    "Cargo.lock",     "composer.lock",	  "Gemfile.lock",
	"pom.xml",	     "os-release", "bom.cdx.json",   "gobinary",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t which = data[0] % (sizeof names / sizeof *names);
	char *buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	size_t n = size - 1;
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_LOCKFILE, names[which]);
	vuln_lock_reader r = mamori_vuln_lockfile_reader(names[which]);
	if (r) {
		r(ctx, names[which], buf, n, &inv);
	} else if (!strcmp(names[which], "os-release")) {
		vuln_os os;
		mamori_vuln_read_os_release(ctx, "os-release", buf, n, &os, &inv);
	} else if (!strcmp(names[which], "bom.cdx.json")) {
		mamori_vuln_read_cyclonedx(ctx, "bom.cdx.json", buf, n, &inv);
	} else {
		mamori_vuln_read_gobin(ctx, "bin", (const unsigned char *)buf, n, &inv);
	}
	for (size_t i = 0; i < inv.count; i++) {
		const vuln_pkg *p = &inv.pkgs[i];
		if (!p->name || !p->version || !p->ecosystem)
			abort();
		if (mamori_vuln_version_invalid(mamori_vuln_scheme_parse(p->ecosystem), p->version))
			abort();
	}
	mamori_vuln_inventory_free(&inv);
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
