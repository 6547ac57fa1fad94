/*
 * main.c — `mamori <command> [options]`: the command table and the one place
 * that owns process-wide state (signals, environment, the library context).
 */
#include "cli.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	int (*run)(cli *c, int argc, char **argv);
	const char *summary;
} commands[] = {
	{"scan", cmd_scan, "scan a target (the bundled demo by default) and store the findings"},
	{"findings", cmd_findings, "list, show, export, suppress, resolve and reopen findings"},
	{"serve", cmd_serve, "serve the dashboard and JSON API over the store"},
	{"guard", cmd_guard, "AWS CloudFormation Guard rules: validate, test, parse-tree"},
	{"collect", cmd_collect, "read live AWS accounts into an AWS Config snapshot"},
	{"vuln", cmd_vuln, "known vulnerabilities: scan, compare versions, the advisory database"},
	{"sbom", cmd_sbom, "software bill of materials (CycloneDX 1.5 or SPDX 2.3) of a target"},
	{"waf", cmd_waf, "evaluate requests against a WebACL, or run the WAF reverse proxy"},
	{"detect", cmd_detect, "detect threats in CloudTrail, VPC Flow Logs and Route 53 DNS logs"},
};

static int version(void)
{
	printf("mamori %s\n", mamori_version());
	return EXIT_OK;
}

static void usage_summary(FILE *out)
{
	fputs("usage: mamori <command> [options]\n\ncommands:\n", out);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("  help       show the help of a command\n\n"
	      "`mamori help <command>` for details; `mamori --version`.\n",
	      out);
}

int main(int argc, char **argv)
{
	/* a file size limit must give an error, not kill us mid-write */
	signal(SIGXFSZ, SIG_IGN);

	cli c = {0};
	c.argv0 = argv[0];
	c.lock_timeout_ms = 30000;
	c.log_level = MAMORI_LOG_WARN;
	const char *level = getenv("MAMORI_LOG_LEVEL");
	if (level && mamori_log_level_parse(level) >= 0)
		c.log_level = mamori_log_level_parse(level);
	c.ctx = mamori_ctx_new();
	cli_term_setup(&c, -1);
	const char *now = getenv("MAMORI_NOW");
	if (now && *now) {
		time_t t;
		if (mamori_time_parse(now, &t) != 0) {
			fprintf(stderr, "mamori: error: MAMORI_NOW=\"%s\" is not an RFC 3339 time\n",
				now);
			mamori_ctx_free(c.ctx);
			return EXIT_USAGE;
		}
		mamori_ctx_set_now(c.ctx, t);
	}

	int rc;
	if (argc < 2) {
		usage_summary(stderr);
		rc = EXIT_USAGE;
	} else if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") ||
		   !strcmp(argv[1], "version")) {
		rc = version();
	} else if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		rc = cli_help(&c, "mamori", stdout);
	} else if (!strcmp(argv[1], "help")) {
		rc = cli_help(&c, argc > 2 ? argv[2] : "mamori", stdout);
	} else {
		rc = -1;
		for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
			if (strcmp(argv[1], commands[i].name) == 0) {
				c.command = commands[i].name;
				rc = commands[i].run(&c, argc - 1, argv + 1);
				break;
			}
		}
		if (rc < 0) {
			fprintf(stderr, "mamori: error: unknown command \"%s\"\n\n", argv[1]);
			usage_summary(stderr);
			rc = EXIT_USAGE;
		}
	}
	cli_progress_uninstall(&c);
	mamori_ctx_free(c.ctx);
	free(c.db);
	return rc;
}
