"""awsmock_services.py — the operations awsmock answers, per service.

Answers are built from the world's data, which is kept in each API's own
member names (PascalCase for query/JSON services, the EC2 XML names for
EC2), so serialising is mechanical and the shapes are the API reference's.
Operations mamori does not call answer InvalidAction / UnknownOperation, as
AWS does.
"""
import base64
import datetime
import json
import os
import re
import urllib.parse
from xml.sax.saxutils import escape

import awsmock

from awsmock import (AwsError, Drop, ec2_response, json_response, now_iso, paginate,
                     query_response, rest_json_response, s3_response, x)

S3_SUBRESOURCES = ("location", "policy", "policyStatus", "acl", "encryption", "versioning",
                   "logging", "object-lock", "publicAccessBlock")


def operation(protocol, service, h, body, form):
    """(operation name, parameters) from a request."""
    if protocol in ("query", "ec2"):
        op = form.get("Action")
        if not op:
            raise AwsError(400, "MissingAction", "Action is required")
        return op, form
    if protocol == "json":
        target = h.headers.get("X-Amz-Target", "")
        op = target.rsplit(".", 1)[-1]
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            raise AwsError(400, "SerializationException", "the body is not JSON")
        return op, params
    url = urllib.parse.urlsplit(h.path)
    query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
    path = urllib.parse.unquote(url.path)
    if protocol == "rest-xml":
        if path.startswith("/v20180820/configuration/publicAccessBlock"):
            return "GetPublicAccessBlockAccount", {"account": h.headers.get("x-amz-account-id")}
        if path == "/":
            return "ListBuckets", query
        bucket = path.strip("/").split("/")[0]
        for sub in S3_SUBRESOURCES:
            if sub in query:
                return "GetBucket:" + sub, dict(query, Bucket=bucket)
        key = path.lstrip("/")[len(bucket) + 1:]
        if key and h.command == "GET":
            return "GetObject", dict(query, Bucket=bucket, Key=key)
        if not key and query.get("list-type") == "2" and h.command == "GET":
            return "ListObjectsV2", dict(query, Bucket=bucket)
        raise AwsError(400, "NotImplemented", "awsmock: unsupported S3 request %s" % h.path)
    routes = {
        ("guardduty", "GET", r"^/detector$"): "ListDetectors",
        ("guardduty", "GET", r"^/detector/(?P<DetectorId>[^/]+)$"): "GetDetector",
        ("securityhub", "GET", r"^/accounts$"): "DescribeHub",
        ("securityhub", "POST", r"^/standards/get$"): "GetEnabledStandards",
        ("securityhub", "POST", r"^/findings/import$"): "BatchImportFindings",
        ("elasticfilesystem", "GET", r"^/2015-02-01/file-systems$"): "DescribeFileSystems",
        ("access-analyzer", "GET", r"^/analyzer$"): "ListAnalyzers",
    }
    for (svc, method, pattern), op in routes.items():
        m = re.match(pattern, path)
        if svc == service and method == h.command and m:
            params = dict(query)
            params.update(m.groupdict())
            if body:
                params.update(json.loads(body))
            return op, params
    raise AwsError(404, "UnknownOperationException", "no route for %s %s" % (h.command, path))


def dispatch(srv, protocol, service, op, params, caller, h):
    fn = HANDLERS.get((service, op))
    if fn is None:
        if protocol in ("query", "ec2"):
            raise AwsError(400, "InvalidAction", "The action %s is not valid for this web service." % op)
        raise AwsError(400, "UnknownOperationException", "Unknown operation %s" % op)
    acct = srv.account(caller["account"])
    return fn(srv, acct, params, caller)


def regional(acct, service, region, default):
    return acct.get(service, {}).get(region, default)


# ---------------------------------------------------------------- STS

def sts_caller(srv, acct, p, caller):
    return query_response("sts", "GetCallerIdentity", {
        "Arn": caller["arn"], "UserId": "AIDA" + caller["account"], "Account": caller["account"]})


def issue(srv, role_arn, session):
    account = role_arn.split(":")[4]
    name = role_arn.split("/")[-1]
    gen = srv.count("assume:" + role_arn)
    expired = role_arn in srv.faults.get("expire_first_session", []) and gen == 1
    principal = "arn:aws:sts::%s:assumed-role/%s/%s" % (account, name, session)
    ak, secret, token = srv.keys.issue(account, principal, "expired" if expired else gen)
    return {
        "Credentials": {"AccessKeyId": ak, "SecretAccessKey": secret, "SessionToken": token,
                        "Expiration": now_iso(3600)},
        "AssumedRoleUser": {"AssumedRoleId": "AROA%s:%s" % (account, session), "Arn": principal},
    }


