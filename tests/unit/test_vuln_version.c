/*
 * test_vuln_version.c — version ordering per ecosystem against the real
 * tools' answers: shared/corpora/vuln/vercmp/vercmp-dev.tsv (6,000 rows
 * labelled by dpkg, librpm, go-apk-version, node-semver, python packaging
 * and Maven's ComparableVersion) must agree 100%, and so must apk-tools'
 * own vectors.  Invalid versions — the ones the same tools refuse — are
 * checked to be rejected, not guessed.
 */
#include "testutil.h"
#include "vuln/version.h"

static int cmp(const char *scheme, const char *a, const char *b)
{
	int r = 99;
	const char *why = NULL;
	int rc = mamori_vuln_vercmp(mamori_vuln_scheme_parse(scheme), a, b, &r, &why);
	if (rc)
		fail_msg("%s: %s vs %s rejected: %s", scheme, a, b, why);
	return r;
}

static void test_oracle(void **state)
{
	(void)state;
	const char *corpora = test_corpora();
	if (!corpora)
		skip();
	char *path = test_path(corpora, "vuln/vercmp/vercmp-dev.tsv");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[4096];
	size_t rows = 0, bad = 0, per[VULN_SCHEME_COUNT] = {0};
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *eco = strtok(line, "\t"), *a = strtok(NULL, "\t"), *b = strtok(NULL, "\t"),
		     *want = strtok(NULL, "\t");
		if (!want)
			continue;
		rows++;
		vuln_scheme s = mamori_vuln_scheme_parse(eco);
		assert_int_not_equal(s, VULN_SCHEME_NONE);
		per[s]++;
		int r = 99;
		const char *why = NULL;
		if (mamori_vuln_vercmp(s, a, b, &r, &why) != 0 || r != atoi(want)) {
			if (bad++ < 10)
				print_error("%s: %s vs %s: want %s, got %d %s\n", eco, a, b, want, r,
					    why ? why : "");
		}
	}
	fclose(f);
	free(path);
	assert_int_equal(rows, 6000);
	for (int s = VULN_SCHEME_DPKG; s <= VULN_SCHEME_MAVEN; s++)
		if (s != VULN_SCHEME_GO)
			assert_int_equal(per[s], 1000);
	assert_int_equal(bad, 0);
}

static void test_apk_tools_vectors(void **state)
{
	(void)state;
	const char *corpora = test_corpora();
	if (!corpora)
		skip();
	char *path = test_path(corpora, "vuln/vercmp/apk-tools-version.data");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[1024];
	size_t n = 0, bad = 0;
	while (fgets(line, sizeof line, f)) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char a[256], op[8], b[256];
		if (sscanf(line, "%255s %7s %255s", a, op, b) != 3)
			continue;
		n++;
		int want = op[0] == '<' ? -1 : op[0] == '>' ? 1 : 0;
		/* some lines are invalid versions the reference still orders: use
		 * the comparator itself, as apk does */
		int got = mamori_ver_apk.cmp(a, b);
		got = got < 0 ? -1 : got > 0;
		if (got != want && bad++ < 10)
			print_error("apk: %s %s %s: got %d\n", a, op, b, got);
	}
	fclose(f);
	free(path);
	assert_int_equal(n, 729);
	assert_int_equal(bad, 0);
}

