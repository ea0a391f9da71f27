"""http_limits.py -- limits and timeouts answer instead of hanging: 400,
408 (head and body), 413 (Content-Length, chunked, Expect: 100-continue),
431, 503 (max_connections), each a JSON error with the standard reason
phrase followed by a clean close; chunked bodies; Expect: 100-continue."""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check  # noqa: E402
from lib_http import Reader, close_all, connect, exchange, get, json_error  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)


def post(path, body=b"", extra=b"", chunked=None):
    h = "POST %s HTTP/1.1\r\nHost: x\r\n" % path
    if chunked is not None:
        h += "Transfer-Encoding: chunked\r\n"
        data = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunked) + b"0\r\n\r\n"
    else:
        h += "Content-Length: %d\r\n" % len(body)
        data = body
    return h.encode() + extra + b"\r\n" + data


def closing_error(r, rd, status, reason, what):
    if not (json_error(r, status) and r.reason == reason and r.h("connection") == "close"):
        print("got:", r, r.raw_head)
    check(json_error(r, status) and r.reason == reason and r.h("connection") == "close",
          "%s: %d %s, JSON error, Connection: close" % (what, status, reason))
    check(rd.eof(), "%s: then a clean close (EOF, no reset)" % what)
    rd.s.close()


conf = ("max_connections 3\nheader_timeout 1s\nbody_timeout 1s\n"
        "keepalive_timeout 5s\nmax_header_size 1k\nmax_body_size 100\n")
with Daemon(workers=1, conf=conf, name="http-limits") as d:
    d.start()
    p = d.port

    # 400
    (r,), rd = exchange(p, b"BLAH / HTTP/1.1\r\n\r\n")
    closing_error(r, rd, 400, "Bad Request", "malformed request line")
    (r,), rd = exchange(p, b"GET / HTTP/1.1\r\nBad Header\r\n\r\n")
    closing_error(r, rd, 400, "Bad Request", "header line without a colon")
    (r1, r2), rd = exchange(p, get("/health") + b"GET /\x01 HTTP/1.1\r\n\r\n", n=2)
    check(r1.status == 200 and r1.h("connection") == "keep-alive" and r2.status == 400,
          "pipelined good + bad: 200 first, then 400")
    check(rd.eof(), "... then a clean close")
    rd.s.close()

    # 431
    (r,), rd = exchange(p, get("/health", extra=b"X-Big: " + b"a" * 2000 + b"\r\n"))
    closing_error(r, rd, 431, "Request Header Fields Too Large", "max_header_size")
    s = connect(p)
    s.sendall(b"GET /" + b"u" * 3000)   # a request line that never ends
    rd = Reader(s)
    closing_error(rd.response(), rd, 431, "Request Header Fields Too Large", "an endless request line")

    # 413
    (r,), rd = exchange(p, post("/x", b"z" * 101))
    closing_error(r, rd, 413, "Payload Too Large", "Content-Length over max_body_size")
    s = connect(p)
    s.sendall(post("/x", chunked=[b"a" * 60, b"b" * 41]))
    rd = Reader(s)
    closing_error(rd.response(), rd, 413, "Payload Too Large", "chunked body over max_body_size")
    # chunked: exactly max_body_size decoded bytes (more on the wire) is fine
    (r1, r2), rd = exchange(p, post("/x", chunked=[b"a" * 30] * 3 + [b"b" * 10]) + get("/health"), n=2)
    check(r1.status == 404 and r2.status == 200,
          "chunked body of max_body_size decoded bytes accepted; next pipelined request framed right")
    rd.s.close()
    (r1, r2), rd = exchange(p, post("/x", b"0123456789") + get("/health"), n=2)
    check(r1.status == 404 and r2.status == 200, "Content-Length body, then a pipelined request")
    rd.s.close()

    # Expect: 100-continue
    s = connect(p)
    s.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
    rd = Reader(s)
    c = rd.response()
    check(c.status == 100 and c.reason == "Continue" and c.body == b"", "Expect: 100-continue gets 100 Continue")
    s.sendall(b"hello")
    r = rd.response()
    check(r.status == 404 and r.h("connection") == "keep-alive", "... then the final answer")
    s.sendall(get("/health"))
    check(rd.response().status == 200, "... and the connection goes on")
    s.close()
    s = connect(p)
    s.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
    rd = Reader(s)
    closing_error(rd.response(), rd, 413, "Payload Too Large", "Expect: 100-continue with a too big body")

    # 408: the head does not complete within header_timeout
    s = connect(p)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
    t0 = time.monotonic()
    rd = Reader(s)
    r = rd.response()
    dt = time.monotonic() - t0
    closing_error(r, rd, 408, "Request Timeout", "header_timeout")
    check(0.8 < dt < 3, "header_timeout fires after about 1s (%.2fs)" % dt)
    # a slow drip does not extend header_timeout
    s = connect(p)
    rd = Reader(s)
    s.sendall(b"GET /health HTTP/1.1\r\n")
    for i in range(3):
        time.sleep(0.4)
        try:
            s.sendall(b"X-%d: y\r\n" % i)
        except OSError:
            break
    closing_error(rd.response(), rd, 408, "Request Timeout", "header_timeout counts from the first byte")
    # 408: the body stalls for body_timeout
    s = connect(p)
    s.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
    rd = Reader(s)
    closing_error(rd.response(), rd, 408, "Request Timeout", "body_timeout")

    # a connection that never sends a byte is closed without an answer
    s = connect(p)
    rd = Reader(s)
    check(rd.eof(timeout=4), "an idle new connection is closed silently after header_timeout")
    s.close()

    # 503: max_connections 3 per worker (closing connections count until closed)
    time.sleep(0.3)
    idle = [connect(p) for _ in range(3)]
    for x in idle:
        x.sendall(get("/health"))
        check(Reader(x).response().status == 200, "connection within max_connections served")
    s = connect(p)
    rd = Reader(s)
    r = rd.response()
    closing_error(r, rd, 503, "Service Unavailable", "over max_connections")
    idle[0].sendall(get("/health"))
    check(Reader(idle[0]).response().status == 200, "the connections within the limit still work")
    for x in idle:
        x.close()
    time.sleep(0.2)
    (r,), rd = exchange(p, get("/health"))
    check(r.status == 200, "after they close new connections are served again")
    close_all()
sys.exit(0)
