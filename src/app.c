/*
 * app.c -- the eTamil application inside etamild (see app.h).
 *
 * Loading (master): etm_load_file with module_path, etm_check,
 * etm_program_compile; the routes and schedules the compiler lifted are
 * validated here and turned into router entries.  Errors are
 * "FILE:LINE:COLUMN: message".
 *
 * Serving (helper threads): a request runs in an execution context (a VM,
 * its Redis connections and the request's scratch) taken from the worker's
 * pool of them (struct app_ctxs) and given back when it is answered.  A
 * run that waits for a Redis reply on the worker's shared connection
 * (redis.h) suspends: the context stays with the parked job, the helper
 * thread takes other work, and the job is queued again (pool_unpark) when
 * the reply is in, to resume on whichever thread is free.  At most
 * max_parked contexts beyond one per thread are out at a time; past that,
 * runs wait for Redis on their thread as before.  When the prelude is
 * pure (etm_program_prelude_pure) it runs once per context and every request
 * starts from a copy of its globals (etm_vm_save_globals / etm_vm_reset);
 * otherwise every request runs prelude + route on fresh globals, exactly
 * like the reference.  The request variables of spec §11.5 are bound
 * before the prelude runs, only those the program mentions.  After the
 * run the globals response_status / response_body / response_headers /
 * response_file become the response (spec §11.7, with the differences of
 * interfaces.md: status rules below, handler headers replace defaults
 * case-insensitively, files are sent with sendfile, CORS only with
 * cors_origin, which http.c adds).
 *
 * Outcomes of a run:
 *   finished, or வெளியேறு(0)      the response built from the globals
 *   வெளியேறு(n), n != 0           500 (the handler reported failure)
 *   runtime error                  500; text in the body with expose_errors
 *   heap_limit exceeded            500
 *   handler_timeout / cancelled    503 (the loop thread has usually answered
 *                                  already and drops this response)
 * Every failure is logged with the route and the source position; அச்சு
 * output is logged at level info, tagged with the route.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "etamil.h"

#include "app.h"
#include "redis.h"
#include "log.h"
#include "multipart.h"
#include "pool.h"
#include "router.h"
#include "schedule.h"
#include "worker.h"


#define WHOLE_PROGRAM ((size_t)-1)
#define DEFAULT_BODY "Handler executed successfully"

struct app_route {
    struct etd_app *app;
    size_t index;                   /* route number, or WHOLE_PROGRAM */
    char *method;                   /* upper-cased */
    char *path;
    char *label;                    /* "GET /accounts/:id", for the log */
};

/* Request variables (spec §11.5), bound only when the program names them. */
enum { V_METHOD, V_PATH, V_BODY, V_QUERY, V_HEADERS, V_PATHP, V_FIELDS, V_FILES, V_COUNT };

struct etd_app {
    etm_program *prog;
    char *file;                     /* the app file, for messages */
    struct app_route *routes;
    size_t nroutes;
    int whole;                      /* no routes: the program serves / */
    int pure;                       /* etm_program_prelude_pure */
    int has_params;                 /* some route path has a :NAME (param_NAME globals) */
    long g_var[V_COUNT];            /* slots of the request variables */
    long g_status, g_headers, g_file, g_body;   /* ... and of the response globals */
    int64_t *sched_secs;
    size_t nsched;
    struct sched_area *area;
};

static const char *const var_names[V_COUNT] = {
    "request_method", "request_path", "request_body", "query_params",
    "headers", "path_params", "request_fields", "request_files",
};

/* An execution context (named for what it was: one per helper thread). */
struct app_thread {
    struct etd_app *app;
    const struct etd_config *cfg;
    struct app_ctxs *ctxs;          /* the pool it belongs to */
    struct app_thread *next_free;
    etm_vm *vm;
    struct redis_local *redis;      /* this context's kept Redis connections */
    struct etd_job *job;            /* the job it serves, or NULL */
    int in_route;                   /* the prelude is done: the route runs */
    unsigned preset;                /* bit per V_*: the saved prelude set it */
    int saved;                      /* the pure prelude ran; reset returns to it */
    /* the run in progress */
    const char *label;
    const struct etd_request *req;  /* the request being served, or NULL */
    int parsed;                     /* parts/files hold req's multipart body */
    int oom;                        /* part of the request could not be read */
    struct mp_parts parts;
    size_t *files;                  /* indexes into parts of the uploads */
    size_t nfiles, files_cap;
    char *tmp;                      /* decoding buffer */
    size_t tmp_cap;
    etm_buf text;
    char name[256];                 /* "param_NAME" */
};

/* A worker's execution contexts. */
struct app_ctxs {
    const struct etd_worker_args *args;
    pthread_mutex_t lock;
    struct app_thread *free;        /* idle contexts (lock) */
    atomic_int out;                 /* contexts in use (running or parked) */
    int limit;                      /* out beyond which runs do not suspend */
};

