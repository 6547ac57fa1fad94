/*
 * test_detect_natives.c — the native GuardDuty-style detectors against the
 * Panther test events of the corpus and against crafted bursts, sequences
 * and flows.
 *
 * Panther's labelled CloudTrail events (shared/corpora/cloudtrail/
 * panther-tests/): every Panther rule that corresponds to one of our
 * GuardDuty types is mapped to it (docs/detect.md, "Native detectors and
 * Panther's rules"); each event is run alone through a fresh detection
 * run, and the set of native finding types it raises must be exactly what
 * the mapping expects — the mapped type on the events Panther expects to
 * alert, nothing on the others — except for the differences listed in
 * native_differences.inc, each explained in docs/detect.md.  A documented
 * difference that no longer happens fails the test too, so the list stays
 * true.  Detectors that need several events (thresholds) must stay quiet
 * on every single event; crafted bursts check that they fire at volume
 * and not below.  Baselines: a second run with the same store knows what
 * is normal (the store functions themselves: test_store_baseline.c).
 */
#include "testutil.h"

#include "../../src/core/json.h"
#include "detect/dt_intel.h"
#include "detect/dt_run.h"

typedef struct fx {
	mamori_ctx *ctx;
	char *dir;
	dt_engine e;
	unsigned seq;
} fx;

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	f->ctx = mamori_ctx_new();
	f->dir = test_tmpdir("natives");
	assert_int_equal(dt_engine_init(f->ctx, &f->e, NULL), MAMORI_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	dt_engine_free(&f->e);
	mamori_ctx_free(f->ctx);
	free(f->dir);
	free(f);
	return 0;
}

typedef struct result {
	mamori_findings fs;
	dt_stats st;
	size_t problems;
} result;

