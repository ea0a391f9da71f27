/*
 * redis.c -- Redis connections for eTamil handlers, through hiredis (see
 * redis.h for the contract).  This file owns the own-connection table of
 * one execution context, the worker's shared pipelined connections (the
 * "Shared connections" section), address parsing and bounded name lookup,
 * AUTH, timeouts, the state reset between requests, hiredis error mapping
 * and the Redis metrics; the eTamil side (values, messages) is
 * src/lang/builtins_redis.c.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>
#include <hiredis/hiredis.h>

#include "metrics.h"
#include "redis.h"

#define MAX_CONNS 8             /* servers kept per context (least recently used goes) */
#define MAX_SKIP 100000         /* replies skipped while waiting for +RESET */

enum reset_mode { RESET_UNKNOWN = 0, RESET_WORKS, RESET_NONE };

struct rconn {
    char *addr;                 /* as the program wrote it; NULL = free entry */
    redisContext *c;            /* NULL: not connected */
    int dirty;                  /* a command may have changed connection state */
    int reset_pending;          /* send RESET before the next command */
    enum reset_mode reset;      /* what this server does with RESET */
    int ever;                   /* connected before: the next connect is a reconnect */
    uint64_t used;              /* LRU stamp */
    struct mux_conn *mc;        /* the worker's shared connection to addr, or NULL */
    int pinned;                 /* this logical connection uses c only (it ran a
                                 * non-plain command, or the shared one was busy) */
    int prepared;               /* c was made ready for this logical connection */
};

/* A suspended run waiting for a reply on a shared connection.  All but
 * wake/wake_arg are guarded by the mux lock.  Whoever clears req (the loop
 * when the reply or a failure comes, or redis_local_cancel, both on the
 * loop thread) fills reply or st/detail and calls wake exactly once. */
struct mux_wait {
    struct mux_req *req;        /* the command waited for; NULL once answered */
    struct mux_conn *mc;        /* ... on this shared connection */
    redisReply *reply;          /* the answer, or NULL with st/detail */
    etm_redis_status st;
    char detail[192];
    void (*wake)(void *arg);    /* resume the run (loop thread) */
    void *wake_arg;
};

struct redis_local {
    char *default_addr;
    char *user, *password;      /* AUTH for default_addr (password NULL: none) */
    struct timeval tv;
    int reuse;
    struct etd_proc_metrics *metrics;
    struct rconn conns[MAX_CONNS];
    struct rconn *cur;          /* the run's current server, or NULL */
    uint64_t clock;
    struct redis_local_stats st;
    pthread_mutex_t lock;       /* orders busy_fd and cancelled (redis_local_cancel) */
    int busy_fd;                /* socket of the command in progress, or -1 */
    atomic_int cancelled;       /* the run was cancelled: commands fail at once */
    int sent;                   /* (owner) a command on a shared connection is
                                 * waited for, or its reply not taken yet */
    struct redis_mux *mux;      /* the worker's shared connections, or NULL */
    int can_suspend;            /* this run may wait for a reply suspended */
    struct mux_wait wait;
};

/* ------------------------------------------------------------------ */
/* Errors                                                              */

/* Append TEXT to B, plus " (os error N)" when TEXT is strerror(N) (the
 * form the runtime's other messages use). */
static void add_os_text(etm_buf *b, const char *text)
{
    etm_buf_adds(b, text);
    char tmp[128];
    for (int e = 1; e < 134; e++) {
        const char *s = strerror_r(e, tmp, sizeof(tmp));
        if (strcmp(s, text) == 0) {
            etm_buf_printf(b, " (os error %d)", e);
            return;
        }
    }
}

/* The marker of hiredis' "Protocol error, got "X" as reply type byte". */
static int protocol_marker(const char *errstr, etm_buf *detail)
{
    const char *p = strstr(errstr, "got \"");
    if (!p)
        return -1;
    p += 5;
    const char *q = strstr(p, "\" as reply type byte");
    if (!q || q == p)
        return -1;
    unsigned v;
    if (q - p == 4 && p[0] == '\\' && p[1] == 'x' && sscanf(p + 2, "%2x", &v) == 1 && v >= 0x80) {
        etm_buf_printf(detail, "\\x%02x", v);   /* a lone high byte is no text */
        return 0;
    }
    if (q - p == 2 && p[0] == '\\') {
        char c = p[1] == 'n' ? '\n' : p[1] == 'r' ? '\r' : p[1] == 't' ? '\t' : p[1];
        etm_buf_addc(detail, c);
        return 0;
    }
    etm_buf_add(detail, p, (size_t)(q - p));
    return 0;
}

