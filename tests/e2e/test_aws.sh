#!/bin/bash
# mamori collect --aws / scan --aws against awsmock (tests/aws/awsmock.py), a
# local AWS that speaks each service's wire protocol and checks every
# request's SigV4 signature with botocore's signer.  Covers: the credential
# chain (environment, profiles, role_arn + source_profile with an external
# id, credential_process, web identity, container, IMDSv2), pagination,
# throttling with retries, expired credentials (static: a clear error;
# assumed: refreshed), AccessDenied on one service, an unreachable region,
# an API answering garbage, assume-role into a second account and the
# accounts of an Organization, the s3-exposure findings of the buckets the
# server describes, offline re-evaluation of the snapshot, and bad input.
. "$(dirname "$0")/lib.sh"

python3 -c "import botocore" 2>/dev/null || { echo "SKIP: python3-botocore is not installed"; exit 0; }

# ---- the server, a clean environment ----
. "$SRC/tests/aws/awsmock.sh"
awsmock_start "$SRC/tests/aws/world.json"
ROLE=arn:aws:iam::444455556666:role/MamoriAudit
items() { # FILE TYPE [ACCOUNT]: count items of a type
  python3 - "$@" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for i in d["configurationItems"] if i["resourceType"] == sys.argv[2]
          and (len(sys.argv) < 4 or i["awsAccountId"] == sys.argv[3])))
EOF
}

# ---- collect: two accounts, every collector ----
run with_keys "$MAMORI" collect --aws --endpoint-url "$EP" --role-arn "$ROLE" \
  --external-id mamori-ext-42 -o "$T/snap.json" --stats
expect_rc 0 "collect two accounts"
expect_err "mamori: collect: "
[ "$(sigfails)" -eq 0 ] || fail "the server saw bad signatures: $(grep -A8 mismatch "$T/server.log")"
for t in AWS::S3::Bucket AWS::S3::AccountPublicAccessBlock AWS::IAM::User AWS::IAM::Role \
         AWS::IAM::Group AWS::IAM::Policy AWS::IAM::AccountPasswordPolicy AWS::IAM::AccountSummary \
         AWS::IAM::CredentialReport AWS::IAM::VirtualMFADevice AWS::AccessAnalyzer::Analyzer \
         AWS::CloudTrail::Trail AWS::Config::ConfigurationRecorder AWS::EC2::SecurityGroup \
         AWS::EC2::NetworkAcl AWS::EC2::VPC AWS::EC2::FlowLog AWS::EC2::Instance \
         AWS::EC2::EBSEncryptionByDefault AWS::KMS::Key AWS::RDS::DBInstance \
         AWS::CloudWatch::Alarm AWS::Logs::MetricFilter AWS::SNS::Topic AWS::GuardDuty::Detector \
         AWS::SecurityHub::Hub AWS::EFS::FileSystem AWS::Organizations::Organization \
         AWS::IAM::ServerCertificate Mamori::AWS::Region; do
  [ "$(items "$T/snap.json" "$t" 111122223333)" -gt 0 ] || fail "no $t item collected"
done
ok "every collector produced items"

# pagination (the server pages by 2) and throttling (3 throttled security group calls)
[ "$(items "$T/snap.json" AWS::S3::Bucket 111122223333)" -eq 3 ] || fail "3 buckets over 2 pages"
[ "$(items "$T/snap.json" AWS::EC2::SecurityGroup 111122223333)" -eq 4 ] || fail "4 security groups (3 in us-east-1 over 2 pages, after throttling)"
[ "$(items "$T/snap.json" AWS::IAM::User 111122223333)" -eq 2 ] || fail "2 users from the paginated authorization details"
[ "$(items "$T/snap.json" AWS::S3::Bucket 444455556666)" -eq 1 ] || fail "the assumed account's bucket"
python3 - "$T/snap.json" <<'EOF' || fail "items are not in AWS Config's shape"
import json, sys
d = json.load(open(sys.argv[1]))
by = {}
for i in d["configurationItems"]:
    for k in ("configurationItemCaptureTime", "awsAccountId", "resourceType", "resourceId", "awsRegion",
              "configuration", "supplementaryConfiguration", "tags", "configurationItemStatus"):
        assert k in i, (k, i["resourceType"])
    by.setdefault(i["resourceType"], []).append(i)
