/*
 * worker.c -- one worker process: its libev loop, the accept watchers on the
 * slot's listening sockets, the control signals (TERM drain, INT/QUIT stop,
 * USR1 reopen logs) and the heartbeat.  First version: answers every request
 * with the health answer synchronously; the real HTTP engine follows.
 */
#include "autoconfig.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "metrics.h"
#include "worker.h"

const char *etd_version(void);

struct worker {
    struct ev_loop *loop;
    const struct etd_worker_args *args;
    struct etd_proc_metrics *pm;
    ev_io accept_w[ETD_MAX_LISTEN];
    ev_signal sig_term, sig_int, sig_quit, sig_usr1;
    ev_timer heartbeat;
};

static void
accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct worker *wk = w->data;
    char buf[4096], resp[512];
    (void)loop; (void)revents;
    for (int i = 0; i < 64; i++) {
        int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0)
            return;
        metrics_conn_open(wk->pm);
        ssize_t n = read(fd, buf, sizeof buf);
        (void)n;
        int len = snprintf(resp, sizeof resp,
                           "HTTP/1.1 200 OK\r\nServer: etamild/%s\r\n"
                           "Content-Type: application/json\r\nContent-Length: 20\r\n"
                           "Connection: close\r\n\r\n{\"status\":\"healthy\"}",
                           etd_version());
        if (write(fd, resp, (size_t)len) < 0)
            log_debug("write: %s", strerror(errno));
        metrics_request(wk->pm, 200, 0);
        shutdown(fd, SHUT_WR);
        close(fd);
        metrics_conn_close(wk->pm);
    }
}

static void
stop_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)w; (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

static void
usr1_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)loop; (void)w; (void)revents;
    log_reopen();
}

static void
heartbeat_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct worker *wk = w->data;
    (void)revents;
    metrics_heartbeat(wk->pm, ev_now(loop));
}

int
worker_run(const struct etd_worker_args *args)
{
    struct worker wk;
    memset(&wk, 0, sizeof wk);
    wk.args = args;
    wk.loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
    if (!wk.loop) {
        log_error("worker %d: cannot create the event loop", args->slot);
        return 1;
    }
    wk.pm = metrics_proc(args->metrics, args->metrics_idx);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    for (int i = 0; i < args->nlisten; i++) {
        ev_io_init(&wk.accept_w[i], accept_cb, args->listen_fds[i], EV_READ);
        wk.accept_w[i].data = &wk;
        ev_io_start(wk.loop, &wk.accept_w[i]);
    }
    ev_signal_init(&wk.sig_term, stop_cb, SIGTERM);
    ev_signal_init(&wk.sig_int, stop_cb, SIGINT);
    ev_signal_init(&wk.sig_quit, stop_cb, SIGQUIT);
    ev_signal_init(&wk.sig_usr1, usr1_cb, SIGUSR1);
    ev_signal_start(wk.loop, &wk.sig_term);
    ev_signal_start(wk.loop, &wk.sig_int);
    ev_signal_start(wk.loop, &wk.sig_quit);
    ev_signal_start(wk.loop, &wk.sig_usr1);
    ev_timer_init(&wk.heartbeat, heartbeat_cb, 0., 1.);
    wk.heartbeat.data = &wk;
    ev_timer_start(wk.loop, &wk.heartbeat);
    if (args->ready_fd >= 0) {
        if (write(args->ready_fd, "R", 1) < 0)
            log_warn("worker %d: cannot report ready: %s", args->slot, strerror(errno));
        close(args->ready_fd);
    }
    ev_run(wk.loop, 0);
    ev_loop_destroy(wk.loop);
    return 0;
}
