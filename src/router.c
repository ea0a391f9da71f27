/*
 * router.c -- route table and built-in endpoints (see router.h).  Patterns
 * are split into segments once, when added; a request path is walked
 * segment by segment without copying.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "router.h"

struct seg {
    const char *s;
    size_t n;
    int param;                      /* ":name": s/n is the name without ':' */
};

struct route {
    char *method;
    char *pattern;
    struct seg *segs;
    int nsegs;
    int has_param;
    etd_handler_fn fn;
    void *data;
};

struct etd_router {
    const struct etd_config *cfg;
    struct etd_metrics *metrics;
    struct route *routes;
    int n, cap;
    struct route health, status;    /* built-ins (fn NULL when off) */
};

/* Next non-empty segment of p[*i..len): its start and length, 0 at the end. */
static int
next_seg(const char *p, size_t len, size_t *i, const char **s, size_t *n)
{
    while (*i < len && p[*i] == '/')
        (*i)++;
    if (*i >= len)
        return 0;
    size_t b = *i;
    while (*i < len && p[*i] != '/')
        (*i)++;
    *s = p + b;
    *n = *i - b;
    return 1;
}

static int
route_init(struct route *rt, const char *method, const char *pattern,
           etd_handler_fn fn, void *data)
{
    memset(rt, 0, sizeof *rt);
    rt->method = strdup(method);
    rt->pattern = strdup(pattern);
    if (!rt->method || !rt->pattern)
        return -1;
    size_t len = strlen(pattern), i = 0, n;
    const char *s;
    int cap = 0;
    while (next_seg(rt->pattern, len, &i, &s, &n)) {
        if (rt->nsegs == cap) {
            cap = cap ? cap * 2 : 4;
            void *p = realloc(rt->segs, (size_t)cap * sizeof *rt->segs);
            if (!p)
                return -1;
            rt->segs = p;
        }
        struct seg *g = &rt->segs[rt->nsegs++];
        g->param = s[0] == ':';
        g->s = g->param ? s + 1 : s;
        g->n = g->param ? n - 1 : n;
        rt->has_param |= g->param;
    }
    rt->fn = fn;
    rt->data = data;
    return 0;
}

static void
route_free(struct route *rt)
{
    free(rt->method);
    free(rt->pattern);
    free(rt->segs);
}

struct etd_router *
router_create(const struct etd_config *cfg, struct etd_metrics *metrics)
{
    struct etd_router *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = cfg;
    r->metrics = metrics;
    if ((cfg->health_path && route_init(&r->health, "GET", cfg->health_path, router_health, r) < 0) ||
        (cfg->status_path && route_init(&r->status, "GET", cfg->status_path, router_status, r) < 0)) {
        router_free(r);
        return NULL;
    }
    return r;
}

void
router_free(struct etd_router *r)
{
    if (!r)
        return;
    for (int i = 0; i < r->n; i++)
        route_free(&r->routes[i]);
    free(r->routes);
    route_free(&r->health);
    route_free(&r->status);
    free(r);
}

int
router_add(struct etd_router *r, const char *method, const char *pattern,
           etd_handler_fn fn, void *data)
{
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->routes[i].method, method) == 0 &&
            strcmp(r->routes[i].pattern, pattern) == 0) {
            r->routes[i].fn = fn;
            r->routes[i].data = data;
            return 0;
        }
    if (r->n == r->cap) {
        int cap = r->cap ? r->cap * 2 : 8;
        void *p = realloc(r->routes, (size_t)cap * sizeof *r->routes);
        if (!p)
            return -1;
        r->routes = p;
        r->cap = cap;
    }
    if (route_init(&r->routes[r->n], method, pattern, fn, data) < 0) {
        route_free(&r->routes[r->n]);
        return -1;
    }
    r->n++;
    return 0;
}

