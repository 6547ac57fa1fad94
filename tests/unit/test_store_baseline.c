/*
 * test_store_baseline.c — detection baselines in the store
 * (src/core/store_baseline.c): set union per (namespace, subject), the cap
 * per subject, reading them back from another connection, and concurrent
 * writers (shards finishing together) losing none of each other's items.
 */
#include "internal.h"
#include "store_backend.h"
#include "store_baseline.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

typedef struct fx {
	mamori_ctx *ctx;
	char *dir, *db;
	mamori_store *store;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	f->ctx = mamori_ctx_new();
	f->dir = test_tmpdir("baseline");
	f->db = test_path(f->dir, "findings.db");
	assert_int_equal(mamori_store_open(f->ctx, f->db, &f->store), MAMORI_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	mamori_store_close(f->store);
	mamori_ctx_free(f->ctx);
	free(f->db);
	free(f->dir);
	free(f);
	return 0;
}

typedef struct lookup {
	const char *ns, *subject;
	char *items;
	int seen;
} lookup;

static void find_one(void *ud, const char *ns, const char *subject, const char *items)
{
	lookup *l = ud;
	if (strcmp(ns, l->ns) == 0 && strcmp(subject, l->subject) == 0) {
		l->seen++;
		free(l->items);
		l->items = strdup(items);
	}
}

/* The stored items of one subject, read back through the public loader
 * (NULL when it is not there); a subject stored twice fails the test. */
static char *stored(fx *f, const char *ns, const char *subject)
{
	lookup l = {ns, subject, NULL, 0};
	assert_int_equal(mamori_store_baseline_load(f->ctx, f->store, find_one, &l), MAMORI_OK);
	assert_true(l.seen <= 1);
	return l.items;
}

static void test_union_and_cap(void **state)
{
	fx *f = *state;
	mamori_store_baseline_item a[] = {{"0", "arn:a", "s3\nec2\n"}, {"1", "i-1", "443\n"}};
	assert_int_equal(mamori_store_baseline_merge(f->ctx, f->store, a, 2, 4), MAMORI_OK);
	/* known items are not repeated, new ones are added up to the cap */
	mamori_store_baseline_item b[] = {{"0", "arn:a", "ec2\niam\nkms\nsts\nlambda\n"}};
	assert_int_equal(mamori_store_baseline_merge(f->ctx, f->store, b, 1, 4), MAMORI_OK);
	char *v = stored(f, "0", "arn:a");
	assert_string_equal(v, "s3\nec2\niam\nkms\n");
	free(v);
	v = stored(f, "1", "i-1");
	assert_string_equal(v, "443\n");
	free(v);
	/* namespaces are apart: the same subject in another one is another row */
	assert_null(stored(f, "1", "arn:a"));
	assert_null(stored(f, "0", "i-unknown"));
	/* an item list without a final newline, empty lines ignored */
	mamori_store_baseline_item c[] = {{"1", "i-1", "\n22\n\n443"}};
	assert_int_equal(mamori_store_baseline_merge(f->ctx, f->store, c, 1, 256), MAMORI_OK);
	v = stored(f, "1", "i-1");
	assert_string_equal(v, "443\n22\n");
	free(v);
}

typedef struct loaded {
	int n;
	char seen[8][128];
} loaded;

static void on_row(void *ud, const char *ns, const char *subject, const char *items)
{
	loaded *l = ud;
	if (l->n < 8)
		snprintf(l->seen[l->n++], 128, "%s|%s|%s", ns, subject, items);
}

static void test_load(void **state)
{
	fx *f = *state;
	loaded l = {0};
	assert_int_equal(mamori_store_baseline_load(f->ctx, f->store, on_row, &l), MAMORI_OK);
	assert_int_equal(l.n, 0);
	mamori_store_baseline_item a[] = {{"0", "arn:x", "s3\n"}, {"1", "eni-2", "22\n3389\n"}};
	assert_int_equal(mamori_store_baseline_merge(f->ctx, f->store, a, 2, 256), MAMORI_OK);
	/* another connection (a later run) reads them back */
	mamori_store *s;
	assert_int_equal(mamori_store_open(f->ctx, f->db, &s), MAMORI_OK);
	assert_int_equal(mamori_store_baseline_load(f->ctx, s, on_row, &l), MAMORI_OK);
	mamori_store_close(s);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.seen[0], "0|arn:x|s3\n");
	assert_string_equal(l.seen[1], "1|eni-2|22\n3389\n");
}

#define WRITERS 4
#define ITEMS 40

/* Shards finishing at once merge into the same subjects: nothing is lost. */
static void test_concurrent_writers(void **state)
{
	fx *f = *state;
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		assert_true(pids[w] >= 0);
		if (pids[w] == 0) {
			mamori_ctx *ctx = mamori_ctx_new();
			mamori_store *s;
			if (mamori_store_open(ctx, f->db, &s))
				_exit(10);
			for (int i = 0; i < ITEMS; i++) {
				char item[32];
				snprintf(item, sizeof item, "w%d-%d\n", w, i);
				mamori_store_baseline_item one[] = {{"0", "arn:shared", item},
								    {"1", "i-shared", item}};
				if (mamori_store_baseline_merge(ctx, s, one, 2, 1000))
					_exit(11);
			}
			mamori_store_close(s);
			mamori_ctx_free(ctx);
			_exit(0);
		}
	}
	for (int w = 0; w < WRITERS; w++) {
		int st;
		assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	const char *subjects[][2] = {{"0", "arn:shared"}, {"1", "i-shared"}};
	for (int k = 0; k < 2; k++) {
		char *v = stored(f, subjects[k][0], subjects[k][1]);
		assert_non_null(v);
		for (int w = 0; w < WRITERS; w++)
			for (int i = 0; i < ITEMS; i++) {
				char item[32];
				snprintf(item, sizeof item, "w%d-%d\n", w, i);
				assert_non_null(strstr(v, item));
			}
		size_t lines = 0;
		for (const char *p = v; *p; p++)
			lines += *p == '\n';
		assert_int_equal(lines, WRITERS * ITEMS);
		free(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_union_and_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_writers, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
