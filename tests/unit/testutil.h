/*
 * testutil.h — small helpers shared by the cmocka unit tests.
 */
#ifndef MAMORI_TESTUTIL_H
#define MAMORI_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mamori/mamori.h"

/* A fresh directory for this test under $MAMORI_TEST_TMP (or /tmp). */
static inline char *test_tmpdir(const char *name)
{
	const char *base = getenv("MAMORI_TEST_TMP");
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0700);
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/%s-XXXXXX", base, name);
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	return strdup(dir);
}

static inline char *test_path(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *p = malloc(n);
	snprintf(p, n, "%s/%s", dir, file);
	return p;
}

static inline void test_write(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* The corpora root, or NULL (tests that need it skip). */
static inline const char *test_corpora(void)
{
	const char *c = getenv("MAMORI_CORPORA");
	struct stat st;
	if (!c || stat(c, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return c;
}

/* Fill the descriptive fields of a finding so that it finalizes. */
static inline mamori_finding *test_finding(mamori_findings *fs, const char *module,
					   const char *rule, const char *resource)
{
	mamori_finding *f = mamori_findings_add(fs);
	f->module = module;
	f->pillar = "posture";
	f->generator_id = rule;
	f->aws_account_id = "111122223333";
	f->region = "us-east-1";
	f->title = "A test finding";
	f->description = "Something is wrong.";
	f->severity = MAMORI_SEV_HIGH;
	mamori_finding_add_type(fs, f, "Software and Configuration Checks/AWS Security Best Practices");
	mamori_finding_add_resource(fs, f, "AwsS3Bucket", resource);
	return f;
}

#endif
