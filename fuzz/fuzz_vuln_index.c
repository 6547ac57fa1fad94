/*
 * fuzz_vuln_index — a block of the vulnerability lookup index (vdb_index.c)
 * as read from disk: counts, lengths and advisory indexes are untrusted, so
 * a corrupt or truncated block must be refused (the lookup then asks
 * SQLite), never read out of bounds.  Whatever is accepted is walked.
 */
#include "vuln/vdb_internal.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	memcpy(buf, data, size);
	mamori_arena a;
	mamori_arena_init(&a, 0);
	vuln_ix_block b;
	size_t sum = 0;
	if (mamori_vuln_index_parse_block(buf, size, &b, &a) == 0) {
		for (uint32_t i = 0; i < b.nadv; i++)
			for (int c = 0; c < 9; c++)
				sum += b.advs[i].f[c] ? strlen(b.advs[i].f[c]) : 0;
		for (uint32_t i = 0; i < b.nent; i++) {
			sum += strlen(b.advs[b.ents[i].adv].f[0]);
			for (int c = 0; c < 6; c++)
				sum += b.ents[i].f[c] ? strlen(b.ents[i].f[c]) : 0;
		}
	}
	mamori_arena_free(&a);
	free(buf);
	return (int)(sum & 0);
}
