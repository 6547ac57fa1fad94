/*
 * load.c — bench-guard-load: the JSON loader measured against libfyaml.
 *
 *   bench-guard-load ROUNDS FILE...
 *
 * Reads the JSON files into memory once, then builds Guard values from them
 * ROUNDS times with the hand-written JSON parser (load_json.c) and with the
 * libfyaml event loader (load_yaml.c, which also reads JSON), and prints the
 * throughput of each and the ratio.  This is the measurement behind the
 * choice of the fast path.
 */
#include "guard/load.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-guard-load ROUNDS FILE...\n");
		return 2;
	}
	int rounds = atoi(argv[1]);
	mamori_ctx *ctx = mamori_ctx_new();
	size_t n = (size_t)argc - 2, total = 0;
	mamori_buf *bufs = calloc(n, sizeof *bufs);
	for (size_t i = 0; i < n; i++) {
		if (mamori_buf_read_file(ctx, &bufs[i], argv[i + 2], 0)) {
			fprintf(stderr, "%s\n", mamori_error_last(ctx)->message);
			return 1;
		}
		total += bufs[i].len;
	}
	double t[2] = {0, 0};
	size_t failures[2] = {0, 0};
	for (int which = 0; which < 2; which++) {
		double start = now();
		for (int r = 0; r < rounds; r++)
			for (size_t i = 0; i < n; i++) {
				mamori_arena a;
				mamori_arena_init(&a, 0);
				int rc;
				if (which == 0) {
					mg_value *root;
					rc = mg_load_json(ctx, argv[i + 2], bufs[i].data, bufs[i].len, &a,
							  &root);
				} else {
					mg_docs d;
					rc = mg_load_yaml(ctx, argv[i + 2], bufs[i].data, bufs[i].len, &a, &d);
				}
				failures[which] += rc != 0;
				mamori_arena_free(&a);
			}
		t[which] = now() - start;
	}
	double mb = (double)total * rounds / 1e6;
	printf("JSON loading, %zu files, %.1f MB x %d rounds:\n", n, (double)total / 1e6, rounds);
	printf("  mamori fast path  %8.1f MB/s  (%zu files refused)\n", mb / t[0], failures[0] / rounds);
	printf("  libfyaml events   %8.1f MB/s  (%zu files refused)\n", mb / t[1], failures[1] / rounds);
	printf("  ratio             %8.1fx\n", t[1] / t[0]);
	for (size_t i = 0; i < n; i++)
		mamori_buf_free(&bufs[i]);
	free(bufs);
	mamori_ctx_free(ctx);
	return 0;
}
