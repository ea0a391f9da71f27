/*
 * handler.c -- the job object shared by the loop thread and the helper
 * threads: byte buffers, request header lookup, the response builder used by
 * handlers, and the jobs' own allocation (reused through the worker's free
 * list, so buffers survive from request to request).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "handler.h"

/* A job keeps buffers up to this size for the next request. */
#define KEEP_BUF (64 * 1024)

int
etd_buf_reserve(struct etd_buf *b, size_t more)
{
    if (b->cap - b->len >= more)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < more) {
        if (cap > SIZE_MAX / 2)
            return -1;
        cap *= 2;
    }
    char *p = realloc(b->data, cap);
    if (!p)
        return -1;
    b->data = p;
    b->cap = cap;
    return 0;
}

int
etd_buf_append(struct etd_buf *b, const void *p, size_t n)
{
    if (etd_buf_reserve(b, n) < 0)
        return -1;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

void
etd_buf_free(struct etd_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

static void
buf_trim(struct etd_buf *b)
{
    b->len = 0;
    if (b->cap > KEEP_BUF)
        etd_buf_free(b);
}

const char *
etd_request_header(const struct etd_request *r, const char *lname, size_t *len)
{
    size_t n = strlen(lname);
    for (size_t i = r->nheaders; i-- > 0;) {
        const struct etd_header *h = &r->headers[i];
        if (h->name_len == n && memcmp(h->name, lname, n) == 0) {
            if (len)
                *len = h->value_len;
            return h->value;
        }
    }
    return NULL;
}

/* ---- responses ---- */

static int
server_owned(const char *name, size_t n)
{
    static const char *const own[] = {
        "content-length", "connection", "transfer-encoding", "date", "server", "keep-alive"
    };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (strlen(own[i]) == n && strncasecmp(own[i], name, n) == 0)
            return 1;
    return 0;
}

static int
header_ok(const char *p, size_t n, int is_name)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r' || c == '\n' || c == 0 || (is_name && (c == ':' || c <= ' ')))
            return 0;
    }
    return !is_name || n > 0;
}

static int
add_header(struct etd_response *r, const char *name, size_t nlen,
           const char *value, size_t vlen, int replace)
{
    if (!header_ok(name, nlen, 1) || !header_ok(value, vlen, 0))
        return -1;
    if (server_owned(name, nlen))
        return 0;
    if (replace) {
        size_t j = 0;
        for (size_t i = 0; i < r->nhdr; i++) {
            if (r->hdr[i].name_len == nlen &&
                strncasecmp(r->hstore.data + r->hdr[i].name, name, nlen) == 0)
                continue;
            r->hdr[j++] = r->hdr[i];
        }
        r->nhdr = j;
    }
    if (r->nhdr == r->hdr_cap) {
        size_t cap = r->hdr_cap ? r->hdr_cap * 2 : 8;
        void *p = realloc(r->hdr, cap * sizeof r->hdr[0]);
        if (!p)
            return -1;
        r->hdr = p;
        r->hdr_cap = cap;
    }
    size_t off = r->hstore.len;
    if (etd_buf_reserve(&r->hstore, nlen + vlen + 2) < 0)
        return -1;
    etd_buf_append(&r->hstore, name, nlen);
    etd_buf_append(&r->hstore, "", 1);
    etd_buf_append(&r->hstore, value, vlen);
    etd_buf_append(&r->hstore, "", 1);
    r->hdr[r->nhdr].name = off;
    r->hdr[r->nhdr].name_len = nlen;
    r->hdr[r->nhdr].value = off + nlen + 1;
    r->hdr[r->nhdr].value_len = vlen;
    r->nhdr++;
    if (nlen == 12 && strncasecmp(name, "content-type", 12) == 0)
        r->has_content_type = 1;
    return 0;
}

int
etd_response_set_header(struct etd_response *r, const char *name, size_t nlen,
                        const char *value, size_t vlen)
{
    return add_header(r, name, nlen, value, vlen, 1);
}

int
etd_response_add_header(struct etd_response *r, const char *name, size_t nlen,
                        const char *value, size_t vlen)
{
    return add_header(r, name, nlen, value, vlen, 0);
}

static void
drop_body(struct etd_response *r)
{
    if (r->body_ref_free)
        r->body_ref_free(r->body_ref_ctx);
    r->body_ref = NULL;
    r->body_ref_len = 0;
    r->body_ref_free = NULL;
    r->body_ref_ctx = NULL;
    if (r->file_fd >= 0)
        close(r->file_fd);
    r->file_fd = -1;
    r->file_off = r->file_len = 0;
}

int
etd_response_write(struct etd_response *r, const void *data, size_t len)
{
    return etd_buf_append(&r->body, data, len);
}

char *
etd_response_reserve(struct etd_response *r, size_t len)
{
    if (etd_buf_reserve(&r->body, len) < 0)
        return NULL;
    return r->body.data + r->body.len;
}

