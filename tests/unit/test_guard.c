/*
 * test_guard.c — the Guard engine against cfn-guard 3.1.1's own answers.
 *
 * tests/guard/semantics.yaml holds rules, documents and the verdicts the
 * real cfn-guard gives (tests/guard/check_semantics.py re-checks them against
 * the binary in the corpus tests); every case is evaluated here.  The other
 * tests pin the loaders (typing, intrinsics, positions, depth limits), the
 * rules parser's error messages, and the helpers cfn-guard's behaviour rests
 * on (Rust number formatting, key case conversions, regex_replace).
 */
#include "testutil.h"

#include "guard/eval.h"
#include "guard/guard.h"
#include "guard/inflect.h"
#include "guard/load.h"
#include "guard/parse.h"

static char *source_file(const char *rel)
{
	const char *src = getenv("MAMORI_SOURCE_DIR");
	assert_non_null(src);
	return test_path(src, rel);
}

static const mg_value *get(const mg_value *m, const char *k)
{
	return mg_map_get(m, k, strlen(k));
}

static char *str_of(const mg_value *v)
{
	char *s = malloc(v->s.len + 1);
	memcpy(s, v->s.p, v->s.len);
	s[v->s.len] = '\0';
	return s;
}

/* Evaluate one case; returns the number of mismatches (and prints them). */
static int run_case(mamori_ctx *ctx, const mg_value *c)
{
	const mg_value *name = get(c, "name"), *rules = get(c, "rules"), *data = get(c, "data");
	const mg_value *expect = get(c, "expect");
	assert_non_null(name);
	assert_non_null(rules);
	assert_non_null(data);
	assert_non_null(expect);
	char *cname = str_of(name);
	mamori_guard_rules rs;
	mamori_guard_rules_init(&rs);
	int bad = 0;
	if (mamori_guard_rules_add_text(ctx, &rs, "r.guard", rules->s.p, rules->s.len)) {
		fprintf(stderr, "%s: rules do not parse: %s\n", cname, mamori_error_last(ctx)->message);
		bad++;
		goto out;
	}
	mamori_guard_inputs in = {0};
	mamori_guard_inputs_add_text(&in, "data.yaml", data->s.p, data->s.len);
	mamori_guard_options o = {.threads = 1, .evidence = true};
	mamori_guard_report rep;
	assert_int_equal(mamori_guard_evaluate(ctx, &rs, &in, &o, &rep), MAMORI_OK);
	assert_int_equal(rep.count, 1);
	const mamori_guard_pair *p = &rep.pairs[0];
	const mg_rules_file *rf = rs.files[0];
	if (expect->type == MG_STRING) {
		if (!p->error) {
			fprintf(stderr, "%s: expected ERROR, got verdicts\n", cname);
			bad++;
		}
	} else if (p->error) {
		fprintf(stderr, "%s: unexpected error: %s\n", cname, p->error);
		bad++;
	} else {
		assert_int_equal(expect->map.n, rf->nnames);
		for (uint32_t i = 0; i < expect->map.n; i++) {
			char *rule = str_of(expect->map.k[i]);
			char *want = str_of(expect->map.v[i]);
			bool found = false;
			for (uint32_t n = 0; n < rf->nnames; n++)
				if (strcmp(rf->names[n], rule) == 0) {
					found = true;
					if (strcmp(mg_status_name(p->status[n]), want) != 0) {
						fprintf(stderr, "%s: rule %s: expected %s, got %s\n", cname,
							rule, want, mg_status_name(p->status[n]));
						bad++;
					}
				}
			if (!found) {
				fprintf(stderr, "%s: no rule %s\n", cname, rule);
				bad++;
			}
			free(rule);
			free(want);
		}
	}
	mamori_guard_report_free(&rep);
	mamori_guard_inputs_free(&in);
out:
	mamori_guard_rules_free(&rs);
	free(cname);
	return bad;
}

static void semantics_pinned_against_cfn_guard(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	char *path = source_file("tests/guard/semantics.yaml");
	mamori_buf b = MAMORI_BUF_INIT;
	assert_int_equal(mamori_buf_read_file(ctx, &b, path, 0), MAMORI_OK);
	mamori_arena a;
	mamori_arena_init(&a, 0);
	mg_docs docs;
	assert_int_equal(mg_load(ctx, path, b.data, b.len, &a, &docs), MAMORI_OK);
	const mg_value *cases = docs.roots[0];
	assert_int_equal(cases->type, MG_LIST);
	assert_true(cases->list.n >= 30);
	int bad = 0;
	for (uint32_t i = 0; i < cases->list.n; i++)
		bad += run_case(ctx, cases->list.v[i]);
	assert_int_equal(bad, 0);
	mamori_arena_free(&a);
	mamori_buf_free(&b);
	free(path);
	mamori_ctx_free(ctx);
}

static const mg_value *load1(mamori_ctx *ctx, mamori_arena *a, const char *text)
{
	mg_docs d;
	int rc = mg_load(ctx, "t", text, strlen(text), a, &d);
	if (rc)
		return NULL;
	return d.roots[0];
}

