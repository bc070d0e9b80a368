/* See tcpsock.h. */
#include "tcpsock.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../utils/netcompat.h"

int nn_tcpsock_listen(const struct nn_tcpaddr *a, int backlog)
{
    int one = 1;
    int fd;
    int rc;

    fd = nn_socket_nb(a->ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -errno;
    (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *) &a->ss, a->len) < 0 ||
        listen(fd, backlog) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

static void nn_tcpdial_resolved(void *owner, int rc, const struct nn_tcpaddr *a)
{
    struct nn_tcpdial *t = owner;

    if (rc == 0) {
        t->remote = *a;
        t->resolved = 1;
    }
    nn_stream_dial_resume(t->sep, rc);
}

int nn_tcpdial_step(struct nn_tcpdial *t, struct nn_stream_ep *sep, int *fdp)
{
    const struct nn_tcpaddr_dial *d = &t->d;
    struct nn_tcpaddr remote;
    struct nn_tcpaddr local;
    int fd;
    int rc;

    t->sep = sep;
    /* Looked up again on every attempt, so a name may move. */
    if (!t->resolved) {
        rc = nn_lookup_start(&t->lookup, d->host, d->ipv4only, d->port,
                             nn_tcpdial_resolved, t, &t->remote);
        if (rc == 0)
            return -EALREADY;
        if (rc < 0)
            return rc;
    }
    t->resolved = 0;
    remote = t->remote;
    if (d->has_local) {
        rc = nn_tcpaddr_local_for(d, &remote, &local);
        if (rc < 0)
            return rc;
    }
    fd = nn_socket_nb(remote.ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -errno;
    sep->vt->setopts(sep, fd);
    /* No bind without a local interface: bind to port 0 takes an
       ephemeral port by stricter rules than connect does, and fails with
       EADDRINUSE on a host with many connections in TIME_WAIT. */
    if (d->has_local &&
        bind(fd, (struct sockaddr *) &local.ss, local.len) < 0)
        goto fail;
    if (connect(fd, (struct sockaddr *) &remote.ss, remote.len) == 0) {
        *fdp = fd;
        return 0;
    }
    if (errno == EINPROGRESS) {
        *fdp = fd;
        return -EINPROGRESS;
    }
fail:
    rc = -errno;
    close(fd);
    return rc;
}

void nn_tcpdial_stop(struct nn_tcpdial *t)
{
    nn_lookup_cancel(&t->lookup);
}
