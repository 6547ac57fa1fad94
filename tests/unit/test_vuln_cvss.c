/*
 * test_vuln_cvss.c — CVSS base scores: the FIRST specifications' own
 * examples, then 1,800 vectors scored by an independent implementation
 * (tests/unit/data/vuln/cvss-vectors.tsv, see its README).
 */
#include "testutil.h"
#include "vuln/cvss.h"

#include <math.h>

static double score(const char *v)
{
	vuln_cvss c;
	const char *why = mamori_vuln_cvss_score(v, &c);
	if (why)
		fail_msg("%s: %s", v, why);
	return c.score;
}

static void test_spec_examples(void **state)
{
	(void)state;
	/* CVSS v2 guide, section 3.3 examples: CVE-2002-0392, CVE-2003-0818, CVE-2003-0062 */
	assert_true(fabs(score("AV:N/AC:L/Au:N/C:N/I:N/A:C") - 7.8) < 1e-9);
	assert_true(fabs(score("AV:N/AC:L/Au:N/C:C/I:C/A:C") - 10.0) < 1e-9);
	assert_true(fabs(score("AV:L/AC:H/Au:N/C:C/I:C/A:C") - 6.2) < 1e-9);
	/* CVSS v3.1 specification examples document: CVE-2013-1937 (6.1),
	 * CVE-2014-0160 Heartbleed (7.5), CVE-2014-6271 Shellshock (9.8),
	 * CVE-2013-0375 (6.4) */
	assert_true(fabs(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N") - 6.1) < 1e-9);
	assert_true(fabs(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N") - 7.5) < 1e-9);
	assert_true(fabs(score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H") - 9.8) < 1e-9);
	assert_true(fabs(score("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N") - 6.4) < 1e-9);
	assert_true(fabs(score("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H") - 10.0) < 1e-9);
	/* CVSS v4.0 specification: the highest and a typical vector */
	assert_true(fabs(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H") -
			 10.0) < 1e-9);
	assert_true(fabs(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N") -
			 9.3) < 1e-9);
	assert_true(score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N") == 0.0);
	vuln_cvss c;
	assert_null(mamori_vuln_cvss_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", &c));
	assert_string_equal(c.rating, "CRITICAL");
	assert_true(c.network && c.no_privileges && c.no_interaction);
}

static void test_invalid_vectors(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",	  /* A missing */
		"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",	  /* illegal value */
		"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", /* twice */
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",  /* trailing slash */
		"CVSS:9.9/AV:N",
		"AV:N/AC:L/Au:N/C:N/I:N",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/ZZ:1",
		"garbage",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		vuln_cvss c;
		if (!mamori_vuln_cvss_score(bad[i], &c))
			fail_msg("\"%s\" should be invalid", bad[i]);
	}
}

static void test_reference_vectors(void **state)
{
	(void)state;
	const char *src = getenv("MAMORI_SOURCE_DIR");
	assert_non_null(src);
	char *path = test_path(src, "tests/unit/data/vuln/cvss-vectors.tsv");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[512];
	size_t n = 0, bad = 0, v4 = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = '\0';
		double want = atof(tab + 1);
		vuln_cvss c;
		const char *why = mamori_vuln_cvss_score(line, &c);
		n++;
		if (c.version == 40)
			v4++;
		if (why || fabs(c.score - want) > 1e-9) {
			if (bad++ < 10)
				print_error("%s: want %.1f got %.1f %s\n", line, want, c.score,
					    why ? why : "");
		}
	}
	fclose(f);
	free(path);
	assert_int_equal(n, 1800);
	assert_int_equal(v4, 600);
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_examples),
		cmocka_unit_test(test_invalid_vectors),
		cmocka_unit_test(test_reference_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
