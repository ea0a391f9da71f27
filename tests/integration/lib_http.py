"""lib_http.py -- exact HTTP/1.1 checks over raw sockets for the http_*
integration tests (standard library only).

    s = connect(port)
    s.sendall(b"GET /health HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n")
    r = read_response(s)          # Response(status, reason, headers, body, raw_head)
    rs = read_responses(s, 5)     # several, in order
    closed(s)                     # the server closed (EOF, not a reset)
"""
import json
import socket
import time


class Response:
    def __init__(self, version, status, reason, headers, body, raw_head):
        self.version, self.status, self.reason = version, status, reason
        self.headers, self.body, self.raw_head = headers, body, raw_head

    def h(self, name):
        return self.headers.get(name.lower())

    def json(self):
        return json.loads(self.body.decode())

    def __repr__(self):
        return "<%d %s %r %r>" % (self.status, self.reason, self.headers, self.body[:80])


class Reader:
    """Buffered reader over a socket (keeps bytes between responses)."""

    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def _fill(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def response(self, head=False):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        raw, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = raw.decode("latin-1").split("\r\n")
        version, status, reason = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        n = 0 if head or int(status) in (204, 304) or int(status) < 200 \
            else int(headers.get("content-length", "0"))
        while len(self.buf) < n:
            self._fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return Response(version, int(status), reason, headers, body, raw)

    def eof(self, timeout=3.0):
        """True if the peer closed cleanly (EOF) with no further bytes."""
        self.s.settimeout(timeout)
        try:
            while True:
                chunk = self.s.recv(65536)
                if not chunk:
                    return self.buf == b""
                self.buf += chunk
        except (socket.timeout, ConnectionResetError):
            return False


_open = []


def connect(port, timeout=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    _open.append(s)
    return s


def close_all():
    """Close every socket connect() opened (so a stopping daemon need not
    wait for its lingering closes)."""
    while _open:
        _open.pop().close()


def get(path="/health", host="x", extra=b"", version="1.1", method="GET"):
    return ("%s %s HTTP/%s\r\nHost: %s\r\n" % (method, path, version, host)).encode() + extra + b"\r\n"


def exchange(port, data, n=1, head=False, timeout=5.0):
    """Send data on a new connection, read n responses; returns (responses, reader)."""
    s = connect(port, timeout)
    s.sendall(data)
    r = Reader(s)
    return [r.response(head) for _ in range(n)], r


def json_error(resp, status):
    """resp is a server error: status, reason phrase, JSON {"error": ...}."""
    try:
        body = resp.json()
    except ValueError:
        return False
    return resp.status == status and isinstance(body, dict) and \
        isinstance(body.get("error"), str) and resp.h("content-type") == "application/json"


def wait(pred, timeout=5.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()
