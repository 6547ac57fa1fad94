/*
 * cmd_sbom.c — `mamori sbom [--format cyclonedx|spdx] [--root DIR |
 * --image TAR | PATH]`: what is installed and declared, as a CycloneDX
 * 1.5 or SPDX 2.3 JSON document.
 */
#include "../vuln/sbom.h"
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum {
	OPT_ROOT = OPT_FIRST_COMMAND_OPTION,
	OPT_IMAGE,
};

int cmd_sbom(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"root", required_argument, NULL, OPT_ROOT},
		{"image", required_argument, NULL, OPT_IMAGE},
		{NULL, 0, NULL, 0},
	};
	vuln_sbom_format fmt = VULN_SBOM_CYCLONEDX;
	const char *output = NULL, *root = NULL, *image = NULL;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "f:o:", opts, NULL)) != -1) {
		int common = cli_common_option(c, opt, optarg);
		if (common < 0)
			return EXIT_USAGE;
		if (common)
			continue;
		switch (opt) {
		case 'h':
			return cli_help(c, "sbom", stdout);
		case 'f':
			if (!strcmp(optarg, "cyclonedx") || !strcmp(optarg, "cdx"))
				fmt = VULN_SBOM_CYCLONEDX;
			else if (!strcmp(optarg, "spdx"))
				fmt = VULN_SBOM_SPDX;
			else
				return cli_usage_error(c, "--format: cyclonedx or spdx");
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_IMAGE:
			image = optarg;
			break;
		default:
			return cli_usage_error(c, "unknown option");
		}
	}
	int given = (root != NULL) + (image != NULL) + (optind < argc);
	if (given != 1 || argc - optind > 1)
		return cli_usage_error(c, "usage: mamori sbom [--format cyclonedx|spdx] [--root DIR | "
					  "--image TAR | PATH]");
	const char *spec = root ? root : image ? image : argv[optind];
	mamori_target *t;
	int st = root ? mamori_vuln_root_target(c->ctx, root, &t) : mamori_target_open(c->ctx, spec, &t);
	if (st)
		return cli_fail(c, st);
	vuln_invset set = {0};
	mamori_vuln_collect_target(c->ctx, t, &set);
	int rc = EXIT_OK;
	for (size_t i = 0; i < set.count; i++)
		for (size_t k = 0; k < set.items[i].problem_count; k++) {
			fprintf(stderr, "mamori: error: %s\n", set.items[i].problems[k]);
			rc = EXIT_USAGE;
		}
	char now[32];
	mamori_time_format(mamori_ctx_now(c->ctx), now);
	char *doc = mamori_vuln_sbom_write(&set, fmt, spec, now);
	FILE *f = cli_open_output(c, output);
	if (!f) {
		rc = cli_fail(c, MAMORI_EINPUT);
	} else {
		fputs(doc, f);
		fputc('\n', f);
		st = cli_close_output(c, f, output);
		if (st)
			rc = cli_fail(c, st);
	}
	free(doc);
	mamori_vuln_invset_free(&set);
	mamori_target_free(t);
	return rc;
}