static void count(struct redis_local *rl, int commands, int errors, int reconnects)
{
    rl->st.commands += (unsigned long)commands;
    rl->st.errors += (unsigned long)errors;
    metrics_redis(rl->metrics, commands, errors, reconnects);
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */

static void drop(struct rconn *e)
{
    if (e->c)
        redisFree(e->c);
    e->c = NULL;
    e->dirty = 0;
    e->reset_pending = 0;
}

static void forget(struct redis_local *rl, struct rconn *e)
{
    drop(e);
    if (rl->cur == e)
        rl->cur = NULL;
    free(e->addr);
    memset(e, 0, sizeof(*e));
}

static struct rconn *find(struct redis_local *rl, const char *addr)
{
    struct rconn *free_e = NULL, *old = NULL;
    for (int i = 0; i < MAX_CONNS; i++) {
        struct rconn *e = &rl->conns[i];
        if (!e->addr) {
            if (!free_e)
                free_e = e;
            continue;
        }
        if (strcmp(e->addr, addr) == 0)
            return e;
        if (e != rl->cur && (!old || e->used < old->used))
            old = e;
    }
    if (!free_e) {
        free_e = old;
        forget(rl, free_e);
    }
    free_e->addr = strdup(addr);
    if (!free_e->addr)
        return NULL;
    return free_e;
}

/* Queue AUTH [USER] PASSWORD on C.  -1 when out of memory. */
static int append_auth(redisContext *c, const char *user, const char *password)
{
    const char *argv[3] = { "AUTH", user ? user : password, password };
    size_t len[3] = { 4, strlen(argv[1]), strlen(password) };
    return redisAppendCommandArgv(c, user ? 3 : 2, argv, len) == REDIS_OK ? 0 : -1;
}

/* Read the reply to AUTH.  0 when accepted; -1 with c->err set when the
 * connection failed; -2 with "AUTH: <the server's error>" in DETAIL. */
static int read_auth_reply(redisContext *c, etm_buf *detail)
{
    redisReply *r = NULL;
    if (redisGetReply(c, (void **)&r) != REDIS_OK || !r)
        return -1;
    int rc = 0;
    if (r->type == REDIS_REPLY_ERROR) {
        etm_buf_printf(detail, "AUTH: %.*s", (int)r->len, r->str);
        rc = -2;
    }
    freeReplyObject(r);
    return rc;
}

/* The AUTH password (and user) for ADDR: the configured ones for the
 * default server only. */
static const char *auth_password(const struct redis_local *rl, const char *addr)
{
    return rl->password && strcmp(addr, rl->default_addr) == 0 ? rl->password : NULL;
}

/* ---- name resolution with a deadline ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* A lookup on a thread of its own, shared by the waiter and that thread:
 * whoever lets go last frees it (a waiter that gives up leaves the thread
 * to finish and clean up). */
struct lookup {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int refs, done, rc, err;
    struct addrinfo *res;
    char host[256];
};

static void lookup_unref(struct lookup *l)
{
    pthread_mutex_lock(&l->lock);
    int left = --l->refs;
    pthread_mutex_unlock(&l->lock);
    if (left)
        return;
    if (l->res)
        freeaddrinfo(l->res);
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

static void *lookup_main(void *arg)
{
    struct lookup *l = arg;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(l->host, NULL, &hints, &res);
    int err = errno;
    pthread_mutex_lock(&l->lock);
    l->rc = rc;
    l->err = err;
    l->res = res;
    l->done = 1;
    pthread_cond_signal(&l->cond);
    pthread_mutex_unlock(&l->lock);
    lookup_unref(l);
    return NULL;
}

/* Resolve HOST by DEADLINE (monotonic ns): getaddrinfo has no timeout of
 * its own, and a resolver that does not answer would hold the calling
 * thread for the resolver's timeouts (10 s and more).  The addresses
 * (caller frees), or NULL with the reason in DETAIL. */
static struct addrinfo *resolve_by(const char *host, uint64_t deadline, etm_buf *detail)
{
    struct lookup *l = calloc(1, sizeof(*l));
    if (!l) {
        etm_buf_adds(detail, "out of memory");
        return NULL;
    }
    snprintf(l->host, sizeof(l->host), "%s", host);
    l->refs = 2;
    pthread_mutex_init(&l->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&l->cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_t tid;
    int e = pthread_create(&tid, &at, lookup_main, l);
    pthread_attr_destroy(&at);
    if (e) {
        l->refs = 1;
        lookup_unref(l);
        etm_os_error_append(detail, e);
        return NULL;
    }
    struct timespec dl = { (time_t)(deadline / 1000000000u), (long)(deadline % 1000000000u) };
    struct addrinfo *res = NULL;
    pthread_mutex_lock(&l->lock);
    while (!l->done)
        if (pthread_cond_timedwait(&l->cond, &l->lock, &dl) == ETIMEDOUT)
            break;
    if (!l->done) {
        etm_buf_printf(detail, "looking up '%s' timed out", host);
    } else if (l->rc == EAI_SYSTEM) {
        etm_os_error_append(detail, l->err);
    } else if (l->rc) {
        etm_buf_adds(detail, gai_strerror(l->rc));
    } else {
        res = l->res;
        l->res = NULL;
    }
    pthread_mutex_unlock(&l->lock);
    lookup_unref(l);
    return res;
}

/* A TCP connection to HOST:PORT within TV in all: a name is resolved
 * first (resolve_by) and its addresses tried in turn, IPv4 first as
 * hiredis does, each within what is left.  A context (perhaps with err
 * set: the last attempt's), or NULL with the reason in DETAIL. */
static redisContext *connect_tcp(const char *host, int port, struct timeval tv, etm_buf *detail)
{
    unsigned char bin[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, host, bin) == 1 || inet_pton(AF_INET6, host, bin) == 1) {
        redisContext *c = redisConnectWithTimeout(host, port, tv);
        if (!c)
            etm_buf_adds(detail, "out of memory");
        return c;
    }
    uint64_t deadline = now_ns() + (uint64_t)tv.tv_sec * 1000000000u
        + (uint64_t)tv.tv_usec * 1000u;
    struct addrinfo *res = resolve_by(host, deadline, detail);
    if (!res)
        return NULL;
    redisContext *c = NULL;
    for (int pass = 0; pass < 2; pass++) {
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            if (ai->ai_family != (pass ? AF_INET6 : AF_INET))
                continue;
            char ip[INET6_ADDRSTRLEN];
            if (getnameinfo(ai->ai_addr, ai->ai_addrlen, ip, sizeof(ip), NULL, 0,
                            NI_NUMERICHOST) != 0)
                continue;
            uint64_t now = now_ns();
            if (now >= deadline) {
                if (!c)
                    etm_os_error_append(detail, ETIMEDOUT);
                goto out;
            }
            uint64_t left = deadline - now;
            struct timeval lt = { (time_t)(left / 1000000000u),
                                  (suseconds_t)(left % 1000000000u / 1000u) };
            if (lt.tv_sec == 0 && lt.tv_usec == 0)
                lt.tv_usec = 1;
            if (c)
                redisFree(c);
            c = redisConnectWithTimeout(ip, port, lt);
            if (!c) {
                etm_buf_adds(detail, "out of memory");
                goto out;
            }
            if (!c->err)
                goto out;
        }
    }
    if (!c)
        etm_buf_printf(detail, "no address for '%s'", host);
out:
    freeaddrinfo(res);
    return c;
}

/* A blocking connection to ADDR ("HOST:PORT", "[V6]:PORT", "unix:PATH"),
 * with TV as connect and I/O timeout and TCP keepalive, authenticated with
 * USER/PASSWORD when PASSWORD is not NULL.  NULL with the OS error (or the
 * AUTH error) in DETAIL. */
static redisContext *connect_addr(const char *a, struct timeval tv, const char *user,
                                  const char *password, etm_buf *detail)
{
    redisContext *c;
    if (strncmp(a, "unix:", 5) == 0) {
        if (!a[5])
            goto bad;
        c = redisConnectUnixWithTimeout(a + 5, tv);
    } else {
        const char *colon = strrchr(a, ':');
        char host[256];
        size_t hl;
        if (!colon || colon == a || !colon[1])
            goto bad;
        if (a[0] == '[') {
            if (colon[-1] != ']' || colon - a < 3)
                goto bad;
            hl = (size_t)(colon - a - 2);
            if (hl >= sizeof(host))
                goto bad;
            memcpy(host, a + 1, hl);
        } else {
            hl = (size_t)(colon - a);
            if (hl >= sizeof(host) || memchr(a, ':', hl))
                goto bad;
            memcpy(host, a, hl);
        }
        host[hl] = '\0';
        char *end;
        errno = 0;
        long port = strtol(colon + 1, &end, 10);
        if (*end || errno || port < 0 || port > 65535 || colon[1] == '-' || colon[1] == '+')
            goto bad;
        c = connect_tcp(host, (int)port, tv, detail);
        if (!c)
            return NULL;
    }
    if (!c) {
        etm_buf_adds(detail, "out of memory");
        return NULL;
    }
    if (c->err || redisSetTimeout(c, tv) != REDIS_OK ||
        (c->connection_type == REDIS_CONN_TCP && redisEnableKeepAlive(c) != REDIS_OK)) {
        add_os_text(detail, c->errstr);
        redisFree(c);
        return NULL;
    }
    if (password) {
        int rc = append_auth(c, user, password) < 0 ? -3 : read_auth_reply(c, detail);
        if (rc == -1)
            add_os_text(detail, c->err == REDIS_ERR_EOF ? "the server closed the connection"
                                                        : c->errstr);
        else if (rc == -3)
            etm_buf_adds(detail, "out of memory");
        if (rc) {
            redisFree(c);
            return NULL;
        }
    }
    return c;
bad:
    etm_buf_adds(detail, "invalid socket address");
    return NULL;
}

/* Connect E.  Returns 0, or -1 with the OS error in DETAIL. */
static int open_conn(struct redis_local *rl, struct rconn *e, etm_buf *detail)
{
    redisContext *c = connect_addr(e->addr, rl->tv, rl->user, auth_password(rl, e->addr),
                                   detail);
    if (!c) {
        count(rl, 0, 1, 0);
        return -1;
    }
    e->c = c;
    e->dirty = 0;
    e->reset_pending = 0;
    rl->st.connects++;
    count(rl, 0, 0, e->ever);
    e->ever = 1;
    return 0;
}

/* Whether E's kept connection is still open and quiet; data waiting means
 * replies or messages the last user left behind (it needs a reset). */
static int check_alive(struct rconn *e)
{
    char b;
    ssize_t n = recv(e->c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
        return 0;
    if (n > 0 || e->c->reader->pos < e->c->reader->len)
        e->dirty = 1;
    return 1;
}

/* Record the socket a command is about to wait on (-1: none), so that
 * redis_local_cancel can shut it down.  -1 when the run was cancelled
 * already. */
static int set_busy(struct redis_local *rl, int fd)
{
    pthread_mutex_lock(&rl->lock);
    int cancelled = atomic_load(&rl->cancelled);
    rl->busy_fd = cancelled ? -1 : fd;
    pthread_mutex_unlock(&rl->lock);
    return cancelled && fd >= 0 ? -1 : 0;
}

/* Read replies until the one to RESET.  0 when it came, -1 when the
 * connection failed or the server has no RESET (the connection is then
 * of no further use). */
static int read_reset_reply(struct redis_local *rl, struct rconn *e)
{
    for (int i = 0; i < MAX_SKIP; i++) {
        redisReply *r = NULL;
        if (redisGetReply(e->c, (void **)&r) != REDIS_OK || !r)
            return -1;
        int type = r->type;
        int is_reset = type == REDIS_REPLY_STATUS && strcmp(r->str, "RESET") == 0;
        freeReplyObject(r);
        if (is_reset) {
            e->reset = RESET_WORKS;
            rl->st.resets++;
            return 0;
        }
        if (type == REDIS_REPLY_ERROR && e->reset != RESET_WORKS) {
            e->reset = RESET_NONE;          /* Redis < 6.2 */
            return -1;
        }
    }
    return -1;
}

/* Make E ready for a new user: alive, and with no state a previous one
 * left.  0, or -1 with the OS error in DETAIL. */
static int prepare(struct redis_local *rl, struct rconn *e, etm_buf *detail)
{
    if (e->c && !rl->reuse) {
        drop(e);
    } else if (e->c && !check_alive(e)) {
        drop(e);
    }
    if (e->c && e->dirty) {
        if (e->reset == RESET_WORKS) {
            e->reset_pending = 1;           /* sent with the next command */
        } else if (e->reset == RESET_NONE) {
            drop(e);
        } else {
            const char *pw = auth_password(rl, e->addr);
            etm_buf ignored;
            etm_buf_init(&ignored);
            int ok = redisAppendCommand(e->c, "RESET") == REDIS_OK;
            ok = ok && (!pw || append_auth(e->c, rl->user, pw) == 0);  /* RESET logs out */
            ok = ok && set_busy(rl, e->c->fd) == 0;
            ok = ok && read_reset_reply(rl, e) == 0;
            ok = ok && (!pw || read_auth_reply(e->c, &ignored) == 0);
            etm_buf_free(&ignored);
            set_busy(rl, -1);
            if (ok)
                e->dirty = 0;
            else
                drop(e);
        }
    }
    if (!e->c && open_conn(rl, e, detail) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Which commands leave a connection as they found it                  */

/* Data commands that change no per-connection state (sorted, upper
 * case).  Anything else marks the connection for a reset. */
static const char *const plain_cmds[] = {
    "APPEND", "DBSIZE", "DECR", "DECRBY", "DEL", "ECHO", "EXISTS", "EXPIRE",
    "EXPIREAT", "GET", "GETDEL", "GETEX", "GETRANGE", "GETSET", "HDEL",
    "HEXISTS", "HGET", "HGETALL", "HINCRBY", "HINCRBYFLOAT", "HKEYS", "HLEN",
    "HMGET", "HMSET", "HSCAN", "HSET", "HSETNX", "HVALS", "INCR", "INCRBY",
    "INCRBYFLOAT", "KEYS", "LINDEX", "LLEN", "LPOP", "LPUSH", "LRANGE",
    "LREM", "LSET", "LTRIM", "MGET", "MSET", "MSETNX", "PERSIST", "PEXPIRE",
    "PEXPIREAT", "PFADD", "PFCOUNT", "PING", "PSETEX", "PTTL", "PUBLISH",
    "RENAME", "RPOP", "RPUSH", "SADD", "SCAN", "SCARD", "SET", "SETEX",
    "SETNX", "SETRANGE", "SISMEMBER", "SMEMBERS", "SPOP", "SRANDMEMBER",
    "SREM", "SSCAN", "STRLEN", "TIME", "TTL", "TYPE", "UNLINK", "XADD",
    "XLEN", "XRANGE", "ZADD", "ZCARD", "ZCOUNT", "ZINCRBY", "ZRANGE",
    "ZRANGEBYSCORE", "ZRANK", "ZREM", "ZREVRANGE", "ZSCAN", "ZSCORE",
};

static int cmp_name(const void *k, const void *e)
{
    return strcmp(k, *(const char *const *)e);
}

static int plain_command(const char *name, size_t len)
{
    char up[16];
    if (len == 0 || len >= sizeof(up))
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        else if (c < 'A' || c > 'Z')
            return 0;
        up[i] = c;
    }
    up[len] = '\0';
    return bsearch(up, plain_cmds, sizeof(plain_cmds) / sizeof(plain_cmds[0]),
                   sizeof(plain_cmds[0]), cmp_name) != NULL;
}

/* Hand reply R to the runtime as flat items. */
static void emit(const redisReply *r, etm_redis_item_fn item, void *ctx)
{
    switch (r->type) {
    case REDIS_REPLY_STATUS:
        item(ctx, ETM_REDIS_STATUS, r->str, (size_t)r->len, 0);
        break;
    case REDIS_REPLY_ERROR:
        item(ctx, ETM_REDIS_ERROR, r->str, (size_t)r->len, 0);
        break;
    case REDIS_REPLY_INTEGER:
        item(ctx, ETM_REDIS_INTEGER, NULL, 0, r->integer);
        break;
    case REDIS_REPLY_STRING:
        item(ctx, ETM_REDIS_BULK, r->str, (size_t)r->len, 0);
        break;
    case REDIS_REPLY_ARRAY:
        item(ctx, ETM_REDIS_ARRAY, NULL, 0, (long long)r->elements);
        for (size_t i = 0; i < r->elements; i++)
            emit(r->element[i], item, ctx);
        break;
    case REDIS_REPLY_NIL:
    default:
        item(ctx, ETM_REDIS_NIL, NULL, 0, 0);
        break;
    }
}

/* ------------------------------------------------------------------ */
/* Shared connections (a worker's, pipelined)                          */

/* A worker keeps one connection per server that all its helper threads
 * share for the plain data commands of runs that may suspend.  A thread
 * writes the command straight onto the socket (under the lock, so the
 * bytes on the wire and the list of waiters keep the same order) and the
 * run suspends (op_command answers PENDING); the thread is free.  The
 * worker's event loop reads the replies as they come, in order, several
 * per read, stores each in its waiter and calls the waiter's wake, which
 * queues the run's job again; the run takes the reply with op_finish.
 * Commands of many requests thus reach Redis together and are read and
 * answered several per system call.  Bytes a full socket does not take
 * wait in out and the loop writes them when it can.
 *
 * The connection only ever carries plain commands, so it has no state to
 * reset; a logical connection that runs anything else (SELECT, MULTI,
 * WATCH, SUBSCRIBE, CLIENT ...) goes on, for the rest of its life, on the
 * context's own connection (the code above).  A thread connects the
 * shared connection itself (blocking, bounded by the timeout) and hands
 * the socket to the loop.  A reply overdue by the timeout breaks the
 * connection (mux_timer_cb): everything behind it on the same connection
 * would wait as long, so it all fails at once and the next user
 * reconnects.  A cancelled run only gives its own command up (mux_cancel). */

#define MUX_ADDRS 4             /* servers shared per worker; more use threads' own */

enum mux_state {
    MUX_DOWN,                   /* no socket; the next user connects */
    MUX_CONNECTING,             /* a thread is connecting */
    MUX_UP,                     /* usable (the loop attaches fd's watcher) */
    MUX_CLOSING,                /* failed or given up: the loop drops it */
};

struct mux_req {
    struct mux_req *next;
    struct mux_wait *w;         /* mux lock; NULL once answered or given up */
    uint64_t sent_ns;           /* when it was sent (monotonic) */
};

struct mux_conn {
    char *addr;                 /* NULL: free entry; never changes once set */
    /* guarded by the mux lock */
    enum mux_state state;
    int fd;
    int ever;                   /* was connected before: connecting is a reconnect */
    struct mux_req *fly, **fly_tail;    /* sent (or in out), in wire order */
    char *out;                  /* bytes the socket did not take yet */
    size_t out_len, out_off, out_cap;
    etm_redis_status close_st;  /* MUX_CLOSING: what its commands fail with */
    char close_detail[160];
    /* loop thread only */
    redisReader *reader;
    ev_io rio, wio;
    struct redis_mux *m;
};

struct redis_mux {
    struct ev_loop *loop;
    ev_async async;
    ev_timer timer;             /* replies overdue by the timeout break their connection */
    double timeout;             /* seconds */
    pthread_mutex_t lock;
    pthread_cond_t connected;   /* a thread finished connecting (either way) */
    int closed;                 /* redis_mux_shutdown ran: nobody shares any more */
    struct mux_conn conns[MUX_ADDRS];
};

/* Watchers of the shared connections do not keep the loop running. */
static void mux_io_start(struct redis_mux *m, ev_io *w)
{
    if (!ev_is_active(w)) {
        ev_io_start(m->loop, w);
        ev_unref(m->loop);
    }
}

static void mux_io_stop(struct redis_mux *m, ev_io *w)
{
    if (ev_is_active(w)) {
        ev_ref(m->loop);
        ev_io_stop(m->loop, w);
    }
}

/* Answer R's waiter (if it still waits) with REPLY or ST/DETAIL; R is
 * freed.  Loop thread, mux lock held. */
static void mux_answer(struct mux_req *r, redisReply *reply, etm_redis_status st,
                       const char *detail)
{
    struct mux_wait *w = r->w;
    if (w) {
        w->req = NULL;
        w->reply = reply;
        w->st = st;
        if (!reply)
            snprintf(w->detail, sizeof(w->detail), "%s", detail ? detail : "");
        w->wake(w->wake_arg);
    } else if (reply) {
        freeReplyObject(reply);
    }
    free(r);
}

/* Mark MC for dropping, its commands to fail with ST and the OS error
 * ERR (0: none).  Mux lock held; the loop is told by the caller. */
static void mux_break(struct mux_conn *mc, etm_redis_status st, int err)
{
    if (mc->state != MUX_UP)
        return;
    mc->state = MUX_CLOSING;
    mc->close_st = st;
    mc->close_detail[0] = '\0';
    if (err) {
        etm_buf b;
        etm_buf_init(&b);
        etm_os_error_append(&b, err);
        snprintf(mc->close_detail, sizeof(mc->close_detail), "%.*s", (int)b.len,
                 b.p ? b.p : "");
        etm_buf_free(&b);
    }
}

/* Drop MC's connection: every command sent or waiting to be fails with
 * ST/DETAIL.  Loop thread, mux lock held. */
static void mux_teardown(struct redis_mux *m, struct mux_conn *mc, etm_redis_status st,
                         const char *detail)
{
    mux_io_stop(m, &mc->rio);
    mux_io_stop(m, &mc->wio);
    if (mc->state == MUX_UP || mc->state == MUX_CLOSING) {
        close(mc->fd);
        mc->fd = -1;
        mc->state = MUX_DOWN;
    }
    while (mc->fly) {
        struct mux_req *r = mc->fly;
        mc->fly = r->next;
        mux_answer(r, NULL, st, detail);
    }
    mc->fly_tail = &mc->fly;
    if (mc->reader)
        redisReaderFree(mc->reader);
    mc->reader = NULL;
    mc->out_len = mc->out_off = 0;
}

/* Keep BUF[0..LEN) to be written after what out holds.  -1 when out of
 * memory.  Mux lock held. */
static int mux_keep(struct mux_conn *mc, const char *buf, size_t len)
{
    if (mc->out_off == mc->out_len)
        mc->out_off = mc->out_len = 0;
    if (mc->out_len + len > mc->out_cap) {
        size_t cap = mc->out_cap ? mc->out_cap : 4096;
        while (cap < mc->out_len + len)
            cap *= 2;
        char *p = realloc(mc->out, cap);
        if (!p)
            return -1;
        mc->out = p;
        mc->out_cap = cap;
    }
    memcpy(mc->out + mc->out_len, buf, len);
    mc->out_len += len;
    return 0;
}

/* Write what out holds.  0 when all of it went, 1 when the socket is
 * full, -1 with errno on failure.  Mux lock held. */
static int mux_write_out(struct mux_conn *mc)
{
    while (mc->out_off < mc->out_len) {
        ssize_t n = write(mc->fd, mc->out + mc->out_off, mc->out_len - mc->out_off);
        if (n > 0)
            mc->out_off += (size_t)n;
        else if (n < 0 && errno == EINTR)
            continue;
        else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 1;
        else
            return n < 0 ? -1 : (errno = EPIPE, -1);
    }
    mc->out_off = mc->out_len = 0;
    return 0;
}

static void mux_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct mux_conn *mc = w->data;
    struct redis_mux *m = mc->m;
    (void)loop;
    (void)revents;
    pthread_mutex_lock(&m->lock);
    int rc = mux_write_out(mc);
    if (rc < 0) {
        mux_break(mc, ETM_REDIS_E_SEND, errno);
        mux_teardown(m, mc, mc->close_st, mc->close_detail);
    } else if (rc == 0) {
        mux_io_stop(m, &mc->wio);
    }
    pthread_mutex_unlock(&m->lock);
}

static void mux_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    struct mux_conn *mc = w->data;
    struct redis_mux *m = mc->m;
    char buf[16384];
    (void)loop;
    (void)revents;
    for (int rounds = 0; rounds < 4; rounds++) {
        ssize_t n = read(mc->fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        int err = n < 0 ? errno : 0;
        pthread_mutex_lock(&m->lock);
        if (n == 0) {
            mux_teardown(m, mc, ETM_REDIS_E_CLOSED, NULL);
        } else if (n < 0) {
            mux_break(mc, ETM_REDIS_E_READ, err);
            mux_teardown(m, mc, ETM_REDIS_E_READ, mc->close_detail);
        } else if (redisReaderFeed(mc->reader, buf, (size_t)n) != REDIS_OK) {
            mux_teardown(m, mc, ETM_REDIS_E_READ, "out of memory");
        } else {
            for (;;) {
                void *reply = NULL;
                if (redisReaderGetReply(mc->reader, &reply) != REDIS_OK) {
                    /* hiredis' "Protocol error, got ..." text: the waiter
                     * maps it to the reply-marker message */
                    char e[sizeof(mc->reader->errstr)];
                    memcpy(e, mc->reader->errstr, sizeof(e));
                    e[sizeof(e) - 1] = '\0';
                    mux_teardown(m, mc, ETM_REDIS_E_MARKER, e);
                    break;
                }
                if (!reply)
                    break;
                struct mux_req *r = mc->fly;
                if (!r) {           /* a reply nobody asked for */
                    freeReplyObject(reply);
                    mux_teardown(m, mc, ETM_REDIS_E_READ, "unexpected reply from the server");
                    break;
                }
                mc->fly = r->next;
                if (!mc->fly)
                    mc->fly_tail = &mc->fly;
                mux_answer(r, reply, ETM_REDIS_OK, NULL);
            }
        }
        int more = ev_is_active(&mc->rio) && (size_t)n == sizeof(buf);
        pthread_mutex_unlock(&m->lock);
        if (!more)
            return;
    }
}

/* Attach sockets threads connected, start writing what a full socket
 * left, drop broken or given-up connections.  Loop thread. */
static void mux_async_cb(struct ev_loop *loop, ev_async *w, int revents)
{
    struct redis_mux *m = w->data;
    (void)loop;
    (void)revents;
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < MUX_ADDRS; i++) {
        struct mux_conn *mc = &m->conns[i];
        if (mc->state == MUX_CLOSING) {
            mux_teardown(m, mc, mc->close_st, mc->close_detail);
            continue;
        }
        if (mc->state != MUX_UP)
            continue;
        if (!ev_is_active(&mc->rio)) {          /* a socket a thread connected */
            mc->reader = redisReaderCreate();
            if (!mc->reader) {
                mux_teardown(m, mc, ETM_REDIS_E_READ, "out of memory");
                continue;
            }
            ev_io_set(&mc->rio, mc->fd, EV_READ);
            ev_io_set(&mc->wio, mc->fd, EV_WRITE);
            mux_io_start(m, &mc->rio);
        }
        if (mc->out_off < mc->out_len)
            mux_io_start(m, &mc->wio);
    }
    pthread_mutex_unlock(&m->lock);
}

static void mux_timer_cb(struct ev_loop *loop, ev_timer *t, int revents);

struct redis_mux *redis_mux_new(struct ev_loop *loop, double timeout_s)
{
    struct redis_mux *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->loop = loop;
    m->timeout = timeout_s > 0 ? timeout_s : 2;
    pthread_mutex_init(&m->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&m->connected, &ca);
    pthread_condattr_destroy(&ca);
    for (int i = 0; i < MUX_ADDRS; i++) {
        struct mux_conn *mc = &m->conns[i];
        mc->m = m;
        mc->fd = -1;
        mc->fly_tail = &mc->fly;
        ev_init(&mc->rio, mux_read_cb);
        ev_init(&mc->wio, mux_write_cb);
        mc->rio.data = mc->wio.data = mc;
    }
    ev_async_init(&m->async, mux_async_cb);
    m->async.data = m;
    ev_async_start(loop, &m->async);
    ev_unref(loop);
    double every = m->timeout / 8;
    every = every < 0.01 ? 0.01 : every > 0.5 ? 0.5 : every;
    ev_timer_init(&m->timer, mux_timer_cb, every, every);
    m->timer.data = m;
    ev_timer_start(loop, &m->timer);
    ev_unref(loop);
    return m;
}

void redis_mux_shutdown(struct redis_mux *m)
{
    if (!m || m->closed)
        return;
    pthread_mutex_lock(&m->lock);
    m->closed = 1;
    for (int i = 0; i < MUX_ADDRS; i++)
        mux_teardown(m, &m->conns[i], ETM_REDIS_E_CLOSED, NULL);
    pthread_cond_broadcast(&m->connected);
    pthread_mutex_unlock(&m->lock);
    ev_ref(m->loop);
    ev_async_stop(m->loop, &m->async);
    ev_ref(m->loop);
    ev_timer_stop(m->loop, &m->timer);
}

void redis_mux_free(struct redis_mux *m)
{
    if (!m)
        return;
    redis_mux_shutdown(m);
    for (int i = 0; i < MUX_ADDRS; i++) {
        free(m->conns[i].addr);
        free(m->conns[i].out);
    }
    pthread_cond_destroy(&m->connected);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* The shared connection to ADDR, or NULL when the table is full.  Any
 * thread. */
static struct mux_conn *mux_lookup(struct redis_mux *m, const char *addr)
{
    struct mux_conn *found = NULL;
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < MUX_ADDRS && !found; i++) {
        struct mux_conn *mc = &m->conns[i];
        if (!mc->addr) {
            mc->addr = strdup(addr);
            found = mc->addr ? mc : NULL;
            break;
        }
        if (strcmp(mc->addr, addr) == 0)
            found = mc;
    }
    pthread_mutex_unlock(&m->lock);
    return found;
}

enum { MUX_READY, MUX_BUSY, MUX_FAILED };

/* The monotonic time TV from now. */
static struct timespec deadline_in(struct timeval tv)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += tv.tv_sec;
    dl.tv_nsec += (long)tv.tv_usec * 1000;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    return dl;
}