/* Run detection on files holding the given contents (NULL-terminated pairs name, text). */
static void detect_texts(fx *f, mamori_store *store, const char *const *pairs, result *res)
{
	dt_file files[16];
	char *paths[16];
	size_t n = 0;
	for (; pairs[2 * n] && n < 16; n++) {
		char name[300];
		snprintf(name, sizeof name, "%u-%s", ++f->seq, pairs[2 * n]);
		paths[n] = test_path(f->dir, name);
		test_write(paths[n], pairs[2 * n + 1]);
		files[n] = (dt_file){paths[n], pairs[2 * n], strlen(pairs[2 * n + 1])};
	}
	mamori_findings_init(&res->fs);
	mamori_module_run run = {f->ctx, &mamori_module_detect, NULL, &res->fs, 0, NULL};
	dt_run_options o = {0, 0, store, false, NULL, NULL};
	assert_int_equal(dt_detect(&f->e, &o, files, n, &run, &res->st), MAMORI_OK);
	res->problems = run.problems;
	for (size_t i = 0; i < n; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
}

static void detect_one(fx *f, const char *name, const char *text, result *res)
{
	const char *pairs[] = {name, text, NULL};
	detect_texts(f, NULL, pairs, res);
}

static const mamori_finding *find_rule(const result *r, const char *rule)
{
	for (size_t i = 0; i < r->fs.count; i++)
		if (strcmp(r->fs.items[i].generator_id, rule) == 0)
			return &r->fs.items[i];
	return NULL;
}

static size_t count_rule(const result *r, const char *rule)
{
	size_t n = 0;
	for (size_t i = 0; i < r->fs.count; i++)
		n += strcmp(r->fs.items[i].generator_id, rule) == 0;
	return n;
}

/* The path of a corpus file, or false (the test skips) without the corpora. */
static bool corpus_file(char *out, size_t cap, const char *rel)
{
	const char *c = test_corpora();
	if (!c) {
		fprintf(stderr, "SKIP: MAMORI_CORPORA is not set or missing\n");
		return false;
	}
	snprintf(out, cap, "%s/%s", c, rel);
	return true;
}

/* ---- Panther's labelled events ---- */

/* Panther rules that are single-event checks of one of our types. */
static const char *const single[][2] = {
	{"AWS.Root.Activity", "Policy:IAMUser/RootCredentialUsage"},
	{"AWS.Console.RootLogin", "Policy:IAMUser/RootCredentialUsage"},
	{"AWS.Console.LoginWithoutMFA", "Policy:IAMUser/ConsoleLoginWithoutMFA"},
	{"AWS.CloudTrail.Stopped", "Stealth:IAMUser/CloudTrailLoggingDisabled"},
	{"AWS.CloudTrail.EventSelectorsDisabled", "Stealth:IAMUser/CloudTrailEventSelectorsChanged"},
	{"AWS.CloudTrail.DNSLogsDeleted", "Stealth:IAMUser/ResolverQueryLoggingDeleted"},
	{"AWS.VPCFlow.LogsDeleted", "Stealth:IAMUser/FlowLogsDeleted"},
	{"AWS.CloudTrail.AttemptToLeaveOrg", "Stealth:IAMUser/OrganizationLeaveAttempt"},
	{"AWS.ConfigService.DisabledDeleted", "Stealth:IAMUser/LoggingServiceDisabled"},
	{"AWS.Bedrock.DeleteModelInvocationLoggingConfiguration",
	 "Stealth:IAMUser/LoggingServiceDisabled"},
	{"AWS.S3.DeletePublicAccessBlock", "Policy:S3/BucketBlockPublicAccessDisabled"},
	{"AWS.S3.DisableBucketLogging", "Stealth:S3/ServerAccessLoggingDisabled"},
	{"AWS.CloudTrail.ResourceMadePublic", "Policy:S3/BucketPublicAccessGranted"},
	{"AWS.CloudTrail.AMIModifiedForPublicAccess", "Exfiltration:EC2/AMISharedExternally"},
	{"AWS.CloudTrail.SnapshotMadePublic", "Exfiltration:EC2/SnapshotSharedExternally"},
	{"AWS.RDS.SnapshotShared", "Exfiltration:RDS/SnapshotSharedExternally"},
	{"AWS.EC2.LaunchUnusualEC2Instances", "Execution:EC2/UnusualInstanceTypeLaunched"},
	{"AWS.CloudTrail.ShortLifecycle", "Stealth:S3/TrailBucketLifecycleShortened"},
	{"AWS.Lambda.UpdateFunctionCode", "Persistence:Lambda/FunctionCodeChanged"},
	{"AWS.Lambda.UpdateFunctionConfiguration", "Persistence:Lambda/FunctionCodeChanged"},
	{"AWS.IAM.AttachAdminUserPolicy", "Persistence:IAMUser/AdminPolicyAttached"},
	{"AWS.IAM.AttachAdminRolePolicy", "Persistence:IAMUser/AdminPolicyAttached"},
	{"AWS.IAM.BackdoorRole", "Persistence:IAMRole/TrustPolicyExternalPrincipal"},
	{"AWS.IAM.Backdoor.User.Keys", "Persistence:IAMUser/AnomalousBehavior"},
	{"AWS.CloudTrail.LoginProfileCreatedOrModified", "Persistence:IAMUser/LoginProfileChanged"},
	{"AWS.User.Login.Profile.Modified", "Persistence:IAMUser/LoginProfileChanged"},
	{"AWS.SSM.DistributedCommand", "Execution:SSM/CommandOnMultipleInstances"},
	{"AWS.CloudTrail.IMDSCredentialExfiltration",
	 "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"},
};

/* Panther rules whose behaviour our threshold or sequence detectors cover:
 * one event is below every threshold, so these must stay quiet on it. */
static const char *const threshold[][2] = {
	{"AWS.EC2.MultiInstanceConnect", "LateralMovement:EC2/InstanceConnectMultipleInstances"},
	{"AWS.EC2.ManyPasswordReadAttempts", "CredentialAccess:IAMUser/AnomalousBehavior"},
	{"AWS.EC2.DownloadInstanceUserData", "Discovery:EC2/UserDataDownload"},
	{"AWS.CloudTrail.SES.CheckIdentityVerifications", "Discovery:IAMUser/AnomalousBehavior"},
	{"AWS.CloudTrail.SES.CheckSESSendingEnabled", "Discovery:IAMUser/AnomalousBehavior"},
	{"AWS.CloudTrail.SES.CheckSendQuota", "Discovery:IAMUser/AnomalousBehavior"},
	{"AWS.CloudTrail.SES.ListIdentities", "Discovery:IAMUser/AnomalousBehavior"},
	{"AWS.SecretsManager.BatchRetrieveSecrets", "CredentialAccess:IAMUser/AnomalousBehavior"},
	{"AWS.SecretsManager.BatchRetrieveSecretsCatchAll", "CredentialAccess:IAMUser/AnomalousBehavior"},
	{"AWS.SecretsManager.RetrieveSecrets", "CredentialAccess:IAMUser/AnomalousBehavior"},
	{"AWS.SecretsManager.RetrieveSecretsMultiRegion", "CredentialAccess:IAMUser/AnomalousBehavior"},
	{"AWS.SSM.DecryptSSMParams", "CredentialAccess:IAMUser/AnomalousBehavior"},
	{"AWS.S3.CopyObjectWithClientSideEncryption", "Impact:S3/ClientSideEncryptionOverwrite"},
	{"AWS.S3.DeleteObject", "Impact:S3/MassObjectDeletion"},
	{"AWS.S3.DeleteObjects", "Impact:S3/MassObjectDeletion"},
	{"AWS.EC2.Startup.Script.Change", "Execution:EC2/UserDataModifiedBetweenStopStart"},
};

/* Differences with the mapping that docs/detect.md explains. */
static const struct {
	int line;
	const char *type;
	bool fires;
	bool seen;
} documented[] = {
#include "native_differences.inc"
	{0, NULL, false, false},
};

static int documented_index(int line, const char *type, bool fires)
{
	for (int i = 0; documented[i].type; i++)
		if (documented[i].line == line && strcmp(documented[i].type, type) == 0 &&
		    documented[i].fires == fires)
			return i;
	return -1;
}

static const char *mapped(const char *rule, bool *is_threshold)
{
	for (size_t i = 0; i < sizeof single / sizeof *single; i++)
		if (strcmp(single[i][0], rule) == 0) {
			*is_threshold = false;
			return single[i][1];
		}
	for (size_t i = 0; i < sizeof threshold / sizeof *threshold; i++)
		if (strcmp(threshold[i][0], rule) == 0) {
			*is_threshold = true;
			return threshold[i][1];
		}
	return NULL;
}

static void test_panther_cloudtrail(void **state)
{
	fx *f = *state;
	char path[4096];
	if (!corpus_file(path, sizeof path, "cloudtrail/panther-tests/aws_cloudtrail_rule_tests.jsonl")) {
		skip();
		return;
	}
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	bool seen[sizeof documented / sizeof *documented] = {false};
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, undocumented = 0, mapped_events = 0, alerts = 0, not_cloudtrail = 0;
	while (getline(&line, &cap, in) > 0) {
		lineno++;
		cJSON *t = cJSON_Parse(line);
		assert_non_null(t);
		const char *rule = mamori_json_str(t, "panther_rule");
		bool expected = cJSON_IsTrue(mamori_json_get(t, "expected_result"));
		char *log = cJSON_PrintUnformatted(mamori_json_get(t, "log"));
		result r;
		detect_one(f, "event.json", log, &r);
		/* read as a CloudTrail event, or (8 test events spell their keys in
		 * lower case, which CloudTrail never does) skipped as not a log */
		assert_int_equal(r.st.ct_records + r.st.files_skipped, 1);
		assert_int_equal(r.problems, 0);
		not_cloudtrail += r.st.files_skipped == 1;
		bool thr = false;
		const char *type = mapped(rule, &thr);
		mapped_events += type != NULL;
		const char *want = type && !thr && expected ? type : NULL;
		alerts += want != NULL;
		/* every type raised must be wanted or documented ... */
		for (size_t i = 0; i < r.fs.count; i++) {
			const char *got = r.fs.items[i].generator_id;
			if (want && strcmp(got, want) == 0)
				continue;
			int d = documented_index(lineno, got, true);
			if (d < 0) {
				fprintf(stderr, "line %d (%s, expected %s): %s fires\n", lineno, rule,
					expected ? "true" : "false", got);
				undocumented++;
			} else {
				seen[d] = true;
			}
		}
		/* ... and the wanted one must be raised, or its absence documented */
		if (want && !find_rule(&r, want)) {
			int d = documented_index(lineno, want, false);
			if (d < 0) {
				fprintf(stderr, "line %d (%s, expected true): %s stays quiet\n", lineno,
					rule, want);
				undocumented++;
			} else {
				seen[d] = true;
			}
		}
		mamori_findings_free(&r.fs);
		free(log);
		cJSON_Delete(t);
	}
	free(line);
	fclose(in);
	assert_int_equal(lineno, 461);
	assert_int_equal(not_cloudtrail, 8);
	for (int i = 0; documented[i].type; i++)
		if (!seen[i]) {
			fprintf(stderr, "documented difference no longer happens: line %d %s %s\n",
				documented[i].line, documented[i].type,
				documented[i].fires ? "fires" : "stays quiet");
			undocumented++;
		}
	fprintf(stderr, "Panther events: %d mapped to our types, %d expected alerts\n",
		mapped_events, alerts);
	assert_true(mapped_events > 100);
	assert_int_equal(undocumented, 0);
}

/* Panther's DNS crypto-domain tests: BitcoinTool.B!DNS on the mining domains. */
static void test_panther_dns(void **state)
{
	fx *f = *state;
	char path[4096];
	if (!corpus_file(path, sizeof path, "cloudtrail/route53/panther_dns_rule_tests.jsonl")) {
		skip();
		return;
	}
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	char *line = NULL;
	size_t cap = 0;
	int checked = 0;
	while (getline(&line, &cap, in) > 0) {
		cJSON *t = cJSON_Parse(line);
		const cJSON *log = mamori_json_get(t, "log");
		bool expected = cJSON_IsTrue(mamori_json_get(t, "expected_result"));
		const char *name = mamori_json_str(t, "test_name");
		if (strstr(name, "OCSF")) { /* Panther's OCSF schema, not Resolver logs */
			cJSON_Delete(t);
			continue;
		}
		char *text = cJSON_PrintUnformatted(log);
		result r;
		detect_one(f, "resolver.log", text, &r);
		assert_int_equal(r.st.dns_records, 1);
		bool fired = find_rule(&r, "CryptoCurrency:EC2/BitcoinTool.B!DNS") != NULL;
		if (fired != expected)
			fprintf(stderr, "%s: expected %d\n", name, expected);
		assert_int_equal(fired, expected);
		checked++;
		mamori_findings_free(&r.fs);
		free(text);
		cJSON_Delete(t);
	}
	free(line);
	fclose(in);
	assert_int_equal(checked, 8);
}

/* ---- bursts, sequences: thresholds fire at volume and not below ---- */

/* tpl with "#N" replaced by n, "#P" by n on four digits, "#S" by n % 60 on two digits, "#IP" by ip. */
static char *fill(const char *tpl, int n, const char *ip)
{
	mamori_buf b = MAMORI_BUF_INIT;
	for (const char *p = tpl; *p;) {
		if (strncmp(p, "#N", 2) == 0) {
			mamori_buf_printf(&b, "%d", n);
			p += 2;
		} else if (strncmp(p, "#P", 2) == 0) {
			mamori_buf_printf(&b, "%04d", n);
			p += 2;
		} else if (strncmp(p, "#S", 2) == 0) {
			mamori_buf_printf(&b, "%02d", n % 60);
			p += 2;
		} else if (strncmp(p, "#IP", 3) == 0) {
			mamori_buf_puts(&b, ip ? ip : "");
			p += 3;
		} else {
			mamori_buf_putc(&b, *p++);
		}
	}
	return mamori_buf_detach(&b);
}

static char *ct_events(const char *const *events, size_t n)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_puts(&b, "{\"Records\":[");
	for (size_t i = 0; i < n; i++)
		mamori_buf_printf(&b, "%s%s", i ? "," : "", events[i]);
	mamori_buf_puts(&b, "]}\n");
	return mamori_buf_detach(&b);
}

