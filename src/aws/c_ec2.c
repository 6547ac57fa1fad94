/*
 * c_ec2.c — EC2 and VPC, per region: security groups (default ones
 * included), network ACLs, VPCs, flow logs, instances (with their metadata
 * options, for IMDSv2 checks) and EBS encryption by default.
 *
 * EC2 answers in its own XML dialect (lowerCamel names, lists of <item>,
 * "…Set" list names).  AWS Config's items use the SDK's names instead
 * (tags, entries, isDefault, userIdGroupPairs, ipv4Ranges...), so each
 * entry is renamed after AWS::EC2::* as Config records it.  EBS encryption
 * by default has no Config resource type: mamori writes
 * AWS::EC2::EBSEncryptionByDefault (documented in docs/aws.md).
 */
#include "aws_internal.h"
#include "lister.h"

#include <stdlib.h>
#include <string.h>

static const char *const ec2_numbers[] = {"fromPort", "toPort", "ruleNumber", "from", "to",
					  "code", "type", "amiLaunchIndex",
					  "httpPutResponseHopLimit", "coreCount", "threadsPerCore",
					  "maxAggregationInterval", "deviceIndex", NULL};

static const char *const ec2_names[][2] = {
	{"tagSet", "tags"},
	{"entrySet", "entries"},
	{"associationSet", "associations"},
	{"instanceState", "state"},
	{"groupSet", "securityGroups"},
	{"networkInterfaceSet", "networkInterfaces"},
	{"blockDeviceMapping", "blockDeviceMappings"},
	{"privateIpAddressesSet", "privateIpAddresses"},
	{"dnsName", "publicDnsName"},
	{"ipAddress", "publicIpAddress"},
	{"productCodes", "productCodes"},
	{NULL, NULL},
};

/* Security groups: Config keeps both ipv4Ranges [{cidrIp}] and ipRanges ["cidr"]. */
static cJSON *permissions(const cJSON *list)
{
	cJSON *out = cJSON_CreateArray();
	aws_each(p, list)
	{
		cJSON *o = cJSON_CreateObject();
		const cJSON *from = mamori_json_get(p, "fromPort"), *to = mamori_json_get(p, "toPort");
		if (from)
			cJSON_AddItemToObject(o, "fromPort", cJSON_Duplicate(from, false));
		cJSON_AddStringToObject(o, "ipProtocol", aws_str(p, "ipProtocol") ? aws_str(p, "ipProtocol")
										  : "-1");
		cJSON_AddItemToObject(o, "ipv6Ranges", aws_as_array(mamori_json_get(p, "ipv6Ranges")));
		cJSON_AddItemToObject(o, "prefixListIds",
				      aws_as_array(mamori_json_get(p, "prefixListIds")));
		if (to)
			cJSON_AddItemToObject(o, "toPort", cJSON_Duplicate(to, false));
		cJSON_AddItemToObject(o, "userIdGroupPairs", aws_as_array(mamori_json_get(p, "groups")));
		cJSON_AddItemToObject(o, "ipv4Ranges", aws_as_array(mamori_json_get(p, "ipRanges")));
		cJSON *cidrs = cJSON_AddArrayToObject(o, "ipRanges");
		aws_each(r, mamori_json_get(p, "ipRanges"))
		{
			const char *cidr = aws_str(r, "cidrIp");
			if (cidr)
				cJSON_AddItemToArray(cidrs, cJSON_CreateString(cidr));
		}
		cJSON_AddItemToArray(out, o);
	}
	return out;
}

static void sg_shape(aws_client *cl, aws_account *a, const char *region, const cJSON *item,
		     aws_ci *ci)
{
	(void)cl;
	(void)a;
	(void)region;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "description", cJSON_CreateString(aws_str(item, "groupDescription")
									? aws_str(item, "groupDescription")
									: ""));
	cJSON_AddStringToObject(o, "groupName", aws_str(item, "groupName") ? aws_str(item, "groupName") : "");
	cJSON_AddItemToObject(o, "ipPermissions", permissions(mamori_json_get(item, "ipPermissions")));
	mamori_json_add_str(o, "ownerId", aws_str(item, "ownerId"));
	mamori_json_add_str(o, "groupId", aws_str(item, "groupId"));
	cJSON_AddItemToObject(o, "ipPermissionsEgress",
			      permissions(mamori_json_get(item, "ipPermissionsEgress")));
	cJSON *tags = aws_as_array(mamori_json_get(item, "tagSet"));
	cJSON_AddItemToObject(o, "tags", tags);
	mamori_json_add_str(o, "vpcId", aws_str(item, "vpcId"));
	ci->configuration = o;
}

static void renamed_shape(aws_client *cl, aws_account *a, const char *region, const cJSON *item,
			  aws_ci *ci)
{
	(void)cl;
	(void)a;
	(void)region;
	cJSON *o = cJSON_Duplicate(item, true);
	aws_rename(o, ec2_names, 0);
	/* "default" is the one name that differs by resource type */
	cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(o, "default");
	if (d)
		cJSON_AddItemToObject(o, "isDefault", d);
	ci->configuration = o;
}

static const aws_lister l_sg = {
	.type = "AWS::EC2::SecurityGroup",
	.what = "EC2 security groups",
	.list = {"securityGroupInfo"},
	.token = "nextToken",
	.page_param = "NextToken",
	.id = "groupId",
	.name = "groupName",
	.arn_service = "ec2",
	.arn_prefix = "security-group/",
	.numbers = ec2_numbers,
	.fact = "securityGroups",
	.shape = sg_shape,
};

