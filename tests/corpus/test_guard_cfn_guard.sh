#!/usr/bin/env bash
# test_guard_cfn_guard.sh (ctest label "corpus") — mamori's Guard engine
# against the real cfn-guard 3.1.1, live, on the whole Guard corpus:
#   1. tests/guard/semantics.yaml: every pinned expectation is cfn-guard's
#      own answer, and mamori's;
#   2. the differential test: cloudformation-guard's fixtures and examples
#      and mamori's built-in rule sets, on every data file of the corpus
#      (fixtures, examples, the template corpus); every verdict must agree
#      or be listed in tests/guard/known-differences.tsv with the reason;
#   3. `guard test` prints what `cfn-guard test` prints for the examples.
# cfn-guard comes from the npm package @cdklabs/cdk-validator-cfnguard
# (tests/guard/cfn-guard-fetch); without npm access the test is skipped.
. "$(dirname "$0")/../e2e/lib.sh" "$1"
CORPUS=${MAMORI_CORPORA:-$SRC/../shared/corpora}/guard
if [ ! -d "$CORPUS/cloudformation-guard" ]; then
  echo "SKIP: no Guard corpus at $CORPUS"
  exit 0
fi
cache=${MAMORI_CFN_GUARD_CACHE:-$SRC/build/bench-data/cfn-guard}
if ! CG=$("$SRC/tests/guard/cfn-guard-fetch" "$cache"); then
  echo "SKIP: cfn-guard 3.1.1 could not be fetched with npm"
  exit 0
fi
echo "cfn-guard: $CG ($("$CG" --version))"

run python3 "$SRC/tests/guard/check_semantics.py" --cfn-guard "$CG" --mamori "$MAMORI"
cat "$T/out"
expect_rc 0 "semantics.yaml against cfn-guard"
ok "semantics pinned against cfn-guard"

run python3 "$SRC/tests/guard/differential.py" -q --mamori "$MAMORI" --cfn-guard "$CG" \
  --known "$SRC/tests/guard/known-differences.tsv" \
  -r "$CORPUS/cloudformation-guard/resources" -r "$CORPUS/cloudformation-guard/examples" \
  -r "$SRC/rules/guard" \
  -d "$CORPUS/cloudformation-guard" -d "$CORPUS/templates"
cat "$T/out"
expect_rc 0 "unexplained differences with cfn-guard"
ok "$(tail -1 "$T/out")"

n=0
for rules in "$CORPUS"/cloudformation-guard/examples/*/*.guard; do
  tests=${rules%.guard}-tests.yaml
  [ -f "$tests" ] || continue
  "$MAMORI" guard test -r "$rules" -t "$tests" | sort >"$T/mine"
  "$CG" test -r "$rules" -t "$tests" | sort >"$T/theirs"
  diff -u "$T/theirs" "$T/mine" || fail "guard test output differs for $rules"
  n=$((n + 1))
done
ok "guard test prints what cfn-guard test prints ($n example rule files)"
rm -rf "$T"
