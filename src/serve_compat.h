/*
 * serve_compat.h -- `etamil --server [--host H] [--port P] app.qmz` (and
 * `--async`, the same engine): the reference's command line, served by the
 * etamild master and workers in the foreground with a default
 * configuration.
 */
#ifndef ETD_SERVE_COMPAT_H
#define ETD_SERVE_COMPAT_H

/* Called by the runner before it parses its arguments.  Returns -1 when the
 * command line asks for no server (no --server/--async, or --check, -h,
 * -V, an unknown option: the runner handles it); otherwise serves until
 * stopped and returns the exit status (2 for a bad --host/--port, 1 when
 * the program does not load or the address cannot be bound). */
int serve_compat(int argc, char **argv);

#endif
