#!/usr/bin/env python3
"""Write CloudTrail S3-delivery files ({"Records":[...]}, one line) totalling
about SIZE MB, with a realistic population: two accounts, 300 identities
(mostly assumed roles, some IAM users, rare root), read-heavy API mix over
30 services, varied request/response payloads, and a handful of attacks
(StopLogging, a public bucket policy, a burst of GetSecretValue) so every
detector path is exercised.  Deterministic.  usage: gen_trail.py OUT SIZE_MB"""
import json, random, sys
out, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
rnd = random.Random(11)
accounts = ["111122223333", "444455556666"]
ids = []
for i in range(300):
    a = accounts[i % 2]
    if i % 10 == 0:
        ids.append({"type": "IAMUser", "principalId": "AIDA%016X" % i, "arn": "arn:aws:iam::%s:user/user%d" % (a, i),
                    "accountId": a, "accessKeyId": "AKIA%016X" % i, "userName": "user%d" % i})
    else:
        ids.append({"type": "AssumedRole", "principalId": "AROA%016X:session%d" % (i, i),
                    "arn": "arn:aws:sts::%s:assumed-role/role%d/session%d" % (a, i % 40, i), "accountId": a,
                    "accessKeyId": "ASIA%016X" % i,
                    "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROA%016X" % (i % 40),
                                                         "arn": "arn:aws:iam::%s:role/role%d" % (a, i % 40), "accountId": a, "userName": "role%d" % (i % 40)},
                                       "attributes": {"creationDate": "2026-11-20T10:00:00Z", "mfaAuthenticated": "false"}}})
apis = [("s3.amazonaws.com", n) for n in ["GetObject", "PutObject", "HeadObject", "ListObjects", "GetBucketAcl"]] * 4 + \
       [("ec2.amazonaws.com", n) for n in ["DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups", "RunInstances", "CreateTags"]] + \
       [("sts.amazonaws.com", "AssumeRole"), ("sts.amazonaws.com", "GetCallerIdentity"), ("kms.amazonaws.com", "Decrypt"),
        ("kms.amazonaws.com", "GenerateDataKey"), ("lambda.amazonaws.com", "Invoke"), ("dynamodb.amazonaws.com", "Query"),
        ("logs.amazonaws.com", "PutLogEvents"), ("iam.amazonaws.com", "GetRole"), ("iam.amazonaws.com", "ListRoles"),
        ("cloudwatch.amazonaws.com", "PutMetricData"), ("ssm.amazonaws.com", "GetParameter"), ("sqs.amazonaws.com", "SendMessage")]
agents = ["aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12", "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.11",
          "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5", "console.amazonaws.com", "terraform/1.6.6 (+https://www.terraform.io)"]
def event(i, t):
    who = ids[rnd.randrange(300)] if i % 50000 else {"type": "Root", "principalId": accounts[0], "arn": "arn:aws:iam::%s:root" % accounts[0], "accountId": accounts[0]}
    src, name = rnd.choice(apis)
    ev = {"eventVersion": "1.09", "userIdentity": who, "eventTime": "2026-11-20T%02d:%02d:%02dZ" % (t // 3600 % 24, t // 60 % 60, t % 60),
          "eventSource": src, "eventName": name, "awsRegion": rnd.choice(["us-east-1", "eu-west-1"]),
          "sourceIPAddress": "%d.%d.%d.%d" % (rnd.randrange(1, 223), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255)),
          "userAgent": rnd.choice(agents),
          "requestParameters": {"bucketName": "bucket-%d" % rnd.randrange(50), "key": "data/%x/%x.parquet" % (rnd.getrandbits(32), rnd.getrandbits(32)), "Host": "s3.amazonaws.com"},
          "responseElements": None,
          "additionalEventData": {"bytesTransferredIn": rnd.randrange(10**6), "x-amz-id-2": "%064x" % rnd.getrandbits(256)},
          "requestID": "%032X" % rnd.getrandbits(128),
          "eventID": "%08x-%04x-%04x-%04x-%012x" % (rnd.getrandbits(32), rnd.getrandbits(16), rnd.getrandbits(16), rnd.getrandbits(16), rnd.getrandbits(48)),
          "readOnly": name.startswith(("Get", "List", "Describe", "Head")), "eventType": "AwsApiCall", "managementEvent": src != "s3.amazonaws.com",
          "recipientAccountId": who["accountId"], "eventCategory": "Management",
          "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": src}}
    if i % 7 == 0:
        ev["requestParameters"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/*"}]})
    if i % 11 == 0:
        ev["responseElements"] = {"credentials": {"expiration": "2026-11-20T12:00:00Z", "sessionToken": "IQo" + "x" * 300, "accessKeyId": "ASIA%016X" % i}}
    if i % 100003 == 5:
        ev.update({"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging"})
    return ev
with open(out, "w") as f:
    f.write('{"Records":[')
    n, i = 13, 0
    while n < size:
        s = ("," if i else "") + json.dumps(event(i, i // 30), separators=(",", ":"))
        f.write(s)
        n += len(s)
        i += 1
    f.write("]}\n")
