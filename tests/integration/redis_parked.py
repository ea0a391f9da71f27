#!/usr/bin/env python3
"""redis_parked.py -- handlers parked in Redis commands (issue 7), in the
real etamild against a private redis-server.

A handler's plain data command (GET, SET, INCR ...) is pipelined on the
worker's shared connection and the run suspends: its helper thread serves
others meanwhile, and the run resumes when the reply is in.  Checked here:

* with one helper thread and Redis paused, five requests wait in Redis and
  another route still answers at once; when Redis answers, all five do;
* 400 requests at concurrency 50 on one helper thread: every one counted
  once, over exactly one Redis connection per worker;
* several suspensions in one request (a loop), and a request that moves
  from the shared connection to its own (MULTI/EXEC) keeps its order and
  sees its own writes; ரெடிஸ்_பிரி + ரெடிஸ்_இணை start a new logical
  connection;
* a client that goes away while its request is parked; SIGHUP while
  requests are parked (they finish with 200); SIGINT while parked (clean
  exit);
* Redis paused past redis_timeout: தவறு within the timeout + 1 s, and the
  next request reconnects once Redis answers again;
* max_parked 0: no parking (a request in Redis holds its thread);
* 3 MB values from 6 requests at once: commands too big for the socket are
  finished by the event loop, replies of any size are read whole;
* a server that misbehaves on the shared connection (an unknown reply
  marker, a reply nobody asked for, a close in the middle of a reply): the
  handler's தவறு says so, and the worker goes on.
"""
import os
import signal
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, http_request, wait_for  # noqa: E402
from lib_redis import RedisServer  # noqa: E402

APP = r'''
வழி பெறு, "/incr" {
    ரெடிஸ்_இணை();
    r = ரெடிஸ்_கட்டளை("INCR", ["counter"]);
    (r) எனில் { பதில் 200, இயல்பு(r, 0); } இன்றேல் { பதில் 503, "redis: " & சொல்லாக்கு(r); }
}
வழி பெறு, "/plain" {
    பதில் 200, "no redis here";
}
வழி பெறு, "/loop" {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("DEL", ["l:n"]);
    எண் t = 0;
    i = 0;
    (i < 20) சுற்று {
        t = t + இயல்பு(ரெடிஸ்_கட்டளை("INCRBY", ["l:n", i]), 0);
        i = i + 1;
    }
    பதில் 200, சொல்லாக்கு([t, ரெடிஸ்_கட்டளை("GET", ["l:n"])]);
}
வழி பதி, "/big" {
    ரெடிஸ்_இணை();
    key = "big:" & query_params.k;
    ரெடிஸ்_கட்டளை("SET", [key, request_body]);
    r = ரெடிஸ்_கட்டளை("STRLEN", [key]);
    g = ரெடிஸ்_கட்டளை("GET", [key]);
    பதில் 200, சொல்லாக்கு([r, நீளம்(இயல்பு(g, ""))]);
}
வழி பெறு, "/mixed" {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("SET", ["x:n", 10]);
    a = ரெடிஸ்_கட்டளை("INCR", ["x:n"]);
    ரெடிஸ்_கட்டளை("MULTI", []);
    ரெடிஸ்_கட்டளை("INCR", ["x:n"]);
    ரெடிஸ்_கட்டளை("INCRBY", ["x:n", 5]);
    e = ரெடிஸ்_கட்டளை("EXEC", []);
    b = ரெடிஸ்_கட்டளை("GET", ["x:n"]);
    ரெடிஸ்_பிரி();
    ரெடிஸ்_இணை();
    c = ரெடிஸ்_கட்டளை("INCR", ["x:n"]);
    பதில் 200, சொல்லாக்கு([a, e, b, c]);
}
'''


def get(d, path, timeout=10):
    st, _, body = http_request(d.port, path, timeout=timeout)
    return st, body.decode()


