/*
 * metrics.c -- daemon-wide counters in one shared anonymous mapping.
 *
 * Layout: a header (master-written gauges and the totals of retired worker
 * processes) followed by max_procs per-process entries.  A worker writes
 * only its own entry, with relaxed atomics, from any of its threads.  The
 * master allocates an entry before fork and folds it into the retired
 * totals after reaping the process; a sequence counter around that fold lets
 * metrics_render() (called in workers) take a consistent snapshot, so the
 * Prometheus counters never go backwards.
 */
#include "autoconfig.h"

#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define NCLASS 5                    /* 1xx .. 5xx */
#define NBUCKET 12                  /* including +Inf */

static const double bucket_le[NBUCKET - 1] = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
};

struct counters {
    _Atomic uint64_t requests[NCLASS];
    _Atomic uint64_t other_status;  /* statuses outside 100..599 */
    _Atomic uint64_t buckets[NBUCKET];
    _Atomic uint64_t duration_us;   /* sum of request durations, microseconds */
    _Atomic uint64_t handler_errors;
    _Atomic uint64_t handler_timeouts;
    _Atomic uint64_t redis_commands;
    _Atomic uint64_t redis_errors;
    _Atomic uint64_t redis_reconnects;
    _Atomic uint64_t redis_parked;  /* handler runs suspended in a command */
};

struct etd_proc_metrics {
    _Atomic int used;
    int slot;
    unsigned generation;
    _Atomic int64_t heartbeat_ms;   /* CLOCK_MONOTONIC, milliseconds */
    _Atomic int64_t connections;    /* open connections (gauge) */
    _Atomic int64_t parked;         /* handlers parked in Redis now (gauge) */
    struct counters c;
};

struct etd_metrics {
    int max_procs;
    _Atomic unsigned seq;           /* odd while the master folds an entry */
    _Atomic unsigned generation;
    _Atomic int workers;
    _Atomic uint64_t reloads_ok, reloads_failed, respawns;
    struct counters retired;
    struct etd_proc_metrics procs[];
};

#define RELAXED memory_order_relaxed

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t mapping_size(int max_procs)
{
    return sizeof(struct etd_metrics) + (size_t)max_procs * sizeof(struct etd_proc_metrics);
}

