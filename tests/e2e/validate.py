#!/usr/bin/env python3
"""validate.py KIND FILE [ARGS] - independent checks of mamori's output formats.

asff   a BatchImportFindings request body (asff-lines: one body a line), validated with botocore's own
       Security Hub service model (ParamValidator: required members, types,
       enums) plus the ASFF rules the model does not encode (RFC 3339 times,
       the Types taxonomy, ProductArn shape, field lengths).
sarif  SARIF 2.1.0 structure: runs, driver rules, results pointing at rules.
csv    RFC 4180 with the expected header and N data rows.
html   one self-contained page: no script, no external asset.
json   mamori's json format: a summary and findings.
Exits 1 with a message on the first violation.
"""
import csv
import json
import re
import sys

kind, path = sys.argv[1], sys.argv[2]
data = open(path, encoding="utf-8").read()


def fail(msg):
    print(f"validate {kind}: {path}: {msg}", file=sys.stderr)
    sys.exit(1)


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
NAMESPACES = {"Software and Configuration Checks", "TTPs", "Effects", "Unusual Behaviors",
              "Sensitive Data Identifications"}

_shape = []


def asff_shape():
    """botocore's BatchImportFindings input shape, loaded once (slow)."""
    if not _shape:
        import botocore.session
        model = botocore.session.get_session().get_service_model("securityhub")
        _shape.append(model.operation_model("BatchImportFindings").input_shape)
    return _shape[0]


def check_asff(body, want=None):
    from botocore.validate import ParamValidator
    report = ParamValidator().validate(body, asff_shape())
    if report.has_errors():
        fail("botocore: " + report.generate_report())
    findings = body["Findings"]
    if want is not None and len(findings) != want:
        fail(f"{len(findings)} findings, expected {want}")
    for f in findings:
        if f["SchemaVersion"] != "2018-10-08":
            fail("SchemaVersion")
        for k in ("CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"):
            if k in f and not RFC3339.match(f[k]):
                fail(f"{k} {f[k]!r} is not RFC 3339")
        if not re.match(r"^\d{12}$", f["AwsAccountId"]):
            fail("AwsAccountId")
        m = re.match(r"^arn:(aws|aws-cn|aws-us-gov):securityhub:[a-z0-9-]+:(\d{12}):product/(\d{12})/default$",
                     f["ProductArn"])
        if not m or m.group(2) != f["AwsAccountId"] or m.group(3) != f["AwsAccountId"]:
            fail(f"ProductArn {f['ProductArn']}")
        if not f["Types"]:
            fail("no Types")
        for t in f["Types"]:
            parts = t.split("/")
            if not (2 <= len(parts) <= 3) or parts[0] not in NAMESPACES:
                fail(f"Type {t!r} is not namespace/category/classifier")
        if len(f["Title"]) > 256 or len(f["Description"]) > 1024 or len(f["Id"]) > 512:
            fail("a text is over its ASFF length")
        if len(f["GeneratorId"]) > 512:
            fail("GeneratorId too long")
        if not 1 <= len(f["Resources"]) <= 32:
            fail("Resources count")
        for r in f["Resources"]:
            if r.get("Partition") not in ("aws", "aws-cn", "aws-us-gov"):
                fail("Resources[].Partition")
        sev = f["Severity"]
        if sev["Label"] not in ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"):
            fail("Severity.Label")
        if not 0 <= sev["Normalized"] <= 100:
            fail("Severity.Normalized")
        pf = f.get("ProductFields", {})
        if len(pf) > 50 or any(len(k) > 128 or len(v) > 2048 for k, v in pf.items()):
            fail("ProductFields over ASFF limits")
        rec = f.get("Remediation", {}).get("Recommendation", {})
        if len(rec.get("Text", "")) > 512:
            fail("Remediation text over 512")
        comp = f.get("Compliance")
        if comp and len(comp.get("RelatedRequirements", [])) > 32:
            fail("RelatedRequirements over 32")
    return len(findings)


if kind == "asff":
    n = check_asff(json.loads(data), int(sys.argv[3]) if len(sys.argv) > 3 else None)
    print(f"asff ok: {n} findings valid for BatchImportFindings")

elif kind == "asff-lines":
    # one BatchImportFindings body a line (push --dry-run -o FILE)
    total = bodies = 0
    for line in data.splitlines():
        total += check_asff(json.loads(line))
        bodies += 1
    print(f"asff ok: {bodies} bodies, {total} findings valid for BatchImportFindings")

elif kind == "sarif":
    doc = json.loads(data)
    if doc.get("version") != "2.1.0" or "runs" not in doc:
        fail("not SARIF 2.1.0")
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    if len(ids) != len(set(ids)):
        fail("duplicate rules")
    for res in run["results"]:
        if ids[res["ruleIndex"]] != res["ruleId"]:
            fail("ruleIndex does not point at ruleId")
        if res["level"] not in ("none", "note", "warning", "error"):
            fail("level")
        if not res["message"]["text"]:
            fail("empty message")
        locs = res["locations"]
        if not locs or not locs[0].get("logicalLocations"):
            fail("result without a location")
    print(f"sarif ok: {len(rules)} rules, {len(run['results'])} results")

elif kind == "csv":
    rows = list(csv.reader(open(path, newline="", encoding="utf-8")))
    header = rows[0]
    if header[:4] != ["Id", "Severity", "Normalized", "Title"]:
        fail(f"header {header[:4]}")
    want = int(sys.argv[3])
    if len(rows) - 1 != want:
        fail(f"{len(rows) - 1} rows, expected {want}")
    if any(len(r) != len(header) for r in rows):
        fail("ragged rows")
    print(f"csv ok: {want} rows")

elif kind == "html":
    low = data.lower()
    for bad in ("<script", "<link", "@import", "src=\"http", "url(http", "<iframe", "<object"):
        if bad in low:
            fail(f"not self-contained / unsafe: {bad}")
    if not low.startswith("<!doctype html>") or "content-security-policy" not in low:
        fail("missing doctype or CSP")
    print("html ok")

elif kind == "json":
    doc = json.loads(data)
    want = int(sys.argv[3])
    if doc["summary"]["open"] != want:
        fail(f"summary.open {doc['summary']['open']} != {want}")
    print(f"json ok: {len(doc['findings'])} findings, {want} open")
else:
    fail("unknown kind")
