/*
 * schedule.h -- the application's இடைவெளி N { ... } blocks: each runs once
 * every N seconds per daemon, in one worker, on a helper thread, never
 * overlapping itself, also across a rolling restart.
 *
 * The master creates one small shared-memory area (a memfd, MAP_SHARED)
 * the first time it loads an application and keeps it for its whole life,
 * so every worker of every generation sees the same slots; a binary upgrade
 * (SIGUSR2) hands the memfd to the new master (schedule_pass_on), so the
 * workers of both masters share the slots while they overlap.  Slot k (the
 * k-th schedule in source order) holds one 64-bit word: the monotonic time
 * in ms when it is due next (0: not started yet), or -pid while the worker
 * pid runs it.  A worker's event loop polls the slots; whoever swaps a due
 * time for its own -pid (compare-and-swap) submits the run to its pool, and
 * the helper thread stores now + N when the run ends, so N is the gap
 * between runs as in the reference.  A slot held by a pid that no longer
 * exists is taken over.  Draining workers claim nothing, and finish the
 * runs they have before they exit (bounded by graceful_timeout).
 */
#ifndef ETD_SCHEDULE_H
#define ETD_SCHEDULE_H

#include <stdint.h>

#define SCHED_MAX 64                /* schedules beyond this are refused at load */

struct sched_area;
struct worker;
struct etd_sched;
struct etd_job;

/* The process's shared area, created on the first call (master, before
 * any fork), or the one the old master handed over in
 * ETAMILD_SCHEDULE_FD; NULL if mmap fails. */
struct sched_area *schedule_area(void);

/* In the child of a binary upgrade, just before exec: pass the area on as
 * a descriptor >= min_fd named in ETAMILD_SCHEDULE_FD (nothing if the
 * process has none). */
void schedule_pass_on(int min_fd);

/* Worker: start polling the application's schedules (NULL when it has
 * none or on failure).  Queued runs point into the returned struct: call
 * schedule_stop() after the pool is destroyed, before the loop is. */
struct etd_sched *schedule_start(struct worker *w, void *app);
void schedule_stop(struct etd_sched *s);

/* Helper thread: run k has ended; due again in seconds. */
void schedule_done(struct sched_area *a, int k, int64_t seconds);

/* Worker loop: a job came back from the pool without a connection; if it
 * is a schedule run, count it finished and return 1. */
int schedule_job_back(struct worker *w, struct etd_job *job);

/* Milliseconds of CLOCK_MONOTONIC (shared by all processes). */
int64_t schedule_now_ms(void);

#endif
