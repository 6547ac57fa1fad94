#!/usr/bin/env bash
# The dashboard in English and Japanese with no string left untranslated:
# web/i18n/en.json and ja.json have the same keys, every value is non-empty
# and (but for a few proper names) really translated, every key the pages
# and scripts use exists, and the HTML pages hold no text that bypasses the
# catalogue; the HTML report in Japanese through the CLI (--lang, and
# $MAMORI_LANG, --lang winning).  Fails on the first missing translation.
set -euo pipefail
MAMORI=$1
# the HTML report through the CLI: --lang, $MAMORI_LANG, findings list -f html
work=$(mktemp -d "${MAMORI_TEST_TMP:-/tmp}/hub-i18n.XXXXXX")
trap 'rm -rf "$work"' EXIT
report() { # file lang-attribute: Japanese headings and none of the English ones, or the reverse
  grep -q "<html lang=\"$2\">" "$1" || { echo "$1: not lang=$2" >&2; exit 1; }
  if [ "$2" = ja ]; then grep -q '>サマリー<' "$1" && ! grep -q '>Summary<' "$1"
  else grep -q '>Summary<' "$1" && ! grep -q '>サマリー<' "$1"; fi || { echo "$1: not in $2" >&2; exit 1; }
}
"$MAMORI" scan --db "$work/f.db" --html "$work/ja.html" --lang ja -q >/dev/null || [ $? -eq 1 ]
report "$work/ja.html" ja
MAMORI_LANG=ja "$MAMORI" findings list --db "$work/f.db" -f html -o "$work/env.html" >/dev/null || [ $? -eq 1 ]
report "$work/env.html" ja
MAMORI_LANG=ja "$MAMORI" findings list --db "$work/f.db" -f html --lang en -o "$work/en.html" >/dev/null || [ $? -eq 1 ]
report "$work/en.html" en
rc=0; "$MAMORI" findings list --db "$work/f.db" -f html --lang xx >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { echo "--lang xx: exit $rc, expected 2" >&2; exit 1; }
python3 - "$MAMORI_SOURCE_DIR/web" <<'PY'
import json, re, sys, pathlib
web = pathlib.Path(sys.argv[1])
en = json.loads((web / "i18n/en.json").read_text())
ja = json.loads((web / "i18n/ja.json").read_text())
problems = []
for k in sorted(set(en) ^ set(ja)):
    problems.append(f"{k}: in only one language")
# proper names and symbols that stay the same in Japanese
same_ok = {"col.id"}
for k, v in en.items():
    if not isinstance(v, str) or not v.strip():
        problems.append(f"{k}: no English text")
    j = ja.get(k)
    if not isinstance(j, str) or not j.strip():
        problems.append(f"{k}: no Japanese text")
    elif j == v and k not in same_ok:
        problems.append(f"{k}: Japanese text is the English one ({v!r})")
    # placeholders must match
    if j is not None and sorted(re.findall(r"\{\w+\}", v)) != sorted(re.findall(r"\{\w+\}", j)):
        problems.append(f"{k}: placeholders differ between languages")
namespaces = {k.split(".")[0] for k in en}
used = set()
for f in list(web.glob("*.js")) + list(web.glob("*.html")):
    text = f.read_text()
    for m in re.finditer(r"""['"]((?:%s)\.[A-Za-z_]+)['"]""" % "|".join(sorted(namespaces)), text):
        used.add(m.group(1))
    for m in re.finditer(r'data-i18n="([^"]+)"', text):
        used.add(m.group(1))
# keys built at run time from the API's enumerations
enums = {
    "sev.": ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"],
    "wf.": ["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"],
    "rs.": ["ACTIVE", "ARCHIVED"],
    "comp.": ["PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"],
    "control.": ["PASSED", "FAILED", "UNKNOWN"],
    "event.": ["observed", "reactivated", "archived", "workflow", "compliance", "severity"],
    "workflow.title_": ["NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"],
    "filter.last_": ["24h", "7d", "30d"],
    "pillar.": ["posture", "vulnerabilities", "detection", "protection", "data"],
}
app = (web / "app.js").read_text()
for prefix, values in enums.items():
    if f"'{prefix}'" not in app:
        problems.append(f"app.js no longer builds keys from {prefix!r}: update this test")
    used.update(prefix + v for v in values)
    used.discard(prefix.rstrip("."))
    used.discard(prefix)
for k in sorted(used - set(en)):
    problems.append(f"{k}: used by the dashboard but not in the catalogue")
# text in the HTML pages outside of data-i18n elements (brand and language names aside)
allowed = {"mamori", "守り", "English", "日本語"}
for f in web.glob("*.html"):
    html = f.read_text()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    for m in re.finditer(r"<([a-z0-9]+)([^>]*)>([^<]+)<", html):
        tag, attrs, text = m.groups()
        words = text.strip()
        if not words or "data-i18n" in attrs or words in allowed:
            continue
        problems.append(f"{f.name}: text {words!r} in <{tag}> bypasses the catalogue")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"hub i18n: {len(en)} texts in en and ja, {len(used)} used; 1 passed, 0 failed")
PY
