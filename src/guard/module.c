/*
 * module.c — the `guard` scanner module (pillar: posture): Guard rules over
 * the CloudFormation templates, Terraform plans and AWS Config items found
 * in a scan target.
 *
 * Rule sets:
 *   built-in  rules/guard/<set>.guard, compiled into the binary, with their
 *             metadata in rules/guard/<set>.yaml (id mamori.guard.<kind>.<RULE>);
 *             the set's name says what it reads: cfn-*, terraform-*, config-*;
 *   packs     rules/guard/<pack>/<file>.guard (the CIS AWS Foundations
 *             Benchmark, S3 public access): rules over AWS Config items, each
 *             file's metadata in <file>.yaml, where `guard_rule` names the
 *             Guard rule an entry describes; a rule without an entry is a
 *             helper and reports nothing of its own;
 *   user      every .guard / .ruleset file inside the target, and the files
 *             or directories listed in $MAMORI_GUARD_RULES (':'-separated);
 *             they run on every input.
 * Inputs are recognised by their content: a template has Resources (or
 * AWSTemplateFormatVersion), a plan has resource_changes, a Config snapshot
 * has configurationItems, a single item has resourceType and configuration.
 * Anything else is not Guard's business and is skipped.
 *
 * Templates and plans: a finding is one (rule, resource) that failed; the
 * resource is the template's logical id (or the plan's address), the
 * evidence lists each failing check with its path, value and message, and
 * the location is the first failing value's file:line.
 *
 * AWS Config items are read from every file first, grouped by account and
 * evaluated with their account's context (config_view.h), plus one document
 * per account and per region for the controls about those.  Each document
 * is a resource, and each rule that applies to it (PASS or FAIL, not SKIP)
 * is a control result: a FAILED finding with the failing checks as
 * evidence, or a PASSED one, so compliance can be scored.
 */
#include "../core/embedded.h"
#include "../core/json.h"
#include "../core/rulebook.h"
#include "../core/yaml.h"
#include "config_view.h"
#include "eval.h"
#include "guard.h"
#include "guard_module.h"
#include "load.h"
#include "parse.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_DATA_BYTES (256u << 20)

enum { K_CFN = 1, K_TF = 2, K_CONFIG = 4, K_ALL = 7 };

typedef struct rset {
	mg_rules_file *rf;
	const char *name; /* rules/guard/cfn-security.guard, or the user file's relpath */
	const char *meta_prefix; /* "mamori.guard.cfn." (built-in) or NULL */
	int kinds;
	mamori_rulebook meta;
	bool has_meta;
	bool pack;		    /* rules/guard/<pack>/: helper rules report nothing */
	double t_eval;
	const char **rule_ids;	    /* pack: the metadata id of each rule name, or NULL */
} rset;

typedef struct gctx {
	mamori_module_run *run;
	rset *sets;
	size_t nsets, capsets;
	mg_eval ev;
	mamori_arena scratch;
	mg_cfg cfg; /* the Config items of every file, evaluated at the end */
	double t_eval, t_report; /* where the time goes (debug log) */
	size_t n_evals;
} gctx;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the process: what the phases cost on a loaded machine
 * (bench/cis prints both) */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const data_ext[] = {".yaml", ".yml", ".json", ".jsn", ".template", NULL};
static const char *const rule_ext[] = {".guard", ".ruleset", NULL};

static bool guard_wants(const mamori_target *t)
{
	for (size_t i = 0; i < t->file_count; i++)
		if (mamori_target_file_has_suffix(&t->files[i], data_ext))
			return true;
	return false;
}

static rset *add_set(gctx *g)
{
	if (g->nsets == g->capsets) {
		g->capsets = g->capsets ? g->capsets * 2 : 8;
		g->sets = mamori_xrealloc(g->sets, g->capsets * sizeof *g->sets);
	}
	rset *s = &g->sets[g->nsets++];
	memset(s, 0, sizeof *s);
	return s;
}

