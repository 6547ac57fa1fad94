#!/usr/bin/env bash
# test_guard.sh — `mamori guard validate|test|parse-tree` and the `guard`
# scan module, end to end: output formats, exit codes, bad rules and bad
# data, threads, cfn-guard's own fixtures (when the corpus is there) and the
# recorded cfn-guard verdicts over the Control Tower rules x templates.
. "$(dirname "$0")/lib.sh" "$1"
CORPUS=${MAMORI_CORPORA:-$SRC/../shared/corpora}/guard

mkdir -p "$T/rules" "$T/data"
cat >"$T/rules/s3.guard" <<'EOF'
let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]
rule versioned when %buckets !empty {
    %buckets.Properties.VersioningConfiguration.Status == 'Enabled' << turn versioning on >>
}
rule tagged when %buckets !empty {
    %buckets.Properties.Tags[*].Key exists
}
EOF
cat >"$T/data/good.yaml" <<'EOF'
Resources:
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      VersioningConfiguration: {Status: Enabled}
      Tags: [{Key: team, Value: infra}]
EOF
cat >"$T/data/bad.json" <<'EOF'
{"Resources": {"Web": {"Type": "AWS::S3::Bucket",
  "Properties": {"VersioningConfiguration": {"Status": "Suspended"}}}}}
EOF

# --- validate: verdicts, formats, exit codes ---
run "$MAMORI" guard validate -r "$T/rules/s3.guard" -d "$T/data/good.yaml"
expect_rc 0 "a passing file"
# like cfn-guard, the default summary (-S fail) says nothing about a file
# without a failing rule
expect_no_out "Status"
run "$MAMORI" guard validate -r "$T/rules/s3.guard" -d "$T/data/good.yaml" -S pass
expect_rc 0 "a passing file, -S pass"
expect_out "good.yaml Status = PASS"
expect_out "s3.guard/versioned    PASS"

run "$MAMORI" guard validate -r "$T/rules/s3.guard" -d "$T/data" -S all
expect_rc 1 "a failing rule"
expect_out "bad.json Status = FAIL"
expect_out "s3.guard/versioned    FAIL"
expect_out "Resource       = Web (AWS::S3::Bucket)"
expect_out "Location       = bad.json:2:"
expect_out "turn versioning on"
ok "single-line summary with evidence"

run "$MAMORI" guard validate -r "$T/rules" -d "$T/data" -o tsv
expect_rc 1 "tsv"
printf 'bad.json\ts3.guard\ttagged\tFAIL\nbad.json\ts3.guard\tversioned\tFAIL\ngood.yaml\ts3.guard\ttagged\tPASS\ngood.yaml\ts3.guard\tversioned\tPASS\n' >"$T/want.tsv"
diff -u "$T/want.tsv" "$T/out" || fail "tsv lines"
ok "tsv lines, sorted, paths relative to the arguments"

