/*
 * listen.h -- the master's listening sockets: one SO_REUSEPORT socket per
 * worker slot per listen address, and the kernel-side steering that decides
 * which of a group's sockets a new connection is queued on.
 */
#ifndef ETD_LISTEN_H
#define ETD_LISTEN_H

#include <stddef.h>

#include "config.h"

/* 0 when nobody listens on a's address and port (a bind without
 * SO_REUSEPORT succeeds), else -1 with a message.  Opens no listening
 * socket, so it never joins a running daemon's reuseport group. */
int listen_probe(const struct etd_listen_addr *a, char *err, size_t errlen);

/* A non-blocking, close-on-exec SO_REUSEPORT listening socket on a, or -1
 * with a message.  IPv6 sockets are IPV6_V6ONLY. */
int listen_open(const struct etd_listen_addr *a, int backlog, char *err, size_t errlen);

/* Change the backlog of a listening socket (listen(2) again). */
int listen_set_backlog(int fd, int backlog);

/* Steer new connections of fd's reuseport group uniformly to the sockets at
 * the given group indices (the order in which the group's sockets started
 * listening).  Attaches a classic BPF program; 0 or -1 (errno). */
int listen_steer(int fd, const int *indices, int n);

/* Connections waiting in fd's accept queue, or -1. */
int listen_queue_len(int fd);

/* 1 when fd is a TCP listening socket bound to a's address and port. */
int listen_matches(int fd, const struct etd_listen_addr *a);

/* 1 when fd has SO_REUSEPORT set. */
int listen_is_reuseport(int fd);

#endif
