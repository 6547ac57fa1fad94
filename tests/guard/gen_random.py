#!/usr/bin/env python3
"""gen_random.py — random Guard rules and documents for differential testing.

  gen_random.py OUTDIR [--seed N] [--rules N] [--docs N]

Writes OUTDIR/rules/r*.guard and OUTDIR/data/d*.yaml|json: rules built from
every construct of the language (lets, when, filters, KEYS, some, this,
%var interpolation, every operator and its negation, named and parameterized
rules, block and type clauses, functions) over a small vocabulary, and
documents over the same vocabulary, so that queries often hit, sometimes
miss, and values often compare across types.  Then run
tests/guard/differential.py on OUTDIR/rules x OUTDIR/data against cfn-guard.
"""
import argparse
import json
import os
import random

KEYS = ['A', 'B', 'C', 'Type', 'Properties', 'Tags', 'Key', 'Value', 'Name', 'Enabled', 'Port',
        'bucketName', 'BucketName', 'list', 'empty']
TYPES = ['AWS::S3::Bucket', 'AWS::EC2::Instance', 'AWS::IAM::Role']
STRS = ['a', 'b', 'x-1', 'AWS::S3::Bucket', 'AWS::EC2::Instance', '', 'true', '10', 'aws:kms',
        'arn:aws:s3:::bkt', 'Hello World', 'A']


def rscalar(r):
    k = r.random()
    if k < 0.35:
        return r.choice(STRS)
    if k < 0.55:
        return r.choice([0, 1, 5, -3, 10, 443, 22])
    if k < 0.65:
        return r.choice([1.5, 2.0, -0.5])
    if k < 0.8:
        return r.choice([True, False])
    if k < 0.87:
        return None
    return r.choice([[], {}])


def rvalue(r, depth):
    if depth > 3 or r.random() < 0.4:
        return rscalar(r)
    if r.random() < 0.4:
        return [rvalue(r, depth + 1) for _ in range(r.randint(0, 3))]
    return {r.choice(KEYS): rvalue(r, depth + 1) for _ in range(r.randint(0, 4))}


def rdoc(r):
    doc = {}
    if r.random() < 0.85:
        res = {}
        for i in range(r.randint(0, 4)):
            props = {r.choice(KEYS): rvalue(r, 2) for _ in range(r.randint(0, 4))}
            if r.random() < 0.5:
                props['Tags'] = [{'Key': r.choice(STRS), 'Value': rscalar(r)}
                                 for _ in range(r.randint(0, 3))]
            item = {'Type': r.choice(TYPES), 'Properties': props}
            if r.random() < 0.2:
                del item['Properties']
            res['R%d' % i] = item
        doc['Resources'] = res
    for _ in range(r.randint(0, 3)):
        doc[r.choice(KEYS)] = rvalue(r, 1)
    return doc


def lit(r, depth=0):
    k = r.random()
    if k < 0.3:
        return json.dumps(r.choice(STRS))
    if k < 0.45:
        return str(r.choice([0, 1, 5, -3, 10, 443]))
    if k < 0.52:
        return r.choice(['1.5', '2.0'])
    if k < 0.62:
        return r.choice(['true', 'false'])
    if k < 0.67:
        return 'null'
    if k < 0.77:
        return r.choice(['/a/', '/^x/', '/S3/', '/[0-9]+/', '/^$/', '/(?i)hello/'])
    if k < 0.82:
        return r.choice(['r[0,10]', 'r(0,10)', 'r[1,5)', 'r[1.0,2.0]'])
    if k < 0.95 and depth < 2:
        return '[' + ', '.join(lit(r, depth + 1) for _ in range(r.randint(0, 3))) + ']'
    if depth < 2:
        return '{' + ', '.join('%s: %s' % (r.choice(KEYS), lit(r, depth + 1))
                               for _ in range(r.randint(0, 2))) + '}'
    return '"a"'