/* A pack's metadata says which Guard rule each entry describes (guard_rule). */
static void map_pack_ids(gctx *g, rset *s, const char *meta)
{
	const mamori_embedded_file *f = mamori_embedded_rule(meta);
	s->rule_ids = mamori_arena_alloc(&g->scratch, (s->rf->nnames + 1) * sizeof *s->rule_ids);
	if (!f)
		return;
	cJSON *root = mamori_yaml_parse(g->run->ctx, meta, (const char *)f->data, f->len);
	if (!root) {
		mamori_module_problem(g->run, NULL);
		return;
	}
	const cJSON *r;
	cJSON_ArrayForEach(r, mamori_json_get(root, "rules"))
	{
		const char *rule = mamori_json_str(r, "guard_rule");
		const char *id = mamori_json_str(r, "id");
		for (uint32_t n = 0; rule && id && n < s->rf->nnames; n++)
			if (strcmp(s->rf->names[n], rule) == 0)
				s->rule_ids[n] = mamori_arena_strdup(&g->scratch, id);
	}
	cJSON_Delete(root);
}

static void load_builtin(gctx *g)
{
	mamori_ctx *ctx = g->run->ctx;
	for (size_t i = 0; i < mamori_embedded_rules_count; i++) {
		const mamori_embedded_file *f = &mamori_embedded_rules[i];
		const char *prefix = "rules/guard/";
		size_t pl = strlen(prefix), n = strlen(f->name);
		if (strncmp(f->name, prefix, pl) != 0 || n < 6 || strcmp(f->name + n - 6, ".guard") != 0)
			continue;
		mg_rules_file *rf = NULL;
		if (mg_rules_parse(ctx, f->name, (const char *)f->data, f->len, &rf) || !rf) {
			mamori_module_problem(g->run, NULL);
			continue;
		}
		rset *s = add_set(g);
		s->rf = rf;
		s->name = f->name;
		const char *stem = f->name + pl;
		char *meta = mamori_arena_printf(&g->scratch, "%.*s.yaml", (int)(n - 6), f->name);
		if (strchr(stem, '/')) {
			/* a pack: rules over AWS Config items */
			s->pack = true;
			s->kinds = K_CONFIG;
			map_pack_ids(g, s, meta);
		} else {
			const char *kind = strncmp(stem, "cfn-", 4) == 0	    ? "cfn"
					   : strncmp(stem, "terraform-", 10) == 0 ? "terraform"
					   : strncmp(stem, "config-", 7) == 0	    ? "config"
										    : NULL;
			s->kinds = !kind ? K_ALL : kind[0] == 'c' && kind[1] == 'f' ? K_CFN
					       : kind[0] == 't'			     ? K_TF
										     : K_CONFIG;
			s->meta_prefix =
				kind ? mamori_arena_printf(&g->scratch, "mamori.guard.%s.", kind) : NULL;
		}
		if (mamori_embedded_rule(meta)) {
			if (mamori_rulebook_load_builtin(ctx, meta, &s->meta) == MAMORI_OK)
				s->has_meta = true;
			else
				mamori_module_problem(g->run, NULL);
		}
	}
}

static void load_user_file(gctx *g, const char *path, const char *name)
{
	mamori_ctx *ctx = g->run->ctx;
	mamori_buf b = MAMORI_BUF_INIT;
	if (mamori_buf_read_file(ctx, &b, path, MAX_DATA_BYTES)) {
		mamori_module_problem(g->run, NULL);
		mamori_buf_free(&b);
		return;
	}
	mg_rules_file *rf = NULL;
	if (mg_rules_parse(ctx, name, b.data ? b.data : "", b.len, &rf))
		mamori_module_problem(g->run, NULL);
	else if (rf) {
		rset *s = add_set(g);
		s->rf = rf;
		s->name = mamori_arena_strdup(&g->scratch, name);
		s->kinds = K_ALL;
	}
	mamori_buf_free(&b);
}

static void load_user(gctx *g)
{
	const mamori_target *t = g->run->target;
	for (size_t i = 0; i < t->file_count; i++)
		if (mamori_target_file_has_suffix(&t->files[i], rule_ext))
			load_user_file(g, t->files[i].path, t->files[i].relpath);
	const char *env = getenv("MAMORI_GUARD_RULES");
	if (!env || !*env)
		return;
	char *copy = mamori_xstrdup(env);
	for (char *save = NULL, *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		struct stat st;
		if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
			mamori_guard_rules rs;
			mamori_guard_rules_init(&rs);
			if (mamori_guard_rules_add_path(g->run->ctx, &rs, p))
				mamori_module_problem(g->run, NULL);
			for (size_t k = 0; k < rs.count; k++) {
				if (!rs.files[k])
					continue;
				rset *s = add_set(g);
				s->rf = rs.files[k];
				s->name = mamori_arena_strdup(&g->scratch, rs.names[k]);
				s->kinds = K_ALL;
				rs.files[k] = NULL;
			}
			mamori_guard_rules_free(&rs);
		} else {
			load_user_file(g, p, p);
		}
	}
	free(copy);
}

