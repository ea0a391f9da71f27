"""lib_daemon.py -- run the real src/etamild for integration tests.

    from lib_daemon import Daemon, check
    with Daemon(workers=2, conf="access_log access.log\\n") as d:
        d.start()                      # -f, waits for the "started" log line
        status, headers, body = d.get("/health")
        d.signal(signal.SIGHUP)
    # leaving the block stops the daemon (SIGTERM, then SIGKILL) by its pid

Every daemon listens on a free loopback port, lives in its own temporary
directory (configuration, app, logs, pid file) and is stopped by its pid.
Tests exit 0 (pass), 1 (fail) or 77 (skip).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

BUILDDIR = os.path.abspath(os.environ.get("top_builddir", "."))
SRCDIR = os.path.abspath(os.environ.get("top_srcdir", "."))
ETAMILD = os.path.join(BUILDDIR, "src", "etamild")

# A small eTamil application (the runtime compiles it once it is plugged in).
APP = 'வழி பெறு, "/hello" {\n    பதில் 200, "வணக்கம்";\n}\n'

SKIP = 77


def free_port():
    """A loopback TCP port nobody listens on right now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def check(cond, what):
    if not cond:
        print("FAIL:", what, flush=True)
        sys.exit(1)
    print("ok:", what, flush=True)


