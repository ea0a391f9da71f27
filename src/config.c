/*
 * config.c -- parsing and validation of etamild.conf.
 *
 * One directive per line, `name value...`; `#` (at the start of a word)
 * starts a comment; a value may be double-quoted ("a b", with \" and \\).
 * Every directive is one row of the table below: its name, how many values
 * it takes, whether it may repeat, and the function that stores it.  Errors
 * are reported as "FILE:LINE: message" and make config_load() return NULL.
 * Relative paths are resolved against the directory of the configuration
 * file, so a configuration means the same thing from any working directory.
 */
#include "autoconfig.h"

#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ARGS 8
#define MAX_LINE 8192

struct parse_ctx {
    struct etd_config *cfg;
    const char *file;               /* as shown in messages */
    char *dir;                      /* directory of the file (absolute) */
    int line;
    char *err;
    size_t errlen;
    int listen_seen, status_allow_seen;
};

typedef int (*directive_fn)(struct parse_ctx *ctx, int argc, char **argv);

struct directive {
    const char *name;
    int min_args, max_args;
    int repeatable;
    directive_fn fn;
};

static int fail(struct parse_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct parse_ctx *ctx, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (ctx->line > 0)
        snprintf(ctx->err, ctx->errlen, "%s:%d: %s", ctx->file, ctx->line, msg);
    else
        snprintf(ctx->err, ctx->errlen, "%s: %s", ctx->file, msg);
    return -1;
}

/* ---- value parsers (also used by the unit tests) ------------------------ */

