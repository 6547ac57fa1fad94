/*
 * fuzz_hub_request — the hub's request handling (routing, URI and query
 * parsing, cookies, Accept-Language, Host, login and workflow bodies, every
 * API endpoint) on a real SQLite store, as the network would reach it.
 *
 * Input: a first byte choosing the hub (bit 0: token required) and the
 * fields of a request separated by newlines:
 *   METHOD \n URI \n Host \n Cookie \n Content-Type \n Accept-Language \n
 *   X-CSRF-Token \n Authorization \n Origin \n body (the rest)
 */
#include "hub/hub_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static mamori_ctx *ctx;
static mamori_store *store;
static mamori_hub *open_hub, *token_hub;
static char dir[] = "/tmp/mamori-fuzz-hub-XXXXXX";

/* leave no store behind in /tmp */
static void cleanup(void)
{
	static const char *const files[] = {"findings.db", "findings.db-wal", "findings.db-shm",
					    "token"};
	mamori_hub_free(open_hub);
	mamori_hub_free(token_hub);
	mamori_store_close(store);
	mamori_ctx_free(ctx);
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[128];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void seed(void)
{
	mamori_findings fs;
	mamori_findings_init(&fs);
	for (int i = 0; i < 6; i++) {
		mamori_finding *f = mamori_findings_add(&fs);
		f->module = "fuzz";
		f->pillar = "posture";
		f->generator_id = i % 2 ? "rule.a" : "rule.b";
		f->aws_account_id = "111122223333";
		f->region = "us-east-1";
		f->title = "<b>title</b>";
		f->description = "d";
		f->severity = (mamori_severity)(i % 5);
		f->compliance = i % 3 ? MAMORI_COMPLIANCE_FAILED : MAMORI_COMPLIANCE_PASSED;
		mamori_finding_add_type(&fs, f, "Software and Configuration Checks/Fuzz");
		mamori_finding_add_requirement(&fs, f, "Fuzz Standard/1.1");
		mamori_finding_add_resource(&fs, f, "AwsS3Bucket",
					    mamori_findings_printf(&fs, "arn:aws:s3:::b%d", i));
		mamori_finding_finalize(ctx, &fs, f);
	}
	const char *mods[] = {"fuzz"};
	mamori_scan_record rec = {"fuzz:/", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", mods, 1,
				  NULL, 0, "host", "fuzzer"};
	mamori_scan_stats st;
	mamori_store_record_scan(ctx, store, &rec, &fs, &st);
	mamori_findings_free(&fs);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	char db[128], token[128];
	snprintf(db, sizeof db, "%s/findings.db", dir);
	snprintf(token, sizeof token, "%s/token", dir);
	ctx = mamori_ctx_new();
	mamori_ctx_set_log(ctx, MAMORI_LOG_ERROR, NULL, NULL);
	if (mamori_store_open(ctx, db, &store))
		abort();
	seed();
	char *t = NULL;
	mamori_hub_options open_o = {0}, token_o = {.require_token = true, .token_file = token};
	if (mamori_hub_new(ctx, store, &open_o, &open_hub, &t))
		abort();
	free(t);
	if (mamori_hub_new(ctx, store, &token_o, &token_hub, &t))
		abort();
	free(t);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 65536)
		return 0;
	mamori_hub *h = data[0] & 1 ? token_hub : open_hub;
	char *copy = malloc(size);
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	/* the header fields end at newlines; the body is the rest, NULs and all */
	const char *field[9] = {0};
	char *p = copy, *end = copy + size - 1;
	for (int i = 0; i < 9 && p <= end; i++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		field[i] = p;
		if (!nl) {
			p = end + 1;
			break;
		}
		*nl = '\0';
		p = nl + 1;
	}
	const char *body = p <= end ? p : NULL;
	hub_request rq = {
		.method = field[0] ? field[0] : "GET",
		.uri = field[1] ? field[1] : "/",
		.host = field[2] && *field[2] ? field[2] : "127.0.0.1:8080",
		.cookie = field[3],
		.content_type = field[4],
		.accept_language = field[5],
		.csrf = field[6],
		.authorization = field[7],
		.origin = field[8] && *field[8] ? field[8] : NULL,
		.body = body,
		.body_len = body ? (size_t)(end - body) : 0,
		.remote = "fuzzer",
	};
	hub_response rs;
	hub_response_init(&rs);
	hub_handle(h, &rq, &rs);
	if (rs.status < 200 || rs.status > 599 || !rs.content_type)
		abort();
	hub_response_free(&rs);
	free(copy);
	return 0;
}
