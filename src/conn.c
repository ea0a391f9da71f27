/*
 * conn.c -- the connection state machine of a worker (see conn.h).
 *
 * Input: bytes are read into the worker's one read buffer and fed to the
 * connection's http_reader, which copies each request into its own job;
 * complete requests are routed and handed to the pool at once (pipelining:
 * parse ahead, at most CONN_MAX_PIPELINE pending, then reading pauses).
 * Output: responses are serialised when their job completes and written
 * strictly in request order with writev (sendfile for file bodies),
 * resuming on EAGAIN from an EV_WRITE watcher.
 * Closing: a connection that ends after a response (Connection: close,
 * error, timeout, drain) shuts its write side down and reads and discards
 * until the client closes or CONN_LINGER passes, so the client reads the
 * answer instead of a reset.
 * One ev_timer per connection, re-armed lazily: activity only moves
 * timestamps; when the timer fires the real deadline is recomputed.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "schedule.h"

static void conn_close(struct conn *c);
static int conn_flush(struct conn *c);
static void conn_linger(struct conn *c);
static void conn_timer_update(struct conn *c);

/* ---- jobs ---- */

struct etd_job *
worker_job_get(struct worker *w)
{
    struct etd_job *j = w->free_jobs;
    if (j) {
        w->free_jobs = j->next;
        w->nfree_jobs--;
        j->next = NULL;
    } else {
        j = etd_job_new();
        if (!j)
            return NULL;
    }
    j->cfg = w->cfg;
    j->app = w->args->app;
    j->metrics = w->pm;
    return j;
}

void
worker_job_put(struct worker *w, struct etd_job *j)
{
    if (w->nfree_jobs >= 1024) {
        etd_job_free(j);
        return;
    }
    etd_job_reset(j);
    j->next = w->free_jobs;
    w->free_jobs = j;
    w->nfree_jobs++;
}

/* ---- handler-timeout list (jobs in the pool, oldest first) ---- */

static void
tq_push(struct worker *w, struct etd_job *j)
{
    j->t_submit = ev_now(w->loop);
    j->in_tq = 1;
    j->tnext = NULL;
    j->tprev = w->tq_tail;
    if (w->tq_tail)
        w->tq_tail->tnext = j;
    else
        w->tq_head = j;
    w->tq_tail = j;
    if (!ev_is_active(&w->htimer)) {
        ev_timer_set(&w->htimer, w->cfg->handler_timeout, 0.);
        ev_timer_start(w->loop, &w->htimer);
    }
}

static void
tq_remove(struct worker *w, struct etd_job *j)
{
    if (!j->in_tq)
        return;
    if (j->tprev)
        j->tprev->tnext = j->tnext;
    else
        w->tq_head = j->tnext;
    if (j->tnext)
        j->tnext->tprev = j->tprev;
    else
        w->tq_tail = j->tprev;
    j->tnext = j->tprev = NULL;
    j->in_tq = 0;
}

/* Forget a job of a connection that goes away. */
static void
drop_job(struct worker *w, struct etd_job *j)
{
    if (j->state == ETD_JOB_QUEUED) {
        tq_remove(w, j);
        if (!pool_cancel(w->pool, j)) {
            j->orphan = 1;          /* running: freed when it completes */
            j->conn = NULL;
            return;
        }
    }
    worker_job_put(w, j);
}

/* ---- the request queue of a connection ---- */

static void
queue_push(struct conn *c, struct etd_job *j)
{
    j->next = NULL;
    j->prev = c->qtail;
    if (c->qtail)
        c->qtail->next = j;
    else
        c->qhead = j;
    c->qtail = j;
    c->nqueued++;
}

static void
queue_remove(struct conn *c, struct etd_job *j)
{
    if (j->prev)
        j->prev->next = j->next;
    else
        c->qhead = j->next;
    if (j->next)
        j->next->prev = j->prev;
    else
        c->qtail = j->prev;
    j->next = j->prev = NULL;
    c->nqueued--;
}

static void
queue_replace(struct conn *c, struct etd_job *old, struct etd_job *nw)
{
    nw->prev = old->prev;
    nw->next = old->next;
    if (old->prev)
        old->prev->next = nw;
    else
        c->qhead = nw;
    if (old->next)
        old->next->prev = nw;
    else
        c->qtail = nw;
    old->next = old->prev = NULL;
}

