#!/bin/bash
# test_vuln.sh — `mamori vuln` and `mamori sbom` end to end, with the real
# binary: version comparison (and the oracle file through --batch), the
# advisory database (import with bad inputs, update from a local HTTP
# server with atomic swap), scans of the demo, of an image tarball built
# here and of a root, ASFF validated against botocore's Security Hub model,
# SBOM out and back in.
set -u
M=$1
SRC=${MAMORI_SOURCE_DIR:?}
mkdir -p "${MAMORI_TEST_TMP:-/tmp}"
TMP=$(mktemp -d "${MAMORI_TEST_TMP:-/tmp}/vuln-e2e.XXXXXX")
export HOME=$TMP/home MAMORI_DB=$TMP/findings.db
unset MAMORI_VULN_DB MAMORI_OSV_URL MAMORI_VULN_ECOSYSTEMS
fails=0
pass=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
check() { if eval "$1"; then ok; else bad "$2"; fi; }
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT

# ---- compare ----
check '[ "$($M vuln compare dpkg 1:0.9 2.0)" = 1 ]' "dpkg epoch"
check '[ "$($M vuln compare rpm 1.0~rc1 1.0)" = -1 ]' "rpm tilde"
check '[ "$($M vuln compare Debian:12 3.0.11-1~deb12u1 3.0.11-1~deb12u2)" = -1 ]' "OSV ecosystem name"
$M vuln compare pep440 1.0 1.0- >/dev/null 2>"$TMP/err"; rc=$?
check '[ $rc = 2 ] && grep -q "not a valid pep440 version" "$TMP/err"' "invalid version rejected"
out=$(printf 'semver\t1.0.0-rc.1\t1.0.0\nmaven\t1.0\t1-ga\n' | $M vuln compare --batch)
check '[ "$out" = "$(printf "semver\t1.0.0-rc.1\t1.0.0\t-1\nmaven\t1.0\t1-ga\t0")" ]' "batch output"
if [ -n "${MAMORI_CORPORA:-}" ] && [ -f "$MAMORI_CORPORA/vuln/vercmp/vercmp-dev.tsv" ]; then
	cut -f1-3 "$MAMORI_CORPORA/vuln/vercmp/vercmp-dev.tsv" | $M vuln compare --batch >"$TMP/batch.tsv"
	check 'cmp -s "$TMP/batch.tsv" "$MAMORI_CORPORA/vuln/vercmp/vercmp-dev.tsv"' \
		"--batch over the oracle file differs from the oracle"
fi

# ---- db import: good and bad inputs ----
DB=$TMP/vuln.db
mkdir -p "$TMP/in"
cp "$SRC"/examples/demo/advisories/GHSA-*.json "$TMP/in/"
printf '{"id":"CUT-1","affected":[{"package":' >"$TMP/in/truncated.json"
{ printf "PK\003\004"; head -c 300 /dev/urandom; } >"$TMP/in/noise.zip"
python3 - "$TMP/in/osv-all.zip" "$SRC/examples/demo/advisories" <<'PY'
import sys, zipfile, os, glob
z = zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED)
for f in glob.glob(os.path.join(sys.argv[2], "DEBIAN-*.json")):
    z.write(f, os.path.basename(f))
z.writestr("broken.json", "{not json")
z.close()
PY
$M vuln db import --vuln-db "$DB" "$TMP/in" 2>"$TMP/err"; rc=$?
check '[ $rc = 2 ]' "import with bad files must exit 2 (got $rc)"
check 'grep -q "truncated.json:1:" "$TMP/err"' "truncated JSON named with line:col"
check 'grep -q "noise.zip: not a readable zip archive" "$TMP/err"' "corrupt zip named"
check 'grep -q "osv-all.zip!broken.json" "$TMP/err"' "bad zip member named"
$M vuln db status --vuln-db "$DB" >"$TMP/status" 2>&1
check 'grep -q "^advisories    18 (1 withdrawn)" "$TMP/status"' "status counts: $(head -3 "$TMP/status")"
check 'grep -q "^npm *10$" "$TMP/status" && grep -q "^Debian *8$" "$TMP/status"' "status per ecosystem"
# re-import: unchanged records are skipped
$M vuln db import --vuln-db "$DB" "$SRC/examples/demo/advisories/GHSA-xvch-5gv4-984h.json" 2>"$TMP/err"
check 'grep -q "0 advisories stored (1 unchanged" "$TMP/err"' "unchanged record skipped"

