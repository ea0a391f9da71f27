/*
 * http.c -- HTTP/1.1 on the wire (see http.h): http-parser callbacks that
 * copy a request into its job (the socket's read buffer is reused at once),
 * limits checked while bytes arrive, the response head serialiser, the
 * per-second Date cache and the access-log line.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

void
http_set_max_header_size(size_t n)
{
    http_parser_set_max_header_size(n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
}

/* ---- the reader ---- */

static struct http_reader *
reader_of(http_parser *p)
{
    return p->data;
}

static int
fail(struct http_reader *r, int status)
{
    if (!r->error)
        r->error = status;
    return -1;
}

static int
on_message_begin(http_parser *p)
{
    struct http_reader *r = reader_of(p);
    r->job = r->ops->job_get(r->owner);
    if (!r->job)
        return fail(r, 503);
    r->phase = 0;
    r->job->state = ETD_JOB_PARSING;
    return 0;
}

/* End the text being collected (url, name or value) with a NUL. */
static int
end_piece(struct http_reader *r)
{
    struct etd_job *j = r->job;
    if (r->phase == 0) {
        j->target_len = (uint32_t)j->store.len;
        if (etd_buf_append(&j->store, "", 1) < 0)
            return -1;
    } else if (r->phase == 2) {
        /* http-parser drops leading blanks; drop trailing ones too */
        uint32_t *v32 = &j->hoff[j->nhoff - 1].value_len;
        while (*v32 > 0) {
            char c = j->store.data[j->hoff[j->nhoff - 1].value + *v32 - 1];
            if (c != ' ' && c != '\t')
                break;
            (*v32)--;
        }
        j->store.len = j->hoff[j->nhoff - 1].value + *v32;
        if (etd_buf_append(&j->store, "", 1) < 0)
            return -1;
    }
    return 0;
}

static int
on_url(http_parser *p, const char *at, size_t len)
{
    struct http_reader *r = reader_of(p);
    if (etd_buf_append(&r->job->store, at, len) < 0)
        return fail(r, 503);
    return 0;
}

