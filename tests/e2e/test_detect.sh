#!/bin/bash
# mamori detect end to end: the demo logs, every way logs come in (gzip,
# plain, concatenated gzip members, stdin), --shard splitting, threat lists
# (TXT, STIX, CSV; trusted lists suppress), bad input (reported with file
# and line or rule id, exit 2, the rest still read), settings.
. "$(dirname "$0")/lib.sh"
C=${MAMORI_CORPORA:-}
[ -d "$C/cloudtrail" ] || C=""
DEMO="$SRC/examples/demo/logs"

ids() { # FILE: the finding ids of a JSON report, sorted
  python3 -c "import json,sys; print('\n'.join(sorted(f['Id'] for f in json.load(open(sys.argv[1]))['findings'])))" "$1"
}
summary_count() { # WHAT: the number before WHAT in the summary line on stderr
  grep 'mamori: detect:' "$T/err" | tail -1 | sed -n "s/.* \([0-9][0-9]*\) $1.*/\1/p"
}

# ---- the demo logs ----
run "$MAMORI" detect --no-store "$DEMO"
expect_rc 0 "detect on the demo logs"
for t in Policy:IAMUser/RootCredentialUsage Policy:IAMUser/ConsoleLoginWithoutMFA \
  PenTest:IAMUser/KaliLinux Persistence:IAMUser/AdminPolicyAttached \
  Stealth:IAMUser/CloudTrailLoggingDisabled Policy:S3/BucketPublicAccessGranted \
  Exfiltration:EC2/SnapshotSharedExternally Stealth:IAMUser/OrganizationLeaveAttempt \
  CredentialAccess:IAMUser/AnomalousBehavior Discovery:EC2/UserDataDownload \
  UnauthorizedAccess:EC2/SSHBruteForce Recon:EC2/Portscan 'CryptoCurrency:EC2/BitcoinTool.B!DNS'; do
  expect_out "$t"
done
expect_out "15 open findings: 6 high, 6 medium, 3 low"
[ "$(count_out 'ConsoleLoginWithoutMFA')" = 1 ] || fail "one sign-in without MFA (mallory's), the root's is RootCredentialUsage"
expect_err "mamori: detect: read 3 files"
expect_err "45 CloudTrail events, 120 flow records (+1 NODATA/SKIPDATA), 3 DNS queries"
expect_err " 0 late events"
run "$MAMORI" detect --no-store -f json "$DEMO"
python3 - "$T/out" <<'EOF' || fail "the Internet's rejected scan of the instance is not a finding"
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    assert "198.51.100.99" not in json.dumps(f), f["GeneratorId"]
EOF
run "$MAMORI" detect --no-store --fail-on high "$DEMO"
expect_rc 1 "--fail-on high with high findings"
ok "demo logs: every attack found, the background scan not"

# the demo through mamori scan loads its threat lists; the trusted /28 wins
run "$MAMORI" scan --no-store --module detect -f json "$SRC/examples/demo"
expect_rc 0 "scan --module detect of the demo"
python3 - "$T/out" <<'EOF' || fail "threat lists of the demo"
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
mal = [x for x in f if "MaliciousIPCaller" in x["GeneratorId"]]
text = json.dumps(mal)
assert "203.0.113.50" in text and "198.51.100.23" in text, text[:300]
assert "203.0.113.10" not in text, "the office (trusted /28) was reported"
EOF
ok "scan loads threat-lists/, trusted prefixes suppress"