class Gen:
    def __init__(self, r):
        self.r = r
        self.vars = []
        self.rules = []
        self.prules = []  # (name, nparams)
        self.depth = 0
        self.can_filter = True

    def part(self):
        r = self.r
        k = r.random()
        if k < 0.45:
            return '.' + r.choice(KEYS)
        if k < 0.6:
            return '.*'
        if k < 0.7:
            return '[*]'
        if k < 0.76:
            return '[%d]' % r.choice([0, 1, -1])
        if k < 0.8:
            return '.' + r.choice(['0', '1'])
        if k < 0.9 and self.depth < 2 and self.can_filter:
            self.depth += 1
            c = self.clause(simple=True)
            self.depth -= 1
            cap = (r.choice(['n', 'k']) + ' | ') if r.random() < 0.15 else ''
            return '[ %s%s ]' % (cap, c)
        if k < 0.95:
            op = r.choice(['==', '!=', 'IN', 'NOT IN'])
            rhs = r.choice(['/^[A-C]/', '"A"', '["A", "Type"]', '/ag/', '"Tags"'])
            return '[ KEYS %s %s ]' % (op, rhs)
        if self.vars:
            return '.%' + r.choice(self.vars)
        return '.' + r.choice(KEYS)

    def query(self, allow_some=True):
        r = self.r
        q = ''
        if allow_some and r.random() < 0.12:
            q = 'some '
        k = r.random()
        if k < 0.25 and self.vars:
            q += '%' + r.choice(self.vars)
        elif k < 0.32:
            q += 'this'
        elif k < 0.6:
            q += 'Resources'
        else:
            q += r.choice(KEYS)
        # cfn-guard only supports a filter after a key, .* or [*] (it panics otherwise)
        self.can_filter = not q.endswith('this')
        for _ in range(r.randint(0, 4)):
            p = self.part()
            q += p
            self.can_filter = p.startswith('.') and not p[1:].isdigit() or p == '[*]'
        return q

    def rhs(self):
        r = self.r
        k = r.random()
        if k < 0.6:
            return lit(r)
        if k < 0.85:
            return self.query(allow_some=False)
        return self.call()

    def call(self):
        r = self.r
        q = self.query(allow_some=False)
        return r.choice([
            'count(%s)' % q, 'to_lower(%s)' % q, 'to_upper(%s)' % q, 'json_parse(%s)' % q,
            'substring(%s, 0, 2)' % q, 'join(%s, ",")' % q, 'parse_string(%s)' % q,
            'parse_int(%s)' % q, 'parse_boolean(%s)' % q, 'parse_float(%s)' % q,
            'regex_replace(%s, "([a-z])", "<${1}>")' % q, 'url_decode(%s)' % q,
            'parse_char(%s)' % q,
        ])

    def clause(self, simple=False):
        r = self.r
        k = r.random()
        neg = r.choice(['', '', '', 'not ', '!'])
        if not simple and k < 0.08 and self.rules:
            return r.choice(['', 'not ', '!']) + r.choice(self.rules) + '\n'
        if not simple and k < 0.14 and self.prules:
            name, n = r.choice(self.prules)
            return '%s(%s)' % (name, ', '.join(self.rhs() for _ in range(n)))
        if not simple and k < 0.26 and self.depth < 3:
            self.depth += 1
            ne = r.choice(['', '', ' !empty', ' not empty'])
            b = '%s%s {\n%s\n}' % (self.query(), ne, self.body())
            self.depth -= 1
            return b
        if not simple and k < 0.32 and self.depth < 3:
            self.depth += 1
            b = 'when %s {\n%s\n}' % (self.conds(), self.body())
            self.depth -= 1
            return b
        q = self.query()
        if r.random() < 0.4:
            op = r.choice(['EXISTS', 'EMPTY', 'IS_STRING', 'IS_LIST', 'IS_STRUCT', 'IS_BOOL',
                           'IS_INT', 'IS_FLOAT', 'IS_NULL', 'exists', 'empty', 'is_string'])
            nop = r.choice(['', '', '!', 'not ', 'NOT '])
            return '%s%s %s%s' % (neg, q, nop, op)
        op = r.choice(['==', '!=', '<', '<=', '>', '>=', 'IN', 'NOT IN', 'not in', '!IN', '==',
                       '=='])
        msg = ' << message >>' if r.random() < 0.05 else ''
        return '%s%s %s %s%s' % (neg, q, op, self.rhs(), msg)

    def disj(self, simple=False):
        cs = [self.clause(simple) for _ in range(1 if self.r.random() < 0.75 else 2)]
        # a bare rule reference must end its line: `r0 or` then the next clause
        return ' or\n'.join(c.rstrip('\n') for c in cs) + ('\n' if cs[-1].endswith('\n') else '')

    def conds(self):
        r = self.r
        parts = []
        for _ in range(r.randint(1, 2)):
            k = r.random()
            if k < 0.2 and self.rules:
                parts.append(r.choice(['', 'not ']) + r.choice(self.rules) + '\n')
            else:
                q = self.query()
                parts.append('%s %s' % (q, r.choice(['exists', 'not empty', '!empty', 'empty',
                                                     '== "a"', 'is_list', 'IN ["a", 5]'])))
        return '\n'.join(p.rstrip('\n') for p in parts) + ('\n' if parts[-1].endswith('\n') else '')

    def body(self):
        r = self.r
        lines = []
        for _ in range(r.randint(0, 1)):
            name = 'v%d' % r.randint(0, 9)
            lines.append('let %s = %s' % (name, r.choice([self.query(), lit(r), self.call()])))
            self.vars.append(name)
        for _ in range(r.randint(1, 3)):
            lines.append(self.disj())
        return '\n'.join(lines)

    def rules_file(self):
        r = self.r
        out = []
        for i in range(r.randint(0, 3)):
            name = 'g%d' % i
            out.append('let %s = %s' % (name, r.choice([self.query(), lit(r), self.call(),
                                                        self.query()])))
            self.vars.append(name)
        if r.random() < 0.3:
            self.prules.append(('pr', 1))
        for i in range(r.randint(1, 4)):
            name = r.choice(['r%d' % i, 'r%d' % i, 'r0'])
            cond = ''
            if r.random() < 0.3:
                cond = ' when ' + self.conds().rstrip('\n')
            saved = list(self.vars)
            body = self.body()
            if r.random() < 0.15:
                t = r.choice(TYPES)
                body = '%s %s{\n%s\n}' % (t, ('when %s ' % self.conds().rstrip('\n'))
                                           if r.random() < 0.3 else '', self.body())
            self.vars = saved
            out.append('rule %s%s {\n%s\n}' % (name, cond, body))
            if name not in self.rules:
                self.rules.append(name)
        if ('pr', 1) in self.prules:
            saved = list(self.vars)
            self.vars.append('p')
            out.append('rule pr(p) {\n%s\n}' % self.body())
            self.vars = saved
        if r.random() < 0.3:
            out.append(self.disj())
        return '\n'.join(out) + '\n'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('outdir')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--rules', type=int, default=50)
    ap.add_argument('--docs', type=int, default=40)
    a = ap.parse_args()
    r = random.Random(a.seed)
    os.makedirs(os.path.join(a.outdir, 'rules'), exist_ok=True)
    os.makedirs(os.path.join(a.outdir, 'data'), exist_ok=True)
    for i in range(a.rules):
        with open(os.path.join(a.outdir, 'rules', 'r%03d.guard' % i), 'w') as f:
            f.write(Gen(r).rules_file())
    for i in range(a.docs):
        doc = rdoc(r)
        if r.random() < 0.5:
            with open(os.path.join(a.outdir, 'data', 'd%03d.json' % i), 'w') as f:
                json.dump(doc, f, indent=1)
        else:
            with open(os.path.join(a.outdir, 'data', 'd%03d.yaml' % i), 'w') as f:
                f.write(to_yaml(doc, 0))


def to_yaml(v, ind):
    sp = ' ' * ind
    if isinstance(v, dict):
        if not v:
            return '{}\n'
        out = '\n' if ind else ''
        for k, x in v.items():
            out += '%s%s: %s' % (sp, k, to_yaml(x, ind + 2))
        return out
    if isinstance(v, list):
        if not v:
            return '[]\n'
        out = '\n'
        for x in v:
            out += '%s- %s' % (sp, to_yaml(x, ind + 2).lstrip('\n') if not isinstance(x, (dict, list))
                                else to_yaml(x, ind + 2).lstrip('\n').lstrip())
        return out
    return json.dumps(v) + '\n' if isinstance(v, str) else ('null' if v is None else
                                                             json.dumps(v)) + '\n'


if __name__ == '__main__':
    main()