/* What app_thread_init gives each helper thread. */
struct app_helper {
    struct app_ctxs *ctxs;
    int own;                        /* ctxs is this thread's alone (no worker pool) */
    struct app_thread *cache;       /* an idle context kept by this thread (no lock) */
};

/* ------------------------------------------------------------------ */
/* Text helpers                                                        */

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t
app_query_unescape(const char *s, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            out[o++] = ' ';
        } else if (c == '%' && i + 2 < len &&
                   hexval((unsigned char)s[i + 1]) >= 0 && hexval((unsigned char)s[i + 2]) >= 0) {
            out[o++] = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            out[o++] = c;
        }
    }
    return o;
}

static int
tmp_reserve(struct app_thread *t, size_t n)
{
    if (n <= t->tmp_cap)
        return 0;
    size_t cap = t->tmp_cap ? t->tmp_cap : 1024;
    while (cap < n)
        cap *= 2;
    char *p = realloc(t->tmp, cap);
    if (!p)
        return -1;
    t->tmp = p;
    t->tmp_cap = cap;
    return 0;
}

/* A string value of s, UTF-8 with replacement. */
static etm_value
str_lossy(struct app_thread *t, const char *s, size_t len)
{
    etm_heap *h = etm_vm_heap(t->vm);
    if (etm_str_valid_utf8(s, len))
        return etm_str_new(h, s, len);
    if (len > SIZE_MAX / 3 || tmp_reserve(t, len * 3) < 0) {
        t->oom = 1;
        return etm_str_new(h, "", 0);
    }
    size_t n = etm_utf8_lossy(s, len, t->tmp);
    return etm_str_new(h, t->tmp, n);
}