#define WHO "\"userIdentity\":{\"type\":\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user/eve\"," \
	    "\"accountId\":\"111122223333\",\"userName\":\"eve\"},\"recipientAccountId\":\"111122223333\""

/* n events of one API on n distinct targets (#N: the target, #S: the second). */
static char *burst(const char *fmt, int n)
{
	char **evs = calloc((size_t)n, sizeof *evs);
	for (int i = 0; i < n; i++) {
		evs[i] = fill(fmt, i, NULL);
	}
	char *text = ct_events((const char *const *)evs, (size_t)n);
	for (int i = 0; i < n; i++)
		free(evs[i]);
	free(evs);
	return text;
}

static void check_burst(fx *f, const char *fmt, int below, int at, const char *type)
{
	result r;
	char *text = burst(fmt, below);
	detect_one(f, "trail.json", text, &r);
	if (find_rule(&r, type))
		fprintf(stderr, "%s fires on %d events\n", type, below);
	assert_null(find_rule(&r, type));
	mamori_findings_free(&r.fs);
	free(text);
	text = burst(fmt, at);
	detect_one(f, "trail.json", text, &r);
	if (!find_rule(&r, type))
		fprintf(stderr, "%s quiet on %d events\n", type, at);
	assert_int_equal(count_rule(&r, type), 1);
	mamori_findings_free(&r.fs);
	free(text);
}