int config_parse_size(const char *s, size_t *out)
{
    if (!s || !isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned long long mult = 1;
    switch (*end) {
    case '\0': break;
    case 'k': case 'K': mult = 1024ULL; end++; break;
    case 'm': case 'M': mult = 1024ULL * 1024; end++; break;
    case 'g': case 'G': mult = 1024ULL * 1024 * 1024; end++; break;
    default: return -1;
    }
    if (*end != '\0')
        return -1;
    if (v > (unsigned long long)SIZE_MAX / mult)
        return -1;
    *out = (size_t)(v * mult);
    return 0;
}

/* A duration: one or more NUMBER[UNIT] parts ("90", "1.5s", "1m30s",
 * "250ms"); a bare number means seconds. */
int config_parse_duration(const char *s, double *out)
{
    if (!s || !*s)
        return -1;
    double total = 0;
    const char *p = s;
    while (*p) {
        if (!isdigit((unsigned char)*p) && *p != '.')
            return -1;
        char *end;
        errno = 0;
        double v = strtod(p, &end);
        if (errno || end == p || !isfinite(v) || v < 0)
            return -1;
        /* strtod would accept exponents and hex; only plain decimals here. */
        for (const char *q = p; q < end; q++)
            if (!isdigit((unsigned char)*q) && *q != '.')
                return -1;
        p = end;
        double mult;
        if (strncmp(p, "ms", 2) == 0) { mult = 0.001; p += 2; }
        else if (*p == 's') { mult = 1; p++; }
        else if (*p == 'm') { mult = 60; p++; }
        else if (*p == 'h') { mult = 3600; p++; }
        else if (*p == 'd') { mult = 86400; p++; }
        else if (*p == '\0' && p == end && total == 0 && p != s) { mult = 1; }
        else return -1;
        total += v * mult;
    }
    if (total > 1e9)
        return -1;
    *out = total;
    return 0;
}

static int parse_port(const char *s, struct sockaddr_storage *ss, int family)
{
    if (!*s || strlen(s) > 5)
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    long port = strtol(s, NULL, 10);
    if (port < 1 || port > 65535)
        return -1;
    if (family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
    else
        ((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
    return 0;
}

int config_parse_listen(const char *s, struct etd_listen_addr *a)
{
    char host[64];
    const char *port;
    memset(a, 0, sizeof *a);
    if (strlen(s) >= sizeof a->text)
        return -1;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
            return -1;
        memcpy(host, s + 1, (size_t)(close - s - 1));
        host[close - s - 1] = '\0';
        port = close + 2;
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
        sin6->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
            return -1;
        if (parse_port(port, &a->ss, AF_INET6) < 0)
            return -1;
        a->len = sizeof *sin6;
    } else {
        const char *colon = strrchr(s, ':');
        struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
        sin->sin_family = AF_INET;
        if (!colon) {
            port = s;
            sin->sin_addr.s_addr = htonl(INADDR_ANY);
        } else {
            if ((size_t)(colon - s) >= sizeof host)
                return -1;
            memcpy(host, s, (size_t)(colon - s));
            host[colon - s] = '\0';
            port = colon + 1;
            if (strcmp(host, "*") == 0)
                sin->sin_addr.s_addr = htonl(INADDR_ANY);
            else if (strcmp(host, "localhost") == 0)
                sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
                return -1;
        }
        if (parse_port(port, &a->ss, AF_INET) < 0)
            return -1;
        a->len = sizeof *sin;
    }
    snprintf(a->text, sizeof a->text, "%s", s);
    return 0;
}

int config_parse_cidr(const char *s, struct etd_cidr *c)
{
    char host[64];
    const char *slash = strchr(s, '/');
    size_t hl = slash ? (size_t)(slash - s) : strlen(s);
    if (hl == 0 || hl >= sizeof host)
        return -1;
    memcpy(host, s, hl);
    host[hl] = '\0';
    memset(c, 0, sizeof *c);
    int max;
    if (inet_pton(AF_INET, host, c->addr) == 1) {
        c->family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, host, c->addr) == 1) {
        c->family = AF_INET6;
        max = 128;
    } else {
        return -1;
    }
    c->prefix = max;
    if (slash) {
        const char *p = slash + 1;
        if (!*p || strlen(p) > 3)
            return -1;
        for (const char *q = p; *q; q++)
            if (!isdigit((unsigned char)*q))
                return -1;
        c->prefix = atoi(p);
        if (c->prefix > max)
            return -1;
    }
    return 0;
}

static int prefix_match(const uint8_t *a, const uint8_t *b, int prefix)
{
    int full = prefix / 8, rest = prefix % 8;
    if (memcmp(a, b, (size_t)full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[full] & mask) == (b[full] & mask);
}

int config_cidr_match(const struct etd_cidr *c, const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const uint8_t *ip = (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr;
        if (c->family == AF_INET)
            return prefix_match(c->addr, ip, c->prefix);
        return 0;
    }
    if (sa->sa_family == AF_INET6) {
        const uint8_t *ip6 = (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (c->family == AF_INET6)
            return prefix_match(c->addr, ip6, c->prefix);
        /* An IPv4 client seen on an IPv6 socket (::ffff:a.b.c.d). */
        static const uint8_t v4mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };
        if (c->family == AF_INET && memcmp(ip6, v4mapped, 12) == 0)
            return prefix_match(c->addr, ip6 + 12, c->prefix);
    }
    return 0;
}

static const char *const level_names[] = { "debug", "info", "notice", "warn", "error" };

const char *config_level_name(enum etd_log_level level)
{
    if ((int)level < 0 || (int)level > ETD_LOG_ERROR)
        return "?";
    return level_names[level];
}

/* ---- helpers for the directive functions -------------------------------- */

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        perror("etamild: out of memory");
        abort();
    }
    return d;
}

/* PATH made absolute against the configuration file's directory. */
static char *resolve_path(struct parse_ctx *ctx, const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    size_t n = strlen(ctx->dir) + 1 + strlen(path) + 1;
    char *r = malloc(n);
    if (!r) {
        perror("etamild: out of memory");
        abort();
    }
    snprintf(r, n, "%s/%s", ctx->dir, path);
    return r;
}

static void set_str(char **slot, char *value)
{
    free(*slot);
    *slot = value;
}

static int is_off(const char *s)
{
    return strcmp(s, "off") == 0;
}

static int parse_bool(struct parse_ctx *ctx, const char *name, const char *v, int *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "on")) { *out = 1; return 0; }
    if (!strcmp(v, "no") || !strcmp(v, "off")) { *out = 0; return 0; }
    return fail(ctx, "%s: expected yes or no, got \"%s\"", name, v);
}

