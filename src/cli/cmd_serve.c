/*
 * cmd_serve.c — `mamori serve`: the dashboard and API over the store, until
 * SIGTERM or SIGINT.
 *
 * The signals are blocked before the server's thread starts (it inherits the
 * mask) and taken here with sigwait(): no handler, no global flag, and a
 * graceful stop — requests in flight finish, then the store is closed.
 */
#include "cli.h"
#include "mamori/hub.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

enum {
	OPT_BIND = OPT_FIRST_COMMAND_OPTION,
	OPT_PORT,
	OPT_REQUIRE_TOKEN,
	OPT_TOKEN_FILE,
	OPT_NEW_TOKEN,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_LANG,
	OPT_ALLOW_HOST,
	OPT_QUERY_TIMEOUT,
};

int cmd_serve(cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_COMMON_LONG_OPTIONS,
		{"bind", required_argument, NULL, OPT_BIND},
		{"port", required_argument, NULL, OPT_PORT},
		{"require-token", no_argument, NULL, OPT_REQUIRE_TOKEN},
		{"token-file", required_argument, NULL, OPT_TOKEN_FILE},
		{"new-token", no_argument, NULL, OPT_NEW_TOKEN},
		{"tls-cert", required_argument, NULL, OPT_TLS_CERT},
		{"tls-key", required_argument, NULL, OPT_TLS_KEY},
		{"lang", required_argument, NULL, OPT_LANG},
		{"allow-host", required_argument, NULL, OPT_ALLOW_HOST},
		{"query-timeout", required_argument, NULL, OPT_QUERY_TIMEOUT},
		{NULL, 0, NULL, 0},
	};
	mamori_hub_options o = {.port = 8080};
	double query_timeout = 10;
	const char **hosts = calloc((size_t)argc + 1, sizeof *hosts);
	int opt;
	optind = 1;
	while ((opt = getopt_long(argc, argv, CLI_COMMON_SHORT_OPTIONS, opts, NULL)) != -1) {
		int common = cli_common_option(c, opt, optarg);
		if (common < 0) {
			free(hosts);
			return EXIT_USAGE;
		}
		if (common)
			continue;
		char *end;
		switch (opt) {
		case 'h':
			free(hosts);
			return cli_help(c, "serve", stdout);
		case OPT_BIND:
			o.bind = optarg;
			break;
		case OPT_PORT: {
			long p = strtol(optarg, &end, 10);
			if (*end || p < 0 || p > 65535) {
				free(hosts);
				return cli_usage_error(c, "--port: \"%s\" is not a port (0-65535)",
						       optarg);
			}
			o.port = (unsigned)p;
			break;
		}
		case OPT_REQUIRE_TOKEN:
			o.require_token = true;
			break;
		case OPT_TOKEN_FILE:
			o.token_file = optarg;
			break;
		case OPT_NEW_TOKEN:
			o.new_token = true;
			break;
		case OPT_TLS_CERT:
			o.tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			o.tls_key = optarg;
			break;
		case OPT_LANG:
			if (cli_parse_lang(c, optarg, &o.lang)) {
				free(hosts);
				return EXIT_USAGE;
			}
			break;
		case OPT_ALLOW_HOST:
			hosts[o.allowed_host_count++] = optarg;
			break;
		case OPT_QUERY_TIMEOUT:
			query_timeout = strtod(optarg, &end);
			if (*end || query_timeout < 0 || query_timeout > 3600) {
				free(hosts);
				return cli_usage_error(c, "--query-timeout: \"%s\" is not a number of "
							  "seconds (0 for none)",
						       optarg);
			}
			break;
		default:
			free(hosts);
			return cli_usage_error(c, "unknown option");
		}
	}
	o.allowed_hosts = hosts;
	if (optind < argc) {
		free(hosts);
		return cli_usage_error(c, "serve takes options only");
	}
	if (!o.lang)
		o.lang = cli_lang_default();
	cli_progress_install(c); /* the log sink and level */
	mamori_store *store = NULL;
	int st = cli_open_store(c, &store);
	if (st) {
		free(hosts);
		return cli_fail(c, st);
	}
	/* one unselective search must not hold up everyone else */
	mamori_store_set_query_timeout(store, (int)(query_timeout * 1000));
	mamori_hub *hub = NULL;
	char *token = NULL;
	st = mamori_hub_new(c->ctx, store, &o, &hub, &token);
	if (st) {
		mamori_store_close(store);
		free(hosts);
		return cli_fail(c, st);
	}
	/* block the signals before the server thread exists, so that only sigwait sees them */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	st = mamori_hub_start(hub);
	if (st) {
		free(token);
		mamori_hub_free(hub);
		mamori_store_close(store);
		free(hosts);
		return cli_fail(c, st);
	}
	if (token) {
		printf("mamori: access token (shown once; only its digest is stored): %s\n", token);
		free(token);
	}
	printf("mamori: serving %s on %s (store %s); stop with Ctrl-C or SIGTERM\n",
	       mamori_hub_url(hub), o.bind ? o.bind : "127.0.0.1", c->db);
	fflush(stdout);
	int sig = 0;
	sigwait(&set, &sig);
	const char *signame = sig == SIGINT ? "SIGINT" : sig == SIGHUP ? "SIGHUP" : "SIGTERM";
	fprintf(stderr, "mamori: %s received, stopping\n", signame);
	mamori_hub_free(hub); /* waits for requests in flight */
	mamori_store_close(store);
	free(hosts);
	fprintf(stderr, "mamori: stopped\n");
	return EXIT_OK;
}
