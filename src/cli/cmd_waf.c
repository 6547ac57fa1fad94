/*
 * cmd_waf.c — `mamori waf eval|proxy`: the protection pillar's commands.
 *
 *   eval   replay requests (JSON Lines, HAR, ALB, CloudFront, AWS WAF logs)
 *          through a WebACL: one AWS WAF log record per request, in input
 *          order, a summary by rule and a false-positive report for tuning;
 *   proxy  an HTTP/1.1 reverse proxy that enforces the WebACL.
 *
 * Without -w, the default WebACL (all of mamori's managed rule groups,
 * blocking) is used.
 */
#include "cli.h"
#include "mamori/waf.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
	OPT_INPUT_FORMAT = OPT_FIRST_COMMAND_OPTION,
	OPT_SUMMARY,
	OPT_SUMMARY_JSON,
	OPT_FP_REPORT,
	OPT_GEO_DB,
	OPT_ASN_DB,
	OPT_BODY_LIMIT,
	OPT_CHALLENGE,
	OPT_ACCOUNT,
	OPT_TIMING,
	OPT_NO_RECORDS,
	OPT_LISTEN,
	OPT_UPSTREAM,
	OPT_BLOCK_PAGE,
	OPT_LOG,
	OPT_THREADS,
	OPT_MAX_HEADER,
	OPT_MAX_BODY,
	OPT_TIMEOUT,
	OPT_REPEAT,
};

typedef struct eval_state {
	cli *c;
	mamori_waf_eval *ev;
	const mamori_waf_acl *acl;
	mamori_waf_stats *stats;
	FILE *out;
	mamori_buf line;
	size_t bad;
	double cpu;
	int repeat;
} eval_state;

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A JSON string literal for an input's id/label/class. */
static void quote(mamori_buf *b, const char *s)
{
	mamori_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			mamori_buf_printf(b, "\\%c", ch);
		else if (ch < 0x20)
			mamori_buf_printf(b, "\\u%04x", ch);
		else
			mamori_buf_putc(b, (char)ch);
	}
	mamori_buf_putc(b, '"');
}

static int on_record(void *ud, const mamori_waf_record *rec)
{
	eval_state *st = ud;
	if (!rec) {
		st->bad++;
		if (st->bad <= 20) {
			const mamori_error *e = mamori_error_last(st->c->ctx);
			fprintf(stderr, "mamori: warning: %s\n", e->message ? e->message : "bad record");
			if (e->excerpt)
				fprintf(stderr, "%s\n", e->excerpt);
		}
		return 0;
	}
	mamori_waf_result res;
	double t0 = cpu_now();
	for (int i = 0; i < st->repeat; i++)
		mamori_waf_evaluate(st->ev, &rec->request, &res);
	st->cpu += cpu_now() - t0;
	mamori_waf_stats_add(st->stats, rec, &res);
	if (st->out) {
		mamori_buf extra = MAMORI_BUF_INIT;
		mamori_buf_puts(&extra, "{\"id\":");
		quote(&extra, rec->id);
		if (rec->label) {
			mamori_buf_puts(&extra, ",\"label\":");
			quote(&extra, rec->label);
		}
		if (rec->cls) {
			mamori_buf_puts(&extra, ",\"class\":");
			quote(&extra, rec->cls);
		}
		mamori_buf_putc(&extra, '}');
		mamori_buf_reset(&st->line);
		mamori_waf_log_record(st->acl, &rec->request, &res, extra.data, &st->line);
		mamori_buf_putc(&st->line, '\n');
		fwrite(st->line.data, 1, st->line.len, st->out);
		mamori_buf_free(&extra);
	}
	return 0;
}

static int write_text(cli *c, const char *path, const mamori_buf *b)
{
	FILE *f = cli_open_output(c, path);
	if (!f)
		return EXIT_USAGE;
	fwrite(b->data ? b->data : "", 1, b->len, f);
	if (b->len && b->data[b->len - 1] != '\n')
		fputc('\n', f);
	return cli_close_output(c, f, path) ? EXIT_INTERNAL : EXIT_OK;
}

