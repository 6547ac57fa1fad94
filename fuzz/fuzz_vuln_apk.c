/*
 * fuzz_vuln_apk — the apk installed-database reader on arbitrary bytes.
 */
#include "vuln/vuln.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_inventory inv;
	mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "fuzz");
	mamori_vuln_read_apk(ctx, "lib/apk/db/installed", buf, size, &inv);
	for (size_t i = 0; i < inv.count; i++)
		if (mamori_vuln_version_invalid(VULN_SCHEME_APK, inv.pkgs[i].version))
			abort();
	mamori_vuln_inventory_free(&inv);
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