# ---- gzip, plain, concatenated gzip members, stdin ----
if [ -n "$C" ]; then
  A="$C/cloudtrail/awsdocs"
  RULES="--rules $C/sigma/rules"
  run "$MAMORI" detect --no-store $RULES -f json "$A"/*.json.gz
  expect_rc 0 "the awsdocs CloudTrail files (gzip)"
  gz_events=$(summary_count "CloudTrail events")
  ids "$T/out" > "$T/gz.ids"
  grep -q . "$T/gz.ids" || fail "no finding on the awsdocs files (UpdateTrail matches a Sigma rule)"
  run "$MAMORI" detect --no-store $RULES -f json "$A/cloudtrail-log-file-examples.json.txt"
  expect_rc 0 "the awsdocs CloudTrail documents (plain, concatenated)"
  [ "$(summary_count "CloudTrail events")" = "$gz_events" ] || fail "plain: not the same events as gzip"
  ids "$T/out" | cmp -s - "$T/gz.ids" || fail "plain: not the same findings as gzip"
  cat "$A"/*.json.gz > "$T/members.json.gz"
  run "$MAMORI" detect --no-store $RULES -f json "$T/members.json.gz"
  expect_rc 0 "concatenated gzip members"
  [ "$(summary_count "CloudTrail events")" = "$gz_events" ] || fail "members: not the same events"
  ids "$T/out" | cmp -s - "$T/gz.ids" || fail "members: not the same findings"
  "$MAMORI" detect --no-store $RULES -f json - < "$A/cloudtrail-log-file-examples.json.txt" >"$T/out" 2>"$T/err"
  rc=$?
  expect_rc 0 "CloudTrail on stdin"
  [ "$(summary_count "CloudTrail events")" = "$gz_events" ] || fail "stdin: not the same events"
  ids "$T/out" | cmp -s - "$T/gz.ids" || fail "stdin: not the same findings"
  zcat "$A"/*.json.gz | "$MAMORI" detect --no-store $RULES -f json - >"$T/out" 2>"$T/err"
  rc=$?
  expect_rc 0 "gunzipped CloudTrail on stdin"
  ids "$T/out" | cmp -s - "$T/gz.ids" || fail "stdin (gunzipped): not the same findings"
  gzip -c "$DEMO/flow/"*.log | "$MAMORI" detect --no-store - >"$T/out" 2>"$T/err"
  rc=$?
  expect_rc 0 "gzipped flow logs on stdin"
  expect_out "Recon:EC2/Portscan"
  ok "gzip, plain, concatenated members and stdin read the same events ($gz_events)"

  # ---- --shard I/N: the union of the shards is the whole ----
  mkdir -p "$T/shards"
  python3 - "$C/cloudtrail/panther-tests/aws_cloudtrail_rule_tests.jsonl" "$T/shards" <<'EOF'
import json, sys
for i, line in enumerate(open(sys.argv[1])):
    with open("%s/ev-%03d.json" % (sys.argv[2], i), "w") as f:
        json.dump({"Records": [json.loads(line)["log"]]}, f)
EOF
  # findings that count across events (thresholds, first-seen addresses) are
  # per shard by design (docs/detect.md); the others must add up exactly.
  # A noisy rule folds its actors past max_findings_per_rule into one finding
  # per run: lifted here so that runs of different sizes fold nothing.
  RULES="$RULES --set max_findings_per_rule=100000"
  stateless() {
    python3 -c "
import json, sys
stateful = ('AnomalousBehavior', 'UserDataDownload', 'OnMultipleInstances', 'MultipleInstances',
            'Impact:S3/', 'UserDataModifiedBetweenStopStart', 'InstanceCredentialExfiltration')
for f in json.load(open(sys.argv[1]))['findings']:
    if not any(s in f['GeneratorId'] for s in stateful):
        print(f['Id'])" "$1" | sort -u
  }
  run "$MAMORI" detect --no-store $RULES -f json "$T/shards"
  expect_rc 0 "the Panther events one file each"
  whole_files=$(grep 'mamori: detect:' "$T/err" | sed -n 's/.*read \([0-9]*\) files.*/\1/p')
  [ "$whole_files" = 461 ] || fail "461 files expected, read $whole_files"
  stateless "$T/out" > "$T/whole.ids"
  [ "$(wc -l < "$T/whole.ids")" -gt 20 ] || fail "too few findings to compare shards"
  : > "$T/union.ids"
  total=0
  for i in 0 1 2; do
    run "$MAMORI" detect --no-store $RULES -f json --shard $i/3 "$T/shards"
    expect_rc 0 "shard $i/3"
    n=$(grep 'mamori: detect:' "$T/err" | sed -n 's/.*read \([0-9]*\) files.*/\1/p')
    [ "$n" -gt 100 ] && [ "$n" -lt 200 ] || fail "shard $i/3 read $n of 461 files"
    total=$((total + n))
    stateless "$T/out" >> "$T/union.ids"
  done
  [ "$total" = 461 ] || fail "the shards read $total files, not 461"
  sort -u "$T/union.ids" | cmp -s - "$T/whole.ids" || fail "the union of the shards is not the whole: $(sort -u "$T/union.ids" | diff - "$T/whole.ids" | head)"
  run "$MAMORI" detect --no-store --shard 1/3 -f json "$T/shards"
  ids "$T/out" > "$T/again.ids"
  run "$MAMORI" detect --no-store --shard 1/3 -f json "$T/shards"
  ids "$T/out" | cmp -s - "$T/again.ids" || fail "--shard is not deterministic"
  run "$MAMORI" detect --no-store --shard 3/3 "$T/shards"
  expect_rc 2 "--shard 3/3"
  expect_err "is not I/N"
  ok "--shard 0..2/3 split the 461 files, the union of their findings is the whole"
