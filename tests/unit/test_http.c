/*
 * test_http.c -- CUnit suite for src/http.c and src/handler.c: the request
 * reader (http-parser callbacks -> request, split input, chunked bodies,
 * pipelining and pausing, limits), the response serialiser, JSON error
 * bodies, the Date cache and the access-log line.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <netinet/in.h>

#include "http.h"

/* ---- a reader owner that collects requests ---- */

struct sink {
    struct etd_job *jobs[16];
    int n;
    int pause_after;                /* pause after this many requests (0: never) */
    int headers_seen;
};

static struct etd_job *
sink_job_get(void *owner)
{
    (void)owner;
    return etd_job_new();
}

static int
sink_headers(void *owner, struct etd_job *j)
{
    (void)j;
    ((struct sink *)owner)->headers_seen++;
    return 0;
}

static int
sink_request(void *owner, struct etd_job *j)
{
    struct sink *s = owner;
    if (s->n < 16)
        s->jobs[s->n++] = j;
    else
        etd_job_free(j);
    return s->pause_after && s->n % s->pause_after == 0;
}

static const struct http_reader_ops sink_ops = { sink_job_get, sink_headers, sink_request };
static struct http_limits lim = { 1024, 100 };

static void
sink_free(struct sink *s, struct http_reader *r)
{
    for (int i = 0; i < s->n; i++)
        etd_job_free(s->jobs[i]);
    s->n = 0;
    struct etd_job *j = http_reader_take(r);
    if (j)
        etd_job_free(j);
}

static enum http_read_result
feed(struct http_reader *r, const char *data)
{
    size_t used;
    return http_reader_feed(r, data, strlen(data), &used);
}

static int
eq(const char *p, size_t n, const char *want)
{
    return p && n == strlen(want) && memcmp(p, want, n) == 0 && p[n] == 0;
}

static void
test_simple_get(void)
{
    struct sink s = { 0 };
    struct http_reader r;
    http_reader_init(&r, &lim, &sink_ops, &s);
    CU_ASSERT_EQUAL(feed(&r, "GET /a/b?x=1&y=%41 HTTP/1.1\r\nHost: example\r\n"
                             "X-Mixed-Case:   spaced value  \r\nAccept: */*\r\n\r\n"), HTTP_READ_MORE);
    CU_ASSERT_EQUAL_FATAL(s.n, 1);
    const struct etd_request *q = &s.jobs[0]->req;
    CU_ASSERT_STRING_EQUAL(q->method, "GET");
    CU_ASSERT_TRUE(eq(q->target, q->target_len, "/a/b?x=1&y=%41"));
    CU_ASSERT_TRUE(eq(q->path, q->path_len, "/a/b"));
    CU_ASSERT_TRUE(eq(q->query, q->query_len, "x=1&y=%41"));
    CU_ASSERT_TRUE(q->has_query);
    CU_ASSERT_EQUAL(q->http_major, 1);
    CU_ASSERT_EQUAL(q->http_minor, 1);
    CU_ASSERT_EQUAL(q->nheaders, 3);
    CU_ASSERT_TRUE(eq(q->headers[1].name, q->headers[1].name_len, "x-mixed-case"));
    CU_ASSERT_TRUE(eq(q->headers[1].value, q->headers[1].value_len, "spaced value"));
    size_t len;
    const char *v = etd_request_header(q, "host", &len);
    CU_ASSERT_TRUE(eq(v, len, "example"));
    CU_ASSERT_PTR_NULL(etd_request_header(q, "cookie", NULL));
    CU_ASSERT_EQUAL(q->body_len, 0);
    CU_ASSERT_STRING_EQUAL(q->body, "");
    CU_ASSERT_FALSE(s.jobs[0]->close);
    CU_ASSERT_FALSE(s.jobs[0]->is_head);
    CU_ASSERT_FALSE(http_reader_busy(&r));
    sink_free(&s, &r);
}

