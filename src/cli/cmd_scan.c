/*
 * cmd_scan.c — `mamori scan [TARGET]`, the main job.
 *
 * Runs every module that accepts the target (the bundled demo when none is
 * given), records the findings in the store, prints them, optionally writes
 * an HTML report, and exits 1 when an open finding reaches --fail-on.
 */
#include "cli_aws.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MAMORI_DEMO_SOURCE_DIR
#define MAMORI_DEMO_SOURCE_DIR ""
#endif
#ifndef MAMORI_DEMO_INSTALL_DIR
#define MAMORI_DEMO_INSTALL_DIR ""
#endif

enum {
	OPT_HTML = OPT_FIRST_COMMAND_OPTION,
	OPT_FAIL_ON,
	OPT_LIST_MODULES,
	OPT_ALL,
	OPT_NO_STORE,
	OPT_LANG,
};

/* The demo environment: $MAMORI_DEMO_DIR, the installed copy, the source tree. */
static const char *demo_dir(void)
{
	const char *env = getenv("MAMORI_DEMO_DIR");
	if (env && *env)
		return env;
	if (*MAMORI_DEMO_INSTALL_DIR && access(MAMORI_DEMO_INSTALL_DIR, R_OK) == 0)
		return MAMORI_DEMO_INSTALL_DIR;
	if (*MAMORI_DEMO_SOURCE_DIR && access(MAMORI_DEMO_SOURCE_DIR, R_OK) == 0)
		return MAMORI_DEMO_SOURCE_DIR;
	return NULL;
}

static int list_modules(const mamori_registry *reg)
{
	printf("%-16s %-16s %s\n", "MODULE", "PILLAR", "WHAT IT LOOKS AT");
	for (size_t i = 0; i < mamori_registry_count(reg); i++) {
		const mamori_module *m = mamori_registry_get(reg, i);
		printf("%-16s %-16s %s\n", m->name, m->pillar, m->summary);
	}
	return EXIT_OK;
}

static const char *outcome_name(mamori_module_outcome o)
{
	switch (o) {
	case MAMORI_MODULE_OK:
		return "ok";
	case MAMORI_MODULE_PROBLEMS:
		return "problems";
	case MAMORI_MODULE_FAILED:
		return "failed";
	default:
		return "nothing to scan";
	}
}