fi

# ---- every CloudTrail shape, digests skipped, one very long line, flow formats ----
mkdir -p "$T/shapes"
EV='{"eventVersion":"1.09","eventTime":"2026-11-20T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.10","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/eve","accountId":"111122223333","userName":"eve"}}'
echo "{\"Records\":[$EV]}" > "$T/shapes/s3.json"
echo "[$EV]" > "$T/shapes/bare.json"
echo "{\"version\":\"0\",\"id\":\"e1\",\"detail-type\":\"AWS API Call via CloudTrail\",\"source\":\"aws.cloudtrail\",\"account\":\"111122223333\",\"time\":\"2026-11-20T10:00:00Z\",\"region\":\"us-east-1\",\"resources\":[],\"detail\":$EV}" > "$T/shapes/eventbridge.json"
echo "{\"eventData\":$EV}" > "$T/shapes/lake.json"
printf '%s\n%s\n' "$EV" "$EV" > "$T/shapes/lines.jsonl"
echo '{"awsAccountId":"111122223333","digestStartTime":"2026-11-20T09:00:00Z","digestEndTime":"2026-11-20T10:00:00Z","logFiles":[]}' |
  gzip -c > "$T/shapes/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T1000Z.json.gz"
for f in s3 bare eventbridge lake; do
  run "$MAMORI" detect --no-store "$T/shapes/$f.json"
  expect_rc 0 "CloudTrail shape $f"
  [ "$(summary_count "CloudTrail events")" = 1 ] || fail "$f: one CloudTrail event expected"
  expect_out "Stealth:IAMUser/CloudTrailLoggingDisabled"
done
run "$MAMORI" detect --no-store "$T/shapes"
expect_rc 0 "every shape at once"
[ "$(summary_count "CloudTrail events")" = 6 ] || fail "6 CloudTrail events expected in the shapes"
expect_err " 1 digest files"
# 100 000 records on one 38 MB line, all in one second, with a 1 MB reorder
# buffer: memory stays bounded, the second is released early, nothing is late
python3 - "$EV" "$T/long.json" <<'EOF2'
import json, sys
ev = json.loads(sys.argv[1])
with open(sys.argv[2], "w") as f:
    f.write('{"Records":[')
    f.write(",".join(json.dumps(dict(ev, eventID="e%d" % i)) for i in range(100000)))
    f.write("]}")
EOF2
run "$MAMORI" detect --no-store --set reorder_bytes=1048576 "$T/long.json"
expect_rc 0 "one very long line"
[ "$(summary_count "CloudTrail events")" = 100000 ] || fail "100000 events on the long line"
expect_err " 0 late events"
expect_err "events released early: buffer full"
# a custom v5 flow-log format with IPv6, '-' fields and NODATA/SKIPDATA
printf '%s\n' "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction traffic-path pkt-src-aws-service pkt-dst-aws-service" \
  "5 vpc-1 subnet-1 i-1 eni-1 111122223333 IPv6 2001:db8::5 2001:db8::9 40000 22 2001:db8::5 2001:db8::9 6 60 1 1795168800 1795168860 REJECT 2 OK egress 8 - -" \
  "5 vpc-1 subnet-1 i-1 eni-1 111122223333 - - - - - - - - - - 1795168800 1795168860 - - NODATA - - - -" \
  "5 vpc-1 subnet-1 i-1 eni-1 111122223333 - - - - - - - - - - 1795168800 1795168860 - - SKIPDATA - - - -" > "$T/shapes-v5.log"
run "$MAMORI" detect --no-store "$T/shapes-v5.log"
expect_rc 0 "custom v5 flow format"
expect_err "1 flow records (+2 NODATA/SKIPDATA)"
expect_err " 0 malformed flow lines"
ok "S3 documents, bare arrays, EventBridge, CloudTrail Lake, JSON Lines, digests skipped, a 38 MB line, v5 flows with IPv6"

