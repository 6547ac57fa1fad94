#!/usr/bin/env python3
"""peer_botocore.py ENDPOINT THREADS — the peer: the same S3, IAM and EC2
reads as `mamori collect --aws --services s3,iam,ec2`, made with botocore
(the AWS CLI's and boto3's engine) from a thread pool, as Python security
scanners do.  Prints calls and seconds."""
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import botocore.session
from botocore.config import Config

endpoint, threads = sys.argv[1], int(sys.argv[2])
session = botocore.session.get_session()
cfg = Config(max_pool_connections=threads, retries={"max_attempts": 5, "mode": "standard"})
calls = 0


def client(service, region):
    return session.create_client(service, region_name=region, endpoint_url=endpoint, config=cfg,
                                 aws_access_key_id="AKIABENCH0000000001",
                                 aws_secret_access_key="benchSecretKey000000000000000000000000001")


t0 = time.monotonic()
s3 = {}
ec2 = client("ec2", "us-east-1")
regions = [r["RegionName"] for r in ec2.describe_regions()["Regions"]]
calls += 1
for r in regions:
    s3[r] = client("s3", r)
s3home = client("s3", "us-east-1")
buckets = [b["Name"] for b in s3home.list_buckets()["Buckets"]]
calls += 1


def bucket(name):
    n = 1
    loc = s3home.get_bucket_location(Bucket=name)["LocationConstraint"] or "us-east-1"
    c = s3[loc]
    for op in (c.get_bucket_policy, c.get_bucket_policy_status, c.get_bucket_acl, c.get_bucket_encryption,
               c.get_bucket_versioning, c.get_bucket_logging, c.get_object_lock_configuration,
               c.get_public_access_block):
        n += 1
        try:
            op(Bucket=name)
        except c.exceptions.ClientError:
            pass
    return n


def sgs(region):
    n = 0
    for page in client("ec2", region).get_paginator("describe_security_groups").paginate(MaxResults=1000):
        n += 1
    return n


with ThreadPoolExecutor(threads) as pool:
    futures = [pool.submit(bucket, b) for b in buckets] + [pool.submit(sgs, r) for r in regions]
    iam = client("iam", "us-east-1")
    for page in iam.get_paginator("get_account_authorization_details").paginate(
            Filter=["User", "Role", "Group", "LocalManagedPolicy"]):
        calls += 1
    calls += sum(f.result() for f in futures)
secs = time.monotonic() - t0
print("%d %.3f" % (calls, secs))
