/* Stream endpoints: the accept loop of a listener and the connect attempts
   of a dialer (see stream.h). Connections themselves live in streamconn.c,
   or in the transport's own code (vt->start). */
#include "stream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../utils/netcompat.h"
#include <unistd.h>

/* Accepts per readiness callback, so one busy listener cannot starve the
   loop; level-triggered epoll brings us back for the rest. */
#define NN_STREAM_ACCEPT_BATCH 16
/* Pause after running out of descriptors or memory in accept(). */
#define NN_STREAM_ACCEPT_PAUSE_MS 100

#define nn_stream_of(ptr, type, member) \
    ((type *) (void *) ((char *) (ptr) - offsetof(type, member)))

static struct nn_stream_ep *nn_stream_new(struct nn_ep *ep,
                                          const struct nn_stream_vt *vt,
                                          void *tdata)
{
    struct nn_stream_ep *sep = calloc(1, sizeof(*sep));

    if (sep == NULL)
        return NULL;
    sep->ep = ep;
    sep->sock = ep->sock;
    sep->vt = vt;
    sep->tdata = tdata;
    sep->dialfd = -1;
    nn_list_init(&sep->conns);
    return sep;
}

void nn_stream_setbufs(struct nn_stream_ep *sep, int fd)
{
    int v;

    /* Best effort, as in libnanomsg: the kernel clamps silly values. */
    v = nn_sock_getopt_int(sep->sock, NN_SOL_SOCKET, NN_SNDBUF);
    (void) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
    v = nn_sock_getopt_int(sep->sock, NN_SOL_SOCKET, NN_RCVBUF);
    (void) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

/* --- listening ------------------------------------------------------- */

static void nn_stream_accept_resume(struct nn_io_timer *t)
{
    struct nn_stream_ep *sep = nn_stream_of(t, struct nn_stream_ep,
                                            accept_pause);
    int i;

    for (i = 0; i < sep->nlsn; i++)
        nn_io_fd_set(&sep->lsn[i].w, NN_IO_IN);
}

static void nn_stream_accept_error(struct nn_stream_ep *sep, int err)
{
    int i;

    nn_sock_stat(sep->sock, NN_STAT_ACCEPT_ERRORS, 1);
    nn_ep_set_error(sep->ep, err);
    /* Out of resources (or any error we cannot clear): the pending
       connection stays in the backlog and would wake us forever; look
       again a little later. */
    for (i = 0; i < sep->nlsn; i++)
        nn_io_fd_set(&sep->lsn[i].w, 0);
    nn_io_timer_start(&sep->accept_pause, NN_STREAM_ACCEPT_PAUSE_MS);
}

/* A new connection, the transport's own or an SP stream one. */
static int nn_stream_conn_start(struct nn_stream_ep *sep, int fd)
{
    if (sep->vt->start != NULL)
        return sep->vt->start(sep, fd);
    return nn_sconn_start(sep, fd);
}

static void nn_stream_accept_cb(struct nn_io_fd *w, unsigned revents)
{
    struct nn_stream_lsn *lsn = nn_stream_of(w, struct nn_stream_lsn, w);
    struct nn_stream_ep *sep = lsn->sep;
    int i;
    int fd;

    (void) revents;
    for (i = 0; i < NN_STREAM_ACCEPT_BATCH; i++) {
        fd = nn_accept_nb(lsn->fd);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                nn_stream_accept_error(sep, errno);
            return;
        }
        nn_sock_stat(sep->sock, NN_STAT_ACCEPTED_CONNECTIONS, 1);
        sep->vt->setopts(sep, fd);
        /* On failure the descriptor is closed: the peer sees a reset. */
        nn_stream_conn_start(sep, fd);
    }
}

struct nn_stream_add {
    struct nn_stream_ep *sep;
    int first;   /* index of the first new listener in lsn[] */
    int n;
    int rc;
};

static void nn_stream_listen_loop(void *arg)
{
    struct nn_stream_add *a = arg;
    struct nn_stream_lsn *lsn = &a->sep->lsn[a->first];
    int i;

    for (i = 0; i < a->n; i++) {
        a->rc = nn_io_fd_add(&lsn[i].w, lsn[i].fd, NN_IO_IN,
                             nn_stream_accept_cb);
        if (a->rc < 0)
            break;
    }
    if (a->rc < 0) {
        while (i-- > 0)
            nn_io_fd_del(&lsn[i].w);
        return;
    }
    /* Counted only here: the loop walks lsn[0..nlsn) in its callbacks. */
    a->sep->nlsn += a->n;
}

