/* Plain-socket ends for the end-to-end targets: connecting to a nanomsg
   listener, and a listener of our own for a nanomsg socket to dial.
   Addresses are loopback and the sandbox directory only. */
#ifndef NN_FUZZ_E2E_CONN_H
#define NN_FUZZ_E2E_CONN_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
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

static inline int e2e_connect(const struct e2e_addr *a)
{
    int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_ASSERT(fd >= 0);
    FUZZ_ASSERT(connect(fd, (const struct sockaddr *) &a->ss, a->len) == 0);
    return fd;
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
