#!/usr/bin/env python3
"""gen_world.py OUT [BUCKETS ROLES SGS REGIONS] — a synthetic awsmock world:
one account with BUCKETS buckets (spread over the regions, a tenth with a
public policy), ROLES IAM roles with inline and attached policies, and SGS
security groups spread over REGIONS regions (a fifth open to the world)."""
import json
import sys

out = sys.argv[1]
nb, nr, ns, nreg = (int(a) for a in (sys.argv[2:6] if len(sys.argv) >= 6 else (1000, 500, 2000, 4)))
regions = ["us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2", "eu-central-1", "sa-east-1"][:nreg]
acct = "123456789012"
doc = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D"
buckets = []
for i in range(nb):
    b = {"Name": "bench-bucket-%05d" % i, "Region": regions[i % nreg], "CreationDate": "2024-01-01T00:00:00.000Z",
         "Encryption": {"SSEAlgorithm": "AES256"}, "Versioning": {"Status": "Enabled" if i % 3 == 0 else "Suspended"}}
    if i % 10 == 0:
        b["Policy"] = {"Version": "2012-10-17", "Statement": [{"Sid": "Public", "Effect": "Allow", "Principal": "*",
                                                               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % b["Name"]}]}
        b["PolicyIsPublic"] = True
    if i % 2 == 0:
        b["PublicAccessBlock"] = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
    buckets.append(b)
roles = [{"Path": "/", "RoleName": "bench-role-%04d" % i, "RoleId": "AROABENCH%011d" % i,
          "Arn": "arn:aws:iam::%s:role/bench-role-%04d" % (acct, i), "CreateDate": "2024-01-01T00:00:00Z",
          "AssumeRolePolicyDocument": doc, "InstanceProfileList": [],
          "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": doc}],
          "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
          "RoleLastUsed": {}, "MaxSessionDuration": 3600, "Tags": [{"Key": "team", "Value": "t%d" % (i % 7)}]}
         for i in range(nr)]
ec2 = {}
for r in regions:
    ec2[r] = {"securityGroupInfo": [], "vpcSet": [{"vpcId": "vpc-%s" % r, "ownerId": acct, "state": "available",
                                                  "cidrBlock": "10.0.0.0/16", "isDefault": True, "tagSet": []}],
              "ebsEncryptionByDefault": True}
for i in range(ns):
    r = regions[i % nreg]
    cidr = "0.0.0.0/0" if i % 5 == 0 else "10.%d.0.0/16" % (i % 250)
    ec2[r]["securityGroupInfo"].append({
        "ownerId": acct, "groupId": "sg-%017x" % i, "groupName": "bench-sg-%05d" % i, "groupDescription": "bench",
        "vpcId": "vpc-%s" % r,
        "ipPermissions": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "groups": [], "ipRanges": [{"cidrIp": cidr}],
                           "ipv6Ranges": [], "prefixListIds": []},
                          {"ipProtocol": "tcp", "fromPort": 443, "toPort": 443, "groups": [], "ipRanges": [{"cidrIp": "0.0.0.0/0"}],
                           "ipv6Ranges": [], "prefixListIds": []}],
        "ipPermissionsEgress": [{"ipProtocol": "-1", "groups": [], "ipRanges": [{"cidrIp": "0.0.0.0/0"}], "ipv6Ranges": [], "prefixListIds": []}],
        "tagSet": [{"key": "Name", "value": "sg%d" % i}]})
world = {"page_size": 1000, "accounts": {acct: {
    "keys": {"AKIABENCH0000000001": "benchSecretKey000000000000000000000000001"},
    "regions": {r: "opt-in-not-required" for r in regions},
    "s3": {"owner": {"ID": "f" * 64, "DisplayName": "bench"},
           "account_pab": {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": False, "RestrictPublicBuckets": False},
           "buckets": buckets},
    "iam": {"roles": roles, "users": [], "groups": [], "policies": []},
    "ec2": ec2}}}
with open(out, "w") as f:
    json.dump(world, f)
