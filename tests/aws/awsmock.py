#!/usr/bin/env python3
"""awsmock.py — a local AWS for mamori's tests and benchmark.

Speaks each service's real wire protocol (query, EC2, JSON 1.1, REST-XML,
REST-JSON) with answers shaped after the AWS API reference, over the data of
a "world" file (accounts, their keys, resources and injected faults).  Every
request's SigV4 signature is checked independently with botocore's own
signer (botocore.auth.SigV4Auth / S3SigV4Auth): the canonical request is
rebuilt from what arrived, restricted to the headers the client says it
signed, and a wrong signature gets AWS's real SignatureDoesNotMatch answer
in the protocol's error format — and is counted, so a test can fail on it.

All services answer on one port (like LocalStack); the service is the one
named in the request's credential scope.

  awsmock.py --world world.json [--port 0] [--port-file F] [--workers N]
             [--stats-file F]

Faults (world["faults"]): "throttle": {"service:Operation": N} answers the
first N calls with the protocol's throttling error; "deny": [{"account",
"service"}] answers AccessDenied; "unreachable_regions": [...] drops the
connection; "garbage": [{"service", "region"}] answers 200 with a broken
body; "expire_first_session": [role arns] makes the first credentials
issued for the role expire at once (ExpiredToken); "securityhub_reject":
[resource ids] makes BatchImportFindings refuse the findings about them
(FailedFindings, InvalidInput).  S3 buckets may hold objects: the files
under "ObjectsDir" (ListObjectsV2 paged by max-keys and page_size,
GetObject; "DenyKeys" are AccessDenied, "CutKeys" break off halfway), answered only in the bucket's
region (elsewhere: 301 with x-amz-bucket-region, as S3 does).  Security Hub's BatchImportFindings keeps
what it imported in memory (one worker): GET /__securityhub shows it.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import signal
import socket
import sys
import threading
import urllib.parse
import uuid
from xml.sax.saxutils import escape

from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

MASTER = b"awsmock-master-key"
STATS = {"requests": 0, "signature_failures": 0, "unsigned": 0, "by_op": {}}
STATS_LOCK = threading.Lock()


def now_iso(delta=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=delta)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def rid():
    return str(uuid.uuid4())


class AwsError(Exception):
    def __init__(self, status, code, message, sender=True):
        super().__init__(message)
        self.status, self.code, self.message, self.sender = status, code, message, sender


class Drop(Exception):
    """Close the connection without an answer (an unreachable region)."""


# ---------------------------------------------------------------- credentials

class Keys:
    """Static keys from the world; session keys are derived, so that every
    worker process can check them without shared state."""

    def __init__(self, world):
        self.static = {}
        for acct, a in world["accounts"].items():
            for ak, spec in a.get("keys", {}).items():
                if isinstance(spec, str):
                    spec = {"secret": spec}
                self.static[ak] = dict(spec, account=acct)
        self.expired = set(world.get("faults", {}).get("expired_keys", []))
        self.issued = {}
        self.lock = threading.Lock()

    @staticmethod
    def session_secret(ak):
        return base64.b64encode(hmac.new(MASTER, ak.encode(), hashlib.sha256).digest()).decode()[:40]

    def issue(self, account, principal_arn, gen):
        ak = "ASIA" + account + os.urandom(2).hex().upper()
        token = "FwoG" + base64.b64encode(json.dumps(
            {"ak": ak, "account": account, "arn": principal_arn, "gen": gen}).encode()).decode()
        return ak, self.session_secret(ak), token

    def lookup(self, ak, token):
        """(secret, account, principal arn, session info) or raises."""
        if ak in self.static:
            s = self.static[ak]
            return s["secret"], s["account"], s.get("arn", "arn:aws:iam::%s:user/mamori" % s["account"]), None
        if ak.startswith("ASIA") and token:
            try:
                info = json.loads(base64.b64decode(token[4:]))
            except Exception:
                raise AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
            if info.get("ak") != ak:
                raise AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
            return self.session_secret(ak), info["account"], info["arn"], info
        raise AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.")


def verify_signature(handler, body, keys):
    """Check the SigV4 signature with botocore's signer.  Returns the
    caller: (access key, account, principal arn, region, service, session)."""
    auth = handler.headers.get("Authorization")
    if not auth:
        return None
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        raise AwsError(400, "IncompleteSignature", "Unsupported signature algorithm")
    fields = {}
    for part in auth[len("AWS4-HMAC-SHA256 "):].split(","):
        k, _, v = part.strip().partition("=")
        fields[k] = v
    try:
        ak, date, region, service, term = fields["Credential"].split("/")
        signed = fields["SignedHeaders"].split(";")
        signature = fields["Signature"]
    except (KeyError, ValueError):
        raise AwsError(400, "IncompleteSignature", "Authorization header requires Credential, SignedHeaders and Signature")
    if term != "aws4_request" or "host" not in signed or "x-amz-date" not in signed:
        raise AwsError(400, "IncompleteSignature", "host and x-amz-date must be signed")
    amz_date = handler.headers.get("X-Amz-Date", "")
    if not amz_date.startswith(date):
        raise AwsError(403, "SignatureDoesNotMatch", "Credential date does not match X-Amz-Date")
    try:
        when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise AwsError(403, "IncompleteSignature", "X-Amz-Date is not a date")
    if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 900:
        raise AwsError(403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
    token = handler.headers.get("X-Amz-Security-Token")
    if token and "x-amz-security-token" not in signed:
        raise AwsError(403, "SignatureDoesNotMatch", "x-amz-security-token must be signed")
    if ak in keys.expired:
        raise AwsError(403, "ExpiredToken", "The security token included in the request is expired")
    secret, account, arn, session = keys.lookup(ak, token)

    url = "http://%s%s" % (handler.headers.get("Host"), handler.path)
    hdrs = {}
    for name in signed:
        values = handler.headers.get_all(name)
        if values is None:
            raise AwsError(403, "SignatureDoesNotMatch", "signed header %s is missing" % name)
        hdrs[name] = ",".join(values)
    req = AWSRequest(method=handler.command, url=url, data=body, headers=hdrs)
    req.context["timestamp"] = amz_date
    signer_cls = S3SigV4Auth if service == "s3" else SigV4Auth
    signer = signer_cls(Credentials(ak, secret, token), service, region)

    def only_signed(request):
        h = HTTPHeaders()
        for name in signed:
            h[name] = hdrs[name]
        return h

    signer.headers_to_sign = only_signed
    canonical = signer.canonical_request(req)
    expected = signer.signature(signer.string_to_sign(req, canonical), req)
    if not hmac.compare_digest(expected, signature):
        with STATS_LOCK:
            STATS["signature_failures"] += 1
        sys.stderr.write("awsmock: signature mismatch for %s %s\ncanonical request was:\n%s\n"
                         % (handler.command, handler.path, canonical))
        raise AwsError(403, "SignatureDoesNotMatch",
                       "The request signature we calculated does not match the signature you provided. "
                       "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
    return {"ak": ak, "account": account, "arn": arn, "region": region, "service": service,
            "session": session}


# ---------------------------------------------------------------- encoders

NS = {
    "iam": "https://iam.amazonaws.com/doc/2010-05-08/",
    "sts": "https://sts.amazonaws.com/doc/2011-06-15/",
    "rds": "http://rds.amazonaws.com/doc/2014-10-31/",
    "sns": "http://sns.amazonaws.com/doc/2010-03-31/",
    "monitoring": "http://monitoring.amazonaws.com/doc/2010-08-01/",
    "ec2": "http://ec2.amazonaws.com/doc/2016-11-15/",
    "s3": "http://s3.amazonaws.com/doc/2006-03-01/",
}


def x(value, tag=None, item="member"):
    """Serialise a Python value as AWS XML.  dict -> elements, list -> <item>s
    named by `item` (query: member, EC2: item; a list of tuples keeps custom
    element names), bool -> true/false."""
    if isinstance(value, dict):
        inner = "".join(x(v, k, item) for k, v in value.items() if v is not None)
    elif isinstance(value, list):
        inner = "".join(x(v, item, item) for v in value)
    elif isinstance(value, bool):
        inner = "true" if value else "false"
    else:
        inner = escape(str(value))
    return inner if tag is None else "<%s>%s</%s>" % (tag, inner, tag)


def query_response(service, op, result):
    body = '<%sResponse xmlns="%s">' % (op, NS[service])
    if result is not None:
        body += "<%sResult>%s</%sResult>" % (op, x(result), op)
    body += "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>" % (rid(), op)
    return 200, {"Content-Type": "text/xml"}, body


def ec2_response(op, result):
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<%sResponse xmlns="%s"><requestId>%s</requestId>%s</%sResponse>' % (
        op, NS["ec2"], rid(), x(result, item="item"), op)
    return 200, {"Content-Type": "text/xml;charset=UTF-8"}, body


def json_response(result):
    return 200, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(result)


def rest_json_response(result, status=200):
    return status, {"Content-Type": "application/json"}, json.dumps(result)


def s3_response(root, inner_xml):
    body = '<?xml version="1.0" encoding="UTF-8"?>\n<%s xmlns="%s">%s</%s>' % (root, NS["s3"], inner_xml, root)
    return 200, {"Content-Type": "application/xml"}, body


def error_response(protocol, service, err):
    if protocol == "query":
        body = ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>'
                "<RequestId>%s</RequestId></ErrorResponse>") % (
            NS.get(service, NS["iam"]), "Sender" if err.sender else "Receiver", err.code, escape(err.message), rid())
        return err.status, {"Content-Type": "text/xml"}, body
    if protocol == "ec2":
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message>'
                "</Error></Errors><RequestID>%s</RequestID></Response>") % (err.code, escape(err.message), rid())
        return err.status, {"Content-Type": "text/xml;charset=UTF-8"}, body
    if protocol == "rest-xml":
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
                "<RequestId>%s</RequestId><HostId>%s</HostId></Error>") % (
            err.code, escape(err.message), rid()[:16].upper(), base64.b64encode(os.urandom(24)).decode())
        return err.status, {"Content-Type": "application/xml"}, body
    if protocol == "json":
        return err.status, {"Content-Type": "application/x-amz-json-1.1"}, json.dumps(
            {"__type": err.code, "message": err.message})
    return err.status, {"Content-Type": "application/json", "x-amzn-ErrorType": err.code + ":http://internal.amazon.com/coral/"}, json.dumps(
        {"message": err.message})


PROTOCOL = {
    "sts": "query", "iam": "query", "rds": "query", "sns": "query", "monitoring": "query",
    "ec2": "ec2", "s3": "rest-xml", "kms": "json", "cloudtrail": "json", "config": "json",
    "logs": "json", "organizations": "json", "guardduty": "rest-json", "securityhub": "rest-json",
    "elasticfilesystem": "rest-json", "access-analyzer": "rest-json",
}

THROTTLE = {
    "query": (400, "Throttling", "Rate exceeded"),
    "ec2": (503, "RequestLimitExceeded", "Request limit exceeded."),
    "rest-xml": (503, "SlowDown", "Please reduce your request rate."),
    "json": (400, "ThrottlingException", "Rate exceeded"),
    "rest-json": (429, "TooManyRequestsException", "Rate exceeded"),
}

DENIED_CODE = {"query": "AccessDenied", "ec2": "UnauthorizedOperation", "rest-xml": "AccessDenied",
               "json": "AccessDeniedException", "rest-json": "AccessDeniedException"}


def paginate(items, token, size):
    start = int(token) if token else 0
    page = items[start:start + size]
    nxt = start + size if start + size < len(items) else None
    return page, (str(nxt) if nxt is not None else None)


# ---------------------------------------------------------------- services

class Services:
    def __init__(self, world):
        self.world = world
        self.keys = Keys(world)
        self.faults = world.get("faults", {})
        self.page = world.get("page_size", 1000)
        self.calls = {}
        self.assumed = {}
        self.lock = threading.Lock()
        import awsmock_services
        self.impl = awsmock_services

    def count(self, key):
        with self.lock:
            self.calls[key] = self.calls.get(key, 0) + 1
            return self.calls[key]

    def account(self, acct):
        return self.world["accounts"][acct]

    def handle(self, h, body):
        caller = verify_signature(h, body, self.keys)
        form = {}
        ctype = h.headers.get("Content-Type", "")
        if ctype.startswith("application/x-www-form-urlencoded"):
            form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        if caller is None:
            # only STS's web identity call is unsigned
            if form.get("Action") != "AssumeRoleWithWebIdentity":
                raise AwsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
            with STATS_LOCK:
                STATS["unsigned"] += 1
            return "query", self.impl.sts_web_identity(self, form)
        service, region = caller["service"], caller["region"]
        if caller["session"] and caller["session"].get("gen") == "expired":
            raise AwsError(403, "ExpiredToken", "The security token included in the request is expired")
        protocol = PROTOCOL.get(service)
        if protocol is None:
            raise AwsError(400, "UnknownService", "awsmock does not speak %s" % service)
        try:
            if region in self.faults.get("unreachable_regions", []) and service not in ("iam", "sts", "organizations"):
                raise Drop()
            op, params = self.impl.operation(protocol, service, h, body, form)
            key = "%s:%s" % (service, op)
            with STATS_LOCK:
                STATS["by_op"][key] = STATS["by_op"].get(key, 0) + 1
            limit = self.faults.get("throttle", {}).get(key, 0)
            if limit and self.count("throttle:" + key) <= limit:
                st, code, msg = THROTTLE[protocol]
                raise AwsError(st, code, msg)
            for d in self.faults.get("deny", []):
                if d.get("account") == caller["account"] and d.get("service") == service and \
                        d.get("operation", op) == op:
                    raise AwsError(403 if protocol != "json" else 400, DENIED_CODE[protocol],
                                   "User: %s is not authorized to perform: %s:%s" % (caller["arn"], service, op))
            for g in self.faults.get("garbage", []):
                if g.get("service") == service and g.get("region", region) == region:
                    return protocol, (200, {"Content-Type": "text/xml" if protocol in ("query", "ec2", "rest-xml") else "application/x-amz-json-1.1"},
                                      "<html><body>502 Bad Gateway</body" if protocol in ("query", "ec2", "rest-xml") else '{"oops": [1, 2,')
            if caller["account"] not in self.world["accounts"]:
                raise AwsError(403, DENIED_CODE[protocol], "unknown account")
            return protocol, self.impl.dispatch(self, protocol, service, op, params, caller, h)
        except AwsError as e:
            return protocol, error_response(protocol, service, e)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body leave in two writes: without this, Nagle's algorithm
    # and the client's delayed ACK add 40 ms to every answer
    disable_nagle_algorithm = True
    services = None

    def log_message(self, fmt, *args):
        pass

    def _plain(self, status, text, ctype="application/json"):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _local(self):
        """The unsigned endpoints: test statistics, EC2 instance metadata
        (IMDSv2) and container credentials, all on this port."""
        srv = self.services
        ident = srv.world.get("instance_identity")
        if self.path == "/__stats":
            with STATS_LOCK:
                return self._plain(200, json.dumps(STATS))
        if self.path == "/__securityhub":
            return self._plain(200, json.dumps(srv.impl.sh_imported(srv)))
        if self.path == "/latest/api/token" and self.command == "PUT":
            if not self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                return self._plain(400, "missing ttl", "text/plain")
            return self._plain(200, "imds-session-token", "text/plain")
        if self.path.startswith("/latest/"):
            if self.headers.get("X-aws-ec2-metadata-token") != "imds-session-token":
                return self._plain(401, "", "text/plain")
            if not ident:
                return self._plain(404, "", "text/plain")
            base = "/latest/meta-data/iam/security-credentials/"
            if self.path == base:
                return self._plain(200, ident["role"], "text/plain")
            if self.path == base + ident["role"]:
                role_arn = "arn:aws:iam::%s:role/%s" % (ident["account"], ident["role"])
                creds = self.services.impl.issue(srv, role_arn, "i-0instance")["Credentials"]
                return self._plain(200, json.dumps({"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": creds["AccessKeyId"],
                                                    "SecretAccessKey": creds["SecretAccessKey"], "Token": creds["SessionToken"],
                                                    "Expiration": creds["Expiration"], "LastUpdated": now_iso()}))
            if self.path == "/latest/meta-data/placement/region":
                return self._plain(200, ident.get("region", "us-east-1"), "text/plain")
            return self._plain(404, "", "text/plain")
        if self.path.startswith("/__container/"):
            spec = srv.world.get("container")
            if not spec or self.headers.get("Authorization") != spec["authorization"]:
                return self._plain(403, json.dumps({"message": "denied"}))
            role_arn = "arn:aws:iam::%s:role/%s" % (spec["account"], spec["role"])
            creds = self.services.impl.issue(srv, role_arn, "task")["Credentials"]
            return self._plain(200, json.dumps({"AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
                                                "Token": creds["SessionToken"], "Expiration": creds["Expiration"],
                                                "RoleArn": role_arn}))
        return None

    def _any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with STATS_LOCK:
            STATS["requests"] += 1
            ua = self.headers.get("User-Agent", "")
            STATS.setdefault("user_agents", {})
            STATS["user_agents"][ua] = STATS["user_agents"].get(ua, 0) + 1
        signed = self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256")
        if not signed and (self.path.startswith("/latest/") or self.path.startswith("/__")):
            self._local()
            return
        try:
            protocol, (status, headers, text) = self.services.handle(self, body)
        except Drop:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        except AwsError as e:
            # signature and credential errors, in the service's own format
            svc = "sts"
            auth = self.headers.get("Authorization", "")
            if "Credential=" in auth:
                try:
                    svc = auth.split("Credential=")[1].split(",")[0].split("/")[3]
                except IndexError:
                    pass
            status, headers, text = error_response(PROTOCOL.get(svc, "query"), svc, e)
        data = text.encode() if isinstance(text, str) else text
        cut = headers.pop("X-Awsmock-Cut", None)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("x-amzn-RequestId", rid())
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if cut is not None:
            # a transfer that breaks: part of the announced body, then the end
            self.wfile.write(data[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--stats-file")
    args = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    with open(args.world) as f:
        world = json.load(f)
    world["_dir"] = os.path.dirname(os.path.abspath(args.world))
    Handler.services = Services(world)
    srv = Server(("127.0.0.1", args.port), Handler)
    port = srv.server_address[1]
    children = []
    for _ in range(args.workers - 1):
        pid = os.fork()
        if pid == 0:
            children = None
            break
        children.append(pid)

    def stop(signum, frame):
        if args.stats_file and children is not None:
            with open(args.stats_file, "w") as f:
                json.dump(STATS, f)
        for c in children or []:
            try:
                os.kill(c, signal.SIGTERM)
            except OSError:
                pass
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.port_file and children is not None:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(str(port))
        os.rename(tmp, args.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    # the service module imports "awsmock": let it find this very module
    sys.modules.setdefault("awsmock", sys.modules[__name__])
    main()
