/*
 * fuzz_waf_http — the reverse proxy's HTTP/1.1 parsing on arbitrary bytes:
 * request heads, chunked bodies (fed in pieces, as the network does) and
 * upstream response heads.  Must never crash, loop or read out of bounds.
 */
#include "waf/proxy/http.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	http_limits lim = {4096, 2048, 1 << 20};
	http_request rq;
	int st = http_parse_request(b, size, &lim, &rq);
	if (st == HTTP_OK) {
		if (rq.head_len > size || rq.header_count > HTTP_MAX_HEADERS)
			abort();
		if (rq.chunked) {
			http_chunked c;
			memset(&c, 0, sizeof c);
			char out[256];
			size_t off = rq.head_len;
			/* feed in 7-byte pieces with a small output buffer */
			while (off < size) {
				size_t piece = size - off < 7 ? size - off : 7;
				size_t used = 0, produced = 0;
				int r = http_chunked_decode(&c, b + off, piece, out, sizeof out, &used, &produced);
				if (used > piece || produced > sizeof out)
					abort();
				if (r != HTTP_MORE || (used == 0 && produced == 0))
					break;
				off += used;
			}
		}
	} else if (st == HTTP_ERROR && (rq.error_status < 400 || rq.error_status > 505)) {
		abort();
	}
	http_response rs;
	http_parse_response(b, size, 4096, &rs);
	return 0;
}
