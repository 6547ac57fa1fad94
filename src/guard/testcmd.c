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
 * name has several blocks).  The report is cfn-guard's: per case the PASS
 * and FAIL rules, and a note for rules without an expectation.
 */
#include "guard.h"

#include "eval.h"
#include "load.h"

#include <stdlib.h>
#include <string.h>

static const mg_value *field(const mg_value *m, const char *k)
{
	return mg_map_get(m, k, strlen(k));
}

static int parse_status(const mg_value *v)
{
	if (!v || v->type != MG_STRING)
		return -1;
	static const char *const names[] = {"PASS", "FAIL", "SKIP"};
	for (int i = 0; i < 3; i++)
		if (v->s.len == strlen(names[i]) && memcmp(v->s.p, names[i], v->s.len) == 0)
			return i;
	return -1;
}

static void print_checks(FILE *out, mg_eval *ev, const mg_rule_result *rr, const mg_rules_file *rf)
{
	for (uint32_t k = 0; k < rf->nrules; k++)
		for (uint32_t q = 0; q < rr[k].rec_count; q++) {
			const mg_record *r = &ev->recs[rr[k].rec_start + q];
			mamori_buf b = MAMORI_BUF_INIT;
			const mg_value *at = r->lhs ? r->lhs : r->ur ? r->ur->traversed_to : NULL;
			if (at)
				mg_path(at, &b);
			fprintf(out, "    %s: %s failed at %s\n", rf->rules[k]->name,
				r->clause && r->clause->text ? r->clause->text : "check",
				b.data && *b.data ? b.data : "/");
			mamori_buf_free(&b);
		}
}

int mamori_guard_run_tests(mamori_ctx *ctx, const mamori_guard_rules *rs, size_t rules_index,
			   const char *test_path, bool verbose, FILE *out, size_t *failed)
{
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
	mg_eval ev;
	mg_eval_init(&ev, ctx);
	mg_rule_result *rr = mamori_xcalloc(rf->nrules ? rf->nrules : 1, sizeof *rr);
	for (uint32_t t = 0; t < cases->list.n; t++) {
		const mg_value *tc = cases->list.v[t];
		const mg_value *name = field(tc, "name");
		const mg_value *input = field(tc, "input");
		const mg_value *exp = field(field(tc, "expectations"), "rules");
		fprintf(out, "Test Case #%u\n", t + 1);
		if (name && name->type == MG_STRING)
			fprintf(out, "Name: %.*s\n", (int)name->s.len, name->s.p);
		if (!input) {
			mg_value *empty = mg_new(&arena, MG_MAP);
			input = empty;
		}
		mg_eval_reset(&ev);
		ev.record = verbose;
		if (mg_eval_rules(&ev, rf, input, rr)) {
			fprintf(out, "  Error: %s\n\n", ev.err);
			(*failed)++;
			continue;
		}
		mamori_buf pass = MAMORI_BUF_INIT, fail = MAMORI_BUF_INIT, none = MAMORI_BUF_INIT;
		for (uint32_t n = 0; n < rf->nnames; n++) {
			/* cfn-guard's test names the default rule after the rules file */
			const char *rname = rf->names[n];
			char *dname = NULL;
			if (strcmp(rname, "default") == 0) {
				mamori_buf d = MAMORI_BUF_INIT;
				mamori_buf_printf(&d, "%s/default", rf->path);
				rname = dname = mamori_buf_detach(&d);
			}
			const mg_value *e = mg_map_get(exp, rname, strlen(rname));
			/* this rule's statuses, block order, without repeats */
			int sts[3], ns = 0;
			for (uint32_t k = 0; k < rf->nrules; k++) {
				if (rf->rules[k]->name_id != n)
					continue;
				bool seen = false;
				for (int s = 0; s < ns; s++)
					seen |= sts[s] == rr[k].status;
				if (!seen && ns < 3)
					sts[ns++] = rr[k].status;
			}
			if (!e) {
				mamori_buf_printf(&none, "  No Test expectation was set for Rule %s\n",
						  rname);
				free(dname);
				continue;
			}
			int want = parse_status(e);
			bool ok = false;
			for (int s = 0; s < ns; s++)
				ok |= sts[s] == want;
			if (ok) {
				mamori_buf_printf(&pass, "    %s: Expected = %s\n", rname,
						  mg_status_name(want));
			} else {
				mamori_buf_printf(&fail, "    %s: Expected = %.*s, Evaluated = [", rname,
						  e->type == MG_STRING ? (int)e->s.len : 1,
						  e->type == MG_STRING ? e->s.p : "?");
				for (int s = 0; s < ns; s++)
					mamori_buf_printf(&fail, "%s%s", s ? ", " : "",
							  mg_status_name(sts[s]));
				mamori_buf_puts(&fail, "]\n");
				(*failed)++;
			}
			free(dname);
		}
		if (none.len)
			fputs(none.data, out);
		if (fail.len)
			fprintf(out, "  FAIL Rules:\n%s", fail.data);
		if (pass.len)
			fprintf(out, "  PASS Rules:\n%s", pass.data);
		if (verbose && ev.nrecs) {
			fputs("  Failing checks:\n", out);
			print_checks(out, &ev, rr, rf);
		}
		fputc('\n', out);
		mamori_buf_free(&pass);
		mamori_buf_free(&fail);
		mamori_buf_free(&none);
	}
	free(rr);
	mg_eval_free(&ev);
done:
	mamori_arena_free(&arena);
	mamori_buf_free(&buf);
	return rc;
}
