#!/usr/bin/env python3
"""redis_runner.py -- the Redis builtins in the `etamil` runner against a
real redis-server (issue 7), conformance style: each tests/redis/NAME.qmz
runs with ETAMIL_REDIS pointing at a private server (and ETAMIL_REDIS_SOCK
at its Unix socket); standard output must equal NAME.out exactly, standard
error NAME.err (exit status 1 then, else 0).  NAME.env adds NAME=VALUE
lines to the environment.  connect.qmz runs once more against a server
whose RESET is disabled (Redis before 6.2): same output."""
import glob
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_redis import RedisServer  # noqa: E402

BUILDDIR = os.path.abspath(os.environ.get("top_builddir", "."))
SRCDIR = os.path.abspath(os.environ.get("top_srcdir", "."))
ETAMIL = os.path.join(BUILDDIR, "src", "etamil")
TESTS = os.path.join(SRCDIR, "tests", "redis")


def read(path, default=None):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return default


def main():
    names = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(TESTS, "*.qmz")))
    if len(sys.argv) > 1:
        names = sys.argv[1:]
    failed = []
    run_all(names, failed, RedisServer(unixsocket=True), "")
    # A server without RESET (as before Redis 6.2): state is dropped by
    # reconnecting instead, with the same results.
    run_all(["connect"], failed, RedisServer(extra_args=["--rename-command", "RESET", ""]),
            " (server without RESET)")
    print("%d passed, %d failed" % (len(names) + 1 - len(failed), len(failed)))
    return 1 if failed else 0


def run_all(names, failed, server, note):
    with server as r:
        r.start()
        for name in names:
            env = dict(os.environ, ETAMIL_REDIS=r.addr, ETAMIL_REDIS_SOCK=r.sock or "", LC_ALL="C.UTF-8")
            env.pop("ETAMIL_PATH", None)
            for line in (read(os.path.join(TESTS, name + ".env"), b"") or b"").decode().splitlines():
                if "=" in line:
                    k, v = line.split("=", 1)
                    env[k] = v
            p = subprocess.run([ETAMIL, os.path.join(TESTS, name + ".qmz")], env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
            want_out = read(os.path.join(TESTS, name + ".out"), b"")
            want_err = read(os.path.join(TESTS, name + ".err"))
            want_rc = 1 if want_err is not None else 0
            ok = p.stdout == want_out and p.returncode == want_rc and \
                (want_err is None and p.stderr == b"" or p.stderr == want_err)
            print("%s: %s%s" % ("ok" if ok else "FAIL", name, note), flush=True)
            if not ok:
                failed.append(name + note)
                print("--- stdout\n%s--- stderr\n%s--- status %d" %
                      (p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"),
                       p.returncode))


if __name__ == "__main__":
    sys.exit(main())