/* Options shared by eval and proxy that shape the WebACL. */
typedef struct acl_opts {
	const char *webacl;
	mamori_waf_options o;
} acl_opts;

static int acl_option(cli *c, int opt, const char *arg, acl_opts *a)
{
	switch (opt) {
	case 'w':
		a->webacl = arg;
		return 1;
	case OPT_GEO_DB:
		a->o.geo_db_path = arg;
		return 1;
	case OPT_ASN_DB:
		a->o.asn_db_path = arg;
		return 1;
	case OPT_ACCOUNT:
		a->o.account_id = arg;
		return 1;
	case OPT_BODY_LIMIT: {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || v <= 0) {
			cli_usage_error(c, "--body-limit: \"%s\" is not a positive number of bytes", arg);
			return -1;
		}
		a->o.body_limit = (size_t)v;
		return 1;
	}
	case OPT_CHALLENGE:
		if (!strcmp(arg, "token"))
			a->o.challenge = MAMORI_WAF_CHALLENGE_TOKEN;
		else if (!strcmp(arg, "fail"))
			a->o.challenge = MAMORI_WAF_CHALLENGE_FAIL;
		else if (!strcmp(arg, "pass"))
			a->o.challenge = MAMORI_WAF_CHALLENGE_PASS;
		else {
			cli_usage_error(c, "--challenge: \"%s\" is not one of token, fail, pass", arg);
			return -1;
		}
		return 1;
	default:
		return 0;
	}
}

static int load_acl(cli *c, const acl_opts *a, mamori_waf_acl **acl)
{
	if (!a->webacl)
		return mamori_waf_acl_default(c->ctx, &a->o, acl);
	mamori_buf b = MAMORI_BUF_INIT;
	int st = mamori_buf_read_file(c->ctx, &b, a->webacl, 64u << 20);
	if (!st)
		st = mamori_waf_acl_compile(c->ctx, a->webacl, b.data ? b.data : "", b.len, &a->o, acl);
	mamori_buf_free(&b);
	return st;
}

#define ACL_LONG_OPTIONS                                                             \
	{"webacl", required_argument, NULL, 'w'}, {"geo-db", required_argument, NULL, OPT_GEO_DB}, \
		{"asn-db", required_argument, NULL, OPT_ASN_DB},                          \
		{"account", required_argument, NULL, OPT_ACCOUNT},                        \
		{"body-limit", required_argument, NULL, OPT_BODY_LIMIT},                  \
		{"challenge", required_argument, NULL, OPT_CHALLENGE}

