/*
 * ini.c — the AWS CLI's shared files: ~/.aws/config and ~/.aws/credentials.
 *
 * The CLI reads them with Python's configparser, so this follows its
 * rules: "[section]" headers (case-sensitive), "key = value" or
 * "key: value" (keys case-insensitive, stored lower-case), whole-line
 * comments starting with '#' or ';', indented lines continuing the
 * previous value (the nested "s3 =" settings), and errors for a key
 * outside any section, a line that is neither, an unclosed header and a
 * repeated section or key.  Errors are path:line:col with the excerpt;
 * values of secret keys are masked before the excerpt is cut, whatever
 * their shape.
 */
#include "aws_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_secret_key(const char *k, size_t n)
{
	static const char *const words[] = {"secret", "token", "key_id", "password", NULL};
	for (const char *const *w = words; *w; w++) {
		size_t wl = strlen(*w);
		for (size_t i = 0; i + wl <= n; i++)
			if (strncasecmp(k + i, *w, wl) == 0)
				return true;
	}
	return false;
}

/* A copy of buf where every value of a secret-looking key shows only its
 * first 4 characters: the excerpt of an error must never show a secret. */
static char *masked_copy(const char *buf, size_t len)
{
	char *m = mamori_xmalloc(len + 1);
	memcpy(m, buf, len);
	m[len] = '\0';
	size_t i = 0;
	while (i < len) {
		size_t eol = i;
		while (eol < len && m[eol] != '\n')
			eol++;
		size_t k = i;
		while (k < eol && isspace((unsigned char)m[k]))
			k++;
		size_t ke = k;
		while (ke < eol && m[ke] != '=' && m[ke] != ':')
			ke++;
		if (ke < eol && is_secret_key(m + k, ke - k)) {
			size_t v = ke + 1;
			while (v < eol && isspace((unsigned char)m[v]))
				v++;
			for (size_t j = v + 4; j < eol; j++)
				if (!isspace((unsigned char)m[j]))
					m[j] = '*';
		}
		i = eol + 1;
	}
	return m;
}

static int fail(mamori_ctx *ctx, const char *path, const char *buf, size_t len, size_t at,
		const char *msg)
{
	char *m = masked_copy(buf, len);
	mamori_error_set_at(ctx, MAMORI_EINPUT, path, m, len, at, "%s", msg);
	free(m);
	return MAMORI_EINPUT;
}

static char *dup_n(const char *s, size_t n)
{
	char *d = mamori_xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *trimmed(const char *s, size_t n)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return dup_n(s, n);
}

int aws_ini_parse(mamori_ctx *ctx, const char *path, const char *buf, size_t len, aws_ini *out)
{
	memset(out, 0, sizeof *out);
	out->path = mamori_xstrdup(path);
	aws_ini_section *cur = NULL;
	aws_ini_kv *last = NULL; /* for continuation lines */
	size_t cap = 0;
	unsigned line = 0;
	size_t i = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* a UTF-8 byte order mark */
	while (i < len) {
		line++;
		size_t bol = i, eol = i;
		while (eol < len && buf[eol] != '\n')
			eol++;
		i = eol + 1;
		size_t end = eol;
		if (end > bol && buf[end - 1] == '\r')
			end--;
		if (memchr(buf + bol, '\0', end - bol)) {
			aws_ini_free(out);
			return fail(ctx, path, buf, len, bol + strlen(buf + bol),
				    "a NUL byte: this is not a text file");
		}
		size_t p = bol;
		while (p < end && (buf[p] == ' ' || buf[p] == '\t'))
			p++;
		if (p == end)
			continue; /* blank */
		if (buf[p] == '#' || buf[p] == ';')
			continue;
		if (p > bol && last) {
			/* indented: continues the previous value */
			size_t vl = strlen(last->value);
			char *nv = mamori_xmalloc(vl + 1 + (end - p) + 1);
			memcpy(nv, last->value, vl);
			nv[vl] = '\n';
			memcpy(nv + vl + 1, buf + p, end - p);
			nv[vl + 1 + (end - p)] = '\0';
			free(last->value);
			last->value = nv;
			continue;
		}
		if (buf[p] == '[') {
			const char *close = memchr(buf + p, ']', end - p);
			if (!close) {
				aws_ini_free(out);
				return fail(ctx, path, buf, len, end,
					    "section header not closed: expected ']'");
			}
			char *name = trimmed(buf + p + 1, (size_t)(close - (buf + p + 1)));
			if (!*name) {
				free(name);
				aws_ini_free(out);
				return fail(ctx, path, buf, len, p + 1, "empty section name");
			}
			if (aws_ini_find(out, name)) {
				free(name);
				aws_ini_free(out);
				return fail(ctx, path, buf, len, p + 1,
					    "this section appears twice in the file");
			}
			if (out->count == cap) {
				cap = cap ? cap * 2 : 8;
				out->sections = mamori_xrealloc(out->sections, cap * sizeof *out->sections);
			}
			cur = &out->sections[out->count++];
			memset(cur, 0, sizeof *cur);
			cur->name = name;
			cur->line = line;
			last = NULL;
			continue;
		}
		size_t d = p;
		while (d < end && buf[d] != '=' && buf[d] != ':')
			d++;
		if (d == end) {
			aws_ini_free(out);
			return fail(ctx, path, buf, len, p,
				    "expected \"key = value\", a [section] or a comment");
		}
		if (!cur) {
			aws_ini_free(out);
			return fail(ctx, path, buf, len, p,
				    "a setting before any [section] header");
		}
		char *key = trimmed(buf + p, d - p);
		if (!*key) {
			free(key);
			aws_ini_free(out);
			return fail(ctx, path, buf, len, p, "a setting without a name");
		}
		for (char *k = key; *k; k++)
			*k = (char)tolower((unsigned char)*k);
		if (aws_ini_get(cur, key)) {
			free(key);
			aws_ini_free(out);
			return fail(ctx, path, buf, len, p,
				    "this setting appears twice in the section");
		}
		cur->kv = mamori_xrealloc(cur->kv, (cur->count + 1) * sizeof *cur->kv);
		last = &cur->kv[cur->count++];
		last->key = key;
		last->value = trimmed(buf + d + 1, end - d - 1);
		last->line = line;
	}
	return MAMORI_OK;
}

void aws_ini_free(aws_ini *ini)
{
	for (size_t i = 0; i < ini->count; i++) {
		for (size_t j = 0; j < ini->sections[i].count; j++) {
			free(ini->sections[i].kv[j].key);
			/* wipe secrets before the memory goes back */
			char *v = ini->sections[i].kv[j].value;
			if (v) {
				volatile char *w = v;
				while (*w)
					*w++ = '\0';
			}
			free(v);
		}
		free(ini->sections[i].kv);
		free(ini->sections[i].name);
	}
	free(ini->sections);
	free(ini->path);
	memset(ini, 0, sizeof *ini);
}

const aws_ini_section *aws_ini_find(const aws_ini *ini, const char *name)
{
	for (size_t i = 0; ini && i < ini->count; i++)
		if (strcmp(ini->sections[i].name, name) == 0)
			return &ini->sections[i];
	return NULL;
}

const char *aws_ini_get(const aws_ini_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->count; i++)
		if (strcmp(s->kv[i].key, key) == 0)
			return s->kv[i].value;
	return NULL;
}
