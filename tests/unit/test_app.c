/*
 * test_app.c -- CUnit suite for src/app.c and src/multipart.c: query and
 * UTF-8 decoding, multipart parsing, load errors, and requests run through
 * the router and the handler on this thread (no sockets): bound variables,
 * response building, failures, and a pure prelude saved once per thread.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "etamil.h"
#include "app.h"
#include "multipart.h"
#include "router.h"
#include "worker.h"

static char dir[] = "/tmp/test_app_XXXXXX";

static void
write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs(text, f);
    fclose(f);
}

static void
base_cfg(struct etd_config *cfg, const char *app)
{
    static char path[512];
    memset(cfg, 0, sizeof *cfg);
    snprintf(path, sizeof path, "%s/%s", dir, app);
    cfg->app = path;
    cfg->heap_limit = 1 << 20;
    cfg->handler_timeout = 5;
    cfg->health_path = "/health";
}

/* ---- decoding ---- */

static void
test_query_unescape(void)
{
    char out[64];
    size_t n = app_query_unescape("a+b%41%e0%AE%85%zz%4", 20, out);
    CU_ASSERT_EQUAL(n, 12);
    CU_ASSERT(memcmp(out, "a bA\xe0\xae\x85%zz%4", 12) == 0);
    n = app_query_unescape("%", 1, out);
    CU_ASSERT(n == 1 && out[0] == '%');
    n = app_query_unescape("%+5", 3, out);
    CU_ASSERT(n == 3 && memcmp(out, "% 5", 3) == 0);
}

static void
test_utf8_lossy(void)
{
    char out[64];
    size_t n = etm_utf8_lossy("ok\xff!", 4, out);
    CU_ASSERT(n == 6 && memcmp(out, "ok\xef\xbf\xbd!", 6) == 0);
    /* a truncated 3-byte sequence is one replacement */
    n = etm_utf8_lossy("\xe0\xae", 2, out);
    CU_ASSERT(n == 3 && memcmp(out, "\xef\xbf\xbd", 3) == 0);
    /* surrogates are invalid: ED A0 80 -> three replacements */
    n = etm_utf8_lossy("\xed\xa0\x80", 3, out);
    CU_ASSERT_EQUAL(n, 9);
    n = etm_utf8_lossy("அ", strlen("அ"), out);
    CU_ASSERT(n == 3 && memcmp(out, "அ", 3) == 0);
}

/* ---- multipart ---- */

static void
test_multipart(void)
{
    const char *b;
    size_t bl;
    CU_ASSERT(multipart_boundary("  Multipart/Form-Data; boundary=\"abc\"", 37, &b, &bl) == 1);
    CU_ASSERT(bl == 3 && memcmp(b, "abc", 3) == 0);
    CU_ASSERT(multipart_boundary("multipart/form-data; boundary=", 30, &b, &bl) == 0);
    CU_ASSERT(multipart_boundary("text/plain; boundary=x", 22, &b, &bl) == 0);

    static const char body[] =
        "--abc\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nhello\r\n"
        "--abc\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n"
        "Content-Type: image/png\r\n\r\n\x01\x02\r\n"
        "--abc\r\nContent-Disposition: form-data; filename=\"noname\"\r\n\r\nskip\r\n"
        "--abc\r\nno blank line\r\n"
        "--abc--\r\n"
        "--abc\r\nContent-Disposition: form-data; name=\"after\"\r\n\r\nx\r\n--abc\r\n";
    struct mp_parts p = { 0 };
    CU_ASSERT_EQUAL(multipart_parse(body, sizeof body - 1, "abc", 3, &p), 0);
    CU_ASSERT_EQUAL_FATAL(p.n, 2);
    CU_ASSERT(p.v[0].name_len == 1 && p.v[0].name[0] == 't' && !p.v[0].filename);
    CU_ASSERT(p.v[0].data_len == 5 && memcmp(p.v[0].data, "hello", 5) == 0);
    CU_ASSERT(p.v[1].filename && p.v[1].filename_len == 5 && p.v[1].type_len == 9);
    CU_ASSERT(p.v[1].data_len == 2 && p.v[1].data[0] == 1);
    /* a body without the leading boundary: the first part starts at CRLF--abc */
    static const char b2[] = "preamble\r\n--abc\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--abc--";
    CU_ASSERT_EQUAL(multipart_parse(b2, sizeof b2 - 1, "abc", 3, &p), 0);
    CU_ASSERT(p.n == 1 && p.v[0].data_len == 1);
    multipart_free(&p);
}

/* ---- loading ---- */

static void
test_load_errors(void)
{
    struct etd_config cfg;
    char err[1024];
    base_cfg(&cfg, "bad.qmz");
    write_file("bad.qmz", "அச்சு 1;\nஅச்சு 2\n");
    CU_ASSERT_PTR_NULL(app_load(&cfg, err, sizeof err));
    CU_ASSERT(strstr(err, "bad.qmz:2:") != NULL);
    write_file("bad.qmz", "p = \"/x\";\nவழி பெறு, p { பதில் 200, 1; }\n");
    CU_ASSERT_PTR_NULL(app_load(&cfg, err, sizeof err));
    CU_ASSERT(strstr(err, "bad.qmz:2:1: வழி needs a literal path") != NULL);
    base_cfg(&cfg, "missing.qmz");
    CU_ASSERT_PTR_NULL(app_load(&cfg, err, sizeof err));
    CU_ASSERT(strstr(err, "missing.qmz") != NULL);
}