# ---- db update from a local server, atomic swap ----
WWW=$TMP/www
mkdir -p "$WWW/npm" "$WWW/Debian"
python3 - "$WWW" "$SRC/examples/demo/advisories" <<'PY'
import sys, zipfile, os, glob
www, adv = sys.argv[1], sys.argv[2]
for eco, pat in (("npm", "GHSA-*.json"), ("Debian", "DEBIAN-*.json")):
    z = zipfile.ZipFile(os.path.join(www, eco, "all.zip"), "w", zipfile.ZIP_DEFLATED)
    for f in glob.glob(os.path.join(adv, pat)):
        z.write(f, os.path.basename(f))
    z.close()
PY
cp "$SRC/examples/demo/advisories/kev-excerpt.json" "$WWW/kev.json"
gzip -c "$SRC/examples/demo/advisories/epss-excerpt.csv" >"$WWW/epss.csv.gz"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$WWW" >/dev/null 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do
	python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/kev.json')" 2>/dev/null && break
	sleep 0.1
done
UDB=$TMP/update.db
$M vuln db import --vuln-db "$UDB" --source alas "$SRC/examples/demo/advisories/alas-al2023.json" 2>/dev/null
$M vuln db update --vuln-db "$UDB" --url "http://127.0.0.1:$PORT" --ecosystem npm --ecosystem Debian \
	--kev "http://127.0.0.1:$PORT/kev.json" --epss "http://127.0.0.1:$PORT/epss.csv.gz" 2>"$TMP/err"; rc=$?
check '[ $rc = 0 ]' "update failed: $(cat "$TMP/err")"
$M vuln db status --vuln-db "$UDB" >"$TMP/status" 2>&1
check 'grep -q "^KEV           2 CVEs" "$TMP/status" && grep -q "^EPSS          17 scores" "$TMP/status"' "KEV/EPSS from update"
check 'grep -q "^npm .*http://127.0.0.1:$PORT/npm/all.zip" "$TMP/status"' "source URL recorded"
check 'grep -q "^Amazon Linux *" "$TMP/status"' "ALAS import carried over by the update"
sum_before=$(sha256sum "$UDB" | cut -d' ' -f1)
$M vuln db update --vuln-db "$UDB" --url "http://127.0.0.1:$PORT" --ecosystem npm --ecosystem PyPI 2>"$TMP/err"; rc=$?
check '[ $rc != 0 ] && grep -q "PyPI/all.zip: download failed" "$TMP/err"' "failed download reported"
check '[ "$(sha256sum "$UDB" | cut -d" " -f1)" = "$sum_before" ] && ! ls "$UDB".new-* 2>/dev/null' \
	"a failed update must leave the database untouched"

# ---- scans ----
$M vuln scan --no-store -f json -o "$TMP/demo.json" "$SRC/examples/demo" 2>"$TMP/err"; rc=$?
check '[ $rc = 0 ]' "demo vuln scan exit $rc: $(cat "$TMP/err")"
python3 - "$TMP/demo.json" >"$TMP/py.out" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
by = {}
for x in f:
    v = x["Vulnerabilities"][0]
    p = v["VulnerablePackages"][0]
    by[(x["Resources"][0]["Id"], p["Name"], v["Id"])] = x
def get(res, pkg, cve):
    return by[(res, pkg, cve)]
w = "host:hosts/debian12-web"; a = "host:hosts/al2023-app"; l = "lockfile:hosts/debian12-web/srv/shop/package-lock.json"
assert len(f) == 36, len(f)
assert get(w, "libc6", "CVE-2023-4911")["ProductFields"]["mamori/vuln/priority"] == "immediate"
assert get(a, "glibc", "CVE-2023-4911")["ProductFields"]["mamori/vuln/priority"] == "immediate"
c = get(w, "curl", "CVE-2023-38545")
assert c["Severity"]["Label"] == "CRITICAL"
assert c["Vulnerabilities"][0]["FixAvailable"] == "YES"
assert c["Vulnerabilities"][0]["VulnerablePackages"][0]["FixedInVersion"] == "7.88.1-10+deb12u4"
assert c["Remediation"]["Recommendation"]["Text"] == "Upgrade: apt-get install --only-upgrade curl"
assert c["Types"] == ["Software and Configuration Checks/Vulnerabilities/CVE"]
s = get(a, "openssh-server", "CVE-2024-6387")
assert "dnf update --advisory=ALAS2023-2024-652" in s["Remediation"]["Recommendation"]["Text"]
assert get(w, "tar", "CVE-2005-2541")["ProductFields"]["mamori/vuln/priority"] == "defer"
assert get(w, "systemd", "CVE-2023-7008")["Vulnerabilities"][0]["FixAvailable"] == "NO"
m = get(l, "minimist", "CVE-2021-44906")
assert m["ProductFields"]["mamori/vuln/installed"] == "no"
assert "development dependency" in m["Description"]
# withdrawn GHSA-27h2 (CVE-2022-23529) is not reported; the AL2 ALAS is not on AL2023
assert not [k for k in by if k[2] == "CVE-2022-23529"]
assert not [k for k in by if k[0] == a and "ALAS2-" in json.dumps(by[k])]
# one CVE is one finding per package
assert len(by) == len(f)
print("ok")
PY
check 'grep -qx ok "$TMP/py.out"' "demo findings: $(cat "$TMP/py.out")"
$M vuln scan --no-store --fail-on critical "$SRC/examples/demo" >/dev/null 2>&1; rc=$?
check '[ $rc = 1 ]' "--fail-on critical must exit 1 (got $rc)"

