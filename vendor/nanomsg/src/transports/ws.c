/* The ws:// transport: endpoints. Listening, accept pause, connect
   attempts and reconnect backoff are the stream engine's (stream.c); here
   each connected socket becomes a ws connection (wsconn.c: handshake and
   framing) instead of an SP stream one.

   Addresses follow TRANSPORTS.md §5: bind like tcp (port mandatory) with
   an optional `/path` (libnanomsg refuses any path at bind and answers
   every resource; we answer only the bound path, or every resource when
   bound without one). Endpoints of this process bound to the same address
   with distinct paths share one listener (as in nng): the first is the
   host, the others its guests, and a connection moves to the guest whose
   path it asks for. Connect `[iface;]host[:port][/resource]`, port 80 by
   default, the port taken after the last ':' of the whole address.

   All endpoint state is touched on the loop thread only, except in
   bind/connect before the first callback can run; stop runs on the loop
   (the engine's `stopping` and `stopped` hooks). */
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
#include "stream.h"
#include "tcpaddr.h"
#include "tcpsock.h"
#include "wsconn.h"
#include "wshandshake.h"

#define NN_WS_BACKLOG 100
#define NN_WS_DEFAULT_PORT 80

_Static_assert(NN_TCPADDR_MAX <= NN_STREAM_MAXLSN,
               "a listener holds every address of a bind name");

struct nn_ws_ep {
    struct nn_ep *ep;
    struct nn_stream_ep *sep;      /* the engine's side of the endpoint */
    struct nn_list conns;          /* every nn_wsconn of this endpoint */
    char resource[NN_SOCKADDR_MAX];   /* bound path, or request target */

    /* Bound. */
    int haspath;                   /* resource[] is the only path served */
    struct nn_tcpaddr addrs[NN_TCPADDR_MAX];
    int naddrs;
    struct nn_ws_ep *host;         /* a guest's host; NULL for a host */
    struct nn_list guests;         /* a host's guests (under ws_share_mtx) */
    struct nn_list share;          /* host: in ws_hosts; guest: in guests */

    /* Connecting. */
    struct nn_tcpdial dial;        /* host (for resolving), port, local */
    char hostpart[NN_SOCKADDR_MAX];   /* Host header: host[:port] as written */
    int msgtype;                   /* NN_WS_MSG_TYPE when connect was made */
};

/* Bound endpoints with a path that own a listener, for sharing it. The
   lists (ws_hosts, each host's guests, their `host` links) are guarded by
   ws_share_mtx, taken by bind (application thread) and on the loop
   thread; never held across nn_io_call. */
static pthread_mutex_t ws_share_mtx = PTHREAD_MUTEX_INITIALIZER;
static struct nn_list ws_hosts = {&ws_hosts, &ws_hosts};

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

    memset(&w->dial.d, 0, sizeof(w->dial.d));
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
    if (hostlen >= sizeof(w->dial.d.host) ||
        nn_tcpaddr_host_ok(host, hostlen, ipv4only) < 0)
        return -EINVAL;
    if (semi != NULL) {
        if (nn_tcpaddr_iface(rest, (size_t) (semi - rest), ipv4only,
                             &w->dial.d.local) < 0)
            return -ENODEV;
        /* `*` means no particular interface. */
        w->dial.d.has_local = !(semi - rest == 1 && rest[0] == '*');
    }
    memcpy(w->dial.d.host, host, hostlen);
    w->dial.d.host[hostlen] = '\0';
    w->dial.d.port = port;
    w->dial.d.ipv4only = ipv4only;

    /* Host header: the text as written, port included only if given. */
    hostend = slash ? slash : host + strlen(host);
    memcpy(w->hostpart, host, (size_t) (hostend - host));
    w->hostpart[hostend - host] = '\0';
    strcpy(w->resource, slash ? slash : "/");
    return 0;
}

static const struct nn_stream_vt ws_vt;

static void ws_conn_gone(void *owner, struct nn_wsconn *c)
{
    (void) c;
    nn_stream_conn_ended(owner);
}

static int ws_dial(struct nn_stream_ep *sep, int *fdp)
{
    struct nn_ws_ep *w = sep->tdata;

    return nn_tcpdial_step(&w->dial, sep, fdp);
}

static struct nn_ws_ep *ws_ep_new(struct nn_ep *ep)
{
    struct nn_ws_ep *w = calloc(1, sizeof(*w));

    if (w == NULL)
        return NULL;
    w->ep = ep;
    nn_list_init(&w->conns);
    nn_list_init(&w->guests);
    nn_list_init(&w->share);
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
    rc = nn_stream_dial(ep, &ws_vt, w);
    if (rc < 0) {
        free(w);
        return rc;
    }
    w->sep = ep->tdata;
    return 0;
}