static void test_thresholds(void **state)
{
	fx *f = *state;
	check_burst(f,
		    "{\"eventName\":\"GetPasswordData\",\"eventSource\":\"ec2.amazonaws.com\","
		    "\"eventTime\":\"2026-11-20T10:00:#SZ\"," WHO
		    ",\"requestParameters\":{\"instanceId\":\"i-#N\"}}",
		    9, 10, "CredentialAccess:IAMUser/AnomalousBehavior");
	check_burst(f,
		    "{\"eventName\":\"GetSecretValue\",\"eventSource\":\"secretsmanager.amazonaws.com\","
		    "\"eventTime\":\"2026-11-20T10:00:#SZ\"," WHO
		    ",\"requestParameters\":{\"secretId\":\"s-#N\"}}",
		    19, 20, "CredentialAccess:IAMUser/AnomalousBehavior");
	check_burst(f,
		    "{\"eventName\":\"DescribeInstanceAttribute\",\"eventSource\":\"ec2.amazonaws.com\","
		    "\"eventTime\":\"2026-11-20T10:00:#SZ\"," WHO
		    ",\"requestParameters\":{\"attribute\":\"userData\",\"instanceId\":\"i-#N\"}}",
		    9, 10, "Discovery:EC2/UserDataDownload");
	check_burst(f,
		    "{\"eventName\":\"SendCommand\",\"eventSource\":\"ssm.amazonaws.com\","
		    "\"eventTime\":\"2026-11-20T10:00:#SZ\"," WHO
		    ",\"requestParameters\":{\"instanceIds\":[\"i-#N\"]}}",
		    2, 3, "Execution:SSM/CommandOnMultipleInstances");
	check_burst(f,
		    "{\"eventName\":\"DeleteObject\",\"eventSource\":\"s3.amazonaws.com\","
		    "\"eventTime\":\"2026-11-20T10:00:#SZ\"," WHO
		    ",\"requestParameters\":{\"bucketName\":\"b\",\"key\":\"k#N\"}}",
		    49, 50, "Impact:S3/MassObjectDeletion");
	/* discovery: distinct APIs (#N makes each name distinct) */
	check_burst(f,
		    "{\"eventName\":\"DescribeThing#N\",\"eventSource\":\"ec2.amazonaws.com\","
		    "\"eventTime\":\"2026-11-20T10:00:#SZ\"," WHO "}",
		    19, 20, "Discovery:IAMUser/AnomalousBehavior");
}