/* Make MC usable for RL's thread: MUX_READY, MUX_BUSY (it is being
 * dropped, or another thread's connect took too long: use the thread's
 * own connection) or MUX_FAILED with the OS error in DETAIL.  While
 * another thread connects, wait for it; if it fails, try once more
 * ourselves (every ரெடிஸ்_இணை makes its own attempt and has its own
 * error, as with a context's own connection). */
static int mux_ensure(struct redis_local *rl, struct mux_conn *mc, etm_buf *detail)
{
    struct redis_mux *m = rl->mux;
    pthread_mutex_lock(&m->lock);
    if (!m->closed && mc->state == MUX_CONNECTING) {
        struct timespec dl = deadline_in(rl->tv);
        while (!m->closed && mc->state == MUX_CONNECTING)
            if (pthread_cond_timedwait(&m->connected, &m->lock, &dl) == ETIMEDOUT)
                break;
    }
    enum mux_state st = m->closed ? MUX_CLOSING : mc->state;
    if (st == MUX_DOWN)
        mc->state = MUX_CONNECTING;
    int ever = mc->ever;
    pthread_mutex_unlock(&m->lock);
    if (st == MUX_UP)
        return MUX_READY;
    if (st != MUX_DOWN)
        return MUX_BUSY;
    redisContext *c = connect_addr(mc->addr, rl->tv, rl->user, auth_password(rl, mc->addr),
                                   detail);
    int fd = -1;
    if (c) {
        fd = c->fd;
        c->fd = -1;                 /* the socket outlives the context */
        redisFree(c);
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
            etm_os_error_append(detail, errno);
            close(fd);
            fd = -1;
        }
    }
    int rc = MUX_READY;
    pthread_mutex_lock(&m->lock);
    if (fd >= 0 && !m->closed) {
        mc->fd = fd;
        mc->state = MUX_UP;
        mc->ever = 1;
    } else {
        mc->state = MUX_DOWN;
        if (fd >= 0) {              /* shut down meanwhile */
            close(fd);
            rc = MUX_BUSY;
        } else {
            rc = MUX_FAILED;
        }
    }
    pthread_cond_broadcast(&m->connected);
    pthread_mutex_unlock(&m->lock);
    if (rc == MUX_FAILED)
        count(rl, 0, 1, 0);
    if (rc != MUX_READY)
        return rc;
    rl->st.connects++;
    count(rl, 0, 0, ever);
    ev_async_send(m->loop, &m->async);      /* attach the socket */
    return MUX_READY;
}

