# lib.sh — assertions for the end-to-end tests (sourced).  Each test script
# gets the built mamori as $1, works in its own temporary directory and
# exits non-zero on the first failure, saying what was expected.
set -u
MAMORI=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=${MAMORI_SOURCE_DIR:-$(cd "$HERE/../.." && pwd)}
base=${MAMORI_TEST_TMP:-/tmp}
mkdir -p "$base"
T=$(mktemp -d "$base/e2e-XXXXXX")
export MAMORI_DB="$T/findings.db" NO_COLOR=1 MAMORI_DEMO_DIR="$SRC/examples/demo"
failures=0

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }

# run CMD...: runs it, keeping stdout in $T/out, stderr in $T/err, status in $rc
run() {
  "$@" >"$T/out" 2>"$T/err"
  rc=$?
}
expect_rc() { # WANT DESCRIPTION
  [ "$rc" -eq "$1" ] || { cat "$T/err" >&2; fail "$2: exit $rc, expected $1"; }
}
expect_out() { grep -q -- "$1" "$T/out" || { head -50 "$T/out" >&2; fail "stdout lacks: $1"; }; }
expect_err() { grep -q -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks: $1"; }; }
expect_no_out() { ! grep -q -- "$1" "$T/out" || fail "stdout unexpectedly has: $1"; }
count_out() { grep -c -- "$1" "$T/out" || true; }
