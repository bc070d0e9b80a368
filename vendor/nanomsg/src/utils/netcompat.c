#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netcompat.h"
#include "platform.h"

int nn_fd_nb(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    fl = fcntl(fd, F_GETFD);
    if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
        return -1;
    return 0;
}

/* Set-up the flags of socket(2)/accept4(2) cannot do. Closes `fd` on
   failure. */
static int setup(int fd)
{
    int e;
#ifndef NN_HAVE_ACCEPT4
    if (nn_fd_nb(fd) < 0)
        goto fail;
#endif
#ifdef NN_HAVE_SO_NOSIGPIPE
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof(one)) < 0)
        goto fail;
#endif
    return fd;
#if !defined(NN_HAVE_ACCEPT4) || defined(NN_HAVE_SO_NOSIGPIPE)
fail:
#endif
    e = errno;
    close(fd);
    errno = e;
    return -1;
}

int nn_socket_nb(int domain, int type, int protocol)
{
#ifdef NN_HAVE_ACCEPT4
    type |= SOCK_NONBLOCK | SOCK_CLOEXEC;
#endif
    int fd = socket(domain, type, protocol);
    return fd < 0 ? fd : setup(fd);
}

int nn_accept_nb(int lfd)
{
#ifdef NN_HAVE_ACCEPT4
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
#else
    /* Another thread's fork+exec between accept and fcntl could inherit
       the descriptor; POSIX offers nothing better. */
    int fd = accept(lfd, NULL, NULL);
#endif
    return fd < 0 ? fd : setup(fd);
}

#if defined(NN_HAVE_MSG_NOSIGNAL)
#define SEND_FLAGS MSG_NOSIGNAL
#else
#define SEND_FLAGS 0
#endif

#if defined(NN_HAVE_MSG_NOSIGNAL) || defined(NN_HAVE_SO_NOSIGPIPE)
ssize_t nn_sendmsg_nosig(int fd, const struct msghdr *mh)
{
    return sendmsg(fd, mh, SEND_FLAGS);
}

ssize_t nn_send_nosig(int fd, const void *buf, size_t len)
{
    return send(fd, buf, len, SEND_FLAGS);
}
#else
/* No way to tell the socket: block SIGPIPE on this thread for the call,
   and take back a SIGPIPE the call raised (it stays pending on the thread
   while blocked). One that was pending before is the host's: left alone.
   It can only be pending already where the thread had it blocked (the
   loop thread blocks everything); only then is it looked for first. The
   library must never kill its host. */
struct nosig {
    sigset_t old;
    int pending;    /* SIGPIPE was pending before the call */
};

static void nosig_enter(struct nosig *ns)
{
    sigset_t pipe, pend;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &ns->old);
    ns->pending = 0;
    if (sigismember(&ns->old, SIGPIPE) && sigpending(&pend) == 0)
        ns->pending = sigismember(&pend, SIGPIPE);
}

static void nosig_leave(struct nosig *ns, ssize_t rc)
{
    int e = errno;
    if (rc < 0 && e == EPIPE && !ns->pending) {
        sigset_t pipe, pend;
        int sig;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        if (sigpending(&pend) == 0 && sigismember(&pend, SIGPIPE))
            sigwait(&pipe, &sig);
    }
    if (!sigismember(&ns->old, SIGPIPE))
        pthread_sigmask(SIG_SETMASK, &ns->old, NULL);
    errno = e;
}

ssize_t nn_sendmsg_nosig(int fd, const struct msghdr *mh)
{
    struct nosig ns;
    nosig_enter(&ns);
    ssize_t rc = sendmsg(fd, mh, 0);
    nosig_leave(&ns, rc);
    return rc;
}

ssize_t nn_send_nosig(int fd, const void *buf, size_t len)
{
    struct nosig ns;
    nosig_enter(&ns);
    ssize_t rc = send(fd, buf, len, 0);
    nosig_leave(&ns, rc);
    return rc;
}
#endif

void nn_tcp_quickack(int fd)
{
#ifdef NN_HAVE_TCP_QUICKACK
    (void) setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &(int){1}, sizeof(int));
#else
    (void) fd;
#endif
}

int nn_pipe_nb(int fds[2])
{
    if (pipe(fds) != 0)
        return -errno;
    if (nn_fd_nb(fds[0]) < 0 || nn_fd_nb(fds[1]) < 0) {
        int e = errno;
        close(fds[0]);
        close(fds[1]);
        return -e;
    }
    return 0;
}