/* ---- bound endpoints ----------------------------------------------------- */

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
    int fds[NN_TCPADDR_MAX];
    struct nn_ws_ep *w;
    char where[NN_SOCKADDR_MAX], path[NN_SOCKADDR_MAX];
    int n, i, nfds = 0, rc, skipped = -EADDRNOTAVAIL;

    rc = ws_split_bind(ep->rest, where, path);
    if (rc != 0)
        return rc;
    n = nn_tcpaddr_parse_bind(where, ep->ipv4only, addrs);
    if (n < 0)
        return n;
    w = ws_ep_new(ep);
    if (w == NULL)
        return -ENOMEM;
    memcpy(w->addrs, addrs, sizeof(addrs[0]) * (size_t) n);
    w->naddrs = n;
    strcpy(w->resource, path);
    w->haspath = path[0] != '\0';
    /* The engine's endpoint first, without listeners: a guest takes over
       its host's listeners when the host stops, which may happen as soon
       as it has joined. */
    rc = nn_stream_listen(ep, &ws_vt, w, NULL, 0);
    if (rc != 0) {
        free(w);
        return rc;
    }
    w->sep = ep->tdata;
    if (w->haspath) {
        pthread_mutex_lock(&ws_share_mtx);
        rc = ws_join_locked(w);
        pthread_mutex_unlock(&ws_share_mtx);
        if (rc == 0)
            return 0;
        if (rc < 0)
            goto fail;
    }
    rc = 0;
    for (i = 0; i < n; i++) {
        rc = nn_tcpsock_listen(&addrs[i], NN_WS_BACKLOG);
        if (rc >= 0) {
            fds[nfds++] = rc;
        } else if (rc == -EADDRNOTAVAIL || rc == -EAFNOSUPPORT) {
            /* A host name may resolve to a family this machine lacks: that
               address is skipped as long as another one works. */
            skipped = rc;
        } else {
            break;
        }
        rc = 0;
    }
    if (rc == 0 && nfds == 0)
        rc = skipped;
    if (rc == 0) {
        rc = nn_stream_lsn_add(w->sep, fds, nfds);
    } else {
        while (nfds-- > 0)
            close(fds[nfds]);
    }
    if (rc != 0)
        goto fail;
    if (w->haspath) {
        /* Another bind of these addresses meanwhile found the port taken
           by the kernel: a race of two binds, which the loser sees as
           EADDRINUSE, as without sharing. */
        pthread_mutex_lock(&ws_share_mtx);
        nn_list_push(&ws_hosts, &w->share);
        pthread_mutex_unlock(&ws_share_mtx);
    }
    return 0;

fail:
    nn_stream_stop(ep);   /* frees w (ws_stopped) */
    return rc;
}

/* ---- connections and stop (engine hooks, loop thread) -------------------- */

/* A connected socket becomes a ws connection of the endpoint. */
static int ws_start(struct nn_stream_ep *sep, int fd)
{
    struct nn_ws_ep *w = sep->tdata;
    struct nn_wsconn_cfg cfg;

    memset(&cfg, 0, sizeof(cfg));
    if (sep->dialer) {
        cfg.client = 1;
        cfg.host = w->hostpart;
        cfg.resource = w->resource;
        cfg.msgtype = w->msgtype;
        cfg.gone = ws_conn_gone;
        cfg.owner = sep;
    } else {
        cfg.msgtype = nn_sock_getopt_int(sep->sock, NN_WS, NN_WS_MSG_TYPE);
        cfg.resource = w->haspath ? w->resource : NULL;
        cfg.route = w->haspath ? ws_route : NULL;
        cfg.route_owner = w;
    }
    return nn_wsconn_start(sep->ep, fd, &cfg, &w->conns) != NULL ? 0 : -ENOMEM;
}

/* Under ws_share_mtx: a stopping host hands its listeners and its other
   guests to its first guest; a guest just leaves. */
static void ws_unshare_locked(struct nn_ws_ep *w)
{
    struct nn_ws_ep *g;
    struct nn_list *it, *tmp;

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
    nn_stream_lsn_move(w->sep, g->sep);
    nn_list_push(&ws_hosts, &g->share);
}

static void ws_stopping(struct nn_stream_ep *sep)
{
    pthread_mutex_lock(&ws_share_mtx);
    ws_unshare_locked(sep->tdata);
    pthread_mutex_unlock(&ws_share_mtx);
}

static void ws_stopped(struct nn_stream_ep *sep)
{
    struct nn_ws_ep *w = sep->tdata;

    nn_tcpdial_stop(&w->dial);
    while (!nn_list_empty(&w->conns))
        nn_wsconn_destroy(nn_wsconn_of(w->conns.next));
    free(w);
    sep->tdata = NULL;
}

static const struct nn_stream_vt ws_vt = {
    .setopts = nn_stream_setbufs,
    .dial = ws_dial,
    .stopped = ws_stopped,
    .start = ws_start,
    .stopping = ws_stopping,
};

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
    .stop = nn_stream_stop,
};

