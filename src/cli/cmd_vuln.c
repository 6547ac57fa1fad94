/*
 * cmd_vuln.c — `mamori vuln scan|compare|db`: the vulnerabilities pillar
 * from the command line.
 *
 *   scan [--root DIR | --image TAR | PATH]   the vuln module on one target,
 *                                            through mamori_scan_run, so
 *                                            formats, the store, --fail-on
 *                                            and exit codes are `mamori
 *                                            scan`'s
 *   compare ECOSYSTEM A B | --batch          version order, -1/0/1
 *   db import PATH... | update | status      the local advisory database
 */
#include "../vuln/collect.h"
#include "../vuln/vdb.h"
#include "../vuln/version.h"
#include "cli.h"

#include <dirent.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_OSV_BASE "https://osv-vulnerabilities.storage.googleapis.com"
#define DEFAULT_ECOSYSTEMS "Debian,Alpine,npm,PyPI,Go,crates.io,Maven,RubyGems,Packagist"

enum {
	OPT_FAIL_ON = OPT_FIRST_COMMAND_OPTION,
	OPT_ROOT,
	OPT_IMAGE,
	OPT_NO_STORE,
	OPT_VULN_DB,
	OPT_BATCH,
	OPT_SOURCE,
	OPT_URL,
	OPT_ECOSYSTEM,
	OPT_KEV,
	OPT_EPSS,
	OPT_ALL,
	OPT_HTML,
};

/* ---- compare ---- */

static int compare(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"batch", no_argument, NULL, OPT_BATCH},
		{NULL, 0, NULL, 0},
	};
	bool batch = false;
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
		int common = cli_common_option(c, opt, optarg);
		if (common < 0)
			return EXIT_USAGE;
		if (common)
			continue;
		if (opt == 'h')
			return cli_help(c, "vuln", stdout);
		if (opt == OPT_BATCH)
			batch = true;
		else
			return cli_usage_error(c, "unknown option");
	}
	if (!batch) {
		if (argc - optind != 3)
			return cli_usage_error(c, "usage: mamori vuln compare ECOSYSTEM A B");
		vuln_scheme s = mamori_vuln_scheme_parse(argv[optind]);
		if (!s)
			return cli_usage_error(c, "\"%s\" is not a known ecosystem (dpkg, rpm, apk, "
						  "semver, go, pep440, maven, rubygems, composer, or "
						  "an OSV ecosystem name)",
					       argv[optind]);
		int r;
		const char *why;
		int rc = mamori_vuln_vercmp(s, argv[optind + 1], argv[optind + 2], &r, &why);
		if (rc) {
			fprintf(stderr, "mamori: error: \"%s\" is not a valid %s version: %s\n",
				argv[optind + (rc == -1 ? 1 : 2)], mamori_vuln_scheme_name(s), why);
			return EXIT_USAGE;
		}
		printf("%d\n", r);
		return EXIT_OK;
	}
	/* ECOSYSTEM<TAB>A<TAB>B per line -> the line plus a fourth column */
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	int rc = EXIT_OK;
	while ((n = getline(&line, &cap, stdin)) != -1) {
		lineno++;
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		char *eco = line, *a = strchr(eco, '\t');
		char *b = a ? strchr(a + 1, '\t') : NULL;
		if (!a || !b) {
			fprintf(stderr, "mamori: error: stdin:%u: expected ECOSYSTEM<TAB>A<TAB>B\n",
				lineno);
			printf("%s\terror\n", line);
			rc = EXIT_USAGE;
			continue;
		}
		*a++ = '\0';
		*b++ = '\0';
		char *extra = strchr(b, '\t');
		if (extra)
			*extra = '\0'; /* a fourth column (an expected result) is ignored */
		vuln_scheme s = mamori_vuln_scheme_parse(eco);
		int r;
		const char *why = "unknown ecosystem";
		int vr = s ? mamori_vuln_vercmp(s, a, b, &r, &why) : -3;
		if (vr) {
			fprintf(stderr, "mamori: error: stdin:%u: %s\n", lineno, why);
			printf("%s\t%s\t%s\tinvalid\n", eco, a, b);
			rc = EXIT_USAGE;
		} else {
			printf("%s\t%s\t%s\t%d\n", eco, a, b, r);
		}
	}
	free(line);
	return rc;
}

