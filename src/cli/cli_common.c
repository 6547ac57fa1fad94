/*
 * cli_common.c — options, errors, the store and output files, shared by
 * every command.
 */
#include "cli.h"
#include "cli_docs.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int cli_common_option(cli *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_DB:
		free(c->db);
		c->db = strdup(arg);
		c->db_is_default = false;
		return 1;
	case OPT_LOG_LEVEL: {
		int l = mamori_log_level_parse(arg);
		if (l < 0) {
			cli_usage_error(c, "--log-level: \"%s\" is not error, warn, info, debug or "
					   "trace",
					arg);
			return -1;
		}
		c->log_level = l;
		return 1;
	}
	case 'q':
		c->log_level = MAMORI_LOG_ERROR;
		return 1;
	case 'v':
		c->log_level = c->log_level < MAMORI_LOG_INFO ? MAMORI_LOG_INFO : c->log_level + 1;
		if (c->log_level > MAMORI_LOG_TRACE)
			c->log_level = MAMORI_LOG_TRACE;
		return 1;
	case OPT_NO_COLOR:
		cli_term_setup(c, 0);
		return 1;
	case OPT_COLOR:
		if (!strcmp(arg, "never"))
			cli_term_setup(c, 0);
		else if (!strcmp(arg, "always"))
			cli_term_setup(c, 1);
		else if (!strcmp(arg, "auto"))
			cli_term_setup(c, -1);
		else {
			cli_usage_error(c, "--color: use auto, always or never");
			return -1;
		}
		return 1;
	case OPT_LOCK_TIMEOUT: {
		char *end;
		double s = strtod(arg, &end);
		if (*end || s < 0 || s > 86400) {
			cli_usage_error(c, "--lock-timeout: \"%s\" is not a number of seconds", arg);
			return -1;
		}
		c->lock_timeout_ms = (int)(s * 1000);
		return 1;
	}
	case OPT_ACTOR:
		mamori_ctx_set_actor(c->ctx, arg);
		return 1;
	default:
		return 0;
	}
}

static void print_error_line(cli *c, const char *msg)
{
	if (c->color_err)
		fprintf(stderr, "mamori: \033[1;31merror:\033[0m %s\n", msg);
	else
		fprintf(stderr, "mamori: error: %s\n", msg);
}

int cli_fail(cli *c, int status)
{
	const mamori_error *e = mamori_error_last(c->ctx);
	print_error_line(c, e->code ? e->message : mamori_status_name(status));
	if (e->code && e->excerpt)
		fprintf(stderr, "%s\n", e->excerpt);
	switch (status) {
	case MAMORI_ENOSPC:
	case MAMORI_ENOMEM:
	case MAMORI_EINTERNAL:
		return EXIT_INTERNAL;
	default:
		return EXIT_USAGE;
	}
}

int cli_usage_error(cli *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	print_error_line(c, msg);
	if (c->command)
		fprintf(stderr, "(mamori help %s shows the options)\n", c->command);
	return EXIT_USAGE;
}

static int mkdir_parents(const char *path)
{
	char *p = strdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

int cli_open_store(cli *c, mamori_store **out)
{
	if (!c->db) {
		const char *env = getenv("MAMORI_DB");
		c->db = env && *env ? strdup(env) : mamori_store_default_path();
		c->db_is_default = !(env && *env);
	}
	if (c->db_is_default && mkdir_parents(c->db) != 0) {
		mamori_error_set(c->ctx, MAMORI_ESTORE,
				 "%s: cannot create the store's directory: %s; choose a store with "
				 "--db PATH",
				 c->db, strerror(errno));
		return MAMORI_ESTORE;
	}
	int rc = mamori_store_open(c->ctx, c->db, out);
	if (rc == MAMORI_OK)
		mamori_store_set_lock_timeout(*out, c->lock_timeout_ms);
	return rc;
}

FILE *cli_open_output(cli *c, const char *path)
{
	if (!path || !strcmp(path, "-"))
		return stdout;
	FILE *f = fopen(path, "w");
	if (!f)
		mamori_error_set(c->ctx, MAMORI_EINPUT, "%s: cannot write: %s", path,
				 strerror(errno));
	return f;
}

int cli_close_output(cli *c, FILE *f, const char *path)
{
	if (f == stdout)
		return fflush(stdout) == 0 ? MAMORI_OK
					   : mamori_error_set(c->ctx, MAMORI_EINPUT,
							      "cannot write to standard output: %s",
							      strerror(errno));
	if (fclose(f) != 0)
		return mamori_error_set(c->ctx, errno == ENOSPC ? MAMORI_ENOSPC : MAMORI_EINPUT,
					"%s: cannot write: %s", path, strerror(errno));
	return MAMORI_OK;
}

int cli_write_report(cli *c, mamori_format format, mamori_report *r, const char *path)
{
	FILE *f = cli_open_output(c, path);
	if (!f)
		return MAMORI_EINPUT;
	bool to_terminal = f == stdout && c->stdout_tty;
	r->color = c->color_out && (to_terminal || (f == stdout && c->color_forced));
	r->width = to_terminal ? c->width : 0;
	int rc = mamori_output_write(c->ctx, format, r, f);
	int crc = cli_close_output(c, f, path);
	if (rc == MAMORI_OK)
		rc = crc;
	if (rc == MAMORI_OK && f != stdout)
		mamori_log(c->ctx, MAMORI_LOG_INFO, "wrote %s", path);
	return rc;
}

int cli_help(cli *c, const char *command, FILE *out)
{
	(void)c;
	char name[128];
	if (!strcmp(command, "mamori"))
		snprintf(name, sizeof name, "docs/cli/mamori.md");
	else
		snprintf(name, sizeof name, "docs/cli/mamori-%s.md", command);
	const mamori_embedded_file *doc = cli_doc(name);
	if (!doc) {
		fprintf(stderr, "mamori: error: no help for \"%s\" (try mamori help)\n", command);
		return EXIT_USAGE;
	}
	fwrite(doc->data, 1, doc->len, out);
	return EXIT_OK;
}

int cli_parse_severity(cli *c, const char *arg, int *out, bool allow_none)
{
	if (allow_none && !strcasecmp(arg, "none")) {
		*out = -1;
		return 0;
	}
	int s = mamori_severity_parse(arg);
	if (s < 0) {
		cli_usage_error(c, "\"%s\" is not a severity (critical, high, medium, low, "
				   "informational%s)",
				arg, allow_none ? " or none" : "");
		return -1;
	}
	*out = s;
	return 0;
}

const char *cli_lang_default(void)
{
	const char *env = getenv("MAMORI_LANG");
	return env && (!strcmp(env, "ja") || !strcmp(env, "en")) ? env : NULL;
}

int cli_parse_lang(cli *c, const char *arg, const char **out)
{
	if (strcmp(arg, "en") && strcmp(arg, "ja")) {
		cli_usage_error(c, "--lang: \"%s\" is not a language of mamori's reports (en, ja)", arg);
		return -1;
	}
	*out = arg;
	return 0;
}
