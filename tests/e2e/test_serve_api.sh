#!/usr/bin/env bash
# `mamori serve` over HTTP with curl: security headers on every answer, the
# API's answers and refusals (400 malformed, 404 unknown, 401 without the
# token and nothing leaked, 403 without CSRF, 405, 413, 421 for a foreign
# Host), login into an HttpOnly SameSite=Strict session, a workflow change
# that moves the summary, ASFF export checked against AWS's own model, TLS,
# and a graceful stop on SIGTERM (a request in flight still gets its answer).
set -euo pipefail
MAMORI=$1
BUILD=$(cd "$(dirname "$MAMORI")" && pwd)
SEED="$BUILD/bench/mamori-hub-seed"
. "$MAMORI_SOURCE_DIR/tests/lib/serve.sh"
work=$(mktemp -d "${MAMORI_TEST_TMP:-/tmp}/serve-api.XXXXXX")
trap 'serve_stop || true; rm -rf "$work"' EXIT
db="$work/findings.db"
fails=0; passes=0
check() { # name, command...
  local name=$1; shift
  if "$@"; then passes=$((passes + 1)); else echo "FAIL: $name" >&2; fails=$((fails + 1)); fi
}
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

"$MAMORI" scan --db "$db" -q >/dev/null || [ $? -eq 1 ]
"$SEED" --db "$db" --hostile

# ---- loopback, no token ----
serve_start "$MAMORI" "$work" --db "$db"
U=$SERVE_URL
hdrs=$(curl -s -D - -o /dev/null "${U}api/v1/summary")
for h in "Content-Security-Policy: default-src 'none'; script-src 'self'" "X-Content-Type-Options: nosniff" \
         "frame-ancestors 'none'" "X-Frame-Options: DENY" "Referrer-Policy: no-referrer"; do
  check "header $h" grep -qF "$h" <<<"$hdrs"
