/* tcp:// transport: address forms and socket set-up. Connections, accept
   loop and reconnects are the stream engine's (stream.c). */
#include "resolver.h"
#include "stream.h"
#include "tcpaddr.h"
#include "../../include/nanomsg/tcp.h"
#include "../utils/netcompat.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NN_TCP_BACKLOG 100

_Static_assert(NN_TCPADDR_MAX <= NN_STREAM_MAXLSN,
               "a listener holds every address of a bind name");

static void nn_tcp_setopts(struct nn_stream_ep *sep, int fd)
{
    int nodelay = nn_sock_getopt_int(sep->sock, NN_TCP, NN_TCP_NODELAY);

    nn_stream_setbufs(sep, fd);
    (void) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay,
                      sizeof(nodelay));
}

/* A connecting endpoint: its address, and its host's address once looked
   up for the current attempt. */
struct nn_tcp_dialer {
    struct nn_tcpaddr_dial d;
    struct nn_lookup *lookup;     /* pending, or NULL */
    int resolved;                 /* `remote` is this attempt's */
    struct nn_tcpaddr remote;
};

static void nn_tcp_resolved(void *owner, int rc, const struct nn_tcpaddr *a)
{
    struct nn_stream_ep *sep = owner;
    struct nn_tcp_dialer *t = sep->tdata;

    if (rc == 0) {
        t->remote = *a;
        t->resolved = 1;
    }
    nn_stream_dial_resume(sep, rc);
}

static int nn_tcp_dial(struct nn_stream_ep *sep, int *fdp)
{
    struct nn_tcp_dialer *t = sep->tdata;
    const struct nn_tcpaddr_dial *d = &t->d;
    struct nn_tcpaddr remote;
    struct nn_tcpaddr local;
    int fd;
    int rc;

    /* Looked up again on every attempt, so a name may move. */
    if (!t->resolved) {
        rc = nn_lookup_start(&t->lookup, d->host, d->ipv4only, d->port,
                             nn_tcp_resolved, sep, &t->remote);
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
    fd = nn_socket_nb(remote.ss.ss_family, SOCK_STREAM,
                0);
    if (fd < 0)
        return -errno;
    nn_tcp_setopts(sep, fd);
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

static void nn_tcp_stopped(struct nn_stream_ep *sep)
{
    struct nn_tcp_dialer *t = sep->tdata;

    if (t != NULL)
        nn_lookup_cancel(&t->lookup);
    free(t);
    sep->tdata = NULL;
}

static const struct nn_stream_vt nn_tcp_vt = {
    .ipc = 0,
    .setopts = nn_tcp_setopts,
    .dial = nn_tcp_dial,
    .stopped = nn_tcp_stopped,
};

static int nn_tcp_listen_one(const struct nn_tcpaddr *a)
{
    int one = 1;
    int fd;
    int rc;

    fd = nn_socket_nb(a->ss.ss_family, SOCK_STREAM,
                0);
    if (fd < 0)
        return -errno;
    (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *) &a->ss, a->len) < 0 ||
        listen(fd, NN_TCP_BACKLOG) < 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    return fd;
}

static int nn_tcp_bind(struct nn_ep *ep)
{
    struct nn_tcpaddr addrs[NN_TCPADDR_MAX];
    int fds[NN_TCPADDR_MAX];
    int n;
    int i;

    n = nn_tcpaddr_parse_bind(ep->rest, ep->ipv4only, addrs);
    if (n < 0)
        return n;
    for (i = 0; i < n; i++) {
        fds[i] = nn_tcp_listen_one(&addrs[i]);
        if (fds[i] < 0) {
            int rc = fds[i];
            while (i-- > 0)
                close(fds[i]);
            return rc;
        }
    }
    return nn_stream_listen(ep, &nn_tcp_vt, NULL, fds, n);
}

static int nn_tcp_connect(struct nn_ep *ep)
{
    struct nn_tcp_dialer *t = calloc(1, sizeof(*t));
    int rc;

    if (t == NULL)
        return -ENOMEM;
    rc = nn_tcpaddr_parse_connect(ep->rest, ep->ipv4only, &t->d);
    if (rc == 0)
        rc = nn_stream_dial(ep, &nn_tcp_vt, t);
    if (rc < 0)
        free(t);
    return rc;
}

static const struct nn_topt nn_tcp_opts[] = {
    { NN_TCP_NODELAY, NN_TOPT_INT, 0, 1, 0, 1 },
};

const struct nn_transport nn_tcp_transport = {
    .scheme = "tcp",
    .id = NN_TCP,
    .opts = nn_tcp_opts,
    .nopts = sizeof(nn_tcp_opts) / sizeof(nn_tcp_opts[0]),
    .bind = nn_tcp_bind,
    .connect = nn_tcp_connect,
    .stop = nn_stream_stop,
};