static int parse_int(struct parse_ctx *ctx, const char *name, const char *v,
                     long min, long max, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (!isdigit((unsigned char)v[0]) || *end || errno)
        return fail(ctx, "%s: expected a number, got \"%s\"", name, v);
    if (n < min || n > max)
        return fail(ctx, "%s: %ld is out of range (%ld..%ld)", name, n, min, max);
    *out = (int)n;
    return 0;
}

static int parse_dur(struct parse_ctx *ctx, const char *name, const char *v,
                     int allow_zero, double *out)
{
    double d;
    if (config_parse_duration(v, &d) < 0)
        return fail(ctx, "%s: invalid duration \"%s\" (use e.g. 500ms, 30s, 5m, 1h)", name, v);
    if (!allow_zero && d <= 0)
        return fail(ctx, "%s: must be greater than zero", name);
    *out = d;
    return 0;
}

static int parse_sz(struct parse_ctx *ctx, const char *name, const char *v,
                    size_t min, size_t *out)
{
    size_t s;
    if (config_parse_size(v, &s) < 0)
        return fail(ctx, "%s: invalid size \"%s\" (use e.g. 512, 16k, 1m, 1g)", name, v);
    if (s < min)
        return fail(ctx, "%s: must be at least %zu bytes", name, min);
    *out = s;
    return 0;
}

static int check_url_path(struct parse_ctx *ctx, const char *name, const char *v)
{
    if (v[0] != '/')
        return fail(ctx, "%s: must be a path starting with '/' or off, got \"%s\"", name, v);
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '?' || *p == '#' || *p == 0x7f)
            return fail(ctx, "%s: invalid character in path \"%s\"", name, v);
    return 0;
}

/* ---- directives ---------------------------------------------------------- */

#define CFG (ctx->cfg)

static int d_listen(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (!ctx->listen_seen) {            /* the first listen replaces the default */
        CFG->nlisten = 0;
        ctx->listen_seen = 1;
    }
    if (CFG->nlisten >= ETD_MAX_LISTEN)
        return fail(ctx, "listen: too many addresses (at most %d)", ETD_MAX_LISTEN);
    struct etd_listen_addr a;
    if (config_parse_listen(argv[1], &a) < 0)
        return fail(ctx, "listen: invalid address \"%s\" (expected ADDR:PORT or [IPv6]:PORT)", argv[1]);
    for (int i = 0; i < CFG->nlisten; i++)
        if (CFG->listen[i].len == a.len && memcmp(&CFG->listen[i].ss, &a.ss, a.len) == 0)
            return fail(ctx, "listen: duplicate address \"%s\"", argv[1]);
    CFG->listen[CFG->nlisten++] = a;
    return 0;
}

static int d_backlog(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_int(ctx, argv[0], argv[1], 1, 1 << 20, &CFG->backlog);
}

static int d_workers(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (strcmp(argv[1], "auto") == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        CFG->workers = n < 1 ? 1 : n > ETD_MAX_WORKERS ? ETD_MAX_WORKERS : (int)n;
        return 0;
    }
    return parse_int(ctx, argv[0], argv[1], 1, ETD_MAX_WORKERS, &CFG->workers);
}

static int d_threads(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_int(ctx, argv[0], argv[1], 1, 1024, &CFG->threads);
}

static int d_max_parked(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_int(ctx, argv[0], argv[1], 0, 100000, &CFG->max_parked);
}

static int d_app(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    set_str(&CFG->app, resolve_path(ctx, argv[1]));
    return 0;
}