static void loader_typing_and_intrinsics(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_arena a;
	mamori_arena_init(&a, 0);
	const mg_value *r = load1(ctx, &a,
				  "a: 1\nb: 1.0\nc: \"1\"\nd: true\ne: ~\nf: !Ref X\n"
				  "g: !GetAtt [R, Arn]\nh: !Sub 'x'\n");
	assert_non_null(r);
	assert_int_equal(get(r, "a")->type, MG_INT);
	assert_int_equal(get(r, "b")->type, MG_FLOAT);
	assert_int_equal(get(r, "c")->type, MG_STRING);
	assert_int_equal(get(r, "d")->type, MG_BOOL);
	assert_int_equal(get(r, "e")->type, MG_NULL);
	const mg_value *ref = get(get(r, "f"), "Ref");
	assert_non_null(ref);
	assert_int_equal(ref->type, MG_STRING);
	const mg_value *ga = get(get(r, "g"), "Fn::GetAtt");
	assert_non_null(ga);
	assert_int_equal(ga->type, MG_LIST);
	assert_int_equal(ga->list.n, 2);
	assert_non_null(get(get(r, "h"), "Fn::Sub"));
	/* JSON: the fast path, same typing; a repeated key keeps its first place */
	r = load1(ctx, &a, "{\"n\": 12345678901234567890, \"i\": -0, \"k\": 1, \"x\": 2, \"k\": 3}");
	assert_non_null(r);
	assert_int_equal(get(r, "n")->type, MG_FLOAT);
	assert_int_equal(get(r, "i")->type, MG_INT);
	assert_int_equal(r->map.n, 4);
	assert_int_equal(get(r, "k")->i, 3);
	assert_int_equal(r->map.v[2]->i, 3);
	/* paths and positions */
	r = load1(ctx, &a, "Resources:\n  B:\n    Type: X\n");
	const mg_value *t = get(get(get(r, "Resources"), "B"), "Type");
	mamori_buf p = MAMORI_BUF_INIT;
	mg_path(t, &p);
	assert_string_equal(p.data, "/Resources/B/Type");
	assert_int_equal(t->line, 3);
	assert_int_equal(t->col, 11);
	mamori_buf_free(&p);
	mamori_arena_free(&a);
	mamori_ctx_free(ctx);
}

static void loader_errors_and_depth(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_arena a;
	mamori_arena_init(&a, 0);
	mg_docs d;
	const char *bad = "a: [\n  1,\n";
	assert_int_equal(mg_load(ctx, "bad.yaml", bad, strlen(bad), &a, &d), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "bad.yaml:"));
	/* 100,000 nested lists: refused with a message, never a stack overflow */
	size_t n = 100000;
	char *deep = malloc(2 * n + 1);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	deep[2 * n] = '\0';
	assert_int_equal(mg_load(ctx, "deep.json", deep, 2 * n, &a, &d), MAMORI_EINPUT);
	assert_non_null(strstr(mamori_error_last(ctx)->message, "nested deeper"));
	/* the same in YAML flow and block form */
	memset(deep, '[', n);
	assert_int_equal(mg_load(ctx, "deep.yaml", deep, n, &a, &d), MAMORI_EINPUT);
	free(deep);
	/* aliases resolve; an empty file is an error; multi-document streams */
	assert_int_equal(mg_load(ctx, "e", "  \n", 3, &a, &d), MAMORI_EINPUT);
	const char *multi = "a: 1\n---\na: 2\n";
	assert_int_equal(mg_load(ctx, "m", multi, strlen(multi), &a, &d), MAMORI_OK);
	assert_int_equal(d.count, 2);
	const char *alias = "x: &p {k: 1}\ny: *p\n";
	assert_int_equal(mg_load(ctx, "al", alias, strlen(alias), &a, &d), MAMORI_OK);
	assert_int_equal(get(get(d.roots[0], "y"), "k")->i, 1);
	mamori_arena_free(&a);
	mamori_ctx_free(ctx);
}

static void rules_syntax_errors_have_position_and_caret(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mg_rules_file *rf = NULL;
	const char *text = "rule x {\n  Resources.* {\n    Type == \n  }\n}\n";
	assert_int_equal(mg_rules_parse(ctx, "bad.guard", text, strlen(text), &rf), MAMORI_EINPUT);
	const mamori_error *e = mamori_error_last(ctx);
	assert_non_null(strstr(e->message, "bad.guard:"));
	assert_non_null(strstr(e->message, "expected"));
	assert_non_null(e->excerpt);
	assert_non_null(strchr(e->excerpt, '^'));
	/* a block cannot be empty; a rule reference must end its line */
	const char *empty = "rule x { }\n";
	assert_int_equal(mg_rules_parse(ctx, "e.guard", empty, strlen(empty), &rf), MAMORI_EINPUT);
	const char *ref = "rule x { y }\nrule y { a exists }\n";
	assert_int_equal(mg_rules_parse(ctx, "r.guard", ref, strlen(ref), &rf), MAMORI_EINPUT);
	/* deep nesting of rules is refused, not a crash */
	mamori_buf deep = MAMORI_BUF_INIT;
	mamori_buf_puts(&deep, "rule x {\n");
	for (int i = 0; i < 5000; i++)
		mamori_buf_puts(&deep, "a {\n");
	assert_int_equal(mg_rules_parse(ctx, "d.guard", deep.data, deep.len, &rf), MAMORI_EINPUT);
	mamori_buf_free(&deep);
	/* comments only: no rules, not an error */
	assert_int_equal(mg_rules_parse(ctx, "c.guard", "# nothing\n", 10, &rf), MAMORI_OK);
	assert_null(rf);
	mamori_ctx_free(ctx);
}

