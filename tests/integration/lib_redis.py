"""lib_redis.py -- a private redis-server for integration tests.

    from lib_redis import RedisServer
    with RedisServer() as r:          # skips the test (77) without redis-server
        r.start()                     # free loopback port, temp dir, no persistence
        r.call("SET", "k", "v")       # a tiny RESP client (bytes/int/None/list)
        r.stop(); r.start()           # same port again
    RedisServer(password="pw")        # requirepass pw (call() authenticates)
    # leaving the block stops the server by its pid and removes its directory

Never touches the system instance on 6379.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class RespError(Exception):
    pass


def _read_line(f):
    line = f.readline()
    if not line.endswith(b"\r\n"):
        raise ConnectionError("connection closed")
    return line[:-2]


def read_reply(f):
    line = _read_line(f)
    t, rest = line[:1], line[1:]
    if t == b"+":
        return rest.decode()
    if t == b"-":
        return RespError(rest.decode())
    if t == b":":
        return int(rest)
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if t == b"*":
        n = int(rest)
        if n < 0:
            return None
        return [read_reply(f) for _ in range(n)]
    raise ValueError("bad RESP line %r" % line)


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if not isinstance(a, bytes):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RedisServer:
    def __init__(self, unixsocket=False, extra_args=(), password=None):
        if not shutil.which("redis-server"):
            print("SKIP: no redis-server")
            sys.exit(SKIP)
        self.dir = tempfile.mkdtemp(prefix="etamild-redis-")
        self.port = free_port()
        self.sock = os.path.join(self.dir, "redis.sock") if unixsocket else None
        self.proc = None
        self.started_once = False
        self.extra_args = list(extra_args)
        self.password = password       # requirepass; call() authenticates with it
        if password:
            self.extra_args += ["--requirepass", password]

    @property
    def addr(self):
        return "127.0.0.1:%d" % self.port

    def start(self, timeout=10):
        """Start on self.port; the first start retries on another free port
        when that one was taken meanwhile."""
        for attempt in range(5):
            try:
                return self._start(timeout)
            except RuntimeError:
                self.stop()
                if self.started_once or attempt == 4:
                    raise
                self.port = free_port()

    def _start(self, timeout):
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", self.dir,
                "--daemonize", "no", "--logfile", os.path.join(self.dir, "redis.log")]
        if self.sock:
            args += ["--unixsocket", self.sock, "--unixsocketperm", "700"]
        args += self.extra_args
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("redis-server exited with %s" % self.proc.returncode)
            try:
                if self.call("PING") == "PONG":
                    self.started_once = True
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def pause(self):
        """SIGSTOP: connections are accepted by the kernel, nothing answers."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def call(self, *args, db=0):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            f = s.makefile("rb")
            if self.password:
                s.sendall(encode("AUTH", self.password))
                read_reply(f)
            if db:
                s.sendall(encode("SELECT", db))
                read_reply(f)
            s.sendall(encode(*args))
            return read_reply(f)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
