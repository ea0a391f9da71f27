/*
 * listen.c -- opening, probing and steering the listening sockets.
 *
 * The master opens every socket and keeps it for its whole life; workers
 * only inherit them.  Within one address, the sockets of all slots form
 * one SO_REUSEPORT group; the kernel numbers a group's sockets in the order
 * they started listening, which is slot order because the master opens them
 * slot by slot and only ever closes the highest slot.  listen_steer()
 * attaches a tiny classic BPF program that picks one of an explicit list of
 * those numbers at random, so slots can be taken out of (and put back
 * into) rotation without closing a socket and resetting its queue.
 */
#include "autoconfig.h"

#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

int listen_probe(const struct etd_listen_addr *a, char *err, size_t errlen)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "listen %s: socket: %s", a->text, strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (a->ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    int rc = bind(fd, (const struct sockaddr *)&a->ss, a->len);
    int e = errno;
    close(fd);
    if (rc < 0) {
        if (e == EADDRINUSE)
            snprintf(err, errlen, "listen %s: address already in use (is another etamild running?)", a->text);
        else
            snprintf(err, errlen, "listen %s: bind: %s", a->text, strerror(e));
        return -1;
    }
    return 0;
}

int listen_open(const struct etd_listen_addr *a, int backlog, char *err, size_t errlen)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(err, errlen, "listen %s: socket: %s", a->text, strerror(errno));
        return -1;
    }
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0 ||
        (a->ss.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) < 0)) {
        snprintf(err, errlen, "listen %s: setsockopt: %s", a->text, strerror(errno));
        close(fd);
        return -1;
    }
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) < 0) {
        snprintf(err, errlen, "listen %s: bind: %s", a->text, strerror(errno));
        close(fd);
        return -1;
    }
    if (listen(fd, backlog) < 0) {
        snprintf(err, errlen, "listen %s: listen: %s", a->text, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int listen_set_backlog(int fd, int backlog)
{
    return listen(fd, backlog);
}

int listen_steer(int fd, const int *indices, int n)
{
    if (n < 1 || n > 256) {
        errno = EINVAL;
        return -1;
    }
    /* A = random % n; the compare for value i (at 2+i) jumps n-1 ahead to
     * the return of indices[i] (at 2+n+i); the last compare falls through
     * to the first return. */
    struct sock_filter code[2 + 256 + 256];
    int pc = 0;
    code[pc++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_RANDOM);
    code[pc++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, (unsigned)n);
    for (int i = 0; i < n; i++)
        code[pc++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)i,
                                                  (unsigned char)(n - 1), 0);
    for (int i = 0; i < n; i++)
        code[pc++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, (unsigned)indices[i]);
    struct sock_fprog prog;
    memset(&prog, 0, sizeof prog);     /* no uninitialised padding reaches the kernel */
    prog.len = (unsigned short)pc;
    prog.filter = code;
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog);
}

int listen_queue_len(int fd)
{
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
        return -1;
    /* For a listening socket tcpi_unacked is the accept queue length. */
    return (int)ti.tcpi_unacked;
}

int listen_matches(int fd, const struct etd_listen_addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int type = 0, acc = 0;
    socklen_t tl = sizeof type, al = sizeof acc;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM)
        return 0;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &al) < 0 || !acc)
        return 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 || ss.ss_family != a->ss.ss_family)
        return 0;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)&ss;
        const struct sockaddr_in *y = (const struct sockaddr_in *)&a->ss;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)&ss;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&a->ss;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return 0;
}

int listen_is_reuseport(int fd)
{
    int v = 0;
    socklen_t l = sizeof v;
    return getsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &v, &l) == 0 && v;
}
