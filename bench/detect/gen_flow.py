#!/usr/bin/env python3
"""Write a VPC Flow Logs file (default v2 format, with header) of N records.
Mostly ordinary traffic between a few hundred instances and the Internet,
plus a port scan and an SSH brute force, so detectors have work to do.
Deterministic (fixed seed).  usage: gen_flow.py OUT N"""
import random, sys
out, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(7)
hosts = ["10.0.%d.%d" % (i // 250, i % 250 + 1) for i in range(400)]
remote = ["%d.%d.%d.%d" % (rnd.randrange(1, 223), rnd.randrange(256), rnd.randrange(256), rnd.randrange(1, 255)) for _ in range(5000)]
ports = [443, 80, 53, 123, 5432, 3306, 8080, 22]
t = 1700000000
with open(out, "w") as f:
    f.write("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
    for i in range(n):
        if i % 1000 == 0:
            t += 1
        h = hosts[i % 400]
        r = remote[rnd.randrange(5000)]
        k = i % 97
        if k == 0:   # scanner probing one host's ports
            line = "2 123456789012 eni-0a1b2c3d4e5f60001 198.51.100.7 %s 40000 %d 6 1 44 %d %d REJECT OK" % (hosts[3], i % 2000 + 1, t, t + 60)
        elif k == 1:  # SSH brute force
            line = "2 123456789012 eni-0a1b2c3d4e5f60002 203.0.113.9 %s %d 22 6 10 840 %d %d ACCEPT OK" % (hosts[5], 30000 + i % 30000, t, t + 60)
        elif k < 50:  # outbound client traffic
            line = "2 123456789012 eni-0a1b2c3d4e5f6%04d %s %s %d %d 6 12 4800 %d %d ACCEPT OK" % (i % 400, h, r, 32768 + i % 28000, ports[i % 8], t, t + 60)
        else:         # replies
            line = "2 123456789012 eni-0a1b2c3d4e5f6%04d %s %s %d %d 6 9 9100 %d %d ACCEPT OK" % (i % 400, r, h, ports[i % 8], 32768 + i % 28000, t, t + 60)
        f.write(line + "\n")