def wait_for(pred, timeout=10.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def run(args, timeout=20, **kw):
    """Run etamild with args; returns (status, stdout, stderr)."""
    p = subprocess.run([ETAMILD] + list(args), capture_output=True, text=True,
                       timeout=timeout, **kw)
    return p.returncode, p.stdout, p.stderr


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def listen_inodes(port):
    """Inodes of the TCP sockets listening on port (IPv4 and IPv6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    col = line.split()
                    if col[3] == "0A" and int(col[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(int(col[9]))
        except OSError:
            pass
    return inodes


def process_listen_sockets(pid, port):
    """The listening sockets on port that process pid holds, as inodes."""
    want = listen_inodes(port)
    held = []
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if target.startswith("socket:["):
                ino = int(target[8:-1])
                if ino in want:
                    held.append(ino)
    except OSError:
        pass
    return held


def http_request(port, path="/", method="GET", headers=None, body=b"", timeout=5.0,
                 host="127.0.0.1", sock=None, keep=False):
    """One HTTP/1.1 request; returns (status, headers dict, body bytes) and,
    with keep=True, the open socket as a fourth element."""
    hdrs = {"Host": "localhost"}
    if not keep:
        hdrs["Connection"] = "close"
    hdrs.update(headers or {})
    if body:
        hdrs["Content-Length"] = str(len(body))
    req = "%s %s HTTP/1.1\r\n" % (method, path)
    req += "".join("%s: %s\r\n" % kv for kv in hdrs.items()) + "\r\n"
    s = sock
    if s is None:
        s = socket.create_connection((host, port), timeout=timeout)
    s.settimeout(timeout)
    s.sendall(req.encode() + body)
    status, rh, rb = read_response(s, method == "HEAD")
    if keep:
        return status, rh, rb, s
    s.close()
    return status, rh, rb


def read_response(s, head=False):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed before the response head")
        buf += chunk
    head_raw, rest = buf.split(b"\r\n\r\n", 1)
    lines = head_raw.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    rh = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        rh[k.strip().lower()] = v.strip()
    n = 0 if head else int(rh.get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed in the body")
        rest += chunk
    return status, rh, rest[:n]


class Load:
    """Background clients hammering path until stop(); counts answers.

    keepalive: each client reuses its connection until the server says
    Connection: close (or closes it after a complete response)."""

    def __init__(self, port, path="/health", clients=4, keepalive=True):
        self.port, self.path, self.keepalive = port, path, keepalive
        self.ok = self.non2xx = self.errors = 0
        self.error_samples = []
        self.lock = threading.Lock()
        self.running = True
        self.threads = [threading.Thread(target=self._client, daemon=True)
                        for _ in range(clients)]

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _client(self):
        sock = None
        while self.running:
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                extra = None if self.keepalive else {"Connection": "close"}
                status, rh, _, sock = http_request(self.port, self.path, sock=sock, keep=True,
                                                   headers=extra, timeout=10)
                with self.lock:
                    if 200 <= status < 300:
                        self.ok += 1
                    else:
                        self.non2xx += 1
                if not self.keepalive or rh.get("connection", "").lower() == "close":
                    sock.close()
                    sock = None
            except (OSError, ConnectionError, ValueError, IndexError) as e:
                with self.lock:
                    self.errors += 1
                    if len(self.error_samples) < 5:
                        self.error_samples.append(repr(e))
                if sock is not None:
                    sock.close()
                sock = None
                time.sleep(0.01)
        if sock is not None:
            sock.close()

    def stop(self):
        self.running = False
        for t in self.threads:
            t.join(15)

    def summary(self):
        return "%d ok, %d non-2xx, %d errors %s" % (self.ok, self.non2xx, self.errors,
                                                     self.error_samples)


class Daemon:
    def __init__(self, workers=2, conf="", app=APP, name="etamild-test"):
        self.dir = tempfile.mkdtemp(prefix=name + "-")
        self.port = free_port()
        self.workers = workers
        self.extra = conf
        self.conf = os.path.join(self.dir, "etamild.conf")
        self.error_log = os.path.join(self.dir, "error.log")
        self.pid_file = os.path.join(self.dir, "etamild.pid")
        self.proc = None
        self.pid = None
        with open(os.path.join(self.dir, "app.qmz"), "w") as f:
            f.write(app)
        self.write_config()

    def config_text(self, extra=None):
        return ("listen 127.0.0.1:%d\nworkers %d\napp app.qmz\npid_file etamild.pid\n"
                "error_log error.log\nlog_level info\nstart_timeout 5s\n"
                "graceful_timeout 5s\n%s" % (self.port, self.workers,
                                             self.extra if extra is None else extra))

    def write_config(self, extra=None, text=None):
        with open(self.conf, "w") as f:
            f.write(text if text is not None else self.config_text(extra))

    def __enter__(self):
        return self

    def __exit__(self, etype, exc, tb):
        self.stop()
        failed = etype is not None and not (etype is SystemExit and exc.code in (0, None, SKIP))
        if failed or os.environ.get("ETAMILD_TEST_KEEP"):
            print("kept for inspection: %s" % self.dir)
            sys.stdout.write(self.log()[-4000:])
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, args=("-f",), wait=True, env=None, cmd=None, **popen):
        """Start etamild -c CONF ARGS (or cmd, a full command line)."""
        self.out = open(os.path.join(self.dir, "stdout"), "w")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(cmd or [ETAMILD, "-c", self.conf] + list(args),
                                     stdout=self.out, stderr=subprocess.STDOUT, env=full_env,
                                     **popen)
        self.pid = self.proc.pid
        if wait and not self.wait_started():
            raise RuntimeError("etamild did not start:\n" + self.log())
        return self

    def wait_started(self, timeout=10):
        """Wait for the master's start-up notice, i.e. every worker is ready."""
        return wait_for(lambda: "started:" in self.log() or
                        (self.proc and self.proc.poll() is not None), timeout) and \
            "started:" in self.log()

    def log(self):
        try:
            with open(self.error_log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def wait_log(self, text, timeout=10, after=0):
        return wait_for(lambda: text in self.log()[after:], timeout)

    def signal(self, sig, pid=None):
        os.kill(pid or self.pid, sig)

    def workers_pids(self):
        return children(self.pid)

    def get(self, path="/health", **kw):
        return http_request(self.port, path, **kw)

    def metric(self, name, path="/status"):
        """The value of the unlabelled metric NAME on status_path, or None."""
        _, _, body = http_request(self.port, path)
        for line in body.decode().splitlines():
            if line.startswith(name + " "):
                return int(float(line.split()[1]))
        return None

    def http_ok(self):
        try:
            return self.get("/health", timeout=2)[0] == 200
        except (OSError, ConnectionError, ValueError, IndexError):
            return False

    def wait_exit(self, timeout=15):
        if self.proc is not None:
            try:
                return self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                return None
        return None

    def stop(self):
        """Stop the master by its pid (TERM, then KILL) and every worker it left."""
        if self.proc is None:
            return None
        pids = [self.pid] + children(self.pid)
        rc = self.proc.poll()
        if rc is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            rc = self.wait_exit(15)
            if rc is None:
                os.kill(self.pid, signal.SIGKILL)
                rc = self.proc.wait()
        for p in pids[1:]:
            if alive(p):
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc = None
        self.out.close()
        return rc
