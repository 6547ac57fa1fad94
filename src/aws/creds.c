/*
 * creds.c — credentials the way the AWS CLI finds them.
 *
 * Order (botocore's): with --profile the named profile only; otherwise the
 * environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 * then the profile ($AWS_PROFILE or "default"): role_arn with
 * source_profile / credential_source / web_identity_token_file through STS,
 * static keys from the credentials file, credential_process, static keys
 * from the config file; then web identity from the environment
 * (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN), container credentials
 * (ECS AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, EKS Pod Identity
 * AWS_CONTAINER_CREDENTIALS_FULL_URI + authorization token) and finally EC2
 * instance metadata with IMDSv2 session tokens.
 *
 * credential_process runs only what the user's own config file says (the
 * file the CLI would read); nothing that mamori scans is ever executed.
 * Temporary credentials remember how they were made, so the engine can
 * refresh them when they expire mid-scan.  Secrets are wiped on free and
 * never appear in messages (aws_mask).
 */
#include "aws_internal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define MAX_PROFILE_DEPTH 16
#define MAX_FILE (1u << 20)

extern char **environ;

void aws_mask(const char *secret, char out[16])
{
	if (!secret) {
		snprintf(out, 16, "(none)");
		return;
	}
	snprintf(out, 16, "%.4s********", secret);
}

/* ---- the shared files ---- */

static char *expand_home(const char *path)
{
	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
		return mamori_xstrdup(path);
	const char *home = getenv("HOME");
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_printf(&b, "%s%s", home ? home : "", path + 1);
	return mamori_buf_detach(&b);
}

static const aws_ini *load(aws_client *cl, aws_ini *ini, int *rc, mamori_buf *err,
			   const char *env, const char *def)
{
	if (*rc == 1) {
		const char *p = getenv(env);
		char *path = expand_home(p && *p ? p : def);
		mamori_buf buf = MAMORI_BUF_INIT;
		if (access(path, F_OK) != 0) {
			*rc = MAMORI_ENOTFOUND;
		} else if (mamori_buf_read_file(cl->ctx, &buf, path, MAX_FILE) != MAMORI_OK ||
			   aws_ini_parse(cl->ctx, path, buf.data, buf.len, ini) != MAMORI_OK) {
			const mamori_error *e = mamori_error_last(cl->ctx);
			*rc = MAMORI_EINPUT;
			mamori_buf_puts(err, e->message);
			if (e->excerpt) {
				mamori_buf_putc(err, '\n');
				mamori_buf_puts(err, e->excerpt);
			}
		} else {
			*rc = MAMORI_OK;
		}
		if (buf.data) {
			memset(buf.data, 0, buf.len); /* it held secrets */
			mamori_buf_free(&buf);
		}
		free(path);
	}
	return *rc == MAMORI_OK ? ini : NULL;
}

const aws_ini *aws_config_file(aws_client *cl)
{
	return load(cl, &cl->config, &cl->config_rc, &cl->config_err, "AWS_CONFIG_FILE",
		    "~/.aws/config");
}

