/*
 * cli_aws.c — AWS options and the collection, for collect and scan.
 */
#include "cli_aws.h"

#include <stdlib.h>
#include <string.h>

void cli_aws_init(cli_aws *a, int argc)
{
	memset(a, 0, sizeof *a);
	/* every list is bounded by the number of arguments, times the commas */
	size_t n = (size_t)argc * 8 + 8;
	a->regions = calloc(n, sizeof *a->regions);
	a->role_arns = calloc(n, sizeof *a->role_arns);
	a->services = calloc(n, sizeof *a->services);
	a->endpoints = calloc((size_t)argc + 1, sizeof *a->endpoints);
	if (!a->regions || !a->role_arns || !a->services || !a->endpoints)
		mamori_oom(n);
	a->opts.regions = a->regions;
	a->opts.role_arns = a->role_arns;
	a->opts.services = a->services;
	a->opts.endpoints = a->endpoints;
}

void cli_aws_free(cli_aws *a)
{
	mamori_aws_collection_free(&a->coll);
	free(a->regions);
	free(a->role_arns);
	free(a->services);
	free(a->endpoints);
}

/* Split a comma-separated argument (in place) into list. */
static int split(cli *c, const char *opt, char *arg, const char **list, size_t *count, size_t max)
{
	for (char *save = NULL, *tok = strtok_r(arg, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		if (*count >= max)
			return cli_usage_error(c, "%s: too many values", opt), -1;
		list[(*count)++] = tok;
	}
	return 1;
}

static int parse_uint(cli *c, const char *opt, const char *arg, unsigned lo, unsigned hi,
		      unsigned *out)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);
	if (!*arg || *end || v < lo || v > hi)
		return cli_usage_error(c, "%s: \"%s\" is not a number from %u to %u", opt, arg, lo,
				       hi),
		       -1;
	*out = (unsigned)v;
	return 1;
}

int cli_aws_option(cli *c, cli_aws *a, int opt, char *arg)
{
	mamori_aws_options *o = &a->opts;
	if (opt >= OPT_AWS && opt <= OPT_AWS_SNAPSHOT)
		a->any = true;
	switch (opt) {
	case OPT_AWS:
		a->enabled = true;
		return 1;
	case OPT_AWS_PROFILE:
		o->profile = arg;
		return 1;
	case OPT_AWS_REGION:
		o->region = arg;
		return 1;
	case OPT_AWS_REGIONS:
		return split(c, "--regions", arg, a->regions, &o->region_count, 1024);
	case OPT_AWS_ROLE_ARN:
		return split(c, "--role-arn", arg, a->role_arns, &o->role_arn_count, 4096);
	case OPT_AWS_ORG:
		o->organization = true;
		return 1;
	case OPT_AWS_ORG_ROLE:
		o->org_role_name = arg;
		return 1;
	case OPT_AWS_EXTERNAL_ID:
		o->external_id = arg;
		return 1;
	case OPT_AWS_ENDPOINT_URL: {
		mamori_aws_endpoint e;
		if (!mamori_aws_endpoint_parse(arg, &e))
			return cli_usage_error(c,
					       "--endpoint-url: expected URL or SERVICE=URL with an "
					       "http:// or https:// URL"),
			       -1;
		a->endpoints[o->endpoint_count++] = e;
		return 1;
	}
	case OPT_AWS_SERVICES:
		return split(c, "--services", arg, a->services, &o->service_count, 64);
	case OPT_AWS_CONCURRENCY:
		return parse_uint(c, "--concurrency", arg, 1, 256, &o->concurrency);
	case OPT_AWS_TIMEOUT: {
		unsigned s;
		int r = parse_uint(c, "--timeout", arg, 1, 3600, &s);
		o->timeout_ms = s * 1000;
		return r;
	}
	case OPT_AWS_NO_PROMPT:
		o->no_prompt = true;
		return 1;
	case OPT_AWS_SNAPSHOT:
		a->snapshot = arg;
		return 1;
	default:
		return 0;
	}
}

int cli_aws_collect(cli *c, cli_aws *a)
{
	int st = mamori_aws_collect(c->ctx, &a->opts, &a->coll);
	if (st)
		return cli_fail(c, st);
	if (a->snapshot) {
		FILE *f = cli_open_output(c, a->snapshot);
		if (!f)
			return EXIT_USAGE;
		fwrite(a->coll.snapshot, 1, a->coll.snapshot_len, f);
		fputc('\n', f);
		if (cli_close_output(c, f, a->snapshot))
			return EXIT_INTERNAL;
	}
	const mamori_aws_stats *s = &a->coll.stats;
	mamori_log(c->ctx, MAMORI_LOG_INFO,
		   "aws: %llu items from %zu account(s) in %.2f s: %llu calls (%.0f/s), %llu "
		   "retries, %llu throttled, %zu could not be read",
		   (unsigned long long)s->items, a->coll.account_count, s->seconds,
		   (unsigned long long)s->calls, s->seconds > 0 ? (double)s->calls / s->seconds : 0,
		   (unsigned long long)s->retries, (unsigned long long)s->throttled,
		   a->coll.error_count);
	return EXIT_OK;
}
