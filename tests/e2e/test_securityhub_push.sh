#!/bin/bash
# mamori findings push --securityhub against awsmock (tests/aws/awsmock.py),
# whose BatchImportFindings checks every request's SigV4 signature, its body
# against botocore's own Security Hub model, the limits Security Hub
# documents (100 findings a request, field lengths), and that the
# ProductArn and AwsAccountId name the caller's account.  A store holds
# findings of the caller's account (230 public buckets and the demo), of no
# account (the demo's code and images) and of another account; the push
# sends the first two in batches of 100 through throttling, lists the
# findings Security Hub refuses with their error code, names the other
# account's findings it did not send, and exits 2.  Also: a dry run, a
# region where Security Hub is off, refused credentials, usage errors.
. "$(dirname "$0")/lib.sh"

python3 -c "import botocore" 2>/dev/null || { echo "SKIP: python3-botocore is not installed"; exit 0; }

# ---- a world with many buckets, a throttled and a refusing Security Hub ----
python3 - "$SRC/tests/aws/world.json" "$T/world.json" <<'EOF'
import copy, json, sys
w = json.load(open(sys.argv[1]))
w["page_size"] = 1000
acme = w["accounts"]["111122223333"]["s3"]["buckets"]
web = next(b for b in acme if b["Name"] == "acme-web-assets")
for i in range(230):
    b = copy.deepcopy(web)
    b["Name"] = "acme-public-%03d" % i
    b["Policy"]["Statement"][0]["Resource"] = "arn:aws:s3:::%s/*" % b["Name"]
    acme.append(b)
w["faults"]["throttle"]["securityhub:BatchImportFindings"] = 2
w["faults"]["securityhub_reject"] = ["arn:aws:s3:::acme-public-007"]
json.dump(w, open(sys.argv[2], "w"))
EOF
. "$SRC/tests/aws/awsmock.sh"
awsmock_start "$T/world.json"
export AWS_MAX_ATTEMPTS=4 # two throttled answers in a row, then success
imports() { curl -s "$EP/__stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_op"].get("securityhub:BatchImportFindings", 0))'; }

# ---- the store: the caller's account, no account, another account ----
run with_keys "$MAMORI" scan --aws --endpoint-url "$EP" --services s3 \
  --role-arn arn:aws:iam::444455556666:role/MamoriAudit --external-id mamori-ext-42
expect_rc 0 "scan --aws"
run "$MAMORI" scan
expect_rc 0 "scan the demo"
"$MAMORI" findings export -f json -o "$T/all.json" || fail "export"
read -r WANT_SENT WANT_OTHER REFUSED < <(python3 - "$T/all.json" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))["findings"]
mine = [x for x in f if x["AwsAccountId"] in ("111122223333", "000000000000")]
other = [x for x in f if x["AwsAccountId"] == "444455556666"]
assert len(mine) > 250 and any(x["AwsAccountId"] == "000000000000" for x in mine), len(mine)
assert other, "no finding of the second account"
refused = [x for x in mine if x["Resources"][0]["Id"] == "arn:aws:s3:::acme-public-007"]
assert refused
print(len(mine), len(other), len(refused))
EOF
)
[ -n "$WANT_SENT" ] || fail "counting the stored findings"
ok "a store of $WANT_SENT findings to send and $WANT_OTHER of another account"

# ---- usage ----
run "$MAMORI" findings push
expect_rc 2 "push without a destination"
expect_err "securityhub"
run "$MAMORI" findings list --dry-run
expect_rc 2 "--dry-run outside push"
run "$MAMORI" findings push --securityhub --endpoint-url ftp://x
expect_rc 2 "a bad endpoint"
ok "usage errors"

# ---- a dry run: the account is asked, nothing is imported ----
before=$(imports)
run with_keys "$MAMORI" findings push --securityhub --dry-run --endpoint-url "$EP" -o "$T/bodies.jsonl"
expect_rc 2 "a dry run still names the findings it would not send"
expect_out "dry run: $WANT_SENT findings in $(( (WANT_SENT + 99) / 100 )) requests would be sent"
expect_out "$WANT_OTHER not sent: they belong to account 444455556666"
[ "$(imports)" = "$before" ] || fail "a dry run called BatchImportFindings"
[ "$(wc -l <"$T/bodies.jsonl")" -eq $(( (WANT_SENT + 99) / 100 )) ] || fail "one body per request"
python3 "$SRC/tests/e2e/validate.py" asff-lines "$T/bodies.jsonl" >/dev/null || fail "a request is not a valid BatchImportFindings body"
python3 - "$T/bodies.jsonl" <<'EOF' || fail "the bodies' accounts and product"
import json, sys
ids = set()
for line in open(sys.argv[1]):
    f = json.loads(line)["Findings"]
    assert 1 <= len(f) <= 100
    for x in f:
        assert x["AwsAccountId"] == "111122223333", x["AwsAccountId"]
        assert x["ProductArn"] == "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default"
        assert x["FindingProviderFields"]["Severity"]["Label"] == x["Severity"]["Label"]
        assert x["FindingProviderFields"]["Types"] == x["Types"]
        ids.add(x["Id"])
