/*
 * fuzz_detect_run.c — a whole detection run on arbitrary bytes: kind
 * sniffing, the readers, the reorder buffer, every native detector with
 * small tables (so that eviction and caps are reached), threat lists, the
 * aggregation and the findings.  The input is written to a temporary file
 * (dt_detect reads files); the first byte picks the file's name, which
 * decides digest skipping and time ordering.
 */
#include "detect/dt_intel.h"
#include "detect/dt_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static mamori_ctx *ctx;
static dt_engine engine;
static char path[256];

static void init(void)
{
	ctx = mamori_ctx_new();
	if (dt_engine_init(ctx, &engine, NULL) != MAMORI_OK)
		abort();
	static const char *const sets[] = {"max_state_entries=1024", "reorder_bytes=1048576",
					   "reorder_window=60", "window=30", "portscan_ports=3",
					   "portsweep_hosts=3", "bruteforce_conns=3",
					   "discovery_calls=3", "max_findings_per_rule=3"};
	for (size_t i = 0; i < sizeof sets / sizeof *sets; i++)
		if (dt_config_set(ctx, &engine.cfg, sets[i]) != MAMORI_OK)
			abort();
	const char *list = "198.51.100.0/24\n203.0.113.7\nevil.example\n";
	dt_intel_load_buf(engine.intel, DT_INTEL_MALICIOUS, "fuzz-list", list, strlen(list));
	const char *tmp = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/mamori-fuzz-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"111122223333_CloudTrail_us-east-1_20261120T1000Z_a.json.gz",
		"111122223333_CloudTrail-Digest_us-east-1_20261120T1000Z.json.gz",
		"111122223333_vpcflowlogs_us-east-1_fl-1_20261120T1000Z.log",
		"resolver.log",
	};
	if (!ctx)
		init();
	if (size == 0)
		return 0;
	FILE *f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	dt_file file = {path, names[data[0] % 4], size - 1};
	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_module_run run = {ctx, &mamori_module_detect, NULL, &fs, 0, NULL};
	dt_stats st;
	dt_detect(&engine, NULL, &file, 1, &run, &st);
	mamori_findings_free(&fs);
	return 0;
}
