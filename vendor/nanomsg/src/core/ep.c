/* Endpoints: address validation, transport lookup, bind/connect/shutdown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sock.h"

static const struct nn_transport *const transports[] = {
    &nn_inproc_transport, &nn_ipc_transport, &nn_tcp_transport,
    &nn_ws_transport,
};

/* Split "scheme://rest"; the transport or -errno. */
static const struct nn_transport *parse_scheme(const char *addr,
                                               const char **rest, int *err)
{
    const char *colon = strchr(addr, ':');
    if (!colon || strncmp(colon, "://", 3) != 0) {
        *err = -EINVAL;
        return NULL;
    }
    size_t n = (size_t) (colon - addr);
    for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
        const struct nn_transport *t = transports[i];
        if (strlen(t->scheme) == n && memcmp(t->scheme, addr, n) == 0) {
            *rest = colon + 3;
            return t;
        }
    }
    *err = -EPROTONOSUPPORT;
    return NULL;
}

int nn_topt_find(int level, int option, const struct nn_topt **o)
{
    int slot = 0;
    for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++) {
        const struct nn_transport *t = transports[i];
        for (int k = 0; k < t->nopts; k++, slot++) {
            if (t->id == level && t->opts[k].option == option) {
                *o = &t->opts[k];
                return slot;
            }
        }
    }
    return -1;
}

intptr_t *nn_topt_defaults(void)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
        n += (size_t) transports[i]->nopts;
    intptr_t *v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return NULL;
    n = 0;
    for (size_t i = 0; i < sizeof(transports) / sizeof(transports[0]); i++)
        for (int k = 0; k < transports[i]->nopts; k++)
            v[n++] = transports[i]->opts[k].defval;
    return v;
}

static void ep_stop(struct nn_ep *ep)
{
    ep->tp->stop(ep);
    if (ep->errored)
        nn_stat_add(ep->sock, NN_ST_CURRENT_EP_ERRORS, -1);
    free(ep);
}

int nn_sock_add_ep(struct nn_sock *s, const char *addr, int bind)
{
    int err = 0;
    const char *rest;
    if (!addr)
        return -EINVAL;
    size_t alen = strnlen(addr, NN_SOCKADDR_MAX);
    if (alen >= NN_SOCKADDR_MAX)
        return -ENAMETOOLONG;
    const struct nn_transport *tp = parse_scheme(addr, &rest, &err);
    if (!tp)
        return err;

    struct nn_ep *ep = calloc(1, sizeof(*ep));
    if (!ep)
        return -ENOMEM;
    memcpy(ep->addr, addr, alen + 1);
    ep->rest = ep->addr + (rest - addr);
    ep->sock = s;
    ep->bound = bind;
    ep->tp = tp;
    nn_list_init(&ep->item);

    nn_sock_lock(s);
    if (s->closing) {
        nn_sock_unlock(s);
        free(ep);
        return -EBADF;
    }
    ep->sndprio = s->opt.sndprio;
    ep->rcvprio = s->opt.rcvprio;
    ep->ipv4only = s->opt.ipv4only;
    ep->reconnect_ivl = s->opt.reconnect_ivl;
    ep->reconnect_ivl_max = s->opt.reconnect_ivl_max;
    nn_sock_unlock(s);

    int rc = bind ? tp->bind(ep) : tp->connect(ep);
    if (rc != 0) {
        free(ep);
        return rc;
    }
    nn_sock_lock(s);
    int closing = s->closing;
    int eid = 0;
    if (!closing) {
        eid = ep->eid = s->next_eid++;
        nn_list_push(&s->eps, &ep->item);
    }
    nn_sock_unlock(s);
    if (closing) {
        /* nn_close ran meanwhile and did not see this endpoint. */
        ep_stop(ep);
        return -EBADF;
    }
    /* Not ep->eid: once listed, a racing nn_close or nn_shutdown may have
       freed the endpoint already. */
    return eid;
}


int nn_sock_rm_ep(struct nn_sock *s, int eid)
{
    struct nn_list *it, *tmp;
    struct nn_ep *found = NULL;
    nn_sock_lock(s);
    nn_list_foreach(it, tmp, &s->eps) {
        struct nn_ep *ep = nn_list_entry(it, struct nn_ep, item);
        if (ep->eid == eid) {
            nn_list_remove(&ep->item);
            found = ep;
            break;
        }
    }
    nn_sock_unlock(s);
    if (!found)
        return -EINVAL;
    ep_stop(found);
    return 0;
}

void nn_sock_stop_eps(struct nn_sock *s)
{
    for (;;) {
        struct nn_ep *ep = NULL;
        nn_sock_lock(s);
        if (!nn_list_empty(&s->eps)) {
            ep = nn_list_entry(s->eps.next, struct nn_ep, item);
            nn_list_remove(&ep->item);
        }
        nn_sock_unlock(s);
        if (!ep)
            return;
        ep_stop(ep);
    }
}

void nn_ep_set_error(struct nn_ep *ep, int errnum)
{
    struct nn_sock *s = ep->sock;
    char name[NN_SOCK_NAME_MAX];
    nn_sock_lock(s);
    int was = ep->errored;
    ep->errored = errnum != 0;
    memcpy(name, s->opt.name, sizeof(name));
    nn_sock_unlock(s);
    if (was != (errnum != 0))
        nn_stat_add(s, NN_ST_CURRENT_EP_ERRORS, errnum ? 1 : -1);
    const char *print = getenv("NN_PRINT_ERRORS");
    if (errnum && print && *print)
        fprintf(stderr, "nanomsg: socket.%s[%s]: Error: %s\n", name, ep->addr,
                nn_strerror(errnum));
}
