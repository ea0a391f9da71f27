/*
 * pool.c -- the helper threads of one worker (see pool.h).  Two lists cross
 * the thread boundary: the job queue (loop -> threads, a mutex and a
 * condition variable) and the completion list (threads -> loop, a mutex and
 * an ev_async).  Jobs are linked through their pnext/pprev fields, so
 * handing one over allocates nothing.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pool.h"

struct jlist {
    struct etd_job *head, *tail;
    int n;
};

struct helper {
    struct etd_pool *pool;
    pthread_t tid;
    int index;
    int started;
    struct etd_job *cur;            /* running job (under q_lock) */
};

struct etd_pool {
    struct ev_loop *loop;
    struct etd_pool_ops ops;
    ev_async async;
    ev_prepare prepare;
    struct jlist pending;           /* loop thread only: submitted, not handed over */

    pthread_mutex_t q_lock;
    pthread_cond_t q_cond;
    struct jlist queue;
    int idle;                       /* threads waiting on q_cond */
    int stop;
    int inited;                     /* threads whose thread_init returned */
    pthread_cond_t init_cond;       /* ... signalled as each one does */

    pthread_mutex_t d_lock;
    struct jlist done;

    int nthreads;
    struct helper *helpers;
};

static void
jl_push(struct jlist *l, struct etd_job *j)
{
    j->pnext = NULL;
    j->pprev = l->tail;
    if (l->tail)
        l->tail->pnext = j;
    else
        l->head = j;
    l->tail = j;
    l->n++;
}

static void
jl_remove(struct jlist *l, struct etd_job *j)
{
    if (j->pprev)
        j->pprev->pnext = j->pnext;
    else
        l->head = j->pnext;
    if (j->pnext)
        j->pnext->pprev = j->pprev;
    else
        l->tail = j->pprev;
    j->pnext = j->pprev = NULL;
    l->n--;
}

static int
jl_contains(const struct jlist *l, const struct etd_job *j)
{
    for (const struct etd_job *x = l->head; x; x = x->pnext)
        if (x == j)
            return 1;
    return 0;
}

/* job->park: a handler that returns parked (handler.h) is not completed;
 * whichever of the helper thread letting go (PARKING -> PARKED) and the
 * loop's pool_unpark (-> READY) comes second decides who goes on: the loop
 * re-queues a PARKED job, the helper re-runs a READY one at once. */
enum { PARK_NONE, PARK_PARKING, PARK_PARKED, PARK_READY };

void
etd_job_park(struct etd_job *j)
{
    int none = PARK_NONE;
    atomic_compare_exchange_strong(&j->park, &none, PARK_PARKING);
}

void
pool_unpark(struct etd_job *j)
{
    if (atomic_exchange(&j->park, PARK_READY) == PARK_PARKED) {
        atomic_store(&j->park, PARK_NONE);
        pool_submit(j->pool, j);
    }
}

/* After handler(j) returned on helper H: 1 when j is done, 0 when it is
 * parked and no longer this thread's. */
static int
settle(struct helper *h, struct etd_job *j)
{
    struct etd_pool *p = h->pool;
    for (;;) {
        int st = atomic_load(&j->park);
        if (st == PARK_NONE)
            return 1;
        if (st == PARK_PARKING) {
            /* out of pool_destroy's sight before anyone else may have it */
            pthread_mutex_lock(&p->q_lock);
            h->cur = NULL;
            pthread_mutex_unlock(&p->q_lock);
            if (atomic_compare_exchange_strong(&j->park, &st, PARK_PARKED))
                return 0;
            pthread_mutex_lock(&p->q_lock);
            h->cur = j;
            pthread_mutex_unlock(&p->q_lock);
            continue;
        }
        /* READY: what it waited for came already: go on here */
        atomic_store(&j->park, PARK_NONE);
        j->handler(j);
    }
}

