#!/usr/bin/env python3
"""check_semantics.py — tests/guard/semantics.yaml against cfn-guard and mamori.

  check_semantics.py --cfn-guard BIN [--mamori BIN] [--write]

Each case of semantics.yaml is {name, rules, data, expect} where expect maps
rule names to PASS/FAIL/SKIP, or is the word ERROR.  Cases where mamori
deliberately differs carry `cfn_guard:` (what cfn-guard says) and `why`.
The unit test test_guard_semantics.c checks mamori against `expect`; this
script checks that `expect` (or `cfn_guard`) is what the real cfn-guard
says, so the expectations stay honest.  --mamori also runs mamori.
Exit 1 on any disagreement.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import yaml


def run_cfn_guard(cg, rules, data):
    with tempfile.TemporaryDirectory() as d:
        rp, dp = os.path.join(d, 'r.guard'), os.path.join(d, 'data.yaml')
        open(rp, 'w').write(rules)
        open(dp, 'w').write(data)
        p = subprocess.run([cg, 'validate', '-r', rp, '-d', dp, '-S', 'all'], capture_output=True,
                           text=True, errors='replace')
        if 'panicked at' in p.stderr:
            return 'PANIC'
        if p.returncode not in (0, 19):
            return 'ERROR'
        out = {}
        for m in re.finditer(r'^r\.guard/(\S+)\s+(PASS|FAIL|SKIP)$', p.stdout, re.M):
            name, st = m.group(1), m.group(2)
            order = {'FAIL': 3, 'PASS': 2, 'SKIP': 1}
            if order[st] > order.get(out.get(name), 0):
                out[name] = st
        return out


def run_mamori(m, rules, data):
    with tempfile.TemporaryDirectory() as d:
        rp, dp = os.path.join(d, 'r.guard'), os.path.join(d, 'data.yaml')
        open(rp, 'w').write(rules)
        open(dp, 'w').write(data)
        p = subprocess.run([m, 'guard', 'validate', '-r', rp, '-d', dp, '-o', 'tsv'],
                           capture_output=True, text=True, errors='replace')
        out = {}
        for line in p.stdout.splitlines():
            f = line.split('\t')
            if len(f) == 4:
                if f[3] == 'ERROR':
                    return 'ERROR'
                out[f[2]] = f[3]
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cfn-guard', required=True)
    ap.add_argument('--mamori')
    ap.add_argument('--file', default=os.path.join(os.path.dirname(__file__), 'semantics.yaml'))
    a = ap.parse_args()
    cases = yaml.safe_load(open(a.file))
    bad = 0
    for c in cases:
        want = c.get('cfn_guard', c['expect'])
        got = run_cfn_guard(a.cfn_guard, c['rules'], c['data'])
        if got != want:
            bad += 1
            print('cfn-guard disagrees: %s: expected %s, got %s' % (c['name'], want, got))
        if a.mamori:
            mine = run_mamori(a.mamori, c['rules'], c['data'])
            if mine != c['expect']:
                bad += 1
                print('mamori disagrees: %s: expected %s, got %s' % (c['name'], c['expect'], mine))
    print('check_semantics: %d cases, %d disagreements' % (len(cases), bad))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
