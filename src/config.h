/*
 * config.h -- the parsed etamild.conf (see man/etamild.conf.5 and
 * ../shared/design/interfaces.md).  config.c owns parsing and validation;
 * everyone else only reads a struct etd_config.  One struct per generation:
 * a reload parses a new one and the old one stays valid until every worker
 * of the old generation is gone.
 */
#ifndef ETD_CONFIG_H
#define ETD_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define ETD_MAX_LISTEN 16
#define ETD_MAX_WORKERS 256        /* upper bound of `workers` and of TTIN */

struct etd_listen_addr {
    struct sockaddr_storage ss;     /* resolved address */
    socklen_t len;
    char text[80];                  /* as written, e.g. "127.0.0.1:8080", "[::1]:8080" */
};

struct etd_cidr {
    int family;                     /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    int prefix;
};

struct etd_env {
    char *name;
    char *value;
};

enum etd_log_level { ETD_LOG_DEBUG, ETD_LOG_INFO, ETD_LOG_NOTICE, ETD_LOG_WARN, ETD_LOG_ERROR };

struct etd_config {
    char *path;                     /* the configuration file (absolute) */

    struct etd_listen_addr listen[ETD_MAX_LISTEN];
    int nlisten;
    int backlog;                    /* [1024] */
    int workers;                    /* resolved: auto -> online CPUs */
    int threads;                    /* [4] */
    int max_parked;                 /* handlers parked in Redis per worker [256] */

    char *app;                      /* absolute path of the eTamil program (required) */
    char *module_path;              /* "DIR:DIR" or NULL */
    char *chdir;                    /* absolute; default: directory of app */
    char *user, *group;             /* NULL = do not drop privileges */
    int daemonize;                  /* [1]; -f forces 0 */
    char *pid_file;                 /* NULL = none */
    char *error_log;                /* path or "stderr" */
    enum etd_log_level log_level;   /* [info] */
    char *access_log;               /* path, or NULL for off */

    int max_connections;            /* per worker [10000] */
    double keepalive_timeout;       /* seconds [75] */
    int keepalive_requests;         /* [10000] */
    double header_timeout;          /* [10] */
    double body_timeout;            /* [30] */
    size_t max_header_size;         /* [16k] */
    size_t max_body_size;           /* [1m] */
    double handler_timeout;         /* [30] */
    double schedule_timeout;        /* a schedule run's limit, 0 none [handler_timeout] */
    size_t heap_limit;              /* [64m] */
    double graceful_timeout;        /* [30] */
    double worker_timeout;          /* [60] */
    double start_timeout;           /* [10] */

    char *redis;                    /* "HOST:PORT" or "unix:PATH" [127.0.0.1:6379] */
    double redis_timeout;           /* [2] */
    char *redis_user;               /* AUTH user for the redis server, or NULL [none] */
    char *redis_password;           /* AUTH password, or NULL [none] */

    char *health_path;              /* NULL = off [/health] */
    char *status_path;              /* NULL = off [off] */
    struct etd_cidr *status_allow;  /* [127.0.0.1/32, ::1/128] */
    int nstatus_allow;
    int expose_errors;              /* [0] */
    char *cors_origin;              /* NULL = off */
    struct etd_env *env;
    int nenv;
};

/* Parse FILE into a new config.  foreground: -f was given (daemonize no,
 * pid_file default none, error_log default stderr).  On error returns NULL
 * and writes "FILE:LINE: message" (or "FILE: message") into err. */
struct etd_config *config_load(const char *file, int foreground, char *err, size_t errlen);
void config_free(struct etd_config *cfg);

/* Parsers shared with tests: 0 on success, -1 on a bad value. */
int config_parse_size(const char *s, size_t *out);
int config_parse_duration(const char *s, double *out);
int config_cidr_match(const struct etd_cidr *c, const struct sockaddr *sa);
/* "ADDR:PORT", "[IPv6]:PORT", "*:PORT" or "PORT" into a; 0 or -1. */
int config_parse_listen(const char *s, struct etd_listen_addr *a);
/* "A.B.C.D[/N]" or "IPv6[/N]" into c; 0 or -1. */
int config_parse_cidr(const char *s, struct etd_cidr *c);
const char *config_level_name(enum etd_log_level level);

#endif