/* Send one plain command on MC for a run that will suspend until the
 * reply is in (the loop then calls the waiter's wake).  MUX_READY: sent
 * (or queued to be); MUX_BUSY: MC cannot take it now (the caller uses the
 * context's own connection); MUX_FAILED: out of memory. */
static int mux_send(struct redis_local *rl, struct mux_conn *mc, size_t argc,
                    const char *const *argv, const size_t *argvlen, etm_buf *detail)
{
    struct redis_mux *m = rl->mux;
    struct mux_wait *w = &rl->wait;
    char *cmd = NULL;
    int len = argc > INT32_MAX ? -1
        : redisFormatCommandArgv(&cmd, (int)argc, (const char **)argv, argvlen);
    struct mux_req *r = len < 0 ? NULL : malloc(sizeof(*r));
    if (!r) {
        free(cmd);
        etm_buf_adds(detail, "out of memory");
        count(rl, 0, 1, 0);
        return MUX_FAILED;
    }
    r->next = NULL;
    r->w = w;
    r->sent_ns = now_ns();

    int cancelled = atomic_load(&rl->cancelled);
    pthread_mutex_lock(&m->lock);
    if (m->closed || mc->state != MUX_UP || cancelled) {
        pthread_mutex_unlock(&m->lock);
        free(cmd);
        free(r);
        return MUX_BUSY;
    }
    *mc->fly_tail = r;
    mc->fly_tail = &r->next;
    w->req = r;
    w->mc = mc;
    w->reply = NULL;
    /* onto the socket now, unless bytes of others are still waiting */
    int tell_loop = 0;
    size_t done = 0;
    if (mc->out_off == mc->out_len) {
        while (done < (size_t)len) {
            ssize_t n = write(mc->fd, cmd + done, (size_t)len - done);
            if (n > 0)
                done += (size_t)n;
            else if (n < 0 && errno == EINTR)
                continue;
            else
                break;
        }
        if (done < (size_t)len && errno != EAGAIN && errno != EWOULDBLOCK) {
            mux_break(mc, ETM_REDIS_E_SEND, errno);
            tell_loop = 1;
        }
    }
    if (mc->state == MUX_UP && done < (size_t)len) {
        if (mux_keep(mc, cmd + done, (size_t)len - done) < 0)
            mux_break(mc, ETM_REDIS_E_SEND, ENOMEM);
        tell_loop = 1;              /* to write it, or to drop the connection */
    }
    pthread_mutex_unlock(&m->lock);
    free(cmd);
    rl->sent = 1;
    if (tell_loop)
        ev_async_send(m->loop, &m->async);
    return MUX_READY;
}