/* Does path match rt?  With job, record the captures. */
static int
match(const struct route *rt, const char *path, size_t len, struct etd_job *job)
{
    size_t i = 0, n;
    const char *s;
    int k = 0, np = 0;
    while (next_seg(path, len, &i, &s, &n)) {
        if (k >= rt->nsegs)
            return 0;
        const struct seg *g = &rt->segs[k++];
        if (g->param)
            np++;
        else if (g->n != n || memcmp(g->s, s, n) != 0)
            return 0;
    }
    if (k != rt->nsegs)
        return 0;
    if (!job || np == 0)
        return 1;
    /* second walk: copy the captured values, NUL-terminated */
    if ((size_t)np > job->par_cap) {
        void *p = realloc(job->par, (size_t)np * sizeof *job->par);
        if (!p)
            return 1;               /* the handler sees no parameters */
        job->par = p;
        job->par_cap = (size_t)np;
    }
    job->pstore.len = 0;
    size_t offs[np ? np : 1];
    i = 0;
    k = 0;
    int m = 0;
    while (next_seg(path, len, &i, &s, &n)) {
        const struct seg *g = &rt->segs[k++];
        if (!g->param)
            continue;
        offs[m] = job->pstore.len;
        if (etd_buf_append(&job->pstore, s, n) < 0 || etd_buf_append(&job->pstore, "", 1) < 0)
            return 1;
        job->par[m].name = g->s;
        job->par[m].name_len = g->n;
        job->par[m].value_len = n;
        m++;
    }
    for (int q = 0; q < m; q++)
        job->par[q].value = job->pstore.data + offs[q];
    job->req.params = job->par;
    job->req.nparams = (size_t)m;
    return 1;
}

/* An application route of method for path (exact first, then patterns in
 * the order added): set job's handler and captures, 1; else 0. */
static int
route_app(const struct etd_router *r, const char *method, const char *path,
          size_t len, struct etd_job *job)
{
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < r->n; i++) {
            const struct route *rt = &r->routes[i];
            if (rt->has_param != pass || strcmp(rt->method, method) != 0)
                continue;
            if (match(rt, path, len, job)) {
                job->handler = rt->fn;
                job->route_data = rt->data;
                return 1;
            }
        }
    return 0;
}

void
router_route(const struct etd_router *r, struct etd_job *job)
{
    const char *method = job->req.method ? job->req.method : "";
    const char *path = job->req.path;
    size_t len = job->req.path_len;
    job->req.params = NULL;
    job->req.nparams = 0;
    if (route_app(r, method, path, len, job))
        return;
    /* HEAD without a HEAD route: the GET route or built-in (the worker
     * sends its head only) */
    if (strcmp(method, "HEAD") == 0) {
        method = "GET";
        if (route_app(r, method, path, len, job))
            return;
    }
    const struct route *b[2] = { &r->health, &r->status };
    for (int i = 0; i < 2; i++)
        if (b[i]->fn && strcmp(method, "GET") == 0 && match(b[i], path, len, NULL)) {
            job->handler = b[i]->fn;
            job->route_data = (void *)r;
            return;
        }
    job->handler = router_not_found;
    job->route_data = (void *)r;
}

/* ---- built-in handlers (helper threads) ---- */

void
router_health(struct etd_job *job)
{
    static const char body[] = "{\"status\":\"healthy\"}";
    job->resp.status = 200;
    etd_response_body_ref(&job->resp, body, sizeof body - 1, NULL, NULL);
}

void
router_status(struct etd_job *job)
{
    const struct etd_router *r = job->route_data;
    const struct etd_config *cfg = r->cfg;
    int allowed = 0;
    for (int i = 0; i < cfg->nstatus_allow && !allowed; i++)
        allowed = config_cidr_match(&cfg->status_allow[i], (const struct sockaddr *)&job->req.peer);
    if (!allowed) {
        etd_response_error(&job->resp, 403, NULL);
        return;
    }
    size_t want = 16384;
    for (int tries = 0; tries < 4; tries++) {
        char *buf = etd_response_reserve(&job->resp, want);
        if (!buf) {
            etd_response_error(&job->resp, 500, NULL);
            return;
        }
        size_t n = r->metrics ? metrics_render(r->metrics, buf, want) : 0;
        if (n < want) {
            etd_response_commit(&job->resp, n);
            job->resp.status = 200;
            static const char ct[] = "text/plain; version=0.0.4";
            etd_response_set_header(&job->resp, "Content-Type", 12, ct, sizeof ct - 1);
            return;
        }
        want = n + 1;
    }
    /* The metrics kept growing faster than the buffer: say so, never an
     * empty 200 a scraper would take for "no series". */
    etd_response_error(&job->resp, 500, "metrics did not fit");
}

void
router_not_found(struct etd_job *job)
{
    etd_response_error(&job->resp, 404, NULL);
}