static void
schedule_flush(struct conn *c)
{
    if (c->in_flush || !c->qhead || c->qhead->state != ETD_JOB_READY)
        return;
    c->in_flush = 1;
    c->fnext = c->w->flush;
    c->w->flush = c;
}

static void
stop_reading(struct conn *c)
{
    if (c->reading) {
        ev_io_stop(c->w->loop, &c->rio);
        c->reading = 0;
    }
}

static void
start_reading(struct conn *c)
{
    if (!c->reading) {
        ev_io_start(c->w->loop, &c->rio);
        c->reading = 1;
    }
}

static void
stop_writing(struct conn *c)
{
    if (c->writing) {
        ev_io_stop(c->w->loop, &c->wio);
        c->writing = 0;
    }
}

/* Forget every request queued (responses not written yet). */
static void
drop_queue(struct conn *c)
{
    while (c->qhead) {
        struct etd_job *j = c->qhead;
        queue_remove(c, j);
        drop_job(c->w, j);
    }
}

/* No request after the ones queued: stop reading, forget what came after. */
static void
read_no_more(struct conn *c)
{
    c->no_more = 1;
    c->paused = 0;
    stop_reading(c);
    free(c->pend);
    c->pend = NULL;
    c->pend_len = c->pend_cap = 0;
    struct etd_job *j = http_reader_take(&c->rd);
    if (j)
        worker_job_put(c->w, j);
}

/* Serialise job's response; it becomes READY to write. */
static void
job_ready(struct conn *c, struct etd_job *j)
{
    struct worker *w = c->w;
    int keep = !j->close && !c->eof &&
               !(w->draining && j->next == NULL && !http_reader_busy(&c->rd) && !c->pend_len);
    if (!keep) {
        j->close = 1;
        if (!c->no_more)
            read_no_more(c);
    }
    http_date_refresh(&w->dc, (time_t)ev_now(w->loop));
    size_t blen = 0;
    if (http_serialize(j, keep, &w->dc, &w->st, &blen) < 0) {
        j->out.len = 0;
        blen = 0;
        j->close = 1;
        if (!c->no_more)
            read_no_more(c);
    }
    j->wire_body = j->is_head ? 0 : blen;
    j->out_done = 0;
    j->state = ETD_JOB_READY;
}

static void
send_continue(struct conn *c, struct etd_job *j)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    j->need_continue = 0;
    ssize_t n = send(c->fd, cont, sizeof cont - 1, MSG_NOSIGNAL);
    if (n != (ssize_t)(sizeof cont - 1))
        log_debug("could not send 100 Continue to %s", c->peer_text);
}

/* ---- the reader's callbacks ---- */

static struct etd_job *
rd_job_get(void *owner)
{
    struct conn *c = owner;
    struct etd_job *j = worker_job_get(c->w);
    if (!j)
        return NULL;
    j->conn = c;
    memcpy(&j->req.peer, &c->peer, c->peer_len);
    j->req.peer_len = c->peer_len;
    j->req.peer_text = c->peer_text;
    j->t_start = ev_now(c->w->loop);
    return j;
}

static int
rd_on_headers(void *owner, struct etd_job *j)
{
    struct conn *c = owner;
    if (j->need_continue && c->nqueued == 0)
        send_continue(c, j);
    return 0;
}

static int
rd_on_request(void *owner, struct etd_job *j)
{
    struct conn *c = owner;
    struct worker *w = c->w;
    c->nrequests++;
    /* the last request allowed on this connection; keepalive_timeout 0
     * disables keep-alive: every answer says Connection: close */
    if (c->nrequests >= w->cfg->keepalive_requests || w->cfg->keepalive_timeout <= 0)
        j->close = 1;
    queue_push(c, j);
    router_route(w->router, j);
    pool_submit(w->pool, j);
    tq_push(w, j);
    if (j->close) {
        c->no_more = 1;
        return 1;
    }
    return c->nqueued >= CONN_MAX_PIPELINE;
}

static const struct http_reader_ops reader_ops = {
    .job_get = rd_job_get,
    .on_headers = rd_on_headers,
    .on_request = rd_on_request,
};

/* Answer status (400, 408, 413, 431, 503) after what is queued, then close. */
static void
conn_error(struct conn *c, int status)
{
    struct etd_job *j = http_reader_take(&c->rd);
    if (!j)
        j = rd_job_get(c);
    read_no_more(c);
    if (!j) {
        conn_linger(c);
        return;
    }
    j->close = 1;
    j->internal = 1;
    etd_response_error(&j->resp, status, NULL);
    queue_push(c, j);
    job_ready(c, j);
}

