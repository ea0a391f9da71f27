/*
 * worker.h -- the entry point of a worker process, called by the master in
 * the child right after fork().  The worker creates its own libev loop,
 * accepts only on its slot's sockets, runs handlers on helper threads and
 * returns the process exit status when it is done.
 *
 * Control (from the master, as signals to the worker):
 *   SIGTERM  drain gracefully (stop accepting, finish what was read, close
 *            keep-alive connections safely, exit 0 when nothing is left)
 *   SIGINT, SIGQUIT  stop now
 *   SIGUSR1  reopen the logs
 * The worker writes one byte 'R' to ready_fd once it is accepting, then
 * closes it; it stamps metrics_heartbeat() from its loop at least once a
 * second.
 */
#ifndef ETD_WORKER_H
#define ETD_WORKER_H

#include "config.h"
#include "metrics.h"

struct etd_worker_args {
    const struct etd_config *cfg;
    int slot;
    unsigned generation;
    const int *listen_fds;          /* this slot's socket for every listen address */
    int nlisten;
    int ready_fd;                   /* write 'R' when accepting; -1 if none */
    struct etd_metrics *metrics;
    int metrics_idx;                /* this process's entry */
    void *app;                      /* the compiled eTamil application (NULL until it exists) */
    struct redis_mux *redis_mux;    /* set by the worker: its shared Redis connections */
    struct app_ctxs *app_ctxs;      /* set by the worker: its eTamil contexts */
};

int worker_run(const struct etd_worker_args *args);

#endif
