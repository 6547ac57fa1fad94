/*
 * One harness for the per-library JSON parse benchmarks.  Each library lives
 * in its own executable because jansson and json-c export clashing symbols
 * (json_object_get, json_object_iter...): they cannot share one process.
 * A parser file defines LIB_NAME and parse_and_walk(); this header supplies
 * main(), which loads the file, keeps the best of REPEAT runs and prints
 * "MB/s string-bytes" for bench/json/driver.c to collect with peak RSS.
 */
#ifndef BENCH_JSON_PARSE_COMMON_H
#define BENCH_JSON_PARSE_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Parse buf[0..len) into the library's DOM, visit every node, free it.
 * Returns the bytes of all keys and strings, so lazy parsing cannot hide. */
static size_t parse_and_walk(const char *buf, size_t len);

static double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [REPEAT]\n", argv[0]);
		return 2;
	}
	int repeat = argc > 2 ? atoi(argv[2]) : 3;
	FILE *f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		return 2;
	buf[n] = '\0';
	fclose(f);

	double best = 1e30;
	size_t bytes = 0;
	for (int r = 0; r < repeat; r++) {
		double t0 = bench_now();
		bytes = parse_and_walk(buf, (size_t)n);
		double dt = bench_now() - t0;
		if (dt < best)
			best = dt;
	}
	printf("%f %zu\n", (double)n / 1048576 / best, bytes);
	free(buf);
	return 0;
}

#endif
