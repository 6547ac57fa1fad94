#!/usr/bin/env python3
"""Write VPC Flow Logs (default v2 format, with header) of N records to a
file or to stdout ('-': stream them, nothing stored).  1,000 records per
second of event time, a realistic mix:

  45 %  our 400 instances as clients of 5,000 Internet servers (443/80/53/123)
  37 %  the replies
   8 %  east-west traffic with data (application -> database)
   7 %  the Internet's background scanning of our addresses, rejected,
        from sources that are nearly all different
   2 %  internal rejects (misconfigured clients probing closed ports)
   1 %  attacks: an instance port-scanning a host, an instance sweeping
        port 6379, an SSH brute force from the Internet, public sources
        reaching an open database port

--rotate: every 100,000 records our instances get new addresses (an
autoscaling fleet), so a long stream keeps meeting new hosts: detector
state must expire, not accumulate.

Speed: 100,000 records are rendered once as a template (in per-second
segments) and re-emitted with their times and address block substituted.

usage: gen_flow.py OUT|- N [--rotate]"""
import random, sys

out, n = sys.argv[1], int(float(sys.argv[2]))
rotate = "--rotate" in sys.argv[3:]
rnd = random.Random(7)
PER_SECOND, PER_DOC = 1000, 100000
hosts = ["10.@B@.%d.%d" % (i // 250, i % 250 + 1) for i in range(400)]
remote = ["%d.%d.%d.%d" % (rnd.randrange(1, 223), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255)) for _ in range(5000)]
ports = [443, 80, 53, 123]
ENI = "2 123456789012 eni-0a1b2c3d4e5f6%04d"


def record(i):
    k = i % 100
    h = hosts[rnd.randrange(400)]
    e = ENI % (i % 400)
    if k < 45:
        return "%s %s %s %d %d 6 12 4800 @T@ @U@ ACCEPT OK" % (e, h, rnd.choice(remote), rnd.randrange(32768, 61000), rnd.choice(ports))
    if k < 82:
        return "%s %s %s %d %d 6 9 9100 @T@ @U@ ACCEPT OK" % (e, rnd.choice(remote), h, rnd.choice(ports), rnd.randrange(32768, 61000))
    if k < 90:
        return "%s %s %s %d %d 6 40 32000 @T@ @U@ ACCEPT OK" % (e, h, hosts[rnd.randrange(20)], rnd.randrange(32768, 61000), rnd.choice([5432, 6379]))
    if k < 97:
        src = "%d.%d.%d.%d" % (rnd.randrange(1, 223), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255))
        return "%s %s %s %d %d 6 1 40 @T@ @U@ REJECT OK" % (e, src, h, rnd.randrange(1024, 65535), rnd.randrange(1, 65535))
    if k < 99:
        return "%s %s %s %d %d 6 2 120 @T@ @U@ REJECT OK" % (e, h, hosts[rnd.randrange(400)], rnd.randrange(32768, 61000), rnd.randrange(1, 10000))
    j = i // 100 % 4
    if j == 0:  # an instance scanning one host's ports
        return "%s %s 10.@B@.9.9 %d %d 6 1 44 @T@ @U@ ACCEPT OK" % (e, hosts[3], 40000 + i % 20000, i // 400 % 2000 + 1)
    if j == 1:  # an instance sweeping port 6379 across hosts
        return "%s %s 10.@B@.%d.%d %d 6379 6 1 44 @T@ @U@ ACCEPT OK" % (e, hosts[4], i // 400 % 200, i // 80000 % 250 + 1, 40000 + i % 20000)
    if j == 2:  # SSH brute force from the Internet
        return "%s 203.0.113.9 %s %d 22 6 10 840 @T@ @U@ ACCEPT OK" % (e, hosts[5], 30000 + i % 30000)
    return "%s 198.51.100.%d %s %d 5432 6 6 400 @T@ @U@ ACCEPT OK" % (e, i // 400 % 250 + 1, hosts[6], 30000 + i % 30000)


segments = []
for s in range(PER_DOC // PER_SECOND):
    segments.append("\n".join(record(s * PER_SECOND + k) for k in range(PER_SECOND)) + "\n")

f = sys.stdout if out == "-" else open(out, "w")
f.write("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
t, written, doc = 1795168800, 0, 0
while written < n:
    block = str(doc % 200 + 1) if rotate else "0"
    parts = []
    for seg in segments:
        if written >= n:
            break
        text = seg.replace("@T@", str(t)).replace("@U@", str(t + 60)).replace("@B@", block)
        if written + PER_SECOND > n:
            text = "".join(l + "\n" for l in text.split("\n")[: n - written])
        parts.append(text)
        written += PER_SECOND
        t += 1
    f.write("".join(parts))
    doc += 1
if f is not sys.stdout:
    f.close()