static int d_module_path(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    /* Each relative DIR is resolved against the configuration's directory. */
    size_t cap = 1;
    char *out = xstrdup("");
    char *copy = xstrdup(argv[1]);
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        char *abs = resolve_path(ctx, dir);
        cap += strlen(abs) + 1;
        char *grown = realloc(out, cap);
        if (!grown) {
            perror("etamild: out of memory");
            abort();
        }
        out = grown;
        if (*out)
            strcat(out, ":");
        strcat(out, abs);
        free(abs);
    }
    free(copy);
    if (!*out) {
        free(out);
        return fail(ctx, "module_path: no directory given");
    }
    set_str(&CFG->module_path, out);
    return 0;
}

static int d_chdir(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    char *dir = resolve_path(ctx, argv[1]);
    struct stat st;
    const char *why = stat(dir, &st) < 0 ? strerror(errno)
                    : !S_ISDIR(st.st_mode) ? "not a directory" : NULL;
    if (why) {
        free(dir);
        return fail(ctx, "chdir: \"%s\": %s", argv[1], why);
    }
    set_str(&CFG->chdir, dir);
    return 0;
}

static int d_user(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (!getpwnam(argv[1]))
        return fail(ctx, "user: unknown user \"%s\"", argv[1]);
    set_str(&CFG->user, xstrdup(argv[1]));
    return 0;
}

static int d_group(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (!getgrnam(argv[1]))
        return fail(ctx, "group: unknown group \"%s\"", argv[1]);
    set_str(&CFG->group, xstrdup(argv[1]));
    return 0;
}

static int d_daemonize(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    int v;
    if (parse_bool(ctx, argv[0], argv[1], &v) < 0)
        return -1;
    CFG->daemonize = CFG->daemonize && v;   /* -f already forced 0 */
    return 0;
}

static int d_pid_file(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    set_str(&CFG->pid_file, is_off(argv[1]) ? NULL : resolve_path(ctx, argv[1]));
    return 0;
}

static int d_error_log(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (strcmp(argv[1], "stderr") == 0)
        set_str(&CFG->error_log, xstrdup("stderr"));
    else
        set_str(&CFG->error_log, resolve_path(ctx, argv[1]));
    return 0;
}

static int d_log_level(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    for (int i = 0; i <= ETD_LOG_ERROR; i++)
        if (strcmp(argv[1], level_names[i]) == 0) {
            CFG->log_level = (enum etd_log_level)i;
            return 0;
        }
    return fail(ctx, "log_level: expected debug, info, notice, warn or error, got \"%s\"", argv[1]);
}

static int d_access_log(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    set_str(&CFG->access_log, is_off(argv[1]) ? NULL : resolve_path(ctx, argv[1]));
    return 0;
}

static int d_max_connections(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_int(ctx, argv[0], argv[1], 1, 10000000, &CFG->max_connections);
}

static int d_keepalive_requests(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_int(ctx, argv[0], argv[1], 1, INT_MAX, &CFG->keepalive_requests);
}

#define DURATION_DIRECTIVE(field, allow_zero)                                   \
    static int d_##field(struct parse_ctx *ctx, int argc, char **argv)          \
    {                                                                           \
        (void)argc;                                                             \
        return parse_dur(ctx, argv[0], argv[1], allow_zero, &CFG->field);       \
    }
DURATION_DIRECTIVE(keepalive_timeout, 1)
DURATION_DIRECTIVE(header_timeout, 0)
DURATION_DIRECTIVE(body_timeout, 0)
DURATION_DIRECTIVE(handler_timeout, 0)
DURATION_DIRECTIVE(schedule_timeout, 1)
DURATION_DIRECTIVE(graceful_timeout, 1)
DURATION_DIRECTIVE(worker_timeout, 1)
DURATION_DIRECTIVE(start_timeout, 0)
DURATION_DIRECTIVE(redis_timeout, 0)

static int d_max_header_size(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_sz(ctx, argv[0], argv[1], 256, &CFG->max_header_size);
}

static int d_max_body_size(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_sz(ctx, argv[0], argv[1], 0, &CFG->max_body_size);
}

