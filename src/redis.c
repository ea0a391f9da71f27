/*
 * redis.c -- kept Redis connections per thread, through hiredis (see
 * redis.h for the contract).  This file owns the connection table of one
 * thread, address parsing, timeouts, the state reset between requests,
 * hiredis error mapping and the Redis metrics; the eTamil side (values,
 * messages) is src/lang/builtins_redis.c.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "metrics.h"
#include "redis.h"

#define MAX_CONNS 8             /* servers kept per thread (least recently used goes) */
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
};

struct redis_local {
    char *default_addr;
    struct timeval tv;
    int reuse;
    struct etd_proc_metrics *metrics;
    struct rconn conns[MAX_CONNS];
    struct rconn *cur;          /* the run's current server, or NULL */
    uint64_t clock;
    struct redis_local_stats st;
    pthread_mutex_t lock;       /* guards busy_fd (redis_local_cancel) */
    int busy_fd;                /* socket of the command in progress, or -1 */
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

/* Connect E.  Returns 0, or -1 with the OS error in DETAIL. */
static int open_conn(struct redis_local *rl, struct rconn *e, etm_buf *detail)
{
    const char *a = e->addr;
    redisContext *c;
    if (strncmp(a, "unix:", 5) == 0) {
        if (!a[5]) {
            etm_buf_adds(detail, "invalid socket address");
            goto fail;
        }
        c = redisConnectUnixWithTimeout(a + 5, rl->tv);
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
        c = redisConnectWithTimeout(host, (int)port, rl->tv);
    }
    if (!c) {
        etm_buf_adds(detail, "out of memory");
        goto fail;
    }
    if (c->err) {
        add_os_text(detail, c->errstr);
        redisFree(c);
        goto fail;
    }
    if (redisSetTimeout(c, rl->tv) != REDIS_OK) {
        add_os_text(detail, c->errstr);
        redisFree(c);
        goto fail;
    }
    if (c->connection_type == REDIS_CONN_TCP && redisEnableKeepAlive(c) != REDIS_OK) {
        add_os_text(detail, c->errstr);
        redisFree(c);
        goto fail;
    }
    e->c = c;
    e->dirty = 0;
    e->reset_pending = 0;
    rl->st.connects++;
    count(rl, 0, 0, e->ever);
    e->ever = 1;
    return 0;
bad:
    etm_buf_adds(detail, "invalid socket address");
fail:
    count(rl, 0, 1, 0);
    return -1;
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

static void set_busy(struct redis_local *rl, int fd)
{
    pthread_mutex_lock(&rl->lock);
    rl->busy_fd = fd;
    pthread_mutex_unlock(&rl->lock);
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
            int ok = redisAppendCommand(e->c, "RESET") == REDIS_OK;
            set_busy(rl, e->c->fd);
            ok = ok && read_reset_reply(rl, e) == 0;
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
    if (prepare(rl, e, detail) < 0)
        return ETM_REDIS_E_CONNECT;     /* the OS error alone: the runtime adds addr */
    rl->cur = e;
    return ETM_REDIS_OK;
}

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
    if (!e->c && open_conn(rl, e, detail) < 0) {
        connect_failure(detail, e->addr);
        return ETM_REDIS_E_CONNECT;
    }
    redisContext *c = e->c;
    int resetting = e->reset_pending;
    if (argc > INT32_MAX || (resetting && redisAppendCommand(c, "RESET") != REDIS_OK)
        || redisAppendCommandArgv(c, (int)argc, (const char **)argv, argvlen) != REDIS_OK) {
        etm_buf_adds(detail, "out of memory");
        drop(e);
        count(rl, 0, 1, 0);
        return ETM_REDIS_E_SEND;
    }
    e->reset_pending = 0;
    if (!plain_command(argv[0], argvlen[0]))
        e->dirty = 1;
    else if (resetting)
        e->dirty = 0;

    etm_redis_status st = ETM_REDIS_OK;
    redisReply *r = NULL;
    set_busy(rl, c->fd);
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
    emit(r, item, ctx);
    count(rl, 1, r->type == REDIS_REPLY_ERROR, 0);
    freeReplyObject(r);
    return ETM_REDIS_OK;
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

static const etm_redis_ops redis_ops = {
    op_default_address, op_connect, op_command, op_close, NULL
};

/* ------------------------------------------------------------------ */
/* Public                                                              */

struct redis_local *redis_local_new(const char *default_addr, double timeout_s,
                                    struct etd_proc_metrics *metrics)
{
    struct redis_local *rl = calloc(1, sizeof(*rl));
    if (!rl)
        return NULL;
    rl->default_addr = strdup(default_addr ? default_addr : "127.0.0.1:6379");
    if (!rl->default_addr) {
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
    rl->metrics = metrics;
    rl->busy_fd = -1;
    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

void redis_local_free(struct redis_local *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < MAX_CONNS; i++)
        forget(rl, &rl->conns[i]);
    pthread_mutex_destroy(&rl->lock);
    free(rl->default_addr);
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
    if (!rl->reuse)
        for (int i = 0; i < MAX_CONNS; i++)
            drop(&rl->conns[i]);
}

void redis_local_cancel(struct redis_local *rl)
{
    if (!rl)
        return;
    pthread_mutex_lock(&rl->lock);
    if (rl->busy_fd >= 0)
        shutdown(rl->busy_fd, SHUT_RDWR);
    pthread_mutex_unlock(&rl->lock);
}

void redis_local_stats(const struct redis_local *rl, struct redis_local_stats *out)
{
    *out = rl->st;
}
