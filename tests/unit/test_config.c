/*
 * test_config.c -- CUnit suite for config.c: every directive, its default,
 * units of sizes and durations, and every kind of error with FILE:LINE.
 */
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

static char dir[PATH_MAX];
static char path[PATH_MAX + 32];
static char err[1024];

static int suite_init(void)
{
    char tmpl[] = "/tmp/etd-test-config-XXXXXX";
    if (!mkdtemp(tmpl))
        return -1;
    if (!realpath(tmpl, dir))
        return -1;
    snprintf(path, sizeof path, "%s/etamild.conf", dir);
    return 0;
}

static int suite_clean(void)
{
    char sub[PATH_MAX + 16];
    unlink(path);
    snprintf(sub, sizeof sub, "%s/www", dir);
    rmdir(sub);
    rmdir(dir);
    return 0;
}

static struct etd_config *load_text(const char *text, int foreground)
{
    FILE *fp = fopen(path, "w");
    CU_ASSERT_FATAL(fp != NULL);
    fputs(text, fp);
    fclose(fp);
    return config_load(path, foreground, err, sizeof err);
}

/* The configuration must fail with "FILE:LINE: ..." containing what. */
static void expect_error(const char *text, int line, const char *what)
{
    struct etd_config *cfg = load_text(text, 1);
    CU_ASSERT_PTR_NULL(cfg);
    config_free(cfg);
    char prefix[PATH_MAX + 64];
    if (line > 0)
        snprintf(prefix, sizeof prefix, "%s:%d: ", path, line);
    else
        snprintf(prefix, sizeof prefix, "%s: ", path);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, what)) {
        fprintf(stderr, "\n  config: %s  got: %s\n  want: %s...%s\n", text, err, prefix, what);
        CU_FAIL("wrong error message");
    }
}