# ---- a whole rule tree: other log sources counted, not run, not reported ----
mkdir -p "$T/tree/windows" "$T/tree/aws"
printf 'title: w\nid: 6f3f1c3e-0000-4000-8000-000000000001\nlogsource: {product: windows, category: process_creation}\ndetection:\n  sel:\n    CommandLine|frobnicate: x\n  condition: sel\n' > "$T/tree/windows/w.yml"
printf 'title: Trail stopped\nid: 22222222-0000-4000-8000-000000000000\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName: StopLogging\n  condition: sel\n' > "$T/tree/aws/a.yml"
printf 'name: not a rule\n' > "$T/tree/other.yaml"
run "$MAMORI" detect --no-store --no-natives --rules "$T/tree" "$T/shapes/s3.json"
expect_rc 0 "a rule tree with a Windows rule"
expect_err "Sigma: 2 rules in 3 files, 1 run, 1 for logs mamori does not read, 0 cannot run"
expect_out "sigma:22222222-0000-4000-8000-000000000000"
ok "rules for other log sources are counted, not reported"

# ---- |expand: placeholder values from --placeholders ----
mkdir -p "$T/expand"
printf 'title: Stop by an unknown user\nid: 33333333-0000-4000-8000-000000000000\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName: StopLogging\n  known:\n    userIdentity.userName|expand: \x27%%admins%%\x27\n  condition: sel and not known\n' > "$T/expand/r.yml"
run "$MAMORI" detect --no-store --no-natives --rules "$T/expand" "$T/shapes/s3.json"
expect_rc 2 "a placeholder without values"
expect_err "33333333-0000-4000-8000-000000000000.*%admins%"
printf 'admins: [alice, bob]\n' > "$T/admins.yml"
run "$MAMORI" detect --no-store --no-natives --rules "$T/expand" --placeholders "$T/admins.yml" "$T/shapes/s3.json"
expect_rc 0 "placeholder values"
expect_out "sigma:33333333-0000-4000-8000-000000000000"  # eve is not an admin
printf 'admins: [alice, EVE]\n' > "$T/admins.yml"
run "$MAMORI" detect --no-store --no-natives --rules "$T/expand" --placeholders "$T/admins.yml" "$T/shapes/s3.json"
expect_rc 0 "placeholder values"
expect_out "0 open findings"  # eve is (case-insensitively)
ok "|expand takes the values of --placeholders; without them the rule is reported"

# ---- threat lists: TXT, STIX, CSV; trusted lists suppress ----
cat > "$T/trail.json" <<'EOF'
{"Records":[{"eventVersion":"1.09","eventTime":"2026-11-20T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","sourceIPAddress":"192.0.2.10","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/eve","accountId":"111122223333","userName":"eve"}}]}
EOF
printf '%s\n' "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status" \
  "2 111122223333 eni-1 10.0.1.5 192.0.2.10 40000 443 6 10 900 1795168800 1795168860 ACCEPT OK" > "$T/flow.log"