/* the facts the corpus README lists, and more from the reference tools */
static void test_known_orderings(void **state)
{
	(void)state;
	assert_int_equal(cmp("dpkg", "1.0", "1.0-0"), 0);
	assert_int_equal(cmp("dpkg", "1.01", "1.1"), 0);
	assert_int_equal(cmp("dpkg", "1.0~", "1.0"), -1);
	assert_int_equal(cmp("dpkg", "1.0a", "1.0+"), -1);
	assert_int_equal(cmp("dpkg", "1:0.9", "2.0"), 1);
	assert_int_equal(cmp("dpkg", "3.0.11-1~deb12u1", "3.0.11-1~deb12u2"), -1);
	assert_int_equal(cmp("dpkg", "2.36-9+deb12u4", "2.36-9+deb12u10"), -1);
	assert_int_equal(cmp("rpm", "1.0~rc1", "1.0"), -1);
	assert_int_equal(cmp("rpm", "1.0", "1.0^git1"), -1);
	assert_int_equal(cmp("rpm", "1.0^git1", "1.0.1"), -1);
	assert_int_equal(cmp("rpm", "1.0a", "1.0.a"), 0);
	assert_int_equal(cmp("rpm", "1_0", "1.0"), 0);
	assert_int_equal(cmp("rpm", "a", "1"), -1);
	assert_int_equal(cmp("rpm", "1.0", "1.0-1"), -1);
	assert_int_equal(cmp("rpm", "2.0", "1:1.0"), -1);
	assert_int_equal(cmp("rpm", "1:3.0.8-1.amzn2023.0.4", "1:3.0.8-1.amzn2023.0.9"), -1);
	assert_int_equal(cmp("apk", "1.01", "1.1"), -1);
	assert_int_equal(cmp("apk", "1.1_alpha1", "1.1"), -1);
	assert_int_equal(cmp("apk", "1.0", "1.0_p1"), -1);
	assert_int_equal(cmp("apk", "1.0_alpha", "1.0"), 1);
	assert_int_equal(cmp("apk", "1.0-r0", "1.0"), 1);
	assert_int_equal(cmp("apk", "3.0.12-r1", "3.0.12-r2"), -1);
	assert_int_equal(cmp("pep440", "1.0", "1.0.0"), 0);
	assert_int_equal(cmp("pep440", "1.0rc1", "1.0c1"), 0);
	assert_int_equal(cmp("pep440", "1.0-1", "1.0.post1"), 0);
	assert_int_equal(cmp("pep440", "1.0.dev0", "1.0a1"), -1);
	assert_int_equal(cmp("pep440", "1.0+local", "1.0"), 1);
	assert_int_equal(cmp("pep440", "v1.0", "1.0"), 0);
	assert_int_equal(cmp("pep440", "1!0.1", "2.0"), 1);
	assert_int_equal(cmp("maven", "1.0", "1.0.RELEASE"), 0);
	assert_int_equal(cmp("maven", "1.0", "1-ga"), 0);
	assert_int_equal(cmp("maven", "1.0-alpha", "1.0-SNAPSHOT"), -1);
	assert_int_equal(cmp("maven", "1.0-SNAPSHOT", "1.0"), -1);
	assert_int_equal(cmp("maven", "1.0", "1.0-sp1"), -1);
	assert_int_equal(cmp("maven", "1.0", "1.0.0-jre"), -1);
	assert_int_equal(cmp("maven", "2.14.1", "2.15.0"), -1);
	assert_int_equal(cmp("semver", "1.0.0-alpha", "1.0.0-alpha.1"), -1);
	assert_int_equal(cmp("semver", "1.0.0-alpha.beta", "1.0.0-beta"), -1);
	assert_int_equal(cmp("semver", "1.0.0-beta.11", "1.0.0-rc.1"), -1);
	assert_int_equal(cmp("semver", "1.0.0-rc.1", "1.0.0"), -1);
	assert_int_equal(cmp("semver", "1.0.0+build.1", "1.0.0+build.2"), 0);
	assert_int_equal(cmp("semver", " 1.2.3 ", "1.2.3"), 0);
	/* Go: v prefix optional (OSV omits it), +incompatible ignored,
	 * pseudo-versions are prereleases */
	assert_int_equal(cmp("go", "v2.0.0+incompatible", "2.0.0"), 0);
	assert_int_equal(cmp("go", "v0.0.0-20211111083644-e5c967477495", "0.4.0"), -1);
	assert_int_equal(cmp("go", "v1.2", "v1.2.0"), 0);
	assert_int_equal(cmp("go", "v1", "v1.0.0"), 0);
	/* RubyGems: prerelease segments, trailing zeros */
	assert_int_equal(cmp("rubygems", "1.0.0", "1"), 0);
	assert_int_equal(cmp("rubygems", "1.0.0.a", "1.0.0"), -1);
	assert_int_equal(cmp("rubygems", "1.0.0-rc1", "1.0.0"), -1);
	assert_int_equal(cmp("rubygems", "1.9.3", "1.10.0"), -1);
	assert_int_equal(cmp("rubygems", "2.0.0.rc2", "2.0.0.rc10"), -1);
	/* Composer: normalised then PHP version_compare */
	assert_int_equal(cmp("composer", "v1.2.3", "1.2.3.0"), 0);
	assert_int_equal(cmp("composer", "1.0.0-beta2", "1.0.0-RC1"), -1);
	assert_int_equal(cmp("composer", "1.0.0-RC1", "1.0.0"), -1);
	assert_int_equal(cmp("composer", "1.0.0", "1.0.0-patch1"), -1);
	assert_int_equal(cmp("composer", "1.0.0-dev", "1.0.0-alpha"), -1);
	assert_int_equal(cmp("composer", "5.4.10", "5.4.9"), 1);
}

/* strings the reference tools refuse (dpkg errors and warnings, node-semver
 * valid() == null, packaging.InvalidVersion, go-apk-version Valid()) */