/* ---- db ---- */

static void print_problem(void *ud, const char *msg)
{
	cli *c = ud;
	(void)c;
	fprintf(stderr, "mamori: warning: %s\n", msg);
}

static char *vuln_db_path(const char *opt)
{
	return opt ? mamori_xstrdup(opt) : mamori_vuln_db_default_path();
}

static int db_status(cli *c, const char *path)
{
	vuln_db *db;
	int rc = mamori_vuln_db_open(c->ctx, path, VULN_DB_READONLY, &db);
	if (rc)
		return cli_fail(c, rc);
	vuln_db_status s;
	mamori_vuln_db_status(c->ctx, db, &s);
	printf("database      %s\n", path);
	printf("advisories    %lld (%lld withdrawn)\n", (long long)s.advisories,
	       (long long)s.withdrawn);
	printf("affected      %lld entries for %lld packages\n", (long long)s.affected,
	       (long long)s.packages);
	printf("KEV           %lld CVEs\nEPSS          %lld scores\n", (long long)s.kev,
	       (long long)s.epss);
	printf("newest        %s (advisory modified)\n", s.newest_modified ? s.newest_modified : "-");
	if (s.imported) {
		double days = difftime(mamori_ctx_now(c->ctx), s.imported) / 86400;
		printf("updated       %s (%.1f days ago)%s\n", s.imported_at, days,
		       days > 7 ? " STALE: run `mamori vuln db update`" : "");
	} else {
		printf("updated       never\n");
	}
	printf("\n%-16s %-26s %10s  %s\n", "SOURCE", "IMPORTED", "ADVISORIES", "FROM");
	for (size_t i = 0; i < s.source_count; i++)
		printf("%-16s %-26s %10lld  %s\n", s.sources[i].name,
		       s.sources[i].imported_at ? s.sources[i].imported_at : "-",
		       (long long)s.sources[i].advisories, s.sources[i].url ? s.sources[i].url : "-");
	printf("\n%-24s %10s\n", "ECOSYSTEM", "ADVISORIES");
	for (size_t i = 0; i < s.ecosystem_count; i++)
		printf("%-24s %10lld\n", s.ecosystems[i].ecosystem, (long long)s.ecosystems[i].count);
	mamori_vuln_db_status_free(&s);
	mamori_vuln_db_close(db);
	return EXIT_OK;
}

static void print_stats(const char *what, const vuln_import_stats *st)
{
	fprintf(stderr,
		"mamori: %s: %zu files, %zu advisories stored (%zu unchanged, %zu withdrawn), %zu "
		"affected entries, %zu GIT ranges recorded (not matched), %zu KEV, %zu EPSS, %zu "
		"problems\n",
		what, st->files, st->advisories, st->unchanged, st->withdrawn, st->affected,
		st->git_ranges, st->kev, st->epss, st->problems);
}