int cmd_scan(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"html", required_argument, NULL, OPT_HTML},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"module", required_argument, NULL, 'm'},
		{"list-modules", no_argument, NULL, OPT_LIST_MODULES},
		{"all", no_argument, NULL, OPT_ALL},
		{"no-store", no_argument, NULL, OPT_NO_STORE},
		CLI_AWS_LONG_OPTIONS,
		{"lang", required_argument, NULL, OPT_LANG},
		{NULL, 0, NULL, 0},
	};
	int format = MAMORI_FORMAT_TABLE;
	const char *output = NULL, *html = NULL, *lang = cli_lang_default();
	int fail_on = -1;
	bool all = false, no_store = false, list = false;
	const char **modules = calloc((size_t)argc + 1, sizeof *modules);
	size_t module_count = 0;
	int opt, rc = EXIT_OK;
	cli_aws aws; /* --aws: collect live accounts and scan what was collected */
	cli_aws_init(&aws, argc);
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "f:o:m:", opts, NULL)) != -1) {
		int common = cli_common_option(c, opt, optarg);
		if (common < 0) {
			free(modules);
			cli_aws_free(&aws);
			return EXIT_USAGE;
		}
		if (common)
			continue;
		int aws_opt = cli_aws_option(c, &aws, opt, optarg);
		if (aws_opt < 0) {
			free(modules);
			cli_aws_free(&aws);
			return EXIT_USAGE;
		}
		if (aws_opt)
			continue;
		switch (opt) {
		case 'h':
			free(modules);
			cli_aws_free(&aws);
			return cli_help(c, "scan", stdout);
		case 'f':
			format = mamori_format_parse(optarg);
			if (format < 0) {
				free(modules);
				cli_aws_free(&aws);
				return cli_usage_error(c, "--format: \"%s\" is not one of %s", optarg,
						       mamori_format_list());
			}
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_HTML:
			html = optarg;
			break;
		case OPT_FAIL_ON:
			if (cli_parse_severity(c, optarg, &fail_on, true)) {
				free(modules);
				cli_aws_free(&aws);
				return EXIT_USAGE;
			}
			break;
		case 'm':
			modules[module_count++] = optarg;
			break;
		case OPT_LIST_MODULES:
			list = true;
			break;
		case OPT_ALL:
			all = true;
			break;
		case OPT_NO_STORE:
			no_store = true;
			break;
		case OPT_LANG:
			if (cli_parse_lang(c, optarg, &lang)) {
				free(modules);
				return EXIT_USAGE;
			}
			break;
		default:
			free(modules);
			cli_aws_free(&aws);
			return cli_usage_error(c, "unknown option");
		}
	}
	if (argc - optind > 1) {
		free(modules);
		cli_aws_free(&aws);
		return cli_usage_error(c, "scan takes one target, got %d", argc - optind);
	}
	cli_progress_install(c);
	mamori_registry *reg = mamori_registry_new();
	mamori_registry_add_builtin(reg);
	if (list) {
		rc = list_modules(reg);
		mamori_registry_free(reg);
		free(modules);
		cli_aws_free(&aws);
		return rc;
	}

	if (aws.any && !aws.enabled) {
		mamori_registry_free(reg);
		free(modules);
		cli_aws_free(&aws);
		return cli_usage_error(c, "--profile, --regions, --endpoint-url... need --aws");
	}
	if (aws.enabled && optind < argc) {
		mamori_registry_free(reg);
		free(modules);
		cli_aws_free(&aws);
		return cli_usage_error(c, "--aws scans live accounts: give no TARGET");
	}
	const char *spec = aws.enabled ? "aws" : optind < argc ? argv[optind] : demo_dir();
	if (!spec) {
		mamori_registry_free(reg);
		free(modules);
		cli_aws_free(&aws);
		return cli_usage_error(c, "no target given and the demo environment was not found "
					  "(set MAMORI_DEMO_DIR or give a path)");
	}
	if (optind >= argc && !aws.enabled)
		mamori_log(c->ctx, MAMORI_LOG_INFO, "no target given: scanning the demo at %s", spec);

	mamori_store *store = NULL;
	mamori_target *target = NULL;
	mamori_scan_result res;
	mamori_scan_result_init(&res);
	int st = no_store ? MAMORI_OK : cli_open_store(c, &store);
	if (!st && aws.enabled) {
		rc = cli_aws_collect(c, &aws);
		if (rc != EXIT_OK)
			goto out;
		st = mamori_aws_target_open(c->ctx, &aws.coll, &target);
		if (!st)
			spec = target->spec;
	} else if (!st) {
		st = mamori_target_open(c->ctx, spec, &target);
	}
	mamori_scan_options so = {module_count ? modules : NULL, module_count};
	if (!st)
		st = mamori_scan_run(c->ctx, reg, store, target, &so, &res);
	if (st) {
		rc = cli_fail(c, st);
		goto out;
	}

	/* what to list: open findings, or everything with --all */
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
	mamori_report_module *mods = calloc(res.module_count + 1, sizeof *mods);
	for (size_t i = 0; i < res.module_count; i++)
		mods[i] = (mamori_report_module){res.modules[i].module->name,
						 res.modules[i].module->pillar,
						 outcome_name(res.modules[i].outcome),
						 res.modules[i].findings, res.modules[i].seconds};
	char title[4200];
	snprintf(title, sizeof title, "mamori scan of %s", spec);
	mamori_report rep = {
		.items = items,
		.count = n,
		.all = every,
		.all_count = res.findings.count,
		.title = title,
		.target = res.target,
		.generated_at = res.finished_at,
		.modules = mods,
		.module_count = res.module_count,
		.problems = (const char *const *)res.problems,
		.problem_count = res.problem_count,
		.lang = lang,
	};
	st = cli_write_report(c, (mamori_format)format, &rep, output);
	if (!st && html)
		st = cli_write_report(c, MAMORI_FORMAT_HTML, &rep, html);
	free(items);
	free(every);
	free(mods);
	if (st) {
		rc = cli_fail(c, st);
		goto out;
	}
	for (size_t i = 0; i < res.problem_count; i++)
		fprintf(stderr, "mamori: error: %s\n", res.problems[i]);
	if (store)
		mamori_log(c->ctx, MAMORI_LOG_INFO,
			   "store %s: scan %lld, %zu new, %zu updated, %zu reactivated, %zu archived",
			   c->db, (long long)res.store.scan_id, res.store.new_findings,
			   res.store.updated, res.store.reactivated, res.store.archived);
	if (html)
		fprintf(stderr, "mamori: HTML report written to %s\n", html);
	if (res.problem_count)
		rc = EXIT_USAGE; /* some input could not be read: say so in the exit code */
	else if (failing)
		rc = EXIT_FINDINGS;
out:
	mamori_scan_result_free(&res);
	mamori_target_free(target);
	mamori_store_close(store);
	mamori_registry_free(reg);
	free(modules);
	cli_aws_free(&aws);
	return rc;
}