/* Feed bytes to the reader. */
static void
conn_input(struct conn *c, const char *data, size_t len)
{
    size_t used = 0;
    if (c->no_more)
        return;
    enum http_read_result r = http_reader_feed(&c->rd, data, len, &used);
    switch (r) {
    case HTTP_READ_MORE:
        break;
    case HTTP_READ_PAUSED:
        stop_reading(c);
        if (c->no_more) {
            read_no_more(c);
            break;
        }
        c->paused = 1;
        if (used < len) {
            size_t rest = len - used;
            if (c->pend_len + rest > c->pend_cap) {
                size_t cap = c->pend_len + rest;
                char *p = realloc(c->pend, cap);
                if (!p) {
                    conn_error(c, 503);
                    break;
                }
                c->pend = p;
                c->pend_cap = cap;
            }
            memcpy(c->pend + c->pend_len, data + used, rest);
            c->pend_len += rest;
        }
        break;
    case HTTP_READ_ERROR:
        conn_error(c, http_reader_error(&c->rd));
        break;
    case HTTP_READ_UPGRADE:
        /* no protocol switch: the request was answered as plain HTTP */
        if (c->qtail && c->qtail->state == ETD_JOB_QUEUED)
            c->qtail->close = 1;
        read_no_more(c);
        break;
    }
}

/* Reading was paused: go on when the queue has room again. */
static void
conn_resume(struct conn *c)
{
    if (!c->paused || c->no_more || c->nqueued >= CONN_MAX_PIPELINE)
        return;
    c->paused = 0;
    http_reader_resume(&c->rd);
    if (c->pend_len) {
        char *p = c->pend;
        size_t n = c->pend_len;
        c->pend = NULL;
        c->pend_len = c->pend_cap = 0;
        conn_input(c, p, n);
        free(p);
    }
    if (!c->paused && !c->no_more && !c->eof)
        start_reading(c);
}

static void
conn_eof(struct conn *c)
{
    c->eof = 1;
    read_no_more(c);
    if (c->nqueued == 0) {
        conn_close(c);
        return;
    }
    if (c->qtail->state == ETD_JOB_QUEUED)
        c->qtail->close = 1;
}

static void
linger_read(struct conn *c)
{
    char *buf = c->w->rbuf;
    for (int i = 0; i < 16; i++) {
        ssize_t n = recv(c->fd, buf, c->w->rbuf_size, 0);
        if (n > 0)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n < 0 && errno == EINTR)
            continue;
        conn_close(c);
        return;
    }
}

static void
read_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    struct conn *c = io->data;
    struct worker *w = c->w;
    (void)revents;
    if (c->lingering) {
        linger_read(c);
        return;
    }
    for (int i = 0; i < 4; i++) {
        ssize_t n = recv(c->fd, w->rbuf, w->rbuf_size, 0);
        if (n > 0) {
            c->last_active = ev_now(loop);
            conn_input(c, w->rbuf, (size_t)n);
            if (!c->reading || (size_t)n < w->rbuf_size)
                break;
            continue;
        }
        if (n == 0) {
            conn_eof(c);
            return;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            break;
        if (errno == EINTR)
            continue;
        conn_close(c);
        return;
    }
    if (c->qhead && c->qhead->state == ETD_JOB_READY) {
        if (conn_flush(c) < 0)
            return;
    }
    conn_timer_update(c);
}

/* ---- output ---- */

/* A response was written completely.  Returns 0 if the connection goes on;
 * else it ends: 1 the client asked for it (HTTP/1.0, Connection: close),
 * 2 the server announced Connection: close (drain, keepalive_requests),
 * 3 after an error the server answered on its own. */
static int
job_finished(struct conn *c, struct etd_job *j)
{
    struct worker *w = c->w;
    queue_remove(c, j);
    double secs = ev_time() - j->t_start;
    metrics_request(w->pm, j->resp.status, secs);
    if (log_access_enabled()) {
        http_date_refresh(&w->dc, (time_t)ev_now(w->loop));
        if (http_access_line(&w->logline, j, j->resp.status, j->wire_body, secs, &w->dc) == 0)
            log_access_line(w->logline.data, w->logline.len);
    }
    int end = !j->close ? 0 : j->internal ? 3 : j->client_close ? 1 : 2;
    worker_job_put(w, j);
    if (!end && !c->nodelay) {
        /* from the second response on, small writes must not wait for ACKs */
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        c->nodelay = 1;
    }
    return end;
}

