#!/usr/bin/env bash
# Many hosts, one store: 8 `mamori scan` processes write at once, 3 scans
# each, into one PostgreSQL store (a real server from Debian's packages,
# started in a temporary directory).  Pairs of them scan the same target, so
# the same findings race to be first observed.  Afterwards nothing is lost
# (every scan and finding is there), nothing is duplicated (one first
# observation per finding), the trigger-kept counts agree with a recount,
# and the store says what a SQLite store fed the same scans says.
set -euo pipefail
MAMORI=$1
SRC=$MAMORI_SOURCE_DIR
work=$(mktemp -d "${MAMORI_TEST_TMP:-/tmp}/pg-conc.XXXXXX")
pgdir=$(mktemp -d /tmp/mamori-pg-XXXXXX)
trap '"$SRC/tests/pg/pgtmp" stop "$pgdir"; rm -rf "$work"' EXIT
url=$("$SRC/tests/pg/pgtmp" start "$pgdir")
psql_q() { psql "$url" -XAtq -c "$1"; }
fails=0; passes=0
check() { local name=$1; shift; if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name" >&2; fails=$((fails + 1)); fi; }

# four targets: the demo with four different account ids
for t in 0 1 2 3; do
  mkdir -p "$work/t$t/aws"
  for f in "$SRC"/examples/demo/aws/*.json; do
    sed "s/111122223333/99990000000$t/g" "$f" >"$work/t$t/aws/$(basename "$f")"
  done
done
"$MAMORI" scan --db "$work/one.db" "$work/t0" -q --all -f json -o "$work/one.json" || [ $? -eq 1 ]
per_target=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$work/one.json")
check "the demo has findings" test "$per_target" -gt 5

# 8 writers at once, 3 scans each; writers 2k and 2k+1 share target k
pids=()
for w in 0 1 2 3 4 5 6 7; do
  (
    for i in 1 2 3; do
      "$MAMORI" scan --db "$url" "$work/t$((w / 2))" -q -f json -o /dev/null --lock-timeout 120 2>>"$work/errors.$w" || [ $? -eq 1 ] || exit 9
    done
  ) &
  pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
[ "$rc" -eq 0 ] || cat "$work"/errors.* >&2
check "every writer succeeded" test "$rc" -eq 0

check "24 scans recorded" test "$(psql_q 'SELECT count(*) FROM scans')" -eq 24
check "no finding lost or duplicated" test "$(psql_q 'SELECT count(*) FROM findings')" -eq $((4 * per_target))
check "all active" test "$(psql_q 'SELECT count(*) FROM findings WHERE record_state = 0')" -eq $((4 * per_target))
check "one first observation per finding" test "$(psql_q "SELECT count(*) FROM (SELECT finding_id FROM finding_history WHERE event = 'observed' GROUP BY finding_id HAVING count(*) <> 1) x")" -eq 0
check "every finding first observed" test "$(psql_q "SELECT count(DISTINCT finding_id) FROM finding_history WHERE event = 'observed'")" -eq $((4 * per_target))
check "new findings counted once" test "$(psql_q 'SELECT sum(new_findings) FROM scans')" -eq $((4 * per_target))
check "summary counts agree with a recount" test "$(psql_q "
  WITH s AS (SELECT dim, key, severity, class, n FROM summary_counts WHERE n <> 0),
  r AS (SELECT 'pillar' AS dim, coalesce(pillar,'') AS key, severity, (record_state * 8 + workflow * 2 + CASE WHEN compliance = 1 THEN 1 ELSE 0 END) AS class, count(*) AS n FROM findings GROUP BY 2, 3, 4
     UNION ALL SELECT 'module', module, severity, (record_state * 8 + workflow * 2 + CASE WHEN compliance = 1 THEN 1 ELSE 0 END), count(*) FROM findings GROUP BY 2, 3, 4
     UNION ALL SELECT 'account', account, severity, (record_state * 8 + workflow * 2 + CASE WHEN compliance = 1 THEN 1 ELSE 0 END), count(*) FROM findings GROUP BY 2, 3, 4
     UNION ALL SELECT 'region', coalesce(region,''), severity, (record_state * 8 + workflow * 2 + CASE WHEN compliance = 1 THEN 1 ELSE 0 END), count(*) FROM findings GROUP BY 2, 3, 4
     UNION ALL SELECT 'resource_type', coalesce(resource_type,''), severity, (record_state * 8 + workflow * 2 + CASE WHEN compliance = 1 THEN 1 ELSE 0 END), count(*) FROM findings GROUP BY 2, 3, 4
     UNION ALL SELECT 'rule', generator_id, severity, (record_state * 8 + workflow * 2 + CASE WHEN compliance = 1 THEN 1 ELSE 0 END), count(*) FROM findings GROUP BY 2, 3, 4)
  SELECT (SELECT count(*) FROM (SELECT * FROM s EXCEPT ALL SELECT * FROM r) a)
       + (SELECT count(*) FROM (SELECT * FROM r EXCEPT ALL SELECT * FROM s) b)")" -eq 0
check "summary counts cover every finding" test "$(psql_q "SELECT sum(n) FROM summary_counts WHERE dim = 'account'")" -eq $((4 * per_target))
check "control status agrees with a recount" test "$(psql_q "
  WITH s AS (SELECT standard, control, account, passed, failed, other FROM control_status
              WHERE passed + failed + other > 0),
  r AS (SELECT c.standard, c.control, f.account, sum(CASE WHEN f.compliance = 1 THEN 1 ELSE 0 END),
           sum(CASE WHEN f.compliance = 3 THEN 1 ELSE 0 END), sum(CASE WHEN f.compliance IN (2, 4) THEN 1 ELSE 0 END)
      FROM finding_controls c JOIN findings f ON f.id = c.finding_id
     WHERE f.record_state = 0 AND f.workflow <> 3 AND f.compliance <> 0 GROUP BY 1, 2, 3)
  SELECT (SELECT count(*) FROM (SELECT * FROM s EXCEPT ALL SELECT * FROM r) a)
       + (SELECT count(*) FROM (SELECT * FROM r EXCEPT ALL SELECT * FROM s) b)")" -eq 0
check "24 compliance snapshots per standard" test "$(psql_q 'SELECT count(DISTINCT scan_id) FROM compliance_snapshots')" -eq 24

# the same scans into SQLite, one after the other: the same findings and summary
for w in 0 1 2 3 4 5 6 7; do for i in 1 2 3; do
  "$MAMORI" scan --db "$work/seq.db" "$work/t$((w / 2))" -q -f json -o /dev/null || [ $? -eq 1 ]
done; done
"$MAMORI" findings list --db "$url" --all -f csv | sort >"$work/pg.csv"
"$MAMORI" findings list --db "$work/seq.db" --all -f csv | sort >"$work/sqlite.csv"
check "PostgreSQL and SQLite hold the same findings" cmp -s \
  <(cut -d, -f1-6 "$work/pg.csv") <(cut -d, -f1-6 "$work/sqlite.csv")
check "same rows" test "$(wc -l <"$work/pg.csv")" -eq "$(wc -l <"$work/sqlite.csv")"

echo "pg concurrency: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