def etamild_clients(r):
    """Redis connections other than the test's own."""
    return [l for l in r.call("CLIENT", "LIST").decode().splitlines()
            if "cmd=client" not in l]


def background(d, path, n, results):
    def one():
        try:
            results.append(get(d, path, timeout=20))
        except (OSError, ConnectionError) as e:
            results.append((None, repr(e)))
    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    return threads


def parked_tests(r):
    conf = "threads 1\nredis %s\nredis_timeout 5s\nstatus_path /status\n" % r.addr
    with Daemon(workers=1, conf=conf, app=APP, name="etamild-parked") as d:
        d.start()
        r.call("DEL", "counter")
        st, body = get(d, "/incr")
        check(st == 200 and body == "1", "a counter request (%s %s)" % (st, body))

        # One helper thread; Redis paused; five requests wait in Redis.
        r.pause()
        results = []
        try:
            threads = background(d, "/incr", 5, results)
            time.sleep(0.4)
            t0 = time.monotonic()
            st, body = get(d, "/plain", timeout=5)
            dt = time.monotonic() - t0
            check(st == 200 and dt < 0.5 and not results,
                  "five requests wait in Redis, yet the only helper thread serves "
                  "another route at once (%.3f s)" % dt)
            check(d.metric("etamild_handlers_parked") == 5,
                  "/status: etamild_handlers_parked 5 (%s)" % d.metric("etamild_handlers_parked"))
        finally:
            r.resume()
        for t in threads:
            t.join(20)
        check(sorted(st for st, _ in results) == [200] * 5 and
              sorted(int(b) for _, b in results) == [2, 3, 4, 5, 6],
              "when Redis answers, all five do, each counted once: %s" % results)
        check(d.metric("etamild_handlers_parked") == 0 and
              d.metric("etamild_redis_parked_total") >= 6,
              "/status: none parked now, %s parked in all"
              % d.metric("etamild_redis_parked_total"))

        # Many at once, one thread, one Redis connection.
        total, conc = 400, 50
        ok, bad = [0], []
        lock = threading.Lock()

        def client(n):
            sock = None
            for _ in range(n):
                try:
                    if sock is None:
                        sock = socket.create_connection(("127.0.0.1", d.port), timeout=10)
                    st, rh, body, sock = http_request(d.port, "/incr", sock=sock, keep=True,
                                                      timeout=10)
                    with lock:
                        if st == 200:
                            ok[0] += 1
                        else:
                            bad.append((st, body[:60]))
                except (OSError, ConnectionError) as e:
                    with lock:
                        bad.append(repr(e))
                    if sock:
                        sock.close()
                    sock = None
            if sock:
                sock.close()
        r.call("SET", "counter", 0)
        ts = [threading.Thread(target=client, args=(total // conc,)) for _ in range(conc)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(60)
        value = int(r.call("GET", "counter"))
        check(ok[0] == total and not bad and value == total,
              "%d requests at concurrency %d on one helper thread: %d answered 200, counter %d %s"
              % (total, conc, ok[0], value, bad[:3]))
        clients = etamild_clients(r)
        check(len(clients) == 1, "... over one Redis connection: %d" % len(clients))

        # Several suspensions in one request; shared -> own connection.
        st, body = get(d, "/loop")
        check(st == 200 and body == "[1330, சரி(190)]", "twenty commands in a loop: %s" % body)
        st, body = get(d, "/mixed")
        check(st == 200 and body == "[சரி(11), சரி([12, 17]), சரி(17), சரி(18)]",
              "INCR on the shared connection, then MULTI/EXEC and GET on the request's own, "
              "then a new logical connection: order and writes kept: %s" % body)
        check(len(etamild_clients(r)) == 2, "the request's own connection is kept besides "
              "the shared one")

        # A client that leaves while its request is parked, beside others.
        r.pause()
        results = []
        try:
            threads = background(d, "/incr", 3, results)
            s = socket.create_connection(("127.0.0.1", d.port), timeout=5)
            s.sendall(b"GET /incr HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(0.3)
            # a reset, not a FIN: the worker drops (cancels) the request
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
            time.sleep(0.2)
        finally:
            r.resume()
        for t in threads:
            t.join(20)
        check([st for st, _ in results] == [200] * 3,
              "a client gone while parked: the three parked beside it are answered 200, "
              "not failed with it (%s)" % results)
        st, body = get(d, "/incr")
        check(st == 200, "... and the worker goes on (%s %s)" % (st, body))
        check(d.metric("etamild_handlers_parked") == 0,
              "... and the parked gauge is back to 0 (the cancelled run counted out)")
        st, body = get(d, "/plain")
        check(st == 200, "... and serves other routes")

        # SIGHUP while requests are parked: they finish.
        r.pause()
        results = []
        try:
            threads = background(d, "/incr", 3, results)
            time.sleep(0.3)
            old = d.workers_pids()
            d.signal(signal.SIGHUP)
            time.sleep(0.5)
        finally:
            r.resume()
        for t in threads:
            t.join(20)
        check([st for st, _ in results] == [200] * 3,
              "SIGHUP while three requests are parked: all answered 200 (%s)" % results)
        check(wait_for(lambda: not set(old) & set(d.workers_pids()), 10),
              "... and the old worker exits once they are done")
        st, body = get(d, "/incr")
        check(st == 200, "the new worker serves Redis requests (%s)" % body)

        # Redis paused past redis_timeout (5 s here: a shorter one below).
    conf = "threads 1\nredis %s\nredis_timeout 1s\n" % r.addr
    with Daemon(workers=1, conf=conf, app=APP, name="etamild-parked") as d:
        d.start()
        get(d, "/incr")
        r.pause()
        try:
            t0 = time.monotonic()
            st, body = get(d, "/incr")
            dt = time.monotonic() - t0
            check(st == 503 and "redis: தவறு(" in body and 0.9 < dt < 2.0,
                  "Redis paused: the parked request gets தவறு after redis_timeout "
                  "(%.2f s): %s" % (dt, body))
        finally:
            r.resume()
        st, body = get(d, "/incr")
        check(st == 200, "Redis answering again: the next request reconnects (%s)" % body)

        # SIGINT while a request is parked: a clean, fast exit.
        r.pause()
        try:
            results = []
            threads = background(d, "/incr", 2, results)
            time.sleep(0.3)
            d.signal(signal.SIGINT)
            rc = d.wait_exit(10)
        finally:
            r.resume()
        for t in threads:
            t.join(20)
        check(rc == 0, "SIGINT while requests are parked: exit status %r" % rc)
        check("signal 11" not in d.log() and "died" not in d.log(),
              "... and no worker crashed")


def no_parking_test(r):
    conf = "threads 1\nredis %s\nredis_timeout 5s\nmax_parked 0\n" % r.addr
    with Daemon(workers=1, conf=conf, app=APP, name="etamild-parked") as d:
        d.start()
        get(d, "/incr")
        r.pause()
        results, plain = [], []
        try:
            threads = background(d, "/incr", 1, results)
            time.sleep(0.3)
            threads += background(d, "/plain", 1, plain)
            time.sleep(0.4)
            check(not plain, "max_parked 0: a request waiting in Redis holds the only thread "
                  "(another route waits too)")
        finally:
            r.resume()
        for t in threads:
            t.join(20)
        check([x[0] for x in results + plain] == [200, 200],
              "... and both answer when Redis does (%s %s)" % (results, plain))


def big_values_test(r):
    conf = ("threads 1\nredis %s\nredis_timeout 10s\nmax_body_size 8m\n"
            "handler_timeout 30s\n" % r.addr)
    with Daemon(workers=1, conf=conf, app=APP, name="etamild-parked") as d:
        d.start()
        results = []
        lock = threading.Lock()

        def one(k):
            body = (b"%d" % k) * (3 * 1024 * 1024)
            try:
                st, _, rb = http_request(d.port, "/big?k=%d" % k, method="POST", body=body,
                                         timeout=60)
                with lock:
                    results.append((k, st, rb.decode()))
            except (OSError, ConnectionError) as e:
                with lock:
                    results.append((k, None, repr(e)))
        ts = [threading.Thread(target=one, args=(k,)) for k in range(1, 7)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(90)
        want = "[சரி(%d), %d]" % (3 * 1024 * 1024, 3 * 1024 * 1024)
        check(len(results) == 6 and all(st == 200 and b == want for _, st, b in results),
              "6 requests at once SET and GET 3 MB each on the shared connection: %s"
              % [(k, st, b[:40]) for k, st, b in results])
        check(r.call("STRLEN", "big:4") == 3 * 1024 * 1024 and
              r.call("GETRANGE", "big:4", 0, 2) == b"444", "... stored whole and unmixed")


class FakeRedis:
    """A server that answers each command per a script: mode 'marker'
    answers ?x, 'extra' answers two replies, 'cut' half a bulk reply and
    closes."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.mode = "marker"
        self.accepted = 0
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        self.sock.settimeout(0.2)
        while self.running:
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            self.accepted += 1
            threading.Thread(target=self.client, args=(c,), daemon=True).start()

    def client(self, c):
        buf = b""
        c.settimeout(5)
        try:
            while self.running:
                data = c.recv(65536)
                if not data:
                    return
                buf += data
                # one reply per complete command (an array of bulk strings)
                while True:
                    n = commands_in(buf)
                    if n is None:
                        break
                    buf = buf[n:]
                    if self.mode == "marker":
                        c.sendall(b"?x\r\n")
                    elif self.mode == "extra":
                        c.sendall(b"+OK\r\n+UNASKED\r\n")
                    else:
                        c.sendall(b"$10\r\nhalf")
                        c.close()
                        return
        except OSError:
            pass
        finally:
            c.close()

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


def commands_in(buf):
    """Bytes of the first complete RESP command in buf, or None."""
    if not buf.startswith(b"*") or b"\r\n" not in buf:
        return None
    head, _, rest = buf.partition(b"\r\n")
    pos = len(head) + 2
    for _ in range(int(head[1:])):
        line_end = buf.find(b"\r\n", pos)
        if line_end < 0:
            return None
        n = int(buf[pos + 1:line_end])
        pos = line_end + 2 + n + 2
        if pos > len(buf):
            return None
    return pos


def misbehaving_server_test():
    fake = FakeRedis()
    try:
        conf = "threads 1\nredis 127.0.0.1:%d\nredis_timeout 2s\n" % fake.port
        with Daemon(workers=1, conf=conf, app=APP, name="etamild-parked") as d:
            d.start()
            st, body = get(d, "/incr")
            check(st == 503 and "unknown RESP marker '?'" in body,
                  "an unknown reply marker on the shared connection: %s" % body)
            fake.mode = "extra"
            before = fake.accepted
            st, body = get(d, "/incr")
            st2, body2 = get(d, "/incr")
            check(body == "OK" and body2 == "OK" and fake.accepted == before + 2,
                  "a reply nobody asked for drops the connection, so no later request gets "
                  "it: %s / %s, %d new connections" % (body, body2, fake.accepted - before))
            fake.mode = "cut"
            st, body = get(d, "/incr")
            check(st == 503 and "மூடப்பட்டது" in body,
                  "a close in the middle of a reply: the connection closed: %s" % body)
            st, body = get(d, "/plain")
            check(st == 200, "the worker goes on serving")
    finally:
        fake.stop()


def main():
    with RedisServer() as r:
        r.start()
        parked_tests(r)
        no_parking_test(r)
        big_values_test(r)
    misbehaving_server_test()
    return 0


if __name__ == "__main__":
    sys.exit(main())
