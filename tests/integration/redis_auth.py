#!/usr/bin/env python3
"""redis_auth.py -- a Redis that requires a password (issue 7): the
redis_user / redis_password / redis_password_file directives, and
ETAMIL_REDIS_USER / ETAMIL_REDIS_PASSWORD for the runner.

* with the password, handlers' plain commands (on the worker's shared
  connection) and others (on a connection of the request's own) work, also
  after a RESET (which logs a connection out) between requests;
* an ACL user and its password: the connections are that user's;
* a wrong password: ரெடிஸ்_இணை is தவறு with the server's AUTH error; no
  password: the command is தவறு(NOAUTH ...);
* the password from a file; a missing file is a FILE:LINE error at -t;
* the runner authenticates from its environment.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import BUILDDIR, Daemon, check, http_request, run  # noqa: E402
from lib_redis import RedisServer  # noqa: E402

APP = r'''
வழி பெறு, "/incr" {
    c = ரெடிஸ்_இணை();
    (c) எனில் { } இன்றேல் { பதில் 503, "connect: " & சொல்லாக்கு(c); வெளியேறு(0); }
    r = ரெடிஸ்_கட்டளை("INCR", ["counter"]);
    (r) எனில் { பதில் 200, இயல்பு(r, 0); } இன்றேல் { பதில் 503, "redis: " & சொல்லாக்கு(r); }
}
வழி பெறு, "/select" {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("SELECT", [1]);
    பதில் 200, சொல்லாக்கு(ரெடிஸ்_கட்டளை("SET", ["where", "db1"]));
}
வழி பெறு, "/whoami" {
    ரெடிஸ்_இணை();
    பதில் 200, சொல்லாக்கு([ரெடிஸ்_கட்டளை("ACL", ["WHOAMI"]), ரெடிஸ்_கட்டளை("GET", ["where"])]);
}
'''


def get(d, path):
    st, _, body = http_request(d.port, path, timeout=10)
    return st, body.decode()


def main():
    with RedisServer(password="s3cret w/ space",
                     extra_args=["--user", "alice", "on", ">al1ce", "~*", "&*", "+@all"]) as r:
        r.start()
        r.call("SET", "where", "db0")
        conf = ("threads 1\nredis %s\nredis_timeout 2s\nredis_password \"s3cret w/ space\"\n"
                % r.addr)
        with Daemon(workers=1, conf=conf, app=APP, name="etamild-auth") as d:
            d.start()
            st, body = get(d, "/incr")
            check(st == 200 and body == "1", "redis_password: a plain command on the shared "
                  "connection (%s %s)" % (st, body))
            st, body = get(d, "/whoami")
            check(st == 200 and body == "[சரி(default), சரி(db0)]",
                  "... a command on the request's own connection: %s" % body)
            st, body = get(d, "/select")
            check(body == "சரி(OK)", "a handler SELECTs db 1 (%s)" % body)
            for i in range(3):
                st, body = get(d, "/whoami")
                check(st == 200 and body == "[சரி(default), சரி(db0)]",
                      "after RESET (which logs out) the connection is authenticated again "
                      "and back in db 0 (%d): %s" % (i, body))
                get(d, "/select")
            check("password" not in d.log() and "s3cret" not in d.log(),
                  "the password is not in the log")

        conf = ("threads 2\nredis %s\nredis_user alice\nredis_password al1ce\n" % r.addr)
        with Daemon(workers=1, conf=conf, app=APP, name="etamild-auth") as d:
            d.start()
            st, body = get(d, "/whoami")
            check(body.startswith("[சரி(alice)"), "redis_user: an ACL user's connections: %s"
                  % body)
            st, body = get(d, "/incr")
            check(st == 200 and body == "2", "... and its plain commands (%s)" % body)

        pwfile = os.path.join(r.dir, "redis.pw")
        with open(pwfile, "w") as f:
            f.write("wrong\n")
        conf = "threads 1\nredis %s\nredis_password_file %s\n" % (r.addr, pwfile)
        with Daemon(workers=1, conf=conf, app=APP, name="etamild-auth") as d:
            d.start()
            st, body = get(d, "/incr")
            check(st == 503 and body.startswith("connect: தவறு(") and "AUTH: WRONGPASS" in body,
                  "a wrong password (from redis_password_file): ரெடிஸ்_இணை is தவறு with the "
                  "server's error: %s" % body)
            with open(pwfile, "w") as f:
                f.write("s3cret w/ space\n")
            d.signal(1)         # SIGHUP: the file is read again
            d.wait_log("reload", 10)
            ok = False
            for _ in range(50):
                st, body = get(d, "/incr")
                if st == 200:
                    ok = True
                    break
            check(ok and body == "3", "after fixing the file, SIGHUP: authenticated (%s %s)"
                  % (st, body))

        conf = "threads 1\nredis %s\n" % r.addr
        with Daemon(workers=1, conf=conf, app=APP, name="etamild-auth") as d:
            d.start()
            st, body = get(d, "/incr")
            check(st == 503 and "NOAUTH" in body, "no password: தவறு(NOAUTH ...): %s" % body)

            d.write_config(extra="redis_password_file %s/none\n" % r.dir)
            rc, _, err = run(["-t", "-c", d.conf])
            check(rc != 0 and "etamild.conf:" in err and "none" in err,
                  "a missing redis_password_file: FILE:LINE error at -t (%s)" % err.strip())

        prog = os.path.join(r.dir, "p.qmz")
        with open(prog, "w") as f:
            f.write('ரெடிஸ்_இணை(); அச்சு ரெடிஸ்_கட்டளை("INCR", ["counter"]);\n')
        env = dict(os.environ, ETAMIL_REDIS=r.addr, ETAMIL_REDIS_USER="alice",
                   ETAMIL_REDIS_PASSWORD="al1ce")
        p = subprocess.run([os.path.join(BUILDDIR, "src", "etamil"), prog], env=env,
                           capture_output=True, text=True, timeout=20)
        check(p.stdout.strip() == "சரி(4)", "the runner: ETAMIL_REDIS_USER / "
              "ETAMIL_REDIS_PASSWORD (%s %s)" % (p.stdout.strip(), p.stderr.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
