/*
 * The HTML report in English and Japanese (report_i18n.c, output_html.c):
 * every text of the catalogue has both languages, every key the report uses
 * is in the catalogue (read from output_html.c itself), and a Japanese
 * report carries Japanese words, escapes hostile text and stays
 * self-contained.
 */
#include "internal.h"
#include "report_i18n.h"
#include "testutil.h"

/* Texts that are the same in both languages on purpose. */
static bool same_on_purpose(const char *key)
{
	return !strcmp(key, "fact.open_pre") || !strcmp(key, "fact.passed_pre") ||
	       !strcmp(key, "fact.suppressed_pre") || !strcmp(key, "fact.archived_pre");
}

static void catalogue_is_complete(void **state)
{
	(void)state;
	size_t n;
	const mamori_message *m = mamori_report_messages(&n);
	assert_true(n > 30);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(m[i].ja);
		if (!*m[i].ja || (!strcmp(m[i].en, m[i].ja) && !same_on_purpose(m[i].key)))
			fail_msg("report text \"%s\" has no Japanese translation", m[i].key);
		if (!*m[i].en && strstr(m[i].key, "_pre") == NULL)
			fail_msg("report text \"%s\" has no English text", m[i].key);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(m[i].key, m[j].key);
	}
}

static bool in_catalogue(const char *key)
{
	size_t n;
	const mamori_message *m = mamori_report_messages(&n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].key, key))
			return true;
	return false;
}

/* Every T("key") in output_html.c, and every key built from an enum. */
static void every_key_used_is_there(void **state)
{
	(void)state;
	const char *src = getenv("MAMORI_SOURCE_DIR");
	assert_non_null(src);
	char *path = test_path(src, "src/core/output_html.c");
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_buf b = MAMORI_BUF_INIT;
	assert_int_equal(mamori_buf_read_file(ctx, &b, path, 1 << 20), MAMORI_OK);
	size_t found = 0;
	for (const char *p = b.data; (p = strstr(p, "T(\"")) != NULL; p += 3) {
		char key[64];
		size_t k = strcspn(p + 3, "\"");
		assert_true(k < sizeof key);
		memcpy(key, p + 3, k);
		key[k] = '\0';
		if (!in_catalogue(key))
			fail_msg("output_html.c uses \"%s\", which the catalogue lacks", key);
		found++;
	}
	/* the keys of the lists and the ones built with snprintf */
	for (const char *p = b.data; (p = strstr(p, "\"col.")) != NULL; p++) {
		char key[64];
		size_t k = strcspn(p + 1, "\"");
		memcpy(key, p + 1, k);
		key[k] = '\0';
		if (!in_catalogue(key))
			fail_msg("output_html.c uses \"%s\", which the catalogue lacks", key);
	}
	assert_true(found > 15);
	static const char *const built[] = {"sev.0", "sev.1", "sev.2", "sev.3", "sev.4",
					    "wf.NEW", "wf.NOTIFIED", "wf.RESOLVED", "wf.SUPPRESSED",
					    "outcome.ok", "outcome.problems", "outcome.failed",
					    "outcome.nothing to scan", "fact.open_post", "fact.passed_post",
					    "fact.suppressed_post", "fact.archived_post"};
	for (size_t i = 0; i < sizeof built / sizeof *built; i++)
		if (!in_catalogue(built[i]))
			fail_msg("the catalogue lacks \"%s\"", built[i]);
	mamori_buf_free(&b);
	mamori_ctx_free(ctx);
	free(path);
}

static char *render(const char *lang, const mamori_finding *f)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	const mamori_finding *items[] = {f};
	mamori_report_module mod = {"s3-exposure", "posture", "ok", 1, 0.5};
	mamori_report r = {.items = items, .count = 1, .generated_at = "2026-01-01T00:00:00.000Z",
			   .modules = &mod, .module_count = 1, .lang = lang};
	mamori_ctx *ctx = mamori_ctx_new();
	assert_int_equal(mamori_output_write(ctx, MAMORI_FORMAT_HTML, &r, mem), MAMORI_OK);
	fclose(mem);
	mamori_ctx_free(ctx);
	return text;
}

static void japanese_report(void **state)
{
	(void)state;
	mamori_findings fs;
	mamori_findings_init(&fs);
	mamori_finding *f = test_finding(&fs, "s3-exposure", "rule.x", "arn:aws:s3:::b");
	f->title = "<script>alert(1)</script>";
	f->remediation_text = "\"><img src=x onerror=alert(2)>";
	f->remediation_url = "javascript:alert(3)";
	f->evidence_json = "{\"x\":\"</pre><script>alert(4)</script>\"}";
	mamori_ctx *ctx = mamori_ctx_new();
	assert_int_equal(mamori_finding_finalize(ctx, &fs, f), MAMORI_OK);
	char *ja = render("ja", f), *en = render(NULL, f);
	assert_non_null(strstr(ja, "<html lang=\"ja\">"));
	assert_non_null(strstr(en, "<html lang=\"en\">"));
	static const char *const ja_words[] = {"サマリー", "検出結果", "重大度", "修正方法", "証拠",
					       "モジュール", "未対応", "正常"};
	for (size_t i = 0; i < sizeof ja_words / sizeof *ja_words; i++)
		assert_non_null(strstr(ja, ja_words[i]));
	static const char *const en_words[] = {">Summary<", ">Findings<", ">Severity<", "Fix:",
					       ">Evidence<", ">Modules<", "open findings"};
	for (size_t i = 0; i < sizeof en_words / sizeof *en_words; i++) {
		assert_non_null(strstr(en, en_words[i]));
		if (strstr(ja, en_words[i]))
			fail_msg("the Japanese report still says %s", en_words[i]);
	}
	/* escaping and self-containment hold in both languages */
	for (char *doc = ja; doc; doc = doc == ja ? en : NULL) {
		assert_null(strstr(doc, "<script>"));
		assert_null(strstr(doc, "<img"));
		assert_null(strstr(doc, "href=\"javascript:"));
		assert_null(strstr(doc, "src=\"http"));
		assert_non_null(strstr(doc, "&lt;script&gt;alert(1)&lt;/script&gt;"));
		assert_non_null(strstr(doc, "default-src 'none'"));
	}
	free(ja);
	free(en);
	mamori_ctx_free(ctx);
	mamori_findings_free(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(catalogue_is_complete),
		cmocka_unit_test(every_key_used_is_there),
		cmocka_unit_test(japanese_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
