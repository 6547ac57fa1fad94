/*
 * cmd_findings.c — `mamori findings list|show|export|push|suppress|resolve|
 * reopen`: working through what the store holds, and sending it to AWS
 * Security Hub.
 */
#include "cli.h"
#include "cli_aws.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_SEVERITY = OPT_FIRST_COMMAND_OPTION,
	OPT_MODULE,
	OPT_ACCOUNT,
	OPT_RESOURCE,
	OPT_RULE,
	OPT_STATUS,
	OPT_STATE,
	OPT_COMPLIANCE,
	OPT_SINCE,
	OPT_TARGET,
	OPT_LIMIT,
	OPT_ALL,
	OPT_REASON,
	OPT_FAIL_ON,
	OPT_LANG,
	OPT_SECURITYHUB,
	OPT_DRY_RUN,
};

/* "7d", "24h", "30m" before now, or an RFC 3339 time. */
static int parse_since(cli *c, const char *arg, char out[32])
{
	char *end;
	long n = strtol(arg, &end, 10);
	if (end != arg && n >= 0 && end[0] && !end[1] && strchr("smhdw", end[0])) {
		static const long unit[] = {['s'] = 1, ['m'] = 60, ['h'] = 3600, ['d'] = 86400,
					    ['w'] = 604800};
		mamori_time_format(mamori_ctx_now(c->ctx) - n * unit[(unsigned char)end[0]], out);
		return 0;
	}
	time_t t;
	if (mamori_time_parse(arg, &t) == 0) {
		mamori_time_format(t, out);
		return 0;
	}
	cli_usage_error(c, "--since: \"%s\" is neither a duration (7d, 24h, 30m) nor an RFC 3339 "
			   "time",
			arg);
	return -1;
}

typedef struct findings_opts {
	mamori_filter filter;
	int format;
	const char *output;
	const char *reason;
	bool all;
	int fail_on;
	char since[32];
	const char *lang;
	bool securityhub;
	bool dry_run;
	cli_aws aws; /* push: credentials, region, endpoint */
} findings_opts;

static int parse(cli *c, const char *sub, int argc, char **argv, findings_opts *o)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"severity", required_argument, NULL, OPT_SEVERITY},
		{"module", required_argument, NULL, OPT_MODULE},
		{"account", required_argument, NULL, OPT_ACCOUNT},
		{"resource", required_argument, NULL, OPT_RESOURCE},
		{"rule", required_argument, NULL, OPT_RULE},
		{"status", required_argument, NULL, OPT_STATUS},
		{"record-state", required_argument, NULL, OPT_STATE},
		{"compliance", required_argument, NULL, OPT_COMPLIANCE},
		{"since", required_argument, NULL, OPT_SINCE},
		{"target", required_argument, NULL, OPT_TARGET},
		{"limit", required_argument, NULL, OPT_LIMIT},
		{"all", no_argument, NULL, OPT_ALL},
		{"reason", required_argument, NULL, OPT_REASON},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"lang", required_argument, NULL, OPT_LANG},
		{"securityhub", no_argument, NULL, OPT_SECURITYHUB},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"profile", required_argument, NULL, OPT_AWS_PROFILE},
		{"region", required_argument, NULL, OPT_AWS_REGION},
		{"endpoint-url", required_argument, NULL, OPT_AWS_ENDPOINT_URL},
		{"no-prompt", no_argument, NULL, OPT_AWS_NO_PROMPT},
		{"timeout", required_argument, NULL, OPT_AWS_TIMEOUT},
		{"concurrency", required_argument, NULL, OPT_AWS_CONCURRENCY},
		{NULL, 0, NULL, 0},
	};
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "f:o:", opts, NULL)) != -1) {
		int common = cli_common_option(c, opt, optarg);
		if (common < 0)
			return -1;
		if (common)
			continue;
		bool push = !strcmp(sub, "push");
		int aws = push ? cli_aws_option(c, &o->aws, opt, optarg) : 0;
		if (aws < 0)
			return -1;
		if (aws)
			continue;
		int v;
		switch (opt) {
		case 'h':
			cli_help(c, "findings", stdout);
			return 1;
		case 'f':
			o->format = mamori_format_parse(optarg);
			if (o->format < 0) {
				cli_usage_error(c, "--format: \"%s\" is not one of %s", optarg,
						mamori_format_list());
				return -1;
			}
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_SEVERITY:
			if (cli_parse_severity(c, optarg, &o->filter.min_severity, false))
				return -1;
			break;
		case OPT_MODULE:
			o->filter.module = optarg;
			break;
		case OPT_ACCOUNT:
			o->filter.account = optarg;
			break;
		case OPT_RESOURCE:
			o->filter.resource = optarg;
			break;
		case OPT_RULE:
			o->filter.generator = optarg;
			break;
		case OPT_STATUS:
			if ((v = mamori_workflow_parse(optarg)) < 0) {
				cli_usage_error(c, "--status: use NEW, NOTIFIED, RESOLVED or SUPPRESSED");
				return -1;
			}
			o->filter.workflow = v;
			o->all = true; /* asking for a status means: show it even if not open */
			break;
		case OPT_STATE:
			if ((v = mamori_record_state_parse(optarg)) < 0) {
				cli_usage_error(c, "--record-state: use ACTIVE or ARCHIVED");
				return -1;
			}
			o->filter.record_state = v;
			o->all = true;
			break;
		case OPT_COMPLIANCE:
			if ((v = mamori_compliance_parse(optarg)) < 0) {
				cli_usage_error(c, "--compliance: use PASSED, WARNING, FAILED or "
						   "NOT_AVAILABLE");
				return -1;
			}
			o->filter.compliance = v;
			o->all = true;
			break;
		case OPT_SINCE:
			if (parse_since(c, optarg, o->since))
				return -1;
			o->filter.since = o->since;
			break;
		case OPT_TARGET:
			o->filter.target = optarg;
			break;
		case OPT_LIMIT: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || n <= 0) {
				cli_usage_error(c, "--limit: \"%s\" is not a positive number", optarg);
				return -1;
			}
			o->filter.limit = (size_t)n;
			break;
		}
		case OPT_ALL:
			o->all = true;
			break;
		case OPT_REASON:
			o->reason = optarg;
			break;
		case OPT_FAIL_ON:
			if (cli_parse_severity(c, optarg, &o->fail_on, true))
				return -1;
			break;
		case OPT_LANG:
			if (cli_parse_lang(c, optarg, &o->lang))
				return -1;
			break;
		case OPT_SECURITYHUB:
		case OPT_DRY_RUN:
			if (!push) {
				cli_usage_error(c, "--%s is an option of findings push",
						opt == OPT_DRY_RUN ? "dry-run" : "securityhub");
				return -1;
			}
			*(opt == OPT_DRY_RUN ? &o->dry_run : &o->securityhub) = true;
			break;
		default:
			cli_usage_error(c, "unknown option for findings %s", sub);
			return -1;
		}
	}
	return 0;
}

