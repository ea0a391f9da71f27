/*
 * log.c -- the error log and the access log of one process.
 *
 * Owns the two file descriptors.  Every error-log line is written with a
 * single write(2)/writev(2) on an O_APPEND descriptor, so lines from the
 * master, the workers and their helper threads never interleave.  Access
 * lines (a worker's loop thread only) are collected and written together,
 * whole lines per write(2), at most 0.1 s after the first of them or when
 * 64 KB wait (worker.c): one system call per worker per 0.1 s under load.  log_reopen()
 * opens the files again (creating them) and dup2()s the new descriptors
 * over the old numbers, which is atomic for threads writing concurrently.
 * When a log is "stderr", descriptor 2 is used and never reopened.
 */
#include "autoconfig.h"

#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct log_state {
    int error_fd;                   /* 2 or an owned descriptor */
    int access_fd;                  /* -1 = off */
    char *error_path;               /* NULL = stderr */
    char *access_path;              /* NULL = off */
    enum etd_log_level level;
};

static struct log_state logs = { 2, -1, NULL, NULL, ETD_LOG_INFO };

#define ACCESS_BUF_MAX (64 * 1024)  /* written at once when this much waits */

static struct {
    char *p;
    size_t len, cap;
} abuf;                             /* access lines not written yet */

static int open_log(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
}

int log_open(const char *error_log, enum etd_log_level level, const char *access_log)
{
    int efd = 2, afd = -1;
    if (error_log && strcmp(error_log, "stderr") != 0) {
        efd = open_log(error_log);
        if (efd < 0) {
            fprintf(stderr, "etamild: cannot open error log %s: %s\n", error_log, strerror(errno));
            return -1;
        }
    }
    if (access_log) {
        afd = open_log(access_log);
        if (afd < 0) {
            fprintf(stderr, "etamild: cannot open access log %s: %s\n", access_log, strerror(errno));
            if (efd != 2)
                close(efd);
            return -1;
        }
    }
    log_close();
    logs.error_fd = efd;
    logs.access_fd = afd;
    logs.error_path = efd != 2 ? strdup(error_log) : NULL;
    logs.access_path = access_log ? strdup(access_log) : NULL;
    logs.level = level;
    return 0;
}

/* Replace *fd by a fresh descriptor for path, keeping its number. */
static int reopen_one(int *fd, const char *path)
{
    int nfd = open_log(path);
    if (nfd < 0)
        return -1;
    if (*fd < 0) {
        *fd = nfd;
        return 0;
    }
    if (dup3(nfd, *fd, O_CLOEXEC) < 0) {
        close(nfd);
        return -1;
    }
    close(nfd);
    return 0;
}

int log_reopen(void)
{
    int rc = 0;
    log_access_flush();             /* what was logged before goes to the old file */
    if (logs.error_path && reopen_one(&logs.error_fd, logs.error_path) < 0) {
        log_error("cannot reopen error log %s: %s", logs.error_path, strerror(errno));
        rc = -1;
    }
    if (logs.access_path && reopen_one(&logs.access_fd, logs.access_path) < 0) {
        log_error("cannot reopen access log %s: %s", logs.access_path, strerror(errno));
        rc = -1;
    }
    return rc;
}

int log_chown(uid_t uid, gid_t gid)
{
    int rc = 0;
    if (logs.error_path && fchown(logs.error_fd, uid, gid) < 0)
        rc = -1;
    if (logs.access_fd >= 0 && fchown(logs.access_fd, uid, gid) < 0)
        rc = -1;
    return rc;
}

void log_close(void)
{
    log_access_flush();
    free(abuf.p);
    abuf.p = NULL;
    abuf.len = abuf.cap = 0;
    if (logs.error_path && logs.error_fd > 2)
        close(logs.error_fd);
    if (logs.access_fd >= 0)
        close(logs.access_fd);
    free(logs.error_path);
    free(logs.access_path);
    logs.error_fd = 2;
    logs.access_fd = -1;
    logs.error_path = NULL;
    logs.access_path = NULL;
}

void log_set_level(enum etd_log_level level)
{
    logs.level = level;
}

int log_error_fd(void)
{
    return logs.error_fd;
}

static const char *const level_names[] = { "debug", "info", "notice", "warn", "error" };

void log_msg(enum etd_log_level level, const char *fmt, ...)
{
    if (level < logs.level)
        return;
    char buf[2048];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int head = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ [%s] %ld: ",
                        tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                        tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
                        level_names[level < 0 || level > ETD_LOG_ERROR ? ETD_LOG_ERROR : level],
                        (long)getpid());
    va_list ap;
    va_start(ap, fmt);
    int body = vsnprintf(buf + head, sizeof buf - (size_t)head, fmt, ap);
    va_end(ap);
    if (body < 0)
        return;
    char *line = buf;
    char *big = NULL;
    size_t len = (size_t)head + (size_t)body;
    if (len + 1 >= sizeof buf) {
        /* A long message: format it again into a buffer of the right size. */
        big = malloc(len + 2);
        if (big) {
            memcpy(big, buf, (size_t)head);
            va_start(ap, fmt);
            vsnprintf(big + head, (size_t)body + 1, fmt, ap);
            va_end(ap);
            line = big;
        } else {
            len = sizeof buf - 2;
        }
    }
    /* One entry is one line. */
    for (size_t i = (size_t)head; i < len; i++)
        if (line[i] == '\n' || line[i] == '\r')
            line[i] = ' ';
    line[len++] = '\n';
    ssize_t w = write(logs.error_fd, line, len);
    (void)w;
    free(big);
}

int log_access_enabled(void)
{
    return logs.access_fd >= 0;
}

void log_access_flush(void)
{
    static int failing;             /* reported; quiet until a write works again */
    size_t off = 0;
    while (off < abuf.len && logs.access_fd >= 0) {
        ssize_t w = write(logs.access_fd, abuf.p + off, abuf.len - off);
        if (w > 0) {
            off += (size_t)w;
        } else if (!(w < 0 && errno == EINTR)) {
            /* disk full, ...: these lines are lost; say so once */
            if (!failing)
                log_error("cannot write the access log %s: %s; %zu bytes of lines lost "
                          "(reported once until a write succeeds)",
                          logs.access_path ? logs.access_path : "",
                          w < 0 ? strerror(errno) : "short write", abuf.len - off);
            failing = 1;
            abuf.len = 0;
            return;
        }
    }
    if (off)
        failing = 0;
    abuf.len = 0;
}

int log_access_pending(void)
{
    return abuf.len > 0;
}

void log_access_line(const char *line, size_t len)
{
    if (logs.access_fd < 0 || len == 0)
        return;
    size_t need = len + (line[len - 1] != '\n');
    if (abuf.len + need > abuf.cap) {
        if (abuf.len)
            log_access_flush();
        size_t cap = need > ACCESS_BUF_MAX ? need : ACCESS_BUF_MAX;
        if (cap > abuf.cap) {
            char *p = realloc(abuf.p, cap);
            if (!p) {               /* out of memory: this line on its own */
                struct iovec iov[2] = { { (void *)line, len }, { "\n", need - len } };
                ssize_t w = writev(logs.access_fd, iov, 2);
                (void)w;
                return;
            }
            abuf.p = p;
            abuf.cap = cap;
        }
    }
    memcpy(abuf.p + abuf.len, line, len);
    if (need > len)
        abuf.p[abuf.len + len] = '\n';
    abuf.len += need;
}
