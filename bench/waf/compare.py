#!/usr/bin/env python3
"""Side-by-side accuracy of mamori and ModSecurity+CRS on the same requests.

compare.py CORPUS_DIR MAMORI_RECORDS.jsonl PL1.tsv PL2.tsv
Prints TPR (attacks blocked) and FPR (benign blocked) overall, per source
and per class, and checks the targets of the protection issue."""
import collections, json, sys

corpus, mamori_out, pl1, pl2 = sys.argv[1:5]
meta = {}
for name in ("crs-regression", "gotestwaf", "mgm-payloads", "fortunes-benign"):
    for line in open(f"{corpus}/{name}.jsonl"):
        r = json.loads(line)
        meta[r["id"]] = (r["label"], r["class"], name)


def load_tsv(path):
    v = {}
    for line in open(path):
        p = line.rstrip("\n").split("\t")
        if len(p) >= 2 and p[0] != "id":
            v[p[0]] = p[1] == "1"
    return v


verdicts = {"mamori": {}, "modsec-pl1": load_tsv(pl1), "modsec-pl2": load_tsv(pl2)}
for line in open(mamori_out):
    r = json.loads(line)
    verdicts["mamori"][r["id"]] = r["action"] != "ALLOW"
engines = list(verdicts)


def rates(keyf):
    t = collections.defaultdict(lambda: {e: [0, 0] for e in engines})
    for rid, (label, cls, src) in meta.items():
        k = keyf(label, cls, src)
        if k is None:
            continue
        for e in engines:
            t[k][e][0] += 1
            t[k][e][1] += bool(verdicts[e].get(rid))
    return t


def show(title, table):
    print(f"\n{title}")
    print(f"  {'':34} {'n':>6} " + " ".join(f"{e:>11}" for e in engines))
    for k in sorted(table, key=lambda k: (-table[k][engines[0]][0], k)):
        row = table[k]
        n = row[engines[0]][0]
        print(f"  {k:34} {n:6d} " + " ".join(f"{100.0 * row[e][1] / n:10.2f}%" for e in engines))


overall = rates(lambda l, c, s: "attacks blocked (TPR)" if l == "attack" else "benign blocked (FPR)")
show("overall", overall)
show("attacks blocked, by source", rates(lambda l, c, s: s if l == "attack" else None))
show("benign blocked, by source", rates(lambda l, c, s: s if l == "benign" else None))
by_class = rates(lambda l, c, s: c if l == "attack" else None)
show("attacks blocked, by class", by_class)

tpr = overall["attacks blocked (TPR)"]["mamori"]
fpr = overall["benign blocked (FPR)"]["mamori"]
print("\ntargets (mamori):")
print(f"  attacks blocked >= 95%: {100.0 * tpr[1] / tpr[0]:.2f}%  {'MET' if tpr[1] >= 0.95 * tpr[0] else 'NOT MET'}")
print(f"  benign blocked <= 1%:   {100.0 * fpr[1] / fpr[0]:.2f}%  {'MET' if fpr[1] <= 0.01 * fpr[0] else 'NOT MET'}")
low = [(c, 100.0 * v["mamori"][1] / v["mamori"][0]) for c, v in by_class.items()
       if v["mamori"][0] >= 50 and v["mamori"][1] < 0.9 * v["mamori"][0]]
print("  every class with >= 50 samples >= 90%: " + ("MET" if not low else
      "NOT MET: " + ", ".join(f"{c} {p:.1f}%" for c, p in sorted(low))))
