#!/bin/bash
# The CLI end to end on the bundled demo: findings, every output format
# (validated independently), exit codes, stable ids, help.
. "$(dirname "$0")/lib.sh"

# ---- the main job on the demo: every module runs cleanly ----
run "$MAMORI" scan --html "$T/report.html"
expect_rc 0 "scan of the demo"
! grep -v "HTML report written" "$T/err" | grep -q . || fail "problems scanning the demo: $(cat "$T/err")"
python3 "$HERE/validate.py" html "$T/report.html" || fail "html report of the whole demo"
run "$MAMORI" scan --no-store -f asff -o "$T/all.asff"
python3 "$HERE/validate.py" asff "$T/all.asff" || fail "every module's findings are valid ASFF"
python3 - "$T/all.asff" <<'EOF' || fail "detections are observed at their events' times, checks at the scan's"
import json, sys
fs = json.load(open(sys.argv[1]))["Findings"]
det = [f for f in fs if "mamori/detect/first_seen" in f.get("ProductFields", {})]
assert det, "no detection finding in the demo"
for f in det:
    pf = f["ProductFields"]
    assert f["FirstObservedAt"] == pf["mamori/detect/first_seen"], f["Id"]
    assert f["LastObservedAt"] == pf["mamori/detect/last_seen"], f["Id"]
    assert f["FirstObservedAt"] < f["CreatedAt"], f["Id"]
assert all(f["FirstObservedAt"] == f["CreatedAt"] for f in fs if f not in det)
EOF
run "$MAMORI" scan --no-store -f sarif -o "$T/all.sarif"
python3 "$HERE/validate.py" sarif "$T/all.sarif" || fail "every module's findings are valid SARIF"
run "$MAMORI" scan --list-modules
for m in $(awk 'NR>1 {print $1}' "$T/out"); do
  run "$MAMORI" scan --no-store --module "$m" -f json
  expect_rc 0 "module $m on the demo"
  python3 -c "import json,sys; d=json.load(open('$T/out')); assert d['summary']['open'] > 0, 'no findings'; assert not d['problems'], d['problems']" \
    || fail "module $m: no findings or problems on the demo"
done
ok "every module finds something in the demo, without problems"

# the rest of this file checks the CLI on one module's exact findings
S3="--module s3-exposure"
run "$MAMORI" scan $S3 --html "$T/report.html"
expect_rc 0 "s3-exposure on the demo"
for rule in bucket-policy-public bucket-acl-public; do
  expect_out "mamori.s3.$rule"
done
expect_out "4 open findings: 1 critical, 1 high, 2 low; 8 checks passed"
expect_out "acme-upload-inbox"
expect_no_out "acme-partner-share"   # it passes; passed checks are not listed by default
expect_err "HTML report written to $T/report.html"
python3 "$HERE/validate.py" html "$T/report.html" || fail "html report"
grep -q "acme-upload-inbox" "$T/report.html" || fail "report lacks the critical bucket"
ok "demo scan, table and HTML report"

run "$MAMORI" scan $S3 --all
expect_out "PASSED"
expect_out "acme-partner-share"
ok "--all lists passed checks"

# ---- exit codes ----
run "$MAMORI" scan $S3 --fail-on high;        expect_rc 1 "--fail-on high"
run "$MAMORI" scan $S3 --fail-on critical;    expect_rc 1 "--fail-on critical (one critical)"
run "$MAMORI" scan $S3 --fail-on none;        expect_rc 0 "--fail-on none"
run "$MAMORI" scan $S3 --fail-on severe;      expect_rc 2 "bad --fail-on"
expect_err "not a severity"
run "$MAMORI" scan --bogus;               expect_rc 2 "unknown option"
run "$MAMORI" frobnicate;                 expect_rc 2 "unknown command"
run "$MAMORI" scan "$T/does-not-exist";   expect_rc 2 "missing target"
expect_err "does-not-exist: cannot scan"
run "$MAMORI" scan --module nonesuch;     expect_rc 2 "unknown module"
expect_err "unknown module or pillar"
ok "exit codes"

# ---- every format, validated independently ----
run "$MAMORI" scan $S3 -f asff -o "$T/f.asff"
expect_rc 0 "asff"
python3 "$HERE/validate.py" asff "$T/f.asff" 4 || fail "asff"
run "$MAMORI" scan $S3 -f sarif -o "$T/f.sarif";  python3 "$HERE/validate.py" sarif "$T/f.sarif" || fail "sarif"
run "$MAMORI" scan $S3 -f csv -o "$T/f.csv";      python3 "$HERE/validate.py" csv "$T/f.csv" 4 || fail "csv"
run "$MAMORI" scan $S3 -f json -o "$T/f.json";    python3 "$HERE/validate.py" json "$T/f.json" 4 || fail "json"
run "$MAMORI" scan $S3 -f html -o "$T/f.html";    python3 "$HERE/validate.py" html "$T/f.html" || fail "html"
run "$MAMORI" scan $S3 -f jsonl
[ "$(wc -l < "$T/out")" -eq 4 ] || fail "jsonl: 4 lines expected"
python3 -c "import json,sys; [json.loads(l) for l in open('$T/out')]" || fail "jsonl lines are JSON"
ok "asff (botocore-validated), sarif, csv, json, jsonl, html"

# ---- stable ids across runs and processes ----
"$MAMORI" scan $S3 --no-store -f jsonl | python3 -c "import json,sys; print('\n'.join(sorted(json.loads(l)['Id'] for l in sys.stdin)))" > "$T/ids1"
"$MAMORI" scan $S3 --no-store -f jsonl | python3 -c "import json,sys; print('\n'.join(sorted(json.loads(l)['Id'] for l in sys.stdin)))" > "$T/ids2"
cmp -s "$T/ids1" "$T/ids2" || fail "ids differ between runs"
[ "$(wc -l < "$T/ids1")" -eq 4 ] || fail "4 ids expected"
ok "finding ids are stable"

# ---- no colour in pipes or with NO_COLOR; colour when forced ----
run "$MAMORI" scan $S3
! grep -q $'\033' "$T/out" || fail "colour in a pipe"
run "$MAMORI" scan $S3 --color=always
grep -q $'\033' "$T/out" || fail "--color=always gave no colour"
run env NO_COLOR=1 "$MAMORI" scan $S3 --color=auto
! grep -q $'\033' "$T/out" || fail "colour with NO_COLOR"
ok "colour rules"

# ---- help and version ----
run "$MAMORI" --version;          expect_rc 0 "--version"; expect_out "^mamori [0-9]"
run "$MAMORI" help scan;          expect_rc 0 "help scan"; expect_out "--fail-on SEVERITY"
run "$MAMORI" scan $S3 --help;        expect_rc 0 "scan --help"; expect_out "USAGE"
run "$MAMORI" help findings;      expect_rc 0 "help findings"; expect_out "suppress"
run "$MAMORI" --help;             expect_rc 0 "--help"; expect_out "EXIT STATUS"
run "$MAMORI" help nonesuch;      expect_rc 2 "help of an unknown command"
run "$MAMORI" scan --list-modules; expect_rc 0 "list modules"; expect_out "s3-exposure"
ok "help, version, module list"
rm -rf "$T"