static int d_heap_limit(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_sz(ctx, argv[0], argv[1], 64 * 1024, &CFG->heap_limit);
}

static int d_redis(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    const char *v = argv[1];
    if (strncmp(v, "unix:", 5) == 0) {
        if (!v[5])
            return fail(ctx, "redis: unix: needs a socket path");
        char *path = resolve_path(ctx, v + 5);
        size_t n = strlen(path) + 6;
        char *r = malloc(n);
        if (!r) {
            perror("etamild: out of memory");
            abort();
        }
        snprintf(r, n, "unix:%s", path);
        free(path);
        set_str(&CFG->redis, r);
        return 0;
    }
    const char *colon = strrchr(v, ':');
    char *end;
    long port = colon ? strtol(colon + 1, &end, 10) : 0;
    if (!colon || colon == v || !isdigit((unsigned char)colon[1]) || *end || port < 1 || port > 65535)
        return fail(ctx, "redis: expected HOST:PORT or unix:PATH, got \"%s\"", v);
    if (v[0] == '[' && colon[-1] != ']')
        return fail(ctx, "redis: expected [IPv6]:PORT, got \"%s\"", v);
    set_str(&CFG->redis, xstrdup(v));
    return 0;
}

static int d_redis_user(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (!argv[1][0])
        return fail(ctx, "redis_user: empty name");
    set_str(&CFG->redis_user, xstrdup(argv[1]));
    return 0;
}

static int d_redis_password(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (!argv[1][0])
        return fail(ctx, "redis_password: empty password");
    if (CFG->redis_password)
        return fail(ctx, "redis_password: redis_password_file gives the password already");
    set_str(&CFG->redis_password, xstrdup(argv[1]));
    return 0;
}

/* The first line of the file is the password (read now, by the master,
 * before it gives up privileges). */
static int d_redis_password_file(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (CFG->redis_password)
        return fail(ctx, "redis_password_file: redis_password gives the password already");
    char *path = resolve_path(ctx, argv[1]);
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        int rc = fail(ctx, "redis_password_file: cannot open %s: %s", path, strerror(e));
        free(path);
        return rc;
    }
    char buf[1024];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    int err = ferror(f);
    fclose(f);
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    int rc = 0;
    if (err)
        rc = fail(ctx, "redis_password_file: cannot read %s", path);
    else if (!buf[0])
        rc = fail(ctx, "redis_password_file: %s: the first line is empty", path);
    else
        set_str(&CFG->redis_password, xstrdup(buf));
    explicit_bzero(buf, sizeof(buf));
    free(path);
    return rc;
}

static int d_health_path(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (is_off(argv[1])) {
        set_str(&CFG->health_path, NULL);
        return 0;
    }
    if (check_url_path(ctx, argv[0], argv[1]) < 0)
        return -1;
    set_str(&CFG->health_path, xstrdup(argv[1]));
    return 0;
}

static int d_status_path(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (is_off(argv[1])) {
        set_str(&CFG->status_path, NULL);
        return 0;
    }
    if (check_url_path(ctx, argv[0], argv[1]) < 0)
        return -1;
    set_str(&CFG->status_path, xstrdup(argv[1]));
    return 0;
}

static int d_status_allow(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    struct etd_cidr c;
    if (strcmp(argv[1], "all") == 0) {
        /* Shorthand for 0.0.0.0/0 and ::/0. */
        if (d_status_allow(ctx, 2, (char *[]){ argv[0], "0.0.0.0/0", NULL }) < 0)
            return -1;
        return d_status_allow(ctx, 2, (char *[]){ argv[0], "::/0", NULL });
    }
    if (config_parse_cidr(argv[1], &c) < 0)
        return fail(ctx, "status_allow: invalid address or CIDR \"%s\"", argv[1]);
    if (!ctx->status_allow_seen) {      /* the first one replaces the default */
        CFG->nstatus_allow = 0;
        ctx->status_allow_seen = 1;
    }
    struct etd_cidr *grown = realloc(CFG->status_allow, (size_t)(CFG->nstatus_allow + 1) * sizeof *grown);
    if (!grown) {
        perror("etamild: out of memory");
        abort();
    }
    CFG->status_allow = grown;
    CFG->status_allow[CFG->nstatus_allow++] = c;
    return 0;
}

