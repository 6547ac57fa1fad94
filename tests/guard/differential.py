#!/usr/bin/env python3
"""differential.py — mamori's Guard engine against the real cfn-guard.

Runs both engines on the same rules x data and lists every (data file, rules
file, rule) whose verdict differs.  Verdicts are compared as tsv lines
(DATA<TAB>RULES<TAB>RULE<TAB>PASS|FAIL|SKIP|ERROR, several blocks of one rule
name merged FAIL > PASS > SKIP); paths are relative to the -r / -d arguments.

  differential.py --mamori BIN --cfn-guard BIN -r RULES... -d DATA...
  differential.py --mamori BIN --expected FILE.tsv[.gz] -r RULES... -d DATA...

Differences listed in --known FILE (lines DATA<TAB>RULES<TAB>RULE<TAB>reason,
shell-style globs allowed) are reported as explained and do not fail the
run.  Exit status: 0 no unexplained difference, 1 some, 2 usage/tool error.

cfn-guard aborts a whole run on one unparsable file, so each data file is
first checked on its own (its verdicts become ERROR if cfn-guard cannot read
it), then each rules file runs once over all the readable data files with
--structured JSON output (one rules file per run: structured reports do not
say which file a rule came from).
"""
import argparse
import fnmatch
import gzip
import json
import os
import re
import subprocess
import sys
import tempfile

DATA_EXT = ('.yaml', '.yml', '.json', '.jsn', '.template')
RULE_EXT = ('.guard', '.ruleset')


def collect(args, exts):
    """(path, name relative to its argument) for every matching file."""
    out = []
    for a in args:
        if os.path.isdir(a):
            for root, dirs, files in os.walk(a):
                dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
                for f in sorted(files):
                    if f.startswith('.') or not f.lower().endswith(exts):
                        continue
                    p = os.path.join(root, f)
                    out.append((p, os.path.relpath(p, a)))
        else:
            out.append((a, os.path.basename(a)))
    return out


def merge(old, new):
    order = {'FAIL': 3, 'ERROR': 4, 'PASS': 2, 'SKIP': 1}
    return new if order[new] > order.get(old, 0) else old


# (data, rules) pairs where cfn-guard panicked while writing its report,
# after its summary had given the verdicts
PANICKED = set()


def summary_after_panic(cg, rpath, rname, dp):
    """cfn-guard 3.1.1 panics in its reporting code on some failures (e.g.
    "internal error: entered unreachable code" at eval_context.rs:2020 when
    a failing unary check's value is a regex); the single-line summary, which
    it prints first, still has the verdicts.  None for any other failure."""
    q = subprocess.run([cg, 'validate', '-r', rpath, '-d', dp, '-S', 'all'], capture_output=True,
                       text=True, errors='replace')
    if 'panicked at' not in q.stderr or ' Status = ' not in q.stdout:
        return None
    out = {}
    for m in re.finditer(r'^' + re.escape(rname) + r'/(\S+)\s+(PASS|FAIL|SKIP)$', q.stdout,
                         re.M):
        out[m.group(1)] = merge(out.get(m.group(1)), m.group(2))
    return out


def run_cfn_guard(cg, rules, data, jobs_note=None):
    """{(data, rules, rule): status}"""
    verdicts = {}
    readable = []
    probe = tempfile.NamedTemporaryFile('w', suffix='.guard', delete=False)
    probe.write('rule probe { this exists }\n')
    probe.close()
    for path, name in data:
        p = subprocess.run([cg, 'validate', '-r', probe.name, '-d', path], capture_output=True,
                           text=True)
        if p.returncode in (0, 19):
            readable.append((path, name))
        else:
            for rpath, rname in rules:
                verdicts[(name, rname, '*')] = 'ERROR'
    os.unlink(probe.name)
    by_path = {os.path.abspath(p): n for p, n in readable}
    for rpath, rname in rules:
        if not readable:
            break
        cmd = [cg, 'validate', '-r', rpath, '-z', '-o', 'json', '-S', 'none']
        for p, _ in readable:
            cmd += ['-d', p]
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode == 5:  # cfn-guard cannot parse the rules file
            for dp, dn in readable:
                verdicts[(dn, rname, '*')] = 'ERROR'
            continue
        try:
            if p.returncode not in (0, 19):
                raise ValueError('run failed')
            reports = json.loads(p.stdout)
        except ValueError:
            # a rules file cfn-guard cannot parse, or a run that panicked:
            # retry file by file so that one bad pair does not hide the others
            reports = []
            for dp, dn in readable:
                q = subprocess.run([cg, 'validate', '-r', rpath, '-z', '-o', 'json', '-S', 'none',
                                    '-d', dp], capture_output=True, text=True)
                try:
                    if q.returncode not in (0, 19):
                        raise ValueError('run failed')
                    reports += json.loads(q.stdout)
                except ValueError:
                    summary = summary_after_panic(cg, rpath, rname, dp)
                    if summary is None:
                        verdicts[(dn, rname, '*')] = 'ERROR'
                        continue
                    PANICKED.add((dn, rname))
                    for r, st in summary.items():
                        key = (dn, rname, r)
                        verdicts[key] = merge(verdicts.get(key), st)
        for rep in reports:
            name = by_path.get(os.path.abspath(rep['name']), rep['name'])
            for r in rep.get('not_applicable', []):
                key = (name, rname, r.split('/')[-1])
                verdicts[key] = merge(verdicts.get(key), 'SKIP')
            for r in rep.get('compliant', []):
                key = (name, rname, r.split('/')[-1])
                verdicts[key] = merge(verdicts.get(key), 'PASS')
            for nc in rep.get('not_compliant', []):
                r = nc.get('Rule', {}).get('name')
                if r is None:
                    continue
                key = (name, rname, r.split('/')[-1])
                verdicts[key] = merge(verdicts.get(key), 'FAIL')
    return verdicts