/* Outside the window the count starts again. */
static void test_window(void **state)
{
	fx *f = *state;
	char *evs[10];
	for (int i = 0; i < 10; i++) {
		mamori_buf b = MAMORI_BUF_INIT;
		/* 10 reads, 5 minutes apart: never 10 within 600 s */
		mamori_buf_printf(&b,
				  "{\"eventName\":\"GetPasswordData\",\"eventSource\":\"ec2.amazonaws.com\","
				  "\"eventTime\":\"2026-11-20T%02d:%02d:00Z\"," WHO
				  ",\"requestParameters\":{\"instanceId\":\"i-%04d\"}}",
				  10 + i / 12, i % 12 * 5, i);
		evs[i] = mamori_buf_detach(&b);
	}
	char *text = ct_events((const char *const *)evs, 10);
	result r;
	detect_one(f, "trail.json", text, &r);
	assert_null(find_rule(&r, "CredentialAccess:IAMUser/AnomalousBehavior"));
	mamori_findings_free(&r.fs);
	free(text);
	for (int i = 0; i < 10; i++)
		free(evs[i]);
}

#define EV(name, time, req) \
	"{\"eventName\":\"" name "\",\"eventSource\":\"ec2.amazonaws.com\",\"eventTime\":\"" time \
	"\"," WHO ",\"requestParameters\":" req "}"
#define STOP EV("StopInstances", "2026-11-20T10:00:00Z", "{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-1\"}]}}")
#define MODIFY EV("ModifyInstanceAttribute", "2026-11-20T10:01:00Z", "{\"instanceId\":\"i-1\",\"attribute\":\"userData\"}")
#define START EV("StartInstances", "2026-11-20T10:02:00Z", "{\"instancesSet\":{\"items\":[{\"instanceId\":\"i-1\"}]}}")

/* The stop -> user data -> start sequence, also when the files come out of
 * order (the reorder buffer puts the events back in time order). */
static void test_sequence(void **state)
{
	fx *f = *state;
	const char *seq[] = {STOP, MODIFY, START};
	char *text = ct_events(seq, 3);
	result r;
	detect_one(f, "trail.json", text, &r);
	assert_int_equal(count_rule(&r, "Execution:EC2/UserDataModifiedBetweenStopStart"), 1);
	mamori_findings_free(&r.fs);
	free(text);
	/* no stop first: no sequence */
	const char *partial[] = {MODIFY, START};
	text = ct_events(partial, 2);
	detect_one(f, "trail.json", text, &r);
	assert_null(find_rule(&r, "Execution:EC2/UserDataModifiedBetweenStopStart"));
	mamori_findings_free(&r.fs);
	free(text);
	/* three files read start, modify, stop (their names sort that way) */
	const char *a[] = {START}, *b[] = {MODIFY}, *c[] = {STOP};
	char *ta = ct_events(a, 1), *tb = ct_events(b, 1), *tc = ct_events(c, 1);
	const char *files[] = {"a.json", ta, "b.json", tb, "c.json", tc, NULL};
	detect_texts(f, NULL, files, &r);
	assert_int_equal(count_rule(&r, "Execution:EC2/UserDataModifiedBetweenStopStart"), 1);
	assert_int_equal(r.st.late_events, 0);
	mamori_findings_free(&r.fs);
	/* without the reorder window the same files are late and the sequence is lost */
	f->e.cfg.reorder_window = 0;
	detect_texts(f, NULL, files, &r);
	assert_null(find_rule(&r, "Execution:EC2/UserDataModifiedBetweenStopStart"));
	assert_int_equal(r.st.late_events, 2);
	mamori_findings_free(&r.fs);
	dt_config_defaults(&f->e.cfg);
	free(ta);
	free(tb);
	free(tc);
}

