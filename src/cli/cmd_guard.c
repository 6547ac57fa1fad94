/*
 * cmd_guard.c — `mamori guard validate|test|parse-tree`: the AWS
 * CloudFormation Guard engine (src/guard/) on the command line, with
 * cfn-guard's options and output formats, plus `tsv` for differential
 * testing and `-j N` for threads.
 */
#include "cli.h"

#include "../guard/guard.h"
#include "../guard/parse.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
	OPT_SUMMARY = OPT_FIRST_COMMAND_OPTION,
	OPT_TYPE,
	OPT_PARAMS,
	OPT_STRUCTURED,
	OPT_OUT_FILE,
	OPT_JSON,
};

enum { OPT_END = -1, OPT_STOP = -2 };

/* The next option of a guard subcommand, after the ones every command
 * shares and -h; OPT_STOP with *rc set when the command should return.
 * `own` lists short options the subcommand takes before the shared ones
 * (guard test's -v means --verbose, not the log level). */
static int next_option(cli *c, int argc, char **argv, const char *shortopts,
		       const struct option *opts, const char *own, int *rc)
{
	int opt;
	while ((opt = getopt_long(argc, argv, shortopts, opts, NULL)) != -1) {
		if (own && opt > 0 && strchr(own, opt))
			return opt;
		int common = cli_common_option(c, opt, optarg);
		if (common < 0) {
			*rc = EXIT_USAGE;
			return OPT_STOP;
		}
		if (common)
			continue;
		if (opt == 'h') {
			*rc = cli_help(c, "guard", stdout);
			return OPT_STOP;
		}
		return opt;
	}
	return OPT_END;
}

static int parse_show(const char *arg, unsigned *show)
{
	*show = 0;
	char *copy = mamori_xstrdup(arg);
	int rc = 0;
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		if (strcmp(tok, "all") == 0)
			*show |= MG_SHOW_ALL;
		else if (strcmp(tok, "pass") == 0)
			*show |= MG_SHOW_PASS;
		else if (strcmp(tok, "fail") == 0)
			*show |= MG_SHOW_FAIL;
		else if (strcmp(tok, "skip") == 0)
			*show |= MG_SHOW_SKIP;
		else if (strcmp(tok, "none") == 0)
			*show = 0;
		else
			rc = -1;
	}
	free(copy);
	return rc;
}

typedef struct stream {
	const mamori_guard_rules *rs;
	FILE *out;
	bool tsv;
	unsigned show;
	bool failed;
	int wrc;
} stream;

/* errors on stderr too: once per data file, or per (file, rules) pair */
static void note_errors(const mamori_guard_rules *rs, const mamori_guard_pair *pairs, size_t n,
			bool *failed)
{
	for (size_t i = 0; i < n; i++) {
		const mamori_guard_pair *p = &pairs[i];
		if (p->error && rs->files[p->rules] &&
		    (i == 0 || pairs[i - 1].input != p->input ||
		     strcmp(pairs[i - 1].error ? pairs[i - 1].error : "", p->error) != 0))
			fprintf(stderr, "mamori: error: %s: %s\n", p->data_name, p->error);
		if (!p->error && p->overall == MG_FAIL)
			*failed = true;
	}
}

static void emit(void *ud, const mamori_guard_pair *pairs, size_t n)
{
	stream *s = ud;
	int rc = s->tsv ? mamori_guard_write_tsv_pairs(s->rs, pairs, n, s->out)
			: mamori_guard_write_summary_pairs(s->rs, pairs, n, s->show, s->out);
	if (rc)
		s->wrc = rc;
	note_errors(s->rs, pairs, n, &s->failed);
}

static int read_all(cli *c, const char *path, mamori_buf *b)
{
	return mamori_buf_read_file(c->ctx, b, path, 0);
}

