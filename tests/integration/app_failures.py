"""app_failures.py -- what a failing eTamil handler does to a request and
to nothing else: runtime errors (500, the text only with expose_errors,
always in the error log with route and position), handler_timeout (503
while a parallel fast request gets 200, the helper thread goes back to
work), heap_limit (500), வெளியேறு (ends only that request), CORS headers
only with cors_origin; the workers survive all of it."""
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, http_request  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

APP = r'''
வழி பெறு, "/ok" {
    பதில் 200, "fast";
}
வழி பெறு, "/fail" {
    x = {a: 1};
    பதில் 200, x.b;
}
வழி பெறு, "/quote" {
    பதில் 200, query_params["missing \"quoted\""];
}
வழி பெறு, "/spin" {
    i = 0;
    (மெய்) சுற்று { i = i + 1; }
}
வழி பெறு, "/grow" {
    s = "0123456789";
    (மெய்) சுற்று { s = s & s; }
}
வழி பெறு, "/exit0" {
    பதில் 403, "stopped early";
    வெளியேறு(0);
    பதில் 200, "not reached";
}
வழி பெறு, "/exit3" {
    பதில் 200, "x";
    வெளியேறு(3);
}
'''


def run_suite(expose):
    conf = "handler_timeout 2s\nheap_limit 1m\nthreads 2\n"
    if expose:
        conf += "expose_errors yes\ncors_origin https://books.example\n"
    with Daemon(workers=1, conf=conf, app=APP, name="app-failures") as d:
        d.start()
        tag = "expose_errors %s: " % ("yes" if expose else "no")
        worker = d.workers_pids()

        def req(path, **kw):
            return http_request(d.port, path, **kw)

        s, h, b = req("/fail")
        body = json.loads(b)
        if expose:
            check(s == 500 and body["error"].startswith("Handler error: ") and "'b'" in body["error"],
                  tag + "500 with the error text: %r" % body)
            check(h.get("access-control-allow-origin") == "https://books.example" and
                  "GET" in h.get("access-control-allow-methods", ""),
                  tag + "cors_origin: CORS headers on handler responses")
            s2, h2, _ = req("/ok")
            check(h2.get("access-control-allow-origin") == "https://books.example",
                  tag + "cors_origin: CORS headers on a 200")
            s3, h3, b3 = req("/quote")
            check(s3 == 500 and "missing \"quoted\"" in json.loads(b3)["error"],
                  tag + "the error text is escaped JSON")
        else:
            check(s == 500 and body == {"error": "Internal Server Error"},
                  tag + "500 without details: %r" % body)
            check("access-control-allow-origin" not in h, tag + "no CORS headers")
        check(d.wait_log("GET /fail (GET /fail): %s:7:5:" % os.path.join(d.dir, "app.qmz"), 3),
              tag + "the error log names the route and FILE:LINE:COLUMN")

        # timeout: /spin never ends; a parallel /ok is answered meanwhile
        res = {}

        def slow():
            t0 = time.monotonic()
            res["spin"] = req("/spin", timeout=10)
            res["spin_t"] = time.monotonic() - t0

        th = threading.Thread(target=slow)
        th.start()
        time.sleep(0.2)
        t0 = time.monotonic()
        s, _, b = req("/ok")
        fast = time.monotonic() - t0
        spin_running = th.is_alive()
        check(s == 200 and b == b"fast" and spin_running, tag + "a fast request is answered while "
              "another spins (%.3fs)" % fast)
        th.join(20)
        check(res.get("spin", (0,))[0] == 503 and 1.9 < res["spin_t"] < 10,
              tag + "the spinning handler gets 503 after handler_timeout (%.2fs)" % res.get("spin_t", -1))
        check(d.wait_log("GET /spin (GET /spin): stopped at", 3),
              tag + "the VM running /spin was stopped (logged)")
        # the helper thread is free again: two requests at once still work (threads 2)
        outs = []
        ts = [threading.Thread(target=lambda: outs.append(req("/ok")[0])) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(5)
        check(outs == [200] * 4, tag + "the helper threads went back to work")

        s, _, b = req("/grow")
        check(s == 500, tag + "heap_limit exceeded: 500")
        check(d.wait_log("heap limit", 3), tag + "heap limit logged")
        s, _, b = req("/exit0")
        check(s == 403 and b == b"stopped early", tag + "வெளியேறு(0) ends the handler; its response stands")
        s, _, b = req("/exit3")
        check(s == 500, tag + "வெளியேறு(3) ends only that request: 500")
        check(d.wait_log("வெளியேறு(3)", 3), tag + "வெளியேறு(n) logged")
        check(req("/ok")[0] == 200 and d.workers_pids() == worker,
              tag + "the same worker still serves")


run_suite(False)
run_suite(True)
sys.exit(0)