const aws_ini *aws_credentials_file(aws_client *cl)
{
	return load(cl, &cl->credentials, &cl->credentials_rc, &cl->credentials_err,
		    "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
}

/* The error of a malformed shared file, if any (restored into the ctx). */
static int file_error(aws_client *cl)
{
	aws_config_file(cl);
	aws_credentials_file(cl);
	mamori_buf *e = cl->credentials_rc == MAMORI_EINPUT ? &cl->credentials_err
			: cl->config_rc == MAMORI_EINPUT    ? &cl->config_err
							    : NULL;
	if (!e)
		return MAMORI_OK;
	/* message and excerpt were kept together: split them again */
	const char *nl = strchr(e->data, '\n');
	if (nl)
		mamori_error_set(cl->ctx, MAMORI_EINPUT, "%.*s\n%s", (int)(nl - e->data), e->data,
				 nl + 1);
	else
		mamori_error_set(cl->ctx, MAMORI_EINPUT, "%s", e->data);
	return MAMORI_EINPUT;
}

static const aws_ini_section *config_section(aws_client *cl, const char *profile)
{
	const aws_ini *cfg = aws_config_file(cl);
	if (!cfg)
		return NULL;
	char name[300];
	snprintf(name, sizeof name, "profile %s", profile);
	const aws_ini_section *s = aws_ini_find(cfg, name);
	if (!s && strcmp(profile, "default") == 0)
		s = aws_ini_find(cfg, "default");
	return s;
}

static const aws_ini_section *credentials_section(aws_client *cl, const char *profile)
{
	return aws_ini_find(aws_credentials_file(cl), profile);
}

/* A profile setting: the credentials file wins over the config file. */
static const char *pget(aws_client *cl, const char *profile, const char *key)
{
	const char *v = aws_ini_get(credentials_section(cl, profile), key);
	return v ? v : aws_ini_get(config_section(cl, profile), key);
}

static bool profile_exists(aws_client *cl, const char *profile)
{
	return config_section(cl, profile) || credentials_section(cl, profile);
}

const char *aws_profile_name(aws_client *cl)
{
	if (cl->opts->profile)
		return cl->opts->profile;
	const char *p = getenv("AWS_PROFILE");
	if (p && *p)
		return p;
	p = getenv("AWS_DEFAULT_PROFILE");
	return p && *p ? p : "default";
}

const char *aws_profile_endpoint(aws_client *cl)
{
	const char *ignore = getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	if (ignore && strcasecmp(ignore, "true") == 0)
		return NULL;
	return aws_ini_get(config_section(cl, aws_profile_name(cl)), "endpoint_url");
}

/* ---- identities ---- */

static aws_identity *identity_new(aws_client *cl, aws_cred_kind kind, const char *source)
{
	aws_identity *id = mamori_xcalloc(1, sizeof *id);
	id->kind = kind;
	id->source = mamori_xstrdup(source);
	id->next = cl->identities;
	cl->identities = id;
	return id;
}

static void set_keys(aws_identity *id, const char *ak, const char *sk, const char *token,
		     const char *expiration)
{
	free(id->access_key);
	free(id->secret_key);
	free(id->token);
	id->access_key = mamori_xstrdup(ak);
	id->secret_key = mamori_xstrdup(sk);
	id->token = token && *token ? mamori_xstrdup(token) : NULL;
	id->expires = 0;
	if (expiration) {
		time_t t;
		if (mamori_time_parse(expiration, &t) == MAMORI_OK)
			id->expires = t;
	}
}

bool aws_creds_stale(const aws_identity *id)
{
	return id->expires && time(NULL) + 300 >= id->expires;
}

/* ---- STS ---- */

static char *session_name(void)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_printf(&b, "mamori-%lld", (long long)time(NULL));
	return mamori_buf_detach(&b);
}

static const char *home_region(aws_client *cl, char **tofree)
{
	*tofree = aws_region_resolve(cl);
	return *tofree;
}

/* Ask for an MFA code on the terminal (never from stdin: it may be a pipe). */
static int prompt_mfa(aws_client *cl, const char *serial, char *code, size_t size)
{
	if (cl->opts->no_prompt)
		return mamori_error_set(cl->ctx, MAMORI_EUSAGE,
					"the role needs an MFA code (mfa_serial %s) and prompting "
					"is disabled",
					serial);
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || !isatty(fd)) {
		if (fd >= 0)
			close(fd);
		return mamori_error_set(cl->ctx, MAMORI_EUSAGE,
					"the role needs an MFA code (mfa_serial %s) but there is "
					"no terminal to ask for it; run mamori interactively or "
					"use credentials that need no MFA",
					serial);
	}
	char prompt[512];
	int n = snprintf(prompt, sizeof prompt, "Enter MFA code for %s: ", serial);
	if (write(fd, prompt, (size_t)n) < 0) {
		close(fd);
		return mamori_error_set(cl->ctx, MAMORI_EINPUT, "cannot write to the terminal");
	}
	size_t len = 0;
	char ch;
	while (len + 1 < size && read(fd, &ch, 1) == 1 && ch != '\n')
		if (ch != '\r')
			code[len++] = ch;
	code[len] = '\0';
	close(fd);
	if (len == 0)
		return mamori_error_set(cl->ctx, MAMORI_EUSAGE, "no MFA code entered");
	return MAMORI_OK;
}

