/* The ws:// transport: endpoints. A bound endpoint listens and hands each
   accepted socket to a connection (wsconn.c); a connecting endpoint runs
   connect attempts with the reconnect backoff and keeps at most one live
   connection. Addresses follow TRANSPORTS.md §5: bind like tcp (port
   mandatory) with an optional `/path` (libnanomsg refuses any path at
   bind and answers every resource; we answer only the bound path, or
   every resource when bound without one). Endpoints of this process bound
   to the same address with distinct paths share one listener (as in
   nng): the first is the host, the others its guests, and a connection
   moves to the guest whose path it asks for. Connect
   `[iface;]host[:port][/resource]`, port 80 by default, the port taken
   after the last ':' of the whole address.

   All endpoint state is touched on the loop thread only, except in
   bind/connect before the first callback can run; stop runs on the loop
   through nn_io_call. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../include/nanomsg/ws.h"
#include "../core/transport.h"
#include "../io/loop.h"
#include "../utils/netcompat.h"
#include "backoff.h"
#include "resolver.h"
#include "tcpaddr.h"
#include "wsconn.h"
#include "wshandshake.h"

#define NN_WS_BACKLOG 100
#define NN_WS_DEFAULT_PORT 80
/* After accept() runs out of descriptors or memory, wait this long
   before trying again rather than spinning on a readable listener. */
#define NN_WS_ACCEPT_PAUSE_MS 100
#define NN_WS_ACCEPTS 64

struct nn_ws_listener {
    int fd;
    struct nn_io_fd w;
    struct nn_ws_ep *owner;
};

struct nn_ws_ep {
    struct nn_ep *ep;
    struct nn_list conns;          /* every nn_wsconn of this endpoint */
    int stopping;

    /* Bound. */
    int haspath;                   /* resource[] is the only path served */
    struct nn_tcpaddr addrs[NN_TCPADDR_MAX];
    int naddrs;
    struct nn_ws_ep *host;         /* a guest's host; NULL for a host */
    struct nn_list guests;         /* a host's guests (under ws_share_mtx) */
    struct nn_list share;          /* host: in ws_hosts; guest: in guests */
    int nlisten;
    struct nn_ws_listener lis[NN_TCPADDR_MAX];
    struct nn_io_timer accept_pause;

    /* Connecting. */
    struct nn_tcpaddr_dial dial;   /* host (for resolving), port, local */
    char hostpart[NN_SOCKADDR_MAX];   /* Host header: host[:port] as written */
    char resource[NN_SOCKADDR_MAX];
    struct nn_backoff backoff;
    struct nn_io_timer retry;
    struct nn_lookup *lookup;      /* host name being looked up, or NULL */
    int resolved;                  /* `remote` is this attempt's */
    struct nn_tcpaddr remote;
    int cfd;                       /* socket while connect() is under way */
    struct nn_io_fd cw;
    struct nn_wsconn *live;        /* current connection, if any */
    int msgtype;                   /* NN_WS_MSG_TYPE when connect was made */
};

/* Bound endpoints with a path that own a listener, for sharing it. The
   lists (ws_hosts, each host's guests, their `host` links) are guarded by
   ws_share_mtx, taken by bind (application thread) and on the loop
   thread; never held across nn_io_call. */
static pthread_mutex_t ws_share_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct nn_list ws_hosts = {&ws_hosts, &ws_hosts};

