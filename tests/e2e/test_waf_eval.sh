#!/usr/bin/env bash
# mamori waf eval: replay of every input format (the demo's ALB, CloudFront
# and AWS WAF logs, JSON Lines, HAR), records in input order with the
# input's id/label/class, the summary, the false-positive report, WebACL
# errors with their JSON path, and (when the corpus is present) a replay of
# its gotestwaf part with the default WebACL.
set -euo pipefail
mamori=$1
src=${MAMORI_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
demo=$src/examples/demo/waf
fail() { echo "FAIL: $*" >&2; exit 1; }

# the demo WebACL over its three logs
"$mamori" waf eval -w "$demo/webacl.json" --summary "$tmp/summary.txt" --fp-report "$tmp/fp.json" \
  "$demo/logs/alb-acme-shop.log" "$demo/logs/cloudfront-static.log" "$demo/logs/aws-waf-logs.jsonl" > "$tmp/out.jsonl"
n=$(wc -l < "$tmp/out.jsonl")
[ "$n" -eq $((18 + 6 + 5)) ] || fail "expected 29 records, got $n"
python3 - "$tmp/out.jsonl" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
# input order and ids
ids = [r["id"] for r in recs]
assert ids[:3] == ["line-1", "line-2", "line-3"], ids[:3]
assert ids[-5:] == ["req-0001", "req-0002", "req-0003", "req-0004", "req-0005"], ids[-5:]
by = {r["id"]: r for r in recs}
# AWS WAF log format fields
for k in ("timestamp", "formatVersion", "webaclId", "terminatingRuleId", "action", "httpRequest", "ruleGroupList"):
    assert k in recs[0], k
assert by["line-4"]["action"] == "BLOCK" and by["line-4"]["terminatingRuleId"] == "block-bad-ips"
assert by["line-6"]["action"] == "BLOCK"               # XSS in the query
assert by["line-5"]["action"] == "ALLOW"               # SQLi: the SQLi group only counts
assert any(g["ruleGroupId"].endswith("AWSManagedRulesSQLiRuleSet") for g in by["line-5"]["ruleGroupList"])
assert by["line-8"]["action"] == "ALLOW"               # Log4Shell: no rule for it in this WebACL
assert by["line-13"]["action"] == "ALLOW"              # /admin from the office
assert by["line-12"]["terminatingRuleId"] in ("block-bad-ips", "block-admin-from-outside")
assert by["req-0001"]["httpRequest"]["country"] == "US"
PY
grep -q "29 requests" "$tmp/summary.txt" || fail "summary: $(head -3 "$tmp/summary.txt")"
grep -q "by terminating rule" "$tmp/summary.txt" || fail "summary has no per-rule lines"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert any(x['rule']=='SQLi_QUERYARGUMENTS' and x['location']=='QUERY_STRING' for x in r), r" "$tmp/fp.json" \
  || fail "fp report lacks the counted SQLi rule"

# JSON Lines with labels, and HAR
cat > "$tmp/in.jsonl" <<'J'
{"id":"a1","label":"attack","class":"sqli","method":"GET","uri":"/p?id=1%27%20or%20%271%27=%271","headers":[["Host","h"],["User-Agent","t"]]}
{"id":"b1","label":"benign","class":"benign","method":"POST","uri":"/c","headers":[["Host","h"],["User-Agent","t"],["Content-Type","application/json"]],"body":"{\"text\":\"Tea for two, and two for tea.\"}"}
J
"$mamori" waf eval --summary-json "$tmp/s.json" "$tmp/in.jsonl" > "$tmp/o.jsonl" 2>/dev/null
python3 - "$tmp/o.jsonl" "$tmp/s.json" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["id"] for x in r] == ["a1", "b1"]
assert r[0]["label"] == "attack" and r[0]["class"] == "sqli" and r[0]["action"] == "BLOCK"
assert r[1]["action"] == "ALLOW"
s = json.load(open(sys.argv[2]))
assert s["requests"] == 2 and s["tpr"] == 100.0 and s["fpr"] == 0.0, s
PY
cat > "$tmp/t.har" <<'J'
{"log":{"version":"1.2","entries":[{"startedDateTime":"2026-11-20T10:00:00.000Z","request":{"method":"GET",
"url":"https://shop.example/search?q=%3Cscript%3Ealert(1)%3C/script%3E","httpVersion":"HTTP/1.1",
"headers":[{"name":"User-Agent","value":"Mozilla/5.0"}],"queryString":[]}}]}}
J
"$mamori" waf eval --summary none "$tmp/t.har" | grep -q '"action":"BLOCK"' || fail "HAR entry not blocked"

# a broken WebACL is refused with the JSON path of the problem
cat > "$tmp/bad.json" <<'J'
{"Name":"x","DefaultAction":{"Allow":{}},"Rules":[{"Name":"r","Priority":1,"Action":{"Block":{}},
 "Statement":{"ByteMatchStatement":{"SearchString":"a","FieldToMatch":{"UriPath":{}},
 "TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"NEAR"}}}]}
J
set +e
err=$("$mamori" waf eval -w "$tmp/bad.json" "$tmp/in.jsonl" 2>&1 >/dev/null); rc=$?
set -e
[ $rc -eq 2 ] || fail "bad WebACL: exit $rc"
echo "$err" | grep -q 'Rules\[0\].Statement.ByteMatchStatement.PositionalConstraint' || fail "no JSON path in: $err"

# a bad record is reported with its line and the others are evaluated
printf '%s\n' '{"id":"ok","uri":"/"}' '{"id": broken' '{"id":"ok2","uri":"/x"}' > "$tmp/mixed.jsonl"
set +e
"$mamori" waf eval --summary none "$tmp/mixed.jsonl" > "$tmp/m.jsonl" 2> "$tmp/m.err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "a bad record should exit 2, got $rc"
[ "$(wc -l < "$tmp/m.jsonl")" -eq 2 ] || fail "the good records were not all evaluated"
grep -q "mixed.jsonl:2:" "$tmp/m.err" || fail "no line number: $(cat "$tmp/m.err")"

# mamori scan: the waf module replays the demo's logs through its WebACL
"$mamori" scan --no-store -m waf -f json "$src/examples/demo" > "$tmp/scan.json"
python3 - "$tmp/scan.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
fs = doc["findings"]
rules = {f["GeneratorId"] for f in fs}
assert {"mamori.waf.attack-allowed", "mamori.waf.attack-counted-only", "mamori.waf.rule-blocks"} <= rules, rules
titles = " | ".join(f["Title"] for f in fs)
assert "log4shell" in titles and "sqli" in titles, titles
allowed = [f for f in fs if f["GeneratorId"] == "mamori.waf.attack-allowed"]
assert all(f["Severity"]["Label"] == "HIGH" for f in allowed)
assert all(f["Resources"][0]["Type"] == "AwsWafv2WebAcl" for f in fs)
PY

# the corpus, when present: the gotestwaf part through the default WebACL
corpus=${MAMORI_CORPORA:-}/waf/gotestwaf.jsonl
if [ -f "$corpus" ]; then
  "$mamori" waf eval --no-records --summary none --summary-json "$tmp/g.json" "$corpus"
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); assert s['requests']==168 and s['tpr']>90, s" "$tmp/g.json" \
    || fail "gotestwaf replay: $(cat "$tmp/g.json" | head -c 300)"
else
  echo "SKIP: corpus replay (MAMORI_CORPORA/waf not found)"
fi
echo "waf eval: ok"
