/*
 * c_services.c — the per-region collectors that are a list and, at most, a
 * describe per entry: CloudTrail, AWS Config recorders, KMS, RDS,
 * CloudWatch alarms + Logs metric filters + SNS subscriptions (CIS section
 * 4 joins them), GuardDuty, Security Hub, EFS, Access Analyzer, and
 * Organizations (once per account).
 *
 * Items follow AWS Config's types and spelling (aws_config_case: the API
 * answer with lowerCamel member names).  Where a describe adds to a listed
 * resource (trail status and event selectors, recorder status, key
 * rotation, topic subscriptions, enabled standards), it goes under
 * supplementaryConfiguration, named after the API's answer.  Mamori types
 * where Config has none: AWS::Logs::MetricFilter,
 * AWS::Organizations::Organization (docs/aws.md).
 */
#include "aws_internal.h"
#include "lister.h"

#include <stdlib.h>
#include <string.h>

/* ---- a resource that waits for several answers ---- */

typedef struct joined {
	aws_account *a;
	const char *type;
	cJSON *item;	/* the listed entry, API names */
	cJSON *sup;
	unsigned pending;
	bool failed;
	const char *id_key, *name_key, *arn_key, *created_key;
} joined;

static void joined_finish(aws_client *cl, joined *j, const char *region)
{
	if (--j->pending)
		return;
	if (!j->failed) {
		aws_sort_members(j->sup);
		aws_ci ci = {.type = j->type,
			     .id = aws_str(j->item, j->id_key),
			     .name = j->name_key ? aws_str(j->item, j->name_key) : NULL,
			     .arn = j->arn_key ? aws_str(j->item, j->arn_key) : NULL,
			     .created = j->created_key ? aws_str(j->item, j->created_key) : NULL,
			     .region = region,
			     .account = j->a->account,
			     .configuration = aws_config_case(j->item),
			     .supplementary = j->sup};
		j->sup = NULL;
		aws_emit(cl, &ci);
	}
	cJSON_Delete(j->item);
	cJSON_Delete(j->sup);
	free(j);
}

static joined *joined_new(aws_account *a, const char *type, const cJSON *item, unsigned pending)
{
	joined *j = mamori_xcalloc(1, sizeof *j);
	j->a = a;
	j->type = type;
	j->item = cJSON_Duplicate(item, true);
	j->sup = cJSON_CreateObject();
	j->pending = pending;
	return j;
}

/* done() of a describe that adds its answer (or a member of it) under a key */
static void joined_part(aws_call *c)
{
	joined *j = c->ud;
	const char *key = c->ud2;
	if (c->err_code && !aws_not_found(c)) {
		aws_report(c);
		j->failed = true;
	} else if (!c->err_code) {
		cJSON *copy = cJSON_Duplicate(c->doc, true);
		/* drop the request echo and paging members: they are not configuration */
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "TrailARN");
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "NextToken");
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "nextToken");
		cJSON_AddItemToObject(j->sup, key, aws_config_case(copy));
		cJSON_Delete(copy);
	}
	joined_finish(c->cl, j, c->region);
}

static aws_call *json_call(aws_client *cl, const aws_service *svc, aws_account *a,
			   const char *region, const char *op, const char *key, const char *value)
{
	aws_call *c = aws_call_new(cl, svc, a->id, region, op);
	c->json = cJSON_CreateObject();
	if (key)
		cJSON_AddStringToObject(c->json, key, value ? value : "");
	return c;
}

/* ---- CloudTrail ---- */

static void each_trail(aws_client *cl, aws_account *a, aws_call *c, const cJSON *trail)
{
	const char *arn = aws_str(trail, "TrailARN");
	joined *j = joined_new(a, "AWS::CloudTrail::Trail", trail, 2);
	j->id_key = "Name";
	j->name_key = "Name";
	j->arn_key = "TrailARN";
	aws_call *s = json_call(cl, &aws_svc_cloudtrail, a, c->region, "GetTrailStatus", "Name", arn);
	s->what = "CloudTrail trail status";
	s->resource = mamori_xstrdup(arn ? arn : "");
	s->ud2 = "TrailStatus";
	aws_task_submit(c->task, s, joined_part, j);
	aws_call *e = json_call(cl, &aws_svc_cloudtrail, a, c->region, "GetEventSelectors",
				"TrailName", arn);
	e->what = "CloudTrail event selectors";
	e->resource = mamori_xstrdup(arn ? arn : "");
	e->ud2 = "EventSelectors";
	aws_task_submit(c->task, e, joined_part, j);
}

