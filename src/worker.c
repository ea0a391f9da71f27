/*
 * worker.c -- one worker process (see worker.h): its libev loop, created
 * after fork; the accept watchers on the slot's listening sockets (the
 * master's; the worker closes only its own copies, when it drains); the
 * helper-thread pool; the control signals (TERM drain, INT/QUIT stop now,
 * USR1 reopen logs) and the heartbeat.  Connections themselves live in
 * conn.c.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ev.h>

#include "app.h"
#include "conn.h"
#include "log.h"
#include "redis.h"
#include "schedule.h"

const char *etd_version(void);

#define ACCEPT_BATCH 64

static void
stop_accepting(struct worker *w)
{
    for (int i = 0; i < w->naccept; i++)
        ev_io_stop(w->loop, &w->accept_w[i]);
    ev_timer_stop(w->loop, &w->accept_pause);
}

/* Accept up to max connections queued on io's socket. */
static void
accept_some(struct ev_loop *loop, ev_io *io, int max)
{
    struct worker *w = io->data;
    for (int i = 0; i < max; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(io->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                log_error("accept: %s (pausing accepts for 100ms)", strerror(errno));
                stop_accepting(w);
                ev_timer_set(&w->accept_pause, 0.1, 0.);
                ev_timer_start(loop, &w->accept_pause);
                return;
            }
            log_error("accept: %s", strerror(errno));
            return;
        }
        conn_accept(w, fd, &ss, len);
    }
}

static void
accept_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    (void)revents;
    accept_some(loop, io, ACCEPT_BATCH);
}

static void
start_accepting(struct worker *w)
{
    if (w->draining || w->stopping)
        return;
    for (int i = 0; i < w->naccept; i++)
        ev_io_start(w->loop, &w->accept_w[i]);
}

static void
accept_pause_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    start_accepting(t->data);
}

void
worker_conn_gone(struct worker *w)
{
    if (w->draining && w->nconns == 0 && w->nrejected == 0 && w->nsched == 0)
        ev_break(w->loop, EVBREAK_ALL);
}

static void
drain(struct worker *w)
{
    if (w->draining)
        return;
    w->draining = 1;
    log_info("worker %d: draining (%d connections)", w->args->slot, w->nconns + w->nrejected);
    stop_accepting(w);
    /* Take the connections already queued, then close our copies of the
     * listening sockets: on a stop the master has closed its own, so the
     * kernel refuses new connections instead of queueing them for nobody
     * and resetting them at exit.  (On a reload the master's copy keeps
     * the socket for the next generation.) */
    for (int i = 0; i < w->naccept; i++) {
        accept_some(w->loop, &w->accept_w[i], w->cfg->max_connections);
        close(w->accept_w[i].fd);
    }
    w->naccept = 0;
    struct conn *c = w->conns;
    while (c) {
        struct conn *next = c->next;     /* conn_drain may free c */
        conn_drain(c);
        c = next;
    }
    worker_conn_gone(w);
}

static void
sig_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
    struct worker *w = s->data;
    (void)revents;
    switch (s->signum) {
    case SIGTERM:
        drain(w);
        break;
    case SIGUSR1:
        log_reopen();
        break;
    default:                        /* SIGINT, SIGQUIT: stop now */
        w->stopping = 1;
        stop_accepting(w);
        while (w->conns)
            conn_abort(w->conns);
        ev_break(loop, EVBREAK_ALL);
        break;
    }
}

static void
heartbeat_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct worker *w = t->data;
    (void)revents;
    metrics_heartbeat(w->pm, ev_now(loop));
}

static void
htimer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)revents;
    conn_handler_timeouts(t->data);
}

/* Room for max_connections descriptors (plus files, Redis, the 503s):
 * raise the soft limit up to the hard one, as nginx's worker_rlimit_nofile. */
static void
raise_nofile(const struct worker *w)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    rlim_t want = (rlim_t)w->cfg->max_connections + 512;
    if (rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
        getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < (rlim_t)w->cfg->max_connections + 64)
        log_warn("worker %d: only %lu file descriptors (RLIMIT_NOFILE) for max_connections %d",
                 w->args->slot, (unsigned long)rl.rlim_cur, w->cfg->max_connections);
}

/* Access-log lines are written together at most this long after the
 * first of them (or at 64 KB, log.c): one write(2) per worker per 0.1 s
 * under load instead of one per request. */
#define ACCESS_FLUSH 0.1

static void
log_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)loop;
    (void)t;
    (void)revents;
    log_access_flush();
}

/* Before the loop waits: lines waiting and no write planned: plan one. */
static void
log_flush_cb(struct ev_loop *loop, ev_prepare *p, int revents)
{
    struct worker *w = p->data;
    (void)revents;
    if (log_access_pending() && !ev_is_active(&w->log_timer)) {
        ev_timer_set(&w->log_timer, ACCESS_FLUSH, 0.);
        ev_timer_start(loop, &w->log_timer);
    }
}

static void
batch_done(void *owner)
{
    conn_flush_all(owner);
}

static void
worker_free(struct worker *w)
{
    while (w->conns)
        conn_abort(w->conns);
    redis_mux_shutdown(w->redis_mux);   /* threads waiting on it fail at once */
    pool_destroy(w->pool);
    w->pool = NULL;
    app_contexts_free(w->pool_args.app_ctxs);
    w->pool_args.app_ctxs = NULL;
    redis_mux_free(w->redis_mux);
    w->redis_mux = NULL;
    while (w->free_jobs) {
        struct etd_job *j = w->free_jobs;
        w->free_jobs = j->next;
        etd_job_free(j);
    }
    router_free(w->router);
    http_static_free(&w->st);
    etd_buf_free(&w->logline);
    free(w->rbuf);
}