static void ws_set_bufs(struct nn_sock *s, int fd)
{
    int sz;

    sz = nn_sock_getopt_int(s, NN_SOL_SOCKET, NN_SNDBUF);
    if (sz > 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
    sz = nn_sock_getopt_int(s, NN_SOL_SOCKET, NN_RCVBUF);
    if (sz > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/* ---- connecting endpoints ------------------------------------------------ */

/* `[iface;]host[:port][/resource]`. The port is whatever lies between the
   last ':' of the whole address and the next '/', so a ':' inside the
   resource makes the address invalid, as in libnanomsg. */
static int ws_parse_connect(struct nn_ws_ep *w, const char *rest, int ipv4only)
{
    const char *semi = strchr(rest, ';');
    const char *host = semi != NULL ? semi + 1 : rest;
    const char *colon = strrchr(rest, ':');
    const char *slash, *hostend;
    uint16_t port = NN_WS_DEFAULT_PORT;
    size_t hostlen;

    memset(&w->dial, 0, sizeof(w->dial));
    if (colon != NULL) {
        if (colon < host)
            return -EINVAL;
        slash = strchr(colon, '/');
        if (nn_tcpaddr_port(colon + 1,
                            (size_t) ((slash ? slash : colon + strlen(colon)) -
                                      (colon + 1)),
                            &port) < 0)
            return -EINVAL;
        hostend = colon;
    } else {
        slash = strchr(host, '/');
        hostend = slash ? slash : host + strlen(host);
    }
    hostlen = (size_t) (hostend - host);
    if (hostlen >= sizeof(w->dial.host) ||
        nn_tcpaddr_host_ok(host, hostlen, ipv4only) < 0)
        return -EINVAL;
    if (semi != NULL) {
        if (nn_tcpaddr_iface(rest, (size_t) (semi - rest), ipv4only,
                             &w->dial.local) < 0)
            return -ENODEV;
        /* `*` means no particular interface. */
        w->dial.has_local = !(semi - rest == 1 && rest[0] == '*');
    }
    memcpy(w->dial.host, host, hostlen);
    w->dial.host[hostlen] = '\0';
    w->dial.port = port;
    w->dial.ipv4only = ipv4only;

    /* Host header: the text as written, port included only if given. */
    hostend = slash ? slash : host + strlen(host);
    memcpy(w->hostpart, host, (size_t) (hostend - host));
    w->hostpart[hostend - host] = '\0';
    strcpy(w->resource, slash ? slash : "/");
    return 0;
}

static void ws_conn_gone(void *owner, struct nn_wsconn *c);

static void ws_schedule_retry(struct nn_ws_ep *w)
{
    if (!w->stopping)
        nn_io_timer_start(&w->retry, nn_backoff_next(&w->backoff));
}

static void ws_connect_failed(struct nn_ws_ep *w, int err)
{
    nn_sock_stat(w->ep->sock, NN_STAT_CONNECT_ERRORS, 1);
    nn_ep_set_error(w->ep, err);
    ws_schedule_retry(w);
}

static void ws_connected(struct nn_ws_ep *w, int fd)
{
    struct nn_wsconn_cfg cfg;

    nn_sock_stat(w->ep->sock, NN_STAT_ESTABLISHED_CONNECTIONS, 1);
    memset(&cfg, 0, sizeof(cfg));
    cfg.client = 1;
    cfg.host = w->hostpart;
    cfg.resource = w->resource;
    cfg.msgtype = w->msgtype;
    cfg.gone = ws_conn_gone;
    cfg.owner = w;
    w->live = nn_wsconn_start(w->ep, fd, &cfg, &w->conns);
    if (w->live == NULL)
        ws_schedule_retry(w);
}

static void ws_connect_io(struct nn_io_fd *cw, unsigned ev)
{
    struct nn_ws_ep *w = nn_list_entry(cw, struct nn_ws_ep, cw);
    int fd = w->cfd, err = 0;
    socklen_t len = sizeof(err);

    (void) ev;
    nn_io_fd_del(&w->cw);
    w->cfd = -1;
    nn_sock_stat(w->ep->sock, NN_STAT_INPROGRESS_CONNECTIONS, -1);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err != 0) {
        close(fd);
        ws_connect_failed(w, err);
        return;
    }
    ws_connected(w, fd);
}

static void ws_attempt_now(struct nn_ws_ep *w);

static void ws_resolved(void *owner, int rc, const struct nn_tcpaddr *a)
{
    struct nn_ws_ep *w = owner;

    if (rc < 0) {
        ws_connect_failed(w, -rc);
        return;
    }
    w->remote = *a;
    w->resolved = 1;
    ws_attempt_now(w);
}

static void ws_attempt(struct nn_io_timer *t)
{
    ws_attempt_now(nn_list_entry(t, struct nn_ws_ep, retry));
}

/* One attempt: look the host up (on a thread of its own, see resolver.h),
   bind the local interface, start a non-blocking connect. */
static void ws_attempt_now(struct nn_ws_ep *w)
{
    struct nn_tcpaddr remote, local;
    int fd, rc;

    if (w->stopping || w->live != NULL || w->cfd >= 0 || w->lookup != NULL)
        return;
    rc = 1;
    if (!w->resolved)
        rc = nn_lookup_start(&w->lookup, w->dial.host, w->dial.ipv4only,
                             w->dial.port, ws_resolved, w, &w->remote);
    if (rc == 0)
        return;   /* ws_resolved goes on */
    w->resolved = 0;
    remote = w->remote;
    if (rc > 0)
        rc = nn_tcpaddr_local_for(&w->dial, &remote, &local);
    if (rc < 0) {
        ws_connect_failed(w, -rc);
        return;
    }
    fd = nn_socket_nb(remote.ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        ws_connect_failed(w, errno);
        return;
    }
    ws_set_bufs(w->ep->sock, fd);
    if (bind(fd, (struct sockaddr *) &local.ss, local.len) != 0 ||
        (connect(fd, (struct sockaddr *) &remote.ss, remote.len) != 0 &&
         errno != EINPROGRESS)) {
        rc = errno;
        close(fd);
        ws_connect_failed(w, rc);
        return;
    }
    if (nn_io_fd_add(&w->cw, fd, NN_IO_OUT, ws_connect_io) != 0) {
        close(fd);
        ws_connect_failed(w, ENOMEM);
        return;
    }
    w->cfd = fd;
    nn_sock_stat(w->ep->sock, NN_STAT_INPROGRESS_CONNECTIONS, 1);
}

static void ws_conn_gone(void *owner, struct nn_wsconn *c)
{
    struct nn_ws_ep *w = owner;

    if (w->live == c) {
        w->live = NULL;
        ws_schedule_retry(w);
    }
}

static struct nn_ws_ep *ws_ep_new(struct nn_ep *ep)
{
    struct nn_ws_ep *w = calloc(1, sizeof(*w));
    int i;

    if (w == NULL)
        return NULL;
    w->ep = ep;
    nn_list_init(&w->conns);
    nn_list_init(&w->guests);
    nn_list_init(&w->share);
    w->cfd = -1;
    for (i = 0; i < NN_TCPADDR_MAX; i++)
        w->lis[i].fd = -1;
    return w;
}

static int ws_connect(struct nn_ep *ep)
{
    struct nn_ws_ep *w = ws_ep_new(ep);
    int rc;

    if (w == NULL)
        return -ENOMEM;
    rc = ws_parse_connect(w, ep->rest, ep->ipv4only);
    if (rc != 0) {
        free(w);
        return rc;
    }
    /* Taken now, as the socket options of an endpoint are (no lock is held
       here). */
    w->msgtype = nn_sock_getopt_int(ep->sock, NN_WS, NN_WS_MSG_TYPE);
    nn_backoff_init(&w->backoff, ep->reconnect_ivl, ep->reconnect_ivl_max);
    nn_io_timer_init(&w->retry, ws_attempt);
    nn_io_timer_init(&w->accept_pause, NULL);
    ep->tdata = w;
    /* The first attempt is immediate, on the loop thread. */
    nn_io_timer_start(&w->retry, 0);
    return 0;
}

/* ---- bound endpoints ----------------------------------------------------- */

static void ws_listen_set(struct nn_ws_ep *w, unsigned ev)
{
    int i;

    for (i = 0; i < w->nlisten; i++)
        nn_io_fd_set(&w->lis[i].w, ev);
}

static void ws_accept_resume(struct nn_io_timer *t)
{
    struct nn_ws_ep *w = nn_list_entry(t, struct nn_ws_ep, accept_pause);

    if (!w->stopping)
        ws_listen_set(w, NN_IO_IN);
}

/* nn_wsconn_route_fn of a host: the guest serving `path`, if any. */
static int ws_route(void *owner, const char *path, size_t len,
                    struct nn_wsconn_route *to)
{
    struct nn_ws_ep *w = owner, *g, *found = NULL;
    struct nn_list *it, *tmp;

    pthread_mutex_lock(&ws_share_mtx);
    nn_list_foreach(it, tmp, &w->guests) {
        g = nn_list_entry(it, struct nn_ws_ep, share);
        if (nn_wshs_path_eq(g->resource, path, len)) {
            found = g;
            break;
        }
    }
    pthread_mutex_unlock(&ws_share_mtx);
    if (found == NULL)
        return 0;
    /* A guest leaves only on the loop thread, where we are. */
    to->ep = found->ep;
    to->list = &found->conns;
    to->path = found->resource;
    to->msgtype = nn_sock_getopt_int(found->ep->sock, NN_WS, NN_WS_MSG_TYPE);
    return 1;
}

static int ws_same_addrs(const struct nn_ws_ep *a, const struct nn_tcpaddr *addrs,
                         int n)
{
    int i;

    if (a->naddrs != n)
        return 0;
    for (i = 0; i < n; i++)
        if (a->addrs[i].len != addrs[i].len ||
            memcmp(&a->addrs[i].ss, &addrs[i].ss, addrs[i].len) != 0)
            return 0;
    return 1;
}

/* Under ws_share_mtx: join the host bound to the same addresses as guest
   `w` (0), or -EADDRINUSE when its path or another guest's is the same;
   1 when no host has these addresses. */
static int ws_join_locked(struct nn_ws_ep *w)
{
    struct nn_list *it, *tmp, *git, *gtmp;
    struct nn_ws_ep *h, *g;

    nn_list_foreach(it, tmp, &ws_hosts) {
        h = nn_list_entry(it, struct nn_ws_ep, share);
        if (!ws_same_addrs(h, w->addrs, w->naddrs))
            continue;
        if (nn_wshs_path_eq(h->resource, w->resource, strlen(w->resource)))
            return -EADDRINUSE;
        nn_list_foreach(git, gtmp, &h->guests) {
            g = nn_list_entry(git, struct nn_ws_ep, share);
            if (nn_wshs_path_eq(g->resource, w->resource, strlen(w->resource)))
                return -EADDRINUSE;
        }
        w->host = h;
        nn_list_push(&h->guests, &w->share);
        return 0;
    }
    return 1;
}

static void ws_accept_io(struct nn_io_fd *lw, unsigned ev)
{
    struct nn_ws_listener *l = nn_list_entry(lw, struct nn_ws_listener, w);
    struct nn_ws_ep *w = l->owner;
    struct nn_sock *s = w->ep->sock;
    struct nn_wsconn_cfg cfg;
    int i, fd;

    (void) ev;
    for (i = 0; i < NN_WS_ACCEPTS; i++) {
        fd = nn_accept_nb(l->fd);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            /* Out of resources, or an error we cannot clear: the pending
               connection would wake us forever; look again later. */
            nn_sock_stat(s, NN_STAT_ACCEPT_ERRORS, 1);
            ws_listen_set(w, 0);
            nn_io_timer_start(&w->accept_pause, NN_WS_ACCEPT_PAUSE_MS);
            return;
        }
        nn_sock_stat(s, NN_STAT_ACCEPTED_CONNECTIONS, 1);
        ws_set_bufs(s, fd);
        memset(&cfg, 0, sizeof(cfg));
        cfg.msgtype = nn_sock_getopt_int(s, NN_WS, NN_WS_MSG_TYPE);
        cfg.resource = w->haspath ? w->resource : NULL;
        cfg.route = w->haspath ? ws_route : NULL;
        cfg.route_owner = w;
        nn_wsconn_start(w->ep, fd, &cfg, &w->conns);
    }
}

static void ws_close_listeners(struct nn_ws_ep *w)
{
    int i;

    for (i = 0; i < w->nlisten; i++) {
        nn_io_fd_del(&w->lis[i].w);
        close(w->lis[i].fd);
        w->lis[i].fd = -1;
    }
    w->nlisten = 0;
}

static int ws_listen_one(struct nn_ws_ep *w, const struct nn_tcpaddr *a)
{
    struct nn_ws_listener *l = &w->lis[w->nlisten];
    int fd, one = 1, rc;

    fd = nn_socket_nb(a->ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -errno;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (const struct sockaddr *) &a->ss, a->len) != 0 ||
        listen(fd, NN_WS_BACKLOG) != 0) {
        rc = -errno;
        close(fd);
        return rc;
    }
    l->fd = fd;
    l->owner = w;
    return 0;
}

