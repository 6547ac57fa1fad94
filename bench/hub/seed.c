/*
 * seed.c — fill a store with findings through libmamori's own scan merge
 * (mamori_store_record_scan), for the hub's benchmark and browser tests.
 *
 *   mamori-hub-seed --db LOCATION --count N   N realistic findings: 40
 *        accounts, 8 regions, 5 pillars, 12 modules, 300 rules, 15 resource
 *        types, two thirds of them checks of two standards, in scans of up to
 *        10,000 findings (one transaction each), a few workflow changes
 *   mamori-hub-seed --db LOCATION --hostile    findings whose every free-text
 *        field (title, description, remediation, resource id/type/details,
 *        region, rule, module, pillar, requirements, evidence, location,
 *        product fields, author, licence, types, scan target/host/actor and
 *        workflow notes) holds script, HTML and attribute-breaking payloads
 *
 * Deterministic: the same arguments give the same store contents.
 */
#include "mamori/mamori.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const payloads[] = {
	"<script>window.__xss=1</script>",
	"\"><img src=x onerror=\"window.__xss=2\">",
	"'><svg onload='window.__xss=3'>",
	"javascript:window.__xss=4",
	"</textarea></title></style><script>window.__xss=5</script>",
	"<iframe srcdoc=\"<script>parent.__xss=6</script>\"></iframe>",
	"{{constructor.constructor('window.__xss=7')()}} ${window.__xss=8}",
	"<a href=\"javascript:window.__xss=9\">click</a><b onmouseover=window.__xss=10>x</b>",
	"\u202e<details open ontoggle=window.__xss=11>",
	"<math><mi xlink:href=\"javascript:window.__xss=12\">m</mi></math>",
	"<style>*{display:none!important}</style>",
	"&lt;script&gt;window.__xss=13&lt;/script&gt; & \" ' < >",
};
#define NPAYLOADS (sizeof payloads / sizeof *payloads)