static int take_sts_credentials(aws_client *cl, aws_identity *id, aws_call *c)
{
	const cJSON *cr = aws_path(c->doc, "Credentials", NULL);
	const char *ak = aws_str(cr, "AccessKeyId"), *sk = aws_str(cr, "SecretAccessKey");
	if (!ak || !sk)
		return mamori_error_set(cl->ctx, MAMORI_EINPUT,
					"sts %s: the answer holds no credentials", c->op);
	set_keys(id, ak, sk, aws_str(cr, "SessionToken"), aws_str(cr, "Expiration"));
	const char *arn = aws_str(aws_path(c->doc, "AssumedRoleUser", NULL), "Arn");
	if (arn) {
		free(id->arn);
		id->arn = mamori_xstrdup(arn);
	}
	return MAMORI_OK;
}

static int do_assume(aws_client *cl, aws_identity *id)
{
	if (id->parent && aws_creds_stale(id->parent) && id->parent->kind != AWS_CRED_STATIC) {
		int rc = aws_creds_refresh(cl, id->parent);
		if (rc)
			return rc;
	}
	char *region_free;
	const char *region = home_region(cl, &region_free);
	aws_call *c = aws_call_new(cl, &aws_svc_sts, id->parent, region, "AssumeRole");
	free(region_free);
	aws_call_param(c, "RoleArn", id->role_arn);
	aws_call_param(c, "RoleSessionName", id->session_name);
	if (id->duration)
		aws_call_paramf(c, "DurationSeconds", "%u", id->duration);
	if (id->external_id)
		aws_call_param(c, "ExternalId", id->external_id);
	if (id->mfa_serial) {
		char code[64];
		int rc = prompt_mfa(cl, id->mfa_serial, code, sizeof code);
		if (rc) {
			aws_call_free(c);
			return rc;
		}
		aws_call_param(c, "SerialNumber", id->mfa_serial);
		aws_call_param(c, "TokenCode", code);
	}
	double t0 = aws_now();
	int rc = aws_call_sync(c);
	if (rc == MAMORI_OK)
		rc = take_sts_credentials(cl, id, c);
	else
		mamori_error_prefix(cl->ctx, "cannot assume %s", id->role_arn);
	cl->stats.credential_seconds += aws_now() - t0;
	aws_call_free(c);
	return rc;
}

static int read_small_file(aws_client *cl, const char *path, char **out)
{
	mamori_buf b = MAMORI_BUF_INIT;
	int rc = mamori_buf_read_file(cl->ctx, &b, path, 64 * 1024);
	if (rc) {
		mamori_buf_free(&b);
		return rc;
	}
	/* tokens end at the first newline */
	size_t n = strcspn(mamori_buf_cstr(&b), "\r\n");
	b.data[n] = '\0';
	*out = mamori_buf_detach(&b);
	return MAMORI_OK;
}

static int do_web_identity(aws_client *cl, aws_identity *id)
{
	char *token = NULL;
	int rc = read_small_file(cl, id->token_file, &token);
	if (rc)
		return mamori_error_set(cl->ctx, MAMORI_EINPUT,
					"web identity token file %s cannot be read", id->token_file);
	char *region_free;
	const char *region = home_region(cl, &region_free);
	/* unsigned: the token is the proof */
	aws_call *c = aws_call_new(cl, &aws_svc_sts, NULL, region, "AssumeRoleWithWebIdentity");
	free(region_free);
	aws_call_param(c, "RoleArn", id->role_arn);
	aws_call_param(c, "RoleSessionName", id->session_name);
	aws_call_param(c, "WebIdentityToken", token);
	memset(token, 0, strlen(token));
	free(token);
	double t0 = aws_now();
	rc = aws_call_sync(c);
	if (rc == MAMORI_OK)
		rc = take_sts_credentials(cl, id, c);
	cl->stats.credential_seconds += aws_now() - t0;
	aws_call_free(c);
	return rc;
}

/* ---- credential_process ---- */

/* Split like a POSIX shell would, without expansion: quotes and backslashes. */
static char **split_command(const char *cmd)
{
	size_t cap = 8, n = 0;
	char **argv = mamori_xcalloc(cap, sizeof *argv);
	const char *p = cmd;
	while (*p) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		mamori_buf w = MAMORI_BUF_INIT;
		char quote = 0;
		while (*p && (quote || !isspace((unsigned char)*p))) {
			if (quote) {
				if (*p == quote)
					quote = 0;
				else if (*p == '\\' && quote == '"' && p[1])
					mamori_buf_putc(&w, *++p);
				else
					mamori_buf_putc(&w, *p);
			} else if (*p == '\'' || *p == '"') {
				quote = *p;
			} else if (*p == '\\' && p[1]) {
				mamori_buf_putc(&w, *++p);
			} else {
				mamori_buf_putc(&w, *p);
			}
			p++;
		}
		if (n + 2 > cap) {
			cap *= 2;
			argv = mamori_xrealloc(argv, cap * sizeof *argv);
		}
		argv[n++] = w.data ? mamori_buf_detach(&w) : mamori_xstrdup("");
		mamori_buf_free(&w);
	}
	argv[n] = NULL;
	return argv;
}

