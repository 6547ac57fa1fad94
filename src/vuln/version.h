/*
 * version.h — version ordering per packaging ecosystem, exactly as the
 * reference tools order versions.
 *
 * Vulnerability scanners are judged by their false positives, and most of
 * those come from comparing versions the way the wrong tool would: an epoch
 * ignored, a `~` sorted after the release, a distro revision read as
 * upstream.  One file per scheme (ver_<scheme>.c) ports the reference
 * algorithm: dpkg's verrevcmp, rpm's rpmvercmp/rpmverCmp, apk-tools 2.x,
 * node-semver (npm, crates.io, Go with its `v` prefix and +incompatible),
 * Python's packaging.version (PEP 440), Maven's ComparableVersion,
 * RubyGems' Gem::Version and Composer's version_compare after
 * normalisation.  Each scheme also says which strings it rejects: an
 * invalid version is an error, never a guess.  tests/unit/test_vuln_version.c
 * holds them to the oracle rows in shared/corpora/vuln/vercmp/.
 */
#ifndef MAMORI_VULN_VERSION_H
#define MAMORI_VULN_VERSION_H

#include <stdbool.h>
#include <stddef.h>

typedef enum vuln_scheme {
	VULN_SCHEME_NONE = 0,
	VULN_SCHEME_DPKG,
	VULN_SCHEME_RPM,
	VULN_SCHEME_APK,
	VULN_SCHEME_SEMVER,
	VULN_SCHEME_GO,
	VULN_SCHEME_PEP440,
	VULN_SCHEME_MAVEN,
	VULN_SCHEME_RUBYGEMS,
	VULN_SCHEME_COMPOSER,
	VULN_SCHEME_COUNT,
} vuln_scheme;

/* "dpkg", "rpm", "apk", "semver", "go", "pep440", "maven", "rubygems",
 * "composer" (the oracle files' names); also OSV ecosystem names
 * ("Debian:12", "npm", "PyPI", ...).  VULN_SCHEME_NONE if unknown. */
vuln_scheme mamori_vuln_scheme_parse(const char *name);
const char *mamori_vuln_scheme_name(vuln_scheme s);

/*
 * Compare a and b.  Returns 0 and sets *result to -1, 0 or 1; or -1 when a
 * (or -2 when b) is not a valid version of the scheme, with the reason in
 * *why (a static string) when why is not NULL.
 */
int mamori_vuln_vercmp(vuln_scheme s, const char *a, const char *b, int *result, const char **why);

/* NULL if v is valid, else why it is not. */
const char *mamori_vuln_version_invalid(vuln_scheme s, const char *v);

/* Per-scheme entry points (ver_<scheme>.c): same contract, reason on error. */
typedef struct vuln_vercmp_ops {
	/* NULL when valid */
	const char *(*invalid)(const char *v);
	/* both valid; -1, 0, 1 */
	int (*cmp)(const char *a, const char *b);
} vuln_vercmp_ops;

extern const vuln_vercmp_ops mamori_ver_dpkg, mamori_ver_rpm, mamori_ver_apk, mamori_ver_semver,
	mamori_ver_go, mamori_ver_pep440, mamori_ver_maven, mamori_ver_rubygems,
	mamori_ver_composer;

/* Shared by schemes: compare two runs of ASCII digits numerically, without
 * overflow (leading zeros ignored). */
int mamori_ver_digits_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
