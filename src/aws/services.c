/*
 * services.c — the AWS services mamori reads, as data.
 *
 * One row per service: the name the CLI uses for it (and for
 * --endpoint-url NAME=URL and AWS_ENDPOINT_URL_<ID>), its SigV4 signing
 * name, endpoint prefix, wire protocol and API version, from the services'
 * own API models.
 */
#include "aws_internal.h"

#define SVC(var, name_, signing_, prefix_, proto_, version_, jsonv_, global_, env_)          \
	const aws_service var = {.name = name_,                                            \
				 .signing = signing_,                                      \
				 .prefix = prefix_,                                        \
				 .protocol = proto_,                                       \
				 .version = version_,                                      \
				 .json_version = jsonv_,                                   \
				 .global = global_,                                        \
				 .env_id = env_}

SVC(aws_svc_sts, "sts", "sts", "sts", AWS_QUERY, "2011-06-15", NULL, false, "STS");
SVC(aws_svc_iam, "iam", "iam", "iam", AWS_QUERY, "2010-05-08", NULL, true, "IAM");
SVC(aws_svc_s3, "s3", "s3", "s3", AWS_REST_XML, NULL, NULL, false, "S3");
SVC(aws_svc_s3control, "s3control", "s3", "s3-control", AWS_REST_XML, NULL, NULL, false,
    "S3_CONTROL");
SVC(aws_svc_ec2, "ec2", "ec2", "ec2", AWS_EC2, "2016-11-15", NULL, false, "EC2");
SVC(aws_svc_kms, "kms", "kms", "kms", AWS_JSON, "TrentService", "1.1", false, "KMS");
SVC(aws_svc_cloudtrail, "cloudtrail", "cloudtrail", "cloudtrail", AWS_JSON,
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101", "1.1", false, "CLOUDTRAIL");
SVC(aws_svc_config, "configservice", "config", "config", AWS_JSON, "StarlingDoveService", "1.1",
    false, "CONFIG_SERVICE");
SVC(aws_svc_logs, "logs", "logs", "logs", AWS_JSON, "Logs_20140328", "1.1", false,
    "CLOUDWATCH_LOGS");
SVC(aws_svc_monitoring, "cloudwatch", "monitoring", "monitoring", AWS_QUERY, "2010-08-01", NULL,
    false, "CLOUDWATCH");
SVC(aws_svc_sns, "sns", "sns", "sns", AWS_QUERY, "2010-03-31", NULL, false, "SNS");
SVC(aws_svc_rds, "rds", "rds", "rds", AWS_QUERY, "2014-10-31", NULL, false, "RDS");
SVC(aws_svc_guardduty, "guardduty", "guardduty", "guardduty", AWS_REST_JSON, NULL, NULL, false,
    "GUARDDUTY");
SVC(aws_svc_securityhub, "securityhub", "securityhub", "securityhub", AWS_REST_JSON, NULL, NULL,
    false, "SECURITYHUB");
SVC(aws_svc_efs, "efs", "elasticfilesystem", "elasticfilesystem", AWS_REST_JSON, NULL, NULL,
    false, "EFS");
SVC(aws_svc_organizations, "organizations", "organizations", "organizations", AWS_JSON,
    "AWSOrganizationsV20161128", "1.1", true, "ORGANIZATIONS");
SVC(aws_svc_accessanalyzer, "accessanalyzer", "access-analyzer", "access-analyzer",
    AWS_REST_JSON, NULL, NULL, false, "ACCESSANALYZER");
