/*
 * cli_aws.h — the options `mamori collect --aws` and `mamori scan --aws`
 * share, and the collection they both start.
 */
#ifndef MAMORI_CLI_AWS_H
#define MAMORI_CLI_AWS_H

#include "cli.h"

enum {
	OPT_AWS = 1100, /* past every command's own option ids */
	OPT_AWS_PROFILE,
	OPT_AWS_REGION,
	OPT_AWS_REGIONS,
	OPT_AWS_ROLE_ARN,
	OPT_AWS_ORG,
	OPT_AWS_ORG_ROLE,
	OPT_AWS_EXTERNAL_ID,
	OPT_AWS_ENDPOINT_URL,
	OPT_AWS_SERVICES,
	OPT_AWS_CONCURRENCY,
	OPT_AWS_TIMEOUT,
	OPT_AWS_NO_PROMPT,
	OPT_AWS_SNAPSHOT,
};

#define CLI_AWS_LONG_OPTIONS                                                        \
	{"aws", no_argument, NULL, OPT_AWS},                                        \
		{"profile", required_argument, NULL, OPT_AWS_PROFILE},              \
		{"region", required_argument, NULL, OPT_AWS_REGION},                \
		{"regions", required_argument, NULL, OPT_AWS_REGIONS},              \
		{"role-arn", required_argument, NULL, OPT_AWS_ROLE_ARN},            \
		{"org", no_argument, NULL, OPT_AWS_ORG},                            \
		{"org-role", required_argument, NULL, OPT_AWS_ORG_ROLE},            \
		{"external-id", required_argument, NULL, OPT_AWS_EXTERNAL_ID},      \
		{"endpoint-url", required_argument, NULL, OPT_AWS_ENDPOINT_URL},    \
		{"services", required_argument, NULL, OPT_AWS_SERVICES},            \
		{"concurrency", required_argument, NULL, OPT_AWS_CONCURRENCY},      \
		{"timeout", required_argument, NULL, OPT_AWS_TIMEOUT},              \
		{"no-prompt", no_argument, NULL, OPT_AWS_NO_PROMPT},                \
		{"snapshot", required_argument, NULL, OPT_AWS_SNAPSHOT}

typedef struct cli_aws {
	bool enabled;	      /* --aws */
	bool any;	      /* some AWS option was given */
	mamori_aws_options opts;
	const char **regions, **role_arns, **services;
	mamori_aws_endpoint *endpoints;
	const char *snapshot; /* --snapshot FILE: keep the collected snapshot */
	mamori_aws_collection coll;
} cli_aws;

void cli_aws_init(cli_aws *a, int argc);
void cli_aws_free(cli_aws *a);
/* Handle an AWS option: 1 handled, 0 not an AWS option, -1 error (printed). */
int cli_aws_option(cli *c, cli_aws *a, int opt, char *arg);
/* Collect (with a progress bar), write --snapshot if asked, print a summary. */
int cli_aws_collect(cli *c, cli_aws *a);

#endif