int nn_stream_lsn_add(struct nn_stream_ep *sep, const int *fds, int nfds)
{
    struct nn_stream_add a;
    int i;

    if (nfds > NN_STREAM_MAXLSN - sep->nlsn) {
        for (i = 0; i < nfds; i++)
            close(fds[i]);
        return -EINVAL;
    }
    for (i = 0; i < nfds; i++) {
        sep->lsn[sep->nlsn + i].sep = sep;
        sep->lsn[sep->nlsn + i].fd = fds[i];
    }
    a.sep = sep;
    a.first = sep->nlsn;
    a.n = nfds;
    a.rc = 0;
    /* Registered on the loop so the accept callback can never run before
       the endpoint is published. */
    if (nfds > 0)
        nn_io_call(nn_stream_listen_loop, &a);
    if (a.rc < 0) {
        for (i = 0; i < nfds; i++)
            close(fds[i]);
    }
    return a.rc;
}

int nn_stream_listen(struct nn_ep *ep, const struct nn_stream_vt *vt,
                     void *tdata, const int *fds, int nfds)
{
    struct nn_stream_ep *sep;
    int rc;
    int i;

    sep = nfds <= NN_STREAM_MAXLSN ? nn_stream_new(ep, vt, tdata) : NULL;
    if (sep == NULL) {
        for (i = 0; i < nfds; i++)
            close(fds[i]);
        return nfds <= NN_STREAM_MAXLSN ? -ENOMEM : -EINVAL;
    }
    nn_io_timer_init(&sep->accept_pause, nn_stream_accept_resume);
    ep->tdata = sep;
    rc = nn_stream_lsn_add(sep, fds, nfds);
    if (rc < 0) {
        ep->tdata = NULL;
        free(sep);
    }
    return rc;
}

void nn_stream_lsn_move(struct nn_stream_ep *from, struct nn_stream_ep *to)
{
    struct nn_stream_lsn *l;
    int i;

    nn_io_timer_cancel(&from->accept_pause);
    for (i = 0; i < from->nlsn; i++) {
        nn_io_fd_del(&from->lsn[i].w);
        if (to->nlsn == NN_STREAM_MAXLSN) {
            close(from->lsn[i].fd);
            continue;
        }
        l = &to->lsn[to->nlsn];
        l->sep = to;
        l->fd = from->lsn[i].fd;
        if (nn_io_fd_add(&l->w, l->fd, NN_IO_IN, nn_stream_accept_cb) < 0) {
            close(l->fd);
            continue;
        }
        to->nlsn++;
    }
    from->nlsn = 0;
}

/* --- connecting ------------------------------------------------------ */

static void nn_stream_schedule(struct nn_stream_ep *sep)
{
    if (!sep->stopping)
        nn_io_timer_start(&sep->retry, nn_backoff_next(&sep->backoff));
}

static void nn_stream_dial_failed(struct nn_stream_ep *sep, int err)
{
    nn_sock_stat(sep->sock, NN_STAT_INPROGRESS_CONNECTIONS, -1);
    nn_sock_stat(sep->sock, NN_STAT_CONNECT_ERRORS, 1);
    nn_ep_set_error(sep->ep, err);
    nn_stream_schedule(sep);
}

static void nn_stream_dial_done(struct nn_stream_ep *sep, int fd)
{
    nn_sock_stat(sep->sock, NN_STAT_INPROGRESS_CONNECTIONS, -1);
    nn_sock_stat(sep->sock, NN_STAT_ESTABLISHED_CONNECTIONS, 1);
    nn_ep_set_error(sep->ep, 0);
    /* A connection that cannot even start counts as broken: retry. */
    if (nn_stream_conn_start(sep, fd) < 0) {
        nn_sock_stat(sep->sock, NN_STAT_BROKEN_CONNECTIONS, 1);
        nn_stream_schedule(sep);
    }
}

