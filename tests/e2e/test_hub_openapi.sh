#!/usr/bin/env bash
# docs/api/openapi.yaml is OpenAPI 3.1, every $ref in it resolves, it
# documents every endpoint src/hub/api.c routes (and no other), and what a
# running `mamori serve` answers validates against the documented schemas.
set -euo pipefail
MAMORI=$1
SRC=$MAMORI_SOURCE_DIR
. "$SRC/tests/lib/serve.sh"
work=$(mktemp -d "${MAMORI_TEST_TMP:-/tmp}/openapi.XXXXXX")
trap 'serve_stop || true; rm -rf "$work"' EXIT
"$MAMORI" scan --db "$work/f.db" -q >/dev/null || [ $? -eq 1 ]
serve_start "$MAMORI" "$work" --db "$work/f.db"
python3 - "$SRC" "$SERVE_URL" <<'PY'
import json, re, sys, urllib.request, urllib.error
import yaml, jsonschema
src, base = sys.argv[1], sys.argv[2]
spec = yaml.safe_load(open(f"{src}/docs/api/openapi.yaml"))
problems = []
assert spec["openapi"].startswith("3.1"), "not OpenAPI 3.1"

def resolve(ref):
    node = spec
    for part in ref[2:].split("/"):
        node = node[part]
    return node

def walk(node):
    if isinstance(node, dict):
        if "$ref" in node:
            try:
                resolve(node["$ref"])
            except KeyError:
                problems.append("dangling $ref " + node["$ref"])
        for v in node.values():
            walk(v)
    elif isinstance(node, list):
        for v in node:
            walk(v)
walk(spec)

api = open(f"{src}/src/hub/api.c").read()
routed = set(re.findall(r'\{"(/api/v1/[a-z/]+)", \w+, (?:true|false)\}', api)) | {"/api/v1/findings/{id}"}
router = open(f"{src}/src/hub/router.c").read()
routed |= {p for p in ("/api/v1/session", "/login", "/logout") if f'"{p}"' in router}
documented = set(spec["paths"])
for p in sorted(routed - documented):
    problems.append(f"{p} is served but not documented")
for p in sorted(documented - routed):
    problems.append(f"{p} is documented but not served")

# a schema validator that resolves the spec's own $refs
def schema_of(path, status="200"):
    s = spec["paths"][path]["get"]["responses"][status]
    if "$ref" in s:
        s = resolve(s["$ref"])
    s = s["content"]["application/json"]["schema"]
    return {**s, "components": spec["components"]}

def fix_refs(node):
    if isinstance(node, dict):
        return {k: (v.replace("#/components", "#/components") if k == "$ref" else fix_refs(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [fix_refs(v) for v in node]
    return node

def get(url):
    try:
        with urllib.request.urlopen(url) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)

first = None
for path, url in [("/api/v1/summary", "api/v1/summary"), ("/api/v1/findings", "api/v1/findings?per_page=5"),
                  ("/api/v1/resources", "api/v1/resources"), ("/api/v1/standards", "api/v1/standards"),
                  ("/api/v1/scans", "api/v1/scans"), ("/api/v1/facets", "api/v1/facets"),
                  ("/api/v1/session", "api/v1/session")]:
    status, body = get(base + url)
    if status != 200:
        problems.append(f"{url}: {status}")
        continue
    if path == "/api/v1/findings":
        first = body["items"][0]
    try:
        jsonschema.validate(body, fix_refs(schema_of(path)), cls=jsonschema.Draft202012Validator)
    except jsonschema.ValidationError as e:
        problems.append(f"{url}: {e.message} at {list(e.absolute_path)}")
status, body = get(base + "api/v1/findings/" + first["hash"])
try:
    jsonschema.validate(body, fix_refs(schema_of("/api/v1/findings/{id}")), cls=jsonschema.Draft202012Validator)
except jsonschema.ValidationError as e:
    problems.append(f"finding: {e.message}")
status, body = get(base + "api/v1/findings?severity=NOPE")
try:
    jsonschema.validate(body, fix_refs({**spec["components"]["schemas"]["Error"], "components": spec["components"]}),
                        cls=jsonschema.Draft202012Validator)
except jsonschema.ValidationError as e:
    problems.append(f"error body: {e.message}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"openapi: {len(documented)} paths documented and served, responses valid; 1 passed, 0 failed")
PY
serve_stop
