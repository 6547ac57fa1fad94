#!/usr/bin/env python3
"""Fault and behaviour tests of `mamori waf proxy` (used by test_waf_proxy.sh).

waf_proxy_check.py MAMORI WEBACL_PATH

Starts its own upstream (an HTTP/1.1 server recording what it receives) and
the proxy on free loopback ports, then checks: forwarding with
X-Forwarded-For and without hop-by-hop headers; blocking; keep-alive;
pipelining; chunked request bodies (re-framed); malformed requests (400 and
close); oversized headers (431); request smuggling shapes (TE+CL, bad chunk
sizes); slow clients (408); large streamed responses; reload on SIGHUP (and a
broken WebACL keeping the running one); clean stop on SIGTERM.  Every loop is
bounded; everything stays on 127.0.0.1."""
import os, signal, socket, subprocess, sys, threading, time

mamori, acl_path = sys.argv[1], sys.argv[2]
seen = []  # (request line, headers dict, body) as the upstream got them


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def upstream(sock):
    while True:
        try:
            c, _ = sock.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def serve(c):
    buf = b""
    c.settimeout(10)
    try:
        while True:
            while b"\r\n\r\n" not in buf:
                d = c.recv(65536)
                if not d:
                    return
                buf += d
            head, buf = buf.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            hdrs = {}
            for l in lines[1:]:
                k, v = l.split(":", 1)
                hdrs[k.strip().lower()] = v.strip()
            n = int(hdrs.get("content-length", "0"))
            while len(buf) < n:
                buf += c.recv(65536)
            body, buf = buf[:n], buf[n:]
            seen.append((lines[0], hdrs, body))
            path = lines[0].split(" ")[1]
            if path.startswith("/big"):
                payload = b"x" * (4 << 20)
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload)
            elif path.startswith("/chunked"):
                c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            else:
                out = b"ok " + path.encode()
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: keep-alive\r\n\r\n" % len(out) + out)
    except OSError:
        return
    finally:
        c.close()


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    return s