static void test_invalid_rejected(void **state)
{
	(void)state;
	static const struct {
		const char *scheme, *v;
	} bad[] = {
		{"dpkg", "1:"},		{"dpkg", ":1.0"},	  {"dpkg", "a:1.0"},
		{"dpkg", "1.0-"},	{"dpkg", "abc"},	  {"dpkg", "1.0 1"},
		{"dpkg", "1.0_1"},	{"dpkg", "1.0-1_2"},	  {"dpkg", "99999999999:1"},
		{"dpkg", "1.0!"},	{"semver", "1.2"},	  {"semver", "=1.2.3"},
		{"semver", "01.2.3"},	{"semver", "1.2.3-01"},	  {"semver", "1.2.3-"},
		{"semver", "1.2.3+"},	{"semver", "1.2.3+a..b"}, {"semver", "1.2.3.4"},
		{"semver", "9007199254740992.0.0"},		  {"pep440", "1.0-"},
		{"pep440", "1.0_"},	{"pep440", "1.0+"},	  {"pep440", "1.0+a..b"},
		{"pep440", "1!"},	{"pep440", "1.0..1"},	  {"pep440", "latest"},
		{"apk", "1.0bc"},	{"apk", "1.0-"},	  {"apk", "1.0_foo"},
		{"apk", "abc"},		{"go", "1.2"},		  {"rubygems", "a.b"},
		{"rubygems", "1..2"},	{"composer", "dev-master"}, {"composer", "latest"},
		{"rpm", "1.0 1"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		vuln_scheme s = mamori_vuln_scheme_parse(bad[i].scheme);
		const char *why = mamori_vuln_version_invalid(s, bad[i].v);
		if (!why)
			fail_msg("%s \"%s\" should be invalid", bad[i].scheme, bad[i].v);
		int r;
		assert_int_equal(mamori_vuln_vercmp(s, bad[i].v, "1.0.0", &r, NULL), -1);
		assert_int_equal(mamori_vuln_vercmp(s, "1.0.0", bad[i].v, &r, NULL), -2);
	}
	/* and these the same tools accept */
	static const struct {
		const char *scheme, *v;
	} good[] = {
		{"dpkg", "1.0-a-b"}, {"dpkg", "0:1-1"}, {"dpkg", "1:2.0:3-1"}, {"semver", "1.2.3-0a"},
		{"semver", "v1.2.3"}, {"pep440", "1.0a."}, {"pep440", "1.0a-"}, {"pep440", "1.0-r"},
		{"pep440", "1.0.post"}, {"pep440", " 1.0 "}, {"pep440", "1.0dev-1"},
		{"pep440", "1.0a1.post2.dev3+x.y"}, {"maven", "anything-goes"},
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		const char *why = mamori_vuln_version_invalid(mamori_vuln_scheme_parse(good[i].scheme),
							      good[i].v);
		if (why)
			fail_msg("%s \"%s\" should be valid: %s", good[i].scheme, good[i].v, why);
	}
	assert_non_null(mamori_vuln_version_invalid(VULN_SCHEME_DPKG, ""));
	assert_int_equal(mamori_vuln_scheme_parse("nonsense"), VULN_SCHEME_NONE);
}

/* A modifier followed by more digits than the normal form holds used to
 * loop for ever (found by fuzz_vuln_version); now it is refused. */
static void test_composer_long_modifier_refused(void **state)
{
	(void)state;
	char v[400] = "1.0-p";
	for (size_t i = strlen(v); i < sizeof v - 1; i++)
		v[i] = i % 50 == 0 ? '-' : '6';
	v[sizeof v - 1] = '\0';
	assert_non_null(mamori_vuln_version_invalid(VULN_SCHEME_COMPOSER, v));
	int r = 0;
	assert_int_not_equal(mamori_vuln_vercmp(VULN_SCHEME_COMPOSER, "0", v, &r, NULL), 0);
	assert_null(mamori_vuln_version_invalid(VULN_SCHEME_COMPOSER, "1.0-p1.2"));
}

static void test_scheme_names(void **state)
{
	(void)state;
	assert_int_equal(mamori_vuln_scheme_parse("Debian:12"), VULN_SCHEME_DPKG);
	assert_int_equal(mamori_vuln_scheme_parse("Ubuntu:22.04:LTS"), VULN_SCHEME_DPKG);
	assert_int_equal(mamori_vuln_scheme_parse("Alpine:v3.19"), VULN_SCHEME_APK);
	assert_int_equal(mamori_vuln_scheme_parse("Amazon Linux:2023"), VULN_SCHEME_RPM);
	assert_int_equal(mamori_vuln_scheme_parse("crates.io"), VULN_SCHEME_SEMVER);
	assert_int_equal(mamori_vuln_scheme_parse("PyPI"), VULN_SCHEME_PEP440);
	assert_int_equal(mamori_vuln_scheme_parse("Go"), VULN_SCHEME_GO);
	assert_int_equal(mamori_vuln_scheme_parse("Packagist"), VULN_SCHEME_COMPOSER);
	assert_int_equal(mamori_vuln_scheme_parse("OSS-Fuzz"), VULN_SCHEME_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oracle),
		cmocka_unit_test(test_apk_tools_vectors),
		cmocka_unit_test(test_known_orderings),
		cmocka_unit_test(test_invalid_rejected),
		cmocka_unit_test(test_scheme_names),
		cmocka_unit_test(test_composer_long_modifier_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