static int waf_eval(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		ACL_LONG_OPTIONS,
		{"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
		{"output", required_argument, NULL, 'o'},
		{"summary", required_argument, NULL, OPT_SUMMARY},
		{"summary-json", required_argument, NULL, OPT_SUMMARY_JSON},
		{"fp-report", required_argument, NULL, OPT_FP_REPORT},
		{"timing", no_argument, NULL, OPT_TIMING},
		{"no-records", no_argument, NULL, OPT_NO_RECORDS},
		{"repeat", required_argument, NULL, OPT_REPEAT},
		{NULL, 0, NULL, 0},
	};
	acl_opts a = {0};
	const char *output = NULL, *summary = NULL, *summary_json = NULL, *fp = NULL;
	int format = MAMORI_WAF_INPUT_AUTO, repeat = 1;
	bool timing = false, records = true;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "w:o:", opts, NULL)) != -1) {
		int r = cli_common_option(c, opt, optarg);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		r = acl_option(c, opt, optarg, &a);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		switch (opt) {
		case 'h':
			return cli_help(c, "waf", stdout);
		case 'o':
			output = optarg;
			break;
		case OPT_INPUT_FORMAT:
			format = mamori_waf_input_format_parse(optarg);
			if (format < 0)
				return cli_usage_error(c, "--input-format: \"%s\" is not one of auto, jsonl, "
							  "har, alb, cloudfront, waflog", optarg);
			break;
		case OPT_SUMMARY:
			summary = optarg;
			break;
		case OPT_SUMMARY_JSON:
			summary_json = optarg;
			break;
		case OPT_FP_REPORT:
			fp = optarg;
			break;
		case OPT_TIMING:
			timing = true;
			break;
		case OPT_NO_RECORDS:
			records = false;
			break;
		case OPT_REPEAT:
			repeat = atoi(optarg);
			if (repeat < 1 || repeat > 1000)
				return cli_usage_error(c, "--repeat: 1 to 1000");
			break;
		default:
			return cli_usage_error(c, "unknown option");
		}
	}
	if (optind >= argc)
		return cli_usage_error(c, "waf eval needs at least one INPUT file (\"-\" for standard input)");
	mamori_waf_acl *acl = NULL;
	int st = load_acl(c, &a, &acl);
	if (st)
		return cli_fail(c, st);
	eval_state es = {.c = c, .acl = acl, .repeat = repeat};
	es.ev = mamori_waf_eval_new(acl);
	es.stats = mamori_waf_stats_new();
	int rc = EXIT_OK;
	if (records) {
		es.out = cli_open_output(c, output);
		if (!es.out) {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	for (int i = optind; i < argc && rc == EXIT_OK; i++) {
		mamori_buf in = MAMORI_BUF_INIT;
		st = mamori_buf_read_file(c->ctx, &in, argv[i], 0);
		if (st) {
			rc = cli_fail(c, st);
			mamori_buf_free(&in);
			break;
		}
		mamori_waf_read_requests(c->ctx, argv[i], in.data ? in.data : "", in.len,
					 (mamori_waf_input_format)format, on_record, &es);
		mamori_buf_free(&in);
	}
	if (es.out && cli_close_output(c, es.out, output))
		rc = EXIT_INTERNAL;
	if (rc == EXIT_OK) {
		mamori_buf b = MAMORI_BUF_INIT;
		if (summary_json) {
			mamori_waf_stats_summary_json(es.stats, &b);
			rc = write_text(c, summary_json, &b);
			mamori_buf_reset(&b);
		}
		if (!summary || strcmp(summary, "none") != 0) {
			mamori_waf_stats_summary_text(es.stats, &b);
			if (summary) {
				rc = write_text(c, summary, &b);
			} else if (c->log_level >= MAMORI_LOG_WARN) {
				fputs(b.data ? b.data : "", stderr);
			}
			mamori_buf_reset(&b);
		}
		if (fp) {
			mamori_waf_stats_fp_json(es.stats, &b);
			rc = write_text(c, fp, &b);
		}
		mamori_buf_free(&b);
	}
	if (timing) {
		/* a cheap copy of the summary's request count */
		mamori_buf b = MAMORI_BUF_INIT;
		mamori_waf_stats_summary_json(es.stats, &b);
		const char *p = strstr(b.data, "\"requests\":");
		double n = p ? atof(p + 11) * repeat : 0;
		fprintf(stderr, "timing: %.0f evaluations in %.3f CPU s: %.0f requests per CPU-second\n", n,
			es.cpu, es.cpu > 0 ? n / es.cpu : 0);
		mamori_buf_free(&b);
	}
	if (es.bad) {
		fprintf(stderr, "mamori: %zu record(s) could not be read\n", es.bad);
		if (rc == EXIT_OK)
			rc = EXIT_USAGE;
	}
out:
	mamori_buf_free(&es.line);
	mamori_waf_stats_free(es.stats);
	mamori_waf_eval_free(es.ev);
	mamori_waf_acl_free(acl);
	return rc;
}

int waf_proxy_command(cli *c, int argc, char **argv);

int cmd_waf(cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		return cli_help(c, "waf", argc < 2 ? stderr : stdout) || argc < 2 ? (argc < 2 ? EXIT_USAGE : EXIT_OK) : EXIT_OK;
	if (!strcmp(argv[1], "eval"))
		return waf_eval(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "proxy"))
		return waf_proxy_command(c, argc - 1, argv + 1);
	return cli_usage_error(c, "waf: unknown subcommand \"%s\" (eval, proxy)", argv[1]);
}