def find_assumable(srv, role_arn):
    parts = role_arn.split(":")
    if len(parts) < 6 or not parts[5].startswith("role/"):
        raise AwsError(400, "ValidationError", "%s is not a role ARN" % role_arn)
    acct = srv.world["accounts"].get(parts[4])
    spec = acct and acct.get("assumable", {}).get(parts[5][5:])
    return spec


def sts_assume(srv, acct, p, caller):
    role = p.get("RoleArn", "")
    spec = find_assumable(srv, role)
    denied = AwsError(403, "AccessDenied", "User: %s is not authorized to perform: sts:AssumeRole on resource: %s"
                      % (caller["arn"], role))
    if not spec or caller["account"] not in spec.get("trusted", []):
        raise denied
    if spec.get("external_id") and p.get("ExternalId") != spec["external_id"]:
        raise denied
    if spec.get("mfa") and not (p.get("SerialNumber") and p.get("TokenCode") == spec["mfa"]):
        raise denied
    return query_response("sts", "AssumeRole", issue(srv, role, p.get("RoleSessionName", "s")))


def sts_web_identity(srv, form):
    role = form.get("RoleArn", "")
    spec = find_assumable(srv, role)
    if not spec or not spec.get("web_identity_token") or form.get("WebIdentityToken") != spec["web_identity_token"]:
        from awsmock import error_response
        return error_response("query", "sts", AwsError(400, "InvalidIdentityToken", "Invalid web identity token"))
    return query_response("sts", "AssumeRoleWithWebIdentity", issue(srv, role, form.get("RoleSessionName", "s")))


# ---------------------------------------------------------------- IAM

def iam_auth_details(srv, acct, p, caller):
    iam = acct.get("iam", {})
    filters = [v for k, v in p.items() if k.startswith("Filter.member.")]
    everything = []
    kinds = {"User": "UserDetailList", "Group": "GroupDetailList", "Role": "RoleDetailList",
             "LocalManagedPolicy": "Policies", "AWSManagedPolicy": "Policies"}
    # AWS managed policies: the ones attached in the account, as IAM answers
    src = {"User": "users", "Group": "groups", "Role": "roles", "LocalManagedPolicy": "policies",
           "AWSManagedPolicy": "aws_policies"}
    for f in filters or kinds:
        for item in iam.get(src.get(f, ""), []):
            everything.append((kinds[f], item))
    size = min(int(p.get("MaxItems", 100)), srv.page)
    page, nxt = paginate(everything, p.get("Marker"), size)
    result = {k: [] for k in kinds.values()}
    for kind, item in page:
        result[kind].append(item)
    result["IsTruncated"] = nxt is not None
    if nxt:
        result["Marker"] = nxt
    return query_response("iam", "GetAccountAuthorizationDetails", result)


def iam_access_keys(srv, acct, p, caller):
    keys = acct.get("iam", {}).get("access_keys", {}).get(p.get("UserName"), [])
    return query_response("iam", "ListAccessKeys", {"AccessKeyMetadata": keys, "IsTruncated": False})


def iam_key_last_used(srv, acct, p, caller):
    for user, keys in acct.get("iam", {}).get("access_keys", {}).items():
        for k in keys:
            if k["AccessKeyId"] == p.get("AccessKeyId"):
                return query_response("iam", "GetAccessKeyLastUsed", {
                    "UserName": user, "AccessKeyLastUsed": k.get("LastUsed", {"ServiceName": "N/A", "Region": "N/A"})})
    raise AwsError(404, "NoSuchEntity", "The Access Key with id %s cannot be found" % p.get("AccessKeyId"))


def iam_mfa(srv, acct, p, caller):
    devs = acct.get("iam", {}).get("mfa", {}).get(p.get("UserName"), [])
    return query_response("iam", "ListMFADevices", {"MFADevices": devs, "IsTruncated": False})


def iam_virtual_mfa(srv, acct, p, caller):
    devs = acct.get("iam", {}).get("virtual_mfa", [])
    return query_response("iam", "ListVirtualMFADevices", {"VirtualMFADevices": devs, "IsTruncated": False})