static int do_process(aws_client *cl, aws_identity *id)
{
	char **argv = split_command(id->process);
	if (!argv[0]) {
		free(argv);
		return mamori_error_set(cl->ctx, MAMORI_EINPUT, "%s: credential_process is empty",
					id->source);
	}
	int pipefd[2];
	if (pipe(pipefd) != 0)
		return mamori_error_set(cl->ctx, MAMORI_EINTERNAL, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	pid_t pid;
	int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	int rc = MAMORI_OK;
	mamori_buf out = MAMORI_BUF_INIT;
	if (err) {
		rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
				      "%s: credential_process %s cannot run: %s", id->source,
				      argv[0], strerror(err));
	} else {
		char chunk[4096];
		ssize_t r;
		while ((r = read(pipefd[0], chunk, sizeof chunk)) > 0 && out.len < MAX_FILE)
			mamori_buf_append(&out, chunk, (size_t)r);
		int status = 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
					      "%s: credential_process %s failed (exit %d)",
					      id->source, argv[0],
					      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	close(pipefd[0]);
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
	if (rc == MAMORI_OK) {
		cJSON *j = cJSON_ParseWithLength(mamori_buf_cstr(&out), out.len);
		const char *ak = mamori_json_str(j, "AccessKeyId");
		const char *sk = mamori_json_str(j, "SecretAccessKey");
		cJSON *ver = mamori_json_get(j, "Version");
		if (!j || !ak || !sk)
			rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
					      "%s: credential_process output is not the expected "
					      "JSON ({\"Version\": 1, \"AccessKeyId\": ..., "
					      "\"SecretAccessKey\": ...})",
					      id->source);
		else if (!cJSON_IsNumber(ver) || ver->valuedouble != 1)
			rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
					      "%s: credential_process output has an unsupported "
					      "Version (1 expected)",
					      id->source);
		else
			set_keys(id, ak, sk, mamori_json_str(j, "SessionToken"),
				 mamori_json_str(j, "Expiration"));
		cJSON_Delete(j);
	}
	if (out.data)
		memset(out.data, 0, out.len);
	mamori_buf_free(&out);
	return rc;
}

/* ---- container and instance metadata ---- */

static bool allowed_container_host(const char *url)
{
	if (strncasecmp(url, "https://", 8) == 0)
		return true;
	static const char *const ok[] = {"http://127.", "http://localhost", "http://[::1]",
					 "http://169.254.170.2", "http://169.254.170.23",
					 "http://[fd00:ec2::23]", NULL};
	for (const char *const *p = ok; *p; p++)
		if (strncasecmp(url, *p, strlen(*p)) == 0)
			return true;
	return false;
}

static int take_json_credentials(aws_client *cl, aws_identity *id, const mamori_buf *body)
{
	cJSON *j = cJSON_ParseWithLength(mamori_buf_cstr(body), body->len);
	const char *ak = mamori_json_str(j, "AccessKeyId");
	const char *sk = mamori_json_str(j, "SecretAccessKey");
	int rc = MAMORI_OK;
	if (!ak || !sk)
		rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
				      "%s: the answer holds no credentials", id->source);
	else
		set_keys(id, ak, sk, mamori_json_str(j, "Token"), mamori_json_str(j, "Expiration"));
	cJSON_Delete(j);
	return rc;
}