/* The findings list, export and push work on, as a NULL-terminated array. */
static int load(cli *c, mamori_store *store, findings_opts *o, bool export, mamori_findings *fs,
		const mamori_finding ***items)
{
	mamori_findings_init(fs);
	o->filter.open_only = !o->all;
	if (export && o->filter.record_state < 0 && !o->all)
		o->filter.open_only = false, o->filter.record_state = MAMORI_RECORD_ACTIVE;
	int st = mamori_store_query(c->ctx, store, &o->filter, fs);
	if (st) {
		mamori_findings_free(fs);
		return st;
	}
	*items = calloc(fs->count + 1, sizeof **items);
	if (!*items)
		mamori_oom(fs->count);
	for (size_t i = 0; i < fs->count; i++)
		(*items)[i] = &fs->items[i];
	return MAMORI_OK;
}

static int list_or_export(cli *c, mamori_store *store, findings_opts *o, bool export)
{
	mamori_findings fs;
	const mamori_finding **items;
	int st = load(c, store, o, export, &fs, &items);
	if (st)
		return cli_fail(c, st);
	bool failing = false;
	for (size_t i = 0; i < fs.count; i++)
		if (o->fail_on >= 0 && mamori_finding_is_open(&fs.items[i]) &&
		    (int)fs.items[i].severity >= o->fail_on)
			failing = true;
	char now[32];
	mamori_time_format(mamori_ctx_now(c->ctx), now);
	/* HTML without a title gets the report's own, in its language */
	mamori_report rep = {.items = items,
			     .count = fs.count,
			     .title = o->format == MAMORI_FORMAT_HTML ? NULL : "mamori findings",
			     .generated_at = now,
			     .lang = o->lang};
	st = cli_write_report(c, (mamori_format)o->format, &rep, o->output);
	free(items);
	mamori_findings_free(&fs);
	if (st)
		return cli_fail(c, st);
	return failing ? EXIT_FINDINGS : EXIT_OK;
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void push_report(const mamori_securityhub_result *r, bool dry_run)
{
	printf("AWS Security Hub %s, account %s (%s)\n", r->region, r->account, r->product_arn);
	if (dry_run)
		printf("  dry run: %zu %s in %zu %s would be sent; nothing was sent\n", r->sent,
		       plural(r->sent, "finding", "findings"), r->batches,
		       plural(r->batches, "request", "requests"));
	else
		printf("  %zu %s sent in %zu %s: %zu imported, %zu failed\n", r->sent,
		       plural(r->sent, "finding", "findings"), r->batches,
		       plural(r->batches, "request", "requests"), r->imported, r->failed);
	if (r->error)
		printf("  %zu failed with a request refused as a whole (%s)\n", r->refused, r->error);
	if (r->unsent)
		printf("  %zu not sent: the push stopped at that request\n", r->unsent);
	for (size_t i = 0; i < r->skip_count; i++)
		printf("  %zu not sent: %s to account %s, and Security Hub takes a finding "
		       "only from its own account; push %s with that account's credentials "
		       "(--profile), or choose with --account\n",
		       r->skips[i].count, plural(r->skips[i].count, "it belongs", "they belong"),
		       r->skips[i].account, plural(r->skips[i].count, "it", "them"));
	for (size_t i = 0; i < r->failure_count; i++)
		printf("  failed %s  %s  %s\n", r->failures[i].id, r->failures[i].code,
		       r->failures[i].message);
}

static int push(cli *c, mamori_store *store, findings_opts *o)
{
	if (!o->securityhub)
		return cli_usage_error(c, "findings push needs a destination: --securityhub");
	mamori_findings fs;
	const mamori_finding **items;
	int st = load(c, store, o, true, &fs, &items);
	if (st)
		return cli_fail(c, st);
	FILE *bodies = NULL;
	if (o->output && !(bodies = cli_open_output(c, o->output))) {
		free(items);
		mamori_findings_free(&fs);
		return EXIT_USAGE;
	}
	mamori_securityhub_options so = {.dry_run = o->dry_run, .bodies = bodies};
	mamori_securityhub_result r;
	st = mamori_securityhub_push(c->ctx, &o->aws.opts, &so, items, fs.count, &r);
	int rc = EXIT_OK;
	if (st) {
		rc = cli_fail(c, st);
	} else {
		push_report(&r, o->dry_run);
		size_t lost = r.failed + r.unsent + r.skipped;
		if (r.error)
			fprintf(stderr, "mamori: findings push: Security Hub refused a request: %s\n",
				r.error);
		if (lost) {
			fprintf(stderr, "mamori: findings push: %zu of %zu findings were not "
					"imported\n",
				lost, fs.count);
			rc = EXIT_USAGE;
		}
	}
	if (bodies && cli_close_output(c, bodies, o->output) && rc == EXIT_OK)
		rc = EXIT_INTERNAL;
	mamori_securityhub_result_free(&r);
	free(items);
	mamori_findings_free(&fs);
	return rc;
}

static void show_text(const mamori_finding *f, const mamori_history *h)
{
	printf("%s\n  %s\n\n", f->title, f->id);
	printf("  Severity      %s (%d)\n", mamori_severity_name(f->severity),
	       f->severity_normalized);
	printf("  Rule          %s (%s, %s)\n", f->generator_id, f->module,
	       f->pillar ? f->pillar : "-");
	for (size_t i = 0; i < f->resource_count; i++)
		printf("  Resource      %s (%s, %s)\n", f->resources[i].id, f->resources[i].type,
		       f->resources[i].region ? f->resources[i].region : "-");
	printf("  Account       %s  region %s\n", f->aws_account_id, f->region);
	if (f->compliance)
		printf("  Compliance    %s\n", mamori_compliance_name(f->compliance));
	for (size_t i = 0; i < f->related_requirements.count; i++)
		printf("  Requirement   %s\n", f->related_requirements.items[i]);
	printf("  Workflow      %s   record %s\n", mamori_workflow_name(f->workflow),
	       mamori_record_state_name(f->record_state));
	printf("  First seen    %s\n  Last seen     %s\n", f->first_observed_at,
	       f->last_observed_at);
	if (f->location.path)
		printf("  Location      %s:%u\n", f->location.path, f->location.line);
	if (f->rule_author)
		printf("  Rule author   %s%s%s%s\n", f->rule_author, f->rule_license ? " (" : "",
		       f->rule_license ? f->rule_license : "", f->rule_license ? ")" : "");
	printf("\n%s\n", f->description);
	if (f->remediation_text || f->remediation_url)
		printf("\nRemediation: %s%s%s\n", f->remediation_text ? f->remediation_text : "",
		       f->remediation_url ? "\n  " : "", f->remediation_url ? f->remediation_url : "");
	if (f->evidence_json)
		printf("\nEvidence: %s\n", f->evidence_json);
	if (h && h->count) {
		printf("\nHistory:\n");
		for (size_t i = 0; i < h->count; i++) {
			const mamori_history_entry *e = &h->items[i];
			printf("  %s  %-11s %s%s%s  by %s", e->at, e->event, e->from ? e->from : "",
			       e->from ? " -> " : "", e->to ? e->to : "", e->actor);
			if (e->reason)
				printf("  \"%s\"", e->reason);
			if (e->scan_id)
				printf("  (scan %lld)", (long long)e->scan_id);
			putchar('\n');
		}
	}
}

static int show(cli *c, mamori_store *store, findings_opts *o, int argc, char **argv)
{
	if (optind >= argc)
		return cli_usage_error(c, "findings show needs a finding id");
	mamori_findings fs;
	mamori_history h;
	mamori_findings_init(&fs);
	mamori_history_init(&h);
	int rc = EXIT_OK;
	for (int i = optind; i < argc && rc == EXIT_OK; i++) {
		int st = mamori_store_get(c->ctx, store, argv[i], &fs, &h);
		if (st) {
			rc = cli_fail(c, st);
			break;
		}
		if (o->format == MAMORI_FORMAT_TABLE) {
			show_text(&fs.items[fs.count - 1], &h);
		} else {
			const mamori_finding *one = &fs.items[fs.count - 1];
			mamori_report rep = {.items = &one, .count = 1, .title = "mamori finding",
					     .lang = o->lang};
			st = cli_write_report(c, (mamori_format)o->format, &rep, o->output);
			if (st)
				rc = cli_fail(c, st);
		}
		mamori_history_free(&h);
		mamori_history_init(&h);
	}
	mamori_history_free(&h);
	mamori_findings_free(&fs);
	return rc;
}

static int workflow(cli *c, mamori_store *store, findings_opts *o, int argc, char **argv,
		    mamori_workflow to)
{
	if (optind >= argc)
		return cli_usage_error(c, "findings %s needs one or more finding ids", c->command);
	if (!o->reason || !*o->reason)
		return cli_usage_error(c, "a workflow change needs --reason TEXT (it is kept in "
					  "the finding's history)");
	for (int i = optind; i < argc; i++) {
		int st = mamori_store_set_workflow(c->ctx, store, argv[i], to, o->reason);
		if (st)
			return cli_fail(c, st);
		printf("%s: %s\n", argv[i], mamori_workflow_name(to));
	}
	return EXIT_OK;
}

int cmd_findings(cli *c, int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
			return cli_help(c, "findings", stdout);
		return cli_usage_error(c, "findings needs a subcommand: list, show, export, "
					  "push, suppress, resolve or reopen");
	}
	const char *sub = argv[1];
	static const char *const subs[] = {"list",     "show",	  "export", "push",
					   "suppress", "resolve", "reopen"};
	bool known = false;
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		known |= !strcmp(sub, subs[i]);
	if (!known)
		return cli_usage_error(c, "unknown findings subcommand \"%s\"", sub);
	findings_opts o = {.filter = MAMORI_FILTER_INIT, .format = MAMORI_FORMAT_TABLE,
			   .fail_on = -1, .lang = cli_lang_default()};
	cli_aws_init(&o.aws, argc);
	if (!strcmp(sub, "export"))
		o.format = MAMORI_FORMAT_ASFF;
	int p = parse(c, sub, argc - 1, argv + 1, &o);
	if (p) {
		cli_aws_free(&o.aws);
		return p < 0 ? EXIT_USAGE : EXIT_OK;
	}
	/* getopt ran over argv + 1: shift optind back to argv's numbering */
	int first_arg = optind + 1;
	cli_progress_install(c);
	mamori_store *store = NULL;
	int st = cli_open_store(c, &store);
	if (st) {
		cli_aws_free(&o.aws);
		return cli_fail(c, st);
	}
	int rc;
	optind = first_arg;
	if (!strcmp(sub, "list") || !strcmp(sub, "export")) {
		if (first_arg < argc)
			rc = cli_usage_error(c, "findings %s takes filters, not arguments", sub);
		else
			rc = list_or_export(c, store, &o, !strcmp(sub, "export"));
	} else if (!strcmp(sub, "push")) {
		rc = first_arg < argc ? cli_usage_error(c, "findings push takes filters, not "
							   "arguments")
				      : push(c, store, &o);
	} else if (!strcmp(sub, "show")) {
		rc = show(c, store, &o, argc, argv);
	} else {
		mamori_workflow to = !strcmp(sub, "suppress")  ? MAMORI_WORKFLOW_SUPPRESSED
				     : !strcmp(sub, "resolve") ? MAMORI_WORKFLOW_RESOLVED
							       : MAMORI_WORKFLOW_NEW;
		rc = workflow(c, store, &o, argc, argv, to);
	}
	mamori_store_close(store);
	cli_aws_free(&o.aws);
	return rc;
}