done
check "no unsafe-inline" bash -c "! grep -qi unsafe-inline <<<\"\$1\"" _ "$hdrs"
check "headers on 404 too" bash -c "curl -s -D - -o /dev/null '${U}nope' | grep -q 'X-Content-Type-Options: nosniff'"
check "index served" bash -c "curl -s '${U}' | grep -q 'app.js'"
check "400 bad escape" test "$(status "${U}api/v1/findings?q=%GG")" = 400
check "400 invalid utf-8" test "$(status "${U}api/v1/findings?q=%C3%28")" = 400
check "400 unknown parameter" test "$(status "${U}api/v1/findings?severty=HIGH")" = 400
check "400 bad severity" test "$(status "${U}api/v1/findings?severity=URGENT")" = 400
check "400 bad page" test "$(status "${U}api/v1/findings?page=-1")" = 400
check "400 bad time" test "$(status "${U}api/v1/findings?since=yesterday")" = 400
check "400 repeated parameter" test "$(status "${U}api/v1/findings?q=a&q=b")" = 400
check "400 is JSON" bash -c "curl -s '${U}api/v1/findings?severity=URGENT' | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"error\"][\"code\"]==\"bad_request\"'"
check "404 unknown finding" test "$(status "${U}api/v1/findings/0123456789abcdef")" = 404
check "404 unknown endpoint" test "$(status "${U}api/v1/nothing")" = 404
check "404 unknown resource" test "$(status "${U}api/v1/resource?id=arn:aws:s3:::none")" = 404
check "405 wrong method" test "$(status -X DELETE "${U}api/v1/summary")" = 405
check "421 foreign Host (DNS rebinding)" test "$(status -H 'Host: evil.example:80' "${U}api/v1/summary")" = 421
# the language: the page's cookie, else the browser's Accept-Language, else --lang (en)
lang_of() { curl -s "$@" "${U}api/v1/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["lang"])'; }
check "Accept-Language ja" test "$(lang_of -H 'Accept-Language: fr,ja;q=0.8,en;q=0.5')" = ja
check "Accept-Language en over ja" test "$(lang_of -H 'Accept-Language: en-GB,ja;q=0.9')" = en
check "no language wanted: --lang" test "$(lang_of -H 'Accept-Language: fr')" = en
check "the cookie wins" test "$(lang_of -H 'Accept-Language: en' -b 'mamori_lang=ja')" = ja
# a session for the API, then CSRF
jar="$work/jar"
sess=$(curl -s -c "$jar" "${U}api/v1/session")
csrf=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["csrf"])' "$sess")
check "session cookie HttpOnly SameSite=Strict" grep -q 'HttpOnly' <(curl -s -D - -o /dev/null "${U}api/v1/session" | grep -i set-cookie | grep SameSite=Strict)
id=$(curl -s "${U}api/v1/findings?severity=CRITICAL&open=true" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
body="{\"ids\":[\"$id\"],\"status\":\"SUPPRESSED\",\"note\":\"accepted for the test\"}"
check "403 without CSRF" test "$(status -b "$jar" -H 'Content-Type: application/json' -d "$body" "${U}api/v1/findings/workflow")" = 403
check "403 with a wrong CSRF" test "$(status -b "$jar" -H 'X-CSRF-Token: 00' -H 'Content-Type: application/json' -d "$body" "${U}api/v1/findings/workflow")" = 403
check "403 cross-site Origin" test "$(status -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Origin: http://evil.example' -H 'Content-Type: application/json' -d "$body" "${U}api/v1/findings/workflow")" = 403
check "400 without a note" test "$(status -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "{\"ids\":[\"$id\"],\"status\":\"SUPPRESSED\"}" "${U}api/v1/findings/workflow")" = 400
check "400 malformed JSON" test "$(status -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d '{"ids":[' "${U}api/v1/findings/workflow")" = 400
check "404 unknown id in bulk" test "$(status -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d '{"ids":["ffffffffffff"],"status":"RESOLVED","note":"x"}' "${U}api/v1/findings/workflow")" = 404
check "413 huge body" test "$(head -c 2000000 /dev/zero | tr '\0' a | curl -s -o /dev/null -w '%{http_code}' -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' --data-binary @- "${U}api/v1/findings/workflow")" = 413
crit_before=$(curl -s "${U}api/v1/summary" | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_severity"]["CRITICAL"])')
check "suppress with CSRF and note" test "$(status -b "$jar" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "$body" "${U}api/v1/findings/workflow")" = 200
crit_after=$(curl -s "${U}api/v1/summary" | python3 -c 'import json,sys; print(json.load(sys.stdin)["by_severity"]["CRITICAL"])')
check "summary changed ($crit_before -> $crit_after)" test "$crit_after" -eq $((crit_before - 1))
hash=${id##*/}
check "history has the note" bash -c "curl -s '${U}api/v1/findings/$hash' | python3 -c 'import json,sys; h=json.load(sys.stdin)[\"history\"]; assert h[-1][\"reason\"]==\"accepted for the test\" and h[-1][\"actor\"].startswith(\"web:\")'"
# every endpoint answers valid JSON, hostile content included
for ep in summary findings "findings?q=script" resources standards scans facets "findings?sort=title&order=asc&per_page=3&page=2"; do
  check "JSON from $ep" bash -c "curl -sf '${U}api/v1/$ep' | python3 -c 'import json,sys; json.load(sys.stdin)'"
done
# ASFF export of a filtered set, valid against botocore's Security Hub model
curl -s "${U}api/v1/findings/export?format=asff&severity=HIGH,CRITICAL" >"$work/export.json"
check "ASFF export is valid" python3 - "$work/export.json" <<'PY'
import json, sys
import botocore.session
from botocore.validate import ParamValidator
doc = json.load(open(sys.argv[1]))
assert doc["Findings"], "empty export"
assert all(f["Severity"]["Label"] in ("HIGH", "CRITICAL") for f in doc["Findings"])
model = botocore.session.get_session().get_service_model("securityhub")
shape = model.operation_model("BatchImportFindings").input_shape
report = ParamValidator().validate(doc, shape)
if report.has_errors():
    print(report.generate_report()[:2000]); sys.exit(1)
PY
check "export is an attachment" bash -c "curl -s -D - -o /dev/null '${U}api/v1/findings/export?format=csv' | grep -qi 'content-disposition: attachment'"
# SIGTERM while a request is in flight (its body still arriving at 100 kB/s):
# it is read, answered and sent in full, then the server stops
python3 -c 'import sys; sys.stdout.write("{\"pad\":\"" + "x" * 400000 + "\"}")' >"$work/slow.json"
curl -s -o "$work/slow.out" -w '%{http_code}' --limit-rate 100k -b "$jar" -H "X-CSRF-Token: $csrf" \
  -H 'Content-Type: application/json' --data-binary @"$work/slow.json" "${U}api/v1/findings/workflow" \
  >"$work/slow.code" &
slow=$!
sleep 1.5
check "a request is in flight" kill -0 "$slow"
check "graceful stop on SIGTERM" serve_stop
wait "$slow" || true
check "the request in flight was answered ($(cat "$work/slow.code"))" test "$(cat "$work/slow.code")" = 400
check "in full" python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))["error"]["message"].startswith("ids:")' "$work/slow.out"
check "said it stopped" grep -q "stopped" "$work/serve.err"

# ---- the token: required beyond loopback (and on request) ----
serve_start "$MAMORI" "$work" --db "$db" --require-token --token-file "$work/token"
U=$SERVE_URL
token=$(grep -o 'mamori_[0-9a-f]\{64\}' "$work/serve.out")
check "token printed once" test -n "$token"
check "token stored hashed, private" bash -c "grep -q '^sha256\\\$' '$work/token' && ! grep -q '$token' '$work/token' && [ \$(stat -c %a '$work/token') = 600 ]"
check "401 without token" test "$(status "${U}api/v1/summary")" = 401
check "401 with a wrong token" test "$(status -H 'Authorization: Bearer mamori_0000' "${U}api/v1/summary")" = 401
check "401 leaks nothing" bash -c "! curl -s -H 'Authorization: Bearer wrong' '${U}api/v1/findings' | grep -q 'arn:'"
check "page redirects to login" test "$(status "${U}")" = 303
check "login page served" bash -c "curl -s '${U}login' | grep -q 'login-form'"
check "bearer token works" test "$(status -H "Authorization: Bearer $token" "${U}api/v1/summary")" = 200
check "401 for a bad login" test "$(status -H 'Content-Type: application/json' -d '{"token":"nope"}' "${U}login")" = 401
jar2="$work/jar2"
check "login gives a session" test "$(status -c "$jar2" -H 'Content-Type: application/json' -d "{\"token\":\"$token\"}" "${U}login")" = 200
check "cookie is HttpOnly" grep -q '#HttpOnly_' "$jar2"
check "session works" test "$(status -b "$jar2" "${U}api/v1/summary")" = 200
serve_stop
# restarted, the stored token still works and none is printed
serve_start "$MAMORI" "$work" --db "$db" --bind 127.0.0.2 --token-file "$work/token"
check "no new token on restart" bash -c "! grep -q 'mamori_' '$work/serve.out'"
check "beyond 127.0.0.1 the token is required" test "$(status "${SERVE_URL}api/v1/summary")" = 401
check "and the stored one works" test "$(status -H "Authorization: Bearer $token" "${SERVE_URL}api/v1/summary")" = 200
serve_stop

# ---- TLS ----
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 \
  -subj /CN=localhost >/dev/null 2>&1
serve_start "$MAMORI" "$work" --db "$db" --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
check "https URL" grep -q '^https://' <<<"$SERVE_URL"
check "HTTPS answers with HSTS" bash -c "curl -sk -D - -o /dev/null '${SERVE_URL}api/v1/summary' | grep -qi strict-transport-security"
check "secure cookie" bash -c "curl -sk -D - -o /dev/null '${SERVE_URL}api/v1/session' | grep -i set-cookie | grep -q Secure"
serve_stop

echo "serve api: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