static int do_container(aws_client *cl, aws_identity *id)
{
	const char *headers[2] = {NULL, NULL};
	char *auth = NULL, *hdr = NULL;
	if (id->auth_file) {
		if (read_small_file(cl, id->auth_file, &auth))
			return MAMORI_EINPUT;
	} else if (id->auth_token) {
		auth = mamori_xstrdup(id->auth_token);
	}
	if (auth) {
		mamori_buf h = MAMORI_BUF_INIT;
		mamori_buf_printf(&h, "Authorization: %s", auth);
		hdr = mamori_buf_detach(&h);
		headers[0] = hdr;
	}
	mamori_buf body = MAMORI_BUF_INIT;
	long status;
	int rc = aws_http_plain(cl, "GET", id->url, headers, &body, &status);
	if (rc == MAMORI_OK && status != 200)
		rc = mamori_error_set(cl->ctx, MAMORI_EINPUT, "container credentials: HTTP %ld",
				      status);
	if (rc == MAMORI_OK)
		rc = take_json_credentials(cl, id, &body);
	mamori_buf_free(&body);
	free(auth);
	free(hdr);
	return rc;
}

static const char *imds_endpoint(void)
{
	const char *e = getenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	return e && *e ? e : "http://169.254.169.254";
}

static bool imds_disabled(void)
{
	const char *d = getenv("AWS_EC2_METADATA_DISABLED");
	return d && strcasecmp(d, "true") == 0;
}

/* GET an IMDS path with a fresh IMDSv2 session token. */
static int imds_get(aws_client *cl, const char *path, mamori_buf *out)
{
	char url[512];
	const char *base = imds_endpoint();
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	snprintf(url, sizeof url, "%.*s/latest/api/token", (int)bl, base);
	const char *put_headers[] = {"X-aws-ec2-metadata-token-ttl-seconds: 21600", NULL};
	mamori_buf token = MAMORI_BUF_INIT;
	long status;
	int rc = aws_http_plain(cl, "PUT", url, put_headers, &token, &status);
	if (rc == MAMORI_OK && status != 200)
		rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
				      "EC2 instance metadata: no IMDSv2 token (HTTP %ld)", status);
	if (rc) {
		mamori_buf_free(&token);
		return rc;
	}
	mamori_buf h = MAMORI_BUF_INIT;
	mamori_buf_printf(&h, "X-aws-ec2-metadata-token: %s", mamori_buf_cstr(&token));
	const char *get_headers[] = {h.data, NULL};
	snprintf(url, sizeof url, "%.*s%s", (int)bl, base, path);
	rc = aws_http_plain(cl, "GET", url, get_headers, out, &status);
	if (rc == MAMORI_OK && status != 200)
		rc = mamori_error_set(cl->ctx, MAMORI_EINPUT, "EC2 instance metadata %s: HTTP %ld",
				      path, status);
	mamori_buf_free(&h);
	mamori_buf_free(&token);
	return rc;
}

static int do_imds(aws_client *cl, aws_identity *id)
{
	mamori_buf role = MAMORI_BUF_INIT, body = MAMORI_BUF_INIT;
	int rc = imds_get(cl, "/latest/meta-data/iam/security-credentials/", &role);
	if (rc == MAMORI_OK) {
		size_t n = strcspn(mamori_buf_cstr(&role), "\r\n");
		if (n == 0) {
			rc = mamori_error_set(cl->ctx, MAMORI_ENOTFOUND,
					      "EC2 instance metadata: the instance has no role");
		} else {
			char path[512];
			snprintf(path, sizeof path, "/latest/meta-data/iam/security-credentials/%.*s",
				 (int)n, role.data);
			rc = imds_get(cl, path, &body);
			if (rc == MAMORI_OK)
				rc = take_json_credentials(cl, id, &body);
		}
	}
	mamori_buf_free(&role);
	mamori_buf_free(&body);
	return rc;
}

int aws_creds_refresh(aws_client *cl, aws_identity *id)
{
	double t0 = aws_now();
	int rc;
	switch (id->kind) {
	case AWS_CRED_ASSUME_ROLE:
		rc = do_assume(cl, id);
		break;
	case AWS_CRED_WEB_IDENTITY:
		rc = do_web_identity(cl, id);
		break;
	case AWS_CRED_PROCESS:
		rc = do_process(cl, id);
		break;
	case AWS_CRED_CONTAINER:
		rc = do_container(cl, id);
		break;
	case AWS_CRED_IMDS:
		rc = do_imds(cl, id);
		break;
	default:
		rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
				      "%s: the credentials have expired and cannot be renewed",
				      id->source);
	}
	cl->stats.credential_seconds += aws_now() - t0;
	if (rc == MAMORI_OK) {
		char masked[16];
		aws_mask(id->access_key, masked);
		mamori_log(cl->ctx, MAMORI_LOG_DEBUG, "credentials from %s: access key %s",
			   id->source, masked);
	}
	return rc;
}

