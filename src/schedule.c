/*
 * schedule.c -- இடைவெளி blocks once per interval per daemon (see
 * schedule.h for the shared-slot protocol).  The poll runs on the worker's
 * event loop; the runs themselves are ordinary jobs on the helper-thread
 * pool (no connection), so they never block the loop.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "app.h"
#include "conn.h"
#include "log.h"
#include "pool.h"
#include "schedule.h"

struct sched_area {
    _Atomic int64_t slot[SCHED_MAX];    /* due time in ms, 0 = unset, -pid = running */
};

struct sched_item {
    struct etd_sched *s;
    int k;
};

struct etd_sched {
    struct worker *w;
    void *app;
    struct sched_area *area;
    int n;
    pid_t pid;
    ev_timer timer;
    struct sched_item items[SCHED_MAX];
};

#define SCHED_FD_ENV "ETAMILD_SCHEDULE_FD"

/* Created in the master before the first fork; never unmapped, so it
 * outlives every generation.  the_fd is its memfd (-1: anonymous memory,
 * when memfds are not available), kept open to pass on at an upgrade. */
static struct sched_area *the_area;
static int the_fd = -1;

static void *
map_area(int fd)
{
    void *p = mmap(NULL, sizeof *the_area, PROT_READ | PROT_WRITE,
                   fd < 0 ? MAP_SHARED | MAP_ANONYMOUS : MAP_SHARED, fd, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* The area of the old master, from ETAMILD_SCHEDULE_FD: 1, or 0 if there
 * is none or it cannot be used. */
static int
adopt_area(void)
{
    const char *e = getenv(SCHED_FD_ENV);
    if (!e)
        return 0;
    char *end;
    long fd = strtol(e, &end, 10);
    unsetenv(SCHED_FD_ENV);
    struct stat st;
    void *p = NULL;
    if (*end == '\0' && fd > 2 && fd < 65536 && fstat((int)fd, &st) == 0 &&
        st.st_size == (off_t)sizeof *the_area)
        p = map_area((int)fd);
    if (!p) {
        log_warn("schedules: the area handed over (%s=%s) cannot be used; starting afresh",
                 SCHED_FD_ENV, e);
        return 0;
    }
    fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    the_fd = (int)fd;
    the_area = p;
    return 1;
}

struct sched_area *
schedule_area(void)
{
    if (the_area || adopt_area())
        return the_area;
    int fd = memfd_create("etamild-schedules", MFD_CLOEXEC);
    if (fd >= 0 && ftruncate(fd, sizeof *the_area) < 0) {
        close(fd);
        fd = -1;
    }
    void *p = map_area(fd);
    if (!p) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    the_fd = fd;
    the_area = p;
    for (int i = 0; i < SCHED_MAX; i++)
        atomic_init(&the_area->slot[i], 0);
    return the_area;
}

void
schedule_pass_on(int min_fd)
{
    if (the_fd < 0)
        return;
    int fd = fcntl(the_fd, F_DUPFD, min_fd);     /* without FD_CLOEXEC: survives exec */
    if (fd < 0)
        return;
    char buf[16];
    snprintf(buf, sizeof buf, "%d", fd);
    setenv(SCHED_FD_ENV, buf, 1);
}

int64_t
schedule_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
schedule_done(struct sched_area *a, int k, int64_t seconds)
{
    int64_t mine = -(int64_t)getpid();
    atomic_compare_exchange_strong(&a->slot[k], &mine, schedule_now_ms() + seconds * 1000);
}

static void
run_job(struct etd_job *job)
{
    struct sched_item *it = job->route_data;
    app_run_schedule(job, (size_t)it->k);
    schedule_done(it->s->area, it->k, app_schedule_seconds(it->s->app, (size_t)it->k));
}

static int
pid_gone(pid_t pid)
{
    return kill(pid, 0) < 0 && errno == ESRCH;
}

static void
poll_cb(struct ev_loop *loop, ev_timer *tm, int revents)
{
    struct etd_sched *s = tm->data;
    struct worker *w = s->w;
    (void)revents;
    int64_t now = schedule_now_ms();
    int64_t next = now + 500;
    int submitted = 0;
    if (w->draining || w->stopping) {
        ev_timer_stop(loop, tm);
        return;
    }
    for (int k = 0; k < s->n; k++) {
        _Atomic int64_t *slot = &s->area->slot[k];
        int64_t v = atomic_load(slot);
        int64_t secs = app_schedule_seconds(s->app, (size_t)k);
        if (v == 0) {
            int64_t due = now + secs * 1000;
            if (!atomic_compare_exchange_strong(slot, &v, due))
                continue;               /* another worker started it */
            v = due;
        }
        if (v < 0) {
            /* running somewhere; take it over if that process is gone */
            if ((pid_t)-v != s->pid && pid_gone((pid_t)-v))
                atomic_compare_exchange_strong(slot, &v, now);
            if (now + 100 < next)
                next = now + 100;
            continue;
        }
        if (v > now) {
            if (v < next)
                next = v;
            continue;
        }
        if (!atomic_compare_exchange_strong(slot, &v, -(int64_t)s->pid))
            continue;
        struct etd_job *job = worker_job_get(w);
        if (!job) {
            log_error("இடைவெளி #%d: out of memory", k + 1);
            schedule_done(s->area, k, secs);
            continue;
        }
        job->handler = run_job;
        job->route_data = &s->items[k];
        job->conn = NULL;
        w->nsched++;
        pool_submit(w->pool, job);
        submitted = 1;
    }
    if (submitted)
        pool_flush(w->pool);
    double d = (double)(next - now) / 1000.0;
    if (d < 0.005)
        d = 0.005;
    ev_timer_set(tm, d, 0.);
    ev_timer_start(loop, tm);
}

int
schedule_job_back(struct worker *w, struct etd_job *job)
{
    if (job->handler != run_job)
        return 0;
    w->nsched--;
    return 1;
}

struct etd_sched *
schedule_start(struct worker *w, void *app)
{
    size_t n = app_schedule_count(app);
    struct sched_area *area = app_schedule_area(app);
    if (n == 0 || !area)
        return NULL;
    struct etd_sched *s = calloc(1, sizeof *s);
    if (!s) {
        log_error("schedules: out of memory; இடைவெளி blocks will not run in this worker");
        return NULL;
    }
    s->w = w;
    s->app = app;
    s->area = area;
    s->n = (int)(n > SCHED_MAX ? SCHED_MAX : n);
    s->pid = getpid();
    for (int k = 0; k < s->n; k++) {
        s->items[k].s = s;
        s->items[k].k = k;
    }
    ev_timer_init(&s->timer, poll_cb, 0.01, 0.);
    s->timer.data = s;
    ev_timer_start(w->loop, &s->timer);
    return s;
}

void
schedule_stop(struct etd_sched *s)
{
    if (!s)
        return;
    ev_timer_stop(s->w->loop, &s->timer);
    free(s);
}
