#!/usr/bin/env bash
# GeoMatchStatement and AsnMatchStatement through libmaxminddb, on a
# MaxMind-format database written here with Debian's MaxMind::DB::Writer
# (libmaxmind-db-writer-perl), and the country label AWS adds.
set -euo pipefail
mamori=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null; then
  echo "SKIP: libmaxmind-db-writer-perl is not installed"; exit 0
fi
perl - "$tmp/test.mmdb" <<'PL'
use strict; use warnings;
use MaxMind::DB::Writer::Tree;
my %types = (country => 'map', iso_code => 'utf8_string', autonomous_system_number => 'uint32');
my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version => 6, record_size => 24, database_type => 'mamori-test', languages => ['en'],
  remove_reserved_networks => 0,
  description => {en => 'mamori test geo/asn'}, map_key_type_callback => sub { $types{$_[0]} });
$tree->insert_network('203.0.113.0/24', {country => {iso_code => 'RU'}, autonomous_system_number => 64500});
$tree->insert_network('198.51.100.0/24', {country => {iso_code => 'US'}, autonomous_system_number => 64501});
$tree->insert_network('2001:db8:5::/48', {country => {iso_code => 'RU'}, autonomous_system_number => 64500});
open my $fh, '>:raw', $ARGV[0] or die; $tree->write_tree($fh); close $fh;
PL
cat > "$tmp/acl.json" <<'J'
{"Name":"geo","DefaultAction":{"Allow":{}},"Rules":[
 {"Name":"block-ru","Priority":1,"Action":{"Block":{}},"Statement":{"GeoMatchStatement":{"CountryCodes":["RU"]}}},
 {"Name":"block-asn","Priority":2,"Action":{"Block":{}},"Statement":{"AsnMatchStatement":{"AsnList":[64501]}}},
 {"Name":"fwd-geo","Priority":3,"Action":{"Count":{}},"Statement":{"GeoMatchStatement":{"CountryCodes":["US"],
   "ForwardedIPConfig":{"HeaderName":"X-Forwarded-For","FallbackBehavior":"NO_MATCH"}}}}]}
J
cat > "$tmp/in.jsonl" <<'J'
{"id":"ru","uri":"/","client_ip":"203.0.113.5"}
{"id":"ru6","uri":"/","client_ip":"2001:db8:5::1"}
{"id":"asn","uri":"/","client_ip":"198.51.100.9"}
{"id":"other","uri":"/","client_ip":"192.0.2.1","headers":[["X-Forwarded-For","198.51.100.20"]]}
J
"$mamori" waf eval -w "$tmp/acl.json" --geo-db "$tmp/test.mmdb" --asn-db "$tmp/test.mmdb" --summary none "$tmp/in.jsonl" > "$tmp/out.jsonl"
python3 - "$tmp/out.jsonl" <<'PY'
import json, sys
r = {x["id"]: x for x in map(json.loads, open(sys.argv[1]))}
assert r["ru"]["terminatingRuleId"] == "block-ru", r["ru"]["terminatingRuleId"]
assert r["ru6"]["terminatingRuleId"] == "block-ru"
assert {"name": "awswaf:clientip:geo:country:RU"} in r["ru"]["labels"], r["ru"]["labels"]
assert r["asn"]["terminatingRuleId"] == "block-asn"
assert r["other"]["action"] == "ALLOW"
assert [m["ruleId"] for m in r["other"]["nonTerminatingMatchingRules"]] == ["fwd-geo"], r["other"]
PY
# a file that is not a MaxMind DB is refused
set +e
"$mamori" waf eval -w "$tmp/acl.json" --geo-db "$tmp/acl.json" "$tmp/in.jsonl" >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ $rc -eq 2 ] && grep -q "cannot open as a MaxMind DB" "$tmp/err" || { echo "FAIL: bad DB: rc=$rc $(cat "$tmp/err")"; exit 1; }
echo "waf geo: ok"
