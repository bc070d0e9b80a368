/* Plain-socket ends for the end-to-end targets: connecting to a nanomsg
   listener, and a listener of our own for a nanomsg socket to dial.
   Addresses are loopback and the sandbox directory only. */
#ifndef NN_FUZZ_E2E_CONN_H
#define NN_FUZZ_E2E_CONN_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "e2e.h"
#include "sandbox.h"

struct e2e_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

static inline void e2e_tcp_addr(struct e2e_addr *a, unsigned port)
{
    struct sockaddr_in *in = (struct sockaddr_in *) &a->ss;
    memset(a, 0, sizeof(*a));
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t) port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->len = sizeof(*in);
}

static inline void e2e_ipc_addr(struct e2e_addr *a, const char *path)
{
    struct sockaddr_un *un = (struct sockaddr_un *) &a->ss;
    memset(a, 0, sizeof(*a));
    un->sun_family = AF_UNIX;
    snprintf(un->sun_path, sizeof(un->sun_path), "%s", path);
    a->len = sizeof(*un);
}

/* Our tcp connections to a nanomsg listener all go out from one local
   port, held for this process by a bound socket that never listens.
   We half-close first, so each connection ends in TIME_WAIT on our side;
   from an ephemeral port, millions of them would hold every ephemeral
   port of the host for a minute (the kernel keeps up to
   tcp_max_tw_buckets of them), and other programs' bind to port 0 would
   fail. From a bound port, connect() takes over the TIME_WAIT of the
   same address pair (TCP timestamps make that safe), so at most one is
   left per listener. The library's bind() is wrapped by sandbox.c, which
   would pick port 0: ours go straight to the kernel. */
static inline int e2e_bind_src(int fd)
{
    static int holder = -1;
    static unsigned port;
    struct sockaddr_in in;
    int one = 1;

    memset(&in, 0, sizeof(in));
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (holder < 0) {
        socklen_t len = sizeof(in);
        holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        FUZZ_ASSERT(holder >= 0);
        FUZZ_ASSERT(setsockopt(holder, SOL_SOCKET, SO_REUSEADDR, &one,
                               sizeof(one)) == 0);
        FUZZ_ASSERT(syscall(SYS_bind, holder, &in, sizeof(in)) == 0);
        FUZZ_ASSERT(getsockname(holder, (struct sockaddr *) &in, &len) == 0);
        port = ntohs(in.sin_port);
    }
    in.sin_port = htons((uint16_t) port);
    return setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == 0 &&
           syscall(SYS_bind, fd, &in, sizeof(in)) == 0;
}

static inline int e2e_connect(const struct e2e_addr *a)
{
    for (int from_ours = a->ss.ss_family == AF_INET;; from_ours = 0) {
        int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        FUZZ_ASSERT(fd >= 0);
        /* Should the port be taken (another program may listen there
           with SO_REUSEADDR), or the pair still be in use, an ephemeral
           port does. */
        if (from_ours && !e2e_bind_src(fd)) {
            close(fd);
            continue;
        }
        if (connect(fd, (const struct sockaddr *) &a->ss, a->len) == 0)
            return fd;
        FUZZ_ASSERT(from_ours);
        close(fd);
    }
}

/* A non-blocking listener; for tcp, *port gets the port the OS chose. */
static inline int e2e_listen(struct e2e_addr *a, unsigned *port)
{
    int fd = socket(a->ss.ss_family,
                    SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    FUZZ_ASSERT(fd >= 0);
    FUZZ_ASSERT(bind(fd, (const struct sockaddr *) &a->ss, a->len) == 0);
    FUZZ_ASSERT(listen(fd, 16) == 0);
    if (port != NULL)
        *port = fuzz_sandbox_port();
    return fd;
}

/* The connection a nanomsg socket dialed, within E2E_WAIT_MS. */
static inline int e2e_accept(int lfd)
{
    struct pollfd pf = {lfd, POLLIN, 0};
    int fd;

    FUZZ_ASSERT(poll(&pf, 1, E2E_WAIT_MS) == 1);
    fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    FUZZ_ASSERT(fd >= 0);
    /* Blocking from here, like the connecting side. */
    FUZZ_ASSERT(fcntl(fd, F_SETFL, 0) == 0);
    return fd;
}

/* Close connections still queued on our listener (made before the
   endpoint was shut down), so the next input starts clean. */
static inline void e2e_drain(int lfd)
{
    int fd;
    while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
        close(fd);
}

#endif