static void ws_bind_loop(void *arg);

/* Split `iface:port[/path]` into the tcp part (into `where`) and the path
   (into `path`, "" for none). A path is printable ASCII from its '/' on;
   a query or fragment means nothing to a server and is refused. */
static int ws_split_bind(const char *rest, char where[NN_SOCKADDR_MAX],
                         char path[NN_SOCKADDR_MAX])
{
    const char *slash = strchr(rest, '/');
    size_t i, n = slash ? (size_t) (slash - rest) : strlen(rest);

    if (n >= NN_SOCKADDR_MAX || strpbrk(rest, "?#") != NULL)
        return -EINVAL;
    memcpy(where, rest, n);
    where[n] = '\0';
    path[0] = '\0';
    if (slash == NULL)
        return 0;
    if (strlen(slash) >= NN_SOCKADDR_MAX || slash[1] == '/')
        return -EINVAL;
    for (i = 0; slash[i] != '\0'; i++)
        if ((unsigned char) slash[i] <= 0x20 || (unsigned char) slash[i] >= 0x7f)
            return -EINVAL;
    strcpy(path, slash);
    return 0;
}

static int ws_bind(struct nn_ep *ep)
{
    struct nn_tcpaddr addrs[NN_TCPADDR_MAX];
    struct nn_ws_ep *w;
    char where[NN_SOCKADDR_MAX], path[NN_SOCKADDR_MAX];
    int n, i, rc = 0, skipped = -EADDRNOTAVAIL;

    rc = ws_split_bind(ep->rest, where, path);
    if (rc != 0)
        return rc;
    n = nn_tcpaddr_parse_bind(where, ep->ipv4only, addrs);
    if (n < 0)
        return n;
    w = ws_ep_new(ep);
    if (w == NULL)
        return -ENOMEM;
    nn_io_timer_init(&w->accept_pause, ws_accept_resume);
    nn_io_timer_init(&w->retry, NULL);
    memcpy(w->addrs, addrs, sizeof(addrs[0]) * (size_t) n);
    w->naddrs = n;
    if (path[0] != '\0') {
        strcpy(w->resource, path);
        w->haspath = 1;
        /* Set first: connections may move to a guest as soon as it has
           joined. */
        ep->tdata = w;
        pthread_mutex_lock(&ws_share_mtx);
        rc = ws_join_locked(w);
        pthread_mutex_unlock(&ws_share_mtx);
        if (rc == 0)
            return 0;
        ep->tdata = NULL;
        if (rc < 0) {
            free(w);
            return rc;
        }
        rc = 0;
    }
    for (i = 0; i < n; i++) {
        rc = ws_listen_one(w, &addrs[i]);
        if (rc == 0) {
            w->nlisten++;
        } else if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT) {
            /* A host name may resolve to a family this machine lacks: that
               address is skipped as long as another one works. */
            skipped = rc;
        } else {
            break;
        }
        rc = 0;
    }
    if (rc == 0 && w->nlisten == 0)
        rc = skipped;
    if (rc != 0) {
        for (i = 0; i < w->nlisten; i++)
            close(w->lis[i].fd);
        free(w);
        return rc;
    }
    ep->tdata = w;
    nn_io_call(ws_bind_loop, w);
    if (w->nlisten == 0) {
        rc = -ENOMEM;
        ep->tdata = NULL;
        free(w);
        return rc;
    }
    if (w->haspath) {
        /* Another bind of these addresses meanwhile found the port taken
           by the kernel: a race of two binds, which the loser sees as
           EADDRINUSE, as without sharing. */
        pthread_mutex_lock(&ws_share_mtx);
        nn_list_push(&ws_hosts, &w->share);
        pthread_mutex_unlock(&ws_share_mtx);
    }
    return 0;
}

