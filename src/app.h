/*
 * app.h -- the eTamil application inside etamild (issue 6): loading the
 * program named by `app` (in the master, once per generation, and for
 * etamild -t), registering its routes in a worker's router, the helper
 * threads' VM state, and the handler that runs prelude + route body for a
 * request and turns the VM's globals into the HTTP response (language spec
 * §11 with the differences listed in interfaces.md).
 *
 *   master:  master_set_app_loader(app_load, app_free);
 *   worker:  app_register_routes(router, args->app);
 *            pool ops .thread_init = app_thread_init, .thread_fini =
 *            app_thread_fini, .arg = (void *)args (struct etd_worker_args);
 *            sched = schedule_start(w, args->app) (schedule.h).
 *
 * A compiled application is never written after app_load() returns; the
 * workers share it copy-on-write and every helper thread reads it.
 */
#ifndef ETD_APP_H
#define ETD_APP_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "handler.h"

struct etd_router;
struct etd_app;

/* The master's loader (master.h): load, check and compile cfg->app with
 * module_path as import search path; split routes and schedules.  NULL
 * with "FILE:LINE:COLUMN: message" in err on any error. */
void *app_load(const struct etd_config *cfg, char *err, size_t errlen);
void app_free(void *app);

/* Add the application's routes to r (source order; a program without
 * routes answers GET, POST, PUT and DELETE on /).  0, or -1. */
int app_register_routes(struct etd_router *r, void *app);

/* A worker's pool of execution contexts (VMs), shared by its helper
 * threads: made before the pool (args->app_ctxs), freed after it.  NULL
 * when there is no application or no memory (each thread then keeps its
 * own). */
struct app_ctxs;
struct etd_worker_args;
struct app_ctxs *app_contexts_new(const struct etd_worker_args *args);
void app_contexts_free(struct app_ctxs *ctxs);

/* Pool thread hooks: arg is the worker's struct etd_worker_args. */
void *app_thread_init(void *arg, int index);
void app_thread_fini(void *arg, void *thread_data);

/* The route handler (helper thread; job->route_data is the route). */
void app_handle(struct etd_job *job);

/* Schedules of an application (used by schedule.c). */
size_t app_schedule_count(const void *app);
int64_t app_schedule_seconds(const void *app, size_t i);
struct sched_area *app_schedule_area(const void *app);
/* Run schedule i in an execution context of the worker (job->thread_data
 * is app_thread_init's result); it never parks. */
void app_run_schedule(struct etd_job *job, size_t i);

/* Request decoding, exposed for the unit tests. */
/* Decode one query component: '+' is a space, %XY (two hex digits) a byte,
 * any other '%' stays.  out needs len bytes; returns the decoded length. */
size_t app_query_unescape(const char *s, size_t len, char *out);

#endif