/* Give up a command in flight on a shared connection because its run was
 * cancelled (handler_timeout, a client that reset, a fast stop): the waiter
 * is answered "closed" and woken now.  The connection stays: the others
 * waiting on it are not this run's business, its reply is dropped when it
 * comes, and if Redis does not answer at all, mux_timer_cb breaks the
 * connection after the timeout.  Loop thread. */
static void mux_cancel(struct redis_mux *m, struct mux_wait *w)
{
    pthread_mutex_lock(&m->lock);
    struct mux_req *r = w->req;
    if (r) {
        r->w = NULL;
        w->req = NULL;
        w->reply = NULL;
        w->st = ETM_REDIS_E_CLOSED;
        w->detail[0] = '\0';
    }
    pthread_mutex_unlock(&m->lock);
    if (r)
        w->wake(w->wake_arg);
}

/* Replies overdue by the timeout break their connection (as a thread's
 * own connection times out), so every command on it fails now. */
static void mux_timer_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
    struct redis_mux *m = t->data;
    (void)revents;
    uint64_t now = now_ns(), limit = (uint64_t)(m->timeout * 1e9);
    int late = 0;
    pthread_mutex_lock(&m->lock);
    for (int i = 0; i < MUX_ADDRS; i++) {
        struct mux_conn *mc = &m->conns[i];
        if (mc->state == MUX_UP && mc->fly && now - mc->fly->sent_ns >= limit) {
            mux_break(mc, ETM_REDIS_E_READ, EAGAIN);
            late = 1;
        }
    }
    pthread_mutex_unlock(&m->lock);
    if (late)
        mux_async_cb(loop, &m->async, 0);
}

