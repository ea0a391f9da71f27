"""app_schedule.py -- இடைவெளி N blocks run once every N seconds per daemon
(not per worker), also across a rolling restart, with failures logged and
the schedule carrying on."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, http_request, wait_for  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

APP = r'''
வழி பெறு, "/ticks" {
    கோப்பு_படி "ticks.txt", content;
    பதில் 200, content;
}
இடைவெளி 1 {
    கோப்பு_எழுது "ticks.txt", "tick";
}
இடைவெளி 1 {
    x = {};
    அச்சு x.missing;
}
'''


def ticks(d):
    try:
        with open(os.path.join(d.dir, "ticks.txt")) as f:
            return f.read().count("tick")
    except OSError:
        return 0


with Daemon(workers=2, app=APP, name="app-schedule") as d:
    d.start()
    # Bounds that hold on a loaded machine too: runs may come late, never
    # twice (two workers each running it would make about two a second).
    # The rate is measured between observed runs, so a slow start-up of the
    # daemon or of this script cannot make it look too fast.
    check(wait_for(lambda: ticks(d) >= 1, 15), "the schedule runs")
    t1, n1 = time.monotonic(), ticks(d)
    check(wait_for(lambda: ticks(d) >= n1 + 3, 15), "the schedule runs (3 more runs)")
    el, n = time.monotonic() - t1, ticks(d) - n1
    check(n <= el + 1, "2 workers, இடைவெளி 1: one run per second in total, not one per worker "
          "(%d in %.1fs)" % (n, el))
    check(d.wait_log("இடைவெளி #2 every 1s failed: ", 3) and "no field 'missing'" in d.log(),
          "a failing schedule is logged with its number and message")
    check(wait_for(lambda: d.log().count("இடைவெளி #2 every 1s failed") >= 2, 10),
          "the failing schedule carries on")
    check(http_request(d.port, "/ticks")[0] == 200, "requests are served meanwhile")

    # rolling restart: still once per second, not twice
    t1, n1 = time.monotonic(), ticks(d)
    d.signal(signal.SIGHUP)
    check(d.wait_log("generation 2 is serving", 10), "HUP: generation 2")
    check(wait_for(lambda: ticks(d) >= n1 + 3, 15), "the schedule runs on after the reload")
    el, n = time.monotonic() - t1, ticks(d) - n1
    check(n <= el + 1, "never more than one run per second overall, also across the "
          "rolling restart (%d in %.1fs)" % (n, el))

# A run that never ends is stopped by schedule_timeout: the block runs
# again and the only helper thread is free for requests.
RUNAWAY = r'''
வழி பெறு, "/ticks" {
    கோப்பு_படி "ticks.txt", content;
    பதில் 200, content;
}
இடைவெளி 1 {
    கோப்பு_எழுது "ticks.txt", "tick";
    i = 0;
    (i >= 0) சுற்று { i = i + 1; }
}
'''
with Daemon(workers=1, app=RUNAWAY, conf="threads 1\nschedule_timeout 300ms\n",
            name="app-schedule") as d:
    d.start()
    check(wait_for(lambda: d.log().count("time limit exceeded") >= 2, 15),
          "schedule_timeout: a run that never ends is stopped and logged, and the block "
          "runs again")
    st = http_request(d.port, "/ticks", timeout=5)[0]
    check(st == 200, "the only helper thread serves requests between runs (%s)" % st)
    check(ticks(d) >= 2, "each stopped run had done its work so far (%d)" % ticks(d))
sys.exit(0)
