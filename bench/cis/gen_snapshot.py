#!/usr/bin/env python3
"""gen_snapshot.py OUT [ITEMS] — a synthetic AWS Config snapshot of about
ITEMS (10,000) configuration items, shaped as `mamori collect --aws` writes
them: one account, four regions, a mix of every type the CIS pack reads
(buckets, IAM users with their credential report rows, roles, policies,
security groups, network ACLs, VPCs and flow logs, instances, RDS, EFS, KMS
keys, trails, metric filters, alarms, SNS topics, region items).  About a
third of each kind fails its controls, so both verdicts are exercised."""
import json
import sys
import urllib.parse

out = sys.argv[1]
total = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
acct = "123456789012"
regions = ["us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2"]
when = "2026-11-26T00:00:00.000Z"
items = []


def ci(rtype, rid, region, conf, sup=None, arn=None, name=None):
    it = {"configurationItemVersion": "1.3", "configurationItemCaptureTime": when, "awsAccountId": acct,
          "configurationItemStatus": "OK", "resourceType": rtype, "resourceId": rid, "awsRegion": region,
          "tags": {}, "relatedEvents": [], "relationships": [], "configuration": conf,
          "supplementaryConfiguration": sup or {}}
    if arn:
        it["ARN"] = arn
    if name:
        it["resourceName"] = name
    items.append(it)


# shares of the total, per kind
share = {"bucket": .20, "user": .10, "role": .08, "policy": .04, "sg": .20, "nacl": .04, "vpc": .03,
         "instance": .14, "rds": .05, "efs": .03, "kms": .05}
n = {k: max(1, int(total * v)) for k, v in share.items()}

report = [{"user": "<root_account>", "arn": "arn:aws:iam::%s:root" % acct, "password_enabled": "not_supported",
           "password_last_used": "2025-01-01T00:00:00+00:00", "mfa_active": "true",
           "access_key_1_active": "false", "access_key_1_last_used_date": "N/A", "access_key_2_active": "false",
           "access_key_2_last_used_date": "N/A"}]
for i in range(n["user"]):
    name = "user-%05d" % i
    bad = i % 3 == 0
    keys = [{"accessKeyId": "AKIA%016d" % i, "status": "Active",
             "createDate": "2024-01-01T00:00:00Z" if bad else "2026-10-01T00:00:00Z"}]
    ci("AWS::IAM::User", "AIDA%016d" % i, "global",
       {"userName": name, "userId": "AIDA%016d" % i, "arn": "arn:aws:iam::%s:user/%s" % (acct, name),
        "attachedManagedPolicies": [{"policyName": "ReadOnlyAccess", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}] if bad else [],
        "userPolicyList": [], "groupList": ["staff"]},
       {"AccessKeys": keys, "MfaDevices": []}, "arn:aws:iam::%s:user/%s" % (acct, name), name)
    report.append({"user": name, "arn": "arn:aws:iam::%s:user/%s" % (acct, name), "password_enabled": "true",
                   "password_last_used": "2026-01-01T00:00:00+00:00" if bad else "2026-11-20T00:00:00+00:00",
                   "password_last_changed": "2024-01-01T00:00:00+00:00", "mfa_active": "false" if bad else "true",
                   "access_key_1_active": "true", "access_key_1_last_used_date": "2026-11-25T00:00:00+00:00",
                   "access_key_1_last_rotated": keys[0]["createDate"].replace("Z", "+00:00"),
                   "access_key_2_active": "false", "access_key_2_last_used_date": "N/A", "access_key_2_last_rotated": "N/A"})
ci("AWS::IAM::CredentialReport", acct, "global", {"generatedTime": "2026-11-26T00:00:00Z", "users": report})
ci("AWS::IAM::AccountSummary", acct, "global", {"AccountAccessKeysPresent": 0, "AccountMFAEnabled": 1, "Users": n["user"]})
ci("AWS::IAM::AccountPasswordPolicy", acct, "global", {"minimumPasswordLength": 14, "passwordReusePrevention": 5})
doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
admin = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
for i in range(n["role"]):
    name = "role-%05d" % i
    ci("AWS::IAM::Role", "AROA%016d" % i, "global",
       {"roleName": name, "arn": "arn:aws:iam::%s:role/%s" % (acct, name), "assumeRolePolicyDocument": doc,
        "rolePolicyList": [{"policyName": "inline", "policyDocument": doc}],
        "attachedManagedPolicies": [{"policyName": "AWSSupportAccess", "policyArn": "arn:aws:iam::aws:policy/AWSSupportAccess"}] if i == 0 else []},
       None, "arn:aws:iam::%s:role/%s" % (acct, name), name)