/* ---- the chain ---- */

static int from_env(aws_client *cl, aws_identity **out)
{
	const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
	if (!ak || !*ak || !sk || !*sk)
		return MAMORI_ENOTFOUND;
	const char *tok = getenv("AWS_SESSION_TOKEN");
	if (!tok || !*tok)
		tok = getenv("AWS_SECURITY_TOKEN");
	aws_identity *id = identity_new(cl, AWS_CRED_STATIC, "environment");
	set_keys(id, ak, sk, tok, getenv("AWS_CREDENTIAL_EXPIRATION"));
	*out = id;
	return MAMORI_OK;
}

static int from_container(aws_client *cl, aws_identity **out)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	mamori_buf url = MAMORI_BUF_INIT;
	if (rel && *rel)
		mamori_buf_printf(&url, "http://169.254.170.2%s", rel);
	else if (full && *full)
		mamori_buf_puts(&url, full);
	else
		return MAMORI_ENOTFOUND;
	if (!allowed_container_host(url.data)) {
		int rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
					  "AWS_CONTAINER_CREDENTIALS_FULL_URI %s is neither https "
					  "nor a container credentials address",
					  url.data);
		mamori_buf_free(&url);
		return rc;
	}
	aws_identity *id = identity_new(cl, AWS_CRED_CONTAINER, "container credentials");
	id->url = mamori_buf_detach(&url);
	const char *f = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *t = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	if (f && *f)
		id->auth_file = mamori_xstrdup(f);
	else if (t && *t)
		id->auth_token = mamori_xstrdup(t);
	int rc = do_container(cl, id);
	if (rc == MAMORI_OK)
		*out = id;
	return rc;
}

static int from_imds(aws_client *cl, aws_identity **out)
{
	if (imds_disabled())
		return MAMORI_ENOTFOUND;
	aws_identity *id = identity_new(cl, AWS_CRED_IMDS, "EC2 instance metadata");
	int rc = do_imds(cl, id);
	if (rc == MAMORI_OK) {
		*out = id;
		return rc;
	}
	/* not on EC2 (or no role): the last link of the chain, not an error */
	mamori_log(cl->ctx, MAMORI_LOG_DEBUG, "no instance credentials: %s",
		   mamori_error_last(cl->ctx)->message);
	mamori_error_clear(cl->ctx);
	return MAMORI_ENOTFOUND;
}

static int web_identity(aws_client *cl, const char *source, const char *role_arn,
			const char *token_file, const char *session, aws_identity **out)
{
	aws_identity *id = identity_new(cl, AWS_CRED_WEB_IDENTITY, source);
	id->role_arn = mamori_xstrdup(role_arn);
	id->token_file = expand_home(token_file);
	id->session_name = session && *session ? mamori_xstrdup(session) : session_name();
	int rc = do_web_identity(cl, id);
	if (rc == MAMORI_OK)
		*out = id;
	return rc;
}

static int from_env_web_identity(aws_client *cl, aws_identity **out)
{
	const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE"), *role = getenv("AWS_ROLE_ARN");
	if (!file || !*file || !role || !*role)
		return MAMORI_ENOTFOUND;
	return web_identity(cl, "web identity (environment)", role, file,
			    getenv("AWS_ROLE_SESSION_NAME"), out);
}

static int static_from(aws_client *cl, const aws_ini_section *s, const char *source,
		       aws_identity **out)
{
	const char *ak = aws_ini_get(s, "aws_access_key_id");
	const char *sk = aws_ini_get(s, "aws_secret_access_key");
	if (!ak || !sk)
		return MAMORI_ENOTFOUND;
	aws_identity *id = identity_new(cl, AWS_CRED_STATIC, source);
	set_keys(id, ak, sk, aws_ini_get(s, "aws_session_token"), NULL);
	*out = id;
	return MAMORI_OK;
}

static int resolve_profile(aws_client *cl, const char *name, const char **chain, int depth,
			   aws_identity **out);