run "$MAMORI" guard validate -r "$T/rules" -d "$T/data" -o json
python3 - "$T/out" <<'EOF' || fail "structured json"
import json, sys
d = json.load(open(sys.argv[1]))
bad = [f for f in d if f["name"] == "bad.json"][0]
assert bad["status"] == "FAIL", bad["status"]
rules = [r["Rule"]["name"] for r in bad["not_compliant"]]
assert "versioned" in rules, rules
chk = bad["not_compliant"][rules.index("versioned")]["Rule"]["checks"][0]["Clause"]["check"]
assert chk["resource"] == "Web" and chk["value"] == "Suspended", chk
EOF
ok "structured json"
run "$MAMORI" guard validate -r "$T/rules" -d "$T/data" -o yaml
expect_out "status: FAIL"
run "$MAMORI" guard validate -r "$T/rules" -d "$T/data" -o sarif
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["runs"][0]["results"]; assert r and r[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2, r' "$T/out" ||
  fail "sarif"
run "$MAMORI" guard validate -r "$T/rules" -d "$T/data" -o junit
python3 -c 'import sys, xml.etree.ElementTree as E; t=E.parse(sys.argv[1]); assert t.getroot().get("failures") == "1"' "$T/out" ||
  fail "junit"
ok "yaml, sarif and junit"

# --- threads give the same answer ---
if [ -d "$CORPUS/control-tower/rules" ]; then
  "$MAMORI" guard validate -r "$CORPUS/control-tower/rules/s3" -d "$CORPUS/templates" -o tsv -j 1 >"$T/j1" 2>/dev/null
  "$MAMORI" guard validate -r "$CORPUS/control-tower/rules/s3" -d "$CORPUS/templates" -o tsv -j 3 >"$T/j3" 2>/dev/null
  cmp -s "$T/j1" "$T/j3" || fail "-j 3 differs from -j 1"
  [ "$(wc -l <"$T/j1")" -gt 1000 ] || fail "too few verdicts"
  ok "-j 3 gives the same verdicts as one thread"
fi

# --- bad rules: file:line:col, the line and a caret, what was expected ---
printf 'rule broken {\n  Resources.* {\n    Type == \n  }\n}\n' >"$T/rules/broken.guard"
run "$MAMORI" guard validate -r "$T/rules" -d "$T/data" -o tsv
expect_rc 2 "a rules file with a syntax error"
expect_err "broken.guard:4:3: expected"
expect_err "\\^"
expect_out "good.yaml	s3.guard	versioned	PASS"
expect_out "good.yaml	broken.guard	\\*	ERROR"
ok "a broken rules file is reported with its position and the others still run"
rm "$T/rules/broken.guard"

# --- bad data: reported alone, the others still evaluated ---
printf 'Resources:\n  X: [\n' >"$T/data/broken.yaml"
run "$MAMORI" guard validate -r "$T/rules" -d "$T/data" -o tsv
expect_rc 2 "an unparsable data file"
expect_err "broken.yaml:3:1"
expect_out "broken.yaml	s3.guard	\\*	ERROR"
expect_out "good.yaml	s3.guard	versioned	PASS"
ok "an unparsable template is reported and the others still run"
rm "$T/data/broken.yaml"

# --- deep nesting never overflows the stack ---
python3 -c 'print("[" * 200000 + "]" * 200000)' >"$T/deep.json"
run "$MAMORI" guard validate -r "$T/rules" -d "$T/deep.json" -o tsv
expect_rc 2 "a 200000-deep document"
expect_err "nested deeper"
ok "deep nesting is refused, not a crash"

# --- input parameters ---
printf 'Version: 2\n' >"$T/params.yaml"
printf 'rule v { Version == 2 }\n' >"$T/v.guard"
run "$MAMORI" guard validate -r "$T/v.guard" -d "$T/data/good.yaml" -i "$T/params.yaml"
expect_rc 0 "input parameters merged into the data"

# --- test ---
cat >"$T/tests.yaml" <<'EOF'
- name: versioned bucket
  input:
    Resources:
      B: {Type: AWS::S3::Bucket, Properties: {VersioningConfiguration: {Status: Enabled}}}
  expectations:
    rules: {versioned: PASS, tagged: FAIL}
- name: no bucket
  input: {Resources: {}}
  expectations:
    rules: {versioned: SKIP, tagged: PASS}
EOF
run "$MAMORI" guard test -r "$T/rules/s3.guard" -t "$T/tests.yaml"
expect_rc 1 "a failing expectation"
expect_out "tagged: Expected = PASS, Evaluated = \[SKIP\]"
expect_out "versioned: Expected = SKIP"
ok "guard test"

# parse trees as YAML and JSON, byte for byte what cfn-guard 3.1.1 printed
# (tests/guard/parse-tree/*.cfn-guard.*): strings in every scalar style
# serde_yaml/libyaml pick (plain, quoted, literal blocks with hints, complex
# keys), exact ints and floats, ranges, rule calls, a file without rules
for g in "$SRC"/tests/guard/parse-tree/*.guard; do
  run "$MAMORI" guard parse-tree -r "$g"
  expect_rc 0 "parse-tree $g"
  cmp -s "${g%.guard}.cfn-guard.yaml" "$T/out" || {
    diff -u "${g%.guard}.cfn-guard.yaml" "$T/out" | head -40 >&2
    fail "parse-tree YAML of $g differs from cfn-guard's"
  }
  run "$MAMORI" guard parse-tree --print-json -r "$g"
  cmp -s "${g%.guard}.cfn-guard.json" "$T/out" || {
    diff -u "${g%.guard}.cfn-guard.json" "$T/out" | head -40 >&2
    fail "parse-tree JSON of $g differs from cfn-guard's"
  }
done
ok "parse-tree YAML and JSON as cfn-guard"

if [ -d "$CORPUS/cloudformation-guard/examples" ]; then
  n=0
  for rules in "$CORPUS"/cloudformation-guard/examples/*/*.guard; do
    tests=${rules%.guard}-tests.yaml
    [ -f "$tests" ] || continue
    run "$MAMORI" guard test -r "$rules" -t "$tests"
    expect_rc 0 "cloudformation-guard's own unit tests: $rules"
    n=$((n + 1))
  done
  ok "cloudformation-guard's example unit tests pass ($n files)"
  pt="$CORPUS/cloudformation-guard/resources/parse-tree"
  run "$MAMORI" guard parse-tree -r "$pt/rules-dir/rule_with_this_keyword.guard"
  diff -u "$pt/output-dir/test_rule_with_this_keyword.yaml" "$T/out" || fail "parse tree"
  ok "parse-tree prints what cfn-guard prints"
  D="$CORPUS/cloudformation-guard/resources/test-command"
  run "$MAMORI" guard test -r "$D/dir/s3_bucket_server_side_encryption_enabled.guard" \
    -t "$D/data-dir/s3_bucket_server_side_encryption_enabled.yaml"
  sort "$T/out" >"$T/mine"
  sort "$D/output-dir/test_data_file.out" >"$T/theirs"
  diff -u "$T/theirs" "$T/mine" || fail "test output"
  ok "guard test prints what cfn-guard prints"
  # the structured test reports, byte for byte cfn-guard's own fixtures
  # (paths relative to cloudformation-guard's root, as its tests run them)
  for fmt in json yaml junit; do
    (cd "$CORPUS/cloudformation-guard" && "$MAMORI" guard test -o $fmt \
      -r resources/validate/rules-dir/s3_bucket_server_side_encryption_enabled.guard \
      -t resources/test-command/data-dir/s3_bucket_server_side_encryption_enabled.yaml) >"$T/out"
    cmp -s "$D/output-dir/structured_single_report_$fmt.out" "$T/out" ||
      fail "guard test -o $fmt differs from cfn-guard's"
    (cd "$CORPUS/cloudformation-guard" && "$MAMORI" guard test -o $fmt \
      -d resources/test-command/dir) >"$T/out"
    cmp -s "$D/output-dir/structured_directory_report_$fmt.out" "$T/out" ||
      fail "guard test --dir -o $fmt differs from cfn-guard's"
  done
  ok "guard test -o json|yaml|junit as cfn-guard"
fi

# --- the recorded cfn-guard verdicts: Control Tower rules x templates ---
if [ -f "$CORPUS/expected/control-tower__dev-templates.tsv.gz" ]; then
  run python3 "$SRC/tests/guard/differential.py" --mamori "$MAMORI" -j 2 \
    --expected "$CORPUS/expected/control-tower__dev-templates.tsv.gz" \
    -r "$CORPUS/control-tower/rules" -d "$CORPUS/templates"
  expect_rc 0 "differences with cfn-guard's recorded verdicts"
  expect_out "0 unexplained"
  ok "$(tail -1 "$T/out")"
fi

# --- the scan module on the demo ---
run "$MAMORI" scan --no-store -m guard -f jsonl "$SRC/examples/demo"
expect_rc 0 "scan -m guard"
for id in mamori.guard.cfn.S3_BUCKET_POLICY_NOT_PUBLIC mamori.guard.cfn.RDS_NOT_PUBLIC \
  mamori.guard.terraform.TF_SECURITY_GROUP_NO_OPEN_ADMIN_PORTS mamori.guard.config.CONFIG_S3_BUCKET_VERSIONING; do
  expect_out "\"GeneratorId\":\"$id\""
done
expect_out '"Id":"cloudformation/storefront.yaml#WebSecurityGroup"'
expect_out 'mamori/Location":"cloudformation/storefront.yaml:'
expect_no_out 'secure-baseline.yaml'
ok "scan reports Guard findings on the demo's templates, plan and Config items"

rm -rf "$T"