/* ------------------------------------------------------------------ */
/* The runtime's host interface                                        */

static const char *op_default_address(void *ud)
{
    struct redis_local *rl = ud;
    return rl->default_addr;
}

/* DETAIL (the OS error) becomes "ADDR\0OS ERROR", the form of E_CONNECT
 * from a command, where the runtime does not know which server it was. */
static void connect_failure(etm_buf *detail, const char *addr)
{
    etm_buf os = *detail;
    etm_buf_init(detail);
    etm_buf_adds(detail, addr);
    etm_buf_addc(detail, '\0');
    etm_buf_add(detail, os.p, os.len);
    etm_buf_free(&os);
}

static etm_redis_status op_connect(void *ud, const char *addr, etm_buf *detail)
{
    struct redis_local *rl = ud;
    struct rconn *e = find(rl, addr);
    if (!e) {
        etm_buf_adds(detail, "out of memory");
        return ETM_REDIS_E_CONNECT;
    }
    e->used = ++rl->clock;
    e->pinned = 0;
    e->prepared = 0;
    if (rl->mux && rl->reuse && !e->mc)
        e->mc = mux_lookup(rl->mux, addr);
    int ms = e->mc && rl->can_suspend ? mux_ensure(rl, e->mc, detail) : MUX_BUSY;
    if (ms == MUX_FAILED)
        return ETM_REDIS_E_CONNECT;     /* the OS error alone: the runtime adds addr */
    if (ms == MUX_BUSY) {
        e->pinned = 1;                  /* this logical connection is the context's own */
        if (prepare(rl, e, detail) < 0)
            return ETM_REDIS_E_CONNECT;
        e->prepared = 1;
    }
    rl->cur = e;
    return ETM_REDIS_OK;
}

