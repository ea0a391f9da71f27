/*
 * test_metrics.c -- CUnit suite for metrics.c: counters of live and retired
 * worker entries, the histogram, the Prometheus text format, and the
 * NULL-safe worker API.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static char buf[16384];

/* The value of the sample line starting with name (exact, up to the space). */
static double sample(const char *name)
{
    size_t n = strlen(name);
    for (const char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            return atof(p + n + 1);
    return -1;
}

static void test_counts_and_retire(void)
{
    struct etd_metrics *m = metrics_create(4);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    metrics_set_generation(m, 3);
    metrics_set_workers(m, 2);
    int a = metrics_proc_alloc(m, 0, 3), b = metrics_proc_alloc(m, 1, 3);
    CU_ASSERT(a >= 0 && b >= 0 && a != b);
    struct etd_proc_metrics *pa = metrics_proc(m, a), *pb = metrics_proc(m, b);
    metrics_request(pa, 200, 0.001);
    metrics_request(pa, 404, 0.2);
    metrics_request(pb, 503, 30);
    metrics_request(pb, 204, 0.004);
    metrics_conn_open(pa);
    metrics_conn_open(pa);
    metrics_conn_open(pb);
    metrics_conn_close(pa);
    metrics_handler_error(pb);
    metrics_handler_timeout(pb);
    metrics_redis(pa, 5, 1, 2);
    metrics_reload_done(m, 1);
    metrics_reload_done(m, 0);
    metrics_worker_respawned(m);

    size_t len = metrics_render(m, buf, sizeof buf);
    CU_ASSERT(len > 0 && len < sizeof buf);
    CU_ASSERT_EQUAL(strlen(buf), len);
    CU_ASSERT_EQUAL(sample("etamild_http_requests_total{code=\"2xx\"}"), 2);
    CU_ASSERT_EQUAL(sample("etamild_http_requests_total{code=\"4xx\"}"), 1);
    CU_ASSERT_EQUAL(sample("etamild_http_requests_total{code=\"5xx\"}"), 1);
    CU_ASSERT_EQUAL(sample("etamild_http_requests_total{code=\"1xx\"}"), 0);
    CU_ASSERT_EQUAL(sample("etamild_http_connections_active"), 2);
    CU_ASSERT_EQUAL(sample("etamild_workers"), 2);
    CU_ASSERT_EQUAL(sample("etamild_worker_processes"), 2);
    CU_ASSERT_EQUAL(sample("etamild_generation"), 3);
    CU_ASSERT_EQUAL(sample("etamild_reloads_total{result=\"ok\"}"), 1);
    CU_ASSERT_EQUAL(sample("etamild_reloads_total{result=\"failed\"}"), 1);
    CU_ASSERT_EQUAL(sample("etamild_worker_respawns_total"), 1);
    CU_ASSERT_EQUAL(sample("etamild_handler_errors_total"), 1);
    CU_ASSERT_EQUAL(sample("etamild_handler_timeouts_total"), 1);
    CU_ASSERT_EQUAL(sample("etamild_redis_commands_total"), 5);
    CU_ASSERT_EQUAL(sample("etamild_redis_errors_total"), 1);
    CU_ASSERT_EQUAL(sample("etamild_redis_reconnects_total"), 2);
    CU_ASSERT_EQUAL(sample("etamild_http_request_duration_seconds_bucket{le=\"0.005\"}"), 2);
    CU_ASSERT_EQUAL(sample("etamild_http_request_duration_seconds_bucket{le=\"0.25\"}"), 3);
    CU_ASSERT_EQUAL(sample("etamild_http_request_duration_seconds_bucket{le=\"10\"}"), 3);
    CU_ASSERT_EQUAL(sample("etamild_http_request_duration_seconds_bucket{le=\"+Inf\"}"), 4);
    CU_ASSERT_EQUAL(sample("etamild_http_request_duration_seconds_count"), 4);
    CU_ASSERT_DOUBLE_EQUAL(sample("etamild_http_request_duration_seconds_sum"), 30.205, 1e-6);

    /* A retired worker's counters stay; its connections do not. */
    metrics_proc_retire(m, a);
    metrics_render(m, buf, sizeof buf);
    CU_ASSERT_EQUAL(sample("etamild_http_requests_total{code=\"2xx\"}"), 2);
    CU_ASSERT_EQUAL(sample("etamild_redis_commands_total"), 5);
    CU_ASSERT_EQUAL(sample("etamild_http_connections_active"), 1);
    CU_ASSERT_EQUAL(sample("etamild_worker_processes"), 1);
    /* Its entry is reused, zeroed. */
    int c = metrics_proc_alloc(m, 0, 4);
    CU_ASSERT_EQUAL(c, a);
    metrics_request(metrics_proc(m, c), 201, 0);
    metrics_render(m, buf, sizeof buf);
    CU_ASSERT_EQUAL(sample("etamild_http_requests_total{code=\"2xx\"}"), 3);
    CU_ASSERT(metrics_heartbeat_age(m, c, 0) < 1.0);

    /* Full table, NULL entries. */
    CU_ASSERT(metrics_proc_alloc(m, 2, 4) >= 0);
    CU_ASSERT(metrics_proc_alloc(m, 3, 4) >= 0);
    CU_ASSERT_EQUAL(metrics_proc_alloc(m, 4, 4), -1);
    CU_ASSERT_PTR_NULL(metrics_proc(m, -1));
    metrics_request(NULL, 200, 1);
    metrics_conn_open(NULL);
    metrics_heartbeat(NULL, 0);
    metrics_redis(NULL, 1, 1, 1);
    metrics_destroy(m);
}

static void test_format(void)
{
    struct etd_metrics *m = metrics_create(2);
    metrics_render(m, buf, sizeof buf);
    /* Every sample's family was announced by HELP and TYPE first; every
     * line is a comment or "name[{labels}] value". */
    char announced[64][96];
    int nann = 0;
    char *save = NULL, *copy = strdup(buf);
    for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char name[96];
        if (strncmp(l, "# HELP ", 7) == 0)
            continue;
        if (sscanf(l, "# TYPE %95s", name) == 1) {
            CU_ASSERT(strstr(l, " counter") || strstr(l, " gauge") || strstr(l, " histogram"));
            if (nann < 64)
                strcpy(announced[nann++], name);
            continue;
        }
        CU_ASSERT_EQUAL(sscanf(l, "%95[a-z_]", name), 1);
        int known = 0;
        for (int i = 0; i < nann; i++) {
            size_t n = strlen(announced[i]);
            known |= strncmp(name, announced[i], n) == 0 &&
                     (name[n] == '\0' || !strcmp(name + n, "_bucket") ||
                      !strcmp(name + n, "_sum") || !strcmp(name + n, "_count"));
        }
        if (!known)
            fprintf(stderr, "\n  unannounced sample: %s\n", l);
        CU_ASSERT(known);
        CU_ASSERT_PTR_NOT_NULL(strchr(l, ' '));
    }
    free(copy);
    CU_ASSERT_EQUAL(buf[strlen(buf) - 1], '\n');

    /* Too small a buffer: the size needed comes back, the text is cut safely. */
    char small[32];
    size_t need = metrics_render(m, small, sizeof small);
    CU_ASSERT_EQUAL(need, strlen(buf));
    CU_ASSERT(strlen(small) < sizeof small);
    metrics_destroy(m);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("metrics", NULL, NULL);
    CU_add_test(s, "counters, retire, reuse", test_counts_and_retire);
    CU_add_test(s, "Prometheus text format", test_format);
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
