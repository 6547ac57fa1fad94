/*
 * cmd_collect.c — `mamori collect --aws ... -o snapshot.json`.
 *
 * Reads live AWS accounts, read-only, and writes what it saw as an AWS
 * Config snapshot ({"configurationItems": [...]}) that `mamori scan FILE`
 * evaluates later, offline, with the same result as `mamori scan --aws`.
 */
#include "cli_aws.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_STATS = OPT_FIRST_COMMAND_OPTION };

int cmd_collect(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		CLI_AWS_LONG_OPTIONS,
		{"output", required_argument, NULL, 'o'},
		{"stats", no_argument, NULL, OPT_STATS},
		{NULL, 0, NULL, 0},
	};
	cli_aws aws;
	cli_aws_init(&aws, argc);
	const char *output = "-";
	bool stats = false;
	int opt, rc = EXIT_OK;
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "o:", opts, NULL)) != -1) {
		int common = cli_common_option(c, opt, optarg);
		if (common < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		if (common)
			continue;
		int a = cli_aws_option(c, &aws, opt, optarg);
		if (a < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		if (a)
			continue;
		switch (opt) {
		case 'h':
			rc = cli_help(c, "collect", stdout);
			goto out;
		case 'o':
			output = optarg;
			break;
		case OPT_STATS:
			stats = true;
			break;
		default:
			rc = cli_usage_error(c, "unknown option");
			goto out;
		}
	}
	if (optind < argc) {
		rc = cli_usage_error(c, "collect takes no operand (got \"%s\")", argv[optind]);
		goto out;
	}
	if (!aws.enabled) {
		rc = cli_usage_error(c, "collect needs a source: --aws");
		goto out;
	}
	if (!aws.snapshot)
		aws.snapshot = output;
	else if (strcmp(output, "-") != 0)
		aws.snapshot = output; /* -o wins over --snapshot */
	cli_progress_install(c);
	rc = cli_aws_collect(c, &aws);
	if (rc == EXIT_OK && stats) {
		const mamori_aws_stats *s = &aws.coll.stats;
		fprintf(stderr,
			"mamori: collect: %llu items, %zu accounts, %.3f s; %llu calls (%.0f calls/s), "
			"%llu retries, %llu throttled, %llu failed, %.1f MB in; time: http %.3f s "
			"(summed over concurrent calls), parse+build %.3f s, credentials %.3f s; "
			"%zu could not be read\n",
			(unsigned long long)s->items, aws.coll.account_count, s->seconds,
			(unsigned long long)s->calls,
			s->seconds > 0 ? (double)s->calls / s->seconds : 0.0,
			(unsigned long long)s->retries, (unsigned long long)s->throttled,
			(unsigned long long)s->failed, (double)s->bytes_in / 1e6, s->http_seconds,
			s->parse_seconds, s->credential_seconds, aws.coll.error_count);
	}
out:
	cli_aws_free(&aws);
	return rc;
}