/* Hand reply R (freed) to the runtime and count it. */
static etm_redis_status deliver(struct redis_local *rl, redisReply *r, etm_redis_item_fn item,
                                void *ctx)
{
    emit(r, item, ctx);
    count(rl, 1, r->type == REDIS_REPLY_ERROR, 0);
    freeReplyObject(r);
    return ETM_REDIS_OK;
}

/* Map the context's error (after a failed write or read) to a status. */
static etm_redis_status io_failure(redisContext *c, int writing, etm_buf *detail)
{
    switch (c->err) {
    case REDIS_ERR_EOF:
        return ETM_REDIS_E_CLOSED;
    case REDIS_ERR_PROTOCOL:
        if (protocol_marker(c->errstr, detail) == 0)
            return ETM_REDIS_E_MARKER;
        etm_buf_adds(detail, c->errstr);
        return ETM_REDIS_E_READ;
    case REDIS_ERR_IO:
        add_os_text(detail, c->errstr);
        return writing ? ETM_REDIS_E_SEND : ETM_REDIS_E_READ;
    default:
        etm_buf_adds(detail, c->err ? c->errstr : "unknown error");
        return writing ? ETM_REDIS_E_SEND : ETM_REDIS_E_READ;
    }
}

static etm_redis_status op_command(void *ud, size_t argc, const char *const *argv,
                                   const size_t *argvlen, etm_redis_item_fn item,
                                   void *ctx, etm_buf *detail)
{
    struct redis_local *rl = ud;
    struct rconn *e = rl->cur;
    if (!e)
        return ETM_REDIS_NOT_CONNECTED;
    e->used = ++rl->clock;
    int plain = plain_command(argv[0], argvlen[0]);
    if (!e->pinned && plain && rl->can_suspend) {
        int ms = mux_send(rl, e->mc, argc, argv, argvlen, detail);
        if (ms == MUX_READY)
            return ETM_REDIS_PENDING;   /* the run suspends; op_finish answers */
        if (ms == MUX_FAILED)
            return ETM_REDIS_E_SEND;
    }
    if (!e->pinned || !e->prepared) {
        /* from here on this logical connection is the context's own one */
        e->pinned = 1;
        if (prepare(rl, e, detail) < 0) {
            connect_failure(detail, e->addr);
            return ETM_REDIS_E_CONNECT;
        }
        e->prepared = 1;
    } else if (!e->c && open_conn(rl, e, detail) < 0) {
        connect_failure(detail, e->addr);
        return ETM_REDIS_E_CONNECT;
    }
    redisContext *c = e->c;
    int resetting = e->reset_pending;
    const char *pw = resetting ? auth_password(rl, e->addr) : NULL;   /* RESET logs out */
    if (argc > INT32_MAX || (resetting && redisAppendCommand(c, "RESET") != REDIS_OK)
        || (pw && append_auth(c, rl->user, pw) < 0)
        || redisAppendCommandArgv(c, (int)argc, (const char **)argv, argvlen) != REDIS_OK) {
        etm_buf_adds(detail, "out of memory");
        drop(e);
        count(rl, 0, 1, 0);
        return ETM_REDIS_E_SEND;
    }
    e->reset_pending = 0;
    if (!plain)
        e->dirty = 1;
    else if (resetting)
        e->dirty = 0;

    etm_redis_status st = ETM_REDIS_OK;
    redisReply *r = NULL;
    if (set_busy(rl, c->fd) < 0) {
        etm_buf_adds(detail, "cancelled");
        drop(e);
        count(rl, 1, 1, 0);
        return ETM_REDIS_E_READ;
    }
    int done = 0;
    while (!done) {
        if (redisBufferWrite(c, &done) != REDIS_OK) {
            st = io_failure(c, 1, detail);
            break;
        }
    }
    if (st == ETM_REDIS_OK && resetting && read_reset_reply(rl, e) < 0) {
        if (c->err) {
            st = io_failure(c, 0, detail);
        } else {
            etm_buf_adds(detail, "the server refused RESET");
            st = ETM_REDIS_E_READ;
        }
    }
    if (st == ETM_REDIS_OK && pw) {
        int rc = read_auth_reply(c, detail);
        if (rc == -1)
            st = io_failure(c, 0, detail);
        else if (rc < 0)
            st = ETM_REDIS_E_READ;
    }
    if (st == ETM_REDIS_OK && (redisGetReply(c, (void **)&r) != REDIS_OK || !r))
        st = io_failure(c, 0, detail);
    set_busy(rl, -1);
    if (st != ETM_REDIS_OK) {
        if (r)
            freeReplyObject(r);
        drop(e);
        count(rl, 1, 1, 0);
        return st;
    }
    return deliver(rl, r, item, ctx);
}

