/*
 * The order of a scan's findings (scan.c sorts through keys holding the
 * severity and 8 bytes of the Id past the prefix all Ids share): severity
 * first, then module, rule and Id as strcmp orders them, duplicate Ids of
 * one module merged.  Two modules with many findings each, of every
 * severity, some sharing an Id, checked against a plain comparison sort.
 */
#include "internal.h"
#include "testutil.h"

#define PER_MODULE 700

static int emit(mamori_module_run *run, unsigned seed)
{
	for (unsigned i = 0; i < PER_MODULE; i++) {
		unsigned x = (i * 2654435761u) ^ seed;
		/* two rules; every 7th finding repeats an earlier one's resource */
		mamori_finding *f = mamori_module_finding(run, x & 1 ? "rule.b" : "rule.a");
		f->title = "t";
		f->description = "d";
		f->severity = (mamori_severity)(x % 5);
		mamori_finding_add_type(run->findings, f, "Software and Configuration Checks/Test");
		char res[64];
		snprintf(res, sizeof res, "res-%u", i % 7 == 6 ? i - 3 : i);
		mamori_finding_add_resource(run->findings, f, "Other", res);
		if (i % 7 == 6) {
			/* the same rule as that earlier one: a duplicate Id */
			unsigned y = ((i - 3) * 2654435761u) ^ seed;
			f->generator_id = y & 1 ? "rule.b" : "rule.a";
			f->severity = (mamori_severity)(y % 5);
		}
	}
	return MAMORI_OK;
}

static int run_a(mamori_module_run *run)
{
	return emit(run, 0x5bd1e995u);
}

static int run_b(mamori_module_run *run)
{
	return emit(run, 0x9e3779b9u);
}

static const mamori_module mod_a = {.name = "alpha", .pillar = "test", .summary = "a",
				    .target_kinds = MAMORI_TARGET_PATH, .run = run_a};
static const mamori_module mod_b = {.name = "beta", .pillar = "test", .summary = "b",
				    .target_kinds = MAMORI_TARGET_PATH, .run = run_b};

static int reference(const mamori_finding *x, const mamori_finding *y)
{
	if (x->severity != y->severity)
		return (int)y->severity - (int)x->severity;
	int c = strcmp(x->module, y->module);
	if (!c)
		c = strcmp(x->generator_id, y->generator_id);
	return c ? c : strcmp(x->id, y->id);
}

static void findings_sorted_and_unique(void **state)
{
	(void)state;
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_registry *reg = mamori_registry_new();
	assert_int_equal(mamori_registry_add(reg, &mod_b), MAMORI_OK);
	assert_int_equal(mamori_registry_add(reg, &mod_a), MAMORI_OK);
	mamori_target *t;
	assert_int_equal(mamori_target_open(ctx, ".", &t), MAMORI_OK);
	mamori_scan_result res;
	mamori_scan_result_init(&res);
	assert_int_equal(mamori_scan_run(ctx, reg, NULL, t, NULL, &res), MAMORI_OK);
	/* each module: 700 findings, 100 of them repeat an earlier Id */
	assert_int_equal(res.findings.count, 2 * (PER_MODULE - PER_MODULE / 7));
	size_t per_sev[5] = {0};
	for (size_t i = 0; i < res.findings.count; i++) {
		const mamori_finding *f = &res.findings.items[i];
		per_sev[f->severity]++;
		if (i)
			assert_true(reference(&res.findings.items[i - 1], f) < 0);
	}
	for (int s = 0; s < 5; s++)
		assert_true(per_sev[s] > 0);
	mamori_scan_result_free(&res);
	mamori_target_free(t);
	mamori_registry_free(reg);
	mamori_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(findings_sorted_and_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
