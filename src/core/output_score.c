/*
 * output_score.c — compliance scores per standard and per account (see
 * output.h), computed from a report's findings for every writer that
 * summarises.
 *
 * One entry per (finding, associated standard); sorted by standard, control
 * and account, a run of equal (standard, control) is one control, and its
 * status is the worst of its findings'.  A second ordering by standard,
 * account and control gives each account's controls.  O(n log n) in the
 * findings, so a store-sized report costs a sort, not a quadratic scan.
 */
#include "output_internal.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum { ST_PASSED = 0, ST_UNKNOWN = 1, ST_FAILED = 2 };

typedef struct entry {
	const char *standard;
	const char *control;
	const char *account;
	int status;
} entry;

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int by_control(const void *pa, const void *pb)
{
	const entry *a = pa, *b = pb;
	int c = cmp_str(a->standard, b->standard);
	if (!c)
		c = cmp_str(a->control, b->control);
	return c ? c : cmp_str(a->account, b->account);
}

static int by_account(const void *pa, const void *pb)
{
	const entry *a = pa, *b = pb;
	int c = cmp_str(a->standard, b->standard);
	if (!c)
		c = cmp_str(a->account, b->account);
	return c ? c : cmp_str(a->control, b->control);
}

/* The names people use for the standards Security Hub has. */
static const char *standard_name(const char *id)
{
	static const char *const names[][2] = {
		{"standards/cis-aws-foundations-benchmark/v/5.0.0", "CIS AWS Foundations Benchmark v5.0.0"},
		{"standards/cis-aws-foundations-benchmark/v/3.0.0", "CIS AWS Foundations Benchmark v3.0.0"},
		{"standards/cis-aws-foundations-benchmark/v/1.4.0", "CIS AWS Foundations Benchmark v1.4.0"},
		{"ruleset/cis-aws-foundations-benchmark/v/1.2.0", "CIS AWS Foundations Benchmark v1.2.0"},
		{"standards/aws-foundational-security-best-practices/v/1.0.0",
		 "AWS Foundational Security Best Practices v1.0.0"},
		{"standards/pci-dss/v/3.2.1", "PCI DSS v3.2.1"},
		{"standards/pci-dss/v/4.0.1", "PCI DSS v4.0.1"},
		{"standards/nist-800-53/v/5.0.0", "NIST SP 800-53 Rev. 5"},
		{"standards/nist-800-171/v/2.0.0", "NIST SP 800-171 Rev. 2"},
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(names[i][0], id) == 0)
			return names[i][1];
	return id;
}

static int finding_status(const mamori_finding *f)
{
	switch (f->compliance) {
	case MAMORI_COMPLIANCE_PASSED:
		return ST_PASSED;
	case MAMORI_COMPLIANCE_FAILED:
		return ST_FAILED;
	case MAMORI_COMPLIANCE_WARNING:
	case MAMORI_COMPLIANCE_NOT_AVAILABLE:
		return ST_UNKNOWN;
	default:
		return -1;
	}
}

static void count(mamori_score *s, int status)
{
	if (status == ST_FAILED)
		s->failed++;
	else if (status == ST_UNKNOWN)
		s->unknown++;
	else
		s->passed++;
}

static void finish(mamori_score *s)
{
	size_t judged = s->passed + s->failed;
	s->percent = judged ? (int)((s->passed * 200 + judged) / (2 * judged)) : -1;
}

static mamori_score *push(mamori_scores *out, size_t *cap)
{
	if (out->count == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		out->items = mamori_xrealloc(out->items, *cap * sizeof *out->items);
	}
	mamori_score *s = &out->items[out->count++];
	memset(s, 0, sizeof *s);
	return s;
}

static bool same_group(const entry *a, const entry *b, bool per_account)
{
	return !strcmp(a->standard, b->standard) && (!per_account || !strcmp(a->account, b->account));
}

/* One score per group of e (sorted so that groups, then controls, are runs):
 * a standard, or a standard and an account. */
static void aggregate(entry *e, size_t ne, bool per_account, mamori_scores *out, size_t *cap)
{
	qsort(e, ne, sizeof *e, per_account ? by_account : by_control);
	for (size_t i = 0; i < ne;) {
		mamori_score *s = push(out, cap);
		s->standard = e[i].standard;
		s->name = standard_name(e[i].standard);
		s->account = per_account ? e[i].account : NULL;
		size_t j = i;
		while (j < ne && same_group(&e[j], &e[i], per_account)) {
			int worst = e[j].status;
			size_t k = j;
			while (k < ne && same_group(&e[k], &e[i], per_account) &&
			       !cmp_str(e[k].control, e[j].control)) {
				worst = e[k].status > worst ? e[k].status : worst;
				k++;
			}
			count(s, worst);
			j = k;
		}
		finish(s);
		i = j;
	}
}

void mamori_scores_compute(const mamori_finding *const *findings, size_t n, mamori_scores *out)
{
	memset(out, 0, sizeof *out);
	size_t ne = 0, cap = 0;
	entry *e = NULL;
	for (size_t i = 0; i < n; i++) {
		const mamori_finding *f = findings[i];
		int st = finding_status(f);
		if (st < 0 || f->record_state == MAMORI_RECORD_ARCHIVED ||
		    f->workflow == MAMORI_WORKFLOW_SUPPRESSED)
			continue;
		for (size_t k = 0; k < f->associated_standards.count; k++) {
			if (ne == cap) {
				cap = cap ? cap * 2 : 64;
				e = mamori_xrealloc(e, cap * sizeof *e);
			}
			e[ne++] = (entry){f->associated_standards.items[k], f->generator_id,
					  f->aws_account_id ? f->aws_account_id : MAMORI_NO_ACCOUNT, st};
		}
	}
	if (!ne)
		return;
	/* over every account a control is the worst of its findings anywhere */
	mamori_scores std = {0}, acc = {0};
	size_t stdcap = 0, acccap = 0, outcap = 0;
	aggregate(e, ne, false, &std, &stdcap);
	aggregate(e, ne, true, &acc, &acccap);
	/* each standard, then its accounts (both lists are in standard order) */
	for (size_t k = 0, a = 0; k < std.count; k++) {
		*push(out, &outcap) = std.items[k];
		while (a < acc.count && !strcmp(acc.items[a].standard, std.items[k].standard))
			*push(out, &outcap) = acc.items[a++];
	}
	free(std.items);
	free(acc.items);
	free(e);
}

void mamori_scores_free(mamori_scores *s)
{
	free(s->items);
	memset(s, 0, sizeof *s);
}

void mamori_report_scores(const mamori_report *r, mamori_scores *out)
{
	mamori_scores_compute(r->all ? r->all : r->items, r->all ? r->all_count : r->count, out);
}