# ASFF against botocore's Security Hub model
$M vuln scan --no-store -f asff -o "$TMP/asff.json" "$SRC/examples/demo" 2>/dev/null
python3 - "$TMP/asff.json" >"$TMP/py.out" 2>&1 <<'PY'
import json, sys
import botocore.session
from botocore.validate import ParamValidator
model = botocore.session.get_session().get_service_model("securityhub")
shape = model.operation_model("BatchImportFindings").input_shape
doc = json.load(open(sys.argv[1]))
for i in range(0, len(doc["Findings"]), 100):
    r = ParamValidator().validate({"Findings": doc["Findings"][i:i + 100]}, shape)
    if r.has_errors():
        print(r.generate_report()); sys.exit(1)
print("ok")
PY
check 'grep -qx ok "$TMP/py.out"' "ASFF invalid: $(head -5 "$TMP/py.out")"

# mamori scan (no target) includes the vuln module on the demo
$M scan --no-store -f json -o "$TMP/all.json" 2>/dev/null
check 'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert sum(1 for f in d[\"findings\"] if f[\"ProductName\"]==\"vuln\")==36" "$TMP/all.json"' \
	"mamori scan must include the vuln findings of the demo"

# --root: only the package databases of a root
cp -r "$SRC/examples/demo/hosts/debian12-web" "$TMP/root"
mkdir -p "$TMP/root/advisories"
cp "$SRC"/examples/demo/advisories/DEBIAN-*.json "$TMP/root/advisories/"
$M vuln scan --no-store -f csv --root "$TMP/root" >"$TMP/root.csv" 2>"$TMP/err"
check '[ "$(grep -c "host:\." "$TMP/root.csv")" = 18 ] && ! grep -q lockfile "$TMP/root.csv"' \
	"--root scan: $(grep -c "host:" "$TMP/root.csv") host findings; $(cat "$TMP/err")"

# an image: two layers, the second upgrades curl and deletes a lockfile
python3 - "$TMP/img" "$SRC/examples/demo/hosts/debian12-web" <<'PY'
import io, json, os, sys, tarfile, hashlib
out, root = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
def layer(files):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        for name, data in files:
            ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    return b.getvalue()
status = open(os.path.join(root, "var/lib/dpkg/status"), "rb").read()
osrel = open(os.path.join(root, "etc/os-release"), "rb").read()
lock = open(os.path.join(root, "srv/shop/package-lock.json"), "rb").read()
l1 = layer([("etc/os-release", osrel), ("var/lib/dpkg/status", status), ("app/package-lock.json", lock)])
l2 = layer([("var/lib/dpkg/status", status.replace(b"7.88.1-10+deb12u3", b"7.88.1-10+deb12u4")),
            ("app/.wh.package-lock.json", b"")])
with tarfile.open(os.path.join(out, "web.tar"), "w") as t:
    names = []
    for i, l in enumerate((l1, l2)):
        n = hashlib.sha256(l).hexdigest() + "/layer.tar"; names.append(n)
        ti = tarfile.TarInfo(n); ti.size = len(l); t.addfile(ti, io.BytesIO(l))
    m = json.dumps([{"Config": "config.json", "RepoTags": ["acme/web:1.0"], "Layers": names}]).encode()
    ti = tarfile.TarInfo("manifest.json"); ti.size = len(m); t.addfile(ti, io.BytesIO(m))
