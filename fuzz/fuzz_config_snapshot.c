/*
 * fuzz_config_snapshot — the AWS Config snapshot loader on arbitrary bytes:
 * it must reject or accept, never crash, leak or read out of bounds.  The
 * S3 policy analysis runs on whatever parses, since policies are input too.
 */
#include "posture/config_snapshot.h"
#include "posture/s3_policy.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* buffers reach the parser NUL-terminated, as mamori_buf_read_file makes them */
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_config_snapshot snap;
	if (mamori_config_snapshot_sniff(buf, size) || size < 4096) {
		if (mamori_config_snapshot_parse(ctx, "fuzz.json", buf, size, &snap) == MAMORI_OK) {
			for (size_t i = 0; i < snap.count; i++) {
				const cJSON *bp = mamori_json_get(snap.items[i].supplementary, "BucketPolicy");
				s3_public_statement out[4];
				mamori_s3_policy_public(bp, out, 4);
				mamori_s3_policy_public(snap.items[i].configuration, out, 4);
			}
			mamori_config_snapshot_free(&snap);
		} else {
			/* the error must be printable */
			const mamori_error *e = mamori_error_last(ctx);
			if (!e->message || !*e->message)
				abort();
		}
	}
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
