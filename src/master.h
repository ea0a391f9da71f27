/*
 * master.h -- the master process: listening sockets, workers, generations,
 * signals.  etamild.c parses the command line and calls master_run().
 */
#ifndef ETD_MASTER_H
#define ETD_MASTER_H

#include <stddef.h>

#include "config.h"

/* The eTamil runtime plugs in here (issue 6): load compiles cfg->app and
 * returns the program (shared copy-on-write with the workers, passed to
 * them as etd_worker_args.app), or NULL with "FILE:LINE:COLUMN: message"
 * in err.  Until a loader is installed the application is not compiled and
 * the app file need not exist. */
typedef void *(*etd_app_load_fn)(const struct etd_config *cfg, char *err, size_t errlen);
typedef void (*etd_app_free_fn)(void *app);
void master_set_app_loader(etd_app_load_fn load, etd_app_free_fn free_fn);

/* Compile cfg's application with the installed loader: 0 and *app set
 * (NULL without a loader), or -1 with the message in err. */
int  master_load_app(const struct etd_config *cfg, void **app, char *err, size_t errlen);
void master_free_app(void *app);

struct master_options {
    int foreground;                 /* -f */
    const char *exe;                /* absolute path of the binary (binary upgrade) */
};

/* Run the daemon with an already validated configuration and compiled
 * application (both owned by the master from now on).  Returns the exit
 * status: 0 after a stop, 1 on a start-up failure. */
int master_run(struct etd_config *cfg, void *app, const struct master_options *opt);

/* The pid recorded in the pid file, or 0 when there is none / it is
 * unreadable; *live tells whether that process exists. */
long master_read_pid(const char *pid_file, int *live);

#endif
