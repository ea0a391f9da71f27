/*
 * log.h -- the error log and the access log of one process.  Lines are
 * "YYYY-MM-DDTHH:MM:SS.mmmZ [level] pid: message".  Writes are one write(2)
 * per line (O_APPEND), safe from any thread.  log_reopen() is called from the
 * event loop (never a signal handler) on SIGUSR1.
 */
#ifndef ETD_LOG_H
#define ETD_LOG_H

#include "config.h"

#include <sys/types.h>

int  log_open(const char *error_log, enum etd_log_level level, const char *access_log);
int  log_reopen(void);
void log_close(void);
/* Master: hand the log files to the workers' user so they can reopen them. */
int  log_chown(uid_t uid, gid_t gid);
void log_set_level(enum etd_log_level level);
int  log_error_fd(void);            /* 2 when logging to stderr */
void log_msg(enum etd_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int  log_access_enabled(void);
/* One access-log line; the caller formats it (combined format + request time).
 * A missing trailing newline is added.  Lines are collected and written by
 * log_access_flush() (whole lines per write), or when 64 KB are waiting;
 * one thread only (a worker's loop thread, which flushes within 0.1 s). */
void log_access_line(const char *line, size_t len);
/* Write the access-log lines collected so far (a worker's timer, at most
 * 0.1 s after the first; log_reopen and log_close do too). */
void log_access_flush(void);
int  log_access_pending(void);

#define log_debug(...)  log_msg(ETD_LOG_DEBUG, __VA_ARGS__)
#define log_info(...)   log_msg(ETD_LOG_INFO, __VA_ARGS__)
#define log_notice(...) log_msg(ETD_LOG_NOTICE, __VA_ARGS__)
#define log_warn(...)   log_msg(ETD_LOG_WARN, __VA_ARGS__)
#define log_error(...)  log_msg(ETD_LOG_ERROR, __VA_ARGS__)

#endif
