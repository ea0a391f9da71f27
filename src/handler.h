/*
 * handler.h -- the job interface between a worker's event loop and the code
 * that answers a request on a helper thread: today the built-in endpoints,
 * later the eTamil runtime (issue 6).
 *
 * Life of a job: the loop thread reads and parses a request into a job
 * (struct etd_request, every string NUL-terminated and owned by the job),
 * the router picks the handler, the pool runs handler(job) on a helper
 * thread, the handler fills job->resp through the etd_response_* functions,
 * and the loop serialises and writes the response.  The handler must not
 * touch the job after it returns, nor keep pointers into it.
 *
 * Cancellation (handler_timeout, fast stop): the loop sets job->cancelled
 * and, while the handler has one registered, calls its cancel hook.  A
 * handler polls etd_job_cancelled() (the VM's cancellation flag can simply
 * be &job->cancelled) and returns soon; its response is then discarded and
 * the client has already been answered 503.
 *
 * Parking: a handler that waits for something the loop thread will
 * deliver (a Redis reply on a shared connection) may leave its helper
 * thread free meanwhile: it keeps its state in job->exec (with exec_drop
 * to release it if the job is dropped unfinished), calls etd_job_park()
 * and returns.  The pool then neither completes the job nor holds it;
 * when the awaited thing is in, the loop calls pool_unpark() (pool.h) and
 * the pool runs handler(job) again, on any helper thread, to go on.  The
 * cancel hook stays registered while the job is parked.
 */
#ifndef ETD_HANDLER_H
#define ETD_HANDLER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "config.h"

struct etd_job;
struct etd_proc_metrics;

/* A growable byte buffer; reused from request to request. */
struct etd_buf {
    char *data;
    size_t len, cap;
};

int   etd_buf_reserve(struct etd_buf *b, size_t more);      /* 0, or -1 out of memory */
int   etd_buf_append(struct etd_buf *b, const void *p, size_t n);
void  etd_buf_free(struct etd_buf *b);

struct etd_header {
    const char *name;               /* lower-cased for requests, NUL-terminated */
    size_t name_len;
    const char *value;              /* surrounding blanks trimmed, NUL-terminated */
    size_t value_len;
};

struct etd_request {
    const char *method;             /* "GET", "POST", ... as sent (http-parser only accepts known methods) */
    int method_id;                  /* enum http_method */
    const char *target;             /* raw request target, e.g. "/a/b?x=1" */
    size_t target_len;
    const char *path;               /* target up to '?' (not decoded); "" never: at least what was sent */
    size_t path_len;
    const char *query;              /* after the first '?', without it; "" when none */
    size_t query_len;
    int has_query;                  /* a '?' was present */
    unsigned short http_major, http_minor;
    const struct etd_header *headers;   /* arrival order; names lower-cased */
    size_t nheaders;
    const char *body;               /* decoded (de-chunked) body; "" when none; NUL-terminated */
    size_t body_len;
    const struct etd_header *params;    /* ":name" captures of the matched route (name without ':') */
    size_t nparams;
    struct sockaddr_storage peer;
    socklen_t peer_len;
    const char *peer_text;          /* "127.0.0.1", "::1" */
};

/* The value of the last header named lname (lower-case), or NULL. */
const char *etd_request_header(const struct etd_request *r, const char *lname, size_t *len);

struct etd_response {
    int status;                     /* 0 means 200 */
    /* Private: use the functions below. */
    struct etd_buf hstore;          /* "name\0value\0" pairs */
    struct { size_t name, name_len, value, value_len; } *hdr;
    size_t nhdr, hdr_cap;
    int has_content_type;
    struct etd_buf body;            /* owned body bytes */
    const char *body_ref;           /* or a body owned elsewhere (zero copy) */
    size_t body_ref_len;
    void (*body_ref_free)(void *ctx);
    void *body_ref_ctx;
    int file_fd;                    /* or a file: fd owned by the response, -1 if none */
    off_t file_off;
    off_t file_len;
};

/* Set header name: value, replacing any header of that name
 * (case-insensitively), e.g. the default Content-Type: application/json.
 * Content-Length, Connection, Transfer-Encoding, Date and Server are the
 * server's own and are ignored.  0, or -1 out of memory / invalid (CR/LF). */
int etd_response_set_header(struct etd_response *r, const char *name, size_t nlen,
                            const char *value, size_t vlen);
/* Add one more header of that name (e.g. Set-Cookie). */
int etd_response_add_header(struct etd_response *r, const char *name, size_t nlen,
                            const char *value, size_t vlen);
/* Append to the body (copied into a buffer reused by the next request). */
int etd_response_write(struct etd_response *r, const void *data, size_t len);
/* Reserve len bytes at the end of the body to fill in place (NULL on OOM);
 * follow with etd_response_commit(r, bytes_written). */
