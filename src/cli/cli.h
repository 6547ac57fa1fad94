/*
 * cli.h — what the `mamori` commands share.
 *
 * The CLI is thin, like curl over libcurl: it parses options, sets up the
 * library context (log level, colours, progress bar, clock), calls
 * libmamori and turns the result into output and an exit code:
 *   0 ok, 1 findings at or above --fail-on, 2 usage or input error,
 *   3 internal error.
 */
#ifndef MAMORI_CLI_H
#define MAMORI_CLI_H

#include "mamori/mamori.h"

#include <getopt.h>
#include <stdio.h>

enum {
	EXIT_OK = 0,
	EXIT_FINDINGS = 1,
	EXIT_USAGE = 2,
	EXIT_INTERNAL = 3,
};

/* Long-only option ids shared by every command. */
enum {
	OPT_DB = 1000,
	OPT_LOG_LEVEL,
	OPT_NO_COLOR,
	OPT_COLOR,
	OPT_LOCK_TIMEOUT,
	OPT_ACTOR,
	OPT_FIRST_COMMAND_OPTION, /* commands number their own options from here */
};

#define CLI_COMMON_LONG_OPTIONS                                                   \
	{"db", required_argument, NULL, OPT_DB},                                  \
		{"log-level", required_argument, NULL, OPT_LOG_LEVEL},            \
		{"no-color", no_argument, NULL, OPT_NO_COLOR},                    \
		{"color", required_argument, NULL, OPT_COLOR},                    \
		{"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},      \
		{"actor", required_argument, NULL, OPT_ACTOR},                    \
		{"quiet", no_argument, NULL, 'q'}, {"verbose", no_argument, NULL, 'v'}, \
		{"help", no_argument, NULL, 'h'}
#define CLI_COMMON_SHORT_OPTIONS "qvh"

typedef struct cli_progress cli_progress;

typedef struct cli {
	mamori_ctx *ctx;
	const char *argv0;
	const char *command;
	char *db;	   /* store location (malloc'd) */
	bool db_is_default;
	int lock_timeout_ms;
	int log_level;
	bool color_out;	   /* colours on stdout */
	bool color_forced; /* --color always: even when not a terminal */
	bool color_err;	   /* colours on stderr */
	bool stdout_tty;
	unsigned width;	   /* stdout terminal width, 0 if not a terminal */
	cli_progress *progress;
} cli;

/* Handle an option every command accepts; returns 1 if handled, -1 on error. */
int cli_common_option(cli *c, int opt, const char *arg);

/* Print the ctx error (message + excerpt) and return the exit code for it. */
int cli_fail(cli *c, int status);
/* Print a usage error and return EXIT_USAGE. */
int cli_usage_error(cli *c, const char *fmt, ...) MAMORI_PRINTF(2, 3);

/* Open the store chosen by --db (or the default, creating its directory). */
int cli_open_store(cli *c, mamori_store **out);

/* Open -o FILE for writing ("-" or NULL = stdout). */
FILE *cli_open_output(cli *c, const char *path);
int cli_close_output(cli *c, FILE *f, const char *path);

/* Write findings as format to path (NULL = stdout). */
int cli_write_report(cli *c, mamori_format format, mamori_report *r, const char *path);

/* Print the help page of a command ("mamori" for the overview). */
int cli_help(cli *c, const char *command, FILE *out);

/* Parse a severity for --fail-on / --severity ("none" gives -1 through *out). */
int cli_parse_severity(cli *c, const char *arg, int *out, bool allow_none);

/* The report language: --lang en|ja (cli_parse_lang), else $MAMORI_LANG, else
 * English (NULL). */
const char *cli_lang_default(void);
int cli_parse_lang(cli *c, const char *arg, const char **out);

/* Terminal and progress (cli_term.c). */
void cli_term_setup(cli *c, int color_mode);
void cli_progress_install(cli *c);
void cli_progress_uninstall(cli *c);

/* Commands. */
int cmd_scan(cli *c, int argc, char **argv);
int cmd_guard(cli *c, int argc, char **argv);
int cmd_findings(cli *c, int argc, char **argv);
int cmd_detect(cli *c, int argc, char **argv);
int cmd_collect(cli *c, int argc, char **argv);
int cmd_vuln(cli *c, int argc, char **argv);
int cmd_sbom(cli *c, int argc, char **argv);
int cmd_serve(cli *c, int argc, char **argv);
int cmd_waf(cli *c, int argc, char **argv);

#endif
