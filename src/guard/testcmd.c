/*
 * testcmd.c — `mamori guard test`: cfn-guard's rule unit tests.
 *
 * A test file (YAML or JSON) is a list of cases:
 *   - name: S3 bucket without logging, FAIL
 *     input: { Resources: ... }          (any document; short-form tags ok)
 *     expectations:
 *       rules: { RULE_NAME: PASS | FAIL | SKIP, ... }
 * Each input is evaluated with the rules file; a rule meets its expectation
 * when one of its blocks has the expected status (cfn-guard's reading when a
 * name has several blocks).  The results are kept per case (passed, failed
 * with what was evaluated, rules without an expectation) and then written
 * in cfn-guard's formats: its text report, or its structured report as
 * JSON, YAML or JUnit.
 */
#include "guard.h"

#include "eval.h"
#include "load.h"
#include "report.h"

#include <stdlib.h>
#include <string.h>

struct mamori_guard_test_rule {
	char *name;
	int expected;	   /* MG_PASS/FAIL/SKIP, -1 for none or an unknown status */
	char *expected_as; /* the expectation as written */
	int evaluated[3];  /* this rule's statuses, block order, without repeats */
	int nevaluated;
};

struct mamori_guard_test_case {
	char *name;
	char *error; /* the evaluation failed */
	char *checks; /* -v: the failing checks */
	struct mamori_guard_test_rule *rules;
	size_t count;
};

struct mamori_guard_test_file {
	char *rules_file;
	struct mamori_guard_test_case *cases;
	size_t count;
};

static const mg_value *field(const mg_value *m, const char *k)
{
	return mg_map_get(m, k, strlen(k));
}

static int parse_status(const mg_value *v)
{
	if (!v || v->type != MG_STRING)
		return -1;
	static const char *const names[] = {"PASS", "FAIL", "SKIP"};
	static const int status[] = {MG_PASS, MG_FAIL, MG_SKIP};
	for (int i = 0; i < 3; i++)
		if (v->s.len == strlen(names[i]) && memcmp(v->s.p, names[i], v->s.len) == 0)
			return status[i];
	return -1;
}

static bool met(const struct mamori_guard_test_rule *r)
{
	for (int s = 0; s < r->nevaluated; s++)
		if (r->evaluated[s] == r->expected)
			return true;
	return false;
}

static char *failing_checks(mg_eval *ev, const mg_rule_result *rr, const mg_rules_file *rf)
{
	mamori_buf out = MAMORI_BUF_INIT;
	for (uint32_t k = 0; k < rf->nrules; k++)
		for (uint32_t q = 0; q < rr[k].rec_count; q++) {
			const mg_record *r = &ev->recs[rr[k].rec_start + q];
			mamori_buf b = MAMORI_BUF_INIT;
			const mg_value *at = r->lhs ? r->lhs : r->ur ? r->ur->traversed_to : NULL;
			if (at)
				mg_path(at, &b);
			mamori_buf_printf(&out, "    %s: %s failed at %s\n", rf->rules[k]->name,
					  r->clause && r->clause->text ? r->clause->text : "check",
					  b.data && *b.data ? b.data : "/");
			mamori_buf_free(&b);
		}
	return mamori_buf_detach(&out);
}

/* the rule results of one case */
static void case_rules(struct mamori_guard_test_case *tc, const mg_rules_file *rf,
		       const mg_rule_result *rr, const mg_value *exp)
{
	tc->rules = mamori_xcalloc(rf->nnames ? rf->nnames : 1, sizeof *tc->rules);
	for (uint32_t n = 0; n < rf->nnames; n++) {
		struct mamori_guard_test_rule *r = &tc->rules[tc->count++];
		/* cfn-guard's test names the default rule after the rules file */
		if (strcmp(rf->names[n], "default") == 0) {
			mamori_buf d = MAMORI_BUF_INIT;
			mamori_buf_printf(&d, "%s/default", rf->path);
			r->name = mamori_buf_detach(&d);
		} else {
			r->name = mamori_xstrdup(rf->names[n]);
		}
		for (uint32_t k = 0; k < rf->nrules; k++) {
			if (rf->rules[k]->name_id != n)
				continue;
			bool seen = false;
			for (int s = 0; s < r->nevaluated; s++)
				seen |= r->evaluated[s] == rr[k].status;
			if (!seen && r->nevaluated < 3)
				r->evaluated[r->nevaluated++] = rr[k].status;
		}
		const mg_value *e = mg_map_get(exp, r->name, strlen(r->name));
		r->expected = parse_status(e);
		if (e) {
			mamori_buf t = MAMORI_BUF_INIT;
			if (e->type == MG_STRING)
				mamori_buf_append(&t, e->s.p, e->s.len);
			else
				mg_to_json(e, &t);
			r->expected_as = mamori_buf_detach(&t);
		}
	}
}

