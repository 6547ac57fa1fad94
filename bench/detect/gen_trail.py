#!/usr/bin/env python3
"""Write CloudTrail S3-delivery documents ({"Records":[...]}, one line each,
10,000 events a document) totalling about SIZE MB, to a file or to stdout
('-': stream them, nothing stored), with a realistic population: two
accounts, 300 identities (mostly assumed roles, some IAM users, rare root),
read-heavy API mix over 30 services, varied request/response payloads, and
a handful of attacks (StopLogging now and then) so every detector path is
exercised.  30 events per second of event time.  Deterministic.

--rotate: every document renames the identities (new users, roles and
sessions), so that a long stream keeps meeting identities never seen
before: detector state must expire, not accumulate.

Speed: one document is rendered once as a template and re-emitted with
its event times and identity generation substituted per second of event
time (string replaces), so the generator keeps up with the reader.

usage: gen_trail.py OUT|- SIZE_MB [--rotate]"""
import datetime, json, random, sys

out, size = sys.argv[1], int(float(sys.argv[2]) * 1024 * 1024)
rotate = "--rotate" in sys.argv[3:]
rnd = random.Random(11)
accounts = ["111122223333", "444455556666"]
PER_SECOND, PER_DOC = 30, 10000
ids = []
for i in range(300):
    a = accounts[i % 2]
    if i % 10 == 0:
        ids.append({"type": "IAMUser", "principalId": "AIDA%016X" % i, "arn": "arn:aws:iam::%s:user/user%d@K@" % (a, i),
                    "accountId": a, "accessKeyId": "AKIA%016X" % i, "userName": "user%d@K@" % i})
    else:
        ids.append({"type": "AssumedRole", "principalId": "AROA%016X:session%d@K@" % (i, i),
                    "arn": "arn:aws:sts::%s:assumed-role/role%d@K@/session%d@K@" % (a, i % 40, i), "accountId": a,
                    "accessKeyId": "ASIA%016X" % i,
                    "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROA%016X" % (i % 40),
                                                         "arn": "arn:aws:iam::%s:role/role%d@K@" % (a, i % 40), "accountId": a, "userName": "role%d@K@" % (i % 40)},
                                       "attributes": {"creationDate": "2026-11-20T10:00:00Z", "mfaAuthenticated": "false"}}})
apis = [("s3.amazonaws.com", n) for n in ["GetObject", "PutObject", "HeadObject", "ListObjects", "GetBucketAcl"]] * 4 + \
       [("ec2.amazonaws.com", n) for n in ["DescribeInstances", "DescribeVolumes", "DescribeSecurityGroups", "RunInstances", "CreateTags"]] + \
       [("sts.amazonaws.com", "AssumeRole"), ("sts.amazonaws.com", "GetCallerIdentity"), ("kms.amazonaws.com", "Decrypt"),
        ("kms.amazonaws.com", "GenerateDataKey"), ("lambda.amazonaws.com", "Invoke"), ("dynamodb.amazonaws.com", "Query"),
        ("logs.amazonaws.com", "PutLogEvents"), ("iam.amazonaws.com", "GetRole"), ("iam.amazonaws.com", "ListRoles"),
        ("cloudwatch.amazonaws.com", "PutMetricData"), ("ssm.amazonaws.com", "GetParameter"), ("sqs.amazonaws.com", "SendMessage")]
agents = ["aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64.debian.12", "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.11",
          "aws-sdk-go-v2/1.24.0 os/linux lang/go#1.21.5", "console.amazonaws.com", "terraform/1.6.6 (+https://www.terraform.io)"]


def event(i):
    who = ids[rnd.randrange(300)] if i % 50000 else {"type": "Root", "principalId": accounts[0], "arn": "arn:aws:iam::%s:root" % accounts[0], "accountId": accounts[0]}
    src, name = rnd.choice(apis)
    ev = {"eventVersion": "1.09", "userIdentity": who, "eventTime": "@T@",
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


# the template: one document in per-second segments, each with its time placeholder
segments = []
for s in range(PER_DOC // PER_SECOND + 1):
    evs = [json.dumps(event(s * PER_SECOND + k), separators=(",", ":")) for k in range(PER_SECOND)
           if s * PER_SECOND + k < PER_DOC]
    if evs:
        segments.append(",".join(evs))

f = sys.stdout if out == "-" else open(out, "w")
t0 = datetime.datetime(2026, 11, 20, 0, 0, 0)
written, doc, sec = 0, 0, 0
while written < size:
    gen = "-g%d" % doc if rotate else ""
    parts = ['{"Records":[']
    for i, seg in enumerate(segments):
        stamp = (t0 + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")
        sec += 1
        parts.append(("," if i else "") + seg.replace("@T@", stamp).replace("@K@", gen))
    parts.append("]}\n")
    text = "".join(parts)
    f.write(text)
    written += len(text)
    doc += 1
if f is not sys.stdout:
    f.close()
