/*
 * router.h -- which handler answers a request: the application's routes
 * (exact paths first, then ":param" patterns in the order they were added;
 * empty path segments ignored, so "/a/b/" and "//a/b" are "/a/b"), then
 * the built-in endpoints (health_path, status_path), else 404.  HEAD uses
 * the HEAD routes, else the GET route or built-in of the path (the worker
 * never sends a body to HEAD).  Matching happens on the loop thread; the
 * handlers run on helper threads.
 */
#ifndef ETD_ROUTER_H
#define ETD_ROUTER_H

#include "config.h"
#include "handler.h"

struct etd_metrics;
struct etd_router;

struct etd_router *router_create(const struct etd_config *cfg, struct etd_metrics *metrics);
void router_free(struct etd_router *r);
/* Add an application route: METHOD (upper-case, e.g. "GET") and a path
 * pattern such as "/accounts/:id".  A later route with the same method and
 * pattern replaces the earlier one.  0, or -1 (out of memory). */
int router_add(struct etd_router *r, const char *method, const char *pattern,
               etd_handler_fn fn, void *data);
/* Route job: sets job->handler, job->route_data and the path parameters
 * (job->req.params).  Always finds a handler (404 as the last resort). */
void router_route(const struct etd_router *r, struct etd_job *job);

/* The built-in handlers (route_data is the router). */
void router_health(struct etd_job *job);
void router_status(struct etd_job *job);
void router_not_found(struct etd_job *job);

#endif