static int d_expose_errors(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    return parse_bool(ctx, argv[0], argv[1], &CFG->expose_errors);
}

static int d_cors_origin(struct parse_ctx *ctx, int argc, char **argv)
{
    (void)argc;
    if (is_off(argv[1])) {
        set_str(&CFG->cors_origin, NULL);
        return 0;
    }
    for (const char *p = argv[1]; *p; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            return fail(ctx, "cors_origin: control character in origin");
    set_str(&CFG->cors_origin, xstrdup(argv[1]));
    return 0;
}

static int d_env(struct parse_ctx *ctx, int argc, char **argv)
{
    const char *name = argv[1];
    const char *value = argc > 2 ? argv[2] : "";
    if (!(isalpha((unsigned char)name[0]) || name[0] == '_'))
        return fail(ctx, "env: invalid variable name \"%s\"", name);
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_'))
            return fail(ctx, "env: invalid variable name \"%s\"", name);
    for (int i = 0; i < CFG->nenv; i++)
        if (strcmp(CFG->env[i].name, name) == 0) {
            set_str(&CFG->env[i].value, xstrdup(value));
            return 0;
        }
    struct etd_env *grown = realloc(CFG->env, (size_t)(CFG->nenv + 1) * sizeof *grown);
    if (!grown) {
        perror("etamild: out of memory");
        abort();
    }
    CFG->env = grown;
    CFG->env[CFG->nenv].name = xstrdup(name);
    CFG->env[CFG->nenv].value = xstrdup(value);
    CFG->nenv++;
    return 0;
}

static const struct directive directives[] = {
    { "listen",             1, 1, 1, d_listen },
    { "backlog",            1, 1, 0, d_backlog },
    { "workers",            1, 1, 0, d_workers },
    { "threads",            1, 1, 0, d_threads },
    { "max_parked",         1, 1, 0, d_max_parked },
    { "app",                1, 1, 0, d_app },
    { "module_path",        1, 1, 0, d_module_path },
    { "chdir",              1, 1, 0, d_chdir },
    { "user",               1, 1, 0, d_user },
    { "group",              1, 1, 0, d_group },
    { "daemonize",          1, 1, 0, d_daemonize },
    { "pid_file",           1, 1, 0, d_pid_file },
    { "error_log",          1, 1, 0, d_error_log },
    { "log_level",          1, 1, 0, d_log_level },
    { "access_log",         1, 1, 0, d_access_log },
    { "max_connections",    1, 1, 0, d_max_connections },
    { "keepalive_timeout",  1, 1, 0, d_keepalive_timeout },
    { "keepalive_requests", 1, 1, 0, d_keepalive_requests },
    { "header_timeout",     1, 1, 0, d_header_timeout },
    { "body_timeout",       1, 1, 0, d_body_timeout },
    { "max_header_size",    1, 1, 0, d_max_header_size },
    { "max_body_size",      1, 1, 0, d_max_body_size },
    { "handler_timeout",    1, 1, 0, d_handler_timeout },
    { "schedule_timeout",   1, 1, 0, d_schedule_timeout },
    { "heap_limit",         1, 1, 0, d_heap_limit },
    { "graceful_timeout",   1, 1, 0, d_graceful_timeout },
    { "worker_timeout",     1, 1, 0, d_worker_timeout },
    { "start_timeout",      1, 1, 0, d_start_timeout },
    { "redis",              1, 1, 0, d_redis },
    { "redis_timeout",      1, 1, 0, d_redis_timeout },
    { "redis_user",         1, 1, 0, d_redis_user },
    { "redis_password",     1, 1, 0, d_redis_password },
    { "redis_password_file", 1, 1, 0, d_redis_password_file },
    { "health_path",        1, 1, 0, d_health_path },
    { "status_path",        1, 1, 0, d_status_path },
    { "status_allow",       1, 1, 1, d_status_allow },
    { "expose_errors",      1, 1, 0, d_expose_errors },
    { "cors_origin",        1, 1, 0, d_cors_origin },
    { "env",                1, 2, 1, d_env },
};
#define NDIRECTIVES (sizeof directives / sizeof directives[0])

/* ---- the file ------------------------------------------------------------ */

static void set_defaults(struct etd_config *cfg, int foreground)
{
    config_parse_listen("127.0.0.1:8080", &cfg->listen[0]);
    cfg->nlisten = 1;
    cfg->backlog = 1024;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->workers = n < 1 ? 1 : n > ETD_MAX_WORKERS ? ETD_MAX_WORKERS : (int)n;
    cfg->threads = 4;
    cfg->max_parked = 256;
    cfg->daemonize = !foreground;
    cfg->pid_file = foreground ? NULL : xstrdup("/run/etamild.pid");
    cfg->error_log = xstrdup(foreground ? "stderr" : "/var/log/etamild.log");
    cfg->log_level = ETD_LOG_INFO;
    cfg->max_connections = 10000;
    cfg->keepalive_timeout = 75;
    cfg->keepalive_requests = 10000;
    cfg->header_timeout = 10;
    cfg->body_timeout = 30;
    cfg->max_header_size = 16 * 1024;
    cfg->max_body_size = 1024 * 1024;
    cfg->handler_timeout = 30;
    cfg->schedule_timeout = -1;         /* handler_timeout's, once that is known */
    cfg->heap_limit = 64 * 1024 * 1024;
    cfg->graceful_timeout = 30;
    cfg->worker_timeout = 60;
    cfg->start_timeout = 10;
    cfg->redis = xstrdup("127.0.0.1:6379");
    cfg->redis_timeout = 2;
    cfg->health_path = xstrdup("/health");
    cfg->status_allow = calloc(2, sizeof *cfg->status_allow);
    if (!cfg->status_allow) {
        perror("etamild: out of memory");
        abort();
    }
    config_parse_cidr("127.0.0.1/32", &cfg->status_allow[0]);
    config_parse_cidr("::1/128", &cfg->status_allow[1]);
    cfg->nstatus_allow = 2;
}

/* Split one line into words; returns the count or -1 (error set). */
static int split_words(struct parse_ctx *ctx, char *line, char **argv)
{
    int argc = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r')
            p++;
        if (!*p || *p == '#')
            break;
        if (argc == MAX_ARGS)
            return fail(ctx, "too many values");
        if (*p == '"') {
            char *out = ++p;
            argv[argc++] = out;
            for (;;) {
                if (!*p)
                    return fail(ctx, "unterminated quoted string");
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
                    *out++ = p[1];
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *out++ = *p++;
                }
            }
            if (*p && *p != ' ' && *p != '\t' && *p != '\r')
                return fail(ctx, "unexpected character after closing quote");
            *out = '\0';
            if (*p)
                p++;
        } else {
            argv[argc++] = p;
            while (*p && *p != ' ' && *p != '\t' && *p != '\r')
                p++;
            if (*p)
                *p++ = '\0';
        }
    }
    return argc;
}

