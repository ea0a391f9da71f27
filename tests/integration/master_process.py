"""master_process.py -- the master's process model with the real daemon:
one listening socket per worker slot, kept by the master; pid file written
and removed; a second instance refused; SIGTERM exit 0; SIGUSR1 reopens
both logs; a SIGKILLed worker is respawned on its slot; daemonizing."""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib_daemon import (Daemon, Load, alive, check, listen_inodes, process_listen_sockets,  # noqa: E402
                        run, wait_for)

with Daemon(workers=3, conf="access_log access.log\n") as d:
    d.start()
    workers = d.workers_pids()
    check(len(workers) == 3, "3 workers forked (%s)" % workers)
    inodes = listen_inodes(d.port)
    check(len(inodes) == 3, "3 listening sockets on the port (SO_REUSEPORT)")
    master_socks = process_listen_sockets(d.pid, d.port)
    check(sorted(master_socks) == sorted(inodes), "the master holds every listening socket")
    held = [process_listen_sockets(w, d.port) for w in workers]
    check(all(len(h) == 1 for h in held) and len(set(h[0] for h in held)) == 3,
          "each worker holds exactly its own slot's socket")

    with open(d.pid_file) as f:
        check(int(f.read()) == d.pid, "pid file holds the master's pid")
    rc, out, err = run(["-f", "-c", d.conf])
    check(rc == 1 and "already running" in err, "a second instance with the same pid file is refused")

    # SIGUSR1: rename both logs, signal, new files appear.
    access = os.path.join(d.dir, "access.log")
    os.rename(d.error_log, d.error_log + ".1")
    if os.path.exists(access):
        os.rename(access, access + ".1")
    d.signal(signal.SIGUSR1)
    check(wait_for(lambda: os.path.exists(d.error_log) and os.path.exists(access), 5),
          "SIGUSR1 reopens (creates) the error log and the access log")
    check(wait_for(lambda: "reopening log files" in open(d.error_log + ".1").read(), 5),
          "the reopen is logged (in the old file, before it is closed)")

    # Respawn: kill one worker; its slot gets a new one at once.
    # Under load (Connection: close, 4 clients): only requests the killed
    # worker had in flight may fail, at most one per client; connections
    # queued on its socket wait for its successor.
    victim = workers[1]
    victim_sock = process_listen_sockets(victim, d.port)
    with Load(d.port, clients=4, keepalive=False) as load:
        time.sleep(0.3)
        t0 = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        new = wait_for(lambda: [w for w in d.workers_pids() if w not in workers and alive(w)], 5)
        elapsed = time.monotonic() - t0
        time.sleep(0.5)
    if d.http_ok() or load.ok:
        check(load.ok > 20 and load.non2xx == 0 and load.errors <= 4,
              "SIGKILL under load: at most the in-flight requests failed (%s)" % load.summary())
    check(len(new) == 1 and elapsed < 1.0, "killed worker replaced within 1s (%.3fs)" % elapsed)
    check(wait_for(lambda: process_listen_sockets(new[0], d.port) == victim_sock, 2),
          "the new worker serves the same slot socket")
    check(listen_inodes(d.port) == inodes, "no listening socket was closed or opened")
    check(d.wait_log("respawning", 2), "the respawn is logged")

    d.signal(signal.SIGTERM)
    rc = d.wait_exit(10)
    check(rc == 0, "SIGTERM: exit status 0")
    check(not os.path.exists(d.pid_file), "pid file removed")
    check(not any(alive(w) for w in workers + new), "no worker left behind")
    check(listen_inodes(d.port) == set(), "no listening socket left")

# Back-off: a worker that keeps dying at start-up (its chdir directory was
# removed) is respawned with growing delays, and recovers once it can start.
with Daemon(workers=1, conf="chdir www\n") as d:
    www = os.path.join(d.dir, "www")
    os.mkdir(www)
    d.start()
    os.rmdir(www)
    os.kill(d.workers_pids()[0], signal.SIGKILL)
    check(d.wait_log("keeps dying at start-up, respawning in 0.50s", 10),
          "a worker dying at start-up is respawned with back-off (logged)")
    os.mkdir(www)
    check(wait_for(lambda: d.log().count("ready (slot 0") >= 2, 10) and d.http_ok(),
          "it recovers once it can start")

# Daemonize: the launching process exits 0 once the daemon has started.
with Daemon(workers=1, conf="daemonize yes\n") as d:
    rc, out, err = run(["-c", d.conf], timeout=15)
    check(rc == 0, "daemonized start: the launcher exits 0 (%s)" % err.strip())
    pid = int(open(d.pid_file).read())
    check(alive(pid), "the daemon runs in the background as pid %d" % pid)
    check(os.getsid(pid) == pid, "the daemon is a session leader")
    rc, out, err = run(["-s", "stop", "-c", d.conf])
    check(rc == 0, "-s stop signals it")
    check(wait_for(lambda: not alive(pid), 10), "the daemon stopped")
    check(not os.path.exists(d.pid_file), "and removed its pid file")
    if alive(pid):
        os.kill(pid, signal.SIGKILL)

# A start-up failure is exit 1: the port is taken by somebody else.
import socket  # noqa: E402
blocker = socket.socket()
blocker.bind(("127.0.0.1", 0))
blocker.listen(1)
with Daemon(workers=1) as d:
    d.port = blocker.getsockname()[1]
    d.write_config()
    rc, out, err = run(["-f", "-c", d.conf])
    check(rc == 1 and "address already in use" in err, "a port in use: exit 1 with a message")
blocker.close()
