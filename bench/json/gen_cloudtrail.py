#!/usr/bin/env python3
"""Write a CloudTrail-shaped log file of about SIZE megabytes.

Shapes follow CloudTrail's delivered format: one {"Records":[...]} object whose
events carry userIdentity, request/response payloads of varied depth, unicode
user agents and long policy documents - the parts that stress a JSON parser.
Deterministic (fixed seed) so benchmark runs are comparable.
usage: gen_cloudtrail.py OUT [SIZE_MB]
"""
import json, random, sys

out = sys.argv[1]
target = int(sys.argv[2] if len(sys.argv) > 2 else 50) * 1024 * 1024
rnd = random.Random(20261126)
names = ["GetObject", "PutObject", "AssumeRole", "DescribeInstances", "ConsoleLogin",
         "CreateUser", "PutBucketPolicy", "StopLogging", "ListBuckets", "GetCallerIdentity"]
sources = ["s3.amazonaws.com", "sts.amazonaws.com", "ec2.amazonaws.com",
           "signin.amazonaws.com", "iam.amazonaws.com", "cloudtrail.amazonaws.com"]
agents = ["aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12",
          "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.11",
          "Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 \u30c6\u30b9\u30c8",
          "console.amazonaws.com"]

def event(i):
    acct = "%012d" % rnd.randrange(10**11, 10**12)
    ev = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": rnd.choice(["IAMUser", "AssumedRole", "Root", "AWSService"]),
            "principalId": "AIDA%016X" % rnd.getrandbits(64),
            "arn": "arn:aws:iam::%s:user/user-%d" % (acct, rnd.randrange(500)),
            "accountId": acct,
            "accessKeyId": "AKIA%016X" % rnd.getrandbits(64),
            "sessionContext": {"attributes": {"creationDate": "2026-11-%02dT%02d:%02d:%02dZ" % (
                rnd.randrange(1, 29), rnd.randrange(24), rnd.randrange(60), rnd.randrange(60)),
                "mfaAuthenticated": rnd.choice(["true", "false"])}},
        },
        "eventTime": "2026-11-%02dT%02d:%02d:%02dZ" % (rnd.randrange(1, 29), rnd.randrange(24),
                                                      rnd.randrange(60), rnd.randrange(60)),
        "eventSource": rnd.choice(sources),
        "eventName": rnd.choice(names),
        "awsRegion": rnd.choice(["us-east-1", "eu-west-1", "ap-northeast-1"]),
        "sourceIPAddress": "%d.%d.%d.%d" % tuple(rnd.randrange(1, 255) for _ in range(4)),
        "userAgent": rnd.choice(agents),
        "requestParameters": {"bucketName": "bucket-%d" % rnd.randrange(1000),
                              "key": "data/%x/%x.parquet" % (rnd.getrandbits(32), rnd.getrandbits(32)),
                              "Host": "s3.amazonaws.com"},
        "responseElements": None,
        "additionalEventData": {"bytesTransferredIn": rnd.randrange(10**6), "x-amz-id-2": "%064x" % rnd.getrandbits(256)},
        "requestID": "%032X" % rnd.getrandbits(128),
        "eventID": "%08x-%04x-%04x-%04x-%012x" % (rnd.getrandbits(32), rnd.getrandbits(16),
                                                  rnd.getrandbits(16), rnd.getrandbits(16), rnd.getrandbits(48)),
        "readOnly": rnd.random() < 0.8,
        "resources": [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::bucket-%d/obj" % rnd.randrange(1000)}],
        "eventType": "AwsApiCall",
        "managementEvent": rnd.random() < 0.5,
        "recipientAccountId": acct,
        "eventCategory": "Data",
        "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                       "clientProvidedHostHeader": "s3.amazonaws.com"},
    }
    if i % 7 == 0:
        ev["requestParameters"]["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
             "Resource": "arn:aws:s3:::bucket/*", "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}}}]})
    if i % 11 == 0:
        ev["responseElements"] = {"credentials": {"expiration": 1.7e9 + rnd.random(), "sessionToken": "IQo" + "x" * 300}}
    return ev

with open(out, "w") as f:
    f.write('{"Records":[')
    size, i = 13, 0
    while size < target:
        s = ("," if i else "") + json.dumps(ev := event(i), ensure_ascii=False)
        f.write(s)
        size += len(s.encode())
        i += 1
    f.write("]}\n")
print("%s: %d events, %.1f MB" % (out, i, size / 1048576))