static int cmd_validate(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"rules", required_argument, NULL, 'r'},
		{"data", required_argument, NULL, 'd'},
		{"input-params", required_argument, NULL, 'i'},
		{"output-format", required_argument, NULL, 'o'},
		{"show-summary", required_argument, NULL, 'S'},
		{"structured", no_argument, NULL, 'z'},
		{"jobs", required_argument, NULL, 'j'},
		{"type", required_argument, NULL, 't'},
		{"output", required_argument, NULL, OPT_OUT_FILE},
		{"alphabetical", no_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	mamori_guard_rules rs;
	mamori_guard_rules_init(&rs);
	mamori_guard_inputs in = {0};
	const char *format = "single-line-summary", *outfile = NULL;
	unsigned show = MG_SHOW_FAIL;
	bool show_set = false;
	int jobs = 1;
	mamori_buf params = MAMORI_BUF_INIT;
	const char *params_name = NULL;
	const char **rules_args = calloc((size_t)argc + 1, sizeof *rules_args);
	const char **data_args = calloc((size_t)argc + 1, sizeof *data_args);
	size_t nr = 0, nd = 0;
	int opt, rc = EXIT_OK;
	optind = 1;
	while ((opt = next_option(c, argc, argv, CLI_COMMON_SHORT_OPTIONS "r:d:i:o:S:zj:t:a", opts,
				  NULL, &rc)) != OPT_END) {
		switch (opt) {
		case OPT_STOP:
			goto out;
		case 'r':
			rules_args[nr++] = optarg;
			break;
		case 'd':
			data_args[nd++] = optarg;
			break;
		case 'i':
			if (params.len) {
				rc = cli_usage_error(c, "give one --input-params file");
				goto out;
			}
			if (read_all(c, optarg, &params)) {
				rc = cli_fail(c, MAMORI_EINPUT);
				goto out;
			}
			params_name = optarg;
			break;
		case 'o':
			format = optarg;
			break;
		case 'z':
			if (strcmp(format, "single-line-summary") == 0)
				format = "json";
			show = 0;
			show_set = true;
			break;
		case 'S':
			if (parse_show(optarg, &show)) {
				rc = cli_usage_error(c,
						     "--show-summary: \"%s\" is not a list of all, pass, "
						     "fail, skip, none",
						     optarg);
				goto out;
			}
			show_set = true;
			break;
		case 'j':
			jobs = atoi(optarg);
			if (jobs < 1 || jobs > 256) {
				rc = cli_usage_error(c, "--jobs: \"%s\" is not a number of threads (1-256)",
						     optarg);
				goto out;
			}
			break;
		case 't':
		case 'a':
			break; /* accepted for cfn-guard compatibility: files are always sorted */
		case OPT_OUT_FILE:
			outfile = optarg;
			break;
		default:
			rc = cli_usage_error(c, "unknown option (see mamori help guard)");
			goto out;
		}
	}
	if (optind < argc)
		for (int i = optind; i < argc; i++)
			data_args[nd++] = argv[i];
	if (!nr || !nd) {
		rc = cli_usage_error(c, "guard validate needs --rules and --data");
		goto out;
	}
	static const char *const formats[] = {"single-line-summary", "json", "yaml", "sarif",
					      "junit", "tsv", NULL};
	bool known = false;
	for (int i = 0; formats[i]; i++)
		known |= strcmp(formats[i], format) == 0;
	if (!known) {
		rc = cli_usage_error(c,
				     "--output-format: \"%s\" is not one of single-line-summary, json, "
				     "yaml, sarif, junit, tsv",
				     format);
		goto out;
	}
	(void)show_set;
	/* a rules file that does not parse is reported and the others still run */
	int bad_rules = 0;
	for (size_t i = 0; i < nr; i++) {
		size_t before = rs.count;
		if (mamori_guard_rules_add_path(c->ctx, &rs, rules_args[i])) {
			bad_rules++;
			if (rs.count == before) {
				rc = cli_fail(c, MAMORI_EINPUT);
				goto out;
			}
		}
	}
	for (size_t i = 0; i < rs.count; i++)
		if (!rs.files[i])
			fprintf(stderr, "mamori: error: %s\n", rs.errors[i]);
	for (size_t i = 0; i < nd; i++)
		if (mamori_guard_inputs_add_path(c->ctx, &in, data_args[i])) {
			rc = cli_fail(c, MAMORI_EINPUT);
			goto out;
		}
	cli_progress_install(c);
	bool tsv = strcmp(format, "tsv") == 0;
	/* tsv and the summary stream file by file; the structured formats are one document */
	bool streaming = tsv || strcmp(format, "single-line-summary") == 0;
	FILE *fp = cli_open_output(c, outfile);
	if (!fp) {
		rc = EXIT_USAGE;
		goto out;
	}
	stream sd = {.rs = &rs, .out = fp, .tsv = tsv, .show = show};
	mamori_guard_options o = {
		.threads = jobs,
		.evidence = !tsv,
		.params = params.len ? params.data : NULL,
		.params_len = params.len,
		.params_name = params_name,
		.emit = streaming ? emit : NULL,
		.emit_ud = &sd,
	};
	mamori_guard_report rep;
	int st = mamori_guard_evaluate(c->ctx, &rs, &in, &o, &rep);
	if (st) {
		cli_close_output(c, fp, outfile);
		rc = cli_fail(c, st);
		goto out;
	}
	int wrc = sd.wrc;
	if (!streaming) {
		if (strcmp(format, "json") == 0 || strcmp(format, "yaml") == 0)
			wrc = mamori_guard_write_structured(&rs, &rep, format[0] == 'y', fp);
		else if (strcmp(format, "sarif") == 0)
			wrc = mamori_guard_write_sarif(&rs, &rep, fp);
		else
			wrc = mamori_guard_write_junit(&rs, &rep, fp);
		note_errors(&rs, rep.pairs, rep.count, &sd.failed);
	}
	if (cli_close_output(c, fp, outfile) || wrc)
		rc = EXIT_INTERNAL;
	if (rc == EXIT_OK) {
		if (rep.data_errors || rep.eval_errors || bad_rules)
			rc = EXIT_USAGE;
		else if (sd.failed)
			rc = EXIT_FINDINGS;
	}
	mamori_guard_report_free(&rep);
out:
	mamori_buf_free(&params);
	free(rules_args);
	free(data_args);
	mamori_guard_inputs_free(&in);
	mamori_guard_rules_free(&rs);
	return rc;
}