static int db(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"vuln-db", required_argument, NULL, OPT_VULN_DB},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"url", required_argument, NULL, OPT_URL},
		{"ecosystem", required_argument, NULL, OPT_ECOSYSTEM},
		{"kev", required_argument, NULL, OPT_KEV},
		{"epss", required_argument, NULL, OPT_EPSS},
		{NULL, 0, NULL, 0},
	};
	if (argc < 2)
		return cli_usage_error(c, "usage: mamori vuln db import|update|status");
	const char *sub = argv[1];
	const char *dbopt = NULL, *source = NULL, *url = NULL, *kev = NULL, *epss = NULL;
	const char **ecos = calloc((size_t)argc + 1, sizeof *ecos);
	size_t neco = 0;
	int opt;
	optind = 2;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
		int common = cli_common_option(c, opt, optarg);
		if (common < 0) {
			free(ecos);
			return EXIT_USAGE;
		}
		if (common)
			continue;
		switch (opt) {
		case 'h':
			free(ecos);
			return cli_help(c, "vuln", stdout);
		case OPT_VULN_DB:
			dbopt = optarg;
			break;
		case OPT_SOURCE:
			source = optarg;
			break;
		case OPT_URL:
			url = optarg;
			break;
		case OPT_ECOSYSTEM:
			ecos[neco++] = optarg;
			break;
		case OPT_KEV:
			kev = optarg;
			break;
		case OPT_EPSS:
			epss = optarg;
			break;
		default:
			free(ecos);
			return cli_usage_error(c, "unknown option");
		}
	}
	mamori_ctx_set_log(c->ctx, (mamori_log_level)c->log_level, NULL, NULL);
	char *path = vuln_db_path(dbopt);
	int rc = EXIT_OK;
	if (!strcmp(sub, "status")) {
		rc = db_status(c, path);
	} else if (!strcmp(sub, "import")) {
		if (optind >= argc) {
			rc = cli_usage_error(c, "usage: mamori vuln db import PATH...");
		} else {
			vuln_db *db;
			int st = mamori_vuln_db_open(c->ctx, path, VULN_DB_CREATE, &db);
			for (int i = optind; !st && i < argc; i++) {
				vuln_import_stats s;
				const char *src = source;
				if (!src) {
					const char *b = strrchr(argv[i], '/');
					src = b && b[1] ? b + 1 : argv[i];
				}
				st = mamori_vuln_db_import(c->ctx, db, argv[i], src, &s, print_problem, c);
				if (!st)
					print_stats(argv[i], &s);
				if (!st && s.problems)
					rc = EXIT_USAGE;
			}
			mamori_vuln_db_close(db);
			if (st)
				rc = cli_fail(c, st);
		}
	} else if (!strcmp(sub, "update")) {
		const char *base = url ? url : getenv("MAMORI_OSV_URL");
		if (!base || !*base)
			base = DEFAULT_OSV_BASE;
		char *list = NULL;
		if (!neco) {
			const char *env = getenv("MAMORI_VULN_ECOSYSTEMS");
			list = mamori_xstrdup(env && *env ? env : DEFAULT_ECOSYSTEMS);
			for (char *s = strtok(list, ","); s; s = strtok(NULL, ","))
				ecos[neco++] = s;
		}
		vuln_import_stats s;
		int st = mamori_vuln_db_update(c->ctx, path, base, ecos, neco, kev, epss, &s,
					       print_problem, c);
		if (st) {
			rc = cli_fail(c, st);
		} else {
			print_stats("update", &s);
			fprintf(stderr, "mamori: %s updated from %s\n", path, base);
		}
		free(list);
	} else {
		rc = cli_usage_error(c, "unknown db command \"%s\" (import, update, status)", sub);
	}
	free(path);
	free(ecos);
	return rc;
}

/* ---- scan ---- */

