/*
 * Arena, buffers, errors (positions, excerpts, masking), UTF-8 hygiene,
 * enums and RFC 3339 times.
 */
#include "internal.h"
#include "json.h"
#include "testutil.h"
#include "yaml.h"

#include <stdalign.h>

/* An arena past 1 MiB takes 2 MiB huge-page chunks: every string stays
 * intact across the switch, big requests still get chunks of their own. */
static void arena_grows_into_huge_chunks(void **state)
{
	(void)state;
	mamori_arena a;
	mamori_arena_init(&a, 0);
	enum { N = 60000 };
	char **s = mamori_xmalloc(N * sizeof *s);
	for (int i = 0; i < N; i++) {
		s[i] = mamori_arena_printf(&a, "string %d of the arena, padded to a typical length", i);
		if (i % 5000 == 0)
			assert_non_null(mamori_arena_alloc(&a, 700000)); /* > a quarter chunk */
	}
	assert_true(a.total > (4u << 20));
	for (int i = 0; i < N; i++) {
		char want[96];
		snprintf(want, sizeof want, "string %d of the arena, padded to a typical length", i);
		assert_string_equal(s[i], want);
	}
	assert_true(((uintptr_t)mamori_arena_alloc(&a, 3) % alignof(max_align_t)) == 0);
	free(s);
	mamori_arena_free(&a);
}

static void arena_strings_and_large_blocks(void **state)
{
	(void)state;
	mamori_arena a;
	mamori_arena_init(&a, 128);
	char *s = mamori_arena_strdup(&a, "hello");
	char *big = mamori_arena_alloc(&a, 10000); /* larger than a chunk */
	memset(big, 'x', 10000);
	char *t = mamori_arena_printf(&a, "%s-%d", "n", 42);
	assert_string_equal(s, "hello");
	assert_string_equal(t, "n-42");
	assert_null(mamori_arena_strdup(&a, NULL));
	for (int i = 0; i < 1000; i++)
		assert_non_null(mamori_arena_alloc(&a, 24));
	assert_true(((uintptr_t)mamori_arena_alloc(&a, 3) % alignof(max_align_t)) == 0);
	mamori_arena_free(&a);
}

static void buf_append_and_read_file(void **state)
{
	(void)state;
	mamori_buf b = MAMORI_BUF_INIT;
	assert_string_equal(mamori_buf_cstr(&b), "");
	for (int i = 0; i < 1000; i++)
		mamori_buf_printf(&b, "%d,", i);
	assert_true(b.len > 3000);
	assert_int_equal(b.data[b.len], '\0');
	char *dir = test_tmpdir("buf");
	char *p = test_path(dir, "f.txt");
	test_write(p, "abc\n");
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_buf_reset(&b);
	assert_int_equal(mamori_buf_read_file(ctx, &b, p, 0), MAMORI_OK);
	assert_string_equal(b.data, "abc\n");
	/* a limit refuses rather than reads */
	assert_int_equal(mamori_buf_read_file(ctx, &b, p, 2), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "limit"));
	assert_int_equal(mamori_buf_read_file(ctx, &b, dir, 0), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "directory"));
	char *missing = test_path(dir, "missing");
	assert_int_equal(mamori_buf_read_file(ctx, &b, missing, 0), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, missing));
	mamori_ctx_free(ctx);
	mamori_buf_free(&b);
	free(p);
	free(missing);
	free(dir);
}

static void error_positions_and_excerpt(void **state)
{
	(void)state;
	const char *src = "line one\nline two has a bad token here\nline three\n";
	unsigned line, col;
	size_t off = (size_t)(strstr(src, "bad") - src);
	mamori_error_position(src, strlen(src), off, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 16);
	mamori_ctx *ctx = mamori_ctx_new();
	int rc = mamori_error_set_at(ctx, MAMORI_EINPUT, "f.json", src, strlen(src), off,
				     "unexpected %s", "token");
	assert_int_equal(rc, MAMORI_EINPUT);
	const mamori_error *e = mamori_error_last(ctx);
	assert_string_equal(e->message, "f.json:2:16: unexpected token");
	assert_non_null(e->excerpt);
	/* the caret sits under the 'b' of "bad" */
	const char *nl = strchr(e->excerpt, '\n');
	assert_non_null(nl);
	const char *caret = strchr(nl, '^');
	assert_int_equal((int)(caret - nl - 1), (int)(strstr(e->excerpt, "bad") - e->excerpt));
	mamori_error_prefix(ctx, "while %s", "testing");
	assert_string_equal(mamori_error_last(ctx)->message,
			    "while testing: f.json:2:16: unexpected token");
	mamori_error_clear(ctx);
	assert_int_equal(mamori_error_last(ctx)->code, MAMORI_OK);
	mamori_ctx_free(ctx);
}