/* Watches are added on the loop so that a connection arriving at once is
   handled only after bind has returned its state. */
static void ws_bind_loop(void *arg)
{
    struct nn_ws_ep *w = arg;
    int i;

    for (i = 0; i < w->nlisten; i++) {
        if (nn_io_fd_add(&w->lis[i].w, w->lis[i].fd, NN_IO_IN, ws_accept_io) !=
            0) {
            ws_close_listeners(w);
            return;
        }
    }
}

/* ---- stop ---------------------------------------------------------------- */

/* Loop thread, under ws_share_mtx: a stopping host hands its listeners
   and its other guests to its first guest; a guest just leaves. */
static void ws_unshare_locked(struct nn_ws_ep *w)
{
    struct nn_ws_ep *g;
    struct nn_list *it, *tmp;
    int i;

    if (w->host != NULL) {
        nn_list_remove(&w->share);
        w->host = NULL;
        return;
    }
    if (!nn_list_linked(&w->share))
        return;
    nn_list_remove(&w->share);
    if (nn_list_empty(&w->guests))
        return;
    g = nn_list_entry(w->guests.next, struct nn_ws_ep, share);
    nn_list_remove(&g->share);
    g->host = NULL;
    nn_list_foreach(it, tmp, &w->guests) {
        nn_list_remove(it);
        nn_list_push(&g->guests, it);
        nn_list_entry(it, struct nn_ws_ep, share)->host = g;
    }
    nn_io_timer_cancel(&w->accept_pause);
    for (i = 0; i < w->nlisten; i++) {
        nn_io_fd_del(&w->lis[i].w);
        g->lis[g->nlisten].fd = w->lis[i].fd;
        g->lis[g->nlisten].owner = g;
        w->lis[i].fd = -1;
        if (nn_io_fd_add(&g->lis[g->nlisten].w, g->lis[g->nlisten].fd, NN_IO_IN,
                         ws_accept_io) != 0) {
            close(g->lis[g->nlisten].fd);
            g->lis[g->nlisten].fd = -1;
            continue;
        }
        g->nlisten++;
    }
    w->nlisten = 0;
    nn_list_push(&ws_hosts, &g->share);
}