printf '# custom list\n192.0.2.10\n' > "$T/list.txt"
run "$MAMORI" detect --no-store --threat-list "$T/list.txt" "$T/trail.json" "$T/flow.log"
expect_rc 0 "TXT threat list"
expect_out "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom"
expect_out "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom"
cat > "$T/bundle.json" <<'EOF'
{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","spec_version":"2.1","id":"indicator--1","pattern_type":"stix","pattern":"[ipv4-addr:value = '192.0.2.10']"}]}
EOF
run "$MAMORI" detect --no-store --threat-list "c2:$T/bundle.json" "$T/flow.log"
expect_rc 0 "STIX bundle"
expect_out "Backdoor:EC2/C&CActivity.B"
printf 'indicator,type,description\n192.0.2.10,IPv4,exit node\n' > "$T/otx.csv"
run "$MAMORI" detect --no-store --threat-list "tor:$T/otx.csv" "$T/trail.json" "$T/flow.log"
expect_rc 0 "OTX CSV"
expect_out "UnauthorizedAccess:IAMUser/TorIPCaller"
expect_out "UnauthorizedAccess:EC2/TorClient"
printf '192.0.2.0/24\n' > "$T/wide.txt"
printf '192.0.2.10\n' > "$T/trusted.txt"
run "$MAMORI" detect --no-store --threat-list "$T/wide.txt" --threat-list "trusted:$T/trusted.txt" "$T/trail.json" "$T/flow.log"
expect_rc 0 "a trusted address inside a listed network"
expect_out "0 open findings"
printf '192.0.2.11\n' > "$T/other.txt"
run "$MAMORI" detect --no-store --threat-list "$T/other.txt" "$T/trail.json" "$T/flow.log"
expect_out "0 open findings"  # one address is that address, not its neighbours
ok "threat lists: TXT, STIX, CSV, trusted suppresses, no neighbour matches"

# ---- bad input: reported with file and line or rule id, exit 2, the rest read ----
mkdir -p "$T/bad"
gzip -c "$DEMO/flow/"*.log > "$T/whole.log.gz"
head -c $(($(wc -c < "$T/whole.log.gz") / 2)) "$T/whole.log.gz" > "$T/bad/truncated.log.gz"
cp "$DEMO/cloudtrail/"*.gz "$T/bad/"
printf '{"Records":[\n{"eventName":5,"eventTime":"2026-11-20T10:00:00Z"},\n{"eventName":"StopLogging","eventSource":"cloudtrail.amazonaws.com","eventTime":"2026-11-20T10:00:01Z","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/x"}}\n]}\n' > "$T/bad/wrong-type.json"
printf '%s\n' "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status" \
  "2 111122223333 eni-1 10.0.1.5 not-an-ip 40000 443 6 10 900 1795168800 1795168860 ACCEPT OK" \
  "2 111122223333 eni-1 10.0.1.5 192.0.2.1 40000 443 6 10 900 1795168800 1795168860 ACCEPT" \
  "2 111122223333 eni-1 10.0.1.5 192.0.2.1 40000 443 6 10 900 1795168800 1795168860 ACCEPT OK" > "$T/bad/flows.log"
run "$MAMORI" detect --no-store "$T/bad"
expect_rc 2 "bad input"
expect_err "truncated.log.gz:.*truncated gzip"
expect_err "wrong-type.json:2: .*eventName is not a string"
expect_err "flows.log:2:1: malformed flow log record: dstaddr is not an IP address"
expect_err "flows.log:3:1: malformed flow log record: fewer fields"
expect_out "Stealth:IAMUser/CloudTrailLoggingDisabled"  # the good parts are read
expect_out "Policy:IAMUser/RootCredentialUsage"          # the good files too
expect_err "1 bad records, 3 malformed flow lines"  # the truncated file's cut line too
ok "truncated gzip, wrong types, malformed flow lines: reported, counted, the rest read"
if [ -n "$C" ]; then
  run "$MAMORI" detect --no-store "$C/cloudtrail/route53/awsdocs-resolver-query-log-example.v1.000000.json.txt"
  expect_rc 2 "the invalid Resolver example of the AWS docs"
  expect_err "awsdocs-resolver-query-log-example.v1.000000.json.txt:[0-9]*:[0-9]*: invalid JSON"
  run "$MAMORI" detect --no-store "$C/cloudtrail/route53/awsdocs-resolver-query-log-example.v1.100000-firewall.json"
  expect_rc 0 "the valid Resolver example"
  expect_err "1 DNS queries"
  ok "the corpus's invalid JSON sample is reported with line and column"
fi
mkdir -p "$T/rules"
printf 'title: bad\nid: 11111111-0000-4000-8000-00000000bad0\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName|frobnicate: x\n  condition: sel\n' > "$T/rules/bad.yml"
printf 'title: Trail stopped\nid: 22222222-0000-4000-8000-000000000000\nauthor: e2e\nlevel: high\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel:\n    eventName: StopLogging\n  condition: sel\n' > "$T/rules/good.yml"
run "$MAMORI" detect --no-store --no-natives --rules "$T/rules" "$T/bad/wrong-type.json"
expect_rc 2 "a Sigma rule with an unknown modifier"
expect_err "11111111-0000-4000-8000-00000000bad0"
expect_err 'unknown modifier "frobnicate"'
expect_out "sigma:22222222-0000-4000-8000-000000000000"
ok "a Sigma rule that cannot run is reported with its id, the others run"
run "$MAMORI" detect --no-store "$T/nothing-here.json"
expect_rc 2 "a missing input"
run "$MAMORI" detect --no-store --set window=soon "$DEMO"
expect_rc 2 "a bad setting"
expect_err 'window: "soon" is not a whole number'
run "$MAMORI" detect --no-store --set portscan_ports=40 "$DEMO"
expect_rc 0 "a setting"
expect_no_out "Recon:EC2/Portscan"  # 30 ports no longer reach the threshold
ok "missing inputs and bad settings are usage errors; settings apply"