static void
test_byte_by_byte(void)
{
    const char *req = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n"
                      "Content-Length: 11\r\n\r\nhello world";
    struct sink s = { 0 };
    struct http_reader r;
    http_reader_init(&r, &lim, &sink_ops, &s);
    for (size_t i = 0; req[i]; i++) {
        size_t used;
        CU_ASSERT_EQUAL(http_reader_feed(&r, req + i, 1, &used), HTTP_READ_MORE);
        CU_ASSERT_EQUAL(used, 1);
    }
    CU_ASSERT_EQUAL_FATAL(s.n, 1);
    const struct etd_request *q = &s.jobs[0]->req;
    CU_ASSERT_STRING_EQUAL(q->method, "POST");
    CU_ASSERT_TRUE(eq(q->path, q->path_len, "/p"));
    CU_ASSERT_FALSE(q->has_query);
    CU_ASSERT_TRUE(eq(q->query, q->query_len, ""));
    CU_ASSERT_TRUE(eq(q->body, q->body_len, "hello world"));
    size_t len = 0;
    const char *ct = etd_request_header(q, "content-type", &len);
    CU_ASSERT_TRUE(eq(ct, len, "text/plain"));
    sink_free(&s, &r);
}

static void
test_chunked(void)
{
    struct sink s = { 0 };
    struct http_reader r;
    http_reader_init(&r, &lim, &sink_ops, &s);
    CU_ASSERT_EQUAL(feed(&r, "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n"),
                    HTTP_READ_MORE);
    CU_ASSERT_EQUAL_FATAL(s.n, 1);
    CU_ASSERT_TRUE(eq(s.jobs[0]->req.body, s.jobs[0]->req.body_len, "hello world"));
    CU_ASSERT_EQUAL(s.jobs[0]->req.nheaders, 1);     /* the trailer is not a header */
    sink_free(&s, &r);
}

static void
test_body_limit(void)
{
    struct sink s = { 0 };
    struct http_reader r;
    /* Content-Length over the limit: 413 at the head, before any body */
    http_reader_init(&r, &lim, &sink_ops, &s);
    CU_ASSERT_EQUAL(feed(&r, "POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n"), HTTP_READ_ERROR);
    CU_ASSERT_EQUAL(http_reader_error(&r), 413);
    CU_ASSERT_EQUAL(s.headers_seen, 0);
    sink_free(&s, &r);
    /* chunked: counted on decoded bytes (100 decoded is fine, 101 is not) */
    http_reader_init(&r, &lim, &sink_ops, &s);
    char buf[1024];
    snprintf(buf, sizeof buf, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             "32\r\n%050d\r\n32\r\n%050d\r\n0\r\n\r\n", 0, 0);
    CU_ASSERT_EQUAL(feed(&r, buf), HTTP_READ_MORE);
    CU_ASSERT_EQUAL(s.n, 1);
    sink_free(&s, &r);
    http_reader_init(&r, &lim, &sink_ops, &s);
    snprintf(buf, sizeof buf, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
             "32\r\n%050d\r\n33\r\n%051d\r\n0\r\n\r\n", 0, 0);
    CU_ASSERT_EQUAL(feed(&r, buf), HTTP_READ_ERROR);
    CU_ASSERT_EQUAL(http_reader_error(&r), 413);
    CU_ASSERT_EQUAL(s.n, 0);
    sink_free(&s, &r);
}

static void
test_header_limit(void)
{
    struct sink s = { 0 };
    struct http_reader r;
    http_set_max_header_size(lim.max_header_size);
    http_reader_init(&r, &lim, &sink_ops, &s);
    char big[2048];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    CU_ASSERT_EQUAL(feed(&r, "GET / HTTP/1.1\r\nX-Big: "), HTTP_READ_MORE);
    CU_ASSERT_TRUE(http_reader_busy(&r));
    CU_ASSERT_FALSE(http_reader_in_body(&r));
    CU_ASSERT_EQUAL(feed(&r, big), HTTP_READ_ERROR);
    CU_ASSERT_EQUAL(http_reader_error(&r), 431);
    sink_free(&s, &r);
    http_set_max_header_size(80 * 1024);
}

static void
test_malformed(void)
{
    const char *bad[] = {
        "BLAH / HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
        "GET / XTTP/1.1\r\n\r\n",
        "GET /\x01 HTTP/1.1\r\n\r\n",
        "POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sink s = { 0 };
        struct http_reader r;
        http_reader_init(&r, &lim, &sink_ops, &s);
        CU_ASSERT_EQUAL(feed(&r, bad[i]), HTTP_READ_ERROR);
        CU_ASSERT_EQUAL(http_reader_error(&r), 400);
        sink_free(&s, &r);
    }
}

