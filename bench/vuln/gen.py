#!/usr/bin/env python3
"""Synthesise the vulnerability benchmark's inputs, shaped like the real
records in shared/corpora/vuln/osv/real (Debian security tracker records
as OSV publishes them in Debian/all.zip):

  OUT/Debian/all.zip   N advisories ("DEBIAN-CVE-YYYY-NNNNN"), each with
                       1-3 affected entries (Debian:11/12/13) over a pool of
                       source packages; introduced "0", a fixed version
                       (or none: unfixed), ecosystem_specific.urgency,
                       references, details — the fields and sizes of the
                       real ones.
  OUT/host/var/lib/dpkg/status, OUT/host/etc/os-release
                       a Debian 12 host of P installed packages (binary
                       names with Source: lines into the same pool).

Deterministic (seeded) so that figures compare across runs."""
import io, json, os, random, sys, zipfile

out = sys.argv[1]
n_adv = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
n_pkg = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
rnd = random.Random(42)
sources = [f"src{i:04d}" for i in range(4000)]
# each source has an upstream version line
upstream = {s: f"{rnd.randint(0, 9)}.{rnd.randint(0, 40)}.{rnd.randint(0, 20)}" for s in sources}
urg = ["unimportant", "low", "medium", "high", "not yet assigned"]
words = "buffer overflow use after free integer out-of-bounds read write denial service crafted file remote attacker allows execute arbitrary code via".split()

def deb_version(s, rel, u):
    return f"{upstream[s]}-{u}+deb{rel}u{rnd.randint(1, 9)}"

os.makedirs(os.path.join(out, "Debian"), exist_ok=True)
with zipfile.ZipFile(os.path.join(out, "Debian", "all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(n_adv):
        year = 2005 + i % 20
        cve = f"CVE-{year}-{10000 + i}"
        s = rnd.choice(sources)
        affected = []
        for rel in rnd.sample(["11", "12", "13"], rnd.randint(1, 3)):
            ev = [{"introduced": "0"}]
            if rnd.random() < 0.85:
                ev.append({"fixed": deb_version(s, rel, rnd.randint(1, 6))})
            a = {"package": {"name": s, "ecosystem": f"Debian:{rel}"},
                 "ranges": [{"type": "ECOSYSTEM", "events": ev}]}
            if rnd.random() < 0.7:
                a["ecosystem_specific"] = {"urgency": rnd.choice(urg)}
            affected.append(a)
        rec = {"id": "DEBIAN-" + cve, "upstream": [cve],
               "details": " ".join(rnd.choice(words) for _ in range(rnd.randint(20, 60))),
               "affected": affected,
               "references": [{"type": "WEB", "url": f"https://security-tracker.debian.org/tracker/{cve}"},
                              {"type": "REPORT", "url": f"https://bugs.example.org/{i}"}],
               "modified": "2024-03-18T12:38:25Z", "published": f"{year}-03-18T11:15:09Z"}
        z.writestr(f"DEBIAN-{cve}.json", json.dumps(rec, indent=2))

host = os.path.join(out, "host")
os.makedirs(os.path.join(host, "var/lib/dpkg"), exist_ok=True)
os.makedirs(os.path.join(host, "etc"), exist_ok=True)
open(os.path.join(host, "etc/os-release"), "w").write('ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n')
st = []
for i in range(n_pkg):
    s = sources[i % len(sources)] if i < len(sources) else rnd.choice(sources)
    ver = deb_version(s, "12", rnd.randint(1, 6))
    st.append(f"Package: bin{i:05d}\nStatus: install ok installed\nPriority: optional\n"
              f"Section: libs\nInstalled-Size: {rnd.randint(10, 9000)}\n"
              f"Maintainer: Bench <bench@example.org>\nArchitecture: amd64\nSource: {s}\n"
              f"Version: {ver}\nDescription: benchmark package {i}\n a synthetic package\n")
open(os.path.join(host, "var/lib/dpkg/status"), "w").write("\n".join(st))
print(f"{n_adv} advisories, {n_pkg} packages")