/* The last response is out (how: see job_finished).  The client asked to
 * close: it sends nothing more, close at once.  We decided to close (drain,
 * keepalive_requests): the client may not know yet; close at once only if
 * nothing is waiting to be read (so no reset can hit the answer it has not
 * read yet).  After an error the client may still be sending (a body we
 * refused): linger.  Returns -1 if c was freed. */
static int
conn_end(struct conn *c, int how)
{
    if (how == 1 && !c->pend_len) {
        conn_close(c);
        return -1;
    }
    if (how == 2 && !c->pend_len && !http_reader_busy(&c->rd)) {
        ssize_t n = recv(c->fd, c->w->rbuf, c->w->rbuf_size, MSG_DONTWAIT);
        if (n == 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) {
            conn_close(c);
            return -1;
        }
    }
    conn_linger(c);
    return 0;
}

static void
want_write(struct conn *c)
{
    if (!c->writing) {
        ev_io_start(c->w->loop, &c->wio);
        c->writing = 1;
    }
}

/* Write what is ready, in order.  Returns -1 if the connection was freed. */
static int
conn_flush(struct conn *c)
{
    struct worker *w = c->w;
    for (;;) {
        struct etd_job *j = c->qhead;
        if (!j || j->state != ETD_JOB_READY)
            break;
        /* a file body right after its head */
        if (j->resp.file_fd >= 0 && j->out_done >= j->out.len && j->wire_body) {
            off_t off = j->resp.file_off + j->file_done;
            size_t left = j->wire_body - (size_t)j->file_done;
            ssize_t n = sendfile(c->fd, j->resp.file_fd, &off, left > (1u << 30) ? (1u << 30) : left);
            if (n < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    want_write(c);
                    return 0;
                }
                if (errno == EINTR)
                    continue;
                conn_close(c);
                return -1;
            }
            if (n == 0) {           /* the file shrank: the length was announced */
                conn_close(c);
                return -1;
            }
            c->last_write = ev_now(w->loop);
            j->file_done += n;
            if ((size_t)j->file_done < j->wire_body)
                continue;
            int end = job_finished(c, j);
            if (end)
                return conn_end(c, end);
            continue;
        }
        int cnt = 0;
        size_t total = 0;
        const int max = (int)(sizeof w->iov / sizeof w->iov[0]) - 1;
        for (; j && j->state == ETD_JOB_READY && cnt < max; j = j->next) {
            size_t hl = j->out.len;
            if (j->out_done < hl) {
                w->iov[cnt].iov_base = j->out.data + j->out_done;
                w->iov[cnt].iov_len = hl - j->out_done;
                total += hl - j->out_done;
                cnt++;
            }
            if (j->resp.file_fd >= 0 && j->wire_body)
                break;
            if (j->wire_body) {
                size_t bd = j->out_done > hl ? j->out_done - hl : 0;
                w->iov[cnt].iov_base = (char *)http_body_ptr(j) + bd;
                w->iov[cnt].iov_len = j->wire_body - bd;
                total += j->wire_body - bd;
                cnt++;
            }
            if (j->close)
                break;
        }
        size_t n = 0;
        if (cnt > 0) {
            ssize_t r = writev(c->fd, w->iov, cnt);
            if (r < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    want_write(c);
                    return 0;
                }
                if (errno == EINTR)
                    continue;
                conn_close(c);
                return -1;
            }
            n = (size_t)r;
            c->last_write = ev_now(w->loop);
        }
        size_t wrote = n;
        /* account for what went out */
        j = c->qhead;
        while (j && j->state == ETD_JOB_READY) {
            int is_file = j->resp.file_fd >= 0 && j->wire_body;
            size_t tot = j->out.len + (is_file ? 0 : j->wire_body);
            size_t left = tot - j->out_done;
            if (n < left) {
                j->out_done += n;
                n = 0;
                break;
            }
            n -= left;
            j->out_done = tot;
            if (is_file)
                break;              /* sendfile next round */
            int end = job_finished(c, j);
            if (end)
                return conn_end(c, end);
            j = c->qhead;
        }
        if (wrote < total) {        /* the socket buffer is full */
            want_write(c);
            return 0;
        }
        if (cnt == 0)
            break;
    }
    stop_writing(c);
    if (c->nqueued == 0) {
        if (c->eof) {
            conn_close(c);
            return -1;
        }
        if (c->rd.job && c->rd.job->need_continue)
            send_continue(c, c->rd.job);
    }
    conn_resume(c);
    if (c->qhead && c->qhead->state == ETD_JOB_READY)
        return conn_flush(c);       /* conn_resume answered an error at once */
    conn_timer_update(c);
    return 0;
}

