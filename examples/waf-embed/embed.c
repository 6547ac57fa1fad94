/*
 * embed.c — libmamori's WAF engine inside your own server.
 *
 * Compile a WebACL once (here: mamori's default one, or a file given on the
 * command line), make one evaluator per thread, and ask it about each
 * request before handling it.  Build against an installed libmamori:
 *
 *   cc -o embed embed.c $(pkg-config --cflags --libs mamori)   # or:
 *   cc -o embed embed.c -I../../include -L../../build -lmamori
 *
 *   ./embed [webacl.json]
 */
#include <mamori/mamori.h>
#include <mamori/waf.h>

#include <stdio.h>
#include <string.h>

static int load(mamori_ctx *ctx, const char *path, mamori_waf_acl **acl)
{
	if (!path)
		return mamori_waf_acl_default(ctx, NULL, acl);
	mamori_buf json = MAMORI_BUF_INIT;
	int st = mamori_buf_read_file(ctx, &json, path, 0);
	if (st == MAMORI_OK)
		st = mamori_waf_acl_compile(ctx, path, json.data, json.len, NULL, acl);
	mamori_buf_free(&json);
	return st;
}

int main(int argc, char **argv)
{
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_waf_acl *acl = NULL;
	if (load(ctx, argc > 1 ? argv[1] : NULL, &acl) != MAMORI_OK) {
		fprintf(stderr, "%s\n", mamori_error_last(ctx)->message);
		mamori_ctx_free(ctx);
		return 2;
	}
	mamori_waf_eval *ev = mamori_waf_eval_new(acl); /* one per thread */

	/* what your server parsed: lengths are explicit, nothing is copied */
	static const char ua[] = "Mozilla/5.0", host[] = "shop.example";
	mamori_waf_header headers[] = {
		{"Host", 4, host, sizeof host - 1},
		{"User-Agent", 10, ua, sizeof ua - 1},
	};
	const char *uris[] = {"/products?id=42", "/products?id=42%27%20OR%20%271%27=%271--"};
	for (int i = 0; i < 2; i++) {
		mamori_waf_request rq = {
			.client_ip = "198.51.100.7",
			.method = "GET",
			.uri = uris[i],
			.headers = headers,
			.header_count = 2,
		};
		mamori_waf_result res;
		mamori_waf_evaluate(ev, &rq, &res);
		printf("%-45s -> %s", uris[i], mamori_waf_action_name(res.action));
		if (res.action != MAMORI_WAF_ALLOW)
			printf(" (HTTP %d, rule %s%s%s)", res.status,
			       res.terminating_group ? res.terminating_group : "",
			       res.terminating_group ? "/" : "", res.terminating_rule);
		printf("\n");
		/* the AWS WAF log record, for your log pipeline */
		mamori_buf log = MAMORI_BUF_INIT;
		mamori_waf_log_record(acl, &rq, &res, NULL, &log);
		fprintf(stderr, "%s\n", log.data);
		mamori_buf_free(&log);
	}
	/* the detectors alone */
	const char *why;
	if (mamori_waf_xss("<img src=x onerror=alert(1)>", 28, &why, NULL, NULL))
		printf("xss detector: %s\n", why);

	mamori_waf_eval_free(ev);
	mamori_waf_acl_free(acl);
	mamori_ctx_free(ctx);
	return 0;
}