static void nn_stream_dial_cb(struct nn_io_fd *w, unsigned revents)
{
    struct nn_stream_ep *sep = nn_stream_of(w, struct nn_stream_ep, dialw);
    int fd = sep->dialfd;
    int err = 0;
    socklen_t len = sizeof(err);

    (void) revents;
    nn_io_fd_del(&sep->dialw);
    sep->dialfd = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err != 0) {
        close(fd);
        nn_stream_dial_failed(sep, err);
        return;
    }
    nn_stream_dial_done(sep, fd);
}

/* An attempt, counted in progress already: dial and go on from there. */
static void nn_stream_dial_step(struct nn_stream_ep *sep)
{
    int fd = -1;
    int rc;

    rc = sep->vt->dial(sep, &fd);
    if (rc == -EALREADY) {
        sep->dialwait = 1;
        return;
    }
    if (rc == 0) {
        nn_stream_dial_done(sep, fd);
        return;
    }
    if (rc == -EINPROGRESS) {
        rc = nn_io_fd_add(&sep->dialw, fd, NN_IO_OUT, nn_stream_dial_cb);
        if (rc == 0) {
            sep->dialfd = fd;
            return;
        }
        close(fd);
    }
    nn_stream_dial_failed(sep, -rc);
}

static void nn_stream_attempt(struct nn_io_timer *t)
{
    struct nn_stream_ep *sep = nn_stream_of(t, struct nn_stream_ep, retry);

    if (sep->stopping)
        return;
    nn_sock_stat(sep->sock, NN_STAT_INPROGRESS_CONNECTIONS, 1);
    nn_stream_dial_step(sep);
}

void nn_stream_dial_resume(struct nn_stream_ep *sep, int rc)
{
    sep->dialwait = 0;
    if (sep->stopping)
        return;
    if (rc < 0)
        nn_stream_dial_failed(sep, -rc);
    else
        nn_stream_dial_step(sep);
}

void nn_stream_conn_ended(struct nn_stream_ep *sep)
{
    if (sep->dialer)
        nn_stream_schedule(sep);
}

int nn_stream_dial(struct nn_ep *ep, const struct nn_stream_vt *vt,
                   void *tdata)
{
    struct nn_stream_ep *sep = nn_stream_new(ep, vt, tdata);

    if (sep == NULL)
        return -ENOMEM;
    sep->dialer = 1;
    nn_backoff_init(&sep->backoff, ep->reconnect_ivl, ep->reconnect_ivl_max);
    nn_io_timer_init(&sep->retry, nn_stream_attempt);
    ep->tdata = sep;
    nn_io_timer_start(&sep->retry, 0);
    return 0;
}

/* --- stopping -------------------------------------------------------- */

static void nn_stream_stop_loop(void *arg)
{
    struct nn_stream_ep *sep = arg;
    int i;

    if (sep->vt->stopping != NULL)
        sep->vt->stopping(sep);
    sep->stopping = 1;
    if (sep->dialer) {
        nn_io_timer_cancel(&sep->retry);
        if (sep->dialfd >= 0) {
            nn_io_fd_del(&sep->dialw);
            close(sep->dialfd);
            sep->dialfd = -1;
            nn_sock_stat(sep->sock, NN_STAT_INPROGRESS_CONNECTIONS, -1);
        }
        /* A pending step (a name lookup) is the transport's to cancel, in
           `stopped` below. */
        if (sep->dialwait) {
            sep->dialwait = 0;
            nn_sock_stat(sep->sock, NN_STAT_INPROGRESS_CONNECTIONS, -1);
        }
    } else {
        nn_io_timer_cancel(&sep->accept_pause);
        for (i = 0; i < sep->nlsn; i++) {
            nn_io_fd_del(&sep->lsn[i].w);
            close(sep->lsn[i].fd);
        }
        sep->nlsn = 0;
    }
    nn_sconn_drop_all(sep);
    if (sep->vt->stopped != NULL)
        sep->vt->stopped(sep);
}

void nn_stream_stop(struct nn_ep *ep)
{
    struct nn_stream_ep *sep = ep->tdata;

    if (sep == NULL)
        return;
    nn_io_call(nn_stream_stop_loop, sep);
    ep->tdata = NULL;
    free(sep);
}