/* Run one test file; text reports are printed at once, structured ones
 * collected for the end. */
static int run_test_file(cli *c, const mamori_guard_rules *rs, size_t i, const char *path,
			 bool verbose, const char *format, mamori_guard_test_file ***files,
			 size_t *nfiles, size_t *failed)
{
	mamori_guard_test_file *tf = NULL;
	if (mamori_guard_run_test_file(c->ctx, rs, i, path, verbose, &tf))
		return cli_fail(c, MAMORI_EINPUT);
	*failed += mamori_guard_test_failures(tf);
	if (!format) {
		mamori_guard_write_test_text(tf, stdout);
		mamori_guard_test_file_free(tf);
		return EXIT_OK;
	}
	*files = mamori_xrealloc(*files, (*nfiles + 1) * sizeof **files);
	(*files)[(*nfiles)++] = tf;
	return EXIT_OK;
}

static int cmd_test(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"rules-file", required_argument, NULL, 'r'},
		{"rules", required_argument, NULL, 'r'},
		{"test-data", required_argument, NULL, 't'},
		{"dir", required_argument, NULL, 'd'},
		{"output-format", required_argument, NULL, 'o'},
		{"alphabetical", no_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	const char *rules = NULL, *tests = NULL, *dir = NULL, *format = NULL;
	bool verbose = false;
	int opt;
	optind = 1;
	int rc = EXIT_OK;
	while ((opt = next_option(c, argc, argv, CLI_COMMON_SHORT_OPTIONS "r:t:d:o:a", opts, "v",
				  &rc)) != OPT_END) {
		switch (opt) {
		case OPT_STOP:
			return rc;
		case 'v':
			verbose = true;
			break;
		case 'r':
			rules = optarg;
			break;
		case 't':
			tests = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'o':
			format = optarg;
			break;
		case 'a': /* files are always taken in sorted order */
			break;
		default:
			return cli_usage_error(c, "unknown option (see mamori help guard)");
		}
	}
	if (!dir && (!rules || !tests))
		return cli_usage_error(c, "guard test needs --rules-file and --test-data, or --dir");
	if (format && strcmp(format, "single-line-summary") == 0)
		format = NULL;
	if (format && strcmp(format, "json") != 0 && strcmp(format, "yaml") != 0 &&
	    strcmp(format, "junit") != 0)
		return cli_usage_error(c, "guard test: -o is single-line-summary, json, yaml or junit");
	mamori_guard_rules rs;
	mamori_guard_rules_init(&rs);
	size_t failed = 0, nfiles = 0;
	mamori_guard_test_file **files = NULL;
	if (dir) {
		/* cfn-guard's layout: DIR/x.guard with DIR/tests/x_tests.yaml (or .json) */
		if (mamori_guard_rules_add_path(c->ctx, &rs, dir)) {
			mamori_guard_rules_free(&rs);
			return cli_fail(c, MAMORI_EINPUT);
		}
		for (size_t i = 0; i < rs.count; i++) {
			const char *name = rs.names[i];
			const char *slash = strrchr(name, '/');
			char *stem = mamori_xstrdup(slash ? slash + 1 : name);
			char *dot = strrchr(stem, '.');
			if (dot)
				*dot = '\0';
			static const char *const suffixes[] = {"_tests.yaml", "_tests.json", "_tests.yml",
							       ".yaml", ".json", NULL};
			for (int k = 0; suffixes[k]; k++) {
				mamori_buf p = MAMORI_BUF_INIT;
				mamori_buf_printf(&p, "%s/tests/%s%s", dir, stem, suffixes[k]);
				if (access(p.data, R_OK) == 0) {
					if (!format)
						printf("Testing Guard File %s\n", name);
					int r = run_test_file(c, &rs, i, p.data, verbose, format,
							      &files, &nfiles, &failed);
					if (r)
						rc = r;
					mamori_buf_free(&p);
					break;
				}
				mamori_buf_free(&p);
			}
			free(stem);
		}
	} else {
		if (mamori_guard_rules_add_path(c->ctx, &rs, rules)) {
			mamori_guard_rules_free(&rs);
			return cli_fail(c, MAMORI_EINPUT);
		}
		rc = run_test_file(c, &rs, 0, tests, verbose, format, &files, &nfiles, &failed);
	}
	if (format)
		mamori_guard_write_tests_structured(files, nfiles, dir != NULL, format, stdout);
	for (size_t i = 0; i < nfiles; i++)
		mamori_guard_test_file_free(files[i]);
	free(files);
	mamori_guard_rules_free(&rs);
	if (rc == EXIT_OK && failed)
		rc = EXIT_FINDINGS;
	return rc;
}

