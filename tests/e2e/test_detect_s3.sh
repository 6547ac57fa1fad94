#!/bin/bash
# mamori detect s3://bucket/prefix/ against awsmock (tests/aws/awsmock.py),
# which serves objects from a directory, pages ListObjectsV2 by 2 keys and
# checks every request's SigV4 signature with botocore.  Covers: the demo
# logs read from S3 give the same findings as read from disk; S3 mixed with
# local paths and stdin; a bucket in another region (301 +
# x-amz-bucket-region); a bucket of another account read through
# --role-arn; --shard over keys splits like over files; a
# truncated gzip object and an object that cannot be read are counted and
# reported (exit 2) while the rest is read; AccessDenied on the listing and a
# wrong secret key are clear errors.
. "$(dirname "$0")/lib.sh"

python3 -c "import botocore" 2>/dev/null || { echo "SKIP: python3-botocore is not installed"; exit 0; }
DEMO="$SRC/examples/demo/logs"
ids() { # FILE: the finding ids of a JSON report, sorted
  python3 -c "import json,sys; print('\n'.join(sorted(f['Id'] for f in json.load(open(sys.argv[1]))['findings'])))" "$1"
}
files_read() { grep 'mamori: detect:' "$T/err" | tail -1 | sed -n 's/.*read \([0-9]*\) files.*/\1/p'; }