static void
write_cb(struct ev_loop *loop, ev_io *io, int revents)
{
    struct conn *c = io->data;
    (void)loop;
    (void)revents;
    conn_flush(c);
}

void
conn_flush_all(struct worker *w)
{
    while (w->flush) {
        struct conn *c = w->flush;
        w->flush = c->fnext;
        c->fnext = NULL;
        c->in_flush = 0;
        conn_flush(c);
    }
}

/* ---- completions from the pool ---- */

void
conn_job_done(void *worker, struct etd_job *j)
{
    struct worker *w = worker;
    tq_remove(w, j);
    if (j->orphan || !j->conn) {
        int sched = !j->conn && schedule_job_back(w, j);
        worker_job_put(w, j);
        if (sched)
            worker_conn_gone(w);
        return;
    }
    job_ready(j->conn, j);
    schedule_flush(j->conn);
}

void
conn_job_discard(void *worker, struct etd_job *j)
{
    struct worker *w = worker;
    tq_remove(w, j);
    if (j->conn && !j->orphan)
        queue_remove(j->conn, j);
    worker_job_put(w, j);
}

void
conn_handler_timeouts(struct worker *w)
{
    double now = ev_now(w->loop), ht = w->cfg->handler_timeout;
    struct etd_job *j;
    while ((j = w->tq_head) && j->t_submit + ht <= now + 1e-3) {
        tq_remove(w, j);
        struct conn *c = j->conn;
        metrics_handler_timeout(w->pm);
        log_warn("handler timeout after %.3gs: %s %s", ht,
                 j->req.method ? j->req.method : "-", j->req.target ? j->req.target : "-");
        if (!pool_cancel(w->pool, j)) {
            /* still running: answer with a copy, free the original later */
            struct etd_job *r = worker_job_get(w);
            if (!r || http_copy_request(r, j) < 0) {
                if (r)
                    worker_job_put(w, r);
                j->orphan = 1;
                queue_remove(c, j);
                j->conn = NULL;
                conn_close(c);
                continue;
            }
            r->conn = c;
            queue_replace(c, j, r);
            j->orphan = 1;
            j->conn = NULL;
            j = r;
        }
        j->internal = 1;
        etd_response_error(&j->resp, 503, NULL);
        job_ready(c, j);
        schedule_flush(c);
    }
    if (w->tq_head) {
        double d = w->tq_head->t_submit + ht - now;
        ev_timer_set(&w->htimer, d > 1e-3 ? d : 1e-3, 0.);
        ev_timer_start(w->loop, &w->htimer);
    }
    conn_flush_all(w);
}

/* ---- timers ---- */

static double
conn_deadline(const struct conn *c)
{
    const struct worker *w = c->w;
    const struct etd_config *cfg = w->cfg;
    if (c->lingering)
        return c->linger_start + CONN_LINGER;
    if (c->writing)
        return c->last_write + cfg->body_timeout;
    if (http_reader_busy(&c->rd))
        return http_reader_in_body(&c->rd) ? c->last_active + cfg->body_timeout
                                           : c->rd.job->t_start + cfg->header_timeout;
    if (c->nqueued > 0 || c->no_more)
        return 0;                   /* handlers at work: handler_timeout */
    double last = c->last_active > c->last_write ? c->last_active : c->last_write;
    if (w->draining) {
        double g = cfg->keepalive_timeout < CONN_DRAIN_GRACE ? cfg->keepalive_timeout : CONN_DRAIN_GRACE;
        return last + g;
    }
    if (c->nrequests == 0)
        return last + cfg->header_timeout;
    return last + cfg->keepalive_timeout;
}

