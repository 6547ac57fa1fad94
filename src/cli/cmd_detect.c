/*
 * cmd_detect.c — `mamori detect [--rules DIR] [--threat-list FILE]
 * [--shard I/N] LOGS...`: run the detection pillar on log files,
 * directories and S3 prefixes (s3://bucket/prefix/, read with the AWS
 * options `mamori collect --aws` takes), record the findings like `mamori scan` does (same formats,
 * --fail-on, exit codes and store), and print what was read and skipped.
 */
#include "cli.h"
#include "cli_aws.h"

#include <stdlib.h>
#include <string.h>

enum {
	OPT_RULES = OPT_FIRST_COMMAND_OPTION,
	OPT_THREAT_LIST,
	OPT_SHARD,
	OPT_FAIL_ON_D,
	OPT_NO_STORE_D,
	OPT_NAIVE,
	OPT_NO_NATIVES,
	OPT_ALL_D,
	OPT_CONFIG_D,
	OPT_SET_D,
	OPT_SETTINGS_D,
	OPT_PLACEHOLDERS,
};

int cmd_detect(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"rules", required_argument, NULL, OPT_RULES},
		{"threat-list", required_argument, NULL, OPT_THREAT_LIST},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON_D},
		{"no-store", no_argument, NULL, OPT_NO_STORE_D},
		{"naive", no_argument, NULL, OPT_NAIVE},
		{"no-natives", no_argument, NULL, OPT_NO_NATIVES},
		{"all", no_argument, NULL, OPT_ALL_D},
		{"config", required_argument, NULL, OPT_CONFIG_D},
		{"set", required_argument, NULL, OPT_SET_D},
		{"settings", no_argument, NULL, OPT_SETTINGS_D},
		{"placeholders", required_argument, NULL, OPT_PLACEHOLDERS},
		/* reading s3:// inputs: collect's options that make sense for one
		 * bucket (no --regions, --org, --services) */
		{"profile", required_argument, NULL, OPT_AWS_PROFILE},
		{"region", required_argument, NULL, OPT_AWS_REGION},
		{"role-arn", required_argument, NULL, OPT_AWS_ROLE_ARN},
		{"external-id", required_argument, NULL, OPT_AWS_EXTERNAL_ID},
		{"endpoint-url", required_argument, NULL, OPT_AWS_ENDPOINT_URL},
		{"timeout", required_argument, NULL, OPT_AWS_TIMEOUT},
		{"no-prompt", no_argument, NULL, OPT_AWS_NO_PROMPT},
		{NULL, 0, NULL, 0},
	};
	const char **rules = calloc((size_t)argc + 1, sizeof *rules);
	const char **lists = calloc((size_t)argc + 1, sizeof *lists);
	const char **sets = calloc((size_t)argc + 1, sizeof *sets);
	const char **holders = calloc((size_t)argc + 1, sizeof *holders);
	const char *config = NULL;
	size_t nrules = 0, nlists = 0, nsets = 0, nholders = 0;
	unsigned shard_i = 0, shard_n = 0;
	int format = MAMORI_FORMAT_TABLE, fail_on = -1, opt, rc = EXIT_OK;
	const char *output = NULL;
	bool no_store = false, naive = false, no_natives = false, all = false;
	cli_aws aws;
	cli_aws_init(&aws, argc);
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "f:o:", opts, NULL)) != -1) {
		/* the common options, then those of s3:// inputs */
		int common = cli_common_option(c, opt, optarg);
		if (!common)
			common = cli_aws_option(c, &aws, opt, optarg);
		if (common < 0) {
			rc = EXIT_USAGE;
			goto out;
		}
		if (common)
			continue;
		switch (opt) {
		case 'h':
			rc = cli_help(c, "detect", stdout);
			goto out;
		case OPT_RULES:
			rules[nrules++] = optarg;
			break;
		case OPT_THREAT_LIST:
			lists[nlists++] = optarg;
			break;
		case OPT_SHARD: {
			char *end;
			unsigned long i = strtoul(optarg, &end, 10);
			unsigned long n = *end == '/' ? strtoul(end + 1, &end, 10) : 0;
			if (*end || n == 0 || i >= n || n > 100000) {
				rc = cli_usage_error(c, "--shard: \"%s\" is not I/N with 0 <= I < N",
						     optarg);
				goto out;
			}
			shard_i = (unsigned)i;
			shard_n = (unsigned)n;
			break;
		}
		case 'f':
			format = mamori_format_parse(optarg);
			if (format < 0) {
				rc = cli_usage_error(c, "--format: \"%s\" is not one of %s", optarg,
						     mamori_format_list());
				goto out;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FAIL_ON_D:
			if (cli_parse_severity(c, optarg, &fail_on, true)) {
				rc = EXIT_USAGE;
				goto out;
			}
			break;
		case OPT_NO_STORE_D:
			no_store = true;
			break;
		case OPT_NAIVE:
			naive = true;
			break;
		case OPT_NO_NATIVES:
			no_natives = true;
			break;
		case OPT_ALL_D:
			all = true;
			break;
		case OPT_CONFIG_D:
			config = optarg;
			break;
		case OPT_SET_D:
			sets[nsets++] = optarg;
			break;
		case OPT_PLACEHOLDERS:
			holders[nholders++] = optarg;
			break;
		case OPT_SETTINGS_D: {
			char *text = mamori_detect_settings_text();
			fputs(text, stdout);
			free(text);
			rc = EXIT_OK;
			goto out;
		}
		default:
			rc = cli_usage_error(c, "unknown option");
			goto out;
		}
	}
	if (optind >= argc) {
		rc = cli_usage_error(c, "detect needs at least one log file, directory or s3://BUCKET/PREFIX (or - for stdin)");
		goto out;
	}
	if (aws.opts.role_arn_count > 1) {
		rc = cli_usage_error(c, "--role-arn: detect reads S3 with one role");
		goto out;
	}
	cli_progress_install(c);
	mamori_detect_options d = {
		.rule_dirs = rules,
		.rule_dir_count = nrules,
		.threat_lists = lists,
		.threat_list_count = nlists,
		.shard_index = shard_i,
		.shard_count = shard_n,
		.naive = naive,
		.no_natives = no_natives,
		.config = config,
		.settings = sets,
		.setting_count = nsets,
		.placeholders = holders,
		.placeholder_count = nholders,
		.aws = &aws.opts,
	};
	mamori_store *store = NULL;
	mamori_scan_result res;
	mamori_scan_result_init(&res);
	int st = no_store ? MAMORI_OK : cli_open_store(c, &store);
	if (!st)
		st = mamori_detect_run(c->ctx, store, (const char *const *)argv + optind,
				       (size_t)(argc - optind), &d, &res);
	if (st) {
		rc = cli_fail(c, st);
		mamori_scan_result_free(&res);
		mamori_store_close(store);
		goto out;
	}
	const mamori_finding **items = calloc(res.findings.count + 1, sizeof *items);
	const mamori_finding **every = calloc(res.findings.count + 1, sizeof *every);
	size_t n = 0;
	bool failing = false;
	for (size_t i = 0; i < res.findings.count; i++) {
		const mamori_finding *f = &res.findings.items[i];
		every[i] = f;
		if (all || mamori_finding_is_open(f))
			items[n++] = f;
		if (fail_on >= 0 && mamori_finding_is_open(f) && (int)f->severity >= fail_on)
			failing = true;
	}
	mamori_report_module mods[1] = {{"detect", "detection",
					  res.problem_count ? "problems" : "ok",
					  res.findings.count, res.seconds}};
	mamori_report rep = {
		.items = items,
		.count = n,
		.all = every,
		.all_count = res.findings.count,
		.title = "mamori detect",
		.target = res.target,
		.generated_at = res.finished_at,
		.modules = mods,
		.module_count = 1,
		.problems = (const char *const *)res.problems,
		.problem_count = res.problem_count,
	};
	st = cli_write_report(c, (mamori_format)format, &rep, output);
	free(items);
	free(every);
	if (st) {
		rc = cli_fail(c, st);
	} else {
		for (size_t i = 0; i < res.problem_count; i++)
			fprintf(stderr, "mamori: problem: %s\n", res.problems[i]);
		if (d.summary)
			fprintf(stderr, "mamori: detect: %s\n", d.summary);
		/* some input could not be read (or a rule could not run): say so in the
		 * exit code, as `mamori scan` does, after reporting everything else */
		rc = res.problem_count ? EXIT_USAGE : failing ? EXIT_FINDINGS : EXIT_OK;
	}
	free(d.summary);
	mamori_scan_result_free(&res);
	mamori_store_close(store);
out:
	cli_aws_free(&aws);
	free(rules);
	free(holders);
	free(lists);
	free(sets);
	return rc;
}
