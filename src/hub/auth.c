/*
 * auth.c — the hub's access token and browser sessions.
 *
 * The token is 32 random bytes from OpenSSL (shown once as "mamori_" + 64
 * hex digits).  Only "sha256$SALT$DIGEST" is stored, in a file of mode 0600:
 * a high-entropy secret needs no slow hash, and a salted digest read from a
 * backup or a leaked file does not let anyone in.  Comparisons take constant
 * time.  A browser trades the token for a session: a random id in an
 * HttpOnly, SameSite=Strict cookie plus a random CSRF token that every
 * state-changing request must echo in X-CSRF-Token.  Sessions live in
 * memory (a restart logs everyone out) and expire after HUB_SESSION_IDLE
 * seconds unused; the oldest is dropped when the table is full.
 */
#include "hub_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void random_hex(char *out, size_t bytes)
{
	unsigned char raw[64];
	if (bytes > sizeof raw || RAND_bytes(raw, (int)bytes) != 1)
		mamori_oom(bytes); /* no randomness: nothing safe can go on */
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < bytes; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * bytes] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
}

static void digest(const char *salt, const char *token, size_t len, char out[65])
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_puts(&b, salt);
	mamori_buf_putc(&b, '$');
	mamori_buf_append(&b, token, len);
	mamori_sha256_hex(b.data, b.len, out);
	OPENSSL_cleanse(b.data, b.len);
	mamori_buf_free(&b);
}

bool hub_consttime_eq(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b))
		return false;
	return CRYPTO_memcmp(a, b, n) == 0;
}

bool hub_auth_check_token(const hub_auth *a, const char *token, size_t len)
{
	if (!a->digest[0] || !token || len == 0 || len > 256)
		return false;
	char d[65];
	digest(a->salt, token, len, d);
	return hub_consttime_eq(d, a->digest);
}

char *mamori_hub_default_token_file(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	mamori_buf b = MAMORI_BUF_INIT;
	if (!mamori_str_empty(xdg) && xdg[0] == '/')
		mamori_buf_printf(&b, "%s/mamori/hub-token", xdg);
	else if (!mamori_str_empty(home))
		mamori_buf_printf(&b, "%s/.config/mamori/hub-token", home);
	else
		mamori_buf_puts(&b, "mamori-hub-token");
	return mamori_buf_detach(&b);
}

static void mkdir_parents(const char *path)
{
	char *p = mamori_xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	free(p);
}

/* Read "sha256$SALT$DIGEST"; false when absent, error status when unusable. */
static int read_token_file(mamori_ctx *ctx, hub_auth *a, const char *path, bool *found)
{
	*found = false;
	FILE *f = fopen(path, "r");
	if (!f) {
		if (errno == ENOENT)
			return MAMORI_OK;
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot read the hub token: %s",
					path, strerror(errno));
	}
	char line[256] = "";
	bool got = fgets(line, sizeof line, f) != NULL;
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	char *salt = got && !strncmp(line, "sha256$", 7) ? line + 7 : NULL;
	char *dollar = salt ? strchr(salt, '$') : NULL;
	if (!dollar || dollar - salt != 32 || strlen(dollar + 1) != 64)
		return mamori_error_set(ctx, MAMORI_EINPUT,
					"%s: not a mamori hub token file; delete it or use "
					"--new-token to make a new token",
					path);
	memcpy(a->salt, salt, 32);
	a->salt[32] = '\0';
	snprintf(a->digest, sizeof a->digest, "%s", dollar + 1);
	*found = true;
	return MAMORI_OK;
}

static int write_token_file(mamori_ctx *ctx, hub_auth *a, const char *path, char **token)
{
	char secret[65];
	random_hex(secret, 32);
	random_hex(a->salt, 16);
	mamori_buf t = MAMORI_BUF_INIT;
	mamori_buf_printf(&t, "mamori_%s", secret);
	OPENSSL_cleanse(secret, sizeof secret);
	digest(a->salt, t.data, t.len, a->digest);
	mkdir_parents(path);
	char tmp[4200];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		mamori_buf_free(&t);
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot write the hub token: %s",
					path, strerror(errno));
	}
	fprintf(f, "sha256$%s$%s\n", a->salt, a->digest);
	bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		mamori_buf_free(&t);
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s: cannot write the hub token: %s",
					path, strerror(errno));
	}
	*token = mamori_buf_detach(&t);
	return MAMORI_OK;
}

int hub_auth_setup(mamori_ctx *ctx, hub_auth *a, const char *token_file, bool required,
		   bool renew, char **new_token)
{
	memset(a, 0, sizeof *a);
	*new_token = NULL;
	a->required = required;
	a->sessions = mamori_xcalloc(HUB_MAX_SESSIONS, sizeof *a->sessions);
	if (!required && !renew)
		return MAMORI_OK;
	char *path = token_file ? mamori_xstrdup(token_file) : mamori_hub_default_token_file();
	bool found = false;
	int rc = renew ? MAMORI_OK : read_token_file(ctx, a, path, &found);
	if (!rc && !found)
		rc = write_token_file(ctx, a, path, new_token);
	free(path);
	return rc;
}

void hub_auth_free(hub_auth *a)
{
	if (a->sessions)
		OPENSSL_cleanse(a->sessions, HUB_MAX_SESSIONS * sizeof *a->sessions);
	free(a->sessions);
	OPENSSL_cleanse(a, sizeof *a);
}

hub_session *hub_session_find(hub_auth *a, const char *cookie_header, time_t now)
{
	char id[80];
	if (!hub_cookie(cookie_header, "mamori_session", id, sizeof id) || strlen(id) != 64)
		return NULL;
	for (size_t i = 0; i < a->session_count; i++) {
		hub_session *s = &a->sessions[i];
		if (!hub_consttime_eq(s->id, id))
			continue;
		if (now - s->seen > HUB_SESSION_IDLE) {
			hub_session_drop(a, s);
			return NULL;
		}
		s->seen = now;
		return s;
	}
	return NULL;
}

hub_session *hub_session_new(hub_auth *a, time_t now, bool authenticated)
{
	if (a->session_count == HUB_MAX_SESSIONS) {
		/* full: the least recently seen goes */
		size_t oldest = 0;
		for (size_t i = 1; i < a->session_count; i++)
			if (a->sessions[i].seen < a->sessions[oldest].seen)
				oldest = i;
		hub_session_drop(a, &a->sessions[oldest]);
	}
	hub_session *s = &a->sessions[a->session_count++];
	random_hex(s->id, 32);
	random_hex(s->csrf, 32);
	s->created = s->seen = now;
	s->authenticated = authenticated;
	return s;
}

void hub_session_drop(hub_auth *a, hub_session *s)
{
	size_t i = (size_t)(s - a->sessions);
	if (i >= a->session_count)
		return;
	a->sessions[i] = a->sessions[--a->session_count];
	OPENSSL_cleanse(&a->sessions[a->session_count], sizeof *s);
}
