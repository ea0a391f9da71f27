#!/usr/bin/env python3
"""redis_dns.py -- a Redis named by host name (issue 7): the lookup is
bounded by redis_timeout too.

* `redis localhost:PORT` (a name, resolved, its addresses tried in turn):
  requests succeed;
* a resolver that never answers (etamild runs in a mount namespace whose
  /etc/resolv.conf names a black-hole nameserver, 5 s x 2 attempts): the
  handler's தவறு comes within redis_timeout (1 s) + 1 s, not after the
  resolver's 10 s, and the worker keeps serving other routes meanwhile.

Needs root, unshare(1) and mount --bind (skipped, status 77, without).
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import ETAMILD, Daemon, check, http_request  # noqa: E402
from lib_redis import SKIP, RedisServer  # noqa: E402

APP = r'''
வழி பெறு, "/incr" {
    c = ரெடிஸ்_இணை();
    (c) எனில் { } இன்றேல் { பதில் 503, "connect: " & சொல்லாக்கு(c); வெளியேறு(0); }
    r = ரெடிஸ்_கட்டளை("INCR", ["counter"]);
    (r) எனில் { பதில் 200, இயல்பு(r, 0); } இன்றேல் { பதில் 503, "redis: " & சொல்லாக்கு(r); }
}
வழி பெறு, "/plain" {
    பதில் 200, "no redis here";
}
'''

BLACKHOLE = "127.0.0.77"


def get(d, path, timeout=20):
    st, _, body = http_request(d.port, path, timeout=timeout)
    return st, body.decode()


def namespace_works(resolv):
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    p = subprocess.run(["unshare", "-m", "sh", "-c",
                        "mount --bind %s /etc/resolv.conf && cat /etc/resolv.conf" % resolv],
                       capture_output=True, text=True)
    return p.returncode == 0 and BLACKHOLE in p.stdout


def main():
    with RedisServer() as r:
        r.start()
        conf = "threads 2\nredis localhost:%d\nredis_timeout 2s\n" % r.port
        with Daemon(workers=1, conf=conf, app=APP, name="etamild-dns") as d:
            d.start()
            st, body = get(d, "/incr")
            check(st == 200 and body == "1", "redis localhost:PORT: the name is resolved and "
                  "its addresses tried (%s %s)" % (st, body))

    tmp = tempfile.mkdtemp(prefix="etamild-dns-")
    try:
        resolv = os.path.join(tmp, "resolv.conf")
        with open(resolv, "w") as f:
            f.write("nameserver %s\noptions timeout:5 attempts:2\n" % BLACKHOLE)
        try:
            hole = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            hole.bind((BLACKHOLE, 53))
        except OSError as e:
            print("SKIP: cannot listen on %s:53 (%s)" % (BLACKHOLE, e))
            return SKIP
        if not namespace_works(resolv):
            print("SKIP: no mount namespace (needs root and unshare)")
            return SKIP
        queries = []
        stop = threading.Event()

        def swallow():
            hole.settimeout(0.2)
            while not stop.is_set():
                try:
                    queries.append(hole.recvfrom(2048)[0])
                except socket.timeout:
                    pass
        t = threading.Thread(target=swallow)
        t.start()
        try:
            conf = ("threads 2\nredis redis.etamild-test.example.com:6379\n"
                    "redis_timeout 1s\n")
            with Daemon(workers=1, conf=conf, app=APP, name="etamild-dns") as d:
                cmd = ["unshare", "-m", "sh", "-c",
                       "mount --bind %s /etc/resolv.conf && exec %s -c %s -f"
                       % (resolv, ETAMILD, d.conf)]
                d.start(cmd=cmd)
                results = []

                def slow():
                    t0 = time.monotonic()
                    try:
                        st, body = get(d, "/incr", timeout=15)
                    except (OSError, ConnectionError) as e:
                        st, body = None, "no answer: %r" % e
                    results.append((st, body, time.monotonic() - t0))
                th = threading.Thread(target=slow)
                th.start()
                time.sleep(0.3)
                t0 = time.monotonic()
                st, body = get(d, "/plain")
                dt = time.monotonic() - t0
                check(st == 200 and dt < 0.5, "while a lookup hangs, other routes answer "
                      "(%.3f s)" % dt)
                th.join(30)
                st, body, dt = results[0]
                check(st == 503 and "connect: தவறு(" in body and "timed out" in body and dt < 2.0,
                      "a resolver that never answers: தவறு after %.2f s (redis_timeout 1s, "
                      "resolver 5 s x 2): %s" % (dt, body))
                check(len(queries) > 0, "... the name was really asked of the black hole "
                      "(%d queries)" % len(queries))
        finally:
            stop.set()
            t.join()
            hole.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