def run_mamori(mamori, rules_args, data_args, jobs):
    cmd = [mamori, 'guard', 'validate', '-o', 'tsv', '-j', str(jobs)]
    for r in rules_args:
        cmd += ['-r', r]
    for d in data_args:
        cmd += ['-d', d]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in (0, 1, 2):
        sys.stderr.write(p.stderr)
        sys.exit(2)
    return parse_tsv(p.stdout.splitlines())


def parse_tsv(lines):
    v = {}
    for line in lines:
        parts = line.rstrip('\n').split('\t')
        if len(parts) == 4:
            v[(parts[0], parts[1], parts[2])] = parts[3]
    return v


def load_known(path):
    known = []
    if not path:
        return known
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith('#'):
                continue
            parts = line.rstrip('\n').split('\t')
            if len(parts) >= 4:
                known.append((parts[0], parts[1], parts[2], parts[3]))
    return known


def explained(key, known):
    for d, r, rule, why in known:
        if fnmatch.fnmatchcase(key[0], d) and fnmatch.fnmatchcase(key[1], r) and \
                fnmatch.fnmatchcase(key[2], rule):
            return why
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--mamori', required=True)
    ap.add_argument('--cfn-guard')
    ap.add_argument('--expected')
    ap.add_argument('--known')
    ap.add_argument('-r', '--rules', action='append', required=True)
    ap.add_argument('-d', '--data', action='append', required=True)
    ap.add_argument('-j', '--jobs', type=int, default=2)
    ap.add_argument('-q', '--quiet', action='store_true')
    a = ap.parse_args()
    if not a.cfn_guard and not a.expected:
        ap.error('give --cfn-guard or --expected')
    mine = run_mamori(a.mamori, a.rules, a.data, a.jobs)
    if a.expected:
        opener = gzip.open if a.expected.endswith('.gz') else open
        with opener(a.expected, 'rt') as f:
            theirs = parse_tsv(f)
    else:
        theirs = run_cfn_guard(a.cfn_guard, collect(a.rules, RULE_EXT), collect(a.data, DATA_EXT))
    known = load_known(a.known)
    # a pair that is an ERROR on one side is one line (*) on that side
    errors_mine = {(k[0], k[1]) for k, s in mine.items() if s == 'ERROR'}
    errors_theirs = {(k[0], k[1]) for k, s in theirs.items() if s == 'ERROR'}
    diffs, expl = [], []
    for key in sorted(set(mine) | set(theirs)):
        pair = (key[0], key[1])
        m = mine.get(key) or ('ERROR' if pair in errors_mine else 'absent')
        t = theirs.get(key) or ('ERROR' if pair in errors_theirs else 'absent')
        if key[2] == '*' and pair in errors_mine and pair in errors_theirs:
            continue
        if key[2] != '*' and pair in errors_mine and pair in errors_theirs:
            continue
        if m == t:
            continue
        why = explained(key, known)
        (expl if why else diffs).append((key, t, m, why))
    total = len(set(mine) | set(theirs))
    for key, t, m, why in expl:
        if not a.quiet:
            print('explained\t%s\t%s\t%s\tcfn-guard=%s\tmamori=%s\t%s' % (key + (t, m, why)))
    for key, t, m, _ in diffs:
        print('DIFFERENT\t%s\t%s\t%s\tcfn-guard=%s\tmamori=%s' % (key + (t, m)))
    for dn, rname in sorted(PANICKED):
        if not a.quiet:
            print('cfn-guard-panicked\t%s\t%s\t(verdicts from its summary, printed before the '
                  'panic)' % (dn, rname))
    print('differential: %d verdicts, %d agree, %d explained differences, %d unexplained%s'
          % (total, total - len(diffs) - len(expl), len(expl), len(diffs),
             ', cfn-guard panicked after its verdicts on %d pairs' % len(PANICKED)
             if PANICKED else ''))
    return 1 if diffs else 0


if __name__ == '__main__':
    sys.exit(main())
