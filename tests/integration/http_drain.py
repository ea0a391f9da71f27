"""http_drain.py -- the worker half of graceful draining: on SIGTERM a
worker stops accepting, finishes requests already started, answers the
next request of a keep-alive connection with Connection: close, closes idle
connections after a short grace without a reset, and exits 0; rolling
restarts (SIGHUP) under keep-alive load fail no request; SIGINT stops now."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, Load, check  # noqa: E402
from lib_http import Reader, close_all, connect, get  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

conf = "keepalive_timeout 10s\nheader_timeout 5s\n"
with Daemon(workers=1, conf=conf, name="http-drain") as d:
    d.start()
    p = d.port
    a, c = connect(p), connect(p)
    ra, rc = Reader(a), Reader(c)
    for s, r in ((a, ra), (c, rc)):
        s.sendall(get("/health"))
        check(r.response().h("connection") == "keep-alive", "keep-alive connection before the drain")
    b = connect(p)
    rb = Reader(b)
    b.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")       # a request half sent
    q = connect(p)
    rq = Reader(q)
    q.sendall(get("/health") * 3)                            # pipelined, maybe not all answered yet
    time.sleep(0.2)
    t0 = time.monotonic()
    d.signal(signal.SIGTERM)
    time.sleep(0.1)

    a.sendall(get("/health"))
    r = ra.response()
    check(r.status == 200 and r.h("connection") == "close",
          "draining: the next request on a keep-alive connection is answered with Connection: close")
    check(ra.eof(), "... then the connection closes cleanly")
    a.close()

    b.sendall(b"\r\n")
    r = rb.response()
    check(r.status == 200 and r.h("connection") == "close", "draining: a request already started completes")
    check(rb.eof(), "... then the connection closes cleanly")
    b.close()

    rs = [rq.response() for _ in range(3)]
    check([x.status for x in rs] == [200] * 3, "draining: every pipelined request already read is answered")
    check(rq.eof(), "... then the connection closes cleanly")
    q.close()

    check(rc.eof(timeout=4), "draining: an idle keep-alive connection is closed after the grace, no reset")
    dt = time.monotonic() - t0
    c.close()
    check(0.5 < dt < 4, "... after about 1s of quiet (%.2fs)" % dt)
    rcode = d.wait_exit(10)
    check(rcode == 0, "the daemon exits 0 once every connection is gone (status %r)" % rcode)
    close_all()

# rolling restarts under keep-alive load: no failed request
with Daemon(workers=2, conf=conf, name="http-drain2") as d:
    d.start()
    with Load(d.port, clients=6, keepalive=True) as load:
        time.sleep(0.5)
        for i in range(3):
            d.signal(signal.SIGHUP)
            time.sleep(0.8)
        time.sleep(0.5)
        load.stop()
    check(load.ok > 100 and load.errors == 0 and load.non2xx == 0,
          "3 rolling restarts under keep-alive load: " + load.summary())
    # SIGINT: stop now, even with connections open
    s = connect(d.port)
    s.sendall(get("/health"))
    Reader(s).response()
    d.signal(signal.SIGINT)
    rcode = d.wait_exit(5)
    check(rcode == 0, "SIGINT: fast stop with an open keep-alive connection (status %r)" % rcode)
    close_all()
sys.exit(0)
