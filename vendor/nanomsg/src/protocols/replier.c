#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nanomsg/nn.h"
#include "backtrace.h"
#include "fq.h"
#include "idmap.h"
#include "replier.h"

#define HOP_MASK 0x7fffffffu

/* What cooked and raw share; first member of both states. */
struct replier_pipes {
    struct nn_sock *sock;
    struct nn_fq fq;
};

struct replier_pipe {
    struct nn_fq_item f;
    struct nn_pipe *pipe;
    int writable;
    uint32_t hop;          /* raw only */
};

struct replier {
    struct replier_pipes c;
    int pending;
    struct nn_pipe *origin;   /* pipe of the pending request, NULL if gone */
    size_t btlen;
    uint8_t bt[NN_BT_MAXLEN];
};

struct xreplier {
    struct replier_pipes c;
    struct nn_idmap hops;     /* hop id -> struct replier_pipe */
    uint32_t next_hop;
};

/* --- shared by cooked and raw ---------------------------------------- */

static struct replier_pipe *pipe_new(struct replier_pipes *c,
                                     struct nn_pipe *p)
{
    struct replier_pipe *rp = malloc(sizeof *rp);
    if (!rp)
        return NULL;
    nn_fq_add(&c->fq, &rp->f, p);
    rp->pipe = p;
    rp->writable = 0;
    rp->hop = 0;
    nn_pipe_setdata(p, rp);
    return rp;
}

void nn_replier_in(void *state, struct nn_pipe *p)
{
    struct replier_pipes *c = state;
    struct replier_pipe *rp = nn_pipe_getdata(p);
    nn_fq_in(&c->fq, &rp->f);
}

void nn_replier_out(void *state, struct nn_pipe *p)
{
    (void) state;
    struct replier_pipe *rp = nn_pipe_getdata(p);
    rp->writable = 1;
}

/* Hand the reply to the pipe if it can take it now, else drop it: the
   requester will resend. */
static void reply_to(struct replier_pipe *rp, struct nn_msg *m)
{
    if (rp && rp->writable) {
        if (nn_pipe_send(rp->pipe, m) & NN_PIPE_RELEASE)
            rp->writable = 0;
    } else {
        nn_msg_term(m);
    }
}

/* Next request with a valid backtrace, split off as the header. */
static int take_request(struct replier_pipes *c, struct nn_msg *m,
                        struct nn_pipe **from)
{
    for (;;) {
        int rc = nn_fq_recv(&c->fq, m, from);
        if (rc != 0)
            return rc;
        if (nn_bt_split(m, nn_sock_maxttl(c->sock)) == 0)
            return 0;
        nn_msg_term(m);
    }
}

/* --- cooked ---------------------------------------------------------- */

int nn_replier_create(struct nn_sock *s, void **state)
{
    struct replier *r = malloc(sizeof *r);
    if (!r)
        return -ENOMEM;
    r->c.sock = s;
    nn_fq_init(&r->c.fq);
    r->pending = 0;
    r->origin = NULL;
    r->btlen = 0;
    *state = r;
    return 0;
}

void nn_replier_destroy(void *state)
{
    free(state);
}

int nn_replier_add(void *state, struct nn_pipe *p)
{
    struct replier *r = state;
    return pipe_new(&r->c, p) ? 0 : -1;
}

void nn_replier_rm(void *state, struct nn_pipe *p)
{
    struct replier *r = state;
    struct replier_pipe *rp = nn_pipe_getdata(p);
    nn_fq_rm(&r->c.fq, &rp->f);
    if (r->origin == p)
        r->origin = NULL;
    free(rp);
}

int nn_replier_send(void *state, struct nn_msg *m)
{
    struct replier *r = state;
    if (!r->pending)
        return -EFSM;
    if (m->hdrlen != 0)
        return -EINVAL;
    int rc = nn_msg_set_hdr(m, r->bt, r->btlen);
    if (rc != 0)
        return rc;
    r->pending = 0;
    reply_to(r->origin ? nn_pipe_getdata(r->origin) : NULL, m);
    return 0;
}

int nn_replier_recv(void *state, struct nn_msg *m)
{
    struct replier *r = state;
    struct nn_pipe *from;
    int rc = take_request(&r->c, m, &from);
    if (rc != 0)
        return rc;
    /* A request still unanswered is abandoned; its requester resends. */
    r->btlen = m->hdrlen;
    memcpy(r->bt, nn_msg_hdr(m), r->btlen);
    nn_msg_set_hdr(m, NULL, 0);
    r->pending = 1;
    r->origin = from;
    return 0;
}

int nn_replier_events(void *state)
{
    struct replier *r = state;
    return (nn_fq_can_recv(&r->c.fq) ? NN_EV_IN : 0) |
           (r->pending ? NN_EV_OUT : 0);
}

/* --- raw ------------------------------------------------------------- */

int nn_xreplier_create(struct nn_sock *s, void **state)
{
    struct xreplier *x = malloc(sizeof *x);
    if (!x)
        return -ENOMEM;
    x->c.sock = s;
    nn_fq_init(&x->c.fq);
    nn_idmap_init(&x->hops);
    x->next_hop = nn_random_u32();
    *state = x;
    return 0;
}

void nn_xreplier_destroy(void *state)
{
    struct xreplier *x = state;
    nn_idmap_term(&x->hops);
    free(x);
}

int nn_xreplier_add(void *state, struct nn_pipe *p)
{
    struct xreplier *x = state;
    struct replier_pipe *rp = pipe_new(&x->c, p);
    if (!rp)
        return -1;
    /* Ids only collide after 2^31 pipes; skip any still in use then. */
    for (;;) {
        uint32_t hop = x->next_hop++ & HOP_MASK;
        int rc = nn_idmap_put(&x->hops, hop, rp);
        if (rc == 0) {
            rp->hop = hop;
            return 0;
        }
        if (rc != -EEXIST) {
            free(rp);
            return -1;
        }
    }
}

void nn_xreplier_rm(void *state, struct nn_pipe *p)
{
    struct xreplier *x = state;
    struct replier_pipe *rp = nn_pipe_getdata(p);
    nn_fq_rm(&x->c.fq, &rp->f);
    nn_idmap_del(&x->hops, rp->hop);
    free(rp);
}

int nn_xreplier_send(void *state, struct nn_msg *m)
{
    struct xreplier *x = state;
    if (m->hdrlen < 4) {
        nn_msg_term(m);
        return 0;
    }
    uint32_t hop = nn_get_u32(nn_msg_hdr(m));
    nn_msg_hdr_pop(m, 4);
    reply_to(nn_idmap_get(&x->hops, hop), m);
    return 0;
}

int nn_xreplier_recv(void *state, struct nn_msg *m)
{
    struct xreplier *x = state;
    struct nn_pipe *from;
    uint8_t w[4];

    for (;;) {
        int rc = take_request(&x->c, m, &from);
        if (rc != 0)
            return rc;
        struct replier_pipe *rp = nn_pipe_getdata(from);
        nn_put_u32(w, rp->hop);
        if (nn_msg_hdr_push(m, w, sizeof w) == 0)
            return 0;
        nn_msg_term(m);
    }
}

int nn_xreplier_events(void *state)
{
    struct xreplier *x = state;
    return (nn_fq_can_recv(&x->c.fq) ? NN_EV_IN : 0) | NN_EV_OUT;
}
