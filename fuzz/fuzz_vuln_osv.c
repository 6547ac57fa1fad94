/*
 * fuzz_vuln_osv — the advisory import on arbitrary bytes (OSV JSON
 * records and arrays, OSV all.zip archives, ALAS files, KEV JSON/CSV, EPSS
 * CSV) into a private in-memory database, then a lookup and a match over
 * whatever was stored: import must reject or store, and matching stored
 * ranges must never crash.
 */
#include "vuln/match.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_db *db;
	if (mamori_vuln_db_open(ctx, ":memory:", VULN_DB_CREATE, &db) == 0) {
		vuln_import_stats st;
		mamori_vuln_db_import_buf(ctx, db, "fuzz.json", buf, size, "fuzz", &st, NULL, NULL);
		/* match a few packages of several ecosystems against it */
		vuln_inventory inv;
		mamori_vuln_inventory_init(&inv, VULN_INV_HOST, "h");
		static const char *const pk[][3] = {{"npm", "a", "1.0.0"},
						    {"Debian:12", "openssl", "3.0.11-1~deb12u1"},
						    {"PyPI", "django", "4.2"},
						    {"Go", "stdlib", "1.21.0"},
						    {"Amazon Linux:2023", "curl", "8.2.1-1.amzn2023"}};
		for (size_t i = 0; i < sizeof pk / sizeof *pk; i++) {
			vuln_pkg *p = mamori_vuln_inventory_add(&inv);
			p->ecosystem = pk[i][0];
			p->name = pk[i][1];
			p->version = pk[i][2];
		}
		vuln_matches ms;
		mamori_vuln_matches_init(&ms);
		vuln_db *dbs[1] = {db};
		mamori_vuln_match(ctx, dbs, 1, &inv, &ms);
		mamori_vuln_matches_free(&ms);
		mamori_vuln_inventory_free(&inv);
		mamori_vuln_db_close(db);
	}
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