static void
test_pipeline_pause(void)
{
    struct sink s = { .pause_after = 2 };
    struct http_reader r;
    http_reader_init(&r, &lim, &sink_ops, &s);
    const char *in = "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nHEAD /3 HTTP/1.1\r\n\r\n"
                     "GET /4 HTTP/1.0\r\n\r\n";
    size_t len = strlen(in), used;
    CU_ASSERT_EQUAL(http_reader_feed(&r, in, len, &used), HTTP_READ_PAUSED);
    CU_ASSERT_EQUAL(s.n, 2);
    CU_ASSERT_EQUAL(used, 38);      /* exactly the first two requests */
    http_reader_resume(&r);
    size_t used2;
    CU_ASSERT_EQUAL(http_reader_feed(&r, in + used, len - used, &used2), HTTP_READ_PAUSED);
    CU_ASSERT_EQUAL(used + used2, len);
    CU_ASSERT_EQUAL_FATAL(s.n, 4);
    CU_ASSERT_TRUE(eq(s.jobs[0]->req.path, s.jobs[0]->req.path_len, "/1"));
    CU_ASSERT_TRUE(eq(s.jobs[2]->req.path, s.jobs[2]->req.path_len, "/3"));
    CU_ASSERT_TRUE(s.jobs[2]->is_head);
    CU_ASSERT_FALSE(s.jobs[2]->close);
    CU_ASSERT_TRUE(s.jobs[3]->close);           /* HTTP/1.0 without keep-alive */
    CU_ASSERT_EQUAL(s.jobs[3]->req.http_minor, 0);
    sink_free(&s, &r);
}

static void
test_misc_requests(void)
{
    struct sink s = { 0 };
    struct http_reader r;
    http_reader_init(&r, &lim, &sink_ops, &s);
    /* bare LF line ends, HTTP/1.0 keep-alive, absolute-form target, Expect */
    CU_ASSERT_EQUAL(feed(&r, "GET /lf HTTP/1.1\nHost: x\n\n"
                             "GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                             "GET http://h.example:8080/abs/p?q=1 HTTP/1.1\r\n\r\n"
                             "PUT /e HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"),
                    HTTP_READ_MORE);
    CU_ASSERT_EQUAL_FATAL(s.n, 3);
    CU_ASSERT_TRUE(eq(s.jobs[0]->req.path, s.jobs[0]->req.path_len, "/lf"));
    CU_ASSERT_FALSE(s.jobs[1]->close);
    CU_ASSERT_TRUE(eq(s.jobs[2]->req.path, s.jobs[2]->req.path_len, "/abs/p"));
    CU_ASSERT_TRUE(eq(s.jobs[2]->req.query, s.jobs[2]->req.query_len, "q=1"));
    CU_ASSERT_TRUE(http_reader_in_body(&r));
    CU_ASSERT_TRUE(r.job->need_continue);
    CU_ASSERT_EQUAL(feed(&r, "ok"), HTTP_READ_MORE);
    CU_ASSERT_EQUAL_FATAL(s.n, 4);
    CU_ASSERT_STRING_EQUAL(s.jobs[3]->req.method, "PUT");
    CU_ASSERT_FALSE(s.jobs[3]->need_continue);
    CU_ASSERT_TRUE(eq(s.jobs[3]->req.body, s.jobs[3]->req.body_len, "ok"));
    sink_free(&s, &r);
}

/* ---- responses ---- */

static struct http_date_cache dc;
static struct http_static st;

static void
test_date_cache(void)
{
    struct http_date_cache c = { 0 };
    http_date_refresh(&c, 1795772400);      /* 2026-11-27 09:40:00 UTC */
    CU_ASSERT_STRING_EQUAL(c.date, "Date: Fri, 27 Nov 2026 09:40:00 GMT\r\n");
    CU_ASSERT_EQUAL(c.date_len, strlen(c.date));
    CU_ASSERT_STRING_EQUAL(c.clf, "27/Nov/2026:09:40:00 +0000");
    strcpy(c.date, "unchanged");
    http_date_refresh(&c, 1795772400);      /* same second: kept */
    CU_ASSERT_STRING_EQUAL(c.date, "unchanged");
    http_date_refresh(&c, 1795772401);
    CU_ASSERT_STRING_EQUAL(c.date, "Date: Fri, 27 Nov 2026 09:40:01 GMT\r\n");
}

static char *
head_of(struct etd_job *j)
{
    static char buf[2048];
    size_t n = j->out.len < sizeof buf - 1 ? j->out.len : sizeof buf - 1;
    memcpy(buf, j->out.data, n);
    buf[n] = 0;
    return buf;
}

