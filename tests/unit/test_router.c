/*
 * test_router.c -- CUnit suite for src/router.c: the built-in endpoints
 * (health_path, status_path with status_allow, 404), HEAD routes and HEAD
 * falling back to GET, and the
 * application route table (exact before patterns, patterns in order,
 * empty segments ignored, captures, replacement, a user /health).
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "router.h"

static struct etd_config cfg;
static struct etd_cidr allow[1];

static void
setup_cfg(void)
{
    memset(&cfg, 0, sizeof cfg);
    cfg.health_path = "/health";
    cfg.status_path = "/status";
    allow[0].family = AF_INET;
    allow[0].addr[0] = 127;
    allow[0].prefix = 8;
    cfg.status_allow = allow;
    cfg.nstatus_allow = 1;
}

/* A job for METHOD PATH (path only; no request parsing needed here). */
static struct etd_job *
job_for(const char *method, const char *path, const char *peer)
{
    struct etd_job *j = etd_job_new();
    j->req.method = method;
    j->req.path = path;
    j->req.path_len = strlen(path);
    struct sockaddr_in *sin = (struct sockaddr_in *)&j->req.peer;
    sin->sin_family = AF_INET;
    inet_pton(AF_INET, peer ? peer : "127.0.0.1", &sin->sin_addr);
    j->req.peer_len = sizeof *sin;
    return j;
}

static void h_a(struct etd_job *j) { (void)j; }
static void h_b(struct etd_job *j) { (void)j; }
static void h_c(struct etd_job *j) { (void)j; }

static etd_handler_fn
route(struct etd_router *r, const char *method, const char *path)
{
    struct etd_job *j = job_for(method, path, NULL);
    router_route(r, j);
    etd_handler_fn fn = j->handler;
    etd_job_free(j);
    return fn;
}

static void
test_builtins(void)
{
    setup_cfg();
    struct etd_router *r = router_create(&cfg, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/health"), router_health);
    CU_ASSERT_PTR_EQUAL(route(r, "HEAD", "/health"), router_health);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/health/"), router_health);
    CU_ASSERT_PTR_EQUAL(route(r, "POST", "/health"), router_not_found);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/healthz"), router_not_found);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/status"), router_status);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/"), router_not_found);
    router_free(r);

    cfg.health_path = NULL;         /* health_path off, status_path off */
    cfg.status_path = NULL;
    r = router_create(&cfg, NULL);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/health"), router_not_found);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/status"), router_not_found);
    router_free(r);
}

static void
test_builtin_handlers(void)
{
    setup_cfg();
    struct etd_router *r = router_create(&cfg, NULL);
    struct etd_job *j = job_for("GET", "/health", NULL);
    router_route(r, j);
    j->handler(j);
    CU_ASSERT_EQUAL(j->resp.status, 200);
    CU_ASSERT_EQUAL(j->resp.body_ref_len, 20);
    CU_ASSERT_EQUAL(memcmp(j->resp.body_ref, "{\"status\":\"healthy\"}", 20), 0);
    etd_job_free(j);

    j = job_for("GET", "/nope", NULL);
    router_route(r, j);
    j->handler(j);
    CU_ASSERT_EQUAL(j->resp.status, 404);
    CU_ASSERT_EQUAL(j->resp.body.len, 22);
    CU_ASSERT_EQUAL(memcmp(j->resp.body.data, "{\"error\": \"Not Found\"}", 22), 0);
    etd_job_free(j);

    /* status_path: allowed peer gets text/plain, others 403 */
    j = job_for("GET", "/status", "127.0.0.1");
    router_route(r, j);
    j->handler(j);
    CU_ASSERT_EQUAL(j->resp.status, 200);
    CU_ASSERT_EQUAL(j->resp.nhdr, 1);
    CU_ASSERT_TRUE(j->resp.has_content_type);
    CU_ASSERT_STRING_EQUAL(j->resp.hstore.data + j->resp.hdr[0].value, "text/plain; version=0.0.4");
    etd_job_free(j);
    j = job_for("GET", "/status", "192.0.2.1");
    router_route(r, j);
    j->handler(j);
    CU_ASSERT_EQUAL(j->resp.status, 403);
    CU_ASSERT_EQUAL(memcmp(j->resp.body.data, "{\"error\": \"Forbidden\"}", j->resp.body.len), 0);
    etd_job_free(j);
    router_free(r);
}

static void
test_app_routes(void)
{
    setup_cfg();
    struct etd_router *r = router_create(&cfg, NULL);
    CU_ASSERT_EQUAL(router_add(r, "GET", "/users/:id", h_a, "a"), 0);
    CU_ASSERT_EQUAL(router_add(r, "GET", "/users/me", h_b, "b"), 0);
    CU_ASSERT_EQUAL(router_add(r, "GET", "/:x/:y", h_c, "c"), 0);
    CU_ASSERT_EQUAL(router_add(r, "POST", "/users/:id", h_c, "c"), 0);
    CU_ASSERT_EQUAL(router_add(r, "GET", "/hello", h_a, "a"), 0);

    /* exact first, even when added after a matching pattern */
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/users/me"), h_b);
    /* patterns in the order added */
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/users/42"), h_a);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/other/42"), h_c);
    /* empty segments are ignored */
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/users/42/"), h_a);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "//users//42"), h_a);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/hello/"), h_a);
    /* segment count and method must match; matching is case-sensitive */
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/users/42/x"), router_not_found);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/Hello"), router_not_found);
    CU_ASSERT_PTR_EQUAL(route(r, "DELETE", "/users/42"), router_not_found);
    CU_ASSERT_PTR_EQUAL(route(r, "POST", "/users/7"), h_c);
    CU_ASSERT_PTR_EQUAL(route(r, "HEAD", "/users/7"), h_a);
    /* the built-in health still answers, unless the app has GET /health */
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/health"), router_health);
    router_free(r);

    r = router_create(&cfg, NULL);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/health"), router_health);
    CU_ASSERT_EQUAL(router_add(r, "GET", "/health", h_a, NULL), 0);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/health"), h_a);
    /* the same METHOD path again replaces the handler */
    CU_ASSERT_EQUAL(router_add(r, "GET", "/health", h_b, NULL), 0);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/health"), h_b);
    router_free(r);
}

