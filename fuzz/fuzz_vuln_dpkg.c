/*
 * fuzz_vuln_dpkg — the dpkg status reader (status and status.d forms) on
 * arbitrary bytes: every package it returns must carry a valid version,
 * and every problem a message.
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
	for (int statusd = 0; statusd < 2; statusd++) {
		vuln_inventory inv;
		mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "fuzz");
		mamori_vuln_read_dpkg(ctx, statusd ? "var/lib/dpkg/status.d/x" : "var/lib/dpkg/status",
				      buf, size, &inv);
		for (size_t i = 0; i < inv.count; i++)
			if (mamori_vuln_version_invalid(VULN_SCHEME_DPKG, inv.pkgs[i].version))
				abort();
		for (size_t i = 0; i < inv.problem_count; i++)
			if (!inv.problems[i] || !*inv.problems[i])
				abort();
		mamori_vuln_inventory_free(&inv);
	}
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