static int scan(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"html", required_argument, NULL, OPT_HTML},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"root", required_argument, NULL, OPT_ROOT},
		{"image", required_argument, NULL, OPT_IMAGE},
		{"no-store", no_argument, NULL, OPT_NO_STORE},
		{"vuln-db", required_argument, NULL, OPT_VULN_DB},
		{"all", no_argument, NULL, OPT_ALL},
		{NULL, 0, NULL, 0},
	};
	int format = MAMORI_FORMAT_TABLE, fail_on = -1, opt;
	const char *output = NULL, *root = NULL, *image = NULL, *html = NULL;
	bool no_store = false, all = false;
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS "f:o:", opts, NULL)) != -1) {
		int common = cli_common_option(c, opt, optarg);
		if (common < 0)
			return EXIT_USAGE;
		if (common)
			continue;
		switch (opt) {
		case 'h':
			return cli_help(c, "vuln", stdout);
		case 'f':
			format = mamori_format_parse(optarg);
			if (format < 0)
				return cli_usage_error(c, "--format: \"%s\" is not one of %s", optarg,
						       mamori_format_list());
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_HTML:
			html = optarg;
			break;
		case OPT_FAIL_ON:
			if (cli_parse_severity(c, optarg, &fail_on, true))
				return EXIT_USAGE;
			break;
		case OPT_ROOT:
			root = optarg;
			break;
		case OPT_IMAGE:
			image = optarg;
			break;
		case OPT_NO_STORE:
			no_store = true;
			break;
		case OPT_VULN_DB:
			setenv("MAMORI_VULN_DB", optarg, 1);
			break;
		case OPT_ALL:
			all = true;
			break;
		default:
			return cli_usage_error(c, "unknown option");
		}
	}
	int given = (root != NULL) + (image != NULL) + (optind < argc);
	if (given != 1 || argc - optind > 1)
		return cli_usage_error(c, "usage: mamori vuln scan [--root DIR | --image TAR | PATH]");
	cli_progress_install(c);
	mamori_registry *reg = mamori_registry_new();
	mamori_registry_add_builtin(reg);
	mamori_store *store = NULL;
	mamori_target *target = NULL;
	mamori_scan_result res;
	mamori_scan_result_init(&res);
	int rc = EXIT_OK;
	int st = no_store ? MAMORI_OK : cli_open_store(c, &store);
	if (!st)
		st = root ? mamori_vuln_root_target(c->ctx, root, &target)
			  : mamori_target_open(c->ctx, image ? image : argv[optind], &target);
	static const char *const mods[] = {"vuln"};
	mamori_scan_options so = {mods, 1};
	if (!st)
		st = mamori_scan_run(c->ctx, reg, store, target, &so, &res);
	if (st) {
		rc = cli_fail(c, st);
		goto out;
	}
	const mamori_finding **items = calloc(res.findings.count + 1, sizeof *items);
	size_t n = 0;
	bool failing = false;
	for (size_t i = 0; i < res.findings.count; i++) {
		const mamori_finding *f = &res.findings.items[i];
		if (all || mamori_finding_is_open(f))
			items[n++] = f;
		if (fail_on >= 0 && mamori_finding_is_open(f) && (int)f->severity >= fail_on)
			failing = true;
	}
	char title[4200];
	snprintf(title, sizeof title, "mamori vuln scan of %s",
		 root ? root : image ? image : argv[optind]);
	mamori_report_module mod = {0};
	if (res.module_count)
		mod = (mamori_report_module){res.modules[0].module->name,
					     res.modules[0].module->pillar,
					     res.modules[0].outcome == MAMORI_MODULE_OK ? "ok"
					     : res.modules[0].outcome == MAMORI_MODULE_PROBLEMS
						     ? "problems"
						     : "failed",
					     res.modules[0].findings, res.modules[0].seconds};
	mamori_report rep = {
		.items = items,
		.count = n,
		.title = title,
		.target = res.target,
		.generated_at = res.finished_at,
		.modules = &mod,
		.module_count = res.module_count ? 1 : 0,
		.problems = (const char *const *)res.problems,
		.problem_count = res.problem_count,
	};
	st = cli_write_report(c, (mamori_format)format, &rep, output);
	if (!st && html)
		st = cli_write_report(c, MAMORI_FORMAT_HTML, &rep, html);
	free(items);
	if (st) {
		rc = cli_fail(c, st);
		goto out;
	}
	for (size_t i = 0; i < res.problem_count; i++)
		fprintf(stderr, "mamori: error: %s\n", res.problems[i]);
	if (res.problem_count)
		rc = EXIT_USAGE;
	else if (failing)
		rc = EXIT_FINDINGS;
out:
	mamori_scan_result_free(&res);
	mamori_target_free(target);
	mamori_store_close(store);
	mamori_registry_free(reg);
	return rc;
}

int cmd_vuln(cli *c, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return argc < 2 ? cli_usage_error(c, "usage: mamori vuln scan|compare|db ...")
				: cli_help(c, "vuln", stdout);
	const char *sub = argv[1];
	if (!strcmp(sub, "scan"))
		return scan(c, argc - 1, argv + 1);
	if (!strcmp(sub, "compare"))
		return compare(c, argc - 1, argv + 1);
	if (!strcmp(sub, "db"))
		return db(c, argc - 1, argv + 1);
	return cli_usage_error(c, "unknown vuln command \"%s\" (scan, compare, db)", sub);
}