def read_response(s, head_only=False):
    """One response: (status, headers, body); None when the connection closed."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(65536)
        if not d:
            return None
        buf += d
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    hdrs = {}
    for l in lines[1:]:
        k, v = l.split(":", 1)
        hdrs[k.strip().lower()] = v.strip()
    if head_only:
        return status, hdrs, rest
    if "content-length" in hdrs:
        n = int(hdrs["content-length"])
        while len(rest) < n:
            d = s.recv(1 << 20)
            if not d:
                break
            rest += d
        return status, hdrs, rest[:n], rest[n:]
    if hdrs.get("transfer-encoding") == "chunked":
        while not rest.endswith(b"0\r\n\r\n"):
            d = s.recv(65536)
            if not d:
                break
            rest += d
        return status, hdrs, rest, b""
    return status, hdrs, rest, b""


def closed(s, wait=5):
    s.settimeout(wait)
    try:
        while True:
            d = s.recv(65536)
            if not d:
                return True
    except socket.timeout:
        return False
    except OSError:
        return True


def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)


up_port, px_port = free_port(), free_port()
us = socket.socket()
us.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
us.bind(("127.0.0.1", up_port))
us.listen(64)
threading.Thread(target=upstream, args=(us,), daemon=True).start()

proxy = subprocess.Popen([mamori, "waf", "proxy", "--listen", "127.0.0.1:%d" % px_port,
                          "--upstream", "http://127.0.0.1:%d" % up_port, "-w", acl_path,
                          "--threads", "2", "--timeout", "1500", "--max-header", "4096"],
                         stderr=subprocess.PIPE, text=True)
line = proxy.stderr.readline()
check("listening on 127.0.0.1:%d" % px_port in line, "proxy started: " + line.strip())
try:
    UA = b"User-Agent: proxy-test\r\n"
    # forwarding, X-Forwarded-For, hop-by-hop headers, keep-alive
    s = connect(px_port)
    s.sendall(b"GET /hello?x=1 HTTP/1.1\r\nHost: a\r\n" + UA + b"Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nX-Forwarded-For: 203.0.113.1\r\n\r\n")
    st, h, body, _ = read_response(s)
    check(st == 200 and body == b"ok /hello?x=1", "a clean request is forwarded")
    line0, uh, _ = seen[-1]
    check(uh.get("x-forwarded-for") == "203.0.113.1, 127.0.0.1", "X-Forwarded-For is appended: %r" % uh.get("x-forwarded-for"))
    check("x-secret" not in uh and "connection" not in uh, "hop-by-hop headers are not forwarded")
    s.sendall(b"GET /second HTTP/1.1\r\nHost: a\r\n" + UA + b"\r\n")
    st, h, body, _ = read_response(s)
    check(st == 200 and body == b"ok /second", "keep-alive: a second request on the connection")
    # blocked by the WebACL
    s.sendall(b"GET /blocked-by-test HTTP/1.1\r\nHost: a\r\n" + UA + b"\r\n")
    st, h, body, _ = read_response(s)
    check(st == 403, "the WebACL's block rule answers 403")
    s.sendall(b"GET /q?id=1%27%20or%20%271%27=%271 HTTP/1.1\r\nHost: a\r\n" + UA + b"\r\n")
    st, h, body, _ = read_response(s)
    check(st == 403, "a managed-group match (SQL injection) is blocked")
    s.close()
    # pipelining: three requests in one write, three responses in order
    s = connect(px_port)
    s.sendall(b"".join(b"GET /p%d HTTP/1.1\r\nHost: a\r\n" % i + UA + b"\r\n" for i in range(3)))
    got = b""
    deadline = time.time() + 5
    while got.count(b"HTTP/1.1 200") < 3 and time.time() < deadline:
        got += s.recv(65536)
    check(got.index(b"ok /p0") < got.index(b"ok /p1") < got.index(b"ok /p2"), "pipelined requests are answered in order")
    s.close()
    # chunked request body, re-framed with Content-Length
    s = connect(px_port)
    s.sendall(b"POST /upload HTTP/1.1\r\nHost: a\r\n" + UA + b"Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"4;ext=1\r\nabcd\r\n3\r\nefg\r\n0\r\nTrailer: x\r\n\r\n")
    st, h, body, _ = read_response(s)
    line0, uh, ub = seen[-1]
    check(st == 200 and ub == b"abcdefg" and uh.get("content-length") == "7" and "transfer-encoding" not in uh,
          "a chunked body reaches the upstream de-chunked with Content-Length")
    s.close()
    # chunked response relayed as is
    s = connect(px_port)
    s.sendall(b"GET /chunked HTTP/1.1\r\nHost: a\r\n" + UA + b"\r\n")
    st, h, body, _ = read_response(s)
    check(st == 200 and b"hello" in body and b"world" in body, "a chunked response is relayed")
    s.close()
    # a large response streams through
    s = connect(px_port)
    s.sendall(b"GET /big HTTP/1.1\r\nHost: a\r\n" + UA + b"\r\n")
    st, h, body, _ = read_response(s)
    check(st == 200 and len(body) == 4 << 20, "a 4 MiB response streams through")
    s.close()
    # malformed requests: 400 and close
    for bad, what in ((b"GET / HTTP/1.1\r\nHost a\r\n\r\n", "a header without colon"),
                      (b"GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", "spaces in the target"),
                      (b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", "obsolete line folding"),
                      (b"GET / HTTP/1.1\r\n\r\n", "no Host"),
                      (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "Transfer-Encoding with Content-Length"),
                      (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "two Content-Lengths"),
                      (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "a bad chunk size"),
                      (b"GET / HTTP/1.1\rHost: a\r\n\r\n", "a bare CR")):
        s = connect(px_port)
        s.sendall(bad)
        r = read_response(s)
        c2 = r is not None and closed(s)
        check(r is not None and r[0] == 400 and c2, "400 and close on " + what + ("" if r and r[0] == 400 and c2 else " (got %r, closed %r)" % (r and r[0], c2)))
        s.close()
    s = connect(px_port)
    s.sendall(b"GET / HTTP/2.0\r\nHost: a\r\n\r\n")
    r = read_response(s)
    check(r is not None and r[0] in (400, 505), "an unsupported version is refused")
    s.close()
    # oversized header section: 431
    s = connect(px_port)
    s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"b" * 8000 + b"\r\n\r\n")
    r = read_response(s)
    check(r is not None and r[0] == 431 and closed(s), "431 on an oversized header section")
    s.close()
    # slow client: 408 after --timeout
    s = connect(px_port)
    s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n")
    t0 = time.time()
    r = read_response(s)
    check(r is not None and r[0] == 408 and time.time() - t0 < 6, "a client too slow to send its head gets 408")
    s.close()
    s = connect(px_port)
    s.sendall(b"POST / HTTP/1.1\r\nHost: a\r\n" + UA + b"Content-Length: 100\r\n\r\npartial")
    r = read_response(s)
    check(r is not None and r[0] == 408, "a client too slow to send its body gets 408")
    s.close()
    # reload on SIGHUP: a new WebACL that blocks /hello
    acl = open(acl_path).read()
    open(acl_path, "w").write(acl.replace("/blocked-by-test", "/hello"))
    proxy.send_signal(signal.SIGHUP)
    check("reloaded" in proxy.stderr.readline(), "SIGHUP reloads the WebACL")
    s = connect(px_port)
    s.sendall(b"GET /hello HTTP/1.1\r\nHost: a\r\n" + UA + b"\r\n")
    check(read_response(s)[0] == 403, "the reloaded WebACL is enforced")
    s.close()
    open(acl_path, "w").write("{broken")
    proxy.send_signal(signal.SIGHUP)
    check("keeping the running WebACL" in proxy.stderr.readline(), "a broken WebACL on reload keeps the running one")
    s = connect(px_port)
    s.sendall(b"GET /hello HTTP/1.1\r\nHost: a\r\n" + UA + b"\r\n")
    check(read_response(s)[0] == 403, "still enforcing after the failed reload")
    s.close()
finally:
    proxy.send_signal(signal.SIGTERM)
    try:
        rc = proxy.wait(10)
    except subprocess.TimeoutExpired:
        proxy.kill()
        rc = -1
check(rc == 0, "SIGTERM stops the proxy cleanly")