static int kind_of(const mg_value *root)
{
	if (root->type != MG_MAP)
		return 0;
	if (mg_map_get(root, "AWSTemplateFormatVersion", 24))
		return K_CFN;
	const mg_value *res = mg_map_get(root, "Resources", 9);
	if (res && res->type == MG_MAP)
		return K_CFN;
	if (mg_map_get(root, "resource_changes", 16) ||
	    (mg_map_get(root, "planned_values", 14) && mg_map_get(root, "terraform_version", 17)))
		return K_TF;
	const mg_value *items = mg_map_get(root, "configurationItems", 18);
	if (items && items->type == MG_LIST)
		return K_CONFIG | 0x100; /* a snapshot: evaluate its items */
	if (mg_map_get(root, "resourceType", 12) && mg_map_get(root, "configuration", 13))
		return K_CONFIG;
	return 0;
}

/* CloudFormation / Config resource types as ASFF names them. */
static const char *asff_type(const char *t)
{
	static const char *const map[][2] = {
		{"AWS::S3::Bucket", "AwsS3Bucket"},
		{"AWS::S3::BucketPolicy", "AwsS3Bucket"},
		{"AWS::EC2::SecurityGroup", "AwsEc2SecurityGroup"},
		{"AWS::EC2::SecurityGroupIngress", "AwsEc2SecurityGroup"},
		{"AWS::EC2::Instance", "AwsEc2Instance"},
		{"AWS::EC2::Volume", "AwsEc2Volume"},
		{"AWS::EC2::VPC", "AwsEc2Vpc"},
		{"AWS::RDS::DBInstance", "AwsRdsDbInstance"},
		{"AWS::RDS::DBCluster", "AwsRdsDbCluster"},
		{"AWS::IAM::Role", "AwsIamRole"},
		{"AWS::IAM::Policy", "AwsIamPolicy"},
		{"AWS::IAM::ManagedPolicy", "AwsIamPolicy"},
		{"AWS::IAM::User", "AwsIamUser"},
		{"AWS::Lambda::Function", "AwsLambdaFunction"},
		{"AWS::Lambda::Url", "AwsLambdaFunction"},
		{"AWS::CloudTrail::Trail", "AwsCloudTrailTrail"},
		{"AWS::DynamoDB::Table", "AwsDynamoDbTable"},
		{"AWS::KMS::Key", "AwsKmsKey"},
		{"AWS::SNS::Topic", "AwsSnsTopic"},
		{"AWS::SQS::Queue", "AwsSqsQueue"},
		{"AWS::EC2::NetworkAcl", "AwsEc2NetworkAcl"},
		{"AWS::EC2::FlowLog", "Other"},
		{"AWS::EFS::FileSystem", "AwsEfsFileSystem"},
		{"AWS::IAM::Group", "AwsIamGroup"},
		{"AWS::IAM::ServerCertificate", "Other"},
		{"AWS::CloudWatch::Alarm", "AwsCloudWatchAlarm"},
		{"AWS::Config::ConfigurationRecorder", "AwsAccount"},
		{"AWS::AccessAnalyzer::Analyzer", "Other"},
		{"AWS::GuardDuty::Detector", "AwsGuardDutyDetector"},
		{"AWS::SecurityHub::Hub", "AwsSecurityHubHub"},
		{"aws_db_instance", "AwsRdsDbInstance"},
		{"aws_security_group", "AwsEc2SecurityGroup"},
		{"aws_vpc_security_group_ingress_rule", "AwsEc2SecurityGroup"},
		{"aws_s3_bucket", "AwsS3Bucket"},
		{"aws_s3_bucket_public_access_block", "AwsS3Bucket"},
		{"aws_ebs_volume", "AwsEc2Volume"},
	};
	for (size_t i = 0; t && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(map[i][0], t) == 0)
			return map[i][1];
	return "Other";
}

