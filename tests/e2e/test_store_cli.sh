#!/bin/bash
# The store through the CLI: Security Hub life cycle across scans of a
# changing target, workflow with history, id prefixes, and two scans
# writing at once.
. "$(dirname "$0")/lib.sh"

cp -r "$SRC/examples/demo" "$T/estate"
snap="$T/estate/aws/config-snapshot-us-east-1.json"

export MAMORI_NOW=2026-01-01T00:00:00Z
run "$MAMORI" scan --module s3-exposure "$T/estate";  expect_rc 0 "first scan"
inbox_id=$(grep acme-upload-inbox "$T/out" | grep bucket-policy-public | awk '{print $2}')
web_id=$(grep acme-web-assets "$T/out" | grep bucket-policy-public | awk '{print $2}')
[ -n "$inbox_id" ] && [ -n "$web_id" ] || fail "no ids for the inbox and web findings"

# fix the public-write policy; the finding must be archived by the next scan
python3 - "$snap" <<'PY'
import json, sys
p = sys.argv[1]; d = json.load(open(p))
for ci in d["configurationItems"]:
    if ci.get("resourceName") == "acme-upload-inbox":
        pol = json.loads(ci["supplementaryConfiguration"]["BucketPolicy"]["policyText"])
        pol["Statement"] = [s for s in pol["Statement"] if s.get("Sid") != "PartnerUploads"]
        ci["supplementaryConfiguration"]["BucketPolicy"]["policyText"] = json.dumps(pol)
json.dump(d, open(p, "w"))
PY
export MAMORI_NOW=2026-01-02T00:00:00Z
run "$MAMORI" scan --module s3-exposure -v "$T/estate";  expect_rc 0 "second scan"
expect_no_out "$inbox_id"
expect_out "3 open findings"
run "$MAMORI" findings show "$inbox_id"
expect_rc 0 "show"
expect_out "Workflow      RESOLVED   record ARCHIVED"
expect_out "Compliance    PASSED"
expect_out "First seen    2026-01-01T00:00:00.000Z"
expect_out "archived    ACTIVE -> ARCHIVED  by mamori"
run "$MAMORI" findings list --record-state ARCHIVED
expect_out "$inbox_id"
ok "a fixed problem is archived, PASSED and RESOLVED; first seen is kept"

# workflow: suppress needs a reason, is kept in the history, and sticks
run "$MAMORI" findings suppress "$web_id";  expect_rc 2 "suppress without --reason"
expect_err "needs --reason"
run "$MAMORI" findings suppress "$web_id" --reason "public website, accepted by security review SR-42" --actor alice
expect_rc 0 "suppress"
export MAMORI_NOW=2026-01-03T00:00:00Z
run "$MAMORI" scan --module s3-exposure "$T/estate";  expect_rc 0 "third scan"
expect_no_out "$web_id"
expect_out "2 open findings"
run "$MAMORI" findings list --status SUPPRESSED
expect_out "$web_id"
run "$MAMORI" findings show "$web_id"
expect_out "workflow    NEW -> SUPPRESSED  by alice  \"public website, accepted by security review SR-42\""
run "$MAMORI" findings reopen "$web_id" --reason "website moved to CloudFront"
expect_rc 0 "reopen"
run "$MAMORI" findings resolve "$web_id" --reason "policy removed"
expect_rc 0 "resolve"
run "$MAMORI" findings resolve "$web_id" --reason "again"
expect_rc 2 "resolving a resolved finding"
expect_err "already RESOLVED"
ok "suppress/reopen/resolve with history"

# the inbox problem comes back: re-activated, and NEW again
cp "$SRC/examples/demo/aws/config-snapshot-us-east-1.json" "$snap"
export MAMORI_NOW=2026-01-04T00:00:00Z
run "$MAMORI" scan --module s3-exposure "$T/estate";  expect_rc 0 "fourth scan"
expect_out "$inbox_id"
run "$MAMORI" findings show "$inbox_id"
expect_out "Workflow      NEW   record ACTIVE"
expect_out "reactivated ARCHIVED -> ACTIVE"
ok "a returning problem is re-activated as NEW"

# ids: prefixes, unknown, malformed
run "$MAMORI" findings show "${inbox_id:0:6}";  expect_rc 0 "6-char prefix"
run "$MAMORI" findings show ffffffffffff;        expect_rc 2 "unknown id"; expect_err "no finding with id"
run "$MAMORI" findings show 'x;DROP';            expect_rc 2 "malformed id"; expect_err "not a finding id"
run "$MAMORI" findings show abc;                 expect_rc 2 "too short"; expect_err "too short"
ok "finding ids by prefix"

# filters and export
run "$MAMORI" findings list --severity critical; expect_out "1 open finding: 1 critical"
run "$MAMORI" findings list --module posture --account 111122223333 --resource upload
expect_out "$inbox_id"
run "$MAMORI" findings list --since 1h;          expect_rc 0 "--since"
run "$MAMORI" findings list --since lately;      expect_rc 2 "bad --since"
run "$MAMORI" findings list --fail-on high;      expect_rc 1 "list --fail-on"
run "$MAMORI" findings export -o "$T/export.asff"
expect_rc 0 "export"
python3 "$HERE/validate.py" asff "$T/export.asff" || fail "export is valid ASFF"
ok "filters and ASFF export"

# two scans writing at once, many times: nothing lost, nothing corrupted
unset MAMORI_NOW
cp -r "$SRC/examples/demo" "$T/estate2"
sed -i 's/111122223333/444455556666/g' "$T/estate2"/aws/*.json
export MAMORI_DB="$T/concurrent.db"
for i in $(seq 1 10); do
  "$MAMORI" scan --module s3-exposure -q "$T/estate" >/dev/null 2>"$T/e1" & a=$!
  "$MAMORI" scan --module s3-exposure -q "$T/estate2" >/dev/null 2>"$T/e2" & b=$!
  wait $a || { cat "$T/e1"; fail "concurrent scan A failed"; }
  wait $b || { cat "$T/e2"; fail "concurrent scan B failed"; }
done
counts=$(sqlite3 "$MAMORI_DB" "select count(*) from scans; select count(*) from findings; select count(*) from findings where record_state=0; pragma integrity_check;" | tr '\n' ' ')
[ "$counts" = "20 24 24 ok " ] || fail "after 20 concurrent scans: $counts (want 20 scans, 24 findings, all active, ok)"
ok "20 concurrent scans: $counts"
rm -rf "$T"