static const aws_lister l_trails = {
	.type = "AWS::CloudTrail::Trail",
	.what = "CloudTrail trails",
	.list = {"trailList"},
	.fact = "trails",
	.each = each_trail,
};

void aws_collect_cloudtrail(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		aws_task *t = aws_task_new(cl, a->account, "cloudtrail", a->regions[i]);
		aws_call *c = aws_call_new(cl, &aws_svc_cloudtrail, a->id, a->regions[i],
					   "DescribeTrails");
		/* trails of other home regions are read in their own region */
		c->json = cJSON_CreateObject();
		cJSON_AddFalseToObject(c->json, "includeShadowTrails");
		aws_lister_run(cl, a, t, c, &l_trails);
	}
}

/* ---- AWS Config recorders ---- */

typedef struct recorders {
	aws_account *a;
	cJSON *list, *status;
	unsigned pending;
	bool failed;
} recorders;

static void recorders_done(aws_call *c)
{
	recorders *r = c->ud;
	aws_client *cl = c->cl;
	if (c->err_code) {
		c->what = "AWS Config recorders";
		aws_report(c);
		r->failed = true;
	} else if (strcmp(c->op, "DescribeConfigurationRecorders") == 0) {
		r->list = cJSON_Duplicate(mamori_json_get(c->doc, "ConfigurationRecorders"), true);
	} else {
		r->status = cJSON_Duplicate(mamori_json_get(c->doc, "ConfigurationRecordersStatus"),
					    true);
	}
	if (--r->pending)
		return;
	size_t n = 0, recording = 0;
	if (!r->failed) {
		aws_each(rec, r->list)
		{
			const char *name = aws_str(rec, "name");
			cJSON *sup = cJSON_CreateObject();
			aws_each(s, r->status)
			{
				if (name && aws_str(s, "name") && strcmp(aws_str(s, "name"), name) == 0) {
					cJSON_AddItemToObject(sup, "ConfigurationRecorderStatus",
							      aws_config_case(s));
					recording += cJSON_IsTrue(mamori_json_get(s, "recording"));
				}
			}
			aws_ci ci = {.type = "AWS::Config::ConfigurationRecorder",
				     .id = name,
				     .name = name,
				     .region = c->region,
				     .account = r->a->account,
				     .configuration = aws_config_case(rec),
				     .supplementary = sup};
			aws_emit(cl, &ci);
			n++;
		}
		aws_region_fact(cl, r->a->account, c->region, "configRecorders",
				cJSON_CreateNumber((double)n));
		aws_region_fact(cl, r->a->account, c->region, "configRecording",
				cJSON_CreateBool(recording > 0));
	}
	cJSON_Delete(r->list);
	cJSON_Delete(r->status);
	free(r);
}

void aws_collect_config(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		aws_task *t = aws_task_new(cl, a->account, "config", a->regions[i]);
		recorders *r = mamori_xcalloc(1, sizeof *r);
		r->a = a;
		r->pending = 2;
		aws_task_submit(t, json_call(cl, &aws_svc_config, a, a->regions[i],
					     "DescribeConfigurationRecorders", NULL, NULL),
				recorders_done, r);
		aws_task_submit(t, json_call(cl, &aws_svc_config, a, a->regions[i],
					     "DescribeConfigurationRecorderStatus", NULL, NULL),
				recorders_done, r);
	}
}

/* ---- KMS ---- */

