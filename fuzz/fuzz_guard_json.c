/*
 * fuzz_guard_json — the hand-written JSON fast path of the Guard loader on
 * arbitrary bytes.  When it accepts a document, libfyaml must read the same
 * bytes to an equal value (it is JSON, and JSON is YAML): the fast path may
 * be faster, never different.
 */
#include "guard/load.h"
#include "guard/regex.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 20)
		return 0;
	char *buf = malloc(size + 1);
	memcpy(buf, data, size);
	buf[size] = '\0';
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_arena a;
	mamori_arena_init(&a, 0);
	mg_value *root = NULL;
	if (mg_load_json(ctx, "fuzz.json", buf, size, &a, &root) == MAMORI_OK) {
		mamori_buf b = MAMORI_BUF_INIT;
		mg_to_json(root, &b);
		mamori_buf_free(&b);
		/* strings with control characters or NULs are JSON-escaped; libfyaml
		 * decodes them too, but compare only printable, NUL-free documents */
		bool plain = memchr(buf, '\0', size) == NULL && memchr(buf, '\\', size) == NULL &&
			     memchr(buf, '\t', size) == NULL && memchr(buf, '\r', size) == NULL;
		mg_docs docs;
		if (plain && mg_load_yaml(ctx, "fuzz.json", buf, size, &a, &docs) == MAMORI_OK &&
		    docs.count == 1 && root->type != MG_STRING) {
			mg_rx *rx = mg_rx_new();
			if (!mg_value_equal(rx, root, docs.roots[0]))
				abort();
			mg_rx_free(rx);
		}
	}
	mamori_arena_free(&a);
	mamori_ctx_free(ctx);
	free(buf);
	return 0;
}