# ---- the bucket's objects ----
B="$T/objects"
mkdir -p "$B/AWSLogs" "$B/bad" "$B/many"
cp -r "$DEMO/cloudtrail" "$DEMO/dns" "$DEMO/flow" "$B/AWSLogs/"
CT=$(ls "$DEMO"/cloudtrail/*.json.gz)
# a truncated gzip object, an object the caller may not read, a good one
head -c 900 "$CT" > "$B/bad/111122223333_CloudTrail_us-east-1_20261120T1100Z_cut.json.gz"
cp "$CT" "$B/bad/111122223333_CloudTrail_us-east-1_20261120T1200Z_denied.json.gz"
cp "$CT" "$B/bad/111122223333_CloudTrail_us-east-1_20261120T1300Z_good.json.gz"
# a digest file: skipped like on disk
mkdir -p "$B/bad/CloudTrail-Digest"
echo '{"awsAccountId":"111122223333","digestStartTime":"2026-11-20T10:00:00Z"}' | gzip > \
  "$B/bad/CloudTrail-Digest/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T1000Z.json.gz"
# an object whose transfer breaks off halfway (after bytes were delivered)
python3 - "$CT" "$B/bad/111122223333_CloudTrail_us-east-1_20261120T1400Z_broken.json.gz" <<'PY'
import gzip, json, os, sys
recs = json.load(gzip.open(sys.argv[1]))["Records"]
with gzip.open(sys.argv[2], "wt", compresslevel=0) as f:  # big enough to arrive in pieces
    for _ in range(20):
        json.dump({"Records": recs}, f)
        f.write(" " * 65536)
PY
# one event per object, for sharding
python3 - "$CT" "$B/many" <<'PY'
import gzip, json, sys
recs = json.load(gzip.open(sys.argv[1]))["Records"]
for i, r in enumerate(recs * 3):
    with gzip.open("%s/111122223333_CloudTrail_us-east-1_20261120T10%02dZ_ev%03d.json.gz" % (sys.argv[2], i % 60, i), "wt") as f:
        json.dump({"Records": [r]}, f)
PY
NMANY=$(ls "$B/many" | wc -l)
# keys that need encoding: Hive-style partitions, a space, +, ~, UTF-8
mkdir -p "$B/odd/aws-account-id=111122223333/région"
cp "$CT" "$B/odd/aws-account-id=111122223333/région/a b+c~d&e_20261120T1000Z.json.gz"
# a large object that is not a log: abandoned after the sniffed bytes
head -c 3000000 /dev/zero | tr '\0' 'x' > "$B/odd/aws-account-id=111122223333/notes_20261120T0900Z.txt"

python3 - "$SRC/tests/aws/world.json" "$T/world.json" "$B" <<'PY'
import json, sys
w = json.load(open(sys.argv[1]))
w["faults"] = {}
b = w["accounts"]["111122223333"]["s3"]["buckets"]
b.append({"Name": "acme-cloudtrail", "Region": "eu-west-1", "ObjectsDir": sys.argv[3],
          "DenyKeys": ["bad/111122223333_CloudTrail_us-east-1_20261120T1200Z_denied.json.gz"],
          "CutKeys": ["bad/111122223333_CloudTrail_us-east-1_20261120T1400Z_broken.json.gz"]})
w["accounts"]["444455556666"]["s3"]["buckets"].append(
    {"Name": "archive-logs", "Region": "us-east-1", "ObjectsDir": sys.argv[3] + "/AWSLogs"})
b.append({"Name": "acme-locked", "Region": "us-east-1", "ObjectsDir": sys.argv[3], "DenyList": True})
json.dump(w, open(sys.argv[2], "w"))
PY
. "$SRC/tests/aws/awsmock.sh"
awsmock_start "$T/world.json"
S3ARGS=(--endpoint-url "$EP")
stat_op() { curl -s "$EP/__stats" | python3 -c "import json,sys; print(json.load(sys.stdin)['by_op'].get(sys.argv[1], 0))" "$1"; }

# ---- the demo logs: from S3 the same findings as from disk ----
run "$MAMORI" detect --no-store -f json "$DEMO"
expect_rc 0 "detect on the demo logs on disk"
ids "$T/out" > "$T/local.ids"
[ "$(wc -l < "$T/local.ids")" -ge 10 ] || fail "the demo logs give findings on disk"
run with_keys "$MAMORI" detect --no-store -f json "${S3ARGS[@]}" -v s3://acme-cloudtrail/AWSLogs/
expect_rc 0 "detect s3://acme-cloudtrail/AWSLogs/"
ids "$T/out" | cmp -s - "$T/local.ids" || fail "S3 and disk differ: $(ids "$T/out" | diff - "$T/local.ids" | head)"
[ "$(files_read)" = 3 ] || fail "3 log objects read, got $(files_read)"
expect_err "is in eu-west-1; asking there"
expect_err "S3: "
[ "$(stat_op s3:ListObjectsV2)" -ge 3 ] || fail "the listing of 3 keys by pages of 2 (+ the redirect) is 3 requests or more"
[ "$(stat_op s3:GetObject)" -ge 3 ] || fail "3 GetObject"
[ "$(sigfails)" -eq 0 ] || fail "the server saw bad signatures: $(grep -A8 mismatch "$T/server.log")"
ok "demo logs from S3 (eu-west-1, 2 pages): the same $(wc -l < "$T/local.ids") findings as from disk"

# mixed: CloudTrail from S3, flow logs from disk, DNS on stdin
run sh -c "cat '$DEMO'/dns/* | AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=$SECRET '$MAMORI' detect --no-store -f json --endpoint-url '$EP' s3://acme-cloudtrail/AWSLogs/cloudtrail/ '$DEMO/flow' -"
expect_rc 0 "S3, a directory and stdin together"
ids "$T/out" | cmp -s - "$T/local.ids" || fail "S3 + disk + stdin differ from disk: $(ids "$T/out" | diff - "$T/local.ids" | head)"
ok "s3://, a directory and - mix"

# a bucket of another account, read as a role of it (--role-arn, --external-id)
run with_keys "$MAMORI" detect --no-store -f json "${S3ARGS[@]}" --role-arn arn:aws:iam::444455556666:role/MamoriAudit \
  --external-id mamori-ext-42 s3://archive-logs/
expect_rc 0 "detect s3://archive-logs/ as a role of its account"
ids "$T/out" | cmp -s - "$T/local.ids" || fail "read as a role: not the same findings"
run with_keys "$MAMORI" detect --no-store "${S3ARGS[@]}" s3://archive-logs/
expect_rc 2 "the other account's bucket without the role"
expect_err "NoSuchBucket"
ok "--role-arn reads another account's bucket"

run with_keys "$MAMORI" detect --no-store -f json "${S3ARGS[@]}" "s3://acme-cloudtrail/odd/aws-account-id=111122223333/"
expect_rc 0 "keys with = space + ~ & and UTF-8"
[ "$(files_read)" = 1 ] || fail "the object with an odd key, read $(files_read)"
expect_err "skipped 1 files that are not logs"
[ "$(sigfails)" -eq 0 ] || fail "odd keys were badly signed: $(grep -A8 mismatch "$T/server.log")"
ok "keys with =, space, +, ~, & and UTF-8 are listed, signed and read"

# ---- many pages, --shard over keys ----
run with_keys "$MAMORI" detect --no-store -f json "${S3ARGS[@]}" s3://acme-cloudtrail/many/
expect_rc 0 "detect over $NMANY objects"
[ "$(files_read)" = "$NMANY" ] || fail "$NMANY objects over $((NMANY / 2)) pages, read $(files_read)"
total=0
for i in 0 1 2; do
  run with_keys "$MAMORI" detect --no-store -f json "${S3ARGS[@]}" --shard $i/3 s3://acme-cloudtrail/many/
  expect_rc 0 "S3 shard $i/3"
  n=$(files_read); total=$((total + n))
  ids "$T/out" > "$T/s3.$i.ids"
  run "$MAMORI" detect --no-store -f json --shard $i/3 "$B/many"
  [ "$(files_read)" = "$n" ] || fail "shard $i/3: $n objects from S3, $(files_read) files on disk"
  ids "$T/out" | cmp -s - "$T/s3.$i.ids" || fail "shard $i/3: S3 and disk findings differ"
done
[ "$total" = "$NMANY" ] || fail "the shards read $total objects, not $NMANY"
ok "--shard over $NMANY keys adds up ($total) and splits like the same files on disk"

# ---- bad objects: counted, reported, the rest read ----
gets=$(stat_op s3:GetObject)
run with_keys "$MAMORI" detect --no-store -f json "${S3ARGS[@]}" s3://acme-cloudtrail/bad/
expect_rc 2 "a truncated and an unreadable object"
expect_err "problem: detect: s3://acme-cloudtrail/bad/111122223333_CloudTrail_us-east-1_20261120T1100Z_cut.json.gz:.*truncated gzip"
expect_err "problem: .*s3://acme-cloudtrail/bad/111122223333_CloudTrail_us-east-1_20261120T1200Z_denied.json.gz: AccessDenied"
expect_err "problem: detect: s3://acme-cloudtrail/bad/111122223333_CloudTrail_us-east-1_20261120T1400Z_broken.json.gz:.*the transfer broke after [0-9]* bytes"
expect_err "2 files could not be read"
expect_err "1 digest files"
[ $(($(stat_op s3:GetObject) - gets)) = 4 ] || fail "4 objects fetched (the digest object is skipped by its name), not $(($(stat_op s3:GetObject) - gets))"
[ "$(files_read)" = 3 ] || fail "the truncated, the broken and the good object read, got $(files_read)"
grep -q '"Id"' "$T/out" || fail "the good object still gives findings"
ok "a truncated gzip object, an AccessDenied object and a transfer that broke off: reported, exit 2, the rest read; a digest object skipped"

# ---- errors ----
run with_keys "$MAMORI" detect --no-store "${S3ARGS[@]}" s3://acme-locked/AWSLogs/
expect_rc 2 "AccessDenied on the listing"
expect_err "s3://acme-locked/AWSLogs/: cannot list the objects: AccessDenied"
expect_err "s3:ListBucket"
run with_keys "$MAMORI" detect --no-store "${S3ARGS[@]}" s3://no-such-bucket/
expect_rc 2 "a bucket that does not exist"
expect_err "NoSuchBucket"
run with_keys "$MAMORI" detect --no-store "${S3ARGS[@]}" s3:///x
expect_rc 2 "a malformed URL"
expect_err "not an s3://BUCKET/PREFIX"
[ "$(sigfails)" -eq 0 ] || fail "bad signatures before the wrong-key check"
run env AWS_ACCESS_KEY_ID=$KEY AWS_SECRET_ACCESS_KEY=wrong-secret "$MAMORI" detect --no-store "${S3ARGS[@]}" s3://acme-cloudtrail/AWSLogs/
expect_rc 2 "a wrong secret key"
expect_err "SignatureDoesNotMatch"
[ "$(sigfails)" -ge 1 ] || fail "the server did not see the bad signature"
if grep -q "wrong-secret" "$T/err"; then fail "the secret was printed"; fi
ok "AccessDenied on the listing, no such bucket, a malformed URL, a wrong key: clear errors"
