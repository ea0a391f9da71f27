"""app_schedule_upgrade.py -- a இடைவெளி block keeps its "once per interval
per daemon" across a binary upgrade (SIGUSR2): the new master maps the old
master's schedule area, so while both masters' workers are alive the new
workers wait for the run still going in an old worker; the draining old
worker finishes that run before it exits; the next run starts one interval
after it ended.  (Before: the new master had a fresh area, its workers ran
the schedule one interval after they started, beside or right after the
old run, and the draining worker cut its run off.)"""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import Daemon, alive, check, children, wait_for  # noqa: E402

if not os.path.exists(os.path.join(os.environ.get("top_builddir", "."), "src", "etamild")):
    sys.exit(77)

# Each run lasts 1.2 s of /proc/uptime (the language has no clock) and
# records its start in starts.txt and "start end" in runs.txt at its end;
# interval 1 s, measured from a run's end.
# (A program without routes would serve itself, its schedules ignored.)
APP = r'''
வழி பெறு, "/hello" {
    பதில் 200, "hello";
}
செயல் இப்போது() {
    கோப்பு_படி "/proc/uptime", u;
    திரும்பு மதிப்பு(எண்ணாக்கு(பிரி(u, " ")[0]));
}
இடைவெளி 1 {
    தொடக்கம் = இப்போது();
    கோப்பு_எழுது "starts.txt", தொடக்கம்;
    அச்சு "run started at " & தொடக்கம்;
    i = 0;
    (i < 20000000 மற்றும் இப்போது() < தொடக்கம் + 1.2) சுற்று { i = i + 1; }
    கோப்பு_எழுது "runs.txt", தொடக்கம் & " " & இப்போது();
}
'''


def pid_in_file(path):
    try:
        with open(path) as f:
            return int(f.read())
    except (OSError, ValueError):
        return 0


def lines(d, name):
    try:
        with open(os.path.join(d.dir, name)) as f:
            return sorted(tuple(float(x) for x in line.split()) for line in f if line.strip())
    except (OSError, ValueError):
        return []


new_master = 0
with Daemon(workers=2, app=APP, name="app-schedule-upgrade") as d:
    try:
        d.start()
        # USR2 just after a run has started in an old worker
        check(d.wait_log("run started at", 5), "the schedule runs in the old master's worker")
        d.signal(signal.SIGUSR2)
        new_master = wait_for(lambda: pid_in_file(d.pid_file) not in (0, d.pid) and
                              pid_in_file(d.pid_file), 10)
        check(new_master and alive(new_master), "USR2: new master %s is ready" % new_master)
        check(d.wait_exit(10) == 0, "USR2: the old master drained and exited 0")
        check(wait_for(lambda: len(lines(d, "runs.txt")) >= 2, 8),
              "the schedule runs on after the upgrade")
        runs = lines(d, "runs.txt")
        starts = [x[0] for x in lines(d, "starts.txt")]
        check(starts[:len(runs)] == [r[0] for r in runs] and len(starts) <= len(runs) + 1,
              "every run completed, also the one in the old worker when USR2 came "
              "(starts %s, runs %s)" % (starts, runs))
        gaps = [round(b - a[1], 2) for a, b in zip(runs, starts[1:])]
        check(all(g >= 0.85 for g in gaps),
              "once per interval across the upgrade: every run starts >= 1 s after the "
              "previous one ended (gaps %s)" % gaps)
        os.kill(new_master, signal.SIGTERM)
        check(wait_for(lambda: not alive(new_master), 10), "the new master stops on TERM")
    finally:
        if new_master and alive(new_master):
            pids = children(new_master)
            os.kill(new_master, signal.SIGKILL)
            for p in pids:
                if alive(p):
                    os.kill(p, signal.SIGKILL)
sys.exit(0)