void
etd_response_commit(struct etd_response *r, size_t len)
{
    r->body.len += len;
}

void
etd_response_body_ref(struct etd_response *r, const void *data, size_t len,
                      void (*free_fn)(void *ctx), void *ctx)
{
    drop_body(r);
    r->body.len = 0;
    r->body_ref = data;
    r->body_ref_len = len;
    r->body_ref_free = free_fn;
    r->body_ref_ctx = ctx;
}

void
etd_response_file(struct etd_response *r, int fd, off_t off, off_t len)
{
    drop_body(r);
    r->body.len = 0;
    r->file_fd = fd;
    r->file_off = off;
    r->file_len = len;
}

int
etd_response_error(struct etd_response *r, int status, const char *msg)
{
    static const char hex[] = "0123456789abcdef";
    etd_response_clear(r);
    r->status = status;
    if (!msg)
        msg = etd_reason(status);
    if (etd_buf_append(&r->body, "{\"error\": \"", 11) < 0)
        return -1;
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++) {
        char esc[6];
        size_t n = 0;
        switch (*p) {
        case '"':  esc[0] = '\\'; esc[1] = '"'; n = 2; break;
        case '\\': esc[0] = '\\'; esc[1] = '\\'; n = 2; break;
        case '\n': esc[0] = '\\'; esc[1] = 'n'; n = 2; break;
        case '\r': esc[0] = '\\'; esc[1] = 'r'; n = 2; break;
        case '\t': esc[0] = '\\'; esc[1] = 't'; n = 2; break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[*p >> 4];
                esc[5] = hex[*p & 15];
                n = 6;
            } else {
                esc[0] = (char)*p;
                n = 1;
            }
        }
        if (etd_buf_append(&r->body, esc, n) < 0)
            return -1;
    }
    return etd_buf_append(&r->body, "\"}", 2);
}

void
etd_response_clear(struct etd_response *r)
{
    drop_body(r);
    r->status = 0;
    r->body.len = 0;
    r->hstore.len = 0;
    r->nhdr = 0;
    r->has_content_type = 0;
}

/* ---- jobs ---- */

void
etd_job_set_cancel(struct etd_job *j, void (*fn)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&j->cancel_lock);
    j->cancel_fn = fn;
    j->cancel_ctx = ctx;
    pthread_mutex_unlock(&j->cancel_lock);
}

struct etd_job *
etd_job_new(void)
{
    struct etd_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    pthread_mutex_init(&j->cancel_lock, NULL);
    j->resp.file_fd = -1;
    atomic_init(&j->cancelled, 0);
    atomic_init(&j->park, 0);
    etd_job_reset(j);
    return j;
}

/* A handler's state left on a job that will not run again. */
static void
drop_exec(struct etd_job *j)
{
    if (j->exec && j->exec_drop)
        j->exec_drop(j);
    j->exec = NULL;
    j->exec_drop = NULL;
}

void
etd_job_reset(struct etd_job *j)
{
    drop_exec(j);
    atomic_store(&j->park, 0);
    j->pool = NULL;
    etd_response_clear(&j->resp);
    if (j->resp.hstore.cap > KEEP_BUF)
        etd_buf_free(&j->resp.hstore);
    if (j->resp.body.cap > KEEP_BUF)
        etd_buf_free(&j->resp.body);
    buf_trim(&j->store);
    buf_trim(&j->bodybuf);
    buf_trim(&j->out);
    buf_trim(&j->pstore);
    memset(&j->req, 0, sizeof j->req);
    j->req.peer_text = "";
    j->handler = NULL;
    j->route_data = NULL;
    j->thread_data = NULL;
    atomic_store(&j->cancelled, 0);
    j->cancel_fn = NULL;
    j->cancel_ctx = NULL;
    j->state = ETD_JOB_FREE;
    j->orphan = j->close = j->client_close = j->is_head = j->need_continue = j->internal = 0;
    j->next = j->prev = j->pnext = j->pprev = j->tnext = j->tprev = NULL;
    j->conn = NULL;
    j->t_start = j->t_submit = 0;
    j->nhoff = 0;
    j->target_len = j->path_off = j->path_len = j->query_off = j->query_len = 0;
    j->in_tq = 0;
    j->wire_body = j->out_done = 0;
    j->file_done = 0;
}

void
etd_job_free(struct etd_job *j)
{
    if (!j)
        return;
    drop_exec(j);
    etd_response_clear(&j->resp);
    etd_buf_free(&j->resp.hstore);
    etd_buf_free(&j->resp.body);
    free(j->resp.hdr);
    etd_buf_free(&j->store);
    etd_buf_free(&j->bodybuf);
    etd_buf_free(&j->out);
    etd_buf_free(&j->pstore);
    free(j->hoff);
    free(j->hdrs);
    free(j->par);
    pthread_mutex_destroy(&j->cancel_lock);
    free(j);
}

const char *
etd_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 418: return "I'm a teapot";
    case 422: return "Unprocessable Entity";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default:  return "Unknown";
    }
}
