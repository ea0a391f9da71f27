#!/usr/bin/env python3
"""redis_cluster.py -- the scale-out pattern of the README (issue 7): two
etamild daemons ("hosts") share one private redis-server; both run the same
schedule every second, and the schedule's work is guarded by a lock taken
with SET key value NX PX ms on the current time slot.  Both daemons try
every slot, exactly one of them does the work of each slot."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, check  # noqa: E402
from lib_redis import RedisServer  # noqa: E402

APP = r'''
// true for exactly one host per slot of `வினாடி` seconds (README, Redis)
செயல் ஒருமுறை(பெயர், வினாடி) {
    (இல்லை ரெடிஸ்_இணை()) எனில் { திரும்பு பொய்; }
    நேரம் = இயல்பு(ரெடிஸ்_கட்டளை("TIME", []), [0]);
    slot = தரை(நேரம்[0] / வினாடி);
    r = ரெடிஸ்_கட்டளை("SET", ["lock:" & பெயர் & ":" & slot, சூழல்("NODE", "?"),
                              "NX", "PX", வினாடி * 2000]);
    ஆனது = இயல்பு(r, இன்மை) == "OK";
    (ஆனது) எனில் { ரெடிஸ்_கட்டளை("RPUSH", ["slots", slot]); }
    திரும்பு ஆனது;
}

இடைவெளி 1 {
    ரெடிஸ்_இணை();
    ரெடிஸ்_கட்டளை("INCR", ["tries:" & சூழல்("NODE", "?")]);
    (ஒருமுறை("job", 1)) எனில் {
        ரெடிஸ்_கட்டளை("INCR", ["runs:" & சூழல்("NODE", "?")]);
    }
}

வழி பெறு, "/ping" { பதில் 200, "pong"; }
'''


def main():
    with RedisServer() as r:
        r.start()
        conf = "threads 2\nredis %s\nredis_timeout 1s\nenv NODE %s\n"
        with Daemon(workers=1, conf=conf % (r.addr, "a"), app=APP, name="etamild-redis-a") as a, \
                Daemon(workers=1, conf=conf % (r.addr, "b"), app=APP, name="etamild-redis-b") as b:
            a.start()
            b.start()
            time.sleep(4.5)
            a.stop()
            b.stop()
            slots = [int(x) for x in r.call("LRANGE", "slots", 0, -1)]
            tries = [int(r.call("GET", "tries:" + n) or 0) for n in ("a", "b")]
            runs = [int(r.call("GET", "runs:" + n) or 0) for n in ("a", "b")]
            check(min(tries) >= 3, "both hosts ran the schedule every second (tries %s)" % tries)
            check(len(slots) >= 3 and len(slots) == len(set(slots)),
                  "each time slot's work ran once cluster-wide: slots %s" % slots)
            check(sum(runs) == len(slots) and sum(runs) < sum(tries),
                  "runs per host %s, %d slots, %d tries" % (runs, len(slots), sum(tries)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