EOF
ok "dry run: valid bodies of at most 100 findings, all of the caller's account, none sent"

# ---- the push ----
run with_keys "$MAMORI" findings push --securityhub --endpoint-url "$EP"
expect_rc 2 "a push with a refused finding and another account's findings"
expect_out "$WANT_SENT findings sent in $(( (WANT_SENT + 99) / 100 )) requests: $((WANT_SENT - REFUSED)) imported, $REFUSED failed"
expect_out "failed mamori/s3-exposure/[0-9a-f]*  InvalidInput  Finding does not adhere"
expect_out "$WANT_OTHER not sent: they belong to account 444455556666"
expect_err "$((WANT_OTHER + REFUSED)) of $((WANT_SENT + WANT_OTHER)) findings were not imported"
[ "$(sigfails)" -eq 0 ] || fail "the server saw bad signatures: $(grep -A8 mismatch "$T/server.log")"
curl -s "$EP/__securityhub" >"$T/hub.json"
curl -s "$EP/__stats" >"$T/stats.json"
python3 - "$T/hub.json" "$T/stats.json" "$T/all.json" "$((WANT_SENT - REFUSED))" "$WANT_SENT" <<'EOF' || fail "what Security Hub received"
import json, sys
hub, stats, store, want, sent = (json.load(open(sys.argv[1])), json.load(open(sys.argv[2])),
                                 json.load(open(sys.argv[3]))["findings"], int(sys.argv[4]),
                                 int(sys.argv[5]))
got = hub["imported"]["111122223333/us-east-1"]
assert len(got) == want, (len(got), want)
assert list(hub["imported"]) == ["111122223333/us-east-1"], list(hub["imported"])
by_id = {x["Id"]: x for x in store}
for f in got:
    s = by_id[f["Id"]]
    assert f["Title"] == s["Title"] and f["Severity"]["Label"] == s["Severity"]["Label"]
    assert f["Resources"][0]["Id"] == s["Resources"][0]["Id"]
    assert f["RecordState"] == "ACTIVE"
assert not any(f["Resources"][0]["Id"] == "arn:aws:s3:::acme-public-007" for f in got)
assert hub["largest_batch"] == 100, hub["largest_batch"]
batches = (sent + 99) // 100
assert hub["batches"] == batches, hub
# two throttled answers were retried: two more calls than requests
assert stats["by_op"]["securityhub:BatchImportFindings"] == batches + 2, stats["by_op"]
EOF
ok "batches of 100 through throttling, the refused finding named with its code, the other account's left out"

# ---- the same push again: the same findings, updated in place ----
run with_keys "$MAMORI" findings push --securityhub --endpoint-url "$EP" --account 111122223333 --severity critical
expect_rc 0 "a push of one account's critical findings (none refused)"
expect_out "imported, 0 failed"
curl -s "$EP/__securityhub" | python3 -c "
import json, sys
assert len(json.load(sys.stdin)['imported']['111122223333/us-east-1']) == $WANT_SENT - $REFUSED" || fail "a second push duplicated findings"
ok "a filtered push; ids update findings in place"

# ---- Security Hub off in the region: the push stops with the reason ----
run with_keys "$MAMORI" findings push --securityhub --endpoint-url "$EP" --region eu-west-1
expect_rc 2 "Security Hub not enabled in eu-west-1"
expect_err "InvalidAccessException: Account 111122223333 is not subscribed to AWS Security Hub"
expect_out "failed with a request refused as a whole (InvalidAccessException"
expect_out "not sent: the push stopped at that request"
curl -s "$EP/__securityhub" | python3 -c "import json,sys; assert '111122223333/eu-west-1' not in json.load(sys.stdin)['imported']" || fail "imported into eu-west-1"
ok "Security Hub off: one clear error, the rest not sent"

# ---- credentials STS refuses: nothing tried ----
before=$(imports)
run env AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=wrongSecretKey00000000000000000000000000 \
  "$MAMORI" findings push --securityhub --endpoint-url "$EP"
expect_rc 2 "refused credentials"
expect_err "SignatureDoesNotMatch"
[ "$(imports)" = "$before" ] || fail "findings sent with refused credentials"
run "$MAMORI" findings push --securityhub --endpoint-url "$EP" --no-prompt
expect_rc 2 "no credentials at all"
ok "refused or missing credentials: an error before anything is sent"