static void key_described(aws_call *c)
{
	aws_account *a = c->ud;
	aws_client *cl = c->cl;
	if (c->err_code) {
		aws_report(c);
		return;
	}
	const cJSON *md = mamori_json_get(c->doc, "KeyMetadata");
	const char *manager = aws_str(md, "KeyManager");
	const char *spec = aws_str(md, "KeySpec");
	const char *state = aws_str(md, "KeyState");
	bool rotatable = manager && strcmp(manager, "CUSTOMER") == 0 &&
			 (!spec || strcmp(spec, "SYMMETRIC_DEFAULT") == 0) &&
			 (!state || strcmp(state, "PendingDeletion") != 0);
	joined *j = joined_new(a, "AWS::KMS::Key", md, rotatable ? 1 : 0);
	j->id_key = "KeyId";
	j->arn_key = "Arn";
	j->created_key = "CreationDate";
	if (!rotatable) {
		j->pending = 1;
		joined_finish(cl, j, c->region);
		return;
	}
	aws_call *r = json_call(cl, &aws_svc_kms, a, c->region, "GetKeyRotationStatus", "KeyId",
				aws_str(md, "KeyId"));
	r->what = "KMS key rotation";
	r->resource = mamori_xstrdup(aws_str(md, "Arn") ? aws_str(md, "Arn") : "");
	r->ud2 = "KeyRotationStatus";
	aws_task_submit(c->task, r, joined_part, j);
}

static void each_key(aws_client *cl, aws_account *a, aws_call *c, const cJSON *key)
{
	aws_call *d = json_call(cl, &aws_svc_kms, a, c->region, "DescribeKey", "KeyId",
				aws_str(key, "KeyId"));
	d->what = "KMS keys";
	d->resource = mamori_xstrdup(aws_str(key, "KeyArn") ? aws_str(key, "KeyArn") : "");
	aws_task_submit(c->task, d, key_described, a);
}

static const aws_lister l_keys = {
	.type = "AWS::KMS::Key",
	.what = "KMS keys",
	.list = {"Keys"},
	.token = "NextMarker",
	.page_param = "Marker",
	.fact = "kmsKeys",
	.each = each_key,
};

void aws_collect_kms(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		aws_task *t = aws_task_new(cl, a->account, "kms", a->regions[i]);
		aws_call *c = json_call(cl, &aws_svc_kms, a, a->regions[i], "ListKeys", NULL, NULL);
		cJSON_AddNumberToObject(c->json, "Limit", 1000);
		aws_lister_run(cl, a, t, c, &l_keys);
	}
}

/* ---- RDS ---- */

static const char *const rds_numbers[] = {"AllocatedStorage", "BackupRetentionPeriod", "Port",
					  "Iops", "MonitoringInterval", "PromotionTier",
					  "DbInstancePort", "MaxAllocatedStorage", "StorageThroughput",
					  NULL};

static const aws_lister l_rds = {
	.type = "AWS::RDS::DBInstance",
	.what = "RDS DB instances",
	.list = {"DBInstances", "DBInstance"},
	.token = "Marker",
	.page_param = "Marker",
	.id = "DbiResourceId",
	.name = "DBInstanceIdentifier",
	.arn = "DBInstanceArn",
	.created = "InstanceCreateTime",
	.numbers = rds_numbers,
	.fact = "rdsInstances",
};

void aws_collect_rds(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		aws_task *t = aws_task_new(cl, a->account, "rds", a->regions[i]);
		aws_call *c = aws_call_new(cl, &aws_svc_rds, a->id, a->regions[i],
					   "DescribeDBInstances");
		aws_call_param(c, "MaxRecords", "100");
		aws_lister_run(cl, a, t, c, &l_rds);
	}
}

/* ---- CloudWatch alarms, Logs metric filters, SNS topics ---- */

static const char *const cw_numbers[] = {"Threshold", "EvaluationPeriods", "Period",
					 "DatapointsToAlarm", NULL};

static const aws_lister l_alarms = {
	.type = "AWS::CloudWatch::Alarm",
	.what = "CloudWatch alarms",
	.list = {"MetricAlarms"},
	.token = "NextToken",
	.page_param = "NextToken",
	.id = "AlarmName",
	.name = "AlarmName",
	.arn = "AlarmArn",
	.numbers = cw_numbers,
	.fact = "alarms",
};