static int cmd_parse_tree(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"rules", required_argument, NULL, 'r'},
		{"output", required_argument, NULL, OPT_OUT_FILE},
		{"print-json", no_argument, NULL, OPT_JSON},
		{"print-yaml", no_argument, NULL, 'y'},
		{NULL, 0, NULL, 0},
	};
	const char *rules = NULL, *outfile = NULL;
	bool json = false;
	int opt;
	optind = 1;
	int rc = EXIT_OK;
	while ((opt = next_option(c, argc, argv, CLI_COMMON_SHORT_OPTIONS "r:jy", opts, NULL, &rc)) !=
	       OPT_END) {
		switch (opt) {
		case OPT_STOP:
			return rc;
		case 'r':
			rules = optarg;
			break;
		case OPT_OUT_FILE:
			outfile = optarg;
			break;
		case OPT_JSON:
		case 'j':
			json = true;
			break;
		case 'y':
			json = false;
			break;
		default:
			return cli_usage_error(c, "unknown option (see mamori help guard)");
		}
	}
	if (!rules && optind < argc)
		rules = argv[optind];
	if (!rules)
		return cli_usage_error(c, "guard parse-tree needs --rules FILE");
	mamori_guard_rules rs;
	mamori_guard_rules_init(&rs);
	if (mamori_guard_rules_add_path(c->ctx, &rs, rules)) {
		mamori_guard_rules_free(&rs);
		return cli_fail(c, MAMORI_EINPUT);
	}
	FILE *fp = cli_open_output(c, outfile);
	if (!fp)
		rc = EXIT_USAGE;
	else {
		for (size_t i = 0; i < rs.count; i++)
			mamori_guard_write_parse_tree(rs.files[i], json, fp);
		if (cli_close_output(c, fp, outfile))
			rc = EXIT_INTERNAL;
	}
	mamori_guard_rules_free(&rs);
	return rc;
}

int cmd_guard(cli *c, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0)
		return cli_help(c, "guard", stdout);
	if (strcmp(argv[1], "validate") == 0)
		return cmd_validate(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "test") == 0)
		return cmd_test(c, argc - 1, argv + 1);
	if (strcmp(argv[1], "parse-tree") == 0)
		return cmd_parse_tree(c, argc - 1, argv + 1);
	return cli_usage_error(c, "guard: unknown subcommand \"%s\" (validate, test, parse-tree)",
			       argv[1]);
}
