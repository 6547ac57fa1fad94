/*
 * fuzz_vuln_rpmdb — the rpm database readers on arbitrary bytes: a header
 * blob, a Berkeley DB hash file, an NDB Packages.db and an rpmdb.sqlite
 * image (through SQLite's deserialize).  The first byte picks which.
 */
#include "vuln/vuln.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "fuzz");
	const unsigned char *p = data + 1;
	size_t n = size - 1;
	switch (data[0] % 4) {
	case 0:
		if (mamori_vuln_read_rpm_header(ctx, "blob", p, n, 1, &inv))
			mamori_vuln_inventory_problem_ctx(&inv, ctx);
		break;
	case 1:
		mamori_vuln_read_rpmdb_bdb(ctx, "Packages", p, n, &inv);
		break;
	case 2:
		mamori_vuln_read_rpmdb_ndb(ctx, "Packages.db", p, n, &inv);
		break;
	default:
		mamori_vuln_read_rpmdb_sqlite_buf(ctx, "rpmdb.sqlite", p, n, &inv);
		break;
	}
	for (size_t i = 0; i < inv.count; i++)
		if (!inv.pkgs[i].name || !inv.pkgs[i].version)
			abort();
	mamori_vuln_inventory_free(&inv);
	mamori_ctx_free(ctx);
	return 0;
}