/* Hand a finished job to the loop thread. */
static void
deliver(struct etd_pool *p, struct etd_job *j)
{
    pthread_mutex_lock(&p->d_lock);
    int wake = p->done.head == NULL;
    jl_push(&p->done, j);
    pthread_mutex_unlock(&p->d_lock);
    if (wake)
        ev_async_send(p->loop, &p->async);
}

static void *
helper_main(void *arg)
{
    struct helper *h = arg;
    struct etd_pool *p = h->pool;
    void *tdata = p->ops.thread_init ? p->ops.thread_init(p->ops.arg, h->index) : NULL;
    struct etd_job *done = NULL;
    pthread_mutex_lock(&p->q_lock);
    p->inited++;
    pthread_cond_broadcast(&p->init_cond);
    pthread_mutex_unlock(&p->q_lock);

    for (;;) {
        pthread_mutex_lock(&p->q_lock);
        /* cur is cleared before the job is delivered: once the loop has
         * it, pool_destroy must not touch it any more */
        h->cur = NULL;
        if (!done)
            while (!p->queue.head && !p->stop) {
                p->idle++;
                pthread_cond_wait(&p->q_cond, &p->q_lock);
                p->idle--;
            }
        struct etd_job *j = NULL;
        if (!p->stop && p->queue.head) {
            j = p->queue.head;
            jl_remove(&p->queue, j);
            h->cur = j;
        }
        int stop = p->stop;
        pthread_mutex_unlock(&p->q_lock);
        if (done) {
            deliver(p, done);
            done = NULL;
        }
        if (!j) {
            if (stop)
                break;
            continue;
        }
        j->thread_data = tdata;
        if (!etd_job_cancelled(j) || j->exec) {
            j->handler(j);          /* a resumed one goes on even if cancelled: it stops */
            if (!settle(h, j))
                continue;           /* parked: pool_unpark brings it back */
        }
        etd_job_set_cancel(j, NULL, NULL);
        done = j;
    }
    if (p->ops.thread_fini)
        p->ops.thread_fini(p->ops.arg, tdata);
    return NULL;
}

static void
async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    struct etd_pool *p = w->data;
    (void)loop;
    (void)revents;
    pthread_mutex_lock(&p->d_lock);
    struct etd_job *j = p->done.head;
    p->done.head = p->done.tail = NULL;
    p->done.n = 0;
    pthread_mutex_unlock(&p->d_lock);
    while (j) {
        struct etd_job *next = j->pnext;
        j->pnext = j->pprev = NULL;
        j->state = ETD_JOB_DONE;
        p->ops.complete(p->ops.owner, j);
        j = next;
    }
    if (p->ops.batch_done)
        p->ops.batch_done(p->ops.owner);
}

void
pool_flush(struct etd_pool *p)
{
    if (!p->pending.head)
        return;
    pthread_mutex_lock(&p->q_lock);
    int n = p->pending.n;
    if (p->queue.tail) {
        p->queue.tail->pnext = p->pending.head;
        p->pending.head->pprev = p->queue.tail;
    } else {
        p->queue.head = p->pending.head;
    }
    p->queue.tail = p->pending.tail;
    p->queue.n += n;
    int wake = n < p->idle ? n : p->idle;
    if (wake >= p->idle)
        pthread_cond_broadcast(&p->q_cond);
    else
        while (wake-- > 0)
            pthread_cond_signal(&p->q_cond);
    pthread_mutex_unlock(&p->q_lock);
    p->pending.head = p->pending.tail = NULL;
    p->pending.n = 0;
}

static void
prepare_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    (void)loop;
    (void)revents;
    pool_flush(w->data);
}

