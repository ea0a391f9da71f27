#!/usr/bin/env python3
"""redis_daemon.py -- eTamil handlers using Redis inside the real etamild,
against a private redis-server (issue 7):

* reply mapping of every reply type through a handler;
* binary-safe arguments (a request body with CRLF stays one value);
* kept connections are invisible: SELECT, MULTI left open, WATCH, CLIENT
  SETNAME and SUBSCRIBE in one request do not leak into the next, and a
  request that only reads does not pay for a reset;
* 2000 requests at concurrency 50 incrementing one counter -> exactly 2000;
* Redis paused (accepts, never answers) and stopped -> the handler's தவறு
  path answers within redis_timeout + 1 s, other routes keep serving;
* Redis restarted -> requests succeed again, without restarting etamild;
* a handler past handler_timeout while in a Redis command is interrupted;
* the status metrics count commands, errors and reconnects.
"""
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, http_request, read_response  # noqa: E402
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
வழி பெறு, "/map" {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("DEL", ["m:l"]);
    ரெடிஸ்_கட்டளை("RPUSH", ["m:l", "a", "b"]);
    ரெடிஸ்_கட்டளை("SET", ["m:s", "வணக்கம்"]);
    out = [ரெடிஸ்_கட்டளை("PING", []), ரெடிஸ்_கட்டளை("SET", ["m:k", "v"]),
           ரெடிஸ்_கட்டளை("INCRBY", ["m:n", -3]), ரெடிஸ்_கட்டளை("GET", ["m:s"]),
           ரெடிஸ்_கட்டளை("GET", ["m:none"]), ரெடிஸ்_கட்டளை("LRANGE", ["m:l", 0, -1]),
           ரெடிஸ்_கட்டளை("LRANGE", ["m:none", 0, -1]), ரெடிஸ்_கட்டளை("BLPOP", ["m:none", "0.01"]),
           ரெடிஸ்_கட்டளை("INCR", ["m:s"]),
           ரெடிஸ்_கட்டளை("EVAL", ["return {1, {2, redis.error_reply('E nested')}}", 0])];
    பதில் 200, சொல்லாக்கு(out);
}
வழி பதி, "/store" {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("SET", ["bin", request_body]);
    பதில் 200, சொல்லாக்கு(ரெடிஸ்_கட்டளை("GET", ["bin"]));
}
வழி பெறு, "/select" {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("SELECT", [1]);
    பதில் 200, சொல்லாக்கு(ரெடிஸ்_கட்டளை("SET", ["where", "db1"]));
}
வழி பெறு, "/multi" {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("WATCH", ["w"]);
    பதில் 200, சொல்லாக்கு(ரெடிஸ்_கட்டளை("MULTI", []));
}
வழி பெறு, "/name" {
    ரெடிஸ்_இணை();
    பதில் 200, சொல்லாக்கு(ரெடிஸ்_கட்டளை("CLIENT", ["SETNAME", "leaky"]));
}
வழி பெறு, "/subscribe" {
    ரெடிஸ்_இணை();
    பதில் 200, சொல்லாக்கு(ரெடிஸ்_கட்டளை("SUBSCRIBE", ["chan"]));
}
வழி பெறு, "/state" {
    ரெடிஸ்_இணை();
    info = ரெடிஸ்_கட்டளை("CLIENT", ["INFO"]);
    பதில் 200, சொல்லாக்கு([ரெடிஸ்_கட்டளை("GET", ["where"]), ரெடிஸ்_கட்டளை("CLIENT", ["GETNAME"]),
                           ரெடிஸ்_கட்டளை("PING", []), info]);
}
வழி பெறு, "/noconnect" {
    பதில் 200, சொல்லாக்கு(ரெடிஸ்_கட்டளை("PING", []));
}
'''

TIMEOUT = 1.0       # redis_timeout in the configuration below


def get(d, path, **kw):
    st, _, body = http_request(d.port, path, **kw)
    return st, body.decode()


def state_tests(r):
    conf = ("threads 1\nredis %s\nredis_timeout 1s\nstatus_path /status\n" % r.addr)
    with Daemon(workers=1, conf=conf, app=APP, name="etamild-redis") as d:
        d.start()
        st, body = get(d, "/map")
        check(st == 200 and body ==
              "[சரி(PONG), சரி(OK), சரி(-3), சரி(வணக்கம்), சரி(nil), சரி([a, b]), சரி([]), "
              "சரி(nil), தவறு(ERR value is not an integer or out of range), சரி([1, [2, E nested]])]",
              "reply mapping of every reply type through a handler: %s" % body)

        value = b"line 1\r\nSET injected 1\r\n\x00end \xe0\xae\xb5"
        r.call("DEL", "injected")
        st, _, body = http_request(d.port, "/store", method="POST", body=value)
        check(st == 200 and r.call("GET", "bin") == value and r.call("EXISTS", "injected") == 0,
              "binary-safe arguments: a body with CRLF and NUL is stored as one value")

        st, body = get(d, "/noconnect")
        check("இணைக்கப்படவில்லை" in body, "a request that did not connect is not connected "
              "(no connection leaks from an earlier request)")

        r.call("SET", "where", "db0")
        st, body = get(d, "/select")
        check(body == "சரி(OK)" and r.call("GET", "where", db=1) == b"db1", "a handler SELECTs db 1")
        st, body = get(d, "/state")
        check(body.startswith("[சரி(db0), சரி(nil), சரி(PONG), சரி(id=") and " db=0 " in body,
              "the next request on the same thread is back in db 0: %s" % body[:60])
        first_id = body.split("id=")[1].split()[0]

        get(d, "/multi")
        st, body = get(d, "/state")
        check(body.startswith("[சரி(db0), சரி(nil), சரி(PONG)") and " multi=-1 " in body,
              "MULTI and WATCH left open do not leak")
        get(d, "/name")
        st, body = get(d, "/state")
        check(body.startswith("[சரி(db0), சரி(nil)"), "CLIENT SETNAME does not leak")
        get(d, "/subscribe")
        r.call("PUBLISH", "chan", "hello")
        st, body = get(d, "/state")
        check(body.startswith("[சரி(db0), சரி(nil), சரி(PONG)") and " sub=0 " in body,
              "a subscription (and a message published to it) does not leak")
        check(body.split("id=")[1].split()[0] == first_id,
              "... all on one kept connection (RESET, no reconnect)")

        get(d, "/incr")     # resets what /state's CLIENT commands may have changed
        before = r.call("INFO", "commandstats").decode()
        resets = [l for l in before.splitlines() if l.startswith("cmdstat_reset:")]
        for _ in range(5):
            get(d, "/incr")
        after = r.call("INFO", "commandstats").decode()
        resets2 = [l for l in after.splitlines() if l.startswith("cmdstat_reset:")]
        check(resets == resets2, "requests that only INCR pay no RESET")

        # Redis paused: connections are accepted, nothing answers.
        r.pause()
        try:
            t0 = time.monotonic()
            st, body = get(d, "/incr", timeout=10)
            dt = time.monotonic() - t0
            check(st == 503 and "redis: தவறு(" in body and dt < TIMEOUT + 1.0,
                  "Redis not answering: the handler's தவறு path within redis_timeout + 1 s "
                  "(%.2f s): %s" % (dt, body))
            t0 = time.monotonic()
            st, body = get(d, "/plain")
            check(st == 200 and time.monotonic() - t0 < TIMEOUT, "other routes keep serving meanwhile (faster than redis_timeout)")
        finally:
            r.resume()
        st, body = get(d, "/incr")
        check(st == 200, "Redis answering again: requests succeed (%s)" % body)

        # Redis stopped, then started again on the same port.
        errors0 = d.metric("etamild_redis_errors_total")
        r.stop()
        t0 = time.monotonic()
        st, body = get(d, "/incr", timeout=10)
        dt = time.monotonic() - t0
        check(st == 503 and dt < TIMEOUT + 1.0 and "redis: தவறு(" in body,
              "Redis stopped: தவறு within redis_timeout + 1 s (%.2f s): %s" % (dt, body))
        st, body = get(d, "/health")
        check(st == 200, "the worker is alive (/health)")
        st, body = get(d, "/plain")
        check(st == 200, "the worker still serves other routes")
        r.start()
        st, body = get(d, "/incr")
        check(st == 200 and body == "1", "Redis restarted: requests succeed again without "
              "restarting etamild (%s)" % body)
        check(d.metric("etamild_redis_errors_total") > errors0 and
              d.metric("etamild_redis_reconnects_total") >= 1 and
              d.metric("etamild_redis_commands_total") > 20,
              "status metrics: commands, errors and reconnects counted")


def cancel_test(r):
    """handler_timeout shorter than redis_timeout: the stopped handler's
    Redis command is interrupted, so its helper thread is free at once."""
    conf = ("threads 1\nredis %s\nredis_timeout 5s\nhandler_timeout 300ms\n" % r.addr)
    with Daemon(workers=1, conf=conf, app=APP, name="etamild-redis") as d:
        d.start()
        st, body = get(d, "/incr")
        check(st == 200, "handler_timeout test: Redis answers (%s)" % body)
        r.pause()
        try:
            t0 = time.monotonic()
            st, body = get(d, "/incr", timeout=10)
            dt = time.monotonic() - t0
            check(st == 503 and dt < 1.5, "a handler stuck in Redis past handler_timeout: 503 "
                  "after %.2f s" % dt)
            t0 = time.monotonic()
            st, body = get(d, "/plain", timeout=10)
            dt = time.monotonic() - t0
            check(st == 200 and dt < 2.5, "its only helper thread is free again at once "
                  "(%.2f s, redis_timeout is 5 s)" % dt)
        finally:
            r.resume()
        st, body = get(d, "/incr")
        check(st == 200, "and the next Redis request reconnects (%s)" % body)


def counter_test(r):
    conf = ("threads 4\nredis %s\nredis_timeout 2s\n" % r.addr)
    with Daemon(workers=2, conf=conf, app=APP, name="etamild-redis") as d:
        d.start()
        r.call("DEL", "counter")
        total, conc = 2000, 50
        results = {"ok": 0, "bad": []}
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
                            results["ok"] += 1
                        else:
                            results["bad"].append((st, body[:80]))
                    if rh.get("connection", "").lower() == "close":
                        sock.close()
                        sock = None
                except (OSError, ConnectionError) as e:
                    with lock:
                        results["bad"].append(repr(e))
                    if sock:
                        sock.close()
                    sock = None
            if sock:
                sock.close()

        t0 = time.monotonic()
        threads = [threading.Thread(target=client, args=(total // conc,)) for _ in range(conc)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        dt = time.monotonic() - t0
        value = int(r.call("GET", "counter") or 0)
        check(results["ok"] == total and not results["bad"] and value == total,
              "%d requests at concurrency %d: %d answered 200, counter = %d (%.2f s) %s"
              % (total, conc, results["ok"], value, dt, results["bad"][:3]))
        clients = [l for l in r.call("CLIENT", "LIST").decode().splitlines()
                   if "cmd=client" not in l]
        check(len(clients) == 2, "INCR goes on one shared connection per worker: %d clients "
              "for 2 workers x 4 threads" % len(clients))


def main():
    with RedisServer() as r:
        r.start()
        state_tests(r)
        cancel_test(r)
        counter_test(r)
    return 0


if __name__ == "__main__":
    sys.exit(main())