static int positive(cli *c, const char *opt, const char *arg, long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || v <= 0)
		return cli_usage_error(c, "%s: \"%s\" is not a positive number", opt, arg);
	*out = v;
	return 0;
}

int waf_proxy_command(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		ACL_LONG_OPTIONS,
		{"listen", required_argument, NULL, OPT_LISTEN},
		{"upstream", required_argument, NULL, OPT_UPSTREAM},
		{"block-page", required_argument, NULL, OPT_BLOCK_PAGE},
		{"log", required_argument, NULL, OPT_LOG},
		{"threads", required_argument, NULL, OPT_THREADS},
		{"max-header", required_argument, NULL, OPT_MAX_HEADER},
		{"max-body", required_argument, NULL, OPT_MAX_BODY},
		{"timeout", required_argument, NULL, OPT_TIMEOUT},
		{NULL, 0, NULL, 0},
	};
	acl_opts a = {0};
	mamori_waf_proxy_options po = {0};
	int opt;
	long v = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "w:", opts, NULL)) != -1) {
		int r = cli_common_option(c, opt, optarg);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		r = acl_option(c, opt, optarg, &a);
		if (r < 0)
			return EXIT_USAGE;
		if (r)
			continue;
		switch (opt) {
		case 'h':
			return cli_help(c, "waf", stdout);
		case OPT_LISTEN:
			po.listen = optarg;
			break;
		case OPT_UPSTREAM:
			po.upstream = optarg;
			break;
		case OPT_BLOCK_PAGE:
			po.block_page = optarg;
			break;
		case OPT_LOG:
			po.log_path = optarg;
			break;
		case OPT_THREADS:
			if (positive(c, "--threads", optarg, &v))
				return EXIT_USAGE;
			po.threads = (int)v;
			break;
		case OPT_MAX_HEADER:
			if (positive(c, "--max-header", optarg, &v))
				return EXIT_USAGE;
			po.max_header = (size_t)v;
			break;
		case OPT_MAX_BODY:
			if (positive(c, "--max-body", optarg, &v))
				return EXIT_USAGE;
			po.max_body = (size_t)v;
			break;
		case OPT_TIMEOUT:
			if (positive(c, "--timeout", optarg, &v))
				return EXIT_USAGE;
			po.header_timeout_ms = (int)v;
			break;
		default:
			return cli_usage_error(c, "unknown option");
		}
	}
	if (!po.upstream)
		return cli_usage_error(c, "waf proxy needs --upstream http://HOST:PORT");
	if (optind < argc)
		return cli_usage_error(c, "waf proxy takes no arguments");
	po.webacl_path = a.webacl;
	po.waf = a.o;
	/* signals are taken synchronously by this thread; workers never see them */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	mamori_waf_proxy *p = NULL;
	int st = mamori_waf_proxy_new(c->ctx, &po, &p);
	if (!st)
		st = mamori_waf_proxy_start(p);
	if (st) {
		mamori_waf_proxy_free(p);
		return cli_fail(c, st);
	}
	fprintf(stderr, "mamori: waf proxy listening on %s, upstream %s\n", mamori_waf_proxy_address(p),
		po.upstream);
	for (;;) {
		int sig = 0;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			if (mamori_waf_proxy_reload(p) != MAMORI_OK) {
				const mamori_error *e = mamori_error_last(c->ctx);
				fprintf(stderr, "mamori: reload failed, keeping the running WebACL: %s\n",
					e->message ? e->message : "?");
			} else {
				fprintf(stderr, "mamori: WebACL reloaded\n");
			}
			continue;
		}
		break;
	}
	fprintf(stderr, "mamori: waf proxy stopping\n");
	mamori_waf_proxy_stop(p);
	mamori_waf_proxy_free(p);
	return EXIT_OK;
}
