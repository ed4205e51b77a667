// SPDX-License-Identifier: Apache-2.0
// UsageFlow — Linux system headers that Swift's Glibc module does not export (epoll, eventfd).
#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <malloc.h>

/// accept4 is declared by <sys/socket.h> only under _GNU_SOURCE, which the Glibc module does not set.
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
static inline int clinux_accept4(int fd, struct sockaddr *addr, socklen_t *length, int flags) {
    return accept4(fd, addr, length, flags);
}

static inline uint32_t clinux_epollin(void) { return EPOLLIN; }
static inline uint32_t clinux_epollout(void) { return EPOLLOUT; }
static inline uint32_t clinux_epollet(void) { return EPOLLET; }
static inline uint32_t clinux_epollrdhup(void) { return EPOLLRDHUP; }
static inline uint32_t clinux_epollerr(void) { return EPOLLERR; }
static inline uint32_t clinux_epollhup(void) { return EPOLLHUP; }

/// glibc allocator options (`mallopt`); 0 on C libraries without them.
static inline int clinux_set_trim_threshold(int bytes) {
#ifdef M_TRIM_THRESHOLD
    return mallopt(M_TRIM_THRESHOLD, bytes);
#else
    (void)bytes; return 0;
#endif
}
static inline int clinux_set_mmap_threshold(int bytes) {
#ifdef M_MMAP_THRESHOLD
    return mallopt(M_MMAP_THRESHOLD, bytes);
#else
    (void)bytes; return 0;
#endif
}

#endif
