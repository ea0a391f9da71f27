"""master_upgrade.py -- SIGUSR2 binary upgrade under load: the master
re-executes itself handing the listening sockets over (LISTEN_FDS); the new
master starts its workers, takes over the pid file, and the old master
drains and exits 0.  No request fails and no listening socket changes."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import (SKIP, Daemon, Load, alive, check, children, listen_inodes,  # noqa: E402
                        process_listen_sockets, wait_for)


def pid_in_file(path):
    try:
        with open(path) as f:
            return int(f.read())
    except (OSError, ValueError):
        return 0


new_master = 0
with Daemon(workers=2) as d:
    try:
        d.start()
        if not d.http_ok():
            print("SKIP: the worker does not answer /health yet")
            sys.exit(SKIP)
        inodes = listen_inodes(d.port)
        old_workers = d.workers_pids()
        with Load(d.port, clients=4, keepalive=True) as load:
            d.signal(signal.SIGUSR2)
            new_master = wait_for(lambda: pid_in_file(d.pid_file) not in (0, d.pid) and
                                  pid_in_file(d.pid_file), 10)
            check(new_master and alive(new_master), "USR2: a new master %s wrote the pid file" % new_master)
            rc = d.wait_exit(10)
            check(rc == 0, "USR2: the old master drained and exited 0")
            check(not any(alive(w) for w in old_workers), "USR2: the old workers are gone")
            new_workers = wait_for(lambda: len(children(new_master)) == 2 and children(new_master), 5)
            check(new_workers, "USR2: the new master runs 2 workers")
            check(listen_inodes(d.port) == inodes, "USR2: the very same listening sockets serve")
            check(sorted(process_listen_sockets(new_master, d.port)) == sorted(inodes),
                  "USR2: the new master holds them all")
            check(d.wait_log("binary upgrade: new master %d is ready" % new_master, 2),
                  "USR2: logged by the old master")
        print(load.summary())
        check(load.ok > 50 and load.errors == 0 and load.non2xx == 0,
              "USR2 under load: no failed request (%s)" % load.summary())
        check(d.http_ok(), "the new master serves")
        os.kill(new_master, signal.SIGTERM)
        check(wait_for(lambda: not alive(new_master), 10), "the new master stops on TERM")
        check(not os.path.exists(d.pid_file), "and removes the pid file")
    finally:
        if new_master and alive(new_master):
            pids = children(new_master)
            os.kill(new_master, signal.SIGKILL)
            for p in pids:
                if alive(p):
                    os.kill(p, signal.SIGKILL)
