/*
 * conn.h -- one client connection of a worker, and the worker's own state
 * (one struct per process, as conventions.md asks).  conn.c owns the
 * connection state machine: read -> parse (http.c) -> route (router.c) ->
 * helper thread (pool.c) -> serialise -> writev, in request order, with
 * the timeouts, limits and the graceful close; worker.c owns the loop, the
 * accept watchers, signals and draining.
 */
#ifndef ETD_CONN_H
#define ETD_CONN_H

#include <netinet/in.h>
#include <sys/uio.h>

#include <ev.h>

#include "config.h"
#include "handler.h"
#include "http.h"
#include "metrics.h"
#include "pool.h"
#include "router.h"
#include "worker.h"

/* Requests read ahead on one connection before reading pauses. */
#define CONN_MAX_PIPELINE 16
/* Draining: an idle keep-alive connection is closed after this much quiet. */
#define CONN_DRAIN_GRACE 1.0
/* After the last response of a closing connection: read and discard for at
 * most this long (or until the client closes), then close. */
#define CONN_LINGER 2.0

struct conn;

struct worker {
    struct ev_loop *loop;
    const struct etd_worker_args *args;
    const struct etd_config *cfg;
    struct etd_proc_metrics *pm;
    struct etd_pool *pool;
    struct redis_mux *redis_mux;    /* shared Redis connections of the helper threads */
    struct etd_worker_args pool_args; /* args, plus redis_mux: the helper threads' */
    struct etd_router *router;
    struct http_limits lim;
    struct http_date_cache dc;
    struct http_static st;
    char *rbuf;                     /* one read buffer for every connection */
    size_t rbuf_size;

    struct etd_job *free_jobs;      /* reused jobs */
    int nfree_jobs;
    struct conn *conns;             /* every open connection */
    int nconns;                     /* counted against max_connections */
    int nrejected;                  /* connections being answered 503 */
    int nsched;                     /* schedule runs in the pool (a drain waits for them) */
    struct conn *flush;             /* connections with responses to write */
    struct etd_job *tq_head, *tq_tail;  /* jobs in the pool, oldest first */
    ev_timer htimer;                /* handler_timeout of tq_head */

    ev_io accept_w[ETD_MAX_LISTEN];
    int naccept;
    ev_timer accept_pause;          /* out of descriptors: retry accepting */
    ev_signal sig_term, sig_int, sig_quit, sig_usr1;
    ev_timer heartbeat;
    ev_prepare log_flush;           /* arms log_timer when access-log lines wait */
    ev_timer log_timer;             /* writes them (at most ACCESS_FLUSH s late) */
    int draining, stopping;
    struct etd_buf logline;
    struct iovec iov[64];
};

struct conn {
    ev_io rio, wio;
    ev_timer timer;
    struct worker *w;
    struct http_reader rd;
    int fd;
    unsigned reading:1;             /* rio started */
    unsigned paused:1;              /* reader paused: too many pending */
    unsigned no_more:1;             /* read no further request */
    unsigned eof:1;                 /* the client closed its side */
    unsigned lingering:1;           /* write side shut down, discarding input */
    unsigned rejected:1;            /* over max_connections: 503 */
    unsigned in_flush:1;
    unsigned writing:1;             /* wio started */
    unsigned nodelay:1;             /* TCP_NODELAY set */
    int nqueued;
    struct etd_job *qhead, *qtail;  /* requests read, in order */
    char *pend;                     /* input not parsed yet (while paused) */
    size_t pend_len, pend_cap;
    double last_active;             /* last byte read (or accept) */
    double last_write;              /* last write progress */
    double linger_start;
    int nrequests;
    struct conn *next, *prev, *fnext;
    union {                         /* not a sockaddr_storage: 100 bytes less per connection */
        struct sockaddr sa;
        struct sockaddr_in sin;
        struct sockaddr_in6 sin6;
    } peer;
    socklen_t peer_len;
    char peer_text[48];
};

/* worker side */
void conn_accept(struct worker *w, int fd, const struct sockaddr_storage *ss, socklen_t len);
void conn_drain(struct conn *c);            /* the worker began draining */
void conn_abort(struct conn *c);            /* close now (fast stop) */
void conn_job_done(void *worker, struct etd_job *job);      /* pool completion */
void conn_job_discard(void *worker, struct etd_job *job);   /* pool shutdown */
void conn_flush_all(struct worker *w);
void conn_handler_timeouts(struct worker *w);
struct etd_job *worker_job_get(struct worker *w);
void worker_job_put(struct worker *w, struct etd_job *job);
void worker_conn_gone(struct worker *w);    /* a connection closed */

#endif