/* Query component: decoded, then UTF-8 with replacement. */
static etm_value
str_query(struct app_thread *t, const char *s, size_t len)
{
    etm_heap *h = etm_vm_heap(t->vm);
    if (len > SIZE_MAX / 4 || tmp_reserve(t, len * 4) < 0) {
        t->oom = 1;
        return etm_str_new(h, "", 0);
    }
    size_t n = app_query_unescape(s, len, t->tmp);
    if (etm_str_valid_utf8(t->tmp, n))
        return etm_str_new(h, t->tmp, n);
    /* the lossy copy goes after the decoded bytes */
    size_t m = etm_utf8_lossy(t->tmp, n, t->tmp + n);
    return etm_str_new(h, t->tmp + n, m);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */

static void
errf(char *err, size_t errlen, const char *file, uint32_t line, uint32_t col, const char *msg)
{
    if (line)
        snprintf(err, errlen, "%s:%u:%u: %s", file, line, col, msg);
    else
        snprintf(err, errlen, "%s: %s", file, msg);
}

/* Every diagnostic, "; "-separated, into err. */
static void
diag_text(const struct etm_diag *d, const char *main_file, char *err, size_t errlen)
{
    size_t used = 0;
    err[0] = '\0';
    for (size_t i = 0; i < d->n && used + 1 < errlen; i++) {
        const struct etm_diag_item *it = &d->items[i];
        if (i) {
            snprintf(err + used, errlen - used, "; ");
            used += strlen(err + used);
        }
        errf(err + used, errlen - used, it->file ? it->file : main_file, it->line,
             it->column, it->message);
        used += strlen(err + used);
    }
    if (!err[0])
        snprintf(err, errlen, "%s: cannot load the application", main_file);
}

void
app_free(void *p)
{
    struct etd_app *app = p;
    if (!app)
        return;
    for (size_t i = 0; i < app->nroutes; i++) {
        free(app->routes[i].method);
        free(app->routes[i].path);
        free(app->routes[i].label);
    }
    free(app->routes);
    free(app->sched_secs);
    free(app->file);
    if (app->prog)
        etm_program_free(app->prog);
    free(app);
}

static int
add_route(struct etd_app *app, size_t index, const char *method, const char *path)
{
    struct app_route *rt = &app->routes[app->nroutes];
    memset(rt, 0, sizeof *rt);
    rt->app = app;
    rt->index = index;
    rt->method = strdup(method);
    rt->path = strdup(path);
    size_t ll = strlen(method) + strlen(path) + 2;
    rt->label = malloc(ll);
    if (!rt->method || !rt->path || !rt->label) {
        free(rt->method);
        free(rt->path);
        free(rt->label);
        return -1;
    }
    for (char *c = rt->method; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    snprintf(rt->label, ll, "%s %s", rt->method, path);
    if (strchr(path, ':'))
        app->has_params = 1;
    app->nroutes++;
    return 0;
}

void *
app_load(const struct etd_config *cfg, char *err, size_t errlen)
{
    const char *file = cfg->app;
    if (!file) {
        snprintf(err, errlen, "%s: no app configured", cfg->path ? cfg->path : "etamild.conf");
        return NULL;
    }
    /* module_path "A:B" -> {"A", "B", NULL} */
    char *mp = cfg->module_path ? strdup(cfg->module_path) : NULL;
    size_t ndirs = 1;
    for (const char *c = mp; c && *c; c++)
        ndirs += *c == ':';
    const char **dirs = calloc(ndirs + 1, sizeof *dirs);
    struct etd_app *app = calloc(1, sizeof *app);
    if ((cfg->module_path && !mp) || !dirs || !app) {
        free(mp);
        free(dirs);
        free(app);
        snprintf(err, errlen, "%s: out of memory", file);
        return NULL;
    }
    if (mp) {
        size_t k = 0;
        char *s = mp;
        for (;;) {
            char *c = strchr(s, ':');
            dirs[k++] = s;
            if (!c)
                break;
            *c = '\0';
            s = c + 1;
        }
    }
    struct etm_load_opts opts = { .search_path = mp ? dirs : NULL };
    struct etm_diag d;
    etm_diag_init(&d);
    struct etm_ast_program *ast = etm_load_file(file, &opts, &d);
    free(mp);
    free(dirs);
    if (!ast || etm_check(ast, &d) > 0) {
        diag_text(&d, file, err, errlen);
        etm_diag_free(&d);
        etm_ast_free(ast);
        free(app);
        return NULL;
    }
    etm_diag_free(&d);
    app->prog = etm_program_compile(ast);
    etm_ast_free(ast);
    app->file = strdup(file);
    if (!app->prog || !app->file)
        goto oom;
    app->pure = etm_program_prelude_pure(app->prog);
    for (int v = 0; v < V_COUNT; v++)
        app->g_var[v] = etm_program_global_slot(app->prog, var_names[v]);
    app->g_status = etm_program_global_slot(app->prog, "response_status");
    app->g_headers = etm_program_global_slot(app->prog, "response_headers");
    app->g_file = etm_program_global_slot(app->prog, "response_file");
    app->g_body = etm_program_global_slot(app->prog, "response_body");

    size_t nr = etm_program_route_count(app->prog);
    size_t ns = etm_program_schedule_count(app->prog);
    for (size_t i = 0; i < nr; i++) {
        const etm_route_info *ri = etm_program_route(app->prog, i);
        if (!ri->path) {
            errf(err, errlen, ri->file && *ri->file ? ri->file : file, ri->line, ri->column,
                 ri->error ? ri->error : "வழி needs a literal path");
            app_free(app);
            return NULL;
        }
    }
    for (size_t i = 0; i < ns; i++) {
        const etm_schedule_info *si = etm_program_schedule(app->prog, i);
        if (si->seconds <= 0) {
            errf(err, errlen, si->file && *si->file ? si->file : file, si->line, si->column,
                 si->error ? si->error : "இடைவெளி needs a literal number of seconds");
            app_free(app);
            return NULL;
        }
    }
    app->whole = nr == 0;
    app->routes = calloc(app->whole ? 4 : nr, sizeof *app->routes);
    if (!app->routes)
        goto oom;
    if (app->whole) {
        static const char *const m[] = { "GET", "POST", "PUT", "DELETE" };
        for (int i = 0; i < 4; i++)
            if (add_route(app, WHOLE_PROGRAM, m[i], "/") < 0)
                goto oom;
        if (ns)
            log_notice("%s: no வழி routes: serving the whole program on /; "
                       "its %zu இடைவெளி block(s) are ignored", file, ns);
        ns = 0;
    } else {
        for (size_t i = 0; i < nr; i++) {
            const etm_route_info *ri = etm_program_route(app->prog, i);
            if (add_route(app, i, ri->method, ri->path) < 0)
                goto oom;
        }
    }
    if (ns > SCHED_MAX) {
        const etm_schedule_info *si = etm_program_schedule(app->prog, SCHED_MAX);
        char msg[128];
        snprintf(msg, sizeof msg, "more than %d இடைவெளி blocks", SCHED_MAX);
        errf(err, errlen, si->file && *si->file ? si->file : file, si->line, si->column, msg);
        app_free(app);
        return NULL;
    }
    if (ns) {
        app->sched_secs = calloc(ns, sizeof *app->sched_secs);
        if (!app->sched_secs)
            goto oom;
        for (size_t i = 0; i < ns; i++)
            app->sched_secs[i] = etm_program_schedule(app->prog, i)->seconds;
        app->nsched = ns;
        app->area = schedule_area();
        if (!app->area) {
            snprintf(err, errlen, "%s: cannot create the shared schedule area: %s", file,
                     strerror(errno));
            app_free(app);
            return NULL;
        }
    }
    return app;
oom:
    snprintf(err, errlen, "%s: out of memory", file);
    app_free(app);
    return NULL;
}

int
app_register_routes(struct etd_router *r, void *p)
{
    struct etd_app *app = p;
    if (!app)
        return 0;
    for (size_t i = 0; i < app->nroutes; i++) {
        struct app_route *rt = &app->routes[i];
        if (router_add(r, rt->method, rt->path, app_handle, rt) < 0)
            return -1;
    }
    return 0;
}

size_t
app_schedule_count(const void *p)
{
    const struct etd_app *app = p;
    return app ? app->nsched : 0;
}

int64_t
app_schedule_seconds(const void *p, size_t i)
{
    const struct etd_app *app = p;
    return app->sched_secs[i];
}

struct sched_area *
app_schedule_area(const void *p)
{
    const struct etd_app *app = p;
    return app ? app->area : NULL;
}

/* ------------------------------------------------------------------ */
/* Helper threads                                                      */

static void parse_parts(struct app_thread *t);

static void
host_print(void *ud, const char *text, size_t len)
{
    struct app_thread *t = ud;
    log_info("%s: %.*s", t->label ? t->label : "prelude", (int)(len > 8192 ? 8192 : len), text);
}

static int
host_upload(void *ud, size_t index, const void **data, size_t *len)
{
    struct app_thread *t = ud;
    parse_parts(t);
    if (index >= t->nfiles)
        return -1;
    const struct mp_part *p = &t->parts.v[t->files[index]];
    *data = p->data;
    *len = p->data_len;
    return 0;
}

static uint64_t
mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void ctx_free(struct app_thread *t);

/* A new context for the worker of A (its VM has run the prelude when that
 * is pure).  NULL when out of memory. */
static struct app_thread *
ctx_new(const struct etd_worker_args *a, struct app_ctxs *cs)
{
    struct etd_app *app = a->app;
    struct app_thread *t = calloc(1, sizeof *t);
    if (!t) {
        log_error("eTamil context: out of memory");
        return NULL;
    }
    t->app = app;
    t->cfg = a->cfg;
    t->ctxs = cs;
    etm_buf_init(&t->text);
    etm_host host = { .ud = t, .print = host_print, .upload = host_upload };
    etm_limits lim = { .heap_limit = a->cfg->heap_limit };
    t->redis = redis_local_new(a->cfg->redis, a->cfg->redis_timeout, a->cfg->redis_user,
                               a->cfg->redis_password, metrics_proc(a->metrics, a->metrics_idx),
                               a->redis_mux);
    if (t->redis)
        redis_local_host(t->redis, &host);
    else
        log_error("eTamil context: out of memory for the Redis connections; "
                  "ரெடிஸ்_இணை will fail in it");
    t->vm = etm_vm_new(app->prog, &host, &lim);
    if (!t->vm) {
        log_error("eTamil context: cannot create an eTamil VM (out of memory)");
        ctx_free(t);
        return NULL;
    }
    if (app->pure) {
        etm_result res;
        t->label = "prelude";
        if (etm_vm_run_prelude(t->vm, &res) == ETM_RUN_OK) {
            for (int v = 0; v < V_COUNT; v++)
                if (etm_vm_get_global_at(t->vm, app->g_var[v]))
                    t->preset |= 1u << v;
            etm_vm_save_globals(t->vm);
            t->saved = 1;
        } else {
            etm_vm_reset(t->vm);
        }
        t->label = NULL;
    }
    return t;
}

static void
ctx_free(struct app_thread *t)
{
    if (!t)
        return;
    etm_vm_free(t->vm);
    redis_local_free(t->redis);
    multipart_free(&t->parts);
    free(t->files);
    free(t->tmp);
    etm_buf_free(&t->text);
    free(t);
}

static struct app_ctxs *
ctxs_new(const struct etd_worker_args *a)
{
    if (!a || !a->app)
        return NULL;
    struct app_ctxs *cs = calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    cs->args = a;
    atomic_init(&cs->out, 0);
    cs->limit = (a->cfg->threads > 0 ? a->cfg->threads : 1) + a->cfg->max_parked;
    pthread_mutex_init(&cs->lock, NULL);
    return cs;
}

/* A context for a run on H's thread, and whether the run may suspend
 * (*MAY).  The thread's own idle context first (no lock), then the pool's. */
static struct app_thread *
ctx_get(struct app_helper *h, int *may)
{
    struct app_ctxs *cs = h->ctxs;
    int out = atomic_fetch_add(&cs->out, 1) + 1;
    *may = out <= cs->limit && cs->args->cfg->max_parked > 0;
    struct app_thread *t = h->cache;
    if (t) {
        h->cache = NULL;
        return t;
    }
    pthread_mutex_lock(&cs->lock);
    t = cs->free;
    if (t)
        cs->free = t->next_free;
    pthread_mutex_unlock(&cs->lock);
    if (!t)
        t = ctx_new(cs->args, cs);
    if (!t)
        atomic_fetch_sub(&cs->out, 1);
    return t;
}

/* Back to idle: the run's state is dropped (a suspended run abandoned).
 * H: the helper thread giving it back, which keeps it if it has none
 * (NULL: the loop thread, or no preference). */
static void
ctx_put(struct app_thread *t, struct app_helper *h)
{
    etm_vm_reset(t->vm);
    redis_local_end(t->redis);
    t->parts.n = 0;
    t->nfiles = 0;
    t->req = NULL;
    t->parsed = 0;
    t->oom = 0;
    t->label = NULL;
    t->job = NULL;
    t->in_route = 0;
    struct app_ctxs *cs = t->ctxs;
    atomic_fetch_sub(&cs->out, 1);
    if (h && !h->cache && h->ctxs == cs) {
        h->cache = t;
        return;
    }
    pthread_mutex_lock(&cs->lock);
    t->next_free = cs->free;
    cs->free = t;
    pthread_mutex_unlock(&cs->lock);
}

struct app_ctxs *
app_contexts_new(const struct etd_worker_args *args)
{
    return ctxs_new(args);
}

void
app_contexts_free(struct app_ctxs *cs)
{
    if (!cs)
        return;
    int out = atomic_load(&cs->out);
    if (out)
        log_warn("%d eTamil contexts still in use at exit", out);
    while (cs->free) {
        struct app_thread *t = cs->free;
        cs->free = t->next_free;
        ctx_free(t);
    }
    pthread_mutex_destroy(&cs->lock);
    free(cs);
}

void *
app_thread_init(void *arg, int index)
{
    const struct etd_worker_args *a = arg;
    (void)index;
    if (!a || !a->app)
        return NULL;
    struct app_helper *h = calloc(1, sizeof *h);
    if (!h) {
        log_error("helper thread: out of memory");
        return NULL;
    }
    h->ctxs = a->app_ctxs;
    if (!h->ctxs) {                 /* no worker pool (tests): this thread's own */
        h->ctxs = ctxs_new(a);
        h->own = 1;
    }
    if (!h->ctxs) {
        log_error("helper thread: out of memory");
        free(h);
        return NULL;
    }
    /* one context per thread made now: the prelude runs before requests come */
    h->cache = ctx_new(a, h->ctxs);
    return h;
}

void
app_thread_fini(void *arg, void *td)
{
    struct app_helper *h = td;
    (void)arg;
    if (!h)
        return;
    ctx_free(h->cache);
    if (h->own)
        app_contexts_free(h->ctxs);
    free(h);
}

/* The loop thread: the Redis reply a suspended run of T waited for is in. */
static void
ctx_wake(void *arg)
{
    struct app_thread *t = arg;
    pool_unpark(t->job);
}

/* exec_drop of a job dropped while its context was out (loop thread). */
static void
ctx_drop(struct etd_job *job)
{
    struct app_thread *t = job->exec;
    if (etm_vm_suspended(t->vm))
        metrics_parked(job->metrics, -1);   /* dropped while parked */
    ctx_put(t, NULL);
}

static void
cancel_vm(void *ctx)
{
    struct app_thread *t = ctx;
    etm_vm_cancel(t->vm);
    redis_local_cancel(t->redis);   /* a Redis command in progress fails now */
}

/* ------------------------------------------------------------------ */
/* Binding a request (spec §11.5)                                      */

static int
want(const struct app_thread *t, int v)
{
    /* the program names it (it has a slot), and no saved prelude set it */
    return t->app->g_var[v] >= 0 && !(t->preset & (1u << v));
}

static void
bind_query(struct app_thread *t, const struct etd_request *q)
{
    etm_heap *h = etm_vm_heap(t->vm);
    etm_value rec = etm_rec_new(h, 4);
    const char *s = q->query, *end = q->query + q->query_len;
    while (s < end) {
        const char *amp = memchr(s, '&', (size_t)(end - s));
        const char *e = amp ? amp : end;
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (eq) {
            etm_value k = str_query(t, s, (size_t)(eq - s));
            etm_value v = str_query(t, eq + 1, (size_t)(e - eq - 1));
            etm_rec_set(h, &rec, ETM_STR(k), v);
            etm_release(h, k);
        }
        s = amp ? amp + 1 : end;
    }
    etm_vm_set_global_at(t->vm, t->app->g_var[V_QUERY], rec);
}

/* Split req's multipart body into t->parts and t->files (once per request;
 * also on demand for பதிவேற்றம்_சேமி when the program names neither
 * request_fields nor request_files). */
static void
parse_parts(struct app_thread *t)
{
    const struct etd_request *q = t->req;
    if (t->parsed || !q)
        return;
    t->parsed = 1;
    t->parts.n = 0;
    t->nfiles = 0;
    size_t clen;
    const char *ct = etd_request_header(q, "content-type", &clen);
    const char *b;
    size_t blen;
    if (!ct || !multipart_boundary(ct, clen, &b, &blen))
        return;
    if (multipart_parse(q->body, q->body_len, b, blen, &t->parts) < 0) {
        t->parts.n = 0;
        t->oom = 1;
        return;
    }
    for (size_t i = 0; i < t->parts.n; i++) {
        if (!t->parts.v[i].filename)
            continue;
        if (t->nfiles == t->files_cap) {
            size_t cap = t->files_cap ? t->files_cap * 2 : 8;
            void *nv = realloc(t->files, cap * sizeof *t->files);
            if (!nv) {
                t->oom = 1;
                break;
            }
            t->files = nv;
            t->files_cap = cap;
        }
        t->files[t->nfiles++] = i;
    }
}

static void
bind_multipart(struct app_thread *t)
{
    etm_heap *h = etm_vm_heap(t->vm);
    etm_value fields = etm_rec_new(h, 0);
    etm_value files = etm_arr_new(h, 0);
    parse_parts(t);
    for (size_t i = 0; i < t->parts.n; i++) {
        const struct mp_part *p = &t->parts.v[i];
        if (p->filename)
            continue;
        etm_value k = str_lossy(t, p->name, p->name_len);
        etm_rec_set(h, &fields, ETM_STR(k), str_lossy(t, p->data, p->data_len));
        etm_release(h, k);
    }
    for (size_t f = 0; f < t->nfiles; f++) {
        const struct mp_part *p = &t->parts.v[t->files[f]];
        etm_value d = etm_rec_new(h, 5);
        etm_rec_set_cstr(h, &d, "குறியீடு", strlen("குறியீடு"), etm_num_int((int64_t)f));
        etm_rec_set_cstr(h, &d, "பெயர்", strlen("பெயர்"), str_lossy(t, p->name, p->name_len));
        etm_rec_set_cstr(h, &d, "கோப்புப்_பெயர்", strlen("கோப்புப்_பெயர்"),
                         str_lossy(t, p->filename, p->filename_len));
        etm_rec_set_cstr(h, &d, "வகை", strlen("வகை"),
                         p->type ? str_lossy(t, p->type, p->type_len)
                                 : etm_str_cstr(h, "application/octet-stream"));
        etm_rec_set_cstr(h, &d, "அளவு", strlen("அளவு"), etm_num_int((int64_t)p->data_len));
        etm_arr_push(h, &files, d);
    }
    if (want(t, V_FIELDS))
        etm_vm_set_global_at(t->vm, t->app->g_var[V_FIELDS], fields);
    else
        etm_release(h, fields);
    if (want(t, V_FILES))
        etm_vm_set_global_at(t->vm, t->app->g_var[V_FILES], files);
    else
        etm_release(h, files);
}

static void
bind_request(struct app_thread *t, const struct etd_request *q)
{
    etm_vm *vm = t->vm;
    etm_heap *h = etm_vm_heap(vm);
    if (want(t, V_METHOD))
        etm_vm_set_global_at(vm, t->app->g_var[V_METHOD], etm_str_cstr(h, q->method ? q->method : ""));
    if (want(t, V_PATH))
        etm_vm_set_global_at(vm, t->app->g_var[V_PATH], str_lossy(t, q->path, q->path_len));
    if (want(t, V_BODY))
        etm_vm_set_global_at(vm, t->app->g_var[V_BODY], str_lossy(t, q->body, q->body_len));
    if (want(t, V_QUERY))
        bind_query(t, q);
    if (want(t, V_HEADERS)) {
        etm_value rec = etm_rec_new(h, q->nheaders);
        for (size_t i = 0; i < q->nheaders; i++) {
            const struct etd_header *hd = &q->headers[i];
            etm_value k = str_lossy(t, hd->name, hd->name_len);
            etm_rec_set(h, &rec, ETM_STR(k), str_lossy(t, hd->value, hd->value_len));
            etm_release(h, k);
        }
        etm_vm_set_global_at(vm, t->app->g_var[V_HEADERS], rec);
    }
    if (want(t, V_PATHP)) {
        etm_value rec = etm_rec_new(h, q->nparams);
        for (size_t i = 0; i < q->nparams; i++) {
            const struct etd_header *p = &q->params[i];
            etm_value k = str_lossy(t, p->name, p->name_len);
            etm_rec_set(h, &rec, ETM_STR(k), str_lossy(t, p->value, p->value_len));
            etm_release(h, k);
        }
        etm_vm_set_global_at(vm, t->app->g_var[V_PATHP], rec);
    }
    if (t->app->has_params)
        for (size_t i = 0; i < q->nparams; i++) {
            const struct etd_header *p = &q->params[i];
            if (p->name_len + 7 > sizeof t->name)
                continue;
            memcpy(t->name, "param_", 6);
            memcpy(t->name + 6, p->name, p->name_len);
            t->name[6 + p->name_len] = '\0';
            etm_value v = str_lossy(t, p->value, p->value_len);
            etm_vm_set_global(vm, t->name, v);
        }
    t->req = q;
    t->parsed = 0;
    t->nfiles = 0;
    if (want(t, V_FIELDS) || want(t, V_FILES))
        bind_multipart(t);
}

/* ------------------------------------------------------------------ */
/* Building the response (spec §11.7)                                  */

/* response_status: a number from 0 to 65535 (fraction cut) is the status,
 * anything else means 200 (as in the reference); a number that is not a
 * final HTTP status (200-599) gives 500, logged. */
static int
response_status(struct app_thread *t, const struct etd_job *job)
{
    const etm_value *v = etm_vm_get_global_at(t->vm, t->app->g_status);
    if (!v || v->kind != ETM_NUM)
        return 200;
    int64_t n;
    if (etm_dec_is_negative(v->as.num) && !etm_dec_is_zero(etm_dec_trunc(v->as.num)))
        return 200;
    if (etm_dec_to_int64(etm_dec_trunc(v->as.num), &n) != ETM_DEC_OK || n < 0 || n > 65535)
        return 200;
    if (n < 200 || n > 599) {
        log_error("%s (%s %s): status %lld is not a final HTTP status; answering 500",
                  t->label, job->req.method, job->req.target, (long long)n);
        return 500;
    }
    return (int)n;
}

static const char *
text_of(struct app_thread *t, etm_value v, size_t *len)
{
    if (v.kind == ETM_STR) {
        *len = ETM_STR(v)->len;
        return ETM_STR(v)->data;
    }
    t->text.len = 0;
    etm_text_append(etm_vm_heap(t->vm), &t->text, v);
    etm_buf_add(&t->text, "", 0);
    *len = t->text.len;
    return t->text.p ? t->text.p : "";
}

static void
build_response(struct app_thread *t, struct etd_job *job)
{
    struct etd_response *r = &job->resp;
    const struct etd_config *cfg = t->cfg;
    etd_response_clear(r);
    r->status = response_status(t, job);
    if (r->status == 500) {
        etd_response_error(r, 500, NULL);
        return;
    }
    int ct_default = 1;             /* Content-Type absent or application/json */
    const etm_value *hv = etm_vm_get_global_at(t->vm, t->app->g_headers);
    if (hv && hv->kind == ETM_REC) {
        etm_rec *rec = ETM_REC(*hv);
        for (uint32_t i = 0; i < rec->len; i++) {
            const etm_string *k = rec->ents[i].key;
            size_t vl;
            const char *vs = text_of(t, rec->ents[i].val, &vl);
            if (etd_response_set_header(r, k->data, k->len, vs, vl) < 0) {
                log_warn("%s: header %.*s not sent (invalid name or value)", t->label,
                         (int)(k->len > 200 ? 200 : k->len), k->data);
                continue;
            }
            if (k->len == 12 && strncasecmp(k->data, "content-type", 12) == 0)
                ct_default = vl == 16 && memcmp(vs, "application/json", 16) == 0;
        }
    }
    const etm_value *fv = etm_vm_get_global_at(t->vm, t->app->g_file);
    if (fv) {
        size_t pl;
        const char *ps = text_of(t, *fv, &pl);
        int fd = memchr(ps, 0, pl) ? -1 : open(ps, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
            const char *why = fd < 0 ? strerror(errno) : "not a regular file";
            if (fd >= 0)
                close(fd);
            log_error("%s (%s %s): cannot read '%s': %s", t->label, job->req.method,
                      job->req.target, ps, why);
            if (cfg->expose_errors) {
                char msg[1024];
                snprintf(msg, sizeof msg, "cannot read '%s': %s", ps, why);
                etd_response_error(r, 500, msg);
            } else {
                etd_response_error(r, 500, NULL);
            }
            return;
        }
        if (ct_default)
            etd_response_set_header(r, "Content-Type", 12, "application/octet-stream", 24);
        etd_response_file(r, fd, 0, st.st_size);
        return;
    }
    const etm_value *bv = etm_vm_get_global_at(t->vm, t->app->g_body);
    if (!bv) {
        etd_response_write(r, DEFAULT_BODY, sizeof DEFAULT_BODY - 1);
        return;
    }
    size_t bl;
    const char *bs = text_of(t, *bv, &bl);
    if (etd_response_write(r, bs, bl) < 0) {
        log_error("%s (%s %s): out of memory for a %zu-byte response body; answering 500",
                  t->label, job->req.method, job->req.target, bl);
        etd_response_error(r, 500, NULL);
    }
}

/* A failed run: log it, answer 500 or 503. */
static void
failure(struct app_thread *t, struct etd_job *job, const etm_result *res)
{
    struct etd_response *r = &job->resp;
    const char *file = res->file && *res->file ? res->file : t->app->file;
    const char *m = job->req.method ? job->req.method : "-";
    const char *target = job->req.target ? job->req.target : "-";
    const char *msg = res->message ? res->message : "";
    switch (res->status) {
    case ETM_RUN_TIMEOUT:
    case ETM_RUN_CANCELLED:
        log_warn("%s (%s %s): stopped at %s:%u:%u: %s", t->label, m, target, file,
                 res->line, res->column, msg);
        etd_response_error(r, 503, NULL);
        return;
    case ETM_RUN_EXIT:
        log_error("%s (%s %s): வெளியேறு(%d) at %s:%u:%u", t->label, m, target,
                  res->exit_code, file, res->line, res->column);
        if (t->cfg->expose_errors) {
            char buf[64];
            snprintf(buf, sizeof buf, "Handler exited with status %d", res->exit_code);
            etd_response_error(r, 500, buf);
        } else {
            etd_response_error(r, 500, NULL);
        }
        return;
    default:
        log_error("%s (%s %s): %s:%u:%u: %s", t->label, m, target, file, res->line,
                  res->column, msg);
        if (t->cfg->expose_errors) {
            size_t n = strlen(msg) + 32;
            char *buf = malloc(n);
            if (buf) {
                snprintf(buf, n, "Handler error: %s", msg);
                etd_response_error(r, 500, buf);
                free(buf);
                return;
            }
        }
        etd_response_error(r, 500, NULL);
        return;
    }
}

void
app_handle(struct etd_job *job)
{
    const struct app_route *rt = job->route_data;
    struct app_thread *t = job->exec;
    etm_result res;
    memset(&res, 0, sizeof res);
    etm_status st = ETM_RUN_OK;
    if (t) {
        metrics_parked(job->metrics, -1);
        st = etm_vm_resume(t->vm, &res);    /* parked in Redis: the reply is in */
    } else {
        struct app_helper *h = job->thread_data;
        int may = 0;
        t = h ? ctx_get(h, &may) : NULL;
        if (!t || t->app != rt->app) {
            log_error("%s: no eTamil VM for this request (out of memory?)", rt->label);
            etd_response_error(&job->resp, 500, NULL);
            if (t)
                ctx_put(t, h);
            return;
        }
        job->exec = t;
        job->exec_drop = ctx_drop;
        t->job = job;
        const struct etd_config *cfg = t->cfg;
        etm_limits lim = { .heap_limit = cfg->heap_limit };
        if (cfg->handler_timeout > 0)
            lim.deadline_ns = mono_ns() + (uint64_t)(cfg->handler_timeout * 1e9);
        etm_vm_set_limits(t->vm, &lim);
        t->label = rt->label;
        redis_local_suspend(t->redis, may, ctx_wake, t);
        etd_job_set_cancel(job, cancel_vm, t);
        if (etd_job_cancelled(job))
            etm_vm_cancel(t->vm);
        bind_request(t, &job->req);
        /* a handler never runs on a request it was given only part of */
        if (!t->oom && !t->saved)
            st = etm_vm_run_prelude(t->vm, &res);
    }
    for (;;) {
        if (st == ETM_RUN_SUSPENDED) {
            metrics_parked(job->metrics, 1);
            etd_job_park(job);          /* ctx_wake brings it back */
            return;
        }
        if (t->in_route)
            break;
        t->in_route = 1;
        if (t->oom || st != ETM_RUN_OK || rt->index == WHOLE_PROGRAM)
            break;
        st = etm_vm_run_route(t->vm, rt->index, &res);
    }
    etd_job_set_cancel(job, NULL, NULL);

    if (t->oom) {
        /* binding, or an upload the handler asked for, ran out of memory */
        log_error("%s (%s %s): out of memory reading the request; answering 500", rt->label,
                  job->req.method ? job->req.method : "-",
                  job->req.target ? job->req.target : "-");
        etd_response_error(&job->resp, 500, NULL);
    } else if (st == ETM_RUN_OK || (st == ETM_RUN_EXIT && res.exit_code == 0)) {
        build_response(t, job);
    } else {
        failure(t, job, &res);
    }
    job->exec = NULL;
    job->exec_drop = NULL;
    ctx_put(t, job->thread_data);   /* this thread's (a resumed job may run on another) */
}

void
app_run_schedule(struct etd_job *job, size_t i)
{
    struct app_helper *h = job->thread_data;
    int may;
    struct app_thread *t = h ? ctx_get(h, &may) : NULL;
    if (!t) {
        log_error("இடைவெளி #%zu: no eTamil VM for the run (out of memory?)", i + 1);
        return;
    }
    redis_local_suspend(t->redis, 0, NULL, NULL);   /* a schedule run holds its thread */
    etm_vm *vm = t->vm;
    char label[64];
    snprintf(label, sizeof label, "இடைவெளி #%zu every %llds", i + 1,
             (long long)t->app->sched_secs[i]);
    etm_limits lim = { .heap_limit = t->cfg->heap_limit };
    if (t->cfg->schedule_timeout > 0)   /* a runaway run must not keep its thread */
        lim.deadline_ns = mono_ns() + (uint64_t)(t->cfg->schedule_timeout * 1e9);
    etm_vm_set_limits(vm, &lim);
    t->label = label;
    etd_job_set_cancel(job, cancel_vm, t);
    if (etd_job_cancelled(job))
        etm_vm_cancel(vm);
    etm_result res;
    memset(&res, 0, sizeof res);
    etm_status st = ETM_RUN_OK;
    if (!t->saved)
        st = etm_vm_run_prelude(vm, &res);
    if (st == ETM_RUN_OK)
        st = etm_vm_run_schedule(vm, i, &res);
    etd_job_set_cancel(job, NULL, NULL);
    if (st != ETM_RUN_OK && !(st == ETM_RUN_EXIT && res.exit_code == 0)) {
        const char *file = res.file && *res.file ? res.file : t->app->file;
        if (st == ETM_RUN_EXIT)
            log_error("%s failed: வெளியேறு(%d) at %s:%u:%u", label, res.exit_code, file,
                      res.line, res.column);
        else
            log_error("%s failed: %s:%u:%u: %s", label, file, res.line, res.column,
                      res.message ? res.message : "");
    }
    ctx_put(t, h);
}