PY
mkdir -p "$TMP/img/advisories"
cp "$SRC"/examples/demo/advisories/*.json "$TMP/img/advisories/"
$M vuln scan --no-store -f csv "$TMP/img" >"$TMP/img.csv" 2>"$TMP/err"; rc=$?
check '[ $rc = 0 ]' "image scan exit $rc: $(cat "$TMP/err")"
check 'grep -q "image:web.tar (acme/web:1.0)" "$TMP/img.csv"' "image named with its tag"
check '! grep -q "CVE-2023-38545 in curl" "$TMP/img.csv" && grep -q "CVE-2024-6387 in openssh-server" "$TMP/img.csv"' \
	"layer 2's upgraded curl must win"
check '! grep -q "package-lock" "$TMP/img.csv"' "whiteout must delete the lockfile"

# an OCI image layout tarball (index.json -> manifest -> gzip layers) of Alpine
python3 - "$TMP/oci" <<'PY'
import gzip, hashlib, io, json, os, sys, tarfile
out = sys.argv[1]
os.makedirs(os.path.join(out, "advisories"), exist_ok=True)
def tar(files):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        for n, d in files:
            ti = tarfile.TarInfo(n); ti.size = len(d); t.addfile(ti, io.BytesIO(d))
    return b.getvalue()
layer = gzip.compress(tar([("etc/os-release", b"ID=alpine\nVERSION_ID=3.19.1\n"),
    ("lib/apk/db/installed", b"P:musl\nV:1.2.4-r2\no:musl\n\nP:libcrypto3\nV:3.1.4-r0\no:openssl\n")]))
blobs = {}
def blob(data):
    d = hashlib.sha256(data).hexdigest(); blobs[d] = data; return "sha256:" + d
ldig = blob(layer)
cfg = blob(b"{}")
man = json.dumps({"schemaVersion": 2, "config": {"digest": cfg, "size": 2},
                  "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": ldig, "size": len(layer)}]}).encode()
mdig = blob(man)
index = json.dumps({"schemaVersion": 2, "manifests": [{"digest": mdig, "size": len(man),
                    "annotations": {"org.opencontainers.image.ref.name": "alpine-app:1"}}]}).encode()
files = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index)] + \
        [("blobs/sha256/" + d, data) for d, data in blobs.items()]
open(os.path.join(out, "alpine.tar"), "wb").write(tar(files))
rec = {"id": "ALPINE-CVE-2023-5678", "modified": "2024-01-01T00:00:00Z", "upstream": ["CVE-2023-5678"],
       "affected": [{"package": {"ecosystem": "Alpine:v3.19", "name": "openssl"},
                     "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.1.4-r1"}]}]}]}
json.dump(rec, open(os.path.join(out, "advisories", "ALPINE-CVE-2023-5678.json"), "w"))
PY
$M vuln scan --no-store -f csv "$TMP/oci" >"$TMP/oci.csv" 2>"$TMP/err"; rc=$?
check '[ $rc = 0 ] && grep -q "image:alpine.tar (alpine-app:1)" "$TMP/oci.csv" && grep -q "CVE-2023-5678 in libcrypto3 3.1.4-r0 (fixed in 3.1.4-r1)" "$TMP/oci.csv"' \
	"OCI layout image: rc $rc $(cat "$TMP/err") $(cat "$TMP/oci.csv" | tail -2)"
check 'grep -q "apk add -u libcrypto3" "$TMP/oci.csv"' "apk upgrade command"

# SBOM out, and back in as a scan input
$M sbom -o "$TMP/sbom/app.cdx.json" "$SRC/examples/demo/hosts/debian12-web" 2>/dev/null ||
	{ mkdir -p "$TMP/sbom" && $M sbom -o "$TMP/sbom/app.cdx.json" "$SRC/examples/demo/hosts/debian12-web"; }
check 'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"specVersion\"]==\"1.5\" and len(d[\"components\"])==129" "$TMP/sbom/app.cdx.json"' \
	"CycloneDX output"
$M sbom -f spdx "$SRC/examples/demo/hosts/al2023-app" >"$TMP/spdx.json"
check 'python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d[\"spdxVersion\"]==\"SPDX-2.3\" and len(d[\"packages\"])==31" "$TMP/spdx.json"' \
	"SPDX output"
mkdir -p "$TMP/sbom/advisories"
cp "$SRC"/examples/demo/advisories/*.json "$TMP/sbom/advisories/"
$M vuln scan --no-store -f csv "$TMP/sbom" >"$TMP/sbom.csv" 2>/dev/null
check '[ "$(grep -c "sbom:app.cdx.json" "$TMP/sbom.csv")" = 27 ]' \
	"SBOM in: $(grep -c sbom: "$TMP/sbom.csv") findings"

# a stale database warns
$M vuln db import --vuln-db "$TMP/stale.db" "$SRC/examples/demo/advisories/GHSA-xvch-5gv4-984h.json" 2>/dev/null
MAMORI_NOW=2099-01-01T00:00:00Z $M vuln scan --no-store --vuln-db "$TMP/stale.db" \
	"$SRC/examples/demo/hosts/debian12-web/srv" >/dev/null 2>"$TMP/err"
check 'grep -q "is stale" "$TMP/err"' "stale database warning"
# no database at all: a problem, not a clean pass
$M vuln scan --no-store --vuln-db "$TMP/none.db" "$SRC/examples/demo/hosts/debian12-web/srv" >/dev/null 2>"$TMP/err"; rc=$?
check '[ $rc = 2 ] && grep -q "no vulnerability database" "$TMP/err"' "missing database must be a problem"

echo "test_vuln: $pass passed, $fails failed"
[ $fails = 0 ]
