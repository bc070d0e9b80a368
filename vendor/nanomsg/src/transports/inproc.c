/* inproc://: in-process links. A connection is two pipes whose sends
   deliver straight into each other's inbound queue; no I/O thread, no
   copies. One registry lock orders before every socket lock. Endpoints are
   found by name through a hash map, so binding or connecting costs the same
   with a hundred thousand names bound as with one. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/nanomsg/inproc.h"
#include "../core/sock.h"
#include "../utils/strmap.h"

/* Everything bound or connecting under one name. It lives while it has a
   binder or a connector. */
struct iname {
    struct nn_strmap_node node;
    struct iep *binder;          /* at most one */
    struct nn_list connectors;   /* struct iep, via item */
    char name[];
};

struct iep {
    struct nn_ep *ep;
    struct iname *name;
    struct nn_list item;      /* in name->connectors (connectors only) */
    struct nn_list conns;     /* struct conn, via bitem (bound) or citem */
};

struct conn {
    struct nn_pipe *bp, *cp;  /* binder's and connector's pipe */
    struct iep *b, *c;
    struct nn_list bitem, citem;
};

static pthread_mutex_t imtx = PTHREAD_MUTEX_INITIALIZER;
static struct nn_strmap names = NN_STRMAP_INIT;   /* struct iname */

static struct nn_pipe *peer_of(struct nn_pipe *p)
{
    struct conn *c = nn_pipe_tdata(p);
    return p == c->bp ? c->cp : c->bp;
}

static int inproc_send(struct nn_pipe *p, struct nn_msg *m)
{
    nn_pipe_assert_locked(p);
    return nn_pipe_deliver(peer_of(p), m) ? NN_PIPE_RELEASE : 0;
}

static int inproc_resume(struct nn_pipe *p, int claim)
{
    nn_pipe_assert_locked(p);
    (void) claim;
    /* Our inbound queue has room: the peer may send to us again. */
    nn_pipe_ready(peer_of(p));
    return 0;
}

static const struct nn_pipe_ops inproc_ops = {
    .send = inproc_send,
    .resume = inproc_resume,
};

static int linked(const struct iep *b, const struct iep *c)
{
    const struct nn_list *it;
    for (it = c->conns.next; it != &c->conns; it = it->next)
        if (nn_list_entry(it, struct conn, citem)->b == b)
            return 1;
    return 0;
}

/* Under imtx: link binder b with connector c if their types fit. */
static void conn_make(struct iep *b, struct iep *c)
{
    struct nn_sock *bs = b->ep->sock, *cs = c->ep->sock;
    if (!nn_sock_peer_ok(bs, nn_sock_type(cs)) || linked(b, c))
        return;
    struct conn *k = calloc(1, sizeof(*k));
    if (!k)
        return;
    k->b = b;
    k->c = c;
    k->bp = nn_pipe_new(b->ep, &inproc_ops, k);
    k->cp = nn_pipe_new(c->ep, &inproc_ops, k);
    if (!k->bp || !k->cp || nn_pipe_start(k->bp) != 0 ||
        nn_pipe_start(k->cp) != 0) {
        if (k->bp) {
            nn_pipe_stop(k->bp);
            nn_pipe_unref(k->bp);
        }
        if (k->cp) {
            nn_pipe_stop(k->cp);
            nn_pipe_unref(k->cp);
        }
        free(k);
        return;
    }
    nn_list_push(&b->conns, &k->bitem);
    nn_list_push(&c->conns, &k->citem);
    /* libnanomsg 1.1.5 counts only this one for inproc links. */
    nn_sock_stat(cs, NN_STAT_ESTABLISHED_CONNECTIONS, 1);
}

/* Under imtx: give every connector of b's name that lacks a link one. */
static void link_connectors(struct iep *b)
{
    struct nn_list *it;
    for (it = b->name->connectors.next; it != &b->name->connectors;
         it = it->next)
        conn_make(b, nn_list_entry(it, struct iep, item));
}

static void conn_destroy(struct conn *k)
{
    nn_list_remove(&k->bitem);
    nn_list_remove(&k->citem);
    nn_pipe_stop(k->bp);
    nn_pipe_stop(k->cp);
    nn_pipe_unref(k->bp);
    nn_pipe_unref(k->cp);
    free(k);
}

static struct iep *iep_new(struct nn_ep *ep)
{
    struct iep *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->ep = ep;
    nn_list_init(&e->item);
    nn_list_init(&e->conns);
    ep->tdata = e;
    return e;
}

/* Under imtx: the entry for name `key`, made if there is none yet. */
static struct iname *name_get(const char *key)
{
    struct nn_strmap_node *n = nn_strmap_find(&names, key);
    if (n)
        return nn_list_entry(n, struct iname, node);
    size_t len = strlen(key);
    struct iname *nm = calloc(1, sizeof(*nm) + len + 1);
    if (!nm)
        return NULL;
    memcpy(nm->name, key, len + 1);
    nn_list_init(&nm->connectors);
    if (nn_strmap_insert(&names, &nm->node, nm->name) != 0) {
        free(nm);
        return NULL;
    }
    return nm;
}

/* Under imtx: forget a name nobody binds or connects to any more. */
static void name_put(struct iname *nm)
{
    if (nm->binder || !nn_list_empty(&nm->connectors))
        return;
    nn_strmap_remove(&names, &nm->node);
    free(nm);
}

static int inproc_bind(struct nn_ep *ep)
{
    struct iep *e = iep_new(ep);
    if (!e)
        return -ENOMEM;
    pthread_mutex_lock(&imtx);
    struct iname *nm = name_get(ep->rest);
    int rc = !nm ? -ENOMEM : nm->binder ? -EADDRINUSE : 0;
    if (rc == 0) {
        nm->binder = e;
        e->name = nm;
        link_connectors(e);
    }
    pthread_mutex_unlock(&imtx);
    if (rc != 0)
        free(e);
    return rc;
}

static int inproc_connect(struct nn_ep *ep)
{
    struct iep *e = iep_new(ep);
    if (!e)
        return -ENOMEM;
    pthread_mutex_lock(&imtx);
    struct iname *nm = name_get(ep->rest);
    if (nm) {
        e->name = nm;
        nn_list_push(&nm->connectors, &e->item);
        if (nm->binder)
            conn_make(nm->binder, e);
    }
    pthread_mutex_unlock(&imtx);
    if (!nm) {
        free(e);
        return -ENOMEM;
    }
    return 0;
}

static void inproc_stop(struct nn_ep *ep)
{
    struct iep *e = ep->tdata;
    struct nn_list *it, *tmp;
    pthread_mutex_lock(&imtx);
    if (ep->bound)
        e->name->binder = NULL;
    else
        nn_list_remove(&e->item);
    nn_list_foreach(it, tmp, &e->conns) {
        struct conn *k = ep->bound ? nn_list_entry(it, struct conn, bitem)
                                   : nn_list_entry(it, struct conn, citem);
        struct iep *other = ep->bound ? k->c : k->b;
        conn_destroy(k);
        /* A connector refused while this one held the binder (PAIR) may
           take its place now. */
        if (!ep->bound)
            link_connectors(other);
    }
    name_put(e->name);
    pthread_mutex_unlock(&imtx);
    free(e);
}

const struct nn_transport nn_inproc_transport = {
    .scheme = "inproc",
    .id = NN_INPROC,
    .bind = inproc_bind,
    .connect = inproc_connect,
    .stop = inproc_stop,
};