static void filter_shape(aws_client *cl, aws_account *a, const char *region, const cJSON *item,
			 aws_ci *ci)
{
	(void)cl;
	(void)a;
	(void)region;
	ci->configuration = aws_config_case(item);
	/* filter names are unique per log group only */
	const char *g = aws_str(item, "logGroupName"), *f = aws_str(item, "filterName");
	snprintf(ci->buf, sizeof ci->buf, "%s:%s", g ? g : "", f ? f : "");
	ci->id = ci->buf;
}

static const aws_lister l_filters = {
	.type = "AWS::Logs::MetricFilter",
	.what = "CloudWatch Logs metric filters",
	.list = {"metricFilters"},
	.token = "nextToken",
	.page_param = "nextToken",
	.name = "filterName",
	.fact = "metricFilters",
	.shape = filter_shape,
};

typedef struct topics {
	aws_account *a;
	cJSON *topics; /* [TopicArn] */
	cJSON *subs;   /* [{SubscriptionArn, Owner, Protocol, Endpoint, TopicArn}] */
	unsigned pending;
	bool failed;
} topics;

static void topics_finish(aws_client *cl, topics *tp, const char *region)
{
	if (--tp->pending)
		return;
	if (!tp->failed) {
		aws_each(t, tp->topics)
		{
			const char *arn = aws_str(t, "TopicArn");
			if (!arn)
				continue;
			cJSON *subs = cJSON_CreateArray();
			aws_each(s, tp->subs)
			{
				const char *ta = aws_str(s, "TopicArn");
				if (ta && strcmp(ta, arn) == 0)
					cJSON_AddItemToArray(subs, aws_config_case(s));
			}
			cJSON *sup = cJSON_CreateObject();
			cJSON_AddItemToObject(sup, "Subscriptions", subs);
			cJSON *conf = cJSON_CreateObject();
			cJSON_AddStringToObject(conf, "topicArn", arn);
			const char *colon = strrchr(arn, ':');
			aws_ci ci = {.type = "AWS::SNS::Topic",
				     .id = arn,
				     .name = colon ? colon + 1 : arn,
				     .arn = arn,
				     .region = region,
				     .account = tp->a->account,
				     .configuration = conf,
				     .supplementary = sup};
			aws_emit(cl, &ci);
		}
	}
	cJSON_Delete(tp->topics);
	cJSON_Delete(tp->subs);
	free(tp);
}

static void topics_done(aws_call *c)
{
	topics *tp = c->ud;
	bool subs = strcmp(c->op, "ListSubscriptions") == 0;
	if (c->err_code) {
		c->what = subs ? "SNS subscriptions" : "SNS topics";
		aws_report(c);
		tp->failed = true;
	} else {
		aws_each(v, mamori_json_get(c->doc, subs ? "Subscriptions" : "Topics"))
		cJSON_AddItemToArray(subs ? tp->subs : tp->topics, cJSON_Duplicate(v, true));
		if (aws_next_page(c, aws_str(c->doc, "NextToken")))
			return;
	}
	topics_finish(c->cl, tp, c->region);
}

void aws_collect_monitoring(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		const char *r = a->regions[i];
		aws_task *t = aws_task_new(cl, a->account, "cloudwatch", r);
		aws_call *c = aws_call_new(cl, &aws_svc_monitoring, a->id, r, "DescribeAlarms");
		aws_call_param(c, "MaxRecords", "100");
		aws_lister_run(cl, a, t, c, &l_alarms);
		c = json_call(cl, &aws_svc_logs, a, r, "DescribeMetricFilters", NULL, NULL);
		aws_lister_run(cl, a, t, c, &l_filters);
		topics *tp = mamori_xcalloc(1, sizeof *tp);
		tp->a = a;
		tp->topics = cJSON_CreateArray();
		tp->subs = cJSON_CreateArray();
		tp->pending = 2;
		c = aws_call_new(cl, &aws_svc_sns, a->id, r, "ListTopics");
		c->page_param = "NextToken";
		aws_task_submit(t, c, topics_done, tp);
		c = aws_call_new(cl, &aws_svc_sns, a->id, r, "ListSubscriptions");
		c->page_param = "NextToken";
		aws_task_submit(t, c, topics_done, tp);
	}
}

/* ---- GuardDuty ---- */

