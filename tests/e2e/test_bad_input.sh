#!/bin/bash
# Bad input never crashes and always says what and where: malformed and
# odd snapshots, unreadable files, a read-only, locked, foreign or full store.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/t"
printf '{"configurationItems": [\n  {"resourceType": "AWS::S3::Bucket", "resourceName": "x",}\n]}\n' > "$T/t/broken.json"
run "$MAMORI" scan "$T/t"
expect_rc 2 "malformed snapshot"
expect_err "broken.json:2:59: invalid JSON"
[ "$(grep -c 'error:' "$T/err")" -eq 1 ] || fail "one error line expected"
ok "malformed snapshot: path:line:col and exit 2"

# odd inputs: empty, binary, deep nesting, huge strings, wrong types
: > "$T/t/empty.json"
head -c 4096 /dev/urandom > "$T/t/random.json"
python3 -c "print('{\"configurationItems\":' + '['*200000 + ']'*200000 + '}')" > "$T/t/deep.json"
python3 -c "print('{\"configurationItems\":[{\"resourceType\":\"AWS::S3::Bucket\",\"resourceName\":\"' + 'a'*5000000 + '\"}]}')" > "$T/t/huge.json"
printf '{"configurationItems":[{"resourceType":"AWS::S3::Bucket","resourceName":7,"supplementaryConfiguration":{"BucketPolicy":{"policyText":[1]},"AccessControlList":"{\\"grantList\\":5}"}}]}' > "$T/t/types.json"
printf '{"configurationItems":[{"resourceType":"AWS::S3::AccountPublicAccessBlock","configuration":"not json"}]}' > "$T/t/conf.json"
run "$MAMORI" scan --no-store "$T/t"
[ "$rc" -eq 2 ] || fail "odd inputs: exit $rc"
expect_err "broken.json:2:59"
grep -q "Segmentation\|Aborted\|AddressSanitizer" "$T/err" && fail "crash on odd input"
ok "odd inputs: no crash"

# a store that is not a store; a store that is a directory
echo "hello" > "$T/notes.txt"
run "$MAMORI" scan --db "$T/notes.txt";  expect_rc 2 "text file as store"; expect_err "not a mamori store"
run "$MAMORI" scan --db "$T";            expect_rc 2 "directory as store"; expect_err "is a directory"
ok "foreign store"

# locked: another process holds the write lock longer than --lock-timeout
# (until the scan is over: a fixed hold ran out before a slow ASan scan wrote)
"$MAMORI" scan -q >/dev/null
python3 - "$MAMORI_DB" <<'PY' &
import os, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
open(sys.argv[1] + ".held", "w").close()
for _ in range(1200):
    if os.path.exists(sys.argv[1] + ".release"):
        break
    time.sleep(0.05)
db.execute("ROLLBACK")
PY
holder=$!
while [ ! -e "$MAMORI_DB.held" ]; do sleep 0.05; done
run "$MAMORI" scan --lock-timeout 0.5
touch "$MAMORI_DB.release"
expect_rc 2 "locked store"
expect_err "locked by another process"
wait $holder
rm -f "$MAMORI_DB.held" "$MAMORI_DB.release"
ok "locked store: clear error, exit 2"

# read-only and unreadable: as an unprivileged user (root ignores permissions)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
  as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
  # a world-traversable place: the test tree itself may be private
  R=$(mktemp -d /tmp/mamori-ro-XXXXXX); chmod 755 "$R"
  cp "$MAMORI_DB" "$R/ro.db"; chmod 644 "$R/ro.db"
  run as_nobody "$MAMORI" scan --db "$R/ro.db" "$SRC/examples/demo"
  expect_rc 2 "read-only store"
  expect_err "read-only"
  mkdir -p "$R/u"; echo '{"configurationItems":[]}' > "$R/u/secret.json"; chmod 600 "$R/u/secret.json"
  run as_nobody "$MAMORI" scan --no-store "$R/u"
  expect_rc 2 "unreadable file"
  expect_err "secret.json: cannot open: Permission denied"
  rm -rf "$R"
  ok "read-only store and unreadable input (as nobody)"
else
  echo "skip: read-only/unreadable checks need root to drop to nobody"
fi

# a full disk: a file size limit makes writes fail mid-transaction
export MAMORI_DB="$T/full.db"
"$MAMORI" scan -q >/dev/null || true
before=$(sqlite3 "$MAMORI_DB" "select count(*) from scans")
mkdir -p "$T/big/aws"
python3 - "$SRC/examples/demo/aws/config-snapshot-us-east-1.json" "$T/big/aws/snap.json" <<'PY'
import json, sys, copy
d = json.load(open(sys.argv[1]))
b = [ci for ci in d["configurationItems"] if ci["resourceType"] == "AWS::S3::Bucket"][1]
items = []
for i in range(4000):
    c = copy.deepcopy(b); c["resourceName"] = c["resourceId"] = f"bucket-{i}"; c["ARN"] = f"arn:aws:s3:::bucket-{i}"
    items.append(c)
d["configurationItems"] = items
json.dump(d, open(sys.argv[2], "w"))
PY
size_kb=$(( $(stat -c %s "$MAMORI_DB") / 1024 + 64 ))
run bash -c "ulimit -f $size_kb; exec \"$MAMORI\" scan -q \"$T/big\""
[ "$rc" -eq 3 ] || { cat "$T/err"; fail "full disk: exit $rc, expected 3"; }
expect_err "nothing of this operation was saved"
[ "$(grep -c 'error:' "$T/err")" -eq 1 ] || fail "one error line expected on a full disk"
after=$(sqlite3 "$MAMORI_DB" "select count(*) from scans; pragma integrity_check" | tr '\n' ' ')
[ "$after" = "$before ok " ] || fail "store changed or damaged by the failed scan: $after"
ok "full disk: exit 3, one error line, store intact"
rm -rf "$T"