/* Instance credentials used from a second public address. */
static void test_instance_credentials(void **state)
{
	fx *f = *state;
	const char *fmt =
		"{\"eventName\":\"ListBuckets\",\"eventSource\":\"s3.amazonaws.com\","
		"\"eventTime\":\"2026-11-20T10:00:0#NZ\",\"sourceIPAddress\":\"#IP\","
		"\"recipientAccountId\":\"111122223333\",\"userIdentity\":{\"type\":\"AssumedRole\","
		"\"arn\":\"arn:aws:sts::111122223333:assumed-role/web/i-0abc12345678def00\","
		"\"accountId\":\"111122223333\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\","
		"\"arn\":\"arn:aws:iam::111122223333:role/web\"}}}}";
	char *e1 = fill(fmt, 1, "54.12.0.7"), *e2 = fill(fmt, 2, "54.12.0.7");
	const char *same[] = {e1, e2};
	char *text = ct_events(same, 2);
	result r;
	detect_one(f, "trail.json", text, &r);
	assert_null(find_rule(&r, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"));
	mamori_findings_free(&r.fs);
	free(text);
	free(e2);
	e2 = fill(fmt, 2, "198.51.100.23");
	const char *two[] = {e1, e2};
	text = ct_events(two, 2);
	detect_one(f, "trail.json", text, &r);
	assert_int_equal(
		count_rule(&r, "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"), 1);
	mamori_findings_free(&r.fs);
	free(text);
	free(e1);
	free(e2);
}

/* ---- flow logs ---- */

#define FLOW_HEADER \
	"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"

static char *flows(const char *fmt, int n)
{
	mamori_buf b = MAMORI_BUF_INIT;
	mamori_buf_puts(&b, FLOW_HEADER);
	for (int i = 0; i < n; i++) {
		char *line = fill(fmt, i + 1, NULL);
		mamori_buf_printf(&b, "%s\n", line);
		free(line);
	}
	return mamori_buf_detach(&b);
}

static void check_flows(fx *f, const char *fmt, int n, const char *type, bool fires, int severity)
{
	char *text = flows(fmt, n);
	result r;
	detect_one(f, "flow.log", text, &r);
	const mamori_finding *x = find_rule(&r, type);
	if ((x != NULL) != fires)
		fprintf(stderr, "%s: expected %s on %d flows\n", type, fires ? "a finding" : "none", n);
	assert_int_equal(x != NULL, fires);
	if (x && severity >= 0)
		assert_int_equal(x->severity, severity);
	mamori_findings_free(&r.fs);
	free(text);
}

static void test_flows(void **state)
{
	fx *f = *state;
	/* an instance probing ports of one host: Portscan at 25 ports */
	const char *scan = "2 111122223333 eni-1 10.0.1.5 203.0.113.80 40000 #N 6 1 44 1795168800 1795168860 REJECT OK";
	check_flows(f, scan, 24, "Recon:EC2/Portscan", false, -1);
	check_flows(f, scan, 25, "Recon:EC2/Portscan", true, MAMORI_SEV_MEDIUM);
	/* the Internet scanning us is background noise, not a finding */
	const char *inbound = "2 111122223333 eni-1 203.0.113.80 10.0.1.5 40000 #N 6 1 44 1795168800 1795168860 REJECT OK";
	check_flows(f, inbound, 100, "Recon:EC2/Portscan", false, -1);
	/* busy clients (data on every flow) are not probes */
	const char *client = "2 111122223333 eni-1 10.0.1.5 198.51.100.#N 40000 443 6 12 4800 1795168800 1795168860 ACCEPT OK";
	check_flows(f, client, 60, "Impact:EC2/PortSweep", false, -1);
	/* one port on many hosts, no data: PortSweep */
	const char *sweep = "2 111122223333 eni-1 10.0.1.5 198.51.100.#N 40000 6379 6 1 44 1795168800 1795168860 ACCEPT OK";
	check_flows(f, sweep, 25, "Impact:EC2/PortSweep", true, MAMORI_SEV_HIGH);
	/* SSH brute force: inbound LOW, by an instance HIGH */
	const char *ssh_in = "2 111122223333 eni-1 203.0.113.9 10.0.1.5 5#P 22 6 10 840 1795168800 1795168860 ACCEPT OK";
	check_flows(f, ssh_in, 19, "UnauthorizedAccess:EC2/SSHBruteForce", false, -1);
	check_flows(f, ssh_in, 20, "UnauthorizedAccess:EC2/SSHBruteForce", true, MAMORI_SEV_LOW);
	const char *ssh_out = "2 111122223333 eni-1 10.0.1.5 203.0.113.9 5#P 22 6 10 840 1795168800 1795168860 ACCEPT OK";
	check_flows(f, ssh_out, 20, "UnauthorizedAccess:EC2/SSHBruteForce", true, MAMORI_SEV_HIGH);
	const char *rdp = "2 111122223333 eni-1 203.0.113.9 10.0.1.5 5#P 3389 6 10 840 1795168800 1795168860 ACCEPT OK";
	check_flows(f, rdp, 20, "UnauthorizedAccess:EC2/RDPBruteForce", true, MAMORI_SEV_LOW);
	/* a database port open to the Internet, reached by 5 sources */
	const char *probe = "2 111122223333 eni-1 198.51.100.#N 10.0.1.5 50000 5432 6 6 400 1795168800 1795168860 ACCEPT OK";
	check_flows(f, probe, 4, "Recon:EC2/PortProbeUnprotectedPort", false, -1);
	check_flows(f, probe, 5, "Recon:EC2/PortProbeUnprotectedPort", true, MAMORI_SEV_LOW);
}

/* The flow-log examples of the AWS documentation: every record read, no finding. */
static void test_flow_corpus(void **state)
{
	fx *f = *state;
	char path[4096];
	if (!corpus_file(path, sizeof path, "cloudtrail/vpcflow/awsdocs-flow-log-record-examples.txt")) {
		skip();
		return;
	}
	dt_file file = {path, "awsdocs-flow-log-record-examples.txt", 0};
	result r;
	mamori_findings_init(&r.fs);
	mamori_module_run run = {f->ctx, &mamori_module_detect, NULL, &r.fs, 0, NULL};
	assert_int_equal(dt_detect(&f->e, NULL, &file, 1, &run, &r.st), MAMORI_OK);
	assert_int_equal(r.st.flow_records, 25);
	assert_int_equal(r.st.flow_nodata, 2);
	assert_int_equal(r.st.bad_lines, 0);
	assert_int_equal(run.problems, 0);
	assert_int_equal(r.fs.count, 0);
	mamori_findings_free(&r.fs);
}

/* ---- DNS ---- */

static void test_dns(void **state)
{
	fx *f = *state;
	mamori_buf b = MAMORI_BUF_INIT;
	/* 20 long random labels under one domain: exfiltration */
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	uint32_t x = 12345;
	for (int i = 0; i < 20; i++) {
		char label[41];
		for (int k = 0; k < 40; k++) {
			x = x * 1103515245u + 12345u;
			label[k] = alphabet[(x >> 16) % 36];
		}
		label[40] = '\0';
		mamori_buf_printf(&b,
				  "{\"version\":\"1.1\",\"account_id\":\"111122223333\",\"region\":\"us-east-1\","
				  "\"query_timestamp\":\"2026-11-20T10:00:%02dZ\",\"query_name\":\"%s.exfil.example.net.\","
				  "\"query_type\":\"TXT\",\"rcode\":\"NOERROR\",\"srcaddr\":\"10.0.1.5\","
				  "\"srcids\":{\"instance\":\"i-0demo\"}}\n",
				  i, label);
	}
	result r;
	detect_one(f, "resolver.log", b.data, &r);
	assert_int_equal(count_rule(&r, "Trojan:EC2/DNSDataExfiltration"), 1);
	mamori_findings_free(&r.fs);
	mamori_buf_free(&b);
	/* ordinary names, many of them: nothing */
	for (int i = 0; i < 50; i++)
		mamori_buf_printf(&b,
				  "{\"query_timestamp\":\"2026-11-20T10:00:%02dZ\",\"query_name\":\"www%d.example.com.\","
				  "\"rcode\":\"NXDOMAIN\",\"srcaddr\":\"10.0.1.5\"}\n",
				  i % 60, i);
	detect_one(f, "resolver.log", b.data, &r);
	assert_int_equal(r.fs.count, 0);
	mamori_findings_free(&r.fs);
	mamori_buf_free(&b);
}

/* ---- threat lists ---- */

static bool listed(dt_intel *in, const char *ip, int *kind)
{
	uint8_t a[16];
	bool v4;
	assert_true(dt_ip_parse(ip, strlen(ip), a, &v4));
	dt_intel_hit h;
	if (!dt_intel_ip(in, a, &h))
		return false;
	*kind = h.kind;
	return true;
}

static void test_intel(void **state)
{
	(void)state;
	dt_intel *in = dt_intel_new();
	/* GuardDuty TXT: addresses, networks, domains, comments */
	const char *txt = "# feed\n198.51.100.23\n203.0.113.0/24\n2001:db8::/32\nevil.example\n\nnot an entry\n";
	dt_intel_load_buf(in, DT_INTEL_MALICIOUS, "feed.txt", txt, strlen(txt));
	assert_int_equal(dt_intel_problem_count(in), 1); /* "not an entry", with its line */
	assert_non_null(strstr(dt_intel_problem(in, 0), "feed.txt:7"));
	const char *trusted = "203.0.113.0/28\n";
	dt_intel_load_buf(in, DT_INTEL_TRUSTED, "office.txt", trusted, strlen(trusted));
	int kind = 0;
	assert_true(listed(in, "198.51.100.23", &kind));
	assert_false(listed(in, "198.51.100.99", &kind)); /* one address is /32, not a prefix */
	assert_false(listed(in, "10.1.2.3", &kind));
	assert_true(listed(in, "203.0.113.200", &kind));
	assert_int_equal(kind, DT_INTEL_MALICIOUS);
	assert_true(listed(in, "203.0.113.7", &kind)); /* the longer trusted prefix wins */
	assert_int_equal(kind, DT_INTEL_TRUSTED);
	assert_true(listed(in, "2001:db8::5", &kind));
	assert_false(listed(in, "2001:db9::5", &kind));
	dt_intel_hit h;
	assert_true(dt_intel_domain(in, "a.b.EVIL.example.", 17, &h));
	assert_false(dt_intel_domain(in, "notevil.example", 15, &h));
	/* STIX 2.1 and OTX-style CSV */
	const char *stix = "{\"type\":\"bundle\",\"objects\":[{\"type\":\"indicator\","
			   "\"pattern\":\"[ipv4-addr:value = '192.0.2.66']\"},{\"type\":\"indicator\","
			   "\"pattern\":\"[domain-name:value = 'c2.example.org']\"}]}";
	dt_intel_load_buf(in, DT_INTEL_C2, "bundle.json", stix, strlen(stix));
	const char *csv = "indicator,type,description\n192.0.2.77,IPv4,tor exit\n";
	dt_intel_load_buf(in, DT_INTEL_TOR, "otx.csv", csv, strlen(csv));
	assert_true(listed(in, "192.0.2.66", &kind));
	assert_int_equal(kind, DT_INTEL_C2);
	assert_true(dt_intel_domain(in, "x.c2.example.org", 16, &h));
	assert_int_equal(h.kind, DT_INTEL_C2);
	assert_true(listed(in, "192.0.2.77", &kind));
	assert_int_equal(kind, DT_INTEL_TOR);
	assert_false(listed(in, "192.0.2.78", &kind));
	dt_intel_free(in);
}

/* ---- baselines: a second run knows what is normal ---- */

static void test_second_run(void **state)
{
	fx *f = *state;
	char *db = test_path(f->dir, "second-run.db");
	mamori_store *s;
	assert_int_equal(mamori_store_open(f->ctx, db, &s), MAMORI_OK);
	/* run 1: eve lists buckets (she has a history now, without IAM); the
	 * instance talks to port 443 */
	const char *list = "{\"eventName\":\"ListBuckets\",\"eventSource\":\"s3.amazonaws.com\","
			   "\"eventTime\":\"2026-11-20T10:00:00Z\"," WHO "}";
	const char *r1[] = {list};
	char *t1 = ct_events(r1, 1);
	const char *flow1 = FLOW_HEADER
		"2 111122223333 eni-7 10.0.1.5 198.51.100.1 40000 443 6 12 4800 1795168800 1795168860 ACCEPT OK\n";
	const char *run1[] = {"trail.json", t1, "flow.log", flow1, NULL};
	result r;
	detect_texts(f, s, run1, &r);
	assert_int_equal(r.fs.count, 0);
	mamori_findings_free(&r.fs);
	/* run 2: eve creates a user (an identity known to manage no IAM: unusual);
	 * the instance uses 443 again (normal) and 6667 (never seen: unusual) */
	const char *create = "{\"eventName\":\"CreateUser\",\"eventSource\":\"iam.amazonaws.com\","
			     "\"eventTime\":\"2026-11-21T10:00:00Z\"," WHO
			     ",\"requestParameters\":{\"userName\":\"mallory\"}}";
	const char *r2[] = {create};
	char *t2 = ct_events(r2, 1);
	const char *flow2 = FLOW_HEADER
		"2 111122223333 eni-7 10.0.1.5 198.51.100.1 40001 443 6 12 4800 1795255200 1795255260 ACCEPT OK\n"
		"2 111122223333 eni-7 10.0.1.5 198.51.100.9 40002 6667 6 12 4800 1795255200 1795255260 ACCEPT OK\n";
	const char *run2[] = {"trail.json", t2, "flow.log", flow2, NULL};
	detect_texts(f, s, run2, &r);
	assert_int_equal(count_rule(&r, "Persistence:IAMUser/AnomalousBehavior"), 1);
	const mamori_finding *u = find_rule(&r, "Behavior:EC2/NetworkPortUnusual");
	assert_non_null(u);
	assert_int_equal(count_rule(&r, "Behavior:EC2/NetworkPortUnusual"), 1);
	assert_non_null(strstr(u->description, "6667"));
	mamori_findings_free(&r.fs);
	/* run 3: the same again is normal now (run 2 taught it) */
	detect_texts(f, s, run2, &r);
	assert_null(find_rule(&r, "Persistence:IAMUser/AnomalousBehavior"));
	assert_null(find_rule(&r, "Behavior:EC2/NetworkPortUnusual"));
	mamori_findings_free(&r.fs);
	/* without a store nothing is known: a first-seen instance has no baseline
	 * to differ from, and CreateUser by a first-seen identity is not unusual */
	detect_texts(f, NULL, run2, &r);
	assert_null(find_rule(&r, "Behavior:EC2/NetworkPortUnusual"));
	assert_null(find_rule(&r, "Persistence:IAMUser/AnomalousBehavior"));
	mamori_findings_free(&r.fs);
	mamori_store_close(s);
	free(t1);
	free(t2);
	free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_panther_cloudtrail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_panther_dns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instance_credentials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flow_corpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns, setup, teardown),
		cmocka_unit_test(test_intel),
		cmocka_unit_test_setup_teardown(test_second_run, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