int
worker_run(const struct etd_worker_args *args)
{
    const struct etd_config *cfg = args->cfg;
    struct worker *w = calloc(1, sizeof *w);
    if (!w) {
        log_error("worker %d: out of memory", args->slot);
        return 1;
    }
    w->args = args;
    w->cfg = cfg;
    w->pm = args->metrics ? metrics_proc(args->metrics, args->metrics_idx) : NULL;
    w->lim.max_header_size = cfg->max_header_size;
    w->lim.max_body_size = cfg->max_body_size;
    http_set_max_header_size(cfg->max_header_size);

    raise_nofile(w);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGQUIT);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    int rc = 1;
    struct etd_sched *sched = NULL;
    ev_signal *sigs[] = { &w->sig_term, &w->sig_int, &w->sig_quit, &w->sig_usr1 };
    int signums[] = { SIGTERM, SIGINT, SIGQUIT, SIGUSR1 };
    w->loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_NOSIGMASK);
    if (!w->loop) {
        log_error("worker %d: cannot create the event loop", args->slot);
        free(w);
        return 1;
    }
    w->rbuf_size = 64 * 1024;
    w->rbuf = malloc(w->rbuf_size);
    w->router = router_create(cfg, args->metrics);
    if (!w->rbuf || !w->router || app_register_routes(w->router, args->app) < 0 ||
        http_static_init(&w->st, etd_version(), cfg->cors_origin) < 0) {
        log_error("worker %d: out of memory", args->slot);
        goto out;
    }
    w->redis_mux = redis_mux_new(w->loop, cfg->redis_timeout);
    if (!w->redis_mux)
        log_warn("worker %d: out of memory for shared Redis connections; "
                 "handlers wait for Redis on their threads", args->slot);
    w->pool_args = *args;
    w->pool_args.redis_mux = w->redis_mux;
    w->pool_args.app_ctxs = app_contexts_new(&w->pool_args);
    struct etd_pool_ops ops = {
        .complete = conn_job_done,
        .discard = conn_job_discard,
        .batch_done = batch_done,
        .owner = w,
        .thread_init = app_thread_init,
        .thread_fini = app_thread_fini,
        .arg = &w->pool_args,
    };
    w->pool = pool_create(w->loop, cfg->threads, &ops);
    if (!w->pool)
        goto out;
    /* ready means able to serve: every helper thread has its eTamil context
     * (a pure prelude evaluated); one that never gets there is killed at
     * start_timeout and, on a reload, the old generation goes on serving */
    pool_wait_ready(w->pool);

    w->naccept = args->nlisten < ETD_MAX_LISTEN ? args->nlisten : ETD_MAX_LISTEN;
    for (int i = 0; i < w->naccept; i++) {
        int fd = args->listen_fds[i];
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0 && !(fl & O_NONBLOCK))
            fcntl(fd, F_SETFL, fl | O_NONBLOCK);
        ev_io_init(&w->accept_w[i], accept_cb, fd, EV_READ);
        w->accept_w[i].data = w;
    }
    ev_init(&w->accept_pause, accept_pause_cb);
    w->accept_pause.data = w;
    ev_init(&w->htimer, htimer_cb);
    w->htimer.data = w;

    for (int i = 0; i < 4; i++) {
        ev_signal_init(sigs[i], sig_cb, signums[i]);
        sigs[i]->data = w;
        ev_signal_start(w->loop, sigs[i]);
        ev_unref(w->loop);          /* signal watchers alone do not keep the loop running */
    }
    ev_prepare_init(&w->log_flush, log_flush_cb);
    w->log_flush.data = w;
    ev_prepare_start(w->loop, &w->log_flush);
    ev_unref(w->loop);              /* it alone does not keep the loop running */
    ev_init(&w->log_timer, log_timer_cb);
    ev_timer_init(&w->heartbeat, heartbeat_cb, 0., 1.);
    w->heartbeat.data = w;
    ev_timer_start(w->loop, &w->heartbeat);
    metrics_heartbeat(w->pm, ev_now(w->loop));

    start_accepting(w);
    sched = schedule_start(w, args->app);
    if (args->ready_fd >= 0) {
        if (write(args->ready_fd, "R", 1) < 0)
            log_warn("worker %d: cannot report ready: %s", args->slot, strerror(errno));
        close(args->ready_fd);
    }
    ev_run(w->loop, 0);
    log_info("worker %d: %s", args->slot, w->stopping ? "stopped" : "drained");
    rc = 0;
out:
    for (int i = 0; i < 4; i++)
        if (ev_is_active(sigs[i])) {
            ev_ref(w->loop);
            ev_signal_stop(w->loop, sigs[i]);
        }
    ev_timer_stop(w->loop, &w->heartbeat);
    if (ev_is_active(&w->log_flush)) {
        ev_ref(w->loop);
        ev_prepare_stop(w->loop, &w->log_flush);
    }
    ev_timer_stop(w->loop, &w->log_timer);
    worker_free(w);
    log_access_flush();
    schedule_stop(sched);
    ev_loop_destroy(w->loop);
    free(w);
    return rc;
}