int mamori_guard_run_test_file(mamori_ctx *ctx, const mamori_guard_rules *rs, size_t rules_index,
			       const char *test_path, bool verbose, mamori_guard_test_file **out)
{
	*out = NULL;
	const mg_rules_file *rf = rs->files[rules_index];
	if (!rf)
		return mamori_error_set(ctx, MAMORI_EINPUT, "%s", rs->errors[rules_index]);
	mamori_buf buf = MAMORI_BUF_INIT;
	int rc = mamori_buf_read_file(ctx, &buf, test_path, 0);
	if (rc)
		return rc;
	mamori_arena arena;
	mamori_arena_init(&arena, 0);
	mg_docs docs;
	rc = mg_load(ctx, test_path, buf.data ? buf.data : "", buf.len, &arena, &docs);
	if (rc)
		goto done;
	const mg_value *cases = docs.roots[0];
	if (cases->type != MG_LIST) {
		rc = mamori_error_set(ctx, MAMORI_EINPUT,
				      "%s: a test file is a list of {name, input, expectations}",
				      test_path);
		goto done;
	}
	mamori_guard_test_file *tf = mamori_xcalloc(1, sizeof *tf);
	tf->rules_file = mamori_xstrdup(rf->path);
	tf->cases = mamori_xcalloc(cases->list.n ? cases->list.n : 1, sizeof *tf->cases);
	mg_eval ev;
	mg_eval_init(&ev, ctx);
	mg_rule_result *rr = mamori_xcalloc(rf->nrules ? rf->nrules : 1, sizeof *rr);
	for (uint32_t t = 0; t < cases->list.n; t++) {
		const mg_value *c = cases->list.v[t];
		struct mamori_guard_test_case *tc = &tf->cases[tf->count++];
		const mg_value *name = field(c, "name");
		if (name && name->type == MG_STRING) {
			tc->name = mamori_xmalloc(name->s.len + 1);
			memcpy(tc->name, name->s.p, name->s.len);
			tc->name[name->s.len] = '\0';
		}
		const mg_value *input = field(c, "input");
		if (!input)
			input = mg_new(&arena, MG_MAP);
		mg_eval_reset(&ev);
		ev.record = verbose;
		if (mg_eval_rules(&ev, rf, input, rr)) {
			tc->error = mamori_xstrdup(ev.err);
			continue;
		}
		case_rules(tc, rf, rr, field(field(c, "expectations"), "rules"));
		if (verbose && ev.nrecs)
			tc->checks = failing_checks(&ev, rr, rf);
	}
	free(rr);
	mg_eval_free(&ev);
	*out = tf;
done:
	mamori_arena_free(&arena);
	mamori_buf_free(&buf);
	return rc;
}

size_t mamori_guard_test_failures(const mamori_guard_test_file *tf)
{
	size_t n = 0;
	for (size_t c = 0; tf && c < tf->count; c++) {
		n += tf->cases[c].error != NULL;
		for (size_t r = 0; r < tf->cases[c].count; r++)
			n += tf->cases[c].rules[r].expected_as && !met(&tf->cases[c].rules[r]);
	}
	return n;
}

void mamori_guard_test_file_free(mamori_guard_test_file *tf)
{
	if (!tf)
		return;
	for (size_t c = 0; c < tf->count; c++) {
		struct mamori_guard_test_case *tc = &tf->cases[c];
		for (size_t r = 0; r < tc->count; r++) {
			free(tc->rules[r].name);
			free(tc->rules[r].expected_as);
		}
		free(tc->rules);
		free(tc->name);
		free(tc->error);
		free(tc->checks);
	}
	free(tf->cases);
	free(tf->rules_file);
	free(tf);
}

static void evaluated_list(const struct mamori_guard_test_rule *r, mamori_buf *b)
{
	mamori_buf_putc(b, '[');
	for (int s = 0; s < r->nevaluated; s++)
		mamori_buf_printf(b, "%s%s", s ? ", " : "", mg_status_name(r->evaluated[s]));
	mamori_buf_putc(b, ']');
}

/* ---- cfn-guard's text report ---- */

int mamori_guard_write_test_text(const mamori_guard_test_file *tf, FILE *out)
{
	for (size_t c = 0; c < tf->count; c++) {
		const struct mamori_guard_test_case *tc = &tf->cases[c];
		fprintf(out, "Test Case #%zu\n", c + 1);
		if (tc->name)
			fprintf(out, "Name: %s\n", tc->name);
		if (tc->error) {
			fprintf(out, "  Error: %s\n\n", tc->error);
			continue;
		}
		mamori_buf pass = MAMORI_BUF_INIT, fail = MAMORI_BUF_INIT;
		for (size_t k = 0; k < tc->count; k++) {
			const struct mamori_guard_test_rule *r = &tc->rules[k];
			if (!r->expected_as) {
				fprintf(out, "  No Test expectation was set for Rule %s\n", r->name);
			} else if (met(r)) {
				mamori_buf_printf(&pass, "    %s: Expected = %s\n", r->name,
						  mg_status_name(r->expected));
			} else {
				mamori_buf_printf(&fail, "    %s: Expected = %s, Evaluated = ", r->name,
						  r->expected_as);
				evaluated_list(r, &fail);
				mamori_buf_putc(&fail, '\n');
			}
		}
		if (fail.len)
			fprintf(out, "  FAIL Rules:\n%s", fail.data);
		if (pass.len)
			fprintf(out, "  PASS Rules:\n%s", pass.data);
		if (tc->checks && *tc->checks)
			fprintf(out, "  Failing checks:\n%s", tc->checks);
		fputc('\n', out);
		mamori_buf_free(&pass);
		mamori_buf_free(&fail);
	}
	return ferror(out) ? -1 : 0;
}