/* ---- requests through router + handler ---- */

struct fixture {
    struct etd_config cfg;
    void *app;
    struct etd_router *router;
    struct etd_worker_args args;
    void *td;
};

static int
fixture_init(struct fixture *f, const char *src)
{
    write_file("app.qmz", src);
    base_cfg(&f->cfg, "app.qmz");
    char err[1024];
    f->app = app_load(&f->cfg, err, sizeof err);
    if (!f->app) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    f->router = router_create(&f->cfg, NULL);
    app_register_routes(f->router, f->app);
    memset(&f->args, 0, sizeof f->args);
    f->args.cfg = &f->cfg;
    f->args.app = f->app;
    f->td = app_thread_init(&f->args, 0);
    return 0;
}

static void
fixture_fini(struct fixture *f)
{
    app_thread_fini(&f->args, f->td);
    router_free(f->router);
    app_free(f->app);
}

/* Run METHOD TARGET with BODY; returns the job (caller frees). */
static struct etd_job *
run(struct fixture *f, const char *method, const char *target, const char *body)
{
    struct etd_job *j = etd_job_new();
    j->req.method = method;
    j->req.target = target;
    j->req.target_len = strlen(target);
    const char *q = strchr(target, '?');
    j->req.path = target;
    j->req.path_len = q ? (size_t)(q - target) : strlen(target);
    j->req.query = q ? q + 1 : "";
    j->req.query_len = strlen(j->req.query);
    j->req.body = body ? body : "";
    j->req.body_len = strlen(j->req.body);
    j->cfg = &f->cfg;
    j->app = f->app;
    j->thread_data = f->td;
    router_route(f->router, j);
    j->handler(j);
    return j;
}

static int
body_is(struct etd_job *j, const char *want)
{
    const char *b = j->resp.body_ref ? j->resp.body_ref : j->resp.body.data;
    size_t n = j->resp.body_ref ? j->resp.body_ref_len : j->resp.body.len;
    return n == strlen(want) && memcmp(b, want, n) == 0;
}

static void
test_requests(void)
{
    struct fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, "செயல் f(x) { திரும்பு x * 2; }\n"
                                      "வீதம் = 18%;\n"
                                      "வழி பெறு, \"/a/:id\" { பதில் 201, param_id & query_params.x & request_method; }\n"
                                      "வழி பதி, \"/b\" { பதில் 200, f(request_body) * வீதம், {\"X-A\": 1}; }\n"
                                      "வழி பெறு, \"/c\" { }\n"
                                      "வழி பெறு, \"/d\" { y = {}; பதில் 200, y.z; }\n"
                                      "வழி பெறு, \"/e\" { வீதம் = 5; பதில் 200, வீதம்; }\n") == 0);
    struct etd_job *j = run(&f, "GET", "/a/7?x=%E0%AE%85+", NULL);
    CU_ASSERT_EQUAL(j->resp.status, 201);
    CU_ASSERT(body_is(j, "7அ GET"));
    etd_job_free(j);
    j = run(&f, "POST", "/b", "10");
    CU_ASSERT(j->resp.status == 200 && body_is(j, "3.6"));
    etd_job_free(j);
    j = run(&f, "GET", "/c", NULL);
    CU_ASSERT(j->resp.status == 200 && body_is(j, "Handler executed successfully"));
    etd_job_free(j);
    j = run(&f, "GET", "/d", NULL);
    CU_ASSERT(j->resp.status == 500 && body_is(j, "{\"error\": \"Internal Server Error\"}"));
    etd_job_free(j);
    /* a global changed by one request is back to the prelude's value */
    j = run(&f, "GET", "/e", NULL);
    CU_ASSERT(body_is(j, "5"));
    etd_job_free(j);
    j = run(&f, "POST", "/b", "10");
    CU_ASSERT(body_is(j, "3.6"));
    etd_job_free(j);
    j = run(&f, "GET", "/nowhere", NULL);
    CU_ASSERT_EQUAL(j->resp.status, 404);
    etd_job_free(j);
    fixture_fini(&f);
}

static void
test_whole_program(void)
{
    struct fixture f;
    CU_ASSERT_FATAL(fixture_init(&f, "பதில் 202, request_method;\n") == 0);
    const char *m[] = { "GET", "POST", "PUT", "DELETE" };
    for (int i = 0; i < 4; i++) {
        struct etd_job *j = run(&f, m[i], "/", NULL);
        CU_ASSERT(j->resp.status == 202 && body_is(j, m[i]));
        etd_job_free(j);
    }
    struct etd_job *j = run(&f, "PATCH", "/", NULL);
    CU_ASSERT_EQUAL(j->resp.status, 404);
    etd_job_free(j);
    fixture_fini(&f);
}

int
main(void)
{
    if (!mkdtemp(dir))
        return 1;
    CU_initialize_registry();
    CU_pSuite s = CU_add_suite("app", NULL, NULL);
    CU_add_test(s, "query unescape", test_query_unescape);
    CU_add_test(s, "UTF-8 with replacement", test_utf8_lossy);
    CU_add_test(s, "multipart", test_multipart);
    CU_add_test(s, "load errors", test_load_errors);
    CU_add_test(s, "requests", test_requests);
    CU_add_test(s, "program without routes", test_whole_program);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", dir);
    return failed ? 1 : 0;
}