static void add_check_json(cJSON *arr, const mamori_guard_check *c)
{
	cJSON *o = cJSON_CreateObject();
	mamori_json_add_str(o, "clause", c->clause);
	mamori_json_add_str(o, "path", c->path);
	if (c->value) {
		cJSON *v = cJSON_Parse(c->value);
		cJSON_AddItemToObject(o, "value", v ? v : cJSON_CreateString(c->value));
	}
	if (c->expected) {
		cJSON *v = cJSON_Parse(c->expected);
		cJSON_AddItemToObject(o, "expected", v ? v : cJSON_CreateString(c->expected));
	}
	mamori_json_add_str(o, "message", c->message);
	mamori_json_add_str(o, "custom_message", c->custom);
	if (c->line) {
		cJSON_AddNumberToObject(o, "line", c->line);
		cJSON_AddNumberToObject(o, "column", c->col);
	}
	cJSON_AddItemToArray(arr, o);
}

static char *trimmed(const char *s)
{
	if (!s)
		return NULL;
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	char *t = mamori_xmalloc(n + 1);
	memcpy(t, s, n);
	t[n] = '\0';
	return t;
}

static bool same_resource(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static const mamori_rule_meta *rule_meta(const rset *s, uint32_t name_id)
{
	if (!s->has_meta)
		return NULL;
	if (s->pack)
		return s->rule_ids[name_id] ? mamori_rulebook_find(&s->meta, s->rule_ids[name_id])
					    : NULL;
	char id[256];
	snprintf(id, sizeof id, "%s%s", s->meta_prefix, s->rf->names[name_id]);
	return mamori_rulebook_find(&s->meta, id);
}

static mamori_finding *start_finding(gctx *g, const rset *s, uint32_t name_id,
				     const mg_value *root)
{
	mamori_findings *fs = g->run->findings;
	const char *rule = s->rf->names[name_id];
	mamori_finding *f;
	const mamori_rule_meta *meta = rule_meta(s, name_id);
	if (meta) {
		f = mamori_module_finding(g->run, meta->id);
		mamori_rule_apply(fs, f, meta);
	} else {
		f = mamori_module_finding(g->run,
					  mamori_findings_printf(fs, "guard/%s/%s", s->name, rule));
		f->title = mamori_findings_printf(fs, "Guard rule %s failed", rule);
		f->description =
			mamori_findings_printf(fs, "The rule %s of %s did not pass.", rule, s->name);
		f->severity = MAMORI_SEV_MEDIUM;
		mamori_finding_add_type(fs, f, MAMORI_TYPE_CHECKS);
	}
	f->compliance = MAMORI_COMPLIANCE_FAILED;
	/* a Config item names its account and region */
	const mg_value *acct = mg_map_get(root, "awsAccountId", 12);
	const mg_value *region = mg_map_get(root, "awsRegion", 9);
	if (acct && acct->type == MG_STRING && acct->s.len)
		f->aws_account_id = mamori_findings_printf(fs, "%.*s", (int)acct->s.len, acct->s.p);
	if (region && region->type == MG_STRING && region->s.len &&
	    !(region->s.len == 6 && memcmp(region->s.p, "global", 6) == 0))
		f->region = mamori_findings_printf(fs, "%.*s", (int)region->s.len, region->s.p);
	mamori_finding_add_product_field(fs, f, "mamori/guard/rules_file", s->name);
	mamori_finding_add_product_field(fs, f, "mamori/guard/rule", rule);
	return f;
}

/* Append the rule's own message to the description and attach the evidence. */
static void finish_finding(mamori_findings *fs, mamori_finding *f, const char *custom, cJSON *ev)
{
	char *msg = trimmed(custom);
	if (msg && *msg)
		f->description = mamori_findings_printf(fs, "%s %s", f->description, msg);
	free(msg);
	char *evs = mamori_json_print(ev, false);
	f->evidence_json = mamori_findings_strdup(fs, evs);
	free(evs);
	cJSON_Delete(ev);
}

/* One finding per (failing rule, resource), its checks as evidence. */
static void report_pair(gctx *g, const rset *s, const mamori_guard_pair *p,
			const mamori_target_file *tf, const mg_value *root)
{
	mamori_findings *fs = g->run->findings;
	const mg_rules_file *rf = s->rf;
	bool *done = mamori_xcalloc(p->ncheck ? p->ncheck : 1, 1);
	for (uint32_t n = 0; n < rf->nnames; n++) {
		if (p->status[n] != MG_FAIL)
			continue;
		const char *rule = rf->names[n];
		bool reported = false;
		for (size_t c = 0; c <= p->ncheck; c++) {
			const mamori_guard_check *first = NULL;
			if (c < p->ncheck) {
				if (done[c] || strcmp(p->checks[c].rule, rule) != 0)
					continue;
				first = &p->checks[c];
			} else if (reported) {
				break; /* every check of the rule is in a finding */
			}
			reported = true;
			mamori_finding *f = start_finding(g, s, n, root);
			const char *res_id = first ? first->resource : NULL;
			const char *res_type = first ? first->resource_type : NULL;
			const char *rid = !res_id ? tf->relpath
				      : strncmp(res_id, "arn:", 4) == 0
					      ? res_id
					      : mamori_findings_printf(fs, "%s#%s", tf->relpath, res_id);
			mamori_finding_add_resource(fs, f, res_id ? asff_type(res_type) : "Other", rid);
			cJSON *ev = cJSON_CreateObject();
			cJSON_AddStringToObject(ev, "rules_file", s->name);
			cJSON_AddStringToObject(ev, "rule", rule);
			mamori_json_add_str(ev, "resource", res_id);
			mamori_json_add_str(ev, "resource_type", res_type);
			cJSON *checks = cJSON_AddArrayToObject(ev, "checks");
			const char *custom = NULL;
			for (size_t k = c; first && k < p->ncheck; k++) {
				const mamori_guard_check *ck = &p->checks[k];
				if (done[k] || strcmp(ck->rule, rule) != 0 ||
				    !same_resource(ck->resource, res_id))
					continue;
				done[k] = true;
				add_check_json(checks, ck);
				if (!custom && ck->custom)
					custom = ck->custom;
			}
			finish_finding(fs, f, custom, ev);
			f->location.path = mamori_findings_strdup(fs, tf->relpath);
			f->location.line = first ? first->line : 0;
			f->location.column = first ? first->col : 0;
			if (!first)
				break;
		}
	}
	free(done);
}

static void evaluate(gctx *g, const mamori_target_file *tf, const mg_value *root, int kind)
{
	for (size_t i = 0; i < g->nsets; i++) {
		const rset *s = &g->sets[i];
		if (!(s->kinds & kind))
			continue;
		mamori_guard_pair p = {0};
		mamori_arena out;
		mamori_arena_init(&out, 0);
		mamori_guard_evaluate_root(&g->ev, s->rf, root, true, &out, &p);
		if (p.error)
			mamori_module_problem(g->run, "%s: rules %s: %s", tf->relpath, s->name, p.error);
		else
			report_pair(g, s, &p, tf, root);
		mamori_arena_free(&out);
	}
}

/* ---- AWS Config documents: every applicable rule is a control result ---- */

static bool is_str(const mg_value *v, const char *s)
{
	size_t n = strlen(s);
	return v && v->type == MG_STRING && v->s.len == n && memcmp(v->s.p, s, n) == 0;
}

/* The resource a Config document is about: the item's ARN, or the account
 * for the account and region documents and for items without an ARN (the
 * password policy, the EBS default encryption of a region...). */
static void add_doc_resource(gctx *g, mamori_finding *f, const mg_cfg_doc *d)
{
	mamori_findings *fs = g->run->findings;
	const mg_value *arn = mg_map_get(d->item, "ARN", 3);
	if (!arn || arn->type != MG_STRING)
		arn = mg_map_get(d->item, "arn", 3);
	const mg_value *type = mg_map_get(d->item, "resourceType", 12);
	char tb[128];
	const char *t = mg_cfg_str(d->item, "resourceType", tb, sizeof tb);
	if (!d->synthetic && arn && arn->type == MG_STRING && arn->s.len) {
		mamori_finding_add_resource(
			fs, f, asff_type(t),
			mamori_findings_printf(fs, "%.*s", (int)arn->s.len, arn->s.p));
		return;
	}
	const char *acct = g->cfg.accounts[d->account].id;
	mamori_finding_add_resource(fs, f, "AwsAccount",
				    mamori_findings_printf(fs, "AWS::::Account:%s",
							   *acct ? acct : "unknown"));
	if (!f->aws_account_id && *acct)
		f->aws_account_id = mamori_findings_strdup(fs, acct);
	/* several items without an ARN in one account and region */
	char ib[512];
	const char *id = mg_cfg_str(d->item, "resourceId", ib, sizeof ib);
	if (!d->synthetic && !is_str(type, "Mamori::AWS::Region"))
		f->fingerprint = mamori_findings_printf(fs, "%s/%s", t ? t : "", id ? id : "");
}

static void report_doc(gctx *g, const rset *s, const mamori_guard_pair *p, const mg_cfg_doc *d)
{
	mamori_findings *fs = g->run->findings;
	const mg_rules_file *rf = s->rf;
	const char *file = g->run->target->files[d->file].relpath;
	for (uint32_t n = 0; n < rf->nnames; n++) {
		if (p->status[n] != MG_FAIL && p->status[n] != MG_PASS)
			continue;
		if (s->pack && !rule_meta(s, n))
			continue; /* a helper rule */
		const char *rule = rf->names[n];
		mamori_finding *f = start_finding(g, s, n, d->item);
		add_doc_resource(g, f, d);
		f->location.path = mamori_findings_strdup(fs, file);
		f->location.line = d->item->line;
		f->location.column = d->item->col;
		cJSON *ev = cJSON_CreateObject();
		cJSON_AddStringToObject(ev, "rules_file", s->name);
		cJSON_AddStringToObject(ev, "rule", rule);
		const char *custom = NULL;
		if (p->status[n] == MG_PASS) {
			/* Security Hub's convention for passed control findings */
			f->compliance = MAMORI_COMPLIANCE_PASSED;
			f->severity = MAMORI_SEV_INFORMATIONAL;
			f->description = mamori_findings_printf(fs, "PASSED: %s", f->description);
		} else {
			cJSON *checks = cJSON_AddArrayToObject(ev, "checks");
			bool first = true;
			for (size_t k = 0; k < p->ncheck; k++) {
				const mamori_guard_check *ck = &p->checks[k];
				if (strcmp(ck->rule, rule) != 0)
					continue;
				add_check_json(checks, ck);
				if (!custom && ck->custom)
					custom = ck->custom;
				if (first && ck->line) {
					f->location.line = ck->line;
					f->location.column = ck->col;
					first = false;
				}
			}
		}
		finish_finding(fs, f, custom, ev);
	}
}

static void evaluate_config(gctx *g)
{
	double t0 = now_s(), c0 = cpu_s();
	mg_cfg_build(&g->cfg, mamori_ctx_now(g->run->ctx));
	mamori_log(g->run->ctx, MAMORI_LOG_DEBUG,
		   "guard: %zu Config items and account/region documents of %zu account(s) "
		   "grouped in %.3f s (CPU %.3f s)",
		   g->cfg.ndocs, g->cfg.naccounts, now_s() - t0, cpu_s() - c0);
	mamori_arena out;
	mamori_arena_init(&out, 0);
	for (size_t i = 0; i < g->cfg.ndocs; i++) {
		const mg_cfg_doc *d = &g->cfg.docs[i];
		const char *file = g->run->target->files[d->file].relpath;
		const char *err = NULL;
		const mg_value *root = mg_cfg_document(&g->cfg, i, &err);
		if (!root) {
			mamori_module_problem(g->run, "%s:%u: %s", file, d->item->line, err);
			continue;
		}
		for (size_t k = 0; k < g->nsets; k++) {
			const rset *s = &g->sets[k];
			if (!(s->kinds & K_CONFIG))
				continue;
			mamori_guard_pair p = {0};
			double te = now_s();
			mamori_guard_evaluate_root(&g->ev, s->rf, root, true, &out, &p);
			double t1 = now_s();
			g->t_eval += t1 - te;
			((rset *)s)->t_eval += t1 - te;
			g->n_evals++;
			if (p.error)
				mamori_module_problem(g->run, "%s:%u: rules %s: %s", file,
						      d->item->line, s->name, p.error);
			else if (p.overall != MG_SKIP)
				report_doc(g, s, &p, d);
			g->t_report += now_s() - t1;
			mamori_arena_free(&out);
			mamori_arena_init(&out, 0);
		}
	}
	mamori_arena_free(&out);
}

static int guard_run(mamori_module_run *run)
{
	gctx g = {.run = run};
	double t_start = now_s(), c_start = cpu_s();
	mamori_arena_init(&g.scratch, 0);
	mg_cfg_init(&g.cfg);
	load_builtin(&g);
	load_user(&g);
	mg_eval_init(&g.ev, run->ctx);
	g.ev.quiet_filters = true;
	const mamori_target *t = run->target;
	mamori_buf buf = MAMORI_BUF_INIT;
	/* the Config items stay loaded until every file is read: an account's
	 * items may be spread over several snapshots (one per region) */
	mamori_arena *kept = mamori_xcalloc(t->file_count ? t->file_count : 1, sizeof *kept);
	size_t nkept = 0;
	mamori_progress_begin(run->ctx, "guard: evaluating templates, plans and Config items",
			      t->file_count + 1);
	for (size_t i = 0; i < t->file_count; i++) {
		mamori_progress_update(run->ctx, i);
		const mamori_target_file *tf = &t->files[i];
		if (!mamori_target_file_has_suffix(tf, data_ext))
			continue;
		mamori_buf_reset(&buf);
		if (mamori_buf_read_file(run->ctx, &buf, tf->path, MAX_DATA_BYTES)) {
			mamori_module_problem(run, NULL);
			continue;
		}
		mamori_arena docs_arena;
		mamori_arena_init(&docs_arena, 0);
		mg_docs docs;
		bool keep = false;
		if (mg_load(run->ctx, tf->relpath, buf.data ? buf.data : "", buf.len, &docs_arena,
			    &docs)) {
			mamori_module_problem(run, NULL);
		} else {
			for (size_t d = 0; d < docs.count; d++) {
				const mg_value *root = docs.roots[d];
				int kind = kind_of(root);
				if (kind & 0x100) {
					const mg_value *items = mg_map_get(root, "configurationItems", 18);
					for (uint32_t k = 0; k < items->list.n; k++)
						mg_cfg_add(&g.cfg, items->list.v[k], i);
					keep = true;
				} else if (kind == K_CONFIG) {
					mg_cfg_add(&g.cfg, root, i);
					keep = true;
				} else if (kind) {
					evaluate(&g, tf, root, kind);
				}
			}
		}
		if (keep)
			kept[nkept++] = docs_arena;
		else
			mamori_arena_free(&docs_arena);
	}
	mamori_buf_free(&buf);
	double t_read = now_s() - t_start, c_read = cpu_s() - c_start;
	double c_config = cpu_s();
	evaluate_config(&g);
	c_config = cpu_s() - c_config;
	mamori_progress_end(run->ctx);
	mamori_log(run->ctx, MAMORI_LOG_DEBUG,
		   "guard: reading and parsing %.3f s (CPU %.3f s); Config: %zu evaluations "
		   "(documents x rules files) %.3f s, findings %.3f s (CPU of both and grouping "
		   "%.3f s)",
		   t_read, c_read, g.n_evals, g.t_eval, g.t_report, c_config);
	for (size_t i = 0; i < g.nsets; i++)
		if (g.sets[i].t_eval > 0.001)
			mamori_log(run->ctx, MAMORI_LOG_DEBUG, "guard: %s: %.3f s", g.sets[i].name,
				   g.sets[i].t_eval);
	for (size_t i = 0; i < nkept; i++)
		mamori_arena_free(&kept[i]);
	free(kept);
	mg_cfg_free(&g.cfg);
	mg_eval_free(&g.ev);
	for (size_t i = 0; i < g.nsets; i++) {
		mg_rules_free(g.sets[i].rf);
		if (g.sets[i].has_meta)
			mamori_rulebook_free(&g.sets[i].meta);
	}
	free(g.sets);
	mamori_arena_free(&g.scratch);
	return MAMORI_OK;
}

const mamori_module mamori_module_guard = {
	.name = "guard",
	.pillar = "posture",
	.summary = "AWS CloudFormation Guard rules (built-in and the target's own .guard files) "
		   "on CloudFormation templates, Terraform plans and AWS Config items",
	/* a live collection is scanned as its Config snapshot (src/aws/target.c) */
	.target_kinds = MAMORI_TARGET_PATH | MAMORI_TARGET_AWS,
	.wants = guard_wants,
	.run = guard_run,
};
