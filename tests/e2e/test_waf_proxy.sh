#!/usr/bin/env bash
# mamori waf proxy: behaviour and fault tests against its own upstream
# (tests/e2e/waf_proxy_check.py), and the default bind address.
set -euo pipefail
mamori=$1
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/acl.json" <<'J'
{"Name":"proxy-test","DefaultAction":{"Allow":{}},"Rules":[
 {"Name":"block-path","Priority":0,"Action":{"Block":{}},"VisibilityConfig":{},
  "Statement":{"ByteMatchStatement":{"SearchString":"/blocked-by-test","FieldToMatch":{"UriPath":{}},
   "TextTransformations":[{"Priority":0,"Type":"NONE"}],"PositionalConstraint":"STARTS_WITH"}}},
 {"Name":"sqli","Priority":1,"OverrideAction":{"None":{}},
  "Statement":{"ManagedRuleGroupStatement":{"VendorName":"AWS","Name":"AWSManagedRulesSQLiRuleSet"}}}]}
J
cp "$tmp/acl.json" "$tmp/acl-bind.json" # the check rewrites acl.json (reload)
python3 "$here/waf_proxy_check.py" "$mamori" "$tmp/acl.json"
# without --listen the proxy binds the loopback only
"$mamori" waf proxy --upstream http://127.0.0.1:9 -w "$tmp/acl-bind.json" 2> "$tmp/err" &
pid=$!
for _ in $(seq 50); do grep -q listening "$tmp/err" 2>/dev/null && break; sleep 0.1; done
kill -TERM $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
grep -q "listening on 127.0.0.1:8080" "$tmp/err" || grep -q "cannot listen on 127.0.0.1:8080" "$tmp/err" || {
  echo "FAIL: default bind: $(cat "$tmp/err")"; exit 1; }
echo "waf proxy: ok"