static int parse_line(struct parse_ctx *ctx, char *line, int *seen)
{
    char *argv[MAX_ARGS + 1];
    for (const char *p = line; *p; p++)
        if ((unsigned char)*p < ' ' && *p != '\t' && *p != '\r')
            return fail(ctx, "control character in line");
    int argc = split_words(ctx, line, argv);
    if (argc <= 0)
        return argc;
    argv[argc] = NULL;
    for (size_t i = 0; i < NDIRECTIVES; i++) {
        const struct directive *d = &directives[i];
        if (strcmp(d->name, argv[0]) != 0)
            continue;
        if (argc - 1 < d->min_args)
            return fail(ctx, "%s: missing value", d->name);
        if (argc - 1 > d->max_args)
            return fail(ctx, "%s: too many values (expected %d)", d->name, d->max_args);
        if (seen[i] && !d->repeatable)
            return fail(ctx, "%s: duplicate directive (first given on line %d)", d->name, seen[i]);
        if (!seen[i])
            seen[i] = ctx->line;
        return d->fn(ctx, argc, argv);
    }
    return fail(ctx, "unknown directive \"%s\"", argv[0]);
}

struct etd_config *config_load(const char *file, int foreground, char *err, size_t errlen)
{
    struct parse_ctx ctx = { .file = file, .err = err, .errlen = errlen };
    char line[MAX_LINE + 2];
    err[0] = '\0';