static void
test_serialize(void)
{
    http_date_refresh(&dc, 1795772400);
    struct etd_job *j = etd_job_new();
    size_t blen = 99;
    etd_response_write(&j->resp, "{\"a\":1}", 7);
    CU_ASSERT_EQUAL(http_serialize(j, 1, &dc, &st, &blen), 0);
    CU_ASSERT_EQUAL(blen, 7);
    CU_ASSERT_EQUAL(j->resp.status, 200);
    CU_ASSERT_STRING_EQUAL(head_of(j),
        "HTTP/1.1 200 OK\r\nDate: Fri, 27 Nov 2026 09:40:00 GMT\r\nServer: etamild/9.9\r\n"
        "Content-Type: application/json\r\nContent-Length: 7\r\nConnection: keep-alive\r\n\r\n");
    CU_ASSERT_PTR_EQUAL(http_body_ptr(j), j->resp.body.data);

    /* handler headers: Content-Type replaces the default case-insensitively,
     * server-owned names are ignored, CR/LF refused */
    etd_job_reset(j);
    j->resp.status = 201;
    CU_ASSERT_EQUAL(etd_response_set_header(&j->resp, "content-type", 12, "text/plain", 10), 0);
    CU_ASSERT_EQUAL(etd_response_set_header(&j->resp, "Content-Type", 12, "text/html", 9), 0);
    CU_ASSERT_EQUAL(etd_response_set_header(&j->resp, "Content-Length", 14, "5", 1), 0);
    CU_ASSERT_EQUAL(etd_response_set_header(&j->resp, "X-Bad", 5, "a\r\nb", 4), -1);
    CU_ASSERT_EQUAL(etd_response_add_header(&j->resp, "Set-Cookie", 10, "a=1", 3), 0);
    CU_ASSERT_EQUAL(etd_response_add_header(&j->resp, "Set-Cookie", 10, "b=2", 3), 0);
    etd_response_body_ref(&j->resp, "hi", 2, NULL, NULL);
    CU_ASSERT_EQUAL(http_serialize(j, 0, &dc, &st, &blen), 0);
    CU_ASSERT_EQUAL(blen, 2);
    CU_ASSERT_STRING_EQUAL(head_of(j),
        "HTTP/1.1 201 Created\r\nDate: Fri, 27 Nov 2026 09:40:00 GMT\r\nServer: etamild/9.9\r\n"
        "Content-Length: 2\r\nConnection: close\r\n"
        "Content-Type: text/html\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n");
    CU_ASSERT_STRING_EQUAL(http_body_ptr(j), "hi");

    /* 204: no body, no Content-Length */
    etd_job_reset(j);
    j->resp.status = 204;
    etd_response_write(&j->resp, "x", 1);
    CU_ASSERT_EQUAL(http_serialize(j, 1, &dc, &st, &blen), 0);
    CU_ASSERT_EQUAL(blen, 0);
    CU_ASSERT_PTR_NULL(strstr(head_of(j), "Content-Length"));
    CU_ASSERT_PTR_NOT_NULL(strstr(head_of(j), "HTTP/1.1 204 No Content\r\n"));

    /* CORS lines when configured */
    struct http_static cors;
    CU_ASSERT_EQUAL(http_static_init(&cors, "1.0", "https://a.example"), 0);
    etd_job_reset(j);
    CU_ASSERT_EQUAL(http_serialize(j, 1, &dc, &cors, &blen), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(head_of(j),
        "Access-Control-Allow-Origin: https://a.example\r\n"
        "Access-Control-Allow-Methods: GET, POST, PUT, DELETE, OPTIONS\r\n"
        "Access-Control-Allow-Headers: Content-Type\r\n"));
    http_static_free(&cors);
    etd_job_free(j);
}

static void
test_error_body(void)
{
    struct etd_job *j = etd_job_new();
    etd_response_write(&j->resp, "old", 3);
    CU_ASSERT_EQUAL(etd_response_error(&j->resp, 413, NULL), 0);
    CU_ASSERT_EQUAL(j->resp.status, 413);
    CU_ASSERT_EQUAL(j->resp.body.len, strlen("{\"error\": \"Payload Too Large\"}"));
    CU_ASSERT_EQUAL(memcmp(j->resp.body.data, "{\"error\": \"Payload Too Large\"}", j->resp.body.len), 0);
    CU_ASSERT_EQUAL(etd_response_error(&j->resp, 500, "a \"q\" \\ \n\x01 வணக்கம்"), 0);
    const char *want = "{\"error\": \"a \\\"q\\\" \\\\ \\n\\u0001 வணக்கம்\"}";
    CU_ASSERT_EQUAL(j->resp.body.len, strlen(want));
    CU_ASSERT_EQUAL(memcmp(j->resp.body.data, want, strlen(want)), 0);
    CU_ASSERT_STRING_EQUAL(etd_reason(431), "Request Header Fields Too Large");
    CU_ASSERT_STRING_EQUAL(etd_reason(408), "Request Timeout");
    CU_ASSERT_STRING_EQUAL(etd_reason(503), "Service Unavailable");
    etd_job_free(j);
}

