"""master_term_slow.py -- issue 4: SIGTERM while an eTamil handler is busy.
A handler loops for about 1.5 s (until /proc/uptime, read with a file
statement, has moved on by 1.5 s: the language has no clock, and a count of
iterations calibrated beforehand is unreliable on a loaded machine); TERM
reaches the master while it runs.  The request completes
with 200 and its whole body, the daemon exits 0 within graceful_timeout,
the pid file is gone, and a connection attempted after TERM is refused or
answered, never reset in the middle of its request."""
import os
import select
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, http_request, read_response  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

GRACEFUL = 5.0          # lib_daemon's graceful_timeout

# /slow?s=S loops for S seconds of /proc/uptime (10 ms steps), at most 20
# million rounds; pad is 16 * 2^12 = 65536 bytes.
APP = r'''
செயல் இப்போது() {
    கோப்பு_படி "/proc/uptime", u;
    திரும்பு மதிப்பு(எண்ணாக்கு(பிரி(u, " ")[0]));
}
வழி பெறு, "/slow" {
    s = மதிப்பு(எண்ணாக்கு(query_params["s"]));
    pad = "0123456789abcdef";
    k = 0;
    (k < 12) சுற்று { pad = pad & pad; k = k + 1; }
    அச்சு "slow: started for " & s & "s";
    தொடக்கம் = இப்போது();
    i = 0;
    (i < 20000000 மற்றும் இப்போது() < தொடக்கம் + s) சுற்று { i = i + 1; }
    பதில் 200, "slow done after " & s & "s\n" & pad,
        {"Content-Type": "text/plain", "X-Rounds": i};
}
வழி பெறு, "/fast" {
    பதில் 200, "fast";
}
'''
PAD = b"0123456789abcdef" * 4096


def expected(secs):
    return b"slow done after %ss\n" % secs.encode() + PAD


with Daemon(workers=2, app=APP, conf="handler_timeout 20s\n", name="master-term-slow") as d:
    d.start()
    check(os.path.exists(d.pid_file) and open(d.pid_file).read().split()[0] == str(d.pid),
          "pid file names the master")
    check(http_request(d.port, "/fast")[2] == b"fast", "fast route answers")

    t = time.monotonic()
    s, h, b = http_request(d.port, "/slow?s=0.2", timeout=10)
    dt = time.monotonic() - t
    check(s == 200 and b == expected("0.2") and 0.15 < dt < 3,
          "/slow?s=0.2: 200, full body, after %.2fs (%s rounds)" % (dt, h.get("x-rounds")))

    # the slow request, then TERM while its handler loops
    after = len(d.log())
    slow = socket.create_connection(("127.0.0.1", d.port), timeout=15)
    slow.sendall(b"GET /slow?s=1.5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(d.wait_log("slow: started for 1.5s", 5, after), "the slow handler is running")
    time.sleep(0.1)
    check(select.select([slow], [], [], 0)[0] == [], "no answer yet when TERM is sent")
    t_term = time.monotonic()
    d.signal(signal.SIGTERM)
    check(d.wait_log("graceful stop", 2, after), "master: graceful stop logged")
    time.sleep(0.2)

    # a new connection after TERM: refused, or answered in full
    try:
        late = socket.create_connection(("127.0.0.1", d.port), timeout=10)
    except ConnectionRefusedError:
        outcome = "refused"
    else:
        try:
            late.sendall(b"GET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            st, _, body = read_response(late)
            outcome = "answered %d %r" % (st, body)
        except (OSError, ConnectionError) as e:
            outcome = "failed: %r" % e
        late.close()
    check(outcome == "refused" or outcome.startswith("answered"),
          "a connection attempted after TERM is refused or answered (%s)" % outcome)

    # the request in flight completes
    try:
        st, rh, body = read_response(slow)
        rest = slow.recv(1)
    except (OSError, ConnectionError) as e:
        st, rh, body, rest = repr(e), {}, b"", None
    t_done = time.monotonic() - t_term
    slow.close()
    check(st == 200, "TERM: the slow request completes with 200 (%s)" % st)
    check(body == expected("1.5") and rh.get("connection") == "close",
          "... with its full body (%d bytes) and Connection: close" % len(body))
    check(rest == b"", "... then a clean EOF")

    rc = d.wait_exit(GRACEFUL + 2)
    t_exit = time.monotonic() - t_term
    check(rc == 0, "TERM: exit status 0 (%r)" % rc)
    check(t_exit < GRACEFUL, "... within graceful_timeout: answer after %.2fs, exit after %.2fs"
          % (t_done, t_exit))
    check(t_done > 0.8, "the answer came when the handler was done, not at TERM")
    check(not os.path.exists(d.pid_file), "TERM: pid file removed")
sys.exit(0)