def iam_server_certificates(srv, acct, p, caller):
    certs = acct.get("iam", {}).get("server_certificates", [])
    page, nxt = paginate(certs, p.get("Marker"), srv.page)
    result = {"ServerCertificateMetadataList": page, "IsTruncated": nxt is not None}
    if nxt:
        result["Marker"] = nxt
    return query_response("iam", "ListServerCertificates", result)


def iam_password_policy(srv, acct, p, caller):
    pp = acct.get("iam", {}).get("password_policy")
    if not pp:
        raise AwsError(404, "NoSuchEntity", "The Password Policy with domain name %s cannot be found." % caller["account"])
    return query_response("iam", "GetAccountPasswordPolicy", {"PasswordPolicy": pp})


def iam_summary(srv, acct, p, caller):
    summary = acct.get("iam", {}).get("summary", {"AccountMFAEnabled": 0, "AccountAccessKeysPresent": 0})
    return query_response("iam", "GetAccountSummary", {
        "SummaryMap": [{"key": k, "value": v} for k, v in summary.items()]})


def iam_generate_report(srv, acct, p, caller):
    n = srv.count("report:" + caller["account"])
    return query_response("iam", "GenerateCredentialReport", {
        "State": "STARTED" if n == 1 else "COMPLETE", "Description": "No report exists. Starting a new report generation."})


def iam_get_report(srv, acct, p, caller):
    rows = acct.get("iam", {}).get("credential_report", [])
    cols = ["user", "arn", "user_creation_time", "password_enabled", "password_last_used",
            "password_last_changed", "password_next_rotation", "mfa_active", "access_key_1_active",
            "access_key_1_last_rotated", "access_key_1_last_used_date", "access_key_1_last_used_region",
            "access_key_1_last_used_service", "access_key_2_active", "access_key_2_last_rotated",
            "access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
            "cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"]
    csv = ",".join(cols) + "\n" + "\n".join(",".join(str(r.get(c, "N/A")) for c in cols) for r in rows)
    return query_response("iam", "GetCredentialReport", {
        "Content": base64.b64encode(csv.encode()).decode(), "ReportFormat": "text/csv", "GeneratedTime": now_iso()})


# ---------------------------------------------------------------- S3

def s3_list_buckets(srv, acct, p, caller):
    s3 = acct.get("s3", {})
    size = min(int(p.get("max-buckets", 10000)), srv.page)
    page, nxt = paginate(s3.get("buckets", []), p.get("continuation-token"), size)
    owner = s3.get("owner", {"ID": "0" * 64, "DisplayName": "owner"})
    inner = x({"ID": owner["ID"], "DisplayName": owner.get("DisplayName")}, "Owner")
    inner += "<Buckets>" + "".join(x({"Name": b["Name"], "CreationDate": b.get("CreationDate", "2024-01-01T00:00:00.000Z")}, "Bucket")
                                   for b in page) + "</Buckets>"
    if nxt:
        inner += "<ContinuationToken>%s</ContinuationToken>" % nxt
    return s3_response("ListAllMyBucketsResult", inner)


def find_bucket(acct, name):
    for b in acct.get("s3", {}).get("buckets", []):
        if b["Name"] == name:
            return b
    raise AwsError(404, "NoSuchBucket", "The specified bucket does not exist")


def pab_xml(pab):
    return x({k: pab.get(k, False) for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
                                              "RestrictPublicBuckets")})


