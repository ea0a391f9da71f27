/*
 * pool.h -- a worker's helper threads.  The loop thread submits jobs (in
 * batches: they are handed over once per loop iteration, with one lock and
 * as few wake-ups as there are idle threads); a helper thread runs
 * job->handler(job) and puts the job on the completion list; an ev_async
 * wakes the loop, which takes every finished job in one go and calls
 * ops->complete for each, on the loop thread.
 */
#ifndef ETD_POOL_H
#define ETD_POOL_H

#include <ev.h>

#include "handler.h"

struct etd_pool_ops {
    /* On each helper thread as it starts / ends (may be NULL): per-thread
     * state such as an eTamil VM, handed to handlers as job->thread_data. */
    void *(*thread_init)(void *arg, int index);
    void (*thread_fini)(void *arg, void *thread_data);
    void *arg;
    /* On the loop thread: a job finished (job->state == ETD_JOB_DONE). */
    void (*complete)(void *owner, struct etd_job *job);
    /* On the loop thread after each batch of completions (may be NULL). */
    void (*batch_done)(void *owner);
    /* On the loop thread in pool_destroy: a job the pool still held. */
    void (*discard)(void *owner, struct etd_job *job);
    void *owner;
};

struct etd_pool;

struct etd_pool *pool_create(struct ev_loop *loop, int nthreads, const struct etd_pool_ops *ops);
/* Wait until every helper thread's thread_init has returned (a worker
 * reports ready only then: its eTamil contexts have run the prelude). */
void pool_wait_ready(struct etd_pool *p);
/* Loop thread: queue job (state becomes ETD_JOB_QUEUED).  Handed to the
 * threads before the loop next blocks, or at pool_flush(). */
void pool_submit(struct etd_pool *p, struct etd_job *job);
void pool_flush(struct etd_pool *p);
/* Loop thread: a parked job (handler.h) may go on; it is queued again (or
 * its helper thread, if it has not let go yet, goes on with it). */
void pool_unpark(struct etd_job *job);
/* Loop thread: cancel job.  Returns 1 if it had not started (it is out of
 * the pool again and belongs to the caller), 0 if it is running: its
 * cancelled flag is set and its cancel hook called; it completes later. */
int pool_cancel(struct etd_pool *p, struct etd_job *job);
/* Loop thread: cancel what runs, stop and join the threads, hand every job
 * still held to ops->discard, free the pool. */
void pool_destroy(struct etd_pool *p);

#endif
