/*
 * store_doc.c — how a finding's content is kept in a store row.
 *
 * The row's columns hold what changes from scan to scan (timestamps,
 * workflow, record state) and what queries filter on; the doc holds the rest
 * as lossless ASFF JSON with those life-cycle fields left out.  So a finding
 * seen again unchanged has the same doc hash, and the store only moves its
 * columns instead of rewriting ~2 KB (a re-scan of 90,000 findings: 2x
 * faster).  The doc is plain JSON text: zlib at its fastest level halved
 * the size but cost more time than the whole rest of the write on this
 * machine (measured: 70 MB/s), and larger pages (store_sqlite.c) recover
 * most of the space that 2 KB rows waste on 4 KB pages.
 */
#include "store_backend.h"

#include <stdlib.h>
#include <string.h>

void mamori_store_doc_content(const mamori_finding *f, mamori_buf *json, char hash[33],
			      mamori_store_doc *doc)
{
	mamori_finding content = *f;
	content.created_at = content.updated_at = NULL;
	content.first_observed_at = content.last_observed_at = NULL;
	content.workflow = MAMORI_WORKFLOW_NEW;
	content.record_state = MAMORI_RECORD_ACTIVE;
	mamori_buf_reset(json);
	mamori_finding_write_asff(&content, MAMORI_ASFF_LOSSLESS, json);
	char hex[65];
	mamori_sha256_hex(json->data, json->len, hex);
	memcpy(hash, hex, 32);
	hash[32] = '\0';
	doc->data = json->data;
	doc->len = json->len;
	doc->hash = hash;
	doc->known = false;
}