struct etd_metrics *metrics_create(int max_procs)
{
    if (max_procs < 1)
        return NULL;
    void *p = mmap(NULL, mapping_size(max_procs), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    struct etd_metrics *m = p;     /* the mapping is zero-filled */
    m->max_procs = max_procs;
    return m;
}

void metrics_destroy(struct etd_metrics *m)
{
    if (m)
        munmap(m, mapping_size(m->max_procs));
}

static void counters_zero(struct counters *c)
{
    for (int i = 0; i < NCLASS; i++)
        atomic_store_explicit(&c->requests[i], 0, RELAXED);
    for (int i = 0; i < NBUCKET; i++)
        atomic_store_explicit(&c->buckets[i], 0, RELAXED);
    atomic_store_explicit(&c->other_status, 0, RELAXED);
    atomic_store_explicit(&c->duration_us, 0, RELAXED);
    atomic_store_explicit(&c->handler_errors, 0, RELAXED);
    atomic_store_explicit(&c->handler_timeouts, 0, RELAXED);
    atomic_store_explicit(&c->redis_commands, 0, RELAXED);
    atomic_store_explicit(&c->redis_errors, 0, RELAXED);
    atomic_store_explicit(&c->redis_reconnects, 0, RELAXED);
    atomic_store_explicit(&c->redis_parked, 0, RELAXED);
}

static void add(_Atomic uint64_t *dst, const _Atomic uint64_t *src)
{
    atomic_fetch_add_explicit(dst, atomic_load_explicit(src, RELAXED), RELAXED);
}

static void counters_add(struct counters *dst, const struct counters *src)
{
    for (int i = 0; i < NCLASS; i++)
        add(&dst->requests[i], &src->requests[i]);
    for (int i = 0; i < NBUCKET; i++)
        add(&dst->buckets[i], &src->buckets[i]);
    add(&dst->other_status, &src->other_status);
    add(&dst->duration_us, &src->duration_us);
    add(&dst->handler_errors, &src->handler_errors);
    add(&dst->handler_timeouts, &src->handler_timeouts);
    add(&dst->redis_commands, &src->redis_commands);
    add(&dst->redis_errors, &src->redis_errors);
    add(&dst->redis_reconnects, &src->redis_reconnects);
    add(&dst->redis_parked, &src->redis_parked);
}

int metrics_proc_alloc(struct etd_metrics *m, int slot, unsigned generation)
{
    if (!m)
        return -1;
    for (int i = 0; i < m->max_procs; i++) {
        struct etd_proc_metrics *p = &m->procs[i];
        if (atomic_load_explicit(&p->used, RELAXED))
            continue;
        counters_zero(&p->c);
        p->slot = slot;
        p->generation = generation;
        atomic_store_explicit(&p->connections, 0, RELAXED);
        atomic_store_explicit(&p->parked, 0, RELAXED);
        atomic_store_explicit(&p->heartbeat_ms, mono_ms(), RELAXED);
        atomic_store_explicit(&p->used, 1, memory_order_release);
        return i;
    }
    return -1;
}

void metrics_proc_retire(struct etd_metrics *m, int idx)
{
    if (!m || idx < 0 || idx >= m->max_procs)
        return;
    struct etd_proc_metrics *p = &m->procs[idx];
    if (!atomic_load_explicit(&p->used, RELAXED))
        return;
    atomic_fetch_add_explicit(&m->seq, 1, memory_order_acq_rel);
    counters_add(&m->retired, &p->c);
    atomic_store_explicit(&p->used, 0, RELAXED);
    atomic_store_explicit(&p->connections, 0, RELAXED);
    atomic_store_explicit(&p->parked, 0, RELAXED);
    atomic_fetch_add_explicit(&m->seq, 1, memory_order_acq_rel);
}

void metrics_set_generation(struct etd_metrics *m, unsigned generation)
{
    if (m)
        atomic_store_explicit(&m->generation, generation, RELAXED);
}

void metrics_set_workers(struct etd_metrics *m, int workers)
{
    if (m)
        atomic_store_explicit(&m->workers, workers, RELAXED);
}

void metrics_reload_done(struct etd_metrics *m, int ok)
{
    if (m)
        atomic_fetch_add_explicit(ok ? &m->reloads_ok : &m->reloads_failed, 1, RELAXED);
}

void metrics_worker_respawned(struct etd_metrics *m)
{
    if (m)
        atomic_fetch_add_explicit(&m->respawns, 1, RELAXED);
}

double metrics_heartbeat_age(struct etd_metrics *m, int idx, double now)
{
    (void)now;
    if (!m || idx < 0 || idx >= m->max_procs)
        return 0;
    int64_t beat = atomic_load_explicit(&m->procs[idx].heartbeat_ms, RELAXED);
    return (double)(mono_ms() - beat) / 1000.0;
}

/* ---- worker side ---------------------------------------------------------- */

struct etd_proc_metrics *metrics_proc(struct etd_metrics *m, int idx)
{
    if (!m || idx < 0 || idx >= m->max_procs)
        return NULL;
    return &m->procs[idx];
}

void metrics_heartbeat(struct etd_proc_metrics *p, double now)
{
    (void)now;
    if (p)
        atomic_store_explicit(&p->heartbeat_ms, mono_ms(), RELAXED);
}

void metrics_conn_open(struct etd_proc_metrics *p)
{
    if (p)
        atomic_fetch_add_explicit(&p->connections, 1, RELAXED);
}

void metrics_conn_close(struct etd_proc_metrics *p)
{
    if (p)
        atomic_fetch_sub_explicit(&p->connections, 1, RELAXED);
}

void metrics_request(struct etd_proc_metrics *p, int status, double seconds)
{
    if (!p)
        return;
    if (status >= 100 && status <= 599)
        atomic_fetch_add_explicit(&p->c.requests[status / 100 - 1], 1, RELAXED);
    else
        atomic_fetch_add_explicit(&p->c.other_status, 1, RELAXED);
    if (!(seconds >= 0))            /* also NaN */
        seconds = 0;
    int b = 0;
    while (b < NBUCKET - 1 && seconds > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&p->c.buckets[b], 1, RELAXED);
    double us = seconds * 1e6;
    atomic_fetch_add_explicit(&p->c.duration_us, us > 1e15 ? (uint64_t)1e15 : (uint64_t)us, RELAXED);
}

void metrics_handler_error(struct etd_proc_metrics *p)
{
    if (p)
        atomic_fetch_add_explicit(&p->c.handler_errors, 1, RELAXED);
}

void metrics_handler_timeout(struct etd_proc_metrics *p)
{
    if (p)
        atomic_fetch_add_explicit(&p->c.handler_timeouts, 1, RELAXED);
}

void metrics_redis(struct etd_proc_metrics *p, int commands, int errors, int reconnects)
{
    if (!p)
        return;
    if (commands > 0)
        atomic_fetch_add_explicit(&p->c.redis_commands, (uint64_t)commands, RELAXED);
    if (errors > 0)
        atomic_fetch_add_explicit(&p->c.redis_errors, (uint64_t)errors, RELAXED);
    if (reconnects > 0)
        atomic_fetch_add_explicit(&p->c.redis_reconnects, (uint64_t)reconnects, RELAXED);
}

void metrics_parked(struct etd_proc_metrics *p, int delta)
{
    if (!p)
        return;
    atomic_fetch_add_explicit(&p->parked, delta, RELAXED);
    if (delta > 0)
        atomic_fetch_add_explicit(&p->c.redis_parked, (uint64_t)delta, RELAXED);
}

/* ---- rendering ------------------------------------------------------------ */

struct snapshot {
    uint64_t requests[NCLASS], other_status, buckets[NBUCKET], duration_us;
    uint64_t handler_errors, handler_timeouts, redis_commands, redis_errors, redis_reconnects;
    uint64_t redis_parked;
    int64_t connections, parked;
    int processes;
};

static void snap_add(struct snapshot *s, const struct counters *c)
{
    for (int i = 0; i < NCLASS; i++)
        s->requests[i] += atomic_load_explicit(&c->requests[i], RELAXED);
    for (int i = 0; i < NBUCKET; i++)
        s->buckets[i] += atomic_load_explicit(&c->buckets[i], RELAXED);
    s->other_status += atomic_load_explicit(&c->other_status, RELAXED);
    s->duration_us += atomic_load_explicit(&c->duration_us, RELAXED);
    s->handler_errors += atomic_load_explicit(&c->handler_errors, RELAXED);
    s->handler_timeouts += atomic_load_explicit(&c->handler_timeouts, RELAXED);
    s->redis_commands += atomic_load_explicit(&c->redis_commands, RELAXED);
    s->redis_errors += atomic_load_explicit(&c->redis_errors, RELAXED);
    s->redis_reconnects += atomic_load_explicit(&c->redis_reconnects, RELAXED);
    s->redis_parked += atomic_load_explicit(&c->redis_parked, RELAXED);
}

static void take_snapshot(struct etd_metrics *m, struct snapshot *s)
{
    for (int attempt = 0; attempt < 1000; attempt++) {
        unsigned before = atomic_load_explicit(&m->seq, memory_order_acquire);
        if (before & 1)
            continue;
        memset(s, 0, sizeof *s);
        snap_add(s, &m->retired);
        for (int i = 0; i < m->max_procs; i++) {
            struct etd_proc_metrics *p = &m->procs[i];
            if (!atomic_load_explicit(&p->used, memory_order_acquire))
                continue;
            snap_add(s, &p->c);
            int64_t c = atomic_load_explicit(&p->connections, RELAXED);
            s->connections += c > 0 ? c : 0;
            int64_t k = atomic_load_explicit(&p->parked, RELAXED);
            s->parked += k > 0 ? k : 0;
            s->processes++;
        }
        if (atomic_load_explicit(&m->seq, memory_order_acquire) == before)
            return;
    }
}

struct out {
    char *buf;
    size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = o->used < o->len ? o->len - o->used : 0;
    int n = vsnprintf(room ? o->buf + o->used : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n;
}

static void counter(struct out *o, const char *name, const char *help, uint64_t v)
{
    put(o, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n", name, help, name, name,
        (unsigned long long)v);
}

static void gauge(struct out *o, const char *name, const char *help, long long v)
{
    put(o, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", name, help, name, name, v);
}

size_t metrics_render(struct etd_metrics *m, char *buf, size_t len)
{
    struct out o = { buf, len, 0 };
    struct snapshot s;
    if (len)
        buf[0] = '\0';
    if (!m)
        return 0;
    take_snapshot(m, &s);

    put(&o, "# HELP etamild_http_requests_total HTTP requests answered, by status class.\n"
            "# TYPE etamild_http_requests_total counter\n");
    for (int i = 0; i < NCLASS; i++)
        put(&o, "etamild_http_requests_total{code=\"%dxx\"} %llu\n", i + 1,
            (unsigned long long)s.requests[i]);
    gauge(&o, "etamild_http_connections_active", "Open client connections.", s.connections);
    gauge(&o, "etamild_workers", "Configured worker slots.",
          atomic_load_explicit(&m->workers, RELAXED));
    gauge(&o, "etamild_worker_processes", "Live worker processes, including draining ones.",
          s.processes);
    gauge(&o, "etamild_generation", "Configuration and application generation being served.",
          atomic_load_explicit(&m->generation, RELAXED));
    put(&o, "# HELP etamild_reloads_total Reloads (SIGHUP), by result.\n"
            "# TYPE etamild_reloads_total counter\n"
            "etamild_reloads_total{result=\"ok\"} %llu\n"
            "etamild_reloads_total{result=\"failed\"} %llu\n",
        (unsigned long long)atomic_load_explicit(&m->reloads_ok, RELAXED),
        (unsigned long long)atomic_load_explicit(&m->reloads_failed, RELAXED));
    counter(&o, "etamild_worker_respawns_total", "Workers respawned after an unexpected exit.",
            atomic_load_explicit(&m->respawns, RELAXED));
    counter(&o, "etamild_handler_errors_total", "Handlers that ended with an error.",
            s.handler_errors);
    counter(&o, "etamild_handler_timeouts_total", "Handlers stopped by handler_timeout.",
            s.handler_timeouts);

    put(&o, "# HELP etamild_http_request_duration_seconds Time from request to response.\n"
            "# TYPE etamild_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (int b = 0; b < NBUCKET; b++) {
        cum += s.buckets[b];
        if (b < NBUCKET - 1)
            put(&o, "etamild_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                bucket_le[b], (unsigned long long)cum);
        else
            put(&o, "etamild_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                (unsigned long long)cum);
    }
    put(&o, "etamild_http_request_duration_seconds_sum %.6f\n"
            "etamild_http_request_duration_seconds_count %llu\n",
        (double)s.duration_us / 1e6, (unsigned long long)cum);

    counter(&o, "etamild_redis_commands_total", "Redis commands sent by handlers.",
            s.redis_commands);
    counter(&o, "etamild_redis_errors_total", "Redis commands or connections that failed.",
            s.redis_errors);
    counter(&o, "etamild_redis_reconnects_total", "Redis reconnections.", s.redis_reconnects);
    counter(&o, "etamild_redis_parked_total",
            "Handler runs parked (their thread freed) waiting for a Redis reply.",
            s.redis_parked);
    gauge(&o, "etamild_handlers_parked", "Handlers parked waiting for a Redis reply now.",
          s.parked);
    return o.used;
}