static void die(mamori_ctx *ctx, const char *what)
{
	const mamori_error *e = mamori_error_last(ctx);
	fprintf(stderr, "mamori-hub-seed: %s: %s\n", what, e->code ? e->message : "failed");
	exit(1);
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void record(mamori_ctx *ctx, mamori_store *store, mamori_findings *fs, const char *scope,
		   const char *module, const char *when, const char *host, const char *actor)
{
	const char *mods[] = {module};
	mamori_scan_record rec = {scope, when, when, mods, 1, NULL, 0, host, actor};
	mamori_scan_stats st;
	if (mamori_store_record_scan(ctx, store, &rec, fs, &st))
		die(ctx, "recording a scan");
}

static void realistic(mamori_ctx *ctx, mamori_store *store, long count)
{
	static const char *const pillars[] = {"posture", "vulnerabilities", "protection",
					      "detection", "data"};
	static const char *const regions[] = {"us-east-1",	"us-west-2",  "eu-west-1",
					      "eu-central-1", "ap-northeast-1", "ap-southeast-2",
					      "sa-east-1",	"ca-central-1"};
	static const char *const types[] = {
		"AwsS3Bucket",	     "AwsEc2Instance",	"AwsIamRole",	  "AwsIamUser",
		"AwsLambdaFunction", "AwsRdsDbInstance", "AwsEc2SecurityGroup", "AwsKmsKey",
		"AwsCloudTrailTrail", "AwsEcrContainerImage", "AwsEksCluster", "AwsDynamoDbTable",
		"AwsSqsQueue",	     "AwsSnsTopic",	"AwsAccount"};
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	const long per_scan = 10000;
	time_t t0 = 1767225600; /* 2026-01-01 */
	for (long done = 0, scan = 0; done < count; scan++) {
		long n = count - done < per_scan ? count - done : per_scan;
		mamori_findings fs;
		mamori_findings_init(&fs);
		int module = (int)(scan % 12);
		char modname[32];
		snprintf(modname, sizeof modname, "module-%02d", module);
		for (long i = 0; i < n; i++) {
			long k = done + i;
			uint64_t r = rnd(&seed);
			mamori_finding *f = mamori_findings_add(&fs);
			f->module = mamori_findings_strdup(&fs, modname);
			f->pillar = pillars[module % 5];
			int rule = (int)(r % 300);
			f->generator_id = mamori_findings_printf(&fs, "mamori.bench.rule-%03d", rule);
			f->aws_account_id =
				mamori_findings_printf(&fs, "%012d", 100000000 + (int)((r >> 9) % 40));
			f->region = regions[(r >> 15) % 8];
			/* severities skewed like real stores: few critical, many low */
			static const mamori_severity sev[] = {
				MAMORI_SEV_CRITICAL,	  MAMORI_SEV_HIGH, MAMORI_SEV_HIGH,
				MAMORI_SEV_MEDIUM,	  MAMORI_SEV_MEDIUM, MAMORI_SEV_MEDIUM,
				MAMORI_SEV_LOW,		  MAMORI_SEV_LOW,    MAMORI_SEV_LOW,
				MAMORI_SEV_INFORMATIONAL};
			f->severity = sev[(r >> 20) % 10];
			f->title = mamori_findings_printf(&fs, "Rule %03d fails on resource %ld of type %s",
							  rule, k, types[rule % 15]);
			f->description = "A benchmark finding with a description of ordinary length, "
					 "saying what is wrong and why it matters.";
			f->remediation_text = "Change the configuration as the rule explains.";
			f->remediation_url = "https://docs.aws.amazon.com/securityhub/";
			mamori_finding_add_type(&fs, f,
						"Software and Configuration Checks/AWS Security Best Practices");
			mamori_finding_add_resource(
				&fs, f, types[rule % 15],
				mamori_findings_printf(&fs, "arn:aws:bench:%s:%s:resource/r-%ld", f->region,
						       f->aws_account_id, k));
			if (rule % 3 != 0) {
				f->compliance = (r >> 30) % 3 ? MAMORI_COMPLIANCE_FAILED
							      : MAMORI_COMPLIANCE_PASSED;
				mamori_finding_add_requirement(
					&fs, f,
					mamori_findings_printf(&fs,
							       "CIS AWS Foundations Benchmark v3.0.0/%d.%d",
							       1 + rule % 5, 1 + rule % 17));
				if (rule % 2)
					mamori_finding_add_requirement(
						&fs, f,
						mamori_findings_printf(
							&fs,
							"AWS Foundational Security Best Practices v1.0.0/S%d",
							rule % 40));
			}
			f->evidence_json = "{\"seen\":\"a value\",\"count\":3}";
			if (mamori_finding_finalize(ctx, &fs, f))
				die(ctx, "finalizing a finding");
		}
		char when[32], scope[64];
		mamori_time_format(t0 + scan * 3600, when);
		snprintf(scope, sizeof scope, "bench:%ld", scan);
		record(ctx, store, &fs, scope, modname, when, "bench-host", "bench");
		/* a few people at work: suppress and resolve some */
		for (size_t i = 0; i < fs.count; i += 97) {
			mamori_workflow to = i % 2 ? MAMORI_WORKFLOW_SUPPRESSED : MAMORI_WORKFLOW_RESOLVED;
			if (fs.items[i].workflow != to &&
			    mamori_store_set_workflow(ctx, store, fs.items[i].id, to, "bench"))
				die(ctx, "changing a workflow");
		}
		mamori_findings_free(&fs);
		done += n;
		fprintf(stderr, "\rmamori-hub-seed: %ld / %ld findings", done, count);
	}
	fputc('\n', stderr);
}

static const char *p(size_t i)
{
	return payloads[i % NPAYLOADS];
}

static void hostile(mamori_ctx *ctx, mamori_store *store)
{
	mamori_findings fs;
	mamori_findings_init(&fs);
	for (size_t i = 0; i < NPAYLOADS; i++) {
		mamori_finding *f = mamori_findings_add(&fs);
		f->module = mamori_findings_printf(&fs, "hostile-%s", p(i + 1));
		f->pillar = p(i + 2);
		f->generator_id = mamori_findings_printf(&fs, "rule-%zu %s", i, p(i + 3));
		f->aws_account_id = i % 2 ? "111122223333" : "444455556666";
		f->region = p(i + 4);
		f->title = mamori_findings_printf(&fs, "XSS-TITLE-%zu %s", i, p(i));
		f->description = mamori_findings_printf(&fs, "desc %s %s", p(i + 5), p(i + 6));
		f->remediation_text = p(i + 7);
		f->remediation_url = i % 3 == 0 ? "javascript:window.__xss=99" : p(i + 8);
		f->severity = (mamori_severity)(i % 5);
		f->compliance = i % 2 ? MAMORI_COMPLIANCE_FAILED : MAMORI_COMPLIANCE_PASSED;
		mamori_finding_add_type(&fs, f,
					mamori_findings_printf(&fs, "Software and Configuration Checks/%s",
							       p(i + 9)));
		mamori_resource *r = mamori_finding_add_resource(
			&fs, f, p(i + 10), mamori_findings_printf(&fs, "arn:aws:s3:::%s-%zu", p(i), i));
		mamori_buf details = MAMORI_BUF_INIT;
		mamori_buf_puts(&details, "{\"Other\":{\"name\":");
		/* a JSON string literal of the payload */
		mamori_buf_putc(&details, '"');
		for (const char *c = p(i + 11); *c; c++) {
			if (*c == '"' || *c == '\\')
				mamori_buf_putc(&details, '\\');
			mamori_buf_putc(&details, *c);
		}
		mamori_buf_puts(&details, "\"}}");
		r->details_json = mamori_findings_strdup(&fs, mamori_buf_cstr(&details));
		f->evidence_json = mamori_findings_strdup(&fs, mamori_buf_cstr(&details));
		mamori_buf_free(&details);
		mamori_finding_add_requirement(&fs, f,
					       mamori_findings_printf(&fs, "%s standard/%s", p(i + 1),
								      p(i + 2)));
		mamori_finding_add_product_field(&fs, f, p(i + 3), p(i + 4));
		f->rule_author = p(i + 5);
		f->rule_license = p(i + 6);
		f->location.path = p(i + 7);
		f->location.line = 7;
		if (mamori_finding_finalize(ctx, &fs, f))
			die(ctx, "finalizing a hostile finding");
	}
	/* one scan per module (the scope is module-scoped) */
	for (size_t i = 0; i < fs.count; i++) {
		mamori_findings one;
		mamori_findings_init(&one);
		mamori_findings_copy(&one, &fs.items[i]);
		char scope[512];
		snprintf(scope, sizeof scope, "hostile:%s", p(i));
		record(ctx, store, &one, scope, one.items[0].module, "2026-11-01T00:00:00.000Z", p(i + 1),
		       p(i + 2));
		if (i % 3 == 1 && mamori_store_set_workflow(ctx, store, one.items[0].id,
							    MAMORI_WORKFLOW_SUPPRESSED, p(i + 3)))
			die(ctx, "suppressing a hostile finding");
		mamori_findings_free(&one);
	}
	mamori_findings_free(&fs);
}

int main(int argc, char **argv)
{
	const char *db = NULL;
	long count = 0;
	bool bad = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--db") && i + 1 < argc)
			db = argv[++i];
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--hostile"))
			bad = true;
		else {
			fprintf(stderr, "usage: mamori-hub-seed --db LOCATION (--count N | --hostile)\n");
			return 2;
		}
	}
	if (!db || (count <= 0 && !bad)) {
		fprintf(stderr, "usage: mamori-hub-seed --db LOCATION (--count N | --hostile)\n");
		return 2;
	}
	mamori_ctx *ctx = mamori_ctx_new();
	mamori_ctx_set_actor(ctx, "seed");
	mamori_ctx_set_now(ctx, 1793491200); /* workflow changes at a fixed time */
	mamori_store *store;
	if (mamori_store_open(ctx, db, &store))
		die(ctx, "opening the store");
	if (bad)
		hostile(ctx, store);
	if (count > 0)
		realistic(ctx, store, count);
	mamori_store_close(store);
	mamori_ctx_free(ctx);
	return 0;
}