static void
conn_timer_update(struct conn *c)
{
    struct ev_loop *loop = c->w->loop;
    double d = conn_deadline(c);
    if (d == 0)
        return;
    double now = ev_now(loop);
    if (ev_is_active(&c->timer)) {
        if (now + ev_timer_remaining(loop, &c->timer) <= d + 0.01)
            return;
        ev_timer_stop(loop, &c->timer);
    }
    ev_timer_set(&c->timer, d > now ? d - now : 0., 0.);
    ev_timer_start(loop, &c->timer);
}

static void
timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct conn *c = t->data;
    (void)revents;
    double d = conn_deadline(c), now = ev_now(loop);
    if (d == 0)
        return;
    if (d > now + 1e-3) {
        ev_timer_set(t, d - now, 0.);
        ev_timer_start(loop, t);
        return;
    }
    if (c->lingering || c->writing) {
        conn_close(c);
        return;
    }
    if (http_reader_busy(&c->rd)) {
        conn_error(c, 408);
        if (conn_flush(c) < 0)
            return;
        conn_timer_update(c);
        return;
    }
    conn_linger(c);                 /* idle: keep-alive timeout or drain */
}

/* ---- opening and closing ---- */

static void
conn_linger(struct conn *c)
{
    struct worker *w = c->w;
    if (c->lingering)
        return;
    if (!c->no_more)
        read_no_more(c);
    drop_queue(c);
    stop_writing(c);
    if (c->eof) {
        conn_close(c);
        return;
    }
    c->lingering = 1;
    shutdown(c->fd, SHUT_WR);
    c->linger_start = ev_now(w->loop);
    start_reading(c);
    if (ev_is_active(&c->timer))
        ev_timer_stop(w->loop, &c->timer);
    ev_timer_set(&c->timer, CONN_LINGER, 0.);
    ev_timer_start(w->loop, &c->timer);
}

static void
conn_close(struct conn *c)
{
    struct worker *w = c->w;
    stop_reading(c);
    stop_writing(c);
    ev_timer_stop(w->loop, &c->timer);
    drop_queue(c);
    struct etd_job *j = http_reader_take(&c->rd);
    if (j)
        worker_job_put(w, j);
    free(c->pend);
    close(c->fd);
    if (c->in_flush) {
        for (struct conn **pp = &w->flush; *pp; pp = &(*pp)->fnext)
            if (*pp == c) {
                *pp = c->fnext;
                break;
            }
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        w->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    metrics_conn_close(w->pm);
    if (c->rejected)
        w->nrejected--;
    else
        w->nconns--;
    free(c);
    worker_conn_gone(w);
}

void
conn_abort(struct conn *c)
{
    conn_close(c);
}

void
conn_drain(struct conn *c)
{
    if (c->lingering || c->rejected)
        return;
    if (!http_reader_busy(&c->rd) && c->nqueued == 0) {
        double last = c->last_active > c->last_write ? c->last_active : c->last_write;
        if (ev_now(c->w->loop) - last >= CONN_DRAIN_GRACE) {
            conn_linger(c);
            return;
        }
    }
    conn_timer_update(c);
}

void
conn_accept(struct worker *w, int fd, const struct sockaddr_storage *ss, socklen_t len)
{
    int reject = w->nconns >= w->cfg->max_connections;
    if (reject && w->nrejected >= 256) {
        close(fd);                  /* a flood: no answer at all */
        return;
    }
    struct conn *c = calloc(1, sizeof *c);
    if (!c) {
        close(fd);
        return;
    }
    c->w = w;
    c->fd = fd;
    if (len > sizeof c->peer)
        len = sizeof c->peer;
    memcpy(&c->peer, ss, len);
    c->peer_len = len;
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, c->peer_text, sizeof c->peer_text);
    else if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, c->peer_text, sizeof c->peer_text);
    else
        strcpy(c->peer_text, "-");
    http_reader_init(&c->rd, &w->lim, &reader_ops, c);
    ev_io_init(&c->rio, read_cb, fd, EV_READ);
    c->rio.data = c;
    ev_io_init(&c->wio, write_cb, fd, EV_WRITE);
    c->wio.data = c;
    ev_init(&c->timer, timer_cb);
    c->timer.data = c;
    c->last_active = ev_now(w->loop);
    c->next = w->conns;
    if (w->conns)
        w->conns->prev = c;
    w->conns = c;
    metrics_conn_open(w->pm);
    if (reject) {
        c->rejected = 1;
        w->nrejected++;
        conn_error(c, 503);
        conn_flush(c);
        return;
    }
    w->nconns++;
    start_reading(c);
    conn_timer_update(c);
}
