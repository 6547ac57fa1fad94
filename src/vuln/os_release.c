/*
 * os_release.c — which distribution a root is, from /etc/os-release (or
 * /usr/lib/os-release), and the OSV ecosystem its packages belong to.
 *
 * The ecosystem decides which advisories apply: a Debian 12 package is
 * compared only with "Debian:12" advisories, an Amazon Linux 2023 package
 * only with ALAS advisories for AL2023 — never distro packages against
 * upstream ranges (a distro backports fixes without changing the upstream
 * version, so upstream ranges would be false positives).
 */
#include "vuln.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static char *unquote(vuln_inventory *inv, const char *s, size_t n)
{
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
		s++;
		n -= 2;
	}
	/* shell escapes: \" \\ \$ \` */
	char *out = mamori_arena_alloc(&inv->arena, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		out[k++] = s[i];
	}
	out[k] = '\0';
	return out;
}

static const char *major_minor(vuln_inventory *inv, const char *v, int parts)
{
	size_t n = 0;
	int dots = 0;
	while (v[n] && (isdigit((unsigned char)v[n]) || v[n] == '.')) {
		if (v[n] == '.' && ++dots == parts)
			break;
		n++;
	}
	return mamori_vuln_strndup(inv, v, n);
}

static const char *ecosystem_for(vuln_inventory *inv, const vuln_os *os)
{
	if (!os->id || !os->version_id)
		return NULL;
	const char *id = os->id, *v = os->version_id;
	if (!strcmp(id, "debian"))
		return mamori_arena_printf(&inv->arena, "Debian:%s", major_minor(inv, v, 1));
	if (!strcmp(id, "ubuntu"))
		return mamori_arena_printf(&inv->arena, "Ubuntu:%s", major_minor(inv, v, 2));
	if (!strcmp(id, "alpine"))
		return mamori_arena_printf(&inv->arena, "Alpine:v%s", major_minor(inv, v, 2));
	if (!strcmp(id, "amzn"))
		return mamori_arena_printf(&inv->arena, "Amazon Linux:%s", major_minor(inv, v, 1));
	if (!strcmp(id, "rocky"))
		return mamori_arena_printf(&inv->arena, "Rocky Linux:%s", major_minor(inv, v, 1));
	if (!strcmp(id, "almalinux"))
		return mamori_arena_printf(&inv->arena, "AlmaLinux:%s", major_minor(inv, v, 1));
	if (!strcmp(id, "rhel") || !strcmp(id, "centos"))
		return mamori_arena_printf(&inv->arena, "Red Hat:%s", major_minor(inv, v, 1));
	if (!strcmp(id, "ol"))
		return mamori_arena_printf(&inv->arena, "Oracle Linux:%s", major_minor(inv, v, 1));
	if (!strcmp(id, "wolfi"))
		return "Wolfi";
	return NULL;
}

int mamori_vuln_read_os_release(mamori_ctx *ctx, const char *path, const char *buf, size_t len,
				vuln_os *os, vuln_inventory *inv)
{
	memset(os, 0, sizeof *os);
	size_t i = 0;
	while (i < len) {
		size_t e = i;
		while (e < len && buf[e] != '\n')
			e++;
		const char *line = buf + i;
		size_t n = e - i;
		while (n && isspace((unsigned char)*line))
			line++, n--;
		const char *eq = memchr(line, '=', n);
		if (n && *line != '#' && eq) {
			size_t kl = (size_t)(eq - line);
			char *val = unquote(inv, eq + 1, n - kl - 1);
#define KEY(k) (kl == strlen(k) && !memcmp(line, k, kl))
			if (KEY("ID"))
				os->id = val;
			else if (KEY("VERSION_ID"))
				os->version_id = val;
			else if (KEY("PRETTY_NAME"))
				os->pretty = val;
			else if (KEY("VERSION_CODENAME"))
				os->codename = val;
#undef KEY
		}
		i = e + 1;
	}
	if (!os->id)
		return mamori_error_set_at(ctx, MAMORI_EINPUT, path, buf, len, 0,
					   "no ID= line: not an os-release file");
	for (char *p = (char *)os->id; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	os->ecosystem = ecosystem_for(inv, os);
	return MAMORI_OK;
}