    FILE *fp = fopen(file, "r");
    if (!fp) {
        fail(&ctx, "cannot open: %s", strerror(errno));
        return NULL;
    }
    char *abs = realpath(file, NULL);
    if (!abs) {
        fail(&ctx, "cannot resolve path: %s", strerror(errno));
        fclose(fp);
        return NULL;
    }
    struct etd_config *cfg = calloc(1, sizeof *cfg);
    if (!cfg) {
        perror("etamild: out of memory");
        abort();
    }
    cfg->path = abs;
    ctx.cfg = cfg;
    ctx.dir = xstrdup(abs);
    char *slash = strrchr(ctx.dir, '/');
    if (slash == ctx.dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    set_defaults(cfg, foreground);

    int seen[NDIRECTIVES] = { 0 };
    int rc = 0;
    while (fgets(line, sizeof line, fp)) {
        ctx.line++;
        size_t n = strlen(line);
        if (n > MAX_LINE) {
            rc = fail(&ctx, "line too long (more than %d bytes)", MAX_LINE);
            break;
        }
        if (n && line[n - 1] == '\n')
            line[--n] = '\0';
        if (memchr(line, '\0', n) != NULL && strlen(line) != n) {
            rc = fail(&ctx, "NUL byte in line");
            break;
        }
        if ((rc = parse_line(&ctx, line, seen)) < 0)
            break;
    }
    if (rc == 0 && ferror(fp))
        rc = fail(&ctx, "read error: %s", strerror(errno));
    fclose(fp);

    if (rc == 0) {
        ctx.line = 0;
        if (!cfg->app)
            rc = fail(&ctx, "missing required directive \"app\"");
        else if (cfg->health_path && cfg->status_path && strcmp(cfg->health_path, cfg->status_path) == 0)
            rc = fail(&ctx, "health_path and status_path are the same path \"%s\"", cfg->health_path);
    }
    if (cfg->schedule_timeout < 0)
        cfg->schedule_timeout = cfg->handler_timeout;
    if (rc == 0 && !cfg->chdir) {
        cfg->chdir = xstrdup(cfg->app);
        char *s = strrchr(cfg->chdir, '/');
        if (s == cfg->chdir)
            s[1] = '\0';
        else
            *s = '\0';
    }
    free(ctx.dir);
    if (rc < 0) {
        config_free(cfg);
        return NULL;
    }
    return cfg;
}

void config_free(struct etd_config *cfg)
{
    if (!cfg)
        return;
    free(cfg->path);
    free(cfg->app);
    free(cfg->module_path);
    free(cfg->chdir);
    free(cfg->user);
    free(cfg->group);
    free(cfg->pid_file);
    free(cfg->error_log);
    free(cfg->access_log);
    free(cfg->redis);
    free(cfg->redis_user);
    free(cfg->redis_password);
    free(cfg->health_path);
    free(cfg->status_path);
    free(cfg->status_allow);
    free(cfg->cors_origin);
    for (int i = 0; i < cfg->nenv; i++) {
        free(cfg->env[i].name);
        free(cfg->env[i].value);
    }
    free(cfg->env);
    free(cfg);
}
