#!/usr/bin/env bash
# The hub in a real browser (tests/browser/hub.test.mjs): Playwright driving
# Debian's Chromium headless against `mamori serve --require-token` over a
# store holding the demo's findings and hostile ones.  Screenshots of every
# page, in English and Japanese, land in build/artifacts/browser/.
set -euo pipefail
MAMORI=$1
BUILD=$(cd "$(dirname "$MAMORI")" && pwd)
SRC=$MAMORI_SOURCE_DIR
. "$SRC/tests/lib/serve.sh"
command -v node >/dev/null || { echo "test_browser: node is missing (scripts/install-deps)" >&2; exit 1; }
[ -x /usr/bin/chromium ] || { echo "test_browser: /usr/bin/chromium is missing (scripts/install-deps)" >&2; exit 1; }
[ -d "$SRC/tests/browser/node_modules/playwright-core" ] || "$SRC/tests/setup.d/50-browser"
work=$(mktemp -d "${MAMORI_TEST_TMP:-/tmp}/browser.XXXXXX")
trap 'serve_stop || true; rm -rf "$work"' EXIT
db="$work/findings.db"
"$MAMORI" scan --db "$db" -q >/dev/null || [ $? -eq 1 ]
"$BUILD/bench/mamori-hub-seed" --db "$db" --hostile
serve_start "$MAMORI" "$work" --db "$db" --require-token --token-file "$work/token"
token=$(grep -o 'mamori_[0-9a-f]\{64\}' "$work/serve.out")
export MAMORI_URL=$SERVE_URL MAMORI_TOKEN=$token ARTIFACTS="$BUILD/artifacts/browser"
cd "$SRC/tests/browser"
node --test --test-reporter=spec hub.test.mjs
serve_stop