typedef struct detectors {
	aws_account *a;
	unsigned enabled;
} detectors;

static void detector_done(aws_call *c)
{
	aws_account *a = c->ud;
	if (c->err_code) {
		aws_report(c);
		return;
	}
	const char *id = c->resource;
	cJSON *conf = aws_config_case(c->doc);
	cJSON_AddStringToObject(conf, "id", id);
	char arn[256];
	snprintf(arn, sizeof arn, "arn:%s:guardduty:%s:%s:detector/%s", a->partition, c->region,
		 a->account, id);
	const char *status = aws_str(c->doc, "status");
	if (status && strcmp(status, "ENABLED") == 0)
		aws_region_fact(c->cl, a->account, c->region, "guardDutyEnabled", cJSON_CreateTrue());
	aws_ci ci = {.type = "AWS::GuardDuty::Detector",
		     .id = id,
		     .arn = arn,
		     .region = c->region,
		     .account = a->account,
		     .created = aws_str(c->doc, "createdAt"),
		     .configuration = conf,
		     .tags = cJSON_Duplicate(mamori_json_get(c->doc, "tags"), true)};
	cJSON_DeleteItemFromObjectCaseSensitive(conf, "tags");
	aws_emit(c->cl, &ci);
}

static void detectors_done(aws_call *c)
{
	aws_account *a = c->ud;
	if (c->err_code) {
		c->what = "GuardDuty detectors";
		aws_report(c);
		return;
	}
	size_t n = 0;
	aws_each(id, mamori_json_get(c->doc, "detectorIds"))
	{
		if (!cJSON_IsString(id))
			continue;
		aws_call *d = aws_call_new(c->cl, &aws_svc_guardduty, a->id, c->region,
					   "GetDetector");
		mamori_buf p = MAMORI_BUF_INIT;
		mamori_buf_puts(&p, "/detector/");
		aws_uri_encode(&p, id->valuestring, false);
		free(d->path);
		d->path = mamori_buf_detach(&p);
		d->what = "GuardDuty detectors";
		d->resource = mamori_xstrdup(id->valuestring);
		aws_task_submit(c->task, d, detector_done, a);
		n++;
	}
	if (aws_next_page(c, aws_str(c->doc, "nextToken")))
		return;
	if (n == 0)
		aws_region_fact(c->cl, a->account, c->region, "guardDutyEnabled", cJSON_CreateFalse());
}

void aws_collect_guardduty(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		aws_task *t = aws_task_new(cl, a->account, "guardduty", a->regions[i]);
		aws_call *c = aws_call_new(cl, &aws_svc_guardduty, a->id, a->regions[i],
					   "ListDetectors");
		free(c->path);
		c->path = mamori_xstrdup("/detector");
		c->page_param = "nextToken";
		aws_task_submit(t, c, detectors_done, a);
	}
}

/* ---- Security Hub ---- */

static void standards_done(aws_call *c)
{
	joined *j = c->ud;
	if (c->err_code) {
		aws_report(c);
		j->failed = true;
	} else {
		cJSON *list = mamori_json_get(j->sup, "EnabledStandards");
		if (!list)
			list = cJSON_AddArrayToObject(j->sup, "EnabledStandards");
		aws_each(s, mamori_json_get(c->doc, "StandardsSubscriptions"))
		cJSON_AddItemToArray(list, aws_config_case(s));
		if (aws_next_page(c, aws_str(c->doc, "NextToken")))
			return;
	}
	joined_finish(c->cl, j, c->region);
}

static void hub_done(aws_call *c)
{
	aws_account *a = c->ud;
	if (c->err_code) {
		/* not subscribed: Security Hub is off in this region, which is data */
		if (strcmp(c->err_code, "InvalidAccessException") == 0 ||
		    strcmp(c->err_code, "ResourceNotFoundException") == 0) {
			aws_region_fact(c->cl, a->account, c->region, "securityHubEnabled",
					cJSON_CreateFalse());
			return;
		}
		c->what = "the Security Hub subscription";
		aws_report(c);
		return;
	}
	aws_region_fact(c->cl, a->account, c->region, "securityHubEnabled", cJSON_CreateTrue());
	joined *j = joined_new(a, "AWS::SecurityHub::Hub", c->doc, 1);
	j->id_key = "HubArn";
	j->arn_key = "HubArn";
	j->created_key = "SubscribedAt";
	aws_call *s = aws_call_new(c->cl, &aws_svc_securityhub, a->id, c->region,
				   "GetEnabledStandards");
	s->method = "POST";
	free(s->path);
	s->path = mamori_xstrdup("/standards/get");
	s->json = cJSON_CreateObject();
	s->page_param = "NextToken";
	s->what = "Security Hub enabled standards";
	aws_task_submit(c->task, s, standards_done, j);
}