static bool op_close(void *ud)
{
    struct redis_local *rl = ud;
    struct rconn *e = rl->cur;
    if (!e)
        return false;
    rl->cur = NULL;
    if (!rl->reuse)
        drop(e);
    return true;
}

/* The reply a suspended run waited for (the loop filled rl->wait). */
static etm_redis_status op_finish(void *ud, etm_redis_item_fn item, void *ctx, etm_buf *detail)
{
    struct redis_local *rl = ud;
    struct mux_wait *w = &rl->wait;
    struct redis_mux *m = rl->mux;
    if (!m)
        return ETM_REDIS_NOT_CONNECTED;
    pthread_mutex_lock(&m->lock);
    redisReply *reply = w->req ? NULL : w->reply;
    etm_redis_status st = w->req ? ETM_REDIS_PENDING : w->st;
    w->reply = NULL;
    pthread_mutex_unlock(&m->lock);
    if (st == ETM_REDIS_PENDING)
        return st;
    rl->sent = 0;
    if (!reply) {
        if (st == ETM_REDIS_E_MARKER && protocol_marker(w->detail, detail) < 0) {
            etm_buf_adds(detail, w->detail);
            st = ETM_REDIS_E_READ;
        } else if (st != ETM_REDIS_E_MARKER) {
            etm_buf_adds(detail, w->detail);
        }
        count(rl, 1, 1, 0);
        return st;
    }
    return deliver(rl, reply, item, ctx);
}

static const etm_redis_ops redis_ops = {
    op_default_address, op_connect, op_command, op_close, op_finish
};


/* ------------------------------------------------------------------ */
/* Public                                                              */

struct redis_local *redis_local_new(const char *default_addr, double timeout_s,
                                    const char *user, const char *password,
                                    struct etd_proc_metrics *metrics, struct redis_mux *mux)
{
    struct redis_local *rl = calloc(1, sizeof(*rl));
    if (!rl)
        return NULL;
    rl->default_addr = strdup(default_addr ? default_addr : "127.0.0.1:6379");
    rl->user = user && password ? strdup(user) : NULL;
    rl->password = password ? strdup(password) : NULL;
    if (!rl->default_addr || (user && password && !rl->user) || (password && !rl->password)) {
        free(rl->default_addr);
        free(rl->user);
        free(rl->password);
        free(rl);
        return NULL;
    }
    if (!(timeout_s > 0))
        timeout_s = 2;
    rl->tv.tv_sec = (time_t)timeout_s;
    rl->tv.tv_usec = (suseconds_t)((timeout_s - (double)rl->tv.tv_sec) * 1e6);
    if (rl->tv.tv_sec == 0 && rl->tv.tv_usec == 0)
        rl->tv.tv_usec = 1000;
    const char *env = getenv("ETAMILD_REDIS_REUSE");
    rl->reuse = !(env && strcmp(env, "0") == 0);
    env = getenv("ETAMILD_REDIS_SHARED");
    rl->mux = env && strcmp(env, "0") == 0 ? NULL : mux;
    rl->metrics = metrics;
    rl->busy_fd = -1;
    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

/* A run dropped (or freed) while suspended on a shared connection: its
 * reply, when it comes, is nobody's, and one already in is freed. */
static void give_up_wait(struct redis_local *rl)
{
    if (!rl->sent)
        return;
    pthread_mutex_lock(&rl->mux->lock);
    if (rl->wait.req)
        rl->wait.req->w = NULL;
    rl->wait.req = NULL;
    if (rl->wait.reply)
        freeReplyObject(rl->wait.reply);
    rl->wait.reply = NULL;
    pthread_mutex_unlock(&rl->mux->lock);
    rl->sent = 0;
}

void redis_local_free(struct redis_local *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < MAX_CONNS; i++)
        forget(rl, &rl->conns[i]);
    give_up_wait(rl);
    pthread_mutex_destroy(&rl->lock);
    free(rl->default_addr);
    free(rl->user);
    if (rl->password) {
        explicit_bzero(rl->password, strlen(rl->password));
        free(rl->password);
    }
    free(rl);
}

void redis_local_host(struct redis_local *rl, etm_host *host)
{
    host->redis = &redis_ops;
    host->redis_ud = rl;
}

void redis_local_end(struct redis_local *rl)
{
    if (!rl)
        return;
    rl->cur = NULL;
    if (atomic_load_explicit(&rl->cancelled, memory_order_relaxed))
        atomic_store(&rl->cancelled, 0);   /* no cancel can come now: the hook is gone */
    give_up_wait(rl);
    if (!rl->reuse)
        for (int i = 0; i < MAX_CONNS; i++)
            drop(&rl->conns[i]);
}

void redis_local_cancel(struct redis_local *rl)
{
    if (!rl)
        return;
    pthread_mutex_lock(&rl->lock);
    atomic_store(&rl->cancelled, 1);
    if (rl->busy_fd >= 0)
        shutdown(rl->busy_fd, SHUT_RDWR);
    pthread_mutex_unlock(&rl->lock);
    if (rl->mux)
        mux_cancel(rl->mux, &rl->wait);
}

void redis_local_suspend(struct redis_local *rl, int allow, void (*wake)(void *arg), void *arg)
{
    if (!rl)
        return;
    rl->can_suspend = allow && wake && rl->mux && rl->reuse;
    rl->wait.wake = wake;
    rl->wait.wake_arg = arg;
}

void redis_local_stats(const struct redis_local *rl, struct redis_local_stats *out)
{
    *out = rl->st;
}
