/*
 * version.c — the scheme table: names (the oracle files' and OSV's) to the
 * per-ecosystem comparators in ver_<scheme>.c.
 */
#include "version.h"

#include <string.h>
#include <strings.h>

static const vuln_vercmp_ops *const ops[VULN_SCHEME_COUNT] = {
	[VULN_SCHEME_DPKG] = &mamori_ver_dpkg,	       [VULN_SCHEME_RPM] = &mamori_ver_rpm,
	[VULN_SCHEME_APK] = &mamori_ver_apk,	       [VULN_SCHEME_SEMVER] = &mamori_ver_semver,
	[VULN_SCHEME_GO] = &mamori_ver_go,	       [VULN_SCHEME_PEP440] = &mamori_ver_pep440,
	[VULN_SCHEME_MAVEN] = &mamori_ver_maven,       [VULN_SCHEME_RUBYGEMS] = &mamori_ver_rubygems,
	[VULN_SCHEME_COMPOSER] = &mamori_ver_composer,
};

static const char *const names[VULN_SCHEME_COUNT] = {
	[VULN_SCHEME_DPKG] = "dpkg",	     [VULN_SCHEME_RPM] = "rpm",
	[VULN_SCHEME_APK] = "apk",	     [VULN_SCHEME_SEMVER] = "semver",
	[VULN_SCHEME_GO] = "go",	     [VULN_SCHEME_PEP440] = "pep440",
	[VULN_SCHEME_MAVEN] = "maven",	     [VULN_SCHEME_RUBYGEMS] = "rubygems",
	[VULN_SCHEME_COMPOSER] = "composer",
};

/* OSV ecosystem names (the part before any ':' release suffix). */
static const struct {
	const char *eco;
	vuln_scheme scheme;
} osv_ecos[] = {
	{"Debian", VULN_SCHEME_DPKG},	     {"Ubuntu", VULN_SCHEME_DPKG},
	{"Alpine", VULN_SCHEME_APK},	     {"Wolfi", VULN_SCHEME_APK},
	{"Chainguard", VULN_SCHEME_APK},     {"AlmaLinux", VULN_SCHEME_RPM},
	{"Rocky Linux", VULN_SCHEME_RPM},    {"Red Hat", VULN_SCHEME_RPM},
	{"Amazon Linux", VULN_SCHEME_RPM},   {"openSUSE", VULN_SCHEME_RPM},
	{"SUSE", VULN_SCHEME_RPM},	     {"Mageia", VULN_SCHEME_RPM},
	{"Oracle Linux", VULN_SCHEME_RPM},   {"npm", VULN_SCHEME_SEMVER},
	{"crates.io", VULN_SCHEME_SEMVER},   {"Go", VULN_SCHEME_GO},
	{"PyPI", VULN_SCHEME_PEP440},	     {"Maven", VULN_SCHEME_MAVEN},
	{"RubyGems", VULN_SCHEME_RUBYGEMS},  {"Packagist", VULN_SCHEME_COMPOSER},
};

vuln_scheme mamori_vuln_scheme_parse(const char *name)
{
	if (!name)
		return VULN_SCHEME_NONE;
	for (int i = 1; i < VULN_SCHEME_COUNT; i++)
		if (strcasecmp(name, names[i]) == 0)
			return (vuln_scheme)i;
	size_t n = strcspn(name, ":");
	for (size_t i = 0; i < sizeof osv_ecos / sizeof *osv_ecos; i++)
		if (strlen(osv_ecos[i].eco) == n && strncasecmp(name, osv_ecos[i].eco, n) == 0)
			return osv_ecos[i].scheme;
	return VULN_SCHEME_NONE;
}

const char *mamori_vuln_scheme_name(vuln_scheme s)
{
	return s > VULN_SCHEME_NONE && s < VULN_SCHEME_COUNT ? names[s] : "none";
}

const char *mamori_vuln_version_invalid(vuln_scheme s, const char *v)
{
	if (s <= VULN_SCHEME_NONE || s >= VULN_SCHEME_COUNT)
		return "unknown version scheme";
	if (!v || !*v)
		return "empty version";
	return ops[s]->invalid(v);
}

int mamori_vuln_vercmp(vuln_scheme s, const char *a, const char *b, int *result, const char **why)
{
	const char *w = mamori_vuln_version_invalid(s, a);
	if (w) {
		if (why)
			*why = w;
		return -1;
	}
	w = mamori_vuln_version_invalid(s, b);
	if (w) {
		if (why)
			*why = w;
		return -2;
	}
	int r = ops[s]->cmp(a, b);
	*result = r < 0 ? -1 : r > 0;
	return 0;
}

int mamori_ver_digits_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	while (alen && *a == '0')
		a++, alen--;
	while (blen && *b == '0')
		b++, blen--;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	int r = memcmp(a, b, alen);
	return r < 0 ? -1 : r > 0;
}
