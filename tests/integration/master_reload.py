"""master_reload.py -- supervision and zero-downtime changes under load:
HUP rolling restarts (new workers, same sockets, no failed request), a
broken configuration + HUP (old generation keeps serving, FILE:LINE in the
log), TTIN/TTOU (worker count changes, no failed request), a worker whose
loop stops beating (killed and replaced after worker_timeout)."""
import os
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import (SKIP, Daemon, Load, alive, check, free_port, http_request, listen_inodes,  # noqa: E402
                        process_listen_sockets, run, wait_for)

with Daemon(workers=2, conf="worker_timeout 2s\nstatus_path /status\n") as d:
    d.start()
    if not d.http_ok():
        print("SKIP: the worker does not answer /health yet")
        sys.exit(SKIP)
    inodes = listen_inodes(d.port)

    with Load(d.port, clients=4, keepalive=True) as load:
        for g in (2, 3, 4):
            before = set(d.workers_pids())
            d.signal(signal.SIGHUP)
            check(d.wait_log("reload: generation %d is serving" % g, 10),
                  "HUP: generation %d serving" % g)
            check(wait_for(lambda: not (set(d.workers_pids()) & before), 10),
                  "HUP: every old worker drained and exited")
            check(len(d.workers_pids()) == 2, "HUP: still 2 workers")
        check(listen_inodes(d.port) == inodes, "HUP: the listening sockets are the same ones")

        # A broken configuration: generation 4 keeps serving.
        before = sorted(d.workers_pids())
        d.write_config(extra="worker_timeout 2s\nstatus_path /status\nkeepalive_timeout forever\n")
        mark = len(d.log())
        d.signal(signal.SIGHUP)
        check(d.wait_log("reload failed: %s:11: keepalive_timeout: invalid duration" % d.conf, 5, mark),
              "broken HUP: the error log names FILE:LINE")
        time.sleep(0.3)
        check(sorted(d.workers_pids()) == before, "broken HUP: the workers were not touched")
        check(d.http_ok(), "broken HUP: the old generation keeps serving")
        status, _, body = d.get("/status")
        text = body.decode()
        check(status == 200 and 'etamild_reloads_total{result="failed"} 1\n' in text and
              'etamild_reloads_total{result="ok"} 3\n' in text and "etamild_generation 4\n" in text,
              "broken HUP: counted in the status metrics (reloads failed 1, ok 3, generation 4)")
        d.write_config()
        d.signal(signal.SIGHUP)
        check(d.wait_log("reload: generation 5 is serving", 10), "fixed HUP: generation 5 serving")

        # A new listen address that is taken: the reload fails before any
        # worker is touched.  A free one: served after the reload, closed
        # again when it leaves the configuration.
        blocker = socket.socket()
        blocker.bind(("127.0.0.1", 0))
        blocker.listen(1)
        taken = blocker.getsockname()[1]
        # (generation 4 drains after "generation 5 is serving": wait until
        # its workers are gone, or they would leave during the check below)
        check(wait_for(lambda: len(d.workers_pids()) == 2 and all(alive(w) for w in d.workers_pids()),
                       10), "fixed HUP: generation 4 drained and exited")
        before = sorted(d.workers_pids())
        mark = len(d.log())
        d.write_config(extra="worker_timeout 2s\nstatus_path /status\nlisten 127.0.0.1:%d\n" % taken)
        d.signal(signal.SIGHUP)
        check(d.wait_log("reload failed: listen 127.0.0.1:%d: address already in use" % taken, 5, mark),
              "HUP with a taken new address: reload failed, logged")
        time.sleep(0.2)
        after = sorted(d.workers_pids())
        check(after == before and listen_inodes(d.port) == inodes,
              "HUP with a taken new address: workers and sockets untouched (workers %s, then %s)%s"
              % (before, after, "" if after == before else "\n" + d.log()[mark:]))
        blocker.close()
        extra = free_port()
        d.write_config(extra="worker_timeout 2s\nstatus_path /status\nlisten 127.0.0.1:%d\n" % extra)
        d.signal(signal.SIGHUP)
        check(d.wait_log("reload: generation 7 is serving", 10) and len(listen_inodes(extra)) == 2
              and http_request(extra, "/health")[0] == 200, "HUP adding an address: served on both")
        d.write_config()
        d.signal(signal.SIGHUP)
        check(d.wait_log("reload: generation 8 is serving", 10) and
              wait_for(lambda: not listen_inodes(extra), 5) and listen_inodes(d.port) == inodes,
              "HUP removing it: its sockets closed, the others kept")

        # TTIN / TTOU.
        d.signal(signal.SIGTTIN)
        check(wait_for(lambda: len(d.workers_pids()) == 3 and len(listen_inodes(d.port)) == 3, 5),
              "TTIN: 3 workers, 3 sockets")
        # (Signals of one kind sent at once merge into one: one at a time.)
        d.signal(signal.SIGTTOU)
        check(wait_for(lambda: len(d.workers_pids()) == 2 and len(listen_inodes(d.port)) == 2, 5),
              "TTOU: 2 workers, 2 sockets")
        d.signal(signal.SIGTTOU)
        check(wait_for(lambda: len(d.workers_pids()) == 1 and len(listen_inodes(d.port)) == 1, 5),
              "TTOU: 1 worker, 1 socket")
        d.signal(signal.SIGTTIN)
        check(wait_for(lambda: len(d.workers_pids()) == 2 and len(listen_inodes(d.port)) == 2, 5),
              "TTIN: back to 2 workers, 2 sockets")

        # A reload that changes `workers`, sent with -s reload.
        d.workers = 3
        d.write_config()
        rc, out, err = run(["-s", "reload", "-c", d.conf])
        check(rc == 0, "-s reload: exit 0")
        check(d.wait_log("reload: generation 9 is serving", 10) and
              wait_for(lambda: len(d.workers_pids()) == 3 and len(listen_inodes(d.port)) == 3, 5),
              "reload with workers 3: generation 9, 3 workers, 3 sockets")
        d.workers = 2
        d.write_config()
        d.signal(signal.SIGHUP)
        check(d.wait_log("reload: generation 10 is serving", 10) and
              wait_for(lambda: len(d.workers_pids()) == 2 and len(listen_inodes(d.port)) == 2, 5),
              "reload with workers 2: generation 10, 2 workers, 2 sockets")
        time.sleep(0.3)
    print(load.summary())
    check(load.ok > 100, "load: requests were answered during all of this")
    check(load.errors == 0 and load.non2xx == 0, "load: no failed request (%s)" % load.summary())

    # A worker whose event loop stops (SIGSTOP) stops beating: killed, replaced.
    victim = d.workers_pids()[0]
    sock = process_listen_sockets(victim, d.port)
    os.kill(victim, signal.SIGSTOP)
    t0 = time.monotonic()
    check(wait_for(lambda: not alive(victim), 8), "stuck worker killed")
    took = time.monotonic() - t0
    check(1.5 <= took <= 5, "after worker_timeout 2s (%.1fs)" % took)
    check(d.wait_log("has not stamped its heartbeat", 2), "the kill is logged")
    check(wait_for(lambda: len(d.workers_pids()) == 2 and
                   any(process_listen_sockets(w, d.port) == sock for w in d.workers_pids()), 5),
          "a new worker took the stuck worker's slot")
    check(d.http_ok(), "still serving")
