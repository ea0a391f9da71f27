/*
 * serve_compat.c -- the reference's `etamil --server` command line on the
 * etamild engine (see serve_compat.h).  The options are read with the
 * reference's rules and messages (spec §10); the configuration is written
 * to a private temporary file and read with config_load(), so every default
 * is etamild's own, then the master runs in the foreground:
 *
 *   listen HOST:PORT      [127.0.0.1:8080]; port 0: a free port, printed
 *   workers auto
 *   app FILE              module_path = ETAMIL_PATH, chdir = FILE's directory
 *   error_log stderr, log_level info     (அச்சு output shows on the terminal)
 *   expose_errors yes, cors_origin *     (what the reference always sends)
 *
 * SIGHUP reloads the program (the file stays until the server exits), Ctrl-C
 * stops it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "app.h"
#include "config.h"
#include "master.h"
#include "serve_compat.h"

const char *etd_version(void);

/* Text inside a double-quoted configuration value: \" and \\ escaped. */
static void
put_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
}

/* One configuration value, double-quoted. */
static void
put_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    put_escaped(f, s);
    fputc('"', f);
}

/* An absolute form of a path (it need not exist). */
static char *
absolute(const char *p)
{
    char cwd[PATH_MAX];
    if (p[0] == '/' || !getcwd(cwd, sizeof cwd))
        return strdup(p);
    size_t n = strlen(cwd) + strlen(p) + 2;
    char *r = malloc(n);
    if (r)
        snprintf(r, n, "%s/%s", cwd, p);
    return r;
}

static int
write_config(FILE *f, const char *host, unsigned port, const char *file)
{
    char *app = absolute(file);
    if (!app)
        return -1;
    fputs("# etamil --server: generated configuration\nlisten ", f);
    char addr[600];
    if (strchr(host, ':') && host[0] != '[')
        snprintf(addr, sizeof addr, "[%s]:%u", host, port);
    else
        snprintf(addr, sizeof addr, "%s:%u", host, port);
    put_quoted(f, addr);
    fputs("\nworkers auto\napp ", f);
    put_quoted(f, app);
    free(app);
    fputs("\nerror_log stderr\nlog_level info\nexpose_errors yes\ncors_origin *\n", f);
    const char *ep = getenv("ETAMIL_PATH");
    if (ep && *ep) {
        /* module_path takes "A:B"; make each entry absolute, skip empty ones */
        char *copy = strdup(ep);
        int first = 1;
        if (!copy)
            return -1;
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
            char *a = absolute(d);
            if (!a) {
                free(copy);
                return -1;          /* never serve with part of the search path */
            }
            fputs(first ? "module_path \"" : ":", f);
            put_escaped(f, a);
            free(a);
            first = 0;
        }
        if (!first)
            fputs("\"\n", f);
        free(copy);
    }
    /* Redis as in the runner: ETAMIL_REDIS, the spec's 10 s timeouts */
    const char *rd = getenv("ETAMIL_REDIS");
    if (rd && *rd) {
        fputs("redis ", f);
        put_quoted(f, rd);
        fputc('\n', f);
    }
    fputs("redis_timeout 10s\n", f);
    return ferror(f) ? -1 : 0;
}

/* A port nobody listens on now (for --port 0), or 0. */
static unsigned
free_port(const char *host)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        len = sizeof *in;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        len = sizeof *in6;
    } else {
        return 0;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unsigned port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&ss, len) == 0 &&
        getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        port = ntohs(ss.ss_family == AF_INET ? in->sin_port : in6->sin6_port);
    if (fd >= 0)
        close(fd);
    return port;
}

int
serve_compat(int argc, char **argv)
{
    int serve = 0, check = 0;
    const char *host = "127.0.0.1", *file = NULL;
    unsigned port = 8080;
    /* Left to right like the reference: the first bad option decides. */
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--server") == 0 || strcmp(a, "--async") == 0) {
            serve = 1;
        } else if (strcmp(a, "--check") == 0) {
            check = 1;
        } else if (strcmp(a, "--host") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "✗ --host needs a value\n");
                return 2;
            }
            host = argv[++i];
        } else if (strcmp(a, "--port") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "✗ --port needs a value\n");
                return 2;
            }
            const char *v = argv[++i];
            /* like Rust's u16 parse: an optional '+', then digits */
            const char *d = v[0] == '+' ? v + 1 : v;
            char *end;
            errno = 0;
            unsigned long p = strtoul(d, &end, 10);
            if (*d < '0' || *d > '9' || *end || errno || p > 65535) {
                fprintf(stderr, "✗ --port needs a number from 0 to 65535, got '%s'\n", v);
                return 2;
            }
            port = (unsigned)p;
        } else if (strcmp(a, "--vm") == 0 || strcmp(a, "--llvm") == 0) {
            continue;
        } else if (strcmp(a, "-") == 0) {
            file = NULL;
        } else if (a[0] == '-') {
            return -1;              /* -h, -V, unknown: the runner's business */
        } else {
            file = a;
        }
    }
    if (!serve || check)
        return -1;
    if (!file) {
        fprintf(stderr, "✗ --server needs a program file (etamil --server app.qmz)\n");
        return 2;
    }

    if (port == 0 && (port = free_port(host)) == 0) {
        fprintf(stderr, "✗ --port 0: cannot find a free port on %s\n", host);
        return 1;
    }
    char tmp[] = "/tmp/etamil-server-XXXXXX";
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f || write_config(f, host, port, file) < 0 || fclose(f) != 0) {
        fprintf(stderr, "✗ cannot write a configuration in /tmp: %s\n", strerror(errno));
        if (fd >= 0)
            unlink(tmp);
        return 1;
    }
    master_set_app_loader(app_load, app_free);
    char err[4096];
    struct etd_config *cfg = config_load(tmp, 1, err, sizeof err);
    void *app = NULL;
    int rc = 1;
    if (!cfg) {
        fprintf(stderr, "✗ %s\n", err);
    } else if (master_load_app(cfg, &app, err, sizeof err) < 0) {
        fprintf(stderr, "✗ %s\n", err);
        config_free(cfg);
    } else {
        printf("=== eTamil HTTP Server (etamild %s engine) ===\n", etd_version());
        printf("🚀 Starting server on %s:%u\n", host, port);
        fflush(stdout);
        struct master_options opt = { .foreground = 1, .exe = NULL };
        rc = master_run(cfg, app, &opt);
    }
    unlink(tmp);
    return rc;
}
