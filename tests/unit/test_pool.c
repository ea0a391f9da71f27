/*
 * test_pool.c -- CUnit suite for src/pool.c: jobs run on the helper threads
 * with their per-thread state, completions come back on the loop thread in
 * batches, queued jobs can be cancelled before they start, running ones get
 * their cancel hook, and destroying the pool hands back what it still held.
 * Also the ThreadSanitizer target for the hand-over (configure with
 * CFLAGS=-fsanitize=thread).
 */
#include "autoconfig.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>

#include "pool.h"

struct owner {
    struct ev_loop *loop;
    int init_delay_ms;              /* thread_init takes this long */
    int completed, discarded, batches;
    int want;
    atomic_int inits, finis;
    struct etd_job *done[4096];
};

static void *
t_init(void *arg, int index)
{
    struct owner *o = arg;
    if (o->init_delay_ms) {
        struct timespec ts = { 0, o->init_delay_ms * 1000000L };
        nanosleep(&ts, NULL);
    }
    atomic_fetch_add(&o->inits, 1);
    int *d = malloc(sizeof *d);
    *d = index;
    return d;
}

static void
t_fini(void *arg, void *data)
{
    struct owner *o = arg;
    atomic_fetch_add(&o->finis, 1);
    free(data);
}

static void
complete(void *owner, struct etd_job *j)
{
    struct owner *o = owner;
    CU_ASSERT_EQUAL(j->state, ETD_JOB_DONE);
    if (o->completed < 4096)
        o->done[o->completed] = j;
    o->completed++;
    if (o->completed >= o->want)
        ev_break(o->loop, EVBREAK_ALL);
}

static void
discard(void *owner, struct etd_job *j)
{
    ((struct owner *)owner)->discarded++;
    etd_job_free(j);
}

static void
batch_done(void *owner)
{
    ((struct owner *)owner)->batches++;
}

/* A handler: answers with the thread index it ran on. */
static void
h_echo(struct etd_job *j)
{
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d", *(int *)j->thread_data);
    j->resp.status = 200;
    etd_response_write(&j->resp, buf, (size_t)n);
}

static atomic_int hook_calls;
static atomic_int started;

static void
hook(void *ctx)
{
    (void)ctx;
    atomic_fetch_add(&hook_calls, 1);
}

/* A handler that runs until it is cancelled (like a runaway script). */
static void
h_spin(struct etd_job *j)
{
    etd_job_set_cancel(j, hook, NULL);
    atomic_store(&started, 1);
    while (!etd_job_cancelled(j)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    j->resp.status = 599;
}

static void
timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    (void)t;
    (void)revents;
    ev_break(loop, EVBREAK_ALL);
}

static void
run_until_done(struct owner *o, double limit)
{
    ev_timer t;
    ev_timer_init(&t, timeout_cb, limit, 0.);
    ev_timer_start(o->loop, &t);
    ev_run(o->loop, 0);
    ev_timer_stop(o->loop, &t);
}

static struct etd_pool *
make_pool_slow(struct owner *o, int n, int init_delay_ms)
{
    memset(o, 0, sizeof *o);
    o->init_delay_ms = init_delay_ms;
    o->loop = ev_loop_new(EVFLAG_AUTO);
    struct etd_pool_ops ops = {
        .thread_init = t_init, .thread_fini = t_fini, .arg = o,
        .complete = complete, .discard = discard, .batch_done = batch_done, .owner = o,
    };
    return pool_create(o->loop, n, &ops);
}

static struct etd_pool *
make_pool(struct owner *o, int n)
{
    return make_pool_slow(o, n, 0);
}

static void
test_many_jobs(void)
{
    struct owner o;
    struct etd_pool *p = make_pool(&o, 3);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    enum { N = 2000 };
    o.want = N;
    for (int i = 0; i < N; i++) {
        struct etd_job *j = etd_job_new();
        j->handler = h_echo;
        pool_submit(p, j);
        CU_ASSERT_EQUAL(j->state, ETD_JOB_QUEUED);
    }
    run_until_done(&o, 20.0);
    CU_ASSERT_EQUAL(o.completed, N);
    CU_ASSERT_TRUE(o.batches >= 1 && o.batches <= N);
    for (int i = 0; i < o.completed && i < 4096; i++) {
        struct etd_job *j = o.done[i];
        CU_ASSERT_EQUAL(j->resp.status, 200);
        CU_ASSERT_EQUAL(j->resp.body.len, 1);
        int t = j->resp.body.data[0] - '0';
        CU_ASSERT_TRUE(t >= 0 && t < 3);
        etd_job_free(j);
    }
    pool_destroy(p);
    CU_ASSERT_EQUAL(atomic_load(&o.inits), 3);
    CU_ASSERT_EQUAL(atomic_load(&o.finis), 3);
    CU_ASSERT_EQUAL(o.discarded, 0);
    ev_loop_destroy(o.loop);
}