/* ---- cfn-guard's structured report: JSON, YAML, JUnit ---- */

static cJSON *test_file_json(const mamori_guard_test_file *tf)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "rule_file", tf->rules_file);
	cJSON *cases = cJSON_AddArrayToObject(o, "test_cases");
	for (size_t c = 0; c < tf->count; c++) {
		const struct mamori_guard_test_case *tc = &tf->cases[c];
		cJSON *cj = cJSON_CreateObject();
		cJSON_AddStringToObject(cj, "name", tc->name ? tc->name : "");
		cJSON *passed = cJSON_AddArrayToObject(cj, "passed_rules");
		cJSON *failed = cJSON_AddArrayToObject(cj, "failed_rules");
		cJSON *skipped = cJSON_AddArrayToObject(cj, "skipped_rules");
		if (tc->error)
			cJSON_AddStringToObject(cj, "error", tc->error); /* mamori's addition */
		for (size_t k = 0; k < tc->count; k++) {
			const struct mamori_guard_test_rule *r = &tc->rules[k];
			cJSON *rj = cJSON_CreateObject();
			cJSON_AddStringToObject(rj, "name", r->name);
			if (!r->expected_as) {
				cJSON_AddItemToArray(skipped, rj);
			} else if (met(r)) {
				cJSON_AddStringToObject(rj, "evaluated", mg_status_name(r->expected));
				cJSON_AddItemToArray(passed, rj);
			} else {
				cJSON_AddStringToObject(rj, "expected", r->expected_as);
				cJSON *ev = cJSON_AddArrayToObject(rj, "evaluated");
				for (int s = 0; s < r->nevaluated; s++)
					cJSON_AddItemToArray(
						ev, cJSON_CreateString(mg_status_name(r->evaluated[s])));
				cJSON_AddItemToArray(failed, rj);
			}
		}
		cJSON_AddItemToArray(cases, cj);
	}
	return o;
}

static int write_junit(mamori_guard_test_file *const *files, size_t n, FILE *out)
{
	size_t tests = 0, failures = 0;
	for (size_t f = 0; f < n; f++)
		for (size_t c = 0; c < files[f]->count; c++)
			for (size_t k = 0; k < files[f]->cases[c].count; k++) {
				const struct mamori_guard_test_rule *r = &files[f]->cases[c].rules[k];
				tests += r->expected_as != NULL;
				failures += r->expected_as && !met(r);
			}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<testsuites name=\"cfn-guard test report\" tests=\"%zu\" failures=\"%zu\" "
		     "errors=\"0\" time=\"0\">\n",
		tests, failures);
	for (size_t f = 0; f < n; f++) {
		const mamori_guard_test_file *tf = files[f];
		fputs("    <testsuite name=\"", out);
		mg_xml_escape(out, tf->rules_file);
		fprintf(out, "\" errors=\"0\" failures=\"%zu\" time=\"0\">\n",
			mamori_guard_test_failures(tf));
		for (size_t c = 0; c < tf->count; c++) {
			const struct mamori_guard_test_case *tc = &tf->cases[c];
			for (size_t k = 0; k < tc->count; k++) {
				const struct mamori_guard_test_rule *r = &tc->rules[k];
				if (!r->expected_as)
					continue;
				fputs("        <testcase id=\"", out);
				mg_xml_escape(out, tc->name ? tc->name : "");
				fputs("\" name=\"", out);
				mg_xml_escape(out, r->name);
				if (met(r)) {
					fputs("\" time=\"0\" status=\"pass\"/>\n", out);
					continue;
				}
				mamori_buf b = MAMORI_BUF_INIT;
				mamori_buf_printf(&b, "Expected = %s, Evaluated = ", r->expected_as);
				evaluated_list(r, &b);
				fputs("\" time=\"0\">\n            <failure>", out);
				mg_xml_escape(out, b.data);
				fputs("</failure>\n        </testcase>\n", out);
				mamori_buf_free(&b);
			}
		}
		fputs("    </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}

int mamori_guard_write_tests_structured(mamori_guard_test_file *const *files, size_t n,
					bool as_list, const char *format, FILE *out)
{
	if (strcmp(format, "junit") == 0)
		return write_junit(files, n, out);
	cJSON *root;
	if (as_list) {
		root = cJSON_CreateArray();
		for (size_t f = 0; f < n; f++)
			cJSON_AddItemToArray(root, test_file_json(files[f]));
	} else {
		root = n ? test_file_json(files[0]) : cJSON_CreateNull();
	}
	int rc = mg_report_print(root, strcmp(format, "yaml") == 0, false, out);
	cJSON_Delete(root);
	return rc;
}
