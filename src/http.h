/*
 * http.h -- HTTP/1.1 on the wire: the request reader (http-parser callbacks
 * filling a job, limits checked as bytes arrive), the response serialiser
 * (status line and the server's headers), the per-second Date cache and the
 * access-log line.  No sockets here: conn.c feeds bytes in and writes what
 * comes out, so the unit tests can drive everything from memory.
 */
#ifndef ETD_HTTP_H
#define ETD_HTTP_H

#include <stddef.h>
#include <time.h>

#include <http_parser.h>

#include "handler.h"

struct http_limits {
    size_t max_header_size;         /* request line + header block, else 431 */
    size_t max_body_size;           /* decoded body bytes, else 413 */
};

struct http_reader_ops {
    /* A fresh job for a request that is starting (NULL: out of memory). */
    struct etd_job *(*job_get)(void *owner);
    /* The head of job is complete (headers, Expect seen).  Return 0. */
    int (*on_headers)(void *owner, struct etd_job *job);
    /* A complete request; the reader no longer owns job.  Return non-zero
     * to pause the reader right after it (e.g. too many pending). */
    int (*on_request)(void *owner, struct etd_job *job);
};

struct http_reader {
    http_parser parser;
    const struct http_reader_ops *ops;
    void *owner;
    const struct http_limits *lim;
    struct etd_job *job;            /* the request being read, or NULL */
    int phase;                      /* 0 url, 1 header name, 2 header value, 3 body */
    int error;                      /* HTTP status a callback decided on */
};

enum http_read_result {
    HTTP_READ_MORE,                 /* everything consumed, want more bytes */
    HTTP_READ_PAUSED,               /* on_request asked to pause; *used tells how far */
    HTTP_READ_ERROR,                /* answer http_reader_error() and close */
    HTTP_READ_UPGRADE               /* an Upgrade/CONNECT request ended the HTTP stream */
};

/* Process-wide: the header limit of http-parser (call once per process). */
void http_set_max_header_size(size_t n);

void http_reader_init(struct http_reader *r, const struct http_limits *lim,
                      const struct http_reader_ops *ops, void *owner);
/* Feed bytes; *used is how many were consumed (all of them unless paused
 * or failed).  The job being read stays with the reader across calls. */
enum http_read_result http_reader_feed(struct http_reader *r, const char *data,
                                       size_t len, size_t *used);
void http_reader_resume(struct http_reader *r);
/* The status to answer after HTTP_READ_ERROR: 400, 413 or 431. */
int http_reader_error(const struct http_reader *r);
/* A request is partly read (its first byte has arrived). */
static inline int http_reader_busy(const struct http_reader *r) { return r->job != NULL; }
/* Its head is complete (it is reading the body). */
static inline int http_reader_in_body(const struct http_reader *r) { return r->job && r->phase == 3; }
/* Take the partly read job away (to answer an error with it); NULL if none. */
struct etd_job *http_reader_take(struct http_reader *r);
/* Copy the request of src (head only, no body) into dst, e.g. for the
 * 503 answer that replaces a timed-out job still running elsewhere. */
int http_copy_request(struct etd_job *dst, const struct etd_job *src);

/* The Date header and the access log's time, re-formatted once a second. */
struct http_date_cache {
    time_t sec;
    char date[48];                  /* "Date: Fri, 27 Nov 2026 09:40:00 GMT\r\n" */
    size_t date_len;
    char clf[32];                   /* "27/Nov/2026:09:40:00 +0000" */
};
void http_date_refresh(struct http_date_cache *dc, time_t now);

/* Headers every response of this process carries after Date: Server and,
 * with cors_origin, the CORS lines.  Built once per worker. */
struct http_static {
    char *server;                   /* "Server: etamild/VERSION\r\n" */
    size_t server_len;
    char *cors;                     /* "" or the three Access-Control-* lines */
    size_t cors_len;
};
int  http_static_init(struct http_static *st, const char *version, const char *cors_origin);
void http_static_free(struct http_static *st);

/* Serialise job->resp's head into job->out (replacing it): status line,
 * Date, Server, Content-Type, Content-Length, Connection, CORS, the
 * handler's headers, blank line.  Sets job->resp.status (0 -> 200).
 * Returns the body length announced (0 for 1xx/204/304, which get none). */
int http_serialize(struct etd_job *job, int keep_alive,
                   const struct http_date_cache *dc, const struct http_static *st,
                   size_t *body_len);
/* The response body as it sits in memory (NULL for a file body). */
const char *http_body_ptr(const struct etd_job *job);

/* One access-log line (combined format + request time), with '\n'. */
int http_access_line(struct etd_buf *out, const struct etd_job *job, int status,
                     size_t bytes, double seconds, const struct http_date_cache *dc);

#endif
