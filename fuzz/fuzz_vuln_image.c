/*
 * fuzz_vuln_image — the container image reader (docker save / OCI layout
 * tarballs through libarchive, layers with whiteouts) on arbitrary bytes,
 * written to a temporary file since images are read from disk.
 */
#include "vuln/collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/mamori-fuzz-image-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	mamori_ctx *ctx = mamori_ctx_new();
	vuln_invset set = {0};
	if (mamori_vuln_image_sniff(path))
		mamori_vuln_read_image(ctx, path, "fuzz.tar", &set);
	mamori_vuln_invset_free(&set);
	mamori_ctx_free(ctx);
	unlink(path);
	return 0;
}