def s3_account_pab(srv, acct, p, caller):
    if p.get("account") != caller["account"]:
        raise AwsError(403, "AccessDenied", "Access Denied")
    pab = acct.get("s3", {}).get("account_pab")
    if pab is None:
        raise AwsError(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
    return s3_response("PublicAccessBlockConfiguration", pab_xml(pab))


def s3_bucket(srv, acct, p, caller, sub):
    b = find_bucket(acct, p["Bucket"])
    region = b.get("Region", "us-east-1")
    if sub == "location":
        loc = "" if region == "us-east-1" else region
        return 200, {"Content-Type": "application/xml"}, (
            '<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="%s">%s</LocationConstraint>'
            % ("http://s3.amazonaws.com/doc/2006-03-01/", loc))
    if caller["region"] != region:
        e = AwsError(301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint.")
        raise e
    if sub == "policy":
        if not b.get("Policy"):
            raise AwsError(404, "NoSuchBucketPolicy", "The bucket policy does not exist")
        return 200, {"Content-Type": "application/json"}, json.dumps(b["Policy"])
    if sub == "policyStatus":
        if not b.get("Policy"):
            raise AwsError(404, "NoSuchBucketPolicy", "The bucket policy does not exist")
        return s3_response("PolicyStatus", x({"IsPublic": bool(b.get("PolicyIsPublic", False))}))
    if sub == "acl":
        owner = acct.get("s3", {}).get("owner", {"ID": "0" * 64})
        grants = b.get("Grants") or [{"Grantee": {"Type": "CanonicalUser", "ID": owner["ID"]}, "Permission": "FULL_CONTROL"}]
        inner = x({"ID": owner["ID"], "DisplayName": owner.get("DisplayName")}, "Owner") + "<AccessControlList>"
        for g in grants:
            gt = g["Grantee"]
            fields = {k: v for k, v in gt.items() if k != "Type"}
            inner += ('<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="%s">%s</Grantee>'
                      "<Permission>%s</Permission></Grant>") % (gt["Type"], x(fields), g["Permission"])
        inner += "</AccessControlList>"
        return s3_response("AccessControlPolicy", inner)
    if sub == "encryption":
        enc = b.get("Encryption")
        if not enc:
            raise AwsError(404, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": enc["SSEAlgorithm"],
                                                        "KMSMasterKeyID": enc.get("KMSMasterKeyID")},
                "BucketKeyEnabled": enc.get("BucketKeyEnabled", False)}
        return s3_response("ServerSideEncryptionConfiguration", x(rule, "Rule"))
    if sub == "versioning":
        v = b.get("Versioning") or {}
        return s3_response("VersioningConfiguration", x({"Status": v.get("Status"), "MfaDelete": v.get("MfaDelete")}))
    if sub == "logging":
        lg = b.get("Logging")
        return s3_response("BucketLoggingStatus", x(lg, "LoggingEnabled") if lg else "")
    if sub == "object-lock":
        ol = b.get("ObjectLock")
        if not ol:
            raise AwsError(404, "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket")
        return s3_response("ObjectLockConfiguration", x(ol))
    if sub == "publicAccessBlock":
        pab = b.get("PublicAccessBlock")
        if pab is None:
            raise AwsError(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
        return s3_response("PublicAccessBlockConfiguration", pab_xml(pab))
    raise AwsError(400, "NotImplemented", sub)


# S3 objects: a bucket's "ObjectsDir" (absolute, or relative to the world
# file's directory given as world["_dir"]) holds its objects, the key being
# the path under it; "DenyKeys" lists keys whose GetObject is AccessDenied,
# "DenyList" makes ListObjectsV2 AccessDenied, "CutKeys" lists keys whose
# transfer breaks off after half the bytes.

def s3_objects(srv, b):
    d = b.get("ObjectsDir")
    if not d:
        return []
    d = os.path.join(srv.world.get("_dir", "."), d)
    keys = []
    for root, _dirs, files in os.walk(d):
        for f in files:
            full = os.path.join(root, f)
            keys.append((os.path.relpath(full, d).replace(os.sep, "/"), full))
    return sorted(keys)


def s3_region_check(b, caller):
    """S3 answers a request signed for the wrong region with 301 and the
    bucket's region in x-amz-bucket-region."""
    region = b.get("Region", "us-east-1")
    if caller["region"] != region:
        st, hdrs, body = awsmock.error_response("rest-xml", "s3", AwsError(
            301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint."))
        hdrs["x-amz-bucket-region"] = region
        return st, hdrs, body
    return None


def s3_list_objects(srv, acct, p, caller):
    b = find_bucket(acct, p["Bucket"])
    redirect = s3_region_check(b, caller)
    if redirect:
        return redirect
    if b.get("DenyList"):
        raise AwsError(403, "AccessDenied", "Access Denied")
    prefix = p.get("prefix", "")
    keys = [(k, f) for k, f in s3_objects(srv, b) if k.startswith(prefix)]
    try:
        size = max(1, min(int(p.get("max-keys", 1000)), srv.page, 1000))
    except ValueError:
        raise AwsError(400, "InvalidArgument", "max-keys is not a number")
    token = p.get("continuation-token")
    if token:
        try:
            token = str(int(base64.b64decode(token).decode()[3:]))
        except Exception:
            raise AwsError(400, "InvalidArgument", "The continuation token provided is incorrect")
    page, nxt = paginate(keys, token, size)
    inner = "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>%d</MaxKeys><IsTruncated>%s</IsTruncated>" % (
        escape(b["Name"]), escape(prefix), len(page), size, "true" if nxt else "false")
    for k, f in page:
        st = os.stat(f)
        inner += "<Contents>" + x({"Key": k, "LastModified": datetime.datetime.fromtimestamp(
            st.st_mtime, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "ETag": '"%x"' % st.st_ino, "Size": st.st_size, "StorageClass": "STANDARD"}) + "</Contents>"
    if p.get("continuation-token"):
        inner += "<ContinuationToken>%s</ContinuationToken>" % escape(p["continuation-token"])
    if nxt:
        inner += "<NextContinuationToken>%s</NextContinuationToken>" % base64.b64encode(("ct-" + nxt).encode()).decode()
    return s3_response("ListBucketResult", inner)


def s3_get_object(srv, acct, p, caller):
    b = find_bucket(acct, p["Bucket"])
    redirect = s3_region_check(b, caller)
    if redirect:
        return redirect
    if p["Key"] in b.get("DenyKeys", []):
        raise AwsError(403, "AccessDenied", "Access Denied")
    for k, f in s3_objects(srv, b):
        if k == p["Key"]:
            with open(f, "rb") as fh:
                data = fh.read()
            hdrs = {"Content-Type": "binary/octet-stream", "ETag": '"%x"' % os.stat(f).st_ino}
            if p["Key"] in b.get("CutKeys", []):
                hdrs["X-Awsmock-Cut"] = len(data) // 2
            return 200, hdrs, data
    raise AwsError(404, "NoSuchKey", "The specified key does not exist.")


# ---------------------------------------------------------------- EC2

def ec2_regions(srv, acct, p, caller):
    regions = acct.get("regions", {"us-east-1": "opt-in-not-required"})
    items = [{"regionName": r, "regionEndpoint": "ec2.%s.amazonaws.com" % r, "optInStatus": s}
             for r, s in regions.items()
             if p.get("AllRegions") == "true" or s != "not-opted-in"]
    return ec2_response("DescribeRegions", {"regionInfo": items})


def ec2_list(key, op):
    def fn(srv, acct, p, caller):
        items = regional(acct, "ec2", caller["region"], {}).get(key, [])
        size = min(int(p.get("MaxResults", 1000)), srv.page)
        page, nxt = paginate(items, p.get("NextToken"), size)
        result = {key: page}
        if nxt:
            result["nextToken"] = nxt
        return ec2_response(op, result)
    return fn


def ec2_ebs_default(srv, acct, p, caller):
    r = regional(acct, "ec2", caller["region"], {})
    return ec2_response("GetEbsEncryptionByDefault", {"ebsEncryptionByDefault": bool(r.get("ebsEncryptionByDefault", False))})


def ec2_ebs_key(srv, acct, p, caller):
    r = regional(acct, "ec2", caller["region"], {})
    return ec2_response("GetEbsDefaultKmsKeyId", {"kmsKeyId": r.get("kmsKeyId", "alias/aws/ebs")})


# ---------------------------------------------------------------- JSON services

def ct_describe(srv, acct, p, caller):
    trails = regional(acct, "cloudtrail", caller["region"], {}).get("trails", [])
    return json_response({"trailList": [t["Trail"] for t in trails]})


def ct_trail(acct, caller, arn):
    for t in regional(acct, "cloudtrail", caller["region"], {}).get("trails", []):
        if arn in (t["Trail"]["TrailARN"], t["Trail"]["Name"]):
            return t
    raise AwsError(400, "TrailNotFoundException", "Unknown trail: %s for the user: %s" % (arn, caller["account"]))


def ct_status(srv, acct, p, caller):
    return json_response(ct_trail(acct, caller, p.get("Name", "")).get("Status", {"IsLogging": False}))


def ct_selectors(srv, acct, p, caller):
    t = ct_trail(acct, caller, p.get("TrailName", ""))
    out = {"TrailARN": t["Trail"]["TrailARN"]}
    out.update(t.get("Selectors", {"EventSelectors": [{"ReadWriteType": "All", "IncludeManagementEvents": True,
                                                       "DataResources": [], "ExcludeManagementEventSources": []}]}))
    return json_response(out)


def cfg_recorders(srv, acct, p, caller):
    return json_response({"ConfigurationRecorders": regional(acct, "config", caller["region"], {}).get("recorders", [])})


def cfg_status(srv, acct, p, caller):
    return json_response({"ConfigurationRecordersStatus": regional(acct, "config", caller["region"], {}).get("status", [])})


def kms_keys(srv, acct, p, caller):
    keys = regional(acct, "kms", caller["region"], [])
    size = min(int(p.get("Limit", 100)), srv.page)
    page, nxt = paginate(keys, p.get("Marker"), size)
    out = {"Keys": [{"KeyId": k["KeyMetadata"]["KeyId"], "KeyArn": k["KeyMetadata"]["Arn"]} for k in page],
           "Truncated": nxt is not None}
    if nxt:
        out["NextMarker"] = nxt
    return json_response(out)


def kms_key(acct, caller, key_id):
    for k in regional(acct, "kms", caller["region"], []):
        if key_id in (k["KeyMetadata"]["KeyId"], k["KeyMetadata"]["Arn"]):
            return k
    raise AwsError(400, "NotFoundException", "Key '%s' does not exist" % key_id)


def kms_describe(srv, acct, p, caller):
    return json_response({"KeyMetadata": kms_key(acct, caller, p.get("KeyId", ""))["KeyMetadata"]})


def kms_rotation(srv, acct, p, caller):
    return json_response({"KeyRotationEnabled": bool(kms_key(acct, caller, p.get("KeyId", "")).get("KeyRotationEnabled"))})




def org_describe(srv, acct, p, caller):
    org = acct.get("organization")
    if not org:
        raise AwsError(400, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
    return json_response({"Organization": org})


def org_accounts(srv, acct, p, caller):
    accounts = acct.get("organization_accounts")
    if accounts is None:
        raise AwsError(400, "AccessDeniedException", "You don't have permissions to access this resource.")
    page, nxt = paginate(accounts, p.get("NextToken"), srv.page)
    out = {"Accounts": page}
    if nxt:
        out["NextToken"] = nxt
    return json_response(out)


def paged_list(service, out_key, token_in, token_out, rest=False):
    """A regional list answered in pages: {out_key: [...], token_out: next}."""
    def fn(srv, acct, p, caller):
        items = regional(acct, service, caller["region"], [])
        page, nxt = paginate(items, p.get(token_in), srv.page)
        out = {out_key: page}
        if nxt:
            out[token_out] = nxt
        return rest_json_response(out) if rest else json_response(out)
    return fn


# ---------------------------------------------------------------- query services

def query_list(service, op, data_key, result_key, wrapper=None):
    def fn(srv, acct, p, caller):
        items = regional(acct, data_key[0], caller["region"], {}).get(data_key[1], [])
        page, nxt = paginate(items, p.get("Marker") or p.get("NextToken"), srv.page)
        if wrapper:
            result = {result_key: [(wrapper, i) for i in page]}
        else:
            result = {result_key: page}
        if nxt:
            result["Marker" if service == "rds" else "NextToken"] = nxt
        return query_response(service, op, result)
    return fn


def rds_instances(srv, acct, p, caller):
    items = regional(acct, "rds", caller["region"], [])
    page, nxt = paginate(items, p.get("Marker"), min(int(p.get("MaxRecords", 100)), srv.page))
    inner = "<DBInstances>" + "".join(x(i, "DBInstance") for i in page) + "</DBInstances>"
    if nxt:
        inner += "<Marker>%s</Marker>" % nxt
    body = ('<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult>%s'
            "</DescribeDBInstancesResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>"
            "</DescribeDBInstancesResponse>") % (inner, "req")
    return 200, {"Content-Type": "text/xml"}, body


# ---------------------------------------------------------------- REST-JSON services

def gd_list(srv, acct, p, caller):
    return rest_json_response({"detectorIds": sorted(regional(acct, "guardduty", caller["region"], {}))})


def gd_get(srv, acct, p, caller):
    d = regional(acct, "guardduty", caller["region"], {}).get(p["DetectorId"])
    if d is None:
        raise AwsError(400, "BadRequestException", "The request is rejected because the input detectorId is not owned by the current account.")
    return rest_json_response(d)


def sh_hub(srv, acct, p, caller):
    hub = regional(acct, "securityhub", caller["region"], None)
    if not hub:
        raise AwsError(401, "InvalidAccessException", "Account %s is not subscribed to AWS Security Hub" % caller["account"])
    return rest_json_response(hub["Hub"])


def sh_standards(srv, acct, p, caller):
    hub = regional(acct, "securityhub", caller["region"], None)
    if not hub:
        raise AwsError(401, "InvalidAccessException", "Account %s is not subscribed to AWS Security Hub" % caller["account"])
    return rest_json_response({"StandardsSubscriptions": hub.get("Standards", [])})






# Security Hub's own checks of BatchImportFindings, beyond the request shape:
# the limits the API reference documents for a finding and a request, and
# the rule that the default product imports only the caller's findings
# (a request carrying another account's finding is refused whole).
SH_TEXT_LIMITS = (("Title", 256), ("Description", 1024), ("Id", 512), ("GeneratorId", 512))
SH_IMPORTED = {}  # (account, region) -> {finding id: finding}, for /__securityhub
SH_MODEL = []


def sh_input_shape():
    if not SH_MODEL:
        import botocore.session
        model = botocore.session.get_session().get_service_model("securityhub")
        SH_MODEL.append(model.operation_model("BatchImportFindings").input_shape)
    return SH_MODEL[0]


def sh_finding_error(f):
    """What Security Hub says of one finding it cannot take, or None."""
    for key, limit in SH_TEXT_LIMITS:
        if len(f.get(key, "")) > limit:
            return "data.%s should NOT be longer than %d characters" % (key, limit)
    if not 1 <= len(f["Resources"]) <= 32:
        return "data.Resources should NOT have more than 32 items"
    if len(f.get("Types", [])) > 50:
        return "data.Types should NOT have more than 50 items"
    pf = f.get("ProductFields", {})
    if len(pf) > 50 or any(len(k) > 128 or len(v) > 2048 for k, v in pf.items()):
        return "data.ProductFields should NOT have more than 50 properties of 128/2048 characters"
    if len(f.get("Remediation", {}).get("Recommendation", {}).get("Text", "")) > 512:
        return "data.Remediation.Recommendation.Text should NOT be longer than 512 characters"
    if len(f.get("Compliance", {}).get("RelatedRequirements", [])) > 32:
        return "data.Compliance.RelatedRequirements should NOT have more than 32 items"
    if len(json.dumps(f)) > 240 * 1000:
        return "the finding is larger than 240 KB"
    return None


def sh_import(srv, acct, p, caller):
    from botocore.validate import ParamValidator
    hub = regional(acct, "securityhub", caller["region"], None)
    if not hub:
        raise AwsError(401, "InvalidAccessException",
                       "Account %s is not subscribed to AWS Security Hub" % caller["account"])
    report = ParamValidator().validate(p, sh_input_shape())
    if report.has_errors():
        raise AwsError(400, "InvalidInputException", report.generate_report())
    findings = p["Findings"]
    if not 1 <= len(findings) <= 100:
        raise AwsError(400, "InvalidInputException", "Findings must hold 1 to 100 findings")
    product = "arn:aws:securityhub:%s:%s:product/%s/default" % (
        caller["region"], caller["account"], caller["account"])
    for f in findings:
        if f["ProductArn"] != product or f["AwsAccountId"] != caller["account"]:
            raise AwsError(403, "AccessDeniedException",
                           "User: %s is not authorized to perform: securityhub:BatchImportFindings "
                           "on resource: %s" % (caller["arn"], f["ProductArn"]))
    reject = srv.faults.get("securityhub_reject", [])
    failed, store = [], SH_IMPORTED.setdefault((caller["account"], caller["region"]), {})
    for f in findings:
        err = sh_finding_error(f)
        if err is None and any(r["Id"] in reject for r in f["Resources"]):
            err = "data.Resources[0].Id was refused by a test fault"
        if err:
            failed.append({"Id": f["Id"], "ErrorCode": "InvalidInput",
                           "ErrorMessage": "Finding does not adhere to Amazon Finding Format. " + err})
        else:
            store[f["Id"]] = f
    with srv.lock:
        srv.calls["securityhub:batches"] = srv.calls.get("securityhub:batches", 0) + 1
        srv.calls["securityhub:largest_batch"] = max(srv.calls.get("securityhub:largest_batch", 0),
                                                      len(findings))
    return rest_json_response({"FailedCount": len(failed), "SuccessCount": len(findings) - len(failed),
                               "FailedFindings": failed})


def sh_imported(srv):
    """/__securityhub: what was imported, for the tests."""
    with srv.lock:
        return {"imported": {"%s/%s" % k: list(v.values()) for k, v in SH_IMPORTED.items()},
                "batches": srv.calls.get("securityhub:batches", 0),
                "largest_batch": srv.calls.get("securityhub:largest_batch", 0)}


HANDLERS = {
    ("sts", "GetCallerIdentity"): sts_caller,
    ("sts", "AssumeRole"): sts_assume,
    ("iam", "GetAccountAuthorizationDetails"): iam_auth_details,
    ("iam", "ListAccessKeys"): iam_access_keys,
    ("iam", "GetAccessKeyLastUsed"): iam_key_last_used,
    ("iam", "ListMFADevices"): iam_mfa,
    ("iam", "ListVirtualMFADevices"): iam_virtual_mfa,
    ("iam", "ListServerCertificates"): iam_server_certificates,
    ("iam", "GetAccountPasswordPolicy"): iam_password_policy,
    ("iam", "GetAccountSummary"): iam_summary,
    ("iam", "GenerateCredentialReport"): iam_generate_report,
    ("iam", "GetCredentialReport"): iam_get_report,
    ("s3", "ListBuckets"): s3_list_buckets,
    ("s3", "GetPublicAccessBlockAccount"): s3_account_pab,
    ("s3", "ListObjectsV2"): s3_list_objects,
    ("s3", "GetObject"): s3_get_object,
    ("ec2", "DescribeRegions"): ec2_regions,
    ("ec2", "DescribeSecurityGroups"): ec2_list("securityGroupInfo", "DescribeSecurityGroups"),
    ("ec2", "DescribeNetworkAcls"): ec2_list("networkAclSet", "DescribeNetworkAcls"),
    ("ec2", "DescribeVpcs"): ec2_list("vpcSet", "DescribeVpcs"),
    ("ec2", "DescribeFlowLogs"): ec2_list("flowLogSet", "DescribeFlowLogs"),
    ("ec2", "DescribeInstances"): ec2_list("reservationSet", "DescribeInstances"),
    ("ec2", "GetEbsEncryptionByDefault"): ec2_ebs_default,
    ("ec2", "GetEbsDefaultKmsKeyId"): ec2_ebs_key,
    ("cloudtrail", "DescribeTrails"): ct_describe,
    ("cloudtrail", "GetTrailStatus"): ct_status,
    ("cloudtrail", "GetEventSelectors"): ct_selectors,
    ("config", "DescribeConfigurationRecorders"): cfg_recorders,
    ("config", "DescribeConfigurationRecorderStatus"): cfg_status,
    ("kms", "ListKeys"): kms_keys,
    ("kms", "DescribeKey"): kms_describe,
    ("kms", "GetKeyRotationStatus"): kms_rotation,
    ("rds", "DescribeDBInstances"): rds_instances,
    ("monitoring", "DescribeAlarms"): query_list("monitoring", "DescribeAlarms", ("monitoring", "alarms"), "MetricAlarms"),
    ("logs", "DescribeMetricFilters"): paged_list("logs", "metricFilters", "nextToken", "nextToken"),
    ("sns", "ListTopics"): query_list("sns", "ListTopics", ("sns", "topics"), "Topics"),
    ("sns", "ListSubscriptions"): query_list("sns", "ListSubscriptions", ("sns", "subscriptions"), "Subscriptions"),
    ("organizations", "DescribeOrganization"): org_describe,
    ("organizations", "ListAccounts"): org_accounts,
    ("guardduty", "ListDetectors"): gd_list,
    ("guardduty", "GetDetector"): gd_get,
    ("securityhub", "DescribeHub"): sh_hub,
    ("securityhub", "GetEnabledStandards"): sh_standards,
    ("securityhub", "BatchImportFindings"): sh_import,
    ("elasticfilesystem", "DescribeFileSystems"): paged_list("efs", "FileSystems", "Marker", "NextMarker", rest=True),
    ("access-analyzer", "ListAnalyzers"): paged_list("accessanalyzer", "analyzers", "nextToken", "nextToken", rest=True),
}
for _sub in S3_SUBRESOURCES:
    HANDLERS[("s3", "GetBucket:" + _sub)] = (lambda sub: lambda srv, acct, p, caller: s3_bucket(srv, acct, p, caller, sub))(_sub)