static int assume_from_profile(aws_client *cl, const char *name, const char **chain, int depth,
			       aws_identity **out)
{
	const char *role = pget(cl, name, "role_arn");
	const char *src = pget(cl, name, "source_profile");
	const char *csrc = pget(cl, name, "credential_source");
	const char *wit = pget(cl, name, "web_identity_token_file");
	char source[320];
	snprintf(source, sizeof source, "profile %s (role %s)", name, role);
	if (src && csrc)
		return mamori_error_set(cl->ctx, MAMORI_EINPUT,
					"profile %s: source_profile and credential_source are both "
					"set; keep one",
					name);
	aws_identity *parent = NULL;
	int rc;
	if (src) {
		if (strcmp(src, name) == 0) {
			/* a profile may be its own source: its static keys assume the role */
			char s2[300];
			snprintf(s2, sizeof s2, "profile %s", name);
			rc = static_from(cl, credentials_section(cl, name), s2, &parent);
			if (rc == MAMORI_ENOTFOUND)
				rc = static_from(cl, config_section(cl, name), s2, &parent);
			if (rc == MAMORI_ENOTFOUND)
				return mamori_error_set(cl->ctx, MAMORI_EINPUT,
							"profile %s is its own source_profile but "
							"has no static keys",
							name);
		} else {
			chain[depth] = name;
			rc = resolve_profile(cl, src, chain, depth + 1, &parent);
		}
		if (rc)
			return rc;
	} else if (csrc) {
		if (strcmp(csrc, "Environment") == 0)
			rc = from_env(cl, &parent);
		else if (strcmp(csrc, "Ec2InstanceMetadata") == 0)
			rc = from_imds(cl, &parent);
		else if (strcmp(csrc, "EcsContainer") == 0)
			rc = from_container(cl, &parent);
		else
			return mamori_error_set(cl->ctx, MAMORI_EINPUT,
						"profile %s: credential_source \"%s\" is not one of "
						"Environment, Ec2InstanceMetadata, EcsContainer",
						name, csrc);
		if (rc == MAMORI_ENOTFOUND)
			return mamori_error_set(cl->ctx, MAMORI_EINPUT,
						"profile %s: credential_source %s has no credentials",
						name, csrc);
		if (rc)
			return rc;
	} else if (wit) {
		return web_identity(cl, source, role, wit, pget(cl, name, "role_session_name"),
				    out);
	} else {
		return mamori_error_set(cl->ctx, MAMORI_EINPUT,
					"profile %s has role_arn but neither source_profile, "
					"credential_source nor web_identity_token_file",
					name);
	}
	aws_identity *id = identity_new(cl, AWS_CRED_ASSUME_ROLE, source);
	id->parent = parent;
	id->role_arn = mamori_xstrdup(role);
	const char *ext = pget(cl, name, "external_id");
	id->external_id = ext ? mamori_xstrdup(ext) : NULL;
	const char *mfa = pget(cl, name, "mfa_serial");
	id->mfa_serial = mfa ? mamori_xstrdup(mfa) : NULL;
	const char *sess = pget(cl, name, "role_session_name");
	id->session_name = sess ? mamori_xstrdup(sess) : session_name();
	const char *dur = pget(cl, name, "duration_seconds");
	id->duration = dur ? (unsigned)strtoul(dur, NULL, 10) : 0;
	rc = do_assume(cl, id);
	if (rc == MAMORI_OK)
		*out = id;
	return rc;
}

static int resolve_profile(aws_client *cl, const char *name, const char **chain, int depth,
			   aws_identity **out)
{
	for (int i = 0; i < depth; i++)
		if (strcmp(chain[i], name) == 0 || depth >= MAX_PROFILE_DEPTH) {
			mamori_buf loop = MAMORI_BUF_INIT;
			for (int j = 0; j < depth; j++)
				mamori_buf_printf(&loop, "%s -> ", chain[j]);
			mamori_buf_puts(&loop, name);
			const aws_ini *cfg = aws_config_file(cl);
			int rc = mamori_error_set(cl->ctx, MAMORI_EINPUT,
						  "%s: profile loop through source_profile: %s",
						  cfg ? cfg->path : "~/.aws/config", loop.data);
			mamori_buf_free(&loop);
			return rc;
		}
	if (!profile_exists(cl, name))
		return mamori_error_set(cl->ctx, MAMORI_ENOTFOUND,
					"the config profile (%s) could not be found", name);
	if (pget(cl, name, "role_arn"))
		return assume_from_profile(cl, name, chain, depth, out);
	char source[300];
	snprintf(source, sizeof source, "profile %s", name);
	int rc = static_from(cl, credentials_section(cl, name), source, out);
	if (rc != MAMORI_ENOTFOUND)
		return rc;
	const char *proc = aws_ini_get(config_section(cl, name), "credential_process");
	if (proc) {
		aws_identity *id = identity_new(cl, AWS_CRED_PROCESS, source);
		id->process = mamori_xstrdup(proc);
		rc = do_process(cl, id);
		if (rc == MAMORI_OK)
			*out = id;
		return rc;
	}
	rc = static_from(cl, config_section(cl, name), source, out);
	if (rc != MAMORI_ENOTFOUND)
		return rc;
	if (pget(cl, name, "sso_start_url") || pget(cl, name, "sso_session"))
		return mamori_error_set(cl->ctx, MAMORI_EINPUT,
					"profile %s uses IAM Identity Center (SSO), which mamori "
					"does not sign in to: run `aws sso login --profile %s`, then "
					"`eval \"$(aws configure export-credentials --profile %s "
					"--format env)\"` and run mamori without --profile",
					name, name, name);
	return MAMORI_ENOTFOUND;
}

