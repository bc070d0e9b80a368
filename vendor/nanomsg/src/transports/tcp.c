/* tcp:// transport: address forms and socket set-up. Connections, accept
   loop and reconnects are the stream engine's (stream.c). */
#include "stream.h"
#include "tcpaddr.h"
#include "tcpsock.h"
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

static int nn_tcp_dial(struct nn_stream_ep *sep, int *fdp)
{
    return nn_tcpdial_step(sep->tdata, sep, fdp);
}

static void nn_tcp_stopped(struct nn_stream_ep *sep)
{
    struct nn_tcpdial *t = sep->tdata;

    if (t != NULL)
        nn_tcpdial_stop(t);
    free(t);
    sep->tdata = NULL;
}

static const struct nn_stream_vt nn_tcp_vt = {
    .ipc = 0,
    .setopts = nn_tcp_setopts,
    .dial = nn_tcp_dial,
    .stopped = nn_tcp_stopped,
};

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
        fds[i] = nn_tcpsock_listen(&addrs[i], NN_TCP_BACKLOG);
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
    struct nn_tcpdial *t = calloc(1, sizeof(*t));
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
