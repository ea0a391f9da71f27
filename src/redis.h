/*
 * redis.h -- Redis connections for eTamil handlers (issue 7), through
 * hiredis.  One struct redis_local per eTamil execution context (in a
 * worker, app.c pools them; the `etamil` runner has one): it keeps one
 * connection of its own per server address across requests and serves the
 * runtime's Redis host interface (etm_redis_ops in src/lang/etamil.h).
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
 * In a worker, a handler may also wait for a reply without holding its
 * helper thread: plain data commands (GET, SET, INCR, HSET, ...; see
 * plain_cmds in redis.c) of a run allowed to suspend (redis_local_suspend)
 * go on one connection per server that all helper threads of the worker
 * share (struct redis_mux).  The thread writes the command and the run
 * suspends (ETM_RUN_SUSPENDED); the worker's event loop reads the replies,
 * several per system call, in order, and wakes each run, whose thread
 * then resumes it.  A logical connection (from ரெடிஸ்_இணை to ரெடிஸ்_பிரி or
 * the end of the request) that runs any other command goes on on the
 * context's own connection from then on; a command is answered before the
 * next is sent, so one handler's commands keep their order across the two.
 * A reply overdue by the timeout breaks the shared connection (every
 * command on it fails, as on a context's own connection).
 *
 * Baselines for scripts/bench-redis, not for production:
 * ETAMILD_REDIS_REUSE=0 turns reuse off (a new connection per ரெடிஸ்_இணை,
 * closed at ரெடிஸ்_பிரி and at the end of the request, as the reference
 * does); ETAMILD_REDIS_SHARED=0 keeps the threads' own connections only
 * (runs never suspend).
 */
#ifndef ETD_REDIS_H
#define ETD_REDIS_H

#include "etamil.h"

struct etd_proc_metrics;
struct ev_loop;
struct redis_local;
struct redis_mux;

/* A worker's shared connections, driven by LOOP (whose thread must call
 * the other two); TIMEOUT_S bounds every reply.  No connection is made
 * until a run needs one; its watchers do not keep LOOP running.  NULL when
 * out of memory (runs then never suspend). */
struct redis_mux *redis_mux_new(struct ev_loop *loop, double timeout_s);
/* When the loop has stopped, before the helper threads are joined: every
 * command waiting on a shared connection fails (its run is woken), the
 * sockets are closed, and runs never suspend from then on. */
void redis_mux_shutdown(struct redis_mux *m);
/* After the helper threads are gone (shuts down first if needed). */
void redis_mux_free(struct redis_mux *m);

/* DEFAULT_ADDR ("HOST:PORT", "[V6]:PORT" or "unix:PATH") is what
 * ரெடிஸ்_இணை() means; TIMEOUT_S (> 0) bounds connecting and every
 * command; with PASSWORD, every connection to DEFAULT_ADDR is
 * authenticated (AUTH [USER] PASSWORD) when it is opened and after each
 * RESET; METRICS may be NULL (the runner); MUX is the worker's shared
 * connections, or NULL (the runner, tests).  NULL when out of memory. */
struct redis_local *redis_local_new(const char *default_addr, double timeout_s,
                                    const char *user, const char *password,
                                    struct etd_proc_metrics *metrics, struct redis_mux *mux);
void redis_local_free(struct redis_local *rl);

/* Point host->redis and host->redis_ud at RL. */
void redis_local_host(struct redis_local *rl, etm_host *host);

/* After each request (or schedule run) on RL's thread: no server is
 * current any more. */
void redis_local_end(struct redis_local *rl);

/* Whether the next runs on RL may suspend in Redis commands (ALLOW, with
 * a shared connection available); WAKE(ARG) is called on the loop thread,
 * once per suspension, when the reply (or a failure) is in: the host then
 * resumes the run (etm_vm_resume), which takes the reply. */
void redis_local_suspend(struct redis_local *rl, int allow, void (*wake)(void *arg), void *arg);

/* On the loop thread (a handler-timeout hook): make a command in progress
 * on RL fail now: the context's own connection is dropped; a run suspended
 * on a shared connection is woken, and its reply will be dropped. */
void redis_local_cancel(struct redis_local *rl);

/* Counters of RL since it was made (tests, statistics). */
struct redis_local_stats {
    unsigned long commands, errors, connects, resets;
};
void redis_local_stats(const struct redis_local *rl, struct redis_local_stats *out);

#endif
