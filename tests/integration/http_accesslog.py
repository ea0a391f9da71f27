#!/usr/bin/env python3
"""http_accesslog.py -- the access log under load: workers collect lines and
write them together (at most 0.1 s after the first, or at 64 KB), so check
that lines come soon and nothing is lost, torn or mixed:

* an idle worker writes a request's line within a second;
* 2 workers, 8 keep-alive clients for 2 s, then a graceful stop (SIGTERM):
  the log has exactly one whole, well-formed line per answered request,
  also with wrk at 100 connections when wrk is installed;
* SIGUSR1 under load: every line lands in the old or the new file, whole,
  and the counts add up;
* an access log that cannot be written (/dev/full): requests are answered,
  and the error log says so once.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, Load, check, http_request, wait_for  # noqa: E402

LINE = re.compile(r'^127\.0\.0\.1 - - \[\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d \+0000\] '
                  r'"GET /health HTTP/1\.1" 200 20 "-" "-" \d+\.\d{6}$')


def lines(path):
    try:
        with open(path) as f:
            return f.read().split("\n")
    except OSError:
        return []


def whole(ls):
    """(well-formed lines, other non-empty lines); the text must end in \\n."""
    body = [x for x in ls[:-1]]
    good = sum(1 for x in body if LINE.match(x))
    return good, [x for x in body if not LINE.match(x)] + ([ls[-1]] if ls and ls[-1] else [])


with Daemon(workers=2, conf="access_log access.log\nthreads 2\n", name="accesslog") as d:
    d.start()
    access = os.path.join(d.dir, "access.log")
    t0 = time.monotonic()
    http_request(d.port, "/health")
    check(wait_for(lambda: whole(lines(access))[0] == 1, 5),
          "an idle worker writes a line soon after its request (%.2f s; at most 0.1 s "
          "is planned)" % (time.monotonic() - t0))
    check(time.monotonic() - t0 < 1.0, "... within a second")
    with Load(d.port, clients=8) as load:
        time.sleep(2)
    ok = load.ok + 1
    d.signal(signal.SIGTERM)
    check(d.wait_exit(20) == 0, "graceful stop")
    good, bad = whole(lines(access))
    check(good == ok and not bad, "8 keep-alive clients, 2 workers: %d answers, %d whole lines, "
          "%d other (%s)" % (ok, good, len(bad), bad[:2]))

if shutil.which("wrk"):
    with Daemon(workers=2, conf="access_log access.log\n", name="accesslog") as d:
        d.start()
        access = os.path.join(d.dir, "access.log")
        out = subprocess.run(["wrk", "-t2", "-c100", "-d2s",
                              "http://127.0.0.1:%d/health" % d.port],
                             capture_output=True, text=True, timeout=30).stdout
        total = int(re.search(r"(\d+) requests in", out).group(1))
        time.sleep(0.5)             # wrk counts answers it received; a few may be in flight
        d.signal(signal.SIGTERM)
        check(d.wait_exit(20) == 0, "graceful stop after wrk")
        good, bad = whole(lines(access))
        check(not bad and total <= good <= total + 100,
              "wrk -c100: %d answers, %d whole lines (+ at most the 100 in flight), %d other"
              % (total, good, len(bad)))

with Daemon(workers=2, conf="access_log access.log\nthreads 2\n", name="accesslog") as d:
    d.start()
    access = os.path.join(d.dir, "access.log")
    with Load(d.port, clients=8) as load:
        time.sleep(1)
        os.rename(access, access + ".1")
        d.signal(signal.SIGUSR1)
        check(wait_for(lambda: os.path.exists(access), 5), "SIGUSR1 under load: a new file")
        time.sleep(1)
    ok = load.ok
    d.signal(signal.SIGTERM)
    check(d.wait_exit(20) == 0, "graceful stop")
    g1, b1 = whole(lines(access + ".1"))
    g2, b2 = whole(lines(access))
    check(g1 + g2 == ok and not b1 and not b2 and g1 > 0 and g2 > 0,
          "SIGUSR1 under load: %d + %d whole lines for %d answers, none torn (%s)"
          % (g1, g2, ok, (b1 + b2)[:2]))
if os.path.exists("/dev/full"):
    with Daemon(workers=1, conf="access_log /dev/full\n", name="accesslog") as d:
        d.start()
        ok = sum(http_request(d.port, "/health")[0] == 200 for _ in range(5))
        time.sleep(0.3)
        http_request(d.port, "/health")
        check(ok == 5 and d.wait_log("cannot write the access log /dev/full: No space left", 3),
              "an access log that cannot be written: requests are answered and the error log "
              "says the lines are lost")
        time.sleep(0.3)
        check(d.log().count("cannot write the access log") == 1,
              "... once, not per batch")
sys.exit(0)
