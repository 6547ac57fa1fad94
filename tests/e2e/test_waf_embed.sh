#!/usr/bin/env bash
# The embedding example (examples/waf-embed) builds against the static
# library next to the mamori binary and behaves as its README says.
set -euo pipefail
mamori=$1
src=${MAMORI_SOURCE_DIR:?}
build=$(dirname "$mamori")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-cc}
command -v "$cc" >/dev/null || { echo "SKIP: no C compiler"; exit 0; }
# link the way an embedder does: through libmamori's pkg-config file (the
# build tree's copy names every library libmamori needs)
export PKG_CONFIG_PATH="$build${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
# shellcheck disable=SC2046
"$cc" -o "$tmp/embed" "$src/examples/waf-embed/embed.c" $(pkg-config --cflags mamori-uninstalled) \
  "$build/libmamori.a" $(pkg-config --libs mamori-uninstalled | sed 's/-lmamori / /') \
  $(grep -qs "MAMORI_SANITIZE:BOOL=ON" "$build/CMakeCache.txt" && echo -fsanitize=address,undefined)
"$tmp/embed" > "$tmp/out" 2> "$tmp/log"
grep -q '/products?id=42  *-> ALLOW' "$tmp/out"
grep -q 'BLOCK (HTTP 403, rule AWSManagedRulesSQLiRuleSet/SQLi_QUERYARGUMENTS)' "$tmp/out"
grep -q '"terminatingRuleId":"SQLi_QUERYARGUMENTS"' "$tmp/log"
"$tmp/embed" "$src/examples/demo/waf/webacl.json" > "$tmp/out2" 2>/dev/null
echo "waf embed: ok"