static void
test_access_line(void)
{
    struct sink s = { 0 };
    struct http_reader r;
    http_reader_init(&r, &lim, &sink_ops, &s);
    feed(&r, "GET /x?a=\"b\" HTTP/1.1\r\nUser-Agent: curl/8.0\r\n\r\n");
    CU_ASSERT_EQUAL_FATAL(s.n, 1);
    s.jobs[0]->req.peer_text = "127.0.0.1";
    struct etd_buf out = { 0 };
    http_date_refresh(&dc, 1795772400);
    CU_ASSERT_EQUAL(http_access_line(&out, s.jobs[0], 200, 12, 0.000412, &dc), 0);
    CU_ASSERT_EQUAL(out.len, strlen("127.0.0.1 - - [27/Nov/2026:09:40:00 +0000] \"GET /x?a=\\x22b\\x22 HTTP/1.1\" "
                                    "200 12 \"-\" \"curl/8.0\" 0.000412\n"));
    CU_ASSERT_EQUAL(memcmp(out.data, "127.0.0.1 - - [27/Nov/2026:09:40:00 +0000] \"GET /x?a=\\x22b\\x22 HTTP/1.1\" "
                                     "200 12 \"-\" \"curl/8.0\" 0.000412\n", out.len), 0);
    /* a request that never got a request line */
    struct etd_job *e = etd_job_new();
    CU_ASSERT_EQUAL(http_access_line(&out, e, 400, 24, 0, &dc), 0);
    CU_ASSERT_EQUAL(memcmp(out.data, "- - - [27/Nov/2026:09:40:00 +0000] \"-\" 400 24 \"-\" \"-\" 0.000000\n", out.len), 0);
    etd_job_free(e);
    etd_buf_free(&out);
    sink_free(&s, &r);
}

static void
test_copy_request(void)
{
    struct sink s = { 0 };
    struct http_reader r;
    http_reader_init(&r, &lim, &sink_ops, &s);
    feed(&r, "HEAD /c/d?z HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n");
    CU_ASSERT_EQUAL_FATAL(s.n, 1);
    struct etd_job *c = etd_job_new();
    CU_ASSERT_EQUAL(http_copy_request(c, s.jobs[0]), 0);
    sink_free(&s, &r);              /* the copy stands alone */
    CU_ASSERT_STRING_EQUAL(c->req.method, "HEAD");
    CU_ASSERT_TRUE(c->is_head);
    CU_ASSERT_TRUE(eq(c->req.path, c->req.path_len, "/c/d"));
    CU_ASSERT_TRUE(eq(c->req.query, c->req.query_len, "z"));
    CU_ASSERT_EQUAL(c->req.nheaders, 2);
    CU_ASSERT_TRUE(eq(c->req.headers[1].value, c->req.headers[1].value_len, "2"));
    etd_job_free(c);
}

int
main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    http_static_init(&st, "9.9", NULL);
    CU_pSuite s = CU_add_suite("http", NULL, NULL);
    CU_add_test(s, "simple GET", test_simple_get);
    CU_add_test(s, "byte by byte", test_byte_by_byte);
    CU_add_test(s, "chunked body", test_chunked);
    CU_add_test(s, "max_body_size", test_body_limit);
    CU_add_test(s, "max_header_size", test_header_limit);
    CU_add_test(s, "malformed requests", test_malformed);
    CU_add_test(s, "pipelining and pausing", test_pipeline_pause);
    CU_add_test(s, "LF heads, 1.0 keep-alive, absolute form, Expect", test_misc_requests);
    CU_add_test(s, "Date cache", test_date_cache);
    CU_add_test(s, "serialiser", test_serialize);
    CU_add_test(s, "JSON error bodies", test_error_body);
    CU_add_test(s, "access-log line", test_access_line);
    CU_add_test(s, "copy of a request", test_copy_request);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned fails = CU_get_number_of_failures();
    CU_cleanup_registry();
    http_static_free(&st);
    return fails ? 1 : 0;
}