static void rust_number_formatting_and_case_conversions(void **state)
{
	(void)state;
	static const struct {
		double f;
		const char *s;
	} nums[] = {{100.0, "100"},   {1.5, "1.5"},	  {1e20, "100000000000000000000"},
		    {0.0001, "0.0001"}, {-2.25, "-2.25"}, {1e-19, "0.0000000000000000001"}};
	for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
		mamori_buf b = MAMORI_BUF_INIT;
		mg_fmt_f64_rust(nums[i].f, &b);
		assert_string_equal(b.data, nums[i].s);
		mamori_buf_free(&b);
	}
	/* serde_json / serde_yaml (ryu): cfn-guard's parse tree and reports */
	static const struct {
		double f;
		const char *s;
	} ryu[] = {{5.0, "5.0"},	  {100.0, "100.0"},	 {0.0001, "0.0001"},
		   {1.5e-7, "1.5e-7"},	  {1e16, "1e16"},	 {1.2345678901234568e16, "1.2345678901234568e16"},
		   {1e15, "1000000000000000.0"}, {-2.5, "-2.5"}, {0.0, "0.0"},
		   {0.00001, "0.00001"}, {0.000001, "1e-6"},	  {123.456, "123.456"}};
	for (size_t i = 0; i < sizeof ryu / sizeof ryu[0]; i++) {
		mamori_buf b = MAMORI_BUF_INIT;
		mg_fmt_f64_ryu(ryu[i].f, &b);
		assert_string_equal(b.data, ryu[i].s);
		mamori_buf_free(&b);
	}
	static const struct {
		int conv;
		const char *in, *out;
	} conv[] = {{MG_CONV_CAMEL, "BucketName", "bucketName"},
		    {MG_CONV_PASCAL, "bucket_name", "BucketName"},
		    {MG_CONV_SNAKE, "BucketName", "bucket_name"},
		    {MG_CONV_KEBAB, "BucketName", "bucket-name"},
		    {MG_CONV_TITLE, "bucketName", "Bucket Name"},
		    {MG_CONV_TRAIN, "bucket_name", "Bucket-Name"},
		    {MG_CONV_CLASS, "tag_values", "TagValue"}};
	for (size_t i = 0; i < sizeof conv / sizeof conv[0]; i++) {
		mamori_buf b = MAMORI_BUF_INIT;
		mg_inflect(conv[i].conv, conv[i].in, strlen(conv[i].in), &b);
		assert_string_equal(b.data, conv[i].out);
		mamori_buf_free(&b);
	}
}

static void threads_give_the_same_results(void **state)
{
	(void)state;
	const char *corpora = test_corpora();
	if (!corpora) {
		print_message("SKIP: MAMORI_CORPORA is not available\n");
		return;
	}
	mamori_ctx *ctx = mamori_ctx_new();
	char *rules = test_path(corpora, "guard/control-tower/rules/s3");
	char *data = test_path(corpora, "guard/templates/aws-cloudformation-templates");
	mamori_guard_rules rs;
	mamori_guard_rules_init(&rs);
	assert_int_equal(mamori_guard_rules_add_path(ctx, &rs, rules), MAMORI_OK);
	mamori_guard_inputs in = {0};
	assert_int_equal(mamori_guard_inputs_add_path(ctx, &in, data), MAMORI_OK);
	mamori_guard_report one, four;
	mamori_guard_options o1 = {.threads = 1}, o4 = {.threads = 4};
	assert_int_equal(mamori_guard_evaluate(ctx, &rs, &in, &o1, &one), MAMORI_OK);
	assert_int_equal(mamori_guard_evaluate(ctx, &rs, &in, &o4, &four), MAMORI_OK);
	assert_int_equal(one.count, four.count);
	assert_true(one.count > 100);
	for (size_t i = 0; i < one.count; i++) {
		assert_string_equal(one.pairs[i].data_name, four.pairs[i].data_name);
		assert_int_equal(one.pairs[i].overall, four.pairs[i].overall);
	}
	mamori_guard_report_free(&one);
	mamori_guard_report_free(&four);
	mamori_guard_inputs_free(&in);
	mamori_guard_rules_free(&rs);
	free(rules);
	free(data);
	mamori_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(semantics_pinned_against_cfn_guard),
		cmocka_unit_test(loader_typing_and_intrinsics),
		cmocka_unit_test(loader_errors_and_depth),
		cmocka_unit_test(rules_syntax_errors_have_position_and_caret),
		cmocka_unit_test(rust_number_formatting_and_case_conversions),
		cmocka_unit_test(threads_give_the_same_results),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
