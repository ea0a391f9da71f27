/*
 * metrics.h -- daemon-wide counters in shared memory.  The master creates the
 * mapping (MAP_SHARED | MAP_ANONYMOUS) before forking any worker; each worker
 * process gets its own entry (metrics_attach) and updates it with relaxed
 * atomics from any of its threads; when a worker exits the master folds its
 * counters into the retired totals so Prometheus counters never go backwards.
 * metrics.c owns the layout; workers use only the functions below.
 */
#ifndef ETD_METRICS_H
#define ETD_METRICS_H

#include <stddef.h>
#include <stdint.h>

struct etd_metrics;                 /* the shared mapping (opaque outside metrics.c) */
struct etd_proc_metrics;            /* one worker process's entry */

/* Master side. */
struct etd_metrics *metrics_create(int max_procs);
void metrics_destroy(struct etd_metrics *m);
int  metrics_proc_alloc(struct etd_metrics *m, int slot, unsigned generation); /* -1 if full */
void metrics_proc_retire(struct etd_metrics *m, int idx);   /* fold into totals, free entry */
void metrics_set_generation(struct etd_metrics *m, unsigned generation);
void metrics_set_workers(struct etd_metrics *m, int workers);
void metrics_reload_done(struct etd_metrics *m, int ok);
void metrics_worker_respawned(struct etd_metrics *m);
double metrics_heartbeat_age(struct etd_metrics *m, int idx, double now);

/* Worker side (after fork).  metrics_proc() returns NULL for idx -1 (the
 * table was full); every function below accepts a NULL entry and then does
 * nothing.  Heartbeats are stamped and aged on CLOCK_MONOTONIC read inside
 * metrics.c; the `now` arguments are ignored (ev_now() is wall-clock time). */
struct etd_proc_metrics *metrics_proc(struct etd_metrics *m, int idx);
void metrics_heartbeat(struct etd_proc_metrics *p, double now);
void metrics_conn_open(struct etd_proc_metrics *p);
void metrics_conn_close(struct etd_proc_metrics *p);
/* A finished request: HTTP status and duration in seconds. */
void metrics_request(struct etd_proc_metrics *p, int status, double seconds);
void metrics_handler_error(struct etd_proc_metrics *p);
void metrics_handler_timeout(struct etd_proc_metrics *p);
/* Redis (used by the runtime integration). */
void metrics_redis(struct etd_proc_metrics *p, int commands, int errors, int reconnects);
/* A handler parked in a Redis command (+1) or resumed or dropped (-1). */
void metrics_parked(struct etd_proc_metrics *p, int delta);

/* Prometheus text exposition of the whole daemon into buf (NUL-terminated);
 * returns the length, or the size needed when it does not fit. */
size_t metrics_render(struct etd_metrics *m, char *buf, size_t len);

#endif
