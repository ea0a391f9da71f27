"""http_basic.py -- HTTP/1.1 behaviour of the real daemon: built-ins, the
server's headers, keep-alive, pipelining, HEAD, HTTP/1.0, bare-LF heads,
keepalive_requests, keepalive_timeout (0 disables keep-alive), status_path,
CORS, access log lines."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, run  # noqa: E402
from lib_http import Reader, close_all, connect, exchange, get, json_error, wait  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

version = run(["-V"])[1].split()[-1]
DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")

conf = ("access_log access.log\nstatus_path /status\n"
        "header_timeout 1s\nbody_timeout 1s\nkeepalive_timeout 2s\n")
with Daemon(workers=2, conf=conf, name="http-basic") as d:
    d.start()
    p = d.port

    (r,), rd = exchange(p, get("/health"))
    check(r.status == 200 and r.reason == "OK" and r.body == b'{"status":"healthy"}',
          "GET /health: 200 OK {\"status\":\"healthy\"}")
    check(r.version == "HTTP/1.1", "status line HTTP/1.1")
    check(DATE.match(r.h("date") or "") is not None, "Date header in IMF-fixdate: %s" % r.h("date"))
    check(r.h("server") == "etamild/" + version, "Server: etamild/%s" % version)
    check(r.h("content-length") == "20" and r.h("content-type") == "application/json",
          "Content-Length and Content-Type")
    check(r.h("connection") == "keep-alive", "HTTP/1.1 default: Connection: keep-alive")
    check("access-control-allow-origin" not in r.headers, "no CORS headers without cors_origin")

    # keep-alive: more requests on the same connection
    rd.s.sendall(get("/health"))
    r2 = rd.response()
    rd.s.sendall(get("/nothing/here"))
    r3 = rd.response()
    check(r2.status == 200 and r3.status == 404, "keep-alive: 3 requests on one connection")
    check(json_error(r3, 404) and r3.body == b'{"error": "Not Found"}' and r3.reason == "Not Found",
          "404 {\"error\": \"Not Found\"}")
    rd.s.close()

    # pipelining: 5 requests in one write, answered in order
    batch = (get("/health") + get("/a") + get("/health", method="HEAD") +
             get("/b?x=1") + get("/health"))
    s = connect(p)
    s.sendall(batch)
    rd = Reader(s)
    rs = [rd.response(), rd.response(), rd.response(head=True), rd.response(), rd.response()]
    check([x.status for x in rs] == [200, 404, 200, 404, 200], "pipelining: 5 answers in request order")
    check(rs[2].h("content-length") == "20" and rs[2].body == b"",
          "HEAD: Content-Length of the GET answer, no body")
    check(all(x.h("connection") == "keep-alive" for x in rs), "pipelined answers keep the connection")
    s.sendall(get("/health"))
    check(rd.response().status == 200, "the connection still works after the pipeline")
    s.close()

    # pipelining deeper than the read-ahead limit (16): 40 in one write
    s = connect(p)
    s.sendall(b"".join(get("/health" if i % 3 else "/x%d" % i) for i in range(40)))
    rd = Reader(s)
    sts = [rd.response().status for i in range(40)]
    check(sts == [404 if i % 3 == 0 else 200 for i in range(40)], "40 pipelined requests answered in order")
    s.close()

    # HTTP/1.0
    (r,), rd = exchange(p, get("/health", version="1.0"))
    check(r.status == 200 and r.h("connection") == "close" and rd.eof(),
          "HTTP/1.0 without keep-alive: Connection: close, then EOF")
    (r,), rd = exchange(p, get("/health", version="1.0", extra=b"Connection: keep-alive\r\n"))
    check(r.h("connection") == "keep-alive", "HTTP/1.0 with Connection: keep-alive is kept")
    rd.s.sendall(get("/health", version="1.0", extra=b"Connection: keep-alive\r\n"))
    check(rd.response().status == 200, "... and serves a second request")

    # Connection: close from an HTTP/1.1 client
    (r,), rd = exchange(p, get("/health", extra=b"Connection: close\r\n"))
    check(r.h("connection") == "close" and rd.eof(), "HTTP/1.1 Connection: close honoured")

    # a head ending in a bare \n\n
    (r,), rd = exchange(p, b"GET /health HTTP/1.1\nHost: x\n\n")
    check(r.status == 200, "a head ending in bare \\n\\n is accepted")

    # status_path from 127.0.0.1 (in status_allow by default)
    (r,), rd = exchange(p, get("/status"))
    check(r.status == 200 and r.h("content-type") == "text/plain; version=0.0.4",
          "status_path: 200 text/plain; version=0.0.4")
    check(b"# TYPE" in r.body or b"etamild" in r.body, "status_path: Prometheus text")
    (r,), rd = exchange(p, get("/status", method="HEAD"), head=True)
    check(r.status == 200 and r.body == b"", "HEAD status_path")
    (r,), rd = exchange(p, get("/health", method="POST", extra=b"Content-Length: 0\r\n"))
    check(r.status == 404, "POST /health: 404 (the built-in answers GET and HEAD)")

    # access log: combined format plus request time
    line_re = re.compile(r'^127\.0\.0\.1 - - \[\d\d/\w\w\w/\d{4}:\d\d:\d\d:\d\d \+0000\] '
                         r'"GET /b\?x=1 HTTP/1\.1" 404 22 "-" "-" \d+\.\d{6}$')

    def log_lines():
        try:
            with open(os.path.join(d.dir, "access.log")) as f:
                return f.read().splitlines()
        except OSError:
            return []
    check(wait(lambda: any(line_re.match(x) for x in log_lines())),
          "access log: combined format + request time")
    s = connect(p)
    s.sendall(get("/health", extra=b'User-Agent: t"e\\st\r\nReferer: http://r/\r\n'))
    Reader(s).response()
    s.close()
    ua_re = re.compile(r'"GET /health HTTP/1\.1" 200 20 "http://r/" "t\\x22e\\x5Cst" \d+\.\d{6}$')
    check(wait(lambda: any(ua_re.search(x) for x in log_lines())),
          "access log: Referer and User-Agent, quotes escaped")
    check(wait(lambda: any('"HEAD /health HTTP/1.1" 200 0 ' in x for x in log_lines())),
          "access log: HEAD logs 0 body bytes")
    close_all()

# status_allow that excludes us: 403; cors_origin adds the three CORS lines
with Daemon(workers=1, conf="status_path /metrics\nstatus_allow 10.0.0.0/8\ncors_origin https://a.example\n"
            "keepalive_requests 3\nkeepalive_timeout 1s\n",
            name="http-basic2") as d:
    d.start()
    (r,), rd = exchange(d.port, get("/metrics"))
    check(json_error(r, 403) and r.reason == "Forbidden", "status_path outside status_allow: 403 JSON")
    (r,), rd = exchange(d.port, get("/health"))
    check(r.h("access-control-allow-origin") == "https://a.example" and
          r.h("access-control-allow-methods") == "GET, POST, PUT, DELETE, OPTIONS" and
          r.h("access-control-allow-headers") == "Content-Type", "cors_origin: CORS headers")
    # the 3rd request reaches keepalive_requests 3: Connection: close, then EOF
    rd.s.sendall(get("/health"))
    r2 = rd.response()
    rd.s.sendall(get("/health"))
    r3 = rd.response()
    check(r2.h("connection") == "keep-alive" and r3.status == 200 and r3.h("connection") == "close",
          "keepalive_requests: the 3rd answer says close")
    check(rd.eof(), "... and the server closes cleanly")
    # an idle keep-alive connection is closed after keepalive_timeout
    (r,), rd = exchange(d.port, get("/health"))
    t0 = time.monotonic()
    check(r.h("connection") == "keep-alive" and rd.eof(timeout=4), "keepalive_timeout closes an idle connection")
    dt = time.monotonic() - t0
    check(0.8 < dt < 2.5, "... after about 1s (%.2fs)" % dt)
    close_all()

# keepalive_timeout 0: no keep-alive at all, every answer says close
with Daemon(workers=1, conf="keepalive_timeout 0\n", name="http-basic3") as d:
    d.start()
    (r,), rd = exchange(d.port, get("/health"))
    check(r.status == 200 and r.h("connection") == "close" and rd.eof(),
          "keepalive_timeout 0: HTTP/1.1 answer says Connection: close, then EOF")
    (r,), rd = exchange(d.port, get("/health", version="1.0", extra=b"Connection: keep-alive\r\n"))
    check(r.status == 200 and r.h("connection") == "close" and rd.eof(),
          "keepalive_timeout 0: also against HTTP/1.0 Connection: keep-alive")
    (r,), rd = exchange(d.port, get("/health") + get("/health"))
    check(r.status == 200 and r.h("connection") == "close" and rd.eof(),
          "keepalive_timeout 0: pipelined requests get one answer with close, then EOF")
    (r,), rd = exchange(d.port, get("/health", method="HEAD"), head=True)
    check(r.status == 200 and r.h("connection") == "close" and rd.eof(),
          "keepalive_timeout 0: HEAD too")
    close_all()
sys.exit(0)
