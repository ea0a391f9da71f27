"""app_schedule.py -- இடைவெளி N blocks run once every N seconds per daemon
(not per worker), also across a rolling restart, with failures logged and
the schedule carrying on."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check, http_request  # noqa: E402

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
    t0 = time.monotonic()
    time.sleep(3.5)
    n = ticks(d)
    check(2 <= n <= 4, "2 workers, இடைவெளி 1: about one run per second in total (%d in 3.5s)" % n)
    check(d.wait_log("இடைவெளி #2 every 1s failed: ", 3) and "no field 'missing'" in d.log(),
          "a failing schedule is logged with its number and message")
    check(d.log().count("இடைவெளி #2 every 1s failed") >= 2, "the failing schedule carries on")
    check(http_request(d.port, "/ticks")[0] == 200, "requests are served meanwhile")

    # rolling restart: still once per second, not twice
    before = ticks(d)
    d.signal(signal.SIGHUP)
    check(d.wait_log("generation 2 is serving", 10), "HUP: generation 2")
    time.sleep(3.0)
    n = ticks(d) - before
    total = time.monotonic() - t0
    check(2 <= n <= 5, "across the rolling restart: %d runs in about 3s" % n)
    check(ticks(d) <= total + 1, "never more than one run per second overall (%d in %.1fs)"
          % (ticks(d), total))
sys.exit(0)