b = {i["resourceId"]: i for i in by["AWS::S3::Bucket"]}
logs = b["acme-audit-logs"]
assert logs["awsRegion"] == "eu-west-1" and logs["ARN"] == "arn:aws:s3:::acme-audit-logs"
sup = logs["supplementaryConfiguration"]
assert sup["BucketVersioningConfiguration"] == {"status": "Enabled", "isMfaDeleteEnabled": True}, sup
assert sup["ServerSideEncryptionConfiguration"]["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
assert sup["BucketLoggingConfiguration"] == {"destinationBucketName": "acme-access-logs", "logFilePrefix": "audit/"}
assert sup["ObjectLockConfiguration"]["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": None, "years": 1}
assert sup["PublicAccessBlockConfiguration"]["restrictPublicBuckets"] is True
acl = json.loads(b["acme-open-acl"]["supplementaryConfiguration"]["AccessControlList"])
assert {"grantee": "AllUsers", "permission": "Read"} in acl["grantList"], acl
assert json.loads(b["acme-web-assets"]["supplementaryConfiguration"]["BucketPolicy"]["policyText"])["Statement"][0]["Principal"] == "*"
sg = {i["resourceId"]: i for i in by["AWS::EC2::SecurityGroup"]}["sg-0ssh0000002"]["configuration"]
p = sg["ipPermissions"][0]
assert p["fromPort"] == 22 and p["ipRanges"] == ["0.0.0.0/0"] and p["ipv4Ranges"][0]["cidrIp"] == "0.0.0.0/0", p
assert {i["resourceId"]: i for i in by["AWS::EC2::SecurityGroup"]}["sg-0ssh0000002"]["tags"] == {"Name": "bastion", "public": "true"}
inst = by["AWS::EC2::Instance"][0]["configuration"]
assert inst["metadataOptions"]["httpTokens"] == "optional" and inst["metadataOptions"]["httpPutResponseHopLimit"] == 1
trail = by["AWS::CloudTrail::Trail"][0]
assert trail["configuration"]["isMultiRegionTrail"] is True and trail["configuration"]["trailARN"].endswith("org-trail")
assert trail["supplementaryConfiguration"]["TrailStatus"]["isLogging"] is True
rds = [i for i in by["AWS::RDS::DBInstance"] if i["awsAccountId"] == "111122223333"][0]["configuration"]
assert rds["dBInstanceIdentifier"] == "orders-db" and rds["publiclyAccessible"] is True and rds["storageEncrypted"] is False
keys = {i["resourceId"]: i for i in by["AWS::KMS::Key"]}
assert keys["0f1e2d3c-aaaa-bbbb-cccc-000000000002"]["supplementaryConfiguration"]["KeyRotationStatus"]["keyRotationEnabled"] is False
users = {i["resourceName"]: i for i in by["AWS::IAM::User"]}
assert users["alice"]["supplementaryConfiguration"]["AccessKeys"][0]["lastUsed"]["serviceName"] == "s3"
assert users["alice"]["supplementaryConfiguration"]["MfaDevices"][0]["serialNumber"].endswith("mfa/alice")
assert len(users["ci-bot"]["supplementaryConfiguration"]["AccessKeys"]) == 2
# policy documents decoded (IAM sends them URL-encoded), Config's member names kept
assert json.loads(users["alice"]["configuration"]["userPolicyList"][0]["policyDocument"])["Statement"][0]["Action"] == "*"
policies = {i["ARN"]: i["configuration"] for i in by["AWS::IAM::Policy"]}
assert json.loads(policies["arn:aws:iam::111122223333:policy/full-admin"]["policyVersionList"][0]["document"])["Statement"][0]["Resource"] == "*"
# AWS managed policies: the attached ones, default version only
audit = policies["arn:aws:iam::aws:policy/SecurityAudit"]
assert audit["attachmentCount"] == 1 and [v["versionId"] for v in audit["policyVersionList"]] == ["v42"], audit
assert "arn:aws:iam::aws:policy/ReadOnlyAccess" not in policies
certs = {i["resourceName"]: i["configuration"] for i in by["AWS::IAM::ServerCertificate"]}
assert certs["www-2024"]["expiration"] == "2025-01-05T23:59:59Z" and "www-2031" in certs, certs
report = by["AWS::IAM::CredentialReport"][0]["configuration"]["users"]
assert report[0]["user"] == "<root_account>" and report[0]["mfa_active"] == "true", report
assert by["AWS::IAM::AccountPasswordPolicy"][0]["configuration"]["minimumPasswordLength"] == 8
topics = {i["resourceName"]: i for i in by["AWS::SNS::Topic"]}
assert topics["security-alerts"]["supplementaryConfiguration"]["Subscriptions"][0]["protocol"] == "email"
assert topics["unused"]["supplementaryConfiguration"]["Subscriptions"] == []
assert by["AWS::Logs::MetricFilter"][0]["configuration"]["metricTransformations"][0]["metricName"] == "RootAccountUsage"
assert by["AWS::GuardDuty::Detector"][0]["configuration"]["status"] == "ENABLED"
assert by["AWS::SecurityHub::Hub"][0]["supplementaryConfiguration"]["EnabledStandards"][0]["standardsStatus"] == "READY"
assert by["AWS::EFS::FileSystem"][0]["configuration"]["encrypted"] is False
regions = {(i["awsAccountId"], i["resourceId"]): i["configuration"] for i in by["Mamori::AWS::Region"]}
assert regions[("111122223333", "us-east-1")]["securityHubEnabled"] is True
assert regions[("111122223333", "eu-west-1")]["securityHubEnabled"] is False
assert ("111122223333", "ap-east-1") not in regions, "a region not opted in is not read"
EOF
ok "items carry Config's shape and the API's data"

# what could not be read is in the snapshot, aggregated
python3 - "$T/snap.json" <<'EOF' || fail "collection errors"
import json, sys
errs = [(i["awsAccountId"], i["awsRegion"], i["configuration"]["service"], i["configuration"]["errorCode"])
        for i in json.load(open(sys.argv[1]))["configurationItems"] if i["resourceType"] == "Mamori::AWS::CollectionError"]
assert ("444455556666", "us-east-1", "kms", "AccessDeniedException") in errs, errs
assert ("111122223333", "ap-south-1", "*", "ConnectionError") in errs, errs
assert ("111122223333", "eu-west-1", "rds", "InvalidResponse") in errs, errs
assert not [e for e in errs if e[3] in ("SignatureDoesNotMatch", "Throttling", "RequestLimitExceeded", "ExpiredToken")], errs
assert len([e for e in errs if e[1] == "ap-south-1"]) == 1, "one error for an unreachable region"
EOF
ok "AccessDenied, an unreachable region and garbage are recorded; throttling and expiry were overcome"

# ---- scan --aws: the s3-exposure findings, and the gaps as findings ----
run with_keys "$MAMORI" scan --aws --endpoint-url "$EP" --role-arn "$ROLE" --external-id mamori-ext-42 \
  --no-store --all -f json -o "$T/scan.json" --html "$T/scan.html"
expect_rc 0 "scan --aws"
python3 - "$T/scan.json" <<'EOF' || fail "scan --aws findings"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
def find(rule, res):
    return [x for x in f if x["GeneratorId"] == rule and any(r["Id"] == res for r in x["Resources"])]
web = find("mamori.s3.bucket-policy-public", "arn:aws:s3:::acme-web-assets")
assert web and web[0]["Severity"]["Label"] == "HIGH", web
drop = find("mamori.s3.bucket-policy-public", "arn:aws:s3:::beta-partner-drop")
assert drop and drop[0]["Severity"]["Label"] == "CRITICAL" and drop[0]["AwsAccountId"] == "444455556666", drop
acl = find("mamori.s3.bucket-acl-public", "arn:aws:s3:::acme-open-acl")
assert acl and acl[0]["Severity"]["Label"] == "LOW", acl   # IgnorePublicAcls is on for the account
assert find("mamori.s3.account-block-public-access", "AWS::::Account:111122223333")
gaps = [x for x in f if x["GeneratorId"] == "mamori.aws.could-not-read"]
assert gaps and all(x["Compliance"]["Status"] == "NOT_AVAILABLE" for x in gaps), gaps
assert any("KMS" in x["Title"] and x["AwsAccountId"] == "444455556666" for x in gaps), [x["Title"] for x in gaps]
assert not any(x["Compliance"]["Status"] == "PASSED" for x in gaps)
assert d["summary"]["open"] >= 8, d["summary"]
EOF
ok "scan --aws reports the buckets' exposure and what could not be read"

# the CIS AWS Foundations v3.0.0 controls, passed and failed, with their scores
python3 - "$T/scan.json" "$T/scan.html" <<'EOF' || fail "CIS findings and scores of scan --aws"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
cis = [x for x in f if x["GeneratorId"].startswith("mamori.cis-aws-3.0/")]
controls = {x["GeneratorId"] for x in cis}
assert len(controls) >= 45, sorted(controls)
for x in cis:
    c = x["Compliance"]
    assert c["Status"] in ("PASSED", "FAILED"), x
    assert c["RelatedRequirements"][0] == "CIS AWS Foundations Benchmark v3.0.0/" + x["GeneratorId"].split("/")[1], c
    assert {"StandardsId": "standards/cis-aws-foundations-benchmark/v/3.0.0"} in c["AssociatedStandards"], c
    assert x["Resources"][0]["Id"].startswith(("arn:aws:", "AWS::::Account:")), x["Resources"]
def one(rule, res, region=None):
    hits = [x for x in f if x["GeneratorId"] == rule and x["Resources"][0]["Id"] == res
            and (region is None or x["Region"] == region)]
    assert len(hits) == 1, (rule, res, len(hits))
    return hits[0]["Compliance"]["Status"]
A = "AWS::::Account:111122223333"
assert one("mamori.cis-aws-3.0/1.16", "arn:aws:iam::aws:policy/AdministratorAccess") == "FAILED"
assert one("mamori.cis-aws-3.0/1.16", "arn:aws:iam::111122223333:policy/full-admin") == "FAILED"
assert one("mamori.cis-aws-3.0/1.16", "arn:aws:iam::aws:policy/SecurityAudit") == "PASSED"
assert one("mamori.cis-aws-3.0/1.19", "arn:aws:iam::111122223333:server-certificate/www-2024") == "FAILED"
assert one("mamori.cis-aws-3.0/1.19", "arn:aws:iam::111122223333:server-certificate/www-2031") == "PASSED"
assert one("mamori.cis-aws-3.0/1.4", A) == "PASSED"
assert one("mamori.cis-aws-3.0/1.8", A) == "FAILED"
assert one("mamori.cis-aws-3.0/2.3.3", "arn:aws:rds:us-east-1:111122223333:db:orders-db") == "FAILED"
assert one("mamori.cis-aws-3.0/3.1", A) == "PASSED"
assert one("mamori.cis-aws-3.0/3.2", "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail") == "PASSED"
assert one("mamori.cis-aws-3.0/3.4", "arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail") == "PASSED"
assert one("mamori.cis-aws-3.0/3.6", "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-aaaa-bbbb-cccc-000000000002") == "FAILED"
assert one("mamori.cis-aws-3.0/3.7", "arn:aws:ec2:eu-west-1:111122223333:vpc/vpc-0e1") == "PASSED"
assert one("mamori.cis-aws-3.0/4.3", A) == "PASSED"        # root usage: filter, alarm, subscriber
assert one("mamori.cis-aws-3.0/4.4", A) == "FAILED"
assert one("mamori.cis-aws-3.0/1.20", A, "us-east-1") == "PASSED"
assert one("mamori.cis-aws-3.0/1.20", A, "eu-west-1") == "FAILED"
assert one("mamori.cis-aws-3.0/5.2", "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0ssh0000002") == "FAILED"
assert one("mamori.cis-aws-3.0/5.4", "arn:aws:ec2:us-east-1:111122223333:security-group/sg-0default0001") == "FAILED"
assert one("mamori.cis-aws-3.0/5.6", "arn:aws:ec2:us-east-1:111122223333:instance/i-0legacyimds1") == "FAILED"
assert one("mamori.s3.bucket-secure-transport", "arn:aws:s3:::acme-audit-logs") == "PASSED"
# an unreachable region is not judged (the gap is a finding of its own)
assert not [x for x in cis if x["Region"] == "ap-south-1"], "ap-south-1 was judged"
# nothing of KMS could be read in the second account: no 3.6 result there
assert not [x for x in cis if x["GeneratorId"].endswith("/3.6") and x["AwsAccountId"] == "444455556666"]
# scores: per standard and per account, passed / (passed + failed) controls
comp = {c["standard"]: c for c in d["summary"]["compliance"]}
c = comp["standards/cis-aws-foundations-benchmark/v/3.0.0"]
assert c["name"] == "CIS AWS Foundations Benchmark v3.0.0"
for s in [c] + c["accounts"]:
    n = s["controls"]
    assert s["score"] == int(100 * n["passed"] / (n["passed"] + n["failed"]) + 0.5), s
assert {a["account"] for a in c["accounts"]} == {"111122223333", "444455556666"}, c["accounts"]
by_rule = {}
for x in f:
    if {"StandardsId": "standards/cis-aws-foundations-benchmark/v/3.0.0"} in x.get("Compliance", {}).get("AssociatedStandards", []):
        by_rule.setdefault(x["GeneratorId"], set()).add(x["Compliance"]["Status"])
failed = sum(1 for st in by_rule.values() if "FAILED" in st)
assert c["controls"]["failed"] == failed and c["controls"]["passed"] == len(by_rule) - failed, (c, failed, len(by_rule))
html = open(sys.argv[2]).read()
assert "<h2>Compliance</h2>" in html and ">CIS AWS Foundations Benchmark v3.0.0</td>" in html
assert "<td>444455556666</td>" in html
print("CIS: %d controls, score %s%%" % (len(by_rule), c["score"]))
EOF
ok "scan --aws: CIS v3.0.0 controls passed and failed per resource, with scores per account"

# the snapshot re-evaluates offline to the same findings and scores
"$MAMORI" scan --no-store --all -f json -o "$T/offline.json" "$T/snap.json"
python3 - "$T/scan.json" "$T/offline.json" <<'EOF' || fail "offline re-evaluation differs from the live scan"
import json, sys
live, off = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda d: sorted(x["Id"] + " " + x.get("Compliance", {}).get("Status", "") for x in d["findings"])
assert key(live) and key(live) == key(off), set(key(live)) ^ set(key(off))
assert live["summary"]["compliance"] == off["summary"]["compliance"], (live["summary"]["compliance"], off["summary"]["compliance"])
EOF
run "$MAMORI" scan --no-store "$T/snap.json"
expect_out "compliance: CIS AWS Foundations Benchmark v3.0.0: [0-9]*% ([0-9]* of [0-9]* controls passed); by account: 111122223333 [0-9]*%, 444455556666 [0-9]*%"
ok "the snapshot re-evaluated offline gives the same findings and scores"

# with a store: the scope is the accounts
run with_keys "$MAMORI" scan --aws --endpoint-url "$EP" --services s3
expect_rc 0 "scan --aws with the store"
run "$MAMORI" findings list --target aws:111122223333 -f json
expect_out "acme-web-assets"
ok "findings are stored under the scope aws:ACCOUNT"

# every request carried mamori's User-Agent
curl -s "$EP/__stats" > "$T/stats.json"
python3 - "$T/stats.json" <<'EOF' || fail "user agent"
import json, sys
ua = json.load(open(sys.argv[1]))["user_agents"]
assert all(k.startswith("mamori/") or k.startswith("curl/") for k in ua), ua
assert any(k.startswith("mamori/0.") for k in ua), ua
EOF
ok "User-Agent: mamori/VERSION"

# ---- credentials ----
run env AWS_ACCESS_KEY_ID=AKIAMAMORIEXPIRED001 AWS_SECRET_ACCESS_KEY=mamoriTestSecretKey0000000000000000000009 \
  "$MAMORI" collect --aws --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "expired static credentials"
expect_err "ExpiredToken"
expect_err "environment"
ok "expired static credentials: one clear error"

before=$(sigfails)
run env AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=wrongSecretKey00000000000000000000000000 \
  "$MAMORI" collect --aws --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "a wrong secret"
expect_err "SignatureDoesNotMatch"
! grep -q wrongSecretKey "$T/err" || fail "the secret was printed"
[ "$(sigfails)" -gt "$before" ] || fail "the server did not check the signature"
deliberate=$(sigfails)
ok "a wrong signature gets AWS's SignatureDoesNotMatch (the server checks with botocore)"

# profiles: static keys, role_arn + source_profile with external id (the
# first session the server issues for this role is already expired:
# mamori refreshes it)
cat > "$T/home/.aws/credentials" <<EOF
[base]
aws_access_key_id = $KEY
aws_secret_access_key = $SECRET
EOF
cat > "$T/home/.aws/config" <<EOF
[profile base]
region = us-east-1

[profile beta]
role_arn = arn:aws:iam::444455556666:role/ExpiringAudit
source_profile = base
external_id = mamori-ext-42
region = eu-west-1

[profile loop-a]
role_arn = $ROLE
source_profile = loop-b

[profile loop-b]
role_arn = $ROLE
source_profile = loop-a

[profile proc]
credential_process = sh -c 'printf "{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\"}" $KEY $SECRET'

[profile mfa]
role_arn = arn:aws:iam::111122223333:role/MfaAudit
source_profile = base
mfa_serial = arn:aws:iam::111122223333:mfa/alice

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Audit
EOF
unset AWS_REGION
run "$MAMORI" collect --aws --profile beta --endpoint-url "$EP" --services s3 -o "$T/beta.json" -v
expect_rc 0 "profile with role_arn + source_profile"
expect_err "account 444455556666"
expect_err "refreshing"
[ "$(items "$T/beta.json" AWS::S3::Bucket 444455556666)" -eq 1 ] || fail "profile beta reads the second account"
ok "role_arn + source_profile + external_id; expired assumed credentials are refreshed"
AWS_PROFILE=base run "$MAMORI" collect --aws --endpoint-url "$EP" --services iam -o "$T/base.json"
expect_rc 0 "AWS_PROFILE"
[ "$(items "$T/base.json" AWS::IAM::User)" -eq 2 ] || fail "AWS_PROFILE=base"
run "$MAMORI" collect --aws --profile proc --region us-east-1 --endpoint-url "$EP" --services s3 -o "$T/proc.json"
expect_rc 0 "credential_process"
[ "$(items "$T/proc.json" AWS::S3::Bucket)" -eq 3 ] || fail "credential_process"
ok "AWS_PROFILE, credential_process"
run "$MAMORI" collect --aws --profile loop-a --region us-east-1 --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "profile loop"
expect_err "profile loop through source_profile: loop-a -> loop-b -> loop-a"
run "$MAMORI" collect --aws --profile mfa --region us-east-1 --no-prompt --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "mfa without a prompt"
expect_err "needs an MFA code"
run "$MAMORI" collect --aws --profile sso --region us-east-1 --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "sso profile"
expect_err "export-credentials"
run "$MAMORI" collect --aws --profile nonesuch --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "unknown profile"
expect_err "the config profile (nonesuch) could not be found"
ok "profile loop, MFA without a terminal, SSO and unknown profiles: clear errors"

# MFA on a terminal: the code is read from the tty (script(1) gives one)
if command -v script >/dev/null; then
  printf '123456\n' | script -qec "'$MAMORI' collect --aws --profile mfa --region us-east-1 --endpoint-url '$EP' --services s3 -o '$T/mfa.json'" /dev/null > "$T/tty.out" 2>&1
  grep -q "Enter MFA code for arn:aws:iam::111122223333:mfa/alice" "$T/tty.out" || fail "no MFA prompt: $(cat "$T/tty.out")"
  [ "$(items "$T/mfa.json" AWS::S3::Bucket)" -eq 3 ] || fail "MFA role: $(cat "$T/tty.out")"
  ok "MFA code prompted on the terminal"
fi

# web identity, container, IMDSv2
echo "eyJhbGciOiJSUzI1NiJ9.test-web-identity-token.sig" > "$T/token"
run env AWS_WEB_IDENTITY_TOKEN_FILE="$T/token" AWS_ROLE_ARN=arn:aws:iam::111122223333:role/WebIdentityAudit \
  AWS_REGION=us-east-1 "$MAMORI" collect --aws --endpoint-url "$EP" --services s3 -o "$T/wi.json" -v
expect_rc 0 "web identity"
expect_err "web identity"
run env AWS_CONTAINER_CREDENTIALS_FULL_URI="$EP/__container/creds" AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer container-token-0001" \
  AWS_REGION=us-east-1 "$MAMORI" collect --aws --endpoint-url "$EP" --services s3 -o "$T/ct.json" -v
expect_rc 0 "container credentials"
expect_err "container credentials"
run env AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT="$EP" \
  "$MAMORI" collect --aws --endpoint-url "$EP" --services s3 -o "$T/imds.json" -v
expect_rc 0 "IMDSv2"
expect_err "EC2 instance metadata"
for f in wi ct imds; do [ "$(items "$T/$f.json" AWS::S3::Bucket)" -eq 3 ] || fail "$f: no buckets"; done
ok "web identity, container (EKS Pod Identity style) and IMDSv2 credentials (region from IMDS)"
export AWS_REGION=us-east-1

# proxy variables (either case) are honoured, NO_PROXY too
run with_keys env HTTP_PROXY=http://127.0.0.1:9 "$MAMORI" collect --aws --endpoint-url "$EP" --services s3 -o "$T/x.json"
expect_rc 2 "an unreachable proxy"
expect_err "127.0.0.1 port 9"
run with_keys env http_proxy=http://127.0.0.1:9 NO_PROXY=127.0.0.1 "$MAMORI" collect --aws --endpoint-url "$EP" --services s3 -o "$T/x.json"
expect_rc 0 "NO_PROXY bypasses the proxy"
ok "HTTP_PROXY / http_proxy / NO_PROXY"

# ---- bad input: one clear error naming the source, the rest goes on ----
cat > "$T/home/.aws/credentials" <<EOF
[base]
aws_access_key_id = $KEY
aws_secret_access_key = $SECRET
this line is broken
EOF
run "$MAMORI" collect --aws --profile base --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "malformed credentials file"
expect_err "$T/home/.aws/credentials:4:1: expected \"key = value\""
! grep -q "$SECRET" "$T/err" || fail "the secret appears in the error"
cat > "$T/home/.aws/credentials" <<EOF
[base]
aws_secret_access_key $SECRET
EOF
run "$MAMORI" collect --aws --profile base --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "malformed credentials line holding a secret"
expect_err "credentials:2:1"
! grep -q "$SECRET" "$T/err" || fail "the secret appears in the excerpt: $(cat "$T/err")"
ok "malformed credentials file: path:line:col, secrets masked"

run with_keys "$MAMORI" collect --aws --endpoint-url "$EP" --services ec2 \
  --regions us-east-1,xx-nowhere-9,ap-east-1,moon-base-1 -o "$T/r.json"
expect_rc 0 "unknown regions do not stop the collection"
python3 - "$T/r.json" <<'EOF' || fail "unknown regions"
import json, sys
d = json.load(open(sys.argv[1]))["configurationItems"]
errs = {(i["awsRegion"], i["configuration"]["errorCode"]) for i in d if i["resourceType"] == "Mamori::AWS::CollectionError"}
assert ("xx-nowhere-9", "UnknownRegion") in errs and ("moon-base-1", "UnknownRegion") in errs, errs
assert ("ap-east-1", "RegionNotEnabled") in errs, errs
assert any(i["resourceType"] == "AWS::EC2::SecurityGroup" and i["awsRegion"] == "us-east-1" for i in d)
EOF
ok "unknown and disabled regions are reported, the others read"

run with_keys "$MAMORI" collect --aws --endpoint-url "$EP" --role-arn arn:aws:iam::444455556666:role/MamoriAudit \
  --external-id wrong --services s3 -o "$T/x.json"
expect_rc 0 "a role that cannot be assumed"
grep -q '"AssumeRole"' "$T/x.json" || fail "the refused role is not recorded"
[ "$(items "$T/x.json" AWS::S3::Bucket 111122223333)" -eq 3 ] || fail "the base account was not read"
ok "a refused role is a collection error; the other accounts are read"

run with_keys "$MAMORI" collect --aws --endpoint-url "$EP" --org --services s3 -o "$T/org.json"
expect_rc 0 "--org"
[ "$(items "$T/org.json" AWS::S3::Bucket 444455556666)" -eq 1 ] || fail "--org did not reach the member account"
ok "--org reads the Organization's active accounts"

run with_keys "$MAMORI" collect --aws --endpoint-url "ftp://x" -o "$T/x.json"
expect_rc 2 "bad endpoint";  expect_err "endpoint-url"
run with_keys "$MAMORI" collect --aws --services nonesuch --endpoint-url "$EP" -o "$T/x.json"
expect_rc 2 "unknown service"; expect_err "unknown AWS service"
run with_keys "$MAMORI" collect -o "$T/x.json"
expect_rc 2 "collect without a source"; expect_err "needs a source"
run "$MAMORI" scan --regions us-east-1
expect_rc 2 "AWS options without --aws"; expect_err "need --aws"
run "$MAMORI" help collect
expect_rc 0 "help collect"; expect_out "endpoint-url"
ok "usage errors"

[ "$(sigfails)" -eq "$deliberate" ] || fail "unexpected signature failures: $(grep -A8 mismatch "$T/server.log" | tail -20)"
echo "all aws tests passed"