static void excerpts_mask_secrets(void **state)
{
	(void)state;
	const char *src = "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY {\n";
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_error_set_at(ctx, MAMORI_EINPUT, "credentials", src, strlen(src),
			    strlen(src) - 2, "bad");
	const char *x = mamori_error_last(ctx)->excerpt;
	assert_null(strstr(x, "wJalrXUtnFEMI"));
	assert_non_null(strstr(x, "wJal****"));
	/* a password-named key masks even a short value */
	const char *src2 = "password: hunter2!\n";
	mamori_error_set_at(ctx, MAMORI_EINPUT, "c", src2, strlen(src2), 0, "bad");
	assert_null(strstr(mamori_error_last(ctx)->excerpt, "hunter2"));
	/* ordinary words stay readable */
	const char *src3 = "Resources: my-bucket-name-for-logs\n";
	mamori_error_set_at(ctx, MAMORI_EINPUT, "c", src3, strlen(src3), 0, "bad");
	assert_non_null(strstr(mamori_error_last(ctx)->excerpt, "my-bucket-name-for-logs"));
	mamori_ctx_free(ctx);
}

static void utf8_is_sanitised(void **state)
{
	(void)state;
	mamori_findings fs;
	mamori_findings_init(&fs);
	const char *bad = mamori_findings_strdup(&fs, "ok \xff\xfe and \xc0\xaf overlong, \xe3\x81\x82 ok");
	assert_string_equal(bad, "ok \xEF\xBF\xBD\xEF\xBF\xBD and \xEF\xBF\xBD\xEF\xBF\xBD overlong, "
				 "\xe3\x81\x82 ok");
	const char *surrogate = mamori_findings_strdup(&fs, "\xed\xa0\x80");
	assert_string_equal(surrogate, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
	assert_int_equal(mamori_utf8_prefix("\xe3\x81\x82\xe3\x81\x84z", 2), 6);
	mamori_findings_free(&fs);
}

static void enums_and_times(void **state)
{
	(void)state;
	assert_int_equal(mamori_severity_parse("critical"), MAMORI_SEV_CRITICAL);
	assert_int_equal(mamori_severity_parse("INFO"), MAMORI_SEV_INFORMATIONAL);
	assert_int_equal(mamori_severity_parse("urgent"), -1);
	assert_int_equal(mamori_severity_normalized(MAMORI_SEV_HIGH), 70);
	assert_int_equal(mamori_severity_from_normalized(39), MAMORI_SEV_LOW);
	assert_int_equal(mamori_severity_from_normalized(40), MAMORI_SEV_MEDIUM);
	assert_int_equal(mamori_severity_from_normalized(90), MAMORI_SEV_CRITICAL);
	assert_int_equal(mamori_severity_from_normalized(0), MAMORI_SEV_INFORMATIONAL);
	assert_int_equal(mamori_workflow_parse("suppressed"), MAMORI_WORKFLOW_SUPPRESSED);
	assert_int_equal(mamori_compliance_parse("PASSED"), MAMORI_COMPLIANCE_PASSED);
	assert_int_equal(mamori_compliance_parse(""), -1);
	assert_int_equal(mamori_record_state_parse("ARCHIVED"), MAMORI_RECORD_ARCHIVED);
	time_t t;
	assert_int_equal(mamori_time_parse("2026-11-26T03:47:44Z", &t), 0);
	char out[32];
	mamori_time_format(t, out);
	assert_string_equal(out, "2026-11-26T03:47:44.000Z");
	assert_int_equal(mamori_time_parse("2026-11-26T12:47:44.250+09:00", &t), 0);
	mamori_time_format(t, out);
	assert_string_equal(out, "2026-11-26T03:47:44.000Z");
	assert_int_equal(mamori_time_parse("2026-13-01T00:00:00Z", &t), -1);
	assert_int_equal(mamori_time_parse("2026-11-26T03:47Z", &t), -1);
	assert_int_equal(mamori_time_parse("yesterday", &t), -1);
}

static void json_errors_name_line_and_column(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	const char *trailing = "{\n  \"a\": [1, 2,],\n  \"b\": 2\n}";
	assert_null(mamori_json_parse(ctx, "t.json", trailing, strlen(trailing)));
	const mamori_error *e = mamori_error_last(ctx);
	assert_int_equal(e->code, MAMORI_EINPUT);
	assert_non_null(strstr(e->message, "t.json:2:"));
	const char *garbage = "{\"a\": 1} {\"b\": 2}";
	assert_null(mamori_json_parse(ctx, "g.json", garbage, strlen(garbage)));
	assert_non_null(strstr(mamori_error_last(ctx)->message, "g.json:1:10: "));
	assert_non_null(strstr(mamori_error_last(ctx)->message, "after the end"));
	assert_null(mamori_json_parse(ctx, "e.json", "", 0));
	assert_non_null(strstr(mamori_error_last(ctx)->message, "empty"));
	const char *unclosed = "{\"a\": \"b";
	assert_null(mamori_json_parse(ctx, "u.json", unclosed, strlen(unclosed)));
	assert_non_null(strstr(mamori_error_last(ctx)->message, "u.json:1:"));
	/* deep nesting is refused, not a stack overflow */
	mamori_buf deep = MAMORI_BUF_INIT;
	for (int i = 0; i < 100000; i++)
		mamori_buf_putc(&deep, '[');
	assert_null(mamori_json_parse(ctx, "deep.json", deep.data, deep.len));
	mamori_buf_free(&deep);
	cJSON *ok = mamori_json_parse(ctx, "ok.json", "{\"Key\": true, \"key\": \"x\"}", 25);
	assert_non_null(ok);
	assert_string_equal(mamori_json_str(ok, "key"), "x"); /* case-sensitive */
	assert_int_equal(mamori_json_bool(ok, "Key"), 1);
	cJSON_Delete(ok);
	mamori_ctx_free(ctx);
}

static void yaml_types_and_errors(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	const char *y = "a: 1\nb: 1.5\nc: true\nd: ~\ne: \"true\"\nf: [x, y]\ng: &anchor {k: v}\nh: *anchor\n"
			"i: 0x1F\n";
	cJSON *j = mamori_yaml_parse(ctx, "t.yaml", y, strlen(y));
	assert_non_null(j);
	assert_true(cJSON_IsNumber(mamori_json_get(j, "a")));
	assert_true(cJSON_IsNumber(mamori_json_get(j, "b")));
	assert_true(cJSON_IsTrue(mamori_json_get(j, "c")));
	assert_true(cJSON_IsNull(mamori_json_get(j, "d")));
	assert_string_equal(mamori_json_str(j, "e"), "true");
	assert_int_equal(cJSON_GetArraySize(mamori_json_get(j, "f")), 2);
	assert_string_equal(mamori_json_str(mamori_json_get(j, "h"), "k"), "v");
	assert_string_equal(mamori_json_str(j, "i"), "0x1F"); /* core schema: not an int */
	cJSON_Delete(j);
	const char *bad = "a: 1\nb: [unclosed\nc: 3\n";
	assert_null(mamori_yaml_parse(ctx, "bad.yaml", bad, strlen(bad)));
	assert_non_null(strstr(mamori_error_last(ctx)->message, "bad.yaml:"));
	assert_non_null(mamori_error_last(ctx)->excerpt);
	/* libfyaml 0.7.12 never returns on this one: it must not reach it */
	const char *hang = "a: >-\n% \xa0\n";
	assert_null(mamori_yaml_parse(ctx, "h.yaml", hang, strlen(hang)));
	assert_non_null(strstr(mamori_error_last(ctx)->message, "h.yaml:2:3: invalid YAML: the file is "
								 "not valid UTF-8 (byte 0xa0)"));
	mamori_ctx_free(ctx);
}

static void log_levels_and_sink(void **state)
{
	(void)state;
	assert_int_equal(mamori_log_level_parse("debug"), MAMORI_LOG_DEBUG);
	assert_int_equal(mamori_log_level_parse("loud"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arena_strings_and_large_blocks),
		cmocka_unit_test(arena_grows_into_huge_chunks),
		cmocka_unit_test(buf_append_and_read_file),
		cmocka_unit_test(error_positions_and_excerpt),
		cmocka_unit_test(excerpts_mask_secrets),
		cmocka_unit_test(utf8_is_sanitised),
		cmocka_unit_test(enums_and_times),
		cmocka_unit_test(json_errors_name_line_and_column),
		cmocka_unit_test(yaml_types_and_errors),
		cmocka_unit_test(log_levels_and_sink),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