static int
on_header_field(http_parser *p, const char *at, size_t len)
{
    struct http_reader *r = reader_of(p);
    struct etd_job *j = r->job;
    if (r->phase == 3)
        return 0;                   /* trailers of a chunked body: ignored */
    if (r->phase != 1) {
        if (end_piece(r) < 0)
            return fail(r, 503);
        if (j->nhoff == j->hoff_cap) {
            size_t cap = j->hoff_cap ? j->hoff_cap * 2 : 16;
            void *n = realloc(j->hoff, cap * sizeof j->hoff[0]);
            if (!n)
                return fail(r, 503);
            j->hoff = n;
            j->hoff_cap = cap;
        }
        j->hoff[j->nhoff].name = (uint32_t)j->store.len;
        j->hoff[j->nhoff].name_len = 0;
        j->hoff[j->nhoff].value = 0;
        j->hoff[j->nhoff].value_len = 0;
        j->nhoff++;
        r->phase = 1;
    }
    if (etd_buf_reserve(&j->store, len) < 0)
        return fail(r, 503);
    char *d = j->store.data + j->store.len;
    for (size_t i = 0; i < len; i++) {
        char c = at[i];
        d[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    j->store.len += len;
    j->hoff[j->nhoff - 1].name_len += (uint32_t)len;
    return 0;
}

static int
on_header_value(http_parser *p, const char *at, size_t len)
{
    struct http_reader *r = reader_of(p);
    struct etd_job *j = r->job;
    if (r->phase == 3)
        return 0;
    if (r->phase != 2) {
        if (etd_buf_append(&j->store, "", 1) < 0)
            return fail(r, 503);
        j->hoff[j->nhoff - 1].value = (uint32_t)j->store.len;
        r->phase = 2;
    }
    if (etd_buf_append(&j->store, at, len) < 0)
        return fail(r, 503);
    j->hoff[j->nhoff - 1].value_len += (uint32_t)len;
    return 0;
}

static int
split_target(struct etd_job *j)
{
    const char *t = j->store.data;
    size_t tl = j->target_len, ps = 0, pl = tl, qs = tl, ql = 0;
    int has_q = 0;
    if (tl == 0 || t[0] != '/') {
        struct http_parser_url u;
        http_parser_url_init(&u);
        if (tl > 0 && tl < 65536 && tl != 1 &&
            http_parser_parse_url(t, tl, j->req.method_id == HTTP_CONNECT, &u) == 0) {
            if (u.field_set & (1 << UF_PATH)) {
                ps = u.field_data[UF_PATH].off;
                pl = u.field_data[UF_PATH].len;
            } else {
                ps = tl;
                pl = 0;
            }
            if (u.field_set & (1 << UF_QUERY)) {
                has_q = 1;
                qs = u.field_data[UF_QUERY].off;
                ql = u.field_data[UF_QUERY].len;
            }
        }                            /* else "*" and the like: path = target */
    } else {
        const char *q = memchr(t, '?', tl);
        if (q) {
            has_q = 1;
            pl = (size_t)(q - t);
            qs = pl + 1;
            ql = tl - qs;
        }
        const char *h = memchr(t, '#', pl);
        if (h)
            pl = (size_t)(h - t);
    }
    /* a NUL-terminated copy of the path, and of the query */
    size_t need = pl + ql + 2;
    if (etd_buf_reserve(&j->store, need) < 0)
        return -1;
    t = j->store.data;
    j->path_off = (uint32_t)j->store.len;
    j->path_len = (uint32_t)pl;
    if (pl == 0 && ps == tl) {
        etd_buf_append(&j->store, "/", 1);
        j->path_len = 1;
    } else {
        etd_buf_append(&j->store, t + ps, pl);
    }
    etd_buf_append(&j->store, "", 1);
    j->query_off = (uint32_t)j->store.len;
    j->query_len = (uint32_t)ql;
    etd_buf_append(&j->store, j->store.data + qs, ql);
    etd_buf_append(&j->store, "", 1);
    j->req.has_query = has_q;
    return 0;
}

/* Pointers into the job's store, once it no longer grows. */
static int
finish_head(struct etd_job *j)
{
    if (j->nhoff > j->hdrs_cap) {
        size_t cap = j->hdrs_cap ? j->hdrs_cap : 16;
        while (cap < j->nhoff)
            cap *= 2;
        void *n = realloc(j->hdrs, cap * sizeof j->hdrs[0]);
        if (!n)
            return -1;
        j->hdrs = n;
        j->hdrs_cap = cap;
    }
    const char *s = j->store.data;
    for (size_t i = 0; i < j->nhoff; i++) {
        j->hdrs[i].name = s + j->hoff[i].name;
        j->hdrs[i].name_len = j->hoff[i].name_len;
        j->hdrs[i].value = j->hoff[i].value ? s + j->hoff[i].value : "";
        j->hdrs[i].value_len = j->hoff[i].value_len;
    }
    j->req.headers = j->hdrs;
    j->req.nheaders = j->nhoff;
    j->req.target = s;
    j->req.target_len = j->target_len;
    j->req.path = s + j->path_off;
    j->req.path_len = j->path_len;
    j->req.query = s + j->query_off;
    j->req.query_len = j->query_len;
    j->req.body = "";
    j->req.body_len = 0;
    return 0;
}

static int
on_headers_complete(http_parser *p)
{
    struct http_reader *r = reader_of(p);
    struct etd_job *j = r->job;
    if (r->phase == 0 || r->phase == 2) {
        if (end_piece(r) < 0)
            return fail(r, 503);
    } else if (r->phase == 1) {
        /* a name without a value cannot reach here (http-parser rejects it) */
        if (etd_buf_append(&j->store, "", 1) < 0)
            return fail(r, 503);
    }
    r->phase = 3;
    j->req.method_id = p->method;
    j->req.method = http_method_str((enum http_method)p->method);
    j->req.http_major = p->http_major;
    j->req.http_minor = p->http_minor;
    j->is_head = p->method == HTTP_HEAD;
    if (split_target(j) < 0 || finish_head(j) < 0)
        return fail(r, 503);
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > r->lim->max_body_size)
        return fail(r, 413);
    int has_body = (p->flags & F_CHUNKED) || ((p->flags & F_CONTENTLENGTH) && p->content_length > 0);
    if (has_body && (p->http_major > 1 || (p->http_major == 1 && p->http_minor >= 1))) {
        size_t el;
        const char *e = etd_request_header(&j->req, "expect", &el);
        if (e && el == 12 && strncasecmp(e, "100-continue", 12) == 0)
            j->need_continue = 1;
    }
    if ((p->flags & F_CONTENTLENGTH) && p->content_length > 0 &&
        etd_buf_reserve(&j->bodybuf, p->content_length + 1) < 0)
        return fail(r, 503);
    if (r->ops->on_headers) {
        int st = r->ops->on_headers(r->owner, j);
        if (st)
            return fail(r, st);
    }
    return 0;
}

static int
on_body(http_parser *p, const char *at, size_t len)
{
    struct http_reader *r = reader_of(p);
    struct etd_job *j = r->job;
    if (j->bodybuf.len + len > r->lim->max_body_size)
        return fail(r, 413);
    if (etd_buf_append(&j->bodybuf, at, len) < 0)
        return fail(r, 503);
    return 0;
}

static int
on_message_complete(http_parser *p)
{
    struct http_reader *r = reader_of(p);
    struct etd_job *j = r->job;
    if (etd_buf_reserve(&j->bodybuf, 1) < 0)
        return fail(r, 503);
    j->bodybuf.data[j->bodybuf.len] = 0;
    j->req.body = j->bodybuf.data;
    j->req.body_len = j->bodybuf.len;
    j->close = j->client_close = !http_should_keep_alive(p);
    j->need_continue = 0;
    r->job = NULL;
    r->phase = 0;
    if (r->ops->on_request(r->owner, j))
        http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

void
http_reader_init(struct http_reader *r, const struct http_limits *lim,
                 const struct http_reader_ops *ops, void *owner)
{
    memset(r, 0, sizeof *r);
    http_parser_init(&r->parser, HTTP_REQUEST);
    r->parser.data = r;
    r->ops = ops;
    r->owner = owner;
    r->lim = lim;
}

enum http_read_result
http_reader_feed(struct http_reader *r, const char *data, size_t len, size_t *used)
{
    size_t n = http_parser_execute(&r->parser, &settings, data, len);
    *used = n;
    enum http_errno e = HTTP_PARSER_ERRNO(&r->parser);
    if (e == HPE_PAUSED)
        return HTTP_READ_PAUSED;
    if (e != HPE_OK || r->error) {
        if (!r->error)
            r->error = e == HPE_HEADER_OVERFLOW ? 431 : 400;
        return HTTP_READ_ERROR;
    }
    if (r->parser.upgrade)
        return HTTP_READ_UPGRADE;
    return HTTP_READ_MORE;
}

void
http_reader_resume(struct http_reader *r)
{
    http_parser_pause(&r->parser, 0);
}

int
http_reader_error(const struct http_reader *r)
{
    return r->error ? r->error : 400;
}

struct etd_job *
http_reader_take(struct http_reader *r)
{
    struct etd_job *j = r->job;
    r->job = NULL;
    return j;
}

int
http_copy_request(struct etd_job *dst, const struct etd_job *src)
{
    dst->store.len = 0;
    if (etd_buf_append(&dst->store, src->store.data, src->store.len) < 0)
        return -1;
    if (src->nhoff > dst->hoff_cap) {
        void *n = realloc(dst->hoff, src->nhoff * sizeof dst->hoff[0]);
        if (!n)
            return -1;
        dst->hoff = n;
        dst->hoff_cap = src->nhoff;
    }
    if (src->nhoff)
        memcpy(dst->hoff, src->hoff, src->nhoff * sizeof dst->hoff[0]);
    dst->nhoff = src->nhoff;
    dst->target_len = src->target_len;
    dst->path_off = src->path_off;
    dst->path_len = src->path_len;
    dst->query_off = src->query_off;
    dst->query_len = src->query_len;
    dst->req.method = src->req.method;
    dst->req.method_id = src->req.method_id;
    dst->req.http_major = src->req.http_major;
    dst->req.http_minor = src->req.http_minor;
    dst->req.has_query = src->req.has_query;
    dst->req.peer = src->req.peer;
    dst->req.peer_len = src->req.peer_len;
    dst->req.peer_text = src->req.peer_text;
    dst->is_head = src->is_head;
    dst->close = src->close;
    dst->t_start = src->t_start;
    return finish_head(dst);
}

/* ---- dates ---- */

static const char wday[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

void
http_date_refresh(struct http_date_cache *dc, time_t now)
{
    if (dc->sec == now && dc->date_len)
        return;
    struct tm tm;
    gmtime_r(&now, &tm);
    dc->sec = now;
    int n = snprintf(dc->date, sizeof dc->date, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                     wday[tm.tm_wday], tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
    dc->date_len = n > 0 ? (size_t)n : 0;
    snprintf(dc->clf, sizeof dc->clf, "%02d/%s/%04d:%02d:%02d:%02d +0000",
             tm.tm_mday, mon[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* ---- responses ---- */

int
http_static_init(struct http_static *st, const char *version, const char *cors_origin)
{
    memset(st, 0, sizeof *st);
    size_t n = strlen(version) + 32;
    st->server = malloc(n);
    if (!st->server)
        return -1;
    st->server_len = (size_t)snprintf(st->server, n, "Server: etamild/%s\r\n", version);
    if (cors_origin) {
        n = strlen(cors_origin) + 200;
        st->cors = malloc(n);
        if (!st->cors)
            return -1;
        st->cors_len = (size_t)snprintf(st->cors, n,
            "Access-Control-Allow-Origin: %s\r\n"
            "Access-Control-Allow-Methods: GET, POST, PUT, DELETE, OPTIONS\r\n"
            "Access-Control-Allow-Headers: Content-Type\r\n", cors_origin);
    } else {
        st->cors = strdup("");
        if (!st->cors)
            return -1;
    }
    return 0;
}

void
http_static_free(struct http_static *st)
{
    free(st->server);
    free(st->cors);
    st->server = st->cors = NULL;
}

static char *
put(char *d, const char *s, size_t n)
{
    memcpy(d, s, n);
    return d + n;
}

static char *
put_uint(char *d, unsigned long long v)
{
    char tmp[24];
    int i = 0;
    do {
        tmp[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i)
        *d++ = tmp[--i];
    return d;
}

const char *
http_body_ptr(const struct etd_job *job)
{
    if (job->resp.file_fd >= 0)
        return NULL;
    return job->resp.body_ref ? job->resp.body_ref : job->resp.body.data;
}

int
http_serialize(struct etd_job *job, int keep_alive, const struct http_date_cache *dc,
               const struct http_static *st, size_t *body_len)
{
    struct etd_response *r = &job->resp;
    if (r->status < 100 || r->status > 999)
        r->status = r->status == 0 ? 200 : 500;
    int status = r->status;
    size_t blen;
    if (r->file_fd >= 0)
        blen = (size_t)r->file_len;
    else if (r->body_ref)
        blen = r->body_ref_len;
    else
        blen = r->body.len;
    int nobody = status < 200 || status == 204 || status == 304;
    if (nobody)
        blen = 0;
    const char *reason = etd_reason(status);
    size_t rl = strlen(reason);
    size_t need = 16 + rl + dc->date_len + st->server_len + st->cors_len + 40 + 48 + 32 + 4;
    for (size_t i = 0; i < r->nhdr; i++)
        need += r->hdr[i].name_len + r->hdr[i].value_len + 4;
    job->out.len = 0;
    if (etd_buf_reserve(&job->out, need) < 0)
        return -1;
    char *d = job->out.data;
    d = put(d, "HTTP/1.1 ", 9);
    *d++ = (char)('0' + status / 100);
    *d++ = (char)('0' + status / 10 % 10);
    *d++ = (char)('0' + status % 10);
    *d++ = ' ';
    d = put(d, reason, rl);
    d = put(d, "\r\n", 2);
    d = put(d, dc->date, dc->date_len);
    d = put(d, st->server, st->server_len);
    if (!r->has_content_type && !nobody)
        d = put(d, "Content-Type: application/json\r\n", 32);
    if (!nobody) {
        d = put(d, "Content-Length: ", 16);
        d = put_uint(d, blen);
        d = put(d, "\r\n", 2);
    }
    if (keep_alive)
        d = put(d, "Connection: keep-alive\r\n", 24);
    else
        d = put(d, "Connection: close\r\n", 19);
    d = put(d, st->cors, st->cors_len);
    for (size_t i = 0; i < r->nhdr; i++) {
        d = put(d, r->hstore.data + r->hdr[i].name, r->hdr[i].name_len);
        d = put(d, ": ", 2);
        d = put(d, r->hstore.data + r->hdr[i].value, r->hdr[i].value_len);
        d = put(d, "\r\n", 2);
    }
    d = put(d, "\r\n", 2);
    job->out.len = (size_t)(d - job->out.data);
    *body_len = blen;
    return 0;
}

/* nginx-style escaping for log fields: \xHH for quotes, backslash, controls
 * and bytes outside printable ASCII. */
static int
log_escaped(struct etd_buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (etd_buf_reserve(out, n * 4) < 0)
        return -1;
    char *d = out->data + out->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x7f) {
            *d++ = '\\';
            *d++ = 'x';
            *d++ = hex[c >> 4];
            *d++ = hex[c & 15];
        } else {
            *d++ = (char)c;
        }
    }
    out->len = (size_t)(d - out->data);
    return 0;
}

int
http_access_line(struct etd_buf *out, const struct etd_job *job, int status,
                 size_t bytes, double seconds, const struct http_date_cache *dc)
{
    const struct etd_request *q = &job->req;
    char tmp[96];
    out->len = 0;
    const char *peer = q->peer_text && *q->peer_text ? q->peer_text : "-";
    if (etd_buf_append(out, peer, strlen(peer)) < 0 ||
        etd_buf_append(out, " - - [", 6) < 0 ||
        etd_buf_append(out, dc->clf, strlen(dc->clf)) < 0 ||
        etd_buf_append(out, "] \"", 3) < 0)
        return -1;
    if (q->method && q->target) {
        if (etd_buf_append(out, q->method, strlen(q->method)) < 0 ||
            etd_buf_append(out, " ", 1) < 0 ||
            log_escaped(out, q->target, q->target_len) < 0)
            return -1;
        int n = snprintf(tmp, sizeof tmp, " HTTP/%u.%u", q->http_major, q->http_minor);
        if (etd_buf_append(out, tmp, (size_t)n) < 0)
            return -1;
    } else if (etd_buf_append(out, "-", 1) < 0) {
        return -1;
    }
    int n = snprintf(tmp, sizeof tmp, "\" %d %zu \"", status, bytes);
    if (etd_buf_append(out, tmp, (size_t)n) < 0)
        return -1;
    size_t len;
    const char *v = q->headers ? etd_request_header(q, "referer", &len) : NULL;
    if (v ? log_escaped(out, v, len) : etd_buf_append(out, "-", 1))
        return -1;
    if (etd_buf_append(out, "\" \"", 3) < 0)
        return -1;
    v = q->headers ? etd_request_header(q, "user-agent", &len) : NULL;
    if (v ? log_escaped(out, v, len) : etd_buf_append(out, "-", 1))
        return -1;
    if (seconds < 0)
        seconds = 0;
    n = snprintf(tmp, sizeof tmp, "\" %.6f\n", seconds);
    return etd_buf_append(out, tmp, (size_t)n);
}