static void ws_stop_loop(void *arg)
{
    struct nn_ws_ep *w = arg;

    pthread_mutex_lock(&ws_share_mtx);
    ws_unshare_locked(w);
    pthread_mutex_unlock(&ws_share_mtx);
    w->stopping = 1;
    nn_io_timer_cancel(&w->retry);
    nn_lookup_cancel(&w->lookup);
    nn_io_timer_cancel(&w->accept_pause);
    if (w->cfd >= 0) {
        nn_io_fd_del(&w->cw);
        close(w->cfd);
        w->cfd = -1;
        nn_sock_stat(w->ep->sock, NN_STAT_INPROGRESS_CONNECTIONS, -1);
    }
    ws_close_listeners(w);
    w->live = NULL;
    while (!nn_list_empty(&w->conns))
        nn_wsconn_destroy(nn_wsconn_of(w->conns.next));
}

static void ws_stop(struct nn_ep *ep)
{
    struct nn_ws_ep *w = ep->tdata;

    if (w == NULL)
        return;
    nn_io_call(ws_stop_loop, w);
    ep->tdata = NULL;
    free(w);
}

static const struct nn_topt ws_opts[] = {
    { NN_WS_MSG_TYPE, NN_TOPT_INT, NN_WS_MSG_TYPE_TEXT,
      NN_WS_MSG_TYPE_BINARY, NN_WS_MSG_TYPE_BINARY, 1 },
};

const struct nn_transport nn_ws_transport = {
    .scheme = "ws",
    .id = NN_WS,
    .opts = ws_opts,
    .nopts = sizeof(ws_opts) / sizeof(ws_opts[0]),
    .bind = ws_bind,
    .connect = ws_connect,
    .stop = ws_stop,
};