static void
test_head_routes(void)
{
    setup_cfg();
    struct etd_router *r = router_create(&cfg, NULL);
    CU_ASSERT_EQUAL(router_add(r, "GET", "/items/:id", h_a, "get"), 0);
    CU_ASSERT_EQUAL(router_add(r, "HEAD", "/items/:id", h_b, "head"), 0);
    CU_ASSERT_EQUAL(router_add(r, "GET", "/items/new", h_a, "get-exact"), 0);
    CU_ASSERT_EQUAL(router_add(r, "HEAD", "/only-head", h_c, "head-only"), 0);
    CU_ASSERT_EQUAL(router_add(r, "HEAD", "/health", h_c, "head-health"), 0);

    /* a HEAD route wins for HEAD, also over an exact GET route */
    struct etd_job *j = job_for("HEAD", "/items/7", NULL);
    router_route(r, j);
    CU_ASSERT_PTR_EQUAL(j->handler, h_b);
    CU_ASSERT_STRING_EQUAL((const char *)j->route_data, "head");
    CU_ASSERT_EQUAL_FATAL(j->req.nparams, 1);
    CU_ASSERT_STRING_EQUAL(j->req.params[0].value, "7");
    etd_job_free(j);
    CU_ASSERT_PTR_EQUAL(route(r, "HEAD", "/items/new"), h_b);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/items/new"), h_a);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/items/7"), h_a);
    /* HEAD routes answer HEAD only */
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/only-head"), router_not_found);
    CU_ASSERT_PTR_EQUAL(route(r, "HEAD", "/only-head"), h_c);
    /* a HEAD route on health_path replaces the built-in for HEAD only */
    CU_ASSERT_PTR_EQUAL(route(r, "HEAD", "/health"), h_c);
    CU_ASSERT_PTR_EQUAL(route(r, "GET", "/health"), router_health);
    /* no HEAD route: the GET route, then the built-ins, then 404 */
    CU_ASSERT_PTR_EQUAL(route(r, "HEAD", "/status"), router_status);
    CU_ASSERT_PTR_EQUAL(route(r, "HEAD", "/nothing"), router_not_found);
    router_free(r);

    r = router_create(&cfg, NULL);
    CU_ASSERT_EQUAL(router_add(r, "GET", "/a/:x", h_a, NULL), 0);
    j = job_for("HEAD", "/a/b", NULL);
    router_route(r, j);
    CU_ASSERT_PTR_EQUAL(j->handler, h_a);
    CU_ASSERT_EQUAL_FATAL(j->req.nparams, 1);
    CU_ASSERT_STRING_EQUAL(j->req.params[0].value, "b");
    etd_job_free(j);
    router_free(r);
}

static void
test_captures(void)
{
    setup_cfg();
    struct etd_router *r = router_create(&cfg, NULL);
    router_add(r, "GET", "/accounts/:id/entries/:entry", h_a, "route-data");
    struct etd_job *j = job_for("GET", "/accounts/1000/entries/%E0%AE%B0", NULL);
    router_route(r, j);
    CU_ASSERT_PTR_EQUAL(j->handler, h_a);
    CU_ASSERT_STRING_EQUAL((const char *)j->route_data, "route-data");
    CU_ASSERT_EQUAL_FATAL(j->req.nparams, 2);
    CU_ASSERT_EQUAL(j->req.params[0].name_len, 2);
    CU_ASSERT_EQUAL(memcmp(j->req.params[0].name, "id", 2), 0);
    CU_ASSERT_STRING_EQUAL(j->req.params[0].value, "1000");
    CU_ASSERT_EQUAL(memcmp(j->req.params[1].name, "entry", 5), 0);
    CU_ASSERT_STRING_EQUAL(j->req.params[1].value, "%E0%AE%B0");     /* not decoded */
    CU_ASSERT_EQUAL(j->req.params[1].value_len, 9);
    etd_job_free(j);
    router_free(r);
}

int
main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("router", NULL, NULL);
    CU_add_test(s, "built-in routes", test_builtins);
    CU_add_test(s, "built-in handlers", test_builtin_handlers);
    CU_add_test(s, "application routes", test_app_routes);
    CU_add_test(s, "path parameters", test_captures);
    CU_add_test(s, "HEAD routes", test_head_routes);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned fails = CU_get_number_of_failures();
    CU_cleanup_registry();
    return fails ? 1 : 0;
}