char *etd_response_reserve(struct etd_response *r, size_t len);
void etd_response_commit(struct etd_response *r, size_t len);
/* Use data as the whole body without copying; free_fn(ctx) is called from
 * the loop thread once it has been written (free_fn may be NULL). */
void etd_response_body_ref(struct etd_response *r, const void *data, size_t len,
                           void (*free_fn)(void *ctx), void *ctx);
/* Send len bytes of the open file fd from off (sendfile); the response owns
 * fd from now on and closes it.  Replaces any body. */
void etd_response_file(struct etd_response *r, int fd, off_t off, off_t len);
/* A server-style error: status and the body {"error": "MESSAGE"} (escaped
 * JSON), Content-Type application/json.  msg NULL = the reason phrase. */
int etd_response_error(struct etd_response *r, int status, const char *msg);
/* Forget everything set so far (status, headers, body). */
void etd_response_clear(struct etd_response *r);

typedef void (*etd_handler_fn)(struct etd_job *job);

struct etd_worker_ctx;              /* the worker (private to worker.c/conn.c) */
struct conn;

enum etd_job_state {
    ETD_JOB_FREE, ETD_JOB_PARSING, ETD_JOB_QUEUED, ETD_JOB_RUNNING,
    ETD_JOB_DONE, ETD_JOB_READY
};

struct etd_job {
    struct etd_request req;
    struct etd_response resp;
    etd_handler_fn handler;         /* chosen by the router */
    void *route_data;               /* the route's own data (e.g. compiled eTamil route) */
    void *thread_data;              /* the helper thread's state (pool thread_init result) */
    const struct etd_config *cfg;
    void *app;                      /* the compiled eTamil application (worker args) */
    struct etd_proc_metrics *metrics;
    atomic_int cancelled;           /* set by the loop thread: stop as soon as possible */
    void *exec;                     /* a parked (or resumed) handler's own state */
    void (*exec_drop)(struct etd_job *j);   /* release exec (loop thread), if the job
                                             * is reset or freed with exec set */

    /* ---- private to the worker (pool.c, conn.c, http.c) ---- */
    atomic_int park;                /* ETD_PARK_* (pool.c) */
    struct etd_pool *pool;          /* the pool it was last submitted to */
    pthread_mutex_t cancel_lock;    /* guards cancel_fn/cancel_ctx */
    void (*cancel_fn)(void *ctx);   /* hook registered by the running handler */
    void *cancel_ctx;
    enum etd_job_state state;
    int orphan;                     /* its client was answered already: free on completion */
    int close;                      /* the response ends the connection */
    int client_close;               /* ... because the client said so (HTTP/1.0, Connection: close) */
    int is_head;                    /* HEAD: no body bytes on the wire */
    int need_continue;              /* Expect: 100-continue not answered yet */
    int internal;                   /* the response was made on the loop thread */
    struct etd_job *next, *prev;    /* conn queue / free list */
    struct etd_job *pnext, *pprev;  /* pool queue / completion list */
    struct etd_job *tnext, *tprev;  /* handler-timeout list */
    struct conn *conn;
    double t_start;                 /* first byte of the request (ev time) */
    double t_submit;                /* handed to the pool */
    struct etd_buf store;           /* request bytes: method, target, header names/values */
    struct etd_buf bodybuf;         /* decoded body */
    struct etd_buf out;             /* serialised response head */
    struct { uint32_t name, name_len, value, value_len; } *hoff;
    size_t nhoff, hoff_cap;
    struct etd_header *hdrs;        /* built from hoff when the request is complete */
    size_t hdrs_cap;
    struct etd_header *par;         /* path parameters (router) */
    size_t par_cap;
    struct etd_buf pstore;          /* their NUL-terminated values */
    uint32_t target_len, path_off, path_len, query_off, query_len;
    int in_tq;                      /* on the worker's handler-timeout list */
    size_t wire_body;               /* body bytes to write (0 for HEAD) */
    size_t out_done;                /* bytes of out + body written */
    off_t file_done;
};

/* For handlers. */
static inline int etd_job_cancelled(const struct etd_job *j)
{
    return atomic_load_explicit(&j->cancelled, memory_order_relaxed);
}
/* Register (fn non-NULL) or clear (fn NULL) a hook the loop thread calls
 * when it cancels the job, e.g. to shut down a blocking Redis socket.  The
 * hook runs on the loop thread and must be quick and thread-safe. */
void etd_job_set_cancel(struct etd_job *j, void (*fn)(void *ctx), void *ctx);

/* For handlers (see Parking above): the job is to wait, parked, for
 * pool_unpark(); return from the handler right after. */
void etd_job_park(struct etd_job *j);

/* For the worker. */
struct etd_job *etd_job_new(void);
void etd_job_reset(struct etd_job *j);      /* back to empty; keeps (bounded) buffers */
void etd_job_free(struct etd_job *j);
const char *etd_reason(int status);         /* "OK", "Not Found", ...; "Unknown" */

#endif