int aws_creds_resolve(aws_client *cl, aws_identity **out)
{
	*out = NULL;
	double t0 = aws_now();
	int rc = MAMORI_ENOTFOUND;
	if (!cl->opts->profile)
		rc = from_env(cl, out);
	if (rc == MAMORI_ENOTFOUND) {
		int ferr = file_error(cl);
		const char *name = aws_profile_name(cl);
		bool explicit_profile = strcmp(name, "default") != 0 || cl->opts->profile;
		const char *chain[MAX_PROFILE_DEPTH + 1];
		if (ferr)
			rc = ferr; /* a malformed file the chain needs: its error is the answer */
		else if (profile_exists(cl, name))
			rc = resolve_profile(cl, name, chain, 0, out);
		else if (explicit_profile)
			rc = mamori_error_set(cl->ctx, MAMORI_EUSAGE,
					      "the config profile (%s) could not be found", name);
	}
	if (rc == MAMORI_ENOTFOUND)
		rc = from_env_web_identity(cl, out);
	if (rc == MAMORI_ENOTFOUND)
		rc = from_container(cl, out);
	if (rc == MAMORI_ENOTFOUND)
		rc = from_imds(cl, out);
	if (rc == MAMORI_ENOTFOUND)
		rc = mamori_error_set(cl->ctx, MAMORI_EUSAGE,
				      "no AWS credentials found: set AWS_ACCESS_KEY_ID and "
				      "AWS_SECRET_ACCESS_KEY, give --profile, or run on an instance "
				      "or container with a role");
	cl->stats.credential_seconds += aws_now() - t0;
	if (rc == MAMORI_OK) {
		char masked[16];
		aws_mask((*out)->access_key, masked);
		mamori_log(cl->ctx, MAMORI_LOG_INFO, "AWS credentials from %s (access key %s)",
			   (*out)->source, masked);
	}
	return rc;
}

int aws_creds_assume(aws_client *cl, aws_identity *parent, const char *role_arn,
		     const char *external_id, aws_identity **out)
{
	char source[320];
	snprintf(source, sizeof source, "role %s", role_arn);
	aws_identity *id = identity_new(cl, AWS_CRED_ASSUME_ROLE, source);
	id->parent = parent;
	id->role_arn = mamori_xstrdup(role_arn);
	id->external_id = external_id ? mamori_xstrdup(external_id) : NULL;
	id->session_name = session_name();
	int rc = do_assume(cl, id);
	*out = rc == MAMORI_OK ? id : NULL;
	return rc;
}

char *aws_region_resolve(aws_client *cl)
{
	if (cl->opts->region)
		return mamori_xstrdup(cl->opts->region);
	const char *r = getenv("AWS_REGION");
	if (!r || !*r)
		r = getenv("AWS_DEFAULT_REGION");
	if (r && *r)
		return mamori_xstrdup(r);
	r = pget(cl, aws_profile_name(cl), "region");
	if (r && *r)
		return mamori_xstrdup(r);
	for (aws_identity *id = cl->identities; id; id = id->next)
		if (id->kind == AWS_CRED_IMDS) {
			mamori_buf b = MAMORI_BUF_INIT;
			if (imds_get(cl, "/latest/meta-data/placement/region", &b) == MAMORI_OK &&
			    aws_region_valid(b.data))
				return mamori_buf_detach(&b);
			mamori_buf_free(&b);
		}
	return mamori_xstrdup("us-east-1");
}
