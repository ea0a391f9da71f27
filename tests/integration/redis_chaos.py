#!/usr/bin/env python3
"""redis_chaos.py -- parked handlers under everything at once (issue 7).

For about 6 seconds, against 2 workers with 2 helper threads each:
keep-alive clients run Redis counter requests (parked on the shared
connection), others run MULTI/EXEC requests (a connection of their own) and
CPU-bound requests that handler_timeout stops, some clients reset their
connection in the middle of a request, Redis is paused now and then for
longer than redis_timeout, and the master gets SIGHUP every second.

Afterwards: no worker crashed, every answer was 200 or one of the expected
failures (503 from a Redis timeout or handler_timeout), the daemon serves
Redis requests normally again, no handler is left parked, and a graceful
stop exits 0 without contexts left in use.
"""
import os
import random
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
    a = ரெடிஸ்_கட்டளை("INCR", ["chaos:n"]);
    b = ரெடிஸ்_கட்டளை("GET", ["chaos:n"]);
    (a) எனில் { பதில் 200, இயல்பு(a, 0); } இன்றேல் { பதில் 503, சொல்லாக்கு(a); }
}
வழி பெறு, "/multi" {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("MULTI", []);
    ரெடிஸ்_கட்டளை("INCR", ["chaos:m"]);
    e = ரெடிஸ்_கட்டளை("EXEC", []);
    (e) எனில் { பதில் 200, சொல்லாக்கு(e); } இன்றேல் { பதில் 503, சொல்லாக்கு(e); }
}
வழி பெறு, "/spin" {
    i = 0;
    (i >= 0) சுற்று { i = i + 1; }
}
வழி பெறு, "/plain" {
    பதில் 200, "ok";
}
'''

DURATION = 6.0


def main():
    with RedisServer() as r:
        r.start()
        conf = ("threads 2\nredis %s\nredis_timeout 500ms\nhandler_timeout 300ms\n"
                "status_path /status\n" % r.addr)
        with Daemon(workers=2, conf=conf, app=APP, name="etamild-chaos") as d:
            d.start()
            stop = threading.Event()
            stats = {"ok": 0, "503": 0, "other": [], "errors": 0, "resets": 0}
            lock = threading.Lock()

            def client(paths, reset_some):
                rnd = random.Random()
                sock = None
                while not stop.is_set():
                    path = rnd.choice(paths)
                    try:
                        if sock is None:
                            sock = socket.create_connection(("127.0.0.1", d.port), timeout=10)
                        if reset_some and rnd.random() < 0.15:
                            sock.sendall(b"GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path.encode())
                            time.sleep(rnd.random() * 0.05)
                            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                            struct.pack("ii", 1, 0))
                            sock.close()
                            sock = None
                            with lock:
                                stats["resets"] += 1
                            continue
                        st, rh, body, sock = http_request(d.port, path, sock=sock, keep=True,
                                                          timeout=10)
                        with lock:
                            if st == 200:
                                stats["ok"] += 1
                            elif st == 503:
                                stats["503"] += 1
                            else:
                                stats["other"].append((path, st, body[:80]))
                        if rh.get("connection", "").lower() == "close":
                            sock.close()
                            sock = None
                    except (OSError, ConnectionError, ValueError):
                        # a connection the server closed while reloading, or
                        # after answering 503 to a stopped handler
                        with lock:
                            stats["errors"] += 1
                        if sock is not None:
                            sock.close()
                        sock = None
                if sock is not None:
                    sock.close()

            def chaos():
                rnd = random.Random()
                next_hup = time.monotonic() + 1
                while not stop.is_set():
                    if rnd.random() < 0.3:
                        r.pause()
                        time.sleep(0.2 + rnd.random() * 0.6)
                        r.resume()
                    time.sleep(0.2)
                    if time.monotonic() >= next_hup:
                        d.signal(signal.SIGHUP)
                        next_hup += 1

            threads = [threading.Thread(target=client, args=(["/incr"], False)) for _ in range(6)]
            threads += [threading.Thread(target=client, args=(["/incr", "/multi"], True))
                        for _ in range(3)]
            threads += [threading.Thread(target=client, args=(["/spin", "/plain"], False))]
            threads += [threading.Thread(target=chaos)]
            for t in threads:
                t.start()
            time.sleep(DURATION)
            stop.set()
            for t in threads:
                t.join(30)
            r.resume()

            check(stats["ok"] > 100 and not stats["other"],
                  "under chaos: %d answered 200, %d answered 503, %d connections broken by "
                  "the test or a reload, %d reset by clients, nothing else %s"
                  % (stats["ok"], stats["503"], stats["errors"], stats["resets"],
                     stats["other"][:3]))
            log = d.log()
            check("signal 11" not in log and "signal 6" not in log and "dumped core" not in log,
                  "no worker crashed")
            ok = 0
            for _ in range(20):
                st, _, body = http_request(d.port, "/incr", timeout=10)
                ok += st == 200
            check(ok == 20, "afterwards Redis requests succeed again (%d of 20)" % ok)
            check(wait_for(lambda: d.metric("etamild_handlers_parked") == 0, 5),
                  "no handler is left parked (%s)" % d.metric("etamild_handlers_parked"))
            d.signal(signal.SIGTERM)
            rc = d.wait_exit(20)
            check(rc == 0, "graceful stop: exit status %r" % rc)
            check("still in use" not in d.log(), "every worker had all its contexts back at exit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