static void
test_cancel(void)
{
    struct owner o;
    struct etd_pool *p = make_pool(&o, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    atomic_store(&started, 0);
    atomic_store(&hook_calls, 0);
    struct etd_job *spin = etd_job_new(), *queued = etd_job_new(), *pending = etd_job_new();
    spin->handler = h_spin;
    queued->handler = h_echo;
    pending->handler = h_echo;
    pool_submit(p, spin);
    pool_submit(p, queued);
    pool_flush(p);
    pool_submit(p, pending);         /* not handed over yet */
    while (!atomic_load(&started)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    /* the one thread is busy: the others have not started */
    CU_ASSERT_EQUAL(pool_cancel(p, pending), 1);
    CU_ASSERT_EQUAL(pool_cancel(p, queued), 1);
    CU_ASSERT_TRUE(etd_job_cancelled(queued));
    /* the running one: flag + hook, and its completion still arrives */
    CU_ASSERT_EQUAL(pool_cancel(p, spin), 0);
    CU_ASSERT_EQUAL(atomic_load(&hook_calls), 1);
    o.want = 1;
    run_until_done(&o, 10.0);
    CU_ASSERT_EQUAL_FATAL(o.completed, 1);
    CU_ASSERT_PTR_EQUAL(o.done[0], spin);
    CU_ASSERT_EQUAL(spin->resp.status, 599);
    etd_job_free(spin);
    etd_job_free(queued);
    etd_job_free(pending);
    pool_destroy(p);
    ev_loop_destroy(o.loop);
}

static void
test_destroy(void)
{
    struct owner o;
    struct etd_pool *p = make_pool(&o, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    atomic_store(&started, 0);
    struct etd_job *spin = etd_job_new();
    spin->handler = h_spin;
    pool_submit(p, spin);
    pool_flush(p);
    while (!atomic_load(&started)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < 5; i++) {
        struct etd_job *j = etd_job_new();
        j->handler = h_echo;
        pool_submit(p, j);
        if (i == 2)
            pool_flush(p);
    }
    /* destroy cancels the running job, joins, hands back all six */
    pool_destroy(p);
    CU_ASSERT_EQUAL(o.discarded, 6);
    CU_ASSERT_EQUAL(o.completed, 0);
    CU_ASSERT_EQUAL(atomic_load(&o.finis), 1);
    ev_loop_destroy(o.loop);
}

/* pool_wait_ready returns when every thread_init has. */
static void
test_wait_ready(void)
{
    struct owner o;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct etd_pool *p = make_pool_slow(&o, 3, 150);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);
    pool_wait_ready(p);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CU_ASSERT_EQUAL(atomic_load(&o.inits), 3);
    double dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CU_ASSERT(dt >= 0.14);
    pool_wait_ready(p);             /* at once the second time */
    pool_destroy(p);
    ev_loop_destroy(o.loop);
}

/* Parking (handler.h): the first run parks the job; the second finishes. */
static int park_marker;
static atomic_int park_runs, in_handler, may_return;

static void
h_park(struct etd_job *j)
{
    atomic_fetch_add(&park_runs, 1);
    if (!j->exec) {
        j->exec = &park_marker;
        etd_job_park(j);
        atomic_store(&in_handler, 1);
        while (!atomic_load(&may_return)) {
            struct timespec ts = { 0, 1000000 };
            nanosleep(&ts, NULL);
        }
        return;
    }
    j->exec = NULL;
    j->resp.status = 200;
}

static void
test_park(void)
{
    struct owner o;
    struct etd_pool *p = make_pool(&o, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p);

    /* the thread lets go first: the job is neither completed nor held
     * until the loop unparks it, then it runs again and completes */
    atomic_store(&park_runs, 0);
    atomic_store(&may_return, 1);
    struct etd_job *j = etd_job_new();
    j->handler = h_park;
    pool_submit(p, j);
    pool_flush(p);
    o.want = 1;
    run_until_done(&o, 0.3);
    CU_ASSERT_EQUAL(o.completed, 0);
    CU_ASSERT_EQUAL(atomic_load(&park_runs), 1);
    pool_unpark(j);
    run_until_done(&o, 5.0);
    CU_ASSERT_EQUAL(o.completed, 1);
    CU_ASSERT_EQUAL(atomic_load(&park_runs), 2);
    CU_ASSERT_EQUAL(j->resp.status, 200);
    etd_job_free(j);

    /* unparked while the handler has not returned yet: its thread goes
     * on with it at once */
    atomic_store(&park_runs, 0);
    atomic_store(&in_handler, 0);
    atomic_store(&may_return, 0);
    o.completed = 0;
    j = etd_job_new();
    j->handler = h_park;
    pool_submit(p, j);
    pool_flush(p);
    while (!atomic_load(&in_handler)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    pool_unpark(j);
    atomic_store(&may_return, 1);
    run_until_done(&o, 5.0);
    CU_ASSERT_EQUAL(o.completed, 1);
    CU_ASSERT_EQUAL(atomic_load(&park_runs), 2);
    CU_ASSERT_EQUAL(j->resp.status, 200);
    etd_job_free(j);

    pool_destroy(p);
    ev_loop_destroy(o.loop);
}

int
main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("pool", NULL, NULL);
    CU_add_test(s, "many jobs, per-thread state, batched completions", test_many_jobs);
    CU_add_test(s, "cancel queued, pending and running jobs", test_cancel);
    CU_add_test(s, "destroy with jobs held", test_destroy);
    CU_add_test(s, "wait until every thread_init returned", test_wait_ready);
    CU_add_test(s, "parked jobs, unparked after and before the thread lets go", test_park);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned fails = CU_get_number_of_failures();
    CU_cleanup_registry();
    return fails ? 1 : 0;
}
