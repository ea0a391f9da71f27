/*
 * redis.h -- Redis connections for eTamil handlers (issue 7), through
 * hiredis.  One struct redis_local per thread that runs eTamil (a helper
 * thread of a worker, or the `etamil` runner): it keeps one connection per
 * server address across requests and serves the runtime's Redis host
 * interface (etm_redis_ops in src/lang/etamil.h).
 *
 * Per request: the handler's ரெடிஸ்_இணை makes a server current (connecting
 * only when no live connection is kept); redis_local_end() after the
 * request forgets which one was current.  A kept connection whose state a
 * request may have changed (SELECT, MULTI, WATCH, CLIENT SETNAME,
 * SUBSCRIBE, ...) is reset (RESET, pipelined with the next command, or a
 * new connection where the server has no RESET) before the next request
 * uses it; one only read or written with plain data commands is not.  A
 * broken connection is dropped and re-opened on next use.  Connecting and
 * each command are bounded by the timeout.
 *
 * ETAMILD_REDIS_REUSE=0 in the environment turns reuse off (a new
 * connection per ரெடிஸ்_இணை, closed at ரெடிஸ்_பிரி and at the end of the
 * request): a baseline for scripts/bench-redis, not for production.
 */
#ifndef ETD_REDIS_H
#define ETD_REDIS_H

#include "etamil.h"

struct etd_proc_metrics;
struct redis_local;

/* DEFAULT_ADDR ("HOST:PORT", "[V6]:PORT" or "unix:PATH") is what
 * ரெடிஸ்_இணை() means; TIMEOUT_S (> 0) bounds connecting and every
 * command; METRICS may be NULL (the runner).  NULL when out of memory. */
struct redis_local *redis_local_new(const char *default_addr, double timeout_s,
                                    struct etd_proc_metrics *metrics);
void redis_local_free(struct redis_local *rl);

/* Point host->redis and host->redis_ud at RL. */
void redis_local_host(struct redis_local *rl, etm_host *host);

/* After each request (or schedule run) on RL's thread: no server is
 * current any more. */
void redis_local_end(struct redis_local *rl);

/* From any thread (e.g. a handler-timeout hook): make a command in
 * progress on RL fail now (its connection is dropped). */
void redis_local_cancel(struct redis_local *rl);

/* Counters of RL since it was made (tests, statistics). */
struct redis_local_stats {
    unsigned long commands, errors, connects, resets;
};
void redis_local_stats(const struct redis_local *rl, struct redis_local_stats *out);

#endif