void aws_collect_securityhub(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		aws_task *t = aws_task_new(cl, a->account, "securityhub", a->regions[i]);
		aws_call *c = aws_call_new(cl, &aws_svc_securityhub, a->id, a->regions[i],
					   "DescribeHub");
		free(c->path);
		c->path = mamori_xstrdup("/accounts");
		aws_task_submit(t, c, hub_done, a);
	}
}

/* ---- EFS ---- */

static const aws_lister l_efs = {
	.type = "AWS::EFS::FileSystem",
	.what = "EFS file systems",
	.list = {"FileSystems"},
	.token = "NextMarker",
	.page_param = "Marker",
	.id = "FileSystemId",
	.name = "Name",
	.arn = "FileSystemArn",
	.created = "CreationTime",
	.fact = "efsFileSystems",
};

void aws_collect_efs(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		aws_task *t = aws_task_new(cl, a->account, "efs", a->regions[i]);
		aws_call *c = aws_call_new(cl, &aws_svc_efs, a->id, a->regions[i],
					   "DescribeFileSystems");
		free(c->path);
		c->path = mamori_xstrdup("/2015-02-01/file-systems");
		aws_lister_run(cl, a, t, c, &l_efs);
	}
}

/* ---- Access Analyzer ---- */

static const aws_lister l_analyzers = {
	.type = "AWS::AccessAnalyzer::Analyzer",
	.what = "IAM Access Analyzer analyzers",
	.list = {"analyzers"},
	.token = "nextToken",
	.page_param = "nextToken",
	.id = "arn",
	.name = "name",
	.arn = "arn",
	.created = "createdAt",
	.fact = "accessAnalyzers",
};

void aws_collect_accessanalyzer(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		aws_task *t = aws_task_new(cl, a->account, "accessanalyzer", a->regions[i]);
		aws_call *c = aws_call_new(cl, &aws_svc_accessanalyzer, a->id, a->regions[i],
					   "ListAnalyzers");
		free(c->path);
		c->path = mamori_xstrdup("/analyzer");
		aws_lister_run(cl, a, t, c, &l_analyzers);
	}
}

/* ---- Organizations ---- */

static void org_done(aws_call *c)
{
	aws_account *a = c->ud;
	cJSON *conf;
	const char *id = a->account;
	if (c->err_code && strcmp(c->err_code, "AWSOrganizationsNotInUseException") == 0) {
		conf = cJSON_CreateObject();
		cJSON_AddFalseToObject(conf, "member");
	} else if (c->err_code) {
		c->what = "the account's Organization";
		aws_report(c);
		return;
	} else {
		const cJSON *org = mamori_json_get(c->doc, "Organization");
		conf = aws_config_case(org);
		cJSON_AddTrueToObject(conf, "member");
		if (aws_str(org, "Id"))
			id = aws_str(org, "Id");
	}
	aws_ci ci = {.type = "AWS::Organizations::Organization",
		     .id = id,
		     .arn = c->err_code ? NULL : aws_str(mamori_json_get(c->doc, "Organization"), "Arn"),
		     .region = "global",
		     .account = a->account,
		     .configuration = conf};
	aws_emit(c->cl, &ci);
}

void aws_collect_organizations(aws_client *cl, aws_account *a)
{
	aws_task *t = aws_task_new(cl, a->account, "organizations", "global");
	aws_task_submit(t, json_call(cl, &aws_svc_organizations, a, a->home_region,
				     "DescribeOrganization", NULL, NULL),
			org_done, a);
}