for i in range(n["policy"]):
    name = "policy-%05d" % i
    ci("AWS::IAM::Policy", "ANPA%016d" % i, "global",
       {"policyName": name, "attachmentCount": 1,
        "policyVersionList": [{"versionId": "v1", "isDefaultVersion": True,
                               "document": urllib.parse.quote(admin if i % 3 == 0 else doc, safe="")}]},
       None, "arn:aws:iam::%s:policy/%s" % (acct, name), name)
for i in range(n["bucket"]):
    name = "bucket-%05d" % i
    bad = i % 3 == 0
    sup = {"BucketVersioningConfiguration": {"status": "Enabled", "isMfaDeleteEnabled": not bad},
           "BucketLoggingConfiguration": {"destinationBucketName": "logs"} if not bad else {},
           "ServerSideEncryptionConfiguration": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]},
           "AccessControlList": json.dumps({"grantList": [{"grantee": {"id": "f" * 64}, "permission": "FullControl"}]}),
           "BucketPolicy": {"policyText": None if bad else json.dumps({"Statement": [
               {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::%s/*" % name,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})}}
    if not bad:
        sup["PublicAccessBlockConfiguration"] = {"blockPublicAcls": True, "ignorePublicAcls": True,
                                                 "blockPublicPolicy": True, "restrictPublicBuckets": True}
    ci("AWS::S3::Bucket", name, regions[i % 4], {"name": name}, sup, "arn:aws:s3:::" + name, name)
ci("AWS::S3::AccountPublicAccessBlock", acct, "us-east-1",
   {"blockPublicAcls": True, "ignorePublicAcls": True, "blockPublicPolicy": False, "restrictPublicBuckets": False})
for i in range(n["sg"]):
    r = regions[i % 4]
    gid = "sg-%017x" % i
    cidr = "0.0.0.0/0" if i % 3 == 0 else "10.0.0.0/8"
    ci("AWS::EC2::SecurityGroup", gid, r,
       {"groupId": gid, "groupName": "default" if i % 50 == 0 else "sg-%d" % i, "vpcId": "vpc-%d" % (i % n["vpc"]),
        "ipPermissions": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipv4Ranges": [{"cidrIp": cidr}], "ipRanges": [cidr],
                           "ipv6Ranges": [], "userIdGroupPairs": []},
                          {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}],
                           "ipRanges": ["0.0.0.0/0"], "ipv6Ranges": [{"cidrIpv6": "::/0"}], "userIdGroupPairs": []}],
        "ipPermissionsEgress": [{"ipProtocol": "-1", "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}]}]},
       None, "arn:aws:ec2:%s:%s:security-group/%s" % (r, acct, gid), "sg-%d" % i)
for i in range(n["nacl"]):
    r = regions[i % 4]
    ci("AWS::EC2::NetworkAcl", "acl-%d" % i, r,
       {"networkAclId": "acl-%d" % i, "isDefault": i % 2 == 0,
        "entries": [{"ruleNumber": 100, "protocol": "-1" if i % 3 == 0 else "6", "ruleAction": "allow", "egress": False,
                     "cidrBlock": "0.0.0.0/0", "portRange": {"from": 443, "to": 443}},
                    {"ruleNumber": 100, "protocol": "-1", "ruleAction": "allow", "egress": True, "cidrBlock": "0.0.0.0/0"}]},
       None, "arn:aws:ec2:%s:%s:network-acl/acl-%d" % (r, acct, i))
for i in range(n["vpc"]):
    r = regions[i % 4]
    ci("AWS::EC2::VPC", "vpc-%d" % i, r, {"vpcId": "vpc-%d" % i, "isDefault": False, "state": "available"},
       None, "arn:aws:ec2:%s:%s:vpc/vpc-%d" % (r, acct, i))
    if i % 3:
        ci("AWS::EC2::FlowLog", "fl-%d" % i, r, {"flowLogId": "fl-%d" % i, "resourceId": "vpc-%d" % i, "flowLogStatus": "ACTIVE"},
           None, "arn:aws:ec2:%s:%s:vpc-flow-log/fl-%d" % (r, acct, i))
for i in range(n["instance"]):
    r = regions[i % 4]
    ci("AWS::EC2::Instance", "i-%017x" % i, r,
       {"instanceId": "i-%017x" % i, "state": {"name": "running"},
        "metadataOptions": {"httpTokens": "optional" if i % 3 == 0 else "required", "httpEndpoint": "enabled"}},
       None, "arn:aws:ec2:%s:%s:instance/i-%017x" % (r, acct, i))
for i in range(n["rds"]):
    r = regions[i % 4]
    bad = i % 3 == 0
    ci("AWS::RDS::DBInstance", "db-%d" % i, r,
       {"dBInstanceIdentifier": "db-%d" % i, "storageEncrypted": not bad, "publiclyAccessible": bad,
        "autoMinorVersionUpgrade": not bad}, None, "arn:aws:rds:%s:%s:db:db-%d" % (r, acct, i), "db-%d" % i)
for i in range(n["efs"]):
    r = regions[i % 4]
    ci("AWS::EFS::FileSystem", "fs-%d" % i, r, {"fileSystemId": "fs-%d" % i, "encrypted": i % 3 != 0},
       None, "arn:aws:elasticfilesystem:%s:%s:file-system/fs-%d" % (r, acct, i))
for i in range(n["kms"]):
    r = regions[i % 4]
    ci("AWS::KMS::Key", "k-%d" % i, r,
       {"keyId": "k-%d" % i, "keyManager": "CUSTOMER" if i % 2 else "AWS", "keySpec": "SYMMETRIC_DEFAULT", "keyState": "Enabled"},
       {"KeyRotationStatus": {"keyRotationEnabled": i % 3 != 0}}, "arn:aws:kms:%s:%s:key/k-%d" % (r, acct, i))
ci("AWS::CloudTrail::Trail", "main", "us-east-1",
   {"name": "main", "s3BucketName": "bucket-00001", "isMultiRegionTrail": True, "logFileValidationEnabled": True,
    "kmsKeyId": "arn:aws:kms:us-east-1:%s:key/k-1" % acct,
    "cloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:%s:log-group:trail:*" % acct},
   {"TrailStatus": {"isLogging": True},
    "EventSelectors": {"eventSelectors": [{"readWriteType": "All", "includeManagementEvents": True,
                                           "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]}},
   "arn:aws:cloudtrail:us-east-1:%s:trail/main" % acct, "main")
patterns = ['{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
            '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
            '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }']
for i, p in enumerate(patterns):
    ci("AWS::Logs::MetricFilter", "trail:f%d" % i, "us-east-1",
       {"filterName": "f%d" % i, "logGroupName": "trail", "filterPattern": p,
        "metricTransformations": [{"metricName": "m%d" % i, "metricNamespace": "CIS", "metricValue": "1"}]})
    ci("AWS::CloudWatch::Alarm", "a%d" % i, "us-east-1", {"alarmName": "a%d" % i, "metricName": "m%d" % i, "namespace": "CIS",
                                                          "alarmActions": ["arn:aws:sns:us-east-1:%s:alerts" % acct]},
       None, "arn:aws:cloudwatch:us-east-1:%s:alarm:a%d" % (acct, i))
ci("AWS::SNS::Topic", "arn:aws:sns:us-east-1:%s:alerts" % acct, "us-east-1", {"topicArn": "arn:aws:sns:us-east-1:%s:alerts" % acct},
   {"Subscriptions": [{"subscriptionArn": "arn:aws:sns:us-east-1:%s:alerts:1" % acct, "protocol": "email"}]},
   "arn:aws:sns:us-east-1:%s:alerts" % acct)
for i, r in enumerate(regions):
    ci("AWS::EC2::EBSEncryptionByDefault", r, r, {"ebsEncryptionByDefault": i % 2 == 0})
    ci("AWS::AccessAnalyzer::Analyzer", "arn:aws:access-analyzer:%s:%s:analyzer/a" % (r, acct), r, {"status": "ACTIVE"},
       None, "arn:aws:access-analyzer:%s:%s:analyzer/a" % (r, acct))
    ci("AWS::Config::ConfigurationRecorder", "default", r,
       {"name": "default", "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": i == 0}},
       {"ConfigurationRecorderStatus": {"recording": True, "lastStatus": "SUCCESS"}})
    ci("Mamori::AWS::Region", r, r, {"regionName": r, "collected": True, "accessAnalyzers": 1, "configRecorders": 1,
                                     "trails": 1 if r == "us-east-1" else 0, "metricFilters": 3 if r == "us-east-1" else 0,
                                     "flowLogs": 1, "securityHubEnabled": i % 2 == 0}, None, None, r)
with open(out, "w") as f:
    json.dump({"fileVersion": "1.0", "configurationItems": items}, f)
print(len(items))