static void test_defaults(void)
{
    struct etd_config *cfg = load_text("app main.qmz\n", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(cfg->nlisten, 1);
    CU_ASSERT_STRING_EQUAL(cfg->listen[0].text, "127.0.0.1:8080");
    const struct sockaddr_in *sin = (const struct sockaddr_in *)&cfg->listen[0].ss;
    CU_ASSERT_EQUAL(sin->sin_family, AF_INET);
    CU_ASSERT_EQUAL(ntohs(sin->sin_port), 8080);
    CU_ASSERT_EQUAL(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
    CU_ASSERT_EQUAL(cfg->backlog, 1024);
    CU_ASSERT_EQUAL(cfg->workers, (int)sysconf(_SC_NPROCESSORS_ONLN));
    CU_ASSERT_EQUAL(cfg->threads, 4);
    char want[PATH_MAX + 32];
    snprintf(want, sizeof want, "%s/main.qmz", dir);
    CU_ASSERT_STRING_EQUAL(cfg->app, want);
    CU_ASSERT_STRING_EQUAL(cfg->chdir, dir);
    CU_ASSERT_PTR_NULL(cfg->module_path);
    CU_ASSERT_PTR_NULL(cfg->user);
    CU_ASSERT_PTR_NULL(cfg->group);
    CU_ASSERT_EQUAL(cfg->daemonize, 0);         /* foreground */
    CU_ASSERT_PTR_NULL(cfg->pid_file);
    CU_ASSERT_STRING_EQUAL(cfg->error_log, "stderr");
    CU_ASSERT_EQUAL(cfg->log_level, ETD_LOG_INFO);
    CU_ASSERT_PTR_NULL(cfg->access_log);
    CU_ASSERT_EQUAL(cfg->max_connections, 10000);
    CU_ASSERT_DOUBLE_EQUAL(cfg->keepalive_timeout, 75, 1e-9);
    CU_ASSERT_EQUAL(cfg->keepalive_requests, 10000);
    CU_ASSERT_DOUBLE_EQUAL(cfg->header_timeout, 10, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cfg->body_timeout, 30, 1e-9);
    CU_ASSERT_EQUAL(cfg->max_header_size, 16 * 1024);
    CU_ASSERT_EQUAL(cfg->max_body_size, 1024 * 1024);
    CU_ASSERT_DOUBLE_EQUAL(cfg->handler_timeout, 30, 1e-9);
    CU_ASSERT_EQUAL(cfg->heap_limit, 64 * 1024 * 1024);
    CU_ASSERT_DOUBLE_EQUAL(cfg->graceful_timeout, 30, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cfg->worker_timeout, 60, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cfg->start_timeout, 10, 1e-9);
    CU_ASSERT_STRING_EQUAL(cfg->redis, "127.0.0.1:6379");
    CU_ASSERT_DOUBLE_EQUAL(cfg->redis_timeout, 2, 1e-9);
    CU_ASSERT_EQUAL(cfg->max_parked, 256);
    CU_ASSERT_DOUBLE_EQUAL(cfg->schedule_timeout, 30, 1e-9);
    CU_ASSERT_PTR_NULL(cfg->redis_user);
    CU_ASSERT_PTR_NULL(cfg->redis_password);
    CU_ASSERT_STRING_EQUAL(cfg->health_path, "/health");
    CU_ASSERT_PTR_NULL(cfg->status_path);
    CU_ASSERT_EQUAL(cfg->nstatus_allow, 2);
    CU_ASSERT_EQUAL(cfg->expose_errors, 0);
    CU_ASSERT_PTR_NULL(cfg->cors_origin);
    CU_ASSERT_EQUAL(cfg->nenv, 0);
    config_free(cfg);

    /* Not in the foreground: daemonize, a pid file and a log file. */
    cfg = load_text("app /srv/app/main.qmz\n", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(cfg->daemonize, 1);
    CU_ASSERT_STRING_EQUAL(cfg->pid_file, "/run/etamild.pid");
    CU_ASSERT_STRING_EQUAL(cfg->error_log, "/var/log/etamild.log");
    CU_ASSERT_STRING_EQUAL(cfg->app, "/srv/app/main.qmz");
    CU_ASSERT_STRING_EQUAL(cfg->chdir, "/srv/app");
    config_free(cfg);
}

static void test_every_directive(void)
{
    char sub[PATH_MAX + 16];
    snprintf(sub, sizeof sub, "%s/www", dir);
    mkdir(sub, 0755);
    struct etd_config *cfg = load_text(
        "# a comment line\n"
        "\n"
        "listen 127.0.0.1:9001   # trailing comment\n"
        "listen [::1]:9002\n"
        "listen *:9003\n"
        "backlog 511\n"
        "workers 3\n"
        "threads 8\n"
        "app apps/main.qmz\n"
        "module_path lib:/usr/share/etamil\n"
        "chdir www\n"
        "user root\n"
        "group root\n"
        "daemonize no\n"
        "pid_file run/etamild.pid\n"
        "error_log logs/error.log\n"
        "log_level debug\n"
        "access_log /var/log/access.log\n"
        "max_connections 500\n"
        "keepalive_timeout 5s\n"
        "keepalive_requests 100\n"
        "header_timeout 1500ms\n"
        "body_timeout 2m\n"
        "max_header_size 8k\n"
        "max_body_size 2m\n"
        "handler_timeout 1h\n"
        "heap_limit 1g\n"
        "graceful_timeout 0\n"
        "worker_timeout 1m30s\n"
        "start_timeout 7\n"
        "redis unix:/run/redis.sock\n"
        "redis_timeout 250ms\n"
        "redis_user alice\n"
        "max_parked 0\n"
        "schedule_timeout 0\n"
        "redis_password \"p w#1\"\n"
        "health_path /healthz\n"
        "status_path /status\n"
        "status_allow 10.0.0.0/8\n"
        "status_allow fe80::/10\n"
        "status_allow 192.168.1.7\n"
        "expose_errors yes\n"
        "cors_origin https://example.com\n"
        "env GREETING \"வணக்கம் world\"\n"
        "env EMPTY\n"
        "env GREETING hello\n", 1);
    if (!cfg)
        fprintf(stderr, "\n  %s\n", err);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    char want[PATH_MAX + 64];
    CU_ASSERT_EQUAL(cfg->nlisten, 3);
    CU_ASSERT_STRING_EQUAL(cfg->listen[1].text, "[::1]:9002");
    CU_ASSERT_EQUAL(cfg->listen[1].ss.ss_family, AF_INET6);
    CU_ASSERT_EQUAL(ntohs(((struct sockaddr_in6 *)&cfg->listen[1].ss)->sin6_port), 9002);
    CU_ASSERT_EQUAL(((struct sockaddr_in *)&cfg->listen[2].ss)->sin_addr.s_addr, htonl(INADDR_ANY));
    CU_ASSERT_EQUAL(cfg->backlog, 511);
    CU_ASSERT_EQUAL(cfg->workers, 3);
    CU_ASSERT_EQUAL(cfg->threads, 8);
    snprintf(want, sizeof want, "%s/apps/main.qmz", dir);
    CU_ASSERT_STRING_EQUAL(cfg->app, want);
    snprintf(want, sizeof want, "%s/lib:/usr/share/etamil", dir);
    CU_ASSERT_STRING_EQUAL(cfg->module_path, want);
    CU_ASSERT_STRING_EQUAL(cfg->chdir, sub);
    CU_ASSERT_STRING_EQUAL(cfg->user, "root");
    CU_ASSERT_STRING_EQUAL(cfg->group, "root");
    CU_ASSERT_EQUAL(cfg->daemonize, 0);
    snprintf(want, sizeof want, "%s/run/etamild.pid", dir);
    CU_ASSERT_STRING_EQUAL(cfg->pid_file, want);
    snprintf(want, sizeof want, "%s/logs/error.log", dir);
    CU_ASSERT_STRING_EQUAL(cfg->error_log, want);
    CU_ASSERT_EQUAL(cfg->log_level, ETD_LOG_DEBUG);
    CU_ASSERT_STRING_EQUAL(cfg->access_log, "/var/log/access.log");
    CU_ASSERT_EQUAL(cfg->max_connections, 500);
    CU_ASSERT_DOUBLE_EQUAL(cfg->keepalive_timeout, 5, 1e-9);
    CU_ASSERT_EQUAL(cfg->keepalive_requests, 100);
    CU_ASSERT_DOUBLE_EQUAL(cfg->header_timeout, 1.5, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cfg->body_timeout, 120, 1e-9);
    CU_ASSERT_EQUAL(cfg->max_header_size, 8192);
    CU_ASSERT_EQUAL(cfg->max_body_size, 2 * 1024 * 1024);
    CU_ASSERT_DOUBLE_EQUAL(cfg->handler_timeout, 3600, 1e-9);
    CU_ASSERT_EQUAL(cfg->heap_limit, (size_t)1024 * 1024 * 1024);
    CU_ASSERT_DOUBLE_EQUAL(cfg->graceful_timeout, 0, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cfg->worker_timeout, 90, 1e-9);
    CU_ASSERT_DOUBLE_EQUAL(cfg->start_timeout, 7, 1e-9);
    CU_ASSERT_STRING_EQUAL(cfg->redis, "unix:/run/redis.sock");
    CU_ASSERT_DOUBLE_EQUAL(cfg->redis_timeout, 0.25, 1e-9);
    CU_ASSERT_STRING_EQUAL(cfg->redis_user, "alice");
    CU_ASSERT_EQUAL(cfg->max_parked, 0);
    CU_ASSERT_DOUBLE_EQUAL(cfg->schedule_timeout, 0, 1e-9);
    CU_ASSERT_STRING_EQUAL(cfg->redis_password, "p w#1");
    CU_ASSERT_STRING_EQUAL(cfg->health_path, "/healthz");
    CU_ASSERT_STRING_EQUAL(cfg->status_path, "/status");
    CU_ASSERT_EQUAL_FATAL(cfg->nstatus_allow, 3);
    CU_ASSERT_EQUAL(cfg->status_allow[0].family, AF_INET);
    CU_ASSERT_EQUAL(cfg->status_allow[0].prefix, 8);
    CU_ASSERT_EQUAL(cfg->status_allow[1].family, AF_INET6);
    CU_ASSERT_EQUAL(cfg->status_allow[1].prefix, 10);
    CU_ASSERT_EQUAL(cfg->status_allow[2].prefix, 32);
    CU_ASSERT_EQUAL(cfg->expose_errors, 1);
    CU_ASSERT_STRING_EQUAL(cfg->cors_origin, "https://example.com");
    CU_ASSERT_EQUAL_FATAL(cfg->nenv, 2);
    CU_ASSERT_STRING_EQUAL(cfg->env[0].name, "GREETING");
    CU_ASSERT_STRING_EQUAL(cfg->env[0].value, "hello");    /* the last one wins */
    CU_ASSERT_STRING_EQUAL(cfg->env[1].name, "EMPTY");
    CU_ASSERT_STRING_EQUAL(cfg->env[1].value, "");
    config_free(cfg);

    /* Switches back off, "auto", and stderr. */
    cfg = load_text("app a.qmz\nworkers auto\nhealth_path off\nstatus_path off\n"
                    "access_log off\npid_file off\nerror_log stderr\ncors_origin off\n"
                    "expose_errors no\nredis [::1]:6380\nstatus_allow all\n", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_EQUAL(cfg->workers, (int)sysconf(_SC_NPROCESSORS_ONLN));
    CU_ASSERT_PTR_NULL(cfg->health_path);
    CU_ASSERT_PTR_NULL(cfg->status_path);
    CU_ASSERT_PTR_NULL(cfg->access_log);
    CU_ASSERT_PTR_NULL(cfg->pid_file);
    CU_ASSERT_STRING_EQUAL(cfg->error_log, "stderr");
    CU_ASSERT_PTR_NULL(cfg->cors_origin);
    CU_ASSERT_STRING_EQUAL(cfg->redis, "[::1]:6380");
    CU_ASSERT_EQUAL(cfg->nstatus_allow, 2);
    CU_ASSERT_EQUAL(cfg->status_allow[0].prefix, 0);
    CU_ASSERT_EQUAL(cfg->daemonize, 1);
    config_free(cfg);
}

static void test_sizes(void)
{
    size_t s;
    CU_ASSERT_EQUAL(config_parse_size("0", &s), 0); CU_ASSERT_EQUAL(s, 0);
    CU_ASSERT_EQUAL(config_parse_size("512", &s), 0); CU_ASSERT_EQUAL(s, 512);
    CU_ASSERT_EQUAL(config_parse_size("16k", &s), 0); CU_ASSERT_EQUAL(s, 16384);
    CU_ASSERT_EQUAL(config_parse_size("16K", &s), 0); CU_ASSERT_EQUAL(s, 16384);
    CU_ASSERT_EQUAL(config_parse_size("3m", &s), 0); CU_ASSERT_EQUAL(s, 3 * 1048576);
    CU_ASSERT_EQUAL(config_parse_size("2g", &s), 0); CU_ASSERT_EQUAL(s, (size_t)2 << 30);
    CU_ASSERT_EQUAL(config_parse_size("", &s), -1);
    CU_ASSERT_EQUAL(config_parse_size("k", &s), -1);
    CU_ASSERT_EQUAL(config_parse_size("-1", &s), -1);
    CU_ASSERT_EQUAL(config_parse_size("1.5k", &s), -1);
    CU_ASSERT_EQUAL(config_parse_size("10kb", &s), -1);
    CU_ASSERT_EQUAL(config_parse_size("10t", &s), -1);
    CU_ASSERT_EQUAL(config_parse_size("99999999999999999999", &s), -1);
    CU_ASSERT_EQUAL(config_parse_size("99999999999999g", &s), -1);
}

static void test_durations(void)
{
    double d;
    CU_ASSERT_EQUAL(config_parse_duration("30", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 30, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("0", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 0, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("0.5", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 0.5, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("250ms", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 0.25, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("75s", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 75, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("5m", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 300, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("2h", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 7200, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("1m30s", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 90, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("1.5s", &d), 0); CU_ASSERT_DOUBLE_EQUAL(d, 1.5, 1e-9);
    CU_ASSERT_EQUAL(config_parse_duration("", &d), -1);
    CU_ASSERT_EQUAL(config_parse_duration("s", &d), -1);
    CU_ASSERT_EQUAL(config_parse_duration("-1s", &d), -1);
    CU_ASSERT_EQUAL(config_parse_duration("10x", &d), -1);
    CU_ASSERT_EQUAL(config_parse_duration("1e3", &d), -1);
    CU_ASSERT_EQUAL(config_parse_duration("1m30", &d), -1);
    CU_ASSERT_EQUAL(config_parse_duration("0x10", &d), -1);
    CU_ASSERT_EQUAL(config_parse_duration("10 s", &d), -1);
}

static void test_addresses(void)
{
    struct etd_listen_addr a;
    CU_ASSERT_EQUAL(config_parse_listen("127.0.0.1:80", &a), 0);
    CU_ASSERT_EQUAL(config_parse_listen("[::]:443", &a), 0);
    CU_ASSERT_EQUAL(a.ss.ss_family, AF_INET6);
    CU_ASSERT_EQUAL(config_parse_listen("8080", &a), 0);
    CU_ASSERT_EQUAL(config_parse_listen("localhost:8080", &a), 0);
    CU_ASSERT_EQUAL(config_parse_listen("127.0.0.1:0", &a), -1);
    CU_ASSERT_EQUAL(config_parse_listen("127.0.0.1:65536", &a), -1);
    CU_ASSERT_EQUAL(config_parse_listen("127.0.0.1:", &a), -1);
    CU_ASSERT_EQUAL(config_parse_listen("::1:8080", &a), -1);
    CU_ASSERT_EQUAL(config_parse_listen("[::1]8080", &a), -1);
    CU_ASSERT_EQUAL(config_parse_listen("300.0.0.1:80", &a), -1);
    CU_ASSERT_EQUAL(config_parse_listen("example.com:80", &a), -1);

    struct etd_cidr c;
    struct sockaddr_in sin = { .sin_family = AF_INET };
    struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
    CU_ASSERT_EQUAL(config_parse_cidr("10.1.0.0/16", &c), 0);
    inet_pton(AF_INET, "10.1.200.3", &sin.sin_addr);
    CU_ASSERT_TRUE(config_cidr_match(&c, (struct sockaddr *)&sin));
    inet_pton(AF_INET, "10.2.0.1", &sin.sin_addr);
    CU_ASSERT_FALSE(config_cidr_match(&c, (struct sockaddr *)&sin));
    inet_pton(AF_INET6, "::ffff:10.1.2.3", &sin6.sin6_addr);
    CU_ASSERT_TRUE(config_cidr_match(&c, (struct sockaddr *)&sin6));
    CU_ASSERT_EQUAL(config_parse_cidr("::1/128", &c), 0);
    inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
    CU_ASSERT_TRUE(config_cidr_match(&c, (struct sockaddr *)&sin6));
    CU_ASSERT_FALSE(config_cidr_match(&c, (struct sockaddr *)&sin));
    CU_ASSERT_EQUAL(config_parse_cidr("10.0.0.0/33", &c), -1);
    CU_ASSERT_EQUAL(config_parse_cidr("10.0.0.0/", &c), -1);
    CU_ASSERT_EQUAL(config_parse_cidr("nonsense", &c), -1);
}

/* schedule_timeout follows handler_timeout unless given. */
static void test_schedule_timeout(void)
{
    struct etd_config *cfg = load_text("app a.qmz\nhandler_timeout 5s\n", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_DOUBLE_EQUAL(cfg->schedule_timeout, 5, 1e-9);
    config_free(cfg);
    cfg = load_text("app a.qmz\nschedule_timeout 2m\nhandler_timeout 5s\n", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_DOUBLE_EQUAL(cfg->schedule_timeout, 120, 1e-9);
    config_free(cfg);
}

/* redis_password_file: the first line, read at load. */
static void test_password_file(void)
{
    char pw[PATH_MAX + 16], text[2 * PATH_MAX];
    snprintf(pw, sizeof pw, "%s/redis.pw", dir);
    FILE *fp = fopen(pw, "w");
    CU_ASSERT_FATAL(fp != NULL);
    fputs("s3cret pass\r\nsecond line\n", fp);
    fclose(fp);
    snprintf(text, sizeof text, "app a.qmz\nredis_password_file redis.pw\n");
    struct etd_config *cfg = load_text(text, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
    CU_ASSERT_STRING_EQUAL(cfg->redis_password, "s3cret pass");
    config_free(cfg);
    fp = fopen(pw, "w");
    CU_ASSERT_FATAL(fp != NULL);
    fputs("\nlater\n", fp);
    fclose(fp);
    expect_error(text, 2, "the first line is empty");
    unlink(pw);
}

static void test_errors(void)
{
    expect_error("app a.qmz\nfrobnicate 1\n", 2, "unknown directive \"frobnicate\"");
    expect_error("app a.qmz\nworkers\n", 2, "workers: missing value");
    expect_error("app a.qmz\nworkers 2 3\n", 2, "too many values");
    expect_error("app a.qmz\nworkers 0\n", 2, "out of range");
    expect_error("app a.qmz\nworkers lots\n", 2, "expected a number");
    expect_error("app a.qmz\nworkers 2\n\nworkers 3\n", 4, "duplicate directive (first given on line 2)");
    expect_error("\n\napp a.qmz\napp b.qmz\n", 4, "app: duplicate");
    expect_error("app a.qmz\nthreads -1\n", 2, "expected a number");
    expect_error("app a.qmz\nbacklog 0\n", 2, "out of range");
    expect_error("app a.qmz\nlisten 1.2.3.4\n", 2, "listen: invalid address");
    expect_error("app a.qmz\nlisten 1.2.3.4:99999\n", 2, "listen: invalid address");
    expect_error("app a.qmz\nlisten 127.0.0.1:80\nlisten 127.0.0.1:80\n", 3, "duplicate address");
    expect_error("app a.qmz\nkeepalive_timeout 5x\n", 2, "invalid duration \"5x\"");
    expect_error("app a.qmz\nheader_timeout 0\n", 2, "greater than zero");
    expect_error("app a.qmz\nmax_body_size 1q\n", 2, "invalid size \"1q\"");
    expect_error("app a.qmz\nmax_header_size 10\n", 2, "at least");
    expect_error("app a.qmz\ndaemonize maybe\n", 2, "expected yes or no");
    expect_error("app a.qmz\nexpose_errors 1\n", 2, "expected yes or no");
    expect_error("app a.qmz\nlog_level loud\n", 2, "log_level: expected debug");
    expect_error("app a.qmz\nuser no-such-user-etamild\n", 2, "unknown user");
    expect_error("app a.qmz\ngroup no-such-group-etamild\n", 2, "unknown group");
    expect_error("app a.qmz\nchdir /no/such/dir\n", 2, "chdir");
    expect_error("app a.qmz\nredis localhost\n", 2, "expected HOST:PORT");
    expect_error("app a.qmz\nredis unix:\n", 2, "needs a socket path");
    expect_error("app a.qmz\nredis_user \"\"\n", 2, "redis_user: empty name");
    expect_error("app a.qmz\nmax_parked -1\n", 2, "max_parked");
    expect_error("app a.qmz\nredis_password \"\"\n", 2, "redis_password: empty password");
    expect_error("app a.qmz\nredis_password_file /no/such/pw\n", 2,
                 "redis_password_file: cannot open /no/such/pw");
    expect_error("app a.qmz\nredis_password a\nredis_password_file /etc/hostname\n", 3,
                 "redis_password gives the password already");
    expect_error("app a.qmz\nhealth_path health\n", 2, "must be a path");
    expect_error("app a.qmz\nstatus_path /a?b\n", 2, "invalid character");
    expect_error("app a.qmz\nstatus_allow 10.0.0.0/40\n", 2, "status_allow: invalid");
    expect_error("app a.qmz\nenv 1BAD x\n", 2, "invalid variable name");
    expect_error("app a.qmz\nenv A \"unterminated\n", 2, "unterminated quoted string");
    expect_error("app a.qmz\nenv A \"x\"y\n", 2, "after closing quote");
    expect_error("workers 2\n", 0, "missing required directive \"app\"");
    expect_error("app a.qmz\nhealth_path /x\nstatus_path /x\n", 0, "same path");

    struct etd_config *cfg = config_load("/no/such/etamild.conf", 1, err, sizeof err);
    CU_ASSERT_PTR_NULL(cfg);
    CU_ASSERT_STRING_EQUAL(err, "/no/such/etamild.conf: cannot open: No such file or directory");
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("config", suite_init, suite_clean);
    CU_add_test(s, "defaults", test_defaults);
    CU_add_test(s, "every directive", test_every_directive);
    CU_add_test(s, "sizes", test_sizes);
    CU_add_test(s, "durations", test_durations);
    CU_add_test(s, "addresses and CIDRs", test_addresses);
    CU_add_test(s, "errors with FILE:LINE", test_errors);
    CU_add_test(s, "redis_password_file", test_password_file);
    CU_add_test(s, "schedule_timeout", test_schedule_timeout);
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