static const aws_lister l_nacl = {
	.type = "AWS::EC2::NetworkAcl",
	.what = "VPC network ACLs",
	.list = {"networkAclSet"},
	.token = "nextToken",
	.page_param = "NextToken",
	.id = "networkAclId",
	.arn_service = "ec2",
	.arn_prefix = "network-acl/",
	.numbers = ec2_numbers,
	.shape = renamed_shape,
};

static const aws_lister l_vpc = {
	.type = "AWS::EC2::VPC",
	.what = "VPCs",
	.list = {"vpcSet"},
	.token = "nextToken",
	.page_param = "NextToken",
	.id = "vpcId",
	.arn_service = "ec2",
	.arn_prefix = "vpc/",
	.numbers = ec2_numbers,
	.fact = "vpcs",
	.shape = renamed_shape,
};

static const aws_lister l_flow = {
	.type = "AWS::EC2::FlowLog",
	.what = "VPC flow logs",
	.list = {"flowLogSet"},
	.token = "nextToken",
	.page_param = "NextToken",
	.id = "flowLogId",
	.created = "creationTime",
	.arn_service = "ec2",
	.arn_prefix = "vpc-flow-log/",
	.numbers = ec2_numbers,
	.fact = "flowLogs",
	.shape = renamed_shape,
};

static const aws_lister l_instance = {
	.type = "AWS::EC2::Instance",
	.id = "instanceId",
	.created = "launchTime",
	.arn_service = "ec2",
	.arn_prefix = "instance/",
	.shape = renamed_shape,
};

static void each_reservation(aws_client *cl, aws_account *a, aws_call *c, const cJSON *res)
{
	aws_each(inst, mamori_json_get(res, "instancesSet"))
	aws_lister_emit(cl, a, &l_instance, c->region, inst);
}

static const aws_lister l_reservations = {
	.type = "AWS::EC2::Instance",
	.what = "EC2 instances",
	.list = {"reservationSet"},
	.token = "nextToken",
	.page_param = "NextToken",
	.numbers = ec2_numbers,
	.each = each_reservation,
};

typedef struct ebs_state {
	aws_account *a;
	cJSON *conf;
	unsigned pending;
	bool failed;
} ebs_state;

static void ebs_done(aws_call *c)
{
	ebs_state *st = c->ud;
	if (c->err_code) {
		aws_report(c);
		st->failed = true;
	} else if (strcmp(c->op, "GetEbsEncryptionByDefault") == 0) {
		cJSON_AddBoolToObject(st->conf, "ebsEncryptionByDefault",
				      cJSON_IsTrue(mamori_json_get(c->doc, "ebsEncryptionByDefault")));
	} else {
		mamori_json_add_str(st->conf, "kmsKeyId", aws_str(c->doc, "kmsKeyId"));
	}
	if (--st->pending)
		return;
	if (!st->failed && mamori_json_get(st->conf, "ebsEncryptionByDefault")) {
		aws_sort_members(st->conf);
		aws_region_fact(c->cl, st->a->account, c->region, "ebsEncryptionByDefault",
				cJSON_Duplicate(mamori_json_get(st->conf, "ebsEncryptionByDefault"), false));
		aws_ci ci = {.type = "AWS::EC2::EBSEncryptionByDefault",
			     .id = c->region,
			     .region = c->region,
			     .account = st->a->account,
			     .configuration = st->conf};
		aws_emit(c->cl, &ci);
	} else {
		cJSON_Delete(st->conf);
	}
	free(st);
}

static aws_call *ec2_call(aws_client *cl, aws_account *a, const char *region, const char *op)
{
	aws_call *c = aws_call_new(cl, &aws_svc_ec2, a->id, region, op);
	return c;
}

void aws_collect_ec2(aws_client *cl, aws_account *a)
{
	for (size_t i = 0; i < a->region_count; i++) {
		const char *r = a->regions[i];
		aws_task *t = aws_task_new(cl, a->account, "ec2", r);
		aws_call *c = ec2_call(cl, a, r, "DescribeSecurityGroups");
		aws_call_param(c, "MaxResults", "1000");
		aws_lister_run(cl, a, t, c, &l_sg);
		c = ec2_call(cl, a, r, "DescribeNetworkAcls");
		aws_call_param(c, "MaxResults", "1000");
		aws_lister_run(cl, a, t, c, &l_nacl);
		c = ec2_call(cl, a, r, "DescribeVpcs");
		aws_call_param(c, "MaxResults", "1000");
		aws_lister_run(cl, a, t, c, &l_vpc);
		c = ec2_call(cl, a, r, "DescribeFlowLogs");
		aws_call_param(c, "MaxResults", "1000");
		aws_lister_run(cl, a, t, c, &l_flow);
		c = ec2_call(cl, a, r, "DescribeInstances");
		aws_call_param(c, "MaxResults", "1000");
		aws_lister_run(cl, a, t, c, &l_reservations);
		ebs_state *st = mamori_xcalloc(1, sizeof *st);
		st->a = a;
		st->conf = cJSON_CreateObject();
		st->pending = 2;
		c = ec2_call(cl, a, r, "GetEbsEncryptionByDefault");
		c->what = "EBS encryption by default";
		aws_task_submit(t, c, ebs_done, st);
		c = ec2_call(cl, a, r, "GetEbsDefaultKmsKeyId");
		c->what = "EBS encryption by default";
		aws_task_submit(t, c, ebs_done, st);
	}
}