struct etd_pool *
pool_create(struct ev_loop *loop, int nthreads, const struct etd_pool_ops *ops)
{
    if (nthreads < 1)
        nthreads = 1;
    struct etd_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->loop = loop;
    p->ops = *ops;
    p->nthreads = nthreads;
    p->helpers = calloc((size_t)nthreads, sizeof *p->helpers);
    if (!p->helpers) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->q_lock, NULL);
    pthread_cond_init(&p->q_cond, NULL);
    pthread_cond_init(&p->init_cond, NULL);
    pthread_mutex_init(&p->d_lock, NULL);
    ev_async_init(&p->async, async_cb);
    p->async.data = p;
    ev_async_start(loop, &p->async);
    ev_unref(loop);
    ev_prepare_init(&p->prepare, prepare_cb);
    p->prepare.data = p;
    ev_prepare_start(loop, &p->prepare);
    ev_unref(loop);

    /* Helper threads take no signals: they all go to the loop thread. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    for (int i = 0; i < nthreads; i++) {
        struct helper *h = &p->helpers[i];
        h->pool = p;
        h->index = i;
        int err = pthread_create(&h->tid, NULL, helper_main, h);
        if (err) {
            log_error("cannot start helper thread %d: %s", i, strerror(err));
            pthread_sigmask(SIG_SETMASK, &old, NULL);
            p->nthreads = i;
            pool_destroy(p);
            return NULL;
        }
        h->started = 1;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return p;
}

void
pool_wait_ready(struct etd_pool *p)
{
    pthread_mutex_lock(&p->q_lock);
    while (p->inited < p->nthreads)
        pthread_cond_wait(&p->init_cond, &p->q_lock);
    pthread_mutex_unlock(&p->q_lock);
}

void
pool_submit(struct etd_pool *p, struct etd_job *job)
{
    job->state = ETD_JOB_QUEUED;
    job->pool = p;
    jl_push(&p->pending, job);
}

static void
cancel_running(struct etd_job *j)
{
    atomic_store(&j->cancelled, 1);
    pthread_mutex_lock(&j->cancel_lock);
    if (j->cancel_fn)
        j->cancel_fn(j->cancel_ctx);
    pthread_mutex_unlock(&j->cancel_lock);
}

int
pool_cancel(struct etd_pool *p, struct etd_job *job)
{
    if (jl_contains(&p->pending, job)) {
        jl_remove(&p->pending, job);
        job->state = ETD_JOB_DONE;
        atomic_store(&job->cancelled, 1);
        return 1;
    }
    pthread_mutex_lock(&p->q_lock);
    if (jl_contains(&p->queue, job)) {
        jl_remove(&p->queue, job);
        job->state = ETD_JOB_DONE;
        atomic_store(&job->cancelled, 1);
        pthread_mutex_unlock(&p->q_lock);
        return 1;
    }
    pthread_mutex_unlock(&p->q_lock);
    cancel_running(job);
    return 0;
}

void
pool_destroy(struct etd_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->q_lock);
    p->stop = 1;
    for (int i = 0; i < p->nthreads; i++)
        if (p->helpers[i].cur)
            cancel_running(p->helpers[i].cur);
    pthread_cond_broadcast(&p->q_cond);
    pthread_mutex_unlock(&p->q_lock);
    for (int i = 0; i < p->nthreads; i++)
        if (p->helpers[i].started)
            pthread_join(p->helpers[i].tid, NULL);
    struct jlist *lists[] = { &p->pending, &p->queue, &p->done };
    for (size_t k = 0; k < 3; k++) {
        struct etd_job *j = lists[k]->head;
        while (j) {
            struct etd_job *next = j->pnext;
            j->pnext = j->pprev = NULL;
            if (p->ops.discard)
                p->ops.discard(p->ops.owner, j);
            j = next;
        }
        lists[k]->head = lists[k]->tail = NULL;
    }
    ev_ref(p->loop);
    ev_async_stop(p->loop, &p->async);
    ev_ref(p->loop);
    ev_prepare_stop(p->loop, &p->prepare);
    pthread_mutex_destroy(&p->q_lock);
    pthread_cond_destroy(&p->q_cond);
    pthread_cond_destroy(&p->init_cond);
    pthread_mutex_destroy(&p->d_lock);
    free(p->helpers);
    free(p);
}
